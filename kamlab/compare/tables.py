"""The comparison's tables for reading: what a reader needs first, the rest, and Markdown without truncation.

:func:`main_table` holds what decides (one row per definition and baseline):
definition, key accounts, the captured share of the headline metric with its
interval in one cell ("82.9 % (54.1 to 121.5)"), lift, losing accounts and
the programme's net gain. :func:`other_table` holds the other metrics.
Both are text for reading: thousands separators, shares in % with one
decimal, "—" for a number the data or the run do not give (never nan or
inf). :func:`markdown_table` writes any such frame as a Markdown table, so a
report page shows every cell whole (a DataFrame's HTML cuts long text with
"…"); :func:`definitions_overview` is notebook 06's table of the seven
definitions with their needs, status and risk in full.
"""

from __future__ import annotations

import re

import pandas as pd

from kamlab import definitions as defs

from .availability import not_computable_sentence
from .narrative import MISSING, MISSING_NOTE, OUTCOME_WORDS, headline_metric, number, percent
from .result import Comparison

#: Outcomes whose captured share a table can show, and their words.
SHARE_LABELS = {"revenue": "revenue", "profit": "profit", "true_value": "true value"}


def currency_of(dataset) -> str:
    """The unit a report writes money in: the dataset's ``currency`` when it names one, else "currency units"."""
    name = getattr(dataset, "currency", None)
    return name.strip() if isinstance(name, str) and name.strip() else "currency units"


def share_cell(row: pd.Series, metric: str) -> str:
    """A captured share with its interval in one cell: "82.9 % (54.1 to 121.5)" ("82.9 %" without bootstrap)."""
    text = percent(row.get(f"{metric}_captured"))
    if f"{metric}_captured_low" in row.index and text != MISSING:
        low, high = row[f"{metric}_captured_low"], row[f"{metric}_captured_high"]
        text += f" ({number(100 * low, 1) if pd.notna(low) else MISSING} to "
        text += f"{number(100 * high, 1) if pd.notna(high) else MISSING})"
    return text


def _net_gain_source(t: pd.DataFrame) -> str | None:
    """The net gain the main table shows: the pilot's estimate when there is one (what a company knows), else true."""
    for source in ("estimated", "true"):
        if f"net_gain_{source}" in t.columns:
            return source
    return None


def main_table(result: Comparison, currency: str = "currency units") -> pd.DataFrame:
    """What a reader needs first, one row per definition and baseline, as text.

    Columns, always in this order: ``definition``; ``key accounts``; the
    captured share of the headline metric (:func:`kamlab.compare.headline_metric`)
    sum_{i in key} y_i / sum_i y_i in % with its interval in one cell, e.g.
    "share of holdout profit captured (95 % CI)": "82.9 % (54.1 to 121.5)"
    (the bootstrap; "(95 % CI, delta method)" when ``Comparison.interval_method``
    is the delta method); ``lift`` (captured share / share of accounts selected; random =
    1); ``losing accounts`` (key accounts with a holdout loss); and the
    programme's net gain u * sum y_i - c * k in ``currency`` (the pilot's
    estimated uplift when there is one, else the true uplift of a synthetic
    world; the label says which). A number the data cannot give reads "—".
    """
    t = result.table.set_index("definition")
    metric = headline_metric(result)
    method = ", delta method" if result.interval_method == "delta method" else ""
    share_label = (f"share of {OUTCOME_WORDS[metric]} captured ({100 * result.level:.0f} % CI{method})"
                   if metric else "share captured")
    source = _net_gain_source(t)
    basis = {"estimated": "est., ", "true": "true, "}.get(source, "")
    gain_label = f"programme net gain ({basis}{currency})"
    rows = []
    for name, row in t.iterrows():
        rows.append({
            "definition": name,
            "key accounts": number(row["n_key"]),
            share_label: share_cell(row, metric) if metric else MISSING,
            "lift": number(row.get(f"{metric}_lift"), 2) if metric else MISSING,
            "losing accounts": number(row.get("losing_accounts")),
            gain_label: number(row.get(f"net_gain_{source}")) if source else MISSING,
        })
    return pd.DataFrame(rows, columns=["definition", "key accounts", share_label, "lift", "losing accounts",
                                       gain_label])


