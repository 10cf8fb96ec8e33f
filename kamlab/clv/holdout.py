"""Holdout checks: a counting model's predicted purchases and revenue against what accounts did next."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kamlab.data import require_columns

from .prediction import COUNTING, expected_spend, per_pattern, purchases_up_to, require_fit
from .results import FittedModel
from .summaries import RFM, as_rfm, check_summary

__all__ = ["HoldoutCheck", "holdout_check", "holdout_value_check"]


@dataclass(frozen=True)
class HoldoutCheck:
    """Predicted versus actual holdout purchases.

    Attributes
    ----------
    accounts : DataFrame
        Per account: ``frequency_cal``, ``predicted``, ``actual``, ``error`` (predicted - actual).
    by_frequency : DataFrame
        Mean actual and predicted holdout purchases and account count per
        calibration frequency, the last row pooling frequency >= ``max_frequency``.
    mae : float
        Mean absolute error per account (purchases).
    total_predicted, total_actual : float
        Aggregate holdout purchases.
    total_error : float
        (total_predicted - total_actual) / total_actual, a share.
    """

    accounts: pd.DataFrame
    by_frequency: pd.DataFrame
    mae: float
    total_predicted: float
    total_actual: float
    total_error: float


def holdout_check(fit: FittedModel, calhold: pd.DataFrame, *, horizon: float | None = None,
                  max_frequency: int = 7) -> HoldoutCheck:
    """Compare a counting model's predictions with the purchases made in the holdout.

    predicted_i = E[X_i(T_i, T_i + h_i) | calibration history], h_i the holdout
    length (``duration_holdout`` per account, or ``horizon`` for all), against
    actual_i = ``frequency_holdout``. The per-frequency table is the standard
    "conditional expectations" validation of Fader, Hardie & Lee (2005a, Fig. 4).

    Parameters
    ----------
    fit : FittedModel
        A counting model fitted on the calibration window.
    calhold : DataFrame
        From ``kamlab.rfm.calibration_holdout``: ``frequency_cal``, ``recency_cal``,
        ``T_cal``, ``frequency_holdout`` and ``duration_holdout`` (same time unit).
    horizon : float, optional
        Holdout length in periods, overriding ``duration_holdout``.
    max_frequency : int
        Calibration frequencies at or above this are pooled in ``by_frequency``.
    """
    require_fit(fit, COUNTING, "holdout_check")
    needs = ["frequency_holdout"] + ([] if horizon is not None else ["duration_holdout"])
    require_columns(calhold, needs, what="holdout_check: calhold",
                    hint="Build it with kamlab.rfm.calibration_holdout, or pass horizon= for the holdout length.")
    s = check_summary(calhold, RFM, "holdout_check")
    h = pd.Series(float(horizon), index=s.index) if horizon is not None else s["duration_holdout"].astype(float)
    frame = s.loc[:, list(RFM)].astype(float).assign(h=h.to_numpy())
    predicted = per_pattern(
        frame,
        (*RFM, "h"),
        lambda x, tx, T, hh: purchases_up_to(fit, hh, x, tx, T),
    )
    actual = s["frequency_holdout"].astype(float)
    accounts = pd.DataFrame(
        {
            "frequency_cal": s["frequency"].astype(int),
            "predicted": predicted,
            "actual": actual,
            "error": predicted - actual,
        }
    )
    group = accounts["frequency_cal"].clip(upper=max_frequency)
    by = accounts.groupby(group).agg(
        accounts=("actual", "size"), actual=("actual", "mean"), predicted=("predicted", "mean")
    )
    by.index.name = "frequency_cal"
    total_p, total_a = float(predicted.sum()), float(actual.sum())
    return HoldoutCheck(
        accounts=accounts,
        by_frequency=by,
        mae=float(accounts["error"].abs().mean()),
        total_predicted=total_p,
        total_actual=total_a,
        total_error=(total_p - total_a) / total_a if total_a else float("nan"),
    )


def holdout_value_check(
    purchases: FittedModel, spend: FittedModel | pd.Series, calhold: pd.DataFrame, *, groups: int = 10
) -> pd.DataFrame:
    """Predicted versus actual holdout revenue, by group of predicted value.

    predicted_i = E[X_i(holdout) | calibration] * E[spend_i | calibration], compared
    with actual_i = ``revenue_holdout``. Accounts are ranked by predicted value and
    cut into ``groups`` equal-count groups (1 = highest predicted); a ratio
    predicted / actual above 1 means the model over-values that group. This is
    where a ranking by CLV (the "future profit" definition) pays for its errors.

    Parameters
    ----------
    purchases : FittedModel
        A counting model fitted on the calibration window.
    spend : FittedModel or Series
        A Gamma-Gamma fit on the calibration window, or expected spend per
        purchase per account (currency units), e.g. ``ValueModel.spend``.
    calhold : DataFrame
        From ``kamlab.rfm.calibration_holdout`` (needs ``revenue_holdout`` and
        ``duration_holdout`` besides the calibration columns).
    groups : int
        Number of groups (10 = deciles).

    Returns
    -------
    DataFrame
        Indexed by ``group`` (1..groups): ``accounts``, ``predicted`` and ``actual``
        (mean holdout revenue per account, currency units), ``ratio``
        (predicted / actual) and ``share_with_no_purchase`` (share of the group's
        accounts that bought nothing in the holdout).
    """
    require_columns(calhold, ["revenue_holdout"], what="holdout_value_check: calhold",
                    hint="Build it with kamlab.rfm.calibration_holdout.")
    check = holdout_check(purchases, calhold)
    s = as_rfm(calhold)
    value = expected_spend(spend, s) if isinstance(spend, FittedModel) else spend.reindex(s.index).astype(float)
    predicted = check.accounts["predicted"] * value
    actual = s["revenue_holdout"].astype(float)
    rank = predicted.rank(method="first", ascending=False)
    group = np.ceil(rank * groups / len(rank)).astype(int).rename("group")
    frame = pd.DataFrame({"predicted": predicted, "actual": actual, "none": check.accounts["actual"] == 0})
    out = frame.groupby(group).agg(
        accounts=("predicted", "size"),
        predicted=("predicted", "mean"),
        actual=("actual", "mean"),
        share_with_no_purchase=("none", "mean"),
    )
    out.insert(3, "ratio", out["predicted"] / out["actual"])
    return out
