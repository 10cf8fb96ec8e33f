"""Ids and values that cannot fool the loader: placeholder ids, control characters, NUL bytes."""

import pandas as pd
import pytest

from kamlab.data import TransactionDataError, load_transactions

PLACEHOLDERS = ["NULL", "NA", "N/A", "#N/A", "nan", "None", "-", "null", " NULL ", "n/a"]


def write(tmp_path, text: str, name: str = "export.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def error_of(source, **options) -> str:
    with pytest.raises(TransactionDataError) as err:
        load_transactions(source, **options)
    return str(err.value)


def placeholder_file(tmp_path):
    rows = [f"{pid},2021-01-{i + 1:02d},{i + 1}" for i, pid in enumerate(PLACEHOLDERS)]
    return write(tmp_path, "customer_id,date,amount\nA,2021-02-01,5\n" + "\n".join(rows) + "\n")


def test_placeholder_ids_are_missing_ids_with_lines_values_and_fix(tmp_path):
    message = error_of(placeholder_file(tmp_path))
    assert "export.csv" in message
    assert "column 'customer_id': 10 rows have no customer id (lines 3, 4, 5, 6, 7 and 5 more: 'NULL', 'NA'" in message
    assert "missing_ids=" in message and "bad_rows='drop'" in message


def test_placeholder_ids_are_dropped_and_counted_under_bad_rows_drop(tmp_path):
    tx, report = load_transactions(placeholder_file(tmp_path), bad_rows="drop")
    assert tx["customer_id"].tolist() == ["A"]
    (item,) = [i for i in report.items if i.action == "dropped"]
    assert item.rows == 10 and "10 placeholders" in item.reason and "bad_rows='drop'" in item.reason


def test_orders_exported_with_a_null_id_do_not_become_one_big_account():
    rows = 600 * [("NULL", "2021-03-01", 100.0)] + [("B1", "2021-03-02", 5.0), ("B2", "2021-03-03", 7.0)]
    frame = pd.DataFrame(rows, columns=["customer_id", "date", "amount"])
    tx, _ = load_transactions(frame, bad_rows="drop", duplicates="keep")
    assert sorted(tx["customer_id"].unique()) == ["B1", "B2"]


def test_the_placeholder_list_is_configurable(tmp_path):
    path = write(tmp_path, "customer_id,date,amount\nNA,2021-01-01,1\nUNKNOWN,2021-01-02,2\nB,2021-01-03,3\n")
    tx, _ = load_transactions(path, missing_ids=())  # "NA" is North America here
    assert sorted(tx["customer_id"]) == ["B", "NA", "UNKNOWN"]
    tx, report = load_transactions(path, missing_ids="unknown, NULL", bad_rows="drop")
    assert sorted(tx["customer_id"]) == ["B", "NA"] and report.rows_dropped == 1
    tx, _ = load_transactions(path, missing_ids=["Unknown"], bad_rows="drop")
    assert sorted(tx["customer_id"]) == ["B", "NA"]


def test_a_nul_byte_in_an_amount_is_refused_not_read_as_a_shorter_number(tmp_path):
    path = write(tmp_path, "customer_id,date,amount\nA,2021-01-01,11\x00.50\nB,2021-01-02,3\n")
    message = error_of(path)
    assert "column 'amount': 1 value holds control characters such as NUL bytes (line 2: '11\\x00.50')" in message
    assert "bad_rows='drop'" in message and "not a number" not in message
    tx, report = load_transactions(path, bad_rows="drop")
    assert tx["amount"].tolist() == [3.0] and "control characters" in report.items[0].reason


def test_ids_differing_after_a_nul_byte_are_not_merged(tmp_path):
    path = write(tmp_path, "customer_id,date,amount\nA\x0001,2021-01-01,1\nA\x0002,2021-01-02,2\nB,2021-01-03,3\n")
    message = error_of(path)
    assert "column 'customer_id': 2 values hold control characters" in message
    assert "lines 2, 3: 'A\\x0001', 'A\\x0002'" in message
    tx, _ = load_transactions(path, bad_rows="drop")
    assert tx["customer_id"].tolist() == ["B"]


def test_control_characters_in_frames_and_dates_are_reported(tmp_path):
    frame = pd.DataFrame({"customer_id": ["A", "B\x1b"], "date": ["2021-01-01", "2021-01-02\x07"],
                          "amount": [1.0, 2.0]})
    message = error_of(frame)
    assert "column 'customer_id': 1 value holds control characters" in message
    assert "column 'date': 1 value holds control characters" in message and "not a date" not in message
    assert "(index 1: '2021-01-02\\x07')" in message


def test_tabs_inside_quoted_values_are_not_control_characters(tmp_path):
    path = write(tmp_path, 'customer_id,date,amount\n"A\tB",2021-01-01,1\n')
    tx, _ = load_transactions(path)
    assert tx["customer_id"].tolist() == ["A\tB"]
