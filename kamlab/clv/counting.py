"""BG/NBD, Pareto/NBD and MBG/NBD: fits that end at the maximum, or at the no-dropout limit.

Each fit runs a first fit, checks its estimate (:func:`kamlab.clv.fitting.search_maximum`)
against a restart and against the nested NBD maximum (:mod:`kamlab.clv.nbd`),
and searches from several starts when the first fit fails or stops short. The
first fit of BG/NBD is lifetimes' method (BFGS from lifetimes' start) on
kamlab's own likelihood with its closed-form gradient
(:mod:`kamlab.clv.likelihoods`), so it reaches lifetimes' estimate; that of
Pareto/NBD is BFGS from lifetimes' start (r = alpha = s = beta = 1 on time
rescaled to max T = 1) in log-parameters, with a tighter tolerance, on
kamlab's own likelihood (:mod:`kamlab.clv.pareto`, each hypergeometric term
once per distinct (x, t) pair, gradient by central differences); MBG/NBD runs
lifetimes' fitter. A penalised fit is lifetimes' own. When the
data show no detectable dropout, the likelihood rises towards the boundary where
the model becomes NBD (BG/NBD and MBG/NBD: a -> 0 or b -> inf; Pareto/NBD:
s -> 0 or beta -> inf) and never beats the NBD maximum: the fit then returns
that limit, says so ("no detectable dropout: BG/NBD reduces to NBD") and
predicts with NBD. Nothing raises on such data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from . import optimise
from .fitting import (GAIN, OWN_BFGS, Search, gradient_standard_errors, lifetimes_first, lifetimes_standard_errors,
                      numerical_standard_errors, own_first, penalised_diagnostics, run_fit, search_maximum)
from .likelihoods import bgnbd_objective
from .nbd import NbdMaximum, _standard_errors as nbd_standard_errors, nbd_maximum
from .pareto import pareto_objective
from .patterns import Patterns
from .results import FitDiagnostics, FittedModel
from .summaries import RFM, check_summary, compress

__all__ = ["CountingModel", "MODELS", "fit_counting", "fit_patterns", "fit_bgnbd", "fit_pareto_nbd", "fit_mbgnbd"]


@dataclass(frozen=True)
class CountingModel:
    """What the shared fitting path needs to know about one counting model."""

    name: str                                 # "bgnbd", "pareto_nbd", "mbgnbd"
    label: str                                # "BG/NBD"
    names: tuple[str, ...]                    # parameter names, in lifetimes' order
    fitter: str                               # lifetimes class name
    rates: tuple[bool, ...]                   # which parameters are rates (per period)
    toward_nbd: tuple[tuple[int, int], ...]   # (parameter, -1 lower / +1 upper bound) that mean "no dropout"
    limit: tuple[float, float]                # reported dropout parameters at the NBD limit
    exact: bool                               # lifetimes' likelihood differentiable by autograd
    objective: Callable | None = None         # kamlab's own likelihood of Patterns (an Objective), if any
    analytic: bool = False                    # whose gradient is in closed form

    def lifetimes_class(self):
        import lifetimes

        return getattr(lifetimes, self.fitter)

    def nll(self, x, tx, T, w) -> Callable[[np.ndarray], float]:
        """Total negative log-likelihood of log-parameters: kamlab's own (an Objective, with ``grad``)
        where the model has one, else through lifetimes' likelihood."""
        if self.objective is not None:
            return self.objective(Patterns.of(x, tx, T, w))
        cls = self.lifetimes_class()
        if self.name == "pareto_nbd":
            return lambda lp: -np.sum(w * cls._conditional_log_likelihood(np.exp(lp), x, tx, T))
        return lambda lp: cls._negative_log_likelihood(lp, x, tx, T, w, 0.0) * w.sum()


MODELS = {
    "bgnbd": CountingModel("bgnbd", "BG/NBD", ("r", "alpha", "a", "b"), "BetaGeoFitter",
                           (False, True, False, False), ((2, -1), (3, 1)), (0.0, np.inf), True,
                           bgnbd_objective, True),
    "mbgnbd": CountingModel("mbgnbd", "MBG/NBD", ("r", "alpha", "a", "b"), "ModifiedBetaGeoFitter",
                            (False, True, False, False), ((2, -1), (3, 1)), (0.0, np.inf), True),
    "pareto_nbd": CountingModel("pareto_nbd", "Pareto/NBD", ("r", "alpha", "s", "beta"), "ParetoNBDFitter",
                                (False, True, False, True), ((2, -1), (3, 1)), (0.0, np.inf), False,
                                pareto_objective, False),
}


def _lifetimes_fit(model: CountingModel, x, tx, T, w, penalizer: float):
    """lifetimes' own fit: BG/NBD and MBG/NBD as lifetimes does them; Pareto/NBD from a fixed start
    (lifetimes starts at random), BFGS first and lifetimes' Nelder-Mead when BFGS gives no valid point."""
    cls = model.lifetimes_class()
    if model.name != "pareto_nbd":
        return lambda: cls(penalizer_coef=penalizer).fit(x, tx, T, weights=w)

    def fit():
        first = cls(penalizer_coef=penalizer).fit(x, tx, T, weights=w, initial_params=np.ones(4), tol=1e-6,
                                                  fit_method="BFGS")
        with np.errstate(all="ignore"):
            ok = np.all(first.params_ > 0) and np.isfinite(optimise.evaluate(model.nll(x, tx, T, w), np.log(first.params_)))
        return first if ok else cls(penalizer_coef=penalizer).fit(x, tx, T, weights=w,
                                                                   initial_params=np.ones(4), tol=1e-6)
    return fit


