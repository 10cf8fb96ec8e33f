"""Honest shares and degenerate data (kamlab.compare.quality): the report says when its numbers cannot carry it."""

import numpy as np
import pandas as pd
import pytest

from kamlab import compare
from kamlab import definitions as defs
from kamlab.datasets import Dataset
from kamlab.definitions import DefinitionScore


def score(name, values, index):
    return DefinitionScore(name=name, scores=pd.Series(values, index=index, dtype=float), needs=(), note="")


def accounts(n=60, seed=0):
    rng = np.random.default_rng(seed)
    idx = pd.Index([f"a{i:03d}" for i in range(n)], name="customer_id")
    return idx, rng


def test_profit_that_nets_to_almost_nothing_is_flagged_not_ranked_on():
    idx, rng = accounts()
    revenue = rng.gamma(2, 100, len(idx))
    profit = np.where(np.arange(len(idx)) % 2 == 0, 100.0, -100.0)
    profit[0] += 30  # gains 3,030 against losses 3,000: a total of 30
    outcomes = pd.DataFrame({"revenue": revenue, "profit": profit}, index=idx)
    scores = {"biggest": score("biggest", revenue, idx), "mustnt_lose": score("mustnt_lose", profit, idx),
              "demanding": score("demanding", rng.random(len(idx)), idx)}
    result = compare.compare_definitions(scores, outcomes, k=6, n_bootstrap=200)
    assert set(result.unstable) == {"profit"}
    assert compare.headline_metric(result) == "revenue"
    shown = compare.report_table(result)
    assert "profit % (unstable)" in shown.columns and "profit CI (unstable)" in shown.columns
    text = compare.conclusion(result)
    assert "Shares of holdout profit are not trusted here" in text and "losses of 3,000" in text
    assert "captured the most holdout revenue" in text
    # a profit that does not cancel is not flagged
    fine = compare.compare_definitions(scores, outcomes.assign(profit=np.abs(profit)), k=6, n_bootstrap=0)
    assert fine.unstable == {} and compare.headline_metric(fine) == "profit"


def test_an_interval_entirely_below_random_is_called_worse_than_random():
    idx, rng = accounts(200)
    revenue = np.where(np.arange(200) < 100, 0.0, rng.gamma(2, 100, 200))  # half the accounts bought nothing
    outcomes = pd.DataFrame({"revenue": revenue}, index=idx)
    scores = {"biggest": score("biggest", revenue, idx),
              "staff_focus": score("staff_focus", rng.random(200), idx),
              "demanding": score("demanding", -revenue, idx)}  # picks accounts that bought nothing
    result = compare.compare_definitions(scores, outcomes, k=20, n_bootstrap=200)
    row = result.table.set_index("definition").loc["demanding"]
    assert row["revenue_captured_high"] < 20 / 200
    text = compare.conclusion(result)
    assert "demanding captured the least" in text and "worse than random" in text
    assert "reaching down to what random selection gets" not in text


def tiny_dataset(rows, calibration_end=None, observation_end=None):
    tx = pd.DataFrame(rows, columns=["customer_id", "date", "amount"])
    tx["date"] = pd.to_datetime(tx["date"])
    return Dataset(name="tiny", transactions=tx, calibration_end=pd.Timestamp(calibration_end),
                   observation_end=None if observation_end is None else pd.Timestamp(observation_end))


def test_one_account_to_choose_from_is_reported_not_scored_at_100_percent():
    ds = tiny_dataset([("a", "2023-01-05", 10.0), ("a", "2023-03-01", 20.0), ("a", "2023-09-01", 30.0)],
                      calibration_end="2023-06-30")
    result = compare.run_comparison(ds, share=0.1, n_bootstrap=50)
    assert any("only 1 account to choose from" in r for r in result.degenerate)
    text = compare.conclusion(result)
    assert "cannot rank the definitions" in text and "100.0 % (95 % CI 100.0 % to 100.0 %)" not in text


def test_an_empty_holdout_says_so_instead_of_raising():
    rows = [(f"c{i}", f"2023-0{1 + i % 6}-1{i % 9}", 10.0 + i) for i in range(30)]
    ds = tiny_dataset(rows, calibration_end="2023-06-30", observation_end="2023-12-31")
    result = compare.run_comparison(ds, share=0.1, n_bootstrap=50)
    assert "no account bought in the holdout window" in result.degenerate
    assert compare.headline_metric(result) is None
    assert "no account bought in the holdout window" in compare.conclusion(result)
    assert compare.capture_lines(result)[0].startswith("This comparison cannot rank")


def test_a_stray_future_date_that_leaves_one_holdout_buyer_is_degenerate():
    rng = np.random.default_rng(4)
    rows = [(f"c{i % 40}", pd.Timestamp("2023-01-01") + pd.Timedelta(days=int(d)), float(rng.gamma(2, 50)))
            for i, d in enumerate(rng.integers(0, 360, 400))]
    rows.append(("c1", pd.Timestamp("2099-01-01"), 500.0))  # one row from the far future
    ds = tiny_dataset(rows, calibration_end="2061-01-01")
    result = compare.run_comparison(ds, share=0.1, n_bootstrap=50, turnover=False)
    assert any("only 1 of the 40 accounts bought in the holdout window" in r for r in result.degenerate)
    assert "(95 % CI 100.0 % to 100.0 %)" not in compare.conclusion(result)


def test_more_key_accounts_than_candidates_is_reported_not_raised():
    rng = np.random.default_rng(8)
    rows = [(f"c{i % 30}", pd.Timestamp("2023-01-01") + pd.Timedelta(days=int(d)), float(rng.gamma(2, 50)))
            for i, d in enumerate(rng.integers(0, 360, 300))]
    ds = tiny_dataset(rows, calibration_end="2023-06-30")
    result = compare.run_comparison(ds, k=50, n_bootstrap=20, turnover=False)
    assert result.k == result.n_accounts
    assert any(r.startswith("every account is key") for r in result.degenerate)
    assert "cannot rank the definitions" in compare.conclusion(result)
