"""kamlab's own likelihoods (BG/NBD, Gamma-Gamma, Pareto/NBD) and predictions against lifetimes' (the oracle).

Values and gradients at several parameter points, on the published CDNOW
patterns and on simulated ones; the fits built on them against lifetimes' own
fits of the same compressed patterns; the pattern machinery they stand on.
"""

import warnings

import autograd
import numpy as np
import pandas as pd
import pytest

import lifetimes
from kamlab import clv, datasets
from kamlab.clv.fitting import numerical_standard_errors
from kamlab.clv.likelihoods import bgnbd_log_likelihood, bgnbd_objective, gamma_gamma_objective
from kamlab.clv.pareto import pareto_alive, pareto_expected_purchases, pareto_log_likelihood, pareto_objective
from kamlab.clv.patterns import Patterns, distinct, distinct_rows


def _arrays(summary):
    c = clv.compress(summary)
    return (c["frequency"].to_numpy().astype(int), c["recency"].to_numpy(dtype=float),
            c["T"].to_numpy(dtype=float), c["weights"].to_numpy(dtype=float))


def _simulated(n=5_000, seed=4):
    """Pareto/NBD histories in days (many distinct recencies), our own simulation."""
    rng = np.random.default_rng(seed)
    T = rng.integers(30, 500, n).astype(float)
    active = np.minimum(rng.exponential(1 / rng.gamma(0.7, 1 / 60.0, n)), T)
    x = rng.poisson(rng.gamma(0.8, 1 / 20.0, n) * active)
    recency = np.where(x > 0, np.round(active * rng.beta(np.maximum(x, 1), 1)), 0.0)
    return pd.DataFrame({"frequency": x, "recency": recency, "T": T})


@pytest.fixture(scope="module", params=["cdnow", "simulated"])
def patterns(request):
    s = datasets.load("cdnow_summary").summary if request.param == "cdnow" else _simulated()
    return _arrays(s)


BGNBD_POINTS = [(0.243, 4.414, 0.793, 2.426), (0.2, 3.0, 0.01, 50.0), (2.0, 40.0, 3.0, 1.5), (1.0, 0.3, 0.5, 0.9)]
PARETO_POINTS = [(0.553, 10.58, 0.606, 11.67),   # alpha < beta
                 (1.04, 22.37, 0.658, 80.19), (2.0, 5.0, 1.0, 3.0),  # alpha >= beta, and s = 1
                 (0.3, 50.0, 3.0, 10.0), (1.0, 1.0, 1.0, 1.0), (5.0, 200.0, 0.05, 0.5)]


@pytest.mark.parametrize("params", BGNBD_POINTS)
def test_bgnbd_value_and_gradient_equal_lifetimes(patterns, params):
    x, tx, T, w = patterns
    theta = np.log(params)
    ours, slope = bgnbd_objective(Patterns.of(x, tx, T, w)).value_and_grad(theta)

    def oracle(lp):
        return lifetimes.BetaGeoFitter._negative_log_likelihood(lp, x, tx, T, w, 0.0) * w.sum()

    assert ours == pytest.approx(oracle(theta), rel=1e-12)
    np.testing.assert_allclose(slope, autograd.grad(oracle)(theta), rtol=1e-8, atol=1e-8 * np.abs(slope).max())
    per_account = lifetimes.BetaGeoFitter._negative_log_likelihood(theta, x, tx, T, np.ones(len(x)), 0.0) * len(x)
    assert -bgnbd_log_likelihood(params, x, tx, T).sum() == pytest.approx(per_account, rel=1e-12)


@pytest.mark.parametrize("params", [(6.25, 3.74, 15.44), (0.5, 10.0, 2.0), (20.0, 1.2, 100.0)])
def test_gamma_gamma_value_and_gradient_equal_lifetimes(params):
    rng = np.random.default_rng(2)
    x = rng.integers(1, 30, 4_000).astype(float)
    m = rng.gamma(3.0, 12.0, 4_000).round(2) + 0.01
    w = rng.integers(1, 5, 4_000).astype(float)
    theta = np.log(params)
    ours, slope = gamma_gamma_objective(x, m, w).value_and_grad(theta)

    def oracle(lp):
        return lifetimes.GammaGammaFitter._negative_log_likelihood(lp, x, m, w, 0.0) * w.sum()

    assert ours == pytest.approx(oracle(theta), rel=1e-12)
    np.testing.assert_allclose(slope, autograd.grad(oracle)(theta), rtol=1e-8, atol=1e-8 * np.abs(slope).max())


