"""The comparison in words and for reading: the headline metric, the report table, the conclusion.

:func:`headline_metric` is the one rule for which outcome a comparison is
judged on first (holdout profit when the data have it, else revenue): the
figures, the table, the conclusion and notebook 07 all call it.
"""

from __future__ import annotations

import pandas as pd

from .metrics import most_and_least_alike
from .quality import degenerate_sentence
from .result import Comparison

#: What each outcome is called in prose.
OUTCOME_WORDS = {"profit": "holdout profit", "revenue": "holdout revenue", "true_value": "true future value"}


def headline_metric(result: Comparison) -> str | None:
    """The outcome a comparison is judged on first.

    ``"profit"`` when the table has its shares and they are stable
    (``Comparison.unstable``), else ``"revenue"``; None when the table has
    no captured shares at all (no holdout revenue).
    """
    columns = result.table.columns
    if "profit_captured" in columns and "profit" not in result.unstable:
        return "profit"
    return "revenue" if "revenue_captured" in columns else None


def report_table(result: Comparison) -> pd.DataFrame:
    """The comparison table for reading: shares in %, intervals as text, one row per definition.

    Columns (where the data allow them): ``key accounts``; for revenue,
    profit and true value the captured share in % and its interval
    ("low to high"); ``lift`` (of the headline metric); ``precision %`` against
    the oracle; ``cost-to-serve %``; ``losing money`` (key accounts with a
    holdout loss); ``net gain (true)``, ``ROI (true)``, ``net gain (est.)``,
    ``ROI (est.)``; ``turnover %`` ("n/a" for definitions that could not be
    re-scored on the next window). Numbers are rounded for display (1
    decimal for %, 2 for ratios, whole currency units). The share columns
    of an outcome whose shares are unstable (``Comparison.unstable``) are
    labelled "(unstable)".
    """
    t = result.table.set_index("definition")
    out = pd.DataFrame(index=t.index)
    out["key accounts"] = t["n_key"]
    for metric, label in (("revenue", "revenue"), ("profit", "profit"), ("true_value", "true value")):
        column = f"{metric}_captured"
        if column not in t.columns:
            continue
        flag = " (unstable)" if metric in result.unstable else ""
        out[f"{label} %{flag}"] = (100 * t[column]).round(1)
        if f"{column}_low" in t.columns:
            out[f"{label} CI{flag}"] = [f"{100 * lo:.1f} to {100 * hi:.1f}"
                                        for lo, hi in zip(t[f"{column}_low"], t[f"{column}_high"])]
    headline = headline_metric(result)
    if headline is not None:
        out["lift"] = t[f"{headline}_lift"].round(2)
    if "precision" in t.columns:
        out["precision %"] = (100 * t["precision"]).round(1)
    if "cost_to_serve_share" in t.columns:
        out["cost-to-serve %"] = (100 * t["cost_to_serve_share"]).round(1)
    if "losing_accounts" in t.columns:
        out["losing money"] = t["losing_accounts"]
    for source, label in (("true", "true"), ("estimated", "est.")):
        if f"net_gain_{source}" in t.columns:
            out[f"net gain ({label})"] = t[f"net_gain_{source}"].round(0).astype(int)
        if f"roi_{source}" in t.columns:
            out[f"ROI ({label})"] = t[f"roi_{source}"].round(2)
    if not result.turnover.empty:
        turnover = 100 * result.turnover.set_index("definition")["turnover"]
        out["turnover %"] = [f"{turnover[n]:.1f}" if n in turnover.index else "n/a" for n in out.index]
    return out


def pct(x: float) -> str:
    """A share as "12.3 %"."""
    return f"{100 * x:.1f} %"


def share_with_interval(row: pd.Series, metric: str, level: float) -> str:
    """A captured share with its interval: "12.3 % (95 % CI 8.0 % to 15.1 %)" (no interval without bootstrap)."""
    text = pct(row[f"{metric}_captured"])
    if f"{metric}_captured_low" in row.index:
        text += f" ({100 * level:.0f} % CI {pct(row[f'{metric}_captured_low'])} to {pct(row[f'{metric}_captured_high'])})"
    return text


