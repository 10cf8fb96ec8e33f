"""The whole study on one dataset, as named steps that hand their results forward.

    split_windows -> score_definitions -> holdout_outcomes -> rescore_next_window
        -> compare_definitions -> study_diagnostics -> per_account_table

The calibration end is decided once, in :func:`split_windows`, and travels in
the frozen :class:`~kamlab.compare.result.Windows`; every definition is
scored once, in registry (dependency) order.
"""

from __future__ import annotations

import dataclasses
from typing import Mapping

import numpy as np
import pandas as pd

from kamlab import definitions as defs
from kamlab import rfm
from kamlab.definitions import REGISTRY, DefinitionScore, NotComputable

from .evaluation import compare_definitions
from .outcomes import holdout_outcomes
from .positions import positions_in
from .result import Comparison, Diagnostics, Windows


def calibration_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """The calibration summary inside a wider table: its ``*_cal`` columns, without the suffix.

    For ``kamlab.rfm.calibration_holdout`` output or ``Comparison.accounts``:
    ``revenue_cal`` becomes ``revenue``, and so on; other columns are left out.
    """
    cal = [c for c in frame.columns if c.endswith("_cal")]
    return frame[cal].rename(columns=lambda c: c[: -len("_cal")])


def split_windows(dataset, calibration_end=None, pilot_days: int | None = None) -> Windows:
    """Split the transactions at the calibration end and summarise both windows, in weeks.

    The calibration end is ``calibration_end`` or the dataset's own; the
    observation end the dataset's, else the day of the last purchase. The
    accounts to choose from are those with a purchase in the calibration
    window. The pilot length is ``pilot_days`` or the dataset's
    (``Dataset.pilot_days``; None when the data document none).

    A dataset without transactions but with a precomputed summary
    (``Dataset.calhold``, computed where the data live) gives its windows
    from ``Dataset.calibration_end``, ``observation_end`` and ``first_date``
    (:func:`summary_windows`).
    """
    tx = dataset.transactions
    if tx is None:
        return summary_windows(dataset, calibration_end, pilot_days)
    first, last = tx["date"].min(), tx["date"].max()
    obs_end = pd.Timestamp(dataset.observation_end) if dataset.observation_end is not None else last.normalize()
    cal_end = pd.Timestamp(calibration_end if calibration_end is not None else dataset.calibration_end)
    _check_split(first, cal_end, obs_end)
    calhold = rfm.calibration_holdout(tx, cal_end, obs_end, freq="W")
    return _windows(dataset, calhold, first, cal_end, obs_end, pilot_days)


def _check_split(first: pd.Timestamp, cal_end: pd.Timestamp, obs_end: pd.Timestamp) -> None:
    if not first < cal_end < obs_end:
        raise ValueError(
            f"calibration_end {cal_end.date()} must fall inside the data, after the first purchase "
            f"({first.date()}) and before the observation end ({obs_end.date()})"
        )


def _windows(dataset, calhold: pd.DataFrame, first, cal_end, obs_end, pilot_days) -> Windows:
    return Windows(
        calibration_end=cal_end, observation_end=obs_end, first_date=first,
        holdout_days=float((obs_end - cal_end).days), holdout_weeks=float(calhold["duration_holdout"].iloc[0]),
        calibration_days=float((cal_end - first).days + 1),
        pilot_days=pilot_days if pilot_days is not None else dataset.pilot_days,
        calhold=calhold, summary=calibration_summary(calhold),
    )


#: The columns of kamlab.rfm.calibration_holdout a precomputed summary must carry (``profit_*`` with cost data).
CALHOLD_COLUMNS = ("frequency_cal", "recency_cal", "T_cal", "monetary_value_cal", "revenue_cal",
                   "frequency_holdout", "monetary_value_holdout", "revenue_holdout", "duration_holdout")


