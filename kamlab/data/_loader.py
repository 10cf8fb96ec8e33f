"""The transaction contract: load an export, map its columns, validate it.

Every notebook works on one shape of data (see DESIGN, "The data contract"):

=============  ================  =============================================
column         dtype             meaning
=============  ================  =============================================
customer_id    str               the account
date           datetime64[ns]    when the order happened (time zone-naive)
amount         float             revenue, currency units
cost           float, optional   cost of the order, same units (profit = amount - cost)
quantity       float, optional   units ordered
=============  ================  =============================================

:func:`load_transactions` turns a CSV file, a parquet file or a DataFrame into
that shape. Real exports are messy, so it

- detects the text encoding (UTF-8 with or without byte-order mark, UTF-16 with
  a byte-order mark, else Windows cp1252, else latin-1), the delimiter
  (``,`` ``;`` tab ``|`` or runs of spaces) and the decimal mark (``12.50`` or
  ``12,50``), and says what it detected in the report;
- reads dates written as ISO 8601 (with or without a time and a UTC offset),
  ``YYYYMMDD``, or ``01/02/1997``-style (day or month first, detected per file),
  converting timestamps that carry a time zone to UTC and then dropping the zone;
- applies explicit policies to returns (negative amounts), zero amounts, exact
  duplicate rows and rows dated after the observation end;
- collects every problem it cannot resolve (missing columns, values that are not
  dates or numbers, missing customer ids, ...) and raises them together in one
  :class:`TransactionDataError`, naming the file, the column, the first offending
  rows and the fix. Nothing is loaded then.

Nothing is dropped or changed silently: the :class:`ValidationReport` returned
with the data counts every row read, kept, dropped (with the reason), changed
or flagged. Always ``rows_read == rows_kept + rows_dropped``.
"""

from __future__ import annotations

import csv
import difflib
import gzip
import html
import io
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd

__all__ = [
    "AccountDataError",
    "DataContractError",
    "LoadedTransactions",
    "ReportItem",
    "TransactionDataError",
    "ValidationReport",
    "load_transactions",
    "validate_accounts",
]

from .contract import ACCOUNT_NUMERIC_COLUMNS  # noqa: E402

_SHOW = 5  # offending rows shown per problem

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
}


from .errors import AccountDataError, DataContractError, TransactionDataError  # noqa: E402


# --------------------------------------------------------------------------- report

@dataclass(frozen=True)
class ReportItem:
    """One line of a validation report.

    action : "dropped" (rows removed), "changed" (rows kept with a value altered)
        or "flagged" (rows kept unchanged but worth knowing about).
    reason : what happened and which option controls it.
    rows : number of rows concerned.
    """

    action: str
    reason: str
    rows: int


@dataclass(frozen=True, repr=False)
class ValidationReport:
    """What :func:`load_transactions` read, kept, dropped and changed, and why.

    Invariant: ``rows_read == rows_kept + rows_dropped``; every dropped row is
    in exactly one ``dropped`` item. ``changed`` and ``flagged`` rows are among
    the kept rows.
    """

    source: str
    rows_read: int
    rows_kept: int
    items: tuple[ReportItem, ...] = ()
    columns: tuple[tuple[str, str], ...] = ()   # (contract column, source column)
    notes: tuple[str, ...] = ()
    n_customers: int = 0
    first_date: pd.Timestamp | None = None
    last_date: pd.Timestamp | None = None

    def __post_init__(self):
        if self.rows_read != self.rows_kept + self.rows_dropped:
            raise AssertionError(
                f"validation report does not add up: {self.rows_read} read != "
                f"{self.rows_kept} kept + {self.rows_dropped} dropped"
            )

    @property
    def rows_dropped(self) -> int:
        """Rows removed, summed over the ``dropped`` items."""
        return sum(i.rows for i in self.items if i.action == "dropped")

    @property
    def rows_changed(self) -> int:
        """Row changes, summed over the ``changed`` items (a row may count twice)."""
        return sum(i.rows for i in self.items if i.action == "changed")

    def to_frame(self) -> pd.DataFrame:
        """The report as a table: one row per step, columns action, reason, rows."""
        rows = [("read", f"rows in {self.source}", self.rows_read)]
        rows += [(i.action, i.reason, i.rows) for i in self.items]
        rows.append(("kept", self._kept_text(), self.rows_kept))
        return pd.DataFrame(rows, columns=["action", "reason", "rows"])

    def _kept_text(self) -> str:
        if self.first_date is None:
            return "rows in the contract"
        return (f"{self.n_customers:,} customers, {self.first_date:%Y-%m-%d} "
                f"to {self.last_date:%Y-%m-%d}")

    def __str__(self) -> str:
        width = max(9, len(f"{self.rows_read:,}"))
        lines = [f"Validation report for {self.source}"]
        lines.append(f"  {'rows read':<10}{self.rows_read:>{width},}")
        for item in self.items:
            lines.append(f"  {item.action:<10}{item.rows:>{width},}  {item.reason}")
        lines.append(f"  {'rows kept':<10}{self.rows_kept:>{width},}  {self._kept_text()}")
        if self.columns:
            mapping = ", ".join(f"{c} <- {s!r}" for c, s in self.columns)
            lines.append(f"  columns   {mapping}")
        lines += [f"  note      {n}" for n in self.notes]
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        body = "".join(
            f"<tr><td>{html.escape(a)}</td><td style='text-align:right'>{r:,}</td>"
            f"<td style='text-align:left'>{html.escape(t)}</td></tr>"
            for a, t, r in self.to_frame().itertuples(index=False)
        )
        extra = ""
        if self.columns:
            extra += "<p>columns: " + html.escape(", ".join(f"{c} ← {s!r}" for c, s in self.columns)) + "</p>"
        if self.notes:
            extra += "<ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in self.notes) + "</ul>"
        return (f"<p><b>Validation report for {html.escape(self.source)}</b></p>"
                f"<table><tr><th>action</th><th>rows</th><th>reason</th></tr>{body}</table>{extra}")


