"""What a fit returns: the fitted model, its errors, and the published estimates to compare with."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["PUBLISHED", "FitError", "FitDiagnostics", "FittedModel"]

#: Published estimates, for side-by-side tables. BG/NBD and Pareto/NBD on the
#: 2,357-customer CDNOW sample, weeks (Fader, Hardie & Lee 2005a, section 5);
#: Gamma-Gamma on its 946 repeat buyers (Fader & Hardie 2013, note 025); BG/BB on
#: the donations data (Fader, Hardie & Shang 2010, Table 2).
PUBLISHED: dict[str, dict[str, float]] = {
    "bgnbd": {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426, "log_likelihood": -9582.4},
    "pareto_nbd": {"r": 0.553, "alpha": 10.58, "s": 0.606, "beta": 11.67, "log_likelihood": -9595.0},
    "gamma_gamma": {"p": 6.25, "q": 3.74, "v": 15.44},
    "bgbb": {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783, "log_likelihood": -33225.6},
}


class FitError(ValueError):
    """The optimiser found no maximum of the likelihood (too few or degenerate data)."""


@dataclass(frozen=True)
class FitDiagnostics:
    """How a fit reached its estimate, and whether it is the maximum.

    Attributes
    ----------
    optimiser : str
        What produced the estimate: the first fit when it was kept ("lifetimes
        (BFGS)" for lifetimes' own fit, "BFGS as lifetimes runs it, on kamlab's
        likelihood", "BFGS from r = alpha = s = beta = 1"), or kamlab's search,
        e.g. "... stopped short; then L-BFGS-B, then Nelder-Mead".
    starts : tuple of tuple of float
        Every starting point tried, in the model's parameters (``params`` order;
        rate parameters in the summary's period).
    gradient_norm : float
        Euclidean norm of the gradient of the total log-likelihood with respect
        to the log-parameters at the estimate (0 at an interior maximum). For a
        boundary solution, the gradient of the limiting model (NBD) at its estimate.
    bound_active : bool
        True when the estimate is a boundary solution: a parameter runs off to
        0 or infinity (``at_bound`` names them).
    at_bound : tuple of str
        The parameters at a bound, each with its direction, e.g. ``("a -> 0",)``.
    nested_log_likelihood : float
        Maximum log-likelihood of the nested model without dropout (NBD) on the
        same data; NaN for models that do not nest it (spend, BG/BB).
    reduces_to : str or None
        ``"nbd"`` when the fit is the no-dropout limit (no detectable dropout):
        predictions are those of the NBD model; None otherwise.
    note : str
        One sentence on the outcome, e.g. "no detectable dropout: BG/NBD reduces to NBD".
    """

    optimiser: str
    starts: tuple[tuple[float, ...], ...]
    gradient_norm: float
    bound_active: bool
    at_bound: tuple[str, ...]
    nested_log_likelihood: float
    reduces_to: str | None
    note: str


@dataclass(frozen=True)
class FittedModel:
    """A fitted BTYD or spend model.

    Attributes
    ----------
    name : str
        ``"bgnbd"``, ``"pareto_nbd"``, ``"mbgnbd"``, ``"nbd"``, ``"gamma_gamma"`` or ``"bgbb"``.
    params : Series
        Maximum-likelihood estimates, named as in the papers (``r, alpha, a, b``;
        ``r, alpha, s, beta``; ``p, q, v`` with ``v`` = the paper's gamma;
        ``alpha, beta, gamma, delta``; ``r, alpha`` for NBD). Rate parameters are
        in the summary's period. A no-dropout limit carries its limiting values
        (BG/NBD ``a = 0, b = inf``; Pareto/NBD ``s = 0, beta = inf``).
    standard_errors : Series or None
        Asymptotic standard errors from the inverse Hessian of the negative
        log-likelihood at the estimate: by central differences of kamlab's
        closed-form gradient for BG/NBD and Gamma-Gamma (lifetimes takes the same
        Hessian by autograd), lifetimes' own where its fitter was kept, a
        numerical Hessian (Richardson-extrapolated central differences) for
        Pareto/NBD, where lifetimes has none. None if the Hessian is not positive
        definite (the estimate sits on a flat ridge; the errors are not available).
    log_likelihood : float
        Maximised log-likelihood on the caller's time scale (summed over accounts).
    n_accounts : int
        Accounts the model was fitted on (sum of the weights).
    n_patterns : int
        Distinct rows actually passed to the optimiser after compression.
    model : object
        A lifetimes fitter carrying the estimate (its ``params_``), for anything
        this module does not wrap; None for the NBD model and the no-dropout
        limit, which lifetimes does not have.
    diagnostics : FitDiagnostics
        Optimiser, starts, gradient norm, bounds and the check against the
        nested no-dropout (NBD) maximum.
    """

    name: str
    params: pd.Series
    standard_errors: pd.Series | None
    log_likelihood: float
    n_accounts: int
    n_patterns: int
    model: Any
    diagnostics: FitDiagnostics | None = None

    @property
    def reduces_to(self) -> str | None:
        """``"nbd"`` when the fit is the no-dropout limit, else None."""
        return self.diagnostics.reduces_to if self.diagnostics is not None else None

    def table(self) -> pd.DataFrame:
        """Estimates and standard errors side by side (NaN where not available)."""
        se = self.standard_errors if self.standard_errors is not None else np.nan
        return pd.DataFrame({"estimate": self.params, "std_error": se})

    def beside(self, published: dict[str, float]) -> pd.DataFrame:
        """Estimates, standard errors and published values side by side, with the log-likelihood as a last row."""
        table = self.table()
        table.loc["log_likelihood", "estimate"] = self.log_likelihood
        table["published"] = pd.Series(published, dtype=float)
        return table
