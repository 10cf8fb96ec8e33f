"""Comparing key-account definitions on holdout outcomes (kamlab.compare)."""

import numpy as np
import pandas as pd
import pytest

from kamlab import compare, datasets, synth
from kamlab import definitions as defs
from kamlab.datasets import Dataset
from kamlab.definitions import DefinitionScore, NotComputable


def score(name, values, index, size=None):
    return DefinitionScore(name=name, scores=pd.Series(values, index=index, dtype=float), needs=(),
                           note=defs.RISKS.get(name, ""), size=size)


def hand_built():
    """Ten accounts whose key sets and outcomes can be checked by hand."""
    idx = pd.Index([f"a{i}" for i in range(10)], name="customer_id")
    outcomes = pd.DataFrame({
        "revenue": [100, 50, 40, 30, 20, 10, 5, 3, 1, 1],         # total 260
        "profit": [-20, 30, 25, 10, 5, 4, 3, -2, 1, 1],           # total 57
        "cost_to_serve": [50, 5, 5, 5, 5, 5, 5, 5, 5, 10],        # total 100
        "uplift_true": [0, 40, 30, 0, 0, 0, 0, 0, 0, 0],
    }, index=idx, dtype=float)
    rank = np.arange(10, 0, -1, dtype=float)  # a0 highest
    scores = {
        "biggest": score("biggest", rank, idx),                              # a0, a1
        "demanding": score("demanding", [9, 1, 1, 1, 1, 1, 1, 8, 1, 1], idx),  # a0, a7
        "staff_focus": NotComputable("staff_focus", ("staff_hours",), ("staff_hours",)),
        "abc_a": score("abc_a", rank, idx, size=3),                            # a0, a1, a2
        "oracle": score("oracle", outcomes["profit"].to_numpy(), idx),         # a1, a2
    }
    return scores, outcomes


def test_hand_built_comparison():
    scores, outcomes = hand_built()
    result = compare.compare_definitions(scores, outcomes, k=2, n_bootstrap=0, programme_cost=10.0)
    t = result.table.set_index("definition")
    assert list(t.index) == ["biggest", "demanding", "abc_a", "oracle"]
    assert list(t["n_key"]) == [2, 2, 3, 2]
    assert t.loc["biggest", "revenue_captured"] == pytest.approx(150 / 260)
    assert t.loc["biggest", "revenue_lift"] == pytest.approx((150 / 260) / (2 / 10))
    assert t.loc["biggest", "profit_captured"] == pytest.approx(10 / 57)
    assert t.loc["demanding", "profit_captured"] == pytest.approx(-22 / 57)
    assert t.loc["abc_a", "revenue_captured"] == pytest.approx(190 / 260)
    assert t.loc["oracle", "profit_captured"] == pytest.approx(55 / 57)
    assert t.loc["biggest", "precision"] == 0.5 and t.loc["oracle", "precision"] == 1.0
    assert t.loc["abc_a", "precision"] == pytest.approx(2 / 3) and t.loc["abc_a", "recall"] == 1.0
    assert t.loc["demanding", "cost_to_serve_share"] == pytest.approx(55 / 100)
    assert list(t["losing_accounts"]) == [1, 2, 1, 0]
    assert t.loc["oracle", "uplift_true"] == 70 and t.loc["oracle", "net_gain_true"] == 50
    assert t.loc["oracle", "roi_true"] == pytest.approx(50 / 20)
    assert t.loc["biggest", "roi_true"] == pytest.approx((40 - 20) / 20)
    # an effort cost already netted out of the uplift only enlarges the ROI's denominator
    with_effort = compare.compare_definitions(scores, outcomes, k=2, n_bootstrap=0, programme_cost=10.0,
                                              effort_cost=15.0).table.set_index("definition")
    assert with_effort.loc["oracle", "net_gain_true"] == 50
    assert with_effort.loc["oracle", "roi_true"] == pytest.approx(50 / (2 * 25))
    # the definition without its input is listed as such, never as a row of zeros
    assert "staff_focus" not in t.index
    assert result.not_computable.set_index("definition").loc["staff_focus", "reason"] == \
        "not computable on this dataset: needs staff_hours"
    assert "roi_estimated" in result.unavailable
    ov = result.overlap
    assert ov.loc["biggest", "abc_a"] == pytest.approx(2 / 3) and ov.loc["biggest", "oracle"] == pytest.approx(1 / 3)
    assert np.allclose(ov.to_numpy(), ov.to_numpy().T) and np.allclose(np.diag(ov), 1)


