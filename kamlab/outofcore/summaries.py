"""Per-account RFM summaries and calibration/holdout splits of a clean file, through DuckDB.

The public functions of :mod:`kamlab.outofcore`: they run the query of
:mod:`kamlab.outofcore.sql` and finish the one-row-per-account result with the
formulas of :mod:`kamlab.rfm`, so that both paths give the same table.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from kamlab.rfm import day_after, period_numbers

from .layout import check_clean_file, read_errors
from .sql import account_select, columns_of, duckdb_connection, ident, literal, period_table, reader


def calibration_frame(raw: pd.DataFrame, end_period: int, freq_multiplier: float,
                       monetary: bool, cost: bool) -> pd.DataFrame:
    """The summarise_rfm columns from the query's per-account integers and sums (its formulas)."""
    frequency = raw["periods"].to_numpy(dtype=np.int64) - 1
    first = raw["first_period"].to_numpy(dtype=np.int64)
    last = raw["last_period"].to_numpy(dtype=np.int64)
    revenue = raw["revenue"].to_numpy(dtype=float)
    out = pd.DataFrame(
        {
            "frequency": frequency.astype(float),
            "recency": (last - first) / freq_multiplier,
            "T": (end_period - first) / freq_multiplier,
        },
        index=pd.Index(raw["customer_id"].to_numpy(), dtype=str, name="customer_id"),
    )
    if monetary:
        first_spend = raw["first_spend"].to_numpy(dtype=float)
        out["monetary_value"] = np.where(frequency > 0, (revenue - first_spend) / np.maximum(frequency, 1), 0.0)
    out["revenue"] = revenue
    if cost:
        out["profit"] = revenue - raw["cost"].to_numpy(dtype=float)
    return out


def account_rows(con, scratch: Path, select: str, name: str = "accounts") -> pd.DataFrame:
    """The result of ``select`` (one row per account), sorted by ``customer_id``, read through parquet.

    DuckDB writes the result to ``scratch/<name>.parquet``, which pyarrow
    reads and sorts by account (byte order of UTF-8, the order of Python's
    and pandas' string sort), so the result is never held in DuckDB's memory.
    """
    result = scratch / f"{name}.parquet"
    con.execute(f"COPY ({select}) TO {literal(str(result))} (FORMAT parquet)")
    return pq.read_table(result).sort_by("customer_id").to_pandas()


def holdout_frame(raw: pd.DataFrame, cal_end: pd.Timestamp, obs_end: pd.Timestamp, freq: str,
                  freq_multiplier: float, cost: bool) -> pd.DataFrame:
    """The calibration_holdout columns from the per-account rows of :func:`kamlab.outofcore.sql.account_select`."""
    cal_period, obs_period = period_numbers(pd.DatetimeIndex([cal_end, obs_end]), freq)
    out = calibration_frame(raw, cal_period, freq_multiplier, True, cost).add_suffix("_cal")
    frequency_holdout = raw["periods_holdout"].to_numpy(dtype=np.int64)
    revenue_holdout = raw["revenue_holdout"].to_numpy(dtype=float)
    out["frequency_holdout"] = frequency_holdout.astype(float)
    out["monetary_value_holdout"] = np.where(
        frequency_holdout > 0, revenue_holdout / np.maximum(frequency_holdout, 1), 0.0
    )
    out["revenue_holdout"] = revenue_holdout
    if cost:
        out["profit_holdout"] = revenue_holdout - raw["cost_holdout"].to_numpy(dtype=float)
    out["duration_holdout"] = float(obs_period - cal_period) / freq_multiplier
    return out


def _first_date(con, path: Path, cols: dict[str, str]) -> pd.Timestamp:
    """The earliest purchase in the file (for an error message)."""
    value = con.sql(f"SELECT min(CAST({ident(cols['date'])} AS TIMESTAMP)) "
                    f"FROM {reader(path, {cols['date']: 'TIMESTAMP'})}").fetchall()[0][0]
    return pd.Timestamp(value)


def _run(path, cal_end, obs_end, columns, freq, memory_limit, threads, temp_directory):
    """Run the query: the per-account frame, the file's columns by role, and (only when the frame is
    empty, for the error message) the earliest purchase date.

    Step 1 stores the (account, window, period) sums in the database file;
    step 2 aggregates them per account (:func:`account_rows`), so that
    neither step keeps its output in DuckDB's memory.
    """
    path = Path(path)
    check_clean_file(path, {role: name for role, name in columns.items() if name is not None})
    with duckdb_connection(memory_limit, threads, temp_directory) as (con, scratch), read_errors(path):
        cols = columns_of(con, path, columns)
        con.execute(period_table(path, cols, freq, day_after(cal_end), day_after(obs_end)))
        raw = account_rows(con, scratch, account_select("cost" in cols))
        first = _first_date(con, path, cols) if raw.empty else None
    return raw, cols, first