def summary_windows(dataset, calibration_end=None, pilot_days: int | None = None) -> Windows:
    """The windows of a dataset given as a precomputed calibration/holdout summary (``Dataset.calhold``).

    The summary was split where it was computed: at ``Dataset.calibration_end``
    (a different ``calibration_end`` needs the transactions, or a summary
    split there), ending at ``Dataset.observation_end``, the data starting on
    ``Dataset.first_date``; the lengths of the windows follow from these
    dates as in :func:`split_windows`. Raises ValueError naming what is missing.
    """
    calhold, name = dataset.calhold, dataset.name
    if calhold is None:
        raise ValueError(f"dataset {name!r} has no transactions and no calibration/holdout summary (calhold): "
                         "nothing to compare (summary-only data such as cdnow_summary cannot be compared)")
    dates = {"calibration_end": dataset.calibration_end, "observation_end": dataset.observation_end,
             "first_date": dataset.first_date}
    problems = [f"Dataset.{key} is not set" for key, value in dates.items() if value is None]
    missing = [c for c in CALHOLD_COLUMNS if c not in calhold.columns]
    if missing:
        problems.append(f"calhold lacks the columns {missing} of kamlab.rfm.calibration_holdout")
    if len(calhold) == 0:
        problems.append("calhold has no accounts")
    if problems:
        raise ValueError(f"dataset {name!r} (a precomputed summary): " + "; ".join(problems))
    first, cal_end, obs_end = (pd.Timestamp(dates[key]) for key in ("first_date", "calibration_end",
                                                                      "observation_end"))
    if calibration_end is not None and pd.Timestamp(calibration_end).normalize() != cal_end.normalize():
        raise ValueError(f"dataset {name!r} is a summary split at {cal_end.date()}; calibration_end "
                         f"{pd.Timestamp(calibration_end).date()} needs the transactions, or a summary split there")
    _check_split(first, cal_end, obs_end)
    return _windows(dataset, calhold, first, cal_end, obs_end, pilot_days)


def next_window_summary(transactions: pd.DataFrame, windows: Windows) -> pd.DataFrame | None:
    """:func:`kamlab.rfm.summarise_rfm` (weeks) of the window moved forward by the holdout length; None if empty.

    The next window holds the purchases after ``windows.next_start`` (the
    first date plus the holdout length) up to the end of the observation
    end's day: what ``Dataset.next_summary`` holds when the summary is computed elsewhere.
    """
    tx = transactions
    window = tx[(tx["date"] > windows.next_start) & (tx["date"] < rfm.day_after(windows.observation_end))]
    if window.empty:
        return None
    return rfm.summarise_rfm(window, windows.observation_end, freq="W")


#: The dropout models fit_value_model may choose, by the name of the model chosen.
_FAMILY = {"BG/NBD": ("bgnbd",), "Pareto/NBD": ("pareto_nbd",), "NBD": ()}


def _options(windows: Windows, weights, annual_discount_rate: float, models=None) -> dict[str, dict]:
    future = {"horizon": windows.holdout_weeks, "annual_discount_rate": annual_discount_rate}
    return {"future_profit": future if models is None else {**future, "models": models},
            "strategic": {"weights": weights}}


def score_definitions(dataset, windows: Windows, *, seed: int, weights, annual_discount_rate: float,
                      registry=REGISTRY) -> dict[str, DefinitionScore | NotComputable]:
    """Score every definition once on the calibration window, in registry order.

    ``future_profit`` predicts the holdout length; ``extra_effort`` gets the
    pilot of the last ``windows.pilot_days`` of the calibration window, the
    holdout length in days, and ``future_profit``'s expected value as its
    baseline (its registry inputs). A pilot flag without a documented pilot
    length leaves ``extra_effort`` not computable, saying so; so does a
    dataset given as a precomputed summary (the pilot's outcomes need the transactions).
    """
    accounts = dataset.accounts
    inputs: dict = {"horizon_days": windows.holdout_days}
    options = _options(windows, weights, annual_discount_rate)
    if accounts is not None and "kam_pilot" in accounts.columns:
        if not windows.pilot_days:
            options["extra_effort"] = {"missing_pilot": "pilot_days"}
        elif dataset.transactions is None:  # a precomputed summary has no orders before and during the pilot
            options["extra_effort"] = {"missing_pilot": "transactions"}
        else:
            inputs["pilot"] = defs.pilot_outcomes(dataset.transactions, windows.calibration_end,
                                                  pilot_days=windows.pilot_days)
    return defs.score_all(windows.summary, accounts, truth=dataset.truth, seed=seed, inputs=inputs,
                          options=options, registry=registry)


