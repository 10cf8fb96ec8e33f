"""kamlab.synth: calibration targets, parameter recovery, truth, determinism, committed bytes."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from lifetimes import BetaGeoFitter

from kamlab import synth
from kamlab.synth.calibration import pilot_outcomes

ROOT = Path(__file__).resolve().parents[1]
SEEDS = [0, 1, 2, 3, 4, 5]


@pytest.fixture(scope="module")
def b2b_worlds():
    return {seed: synth.b2b_accounts(seed=seed) for seed in SEEDS}


# ---------------------------------------------------------------- B2B


@pytest.mark.parametrize("seed", SEEDS)
def test_b2b_calibration_targets(b2b_worlds, seed):
    table = synth.b2b_targets(b2b_worlds[seed])
    failed = table[~table["ok"]]
    assert failed.empty, f"seed {seed}: targets missed:\n{failed}"
    assert len(table) == 9


def test_b2b_contract_columns(b2b_worlds):
    w = b2b_worlds[0]
    tx = w.transactions
    assert list(tx.columns) == ["customer_id", "date", "amount", "cost"]
    assert tx["date"].dtype == "datetime64[ns]" and (tx["date"] == tx["date"].dt.normalize()).all()
    assert tx["customer_id"].map(type).eq(str).all()
    assert tx[["amount", "cost"]].notna().all().all() and (tx["amount"] > 0).all()
    assert tx["date"].min() >= pd.Timestamp(w.params["start"]) and tx["date"].max() <= w.observation_end
    assert w.accounts.index.is_unique and w.accounts.index.name == "customer_id"
    assert w.truth.index.equals(w.accounts.index)
    # accounts are those seen by calibration_end; later accounts appear in transactions only
    first = tx.groupby("customer_id")["date"].min()
    assert set(first[first <= w.calibration_end].index) == set(w.accounts.index)
    assert (first > w.calibration_end).any()
    expected = {"industry", "acquired", "service_tickets", "staff_hours", "cost_to_serve", "strategic_fit",
                "influence", "referrals", "kam_pilot", "growth_potential"}
    assert set(w.accounts.columns) == expected


def test_b2b_truth_is_consistent(b2b_worlds):
    t = b2b_worlds[0].truth
    np.testing.assert_allclose(t["true_uplift"], t["true_future_profit_kam"] - t["true_future_profit"], atol=0.011)
    np.testing.assert_allclose(t["true_future_value"], t["true_future_profit"] + t["referral_value"], atol=0.011)
    dead = t["alive_at_calibration_end"] == 0
    assert (t.loc[dead, ["true_future_revenue", "referral_value"]] == 0).all().all()
    assert (t.loc[~dead, "true_future_revenue"] > 0).all()
    # a referred account's referrer exists and was acquired no later
    acquired = b2b_worlds[0].accounts["acquired"]
    ref = t["referred_by"].dropna()
    assert ref.isin(t.index).all()
    assert (acquired[ref.to_numpy()].to_numpy() <= acquired[ref.index].to_numpy()).all()


def test_b2b_expected_holdout_matches_realised():
    """The analytic truth (expected holdout orders and revenue) agrees with what the generator realises.

    Sums over 5,000 accounts; the allowed gap is 4 standard errors of the sum,
    estimated from the per-account deviations (independent given the latent state).
    """
    w = synth.b2b_accounts(n_accounts=5000, seed=11)
    tx = w.transactions
    hold = tx[(tx["date"] > w.calibration_end) & tx["customer_id"].isin(w.accounts.index)]
    realised = hold.groupby("customer_id")["amount"].agg(["size", "sum"]).reindex(w.truth.index, fill_value=0)
    for real, exp in ((realised["size"], w.truth["true_future_orders"]),
                      (realised["sum"], w.truth["true_future_revenue"])):
        gap = real.sum() - exp.sum()
        se = np.sqrt(((real - exp) ** 2).sum())
        assert abs(gap) < 4 * se, (gap, se)
        assert abs(gap) / exp.sum() < 0.05


def test_bgnbd_recovery_btyd_settings():
    """lifetimes' BG/NBD fitted to the generated transactions recovers r, alpha, a, b within 10 %.

    BTYD settings: oak trees off (their dropout is scaled, which leaves the
    BG/NBD family); everything else default. 30,000 organic accounts (about
    43,000 with referrals); the summary follows lifetimes' convention (repeat
    purchases on distinct days, over the whole three years), so the day
    rounding of dates is part of what is checked.
    """
    w = synth.b2b_accounts(n_accounts=30000, seed=0, oak_share=0.0)
    days = w.transactions[["customer_id", "date"]].drop_duplicates().groupby("customer_id")["date"]
    first, last = days.min(), days.max()
    frequency = days.size() - 1
    recency = (last - first).dt.days
    T = (w.observation_end - first).dt.days
    fitted = BetaGeoFitter().fit(frequency, recency, T).params_
    for name in ("r", "alpha", "a", "b"):
        truth = w.params[name]
        assert abs(fitted[name] / truth - 1) < 0.10, f"{name}: fitted {fitted[name]:.4g}, generated {truth}"


@pytest.mark.parametrize("seed", SEEDS)
def test_b2b_pilot_estimates_mean_lift(b2b_worlds, seed):
    """The randomised pilot identifies the mean lift of order values (within 3 standard errors)."""
    w = b2b_worlds[seed]
    po = pilot_outcomes(w).join(w.truth["kam_response"]).dropna(subset=["log_aov_ratio"])
    fit = smf.ols("log_aov_ratio ~ kam_pilot", po).fit(cov_type="HC1")
    true_lift = np.log1p(po["kam_response"]).mean()
    assert fit.params["kam_pilot"] > 0
    assert abs(fit.params["kam_pilot"] - true_lift) < 3 * fit.bse["kam_pilot"]
    # complete randomisation: half the eligible accounts treated
    assert abs(pilot_outcomes(w)["kam_pilot"].mean() - 0.5) < 0.01


def test_b2b_same_arguments_same_frames():
    a, b = synth.b2b_accounts(n_accounts=120, seed=7), synth.b2b_accounts(n_accounts=120, seed=7)
    for part in ("transactions", "accounts", "truth"):
        pd.testing.assert_frame_equal(getattr(a, part), getattr(b, part))
    c = synth.b2b_accounts(n_accounts=120, seed=8)
    assert not a.transactions.equals(c.transactions)


def test_b2b_knob_changes_only_its_component():
    """Turning the discount knob leaves purchase times (another random stream) untouched."""
    base = synth.b2b_accounts(n_accounts=150, seed=3)
    cheaper = synth.b2b_accounts(n_accounts=150, seed=3, discount_base=0.0)
    pd.testing.assert_frame_equal(base.transactions[["customer_id", "date"]],
                                  cheaper.transactions[["customer_id", "date"]])
    assert (cheaper.transactions["amount"] >= base.transactions["amount"]).all()


def test_b2b_bad_arguments():
    with pytest.raises(TypeError, match="discount_slope"):
        synth.b2b_accounts(discount_slope=0.1)
    with pytest.raises(ValueError, match="years"):
        synth.b2b_accounts(years=1)
    with pytest.raises(ValueError, match="seed"):
        synth.b2b_accounts(seed=-1)


# ---------------------------------------------------------------- files


def test_written_files_read_back_equal(tmp_path):
    world = synth.b2b_accounts(n_accounts=60, seed=2)
    synth.write_world(world, tmp_path)
    back = synth.read_world("b2b", tmp_path)
    for part in ("transactions", "accounts", "truth"):
        pd.testing.assert_frame_equal(getattr(back, part), getattr(world, part))
    assert back.calibration_end == world.calibration_end and back.observation_end == world.observation_end


def test_committed_datasets_regenerate_byte_identical(tmp_path):
    """`python -m kamlab.synth --write DIR` in a fresh process reproduces datasets/ byte for byte."""
    subprocess.run([sys.executable, "-m", "kamlab.synth", "--write", str(tmp_path)], check=True,
                   capture_output=True, cwd=ROOT)
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written, "the writer wrote nothing"
    for name in written:
        committed = ROOT / "datasets" / name
        assert committed.exists(), f"datasets/{name} is not committed; run `make datasets`"
        assert committed.read_bytes() == (tmp_path / name).read_bytes(), (
            f"datasets/{name} differs from a fresh `make datasets`")
        assert committed.stat().st_size <= 5_000_000, f"datasets/{name} is over 5 MB"


def test_read_world_names_missing_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="make datasets"):
        synth.read_world("b2b", tmp_path)


def test_registry_loads_committed_b2b(b2b_worlds):
    from kamlab import datasets

    ds = datasets.load("b2b")
    w = b2b_worlds[0]
    for part in ("transactions", "accounts", "truth"):
        pd.testing.assert_frame_equal(getattr(ds, part), getattr(w, part))
    assert (ds.calibration_end, ds.observation_end) == (w.calibration_end, w.observation_end)


# ---------------------------------------------------------------- game


@pytest.fixture(scope="module")
def game_worlds():
    return {seed: synth.game_players(seed=seed) for seed in SEEDS}


@pytest.mark.parametrize("seed", SEEDS)
def test_game_calibration_targets(game_worlds, seed):
    table = synth.game_targets(game_worlds[seed])
    failed = table[~table["ok"]]
    assert failed.empty, f"seed {seed}: targets missed:\n{failed}"


def test_game_contract_and_events(game_worlds):
    w = game_worlds[0]
    assert list(w.transactions.columns) == ["customer_id", "date", "amount", "cost"]
    assert list(w.events.columns) == ["customer_id", "date", "sessions"]
    assert (w.events["sessions"] >= 1).all()
    assert not w.events.duplicated(["customer_id", "date"]).any()
    # every purchase happens on an active day
    active = pd.MultiIndex.from_frame(w.events[["customer_id", "date"]])
    assert pd.MultiIndex.from_frame(w.transactions[["customer_id", "date"]]).isin(active).all()
    np.testing.assert_allclose(w.transactions["cost"], (w.transactions["amount"] * 0.30).round(2))
    assert w.truth.index.equals(w.accounts.index)
    installs = w.events.groupby("customer_id")["date"].min()
    assert (installs[w.accounts.index] == w.accounts["acquired"]).all()
    assert set(w.accounts["channel"]) == {"organic", "paid_social", "ad_network", "search", "streamer"}


def test_game_expected_holdout_matches_realised(game_worlds):
    """Analytic expected active days and revenue in the holdout agree with the simulation (4 standard errors)."""
    w = game_worlds[0]
    t = w.truth
    hold_ev = w.events[(w.events["date"] > w.calibration_end) & w.events["customer_id"].isin(t.index)]
    hold_tx = w.transactions[(w.transactions["date"] > w.calibration_end) & w.transactions["customer_id"].isin(t.index)]
    days = hold_ev.groupby("customer_id").size().reindex(t.index, fill_value=0)
    revenue = hold_tx.groupby("customer_id")["amount"].sum().reindex(t.index, fill_value=0)
    for real, exp in ((days, t["true_future_active_days"]), (revenue, t["true_future_revenue"])):
        gap, se = real.sum() - exp.sum(), np.sqrt(((real - exp) ** 2).sum())
        assert abs(gap) < 4 * se, (gap, se)


def test_game_ad_network_installs_retain_worst(game_worlds):
    """The ad network's installs are the cheapest and the worst: lowest D7 retention of the paid channels."""
    w = game_worlds[0]
    ev = w.events.merge(w.accounts["channel"], left_on="customer_id", right_index=True)
    d7 = {ch: synth.retention_rates(g, w.observation_end, days=(7,))["D7"] for ch, g in ev.groupby("channel")}
    assert d7["ad_network"] < min(d7["paid_social"], d7["search"], d7["organic"])


