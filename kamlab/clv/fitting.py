"""The machinery every fit shares: a first fit, checked against a search of kamlab's own.

:func:`search_maximum` runs a first fit (lifetimes' fitter, or lifetimes'
method on kamlab's own likelihood, :func:`own_first`), then checks that its
estimate is the maximum: L-BFGS-B restarted from it must not gain more than
``GAIN`` in log-likelihood, and the estimate must not lie below a floor (for
the counting models, the nested no-dropout NBD maximum). If the first fit
fails, stops short or lands below the floor, kamlab's own search
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
           "gradient_standard_errors", "lifetimes_standard_errors", "run_fit", "try_fit", "lifetimes_first",
           "own_first", "verified_fit", "OWN_BFGS"]

#: A first fit: log-parameters on the caller's scale and lifetimes' fitter (or None), or None when it failed.
First = Callable[[], "tuple[np.ndarray, Any] | None"]

#: How :func:`own_first` with ``method="BFGS"`` is named in the diagnostics.
OWN_BFGS = "BFGS as lifetimes runs it, on kamlab's likelihood"
#: A restart that gains more than this (log-likelihood units) means the first optimiser stopped short.
GAIN = 1e-6

def numerical_standard_errors(nll_total: Callable[[np.ndarray], float], params: np.ndarray, names) -> pd.Series | None:
    """Standard errors from the numerical Hessian of the total negative log-likelihood.

    The Hessian is taken in log-parameters (all parameters are positive) by
    central differences (statsmodels' ``approx_hess3``) with the same step h
    for every parameter, extrapolated to h -> 0 (Richardson: (4 H(h/2) - H(h)) / 3,
    h = 4e-3): relative steps that shrink with the parameter's log (statsmodels'
    default) leave roundoff of the order of 1e-4 in the flat directions (the
    Pareto/NBD beta), this is stable to about 1e-6. Then
    Var(theta) = diag(theta) H_log^-1 diag(theta) (delta method), which equals
    the inverse of the Hessian in theta at the maximum.
    """
    from statsmodels.tools.numdiff import approx_hess3

    log_p = np.log(params)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = lambda lp: nll_total(np.exp(lp))  # noqa: E731
        hess = (4 * approx_hess3(log_p, f, epsilon=2e-3) - approx_hess3(log_p, f, epsilon=4e-3)) / 3
    try:
        cov_log = np.linalg.inv(hess)
    except np.linalg.LinAlgError:
        return None
    var = np.diag(cov_log) * params**2
    if not np.all(np.isfinite(var)) or np.any(var <= 0):
        return None
    return pd.Series(np.sqrt(var), index=names)


def gradient_standard_errors(grad: Callable[[np.ndarray], np.ndarray], log_params: np.ndarray,
                             names) -> pd.Series | None:
    """Standard errors from the Hessian of the total negative log-likelihood, by central differences of
    its closed-form gradient in log-parameters (step 1e-4: truncation error ~1e-8 relative), then the
    delta method as :func:`numerical_standard_errors` (lifetimes takes the same Hessian by autograd)."""
    lp = np.asarray(log_params, dtype=float)
    step = 1e-4
    with np.errstate(all="ignore"):
        columns = [(np.asarray(grad(lp + e)) - np.asarray(grad(lp - e))) / (2 * step) for e in np.eye(lp.size) * step]
    hess = np.column_stack(columns)
    hess = (hess + hess.T) / 2
    try:
        var = np.diag(np.linalg.inv(hess)) * np.exp(lp) ** 2
    except np.linalg.LinAlgError:
        return None
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


def lifetimes_first(fit: Callable[[], Any]) -> First:
    """A first fit by lifetimes' fitter (run quietly by :func:`try_fit`), as :func:`search_maximum` takes it."""

    def first():
        fitter = try_fit(fit)
        return None if fitter is None else (np.log(np.asarray(fitter.params_, dtype=float)), fitter)

    return first


