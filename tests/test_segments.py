"""ABC, XYZ, the ABC-XYZ matrix and the per-account table (kamlab.segments)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kamlab.client_types import key_client_types
from kamlab.segments import abc_classes, abc_xyz_matrix, account_table, revenue_cv, xyz_classes


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


# ----------------------------------------------------------------- figures


def test_segment_figures_have_titles_and_labels():
    from kamlab.plots.segments import abc_xyz_heatmap, key_client_type_profile
    from kamlab.plots.style import text_problems

    summary = pd.DataFrame({"revenue": [900.0, 700, 50, 40, 300, 60, 80, 70, 200, 100],
                            "profit": [-50.0, 300, 20, 10, 100, 20, 30, 20, 60, 40]}, index=ids(10))
    accounts = pd.DataFrame({"service_tickets": [40, 1, 2, 1, 2, 1, 1, 2, 1, 30]}, index=ids(10))
    cv = pd.DataFrame({"periods": 12, "cv": np.linspace(0.1, 2, 10)}, index=summary.index)
    matrix = abc_xyz_matrix(abc_classes(summary["revenue"]), xyz_classes(cv), summary["revenue"])
    types = key_client_types(summary, accounts).table
    for fig in (abc_xyz_heatmap(matrix), key_client_type_profile(types, summary[["revenue", "profit"]])):
        ax = fig.axes[0]
        assert ax.get_title() and "(" in ax.get_xlabel() and ax.get_ylabel()
        assert text_problems(fig) == []


def test_account_table_nets_cost_to_serve():
    tx = _tx([("a", "2020-01-05", 100.0), ("a", "2020-02-05", 50.0), ("b", "2020-02-07", 30.0)])
    tx["cost"] = [60.0, 30.0, 10.0]
    accounts = pd.DataFrame({"cost_to_serve": [25.0, 0.0]}, index=pd.Index(["a", "b"], name="customer_id"))
    table = account_table(tx, accounts)
    assert table.loc["a", "revenue"] == 150 and table.loc["a", "profit"] == 150 - 90 - 25
    assert table.loc["a", "frequency"] == 1 and table.loc["b", "frequency"] == 0
    assert table.loc["a", "periods"] == 2 and table.loc["b", "periods"] == 1
    assert "profit" not in account_table(tx.drop(columns="cost")).columns


def test_segment_checks_name_missing_columns():
    from kamlab.data import MissingColumnsError

    with pytest.raises(MissingColumnsError, match="'amount'"):
        revenue_cv(_tx([("a", "2020-01-05", 1.0)]).drop(columns="amount"))
    with pytest.raises(MissingColumnsError, match="revenue_cv"):
        xyz_classes(pd.DataFrame({"cv": [0.1]}, index=ids(1)))


def test_abc_names_at_most_five_bad_accounts():
    values = pd.Series(np.nan, index=ids(8))
    with pytest.raises(ValueError, match=r"8 missing or infinite values \(accounts c0, c1, c2, c3, c4 and 3 more\)"):
        abc_classes(values)


def test_type_profile_draws_only_types_with_accounts():
    from kamlab.plots.segments import key_client_type_profile

    types = pd.DataFrame({"breadwinner": False, "expert": [True, False, True]}, index=ids(3))
    values = pd.DataFrame({"revenue": [10.0, 20.0, 30.0]}, index=ids(3))
    ax = key_client_type_profile(types, values).axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["expert"]
    assert "breadwinner" in ax.get_xlabel()
    with pytest.raises(ValueError, match="nothing to draw"):
        key_client_type_profile(types[["breadwinner"]], values)