def test_game_same_arguments_same_frames():
    a, b = synth.game_players(n_players=800, seed=4), synth.game_players(n_players=800, seed=4)
    for part in ("transactions", "accounts", "truth", "events"):
        pd.testing.assert_frame_equal(getattr(a, part), getattr(b, part))


def test_game_bad_arguments():
    with pytest.raises(ValueError, match="days"):
        synth.game_players(days=30)
    with pytest.raises(TypeError, match="whales"):
        synth.game_players(whales=3)


def test_registry_loads_committed_game(game_worlds):
    from kamlab import datasets

    ds = datasets.load("game")
    w = game_worlds[0]
    for part in ("transactions", "accounts", "truth"):
        pd.testing.assert_frame_equal(getattr(ds, part), getattr(w, part))
    pd.testing.assert_frame_equal(ds.extra["events"], w.events)


# ---------------------------------------------------------------- figures


def test_figures_have_titles_and_labels(b2b_worlds, game_worlds):
    from matplotlib.figure import Figure

    from kamlab import plots
    from kamlab.plots.style import text_problems

    v = synth.account_view(b2b_worlds[0])
    g = game_worlds[0]
    figures = [
        plots.size_vs_profit(v["revenue_cal"], v["profit_cal"]),
        plots.demand_vs_profit(synth.mean_by_decile(v["service_tickets"], v["profit_cal"]), v["profit_cal"].median()),
        plots.staff_hours_habit(v["staff_hours"], v["revenue_cal"], v["true_future_profit"], rho_past=0.5,
                                rho_future=0.1),
        plots.oak_trees(v["revenue_cal"], v["revenue_holdout"], v["oak_tree"]),
        plots.referral_value_vs_profit(v["true_future_profit"], v["referral_value"]),
        plots.uplift_distribution(v["true_uplift"]),
        plots.silence_vs_alive(synth.alive_by_silence(v["days_silent"], v["alive_at_calibration_end"])),
        plots.retention_curve(synth.retention_curves(g.events, g.observation_end, by=g.accounts["channel"])),
    ]
    for fig in figures:
        assert isinstance(fig, Figure)
        assert text_problems(fig) == []
        title = fig.get_suptitle() or fig.axes[0].get_title()
        assert title
        for ax in fig.axes:
            assert ax.get_xlabel() and (ax.get_ylabel() or ax is not fig.axes[0])


