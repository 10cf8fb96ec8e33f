"""``kamlab clean``: remove what ``kamlab report`` generated for the matrix, and nothing else.

Removed: for every job of ``reports.yml`` and every matrix entry of the status
file, its report ``<name>.html``, its executed notebook and traceback page, its
data bundle and its CSV exports folder ``<name>_exports/``; the browser check's
``screenshots/``; leftover temporary files and folders of interrupted runs.
Kept: one-off runs on the analyst's own data (their reports, executed
notebooks, bundles and exports folders stay listed on a rewritten index) and
every file kamlab did not write.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from .files import EXECUTED_DIR, INDEX_NAME, STATUS_NAME, atomic_write_text, locked
from .index import index_html
from .jobs import Job
from .export_folder import exports_dir
from .own_data import bundle_dir
from .status import read_status

SCREENSHOTS_DIR = "screenshots"


def _generated_files(out_dir: Path, name: str, record: dict | None) -> list[Path]:
    executed = out_dir / EXECUTED_DIR
    paths = [out_dir / f"{name}.html", executed / f"{name}.ipynb", executed / f"{name}.html",
             bundle_dir(out_dir, name), exports_dir(out_dir, name)]
    for key in ("html", "executed", "traceback_html", "last_good_html"):
        if record and record.get(key):
            paths.append(out_dir / record[key])
    return paths


def _remove(path: Path, removed: list[Path]) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
        removed.append(path)
    elif path.exists() or path.is_symlink():
        path.unlink()
        removed.append(path)


def clean_reports(out_dir: str | Path, matrix: list[Job]) -> list[Path]:
    """Remove the matrix's generated files from ``out_dir``; the paths removed.

    ``matrix`` is the job list of ``reports.yml`` (an entry of the status file
    recorded as a matrix job is removed too). One-off runs are kept and the
    index is rewritten to list them; with none left, the index and the status
    file go as well.
    """
    out_dir = Path(out_dir).resolve()
    removed: list[Path] = []
    if not out_dir.is_dir():
        return removed
    with locked(out_dir):
        status = read_status(out_dir)
        names = {job.name for job in matrix} | {n for n, r in status.items() if r.get("kind") == "matrix"}
        for name in sorted(names):
            for path in _generated_files(out_dir, name, status.get(name)):
                if path.resolve().is_relative_to(out_dir):
                    _remove(path, removed)
        kept = {n: r for n, r in status.items() if n not in names}
        for path in [out_dir / SCREENSHOTS_DIR, *out_dir.glob(".tmp-*"), *(out_dir / EXECUTED_DIR).glob(".tmp-*")]:
            _remove(path, removed)
        if kept:
            atomic_write_text(out_dir / EXECUTED_DIR / STATUS_NAME, json.dumps(kept, indent=1))
            atomic_write_text(out_dir / INDEX_NAME, index_html([], kept))
        else:
            for path in (out_dir / EXECUTED_DIR / STATUS_NAME, out_dir / INDEX_NAME):
                _remove(path, removed)
    executed = out_dir / EXECUTED_DIR
    if not kept:
        (executed / ".lock").unlink(missing_ok=True)
        if executed.is_dir() and not any(executed.iterdir()):
            executed.rmdir()
    return removed
