"""The shifted-beta-geometric (sBG) cohort model of Fader & Hardie (2007).

Fitted by maximum likelihood with statsmodels' ``GenericLikelihoodModel``;
survival, retention rates, expected remaining lifetime and projections.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import pandas as pd
from scipy import special


#: Fader & Hardie (2007), "How to project customer retention", Table 1: customers
#: still active, of 1000 acquired, at the start of years 0..12, for two cohorts.
SBG_COHORTS = {
    "regular": (1000, 631, 468, 382, 326, 289, 262, 241, 223, 207, 194, 183, 173),
    "high end": (1000, 869, 743, 653, 593, 551, 517, 491, 468, 445, 427, 409, 394),
}
#: The estimates the paper reports from years 1-7 of each cohort: (alpha, beta).
SBG_PUBLISHED_ESTIMATES = {"regular": (0.704, 1.182), "high end": (0.668, 3.806)}



def sbg_survival(alpha: float, beta: float, t) -> np.ndarray:
    """Share of a cohort still active after t periods under the sBG model.

        S(t) = B(alpha, beta + t) / B(alpha, beta)         (Fader & Hardie 2007, eq. 4)
    """
    t = np.asarray(t, dtype=float)
    return np.exp(special.betaln(alpha, beta + t) - special.betaln(alpha, beta))


def sbg_retention_rate(alpha: float, beta: float, t) -> np.ndarray:
    """Share of the accounts active in period t - 1 that renew in period t.

        r(t) = (beta + t - 1) / (alpha + beta + t - 1)      (Fader & Hardie 2007, eq. 6)

    It rises with t: the cohort sorts itself, the churn-prone leave first.
    """
    t = np.asarray(t, dtype=float)
    return (beta + t - 1) / (alpha + beta + t - 1)


def sbg_expected_remaining_lifetime(alpha: float, beta: float, renewals: int = 0, discount: float = 0.0) -> float:
    """Expected further renewals of an account that has renewed ``renewals`` times.

        E[sum_{t>n} 1{T > t} / (1 + d)^(t - n) | T > n] = 2F1(1, beta + n; alpha + beta + n; 1 / (1 + d)) - 1

    in periods (discounted when d > 0). Undiscounted it is (beta + n) / (alpha - 1)
    for alpha > 1 and infinite for alpha <= 1 (the heavy tail of loyal accounts).

    References
    ----------
    Fader, P. S. & Hardie, B. G. S. (2010). Customer-base valuation in a
    contractual setting: the perils of ignoring heterogeneity. Marketing Science
    29(1), 85-93 (their DERL, written here per remaining renewal).
    """
    if discount < 0:
        raise ValueError(f"discount must be >= 0, got {discount}")
    if renewals < 0:
        raise ValueError(f"renewals must be >= 0, got {renewals}")
    if discount == 0:
        return (beta + renewals) / (alpha - 1) if alpha > 1 else np.inf
    return float(special.hyp2f1(1, beta + renewals, alpha + beta + renewals, 1 / (1 + discount)) - 1)


def _sbg_model(lost: np.ndarray, survivors: float):
    from statsmodels.base.model import GenericLikelihoodModel

    class ShiftedBetaGeometric(GenericLikelihoodModel):
        """sBG log-likelihood on (log alpha, log beta); endog = lost per period, then survivors."""

        def loglikeobs(self, params):
            a, b = np.exp(params)
            counts = self.endog
            periods = len(counts) - 1
            t = np.arange(1, periods + 1)
            log_p = special.betaln(a + 1, b + t - 1) - special.betaln(a, b)      # P(T = t)
            log_s = special.betaln(a, b + periods) - special.betaln(a, b)        # P(T > periods)
            return counts * np.append(log_p, log_s)

    counts = np.append(lost, survivors).astype(float)
    model = ShiftedBetaGeometric(counts, extra_params_names=["log_alpha", "log_beta"])
    return model


@dataclass(frozen=True)
class SBGFit:
    """A fitted shifted-beta-geometric model (Fader & Hardie 2007)."""

    alpha: float
    beta: float
    alpha_se: float
    beta_se: float
    log_likelihood: float
    cohort_size: float        # accounts at the start (period 0)
    fit_periods: int          # periods used in the fit
    results: Any              # the statsmodels results (log-scale parameters), for .summary()

    def survival(self, t) -> np.ndarray:
        """Share of the cohort still active after t periods."""
        return sbg_survival(self.alpha, self.beta, t)

    def retention_rate(self, t) -> np.ndarray:
        """Renewal rate in period t among those active in t - 1."""
        return sbg_retention_rate(self.alpha, self.beta, t)

    def expected_remaining_lifetime(self, renewals: int = 0, discount: float = 0.0) -> float:
        """Expected further renewals (periods) of an account with ``renewals`` renewals so far."""
        return sbg_expected_remaining_lifetime(self.alpha, self.beta, renewals, discount)


def fit_sbg(survivors: Sequence[float], *, periods: int | None = None) -> SBGFit:
    """Fit the shifted-beta-geometric model to a cohort's survivor series.

    Each account renews every period with its own probability 1 - theta, and
    theta varies across accounts as Beta(alpha, beta). For the cohort,

        P(T = t) = B(alpha + 1, beta + t - 1) / B(alpha, beta),   t = 1, 2, ...
        LL = sum_{t=1..n} (s_{t-1} - s_t) log P(T = t) + s_n log S(n)

    with s_t the accounts still active after t periods. The maximum is found on
    (log alpha, log beta) with statsmodels' ``GenericLikelihoodModel``; standard
    errors of alpha and beta follow by the delta method (se = value * se(log)).
    The statsmodels summary counts survivor cells (periods + 1) as observations,
    so its BIC is not meaningful; the log-likelihood and standard errors are.

    Parameters
    ----------
    survivors : sequence of float
        s_0, s_1, ..., accounts still active after 0, 1, ... periods (s_0 = cohort size).
    periods : int or None
        Use only s_0..s_periods (the rest is the holdout); default all.

    References
    ----------
    Fader, P. S. & Hardie, B. G. S. (2007). How to project customer retention.
    Journal of Interactive Marketing 21(1), 76-90.
    """
    s = np.asarray(survivors, dtype=float)
    if s.ndim != 1 or len(s) < 3:
        raise ValueError(f"survivors must be a series s_0, s_1, ..., of at least 3 values, got {s!r}")
    if periods is not None:
        if not 2 <= periods < len(s):
            raise ValueError(f"periods must be between 2 and {len(s) - 1}, got {periods}")
        s = s[: periods + 1]
    if not np.all(np.isfinite(s)) or np.any(s < 0) or np.any(np.diff(s) > 0) or s[-1] <= 0:
        raise ValueError(f"survivors must be non-negative, non-increasing and end above zero, got {s.tolist()}")
    lost = -np.diff(s)
    model = _sbg_model(lost, s[-1])
    rough = model.fit(start_params=np.zeros(2), method="nm", maxiter=2000, disp=False)
    results = model.fit(start_params=rough.params, method="newton", tol=1e-8, maxiter=100, disp=False)
    if not results.mle_retvals.get("converged", False):
        raise RuntimeError(f"the sBG fit did not converge on survivors {s.tolist()}; check the series")
    log_a, log_b = results.params
    se_log = np.sqrt(np.diag(results.cov_params()))
    a, b = float(np.exp(log_a)), float(np.exp(log_b))
    return SBGFit(alpha=a, beta=b, alpha_se=float(a * se_log[0]), beta_se=float(b * se_log[1]),
                  log_likelihood=float(results.llf), cohort_size=float(s[0]), fit_periods=len(s) - 1,
                  results=results)


def project_sbg(fit: SBGFit, horizon: int, actual: Sequence[float] | None = None) -> pd.DataFrame:
    """Projected survivors and retention rates for periods 0..horizon.

    Columns: ``projected`` (= cohort_size x S(t)), ``retention_rate`` (r(t), NaN at
    t = 0), ``in_fit`` (period used for fitting) and, when ``actual`` survivors are
    given, ``actual`` and ``error_pct`` = 100 (projected - actual) / actual.
    """
    t = np.arange(horizon + 1)
    table = pd.DataFrame({"projected": fit.cohort_size * fit.survival(t),
                          "retention_rate": np.where(t == 0, np.nan, fit.retention_rate(t)),
                          "in_fit": t <= fit.fit_periods}, index=pd.Index(t, name="period"))
    if actual is not None:
        actual = np.asarray(actual, dtype=float)
        if len(actual) < horizon + 1:
            raise ValueError(f"actual has {len(actual)} values; need {horizon + 1} for periods 0..{horizon}")
        table.insert(0, "actual", actual[: horizon + 1])
        table["error_pct"] = 100 * (table["projected"] - table["actual"]) / table["actual"]
    return table

