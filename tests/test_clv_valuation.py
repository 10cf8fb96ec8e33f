"""kamlab.clv.fit_value_model / predicted_value: the models that fit, chosen and named."""

import numpy as np
import pandas as pd
import pytest

import lifetimes  # noqa: F401  (imported first: its import warns about a pandas option, not about these fits)

from kamlab import clv, datasets, rfm


@pytest.fixture(scope="module")
def cdnow_calhold():
    ds = datasets.load("cdnow_sample")
    return rfm.calibration_holdout(ds.transactions, ds.calibration_end, ds.observation_end,
                                   freq="D", freq_multiplier=7)


def test_cdnow_chooses_bgnbd_and_gamma_gamma(cdnow_calhold):
    model = clv.fit_value_model(cdnow_calhold)
    # BG/NBD has the higher likelihood on CDNOW (-9582.4 against Pareto/NBD's -9595.0)
    assert model.purchase_model == "BG/NBD" and model.purchases.name == "bgnbd"
    assert model.spend_model == "Gamma-Gamma" and isinstance(model.spend, clv.FittedModel)
    assert model.note.startswith("Purchases: BG/NBD") and "Gamma-Gamma" in model.note
    table = model.table()
    assert table.index.tolist() == ["NBD", "BG/NBD", "Pareto/NBD"] and table["chosen"].sum() == 1
    assert (table.loc[["BG/NBD", "Pareto/NBD"], "gain_over_nbd"] > 2).all()
    # predicted_value is discounted_clv with the chosen models
    value = clv.predicted_value(model, cdnow_calhold, horizon=52)
    expected = clv.discounted_clv(clv.fit_bgnbd(cdnow_calhold), clv.fit_gamma_gamma(cdnow_calhold), cdnow_calhold,
                                  horizon=52, periods_per_year=52, annual_discount_rate=0.10)
    np.testing.assert_allclose(value, expected, rtol=1e-10)


def _heavy_tailed(n, rng):
    """NBD purchases; spend per purchase from the Gamma-Gamma story with q = 0.6 <= 1 (z ~ Gamma(4, nu),
    nu ~ Gamma(0.6, 10): the mean spend across accounts, p v / (q - 1), is infinite)."""
    T = rng.integers(52, 105, n).astype(float)
    x = rng.poisson(rng.gamma(1.0, 1 / 5.0, n) * T)
    recency = np.where(x > 0, T * rng.beta(np.maximum(x, 1), 1), 0.0)
    nu = rng.gamma(0.6, 1 / 10.0, n)
    spend = [rng.gamma(4.0, 1 / v, k + 1) for k, v in zip(x, nu)]
    return pd.DataFrame({
        "frequency": x, "recency": recency, "T": T,
        "monetary_value": [s[1:].mean() if len(s) > 1 else 0.0 for s in spend],
        "revenue": [s.sum() for s in spend],
    }, index=[f"c{i}" for i in range(n)])


def test_heavy_tailed_spend_falls_back_to_own_mean_and_says_so():
    data = _heavy_tailed(3000, np.random.default_rng(3))
    model = clv.fit_value_model(data)
    assert model.spend_fit is not None and model.spend_fit.params["q"] <= 1
    assert model.spend_model == "own mean spend" and "q = " in model.note and "<= 1" in model.note
    np.testing.assert_allclose(model.spend, data["revenue"] / (data["frequency"] + 1))
    value = clv.predicted_value(model, data, horizon=52)
    assert np.isfinite(value.to_numpy()).all() and (value >= 0).all()
    with pytest.raises(ValueError, match="q = .* <= 1"):  # Gamma-Gamma itself cannot value them
        clv.expected_spend(model.spend_fit, data)


def test_no_repeat_buyer_falls_back_to_own_mean():
    data = pd.DataFrame({"frequency": [0, 0, 0, 1], "recency": [0.0, 0, 0, 3], "T": [10.0, 12, 8, 9],
                         "monetary_value": [0.0, 0, 0, 5.0], "revenue": [20.0, 30.0, 5.0, 12.0]},
                        index=list("abcd"))
    model = clv.fit_value_model(data)
    assert model.spend_model == "own mean spend" and "too few for Gamma-Gamma" in model.note
    assert model.spend_fit is None
    assert np.isfinite(clv.predicted_value(model, data, horizon=10).to_numpy()).all()


def test_value_model_needs_revenue():
    s = datasets.load("cdnow_summary").summary
    with pytest.raises(KeyError, match="revenue"):
        clv.fit_value_model(s.assign(monetary_value=1.0))


def test_account_values_table(cdnow_calhold):
    model = clv.fit_value_model(cdnow_calhold)
    table = clv.account_values(model, cdnow_calhold, horizon=52, margin=0.3)
    assert list(table.columns) == ["frequency", "recency", "T", "mean_spend", "p_alive", "expected_purchases",
                                   "expected_spend", "clv"]
    assert table["clv"].is_monotonic_decreasing and set(table.index) == set(cdnow_calhold.index)
    np.testing.assert_allclose(table["clv"], 0.3 * clv.predicted_value(model, cdnow_calhold, horizon=52)[table.index])


def test_holdout_value_check_takes_own_mean_spend(cdnow_calhold):
    bg = clv.fit_bgnbd(cdnow_calhold)
    own = clv.own_mean_spend(cdnow_calhold)
    table = clv.holdout_value_check(bg, own, cdnow_calhold, groups=4)
    predicted = clv.holdout_check(bg, cdnow_calhold).accounts["predicted"] * own
    assert (table["predicted"] * table["accounts"]).sum() == pytest.approx(predicted.sum())


EDGE_CASES = {
    "all one-time buyers": ([0] * 50, [0.0] * 50, list(np.linspace(5, 50, 50))),
    "one account": ([3], [10.0], [20.0]),
    "identical histories": ([2] * 100, [8.0] * 100, [10.0] * 100),
    "all bought at the end": ([1, 2, 3, 4] * 15, [30.0] * 60, [30.0] * 60),
}


@pytest.mark.parametrize("case", list(EDGE_CASES))
def test_degenerate_summaries_get_a_value_model_without_a_warning(case):
    import warnings

    x, tx, T = EDGE_CASES[case]
    s = pd.DataFrame({"frequency": x, "recency": tx, "T": T}, index=[f"a{i}" for i in range(len(x))])
    s["monetary_value"] = np.where(s["frequency"] > 0, 20.0, 0.0)
    s["revenue"] = 20.0 * (s["frequency"] + 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = clv.fit_value_model(s)
        value = clv.predicted_value(model, s, horizon=10)
    assert model.purchase_model == "NBD" and model.spend_model == "own mean spend"  # nothing to detect
    assert np.isfinite(value.to_numpy()).all() and (value >= 0).all()
