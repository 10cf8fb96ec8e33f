"""Which engine reads an analyst's file: the validating loader in memory, or DuckDB out of core.

``--engine pandas`` reads the file with :func:`kamlab.data.load_transactions`
(every check and policy of the data contract; the data must fit in memory).
``--engine duckdb`` hands the file to
:func:`kamlab.outofcore.summary_dataset_duckdb`, which reads it lazily and
returns only one row per account: the capstone's per-account summaries, for
files larger than memory. It takes the file as clean (no loader policy runs)
and gives a summary, not transactions, so it serves only the notebooks that
can work from a summary (:data:`SUMMARY_NOTEBOOKS`). ``--engine auto`` (the
default) chooses DuckDB for such a notebook when the file is larger than
:func:`duckdb_threshold` and no loading policy was asked for, else pandas.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping

from .errors import ReportConfigError

ENGINES = ("auto", "pandas", "duckdb")
#: The notebooks that run on a per-account summary (a Dataset with ``calhold`` and no transactions).
SUMMARY_NOTEBOOKS = ("07_compare_definitions",)
#: Above this size on disk (bytes) ``auto`` reads a file with DuckDB: 1 GiB (about 25 million lines of a
#: four-column export), or less on a machine whose memory is under 8 GiB (see :func:`duckdb_threshold`).
DUCKDB_ABOVE_BYTES = 1 << 30
#: The fix for a file DuckDB would misread (:mod:`kamlab.outofcore.layout`).
COMMAND_FIX = ("run the command again with --engine pandas (the validating loader, which skips title lines and "
               "reads decimal commas and day-first dates; the file must fit in memory), or clean the file first")


def duckdb_threshold() -> int:
    """The file size above which ``auto`` chooses DuckDB: 1 GiB, or an eighth of the physical memory if less.

    The validating loader peaks at about seven times the file's size in
    memory (measured on the benchmark ledgers), DuckDB at a fixed buffer.
    """
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # not a POSIX system: the fixed size
        return DUCKDB_ABOVE_BYTES
    return min(DUCKDB_ABOVE_BYTES, memory // 8)


def choose_engine(engine: str, path: Path, notebook: Path, policies: Mapping[str, Any]) -> str:
    """"pandas" or "duckdb" for ``path`` read for ``notebook`` (``engine`` as given on the command line).

    ``policies`` are the loading policies the analyst asked for (not the
    defaults). Raises :class:`ReportConfigError` when DuckDB is asked for a
    notebook that needs transactions, or together with loading policies.
    """
    if engine not in ENGINES:
        raise ReportConfigError(f"--engine must be one of {', '.join(ENGINES)}; got {engine!r}")
    summary_ok = notebook.stem in SUMMARY_NOTEBOOKS
    if engine == "duckdb":
        if not summary_ok:
            raise ReportConfigError(
                f"{notebook.stem} needs the transactions themselves, and --engine duckdb gives a per-account "
                f"summary (it serves {', '.join(SUMMARY_NOTEBOOKS)}): drop --engine duckdb, or run "
                f"`kamlab report {SUMMARY_NOTEBOOKS[0]} --data {path.name} --engine duckdb`")
        if policies:
            flags = ", ".join("--" + name.replace("_", "-") for name in sorted(policies))
            raise ReportConfigError(
                f"{flags}: loading policies of the validating loader, which --engine duckdb does not run "
                "(it reads the file as clean); drop them, or drop --engine duckdb to have them applied")
        return "duckdb"
    if engine == "auto" and summary_ok and not policies and path.suffix.lower() not in (".xlsx", ".xlsm", ".xls", ".ods") \
            and path.is_file() and path.stat().st_size > duckdb_threshold():
        return "duckdb"
    return "pandas"


def reads_transactions(engine: str, path: Path) -> bool:
    """True when ``path`` goes through the validating loader as transactions, so that the command's default
    loading policy (``--returns net``) applies: not with DuckDB, and not for a per-account summary file."""
    from kamlab.data.bundle import is_summary_file

    return engine == "pandas" and not is_summary_file(path)


def summary_dataset(path: str | Path, *, columns: Mapping[str, Any], accounts: Mapping[str, Any]):
    """The analyst's file summarised by DuckDB as a ``kamlab.datasets.Dataset`` (no transactions).

    ``columns`` are ``customer_col``, ``date_col``, ``amount_col``, ``cost_col`` as
    given; an accounts file is read with :func:`kamlab.data.load_accounts`,
    its ids reconciled with the accounts of the summary (those that bought in
    the calibration or the holdout window).
    """
    from dataclasses import replace

    import pandas as pd

    from kamlab.data import load_accounts
    from kamlab.outofcore import UncleanFileError, summary_dataset_duckdb

    try:
        ds = summary_dataset_duckdb(path, **{k: v for k, v in columns.items() if v is not None})
    except UncleanFileError as err:  # the fix as the command line gives it
        raise UncleanFileError(err.source, err.issues, COMMAND_FIX) from None
    if accounts.get("accounts") is None:
        return replace(ds, own_data=True)
    reading = {k: v for k, v in (accounts.get("account_options") or {}).items() if v is not None}
    table, report = load_accounts(accounts["accounts"], id_col=accounts.get("account_id_col"),
                                  columns=accounts.get("account_columns"),
                                  transaction_ids=pd.Series(ds.calhold.index), **reading)
    notes = ds.report.notes + (f"accounts from {report.source}: {report.reconciliation}",)
    return replace(ds, accounts=table, accounts_report=report, report=replace(ds.report, notes=notes), own_data=True)