@dataclass(frozen=True)
class LoadedTransactions:
    """Result of :func:`load_transactions`: the contract frame and its report.

    Unpacks as ``transactions, report = load_transactions(...)``.
    """

    transactions: pd.DataFrame
    report: ValidationReport

    def __iter__(self) -> Iterator:
        return iter((self.transactions, self.report))


# --------------------------------------------------------------------------- small helpers

def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def _is_not(n: int, one: str, many: str) -> str:
    """'1 value is not a date' / '3 values are not dates'."""
    return f"{_plural(n, 'value')} {'is not ' + one if n == 1 else 'are not ' + many}"


def _compress(labels: list) -> str:
    """'3, 7, 8, 9' -> '3, 7-9' for integer labels; others joined as they are."""
    if not all(isinstance(v, (int, np.integer)) for v in labels):
        return ", ".join(str(v) for v in labels)
    parts, start, prev = [], None, None
    for v in labels:
        if start is None:
            start = prev = v
        elif v == prev + 1:
            prev = v
        else:
            parts.append(f"{start}" if start == prev else f"{start}-{prev}")
            start = prev = v
    parts.append(f"{start}" if start == prev else f"{start}-{prev}")
    return ", ".join(parts)


@dataclass
class _Raw:
    """The input as read, before parsing: one column per source column."""

    frame: pd.DataFrame          # strings for CSV, as-is for DataFrame/parquet
    name: str                    # file name or description, for messages
    labels: np.ndarray           # per row: file line, 1-based row, or index label
    word: tuple[str, str]        # ("line", "lines") / ("row", "rows") / ("index", "index")
    notes: list[str] = field(default_factory=list)

    def where(self, mask: np.ndarray, values: pd.Series | None = None) -> str:
        """'lines 14, 87: 'ten', ''' for the first few rows in ``mask``."""
        idx = np.flatnonzero(mask)
        shown = idx[:_SHOW]
        labels = [self.labels[i].item() if hasattr(self.labels[i], "item") else self.labels[i] for i in shown]
        word = self.word[0] if len(idx) == 1 else self.word[1]
        more = f" and {len(idx) - len(shown):,} more" if len(idx) > len(shown) else ""
        if values is None:
            return f"{word} {_compress(labels)}{more}"
        vals = ", ".join(repr(_show_value(values.iloc[i])) for i in shown)
        return f"{word} {', '.join(str(v) for v in labels)}{more}: {vals}"


def _show_value(v):
    if isinstance(v, np.generic):
        v = v.item()
    if _missing(v):
        return ""
    if isinstance(v, str):
        return v if len(v) <= 30 else v[:27] + "..."
    return v


# --------------------------------------------------------------------------- reading

def _decode(data: bytes, encoding: str | None, name: str) -> tuple[str, list[str]]:
    """Bytes -> text, detecting the encoding when not given; notes say what was done."""
    if encoding is not None:
        try:
            return data.decode(encoding), []
        except (UnicodeDecodeError, LookupError) as exc:
            raise TransactionDataError(name, [
                f"cannot be read as encoding {encoding!r} ({exc}); leave encoding=None to detect it"
            ]) from None
    notes = []
    if data.startswith(b"\xef\xbb\xbf"):
        data, notes = data[3:], ["UTF-8 byte-order mark removed"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), ["encoding UTF-16 detected from its byte-order mark"]
    head = data[:2000]
    if head.count(b"\x00") > len(head) // 4:  # text in UTF-16 without a byte-order mark
        enc = "utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"
        try:
            return data.decode(enc), [f"encoding {enc.upper()} detected (no byte-order mark)"]
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), notes
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        byte = data[exc.start: exc.start + 1].hex()
        for enc, label in (("cp1252", "Windows cp1252"), ("latin-1", "latin-1")):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                continue
            return text, [f"not valid UTF-8 (byte 0x{byte} on line {line}); read as {label}, "
                          f"pass encoding= if names look wrong"]
    raise AssertionError("latin-1 decodes any bytes")  # pragma: no cover


_DELIMITERS = (",", ";", "\t", "|")


def _sniff_delimiter(lines: list[str]) -> str | None:
    """The delimiter giving the header's field count on most sample lines (None: whitespace)."""
    best, best_score = None, (0, 0)
    for sep in _DELIMITERS:
        rows = list(csv.reader(lines, delimiter=sep))
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        agree = sum(len(r) == width for r in rows[1:]) if len(rows) > 1 else 1
        score = (agree, width)
        if score > best_score:
            best, best_score = sep, score
    if best is None and lines and len(lines[0].split()) >= 2:
        return r"\s+"
    return best or ","


def _sep_label(sep: str) -> str:
    return {"\t": "tab", r"\s+": "runs of spaces", " ": "space"}.get(sep, repr(sep))


def _check_structure(header: list[str], lines: list[int], widths: list[int], sep: str, sniffed: bool,
                     name: str) -> None:
    """Refuse lines whose field count differs from the header's, and repeated column names."""
    width = len(header)
    ragged = [(ln, w) for ln, w in zip(lines, widths) if w != width]
    if ragged:
        counts = sorted({w for _, w in ragged})
        shown = ", ".join(str(ln) for ln, _ in ragged[:_SHOW])
        more = f" and {len(ragged) - _SHOW:,} more" if len(ragged) > _SHOW else ""
        raise TransactionDataError(name, [
            f"{_plural(len(ragged), 'line')} {'has' if len(ragged) == 1 else 'have'} "
            f"{' or '.join(map(str, counts))} fields but the header has {width} "
            f"(line{'s' if len(ragged) > 1 else ''} {shown}{more}); the delimiter is "
            f"{_sep_label(sep)}{' (detected)' if sniffed else ''}: pass sep= if that is wrong, "
            "or quote values that contain it"
        ])
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise TransactionDataError(name, [
            f"the header names {', '.join(map(repr, dupes))} more than once; give every column its own name"
        ])


