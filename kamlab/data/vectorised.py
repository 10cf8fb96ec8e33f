"""Vectorised parsing of Arrow text columns: the fast counterparts of :mod:`kamlab.data.parsing`.

Each function here returns exactly what its namesake in :mod:`kamlab.data.parsing`
returns for the same values held as Python strings, and calls that namesake
itself for anything other than Arrow text (:func:`kamlab.data.arrow.is_text`).
On Arrow text the kernels of ``pyarrow.compute`` settle the common values, and
the rest (a currency sign, a thousands separator, ``01/02/1997``, a time zone,
anything a kernel does not read) goes through the careful function, on those
values only, so that its rules stay the only rules:

- trimming: ``utf8_trim`` with every character ``str.strip()`` removes;
- numbers: decimals cast to float64 by Arrow, which reads them to the same
  bit as pandas' reader does; exponents (which pandas reads otherwise),
  infinities and values the cast refuses go the careful way, and a column
  with a negative zero goes the careful way whole (pandas reads ``-0`` as
  0.0 in a column of integers and as -0.0 next to decimals);
- dates: the ISO 8601 forms Arrow's timestamp cast reads (``2021-08-21``,
  ``2021-08-21 11:47:03.5``; never a time zone), which pandas' ISO 8601 reader
  reads to the same nanosecond; the rest, day-first detection included (from
  all the values of that form, as before), goes the careful way;
- placeholder ids: ASCII ids lower-cased by Arrow (``casefold`` of ASCII),
  others case-folded by Python.

Casts run on blocks of :data:`_BLOCK` values; a cast that fails on a block
is retried on halves of it, down to :data:`_LEAF` values, where only values
of the plain form are cast, so that one bad value sends only itself to the
careful path.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import parsing
from .arrow import WHITESPACE, chunk_bytes, is_text, take, text_array, text_series
from .parsing import Dates

_BLOCK, _LEAF = 1 << 16, 1 << 10
_DECIMAL_DOT = r"^[+-]?(\d+\.?\d*|\.\d+)$"
_DECIMAL_COMMA = r"^[+-]?\d+(,\d+)?$"
_ISO = r"^\d{4}-\d{2}-\d{2}([ T]\d{2}(:\d{2}(:\d{2}(\.\d{1,9})?)?)?)?$"
_CONTROL = "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]"   # parsing.CONTROL, for RE2


def _mask(values) -> np.ndarray:
    """A boolean Arrow array as a numpy mask (null -> False)."""
    if values.null_count:
        values = pc.fill_null(values, False)
    return np.asarray(values.to_numpy(zero_copy_only=False), dtype=bool)


def _lengths(arr: pa.ChunkedArray) -> np.ndarray:
    """Bytes per value (from the offsets; 0 for missing values)."""
    parts = [np.diff(chunk_bytes(chunk)[0]) for chunk in arr.chunks]
    return np.concatenate(parts) if parts else np.zeros(0, np.int64)


def _byte_range(arr: pa.ChunkedArray) -> tuple[int, int]:
    """The smallest and largest byte of the values' text ((255, 0) for no text)."""
    low, high = 255, 0
    for chunk in arr.chunks:
        offsets, data = chunk_bytes(chunk)
        used = data[offsets[0]:offsets[-1]]
        if used.size:
            low, high = min(low, int(used.min())), max(high, int(used.max()))
    return low, high


def _holds_byte(arr: pa.ChunkedArray, *values: int) -> bool:
    """Whether any value's text holds one of the bytes ``values``."""
    for chunk in arr.chunks:
        offsets, data = chunk_bytes(chunk)
        used = data[offsets[0]:offsets[-1]]
        if any(np.any(used == v) for v in values):
            return True
    return False


def _numpy(arr: pa.ChunkedArray, dtype) -> np.ndarray:
    """A writable numpy copy of numbers or timestamps (nulls as NaN or NaT), copied once at most."""
    values = arr.to_numpy(zero_copy_only=False)
    return values if values.flags.writeable and values.dtype == dtype else np.array(values, dtype=dtype)


