"""The CSV exports of an own-data report (and of ``kamlab export``), written in the command's process.

After an own-data report rendered, the command reads the validated bundle
back (:func:`kamlab.datasets.resolve`), runs :func:`kamlab.compare.run_comparison`
with the report's parameters where the notebook has them (:func:`comparison_options`)
and writes :func:`kamlab.exports.write_exports` into ``<out>/<name>_exports/``.
The folder is written whole into a temporary folder and renamed into place, so
a failed export never removes the last good folder.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from kamlab.data.bundle import is_bundle

from .handoff import kept_comparison
from .own_data import _replace_dir

#: ``<name>`` + this suffix: the folder of a report's CSV exports, beside its HTML.
EXPORTS_SUFFIX = "_exports"
#: The file of the folder the report and the index link to.
EXPORTS_ENTRY = "README.txt"


def exports_dir(out_dir: str | Path, name: str) -> Path:
    """Where the exports of job ``name`` live: ``<out>/<name>_exports``."""
    return Path(out_dir) / f"{name}{EXPORTS_SUFFIX}"


def exports_link(name: str) -> str:
    """The link to a report's exports, relative to its HTML file and to the index (same folder)."""
    return f"{name}{EXPORTS_SUFFIX}/{EXPORTS_ENTRY}"


@dataclass(frozen=True)
class ExportSummary:
    """What an export wrote, and the numbers an analyst checks it against."""

    directory: Path
    files: tuple[Path, ...]
    accounts: int  # accounts in accounts.csv (bought in the calibration window)
    rows_kept: int  # transaction rows kept by validation
    revenue: float  # kept revenue, all dates, currency units
    calibration_revenue: float  # kept revenue of the calibration window (accounts.csv adds up to it)
    calibration_end: Any  # pandas Timestamp


def replaceable(target: str | Path) -> bool:
    """True when ``target`` may be replaced by an export: absent, empty, or an earlier export
    (its README.txt opens with "kamlab exports for"); never a folder of other files."""
    target = Path(target)
    if not target.exists():
        return True
    if not target.is_dir():
        return False
    readme = target / EXPORTS_ENTRY
    if not any(target.iterdir()):
        return True
    try:
        return readme.is_file() and readme.read_text(encoding="utf-8").startswith("kamlab exports for")
    except (OSError, UnicodeDecodeError):
        return False


def comparison_options(parameters: Mapping[str, Any]) -> dict[str, Any]:
    """Keyword arguments of :func:`kamlab.compare.run_comparison` from a report's parameters.

    ``k`` (0 = not set), ``key_share``/``share``, ``n_bootstrap``, ``seed``,
    ``confidence``/``level``, ``programme_cost``, ``calibration_end`` ("" = the
    dataset's) and ``pilot_days`` (0 = the dataset's) are taken where given;
    run_comparison's defaults otherwise.
    """
    p = dict(parameters)
    options: dict[str, Any] = {}
    if p.get("k"):
        options["k"] = int(p["k"])
    elif p.get("key_share", p.get("share")) is not None:
        options["share"] = float(p.get("key_share", p.get("share")))
    for name, key in (("n_bootstrap", "n_bootstrap"), ("seed", "seed"), ("programme_cost", "programme_cost")):
        if p.get(name) is not None:
            options[key] = p[name]
    level = p.get("confidence", p.get("level"))
    if level is not None:
        options["level"] = float(level)
    if p.get("calibration_end"):
        options["calibration_end"] = p["calibration_end"]
    if p.get("pilot_days"):
        options["pilot_days"] = int(p["pilot_days"])
    return options


def report_parameters(job) -> dict[str, Any]:
    """The values the report ran with: the notebook's defaults, then the job's own."""
    from .parameters import notebook_parameters

    defaults = {p.name: p.default for p in notebook_parameters(job.notebook).values() if p.type_name != "expr"}
    return {**defaults, **job.parameters}


def _summary(dataset, comparison, directory: Path, files: list[Path]) -> ExportSummary:
    from kamlab import rfm

    tx = dataset.transactions
    cal = comparison.windows.calibration_end
    report = dataset.report
    if tx is None:  # per-account summaries: the revenue the summary holds (the report's, when there is one)
        summary = comparison.windows.calhold
        revenue = report.revenue_kept if report is not None and report.revenue_kept is not None else \
            float(summary["revenue_cal"].sum() + summary["revenue_holdout"].sum())
        return ExportSummary(directory=directory, files=tuple(directory / f.name for f in files),
                             accounts=len(comparison.accounts), rows_kept=report.rows_kept if report else 0,
                             revenue=float(revenue), calibration_revenue=float(summary["revenue_cal"].sum()),
                             calibration_end=cal)
    in_window = tx["date"] < rfm.day_after(cal)
    return ExportSummary(directory=directory, files=tuple(directory / f.name for f in files),
                         accounts=len(comparison.accounts),
                         rows_kept=report.rows_kept if report is not None else len(tx),
                         revenue=float(tx["amount"].sum()),
                         calibration_revenue=float(tx.loc[in_window, "amount"].sum()), calibration_end=cal)


