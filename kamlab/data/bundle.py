"""A dataset on disk: a bundle directory, or a per-account summary file.

A bundle is a directory holding ``dataset.json`` (the format tag, the named
values of the dataset and the list of frames) and one ``<name>.parquet`` per
frame. It lets a validated load be handed to another process (the CLI hands it
to the notebook kernels) without parsing the original export again. Parquet
keeps the column dtypes and the index (``customer_id``) as they were written.
:func:`bundle_parts` and :func:`dataset_fields` turn a
:class:`kamlab.datasets.Dataset` into a bundle's frames and values and back.

A summary file is one row per account with the columns of
:func:`kamlab.rfm.calibration_holdout` (weekly), computed where the data live
(DuckDB, Spark, a warehouse), for data too large to bring here as
transactions; its windows (calibration end, observation end, first purchase
date) are given as arguments or stored in the parquet file's metadata by
:func:`write_summary_file`. :func:`read_summary_file` checks it and returns
the fields of a Dataset with ``calhold``.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .accounts_file import AccountsReport
from .contract import require_columns
from .errors import DataContractError
from .report import ValidationReport

#: The JSON file that marks a directory as a bundle.
BUNDLE_FILE = "dataset.json"
FORMAT = "kamlab-bundle"
VERSION = 1

_FRAME_NAME = re.compile(r"^[A-Za-z0-9_]+$")


def is_bundle(path: str | Path) -> bool:
    """True when ``path`` is a directory holding a bundle's ``dataset.json``."""
    path = Path(path)
    return path.is_dir() and (path / BUNDLE_FILE).is_file()


def write_frames(directory: str | Path, frames: dict[str, pd.DataFrame], meta: dict[str, Any]) -> Path:
    """Write ``frames`` as ``<name>.parquet`` and ``meta`` (JSON-ready values) as ``dataset.json``.

    The JSON file is written last, so a directory holds a readable bundle only
    once every frame is on disk. Returns the directory.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for name, frame in frames.items():
        if not _FRAME_NAME.match(name):
            raise ValueError(f"frame name {name!r} must be letters, digits and underscores")
        frame.to_parquet(directory / f"{name}.parquet")
    body = {"format": FORMAT, "version": VERSION, "frames": sorted(frames), **meta}
    tmp = directory / (BUNDLE_FILE + ".tmp")
    tmp.write_text(json.dumps(body, indent=2, ensure_ascii=False), encoding="utf-8")
    tmp.replace(directory / BUNDLE_FILE)
    return directory


def read_frames(directory: str | Path) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """The frames and the other values of the bundle in ``directory``."""
    directory = Path(directory)
    path = directory / BUNDLE_FILE
    if not path.is_file():
        raise FileNotFoundError(
            f"{directory} is not a kamlab bundle (no {BUNDLE_FILE}); write one with "
            "kamlab.datasets.write_bundle(dataset, directory)")
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path} cannot be read as a kamlab bundle ({exc}); write it again "
                         "with kamlab.datasets.write_bundle") from None
    if meta.get("format") != FORMAT or meta.get("version") != VERSION:
        raise ValueError(f"{path} is not a kamlab bundle of version {VERSION} (format "
                         f"{meta.get('format')!r}, version {meta.get('version')!r}); write it again "
                         "with kamlab.datasets.write_bundle")
    names = meta.pop("frames")
    meta.pop("format"), meta.pop("version")
    frames = {}
    for name in names:
        if not _FRAME_NAME.match(name):
            raise ValueError(f"{path} names a frame {name!r} that is not a plain name")
        frames[name] = pd.read_parquet(directory / f"{name}.parquet")
    return frames, meta


#: The Dataset's frames a bundle holds (besides its ``extra`` frames, stored as ``extra_<key>``).
FRAMES = ("transactions", "accounts", "truth", "summary", "calhold", "next_summary")
#: The Dataset's dates a bundle holds, as ISO 8601 (None stays None).
DATES = ("calibration_end", "observation_end", "first_date")


def _stamp(value) -> str | None:
    return None if value is None else pd.Timestamp(value).isoformat()


def bundle_parts(ds: Any) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """The frames and the JSON-ready values of a :class:`kamlab.datasets.Dataset`, for :func:`write_frames`."""
    frames = {name: getattr(ds, name) for name in FRAMES if getattr(ds, name) is not None}
    frames.update({f"extra_{key}": frame for key, frame in ds.extra.items()})
    if ds.report is not None and not isinstance(ds.report, ValidationReport):
        raise TypeError(f"the dataset's report is a {type(ds.report).__name__}, not a ValidationReport")
    meta = {
        "name": ds.name, "source": ds.source, "own_data": bool(ds.own_data),
        "pilot_days": None if ds.pilot_days is None else int(ds.pilot_days),
        **{key: _stamp(getattr(ds, key)) for key in DATES},
        "report": None if ds.report is None else ds.report.to_dict(),
        "accounts_report": None if ds.accounts_report is None else ds.accounts_report.to_dict(),
    }
    return frames, meta


def dataset_fields(directory: str | Path) -> dict[str, Any]:
    """The keyword arguments of the :class:`kamlab.datasets.Dataset` that :func:`bundle_parts` wrote.

    A bundle written before a value existed (e.g. ``first_date``) reads it as None.
    """
    frames, meta = read_frames(directory)
    extra = {name[len("extra_"):]: frame for name, frame in frames.items() if name.startswith("extra_")}
    reports = {"report": (meta.get("report"), ValidationReport),
               "accounts_report": (meta.get("accounts_report"), AccountsReport)}
    return {
        "name": meta["name"], "source": meta["source"], "own_data": meta["own_data"],
        "pilot_days": meta["pilot_days"], "extra": extra,
        **{key: None if meta.get(key) is None else pd.Timestamp(meta[key]) for key in DATES},
        **{key: None if value is None else kind.from_dict(value) for key, (value, kind) in reports.items()},
        **{name: frames.get(name) for name in FRAMES},
    }


#: The columns of a per-account summary: :func:`kamlab.rfm.calibration_holdout`'s, in its order.
SUMMARY_COLUMNS = ("frequency_cal", "recency_cal", "T_cal", "monetary_value_cal", "revenue_cal",
                   "frequency_holdout", "monetary_value_holdout", "revenue_holdout", "duration_holdout")
#: With cost data: profit_cal after revenue_cal, profit_holdout after revenue_holdout.
PROFIT_COLUMNS = ("profit_cal", "profit_holdout")
#: The parquet metadata key holding a summary file's windows (JSON).
SUMMARY_KEY = b"kamlab"
_SUMMARY_FORMAT = "kamlab-summary"
_PARQUET = (".parquet", ".pq", ".parq")
_SUMMARY_HINT = ("A summary file has one row per account with the columns of "
                 "kamlab.rfm.calibration_holdout(transactions, calibration_end, observation_end, freq='W'), "
                 "as kamlab.outofcore.summary_dataset_duckdb or kamlab.outofcore.spark.summary_dataset_spark "
                 "compute them; rename your columns to these names.")


def _header(path: Path) -> tuple[list[str], str]:
    """The column names of a parquet or CSV file, and the CSV's delimiter ('' for parquet)."""
    if path.name.lower().endswith(_PARQUET):
        import pyarrow.parquet as pq

        return list(pq.read_schema(path).names), ""
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as handle:
        line = handle.readline()
    delimiter = csv.Sniffer().sniff(line, delimiters=",;\t|").delimiter if line.strip() else ","
    return next(csv.reader([line], delimiter=delimiter), []), delimiter


