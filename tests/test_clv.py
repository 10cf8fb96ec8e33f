"""kamlab.clv: published estimates, lifetimes as oracle, compression, recovery, errors."""

import numpy as np
import pandas as pd
import pytest

import lifetimes
from kamlab import clv, datasets, rfm
from kamlab.clv.fitting import numerical_standard_errors
from kamlab.data import MissingColumnsError


@pytest.fixture(scope="module")
def cdnow_summary():
    return datasets.load("cdnow_summary").summary


@pytest.fixture(scope="module")
def bgnbd(cdnow_summary):
    return clv.fit_bgnbd(cdnow_summary)


@pytest.fixture(scope="module")
def repeat_spend():
    """Calibration RFM of the 2,357-customer CDNOW sample from its transactions.

    Weeks measured to the day, as in the paper; spend unrounded (the published
    table rounds it to cents)."""
    ds = datasets.load("cdnow_sample")
    out = rfm.summarise_rfm(ds.transactions, ds.calibration_end, freq="D", freq_multiplier=7)
    # the sample's ids are zero-padded ("0001"), the published summary's are not ("1")
    return out.set_axis(out.index.astype(int).astype(str))


# ----------------------------------------------------------------- published values


def test_bgnbd_reproduces_fader_hardie_lee_2005(bgnbd):
    # Fader, Hardie & Lee (2005a), Table/section 5: r, alpha, a, b and LL = -9582.4
    assert bgnbd.params.round(3).to_dict() == {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    assert round(bgnbd.log_likelihood, 1) == -9582.4
    assert bgnbd.n_accounts == 2357


def test_bgnbd_39_week_prediction_published(bgnbd):
    one = pd.DataFrame({"frequency": [2], "recency": [30.43], "T": [38.86]}, index=["c1"])
    assert round(float(clv.expected_purchases(bgnbd, one, 39).iloc[0]), 3) == 1.226


def test_pareto_nbd_reproduces_published(cdnow_summary):
    fit = clv.fit_pareto_nbd(cdnow_summary)
    p = fit.params
    assert (round(p["r"], 3), round(p["alpha"], 2), round(p["s"], 3), round(p["beta"], 2)) == (
        0.553, 10.58, 0.606, 11.67)
    assert round(fit.log_likelihood, 1) == -9595.0  # Fader, Hardie & Lee (2005a)
    # lifetimes gives no standard errors for Pareto/NBD; ours exist and are positive
    assert fit.standard_errors is not None and (fit.standard_errors > 0).all()


def test_gamma_gamma_reproduces_fader_hardie_note_025(repeat_spend):
    fit = clv.fit_gamma_gamma(repeat_spend)
    assert fit.n_accounts == 946
    assert (round(fit.params["p"], 2), round(fit.params["q"], 2), round(fit.params["v"], 2)) == (6.25, 3.74, 15.44)


def test_bgbb_reproduces_fader_hardie_shang_2010():
    fit = clv.fit_bgbb(datasets.load("donations").summary)
    assert fit.params.round(3).to_dict() == {"alpha": 1.204, "beta": 0.75, "gamma": 0.657, "delta": 2.783}
    assert fit.n_accounts == 11104
    assert round(fit.log_likelihood, 1) == -33225.6


# ----------------------------------------------------------------- lifetimes as oracle


def test_numerical_standard_errors_match_lifetimes_autograd(bgnbd, cdnow_summary):
    # The numerical-Hessian route that gives Pareto/NBD its standard errors, checked
    # on BG/NBD, where lifetimes computes them by automatic differentiation.
    s = cdnow_summary
    x, tx, T = s["frequency"].to_numpy(), s["recency"].to_numpy(), s["T"].to_numpy()
    w = np.ones(len(s))
    nll = lambda p: lifetimes.BetaGeoFitter._negative_log_likelihood(np.log(p), x, tx, T, w, 0.0) * w.sum()
    numerical = numerical_standard_errors(nll, bgnbd.params.to_numpy(), bgnbd.params.index)
    oracle = lifetimes.BetaGeoFitter().fit(s["frequency"], s["recency"], s["T"]).standard_errors_
    np.testing.assert_allclose(numerical, oracle, rtol=1e-3)
    np.testing.assert_allclose(bgnbd.standard_errors, oracle, rtol=1e-6)


def test_predictions_match_lifetimes(bgnbd, cdnow_summary):
    s = cdnow_summary
    m = bgnbd.model
    np.testing.assert_allclose(
        clv.expected_purchases(bgnbd, s, 52),
        m.conditional_expected_number_of_purchases_up_to_time(52, s["frequency"], s["recency"], s["T"]),
        rtol=1e-12,
    )
    np.testing.assert_allclose(
        clv.probability_alive(bgnbd, s),
        m.conditional_probability_alive(s["frequency"], s["recency"], s["T"]),
        rtol=1e-12,
    )


def test_discounted_clv_matches_lifetimes_monthly_scheme(bgnbd, cdnow_summary, repeat_spend):
    s = cdnow_summary.copy()
    spend = repeat_spend.reindex(s.index)
    assert (spend["frequency"] == s["frequency"]).all()  # same customers, same repeat days
    s["monetary_value"] = spend["monetary_value"]
    gg = clv.fit_gamma_gamma(s)
    oracle = gg.model.customer_lifetime_value(
        bgnbd.model, s["frequency"], s["recency"], s["T"], s["monetary_value"],
        time=12, discount_rate=0.01, freq="W",
    )
    ours = clv.discounted_clv(
        bgnbd, gg, s, horizon=12 * 4.345, periods_per_year=12 * 4.345,
        annual_discount_rate=1.01**12 - 1, steps_per_year=12,
    )
    assert ours.index.equals(s.index)
    np.testing.assert_allclose(ours, oracle, rtol=1e-9)
    # margin scales linearly; a higher discount rate lowers every value
    np.testing.assert_allclose(
        clv.discounted_clv(bgnbd, gg, s, horizon=52, periods_per_year=52, margin=0.3),
        0.3 * clv.discounted_clv(bgnbd, gg, s, horizon=52, periods_per_year=52),
    )
    low = clv.discounted_clv(bgnbd, gg, s, horizon=104, periods_per_year=52, annual_discount_rate=0.0)
    high = clv.discounted_clv(bgnbd, gg, s, horizon=104, periods_per_year=52, annual_discount_rate=0.2)
    assert (high < low).all()


# ----------------------------------------------------------------- compression


@pytest.mark.parametrize("fit", [clv.fit_bgnbd, clv.fit_pareto_nbd, clv.fit_mbgnbd])
def test_compressed_fit_has_identical_parameters(fit, cdnow_summary):
    full = fit(cdnow_summary, compressed=False)
    small = fit(cdnow_summary, compressed=True)
    assert small.n_patterns < full.n_patterns == len(cdnow_summary)
    assert small.n_accounts == full.n_accounts
    np.testing.assert_allclose(small.params, full.params, rtol=1e-4)
    assert small.log_likelihood == pytest.approx(full.log_likelihood, abs=1e-3)


def test_compress_counts_sum_to_accounts(cdnow_summary):
    c = clv.compress(cdnow_summary)
    assert c["weights"].sum() == len(cdnow_summary)
    assert not c.duplicated(["frequency", "recency", "T"]).any()


def test_calibration_column_names_are_accepted(cdnow_summary):
    cal = cdnow_summary.add_suffix("_cal")
    fit = clv.fit_bgnbd(cal)
    assert fit.params.round(3)["r"] == 0.243
    assert clv.expected_purchases(fit, cal, 39).index.equals(cal.index)


# ----------------------------------------------------------------- bad input


def test_errors_name_the_accounts():
    bad = pd.DataFrame(
        {"frequency": [1, 0, 2.5], "recency": [50.0, 3.0, 1.0], "T": [40.0, 40.0, 40.0]},
        index=["acme", "globex", "initech"],
    )
    with pytest.raises(clv.SummaryError) as err:
        clv.fit_bgnbd(bad)
    msg = str(err.value)
    assert "recency > T" in msg and "acme" in msg          # last purchase after the end
    assert "frequency 0 but recency" in msg and "globex" in msg
    assert "whole numbers" in msg and "initech" in msg
    assert "3 problem(s)" in msg                           # all collected, not one at a time


def test_empty_and_missing_columns():
    with pytest.raises(clv.SummaryError, match="empty"):
        clv.fit_bgnbd(pd.DataFrame({"frequency": [], "recency": [], "T": []}))
    with pytest.raises(MissingColumnsError, match=r"fit_bgnbd: the summary lacks column\(s\) 'T'"):
        clv.fit_bgnbd(pd.DataFrame({"frequency": [1], "recency": [1.0]}))


def test_gamma_gamma_rejects_non_positive_spend():
    s = pd.DataFrame({"frequency": [1, 2, 3, 0], "monetary_value": [10.0, -5.0, 0.0, 0.0]},
                     index=["a", "refunder", "zero", "once"])
    with pytest.raises(clv.SummaryError, match=r"2 repeat buyer\(s\) have monetary_value <= 0 \(refunder, zero\)"):
        clv.fit_gamma_gamma(s)


def test_wrong_model_for_prediction(bgnbd, cdnow_summary):
    with pytest.raises(ValueError, match="fit_gamma_gamma"):
        clv.expected_spend(bgnbd, cdnow_summary)


# ----------------------------------------------------------------- parameter recovery
#
# Our own simulation of each generative story (not lifetimes' generate_data).
# At 10k accounts the sampling standard errors are 2-5 % of the parameter values
# (largest: BG/NBD b, Pareto/NBD beta, about 5 %), so "within 10 %" is about two
# standard errors for the loosest parameter; we also check "within 3 SE".


def simulate_bgnbd(n, r, alpha, a, b, rng):
    """BG/NBD: Poisson purchases at rate lambda ~ Gamma(r, alpha) until the account
    drops out, with probability p ~ Beta(a, b) after each repeat purchase."""
    T = rng.integers(104, 209, n).astype(float)  # weeks since first purchase
    lam = rng.gamma(r, 1 / alpha, n)
    p = rng.beta(a, b, n)
    arrivals = rng.poisson(lam * T)  # purchases in (0, T] had the account stayed
    lives = rng.geometric(p)  # the repeat purchase after which it drops out
    x = np.minimum(arrivals, lives)
    # given k Poisson arrivals in (0, T], the x-th is the x-th order statistic of k uniforms
    recency = np.where(x > 0, T * rng.beta(np.maximum(x, 1), arrivals - x + 1), 0.0)
    return pd.DataFrame({"frequency": x, "recency": recency, "T": T})


def simulate_pareto_nbd(n, r, alpha, s, beta, rng):
    """Pareto/NBD: Poisson purchases at rate lambda ~ Gamma(r, alpha) during an
    exponential lifetime with rate mu ~ Gamma(s, beta)."""
    T = rng.integers(104, 209, n).astype(float)
    lam = rng.gamma(r, 1 / alpha, n)
    mu = rng.gamma(s, 1 / beta, n)
    active = np.minimum(rng.exponential(1 / mu), T)
    x = rng.poisson(lam * active)
    recency = np.where(x > 0, active * rng.beta(np.maximum(x, 1), 1), 0.0)  # max of x uniforms
    return pd.DataFrame({"frequency": x, "recency": recency, "T": T})


@pytest.mark.parametrize(
    "simulate, fit, truth",
    [
        (simulate_bgnbd, clv.fit_bgnbd, {"r": 2.0, "alpha": 10.0, "a": 1.0, "b": 4.0}),
        (simulate_pareto_nbd, clv.fit_pareto_nbd, {"r": 2.0, "alpha": 10.0, "s": 1.0, "beta": 20.0}),
    ],
    ids=["bgnbd", "pareto_nbd"],
)
def test_parameter_recovery_at_10k_accounts(simulate, fit, truth):
    data = simulate(10_000, *truth.values(), np.random.default_rng(0))
    est = fit(data)
    truth = pd.Series(truth)
    rel = (est.params / truth - 1).abs()
    assert (rel < 0.10).all(), f"relative errors {rel.round(3).to_dict()}"
    z = ((est.params - truth) / est.standard_errors).abs()
    assert (z < 3).all(), f"errors in standard errors {z.round(2).to_dict()}"


def test_in_weeks_rounds_days_to_nearest_week():
    days = pd.DataFrame({"frequency": [0, 1, 3], "recency": [0.0, 3.0, 20.0], "T": [13.0, 13.0, 21.0]},
                        index=["a", "b", "c"])
    weeks = clv.in_weeks(days)
    # 3/7 = 0.43 -> 0, 20/7 = 2.86 -> 3; 13/7 = 1.86 -> 2, 21/7 = 3
    assert weeks["recency"].tolist() == [0, 0, 3] and weeks["T"].tolist() == [2, 2, 3]
    assert weeks["frequency"].tolist() == [0, 1, 3]


# ----------------------------------------------------------------- holdout


def test_holdout_check_aggregates(bgnbd, cdnow_summary):
    rng = np.random.default_rng(1)
    calhold = cdnow_summary.add_suffix("_cal").assign(duration_holdout=39.0)
    calhold["frequency_holdout"] = rng.poisson(0.5 + calhold["frequency_cal"])
    check = clv.holdout_check(bgnbd, calhold, max_frequency=5)
    expected = clv.expected_purchases(bgnbd, cdnow_summary, 39)
    np.testing.assert_allclose(check.accounts["predicted"], expected)
    assert check.total_actual == calhold["frequency_holdout"].sum()
    assert check.total_error == pytest.approx((expected.sum() - check.total_actual) / check.total_actual)
    assert check.mae == pytest.approx((expected - calhold["frequency_holdout"]).abs().mean())
    assert check.by_frequency.index.tolist() == [0, 1, 2, 3, 4, 5]
    assert check.by_frequency["accounts"].sum() == len(calhold)
    # a per-account horizon: doubling it for everyone equals horizon=78
    longer = clv.holdout_check(bgnbd, calhold.assign(duration_holdout=78.0))
    np.testing.assert_allclose(longer.accounts["predicted"], clv.expected_purchases(bgnbd, cdnow_summary, 78))
    with pytest.raises(MissingColumnsError, match="frequency_holdout"):
        clv.holdout_check(bgnbd, cdnow_summary)


def test_bgbb_predictions_match_lifetimes():
    d = datasets.load("donations").summary
    fit = clv.fit_bgbb(d)
    oracle = fit.model.conditional_expected_number_of_purchases_up_to_time(5, d["frequency"], d["recency"], d["periods"])
    np.testing.assert_allclose(clv.expected_purchases(fit, d, 5), oracle, rtol=1e-12)
    alive = clv.probability_alive(fit, d)
    assert ((alive > 0) & (alive <= 1)).all()


def test_expected_spend_shrinks_towards_population_mean(repeat_spend):
    fit = clv.fit_gamma_gamma(repeat_spend)
    p, q, v = fit.params
    mean = p * v / (q - 1)
    s = pd.DataFrame({"frequency": [0, 1, 50], "monetary_value": [0.0, 100.0, 100.0]}, index=list("abc"))
    e = clv.expected_spend(fit, s)
    assert e["a"] == pytest.approx(mean)
    assert mean < e["b"] < e["c"] < 100  # more purchases, more weight on the account's own mean
    np.testing.assert_allclose(e, fit.model.conditional_expected_average_profit(s["frequency"], s["monetary_value"]))


# ----------------------------------------------------------------- over-valuation and figures


@pytest.fixture(scope="module")
def cdnow_calhold():
    ds = datasets.load("cdnow_sample")
    return rfm.calibration_holdout(ds.transactions, ds.calibration_end, ds.observation_end,
                                   freq="D", freq_multiplier=7)


def test_holdout_value_check_groups(cdnow_calhold):
    bg, gg = clv.fit_bgnbd(cdnow_calhold), clv.fit_gamma_gamma(cdnow_calhold)
    table = clv.holdout_value_check(bg, gg, cdnow_calhold, groups=5)
    assert table.index.tolist() == [1, 2, 3, 4, 5]
    assert table["accounts"].sum() == len(cdnow_calhold)
    assert table["predicted"].is_monotonic_decreasing  # groups are ranked by prediction
    # group means recombine to the overall mean of actual holdout revenue
    overall = (table["actual"] * table["accounts"]).sum() / table["accounts"].sum()
    assert overall == pytest.approx(cdnow_calhold["revenue_holdout"].mean())


def test_clv_figures_have_titles_and_labels(cdnow_calhold):
    from kamlab import plots
    from kamlab.concentration import lorenz_curve

    bg, gg = clv.fit_bgnbd(cdnow_calhold), clv.fit_gamma_gamma(cdnow_calhold)
    figures = [
        plots.holdout_by_frequency(clv.holdout_check(bg, cdnow_calhold).by_frequency),
        plots.holdout_value_by_group(clv.holdout_value_check(bg, gg, cdnow_calhold)),
        plots.clv_concentration(lorenz_curve(clv.discounted_clv(bg, gg, cdnow_calhold, horizon=52, periods_per_year=52))),
    ]
    for fig in figures:
        ax = fig.axes[0]
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
        assert "(" in ax.get_ylabel()  # a unit


def test_contractual_clv_is_the_gupta_lehmann_formula():
    # re-exported from kamlab.economics: m r / (1 + d - r) and the finite-horizon sum
    assert clv.contractual_clv(100, 0.8, 0.10) == pytest.approx(266.6667, abs=1e-4)
    assert clv.contractual_clv(100, 0.8, 0.10, years=1) == pytest.approx(100 * 0.8 / 1.1)


def test_pareto_nbd_table_where_lifetimes_summary_fails(cdnow_summary):
    # lifetimes' ParetoNBDFitter has no standard_errors_, so its .summary raises;
    # the kamlab result always has a table with estimates and errors.
    table = clv.fit_pareto_nbd(cdnow_summary).table()
    assert list(table.columns) == ["estimate", "std_error"] and table.notna().all().all()
