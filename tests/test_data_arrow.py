"""The columnar fast path of load_transactions against the careful path it must equal.

Oracle: the careful path itself (``kamlab.data.arrow.ENABLED = False``: pandas'
reader or the csv module, object strings, today's parse functions). On every
file below the two give the same frame (dtypes and values, bit for bit) and
the same report, or the same error message; the fast path is checked to have
been taken (or declined) where it should.
"""

import gzip

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import kamlab.data.arrow as arrow
from kamlab.data import TransactionDataError, load_transactions


def outcome(source, **options):
    """(frame, report as a dict, report text) of a load, or the error's type and message."""
    try:
        tx, report = load_transactions(source, **options)
    except (TransactionDataError, ValueError) as exc:
        return type(exc).__name__, str(exc)
    return tx, report.to_dict(), str(report)


def both(monkeypatch, source, **options):
    """The fast path's outcome and the careful path's, checked equal; returns the fast one."""
    fast = outcome(source, **options)
    with monkeypatch.context() as patch:
        patch.setattr(arrow, "ENABLED", False)
        careful = outcome(source, **options)
    if isinstance(careful[0], str):
        assert fast == careful
        return fast
    assert not isinstance(fast[0], str), fast
    pd.testing.assert_frame_equal(fast[0], careful[0], check_exact=True)
    assert type(fast[0]["customer_id"].array) is type(careful[0]["customer_id"].array)
    for col in fast[0].select_dtypes("float").columns:  # the sign of a zero too
        assert np.array_equal(np.signbit(fast[0][col]), np.signbit(careful[0][col]))
    assert fast[1:] == careful[1:]
    return fast


