"""Maximum-likelihood fits of the counting models through lifetimes: BG/NBD, Pareto/NBD, MBG/NBD, BG/BB.

Every ``fit_*`` checks its summary (:func:`kamlab.clv.summaries.check_summary`),
fits on the unique rows with their counts as weights (identical
maximum-likelihood estimates, much faster) and returns a frozen
:class:`~kamlab.clv.results.FittedModel`. Time is in whatever period the
summary uses; rate parameters are per that period.

The rough edges of lifetimes 0.11 on current pandas/scipy are handled here:
Pareto/NBD gets standard errors and a log-likelihood (lifetimes' ``summary``
raises), its random starting point is replaced by a fixed one (deterministic
fits), and log-likelihoods are reported on the caller's time scale (lifetimes
fits on time rescaled to max(T) = 1).
"""

from __future__ import annotations

import contextlib
import io
import warnings
from typing import Any, Callable

import numpy as np
import pandas as pd

from .results import FitError, FittedModel
from .summaries import BGBB, RFM, check_summary, compress

__all__ = ["fit_bgnbd", "fit_pareto_nbd", "fit_mbgnbd", "fit_bgbb"]


def numerical_standard_errors(nll_total: Callable[[np.ndarray], float], params: np.ndarray, names) -> pd.Series | None:
    """Standard errors from the numerical Hessian of the total negative log-likelihood.

    The Hessian is taken in log-parameters (all parameters are positive), then
    transformed: Var(theta) = diag(theta) H_log^-1 diag(theta) (delta method),
    which equals the inverse of the Hessian in theta at the maximum.
    """
    from statsmodels.tools.numdiff import approx_hess

    log_p = np.log(params)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        hess = approx_hess(log_p, lambda lp: nll_total(np.exp(lp)))
    try:
        cov_log = np.linalg.inv(hess)
    except np.linalg.LinAlgError:
        return None
    var = np.diag(cov_log) * params**2
    if not np.all(np.isfinite(var)) or np.any(var <= 0):
        return None
    return pd.Series(np.sqrt(var), index=names)


def run_fit(fit: Callable[[], Any], what: str, n_accounts: float, n_patterns: int) -> Any:
    """Run a lifetimes fit quietly; turn its ConvergenceError (printed, then raised) into FitError."""
    from lifetimes.utils import ConvergenceError

    with warnings.catch_warnings(), np.errstate(all="ignore"), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        try:
            return fit()
        except ConvergenceError as failure:
            raise FitError(
                f"{what}: the likelihood maximisation did not converge on {int(n_accounts):,} accounts "
                f"({n_patterns:,} distinct patterns). The data may be too few or too uniform for the model; "
                "collect a longer calibration window, or pass penalizer=0.001 to regularise the fit."
            ) from failure


def lifetimes_standard_errors(fitter) -> pd.Series | None:
    """lifetimes' standard errors (autograd Hessian in log-parameters, delta method), or None if not finite."""
    se = pd.Series(fitter.standard_errors_, dtype=float)
    return se if np.all(np.isfinite(se.to_numpy())) and np.all(se.to_numpy() > 0) else None


def _fit_counting(
    name: str,
    summary: pd.DataFrame,
    *,
    compressed: bool,
    penalizer: float,
) -> FittedModel:
    """Shared fitting path of BG/NBD, Pareto/NBD and MBG/NBD."""
    import lifetimes

    summary = check_summary(summary, RFM, f"fit_{name}")
    data = compress(summary) if compressed else summary.assign(
        weights=summary["weights"] if "weights" in summary else 1
    )
    x = data["frequency"].to_numpy().astype(int)
    tx = data["recency"].to_numpy().astype(float)
    T = data["T"].to_numpy().astype(float)
    w = data["weights"].to_numpy().astype(float)

    what, n = f"fit_{name}", len(data)
    if name == "pareto_nbd":
        cls = lifetimes.ParetoNBDFitter

        def nll_total(p):
            return cls._negative_log_likelihood(p, x, tx, T, w, 0.0) * w.mean()

        # lifetimes starts from a random point; a fixed one makes fits reproducible.
        # BFGS reaches the same maximum as lifetimes' default Nelder-Mead in about a
        # third of the likelihood evaluations; Nelder-Mead is the fallback.
        fitter = run_fit(lambda: cls(penalizer_coef=penalizer).fit(
            x, tx, T, weights=w, initial_params=np.ones(4), tol=1e-6, fit_method="BFGS"), what, w.sum(), n)
        with np.errstate(all="ignore"):
            ok = np.all(fitter.params_ > 0) and np.isfinite(nll_total(fitter.params_.to_numpy()))
        if not ok:
            fitter = run_fit(lambda: cls(penalizer_coef=penalizer).fit(
                x, tx, T, weights=w, initial_params=np.ones(4), tol=1e-6), what, w.sum(), n)
    else:
        cls = lifetimes.BetaGeoFitter if name == "bgnbd" else lifetimes.ModifiedBetaGeoFitter
        fitter = run_fit(lambda: cls(penalizer_coef=penalizer).fit(x, tx, T, weights=w), what, w.sum(), n)

        def nll_total(p):
            return float(cls._negative_log_likelihood(np.log(p), x, tx, T, w, 0.0)) * w.sum()

    params = fitter.params_.astype(float).copy()
    p = params.to_numpy()
    return FittedModel(
        name=name,
        params=params,
        standard_errors=numerical_standard_errors(nll_total, p, params.index) if name == "pareto_nbd"
        else lifetimes_standard_errors(fitter),
        log_likelihood=-float(nll_total(p)),
        n_accounts=int(round(w.sum())),
        n_patterns=len(data),
        model=fitter,
    )


