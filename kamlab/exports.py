"""Exports an account team can use: the study's per-account table and lists, as CSV files.

:func:`write_exports` writes, from a :class:`kamlab.compare.Comparison` and its
dataset, a folder of CSV files with stable columns in a stable order (a column
the data cannot fill is blank, never 0) and a README.txt naming every file and
column with its unit:

=========================  ==================================================
file                       one row per
=========================  ==================================================
accounts.csv               account that bought in the calibration window
key_accounts_<name>.csv    key account of each computable definition
win_back.csv               account lost by the inactivity rule, at the end of
                           the data (:func:`kamlab.survival.win_back_list`)
at_risk.csv                account still buying at the end of the data whose
                           probability of being alive (under the purchase model
                           that fits) is below a threshold
comparison.csv             definition and baseline (the comparison table)
=========================  ==================================================

The accounts table and the key lists describe the study: the calibration
window the definitions saw, and the holdout outcomes they are judged on. The
win-back and at-risk lists are for action: they look at all the data, up to
the observation end. Money is in the data's currency units, rounded to cents,
so that the exported revenue adds up to the validation report's kept revenue
of the window (when the file's amounts are in cents). Files are UTF-8 with a
byte-order mark, which Excel needs to show accents; dates are YYYY-MM-DD.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from kamlab import clv, rfm, survival
from kamlab.data.account_columns import ATTRIBUTES
from kamlab.definitions import BASELINES, DEFINITIONS, DefinitionScore, FutureProfitScore, ranking
from kamlab.segmentation import segment_accounts

#: Definitions and baselines, in the order of every export.
NAMES = DEFINITIONS + BASELINES
#: The four key-client types (kamlab.client_types), columns of accounts.csv.
TYPES = ("breadwinner", "prospect", "image_maker", "expert")
_MONEY = ("revenue", "profit", "clv", "revenue_holdout", "profit_holdout", "value_lost", "cost_to_serve")

#: Unit and meaning of each column (README.txt); {cal}, {end}: the window ends; {window}, {asof},
#: {horizon}: the window a file describes (see :func:`_readme`).
COLUMN_DOCS = {
    "customer_id": "the account's id, as in the data",
    "revenue": "currency units: sum of the amounts in the {window}",
    "profit": "currency units: revenue minus cost of goods in the {window} (blank without a cost column)",
    "orders": "purchase days in the {window} (order lines of one day are one order)",
    "frequency": "repeat purchase days in the {window} (orders - 1), as the BTYD models count",
    "first_purchase": "date of the first purchase",
    "last_purchase": "date of the last purchase in the {window}",
    "recency_days": "days from the last purchase to the end of the calibration window ({cal})",
    "clv": "currency units: predicted discounted revenue over the holdout's length after {cal} "
           "(at the study's discount rate; the purchase and spend models are named in the notes)",
    "p_alive": "probability (0-1) that the account was still a customer on {asof} (1 under NBD: no dropout)",
    "expected_purchases": "purchase weeks the purchase model expects in the {horizon}",
    "revenue_holdout": "currency units: what the account bought in the holdout window, after {cal} to {end}",
    "profit_holdout": "currency units: holdout revenue minus cost of goods, minus cost-to-serve when the "
                      "accounts file gives it (blank without a cost column)",
    "abc": "A, B or C by calibration revenue (A: the largest accounts making 80 %, B: the next 15 %)",
    "xyz": "X, Y or Z by the variability of quarterly revenue (X steady, Z erratic or short history)",
    "breadwinner": "1/0: brings >= 10 % of calibration profit (blank without cost)",
    "prospect": "1/0: top-20 % growth potential, not yet top-20 % revenue (blank without growth_potential)",
    "image_maker": "1/0: top-20 % influence, else referrals (blank without them)",
    "expert": "1/0: top-20 % service tickets, else cost-to-serve (blank without them)",
    "tier": "key, important, customers or difficult, from loyalty and strategic fit (blank without strategic_fit)",
    "days_silent": "days from the last purchase to the observation end ({end})",
    "value_lost": "currency units per year: profit (revenue without cost) of the account's last year as a customer",
    "rank": "1 = the most key account of the definition",
    "score": "the definition's score (unit: see the score_ columns of accounts.csv)",
}
SCORE_UNITS = {
    "biggest": "calibration revenue, currency units",
    "mustnt_lose": "share of total calibration gross profit (0-1)",
    "future_profit": "predicted discounted profit over the holdout's length, currency units",
    "staff_focus": "staff hours",
    "extra_effort": "estimated extra profit from key-account effort in the holdout, currency units",
    "demanding": "service tickets (cost-to-serve, currency units, without tickets)",
    "strategic": "weighted scorecard of percentile ranks (0-1)",
    "random": "a seeded random number (baseline)",
    "abc_a": "calibration revenue; key = the ABC class A (baseline, at its own size)",
    "oracle": "true future value, currency units (synthetic worlds only)",
}
_OUTCOME_WORDS = {"revenue": "holdout revenue", "profit": "holdout profit", "true_value": "true future value (synthetic)"}
#: Unit and meaning of each column of comparison.csv.
COMPARISON_DOCS = {
    "definition": "the definition or baseline", "kind": "definition or baseline",
    "computable": "1/0: could it be scored on this dataset", "reason": "why not (blank when computable)",
    "n_key": "number of key accounts it selected",
    **{f"{o}_captured": f"share (0-1) of the {w} brought by the key accounts" for o, w in _OUTCOME_WORDS.items()},
    **{f"{o}_captured_{b}": f"{b}er bound of the bootstrap confidence interval of {o}_captured"
       for o in _OUTCOME_WORDS for b in ("low", "high")},
    **{f"{o}_lift": f"{o}_captured / share of accounts selected (1 = what random selection gets)"
       for o in _OUTCOME_WORDS},
    "precision": "share of the key accounts among the oracle's top k (synthetic)",
    "recall": "share of the oracle's top k among the key accounts (synthetic)",
    "cost_to_serve_share": "share (0-1) of the holdout cost-to-serve that the key accounts take",
    "losing_accounts": "key accounts with a holdout loss (profit < 0)",
    **{f"uplift_{u}": f"currency units: extra holdout profit if the key accounts get the programme ({w})"
       for u, w in (("true", "the world's truth, synthetic"), ("estimated", "estimated from the pilot"))},
    **{f"net_gain_{u}": f"currency units: uplift_{u} minus the programme's cost" for u in ("true", "estimated")},
    **{f"roi_{u}": f"net_gain_{u} / the programme's cost" for u in ("true", "estimated")},
    "turnover": "share (0-1) of key accounts not key again on the next window (blank: not re-scored)",
}
ACCOUNT_COLUMNS = ("customer_id", "revenue", "profit", "orders", "frequency", "first_purchase", "last_purchase",
                   "recency_days", "clv", "p_alive", "expected_purchases", "revenue_holdout", "profit_holdout",
                   "abc", "xyz") + TYPES + ("tier",) + ATTRIBUTES + tuple(
                       f"{part}_{name}" for name in NAMES for part in ("score", "rank", "key"))
KEY_COLUMNS = ("rank", "customer_id", "score", "revenue", "profit", "clv", "p_alive", "last_purchase",
               "revenue_holdout", "profit_holdout")
WIN_BACK_COLUMNS = ("customer_id", "first_purchase", "last_purchase", "days_silent", "orders", "revenue",
                    "profit", "value_lost")
AT_RISK_COLUMNS = ("customer_id", "p_alive", "last_purchase", "days_silent", "orders", "revenue", "profit",
                   "expected_purchases")
COMPARISON_COLUMNS = ("definition", "kind", "computable", "reason", "n_key") + tuple(
    f"{o}_{part}" for o in ("revenue", "profit", "true_value")
    for part in ("captured", "captured_low", "captured_high", "lift")) + (
    "precision", "recall", "cost_to_serve_share", "losing_accounts", "uplift_true", "net_gain_true", "roi_true",
    "uplift_estimated", "net_gain_estimated", "roi_estimated", "turnover")


def _stable(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """``frame`` with exactly ``columns`` in that order: missing ones blank, others left out."""
    return frame.reset_index().reindex(columns=list(columns)) if frame.index.name == "customer_id" \
        else frame.reindex(columns=list(columns))


def _model_columns(summary: pd.DataFrame, horizon: float, fitted=None) -> tuple[pd.DataFrame, str]:
    """``p_alive``, ``expected_purchases`` and ``clv`` per account from a value model, and its note.

    On a weekly summary: P(alive | x, t_x, T) and E[X(T, T + horizon) | x,
    t_x, T] under the purchase model the data support
    (:func:`kamlab.clv.fit_value_model`: BG/NBD, Pareto/NBD, or NBD when no
    dropout is detectable, where P(alive) = 1), and CLV = the discounted
    expected revenue over ``horizon`` weeks (:func:`kamlab.clv.predicted_value`,
    10 % a year: Gamma-Gamma spend, or each account's own mean spend).
    ``fitted``, a :class:`kamlab.definitions.FutureProfitScore` of the same
    summary, gives the model and the CLV (its ``clv_revenue``, at the study's
    discount rate) without fitting again. An empty frame and the reason when
    no model can be fitted.
    """
    try:
        model = fitted.value_model if fitted is not None else clv.fit_value_model(summary)
        value = fitted.clv_revenue.reindex(summary.index) if fitted is not None else \
            clv.predicted_value(model, summary, horizon=horizon)
        return pd.DataFrame({
            "p_alive": clv.probability_alive(model.purchases, summary),
            "expected_purchases": clv.expected_purchases(model.purchases, summary, horizon),
            "clv": value,
        }), model.note
    except ValueError as failure:  # FitError, SummaryError: no model describes these data
        return pd.DataFrame(index=summary.index), f"p_alive, expected_purchases and clv not computable: {failure}"


def _window_facts(transactions: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    """Orders, frequency, first and last purchase and recency_days per account, up to ``end`` (whole days)."""
    daily = rfm.summarise_rfm(transactions, end, freq="D", monetary=False)
    first = end.normalize() - pd.to_timedelta(daily["T"], unit="D")
    return pd.DataFrame({"orders": (daily["frequency"] + 1).astype("int64"),
                         "frequency": daily["frequency"].astype("int64"),
                         "first_purchase": first, "last_purchase": first + pd.to_timedelta(daily["recency"], unit="D"),
                         "recency_days": (daily["T"] - daily["recency"]).astype("int64")}, index=daily.index)


def _segments(transactions: pd.DataFrame, accounts: pd.DataFrame | None, end: pd.Timestamp,
              index: pd.Index) -> pd.DataFrame:
    """ABC, XYZ, the key-client types (Int64 1/0) and the tier, blank where not computable."""
    seg = segment_accounts(transactions, accounts, end=end)
    out = pd.DataFrame({"abc": seg.abc.astype(object), "xyz": seg.xyz.astype(object)}).reindex(index)
    for name in TYPES:
        if name in seg.types.table.columns:
            out[name] = seg.types.table[name].reindex(index).astype("Int64")
    if seg.tiers is not None:
        out["tier"] = seg.tiers.astype(object).reindex(index)
    return out


def _definition_columns(comparison, index: pd.Index) -> pd.DataFrame:
    """score_, rank_ and key_ per definition: blank for a definition that was not computable."""
    out = pd.DataFrame(index=index)
    for name in NAMES:
        scored = comparison.scores.get(name)
        if not isinstance(scored, DefinitionScore):
            continue
        scores = scored.scores.reindex(index)
        order = ranking(scores)
        order = order[np.isfinite(scores.reindex(order).to_numpy(dtype=float))]
        out[f"score_{name}"] = scores
        out[f"rank_{name}"] = pd.Series(np.arange(1, len(order) + 1), index=order).reindex(index).astype("Int64")
        out[f"key_{name}"] = pd.Series(index.isin(comparison.selections.get(name, [])), index=index).astype("Int64")
    return out


def account_table(comparison, dataset) -> pd.DataFrame:
    """accounts.csv: one row per account that bought in the calibration window, in ``ACCOUNT_COLUMNS``.

    Revenue and profit are the study's calibration numbers (``revenue_cal``,
    ``profit_cal`` of ``comparison.accounts``), holdout outcomes as the
    comparison judged them; see :data:`COLUMN_DOCS` for every column. Rows in
    ``customer_id`` order.
    """
    return _account_table(comparison, dataset)[0]


def _account_table(comparison, dataset) -> tuple[pd.DataFrame, str]:
    windows, study = comparison.windows, comparison.accounts
    cal_end, index = windows.calibration_end, study.index.sort_values()
    tx, accounts = dataset.transactions, dataset.accounts
    table = pd.DataFrame({"revenue": study["revenue_cal"]}, index=index)
    for column, source in (("profit", "profit_cal"), ("revenue_holdout", "revenue_holdout"),
                           ("profit_holdout", "profit_holdout")):
        if source in study.columns:
            table[column] = study[source]
    fitted = comparison.scores.get("future_profit")
    values, note = _model_columns(windows.summary.reindex(index), windows.holdout_weeks,
                                  fitted if isinstance(fitted, FutureProfitScore) else None)
    parts = [table, _window_facts(tx, cal_end).reindex(index), values,
             _segments(tx, accounts, cal_end, index), _definition_columns(comparison, index)]
    if accounts is not None:
        attributes = accounts.reindex(index)[[c for c in ATTRIBUTES if c in accounts.columns]]
        if "kam_pilot" in attributes:
            attributes = attributes.astype({"kam_pilot": "Int64"})
        parts.append(attributes)
    table = pd.concat(parts, axis=1)
    table.index.name = "customer_id"
    return _stable(table, ACCOUNT_COLUMNS), note


def key_account_list(accounts_table: pd.DataFrame, name: str) -> pd.DataFrame:
    """key_accounts_<name>.csv: the key accounts of definition ``name``, most key first, in ``KEY_COLUMNS``."""
    key = accounts_table[accounts_table[f"key_{name}"] == 1]
    key = key.assign(rank=key[f"rank_{name}"], score=key[f"score_{name}"]).sort_values("rank", kind="mergesort")
    return _stable(key, KEY_COLUMNS)


def at_risk_list(dataset, observation_end, *, threshold: float = 0.5, inactivity=180,
                 horizon_weeks: float = 52.0) -> tuple[pd.DataFrame, str]:
    """at_risk.csv: accounts still buying at ``observation_end`` whose P(alive) < ``threshold``.

    "Still buying" = not lost by :func:`kamlab.survival.win_back_list`'s
    rule (a purchase in the last ``inactivity`` days); P(alive) and the
    expected purchase weeks in the next ``horizon_weeks`` come from the
    purchase model :func:`kamlab.clv.fit_value_model` chooses on the weekly
    summary of all the data up to ``observation_end`` (under NBD, no dropout
    is detectable, P(alive) = 1 and nobody is at risk). Ordered by revenue
    (whole data, descending), then P(alive), then id. Returns the table
    (``AT_RISK_COLUMNS``) and the model's note.
    """
    end = pd.Timestamp(observation_end)
    tx = dataset.transactions
    weekly = rfm.summarise_rfm(tx, end, freq="W")
    values, note = _model_columns(weekly, horizon_weeks)
    if "p_alive" not in values:
        return _stable(pd.DataFrame(), AT_RISK_COLUMNS), note.replace("p_alive, expected_purchases and clv",
                                                                     "the at-risk list")
    lost = survival.win_back_list(tx, end, inactivity=inactivity).index
    facts = _window_facts(tx, end)
    table = pd.concat([values[["p_alive", "expected_purchases"]], weekly[["revenue"] + (
        ["profit"] if "profit" in weekly else [])], facts[["orders", "last_purchase"]]], axis=1)
    table["days_silent"] = ((end - table["last_purchase"]) / pd.Timedelta(days=1)).astype("int64")
    table = table[~table.index.isin(lost) & (table["p_alive"] < threshold)]
    order = np.lexsort((table.index.astype(str).to_numpy(), table["p_alive"].to_numpy(), -table["revenue"].to_numpy()))
    table = table.iloc[order]
    table.index.name = "customer_id"
    return _stable(table, AT_RISK_COLUMNS), note


def comparison_table(comparison) -> pd.DataFrame:
    """comparison.csv: one row per definition and baseline in registry order, ``COMPARISON_COLUMNS``.

    Computable rows carry the metrics of :func:`kamlab.compare.compare_definitions`
    (shares 0-1, currency units for uplift and net gain) and ``turnover``;
    not-computable rows say why in ``reason`` (the oracle outside synthetic
    worlds included). Metrics the data cannot support are blank.
    """
    table = comparison.table.set_index("definition")
    if not comparison.turnover.empty:
        table = table.join(comparison.turnover.set_index("definition")["turnover"])
    reasons = comparison.not_computable.set_index("definition")["reason"] if len(comparison.not_computable) \
        else pd.Series(dtype=object)
    out = table.reindex([n for n in NAMES if n in table.index or n in reasons.index])
    out["computable"] = pd.Series(out.index.isin(table.index), index=out.index).astype("Int64")
    out["reason"] = reasons.reindex(out.index)
    out["kind"] = np.where(out.index.isin(BASELINES), "baseline", "definition")
    return _stable(out.rename_axis("definition").reset_index(), COMPARISON_COLUMNS)


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
