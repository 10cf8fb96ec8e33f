"""Metrics of key sets: overlap between sets and gain curves (the intervals of captured shares: ``intervals``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from kamlab.definitions.selection import ranking_positions, tie_ranks

from .intervals import bootstrap_captures, percentile_interval  # noqa: F401  (re-exported: their old home)
from .positions import aligned_values, gain_from_order, gain_points, jaccard, membership, positions_in


def overlap_matrix(selections: Mapping[str, pd.Index]) -> pd.DataFrame:
    """Jaccard overlap of every pair of key sets, |A & B| / |A | B|, as a square frame.

    Computed at once from the 0/1 membership matrix X (accounts x sets):
    |A & B| = (X'X)_ab and |A | B| = |A| + |B| - |A & B| (two empty sets overlap 1).
    """
    names = list(selections)
    everyone = pd.Index([]).append([selections[name] for name in names]).unique()
    positions = [positions_in(selections[name], everyone) for name in names]
    return jaccard(membership(positions, len(everyone)), names)


def pair_overlaps(overlap: pd.DataFrame, names: Sequence[str] | None = None) -> pd.Series:
    """The overlap of every unordered pair of ``names`` (default: all), each pair once.

    Pairs (a, b) with a before b in ``names``, in that (row-major) order,
    indexed by a MultiIndex (first, second).
    """
    names = [n for n in (overlap.index if names is None else names) if n in overlap.index]
    pairs = [(a, b) for i, a in enumerate(names) for b in names[i + 1:]]
    values = [float(overlap.loc[a, b]) for a, b in pairs]
    index = pd.MultiIndex.from_tuples(pairs, names=["first", "second"]) if pairs else \
        pd.MultiIndex.from_tuples([], names=["first", "second"])
    return pd.Series(values, index=index, name="jaccard", dtype=float)


@dataclass(frozen=True)
class AlikePairs:
    """The most and the least alike pair of key sets, and the spread of all pairs.

    Attributes
    ----------
    most, least : tuple (str, str, float)
        (first, second, Jaccard overlap); ties go to the pair listed first.
    n_pairs : int
        Number of pairs compared.
    median : float
        Median overlap over all pairs.
    """

    most: tuple[str, str, float]
    least: tuple[str, str, float]
    n_pairs: int
    median: float


def most_and_least_alike(overlap: pd.DataFrame, names: Sequence[str] | None = None) -> AlikePairs | None:
    """The pairs of key sets that agree most and least (Jaccard), or None with fewer than two sets."""
    pairs = pair_overlaps(overlap, names)
    if pairs.empty:
        return None
    high, low = pairs.idxmax(), pairs.idxmin()
    return AlikePairs(most=(*high, float(pairs[high])), least=(*low, float(pairs[low])),
                      n_pairs=len(pairs), median=float(pairs.median()))


def gain_curve(scores: pd.Series, outcome: pd.Series, *, points: int = 201) -> pd.DataFrame:
    """Captured share of an outcome against the share of accounts selected in key order.

    Accounts are ranked as by :func:`kamlab.definitions.select`; at each of
    ``points`` shares s on [0, 1] the curve gives, with k = round(s * n),

        captured(k) = sum of y over the k first accounts / sum of y over all.

    Non-decreasing for a non-negative outcome (revenue); for profit it falls
    where the ranking reaches money-losing accounts.

    Returns
    -------
    pd.DataFrame
        ``share_of_accounts`` (k / n) and ``captured``.
    """
    y = outcome.to_numpy(dtype=float)
    order = ranking_positions(aligned_values(scores, outcome.index), tie_ranks(outcome.index))
    ks = gain_points(len(y), points)
    return pd.DataFrame({"share_of_accounts": ks / len(y), "captured": gain_from_order(order, y, ks)})
