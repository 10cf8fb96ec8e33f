"""Exercises of notebook 07 (the capstone comparison) on the B2B world, CDNOW and the game."""

from __future__ import annotations

import pandas as pd

import kamlab.compare
import kamlab.definitions as defs
from kamlab.course.data import cached, dataset
from kamlab.course.registry import Exercise, Mistake, Part, register

KEY_SHARE, SEED = 0.10, 0   # the notebook's key_share and seed
BASELINES = {"oracle": "none", "random": "none", "abc_a": "none"}   # baselines are not definitions


@cached
def _result(name: str = "b2b", share: float = KEY_SHARE, n_bootstrap: int = 0, seed: int = SEED,
            programme_cost: float = 0.0, calibration_end: str | None = None):
    return kamlab.compare.run_comparison(dataset(name), share=share, n_bootstrap=n_bootstrap, seed=seed,
                                         programme_cost=programme_cost, calibration_end=calibration_end,
                                         sensitivity_draws=0, turnover=False)


def _captured(**kw) -> pd.Series:
    table = _result(**kw).table.set_index("definition")
    return table.loc[[n for n in table.index if n in defs.DEFINITIONS], "profit_captured"]


def _leader(share: float) -> str:
    return str(_captured(share=share).idxmax())


def _interval_move() -> float:
    ends = ["profit_captured_low", "profit_captured_high"]
    one, two = (_result(n_bootstrap=100, seed=s).table.set_index("definition")[ends] for s in (1, 2))
    own = [n for n in one.index if n in defs.DEFINITIONS]
    return float((one.loc[own] - two.loc[own]).abs().max().max())


def _not_computable(name: str) -> set[str]:
    return {n for n in _result(name).not_computable["definition"] if n in defs.DEFINITIONS}


def _oracle_found(name: str = "game") -> int:
    picks = _result(name).selections
    found = set().union(*(set(picks[n]) for n in picks if n in defs.DEFINITIONS))
    return len(found & set(picks["oracle"]))


def _paying(programme_cost: float, column: str = "net_gain_true") -> set[str]:
    table = _result(programme_cost=programme_cost).table.set_index("definition")
    return {n for n in table.index if n in defs.DEFINITIONS and table.loc[n, column] > 0}


def _most_hurt() -> str:
    return str((_captured(calibration_end="2023-06-30") - _captured()).idxmin())


_DEFAULT_LEADER = "that is the leader at the default key_share 0.10"

register(Exercise(
    "07.1",
    parts=(Part("leader at key_share = 0.05", lambda: _leader(0.05), kind="text",
                mistakes=(Mistake(lambda: _leader(KEY_SHARE), _DEFAULT_LEADER),)),
           Part("leader at key_share = 0.25", lambda: _leader(0.25), kind="text",
                mistakes=(Mistake(lambda: _leader(KEY_SHARE), _DEFAULT_LEADER),))),
    hints=("The leader is the definition (not a baseline) with the largest share of holdout profit.",
           "Read the gain curves at 5 % and 25 % of accounts, then rerun with key_share set to check."),
    answer_format="(definition capturing most holdout profit at 5 %, at 25 %)",
    parameters={"key_share": 0.05},
    note="How the lead grows or shrinks is in the model answer.",
))

register(Exercise(
    "07.2",
    parts=(Part("largest move of a profit interval end", _interval_move, share=True, rtol=0.0, atol=0.0025,
                mistakes=(Mistake(lambda: 0.0, "the intervals do move: did you change the seed between the runs?"),)),),
    hints=("Run with n_bootstrap = 100 and seed = 1, then seed = 2; subtract the `profit_captured_low` and "
           "`_high` columns of `result.table`.",
           "Take the largest absolute difference over the seven definitions and both ends (the random "
           "baseline's own pick changes with the seed, so leave it out)."),
    answer_format="the largest change of any profit CI end between seed 1 and seed 2 (share or percentage points)",
    parameters={"n_bootstrap": 100, "seed": 1},
    note="How many replicates the second decimal needs is in the model answer.",
))

register(Exercise(
    "07.3",
    parts=(Part("definitions not computable on cdnow", lambda: _not_computable("cdnow"), kind="set",
                aliases=BASELINES, mistakes=(Mistake(lambda: _not_computable("b2b"), "that is the B2B world, where "
                                                     "every definition is computable: set dataset = \"cdnow\""),)),),
    hints=("Read the 'What could not be computed' section, or `result.not_computable`.",
           "The oracle is a baseline; name the definitions."),
    answer_format="the set of definition names",
    parameters={"dataset": "cdnow"},
    note="What the company would have to record is in the model answer.",
))

register(Exercise(
    "07.4",
    parts=(Part("oracle key accounts picked by any definition", _oracle_found, rtol=0.0,
                mistakes=(Mistake(lambda: _oracle_found("b2b"), "that is the B2B world: set dataset = \"game\""),
                          Mistake(lambda: len(_result("game").selections["oracle"]), "that is the number of the "
                                  "oracle's key accounts: count those some definition also picks"))),),
    hints=("Union the sets `result.selections[name]` of the seven definitions (not the baselines).",
           "Intersect the union with `result.selections['oracle']` and count."),
    answer_format="a count of players",
    parameters={"dataset": "game"},
))

register(Exercise(
    "07.5",
    parts=(Part("definitions whose programme still pays back", lambda: _paying(2000.0), kind="set",
                aliases=BASELINES,
                mistakes=(Mistake(lambda: _paying(0.0), "that is the set at programme_cost = 0"),
                          Mistake(lambda: _paying(2000.0, "net_gain_estimated"), "that is by the pilot's "
                                  "*estimated* net gain: first take the true one (net_gain_true)"))),),
    hints=("Rerun with programme_cost = 2000 and keep the definitions with `net_gain_true` > 0.",
           "Then compare `net_gain_estimated`: does it agree on the sign?"),
    answer_format="the set of definition names with a positive true net gain",
    parameters={"programme_cost": 2000},
    note="Whether the pilot's estimate is good enough is in the model answer.",
))

register(Exercise(
    "07.6",
    parts=(Part("definition losing most profit capture", _most_hurt, kind="text",
                mistakes=(Mistake(lambda: "oracle", "the oracle is a baseline: name a definition"),)),),
    hints=("Compare each definition's `profit_captured` with calibration_end = '2023-06-30' and with the default.",
           "The largest drop in share of holdout profit captured."),
    answer_format="the definition's name",
    parameters={"calibration_end": "2023-06-30"},
    note="Why it suffers is in the model answer.",
))
