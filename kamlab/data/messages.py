"""How problems are worded: plurals, row lists and shown values.

Every message of the loader names the offending rows the same way: the first
five (``SHOWN``), runs of consecutive line numbers compressed (``3, 7-9``), then
"and N more"; values are shown as read, cut at 30 characters.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def is_missing(v) -> bool:
    """None, NaN, NaT or pd.NA (a scalar that pandas counts as missing)."""
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):  # list-like values
        return False


def plural(n: int, one: str, many: str | None = None) -> str:
    """'1 line' / '3 lines' (``many`` for irregular plurals)."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def is_not(n: int, one: str, many: str) -> str:
    """'1 value is not a date' / '3 values are not dates'."""
    return f"{plural(n, 'value')} {'is not ' + one if n == 1 else 'are not ' + many}"


def compress(labels: list) -> str:
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


def show_value(v) -> object:
    """A value as shown in a message: '' for missing, strings cut at 30 characters."""
    if isinstance(v, np.generic):
        v = v.item()
    if is_missing(v):
        return ""
    if isinstance(v, str):
        return v if len(v) <= 30 else v[:27] + "..."
    return v


#: The encodings text that is not UTF-8 is read with, in this order, and their names in the note.
LEGACY_ENCODINGS = (("cp1252", "Windows cp1252"), ("latin-1", "latin-1"))


def legacy_note(byte: bytes, line: int, label: str) -> str:
    """The note of text read in a legacy encoding: the first byte that is not UTF-8, its line, the encoding."""
    return f"not valid UTF-8 (byte 0x{byte.hex()} on line {line}); read as {label}, pass encoding= if names look wrong"
