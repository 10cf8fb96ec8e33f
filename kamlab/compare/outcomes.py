"""What a key set is judged on: each account's outcomes in the holdout window."""

from __future__ import annotations

import pandas as pd

from kamlab.definitions import oracle_column

from .result import Windows


def holdout_outcomes(
    windows: Windows,
    accounts: pd.DataFrame | None,
    truth: pd.DataFrame | None,
) -> tuple[pd.DataFrame, str]:
    """The outcomes a key set is judged on, per account of the calibration window.

    - ``revenue`` = holdout revenue;
    - ``cost_to_serve`` in the holdout window: the true expected value
      (``truth.true_cost_to_serve``) on synthetic worlds, else the
      calibration ``cost_to_serve`` scaled by holdout_days / calibration_days;
    - ``gross_profit`` = holdout revenue - cost of goods, and ``profit`` =
      gross_profit - that cost-to-serve (when the transactions carry cost);
    - ``true_value`` = the truth column the oracle ranks by
      (:func:`kamlab.definitions.oracle_column`: expected holdout profit plus
      referral value, synthetic);
    - ``uplift_true`` = ``truth.true_uplift`` (synthetic).

    Returns the frame (currency units, indexed like ``windows.calhold``) and
    one sentence saying how profit was measured.
    """
    calhold = windows.calhold
    index = calhold.index
    out = pd.DataFrame({"revenue": calhold["revenue_holdout"].astype(float)}, index=index)
    cts, basis = None, ""
    if truth is not None and "true_cost_to_serve" in truth.columns:
        cts = truth["true_cost_to_serve"].reindex(index).fillna(0.0)
        basis = " minus the true expected cost-to-serve of the holdout window"
    elif accounts is not None and "cost_to_serve" in accounts.columns:
        cts = accounts["cost_to_serve"].reindex(index).fillna(0.0) * windows.holdout_days / windows.calibration_days
        basis = " minus the calibration cost-to-serve scaled to the holdout length"
    if cts is not None:
        out["cost_to_serve"] = cts.astype(float)
    if "profit_holdout" in calhold.columns:
        out["gross_profit"] = calhold["profit_holdout"].astype(float)
        out["profit"] = out["gross_profit"] - (cts if cts is not None else 0.0)
        basis = "holdout profit = revenue - cost of goods" + basis
    else:
        basis = "no profit: the transactions carry no cost"
    if truth is not None:
        column = oracle_column(truth)
        if column is not None:
            out["true_value"] = truth[column].reindex(index).fillna(0.0).astype(float)
        if "true_uplift" in truth.columns:
            out["uplift_true"] = truth["true_uplift"].reindex(index).fillna(0.0).astype(float)
    return out, basis