def ledger(n=12_000, seed=0) -> pd.DataFrame:
    """A clean export: ids, timestamps with a time of day, two-decimal amounts and costs."""
    rng = np.random.default_rng(seed)
    ids = np.char.add("C", np.char.zfill(rng.integers(0, n // 4, n).astype(str), 6))
    seconds = rng.integers(0, 2 * 365 * 86400, n).astype("timedelta64[s]")
    dates = (np.datetime64("2022-01-01T00:00:00") + seconds).astype(str)
    amount = np.round(rng.lognormal(3.5, 0.6, n), 2)
    return pd.DataFrame({"customer_id": ids, "date": np.char.replace(dates, "T", " "),
                         "amount": [f"{a:.2f}" for a in amount], "cost": [f"{a * 0.6:.2f}" for a in amount]})


def write(tmp_path, frame: pd.DataFrame, name="orders.csv", sep=",", **changes) -> str:
    """``frame`` as CSV text with cells changed (``{(row, column): text}``) and written to a file."""
    frame = frame.copy()
    for (row, column), text in changes.get("cells", {}).items():
        frame.loc[row, column] = text
    path = tmp_path / name
    path.write_text(frame.to_csv(index=False, sep=sep))
    return path


OPTIONS = dict(cost_col="cost", export_date="2024-06-30")


def test_a_clean_file_is_read_by_pyarrow_and_equals_the_careful_path(tmp_path, monkeypatch):
    path = write(tmp_path, ledger())
    raw = arrow.read_arrow(path)
    assert raw is not None and len(raw.frame) == 12_000 and raw.labels[0] == 2 and raw.labels[-1] == 12_001
    tx, report, _ = both(monkeypatch, path, **OPTIONS)
    assert report["rows_read"] == report["rows_kept"] + sum(i["rows"] for i in report["items"]
                                                           if i["action"] == "dropped")
    assert str(tx["customer_id"].dtype) in ("str", "object") and tx["date"].dtype == "datetime64[ns]"


MESSY = {
    "currency sign": ("amount", "$1234.50"),
    "thousands separated by a space": ("amount", "1 234.50"),
    "accounting negative": ("amount", "(12.50)"),
    "trailing minus": ("cost", "12.50-"),
    "exponent (pandas reads it otherwise)": ("amount", "+3E91"),
    "signed zero": ("amount", "-0"),
    "infinity": ("amount", "inf"),
    "not a number": ("amount", "ten"),
    "empty amount": ("amount", ""),
    "spaces around an amount": ("amount", "  12.5 "),
    "day-first date": ("date", "13/02/2023"),
    "month-first date": ("date", "02/13/2023"),
    "a date with a time zone": ("date", "2023-03-01T10:00:00+02:00"),
    "a date in UTC": ("date", "2023-03-01 10:00:00Z"),
    "no such day": ("date", "2023-02-30"),
    "compact date": ("date", "20230301"),
    "spreadsheet serial day": ("date", "44927"),
    "fractional seconds": ("date", "2023-03-01 10:00:00.123456789"),
    "not a date": ("date", "soon"),
    "spaces around an id": ("customer_id", "  C000001 "),
    "placeholder id": ("customer_id", "N/A"),
    "placeholder id in another case": ("customer_id", "null"),
    "non-ASCII id": ("customer_id", "Müller GmbH"),
    "id cased by Python only (Kelvin sign)": ("customer_id", "\u212a"),
    "non-ASCII space around an id": ("customer_id", "\u00a0C000002\u3000"),
    "empty id": ("customer_id", ""),
}


@pytest.mark.parametrize("case", sorted(MESSY), ids=lambda c: c.replace(" ", "-"))
@pytest.mark.parametrize("bad_rows", ["error", "drop"])
def test_one_messy_value_among_clean_ones_gives_the_careful_result(tmp_path, monkeypatch, case, bad_rows):
    column, text = MESSY[case]
    path = write(tmp_path, ledger(), cells={(7_321, column): text})
    assert arrow.read_arrow(path) is not None  # read by pyarrow; the value goes through today's parsers
    both(monkeypatch, path, bad_rows=bad_rows, missing_ids="N/A, NULL, K", **OPTIONS)


def test_day_first_detection_looks_at_every_such_date_in_the_column(tmp_path, monkeypatch):
    cells = {(100, "date"): "05/02/2023", (9_000, "date"): "25/02/2023", (11_000, "date"): "03/04/2023 10:00"}
    _, report, _ = both(monkeypatch, write(tmp_path, ledger(), cells=cells), **OPTIONS)
    assert any("3 dates written like 01/02/1997 read as day/month/year" in n for n in report["notes"])


def test_many_messy_values_and_naive_next_to_zoned_timestamps(tmp_path, monkeypatch):
    frame, rng = ledger(), np.random.default_rng(3)
    rows = rng.choice(len(frame), 600, replace=False)
    cells = {(r, "amount"): f"€{r // 1000 + 1} {r % 1000:03d}.50" for r in rows[:150]}
    cells.update({(r, "cost"): f"{r // 1000 + 1}'{r % 1000:03d}.5-" for r in rows[150:300]})
    cells.update({(r, "date"): f"2023-01-{1 + r % 28:02d}T08:00:00+01:00" for r in rows[300:]})
    _, report, _ = both(monkeypatch, write(tmp_path, frame, cells=cells), **OPTIONS)
    assert any("without a time zone taken as UTC" in n for n in report["notes"])


def test_decimal_commas_with_semicolons(tmp_path, monkeypatch):
    frame = ledger()
    for col in ("amount", "cost"):
        frame[col] = frame[col].str.replace(".", ",", regex=False)
    cells = {(50, "amount"): "1.234,50", (60, "cost"): "12.50", (70, "amount"): "-0,00"}
    path = write(tmp_path, frame, sep=";", cells=cells)
    assert "line 62: '12.50'" in both(monkeypatch, path, **OPTIONS)[1]  # a point in a comma file: not a number
    _, report, _ = both(monkeypatch, path, bad_rows="drop", **OPTIONS)
    assert "decimal comma detected" in report["notes"] and "delimiter ';' detected" in report["notes"]


def test_duplicates_are_found_exactly(tmp_path, monkeypatch):
    frame = ledger()
    copies = frame.iloc[[10, 10, 500, 3_000]].copy()
    near = frame.iloc[[20, 30]].copy()
    near["amount"] = near["amount"] + "0"          # 5.5 and 5.50: the same number, not the same row
    near["customer_id"] = " " + near["customer_id"]  # the same id once trimmed, not the same row
    frame = pd.concat([frame, copies, near], ignore_index=True)
    for duplicates in ("drop", "keep", "error"):
        both(monkeypatch, write(tmp_path, frame), duplicates=duplicates, **OPTIONS)
    _, report, _ = both(monkeypatch, write(tmp_path, frame), **OPTIONS)
    assert [i["rows"] for i in report["items"] if "duplicate" in i["reason"]] == [4]


@pytest.mark.parametrize("order", ["by date", "shuffled", "fractional seconds over many ids"])
def test_files_in_any_order_are_sorted_as_before(tmp_path, monkeypatch, order):
    frame = ledger(seed=4)
    if order == "by date":
        frame = frame.sort_values("date", kind="stable")
    elif order == "shuffled":
        frame = frame.sample(frac=1.0, random_state=1)
    else:  # nanoseconds over two years and thousands of ids overflow an integer key
        frame["date"] = frame["date"] + "." + pd.Series(np.arange(len(frame)) % 997).astype(str).str.zfill(9)
    both(monkeypatch, write(tmp_path, frame.reset_index(drop=True)), **OPTIONS)


def test_title_lines_header_line_and_byte_order_mark(tmp_path, monkeypatch):
    text = ledger().to_csv(index=False)
    path = tmp_path / "report.csv"
    path.write_bytes(b"\xef\xbb\xbf" + ("Sales report 2023\nprinted today\n" + text).encode())
    assert arrow.read_arrow(path) is not None
    _, report, _ = both(monkeypatch, path, **OPTIONS)
    assert report["notes"][:2] == ["UTF-8 byte-order mark removed",
                                   "2 title lines above the header skipped (lines 1-2: 'Sales report 2023', "
                                   "'printed today'); pass header_line= if the header is elsewhere"]
    both(monkeypatch, path, header_line=3, **OPTIONS)


def test_a_gzipped_file_and_returns_netted(tmp_path, monkeypatch):
    frame = ledger()
    frame.loc[[40, 41, 42], "amount"] = ["-10.00", "-5.00", "0.00"]
    path = tmp_path / "orders.csv.gz"
    path.write_bytes(gzip.compress(frame.to_csv(index=False).encode(), mtime=0))
    assert arrow.read_arrow(path) is not None
    for returns in ("drop", "keep", "net"):
        both(monkeypatch, path, returns=returns, zero_amounts="drop", **OPTIONS)


def _ragged(text):
    lines = text.splitlines()
    lines[5] += ",extra"
    return "\n".join(lines) + "\n"


DECLINED = {
    "a ragged line": lambda text: _ragged(text),
    "a line of spaces": lambda text: text.replace("\n", "\n   \n", 2),
    "a quoted value over two lines": lambda text: text.replace("C000003", '"C0000\n03"', 1),
    "a stray quote": lambda text: text.replace("C000003", '"C000003', 1),
    "a NUL byte": lambda text: text.replace("C000003", "C00\x000003", 1),
    "a line separator U+2028": lambda text: text.replace("C000003", "C00\u20280003", 1),
    "windows line ends": lambda text: text.replace("\n", "\r\n"),
}


@pytest.mark.parametrize("case", sorted(DECLINED), ids=lambda c: c.replace(" ", "-"))
def test_files_pyarrow_must_not_read_take_the_careful_path_and_its_messages(tmp_path, monkeypatch, case):
    path = tmp_path / "orders.csv"
    path.write_bytes(DECLINED[case](ledger(2_000).to_csv(index=False)).encode())
    if case != "windows line ends":  # read by pyarrow too: \r\n ends a line for both readers
        assert arrow.read_arrow(path) is None
    result = both(monkeypatch, path, **OPTIONS)
    if case == "a ragged line":
        assert "1 line has 5 fields but the header has 4 (line 6)" in result[1]


BLANKS = {
    "blank lines": lambda text: text.replace("\n", "\n\n", 3),
    "a blank line at the end": lambda text: text + "\n",
    "blank lines at the end": lambda text: text + "\n\n\n",
    "a blank line after the header": lambda text: text.replace("\n", "\n\n", 1),
    "windows line ends and blank lines": lambda text: text.replace("\n", "\n\n", 4).replace("\n", "\r\n"),
    "empty rows at the end": lambda text: text + ",,,\n,,,\n",
}


@pytest.mark.parametrize("case", sorted(BLANKS), ids=lambda c: c.replace(" ", "-"))
@pytest.mark.parametrize("compressed", [False, True], ids=["plain", "gzip"])
def test_blank_lines_are_read_by_pyarrow_with_the_careful_line_numbers_and_note(tmp_path, monkeypatch, case,
                                                                                 compressed):
    text = BLANKS[case](ledger(2_000).to_csv(index=False))
    data = text.encode()
    path = tmp_path / ("orders.csv.gz" if compressed else "orders.csv")
    path.write_bytes(gzip.compress(data, mtime=0) if compressed else data)
    raw = arrow.read_arrow(path)
    assert raw is not None
    lines = text.splitlines()
    expected = [i + 1 for i, line in enumerate(lines) if i and line.strip()]
    assert list(raw.labels) == expected  # each row on its physical line
    result = both(monkeypatch, path, **OPTIONS, bad_rows="drop")
    blank = sum(1 for line in lines if not line.strip())
    if blank:
        assert f"{blank} blank line{'s' if blank > 1 else ''} skipped" in result[1]["notes"]


def test_quoted_values_are_read_as_the_csv_module_reads_them(tmp_path, monkeypatch):
    frame = ledger()
    frame["note"] = "plain"
    frame.loc[[3, 4, 5], "note"] = ['say "hi"', "a, b", ""]
    cells = {(10, "amount"): "$1,234.50", (11, "cost"): "1,000", (12, "customer_id"): " C000001 "}
    path = write(tmp_path, frame, cells=cells)
    text = path.read_text()
    assert '"$1,234.50"' in text and '"say ""hi"""' in text
    path.write_text('"customer_id","date","amount","cost","note"\n' + text.split("\n", 1)[1])
    raw = arrow.read_arrow(path)
    assert raw is not None and raw.frame["note"].iloc[3:6].tolist() == ['say "hi"', "a, b", ""]
    tx, report, _ = both(monkeypatch, path, **OPTIONS)
    assert "columns not used: 'note'" in report["notes"] and tx["amount"].max() == 1234.5


LEGACY = {
    "cp1252 in a value": (lambda text: text.replace("C000003", "Caf\xe9"), "cp1252", "Windows cp1252"),
    "cp1252 in the header": (lambda text: text.replace("amount", "Betrag \u20ac", 1), "cp1252", "Windows cp1252"),
    "latin-1 (a byte cp1252 leaves undefined)": (lambda text: text.replace("C000003", "C\x81\xe9"), "latin-1",
                                                 "latin-1"),
}


@pytest.mark.parametrize("case", sorted(LEGACY), ids=lambda c: c.split(" (")[0].replace(" ", "-"))
@pytest.mark.parametrize("compressed", [False, True], ids=["plain", "gzip"])
def test_text_that_is_not_utf8_is_read_by_pyarrow_as_the_careful_path_reads_it(tmp_path, monkeypatch, case,
                                                                               compressed):
    change, encoding, label = LEGACY[case]
    data = change(ledger(2_000).to_csv(index=False)).encode(encoding)
    path = tmp_path / ("orders.csv.gz" if compressed else "orders.csv")
    path.write_bytes(gzip.compress(data, mtime=0) if compressed else data)
    assert arrow.read_arrow(path) is not None
    options = dict(OPTIONS, amount_col="Betrag \u20ac") if "header" in case else OPTIONS
    _, report, _ = both(monkeypatch, path, **options)
    assert any(f"read as {label}" in n and "on line " in n for n in report["notes"]), report["notes"]


def test_the_first_byte_that_is_not_utf8_is_found_across_chunks(monkeypatch):
    monkeypatch.setattr(arrow, "_SCAN_BYTES", 7)
    text = ("\u00e9t\u00e9 \u20ac" * 5).encode("utf-8")  # characters of two and three bytes across chunk ends
    assert arrow.first_invalid_utf8(text) is None
    for bad in (0, 9, 23, len(text)):
        broken = text[:bad] + b"\xff" + text[bad:]
        assert arrow.first_invalid_utf8(broken) == bad


def test_tab_separated_lines_of_spaces_take_the_careful_path(tmp_path, monkeypatch):
    path = tmp_path / "orders.tsv"
    path.write_text(ledger(500).to_csv(index=False, sep="\t") + " \t \t\t\n")
    assert arrow.read_arrow(path) is None  # pyarrow cannot tell them from blank lines
    assert "1 row has no customer id (line 502)" in both(monkeypatch, path, **OPTIONS)[1]


def test_dataframes_of_arrow_strings_with_missing_values(monkeypatch):
    frame = ledger(3_000).astype(pd.ArrowDtype(pa.string()))
    frame.loc[[5, 6], "amount"] = None
    frame.loc[7, "customer_id"] = None
    frame.loc[8, "date"] = None
    both(monkeypatch, frame, bad_rows="drop", **OPTIONS)
    message = both(monkeypatch, frame, **OPTIONS)[1]
    assert "index 5, 6: '', ''" in message and "index 7" in message and "index 8: ''" in message


@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_pyarrow_reads_quoted_lines_as_the_csv_module_does(sep):
    """Random lines of letters, delimiters, quotes and spaces: wherever the fast path accepts pyarrow's
    rows (it parses them, no value spans lines, no row is blank), they are the csv module's records."""
    import csv
    import io
    import random

    rng, accepted = random.Random(7), 0
    alphabet = ["a", "é", sep, sep, '"', '"', '""', " ", "'"]
    for _ in range(6_000):
        lines = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 10))) for _ in range(2)]
        text = rng.choice(["\n", "\r\n"]).join(lines) + rng.choice(["", "\n"])
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
        width = len(records[0]) if records else 1
        table = arrow._parse(pa.BufferReader(text.encode()), sep, [f"h{i}" for i in range(width)])
        if table is None or not arrow._same_as_careful(table, sep):
            continue
        accepted += 1
        assert [list(row) for row in zip(*(c.to_pylist() for c in table.columns))] == records, repr(text)
    assert accepted > 500
