"""The seven key-account definitions, the baselines and select() (kamlab.definitions)."""

import numpy as np
import pandas as pd
import pytest

from kamlab import definitions as defs
from kamlab.definitions import DefinitionScore, NotComputable, select


def ids(n, prefix="c"):
    return pd.Index([f"{prefix}{i:03d}" for i in range(n)], name="customer_id")


def small_world():
    """Five accounts where every definition has an obvious top account."""
    idx = pd.Index(["big", "rich", "loud", "busy", "star"], name="customer_id")
    summary = pd.DataFrame({
        "frequency": [5.0, 4, 1, 2, 3],
        "recency": [40.0, 50, 10, 30, 45],
        "T": [52.0, 52, 52, 52, 52],
        "monetary_value": [900.0, 400, 80, 100, 150],
        "revenue": [5000.0, 2000, 200, 300, 500],
        "profit": [-300.0, 900, 20, 50, 150],
    }, index=idx)
    accounts = pd.DataFrame({
        "staff_hours": [40.0, 10, 20, 90, 5],
        "service_tickets": [3, 1, 25, 4, 0],
        "cost_to_serve": [900.0, 100, 2500, 300, 10],
        "growth_potential": [1, 2, 1, 2, 5],
        "influence": [1, 1, 1, 2, 5],
        "strategic_fit": [2, 3, 1, 2, 5],
    }, index=idx)
    return summary, accounts


# ----------------------------------------------------------------- select


def test_select_k_share_and_ties():
    scores = pd.Series([3.0, 5.0, 5.0, np.nan, 1.0], index=["e", "d", "a", "b", "c"])
    assert list(select(scores, k=3)) == ["a", "d", "e"]  # tie 5/5 broken by id
    assert list(select(scores, share=0.4)) == ["a", "d"]  # round(0.4 * 5) = 2
    assert list(select(scores, k=5))[-1] == "b"  # missing score ranks last
    assert list(select(scores, share=0.01)) == ["a"]  # at least one


def test_select_rejects_bad_arguments():
    scores = pd.Series([1.0, 2.0], index=["a", "b"])
    with pytest.raises(ValueError, match="exactly one"):
        select(scores)
    with pytest.raises(ValueError, match="exactly one"):
        select(scores, k=1, share=0.5)
    with pytest.raises(ValueError, match="between 1 and the number of accounts"):
        select(scores, k=3)


def test_select_is_deterministic_under_reordering():
    rng = np.random.default_rng(0)
    scores = pd.Series(rng.integers(0, 5, 50).astype(float), index=ids(50))
    shuffled = scores.sample(frac=1, random_state=1)
    assert list(select(scores, k=17)) == list(select(shuffled, k=17))


# ----------------------------------------------------------------- each definition on a hand-built table


@pytest.mark.parametrize("definition, top", [
    ("biggest", "big"),
    ("mustnt_lose", "rich"),
    ("staff_focus", "busy"),
    ("demanding", "loud"),
    ("strategic", "star"),
])
def test_obvious_top_account(definition, top):
    summary, accounts = small_world()
    score = getattr(defs, definition)(summary, accounts)
    assert isinstance(score, DefinitionScore) and score.name == definition
    assert list(select(score, k=1)) == [top]
    assert score.note == defs.RISKS[definition]
    assert score.scores.index.equals(summary.index)


def test_mustnt_lose_is_share_of_profit():
    summary, _ = small_world()
    score = defs.mustnt_lose(summary).scores
    assert score.sum() == pytest.approx(1.0)
    assert score["rich"] == pytest.approx(900 / 820)  # total profit 820


def test_demanding_falls_back_to_cost_to_serve():
    summary, accounts = small_world()
    score = defs.demanding(summary, accounts.drop(columns="service_tickets"))
    assert score.needs == ("cost_to_serve",)
    assert list(select(score, k=1)) == ["loud"]


def test_strategic_weights_are_parameters():
    summary, accounts = small_world()
    only_profit = defs.strategic(summary, accounts, weights={"profit": 1.0})
    assert list(select(only_profit, k=1)) == ["rich"]
    assert only_profit.needs == ("cost",)
    assert defs.strategic(summary.drop(columns="profit"), accounts, weights={"strategic_fit": 1}).needs == (
        "strategic_fit",)
    with pytest.raises(ValueError, match="weights"):
        defs.strategic(summary, accounts, weights={"profit": -1.0})


