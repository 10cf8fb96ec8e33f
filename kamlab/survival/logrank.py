"""The log-rank test of equal survival across groups (statsmodels ``survdiff``)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from kamlab.data import require_columns

from ._checks import DURATIONS_HINT, check_durations
from .kaplan_meier import group_labels


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

    require_columns(durations, [duration_col, event_col], what="durations", hint=DURATIONS_HINT)
    groups = group_labels(durations, by).astype(str)
    labels = tuple(sorted(groups.unique()))
    if len(labels) < 2:
        raise ValueError(f"the log-rank test needs at least two groups, got {list(labels)}")
    time = durations[duration_col].to_numpy(dtype=float)
    status = durations[event_col].to_numpy().astype(float)
    check_durations(time, status, (duration_col, event_col))
    chisq, p = survdiff(time, status.astype(int), groups.to_numpy())
    return LogRankResult(statistic=float(chisq), dof=len(labels) - 1, p_value=float(p), groups=labels)

