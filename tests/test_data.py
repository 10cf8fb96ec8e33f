"""The transaction contract (kamlab.data): loading, messy inputs, clear errors, the report."""

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kamlab.data import (
    AccountDataError,
    TransactionDataError,
    ValidationReport,
    load_transactions,
    validate_accounts,
)

CLEAN = "customer_id,date,amount\nA,2021-01-05,10.50\nB,2021-01-06,3\nA,2021-02-01,7.25\n"


def write(tmp_path: Path, text: str, name: str = "transactions.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def error_of(source, **kwargs) -> str:
    with pytest.raises(TransactionDataError) as info:
        load_transactions(source, **kwargs)
    return str(info.value)


# --------------------------------------------------------------------------- the contract

def test_clean_file_meets_the_contract(tmp_path):
    tx, report = load_transactions(write(tmp_path, CLEAN))
    assert list(tx.columns) == ["customer_id", "date", "amount"]
    assert tx["customer_id"].tolist() == ["A", "A", "B"]  # sorted by customer, then date
    assert tx["date"].dtype == "datetime64[ns]"
    assert tx["amount"].dtype == float
    assert tx["amount"].tolist() == [10.5, 7.25, 3.0]
    assert (report.rows_read, report.rows_kept, report.rows_dropped) == (3, 3, 0)
    assert report.n_customers == 2 and report.first_date == pd.Timestamp("2021-01-05")


def test_customer_ids_stay_strings_with_leading_zeros(tmp_path):
    tx, _ = load_transactions(write(tmp_path, "customer_id,date,amount\n00012,2021-01-05,1\n"))
    assert tx["customer_id"].tolist() == ["00012"]


def test_optional_cost_and_quantity_are_mapped(tmp_path):
    text = "cust,day,revenue,cogs,qty\nA,2021-01-05,10,6,2\n"
    tx, report = load_transactions(write(tmp_path, text), customer_col="cust", date_col="day",
                                   amount_col="revenue", cost_col="cogs", quantity_col="qty")
    assert list(tx.columns) == ["customer_id", "date", "amount", "cost", "quantity"]
    assert tx.loc[0, "cost"] == 6.0 and tx.loc[0, "quantity"] == 2
    assert ("amount", "revenue") in report.columns


def test_unused_columns_are_named_in_the_report(tmp_path):
    _, report = load_transactions(write(tmp_path, "customer_id,date,amount,order_id\nA,2021-01-05,1,9\n"))
    assert any("'order_id'" in n for n in report.notes)


# --------------------------------------------------------------------------- delimiters, decimals, encodings

@pytest.mark.parametrize("sep, label", [(";", "';'"), ("\t", "tab"), ("|", "'|'")])
def test_other_delimiters_are_detected(tmp_path, sep, label):
    tx, report = load_transactions(write(tmp_path, CLEAN.replace(",", sep)))
    assert tx["amount"].sum() == pytest.approx(20.75)
    assert any(label in n for n in report.notes)


def test_decimal_commas_and_thousands_points(tmp_path):
    text = "customer_id;date;amount\nA;2021-01-05;1.234,50\nB;2021-01-06;12,5\nC;2021-01-07;7\n"
    tx, report = load_transactions(write(tmp_path, text))
    assert tx["amount"].tolist() == [1234.5, 12.5, 7.0]
    assert "decimal comma detected" in report.notes


def test_quoted_decimal_commas_in_a_comma_file(tmp_path):
    tx, _ = load_transactions(write(tmp_path, 'customer_id,date,amount\nA,2021-01-05,"12,50"\n'))
    assert tx["amount"].tolist() == [12.5]


def test_currency_signs_thousands_and_accounting_negatives(tmp_path):
    text = 'customer_id,date,amount\nA,2021-01-05,"$1,200.50"\nB,2021-01-06,(3.00)\nC,2021-01-07,4.00-\n'
    tx, _ = load_transactions(write(tmp_path, text), returns="keep")
    assert tx["amount"].tolist() == [1200.5, -3.0, -4.0]


def test_utf8_byte_order_mark_is_removed(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + CLEAN.encode())
    tx, report = load_transactions(path)  # the first column is found despite the BOM
    assert len(tx) == 3 and any("byte-order mark" in n for n in report.notes)


def test_cp1252_file_is_read_and_reported(tmp_path):
    path = write(tmp_path, "customer_id,date,amount\nMüller,2021-01-05,1\nBéla,2021-01-06,2\n", encoding="cp1252")
    tx, report = load_transactions(path)
    assert set(tx["customer_id"]) == {"Müller", "Béla"}
    assert any("not valid UTF-8" in n and "cp1252" in n and "line 2" in n for n in report.notes)


def test_utf16_with_byte_order_mark(tmp_path):
    path = write(tmp_path, CLEAN.replace(",", "\t"), encoding="utf-16")  # Excel's "Unicode text"
    tx, report = load_transactions(path)
    assert len(tx) == 3 and any("UTF-16" in n for n in report.notes)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_byte_order_mark(tmp_path, encoding):
    tx, report = load_transactions(write(tmp_path, CLEAN, encoding=encoding))
    assert len(tx) == 3 and any(encoding.upper() in n for n in report.notes)


def test_wrong_explicit_encoding_is_reported(tmp_path):
    path = write(tmp_path, "customer_id,date,amount\nMüller,2021-01-05,1\n", encoding="cp1252")
    message = error_of(path, encoding="utf-8")
    assert "transactions.csv" in message and "encoding 'utf-8'" in message and "encoding=None" in message


def test_gzipped_csv(tmp_path):
    path = tmp_path / "transactions.csv.gz"
    path.write_bytes(gzip.compress(CLEAN.encode()))
    assert len(load_transactions(path).transactions) == 3


# --------------------------------------------------------------------------- dates

def test_day_first_dates_are_detected_for_the_whole_file(tmp_path):
    path = write(tmp_path, "customer_id,date,amount\nA,05/01/2021,1\nB,13/01/2021,2\nC,25/01/2021,3\n")
    tx, report = load_transactions(path)
    assert tx["date"].tolist() == [pd.Timestamp(f"2021-01-{d}") for d in ("05", "13", "25")]
    assert any("day/month/year (detected: some first numbers exceed 12)" in n for n in report.notes)


def test_day_first_dates_refused_when_month_first_is_forced(tmp_path):
    path = write(tmp_path, "customer_id,date,amount\nA,05/01/2021,1\nB,13/01/2021,2\nC,25/01/2021,3\n")
    message = error_of(path, dayfirst=False)
    assert "column 'date': 2 values are not dates (lines 3, 4: '13/01/2021', '25/01/2021')" in message
    assert "they look day-first: pass dayfirst=True" in message


def test_files_mixing_date_orders_are_refused(tmp_path):
    path = write(tmp_path, "customer_id,date,amount\nA,01/13/2021,1\nB,13/01/2021,2\n")
    message = error_of(path)
    assert "1 value is not a date (line 3: '13/01/2021'); they look day-first" in message


def test_day_first_dates_load_with_dayfirst(tmp_path):
    path = write(tmp_path, "customer_id,date,amount\nA,05/01/2021,1\nB,13.01.2021,2\n")
    tx, report = load_transactions(path, dayfirst=True)
    assert tx["date"].tolist() == [pd.Timestamp("2021-01-05"), pd.Timestamp("2021-01-13")]
    assert any("day/month/year" in n for n in report.notes)


def test_ambiguous_slash_dates_say_how_they_were_read(tmp_path):
    tx, report = load_transactions(write(tmp_path, "customer_id,date,amount\nA,01/02/21,1\n"))
    assert tx["date"].tolist() == [pd.Timestamp("2021-01-02")]  # month first, two-digit year in the 2000s
    assert any("month/day/year (ambiguous" in n and "dayfirst=True" in n for n in report.notes)


def test_explicit_date_format(tmp_path):
    tx, _ = load_transactions(write(tmp_path, "customer_id,date,amount\nA,2021|03|04,1\n"), date_format="%Y|%m|%d")
    assert tx["date"].tolist() == [pd.Timestamp("2021-03-04")]


def test_compact_yyyymmdd_dates(tmp_path):
    tx, _ = load_transactions(write(tmp_path, "customer_id,date,amount\nA,19970101,1\n"))
    assert tx["date"].tolist() == [pd.Timestamp("1997-01-01")]


def test_timestamps_with_times_and_time_zones_become_utc_naive(tmp_path):
    text = ("customer_id,date,amount\n"
            "A,2021-03-01T10:00:00+02:00,1\n"
            "B,2021-03-01 23:30:00-05:00,2\n"
            "C,2021-03-01T12:00:00Z,3\n")
    tx, report = load_transactions(write(tmp_path, text))
    assert tx["date"].dt.tz is None
    assert tx["date"].tolist() == [pd.Timestamp("2021-03-01 08:00"), pd.Timestamp("2021-03-02 04:30"),
                                   pd.Timestamp("2021-03-01 12:00")]
    changed = [i for i in report.items if i.action == "changed"]
    assert changed[0].rows == 3 and "UTC" in changed[0].reason


def test_naive_timestamps_next_to_zoned_ones_keep_their_clock_time(tmp_path):
    text = "customer_id,date,amount\nA,2021-03-01T10:00+02:00,1\nB,2021-03-01 10:00,2\n"
    tx, report = load_transactions(write(tmp_path, text))
    assert tx["date"].tolist() == [pd.Timestamp("2021-03-01 08:00"), pd.Timestamp("2021-03-01 10:00")]
    assert any("1 timestamp without a time zone taken as UTC" in n for n in report.notes)


def test_tz_aware_dataframe_column():
    df = pd.DataFrame({"customer_id": ["A"], "amount": [1.0],
                       "date": pd.to_datetime(["2021-06-01 12:00"]).tz_localize("Europe/Berlin")})
    tx, _ = load_transactions(df)
    assert tx["date"].tolist() == [pd.Timestamp("2021-06-01 10:00")]


def test_unparseable_dates_name_the_lines_and_values(tmp_path):
    path = write(tmp_path, "customer_id,date,amount\nA,2021-01-05,1\nB,not-a-date,2\nC,,3\n")
    message = error_of(path)
    assert "column 'date': 2 values are not dates (lines 3, 4: 'not-a-date', '')" in message
    assert "date_format=" in message


def test_impossible_days_are_named(tmp_path):
    message = error_of(write(tmp_path, "customer_id,date,amount\nA,2021-02-31,1\nB,2021-03-01,1\n"))
    assert "(line 2: '2021-02-31'); they are written like dates but name no real day" in message


def test_spreadsheet_serial_days_get_a_hint(tmp_path):
    message = error_of(write(tmp_path, "customer_id,date,amount\nA,44197,1\n"))
    assert "line 2: '44197'" in message and "pass date_format='excel'" in message


# --------------------------------------------------------------------------- structure

def test_missing_columns_list_what_is_there_and_suggest(tmp_path):
    path = write(tmp_path, "Customer ID,Order Date,Revenue\nA,2021-01-05,1\n")
    message = error_of(path)
    assert message.startswith("transactions.csv has 3 problems:")
    assert "missing column 'customer_id' (expected for customer_id)" in message
    assert "the columns are 'Customer ID', 'Order Date', 'Revenue'" in message
    assert "pass customer_col='Customer ID'" in message
    assert "pass date_col='Order Date'" in message
    assert "pass amount_col='Revenue'" in message
    assert message.endswith("Nothing was loaded.")


def test_missing_optional_column_is_a_problem_too(tmp_path):
    message = error_of(write(tmp_path, CLEAN), cost_col="cost")
    assert "missing column 'cost' (expected for cost)" in message and "pass cost_col=" in message


def test_empty_file(tmp_path):
    message = error_of(write(tmp_path, ""))
    assert "transactions.csv has 1 problem:" in message and "is empty (0 bytes)" in message
    assert "header row" in message


def test_header_only_file(tmp_path):
    message = error_of(write(tmp_path, "customer_id,date,amount\n"))
    assert "has column names but no data rows" in message and "'customer_id', 'date', 'amount'" in message


def test_ragged_lines_name_the_lines_and_the_delimiter(tmp_path):
    path = write(tmp_path, "customer_id,date,amount\nA,2021-01-05,1\nB,2021-01-06,1,5\nC,2021-01-07\n")
    message = error_of(path)
    assert "2 lines have 2 or 4 fields but the header has 3 (lines 3, 4)" in message
    assert "pass sep=" in message


def test_line_numbers_count_blank_lines_and_quoted_newlines(tmp_path):
    text = 'customer_id,date,amount,note\nA,2021-01-05,1,"two\nlines"\n\nB,2021-01-06,ten,x\n'
    message = error_of(write(tmp_path, text))
    assert "line 5: 'ten'" in message


def test_a_file_named_xlsx_that_is_no_workbook_is_refused_with_the_fix(tmp_path):
    path = tmp_path / "export.xlsx"
    path.write_bytes(b"PK\x03\x04")
    message = error_of(path)
    assert "export.xlsx" in message and "not an Excel workbook (.xlsx)" in message and "CSV (UTF-8)" in message


def test_missing_file():
    with pytest.raises(FileNotFoundError, match="no such file"):
        load_transactions("does/not/exist.csv")


# --------------------------------------------------------------------------- values and policies

def test_unparseable_amounts_name_the_lines_and_values(tmp_path):
    path = write(tmp_path, "customer_id,date,amount\nA,2021-01-05,ten\nB,2021-01-06,\nC,2021-01-07,3\n")
    message = error_of(path)
    assert "column 'amount': 2 values are not numbers (lines 2, 3: 'ten', '')" in message
    assert "decimal=" in message and "bad_rows='drop'" in message


def test_missing_customer_ids(tmp_path):
    path = write(tmp_path, "customer_id,date,amount\n,2021-01-05,1\n  ,2021-01-06,2\nC,2021-01-07,3\n")
    message = error_of(path)
    assert "column 'customer_id': 2 rows have no customer id (lines 2-3)" in message
    assert "bad_rows='drop'" in message


def test_bad_rows_can_be_dropped_and_are_counted(tmp_path):
    path = write(tmp_path, "customer_id,date,amount\n,2021-01-05,1\nB,oops,2\nC,2021-01-07,x\nD,2021-01-08,4\n")
    tx, report = load_transactions(path, bad_rows="drop")
    assert tx["customer_id"].tolist() == ["D"]
    assert report.rows_dropped == 3 and report.items[0].rows == 3


def test_duplicates_are_reported_next_to_unreadable_values(tmp_path):
    path = write(tmp_path, "customer_id,date,amount\nA,oops,1\nA,oops,1\n")
    message = error_of(path, duplicates="error")
    assert "has 2 problems" in message and "1 exact duplicate row (line 3)" in message


def test_customer_id_whitespace_is_trimmed_and_counted(tmp_path):
    tx, report = load_transactions(write(tmp_path, "customer_id,date,amount\n A ,2021-01-05,1\nA,2021-01-06,2\n"))
    assert tx["customer_id"].tolist() == ["A", "A"]
    assert any(i.action == "changed" and "trimmed" in i.reason and i.rows == 1 for i in report.items)


RETURNS = ("customer_id,date,amount,cost\n"
           "A,2021-01-01,100,60\n"
           "A,2021-01-02,50,30\n"
           "A,2021-01-03,-70,-40\n"     # nets 50 (all of Jan 2) then 20 of Jan 1
           "B,2021-01-01,-5,0\n"       # nothing earlier to net against
           "B,2021-01-02,10,4\n")


def test_returns_dropped_by_default_and_counted(tmp_path):
    tx, report = load_transactions(write(tmp_path, RETURNS), cost_col="cost")
    assert (tx["amount"] > 0).all() and len(tx) == 3
    assert report.items[0].action == "dropped" and report.items[0].rows == 2
    assert "returns='drop'" in report.items[0].reason


def test_returns_kept(tmp_path):
    tx, report = load_transactions(write(tmp_path, RETURNS), returns="keep")
    assert tx["amount"].sum() == pytest.approx(85.0) and report.rows_kept == 5
    assert report.items[0].action == "flagged" and report.items[0].rows == 2


def test_returns_netted_against_latest_earlier_purchases(tmp_path):
    tx, report = load_transactions(write(tmp_path, RETURNS), cost_col="cost", returns="net")
    assert tx[["customer_id", "amount"]].values.tolist() == [["A", 80.0], ["B", 10.0]]
    assert tx["cost"].tolist() == pytest.approx([60 * 80 / 100, 4.0])  # cost shrinks with the amount
    reasons = {i.reason.split(" (")[0]: (i.action, i.rows) for i in report.items}
    assert reasons["returns netted against the customer's earlier purchases"] == ("dropped", 2)
    assert reasons["purchases returned in full"] == ("dropped", 1)
    assert reasons["purchases reduced by later returns"] == ("changed", 1)
    assert any("5.00 of returns found no earlier purchase" in i.reason for i in report.items)
    assert report.rows_read == report.rows_kept + report.rows_dropped == 5


def test_returns_refused_when_asked(tmp_path):
    message = error_of(write(tmp_path, RETURNS), returns="error")
    assert "column 'amount': 2 negative amounts" in message and "lines 4, 5: '-70', '-5'" in message
    assert "returns='drop', 'net' or 'keep'" in message


def test_zero_amounts_flagged_dropped_or_refused(tmp_path):
    path = write(tmp_path, "customer_id,date,amount\nA,2021-01-05,0\nB,2021-01-06,0.00\nC,2021-01-07,3\n")
    tx, report = load_transactions(path)
    assert len(tx) == 3 and report.items[0].action == "flagged" and report.items[0].rows == 2
    tx, report = load_transactions(path, zero_amounts="drop")
    assert tx["customer_id"].tolist() == ["C"] and report.rows_dropped == 2
    message = error_of(path, zero_amounts="error")
    assert "2 amounts of 0 (lines 2-3)" in message and "zero_amounts='keep' or 'drop'" in message


DUPES = "customer_id,date,amount\nA,2021-01-05,1\nA,2021-01-05,1\nA,2021-01-05,1\nA,2021-01-05,2\n"


def test_exact_duplicates_dropped_kept_or_refused(tmp_path):
    path = write(tmp_path, DUPES)
    tx, report = load_transactions(path)
    assert tx["amount"].tolist() == [1.0, 2.0] and report.items[0].rows == 2
    tx, report = load_transactions(path, duplicates="keep")
    assert len(tx) == 4 and report.items[0].action == "flagged"
    message = error_of(path, duplicates="error")
    assert "2 exact duplicate rows (lines 3-4); pass duplicates='drop'" in message


def test_duplicates_compare_every_column(tmp_path):
    path = write(tmp_path, "customer_id,date,amount,order_id\nA,2021-01-05,1,1\nA,2021-01-05,1,2\n")
    assert len(load_transactions(path).transactions) == 2


def test_rows_after_the_observation_end_are_dropped_and_counted(tmp_path):
    path = write(tmp_path, "customer_id,date,amount\nA,2021-01-31 18:00,1\nA,2021-02-01,2\nB,2021-03-01,3\n")
    tx, report = load_transactions(path, observation_end="2021-01-31")  # the whole last day counts
    assert tx["amount"].tolist() == [1.0]
    assert report.items[0].rows == 2 and "after the observation end 2021-01-31" in report.items[0].reason


def test_everything_dropped_is_an_error(tmp_path):
    message = error_of(write(tmp_path, CLEAN), observation_end="2020-12-31")
    assert "no rows are left" in message and "observation end" in message


def test_all_problems_are_reported_together(tmp_path):
    text = ("customer_id,date,amount\n"
            "A,2021-01-05,ten\n"
            "B,not-a-date,2\n"
            "C,2021-01-07,\n"
            "D,2021-01-08,4\n"
            "D,2021-01-08,4\n")
    message = error_of(write(tmp_path, text), duplicates="error")
    assert message.splitlines() == [
        "transactions.csv has 3 problems:",
        "  - column 'date': 1 value is not a date (line 3: 'not-a-date'); set date_format= "
        "(e.g. '%d.%m.%Y %H:%M') to say how dates are written",
        "  - column 'amount': 2 values are not numbers (lines 2, 4: 'ten', ''); decimal mark taken as '.' "
        "(set decimal= if wrong), or pass bad_rows='drop'",
        "  - 1 exact duplicate row (line 6); pass duplicates='drop' to drop or duplicates='keep' to keep them",
        "Nothing was loaded.",
    ]


def test_long_lists_of_rows_are_shortened(tmp_path):
    rows = "".join(f"C{i},2021-01-05,x\n" for i in range(12))
    message = error_of(write(tmp_path, "customer_id,date,amount\n" + rows))
    assert "12 values are not numbers (lines 2, 3, 4, 5, 6 and 7 more: 'x', 'x', 'x', 'x', 'x')" in message


def test_dataframe_rows_are_named_by_index_label():
    df = pd.DataFrame({"customer_id": ["A", "B"], "date": ["2021-01-05", "x"], "amount": [1, 2]},
                      index=[10, 11])
    message = error_of(df, source_name="orders")
    assert message.startswith("orders has 1 problem") and "(index 11: 'x')" in message


def test_pandas_missing_values_count_as_missing():
    df = pd.DataFrame({"customer_id": pd.array(["A", pd.NA], dtype="string"),
                       "date": [pd.Timestamp("2021-01-05"), pd.NaT],
                       "amount": pd.array([1, pd.NA], dtype="Int64")})
    message = error_of(df)
    assert "has 3 problems" in message and "no customer id (index 1)" in message
    assert "1 value is not a date (index 1: '')" in message and "1 value is not a number (index 1: '')" in message


def test_policy_values_are_checked():
    with pytest.raises(ValueError, match="returns must be one of 'drop', 'keep', 'net', 'error'"):
        load_transactions(pd.DataFrame(), returns="subtract")


def test_error_is_a_value_error_with_the_problems(tmp_path):
    with pytest.raises(ValueError) as info:
        load_transactions(write(tmp_path, ""))
    assert isinstance(info.value, TransactionDataError) and len(info.value.problems) == 1
    assert info.value.source == "transactions.csv"


# --------------------------------------------------------------------------- the report

def test_report_prints_tabulates_and_renders(tmp_path):
    _, report = load_transactions(write(tmp_path, DUPES))
    text = str(report)
    assert text.splitlines()[0] == "Validation report for transactions.csv"
    assert "rows read" in text and "exact duplicate rows" in text and "rows kept" in text
    table = report.to_frame()
    assert table["action"].tolist() == ["read", "dropped", "kept"]
    assert table["rows"].tolist() == [4, 2, 2]
    assert "<table>" in report._repr_html_() and repr(report) == text


def test_report_refuses_counts_that_do_not_add_up():
    with pytest.raises(AssertionError, match="does not add up"):
        ValidationReport(source="x", rows_read=3, rows_kept=1)


# --------------------------------------------------------------------------- equivalence and properties

def _frame(n=50, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "customer_id": [f"c{i:03d}" for i in rng.integers(0, 15, n)],
        "date": pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 400, n), unit="D"),
        "amount": rng.gamma(2, 20, n).round(2),
        "cost": rng.gamma(2, 10, n).round(2),
    })


