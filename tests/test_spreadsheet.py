"""kamlab.data.spreadsheet: one sheet of a workbook as text cells, row numbers as Excel shows them."""

import datetime as dt
import zipfile

import openpyxl
import pytest

from kamlab.data import AccountDataError, DataContractError
from kamlab.data.spreadsheet import read_spreadsheet, spreadsheet_kind


def _workbook(path, sheets):
    """sheets: {title: list of rows}; rows are lists of cell values (None = empty)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def test_cells_become_text_and_the_index_holds_excel_row_numbers(tmp_path):
    path = _workbook(tmp_path / "crm.xlsx", {"Accounts": [
        ["Customer No.", "Hours", "Since", "Pilot", "Note"],
        [123.0, 12.5, dt.datetime(2021, 3, 31), True, "x"],
        [None, None, None, None, None],
        ["A7", 3, dt.datetime(2021, 3, 31, 14, 5), False, None],
    ]})
    frame = read_spreadsheet(path)
    assert list(frame.columns) == ["Customer No.", "Hours", "Since", "Pilot", "Note"]
    assert list(frame.index) == [2, 4]  # the blank row 3 is skipped, row numbers kept
    assert frame.loc[2].tolist() == ["123", "12.5", "2021-03-31", "TRUE", "x"]
    assert frame.loc[4].tolist() == ["A7", "3", "2021-03-31 14:05:00", "FALSE", ""]
    assert any("1 blank row skipped" in n for n in frame.attrs["notes"])


def test_title_lines_above_the_header_are_skipped_and_counted(tmp_path):
    path = _workbook(tmp_path / "report.xlsx", {"Sheet1": [
        ["CRM accounts report"], ["exported 2024-01-31"], [],
        ["Customer No.", "Tickets"], ["C1", 4],
    ]})
    frame = read_spreadsheet(path)
    assert list(frame.columns) == ["Customer No.", "Tickets"]
    assert list(frame.index) == [5]
    assert any("2 title lines above the header skipped (rows 1, 2)" in n for n in frame.attrs["notes"])


def test_a_sheet_is_chosen_by_name_or_position_and_an_unknown_one_lists_the_sheets(tmp_path):
    path = _workbook(tmp_path / "book.xlsx", {"Summary": [["a", "b"], [1, 2]], "Accounts": [["id", "x"], ["C1", 5]]})
    first = read_spreadsheet(path)
    assert first.attrs["sheet"] == "Summary" and "'Accounts'" in first.attrs["notes"][0]
    assert read_spreadsheet(path, " accounts ").loc[2, "id"] == "C1"
    assert read_spreadsheet(path, 1).attrs["sheet"] == "Accounts"
    with pytest.raises(AccountDataError) as err:
        read_spreadsheet(path, "CRM", error=AccountDataError, sheet_flag="--accounts-sheet NAME")
    message = str(err.value)
    assert "book.xlsx" in message and "no sheet 'CRM'" in message
    assert "'Summary', 'Accounts'" in message and "--accounts-sheet NAME" in message


def test_columns_without_a_header_are_named_by_letter_and_empty_ones_dropped(tmp_path):
    path = _workbook(tmp_path / "wide.xlsx", {"S": [["id", "x", None, None], ["C1", 1, "stray", None]]})
    frame = read_spreadsheet(path)
    assert list(frame.columns) == ["id", "x", "column C"]


def test_a_repeated_column_name_is_refused(tmp_path):
    path = _workbook(tmp_path / "dup.xlsx", {"S": [["id", "hours", "hours"], ["C1", 1, 2]]})
    with pytest.raises(DataContractError, match="names 'hours' more than once"):
        read_spreadsheet(path)


def test_a_file_is_judged_by_its_content_not_its_name(tmp_path):
    book = _workbook(tmp_path / "crm.csv", {"S": [["id", "x"], ["C1", 1]]})
    assert spreadsheet_kind(book) == "xlsx"
    assert read_spreadsheet(book).loc[2, "id"] == "C1"
    text = tmp_path / "fake.xlsx"
    text.write_text("id,x\nC1,1\n")
    assert spreadsheet_kind(text) is None
    with pytest.raises(DataContractError) as err:
        read_spreadsheet(text)
    assert str(err.value).startswith("fake.xlsx has 1 problem")
    assert "is not an Excel workbook (.xlsx) (it holds text, perhaps CSV)" in str(err.value)
    assert "name a CSV file .csv" in str(err.value)
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    assert spreadsheet_kind(old) == "xls"
    with pytest.raises(DataContractError, match="Excel 97-2003 workbook .*save it as .xlsx"):
        read_spreadsheet(old)
    other_zip = tmp_path / "data.xlsx"
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("data.csv", "id,x\n")
    assert spreadsheet_kind(other_zip) is None


def test_a_sheet_without_a_header_row_is_refused(tmp_path):
    path = _workbook(tmp_path / "empty.xlsx", {"S": [["only a title"]]})
    with pytest.raises(DataContractError, match="sheet 'S' has no header row"):
        read_spreadsheet(path)


def test_read_table_takes_workbooks_by_content_and_everything_else_as_the_reader_does(tmp_path):
    from kamlab.data import TransactionDataError
    from kamlab.data.spreadsheet import read_table

    book = _workbook(tmp_path / "export.csv", {"S": [["id", "x"], ["C1", 1], ["C2", 2]]})
    raw = read_table(book)
    assert list(raw.frame["id"]) == ["C1", "C2"] and list(raw.labels) == [2, 3] and raw.word == ("row", "rows")
    assert "export.csv is an Excel workbook although its name ends in .csv" in raw.notes[0]
    text = tmp_path / "plain.csv"
    text.write_text("id;x\nC1;1\n")
    raw = read_table(text, sheet="Accounts")
    assert list(raw.frame.columns) == ["id", "x"] and list(raw.labels) == [2]
    assert "sheet 'Accounts' ignored: plain.csv is not a workbook" in raw.notes
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(TransactionDataError, match="export the transactions"):
        read_table(empty)
    with pytest.raises(AccountDataError, match="export the accounts"):
        read_table(empty, error=AccountDataError, what="accounts")
