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


# --------------------------------------------------------------------------- bundles

def assert_same_dataset(got: datasets.Dataset, want: datasets.Dataset) -> None:
    for name in ("transactions", "accounts", "truth", "summary"):
        a, b = getattr(got, name), getattr(want, name)
        assert (a is None) == (b is None), name
        if a is not None:
            pd.testing.assert_frame_equal(a, b, check_exact=True, obj=name)
    assert sorted(got.extra) == sorted(want.extra)
    for key in want.extra:
        pd.testing.assert_frame_equal(got.extra[key], want.extra[key], check_exact=True)
    for name in ("name", "source", "calibration_end", "observation_end", "pilot_days", "own_data"):
        assert getattr(got, name) == getattr(want, name), name
    assert got.report == want.report and got.accounts_report == want.accounts_report
    assert str(got.report) == str(want.report)


def analyst_file(tmp_path):
    path = tmp_path / "erp.csv"
    path.write_text(
        "client;day;revenue;cost\n"
        "A;2021-01-05;100,50;60\n"
        "A;2021-06-05 14:30;20;5\n"
        "B;2021-03-01;-5;0\n"
        "B;2021-02-01;70;30\n"
        " C ;2021-12-31 23:59;10;4\n"
        "C;2099-01-01;1;1\n",
        encoding="utf-8",
    )
    accounts = tmp_path / "crm.csv"
    accounts.write_text("client,hours,service_tickets\nA,10.5,3\nB,2,0\nC,0,1\n", encoding="utf-8")
    return path, accounts


def test_bundle_round_trip_of_an_analyst_file_with_accounts(tmp_path):
    path, crm = analyst_file(tmp_path)
    ds = datasets.resolve(path, customer_col="client", date_col="day", amount_col="revenue", cost_col="cost",
                          accounts=crm, account_columns={"staff_hours": "hours"}, returns="net")
    assert ds.own_data and ds.accounts is not None and ds.report.items
    assert sorted(ds.accounts.columns) == ["service_tickets", "staff_hours"]
    assert ds.accounts_report is not None and ds.accounts_report.reconciliation.n_matched == 3
    assert any(n.startswith("accounts from crm.csv: 3 of 3 accounts have transactions") for n in ds.report.notes)
    out = datasets.write_bundle(ds, tmp_path / "bundle")
    assert out == tmp_path / "bundle" and (out / "dataset.json").is_file()
    back = datasets.resolve(out)
    assert_same_dataset(back, ds)
    assert any(i.lines for i in back.report.items)  # the rows named by the report survive the trip


def test_bundle_round_trip_of_registered_datasets(tmp_path):
    for name in ("cdnow_sample", "donations", "cdnow_summary", "b2b"):
        ds = datasets.load(name)
        assert_same_dataset(datasets.resolve(datasets.write_bundle(ds, tmp_path / name)), ds)


def test_validation_report_dict_round_trip_is_json_ready(tmp_path):
    import json

    from kamlab.data import ValidationReport

    path, _ = analyst_file(tmp_path)
    report = datasets.resolve(path, customer_col="client", date_col="day", amount_col="revenue").report
    data = json.loads(json.dumps(report.to_dict()))
    assert ValidationReport.from_dict(data) == report
    with pytest.raises(ValueError, match="unknown keys"):
        ValidationReport.from_dict({**data, "colour": "red"})


def test_a_directory_that_is_not_a_bundle_is_named_as_such(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a kamlab bundle"):
        datasets.resolve(tmp_path)
    (tmp_path / "dataset.json").write_text('{"format": "something else"}')
    with pytest.raises(ValueError, match="not a kamlab bundle"):
        datasets.resolve(tmp_path)


def test_an_analyst_file_says_how_much_revenue_the_returns_policy_left_out(tmp_path):
    path, _ = analyst_file(tmp_path)
    options = dict(customer_col="client", date_col="day", amount_col="revenue")
    notes = datasets.resolve(path, **options).report.notes
    assert any(n.startswith("5.00 of returns in 1 row are not subtracted from revenue (returns='drop')")
               and "returns='net'" in n for n in notes)
    assert not any("not subtracted" in n for n in datasets.resolve(path, **options, returns="net").report.notes)


def test_an_erp_ledger_and_a_crm_file_through_resolve_and_a_bundle(tmp_path):
    from test_data_ledger import LEDGER

    ledger = tmp_path / "erp_export.csv"
    ledger.write_text(LEDGER, encoding="utf-8")
    crm = tmp_path / "crm.csv"
    crm.write_text("Customer No.;Service Tickets;Staff hours (h)\nC-1001;3;12,5\nC-1002;0;1\nC-9999;1;0\n",
                   encoding="utf-8")
    ds = datasets.resolve(ledger, customer_col="Customer No.", date_col="Posting Date", amount_col="Amount",
                          credit_note_col="Document Type", credit_note_values="Credit Memo",
                          exclude_col="Description", exclude_values="Postage", returns="net", accounts=crm)
    assert ds.transactions["amount"].sum() == pytest.approx(1250.00 + 2000.00 + 99.99)
    assert ds.report.rows_kept == len(ds.transactions) == 3
    assert ds.accounts.loc["C-1001", "staff_hours"] == 12.5
    rec = ds.accounts_report.reconciliation
    assert (rec.n_matched, rec.accounts_without_transactions, rec.customers_without_account) == (2, 1, 1)
    assert ds.observation_end == pd.Timestamp("2024-01-31") and ds.calibration_end == pd.Timestamp("2024-01-23")
    assert_same_dataset(datasets.resolve(datasets.write_bundle(ds, tmp_path / "bundle")), ds)


def test_account_options_reach_the_accounts_loader(tmp_path):
    from test_data_ledger import LEDGER

    ledger = tmp_path / "erp_export.csv"
    ledger.write_text(LEDGER, encoding="utf-8")
    crm = tmp_path / "crm.txt"
    # a pipe-delimited CRM table with decimal commas: readable once its options are given
    crm.write_text("Customer No.|Staff hours (h)\nC-1001|12,5\nC-1002|1\n", encoding="utf-8")
    ds = datasets.resolve(ledger, customer_col="Customer No.", date_col="Posting Date", amount_col="Amount",
                          credit_note_col="Document Type", credit_note_values="Credit Memo",
                          exclude_col="Description", exclude_values="Postage", returns="net",
                          accounts=crm, account_options={"delimiter": "|", "decimal": ","})
    assert ds.accounts.loc["C-1001", "staff_hours"] == 12.5


def test_the_report_states_the_kept_revenue_and_each_window_s_share_of_it(tmp_path):
    import re

    from test_data_ledger import LEDGER

    ledger = tmp_path / "erp_export.csv"
    ledger.write_text(LEDGER, encoding="utf-8")
    ds = datasets.resolve(ledger, customer_col="Customer No.", date_col="Posting Date", amount_col="Amount",
                          credit_note_col="Document Type", credit_note_values="Credit Memo",
                          exclude_col="Description", exclude_values="Postage", returns="net")
    assert ds.report.revenue_kept == round(ds.transactions["amount"].sum(), 2) == 3349.99
    assert "revenue 3,349.99" in str(ds.report)
    note = next(n for n in ds.report.notes if n.startswith("default windows"))
    windows = [float(v.replace(",", "")) for v in re.findall(r"revenue ([\d,]+\.\d\d)", note)]
    assert len(windows) == 2 and sum(windows) == pytest.approx(3349.99, abs=0.005)
