"""Exercises of notebook 04 (cohort survival) on the B2B world and the published sBG cohorts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kamlab import definitions, rfm, survival
from kamlab.course.data import cached, dataset
from kamlab.course.registry import Exercise, Mistake, Part, register
from kamlab.rfm import day_after

INACTIVITY, KEY_SHARE, HORIZON = 180, 0.2, 180   # the notebook's inactivity_days, key_share, a horizons_days
COX = ("key", "frequency", "industry", "service_tickets", "staff_hours")   # cox_covariates


def _lost_share(inactivity: int) -> float:
    ds = dataset("b2b")
    return float(survival.churn_durations(ds.transactions, ds.observation_end, inactivity=inactivity)["churned"].mean())


@cached
def _summary() -> pd.DataFrame:
    ds = dataset("b2b")
    return rfm.summarise_rfm(ds.transactions[ds.transactions["date"] < day_after(ds.calibration_end)], ds.calibration_end,
                             freq="W")


@cached
def _key_ids(grouping: str) -> pd.Index:
    """The notebook's key accounts: a definition on the calibration window, top KEY_SHARE."""
    return definitions.select(getattr(definitions, grouping)(_summary(), dataset("b2b").accounts), share=KEY_SHARE)


@cached
def _after(grouping: str, from_first_purchase: bool = False) -> pd.DataFrame:
    """Lifetimes after the calibration end (the fair landmark), or from the first purchase, with key/other."""
    ds = dataset("b2b")
    landmark = None if from_first_purchase else ds.calibration_end
    after = survival.churn_durations(ds.transactions, ds.observation_end, inactivity=INACTIVITY, landmark=landmark)
    return after.assign(group=np.where(after.index.isin(_key_ids(grouping)), "key", "other"))


def _key_survival(grouping: str, from_first_purchase: bool = False) -> float:
    curves = survival.kaplan_meier_by(_after(grouping, from_first_purchase), "group")
    return float(survival.survival_summary(curves, [HORIZON]).loc["key", f"S({HORIZON:g})"])


def _sbg_error(fit_years: int, cohort: str = "regular") -> float:
    counts = survival.SBG_COHORTS[cohort]
    projection = survival.project_sbg(survival.fit_sbg(counts, periods=fit_years), len(counts) - 1, counts)
    return float(projection["error_pct"].iloc[-1]) / 100


def _geometric_error(fit_years: int, cohort: str = "regular") -> float:
    """Constant yearly retention (survivors in year t / initial) ** (1 / t), projected to the last year."""
    counts = survival.SBG_COHORTS[cohort]
    rate = (counts[fit_years] / counts[0]) ** (1 / fit_years)
    last = len(counts) - 1
    return counts[0] * rate ** last / counts[last] - 1


def _hazard_ratio(covariates: tuple[str, ...], name: str) -> float:
    ds = dataset("b2b")
    after = _after("biggest")
    frame = after[["duration_days", "churned"]].assign(key=after["group"] == "key",
                                                       frequency=_summary()["frequency"].reindex(after.index))
    frame = frame.join(ds.accounts, how="left")
    usable = [c for c in covariates if c in frame.columns]
    return float(survival.cox_regression(frame.dropna(subset=usable), usable).table.loc[name, "hazard_ratio"])


_BIGGEST = "that is the biggest accounts' survival (the default grouping): set grouping"

register(Exercise(
    "04.1",
    parts=(Part("share lost, 90 days", lambda: _lost_share(90), share=True,
                mistakes=(Mistake(lambda: _lost_share(INACTIVITY), "that is the share at the default 180 days"),
                          Mistake(lambda: _lost_share(365), "that is the share at 365 days: 90 comes first"))),
           Part("share lost, 365 days", lambda: _lost_share(365), share=True,
                mistakes=(Mistake(lambda: _lost_share(INACTIVITY), "that is the share at the default 180 days"),
                          Mistake(lambda: _lost_share(90), "that is the share at 90 days: 365 comes second")))),
    hints=("The first printed line under 'Churn by inactivity' gives the share lost for the `inactivity_days` you set.",
           "A shorter threshold calls more silent accounts lost; a longer one waits for more evidence."),
    answer_format="(share of judged accounts lost at 90 days, at 365 days)",
    parameters={"inactivity_days": 90},
    note="The model answer adds the median lifetimes and the purchase cycle.",
))

