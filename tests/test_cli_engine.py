"""`--engine`: the validating loader or DuckDB's out-of-core summaries for the capstone (kamlab.reports.engine)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kamlab import cli, datasets
from kamlab.reports import ReportConfigError, engine
from kamlab.reports.handoff import kept_comparison

CAPSTONE = Path("notebooks/07_compare_definitions.ipynb")
COHORTS = Path("notebooks/04_cohorts_and_churn.ipynb")


@pytest.fixture(scope="module")
def ledger(tmp_path_factory) -> Path:
    """The b2b world's purchases as a clean analyst export with a cost column."""
    tx = datasets.load("b2b").transactions
    path = tmp_path_factory.mktemp("engine") / "orders.csv"
    tx[["customer_id", "date", "amount", "cost"]].to_csv(path, index=False)
    return path


def test_duckdb_is_refused_for_a_notebook_that_needs_transactions(ledger):
    with pytest.raises(ReportConfigError, match="needs the transactions themselves.*--engine duckdb"):
        engine.choose_engine("duckdb", ledger, COHORTS, {})


def test_duckdb_is_refused_with_loading_policies_it_would_not_apply(ledger):
    with pytest.raises(ReportConfigError, match="--bad-rows, --returns: loading policies"):
        engine.choose_engine("duckdb", ledger, CAPSTONE, {"returns": "net", "bad_rows": "drop"})


def test_auto_chooses_duckdb_only_above_the_threshold_for_the_capstone_without_policies(ledger, monkeypatch):
    assert engine.choose_engine("auto", ledger, CAPSTONE, {}) == "pandas"  # a small file
    monkeypatch.setattr(engine, "duckdb_threshold", lambda: ledger.stat().st_size - 1)
    assert engine.choose_engine("auto", ledger, CAPSTONE, {}) == "duckdb"
    assert engine.choose_engine("auto", ledger, COHORTS, {}) == "pandas"
    assert engine.choose_engine("auto", ledger, CAPSTONE, {"returns": "keep"}) == "pandas"


def test_the_threshold_is_at_most_a_gibibyte():
    assert 0 < engine.duckdb_threshold() <= engine.DUCKDB_ABOVE_BYTES == 1 << 30


def _comparison(ledger: Path, out: Path, which: str):
    code = cli.main(["report", "07_compare_definitions", "--data", str(ledger), "--cost-col", "cost",
                     "--engine", which, "--out", str(out), "--no-progress", "-p", "n_bootstrap=200"])
    assert code == 0
    return kept_comparison(next(out.glob("executed/*.bundle")))


def test_the_capstone_gives_the_same_comparison_on_both_engines(ledger, tmp_path):
    on_pandas = _comparison(ledger, tmp_path / "pandas", "pandas")
    on_duckdb = _comparison(ledger, tmp_path / "duckdb", "duckdb")
    assert on_duckdb.k == on_pandas.k and on_duckdb.n_accounts == on_pandas.n_accounts
    pd.testing.assert_frame_equal(on_duckdb.table, on_pandas.table, rtol=1e-9)
    assert {n: sorted(s) for n, s in on_duckdb.selections.items()} == \
        {n: sorted(s) for n, s in on_pandas.selections.items()}
    # the exports of the summaries: each key list and comparison.csv, the same accounts and money
    exports = {which: next((tmp_path / which).glob("*_exports")) for which in ("pandas", "duckdb")}
    for name in on_pandas.selections:
        lists = {w: pd.read_csv(e / f"key_accounts_{name}.csv", encoding="utf-8-sig") for w, e in exports.items()}
        columns = ["rank", "customer_id", "revenue", "profit", "revenue_holdout", "profit_holdout"]
        pd.testing.assert_frame_equal(lists["duckdb"][columns], lists["pandas"][columns], rtol=1e-9)
    comparison = {w: pd.read_csv(e / "comparison.csv", encoding="utf-8-sig") for w, e in exports.items()}
    pd.testing.assert_frame_equal(comparison["duckdb"], comparison["pandas"], rtol=1e-9)
    readme = (exports["duckdb"] / "README.txt").read_text(encoding="utf-8")
    assert "need the transactions" in readme and "--engine pandas" in readme
    assert not (exports["duckdb"] / "win_back.csv").exists()
