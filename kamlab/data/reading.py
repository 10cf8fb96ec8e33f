"""Reading a source into a table of text: files, encodings, delimiters, DataFrames.

:func:`read_source` turns a CSV file (optionally ``.gz``), a parquet file or a
DataFrame into a :class:`Raw` table, one column per source column, with the
file line (or row, or index label) of every record so that messages can name
it. It detects the text encoding (UTF-8 with or without byte-order mark, UTF-16
with a byte-order mark, else Windows cp1252, else latin-1) and the delimiter
(``,`` ``;`` tab ``|`` or runs of spaces), and says what it detected in notes.
Values are not parsed here (see :mod:`kamlab.data.parsing`).
"""

from __future__ import annotations

import contextlib
import csv
import sys
from collections import Counter
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .contract import SHOWN
from .errors import TransactionDataError
from .filetypes import read_bytes
from .messages import LEGACY_ENCODINGS, compress, legacy_note, plural, show_value
from .parsing import CONTROL


@dataclass
class Raw:
    """The input as read, before parsing: one column per source column, and where each row came from."""

    frame: pd.DataFrame          # strings for CSV, as-is for DataFrame/parquet
    name: str                    # file name or description, for messages
    labels: np.ndarray           # per row: file line, 1-based row, or index label
    word: tuple[str, str]        # ("line", "lines") / ("row", "rows") / ("index", "index")
    notes: list[str] = field(default_factory=list)
    controls: bool = True        # may hold control characters (False: text known to hold none)

    def where(self, mask: np.ndarray, values: pd.Series | None = None) -> str:
        """'lines 14, 87: 'ten', ''' for the first few rows in ``mask``."""
        idx = np.flatnonzero(mask)
        shown = idx[:SHOWN]
        labels = [self.labels[i].item() if hasattr(self.labels[i], "item") else self.labels[i] for i in shown]
        word = self.word[0] if len(idx) == 1 else self.word[1]
        more = f" and {len(idx) - len(shown):,} more" if len(idx) > len(shown) else ""
        if values is None:
            return f"{word} {compress(labels)}{more}"
        vals = ", ".join(repr(show_value(values.iloc[i])) for i in shown)
        return f"{word} {', '.join(str(v) for v in labels)}{more}: {vals}"


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
        byte = data[exc.start: exc.start + 1]
        for enc, label in LEGACY_ENCODINGS:
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                continue
            return text, [legacy_note(byte, line, label)]
    raise AssertionError("latin-1 decodes any bytes")  # pragma: no cover


_DELIMITERS = (",", ";", "\t", "|")
#: Lines above the header that may be report titles (more: the file has one column).
_MAX_TITLE_LINES = 20
_EOL = re.compile(r"\r\n|\r|\n")


@contextlib.contextmanager
def _no_field_limit():
    """Lift the csv module's 128 KiB field limit while reading (a long first line is no error)."""
    old = csv.field_size_limit()
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    try:
        yield
    finally:
        csv.field_size_limit(old)


def _filled(row: list[str]) -> int:
    return sum(1 for f in row if f.strip())


def _leading_titles(rows: list[list[str]]) -> int:
    """How many leading rows hold at most one filled field (report titles above the header)."""
    n = 0
    while n < min(len(rows) - 1, _MAX_TITLE_LINES) and _filled(rows[n]) <= 1:
        n += 1
    return n if n < _MAX_TITLE_LINES else 0


def _sniff_delimiter(lines: list[str]) -> str | None:
    """The delimiter giving the header's field count on most sample lines (None: whitespace).

    The header is the first line with at least two filled fields: title lines
    above it (one filled field) are not counted.
    """
    best, best_score = None, (0, 0)
    for sep in _DELIMITERS:
        with _no_field_limit():
            rows = list(csv.reader(lines, delimiter=sep))
        rows = rows[_leading_titles(rows):]
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


