"""Tables for readers: numbers formatted as a report shows them, missing values as a dash.

Used by the notebooks and reports so that no table shows NaN, inf or an
unformatted number (issue 14, "prose that reads like prose").
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def readable(frame: pd.DataFrame, *, counts: tuple[str, ...] = (), money: tuple[str, ...] = (),
             shares: tuple[str, ...] = (), decimals: dict[str, int] | None = None,
             index_name: str | None = None, default_decimals: int = 2) -> pd.DataFrame:
    """A table of text for a report: ``counts`` as "1,450", ``money`` as "20,321,689" (whole currency
    units), ``shares`` as "29.6%", other numeric columns with ``decimals`` places (default
    ``default_decimals``) and thousands separators; text columns as they are; a missing or
    infinite value is "—"; column names with spaces instead of underscores."""
    decimals = decimals or {}

    def cell(column: str, value) -> str:
        if isinstance(value, str):
            return value
        if value is None or value is pd.NA:
            return "—"
        value = float(value)
        if not np.isfinite(value):
            return "—"
        if column in counts:
            return f"{value:,.0f}"
        if column in money:
            return f"{value:,.0f}"
        if column in shares:
            return f"{value:.1%}"
        return f"{value:,.{decimals.get(column, default_decimals)}f}"

    out = pd.DataFrame({c.replace("_", " "): [cell(c, v) for v in frame[c]] for c in frame.columns},
                       index=pd.Index(frame.index.astype(str), name=index_name or frame.index.name))
    return out


def words(items, *, empty: str = "none", conjunction: str = "and") -> str:
    """A list as words in a sentence: ``["a"]`` -> "a", ``["a", "b", "c"]`` -> "a, b and c"; none -> ``empty``."""
    items = [str(i) for i in items]
    if not items:
        return empty
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def number(value, decimals: int = 0, *, missing: str = "—") -> str:
    """A number for a sentence: ``20321689.04`` -> "20,321,689" (``decimals`` places, thousands
    separators); a missing or infinite value -> ``missing`` (e.g. "not reached")."""
    if value is None or value is pd.NA or not np.isfinite(float(value)):
        return missing
    return f"{float(value):,.{decimals}f}"


def percent(share, decimals: int = 1, *, missing: str = "—", sign: bool = False) -> str:
    """A share for a sentence: ``0.2963`` -> "29.6%" (``sign=True``: "+29.6%"); missing or infinite -> ``missing``."""
    if share is None or share is pd.NA or not np.isfinite(float(share)):
        return missing
    return f"{float(share):{'+' if sign else ''}.{decimals}%}"