def test_csv_parquet_and_dataframe_load_identically(tmp_path):
    df = _frame()
    df.to_csv(tmp_path / "t.csv", index=False)
    df.to_parquet(tmp_path / "t.parquet", index=False)
    kwargs = dict(cost_col="cost")
    from_frame = load_transactions(df, **kwargs)
    for path in (tmp_path / "t.csv", tmp_path / "t.parquet"):
        loaded = load_transactions(path, **kwargs)
        pd.testing.assert_frame_equal(loaded.transactions, from_frame.transactions)
        assert loaded.report.items == from_frame.report.items


def test_parquet_rows_are_numbered_from_one(tmp_path):
    df = pd.DataFrame({"customer_id": ["A", None], "date": ["2021-01-05", "2021-01-06"], "amount": [1.0, 2.0]})
    df.to_parquet(tmp_path / "t.parquet")
    assert "(row 2)" in error_of(tmp_path / "t.parquet")


clean_rows = st.lists(
    st.tuples(
        # ("-" alone is a placeholder for a missing id, see tests/test_data_ids.py)
        st.text(alphabet="abcXYZ019-_", min_size=1, max_size=6).filter(lambda s: s.strip() != "-"),
        st.datetimes(min_value=pd.Timestamp("1990-01-01").to_pydatetime(),
                     max_value=pd.Timestamp("2030-12-31").to_pydatetime()),
        st.floats(min_value=0.01, max_value=1e6, allow_nan=False).map(lambda x: round(x, 2)),
    ),
    min_size=1, max_size=40,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=clean_rows)
