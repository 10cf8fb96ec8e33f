"""The baselines shown beside the definitions: a random pick, the Pareto class A, and the oracle."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kamlab import segments

from .base import Definition, DefinitionScore, require


def random_pick(summary: pd.DataFrame, accounts: pd.DataFrame | None = None, *, seed: int = 0) -> DefinitionScore:
    """Baseline ``random``: a random score per account, uniform on [0, 1), from ``seed``.

    The scores follow the sorted ``customer_id`` order, so the same accounts
    and seed always give the same selection.
    """
    index = summary.index
    values = np.random.default_rng(seed).random(len(index))  # the i-th draw goes to the i-th id in sorted order
    if not index.is_monotonic_increasing:
        placed = np.empty(len(index))
        placed[index.argsort()] = values
        values = placed
    return RANDOM.result(pd.Series(values, index=index))


RANDOM = Definition(
    name="random", score=random_pick, needs=(), baseline=True, inputs=("seed",),
    risk="a baseline: what picking accounts blindly captures",
)


def abc_a(summary: pd.DataFrame, accounts: pd.DataFrame | None = None, *, cut: float = 0.80) -> DefinitionScore:
    """Baseline: the Pareto class A, the largest accounts that make ``cut`` of revenue.

    Scores are calibration revenue (as ``biggest``) and ``size`` is the
    number of class A accounts of ``kamlab.segments.abc_classes`` (cuts
    (``cut``, 1), 0 < cut < 1): the comparison selects exactly class A, at its own
    size, rather than the common k.
    """
    require(ABC_A, summary, ("revenue",))
    classes = segments.abc_classes(summary["revenue"], cuts=(cut, 1.0))
    return ABC_A.result(summary["revenue"], size=int((classes == "A").sum()))


ABC_A = Definition(
    name="abc_a", score=abc_a, needs=("amount",), baseline=True, rescorable=True,
    risk="a baseline: the Pareto class A (80 % of revenue), at its own size",
)

#: Truth columns the oracle can rank by, in order of preference.
ORACLE_COLUMNS = ("true_future_value", "true_future_profit")


def oracle_column(truth: pd.DataFrame | None) -> str | None:
    """The truth column the oracle ranks by: ``true_future_value`` if present, else ``true_future_profit``.

    The synthetic worlds document ``true_future_value`` (expected holdout
    profit plus the value of the accounts it refers) as the oracle's ranking:
    what keeping the account is worth; ``true_future_profit`` is its own
    profit only. Returns None when neither exists.
    """
    if truth is None:
        return None
    return next((c for c in ORACLE_COLUMNS if c in truth.columns), None)


@dataclass(frozen=True, kw_only=True)
class OracleScore(DefinitionScore):
    """The oracle's score and the truth column it ranks by."""

    column: str


def oracle(
    summary: pd.DataFrame,
    accounts: pd.DataFrame | None = None,
    *,
    truth: pd.DataFrame | None = None,
    column: str | None = None,
) -> OracleScore:
    """Baseline: the true future value of each account (synthetic worlds only).

    score_i = ``truth[column]``, by default :func:`oracle_column`: the
    expected profit of account i in the holdout window without key-account
    treatment plus the value of the accounts it refers (currency units). No
    definition can know it; it is the ceiling the others are measured against.
    """
    if truth is None:
        raise ORACLE.not_computable(("ground truth",), "only synthetic worlds know the true future value")
    column = column or oracle_column(truth) or ORACLE_COLUMNS[0]
    require(ORACLE, truth, (column,))
    return ORACLE.result(truth[column].reindex(summary.index), kind=OracleScore, column=column)


ORACLE = Definition(
    name="oracle", score=oracle, needs=("truth",), baseline=True, inputs=("truth",),
    risk="a ceiling: the accounts with the most true future value, known only in a synthetic world",
)