def _filled(s: pd.Series) -> pa.ChunkedArray:
    arr = text_array(s)
    return pc.fill_null(arr, "") if arr.null_count else arr


def _strip(arr: pa.ChunkedArray) -> pa.ChunkedArray:
    """``str.strip()`` of every value; ``arr`` itself (no copy) when no value starts or ends with a space.

    A value's first and last bytes tell: a space or another ASCII whitespace
    is at most 32, and a non-ASCII character starts and ends with bytes from 128.
    """
    if arr.null_count:
        return pc.utf8_trim(arr, WHITESPACE)
    low, high = _byte_range(arr)
    if low > 32 and high < 128:  # no space, no non-ASCII character anywhere
        return arr
    for chunk in arr.chunks:
        offsets, data = chunk_bytes(chunk)
        if not data.size:
            continue
        firsts = data[np.minimum(offsets[:-1], data.size - 1)]
        lasts = data[np.maximum(offsets[1:] - 1, 0)]
        if np.any((firsts <= 32) | (firsts >= 128)) or np.any((lasts <= 32) | (lasts >= 128)):
            return pc.utf8_trim(arr, WHITESPACE)
    return arr


def _subset(arr: pa.ChunkedArray, mask: np.ndarray) -> pd.Series:
    """The strings at ``mask`` as Python strings, indexed by position (the careful functions' input)."""
    at = np.flatnonzero(mask)
    return pd.Series(np.array(take(arr, at).to_pylist(), dtype=object), index=at, dtype=object)


def _cast_block(block: pa.Array, to: pa.DataType, pattern: str) -> pa.Array:
    try:
        return pc.cast(block, to)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    if len(block) > _LEAF:
        half = len(block) // 2
        return pa.concat_arrays([_cast_block(block.slice(0, half), to, pattern),
                                 _cast_block(block.slice(half), to, pattern)])
    try:  # a small block: cast the values of the plain form, leave the rest null
        return pc.cast(pc.if_else(pc.match_substring_regex(block, pattern), block, pa.scalar(None, block.type)), to)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return pa.nulls(len(block), to)


def _cast(text: pa.ChunkedArray, empty: np.ndarray, to: pa.DataType, pattern: str) -> pa.ChunkedArray:
    """``text`` cast to ``to``; null where empty or where the cast fails."""
    if empty.any():
        text = pc.if_else(pa.array(empty), pa.scalar(None, text.type), text)
    blocks = [chunk.slice(start, _BLOCK) for chunk in text.chunks for start in range(0, len(chunk), _BLOCK)]
    return pa.chunked_array([_cast_block(block, to, pattern) for block in blocks], type=to)


