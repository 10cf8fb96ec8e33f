"""The win-back list: accounts lost by the inactivity rule, the most valuable first.

The source material: "a lost customer is one who has not bought anything for
a long time; count them and draw up the list of clients to win back". The
rule is the one of :func:`kamlab.survival.churn_durations`, so the list and
the survival curves count the same accounts as lost.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kamlab.data import format_rows

from ._checks import as_days, check_transactions
from .churn import DEFAULT_INACTIVITY_DAYS
from kamlab.rfm import day_after

#: Days up to the last purchase over which the value lost is summed: one year.
VALUE_DAYS = 365


def _empty(has_cost: bool) -> pd.DataFrame:
    columns = {"first_purchase": "datetime64[ns]", "last_purchase": "datetime64[ns]", "days_silent": "int64",
               "orders": "int64", "revenue": "float64", **({"profit": "float64"} if has_cost else {}),
               "value_lost": "float64"}
    frame = pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()})
    frame.index = pd.Index([], dtype=object, name="customer_id")
    return frame


def _check_cost(transactions: pd.DataFrame) -> None:
    missing = transactions["cost"].isna().to_numpy()
    if missing.any():
        raise ValueError(f"transactions column 'cost': {missing.sum()} missing values "
                         f"(rows {format_rows(transactions.index[missing])}); fill them (0 if the order "
                         "cost nothing) or drop the column, or profit would be overstated")


def win_back_list(
    transactions: pd.DataFrame,
    observation_end: str | pd.Timestamp,
    *,
    inactivity: int | float | str | pd.Timedelta = DEFAULT_INACTIVITY_DAYS,
    value_days: int = VALUE_DAYS,
    codes: tuple[np.ndarray, pd.Index] | None = None,
) -> pd.DataFrame:
    """Accounts lost by the inactivity rule, ordered by the value lost.

    Rule (as in :func:`churn_durations`): an account is lost when its last
    purchase on or before ``observation_end`` lies at least ``inactivity`` days
    before it,

        lost       = last_purchase <= observation_end - inactivity
        value_lost = sum of profit (amount - cost; amount when there is no cost)
                     over the account's purchases in the ``value_days`` days
                     ending at its last purchase (last_purchase - value_days, last_purchase]

    "Value lost" is what the account was bringing in per year when it went
    silent (its last year as a customer, in currency units): the yearly
    revenue, or profit when cost exists, that stopped. It weighs the present
    run rate rather than a long-past peak, and needs no division by a short
    lifetime (an account lost after one order is worth that order). The list is
    ordered by ``value_lost``, then total ``revenue``, both descending, then by
    ``customer_id``.

    Parameters
    ----------
    transactions : DataFrame
        Contract columns ``customer_id``, ``date``, ``amount`` (currency units)
        and optionally ``cost`` (same units).
    observation_end : date-like
        Last day of data (inclusive); later purchases are ignored.
    inactivity : number of days, str or Timedelta
        Days without a purchase after which an account counts as lost (180).
    value_days : int
        Length of the window that ``value_lost`` sums over, in days (365).
    codes : (np.ndarray, pd.Index), optional
        The account of each row of ``transactions`` as ``pd.factorize(customer_id,
        sort=True)`` gives it (codes into the sorted ids), when already computed.

    Returns
    -------
    DataFrame indexed by ``customer_id``, one row per lost account, with
    ``first_purchase``, ``last_purchase``, ``days_silent`` (observation_end -
    last purchase, days), ``orders`` (distinct purchase days; order lines of one
    day are one order), ``revenue`` (total, currency units), ``profit`` (total,
    only when there is a cost column) and ``value_lost`` (currency units per
    year). Empty, with these columns, when nobody is lost. ``attrs`` holds
    ``accounts`` (accounts seen by ``observation_end``), ``inactivity_days``
    and ``value`` ("profit" or "revenue").
    """
    check_transactions(transactions, need_amount=True)
    if int(value_days) < 1:
        raise ValueError(f"value_days must be a whole number of days >= 1, got {value_days!r}")
    has_cost = "cost" in transactions.columns
    if has_cost:
        _check_cost(transactions)
    end, threshold = pd.Timestamp(observation_end), as_days(inactivity)
    keep = (transactions["date"] < day_after(end)).to_numpy()
    if codes is None:
        codes, ids = pd.factorize(transactions["customer_id"][keep], sort=True)
    else:
        codes, ids = codes[0][keep], codes[1]
    stamps = transactions["date"].to_numpy()[keep]
    last_seen = _extreme(np.maximum, codes, stamps, len(ids))
    seen = np.bincount(codes, minlength=len(ids)) > 0
    is_lost = seen & (last_seen <= np.datetime64(end - threshold))
    rows = np.flatnonzero(keep)[is_lost[codes]]
    columns = ["date", "amount"] + (["cost"] if has_cost else [])
    out = _empty(has_cost) if not len(rows) else _per_account(transactions[columns].iloc[rows], codes[is_lost[codes]],
                                                               np.flatnonzero(is_lost), ids, end, has_cost,
                                                               int(value_days))
    out.attrs.update(accounts=int(seen.sum()), inactivity_days=float(threshold / pd.Timedelta(days=1)),
                     value="profit" if has_cost else "revenue")
    return out


def _extreme(ufunc: np.ufunc, codes: np.ndarray, dates: np.ndarray, n: int) -> np.ndarray:
    """Latest (``np.maximum``) or earliest (``np.minimum``) date of each of ``n`` accounts, NaT-free input."""
    ticks = dates.view(np.int64)
    out = np.full(n, np.iinfo(np.int64).min if ufunc is np.maximum else np.iinfo(np.int64).max)
    ufunc.at(out, codes, ticks)
    return out.view(dates.dtype)


def _per_account(rows: pd.DataFrame, codes: np.ndarray, positions: np.ndarray, ids: pd.Index, end: pd.Timestamp,
                 has_cost: bool, value_days: int) -> pd.DataFrame:
    """The win-back columns for the transactions ``rows`` of lost accounts.

    ``codes``: each row's account in ``ids``; ``positions``: the lost accounts' codes, ascending.

    The sums are pandas' groupby sums of the same rows, in the same order, as grouped by the ids themselves.
    """
    dates, amount = rows["date"].to_numpy(), rows["amount"].to_numpy()
    value = amount - rows["cost"].to_numpy() if has_cost else amount
    first, last = (_extreme(u, codes, dates, len(ids)) for u in (np.minimum, np.maximum))
    recent = dates > last[codes] - np.timedelta64(value_days, "D")
    sums = pd.DataFrame({"amount": amount, "value": value, "lost": np.where(recent, value, 0.0)})
    by = sums.groupby(codes, sort=True)
    table = pd.DataFrame({
        "first_purchase": first[positions], "last_purchase": last[positions],
        "orders": _distinct_days(codes, dates), "revenue": by["amount"].sum().to_numpy(dtype=float),
    }, index=_labels(ids, positions))
    if has_cost:
        table["profit"] = by["value"].sum().to_numpy(dtype=float)
    table["value_lost"] = by["lost"].sum().to_numpy(dtype=float)
    table.insert(2, "days_silent", ((end - table["last_purchase"]) / pd.Timedelta(days=1)).astype("int64"))
    # The ids are in ascending order (factorised sorted): for strings, ties by position are ties by id.
    strings = isinstance(ids.dtype, pd.StringDtype) or ids.dtype == object and pd.Index(ids).inferred_type == "string"
    ties = positions if strings else table.index.astype(str).to_numpy(dtype=str)
    order = np.lexsort((ties, -table["revenue"].to_numpy(), -table["value_lost"].to_numpy()))
    return table.iloc[order]


def _labels(ids: pd.Index, positions: np.ndarray) -> pd.Index:
    """The ids at ``positions``, named customer_id; object ids inferred again, as groupby labels them."""
    index = pd.Index(ids, name="customer_id")[positions]
    return pd.Index(index.to_numpy(), name="customer_id") if index.dtype == object else index


def _distinct_days(codes: np.ndarray, dates: np.ndarray) -> np.ndarray:
    """Distinct purchase days of each account, in ascending code order (``dates.dt.normalize()`` nunique per code)."""
    days = dates.astype("datetime64[D]").astype(np.int64)
    span = np.int64(days.max() - days.min() + 1)
    keys = codes.astype(np.int64) * span + (days - days.min())
    if (keys[1:] < keys[:-1]).any():
        keys = np.sort(keys)
    distinct = np.r_[True, keys[1:] != keys[:-1]]
    accounts = keys[distinct] // span
    starts = np.flatnonzero(np.r_[True, accounts[1:] != accounts[:-1]])
    return np.diff(np.r_[starts, len(accounts)]).astype("int64")
