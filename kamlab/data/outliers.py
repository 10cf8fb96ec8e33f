"""Dates far from the bulk of a file: the rule that finds them.

One row dated 2099 (or 1900) in an otherwise normal export must not move the
windows of a study. The bulk of the dates is the band between Tukey's "far out"
fences on the quartiles (Tukey 1977, *Exploratory Data Analysis*, ch. 2):

    low  = Q1 - k * max(Q3 - Q1, min_width)
    high = Q3 + k * max(Q3 - Q1, min_width)          (k = 3, min_width = 30 days)

and a date is *outlying* when it lies outside ``[low, high]`` or after
``today`` (a transaction cannot be dated in the future of its export). The
quartiles, unlike a 1st-99th percentile band, are not moved by a few stray rows
even in a small file (a 20-row file's 99th percentile is its largest date); the
minimum width keeps a file whose orders fall within a few days from flagging
every date outside them.

:func:`default_windows` sets the calibration and observation ends of an
analyst's file from the bulk, and says what lies outside them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Fence multiple of the interquartile range ("far out", Tukey 1977).
FENCE = 3.0
#: Smallest interquartile range used for the fences.
MIN_WIDTH = pd.Timedelta(days=30)


@dataclass(frozen=True)
class DateBulk:
    """Where the bulk of a file's dates lies, and which dates lie outside it.

    Attributes
    ----------
    low, high : Timestamp
        The fences (whole days): dates from ``low`` to the end of day ``high``,
        and not after ``today``, are in the bulk.
    today : Timestamp
        The day (midnight) after whose end dates count as future.
    first, last : Timestamp or None
        First and last date inside the bulk (None when no date is).
    outlying : ndarray of bool
        One per input date: outside the fences or after ``today`` (missing dates are not).
    """

    low: pd.Timestamp
    high: pd.Timestamp
    today: pd.Timestamp
    first: pd.Timestamp | None
    last: pd.Timestamp | None
    outlying: np.ndarray

    @property
    def band(self) -> str:
        """'2019-03-02 to 2026-05-01': the fences (capped at today), for messages."""
        return f"{self.low:%Y-%m-%d} to {min(self.high, self.today):%Y-%m-%d}"


def date_bulk(dates: pd.Series | pd.DatetimeIndex, *, today: pd.Timestamp | str | None = None) -> DateBulk:
    """The bulk of ``dates`` by Tukey's far-out fences on the quartiles (see the module).

    Parameters
    ----------
    dates : Series or DatetimeIndex
        Time zone-naive dates; missing values are ignored.
    today : date-like or None
        Dates after the end of this day are outlying; None = the current date.

    Returns
    -------
    DateBulk
    """
    stamps = pd.DatetimeIndex(dates, copy=False).as_unit("ns").asi8  # nanoseconds; NaT is the smallest int64
    day = pd.Timestamp(today if today is not None else pd.Timestamp.now()).normalize()
    known = stamps != np.iinfo(np.int64).min
    if not known.any():
        nat = pd.Timestamp("NaT")
        return DateBulk(nat, nat, day, None, None, np.zeros(len(stamps), bool))
    every = known.all()
    dated = pd.Series((stamps if every else stamps[known]).view("datetime64[ns]"), copy=False)
    q1, q3 = dated.quantile([0.25, 0.75])  # one partition of the dates for both
    width = max(q3 - q1, MIN_WIDTH)
    low, high = (q1 - FENCE * width).floor("D"), (q3 + FENCE * width).floor("D")
    one_day = pd.Timedelta(days=1)  # whole days: the high fence and today are inclusive
    end = min(high + one_day, day + one_day)
    outside = (stamps < low.value) | (stamps >= end.value)  # nanoseconds, compared as integers
    if not every:
        outside &= known
    inside = stamps if every and not outside.any() else stamps[~outside & known]
    first = pd.Timestamp(inside.min()) if len(inside) else None
    last = pd.Timestamp(inside.max()) if len(inside) else None
    return DateBulk(low, high, day, first, last, outside)


@dataclass(frozen=True)
class Windows:
    """Default calibration/holdout windows of a transaction file, and what the analyst should know of them."""

    calibration_end: pd.Timestamp    # last day of the calibration window (inclusive)
    observation_end: pd.Timestamp    # last day of the holdout window (inclusive)
    notes: tuple[str, ...]           # the windows, and the rows outside them or outlying, counted


def default_windows(transactions: pd.DataFrame, *, today: pd.Timestamp | str | None = None) -> Windows:
    """Windows from the bulk of the dates, never from one stray row.

    observation_end = the last day inside the bulk (:func:`date_bulk`);
    calibration_end = the day halfway between the first and last days inside
    it. Rows after the observation end lie outside both windows, and rows
    dated before the bulk inside the calibration window: both are counted in
    the notes, with the fix (``outlying_dates='drop'``). When every date is
    after ``today``, the bulk is judged without the future rule.
    """
    dates = transactions["date"]
    bulk = date_bulk(dates, today=today)
    if bulk.first is None:
        bulk = date_bulk(dates, today=dates.max())
    first, last = bulk.first.normalize(), bulk.last.normalize()
    calibration_end = (first + (last - first) / 2).normalize()
    after = (dates >= last + pd.Timedelta(days=1)).to_numpy()
    in_calibration = (dates < calibration_end + pd.Timedelta(days=1)).to_numpy()
    amount = transactions["amount"].to_numpy(dtype=float)
    notes = [f"default windows from the bulk of the dates: calibration to {calibration_end:%Y-%m-%d} "
             f"(revenue {amount[in_calibration].sum():,.2f}), holdout to {last:%Y-%m-%d} "
             f"(revenue {amount[~in_calibration & ~after].sum():,.2f})"]
    if after.any():
        revenue = transactions.loc[after, "amount"].sum()
        notes.append(f"{int(after.sum()):,} rows ({revenue:,.2f} revenue) are dated after the observation end "
                     f"{last:%Y-%m-%d} and lie outside both windows; correct their dates, or pass "
                     "outlying_dates='drop' to drop them")
    before = bulk.outlying & ~after
    if before.any():
        notes.append(f"{int(before.sum()):,} rows dated before the bulk of the dates ({bulk.band}) are in the "
                     "calibration window; correct their dates, or pass outlying_dates='drop' to drop them")
    return Windows(calibration_end, last, tuple(notes))
