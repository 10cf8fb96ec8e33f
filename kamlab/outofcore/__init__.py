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

:func:`summary_dataset_duckdb` gives what :func:`kamlab.compare.run_comparison`
needs from such a file (the weekly split, the next window's summary, the
first date and the windows, by default from the bulk of the dates) as a
:class:`kamlab.datasets.Dataset` without transactions
(:mod:`kamlab.outofcore.comparison`); :mod:`kamlab.outofcore.spark` computes
the same on Spark. :func:`revenue_cv_duckdb` gives the per-period revenue
variability of each account (the XYZ classes of :mod:`kamlab.segments`).

These functions assume a **clean file**: one row per purchase, ids and
amounts as they should be counted, ISO dates, no returns, duplicates, totals
rows or placeholders. They apply none of the loader's policies. For a messy
export, use the validated loader :func:`kamlab.data.load_transactions` (and
then :mod:`kamlab.rfm`), which names every problem and counts every row it
removes. :func:`summary_dataset_duckdb` checks the head of a CSV first
(:mod:`kamlab.outofcore.layout`) and refuses one it would misread.
"""

from __future__ import annotations

from .comparison import summary_dataset_duckdb
from .layout import UncleanFileError, check_clean_file
from .periods import revenue_cv_duckdb
from .sql import PARQUET_SUFFIXES, duckdb_connection
from .summaries import calibration_holdout_duckdb, summarise_rfm_duckdb
from .windows import FileWindows, file_windows

__all__ = ["FileWindows", "PARQUET_SUFFIXES", "calibration_holdout_duckdb", "duckdb_connection", "file_windows",
           "revenue_cv_duckdb", "summarise_rfm_duckdb", "summary_dataset_duckdb", "UncleanFileError", "check_clean_file"]
