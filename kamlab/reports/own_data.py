"""An analyst's own data, validated in the command's process before any kernel starts.

``kamlab report NB --data my.csv ...`` reads and validates the file (and an
accounts file) here, with :func:`kamlab.datasets.resolve`; a data error is
raised before a kernel is started, so the command can print every problem and
exit within seconds. The validated dataset is written as a bundle
(:func:`kamlab.datasets.write_bundle`) that the notebook receives as its
``dataset`` parameter, so kernels never parse the export again.

Cells tagged ``teaching`` (sections about other datasets, exercises) are left
out of an own-data report before it runs (:func:`drop_teaching_cells`).
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from .errors import ReportConfigError
from .files import EXECUTED_DIR

#: Cell tag of sections that teach with other datasets, and of exercises.
TEACHING_TAG = "teaching"
#: The returns policy for an analyst's file when none is given: credit notes are
#: netted against the customer's revenue, so revenue is not overstated.
OWN_DATA_RETURNS = "net"


@dataclass(frozen=True)
class PreparedData:
    """A validated analyst file, ready to hand to a notebook."""

    bundle: Path  # the directory the notebook receives as `dataset`
    label: str  # the user's file name, for titles and the index
    path: str  # the user's file, absolute
    own_data: bool  # the Dataset's own_data flag (True for an analyst's file)
    report: str  # the validation report, as text


def bundle_dir(out_dir: str | Path, name: str) -> Path:
    """Where the bundle of job ``name`` lives: ``<out>/executed/<name>.bundle`` (generated, git-ignored)."""
    return Path(out_dir) / EXECUTED_DIR / f"{name}.bundle"


def _replace_dir(new: Path, target: Path) -> None:
    """Put directory ``new`` at ``target``, removing an older one only once the new one is complete."""
    old = None
    if target.exists():
        old = target.with_name(f".tmp-old-{target.name}-{new.name}")
        target.rename(old)
    new.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def load_own_data(path: str | Path, *, columns: Mapping[str, Any], load_options: Mapping[str, Any],
                  accounts: Mapping[str, Any], engine: str = "pandas"):
    """The analyst's file (and accounts file) read and validated here, as a ``kamlab.datasets.Dataset``
    (arguments as :func:`prepare_data`); raises ``kamlab.data.DataContractError`` with every problem."""
    from kamlab import datasets

    if engine == "duckdb":  # out of core: per-account summaries, no transactions (kamlab.reports.engine)
        from .engine import summary_dataset

        return summary_dataset(path, columns=columns, accounts=accounts)

    return datasets.resolve(str(path), **{k: v for k, v in columns.items() if v is not None},
                            **{k: v for k, v in accounts.items() if v is not None}, **load_options)


def prepare_data(
    path: str | Path,
    *,
    columns: Mapping[str, Any],
    load_options: Mapping[str, Any],
    accounts: Mapping[str, Any],
    out_dir: str | Path,
    name: str,
    engine: str = "pandas",
) -> PreparedData:
    """Validate an analyst's file in this process and write its bundle.

    Parameters
    ----------
    path : path
        The transactions file.
    columns : mapping
        ``customer_col``, ``date_col``, ``amount_col``, ``cost_col`` as given.
    load_options : mapping
        Keyword policies of :func:`kamlab.data.load_transactions`.
    accounts : mapping
        ``accounts``, ``account_id_col``, ``account_columns`` and
        ``account_options`` (the accounts file's reading options: ``sheet``,
        ``decimal``, ...) when given (passed to :func:`kamlab.datasets.resolve`
        only then).
    out_dir, name : the output folder and the job name (the bundle's place).
    engine : {"pandas", "duckdb"}
        The validating loader, or DuckDB's per-account summaries of a file
        larger than memory (:mod:`kamlab.reports.engine`).

    Raises
    ------
    kamlab.data.DataContractError
        Every problem of the file, before anything is written.
    """
    from kamlab import datasets

    ds = load_own_data(path, columns=columns, load_options=load_options, accounts=accounts, engine=engine)
    target = bundle_dir(out_dir, name)
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".tmp-{name}.bundle-", dir=target.parent))
    try:
        datasets.write_bundle(ds, work)
        _replace_dir(work, target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    prepared = PreparedData(bundle=target, label=Path(path).name, path=str(Path(path).resolve()),
                            own_data=bool(getattr(ds, "own_data", True)),
                            report="" if ds.report is None else str(ds.report))
    del ds
    give_back_memory()
    return prepared


def give_back_memory() -> None:
    """Return the memory freed after loading to the system, so the kernel that runs next has it.

    The command holds no data while its report renders, but the allocators
    keep the freed pages of a large file for reuse: pyarrow's memory pool
    releases them on request, and glibc's ``malloc_trim`` returns the heap's
    free pages (Linux; elsewhere nothing is done).
    """
    import ctypes
    import gc

    gc.collect()
    try:
        import pyarrow

        pyarrow.default_memory_pool().release_unused()
    except (ImportError, AttributeError):
        pass
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def drop_teaching_cells(nb) -> int:
    """Remove the cells tagged ``teaching`` from a notebook node; the number removed."""
    keep = [cell for cell in nb.cells if TEACHING_TAG not in cell.get("metadata", {}).get("tags", [])]
    removed = len(nb.cells) - len(keep)
    nb.cells = keep
    return removed