@pytest.mark.parametrize("params", PARETO_POINTS)
def test_pareto_likelihood_equals_lifetimes(patterns, params):
    x, tx, T, w = patterns
    p = Patterns.of(x, tx, T, w)
    with np.errstate(all="ignore"):
        oracle = lifetimes.ParetoNBDFitter._conditional_log_likelihood(params, x, tx, T)
    ours = pareto_log_likelihood(params, p)
    assert np.isfinite(oracle).all() and np.isfinite(ours).all()
    np.testing.assert_allclose(ours, oracle, rtol=1e-8)
    assert pareto_objective(p).value(np.log(params)) == pytest.approx(-np.sum(w * oracle), rel=1e-10)


@pytest.mark.parametrize("params", PARETO_POINTS)
def test_pareto_alive_and_expected_purchases_equal_lifetimes(patterns, params):
    x, tx, T, w = patterns
    model = lifetimes.ParetoNBDFitter()
    model.params_ = pd.Series(params, index=["r", "alpha", "s", "beta"])
    p = Patterns.of(x, tx, T, w)
    with np.errstate(all="ignore"):
        alive = model.conditional_probability_alive(x, tx, T)
        expected = [model.conditional_expected_number_of_purchases_up_to_time(t, x, tx, T) for t in (4.0, 39.0)]
    np.testing.assert_allclose(pareto_alive(params, p), alive, rtol=1e-10)
    ours = pareto_expected_purchases(params, p, (4.0, 39.0))
    for mine, theirs in zip(ours, expected):
        assert np.isfinite(mine).all()
        if params[2] == 1.0:  # lifetimes' closed form divides 0 by 0 at s = 1: the limit, finite and positive
            assert np.isnan(theirs).all() and (mine > 0).all()
        else:
            np.testing.assert_allclose(mine, theirs, rtol=1e-10)


def test_pareto_published_fit_and_predictions_through_the_public_api():
    s = datasets.load("cdnow_summary").summary
    fit = clv.fit_pareto_nbd(s)
    oracle = lifetimes.ParetoNBDFitter()
    oracle.params_ = fit.params.copy()
    x, tx, T = s["frequency"], s["recency"], s["T"]
    np.testing.assert_allclose(clv.expected_purchases(fit, s, 39),
                               oracle.conditional_expected_number_of_purchases_up_to_time(39, x, tx, T), rtol=1e-10)
    np.testing.assert_allclose(clv.probability_alive(fit, s), oracle.conditional_probability_alive(x, tx, T),
                               rtol=1e-10)
    # the maximum is at least as high as lifetimes' own BFGS reaches from r = alpha = s = beta = 1
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        alone = lifetimes.ParetoNBDFitter().fit(x, tx, T, initial_params=np.ones(4), tol=1e-6, fit_method="BFGS")
    theirs = np.sum(lifetimes.ParetoNBDFitter._conditional_log_likelihood(alone.params_.to_numpy(), x, tx, T))
    assert fit.log_likelihood >= theirs - 1e-9
    np.testing.assert_allclose(fit.params, alone.params_, rtol=1e-5)


def _daily_with_spend(n, seed):
    """Pareto/NBD histories in whole days with CDNOW-like weekly rates, and a gamma spend per repeat buyer."""
    rng = np.random.default_rng(seed)
    T = rng.integers(182, 548, n).astype(float)
    active = np.minimum(rng.exponential(1 / rng.gamma(0.6, 1 / 11.7, n)), T / 7)
    x = rng.poisson(rng.gamma(0.55, 1 / 4.4, n) * active)
    days = np.floor(np.where(x > 0, active * rng.beta(np.maximum(x, 1), 1), 0.0) * 7)
    x = np.minimum(x, days.astype(int))
    return pd.DataFrame({"frequency": x, "recency": np.where(x > 0, days, 0.0), "T": T,
                         "monetary_value": np.where(x > 0, rng.gamma(4.0, 10.0, n), 0.0)})


