"""The per-account summaries a comparison needs, as a Spark query, for data in a cluster or warehouse.

The same tables as :func:`kamlab.outofcore.summary_dataset_duckdb` (the
weekly split of :func:`kamlab.rfm.calibration_holdout`, the next window's
:func:`kamlab.rfm.summarise_rfm`, the first date, the default windows from the
bulk of the dates) computed by PySpark DataFrame operations where the data
live: a Spark table, a DataFrame, or a CSV/parquet path the cluster reads.
Only one row per day (for the windows), per instant of the two or four days
holding the quartiles, and per account is collected to the driver, and the
same finishing code as the DuckDB path turns it into the same frames.

    period    = floor((days since 1970-01-01 + 3) / 7)           (Monday-to-Sunday weeks)
    frequency = distinct purchase weeks - 1, and so on, as in :mod:`kamlab.rfm`

Dates are read as ``TIMESTAMP_NTZ`` (wall-clock time, no time zone), so the
session time zone does not move a purchase across midnight. Needs
``pip install kamlab[spark]`` and a Java runtime (``make test-spark``
installs both and runs the tests in local mode). The data are taken as
clean, as on the DuckDB path.
"""

from __future__ import annotations

from pathlib import PurePath

import pandas as pd
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from kamlab.data import require_columns
from kamlab.datasets import Dataset
from kamlab.rfm import day_after

from .comparison import check_windows, next_start, summary_dataset, summary_frames
from .sql import PARQUET_SUFFIXES
from .windows import file_windows


def _ntz(value: pd.Timestamp):
    """A Spark literal of a wall-clock instant (``TIMESTAMP_NTZ``), to the microsecond."""
    return F.lit(pd.Timestamp(value).strftime("%Y-%m-%d %H:%M:%S.%f")).cast("timestamp_ntz")


def source_frame(source: DataFrame | str, spark: SparkSession | None = None) -> tuple[DataFrame, str, str]:
    """The transactions as a Spark DataFrame, a name for the dataset, and what it is (for its provenance).

    ``source`` is a DataFrame, a path ending in ``.csv`` (header row; may be
    compressed, e.g. ``.csv.gz``) or a parquet suffix (or a directory of
    parquet files, given with a ``/``), or the name of a table in the
    session's catalog.
    """
    if isinstance(source, DataFrame):
        return source, "spark_dataframe", "a Spark DataFrame"
    spark = spark or SparkSession.getActiveSession() or SparkSession.builder.getOrCreate()
    text = str(source)
    name = PurePath(text.rstrip("/")).name
    lowered = text.lower().rstrip("/")
    if ".csv" in PurePath(lowered).suffixes:
        return spark.read.csv(text, header=True), name.split(".")[0], f"analyst file {name}"
    if lowered.endswith(PARQUET_SUFFIXES) or "/" in text:
        return spark.read.parquet(text), name.split(".")[0], f"analyst file {name}"
    return spark.table(text), name, f"Spark table {text}"


def typed_rows(frame: DataFrame, cols: dict[str, str]) -> DataFrame:
    """``customer_id`` (string), ``ts`` (timestamp_ntz), ``amount`` and ``cost`` (double) of the file's columns."""
    rows = [F.col(f"`{cols['customer_id']}`").cast("string").alias("customer_id"),
            F.col(f"`{cols['date']}`").cast("timestamp_ntz").alias("ts"),
            F.col(f"`{cols['amount']}`").cast("double").alias("amount")]
    if "cost" in cols:
        rows.append(F.col(f"`{cols['cost']}`").cast("double").alias("cost"))
    return frame.select(*rows).where(F.col("ts").isNotNull())


def _collect(frame: DataFrame, sort: str | None = None) -> pd.DataFrame:
    """A small result on the driver, through Arrow when this PySpark has it (sorted by ``sort``, as text)."""
    to_arrow = getattr(frame, "toArrow", None)
    if to_arrow is None:
        out = frame.toPandas()
        return out.sort_values(sort, ignore_index=True) if sort else out
    table = to_arrow()
    return (table.sort_by(sort) if sort else table).to_pandas()


def day_table(rows: DataFrame) -> pd.DataFrame:
    """One row per day with a purchase (``rows``, ``revenue``, ``first``, ``last``), indexed by the day."""
    days = rows.groupBy(F.to_date("ts").cast("timestamp_ntz").alias("day")).agg(
        F.count(F.lit(1)).alias("rows"), F.sum("amount").alias("revenue"),
        F.min("ts").alias("first"), F.max("ts").alias("last"))
    out = _collect(days)
    if out.empty:
        raise ValueError("the transactions have no dated rows")
    return out.set_index("day")


