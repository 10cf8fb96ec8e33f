"""Render notebooks into self-contained HTML reports: the engine of ``kamlab report``.

A *job* is one notebook run with one set of parameters (``reports/reports.yml``
lists the default matrix). Rendering a job:

1. papermill executes the notebook in its own kernel, in the notebook's folder,
   with the job's parameters injected after the cell tagged ``parameters``;
2. nbconvert turns the executed notebook into one HTML file (figures embedded as
   data URIs, code input hidden unless asked), headed by a block that states the
   title, the dataset with its validation summary, every parameter, the kamlab
   version, the run date and the duration;
3. the HTML and the executed notebook are written atomically: to a temporary
   file in the same folder first, then renamed, so an interrupted run never
   leaves a half-written file behind.

Jobs run in parallel worker processes (``python -m kamlab.reports``), each
starting its own kernel. A failing job keeps its executed notebook (which holds
the traceback) and never stops the others; ``index.html`` lists every job with
its status, and the caller exits non-zero when one failed.

Parameter values are checked against the notebook's ``parameters`` cell
(papermill's ``inspect_notebook``): an unknown name is an error that lists the
notebook's parameters, and a value is converted to the type of the default.
"""

from __future__ import annotations

import ast
import datetime as dt
import fcntl
import html
import io
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import tokenize
from collections import deque
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml

import kamlab

#: Name of the job list, inside the reports folder of the project.
CONFIG_NAME = "reports.yml"
#: Sub-folder of the output folder holding executed notebooks and the status file.
EXECUTED_DIR = "executed"
STATUS_NAME = "status.json"
INDEX_NAME = "index.html"
#: Tag of the cell appended to every run to report the dataset back to the header.
META_TAG = "kamlab-report-meta"
META_MARK = "KAMLAB-REPORT-META "
#: The notebook parameters of the dataset convention (see CONTRIBUTING).
DATA_PARAMETERS = ("dataset", "customer_col", "date_col", "amount_col", "cost_col")


class ReportConfigError(ValueError):
    """reports.yml (or a parameters file) is malformed; the message names the fix."""


class ReportParameterError(ValueError):
    """A parameter name or value does not fit the notebook's ``parameters`` cell."""


# --------------------------------------------------------------------------- #
# Notebook parameters                                                          #
# --------------------------------------------------------------------------- #

_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "float": (float, int),
    "bool": (bool,),
    "list": (list, tuple),
    "tuple": (list, tuple),
    "dict": (dict,),
}


@dataclass(frozen=True)
class NotebookParameter:
    """One assignment of a notebook's ``parameters`` cell.

    ``type_name`` is the annotation when the cell has one (``k: int = 5``),
    otherwise the type of the default literal (``"None"`` when the default is
    None, ``"expr"`` when the default is an expression rather than a literal).
    """

    name: str
    source: str  # the default as written in the cell, e.g. '"cdnow_sample"'
    default: Any  # its Python value (the source text when it is not a literal)
    type_name: str
    help: str  # the comment after the assignment


def _cell_assignments(source: str) -> dict[str, dict[str, str]] | None:
    """Top-level ``name = value  # help`` assignments of a cell, parsed as Python.

    papermill's line parser skips any line holding two '=' signs (a comment such as
    ``# 0.2 = top 20 %``) and multi-line values it cannot join; Python's own parser
    does not. None when the cell is not plain Python (e.g. holds %magics).
    """
    try:
        tree = ast.parse(source)
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (SyntaxError, tokenize.TokenError, IndentationError):
        return None
    comments = {tok.start[0]: tok.string.lstrip("#").strip() for tok in tokens if tok.type == tokenize.COMMENT}
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name, annotation = node.targets[0].id, "None"
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            name, annotation = node.target.id, ast.unparse(node.annotation)
        else:
            continue
        found[name] = {"default": ast.get_source_segment(source, node.value) or "",
                       "inferred_type_name": annotation, "help": comments.get(node.end_lineno, "")}
    return found


