"""kamlab.survival.sbg against Fader & Hardie (2007) and an independent optimiser."""

import numpy as np
import pytest
from scipy import optimize, special

from kamlab import survival as sv

# Fader & Hardie (2007), "How to project customer retention", Table 1: customers
# still active of 1000 at the start of years 0..12.
REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241, 223, 207, 194, 183, 173]
HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491, 468, 445, 427, 409, 394]



@pytest.mark.parametrize("survivors, alpha, beta", [(REGULAR, 0.704, 1.182), (HIGH_END, 0.668, 3.806)])
def test_sbg_reproduces_published_estimates(survivors, alpha, beta):
    fit = sv.fit_sbg(survivors, periods=7)
    assert round(fit.alpha, 3) == alpha
    assert round(fit.beta, 3) == beta
    assert fit.fit_periods == 7 and fit.cohort_size == 1000


def test_bundled_sbg_data_match_the_paper_table():
    assert sv.SBG_COHORTS == {"regular": tuple(REGULAR), "high end": tuple(HIGH_END)}
    assert sv.SBG_PUBLISHED_ESTIMATES == {"regular": (0.704, 1.182), "high end": (0.668, 3.806)}


def _sbg_negloglik(log_params, s):
    a, b = np.exp(log_params)
    t = np.arange(1, len(s))
    log_p = special.betaln(a + 1, b + t - 1) - special.betaln(a, b)
    log_s = special.betaln(a, b + len(s) - 1) - special.betaln(a, b)
    return -((s[:-1] - s[1:]) @ log_p + s[-1] * log_s)


@pytest.mark.parametrize("survivors", [REGULAR, HIGH_END])
def test_sbg_is_the_maximum_found_by_an_independent_optimiser(survivors):
    s = np.asarray(survivors[:8], dtype=float)
    ref = optimize.minimize(_sbg_negloglik, [0.0, 0.0], args=(s,), method="Nelder-Mead",
                            options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 5000})
    fit = sv.fit_sbg(survivors, periods=7)
    np.testing.assert_allclose([fit.alpha, fit.beta], np.exp(ref.x), rtol=1e-5)
    assert fit.log_likelihood == pytest.approx(-ref.fun, abs=1e-6)


@pytest.mark.parametrize("survivors", [REGULAR, HIGH_END])
def test_sbg_standard_errors_invert_the_observed_information(survivors):
    # central-difference Hessian of the negative log-likelihood in (alpha, beta), inverted
    s = np.asarray(survivors[:8], dtype=float)
    fit = sv.fit_sbg(survivors, periods=7)
    f = lambda a, b: _sbg_negloglik(np.log([a, b]), s)  # noqa: E731
    x, h = np.array([fit.alpha, fit.beta]), 1e-4
    hess = np.empty((2, 2))
    for i in range(2):
        for j in range(2):
            ei, ej = np.eye(2)[i] * h, np.eye(2)[j] * h
            hess[i, j] = (f(*(x + ei + ej)) - f(*(x + ei - ej)) - f(*(x - ei + ej)) + f(*(x - ei - ej))) / (4 * h * h)
    se = np.sqrt(np.diag(np.linalg.inv(hess)))
    np.testing.assert_allclose([fit.alpha_se, fit.beta_se], se, rtol=1e-3)


def test_sbg_recovers_parameters_from_a_simulated_cohort():
    rng = np.random.default_rng(7)
    alpha, beta, n, periods = 1.3, 2.5, 40_000, 8
    theta = rng.beta(alpha, beta, n)
    lifetime = rng.geometric(theta)                       # periods until churn, >= 1
    survivors = [(lifetime > t).sum() for t in range(periods + 1)]
    fit = sv.fit_sbg(survivors)
    assert abs(fit.alpha - alpha) < 3 * fit.alpha_se
    assert abs(fit.beta - beta) < 3 * fit.beta_se
    assert fit.alpha_se < 0.1 and fit.beta_se < 0.2


def test_sbg_projection_and_retention_formulae():
    fit = sv.fit_sbg(REGULAR, periods=7)
    proj = sv.project_sbg(fit, 12, REGULAR)
    assert list(proj.index) == list(range(13))
    assert proj["in_fit"].sum() == 8
    # survival telescopes into the product of retention rates
    np.testing.assert_allclose(proj["projected"].iloc[1:] / 1000, np.cumprod(proj["retention_rate"].iloc[1:]), rtol=1e-12)
    assert proj["retention_rate"].iloc[1:].is_monotonic_increasing
    np.testing.assert_allclose(proj["actual"], REGULAR)
    with pytest.raises(ValueError, match="need 13"):
        sv.project_sbg(fit, 12, REGULAR[:10])


@pytest.mark.parametrize("alpha, beta, n, d", [(0.704, 1.182, 0, 0.1), (0.668, 3.806, 4, 0.1), (2.5, 3.0, 2, 0.0)])
def test_sbg_expected_remaining_lifetime_equals_brute_force_sum(alpha, beta, n, d):
    t = np.arange(n + 1, n + 20001)
    brute = np.sum(sv.sbg_survival(alpha, beta, t) / sv.sbg_survival(alpha, beta, n) * np.exp(-(t - n) * np.log1p(d)))
    got = sv.sbg_expected_remaining_lifetime(alpha, beta, n, d)
    assert got == pytest.approx(brute, rel=1e-3 if d == 0 else 1e-9)  # undiscounted sum is cut at 20000


def test_sbg_undiscounted_lifetime_is_infinite_for_heavy_tails():
    assert sv.sbg_expected_remaining_lifetime(0.704, 1.182, 0, 0.0) == np.inf


def test_sbg_rejects_bad_series():
    with pytest.raises(ValueError, match="non-increasing"):
        sv.fit_sbg([1000, 900, 950, 800])
    with pytest.raises(ValueError, match="periods must be"):
        sv.fit_sbg(REGULAR, periods=20)
