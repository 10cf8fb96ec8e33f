"""The four key-client types and the five tiers (kamlab.client_types)."""

import numpy as np
import pandas as pd
import pytest

from kamlab.client_types import TIERS, customer_tiers, key_client_types, not_computable_sentence, tiers_need
from kamlab.data import MissingColumnsError


def ids(n):
    return pd.Index([f"c{i}" for i in range(n)], name="customer_id")


def _world():
    idx = ids(10)
    summary = pd.DataFrame({
        "frequency": [9, 8, 1, 0, 5, 2, 3, 4, 6, 7],
        "revenue": [900, 700, 50, 40, 300, 60, 80, 70, 200, 100],
        "profit": [-50, 300, 20, 10, 100, 20, 30, 20, 60, 40],
    }, index=idx, dtype=float)
    accounts = pd.DataFrame({
        "growth_potential": [0.1, 0.2, 0.9, 0.95, 0.3, 0.1, 0.2, 0.1, 0.2, 0.3],
        "influence": [0, 0, 0, 0, 0, 9, 8, 0, 0, 0],
        "service_tickets": [40, 1, 2, 1, 2, 1, 1, 2, 1, 30],
        "strategic_fit": [0.9, 0.8, 0.9, 0.1, 0.2, 0.3, 0.7, 0.1, 0.6, 0.2],
        "cost_to_serve": [10, 10, 5, 5, 5, 5, 5, 5, 5, 120],
    }, index=idx)
    return summary, accounts


def test_key_client_types_hand_built():
    summary, accounts = _world()
    types = key_client_types(summary, accounts)
    t = types.table
    # profit total 550: c1 brings 54.5 %, c4 18.2 %, c8 10.9 %; c0 loses money
    assert set(t.index[t["breadwinner"]]) == {"c1", "c4", "c8"}
    assert set(t.index[t["prospect"]]) == {"c2", "c3"}  # high growth, small revenue
    assert set(t.index[t["image_maker"]]) == {"c5", "c6"}
    assert set(t.index[t["expert"]]) == {"c0", "c9"}
    assert types.not_computable == {} and types.notes == ()


def test_key_client_types_says_when_no_breadwinner_and_what_is_missing():
    summary = pd.DataFrame({"revenue": np.full(20, 10.0), "profit": np.full(20, 2.0)}, index=ids(20))
    types = key_client_types(summary)
    assert not types.table["breadwinner"].any()
    assert "no account reaches 10% of total profit" in types.notes[0]
    assert set(types.not_computable) == {"prospect", "image_maker", "expert"}
    assert list(types.table.columns) == ["breadwinner"]  # never a column of False for a missing input
    no_cost = key_client_types(summary.drop(columns="profit"))
    assert no_cost.not_computable["breadwinner"] == ("cost",)


def test_customer_tiers_hand_built():
    summary, accounts = _world()
    accounts.loc["c10"] = [0.5, 0, 0, 0.5, 0]  # known account that never bought
    summary["profit"] -= accounts["cost_to_serve"]  # profit after cost-to-serve, as account_table gives it
    tiers = customer_tiers(summary, accounts)
    assert list(tiers.cat.categories) == list(TIERS)
    assert tiers["c10"] == "non-customers"
    assert tiers["c0"] == "difficult"  # profit -50
    assert tiers["c9"] == "difficult"  # profit 40 - cost to serve 120
    assert tiers["c1"] == "key"  # loyal (frequency 8) and fits (0.8)
    assert tiers["c2"] == "important"  # fits (0.9) but not loyal
    assert tiers["c4"] == "important"  # loyal, low fit
    assert tiers["c3"] == "customers"  # neither
    with pytest.raises(ValueError, match="strategic_fit"):
        customer_tiers(summary, accounts.drop(columns="strategic_fit"))


def test_customer_tiers_without_accounts_says_what_to_give():
    summary, _ = _world()
    with pytest.raises(MissingColumnsError, match="--accounts"):
        customer_tiers(summary)
    assert tiers_need(None) == ("strategic_fit",)
    assert tiers_need(pd.DataFrame({"staff_hours": [1.0]})) == ("strategic_fit",)
    assert tiers_need(pd.DataFrame({"strategic_fit": [1.0]})) == ()


def test_missing_types_say_which_column_to_give():
    summary, accounts = _world()
    types = key_client_types(summary.drop(columns="profit"), accounts[["influence"]])
    sentences = dict(zip(types.not_computable, types.missing_sentences()))
    assert set(sentences) == {"breadwinner", "prospect", "expert"}
    assert sentences["prospect"] == ("prospect: not computable on this dataset: needs growth_potential "
                                     "-- give it with --accounts (column growth_potential)")
    assert "--cost-col" in sentences["breadwinner"] and "--accounts" not in sentences["breadwinner"]
    assert "(column service_tickets or cost_to_serve)" in sentences["expert"]


def test_empty_types_names_a_type_nobody_has():
    summary, accounts = _world()
    assert key_client_types(summary, accounts).empty_types() == ()
    flat = pd.DataFrame({"revenue": np.full(20, 10.0), "profit": np.full(20, 2.0)}, index=ids(20))
    assert key_client_types(flat).empty_types() == ("breadwinner",)


def test_not_computable_sentence_joins_several_needs():
    text = not_computable_sentence("tiers", ("cost", "strategic_fit"))
    assert text.startswith("tiers: not computable on this dataset: needs cost and strategic_fit -- ")
    assert "--cost-col" in text and "--accounts (column strategic_fit)" in text