def test_turnover_between_windows():
    scores, outcomes = hand_built()
    idx = outcomes.index
    later = {"biggest": score("biggest", [10, 1, 9, 1, 1, 1, 1, 1, 1, 1], idx)}  # a0, a2
    result = compare.compare_definitions(scores, outcomes, k=2, n_bootstrap=0, next_scores=later)
    assert result.turnover.set_index("definition").loc["biggest", "turnover"] == 0.5
    assert "demanding" in result.unavailable["turnover"]


def test_gain_curve_hand_computed_and_monotone():
    idx = pd.Index(list("abcd"))
    curve = compare.gain_curve(pd.Series([1.0, 4, 3, 2], index=idx), pd.Series([10.0, 40, 30, 20], index=idx),
                               points=5)
    np.testing.assert_allclose(curve["share_of_accounts"], [0, 0.25, 0.5, 0.75, 1])
    np.testing.assert_allclose(curve["captured"], [0, 0.4, 0.7, 0.9, 1.0])


def test_bootstrap_interval_matches_the_delta_method():
    # an independent check of the vectorised bootstrap: the standard error of a
    # ratio of sums, captured = sum(y s) / sum(y), is sd(y s - c y) / (sqrt(n) mean(y))
    rng = np.random.default_rng(5)
    n, k = 3000, 300
    idx = pd.Index([f"x{i}" for i in range(n)])
    y = rng.lognormal(3, 1.2, n)
    chosen = np.zeros(n)
    chosen[rng.choice(n, k, replace=False)] = 1
    outcomes = pd.DataFrame({"revenue": y}, index=idx)
    scores = {"random": score("random", chosen + rng.random(n) * 0.5, idx)}
    result = compare.compare_definitions(scores, outcomes, k=k, n_bootstrap=4000, seed=1)
    row = result.table.iloc[0]
    c = row["revenue_captured"]
    se = np.std(y * chosen - c * y) / (np.sqrt(n) * y.mean())
    width = row["revenue_captured_high"] - row["revenue_captured_low"]
    assert width == pytest.approx(2 * 1.959964 * se, rel=0.08)
    assert row["revenue_captured_low"] < c < row["revenue_captured_high"]
    again = compare.compare_definitions(scores, outcomes, k=k, n_bootstrap=4000, seed=1)
    assert again.table.equals(result.table)  # seeded


# ----------------------------------------------------------------- on whole datasets


@pytest.fixture(scope="module")
def b2b():
    return compare.run_comparison(datasets.load("b2b"), share=0.1, n_bootstrap=500, programme_cost=1000.0,
                                  sensitivity_draws=50)


def test_b2b_oracle_random_and_shares(b2b):
    t = b2b.table.set_index("definition")
    assert set(defs.DEFINITIONS) <= set(t.index) and b2b.not_computable.empty
    assert t.loc["oracle", "precision"] == 1.0 and t.loc["oracle", "recall"] == 1.0
    expected = b2b.k / b2b.n_accounts
    for metric in ("revenue", "profit", "true_value"):
        assert t.loc["random", f"{metric}_captured_low"] <= expected <= t.loc["random", f"{metric}_captured_high"]
    # the oracle ranks by true profit, so no definition of the same size beats it there
    same_size = t[t["n_key"] == b2b.k]
    assert same_size["true_value_captured"].max() == t.loc["oracle", "true_value_captured"]
    assert ((t["revenue_captured"] >= 0) & (t["revenue_captured"] <= 1)).all()
    for _, curve in b2b.gains.groupby("definition"):
        assert (np.diff(curve["revenue_captured"]) >= -1e-12).all()
        assert curve["revenue_captured"].iloc[-1] == pytest.approx(1.0)


def test_conclusion_is_written_from_the_numbers(b2b):
    text = compare.conclusion(b2b)
    t = b2b.table.set_index("definition")
    own = t[t["kind"] == "definition"]
    best = own["profit_captured"].idxmax()
    assert f"{best} captured the most holdout profit: {100 * own.loc[best, 'profit_captured']:.1f} %" in text
    assert f"{100 * t.loc['oracle', 'profit_captured']:.1f} %" in text
    # change the numbers, and the conclusion follows
    flipped = b2b.table.copy()
    flipped.loc[flipped["definition"] == "demanding", "profit_captured"] = 5.0
    import dataclasses
    assert "demanding captured the most holdout profit: 500.0 %" in compare.conclusion(
        dataclasses.replace(b2b, table=flipped))


def test_revenue_only_data_reports_what_is_not_computable():
    result = compare.run_comparison(datasets.load("cdnow_sample"), k=200, n_bootstrap=200)
    t = result.table
    assert set(t["definition"]) == {"biggest", "future_profit", "random", "abc_a"}
    assert not any(c.startswith("profit") or c in ("precision", "losing_accounts") for c in t.columns)
    missing = result.not_computable.set_index("definition")
    assert set(missing.index) == {"mustnt_lose", "staff_focus", "extra_effort", "demanding", "strategic", "oracle"}
    assert missing.loc["mustnt_lose", "reason"].startswith("not computable on this dataset: needs cost")
    text = compare.conclusion(result)
    assert "holdout revenue" in text and "mustnt_lose (needs cost)" in text


