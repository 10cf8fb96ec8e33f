"""kamlab.clv on data without detectable dropout: fits end at the maximum or at the NBD limit, and say so.

Data simulated here (not with lifetimes' generators): an NBD world (Poisson
purchases at gamma-distributed rates, nobody drops out) and a BG/NBD world
with very little dropout (p ~ Beta(0.02, 200): one account in ten thousand
drops out per purchase on average), 10,000 accounts each.
"""

import functools
import warnings

import numpy as np
import pandas as pd
import pytest

import lifetimes
from kamlab import clv, datasets

N = 10_000


def simulate_nbd(n, r, alpha, rng):
    """NBD: Poisson purchases at rate lambda ~ Gamma(r, alpha) over (0, T]; no dropout."""
    T = rng.integers(104, 209, n).astype(float)
    lam = rng.gamma(r, 1 / alpha, n)
    x = rng.poisson(lam * T)
    recency = np.where(x > 0, T * rng.beta(np.maximum(x, 1), 1), 0.0)  # the last of x uniform times
    return pd.DataFrame({"frequency": x, "recency": recency, "T": T})


def simulate_bgnbd(n, r, alpha, a, b, rng):
    """BG/NBD: as NBD, but after each repeat purchase the account drops out with p ~ Beta(a, b)."""
    T = rng.integers(104, 209, n).astype(float)
    lam = rng.gamma(r, 1 / alpha, n)
    arrivals = rng.poisson(lam * T)
    x = np.minimum(arrivals, rng.geometric(rng.beta(a, b, n)))
    recency = np.where(x > 0, T * rng.beta(np.maximum(x, 1), arrivals - x + 1), 0.0)
    return pd.DataFrame({"frequency": x, "recency": recency, "T": T})


DATA = {
    "no dropout": lambda: simulate_nbd(N, 2.0, 10.0, np.random.default_rng(0)),
    "very little dropout": lambda: simulate_bgnbd(N, 2.0, 10.0, 0.02, 200.0, np.random.default_rng(1)),
}
FITS = {"bgnbd": clv.fit_bgnbd, "pareto_nbd": clv.fit_pareto_nbd, "mbgnbd": clv.fit_mbgnbd}


@functools.lru_cache(maxsize=None)
def fitted(label):
    data = DATA[label]()
    return label, data, clv.fit_nbd(data), {name: fit(data) for name, fit in FITS.items()}


@pytest.fixture(scope="module", params=list(DATA))
def world(request):
    return fitted(request.param)


def test_fits_reach_the_nbd_maximum_and_predict_finite_values(world):
    label, data, nbd, fits = world
    for name, fit in fits.items():
        assert fit.log_likelihood >= nbd.log_likelihood - 1e-6, (label, name, fit.diagnostics)
        d = fit.diagnostics
        assert d.nested_log_likelihood == pytest.approx(nbd.log_likelihood, abs=1e-6)
        if fit.reduces_to == "nbd":
            assert abs(fit.log_likelihood - nbd.log_likelihood) <= 1e-6
            assert d.bound_active and d.note.startswith("no detectable dropout")
            assert "reduces to NBD" in d.note
        for values in (clv.expected_purchases(fit, data, 52), clv.probability_alive(fit, data)):
            assert np.isfinite(values.to_numpy()).all(), (label, name)
        assert (clv.probability_alive(fit, data).between(0, 1)).all()


def test_no_dropout_reduces_bgnbd_to_nbd_and_predicts_with_nbd():
    label, data, nbd, fits = fitted("no dropout")
    bg = fits["bgnbd"]
    assert bg.reduces_to == "nbd" and bg.model is None
    assert (bg.params["a"], bg.params["b"]) == (0.0, np.inf)
    np.testing.assert_allclose(bg.params[["r", "alpha"]], nbd.params, rtol=1e-12)
    np.testing.assert_allclose(clv.expected_purchases(bg, data, 52), clv.expected_purchases(nbd, data, 52))
    assert (clv.probability_alive(bg, data) == 1.0).all()