def fit_bgnbd(summary: pd.DataFrame, *, compressed: bool = True, penalizer: float = 0.0) -> FittedModel:
    """Fit the BG/NBD model of repeat purchasing (lifetimes ``BetaGeoFitter``).

    While active, account i buys at Poisson rate lambda_i ~ Gamma(r, alpha); after
    each repeat purchase it drops out with probability p_i ~ Beta(a, b). The
    likelihood of (x, t_x, T) is

        L = B(a, b+x)/B(a, b) * Gamma(r+x) alpha^r / (Gamma(r) (alpha+T)^(r+x))
            + [x > 0] B(a+1, b+x-1)/B(a, b) * Gamma(r+x) alpha^r / (Gamma(r) (alpha+t_x)^(r+x))

    (Fader, Hardie & Lee 2005a, eq. 6).

    Parameters
    ----------
    summary : DataFrame
        One row per account with ``frequency`` (repeat purchases), ``recency`` (age
        at last purchase) and ``T`` (age at the end of observation), in one time
        unit; the ``*_cal`` columns of a calibration/holdout split are accepted.
    compressed : bool
        Fit on unique (frequency, recency, T) rows weighted by their counts (same
        estimate, faster). False passes every account to lifetimes.
    penalizer : float
        lifetimes' L2 penalty on the parameters; 0 gives the maximum-likelihood fit.

    Returns
    -------
    FittedModel
        ``params`` r, alpha (in the summary's time unit), a, b.

    References
    ----------
    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005). "Counting your customers"
    the easy way: An alternative to the Pareto/NBD model. Marketing Science 24(2).
    """
    return _fit_counting("bgnbd", summary, compressed=compressed, penalizer=penalizer)


def fit_pareto_nbd(summary: pd.DataFrame, *, compressed: bool = True, penalizer: float = 0.0) -> FittedModel:
    """Fit the Pareto/NBD model (lifetimes ``ParetoNBDFitter``).

    While alive, account i buys at Poisson rate lambda_i ~ Gamma(r, alpha); its
    unobserved lifetime is exponential with rate mu_i ~ Gamma(s, beta). The
    likelihood of (x, t_x, T) is eq. (18) of Fader & Hardie (2005, note 009).
    Unlike lifetimes alone, the result has standard errors (numerical Hessian)
    and a log-likelihood, and the optimiser (BFGS, falling back to lifetimes'
    Nelder-Mead) starts from a fixed point (r = alpha = s = beta = 1), so fits are
    reproducible.

    Parameters and returns as :func:`fit_bgnbd`; ``params`` are r, alpha, s, beta
    (alpha and beta in the summary's time unit).

    References
    ----------
    Schmittlein, D. C., Morrison, D. G., & Colombo, R. (1987). Counting your
    customers: Who are they and what will they do next? Management Science 33(1).
    """
    return _fit_counting("pareto_nbd", summary, compressed=compressed, penalizer=penalizer)


def fit_mbgnbd(summary: pd.DataFrame, *, compressed: bool = True, penalizer: float = 0.0) -> FittedModel:
    """Fit the MBG/NBD model (lifetimes ``ModifiedBetaGeoFitter``).

    As BG/NBD, but an account can also drop out right after its first purchase,
    so zero-repeat accounts may be inactive (Batislam, Denizel & Filiztekin 2007;
    Wagner & Hoppe 2008). Parameters and returns as :func:`fit_bgnbd`.
    """
    return _fit_counting("mbgnbd", summary, compressed=compressed, penalizer=penalizer)


def fit_bgbb(summary: pd.DataFrame, *, compressed: bool = True, penalizer: float = 0.0) -> FittedModel:
    """Fit the BG/BB model for discrete transaction opportunities (lifetimes ``BetaGeoBetaBinomFitter``).

    At each of n opportunities an alive account transacts with probability
    p ~ Beta(alpha, beta) and, after each opportunity, dies with probability
    theta ~ Beta(gamma, delta). The likelihood of (x, t_x, n) is eq. (5) of
    Fader, Hardie & Shang (2010).

    Parameters
    ----------
    summary : DataFrame
        ``frequency`` (opportunities with a transaction, after the first),
        ``recency`` (opportunity of the last one) and ``periods`` (n); an optional
        ``weights`` column counts accounts per row (published pattern tables).
    compressed, penalizer
        As :func:`fit_bgnbd`.

    References
    ----------
    Fader, P. S., Hardie, B. G. S., & Shang, J. (2010). Customer-base analysis in
    a discrete-time noncontractual setting. Marketing Science 29(6).
    """
    import lifetimes

    summary = check_summary(summary, BGBB, "fit_bgbb")
    data = compress(summary, BGBB) if compressed else summary.assign(
        weights=summary["weights"] if "weights" in summary else 1
    )
    x = data["frequency"].to_numpy().astype(int)
    tx = data["recency"].to_numpy().astype(int)
    n = data["periods"].to_numpy().astype(int)
    w = data["weights"].to_numpy().astype(float)
    cls = lifetimes.BetaGeoBetaBinomFitter
    fitter = run_fit(lambda: cls(penalizer_coef=penalizer).fit(x, tx, n, weights=w), "fit_bgbb", w.sum(), len(data))

    def nll_total(p):
        return float(cls._negative_log_likelihood(np.log(p), x, tx, n, w, 0.0)) * w.sum()

    params = fitter.params_.astype(float).copy()
    return FittedModel(
        name="bgbb",
        params=params,
        standard_errors=lifetimes_standard_errors(fitter),
        log_likelihood=-nll_total(params.to_numpy()),
        n_accounts=int(round(w.sum())),
        n_patterns=len(data),
        model=fitter,
    )
