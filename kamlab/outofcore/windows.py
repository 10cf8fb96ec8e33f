"""The default windows of a file too large to load, from a table of its days.

:func:`kamlab.data.default_windows` takes the bulk of a file's dates between
Tukey's far-out fences on the quartiles (Tukey 1977; see
:mod:`kamlab.data.outliers`):

    low  = floor_day(Q1 - 3 * max(Q3 - Q1, 30 days))
    high = floor_day(Q3 + 3 * max(Q3 - Q1, 30 days))
    observation_end = last day with a purchase in [low, high] and not after today
    calibration_end = the day halfway between the first and that last day

Here the same numbers come from what an engine (DuckDB, Spark) computes
without bringing the rows here: the purchases and revenue of every day (one
row per day) and, for the few days holding the order statistics of the
quartiles, the number of purchases at each instant. The quartiles are then
exact: with n dates sorted, x_(0) <= ... <= x_(n-1), pandas' linear
quantile is

    Q(q) = x_(j) + g * (x_(j+1) - x_(j)),   j = floor((n - 1) q),  g = (n - 1) q - j

and the same two order statistics through pandas' own ``Series.quantile``
(of the two values at level g) give it to the nanosecond, so the fences,
and the windows, are those of the pandas path on the same file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from kamlab.data.outliers import FENCE, MIN_WIDTH

ONE_DAY = pd.Timedelta(days=1)


@dataclass(frozen=True)
class FileWindows:
    """The windows of a study of one file, and what its days say about them.

    Attributes
    ----------
    calibration_end, observation_end : Timestamp
        Last day of the calibration window and of the holdout (inclusive, midnight).
    first_date, last_date : Timestamp
        First and last purchase instant in the file.
    rows : int
        Purchases (rows with a date) in the file.
    revenue : float
        Their total amount (currency units).
    notes : tuple of str
        The windows with the revenue in each, and the rows outside them,
        worded as :func:`kamlab.data.default_windows` words them.
    """

    calibration_end: pd.Timestamp
    observation_end: pd.Timestamp
    first_date: pd.Timestamp
    last_date: pd.Timestamp
    rows: int
    revenue: float
    notes: tuple[str, ...]


def _order_statistics(days: pd.DataFrame, positions: Sequence[int],
                      instants: Callable[[list[pd.Timestamp]], pd.DataFrame]) -> dict[int, pd.Timestamp]:
    """The dates at 0-based ``positions`` of the sorted dates, from the day table and the instants of a few days."""
    ends = days["rows"].to_numpy(dtype=np.int64).cumsum()
    where = {p: int(np.searchsorted(ends, p, side="right")) for p in positions}
    wanted = sorted({days.index[i] for i in where.values()})
    found = instants(wanted)
    stamps = pd.DatetimeIndex(found["ts"]).as_unit("ns")
    out = {}
    for position, i in where.items():
        before = int(ends[i - 1]) if i else 0
        in_day = np.asarray((stamps >= days.index[i]) & (stamps < days.index[i] + ONE_DAY))
        order = np.argsort(stamps[in_day].asi8, kind="stable")
        counts = found["n"].to_numpy(dtype=np.int64)[in_day][order].cumsum()
        out[position] = stamps[in_day][order][int(np.searchsorted(counts, position - before, side="right"))]
    return out


def _quartiles(days: pd.DataFrame, instants) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Q1 and Q3 of the dates, exactly as pandas' ``Series.quantile`` gives them (module docstring)."""
    n = int(days["rows"].sum())
    levels = {}
    for q in (0.25, 0.75):
        virtual = (n - 1) * q
        j = int(np.floor(virtual))
        levels[q] = (j, min(j + 1, n - 1), virtual - j)
    stats = _order_statistics(days, sorted({p for j, k, _ in levels.values() for p in (j, k)}), instants)
    q1, q3 = (pd.Series(pd.DatetimeIndex([stats[j], stats[k]]).as_unit("ns")).quantile(g)
              for j, k, g in levels.values())
    return q1, q3