def is_summary_file(path: str | Path) -> bool:
    """True when ``path`` is a CSV or parquet file whose columns include ``frequency_cal`` and ``frequency_holdout``."""
    path = Path(path)
    if not path.is_file() or not path.name.lower().endswith(_PARQUET + (".csv", ".tsv", ".txt")):
        return False
    try:
        names = set(_header(path)[0])
    except (OSError, ValueError, csv.Error):
        return False
    return {"frequency_cal", "frequency_holdout"} <= names


def write_summary_file(path: str | Path, calhold: pd.DataFrame, *, calibration_end, observation_end,
                       first_date) -> Path:
    """Write a per-account summary as parquet, its windows in the file's metadata (:func:`read_summary_file`)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(calhold)
    windows = {"format": _SUMMARY_FORMAT, "calibration_end": _stamp(calibration_end),
               "observation_end": _stamp(observation_end), "first_date": _stamp(first_date)}
    pq.write_table(table.replace_schema_metadata({**(table.schema.metadata or {}),
                                                  SUMMARY_KEY: json.dumps(windows).encode()}), path)
    return Path(path)


def _stored_windows(path: Path) -> dict[str, Any]:
    """The windows :func:`write_summary_file` stored in a parquet file's metadata (empty for a CSV)."""
    if not path.name.lower().endswith(_PARQUET):
        return {}
    import pyarrow.parquet as pq

    raw = (pq.read_schema(path).metadata or {}).get(SUMMARY_KEY)
    stored = json.loads(raw) if raw else {}
    return {key: stored.get(key) for key in DATES if stored.get(key) is not None}


def _summary_frame(path: Path, customer_col: str) -> pd.DataFrame:
    """The file as a frame indexed by ``customer_id`` (text), columns checked to exist."""
    names, delimiter = _header(path)
    if path.name.lower().endswith(_PARQUET):
        frame = pd.read_parquet(path)
        frame = frame.reset_index() if customer_col not in frame.columns else frame
    else:
        frame = pd.read_csv(path, sep=delimiter, dtype={customer_col: str}, encoding="utf-8-sig")
    what = f"summary file {path.name}"
    require_columns(frame, [customer_col, *SUMMARY_COLUMNS], what=what,
                    hint=_SUMMARY_HINT + " Name the account id column with customer_col=.")
    columns = list(SUMMARY_COLUMNS)
    if any(c in frame.columns for c in PROFIT_COLUMNS):
        require_columns(frame, PROFIT_COLUMNS, what=what, hint="Give both profit columns, or neither.")
        columns.insert(columns.index("frequency_holdout"), "profit_cal")
        columns.insert(columns.index("duration_holdout"), "profit_holdout")
    ids = frame[customer_col].astype(str)
    out = frame[columns].set_axis(pd.Index(ids.to_numpy(), dtype=str, name="customer_id"))
    return out.sort_index()


