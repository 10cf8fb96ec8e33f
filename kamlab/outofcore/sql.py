"""The DuckDB side of :mod:`kamlab.outofcore`: a connection that spills to disk, the file's
columns checked, and the one query that turns a transaction file into one row per account.

The SQL period numbers equal :func:`kamlab.rfm.period_numbers`; windows are
half-open at :func:`kamlab.rfm.day_after` of their whole-day ends.
"""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path
from typing import Iterator

import pandas as pd

from kamlab.data import require_columns

#: Suffixes read as parquet; anything else is read as CSV (optionally compressed).
PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")

#: The period expressions, in SQL, equal to :func:`kamlab.rfm.period_numbers` on the column ``ts``.
_PERIOD_SQL = {
    "D": "(CAST(ts AS DATE) - DATE '1970-01-01')",
    # 1970-01-01 was a Thursday; shifting by 3 days makes weeks start on Monday (floor division).
    "W": "CAST(floor(((CAST(ts AS DATE) - DATE '1970-01-01') + 3) / 7) AS BIGINT)",
    "M": "((year(ts) - 1970) * 12 + month(ts) - 1)",
}


#: Monday-to-Sunday week number of ``ts``, as :func:`kamlab.rfm.period_numbers` with ``freq="W"``.
WEEK_SQL = _PERIOD_SQL["W"]


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@contextlib.contextmanager
def duckdb_connection(memory_limit: str = "2GB", threads: int | None = None,
                      temp_directory: str | Path | None = None) -> Iterator:
    """A DuckDB connection whose tables and spills live on disk beyond ``memory_limit``.

    The database is a file in a fresh scratch directory (inside
    ``temp_directory`` when given, else the system's), which also receives
    DuckDB's spill files and the result; the directory is removed on exit.
    ``memory_limit`` bounds DuckDB's own buffers (e.g. ``"2GB"``); the
    one-row-per-account result read into pandas is outside it. ``threads``
    defaults to DuckDB's (all cores). Yields ``(connection, scratch directory)``.
    """
    import duckdb

    with tempfile.TemporaryDirectory(prefix="kamlab-duckdb-", dir=temp_directory) as scratch:
        config = {"memory_limit": memory_limit, "temp_directory": str(Path(scratch) / "spill"),
                  "preserve_insertion_order": False}
        if threads is not None:
            config["threads"] = int(threads)
        con = duckdb.connect(str(Path(scratch) / "work.duckdb"), config=config)
        try:
            con.execute("SET enable_progress_bar = false")
            yield con, Path(scratch)
        finally:
            con.close()


def reader(path: Path, types: dict[str, str] | None) -> str:
    """The SQL table function reading ``path``, with explicit types for the CSV columns."""
    if path.name.lower().endswith(PARQUET_SUFFIXES):
        return f"read_parquet({literal(str(path))})"
    if not types:
        return f"read_csv({literal(str(path))}, header = true)"
    spec = ", ".join(f"{literal(k)}: {literal(v)}" for k, v in types.items())
    return f"read_csv({literal(str(path))}, header = true, types = {{{spec}}})"


def columns_of(con, path: Path, columns: dict[str, str | None]) -> dict[str, str]:
    """The file's columns for each contract role, checked to exist (MissingColumnsError otherwise)."""
    if not any(ch in str(path) for ch in "*?[") and not path.is_file():
        raise FileNotFoundError(f"transactions file {path} does not exist")
    found = [row[0] for row in con.sql(f"DESCRIBE SELECT * FROM {reader(path, None)}").fetchall()]
    wanted = {role: name for role, name in columns.items() if name is not None}
    require_columns(
        pd.DataFrame(columns=found), list(wanted.values()), what=f"transactions file {path.name}",
        hint="Name the file's columns with customer_col=, date_col=, amount_col= (and cost_col=).",
    )
    return wanted


def _check_freq(freq: str) -> None:
    if freq not in _PERIOD_SQL:
        raise ValueError(f"freq {freq!r} is not supported by the DuckDB path; use 'D', 'W' or 'M' "
                         "(kamlab.rfm handles any pandas period alias in memory)")


