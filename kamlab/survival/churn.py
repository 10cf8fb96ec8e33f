"""Churn by inactivity: the seed's "a lost customer has not bought anything for a long time".

``churn_durations`` turns transactions into one (duration, event) pair per
account, with right censoring, measured from each account's first purchase or
from a landmark date.
"""

from __future__ import annotations

import pandas as pd

from ._checks import as_days, check_transactions
from kamlab.rfm import day_after

#: Default inactivity threshold (days) after which an account counts as lost.
DEFAULT_INACTIVITY_DAYS = 180


def _landmark_kept(seen: pd.DataFrame, span: pd.DataFrame, origin: pd.Timestamp,
                   threshold: pd.Timedelta) -> tuple[pd.Series, int]:
    """Accounts first seen by the landmark and active at it, and how many were lost before it."""
    before = seen.loc[seen["date"] < day_after(origin)].groupby("customer_id")["date"].max().reindex(span.index)
    born = span["first_purchase"] <= origin
    keep = born & (before > origin - threshold)
    return keep, int((born & ~keep).sum())


def churn_durations(
    transactions: pd.DataFrame,
    observation_end: str | pd.Timestamp,
    *,
    inactivity: int | float | str | pd.Timedelta = DEFAULT_INACTIVITY_DAYS,
    landmark: str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Lifetime of each account, with churn defined by inactivity.

    Rule (the seed's "a lost customer has not bought anything for a long time"):
    an account has churned when its last purchase lies at least ``inactivity``
    before ``observation_end``; its lifetime ends at that last purchase. Otherwise
    it is right-censored: still active, as far as we can tell.

        horizon       = observation_end - inactivity   (last day a churn can be seen)
        churned       = last_purchase <= horizon
        duration_days = last_purchase - first_purchase   if churned
                        horizon       - first_purchase   otherwise (censored)
        churn_date    = last_purchase if churned, else NaT

    Censoring at the horizon, not at the last purchase, matters: every account of
    the same age is censored at the same age (administrative censoring, which
    Kaplan-Meier needs). Censoring at the last purchase would keep recent buyers
    "at risk" during the last ``inactivity`` days, in which no churn can be seen,
    and bias the survival curve upward. Accounts first seen after the horizon are
    too new to have churned by this rule and carry no information; they are left
    out, and their number is in ``result.attrs["too_new"]``.

    Dating churn at the last purchase (it is only *confirmed* ``inactivity`` days
    later) makes the survival curve read "share of accounts still buying more than
    t days after their first purchase", which game analysts call rolling retention
    (D1, D7, D30). A gap longer than the threshold in the middle of a history is
    not churn: the account came back. Purchases after ``observation_end`` are
    ignored, so the rule can be applied to a calibration window.

    Parameters
    ----------
    transactions : DataFrame
        Contract columns ``customer_id`` and ``date`` (datetime64).
    observation_end : str or Timestamp
        Last day of data (inclusive).
    inactivity : int, float, str or Timedelta
        Threshold; numbers are days. Default 180 days, half a year, a common
        "lapsed customer" cut-off in retail; choose it from the purchase cycle
        (a game uses days or weeks, a B2B supplier up to a year).
    landmark : str, Timestamp or None
        Measure remaining lifetimes from this date instead of from each account's
        first purchase (a "landmark analysis"). Only accounts first seen on or
        before the landmark and still active at it (a purchase in the
        ``inactivity`` days up to it) are kept. Time 0 is the landmark, and an
        account is lost on the day the rule first sees it, ``inactivity`` days
        after its last purchase:

            duration_days = last_purchase + inactivity - landmark   if churned
                            observation_end - landmark              otherwise.

        Every kept account bought within ``inactivity`` days before the
        landmark, so every duration is positive and the survival curve starts
        at 1: S(t) is the share of the accounts active at the landmark not yet
        lost t days after it, and S(inactivity) the share that bought again
        after the landmark. (Dating these losses at the last purchase instead
        would put every account that never bought after the landmark at t = 0,
        a drop at the start of the curve of accounts that were active when the
        clock started.)

        Use it to compare groups chosen on data up to the landmark (e.g. key
        accounts by calibration revenue): measured from the first purchase, such
        groups are biased toward long lives, because an account had to survive to
        become big ("immortal time"). The accounts lost before the landmark are
        counted in ``result.attrs["lost_before_landmark"]``, those of the kept
        accounts that did not buy after it in ``result.attrs["silent_after_landmark"]``.

    Returns
    -------
    DataFrame indexed by ``customer_id`` with ``first_purchase``,
    ``last_purchase``, ``duration_days`` (float, days), ``churned`` (bool),
    ``churn_date`` and ``days_since_last`` (observation_end - last purchase, days).
    """
    check_transactions(transactions, need_amount=False)
    end = pd.Timestamp(observation_end)
    threshold = as_days(inactivity)
    horizon = end - threshold
    seen = transactions.loc[transactions["date"] < day_after(end), ["customer_id", "date"]]
    span = seen.groupby("customer_id", sort=True)["date"].agg(first_purchase="min", last_purchase="max")
    if landmark is None:
        keep, lost_before, start = span["first_purchase"] <= horizon, 0, horizon
    else:
        start = pd.Timestamp(landmark)
        if start >= end:
            raise ValueError(f"landmark {start.date()} must come before observation_end {end.date()}, "
                             "or no time after it can be seen")
        keep, lost_before = _landmark_kept(seen, span, start, threshold)
    if not keep.any():
        raise ValueError(
            f"no account was first seen on or before {start.date()} "
            + (f"(observation_end {end.date()} minus inactivity {threshold.days} days) " if landmark is None else "")
            + "and active at the start, so no churn can be observed; "
            "use a later observation_end, an earlier landmark or a shorter inactivity threshold")
    too_new = int((span["first_purchase"] > start).sum())
    span = span[keep]
    churned = span["last_purchase"] <= horizon
    if landmark is None:
        duration = span["last_purchase"].where(churned, horizon) - span["first_purchase"]
    else:
        duration = (span["last_purchase"] + threshold).where(churned, end) - start
    out = span.assign(
        duration_days=duration.dt.days.clip(lower=0).astype(float),
        churned=churned,
        churn_date=span["last_purchase"].where(churned),
        days_since_last=(end - span["last_purchase"]).dt.days.astype(float),
    )
    out.index.name = "customer_id"
    out.attrs["too_new"] = too_new
    if landmark is not None:
        out.attrs["lost_before_landmark"] = lost_before
        out.attrs["silent_after_landmark"] = int((span["last_purchase"] <= start).sum())
    return out
