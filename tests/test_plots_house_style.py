"""Every public figure of kamlab.plots follows the house style (kamlab.plots.style), on small synthetic inputs.

Checked on each figure: a title, every axis labelled (with a unit where the axis
is money, a share or a count), at least 600 px wide as the notebook shows it
(the inline backend's dpi, bbox tight), no overlapping or cut-off text, no
legend over the data; then the defects of issue 14, one by one.
"""

import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from kamlab import compare, plots
from kamlab import survival as sv
from kamlab.concentration import lorenz_curve
from kamlab.definitions import DefinitionScore
from kamlab.plots import style
from kamlab.segments import abc_classes, abc_xyz_matrix, key_client_types, xyz_classes

UNIT = re.compile(r"\(.+\)|%|count|currency|days|weeks|months|quarters|years|hours|accounts|share|multiple")
NUMBER = re.compile(r"^[\u2212-]?[\d,]*\.?\d+(e[+-]?\d+)?[kM%]?$")
MIN_PX = 600


def notebook_dpi() -> float:
    """figure.dpi of the inline backend's rc, else Matplotlib's default of 100 (what the notebook renders at)."""
    try:
        from matplotlib_inline.config import InlineBackend
    except ImportError:
        return 100.0
    return float(InlineBackend().rc.get("figure.dpi", 100.0))


def score(name, values, index, size=None):
    return DefinitionScore(name=name, scores=pd.Series(values, index=index, dtype=float), needs=(), note="", size=size)


def comparison(n_bootstrap=50):
    """Twelve accounts; biggest and mustnt_lose rank them identically; abc_a holds 5 accounts, k = 3."""
    idx = pd.Index([f"a{i}" for i in range(12)], name="customer_id")
    rng = np.random.default_rng(7)
    outcomes = pd.DataFrame({"revenue": np.sort(rng.gamma(1.0, 100.0, 12))[::-1] + 1,
                             "profit": rng.normal(20.0, 30.0, 12)}, index=idx)
    rank = np.arange(12, 0, -1, dtype=float)
    scores = {"biggest": score("biggest", rank, idx), "mustnt_lose": score("mustnt_lose", rank, idx),
              "demanding": score("demanding", rng.permutation(12).astype(float), idx),
              "abc_a": score("abc_a", rank, idx, size=5),
              "oracle": score("oracle", outcomes["profit"].to_numpy(), idx)}
    return compare.compare_definitions(scores, outcomes, k=3, n_bootstrap=n_bootstrap, seed=1)


def decision():
    rows = [{"definition": d, "n_key": n, "net_gain": 1000 * (g * n - n ** 2), "low": 1000 * (g * n - n ** 2 - 50),
             "high": 1000 * (g * n - n ** 2 + 50)} for d, g in (("biggest", 20.0), ("oracle", 30.0))
            for n in range(1, 30)]
    curves = pd.DataFrame(rows)
    best = curves.loc[curves.groupby("definition")["net_gain"].idxmax()].set_index("definition")
    return SimpleNamespace(curves=curves, best=best, recommended="oracle", level=0.95)


