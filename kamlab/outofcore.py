"""Per-account RFM summaries of a transaction file larger than memory, in DuckDB.

The same tables as :func:`kamlab.rfm.summarise_rfm` and
:func:`kamlab.rfm.calibration_holdout` (same index, columns, dtypes and order),
computed by an embedded DuckDB query that reads the CSV or parquet file lazily
and spills to a temporary directory when its hash tables outgrow
``memory_limit``; only one row per account reaches pandas.

The query follows the conventions of :mod:`kamlab.rfm` (lifetimes'
``summary_data_from_transaction_data``; Fader, Hardie & Lee 2005):

    period         = day number ("D"), Monday-to-Sunday week number ("W") or month ("M")
    frequency      = number of distinct purchase periods - 1
    recency        = (last purchase period - first purchase period) / freq_multiplier
    T              = (observation-end period - first purchase period) / freq_multiplier
    monetary_value = (revenue - revenue of the first period) / frequency   (0 when frequency = 0)
    profit         = revenue - cost

Window ends are whole days, inclusive (:func:`kamlab.rfm.day_after`).

These functions assume a **clean file**: one row per purchase, ids and
amounts as they should be counted, ISO dates, no returns, duplicates, totals
rows or placeholders. They apply none of the loader's policies. For a messy
export, use the validated loader :func:`kamlab.data.load_transactions` (and
then :mod:`kamlab.rfm`), which names every problem and counts every row it
removes.
"""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd

from kamlab.data import require_columns
from kamlab.rfm import day_after, period_numbers

#: Suffixes read as parquet; anything else is read as CSV (optionally compressed).
PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")

#: The period expressions, in SQL, equal to :func:`kamlab.rfm.period_numbers` on the column ``ts``.
_PERIOD_SQL = {
    "D": "(CAST(ts AS DATE) - DATE '1970-01-01')",
    # 1970-01-01 was a Thursday; shifting by 3 days makes weeks start on Monday (floor division).
    "W": "CAST(floor(((CAST(ts AS DATE) - DATE '1970-01-01') + 3) / 7) AS BIGINT)",
    "M": "((year(ts) - 1970) * 12 + month(ts) - 1)",
}


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@contextlib.contextmanager
def duckdb_connection(memory_limit: str = "2GB", threads: int | None = None,
                      temp_directory: str | Path | None = None) -> Iterator:
    """An in-memory DuckDB connection that spills to disk beyond ``memory_limit``.

    ``memory_limit`` bounds DuckDB's own buffers (e.g. ``"2GB"``); the
    one-row-per-account result fetched into pandas is outside it.
    ``temp_directory`` is where it spills; by default a fresh temporary
    directory, removed on exit. ``threads`` defaults to DuckDB's (all cores).
    """
    import duckdb

    with contextlib.ExitStack() as stack:
        if temp_directory is None:
            temp_directory = stack.enter_context(tempfile.TemporaryDirectory(prefix="kamlab-duckdb-"))
        config = {"memory_limit": memory_limit, "temp_directory": str(temp_directory),
                  "preserve_insertion_order": False}
        if threads is not None:
            config["threads"] = int(threads)
        con = duckdb.connect(":memory:", config=config)
        stack.callback(con.close)
        yield con


def _reader(path: Path, types: dict[str, str] | None) -> str:
    """The SQL table function reading ``path``, with explicit types for the CSV columns."""
    if path.name.lower().endswith(PARQUET_SUFFIXES):
        return f"read_parquet({_literal(str(path))})"
    if not types:
        return f"read_csv({_literal(str(path))}, header = true)"
    spec = ", ".join(f"{_literal(k)}: {_literal(v)}" for k, v in types.items())
    return f"read_csv({_literal(str(path))}, header = true, types = {{{spec}}})"


def _columns(con, path: Path, columns: dict[str, str | None]) -> dict[str, str]:
    """The file's columns for each contract role, checked to exist (MissingColumnsError otherwise)."""
    if not any(ch in str(path) for ch in "*?[") and not path.is_file():
        raise FileNotFoundError(f"transactions file {path} does not exist")
    found = [row[0] for row in con.sql(f"DESCRIBE SELECT * FROM {_reader(path, None)}").fetchall()]
    wanted = {role: name for role, name in columns.items() if name is not None}
    require_columns(
        pd.DataFrame(columns=found), list(wanted.values()), what=f"transactions file {path.name}",
        hint="Name the file's columns with customer_col=, date_col=, amount_col= (and cost_col=).",
    )
    return wanted


