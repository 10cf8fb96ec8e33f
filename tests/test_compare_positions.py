"""The comparison in positions (kamlab.compare.positions) against the string-id code it replaces."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kamlab import compare
from kamlab.compare.positions import aligned_values, positions_in
from kamlab.definitions import DefinitionScore


def lexsort_select(scores: pd.Series, k: int) -> pd.Index:
    values = scores.to_numpy(dtype=float)
    keys = np.where(np.isnan(values), np.inf, -values)
    return scores.index[np.lexsort((scores.index.astype(str).to_numpy(), keys))][:k]


def previous_overlap(selections) -> pd.DataFrame:
    names = list(selections)
    everyone = pd.Index([]).append([selections[name] for name in names]).unique()
    member = np.column_stack([everyone.isin(selections[name]) for name in names]).astype(float)
    both = member.T @ member
    sizes = np.diag(both)
    union = sizes[:, None] + sizes[None, :] - both
    values = np.divide(both, union, out=np.ones_like(both), where=union > 0)
    return pd.DataFrame(values, index=pd.Index(names, name="definition"), columns=names)


def previous_gain(scores: pd.Series, outcome: pd.Series, points: int) -> np.ndarray:
    order = lexsort_select(scores.reindex(outcome.index), len(outcome))
    cum = np.concatenate([[0.0], np.cumsum(outcome.reindex(order).to_numpy(dtype=float))])
    ks = np.unique(np.round(np.linspace(0, 1, points) * len(outcome)).astype(int))
    return cum[ks] / cum[-1]


def world(seed: int, n: int = 800):
    """Accounts in shuffled id order, scores with ties and gaps, one score on another (partial) index."""
    rng = np.random.default_rng(seed)
    index = pd.Index([f"K{x}" for x in rng.choice(10 * n, n, replace=False)], name="customer_id")
    outcomes = pd.DataFrame({"revenue": rng.lognormal(2, 1, n) * (rng.random(n) < 0.7),
                             "profit": rng.normal(5, 20, n)}, index=index)
    coarse = rng.integers(0, 5, n).astype(float)
    coarse[rng.random(n) < 0.1] = np.nan
    elsewhere = index[rng.permutation(n)[: n - 50]]  # 50 accounts unscored, in another order
    scores = {
        "biggest": pd.Series(coarse, index=index),
        "demanding": pd.Series(rng.integers(0, 3, len(elsewhere)).astype(float), index=elsewhere),
        "strategic": pd.Series(rng.random(n), index=index),
        "abc_a": pd.Series(coarse, index=index),
        "oracle": pd.Series(outcomes["profit"].to_numpy(), index=index),
    }
    scored = {name: DefinitionScore(name=name, scores=s, needs=(), note="", size=40 if name == "abc_a" else None)
              for name, s in scores.items()}
    later = {name: DefinitionScore(name=name, scores=s.sample(frac=0.9, random_state=seed) + rng.random(1)[0],
                                   needs=(), note="") for name, s in scores.items() if name != "strategic"}
    return scored, outcomes, later


@pytest.mark.parametrize("seed", range(3))
def test_key_sets_overlap_gains_and_turnover_match_the_string_code(seed):
    scores, outcomes, later = world(seed)
    k = 97
    result = compare.compare_definitions(scores, outcomes, k=k, n_bootstrap=0, next_scores=later)
    for name, scored in scores.items():
        expected = lexsort_select(scored.scores.reindex(outcomes.index), scored.size or k)
        pd.testing.assert_index_equal(result.selections[name], expected)
    pd.testing.assert_frame_equal(result.overlap, previous_overlap(result.selections))
    pd.testing.assert_frame_equal(compare.overlap_matrix(result.selections), result.overlap)
    for name in ("biggest", "demanding", "strategic"):
        curve = result.gains[result.gains["definition"] == name]
        for metric in ("revenue", "profit"):
            np.testing.assert_array_equal(curve[f"{metric}_captured"],
                                          previous_gain(scores[name].scores, outcomes[metric], 201))
            np.testing.assert_array_equal(compare.gain_curve(scores[name].scores, outcomes[metric])["captured"],
                                          curve[f"{metric}_captured"])
    t = result.table.set_index("definition")
    best = result.selections["oracle"]
    for name in scores:
        hits = len(result.selections[name].intersection(best))
        assert t.loc[name, "precision"] == hits / len(result.selections[name])
        again = later.get(name)
        if again is not None:
            kept = len(result.selections[name].intersection(lexsort_select(again.scores.reindex(outcomes.index),
                                                                             again.size or k)))
            turnover = result.turnover.set_index("definition").loc[name, "turnover"]
            assert turnover == 1 - kept / len(result.selections[name])


@pytest.mark.parametrize("dtype", ["str", object])
def test_positions_in_is_get_indexer(dtype):
    index = pd.Index(["b", "a", "d", "c", "é"], dtype=dtype)
    labels = pd.Index(["c", "x", "é", "b", "b"], dtype=dtype)
    np.testing.assert_array_equal(positions_in(labels, index), index.get_indexer(labels))
    numbers = pd.Index([5, 3, 9])
    np.testing.assert_array_equal(positions_in(pd.Index([9, 4]), numbers), [2, -1])
    assert len(positions_in(pd.Index([], dtype=dtype), index)) == 0


def test_aligned_values_is_reindex():
    index = pd.Index(["a", "b", "c", "d"])
    scores = pd.Series([1.0, 2.0, 3.0], index=["d", "b", "z"])
    np.testing.assert_array_equal(aligned_values(scores, index), scores.reindex(index).to_numpy())
    same = pd.Series([4.0, 3.0, 2.0, 1.0], index=index.copy())
    np.testing.assert_array_equal(aligned_values(same, index), same.to_numpy())
