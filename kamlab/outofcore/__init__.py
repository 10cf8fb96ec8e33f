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

from .sql import PARQUET_SUFFIXES, duckdb_connection
from .summaries import calibration_holdout_duckdb, summarise_rfm_duckdb

__all__ = ["PARQUET_SUFFIXES", "calibration_holdout_duckdb", "duckdb_connection", "summarise_rfm_duckdb"]
