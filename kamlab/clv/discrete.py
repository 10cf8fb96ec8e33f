"""The BG/BB model for discrete transaction opportunities, through lifetimes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .fitting import lifetimes_first, penalised_diagnostics, run_fit, verified_fit
from .results import FittedModel
from .summaries import BGBB, check_summary, compress

__all__ = ["fit_bgbb"]


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

    def nll(lp):
        return cls._negative_log_likelihood(lp, x, tx, n, w, 0.0) * w.sum()

    if penalizer > 0:
        fitter = run_fit(lambda: cls(penalizer_coef=penalizer).fit(x, tx, n, weights=w), "fit_bgbb", w.sum(),
                         len(data))
        params = fitter.params_.astype(float).copy()
        return FittedModel(name="bgbb", params=params, standard_errors=None,
                           log_likelihood=-float(nll(np.log(params.to_numpy()))), n_accounts=int(round(w.sum())),
                           n_patterns=len(data), model=fitter,
                           diagnostics=penalised_diagnostics("BG/BB", penalizer))
    return verified_fit("bgbb", "BG/BB", cls, nll, first=lifetimes_first(lambda: cls().fit(x, tx, n, weights=w)),
                        first_label="lifetimes (BFGS)", starts=[np.zeros(4), np.array([0.0, 0.0, -2.0, 1.0])], weights=w, n_patterns=len(data))
