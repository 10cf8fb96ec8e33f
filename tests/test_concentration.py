"""Pareto/Lorenz curve, Gini and top share (kamlab.concentration) and the Pareto figure."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from kamlab.plots import pareto_curve
from kamlab.concentration import gini, lorenz_curve, top_share


def test_lorenz_curve_hand_computed():
    curve = lorenz_curve([1, 4, 3, 2])
    assert list(curve.columns) == ["share_of_accounts", "share_of_value"]
    np.testing.assert_allclose(curve["share_of_accounts"], [0, 0.25, 0.5, 0.75, 1])
    np.testing.assert_allclose(curve["share_of_value"], [0, 0.4, 0.7, 0.9, 1.0])


def test_lorenz_curve_is_concave_and_above_diagonal():
    values = np.random.default_rng(1).lognormal(0, 1.5, size=500)
    curve = lorenz_curve(values)
    assert (curve["share_of_value"] >= curve["share_of_accounts"] - 1e-12).all()
    assert (np.diff(curve["share_of_value"], 2) <= 1e-12).all()  # increments shrink: largest first


def test_gini_hand_computed():
    # sum (2i - n - 1) x_i / (n sum x) = (-3*1 - 1*2 + 1*3 + 3*4) / (4 * 10)
    assert gini([4, 1, 3, 2]) == pytest.approx(10 / 40)


def test_gini_extremes():
    assert gini([5, 5, 5, 5]) == pytest.approx(0.0)
    assert gini([0, 0, 0, 7]) == pytest.approx(3 / 4)  # (n - 1) / n


def test_gini_equals_mean_absolute_difference_form():
    # independent definition: G = sum_ij |x_i - x_j| / (2 n^2 mean)
    x = np.random.default_rng(2).gamma(0.7, 10, size=300)
    mad = np.abs(x[:, None] - x[None, :]).sum() / (2 * x.size**2 * x.mean())
    assert gini(x) == pytest.approx(mad, rel=1e-10)


def test_gini_equals_twice_area_under_pareto_curve_minus_one():
    x = np.random.default_rng(3).pareto(1.5, size=1000)
    curve = lorenz_curve(x)
    area = np.trapezoid(curve["share_of_value"], curve["share_of_accounts"])
    assert gini(x) == pytest.approx(2 * area - 1, rel=1e-10)


@pytest.mark.parametrize(
    "dist, known",
    [
        (stats.uniform(0, 1), 1 / 3),
        (stats.expon(scale=2), 1 / 2),
        (stats.pareto(b=3), 1 / (2 * 3 - 1)),
        (stats.lognorm(s=1.0), 2 * stats.norm.cdf(1.0 / np.sqrt(2)) - 1),
    ],
    ids=["uniform", "exponential", "pareto3", "lognormal1"],
)
def test_gini_of_known_distributions(dist, known):
    x = dist.rvs(size=200_000, random_state=np.random.default_rng(4))
    assert gini(x) == pytest.approx(known, abs=0.005)


def test_top_share_whole_and_fractional_counts():
    values = [10, 5, 3, 1, 1]
    assert top_share(values, 0.2) == pytest.approx(10 / 20)  # k = 1 account
    assert top_share(values, 0.3) == pytest.approx((10 + 0.5 * 5) / 20)  # k = 1.5
    assert top_share(values, 0.0) == 0.0
    assert top_share(values, 1.0) == pytest.approx(1.0)
    seven = [7, 6, 5, 4, 3, 2, 1]
    assert top_share(seven, 0.2) == pytest.approx((7 + 0.4 * 6) / 28)  # k = 1.4


def test_top_share_matches_sorting_when_k_is_whole():
    x = np.random.default_rng(5).lognormal(2, 1, size=1000)
    assert top_share(pd.Series(x), 0.2) == pytest.approx(np.sort(x)[::-1][:200].sum() / x.sum())


@pytest.mark.parametrize(
    "values, message",
    [
        ([], "empty"),
        ([1.0, np.nan, 2.0], "1 missing"),
        ([1.0, -2.0, 3.0], "1 negative"),
        ([0.0, 0.0], "total is 0"),
        ([[1, 2], [3, 4]], "one-dimensional"),
    ],
)
def test_bad_values_are_rejected_clearly(values, message):
    with pytest.raises(ValueError, match=message):
        gini(values)


def test_top_share_rejects_share_outside_unit_interval():
    with pytest.raises(ValueError, match=r"share must be in \[0, 1\]"):
        top_share([1, 2, 3], 20)


def test_pareto_curve_figure():
    fig = pareto_curve([10, 5, 3, 1, 1], highlight=0.2, value_label="revenue")
    ax = fig.axes[0]
    assert ax.get_title()
    assert "%" in ax.get_xlabel() and "revenue" in ax.get_ylabel()
    assert any("50.0 % of revenue" in t.get_text() for legend in fig.legends for t in legend.get_texts())


def test_old_names_stay_importable_from_segments():
    from kamlab import concentration, segments

    assert segments.gini is concentration.gini and segments.lorenz_curve is concentration.lorenz_curve
    assert segments.top_share is concentration.top_share


def test_pareto_legend_sits_outside_the_data():
    fig = pareto_curve(np.arange(1.0, 200.0), highlight=0.2, value_label="revenue")
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()  # constrained layout runs at draw time
    renderer = canvas.get_renderer()
    axes_box = fig.axes[0].get_window_extent(renderer)
    (legend,) = fig.legends
    legend_box = legend.get_window_extent(renderer)
    assert not axes_box.overlaps(legend_box)
    assert fig.bbox.contains(legend_box.x0, legend_box.y0) and fig.bbox.contains(legend_box.x1, legend_box.y1)