def _query(path: Path, cols: dict[str, str], freq: str, cal_after: pd.Timestamp,
           obs_after: pd.Timestamp) -> str:
    """SQL: per account, calibration periods/first/last/revenue/first-period spend/cost, and holdout.

    Rows dated before ``cal_after`` are the calibration window, rows from
    ``cal_after`` to before ``obs_after`` the holdout. Purchases are first
    summed per (account, window, period), so a period counts once per window.
    """
    if freq not in _PERIOD_SQL:
        raise ValueError(f"freq {freq!r} is not supported by the DuckDB path; use 'D', 'W' or 'M' "
                         "(kamlab.rfm handles any pandas period alias in memory)")
    cost = "cost" in cols
    types = {cols["customer_id"]: "VARCHAR", cols["date"]: "TIMESTAMP", cols["amount"]: "DOUBLE"}
    if cost:
        types[cols["cost"]] = "DOUBLE"
    cost_tx = f", CAST({_ident(cols['cost'])} AS DOUBLE) AS cost" if cost else ""
    cost_sum = ", sum(cost) AS cost" if cost else ""
    hold_cost = ", coalesce(h.cost, 0.0) AS cost_holdout" if cost else ""
    return f"""
    WITH tx AS (
        SELECT CAST({_ident(cols['customer_id'])} AS VARCHAR) AS customer_id,
               CAST({_ident(cols['date'])} AS TIMESTAMP) AS ts,
               CAST({_ident(cols['amount'])} AS DOUBLE) AS amount{cost_tx}
        FROM {_reader(path, types)}
    ), periods AS (
        SELECT customer_id, ts >= TIMESTAMP '{cal_after}' AS holdout, {_PERIOD_SQL[freq]} AS period,
               sum(amount) AS revenue{cost_sum}
        FROM tx WHERE ts < TIMESTAMP '{obs_after}'
        GROUP BY ALL
    ), cal AS (
        SELECT customer_id, count(*) AS periods, min(period) AS first_period, max(period) AS last_period,
               sum(revenue) AS revenue, arg_min(revenue, period) AS first_spend{cost_sum}
        FROM periods WHERE NOT holdout GROUP BY customer_id
    ), hold AS (
        SELECT customer_id, count(*) AS periods, sum(revenue) AS revenue{cost_sum}
        FROM periods WHERE holdout GROUP BY customer_id
    )
    SELECT c.*, coalesce(h.periods, 0) AS periods_holdout,
           coalesce(h.revenue, 0.0) AS revenue_holdout{hold_cost}
    FROM cal AS c LEFT JOIN hold AS h USING (customer_id)
    ORDER BY customer_id
    """


def _calibration_frame(raw: pd.DataFrame, end_period: int, freq_multiplier: float,
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


def _first_date(con, path: Path, cols: dict[str, str]) -> pd.Timestamp:
    """The earliest purchase in the file (for an error message)."""
    value = con.sql(f"SELECT min(CAST({_ident(cols['date'])} AS TIMESTAMP)) "
                    f"FROM {_reader(path, {cols['date']: 'TIMESTAMP'})}").fetchall()[0][0]
    return pd.Timestamp(value)


def _run(path, cal_end, obs_end, columns, freq, memory_limit, threads, temp_directory):
    """Run the query; returns (per-account frame, the earliest date when the calibration window is empty)."""
    path = Path(path)
    with duckdb_connection(memory_limit, threads, temp_directory) as con:
        cols = _columns(con, path, columns)
        raw = con.sql(_query(path, cols, freq, day_after(cal_end), day_after(obs_end))).df()
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
    ValueError
        When no purchase falls on or before ``observation_end``.
    """
    end = pd.Timestamp(observation_end).normalize()
    columns = {"customer_id": customer_col, "date": date_col, "amount": amount_col, "cost": cost_col}
    raw, cols, _ = _run(path, end, end, columns, freq, memory_limit, threads, temp_directory)
    if raw.empty:
        raise ValueError(f"no transactions on or before observation_end {end.date()}")
    end_period = period_numbers(pd.DatetimeIndex([end]), freq)[0]
    return _calibration_frame(raw, end_period, freq_multiplier, monetary, "cost" in cols)


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
    cal_period, obs_period = period_numbers(pd.DatetimeIndex([cal_end, obs_end]), freq)
    cost = "cost" in cols
    out = _calibration_frame(raw, cal_period, freq_multiplier, True, cost).add_suffix("_cal")
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