def figures() -> dict[str, Figure]:
    """One figure of every public plot function, on small synthetic inputs."""
    rng = np.random.default_rng(3)
    n = 200
    idx = pd.Index([f"c{i}" for i in range(n)], name="customer_id")
    revenue = pd.Series(rng.lognormal(7, 1.2, n), index=idx)
    profit = pd.Series(rng.normal(500, 3000, n), index=idx)
    frame = pd.DataFrame({"duration_days": np.ceil(rng.exponential(10, 60)), "churned": rng.random(60) < 0.7,
                          "group": rng.choice(["key accounts", "other accounts"], 60)})
    tx = pd.DataFrame({"customer_id": ["a", "a", "b", "c"], "amount": [10.0, 4.0, 20.0, 8.0],
                       "date": pd.to_datetime(["2020-01-05", "2020-02-10", "2020-01-20", "2020-02-03"])})
    fit = sv.fit_sbg(sv.SBG_COHORTS["regular"], periods=7)
    by_frequency = pd.DataFrame({"accounts": [1200, 400, 90, 30, 12], "actual": [0.2, 0.9, 1.8, 2.6, 4.1],
                                 "predicted": [0.25, 0.8, 1.7, 2.9, 3.6]}, index=[0, 1, 2, 3, 4])
    by_group = pd.DataFrame({"predicted": [900.0, 400, 150, 60, 10], "actual": [700.0, 420, 140, 40, 12],
                             "share_with_no_purchase": [0.1, 0.2, 0.4, 0.6, 0.9]}, index=[1, 2, 3, 4, 5])
    small = pd.Index([f"s{i}" for i in range(10)], name="customer_id")
    summary = pd.DataFrame({"revenue": [900.0, 700, 50, 40, 300, 60, 80, 70, 200, 100],
                            "profit": [-50.0, 300, 20, 10, 100, 20, 30, 20, 60, 40]}, index=small)
    cv = pd.DataFrame({"periods": 12, "cv": np.linspace(0.1, 2, 10)}, index=small)
    matrix = abc_xyz_matrix(abc_classes(summary["revenue"]), xyz_classes(cv), summary["revenue"])
    types = key_client_types(summary, pd.DataFrame({"service_tickets": [40, 1, 2, 1, 2, 1, 1, 2, 1, 30]},
                                                   index=small)).table
    scatter = pd.DataFrame({"x": revenue, "y": profit})
    result = comparison()
    days = np.arange(0, 61)
    return {
        "pareto_curve": plots.pareto_curve(revenue, value_label="revenue"),
        "survival_curves": plots.survival_curves(sv.kaplan_meier_by(frame, "group"), marks=[7]),
        "cohort_heatmap": plots.cohort_heatmap(sv.cohort_table(tx, "M", observation_end="2020-02-29")),
        "sbg_projection": plots.sbg_projection(sv.project_sbg(fit, 12, sv.SBG_COHORTS["regular"])),
        "holdout_by_frequency": plots.holdout_by_frequency(by_frequency, window="39-week holdout"),
        "holdout_value_by_group": plots.holdout_value_by_group(by_group),
        "clv_concentration": plots.clv_concentration(lorenz_curve(revenue)),
        "margin_multiple_curves": plots.margin_multiple_curves(retention=0.8),
        "improvement_sensitivity": plots.improvement_sensitivity(100, 0.10, 200, retention=0.8),
        "payback_curve": plots.payback_curve(300, 50, 0.9),
        "channel_value_vs_cost": plots.channel_value_vs_cost(
            pd.DataFrame({"cost_per_install": [2.0, 5.0], "value_per_install": [3.0, 1.0]}, index=["ads", "search"])),
        "size_vs_profit": plots.size_vs_profit(revenue, profit),
        "demand_vs_profit": plots.demand_vs_profit(pd.Series(np.linspace(300, -200, 10), index=range(1, 11)), 120.0),
        "staff_hours_habit": plots.staff_hours_habit(pd.Series(rng.gamma(2, 10, n), index=idx), revenue, profit,
                                                     rho_past=0.6, rho_future=0.1),
        "oak_trees": plots.oak_trees(revenue, revenue * rng.lognormal(0, 1, n), pd.Series(rng.random(n) < 0.05, idx)),
        "referral_value_vs_profit": plots.referral_value_vs_profit(profit, revenue / 10),
        "uplift_distribution": plots.uplift_distribution(profit),
        "silence_vs_alive": plots.silence_vs_alive(pd.DataFrame({"share_alive": [0.9, 0.6, 0.3, 0.1],
                                                                 "accounts": [500, 300, 120, 40]},
                                                                index=pd.Index([0, 60, 120, 180], name="from_day"))),
        "retention_curve": plots.retention_curve(pd.DataFrame({"ads": 0.5 * np.exp(-days / 10) + 0.01,
                                                               "search": 0.6 * np.exp(-days / 15) + 0.02},
                                                              index=days)),
        "abc_xyz_heatmap": plots.abc_xyz_heatmap(matrix),
        "key_client_type_profile": plots.key_client_type_profile(types, summary[["revenue", "profit"]]),
        "gain_curves": plots.gain_curves(result),
        "overlap_heatmap": plots.overlap_heatmap(result),
        "capture_bars": plots.capture_bars(result),
        "key_account_scatter": plots.key_account_scatter(
            scatter, "x", "y", idx[:10], xlabel="revenue (currency units)", ylabel="profit (currency units)",
            title="biggest: revenue against profit"),
        "weight_sensitivity_histogram": plots.weight_sensitivity_histogram(
            pd.DataFrame({"turnover": rng.uniform(0, 0.3, 100)})),
        "net_gain_curves": plots.net_gain_curves(decision()),
    }


def numeric(axis) -> bool:
    """Whether an axis shows a quantity (its tick labels are numbers), not categories."""
    axis.figure.canvas.draw() if hasattr(axis.figure.canvas, "draw") else None
    texts = [t.get_text().replace("$", "").replace("\\mathdefault{", "").replace("}", "").replace("^", "e")
             for t in axis.get_ticklabels() if t.get_text()]
    return bool(texts) and all(NUMBER.match(t) for t in texts)


