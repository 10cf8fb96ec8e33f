"""Key accounts versus the others, compared fairly: from a landmark, not from the first purchase.

Groups chosen on data up to a date (key accounts by calibration revenue, say)
carry immortal time when their lifetimes are measured from the first purchase:
an account had to survive to become big. The fair comparison starts every
clock at the landmark, among the accounts still active then (Anderson, Cain &
Gelber 1983). ``landmark_comparison`` computes both, so a reader sees the bias.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from .churn import DEFAULT_INACTIVITY_DAYS, churn_durations
from .kaplan_meier import SurvivalCurve, kaplan_meier_by, survival_summary
from .logrank import LogRankResult, logrank_test


@dataclass(frozen=True)
class LandmarkComparison:
    """Survival of two groups from a landmark (fair) and from the first purchase (biased)."""

    landmark: pd.Timestamp
    horizon: float                        # the longest horizon read, days
    after: pd.DataFrame                   # landmark durations (churn_durations) with a "group" column
    from_first_purchase: pd.DataFrame     # durations from the first purchase with a "group" column
    curves: dict[str, SurvivalCurve]      # Kaplan-Meier curves from the landmark, per group
    fair: pd.DataFrame                    # survival_summary of ``curves`` at every horizon read
    biased: pd.DataFrame                  # survival_summary from the first purchase at the same horizons
    logrank: LogRankResult | None         # log-rank test on the landmark durations; None with one group only

    @property
    def table(self) -> pd.DataFrame:
        """The fair and the biased summaries stacked, labelled by where the clock starts."""
        return pd.concat({"from landmark (fair)": self.fair, "from first purchase (biased)": self.biased})


def _label(index: pd.Index, members: pd.Index, labels: tuple[str, str]) -> np.ndarray:
    return np.where(index.isin(members), labels[0], labels[1])


def landmark_comparison(
    transactions: pd.DataFrame,
    observation_end: str | pd.Timestamp,
    landmark: str | pd.Timestamp,
    members: Iterable,
    *,
    inactivity: int | float | str | pd.Timedelta = DEFAULT_INACTIVITY_DAYS,
    horizons: Sequence[float] = (90, 180, 365),
    labels: tuple[str, str] = ("key", "other"),
) -> LandmarkComparison:
    """Compare the remaining lifetimes of a chosen group and the rest, from a landmark.

        fair:    S_g(t) = P(not yet lost t days after the landmark | active at it, group g)
        biased:  S_g(t) = P(still buying t days after the first purchase | group g)

    Both are Kaplan-Meier curves of :func:`churn_durations` (churn by
    inactivity). From the landmark, a loss is dated on the day the rule sees
    it (``inactivity`` days after the last purchase), so both fair curves start
    at 1 at the landmark. The groups are read at the ``horizons`` within the
    shortest follow-up of all curves (or at that follow-up when none fits;
    ``horizon`` is the longest read), and the landmark curves are compared by
    a log-rank test (``None`` when only one group is active at the landmark).

    Parameters
    ----------
    transactions : DataFrame
        Contract columns ``customer_id`` and ``date``.
    observation_end : date-like
        Last day of data.
    landmark : date-like
        Where the fair clock starts, e.g. the calibration end on which the
        group was chosen.
    members : iterable of customer ids
        The chosen group (e.g. key accounts); every other account is the rest.
    inactivity : number of days, str or Timedelta
        Days without a purchase after which an account counts as lost.
    horizons : sequence of float
        Candidate horizons, days.
    labels : (str, str)
        Names of the group and of the rest.

    References
    ----------
    Anderson, J. R., Cain, K. C. & Gelber, R. D. (1983). Analysis of survival by
    tumor response. Journal of Clinical Oncology 1(11), 710-719.
    """
    members = pd.Index(list(members))
    after = churn_durations(transactions, observation_end, inactivity=inactivity, landmark=landmark)
    after["group"] = _label(after.index, members, labels)
    naive = churn_durations(transactions, observation_end, inactivity=inactivity)
    naive["group"] = _label(naive.index, members, labels)
    curves, naive_curves = kaplan_meier_by(after, "group"), kaplan_meier_by(naive, "group")
    follow_up = min(c.max_time for c in [*curves.values(), *naive_curves.values()])
    read = sorted(float(h) for h in horizons if h <= follow_up) or [float(follow_up)]
    return LandmarkComparison(
        landmark=pd.Timestamp(landmark), horizon=read[-1], after=after, from_first_purchase=naive, curves=curves,
        fair=survival_summary(curves, read), biased=survival_summary(naive_curves, read),
        logrank=logrank_test(after, "group") if len(curves) > 1 else None,
    )
