"""One-off runs (a notebook on the analyst's file, with new parameters): their names,
titles, and the record of a run refused for its data.

Two one-off runs of the same notebook on the same file with different
parameters get different names and titles: the dataset and every parameter
that differs from the notebook's default are part of both.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path
from typing import Any, Mapping

from .errors import ReportConfigError
from .header import show_value
from .jobs import Job
from .loader_options import account_options, flag_words, transaction_options
from .parameters import DATA_PARAMETERS, NotebookParameter
from .render import JobResult, first_error_line, jsonable

_MAX_NAME = 80


def differing(values: Mapping[str, Any], params: Mapping[str, NotebookParameter]) -> dict[str, Any]:
    """The notebook parameters set to something other than their default (the data map aside)."""
    return {k: v for k, v in values.items()
            if k not in DATA_PARAMETERS and (k not in params or v != params[k].default)}


def data_labels(own: Path | None, values: Mapping[str, Any], params: Mapping[str, NotebookParameter],
                accounts: Any = None) -> tuple[str | None, str | None]:
    """(label for the title, stem for the name) of a run's data: ``orders.csv with crm.xlsx`` and
    ``orders-crm`` for an analyst's files; a registered dataset other than the notebook's own by name."""
    if own is not None:
        if accounts is None:
            return own.name, own.stem
        crm = Path(str(accounts))
        return f"{own.name} with {crm.name}", f"{own.stem}-{crm.stem}"
    dataset = values.get("dataset")
    if "dataset" in params and dataset not in (None, params["dataset"].default):
        return str(dataset), str(dataset)
    return None, None


def one_off_name(notebook: Path, data_label: str | None, changed: Mapping[str, Any],
                 policies: Mapping[str, Any] = {}) -> str:
    """``<notebook stem>-<data file stem>-<changed values>``, a file stem of at most 80 characters."""
    parts = [notebook.stem, Path(data_label).stem if data_label else ""]
    parts += [f"{k}{v}" for k, v in {**changed, **policies}.items()]
    if len([p for p in parts if p]) == 1:
        parts.append("custom")
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", "-".join(p for p in parts if p)).strip("_")
    if len(name) > _MAX_NAME:
        digest = hashlib.sha1(name.encode()).hexdigest()[:8]
        name = name[: _MAX_NAME - 9].rstrip("_-.") + "-" + digest
    return name


def one_off_title(heading: str, data_label: str | None, changed: Mapping[str, Any],
                  policies: Mapping[str, str] = {}) -> str:
    """``<heading> (on <file>; k=50, key_share=0.2; --bad-rows drop)``: the dataset and what differs."""
    parts = [f"on {data_label}"] if data_label else []
    if changed:
        parts.append(", ".join(f"{k}={show_value(v)}" for k, v in changed.items()))
    if policies:
        parts.append(", ".join(policies.values()))
    return heading + (f" ({'; '.join(parts)})" if parts else "")


def own_file(value: Any) -> Path | None:
    """The dataset as a file (absolute: the kernel runs elsewhere), None for a registered name."""
    if not isinstance(value, str):
        return None
    path = Path(value).expanduser()
    if path.exists():
        return path.resolve()
    if path.suffix.lower() in {".csv", ".parquet", ".pq", ".txt", ".gz", ".xlsx", ".xlsm", ".tsv"} or "/" in value:
        raise ReportConfigError(f"--data {value}: no such file (relative paths are read from {Path.cwd()})")
    return None  # a registered dataset name


def parse_account_columns(items: list[str]) -> dict[str, str]:
    """``["staff_hours=Hours logged"]`` (repeated --account-col) -> ``{"staff_hours": "Hours logged"}``."""
    out = {}
    for item in items:
        attribute, sep, column = item.partition("=")
        if not sep or not attribute.strip() or not column:
            raise ReportConfigError(f"--account-col {item!r}: write ATTRIBUTE=COLUMN, e.g. staff_hours='Hours logged'")
        out[attribute.strip()] = column
    return out


def shown_data_options(policies: Mapping[str, Any], accounts: Mapping[str, Any],
                       returns_note: str = "") -> dict[str, str]:
    """The loading settings of an own-data run as the flags that give them -> a note
    (``returns_note`` when the returns policy is the CLI's default for analyst files)."""
    options = transaction_options()
    shown = {flag_words(k, v, options): (returns_note if k == "returns" else "") for k, v in policies.items()}
    for key in ("accounts", "account_id_col"):
        if key in accounts:
            shown[flag_words(key, str(accounts[key]), options)] = ""
    shown.update({flag_words("account_col", f"{k}={v}", options): ""
                  for k, v in (accounts.get("account_columns") or {}).items()})
    reading = account_options()
    shown.update({flag_words(k, v, reading): "" for k, v in (accounts.get("account_options") or {}).items()})
    return shown


def own_data_values(values: dict, accounts: dict, params, own: Path | None) -> tuple[dict, dict]:
    """(values for papermill, values as shown) of an own-data run: the data map and an accounts
    file named as a notebook parameter (-p accounts=...) are read here, not by the kernel."""
    if own is None:
        return values, {}
    if values.get("accounts") is not None:
        if "accounts" in accounts:
            raise ReportConfigError("accounts given both as -p and as --accounts; give it once")
        accounts["accounts"] = values["accounts"]
    data_keys = DATA_PARAMETERS
    shown = {k: values[k] for k in data_keys if k in values}
    shown["dataset"] = str(own)
    if "accounts" in accounts and "accounts" in params:
        shown["accounts"] = str(Path(str(accounts["accounts"])).expanduser().resolve())
    return {k: v for k, v in values.items() if k not in data_keys}, shown


def refused_result(job: Job, message: str) -> JobResult:
    """The record of a run refused before any kernel started (a data error): failed, with the
    whole message, so the index and the status file hold every problem."""
    return JobResult(
        name=job.name, title=job.title, notebook=job.notebook.name, kind=job.kind, dataset=job.dataset,
        parameters=jsonable(job.shown_parameters), status="failed", error=first_error_line(message),
        started=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), duration_s=0.0,
        html=None, executed=None, traceback_html=None, detail=message, data_options=dict(job.data_options),
    )