@pytest.fixture(scope="module")
def drawn():
    return figures()


def test_every_public_figure_function_is_checked(drawn):
    public = {name for name in dir(plots) if callable(getattr(plots, name)) and not name.startswith("_")
              and getattr(getattr(plots, name), "__annotations__", {}).get("return") in ("Figure", Figure)}
    assert public and public <= set(drawn), sorted(public - set(drawn))


NAMES = [
    "pareto_curve", "survival_curves", "cohort_heatmap", "sbg_projection", "holdout_by_frequency",
    "holdout_value_by_group", "clv_concentration", "margin_multiple_curves", "improvement_sensitivity",
    "payback_curve", "channel_value_vs_cost", "size_vs_profit", "demand_vs_profit", "staff_hours_habit",
    "oak_trees", "referral_value_vs_profit", "uplift_distribution", "silence_vs_alive", "retention_curve",
    "abc_xyz_heatmap", "key_client_type_profile", "gain_curves", "overlap_heatmap", "capture_bars",
    "key_account_scatter", "weight_sensitivity_histogram", "net_gain_curves"]


def test_every_figure_is_in_the_parametrised_list(drawn):
    assert sorted(NAMES) == sorted(drawn)


@pytest.mark.parametrize("name", NAMES)
def test_house_style(drawn, name):
    fig = drawn[name]
    assert isinstance(fig, Figure)
    axes = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]
    assert fig.get_suptitle() or all(ax.get_title() for ax in axes[:1]), name
    for ax in axes:
        for axis, label in ((ax.xaxis, ax.get_xlabel()), (ax.yaxis, ax.get_ylabel())):
            label = label or (ax is not axes[0] and (axes[0].xaxis if axis is ax.xaxis else axes[0].yaxis)
                              .get_label().get_text())
            assert label, (name, "an axis without a label")
            assert "$" not in label, (name, label)
            if numeric(axis):   # a quantity: its unit in brackets or words
                assert UNIT.search(label), (name, label)
    assert style.notebook_width_px(fig, notebook_dpi()) >= MIN_PX, name
    assert style.text_problems(fig) == [], name
    assert style.legend_problems(fig) == [], name


def test_minimum_width_is_a_house_constant():
    fig, _ = style.new_figure((3.0, 3.0))
    assert fig.get_figwidth() == style.MIN_WIDTH_IN
    assert style.MIN_WIDTH_IN * notebook_dpi() >= MIN_PX
    few = SimpleNamespace(overlap=pd.DataFrame(1.0, index=["a", "b"], columns=["a", "b"]))
    assert style.notebook_width_px(plots.overlap_heatmap(few), notebook_dpi()) >= MIN_PX


def test_legend_problems_sees_a_legend_over_points():
    fig, ax = style.new_figure((7.2, 4))
    ax.scatter(np.linspace(0, 1, 40), np.full(40, 0.95), label="points along the top")
    ax.set_ylim(0, 1)
    ax.legend(loc="upper center")
    assert style.legend_problems(fig)
    ax.get_legend().remove()
    style.legend_outside(ax, where="below")
    assert style.legend_problems(fig) == []


def test_capture_bars_draw_a_baseline_of_another_size_apart(drawn):
    result = comparison()
    ax = drawn["capture_bars"].axes[0]
    ticks = {t.get_text(): t.get_position()[1] for t in ax.get_yticklabels()}
    n_abc = int(result.table.set_index("definition").loc["abc_a", "n_key"])
    (abc_label,) = [t for t in ticks if t.startswith("abc_a")]
    assert f"{n_abc:,} accounts" in abc_label and n_abc != result.k
    k_sized = sorted(y for t, y in ticks.items() if not t.startswith("abc_a"))
    gaps = np.diff(k_sized)
    assert abs(ticks[abc_label] - min(k_sized)) > gaps.max() * 1.5   # a gap separates it from the k-sized bars
    bars = {round(p.get_y() + p.get_height() / 2, 6): p for p in ax.patches}
    assert bars[round(ticks[abc_label], 6)].get_hatch() and not bars[round(k_sized[0], 6)].get_hatch()
    legend_text = " ".join(t.get_text() for legend in drawn["capture_bars"].legends for t in legend.get_texts())
    assert "different number of accounts" in legend_text


