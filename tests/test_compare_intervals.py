"""Intervals of captured shares (kamlab.compare.intervals): the chunked bootstrap and the delta method."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kamlab import compare
from kamlab.compare import intervals
from kamlab.definitions import DefinitionScore


def _benchmark():
    """benchmarks/compare.py, whose reference_bootstrap is the bootstrap as kamlab computed it before."""
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "compare.py"
    spec = importlib.util.spec_from_file_location("benchmark_compare", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def world(n: int, seed: int = 3, sets: int = 4):
    """Skewed revenue, a profit that takes both signs, and key sets of n / 10 chosen by noisy signals."""
    rng = np.random.default_rng(seed)
    y = rng.lognormal(3, 1.5, n)
    outcomes = np.column_stack([y, y * rng.normal(0.3, 0.5, n)])
    member = np.zeros((n, sets + 1))
    for j in range(sets):
        member[np.argsort(-(np.log(y) + rng.normal(0, 1.0, n)))[: n // 10], j] = 1
    member[rng.choice(n, n // 10, replace=False), sets] = 1  # and a random pick
    return outcomes, member


@pytest.mark.parametrize("n, n_bootstrap, chunk_cells", [(997, 50, 2_500_000), (5000, 37, 12_000), (300, 11, 1)])
def test_bootstrap_replicates_are_those_of_the_previous_code(n, n_bootstrap, chunk_cells):
    outcomes, member = world(n)
    new = intervals.bootstrap_captures(outcomes, member, n_bootstrap=n_bootstrap, seed=7, chunk_cells=chunk_cells)
    old = _benchmark().reference_bootstrap(outcomes, member, n_bootstrap=n_bootstrap, seed=7, chunk_cells=chunk_cells)
    np.testing.assert_array_equal(new, old)


def test_delta_method_ends_lie_within_a_fraction_of_a_bootstrap_standard_error():
    outcomes, member = world(50_000)
    replicates = intervals.bootstrap_captures(outcomes, member, n_bootstrap=1000, seed=0)
    low, high = intervals.percentile_interval(replicates, 0.95)
    se = replicates.std(axis=0)
    delta_low, delta_high = intervals.delta_method_interval(outcomes, member, 0.95)
    share, delta_se = intervals.delta_method_se(outcomes, member)
    np.testing.assert_allclose(share, (outcomes.T @ member) / outcomes.sum(axis=0)[:, None])
    assert np.max(np.abs(delta_low - low) / se) < 0.25
    assert np.max(np.abs(delta_high - high) / se) < 0.25
    np.testing.assert_allclose(delta_se, se, rtol=0.08)


def test_delta_method_variance_is_the_plug_in_variance_of_the_ratio():
    outcomes, member = world(2000, sets=2)
    share, se = intervals.delta_method_se(outcomes, member)
    n = len(outcomes)
    for m in range(outcomes.shape[1]):
        for d in range(member.shape[1]):
            a, b = outcomes[:, m] * member[:, d], outcomes[:, m]
            ratio = a.mean() / b.mean()
            # Var(mean(a) / mean(b)) ~ Var(a - R b) / (n mean(b)^2), moments with divisor n
            assert se[m, d] == pytest.approx(np.sqrt(np.var(a - ratio * b) / (n * b.mean() ** 2)), rel=1e-9)


def test_the_method_follows_the_size_threshold():
    assert intervals.interval_method(intervals.BOOTSTRAP_MAX_ACCOUNTS, 1000) == "bootstrap"
    assert intervals.interval_method(intervals.BOOTSTRAP_MAX_ACCOUNTS + 1, 1000) == "delta method"
    assert intervals.interval_method(10, 1000, bootstrap_max_accounts=9) == "delta method"
    assert intervals.interval_method(10 ** 7, 0) == "none"


def _scores(outcomes: np.ndarray, member: np.ndarray, index: pd.Index) -> dict:
    return {name: DefinitionScore(name=name, scores=pd.Series(member[:, j] + 0.5 * np.arange(len(index))[::-1]
                                                              / len(index), index=index), needs=(), note="")
            for j, name in enumerate(["biggest", "demanding", "random"])}


def test_compare_definitions_says_which_interval_it_used():
    outcomes, member = world(3000, sets=2)
    index = pd.Index([f"c{i:05d}" for i in range(len(outcomes))], name="customer_id")
    frame = pd.DataFrame(outcomes, columns=["revenue", "profit"], index=index)
    scores = _scores(outcomes, member, index)
    boot = compare.compare_definitions(scores, frame, k=300, n_bootstrap=200, seed=2)
    delta = compare.compare_definitions(scores, frame, k=300, n_bootstrap=200, seed=2, bootstrap_max_accounts=2999)
    none = compare.compare_definitions(scores, frame, k=300, n_bootstrap=0, bootstrap_max_accounts=2999)
    assert (boot.interval_method, delta.interval_method, none.interval_method) == ("bootstrap", "delta method", "none")
    sets = np.column_stack([frame.index.isin(boot.selections[name]) for name in scores]).astype(float)
    low, high = intervals.delta_method_interval(outcomes, sets, 0.95)
    np.testing.assert_allclose(delta.table["revenue_captured_low"], low[0], rtol=1e-12)
    np.testing.assert_allclose(delta.table["revenue_captured_high"], high[0], rtol=1e-12)
    replicates = intervals.bootstrap_captures(outcomes, sets, n_bootstrap=200, seed=2)
    np.testing.assert_allclose(boot.table["profit_captured_high"], intervals.percentile_interval(replicates, 0.95)[1][1],
                               rtol=1e-12)
    # the shares themselves do not depend on the interval
    pd.testing.assert_series_equal(boot.table["profit_captured"], delta.table["profit_captured"])
    assert "captured_low/high" in none.unavailable and "revenue_captured_low" not in none.table


def test_the_report_text_names_the_delta_method_only_when_it_was_used():
    outcomes, member = world(3000, sets=2)
    index = pd.Index([f"c{i:05d}" for i in range(len(outcomes))], name="customer_id")
    frame = pd.DataFrame(outcomes[:, :1], columns=["revenue"], index=index)
    scores = _scores(outcomes, member, index)
    boot = compare.compare_definitions(scores, frame, k=300, n_bootstrap=100)
    delta = compare.compare_definitions(scores, frame, k=300, n_bootstrap=100, bootstrap_max_accounts=1000)
    for text in (compare.conclusion(delta), compare.conclusion_markdown(delta)):
        assert "delta-method (normal) intervals" in text and "3,000 accounts" in text
    assert "delta" not in compare.conclusion(boot) + compare.conclusion_markdown(boot)
    assert "share of holdout revenue captured (95 % CI, delta method)" in compare.main_table(delta).columns
    assert "share of holdout revenue captured (95 % CI)" in compare.main_table(boot).columns
