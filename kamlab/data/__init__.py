"""The data contract: load an export, map its columns, validate it.

Public names (``load_transactions``, ``validate_accounts``, the errors and the
report) are importable from ``kamlab.data`` as they always were; the modules
behind them each own one concern (see CONTRIBUTING, "The package").
"""

from ._loader import (  # noqa: F401
    LoadedTransactions,
    ReportItem,
    ValidationReport,
    load_transactions,
    validate_accounts,
)
from .contract import (  # noqa: F401
    ACCOUNT_NUMERIC_COLUMNS,
    REQUIRED_TRANSACTION_COLUMNS,
    format_accounts,
    format_rows,
    require_columns,
)
from .errors import AccountDataError, DataContractError, MissingColumnsError, TransactionDataError  # noqa: F401

__all__ = [
    "ACCOUNT_NUMERIC_COLUMNS",
    "AccountDataError",
    "DataContractError",
    "LoadedTransactions",
    "MissingColumnsError",
    "REQUIRED_TRANSACTION_COLUMNS",
    "ReportItem",
    "TransactionDataError",
    "ValidationReport",
    "format_accounts",
    "format_rows",
    "load_transactions",
    "require_columns",
    "validate_accounts",
]
