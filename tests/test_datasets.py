"""The bundled datasets load in the contract with their documented sizes."""

import pandas as pd
import pytest

from kamlab import datasets


def test_cdnow_master_has_documented_size_and_range():
    ds = datasets.load("cdnow")
    tx = ds.transactions
    assert tx["customer_id"].nunique() == 23_570
    assert tx["date"].min() == pd.Timestamp("1997-01-01")
    assert tx["date"].max() == pd.Timestamp("1998-06-30")
    assert {"customer_id", "date", "amount"} <= set(tx.columns)
    assert tx["customer_id"].map(type).eq(str).all()


def test_cdnow_sample_and_published_summary_have_2357_customers():
    assert datasets.load("cdnow_sample").transactions["customer_id"].nunique() == 2_357
    summary = datasets.load("cdnow_summary").summary
    assert len(summary) == 2_357
    assert list(summary.columns) == ["frequency", "recency", "T"]
    assert (summary["recency"] <= summary["T"]).all()


def test_donations_summary_weights_sum_to_cohort_size():
    # Fader, Hardie & Shang (2010): 11,104 first-time supporters in 1995.
    assert datasets.load("donations").summary["weights"].sum() == 11_104


def test_load_returns_independent_copies():
    first = datasets.load("cdnow_sample")
    first.transactions.loc[:, "amount"] = 0.0
    assert datasets.load("cdnow_sample").transactions["amount"].sum() > 0


def test_unknown_name_lists_registered_datasets():
    with pytest.raises(KeyError, match="cdnow"):
        datasets.load("nope")


def test_resolve_rejects_missing_file_and_column_map_on_registered_name(tmp_path):
    with pytest.raises(FileNotFoundError, match="neither a registered dataset"):
        datasets.resolve(tmp_path / "missing.csv")
    with pytest.raises(ValueError, match="column mappings"):
        datasets.resolve("cdnow", customer_col="client")