def _weeks(day: pd.Timestamp) -> int:
    """Monday-to-Sunday week number of a day, as :func:`kamlab.rfm.period_numbers` with ``freq="W"``."""
    return (int((day - pd.Timestamp("1970-01-01")).days) + 3) // 7


def _summary_problems(frame: pd.DataFrame, windows: dict[str, Any]) -> list[str]:
    """Every problem of a summary frame and its windows, each with the fix."""
    problems = []
    for column in frame.columns:
        bad = ~np.isfinite(pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float))
        if bad.any():
            problems.append(f"column {column!r}: {int(bad.sum()):,} values are not finite numbers "
                            f"(accounts {', '.join(map(repr, frame.index[bad][:5]))}); fill or drop them")
    duplicated = frame.index[frame.index.duplicated()].unique()
    if len(duplicated):
        shown = ", ".join(map(repr, duplicated[:5]))
        problems.append(f"{len(duplicated):,} account ids appear more than once ({shown}); "
                        "a summary has one row per account")
    missing = [key for key in DATES if windows.get(key) is None]
    if missing:
        problems.append(f"no {', '.join(missing)}: pass {', '.join(f'{k}=' for k in missing)} (e.g. to "
                        "kamlab.datasets.resolve), or write the file with kamlab.data.bundle.write_summary_file, "
                        "which stores them in its metadata")
        return problems
    first, cal, obs = (pd.Timestamp(windows[key]) for key in ("first_date", "calibration_end", "observation_end"))
    if not first < cal.normalize() < obs.normalize():
        problems.append(f"calibration_end {cal.date()} must fall after the first purchase ({first.date()}) "
                        f"and before the observation end ({obs.date()})")
    weeks = float(_weeks(obs.normalize()) - _weeks(cal.normalize()))
    durations = pd.to_numeric(frame["duration_holdout"], errors="coerce").unique()
    if len(durations) and (len(durations) > 1 or durations[0] != weeks):
        shown = ", ".join(f"{d:g}" for d in sorted(durations)[:3])
        problems.append(f"column 'duration_holdout' is {shown} but the holdout from "
                        f"{cal.date()} to {obs.date()} is {weeks:g} weeks: the windows given are not those the "
                        "summary was computed on (it must be weekly, freq='W')")
    return problems


def read_summary_file(path: str | Path, *, customer_col: str = "customer_id", calibration_end=None,
                      observation_end=None, first_date=None, **policies) -> dict[str, Any]:
    """The fields of a :class:`kamlab.datasets.Dataset` with ``calhold`` from a per-account summary file.

    Parameters
    ----------
    path : str or Path
        CSV or parquet, one row per account: ``customer_col`` and the
        :data:`SUMMARY_COLUMNS` (with :data:`PROFIT_COLUMNS` when the data have cost).
    customer_col : str
        The account id column (or the parquet file's index).
    calibration_end, observation_end, first_date : date-like, optional
        The windows the summary was computed on and the first purchase of the
        data; by default those :func:`write_summary_file` stored in the file.
    **policies
        Loading policies of transaction files (``returns=``, ...): refused,
        since no policy changes a summary.

    Raises
    ------
    ValueError
        For loading policies, naming them.
    kamlab.data.MissingColumnsError
        Naming every missing column, and the fix.
    kamlab.data.DataContractError
        Listing every other problem at once: values that are not numbers,
        repeated ids, missing windows, a ``duration_holdout`` that is not the
        number of weeks between the windows.
    """
    path = Path(path)
    if policies:
        raise ValueError(", ".join(f"{k}=" for k in sorted(policies)) + f": loading policies of transaction files; "
                         f"{path.name} is a per-account summary (the columns of kamlab.rfm.calibration_holdout), "
                         "which no policy changes: drop them")
    frame = _summary_frame(path, customer_col)
    given = {"calibration_end": calibration_end, "observation_end": observation_end, "first_date": first_date}
    windows = {**_stored_windows(path), **{k: v for k, v in given.items() if v is not None}}
    problems = _summary_problems(frame, windows)
    if problems:
        raise DataContractError(f"summary file {path.name}", problems)
    dates = {key: pd.Timestamp(windows[key]) for key in DATES}
    dates["calibration_end"], dates["observation_end"] = (dates[k].normalize() for k in DATES[:2])
    n = len(frame)
    report = ValidationReport(source=path.name, rows_read=n, rows_kept=n, n_customers=n, notes=(
        f"a per-account summary computed elsewhere: calibration to {dates['calibration_end']:%Y-%m-%d}, "
        f"holdout to {dates['observation_end']:%Y-%m-%d}, first purchase {dates['first_date']:%Y-%m-%d}",))
    return {"name": path.stem, "calhold": frame.astype(float), "source": f"per-account summary file {path.name}",
            "report": report, "own_data": True, **dates}
