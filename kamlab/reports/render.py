"""Rendering one job (inside a worker process): papermill executes the notebook
in its own kernel, in the notebook's folder, with the job's parameters injected
after the cell tagged ``parameters``; nbconvert writes the HTML page; every file
is written atomically.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .files import EXECUTED_DIR, atomic_write_text
from .header import header_html
from .jobs import Job
from .own_data import drop_teaching_cells
from .page import notebook_html
from .parameters import notebook_parameters, notebook_title

#: Tag of the cell appended to every run to report the dataset back to the header.
META_TAG = "kamlab-report-meta"
META_MARK = "KAMLAB-REPORT-META "


@dataclass(frozen=True)
class JobResult:
    """What happened to one job; stored in ``executed/status.json``."""

    name: str
    title: str
    notebook: str  # file name of the source notebook
    kind: str
    dataset: str | None
    parameters: dict[str, Any]  # values passed (the rest are the notebook's defaults)
    status: str  # "ok" or "failed"
    error: str  # first line of the error, "" when ok
    started: str  # ISO time (UTC)
    duration_s: float  # execution + HTML conversion, seconds
    html: str | None  # report path relative to the output folder (None when failed)
    executed: str | None  # executed notebook, relative to the output folder
    traceback_html: str | None  # HTML view of the failed notebook, relative
    detail: str = ""  # the whole error message (a data error lists every problem)
    data_options: dict[str, str] = field(default_factory=dict)  # the job's loader settings (see Job)
    last_good_html: str | None = None  # a failed run: the last good report of this name, kept
    last_good_started: str | None = None  # when that report was run (ISO, UTC)
    exports: str | None = None  # own data: the CSV exports folder's README, relative to the output folder
    exports_error: str = ""  # the export after the report failed (the link, if any, is the last good folder)


_META_SOURCE = f'''\
# Added by kamlab.reports to describe the dataset in the report header; removed from the report.
def _kamlab_report_meta():
    import json
    info = {{}}
    for value in list(globals().values()):
        kind = type(value)
        if kind.__name__ == "Dataset" and kind.__module__.startswith("kamlab"):
            info["name"] = str(value.name)
            info["source"] = str(value.source)
            info["report"] = None if value.report is None else str(value.report)
            accounts_report = getattr(value, "accounts_report", None)
            info["accounts_report"] = None if accounts_report is None else str(accounts_report)
            tx = value.transactions
            if tx is not None and len(tx):
                info["shape"] = (f"{{len(tx):,}} transactions, {{tx['customer_id'].nunique():,}} accounts, "
                                 f"{{tx['date'].min():%Y-%m-%d}} to {{tx['date'].max():%Y-%m-%d}}")
            elif getattr(value, "calhold", None) is not None:
                info["shape"] = f"per-account summaries of {{len(value.calhold):,}} accounts"
            elif value.summary is not None:
                info["shape"] = f"summary of {{len(value.summary):,}} rows"
            break
    print("{META_MARK}" + json.dumps(info))
_kamlab_report_meta()
del _kamlab_report_meta
'''


def _take_meta(nb) -> dict:
    """Remove the meta cell from an executed notebook and return what it printed."""
    info: dict = {}
    keep = []
    for cell in nb.cells:
        if META_TAG in cell.get("metadata", {}).get("tags", []):
            for output in cell.get("outputs", []):
                for line in str(output.get("text", "")).splitlines():
                    if line.startswith(META_MARK):
                        try:
                            info = json.loads(line[len(META_MARK):])
                        except ValueError:
                            info = {}
        else:
            keep.append(cell)
    nb.cells = keep
    return info


def error_text(err: BaseException) -> str:
    """``ename: evalue`` of a notebook error (or ``Type: message``), whole."""
    ename, evalue = getattr(err, "ename", None), getattr(err, "evalue", None)
    return str(f"{ename}: {evalue}" if ename else f"{type(err).__name__}: {err}")


def first_error_line(err: BaseException | str) -> str:
    """The first line of :func:`error_text`, at most 300 characters."""
    text = err if isinstance(err, str) else error_text(err)
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[0][:300] if lines else (text or "error")[:300]


def jsonable(values: Mapping[str, Any]) -> dict[str, Any]:
    """Parameter values as JSON would store them (paths and dates as text)."""
    return json.loads(json.dumps(values, default=str))


def without_first_heading(nb, heading: str):
    """A copy of the notebook without its first Markdown heading when that is ``heading``: the
    report's header states the title, so the page shows it once."""
    import copy

    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        lines = cell.source.splitlines()
        first = next((j for j, line in enumerate(lines) if line.strip()), None)
        if first is None or not lines[first].startswith("#") or lines[first].lstrip("#").strip() != heading:
            return nb
        nb = copy.deepcopy(nb)
        nb.cells[i].source = "\n".join(lines[:first] + lines[first + 1:]).strip("\n")
        return nb
    return nb