def _read_unquoted(text: str, all_lines: list[str], sep: str, name: str, sniffed: bool,
                   notes: list[str]) -> _Raw | None:
    """Fast path for text without quotes; None when pandas' rows do not match the lines."""
    whitespace = sep in (r"\s+", " ")
    if whitespace:
        widths = [len(ln.split()) for ln in all_lines]
    else:
        widths = [ln.count(sep) + 1 if ln.strip() else 0 for ln in all_lines]
    nonblank = [i for i, w in enumerate(widths) if w]
    header = [h.strip() for h in (all_lines[nonblank[0]].split() if whitespace
                                  else all_lines[nonblank[0]].split(sep))]
    body = nonblank[1:]
    _check_structure(header, [i + 1 for i in body], [widths[i] for i in body], sep, sniffed, name)
    frame = pd.read_csv(io.StringIO(text), sep=r"\s+" if whitespace else sep, header=None,
                        skiprows=nonblank[0] + 1, names=header, dtype=str, na_filter=False,
                        index_col=False, quoting=csv.QUOTE_NONE, engine="c")
    if len(frame) != len(body):
        return None
    blank = len(all_lines) - len(nonblank)
    if blank > 0:
        notes.append(f"{_plural(blank, 'blank line')} skipped")
    return _Raw(frame.astype(object), name, np.array([i + 1 for i in body], dtype=np.int64),
                ("line", "lines"), notes)


def _read_csv_text(text: str, sep: str | None, name: str) -> _Raw:
    """Parse CSV text into strings, recording each record's first line number."""
    notes = []
    all_lines = text.splitlines()
    sample = [ln for ln in all_lines[:200] if ln.strip()]
    if not sample:
        raise TransactionDataError(name, [
            "is empty (no header, no rows); export the transactions with a header row "
            "naming the columns, e.g. customer_id,date,amount"
        ])
    sniffed = sep is None
    if sniffed:
        sep = _sniff_delimiter(sample)
        if sep != ",":
            notes.append(f"delimiter {_sep_label(sep)} detected")
    if '"' not in text:  # no quoting: one record per line, parsed by pandas' C reader
        fast = _read_unquoted(text, all_lines, sep, name, sniffed, notes)
        if fast is not None:
            return fast
    if sep in (r"\s+", " "):
        records = [ln.split() for ln in all_lines]
        starts = list(range(1, len(all_lines) + 1))
    else:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
        records, starts, prev_end = [], [], 0
        try:
            for rec in reader:
                records.append(rec)
                starts.append(prev_end + 1)
                prev_end = reader.line_num
        except csv.Error as exc:
            raise TransactionDataError(name, [
                f"cannot be read as CSV (line {reader.line_num}: {exc}); if the file is UTF-16 "
                "without a byte-order mark pass encoding='utf-16', otherwise check the export"
            ]) from None
    keep = [i for i, r in enumerate(records) if len(r) > 1 or (r and r[0].strip())]
    header_at = keep[0]
    header = [h.strip() for h in records[header_at]]
    body = keep[1:]
    blank = len(records) - len(keep)
    if blank > 0:
        notes.append(f"{_plural(blank, 'blank line')} skipped")
    _check_structure(header, [starts[i] for i in body], [len(records[i]) for i in body], sep, sniffed, name)
    frame = pd.DataFrame([records[i] for i in body], columns=header, dtype=object)
    if not len(frame):
        frame = pd.DataFrame({h: pd.Series(dtype=object) for h in header})
    labels = np.array([starts[i] for i in body], dtype=np.int64)
    return _Raw(frame, name, labels, ("line", "lines"), notes)


def _read_source(source, sep, encoding, source_name) -> _Raw:
    if isinstance(source, pd.DataFrame):
        name = source_name or "the DataFrame"
        frame = source.copy()
        frame.columns = [str(c).strip() for c in frame.columns]
        return _Raw(frame.reset_index(drop=True), name, np.asarray(source.index), ("index", "index"))
    if not isinstance(source, (str, Path)):
        raise TypeError(
            f"source must be a path to a CSV or parquet file, or a pandas DataFrame; got {type(source).__name__}"
        )
    path = Path(source)
    name = source_name or path.name
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {str(source)!r}; pass the path of a CSV or parquet file, or a DataFrame")
    suffixes = "".join(path.suffixes).lower()
    if suffixes.endswith((".xlsx", ".xls", ".xlsm")):
        raise TransactionDataError(name, [
            "is an Excel workbook, which is not read directly; save the sheet as CSV (UTF-8), "
            "or read it with pandas.read_excel and pass the DataFrame"
        ])
    opener = gzip.open if suffixes.endswith(".gz") else open
    with opener(path, "rb") as fh:
        data = fh.read()
    if data[:4] == b"PAR1" or suffixes.endswith((".parquet", ".pq")):
        try:
            frame = pd.read_parquet(io.BytesIO(data))
        except Exception as exc:  # pyarrow raises several types
            raise TransactionDataError(name, [f"cannot be read as parquet ({exc})"]) from None
        frame.columns = [str(c).strip() for c in frame.columns]
        frame = frame.reset_index(drop=True)
        return _Raw(frame, name, np.arange(1, len(frame) + 1), ("row", "rows"))
    if not data.strip():
        raise TransactionDataError(name, [
            f"is empty ({len(data)} bytes); export the transactions with a header row "
            "naming the columns, e.g. customer_id,date,amount"
        ])
    text, notes = _decode(data, encoding, name)
    raw = _read_csv_text(text, sep, name)
    raw.notes[:0] = notes
    return raw


# --------------------------------------------------------------------------- columns

def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _suggest(contract: str, wanted: str, available: list[str]) -> str | None:
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


