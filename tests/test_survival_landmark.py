"""kamlab.survival.landmark_comparison and retention_by_channel, worked by hand."""

import numpy as np
import pandas as pd
import pytest

from kamlab import survival as sv


def _tx(rows):
    return pd.DataFrame(rows, columns=["customer_id", "date", "amount"]).assign(date=lambda f: pd.to_datetime(f["date"]))


# observation end 2020-12-31 and 180 days: churn is visible up to the horizon 2020-07-04; landmark 2020-04-01
LANDMARK_TX = _tx([
    ("k1", "2019-01-01", 50), ("k1", "2020-03-01", 50), ("k1", "2020-12-01", 50),   # key, still buying
    ("k2", "2019-01-01", 40), ("k2", "2020-03-15", 40), ("k2", "2020-05-10", 40),   # key, lost after the landmark
    ("o1", "2020-03-01", 5), ("o1", "2020-04-20", 5),                               # other, lost after the landmark
    ("o2", "2019-11-01", 5), ("o2", "2020-12-01", 5),                               # other, still buying
    ("o3", "2019-06-01", 5),                                                        # other, lost before the landmark
])


def test_landmark_comparison_by_hand():
    out = sv.landmark_comparison(LANDMARK_TX, "2020-12-31", "2020-04-01", ["k1", "k2"],
                                 inactivity=180, horizons=(90, 180, 210))
    # from the landmark (losses dated 180 days after the last purchase): k1, o2 censored at the end, 274 days;
    # k2 lost at 219 (2020-05-10 + 180), o1 at 199 (2020-04-20 + 180); o3 was lost before the landmark
    assert out.after["group"].to_dict() == {"k1": "key", "k2": "key", "o1": "other", "o2": "other"}
    assert out.after["duration_days"].tolist() == [274.0, 219.0, 199.0, 274.0]
    assert out.horizon == 210.0                      # the largest horizon within the 246 days of follow-up
    assert list(out.fair.columns) == ["accounts", "churned", "median", "S(90)", "S(180)", "S(210)"]
    assert out.fair.loc["key", "S(210)"] == 1.0 and out.fair.loc["other", "S(210)"] == 0.5
    assert out.fair.loc["other", "S(180)"] == 1.0                      # o1's loss comes on day 199
    assert all(curve.at(0)["survival"].iloc[0] == 1.0 for curve in out.curves.values())
    # from the first purchase: the key accounts' long histories are immortal time
    assert out.from_first_purchase.loc["o3", "group"] == "other"
    assert out.biased.loc["key", "S(210)"] == 1.0
    assert out.biased.loc["other", "S(210)"] == pytest.approx(1 / 3)     # o3 lost at 0 (1 of 3), o1 at 50 (1 of 2), o2 censored at 246
    assert out.logrank.groups == ("key", "other")
    assert list(out.table.index.get_level_values(0).unique()) == ["from landmark (fair)", "from first purchase (biased)"]
    assert out.landmark == pd.Timestamp("2020-04-01")


def test_landmark_comparison_reads_the_follow_up_when_no_horizon_fits():
    out = sv.landmark_comparison(LANDMARK_TX, "2020-12-31", "2020-04-01", ["k1", "k2"], inactivity=180,
                                 horizons=(365, 400))
    assert out.horizon == 246.0 and list(out.biased.columns)[3:] == ["S(246)"]   # o2's follow-up from its first purchase


def test_landmark_comparison_with_one_group_active_has_no_test():
    out = sv.landmark_comparison(LANDMARK_TX, "2020-12-31", "2020-04-01", ["o3"], inactivity=180)
    assert list(out.curves) == ["other"] and out.logrank is None
    assert out.biased.index.tolist() == ["key", "other"]


PLAYERS = pd.DataFrame({"channel": ["A", "A", "B", "B"], "acquisition_cost": [2.0, 4.0, 1.0, 1.0]},
                       index=pd.Index(["p1", "p2", "p3", "p4"], name="customer_id"))
# observation end 2020-01-31, 5 idle days: horizon 2020-01-26
ACTIVITY = _tx([("p1", "2020-01-01", 0), ("p1", "2020-01-03", 0),     # A: lost, 2 days
                ("p2", "2020-01-01", 0),                              # A: lost on day 0
                ("p3", "2020-01-01", 0), ("p3", "2020-01-30", 0),     # B: censored at 25 days
                ("p4", "2020-01-02", 0), ("p4", "2020-01-03", 0),     # B: lost, 1 day
                ("p5", "2020-01-01", 0)])                             # channel unknown: left out


def test_retention_by_channel_by_hand():
    out = sv.retention_by_channel(ACTIVITY, PLAYERS, "2020-01-31", inactivity=5, days=(1, 3))
    assert sorted(out.players.index) == ["p1", "p2", "p3", "p4"] and out.last_day == "D3"
    table = out.table
    assert table["players"].to_dict() == {"A": 2, "B": 2}
    assert table["D1"].tolist() == [0.5, 1.0]          # D1 = S(0): p2 never came back
    assert table["D3"].tolist() == [0.0, 0.5]          # D3 = S(2)
    assert table["cost_per_install"].tolist() == [3.0, 1.0]
    assert np.isnan(table.loc["A", "cost_per_retained_player"])      # nobody retained: no finite cost buys one
    assert table.loc["B", "cost_per_retained_player"] == 2.0          # 1.0 per install / 0.5 retained


def test_retention_by_channel_without_costs_has_no_cost_columns():
    out = sv.retention_by_channel(ACTIVITY, PLAYERS[["channel"]], "2020-01-31", inactivity=5, days=(1, 3))
    assert list(out.table.columns) == ["players", "D1", "D3"]
    with pytest.raises(KeyError, match="channel"):
        sv.retention_by_channel(ACTIVITY, PLAYERS.rename(columns={"channel": "source"}), "2020-01-31", inactivity=5)