def _starts(model: CountingModel, nbd: NbdMaximum, scale: np.ndarray) -> list[np.ndarray]:
    """Starts in rescaled log-parameters: next to the NBD limit, a moderate dropout, and lifetimes' own."""
    r, alpha = np.log(nbd.r) + scale[0], np.log(nbd.alpha) + scale[1]
    return [np.array([r, alpha, np.log(1e-3), 0.0]), np.array([r, alpha, 0.0, 0.0]), np.full(4, 0.1)]


def _bounds(model: CountingModel, log_params: np.ndarray) -> tuple[str, ...]:
    edges = optimise.at_bound(log_params)
    return tuple(f"{n} -> {'0' if e < 0 else 'inf'}" for n, e in zip(model.names, edges) if e)


def _reduces(model: CountingModel, found: Search, nbd: NbdMaximum, scaled: np.ndarray) -> bool:
    """No detectable dropout: the fit does not beat the NBD maximum, or it runs to the NBD boundary
    (a dropout parameter at its no-dropout bound, every other parameter inside), whose supremum is
    the NBD maximum."""
    edges = optimise.at_bound(scaled)
    active = {(i, int(e)) for i, e in enumerate(edges) if e}
    to_nbd = bool(active) and active <= set(model.toward_nbd)
    return to_nbd or found.log_likelihood <= nbd.log_likelihood + GAIN


def _limit_fit(model, nbd: NbdMaximum, found: Search, x, T, w, n_patterns: int) -> FittedModel:
    """The NBD limit of a counting model, with NBD's estimate and predictions."""
    params = pd.Series([nbd.r, nbd.alpha, *model.limit], index=list(model.names), dtype=float)
    se = nbd_standard_errors(x, T, w, nbd.r, nbd.alpha).reindex(params.index)
    gone = " or ".join(f"{model.names[i]} -> {'0' if d < 0 else 'inf'}" for i, d in model.toward_nbd)
    note = (f"no detectable dropout: {model.label} reduces to NBD ({gone}); its maximum, "
            f"log-likelihood {nbd.log_likelihood:,.3f}, is the NBD maximum")
    diagnostics = FitDiagnostics(
        optimiser=found.optimiser, starts=found.starts, gradient_norm=nbd.gradient_norm, bound_active=True,
        at_bound=tuple(f"{model.names[i]} -> {'0' if d < 0 else 'inf'}" for i, d in model.toward_nbd[:1]),
        nested_log_likelihood=nbd.log_likelihood, reduces_to="nbd", note=note)
    return FittedModel(name=model.name, params=params, standard_errors=se, log_likelihood=nbd.log_likelihood,
                       n_accounts=int(round(w.sum())), n_patterns=n_patterns, model=None, diagnostics=diagnostics)


def _interior_fit(model, found: Search, nbd: NbdMaximum, nll, scaled, w, n_patterns: int) -> FittedModel:
    """A counting model at its maximum (interior, or on a bound that is not the NBD limit)."""
    params = pd.Series(np.exp(found.log_params), index=list(model.names), dtype=float)
    fitter = found.fitter
    if fitter is None:  # a lifetimes fitter carrying the estimate, for predictions
        fitter = model.lifetimes_class()()
        fitter.params_ = params.copy()
        fitter.predict = fitter.conditional_expected_number_of_purchases_up_to_time
    if found.fitter is not None and model.exact:
        se = lifetimes_standard_errors(fitter)
    elif model.analytic:
        se = gradient_standard_errors(nll.grad, found.log_params, params.index)
    else:
        se = numerical_standard_errors(lambda p: nll(np.log(p)), params.to_numpy(), params.index)
    at = _bounds(model, scaled)
    gain = found.log_likelihood - nbd.log_likelihood
    where = f"boundary solution ({', '.join(at)})" if at else "maximum reached"
    note = f"{model.label}: {where}, log-likelihood {gain:,.3f} above the no-dropout (NBD) maximum"
    grad = nll.grad(found.log_params) if model.objective is not None else optimise.gradient(
        nll, found.log_params, exact=model.exact)
    diagnostics = FitDiagnostics(
        optimiser=found.optimiser, starts=found.starts, gradient_norm=float(np.linalg.norm(grad)),
        bound_active=bool(at), at_bound=at, nested_log_likelihood=nbd.log_likelihood, reduces_to=None, note=note)
    return FittedModel(name=model.name, params=params, standard_errors=se, log_likelihood=found.log_likelihood,
                       n_accounts=int(round(w.sum())), n_patterns=n_patterns, model=fitter, diagnostics=diagnostics)


