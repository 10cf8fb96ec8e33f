"""Bundled sample datasets, by name, in the kamlab data contract.

``load(name)`` returns a :class:`Dataset`; ``resolve(name_or_path, ...)`` does the
same for a registered name and loads an analyst's own file otherwise, so a
notebook parameter ``dataset`` can be either. Provenance, sizes and columns of
every dataset are documented in ``datasets/README.md``.

CDNOW (Fader & Hardie's CD retailer data) and the donations summary of Fader,
Hardie & Shang (2010) are read from the copies shipped inside the ``lifetimes``
package; the synthetic worlds are read from ``datasets/`` in this repository.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

import pandas as pd

#: Folder holding the committed synthetic datasets (``make datasets`` writes it).
DATASETS_DIR = Path(__file__).resolve().parents[1] / "datasets"

# CDNOW: the 39-week calibration window of Fader, Hardie & Lee (2005) runs from
# 1997-01-01 to 1997-09-30; the holdout window from 1997-10-01 to 1998-06-30.
CDNOW_CALIBRATION_END = pd.Timestamp("1997-09-30")
CDNOW_OBSERVATION_END = pd.Timestamp("1998-06-30")


@dataclass(frozen=True)
class Dataset:
    """One dataset in the kamlab contract (see DESIGN, "The data contract").

    Attributes
    ----------
    name : str
        Registered name, or the file stem for an analyst's own file.
    transactions : DataFrame or None
        ``customer_id`` (str), ``date`` (datetime64), ``amount`` (currency units),
        optionally ``cost`` and ``quantity``. None for summary-only data.
    accounts : DataFrame or None
        One row per account, indexed by ``customer_id``.
    truth : DataFrame or None
        Ground truth per account (synthetic worlds only).
    summary : DataFrame or None
        A ready-made per-account summary, for data published only that way.
    calibration_end, observation_end : Timestamp or None
        Last day the definitions may see, and last day of data (inclusive).
    source : str
        One line of provenance.
    report : object or None
        The validation report of ``kamlab.data.load_transactions``, if it ran.
    extra : dict
        Further named frames (e.g. the game world's session events).
    pilot_days : int or None
        Length in days of the randomised key-account pilot that ends at the
        calibration end (the ``kam_pilot`` flag of the accounts), when the
        data document one: the synthetic worlds read it from their params.
    own_data : bool
        True for an analyst's own file (not a registered dataset): notebooks
        and reports leave out the teaching sections about other datasets.
    accounts_report : object or None
        The report of ``kamlab.data.load_accounts`` (column matches, ids
        reconciled with the transactions), when an accounts file was given.
    calhold : DataFrame or None
        A per-account calibration/holdout summary computed where the data
        live (DuckDB, Spark, or a summary file), for data too large to bring
        here as transactions: the columns of :func:`kamlab.rfm.calibration_holdout`
        (weeks), indexed by ``customer_id``, split at ``calibration_end`` and
        ending at ``observation_end``. None: computed from ``transactions``.
    next_summary : DataFrame or None
        With ``calhold``: the summary of the window moved forward by the
        holdout length (the columns of :func:`kamlab.rfm.summarise_rfm`), for
        the turnover of the key sets; None leaves the turnover out.
    first_date : Timestamp or None
        With ``calhold``: the first purchase date of the data.
    """

    name: str
    transactions: pd.DataFrame | None = None
    accounts: pd.DataFrame | None = None
    truth: pd.DataFrame | None = None
    summary: pd.DataFrame | None = None
    calibration_end: pd.Timestamp | None = None
    observation_end: pd.Timestamp | None = None
    source: str = ""
    report: Any = None
    extra: dict[str, pd.DataFrame] = field(default_factory=dict)
    pilot_days: int | None = None
    own_data: bool = False
    accounts_report: Any = None
    calhold: pd.DataFrame | None = None
    next_summary: pd.DataFrame | None = None
    first_date: pd.Timestamp | None = None


def _lifetimes_file(filename: str) -> Path:
    import lifetimes.datasets

    return Path(lifetimes.datasets.__file__).resolve().parent / filename


def _cdnow(name: str, raw: pd.DataFrame | Path, source_name: str, source: str) -> Dataset:
    """CDNOW transactions through the validating loader, with the paper's windows."""
    from kamlab.data import load_transactions

    # Some rows repeat another row exactly (255 in the master file); with no order
    # id they are kept, as in the published analyses. See datasets/README.md.
    tx, report = load_transactions(
        raw,
        amount_col="dollar_value",
        quantity_col="number_of_cds",
        duplicates="keep",
        source_name=source_name,
    )
    return Dataset(
        name=name,
        transactions=tx,
        report=report,
        calibration_end=CDNOW_CALIBRATION_END,
        observation_end=CDNOW_OBSERVATION_END,
        source=source,
    )


def _cdnow_master() -> Dataset:
    return _cdnow(
        "cdnow",
        _lifetimes_file("CDNOW_master.txt"),
        "CDNOW_master.txt",
        "CDNOW master file (Fader & Hardie), as shipped in the lifetimes package: "
        "all purchases 1997-01 to 1998-06 of the 23,570 customers who first bought in Q1 1997",
    )


def _cdnow_sample() -> Dataset:
    raw = pd.read_csv(  # no header in this file
        _lifetimes_file("CDNOW_sample.txt"),
        sep=r"\s+",
        header=None,
        names=["master_id", "customer_id", "date", "number_of_cds", "dollar_value"],
        dtype={"master_id": str, "customer_id": str, "date": str},
    )
    return _cdnow(
        "cdnow_sample",
        raw.drop(columns="master_id"),
        "CDNOW_sample.txt",
        "CDNOW 1/10 sample (2,357 customers) used by Fader, Hardie & Lee (2005), "
        "as shipped in the lifetimes package",
    )


def _cdnow_summary() -> Dataset:
    raw = pd.read_csv(_lifetimes_file("cdnow_customers_summary.csv"), dtype={"ID": str})
    summary = raw.rename(columns={"ID": "customer_id"}).set_index("customer_id")
    return Dataset(
        name="cdnow_summary",
        summary=summary[["frequency", "recency", "T"]],
        calibration_end=CDNOW_CALIBRATION_END,
        source="Published calibration summary of the 2,357-customer CDNOW sample "
        "(frequency, recency, T in weeks; Fader, Hardie & Lee 2005)",
    )


def _donations() -> Dataset:
    summary = pd.read_csv(_lifetimes_file("donations.csv"))
    return Dataset(
        name="donations",
        summary=summary,
        source="Donation histories 1995-2001 of 11,104 first-time supporters of a US "
        "non-profit, as (frequency, recency, periods, weights) patterns "
        "(Fader, Hardie & Shang 2010), shipped in the lifetimes package",
    )


def _synthetic(name: str) -> Dataset:
    from kamlab.synth.io import read_world  # the committed CSVs of `make datasets`

    world = read_world(name, DATASETS_DIR)
    return Dataset(
        name=name,
        transactions=world.transactions,
        accounts=world.accounts,
        truth=world.truth,
        calibration_end=world.calibration_end,
        observation_end=world.observation_end,
        source=f"synthetic {name} world of kamlab.synth (seed {world.params['seed']}, default knobs), "
        "with ground truth; regenerate with `make datasets`",
        extra={} if world.events is None else {"events": world.events},
        pilot_days=int(world.params["pilot_days"]) if "pilot_days" in world.params else None,
    )


#: name -> loader. Add new datasets here and document them in datasets/README.md.
_REGISTRY: dict[str, Callable[[], Dataset]] = {
    "cdnow": _cdnow_master,
    "cdnow_sample": _cdnow_sample,
    "cdnow_summary": _cdnow_summary,
    "donations": _donations,
    "b2b": functools.partial(_synthetic, "b2b"),
    "game": functools.partial(_synthetic, "game"),
}


def names() -> list[str]:
    """Names of the registered datasets, sorted."""
    return sorted(_REGISTRY)


@functools.lru_cache(maxsize=None)
def _load_cached(name: str) -> Dataset:
    return _REGISTRY[name]()


def load(name: str) -> Dataset:
    """Load a registered dataset by name.

    Parameters
    ----------
    name : str
        One of :func:`names` (e.g. ``"cdnow"``, ``"donations"``).

    Returns
    -------
    Dataset
        A fresh copy: callers may modify its frames freely.
    """
    if name not in _REGISTRY:
        raise KeyError(f"unknown dataset {name!r}; registered datasets: {', '.join(names())}")
    return copy.deepcopy(_load_cached(name))


def write_bundle(ds: Dataset, directory: str | Path) -> Path:
    """Write a validated dataset to ``directory`` as a bundle that :func:`resolve` reads back.

    The bundle holds each frame of the dataset (transactions, accounts, truth,
    summary, calhold, next_summary, ``extra``) as parquet, and ``dataset.json``
    with its other values (:func:`kamlab.data.bundle.bundle_parts`).
    ``resolve(directory)`` returns an equal Dataset without parsing the
    original export again: the CLI validates a file in its own process and
    hands the notebooks the bundle.

    Returns
    -------
    Path
        The directory (created if needed).
    """
    from kamlab.data.bundle import bundle_parts, write_frames

    return write_frames(directory, *bundle_parts(ds))


def read_bundle(directory: str | Path) -> Dataset:
    """The Dataset that :func:`write_bundle` wrote to ``directory``."""
    from kamlab.data.bundle import dataset_fields

    return Dataset(**dataset_fields(directory))


def resolve(
    dataset: str | Path,
    *,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str = "amount",
    cost_col: str | None = None,
    accounts: str | Path | pd.DataFrame | None = None,
    account_columns: dict[str, str] | None = None,
    account_id_col: str | None = None,
    account_options: dict[str, Any] | None = None,
    **load_options: Any,
) -> Dataset:
    """A registered dataset by name, a bundle directory, a per-account summary, or an analyst's own file.

    - A registered name returns :func:`load` (the column map must then be left
      at its defaults).
    - A directory written by :func:`write_bundle` returns that Dataset as it was
      written (already validated: column maps, accounts and load options were
      applied when it was written, and are not applied again).
    - A per-account summary file (CSV/parquet with ``frequency_cal``, ...,
      computed where the data live) returns a Dataset with ``calhold``, no
      transactions (:func:`kamlab.data.bundle.read_summary_file`: windows from
      its metadata or ``calibration_end=``, ``observation_end=``, ``first_date=``).
    - Anything else is the path of a CSV or parquet file, read with
      :func:`kamlab.data.load_transactions` (``load_options`` are its keyword
      policies, e.g. ``returns="net"``, ``bad_rows="drop"``), which validates
      it. The windows come from the bulk of the dates
      (:func:`kamlab.data.date_bulk`, never from one stray row):
      ``observation_end`` = the last day inside the bulk, ``calibration_end``
      = the day halfway between the first and last days inside it (notebooks
      let the analyst override the split). Rows outside both windows (after
      the observation end) and rows flagged as outlying dates are counted in a
      note of the validation report.

    ``accounts`` (a CSV, parquet or Excel file, or a DataFrame; one row per
    account) is read with :func:`kamlab.data.load_accounts`: its id column
    ``account_id_col`` (default: the column named like an id) and
    ``account_columns`` (contract name -> column in the file, e.g.
    ``{"staff_hours": "Hours logged"}``; other attributes matched by name);
    its ids are reconciled with the transactions' (a note of the validation
    report, and ``Dataset.accounts_report``). ``account_options`` are the
    accounts file's own reading options (``sheet``, ``encoding``,
    ``delimiter``, ``decimal``, ``dayfirst``, ``date_format``,
    ``missing_ids`` of :func:`kamlab.data.load_accounts`); ``missing_ids``,
    ``dayfirst`` and ``date_format`` default to the transactions' own.
    """
    name = str(dataset)
    from kamlab.data.bundle import is_bundle, is_summary_file  # data sits below datasets in the flow

    if name in _REGISTRY:
        mapped = (customer_col, date_col, amount_col, cost_col) != ("customer_id", "date", "amount", None)
        if mapped:
            raise ValueError(
                f"{name!r} is a registered dataset in the kamlab contract already; "
                "column mappings (customer_col=..., date_col=...) apply only to your own files"
            )
        return load(name)
    if is_bundle(dataset):
        return read_bundle(dataset)
    path = Path(dataset)
    if not path.exists():
        raise FileNotFoundError(
            f"dataset {name!r} is neither a registered dataset ({', '.join(names())}) "
            "nor an existing file or bundle directory"
        )
    if path.is_dir():
        raise FileNotFoundError(
            f"dataset {name!r} is a directory but not a kamlab bundle (it has no dataset.json); "
            "pass a CSV or parquet file, or a directory written by kamlab.datasets.write_bundle"
        )
    if is_summary_file(path):
        return _summary_file(path, customer_col, load_options, accounts, account_columns, account_id_col,
                             account_options)
    return _own_file(path, dict(customer_col=customer_col, date_col=date_col, amount_col=amount_col,
                                cost_col=cost_col, **load_options),
                     accounts, account_columns, account_id_col, account_options)


def _own_file(path: Path, options: dict[str, Any], accounts, account_columns, account_id_col,
              account_options: dict[str, Any] | None = None) -> Dataset:
    """An analyst's transaction file (and accounts table) as a Dataset, windows from the bulk of the dates."""
    from kamlab.data import default_windows, load_transactions

    loaded = load_transactions(path, **options)
    tx = loaded.transactions
    windows = default_windows(tx)
    notes = loaded.report.notes + windows.notes + _returns_notes(loaded.report)
    table = accounts_report = None
    if accounts is not None:
        table, accounts_report = _accounts(accounts, account_columns, account_id_col, tx, options,
                                           account_options or {})
        notes += (f"accounts from {accounts_report.source}: {accounts_report.reconciliation}",)
    return Dataset(
        name=path.stem,
        transactions=tx,
        accounts=table,
        calibration_end=windows.calibration_end,
        observation_end=windows.observation_end,
        source=f"analyst file {path.name}",
        report=replace(loaded.report, notes=notes),
        accounts_report=accounts_report,
        own_data=True,
    )


def _summary_file(path: Path, customer_col: str, options: dict[str, Any], accounts, account_columns,
                  account_id_col, account_options) -> Dataset:
    """A per-account summary file (and accounts table, ids reconciled with the summary's) as a Dataset."""
    from kamlab.data.bundle import read_summary_file

    fields = read_summary_file(path, customer_col=customer_col, **options)
    if accounts is not None:
        ids = pd.DataFrame({"customer_id": fields["calhold"].index})
        table, report = _accounts(accounts, account_columns, account_id_col, ids, {}, account_options or {})
        notes = fields["report"].notes + (f"accounts from {report.source}: {report.reconciliation}",)
        fields.update(accounts=table, accounts_report=report, report=replace(fields["report"], notes=notes))
    return Dataset(**fields)


def _returns_notes(report) -> tuple[str, ...]:
    """How much revenue the returns policy left out (an analyst's revenue must not be overstated silently)."""
    return tuple(
        f"{-item.amount:,.2f} of returns in {item.rows:,} row{'s' if item.rows != 1 else ''} are not subtracted from revenue (returns='drop'): "
        "revenue and profit are gross of returns; pass returns='net' to net them against the customer's purchases"
        for item in report.items
        if item.action == "dropped" and item.amount is not None and "returns='drop'" in item.reason)


def _accounts(accounts, account_columns, account_id_col, tx: pd.DataFrame, options: dict[str, Any],
              reading: dict[str, Any]):
    """The accounts file or frame through :func:`kamlab.data.load_accounts`, ids reconciled with ``tx``."""
    from kamlab.data import load_accounts

    shared = {k: options[k] for k in ("missing_ids", "dayfirst", "date_format") if options.get(k) is not None}
    shared.update({k: v for k, v in reading.items() if v is not None})
    return load_accounts(accounts, id_col=account_id_col, columns=account_columns,
                         transaction_ids=tx["customer_id"], **shared)
