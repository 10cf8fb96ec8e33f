"""The decision of a comparison (kamlab.compare.decision): net gain by number of key accounts, recommendation."""

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from kamlab import compare
from kamlab.definitions import DefinitionScore


def score(name, values, index):
    return DefinitionScore(name=name, scores=pd.Series(values, index=index, dtype=float), needs=(), note="")


def comparison(n=400, programme_cost=0.0, seed=0):
    """Holdout profit y; 'biggest' ranks by y itself, 'staff_focus' by noise, 'demanding' = biggest's copy."""
    rng = np.random.default_rng(seed)
    idx = pd.Index([f"a{i:04d}" for i in range(n)], name="customer_id")
    y = rng.gamma(1.5, 1000, n) - 300
    outcomes = pd.DataFrame({"revenue": np.abs(y) + 100, "profit": y}, index=idx)
    scores = {"biggest": score("biggest", y, idx), "staff_focus": score("staff_focus", rng.random(n), idx)}
    result = compare.compare_definitions(scores, outcomes, k=20, n_bootstrap=0, programme_cost=programme_cost)
    return dataclasses.replace(result, accounts=pd.DataFrame({"profit_holdout": y, "revenue_holdout": np.abs(y) + 100},
                                                             index=idx))


def test_net_gain_is_the_uplift_times_the_top_accounts_value_minus_the_cost():
    result = comparison(programme_cost=200.0)
    decision = compare.decide(result, uplift_share=0.1, capacity=4)
    y = result.accounts["profit_holdout"].sort_values(ascending=False).to_numpy()
    curve = decision.curves[decision.curves["definition"] == "biggest"].set_index("n_key")["net_gain"]
    for n in curve.index[:5]:
        assert curve[n] == pytest.approx(0.1 * y[:n].sum() - 200.0 * n)
    # the best n for biggest is where an account's extra value 0.1 * y_n stops paying its cost
    n_best = int(decision.best.loc["biggest", "n_key"])
    assert decision.recommended == "biggest" and decision.n_recommended == n_best
    n_star = int((0.1 * y > 200.0).sum())  # accounts whose extra value pays their cost
    assert abs(n_best - n_star) <= np.diff(curve.index).max()  # the best grid point is next to the break-even
    assert decision.managers == math.ceil(n_best / 4)
    assert decision.separable  # a ranking by the outcome itself beats noise beyond the bootstrap
    text = compare.decision_text(decision)
    assert f"Recommended: biggest with {n_best:,} key accounts" in text and "managers" in text


def test_the_recommendation_follows_the_numbers():
    cheap = compare.decide(comparison(programme_cost=50.0), uplift_share=0.1)
    dear = compare.decide(comparison(programme_cost=250.0), uplift_share=0.1)
    assert dear.n_recommended < cheap.n_recommended
    never = compare.decide(comparison(programme_cost=1e6), uplift_share=0.1)
    assert never.recommended is None and never.managers == 0
    assert "does not pay at any number of key accounts" in compare.decision_text(never)


def test_identical_key_sets_cannot_be_separated():
    result = comparison(programme_cost=100.0)
    twin = dict(result.scores, mustnt_lose=dataclasses.replace(result.scores["biggest"], name="mustnt_lose"))
    result = dataclasses.replace(result, scores=twin, table=pd.concat([
        result.table, result.table[result.table["definition"] == "biggest"].assign(definition="mustnt_lose")]))
    decision = compare.decide(result, uplift_share=0.1)
    assert decision.runner_up in {"biggest", "mustnt_lose"} and not decision.separable
    assert "pick the same accounts" in compare.decision_text(decision)


def test_without_an_uplift_the_decision_says_what_it_needs():
    text = compare.decide(comparison())
    assert isinstance(text, str) and "needs kam_pilot" in text and "uplift_share" in text
    with pytest.raises(ValueError, match="capacity"):
        compare.decide(comparison(), uplift_share=0.1, capacity=0)


def test_b2b_uses_the_pilots_lift():
    from kamlab import datasets

    result = compare.run_comparison(datasets.load("b2b"), share=0.1, n_bootstrap=0, sensitivity_draws=0,
                                    turnover=False)
    decision = compare.decide(result, n_bootstrap=50)
    assert decision.uplift == result.scores["extra_effort"].mean_lift
    assert decision.cost_per_account == result.effort_cost
    assert decision.uplift_source.startswith("the randomised pilot")


def test_the_replicates_in_blocks_are_those_of_one_draw(monkeypatch):
    from kamlab.compare import decision as module

    result = comparison(n=300, programme_cost=50.0)
    whole = compare.decide(result, uplift_share=0.1, n_bootstrap=40, seed=3)
    monkeypatch.setattr(module, "DECISION_CELLS", 7 * 300)  # blocks of 7 replicates
    blocks = compare.decide(result, uplift_share=0.1, n_bootstrap=40, seed=3)
    pd.testing.assert_frame_equal(blocks.curves, whole.curves)
    assert blocks.difference == whole.difference
    # the reference: all replicates drawn at once, net gain of the top n in each
    draws = np.random.default_rng(3).integers(0, 300, size=(40, 300))
    weights = np.stack([np.bincount(row, minlength=300) for row in draws]).astype(float)
    y = result.accounts["profit_holdout"].to_numpy()
    order = np.argsort(-y, kind="stable")
    grid = whole.curves.loc[whole.curves["definition"] == "biggest", "n_key"].to_numpy()
    boot = 0.1 * np.cumsum(weights[:, order] * y[order], axis=1)[:, grid - 1] - 50.0 * grid
    low = whole.curves.loc[whole.curves["definition"] == "biggest", "low"].to_numpy()
    np.testing.assert_allclose(low, np.quantile(boot, 0.025, axis=0), rtol=1e-12)
