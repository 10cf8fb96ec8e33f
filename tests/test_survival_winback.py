"""kamlab.survival.win_back_list, worked by hand and checked against churn_durations."""

import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from kamlab import data, survival as sv


def _tx(rows, cost=True):
    frame = pd.DataFrame(rows, columns=["customer_id", "date", "amount", "cost"])
    frame["date"] = pd.to_datetime(frame["date"])
    return frame if cost else frame.drop(columns="cost")


# observation end 2020-12-31, 180 idle days: lost means the last purchase is on or before 2020-07-04
ROWS = [
    ("a", "2019-01-10", 1000, 600),      # outside a's last year (2019-03-02 .. 2020-03-01)
    ("a", "2019-09-01", 200, 100),
    ("a", "2020-03-01", 300, 100), ("a", "2020-03-01", 100, 50),   # two lines of one order
    ("b", "2020-07-04", 500, 100),       # exactly 180 days silent: lost
    ("c", "2020-01-01", 80, 10), ("c", "2020-07-05", 90, 10),      # 179 days silent: still a customer
    ("d", "2018-05-01", 2000, 1900),     # big but thin margin, long gone
    ("e", "2020-02-01", 250, 0),
    ("f", "2020-01-15", 350, 0), ("f", "2021-01-10", 999, 0),      # a purchase after the end is ignored
]


def test_win_back_list_by_hand_with_cost():
    out = sv.win_back_list(_tx(ROWS), "2020-12-31", inactivity=180)
    # value lost = profit of the last year up to the last purchase: b 400, a 100 + 250, f 350, e 250, d 100
    assert list(out.index) == ["b", "a", "f", "e", "d"]            # a before f: same value, more revenue
    assert out["value_lost"].tolist() == [400.0, 350.0, 350.0, 250.0, 100.0]
    assert list(out.columns) == ["first_purchase", "last_purchase", "days_silent", "orders", "revenue", "profit",
                                 "value_lost"]
    a = out.loc["a"]
    assert a["orders"] == 3 and a["revenue"] == 1600.0 and a["profit"] == 750.0
    assert a["first_purchase"] == pd.Timestamp("2019-01-10") and a["last_purchase"] == pd.Timestamp("2020-03-01")
    assert out["days_silent"].to_dict() == {"b": 180, "a": 305, "f": 351, "e": 334, "d": 975}
    assert out.loc["f", "revenue"] == 350.0
    assert out.attrs == {"accounts": 6, "inactivity_days": 180.0, "value": "profit"}


def test_win_back_list_by_hand_without_cost_ranks_by_revenue():
    out = sv.win_back_list(_tx(ROWS, cost=False), "2020-12-31", inactivity=180)
    assert list(out.index) == ["d", "a", "b", "f", "e"]
    assert out["value_lost"].tolist() == [2000.0, 600.0, 500.0, 350.0, 250.0]
    assert "profit" not in out.columns and out.attrs["value"] == "revenue"


def test_win_back_list_value_window_and_threshold():
    tx = _tx(ROWS)
    whole = sv.win_back_list(tx, "2020-12-31", inactivity=180, value_days=10_000)
    assert whole.loc["a", "value_lost"] == whole.loc["a", "profit"] == 750.0     # a window longer than the history
    shorter = sv.win_back_list(tx, "2020-12-31", inactivity=179)
    assert "c" in shorter.index and shorter.loc["c", "days_silent"] == 179


def test_win_back_list_is_empty_when_nobody_is_lost():
    tx = _tx([("a", "2020-12-01", 10, 1), ("b", "2020-11-01", 20, 2)])
    out = sv.win_back_list(tx, "2020-12-31")
    assert out.empty and "value_lost" in out.columns and "profit" in out.columns
    assert out.attrs["accounts"] == 2


def test_win_back_list_explains_bad_input():
    tx = _tx(ROWS)
    with pytest.raises(data.MissingColumnsError, match="amount"):
        sv.win_back_list(tx.drop(columns="amount"), "2020-12-31")
    gap = tx.assign(cost=tx["cost"].astype(float).where(tx.index != 4))
    with pytest.raises(ValueError, match=r"'cost': 1 missing values \(rows 4\)"):
        sv.win_back_list(gap, "2020-12-31")
    with pytest.raises(ValueError, match="positive"):
        sv.win_back_list(tx, "2020-12-31", inactivity=0)


from survival_samples import transactions_strategy  # noqa: E402


@settings(max_examples=60, deadline=None)
@given(transactions_strategy, st.integers(1, 200), st.integers(0, 420))
def test_win_back_list_counts_the_accounts_churn_durations_calls_lost(tx, inactivity, end_day):
    end = pd.Timestamp("2021-01-01") + pd.Timedelta(days=end_day)
    out = sv.win_back_list(tx, end, inactivity=inactivity)
    try:
        durations = sv.churn_durations(tx, end, inactivity=inactivity)
        lost = set(durations.index[durations["churned"]])
    except ValueError:                       # no account old enough to judge: nobody can be lost
        lost = set()
    assert set(out.index) == lost
    seen = tx[(tx["date"] <= end) & tx["customer_id"].isin(lost)]
    assert out["revenue"].sum() == pytest.approx(seen["amount"].sum())
    assert (out["value_lost"] <= out["revenue"] + 1e-9).all()
    assert out["value_lost"].is_monotonic_decreasing


def test_a_purchase_late_on_the_end_day_counts():
    # the observation end is a whole day: an order at 17:45 on it is seen, so the account is not lost
    rows = [("g", "2020-01-02 09:00", 100, 0), ("g", "2020-12-31 17:45", 50, 0)]
    out = sv.win_back_list(_tx(rows), "2020-12-31", inactivity=180)
    assert "g" not in out.index
    durations = sv.churn_durations(_tx(rows), "2020-12-31", inactivity=180)
    assert not bool(durations.loc["g", "churned"])
