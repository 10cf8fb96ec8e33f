"""Per-account RFM summaries and calibration/holdout splits.

The summary follows the conventions of ``lifetimes.utils.summary_data_from_
transaction_data`` (and of Fader, Hardie & Lee 2005): time is cut into periods of
``freq``; several purchases in one period count as one; the first purchase period
is the account's "birth" and is not a repeat purchase.

    frequency      = number of distinct purchase periods - 1          (repeat purchases)
    recency        = (last purchase period - first purchase period) / freq_multiplier
    T              = (observation-end period - first purchase period) / freq_multiplier
    monetary_value = mean over repeat periods of the amount spent in that period
                     (0 when frequency = 0)

Ages (recency, T) are in periods of ``freq`` divided by ``freq_multiplier`` (e.g.
``freq="D", freq_multiplier=7`` gives weeks measured to the day, as in the paper).

The implementation works on integer period numbers and one sort of
(account, period) integer keys, which is several times faster than lifetimes on millions of
rows (see ``benchmarks/rfm.py``); ``tests/test_rfm.py`` checks it against lifetimes.
Account ids are factorised once per call (``calibration_holdout`` factorises the
rows of both windows together), and everything after that works on integer codes:
no string ids are hashed or looked up again.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kamlab.data import REQUIRED_TRANSACTION_COLUMNS, require_columns

_HINT = ("Load files with kamlab.data.load_transactions(..., customer_col=, date_col=, "
         "amount_col=) to map your column names onto the contract.")


def day_after(end: str | pd.Timestamp) -> pd.Timestamp:
    """Midnight after the day of ``end``: a window ending on ``end`` holds dates ``< day_after(end)``.

    Window ends are whole days, inclusive, whatever the time of day of the
    purchases or of ``end`` itself: a purchase at 23:59 on the end day is in.
    """
    return pd.Timestamp(end).normalize() + pd.Timedelta(days=1)


def period_numbers(dates: pd.Series | pd.DatetimeIndex, freq: str = "D") -> np.ndarray:
    """Integer period number of each date (consecutive periods differ by 1).

    ``"D"`` counts days, ``"W"`` weeks running Monday to Sunday (pandas' ``W-SUN``,
    as lifetimes uses), ``"M"`` calendar months; any other pandas period alias is
    handled through ``Series.dt.to_period``.
    """
    values = pd.DatetimeIndex(dates).values.astype("datetime64[D]")
    days = values.astype(np.int64)
    if freq == "D":
        return days
    if freq == "W":
        # 1970-01-01 was a Thursday; shifting by 3 days makes weeks start on Monday.
        return (days + 3) // 7
    if freq == "M":
        return values.astype("datetime64[M]").astype(np.int64)
    return pd.DatetimeIndex(dates).to_period(freq).asi8


def _account_codes(ids: pd.Series, keep: np.ndarray) -> tuple[np.ndarray, pd.Index]:
    """Integer code of the account of each kept row (0..n-1, in sorted order of id) and the ids."""
    codes, accounts = pd.factorize(ids if keep.all() else ids[keep], sort=True)
    return codes, pd.Index(accounts, name="customer_id")


def _distinct_periods(codes: np.ndarray, period: np.ndarray, n: int) -> np.ndarray:
    """Number of distinct periods with a purchase of each account, from one sort of (account, period) keys."""
    if len(codes) == 0:
        return np.zeros(n, dtype=np.int64)
    p0 = period.min()
    span = np.int64(period.max() - p0 + 1)
    keys = np.sort(codes.astype(np.int64) * span + (period - p0))
    distinct = np.empty(len(keys), dtype=bool)
    distinct[0] = True
    np.not_equal(keys[1:], keys[:-1], out=distinct[1:])
    return np.bincount(keys[distinct] // span, minlength=n)


def _window_summary(codes: np.ndarray, accounts: pd.Index, period: np.ndarray, end_period: int,
                    amount: np.ndarray, cost: np.ndarray | None, *, freq_multiplier: float,
                    monetary: bool) -> pd.DataFrame:
    """The summary of one window from integer codes (every account in ``accounts`` has a row)."""
    n = len(accounts)
    # First and last purchase period of each account, and its number of distinct purchase periods.
    first_period = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(first_period, codes, period)
    last_period = np.full(n, np.iinfo(np.int64).min)
    np.maximum.at(last_period, codes, period)
    frequency = _distinct_periods(codes, period, n) - 1

    out = pd.DataFrame(
        {
            "frequency": frequency.astype(float),
            "recency": (last_period - first_period) / freq_multiplier,
            "T": (end_period - first_period) / freq_multiplier,
        },
        index=accounts,
    )
    revenue = np.bincount(codes, weights=amount, minlength=n)
    if monetary:
        # Repeat spend = everything except what was spent in the first period.
        in_first_period = period == first_period[codes]
        first_spend = np.bincount(codes, weights=np.where(in_first_period, amount, 0.0), minlength=n)
        out["monetary_value"] = np.where(frequency > 0, (revenue - first_spend) / np.maximum(frequency, 1), 0.0)
    out["revenue"] = revenue
    if cost is not None:
        out["profit"] = revenue - np.bincount(codes, weights=cost, minlength=n)
    return out


def _column(transactions: pd.DataFrame, name: str, keep: np.ndarray) -> np.ndarray | None:
    """The kept rows of a money column as floats, or None when the column is absent."""
    if name not in transactions.columns:
        return None
    values = transactions[name].to_numpy(dtype=float)
    return values if keep.all() else values[keep]


def summarise_rfm(
    transactions: pd.DataFrame,
    observation_end: str | pd.Timestamp,
    *,
    freq: str = "D",
    freq_multiplier: float = 1,
    monetary: bool = True,
) -> pd.DataFrame:
    """Frequency, recency, age and spend of every account, up to ``observation_end``.

    Parameters
    ----------
    transactions : DataFrame
        The kamlab contract: ``customer_id``, ``date``, ``amount``, optional ``cost``.
        Rows dated after the day of ``observation_end`` are ignored.
    observation_end : date-like
        Last day of the observation window, inclusive as a whole day (a time
        of day, if given, is ignored: a purchase at 23:59 on that day is in).
    freq : {"D", "W", "M"} or pandas period alias
        The period length; purchases within one period count once.
    freq_multiplier : float
        Divide ages by this (``freq="D", freq_multiplier=7`` = weeks to the day).
    monetary : bool
        Add ``monetary_value`` (mean repeat-period spend, currency units).

    Returns
    -------
    DataFrame
        Indexed by ``customer_id`` (sorted), columns ``frequency``, ``recency``,
        ``T`` (as in lifetimes), ``monetary_value`` if asked, ``revenue`` (total
        amount in the window, first purchase included, currency units) and
        ``profit`` (revenue - cost) when the transactions carry ``cost``.
    """
    require_columns(transactions, REQUIRED_TRANSACTION_COLUMNS, what="transactions", hint=_HINT)
    end = pd.Timestamp(observation_end).normalize()
    dates = pd.DatetimeIndex(transactions["date"])
    keep = np.asarray(dates < day_after(end))
    if not keep.any():
        raise ValueError(f"no transactions on or before observation_end {end.date()}")
    codes, accounts = _account_codes(transactions["customer_id"], keep)
    period = period_numbers(dates[keep] if not keep.all() else dates, freq)
    end_period = period_numbers(pd.DatetimeIndex([end]), freq)[0]
    return _window_summary(codes, accounts, period, end_period, _column(transactions, "amount", keep),
                           _column(transactions, "cost", keep), freq_multiplier=freq_multiplier, monetary=monetary)


def _holdout_columns(codes: np.ndarray, n: int, period: np.ndarray, amount: np.ndarray,
                     cost: np.ndarray | None) -> dict[str, np.ndarray]:
    """Distinct purchase periods, mean spend per such period, revenue (and profit) of each account."""
    frequency_holdout = _distinct_periods(codes, period, n)
    revenue_holdout = np.bincount(codes, weights=amount, minlength=n)
    out = {
        "frequency_holdout": frequency_holdout.astype(float),
        "monetary_value_holdout": np.where(frequency_holdout > 0,
                                           revenue_holdout / np.maximum(frequency_holdout, 1), 0.0),
        "revenue_holdout": revenue_holdout,
    }
    if cost is not None:
        out["profit_holdout"] = revenue_holdout - np.bincount(codes, weights=cost, minlength=n)
    return out


def calibration_holdout(
    transactions: pd.DataFrame,
    calibration_end: str | pd.Timestamp,
    observation_end: str | pd.Timestamp,
    *,
    freq: str = "D",
    freq_multiplier: float = 1,
) -> pd.DataFrame:
    """Calibration-window RFM plus what each account did in the holdout window.

    The calibration window ends with the whole day of ``calibration_end``
    (inclusive, whatever the time of day); the holdout window runs from the
    next midnight to the end of the day of ``observation_end``. Every purchase
    up to the observation end is in exactly one window, so for the accounts
    listed ``revenue_cal + revenue_holdout`` is all their revenue to that day.
    Only accounts with a purchase in the calibration window appear (as in
    lifetimes): the revenue of accounts first seen in the holdout is not in
    this table. The ids of both windows are factorised once, together.

    Returns
    -------
    DataFrame
        Indexed by ``customer_id``: ``frequency_cal``, ``recency_cal``, ``T_cal``,
        ``monetary_value_cal``, ``revenue_cal`` (and ``profit_cal``) as
        :func:`summarise_rfm` gives them; ``frequency_holdout`` (number of distinct periods
        with a purchase in the holdout window), ``monetary_value_holdout`` (mean
        spend per such period, 0 if none), ``revenue_holdout`` (and
        ``profit_holdout``) in currency units; ``duration_holdout`` (holdout length
        in periods / freq_multiplier).
    """
    require_columns(transactions, REQUIRED_TRANSACTION_COLUMNS, what="transactions", hint=_HINT)
    cal_end, obs_end = pd.Timestamp(calibration_end).normalize(), pd.Timestamp(observation_end).normalize()
    if obs_end <= cal_end:
        raise ValueError(f"observation_end {obs_end.date()} must be after calibration_end {cal_end.date()}")
    dates = pd.DatetimeIndex(transactions["date"])
    in_cal = np.asarray(dates < day_after(cal_end))
    if not in_cal.any():
        raise ValueError(
            f"no transactions in the calibration window (on or before {cal_end.date()}); "
            f"the data start on {dates.min().date()}: choose a later calibration_end"
        )
    keep = np.asarray(dates < day_after(obs_end))
    codes, ids = _account_codes(transactions["customer_id"], keep)
    period = period_numbers(dates[keep] if not keep.all() else dates, freq)
    amount, cost = _column(transactions, "amount", keep), _column(transactions, "cost", keep)
    cal = in_cal[keep]
    # accounts with a calibration purchase, in sorted order of id, and each code's position among them
    bought = np.bincount(codes[cal], minlength=len(ids)) > 0
    position = np.where(bought, np.cumsum(bought) - 1, -1)
    cal_period, obs_period = period_numbers(pd.DatetimeIndex([cal_end, obs_end]), freq)
    pick = (lambda v, rows: None if v is None else v[rows])
    out = _window_summary(position[codes[cal]], ids[bought], period[cal], cal_period, amount[cal], pick(cost, cal),
                          freq_multiplier=freq_multiplier, monetary=True).add_suffix("_cal")
    hold = ~cal & bought[codes]
    columns = _holdout_columns(position[codes[hold]], len(out), period[hold], amount[hold], pick(cost, hold))
    for name, values in columns.items():
        out[name] = values
    out["duration_holdout"] = float(obs_period - cal_period) / freq_multiplier
    return out
