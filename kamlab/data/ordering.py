"""The contract order of a load's rows, and its exact duplicate rows found from that order.

The contract frame is sorted by customer id, then date, then input row. Ids
are factorised once (codes in the order of the sorted ids, i.e. Python's
string order; in one pass when the ids are already sorted), and the rows are
sorted on integers: not at all when the file
is already in that order, else by one stable sort of a combined key

    key = code * span + (date - first date) / unit

(``unit`` one second when every timestamp is a whole second, else one
nanosecond), or, when that key would overflow 64 bits, by a stable sort on
the two columns (``pyarrow.compute.sort_indices``).

Exact duplicates (identical in every input column) have the same id and
the same date, so they lie next to each other in that order: only the rows
sharing their id and date with a neighbour are compared in full.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .arrow import is_text, take, text_array, text_series

_NAT = np.iinfo(np.int64).min
_SECOND = 1_000_000_000


@dataclass(frozen=True)
class ContractOrder:
    """Input rows in contract order, and their id codes and dates (integers, by input row)."""

    rows: np.ndarray     # input row numbers sorted by customer id, date, row
    codes: np.ndarray    # per input row: position of its id among the sorted distinct ids
    dates: np.ndarray    # per input row: nanoseconds since 1970 (NaT as the smallest int64)
    n_ids: int           # distinct ids
    in_place: bool       # the rows were in contract order already (rows = 0, 1, 2, ...)


def _date_key(dates: np.ndarray) -> tuple[np.ndarray, int]:
    """Dates as small non-negative integers in the same order (NaT last), and their span.

    Dates more than 2**62 ns (146 years) apart keep their nanoseconds (span 2**63).
    """
    nat = dates == _NAT
    known = dates[~nat]
    if not len(known):
        return np.zeros(len(dates), np.int64), 1
    low = known.min()
    if int(known.max()) - int(low) >= 2 ** 62:
        return dates, 2 ** 63
    unit = _SECOND if not np.any((known - low) % _SECOND) else 1
    span = int((known.max() - low) // unit) + 2
    return np.where(nat, span - 1, (dates - low) // unit), span


def _id_codes(ids: pd.Series) -> tuple[np.ndarray, int]:
    """Per row, the position of its id among the sorted distinct ids; and how many there are."""
    if is_text(ids) and len(ids) > 1:  # ids already in order (an export sorted by customer): one pass
        arr = text_array(ids)
        head, tail = arr.slice(0, len(arr) - 1), arr.slice(1)
        if arr.null_count == 0 and pc.all(pc.greater_equal(tail, head)).as_py():
            codes = np.zeros(len(arr), np.int64)
            codes[1:] = pc.not_equal(tail, head).to_numpy(zero_copy_only=False)  # 1 where a new id starts
            np.cumsum(codes, out=codes)
            return codes, int(codes[-1]) + 1
    codes, distinct = pd.factorize(ids, sort=True)
    return codes.astype(np.int64), len(distinct)


def contract_order(ids: pd.Series, dates: np.ndarray) -> ContractOrder:
    """The rows sorted by ``ids`` (strings), then ``dates`` (datetime64[ns]), then position (a stable sort)."""
    codes, n_ids = _id_codes(ids)
    stamps = np.asarray(dates, dtype="datetime64[ns]").view(np.int64)
    n = len(codes)
    if n < 2 or np.all((codes[1:] > codes[:-1]) | ((codes[1:] == codes[:-1]) & (stamps[1:] >= stamps[:-1]))
                       ) and not np.any(stamps == _NAT):
        return ContractOrder(np.arange(n), codes, stamps, n_ids, True)
    key, span = _date_key(stamps)
    if (n_ids + 1) * span < 2 ** 62:
        rows = np.argsort(codes * span + key, kind="stable")
    else:
        table = pa.table({"code": codes, "date": key})
        rows = pc.sort_indices(table, sort_keys=[("code", "ascending"), ("date", "ascending")]).to_numpy()
    return ContractOrder(np.asarray(rows, dtype=np.int64), codes, stamps, n_ids, False)


def _rows(frame: pd.DataFrame, at: np.ndarray) -> pd.DataFrame:
    """``frame.iloc[at]`` (ascending ``at``), Arrow text taken chunk by chunk."""
    if not frame.columns.is_unique or not all(is_text(frame[c]) for c in frame.columns):
        return frame.iloc[at]
    return pd.DataFrame({c: text_series(take(text_array(frame[c]), at), index=at) for c in frame.columns})


def duplicated_rows(frame: pd.DataFrame, order: ContractOrder) -> np.ndarray:
    """``frame.duplicated(keep="first")`` as a mask, comparing in full only rows that share id and date.

    ``order`` is the contract order of the rows of ``frame`` (same positions).
    Equal rows have equal ids and dates, so a duplicate and its first copy
    are both among the rows whose id and date repeat, and ``duplicated`` on
    those rows alone gives the answer for all.
    """
    codes, stamps = order.codes, order.dates
    if not order.in_place:
        codes, stamps = codes[order.rows], stamps[order.rows]
    same = (codes[1:] == codes[:-1]) & (stamps[1:] == stamps[:-1])
    dup = np.zeros(len(frame), bool)
    if not same.any():
        return dup
    shared = np.zeros(len(frame), bool)
    shared[1:] = same
    shared[:-1] |= same
    compare = np.zeros(len(frame), bool)
    compare[order.rows[shared]] = True
    dup[compare] = _rows(frame, np.flatnonzero(compare)).duplicated(keep="first").to_numpy()
    return dup
