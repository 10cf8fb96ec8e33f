"""Writing the exports: one CSV per table and a README.txt naming every file and column."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from kamlab import rfm, survival
from kamlab.data.account_columns import ATTRIBUTES
from kamlab.definitions import DefinitionScore

from .columns import (_MONEY, ACCOUNT_COLUMNS, AT_RISK_COLUMNS, COLUMN_DOCS, COMPARISON_COLUMNS, COMPARISON_DOCS,
                      KEY_COLUMNS, NAMES, SCORE_UNITS, WIN_BACK_COLUMNS)
from .tables import _account_table, _stable, at_risk_list, comparison_table, key_account_list


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


def _coverage_notes(comparison, dataset) -> list[str]:
    """Which accounts accounts.csv leaves out: first purchase after the calibration end, or none at all."""
    study, end = comparison.accounts.index, comparison.windows.observation_end
    buyers = pd.Index(dataset.transactions.loc[dataset.transactions["date"] < rfm.day_after(end), "customer_id"].unique())
    notes = []
    later = buyers.difference(study)
    if len(later):
        notes.append(f"{len(later):,} account(s) first bought after the calibration end and are not in "
                     "accounts.csv (they can be in win_back.csv and at_risk.csv)")
    if dataset.accounts is not None:
        silent = dataset.accounts.index.difference(buyers)
        if len(silent):
            notes.append(f"{len(silent):,} account(s) of the accounts file bought nothing up to the observation "
                         "end and are in no file")
    return notes


def _write_csv(frame: pd.DataFrame, path: Path) -> Path:
    out = frame.copy()
    for column in out.columns:
        if column in _MONEY or column.startswith("score_") and column[6:] in ("biggest", "abc_a"):
            out[column] = out[column].astype(float).round(2)
        elif pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].dt.strftime("%Y-%m-%d")
    out.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")
    return path


def write_exports(comparison, dataset, directory, *, at_risk_threshold: float = 0.5,
                  inactivity: int | float = 180) -> list[Path]:
    """Write accounts.csv, key_accounts_<name>.csv, win_back.csv, at_risk.csv, comparison.csv and README.txt.

    Parameters
    ----------
    comparison : kamlab.compare.Comparison
        From :func:`kamlab.compare.run_comparison` on ``dataset`` (its
        ``windows``, ``accounts`` and ``selections`` are read).
    dataset : kamlab.datasets.Dataset
        With transactions; accounts when there are any.
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
    windows = comparison.windows
    accounts, value_note = _account_table(comparison, dataset)
    files: dict[str, tuple[str, tuple[str, ...], pd.DataFrame]] = {
        "accounts.csv": ("one row per account that bought in the calibration window, in customer_id order",
                         ACCOUNT_COLUMNS, accounts)}
    for name in NAMES:
        if isinstance(comparison.scores.get(name), DefinitionScore) and name in comparison.selections:
            files[f"key_accounts_{name}.csv"] = (f"the key accounts of {name}, most key first",
                                                 KEY_COLUMNS, key_account_list(accounts, name))
    lost = survival.win_back_list(dataset.transactions, windows.observation_end, inactivity=inactivity)
    files["win_back.csv"] = (f"accounts lost by the end of the data: no purchase in the last {inactivity:g} days; "
                             "most value lost first", WIN_BACK_COLUMNS, _stable(lost, WIN_BACK_COLUMNS))
    at_risk, risk_note = at_risk_list(dataset, windows.observation_end, threshold=at_risk_threshold,
                                      inactivity=inactivity, horizon_weeks=windows.holdout_weeks)
    files["at_risk.csv"] = (f"accounts still buying at the end of the data (a purchase in the last {inactivity:g} "
                            f"days) whose P(alive) is below {at_risk_threshold:g}, from the purchase model that fits "
                            "all the data; largest revenue first", AT_RISK_COLUMNS, at_risk)
    files["comparison.csv"] = ("the comparison of the definitions at the same number of key accounts "
                               f"({comparison.k}); shares 0-1", COMPARISON_COLUMNS, comparison_table(comparison))
    notes = [f"accounts.csv: {value_note}", f"at_risk.csv: {risk_note}"] + _coverage_notes(comparison, dataset)
    notes += [f"{r.definition}: {r.reason}" for r in comparison.not_computable.itertuples()]
    written = [_write_csv(frame, directory / name) for name, (_, _, frame) in files.items()]
    readme = directory / "README.txt"
    readme.write_text(_readme({n: (w, c) for n, (w, c, _) in files.items()}, dataset=dataset, windows=windows,
                              notes=notes), encoding="utf-8")
    return written + [readme]