@pytest.mark.parametrize("data", ["small", "large"])
@pytest.mark.parametrize("name", ["bgnbd", "gamma_gamma"])
def test_fits_equal_lifetimes_own_fit_of_the_same_patterns(name, data):
    # lifetimes' method (BFGS from its start, its tolerance) on kamlab's likelihood reaches lifetimes' estimate;
    # on the large sample a likelihood summed less precisely than lifetimes' (large sums that cancel) made
    # BFGS stop with "precision loss" just short of lifetimes' point
    s = _daily_with_spend(3_000, 9) if data == "small" else _daily_with_spend(100_000, 0)
    if name == "bgnbd":
        ours, (x, tx, T, w) = clv.fit_bgnbd(s), _arrays(s)
        theirs = lifetimes.BetaGeoFitter().fit(x, tx, T, weights=w)
    else:
        ours = clv.fit_gamma_gamma(s)
        c = clv.compress(s[s["frequency"] > 0], ("frequency", "monetary_value"))
        theirs = lifetimes.GammaGammaFitter().fit(c["frequency"], c["monetary_value"], weights=c["weights"])
    np.testing.assert_allclose(ours.params, theirs.params_, rtol=1e-8)
    np.testing.assert_allclose(ours.standard_errors, theirs.standard_errors_, rtol=1e-6)
    assert ours.diagnostics.optimiser == "BFGS as lifetimes runs it, on kamlab's likelihood"


def test_numerical_standard_errors_do_not_depend_on_roundoff():
    # the same Hessian of two implementations of one likelihood (lifetimes', kamlab's) at one point
    s = datasets.load("cdnow_summary").summary
    x, tx, T, w = _arrays(s)
    point = clv.fit_pareto_nbd(s).params.to_numpy()
    names = ["r", "alpha", "s", "beta"]
    theirs = numerical_standard_errors(
        lambda q: -np.sum(w * lifetimes.ParetoNBDFitter._conditional_log_likelihood(q, x, tx, T)), point, names)
    ours = numerical_standard_errors(lambda q: pareto_objective(Patterns.of(x, tx, T, w)).value(np.log(q)), point, names)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5)


def test_distinct_rows_are_numpys_unique_rows():
    rng = np.random.default_rng(0)
    cols = [rng.integers(0, 5, 2_000).astype(float), rng.integers(0, 40, 2_000) / 7, rng.integers(0, 3, 2_000) * 1.0]
    values, of = distinct_rows(cols)
    rows, inverse = np.unique(np.column_stack(cols), axis=0, return_inverse=True)
    np.testing.assert_array_equal(np.column_stack(values), rows)
    np.testing.assert_array_equal(of, inverse.ravel())
    assert distinct_rows([np.array([1.0, np.nan])]) is None  # missing values: the caller falls back
    one = distinct(cols[1])
    np.testing.assert_array_equal(one.values[0][one.of], cols[1])


def test_rescaled_patterns_gather_exactly_the_rescaled_times():
    x, tx, T, w = _arrays(_simulated(2_000))
    p = Patterns.of(x, tx, T, w)
    c = 1 / T.max()
    q = p.rescaled(c)
    times = q.by_time.values
    np.testing.assert_array_equal(times[1][q.recency_at], tx * c)
    np.testing.assert_array_equal(times[1][q.age_at], T * c)
    np.testing.assert_array_equal(times[0][q.recency_at], x)
    np.testing.assert_array_equal(q.ages.values[0][q.ages.of], T * c)
    assert q.weight_by_x.sum() == w.sum() and len(p.by_x) == len(np.unique(x))
    assert len(p.by_time) == len(set(zip(x, tx)) | set(zip(x, T)))
