"""The comparison in words and for reading: the headline metric, the report table, the conclusion.

:func:`headline_metric` is the one rule for which outcome a comparison is
judged on first (holdout profit when the data have it, else revenue): the
figures, the table, the conclusion and notebook 07 all call it.

Every sentence comes in two forms: plain text (:func:`conclusion`,
:func:`capture_lines`) and Markdown for a report page
(:func:`conclusion_markdown`, :func:`capture_markdown`), where numbers carry
thousands separators and their currency, shares read "12.3 %", lists read
as sentences ("a, b and c"), risks are a bullet list, and a missing value
reads "—" with a footnote (:data:`MISSING_NOTE`) instead of nan or inf.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable

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


#: How a missing or infinite value reads in Markdown prose and tables, and the footnote that explains it.
MISSING = "—"
MISSING_NOTE = "— : not available here (the data or the settings of this run do not give this number)."


def _finite(x) -> bool:
    try:
        return x is not None and math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def number(x, decimals: int = 0) -> str:
    """A number for reading: "156,080", "2.24" (thousands separators); "—" when missing or infinite."""
    return f"{float(x):,.{decimals}f}" if _finite(x) else MISSING


def percent(share, decimals: int = 1) -> str:
    """A share (0.829) as "82.9 %"; "—" when missing or infinite."""
    return f"{100 * float(share):,.{decimals}f} %" if _finite(share) else MISSING


def money(x, currency: str = "currency units") -> str:
    """An amount with its unit for Markdown: "156,080 currency units" (whole units; "$" escaped); "—" if missing."""
    unit = (currency.strip() or "currency units").replace("$", "\\$")
    return f"{number(x)} {unit}" if _finite(x) else MISSING


def names_sentence(names: Iterable[str]) -> str:
    """Names as a sentence: "a", "a and b", "a, b and c" ("" for none)."""
    names = [str(n) for n in names]
    return names[0] if len(names) == 1 else (", ".join(names[:-1]) + " and " + names[-1] if names else "")


def with_footnote(text: str) -> str:
    """Markdown text, with the footnote on "—" appended when it shows a missing value."""
    return text + f"\n\n*{MISSING_NOTE}*" if MISSING in text else text


@dataclass(frozen=True)
class Words:
    """How numbers and lists are written: plain text (as printed before) or Markdown for a report page."""

    markdown: bool = False
    currency: str = "currency units"

    def pct(self, x: float) -> str:
        return percent(x) if self.markdown else f"{100 * x:.1f} %"

    def money(self, x: float) -> str:
        return money(x, self.currency) if self.markdown else f"{x:,.0f}"

    def ratio(self, x: float) -> str:
        return number(x, 1) if self.markdown else f"{x:.1f}"

    def names(self, names: Iterable[str]) -> str:
        return names_sentence(names) if self.markdown else ", ".join(names)


PLAIN = Words()


def pct(x: float) -> str:
    """A share as "12.3 %"."""
    return f"{100 * x:.1f} %"


def share_with_interval(row: pd.Series, metric: str, level: float, words: Words = PLAIN) -> str:
    """A captured share with its interval: "12.3 % (95 % CI 8.0 % to 15.1 %)" (no interval without bootstrap)."""
    text = words.pct(row[f"{metric}_captured"])
    if f"{metric}_captured_low" in row.index:
        text += (f" ({100 * level:.0f} % CI {words.pct(row[f'{metric}_captured_low'])} to "
                 f"{words.pct(row[f'{metric}_captured_high'])})")
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


def capture_markdown(result: Comparison, currency: str = "currency units") -> str:
    """:func:`capture_lines` as a Markdown bullet list: "- **name**: 51 key accounts, 82.9 % of holdout profit (...)".

    A degenerate comparison gives its warning instead; a missing interval end reads "—" with the footnote.
    """
    t = result.table.set_index("definition")
    metric = headline_metric(result)
    if metric is None or result.degenerate:
        return degenerate_sentence(result.degenerate or ("no holdout revenue",))
    w = Words(markdown=True, currency=currency)
    lines = [f"- **{name}**: {number(t.loc[name, 'n_key'])} key accounts, "
             f"{share_with_interval(t.loc[name], metric, result.level, w)} of {OUTCOME_WORDS[metric]}"
             for name in t.index]
    return with_footnote("\n".join(lines))


def interval_sentence(result: Comparison, words: Words = PLAIN) -> str:
    """How the intervals were computed, said when they are not the percentile bootstrap (delta method)."""
    n = number(result.n_accounts) if words.markdown else f"{result.n_accounts:,}"
    return (f"The {100 * result.level:.0f} % intervals are delta-method (normal) intervals of each share: with {n} "
            "accounts to choose from they are as close as a bootstrap's and take a single pass over the accounts.")


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


def _ranking_lines(result: Comparison, t: pd.DataFrame, own: pd.DataFrame, metric: str, w: Words) -> list[str]:
    """The best definition, whether the runner-up can be told apart, the worst, and the oracle."""
    col, level, expected = f"{metric}_captured", result.level, result.k / result.n_accounts
    best = own.iloc[0]
    lines = [
        f"{own.index[0]} captured the most {OUTCOME_WORDS[metric]}: {share_with_interval(best, metric, level, w)}, "
        f"{w.ratio(best[f'{metric}_lift'])} times the {w.pct(expected)} a random pick of the same size would get "
        "on average."
    ]
    if len(own) > 1:
        second = own.iloc[1]
        sentence = f"Next came {own.index[1]} with {share_with_interval(second, metric, level, w)}"
        if f"{col}_low" in t.columns:
            overlap = second[f"{col}_high"] >= best[f"{col}_low"]
            sentence += ("; the intervals overlap, so this data cannot rank the two apart."
                         if overlap else "; the intervals do not overlap.")
        lines.append(sentence if f"{col}_low" in t.columns else sentence + ".")
    if len(own) > 2:
        worst = own.iloc[-1]
        sentence = f"{own.index[-1]} captured the least: {share_with_interval(worst, metric, level, w)}"
        if f"{col}_low" in t.columns and worst[f"{col}_high"] < expected:
            sentence += f", its whole interval below what random selection gets ({w.pct(expected)}): worse than random"
        elif f"{col}_low" in t.columns and worst[f"{col}_low"] <= expected:
            sentence += f", its interval reaching down to what random selection gets ({w.pct(expected)})"
        lines.append(sentence + ".")
    if f"{col}_high" in t.columns:
        below = [name for name in own.index[:-1] if own.loc[name, f"{col}_high"] < expected]
        if below:
            lines.append(f"Also worse than random (whole interval below {w.pct(expected)}): {w.names(below)}.")
    if "oracle" in t.index:
        lines.append(
            f"Knowing the true future value (the oracle) would have captured "
            f"{share_with_interval(t.loc['oracle'], metric, level, w)}; "
            f"{own.index[0]} picked {w.pct(best['precision'])} of the oracle's key accounts."
        )
    return lines


def _baseline_lines(result: Comparison, t: pd.DataFrame, metric: str, w: Words) -> list[str]:
    col, expected = f"{metric}_captured", result.k / result.n_accounts
    lines = []
    if "random" in t.index:
        lines.append(f"Random selection captured {w.pct(t.loc['random', col])} (expected {w.pct(expected)}).")
    if "abc_a" in t.index:
        n_abc = t.loc["abc_a", "n_key"]
        lines.append(
            f"The Pareto class A ({number(n_abc) if w.markdown else int(n_abc)} accounts, "
            f"{w.pct(n_abc / result.n_accounts)} of all) captured {w.pct(t.loc['abc_a', col])}."
        )
    if metric == "profit" and (t[col] > 1).any():
        lines.append(
            "Shares above 100 % mean the accounts left out lose money in total: the key accounts "
            "earn more than the whole customer base."
        )
    return lines


def _selection_risks(t: pd.DataFrame, own: pd.DataFrame, metric: str, w: Words) -> list[str]:
    """Money-losing key accounts, and cost-to-serve out of proportion to the captured share."""
    col, risks = f"{metric}_captured", []
    count = number if w.markdown else (lambda x: str(int(x)))
    if "losing_accounts" in t.columns:
        losing = own[own["losing_accounts"] > 0].sort_values("losing_accounts", ascending=False, kind="stable")
        for name, row in losing.head(3).iterrows():
            risks.append(f"{name}: {count(row['losing_accounts'])} of its {count(row['n_key'])} key accounts "
                         "lost money in the holdout.")
    if "cost_to_serve_share" in t.columns:
        for name, row in own[own["cost_to_serve_share"] > own[col]].iterrows():
            risks.append(f"{name}: its key accounts take {w.pct(row['cost_to_serve_share'])} of the cost-to-serve "
                         f"but bring {w.pct(row[col])} of the {OUTCOME_WORDS[metric]}.")
    return risks


def _study_risks(result: Comparison, t: pd.DataFrame, own: pd.DataFrame, metric: str, w: Words) -> list[str]:
    """Over-valued CLV, key-set turnover, weight sensitivity and the programme's return."""
    risks, d = [], result.diagnostics
    if d is not None and d.future_profit_predicted is not None and (d.future_profit_actual or 0) > 0:
        ratio = d.future_profit_predicted / d.future_profit_actual - 1
        word = "over-valued" if ratio > 0 else "under-valued"
        gross = "gross profit" if metric == "profit" else "revenue"
        risks.append(
            f"future_profit ({d.future_profit_models}): the model predicted {w.money(d.future_profit_predicted)} "
            f"of {gross} for its key accounts "
            f"in the holdout; they delivered {w.money(d.future_profit_actual)} ({word} by {w.pct(abs(ratio))})."
        )
    top = result.turnover[result.turnover["definition"].isin(own.index)]
    if len(top):
        row = top.sort_values("turnover", ascending=False, kind="stable").iloc[0]
        risks.append(f"{row['definition']}: {w.pct(row['turnover'])} of its key accounts were no longer key "
                     "when re-scored one holdout-length later.")
    if d is not None and d.strategic_weight_turnover is not None:
        risks.append(
            f"strategic: perturbing the scorecard weights replaced {w.pct(d.strategic_weight_turnover)} of its key "
            f"accounts on average (up to {w.pct(d.strategic_weight_turnover_p90)} in one draw of ten): the weights "
            "are opinions."
        )
    if "roi_true" in t.columns:
        paying = [n for n in own.index if t.loc[n, "roi_true"] > 0]
        losing = [n for n in own.index if t.loc[n, "roi_true"] <= 0]
        risks.append(
            f"key-account programme (effort {w.money(result.effort_cost)} + further cost "
            f"{w.money(result.programme_cost)} per key account): with the true uplift it pays back for "
            f"{w.names(paying) or 'no definition'}"
            + ((", and loses money for " if w.markdown else " and loses money for ") + f"{w.names(losing)}."
               if losing else ".")
        )
    return risks


