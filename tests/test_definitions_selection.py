"""The ranking on arrays (kamlab.definitions.selection) against the string lexsort it replaces."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kamlab.definitions import select
from kamlab.definitions.selection import ranking, ranking_positions, tie_ranks, top_positions


def lexsort_ranking(scores: pd.Series) -> pd.Index:
    """The reference: one np.lexsort on (customer_id strings, -score with NaN last)."""
    values = scores.to_numpy(dtype=float)
    keys = np.where(np.isnan(values), np.inf, -values)
    return scores.index[np.lexsort((scores.index.astype(str).to_numpy(), keys))]


def _scores(seed: int, n: int, *, ordered: bool, ids: str = "str") -> pd.Series:
    rng = np.random.default_rng(seed)
    values = rng.integers(0, 6, n).astype(float)  # many ties
    values[rng.random(n) < 0.1] = np.nan
    values[rng.random(n) < 0.03] = -np.inf  # ties with the missing scores at the end
    values[rng.random(n) < 0.03] = np.inf
    values[rng.random(n) < 0.05] = -0.0
    labels = rng.choice(100 * n, size=n, replace=False)
    index = pd.Index([f"C{x}" for x in labels] if ids == "str" else labels, name="customer_id")
    series = pd.Series(values, index=index)
    return series.sort_index(key=lambda i: i.astype(str)) if ordered else series


@pytest.mark.parametrize("ordered", [True, False])
@pytest.mark.parametrize("ids", ["str", "int"])
@pytest.mark.parametrize("seed", range(4))
def test_ranking_and_select_match_the_string_lexsort(seed, ordered, ids):
    scores = _scores(seed, 500, ordered=ordered, ids=ids)
    expected = lexsort_ranking(scores)
    assert (tie_ranks(scores.index) is None) == (ordered or len(scores) < 2)
    pd.testing.assert_index_equal(ranking(scores), expected)
    for k in (1, 7, 60, 250, 499, 500):
        pd.testing.assert_index_equal(select(scores, k=k), expected[:k])


@pytest.mark.parametrize("seed", range(6))
def test_top_positions_are_the_head_of_the_ranking(seed):
    rng = np.random.default_rng(seed)
    n = 300
    values = rng.integers(0, 4, n).astype(float)  # the k-th key is almost always tied
    values[rng.random(n) < 0.2] = np.nan
    ties = rng.permutation(n)
    for k in (0, 1, 2, 50, 151, 299, 300, 400):
        full = ranking_positions(values, ties)
        np.testing.assert_array_equal(top_positions(values, k, ties), full[:max(k, 0)])
        np.testing.assert_array_equal(top_positions(values, k), ranking_positions(values)[:max(k, 0)])


def test_ids_in_string_order_need_no_tie_ranks():
    assert tie_ranks(pd.Index(["a", "b", "b", "c"])) is None
    # 10 < 9 as strings: integer ids are ranked by their text, as select always did
    np.testing.assert_array_equal(tie_ranks(pd.Index([9, 10, 100])), [2, 0, 1])


def test_weight_sensitivity_in_blocks_is_the_string_lexsort_of_every_draw(monkeypatch):
    from kamlab.definitions import scorecard

    rng = np.random.default_rng(8)
    n = 400
    index = pd.Index([f"A{x}" for x in rng.choice(10 * n, n, replace=False)], name="customer_id")  # not sorted
    summary = pd.DataFrame({"profit": rng.integers(0, 20, n).astype(float)}, index=index)
    accounts = pd.DataFrame({"growth_potential": rng.integers(0, 4, n), "influence": rng.integers(0, 3, n),
                             "strategic_fit": rng.integers(0, 5, n)}, index=index)
    whole = scorecard.weight_sensitivity(summary, accounts, k=40, n_draws=30, seed=2)
    monkeypatch.setattr(scorecard, "SENSITIVITY_CELLS", 7 * n)  # blocks of 7 draws
    blocks = scorecard.weight_sensitivity(summary, accounts, k=40, n_draws=30, seed=2)
    pd.testing.assert_frame_equal(blocks, whole)
    # the reference: rescore with each drawn weight vector, top 40 by a string lexsort, compare with the base set
    signals = scorecard.scorecard_signals(summary, accounts, tuple(scorecard.STRATEGIC_WEIGHTS)).to_numpy()
    base = set(select(scorecard.strategic(summary, accounts).scores, k=40))
    ids = index.astype(str).to_numpy()
    draws = whole[list(scorecard.STRATEGIC_WEIGHTS)].to_numpy()
    expected = [1 - len(base & set(index[np.lexsort((ids, -(signals @ w)))[:40]])) / 40 for w in draws]
    np.testing.assert_array_equal(whole["turnover"], expected)
    assert whole["turnover"].max() > 0


@pytest.mark.parametrize("ids", ["str", "int"])
def test_random_baseline_places_its_draws_in_sorted_id_order(ids):
    from kamlab.definitions import random_pick

    rng = np.random.default_rng(1)
    labels = rng.choice(10_000, 300, replace=False)
    index = pd.Index([f"R{x}" for x in labels] if ids == "str" else labels, name="customer_id")
    for summary in (pd.DataFrame({"revenue": 1.0}, index=index), pd.DataFrame({"revenue": 1.0}, index=index.sort_values())):
        ordered = summary.index.sort_values()  # the reference: draws along the sorted ids, then back in place
        expected = pd.Series(np.random.default_rng(5).random(len(ordered)), index=ordered).reindex(summary.index)
        np.testing.assert_array_equal(random_pick(summary, seed=5).scores.to_numpy(), expected.to_numpy())
