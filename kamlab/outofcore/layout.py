"""Is a file clean enough for the DuckDB path? The head of a CSV checked before DuckDB reads it.

The out-of-core path reads a file as clean: the header on line 1, amounts as
plain numbers, dates in ISO form. DuckDB does not fail loudly on every
departure from that: it takes a title line for the header, reads ``651,32``
as text and guesses whether ``02/01/2022`` is the 2nd of January or the 1st
of February. :func:`check_clean_file` reads the first rows of a CSV the way
the validating loader would (:func:`kamlab.data.reading.csv_layout`: the
delimiter, the title lines above the header) and refuses, with every problem
at once, a file the DuckDB path would misread; the fix is the validating
loader, which handles all of these.
"""

from __future__ import annotations

import csv
import glob
import gzip
import re
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Mapping

from kamlab.data.contract import format_rows
from kamlab.data.errors import TransactionDataError
from kamlab.data.messages import plural

from .sql import PARQUET_SUFFIXES

#: Bytes of the file's head that are checked (the first thousands of rows).
HEAD_BYTES = 1 << 18
#: Rows of the head whose values are checked.
SAMPLE_ROWS = 500
#: The fix named when :func:`kamlab.outofcore.summary_dataset_duckdb` is called from Python.
LIBRARY_FIX = ("read it with kamlab.datasets.resolve (the validating loader, which skips title lines and reads "
               "decimal commas and day-first dates), or clean the file first")

_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$")


class UncleanFileError(TransactionDataError):
    """A file the DuckDB path would misread; ``issues`` are the problems without the fix, ``fix`` the fix."""

    def __init__(self, source: str, issues: list[str] | tuple[str, ...], fix: str = LIBRARY_FIX):
        self.issues, self.fix = tuple(issues), fix
        super().__init__(source, self.issues)
        lines = str(self).splitlines()
        self.args = ("\n".join(lines[:-1] + [f"The DuckDB path reads a file as clean: {fix}.", lines[-1]]),)


def _first_file(path: Path) -> Path | None:
    """``path``, or the first file its glob matches; None for parquet (typed columns) or nothing to read."""
    text = str(path)
    if any(ch in text for ch in "*?["):
        matches = sorted(glob.glob(text))
        path = Path(matches[0]) if matches else None
    if path is None or not path.is_file() or path.name.lower().endswith(PARQUET_SUFFIXES):
        return None
    return path


def _head(path: Path) -> str | None:
    """The first :data:`HEAD_BYTES` of the file as text, cut at the last whole line; None when not UTF-8."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rb") as handle:
        data = handle.read(HEAD_BYTES)
    if len(data) == HEAD_BYTES and b"\n" in data:
        data = data[: data.rindex(b"\n") + 1]
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def layout_issues(text: str, name: str, columns: Mapping[str, str]) -> list[str]:
    """What the DuckDB path would misread in ``text`` (the head of file ``name``), for the mapped ``columns``.

    ``columns`` maps the contract's roles (``customer_id``, ``date``,
    ``amount``, ``cost``) to the file's column names. Columns the header
    lacks are left to :func:`kamlab.outofcore.sql.columns_of`, which names them.
    """
    from kamlab.data.errors import DataContractError
    from kamlab.data.reading import csv_layout

    try:
        body, lines, sep, _, titles, _ = csv_layout(text, None, name)
    except DataContractError:  # empty: DuckDB's own error names it
        return []
    if sep in (r"\s+", " "):
        return []
    rows = list(csv.reader(lines[: SAMPLE_ROWS + 1], delimiter=sep))
    if not rows:
        return []
    header, rows = [h.strip() for h in rows[0]], rows[1:]
    issues = []
    if titles:
        issues.append(f"has {plural(titles, 'title line')} above its header (on line {titles + 1}); "
                      "the DuckDB path would take line 1 for the header")
    position = {column: i for i, column in enumerate(header)}
    for role, column in columns.items():
        if column not in position or role == "customer_id":
            continue
        values = [r[position[column]].strip() for r in rows if len(r) > position[column]]
        values = [v for v in values if v]
        pattern = _ISO if role == "date" else _NUMBER
        odd = [v for v in values if not pattern.match(v)]
        if not odd:
            continue
        shown = format_rows(map(repr, dict.fromkeys(odd)), limit=3)
        if role == "date":
            issues.append(f"column {column!r} holds dates that are not ISO (YYYY-MM-DD), e.g. {shown}, "
                          "whose order of day and month DuckDB would guess")
        else:
            issues.append(f"column {column!r} holds values that are not plain numbers, e.g. {shown} "
                          "(decimal commas, thousands separators or currency signs), which DuckDB reads as text")
    return issues


def check_clean_file(path: str | Path, columns: Mapping[str, str], fix: str = LIBRARY_FIX) -> None:
    """Refuse a CSV the DuckDB path would misread, naming every problem of its first rows and ``fix``.

    Parameters
    ----------
    path : str or Path
        The file (or a glob: its first file is checked). Parquet files have
        typed columns and are not checked.
    columns : mapping
        Contract role -> the file's column (``customer_id``, ``date``,
        ``amount``, ``cost``).
    fix : str
        What the analyst should do instead (the command line names its flag).

    Raises
    ------
    UncleanFileError
        Title lines above the header, amounts that are not plain numbers,
        dates that are not ISO, or text that is not UTF-8.
    """
    first = _first_file(Path(path))
    if first is None:
        return
    text = _head(first)
    if text is None:
        raise UncleanFileError(f"transactions file {first.name}", ["is not UTF-8 text, which DuckDB needs"], fix)
    issues = layout_issues(text, first.name, columns)
    if issues:
        raise UncleanFileError(f"transactions file {first.name}", issues, fix)


@contextmanager
def read_errors(path: str | Path) -> Iterator[None]:
    """DuckDB's errors while it reads ``path`` (a value beyond the checked head it cannot read as its column's
    type) raised as :class:`UncleanFileError`, naming the file and DuckDB's reason, not as a traceback."""
    import duckdb

    try:
        yield
    except duckdb.Error as err:
        reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise UncleanFileError(f"transactions file {Path(path).name}", [f"DuckDB could not read it ({reason})"]) \
            from None
