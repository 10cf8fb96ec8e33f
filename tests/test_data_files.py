"""Files that are not what their name says, damaged files, long lines and very wide files."""

import bz2
import gzip
import io
import zipfile

import numpy as np
import pandas as pd
import pytest

from kamlab.data import TransactionDataError, load_transactions

CLEAN = "customer_id,date,amount\nA,2021-01-05,10.5\nB,2021-01-06,3\nA,2021-02-01,7\n"


def error_of(path, **options) -> str:
    """The message of the TransactionDataError raised (any other exception fails the test)."""
    with pytest.raises(TransactionDataError) as err:
        load_transactions(path, **options)
    return str(err.value)


def workbook_bytes() -> bytes:
    frame = pd.read_csv(io.StringIO(CLEAN))
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    return buffer.getvalue()


@pytest.mark.parametrize("content, named", [
    (workbook_bytes(), "is an Excel workbook (.xlsx) although its name ends in '.csv'"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "is an Excel 97-2003 workbook (.xls)"),
    (gzip.compress(CLEAN.encode(), mtime=0), "is a gzip-compressed file although its name ends in '.csv'"),
    (bz2.compress(CLEAN.encode()), "is a bzip2-compressed file"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n", "is a PDF document"),
    (np.random.default_rng(0).bytes(4000), "is a binary file (not text)"),
], ids=["xlsx", "xls", "gzip", "bzip2", "pdf", "binary"])  # stable ids: xdist workers must collect the same names
def test_misnamed_files_are_named_as_what_they_are(tmp_path, content, named):
    path = tmp_path / "orders.csv"
    path.write_bytes(content)
    message = error_of(path)
    assert "orders.csv" in message and named in message
    assert "fields" not in message  # not a message about field counts


def test_a_zip_archive_holding_the_csv_says_to_extract_it(tmp_path):
    path = tmp_path / "orders.csv"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("orders.csv", CLEAN)
    assert "is a zip archive although its name ends in '.csv', not a CSV file; extract the CSV file" in error_of(path)


def test_a_parquet_file_named_csv_says_to_rename_it(tmp_path):
    path = tmp_path / "orders.csv"
    pd.read_csv(io.StringIO(CLEAN)).to_parquet(path)
    message = error_of(path)
    assert "is a parquet file although its name ends in '.csv'" in message and "rename it to end in .parquet" in message
    named = tmp_path / "orders.parquet"
    path.rename(named)
    assert len(load_transactions(named).transactions) == 3


def test_a_text_file_named_parquet_is_named_as_text(tmp_path):
    path = tmp_path / "orders.parquet"
    path.write_text(CLEAN)
    assert "is named .parquet but is not a parquet file (it holds text" in error_of(path)


@pytest.mark.parametrize("cut", [10, 30, -8])
def test_a_corrupt_or_truncated_gzip_file_is_named_as_such(tmp_path, cut):
    data = gzip.compress((CLEAN * 50).encode())
    path = tmp_path / "orders.csv.gz"
    path.write_bytes(data[:cut] if cut > 0 else data[:cut] + b"\x00\x01")  # truncated, or a damaged trailer
    message = error_of(path)
    assert message.startswith("orders.csv.gz has 1 problem") and "is a corrupt or truncated gzip file" in message
    assert "download or export it again" in message


def test_a_gz_file_that_is_not_compressed_is_read_and_said(tmp_path):
    path = tmp_path / "orders.csv.gz"
    path.write_text(CLEAN)
    tx, report = load_transactions(path)
    assert len(tx) == 3 and any("named .gz but is not compressed" in n for n in report.notes)


def test_utf16_text_without_a_byte_order_mark_is_not_taken_for_binary(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_bytes(CLEAN.encode("utf-16-le"))
    assert len(load_transactions(path).transactions) == 3


def test_a_first_line_over_128_kib_loads(tmp_path):
    note = "x" * 200_000
    path = tmp_path / "orders.csv"
    path.write_text(f'customer_id,date,amount,note\nA,2021-01-05,10.5,"{note}, with a comma"\nB,2021-01-06,3,""\n')
    tx, report = load_transactions(path)
    assert tx["amount"].tolist() == [10.5, 3.0]
    long_header = tmp_path / "wide_header.csv"
    long_header.write_text(f"customer_id,date,amount,{'y' * 140_000}\nA,2021-01-05,1,\"q\"\n")
    assert len(load_transactions(long_header).transactions) == 1


def test_a_stray_quote_is_named_instead_of_swallowing_the_file(tmp_path):
    rows = "".join(f"C{i},2021-01-05,{i}\n" for i in range(300))
    path = tmp_path / "orders.csv"
    path.write_text('customer_id,date,amount\nA,2021-01-05,"10\n' + rows)
    message = error_of(path)
    assert "line 2 opens a quoted value that runs over" in message and "stray double quote" in message


def test_a_very_wide_file_loads_and_its_unused_columns_are_summarised(tmp_path):
    width = 5_000
    extra = [f"attr_{j}" for j in range(width)]
    lines = ["customer_id,date,amount," + ",".join(extra)]
    lines += [f"C{i},2021-01-{i % 28 + 1:02d},{i + 1}," + ",".join(["0"] * width) for i in range(40)]
    path = tmp_path / "wide.csv"
    path.write_text("\n".join(lines) + "\n")
    tx, report = load_transactions(path)
    assert len(tx) == 40 and list(tx.columns) == ["customer_id", "date", "amount"]
    (unused,) = [n for n in report.notes if n.startswith("columns not used")]
    assert "'attr_0'" in unused and f"and {width - 10:,} more" in unused and len(unused) < 300


def test_an_excel_workbook_of_transactions_loads_by_name_or_with_sheet(tmp_path):
    named = tmp_path / "orders.xlsx"
    named.write_bytes(workbook_bytes())
    tx, report = load_transactions(named)
    assert tx["amount"].tolist() == [10.5, 7.0, 3.0] and report.rows_read == 3
    misnamed = tmp_path / "orders.csv"
    misnamed.write_bytes(workbook_bytes())
    assert "pass sheet=" in error_of(misnamed)
    tx, report = load_transactions(misnamed, sheet=0)
    assert len(tx) == 3 and any("is an Excel workbook although its name ends in .csv" in n for n in report.notes)


def test_sheet_is_said_ignored_for_a_csv_file(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(CLEAN)
    _, report = load_transactions(path, sheet="Orders")
    assert any("sheet='Orders' ignored" in n for n in report.notes)


def test_a_large_file_with_a_wrong_column_name_is_refused_from_its_header(tmp_path, monkeypatch):
    from kamlab.data import reading, transactions

    path = tmp_path / "big.csv"
    path.write_text("Report: sales 2024\nclient,order_date,net_revenue\n" +
                    "".join(f"C{i},2024-01-{1 + i % 28:02d},{i % 97}.50\n" for i in range(3000)), encoding="utf-8")
    monkeypatch.setattr(reading, "HEAD_CHECK_BYTES", 1000)   # "large" for this test
    monkeypatch.setattr(transactions, "_read", lambda *a, **k: pytest.fail("the body was read"))
    with pytest.raises(TransactionDataError) as err:
        load_transactions(path, customer_col="client", date_col="order_date", amount_col="net_revnue")
    assert "did you mean 'net_revenue'" in str(err.value) and "big.csv" in str(err.value)
    monkeypatch.undo()
    loaded = load_transactions(path, customer_col="client", date_col="order_date", amount_col="net_revenue")
    assert loaded.report.rows_kept == 3000