def other_table(result: Comparison, currency: str = "currency units") -> pd.DataFrame:
    """The other metrics, one row per definition and baseline, as text (see :func:`kamlab.compare.report_table`).

    The captured shares of the outcomes other than the headline metric with
    their intervals ("(unstable)" when their total nearly cancels), precision
    against the oracle, the share of cost-to-serve, the net gain the main
    table does not show and both ROIs (net gain / programme cost), and the
    key-set turnover; columns the data do not support are left out, cells
    they do not give read "—".
    """
    t = result.table.set_index("definition")
    metric, source = headline_metric(result), _net_gain_source(t)
    out = pd.DataFrame({"definition": t.index})
    for outcome, label in SHARE_LABELS.items():
        if f"{outcome}_captured" in t.columns and outcome != metric:
            flag = " (unstable)" if outcome in result.unstable else ""
            out[f"{label} captured{flag}"] = [share_cell(row, outcome) for _, row in t.iterrows()]
    for column, label in (("precision", "precision"), ("cost_to_serve_share", "cost-to-serve share")):
        if column in t.columns:
            out[label] = [percent(x) for x in t[column]]
    for other, label in (("true", "true"), ("estimated", "est.")):
        if f"net_gain_{other}" in t.columns and other != source:
            out[f"programme net gain ({label}, {currency})"] = [number(x) for x in t[f"net_gain_{other}"]]
        if f"roi_{other}" in t.columns:
            out[f"ROI ({label})"] = [number(x, 2) for x in t[f"roi_{other}"]]
    if not result.turnover.empty:
        turnover = result.turnover.set_index("definition")["turnover"]
        out["turnover"] = [percent(turnover.get(name)) for name in t.index]
    return out


def definitions_overview(result: Comparison) -> pd.DataFrame:
    """The seven definitions with what they need, whether they were computed here, and their risk, in full.

    Columns ``definition``, ``needs`` (the inputs used, or the ones
    missing), ``status`` ("computed" or the "not computable on this
    dataset: needs X -- give it with ..." sentence) and ``risk`` (the
    source material's warning, :data:`kamlab.definitions.RISKS`).
    """
    rows = []
    for name, scored in result.scores.items():
        if name not in defs.DEFINITIONS:
            continue
        computed = isinstance(scored, defs.DefinitionScore)
        rows.append({"definition": name, "needs": ", ".join(scored.needs if computed else scored.missing),
                     "status": "computed" if computed else not_computable_sentence(scored),
                     "risk": defs.RISKS[name]})
    return pd.DataFrame(rows, columns=["definition", "needs", "status", "risk"])


_NUMERIC = re.compile(r"^[-−+]?[\d,.]+( %)?( \(.*\))?$")


def _cell(value) -> str:
    text = MISSING if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
    return text.replace("|", "\\|").replace("$", "\\$").replace("\n", " ")


def markdown_table(frame: pd.DataFrame, index: bool = False) -> str:
    """A frame as a Markdown table, every cell whole; numeric columns right-aligned, missing cells "—".

    With ``index=True`` the index is the first column. When a cell reads
    "—", the footnote :data:`kamlab.compare.narrative.MISSING_NOTE` follows the table.
    """
    frame = frame.reset_index() if index else frame
    header = [_cell(c) for c in frame.columns]
    body = [[_cell(v) for v in row] for row in frame.itertuples(index=False, name=None)]
    align = ["---:" if body and all(_NUMERIC.match(r[j]) or r[j] == MISSING for r in body) else ":---"
             for j in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in body]
    text = "\n".join(lines)
    return text + f"\n\n*{MISSING_NOTE}*" if any(MISSING in c for r in body for c in r) else text