def _penalised_fit(model, x, tx, T, w, penalizer: float, n_patterns: int, nbd: NbdMaximum) -> FittedModel:
    """lifetimes' penalised fit as it is (a maximum of another objective: not searched, not reduced)."""
    fitter = run_fit(_lifetimes_fit(model, x, tx, T, w, penalizer), f"fit_{model.name}", w.sum(), n_patterns)
    params = fitter.params_.astype(float).copy()
    nll = model.nll(x, tx, T, w)
    diagnostics = penalised_diagnostics(model.label, penalizer, nbd.log_likelihood)
    return FittedModel(name=model.name, params=params, standard_errors=None,
                       log_likelihood=-optimise.evaluate(nll, np.log(params.to_numpy())), n_accounts=int(round(w.sum())),
                       n_patterns=n_patterns, model=fitter, diagnostics=diagnostics)


def _first(model: CountingModel, x, tx, T, w, c: float, scale: np.ndarray):
    """The first fit, the objectives on both time scales, and how the first fit is named and starts."""
    if model.objective is None:  # lifetimes' fitter
        return (lifetimes_first(_lifetimes_fit(model, x, tx, T, w, 0.0)), "lifetimes (BFGS)", np.exp(0.1),
                model.nll(x, tx, T, w), model.nll(x, tx * c, T * c, w))
    patterns = Patterns.of(x, tx, T, w)
    nll, scaled = model.objective(patterns), model.objective(patterns.rescaled(c))
    if model.analytic:  # lifetimes' BFGS from 0.1 in rescaled log-parameters, on kamlab's likelihood
        first = own_first(scaled, np.full(4, 0.1), scale, weight=float(w.sum()))
        return first, OWN_BFGS, np.exp(0.1), nll, scaled
    # lifetimes' start (its BFGS ran on the parameters, with finite differences), a tighter tolerance
    # (lifetimes': 1e-6), and a budget for when the gradient's noise stalls the last line search
    first = own_first(scaled, np.zeros(4), scale, weight=float(w.sum()), tol=1e-8, strict=False, budget=50)
    return first, "BFGS from r = alpha = s = beta = 1", 1.0, nll, scaled


def fit_counting(name: str, summary: pd.DataFrame, *, compressed: bool, penalizer: float) -> FittedModel:
    """Shared fitting path of BG/NBD, Pareto/NBD and MBG/NBD (see the module docstring)."""
    model = MODELS[name]
    summary = check_summary(summary, RFM, f"fit_{name}")
    data = compress(summary) if compressed else summary.assign(
        weights=summary["weights"] if "weights" in summary else 1)
    x = data["frequency"].to_numpy().astype(int)
    tx, T, w = (data[c].to_numpy(dtype=float) for c in ("recency", "T", "weights"))
    nbd = nbd_maximum(x, T, w)
    if penalizer > 0:
        return _penalised_fit(model, x, tx, T, w, penalizer, len(data), nbd)
    return fit_patterns(name, x, tx, T, w, nbd)


def fit_patterns(name: str, x: np.ndarray, tx: np.ndarray, T: np.ndarray, w: np.ndarray,
                 nbd: NbdMaximum) -> FittedModel:
    """The maximum-likelihood fit of a counting model on weighted patterns whose NBD maximum is ``nbd``
    (:func:`kamlab.clv.nbd.nbd_maximum`), as :func:`fit_counting` gives it without a penalty."""
    model = MODELS[name]
    c = 1.0 / float(T.max()) if T.max() > 0 else 1.0
    scale = np.where(model.rates, np.log(c), 0.0)
    first, label, start, nll, scaled_nll = _first(model, x, tx, T, w, c, scale)
    found = search_maximum(
        nll, scale=scale, first=first, first_label=label,
        first_start=tuple(float(v) for v in np.exp(np.where(model.rates, -np.log(c), 0.0)) * start),
        starts=_starts(model, nbd, scale), exact=model.exact, floor=nbd.log_likelihood,
        scaled_nll=scaled_nll, offset=float((w * x).sum() * np.log(c)),
        grad=getattr(scaled_nll, "grad", None), restart_budget=None if model.analytic or model.objective is None else 10,
    )
    scaled = found.log_params + scale
    if _reduces(model, found, nbd, scaled):
        return _limit_fit(model, nbd, found, x, T, w, len(x))
    return _interior_fit(model, found, nbd, nll, scaled, w, len(x))


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
    return fit_counting("bgnbd", summary, compressed=compressed, penalizer=penalizer)


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
    return fit_counting("pareto_nbd", summary, compressed=compressed, penalizer=penalizer)


def fit_mbgnbd(summary: pd.DataFrame, *, compressed: bool = True, penalizer: float = 0.0) -> FittedModel:
    """Fit the MBG/NBD model (lifetimes ``ModifiedBetaGeoFitter``).

    As BG/NBD, but an account can also drop out right after its first purchase,
    so zero-repeat accounts may be inactive (Batislam, Denizel & Filiztekin 2007;
    Wagner & Hoppe 2008). Parameters and returns as :func:`fit_bgnbd`.
    """
    return fit_counting("mbgnbd", summary, compressed=compressed, penalizer=penalizer)