def _title_lines(all_lines: list[str], sep: str, header_line: int | None) -> int:
    """Physical lines before the header: given (``header_line``, 1-based) or detected titles and blanks."""
    if header_line is not None:
        return header_line - 1
    if sep in (r"\s+", " "):
        return 0
    titles, i = 0, 0
    for i, line in enumerate(all_lines[: _MAX_TITLE_LINES * 2]):
        if not line.strip():
            continue
        with _no_field_limit():
            fields = next(csv.reader([line], delimiter=sep), [])
        if _filled(fields) >= 2:
            break
        titles += 1
    else:
        return 0
    return i if 0 < titles < _MAX_TITLE_LINES else 0


def _cut_titles(text: str, all_lines: list[str], n: int, name: str, sep: str) -> tuple[str, list[str], str]:
    """The text from line ``n + 1`` on, and a note naming the lines skipped."""
    if n >= len(all_lines):
        raise TransactionDataError(name, [f"has {len(all_lines)} lines, so line {n + 1} cannot be the header; "
                                          "pass header_line= naming the line of the column names"])
    pos = 0
    for _ in range(n):
        pos = _EOL.search(text, pos).end()
    skipped = [ln.strip().strip(sep).strip() for ln in all_lines[:n] if ln.strip()]
    shown = ", ".join(repr(show_value(t)) for t in skipped[:3]) + (" ..." if len(skipped) > 3 else "")
    note = (f"{plural(len(skipped), 'title line')} above the header skipped (line{'s' if n > 1 else ''} "
            f"1{'-' + str(n) if n > 1 else ''}: {shown}); pass header_line= if the header is elsewhere")
    return text[pos:], all_lines[n:], note


def _sep_label(sep: str) -> str:
    return {"\t": "tab", r"\s+": "runs of spaces", " ": "space"}.get(sep, repr(sep))


def _check_structure(header: list[str], lines: list[int], widths: list[int], sep: str, sniffed: bool,
                     name: str) -> None:
    """Refuse lines whose field count differs from the header's, and repeated column names."""
    width = len(header)
    ragged = [(ln, w) for ln, w in zip(lines, widths) if w != width]
    if ragged:
        counts = sorted({w for _, w in ragged})
        shown = ", ".join(str(ln) for ln, _ in ragged[:SHOWN])
        more = f" and {len(ragged) - SHOWN:,} more" if len(ragged) > SHOWN else ""
        raise TransactionDataError(name, [
            f"{plural(len(ragged), 'line')} {'has' if len(ragged) == 1 else 'have'} "
            f"{' or '.join(map(str, counts))} fields but the header has {width} "
            f"(line{'s' if len(ragged) > 1 else ''} {shown}{more}); the delimiter is "
            f"{_sep_label(sep)}{' (detected)' if sniffed else ''}: pass sep= if that is wrong, "
            "or quote values that contain it; if the first line is a title, not the column names, pass "
            "header_line= naming the line that holds them"
        ])
    dupes = sorted(h for h, k in Counter(header).items() if k > 1)
    if dupes:
        raise TransactionDataError(name, [
            f"the header names {', '.join(map(repr, dupes))} more than once; give every column its own name"
        ])


def _read_unquoted(text: str, all_lines: list[str], sep: str, name: str, sniffed: bool,
                   notes: list[str], offset: int = 0) -> Raw | None:
    """Fast path for text without quotes; None when pandas' rows do not match the lines.

    ``offset``: lines of the file before ``text`` (title lines), for line numbers.
    """
    whitespace = sep in (r"\s+", " ")
    if whitespace:
        widths = [len(ln.split()) for ln in all_lines]
    else:
        widths = [ln.count(sep) + 1 if ln.strip() else 0 for ln in all_lines]
    nonblank = [i for i, w in enumerate(widths) if w]
    header = [h.strip() for h in (all_lines[nonblank[0]].split() if whitespace
                                  else all_lines[nonblank[0]].split(sep))]
    body = nonblank[1:]
    lines = [offset + i + 1 for i in body]
    _check_structure(header, lines, [widths[i] for i in body], sep, sniffed, name)
    frame = pd.read_csv(io.StringIO(text), sep=r"\s+" if whitespace else sep, header=None,
                        skiprows=nonblank[0] + 1, names=header, dtype=str, na_filter=False,
                        index_col=False, quoting=csv.QUOTE_NONE, engine="c")
    if len(frame) != len(body):
        return None
    blank = len(all_lines) - len(nonblank)
    if blank > 0:
        notes.append(f"{plural(blank, 'blank line')} skipped")
    return Raw(frame.astype(object), name, np.array(lines, dtype=np.int64), ("line", "lines"), notes)