def test_retention_curves_agree_with_day_n_rates(game_worlds):
    g = game_worlds[0]
    curves = synth.retention_curves(g.events, g.observation_end, max_day=30)
    rates = synth.retention_rates(g.events, g.observation_end, days=(1, 7, 30))
    for n in (1, 7, 30):
        assert curves.loc[n, "all players"] == pytest.approx(rates[f"D{n}"])
    assert curves.loc[0, "all players"] == pytest.approx(1.0)  # the install day is active
    by = synth.retention_curves(g.events, g.observation_end, max_day=30, by=g.accounts["channel"])
    assert set(by.columns) == set(g.accounts["channel"].unique())
    assert ((by >= 0) & (by <= 1)).all().all()


def test_account_view_joins_without_loss(b2b_worlds):
    w = b2b_worlds[0]
    v = synth.account_view(w)
    assert v.index.equals(w.accounts.index)
    np.testing.assert_allclose(v["profit_cal"], w.truth["profit_cal"], atol=0.011)
    assert (v["days_silent"] >= 0).all()


def test_targets_table_reads_without_inf():
    targets = pd.DataFrame({"value": [0.7021, -3551.83, 7.0, np.nan], "low": [0.6, -np.inf, 3, 1], "high": [0.85, 0.0, np.inf, 1],
                            "ok": [True, True, True, False]}, index=["share", "gap", "count", "flag"])
    table = synth.targets_table(targets)
    assert table["measured"].tolist() == ["0.702", "-3,552", "7", "—"]
    assert table["allowed"].tolist() == ["0.600 to 0.850", "at most 0", "at least 3", "exactly 1"]
    assert table["inside"].tolist() == ["yes", "yes", "yes", "no"]
    assert not table.apply(lambda col: col.str.contains("inf|nan", case=False)).any().any()


def test_mean_by_decile_and_alive_by_silence_hand_computed():
    signal = pd.Series([5, 1, 4, 2, 3, 6], index=list("abcdef"), dtype=float)
    values = pd.Series([50, 10, 40, 20, 30, 60], index=list("abcdef"), dtype=float)
    got = synth.mean_by_decile(signal, values, groups=3)
    assert got.to_dict() == {1: 15.0, 2: 35.0, 3: 55.0}
    silent = pd.Series([0, 59, 60, 130, 140], index=list("abcde"))
    alive = pd.Series([1, 1, 0, 1, 0], index=list("abcde"))
    table = synth.alive_by_silence(silent, alive, bin_days=60)
    assert table.index.tolist() == [0, 60, 120]
    assert table["share_alive"].tolist() == [1.0, 0.0, 0.5] and table["accounts"].tolist() == [2, 1, 2]
