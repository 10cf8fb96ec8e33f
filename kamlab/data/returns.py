"""Netting returns (credit notes, refunds) against the customer's earlier purchases.

Rule (last in, first out): each negative amount is subtracted from the same
customer's latest purchases on or before its date; purchases returned in full
are removed, partly returned ones keep the rest, with cost and quantity scaled
in proportion. Return amounts exceeding the earlier purchases are discarded and
reported.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def net_returns(tx: pd.DataFrame) -> tuple[pd.DataFrame, int, int, int, float]:
    """Net each return against the same customer's latest earlier purchases (LIFO).

    Returns the frame without return rows and without fully returned purchases,
    and counts: returns netted, purchases reduced, purchases removed, and the
    amount of returns that found no earlier purchase to net against.
    """
    tx = tx.copy()
    is_return = tx["amount"].to_numpy() < 0
    customers = set(tx.loc[is_return, "customer_id"])
    amount = tx["amount"].to_numpy(dtype=float).copy()
    original = amount.copy()
    unmatched = 0.0
    sub = tx[tx["customer_id"].isin(customers)]
    order = sub.assign(_ret=sub["amount"] < 0).sort_values(["customer_id", "date", "_ret"], kind="mergesort")
    positions = tx.index.get_indexer(order.index)
    cust = order["customer_id"].to_numpy()
    stack: list[int] = []
    current = None
    for pos, c in zip(positions, cust):
        if c != current:
            current, stack = c, []
        if amount[pos] >= 0:
            stack.append(pos)
            continue
        remaining = -amount[pos]
        while remaining > 1e-9 and stack:
            top = stack[-1]
            take = min(remaining, amount[top])
            amount[top] -= take
            remaining -= take
            if amount[top] <= 1e-9:
                amount[top] = 0.0
                stack.pop()
        unmatched += remaining
    purchases = ~is_return
    reduced = purchases & (amount < original) & (amount > 0)
    removed = purchases & (amount == 0) & (original > 0)
    ratio = np.divide(amount, original, out=np.ones_like(amount), where=original > 0)
    for col in ("cost", "quantity"):
        if col in tx:
            tx[col] = tx[col].to_numpy(dtype=float) * ratio
    tx["amount"] = amount
    keep = purchases & ~removed
    return tx[keep], int(is_return.sum()), int(reduced.sum()), int(removed.sum()), unmatched


