"""Maximising a log-likelihood from several starts, and how close the answer is to the maximum.

Every model of :mod:`kamlab.clv` is fitted in log-parameters (all parameters
are positive), where a likelihood that keeps rising as a parameter runs off to
0 or infinity (a boundary solution, e.g. no detectable dropout) shows up as a
log-parameter reaching the edge of a wide search box, ``[-BOUND, BOUND]``.

:func:`maximise` runs L-BFGS-B from every start, then Nelder-Mead from the best
point when the gradient there is not yet flat, and keeps whichever reached the
highest likelihood; :func:`gradient` and :func:`hessian` use automatic
differentiation (autograd, as lifetimes does) when the likelihood supports it
and central differences otherwise.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy.optimize import minimize

__all__ = ["BOUND", "Optimum", "maximise", "evaluate", "gradient", "hessian", "at_bound"]

#: Half-width of the search box in log-parameters: exp(+-18) = 1.5e-8 .. 6.6e7.
BOUND = 18.0
#: A log-parameter within this distance of the edge of the box counts as "at the bound": it is
#: running off to 0 or infinity (beyond exp(+-12) = 6e-6 .. 1.6e5 on time rescaled to max(T) = 1),
#: where the likelihood is flat to within the optimisers' tolerance.
_EDGE = 6.0
#: Gradient norm (total log-likelihood per unit log-parameter) below which a point is taken as flat.
GRADIENT_TOLERANCE = 1e-3


@dataclass(frozen=True)
class Optimum:
    """Where an optimiser stopped.

    Attributes
    ----------
    log_params : ndarray
        The estimate, in log-parameters.
    nll : float
        Total negative log-likelihood there.
    optimiser : str
        The optimiser(s) that produced it, e.g. "L-BFGS-B" or "L-BFGS-B, then Nelder-Mead".
    starts : tuple of tuple of float
        Every starting point tried, in log-parameters.
    """

    log_params: np.ndarray
    nll: float
    optimiser: str
    starts: tuple[tuple[float, ...], ...]


def _finite(nll: Callable[[np.ndarray], float]) -> Callable[[np.ndarray], float]:
    """The function with NaN and overflow mapped to +inf (outside the model's numerical range)."""

    def safe(theta: np.ndarray) -> float:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = float(nll(theta))
        return value if np.isfinite(value) else np.inf

    return safe


def evaluate(nll: Callable[[np.ndarray], float], theta: np.ndarray) -> float:
    """``nll(theta)`` as a float, without numpy's overflow warnings (NaN stays NaN)."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(nll(np.asarray(theta, dtype=float)))


def gradient(nll: Callable[[np.ndarray], float], theta: np.ndarray, *, exact: bool = False,
             step: float = 1e-5) -> np.ndarray:
    """Gradient of ``nll`` at ``theta``: autograd's when ``exact``, central differences otherwise."""
    theta = np.asarray(theta, dtype=float)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if exact:
            import autograd

            return np.asarray(autograd.grad(nll)(theta), dtype=float)
        out = np.empty_like(theta)
        for i in range(theta.size):
            e = np.zeros_like(theta)
            e[i] = step
            out[i] = (float(nll(theta + e)) - float(nll(theta - e))) / (2 * step)
    return out


def hessian(nll: Callable[[np.ndarray], float], theta: np.ndarray, *, exact: bool = False) -> np.ndarray:
    """Hessian of ``nll`` at ``theta``: autograd's when ``exact``, statsmodels' ``approx_hess`` otherwise."""
    theta = np.asarray(theta, dtype=float)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if exact:
            import autograd

            return np.asarray(autograd.hessian(nll)(theta), dtype=float)
        from statsmodels.tools.numdiff import approx_hess

        return np.asarray(approx_hess(theta, nll), dtype=float)


def at_bound(log_params: np.ndarray) -> np.ndarray:
    """Which log-parameters sit at an edge of the search box: -1 (lower), +1 (upper) or 0."""
    lp = np.asarray(log_params, dtype=float)
    return np.where(lp <= -BOUND + _EDGE, -1, np.where(lp >= BOUND - _EDGE, 1, 0))


def _lbfgsb(nll, grad, start: np.ndarray, budget: int | None = None):
    bounds = [(-BOUND, BOUND)] * start.size
    options = {"maxiter": 5000, "ftol": 1e-15, "gtol": 1e-9}
    if budget is not None:  # scipy checks maxfun between line searches: cap these too
        options.update(maxfun=budget, maxls=max(min(budget // 2, 20), 2))
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return minimize(nll, np.clip(start, -BOUND, BOUND), jac=grad, method="L-BFGS-B", bounds=bounds,
                        options=options)


def _nelder_mead(nll, start: np.ndarray):
    bounds = [(-BOUND, BOUND)] * start.size
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return minimize(nll, start, method="Nelder-Mead", bounds=bounds,
                        options={"maxiter": 4000, "maxfev": 4000, "xatol": 1e-7, "fatol": 1e-8})


def maximise(nll: Callable[[np.ndarray], float], starts: list[np.ndarray], *, exact: bool = False,
             polish: bool = True, grad: Callable[[np.ndarray], np.ndarray] | None = None,
             budget: int | None = None) -> Optimum:
    """Minimise a total negative log-likelihood over log-parameters from several starts.

    L-BFGS-B (box ``[-BOUND, BOUND]``; gradient ``grad`` when given, by
    autograd when ``exact``, else by finite differences) runs from every start.
    If the best point is not finite, or the gradient there (in the parameters
    away from the box) is steeper than ``GRADIENT_TOLERANCE`` (or 1e-8 of |nll|,
    the precision of a finite difference), Nelder-Mead continues from there
    (``polish``), then L-BFGS-B once more. The point with the lowest ``nll`` is returned with the
    optimisers that produced it and every start tried. ``budget`` caps the evaluations of each
    L-BFGS-B run from a start (None: until it converges).
    """
    safe = _finite(nll)
    if grad is None and exact:
        grad = lambda th: gradient(nll, th, exact=True)  # noqa: E731
    tried = tuple(tuple(float(v) for v in s) for s in starts)
    best, best_value, used = np.asarray(starts[0], dtype=float), np.inf, "L-BFGS-B"
    for start in starts:
        result = _lbfgsb(safe, grad, np.asarray(start, dtype=float), budget)
        if np.isfinite(result.fun) and result.fun < best_value:
            best, best_value = np.asarray(result.x, dtype=float), float(result.fun)
    free = at_bound(best) == 0
    g = gradient(safe, best)[free]
    flat = np.all(np.isfinite(g)) and np.linalg.norm(g) <= max(GRADIENT_TOLERANCE, 1e-8 * abs(best_value))
    if polish and (not np.isfinite(best_value) or (free.any() and not flat)):
        polished = _nelder_mead(safe, best)
        if np.isfinite(polished.fun) and polished.fun < best_value:
            again = _lbfgsb(safe, grad, np.asarray(polished.x, dtype=float))
            if np.isfinite(again.fun) and again.fun <= polished.fun:
                best, best_value, used = np.asarray(again.x), float(again.fun), "L-BFGS-B, then Nelder-Mead and L-BFGS-B"
            else:
                best, best_value, used = np.asarray(polished.x), float(polished.fun), "L-BFGS-B, then Nelder-Mead"
    return Optimum(log_params=best, nll=best_value, optimiser=used, starts=tried)
