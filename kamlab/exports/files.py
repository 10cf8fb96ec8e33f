"""Writing the exports: one CSV per table and a README.txt naming every file and column."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from kamlab import survival
from kamlab.data.account_columns import ATTRIBUTES
from kamlab.definitions import DefinitionScore

from . import csvfile
from .columns import (_MONEY, ACCOUNT_COLUMNS, AT_RISK_COLUMNS, COLUMN_DOCS, COMPARISON_COLUMNS, COMPARISON_DOCS,
                      KEY_COLUMNS, NAMES, SCORE_UNITS, WIN_BACK_COLUMNS)
from .ledger import Ledger, isin
from .tables import _account_table, _stable, at_risk_list, comparison_table

#: Threads that format the columns of a file (the machine's cores, at most 4).
WORKERS = max(1, min(4, os.cpu_count() or 1))


def _readme(files: dict[str, tuple[str, tuple[str, ...]]], *, dataset, windows, notes: list[str]) -> str:
    """README.txt: the windows, then every file with its columns and their units."""
    cal, end = f"{windows.calibration_end:%Y-%m-%d}", f"{windows.observation_end:%Y-%m-%d}"
    study = {"cal": cal, "end": end, "window": f"calibration window (to {cal})", "asof": cal,
             "horizon": "holdout window"}
    action = {**study, "window": f"data up to {end}", "asof": end,
              "horizon": f"{windows.holdout_weeks:g} weeks after {end}"}
    lines = [f"kamlab exports for {dataset.name}", "",
             f"Calibration window: {windows.first_date:%Y-%m-%d} to {cal} (what the definitions saw).",
             f"Holdout window: after {cal} to {end} (what they are judged on).",
             "Money in the data's currency units, rounded to cents; dates YYYY-MM-DD; "
             "1/0 flags; a blank cell means not computable on this dataset, never 0.",
             "Files: CSV, comma-separated, header row, UTF-8 with a byte-order mark (Excel and pandas read it "
             "as it is; Python's csv module with encoding='utf-8-sig').", ""]
    lines += [f"Note: {n}" for n in notes] + ([""] if notes else [])
    for filename, (what, columns) in files.items():
        lines += [filename, f"  {what}"]
        for column in columns:
            if column.startswith(("score_", "rank_", "key_")):
                part, name = column.split("_", 1)
                text = {"score": f"score of {name}: {SCORE_UNITS.get(name, '')}",
                        "rank": f"rank by {name}, 1 = most key (blank: no score)",
                        "key": f"1/0: a key account of {name} (blank: not computable)"}[part]
            elif filename == "comparison.csv":
                text = COMPARISON_DOCS[column]
            elif column in ATTRIBUTES and filename == "accounts.csv":
                text = "from the accounts file (blank without it)"
            else:
                text = COLUMN_DOCS.get(column, "")
            context = action if filename in ("win_back.csv", "at_risk.csv") else study
            lines.append(f"    {column}: {text.format(**context)}")
        lines.append("")
    return "\n".join(lines)


def _coverage_notes(comparison, dataset, ledger: Ledger) -> list[str]:
    """Which accounts accounts.csv leaves out: first purchase after the calibration end, or none at all."""
    study, end = comparison.accounts.index, comparison.windows.observation_end
    buyers = ledger.accounts[ledger.present(end)]
    notes = []
    if study.equals(ledger.accounts[ledger.present(comparison.windows.calibration_end)]):
        later = len(buyers) - len(study)  # the study's accounts are the buyers to the calibration end
    else:
        later = int((~isin(buyers, study)).sum())
    if later:
        notes.append(f"{later:,} account(s) first bought after the calibration end and are not in "
                     "accounts.csv (they can be in win_back.csv and at_risk.csv)")
    if dataset.accounts is not None:
        known = dataset.accounts.index
        silent = known[~isin(known, buyers)].unique()
        if len(silent):
            notes.append(f"{len(silent):,} account(s) of the accounts file bought nothing up to the observation "
                         "end and are in no file")
    return notes


def _money(column: str) -> bool:
    """Columns written rounded to cents: money, and the scores that are revenue (biggest, abc_a)."""
    return column in _MONEY or column.startswith("score_") and column[6:] in ("biggest", "abc_a")


def _texts(frame: pd.DataFrame, names=None) -> list | None:
    """The text of each column ``names`` (:func:`csvfile.column_text`; money rounded to cents; a column
    ``frame`` lacks is blank), or None for pandas' writer.

    Columns are formatted on :data:`WORKERS` threads (Arrow, numpy and DuckDB
    release the interpreter while they format).
    """
    names = list(frame.columns) if names is None else list(names)
    columns = [frame[c].astype(float).round(2) if _money(c) else frame[c] for c in names if c in frame]
    first = _first_equal(columns)
    with ThreadPoolExecutor(WORKERS) as pool:
        distinct = sorted(set(first))
        unique = dict(zip(distinct, pool.map(lambda i: csvfile.column_text(columns[i]), distinct)))
    texts = iter([unique[i] for i in first])
    blank = (pa.nulls(len(frame), pa.string()), False)
    texts = [next(texts) if c in frame else blank for c in names]
    return None if any(t is None for t in texts) else texts


def _first_equal(columns: list[pd.Series]) -> list[int]:
    """For each column, the first with the same float64 values bit for bit (itself if none): the same text.

    accounts.csv repeats columns: revenue is also biggest's and abc_a's score, and the blank columns are alike.
    """
    first, floats = [], {}
    for i, column in enumerate(columns):
        same = i
        if column.dtype == np.float64:
            bits = column.to_numpy().view(np.int64)
            same = next((j for j, other in floats.items() if np.array_equal(bits, other)), i)
            if same == i:
                floats[i] = bits
        first.append(same)
    return first


def _write_csv(frame: pd.DataFrame, path: Path, names=None) -> Path:
    """The file of one table (its columns ``names``, blank where ``frame`` lacks one): money rounded to cents,
    dates YYYY-MM-DD, the bytes pandas' to_csv writes.

    Formatted and written :data:`csvfile.CHUNK_ROWS` rows at a time, so that
    the text of a million-row table is never held whole (0.4 GB for accounts.csv).
    """
    names = list(frame.columns) if names is None else list(names)
    step = csvfile.CHUNK_ROWS
    blocks = (_texts(frame.iloc[start:start + step], names) for start in range(0, max(len(frame), 1), step))
    if csvfile.write_blocks(path, names, blocks):
        return Path(path)
    out = frame.reindex(columns=names)
    for column in out.columns:
        if _money(column):
            out[column] = out[column].astype(float).round(2)
    return csvfile.pandas_csv(out, path)


def _key_list_frame(accounts: pd.DataFrame, name: str) -> pd.DataFrame:
    """key_accounts_<name>.csv's table from accounts.csv's: :func:`kamlab.exports.key_account_list`'s rows and order
    (key_<name> == 1, by rank_<name>, stable, blank ranks last), only its columns, taken by position."""
    key = np.flatnonzero(accounts[f"key_{name}"].to_numpy(dtype=float, na_value=np.nan) == 1)
    rank = accounts[f"rank_{name}"].to_numpy(dtype=float, na_value=np.nan)[key]
    rows = key[np.argsort(np.where(np.isnan(rank), np.inf, rank), kind="stable")]
    sources = {column: {"rank": f"rank_{name}", "score": f"score_{name}"}.get(column, column)
               for column in KEY_COLUMNS}
    return pd.DataFrame({column: accounts[source].array.take(rows) for column, source in sources.items()
                         if source in accounts}, index=pd.RangeIndex(len(rows)))


def _study_files(comparison, dataset, ledger: Ledger, directory: Path) -> tuple[list[Path], dict, str]:
    """accounts.csv and the key lists: the files written, their README entries and the value model's note."""
    accounts, value_note = _account_table(comparison, dataset, ledger, blanks=False)
    written = [_write_csv(accounts, directory / "accounts.csv", ACCOUNT_COLUMNS)]
    files: dict[str, tuple[str, tuple[str, ...]]] = {
        "accounts.csv": ("one row per account that bought in the calibration window, in customer_id order",
                         ACCOUNT_COLUMNS)}
    for name in NAMES:
        if isinstance(comparison.scores.get(name), DefinitionScore) and name in comparison.selections:
            files[f"key_accounts_{name}.csv"] = (f"the key accounts of {name}, most key first", KEY_COLUMNS)
            written.append(_write_csv(_key_list_frame(accounts, name), directory / f"key_accounts_{name}.csv",
                                      KEY_COLUMNS))
    return written, files, value_note