#: A quoted value spanning more lines than this is a stray quote, not a value.
_MAX_LINES_PER_RECORD = 100


def _csv_records(text: str, sep: str, name: str, offset: int = 0) -> tuple[list[list[str]], list[int]]:
    """Records of quoted CSV text and the line each starts on (no field size limit)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    records, starts, prev_end = [], [], 0
    with _no_field_limit():
        try:
            for rec in reader:
                if reader.line_num - prev_end > _MAX_LINES_PER_RECORD:
                    raise TransactionDataError(name, [
                        f"line {offset + prev_end + 1} opens a quoted value that runs over "
                        f"{reader.line_num - prev_end:,} lines (to line {offset + reader.line_num}): a stray "
                        "double quote? close or remove it in the export"])
                records.append(rec)
                starts.append(offset + prev_end + 1)
                prev_end = reader.line_num
        except csv.Error as exc:
            raise TransactionDataError(name, [
                f"cannot be read as CSV (line {offset + reader.line_num}: {exc}); if the file is UTF-16 "
                "without a byte-order mark pass encoding='utf-16', otherwise check the export"
            ]) from None
    return records, starts


def csv_layout(text: str, sep: str | None, name: str, header_line: int | None = None):
    """The delimiter (given or sniffed), title lines and notes of CSV text, and the text from the header on.

    Returns ``(text, lines, sep, sniffed, offset, notes)``: ``offset`` lines
    above the header were cut (titles, or ``header_line``). Shared by
    :func:`read_source` and the columnar reader (:mod:`kamlab.data.arrow`).
    """
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
        sep = _sniff_delimiter(sample if header_line is None else all_lines[header_line - 1:][:200])
        if sep != ",":
            notes.append(f"delimiter {_sep_label(sep)} detected")
    offset = _title_lines(all_lines, sep, header_line)
    if offset:
        text, all_lines, note = _cut_titles(text, all_lines, offset, name, sep)
        notes.append(note)
    return text, all_lines, sep, sniffed, offset, notes


def _read_csv_text(text: str, sep: str | None, name: str, header_line: int | None = None) -> Raw:
    """Parse CSV text into strings, recording each record's first line number."""
    text, all_lines, sep, sniffed, offset, notes = csv_layout(text, sep, name, header_line)
    # no quoting: one record per line, parsed by pandas' C reader (which, before pandas 3,
    # ends a value at a NUL byte: such text goes to the csv module, which keeps it)
    if '"' not in text and "\x00" not in text:
        fast = _read_unquoted(text, all_lines, sep, name, sniffed, notes, offset)
        if fast is not None:
            return fast
    if sep in (r"\s+", " "):
        records = [ln.split() for ln in all_lines]
        starts = list(range(offset + 1, offset + len(all_lines) + 1))
    else:
        records, starts = _csv_records(text, sep, name, offset)
    keep = [i for i, r in enumerate(records) if len(r) > 1 or (r and r[0].strip())]
    if not keep:
        raise TransactionDataError(name, [f"has nothing below line {offset}; pass header_line= naming the "
                                          "line of the column names"])
    header = [h.strip() for h in records[keep[0]]]
    body = keep[1:]
    blank = len(records) - len(keep)
    if blank > 0:
        notes.append(f"{plural(blank, 'blank line')} skipped")
    _check_structure(header, [starts[i] for i in body], [len(records[i]) for i in body], sep, sniffed, name)
    frame = pd.DataFrame([records[i] for i in body], columns=header, dtype=object)
    if not len(frame):
        frame = pd.DataFrame({h: pd.Series(dtype=object) for h in header})
    labels = np.array([starts[i] for i in body], dtype=np.int64)
    return Raw(frame, name, labels, ("line", "lines"), notes)


