"""future_profit on the value model that fits the data (kamlab.definitions.value, kamlab.clv.fit_value_model)."""

import numpy as np
import pandas as pd
import pytest

from kamlab import clv
from kamlab import definitions as defs


def no_dropout_summary(n=600, seed=0):
    """Weekly RFM of accounts that buy as Poisson processes from their first purchase on and never leave (NBD)."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(2.0, 1 / 10, n)  # repeat purchases per week
    T = rng.uniform(30, 60, n).round()  # weeks since the first purchase
    freq, rec = np.zeros(n), np.zeros(n)
    for i in range(n):
        times = np.cumsum(rng.exponential(1 / lam[i], 400))
        times = times[times <= T[i]]
        freq[i], rec[i] = len(times), (np.floor(times[-1]) if len(times) else 0.0)
    money = np.where(freq > 0, rng.gamma(8, 10, n), 0.0)
    idx = pd.Index([f"n{i:04d}" for i in range(n)], name="customer_id")
    return pd.DataFrame({"frequency": freq, "recency": rec, "T": T, "monetary_value": money,
                         "revenue": money * (freq + 1) + 50}, index=idx)


def test_future_profit_is_computable_without_detectable_dropout_and_says_which_models():
    summary = no_dropout_summary()
    fp = defs.future_profit(summary, horizon=26)
    assert isinstance(fp, defs.FutureProfitScore)
    assert fp.purchase_model == "NBD"
    assert fp.models_note.startswith("Purchases: NBD") and "Spend:" in fp.models_note
    assert np.isfinite(fp.scores).all() and (fp.scores >= 0).all()
    # the prediction is the value model's own
    model = clv.fit_value_model(summary)
    np.testing.assert_allclose(fp.clv_revenue, clv.predicted_value(model, summary, horizon=26))
    assert fp.describe_models().startswith("NBD (weeks): ")

