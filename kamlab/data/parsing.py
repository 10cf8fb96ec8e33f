"""Parsing text into values: numbers, dates and customer ids.

- Numbers: thousands separators (the other mark, spaces, apostrophes) and
  currency signs are removed; ``(12.50)`` and ``12.50-`` read as -12.50; the
  decimal mark (``12.50`` or ``12,50``) is detected per file when not given.
- Dates: ISO 8601 (with or without a time and a UTC offset), ``YYYYMMDD``, or
  ``01/02/1997``-style (day or month first, detected once per file); timestamps
  with a time zone are converted to UTC and the zone dropped.
- Ids: stripped strings; empty means missing, and so do the placeholders
  exports write for "no value" (:data:`MISSING_ID_MARKERS`, case-insensitive).
- Control characters (NUL bytes and the like) are never parsed away: a value
  holding one is reported (:func:`control_characters`), so ``'11\\0.50'``
  cannot become 11.0 and ids ``'A\\0001'`` and ``'A\\0002'`` cannot merge.

Each parser returns the values and masks of the rows it could not read, never
raising: the loader words the problems (see :mod:`kamlab.data.transactions`).
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .messages import is_missing, plural

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




def as_text(s: pd.Series) -> pd.Series:
    """Values as stripped strings, '' for missing; dates in ISO form, whole floats without '.0'."""
    if pd.api.types.infer_dtype(s, skipna=True) in ("string", "empty"):
        return s.fillna("").astype(object).str.strip()

    def one(v):
        if is_missing(v):
            return ""
        if isinstance(v, str):
            return v.strip()
        if hasattr(v, "isoformat"):
            return v.isoformat()
        if isinstance(v, (float, np.floating)) and float(v).is_integer():
            return str(int(v))
        return str(v)
    return s.map(one).astype(object)


def sniff_decimal(columns: list[pd.Series]) -> str:
    """',' when the numeric text columns use decimal commas, else '.' (from up to 2,000 distinct values each)."""
    dot = comma = 0
    for s in columns:
        if pd.api.types.is_numeric_dtype(s):
            continue
        text = _clean_number_text(as_text(s.drop_duplicates().head(2000)))
        dot += int(text.str.match(_STRONG_DOT).sum())
        comma += int(text.str.match(_STRONG_COMMA).sum())
    return "," if comma > dot else "."


_PANDAS_MAJOR = int(pd.__version__.split(".")[0])


def _correctly_rounded(plain: pd.Series) -> pd.Series:
    """Plain decimal strings (or NaN) as the nearest floats, as Python's ``float`` reads them.

    ``pd.to_numeric`` is correctly rounded from pandas 3; pandas 2 reads some
    values one unit in the last place off (``0.30000000000000004`` as 0.3).
    """
    try:
        return plain.astype(float)
    except (TypeError, ValueError):  # not expected after the pattern check; the lenient reader then
        return pd.to_numeric(plain, errors="coerce")


def _parse_number_text(text: pd.Series, decimal: str) -> np.ndarray:
    """Number strings with thousands separators, currency signs, decimal commas -> floats (NaN if not a number)."""
    text = _clean_number_text(text)
    pattern, thousands = (_NUM_COMMA, ".") if decimal == "," else (_NUM_DOT, ",")
    ok = text.str.match(pattern) & text.str.contains(r"\d")
    plain = text.where(ok, "").str.replace(thousands, "", regex=False)
    if decimal == ",":
        plain = plain.str.replace(",", ".", regex=False)
    parsed = _correctly_rounded(plain.where(ok))
    if decimal == ".":  # scientific notation and other forms Python reads
        rest = ~ok & (text != "")
        parsed = parsed.where(~rest, pd.to_numeric(text.where(rest), errors="coerce"))
    return parsed.to_numpy(dtype=float)


def parse_numbers(s: pd.Series, decimal: str) -> tuple[np.ndarray, np.ndarray]:
    """Values as floats and a mask of values that are missing or not numbers."""
    if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
        values = s.to_numpy(dtype=float, na_value=np.nan, copy=True)  # writable (pandas 3 copy-on-write)
        return values, ~np.isfinite(values)
    text = as_text(s)
    if decimal == ".":  # fast path: plain numbers
        values = pd.to_numeric(text.where(text != ""), errors="coerce").to_numpy(dtype=float, copy=True)
        if _PANDAS_MAJOR < 3:  # pandas 2's reader is a unit in the last place off for some values
            read = np.isfinite(values)
            values[read] = _correctly_rounded(text[read]).to_numpy(dtype=float)
        slow = ~np.isfinite(values) & (text != "").to_numpy()
    else:
        values, slow = np.full(len(s), np.nan), (text != "").to_numpy()
    if slow.any():
        values[slow] = _parse_number_text(text[slow], decimal)
    return values, ~np.isfinite(values)


_TZ = re.compile(r"\d:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)$", re.IGNORECASE)
_NUMERIC_DATE = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?=$|[T ])(.*)$")


@dataclass
class Dates:
    values: pd.Series           # datetime64[ns], naive; NaT where bad
    bad: np.ndarray             # missing or unparseable
    tz_converted: np.ndarray    # carried a time zone, converted to UTC
    notes: list[str]
    hint: str


def has_zone(text: pd.Series) -> np.ndarray:
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
        notes.append(f"{plural(int(m.sum()), 'date')} written like 01/02/1997 read as {order} ({why})")
        month_n, day_n = (second, first) if dayfirst else (first, second)
        if (m & (month_n > 12) & (day_n <= 12)).any():
            hint = f"; they look {'month' if dayfirst else 'day'}-first: pass dayfirst={not dayfirst}"
    parsed = pd.to_datetime(iso.where(m), format="ISO8601", errors="coerce", utc=True)
    other = ~m & ~text.str.fullmatch(r"[\d.]+")
    if other.any():
        parsed[other] = pd.to_datetime(text[other], format="mixed", dayfirst=dayfirst, errors="coerce", utc=True)
    return parsed, notes, hint


#: ``date_format`` of dates written as spreadsheet serial days (Excel's and LibreOffice's 1900 date system).
EXCEL_DATES = "excel"
#: Day 0 of that system: serial 1 is 1900-01-01 once Excel's phantom 29 February 1900 is allowed for.
_SERIAL_EPOCH = pd.Timestamp("1899-12-30", tz="UTC")


def serial_days(text: pd.Series) -> pd.Series:
    """Spreadsheet serial days -> UTC timestamps (NaT where not a number): day 0 = 1899-12-30, the
    fraction the time of day, to the microsecond (Excel's 1900 date system, serials from 61 on, i.e.
    from 1900-03-01; the LibreOffice default)."""
    days = pd.to_numeric(text.where(text.str.fullmatch(r"\d+(\.\d+)?"), None), errors="coerce")
    micros = (days.to_numpy(dtype=float) * 86_400e6).round()
    valid = np.isfinite(micros) & (micros < 2_958_466 * 86_400e6)  # up to 9999-12-31
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns, UTC]")
    out[valid] = _SERIAL_EPOCH + pd.to_timedelta(micros[valid].astype(np.int64), unit="us")
    return out


def parse_date_text(text: pd.Series, zone: np.ndarray, dayfirst: bool | None,
                    date_format: str | None) -> tuple[pd.Series, list[str], str]:
    """Stripped date text -> UTC timestamps (NaT where unreadable), the notes and the hint of the day-month step.

    ``zone`` marks the values carrying a UTC offset (:func:`has_zone`). Values
    may be any subset of a column's: each is read on its own, except that
    day-first or month-first is detected from all the ``01/02/1997``-style
    values given.
    """
    notes, hint = [], ""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if date_format == EXCEL_DATES:
            return serial_days(text), [f"dates read as spreadsheet serial days (date_format='{EXCEL_DATES}')"], (
                f"; with date_format='{EXCEL_DATES}' a date is a serial day number (e.g. 41316): correct them, or "
                "pass bad_rows='drop'")
        if date_format is not None:
            return pd.to_datetime(text, format=date_format, errors="coerce", utc=True), notes, hint
        # ISO 8601 (also YYYYMMDD and YYYY/MM/DD), then the rest
        parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns, UTC]")
        # zoned and naive values apart: pandas would apply one value's offset to the others
        # (utc=True converts each offset to UTC and takes naive values as UTC)
        for part in (zone, ~zone):
            if part.any():
                parsed[part] = pd.to_datetime(text[part], format="ISO8601", errors="coerce", utc=True)
        rest = (parsed.isna() & (text != "")).to_numpy()
        if rest.any():
            parsed[rest], notes, hint = _parse_day_month_dates(text[rest], dayfirst)
    return parsed, notes, hint


def bad_dates_hint(shown: pd.Series) -> str:
    """The fix named after unreadable dates, from the non-empty ones (``shown``)."""
    if shown.str.fullmatch(r"\d{4,6}(\.\d+)?").any():
        return (f"; numbers like these may be spreadsheet serial days: pass date_format='{EXCEL_DATES}' to read "
                "them so (day 0 = 1899-12-30), or export dates as text")
    if len(shown) and (shown.str.match(_NUMERIC_DATE) | shown.str.match(r"^\d{4}-\d{1,2}-\d{1,2}")).all():
        return "; they are written like dates but name no real day (e.g. 31 February): correct them"
    return "; set date_format= (e.g. '%d.%m.%Y %H:%M') to say how dates are written"


def zone_note(zone: np.ndarray, bad: np.ndarray) -> list[str]:
    """The note when some timestamps carry a time zone and others, read as UTC, do not."""
    if zone.any() and (~zone & ~bad).any():
        return [f"{plural(int((~zone & ~bad).sum()), 'timestamp')} without a time zone taken as UTC, "
                "because others in the file carry one"]
    return []


def parse_dates(s: pd.Series, dayfirst: bool | None, date_format: str | None) -> Dates:
    """Parse a date column; see :func:`load_transactions` for the forms read."""
    n = len(s)
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        values = s.dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[ns]")
        return Dates(values, values.isna().to_numpy(), s.notna().to_numpy(), [], "")
    if pd.api.types.is_datetime64_dtype(s):
        values = s.astype("datetime64[ns]")
        return Dates(values, values.isna().to_numpy(), np.zeros(n, bool), [], "")
    text = as_text(s)
    zone = has_zone(text)
    parsed, notes, hint = parse_date_text(text, zone, dayfirst, date_format)
    values = parsed.dt.tz_localize(None).astype("datetime64[ns]")
    bad = values.isna().to_numpy()
    if not hint and bad.any():
        hint = bad_dates_hint(text[bad][text[bad] != ""])
    return Dates(values, bad, zone & ~bad, notes + zone_note(zone, bad), hint)


def parse_ids(s: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Customer ids as stripped strings; masks of missing ids and of ids that had spaces trimmed."""
    if pd.api.types.is_float_dtype(s):
        text = as_text(s)
        return text, (text == "").to_numpy(), np.zeros(len(s), bool)
    if pd.api.types.infer_dtype(s, skipna=True) in ("string", "empty"):
        text = s.fillna("").astype(object)
    else:
        text = s.map(lambda v: "" if is_missing(v) else str(v))
    stripped = text.str.strip()
    trimmed = ((stripped != text) & (stripped != "")).to_numpy()
    return stripped.astype(object), (stripped == "").to_numpy(), trimmed


#: What exports write for a missing value (matched after trimming, case-insensitive).
MISSING_ID_MARKERS = ("NULL", "NA", "N/A", "#N/A", "NaN", "None", "-", "(null)", "#NULL!")

# C0 controls and DEL, except tab, line feed and carriage return.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def placeholder_ids(ids: pd.Series, markers) -> np.ndarray:
    """Mask of ids (already stripped) that equal one of ``markers``, ignoring case."""
    wanted = {str(m).strip().casefold() for m in markers} - {""}
    if not wanted:
        return np.zeros(len(ids), bool)
    return ids.astype(object).str.casefold().isin(wanted).to_numpy(dtype=bool)


def control_characters(s: pd.Series) -> np.ndarray:
    """Mask of text values holding a control character (NUL byte, bell, escape, ...; not tab or newline)."""
    if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_datetime64_any_dtype(s) or \
            isinstance(s.dtype, pd.DatetimeTZDtype) or pd.api.types.is_bool_dtype(s):
        return np.zeros(len(s), bool)
    try:
        found = s.astype(object).str.contains(CONTROL, na=False)
    except AttributeError:  # no strings at all
        return np.zeros(len(s), bool)
    return found.to_numpy(dtype=bool, na_value=False)
