"""Exercises of notebook 06 (the seven definitions) on the B2B world."""

from __future__ import annotations

import pandas as pd

import kamlab.compare
from kamlab.compare import calibration_summary
import kamlab.definitions as defs
from kamlab import synth
from kamlab.course.data import cached, dataset
from kamlab.course.registry import Exercise, Mistake, Part, register

K, SEED, DRAWS = 50, 0, 200   # the notebook's k, seed, sensitivity_draws
WEIGHTS = (("growth_potential", 0.25), ("influence", 0.25), ("strategic_fit", 0.25), ("profit", 0.25))
PROFIT_ONLY = (("growth_potential", 0.0), ("influence", 0.0), ("strategic_fit", 0.0), ("profit", 1.0))


@cached
def _study(k: int = K, weights: tuple = WEIGHTS):
    return kamlab.compare.run_comparison(dataset("b2b"), k=k, n_bootstrap=0, weights=dict(weights), seed=SEED,
                                         sensitivity_draws=0, turnover=False)


def _net_profit(study) -> pd.Series:
    return study.accounts["profit_cal"] - study.accounts["cost_to_serve"]


def _losing_share(k: int) -> pd.Series:
    study = _study(k)
    net = _net_profit(study)
    return pd.Series({name: float((net.loc[study.selections[name]] < 0).mean()) for name in defs.DEFINITIONS})


def _most_changed(small: int = 20, large: int = 100) -> str:
    return str((_losing_share(large) - _losing_share(small)).abs().idxmax())


def _profit_only_overlap() -> float:
    return float(_study(weights=PROFIT_ONLY).overlap.loc["strategic", "mustnt_lose"])


def _turnover(concentration: float) -> float:
    study = _study()
    summary = calibration_summary(study.accounts)
    draws = defs.weight_sensitivity(summary, dataset("b2b").accounts, k=K, weights=dict(WEIGHTS), n_draws=DRAWS,
                                    concentration=concentration, seed=SEED)
    return float(draws["turnover"].mean())


@cached
def _run_rate_newcomers() -> pd.Index:
    """Key accounts of extra_effort on the run-rate baseline that are not key on the CLV baseline."""
    ds, study = dataset("b2b"), _study()
    summary = calibration_summary(study.accounts)
    pilot = defs.pilot_outcomes(ds.transactions, ds.calibration_end, pilot_days=ds.pilot_days)
    run_rate = defs.select(defs.extra_effort(summary, ds.accounts, pilot=pilot).scores, k=K)
    return run_rate.difference(study.selections["extra_effort"])


def _newcomers_gone() -> int:
    alive = dataset("b2b").truth["alive_at_calibration_end"]
    return int((alive.reindex(_run_rate_newcomers()) == 0).sum())


def _both(first: str = "staff_focus", second: str = "demanding") -> pd.Index:
    study = _study()
    return study.selections[first].intersection(study.selections[second])


def _oak_newcomers(**knobs) -> int:
    view = synth.account_view(synth.b2b_accounts(**knobs))
    view = view[view["revenue_cal"] > 0]
    newcomers = view["revenue_holdout"].nlargest(K).index.difference(view["revenue_cal"].nlargest(K).index)
    return int((view.loc[newcomers, "revenue_cal"] < view["revenue_cal"].median()).sum())


register(Exercise(
    "06.1",
    parts=(Part("definition whose share of money-losing key accounts changes most", _most_changed, kind="text",
                mistakes=(Mistake(lambda: "biggest", "biggest does change, but another definition changes more "
                                  "from k = 20 to k = 100"),)),),
    hints=("For each k, the share of each definition's key accounts with net_profit_cal < 0 "
           "(acc['profit_cal'] - acc['cost_to_serve']).",
           "Compare the shares at k = 20 and k = 100 definition by definition; the largest difference either way."),
    answer_format="the definition's name",
    parameters={"k": 20},
    note="Why biggest looks better at small k is in the model answer.",
))

register(Exercise(
    "06.2",
    parts=(Part("Jaccard of strategic and mustnt_lose, profit weight 1", _profit_only_overlap, share=True,
                rtol=0.0, atol=0.01,
                mistakes=(Mistake(lambda: float(_study().overlap.loc["strategic", "mustnt_lose"]), "that is the "
                                  "overlap at the default weights: put all the weight on profit"),)),
           Part("mean turnover at concentration 5", lambda: _turnover(5.0), share=True, rtol=0.0, atol=0.002,
                mistakes=(Mistake(lambda: _turnover(20.0), "that is the turnover at the default concentration 20"),),
                too_low="a smaller concentration perturbs the weights more")),
    hints=("With the weights on profit alone, the scorecard ranks by one signal; which definition ranks by "
           "nearly the same one?",
           "The Dirichlet concentration is like a sample size: the smaller it is, the further the weights wander."),
    answer_format="(Jaccard overlap of strategic and mustnt_lose with weight_profit = 1, mean turnover with "
                  "sensitivity_concentration = 5 at the default weights)",
    parameters={"weight_growth": 0.0, "weight_influence": 0.0, "weight_fit": 0.0, "weight_profit": 1.0},
))

register(Exercise(
    "06.3",
    parts=(Part("new key accounts on the run-rate baseline", lambda: len(_run_rate_newcomers()), rtol=0.0,
                mistakes=(Mistake(lambda: K, "that is the size of the run-rate key set: count those that are not "
                                  "key on the CLV baseline"),)),
           Part("of them, already gone for good", _newcomers_gone, rtol=0.0)),
    hints=("Score with `defs.extra_effort(summary, ds.accounts, pilot=defs.pilot_outcomes(ds.transactions, "
           "ds.calibration_end, pilot_days=ds.pilot_days))`, select k = 50, and compare with key['extra_effort'].",
           "The run-rate baseline assumes an account keeps buying; `ds.truth['alive_at_calibration_end']` says "
           "who had already left."),
    answer_format="(accounts key on the run-rate baseline but not on the CLV one, how many of them had left "
                  "by the calibration end)",
))

register(Exercise(
    "06.4",
    parts=(Part("accounts key under both", lambda: set(_both()), kind="set",
                mistakes=(Mistake(lambda: set(_both("staff_focus", "biggest")), "that crosses staff_focus "
                                  "with biggest, not demanding"),)),
           Part("their total profit after cost-to-serve", lambda: float(_net_profit(_study()).loc[_both()].sum()),
                rtol=0.001, mistakes=(Mistake(lambda: float(_study().accounts.loc[_both(), "profit_cal"].sum()),
                                              "that is gross profit: subtract cost_to_serve"),))),
    hints=("`key['staff_focus'].intersection(key['demanding'])`.",
           "Sum acc['net_profit_cal'] over them (revenue - cost of goods - cost-to-serve)."),
    answer_format="(set of customer_id values, their total calibration profit after cost-to-serve)",
))

register(Exercise(
    "06.5",
    parts=(Part("holdout top-50 newcomers from below the median", lambda: _oak_newcomers(oak_share=0.15),
                rtol=0.0, mistakes=(Mistake(lambda: _oak_newcomers(), "that is the default world: regenerate "
                                            "it with oak_share=0.15"),)),),
    hints=("`view = synth.account_view(synth.b2b_accounts(oak_share=0.15))`, keep accounts with revenue_cal > 0.",
           "Of the 50 largest by revenue_holdout, count those not in the 50 largest by revenue_cal and below the "
           "median revenue_cal."),
    answer_format="how many of the 50 largest holdout accounts were not among the 50 biggest and were below "
                  "the calibration median",
))
