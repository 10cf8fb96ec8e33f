"""Exercises of notebook 01 (synthetic worlds): knobs, seeds, the oracle, the pilot, game retention."""

from __future__ import annotations

import pandas as pd
import statsmodels.formula.api as smf

from kamlab import synth
from kamlab.course.data import cached
from kamlab.course.registry import Exercise, Mistake, Part, register

#: The notebook's default world (its parameters cell).
B2B = {"n_accounts": 400, "years": 3, "seed": 0}


@cached
def _view(discount_size_slope: float = 0.07) -> pd.DataFrame:
    world = synth.b2b_accounts(**B2B, discount_size_slope=discount_size_slope)
    return synth.account_view(world)


def _losing_biggest(discount_size_slope: float) -> int:
    view = _view(discount_size_slope)
    top = view.nlargest(int(round(0.1 * len(view))), "revenue_cal")
    return int((top["profit_cal"] < 0).sum())


def _top_decile_overlap(column: str) -> int:
    view = _view()
    n_top = int(round(0.1 * len(view)))
    calibration_top = view.nlargest(n_top, "revenue_cal").index
    return len(calibration_top.intersection(view.nlargest(n_top, column).index))


@cached
def _pilot_pvalues() -> pd.Series:
    world = synth.b2b_accounts(**B2B)
    pilot = synth.pilot_outcomes(world).join(world.accounts[["strategic_fit", "growth_potential"]])
    pilot = pilot.dropna(subset=["log_aov_ratio"])
    fit = smf.ols("log_aov_ratio ~ kam_pilot * (strategic_fit + growth_potential)", data=pilot).fit(cov_type="HC1")
    return fit.pvalues


def _significant(interactions: bool = True) -> set[str]:
    """Covariates with p < 0.05: of their interaction with kam_pilot, or of their main effect."""
    p = _pilot_pvalues()
    terms = [n for n in p.index if p[n] < 0.05 and n not in ("Intercept", "kam_pilot")]
    if interactions:
        return {n.split(":", 1)[1] for n in terms if n.startswith("kam_pilot:")}
    return {n for n in terms if ":" not in n}


@cached
def _game():
    return synth.game_players(n_players=20000, days=180, seed=0)


def _d7(payer: int | None) -> float:
    game = _game()
    events = game.events
    if payer is not None:
        events = events[events["customer_id"].isin(game.truth.index[game.truth["payer"] == payer])]
    return float(synth.retention_rates(events, game.observation_end, days=(7,))["D7"])


register(Exercise(
    "01.1",
    parts=(Part("biggest accounts that lose money, discount_size_slope = 0", lambda: _losing_biggest(0.0),
                rtol=0.0, mistakes=(Mistake(lambda: _losing_biggest(0.07), "that is the count with the default "
                                            "slope 0.07: set discount_size_slope = 0.0 and rerun"),)),),
    hints=("The size-versus-profit figure ('Big is not always profitable') and its printed line change most.",
           "Count the top-decile accounts by revenue_cal whose profit_cal is below zero."),
    answer_format="how many of the top-decile accounts by calibration revenue lose money (a count)",
    parameters={"discount_size_slope": 0.0},
))

register(Exercise(
    "01.2",
    open_ended=True,
    hints=("`synth.b2b_targets(synth.b2b_accounts(seed=s))` for s = 0..3, side by side; compare the spread "
           "of each row with its mean.",
           "A count of a few accounts out of 51 moves by whole accounts; a share of revenue averages over hundreds."),
    parameters={"seed": 1},
))

register(Exercise(
    "01.3",
    parts=(Part("accounts in both top 10 %s", lambda: _top_decile_overlap("true_future_value"), rtol=0.0,
                mistakes=(Mistake(lambda: _top_decile_overlap("revenue_holdout"),
                                  "that compares with the holdout revenue's top decile: the oracle ranks by "
                                  "true_future_value"),
                          Mistake(lambda: int(round(0.1 * len(_view()))), "that is the size of a top 10 %, "
                                  "not the overlap of two"))),),
    hints=("Take `view.nlargest(n, 'true_future_value').index` and the same for 'revenue_cal', with "
           "n = round(0.1 * len(view)).",
           "`Index.intersection` counts the accounts in both."),
    answer_format="how many accounts are in both top 10 % lists (a count)",
))

register(Exercise(
    "01.4",
    parts=(Part("interactions with p < 0.05", lambda: _significant(), kind="set",
                aliases={"neither": "none", "no": "none", "nothing": "none"},
                mistakes=(Mistake(lambda: _significant(interactions=False), "those are main effects: an interaction is a "
                                  "`kam_pilot:...` term"),)),),
    hints=("Use robust errors as the notebook does: `.fit(cov_type='HC1')`, then read `fit.pvalues` of the "
           "terms named `kam_pilot:...`.",
           "Give the covariate names of the interactions with p < 0.05, e.g. {'strategic_fit'}, or 'none'."),
    answer_format="the set of covariates whose interaction with kam_pilot has p < 0.05 (or 'none')",
    note="Whether that matches the generator is discussed in the model answer.",
))

register(Exercise(
    "01.5",
    parts=(Part("D7 retention of payers", lambda: _d7(1), share=True,
                mistakes=(Mistake(lambda: _d7(0), "that is the non-payers' D7: payers come first"),
                          Mistake(lambda: _d7(None), "that is D7 of all players: split by game.truth['payer']"))),
           Part("D7 retention of non-payers", lambda: _d7(0), share=True,
                mistakes=(Mistake(lambda: _d7(1), "that is the payers' D7: non-payers come second"),
                          Mistake(lambda: _d7(None), "that is D7 of all players: split by game.truth['payer']")))),
    hints=("Filter `game.events` to the payers' ids (`game.truth.index[game.truth['payer'] == 1]`) and call "
           "`synth.retention_rates` on it; the same for non-payers.",
           "Classic D7 counts players active exactly on day 7 after install."),
    answer_format="(D7 of payers, D7 of non-payers), shares",
))
