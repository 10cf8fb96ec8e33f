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

from .layout import check_clean_file, read_errors
from .sql import WEEK_SQL, columns_of, day_select, duckdb_connection, instant_select, typed_rows
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


def study_windows(windows: FileWindows) -> dict[str, str]:
    """SQL conditions of the calibration window, the holdout and the next window (whole-day ends)."""
    cal_after, obs_after = day_after(windows.calibration_end), day_after(windows.observation_end)
    return {"cal": f"ts < TIMESTAMP '{cal_after}'",
            "hold": f"ts >= TIMESTAMP '{cal_after}' AND ts < TIMESTAMP '{obs_after}'",
            "next": f"ts > TIMESTAMP '{next_start(windows)}' AND ts < TIMESTAMP '{obs_after}'"}


def study_period_table(path: Path, cols: dict[str, str], windows: FileWindows) -> str:
    """SQL creating table ``periods``: per (account, week), the purchases, revenue (and cost) in each window.

    One row per week in which the account bought at all (any date), with
    ``rows_<w>``, ``revenue_<w>`` (``cost_<w>``) for w = cal, hold, next; a
    week may hold purchases of two windows. Stored on disk, as
    :func:`kamlab.outofcore.sql.period_table`.
    """
    sums = []
    for name, condition in study_windows(windows).items():
        sums += [f"count(*) FILTER (WHERE {condition}) AS rows_{name}",
                 f"sum(amount) FILTER (WHERE {condition}) AS revenue_{name}"]
        sums += [f"sum(cost) FILTER (WHERE {condition}) AS cost_{name}"] if "cost" in cols else []
    return f"""
    CREATE TABLE periods AS
        SELECT customer_id, {WEEK_SQL} AS period, {', '.join(sums)}
        FROM ({typed_rows(path, cols)})
        WHERE ts IS NOT NULL
        GROUP BY customer_id, period
    """


def study_account_select(cost: bool) -> str:
    """SQL: one row per account of ``periods``, the columns of both summaries (``next_`` for the next window).

    Per window: weeks with a purchase, first and last such week, revenue,
    revenue of the first week (``arg_min``) and cost, as
    :func:`kamlab.outofcore.sql.account_select`; the holdout's weeks,
    revenue and cost. Every account that bought at all is a row (their
    number is the report's).
    """
    def window(prefix: str, name: str) -> list[str]:
        bought = f"FILTER (WHERE rows_{name} > 0)"
        out = [f"count(*) {bought} AS {prefix}periods", f"min(period) {bought} AS {prefix}first_period",
               f"max(period) {bought} AS {prefix}last_period", f"sum(revenue_{name}) AS {prefix}revenue",
               f"arg_min(revenue_{name}, period) {bought} AS {prefix}first_spend"]
        return out + ([f"sum(cost_{name}) AS {prefix}cost"] if cost else [])
    hold = ["count(*) FILTER (WHERE rows_hold > 0) AS periods_holdout",
            "coalesce(sum(revenue_hold), 0.0) AS revenue_holdout"]
    hold += ["coalesce(sum(cost_hold), 0.0) AS cost_holdout"] if cost else []
    return (f"SELECT customer_id, {', '.join(window('', 'cal') + hold + window('next_', 'next'))} "
            "FROM periods GROUP BY customer_id")


def summary_frames(raw: pd.DataFrame, windows: FileWindows, cost: bool) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """``calhold`` and ``next_summary`` (None when the next window is empty) from the per-account rows."""
    cal, obs = windows.calibration_end, windows.observation_end
    calhold = holdout_frame(raw.loc[raw["periods"].to_numpy() > 0], cal, obs, "W", 1, cost)
    later = raw.loc[raw["next_periods"].to_numpy() > 0]
    if later.empty:
        return calhold, None
    later = later[["customer_id"] + [c for c in later.columns if c.startswith("next_")]]
    end_period = period_numbers(pd.DatetimeIndex([obs]), "W")[0]
    return calhold, calibration_frame(later.rename(columns=lambda c: c.removeprefix("next_")), end_period, 1,
                                      True, cost)


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
    (account, week) sums of each window stored on disk
    (:func:`study_period_table`) and aggregated per account once
    (:func:`study_account_select`). See the module docstring for the
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
    kamlab.outofcore.UncleanFileError
        A CSV the path would misread (:func:`kamlab.outofcore.layout.check_clean_file`:
        title lines, amounts that are not plain numbers, dates that are not
        ISO), or a value DuckDB cannot read as its column's type.
    ValueError
        When the calibration end does not fall between the first purchase
        and the observation end.
    """
    path = Path(path)
    columns = {"customer_id": customer_col, "date": date_col, "amount": amount_col, "cost": cost_col}
    check_clean_file(path, {role: name for role, name in columns.items() if name is not None})
    with duckdb_connection(memory_limit, threads, temp_directory) as (con, scratch):
        cols = columns_of(con, path, columns)
        with read_errors(path):
            days = _day_table(con, path, cols)
            windows = file_windows(
                days, lambda wanted: con.sql(instant_select(path, cols, wanted)).to_arrow_table().to_pandas(),
                calibration_end=calibration_end, observation_end=observation_end, today=today)
            check_windows(windows)
            con.execute(study_period_table(path, cols, windows))
            raw = account_rows(con, scratch, study_account_select("cost" in cols))
    frames = summary_frames(raw, windows, "cost" in cols)
    return summary_dataset(path.stem, f"analyst file {path.name}", "DuckDB", windows, frames, cols, len(raw))