def test_value_model_on_no_dropout_data_is_nbd_and_says_why():
    data = DATA["no dropout"]()
    rng = np.random.default_rng(2)
    data = data.assign(monetary_value=np.where(data["frequency"] > 0, rng.gamma(2.0, 20.0, N), 0.0))
    data["revenue"] = data["monetary_value"] * (data["frequency"] + 1)
    model = clv.fit_value_model(data)
    assert model.purchase_model == "NBD" and model.purchases.name == "nbd"
    assert "no detectable dropout" in model.note or "AIC" in model.note
    value = clv.predicted_value(model, data, horizon=52)
    assert np.isfinite(value.to_numpy()).all() and (value >= 0).all()


def test_compressed_and_full_fits_reach_the_same_optimum():
    data = DATA["no dropout"]().iloc[:3000]
    for fit in (clv.fit_bgnbd, clv.fit_pareto_nbd, clv.fit_nbd):
        small, full = fit(data, compressed=True), fit(data, compressed=False)
        assert small.n_patterns < full.n_patterns == len(data)
        assert small.log_likelihood == pytest.approx(full.log_likelihood, abs=1e-6)
        np.testing.assert_allclose(small.params[["r", "alpha"]], full.params[["r", "alpha"]], rtol=1e-5)
        assert small.reduces_to == full.reduces_to


