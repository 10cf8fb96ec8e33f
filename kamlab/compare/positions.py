"""The comparison in positions: scores, key sets and gain curves as arrays over one index of accounts.

The outcomes of :func:`kamlab.compare.compare_definitions` are indexed by
the accounts to choose from (the *universe*); every score is brought onto
that index once, as a float array (:func:`aligned_values`), and from then on
a key set is a list of positions and a 0/1 column of a membership matrix,
an overlap a matrix product, a gain curve a cumulative sum of the outcome
sorted in key order. Customer ids are looked up only where two indexes
differ (scores of the next window), once per index, by pyarrow's hash join
(:func:`positions_in`) rather than pandas' ``reindex`` or ``isin`` of
strings (``ArrowStringArray.isin`` runs a Python loop). The definitions'
scores are sorted on two threads (:func:`parallel_map`).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Sequence

import numpy as np
import pandas as pd

#: Threads for work that splits into independent array operations (numpy sorts release the GIL).
THREADS = min(2, os.cpu_count() or 1)


def parallel_map(function: Callable, items: Sequence) -> list:
    """``[function(x) for x in items]`` on :data:`THREADS` threads, results in the order of ``items``.

    For numpy work that releases the GIL (sorting the scores of several
    definitions): each result depends on its item only, so it is the same
    whatever the thread that computed it.
    """
    if THREADS < 2 or len(items) < 2:
        return [function(item) for item in items]
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(function, items))


def _arrow(index: pd.Index):
    """The index as one pyarrow large_string array, or None when it does not hold strings."""
    import pyarrow as pa

    if not pd.api.types.is_string_dtype(index.dtype):
        return None
    try:
        data = pa.array(index, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        return None
    if isinstance(data, pa.ChunkedArray):
        data = data.combine_chunks()
    if not (pa.types.is_string(data.type) or pa.types.is_large_string(data.type)):
        return None
    return data.cast(pa.large_string())


def positions_in(labels: pd.Index, index: pd.Index) -> np.ndarray:
    """Position in ``index`` (unique) of every label of ``labels``, -1 where it is absent.

    ``index.get_indexer(labels)``; for string ids by ``pyarrow.compute.index_in``
    (a hash join in C++, several times faster on a million ids).
    """
    if len(labels) == 0:
        return np.empty(0, dtype=np.int64)
    left, right = _arrow(labels), _arrow(index)
    if left is None or right is None:
        return np.asarray(index.get_indexer(labels), dtype=np.int64)
    import pyarrow.compute as pc

    found = pc.index_in(left, value_set=right)
    return np.asarray(found.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)


def aligned_values(scores: pd.Series, universe: pd.Index, lookup: list | None = None) -> np.ndarray:
    """``scores.reindex(universe)`` as a float array (NaN for accounts without a score).

    Without a lookup when the scores are indexed like the universe (the
    usual case: every definition scores the calibration summary). ``lookup``
    (a list, filled here) keeps the positions found for each other index,
    for several scores on one other index (the next window's).
    """
    values = scores.to_numpy(dtype=float)
    if scores.index is universe or scores.index.equals(universe):
        return values
    lookup = [] if lookup is None else lookup
    found = next((pos for index, pos in lookup if index is scores.index or index.equals(scores.index)), None)
    if found is None:
        found = positions_in(universe, scores.index)
        lookup.append((scores.index, found))
    out = np.full(len(universe), np.nan)
    hit = found >= 0
    out[hit] = values[found[hit]]
    return out


def membership(positions: list[np.ndarray], n: int) -> np.ndarray:
    """The n x D 0/1 (float) matrix with a 1 at each set's positions."""
    member = np.zeros((n, len(positions)))
    for j, chosen in enumerate(positions):
        member[chosen, j] = 1.0
    return member


def jaccard(member: np.ndarray, names: list[str]) -> pd.DataFrame:
    """Jaccard overlap of the key sets in the columns of a 0/1 membership matrix X (accounts x sets).

    |A & B| = (X'X)_ab, |A | B| = |A| + |B| - |A & B|; two empty sets overlap 1.
    """
    both = member.T @ member
    sizes = np.diag(both)
    union = sizes[:, None] + sizes[None, :] - both
    values = np.divide(both, union, out=np.ones_like(both), where=union > 0)
    return pd.DataFrame(values, index=pd.Index(names, name="definition"), columns=list(names))


def gain_points(n: int, points: int) -> np.ndarray:
    """The numbers of accounts a gain curve is read at: unique round(s * n) for ``points`` shares s on [0, 1]."""
    return np.unique(np.round(np.linspace(0, 1, points) * n).astype(int))


def gain_from_order(order: np.ndarray, y: np.ndarray, ks: np.ndarray) -> np.ndarray:
    """captured(k) = sum of y over the first k accounts of ``order`` / sum of y over all, at each k of ``ks``."""
    cum = np.concatenate([[0.0], np.cumsum(y[order])])
    return cum[ks] / cum[-1]
