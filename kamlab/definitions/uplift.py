"""Definition 5: where extra effort pays, by the uplift estimated from a randomised pilot."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .base import Definition, DefinitionScore, attributes, require
from .value import FutureProfitScore

#: Covariates of the uplift regression, used when present in the accounts table.
UPLIFT_COVARIATES = ("strategic_fit", "growth_potential", "service_tickets")

#: Pilot accounts of each arm that must have ordered before and during the pilot.
MIN_PER_ARM = 5


@dataclass(frozen=True, kw_only=True)
class ExtraEffortScore(DefinitionScore):
    """``extra_effort``'s score with the pilot regression behind it.

    Attributes
    ----------
    model, cost_model : statsmodels results
        The OLS fit of the log average-order-value ratio, and of
        cost_to_serve (None without that column).
    formula : str
        The lift model in R/patsy notation.
    n_treated, n_control : int
        Pilot accounts of each arm that ordered before and during the pilot.
    lift : pd.Series
        Relative lift exp(tau + sum_j d_j x_ij) - 1 per account.
    baseline : pd.Series
        What each account brings over the horizon without the effort (currency units).
    baseline_source : str
        Where the baseline came from.
    mean_lift : float
        exp(tau) - 1, the lift at the average account; ``mean_lift_ci`` its 95 % interval.
    extra_cost : float
        Extra cost-to-serve of a treated account over the horizon (currency
        units); ``extra_cost_ci`` its 95 % interval.
    value : str
        What the pilot measured value in ("gross profit" or "revenue").
    pilot_days, horizon_days : float
        The pilot's length and the horizon of the score, in days.
    warnings : tuple of str
        Anything statsmodels warned about.
    """

    model: object
    cost_model: object
    formula: str
    n_treated: int
    n_control: int
    lift: pd.Series
    baseline: pd.Series
    baseline_source: str
    mean_lift: float
    mean_lift_ci: tuple[float, float]
    extra_cost: float
    extra_cost_ci: tuple[float, float]
    value: str
    pilot_days: float
    horizon_days: float
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Design:
    """The pilot data of the regressions: one row per scored account."""

    data: pd.DataFrame      # log_aov_ratio, kam_pilot, covariates, value_pre/value_pilot
    rows: pd.Series         # accounts that enter the lift regression
    in_pilot: pd.Series     # accounts in the pilot (either arm)
    used: list[str]         # covariates with variation
    centred: pd.DataFrame   # those covariates centred on all scored accounts
    n_treated: int
    n_control: int


def _design(summary: pd.DataFrame, attrs: pd.DataFrame, pilot: pd.DataFrame, covariates) -> _Design:
    data = pilot.reindex(summary.index)
    for name in covariates:
        if name in attrs.columns:
            data[name] = pd.to_numeric(attrs[name], errors="coerce").astype(float)
    data["kam_pilot"] = pd.to_numeric(attrs["kam_pilot"], errors="coerce").astype(float)
    in_pilot = data["kam_pilot"].notna()
    rows = in_pilot & data["log_aov_ratio"].notna()
    n_treated = int((data.loc[rows, "kam_pilot"] == 1).sum())
    n_control = int((data.loc[rows, "kam_pilot"] == 0).sum())
    if min(n_treated, n_control) < MIN_PER_ARM:
        raise EXTRA_EFFORT.not_computable(
            ("kam_pilot",), f"the pilot has {n_treated} treated and {n_control} control accounts that ordered "
            f"before and during it; needs {MIN_PER_ARM} of each", needs=("kam_pilot",))
    candidates = [c for c in covariates if c in data.columns and data.loc[rows, c].notna().any()]
    data[candidates] = data[candidates].fillna(data[candidates].mean())
    used = [c for c in candidates if data.loc[rows, c].std() > 0]
    centred = data[used] - data[used].mean()  # centred on all scored accounts
    return _Design(data, rows, in_pilot, used, centred, n_treated, n_control)


def _fit(design: _Design, attrs: pd.DataFrame):
    """The two HC3 OLS fits: log AOV ratio with interactions, and cost_to_serve (or None)."""
    import statsmodels.api as sm

    d = design.data["kam_pilot"]
    intercept = pd.Series(1.0, index=design.data.index, name="Intercept")
    exog = pd.concat([intercept, d, design.centred, design.centred.mul(d, axis=0).add_prefix("kam_pilot:")], axis=1)
    model = sm.OLS(design.data.loc[design.rows, "log_aov_ratio"], exog.loc[design.rows]).fit(cov_type="HC3")
    cost_model = None
    if "cost_to_serve" in attrs.columns:
        y_cost = pd.to_numeric(attrs["cost_to_serve"], errors="coerce").astype(float)
        keep = design.in_pilot & y_cost.notna()
        cost_exog = pd.concat([intercept, d, design.centred], axis=1)
        cost_model = sm.OLS(y_cost[keep], cost_exog.loc[keep]).fit(cov_type="HC3")
    return model, cost_model


def _baseline(design: _Design, index: pd.Index, baseline, future_profit, days: float, horizon: float):
    """What each account brings over the horizon without the effort, and where that came from."""
    if baseline is not None:
        return baseline.reindex(index).fillna(0.0).astype(float), "given baseline"
    if isinstance(future_profit, FutureProfitScore):
        return (future_profit.expected_value.reindex(index).fillna(0.0).astype(float),
                "future_profit's expected value without the effort")
    data = design.data
    run_rate = (data["value_pre"].fillna(0.0) + data["value_pilot"].fillna(0.0)) / (2 * days) * horizon
    return run_rate, "run-rate of the pre-period and the pilot"


#: Why the pilot cannot be described without each input (the detail of extra_effort's NotComputable).
_MISSING_PILOT = {
    "pilot_days": "the length of the pilot in days",
    "transactions": "the pilot's orders before and during it come from the transactions; "
                    "a precomputed summary does not carry them",
}


def extra_effort(
    summary: pd.DataFrame,
    accounts: pd.DataFrame | None = None,
    *,
    pilot: pd.DataFrame | None = None,
    baseline: pd.Series | None = None,
    future_profit: DefinitionScore | Exception | None = None,
    horizon_days: float | None = None,
    covariates=UPLIFT_COVARIATES,
    missing_pilot: str | None = None,
) -> ExtraEffortScore:
    """Definition 5: where extra effort pays, by the uplift estimated from a randomised pilot.

    A randomised pilot gave extra key-account effort to the accounts with
    ``kam_pilot`` = 1 during the last days of the calibration window; those
    with ``kam_pilot`` = 0 are its controls (accounts with ``kam_pilot``
    missing were not in the pilot). Extra effort is modelled as lifting an
    account's business by a percentage (more of its wallet per order), so
    the pilot outcome is the change in average order value. On the pilot
    accounts that ordered in both periods, statsmodels OLS
    (heteroscedasticity-robust HC3 errors) fits

        log_aov_ratio ~ kam_pilot * (strategic_fit + growth_potential + service_tickets)

    (R/patsy notation: main effects plus every interaction with the
    treatment; covariates missing from the data, or constant among the pilot
    accounts, are left out), with the covariates x centred on their mean over
    all scored accounts. Because the treatment was randomised, the
    treatment coefficient tau and the interactions d estimate the effect
    without bias, to the extent that it is linear in the covariates; the
    relative lift of account i is

        lift_i = exp(tau + sum_j d_j x_ij) - 1.

    The extra value is that lift applied to what the account would bring
    anyway, ``baseline_i`` (currency units over ``horizon_days``): the given
    ``baseline``; else ``future_profit``'s undiscounted expected value (a
    :class:`~kamlab.definitions.value.FutureProfitScore`, which accounts for
    churn; the horizon is then its horizon unless ``horizon_days`` is
    given); else the run-rate: value in the pre-period and the pilot / (2
    pilot_days) * horizon_days, value = gross profit, or revenue without cost data.

    The effort is not free, and the pilot measures its cost too: when the
    accounts table has ``cost_to_serve``, a second regression on the pilot
    accounts, ``cost_to_serve ~ kam_pilot + (the same covariates)``, gives
    the extra cost-to-serve c of a treated account in the pilot. The score is
    the net uplift

        uplift_i = lift_i * baseline_i - c * horizon_days / pilot_days.

    Parameters
    ----------
    pilot : pd.DataFrame
        From :func:`kamlab.definitions.pilot_outcomes`.
    baseline : pd.Series, optional
        Expected value of each account over the horizon without the effort.
    future_profit : FutureProfitScore, optional
        ``future_profit``'s result, whose expected value is the baseline
        when ``baseline`` is not given (anything else is ignored).
    horizon_days : float, optional
        Days the effort would last; by default future_profit's horizon, else the pilot's length.
    covariates : sequence of str
        Candidate covariates (accounts-table columns).
    missing_pilot : str, optional
        What the caller could not give to describe the pilot ("pilot_days"
        when the data document no pilot length, "transactions" when the
        data are a precomputed summary, which has no orders before and
        during the pilot): then the definition is not computable and says so.

    Returns
    -------
    ExtraEffortScore
        Scores in currency units, with the regressions, the lift per account,
        the mean lift exp(tau) - 1 and the extra cost per treated account
        (scaled to the horizon) with 95 % intervals.
    """
    attrs = attributes(accounts, summary.index)
    require(EXTRA_EFFORT, attrs, ("kam_pilot",), "a randomised pilot flag")
    if missing_pilot:
        raise EXTRA_EFFORT.not_computable((missing_pilot,), _MISSING_PILOT.get(missing_pilot, ""),
                                          needs=("kam_pilot", missing_pilot))
    if pilot is None:
        raise EXTRA_EFFORT.not_computable(
            ("pilot outcomes",), "pass pilot=pilot_outcomes(transactions, calibration_end, pilot_days=...)",
            needs=("kam_pilot", "pilot outcomes"))
    days = float(pilot.attrs["pilot_days"])
    linked = baseline is None and isinstance(future_profit, FutureProfitScore)
    horizon = float(horizon_days if horizon_days is not None else future_profit.horizon_days if linked else days)
    design = _design(summary, attrs, pilot, covariates)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model, cost_model = _fit(design, attrs)
    cost, cost_ci = 0.0, (0.0, 0.0)
    if cost_model is not None:
        cost = float(cost_model.params["kam_pilot"])
        cost_ci = tuple(float(v) * horizon / days for v in cost_model.conf_int(alpha=0.05).loc["kam_pilot"])
    interactions = model.params[[f"kam_pilot:{c}" for c in design.used]].to_numpy()
    lift = pd.Series(np.expm1(model.params["kam_pilot"] + design.centred.to_numpy() @ interactions),
                     index=summary.index)
    base, source = _baseline(design, summary.index, baseline, future_profit, days, horizon)
    low, high = np.expm1(model.conf_int(alpha=0.05).loc["kam_pilot"])
    formula = "log_aov_ratio ~ kam_pilot" + (f" * ({' + '.join(design.used)})" if design.used else "")
    return EXTRA_EFFORT.result(
        lift * base - cost * horizon / days,
        ("kam_pilot", "pilot outcomes") + (("cost_to_serve",) if cost_model is not None else ()),
        kind=ExtraEffortScore, model=model, cost_model=cost_model, formula=formula,
        n_treated=design.n_treated, n_control=design.n_control, lift=lift, baseline=base, baseline_source=source,
        mean_lift=float(np.expm1(model.params["kam_pilot"])), mean_lift_ci=(float(low), float(high)),
        extra_cost=cost * horizon / days, extra_cost_ci=cost_ci, value=pilot.attrs.get("value", "value"),
        pilot_days=days, horizon_days=horizon, warnings=tuple(str(w.message) for w in caught),
    )


EXTRA_EFFORT = Definition(
    name="extra_effort", score=extra_effort, needs=("kam_pilot",),
    inputs=("pilot", "horizon_days", "future_profit"),
    risk="'return' must be defined and measured: the uplift is an estimate "
    "from a small pilot, and only a few accounts can get the extra effort",
)