def capture_lines(result: Comparison) -> list[str]:
    """One line per row: key accounts and the headline metric's captured share with its interval."""
    t = result.table.set_index("definition")
    metric = headline_metric(result)
    if metric is None or result.degenerate:
        return [degenerate_sentence(result.degenerate or ("no holdout revenue",))]
    lines = []
    for name in t.index:
        row = t.loc[name]
        interval = (f" ({result.level:.0%} CI {row[f'{metric}_captured_low']:.1%} to "
                    f"{row[f'{metric}_captured_high']:.1%})" if f"{metric}_captured_low" in t else "")
        lines.append(f"{name:14s} {int(row['n_key']):5d} key accounts: {row[f'{metric}_captured']:7.1%} of holdout "
                     f"{metric}" + interval)
    return lines


def alike_sentence(result: Comparison, names) -> str:
    """Which two definitions' key sets agree most and which least (Jaccard); "" with fewer than two."""
    pairs = most_and_least_alike(result.overlap, names)
    if pairs is None:
        return ""
    if pairs.n_pairs == 1:
        a, b, value = pairs.most
        return f"{a} and {b} share {value:.2f} of their key accounts (Jaccard)."
    (a, b, high), (c, d, low) = pairs.most, pairs.least
    return f"Most alike: {a} and {b} (overlap {high:.2f}); least alike: {c} and {d} ({low:.2f})."


def _ranking_lines(result: Comparison, t: pd.DataFrame, own: pd.DataFrame, metric: str) -> list[str]:
    """The best definition, whether the runner-up can be told apart, the worst, and the oracle."""
    col, level, expected = f"{metric}_captured", result.level, result.k / result.n_accounts
    best = own.iloc[0]
    lines = [
        f"{own.index[0]} captured the most {OUTCOME_WORDS[metric]}: {share_with_interval(best, metric, level)}, "
        f"{best[f'{metric}_lift']:.1f} times the {pct(expected)} a random pick of the same size would get on average."
    ]
    if len(own) > 1:
        second = own.iloc[1]
        sentence = f"Next came {own.index[1]} with {share_with_interval(second, metric, level)}"
        if f"{col}_low" in t.columns:
            overlap = second[f"{col}_high"] >= best[f"{col}_low"]
            sentence += ("; the intervals overlap, so this data cannot rank the two apart."
                         if overlap else "; the intervals do not overlap.")
        lines.append(sentence if f"{col}_low" in t.columns else sentence + ".")
    if len(own) > 2:
        worst = own.iloc[-1]
        sentence = f"{own.index[-1]} captured the least: {share_with_interval(worst, metric, level)}"
        if f"{col}_low" in t.columns and worst[f"{col}_high"] < expected:
            sentence += f", its whole interval below what random selection gets ({pct(expected)}): worse than random"
        elif f"{col}_low" in t.columns and worst[f"{col}_low"] <= expected:
            sentence += f", its interval reaching down to what random selection gets ({pct(expected)})"
        lines.append(sentence + ".")
    if f"{col}_high" in t.columns:
        below = [name for name in own.index[:-1] if own.loc[name, f"{col}_high"] < expected]
        if below:
            lines.append(f"Also worse than random (whole interval below {pct(expected)}): {', '.join(below)}.")
    if "oracle" in t.index:
        lines.append(
            f"Knowing the true future value (the oracle) would have captured "
            f"{share_with_interval(t.loc['oracle'], metric, level)}; "
            f"{own.index[0]} picked {pct(best['precision'])} of the oracle's key accounts."
        )
    return lines


def _baseline_lines(result: Comparison, t: pd.DataFrame, metric: str) -> list[str]:
    col, expected = f"{metric}_captured", result.k / result.n_accounts
    lines = []
    if "random" in t.index:
        lines.append(f"Random selection captured {pct(t.loc['random', col])} (expected {pct(expected)}).")
    if "abc_a" in t.index:
        lines.append(
            f"The Pareto class A ({int(t.loc['abc_a', 'n_key'])} accounts, "
            f"{pct(t.loc['abc_a', 'n_key'] / result.n_accounts)} of all) captured {pct(t.loc['abc_a', col])}."
        )
    if metric == "profit" and (t[col] > 1).any():
        lines.append(
            "Shares above 100 % mean the accounts left out lose money in total: the key accounts "
            "earn more than the whole customer base."
        )
    return lines


