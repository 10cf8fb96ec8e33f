"""What a comparison of key-account definitions needs from a file too large to load, in DuckDB.

:func:`kamlab.compare.run_comparison` reads three things from the
transactions: the weekly calibration/holdout split
(:func:`kamlab.rfm.calibration_holdout`), the first purchase date, and the
weekly summary of the next window, which starts at the first purchase moved
forward by the holdout length and ends with the observation end:

    holdout_days = observation_end - calibration_end                      (days)
    next window  = first_date + holdout_days < date < day_after(observation_end)
    next_summary = summarise_rfm(next window, observation_end, freq="W")

(:func:`kamlab.compare.study.rescore_next_window`). :func:`summary_dataset_duckdb`
computes all three in DuckDB, out of core, and returns them in a
:class:`kamlab.datasets.Dataset` without transactions; only one row per
account reaches pandas. Nothing else of the comparison needs the
transactions, except the randomised pilot of ``extra_effort`` (accounts with a
``kam_pilot`` flag), which this path does not give; per-period revenue (the
XYZ classes of :mod:`kamlab.segments`) is not part of the comparison.

The windows default to those of :func:`kamlab.data.default_windows` (the bulk
of the dates, :mod:`kamlab.outofcore.windows`), found from a table of the
file's days.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from kamlab.data import ValidationReport
from kamlab.datasets import Dataset
from kamlab.rfm import day_after, period_numbers

from .sql import (account_select, columns_of, day_select, duckdb_connection, instant_select,
                  period_table)
from .summaries import account_rows, calibration_frame, holdout_frame
from .windows import FileWindows, file_windows

#: What the validation report says of a summary computed where the data live.
CLEAN_FILE_NOTE = ("the file was summarised where it lies ({engine}, one row per account brought into "
                   "memory) and taken as clean: the loader's checks and policies (duplicates, returns, "
                   "placeholders, unparseable values) were not applied; load it with "
                   "kamlab.data.load_transactions when it fits in memory")


def check_windows(windows: FileWindows) -> None:
    """Raise as :func:`kamlab.compare.split_windows` does unless first purchase < calibration end < observation end."""
    first, cal, obs = windows.first_date, windows.calibration_end, windows.observation_end
    if not first < cal < obs:
        raise ValueError(
            f"calibration_end {cal.date()} must fall inside the data, after the first purchase "
            f"({first.date()}) and before the observation end ({obs.date()})"
        )


def next_start(windows: FileWindows) -> pd.Timestamp:
    """Start (exclusive) of the next window: the first purchase moved forward by the holdout length in days."""
    return windows.first_date + pd.Timedelta(days=(windows.observation_end - windows.calibration_end).days)


def calhold_source(cost: bool) -> str:
    """SQL: the calibration and holdout rows of ``periods``, one per (account, window, period)."""
    cost_sum = ", sum(cost) AS cost" if cost else ""
    return (f"(SELECT customer_id, holdout, period, sum(revenue) AS revenue{cost_sum} "
            "FROM periods WHERE NOT after GROUP BY ALL)")


def next_source(cost: bool) -> str:
    """SQL: the next window's rows of ``periods``, one per (account, period), as one window."""
    cost_sum = ", sum(cost) AS cost" if cost else ""
    return (f"(SELECT customer_id, false AS holdout, period, sum(revenue) AS revenue{cost_sum} "
            "FROM periods WHERE later AND NOT after GROUP BY customer_id, period)")


def summary_frames(raw_calhold: pd.DataFrame, raw_next: pd.DataFrame, windows: FileWindows,
                   cost: bool) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """``calhold`` and ``next_summary`` (None when the next window is empty) from the per-account rows."""
    cal, obs = windows.calibration_end, windows.observation_end
    calhold = holdout_frame(raw_calhold, cal, obs, "W", 1, cost)
    if raw_next.empty:
        return calhold, None
    end_period = period_numbers(pd.DatetimeIndex([obs]), "W")[0]
    return calhold, calibration_frame(raw_next, end_period, 1, True, cost)


