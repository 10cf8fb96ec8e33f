"""From a score to a set of key accounts: the ranking, the count, the selection."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .base import DefinitionScore


def ranking(scores: pd.Series) -> pd.Index:
    """Accounts in key order: score descending, ties by ``customer_id`` ascending.

    Missing scores (NaN) come last, in ``customer_id`` order. The order is
    deterministic: the same scores always give the same ranking.
    """
    values = scores.to_numpy(dtype=float)
    keys = np.where(np.isnan(values), np.inf, -values)
    order = np.lexsort((scores.index.astype(str).to_numpy(), keys))
    return scores.index[order]


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
    return ranking(scores)[:k]
