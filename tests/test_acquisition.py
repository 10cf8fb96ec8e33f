"""Tests of kamlab.acquisition: value per install and cost per retained player, hand-worked."""

import numpy as np
import pandas as pd
import pytest

from kamlab import acquisition
from kamlab.data import MissingColumnsError


def test_value_per_install_hand_worked():
    players = pd.DataFrame(
        {"acquired": pd.to_datetime(["2024-01-01", "2024-01-05", "2024-01-06", "2024-01-20"]),
         "channel": ["organic", "paid", "paid", "paid"], "acquisition_cost": [0.0, 2.0, 3.0, 2.0]},
        index=["A", "B", "D", "C"])
    tx = pd.DataFrame({
        "customer_id": ["A", "A", "A", "B", "C"],
        "date": pd.to_datetime(["2024-01-01", "2024-01-10", "2024-01-11", "2024-01-05", "2024-01-20"]),
        "amount": [10.0, 5.0, 100.0, 4.0, 50.0], "cost": [3.0, 1.0, 30.0, 0.0, 0.0]})
    out = acquisition.value_per_install(tx, players, days=10, observation_end="2024-01-25")
    # A: (10-3) + (5-1) = 11, its day-10 purchase is outside; C is too new (acquired after 01-16)
    # paid: B brings 4, D nothing: 2 per install against a mean cost of 2.5
    assert out.loc["organic", "value_per_install"] == 11 and out.loc["organic", "installs"] == 1
    assert out.loc["paid"].to_dict() == pytest.approx(
        {"installs": 2, "cost_per_install": 2.5, "value_per_install": 2.0, "payer_share": 0.5, "roas": 0.8})
    assert np.isnan(out.loc["organic", "roas"])
    with pytest.raises(MissingColumnsError, match="channel_col="):
        acquisition.value_per_install(tx, players.drop(columns="channel"), days=10, observation_end="2024-01-25")


def test_cost_per_retained_player_divides_by_retention():
    cost = pd.Series({"paid": 2.0, "search": 3.0, "dead": 1.0})
    retention = pd.Series({"paid": 0.5, "search": 0.25, "dead": 0.0})
    out = acquisition.cost_per_retained_player(cost, retention)
    assert out["paid"] == 4.0 and out["search"] == 12.0
    assert np.isnan(out["dead"])  # nobody retained: no finite cost buys one
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        acquisition.cost_per_retained_player(cost, retention * 3)
