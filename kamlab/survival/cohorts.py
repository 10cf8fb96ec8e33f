"""Acquisition cohorts followed period by period: active accounts, retention, revenue retention."""

from __future__ import annotations

import pandas as pd

from ._checks import check_transactions


def cohort_table(
    transactions: pd.DataFrame,
    period: str = "M",
    *,
    observation_end: str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Acquisition cohorts followed period by period.

    An account's cohort is the period of its first purchase; its age in a period
    is the number of whole periods since that one (0 = acquisition period).

        active(c, k)            = accounts of cohort c with >= 1 purchase at age k
        retention(c, k)         = active(c, k) / cohort_size(c)
        revenue(c, k)           = sum of amount of cohort c at age k
        revenue_retention(c, k) = revenue(c, k) / revenue(c, 0)   (net revenue retention)

    Only complete periods are kept: a period ending after ``observation_end`` is
    dropped, with its purchases and the cohort it would start, so a half-observed
    month never shows up as a false drop. Every (cohort, age) up to the last
    complete period is present, with zeros where nobody bought.

    Parameters
    ----------
    transactions : DataFrame
        Contract columns ``customer_id``, ``date``, ``amount``.
    period : str
        pandas period alias: "M" months, "Q" quarters, "Y" years, "W" weeks.
    observation_end : str, Timestamp or None
        Last day of data (inclusive); default the last transaction date.

    Returns
    -------
    DataFrame indexed by (``cohort`` (Period), ``age`` (periods since
    acquisition)) with ``cohort_size``, ``active``, ``retention``, ``revenue``,
    ``revenue_retention``.
    """
    check_transactions(transactions, need_amount=True)
    end = transactions["date"].max() if observation_end is None else pd.Timestamp(observation_end)
    try:
        last = pd.Period(end, freq=period)
    except ValueError as exc:  # pandas: "Invalid frequency"
        raise ValueError(f"period {period!r} is not a pandas period alias such as 'M', 'Q', 'Y' or 'W'") from exc
    if last.end_time.normalize() > end.normalize():
        last = last - 1  # the period holding observation_end is incomplete
    data = transactions.loc[transactions["date"] <= last.end_time, ["customer_id", "date", "amount"]]
    if data.empty:
        raise ValueError(f"no complete {period!r} period of data on or before {end.date()}")
    when = data["date"].dt.to_period(period)
    first = when.groupby(data["customer_id"]).transform("min")
    frame = pd.DataFrame({"customer_id": data["customer_id"].to_numpy(), "cohort": first.to_numpy(),
                          "age": (when.array.asi8 - first.array.asi8), "amount": data["amount"].to_numpy()})
    cells = frame.groupby(["cohort", "age"]).agg(active=("customer_id", "nunique"), revenue=("amount", "sum"))
    sizes = frame.groupby("cohort")["customer_id"].nunique().rename("cohort_size")
    grid = pd.MultiIndex.from_tuples(
        [(c, k) for c in sizes.index for k in range((last - c).n + 1)], names=["cohort", "age"])
    table = cells.reindex(grid, fill_value=0).join(sizes, on="cohort")
    table["active"] = table["active"].astype(int)
    table["retention"] = table["active"] / table["cohort_size"]
    first_revenue = table.xs(0, level="age")["revenue"]
    table["revenue_retention"] = table["revenue"] / first_revenue.reindex(table.index.get_level_values("cohort")).to_numpy()
    return table[["cohort_size", "active", "retention", "revenue", "revenue_retention"]]


def cohort_matrix(table: pd.DataFrame, value: str = "retention") -> pd.DataFrame:
    """Cohort x age matrix of one column of :func:`cohort_table` (rows = cohorts)."""
    if value not in table.columns:
        raise KeyError(f"cohort table has no column {value!r}; choose one of {list(table.columns)}")
    matrix = table[value].unstack("age")
    matrix.index = matrix.index.astype(str)
    return matrix

