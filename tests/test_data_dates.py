"""Dates that cannot fool the loader: stray rows far from the bulk, and dates in the future."""

import numpy as np
import pandas as pd
import pytest

from kamlab import datasets
from kamlab.data import TransactionDataError, date_bulk, load_transactions


def two_years(tmp_path, extra_rows=(), name="orders.csv"):
    """A normal two-year export (weekly orders of 12 accounts), then ``extra_rows`` at the end."""
    days = pd.date_range("2021-01-04", "2022-12-26", freq="7D")
    lines = ["customer_id,date,amount"]
    for i, day in enumerate(days):
        for k in range(3):
            lines.append(f"C{(i * 3 + k) % 12:02d},{day:%Y-%m-%d},{10 + k}.50")
    lines += list(extra_rows)
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, len(lines)  # the extra rows are on the last lines


def outlying_items(report):
    return [i for i in report.items if "far from the bulk" in i.reason]


def test_a_normal_file_flags_no_date():
    tx, report = datasets.load("cdnow_sample").transactions, datasets.load("cdnow_sample").report
    assert not outlying_items(report)
    assert not date_bulk(tx["date"]).outlying.any()


def test_stray_dates_are_flagged_with_their_lines_and_kept(tmp_path):
    path, last = two_years(tmp_path, ["C01,2099-01-01,5", "C02,1900-05-01,7"])
    tx, report = load_transactions(path)
    (item,) = outlying_items(report)
    assert (item.action, item.rows) == ("flagged", 2)
    assert f"lines {last - 1}, {last}" in item.lines and "'2099-01-01'" in item.lines
    assert "outlying_dates='drop'" in item.reason
    assert len(tx) == report.rows_read  # flagged rows are kept
    assert f"lines {last - 1}, {last}" in str(report)


def test_stray_dates_can_be_dropped_and_are_counted(tmp_path):
    path, _ = two_years(tmp_path, ["C01,2099-01-01,5", "C02,1900-05-01,7"])
    tx, report = load_transactions(path, outlying_dates="drop")
    (item,) = outlying_items(report)
    assert (item.action, item.rows) == ("dropped", 2)
    assert report.rows_read == report.rows_kept + 2
    assert tx["date"].min() == pd.Timestamp("2021-01-04") and tx["date"].max() == pd.Timestamp("2022-12-26")


def test_stray_dates_can_refuse_the_file_with_a_fix(tmp_path):
    path, last = two_years(tmp_path, ["C01,2099-01-01,5"])
    with pytest.raises(TransactionDataError) as err:
        load_transactions(path, outlying_dates="error")
    message = str(err.value)
    assert "orders.csv" in message and "column 'date'" in message and f"line {last}" in message
    assert "outlying_dates='drop'" in message and "outlying_dates='flag'" in message


def test_dates_after_the_export_date_are_outlying(tmp_path):
    path, last = two_years(tmp_path, ["C01,2023-01-20,5"])
    _, report = load_transactions(path)  # within the bulk's fences, before today: not outlying
    assert not outlying_items(report)
    _, report = load_transactions(path, export_date="2023-01-10")
    (item,) = outlying_items(report)
    assert item.rows == 1 and f"line {last}" in item.lines and "export date 2023-01-10" in item.reason


def test_a_future_date_is_outlying_even_near_the_bulk():
    today = pd.Timestamp.now().normalize()
    dates = pd.Series(pd.date_range(today - pd.Timedelta(days=700), today, periods=200))
    tomorrow = pd.concat([dates, pd.Series([today + pd.Timedelta(days=1, hours=1)])], ignore_index=True)
    bulk = date_bulk(tomorrow)
    assert bulk.outlying.tolist() == [False] * 200 + [True]
    assert bulk.last == today  # the whole of today is in


def test_the_bulk_ignores_a_stray_row_even_in_a_small_file():
    dates = pd.Series(pd.date_range("2021-01-01", "2021-12-31", periods=19).append(pd.DatetimeIndex(["2099-01-01"])))
    bulk = date_bulk(dates, today="2030-01-01")
    assert np.flatnonzero(bulk.outlying).tolist() == [19]
    assert bulk.last == pd.Timestamp("2021-12-31")


