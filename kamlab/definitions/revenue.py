"""Definitions 1 and 2, from the transactions alone: the biggest accounts and the ones we mustn't lose."""

from __future__ import annotations

import pandas as pd

from .base import Definition, DefinitionScore, require


def biggest(summary: pd.DataFrame, accounts: pd.DataFrame | None = None) -> DefinitionScore:
    """Definition 1: the biggest accounts, by calibration revenue.

    score_i = sum of the amounts account i paid in the calibration window
    (currency units).
    """
    require(BIGGEST, summary, ("revenue",), "summarise the transactions with kamlab.rfm.summarise_rfm")
    return BIGGEST.result(summary["revenue"])


BIGGEST = Definition(
    name="biggest", score=biggest, needs=("amount",), rescorable=True,
    risk="big is not profitable: discounts and cost-to-serve can eat the margin, "
    "and today's size misses tomorrow's oak trees",
)


def mustnt_lose(summary: pd.DataFrame, accounts: pd.DataFrame | None = None) -> DefinitionScore:
    """Definition 2: the accounts we mustn't lose, by their share of gross profit.

    score_i = profit_i / sum_j profit_j, profit = revenue - cost in the
    calibration window: the share of profit that would go if the account
    left. Accounts with score >= 0.10 are the source's "breadwinners"
    (``kamlab.segments.key_client_types``). If total profit is not positive
    the score is profit_i / |sum_j profit_j| (the ranking is the same).
    """
    if "profit" not in summary.columns:
        raise MUSTNT_LOSE.not_computable(("cost",), "profit = revenue - cost")
    profit = summary["profit"].astype(float)
    total = abs(profit.sum())
    return MUSTNT_LOSE.result(profit / total if total > 0 else profit)


MUSTNT_LOSE = Definition(
    name="mustnt_lose", score=mustnt_lose, needs=("amount", "cost"), rescorable=True,
    risk="pleasing a breadwinner's whims can become unprofitable, and "
    "depending on a few accounts is a concentration risk",
)
