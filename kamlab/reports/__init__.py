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

Jobs run in parallel worker processes (``python -m kamlab.reports --serve``),
each starting its own kernel. A failing job keeps its executed notebook (which
holds the traceback) and never stops the others; ``index.html`` lists every job
with its status, and the caller exits non-zero when one failed.

The modules, one concern each (the public names are re-exported here):

- ``errors``: :class:`ReportConfigError`, :class:`ReportParameterError`;
- ``parameters``: a notebook's ``parameters`` cell, parsing and checking values;
- ``jobs``: :class:`Job`, ``reports.yml``, finding notebooks;
- ``files``: atomic writes, the output layout, the status lock;
- ``header``, ``page``, ``formulas``: the report header, the self-contained HTML
  page (content-security policy, no scripts) and formulas as MathML;
- ``render``: rendering one job (:func:`render_job`, :class:`JobResult`);
- ``worker``, ``pool``: worker processes and :func:`run_jobs`;
- ``status``, ``index``, ``clean``: ``executed/status.json`` (a failed run keeps
  the last good report), ``index.html``, and removing what the matrix generated;
- ``loader_options``: the loaders' policies as command-line flags, fixes as flags;
- ``own_data``, ``one_off``: an analyst's file validated in the command's process
  and handed over as a bundle, teaching cells, one-off names and titles;
- ``export_folder``: the CSV exports of an own-data report (``<name>_exports/``)
  and of ``kamlab export``, written atomically in the command's process;
- ``arguments``: the ``kamlab`` argument parser (data and loading options shared
  by ``report`` and ``export``);
- ``handoff``: the capstone's comparison kept in its bundle for the exports.
"""

from __future__ import annotations

import kamlab  # noqa: F401  (reports.kamlab.__version__ is shown in headers)

from .errors import ReportConfigError, ReportParameterError
from .files import EXECUTED_DIR, INDEX_NAME, STATUS_NAME, atomic_write_text
from .export_folder import ExportSummary, exports_dir, write_export_folder
from .handoff import keep_comparison, kept_comparison
from .header import HEADER_CSS, header_html, show_value, utc_text
from .index import index_html
from .jobs import CONFIG_NAME, Job, find_config, find_notebook, load_jobs, project_root
from .own_data import TEACHING_TAG, PreparedData, drop_teaching_cells, prepare_data
from .page import CONTENT_SECURITY_POLICY, notebook_html
from .parameters import (
    DATA_PARAMETERS,
    NotebookParameter,
    check_parameters,
    coerce_parameter,
    describe_parameters,
    notebook_parameters,
    notebook_title,
    parse_assignments,
    parse_parameter,
    read_parameter_file,
)
from .pool import Interrupted, default_parallel, run_jobs
from .render import META_MARK, META_TAG, JobResult, render_job
from .status import read_status, update_index
from .worker import skip_unneeded_slow_imports
from . import clean  # noqa: E402  (kamlab.reports.clean.clean_reports)

__all__ = [
    "CONFIG_NAME", "CONTENT_SECURITY_POLICY", "DATA_PARAMETERS", "ExportSummary", "exports_dir",
    "write_export_folder", "keep_comparison", "kept_comparison", "TEACHING_TAG", "PreparedData",
    "drop_teaching_cells", "prepare_data", "EXECUTED_DIR", "HEADER_CSS", "INDEX_NAME", "META_MARK", "META_TAG",
    "STATUS_NAME", "Interrupted", "Job", "JobResult", "NotebookParameter", "ReportConfigError",
    "ReportParameterError", "atomic_write_text", "check_parameters", "coerce_parameter", "default_parallel",
    "describe_parameters", "find_config", "find_notebook", "header_html", "index_html", "load_jobs",
    "notebook_html", "notebook_parameters", "notebook_title", "parse_assignments", "parse_parameter",
    "project_root", "read_parameter_file", "read_status", "render_job", "run_jobs", "show_value",
    "skip_unneeded_slow_imports", "update_index", "utc_text",
]
