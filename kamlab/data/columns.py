"""Parsing the mapped columns of a raw table into the contract columns.

Each mapped column is parsed (:mod:`kamlab.data.parsing`); a row is *bad* when
its customer id is missing (empty, blank, or a placeholder such as ``NULL``),
when its date or a number cannot be read, or when a mapped value holds a
control character (a NUL byte would otherwise change a value silently). Bad
rows are described as problems (``bad_rows='error'``) or returned for the
ledger to drop (``bad_rows='drop'``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .messages import is_not, plural
from .reading import Raw
from .vectorised import (contract_ids, control_characters, parse_dates, parse_ids, parse_numbers, placeholder_ids,
                         sniff_decimal)

_NUMERIC = ("amount", "cost", "quantity", "price", "profit")


@dataclass
class ParsedColumns:
    """The contract columns of every input row, and what went wrong where."""

    tx: pd.DataFrame              # contract columns + "_row" (position in the input)
    bad: np.ndarray               # rows with a missing id, an unreadable value or a control character
    problems: list[str]
    notes: list[str]
    tz_converted: np.ndarray
    ids_trimmed: np.ndarray
    bad_reason: str               # what the bad rows are, for the report when they are dropped


def _control_problems(raw: Raw, control: dict[str, np.ndarray]) -> list[str]:
    return [
        f"column {col!r}: {plural(int(mask.sum()), 'value')} {'holds' if mask.sum() == 1 else 'hold'} control "
        f"characters such as NUL bytes ({raw.where(mask, raw.frame[col])}), which would change the value "
        "silently; remove them from the export (NUL bytes often mean a damaged file), or pass "
        "bad_rows='drop' to drop these rows"
        for col, mask in control.items() if mask.any()
    ]


def _ids(raw: Raw, col: str, markers, exempt: np.ndarray, report_bad: bool, problems: list[str]):
    """Customer ids, the mask of missing ones (empty or placeholder) and of trimmed ones.

    Rows in ``exempt`` (a control character, reported apart; or skipped) are neither.
    """
    ids, empty, trimmed = parse_ids(raw.frame[col])
    placeholder = placeholder_ids(ids, markers) & ~exempt
    missing = (empty | placeholder) & ~exempt
    found = sorted(set(ids[placeholder]))
    shown = ", ".join(repr(m) for m in found[:5]) + (f" and {len(found) - 5} more" if len(found) > 5 else "")
    if missing.any() and report_bad:
        k = int(missing.sum())
        rows = raw.where(missing, raw.frame[col]) if placeholder.any() else raw.where(missing)
        said = ""
        if placeholder.any():
            said = f"; {shown} {'is a placeholder' if len(found) == 1 else 'are placeholders'} " \
                   "for a missing id (pass missing_ids= to change the list of placeholders)"
        problems.append(f"column {col!r}: {plural(k, 'row')} {'has' if k == 1 else 'have'} no customer id "
                        f"({rows}){said}; fill them in, or pass bad_rows='drop' to drop these rows")
    return ids, missing, trimmed & ~exempt, (int(placeholder.sum()), shown)


def parse_columns(raw: Raw, mapping: dict[str, str | None], *, dayfirst, date_format, decimal,
                  missing_ids, report_bad: bool, skip: np.ndarray | None = None) -> ParsedColumns:
    """Parse the mapped columns; describe bad values as problems when ``report_bad``.

    Rows in ``skip`` (totals rows, excluded lines: dropped anyway) are never bad.
    """
    frame, problems, notes = raw.frame, [], []
    keep = np.ones(len(frame), bool) if skip is None else ~skip
    used = {c: col for c, col in mapping.items() if col is not None}
    control = {col: (control_characters(frame[col]) if raw.controls else np.zeros(len(frame), bool)) & keep
               for col in used.values()}
    if report_bad:
        problems += _control_problems(raw, control)
    any_control = np.logical_or.reduce(list(control.values()))
    ids, missing_id, trimmed, placeholders = _ids(raw, used["customer_id"], missing_ids,
                                                    control[used["customer_id"]] | ~keep, report_bad, problems)
    date_col = used["date"]
    dates = parse_dates(frame[date_col], dayfirst, date_format)
    notes += dates.notes
    not_date = dates.bad & ~control[date_col] & keep
    if not_date.any() and report_bad:
        problems.append(f"column {date_col!r}: {is_not(int(not_date.sum()), 'a date', 'dates')} "
                        f"({raw.where(not_date, frame[date_col])}){dates.hint}")
    columns = {"customer_id": contract_ids(ids), "date": dates.values.to_numpy()}
    numeric = {c: col for c, col in used.items() if c in _NUMERIC}
    if decimal is None:
        decimal = sniff_decimal([frame[col] for col in numeric.values()])
        if decimal == ",":
            notes.append("decimal comma detected")
    bad = missing_id | dates.bad | any_control
    for contract, col in numeric.items():
        columns[contract], not_number = parse_numbers(frame[col], decimal)
        not_number &= ~control[col] & keep
        if not_number.any() and report_bad:
            problems.append(
                f"column {col!r}: {is_not(int(not_number.sum()), 'a number', 'numbers')} "
                f"({raw.where(not_number, frame[col])}); decimal mark taken as {decimal!r} "
                "(set decimal= if wrong), or pass bad_rows='drop'"
            )
        bad |= not_number
    bad &= keep
    columns = _derived(columns, used, notes)
    columns["_row"] = np.arange(len(frame))
    tx = pd.DataFrame(columns, copy=False)  # one frame, no copy of a column
    return ParsedColumns(tx, bad, problems, notes, dates.tz_converted, trimmed,
                         _bad_reason(placeholders, int(any_control.sum())))


def _derived(columns: dict, used: dict[str, str], notes: list[str]) -> dict:
    """The contract columns in contract order, with those given by other columns computed.

    amount = quantity × price when a unit price is mapped (``price_col``);
    cost = amount - profit when a gross profit is mapped (``profit_col``).
    A row whose inputs are not numbers is bad already (its value here is NaN).
    """
    if "price" in columns:
        columns["amount"] = columns["quantity"] * columns.pop("price")
        notes.append(f"amount = {used['quantity']!r} × {used['price']!r} of each row (price_col)")
    if "profit" in columns:
        columns["cost"] = columns["amount"] - columns.pop("profit")
        notes.append(f"cost = amount - {used['profit']!r} of each row (profit_col)")
    order = ("customer_id", "date", "amount", "cost", "quantity")
    return {name: columns[name] for name in order if name in columns}


def _bad_reason(placeholders: tuple[int, str], n_control: int) -> str:
    parts = ["missing customer id"]
    if placeholders[0]:
        parts[0] += f" ({plural(placeholders[0], 'placeholder')} among them: {placeholders[1]}; missing_ids=)"
    parts.append("a date or number that cannot be read")
    if n_control:
        parts.append(f"a value with control characters ({plural(n_control, 'row')})")
    return ", or ".join(parts) + " (bad_rows='drop')"