def read_source(source, sep: str | None = None, encoding: str | None = None,
                source_name: str | None = None, header_line: int | None = None) -> Raw:
    """A CSV file (optionally ``.gz``), a parquet file or a DataFrame, as a :class:`Raw` table.

    CSV values stay text (parsed later); parquet and DataFrame columns keep
    their types. Labels are file lines for CSV, 1-based rows for parquet and
    index labels for a DataFrame. Title lines above a CSV header (lines with
    at most one filled field, as spreadsheets export a report title) are
    skipped and named in the notes; ``header_line`` (1-based) names the
    header's line instead.
    """
    if isinstance(source, pd.DataFrame):
        name = source_name or "the DataFrame"
        frame = source.copy()
        frame.columns = [str(c).strip() for c in frame.columns]
        notes = [] if header_line is None else [f"header_line={header_line} ignored: a DataFrame has its columns"]
        return Raw(frame.reset_index(drop=True), name, np.asarray(source.index), ("index", "index"), notes)
    if not isinstance(source, (str, Path)):
        raise TypeError(
            f"source must be a path to a CSV or parquet file, or a pandas DataFrame; got {type(source).__name__}"
        )
    path = Path(source)
    name = source_name or path.name
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {str(source)!r}; pass the path of a CSV or parquet file, or a DataFrame")
    data, kind, notes = read_bytes(path, name)
    if kind == "parquet":
        try:
            frame = pd.read_parquet(io.BytesIO(data))
        except Exception as exc:  # pyarrow raises several types
            raise TransactionDataError(name, [f"cannot be read as parquet ({exc}); export it again"]) from None
        frame.columns = [str(c).strip() for c in frame.columns]
        frame = frame.reset_index(drop=True)
        if header_line is not None:
            notes.append(f"header_line={header_line} ignored: a parquet file has its columns")
        return Raw(frame, name, np.arange(1, len(frame) + 1), ("row", "rows"), notes)
    if not data.strip():
        raise TransactionDataError(name, [
            f"is empty ({len(data)} bytes); export the transactions with a header row "
            "naming the columns, e.g. customer_id,date,amount"
        ])
    text, decoded = _decode(data, encoding, name)
    raw = _read_csv_text(text, sep, name, header_line)
    raw.notes[:0] = notes + decoded
    raw.controls = CONTROL.search(text) is not None  # one scan of the text spares one per column
    return raw


#: Files larger than this (bytes) get their header checked before the body is read.
HEAD_CHECK_BYTES = 8 << 20


def read_head(source, sep: str | None = None, encoding: str | None = None, source_name: str | None = None,
              header_line: int | None = None, *, size: int = 1 << 20) -> Raw | None:
    """The first ``size`` bytes of a large plain-text CSV file, read as :func:`read_source` reads the whole.

    Lets :func:`kamlab.data.load_transactions` refuse a file whose column names
    do not match in a second, before it reads millions of rows: the header and
    the first lines go through the same decoding, delimiter sniffing and
    title-line rules as the full read. Returns None (nothing to check early)
    for frames, small files, compressed or binary files, and when the head
    alone cannot be read (the full read then reports what is wrong).
    """
    if not isinstance(source, (str, Path)) or not Path(source).is_file():
        return None
    path = Path(source)
    if path.stat().st_size <= HEAD_CHECK_BYTES or path.suffix.lower() in (".gz", ".parquet", ".pq"):
        return None
    from .filetypes import file_kind

    with path.open("rb") as handle:
        data = handle.read(size)
    data = data[: data.rfind(b"\n") + 1]
    if not data or file_kind(data) != "text":
        return None
    try:
        text, _ = _decode(data, encoding, source_name or path.name)
        return _read_csv_text(text, sep, source_name or path.name, header_line)
    except (TransactionDataError, UnicodeError, ValueError):
        return None
