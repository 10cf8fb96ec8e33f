"""The randomised key-account pilot: each account's orders and value before and during it."""

from __future__ import annotations

import numpy as np
import pandas as pd


def pilot_outcomes(transactions: pd.DataFrame, calibration_end, *, pilot_days: int) -> pd.DataFrame:
    """Each account's orders and value in the pilot period and in the equally long period before it.

    The pilot is the last ``pilot_days`` days of the calibration window,
    (calibration_end - pilot_days, calibration_end]; the pre-period the
    ``pilot_days`` days before that. Value is gross profit (amount - cost)
    when the transactions carry ``cost``, revenue otherwise. The pilot's
    length is a fact of the data (``kamlab.datasets.Dataset.pilot_days``:
    the synthetic worlds document it in their params), never guessed here.

    Returns
    -------
    pd.DataFrame
        Indexed by ``customer_id`` (every account with a purchase up to
        ``calibration_end``): ``orders_pre``, ``orders_pilot`` (counts),
        ``revenue_pre``, ``revenue_pilot``, ``value_pre``, ``value_pilot``
        (currency units) and ``log_aov_ratio`` = log(average order value in
        the pilot / in the pre-period), missing unless the account ordered in
        both periods. ``attrs["value"]`` says what value is and
        ``attrs["pilot_days"]`` the period length.
    """
    if pilot_days is None or pilot_days < 1:
        raise ValueError(f"pilot_days must be >= 1, got {pilot_days}")
    end = pd.Timestamp(calibration_end)
    pilot_start = end - pd.Timedelta(days=pilot_days)
    pre_start = pilot_start - pd.Timedelta(days=pilot_days)
    tx = transactions[transactions["date"] <= end]
    frame = pd.DataFrame({
        "customer_id": tx["customer_id"].to_numpy(),
        "period": np.where(tx["date"] > pilot_start, "pilot", np.where(tx["date"] > pre_start, "pre", "before")),
        "orders": 1.0,
        "revenue": tx["amount"].to_numpy(dtype=float),
        "value": (tx["amount"] - tx["cost"] if "cost" in tx.columns else tx["amount"]).to_numpy(dtype=float),
    })
    table = frame.groupby(["customer_id", "period"])[["orders", "revenue", "value"]].sum().unstack(fill_value=0.0)
    out = pd.DataFrame(index=table.index)
    for quantity in ("orders", "revenue", "value"):
        for period in ("pre", "pilot"):
            column = (quantity, period)
            out[f"{quantity}_{period}"] = table[column] if column in table.columns else 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (out["revenue_pilot"] / out["orders_pilot"]) / (out["revenue_pre"] / out["orders_pre"])
    both = (out["orders_pre"] > 0) & (out["orders_pilot"] > 0) & (ratio > 0)
    out["log_aov_ratio"] = np.log(ratio.where(both))
    out.index.name = "customer_id"
    out.attrs.update(value="gross profit" if "cost" in tx.columns else "revenue", pilot_days=int(pilot_days))
    return out
