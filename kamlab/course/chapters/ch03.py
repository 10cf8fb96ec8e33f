"""Exercises of notebook 03 (retention versus acquisition): the formulas of kamlab.economics."""

from __future__ import annotations

import pandas as pd

from kamlab import acquisition, economics
from kamlab.course.data import dataset
from kamlab.course.registry import Exercise, Mistake, Part, register

#: The notebook's default parameters cell.
DEFAULTS = {"margin": 100.0, "retention": 0.80, "discount": 0.10, "cac": 200.0, "retention_spend": 20.0,
            "save_rate": 0.25, "breadwinner_value": 30000.0, "new_customer_value": 2500.0,
            "new_customer_cac": 1000.0, "n_new": 10, "breadwinner_success": 0.8}
FOLLOWERS, FOLLOWER_VALUE, FOLLOWER_LOSS = 5, 2000.0, 0.20   # exercise 4's concentration risk


def _multiple(retention: float) -> float:
    return economics.margin_multiple(retention, DEFAULTS["discount"])


def _payback(retention: float) -> float:
    return economics.cac_payback_periods(DEFAULTS["cac"], DEFAULTS["margin"] / 12, retention ** (1 / 12))


def _ratio(retention: float) -> float:
    return economics.retention_vs_acquisition_improvement(DEFAULTS["margin"], retention, DEFAULTS["discount"],
                                                          DEFAULTS["cac"]).ratio


def _save_rate_for(times_cheaper: float) -> float:
    """Save rate s with cac / (spend / s) = times_cheaper: the ratio is linear in s."""
    per_unit = economics.acquisition_to_retention_cost_ratio(DEFAULTS["cac"], DEFAULTS["retention_spend"], 1.0)
    return times_cheaper / per_unit


def _decision(value: float, success: float):
    return economics.breadwinner_decision(value, DEFAULTS["new_customer_value"], DEFAULTS["new_customer_cac"],
                                          n_new=DEFAULTS["n_new"], success=success)


def _tie_success() -> float:
    """Success chance at which keeping and acquiring net the same: p * V = n_new * V_new."""
    certain = _decision(DEFAULTS["breadwinner_value"], 1.0)
    return (certain.acquire_net + certain.budget) / (certain.keep_net + certain.budget)


def _keep_net_with_followers(weighted: bool = True) -> float:
    followers = FOLLOWER_LOSS * FOLLOWERS * FOLLOWER_VALUE
    if weighted:
        return _decision(DEFAULTS["breadwinner_value"] + followers, DEFAULTS["breadwinner_success"]).keep_net
    return _decision(DEFAULTS["breadwinner_value"], DEFAULTS["breadwinner_success"]).keep_net + followers


def _roas(days: int) -> pd.Series:
    game = dataset("game")
    table = acquisition.value_per_install(game.transactions, game.accounts, days=days,
                                          observation_end=game.observation_end)
    return table.loc[table["cost_per_install"] > 0, "roas"]


def _most_changed(relative: bool) -> str:
    short, long = _roas(30), _roas(61)
    change = (long / short - 1) if relative else (long - short)
    return str(change.abs().idxmax())


_DEFAULT = "that is the value at the default retention 0.8: set retention = 0.9"

register(Exercise(
    "03.1",
    parts=(Part("margin multiple", lambda: _multiple(0.9), mistakes=(Mistake(lambda: _multiple(0.8), _DEFAULT),),
                too_low="r / (1 + d - r) with r = 0.9"),
           Part("payback period (months)", lambda: _payback(0.9), rtol=0.01,
                mistakes=(Mistake(lambda: _payback(0.8), _DEFAULT),
                          Mistake(lambda: economics.cac_payback_periods(DEFAULTS["cac"], DEFAULTS["margin"], 0.9),
                                  "that is in years: count months, with margin / 12 and retention ** (1 / 12)"))),
           Part("retention-versus-acquisition ratio", lambda: _ratio(0.9), rtol=0.01,
                mistakes=(Mistake(lambda: _ratio(0.8), _DEFAULT),))),
    hints=("Only `retention` changes; the three printed numbers are the margin multiple (section 1), the "
           "payback (section 2) and 'times the ... from a 1 % cheaper acquisition' (section 3).",
           "The multiple r / (1 + d - r) grows fast as r approaches 1 + d."),
    answer_format="(margin multiple, payback in months, retention gain / acquisition gain)",
    parameters={"retention": 0.9},
    note="The model answer explains each change with its formula.",
))

register(Exercise(
    "03.2",
    parts=(Part("save rate", lambda: _save_rate_for(5.0), share=True, rtol=0.01,
                mistakes=(Mistake(lambda: DEFAULTS["save_rate"], "that is the default save rate, at which "
                                  "retention is less than 5 times cheaper"),
                          Mistake(lambda: 1 / _save_rate_for(5.0), "inverted: the ratio is "
                                  "cac / (spend / save_rate)"))),),
    hints=("The ratio is cac / (spend / save_rate): solve cac * save_rate / spend = 5.",
           "The grid table in section 4 shows the ratio for other save rates."),
    answer_format="the save rate (0-1 or per cent) at which acquisition costs 5 times one saved customer",
    parameters={"save_rate": 0.5},
))

register(Exercise(
    "03.3",
    parts=(Part("breadwinner_success at which both tie", _tie_success, share=True, rtol=0.005,
                mistakes=(Mistake(lambda: DEFAULTS["breadwinner_success"], "at the default 0.8 acquiring is "
                                  "already better: find the chance at which both net the same"),
                          Mistake(lambda: _decision(DEFAULTS["breadwinner_value"], 0.8).break_even_value,
                                  "that is the break-even breadwinner *value*; the exercise asks for the chance"))),),
    hints=("Keeping nets p x V_breadwinner - B, acquiring nets n_new x V_new - B: set them equal and solve for p.",
           "Try `economics.breadwinner_decision(..., success=p)` for a few p and watch `decision`."),
    answer_format="the chance of keeping the breadwinner (0-1 or per cent) below which acquiring is better",
))

register(Exercise(
    "03.4",
    parts=(Part("net if we keep the breadwinner", _keep_net_with_followers, rtol=0.001,
                mistakes=(Mistake(lambda: _decision(DEFAULTS["breadwinner_value"], 0.8).keep_net,
                                  "that leaves the followers out: losing the breadwinner also loses 20 % of "
                                  "their value"),
                          Mistake(lambda: _keep_net_with_followers(weighted=False), "the followers' value is "
                                  "kept only when the breadwinner is: multiply it by the success chance too"))),),
    hints=("If it leaves, the breadwinner takes 20 % of 5 x 2,000 with it: add that to the value at stake.",
           "Keeping nets p x (V_breadwinner + followers' loss) - budget; compare with acquiring's net."),
    answer_format="the net (currency units) of keeping the breadwinner, followers included",
    note="The model answer compares it with acquiring's net and gives the decision.",
))

register(Exercise(
    "03.5",
    parts=(Part("paid channel whose ROAS changes most from 30 to 61 days",
                lambda: {_most_changed(False), _most_changed(True)}, kind="text",
                mistakes=(Mistake(lambda: "organic", "organic installs cost nothing, so they have no ROAS: name "
                                  "a paid channel"),)),),
    hints=("`acquisition.value_per_install(game.transactions, game.accounts, days=d, observation_end=...)` for "
           "d = 30 and 61; compare the `roas` column of the paid channels.",
           "A change can be measured in ROAS points or relative to the 30-day ROAS: either is accepted."),
    answer_format="the channel name (absolute or relative change of ROAS)",
    parameters={"value_days": 30},
))