def rescore_next_window(dataset, windows: Windows, scores: Mapping, *, weights, annual_discount_rate: float,
                        registry=REGISTRY) -> dict[str, DefinitionScore | NotComputable]:
    """Re-score the rescorable definitions on the window moved forward by the holdout length.

    The next window is (first date + holdout, observation end]; only
    definitions computed from transactions (``Definition.rescorable``) and
    computable on the calibration window are re-scored; nothing is when the
    next window holds no purchase. ``future_profit`` is re-scored with the
    purchase model family it chose on the calibration window (the same
    definition on new data; NBD stays NBD). The next window's summary is
    :func:`next_window_summary` of the transactions, or ``Dataset.next_summary``
    for a precomputed summary (None: no turnover).
    """
    names = [e.name for e in registry if e.rescorable and isinstance(scores.get(e.name), DefinitionScore)]
    if dataset.transactions is None:
        later = dataset.next_summary
    else:
        later = next_window_summary(dataset.transactions, windows)
    if later is None or later.empty:
        return {}
    fp = scores.get("future_profit")
    models = _FAMILY.get(fp.purchase_model) if isinstance(fp, defs.FutureProfitScore) else None
    return defs.score_all(later, None, options=_options(windows, weights, annual_discount_rate, models),
                          registry=registry, names=names)


def study_diagnostics(dataset, windows: Windows, scores: Mapping, result: Comparison, basis: str, *,
                      weights, sensitivity_draws: int, seed: int) -> Diagnostics:
    """The strategic weight sensitivity and future_profit's predicted against actual holdout value."""
    found: dict = {}
    if isinstance(scores.get("strategic"), DefinitionScore) and sensitivity_draws > 0:
        sens = defs.weight_sensitivity(windows.summary, dataset.accounts, k=result.k, weights=weights,
                                       n_draws=sensitivity_draws, seed=seed)
        found.update(strategic_weight_turnover=float(sens["turnover"].mean()),
                     strategic_weight_turnover_p90=float(sens["turnover"].quantile(0.9)))
    fp = scores.get("future_profit")
    if isinstance(fp, defs.FutureProfitScore):
        chosen = result.selections["future_profit"]
        calhold = windows.calhold
        actual = calhold["profit_holdout"] if "profit_holdout" in calhold.columns else calhold["revenue_holdout"]
        at = result.key_positions.get("future_profit")
        found.update(future_profit_predicted=_sum_over(fp.expected_value, chosen, calhold.index, at),
                     future_profit_actual=_sum_over(actual, chosen, calhold.index, at),
                     future_profit_models=f"{fp.purchase_model} and {fp.value_model.spend_model}")
    return Diagnostics(dataset=dataset.name, profit_basis=basis, **found)


def _sum_over(values: pd.Series, chosen: pd.Index, universe: pd.Index, positions: np.ndarray | None) -> float:
    """``values.reindex(chosen).sum()`` (missing = 0): by the key set's positions when ``values`` is on the universe."""
    if positions is not None and (values.index is universe or values.index.equals(universe)):
        picked = values.to_numpy(dtype=float)[positions]
    else:
        found = positions_in(chosen, values.index)
        picked = np.where(found >= 0, values.to_numpy(dtype=float)[np.maximum(found, 0)], np.nan)
    return float(pd.Series(picked).sum())


def _beside(table: pd.DataFrame, other: pd.DataFrame) -> pd.DataFrame:
    """``table.join(other)``; side by side without a join when both are on the same accounts in the same order."""
    if other.index.equals(table.index):
        return pd.concat([table, other.set_axis(table.index)], axis=1)
    return table.join(other)


def per_account_table(windows: Windows, accounts: pd.DataFrame | None, outcomes: pd.DataFrame,
                      scores: Mapping) -> pd.DataFrame:
    """One row per account to choose from: ``*_cal`` summary, attributes, ``*_holdout`` outcomes, ``score_*``.

    With cost data and a ``cost_to_serve`` attribute, ``net_profit_cal`` =
    profit_cal - cost_to_serve is the calibration profit after the service
    cost (currency units).
    """
    table = windows.summary.add_suffix("_cal")
    if accounts is not None:
        table = _beside(table, accounts.reindex(table.index))
    if "profit_cal" in table.columns and "cost_to_serve" in table.columns:
        table["net_profit_cal"] = table["profit_cal"] - pd.to_numeric(table["cost_to_serve"], errors="coerce")
    renamed = {c: f"{c}_holdout" for c in ("revenue", "profit", "gross_profit", "cost_to_serve")}
    table = _beside(table, outcomes.rename(columns=renamed))
    for name, scored in scores.items():
        if isinstance(scored, DefinitionScore):
            table[f"score_{name}"] = scored.scores.reindex(table.index)
    return table


