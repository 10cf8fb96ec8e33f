"""Jobs and ``reports/reports.yml``: which notebook to render with which parameters.

A *job* is one notebook run with one set of parameters, written as
``<name>.html``; ``reports/reports.yml`` lists the default matrix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

import kamlab

from .errors import ReportConfigError, ReportParameterError
from .parameters import check_parameters, notebook_title

#: Name of the job list, inside the reports folder of the project.
CONFIG_NAME = "reports.yml"


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
    shown: dict[str, Any] = field(default_factory=dict)  # values as the user gave them, where they differ
    own_data: bool = False  # an analyst's file: cells tagged `teaching` are left out
    data_options: dict[str, str] = field(default_factory=dict)  # loader settings used, as flags -> note
    exports: str | None = None  # own data: link to the CSV exports folder, relative to the report

    @property
    def shown_parameters(self) -> dict[str, Any]:
        """The parameters as the header and the index show them: the user's file, not its bundle."""
        return {**self.parameters, **self.shown}


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


def _read_job_list(config: Path) -> dict:
    try:
        data = yaml.safe_load(config.read_text()) or {}
    except OSError as err:
        raise ReportConfigError(f"cannot read {config}: {err}") from None
    except yaml.YAMLError as err:
        raise ReportConfigError(f"{config} is not valid YAML: {err}") from None
    if not isinstance(data, dict) or not isinstance(data.get("jobs", []), list):
        raise ReportConfigError(f"{config}: expected a mapping with a 'jobs:' list")
    return data


def _job_from_entry(entry: Any, i: int, *, config: Path, defaults: dict, seen: set[str],
                    problems: list[str], check: bool) -> Job | None:
    """One entry of the job list as a Job; its problems are appended to ``problems``."""
    where = f"job {i}"
    if not isinstance(entry, dict):
        problems.append(f"{where}: expected a mapping with name and notebook")
        return None
    where = f"job {i} ({entry.get('name', 'no name')})"
    extra = set(entry) - _JOB_KEYS
    if extra:
        problems.append(f"{where}: unknown keys {sorted(extra)}; allowed: {sorted(_JOB_KEYS)}")
    name, spec = entry.get("name"), entry.get("notebook")
    if not isinstance(name, str) or not _NAME_OK.match(name):
        problems.append(f"{where}: 'name' must be a file stem of letters, digits, '_', '-', '.'")
        return None
    if name in seen:
        problems.append(f"{where}: name {name!r} is used twice")
    seen.add(name)
    if not spec:
        problems.append(f"{where}: 'notebook' is missing")
        return None
    try:
        notebook = find_notebook(spec, project_root(config))
    except ReportConfigError as err:
        problems.append(f"{where}: {err}")
        return None
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
            return None
    return Job(
        name=name,
        notebook=notebook,
        title=str(entry.get("title") or notebook_title(notebook)),
        parameters=values,
        dataset=None if values.get("dataset") is None else str(values["dataset"]),
        hide_input=bool(entry.get("hide_input", defaults.get("hide_input", True))),
    )


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
    data = _read_job_list(config)
    defaults = data.get("defaults") or {}
    jobs, problems, seen = [], [], set()
    for i, entry in enumerate(data.get("jobs") or [], start=1):
        job = _job_from_entry(entry, i, config=config, defaults=defaults, seen=seen, problems=problems,
                              check=check)
        if job is not None:
            jobs.append(job)
    if problems:
        raise ReportConfigError(f"{config} has {len(problems)} problem(s):\n  - " + "\n  - ".join(problems))
    return jobs