def _check_columns(raw: _Raw, mapping: dict[str, str | None]) -> list[str]:
    available = list(raw.frame.columns)
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
            hint = _suggest(contract, col, available)
            fix = f"did you mean {hint!r}? pass {arg}={hint!r}" if hint else f"pass {arg}= naming the column that holds {contract}"
            problems.append(
                f"missing column {col!r} (expected for {contract}); the columns are "
                f"{', '.join(map(repr, available))}; {fix}"
            )
    return problems


# --------------------------------------------------------------------------- values

_NUM_DOT = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d*)(\.\d+)?$")
_NUM_COMMA = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d*)(,\d+)?$")
_STRONG_DOT = re.compile(r"^[+-]?(\d+\.(\d{1,2}|\d{4,})|\d{1,3}(,\d{3})+\.\d+)$")
_STRONG_COMMA = re.compile(r"^[+-]?(\d+,(\d{1,2}|\d{4,})|\d{1,3}(\.\d{3})+,\d+)$")
_CURRENCY = re.compile(r"[\s\u00a0\u202f'$€£¥₹]")


def _clean_number_text(s: pd.Series) -> pd.Series:
    """Strip spaces, currency signs and apostrophes; '(12.5)' and '12.5-' -> '-12.5'."""
    s = s.str.replace(_CURRENCY, "", regex=True)
    paren = s.str.match(r"^\(.*\)$")
    s = s.where(~paren, "-" + s.str.slice(1, -1))
    trailing = s.str.match(r"^[^-].*-$")
    return s.where(~trailing, "-" + s.str.slice(0, -1))


def _missing(v) -> bool:
    """None, NaN, NaT or pd.NA (a scalar that pandas counts as missing)."""
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):  # list-like values
        return False


def _as_text(s: pd.Series) -> pd.Series:
    """Values as stripped strings, '' for missing; dates in ISO form, whole floats without '.0'."""
    if pd.api.types.infer_dtype(s, skipna=True) in ("string", "empty"):
        return s.fillna("").astype(object).str.strip()

    def one(v):
        if _missing(v):
            return ""
        if isinstance(v, str):
            return v.strip()
        if hasattr(v, "isoformat"):
            return v.isoformat()
        if isinstance(v, (float, np.floating)) and float(v).is_integer():
            return str(int(v))
        return str(v)
    return s.map(one).astype(object)


def _sniff_decimal(columns: list[pd.Series]) -> str:
    """',' when the numeric text columns use decimal commas, else '.' (from up to 2,000 distinct values each)."""
    dot = comma = 0
    for s in columns:
        if pd.api.types.is_numeric_dtype(s):
            continue
        text = _clean_number_text(_as_text(s.drop_duplicates().head(2000)))
        dot += int(text.str.match(_STRONG_DOT).sum())
        comma += int(text.str.match(_STRONG_COMMA).sum())
    return "," if comma > dot else "."


def _parse_number_text(text: pd.Series, decimal: str) -> np.ndarray:
    """Number strings with thousands separators, currency signs, decimal commas -> floats (NaN if not a number)."""
    text = _clean_number_text(text)
    pattern, thousands = (_NUM_COMMA, ".") if decimal == "," else (_NUM_DOT, ",")
    ok = text.str.match(pattern) & text.str.contains(r"\d")
    plain = text.where(ok, "").str.replace(thousands, "", regex=False)
    if decimal == ",":
        plain = plain.str.replace(",", ".", regex=False)
    parsed = pd.to_numeric(plain.where(ok), errors="coerce")
    if decimal == ".":  # scientific notation and other forms Python reads
        rest = ~ok & (text != "")
        parsed = parsed.where(~rest, pd.to_numeric(text.where(rest), errors="coerce"))
    return parsed.to_numpy(dtype=float)


def _parse_numbers(s: pd.Series, decimal: str) -> tuple[np.ndarray, np.ndarray]:
    """Values as floats and a mask of values that are missing or not numbers."""
    if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
        values = s.astype(float).to_numpy()
        return values, ~np.isfinite(values)
    text = _as_text(s)
    if decimal == ".":  # fast path: plain numbers
        values = pd.to_numeric(text.where(text != ""), errors="coerce").to_numpy(dtype=float)
        slow = ~np.isfinite(values) & (text != "").to_numpy()
    else:
        values, slow = np.full(len(s), np.nan), (text != "").to_numpy()
    if slow.any():
        values[slow] = _parse_number_text(text[slow], decimal)
    return values, ~np.isfinite(values)


_TZ = re.compile(r"\d:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)$", re.IGNORECASE)
_NUMERIC_DATE = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?=$|[T ])(.*)$")


@dataclass
class _Dates:
    values: pd.Series           # datetime64[ns], naive; NaT where bad
    bad: np.ndarray             # missing or unparseable
    tz_converted: np.ndarray    # carried a time zone, converted to UTC
    notes: list[str]
    hint: str


def _has_zone(text: pd.Series) -> np.ndarray:
    """Mask of timestamps that end in a UTC offset or 'Z' after a time of day."""
    zone = np.zeros(len(text), bool)
    long = (text.str.len() > 12).to_numpy()
    if long.any():
        zone[long] = text[long].str.contains(_TZ).to_numpy()
    return zone


def _order_of(first: pd.Series, second: pd.Series, dayfirst: bool | None) -> tuple[bool, str]:
    """Day-first or not for '01/02/1997'-style dates, and how that was decided.

    Given (True/False) it is used as is. Detected (None): day-first when some
    first number exceeds 12 and no second number does, month-first in the
    mirror case; when no number exceeds 12 the file is ambiguous and is read
    month-first; when both do, the file mixes orders and is read month-first
    (the day-first dates then show up as unreadable).
    """
    if dayfirst is not None:
        return dayfirst, f"dayfirst={dayfirst}"
    first_big, second_big = bool((first > 12).any()), bool((second > 12).any())
    if first_big and not second_big:
        return True, "detected: some first numbers exceed 12"
    if second_big and not first_big:
        return False, "detected: some second numbers exceed 12"
    if first_big and second_big:
        return False, "the file mixes both orders; pass dayfirst= or date_format="
    return False, "ambiguous, no number exceeds 12: pass dayfirst=True if your file is day-first"