def test_clean_frames_round_trip_with_counts_conserved(tmp_path, rows):
    df = pd.DataFrame(rows, columns=["customer_id", "date", "amount"])
    tx, report = load_transactions(df)
    assert report.rows_read == len(df) == report.rows_kept + report.rows_dropped
    expected = (df.drop_duplicates().sort_values(["customer_id", "date"], kind="mergesort")
                .reset_index(drop=True).astype({"date": "datetime64[ns]"}))
    pd.testing.assert_frame_equal(tx, expected)
    path = tmp_path / "round.csv"
    df.to_csv(path, index=False)
    from_csv = load_transactions(path)
    pd.testing.assert_frame_equal(from_csv.transactions, tx)
    assert from_csv.report.rows_read == report.rows_read and from_csv.report.rows_kept == report.rows_kept


def test_cdnow_master_through_the_loader():
    import lifetimes.datasets

    from kamlab.datasets import load

    ds = load("cdnow")  # reads the lifetimes copy through load_transactions
    tx, report = ds.transactions, ds.report
    # Fader & Hardie: 23,570 customers, 69,659 purchase records, 1997-01-01 to 1998-06-30
    assert (report.rows_read, report.rows_kept, report.n_customers) == (69_659, 69_659, 23_570)
    assert (report.first_date, report.last_date) == (pd.Timestamp("1997-01-01"), pd.Timestamp("1998-06-30"))
    raw = pd.read_csv(Path(lifetimes.datasets.__file__).parent / "CDNOW_master.txt", sep=r"\s+",
                      dtype={"customer_id": str})
    assert tx["amount"].sum() == pytest.approx(raw["dollar_value"].sum())
    assert tx["customer_id"].tolist() == raw["customer_id"].tolist()  # the file is sorted already
    assert tx["quantity"].tolist() == raw["number_of_cds"].tolist()


