"""Kaplan-Meier curves with pointwise bands, per group, and the tables read off them.

The product-limit estimator through statsmodels' ``SurvfuncRight``, with
pointwise confidence bands on the log(-log) scale computed here from
statsmodels' Greenwood standard errors (statsmodels offers only simultaneous
bands); ``survival_summary`` (median, S at horizons) and ``rolling_retention``
(D1/D7/D30) read the curves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from kamlab.data import format_rows, require_columns

from ._checks import DURATIONS_HINT, check_durations


@dataclass(frozen=True)
class SurvivalCurve:
    """A Kaplan-Meier curve with its pointwise confidence band.

    ``table`` is indexed by the distinct event times (``time``) and holds
    ``survival``, ``se`` (Greenwood), ``lower``, ``upper``, ``at_risk`` and
    ``events``. The curve is a right-continuous step function: S(t) is the value
    at the last event time <= t, and 1 before the first event.
    """

    label: str
    table: pd.DataFrame
    n_accounts: int
    n_events: int
    max_time: float           # largest observed duration (event or censoring)
    alpha: float              # the band has 1 - alpha pointwise coverage

    @property
    def median(self) -> float:
        """Median lifetime: the smallest t with S(t) <= 0.5; inf if S stays above 0.5."""
        below = self.table.index[self.table["survival"].to_numpy() <= 0.5]
        return float(below[0]) if len(below) else np.inf

    def at(self, times) -> pd.DataFrame:
        """Survival and band at the given times (NaN beyond the longest observation)."""
        times = np.atleast_1d(np.asarray(times, dtype=float))
        pos = np.searchsorted(self.table.index.to_numpy(dtype=float), times, side="right") - 1
        out = {}
        for col in ("survival", "lower", "upper"):
            values = np.concatenate(([1.0], self.table[col].to_numpy(dtype=float)))
            out[col] = np.where(times > self.max_time, np.nan, values[pos + 1])
        return pd.DataFrame(out, index=pd.Index(times, name="time"))


def _loglog_band(surv: np.ndarray, se: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Pointwise band on the log(-log S) scale (Kalbfleisch & Prentice 2002, 1.4).

    With Greenwood's var(log S) = sum d / (n (n - d)) = (se / S)^2,
        S ** exp(+- z * (se / S) / log S),   z = Phi^-1(1 - alpha / 2),
    which is lifelines' "exponential Greenwood" interval. Where S is 0 or 1 the
    band collapses onto S.
    """
    z = stats.norm.ppf(1 - alpha / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_s = np.log(surv)
        sd_log = se / surv
        lower = np.exp(-np.exp(np.log(-log_s) - z * sd_log / log_s))
        upper = np.exp(-np.exp(np.log(-log_s) + z * sd_log / log_s))
    flat = (surv <= 0) | (surv >= 1) | ~np.isfinite(sd_log)
    return np.where(flat, surv, lower), np.where(flat, surv, upper)


def kaplan_meier(duration, event, *, label: str = "all", alpha: float = 0.05) -> SurvivalCurve:
    """Kaplan-Meier (product-limit) survival curve, through statsmodels' ``SurvfuncRight``.

        S(t) = prod_{t_i <= t} (1 - d_i / n_i)
        var S(t) = S(t)^2 sum_{t_i <= t} d_i / (n_i (n_i - d_i))     (Greenwood)

    with d_i events at time t_i and n_i accounts at risk just before it. The band
    is pointwise on the log(-log) scale (see ``_loglog_band``): statsmodels gives
    the Greenwood standard error but only simultaneous (Hall-Wellner) bands, so
    the pointwise interval is computed here; it equals lifelines'
    ``KaplanMeierFitter`` interval.

    Parameters
    ----------
    duration : array-like of float
        Time from acquisition to churn or censoring (any unit, e.g. days).
    event : array-like of bool or 0/1
        1 (True) if the account churned, 0 if censored.
    label : str
        Name of the group, carried into tables and legends.
    alpha : float
        1 - coverage of the band (0.05 gives 95 %).

    References
    ----------
    Kaplan, E. L. & Meier, P. (1958). Nonparametric estimation from incomplete
    observations. JASA 53, 457-481.
    """
    from statsmodels.duration.survfunc import SurvfuncRight

    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    time = np.asarray(duration, dtype=float)
    status = np.asarray(event, dtype=float)
    check_durations(time, status)
    status = status.astype(int)
    index = pd.Index(np.empty(0), name="time")
    columns = ["survival", "se", "lower", "upper", "at_risk", "events"]
    if status.sum() == 0:  # nobody churned: the curve is flat at 1
        table = pd.DataFrame(columns=columns, index=index, dtype=float)
    else:
        sf = SurvfuncRight(time, status)
        lower, upper = _loglog_band(sf.surv_prob, sf.surv_prob_se, alpha)
        table = pd.DataFrame({"survival": sf.surv_prob, "se": sf.surv_prob_se, "lower": lower, "upper": upper,
                              "at_risk": sf.n_risk.astype(int), "events": sf.n_events.astype(int)},
                             index=pd.Index(sf.surv_times, name="time"))
    return SurvivalCurve(label=str(label), table=table, n_accounts=len(time), n_events=int(status.sum()),
                         max_time=float(time.max()), alpha=alpha)


def group_labels(frame: pd.DataFrame, by) -> pd.Series:
    """One group label per row of ``frame``: a column name, or labels aligned with its index."""
    if isinstance(by, str):
        require_columns(frame, [by], what="the durations frame", hint="Join the grouping column first, or pass a Series.")
        groups = frame[by]
    else:
        groups = pd.Series(by)
        if groups.index.equals(frame.index):
            pass
        elif len(groups) == len(frame) and isinstance(by, (np.ndarray, list)):
            groups.index = frame.index
        else:
            missing = frame.index.difference(groups.index)
            if len(missing):
                raise KeyError(f"grouping has no value for {len(missing)} accounts "
                               f"({format_rows(missing)}); give one label per account")
            groups = groups.reindex(frame.index)
    if groups.isna().any():
        bad = groups.isna().to_numpy()
        raise ValueError(f"grouping is missing for {bad.sum()} accounts ({format_rows(frame.index[bad])}); "
                         "fill it (e.g. 'unknown') before grouping")
    return groups


def kaplan_meier_by(
    durations: pd.DataFrame,
    by,
    *,
    duration_col: str = "duration_days",
    event_col: str = "churned",
    alpha: float = 0.05,
) -> dict[str, SurvivalCurve]:
    """One Kaplan-Meier curve per group (see :func:`kaplan_meier`).

    Parameters
    ----------
    durations : DataFrame
        One row per account, e.g. the output of :func:`churn_durations`.
    by : str, Series or array
        Column name, or labels aligned with the frame's index (e.g. a boolean
        key-account flag indexed by ``customer_id``).
    duration_col, event_col : str
        Column names of the duration and the churn flag.

    Returns
    -------
    dict mapping each group label (as str, sorted) to its SurvivalCurve.
    """
    require_columns(durations, [duration_col, event_col], what="durations", hint=DURATIONS_HINT)
    groups = group_labels(durations, by)
    curves = {}
    for label, rows in durations.groupby(groups.to_numpy(), sort=True):
        curves[str(label)] = kaplan_meier(rows[duration_col], rows[event_col], label=str(label), alpha=alpha)
    return curves


def survival_summary(curves: dict[str, SurvivalCurve], horizons: Sequence[float] = ()) -> pd.DataFrame:
    """Table of groups: accounts, churned, median lifetime and S(h) at each horizon.

    Columns ``S(h)`` read the curve at ``h`` (same unit as the durations); NaN
    when ``h`` lies beyond the group's longest observation.
    """
    rows = {}
    for label, curve in curves.items():
        row = {"accounts": curve.n_accounts, "churned": curve.n_events, "median": curve.median}
        if len(horizons):
            at = curve.at(horizons)
            for h, s in zip(horizons, at["survival"]):
                row[f"S({h:g})"] = s
        rows[label] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "group"
    return table


def rolling_retention(curves: dict[str, SurvivalCurve], days: Sequence[int] = (1, 7, 30)) -> pd.DataFrame:
    """Rolling (unbounded) retention Dn per group, read off Kaplan-Meier curves.

        Dn = share of accounts active on day n after acquisition or later
           = P(T >= n) = S(n - 1)          (T in whole days, first to last activity)

    This is the games industry's "rolling" D1/D7/D30 (the classic Dn counts only
    activity on day n itself). With ``churn_durations`` durations, censored
    players count through Kaplan-Meier rather than as lost. NaN when n - 1 lies
    beyond a group's longest observation.
    """
    days = [int(d) for d in days]
    if any(d < 1 for d in days):
        raise ValueError(f"retention days must be whole days >= 1, got {days}")
    rows = {}
    for label, curve in curves.items():
        at = curve.at([d - 1 for d in days])["survival"].to_numpy()
        rows[label] = {"players": curve.n_accounts, **{f"D{d}": v for d, v in zip(days, at)}}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "group"
    return table