def own_first(objective, start: np.ndarray, scale: np.ndarray, *, weight: float = 1.0, tol: float = 1e-7,
              strict: bool = True, budget: int | None = None) -> First:
    """A first fit on kamlab's own likelihood (rescaled time), from ``start`` (rescaled log-parameters).

    scipy's BFGS on the *mean* negative log-likelihood (the total divided by the
    accounts' ``weight``) with gradient tolerance ``tol``: lifetimes' own fit of
    BG/NBD and Gamma-Gamma (lifetimes differentiates by autograd, ``objective``
    in closed form), so the estimate is the one lifetimes reaches. (On the total,
    the first quasi-Newton step from a distant start scales with the number of
    accounts and overshoots.) ``budget`` caps the evaluations of value and
    gradient, after which the best point seen is the estimate: with gradients
    by finite differences, a line search that cannot find a decrease below the
    noise of the likelihood otherwise spends a hundred of them. Returns
    log-parameters on the caller's scale, or None when the point is not
    finite, lies outside the search box of :mod:`kamlab.clv.optimise` (where
    ln Gamma(r + x) - ln Gamma(r) and the like are all roundoff) or, if
    ``strict`` (lifetimes raises then), BFGS reports no convergence;
    :func:`search_maximum` checks the rest.
    """
    from scipy.optimize import minimize

    class _Spent(Exception):
        """The budget of evaluations is used up."""

    def first():
        seen = {"calls": 0, "value": np.inf, "at": None}  # evaluations so far, and the best point seen

        def mean(theta):
            if budget is not None and seen["calls"] >= budget:
                raise _Spent
            seen["calls"] += 1
            value, slope = objective.value_and_grad(theta)
            if value < seen["value"]:
                seen.update(value=value, at=np.array(theta, dtype=float))
            return value / weight, slope / weight

        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                out = minimize(mean, start, jac=True, method="BFGS", tol=tol)
                x, success = np.asarray(out.x, dtype=float), bool(out.success)
            except _Spent:
                x, success = seen["at"], False
        inside = x is not None and np.all(np.abs(x) <= optimise.BOUND)  # beyond the box: only roundoff
        ok = (success or not strict) and inside and np.isfinite(optimise.evaluate(objective, x))
        return (x - scale, None) if ok else None

    return first


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
    first: First | None,
    first_label: str,
    first_start: tuple[float, ...] = (),
    starts: list[np.ndarray],
    exact: bool,
    floor: float = -np.inf,
    scaled_nll: Callable[[np.ndarray], float] | None = None,
    offset: float = 0.0,
    grad: Callable[[np.ndarray], np.ndarray] | None = None,
    restart_budget: int | None = None,
) -> Search:
    """The maximum of a likelihood: the first fit's estimate if it is one, else kamlab's own search.

    Parameters
    ----------
    nll : callable
        Total negative log-likelihood of log-parameters on the caller's time scale.
    scale : ndarray
        Log of the factor each parameter is multiplied by on the rescaled time
        (log(1 / max T) for rates, 0 otherwise); ``scaled_nll`` is ``nll`` on
        rescaled time (defaults to ``nll`` when the scale is all zeros).
    first : callable or None
        The first fit (:func:`lifetimes_first`, :func:`own_first`): log-parameters on the
        caller's scale with lifetimes' fitter (or None), or None when it failed.
    first_label, first_start
        How the first fit optimises and from where (parameters on the caller's scale), for the diagnostics.
    starts : list of ndarray
        Further starting points, in rescaled log-parameters.
    floor : float
        A log-likelihood the maximum cannot lie below (a nested model's maximum).
    offset : float
        log L(caller's time) - log L(rescaled time), sum(w x) log(1 / max T) for the
        counting models; used where the caller's scale overflows.
    grad : callable or None
        Gradient of ``scaled_nll`` for the restart and the search (None: autograd
        when ``exact``, central differences otherwise).
    restart_budget : int or None
        Most evaluations the restart may spend (it only has to show a gain over
        ``GAIN``; the search from several starts continues from where it stopped).
    """
    scaled_nll = scaled_nll or nll
    got = first() if first is not None else None
    at, fitter = got if got is not None else (None, None)
    tried: list[np.ndarray] = []
    if at is not None:
        ll_first = -optimise.evaluate(nll, at)
        restart = optimise.maximise(scaled_nll, [at + scale], exact=exact, polish=False, grad=grad,
                                    budget=restart_budget)
        gained = -optimise.evaluate(nll, restart.log_params - scale) - ll_first
        if np.isfinite(ll_first) and gained <= GAIN and ll_first >= floor - GAIN:
            shown = (tuple(first_start), tuple(float(v) for v in np.exp(at)))
            return Search(at, ll_first, first_label, shown if first_start else shown[1:], fitter)
        tried = [restart.log_params]  # the first estimate, already improved by the restart
    found = optimise.maximise(scaled_nll, tried + list(starts), exact=exact, grad=grad)
    best = found.log_params - scale
    if at is not None:
        label = f"{first_label} stopped short; then {found.optimiser}"
    elif first is not None:
        label = f"{first_label} found no valid maximum; then {found.optimiser}"
    else:
        label = found.optimiser
    shown = tuple(tuple(float(v) for v in np.exp(np.asarray(s) - scale)) for s in found.starts)
    ll = -optimise.evaluate(nll, best)
    if not np.isfinite(ll):  # the caller's time scale overflows where the rescaled one does not
        ll = -found.nll + offset
    return Search(best, ll, label, shown, None)