# --------------------------------------------------------------------------- accounts

def test_validate_accounts_accepts_and_indexes():
    accounts = pd.DataFrame({"customer_id": [1, 2], "staff_hours": ["3.5", 4], "kam_pilot": [0, 1],
                             "industry": ["retail", "tech"]})
    out = validate_accounts(accounts)
    assert out.index.tolist() == ["1", "2"] and out.index.name == "customer_id"
    assert out["staff_hours"].tolist() == [3.5, 4.0] and out["kam_pilot"].dtype == np.int64


def test_validate_accounts_reports_every_problem():
    accounts = pd.DataFrame({"customer_id": ["a", "a", "b"], "staff_hours": [1, "lots", -2],
                             "kam_pilot": [0, 1, 2]})
    with pytest.raises(AccountDataError) as info:
        validate_accounts(accounts, source_name="accounts.csv")
    message = str(info.value)
    assert message.startswith("accounts.csv has 4 problems:")
    assert "1 customer id appears more than once (index 0, 1: 'a', 'a')" in message
    assert "column 'staff_hours': 1 value is not a number (index 1: 'lots')" in message
    assert "column 'staff_hours': 1 negative value (index 2: -2)" in message
    assert "column 'kam_pilot': 1 value is not 0 or 1 (index 2: 2)" in message


