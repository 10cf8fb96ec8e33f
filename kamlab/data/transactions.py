"""Loading transactions into the contract: the entry point.

:func:`load_transactions` reads the source (:mod:`kamlab.data.reading`), finds
the ledger lines that are not sales (:mod:`kamlab.data.documents`), parses the
mapped columns (:mod:`kamlab.data.columns`), runs the row policies on a ledger
(:mod:`kamlab.data.policies`) and returns the contract frame with its
:class:`~kamlab.data.report.ValidationReport`. Every problem it cannot resolve
is collected and raised together in one :class:`TransactionDataError`, naming
the file, the column, the first offending rows and the fix; nothing is loaded then.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from .arrow import read_arrow, release
from .columns import parse_columns
from .contract import mapping_problems, named_like
from .documents import DocumentRules, as_values, excluded_rows, find_totals_rows
from .errors import TransactionDataError
from .parsing import MISSING_ID_MARKERS
from .policies import (Ledger, apply_amount_policies, apply_credit_notes, apply_document_rows,
                       apply_duplicates, apply_observation_end, apply_outlying_dates)
from .reading import Raw, read_head, read_source
from .spreadsheet import read_table, spreadsheet_kind
from .report import LoadedTransactions

_WORKBOOKS = (".xlsx", ".xlsm", ".xls", ".ods")

_POLICIES = {
    "returns": ("drop", "keep", "net", "error"),
    "zero_amounts": ("keep", "drop", "error"),
    "duplicates": ("drop", "keep", "error"),
    "bad_rows": ("error", "drop"),
    "outlying_dates": ("flag", "drop", "error"),
    "totals_rows": ("drop", "keep", "error"),
}


def _read(source, sep, encoding, source_name, header_line, sheet) -> Raw:
    """The source as a text table: a workbook (named .xlsx/.xlsm/.xls/.ods, or any file when ``sheet``
    is given) by :func:`kamlab.data.spreadsheet.read_table`, a plain CSV file by
    :func:`kamlab.data.arrow.read_arrow`, anything else by :func:`read_source`."""
    if isinstance(source, (str, Path)) and Path(source).is_file():
        path = Path(source)
        if path.suffix.lower() in _WORKBOOKS or (sheet is not None and spreadsheet_kind(path) is not None):
            raw = read_table(path, sheet=sheet, source_name=source_name)
            if header_line is not None:
                raw.notes.append(f"header_line={header_line} ignored: a workbook's header is the first row "
                                 "with two or more filled cells")
            return raw
    # the common plain file by the columnar reader; anything else (or a refusal) by the careful reader
    raw = read_arrow(source, sep, encoding, source_name, header_line) or \
        read_source(source, sep, encoding, source_name, header_line)
    if sheet is not None:
        raw.notes.append(f"sheet={sheet!r} ignored: {raw.name} is not a workbook")
    return raw


def _check_columns(raw: Raw, mapping: dict, rules: DocumentRules) -> None:
    """Refuse the table when a mapped or rule column is not among its columns (every one named)."""
    problems = mapping_problems(list(raw.frame.columns), mapping) + rules.problems(list(raw.frame.columns))
    if problems:
        raise TransactionDataError(raw.name, problems)


def _amount_source(amount_col, cost_col, quantity_col, price_col, profit_col) -> str | None:
    """The column read as the amount: ``amount_col``, or None when it is quantity x ``price_col``."""
    if profit_col is not None and cost_col is not None:
        raise ValueError(f"give cost_col={cost_col!r} or profit_col={profit_col!r} (cost = amount - profit), not both")
    if price_col is None:
        return amount_col
    if quantity_col is None:
        raise ValueError(f"price_col={price_col!r} needs quantity_col= too: amount = quantity × price of each row")
    if amount_col not in (None, "amount"):
        raise ValueError(f"give amount_col={amount_col!r} or price_col={price_col!r} (amount = quantity × price), "
                         "not both")
    return None


def _markers(missing_ids) -> tuple[str, ...]:
    """The placeholder ids: the defaults for None, a comma-separated string split, else as given."""
    if missing_ids is None:
        return MISSING_ID_MARKERS
    if isinstance(missing_ids, str):
        return tuple(m.strip() for m in missing_ids.split(",") if m.strip())
    return tuple(str(m) for m in missing_ids)


def load_transactions(
    source,
    *,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str = "amount",
    cost_col: str | None = None,
    quantity_col: str | None = None,
    price_col: str | None = None,
    profit_col: str | None = None,
    observation_end=None,
    returns: str = "drop",
    zero_amounts: str = "keep",
    duplicates: str = "drop",
    bad_rows: str = "error",
    totals_rows: str = "drop",
    exclude_col: str | None = None,
    exclude_values: Sequence[str] | str | None = None,
    credit_note_col: str | None = None,
    credit_note_values: Sequence[str] | str | None = None,
    credit_note_prefix: Sequence[str] | str | None = None,
    header_line: int | None = None,
    sheet: str | int | None = None,
    missing_ids: Sequence[str] | str | None = None,
    outlying_dates: str = "flag",
    export_date: str | pd.Timestamp | None = None,
    dayfirst: bool | None = None,
    date_format: str | None = None,
    sep: str | None = None,
    decimal: str | None = None,
    encoding: str | None = None,
    source_name: str | None = None,
) -> LoadedTransactions:
    """Load transactions into the kamlab contract, with a validation report.

    Parameters
    ----------
    source : str, Path or DataFrame
        A CSV file (optionally ``.gz``), a parquet file, an Excel workbook
        (.xlsx, see ``sheet``), or a DataFrame.
    customer_col, date_col, amount_col : str
        Names of the input columns holding the customer id, the order date and
        the revenue (currency units). Matched exactly; a missing one is reported
        with the closest available name.
    cost_col, quantity_col : str or None
        Optional columns holding the cost (same units as amount) and the units.
    price_col : str or None
        A column holding the unit price, for an export with no line amount
        (quantity and unit price, as point-of-sale data): amount = quantity ×
        price of each row, with ``quantity_col``; ``amount_col`` is then not read.
    profit_col : str or None
        A column holding each row's gross profit, for an export with no cost:
        cost = amount - profit (instead of ``cost_col``).
    observation_end : date-like or None
        Last moment of the observation window. Rows dated after it are dropped
        (and counted). A date without a time of day includes that whole day.
    returns : {"drop", "keep", "net", "error"}
        Policy for rows with a negative amount (returns, refunds, credit notes):

        - ``"drop"`` (default): remove them; revenue is then gross of returns,
          purchase counts are unaffected (the BTYD models' convention).
        - ``"keep"``: keep them as rows with negative amounts; revenue totals
          are net, but a return then also counts as an "active day" in RFM.
        - ``"net"``: subtract each return from the same customer's latest
          purchases on or before its date (last in, first out) and remove the
          return row; purchases returned in full are removed, partly returned
          ones keep the rest, with cost and quantity scaled in proportion.
          Return amounts exceeding the earlier purchases are discarded (reported).
        - ``"error"``: refuse the file, listing the rows.
    zero_amounts : {"keep", "drop", "error"}
        Policy for rows with amount 0 (free items, fully discounted orders).
        Kept by default: they are still orders; the report flags them.
    duplicates : {"drop", "keep", "error"}
        Policy for exact duplicate rows (identical in *every* input column,
        including columns not mapped). The first copy is kept under "drop".
        Without an order id, two identical orders on one day cannot be told
        from a doubled export: pass "keep" when your file has no order id and
        same-day repeat orders are plausible.
    bad_rows : {"error", "drop"}
        Rows with a missing customer id (see ``missing_ids``), a date or amount
        (or cost, quantity) that cannot be read, or a mapped value holding a
        control character (a NUL byte, ...: never parsed away, since it would
        change the value silently): refuse the file (default) or drop those
        rows (counted).
    totals_rows : {"drop", "keep", "error"}
        Policy for a totals or summary row at the end of the file ("Total",
        "Grand total", "Sum" as the customer id, or no id and an amount equal
        to the sum of the rows above; see :mod:`kamlab.data.documents`):
        drop it (default, counted), keep it as a row, or refuse the file.
    exclude_col, exclude_values : str, and sequence of str or str
        Leave out rows that are not sales (postage, fees, bank charges):
        rows whose ``exclude_col`` holds one of ``exclude_values`` (trimmed,
        any case; a string is split on commas) are dropped and counted.
    credit_note_col, credit_note_values, credit_note_prefix : str, and sequence of str or str
        Mark credit notes and cancellations by a document-type column
        (``credit_note_col="Document Type", credit_note_values="Credit Memo"``)
        or a document-number prefix (``credit_note_col="Document No.",
        credit_note_prefix="CN-"``). Their amounts (and costs) are made negative
        when written positive (counted as changed), then follow ``returns``.
    sheet : str, int or None
        The sheet of an Excel workbook to read, by name or 0-based position.
        Files named .xlsx/.xlsm are read as workbooks (first sheet by
        default; cells as text, see :mod:`kamlab.data.spreadsheet`); a
        workbook saved under another name is refused with its name, unless
        ``sheet`` is given.
    header_line : int or None
        The 1-based line of a CSV file holding the column names. None
        (default): the first line with two or more filled fields; title
        lines above it (one filled field, as spreadsheets export a report
        title) are skipped and named in the notes.
    missing_ids : sequence of str, str or None
        Values of the customer id column that mean "no id", compared after
        trimming spaces and ignoring case: None (default) is
        :data:`kamlab.data.parsing.MISSING_ID_MARKERS` (``NULL``, ``NA``,
        ``N/A``, ``#N/A``, ``NaN``, ``None``, ``-``, ``(null)``, ``#NULL!``); a
        string is split on commas (``"NULL,NA"``); ``()`` keeps every
        non-empty value as an id. Rows with a missing id follow ``bad_rows``.
    outlying_dates : {"flag", "drop", "error"}
        Policy for rows dated far from the bulk of the file (outside Tukey's
        far-out fences on the quartiles of the dates, see
        :func:`kamlab.data.date_bulk`) or after ``export_date``: keep them and
        list them in the report (default), drop them (counted), or refuse the
        file. A row dated 2099 or 1900 in a normal export is a typing error
        that would otherwise move every window of a study.
    export_date : date-like or None
        The day the file was exported; rows dated after it are outlying.
        None (default): today.
    dayfirst : bool or None
        How to read dates like 01/02/1997: True day/month/year, False
        month/day/year, None (default) detect it once for the whole file: day
        first if some first number exceeds 12 and no second one does (and the
        mirror rule), month first when the file is ambiguous. The report says
        which order was used and why. Unambiguous forms (ISO 8601
        ``1997-02-01``, ``19970201``) ignore it.
    date_format : str or None
        An explicit ``strftime`` format (e.g. ``"%d.%m.%Y %H:%M"``), overriding
        detection; ``"excel"`` reads dates written as spreadsheet serial days
        (41316 is 2013-02-11; day 0 = 1899-12-30, a fraction is the time of day).
    sep : str or None
        Field delimiter; None detects one of ``,`` ``;`` tab ``|`` (else runs of spaces).
    decimal : {".", ","} or None
        Decimal mark; None detects it from the numeric columns. Thousands
        separators (the other mark, spaces, apostrophes) and currency signs are
        removed; ``(12.50)`` and ``12.50-`` are read as -12.50.
    encoding : str or None
        Text encoding; None detects UTF-8 (with or without byte-order mark),
        UTF-16 (with byte-order mark), else cp1252, else latin-1.
    source_name : str or None
        Name used in messages and the report (default: the file name).

    Returns
    -------
    LoadedTransactions
        ``transactions``: the contract frame (``customer_id``, ``date``,
        ``amount`` and, when mapped, ``cost``, ``quantity``), sorted by
        customer_id then date, with a fresh RangeIndex; ``report``: the
        :class:`ValidationReport`.

    Raises
    ------
    TransactionDataError
        Listing every problem found (a ValueError); nothing is loaded.

    Notes
    -----
    Timestamps that carry a UTC offset (``2020-03-01T10:00+02:00``) are
    converted to UTC and stored without a time zone, so one file spanning
    several offsets keeps the true order of events; the report counts them.
    Times of day are kept. Row numbers in messages are file line numbers for
    CSV, 1-based row numbers for parquet, and index labels for DataFrames.
    """
    for arg, allowed in _POLICIES.items():
        value = locals()[arg]
        if value not in allowed:
            raise ValueError(f"{arg} must be one of {', '.join(map(repr, allowed))}; got {value!r}")
    if decimal not in (None, ".", ","):
        raise ValueError(f"decimal must be '.', ',' or None (detect); got {decimal!r}")
    if header_line is not None and (isinstance(header_line, bool) or not isinstance(header_line, int)
                                    or header_line < 1):
        raise ValueError(f"header_line must be a line number from 1; got {header_line!r}")

    amount_col = _amount_source(amount_col, cost_col, quantity_col, price_col, profit_col)
    mapping = {"customer_id": customer_col, "date": date_col, "amount": amount_col,
               "cost": cost_col, "quantity": quantity_col, "price": price_col, "profit": profit_col}
    rules = DocumentRules(totals_rows, exclude_col, as_values(exclude_values), credit_note_col,
                          as_values(credit_note_values), as_values(credit_note_prefix))
    head = read_head(source, sep, encoding, source_name, header_line) if sheet is None else None
    if head is not None:  # a large file's header is checked before its body is read
        _check_columns(head, mapping, rules)
    raw = _read(source, sep, encoding, source_name, header_line, sheet)
    _check_columns(raw, mapping, rules)
    if len(raw.frame) == 0:
        raise TransactionDataError(raw.name, [
            "has column names but no data rows (columns " + ", ".join(map(repr, raw.frame.columns)) +
            "); export the transactions themselves, not only the header"
        ])
    markers = _markers(missing_ids)
    excluded = excluded_rows(raw, rules)
    totals = (find_totals_rows(raw, mapping, markers, decimal, excluded) if rules.totals_rows != "keep"
              else np.zeros(len(raw.frame), bool))
    parsed = parse_columns(raw, mapping, dayfirst=dayfirst, date_format=date_format, decimal=decimal,
                           missing_ids=markers, report_bad=bad_rows == "error", skip=excluded | totals)
    release()  # the text parsed, pyarrow's pool keeps blocks it no longer uses
    ledger = Ledger(raw, parsed.tx, list(parsed.problems), list(raw.notes) + list(parsed.notes))
    apply_document_rows(ledger, rules, excluded, totals)
    apply_duplicates(ledger, duplicates)
    # bad rows are refused (bad_rows='error': listed in problems already) or dropped
    ledger.drop(parsed.bad, parsed.bad_reason)
    if observation_end is not None:
        apply_observation_end(ledger, observation_end)
    apply_outlying_dates(ledger, date_col, outlying_dates, export_date)
    apply_credit_notes(ledger, rules)
    apply_amount_policies(ledger, amount_col or f"{quantity_col!r} × {price_col!r}", returns=returns,
                          zero_amounts=zero_amounts)
    ledger.flag(parsed.tz_converted, "changed", "timestamps with a time zone converted to UTC, zone dropped")
    ledger.flag(parsed.ids_trimmed, "changed", "customer ids with surrounding spaces trimmed")
    if cost_col is None and profit_col is None:
        _note_unmapped_profit(ledger, mapping, rules.columns)
    return ledger.result(mapping, rules.columns)


def _note_unmapped_profit(ledger, mapping: dict, also_used: tuple[str, ...]) -> None:
    """A note when an unmapped column looks like each row's gross profit: the profit definitions need a cost."""
    used = set(mapping.values()) | set(also_used)
    profit = named_like("profit", [c for c in ledger.raw.frame.columns if c not in used])
    if profit is not None:
        ledger.notes.append(f"{profit!r} looks like each row's gross profit and is not used: pass "
                            f"profit_col={profit!r} to take cost = amount - profit (the profit-based "
                            "definitions and outcomes need a cost)")