def _prepared_notebook(job: Job) -> tuple[Any, int]:
    """The job's notebook with the meta cell appended and, on own data, the teaching cells
    left out; and the number of cells left out."""
    import nbformat

    nb = nbformat.read(str(job.notebook), as_version=4)
    removed = drop_teaching_cells(nb) if job.own_data else 0
    nb.cells.append(nbformat.v4.new_code_cell(_META_SOURCE, metadata={"tags": [META_TAG]}))
    return nb, removed


def _execute(nb, job: Job, run_path: Path, timeout_s: int | None) -> tuple[str, str]:
    """Run the notebook with papermill into ``run_path``: ("ok", "") or ("failed", the whole error)."""
    import papermill

    kernel = nb.metadata.get("kernelspec", {}).get("name") or "python3"
    try:
        papermill.execute_notebook(
            nb,
            str(run_path),
            parameters=dict(job.parameters),
            kernel_name=kernel,
            cwd=str(job.notebook.parent),
            progress_bar=False,
            request_save_on_cell_execute=False,
            execution_timeout=timeout_s,
        )
    except Exception as err:  # a failing cell, kernel died, timeout, bad notebook: a failed job
        return "failed", error_text(err)
    return "ok", ""


def _write_outputs(job: Job, out_dir: Path, executed, page: str, status: str) -> tuple[str | None, str | None]:
    """Write the executed notebook and the page; (report path, traceback page path), relative."""
    import nbformat

    executed_dir = out_dir / EXECUTED_DIR
    atomic_write_text(executed_dir / f"{job.name}.ipynb", nbformat.writes(executed))
    if status == "ok":
        atomic_write_text(out_dir / f"{job.name}.html", page)
        (executed_dir / f"{job.name}.html").unlink(missing_ok=True)
        return f"{job.name}.html", None
    atomic_write_text(executed_dir / f"{job.name}.html", page)  # the last good <name>.html stays
    return None, f"{EXECUTED_DIR}/{job.name}.html"


def render_job(job: Job, out_dir: str | Path, *, timeout_s: int | None = None) -> JobResult:
    """Execute one job and write its report; never leaves partial files.

    On success: ``<out>/<name>.html`` and ``<out>/executed/<name>.ipynb``. On a
    failing cell: ``<out>/executed/<name>.ipynb`` holding the traceback and its
    HTML view ``<out>/executed/<name>.html`` (code shown); the last good
    ``<out>/<name>.html`` of an earlier run is never removed (the index shows
    the failure beside it). On own data (``job.own_data``) the cells tagged
    ``teaching`` are left out before the notebook runs.
    """
    import nbformat

    out_dir = Path(out_dir)
    (out_dir / EXECUTED_DIR).mkdir(parents=True, exist_ok=True)
    params = notebook_parameters(job.notebook)
    nb, removed = _prepared_notebook(job)
    work = Path(tempfile.mkdtemp(prefix=f".tmp-{job.name}-", dir=out_dir))
    try:
        run_path = work / "run.ipynb"
        started = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        t0 = time.perf_counter()
        status, detail = _execute(nb, job, run_path, timeout_s)
        error = first_error_line(detail) if detail else ""
        executed = nbformat.read(str(run_path), as_version=4) if run_path.exists() else nb
        meta = _take_meta(executed)
        if "papermill" in executed.metadata:  # we passed a node and a temporary path: record the real ones
            executed.metadata.papermill["input_path"] = str(job.notebook)
            executed.metadata.papermill["output_path"] = str(out_dir / EXECUTED_DIR / f"{job.name}.ipynb")
        header = header_html(job, params, meta, started=started, duration_s=time.perf_counter() - t0,
                             status=status, error=error, teaching_removed=removed)
        page = notebook_html(without_first_heading(executed, notebook_title(job.notebook)), title=job.title,
                             header=header, hide_input=job.hide_input and status == "ok")
        duration = time.perf_counter() - t0
        html_rel, traceback_rel = _write_outputs(job, out_dir, executed, page, status)
        return JobResult(
            name=job.name, title=job.title, notebook=job.notebook.name, kind=job.kind,
            dataset=job.dataset if job.own_data else (meta.get("name") or job.dataset),
            parameters=jsonable(job.shown_parameters), status=status, error=error, started=started,
            duration_s=round(duration, 2), html=html_rel, executed=f"{EXECUTED_DIR}/{job.name}.ipynb",
            traceback_html=traceback_rel, detail=detail, data_options=dict(job.data_options),
            exports=job.exports if status == "ok" else None,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
