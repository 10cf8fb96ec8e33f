"""What a file is, from its first bytes, whatever its name says.

Exports arrive misnamed: a workbook saved as ``orders.csv``, a gzip file
without ``.gz``, a parquet file called ``.csv``, a PDF report, a truncated
download. :func:`file_kind` names the content by its magic bytes (gzip
``1f 8b``, zip ``PK``, OLE2 ``d0 cf 11 e0``, parquet ``PAR1``, PDF ``%PDF``,
...) or, for content without one, by its bytes: text (UTF-8, UTF-16, a
Windows code page) or binary. :func:`read_bytes` returns a file's bytes ready
to decode (``.gz`` decompressed), or raises a
:class:`~kamlab.data.errors.TransactionDataError` that names what the file is
and how to get a CSV out of it, never a raw ``BadGzipFile`` or ``EOFError``.
"""

from __future__ import annotations

import gzip
import io
import zipfile
import zlib
from pathlib import Path

from .errors import TransactionDataError

_MAGIC = (
    (b"\x1f\x8b", "gzip"), (b"\xfd7zXZ\x00", "xz"), (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"7z\xbc\xaf\x27\x1c", "7z"), (b"Rar!\x1a\x07", "rar"), (b"PAR1", "parquet"), (b"%PDF", "pdf"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "xls"), (b"PK\x03\x04", "zip"), (b"PK\x05\x06", "zip"),
)

#: How each kind is named in messages.
KIND_NAMES = {
    "gzip": "a gzip-compressed file", "bzip2": "a bzip2-compressed file", "xz": "an xz-compressed file",
    "zstd": "a zstd-compressed file", "7z": "a 7-Zip archive", "rar": "a RAR archive", "zip": "a zip archive",
    "xlsx": "an Excel workbook (.xlsx)", "xls": "an Excel 97-2003 workbook (.xls) or another old Office file",
    "ods": "an OpenDocument spreadsheet (.ods)", "parquet": "a parquet file", "pdf": "a PDF document",
    "binary": "a binary file (not text)", "text": "text",
}

_FIX = {
    "gzip": "add .gz to its name (e.g. orders.csv.gz), which kamlab decompresses, or decompress it",
    "zip": "extract the CSV file from the archive and pass that file",
    "xlsx": "name it .xlsx, or pass sheet= (e.g. sheet=0 for the first sheet) to read it as a workbook",
    "parquet": "rename it to end in .parquet",
    "pdf": "a PDF report is not data: export the transactions from the source system as CSV",
    "binary": "export the transactions as CSV (text) or parquet; if this was a download, fetch it again",
}
for _kind in ("bzip2", "xz", "zstd", "7z", "rar"):
    _FIX[_kind] = "decompress it and pass the CSV file inside"
for _kind in ("xls", "ods"):
    _FIX[_kind] = "open it in Excel or LibreOffice and save it as .xlsx, or as CSV (UTF-8)"

_CONTROL_BYTES = bytes(range(0, 9)) + bytes(range(14, 32))


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" in names:
                return "xlsx"
            if "mimetype" in names and b"opendocument.spreadsheet" in archive.read("mimetype"):
                return "ods"
    except (zipfile.BadZipFile, OSError, EOFError):
        pass
    return "zip"


def _looks_binary(head: bytes) -> bool:
    """Control bytes (NUL and the like, not tab or line ends) in a share no text export has.

    UTF-16 text (NUL in every other byte) is text. Otherwise binary when over
    10 % of the bytes are control bytes, or over 1 % and the bytes are not UTF-8.
    """
    if not head:
        return False
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if max(even, odd) > 0.4 * (len(head) / 2) and min(even, odd) < 0.05 * (len(head) / 2):
        return False  # UTF-16 without a byte-order mark
    share = sum(head.count(b) for b in _CONTROL_BYTES) / len(head)
    if share > 0.10:
        return True
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the end of the sample
            return share > 0.01
    return False


def file_kind(data: bytes) -> str:
    """The kind of content: one of :data:`KIND_NAMES` ("text" for anything that reads as text)."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return _zip_kind(data) if kind == "zip" else kind
    if data[:3] == b"BZh" and data[4:10] == b"\x31\x41\x59\x26\x53\x59":
        return "bzip2"
    return "binary" if _looks_binary(data[:8192]) else "text"


_SUFFIXES = {"gzip": (".gz", ".gzip"), "bzip2": (".bz2",), "xz": (".xz",), "zstd": (".zst",), "7z": (".7z",),
             "rar": (".rar",), "zip": (".zip",), "xlsx": (".xlsx", ".xlsm"), "xls": (".xls",), "ods": (".ods",),
             "parquet": (".parquet", ".pq"), "pdf": (".pdf",)}


def _refuse(name: str, kind: str, suffix: str) -> TransactionDataError:
    if suffix in _SUFFIXES.get(kind, ()):
        called = ""
    else:
        called = f" although its name ends in {suffix!r}" if suffix else " although its name has no ending"
    return TransactionDataError(name, [f"is {KIND_NAMES[kind]}{called}, not a CSV file; {_FIX[kind]}"])


def _gunzip(data: bytes, name: str) -> bytes:
    try:
        return gzip.decompress(data)
    except (gzip.BadGzipFile, EOFError, zlib.error, OSError) as exc:
        raise TransactionDataError(name, [
            f"is a corrupt or truncated gzip file ({exc or type(exc).__name__}); download or export it "
            f"again (`gzip -t {name}` checks a copy), or decompress what you have and pass the CSV"
        ]) from None


def read_bytes(path: Path, name: str) -> tuple[bytes, str, list[str]]:
    """The file's content ready to read, its kind ("text" or "parquet") and notes.

    ``.gz`` files are decompressed (a ``.gz`` file that is not compressed is
    read as it is, and the notes say so). Any other kind, or a parquet file
    not named ``.parquet``/``.pq``, raises a TransactionDataError naming it.
    """
    data, notes = path.read_bytes(), []
    suffix = path.suffix.lower()
    kind = file_kind(data)
    if suffix == ".gz":
        if kind == "gzip":
            data = _gunzip(data, name)
            kind, suffix = file_kind(data), Path(path.stem).suffix.lower()
        elif kind == "text":
            notes.append(f"{name} is named .gz but is not compressed; read as text")
    if kind == "parquet" and suffix in (".parquet", ".pq"):
        return data, kind, notes
    if kind == "text" and suffix not in (".parquet", ".pq"):
        return data, kind, notes
    if kind == "text":
        raise TransactionDataError(name, [
            f"is named {suffix} but is not a parquet file (it holds text, perhaps CSV); "
            "rename it to end in .csv"])
    raise _refuse(name, kind, suffix)