def test_nbd_likelihood_is_the_bgnbd_limit_in_lifetimes():
    # our hand-written NBD likelihood against lifetimes' BG/NBD likelihood at a -> 0
    s = datasets.load("cdnow_summary").summary
    nbd = clv.fit_nbd(s)
    x, tx, T = (s[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T"))
    r, alpha = nbd.params
    w = np.ones(len(s))
    with np.errstate(all="ignore"):
        bg = -lifetimes.BetaGeoFitter._negative_log_likelihood(np.log([r, alpha, 1e-30, 1.0]), x, tx, T, w, 0.0) * len(s)
    assert bg == pytest.approx(nbd.log_likelihood, abs=1e-6)
    limit = lifetimes.BetaGeoFitter()
    limit.params_ = pd.Series({"r": r, "alpha": alpha, "a": 1e-30, "b": 1.0})
    with np.errstate(all="ignore"):
        oracle = limit.conditional_expected_number_of_purchases_up_to_time(39, x, tx, T)
    finite = np.isfinite(oracle)  # lifetimes' closed form breaks down for some histories this close to a = 0
    assert finite.sum() >= 500
    np.testing.assert_allclose(clv.expected_purchases(nbd, s, 39)[finite], oracle[finite], rtol=1e-8)
    assert nbd.diagnostics.gradient_norm < 1e-3 and not nbd.diagnostics.bound_active


def test_pareto_nbd_does_not_stop_short_where_lifetimes_does():
    # lifetimes' optimiser from r = alpha = s = beta = 1 ends below the NBD maximum on these data
    data = DATA["no dropout"]()
    x, tx, T = (data[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T"))
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        alone = lifetimes.ParetoNBDFitter().fit(x, tx, T, initial_params=np.ones(4), tol=1e-6, fit_method="BFGS")
    nll = -np.sum(lifetimes.ParetoNBDFitter._conditional_log_likelihood(alone.params_.to_numpy(), x, tx, T))
    nbd = clv.fit_nbd(data).log_likelihood
    assert -nll < nbd - 1e-3  # lifetimes alone stops short of the nested maximum
    ours = clv.fit_pareto_nbd(data)
    assert ours.log_likelihood >= nbd - 1e-6
    # kamlab's first fit from lifetimes' start does not end at the maximum either (it stops short or runs
    # off towards s -> 0): the search from several starts takes over, and says so
    d = ours.diagnostics
    assert ("stopped short" in d.optimiser or "found no valid maximum" in d.optimiser) and len(d.starts) > 1
    assert ours.reduces_to == "nbd"


def test_tiny_data_never_raise_and_stay_quiet(capsys):
    # 15 accounts with three histories: lifetimes prints its optimiser state and raises
    # ConvergenceError; kamlab returns the maximum it finds, says where it is, and prints nothing.
    tiny = pd.DataFrame({"frequency": [0, 1, 3] * 5, "recency": [0.0, 0.0, 3.0] * 5, "T": [2.0, 2.0, 3.0] * 5})
    nbd = clv.fit_nbd(tiny)
    for fit in FITS.values():
        m = fit(tiny)
        assert m.log_likelihood >= nbd.log_likelihood - 1e-6
        assert isinstance(m.diagnostics, clv.FitDiagnostics) and m.diagnostics.note
        assert np.isfinite(clv.expected_purchases(m, tiny, 4).to_numpy()).all()
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("name", ["bgnbd", "mbgnbd", "pareto_nbd"])
def test_stable_expectations_equal_lifetimes_where_both_work(name):
    # the fallback used near the boundaries, P(alive) * E[X | alive], against lifetimes' closed form
    from kamlab.clv.expectations import beta_geo_alive_purchases, pareto_alive_purchases

    x, tx, T = np.array([0, 1, 3, 10.0]), np.array([0, 0.5, 3, 20.0]), np.array([2, 2, 3, 30.0])
    values = (0.55, 10.0, 0.6, 11.0) if name == "pareto_nbd" else (0.5, 4.0, 0.8, 2.4)
    cls = {"bgnbd": lifetimes.BetaGeoFitter, "mbgnbd": lifetimes.ModifiedBetaGeoFitter,
           "pareto_nbd": lifetimes.ParetoNBDFitter}[name]
    model = cls()
    model.params_ = pd.Series(dict(zip(("r", "alpha", "s", "beta") if name == "pareto_nbd" else ("r", "alpha", "a", "b"),
                                       values)))
    given = (pareto_alive_purchases(39, x, T, *values) if name == "pareto_nbd"
             else beta_geo_alive_purchases(39, x, T, *values, extra=int(name == "mbgnbd")))
    np.testing.assert_allclose(model.conditional_probability_alive(x, tx, T) * given,
                               model.conditional_expected_number_of_purchases_up_to_time(39, x, tx, T), rtol=1e-7)


def test_every_fit_carries_diagnostics():
    s = datasets.load("cdnow_summary").summary
    for fit in (clv.fit_bgnbd(s), clv.fit_pareto_nbd(s), clv.fit_mbgnbd(s), clv.fit_nbd(s)):
        d = fit.diagnostics
        assert d.gradient_norm < 1e-2 and not d.bound_active and d.reduces_to is None
        assert d.optimiser and len(d.starts) >= 1
        assert d.nested_log_likelihood < fit.log_likelihood or fit.name == "nbd"
        with pytest.raises(AttributeError):
            d.note = "changed"  # frozen
    bb = clv.fit_bgbb(datasets.load("donations").summary)
    assert bb.diagnostics.gradient_norm < 1e-2 and np.isnan(bb.diagnostics.nested_log_likelihood)
    penalised = clv.fit_bgnbd(s, penalizer=0.001)  # another objective: kept as lifetimes gives it, and said so
    assert "penalised fit" in penalised.diagnostics.note and penalised.reduces_to is None


def test_holdout_and_clv_with_the_no_dropout_limit():
    label, data, nbd, fits = fitted("no dropout")
    bg = fits["bgnbd"]
    calhold = data.add_suffix("_cal").assign(duration_holdout=26.0, frequency_holdout=1.0)
    check = clv.holdout_check(bg, calhold)
    np.testing.assert_allclose(check.accounts["predicted"], (nbd.params["r"] + data["frequency"])
                               / (nbd.params["alpha"] + data["T"]) * 26.0, rtol=1e-12)
    spend = pd.Series(10.0, index=data.index)
    value = clv.discounted_clv(bg, spend, data, horizon=52, periods_per_year=52, annual_discount_rate=0.0)
    # undiscounted: spend times expected purchases over the horizon
    np.testing.assert_allclose(value, 10.0 * clv.expected_purchases(bg, data, 52), rtol=1e-10)
