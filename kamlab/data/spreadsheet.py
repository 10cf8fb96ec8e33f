"""Reading one sheet of an Excel workbook (.xlsx, .xlsm) into a table of text.

Analysts live in Excel, and CRM and ERP reports often come as workbooks.
:func:`read_spreadsheet` reads one sheet with openpyxl (the reader pandas uses
for .xlsx) and hands back every cell as text, so that the loaders parse
numbers, dates and ids exactly as they parse a CSV file:

=================  ==========================================================
cell               text
=================  ==========================================================
empty              ``""``
number             ``12`` for whole numbers, else the shortest exact form
                   (``12.5``); the decimal mark is always ``.``
date / date-time   ISO 8601: ``2021-03-31``, or ``2021-03-31 14:05:00``
TRUE / FALSE       ``TRUE`` / ``FALSE``
text, errors       as stored (``#DIV/0!`` stays ``#DIV/0!``)
formula            its value as last calculated by Excel (openpyxl's
                   ``data_only=True``); a workbook never opened in Excel has
                   none, and those cells read as empty
=================  ==========================================================

The header is the first row with at least two filled cells; filled rows above
it (report titles) and blank rows are skipped and counted in the notes. The
frame's index is the sheet's row number as Excel shows it (1-based), so that a
message can say "rows 14, 87". :func:`spreadsheet_kind` names a workbook from
its first bytes, whatever its file name says; :func:`read_table` reads any
source a loader takes (workbook, CSV, parquet, DataFrame) into a
:class:`kamlab.data.reading.Raw` table.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pandas as pd

from .errors import DataContractError, TransactionDataError
from .messages import plural
from .reading import Raw, read_source

#: File name endings read as workbooks.
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"   # Excel 97-2003 (.xls) and other old Office files


def spreadsheet_kind(path: str | Path) -> str | None:
    """What kind of spreadsheet the file is, from its content: "xlsx", "xls", "ods" or None.

    "xlsx" is a zip archive holding ``xl/workbook.xml`` (also .xlsm); "ods" a
    zip archive whose ``mimetype`` is an OpenDocument spreadsheet; "xls" an
    OLE2 compound file (Excel 97-2003). None for anything else (CSV, parquet, ...).
    """
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head == _OLE:
        return "xls"
    if not head.startswith(_ZIP):
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" in names:
                return "xlsx"
            if "mimetype" in names and b"opendocument.spreadsheet" in archive.read("mimetype"):
                return "ods"
    except zipfile.BadZipFile:
        return None
    return None


def _looks_like(path: Path) -> str:
    """' (it holds text, perhaps CSV)' when the first bytes read as text, else ''."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return ""
    return " (it holds text, perhaps CSV)" if head and "\x00" not in text else ""


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _column_letter(i: int) -> str:
    """0 -> 'A', 25 -> 'Z', 26 -> 'AA'."""
    letters = ""
    i += 1
    while i:
        i, rest = divmod(i - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _choose_sheet(workbook, sheet, name: str, error: type[DataContractError], sheet_flag: str):
    sheets = [ws for ws in workbook.worksheets if hasattr(ws, "iter_rows")]
    titles = [ws.title for ws in sheets]
    listed = ", ".join(map(repr, titles))
    if sheet is None:
        return sheets[0], ([f"sheet {titles[0]!r} read, the first of {len(titles)} ({listed}); "
                            f"choose another with {sheet_flag}"] if len(titles) > 1 else [])
    if isinstance(sheet, int) and not isinstance(sheet, bool):
        if 0 <= sheet < len(sheets):
            return sheets[sheet], [f"sheet {titles[sheet]!r} read (position {sheet})"]
        raise error(name, [f"has {plural(len(titles), 'sheet')} ({listed}), so there is no sheet at "
                           f"position {sheet} (positions count from 0); choose one with {sheet_flag}"])
    by_lower = {t.strip().lower(): ws for t, ws in zip(titles, sheets)}
    chosen = by_lower.get(str(sheet).strip().lower())
    if chosen is None:
        raise error(name, [f"has no sheet {str(sheet)!r}; its sheets are {listed}: choose one with {sheet_flag}"])
    return chosen, [f"sheet {chosen.title!r} read"]


def _to_frame(rows: list[tuple[int, list[str]]], sheet_title: str, name: str,
              error: type[DataContractError]) -> tuple[pd.DataFrame, list[str]]:
    """Header and body rows (row number, cell texts) -> a text frame indexed by row number."""
    filled = [(r, cells) for r, cells in rows if any(c.strip() for c in cells)]
    header_at = next((i for i, (_, cells) in enumerate(filled) if sum(bool(c.strip()) for c in cells) >= 2), None)
    if header_at is None:
        raise error(name, [f"sheet {sheet_title!r} has no header row (a row naming at least two columns); "
                           "put the column names in the first row of the table"])
    notes = []
    if header_at:
        notes.append(f"{plural(header_at, 'title line')} above the header skipped "
                     f"(row{'s' if header_at > 1 else ''} {', '.join(str(r) for r, _ in filled[:header_at])})")
    header_row, header = filled[header_at][0], [c.strip() for c in filled[header_at][1]]
    body = [(r, cells) for r, cells in rows if r > header_row and any(c.strip() for c in cells)]
    blank = sum(1 for r, cells in rows if r > header_row and not any(c.strip() for c in cells))
    if blank:
        notes.append(f"{plural(blank, 'blank row')} skipped")
    width = max([len(header)] + [len(cells) for _, cells in body])
    used = [j for j in range(width) if (j < len(header) and header[j]) or any(j < len(c) and c[j].strip() for _, c in body)]
    names = [header[j] if j < len(header) and header[j] else f"column {_column_letter(j)}" for j in used]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise error(name, [f"sheet {sheet_title!r}: the header names {', '.join(map(repr, dupes))} more than "
                           "once; give every column its own name"])
    data = {n: [c[j] if j < len(c) else "" for _, c in body] for n, j in zip(names, used)}
    frame = pd.DataFrame(data, index=pd.Index([r for r, _ in body], name="row"), dtype=object)
    return frame, notes


def read_spreadsheet(path: str | Path, sheet: str | int | None = None, *, source_name: str | None = None,
                     error: type[DataContractError] = DataContractError,
                     sheet_flag: str = "sheet=") -> pd.DataFrame:
    """One sheet of an .xlsx/.xlsm workbook as text cells, indexed by the sheet's row numbers.

    Parameters
    ----------
    path : str or Path
        The workbook. Its content decides, not its name: an old .xls, an
        OpenDocument .ods or a file that is no workbook is refused with a
        message saying what it is and how to save it.
    sheet : str, int or None
        Sheet name (case and surrounding spaces ignored), position counted
        from 0, or None for the first sheet (a note names the others).
    source_name : str, optional
        Name used in messages (default: the file name).
    error : DataContractError subclass
        The error raised, e.g. ``TransactionDataError`` or ``AccountDataError``.
    sheet_flag : str
        How the caller's user chooses a sheet, quoted in messages (e.g.
        ``"--accounts-sheet NAME"``).

    Returns
    -------
    DataFrame
        Object columns of str (see the module docstring for how cells become
        text), named by the header row; the index (``row``) holds Excel's row
        numbers. ``attrs["sheet"]`` is the sheet read, ``attrs["notes"]`` a
        list of what was skipped or chosen.

    Raises
    ------
    error
        Not a readable workbook, no such sheet, no header, or a repeated column name.
    """
    from openpyxl import load_workbook

    path = Path(path)
    name = source_name or path.name
    kind = spreadsheet_kind(path)
    if kind != "xlsx":
        what = {"xls": "an Excel 97-2003 workbook (.xls), which kamlab does not read",
                "ods": "an OpenDocument spreadsheet (.ods), which kamlab does not read",
                None: "not an Excel workbook (.xlsx)" + _looks_like(path)}[kind]
        raise error(name, [f"is {what}; open it in Excel or LibreOffice and save it as .xlsx, "
                           "or as CSV (UTF-8)" + (", or name a CSV file .csv" if kind is None else "")])
    with open(path, "rb") as fh:  # a file object: openpyxl would refuse a workbook named .csv
        try:
            workbook = load_workbook(fh, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises several types on damaged archives
            raise error(name, [f"cannot be read as an Excel workbook ({type(exc).__name__}: {exc}); "
                               "open it in Excel and save it again as .xlsx"]) from None
        try:
            ws, notes = _choose_sheet(workbook, sheet, name, error, sheet_flag)
            ws.reset_dimensions()  # some writers store a wrong sheet size; read every row there is
            rows = [(i, [_cell_text(v) for v in values])
                    for i, values in enumerate(ws.iter_rows(min_row=1, values_only=True), start=1)]
            title = ws.title
        finally:
            workbook.close()
    frame, more = _to_frame(rows, title, name, error)
    frame.attrs["sheet"] = title
    frame.attrs["notes"] = notes + more
    return frame


def read_table(source, *, sheet: str | int | None = None, sep: str | None = None, encoding: str | None = None,
               source_name: str | None = None, error: type[DataContractError] = TransactionDataError,
               what: str = "transactions", sheet_flag: str = "sheet=") -> Raw:
    """Any source of a loader as a :class:`~kamlab.data.reading.Raw` table: workbooks by content, else
    :func:`kamlab.data.reading.read_source` (CSV, parquet, DataFrame).

    A file whose first bytes are a workbook is read with :func:`read_spreadsheet`
    whatever its name (a note says when the name hides it), as is a file named
    .xlsx/.xlsm/.xls/.ods (refused with a clear message when it is not an
    .xlsx workbook). Labels are sheet row numbers for a workbook. ``sheet`` is
    ignored, with a note, for other sources. Problems are raised as ``error``,
    with "transactions" in the reader's wording replaced by ``what``.
    """
    if isinstance(source, (str, Path)) and Path(source).is_file():
        path = Path(source)
        kind = spreadsheet_kind(path)
        if kind is not None or path.suffix.lower() in WORKBOOK_SUFFIXES + (".xls", ".ods"):
            frame = read_spreadsheet(path, sheet, source_name=source_name, error=error, sheet_flag=sheet_flag)
            notes = list(frame.attrs["notes"])
            if kind == "xlsx" and path.suffix.lower() not in WORKBOOK_SUFFIXES:
                notes.insert(0, f"{path.name} is an Excel workbook although its name ends in "
                                f"{path.suffix or 'nothing'}; read as a workbook")
            return Raw(frame.reset_index(drop=True), source_name or path.name, frame.index.to_numpy(),
                       ("row", "rows"), notes)
    try:
        raw = read_source(source, sep=sep, encoding=encoding, source_name=source_name)
    except TransactionDataError as failure:
        if error is TransactionDataError:
            raise
        raise error(failure.source, [p.replace("transactions", what) for p in failure.problems]) from None
    if sheet is not None:
        raw.notes.append(f"sheet {sheet!r} ignored: {raw.name} is not a workbook")
    return raw
