"""kamlab.data.accounts_file: a CRM export (CSV, parquet, .xlsx) into the accounts contract."""

import datetime as dt

import numpy as np
import openpyxl
import pandas as pd
import pytest

from kamlab.data import AccountDataError
from kamlab.data.account_columns import column_map
from kamlab.data.accounts_file import load_accounts, reconcile_ids

# A CRM export as a German-speaking sales team would get it: its own column
# names, ';' between fields, decimal commas, '.' as thousands separator,
# dd.mm.yyyy dates, yes/no pilot flags, a placeholder NULL, a column kamlab
# does not use, in Windows cp1252 (the 'ü' of Müller).
CRM_HEADER = ["Customer No.", "Account name", "Service Tickets", "Staff hours (h)", "Cost to serve (EUR)",
              "KAM pilot", "Strategic Fit", "Growth Potential", "Referrals", "Sector", "Customer since"]
CRM_ROWS = [
    ["C001", "Müller GmbH", "12", "1.234,5", "2.500,75", "yes", "0,8", "3", "2", "Retail", "31.03.2021"],
    ["C002", "Beta AG", "3", "10,5", "100,00", "no", "0,2", "1", "0", "NULL", "15.04.2020"],
    ["C003", "Gamma KG", "0", "0", "0", "", "0,5", "2", "1", "Wholesale", "01.12.2019"],
    ["C004", "Delta SE", "7", "48,25", "1.010,10", "yes", "", "5", "3", "Retail", ""],
]
EXPECTED = pd.DataFrame(
    {
        "service_tickets": [12.0, 3.0, 0.0, 7.0],
        "staff_hours": [1234.5, 10.5, 0.0, 48.25],
        "cost_to_serve": [2500.75, 100.0, 0.0, 1010.10],
        "strategic_fit": [0.8, 0.2, 0.5, np.nan],
        "referrals": [2.0, 0.0, 1.0, 3.0],
        "kam_pilot": [1.0, 0.0, np.nan, 1.0],
        "growth_potential": [3.0, 1.0, 2.0, 5.0],
        "industry": ["Retail", None, "Wholesale", "Retail"],
        "acquired": pd.to_datetime(["2021-03-31", "2020-04-15", "2019-12-01", None]).astype("datetime64[ns]"),
    },
    index=pd.Index(["C001", "C002", "C003", "C004"], name="customer_id"),
)


def _crm_csv(path):
    lines = [";".join(CRM_HEADER)] + [";".join(r) for r in CRM_ROWS]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    return path


