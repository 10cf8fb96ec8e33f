"""The DuckDB path refuses a file it would misread (kamlab.outofcore.layout), naming every problem and the fix."""

from __future__ import annotations

import gzip

import pytest

from kamlab import cli
from kamlab.outofcore import UncleanFileError, check_clean_file, summary_dataset_duckdb

ROLES = {"customer_id": "customer_id", "date": "date", "amount": "amount"}


def _write(path, text, compress=False):
    data = text.encode("utf-8")
    path.write_bytes(gzip.compress(data, mtime=0) if compress else data)
    return path


def _clean_rows(n=60):
    return "".join(f"C{i % 7},2023-{1 + i % 12:02d}-{1 + i % 28:02d} 10:15:00,{10 + i * 0.25}\n" for i in range(n))


def test_a_clean_file_passes_plain_and_compressed(tmp_path):
    text = "customer_id,date,amount\n" + _clean_rows()
    check_clean_file(_write(tmp_path / "clean.csv", text), ROLES)
    check_clean_file(_write(tmp_path / "clean.csv.gz", text, compress=True), ROLES)


def test_title_lines_decimal_commas_and_day_first_dates_are_named_at_once(tmp_path):
    text = ("Sales ledger;;\nPrinted 05/01/2025;;\n\nclient;day;net\n"
            + "".join(f"A{i};{1 + i % 28:02d}/01/2022;{i},5{i % 10}\n" for i in range(40)))
    path = _write(tmp_path / "ledger.csv", text)
    with pytest.raises(UncleanFileError) as caught:
        check_clean_file(path, {"customer_id": "client", "date": "day", "amount": "net"})
    issues = caught.value.issues
    assert len(issues) == 3
    assert "3 title lines above its header (on line 4)" in issues[0]
    assert "'day'" in issues[1] and "'01/01/2022'" in issues[1] and "not ISO" in issues[1]
    assert "'net'" in issues[2] and "'0,50'" in issues[2]
    assert "kamlab.datasets.resolve" in str(caught.value) and str(caught.value).count("kamlab.datasets.resolve") == 1


def test_a_value_beyond_the_checked_head_is_a_data_error_not_a_traceback(tmp_path, monkeypatch):
    from kamlab.outofcore import layout

    monkeypatch.setattr(layout, "HEAD_BYTES", 2000)
    text = "customer_id,date,amount\n" + _clean_rows(2000) + "C1,2023-05-05,n/a\n" + _clean_rows(10)
    path = _write(tmp_path / "late.csv", text)
    with pytest.raises(UncleanFileError, match="DuckDB could not read it"):
        summary_dataset_duckdb(path)


def test_the_command_names_engine_pandas_as_the_fix(tmp_path, capsys):
    text = "Report\ncustomer_id,date,amount\n" + _clean_rows()
    path = _write(tmp_path / "titled.csv", text)
    code = cli.main(["report", "07_compare_definitions", "--data", str(path), "--engine", "duckdb",
                     "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert "1 title line above its header (on line 2)" in err and "--engine pandas" in err
    assert "--customer-col" not in err  # the columns are there, under the title


def test_the_summaries_refuse_a_file_they_would_misread(tmp_path):
    from kamlab.outofcore import calibration_holdout_duckdb, summarise_rfm_duckdb

    text = "customer_id;date;amount\n" + "".join(f"C{i};2023-01-{1 + i % 28:02d};{i},25\n" for i in range(30))
    path = _write(tmp_path / "commas.csv", text)
    with pytest.raises(UncleanFileError, match="'amount' holds values that are not plain numbers"):
        summarise_rfm_duckdb(path, "2023-12-31")
    with pytest.raises(UncleanFileError, match="'amount'"):
        calibration_holdout_duckdb(path, "2023-06-30", "2023-12-31")