@pytest.mark.parametrize("stray", ["C01,2099-01-01,5", "C02,1900-05-01,7"])
def test_one_stray_row_does_not_move_the_default_windows(tmp_path, stray):
    clean, _ = two_years(tmp_path, name="clean.csv")
    dirty, _ = two_years(tmp_path, [stray], name="dirty.csv")
    want, got = datasets.resolve(clean), datasets.resolve(dirty)
    assert got.calibration_end == want.calibration_end == pd.Timestamp("2021-12-30")
    assert got.observation_end == want.observation_end == pd.Timestamp("2022-12-26")
    assert len(got.transactions) == len(want.transactions) + 1  # kept (flagged), and stated:
    stated = [n for n in got.report.notes if "1 rows" in n]
    assert len(stated) == 1
    assert ("outside both windows" in stated[0]) == stray.startswith("C01,2099")
    assert "outlying_dates='drop'" in stated[0]


def test_rows_outside_both_windows_are_stated_with_their_revenue(tmp_path):
    path, _ = two_years(tmp_path, ["C01,2099-01-01,5", "C03,2098-03-01,2.25"])
    notes = datasets.resolve(path).report.notes
    assert any("2 rows (7.25 revenue) are dated after the observation end 2022-12-26" in n for n in notes)


def _bulk_as_pandas_had_it(dates, today):
    """date_bulk as first written, on pandas Series (the oracle of the integer version)."""
    values = pd.Series(pd.DatetimeIndex(dates), dtype="datetime64[ns]")
    day = pd.Timestamp(today).normalize()
    known = values.dropna()
    q1, q3 = known.quantile(0.25), known.quantile(0.75)
    width = max(q3 - q1, pd.Timedelta(days=30))
    low, high = (q1 - 3 * width).floor("D"), (q3 + 3 * width).floor("D")
    one_day = pd.Timedelta(days=1)
    outside = (((values < low) | (values >= high + one_day) | (values >= day + one_day)) & values.notna()).to_numpy()
    inside = values[~outside & values.notna().to_numpy()]
    return low, high, inside.min(), inside.max(), outside


@pytest.mark.parametrize("n, today", [(7, "2021-03-01"), (1_000, "2021-06-30"), (40_001, "2030-01-01")])
def test_date_bulk_equals_its_pandas_form(n, today):
    rng = np.random.default_rng(n)
    stamps = np.datetime64("2020-01-01", "ns") + rng.integers(0, 600 * 86400, n).astype("timedelta64[s]")
    stamps[rng.random(n) < 0.05] = np.datetime64("NaT")
    stamps[[1, 3]] = [np.datetime64("1999-01-01", "ns"), np.datetime64("2099-12-31T23:59:59.999999999")]
    end_of_today = np.datetime64(today, "ns") + np.timedelta64(1, "D")  # the first instant after today
    stamps[[5, 6]] = [end_of_today, end_of_today - np.timedelta64(1, "ns")]
    dates = pd.Series(stamps)
    bulk = date_bulk(dates, today=today)
    low, high, first, last, outside = _bulk_as_pandas_had_it(dates, today)
    assert (bulk.low, bulk.high, bulk.first, bulk.last) == (low, high, first, last)
    np.testing.assert_array_equal(bulk.outlying, outside)


def test_spreadsheet_serial_days_are_read_with_date_format_excel():
    """Excel's 1900 date system: 41316 is 2013-02-11 (Excel shows 11/02/2013); a fraction is the time of day."""
    frame = pd.DataFrame({"customer_id": ["a", "b", "c", "d"], "date": ["41316", "42078.5", "61", "45658.25"],
                          "amount": [35.0, 39.0, 1.0, 2.0]})
    loaded = load_transactions(frame, date_format="excel", export_date="2026-01-01", outlying_dates="flag")
    got = dict(zip(loaded.transactions["customer_id"], loaded.transactions["date"]))
    assert got == {"a": pd.Timestamp("2013-02-11"), "b": pd.Timestamp("2015-03-15 12:00"),
                   "c": pd.Timestamp("1900-03-01"), "d": pd.Timestamp("2025-01-01 06:00")}
    assert "dates read as spreadsheet serial days (date_format='excel')" in loaded.report.notes


def test_serial_days_without_date_format_are_refused_with_the_flag_that_reads_them():
    frame = pd.DataFrame({"customer_id": ["a", "b"], "date": ["41316", "oops"], "amount": [35.0, 39.0]})
    with pytest.raises(TransactionDataError, match="pass date_format='excel'"):
        load_transactions(frame, export_date="2026-01-01")
    refused = r"1 value is not a date \(index 1: 'oops'\); with date_format='excel'"
    with pytest.raises(TransactionDataError, match=refused):
        load_transactions(frame, date_format="excel", export_date="2026-01-01")