def _conclusion_parts(result: Comparison, w: Words) -> tuple[list[str], list[str], list[str], list[str]]:
    """The conclusion's sentences in four groups: the set-up, the findings, the risks, what was not computable."""
    t = result.table.set_index("definition")
    metric = headline_metric(result)
    own = t[t["kind"] == "definition"]
    n_key, n_all = (number(result.k), number(result.n_accounts)) if w.markdown else (result.k, result.n_accounts)
    intro = [f"With {n_key} key accounts out of {n_all} ({w.pct(result.k / result.n_accounts)}), "
             f"{len(own)} of the seven definitions could be computed on this dataset."]
    findings, risks, tail = [], [], []
    if metric is None or result.degenerate:
        intro.append(degenerate_sentence(result.degenerate or ("no holdout revenue",)))
    else:
        own = own.sort_values(f"{metric}_captured", ascending=False, kind="stable")
        intro += [interval_sentence(result, w)] if result.interval_method == "delta method" else []
        intro += [f"Shares of {OUTCOME_WORDS[m]} are not trusted here: {why}." for m, why in result.unstable.items()]
        if len(own):
            findings += _ranking_lines(result, t, own, metric, w)
        findings += _baseline_lines(result, t, metric, w)
        risks = _selection_risks(t, own, metric, w) + _study_risks(result, t, own, metric, w)
    if len(result.not_computable):
        parts = [f"{row.definition} (needs {row.missing})" for row in result.not_computable.itertuples()]
        tail.append("Not computable on this dataset: " + "; ".join(parts) + ".")
    return intro, findings, risks, tail


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

    Unstable shares are named before the ranking, and the delta method when
    it gave the intervals (:func:`interval_sentence`); a degenerate comparison
    (``Comparison.degenerate``) says so instead of ranking.

    Returns
    -------
    str
        Sentences, one per line; risk findings start with "- ".
    """
    intro, findings, risks, tail = _conclusion_parts(result, PLAIN)
    lines = intro + findings
    if risks:
        lines.append("Risks that showed up:")
        lines.extend("- " + r for r in risks)
    return "\n".join(lines + tail)


def conclusion_markdown(result: Comparison, currency: str = "currency units") -> str:
    """:func:`conclusion` as Markdown for a report page, every number taken from ``result``.

    The same findings in paragraphs (set-up, findings, baselines), the risks
    as a bullet list under "**Risks that showed up:**", money with
    thousands separators and ``currency`` ("1,364 currency units"), shares
    as "82.9 %", lists of definitions as sentences ("a, b and c"); a
    missing value reads "—" and adds the footnote :data:`MISSING_NOTE`.

    Returns
    -------
    str
        Markdown, for ``IPython.display.Markdown``.
    """
    intro, findings, risks, tail = _conclusion_parts(result, Words(markdown=True, currency=currency))
    blocks = [" ".join(intro)] + ([" ".join(findings)] if findings else [])
    if risks:
        blocks.append("**Risks that showed up:**\n\n" + "\n".join("- " + r for r in risks))
    blocks += tail
    return with_footnote("\n\n".join(blocks))
