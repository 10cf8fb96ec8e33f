"""CSV files with the bytes pandas writes, at the speed of pyarrow's CSV writer.

:func:`write_csv` writes a frame as :func:`pandas_csv` does (``frame.to_csv(path,
index=False, encoding="utf-8-sig", lineterminator="\\n")``, datetime columns as
their dates, YYYY-MM-DD), but formats each column as one Arrow string array
(:func:`column_text`) and lets :func:`pyarrow.csv.write_csv` lay out the rows:
at a million rows of sixty columns pandas' writer spends most of its time turning
floats into text one at a time.

The text of a cell is the one pandas writes:

- a float64 is ``repr(value)``, the shortest decimal string that reads back to
  the same double (Steele & White 1990, "How to print floating-point numbers
  accurately", PLDI; Gay 1990). Arrow's cast to string finds the same shortest
  digits (the double-conversion library) and, from 1e-4 to 1e9, the same layout
  but for the ``.0`` of integral values, which :func:`float_text` adds; other
  values go through DuckDB's cast, which writes floats as Python's repr;
- integers in decimal; booleans ``True``/``False``; missing values (NaN, NaT,
  None, ``pd.NA``) blank; strings as they are;
- a cell is quoted only when it holds a comma, a double quote or a line break
  (the csv module's QUOTE_MINIMAL). A chunk of rows with such a cell is written by
  pandas itself, from the formatted text, so quoting is exactly the csv module's.

A column of any other kind (mixed Python objects, timedeltas, periods,
float32) sends the whole frame to pandas' writer: the bytes stay pandas',
only the speed is lost. tests/test_exports_csvfile.py checks the bytes against
:func:`pandas_csv` on frames of every kind.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

#: The UTF-8 byte-order mark pandas writes first with ``encoding="utf-8-sig"`` (Excel needs it).
BOM = "\ufeff".encode("utf-8")
#: Rows laid out and written at a time.
CHUNK_ROWS = 1 << 16
#: Bytes that make the csv module quote a cell: comma, double quote, carriage return, line feed.
_QUOTED = np.frombuffer(b',"\r\n', dtype=np.uint8)


def _repr_text(values: np.ndarray) -> pa.Array:
    """``repr(v)`` of each value (none NaN), by DuckDB's cast to VARCHAR, which writes doubles as Python does."""
    with duckdb.connect() as connection:
        connection.register("floats", pa.table({"v": values}))
        result = connection.sql("SELECT CAST(v AS VARCHAR) FROM floats")
        return result.to_arrow_table().column(0).combine_chunks().cast(pa.string())


def _replace(text: pa.Array, mask: np.ndarray, replacements: pa.Array) -> pa.Array:
    """``text`` with the cells where ``mask`` is True replaced, in order, by ``replacements``."""
    return pc.replace_with_mask(text, pa.array(mask), replacements.cast(text.type))


def float_text(values: np.ndarray) -> pa.Array:
    """``repr(float(v))`` of each value, null (a blank cell) for NaN: the text pandas' ``to_csv`` writes for float64.

    Arrow's cast to string gives the shortest round-trip digits and, in
    [1e-4, 1e9), repr's layout but for the ``.0`` of integral values, added
    here (an integral value there is written without a point, any other with
    one). Outside that range (repr's ``1.5e-05``, ``12345678901.0``, ``inf``)
    DuckDB's cast, which writes floats as repr does, formats the values.
    """
    values = np.ascontiguousarray(values, dtype=np.float64)
    missing = np.isnan(values)
    if missing.all():
        return pa.nulls(len(values), pa.string())
    text = pc.cast(pa.array(values, mask=missing if missing.any() else None), pa.string())
    size = np.abs(values)
    with np.errstate(invalid="ignore"):
        plain = ((size >= 1e-4) & (size < 1e9)) | (values == 0)
        whole = plain & (values == np.trunc(values))  # Arrow writes "3" where repr writes "3.0"
    if whole.any():
        text = _replace(text, whole, pc.binary_join_element_wise(text.filter(pa.array(whole)), ".0", ""))
    other = ~plain & ~missing
    if other.any():
        text = _replace(text, other, _repr_text(values[other]))
    return text


def _date_text(series: pd.Series) -> pa.Array:
    """YYYY-MM-DD of each timestamp (its day), null for NaT; pandas' strftime outside the years 1000-9999."""
    if not isinstance(series.dtype, pd.DatetimeTZDtype):
        days = series.to_numpy().astype("datetime64[D]")
        valid = days[~np.isnat(days)]
        if not len(valid) or np.datetime64("1000-01-01") <= valid.min() and valid.max() <= np.datetime64("9999-12-31"):
            return pc.cast(pa.array(days, from_pandas=True), pa.string())
    return _strings(series.dt.strftime("%Y-%m-%d"))


