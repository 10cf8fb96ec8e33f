"""The data contract: load an export, map its columns, validate it.

Public names (``load_transactions``, ``validate_accounts``, the errors and the
report) are importable from ``kamlab.data`` as they always were; the modules
behind them each own one concern (see CONTRIBUTING, "The package"):

=================  ==========================================================
``contract``       column names, ``require_columns``, mapping export names
``errors``         the errors, each listing every problem of an input
``messages``       how problems are worded (plurals, "first five and N more")
``filetypes``      what a file is from its bytes (compressed, workbook, PDF, ...)
``reading``        files and frames into text tables: encodings, delimiters, titles
``parsing``        text into values: numbers, dates, ids, control characters
``arrow``          the fast path: a plain CSV read by pyarrow into the same text table
``vectorised``     the parse functions on whole columns, today's for the values they cannot take
``ordering``       the contract's order (customer, date, row) and duplicates, on integer codes
``columns``        the mapped columns of a table parsed into contract columns
``documents``      ledger lines that are not sales: totals, credit notes, fees
``report``         ``ValidationReport``, ``ReportItem``, ``LoadedTransactions``
``bundle``         a validated dataset on disk: parquet frames and one JSON file
``outliers``       dates far from the bulk of a file; default windows from it
``returns``        netting returns against earlier purchases
``policies``       the ledger of a load and its row policies
``transactions``   ``load_transactions``: the entry point
``accounts``       ``validate_accounts``: accounts tables
``accounts_file``  ``load_accounts``: accounts/CRM files (CSV, parquet, Excel)
``spreadsheet``    one sheet of an Excel workbook as text cells
=================  ==========================================================
"""

from .accounts import validate_accounts  # noqa: F401
from .accounts_file import AccountsReport, LoadedAccounts, load_accounts  # noqa: F401
from .contract import (  # noqa: F401
    ACCOUNT_NUMERIC_COLUMNS,
    REQUIRED_TRANSACTION_COLUMNS,
    format_accounts,
    format_rows,
    require_columns,
)
from .errors import AccountDataError, DataContractError, MissingColumnsError, TransactionDataError  # noqa: F401
from .outliers import DateBulk, Windows, date_bulk, default_windows  # noqa: F401
from .parsing import MISSING_ID_MARKERS  # noqa: F401
from .report import LoadedTransactions, ReportItem, ValidationReport  # noqa: F401
from .transactions import load_transactions  # noqa: F401

__all__ = [
    "ACCOUNT_NUMERIC_COLUMNS",
    "AccountDataError",
    "AccountsReport",
    "DataContractError",
    "DateBulk",
    "LoadedAccounts",
    "MISSING_ID_MARKERS",
    "LoadedTransactions",
    "MissingColumnsError",
    "REQUIRED_TRANSACTION_COLUMNS",
    "ReportItem",
    "TransactionDataError",
    "ValidationReport",
    "Windows",
    "date_bulk",
    "default_windows",
    "format_accounts",
    "format_rows",
    "load_accounts",
    "load_transactions",
    "require_columns",
    "validate_accounts",
]
