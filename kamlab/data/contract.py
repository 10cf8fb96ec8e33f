"""The data contract in code: column names, and one check that a frame has them.

=============  ================  =============================================
column         dtype             meaning
=============  ================  =============================================
customer_id    str               the account
date           datetime64[ns]    when the order happened (time zone-naive)
amount         float             revenue, currency units
cost           float, optional   cost of the order, same units (profit = amount - cost)
quantity       float, optional   units ordered
=============  ================  =============================================

Every module that takes a frame checks it with :func:`require_columns`, and
lists offending rows or accounts with :func:`format_rows` ("first five and N
more"), so that a missing column reads the same wherever it is found. The
loaders map an export's own column names onto these with
:func:`mapping_problems` and :func:`suggest_column` ("did you mean ...?").
"""

from __future__ import annotations

import difflib
import re
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from .errors import MissingColumnsError

#: Columns every transactions frame has (DESIGN, "The data contract").
REQUIRED_TRANSACTION_COLUMNS = ("customer_id", "date", "amount")

#: Accounts columns that must be numeric (DESIGN, "The data contract").
ACCOUNT_NUMERIC_COLUMNS = (
    "service_tickets", "staff_hours", "cost_to_serve", "strategic_fit",
    "influence", "referrals", "growth_potential",
)

#: Offending rows or accounts shown per problem; the rest are counted.
SHOWN = 5

# Words that exports use for the contract columns, to suggest a mapping.
_SYNONYMS = {
    "customer_id": ("customer", "customerid", "cust", "custid", "client", "clientid", "account",
                    "accountid", "buyer", "user", "userid", "player", "playerid", "id"),
    "date": ("orderdate", "invoicedate", "purchasedate", "transactiondate", "timestamp",
             "datetime", "time", "day", "created", "createdat"),
    "amount": ("revenue", "sales", "value", "total", "price", "net", "gross", "dollarvalue",
               "turnover", "spend", "payment", "sum"),
    "cost": ("cogs", "costs", "costofgoods", "expense", "expenses"),
    "quantity": ("qty", "units", "count", "numberofitems", "items", "numberofcds"),
    "price": ("unitprice", "priceeach", "priceperunit", "listprice", "rate"),
    "profit": ("grossprofit", "profitamount"),
}
#: Normalised names of a unit price, which is no amount without its quantity.
_PRICES = ("price", "unitprice", "priceeach", "priceperunit", "listprice")


def format_rows(labels: Iterable, *, limit: int = SHOWN) -> str:
    """The first ``limit`` labels joined by commas, then "and N more".

    >>> format_rows(["a", "b", "c", "d", "e", "f", "g"])
    'a, b, c, d, e and 2 more'
    """
    labels = list(labels)
    shown = ", ".join(str(v) for v in labels[:limit])
    more = len(labels) - limit
    return shown + (f" and {more:,} more" if more > 0 else "")


def format_accounts(mask: np.ndarray | pd.Series, index: pd.Index, *, limit: int = SHOWN) -> str:
    """'3 account(s) (A1, A7, B2)': how many rows of ``index`` the boolean ``mask`` marks, and which."""
    mask = np.asarray(mask, dtype=bool)
    return f"{int(mask.sum()):,} account(s) ({format_rows(index[mask], limit=limit)})"


def require_columns(frame: pd.DataFrame, columns: Sequence[str], *, what: str, hint: str = "") -> None:
    """Check that ``frame`` is a DataFrame with every one of ``columns``.

    Raises
    ------
    TypeError
        When ``frame`` is not a DataFrame.
    MissingColumnsError
        Naming every missing column (with the closest existing name, when one
        is close), the columns the frame has, and ``hint`` (how to build or
        map the frame).
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{what} must be a pandas DataFrame, got {type(frame).__name__}")
    available = tuple(str(c) for c in frame.columns)
    missing = tuple(c for c in columns if c not in frame.columns)
    if not missing:
        return
    parts = []
    for name in missing:
        close = difflib.get_close_matches(name, available, n=1, cutoff=0.75)
        parts.append(f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    message = (f"{what} lack{'s' if not what.endswith('s') else ''} column(s) {', '.join(parts)}; "
               f"found {list(available)}.")
    if hint:
        message += " " + hint
    raise MissingColumnsError(what, missing, available, message)


# --------------------------------------------------------------------------- mapping names

def _norm(name: str) -> str:
    """'Customer No.' -> 'customerno': lower case, letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def named_like(contract: str, available: list[str]) -> str | None:
    """The available column named as ``contract`` or one of its usual names (no fuzzy match), or None."""
    by_norm = {_norm(a): a for a in available}
    return next((by_norm[key] for key in (contract, *_SYNONYMS.get(contract, ())) if key in by_norm), None)


def suggest_column(contract: str, wanted: str, available: list[str]) -> str | None:
    """The available column most likely meant for ``contract``, or None."""
    by_norm = {_norm(a): a for a in available}
    for key in (_norm(wanted), _norm(contract)):
        if key in by_norm:
            return by_norm[key]
    for syn in _SYNONYMS.get(contract, ()):
        if syn in by_norm:
            return by_norm[syn]
    close = difflib.get_close_matches(_norm(wanted), list(by_norm), n=1, cutoff=0.6)
    return by_norm[close[0]] if close else None


def mapping_problems(available: list[str], mapping: dict[str, str | None]) -> list[str]:
    """One problem per mapped column that is missing (with a suggestion) or mapped twice."""
    problems = []
    used: dict[str, str] = {}
    for contract, col in mapping.items():
        if col is None:
            continue
        if col in used:
            problems.append(f"column {col!r} is mapped to both {used[col]} and {contract}; "
                            f"map each contract column to its own column")
        used[col] = contract
        if col not in available:
            arg = f"{contract.split('_')[0]}_col"
            hint = suggest_column(contract, col, available)
            fix = f"did you mean {hint!r}? pass {arg}={hint!r}" if hint else f"pass {arg}= naming the column that holds {contract}"
            units = suggest_column("quantity", "quantity", available)
            if contract == "amount" and hint is not None and _norm(hint) in _PRICES and units is not None:
                fix = (f"{hint!r} looks like a unit price: pass price_col={hint!r} and quantity_col={units!r} "
                       "to take amount = quantity × price of each row")
            problems.append(
                f"missing column {col!r} (expected for {contract}); the columns are "
                f"{', '.join(map(repr, available))}; {fix}"
            )
    return problems
