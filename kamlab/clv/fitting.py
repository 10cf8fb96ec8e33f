"""The machinery every fit shares: lifetimes run quietly, checked against a search of kamlab's own.

:func:`search_maximum` runs lifetimes' fitter first (where lifetimes has one),
then checks that its estimate is the maximum: L-BFGS-B restarted from it must
not gain more than ``GAIN`` in log-likelihood, and the estimate must not lie
below a floor (for the counting models, the nested no-dropout NBD maximum).
If lifetimes fails, stops short or lands below the floor, kamlab's own search
(:func:`kamlab.clv.optimise.maximise`, several starts, a second optimiser)
takes over on the same likelihood. Time is rescaled to max(T) = 1 for the
search, as lifetimes does; log-likelihoods are reported on the caller's scale.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pandas as pd

from . import optimise
from .results import FitDiagnostics, FitError, FittedModel

__all__ = ["GAIN", "Search", "search_maximum", "penalised_diagnostics", "numerical_standard_errors",
           "lifetimes_standard_errors", "run_fit", "try_fit", "verified_fit"]

#: A restart that gains more than this (log-likelihood units) means the first optimiser stopped short.
GAIN = 1e-6

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


def try_fit(fit: Callable[[], Any]) -> Any | None:
    """Run a lifetimes fit quietly; None when it raises (ConvergenceError, overflow, bad start)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        try:
            fitter = fit()
        except Exception:  # noqa: BLE001  (lifetimes raises ConvergenceError, ValueError, LinAlgError...)
            return None
    params = np.asarray(fitter.params_, dtype=float)
    return fitter if np.all(np.isfinite(params)) and np.all(params > 0) else None


@dataclass(frozen=True)
class Search:
    """The maximum found, on the caller's time scale.

    ``fitter`` is lifetimes' fitted object when its estimate was kept, else None.
    """

    log_params: np.ndarray
    log_likelihood: float
    optimiser: str
    starts: tuple[tuple[float, ...], ...]
    fitter: Any | None


def search_maximum(
    nll: Callable[[np.ndarray], float],
    *,
    scale: np.ndarray,
    lifetimes_fit: Callable[[], Any] | None,
    lifetimes_label: str,
    lifetimes_start: tuple[float, ...] = (),
    starts: list[np.ndarray],
    exact: bool,
    floor: float = -np.inf,
    scaled_nll: Callable[[np.ndarray], float] | None = None,
    offset: float = 0.0,
) -> Search:
    """The maximum of a likelihood: lifetimes' estimate if it is one, else kamlab's own search.

    Parameters
    ----------
    nll : callable
        Total negative log-likelihood of log-parameters on the caller's time scale.
    scale : ndarray
        Log of the factor each parameter is multiplied by on the rescaled time
        (log(1 / max T) for rates, 0 otherwise); ``scaled_nll`` is ``nll`` on
        rescaled time (defaults to ``nll`` when the scale is all zeros).
    lifetimes_fit : callable or None
        Runs lifetimes' fitter and returns it (with ``params_`` on the caller's scale).
    lifetimes_label, lifetimes_start
        How lifetimes optimises and from where (parameters on the caller's scale), for the diagnostics.
    starts : list of ndarray
        Further starting points, in rescaled log-parameters.
    floor : float
        A log-likelihood the maximum cannot lie below (a nested model's maximum).
    offset : float
        log L(caller's time) - log L(rescaled time), sum(w x) log(1 / max T) for the
        counting models; used where the caller's scale overflows.
    """
    scaled_nll = scaled_nll or nll
    fitter = try_fit(lifetimes_fit) if lifetimes_fit is not None else None
    first = np.log(np.asarray(fitter.params_, dtype=float)) if fitter is not None else None
    tried: list[np.ndarray] = []
    if first is not None:
        ll_first = -optimise.evaluate(nll, first)
        restart = optimise.maximise(scaled_nll, [first + scale], exact=exact, polish=False)
        gained = -optimise.evaluate(nll, restart.log_params - scale) - ll_first
        if np.isfinite(ll_first) and gained <= GAIN and ll_first >= floor - GAIN:
            shown = (tuple(lifetimes_start), tuple(float(v) for v in np.exp(first)))
            return Search(first, ll_first, lifetimes_label, shown if lifetimes_start else shown[1:], fitter)
        tried = [restart.log_params]  # lifetimes' estimate, already improved by the restart
    found = optimise.maximise(scaled_nll, tried + list(starts), exact=exact)
    best = found.log_params - scale
    if first is not None:
        label = f"{lifetimes_label} stopped short; then {found.optimiser}"
    elif lifetimes_fit is not None:
        label = f"{lifetimes_label} found no valid maximum; then {found.optimiser}"
    else:
        label = found.optimiser
    shown = tuple(tuple(float(v) for v in np.exp(np.asarray(s) - scale)) for s in found.starts)
    ll = -optimise.evaluate(nll, best)
    if not np.isfinite(ll):  # the caller's time scale overflows where the rescaled one does not
        ll = -found.nll + offset
    return Search(best, ll, label, shown, None)


