"""The comparison on a precomputed per-account summary (Dataset.calhold), against the same on transactions."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from kamlab import compare, datasets, rfm
from kamlab.compare.study import next_window_summary
from kamlab.definitions import NotComputable

OPTIONS = dict(share=0.1, n_bootstrap=200, seed=4, sensitivity_draws=20, programme_cost=500.0)


def as_summary(ds: datasets.Dataset, *, turnover: bool = True) -> datasets.Dataset:
    """The dataset as a warehouse would hand it over: the calibration/holdout summary, no transactions."""
    windows = compare.split_windows(ds)
    calhold = rfm.calibration_holdout(ds.transactions, windows.calibration_end, windows.observation_end, freq="W")
    return dataclasses.replace(ds, transactions=None, calhold=calhold, first_date=ds.transactions["date"].min(),
                               next_summary=next_window_summary(ds.transactions, windows) if turnover else None)


def assert_same_comparison(a: compare.Comparison, b: compare.Comparison) -> None:
    for name in ("table", "not_computable", "overlap", "gains", "turnover", "accounts"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True)
    assert a.selections.keys() == b.selections.keys()
    for name in a.selections:
        pd.testing.assert_index_equal(a.selections[name], b.selections[name], exact=True)
    assert (a.unavailable, a.k, a.n_accounts, a.unstable, a.degenerate, a.interval_method) == \
        (b.unavailable, b.k, b.n_accounts, b.unstable, b.degenerate, b.interval_method)
    assert a.windows == b.windows and a.diagnostics == b.diagnostics
    pd.testing.assert_frame_equal(a.windows.calhold, b.windows.calhold, check_exact=True)


@pytest.fixture(scope="module")
def b2b_without_accounts():
    return dataclasses.replace(datasets.load("b2b"), accounts=None)


def test_a_summary_gives_the_comparison_of_its_transactions(b2b_without_accounts):
    ds = b2b_without_accounts
    summary = as_summary(ds)
    assert summary.transactions is None
    from_transactions = compare.run_comparison(ds, **OPTIONS)
    assert_same_comparison(from_transactions, compare.run_comparison(summary, **OPTIONS))
    assert not from_transactions.turnover.empty  # the next window's summary gave the turnover


def test_without_a_next_summary_there_is_no_turnover(b2b_without_accounts):
    result = compare.run_comparison(as_summary(b2b_without_accounts, turnover=False), **OPTIONS, turnover=True)
    assert result.turnover.empty and "no next window" in result.unavailable["turnover"]


def test_accounts_travel_with_the_summary_but_the_pilot_needs_transactions():
    ds = datasets.load("b2b")
    no_pilot = dataclasses.replace(ds, accounts=ds.accounts.drop(columns="kam_pilot"))
    assert_same_comparison(compare.run_comparison(no_pilot, **OPTIONS, turnover=False),
                           compare.run_comparison(as_summary(no_pilot), **OPTIONS, turnover=False))
    scores = compare.score_definitions(as_summary(ds), compare.split_windows(as_summary(ds)), seed=0, weights=None,
                                       annual_discount_rate=0.1)
    effort = scores["extra_effort"]
    assert isinstance(effort, NotComputable) and effort.missing == ("transactions",)
    assert "precomputed summary" in effort.reason


def test_a_summary_without_its_dates_or_columns_is_named(b2b_without_accounts):
    summary = as_summary(b2b_without_accounts)
    with pytest.raises(ValueError, match="first_date is not set"):
        compare.split_windows(dataclasses.replace(summary, first_date=None))
    with pytest.raises(ValueError, match=r"lacks the columns \['revenue_holdout'\]"):
        compare.split_windows(dataclasses.replace(summary, calhold=summary.calhold.drop(columns="revenue_holdout")))
    with pytest.raises(ValueError, match="needs the transactions, or a summary split there"):
        compare.split_windows(summary, calibration_end=summary.calibration_end - pd.Timedelta(days=30))
    with pytest.raises(ValueError, match="no calibration/holdout summary"):
        compare.split_windows(dataclasses.replace(summary, calhold=None))
    same = compare.split_windows(summary, calibration_end=summary.calibration_end)
    assert same == compare.split_windows(b2b_without_accounts)