def test_weight_sensitivity_zero_when_signals_agree_and_positive_when_they_conflict():
    n = 40
    idx = ids(n)
    x = np.arange(n, dtype=float)
    summary = pd.DataFrame({"revenue": x + 1, "profit": x}, index=idx)
    agree = pd.DataFrame({"growth_potential": x, "influence": x, "strategic_fit": x}, index=idx)
    draws = defs.weight_sensitivity(summary, agree, k=8, n_draws=50, seed=1)
    assert len(draws) == 50 and (draws["turnover"] == 0).all()
    assert np.allclose(draws[["growth_potential", "influence", "strategic_fit", "profit"]].sum(axis=1), 1)
    rng = np.random.default_rng(2)
    conflict = pd.DataFrame({c: rng.permutation(n) for c in agree.columns}, index=idx)
    draws = defs.weight_sensitivity(summary, conflict, k=8, n_draws=50, seed=1)
    assert draws["turnover"].mean() > 0.05


def test_random_baseline_is_seeded_and_order_free():
    summary, _ = small_world()
    a = defs.random_pick(summary, seed=3)
    assert a.name == "random"  # the row label the reports print
    b = defs.random_pick(summary.iloc[::-1], seed=3).scores
    assert a.scores.equals(b.reindex(a.scores.index))
    assert not a.scores.equals(defs.random_pick(summary, seed=4).scores)


def test_abc_a_selects_class_a_at_its_own_size():
    summary, _ = small_world()
    # revenue 5000, 2000, 500, 300, 200 of 8000: shares before = 0, .625, .875 -> A = big, rich
    score = defs.abc_a(summary)
    assert score.size == 2
    assert set(select(score, k=score.size)) == {"big", "rich"}


def test_oracle_needs_truth():
    summary, _ = small_world()
    with pytest.raises(NotComputable, match="not computable on this dataset: needs ground truth"):
        defs.oracle(summary)
    truth = pd.DataFrame({"true_future_profit": [1.0, 2, 9, 3, 4]}, index=summary.index)
    assert list(select(defs.oracle(summary, truth=truth), k=1)) == ["loud"]


# ----------------------------------------------------------------- not computable, never zeros


def test_missing_inputs_raise_not_computable_naming_them():
    summary, accounts = small_world()
    revenue_only = summary.drop(columns="profit")
    cases = {
        "mustnt_lose": ("cost",),
        "staff_focus": ("staff_hours",),
        "demanding": ("service_tickets or cost_to_serve",),
        "extra_effort": ("kam_pilot",),
    }
    for name, missing in cases.items():
        with pytest.raises(NotComputable) as info:
            getattr(defs, name)(revenue_only, None)
        assert info.value.missing == missing and info.value.definition == name
        assert info.value.reason.startswith("not computable on this dataset: needs " + missing[0])
    with pytest.raises(NotComputable) as info:
        defs.strategic(revenue_only, accounts.drop(columns="influence"))
    assert set(info.value.missing) == {"influence", "cost"}


def test_score_all_reports_missing_inputs_instead_of_zeros():
    summary, _ = small_world()
    scored = defs.score_all(summary.drop(columns="profit"), None, seed=0)
    assert list(scored) == list(defs.DEFINITIONS + defs.BASELINES)
    computable = {n for n, s in scored.items() if isinstance(s, DefinitionScore)}
    assert computable == {"biggest", "random", "abc_a"}  # future_profit: too few accounts for a model
    for name, result in scored.items():
        if name not in computable:
            assert isinstance(result, NotComputable)
    assert scored["future_profit"].missing == ("more accounts",)


# ----------------------------------------------------------------- future_profit: the CLV glue, against lifetimes


