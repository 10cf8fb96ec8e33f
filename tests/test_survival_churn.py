"""kamlab.survival.churn_durations: the inactivity rule by hand and by property."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from kamlab import survival as sv


def _tx(rows):
    return pd.DataFrame(rows, columns=["customer_id", "date", "amount"]).assign(date=lambda f: pd.to_datetime(f["date"]))


def test_churn_durations_by_hand():
    # observation end 2020-12-31, inactivity 180 days: churn visible up to the horizon 2020-07-04
    tx = _tx([("a", "2020-01-01", 10), ("a", "2020-03-01", 5),          # last buy before the horizon: lost
              ("b", "2020-02-01", 7), ("b", "2020-12-01", 1),          # bought 30 days ago: censored at the horizon
              ("c", "2020-06-01", 3),                                   # one purchase, 213 days ago: lost at age 0
              ("d", "2020-06-20", 2), ("d", "2020-07-05", 4),          # last buy 179 days ago: censored
              ("f", "2020-10-01", 6),                                   # first seen after the horizon: too new
              ("e", "2021-02-01", 9)])                                  # after observation end: ignored
    out = sv.churn_durations(tx, "2020-12-31", inactivity=180)
    assert list(out.index) == ["a", "b", "c", "d"] and out.attrs["too_new"] == 1
    assert out["churned"].tolist() == [True, False, True, False]
    assert out["duration_days"].tolist() == [60.0, 154.0, 0.0, 14.0]
    assert out.loc["a", "churn_date"] == pd.Timestamp("2020-03-01") and pd.isna(out.loc["b", "churn_date"])
    assert out["days_since_last"].tolist() == [305.0, 30.0, 213.0, 179.0]
    # a last purchase exactly `inactivity` days before the end counts as lost
    for threshold in (179, "179D"):
        shorter = sv.churn_durations(tx, "2020-12-31", inactivity=threshold)
        assert shorter.loc["d", "churned"] and shorter.loc["d", "duration_days"] == 15.0


def test_churn_durations_from_a_landmark():
    # landmark 2020-04-01, observation end 2020-12-31, 180 days: time 0 is the landmark, and a loss is dated
    # on the day the rule sees it, 180 days after the last purchase
    tx = _tx([("a", "2020-01-01", 10), ("a", "2020-03-01", 5),          # active at the landmark, never again:
                                                                        # lost 2020-08-28, 149 days after it
              ("b", "2020-02-01", 7), ("b", "2020-12-01", 1),          # still buying: censored at the end, 274 days
              ("g", "2019-06-01", 3),                                   # lost before the landmark: left out
              ("h", "2020-03-15", 2), ("h", "2020-05-10", 4),          # lost 2020-11-06, 219 days after it
              ("c", "2020-06-01", 3)])                                  # first seen after the landmark: too new
    out = sv.churn_durations(tx, "2020-12-31", inactivity=180, landmark="2020-04-01")
    assert list(out.index) == ["a", "b", "h"]
    assert out["churned"].tolist() == [True, False, True]
    assert out["duration_days"].tolist() == [149.0, 274.0, 219.0]
    assert out.loc["a", "churn_date"] == pd.Timestamp("2020-03-01")     # the churn date stays the last purchase
    assert out.attrs == {"too_new": 1, "lost_before_landmark": 1, "silent_after_landmark": 1}
    curve = sv.kaplan_meier(out["duration_days"], out["churned"])
    assert curve.at(0)["survival"].iloc[0] == 1.0                      # everybody active at the landmark starts at 100 %
    # a landmark later than the last day a churn can be seen still works until the end of the data
    late = sv.churn_durations(tx, "2020-12-31", inactivity=180, landmark="2020-08-01")
    assert late["duration_days"].to_dict() == {"a": 27.0, "c": 119.0, "h": 97.0}
    assert late.attrs["lost_before_landmark"] == 2                       # g, and b silent for 182 days at the landmark
    with pytest.raises(ValueError, match="must come before observation_end 2020-12-31"):
        sv.churn_durations(tx, "2020-12-31", inactivity=180, landmark="2020-12-31")


def test_kaplan_meier_on_churn_durations_recovers_a_known_lifetime_distribution():
    # accounts buy every 10 days for G ~ Geometric(p) purchases, acquired over 1000 days:
    # time from first to last purchase T = 10 (G - 1), so S(t) = (1 - p) ** (floor(t / 10) + 1)
    rng = np.random.default_rng(3)
    n, p = 4000, 0.08
    first, count = rng.integers(0, 1000, n), rng.geometric(p, n)
    who = np.repeat(np.arange(n), count)
    day = first[who] + 10 * (np.arange(len(who)) - np.repeat(np.cumsum(count) - count, count))
    tx = pd.DataFrame({"customer_id": who.astype(str), "amount": 1.0,
                       "date": pd.Timestamp("2020-01-01") + pd.to_timedelta(day, unit="D")})
    durations = sv.churn_durations(tx, pd.Timestamp("2020-01-01") + pd.Timedelta(days=999), inactivity=30)
    curve = sv.kaplan_meier(durations["duration_days"], durations["churned"])
    t = np.array([0, 50, 100, 200, 300])
    truth = (1 - p) ** (np.floor(t / 10) + 1)
    se = curve.table["se"].to_numpy()[np.searchsorted(curve.table.index, t, side="right") - 1]
    assert np.all(np.abs(curve.at(t)["survival"].to_numpy() - truth) < 4 * se)


def test_churn_durations_explains_bad_input():
    tx = _tx([("a", "2020-01-01", 10)])
    with pytest.raises(KeyError, match="load_transactions"):
        sv.churn_durations(tx.rename(columns={"date": "day"}), "2020-12-31")
    with pytest.raises(ValueError, match="positive"):
        sv.churn_durations(tx, "2020-12-31", inactivity=0)
    with pytest.raises(ValueError, match="no churn can be observed"):
        sv.churn_durations(tx, "2019-12-31")
    bad = tx.astype({"customer_id": object})
    bad.loc[0, "customer_id"] = None
    with pytest.raises(ValueError, match=r"'customer_id': 1 missing values \(rows 0\)"):
        sv.churn_durations(bad, "2020-12-31")


from survival_samples import transactions_strategy  # noqa: E402


@settings(max_examples=60, deadline=None)
@given(transactions_strategy, st.integers(1, 200), st.integers(0, 420))
def test_censored_accounts_are_never_counted_as_churned(tx, inactivity, end_day):
    end = pd.Timestamp("2021-01-01") + pd.Timedelta(days=end_day)
    horizon = end - pd.Timedelta(days=inactivity)
    seen = tx[tx["date"] <= end]
    first = seen.groupby("customer_id")["date"].min()
    if (first > horizon).all():
        with pytest.raises(ValueError, match="no churn can be observed"):
            sv.churn_durations(tx, end, inactivity=inactivity)
        return
    out = sv.churn_durations(tx, end, inactivity=inactivity)
    assert set(out.index) == set(first.index[first <= horizon])
    assert out.attrs["too_new"] == (first > horizon).sum()
    recent = seen.loc[seen["date"] > horizon, "customer_id"].unique()
    assert not out.loc[out.index.isin(recent), "churned"].any()          # bought inside the window: censored
    assert out.loc[~out.index.isin(recent), "churned"].all()             # no purchase inside it: lost
    assert out["churn_date"].isna().equals(~out["churned"])
    assert (out["duration_days"] >= 0).all()
    censored = out[~out["churned"]]                                      # censored at the horizon, same age rule
    assert (censored["duration_days"] == (horizon - censored["first_purchase"]).dt.days).all()


