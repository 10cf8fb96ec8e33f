"""The Gamma-Gamma model of spend per purchase: kamlab's likelihood, maximised as lifetimes does."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kamlab.data import format_rows

from .fitting import OWN_BFGS, own_first, penalised_diagnostics, run_fit, verified_fit
from .likelihoods import gamma_gamma_objective
from .results import FittedModel
from .summaries import SummaryError, check_summary, compress

__all__ = ["fit_gamma_gamma"]


def fit_gamma_gamma(summary: pd.DataFrame, *, compressed: bool = True, penalizer: float = 0.0) -> FittedModel:
    """Fit the Gamma-Gamma model of spend per purchase (the model of lifetimes' ``GammaGammaFitter``).

    Each purchase of account i has value z ~ Gamma(p, nu_i), nu_i ~ Gamma(q, v);
    the mean spend m_x of x purchases has density (Fader & Hardie 2013, note 025)

        f(m_x | p, q, v, x) = Gamma(px+q) / (Gamma(px) Gamma(q))
                              * v^q m_x^(px-1) x^(px) / (v + m_x x)^(px+q)

    Fitted on accounts with at least one repeat purchase (frequency > 0) only,
    whose ``monetary_value`` is the mean value of their repeat purchases; the
    model assumes spend is independent of purchase frequency (check the
    correlation before relying on it). The likelihood is kamlab's own
    (:func:`kamlab.clv.likelihoods.gamma_gamma_objective`, closed-form
    gradient), maximised as lifetimes does (BFGS from p = q = v = e^0.1, on the
    mean log-likelihood) and checked by a restart (:func:`kamlab.clv.fitting.verified_fit`);
    ``model`` is a lifetimes ``GammaGammaFitter`` carrying the estimate. A
    penalised fit is lifetimes' own.

    Parameters
    ----------
    summary : DataFrame
        ``frequency`` and ``monetary_value`` (currency units per purchase).
    compressed, penalizer
        As :func:`fit_bgnbd`.

    Returns
    -------
    FittedModel
        ``params`` p, q, v (v is the paper's gamma, in currency units).

    Raises
    ------
    SummaryError
        If a repeat buyer has a non-positive monetary value (returns netted out),
        naming the accounts, or if no account has a repeat purchase.
    """
    import lifetimes

    summary = check_summary(summary, ("frequency", "monetary_value"), "fit_gamma_gamma")
    frequency, spend = summary["frequency"].to_numpy(), summary["monetary_value"].to_numpy()
    repeat = frequency > 0
    if not repeat.any():
        raise SummaryError("fit_gamma_gamma: no account has a repeat purchase (frequency > 0); nothing to fit.")
    bad = repeat & (spend <= 0)
    if bad.any():
        ids = format_rows(summary.index[bad])
        raise SummaryError(
            f"fit_gamma_gamma: {int(bad.sum())} repeat buyer(s) have monetary_value <= 0 ({ids}); "
            "the Gamma-Gamma model needs positive spend per purchase. Net returns against the "
            "purchases they belong to, or leave those accounts out before fitting."
        )
    cols = ("frequency", "monetary_value")
    repeat = pd.DataFrame({c: summary[c].to_numpy()[repeat] for c in (*cols, "weights") if c in summary})
    data = compress(repeat, cols) if compressed else repeat.assign(
        weights=repeat["weights"] if "weights" in repeat else 1
    )
    x = data["frequency"].to_numpy().astype(float)
    m = data["monetary_value"].to_numpy().astype(float)
    w = data["weights"].to_numpy().astype(float)
    cls = lifetimes.GammaGammaFitter

    def nll(lp):
        return cls._negative_log_likelihood(lp, x, m, w, 0.0) * w.sum()

    if penalizer > 0:
        fitter = run_fit(lambda: cls(penalizer_coef=penalizer).fit(x, m, weights=w), "fit_gamma_gamma", w.sum(),
                         len(data))
        params = fitter.params_.astype(float).copy()
        return FittedModel(name="gamma_gamma", params=params, standard_errors=None,
                           log_likelihood=-float(nll(np.log(params.to_numpy()))), n_accounts=int(round(w.sum())),
                           n_patterns=len(data), model=fitter,
                           diagnostics=penalised_diagnostics("Gamma-Gamma", penalizer))
    mean = float(np.log(np.average(m, weights=w)))
    objective = gamma_gamma_objective(x, m, w)
    return verified_fit("gamma_gamma", "Gamma-Gamma", cls, objective,
                        first=own_first(objective, np.full(3, 0.1), np.zeros(3), weight=w.sum()),
                        first_label=OWN_BFGS, grad=objective.grad,
                        starts=[np.array([0.0, np.log(2.0), mean]), np.array([np.log(5.0), np.log(3.0), mean])],
                        weights=w, n_patterns=len(data))