def test_gain_curves_name_identical_curves_and_key_sets(drawn):
    texts = [t.get_text() for legend in drawn["gain_curves"].legends for t in legend.get_texts()]
    assert "biggest = mustnt_lose (identical curves)" in texts
    assert not any(t in ("biggest", "mustnt_lose") for t in texts)   # drawn once, named both
    titles = [legend.get_title().get_text() for legend in drawn["gain_curves"].legends]
    assert any("biggest = mustnt_lose" in t for t in titles)
    assert plots.identical_key_sets(comparison(0)) == [("biggest", "mustnt_lose")]


def test_gain_curves_without_identical_sets_have_no_note():
    result = comparison(0)
    fig = plots.gain_curves(SimpleNamespace(**{**vars(result), "gains": result.gains[
        result.gains["definition"] != "mustnt_lose"], "overlap": result.overlap.drop(
        index="mustnt_lose", columns="mustnt_lose")}))
    assert not any(legend.get_title().get_text() for legend in fig.legends)
    assert not any("identical" in t.get_text() for legend in fig.legends for t in legend.get_texts())


def test_overlap_heatmap_colour_bar_label_clear_of_the_title(drawn):
    fig = drawn["overlap_heatmap"]
    assert style.text_problems(fig) == []
    (bar,) = [ax for ax in fig.axes if ax.get_label() == "<colorbar>"]
    assert "Jaccard" in bar.get_ylabel() or "Jaccard" in bar.get_xlabel()


def test_holdout_chart_puts_counts_in_readable_tick_labels(drawn):
    ax = drawn["holdout_by_frequency"].axes[0]
    assert not [t for t in ax.texts if t.get_text().startswith("n=")]     # no tiny grey labels under markers
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert "1,200" in labels[0] and labels[-1].startswith("4+")


def test_scatter_takes_a_log_scale_when_one_account_squashes_the_rest():
    idx = pd.Index([f"c{i}" for i in range(50)])
    frame = pd.DataFrame({"x": np.linspace(1, 50, 50), "y": np.r_[np.linspace(-20, 40, 49), 20000.0]}, index=idx)
    ax = plots.key_account_scatter(frame, "x", "y", idx[-3:], xlabel="predicted (currency units)",
                                   ylabel="actual (currency units)", title="t", diagonal=True).axes[0]
    assert ax.get_yscale() == "symlog" and ax.get_xscale() == "linear" and "log" in ax.get_ylabel()
    even = frame.assign(y=np.linspace(-20, 40, 50))
    ax = plots.key_account_scatter(even, "x", "y", idx[-3:], xlabel="x (count)", ylabel="y (count)",
                                   title="t").axes[0]
    assert ax.get_yscale() == "linear" and "log" not in ax.get_ylabel()


def test_money_axes_name_the_dataset_currency():
    table = pd.DataFrame({"predicted": [9.0, 4.0], "actual": [7.0, 4.0], "share_with_no_purchase": [0.1, 0.5]})
    for fig in (plots.holdout_value_by_group(table, currency="EUR"), plots.payback_curve(300, 50, 0.9, currency="EUR"),
                plots.channel_value_vs_cost(pd.DataFrame({"cost_per_install": [2.0], "value_per_install": [3.0]}),
                                            currency="EUR")):
        assert "(EUR" in fig.axes[0].get_ylabel()
    assert "(currency units" in plots.holdout_value_by_group(table).axes[0].get_ylabel()


def test_text_problems_skip_the_hidden_x_axis_of_a_twin():
    fig, ax = style.new_figure((7.2, 4))
    ax.bar([0, 1, 2], [3, 2, 1])
    ax.set_xticks([0, 1, 2], ["1", "2", "3"])
    ax.twinx().plot([0, 1, 2], [10, 50, 90])
    style.label_axes(ax, title="t", xlabel="group (rank)", ylabel="revenue (currency units)")
    assert style.text_problems(fig) == []
    ax.text(0, 3, "one note")
    ax.text(0, 3, "one note")
    assert style.text_problems(fig) == ["'one note' overlaps 'one note'"]


def test_legend_problems_sees_a_legend_on_the_title():
    fig, ax = style.new_figure((7.2, 4))
    ax.plot([0, 1], [0, 1], label="a line with a long enough label to reach the title")
    style.label_axes(ax, title="a title in the middle", xlabel="x (days)", ylabel="y (count)")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 0.98))
    assert any("title" in p for p in style.legend_problems(fig))


def test_net_gain_legend_sits_clear_of_the_title_and_money_ticks_are_compact(drawn):
    fig = drawn["net_gain_curves"]
    assert style.legend_problems(fig) == []
    ax = fig.axes[0]
    fig.canvas.draw()
    ticks = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert ticks and not any(re.search(r"\d{4}", t) for t in ticks), ticks   # 100k, not 100000