def _selection_risks(t: pd.DataFrame, own: pd.DataFrame, metric: str) -> list[str]:
    """Money-losing key accounts, and cost-to-serve out of proportion to the captured share."""
    col, risks = f"{metric}_captured", []
    if "losing_accounts" in t.columns:
        losing = own[own["losing_accounts"] > 0].sort_values("losing_accounts", ascending=False, kind="stable")
        for name, row in losing.head(3).iterrows():
            risks.append(f"{name}: {int(row['losing_accounts'])} of its {int(row['n_key'])} key accounts "
                         "lost money in the holdout.")
    if "cost_to_serve_share" in t.columns:
        for name, row in own[own["cost_to_serve_share"] > own[col]].iterrows():
            risks.append(f"{name}: its key accounts take {pct(row['cost_to_serve_share'])} of the cost-to-serve "
                         f"but bring {pct(row[col])} of the {OUTCOME_WORDS[metric]}.")
    return risks


def _study_risks(result: Comparison, t: pd.DataFrame, own: pd.DataFrame, metric: str) -> list[str]:
    """Over-valued CLV, key-set turnover, weight sensitivity and the programme's return."""
    risks, d = [], result.diagnostics
    if d is not None and d.future_profit_predicted is not None and (d.future_profit_actual or 0) > 0:
        ratio = d.future_profit_predicted / d.future_profit_actual - 1
        word = "over-valued" if ratio > 0 else "under-valued"
        gross = "gross profit" if metric == "profit" else "revenue"
        risks.append(
            f"future_profit ({d.future_profit_models}): the model predicted {d.future_profit_predicted:,.0f} of {gross} "
            "for its key accounts "
            f"in the holdout; they delivered {d.future_profit_actual:,.0f} ({word} by {pct(abs(ratio))})."
        )
    top = result.turnover[result.turnover["definition"].isin(own.index)]
    if len(top):
        row = top.sort_values("turnover", ascending=False, kind="stable").iloc[0]
        risks.append(f"{row['definition']}: {pct(row['turnover'])} of its key accounts were no longer key "
                     "when re-scored one holdout-length later.")
    if d is not None and d.strategic_weight_turnover is not None:
        risks.append(
            f"strategic: perturbing the scorecard weights replaced {pct(d.strategic_weight_turnover)} of its key "
            f"accounts on average (up to {pct(d.strategic_weight_turnover_p90)} in one draw of ten): the weights "
            "are opinions."
        )
    if "roi_true" in t.columns:
        paying = [n for n in own.index if t.loc[n, "roi_true"] > 0]
        losing = [n for n in own.index if t.loc[n, "roi_true"] <= 0]
        risks.append(
            f"key-account programme (effort {result.effort_cost:,.0f} + further cost {result.programme_cost:,.0f} "
            f"per key account): with the true uplift it pays back for {', '.join(paying) or 'no definition'}"
            + (f" and loses money for {', '.join(losing)}." if losing else ".")
        )
    return risks


def conclusion(result: Comparison) -> str:
    """The comparison in plain language, every number taken from ``result``.

    Says which definition captured the most of the headline metric
    (:func:`headline_metric`) with its confidence interval, whether the
    runner-up can be told apart, how far the best is from the oracle and
    from random, which definition did worst (and which did worse than
    random: their whole interval below k/n), which of the source's risks
    showed up in the numbers (money-losing key accounts, cost-to-serve out of
    proportion, over-valued CLV, key-set turnover, weight sensitivity,
    programme ROI), and which definitions were not computable and why.

    Unstable shares are named before the ranking; a degenerate comparison
    (``Comparison.degenerate``) says so instead of ranking.

    Returns
    -------
    str
        Sentences, one per line; risk findings start with "- ".
    """
    t = result.table.set_index("definition")
    metric = headline_metric(result)
    own = t[t["kind"] == "definition"]
    lines = [
        f"With {result.k} key accounts out of {result.n_accounts} ({pct(result.k / result.n_accounts)}), "
        f"{len(own)} of the seven definitions could be computed on this dataset."
    ]
    if metric is None or result.degenerate:
        lines.append(degenerate_sentence(result.degenerate or ("no holdout revenue",)))
    else:
        own = own.sort_values(f"{metric}_captured", ascending=False, kind="stable")
        lines += [f"Shares of {OUTCOME_WORDS[m]} are not trusted here: {why}." for m, why in result.unstable.items()]
        if len(own):
            lines += _ranking_lines(result, t, own, metric)
        lines += _baseline_lines(result, t, metric)
        risks = _selection_risks(t, own, metric) + _study_risks(result, t, own, metric)
        if risks:
            lines.append("Risks that showed up:")
            lines.extend("- " + r for r in risks)
    if len(result.not_computable):
        parts = [f"{row.definition} (needs {row.missing})" for row in result.not_computable.itertuples()]
        lines.append("Not computable on this dataset: " + "; ".join(parts) + ".")
    return "\n".join(lines)
