"""kamlab.survival Kaplan-Meier, log-rank and rolling retention against lifelines (test-only oracle)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from kamlab import survival as sv


def _lifelines_km(duration, event, alpha=0.05):
    from lifelines import KaplanMeierFitter

    km = KaplanMeierFitter(alpha=alpha).fit(duration, event)
    ci = km.confidence_interval_survival_function_
    return km, pd.DataFrame({"survival": km.survival_function_.iloc[:, 0].to_numpy(),
                             "lower": ci.iloc[:, 0].to_numpy(), "upper": ci.iloc[:, 1].to_numpy()},
                            index=km.timeline)


def _max_km_difference(duration, event, alpha=0.05):
    km, ref = _lifelines_km(duration, event, alpha)
    ours = sv.kaplan_meier(duration, event, alpha=alpha).at(ref.index)
    assert ours.notna().all().all()
    return float(np.abs(ours.to_numpy() - ref.to_numpy()).max()), km


KM_CASES = {
    # heavy ties among events and between events and censorings
    "ties": (np.array([1, 1, 1, 2, 2, 3, 3, 3, 3, 5, 5, 8, 8, 8, 13]), np.array([1, 1, 0, 1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 0, 0])),
    # events at time zero (one-time buyers) and the curve falling to zero at the end
    "zero_and_extinction": (np.array([0, 0, 0, 2, 4, 4, 7, 9]), np.array([1, 1, 0, 1, 0, 1, 1, 1])),
    # only censoring until the very end
    "late_event": (np.array([1.5, 2.5, 3.5, 10.0]), np.array([0, 0, 0, 1])),
}


@pytest.mark.parametrize("case", KM_CASES)
@pytest.mark.parametrize("alpha", [0.05, 0.1])
def test_kaplan_meier_equals_lifelines_on_hand_built_cases(case, alpha):
    duration, event = KM_CASES[case]
    diff, km = _max_km_difference(duration, event, alpha)
    assert diff <= 1e-10
    assert sv.kaplan_meier(duration, event).median == km.median_survival_time_


def test_kaplan_meier_equals_lifelines_on_churn_durations_of_cdnow_sample():
    from kamlab import datasets

    ds = datasets.load("cdnow_sample")
    dur = sv.churn_durations(ds.transactions, ds.observation_end, inactivity=180)
    diff, km = _max_km_difference(dur["duration_days"], dur["churned"])
    assert diff <= 1e-10
    assert sv.kaplan_meier(dur["duration_days"], dur["churned"]).median == km.median_survival_time_


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 12), st.booleans()), min_size=1, max_size=40))
def test_kaplan_meier_equals_lifelines_on_random_tied_censored_data(pairs):
    duration = np.array([p[0] for p in pairs], dtype=float)
    event = np.array([p[1] for p in pairs])
    diff, _ = _max_km_difference(duration, event)
    assert diff <= 1e-10


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 100, allow_nan=False), st.booleans()), min_size=1, max_size=60))
def test_kaplan_meier_curve_is_non_increasing_within_its_band(pairs):
    duration = np.array([p[0] for p in pairs])
    event = np.array([p[1] for p in pairs])
    table = sv.kaplan_meier(duration, event).table
    s = table["survival"].to_numpy()
    assert np.all((s >= 0) & (s <= 1))
    assert np.all(np.diff(s) <= 0)
    assert np.all(table["lower"] <= s + 1e-15) and np.all(s <= table["upper"] + 1e-15)
    assert np.all((table["lower"] >= 0) & (table["upper"] <= 1))


def test_kaplan_meier_reads_steps_and_refuses_to_extrapolate():
    curve = sv.kaplan_meier([2, 4, 6], [1, 1, 0])
    at = curve.at([0, 1.9, 2, 3, 4, 6, 6.1])
    np.testing.assert_allclose(at["survival"].iloc[:6], [1, 1, 2 / 3, 2 / 3, 1 / 3, 1 / 3])
    assert np.isnan(at["survival"].iloc[6])
    assert sv.kaplan_meier([3, 5], [0, 0]).median == np.inf   # nobody churned


def test_kaplan_meier_rejects_bad_input_naming_the_problem():
    with pytest.raises(ValueError, match=r"negative values \(positions 1\)"):
        sv.kaplan_meier([1, -2, 3], [1, 1, 0])
    with pytest.raises(ValueError, match="not 0/1"):
        sv.kaplan_meier([1, 2, 3], [1, 2, 0])
    with pytest.raises(ValueError, match="missing or infinite"):
        sv.kaplan_meier([1, np.nan, 3], [1, 1, 0])


# --------------------------------------------------------------------------- log-rank vs lifelines


from survival_samples import grouped_sample as _grouped_sample  # noqa: E402


def test_logrank_equals_lifelines_for_two_groups():
    from lifelines.statistics import logrank_test

    frame = _grouped_sample()
    frame = frame[frame["group"] != "c"]
    a, b = frame[frame["group"] == "a"], frame[frame["group"] == "b"]
    ref = logrank_test(a["duration_days"], b["duration_days"], a["churned"], b["churned"])
    ours = sv.logrank_test(frame, "group")
    assert ours.statistic == pytest.approx(ref.test_statistic, rel=1e-10)
    assert ours.p_value == pytest.approx(ref.p_value, rel=1e-8)
    assert ours.dof == 1 and ours.groups == ("a", "b")


def test_logrank_equals_lifelines_for_three_groups():
    from lifelines.statistics import multivariate_logrank_test

    frame = _grouped_sample(seed=11)
    ref = multivariate_logrank_test(frame["duration_days"], frame["group"], frame["churned"])
    ours = sv.logrank_test(frame, "group")
    assert ours.statistic == pytest.approx(ref.test_statistic, rel=1e-10)
    assert ours.dof == 2


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 40), min_size=1, max_size=60))
def test_rolling_retention_is_the_share_active_on_day_n_or_later_without_censoring(days_active):
    last_day = np.array(days_active, dtype=float)
    curves = {"all": sv.kaplan_meier(last_day, np.ones(len(last_day)))}
    table = sv.rolling_retention(curves, [1, 7, 30])
    for n in (1, 7, 30):
        expected = (last_day >= n).mean() if n - 1 <= last_day.max() else np.nan
        np.testing.assert_allclose(table.loc["all", f"D{n}"], expected, rtol=1e-12)


def test_kaplan_meier_by_group_and_summary():
    frame = _grouped_sample()
    curves = sv.kaplan_meier_by(frame, "group")
    assert list(curves) == ["a", "b", "c"]
    assert sum(c.n_accounts for c in curves.values()) == len(frame)
    summary = sv.survival_summary(curves, horizons=[7, 30])
    assert list(summary.columns) == ["accounts", "churned", "median", "S(7)", "S(30)"]
    assert summary.loc["a", "churned"] == frame.loc[frame["group"] == "a", "churned"].sum()
    flag = pd.Series(frame["group"].to_numpy() == "a", index=frame.index)
    assert set(sv.kaplan_meier_by(frame, flag)) == {"False", "True"}
    with pytest.raises(KeyError, match="grouping has no value"):
        sv.kaplan_meier_by(frame, flag.iloc[:10])