def summary_dataset(name: str, origin: str, engine: str, windows: FileWindows, frames, cols: dict[str, str],
                    n_customers: int) -> Dataset:
    """The Dataset of a summary computed where the data live, with a validation report that says so.

    ``origin`` says what the data are, e.g. "analyst file orders.csv";
    ``frames`` are ``calhold`` and ``next_summary`` (:func:`summary_frames`).
    """
    calhold, next_summary = frames
    report = ValidationReport(
        source=origin.removeprefix("analyst file "), rows_read=windows.rows, rows_kept=windows.rows,
        columns=tuple((role, column) for role, column in cols.items()),
        notes=(CLEAN_FILE_NOTE.format(engine=engine),) + windows.notes, n_customers=n_customers,
        first_date=windows.first_date, last_date=windows.last_date, revenue_kept=round(windows.revenue, 2))
    return Dataset(name=name, calhold=calhold, next_summary=next_summary, first_date=windows.first_date,
                   calibration_end=windows.calibration_end, observation_end=windows.observation_end,
                   source=f"{origin} (per-account summaries computed by {engine})",
                   report=report, own_data=True)


def _day_table(con, path: Path, cols: dict[str, str]) -> pd.DataFrame:
    """One row per day with a purchase, indexed by the day (see :func:`kamlab.outofcore.sql.day_select`)."""
    days = con.sql(day_select(path, cols)).to_arrow_table().to_pandas()
    if days.empty:
        raise ValueError(f"transactions file {path.name} has no dated rows")
    return days.set_index("day")


def summary_dataset_duckdb(
    path: str | Path,
    *,
    calibration_end: str | pd.Timestamp | None = None,
    observation_end: str | pd.Timestamp | None = None,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str = "amount",
    cost_col: str | None = None,
    memory_limit: str = "2GB",
    threads: int | None = None,
    temp_directory: str | Path | None = None,
    today: str | pd.Timestamp | None = None,
) -> Dataset:
    """A clean transaction file summarised for :func:`kamlab.compare.run_comparison`, out of core in DuckDB.

    Three passes over the file: a table of its days (purchases, revenue,
    first and last instant), the instants of the few days holding the
    quartiles (only when a window end is to be found), then the
    (account, window, week) sums stored on disk and aggregated per account
    twice (the split, the next window). See the module docstring for the
    windows; the tables equal the pandas path's on the same file.

    Parameters
    ----------
    path : str or Path
        A CSV (header row, ISO dates; may be compressed) or parquet file, or a
        glob of such files. Assumed clean: no loader policy is applied (use
        :func:`kamlab.datasets.resolve` for a messy export that fits in memory).
    calibration_end, observation_end : date-like, optional
        Last day of the calibration window and of the holdout (whole days,
        inclusive); by default those :func:`kamlab.data.default_windows`
        chooses from the bulk of the dates.
    customer_col, date_col, amount_col, cost_col : str
        The file's columns for the account, the purchase time, the revenue
        (currency units) and, optionally, the cost (adds ``profit_*``).
    memory_limit, threads, temp_directory
        DuckDB's buffer limit (it spills to disk beyond it), threads and the
        parent of its scratch directory (removed afterwards).
    today : date-like, optional
        Dates after this day are outlying when the windows are found (default: now).

    Returns
    -------
    Dataset
        ``transactions`` None; ``calhold`` (weekly
        :func:`kamlab.rfm.calibration_holdout`), ``next_summary`` (weekly
        :func:`kamlab.rfm.summarise_rfm` of the next window, None when it holds
        no purchase), ``first_date``, the two window ends, and a
        ``ValidationReport`` counting the rows and revenue, with the windows'
        notes and a note that the loader's checks were not applied.

    Raises
    ------
    kamlab.data.MissingColumnsError
        Naming the file and every column it lacks.
    ValueError
        When the calibration end does not fall between the first purchase
        and the observation end.
    """
    path = Path(path)
    columns = {"customer_id": customer_col, "date": date_col, "amount": amount_col, "cost": cost_col}
    with duckdb_connection(memory_limit, threads, temp_directory) as (con, scratch):
        cols = columns_of(con, path, columns)
        days = _day_table(con, path, cols)
        windows = file_windows(
            days, lambda wanted: con.sql(instant_select(path, cols, wanted)).to_arrow_table().to_pandas(),
            calibration_end=calibration_end, observation_end=observation_end, today=today)
        check_windows(windows)
        cost = "cost" in cols
        con.execute(period_table(path, cols, "W", day_after(windows.calibration_end),
                                 day_after(windows.observation_end), next_start(windows)))
        raw_calhold = account_rows(con, scratch, account_select(cost, calhold_source(cost)), "calhold")
        raw_next = account_rows(con, scratch, account_select(cost, next_source(cost)), "next")
        n_customers = con.sql("SELECT count(DISTINCT customer_id) FROM periods").fetchall()[0][0]
    frames = summary_frames(raw_calhold, raw_next, windows, cost)
    return summary_dataset(path.stem, f"analyst file {path.name}", "DuckDB", windows, frames, cols, int(n_customers))