def simulated_summary(n=300, seed=0):
    """Weekly RFM of accounts simulated from a BG/NBD story (the test's own generator)."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(1.5, 1 / 8, n)  # purchases per week
    p = rng.beta(1.0, 5.0, n)
    T = rng.uniform(30, 60, n).round()
    freq, rec = np.zeros(n), np.zeros(n)
    for i in range(n):
        t, x, last = 0.0, 0, 0.0
        while True:
            t += rng.exponential(1 / lam[i])
            if t > T[i]:
                break
            x, last = x + 1, t
            if rng.random() < p[i]:
                break
        freq[i], rec[i] = x, np.floor(last)
    spend = rng.gamma(6, 1 / rng.gamma(4, 1 / 60, n))
    money = np.where(freq > 0, rng.gamma(6 * np.maximum(freq, 1), spend / (6 * np.maximum(freq, 1))), 0.0)
    revenue = money * np.maximum(freq, 1) + spend
    return pd.DataFrame({"frequency": freq, "recency": rec, "T": T, "monetary_value": money,
                         "revenue": revenue}, index=ids(n))


def test_future_profit_ranks_the_obvious_account_first_and_matches_lifetimes():
    import lifetimes

    summary = simulated_summary()
    probes = pd.DataFrame({
        "frequency": [12.0, 12.0], "recency": [50.0, 5.0], "T": [50.0, 50.0],
        "monetary_value": [2000.0, 2000.0], "revenue": [26000.0, 26000.0],
    }, index=pd.Index(["loyal", "lapsed"], name="customer_id"))
    summary = pd.concat([summary, probes])
    score = defs.future_profit(summary, horizon=52, periods_per_year=52, annual_discount_rate=0.1)
    assert list(select(score, k=1)) == ["loyal"]  # same history, but still buying
    assert score.scores["loyal"] > 5 * score.scores["lapsed"]

    # oracle: the same quantity straight from lifetimes' fitters, discounted monthly
    bgf = lifetimes.BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
    repeat = summary[summary["frequency"] > 0]
    ggf = lifetimes.GammaGammaFitter().fit(repeat["frequency"], repeat["monetary_value"])
    spend = ggf.conditional_expected_average_profit(summary["frequency"], summary["monetary_value"])
    ends = np.arange(1, 13) * 52 / 12
    counts = np.zeros(len(summary))
    previous = 0.0
    for k, end in enumerate(ends, start=1):
        cum = bgf.conditional_expected_number_of_purchases_up_to_time(end, summary["frequency"],
                                                                      summary["recency"], summary["T"])
        counts += (cum - previous) / 1.1 ** (k / 12)
        previous = cum
    expected = spend * counts
    np.testing.assert_allclose(score.scores.to_numpy(), expected.to_numpy(), rtol=2e-3)


def test_future_profit_applies_each_accounts_margin():
    summary = simulated_summary(seed=1)
    revenue_clv = defs.future_profit(summary).scores
    margin = pd.Series(np.linspace(-0.2, 0.6, len(summary)), index=summary.index)
    with_cost = defs.future_profit(summary.assign(profit=summary["revenue"] * margin))
    assert with_cost.needs == ("amount", "cost")
    np.testing.assert_allclose(with_cost.scores, revenue_clv * margin, rtol=1e-9)


# ----------------------------------------------------------------- extra_effort: recovery of a known uplift


def pilot_world(n=400, seed=0):
    """A randomised pilot where treatment multiplies order values by exp(0.10 + 0.05 (fit - 3))."""
    rng = np.random.default_rng(seed)
    idx = ids(n)
    fit = rng.integers(1, 6, n)
    treated = rng.permutation(np.repeat([1, 0], n // 2))
    log_lift = 0.10 + 0.05 * (fit - 3)
    aov_pre = rng.gamma(2.0, 250.0, n)
    log_ratio = rng.normal(0, 0.05, n) + treated * log_lift
    pilot = pd.DataFrame({"orders_pre": 4.0, "orders_pilot": 4.0, "revenue_pre": 4 * aov_pre,
                          "revenue_pilot": 4 * aov_pre * np.exp(log_ratio)}, index=idx)
    pilot["value_pre"], pilot["value_pilot"] = pilot["revenue_pre"], pilot["revenue_pilot"]
    pilot["log_aov_ratio"] = log_ratio
    pilot.attrs.update(pilot_days=182, value="revenue")
    summary = pd.DataFrame({"revenue": aov_pre * 12}, index=idx)
    accounts = pd.DataFrame({"strategic_fit": fit, "kam_pilot": pd.array(treated, dtype="Int64")}, index=idx)
    return summary, accounts, pilot, pd.Series(np.expm1(log_lift), index=idx)


def test_extra_effort_recovers_a_known_heterogeneous_lift():
    summary, accounts, pilot, true_lift = pilot_world()
    score = defs.extra_effort(summary, accounts, pilot=pilot)
    assert score.formula == "log_aov_ratio ~ kam_pilot * (strategic_fit)"
    assert np.corrcoef(score.lift, true_lift)[0, 1] > 0.95
    model = score.model  # tau = the log-lift at the mean fit, within 3 standard errors
    assert abs(model.params["kam_pilot"] - (0.10 + 0.05 * (accounts["strategic_fit"].mean() - 3))) \
        < 3 * model.bse["kam_pilot"]
    assert score.mean_lift == pytest.approx(np.expm1(model.params["kam_pilot"]))
    run_rate = (pilot["value_pre"] + pilot["value_pilot"]) / 2  # per pilot length
    np.testing.assert_allclose(score.scores, score.lift * run_rate)
    doubled = defs.extra_effort(summary, accounts, pilot=pilot, horizon_days=364)
    np.testing.assert_allclose(doubled.scores, 2 * score.scores)
    given = defs.extra_effort(summary, accounts, pilot=pilot, baseline=summary["revenue"])
    np.testing.assert_allclose(given.scores, given.lift * summary["revenue"])


def test_extra_effort_uses_only_pilot_accounts_and_needs_both_arms():
    summary, accounts, pilot, _ = pilot_world()
    accounts = accounts.copy()
    accounts.loc[accounts.index[:100], "kam_pilot"] = pd.NA  # not in the pilot: scored, not fitted
    score = defs.extra_effort(summary, accounts, pilot=pilot)
    assert score.n_treated + score.n_control == 300
    assert score.scores.notna().all()
    accounts["kam_pilot"] = pd.array([1] * len(accounts), dtype="Int64")
    with pytest.raises(NotComputable, match="0 control"):
        defs.extra_effort(summary, accounts, pilot=pilot)


def test_pilot_outcomes_splits_the_last_days_of_calibration():
    tx = pd.DataFrame({
        "customer_id": ["a", "a", "a", "a", "b"],
        "date": pd.to_datetime(["2023-01-01", "2023-09-01", "2023-12-31", "2023-12-01", "2023-11-30"]),
        "amount": [100.0, 10.0, 20.0, 40.0, 5.0],
        "cost": [50.0, 4.0, 5.0, 5.0, 1.0],
    })
    out = defs.pilot_outcomes(tx, "2023-12-31", pilot_days=61)  # pilot: Nov 1 - Dec 31; pre: Sep 1 - Oct 31
    assert out.loc["a", ["orders_pre", "orders_pilot"]].tolist() == [1, 2]
    assert out.loc["a", "value_pilot"] == 50.0 and out.loc["a", "value_pre"] == 6.0
    assert out.loc["a", "log_aov_ratio"] == pytest.approx(np.log(30.0 / 10.0))
    assert out.loc["b", "value_pilot"] == 4.0 and out.loc["b", "orders_pre"] == 0
    assert np.isnan(out.loc["b", "log_aov_ratio"])  # no order before the pilot
    assert out.attrs["value"] == "gross profit"


def test_extra_effort_nets_out_the_extra_cost_to_serve_measured_in_the_pilot():
    summary, accounts, pilot, truth = pilot_world()
    rng = np.random.default_rng(9)
    accounts = accounts.assign(cost_to_serve=rng.gamma(2.0, 50.0, len(accounts))
                               + 30.0 * accounts["kam_pilot"].astype(float).to_numpy())
    gross = defs.extra_effort(summary, accounts.drop(columns="cost_to_serve"), pilot=pilot)
    net = defs.extra_effort(summary, accounts, pilot=pilot)
    low, high = net.extra_cost_ci
    assert low < 30 < high
    np.testing.assert_allclose(net.scores, gross.scores - net.extra_cost)
    assert gross.extra_cost == 0
    assert net.needs[-1] == "cost_to_serve"