def run_comparison(
    dataset,
    *,
    k: int | None = None,
    share: float | None = None,
    calibration_end=None,
    n_bootstrap: int = 1000,
    seed: int = 0,
    level: float = 0.95,
    programme_cost: float = 0.0,
    weights: Mapping[str, float] | None = None,
    pilot_days: int | None = None,
    annual_discount_rate: float = 0.10,
    sensitivity_draws: int = 200,
    turnover: bool = True,
    registry=REGISTRY,
    bootstrap_max_accounts: int | None = None,
) -> Comparison:
    """The whole comparison on one dataset, in one call.

    1. :func:`split_windows`: split at ``calibration_end`` (default: the
       dataset's) and summarise both windows in weeks.
    2. :func:`score_definitions`: every definition and baseline once, on the
       calibration window; ``extra_effort`` applies the lift estimated from
       the pilot to ``future_profit``'s undiscounted holdout expectation (its
       run-rate when there is no CLV), net of the extra cost-to-serve the
       pilot measured; the oracle ranks by the truth's true future value.
    3. :func:`kamlab.compare.holdout_outcomes`: what the key sets are judged
       on; ``uplift_estimated`` is the ``extra_effort`` score.
    4. :func:`rescore_next_window` (when ``turnover``): the rescorable
       definitions on the window moved forward by the holdout length.
    5. :func:`kamlab.compare.compare_definitions`, then
       :func:`study_diagnostics` (strategic weight sensitivity; predicted
       against actual holdout value of ``future_profit``'s key accounts)
       and :func:`per_account_table`.

    Parameters
    ----------
    dataset : kamlab.datasets.Dataset
        With transactions, or a precomputed summary (``calhold``, and
        ``next_summary`` for the turnover: :func:`split_windows`); accounts
        and truth when there are any.
    k, share : int or float
        Number, or share of accounts, of key accounts (give one; default share
        0.10). A k above the number of accounts to choose from is cut to it
        (and the comparison says it is degenerate: every account is key).
    calibration_end : date-like, optional
        End of the calibration window; the dataset's own by default.
    n_bootstrap, seed, level
        Bootstrap replicates (0 = no intervals), seed (also of the random
        baseline), confidence level.
    programme_cost : float
        Further cost of the programme per key account over the holdout window
        (currency units), beyond the account manager's time, which both
        uplifts already net out. The ROI divides by the measured effort cost
        plus ``programme_cost``.
    weights : mapping, optional
        Weights of the strategic scorecard.
    pilot_days : int, optional
        Length of the pilot (and of its pre-period), in days; by default
        ``dataset.pilot_days``. Without either, ``extra_effort`` is not computable.
    annual_discount_rate : float
        Discount rate of the CLV of ``future_profit``.
    sensitivity_draws : int
        Perturbed weight vectors for the strategic sensitivity (0 = skip).
    turnover : bool
        Re-score on the next window for the turnover (False saves a second CLV fit).
    registry : sequence of Definition
        The definitions to compare (default: the seven and the baselines).
    bootstrap_max_accounts : int, optional
        Most accounts to choose from whose intervals are bootstrapped; above,
        the delta method (default 200,000, :mod:`kamlab.compare.intervals`).

    Returns
    -------
    Comparison
        With ``windows``, ``diagnostics`` and the per-account table ``accounts``.
    """
    windows = split_windows(dataset, calibration_end, pilot_days)
    if k is None and share is None:
        share = 0.10
    if k is not None:  # more key accounts than candidates: every account is key, reported as degenerate
        k = max(1, min(int(k), len(windows.summary)))
    scores = score_definitions(dataset, windows, seed=seed, weights=weights,
                               annual_discount_rate=annual_discount_rate, registry=registry)
    outcomes, basis = holdout_outcomes(windows, dataset.accounts, dataset.truth)
    effort_cost = 0.0
    if isinstance(scores.get("extra_effort"), DefinitionScore):
        outcomes["uplift_estimated"] = scores["extra_effort"].scores.reindex(outcomes.index).fillna(0.0)
        effort_cost = max(0.0, scores["extra_effort"].extra_cost)
    next_scores = rescore_next_window(dataset, windows, scores, weights=weights,
                                      annual_discount_rate=annual_discount_rate,
                                      registry=registry) if turnover else {}
    result = compare_definitions(scores, outcomes, k=k, share=share, n_bootstrap=n_bootstrap, seed=seed, level=level,
                                 programme_cost=programme_cost, next_scores=next_scores, effort_cost=effort_cost,
                                 registry=registry, bootstrap_max_accounts=bootstrap_max_accounts)
    diagnostics = study_diagnostics(dataset, windows, scores, result, basis, weights=weights,
                                    sensitivity_draws=sensitivity_draws, seed=seed)
    return dataclasses.replace(result, windows=windows, diagnostics=diagnostics,
                               accounts=per_account_table(windows, dataset.accounts, outcomes, scores))
