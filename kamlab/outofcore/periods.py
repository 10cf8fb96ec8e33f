"""Revenue per account and calendar period of a file too large to load, in DuckDB: the XYZ variability.

:func:`kamlab.segments.revenue_cv` follows each account from the period of
its first purchase (or of ``start``, if later) to the period holding ``end``,
counting periods without purchases as 0; with r_1..r_m the revenue of those
m periods,

    mean = (r_1 + ... + r_m) / m
    cv   = sqrt(max((r_1^2 + ... + r_m^2) / m - mean^2, 0)) / mean     (inf when mean = 0)

The sums over periods with a purchase are all that is needed (the others add
0), so the query keeps one row per (account, period) on disk and brings one
row per account here. The comparison itself does not use it; the ABC/XYZ
columns of the CSV exports and notebook 05 do.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from kamlab.rfm import day_after

from .sql import columns_of, duckdb_connection, literal, typed_rows
from .summaries import account_rows

#: Calendar period numbers of ``ts`` (consecutive periods differ by 1), as pandas' ``to_period``.
PERIODS = {
    "W": "CAST(floor(((CAST(ts AS DATE) - DATE '1970-01-01') + 3) / 7) AS BIGINT)",
    "M": "((year(ts) - 1970) * 12 + month(ts) - 1)",
    "Q": "((year(ts) - 1970) * 4 + quarter(ts) - 1)",
}


def _period_number(day: pd.Timestamp, freq: str) -> int:
    """The number of the period holding ``day``, as :data:`PERIODS` computes it."""
    epoch = pd.Timestamp("1970-01-01")
    if freq == "W":
        return ((day.normalize() - epoch).days + 3) // 7
    return (day.to_period(freq) - epoch.to_period(freq)).n


def _account_select(path: Path, cols: dict[str, str], freq: str, start, end) -> str:
    """SQL: per account, the revenue, the sum of squared period revenues and the first period, in [start, end]."""
    return f"""
    SELECT customer_id, sum(revenue) AS total, sum(revenue * revenue) AS squares, min(period) AS first_period
    FROM (SELECT customer_id, {PERIODS[freq]} AS period, sum(amount) AS revenue
          FROM ({typed_rows(path, cols)})
          WHERE ts >= TIMESTAMP {literal(str(start))} AND ts < TIMESTAMP {literal(str(day_after(end)))}
          GROUP BY ALL)
    GROUP BY customer_id
    """


def revenue_cv_duckdb(
    path: str | Path,
    *,
    freq: str = "M",
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str = "amount",
    memory_limit: str = "2GB",
    threads: int | None = None,
    temp_directory: str | Path | None = None,
) -> pd.DataFrame:
    """:func:`kamlab.segments.revenue_cv` of a clean CSV or parquet file, out of core in DuckDB.

    Parameters
    ----------
    path, customer_col, date_col, amount_col, memory_limit, threads, temp_directory
        As in :func:`kamlab.outofcore.summarise_rfm_duckdb`.
    freq : {"W", "M", "Q"}
        Period length: Monday-to-Sunday weeks, calendar months or quarters.
    start, end : date-like, optional
        Window (inclusive whole days); default the first and last purchase date.

    Returns
    -------
    DataFrame
        Indexed by ``customer_id`` (sorted): ``periods`` (m), ``mean_revenue``
        (currency units per period) and ``cv``, as :func:`kamlab.segments.revenue_cv`.
    """
    if freq not in PERIODS:
        raise ValueError(f"freq must be 'W', 'M' or 'Q', got {freq!r}")
    path = Path(path)
    columns = {"customer_id": customer_col, "date": date_col, "amount": amount_col}
    with duckdb_connection(memory_limit, threads, temp_directory) as (con, scratch):
        cols = columns_of(con, path, columns)
        if start is None or end is None:
            first, last = con.sql(f"SELECT min(ts), max(ts) FROM ({typed_rows(path, cols)})").fetchall()[0]
            start = pd.Timestamp(first) if start is None else start
            end = pd.Timestamp(last) if end is None else end
        start, end = pd.Timestamp(start), pd.Timestamp(end)
        raw = account_rows(con, scratch, _account_select(path, cols, freq, start, end), "periods")
    if raw.empty:
        raise ValueError(f"transactions: no purchases between {start.date()} and {end.date()}")
    m = (_period_number(end, freq) - raw["first_period"].to_numpy(dtype=np.int64) + 1).astype(float)
    mean = raw["total"].to_numpy(dtype=float) / m
    var = np.maximum(raw["squares"].to_numpy(dtype=float) / m - mean**2, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = np.where(mean > 0, np.sqrt(var) / mean, np.inf)
    index = pd.Index(raw["customer_id"].to_numpy(), dtype=str, name="customer_id")
    return pd.DataFrame({"periods": m.astype(int), "mean_revenue": mean, "cv": cv}, index=index)