def test_twenty_random_worlds_give_finite_comparisons():
    rng = np.random.default_rng(2024)
    for world_seed in range(20):
        world = synth.b2b_accounts(
            n_accounts=int(rng.integers(50, 130)), years=int(rng.choice([2, 3])), seed=world_seed,
            oak_share=float(rng.uniform(0, 0.15)), discount_size_slope=float(rng.uniform(0, 0.12)),
            demand_sigma=float(rng.uniform(0.5, 1.6)), influencer_share=float(rng.uniform(0.02, 0.2)),
            kam_response_mean=float(rng.uniform(-0.05, 0.2)), pilot_share=float(rng.uniform(0.3, 0.7)),
        )
        ds = Dataset(name="b2b", transactions=world.transactions, accounts=world.accounts, truth=world.truth,
                     calibration_end=world.calibration_end, observation_end=world.observation_end,
                     pilot_days=int(world.params["pilot_days"]))
        # re-scoring for the turnover repeats the CLV fit: done on every fourth world to keep the test fast
        result = compare.run_comparison(ds, share=float(rng.uniform(0.05, 0.3)), n_bootstrap=50,
                                        programme_cost=float(rng.uniform(0, 2000)), sensitivity_draws=10,
                                        seed=world_seed, turnover=world_seed % 4 == 0)
        numbers = result.table.select_dtypes("number")
        assert np.isfinite(numbers.to_numpy()).all(), (world_seed, result.table)
        assert np.isfinite(result.gains.select_dtypes("number").to_numpy()).all()
        assert np.isfinite(result.overlap.to_numpy()).all() and np.isfinite(result.turnover["turnover"]).all()
        assert result.table["revenue_captured"].between(0, 1).all()
        assert set(result.table["definition"]).isdisjoint(result.not_computable["definition"])
        assert "oracle" in set(result.table["definition"])
        assert compare.conclusion(result)


def test_figures_have_titles_and_labels(b2b):
    from kamlab.plots.compare import capture_bars, gain_curves, overlap_heatmap

    for fig in (gain_curves(b2b), overlap_heatmap(b2b), capture_bars(b2b), capture_bars(b2b, "revenue")):
        ax = fig.axes[0]
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    assert len(gain_curves(b2b).axes[0].get_lines()) >= len(b2b.table)  # every definition drawn


def test_game_world_heavy_tailed_spend_and_pilot_length():
    game = datasets.load("game")
    result = compare.run_comparison(game, share=0.1, n_bootstrap=100, turnover=False)
    fp = result.scores["future_profit"]
    assert isinstance(fp, defs.FutureProfitScore) and fp.spend_model.startswith("own mean spend")
    assert result.windows.pilot_days == game.pilot_days
    assert result.scores["extra_effort"].pilot_days == game.pilot_days  # the world's own pilot, not a default
    assert np.isfinite(result.table.select_dtypes("number").to_numpy()).all()
    assert list(result.not_computable["definition"]) == ["strategic"]


def test_report_table_reads_the_comparison(b2b):
    shown = compare.report_table(b2b)
    t = b2b.table.set_index("definition")
    assert list(shown.index) == list(t.index)
    assert shown.loc["oracle", "profit %"] == round(100 * t.loc["oracle", "profit_captured"], 1)
    low, high = t.loc["biggest", ["revenue_captured_low", "revenue_captured_high"]]
    assert shown.loc["biggest", "revenue CI"] == f"{100 * low:.1f} to {100 * high:.1f}"
    assert shown.loc["staff_focus", "turnover %"] == "n/a"  # attributes observed once: not re-scored


def test_bad_input_is_named():
    scores, outcomes = hand_built()
    with pytest.raises(ValueError, match="needs a 'revenue' column"):
        compare.compare_definitions(scores, outcomes.drop(columns="revenue"), k=2)
    with pytest.raises(ValueError, match="between 1 and the number of accounts"):
        compare.compare_definitions(scores, outcomes, k=11)
    with pytest.raises(ValueError, match=r"columns \['profit'\] have missing"):
        compare.compare_definitions(scores, outcomes.assign(profit=np.nan), k=2)
    with pytest.raises(ValueError, match="calibration_end 2030-01-01 must fall inside the data"):
        compare.run_comparison(datasets.load("cdnow_sample"), calibration_end="2030-01-01")
    with pytest.raises(ValueError, match="has no transactions"):
        compare.run_comparison(datasets.load("cdnow_summary"))