def instants(rows: DataFrame, days: list[pd.Timestamp]) -> pd.DataFrame:
    """The purchases ``n`` at each instant ``ts`` of the given days (for the exact quartiles)."""
    wanted = [F.lit(f"{pd.Timestamp(day):%Y-%m-%d}").cast("date") for day in days]
    return _collect(rows.where(F.to_date("ts").isin(*wanted)).groupBy("ts").agg(F.count(F.lit(1)).alias("n")))


def study_conditions(windows) -> dict[str, object]:
    """The calibration window, the holdout and the next window as conditions on ``ts`` (whole-day ends)."""
    ts = F.col("ts")
    cal_after, obs_after = _ntz(day_after(windows.calibration_end)), _ntz(day_after(windows.observation_end))
    return {"cal": ts < cal_after, "hold": (ts >= cal_after) & (ts < obs_after),
            "next": (ts > _ntz(next_start(windows))) & (ts < obs_after)}


def period_table(rows: DataFrame, windows) -> DataFrame:
    """Per (account, week), the purchases, revenue (and cost) of each window (as ``study_period_table``)."""
    days = F.datediff(F.to_date("ts"), F.lit("1970-01-01").cast("date"))
    sums = []
    for name, condition in study_conditions(windows).items():
        sums += [F.count(F.when(condition, 1)).alias(f"rows_{name}"),
                 F.sum(F.when(condition, F.col("amount"))).alias(f"revenue_{name}")]
        if "cost" in rows.columns:
            sums.append(F.sum(F.when(condition, F.col("cost"))).alias(f"cost_{name}"))
    return rows.groupBy("customer_id", F.floor((days + 3) / 7).cast("long").alias("period")).agg(*sums)


def account_rows(periods: DataFrame, cost: bool) -> pd.DataFrame:
    """One row per account, as :func:`kamlab.outofcore.comparison.study_account_select`, sorted by account."""
    def window(prefix: str, name: str) -> list:
        bought, period = F.col(f"rows_{name}") > 0, F.col("period")
        out = [F.count(F.when(bought, 1)).alias(f"{prefix}periods"),
               F.min(F.when(bought, period)).alias(f"{prefix}first_period"),
               F.max(F.when(bought, period)).alias(f"{prefix}last_period"),
               F.sum(f"revenue_{name}").alias(f"{prefix}revenue"),
               F.min_by(F.col(f"revenue_{name}"), F.when(bought, period)).alias(f"{prefix}first_spend")]
        return out + ([F.sum(f"cost_{name}").alias(f"{prefix}cost")] if cost else [])
    hold = [F.count(F.when(F.col("rows_hold") > 0, 1)).alias("periods_holdout"),
            F.coalesce(F.sum("revenue_hold"), F.lit(0.0)).alias("revenue_holdout")]
    hold += [F.coalesce(F.sum("cost_hold"), F.lit(0.0)).alias("cost_holdout")] if cost else []
    return _collect(periods.groupBy("customer_id").agg(*window("", "cal"), *hold, *window("next_", "next")),
                    sort="customer_id")


def summary_dataset_spark(
    source: DataFrame | str,
    *,
    spark: SparkSession | None = None,
    calibration_end: str | pd.Timestamp | None = None,
    observation_end: str | pd.Timestamp | None = None,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str = "amount",
    cost_col: str | None = None,
    today: str | pd.Timestamp | None = None,
) -> Dataset:
    """:func:`kamlab.outofcore.summary_dataset_duckdb` on Spark: the same Dataset, computed in the cluster.

    Parameters
    ----------
    source : pyspark DataFrame or str
        The transactions: a DataFrame, a CSV or parquet path the cluster can
        read, or a table name (:func:`source_frame`).
    spark : SparkSession, optional
        For a path or table name; by default the active session.
    calibration_end, observation_end, customer_col, date_col, amount_col, cost_col, today
        As in :func:`kamlab.outofcore.summary_dataset_duckdb`.

    Returns
    -------
    Dataset
        ``calhold``, ``next_summary`` (None when the next window is empty),
        ``first_date``, the windows and a validation report, no transactions.
    """
    frame, name, origin = source_frame(source, spark)
    columns = {"customer_id": customer_col, "date": date_col, "amount": amount_col, "cost": cost_col}
    cols = {role: column for role, column in columns.items() if column is not None}
    require_columns(pd.DataFrame(columns=frame.columns), list(cols.values()), what=f"transactions {name}",
                    hint="Name the columns with customer_col=, date_col=, amount_col= (and cost_col=).")
    rows = typed_rows(frame, cols)
    windows = file_windows(day_table(rows), lambda wanted: instants(rows, wanted), calibration_end=calibration_end,
                           observation_end=observation_end, today=today)
    check_windows(windows)
    raw = account_rows(period_table(rows, windows), "cost" in cols)
    frames = summary_frames(raw, windows, "cost" in cols)
    return summary_dataset(name, origin, "Spark", windows, frames, cols, len(raw))