def typed_rows(path: Path, cols: dict[str, str]) -> str:
    """SQL: the file's rows as ``customer_id`` (text), ``ts`` (timestamp), ``amount`` and ``cost`` (doubles)."""
    cost = "cost" in cols
    types = {cols["customer_id"]: "VARCHAR", cols["date"]: "TIMESTAMP", cols["amount"]: "DOUBLE"}
    if cost:
        types[cols["cost"]] = "DOUBLE"
    cost_row = f", CAST({ident(cols['cost'])} AS DOUBLE) AS cost" if cost else ""
    return (f"SELECT CAST({ident(cols['customer_id'])} AS VARCHAR) AS customer_id, "
            f"CAST({ident(cols['date'])} AS TIMESTAMP) AS ts, "
            f"CAST({ident(cols['amount'])} AS DOUBLE) AS amount{cost_row} FROM {reader(path, types)}")


def period_table(path: Path, cols: dict[str, str], freq: str, cal_after: pd.Timestamp,
                 obs_after: pd.Timestamp) -> str:
    """SQL creating table ``periods``: revenue (and cost) per (account, window, period).

    Rows dated before ``cal_after`` are the calibration window
    (``holdout = false``), rows from ``cal_after`` to before ``obs_after`` the
    holdout; later rows are left out. A period with several purchases is one
    row per window. The table is stored in the database file, so the next
    step reads it from disk rather than holding two hash tables at once.
    """
    _check_freq(freq)
    cost_period = ", sum(cost) AS cost" if "cost" in cols else ""
    return f"""
    CREATE TABLE periods AS
        SELECT customer_id, ts >= TIMESTAMP '{cal_after}' AS holdout, {_PERIOD_SQL[freq]} AS period,
               sum(amount) AS revenue{cost_period}
        FROM ({typed_rows(path, cols)})
        WHERE ts < TIMESTAMP '{obs_after}'
        GROUP BY ALL
    """


def day_select(path: Path, cols: dict[str, str]) -> str:
    """SQL: one row per day with a purchase: ``day`` (midnight), ``rows``, ``revenue``, ``first``, ``last`` instant."""
    return f"""
    SELECT CAST(CAST(ts AS DATE) AS TIMESTAMP) AS day, count(*) AS rows, sum(amount) AS revenue,
           min(ts) AS first, max(ts) AS last
    FROM ({typed_rows(path, cols)})
    WHERE ts IS NOT NULL
    GROUP BY ALL
    """


def instant_select(path: Path, cols: dict[str, str], days: list[pd.Timestamp]) -> str:
    """SQL: the purchases ``n`` at each instant ``ts`` of the given days (for the exact quartiles)."""
    listed = ", ".join(f"DATE '{pd.Timestamp(day):%Y-%m-%d}'" for day in days)
    return f"""
    SELECT ts, count(*) AS n FROM ({typed_rows(path, cols)})
    WHERE CAST(ts AS DATE) IN ({listed})
    GROUP BY ts
    """


def account_select(cost: bool) -> str:
    """SQL: one row per account of ``periods`` with a calibration purchase (in no particular order).

    Calibration: number of periods, first and last period, revenue, revenue of
    the first period (``arg_min``), cost; holdout: number of periods, revenue,
    cost (0 when none). One aggregation, ``FILTER`` by window, no join.
    """
    cost_account = (", sum(cost) FILTER (WHERE NOT holdout) AS cost, "
                    "coalesce(sum(cost) FILTER (WHERE holdout), 0.0) AS cost_holdout") if cost else ""
    return f"""
    SELECT customer_id,
           count(*) FILTER (WHERE NOT holdout) AS periods,
           min(period) FILTER (WHERE NOT holdout) AS first_period,
           max(period) FILTER (WHERE NOT holdout) AS last_period,
           sum(revenue) FILTER (WHERE NOT holdout) AS revenue,
           arg_min(revenue, period) FILTER (WHERE NOT holdout) AS first_spend,
           count(*) FILTER (WHERE holdout) AS periods_holdout,
           coalesce(sum(revenue) FILTER (WHERE holdout), 0.0) AS revenue_holdout{cost_account}
    FROM periods
    GROUP BY customer_id
    HAVING count(*) FILTER (WHERE NOT holdout) > 0
    """
