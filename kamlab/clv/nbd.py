"""The NBD model of repeat buying without dropout: the nested reference of BG/NBD and Pareto/NBD.

Account i buys at Poisson rate lambda_i ~ Gamma(r, alpha) for ever (no dropout).
Its purchases in (0, T] have likelihood (Ehrenberg 1959; Morrison &
Schmittlein 1988, timings included as in the BG/NBD likelihood)

    L(r, alpha | x, T) = Gamma(r + x) / Gamma(r) * alpha^r / (alpha + T)^(r + x),

which does not depend on the recency t_x. It is the limit of the BG/NBD
likelihood (Fader, Hardie & Lee 2005a, eq. 6) as a -> 0 or b -> inf, and of the
Pareto/NBD likelihood as s -> 0 or beta -> inf: when the data show no
detectable dropout, both reach their maximum there, at the NBD maximum.
lifetimes has no NBD fitter, so this module writes the likelihood by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

import autograd.numpy as anp
import numpy as np
import pandas as pd
from autograd.scipy.special import gammaln
from scipy.special import digamma
from scipy.special import gammaln as sp_gammaln

from . import optimise
from .patterns import distinct
from .results import FitDiagnostics, FittedModel
from .summaries import RFM, check_summary, compress

__all__ = ["fit_nbd", "nbd_fit", "nbd_log_likelihood", "nbd_expected_purchases", "NbdMaximum", "nbd_maximum"]


def nbd_log_likelihood(r: float, alpha: float, x, T):
    """Log-likelihood of each history: ln Gamma(r+x) - ln Gamma(r) + r ln alpha - (r+x) ln(alpha+T)."""
    return gammaln(r + x) - gammaln(r) + r * anp.log(alpha) - (r + x) * anp.log(alpha + T)


def nbd_expected_purchases(t, x, T, r: float, alpha: float) -> np.ndarray:
    """Expected purchases in (T, T + t] given x repeat purchases by age T.

    E[X(T, T + t) | x, T] = (r + x) / (alpha + T) * t: the posterior mean rate,
    Gamma(r + x, alpha + T), times the length of the window (no dropout).
    """
    return (r + np.asarray(x, dtype=float)) / (alpha + np.asarray(T, dtype=float)) * np.asarray(t, dtype=float)


@dataclass(frozen=True)
class NbdMaximum:
    """The NBD maximum on a set of patterns (rates on the caller's time scale)."""

    r: float
    alpha: float
    log_likelihood: float
    gradient_norm: float
    at_bound: tuple[str, ...]
    optimum: optimise.Optimum


def _total_nll(x, T, w):
    return lambda lp: -anp.sum(w * nbd_log_likelihood(anp.exp(lp[0]), anp.exp(lp[1]), x, T))


def _total_nll_numpy(x, T, w):
    """As :func:`_total_nll`, in plain numpy and scipy (no autograd tracing): for the search."""
    return lambda lp: -float(np.sum(w * (sp_gammaln(np.exp(lp[0]) + x) - sp_gammaln(np.exp(lp[0]))
                                         + np.exp(lp[0]) * lp[1] - (np.exp(lp[0]) + x) * np.log(np.exp(lp[1]) + T))))


def _by_frequency_and_age(x, T, w):
    """Weights summed over unique (x, T), sorted by x then T: the NBD likelihood does not depend on the recency."""
    pairs = distinct(x, T)
    return pairs.values[0], pairs.values[1], np.bincount(pairs.of, weights=w, minlength=len(pairs))


def _total_gradient(x, T, w):
    """Gradient of the total negative log-likelihood in (log r, log alpha), in closed form:
    d/d log r = -r sum w [psi(r+x) - psi(r) + ln alpha - ln(alpha+T)],
    d/d log alpha = -alpha sum w [r/alpha - (r+x)/(alpha+T)]."""

    def grad(lp):
        r, alpha = np.exp(lp)
        dr = np.sum(w * (digamma(r + x) - digamma(r) + np.log(alpha) - np.log(alpha + T)))
        da = np.sum(w * (r / alpha - (r + x) / (alpha + T)))
        return -np.array([r * dr, alpha * da])

    return grad


def nbd_maximum(x: np.ndarray, T: np.ndarray, w: np.ndarray) -> NbdMaximum:
    """Maximise the NBD likelihood over (r, alpha) on weighted patterns.

    Time is rescaled to max(T) = 1 for the search (as lifetimes does), from
    two starts: r = 1 with alpha matching the mean purchase rate sum(w x) / sum(w T),
    and r = 0.1 with alpha ten times smaller.
    """
    x, T, w = _by_frequency_and_age(*(np.asarray(v, dtype=float) for v in (x, T, w)))
    scale = 1.0 / float(T.max()) if T.max() > 0 else 1.0
    rate = max(float((w * x).sum() / max((w * T * scale).sum(), 1e-12)), 1e-6)
    starts = [np.log([1.0, 1.0 / rate]), np.log([0.1, 0.1 / rate])]
    found = optimise.maximise(_total_nll_numpy(x, T * scale, w), starts, grad=_total_gradient(x, T * scale, w))
    r, alpha = float(np.exp(found.log_params[0])), float(np.exp(found.log_params[1])) / scale
    nll = _total_nll_numpy(x, T, w)
    lp = np.log([r, alpha])
    edges = optimise.at_bound(found.log_params)
    names = [f"{n} -> {'0' if e < 0 else 'inf'}" for n, e in zip(("r", "alpha"), edges) if e]
    return NbdMaximum(r=r, alpha=alpha, log_likelihood=-float(nll(lp)),
                      gradient_norm=float(np.linalg.norm(_total_gradient(x, T, w)(lp))),
                      at_bound=tuple(names), optimum=found)


def _standard_errors(x, T, w, r: float, alpha: float) -> pd.Series:
    """Standard errors of r and alpha from the autograd Hessian in log-parameters (delta method)."""
    h = optimise.hessian(_total_nll(x, T, w), np.log([r, alpha]), exact=True)
    try:
        var = np.diag(np.linalg.inv(h)) * np.array([r, alpha]) ** 2
    except np.linalg.LinAlgError:
        var = np.full(2, np.nan)
    se = np.sqrt(np.where(var > 0, var, np.nan))
    return pd.Series(se, index=["r", "alpha"])


def fit_nbd(summary: pd.DataFrame, *, compressed: bool = True) -> FittedModel:
    """Fit the NBD model (no dropout) by maximum likelihood.

    L(r, alpha | x, T) = Gamma(r + x) / Gamma(r) * alpha^r / (alpha + T)^(r + x)
    (Ehrenberg 1959; Morrison & Schmittlein 1988), maximised over log r and
    log alpha by L-BFGS-B with autograd gradients.

    Parameters
    ----------
    summary : DataFrame
        ``frequency``, ``recency`` and ``T`` per account, as for :func:`kamlab.clv.fit_bgnbd`
        (recency is checked but does not enter the likelihood).
    compressed : bool
        Fit on unique (frequency, T) patterns weighted by their counts (same estimate).

    Returns
    -------
    FittedModel
        ``params`` r and alpha (alpha in the summary's period); ``model`` is None.

    References
    ----------
    Ehrenberg, A. S. C. (1959). The pattern of consumer purchases. Applied Statistics 8(1).
    Morrison, D. G., & Schmittlein, D. C. (1988). Generalizing the NBD model for
    customer purchases. Journal of Business & Economic Statistics 6(2).
    """
    summary = check_summary(summary, RFM, "fit_nbd")
    data = compress(summary, ("frequency", "T")) if compressed else summary.assign(
        weights=summary["weights"] if "weights" in summary else 1)
    x, T, w = (data[c].to_numpy(dtype=float) for c in ("frequency", "T", "weights"))
    return nbd_fit(nbd_maximum(x, T, w), x, T, w)


def nbd_fit(best: NbdMaximum, x: np.ndarray, T: np.ndarray, w: np.ndarray) -> FittedModel:
    """The NBD fit whose maximum ``best`` was found on the weighted patterns (x, T, w), as :func:`fit_nbd`
    returns it (standard errors from the autograd Hessian, the diagnostics of the search)."""
    params = pd.Series({"r": best.r, "alpha": best.alpha})
    note = "NBD: purchases at a steady rate per account, no dropout" + (
        f"; boundary solution ({', '.join(best.at_bound)})" if best.at_bound else "")
    diagnostics = FitDiagnostics(
        optimiser=best.optimum.optimiser,
        starts=tuple(tuple(float(v) for v in np.exp(s) / [1.0, 1.0 / T.max()]) for s in best.optimum.starts),
        gradient_norm=best.gradient_norm, bound_active=bool(best.at_bound), at_bound=best.at_bound,
        nested_log_likelihood=best.log_likelihood, reduces_to=None, note=note)
    return FittedModel(name="nbd", params=params, standard_errors=_standard_errors(x, T, w, best.r, best.alpha),
                       log_likelihood=best.log_likelihood, n_accounts=int(round(w.sum())), n_patterns=len(x),
                       model=None, diagnostics=diagnostics)
