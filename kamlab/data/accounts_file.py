"""An accounts/CRM file (CSV, parquet, .xlsx) into the accounts contract, with a report.

:func:`load_accounts` reads the file as the transaction loader does
(:func:`kamlab.data.spreadsheet.read_table`: encoding, delimiter, decimal mark
and thousands separators detected, workbooks by content), maps its columns,
parses them, and refuses the file with one :class:`AccountDataError` listing
every problem, each naming the file, the column, the lines and a fix that can
be typed on the command line.

Columns are matched by normalised name (:func:`kamlab.data.account_columns.column_key`: lower case, units
in brackets removed, letters and digits only, so 'Staff hours (h)' and
'STAFF_HOURS' are ``staffhours``) against the attribute's own name, then
:data:`SYNONYMS` ('Tickets', 'Customer No.'), then :data:`GENERIC` ('ID');
a column map overrides this per attribute, and two equally good columns are
a problem. The report says what was matched to what and how, which columns
were not used, and gives a "did you mean" for unused near misses.

Values: the numeric attributes are numbers (tickets, hours, costs and
referrals >= 0); ``kam_pilot`` is 1 (or yes, y, true) for an account in the
randomised pilot, 0 (no, n, false) for a control, empty for an account not in
the pilot, as :func:`kamlab.definitions.extra_effort` reads it; ``acquired``
is a date; ``industry`` text. Empty cells and the placeholders of exports
(``MISSING_ID_MARKERS``: NULL, N/A, -, ...) are missing values, which an
attribute may have and an id may not; ids are unique; a value holding a
control character (a NUL byte) is refused.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Iterable, Iterator, Mapping, Sequence

import numpy as np
import pandas as pd

from .account_columns import (DATE_FORMAT_FLAG, DECIMAL_FLAG, NON_NEGATIVE, PILOT_VALUES, SHEET_FLAG, ColumnMapping,
                              ColumnMatch, fix_flag, match_columns)
from .contract import ACCOUNT_NUMERIC_COLUMNS
from .errors import AccountDataError
from .messages import is_not, plural
from .parsing import (MISSING_ID_MARKERS, as_text, control_characters, parse_dates, parse_ids, parse_numbers,
                      placeholder_ids, sniff_decimal)
from .reading import Raw
from .spreadsheet import read_table

# --------------------------------------------------------------------------- results

@dataclass(frozen=True)
class IdReconciliation:
    """Account ids against the customers of the transactions (counts, and a few of each shown)."""

    n_accounts: int
    n_customers: int
    n_matched: int
    accounts_without_transactions: int
    customers_without_account: int
    examples_without_transactions: tuple[str, ...] = ()
    examples_without_account: tuple[str, ...] = ()
    near_matches: int = 0      # unmatched customers whose id matches an account's once leading zeros, .0, case go

    def __str__(self) -> str:
        def some(n: int, examples: tuple[str, ...]) -> str:
            more = f" and {n - len(examples):,} more" if n > len(examples) else ""
            return f" ({', '.join(examples)}{more})" if n else ""
        return (f"{self.n_matched:,} of {self.n_accounts:,} accounts have transactions; "
                f"{plural(self.accounts_without_transactions, 'account')} without transactions"
                f"{some(self.accounts_without_transactions, self.examples_without_transactions)}; "
                f"{plural(self.customers_without_account, 'transacting customer')} without an account row"
                f"{some(self.customers_without_account, self.examples_without_account)}"
                + (f"; {plural(self.near_matches, 'of them matches', 'of them match')} an account id once leading "
                   "zeros, a trailing '.0' and case are ignored: keep ids as text in both exports (Excel drops "
                   "leading zeros; a column of numbers writes 12000 as 12000.0)" if self.near_matches else ""))


@dataclass(frozen=True, repr=False)
class AccountsReport:
    """What :func:`load_accounts` read and how it mapped the file's columns."""

    source: str
    n_accounts: int
    columns: tuple[ColumnMatch, ...]          # the id first, then the attributes in contract order
    unused: tuple[str, ...] = ()              # file columns not used
    suggestions: tuple[str, ...] = ()         # "did you mean" for unused columns close to an attribute
    notes: tuple[str, ...] = ()               # what reading detected or chose
    reconciliation: IdReconciliation | None = None

    def to_frame(self) -> pd.DataFrame:
        """The column mapping as a table: ``attribute``, ``column``, ``how`` (unused columns with how "not used")."""
        rows = [(m.attribute, m.column, m.how) for m in self.columns]
        rows += [("", c, "not used") for c in self.unused]
        return pd.DataFrame(rows, columns=["attribute", "column", "how"])

    def __str__(self) -> str:
        lines = [f"Accounts report for {self.source}: {self.n_accounts:,} accounts"]
        lines += [f"  {m.attribute:<17}<- {m.column!r} ({m.how})" for m in self.columns]
        if self.unused:
            lines.append("  not used         " + ", ".join(map(repr, self.unused)))
        lines += [f"  hint             {s}" for s in self.suggestions]
        lines += [f"  note             {n}" for n in self.notes]
        if self.reconciliation is not None:
            lines.append(f"  ids              {self.reconciliation}")
        return "\n".join(lines)

    __repr__ = __str__

    def to_dict(self) -> dict:
        """Plain types only (for JSON); :meth:`from_dict` reads it back."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping) -> "AccountsReport":
        rec = data.get("reconciliation")
        tuples = {k: tuple(data.get(k, ())) for k in ("unused", "suggestions", "notes")}
        return cls(source=data["source"], n_accounts=data["n_accounts"],
                   columns=tuple(ColumnMatch(**m) for m in data["columns"]), **tuples,
                   reconciliation=None if rec is None else IdReconciliation(
                       **{k: tuple(v) if isinstance(v, list) else v for k, v in rec.items()}))


@dataclass(frozen=True)
class LoadedAccounts:
    """Result of :func:`load_accounts`; unpacks as ``accounts, report = load_accounts(...)``."""

    accounts: pd.DataFrame
    report: AccountsReport

    def __iter__(self) -> Iterator:
        return iter((self.accounts, self.report))


# --------------------------------------------------------------------------- values

@dataclass(frozen=True)
class _Cells:
    """One used column as read: its text ('' where blank or refused), blank cells (empty or a placeholder),
    cells refused for control characters, and where they are."""

    raw: Raw
    column: str
    attribute: str
    text: pd.Series
    blank: np.ndarray
    control: np.ndarray

    @property
    def skip(self) -> np.ndarray:
        """Cells no value check looks at: blank, or refused already."""
        return self.blank | self.control

    def problem(self, mask: np.ndarray, what: str, fix: str) -> str:
        """"column 'Tickets' (service_tickets): <what> (lines 3, 4: 'many', 'n/k'); <fix>"."""
        label = f"column {self.column!r}" + (f" ({self.attribute})" if self.column != self.attribute else "")
        return f"{label}: {what} ({self.raw.where(mask, self.raw.frame[self.column])}); {fix}"


def _cells(raw: Raw, column: str, attribute: str, markers, problems: list[str]) -> _Cells:
    text = as_text(raw.frame[column])
    control = control_characters(raw.frame[column])
    blank = ((text == "").to_numpy() | placeholder_ids(text, markers)) & ~control
    cells = _Cells(raw, column, attribute, text.where(~(blank | control), ""), blank, control)
    if control.any():
        problems.append(cells.problem(control, f"{plural(int(control.sum()), 'value')} with control characters "
                                      "such as NUL bytes", "remove them from the export (NUL bytes often mean a "
                                      "damaged file)"))
    return cells


def _parse_ids(cells: _Cells, problems: list[str]) -> pd.Index:
    ids, _, _ = parse_ids(cells.text)
    if cells.blank.any():
        problems.append(cells.problem(cells.blank, f"{plural(int(cells.blank.sum()), 'row')} without a customer id",
                                      f"fill them in or delete those rows, or name the id column with "
                                      f"{fix_flag('customer_id')}"))
    dup = ids.duplicated(keep=False).to_numpy() & ~cells.skip
    if dup.any():
        n = int(ids[dup].nunique())
        problems.append(cells.problem(dup, f"{plural(n, 'customer id')} appear{'s' if n == 1 else ''} more than once",
                                      "keep one row per account"))
    return pd.Index(ids.to_numpy(dtype=object), name="customer_id")


def _parse_number_column(cells: _Cells, decimal: str, problems: list[str]) -> np.ndarray:
    values, bad = parse_numbers(cells.text, decimal)
    bad &= ~cells.skip
    if bad.any():
        other = "," if decimal == "." else "."
        problems.append(cells.problem(bad, is_not(int(bad.sum()), "a number", "numbers"),
                                      f"write plain numbers like 12.5 (the decimal mark was taken as {decimal!r}: "
                                      f"if wrong, pass {DECIMAL_FLAG} {other!r}), leave unknown values empty, or "
                                      f"map the right column with {fix_flag(cells.attribute)}"))
    negative = values < 0
    if cells.attribute in NON_NEGATIVE and negative.any():
        problems.append(cells.problem(negative, plural(int(negative.sum()), "negative value"),
                                      "counts, hours and costs are >= 0: correct them or leave them empty"))
    return values


def _parse_pilot(cells: _Cells, problems: list[str], notes: list[str]) -> np.ndarray:
    values = cells.text.str.lower().str.replace(r"\.0+$", "", regex=True).map(PILOT_VALUES)
    wrong = values.isna().to_numpy() & ~cells.skip
    if wrong.any():
        problems.append(cells.problem(wrong, is_not(int(wrong.sum()), "0 or 1", "0 or 1"),
                                      "write 1 (or yes, true) for accounts in the KAM pilot, 0 (or no, false) for "
                                      "its controls, and leave the others empty"))
    if cells.blank.any():
        notes.append(f"kam_pilot: {plural(int(cells.blank.sum()), 'account')} without a flag, taken as not in the pilot")
    complete = not (cells.blank.any() or wrong.any())
    return values.to_numpy(dtype=np.int64 if complete else float)


def _parse_acquired(cells: _Cells, dayfirst, date_format, problems: list[str], notes: list[str]) -> np.ndarray:
    dates = parse_dates(cells.text, dayfirst, date_format)
    notes += [f"acquired: {n}" for n in dates.notes]
    bad = dates.bad & ~cells.skip
    if bad.any():
        problems.append(cells.problem(bad, is_not(int(bad.sum()), "a date", "dates"),
                                      f"write dates like 2021-03-31, or say how they are written with "
                                      f"{DATE_FORMAT_FLAG} '%d.%m.%Y'"))
    return dates.values.to_numpy()


def _parse_values(raw: Raw, mapping: ColumnMapping, *, decimal, dayfirst, date_format, markers,
                  problems: list[str], notes: list[str]) -> pd.DataFrame:
    """The attributes in contract types, indexed by customer id; every bad value added to ``problems``."""
    used = {"customer_id": mapping.id_column, **mapping.attributes}
    cells = {a: _cells(raw, c, a, markers, problems) for a, c in used.items() if c is not None}
    id_cells = cells.pop("customer_id", None)  # None: no id column, a problem already
    out = pd.DataFrame(index=_parse_ids(id_cells, problems) if id_cells else pd.RangeIndex(len(raw.frame)))
    numeric = [a for a in cells if a in ACCOUNT_NUMERIC_COLUMNS]
    if decimal is None:
        decimal = sniff_decimal([cells[a].text for a in numeric])
        if decimal == ",":
            notes.append("decimal comma detected")
    for attribute, one in cells.items():
        if attribute in numeric:
            out[attribute] = _parse_number_column(one, decimal, problems)
        elif attribute == "kam_pilot":
            out[attribute] = _parse_pilot(one, problems, notes)
        elif attribute == "acquired":
            out[attribute] = _parse_acquired(one, dayfirst, date_format, problems, notes)
        else:  # industry: text, missing where blank
            out[attribute] = one.text.where(~one.blank, None).to_numpy(dtype=object)
    return out


def reconcile_ids(accounts: pd.Index, customers: Iterable, *, shown: int = 5) -> IdReconciliation:
    """Compare account ids with the customer ids of the transactions: both mismatches counted, a few shown.

    accounts_without_transactions = |A - C|, customers_without_account = |C - A|,
    with A the account ids and C the distinct transaction customer ids (as str),
    examples in ascending id order; near_matches counts the ids of C - A that
    equal one of A - C once leading zeros and a trailing ``.0`` (an id column
    written as decimal numbers) are stripped and case is ignored.
    """
    if isinstance(customers, pd.DataFrame):  # the transactions themselves
        customers = customers["customer_id"]
    a = pd.Index(pd.unique(pd.Index(accounts).astype(str)))
    c = pd.Index(pd.unique(pd.Index(list(customers) if not isinstance(customers, (pd.Index, pd.Series))
                                     else customers).astype(str)))
    only_a, only_c = a.difference(c).sort_values(), c.difference(a).sort_values()
    def loosened(v: str) -> str:
        return re.sub(r"(?<=\d)\.0+$", "", v).lstrip("0").casefold()

    loose = {loosened(v) for v in only_a}
    near = sum(loosened(v) in loose for v in only_c)
    return IdReconciliation(len(a), len(c), len(a.intersection(c)), len(only_a), len(only_c),
                            tuple(only_a[:shown]), tuple(only_c[:shown]), near)


def load_accounts(source, *, id_col: str | None = None, columns: Mapping[str, str | None] | None = None,
                  sheet: str | int | None = None, encoding: str | None = None, delimiter: str | None = None,
                  decimal: str | None = None, dayfirst: bool | None = None, date_format: str | None = None,
                  missing_ids: Sequence[str] | str | None = None, transaction_ids: Iterable | None = None,
                  source_name: str | None = None) -> LoadedAccounts:
    """Load an accounts/CRM file into the accounts contract, with a report of the mapping.

    Parameters
    ----------
    source : str, Path or DataFrame
        CSV (optionally .gz), parquet or .xlsx/.xlsm workbook, or a DataFrame.
    id_col : str, optional
        The column holding the customer id; by default the one named like it
        ('Customer No.', 'Account ID', 'customer_id', ...).
    columns : mapping, optional
        Attribute -> file column, overriding name matching for that attribute;
        a None value leaves the attribute out.
    sheet : str or int, optional
        Workbook sheet, by name or 0-based position (default the first).
    encoding, delimiter, decimal : str, optional
        Reading options, detected when None (as :func:`kamlab.data.load_transactions`).
    dayfirst, date_format : optional
        How ``acquired`` dates are written (as for transactions).
    missing_ids : sequence of str, str or None
        Cell texts read as a missing value, in ids and attributes alike
        (case ignored; a str is split at commas); None: ``MISSING_ID_MARKERS``.
    transaction_ids : iterable or DataFrame, optional
        The transactions' customer ids (or the transactions frame), to
        reconcile (:func:`reconcile_ids`).
    source_name : str, optional
        Name used in messages (default the file name).

    Returns
    -------
    LoadedAccounts
        ``accounts`` indexed by ``customer_id`` (str) with the matched
        attributes in contract order: numbers as float, ``kam_pilot`` as int
        (float with NaN when some accounts have no flag), ``acquired`` as
        datetime64[ns], ``industry`` as text; and the :class:`AccountsReport`.

    Raises
    ------
    AccountDataError
        Every problem found, together; nothing is loaded.
    """
    if decimal not in (None, ".", ","):
        raise ValueError(f"decimal must be '.', ',' or None (detect); got {decimal!r}")
    raw = read_table(source, sheet=sheet, sep=delimiter, encoding=encoding, source_name=source_name,
                     error=AccountDataError, what="accounts", sheet_flag=f"{SHEET_FLAG} NAME")
    problems, notes = [], list(raw.notes)
    mapping = match_columns([str(c) for c in raw.frame.columns], id_col, dict(columns or {}), problems)
    if not len(raw.frame):
        raise AccountDataError(raw.name, problems + ["has column names but no rows of accounts; export the "
                                                     "accounts themselves, not only the header"])
    markers = MISSING_ID_MARKERS if missing_ids is None else tuple(
        m.strip() for m in (missing_ids.split(",") if isinstance(missing_ids, str) else missing_ids))
    accounts = _parse_values(raw, mapping, decimal=decimal, dayfirst=dayfirst, date_format=date_format,
                             markers=markers, problems=problems, notes=notes)
    if problems:
        raise AccountDataError(raw.name, problems)
    reconciliation = None if transaction_ids is None else reconcile_ids(accounts.index, transaction_ids)
    report = AccountsReport(raw.name, len(accounts), mapping.matches, mapping.unused, mapping.suggestions,
                            tuple(notes), reconciliation)
    return LoadedAccounts(accounts, report)