def summarise_rfm_duckdb(
    path: str | Path,
    observation_end: str | pd.Timestamp,
    *,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str = "amount",
    cost_col: str | None = None,
    freq: str = "D",
    freq_multiplier: float = 1,
    monetary: bool = True,
    memory_limit: str = "2GB",
    threads: int | None = None,
    temp_directory: str | Path | None = None,
) -> pd.DataFrame:
    """:func:`kamlab.rfm.summarise_rfm` of a clean CSV or parquet file, out of core in DuckDB.

    frequency = distinct purchase periods - 1; recency = (last - first period) /
    freq_multiplier; T = (end period - first period) / freq_multiplier;
    monetary_value = mean repeat-period spend (lifetimes' convention), all up to
    the whole day of ``observation_end`` (see the module docstring).

    Parameters
    ----------
    path : str or Path
        A CSV (header row, ISO dates; may be compressed) or parquet file, or a
        glob of such files. Assumed clean: no loader policy is applied (use
        :func:`kamlab.data.load_transactions` for a messy export).
    observation_end : date-like
        Last day of the window, inclusive as a whole day.
    customer_col, date_col, amount_col, cost_col : str
        The file's columns for the account, the purchase time, the revenue
        (currency units) and, optionally, the cost (same units; adds ``profit``).
    freq, freq_multiplier, monetary
        As in :func:`kamlab.rfm.summarise_rfm` (``freq`` one of "D", "W", "M").
    memory_limit, threads, temp_directory
        DuckDB's buffer limit (beyond it, it spills to ``temp_directory``, by
        default a temporary directory removed afterwards) and its threads.

    Returns
    -------
    DataFrame
        Exactly the frame of :func:`kamlab.rfm.summarise_rfm` on the same
        rows: indexed by ``customer_id`` (sorted), columns ``frequency``,
        ``recency``, ``T``, ``monetary_value`` (if asked), ``revenue`` and
        ``profit`` (with ``cost_col``), all float.

    Raises
    ------
    kamlab.data.MissingColumnsError
        Naming the file and every column it lacks.
    kamlab.outofcore.UncleanFileError
        A CSV DuckDB would misread (:func:`kamlab.outofcore.check_clean_file`), or a value it cannot read.
    ValueError
        When no purchase falls on or before ``observation_end``.
    """
    end = pd.Timestamp(observation_end).normalize()
    columns = {"customer_id": customer_col, "date": date_col, "amount": amount_col, "cost": cost_col}
    raw, cols, _ = _run(path, end, end, columns, freq, memory_limit, threads, temp_directory)
    if raw.empty:
        raise ValueError(f"no transactions on or before observation_end {end.date()}")
    end_period = period_numbers(pd.DatetimeIndex([end]), freq)[0]
    return calibration_frame(raw, end_period, freq_multiplier, monetary, "cost" in cols)


def calibration_holdout_duckdb(
    path: str | Path,
    calibration_end: str | pd.Timestamp,
    observation_end: str | pd.Timestamp,
    *,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str = "amount",
    cost_col: str | None = None,
    freq: str = "D",
    freq_multiplier: float = 1,
    memory_limit: str = "2GB",
    threads: int | None = None,
    temp_directory: str | Path | None = None,
) -> pd.DataFrame:
    """:func:`kamlab.rfm.calibration_holdout` of a clean CSV or parquet file, out of core in DuckDB.

    The calibration window ends with the whole day of ``calibration_end``, the
    holdout runs from the next midnight to the end of the day of
    ``observation_end``; one pass over the file computes both. Only accounts
    with a calibration purchase appear (as in lifetimes).

    frequency_holdout = distinct holdout periods with a purchase;
    monetary_value_holdout = revenue_holdout / frequency_holdout (0 if none);
    duration_holdout = (observation-end period - calibration-end period) / freq_multiplier.

    Parameters are those of :func:`summarise_rfm_duckdb`; the file is assumed
    clean (the validated loader is the path for messy exports).

    Returns
    -------
    DataFrame
        Exactly the frame of :func:`kamlab.rfm.calibration_holdout`:
        ``frequency_cal``, ``recency_cal``, ``T_cal``, ``monetary_value_cal``,
        ``revenue_cal`` (``profit_cal``), ``frequency_holdout``,
        ``monetary_value_holdout``, ``revenue_holdout`` (``profit_holdout``),
        ``duration_holdout``; money in currency units.

    Raises
    ------
    kamlab.data.MissingColumnsError
        Naming the file and every column it lacks.
    kamlab.outofcore.UncleanFileError
        A CSV DuckDB would misread (:func:`kamlab.outofcore.check_clean_file`), or a value it cannot read.
    ValueError
        When ``observation_end`` is not after ``calibration_end``, or the
        calibration window holds no purchase.
    """
    cal_end, obs_end = pd.Timestamp(calibration_end).normalize(), pd.Timestamp(observation_end).normalize()
    if obs_end <= cal_end:
        raise ValueError(f"observation_end {obs_end.date()} must be after calibration_end {cal_end.date()}")
    columns = {"customer_id": customer_col, "date": date_col, "amount": amount_col, "cost": cost_col}
    raw, cols, first = _run(path, cal_end, obs_end, columns, freq, memory_limit, threads, temp_directory)
    if raw.empty:
        raise ValueError(
            f"no transactions in the calibration window (on or before {cal_end.date()}); "
            f"the data start on {first.date()}: choose a later calibration_end"
        )
    return holdout_frame(raw, cal_end, obs_end, freq, freq_multiplier, "cost" in cols)
