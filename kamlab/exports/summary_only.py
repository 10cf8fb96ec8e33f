"""The exports of a comparison made from per-account summaries only (``--engine duckdb``, summary files).

Without transactions there are no purchase dates to list: accounts.csv's
dates and segments, the win-back list and the at-risk list need them. What the
comparison itself holds is written: each definition's key accounts, most key
first, with their calibration and holdout revenue and profit, and
comparison.csv. README.txt says what was left out and how to get it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from kamlab.definitions import DefinitionScore

from .columns import COMPARISON_COLUMNS, KEY_COLUMNS, NAMES
from .tables import _stable, comparison_table

#: Why the transaction-based files are missing, for README.txt.
LEFT_OUT = ("accounts.csv, win_back.csv and at_risk.csv need the transactions (purchase dates); this comparison "
            "was made from per-account summaries (kamlab report --engine duckdb, or a summary file). Load the file "
            "with the validating loader (--engine pandas) when it fits in memory to have them")


def key_list(comparison, name: str) -> pd.DataFrame:
    """key_accounts_<name>.csv from the comparison alone: rank, id, score, calibration and holdout money."""
    chosen = pd.Index(comparison.selections[name])
    study = comparison.accounts.reindex(chosen)
    table = pd.DataFrame({"rank": range(1, len(chosen) + 1),
                          "score": comparison.scores[name].scores.reindex(chosen).to_numpy(),
                          "revenue": study["revenue_cal"].to_numpy()}, index=chosen)
    for column, source in (("profit", "profit_cal"), ("revenue_holdout", "revenue_holdout"),
                           ("profit_holdout", "profit_holdout")):
        if source in study.columns:
            table[column] = study[source].to_numpy()
    table.index.name = "customer_id"
    return _stable(table, KEY_COLUMNS)


def write_summary_exports(comparison, dataset, directory: Path, write_csv, readme) -> list[Path]:
    """Write the key lists and comparison.csv of a summary-only comparison, and README.txt.

    ``write_csv(frame, path)`` and ``readme(files, dataset=, windows=, notes=)``
    are :mod:`kamlab.exports.files`' writers, so the files read like the others.
    """
    files: dict[str, tuple[str, tuple[str, ...]]] = {}
    written = []
    for name in NAMES:
        if isinstance(comparison.scores.get(name), DefinitionScore) and name in comparison.selections:
            filename = f"key_accounts_{name}.csv"
            files[filename] = (f"the key accounts of {name}, most key first (clv, p_alive and last_purchase "
                               "blank: no transactions)", KEY_COLUMNS)
            written.append(write_csv(key_list(comparison, name), directory / filename))
    files["comparison.csv"] = ("the comparison of the definitions at the same number of key accounts "
                               f"({comparison.k}); shares 0-1", COMPARISON_COLUMNS)
    written.append(write_csv(comparison_table(comparison), directory / "comparison.csv"))
    notes = [LEFT_OUT] + [f"{r.definition}: {r.reason}" for r in comparison.not_computable.itertuples()]
    path = directory / "README.txt"
    path.write_text(readme(files, dataset=dataset, windows=comparison.windows, notes=notes), encoding="utf-8")
    return written + [path]