def _parse_day_month_dates(text: pd.Series, dayfirst: bool | None) -> tuple[pd.Series, list[str], str]:
    """Dates that ISO 8601 does not cover: '01/02/1997'-style by ``dayfirst``, then anything dateutil reads."""
    notes, hint = [], ""
    iso = text.copy()
    num = text.str.extract(_NUMERIC_DATE)
    m = num[0].notna()
    first, second = pd.to_numeric(num[0], errors="coerce"), pd.to_numeric(num[2], errors="coerce")
    dayfirst, why = _order_of(first[m], second[m], dayfirst)
    if m.any():
        day, month = (num[0], num[2]) if dayfirst else (num[2], num[0])
        two = num[3].str.len() == 2  # two-digit years: 69-99 -> 1900s, 00-68 -> 2000s (as strptime %y)
        century = pd.Series(np.where(pd.to_numeric(num[3], errors="coerce") < 69, "20", "19"), index=num.index)
        year = num[3].where(~two, century + num[3])
        iso[m] = year[m] + "-" + month[m].str.zfill(2) + "-" + day[m].str.zfill(2) + num[4][m]
        order = "day/month/year" if dayfirst else "month/day/year"
        notes.append(f"{_plural(int(m.sum()), 'date')} written like 01/02/1997 read as {order} ({why})")
        month_n, day_n = (second, first) if dayfirst else (first, second)
        if (m & (month_n > 12) & (day_n <= 12)).any():
            hint = f"; they look {'month' if dayfirst else 'day'}-first: pass dayfirst={not dayfirst}"
    parsed = pd.to_datetime(iso.where(m), format="ISO8601", errors="coerce", utc=True)
    other = ~m & ~text.str.fullmatch(r"[\d.]+")
    if other.any():
        parsed[other] = pd.to_datetime(text[other], format="mixed", dayfirst=dayfirst, errors="coerce", utc=True)
    return parsed, notes, hint


def _parse_dates(s: pd.Series, dayfirst: bool | None, date_format: str | None) -> _Dates:
    """Parse a date column; see :func:`load_transactions` for the forms read."""
    n = len(s)
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        values = s.dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[ns]")
        return _Dates(values, values.isna().to_numpy(), s.notna().to_numpy(), [], "")
    if pd.api.types.is_datetime64_dtype(s):
        values = s.astype("datetime64[ns]")
        return _Dates(values, values.isna().to_numpy(), np.zeros(n, bool), [], "")
    text = _as_text(s)
    zone = _has_zone(text)
    notes, hint = [], ""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if date_format is not None:
            parsed = pd.to_datetime(text, format=date_format, errors="coerce", utc=True)
        else:  # ISO 8601 (also YYYYMMDD and YYYY/MM/DD), then the rest
            parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns, UTC]")
            # zoned and naive values apart: pandas would apply one value's offset to the others
            for part in (zone, ~zone):
                if part.any():
                    one = pd.to_datetime(text[part], format="ISO8601", errors="coerce", utc=False)
                    if isinstance(one.dtype, pd.DatetimeTZDtype):
                        one = one.dt.tz_convert("UTC")
                    elif one.dtype == object:  # several offsets
                        one = pd.to_datetime(text[part], format="ISO8601", errors="coerce", utc=True)
                    else:
                        one = one.dt.tz_localize("UTC")
                    parsed[part] = one
            rest = (parsed.isna() & (text != "")).to_numpy()
            if rest.any():
                parsed[rest], notes, hint = _parse_day_month_dates(text[rest], dayfirst)
    values = parsed.dt.tz_localize(None).astype("datetime64[ns]")
    bad = values.isna().to_numpy()
    if not hint and bad.any():
        shown = text[bad][text[bad] != ""]
        if shown.str.fullmatch(r"\d{4,6}(\.\d+)?").any():
            hint = ("; numbers like these may be spreadsheet serial days: convert them with "
                    "pd.to_datetime(x, unit='D', origin='1899-12-30') or export dates as text")
        elif len(shown) and (shown.str.match(_NUMERIC_DATE) | shown.str.match(r"^\d{4}-\d{1,2}-\d{1,2}")).all():
            hint = "; they are written like dates but name no real day (e.g. 31 February): correct them"
        else:
            hint = "; set date_format= (e.g. '%d.%m.%Y %H:%M') to say how dates are written"
    if zone.any() and (~zone & ~bad).any():
        notes.append(f"{_plural(int((~zone & ~bad).sum()), 'timestamp')} without a time zone taken as UTC, "
                     "because others in the file carry one")
    return _Dates(values, bad, zone & ~bad, notes, hint)


