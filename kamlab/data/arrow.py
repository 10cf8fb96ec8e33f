"""The columnar fast path: a plain CSV file read once by pyarrow's reader, or not at all.

:func:`read_arrow` reads the common file (one record per line, no control
characters; values may be quoted) with ``pyarrow.csv`` into Arrow strings, one
column per source column: exactly the strings, line numbers and notes
:func:`kamlab.data.reading.read_source` gives. Pyarrow reads quotes (doubled
quotes inside quoted values, quotes inside unquoted values) as Python's csv
module does, which the careful path uses for quoted text;
tests/test_data_arrow.py checks it on every kind of line. For anything else
:func:`read_arrow` returns None, and the loader takes the careful path, which
words today's messages: a file pyarrow refuses (ragged rows), a quoted value
holding a line break (the record spans lines), lines of only spaces or tabs,
UTF-16, control characters, or a line break that Python's ``str.splitlines``
counts and pyarrow does not (``U+0085``, ``U+2028``, ``U+2029``).

The head of the file goes through the careful path's delimiter sniffing and
title-line rules (:func:`kamlab.data.reading.csv_layout`); pyarrow parses the
body from the byte after the header line, streamed from the file (a ``.gz``
file is decompressed in memory first), and the checks run on the bytes of
the parsed columns. Two things are found in the file's bytes, as the careful
path finds them in its text:

- empty lines (an export's trailing blank line), which pyarrow gives as rows
  of empty values, as it gives ``,,,``: when there are such rows, the empty
  lines are found in the bytes (:func:`blank_lines`) and their rows left out,
  so that every row keeps its line number and the note counts them;
- text that is not UTF-8 (:func:`legacy_encoding`: the first such byte and
  its line, then Windows cp1252, or latin-1 when a byte cp1252 leaves
  undefined occurs), which pyarrow then reads in that encoding.

:data:`ENABLED` switches the fast path (this reader and the vectorised
parsing of :mod:`kamlab.data.vectorised`) off, e.g. to compare it with the
careful path.
"""

from __future__ import annotations

import csv
import mmap
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .errors import TransactionDataError
from .filetypes import file_kind, read_bytes
from .messages import LEGACY_ENCODINGS, legacy_note, plural
from .parsing import CONTROL
from .reading import _EOL, Raw, _no_field_limit, csv_layout

#: Use the columnar reader and the vectorised parsers (False: always the careful path).
ENABLED = True
#: Bytes of the head read for delimiter and title detection.
_HEAD = 1 << 20
#: Lines the head must hold (the careful path sniffs 200 and looks for titles in 40).
_HEAD_LINES = 240
#: Characters Python's str.splitlines breaks lines at and pyarrow does not (controls aside).
_PYTHON_BREAKS = "[\\x{85}\\x{2028}\\x{2029}]"
#: What Python's str.strip() removes: every character for which str.isspace() holds.
WHITESPACE = "".join(ch for ch in map(chr, range(0x10000)) if ch.isspace())  # none lies beyond


def is_text(s: pd.Series) -> bool:
    """Whether ``s`` holds Arrow strings (pyarrow-backed ``str``/``string`` or ``ArrowDtype`` string)."""
    if not ENABLED:
        return False
    dtype = s.dtype
    if isinstance(dtype, pd.ArrowDtype):
        return pa.types.is_string(dtype.pyarrow_dtype) or pa.types.is_large_string(dtype.pyarrow_dtype)
    return isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"


def text_array(s: pd.Series) -> pa.ChunkedArray:
    """The Arrow strings behind a Series for which :func:`is_text` holds."""
    arr = pa.array(s.array)
    return arr if isinstance(arr, pa.ChunkedArray) else pa.chunked_array([arr])


def text_series(arr: pa.ChunkedArray | pa.Array, index=None) -> pd.Series:
    """Arrow strings as a Series of ``ArrowDtype`` string (no copy)."""
    return pd.Series(pd.arrays.ArrowExtensionArray(arr), index=index, copy=False)


def release() -> None:
    """Hand back to the system the memory pyarrow's pool keeps after a large read (it keeps freed blocks)."""
    pa.default_memory_pool().release_unused()


