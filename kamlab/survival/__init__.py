"""How long do accounts stay? Churn by inactivity, cohorts and survival models.

Public names are importable from ``kamlab.survival``; each module behind them
owns one concern, on a well-kept library where one exists:

- ``churn``: the seed's rule "a lost customer has not bought anything for a
  long time", turned into (duration, event) pairs with right censoring
  (``churn_durations``);
- ``winback``: the same rule's lost accounts, the most valuable first
  (``win_back_list``);
- ``cohorts``: acquisition cohorts x periods since acquisition (active
  accounts, retention, revenue and net revenue retention);
- ``kaplan_meier``: the product-limit estimator through statsmodels
  (``SurvfuncRight``) with pointwise log(-log) bands from Greenwood's standard
  errors; ``survival_summary`` (median, S at horizons) and ``rolling_retention``
  (D1/D7/D30) read the curves;
- ``logrank``: the log-rank test (statsmodels ``survdiff``);
- ``landmark``: groups chosen on data up to a date (key vs other), compared
  from that date, beside the biased comparison from the first purchase;
- ``channels``: players' rolling retention by acquisition channel and the cost
  of one retained player;
- ``sbg``: the shifted-beta-geometric cohort model of Fader & Hardie (2007),
  fitted with statsmodels' ``GenericLikelihoodModel``;
- ``cox``: proportional hazards through statsmodels ``PHReg`` (Efron ties).

The package must not depend on key-account definitions (they sit downstream);
groups such as "key vs other" are passed in as labels.

Durations are in days unless a function says otherwise; the tests check the
estimates against lifelines (a test-only oracle) and the paper's numbers.
"""

from .channels import ChannelRetention, retention_by_channel
from .churn import DEFAULT_INACTIVITY_DAYS, churn_durations
from .cohorts import cohort_matrix, cohort_table
from .cox import CoxResult, cox_design, cox_regression
from .kaplan_meier import SurvivalCurve, kaplan_meier, kaplan_meier_by, rolling_retention, survival_summary
from .landmark import LandmarkComparison, landmark_comparison
from .logrank import LogRankResult, logrank_test
from .sbg import (
    SBG_COHORTS,
    SBG_PUBLISHED_ESTIMATES,
    SBGFit,
    fit_sbg,
    project_sbg,
    sbg_expected_remaining_lifetime,
    sbg_retention_rate,
    sbg_survival,
)
from .winback import win_back_list

__all__ = [
    "DEFAULT_INACTIVITY_DAYS",
    "SBG_COHORTS",
    "SBG_PUBLISHED_ESTIMATES",
    "ChannelRetention",
    "CoxResult",
    "LandmarkComparison",
    "LogRankResult",
    "SBGFit",
    "SurvivalCurve",
    "churn_durations",
    "cohort_matrix",
    "cohort_table",
    "cox_design",
    "cox_regression",
    "fit_sbg",
    "kaplan_meier",
    "kaplan_meier_by",
    "landmark_comparison",
    "logrank_test",
    "project_sbg",
    "retention_by_channel",
    "rolling_retention",
    "sbg_expected_remaining_lifetime",
    "sbg_retention_rate",
    "sbg_survival",
    "survival_summary",
    "win_back_list",
]
