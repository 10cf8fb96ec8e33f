"""ABC, XYZ, the ABC-XYZ matrix, key-client types and tiers (kamlab.segments, second part)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kamlab.segments import (
    TIERS,
    abc_classes,
    account_table,
    abc_xyz_matrix,
    customer_tiers,
    key_client_types,
    revenue_cv,
    xyz_classes,
)


def ids(n):
    return pd.Index([f"c{i}" for i in range(n)], name="customer_id")


# ----------------------------------------------------------------- ABC


def test_abc_hand_computed():
    # shares before each account, largest first: 0, .50, .80, .90, .95, .98
    values = pd.Series([3, 50, 10, 30, 2, 5], index=["f", "a", "c", "b", "g", "d"], dtype=float)
    got = abc_classes(values)
    assert got.to_dict() == {"f": "C", "a": "A", "c": "B", "b": "A", "g": "C", "d": "B"}


def test_abc_ties_broken_by_customer_id():
    values = pd.Series([1.0, 1.0, 1.0, 1.0], index=["d", "c", "b", "a"])
    got = abc_classes(values, cuts=(0.5, 0.8))
    assert got.to_dict() == {"a": "A", "b": "A", "c": "B", "d": "B"}


def test_abc_loss_making_accounts_are_c():
    profit = pd.Series([100.0, -40.0, 20.0, 0.0], index=ids(4))
    got = abc_classes(profit)
    assert got["c1"] == "C" and got["c3"] == "C" and got["c0"] == "A"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0.01, 1e6), min_size=2, max_size=60))
def test_abc_class_a_is_smallest_set_reaching_the_cut(raw):
    values = pd.Series(raw, index=ids(len(raw)))
    classes = abc_classes(values)
    a = values[classes == "A"]
    total = values.sum()
    assert a.sum() >= 0.8 * total * (1 - 1e-12)
    assert (a.sum() - a.min()) < 0.8 * total  # without its smallest member A falls short
    assert a.min() >= values[classes != "A"].max() if (classes != "A").any() else True


def test_abc_rejects_bad_input():
    with pytest.raises(ValueError, match="missing or infinite"):
        abc_classes(pd.Series([1.0, np.nan], index=ids(2)))
    with pytest.raises(ValueError, match="cuts"):
        abc_classes(pd.Series([1.0, 2.0], index=ids(2)), cuts=(0.9, 0.8))


# ----------------------------------------------------------------- XYZ


def _tx(rows):
    return pd.DataFrame(rows, columns=["customer_id", "date", "amount"]).assign(date=lambda f: pd.to_datetime(f["date"]))


def test_revenue_cv_and_xyz_hand_computed():
    months = ["2020-01-10", "2020-02-10", "2020-03-10", "2020-04-10"]
    rows = [("steady", d, 100.0) for d in months]
    rows += [("wobbly", d, a) for d, a in zip(months, [160.0, 40.0, 160.0, 40.0])]
    rows += [("erratic", months[0], 400.0)]
    rows += [("late", months[3], 50.0)]
    rows += [("steady", "2020-04-20", 0.0)]  # two purchases in one month add up
    cv = revenue_cv(_tx(rows), freq="M")
    assert cv.loc["steady", "cv"] == pytest.approx(0.0)
    assert cv.loc["wobbly", "cv"] == pytest.approx(0.6)
    # 400, 0, 0, 0: mean 100, population sd sqrt(30000)
    assert cv.loc["erratic", "cv"] == pytest.approx(np.sqrt(30000) / 100)
    assert cv.loc["late", "periods"] == 1
    classes = xyz_classes(cv)
    assert classes.to_dict() == {"erratic": "Z", "late": "Z", "steady": "X", "wobbly": "Y"}


def test_revenue_cv_matches_numpy_on_random_data():
    rng = np.random.default_rng(3)
    n = 300
    tx = pd.DataFrame({
        "customer_id": rng.choice([f"a{i}" for i in range(20)], n),
        "date": pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D"),
        "amount": rng.gamma(2, 50, n),
    })
    end = pd.Timestamp("2021-12-31")
    cv = revenue_cv(tx, freq="M", end=end)
    for account, rows in tx.groupby("customer_id"):
        per = rows.groupby(rows["date"].dt.to_period("M"))["amount"].sum()
        full = per.reindex(pd.period_range(per.index.min(), end.to_period("M"), freq="M"), fill_value=0.0)
        assert cv.loc[account, "periods"] == len(full)
        assert cv.loc[account, "cv"] == pytest.approx(np.std(full.to_numpy()) / full.mean(), rel=1e-9)


def test_xyz_cut_points_are_parameters():
    cv = pd.DataFrame({"periods": [12, 12, 12], "cv": [0.2, 0.4, 0.9]}, index=ids(3))
    assert list(xyz_classes(cv)) == ["X", "X", "Y"]
    assert list(xyz_classes(cv, cuts=(0.3, 0.5))) == ["X", "Y", "Z"]


def test_abc_xyz_matrix_counts_and_revenue():
    revenue = pd.Series([50.0, 30.0, 10.0, 5.0, 5.0], index=ids(5))
    abc = abc_classes(revenue)
    xyz = pd.Series(pd.Categorical(["X", "Z", "X", "Y", "Y"], categories=["X", "Y", "Z"]), index=ids(5))
    m = abc_xyz_matrix(abc, xyz, revenue)
    assert len(m) == 9
    assert m["accounts"].sum() == 5
    assert m["revenue"].sum() == pytest.approx(100.0)
    cell = m.set_index(["abc", "xyz"])
    assert cell.loc[("A", "X"), "accounts"] == 1 and cell.loc[("A", "Z"), "revenue"] == 30.0
    assert cell.loc[("C", "X"), "accounts"] == 0
    with pytest.raises(ValueError, match="same accounts"):
        abc_xyz_matrix(abc, xyz.iloc[:4], revenue)


# ----------------------------------------------------------------- key-client types


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


# ----------------------------------------------------------------- figures


def test_segment_figures_have_titles_and_labels():
    from kamlab.plots.segments import abc_xyz_heatmap, key_client_type_profile

    summary, accounts = _world()
    cv = pd.DataFrame({"periods": 12, "cv": np.linspace(0.1, 2, 10)}, index=summary.index)
    matrix = abc_xyz_matrix(abc_classes(summary["revenue"]), xyz_classes(cv), summary["revenue"])
    types = key_client_types(summary, accounts).table
    for fig in (abc_xyz_heatmap(matrix), key_client_type_profile(types, summary[["revenue", "profit"]])):
        ax = fig.axes[0]
        assert ax.get_title() and "(" in ax.get_xlabel() and ax.get_ylabel()


def test_account_table_nets_cost_to_serve():
    tx = _tx([("a", "2020-01-05", 100.0), ("a", "2020-02-05", 50.0), ("b", "2020-02-07", 30.0)])
    tx["cost"] = [60.0, 30.0, 10.0]
    accounts = pd.DataFrame({"cost_to_serve": [25.0, 0.0]}, index=pd.Index(["a", "b"], name="customer_id"))
    table = account_table(tx, accounts)
    assert table.loc["a", "revenue"] == 150 and table.loc["a", "profit"] == 150 - 90 - 25
    assert table.loc["a", "frequency"] == 1 and table.loc["b", "frequency"] == 0
    assert table.loc["a", "periods"] == 2 and table.loc["b", "periods"] == 1
    assert "profit" not in account_table(tx.drop(columns="cost")).columns