def verified_fit(name: str, label: str, cls: type, nll: Callable[[np.ndarray], float], *,
                 first: First, first_label: str, starts: list[np.ndarray], weights: np.ndarray,
                 n_patterns: int, grad: Callable[[np.ndarray], np.ndarray] | None = None) -> FittedModel:
    """A model without a nested no-dropout limit (Gamma-Gamma, BG/BB): the first fit, checked.

    The first estimate (lifetimes' fit, or lifetimes' method on kamlab's
    likelihood) is kept when a restart gains nothing (:func:`search_maximum`, no
    time rescaling; ``grad`` the closed-form gradient of ``nll``, else
    autograd's); otherwise kamlab's search from that point and ``starts``
    (log-parameters) takes over. Standard errors: lifetimes' where its fitter
    was kept, from the Hessian of ``grad`` when given, else numerical.

    Raises
    ------
    FitError
        When no start reaches a finite likelihood.
    """
    k = len(starts[0])
    found = search_maximum(nll, scale=np.zeros(k), first=first, first_label=first_label,
                           first_start=tuple(float(v) for v in np.exp(np.full(k, 0.1))), starts=starts, exact=True,
                           grad=grad)
    if not np.isfinite(found.log_likelihood):
        raise FitError(f"fit_{name}: no start reached a finite likelihood on {int(weights.sum()):,} accounts "
                       f"({n_patterns:,} distinct patterns); the data are too few or degenerate for {label}.")
    fitter = found.fitter
    names = list(fitter.params_.index) if fitter is not None else list(_PARAMS[name])
    if fitter is None:
        fitter = cls()
        fitter.params_ = pd.Series(np.exp(found.log_params), index=names)
    params = pd.Series(np.exp(found.log_params), index=names, dtype=float)
    if found.fitter is not None:
        se = lifetimes_standard_errors(fitter)
    elif grad is not None:
        se = gradient_standard_errors(grad, found.log_params, params.index)
    else:
        se = numerical_standard_errors(lambda p: nll(np.log(p)), params.to_numpy(), params.index)
    at = tuple(f"{n} -> {'0' if e < 0 else 'inf'}" for n, e in zip(names, optimise.at_bound(found.log_params)) if e)
    slope = grad(found.log_params) if grad is not None else optimise.gradient(nll, found.log_params, exact=True)
    diagnostics = FitDiagnostics(
        optimiser=found.optimiser, starts=found.starts, gradient_norm=float(np.linalg.norm(slope)),
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