# --------------------------------------------------------------------------- the two CSV readers

@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_quoted_and_unquoted_files_read_the_same(tmp_path, sep):
    plain = CLEAN.replace(",", sep) + "\n\n"
    quoted = plain.replace("B", '"B"')  # any quote sends the file through the csv-module reader
    a = load_transactions(write(tmp_path, plain, name="plain.csv"))
    b = load_transactions(write(tmp_path, quoted, name="quoted.csv"))
    pd.testing.assert_frame_equal(a.transactions, b.transactions)
    assert a.report.notes == b.report.notes


@pytest.mark.parametrize("quote", ["", '"'])
def test_line_numbers_skip_blank_lines_in_both_readers(tmp_path, quote):
    text = f"customer_id,date,amount\n\n   \n{quote}A{quote},2021-01-05,1\n\nB,2021-01-06,ten\n"
    assert "(line 6: 'ten')" in error_of(write(tmp_path, text))


def test_validate_accounts_reads_an_empty_pilot_flag_as_not_in_the_pilot():
    # the synthetic worlds and CRM exports leave the flag empty for accounts outside the pilot
    accounts = pd.DataFrame({"customer_id": ["a", "b", "c"], "kam_pilot": [1, None, 0]})
    out = validate_accounts(accounts)
    assert out["kam_pilot"].isna().tolist() == [False, True, False] and out["kam_pilot"].sum() == 1
    with pytest.raises(AccountDataError, match="empty = not in the pilot"):
        validate_accounts(pd.DataFrame({"customer_id": ["a"], "kam_pilot": ["maybe"]}))