def write_export_folder(dataset, target: str | Path, parameters: Mapping[str, Any] | None = None, *,
                        comparison=None) -> ExportSummary:
    """Run the comparison on ``dataset`` (a Dataset or a bundle directory) and write its exports to ``target``.

    ``comparison``: the report's own :func:`kamlab.compare.run_comparison` result
    (:func:`kamlab.reports.handoff.kept_comparison`), used instead of running it again.

    The win-back and at-risk lists use the report's ``inactivity_days`` when it has one (the
    exports' default otherwise). Written into a temporary folder beside ``target`` and renamed into place:
    on any error the previous ``target`` stays as it was, and the error is raised.
    """
    from kamlab import compare, datasets, exports

    ds = datasets.resolve(str(dataset)) if isinstance(dataset, (str, Path)) else dataset
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    if comparison is None:
        comparison = compare.run_comparison(ds, **comparison_options(parameters or {}))
    inactivity = (parameters or {}).get("inactivity_days")
    work = Path(tempfile.mkdtemp(prefix=f".tmp-{target.name}-", dir=target.parent))
    try:
        files = exports.write_exports(comparison, ds, work, **({"inactivity": inactivity} if inactivity else {}))
        _replace_dir(work, target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return _summary(ds, comparison, target, files)


def summary_lines(summary: ExportSummary) -> list[str]:
    """The files written and the key numbers, as the command prints them."""
    lines = [f"exports written to {summary.directory}:"]
    lines += [f"  {path.name}" for path in summary.files]
    lines.append(f"accounts {summary.accounts:,} (bought by {summary.calibration_end:%Y-%m-%d}); "
                 f"rows kept {summary.rows_kept:,}; revenue {summary.revenue:,.2f} "
                 f"({summary.calibration_revenue:,.2f} in the calibration window, the total of accounts.csv)")
    return lines


def _unlink_header(page: Path) -> None:
    """Replace the exports link of a report's header (no folder was written) by a note."""
    import re

    from .files import atomic_write_text

    text = page.read_text(encoding="utf-8")
    note = ('<dt>Exports</dt><dd class="kamlab-exports">not written: the export failed (the index says why)</dd>')
    new = re.sub(r'<dt>Exports</dt><dd class="kamlab-exports">.*?</dd>', note, text, count=1, flags=re.S)
    if new != text:
        atomic_write_text(page, new)


def export_after_render(results: list, jobs: list, out_dir: str | Path) -> list:
    """The results of the own-data jobs that rendered, with their exports written (or the failure).

    For each such job its bundle (``job.parameters["dataset"]``) is exported to
    ``<out>/<name>_exports`` with the job's parameters, from the comparison the
    report computed when its notebook kept one (:mod:`kamlab.reports.handoff`,
    the capstone), else from a comparison run here. A failed export keeps the
    previous folder: the result links it (when there is one) and carries
    ``exports_error``; the HTML report stays.
    """
    from dataclasses import replace

    from .render import first_error_line

    by_name = {job.name: job for job in jobs}
    updated = []
    for result in results:
        job = by_name.get(result.name)
        if job is None or not job.own_data or result.status != "ok":
            updated.append(result)
            continue
        target = exports_dir(out_dir, job.name)
        try:
            if not replaceable(target):
                raise FileExistsError(f"{target.name} holds files kamlab did not write; left as it is")
            bundle = job.parameters["dataset"]
            write_export_folder(bundle, target, report_parameters(job),
                                comparison=kept_comparison(bundle) if is_bundle(bundle) else None)
            updated.append(replace(result, exports=exports_link(job.name), exports_error=""))
        except Exception as err:  # any failure of the export: reported on this job, the HTML stays
            kept = exports_link(job.name) if (target / EXPORTS_ENTRY).is_file() else None
            if kept is None and result.html:  # no folder to link: the report's header says so instead
                _unlink_header(Path(out_dir) / result.html)
            updated.append(replace(result, exports=kept,
                                   exports_error=first_error_line(f"{type(err).__name__}: {err}")))
    return updated