register(Exercise(
    "04.2",
    parts=(Part("S(180) of mustnt_lose's key accounts", lambda: _key_survival("mustnt_lose"), share=True,
                rtol=0.0, atol=0.001,
                mistakes=(Mistake(lambda: _key_survival("biggest"), _BIGGEST + " = \"mustnt_lose\""),
                          Mistake(lambda: _key_survival("mustnt_lose", True), "that is measured from the first "
                                  "purchase (biased): use the landmark comparison"))),
           Part("S(180) of strategic's key accounts", lambda: _key_survival("strategic"), share=True,
                rtol=0.0, atol=0.001,
                mistakes=(Mistake(lambda: _key_survival("biggest"), _BIGGEST + " = \"strategic\""),
                          Mistake(lambda: _key_survival("strategic", True), "that is measured from the first "
                                  "purchase (biased): use the landmark comparison")))),
    hints=("Set `grouping` and read the 'from landmark (fair)' key row of the key-versus-other table.",
           "S(180) is the share of key accounts not yet lost 180 days after the calibration end, i.e. that bought "
           "again after it."),
    answer_format="(S(180) after the landmark for mustnt_lose's key accounts, for strategic's)",
    parameters={"grouping": "mustnt_lose"},
))

register(Exercise(
    "04.3",
    open_ended=True,
    hints=("To be among the biggest in the calibration window, an account must have stayed long enough to "
           "buy a lot: its early life cannot end in a loss.",
           "Compare the key accounts' S(180) in the two halves of the key-versus-other table."),
))

register(Exercise(
    "04.4",
    parts=(Part("sBG year-12 error", lambda: _sbg_error(4), share=True, rtol=0.0, atol=0.002,
                too_low="the sBG model fitted on fewer years under-projects, but not by that much",
                mistakes=(Mistake(lambda: _sbg_error(7), "that is the 7-year fit: set sbg_fit_years = 4"),
                          Mistake(lambda: _sbg_error(4, "high end"), "that is the high-end cohort: give the "
                                  "regular one"))),
           Part("geometric year-12 error", lambda: _geometric_error(4), share=True, rtol=0.0, atol=0.002,
                mistakes=(Mistake(lambda: _geometric_error(4, "high end"), "that is the high-end cohort: give "
                                  "the regular one"),
                          Mistake(lambda: _geometric_error(7), "fit the geometric rate on year 4, as the "
                                  "exercise says")))),
    hints=("Read `error_pct` of period 12 in the projection of the regular cohort after setting "
           "sbg_fit_years = 4.",
           "Geometric: rate = (survivors[4] / 1000) ** (1 / 4); projected year 12 = 1000 * rate ** 12; error = "
           "projected / actual - 1."),
    answer_format="(sBG error, geometric error) of the year-12 projection, regular cohort, (projected - actual) / actual",
    parameters={"sbg_fit_years": 4},
))

register(Exercise(
    "04.5",
    parts=(Part("hazard ratio of strategic_fit", lambda: _hazard_ratio(COX + ("strategic_fit",), "strategic_fit"),
                rtol=0.0, atol=0.002,
                mistakes=(Mistake(lambda: _hazard_ratio(COX, "key"), "that is the key accounts' hazard ratio: "
                                  "read the strategic_fit row"),)),),
    hints=("Add the name to the `cox_covariates` list and read the `hazard_ratio` column of `cox.table`.",
           "Below 1 means a longer life per point of strategic fit."),
    answer_format="strategic_fit's hazard ratio per point of fit",
    parameters={"cox_covariates": list(COX + ("strategic_fit",))},
    note="The model answer compares key's hazard ratio with and without it, and what a causal claim needs.",
))


@cached
def _win_back(inactivity: int) -> pd.DataFrame:
    ds = dataset("b2b")
    return survival.win_back_list(ds.transactions, ds.observation_end, inactivity=inactivity)


def _leavers(inactivity: int = 365) -> pd.Index:
    """Accounts on the default (180-day) win-back list that are not lost at ``inactivity`` days."""
    return _win_back(INACTIVITY).index.difference(_win_back(inactivity).index)


def _leavers_value_share(of: int = INACTIVITY) -> float:
    lost = _win_back(INACTIVITY)["value_lost"]
    return float(lost.loc[_leavers()].sum() / _win_back(of)["value_lost"].sum())


register(Exercise(
    "04.6",
    parts=(Part("accounts that leave the win-back list", lambda: len(_leavers()), rtol=0.0,
                mistakes=(Mistake(lambda: len(_win_back(365)), "that is the length of the 365-day list: count the "
                                  "accounts on the 180-day list that are not on it"),)),
           Part("their share of the value lost", _leavers_value_share, share=True,
                mistakes=(Mistake(lambda: _leavers_value_share(of=365), "divide by the value lost of the default "
                                  "180-day list, where they were"),))),
    hints=("`survival.win_back_list(tx, ds.observation_end, inactivity=d)` for d = 180 and 365; the accounts "
           "on the first and not on the second leave it.",
           "Share: their `value_lost` (on the 180-day list) over the 180-day list's total `value_lost`."),
    answer_format="(accounts on the 180-day list that leave it at 365 days, their share of its value lost)",
    parameters={"inactivity_days": 365},
    note="Whom to call first, and why days silent matter, is in the model answer.",
))
