"""ERP ledger exports: title lines, totals rows, credit notes and non-sales lines, by policy."""

import pandas as pd
import pytest

from kamlab.data import TransactionDataError, load_transactions

LEDGER = """\
Sales ledger -- customer invoice lines;;;;;
Printed 03/04/2024 by ERP;;;;;

Customer No.;Posting Date;Document Type;Document No.;Description;Amount
C-1001;15/01/2024;Invoice;INV-1;Widgets;1.250,00
C-1001;20/02/2024;Invoice;INV-2;Widgets;300,50
C-1001;25/02/2024;Credit Memo;CN-7;Widgets returned;300,50
C-1002;16/01/2024;Invoice;INV-3;Gears;2.000,00
C-1002;16/01/2024;Invoice;INV-4;Postage;12,00
C-1003;31/01/2024;Invoice;INV-5;Bolts;99,99

;;;;Total;3.962,49
"""

OPTIONS = dict(customer_col="Customer No.", date_col="Posting Date", amount_col="Amount")


def write(tmp_path, text, name="ledger.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def item(report, words):
    found = [i for i in report.items if words in i.reason]
    assert len(found) == 1, [i.reason for i in report.items]
    return found[0]


def test_an_erp_ledger_loads_with_flags_only(tmp_path):
    tx, report = load_transactions(
        write(tmp_path, LEDGER), **OPTIONS, credit_note_col="Document Type", credit_note_values="Credit Memo",
        exclude_col="Description", exclude_values="Postage, Fee", returns="net")
    # titles and the totals row are named; the credit memo cancels INV-2; postage is not a sale
    assert any("2 title lines above the header skipped (lines 1-3" in n for n in report.notes)
    assert item(report, "totals or summary rows").rows == 1
    assert "line 12" in item(report, "totals or summary rows").lines
    assert item(report, "not sales").rows == 1 and "line 9: 'Postage'" in item(report, "not sales").lines
    assert item(report, "made negative").rows == 1
    assert report.rows_read == 7 and report.rows_kept == 3
    assert tx["amount"].sum() == pytest.approx(1250.00 + 2000.00 + 99.99)
    assert tx["date"].min() == pd.Timestamp("2024-01-15") and sorted(tx["customer_id"].unique()) == [
        "C-1001", "C-1002", "C-1003"]
    assert not any("columns not used" in n and "Document Type" in n for n in report.notes)


def test_without_the_flags_the_ledger_keeps_credit_memos_as_sales_and_says_nothing_silently(tmp_path):
    tx, report = load_transactions(write(tmp_path, LEDGER), **OPTIONS)
    assert len(tx) == 6  # the totals row alone is dropped by default
    assert item(report, "totals or summary rows").rows == 1


def test_credit_notes_by_document_number_prefix(tmp_path):
    tx, report = load_transactions(write(tmp_path, LEDGER), **OPTIONS, credit_note_col="Document No.",
                                   credit_note_prefix="cn-", returns="keep")
    assert tx.loc[tx["amount"] < 0, "amount"].tolist() == [-300.50]
    assert "line 7" in item(report, "credit notes:").lines


def test_credit_notes_already_negative_are_not_changed(tmp_path):
    text = "customer_id,date,amount,type\nA,2021-01-01,10,inv\nA,2021-01-05,-4,credit\n"
    tx, report = load_transactions(write(tmp_path, text), credit_note_col="type", credit_note_values=["CREDIT"],
                                   returns="keep")
    assert tx["amount"].tolist() == [10.0, -4.0]
    assert not [i for i in report.items if "made negative" in i.reason]


@pytest.mark.parametrize("last", ["Total;;;2.000,00", "Grand total;;;", "TOTALS:;;;9", ";;Sum;", ";;;2.010,00"])
def test_a_trailing_totals_row_is_detected(tmp_path, last):
    text = "client;day;note;amount\nA;2021-01-01;x;1.000,00\nB;2021-01-02;y;1.010,00\n" + last + "\n"
    tx, report = load_transactions(write(tmp_path, text), customer_col="client", date_col="day")
    assert len(tx) == 2 and item(report, "totals or summary rows").rows == 1


def test_a_customer_called_total_logistics_is_a_customer(tmp_path):
    text = "customer_id,date,amount\nA,2021-01-01,5\nTotal Logistics,2021-01-02,7\n"
    tx, report = load_transactions(write(tmp_path, text))
    assert sorted(tx["customer_id"]) == ["A", "Total Logistics"] and report.rows_dropped == 0


def test_totals_rows_can_be_refused_or_kept(tmp_path):
    path = write(tmp_path, "customer_id,date,amount\nA,2021-01-01,5\nB,2021-01-02,7\nTotal,,12\n")
    with pytest.raises(TransactionDataError) as err:
        load_transactions(path, totals_rows="error")
    message = str(err.value)
    assert "ledger.csv" in message and "line 4" in message and "totals_rows='drop'" in message
    with pytest.raises(TransactionDataError, match="not a date"):
        load_transactions(path, totals_rows="keep")  # then it is an ordinary (bad) row


def test_header_line_names_the_header_when_titles_have_several_fields(tmp_path):
    text = "Report, all regions\nPeriod: 2021, Q1\ncustomer_id,date,amount\nA,2021-01-01,5\n"
    path = write(tmp_path, text)
    with pytest.raises(TransactionDataError):
        load_transactions(path)  # two filled fields: not recognisable as titles
    tx, report = load_transactions(path, header_line=3)
    assert len(tx) == 1 and any("lines 1-2" in n for n in report.notes)
    with pytest.raises(TransactionDataError, match=r"\(line 4: 'oops'\)"):  # file lines, titles counted
        load_transactions(write(tmp_path, text.replace("A,2021-01-01,5", "A,oops,5")), header_line=3)


def test_rules_that_name_a_missing_column_are_reported_with_the_fix(tmp_path):
    path = write(tmp_path, LEDGER)
    with pytest.raises(TransactionDataError) as err:
        load_transactions(path, **OPTIONS, credit_note_col="Doc Type", credit_note_values="Credit Memo",
                          exclude_col="Description")
    message = str(err.value)
    assert "missing column 'Doc Type' (given as credit_note_col)" in message
    assert "credit_note_col='Document Type'" in message
    assert "exclude_col='Description' is given without exclude_values=" in message


def test_header_line_must_be_a_line_number_and_is_said_ignored_for_frames():
    frame = pd.DataFrame({"customer_id": ["A"], "date": ["2021-01-01"], "amount": [1.0]})
    with pytest.raises(ValueError, match="header_line must be a line number from 1"):
        load_transactions(frame, header_line=0)
    _, report = load_transactions(frame, header_line=2)
    assert any("header_line=2 ignored" in n for n in report.notes)