def verified_fit(name: str, label: str, cls: type, nll: Callable[[np.ndarray], float], *,
                 lifetimes_fit: Callable[[], Any], starts: list[np.ndarray], weights: np.ndarray,
                 n_patterns: int) -> FittedModel:
    """A model without a nested no-dropout limit (Gamma-Gamma, BG/BB): lifetimes' fit, checked.

    lifetimes' estimate is kept when a restart gains nothing (:func:`search_maximum`,
    no time rescaling, autograd gradients); otherwise kamlab's search from
    lifetimes' point and ``starts`` (log-parameters) takes over.

    Raises
    ------
    FitError
        When no start reaches a finite likelihood.
    """
    k = len(starts[0])
    found = search_maximum(nll, scale=np.zeros(k), lifetimes_fit=lifetimes_fit, lifetimes_label="lifetimes (BFGS)",
                           lifetimes_start=tuple(float(v) for v in np.exp(np.full(k, 0.1))), starts=starts, exact=True)
    if not np.isfinite(found.log_likelihood):
        raise FitError(f"fit_{name}: no start reached a finite likelihood on {int(weights.sum()):,} accounts "
                       f"({n_patterns:,} distinct patterns); the data are too few or degenerate for {label}.")
    fitter = found.fitter
    names = list(fitter.params_.index) if fitter is not None else None
    if fitter is None:
        fitter = cls()
        names = list(_PARAMS[name])
        fitter.params_ = pd.Series(np.exp(found.log_params), index=names)
    params = pd.Series(np.exp(found.log_params), index=names, dtype=float)
    se = lifetimes_standard_errors(fitter) if found.fitter is not None else numerical_standard_errors(
        lambda p: nll(np.log(p)), params.to_numpy(), params.index)
    at = tuple(f"{n} -> {'0' if e < 0 else 'inf'}" for n, e in zip(names, optimise.at_bound(found.log_params)) if e)
    diagnostics = FitDiagnostics(
        optimiser=found.optimiser, starts=found.starts,
        gradient_norm=float(np.linalg.norm(optimise.gradient(nll, found.log_params, exact=True))),
        bound_active=bool(at), at_bound=at, nested_log_likelihood=float("nan"), reduces_to=None,
        note=f"{label}: " + (f"boundary solution ({', '.join(at)})" if at else "maximum reached"))
    return FittedModel(name=name, params=params, standard_errors=se, log_likelihood=found.log_likelihood,
                       n_accounts=int(round(weights.sum())), n_patterns=n_patterns, model=fitter,
                       diagnostics=diagnostics)


def penalised_diagnostics(label: str, penalizer: float, nested: float = float("nan")) -> FitDiagnostics:
    """Diagnostics of lifetimes' penalised fit, kept as it is: the maximum of another objective
    (log-likelihood minus penalizer * sum of squared parameters), neither searched nor reduced."""
    return FitDiagnostics(
        optimiser=f"lifetimes (BFGS), penalizer={penalizer}", starts=(), gradient_norm=float("nan"),
        bound_active=False, at_bound=(), nested_log_likelihood=nested, reduces_to=None,
        note=f"{label}: penalised fit (penalizer={penalizer}), the maximum of the penalised likelihood")


_PARAMS = {"gamma_gamma": ("p", "q", "v"), "bgbb": ("alpha", "beta", "gamma", "delta")}
