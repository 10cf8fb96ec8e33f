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
    seen = transactions.loc[transactions["date"] < day_after(end)]
    last_seen = seen.groupby("customer_id", sort=True)["date"].max()
    lost = last_seen.index[last_seen <= end - threshold]
    rows = seen.loc[seen["customer_id"].isin(lost)]
    out = _empty(has_cost) if rows.empty else _per_account(rows, end, has_cost, int(value_days))
    out.attrs.update(accounts=int(len(last_seen)), inactivity_days=float(threshold / pd.Timedelta(days=1)),
                     value="profit" if has_cost else "revenue")
    return out


def _per_account(rows: pd.DataFrame, end: pd.Timestamp, has_cost: bool, value_days: int) -> pd.DataFrame:
    """The win-back columns for the transactions ``rows`` of lost accounts."""
    value = rows["amount"] - rows["cost"] if has_cost else rows["amount"]
    who = rows["customer_id"]
    last = rows.groupby(who)["date"].transform("max")
    recent = rows["date"] > last - pd.Timedelta(days=value_days)
    by = rows.groupby(who, sort=True)
    table = pd.DataFrame({
        "first_purchase": by["date"].min(),
        "last_purchase": by["date"].max(),
        "orders": rows["date"].dt.normalize().groupby(who).nunique().astype("int64"),
        "revenue": by["amount"].sum().astype(float),
    })
    if has_cost:
        table["profit"] = value.groupby(who).sum().astype(float)
    table["value_lost"] = value.where(recent, 0.0).groupby(who).sum().astype(float)
    table.insert(2, "days_silent", ((end - table["last_purchase"]) / pd.Timedelta(days=1)).astype("int64"))
    table.index.name = "customer_id"
    ids = table.index.astype(str).to_numpy(dtype=str)
    order = np.lexsort((ids, -table["revenue"].to_numpy(), -table["value_lost"].to_numpy()))
    return table.iloc[order]
