"""kamlab.survival against the paper, against lifelines (test-only oracle) and by property."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st
from scipy import optimize, special

from kamlab import survival as sv

# Fader & Hardie (2007), "How to project customer retention", Table 1: customers
# still active of 1000 at the start of years 0..12.
REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241, 223, 207, 194, 183, 173]
HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491, 468, 445, 427, 409, 394]


# --------------------------------------------------------------------------- sBG


@pytest.mark.parametrize("survivors, alpha, beta", [(REGULAR, 0.704, 1.182), (HIGH_END, 0.668, 3.806)])
def test_sbg_reproduces_published_estimates(survivors, alpha, beta):
    fit = sv.fit_sbg(survivors, periods=7)
    assert round(fit.alpha, 3) == alpha
    assert round(fit.beta, 3) == beta
    assert fit.fit_periods == 7 and fit.cohort_size == 1000


def test_bundled_sbg_data_match_the_paper_table():
    assert sv.SBG_COHORTS == {"regular": tuple(REGULAR), "high end": tuple(HIGH_END)}
    assert sv.SBG_PUBLISHED_ESTIMATES == {"regular": (0.704, 1.182), "high end": (0.668, 3.806)}


def _sbg_negloglik(log_params, s):
    a, b = np.exp(log_params)
    t = np.arange(1, len(s))
    log_p = special.betaln(a + 1, b + t - 1) - special.betaln(a, b)
    log_s = special.betaln(a, b + len(s) - 1) - special.betaln(a, b)
    return -((s[:-1] - s[1:]) @ log_p + s[-1] * log_s)


@pytest.mark.parametrize("survivors", [REGULAR, HIGH_END])
def test_sbg_is_the_maximum_found_by_an_independent_optimiser(survivors):
    s = np.asarray(survivors[:8], dtype=float)
    ref = optimize.minimize(_sbg_negloglik, [0.0, 0.0], args=(s,), method="Nelder-Mead",
                            options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 5000})
    fit = sv.fit_sbg(survivors, periods=7)
    np.testing.assert_allclose([fit.alpha, fit.beta], np.exp(ref.x), rtol=1e-5)
    assert fit.log_likelihood == pytest.approx(-ref.fun, abs=1e-6)


@pytest.mark.parametrize("survivors", [REGULAR, HIGH_END])
def test_sbg_standard_errors_invert_the_observed_information(survivors):
    # central-difference Hessian of the negative log-likelihood in (alpha, beta), inverted
    s = np.asarray(survivors[:8], dtype=float)
    fit = sv.fit_sbg(survivors, periods=7)
    f = lambda a, b: _sbg_negloglik(np.log([a, b]), s)  # noqa: E731
    x, h = np.array([fit.alpha, fit.beta]), 1e-4
    hess = np.empty((2, 2))
    for i in range(2):
        for j in range(2):
            ei, ej = np.eye(2)[i] * h, np.eye(2)[j] * h
            hess[i, j] = (f(*(x + ei + ej)) - f(*(x + ei - ej)) - f(*(x - ei + ej)) + f(*(x - ei - ej))) / (4 * h * h)
    se = np.sqrt(np.diag(np.linalg.inv(hess)))
    np.testing.assert_allclose([fit.alpha_se, fit.beta_se], se, rtol=1e-3)


def test_sbg_recovers_parameters_from_a_simulated_cohort():
    rng = np.random.default_rng(7)
    alpha, beta, n, periods = 1.3, 2.5, 40_000, 8
    theta = rng.beta(alpha, beta, n)
    lifetime = rng.geometric(theta)                       # periods until churn, >= 1
    survivors = [(lifetime > t).sum() for t in range(periods + 1)]
    fit = sv.fit_sbg(survivors)
    assert abs(fit.alpha - alpha) < 3 * fit.alpha_se
    assert abs(fit.beta - beta) < 3 * fit.beta_se
    assert fit.alpha_se < 0.1 and fit.beta_se < 0.2


def test_sbg_projection_and_retention_formulae():
    fit = sv.fit_sbg(REGULAR, periods=7)
    proj = sv.project_sbg(fit, 12, REGULAR)
    assert list(proj.index) == list(range(13))
    assert proj["in_fit"].sum() == 8
    # survival telescopes into the product of retention rates
    np.testing.assert_allclose(proj["projected"].iloc[1:] / 1000, np.cumprod(proj["retention_rate"].iloc[1:]), rtol=1e-12)
    assert proj["retention_rate"].iloc[1:].is_monotonic_increasing
    np.testing.assert_allclose(proj["actual"], REGULAR)
    with pytest.raises(ValueError, match="need 13"):
        sv.project_sbg(fit, 12, REGULAR[:10])


@pytest.mark.parametrize("alpha, beta, n, d", [(0.704, 1.182, 0, 0.1), (0.668, 3.806, 4, 0.1), (2.5, 3.0, 2, 0.0)])
def test_sbg_expected_remaining_lifetime_equals_brute_force_sum(alpha, beta, n, d):
    t = np.arange(n + 1, n + 20001)
    brute = np.sum(sv.sbg_survival(alpha, beta, t) / sv.sbg_survival(alpha, beta, n) * np.exp(-(t - n) * np.log1p(d)))
    got = sv.sbg_expected_remaining_lifetime(alpha, beta, n, d)
    assert got == pytest.approx(brute, rel=1e-3 if d == 0 else 1e-9)  # undiscounted sum is cut at 20000


def test_sbg_undiscounted_lifetime_is_infinite_for_heavy_tails():
    assert sv.sbg_expected_remaining_lifetime(0.704, 1.182, 0, 0.0) == np.inf


def test_sbg_rejects_bad_series():
    with pytest.raises(ValueError, match="non-increasing"):
        sv.fit_sbg([1000, 900, 950, 800])
    with pytest.raises(ValueError, match="periods must be"):
        sv.fit_sbg(REGULAR, periods=20)


# --------------------------------------------------------------------------- Kaplan-Meier vs lifelines


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


def _grouped_sample(seed=3, n=300):
    rng = np.random.default_rng(seed)
    group = rng.choice(["a", "b", "c"], n)
    scale = np.where(group == "a", 10, np.where(group == "b", 14, 12))
    duration = np.ceil(rng.exponential(scale))                 # integers: many ties
    censor = rng.integers(5, 40, n)
    return pd.DataFrame({"duration_days": np.minimum(duration, censor).astype(float),
                         "churned": duration <= censor, "group": group})


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


# --------------------------------------------------------------------------- Cox vs lifelines


def test_cox_equals_lifelines_with_efron_ties_on_rossi():
    from lifelines import CoxPHFitter
    from lifelines.datasets import load_rossi

    rossi = load_rossi()                     # recidivism, weeks: many tied event times
    covariates = ["fin", "age", "race", "wexp", "mar", "paro", "prio"]
    ref = CoxPHFitter().fit(rossi, duration_col="week", event_col="arrest")
    ours = sv.cox_regression(rossi, covariates, duration_col="week", event_col="arrest")
    np.testing.assert_allclose(ours.table.loc[covariates, "coef"], ref.params_[covariates], atol=1e-4)
    np.testing.assert_allclose(ours.table.loc[covariates, "se"], ref.standard_errors_[covariates], atol=1e-4)
    np.testing.assert_allclose(ours.table["hazard_ratio"], np.exp(ours.table["coef"]))
    assert ours.log_likelihood == pytest.approx(ref.log_likelihood_, abs=1e-6)
    assert ours.n_events == rossi["arrest"].sum()


def test_cox_codes_text_columns_against_the_first_level():
    from lifelines import CoxPHFitter

    frame = _grouped_sample(seed=5).assign(size=lambda f: np.random.default_rng(1).normal(size=len(f)))
    ours = sv.cox_regression(frame, ["group", "size"])
    assert list(ours.table.index) == ["group[b]", "group[c]", "size"]
    dummies = sv.cox_design(frame, ["group", "size"]).assign(d=frame["duration_days"], e=frame["churned"])
    ref = CoxPHFitter().fit(dummies, duration_col="d", event_col="e")
    np.testing.assert_allclose(ours.table["coef"], ref.params_[ours.table.index], atol=1e-4)


def test_cox_rejects_constant_and_missing_covariates():
    frame = _grouped_sample().assign(const=1.0, gap=lambda f: f["duration_days"].where(f.index != 4))
    with pytest.raises(ValueError, match=r"\['const'\] do not vary") as err:
        sv.cox_regression(frame, ["const", "gap"])
    assert "['gap'] are missing for 1 accounts (4)" in str(err.value)   # both problems, together


# --------------------------------------------------------------------------- churn by inactivity


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
    # landmark 2020-04-01; observation end 2020-12-31 and 180 days give the horizon 2020-07-04
    tx = _tx([("a", "2020-01-01", 10), ("a", "2020-03-01", 5),          # active at the landmark, never again: lost at 0
              ("b", "2020-02-01", 7), ("b", "2020-12-01", 1),          # still buying: censored at the horizon
              ("g", "2019-06-01", 3),                                   # lost before the landmark: left out
              ("h", "2020-03-15", 2), ("h", "2020-05-10", 4),          # lost 39 days after the landmark
              ("c", "2020-06-01", 3)])                                  # first seen after the landmark: too new
    out = sv.churn_durations(tx, "2020-12-31", inactivity=180, landmark="2020-04-01")
    assert list(out.index) == ["a", "b", "h"]
    assert out["churned"].tolist() == [True, False, True]
    assert out["duration_days"].tolist() == [0.0, 94.0, 39.0]
    assert out.attrs == {"too_new": 1, "lost_before_landmark": 1}
    with pytest.raises(ValueError, match="must come before 2020-07-04"):
        sv.churn_durations(tx, "2020-12-31", inactivity=180, landmark="2020-08-01")


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


transactions_strategy = st.lists(
    st.tuples(st.sampled_from(list("abcdefgh")), st.integers(0, 400), st.floats(0.5, 100)), min_size=1, max_size=50,
).map(lambda rows: pd.DataFrame({"customer_id": [r[0] for r in rows],
                                 "date": pd.Timestamp("2021-01-01") + pd.to_timedelta([r[1] for r in rows], unit="D"),
                                 "amount": [r[2] for r in rows]}))


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


# --------------------------------------------------------------------------- cohorts


def test_cohort_table_by_hand():
    tx = _tx([("a", "2020-01-05", 10), ("a", "2020-02-10", 4), ("a", "2020-02-11", 1),
              ("b", "2020-01-20", 20), ("b", "2020-03-01", 30),
              ("c", "2020-02-03", 8),
              ("d", "2020-04-02", 50)])                     # April is incomplete at 2020-04-15: dropped
    table = sv.cohort_table(tx, "M", observation_end="2020-04-15")
    jan = table.loc[pd.Period("2020-01", "M")]
    assert jan["cohort_size"].tolist() == [2, 2, 2]
    assert jan["active"].tolist() == [2, 1, 1]
    np.testing.assert_allclose(jan["revenue"], [30, 5, 30])
    np.testing.assert_allclose(jan["revenue_retention"], [1, 5 / 30, 1])
    feb = table.loc[pd.Period("2020-02", "M")]
    assert feb["active"].tolist() == [1, 0] and feb["retention"].tolist() == [1.0, 0.0]
    assert pd.Period("2020-04", "M") not in table.index.get_level_values("cohort")
    matrix = sv.cohort_matrix(table)
    assert matrix.shape == (2, 3) and np.isnan(matrix.loc["2020-02", 2])   # nobody acquired in March
    # with a complete April, d's cohort appears
    assert sv.cohort_table(tx, "M", observation_end="2020-04-30").loc[pd.Period("2020-04", "M"), "cohort_size"].iloc[0] == 1


@settings(max_examples=60, deadline=None)
@given(transactions_strategy, st.sampled_from(["M", "Q", "W"]))
def test_cohort_tables_conserve_account_counts(tx, period):
    end = tx["date"].max()
    last = pd.Period(end, period)
    if last.end_time.normalize() > end.normalize():
        last -= 1
    kept = tx[tx["date"] <= last.end_time]
    if kept.empty:
        with pytest.raises(ValueError, match="no complete"):
            sv.cohort_table(tx, period)
        return
    table = sv.cohort_table(tx, period)
    sizes = table.groupby(level="cohort")["cohort_size"].first()
    assert sizes.sum() == kept["customer_id"].nunique()
    assert (table.xs(0, level="age")["active"] == table.xs(0, level="age")["cohort_size"]).all()
    assert (table["active"] <= table["cohort_size"]).all()
    assert table["revenue"].sum() == pytest.approx(kept["amount"].sum())
    assert ((table["retention"] >= 0) & (table["retention"] <= 1)).all()


# --------------------------------------------------------------------------- figures


def test_figures_have_titles_and_labelled_axes():
    from matplotlib.figure import Figure

    from kamlab import plots

    frame = _grouped_sample()
    tx = _tx([("a", "2020-01-05", 10), ("a", "2020-02-10", 4), ("b", "2020-01-20", 20), ("c", "2020-02-03", 8)])
    fit = sv.fit_sbg(REGULAR, periods=7)
    figures = [plots.survival_curves(sv.kaplan_meier_by(frame, "group"), marks=[7]),
               plots.cohort_heatmap(sv.cohort_table(tx, "M", observation_end="2020-02-29")),
               plots.sbg_projection(sv.project_sbg(fit, 12, REGULAR))]
    for fig in figures:
        assert isinstance(fig, Figure)
        ax = fig.axes[0]
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
        assert "(" in ax.get_xlabel() or "since" in ax.get_xlabel()
