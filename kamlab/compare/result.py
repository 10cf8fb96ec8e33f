"""The results of a comparison: the windows of the study, its diagnostics, and the comparison itself."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True)
class Windows:
    """The time split of a study, decided once (:func:`kamlab.compare.split_windows`).

    Attributes
    ----------
    calibration_end, observation_end : pd.Timestamp
        Last day the definitions may see; last day of the holdout (both inclusive).
    first_date : pd.Timestamp
        The first purchase in the data.
    holdout_days, holdout_weeks, calibration_days : float
        Lengths of the windows (the holdout in days and in weeks of the
        weekly summary, the calibration window in days).
    pilot_days : int or None
        Length of the randomised pilot that ends at the calibration end, when
        the data document one.
    calhold : pd.DataFrame
        ``kamlab.rfm.calibration_holdout`` of the split, weekly: the accounts
        to choose from (they bought in the calibration window).
    summary : pd.DataFrame
        The calibration summary the definitions see (``calhold``'s ``*_cal``
        columns, without the suffix).
    """

    calibration_end: pd.Timestamp
    observation_end: pd.Timestamp
    first_date: pd.Timestamp
    holdout_days: float
    holdout_weeks: float
    calibration_days: float
    pilot_days: int | None
    calhold: pd.DataFrame = field(repr=False, compare=False)
    summary: pd.DataFrame = field(repr=False, compare=False)

    @property
    def next_start(self) -> pd.Timestamp:
        """Start of the next window for re-scoring: the first date moved forward by the holdout length."""
        return self.first_date + pd.Timedelta(days=self.holdout_days)


@dataclass(frozen=True)
class Diagnostics:
    """Further numbers of a study, beside the comparison table.

    Attributes
    ----------
    dataset : str
        Dataset name.
    profit_basis : str
        One sentence saying how holdout profit was measured.
    strategic_weight_turnover, strategic_weight_turnover_p90 : float or None
        Mean and 90th percentile share of strategic key accounts replaced
        when the scorecard weights are perturbed (None when not computed).
    future_profit_predicted, future_profit_actual : float or None
        Undiscounted predicted and actual holdout gross profit (revenue
        without cost data) of future_profit's key accounts (currency units).
    future_profit_models : str or None
        The purchase and spend models future_profit used, e.g. "BG/NBD and Gamma-Gamma".
    """

    dataset: str
    profit_basis: str
    strategic_weight_turnover: float | None = None
    strategic_weight_turnover_p90: float | None = None
    future_profit_predicted: float | None = None
    future_profit_actual: float | None = None
    future_profit_models: str | None = None


@dataclass(frozen=True)
class Comparison:
    """The comparison of key-account definitions on one dataset.

    Attributes
    ----------
    table : pd.DataFrame
        One row per computable definition and baseline (column ``definition``,
        in registry order); the metric columns are described in
        :func:`kamlab.compare.compare_definitions`. Metrics the data cannot
        support are left out (see ``unavailable``), never filled with zeros.
    not_computable : pd.DataFrame
        ``definition``, ``missing`` and ``reason`` ("not computable on this
        dataset: needs X") for every definition that could not be scored.
    overlap : pd.DataFrame
        Jaccard overlap |A & B| / |A | B| of the key sets, definitions by definitions.
    gains : pd.DataFrame
        Tidy gain curves: ``definition``, ``share_of_accounts`` and the captured
        share of each outcome (``revenue_captured``, ``profit_captured``).
    turnover : pd.DataFrame
        ``definition`` and ``turnover`` (share of key accounts not key again
        when the definition is re-scored on the next window), for the
        definitions that could be re-scored.
    selections : dict
        Definition -> the selected ``customer_id`` values.
    unavailable : dict
        Metric -> why it is not in the table.
    k, n_accounts : int
        Key accounts per definition, and accounts to choose from.
    level : float
        Confidence level of the intervals.
    n_bootstrap, seed : int
        Bootstrap replicates and their seed.
    interval_method : str
        How the intervals of the captured shares were computed: "bootstrap"
        (percentile bootstrap over accounts), "delta method" (the normal
        interval of a ratio of sums, above
        :data:`kamlab.compare.intervals.BOOTSTRAP_MAX_ACCOUNTS` accounts) or
        "none" (``n_bootstrap`` = 0).
    key_positions : dict
        Definition -> positions of its key accounts (most key first) among
        the accounts to choose from, in the order of the outcomes (and of
        ``accounts``): ``selections`` as integer positions.
    programme_cost : float
        Further cost of the programme per key account (currency units, holdout
        window), beyond the effort cost the uplifts already net out.
    effort_cost : float
        The effort cost per key account the uplifts already net out (the extra
        cost-to-serve measured in the pilot), part of the ROI's denominator.
    scores : dict
        The scores compared (name -> DefinitionScore or NotComputable).
    unstable : dict
        Outcome -> why its captured shares are unstable (a net total that
        nearly cancels, :func:`kamlab.compare.quality.unstable_shares`).
    degenerate : tuple of str
        Why the candidates or the holdout cannot rank the definitions (too
        few accounts, no holdout purchases, ...); empty when they can.
    windows : Windows or None
        From :func:`kamlab.compare.run_comparison`: the split of the study.
    diagnostics : Diagnostics or None
        From :func:`kamlab.compare.run_comparison`: further numbers of the study.
    accounts : pd.DataFrame
        From :func:`kamlab.compare.run_comparison`: one row per account to
        choose from, with the calibration summary (``*_cal``), the account
        attributes, the holdout outcomes (``*_holdout``, ``true_value``,
        ``uplift_*``) and every definition's score (``score_<name>``); empty otherwise.
    """

    table: pd.DataFrame
    not_computable: pd.DataFrame
    overlap: pd.DataFrame
    gains: pd.DataFrame
    turnover: pd.DataFrame
    selections: dict[str, pd.Index]
    unavailable: dict[str, str]
    k: int
    n_accounts: int
    level: float
    n_bootstrap: int
    seed: int
    programme_cost: float
    effort_cost: float = 0.0
    scores: dict = field(default_factory=dict, repr=False)
    interval_method: str = "bootstrap"
    key_positions: dict = field(default_factory=dict, repr=False, compare=False)
    unstable: dict[str, str] = field(default_factory=dict)
    degenerate: tuple[str, ...] = ()
    windows: Windows | None = None
    diagnostics: Diagnostics | None = None
    accounts: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
