"""The index page: one row per report (matrix order, then one-off runs), with
title, notebook, dataset, parameters, status, duration and run time."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any, Mapping

import kamlab

from .header import show_value, utc_text
from .jobs import Job

esc = html.escape


def _param_list(parameters: Mapping[str, Any]) -> str:
    if not parameters:
        return "<i>defaults</i>"
    return " ".join(
        f'<code class="param" data-param="{esc(k)}">{esc(k)}={esc(show_value(v))}</code>'
        for k, v in parameters.items()
    )


def _unrendered_row(job: Job) -> str:
    cells = (
        f"<td>{esc(job.title)}</td><td><code>{esc(job.notebook.name)}</code></td>"
        f"<td>{esc(job.dataset or '-')}</td><td>{_param_list(job.parameters)}</td>"
        '<td class="status-none">not rendered yet</td><td></td><td></td>'
    )
    return f'<tr class="job" data-name="{esc(job.name)}" data-status="none">{cells}</tr>'


def _result_row(name: str, r: Mapping[str, Any]) -> str:
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
    when = utc_text(r["started"])
    kind = "" if r.get("kind") == "matrix" else ' <span class="custom">(one-off run)</span>'
    return (
        f'<tr class="job" data-name="{esc(name)}" data-status="{esc(r["status"])}">'
        f'<td data-title="{esc(r["title"])}">{title}{kind}</td><td><code>{esc(r["notebook"])}</code></td>'
        f"<td>{esc(r.get('dataset') or '-')}</td><td>{_param_list(r['parameters'])}</td>{state}"
        f'<td class="duration">{r["duration_s"]:.1f} s</td><td>{esc(when)}</td></tr>'
    )


_PAGE = """<!DOCTYPE html>
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
<p id="summary">{n_ok} rendered, {n_failed} failed; kamlab {version}; index written {now}.
Parameters not listed are the notebook's defaults; each report's header lists them all.</p>
<table id="reports">
<thead><tr><th>report</th><th>notebook</th><th>dataset</th><th>parameters</th><th>status</th>
<th>duration</th><th>run (UTC)</th></tr></thead>
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
    return _PAGE.format(n_ok=n_ok, n_failed=len(status) - n_ok, version=esc(kamlab.__version__), now=now,
                        rows="\n".join(rows))
