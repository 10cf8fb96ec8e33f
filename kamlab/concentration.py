"""Concentration of value across accounts: Pareto/Lorenz curve, Gini, top share.

How concentrated is value across accounts? The Pareto "80/20 rule" says that a
fifth of the customers bring most of the revenue; these functions measure how
true that is on a given dataset, and are the first step of every key-account
definition that ranks by size.

All functions take one value per account (revenue, profit, ...) as any
one-dimensional array-like or ``pd.Series``. Values must be finite and
non-negative with a positive total: shares of a total are undefined otherwise.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["gini", "lorenz_curve", "top_share"]


def _clean_values(values, what: str = "values") -> np.ndarray:
    """Return ``values`` as a 1-D float array, or raise a ValueError saying what is wrong."""
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 1:
        raise ValueError(f"{what} must be one-dimensional (one value per account), got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{what} is empty: need at least one account")
    problems = []
    n_missing = int(np.isnan(arr).sum())
    if n_missing:
        problems.append(f"{n_missing} missing (NaN) values; drop or fill them first")
    n_inf = int(np.isinf(arr).sum())
    if n_inf:
        problems.append(f"{n_inf} infinite values")
    n_negative = int((arr < 0).sum())
    if n_negative:
        problems.append(
            f"{n_negative} negative values (smallest {np.nanmin(arr):g}); shares of a total "
            "need non-negative values: clip them at 0 or analyse them separately"
        )
    if not problems and arr.sum() <= 0:
        problems.append("the total is 0, so shares of it are undefined")
    if problems:
        raise ValueError(f"{what}: " + "; ".join(problems))
    return arr


def lorenz_curve(values) -> pd.DataFrame:
    """Cumulative share of value against cumulative share of accounts, largest first.

    With the n values sorted in *descending* order, x_(1) >= ... >= x_(n), the
    curve has the n + 1 points

        share_of_accounts_i = i / n,
        share_of_value_i    = (x_(1) + ... + x_(i)) / (x_(1) + ... + x_(n)),

    for i = 0, ..., n, starting at (0, 0) and ending at (1, 1). Sorting largest
    first gives the *Pareto* (concentration) curve used in marketing ("the top
    20 % of accounts bring 80 % of revenue"); it is the classical Lorenz curve
    (smallest first, Lorenz 1905) rotated by 180 degrees about (0.5, 0.5), so
    it lies on or above the diagonal and carries the same information.

    Parameters
    ----------
    values : array-like of float
        One non-negative value per account (e.g. revenue in currency units).

    Returns
    -------
    pd.DataFrame
        Columns ``share_of_accounts`` and ``share_of_value``, both in [0, 1],
        n + 1 rows.
    """
    arr = _clean_values(values)
    ordered = np.sort(arr)[::-1]
    cumulative = np.concatenate([[0.0], np.cumsum(ordered)])
    share_of_value = cumulative / cumulative[-1]
    share_of_value[-1] = 1.0  # exact end point despite rounding in the sum
    share_of_accounts = np.arange(arr.size + 1) / arr.size
    return pd.DataFrame({"share_of_accounts": share_of_accounts, "share_of_value": share_of_value})


def gini(values) -> float:
    """Gini coefficient of concentration of value across accounts.

    With the n values sorted in *ascending* order x_(1) <= ... <= x_(n),

        G = sum_i (2 i - n - 1) x_(i) / (n * sum_i x_(i)),

    which equals 1 - 2 * (area under the Lorenz curve computed with the
    trapezoid rule) and equals 2 * (area under the Pareto curve of
    ``lorenz_curve``) - 1. G = 0 when every account has the same value;
    G = (n - 1) / n when one account has everything (this is the "population"
    Gini, without the n / (n - 1) small-sample correction).

    Parameters
    ----------
    values : array-like of float
        One non-negative value per account.

    Returns
    -------
    float
        The Gini coefficient, in [0, 1).

    References
    ----------
    Gini, C. (1912). Variabilità e mutabilità. For the sorted-sum form see
    Damgaard & Weiner (2000), Ecology 81(4), 1139-1142, eq. (1) without the
    bias correction.
    """
    arr = np.sort(_clean_values(values))
    n = arr.size
    weights = 2.0 * np.arange(1, n + 1) - n - 1
    return float(np.dot(weights, arr) / (n * arr.sum()))


def top_share(values, share: float = 0.2) -> float:
    """Share of the total value brought by the largest ``share`` of accounts.

    This is the Pareto curve of ``lorenz_curve`` read at ``share``: with
    k = share * n accounts, the k largest values over the total. When k is not
    a whole number, the curve is interpolated linearly, i.e. the largest
    floor(k) accounts count in full and the next one counts with the
    fraction k - floor(k) of its value. For example, with n = 7 and
    share = 0.2, k = 1.4: the largest account plus 0.4 of the second.

    Parameters
    ----------
    values : array-like of float
        One non-negative value per account.
    share : float
        Share of accounts, in [0, 1] (0.2 = the top 20 %).

    Returns
    -------
    float
        Share of the total, in [0, 1].
    """
    if not 0 <= share <= 1:
        raise ValueError(f"share must be in [0, 1] (0.2 = top 20 % of accounts), got {share}")
    curve = lorenz_curve(values)
    return float(np.interp(share, curve["share_of_accounts"], curve["share_of_value"]))