def notebook_parameters(notebook: str | Path) -> dict[str, NotebookParameter]:
    """The parameters of a notebook, in cell order.

    papermill's ``inspect_notebook`` reads the cell tagged ``parameters``; the
    assignments its line parser skips are completed from a Python parse of the
    same cell (:func:`_cell_assignments`), so every name papermill would inject
    is known.
    """
    import logging

    import nbformat
    import papermill

    path = Path(notebook)
    if not path.is_file():
        raise FileNotFoundError(f"notebook {path} does not exist")
    papermill_log = logging.getLogger("papermill")
    level = papermill_log.level
    papermill_log.setLevel(logging.ERROR)  # its "Unable to parse line" warnings are handled below
    try:
        inspected = papermill.inspect_notebook(str(path))
    finally:
        papermill_log.setLevel(level)
    nb = nbformat.read(str(path), as_version=4)
    cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    parsed = _cell_assignments(cells[0].source) if cells and cells[0].cell_type == "code" else None
    merged = {name: inspected.get(name, raw) for name, raw in parsed.items()} if parsed is not None else inspected
    params = {}
    for name, raw in merged.items():
        source = str(raw["default"]).strip()
        try:
            default = ast.literal_eval(source)
            literal_type = "None" if default is None else type(default).__name__
        except (ValueError, SyntaxError):
            default, literal_type = source, "expr"
        annotated = str(raw.get("inferred_type_name") or "None")
        type_name = annotated if annotated in _TYPES else literal_type
        params[name] = NotebookParameter(name, source, default, type_name, str(raw.get("help") or ""))
    return params


def describe_parameters(notebook: str | Path, params: Mapping[str, NotebookParameter] | None = None) -> str:
    """One line per parameter: ``name: type = default  # help``."""
    params = notebook_parameters(notebook) if params is None else params
    if not params:
        return f"  ({notebook} has no cell tagged 'parameters')"
    width = max(len(p.name) for p in params.values())
    lines = []
    for p in params.values():
        line = f"  {p.name:<{width}} : {p.type_name:<5} = {p.source}"
        lines.append(line + (f"   # {p.help}" if p.help else ""))
    return "\n".join(lines)


def parse_parameter(param: NotebookParameter, text: str) -> Any:
    """Convert command-line text to the type of the parameter's default.

    str -> the text as is; int, float -> the number; bool -> true/false, yes/no,
    1/0; list, tuple, dict -> a Python or YAML literal; a default of None -> a
    Python literal when the text is one (``None``, ``3``, ``[1, 2]``), else the text.
    """
    kind = param.type_name
    if kind == "str":
        return text
    if kind == "bool":
        word = text.strip().lower()
        if word in {"true", "yes", "1", "on"}:
            return True
        if word in {"false", "no", "0", "off"}:
            return False
        raise ValueError("expected true or false")
    if kind in ("int", "float"):
        try:
            return int(text) if kind == "int" else float(text)
        except ValueError:
            raise ValueError(f"not {'an integer' if kind == 'int' else 'a number'}") from None
    if kind in ("list", "tuple", "dict"):
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            value = yaml.safe_load(text)
        if not isinstance(value, _TYPES[kind]):
            raise ValueError(f"expected a {kind} literal such as {param.source}")
        return list(value) if kind == "list" else value
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def coerce_parameter(param: NotebookParameter, value: Any) -> Any:
    """Check a typed value (from YAML) against the default's type; text is parsed."""
    kind = param.type_name
    if isinstance(value, str) and kind != "str":
        return parse_parameter(param, value)
    if kind not in _TYPES or value is None and kind != "str":
        return value  # default None or an expression: any value goes
    if isinstance(value, bool) and kind in ("int", "float"):
        raise ValueError(f"expected {kind}, got a boolean")
    if not isinstance(value, _TYPES[kind]):
        raise ValueError(f"expected {kind}, got {type(value).__name__}")
    return float(value) if kind == "float" else value


def check_parameters(
    notebook: str | Path,
    values: Mapping[str, Any],
    *,
    origin: str,
    text: bool = False,
    params: Mapping[str, NotebookParameter] | None = None,
) -> dict[str, Any]:
    """Validate parameter values for a notebook; all problems reported together.

    Parameters
    ----------
    notebook : path
        The notebook whose ``parameters`` cell defines names and types.
    values : mapping
        name -> value; text (``text=True``, from ``-p name=value``) is parsed to the
        default's type, typed values (YAML) are checked against it.
    origin : str
        Where the values came from, for the error message (e.g. ``"-p"``).

    Raises
    ------
    ReportParameterError
        Unknown names (the message lists the notebook's parameters) or values that
        do not convert.
    """
    params = notebook_parameters(notebook) if params is None else params
    checked, problems = {}, []
    unknown = [name for name in values if name not in params]
    if unknown:
        names = ", ".join(repr(n) for n in unknown)
        problems.append(f"unknown parameter{'s' if len(unknown) > 1 else ''} {names}")
    for name, value in values.items():
        if name not in params:
            continue
        try:
            checked[name] = parse_parameter(params[name], value) if text else coerce_parameter(params[name], value)
        except ValueError as err:
            problems.append(f"parameter {name!r} = {value!r}: {err} (default {params[name].source})")
    if problems:
        raise ReportParameterError(
            f"{origin} for {Path(notebook).name}: " + "; ".join(problems)
            + f".\n{Path(notebook).name} has these parameters:\n"
            + describe_parameters(notebook, params)
        )
    return checked