def _strings(series: pd.Series) -> pa.Array:
    """Strings (and missing values, as nulls) as one Arrow string array."""
    if isinstance(series.dtype, pd.StringDtype):
        array = pa.array(series.array)
    else:
        array = pa.array(series.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
    array = array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array
    return array.cast(pa.string()) if array.type != pa.string() else array


def _category_text(series: pd.Series) -> tuple[pa.Array, bool] | None:
    cells = column_text(pd.Series(series.cat.categories))
    if cells is None:
        return None
    codes = series.cat.codes.to_numpy()
    return pc.take(cells[0], pa.array(codes, mask=codes < 0)), cells[1]


def column_text(series: pd.Series) -> tuple[pa.Array, bool] | None:
    """The text pandas' ``to_csv`` writes in each cell of ``series`` (null: blank), and whether any may need quotes.

    Datetimes are written as their dates (YYYY-MM-DD). None for a kind of
    column left to pandas (object columns of anything but strings,
    timedeltas, periods, float32, ...).
    """
    dtype = series.dtype
    extension = isinstance(dtype, pd.api.extensions.ExtensionDtype)
    if isinstance(dtype, pd.CategoricalDtype):
        return _category_text(series)
    if pd.api.types.is_bool_dtype(dtype):
        flags = pa.array(series.array if extension else series.to_numpy())
        return pc.if_else(flags, "True", "False"), False
    if pd.api.types.is_integer_dtype(dtype):
        return pc.cast(pa.array(series.array) if extension else pa.array(series.to_numpy()), pa.string()), False
    if dtype == np.float64 or isinstance(dtype, pd.Float64Dtype):
        return float_text(series.to_numpy(dtype=np.float64, na_value=np.nan)), False
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return _date_text(series), False
    if isinstance(dtype, pd.StringDtype) or dtype == object and pd.api.types.infer_dtype(
            series, skipna=True) in ("string", "empty"):
        return _strings(series), True
    return None


def _quoted_rows(columns: list[tuple[pa.Array, bool]]) -> np.ndarray | None:
    """Rows with a cell the csv module quotes (a comma, a double quote, a line break; a lone empty field), or None."""
    rows = None
    for text, may in columns:
        data = text.buffers()[2] if may else None
        if data is not None and np.isin(np.frombuffer(data, dtype=np.uint8), _QUOTED).any():
            quoted = pc.fill_null(pc.match_substring_regex(text, '[,"\r\n]'), False).to_numpy(zero_copy_only=False)
            rows = quoted if rows is None else rows | quoted
    if len(columns) == 1:  # writerow([""]) writes '""'
        empty = pc.fill_null(pc.equal(columns[0][0], ""), True).to_numpy(zero_copy_only=False)
        rows = empty if rows is None else rows | empty
    return rows


def _header(columns) -> bytes:
    line = io.StringIO()
    csv.writer(line, lineterminator="\n").writerow([str(c) for c in columns])
    return line.getvalue().encode("utf-8")


def _write_chunk(cells: list[pa.Array], quoted: bool, handle) -> None:
    """One chunk of formatted rows: pyarrow's writer, or pandas' (the csv module's quoting) when a cell needs it."""
    if quoted:
        text = pd.DataFrame({i: c.to_numpy(zero_copy_only=False) for i, c in enumerate(cells)}, dtype=object)
        handle.write(text.to_csv(index=False, header=False, lineterminator="\n").encode("utf-8"))
        return
    table = pa.Table.from_arrays(cells, names=[f"c{i}" for i in range(len(cells))])
    pacsv.write_csv(table, handle, pacsv.WriteOptions(include_header=False, quoting_style="none"))


def write_columns(path: str | Path, names, columns: list[tuple[pa.Array, bool]], *,
                  chunk_rows: int = CHUNK_ROWS) -> Path:
    """Write columns of text (:func:`column_text`) under the header ``names``: the file :func:`write_csv` writes."""
    path = Path(path)
    quoted = _quoted_rows(columns)
    rows = len(columns[0][0]) if columns else 0
    step = max(int(chunk_rows), 1)
    with path.open("wb") as handle:
        handle.write(BOM + _header(names))
        for start in range(0, rows, step):
            cells = [text.slice(start, step) for text, _ in columns]
            _write_chunk(cells, quoted is not None and bool(quoted[start:start + step].any()), handle)
    return path


def write_blocks(path: str | Path, names, blocks) -> bool:
    """Write blocks of rows, each a list of columns of text (:func:`column_text`), under the header ``names``.

    The file :func:`write_columns` writes from the blocks joined, holding one
    block's text at a time. False, and the file left incomplete, when a block
    is None (a column left to pandas' writer): the caller writes the file again.
    """
    with Path(path).open("wb") as handle:
        handle.write(BOM + _header(names))
        for columns in blocks:
            if columns is None:
                return False
            quoted = _quoted_rows(columns)
            if columns and len(columns[0][0]):
                _write_chunk([text for text, _ in columns], quoted is not None and bool(quoted.any()), handle)
    return True


def pandas_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """pandas' own writer, datetime columns as YYYY-MM-DD: the file :func:`write_csv` writes, at pandas' speed."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].dt.strftime("%Y-%m-%d")
    out.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")
    return Path(path)


def write_csv(frame: pd.DataFrame, path: str | Path, *, chunk_rows: int = CHUNK_ROWS) -> Path:
    """Write ``frame`` (without its index) as pandas would, datetime columns as YYYY-MM-DD dates.

    The file is UTF-8 with a byte-order mark, comma-separated, a header row,
    ``"\\n"`` line ends, a blank cell for every missing value; its bytes are those
    of :func:`pandas_csv`: ``frame.to_csv(path, index=False, encoding="utf-8-sig",
    lineterminator="\\n")`` once each datetime column is replaced by
    ``.dt.strftime("%Y-%m-%d")``. Rows are written ``chunk_rows`` at a time.

    Parameters
    ----------
    frame : pd.DataFrame
        The table; its column names are the header.
    path : str or Path
        The file, replaced if it exists.
    chunk_rows : int
        Rows written at a time.

    Returns
    -------
    Path
    """
    columns = [column_text(frame.iloc[:, i]) for i in range(frame.shape[1])]
    if any(c is None for c in columns):
        return pandas_csv(frame, path)
    return write_columns(path, list(frame.columns), columns, chunk_rows=chunk_rows)
