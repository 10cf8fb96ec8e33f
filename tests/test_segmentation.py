"""The segmentation of one window (kamlab.segmentation.segment_accounts)."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from kamlab import client_types, segments
from kamlab.segmentation import Segmentation, segment_accounts


def _transactions(n_accounts=30, seed=4, cost=True):
    rng = np.random.default_rng(seed)
    n = 40 * n_accounts
    tx = pd.DataFrame({
        "customer_id": rng.choice([f"a{i:02d}" for i in range(n_accounts)], n),
        "date": pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 730, n), unit="D"),
        "amount": np.round(rng.gamma(1.5, 80, n), 2),
    })
    if cost:
        tx["cost"] = np.round(tx["amount"] * rng.uniform(0.3, 1.2, n), 2)
    return tx.sort_values(["customer_id", "date"], ignore_index=True)


def _accounts(index, seed=5):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "growth_potential": rng.integers(1, 6, len(index)),
        "influence": rng.integers(1, 6, len(index)),
        "service_tickets": rng.poisson(3, len(index)),
        "cost_to_serve": np.round(rng.gamma(2, 50, len(index)), 2),
        "strategic_fit": rng.integers(1, 6, len(index)),
    }, index=pd.Index(index, name="customer_id"))


def test_segment_accounts_is_the_sequence_of_its_parts():
    tx = _transactions()
    accounts = _accounts(sorted(tx["customer_id"].unique()))
    end = pd.Timestamp("2022-03-31")
    got = segment_accounts(tx, accounts, end=end, abc_cuts=(0.7, 0.9), xyz_period="M", top=0.25)
    window = tx[tx["date"] <= end]
    table = segments.account_table(window, accounts, end=end, freq="M")
    pd.testing.assert_frame_equal(got.table, table)
    pd.testing.assert_series_equal(got.abc, segments.abc_classes(table["revenue"], cuts=(0.7, 0.9)))
    pd.testing.assert_series_equal(got.xyz, segments.xyz_classes(table))
    pd.testing.assert_frame_equal(got.matrix, segments.abc_xyz_matrix(got.abc, got.xyz, table["revenue"]))
    types = client_types.key_client_types(table, accounts, top=0.25)
    pd.testing.assert_frame_equal(got.types.table, types.table)
    assert got.type_counts["accounts"].to_dict() == types.table.sum().to_dict()
    pd.testing.assert_series_equal(got.tiers, client_types.customer_tiers(table, accounts))
    assert got.tier_summary["accounts"].sum() == len(accounts)
    assert got.tier_summary["profit"].sum() == pytest.approx(table["profit"].sum())
    assert got.by_abc["accounts"].sum() == len(table) and got.by_abc["share_of_revenue"].sum() == pytest.approx(1)
    assert got.by_xyz["accounts"].sum() == len(table)
    assert got.end == end and got.tiers_need == () and got.tiers_sentence() == ""


def test_segment_accounts_is_frozen():
    got = segment_accounts(_transactions())
    assert isinstance(got, Segmentation)
    with pytest.raises(dataclasses.FrozenInstanceError):
        got.abc = None


def test_segment_accounts_on_transactions_only_never_raises_and_says_what_is_missing():
    tx = _transactions(cost=False)
    got = segment_accounts(tx)
    assert got.end == tx["date"].max()
    assert got.types.table.columns.empty and got.type_counts.empty
    assert set(got.types.not_computable) == set(client_types.TYPES)
    assert got.tiers is None and got.tier_summary is None and got.tiers_need == ("strategic_fit",)
    assert got.tiers_sentence() == ("tiers: not computable on this dataset: needs strategic_fit "
                                    "-- give it with --accounts (column strategic_fit)")
    assert "profit" not in got.table


def test_segment_accounts_with_a_partial_accounts_file():
    tx = _transactions()
    accounts = _accounts(sorted(tx["customer_id"].unique()))[["service_tickets"]]
    got = segment_accounts(tx, accounts)
    assert list(got.types.table.columns) == ["breadwinner", "expert"]
    assert set(got.types.not_computable) == {"prospect", "image_maker"}
    assert got.tiers is None


def test_segment_accounts_leaves_out_purchases_after_the_window():
    tx = _transactions()
    end = pd.Timestamp("2021-06-30")
    got = segment_accounts(tx, end=end)
    assert got.table["revenue"].sum() == pytest.approx(tx.loc[tx["date"] <= end, "amount"].sum())


def test_readable_tables_use_separators_percentages_and_a_dash_for_missing():
    from kamlab.segmentation import readable

    frame = pd.DataFrame({"accounts": [1450, 0], "revenue": [20321689.04, 0.0], "share_of_revenue": [0.8013, 0.0],
                          "median_cv": [0.403, np.nan]}, index=pd.Index(["A", "B"], name="abc"))
    got = readable(frame, counts=("accounts",), money=("revenue",), shares=("share_of_revenue",),
                   decimals={"median_cv": 2}, index_name="ABC class")
    assert got.loc["A"].tolist() == ["1,450", "20,321,689", "80.1%", "0.40"]
    assert got.loc["B", "median cv"] == "—" and got.index.name == "ABC class"
    seg = segment_accounts(_transactions())
    assert seg.abc_table()["revenue"].str.match(r"^[\d,]+$").all()
    assert seg.tiers_table() is None
