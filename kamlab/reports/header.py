"""The header that opens every report: title, dataset and its validation
summary, every parameter (values set for this run highlighted), kamlab
version, run date and duration."""

from __future__ import annotations

import datetime as dt
import html
import json
import shlex
from typing import Any, Mapping

import kamlab

from .jobs import Job
from .loader_options import flag_form, transaction_options
from .parameters import NotebookParameter


def utc_text(iso: str) -> str:
    """'2024-05-01T10:00:00+00:00' -> '2024-05-01 10:00:00' (in UTC)."""
    moment = dt.datetime.fromisoformat(iso)
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def show_value(value: Any) -> str:
    """A parameter value as Python would write it (strings in double quotes)."""
    return repr(value) if not isinstance(value, str) else json.dumps(value)


esc = html.escape


def _computed_amount(job: Job) -> str | None:
    """How the amount was computed when the run gave --price-col ("'Quantity' × 'Price' (--price-col)"), else None."""
    words = [w for flags in job.data_options for w in shlex.split(flags)]
    given = {flag: words[i + 1] for i, flag in enumerate(words[:-1]) if flag in ("--price-col", "--quantity-col")}
    if "--price-col" not in given:
        return None
    return f"{given.get('--quantity-col', 'quantity')!r} × {given['--price-col']!r} (--price-col)"


def _parameter_rows(job: Job, params: Mapping[str, NotebookParameter]) -> list[str]:
    """One table row per notebook parameter; the values set for this run have class "set".

    ``amount_col`` shows how the amount was computed when the run gave ``--price-col``.
    """
    shown = {name: show_value(value) for name, value in job.shown_parameters.items()}
    computed = _computed_amount(job)
    if computed is not None:
        shown.setdefault("amount_col", computed)
    rows = []
    for p in params.values():
        is_set = p.name in shown
        value = shown.get(p.name, p.source)
        rows.append(
            f'<tr data-param="{esc(p.name)}" class="{"set" if is_set else "default"}">'
            f"<td><code>{esc(p.name)}</code></td><td><code>{esc(value)}</code></td>"
            f"<td><code>{esc(p.source)}</code></td><td>{esc(p.help)}</td></tr>"
        )
    return rows


def _folded(text: str, cls: str) -> str:
    """A report folded under its first line: the notebook usually prints it in full too, so the
    page shows it once, and the header keeps it one click away."""
    first, _, _ = text.partition("\n")
    return (f'<details class="kamlab-report"><summary>{esc(first)}</summary>'
            f'<pre class="{cls}">{esc(text)}</pre></details>')


def _dataset_html(job: Job, meta: Mapping[str, Any]) -> tuple[str, str]:
    """(dataset line, validation block) of the header."""
    if meta.get("name"):
        dataset = f"<b>{esc(meta['name'])}</b>: {esc(meta.get('source', ''))}"
        if meta.get("shape"):
            dataset += f" ({esc(meta['shape'])})"
        report = meta.get("report")
        if report and job.own_data:  # the policies as the flags the analyst types
            report = flag_form(report, transaction_options())
        validation = (
            _folded(report, "kamlab-validation")
            if report
            else "registered dataset, already in the kamlab data contract (no rows changed on loading)"
        )
        if meta.get("accounts_report"):
            validation += _folded(meta["accounts_report"], "kamlab-validation kamlab-accounts")
        return dataset, validation
    dataset = esc(job.dataset) if job.dataset else "none (this notebook reads no transaction data)"
    return dataset, "not available" if job.dataset else "not applicable"


def _data_options_html(job: Job, teaching_removed: int) -> str:
    """The loader settings of an own-data run, and the teaching cells left out."""
    items = [f"<li><code>{esc(flags)}</code>{': ' + esc(note) if note else ''}</li>"
             for flags, note in job.data_options.items()]
    if teaching_removed:
        items.append(f"<li>{teaching_removed} teaching cell{'s' if teaching_removed != 1 else ''} about other "
                     "datasets and exercises left out (your own data)</li>")
    if not items:
        return ""
    return f'<dt>Data options</dt><dd class="kamlab-data-options"><ul>{"".join(items)}</ul></dd>'


def _exports_html(job: Job) -> str:
    """The link to the report's CSV exports (own data), relative to the report's file."""
    if not job.exports:
        return ""
    folder = job.exports.rsplit("/", 1)[0]
    return (f'<dt>Exports</dt><dd class="kamlab-exports"><a class="exports-link" href="{esc(job.exports)}">'
            f"CSV files for the account team</a> in <code>{esc(folder)}/</code> (accounts, key accounts of each "
            "definition, win-back and at-risk lists, the comparison; README.txt names every column)</dd>")


def header_html(
    job: Job,
    params: Mapping[str, NotebookParameter],
    meta: Mapping[str, Any],
    *,
    started: str,
    duration_s: float,
    status: str,
    error: str = "",
    teaching_removed: int = 0,
) -> str:
    """The block that opens every report: title, dataset and its validation
    summary, every parameter (values set for this run highlighted), kamlab
    version, run date and duration."""
    rows = _parameter_rows(job, params)
    dataset, validation = _dataset_html(job, meta)
    failed = (
        f'<p class="kamlab-failed">This run FAILED: {esc(error)}. The traceback is below.</p>'
        if status != "ok"
        else ""
    )
    when = utc_text(started) + " UTC"
    return f"""
<section id="kamlab-header" class="kamlab-header" data-status="{esc(status)}">
<h1 class="kamlab-title">{esc(job.title)}</h1>
{failed}
<dl class="kamlab-meta">
<dt>Notebook</dt><dd class="kamlab-notebook"><code>{esc(job.notebook.name)}</code></dd>
<dt>Dataset</dt><dd class="kamlab-dataset">{dataset}</dd>
<dt>Validation</dt><dd>{validation}</dd>
{_data_options_html(job, teaching_removed)}
{_exports_html(job)}
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


HEADER_CSS = """
<style>
.kamlab-header { font-family: system-ui, sans-serif; max-width: 1100px; margin: 1em 0 2em;
  padding: 1em 1.5em; border: 1px solid #c8ccd2; border-radius: 6px; background: #f7f8fa;
  box-sizing: border-box; overflow-wrap: break-word; }
.kamlab-header h1 { margin-top: 0.2em; }
.kamlab-meta { display: grid; grid-template-columns: 8em 1fr; gap: 0.3em 1em; }
.kamlab-meta dt { font-weight: 600; }
.kamlab-meta dd { margin: 0; min-width: 0; }
.kamlab-meta dd ul { margin: 0; padding-left: 1.2em; }
.kamlab-validation { margin: 0.3em 0 0; white-space: pre-wrap; font-size: 90%; }
.kamlab-report summary { cursor: pointer; }
.kamlab-params { border-collapse: collapse; margin-top: 1em; font-size: 92%; max-width: 100%; }
.kamlab-params code { white-space: pre-wrap; overflow-wrap: break-word; }
.kamlab-params td:nth-child(2) code { overflow-wrap: anywhere; }  /* long paths: break anywhere */
.kamlab-params caption { text-align: left; font-weight: 600; padding-bottom: 0.3em; }
.kamlab-params th, .kamlab-params td { border: 1px solid #d5d8dd; padding: 0.2em 0.6em; text-align: left; }
.kamlab-params tr.set td { background: #fff3c4; }
.kamlab-failed { color: #a00; font-weight: 600; }
</style>
"""