def _parse_ids(s: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Customer ids as stripped strings; masks of missing ids and of ids that had spaces trimmed."""
    if pd.api.types.is_float_dtype(s):
        text = _as_text(s)
        return text, (text == "").to_numpy(), np.zeros(len(s), bool)
    if pd.api.types.infer_dtype(s, skipna=True) in ("string", "empty"):
        text = s.fillna("").astype(object)
    else:
        text = s.map(lambda v: "" if _missing(v) else str(v))
    stripped = text.str.strip()
    trimmed = ((stripped != text) & (stripped != "")).to_numpy()
    return stripped.astype(object), (stripped == "").to_numpy(), trimmed


# --------------------------------------------------------------------------- returns

def _net_returns(tx: pd.DataFrame) -> tuple[pd.DataFrame, int, int, int, float]:
    """Net each return against the same customer's latest earlier purchases (LIFO).

    Returns the frame without return rows and without fully returned purchases,
    and counts: returns netted, purchases reduced, purchases removed, and the
    amount of returns that found no earlier purchase to net against.
    """
    tx = tx.copy()
    is_return = tx["amount"].to_numpy() < 0
    customers = set(tx.loc[is_return, "customer_id"])
    amount = tx["amount"].to_numpy(dtype=float).copy()
    original = amount.copy()
    unmatched = 0.0
    sub = tx[tx["customer_id"].isin(customers)]
    order = sub.assign(_ret=sub["amount"] < 0).sort_values(["customer_id", "date", "_ret"], kind="mergesort")
    positions = tx.index.get_indexer(order.index)
    cust = order["customer_id"].to_numpy()
    stack: list[int] = []
    current = None
    for pos, c in zip(positions, cust):
        if c != current:
            current, stack = c, []
        if amount[pos] >= 0:
            stack.append(pos)
            continue
        remaining = -amount[pos]
        while remaining > 1e-9 and stack:
            top = stack[-1]
            take = min(remaining, amount[top])
            amount[top] -= take
            remaining -= take
            if amount[top] <= 1e-9:
                amount[top] = 0.0
                stack.pop()
        unmatched += remaining
    purchases = ~is_return
    reduced = purchases & (amount < original) & (amount > 0)
    removed = purchases & (amount == 0) & (original > 0)
    ratio = np.divide(amount, original, out=np.ones_like(amount), where=original > 0)
    for col in ("cost", "quantity"):
        if col in tx:
            tx[col] = tx[col].to_numpy(dtype=float) * ratio
    tx["amount"] = amount
    keep = purchases & ~removed
    return tx[keep], int(is_return.sum()), int(reduced.sum()), int(removed.sum()), unmatched


# --------------------------------------------------------------------------- the loader

_POLICIES = {
    "returns": ("drop", "keep", "net", "error"),
    "zero_amounts": ("keep", "drop", "error"),
    "duplicates": ("drop", "keep", "error"),
    "bad_rows": ("error", "drop"),
}


def load_transactions(
    source,
    *,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str = "amount",
    cost_col: str | None = None,
    quantity_col: str | None = None,
    observation_end=None,
    returns: str = "drop",
    zero_amounts: str = "keep",
    duplicates: str = "drop",
    bad_rows: str = "error",
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
        A CSV file (optionally ``.gz``), a parquet file, or a DataFrame.
    customer_col, date_col, amount_col : str
        Names of the input columns holding the customer id, the order date and
        the revenue (currency units). Matched exactly; a missing one is reported
        with the closest available name.
    cost_col, quantity_col : str or None
        Optional columns holding the cost (same units as amount) and the units.
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
        Rows with a missing customer id or a date or amount (or cost, quantity)
        that cannot be read: refuse the file (default) or drop those rows.
    dayfirst : bool or None
        How to read dates like 01/02/1997: True day/month/year, False
        month/day/year, None (default) detect it once for the whole file: day
        first if some first number exceeds 12 and no second one does (and the
        mirror rule), month first when the file is ambiguous. The report says
        which order was used and why. Unambiguous forms (ISO 8601
        ``1997-02-01``, ``19970201``) ignore it.
    date_format : str or None
        An explicit ``strftime`` format (e.g. ``"%d.%m.%Y %H:%M"``), overriding
        detection.
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

    raw = _read_source(source, sep, encoding, source_name)
    mapping = {"customer_id": customer_col, "date": date_col, "amount": amount_col,
               "cost": cost_col, "quantity": quantity_col}
    problems = _check_columns(raw, mapping)
    if problems:
        raise TransactionDataError(raw.name, problems)
    if len(raw.frame) == 0:
        raise TransactionDataError(raw.name, [
            "has column names but no data rows (columns " + ", ".join(map(repr, raw.frame.columns)) +
            "); export the transactions themselves, not only the header"
        ])
    parsed = _parse_columns(raw, mapping, dayfirst=dayfirst, date_format=date_format, decimal=decimal,
                            report_bad=bad_rows == "error")
    ledger = _Ledger(raw, parsed.tx, list(parsed.problems), list(raw.notes) + list(parsed.notes))
    _apply_duplicates(ledger, duplicates)
    # bad rows are refused (bad_rows='error': listed in problems already) or dropped
    ledger.drop(parsed.bad, "missing customer id, or a date or number that cannot be read (bad_rows='drop')")
    if observation_end is not None:
        _apply_observation_end(ledger, observation_end)
    _apply_amount_policies(ledger, amount_col, returns=returns, zero_amounts=zero_amounts)
    ledger.flag(parsed.tz_converted, "changed", "timestamps with a time zone converted to UTC, zone dropped")
    ledger.flag(parsed.ids_trimmed, "changed", "customer ids with surrounding spaces trimmed")
    return ledger.result(mapping)


@dataclass
class _Parsed:
    tx: pd.DataFrame              # contract columns + "_row" (position in the input)
    bad: np.ndarray               # rows with a missing id or an unreadable date or number
    problems: list[str]
    notes: list[str]
    tz_converted: np.ndarray
    ids_trimmed: np.ndarray


def _parse_columns(raw: _Raw, mapping, *, dayfirst, date_format, decimal, report_bad) -> _Parsed:
    """Parse the mapped columns; describe unreadable values as problems when ``report_bad``."""
    frame, n = raw.frame, len(raw.frame)
    problems, notes = [], []
    customer_col, date_col = mapping["customer_id"], mapping["date"]
    ids, missing_id, trimmed = _parse_ids(frame[customer_col])
    if missing_id.any() and report_bad:
        k = int(missing_id.sum())
        problems.append(f"column {customer_col!r}: {_plural(k, 'row')} {'has' if k == 1 else 'have'} "
                        f"no customer id ({raw.where(missing_id)}); fill them in, or pass bad_rows='drop' "
                        "to drop these rows")
    dates = _parse_dates(frame[date_col], dayfirst, date_format)
    notes += dates.notes
    if dates.bad.any() and report_bad:
        problems.append(f"column {date_col!r}: {_is_not(int(dates.bad.sum()), 'a date', 'dates')} "
                        f"({raw.where(dates.bad, frame[date_col])}){dates.hint}")
    tx = pd.DataFrame({"customer_id": ids.to_numpy(dtype=object), "date": dates.values.to_numpy()})
    numeric = {c: mapping[c] for c in ("amount", "cost", "quantity") if mapping[c] is not None}
    if decimal is None:
        decimal = _sniff_decimal([frame[col] for col in numeric.values()])
        if decimal == ",":
            notes.append("decimal comma detected")
    bad = missing_id | dates.bad
    for contract, col in numeric.items():
        tx[contract], not_number = _parse_numbers(frame[col], decimal)
        if not_number.any() and report_bad:
            problems.append(
                f"column {col!r}: {_is_not(int(not_number.sum()), 'a number', 'numbers')} "
                f"({raw.where(not_number, frame[col])}); decimal mark taken as {decimal!r} "
                "(set decimal= if wrong), or pass bad_rows='drop'"
            )
        bad |= not_number
    tx["_row"] = np.arange(n)
    return _Parsed(tx, bad, problems, notes, dates.tz_converted, trimmed)


class _Ledger:
    """The rows still in, the report items and the problems, as the policies run."""

    def __init__(self, raw: _Raw, tx: pd.DataFrame, problems: list[str], notes: list[str]):
        self.raw, self.tx, self.problems, self.notes = raw, tx, problems, notes
        self.alive = np.ones(len(tx), bool)
        self.items: list[ReportItem] = []

    def drop(self, mask: np.ndarray, reason: str) -> None:
        """Remove the live rows in ``mask`` and count them under ``reason``."""
        mask = mask & self.alive
        if mask.any():
            self.items.append(ReportItem("dropped", reason, int(mask.sum())))
            self.alive[mask] = False

    def flag(self, mask: np.ndarray, action: str, reason: str) -> None:
        """Count the live rows in ``mask`` as changed or flagged."""
        k = int((mask & self.alive).sum())
        if k:
            self.items.append(ReportItem(action, reason, k))

    def refuse_if_problems(self) -> None:
        if self.problems:
            raise TransactionDataError(self.raw.name, self.problems)

    def result(self, mapping: dict[str, str | None]) -> LoadedTransactions:
        """The kept rows in contract order, with the report; refuses if problems remain or nothing is left."""
        self.refuse_if_problems()
        name, tx = self.raw.name, self.tx
        out = tx[self.alive[tx["_row"].to_numpy()]]
        out = out.sort_values(["customer_id", "date", "_row"], kind="mergesort").drop(columns="_row")
        out = out.reset_index(drop=True)
        out["date"] = out["date"].astype("datetime64[ns]")
        if "quantity" in out and np.array_equal(out["quantity"], np.round(out["quantity"])):
            out["quantity"] = out["quantity"].astype(np.int64)
        if not len(out):
            reasons = "; ".join(f"{i.rows:,} {i.reason}" for i in self.items if i.action == "dropped")
            raise TransactionDataError(name, [f"no rows are left after validation ({reasons}); "
                                              "check observation_end= and the policies"])
        unused = [c for c in self.raw.frame.columns if c not in mapping.values()]
        notes = self.notes + (["columns not used: " + ", ".join(map(repr, unused))] if unused else [])
        report = ValidationReport(
            source=name, rows_read=len(self.raw.frame), rows_kept=len(out), items=tuple(self.items),
            columns=tuple((c, col) for c, col in mapping.items() if col is not None),
            notes=tuple(notes), n_customers=int(out["customer_id"].nunique()),
            first_date=out["date"].min(), last_date=out["date"].max(),
        )
        return LoadedTransactions(out, report)


def _apply_duplicates(ledger: _Ledger, policy: str) -> None:
    """Exact duplicates: identical in every input column (first copy is the original)."""
    dup = ledger.raw.frame.duplicated(keep="first").to_numpy() & ledger.alive
    if not dup.any():
        return
    if policy == "error":
        ledger.problems.append(f"{_plural(int(dup.sum()), 'exact duplicate row')} ({ledger.raw.where(dup)}); "
                               "pass duplicates='drop' to drop or duplicates='keep' to keep them")
    elif policy == "drop":
        ledger.drop(dup, "exact duplicate rows, first copy kept (duplicates='drop')")
    else:
        ledger.flag(dup, "flagged", "exact duplicate rows, kept (duplicates='keep')")


def _apply_observation_end(ledger: _Ledger, observation_end) -> None:
    """Drop rows after the end; an end without a time of day includes that whole day."""
    end = pd.Timestamp(observation_end)
    if end.tzinfo is not None:
        end = end.tz_convert("UTC").tz_localize(None)
    dates = ledger.tx["date"]
    if end == end.normalize():
        late, label = dates >= end + pd.Timedelta(days=1), f"{end:%Y-%m-%d}"
    else:
        late, label = dates > end, f"{end:%Y-%m-%d %H:%M:%S}"
    ledger.drop(late.to_numpy(), f"dated after the observation end {label}")


def _apply_amount_policies(ledger: _Ledger, amount_col: str, *, returns: str, zero_amounts: str) -> None:
    """Zero amounts, then returns (negative amounts), each by its policy."""
    amount = ledger.tx["amount"].to_numpy()
    negative, zero = (amount < 0) & ledger.alive, (amount == 0) & ledger.alive
    where = ledger.raw.where
    if negative.any() and returns == "error":
        ledger.problems.append(
            f"column {amount_col!r}: {_plural(int(negative.sum()), 'negative amount')} (returns or refunds; "
            f"{where(negative, ledger.raw.frame[amount_col])}); pass returns='drop', 'net' or 'keep' "
            "to choose a policy")
    if zero.any() and zero_amounts == "error":
        ledger.problems.append(f"column {amount_col!r}: {_plural(int(zero.sum()), 'amount')} of 0 "
                               f"({where(zero)}); pass zero_amounts='keep' or 'drop'")
    ledger.refuse_if_problems()
    if zero_amounts == "drop":
        ledger.drop(zero, "amount is 0 (zero_amounts='drop')")
    else:
        ledger.flag(zero, "flagged", "amount is 0, kept (zero_amounts='keep')")
    if returns == "drop":
        ledger.drop(negative, "negative amounts: returns or refunds (returns='drop')")
    elif returns == "keep":
        ledger.flag(negative, "flagged", "negative amounts: returns or refunds, kept (returns='keep')")
    elif negative.any():  # net
        live = ledger.tx.loc[ledger.alive]
        netted, n_returns, n_reduced, n_removed, unmatched = _net_returns(live)
        rest = f"; {unmatched:,.2f} of returns found no earlier purchase and were discarded" if unmatched > 0 else ""
        ledger.items.append(ReportItem(
            "dropped", f"returns netted against the customer's earlier purchases (returns='net'){rest}", n_returns))
        if n_removed:
            ledger.items.append(ReportItem("dropped", "purchases returned in full (returns='net')", n_removed))
        if n_reduced:
            ledger.items.append(ReportItem("changed", "purchases reduced by later returns (returns='net')", n_reduced))
        ledger.alive[:] = False
        ledger.alive[netted["_row"].to_numpy()] = True
        ledger.tx = pd.concat([netted, ledger.tx.loc[~ledger.tx["_row"].isin(netted["_row"])]]).sort_values("_row")


# --------------------------------------------------------------------------- accounts

def validate_accounts(frame: pd.DataFrame, *, customer_col: str = "customer_id",
                      source_name: str | None = None) -> pd.DataFrame:
    """Check an accounts table against the contract and return it indexed by customer_id.

    Rules: the customer id (a column ``customer_col`` or the index of that name)
    is present for every row and unique; the columns of
    ``ACCOUNT_NUMERIC_COLUMNS`` that are present are numbers (``service_tickets``,
    ``staff_hours``, ``cost_to_serve`` and ``referrals`` also >= 0);
    ``kam_pilot`` is 0 or 1; ``acquired`` is a date. Other columns pass through.

    Returns
    -------
    DataFrame
        A copy indexed by ``customer_id`` (str), numeric columns as float,
        ``kam_pilot`` as int, ``acquired`` as datetime64[ns].

    Raises
    ------
    AccountDataError
        Listing every problem found.
    """
    name = source_name or "the accounts table"
    df = frame.copy()
    if customer_col not in df.columns and df.index.name == customer_col:
        df = df.reset_index()
    if customer_col not in df.columns:
        hint = _suggest("customer_id", customer_col, [str(c) for c in df.columns])
        raise AccountDataError(name, [
            f"missing column {customer_col!r} (expected for customer_id); the columns are "
            f"{', '.join(map(repr, map(str, df.columns)))}"
            + (f"; did you mean {hint!r}? pass customer_col={hint!r}" if hint else "")
        ])
    raw = _Raw(df, name, np.asarray(frame.index) if customer_col in frame.columns else np.arange(1, len(df) + 1),
               ("index", "index") if customer_col in frame.columns else ("row", "rows"))
    problems = []
    ids, missing, _ = _parse_ids(df[customer_col])
    if missing.any():
        problems.append(f"column {customer_col!r}: {_plural(int(missing.sum()), 'row')} without a customer id "
                        f"({raw.where(missing)}); fill them in or remove those rows")
    dup = ids.duplicated(keep=False).to_numpy() & ~missing
    if dup.any():
        problems.append(f"column {customer_col!r}: {_plural(int(ids[dup].nunique()), 'customer id')} "
                        f"appear{'s' if ids[dup].nunique() == 1 else ''} more than once "
                        f"({raw.where(dup, ids)}); keep one row per account")
    out = df.drop(columns=customer_col)
    out.index = pd.Index(ids.to_numpy(dtype=object), name="customer_id")
    for col in ACCOUNT_NUMERIC_COLUMNS:
        if col not in out:
            continue
        values, not_number = _parse_numbers(df[col], ".")
        not_number &= ~df[col].isna().to_numpy()  # missing attributes are allowed
        if not_number.any():
            problems.append(f"column {col!r}: {_is_not(int(not_number.sum()), 'a number', 'numbers')} "
                            f"({raw.where(not_number, df[col])}); use plain numbers, e.g. 12.5")
        if col in ("service_tickets", "staff_hours", "cost_to_serve", "referrals"):
            neg = values < 0
            if neg.any():
                problems.append(f"column {col!r}: {_plural(int(neg.sum()), 'negative value')} "
                                f"({raw.where(neg, df[col])}); counts, hours and costs are >= 0")
        out[col] = values
    if "kam_pilot" in out:
        values, not_number = _parse_numbers(df["kam_pilot"], ".")
        wrong = not_number | ~np.isin(values, (0.0, 1.0))
        if wrong.any():
            problems.append(f"column 'kam_pilot': {_is_not(int(wrong.sum()), '0 or 1', '0 or 1')} "
                            f"({raw.where(wrong, df['kam_pilot'])}); 1 = in the KAM pilot, 0 = control")
        else:
            out["kam_pilot"] = values.astype(int)
    if "acquired" in out:
        dates = _parse_dates(df["acquired"], None, None)
        wrong = dates.bad & df["acquired"].notna().to_numpy()
        if wrong.any():
            problems.append(f"column 'acquired': {_is_not(int(wrong.sum()), 'a date', 'dates')} "
                            f"({raw.where(wrong, df['acquired'])}); use ISO dates like 2021-03-31")
        out["acquired"] = dates.values.to_numpy()
    if problems:
        raise AccountDataError(name, problems)
    return out