def _crm_xlsx(path):
    """The same export as a workbook, with typed cells as Excel stores them and a title line."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Accounts"
    ws.append(["CRM export, all accounts"])
    ws.append(CRM_HEADER)
    for r in CRM_ROWS:
        number = [float(v.replace(".", "").replace(",", ".")) if v else None for v in r[2:5]]
        fit = float(r[6].replace(",", ".")) if r[6] else None
        since = dt.datetime.strptime(r[10], "%d.%m.%Y") if r[10] else None
        ws.append([r[0], r[1], *number, r[5] or None, fit, int(r[7]), int(r[8]), r[9], since])
    wb.create_sheet("Notes").append(["not", "this"])
    wb.save(path)
    return path


def _check_crm(accounts, report):
    pd.testing.assert_frame_equal(accounts.astype({"industry": object}), EXPECTED.astype({"industry": object}),
                                  check_exact=False, rtol=1e-12)
    matched = {m.attribute: (m.column, m.how) for m in report.columns}
    assert matched["customer_id"] == ("Customer No.", "matched by synonym")
    assert matched["staff_hours"] == ("Staff hours (h)", "matched by name")
    assert matched["cost_to_serve"] == ("Cost to serve (EUR)", "matched by name")
    assert matched["kam_pilot"] == ("KAM pilot", "matched by name")
    assert matched["industry"] == ("Sector", "matched by synonym")
    assert matched["acquired"] == ("Customer since", "matched by synonym")
    assert report.unused == ("Account name",)


def test_a_crm_csv_with_semicolons_and_decimal_commas_loads_to_the_right_attributes(tmp_path):
    accounts, report = load_accounts(_crm_csv(tmp_path / "crm_export.csv"))
    _check_crm(accounts, report)
    assert "delimiter ';' detected" in report.notes and "decimal comma detected" in report.notes
    assert any("cp1252" in n for n in report.notes)
    assert any("1 account without a flag, taken as not in the pilot" in n for n in report.notes)
    assert "Account name" in str(report) and "Staff hours (h)" in str(report)


def test_the_same_crm_export_as_a_workbook_loads_to_the_same_frame(tmp_path):
    accounts, report = load_accounts(_crm_xlsx(tmp_path / "crm_export.xlsx"))
    _check_crm(accounts, report)
    assert any("sheet 'Accounts' read" in n for n in report.notes)
    assert any("title line" in n for n in report.notes)


def test_a_parquet_file_and_a_dataframe_load_too(tmp_path):
    frame = pd.DataFrame({"Account ID": [101, 102], "STAFF_HOURS": [1.5, 2.0], "In pilot": [True, False]})
    frame.to_parquet(tmp_path / "crm.parquet")
    accounts, report = load_accounts(tmp_path / "crm.parquet")
    assert list(accounts.index) == ["101", "102"]
    assert accounts["staff_hours"].tolist() == [1.5, 2.0]
    assert accounts["kam_pilot"].tolist() == [1, 0] and accounts["kam_pilot"].dtype == np.int64
    again, _ = load_accounts(frame)
    pd.testing.assert_frame_equal(accounts, again)


def test_a_column_map_overrides_matching_and_none_leaves_an_attribute_out(tmp_path):
    frame = pd.DataFrame({"Kunde": ["a", "b"], "Hours": [1, 2], "Logged time": [5, 6], "Sector": ["x", "y"]})
    accounts, report = load_accounts(frame, id_col="Kunde", columns={"staff_hours": "Logged time", "industry": None})
    assert accounts["staff_hours"].tolist() == [5.0, 6.0] and "industry" not in accounts
    how = {m.attribute: (m.column, m.how) for m in report.columns}
    assert how["customer_id"] == ("Kunde", "given") and how["staff_hours"] == ("Logged time", "given")
    assert set(report.unused) == {"Hours", "Sector"}


def test_command_line_pairs_become_a_column_map():
    assert column_map(["staff_hours=Hours logged", "industry=", " kam_pilot = Pilot "]) == {
        "staff_hours": "Hours logged", "industry": None, "kam_pilot": "Pilot"}
    assert column_map("staff_hours=H,service_tickets=T") == {"staff_hours": "H", "service_tickets": "T"}
    assert column_map(["cost_to_serve=Cost, EUR"]) == {"cost_to_serve": "Cost, EUR"}
    assert column_map(None) == {}
    with pytest.raises(ValueError, match="write attribute=column"):
        column_map(["staff_hours"])


def test_a_near_miss_is_left_unused_with_a_did_you_mean():
    _, report = load_accounts(pd.DataFrame({"Customer": ["a"], "staf_hours": [3]}))
    assert report.unused == ("staf_hours",)
    assert report.suggestions == (
        "column 'staf_hours' is not used: did you mean staff_hours? pass --account-col staff_hours='staf_hours'",)


# ----------------------------------------------------------------- one test per bad input

def _error(tmp_path, text, **options):
    path = tmp_path / "crm.csv"
    path.write_text(text)
    with pytest.raises(AccountDataError) as err:
        load_accounts(path, **options)
    return str(err.value)


def test_negative_hours_tickets_and_costs_are_named_with_their_lines(tmp_path):
    message = _error(tmp_path, "Customer No.,Staff hours,Tickets,Cost to serve\nA,1,2,3\nB,-4,2,3\nC,1,-1,-2\n")
    assert message.startswith("crm.csv has 3 problems:")
    assert "column 'Staff hours' (staff_hours): 1 negative value (line 3: '-4')" in message
    assert "column 'Tickets' (service_tickets): 1 negative value (line 4: '-1')" in message
    assert "column 'Cost to serve' (cost_to_serve): 1 negative value (line 4: '-2')" in message
    assert "correct them or leave them empty" in message and message.endswith("Nothing was loaded.")


def test_text_in_a_count_names_column_lines_values_and_the_fix(tmp_path):
    message = _error(tmp_path, "Customer No.,Tickets\nA,2\nB,many\nC,n/k\n")
    assert "column 'Tickets' (service_tickets): 2 values are not numbers (lines 3, 4: 'many', 'n/k')" in message
    assert "--account-col service_tickets=<column>" in message and "--accounts-decimal ','" in message


def test_a_pilot_flag_that_is_not_0_or_1_is_refused_but_yes_no_true_false_are_read(tmp_path):
    message = _error(tmp_path, "Customer No.,KAM pilot\nA,1\nB,maybe\nC,2\n")
    assert "column 'KAM pilot' (kam_pilot): 2 values are not 0 or 1 (lines 3, 4: 'maybe', '2')" in message
    assert "write 1 (or yes, true) for accounts in the KAM pilot, 0 (or no, false)" in message
    accounts, _ = load_accounts(pd.DataFrame({"id": list("abcdefg"),
                                              "KAM pilot": ["YES", "no", "True", "false", "1.0", "0", "y"]}))
    assert accounts["kam_pilot"].tolist() == [1, 0, 1, 0, 1, 0, 1]


def test_duplicate_ids_are_named_with_their_lines(tmp_path):
    message = _error(tmp_path, "Customer No.,Tickets\nA,1\nB,2\nA,3\n")
    assert "column 'Customer No.' (customer_id): 1 customer id appears more than once (lines 2, 4: 'A', 'A')" \
        in message and "keep one row per account" in message


def test_missing_ids_include_the_placeholders_of_exports(tmp_path):
    message = _error(tmp_path, "Customer No.,Tickets\nA,1\n,2\nNULL,3\nN/A,4\n-,5\nB,6\n")
    assert "column 'Customer No.' (customer_id): 4 rows without a customer id (lines 3, 4, 5, 6: '', 'NULL', " \
        "'N/A', '-')" in message
    assert "fill them in or delete those rows" in message


def test_unparseable_acquired_dates_are_named_with_a_format_fix(tmp_path):
    message = _error(tmp_path, "Customer No.,Customer since\nA,2021-03-31\nB,soon\nC,2021-02-30\n")
    assert "column 'Customer since' (acquired): 2 values are not dates (lines 3, 4: 'soon', '2021-02-30')" in message
    assert "--accounts-date-format '%d.%m.%Y'" in message


def test_every_value_problem_is_reported_in_one_error(tmp_path):
    message = _error(tmp_path, "Customer No.,Staff hours,Tickets,KAM pilot,Customer since\n"
                               "A,-1,x,3,never\nA,1,1,1,2020-01-01\n")
    assert message.startswith("crm.csv has 5 problems:")


def test_a_missing_id_column_and_a_wrong_column_map_name_the_flags(tmp_path):
    message = _error(tmp_path, "Name,Tickets\nA,1\n")
    assert "no column looks like the customer id (the columns are 'Name', 'Tickets')" in message
    assert "--account-id-col <column>" in message
    message = _error(tmp_path, "Custmer No,Tickets\nA,1\n")
    assert "did you mean 'Custmer No'? pass --account-id-col 'Custmer No'" in message
    message = _error(tmp_path, "Customer No.,Staff hrs\nA,1\n", columns={"staff_hours": "Staff hours"})
    assert "no column 'Staff hours' (given for staff_hours)" in message
    assert "did you mean 'Staff hrs'? pass --account-col staff_hours='Staff hrs'" in message
    message = _error(tmp_path, "Customer No.,Tickets\nA,1\n", columns={"staff_hour": "Tickets"})
    assert "'staff_hour', which is not an account attribute (did you mean 'staff_hours'?)" in message


def test_column_and_value_problems_are_reported_together(tmp_path):
    message = _error(tmp_path, "Name,Tickets,Staff hrs\nA,many,1\n", columns={"staff_hours": "Staff hours"})
    assert message.startswith("crm.csv has 3 problems:")
    assert "no column looks like the customer id" in message and "no column 'Staff hours'" in message
    assert "column 'Tickets' (service_tickets): 1 value is not a number (line 2: 'many')" in message


def test_a_specific_id_name_beats_a_generic_one():
    _, report = load_accounts(pd.DataFrame({"ID": [1, 2], "Account": ["Alpha", "Beta"], "Customer No.": ["C1", "C2"]}))
    assert report.columns[0].column == "Customer No." and set(report.unused) == {"ID", "Account"}
    _, report = load_accounts(pd.DataFrame({"ID": ["C1", "C2"], "Tickets": [1, 2]}))
    assert report.columns[0].column == "ID"


def test_two_equally_good_columns_for_one_attribute_must_be_chosen(tmp_path):
    message = _error(tmp_path, "Customer No.,Hours,Hrs\nA,1,2\n")
    assert "columns 'Hours', 'Hrs' all look like staff_hours" in message
    assert "--account-col staff_hours='Hours'" in message


def test_an_accounts_file_with_only_a_header_is_refused(tmp_path):
    assert "has column names but no rows of accounts" in _error(tmp_path, "Customer No.,Tickets\n")


# ----------------------------------------------------------------- reconciliation

def test_ids_are_reconciled_with_the_transactions_both_ways(tmp_path):
    customers = pd.Series(["C001", "C001", "C002", "X9", "X8", "C004"])
    _, report = load_accounts(_crm_csv(tmp_path / "crm.csv"), transaction_ids=customers)
    r = report.reconciliation
    assert (r.n_accounts, r.n_customers, r.n_matched) == (4, 5, 3)
    assert (r.accounts_without_transactions, r.customers_without_account) == (1, 2)
    assert r.examples_without_transactions == ("C003",) and r.examples_without_account == ("X8", "X9")
    assert "2 transacting customers without an account row (X8, X9)" in str(report)


def test_reconciliation_shows_a_few_and_counts_the_rest():
    r = reconcile_ids(pd.Index([f"A{i:02d}" for i in range(12)]), ["A00"], shown=3)
    assert r.accounts_without_transactions == 11 and r.examples_without_transactions == ("A01", "A02", "A03")
    assert "(A01, A02, A03 and 8 more)" in str(r)


def test_ids_that_differ_only_by_leading_zeros_or_case_are_pointed_out():
    r = reconcile_ids(pd.Index(["123", "c7", "X1"]), ["00123", "C7", "Y"])
    assert (r.n_matched, r.customers_without_account, r.near_matches) == (0, 3, 2)
    assert "2 of them match an account id once leading zeros, a trailing '.0' and case are ignored" in str(r)
    decimals = reconcile_ids(pd.Index(["12060", "12222", "99"]), ["12060.0", "12222.00", "12.0x", "100.0"])
    assert (decimals.n_matched, decimals.near_matches) == (0, 2)  # ids written by a column of numbers
    assert reconcile_ids(pd.Index(["A"]), ["A"]).near_matches == 0
    tx = pd.DataFrame({"customer_id": ["A", "B", "B"], "date": pd.to_datetime(["2024-01-01"] * 3), "amount": 1.0})
    assert reconcile_ids(pd.Index(["A"]), tx).customers_without_account == 1


def test_the_report_survives_a_round_trip_through_plain_types(tmp_path):
    import json

    from kamlab.data.accounts_file import AccountsReport

    _, report = load_accounts(_crm_csv(tmp_path / "crm.csv"), transaction_ids=["C001", "Z"])
    assert AccountsReport.from_dict(json.loads(json.dumps(report.to_dict()))) == report


def test_control_characters_are_refused_with_their_lines(tmp_path):
    message = _error(tmp_path, "Customer No.,Staff hours\nA\x001,1\nA2,1\x00.5\n")
    assert "column 'Customer No.' (customer_id): 1 value with control characters such as NUL bytes (line 2:" \
        in message
    assert "column 'Staff hours' (staff_hours): 1 value with control characters such as NUL bytes (line 3:" \
        in message
    assert message.startswith("crm.csv has 2 problems:")  # not also "not a number" or "without an id"


def test_the_placeholders_for_a_missing_value_can_be_given():
    frame = pd.DataFrame({"id": ["a", "b", "unknown"], "Tickets": ["1", "unknown", "3"]})
    with pytest.raises(AccountDataError, match="1 value is not a number"):
        load_accounts(frame)
    with pytest.raises(AccountDataError, match="1 row without a customer id"):
        load_accounts(frame, missing_ids="unknown, NULL")
    accounts, _ = load_accounts(frame.iloc[:2], missing_ids=["unknown"])
    assert accounts["service_tickets"].isna().tolist() == [False, True]