def bulk_days(days: pd.DataFrame, instants, today: pd.Timestamp | str | None = None) -> dict[str, pd.Timestamp]:
    """The fences of the bulk of the dates and the first and last day with a purchase inside it.

    As :func:`kamlab.data.date_bulk` and :func:`kamlab.data.default_windows`:
    when no day is inside (every date after ``today``), the bulk is judged
    with today = the last day. ``days`` is indexed by day (midnight, sorted)
    with column ``rows``; ``instants(list of days)`` returns columns ``ts``
    (an instant on one of those days) and ``n`` (purchases at it).

    Returns
    -------
    dict
        ``low``, ``high`` (the fences, whole days), ``today`` (the day used),
        ``first``, ``last`` (days).
    """
    q1, q3 = _quartiles(days, instants)
    width = max(q3 - q1, MIN_WIDTH)
    low, high = (q1 - FENCE * width).floor("D"), (q3 + FENCE * width).floor("D")
    day = pd.Timestamp(today if today is not None else pd.Timestamp.now()).normalize()
    inside = days.index[(days.index >= low) & (days.index <= min(high, day))]
    if not len(inside):
        day = days.index.max()
        inside = days.index[(days.index >= low) & (days.index <= min(high, day))]
    return {"low": low, "high": high, "today": day, "first": inside.min(), "last": inside.max()}


def _notes(days: pd.DataFrame, cal: pd.Timestamp, obs: pd.Timestamp, bulk: dict | None) -> tuple[str, ...]:
    """The windows' revenue and the rows outside them, worded as :func:`kamlab.data.default_windows`."""
    revenue = days["revenue"].to_numpy(dtype=float)
    rows = days["rows"].to_numpy(dtype=np.int64)
    in_calibration, after = np.asarray(days.index <= cal), np.asarray(days.index > obs)
    chosen = "default windows from the bulk of the dates" if bulk is not None else "windows"
    notes = [f"{chosen}: calibration to {cal:%Y-%m-%d} (revenue {revenue[in_calibration].sum():,.2f}), "
             f"holdout to {obs:%Y-%m-%d} (revenue {revenue[~in_calibration & ~after].sum():,.2f})"]
    if after.any():
        notes.append(f"{int(rows[after].sum()):,} rows ({revenue[after].sum():,.2f} revenue) are dated "
                     f"after the observation end {obs:%Y-%m-%d} and lie outside both windows; correct their "
                     "dates, or pass outlying_dates='drop' to drop them")
    before = np.asarray(days.index < bulk["low"]) if bulk is not None else np.zeros(len(days), bool)
    if before.any():
        band = f"{bulk['low']:%Y-%m-%d} to {min(bulk['high'], bulk['today']):%Y-%m-%d}"
        notes.append(f"{int(rows[before].sum()):,} rows dated before the bulk of the dates ({band}) are "
                     "in the calibration window; correct their dates, or pass outlying_dates='drop' to drop them")
    return tuple(notes)


def file_windows(days: pd.DataFrame, instants, *, calibration_end=None, observation_end=None,
                 today=None) -> FileWindows:
    """The study's windows: the ends given, the others from the bulk of the dates (:func:`bulk_days`).

    ``days`` (one row per day with a purchase, indexed by the day, midnight):
    ``rows``, ``revenue`` (sum of the amounts), ``first`` and ``last``
    (earliest and latest instant); ``instants`` as in :func:`bulk_days`
    (called only when an end is to be found). The notes count the revenue in
    each window, the rows after the observation end and, for default
    windows, the rows before the bulk, with the fix.
    """
    days = days.sort_index()
    days.index = pd.DatetimeIndex(days.index).as_unit("ns")
    bulk = None
    if calibration_end is None or observation_end is None:
        bulk = bulk_days(days, instants, today)
    cal = (pd.Timestamp(calibration_end).normalize() if calibration_end is not None
           else (bulk["first"] + (bulk["last"] - bulk["first"]) / 2).normalize())
    obs = pd.Timestamp(observation_end).normalize() if observation_end is not None else bulk["last"]
    return FileWindows(cal, obs, pd.Timestamp(days["first"].min()).as_unit("ns"),
                       pd.Timestamp(days["last"].max()).as_unit("ns"), int(days["rows"].sum()),
                       float(days["revenue"].sum()), _notes(days, cal, obs, bulk))
