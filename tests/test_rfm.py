"""kamlab.rfm against lifetimes (oracle), the published CDNOW summary and hand-worked cases."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lifetimes.utils import summary_data_from_transaction_data

from kamlab import datasets
from kamlab.rfm import calibration_holdout, summarise_rfm

RFM = ["frequency", "recency", "T", "monetary_value"]


def _lifetimes(tx, end, **kw):
    return summary_data_from_transaction_data(
        tx, "customer_id", "date", "amount", observation_period_end=end, **kw
    )


def _assert_same(ours, ref):
    assert ours.index.equals(ref.index.sort_values())
    ref = ref.reindex(ours.index)
    for col in RFM:
        np.testing.assert_allclose(ours[col], ref[col], rtol=1e-12, atol=1e-9, err_msg=col)


@pytest.fixture(scope="module")
def cdnow():
    return datasets.load("cdnow").transactions


@pytest.mark.parametrize("freq, mult", [("D", 1), ("W", 1), ("D", 7), ("M", 1)])
def test_identical_to_lifetimes_on_cdnow(cdnow, freq, mult):
    ours = summarise_rfm(cdnow, "1998-06-30", freq=freq, freq_multiplier=mult)
    if freq == "M":
        # lifetimes divides by np.timedelta64(1, "M"), which numpy cannot convert
        # for datetimes; compare frequency and monetary value only, and check ages
        # are whole calendar months.
        ref = _lifetimes(cdnow, "1998-06-30", freq="D").reindex(ours.index)
        assert (ours["recency"] % 1 == 0).all() and (ours["T"] % 1 == 0).all()
        assert (ours["T"] <= 17).all() and (ours["T"] >= 15).all()  # first bought Jan-Mar 1997
        assert (ours["frequency"] <= ref["frequency"]).all()
        return
    _assert_same(ours, _lifetimes(cdnow, "1998-06-30", freq=freq, freq_multiplier=mult))


def test_identical_to_lifetimes_on_generated_log_with_same_day_purchases():
    rng = np.random.default_rng(7)
    n = 20_000
    tx = pd.DataFrame(
        {
            "customer_id": [f"c{i}" for i in rng.integers(0, 3_000, n)],
            "date": pd.Timestamp("2021-03-01") + pd.to_timedelta(rng.integers(0, 400, n), unit="D"),
            "amount": rng.gamma(2, 30, n).round(2),
        }
    )
    for freq in ["D", "W"]:
        _assert_same(summarise_rfm(tx, "2022-06-30", freq=freq), _lifetimes(tx, "2022-06-30", freq=freq))
    # rows after the observation end are ignored by both
    _assert_same(summarise_rfm(tx, "2021-12-31"), _lifetimes(tx, "2021-12-31"))


def test_reproduces_published_cdnow_summary_from_sample_transactions():
    tx = datasets.load("cdnow_sample").transactions
    ours = summarise_rfm(tx, "1997-09-30", freq="D", freq_multiplier=7)
    published = datasets.load("cdnow_summary").summary
    published.index = published.index.str.zfill(4)
    joined = ours.join(published, rsuffix="_pub", how="inner")
    assert len(joined) == 2_357
    assert (joined["frequency"] == joined["frequency_pub"]).all()
    # published to two decimals
    assert (joined["recency"] - joined["recency_pub"]).abs().max() <= 0.005
    assert (joined["T"] - joined["T_pub"]).abs().max() <= 0.005


def test_revenue_and_profit_totals():
    tx = pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "b"],
            "date": pd.to_datetime(["2020-01-01", "2020-01-01", "2020-01-10", "2020-01-05"]),
            "amount": [10.0, 5.0, 20.0, 7.0],
            "cost": [4.0, 1.0, 15.0, 9.0],
        }
    )
    out = summarise_rfm(tx, "2020-01-31")
    assert out.loc["a"].tolist() == [1.0, 9.0, 30.0, 20.0, 35.0, 15.0]
    assert out.loc["b"].tolist() == [0.0, 0.0, 26.0, 0.0, 7.0, -2.0]
    assert list(out.columns) == RFM + ["revenue", "profit"]


def test_calibration_holdout_hand_worked():
    tx = pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "a", "a", "b", "b", "c"],
            "date": pd.to_datetime(
                ["2020-01-01", "2020-01-15", "2020-02-03", "2020-02-03", "2020-02-20",
                 "2020-01-20", "2020-03-15", "2020-02-10"]
            ),
            "amount": [10.0, 20.0, 5.0, 6.0, 9.0, 8.0, 100.0, 50.0],
            "cost": [1.0, 2.0, 1.0, 1.0, 1.0, 1.0, 90.0, 5.0],
        }
    )
    out = calibration_holdout(tx, "2020-01-31", "2020-03-31")
    # c first buys in the holdout window: not in the calibration summary
    assert list(out.index) == ["a", "b"]
    a, b = out.loc["a"], out.loc["b"]
    assert (a.frequency_cal, a.recency_cal, a.T_cal, a.monetary_value_cal) == (1, 14, 30, 20)
    assert (a.revenue_cal, a.profit_cal) == (30, 27)
    # a buys on two distinct days in the holdout: Feb 3 (two lines, 11) and Feb 20 (9)
    assert (a.frequency_holdout, a.revenue_holdout, a.profit_holdout) == (2, 20, 17)
    assert a.monetary_value_holdout == 10
    assert (b.frequency_cal, b.T_cal, b.frequency_holdout, b.profit_holdout) == (0, 11, 1, 10)
    assert a.duration_holdout == 60  # Feb 1 .. Mar 31 2020


def test_calibration_holdout_weekly_duration_and_errors():
    tx = pd.DataFrame({"customer_id": ["a"], "date": pd.to_datetime(["2020-01-01"]), "amount": [1.0]})
    out = calibration_holdout(tx, "2020-01-31", "2020-03-31", freq="D", freq_multiplier=7)
    assert out["duration_holdout"].iloc[0] == pytest.approx(60 / 7)
    with pytest.raises(ValueError, match="must be after"):
        calibration_holdout(tx, "2020-03-31", "2020-01-31")
    with pytest.raises(KeyError, match="load_transactions"):
        summarise_rfm(tx.rename(columns={"amount": "value"}), "2020-02-01")
    with pytest.raises(ValueError, match="no transactions"):
        summarise_rfm(tx, "2019-12-31")


transactions = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c", "d", "e"]),
        st.integers(min_value=0, max_value=120),
        st.floats(min_value=0.01, max_value=1e4, allow_nan=False),
    ),
    min_size=1,
    max_size=60,
).map(
    lambda rows: pd.DataFrame(
        {
            "customer_id": [r[0] for r in rows],
            "date": pd.Timestamp("2020-01-01") + pd.to_timedelta([r[1] for r in rows], unit="D"),
            "amount": [r[2] for r in rows],
        }
    )
)


@settings(max_examples=60, deadline=None)
@given(tx=transactions, freq=st.sampled_from(["D", "W", "M"]))
def test_invariants(tx, freq):
    out = summarise_rfm(tx, "2020-06-30", freq=freq)
    assert ((out["recency"] >= 0) & (out["recency"] <= out["T"])).all()
    assert (out["frequency"] % 1 == 0).all() and (out["frequency"] >= 0).all()
    assert (out.loc[out["frequency"] == 0, "recency"] == 0).all()
    assert (out.loc[out["frequency"] == 0, "monetary_value"] == 0).all()
    assert out["revenue"].sum() == pytest.approx(tx["amount"].sum())
    assert set(out.index) == set(tx["customer_id"])
    cal_ids = set(tx.loc[tx["date"] <= "2020-02-29", "customer_id"])
    if not cal_ids:
        with pytest.raises(ValueError, match="no transactions in the calibration window"):
            calibration_holdout(tx, "2020-02-29", "2020-06-30", freq=freq)
        return
    split = calibration_holdout(tx, "2020-02-29", "2020-06-30", freq=freq)
    assert set(split.index) == cal_ids
    later = tx[(tx["date"] > "2020-02-29") & tx["customer_id"].isin(cal_ids)]["amount"].sum()
    assert split["revenue_holdout"].sum() == pytest.approx(later)


def test_windows_keep_every_purchase_on_the_boundary_days():
    # Purchases at every time of day on the calibration end and the observation end:
    # each end day is inclusive as a whole day, so nothing falls out of both windows.
    stamps = ["2020-01-01 09:00", "2020-01-31 00:00", "2020-01-31 12:30", "2020-01-31 23:59:59",
              "2020-02-01 00:00", "2020-03-31 00:00", "2020-03-31 18:00", "2020-03-31 23:59:59.999"]
    tx = pd.DataFrame({
        "customer_id": ["a", "a", "b", "a", "b", "a", "b", "a"],
        "date": pd.to_datetime(stamps, format="ISO8601"),
        "amount": [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0],
        "cost": [0.5] * 8,
    })
    for cal_end, obs_end in [("2020-01-31", "2020-03-31"),
                             (pd.Timestamp("2020-01-31 08:00"), pd.Timestamp("2020-03-31 01:00"))]:
        out = calibration_holdout(tx, cal_end, obs_end)
        assert out["revenue_cal"].sum() == 1 + 2 + 4 + 8  # all of 31 January is calibration
        assert out["revenue_cal"].sum() + out["revenue_holdout"].sum() == tx["amount"].sum()
        assert out.loc["a", "frequency_holdout"] == 1 and out.loc["b", "frequency_holdout"] == 2
        assert out["profit_cal"].sum() + out["profit_holdout"].sum() == tx["amount"].sum() - 4.0
        summary = summarise_rfm(tx, obs_end)
        assert summary["revenue"].sum() == tx["amount"].sum()  # the whole observation end day is in
        assert summary.loc["a", "T"] == 90  # whole days from 1 January to 31 March


timestamped = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c", "d"]),
        st.integers(min_value=0, max_value=90 * 24 * 60 - 1),  # minutes from 2020-01-01
        st.floats(min_value=0.01, max_value=1e4, allow_nan=False),
    ),
    min_size=1,
    max_size=50,
).map(
    lambda rows: pd.DataFrame({
        "customer_id": [r[0] for r in rows],
        "date": pd.Timestamp("2020-01-01") + pd.to_timedelta([r[1] for r in rows], unit="min"),
        "amount": [r[2] for r in rows],
    })
)


@settings(max_examples=60, deadline=None)
@given(tx=timestamped, split=st.integers(min_value=0, max_value=88))
def test_every_purchase_with_a_time_of_day_is_in_exactly_one_window(tx, split):
    cal_end = pd.Timestamp("2020-01-01") + pd.Timedelta(days=split)
    obs_end = pd.Timestamp("2020-03-30")  # day 89: the last day any purchase can fall on
    day = tx["date"].dt.normalize()
    if not (day <= cal_end).any():
        return
    out = calibration_holdout(tx, cal_end, obs_end)
    kept = tx[tx["customer_id"].isin(out.index)]
    assert out["revenue_cal"].sum() == pytest.approx(kept.loc[day[kept.index] <= cal_end, "amount"].sum())
    assert (out["revenue_cal"] + out["revenue_holdout"]).sum() == pytest.approx(kept["amount"].sum())


def test_calibration_holdout_is_summarise_rfm_and_a_groupby_of_the_holdout():
    # ids factorised once for both windows: the calibration columns must be summarise_rfm's,
    # bit for bit, and the holdout columns a plain pandas groupby of the holdout rows
    rng = np.random.default_rng(11)
    n = 30_000
    tx = pd.DataFrame({
        "customer_id": [f"k{i:05d}" for i in rng.integers(0, 4_000, n)],
        "date": pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 900 * 24, n), unit="h"),
        "amount": rng.gamma(2, 30, n).round(2),
        "cost": rng.gamma(2, 10, n).round(2),
    }).sample(frac=1.0, random_state=1)  # rows in no particular order
    cal_end, obs_end = pd.Timestamp("2022-01-31"), pd.Timestamp("2023-03-31")
    for freq, mult in [("D", 1), ("W", 1), ("D", 7)]:
        out = calibration_holdout(tx, cal_end, obs_end, freq=freq, freq_multiplier=mult)
        cal = summarise_rfm(tx, cal_end, freq=freq, freq_multiplier=mult)
        pd.testing.assert_frame_equal(out.filter(like="_cal").rename(columns=lambda c: c[:-4]), cal, check_exact=True)
        hold = tx[(tx["date"] >= cal_end + pd.Timedelta(days=1)) & (tx["date"] < obs_end + pd.Timedelta(days=1))]
        hold = hold[hold["customer_id"].isin(cal.index)]
        periods = hold["date"].dt.to_period("W-SUN" if freq == "W" else "D")
        by = hold.assign(period=periods).groupby("customer_id")
        expected = pd.DataFrame({
            "frequency_holdout": by["period"].nunique(),
            "revenue_holdout": by["amount"].sum(),
            "profit_holdout": by["amount"].sum() - by["cost"].sum(),
        }).reindex(cal.index, fill_value=0)
        assert len(expected) > len(by.groups) > 1_000  # some calibration accounts buy nothing later
        for col in expected:
            np.testing.assert_allclose(out[col], expected[col], rtol=1e-12, atol=1e-9, err_msg=col)