def parse_ids(s: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """:func:`kamlab.data.parsing.parse_ids`; Arrow text stays Arrow text."""
    if not is_text(s):
        return parsing.parse_ids(s)
    text = _filled(s)
    stripped = _strip(text)
    empty = _lengths(stripped) == 0
    trimmed = np.zeros(len(s), bool) if stripped is text else _mask(pc.not_equal(stripped, text)) & ~empty
    return text_series(stripped, s.index), empty, trimmed


def placeholder_ids(ids: pd.Series, markers) -> np.ndarray:
    """:func:`kamlab.data.parsing.placeholder_ids`."""
    wanted = {str(m).strip().casefold() for m in markers} - {""}
    if not is_text(ids) or not wanted:
        return parsing.placeholder_ids(ids, markers)
    text = _filled(ids)
    ascii_ = np.ones(len(ids), bool) if _byte_range(text)[1] < 128 else _mask(pc.string_is_ascii(text))
    longest = max(len(w.encode()) for w in wanted)  # an ASCII id keeps its length when case-folded
    short = np.flatnonzero(ascii_ & (_lengths(text) <= longest))
    found = np.zeros(len(ids), bool)
    if len(short):
        lowered = pc.ascii_lower(take(text, short))
        found[short] = _mask(pc.is_in(lowered, value_set=pa.array(sorted(wanted), text.type)))
    if not ascii_.all():
        found[~ascii_] = _subset(text, ~ascii_).str.casefold().isin(wanted).to_numpy(dtype=bool)
    return found


def control_characters(s: pd.Series) -> np.ndarray:
    """:func:`kamlab.data.parsing.control_characters`."""
    if not is_text(s):
        return parsing.control_characters(s)
    return _mask(pc.match_substring_regex(text_array(s), _CONTROL))


def first_distinct(s: pd.Series, k: int = 2000) -> pd.Series:
    """``s.drop_duplicates().head(k)`` for Arrow text, as Python strings (None for missing)."""
    arr, m = text_array(s), 4 * k
    while True:
        unique = pc.unique(arr.slice(0, m))
        if len(unique) >= k or m >= len(arr):
            return pd.Series(unique.slice(0, k).to_pylist(), dtype=object)
        m *= 4


def sniff_decimal(columns: list[pd.Series]) -> str:
    """:func:`kamlab.data.parsing.sniff_decimal` (which looks at the first 2,000 distinct values of each column)."""
    return parsing.sniff_decimal([first_distinct(c) if is_text(c) else c for c in columns])


def parse_numbers(s: pd.Series, decimal: str) -> tuple[np.ndarray, np.ndarray]:
    """:func:`kamlab.data.parsing.parse_numbers`."""
    if not is_text(s):
        return parsing.parse_numbers(s, decimal)
    text = _strip(_filled(s))
    empty = _lengths(text) == 0
    if decimal == ".":
        cast = _cast(text, empty, pa.float64(), _DECIMAL_DOT)
    else:
        plain = pc.if_else(pc.match_substring_regex(text, _DECIMAL_COMMA), text, pa.scalar(None, text.type))
        cast = _cast(pc.replace_substring(plain, ",", "."), empty, pa.float64(), _DECIMAL_DOT)
    values = _numpy(cast, np.dtype(float))
    if np.any((values == 0) & np.signbit(values)):  # pandas reads "-0" as 0 or -0 by the rest of the column
        return parsing.parse_numbers(s, decimal)
    ok = np.isfinite(values)
    if decimal == "." and ok.any() and _holds_byte(text, ord("e"), ord("E")):
        ok &= ~_mask(pc.or_(pc.match_substring(text, "e"), pc.match_substring(text, "E")))
    values[~ok] = np.nan
    careful = ~ok & ~empty
    if careful.any():
        values[careful] = parsing.parse_numbers(_subset(text, careful), decimal)[0]
    return values, ~np.isfinite(values)


def parse_dates(s: pd.Series, dayfirst: bool | None, date_format: str | None) -> Dates:
    """:func:`kamlab.data.parsing.parse_dates`."""
    if not is_text(s) or date_format is not None:
        return parsing.parse_dates(s, dayfirst, date_format)
    text = _strip(_filled(s))
    empty = _lengths(text) == 0
    values = _numpy(_cast(text, empty, pa.timestamp("ns"), _ISO), np.dtype("datetime64[ns]"))
    careful = np.isnat(values) & ~empty
    zone, notes, hint, shown = np.zeros(len(s), bool), [], "", None
    if careful.any():
        shown = _subset(text, careful)
        zone[careful] = parsing.has_zone(shown)
        parsed, notes, hint = parsing.parse_date_text(shown, zone[careful], dayfirst, None)
        values[careful] = parsed.dt.tz_localize(None).astype("datetime64[ns]").to_numpy()
    bad = np.isnat(values)
    if not hint and bad.any():
        hint = parsing.bad_dates_hint(shown[bad[careful]] if shown is not None else pd.Series([], dtype=object))
    out = pd.Series(values, index=s.index, dtype="datetime64[ns]")
    return Dates(out, bad, zone & ~bad, notes + parsing.zone_note(zone, bad), hint)


def contract_ids(ids: pd.Series):
    """The ids as the contract frame holds them: what pandas makes of Python strings.

    That is ``str`` on pandas 3 (Arrow strings, taken without a copy of the values) and object before.
    """
    target = pd.DataFrame({"id": np.array(["A"], dtype=object)})["id"].dtype
    if not is_text(ids) or target == object:
        return ids.to_numpy(dtype=object)
    return ids.astype(target).array

