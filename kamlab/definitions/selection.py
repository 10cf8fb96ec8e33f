"""From a score to a set of key accounts: the ranking, the count, the selection.

The ranking is computed on arrays: the score of each account as a float
array and, for ties, each account's place in ascending ``customer_id``
string order (:func:`tie_ranks`; None when the accounts are already in that
order, as the summaries are). :func:`ranking_positions` sorts all of them,
:func:`top_positions` finds the first k without sorting the rest
(``np.argpartition``, then the ties at the boundary by id); both give the
positions :func:`ranking` and :func:`select` turn into ``customer_id`` values.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .base import DefinitionScore


def tie_ranks(index: pd.Index) -> np.ndarray | None:
    """Each account's place in ascending ``customer_id`` string order; None when the index is in that order.

    Ids are compared as strings (``index.astype(str)``, by code point, as
    ``np.lexsort`` on the ids would), equal ids by position.
    """
    ids = index.astype(str)
    if ids.is_monotonic_increasing:
        return None
    order = np.argsort(ids.to_numpy(), kind="stable")
    ranks = np.empty(len(order), dtype=np.int64)
    ranks[order] = np.arange(len(order))
    return ranks


def ranking_keys(values: np.ndarray) -> np.ndarray:
    """The sort keys of scores: -score, missing scores (NaN) as +inf (they rank last)."""
    values = np.asarray(values, dtype=float)
    return np.where(np.isnan(values), np.inf, -values)


def ranking_positions(values: np.ndarray, ties: np.ndarray | None = None) -> np.ndarray:
    """Positions of the accounts in key order: score descending, ties by ``ties`` (None = by position).

    The order of ``np.lexsort((ids, keys))`` with keys from :func:`ranking_keys`
    and ``ties`` from :func:`tie_ranks`.
    """
    keys = ranking_keys(values)
    if ties is None:
        return np.argsort(keys, kind="stable")
    return np.lexsort((ties, keys))


def top_positions(values: np.ndarray, k: int, ties: np.ndarray | None = None) -> np.ndarray:
    """The first ``k`` of :func:`ranking_positions`, without sorting the rest.

    The k smallest keys by ``np.argpartition``; the accounts tied at the
    k-th key are taken in id order, then the k are sorted as in the ranking.
    """
    values = np.asarray(values, dtype=float)
    keys = ranking_keys(values)
    n = len(keys)
    if k >= n:
        return ranking_positions(values, ties)
    if k <= 0:
        return np.empty(0, dtype=np.int64)
    threshold = keys[np.argpartition(keys, k - 1)[:k]].max()
    below = np.flatnonzero(keys < threshold)
    tied = np.flatnonzero(keys == threshold)
    if ties is not None:
        tied = tied[np.argsort(ties[tied], kind="stable")]
    chosen = np.concatenate([below, tied[: k - len(below)]])
    return chosen[ranking_positions(values[chosen], None if ties is None else ties[chosen])]


def ranking(scores: pd.Series) -> pd.Index:
    """Accounts in key order: score descending, ties by ``customer_id`` ascending.

    Missing scores (NaN) come last, in ``customer_id`` order. The order is
    deterministic: the same scores always give the same ranking.
    """
    return scores.index[ranking_positions(scores.to_numpy(dtype=float), tie_ranks(scores.index))]


def key_account_count(n: int, *, k: int | None = None, share: float | None = None) -> int:
    """How many of ``n`` accounts are key: ``k`` itself, or ``max(1, round(share * n))``.

    Exactly one of ``k`` and ``share`` must be given; the result lies in [1, n].
    """
    if (k is None) == (share is None):
        raise ValueError("give exactly one of k (number of key accounts) and share (share of accounts)")
    if share is not None:
        if not 0 < share <= 1:
            raise ValueError(f"share must be in (0, 1], got {share}")
        k = max(1, int(round(share * n)))
    if not 1 <= int(k) <= n:
        raise ValueError(f"k must be between 1 and the number of accounts ({n}), got {k}")
    return int(k)


def select(scores: pd.Series | DefinitionScore, k: int | None = None, share: float | None = None) -> pd.Index:
    """The key accounts: the ``k`` highest scores (or the top ``share`` of accounts).

    Exactly one of ``k`` and ``share`` is given; with ``share``,
    k = round(share * n) with n the number of scored accounts, and at least 1
    (:func:`key_account_count`). Ties are broken by ``customer_id`` in
    ascending string order, and missing scores rank last (see
    :func:`ranking`), so the selection is deterministic.

    Parameters
    ----------
    scores : pd.Series or DefinitionScore
        One score per account, higher = more key.
    k : int, optional
        Number of key accounts, 1 <= k <= n.
    share : float, optional
        Share of accounts to select, in (0, 1].

    Returns
    -------
    pd.Index
        The selected ``customer_id`` values, most key first.
    """
    if isinstance(scores, DefinitionScore):
        scores = scores.scores
    k = key_account_count(len(scores), k=k, share=share)
    return scores.index[top_positions(scores.to_numpy(dtype=float), k, tie_ranks(scores.index))]