def chunk_bytes(chunk: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The value offsets (``len + 1``) and the data bytes of a string array, as numpy views."""
    if not len(chunk):
        return np.zeros(1, np.int64), np.zeros(0, np.uint8)
    wide = pa.types.is_large_string(chunk.type)
    offsets = np.frombuffer(chunk.buffers()[1], np.int64 if wide else np.int32)
    data = chunk.buffers()[2]
    return (offsets[chunk.offset: chunk.offset + len(chunk) + 1],
            np.zeros(0, np.uint8) if data is None else np.frombuffer(data, np.uint8))


def take(arr: pa.ChunkedArray, positions: np.ndarray) -> pa.Array:
    """``arr[positions]`` (ascending positions), chunk by chunk: pyarrow's take would join the chunks first."""
    starts = np.cumsum([0] + [len(c) for c in arr.chunks])
    which = np.searchsorted(starts, positions, side="right") - 1
    pieces = [arr.chunk(k).take(pa.array(positions[which == k] - starts[k])) for k in np.unique(which)]
    return pa.concat_arrays(pieces) if pieces else pa.array([], arr.type)


def _head(data: bytes, start: int, name: str, sep, header_line, encoding: str = "utf-8"):
    """The layout of the file's head (sep, offset, notes, header fields) and the body's first byte; None to decline."""
    end = len(data) if len(data) - start <= _HEAD else data.rfind(b"\n", start, start + _HEAD) + 1
    if end <= start:
        return None
    try:
        text = data[start:end].decode(encoding)
        cut, lines, sep, sniffed, offset, notes = csv_layout(text, sep, name, header_line)
    except (UnicodeDecodeError, TransactionDataError):
        return None
    if end < len(data) and len(lines) + offset < _HEAD_LINES + (header_line or 0):
        return None
    if len(sep) != 1 or sep.isspace() and sep != "\t" or sep in "\"\r\n" or not sep.isascii():
        return None
    if not lines or not lines[0].strip() or CONTROL.search(lines[0]):
        return None  # a blank line before the header (the careful path counts it)
    with _no_field_limit():  # the header's record must end on its line
        records = list(csv.reader([lines[0], "\x01"], delimiter=sep))
    eol = _EOL.search(cut)
    if eol is None or cut[:eol.start()] != lines[0] or len(records) != 2 or records[1] != ["\x01"]:
        return None
    header = [h.strip() for h in records[0]]
    if len(set(header)) < len(header):
        return None
    body = start + len(text[:len(text) - len(cut) + eol.end()].encode(encoding))
    return sep, offset, notes, header, body


def _parse(body, sep: str, header: list[str], encoding: str = "utf-8") -> pa.Table | None:
    """The body (a file positioned after the header line, or a buffer) as Arrow strings; None if pyarrow refuses it."""
    names = [f"c{i}" for i in range(len(header))]
    try:
        return pacsv.read_csv(
            body, pacsv.ReadOptions(column_names=names, block_size=1 << 22, encoding=encoding),
            pacsv.ParseOptions(delimiter=sep, quote_char='"', double_quote=True, escape_char=False,
                               newlines_in_values=True, ignore_empty_lines=False),
            pacsv.ConvertOptions(column_types={c: pa.string() for c in names}, null_values=[],
                                 strings_can_be_null=False, quoted_strings_can_be_null=False, check_utf8=True))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None  # ragged rows, text that is not UTF-8, no rows: the careful path says which


def _plain_values(column: pa.ChunkedArray) -> bool:
    """No control character (tab aside; a line end, so no record spans lines), no line break Python sees."""
    wide = False
    for chunk in column.chunks:
        offsets, data = chunk_bytes(chunk)
        used = data[offsets[0]:offsets[-1]]
        if not used.size:
            continue
        if used.min() < 32 and np.any((used < 32) & (used != 9)) or used.max() >= 127 and np.any(used == 127):
            return False
        wide = wide or used.max() >= 128
    return not wide or not pc.any(pc.match_substring_regex(column, _PYTHON_BREAKS)).as_py()


def _same_as_careful(table: pa.Table, sep: str) -> bool:
    """Every value plain (:func:`_plain_values`), and no row the careful path takes for a blank line.

    A line of only spaces and tabs is blank to the careful path; pyarrow gives
    it as a row (tab-separated, or in a file of one column) or refuses it as
    ragged. A row of empty fields (``,,,``) is a row to both.
    """
    if (sep.isspace() or table.num_columns == 1) and _rows_where_all(
            table, lambda column: pc.equal(pc.utf8_trim(column, WHITESPACE), "")).any():
        return False
    return all(_plain_values(column) for column in table.columns)


def _rows_where_all(table: pa.Table, test) -> np.ndarray:
    """The rows where ``test`` (column -> booleans) holds in every column, columns tested while some row is left."""
    rows = test(table.column(0))
    for column in table.columns[1:]:
        if not pc.any(rows).as_py():
            break
        rows = pc.and_(rows, test(column))
    return np.asarray(rows.to_numpy(zero_copy_only=False), dtype=bool) if table.num_rows else np.zeros(0, bool)


def _empty_rows(table: pa.Table) -> np.ndarray:
    """Rows whose every value is empty: an empty line, or a line of empty fields (``,,,``)."""
    return _rows_where_all(table, lambda column: pc.equal(column, ""))


#: Bytes of the file scanned at a time for its line ends (when it has empty lines).
_SCAN_BYTES = 1 << 24


def blank_lines(data, start: int) -> tuple[np.ndarray, int]:
    """The empty lines of ``data[start:]`` (bytes, or a memory map of the file), and how many lines it has.

    Returns the 0-based numbers (from the line at ``start``) of the lines that
    are empty (nothing, or a lone ``\r`` before ``\n``), ascending, and the
    number of lines (a last line without a line end counts; -1, not counted,
    when no line is empty). The common file, with no empty line, is answered
    by two searches of its bytes; the others are scanned for their line ends.
    """
    first = bytes(data[start:start + 2])
    if data.find(b"\n\n", start) < 0 and data.find(b"\n\r\n", start) < 0 and \
            not first.startswith((b"\n", b"\r\n")):
        return np.zeros(0, np.int64), -1
    view = np.frombuffer(data, np.uint8)[start:]
    ends = np.concatenate([np.flatnonzero(view[at:at + _SCAN_BYTES] == 10) + at
                           for at in range(0, len(view), _SCAN_BYTES)] or [np.zeros(0, np.int64)])
    begins = np.concatenate([[0], ends[:-1] + 1]).astype(np.int64)
    size = ends - begins
    empty = (size == 0) | (size == 1) & (view[np.minimum(begins, max(len(view) - 1, 0))] == 13)
    lines = len(ends) + int(len(view) > 0 and view[-1] != 10)
    return np.flatnonzero(empty), lines


#: The bytes Windows cp1252 leaves undefined (text holding one is read as latin-1).
_CP1252_UNDEFINED = (0x81, 0x8D, 0x8F, 0x90, 0x9D)


def _chunks(data, start: int = 0, stop: int | None = None):
    """``data[start:stop]`` as numpy byte arrays of at most :data:`_SCAN_BYTES` each (views, no copy)."""
    view = np.frombuffer(data, np.uint8)
    stop = len(view) if stop is None else stop
    for at in range(start, stop, _SCAN_BYTES):
        yield view[at:min(stop, at + _SCAN_BYTES)]


def first_invalid_utf8(data, start: int = 0) -> int | None:
    """The position of the first byte of ``data[start:]`` that is not valid UTF-8, or None.

    Decoded a chunk at a time, each chunk ending before a continuation byte
    (``0b10xxxxxx``), so that no character is cut in two.
    """
    at, size = start, len(data)
    while at < size:
        end = min(size, at + _SCAN_BYTES)
        while end < size and end - at < _SCAN_BYTES + 4 and data[end] & 0xC0 == 0x80:
            end += 1
        try:
            bytes(data[at:end]).decode("utf-8")
        except UnicodeDecodeError as err:
            return at + err.start
        at = end
    return None


def legacy_encoding(data) -> tuple[str, str] | None:
    """(codec, note) the careful path reads ``data`` with when it is not UTF-8 (:func:`kamlab.data.reading._decode`:
    Windows cp1252, or latin-1 when a byte cp1252 leaves undefined occurs); None for UTF-8."""
    bad = first_invalid_utf8(data)
    if bad is None:
        return None
    line = 1 + sum(int(np.count_nonzero(chunk == 10)) for chunk in _chunks(data, 0, bad))
    undefined = np.array(_CP1252_UNDEFINED, dtype=np.uint8)
    cp1252, latin1 = LEGACY_ENCODINGS
    encoding, label = latin1 if any(np.isin(chunk, undefined).any() for chunk in _chunks(data)) else cp1252
    return encoding, legacy_note(bytes(data[bad:bad + 1]), line, label)


def _open(path: Path, name: str):
    """The file's first bytes, its notes, and its body from a given byte as a pyarrow stream; None if not text.

    A ``.gz`` file is decompressed in memory (by :func:`kamlab.data.filetypes.read_bytes`,
    which also raises what the careful path raises for a damaged one); a plain file is
    streamed. Anything but text is left to the careful path, which names what it is.
    """
    suffix = path.suffix.lower()
    if suffix == ".gz":
        data, kind, notes = read_bytes(path, name)
        if kind != "text":
            return None
        return data[:_HEAD + 8], notes, lambda at: pa.BufferReader(pa.py_buffer(data).slice(at)), \
            lambda scan, *args: scan(data, *args)
    with path.open("rb") as handle:
        first = handle.read(_HEAD + 8)
    if suffix in (".parquet", ".pq") or file_kind(first) != "text":
        return None

    def body(at: int):
        handle = pa.OSFile(str(path))
        handle.seek(at)
        return handle

    def scanned(scan, *args):  # scan(the file's bytes, mapped, *args)
        if path.stat().st_size == 0:  # nothing to map
            return scan(b"", *args)
        with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            return scan(data, *args)
    return first, [], body, scanned


def read_arrow(source, sep: str | None = None, encoding: str | None = None, source_name: str | None = None,
               header_line: int | None = None) -> Raw | None:
    """A plain CSV file as a :class:`Raw` table of Arrow strings, or None when the careful path must read it.

    Same strings, line numbers and notes as :func:`kamlab.data.reading.read_source`
    (see the module for what is declined); ``raw.controls`` is False (the
    values were checked). Errors that name the file (a damaged gzip file)
    are raised as the careful path raises them.
    """
    if not ENABLED or encoding is not None or not isinstance(source, (str, Path)) or not Path(source).is_file():
        return None
    path = Path(source)
    name = source_name or path.name
    opened = _open(path, name)
    if opened is None or opened[0].startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    first, notes, body, scanned = opened
    start = 3 if first.startswith(b"\xef\xbb\xbf") else 0
    head = _head(first, start, name, sep, header_line)
    table = None
    if head is not None:
        with body(head[-1]) as stream:
            table = _parse(stream, head[0], head[3])
    if table is None:  # text that is not UTF-8: read as the careful path reads it (or declined)
        legacy = None if start else scanned(legacy_encoding)
        if legacy is None:
            return None
        encoding, note = legacy
        head = _head(first, start, name, sep, header_line, encoding)
        if head is None:
            return None
        with body(head[-1]) as stream:
            table = _parse(stream, head[0], head[3], encoding)
        if table is None:
            return None
        notes = notes + [note]
    sep, offset, layout_notes, header, body_byte = head
    labels = np.arange(offset + 2, offset + 2 + table.num_rows, dtype=np.int64)
    if _empty_rows(table).any():  # an empty line is a row of empty values to pyarrow, and so is ",,,"
        empty, lines = scanned(blank_lines, body_byte)
        if len(empty):
            if lines != table.num_rows or not _empty_rows(table.take(pa.array(empty))).all():
                return None  # line ends pyarrow reads otherwise (a lone \r): the careful path counts them
            kept = np.ones(lines, dtype=bool)
            kept[empty] = False
            table, labels = table.filter(pa.array(kept)), labels[kept]
            layout_notes = layout_notes + [f"{plural(len(empty), 'blank line')} skipped"]
    if table.num_rows == 0 or not _same_as_careful(table, sep):
        return None
    frame = pd.DataFrame({h: text_series(column) for h, column in zip(header, table.columns)})
    release()
    notes = notes + (["UTF-8 byte-order mark removed"] if start else [])
    return Raw(frame, name, labels, ("line", "lines"), notes + layout_notes, controls=False)
