"""The index page: one row per report (matrix order, then one-off runs), with
title, notebook, dataset, parameters, status, duration and run time."""

from __future__ import annotations

import datetime as dt
import html
import json
from pathlib import PurePath
from typing import Any, Mapping

import kamlab

from .header import show_value, utc_text
from .jobs import Job
from .page import CSP_META

esc = html.escape


def short_value(value: Any) -> str:
    """A parameter value as the index shows it: a file path by its file name."""
    if isinstance(value, str) and ("/" in value or "\\" in value):
        name = PurePath(value.replace("\\", "/")).name
        if name:
            return json.dumps(name)
    return show_value(value)


def _param_list(parameters: Mapping[str, Any]) -> str:
    """Each parameter as ``name=value``; the full value in ``data-value`` and on hover. The
    dataset has its own column."""
    parameters = {k: v for k, v in parameters.items() if k != "dataset"}
    if not parameters:
        return "<i>defaults</i>"
    return " ".join(
        f'<code class="param" data-param="{esc(k)}" data-value="{esc(show_value(v))}" '
        f'title="{esc(k)}={esc(show_value(v))}">{esc(k)}={esc(short_value(v))}</code>'
        for k, v in parameters.items()
    )


def _dataset_cell(dataset: str | None, parameters: Mapping[str, Any]) -> str:
    """The dataset's name; its full path (the ``dataset`` parameter) on hover."""
    full = parameters.get("dataset")
    hover = f' title="{esc(str(full))}"' if isinstance(full, str) and full != dataset else ""
    return f'<td class="dataset"{hover}>{esc(dataset or "-")}</td>'


def _unrendered_row(job: Job) -> str:
    cells = (
        f"<td>{esc(job.title)}</td><td><code>{esc(job.notebook.name)}</code></td>"
        f"{_dataset_cell(job.dataset, job.shown_parameters)}<td>{_param_list(job.shown_parameters)}</td>"
        '<td class="status-none">not rendered yet</td><td></td><td></td>'
    )
    return f'<tr class="job" data-name="{esc(job.name)}" data-status="none">{cells}</tr>'


def _failure_cell(r: Mapping[str, Any]) -> str:
    """Failed: the error, every problem of a data error, the traceback and the last good report."""
    links = []
    if r.get("traceback_html"):
        links.append(f'<a class="traceback-link" href="{esc(r["traceback_html"])}">traceback</a>')
    if r.get("executed"):
        links.append(f'<a class="executed-link" href="{esc(r["executed"])}">executed notebook</a>')
    if r.get("last_good_html"):
        when = f" of {utc_text(r['last_good_started'])} UTC" if r.get("last_good_started") else ""
        links.append(f'<a class="last-good-link" href="{esc(r["last_good_html"])}">last good report{when}, '
                     "kept</a>")
    detail = r.get("detail") or ""
    full = (f'<details class="detail"><summary>the whole message</summary><pre>{esc(detail)}</pre></details>'
            if detail.strip() and detail.strip() != str(r["error"]).strip() else "")
    return (f'<td class="status-failed"><b>failed</b>: <span class="error">{esc(r["error"])}</span>{full}'
            f"<br>{' · '.join(links)}</td>")


def _exports_cell(r: Mapping[str, Any]) -> str:
    """The link to the CSV exports of an own-data report; a failed export says so (the link, if any,
    is the last good folder)."""
    link = (f' · <a class="exports-link" href="{esc(r["exports"])}">CSV exports</a>' if r.get("exports") else "")
    if r.get("exports_error"):
        kept = " (the link is the last good export, kept)" if r.get("exports") else ""
        link += f'<br><span class="exports-failed">exports failed: {esc(r["exports_error"])}{kept}</span>'
    return link


def _result_row(name: str, r: Mapping[str, Any]) -> str:
    if r["status"] == "ok":
        title = f'<a class="report-link" href="{esc(r["html"])}">{esc(r["title"])}</a>'
        state = f'<td class="status-ok">ok{_exports_cell(r)}</td>'
    else:
        title, state = esc(r["title"]), _failure_cell(r)
    when = utc_text(r["started"])
    kind = "" if r.get("kind") == "matrix" else ' <span class="custom">(one-off run)</span>'
    return (
        f'<tr class="job" data-name="{esc(name)}" data-status="{esc(r["status"])}">'
        f'<td class="title" data-title="{esc(r["title"])}">{title}{kind}</td>'
        f'<td><code>{esc(r["notebook"])}</code></td>'
        f"{_dataset_cell(r.get('dataset'), r['parameters'])}<td>{_param_list(r['parameters'])}</td>{state}"
        f'<td class="duration">{r["duration_s"]:.1f} s</td><td>{esc(when)}</td></tr>'
    )


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
{csp}
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>kamlab reports</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1240px; padding: 0 1em;
  box-sizing: border-box; }}
table {{ border-collapse: collapse; width: 100%; font-size: 93%; table-layout: fixed; }}
col.c-title {{ width: 27%; }} col.c-notebook {{ width: 15%; }} col.c-dataset {{ width: 9%; }}
col.c-params {{ width: 20%; }} col.c-status {{ width: 14%; }} col.c-duration {{ width: 6%; }}
col.c-run {{ width: 9%; }}
th, td {{ border-bottom: 1px solid #d5d8dd; padding: 0.4em 0.6em; text-align: left; vertical-align: top;
  overflow-wrap: anywhere; }}
th {{ background: #f0f2f5; overflow-wrap: normal; }}
code {{ overflow-wrap: anywhere; }}
code.param {{ background: #f4f4f4; padding: 0 0.25em; margin-right: 0.3em; display: inline-block;
  max-width: 100%; }}
details.detail pre {{ white-space: pre-wrap; overflow-wrap: anywhere; font-size: 90%; max-height: 24em;
  overflow-y: auto; }}
.status-ok {{ color: #176b2c; font-weight: 600; }}
.status-failed {{ color: #a00; }}
.status-none {{ color: #777; }}
.custom {{ color: #777; font-size: 85%; }}
.exports-failed {{ color: #a00; font-weight: 400; }}
</style></head>
<body>
<h1>kamlab reports</h1>
<p id="summary">{n_ok} rendered, {n_failed} failed; kamlab {version}; index written {now}.
Parameters not listed are the notebook's defaults; each report's header lists them all.</p>
<table id="reports">
<colgroup><col class="c-title"><col class="c-notebook"><col class="c-dataset"><col class="c-params">
<col class="c-status"><col class="c-duration"><col class="c-run"></colgroup>
<thead><tr><th>report</th><th>notebook</th><th>dataset</th><th>parameters</th><th>status</th>
<th>time</th><th>run (UTC)</th></tr></thead>
<tbody>
{rows}
</tbody></table>
</body></html>
"""


def index_html(listed: list[Job], status: Mapping[str, dict]) -> str:
    """The index page: one row per report (matrix order, then one-off runs)."""
    names = [job.name for job in listed if job.kind == "matrix" or job.name in status]
    extra = [name for name in status if name not in names]
    by_name = {job.name: job for job in listed}
    rows = [_result_row(name, status[name]) if name in status else _unrendered_row(by_name[name])
            for name in names + extra]
    n_ok = sum(1 for r in status.values() if r["status"] == "ok")
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return _PAGE.format(csp=CSP_META, n_ok=n_ok, n_failed=len(status) - n_ok, version=esc(kamlab.__version__), now=now,
                        rows="\n".join(rows))