def write_exports(comparison, dataset, directory, *, at_risk_threshold: float = 0.5,
                  inactivity: int | float = 180) -> list[Path]:
    """Write accounts.csv, key_accounts_<name>.csv, win_back.csv, at_risk.csv, comparison.csv and README.txt.

    Parameters
    ----------
    comparison : kamlab.compare.Comparison
        From :func:`kamlab.compare.run_comparison` on ``dataset`` (its
        ``windows``, ``accounts`` and ``selections`` are read).
    dataset : kamlab.datasets.Dataset
        With transactions (without, only the key lists and comparison.csv:
        :mod:`kamlab.exports.summary_only`); accounts when there are any.
    directory : str or Path
        Created if needed; files of the same names are replaced.
    at_risk_threshold : float
        P(alive) below which an account still buying is at risk, in (0, 1).
    inactivity : number of days
        Days without a purchase after which an account is lost (win-back list).

    Returns
    -------
    list of Path
        The files written, README.txt last.
    """
    if not 0 < at_risk_threshold < 1:
        raise ValueError(f"at_risk_threshold must be in (0, 1), got {at_risk_threshold}")
    if comparison.windows is None or comparison.accounts.empty:
        raise ValueError("write_exports needs the result of kamlab.compare.run_comparison (with windows and accounts)")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    if dataset.transactions is None:  # per-account summaries only: what the comparison holds
        from .summary_only import write_summary_exports

        return write_summary_exports(comparison, dataset, directory, _write_csv, _readme)
    windows, tx = comparison.windows, dataset.transactions
    ledger = Ledger.of(tx)
    lost = survival.win_back_list(tx, windows.observation_end, inactivity=inactivity,
                                  codes=(ledger.codes, ledger.accounts))
    with ThreadPoolExecutor(1) as background:  # the at-risk list's model fit, beside the study's files
        risk = background.submit(at_risk_list, dataset, windows.observation_end, threshold=at_risk_threshold,
                                 inactivity=inactivity, horizon_weeks=windows.holdout_weeks, ledger=ledger,
                                 lost=lost.index)
        written, files, value_note = _study_files(comparison, dataset, ledger, directory)
        files["win_back.csv"] = (f"accounts lost by the end of the data: no purchase in the last {inactivity:g} "
                                 "days; most value lost first", WIN_BACK_COLUMNS)
        written.append(_write_csv(_stable(lost, WIN_BACK_COLUMNS), directory / "win_back.csv"))
        at_risk, risk_note = risk.result()
    files["at_risk.csv"] = (f"accounts still buying at the end of the data (a purchase in the last {inactivity:g} "
                            f"days) whose P(alive) is below {at_risk_threshold:g}, from the purchase model that fits "
                            "all the data; largest revenue first", AT_RISK_COLUMNS)
    written.append(_write_csv(at_risk, directory / "at_risk.csv"))
    files["comparison.csv"] = ("the comparison of the definitions at the same number of key accounts "
                               f"({comparison.k}); shares 0-1", COMPARISON_COLUMNS)
    written.append(_write_csv(comparison_table(comparison), directory / "comparison.csv"))
    notes = [f"accounts.csv: {value_note}", f"at_risk.csv: {risk_note}"] + _coverage_notes(comparison, dataset, ledger)
    notes += [f"{r.definition}: {r.reason}" for r in comparison.not_computable.itertuples()]
    readme = directory / "README.txt"
    readme.write_text(_readme(files, dataset=dataset, windows=windows, notes=notes), encoding="utf-8")
    return written + [readme]
