"""The status of every job (``executed/status.json``) and the index page built from it."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from .files import EXECUTED_DIR, INDEX_NAME, STATUS_NAME, atomic_write_text, locked
from .index import index_html
from .jobs import Job
from .render import JobResult


def read_status(out_dir: str | Path) -> dict[str, dict]:
    """name -> last JobResult (as a dict) of every job rendered into ``out_dir``."""
    path = Path(out_dir) / EXECUTED_DIR / STATUS_NAME
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _with_last_good(out_dir: Path, new: dict, previous: dict | None) -> dict:
    """A failed result, with the last good report of the same name that is still on disk."""
    if new["status"] == "ok" or new.get("last_good_html"):
        return new
    candidates = []
    if previous and previous.get("status") == "ok" and previous.get("html"):
        candidates.append((previous["html"], previous.get("started")))
    if previous and previous.get("last_good_html"):
        candidates.append((previous["last_good_html"], previous.get("last_good_started")))
    candidates.append((f"{new['name']}.html", None))  # a report older than the status file
    for rel, started in candidates:
        if (out_dir / rel).is_file():
            return {**new, "last_good_html": rel, "last_good_started": started}
    return new


def update_index(out_dir: str | Path, listed: list[Job], results: list[JobResult]) -> Path:
    """Merge ``results`` into the status file and rewrite ``index.html``.

    A failed result keeps a link to the last good report of the same name
    (which rendering never removes), so the index shows the failure beside it.
    """
    out_dir = Path(out_dir)
    with locked(out_dir):
        status = read_status(out_dir)
        for result in results:
            status[result.name] = _with_last_good(out_dir, asdict(result), status.get(result.name))
        matrix = {job.name for job in listed if job.kind == "matrix"}
        status = {name: r for name, r in status.items() if r.get("kind") != "matrix" or name in matrix}
        atomic_write_text(out_dir / EXECUTED_DIR / STATUS_NAME, json.dumps(status, indent=1))
        index = out_dir / INDEX_NAME
        atomic_write_text(index, index_html(listed, status))
    return index
