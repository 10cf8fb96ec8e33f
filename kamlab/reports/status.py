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


def update_index(out_dir: str | Path, listed: list[Job], results: list[JobResult]) -> Path:
    """Merge ``results`` into the status file and rewrite ``index.html``."""
    out_dir = Path(out_dir)
    with locked(out_dir):
        status = read_status(out_dir)
        for result in results:
            status[result.name] = asdict(result)
        matrix = {job.name for job in listed if job.kind == "matrix"}
        status = {name: r for name, r in status.items() if r.get("kind") != "matrix" or name in matrix}
        atomic_write_text(out_dir / EXECUTED_DIR / STATUS_NAME, json.dumps(status, indent=1))
        index = out_dir / INDEX_NAME
        atomic_write_text(index, index_html(listed, status))
    return index
