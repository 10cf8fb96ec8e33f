"""Amounts and costs an export gives through other columns: quantity x unit price, and gross profit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import kamlab.data.arrow as arrow
from kamlab import cli
from kamlab.data import TransactionDataError, load_transactions


def retail(n: int = 600, seed: int = 2) -> pd.DataFrame:
    """Point-of-sale lines as a public retail export has them: invoice, quantity, unit price, no line amount."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "Invoice": rng.integers(500000, 510000, n).astype(str),
        "Quantity": rng.integers(1, 13, n),
        "InvoiceDate": (pd.Timestamp("2011-01-03 09:00") + pd.to_timedelta(rng.integers(0, 300 * 24, n), unit="h"))
        .strftime("%Y-%m-%d %H:%M"),
        "Price": np.round(rng.gamma(2.0, 2.5, n), 2).astype(object),
        "Customer ID": rng.integers(12000, 12060, n).astype(str),
    })


COLUMNS = dict(customer_col="Customer ID", date_col="InvoiceDate", quantity_col="Quantity", price_col="Price",
               export_date="2012-01-01")


def test_the_amount_is_quantity_times_price_of_each_row(tmp_path):
    frame = retail()
    path = tmp_path / "retail.csv"
    frame.to_csv(path, index=False)
    tx, report = load_transactions(path, **COLUMNS)
    expected = (frame["Quantity"] * frame["Price"]).to_numpy()
    order = np.lexsort((frame["InvoiceDate"].to_numpy(), frame["Customer ID"].to_numpy()))
    assert np.array_equal(np.sort(tx["amount"].to_numpy()), np.sort(expected))  # bit for bit, every row
    assert tx["amount"].sum() == pytest.approx(expected[order].sum(), rel=1e-12)
    assert list(tx.columns) == ["customer_id", "date", "amount", "quantity"]
    assert "amount = 'Quantity' × 'Price' of each row (price_col)" in report.notes
    assert ("price", "Price") in report.columns and not any(c == "amount" for c, _ in report.columns)


def test_the_fast_path_and_the_careful_path_agree(tmp_path, monkeypatch):
    frame = retail()
    frame.loc[7, "Price"] = "n/a"
    path = tmp_path / "retail.csv"
    frame.to_csv(path, index=False)
    fast = load_transactions(path, **COLUMNS, bad_rows="drop")
    monkeypatch.setattr(arrow, "ENABLED", False)
    careful = load_transactions(path, **COLUMNS, bad_rows="drop")
    pd.testing.assert_frame_equal(fast.transactions, careful.transactions, check_exact=True)
    assert fast.report.to_dict() == careful.report.to_dict()


def test_a_price_that_is_not_a_number_is_named_by_its_column(tmp_path):
    frame = retail()
    frame.loc[3, "Price"] = "abc"
    path = tmp_path / "retail.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(TransactionDataError, match=r"column 'Price': 1 value is not a number \(line 5"):
        load_transactions(path, **COLUMNS)


def test_cancellations_with_negative_quantities_are_returns(tmp_path):
    frame = retail()
    frame.loc[10, "Quantity"] = -frame.loc[10, "Quantity"]
    path = tmp_path / "retail.csv"
    frame.to_csv(path, index=False)
    kept = load_transactions(path, **COLUMNS, returns="drop").report
    assert any("negative amounts" in item.reason and item.rows == 1 for item in kept.items)
    with pytest.raises(TransactionDataError, match=r"amount \('Quantity' × 'Price'\): 1 negative amount"):
        load_transactions(path, **COLUMNS, returns="error")


def test_cost_is_amount_minus_gross_profit():
    frame = pd.DataFrame({"Customer": ["a", "a", "b"], "Order Date": ["2023-01-05", "2023-02-05", "2023-01-09"],
                          "Sales": [100.0, 40.0, 10.0], "Profit": [30.0, -5.0, 2.5]})
    tx, report = load_transactions(frame, customer_col="Customer", date_col="Order Date", amount_col="Sales",
                                   profit_col="Profit", export_date="2024-01-01")
    assert tx["cost"].tolist() == [70.0, 45.0, 7.5]
    assert "cost = amount - 'Profit' of each row (profit_col)" in report.notes


@pytest.mark.parametrize("options, message", [
    (dict(price_col="Price"), "needs quantity_col="),
    (dict(price_col="Price", quantity_col="Quantity", amount_col="Total"), "give amount_col='Total' or price_col"),
    (dict(cost_col="Cost", profit_col="Profit", amount_col="Price"), "give cost_col='Cost' or profit_col"),
])
def test_columns_that_contradict_each_other_are_refused(options, message):
    with pytest.raises(ValueError, match=message):
        load_transactions(retail(), customer_col="Customer ID", date_col="InvoiceDate", **options)


def test_a_missing_amount_beside_a_unit_price_suggests_price_col():
    with pytest.raises(TransactionDataError) as caught:
        load_transactions(retail(), customer_col="Customer ID", date_col="InvoiceDate")
    assert "'Price' looks like a unit price: pass price_col='Price' and quantity_col='Quantity'" in str(caught.value)


def test_a_totals_row_of_a_quantity_and_price_export_is_found(tmp_path):
    frame = retail(50)
    total = pd.DataFrame({"Invoice": [""], "Quantity": [1], "InvoiceDate": ["2011-06-01 10:00"],
                          "Price": [float((frame["Quantity"] * frame["Price"]).sum())], "Customer ID": [""]})
    path = tmp_path / "retail.csv"
    pd.concat([frame, total]).to_csv(path, index=False)
    tx, report = load_transactions(path, **COLUMNS)
    assert len(tx) == 50 and any("totals" in item.reason for item in report.items)


def test_the_command_takes_price_col_and_quantity_col(tmp_path, capsys):
    frame = retail(3000, seed=4)
    path = tmp_path / "retail.csv"
    frame.to_csv(path, index=False)
    out = tmp_path / "exports"
    code = cli.main(["export", "--data", str(path), "--customer-col", "Customer ID", "--date-col", "InvoiceDate",
                     "--price-col", "Price", "--quantity-col", "Quantity", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    accounts = pd.read_csv(out / "accounts.csv", encoding="utf-8-sig")
    assert len(accounts) > 0 and (accounts["revenue"] > 0).all()


def test_an_unmapped_profit_column_is_pointed_out():
    frame = pd.DataFrame({"Customer": ["a", "b"], "Order Date": ["2023-01-05", "2023-01-09"], "Sales": [100.0, 10.0],
                          "Gross Profit": [30.0, 2.5]})
    options = dict(customer_col="Customer", date_col="Order Date", amount_col="Sales", export_date="2024-01-01")
    notes = load_transactions(frame, **options).report.notes
    assert any(n.startswith("'Gross Profit' looks like each row's gross profit") and "profit_col='Gross Profit'" in n
               for n in notes)
    assert not any("looks like" in n for n in load_transactions(frame, **options, profit_col="Gross Profit").report.notes)
