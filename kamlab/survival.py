"""How long do accounts stay? Churn by inactivity, cohorts and survival models.

Five tools, each on a well-kept library where one exists:

- ``churn_durations``: the seed's rule "a lost customer has not bought anything for
  a long time", turned into (duration, event) pairs with right censoring;
- ``cohort_table``: acquisition cohorts x periods since acquisition (active accounts,
  retention, revenue and net revenue retention);
- ``kaplan_meier`` / ``kaplan_meier_by`` / ``logrank_test``: the product-limit
  estimator and the log-rank test through statsmodels (``SurvfuncRight``,
  ``survdiff``), with pointwise confidence bands on the log(-log) scale computed
  here from statsmodels' Greenwood standard errors (statsmodels offers only
  simultaneous bands); ``survival_summary`` (median, S at horizons) and
  ``rolling_retention`` (D1/D7/D30) read the curves;
- ``fit_sbg``: the shifted-beta-geometric cohort model of Fader & Hardie (2007),
  fitted by maximum likelihood with statsmodels' ``GenericLikelihoodModel``;
- ``cox_regression``: proportional hazards through statsmodels ``PHReg`` (Efron ties).

The module must not depend on key-account definitions (they sit downstream);
groups such as "key vs other" are passed in as labels.

Durations are in days unless a function says otherwise; ``tests/test_survival.py``
checks the estimates against lifelines (a test-only oracle) and the paper's numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import pandas as pd
from scipy import special, stats

#: Default inactivity threshold (days) after which an account counts as lost.
DEFAULT_INACTIVITY_DAYS = 180


# --------------------------------------------------------------------------- checks


def _require_columns(frame: pd.DataFrame, columns: Sequence[str], what: str, hint: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{what} must be a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise KeyError(f"{what} lack column(s) {missing}; found {list(frame.columns)}. {hint}")


def _rows(mask: np.ndarray | pd.Series, index: pd.Index, limit: int = 5) -> str:
    bad = list(index[np.asarray(mask)][:limit])
    more = int(np.asarray(mask).sum()) - len(bad)
    return ", ".join(map(str, bad)) + (f" and {more} more" if more > 0 else "")


def _check_transactions(transactions: pd.DataFrame, need_amount: bool) -> None:
    columns = ["customer_id", "date"] + (["amount"] if need_amount else [])
    _require_columns(
        transactions, columns, "transactions",
        "Load files with kamlab.data.load_transactions(..., customer_col=, date_col=, "
        "amount_col=) to map your column names onto the contract.",
    )
    if not pd.api.types.is_datetime64_any_dtype(transactions["date"]):
        raise TypeError(
            f"transactions column 'date' has dtype {transactions['date'].dtype}, not datetime64; "
            "convert it with pd.to_datetime or load the file with kamlab.data.load_transactions."
        )
    problems = []
    for col in columns:
        missing = transactions[col].isna().to_numpy()
        if missing.any():
            problems.append(f"column '{col}': {missing.sum()} missing values (rows {_rows(missing, transactions.index)})")
    if problems:
        raise ValueError("transactions have problems:\n  - " + "\n  - ".join(problems)
                         + "\nDrop or fill these rows before computing durations.")


def _check_durations(duration: np.ndarray, event: np.ndarray, names: tuple[str, str] = ("duration", "event")) -> None:
    problems = []
    index = pd.RangeIndex(len(duration))
    if len(duration) != len(event):
        raise ValueError(f"{names[0]} has {len(duration)} values but {names[1]} has {len(event)}")
    if len(duration) == 0:
        raise ValueError("no durations given: the group is empty")
    bad = ~np.isfinite(duration)
    if bad.any():
        problems.append(f"'{names[0]}': {bad.sum()} values are missing or infinite (positions {_rows(bad, index)})")
    neg = np.isfinite(duration) & (duration < 0)
    if neg.any():
        problems.append(f"'{names[0]}': {neg.sum()} negative values (positions {_rows(neg, index)}); "
                        "a duration runs from acquisition forward")
    notflag = ~np.isin(event, (0, 1))
    if notflag.any():
        problems.append(f"'{names[1]}': {notflag.sum()} values are not 0/1 or True/False (positions {_rows(notflag, index)})")
    if problems:
        raise ValueError("survival data have problems:\n  - " + "\n  - ".join(problems))


def _as_days(inactivity: int | float | str | pd.Timedelta) -> pd.Timedelta:
    delta = pd.Timedelta(days=inactivity) if isinstance(inactivity, (int, float, np.integer, np.floating)) \
        else pd.Timedelta(inactivity)
    if delta <= pd.Timedelta(0):
        raise ValueError(f"inactivity must be a positive number of days, got {inactivity!r}")
    return delta


# --------------------------------------------------------------------------- churn


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
        ``inactivity`` days up to it) are kept, and

            duration_days = max(last_purchase - landmark, 0)   if churned
                            horizon - landmark                 otherwise.

        Use it to compare groups chosen on data up to the landmark (e.g. key
        accounts by calibration revenue): measured from the first purchase, such
        groups are biased toward long lives, because an account had to survive to
        become big ("immortal time"). The accounts lost before the landmark are
        counted in ``result.attrs["lost_before_landmark"]``.

    Returns
    -------
    DataFrame indexed by ``customer_id`` with ``first_purchase``,
    ``last_purchase``, ``duration_days`` (float, days), ``churned`` (bool),
    ``churn_date`` and ``days_since_last`` (observation_end - last purchase, days).
    """
    _check_transactions(transactions, need_amount=False)
    end = pd.Timestamp(observation_end)
    threshold = _as_days(inactivity)
    horizon = end - threshold
    seen = transactions.loc[transactions["date"] <= end, ["customer_id", "date"]]
    span = seen.groupby("customer_id", sort=True)["date"].agg(first_purchase="min", last_purchase="max")
    if landmark is None:
        origin = span["first_purchase"]
        keep = span["first_purchase"] <= horizon
        lost_before = 0
    else:
        origin = pd.Timestamp(landmark)
        if origin >= horizon:
            raise ValueError(
                f"landmark {origin.date()} must come before {horizon.date()} (observation_end {end.date()} minus "
                f"inactivity {threshold.days} days), or no churn after it can be seen")
        before = seen.loc[seen["date"] <= origin].groupby("customer_id")["date"].max().reindex(span.index)
        born = span["first_purchase"] <= origin
        keep = born & (before > origin - threshold)
        lost_before = int((born & ~keep).sum())
    if not keep.any():
        raise ValueError(
            f"no account was first seen on or before {horizon.date()} (observation_end {end.date()} minus "
            f"inactivity {threshold.days} days) and active at the start, so no churn can be observed; "
            "use a later observation_end, an earlier landmark or a shorter inactivity threshold")
    too_new = int((span["first_purchase"] > (horizon if landmark is None else origin)).sum())
    span = span[keep]
    origin = origin[keep] if landmark is None else origin
    churned = span["last_purchase"] <= horizon
    stop = span["last_purchase"].where(churned, horizon)
    out = span.assign(
        duration_days=(stop - origin).dt.days.clip(lower=0).astype(float),
        churned=churned,
        churn_date=span["last_purchase"].where(churned),
        days_since_last=(end - span["last_purchase"]).dt.days.astype(float),
    )
    out.index.name = "customer_id"
    out.attrs["too_new"] = too_new
    if landmark is not None:
        out.attrs["lost_before_landmark"] = lost_before
    return out


