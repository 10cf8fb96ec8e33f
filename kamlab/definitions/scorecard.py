"""Definition 7: the strategically important accounts, by a weighted scorecard, and how much the weights matter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pandas as pd

from .base import Definition, DefinitionScore, attributes
from .selection import key_account_count, tie_ranks, top_positions

#: Largest accounts x draws block of perturbed scores weight_sensitivity holds at once (20 M floats, 160 MB).
SENSITIVITY_CELLS = 20_000_000

#: Default weights of the strategic scorecard (each signal a percentile rank).
STRATEGIC_WEIGHTS = {"growth_potential": 0.25, "influence": 0.25, "strategic_fit": 0.25, "profit": 0.25}


@dataclass(frozen=True, kw_only=True)
class StrategicScore(DefinitionScore):
    """``strategic``'s score with the weights it used.

    Attributes
    ----------
    weights : dict
        Signal -> weight, the signals with a positive weight only.
    """

    weights: dict


def scorecard_signals(summary: pd.DataFrame, accounts: pd.DataFrame | None, columns) -> pd.DataFrame:
    """The scorecard's signals as percentile ranks in (0, 1] (ties share the average rank).

    ``profit`` and ``revenue`` come from the summary, every other signal from
    the accounts table; ``influence`` falls back to ``referrals``. Missing
    values get rank 0. Raises :class:`NotComputable` listing absent columns.
    """
    attrs = attributes(accounts, summary.index)
    found, missing = {}, []
    for name in columns:
        source = summary if name in ("profit", "revenue") else attrs
        column = name
        if name == "influence" and name not in source.columns and "referrals" in source.columns:
            column = "referrals"
        if column in source.columns:
            found[name] = source[column]
        else:
            missing.append("cost" if name == "profit" else name)
    if missing:  # before any ranking: on a million accounts without attributes this is all there is to do
        raise STRATEGIC.not_computable(tuple(missing), needs=tuple(columns))
    signals = {name: pd.to_numeric(values, errors="coerce").astype(float).rank(pct=True).fillna(0.0)
               for name, values in found.items()}
    return pd.DataFrame(signals, index=summary.index)


def strategic(
    summary: pd.DataFrame,
    accounts: pd.DataFrame | None = None,
    *,
    weights: Mapping[str, float] | None = None,
) -> StrategicScore:
    """Definition 7: the strategically important accounts, by a weighted scorecard.

    score_i = sum_j w_j * rank_ij / sum_j w_j

    where rank_ij is account i's percentile rank on signal j (so signals in
    different units can be added) and w_j the weights, by default equal on
    ``growth_potential``, ``influence`` (or ``referrals``), ``strategic_fit``
    and calibration ``profit``. The weights are opinions: see
    :func:`weight_sensitivity` for how much the key set depends on them.
    Signals with weight 0 are not needed.

    Returns
    -------
    StrategicScore
        Scores in [0, 1], and the weights used.
    """
    weights = dict(STRATEGIC_WEIGHTS if weights is None else weights)
    if any(w < 0 for w in weights.values()) or sum(weights.values()) <= 0:
        raise ValueError(f"strategic weights must be >= 0 with a positive sum, got {weights}")
    used = {k: float(w) for k, w in weights.items() if w > 0}
    signals = scorecard_signals(summary, accounts, tuple(used))
    w = np.array(list(used.values()))
    score = signals.to_numpy() @ (w / w.sum())
    needs = tuple("cost" if c == "profit" else c for c in used)
    return STRATEGIC.result(pd.Series(score, index=summary.index), needs, kind=StrategicScore, weights=used)


STRATEGIC = Definition(
    name="strategic", score=strategic,
    needs=("growth_potential", "influence", "strategic_fit", "cost"),
    risk="'are you sure?': the weights are opinions, and other weights pick other accounts",
)


def weight_sensitivity(
    summary: pd.DataFrame,
    accounts: pd.DataFrame | None,
    *,
    k: int,
    weights: Mapping[str, float] | None = None,
    n_draws: int = 200,
    concentration: float = 20.0,
    seed: int = 0,
) -> pd.DataFrame:
    """How much the strategic key set changes when the scorecard weights change.

    Draws weight vectors w* ~ Dirichlet(concentration * w / sum(w)) around the
    given weights (mean = the given weights; larger ``concentration`` = smaller
    perturbations: with 4 equal weights and concentration 20 each weight has a
    standard deviation of about 0.09 around 0.25), rescores, and compares the
    top-k set S* with the top-k set S of the given weights:

        turnover = 1 - |S* & S| / k    (share of key accounts replaced)

    The top-k sets are found on arrays (:func:`kamlab.definitions.selection.top_positions`,
    ties by ``customer_id`` as in :func:`kamlab.definitions.select`), the
    perturbed scores computed for blocks of draws of at most
    :data:`SENSITIVITY_CELLS` accounts x draws (all draws at once up to
    100,000 accounts).

    Parameters
    ----------
    k : int
        Number of key accounts.
    weights : mapping, optional
        The scorecard weights (default :data:`STRATEGIC_WEIGHTS`).
    n_draws : int
        Number of perturbed weight vectors.
    concentration : float
        Dirichlet concentration (> 0).
    seed : int
        Seed of the random draws.

    Returns
    -------
    pd.DataFrame
        One row per draw: the drawn weights (one column per signal) and ``turnover``.
    """
    base = strategic(summary, accounts, weights=weights)
    used = base.weights
    signals = scorecard_signals(summary, accounts, tuple(used)).to_numpy()
    w = np.array(list(used.values()))
    w = w / w.sum()
    if concentration <= 0:
        raise ValueError(f"concentration must be > 0, got {concentration}")
    k = key_account_count(len(summary), k=k)
    ties = tie_ranks(summary.index)
    in_base = np.zeros(len(summary), dtype=bool)
    in_base[top_positions(base.scores.to_numpy(), k, ties)] = True
    draws = np.random.default_rng(seed).dirichlet(concentration * w, size=n_draws)
    turnover = np.empty(n_draws)
    step = max(1, SENSITIVITY_CELLS // max(len(summary), 1))
    for start in range(0, n_draws, step):  # accounts x draws scores, a block of draws at a time
        scores = signals @ draws[start:start + step].T
        for j in range(scores.shape[1]):
            turnover[start + j] = 1 - in_base[top_positions(scores[:, j], k, ties)].sum() / k
    out = pd.DataFrame(draws, columns=list(used))
    out["turnover"] = turnover
    return out
