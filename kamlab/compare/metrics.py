"""Metrics of key sets: overlap between sets, gain curves, and bootstrap intervals of captured shares."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from kamlab.definitions import ranking


def overlap_matrix(selections: Mapping[str, pd.Index]) -> pd.DataFrame:
    """Jaccard overlap of every pair of key sets, |A & B| / |A | B|, as a square frame.

    Computed at once from the 0/1 membership matrix X (accounts x sets):
    |A & B| = (X'X)_ab and |A | B| = |A| + |B| - |A & B| (two empty sets overlap 1).
    """
    names = list(selections)
    everyone = pd.Index([]).append([selections[name] for name in names]).unique()
    member = np.column_stack([everyone.isin(selections[name]) for name in names]).astype(float)
    both = member.T @ member
    sizes = np.diag(both)
    union = sizes[:, None] + sizes[None, :] - both
    values = np.divide(both, union, out=np.ones_like(both), where=union > 0)
    return pd.DataFrame(values, index=pd.Index(names, name="definition"), columns=names)


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
    order = ranking(scores.reindex(outcome.index))
    y = outcome.reindex(order).to_numpy(dtype=float)
    cum = np.concatenate([[0.0], np.cumsum(y)])
    n = len(y)
    ks = np.unique(np.round(np.linspace(0, 1, points) * n).astype(int))
    return pd.DataFrame({"share_of_accounts": ks / n, "captured": cum[ks] / cum[-1]})


def bootstrap_captures(
    outcomes: np.ndarray, member: np.ndarray, *, n_bootstrap: int, seed: int, chunk_cells: int = 2_500_000
) -> np.ndarray:
    """Bootstrap replicates of every captured share, resampling accounts.

    outcomes: n x M (outcome per account), member: n x D (1 if key).
    Each replicate draws n accounts with replacement; with w_i the number of
    times account i was drawn, the replicate of a captured share is
    (w @ (y * s)) / (w @ y). The key sets stay as chosen on the calibration
    window (the interval is conditional on the selection). All replicates
    are computed at once, in chunks of about ``chunk_cells`` draws, as one
    matrix product per chunk (Efron & Tibshirani 1993, ch. 6 and 13).

    Returns
    -------
    np.ndarray
        n_bootstrap x M x D replicates.
    """
    n, m = outcomes.shape
    d = member.shape[1]
    rng = np.random.default_rng(seed)
    numer_cols = (outcomes[:, :, None] * member[:, None, :]).reshape(n, m * d)
    stacked = np.concatenate([outcomes, numer_cols], axis=1)
    out = np.empty((n_bootstrap, m, d))
    step = max(1, chunk_cells // max(n, 1))
    for start in range(0, n_bootstrap, step):
        size = min(step, n_bootstrap - start)
        draws = rng.integers(0, n, size=(size, n), dtype=np.int32).astype(np.int64)
        draws += (np.arange(size, dtype=np.int64) * n)[:, None]
        weights = np.bincount(draws.ravel(), minlength=size * n).reshape(size, n).astype(float)
        sums = weights @ stacked
        with np.errstate(divide="ignore", invalid="ignore"):
            out[start:start + size] = sums[:, m:].reshape(size, m, d) / sums[:, :m, None]
    return out


def percentile_interval(replicates: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Percentile bootstrap interval: the (1 - level) / 2 and (1 + level) / 2 quantiles over replicates."""
    alpha = (1 - level) / 2
    with np.errstate(invalid="ignore"):  # replicates of a share whose total was 0 are +-inf or NaN
        low, high = np.nanquantile(replicates, [alpha, 1 - alpha], axis=0)
    return low, high