# --------------------------------------------------------------------------- cohorts


def cohort_table(
    transactions: pd.DataFrame,
    period: str = "M",
    *,
    observation_end: str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Acquisition cohorts followed period by period.

    An account's cohort is the period of its first purchase; its age in a period
    is the number of whole periods since that one (0 = acquisition period).

        active(c, k)            = accounts of cohort c with >= 1 purchase at age k
        retention(c, k)         = active(c, k) / cohort_size(c)
        revenue(c, k)           = sum of amount of cohort c at age k
        revenue_retention(c, k) = revenue(c, k) / revenue(c, 0)   (net revenue retention)

    Only complete periods are kept: a period ending after ``observation_end`` is
    dropped, with its purchases and the cohort it would start, so a half-observed
    month never shows up as a false drop. Every (cohort, age) up to the last
    complete period is present, with zeros where nobody bought.

    Parameters
    ----------
    transactions : DataFrame
        Contract columns ``customer_id``, ``date``, ``amount``.
    period : str
        pandas period alias: "M" months, "Q" quarters, "Y" years, "W" weeks.
    observation_end : str, Timestamp or None
        Last day of data (inclusive); default the last transaction date.

    Returns
    -------
    DataFrame indexed by (``cohort`` (Period), ``age`` (periods since
    acquisition)) with ``cohort_size``, ``active``, ``retention``, ``revenue``,
    ``revenue_retention``.
    """
    _check_transactions(transactions, need_amount=True)
    end = transactions["date"].max() if observation_end is None else pd.Timestamp(observation_end)
    try:
        last = pd.Period(end, freq=period)
    except ValueError as exc:  # pandas: "Invalid frequency"
        raise ValueError(f"period {period!r} is not a pandas period alias such as 'M', 'Q', 'Y' or 'W'") from exc
    if last.end_time.normalize() > end.normalize():
        last = last - 1  # the period holding observation_end is incomplete
    data = transactions.loc[transactions["date"] <= last.end_time, ["customer_id", "date", "amount"]]
    if data.empty:
        raise ValueError(f"no complete {period!r} period of data on or before {end.date()}")
    when = data["date"].dt.to_period(period)
    first = when.groupby(data["customer_id"]).transform("min")
    frame = pd.DataFrame({"customer_id": data["customer_id"].to_numpy(), "cohort": first.to_numpy(),
                          "age": (when.array.asi8 - first.array.asi8), "amount": data["amount"].to_numpy()})
    cells = frame.groupby(["cohort", "age"]).agg(active=("customer_id", "nunique"), revenue=("amount", "sum"))
    sizes = frame.groupby("cohort")["customer_id"].nunique().rename("cohort_size")
    grid = pd.MultiIndex.from_tuples(
        [(c, k) for c in sizes.index for k in range((last - c).n + 1)], names=["cohort", "age"])
    table = cells.reindex(grid, fill_value=0).join(sizes, on="cohort")
    table["active"] = table["active"].astype(int)
    table["retention"] = table["active"] / table["cohort_size"]
    first_revenue = table.xs(0, level="age")["revenue"]
    table["revenue_retention"] = table["revenue"] / first_revenue.reindex(table.index.get_level_values("cohort")).to_numpy()
    return table[["cohort_size", "active", "retention", "revenue", "revenue_retention"]]


def cohort_matrix(table: pd.DataFrame, value: str = "retention") -> pd.DataFrame:
    """Cohort x age matrix of one column of :func:`cohort_table` (rows = cohorts)."""
    if value not in table.columns:
        raise KeyError(f"cohort table has no column {value!r}; choose one of {list(table.columns)}")
    matrix = table[value].unstack("age")
    matrix.index = matrix.index.astype(str)
    return matrix


# --------------------------------------------------------------------------- Kaplan-Meier


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
    _check_durations(time, status)
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


def _groups(frame: pd.DataFrame, by) -> pd.Series:
    if isinstance(by, str):
        _require_columns(frame, [by], "the durations frame", "Join the grouping column first, or pass a Series.")
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
                               f"(e.g. {list(missing[:5])}); give one label per account")
            groups = groups.reindex(frame.index)
    if groups.isna().any():
        bad = groups.isna().to_numpy()
        raise ValueError(f"grouping is missing for {bad.sum()} accounts ({_rows(bad, frame.index)}); "
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
    _require_columns(durations, [duration_col, event_col], "durations", "Use kamlab.survival.churn_durations first.")
    groups = _groups(durations, by)
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


@dataclass(frozen=True)
class LogRankResult:
    """Log-rank test of equal survival across groups."""

    statistic: float          # chi-square statistic
    dof: int                  # degrees of freedom = groups - 1
    p_value: float
    groups: tuple[str, ...]


def logrank_test(
    durations: pd.DataFrame,
    by,
    *,
    duration_col: str = "duration_days",
    event_col: str = "churned",
) -> LogRankResult:
    """Log-rank test that all groups share one survival curve (statsmodels ``survdiff``).

        chi2 = (O - E)' V^-1 (O - E)    over groups 2..G,   dof = G - 1

    with O the observed and E the expected events per group under a common
    hazard, summed over event times, and V the hypergeometric covariance.

    References
    ----------
    Mantel, N. (1966). Evaluation of survival data and two new rank order
    statistics arising in its consideration. Cancer Chemother. Rep. 50, 163-170.
    """
    from statsmodels.duration.survfunc import survdiff

    _require_columns(durations, [duration_col, event_col], "durations", "Use kamlab.survival.churn_durations first.")
    groups = _groups(durations, by).astype(str)
    labels = tuple(sorted(groups.unique()))
    if len(labels) < 2:
        raise ValueError(f"the log-rank test needs at least two groups, got {list(labels)}")
    time = durations[duration_col].to_numpy(dtype=float)
    status = durations[event_col].to_numpy().astype(float)
    _check_durations(time, status, (duration_col, event_col))
    chisq, p = survdiff(time, status.astype(int), groups.to_numpy())
    return LogRankResult(statistic=float(chisq), dof=len(labels) - 1, p_value=float(p), groups=labels)


# --------------------------------------------------------------------------- sBG

#: Fader & Hardie (2007), "How to project customer retention", Table 1: customers
#: still active, of 1000 acquired, at the start of years 0..12, for two cohorts.
SBG_COHORTS = {
    "regular": (1000, 631, 468, 382, 326, 289, 262, 241, 223, 207, 194, 183, 173),
    "high end": (1000, 869, 743, 653, 593, 551, 517, 491, 468, 445, 427, 409, 394),
}
#: The estimates the paper reports from years 1-7 of each cohort: (alpha, beta).
SBG_PUBLISHED_ESTIMATES = {"regular": (0.704, 1.182), "high end": (0.668, 3.806)}



def sbg_survival(alpha: float, beta: float, t) -> np.ndarray:
    """Share of a cohort still active after t periods under the sBG model.

        S(t) = B(alpha, beta + t) / B(alpha, beta)         (Fader & Hardie 2007, eq. 4)
    """
    t = np.asarray(t, dtype=float)
    return np.exp(special.betaln(alpha, beta + t) - special.betaln(alpha, beta))


def sbg_retention_rate(alpha: float, beta: float, t) -> np.ndarray:
    """Share of the accounts active in period t - 1 that renew in period t.

        r(t) = (beta + t - 1) / (alpha + beta + t - 1)      (Fader & Hardie 2007, eq. 6)

    It rises with t: the cohort sorts itself, the churn-prone leave first.
    """
    t = np.asarray(t, dtype=float)
    return (beta + t - 1) / (alpha + beta + t - 1)


def sbg_expected_remaining_lifetime(alpha: float, beta: float, renewals: int = 0, discount: float = 0.0) -> float:
    """Expected further renewals of an account that has renewed ``renewals`` times.

        E[sum_{t>n} 1{T > t} / (1 + d)^(t - n) | T > n] = 2F1(1, beta + n; alpha + beta + n; 1 / (1 + d)) - 1

    in periods (discounted when d > 0). Undiscounted it is (beta + n) / (alpha - 1)
    for alpha > 1 and infinite for alpha <= 1 (the heavy tail of loyal accounts).

    References
    ----------
    Fader, P. S. & Hardie, B. G. S. (2010). Customer-base valuation in a
    contractual setting: the perils of ignoring heterogeneity. Marketing Science
    29(1), 85-93 (their DERL, written here per remaining renewal).
    """
    if discount < 0:
        raise ValueError(f"discount must be >= 0, got {discount}")
    if renewals < 0:
        raise ValueError(f"renewals must be >= 0, got {renewals}")
    if discount == 0:
        return (beta + renewals) / (alpha - 1) if alpha > 1 else np.inf
    return float(special.hyp2f1(1, beta + renewals, alpha + beta + renewals, 1 / (1 + discount)) - 1)


def _sbg_model(lost: np.ndarray, survivors: float):
    from statsmodels.base.model import GenericLikelihoodModel

    class ShiftedBetaGeometric(GenericLikelihoodModel):
        """sBG log-likelihood on (log alpha, log beta); endog = lost per period, then survivors."""

        def loglikeobs(self, params):
            a, b = np.exp(params)
            counts = self.endog
            periods = len(counts) - 1
            t = np.arange(1, periods + 1)
            log_p = special.betaln(a + 1, b + t - 1) - special.betaln(a, b)      # P(T = t)
            log_s = special.betaln(a, b + periods) - special.betaln(a, b)        # P(T > periods)
            return counts * np.append(log_p, log_s)

    counts = np.append(lost, survivors).astype(float)
    model = ShiftedBetaGeometric(counts, extra_params_names=["log_alpha", "log_beta"])
    return model


@dataclass(frozen=True)
class SBGFit:
    """A fitted shifted-beta-geometric model (Fader & Hardie 2007)."""

    alpha: float
    beta: float
    alpha_se: float
    beta_se: float
    log_likelihood: float
    cohort_size: float        # accounts at the start (period 0)
    fit_periods: int          # periods used in the fit
    results: Any              # the statsmodels results (log-scale parameters), for .summary()

    def survival(self, t) -> np.ndarray:
        """Share of the cohort still active after t periods."""
        return sbg_survival(self.alpha, self.beta, t)

    def retention_rate(self, t) -> np.ndarray:
        """Renewal rate in period t among those active in t - 1."""
        return sbg_retention_rate(self.alpha, self.beta, t)

    def expected_remaining_lifetime(self, renewals: int = 0, discount: float = 0.0) -> float:
        """Expected further renewals (periods) of an account with ``renewals`` renewals so far."""
        return sbg_expected_remaining_lifetime(self.alpha, self.beta, renewals, discount)


def fit_sbg(survivors: Sequence[float], *, periods: int | None = None) -> SBGFit:
    """Fit the shifted-beta-geometric model to a cohort's survivor series.

    Each account renews every period with its own probability 1 - theta, and
    theta varies across accounts as Beta(alpha, beta). For the cohort,

        P(T = t) = B(alpha + 1, beta + t - 1) / B(alpha, beta),   t = 1, 2, ...
        LL = sum_{t=1..n} (s_{t-1} - s_t) log P(T = t) + s_n log S(n)

    with s_t the accounts still active after t periods. The maximum is found on
    (log alpha, log beta) with statsmodels' ``GenericLikelihoodModel``; standard
    errors of alpha and beta follow by the delta method (se = value * se(log)).
    The statsmodels summary counts survivor cells (periods + 1) as observations,
    so its BIC is not meaningful; the log-likelihood and standard errors are.

    Parameters
    ----------
    survivors : sequence of float
        s_0, s_1, ..., accounts still active after 0, 1, ... periods (s_0 = cohort size).
    periods : int or None
        Use only s_0..s_periods (the rest is the holdout); default all.

    References
    ----------
    Fader, P. S. & Hardie, B. G. S. (2007). How to project customer retention.
    Journal of Interactive Marketing 21(1), 76-90.
    """
    s = np.asarray(survivors, dtype=float)
    if s.ndim != 1 or len(s) < 3:
        raise ValueError(f"survivors must be a series s_0, s_1, ..., of at least 3 values, got {s!r}")
    if periods is not None:
        if not 2 <= periods < len(s):
            raise ValueError(f"periods must be between 2 and {len(s) - 1}, got {periods}")
        s = s[: periods + 1]
    if not np.all(np.isfinite(s)) or np.any(s < 0) or np.any(np.diff(s) > 0) or s[-1] <= 0:
        raise ValueError(f"survivors must be non-negative, non-increasing and end above zero, got {s.tolist()}")
    lost = -np.diff(s)
    model = _sbg_model(lost, s[-1])
    rough = model.fit(start_params=np.zeros(2), method="nm", maxiter=2000, disp=False)
    results = model.fit(start_params=rough.params, method="newton", tol=1e-8, maxiter=100, disp=False)
    if not results.mle_retvals.get("converged", False):
        raise RuntimeError(f"the sBG fit did not converge on survivors {s.tolist()}; check the series")
    log_a, log_b = results.params
    se_log = np.sqrt(np.diag(results.cov_params()))
    a, b = float(np.exp(log_a)), float(np.exp(log_b))
    return SBGFit(alpha=a, beta=b, alpha_se=float(a * se_log[0]), beta_se=float(b * se_log[1]),
                  log_likelihood=float(results.llf), cohort_size=float(s[0]), fit_periods=len(s) - 1,
                  results=results)


def project_sbg(fit: SBGFit, horizon: int, actual: Sequence[float] | None = None) -> pd.DataFrame:
    """Projected survivors and retention rates for periods 0..horizon.

    Columns: ``projected`` (= cohort_size x S(t)), ``retention_rate`` (r(t), NaN at
    t = 0), ``in_fit`` (period used for fitting) and, when ``actual`` survivors are
    given, ``actual`` and ``error_pct`` = 100 (projected - actual) / actual.
    """
    t = np.arange(horizon + 1)
    table = pd.DataFrame({"projected": fit.cohort_size * fit.survival(t),
                          "retention_rate": np.where(t == 0, np.nan, fit.retention_rate(t)),
                          "in_fit": t <= fit.fit_periods}, index=pd.Index(t, name="period"))
    if actual is not None:
        actual = np.asarray(actual, dtype=float)
        if len(actual) < horizon + 1:
            raise ValueError(f"actual has {len(actual)} values; need {horizon + 1} for periods 0..{horizon}")
        table.insert(0, "actual", actual[: horizon + 1])
        table["error_pct"] = 100 * (table["projected"] - table["actual"]) / table["actual"]
    return table


# --------------------------------------------------------------------------- Cox


@dataclass(frozen=True)
class CoxResult:
    """A fitted Cox proportional hazards model."""

    table: pd.DataFrame       # per covariate: coef, se, hazard_ratio, hr_lower, hr_upper, p_value
    n_accounts: int
    n_events: int
    log_likelihood: float
    alpha: float
    results: Any              # statsmodels PHRegResults, for .summary()


def cox_design(frame: pd.DataFrame, covariates: Sequence[str]) -> pd.DataFrame:
    """Numeric design matrix for Cox regression.

    Numeric columns are kept; booleans become 0/1; text or categorical columns
    become one indicator per level except the first (sorted) level, named
    ``column[level]``, so hazard ratios read "relative to the first level".
    """
    _require_columns(frame, list(covariates), "the covariate frame", "Join the account attributes first.")
    parts = []
    for col in covariates:
        x = frame[col]
        if pd.api.types.is_bool_dtype(x):
            parts.append(x.astype(float).rename(col))
        elif pd.api.types.is_numeric_dtype(x):
            parts.append(x.astype(float).rename(col))
        else:
            levels = sorted(x.dropna().astype(str).unique())
            for level in levels[1:]:
                parts.append((x.astype(str) == level).astype(float).where(x.notna()).rename(f"{col}[{level}]"))
    return pd.concat(parts, axis=1)


def cox_regression(
    frame: pd.DataFrame,
    covariates: Sequence[str],
    *,
    duration_col: str = "duration_days",
    event_col: str = "churned",
    alpha: float = 0.05,
) -> CoxResult:
    """Cox proportional hazards regression through statsmodels ``PHReg`` (Efron ties).

        h(t | x) = h0(t) exp(x' b),     hazard ratio of a covariate = exp(b)

    b maximises Cox's partial likelihood with Efron's (1977) correction for tied
    event times; the interval is exp(b +- z se). A hazard ratio below 1 means the
    covariate lowers the churn hazard (longer lifetimes).

    Parameters
    ----------
    frame : DataFrame
        One row per account with duration, event and covariate columns.
    covariates : sequence of str
        Columns to use; see :func:`cox_design` for how text columns are coded.

    References
    ----------
    Cox, D. R. (1972). Regression models and life-tables. JRSS B 34, 187-220.
    Efron, B. (1977). The efficiency of Cox's likelihood function for censored
    data. JASA 72, 557-565.
    """
    from statsmodels.duration.hazard_regression import PHReg

    _require_columns(frame, [duration_col, event_col], "the Cox frame", "Use kamlab.survival.churn_durations first.")
    if not covariates:
        raise ValueError("give at least one covariate")
    design = cox_design(frame, covariates)
    problems = []
    missing = design.isna().any(axis=1).to_numpy()
    if missing.any():
        cols = list(design.columns[design.isna().any()])
        problems.append(f"covariate(s) {cols} are missing for {missing.sum()} accounts ({_rows(missing, frame.index)}); "
                        "fill or drop these accounts")
    constant = [c for c in design.columns if design[c].nunique(dropna=True) < 2]
    if constant:
        problems.append(f"covariate(s) {constant} do not vary; drop them (no hazard ratio can be estimated)")
    if problems:
        raise ValueError("Cox regression cannot run:\n  - " + "\n  - ".join(problems))
    time = frame[duration_col].to_numpy(dtype=float)
    status = frame[event_col].to_numpy().astype(float)
    _check_durations(time, status, (duration_col, event_col))
    model = PHReg(time, design.to_numpy(), status=status.astype(int), ties="efron")
    results = model.fit(method="newton", tol=1e-10, maxiter=200)
    z = stats.norm.ppf(1 - alpha / 2)
    coef, se = np.asarray(results.params), np.asarray(results.bse)
    table = pd.DataFrame({"coef": coef, "se": se, "hazard_ratio": np.exp(coef),
                          "hr_lower": np.exp(coef - z * se), "hr_upper": np.exp(coef + z * se),
                          "p_value": np.asarray(results.pvalues)}, index=pd.Index(design.columns, name="covariate"))
    return CoxResult(table=table, n_accounts=len(time), n_events=int(status.sum()),
                     log_likelihood=float(results.llf), alpha=alpha, results=results)
