"""Input checks shared by the survival modules, on the data contract's helpers.

Column checks go through :func:`kamlab.data.require_columns` (a missing column
raises :class:`kamlab.data.MissingColumnsError`, a ``KeyError`` and
``ValueError``); offending rows are listed with :func:`kamlab.data.format_rows`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kamlab.data import format_rows, require_columns

#: How to build a transactions frame that meets the contract.
TRANSACTIONS_HINT = ("Load files with kamlab.data.load_transactions(..., customer_col=, date_col=, "
                     "amount_col=) to map your column names onto the contract.")
#: How to build a durations frame.
DURATIONS_HINT = "Use kamlab.survival.churn_durations first."


def check_transactions(transactions: pd.DataFrame, need_amount: bool) -> None:
    """Contract columns present, ``date`` a datetime, no missing id, date (or amount)."""
    columns = ["customer_id", "date"] + (["amount"] if need_amount else [])
    require_columns(transactions, columns, what="transactions", hint=TRANSACTIONS_HINT)
    if not pd.api.types.is_datetime64_any_dtype(transactions["date"]):
        raise TypeError(
            f"transactions column 'date' has dtype {transactions['date'].dtype}, not datetime64; "
            "convert it with pd.to_datetime or load the file with kamlab.data.load_transactions."
        )
    problems = []
    for col in columns:
        missing = transactions[col].isna().to_numpy()
        if missing.any():
            problems.append(f"column '{col}': {missing.sum()} missing values "
                            f"(rows {format_rows(transactions.index[missing])})")
    if problems:
        raise ValueError("transactions have problems:\n  - " + "\n  - ".join(problems)
                         + "\nDrop or fill these rows before computing durations.")


def check_durations(duration: np.ndarray, event: np.ndarray, names: tuple[str, str] = ("duration", "event")) -> None:
    """Durations finite and non-negative, events 0/1, both of one length and not empty."""
    if len(duration) != len(event):
        raise ValueError(f"{names[0]} has {len(duration)} values but {names[1]} has {len(event)}")
    if len(duration) == 0:
        raise ValueError("no durations given: the group is empty")
    position = pd.RangeIndex(len(duration))
    problems = []
    bad = ~np.isfinite(duration)
    if bad.any():
        problems.append(f"'{names[0]}': {bad.sum()} values are missing or infinite "
                        f"(positions {format_rows(position[bad])})")
    neg = np.isfinite(duration) & (duration < 0)
    if neg.any():
        problems.append(f"'{names[0]}': {neg.sum()} negative values (positions {format_rows(position[neg])}); "
                        "a duration runs from acquisition forward")
    notflag = ~np.isin(event, (0, 1))
    if notflag.any():
        problems.append(f"'{names[1]}': {notflag.sum()} values are not 0/1 or True/False "
                        f"(positions {format_rows(position[notflag])})")
    if problems:
        raise ValueError("survival data have problems:\n  - " + "\n  - ".join(problems))


def as_days(inactivity: int | float | str | pd.Timedelta) -> pd.Timedelta:
    """An inactivity threshold as a positive Timedelta (numbers are days)."""
    number = isinstance(inactivity, (int, float, np.integer, np.floating))
    delta = pd.Timedelta(days=inactivity) if number else pd.Timedelta(inactivity)
    if delta <= pd.Timedelta(0):
        raise ValueError(f"inactivity must be a positive number of days, got {inactivity!r}")
    return delta