def parse_assignments(assignments: Iterable[str]) -> dict[str, str]:
    """``["k=5", "dataset=my.csv"]`` -> ``{"k": "5", "dataset": "my.csv"}``."""
    out = {}
    for item in assignments:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ReportParameterError(f"-p {item!r}: write parameters as name=value, e.g. -p k=50")
        out[name.strip()] = value
    return out


def read_parameter_file(path: str | Path) -> dict[str, Any]:
    """A YAML mapping of parameter name -> value (``-f params.yml``)."""
    path = Path(path)
    if not path.is_file():
        raise ReportConfigError(f"parameters file {path} does not exist")
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as err:
        raise ReportConfigError(f"parameters file {path} is not valid YAML: {err}") from None
    if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
        raise ReportConfigError(f"parameters file {path} must be a mapping of name: value, e.g. 'k: 50'")
    return data


def notebook_title(notebook: str | Path) -> str:
    """The first Markdown heading of a notebook, else its file stem."""
    import nbformat

    nb = nbformat.read(str(notebook), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return Path(notebook).stem


# --------------------------------------------------------------------------- #
# Jobs and reports.yml                                                         #
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class Job:
    """One report to render: a notebook with parameters, written as ``<name>.html``."""

    name: str
    notebook: Path
    title: str
    parameters: dict[str, Any] = field(default_factory=dict)  # checked values passed to papermill
    dataset: str | None = None  # label for the index and header
    hide_input: bool = True
    kind: str = "matrix"  # "matrix" (from reports.yml) or "custom" (a one-off analyst run)


_NAME_OK = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_JOB_KEYS = {"name", "notebook", "title", "dataset", "parameters", "hide_input"}


def find_config(start: str | Path | None = None) -> Path:
    """``reports/reports.yml`` of the project: searched upward from ``start``
    (default: the working directory), then beside the installed package."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents, Path(kamlab.__file__).resolve().parents[1]):
        candidate = folder / "reports" / CONFIG_NAME
        if candidate.is_file():
            return candidate
    raise ReportConfigError(
        "cannot find reports/reports.yml in this folder, its parents or beside the kamlab "
        "package; run from the project folder or pass --config PATH"
    )


def project_root(config: str | Path) -> Path:
    """The project folder: the parent of the folder holding reports.yml."""
    return Path(config).resolve().parent.parent


def find_notebook(spec: str | Path, root: str | Path) -> Path:
    """A notebook by path, by stem (``04_clv``) or by number (``04``) in ``root/notebooks``."""
    spec_path = Path(spec)
    for candidate in (spec_path, Path(root) / spec_path):
        if candidate.suffix == ".ipynb" and candidate.is_file():
            return candidate.resolve()
    folder = Path(root) / "notebooks"
    stem = spec_path.stem if spec_path.suffix == ".ipynb" else str(spec)
    exact = folder / f"{stem}.ipynb"
    if exact.is_file():
        return exact.resolve()
    matches = sorted(folder.glob(f"{stem}_*.ipynb")) if stem.isdigit() else []
    if len(matches) == 1:
        return matches[0].resolve()
    available = ", ".join(p.stem for p in sorted(folder.glob("*.ipynb"))) or "none"
    hint = f" ({len(matches)} notebooks start with {stem}_)" if len(matches) > 1 else ""
    raise ReportConfigError(f"no notebook {spec!r}{hint}; notebooks in {folder}: {available}")


def load_jobs(config: str | Path, *, check: bool = True) -> list[Job]:
    """Read the job list.

    The file holds ``jobs:``, a list of mappings with ``name`` (the output file
    stem), ``notebook`` (path relative to the project folder, or a stem in
    ``notebooks/``), and optionally ``title`` (default: the notebook's first
    heading), ``dataset`` (sets the notebook's ``dataset`` parameter),
    ``parameters`` (name: value) and ``hide_input`` (default true). An optional
    ``defaults:`` mapping gives ``hide_input`` and ``parameters`` for every job.
    All problems are collected and reported together.
    """
    config = Path(config)
    try:
        data = yaml.safe_load(config.read_text()) or {}
    except OSError as err:
        raise ReportConfigError(f"cannot read {config}: {err}") from None
    except yaml.YAMLError as err:
        raise ReportConfigError(f"{config} is not valid YAML: {err}") from None
    if not isinstance(data, dict) or not isinstance(data.get("jobs", []), list):
        raise ReportConfigError(f"{config}: expected a mapping with a 'jobs:' list")
    defaults = data.get("defaults") or {}
    root = project_root(config)
    jobs, problems, seen = [], [], set()
    for i, entry in enumerate(data.get("jobs") or [], start=1):
        where = f"job {i}"
        if not isinstance(entry, dict):
            problems.append(f"{where}: expected a mapping with name and notebook")
            continue
        where = f"job {i} ({entry.get('name', 'no name')})"
        extra = set(entry) - _JOB_KEYS
        if extra:
            problems.append(f"{where}: unknown keys {sorted(extra)}; allowed: {sorted(_JOB_KEYS)}")
        name, spec = entry.get("name"), entry.get("notebook")
        if not isinstance(name, str) or not _NAME_OK.match(name):
            problems.append(f"{where}: 'name' must be a file stem of letters, digits, '_', '-', '.'")
            continue
        if name in seen:
            problems.append(f"{where}: name {name!r} is used twice")
        seen.add(name)
        if not spec:
            problems.append(f"{where}: 'notebook' is missing")
            continue
        try:
            notebook = find_notebook(spec, root)
        except ReportConfigError as err:
            problems.append(f"{where}: {err}")
            continue
        values = {**(defaults.get("parameters") or {}), **(entry.get("parameters") or {})}
        if entry.get("dataset") is not None:
            if "dataset" in (entry.get("parameters") or {}):
                problems.append(f"{where}: give the dataset once, as 'dataset:' (not also under parameters)")
            values["dataset"] = entry["dataset"]
        if check:
            try:
                values = check_parameters(notebook, values, origin=f"{config} {where}")
            except ReportParameterError as err:
                problems.append(str(err))
                continue
        jobs.append(
            Job(
                name=name,
                notebook=notebook,
                title=str(entry.get("title") or notebook_title(notebook)),
                parameters=values,
                dataset=None if values.get("dataset") is None else str(values["dataset"]),
                hide_input=bool(entry.get("hide_input", defaults.get("hide_input", True))),
            )
        )
    if problems:
        raise ReportConfigError(f"{config} has {len(problems)} problem(s):\n  - " + "\n  - ".join(problems))
    return jobs


# --------------------------------------------------------------------------- #
# Atomic files                                                                 #
# --------------------------------------------------------------------------- #


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
def _locked(out_dir: Path):
    """Serialise status/index updates of concurrent ``kamlab report`` commands."""
    lock_path = out_dir / EXECUTED_DIR / ".lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --------------------------------------------------------------------------- #
# Rendering one job (runs inside a worker process)                             #
# --------------------------------------------------------------------------- #


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
            tx = value.transactions
            if tx is not None and len(tx):
                info["shape"] = (f"{{len(tx):,}} transactions, {{tx['customer_id'].nunique():,}} accounts, "
                                 f"{{tx['date'].min():%Y-%m-%d}} to {{tx['date'].max():%Y-%m-%d}}")
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


def _utc_text(iso: str) -> str:
    """'2024-05-01T10:00:00+00:00' -> '2024-05-01 10:00:00' (in UTC)."""
    moment = dt.datetime.fromisoformat(iso)
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _show(value: Any) -> str:
    return repr(value) if not isinstance(value, str) else json.dumps(value)


def header_html(
    job: Job,
    params: Mapping[str, NotebookParameter],
    meta: Mapping[str, Any],
    *,
    started: str,
    duration_s: float,
    status: str,
    error: str = "",
) -> str:
    """The block that opens every report: title, dataset and its validation
    summary, every parameter (values set for this run highlighted), kamlab
    version, run date and duration."""
    esc = html.escape
    rows = []
    for p in params.values():
        is_set = p.name in job.parameters
        value = _show(job.parameters[p.name]) if is_set else p.source
        rows.append(
            f'<tr data-param="{esc(p.name)}" class="{"set" if is_set else "default"}">'
            f"<td><code>{esc(p.name)}</code></td><td><code>{esc(value)}</code></td>"
            f"<td><code>{esc(p.source)}</code></td><td>{esc(p.help)}</td></tr>"
        )
    if meta.get("name"):
        dataset = f"<b>{esc(meta['name'])}</b>: {esc(meta.get('source', ''))}"
        if meta.get("shape"):
            dataset += f" ({esc(meta['shape'])})"
        report = meta.get("report")
        validation = (
            f'<pre class="kamlab-validation">{esc(report)}</pre>'
            if report
            else "registered dataset, already in the kamlab data contract (no rows changed on loading)"
        )
    else:
        dataset = esc(job.dataset) if job.dataset else "none (this notebook reads no transaction data)"
        validation = "not available" if job.dataset else "not applicable"
    failed = (
        f'<p class="kamlab-failed">This run FAILED: {esc(error)}. The traceback is below.</p>'
        if status != "ok"
        else ""
    )
    when = _utc_text(started) + " UTC"
    return f"""
<section id="kamlab-header" class="kamlab-header" data-status="{esc(status)}">
<h1 class="kamlab-title">{esc(job.title)}</h1>
{failed}
<dl class="kamlab-meta">
<dt>Notebook</dt><dd class="kamlab-notebook"><code>{esc(job.notebook.name)}</code></dd>
<dt>Dataset</dt><dd class="kamlab-dataset">{dataset}</dd>
<dt>Validation</dt><dd>{validation}</dd>
<dt>kamlab</dt><dd class="kamlab-version">version {esc(kamlab.__version__)}</dd>
<dt>Run</dt><dd class="kamlab-run">{esc(when)}, {duration_s:.1f} s</dd>
</dl>
<table class="kamlab-params">
<caption>Parameters (highlighted: set for this run; others are the notebook's defaults)</caption>
<thead><tr><th>name</th><th>value</th><th>default</th><th>meaning</th></tr></thead>
<tbody>
{chr(10).join(rows) or '<tr><td colspan="4">this notebook has no parameters</td></tr>'}
</tbody>
</table>
</section>
"""


_HEADER_CSS = """
<style>
.kamlab-header { font-family: system-ui, sans-serif; max-width: 1100px; margin: 1em 0 2em;
  padding: 1em 1.5em; border: 1px solid #c8ccd2; border-radius: 6px; background: #f7f8fa; }
.kamlab-header h1 { margin-top: 0.2em; }
.kamlab-meta { display: grid; grid-template-columns: 8em 1fr; gap: 0.3em 1em; }
.kamlab-meta dt { font-weight: 600; }
.kamlab-meta dd { margin: 0; }
.kamlab-validation { margin: 0; white-space: pre-wrap; font-size: 90%; }
.kamlab-params { border-collapse: collapse; margin-top: 1em; font-size: 92%; }
.kamlab-params caption { text-align: left; font-weight: 600; padding-bottom: 0.3em; white-space: nowrap; }
.kamlab-params th, .kamlab-params td { border: 1px solid #d5d8dd; padding: 0.2em 0.6em; text-align: left; }
.kamlab-params tr.set td { background: #fff3c4; }
.kamlab-failed { color: #a00; font-weight: 600; }
</style>
"""

_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block extra_css -%}{{ super() }}{{ resources.kamlab_css }}{%- endblock extra_css -%}
{%- block body_header -%}{{ super() }}{{ resources.kamlab_header }}{%- endblock body_header -%}
"""


def notebook_html(nb, *, title: str, header: str, hide_input: bool) -> str:
    """One self-contained HTML page (nbconvert's lab template, figures inline)."""
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="lab", extra_loaders=[DictLoader({"kamlab_report.html.j2": _TEMPLATE})]
    )
    exporter.template_file = "kamlab_report.html.j2"
    exporter.exclude_input = hide_input
    exporter.exclude_input_prompt = hide_input
    exporter.exclude_output_prompt = hide_input
    resources = {"metadata": {"name": title}, "kamlab_header": header, "kamlab_css": _HEADER_CSS}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body


def _first_error_line(err: BaseException) -> str:
    ename, evalue = getattr(err, "ename", None), getattr(err, "evalue", None)
    text = f"{ename}: {evalue}" if ename else f"{type(err).__name__}: {err}"
    lines = [line for line in str(text).splitlines() if line.strip()]
    return lines[0][:300] if lines else type(err).__name__


def render_job(job: Job, out_dir: str | Path, *, timeout_s: int | None = None) -> JobResult:
    """Execute one job and write its report; never leaves partial files.

    On success: ``<out>/<name>.html`` and ``<out>/executed/<name>.ipynb``. On a
    failing cell: ``<out>/executed/<name>.ipynb`` holding the traceback, its HTML
    view ``<out>/executed/<name>.html`` (code shown), and any older
    ``<out>/<name>.html`` is removed so a stale report cannot pass for this run.
    """
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    out_dir = Path(out_dir)
    executed_dir = out_dir / EXECUTED_DIR
    executed_dir.mkdir(parents=True, exist_ok=True)
    params = notebook_parameters(job.notebook)
    nb = nbformat.read(str(job.notebook), as_version=4)
    meta_cell = nbformat.v4.new_code_cell(_META_SOURCE, metadata={"tags": [META_TAG]})
    nb.cells.append(meta_cell)
    kernel = nb.metadata.get("kernelspec", {}).get("name") or "python3"

    work = Path(tempfile.mkdtemp(prefix=f".tmp-{job.name}-", dir=out_dir))
    try:
        run_path = work / "run.ipynb"
        started = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        t0 = time.perf_counter()
        status, error = "ok", ""
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
        except PapermillExecutionError as err:
            status, error = "failed", _first_error_line(err)
        except Exception as err:  # kernel died, timeout, bad notebook: still a failed job
            status, error = "failed", _first_error_line(err)
        executed = nbformat.read(str(run_path), as_version=4) if run_path.exists() else nb
        meta = _take_meta(executed)
        nb_target = executed_dir / f"{job.name}.ipynb"
        if "papermill" in executed.metadata:  # we passed a node and a temporary path: record the real ones
            executed.metadata.papermill["input_path"] = str(job.notebook)
            executed.metadata.papermill["output_path"] = str(nb_target)
        duration = time.perf_counter() - t0
        header = header_html(job, params, meta, started=started, duration_s=duration, status=status, error=error)
        page = notebook_html(
            executed, title=job.title, header=header, hide_input=job.hide_input and status == "ok"
        )
        duration = time.perf_counter() - t0

        atomic_write_text(nb_target, nbformat.writes(executed))
        html_rel, traceback_rel = None, None
        if status == "ok":
            atomic_write_text(out_dir / f"{job.name}.html", page)
            (executed_dir / f"{job.name}.html").unlink(missing_ok=True)
            html_rel = f"{job.name}.html"
        else:
            atomic_write_text(executed_dir / f"{job.name}.html", page)
            (out_dir / f"{job.name}.html").unlink(missing_ok=True)
            traceback_rel = f"{EXECUTED_DIR}/{job.name}.html"
        return JobResult(
            name=job.name,
            title=job.title,
            notebook=job.notebook.name,
            kind=job.kind,
            dataset=meta.get("name") or job.dataset,
            parameters=_jsonable(job.parameters),
            status=status,
            error=error,
            started=started,
            duration_s=round(duration, 2),
            html=html_rel,
            executed=f"{EXECUTED_DIR}/{job.name}.ipynb",
            traceback_html=traceback_rel,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _jsonable(values: Mapping[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(values, default=str))


# --------------------------------------------------------------------------- #
# Running many jobs                                                            #
# --------------------------------------------------------------------------- #


class Interrupted(Exception):
    """The run was stopped (Ctrl-C or SIGTERM); completed reports were kept."""

    def __init__(self, done: list[JobResult], pending: list[str]):
        super().__init__(f"interrupted: {len(pending)} job(s) not finished ({', '.join(pending)})")
        self.done, self.pending = done, pending


def default_parallel() -> int:
    """Number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _job_to_json(job: Job) -> dict:
    data = asdict(job)
    data["notebook"] = str(job.notebook)
    return data


def _job_from_json(data: dict) -> Job:
    return Job(**{**data, "notebook": Path(data["notebook"])})


class _WorkerDied(Exception):
    pass


class _Worker:
    """One persistent worker process (``python -m kamlab.reports --serve``).

    It imports papermill and nbconvert once, then renders the jobs it is sent one
    at a time, each in a fresh kernel: job spec in on stdin, result out on stdout,
    one JSON line each. It runs in its own session, so the terminal's Ctrl-C
    reaches only the parent, which then stops the workers in order.
    """

    def __init__(self) -> None:
        self.log = tempfile.TemporaryFile()  # stderr of the worker and its kernels
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kamlab.reports", "--serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            start_new_session=True,
            text=True,
            bufsize=1,
        )

    def render(self, job: Job, out_dir: Path, timeout_s: int | None) -> JobResult:
        spec = {"job": _job_to_json(job), "out_dir": str(out_dir), "timeout_s": timeout_s}
        try:
            self.proc.stdin.write(json.dumps(spec) + "\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        except (BrokenPipeError, ValueError, OSError):
            line = ""
        if not line:
            self.proc.wait()
            raise _WorkerDied(f"worker process exited with code {self.proc.returncode}: {self.last_message()}")
        return JobResult(**json.loads(line))

    def last_message(self) -> str:
        self.log.seek(0)
        lines = [line for line in self.log.read().decode(errors="replace").splitlines() if line.strip()]
        return lines[-1].strip() if lines else "no message"

    def terminate(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)

    def close(self, grace_s: float = 15.0) -> None:
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(grace_s)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()
        self.log.close()


def _crashed(job: Job, message: str) -> JobResult:
    return JobResult(
        name=job.name, title=job.title, notebook=job.notebook.name, kind=job.kind, dataset=job.dataset,
        parameters=_jsonable(job.parameters), status="failed", error=message[:300],
        started=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), duration_s=0.0,
        html=None, executed=None, traceback_html=None,
    )


def run_jobs(
    jobs: list[Job],
    out_dir: str | Path,
    *,
    parallel: int | None = None,
    listed: list[Job] | None = None,
    progress: bool = True,
    timeout_s: int | None = None,
) -> list[JobResult]:
    """Render jobs in parallel worker processes and update ``<out>/index.html``.

    Parameters
    ----------
    jobs : list of Job
        What to render now.
    out_dir : path
        Folder of the reports (``reports/`` for the matrix).
    parallel : int, optional
        Jobs at once (one worker process each); default: the number of cores.
    listed : list of Job, optional
        Every job the index should list (the whole matrix), default ``jobs``;
        jobs not rendered now keep the status of their last run.
    progress : bool
        Show a tqdm bar over jobs and one line per finished job with its time.
    timeout_s : int, optional
        Per-cell execution limit in seconds (default: none).

    Returns
    -------
    list of JobResult
        In the order of ``jobs``. On Ctrl-C (KeyboardInterrupt) the workers are
        stopped, the index is updated with the jobs that finished, and
        :class:`Interrupted` is raised.
    """
    from tqdm import tqdm

    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    listed = jobs if listed is None else listed
    previous = read_status(out_dir)
    # longest first (last known duration; never run counts as long): shorter wall time
    pending = deque(sorted(jobs, key=lambda j: -previous.get(j.name, {}).get("duration_s", 1e9)))
    n_slots = min(max(1, parallel or default_parallel()), max(1, len(jobs)))
    lock, stopping, finished = threading.Lock(), threading.Event(), queue.Queue()
    workers: set[_Worker] = set()

    def slot() -> None:
        worker = None
        try:
            while not stopping.is_set():
                with lock:
                    if not pending:
                        return
                    job = pending.popleft()
                    if worker is None and not stopping.is_set():
                        worker = _Worker()
                        workers.add(worker)
                if worker is None:
                    return
                try:
                    finished.put(worker.render(job, out_dir, timeout_s))
                except _WorkerDied as err:
                    with lock:
                        workers.discard(worker)
                    worker.close()
                    worker = None
                    if not stopping.is_set():
                        finished.put(_crashed(job, str(err)))
        finally:
            if worker is not None:
                worker.close()
                with lock:
                    workers.discard(worker)
            finished.put(None)  # this slot is done

    results: dict[str, JobResult] = {}
    bar = tqdm(total=len(jobs), unit="job", desc="kamlab report", disable=not progress, file=sys.stderr)
    threads = [threading.Thread(target=slot, daemon=True) for _ in range(n_slots)]
    try:
        for thread in threads:
            thread.start()
        open_slots = n_slots
        while open_slots:
            try:
                result = finished.get(timeout=0.5)
            except queue.Empty:
                continue
            if result is None:
                open_slots -= 1
                continue
            results[result.name] = result
            if progress:
                mark = "ok    " if result.status == "ok" else "FAILED"
                extra = f"  {result.error}" if result.error else ""
                bar.write(f"{mark} {result.name}  {result.duration_s:.1f} s{extra}", file=sys.stderr)
            bar.update(1)
    except KeyboardInterrupt:
        stopping.set()
        with lock:
            running = list(workers)
        for worker in running:
            worker.terminate()
        for thread in threads:
            thread.join()
        while not finished.empty():
            late = finished.get()
            if late is not None:
                results[late.name] = late
        bar.close()
        done = [results[j.name] for j in jobs if j.name in results]
        update_index(out_dir, listed, done)
        raise Interrupted(done, [j.name for j in jobs if j.name not in results]) from None
    bar.close()
    done = [results[j.name] for j in jobs if j.name in results]
    update_index(out_dir, listed, done)
    return done


def skip_unneeded_slow_imports() -> None:
    """Start-up speed: jsonschema (imported by nbformat) loads the optional IRI
    checker ``rfc3987_syntax`` when it is installed (jupyterlab brings it), and
    that module builds a parser grammar at import, ~2.5 s on a busy 2-core
    machine. Notebook validation never checks IRI formats, so this process
    records the module as absent; jsonschema then simply skips that format."""
    sys.modules.setdefault("rfc3987_syntax", None)


def _serve() -> int:
    """Worker loop of ``python -m kamlab.reports --serve`` (see :class:`_Worker`)."""

    def _stop(signum, frame):  # the parent asks us to stop: unwind and clean up
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    skip_unneeded_slow_imports()
    protocol = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # stray prints (ours, papermill's) go to the log, not the protocol
    sys.stdout = sys.stderr
    try:
        import nbconvert  # noqa: F401  (import once, before the first job)
        import papermill  # noqa: F401

        for line in sys.stdin:
            spec = json.loads(line)
            job = _job_from_json(spec["job"])
            try:
                result = render_job(job, spec["out_dir"], timeout_s=spec.get("timeout_s"))
            except KeyboardInterrupt:
                raise
            except Exception as err:  # a bug or broken notebook file: this job fails, the worker goes on
                result = _crashed(job, f"could not render: {_first_error_line(err)}")
            protocol.write(json.dumps(asdict(result)) + "\n")
            protocol.flush()
    except KeyboardInterrupt:
        return 130
    return 0



# --------------------------------------------------------------------------- #
# Status and index                                                             #
# --------------------------------------------------------------------------- #


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
    with _locked(out_dir):
        status = read_status(out_dir)
        for result in results:
            status[result.name] = asdict(result)
        matrix = {job.name for job in listed if job.kind == "matrix"}
        status = {name: r for name, r in status.items() if r.get("kind") != "matrix" or name in matrix}
        atomic_write_text(out_dir / EXECUTED_DIR / STATUS_NAME, json.dumps(status, indent=1))
        index = out_dir / INDEX_NAME
        atomic_write_text(index, index_html(listed, status))
    return index


def _param_list(parameters: Mapping[str, Any]) -> str:
    if not parameters:
        return "<i>defaults</i>"
    return " ".join(
        f'<code class="param" data-param="{html.escape(k)}">{html.escape(k)}={html.escape(_show(v))}</code>'
        for k, v in parameters.items()
    )


def index_html(listed: list[Job], status: Mapping[str, dict]) -> str:
    """The index page: one row per report (matrix order, then one-off runs)."""
    esc = html.escape
    rows = []
    names = [job.name for job in listed if job.kind == "matrix" or job.name in status]
    extra = [name for name in status if name not in names]
    by_name = {job.name: job for job in listed}
    for name in names + extra:
        r = status.get(name)
        if r is None:
            job = by_name[name]
            cells = (
                f"<td>{esc(job.title)}</td><td><code>{esc(job.notebook.name)}</code></td>"
                f"<td>{esc(job.dataset or '-')}</td><td>{_param_list(job.parameters)}</td>"
                '<td class="status-none">not rendered yet</td><td></td><td></td>'
            )
            rows.append(f'<tr class="job" data-name="{esc(name)}" data-status="none">{cells}</tr>')
            continue
        if r["status"] == "ok":
            title = f'<a class="report-link" href="{esc(r["html"])}">{esc(r["title"])}</a>'
            state = '<td class="status-ok">ok</td>'
        else:
            title = esc(r["title"])
            links = []
            if r.get("traceback_html"):
                links.append(f'<a class="traceback-link" href="{esc(r["traceback_html"])}">traceback</a>')
            if r.get("executed"):
                links.append(f'<a class="executed-link" href="{esc(r["executed"])}">executed notebook</a>')
            state = (
                f'<td class="status-failed"><b>failed</b>: <span class="error">{esc(r["error"])}</span>'
                f"<br>{' · '.join(links)}</td>"
            )
        when = _utc_text(r["started"])
        kind = "" if r.get("kind") == "matrix" else ' <span class="custom">(one-off run)</span>'
        rows.append(
            f'<tr class="job" data-name="{esc(name)}" data-status="{esc(r["status"])}">'
            f'<td data-title="{esc(r["title"])}">{title}{kind}</td><td><code>{esc(r["notebook"])}</code></td>'
            f"<td>{esc(r.get('dataset') or '-')}</td><td>{_param_list(r['parameters'])}</td>{state}"
            f'<td class="duration">{r["duration_s"]:.1f} s</td><td>{esc(when)}</td></tr>'
        )
    n_ok = sum(1 for r in status.values() if r["status"] == "ok")
    n_failed = sum(1 for r in status.values() if r["status"] != "ok")
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>kamlab reports</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1200px; padding: 0 1em; }}
table {{ border-collapse: collapse; width: 100%; font-size: 93%; }}
th, td {{ border-bottom: 1px solid #d5d8dd; padding: 0.4em 0.6em; text-align: left; vertical-align: top; }}
th {{ background: #f0f2f5; }}
code.param {{ background: #f4f4f4; padding: 0 0.25em; margin-right: 0.3em; white-space: nowrap; }}
.status-ok {{ color: #176b2c; font-weight: 600; }}
.status-failed {{ color: #a00; }}
.status-none {{ color: #777; }}
.custom {{ color: #777; font-size: 85%; }}
</style></head>
<body>
<h1>kamlab reports</h1>
<p id="summary">{n_ok} rendered, {n_failed} failed; kamlab {esc(kamlab.__version__)}; index written {now}.
Parameters not listed are the notebook's defaults; each report's header lists them all.</p>
<table id="reports">
<thead><tr><th>report</th><th>notebook</th><th>dataset</th><th>parameters</th><th>status</th>
<th>duration</th><th>run (UTC)</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table>
</body></html>
"""


if __name__ == "__main__":
    if sys.argv[1:] != ["--serve"]:
        sys.exit("usage: python -m kamlab.reports --serve  (a worker of `kamlab report`; run that instead)")
    sys.exit(_serve())
