"""Where the report engine writes, and how: atomic files and the status lock.

Every file is written to a temporary file in the same folder and renamed, so a
reader (or an interrupted run) sees the old file or the new one, never a part.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

#: Sub-folder of the output folder holding executed notebooks and the status file.
EXECUTED_DIR = "executed"
STATUS_NAME = "status.json"
INDEX_NAME = "index.html"


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder
    and a rename, so readers see the old file or the new one, never a part."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".tmp-{path.name}-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def locked(out_dir: Path):
    """Serialise status/index updates of concurrent ``kamlab report`` commands."""
    lock_path = out_dir / EXECUTED_DIR / ".lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)

