"""The export tables: per account, key lists, at-risk list and the comparison, with stable columns."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kamlab import clv, rfm, survival
from kamlab.data.account_columns import ATTRIBUTES
from kamlab.definitions import BASELINES, DefinitionScore, FutureProfitScore, ranking
from kamlab.segmentation import segment_accounts
from kamlab.segments import descending_positions, ids_ascending

from .columns import ACCOUNT_COLUMNS, AT_RISK_COLUMNS, COMPARISON_COLUMNS, KEY_COLUMNS, NAMES, TYPES
from .ledger import Ledger, isin


def _stable(frame: pd.DataFrame, columns: tuple[str, ...], blanks: bool = True) -> pd.DataFrame:
    """``frame`` with exactly ``columns`` in that order: missing ones blank, others left out.

    ``frame.reset_index().reindex(columns=columns)`` for a frame indexed by
    customer_id, built column by column (no copy of the columns kept, one NaN
    column per missing one): at a million rows reindexing copied every block.
    ``blanks=False`` leaves the missing columns out (the writer knows them blank).
    """
    if frame.index.name != "customer_id" or frame.empty:
        return frame.reset_index().reindex(columns=list(columns)) if frame.index.name == "customer_id" \
            else frame.reindex(columns=list(columns))
    kept = [c for c in columns if blanks or c in frame or c == "customer_id"]
    data = {column: frame.index.array if column == "customer_id" else frame[column].array if column in frame
            else np.full(len(frame), np.nan) for column in kept}
    return pd.DataFrame(data, index=pd.RangeIndex(len(frame)), copy=False)


def _model_columns(summary: pd.DataFrame, horizon: float, fitted=None, *,
                   value: bool = True) -> tuple[pd.DataFrame, str]:
    """``p_alive``, ``expected_purchases`` and ``clv`` per account from a value model, and its note.

    On a weekly summary: P(alive | x, t_x, T) and E[X(T, T + horizon) | x,
    t_x, T] under the purchase model the data support
    (:func:`kamlab.clv.fit_value_model`: BG/NBD, Pareto/NBD, or NBD when no
    dropout is detectable, where P(alive) = 1), and CLV = the discounted
    expected revenue over ``horizon`` weeks (:func:`kamlab.clv.predicted_value`,
    10 % a year: Gamma-Gamma spend, or each account's own mean spend).
    ``fitted``, a :class:`kamlab.definitions.FutureProfitScore` of the same
    summary, gives the model and the CLV (its ``clv_revenue``, at the study's
    discount rate) without fitting again; ``value=False`` leaves ``clv`` out
    (the at-risk list does not show it). An empty frame and the reason when
    no model can be fitted.
    """
    try:
        model = fitted.value_model if fitted is not None else clv.fit_value_model(summary)
        columns = {"p_alive": clv.probability_alive(model.purchases, summary),
                   "expected_purchases": clv.expected_purchases(model.purchases, summary, horizon)}
        if value:
            columns["clv"] = fitted.clv_revenue.reindex(summary.index) if fitted is not None else \
                clv.predicted_value(model, summary, horizon=horizon)
        return pd.DataFrame(columns), model.note
    except ValueError as failure:  # FitError, SummaryError: no model describes these data
        return pd.DataFrame(index=summary.index), f"p_alive, expected_purchases and clv not computable: {failure}"


def _window_facts(daily: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    """Orders, frequency, first and last purchase and recency_days per account, from the day summary up to ``end``."""
    first = end.normalize() - pd.to_timedelta(daily["T"], unit="D")
    return pd.DataFrame({"orders": (daily["frequency"] + 1).astype("int64"),
                         "frequency": daily["frequency"].astype("int64"),
                         "first_purchase": first, "last_purchase": first + pd.to_timedelta(daily["recency"], unit="D"),
                         "recency_days": (daily["T"] - daily["recency"]).astype("int64")}, index=daily.index)


def _segments(transactions: pd.DataFrame, accounts: pd.DataFrame | None, end: pd.Timestamp,
              index: pd.Index, ledger: Ledger, daily: pd.DataFrame) -> pd.DataFrame:
    """ABC, XYZ, the key-client types (Int64 1/0) and the tier, blank where not computable."""
    seg = segment_accounts(transactions, accounts, end=end, summary=daily, codes=(ledger.codes, ledger.accounts))
    out = pd.DataFrame({"abc": seg.abc.astype(object), "xyz": seg.xyz.astype(object)}).reindex(index)
    for name in TYPES:
        if name in seg.types.table.columns:
            out[name] = seg.types.table[name].reindex(index).astype("Int64")
    if seg.tiers is not None:
        out["tier"] = seg.tiers.astype(object).reindex(index)
    return out


def _ranks(scores: pd.Series, by_position: bool) -> tuple[pd.Series, np.ndarray]:
    """Rank 1.. of each finite score in key order (score descending, ties by id), blank (NA) for the others,
    and the positions of the ranked accounts in that order.

    The order of :func:`kamlab.definitions.ranking`; with the ids in ascending
    order (``by_position``) ties are broken by position, without comparing ids.
    """
    values = scores.to_numpy(dtype=float)
    if by_position:
        finite = np.flatnonzero(np.isfinite(values))
        order = finite[descending_positions(values[finite])]
    else:
        order = scores.index.get_indexer(ranking(scores))
        order = order[np.isfinite(values[order])]
    rank = np.zeros(len(values), dtype=np.int64)
    rank[order] = np.arange(1, len(order) + 1)
    return pd.Series(pd.arrays.IntegerArray(rank, rank == 0), index=scores.index), order


def _key_flags(index: pd.Index, order: np.ndarray, selection) -> np.ndarray:
    """1/0 per account of ``index``: in ``selection``.

    A selection that is the head of the ranking (``order``), as
    :func:`kamlab.definitions.select` makes it, is found by comparing it with
    that head, without looking its ids up.
    """
    selection = pd.Index(selection)
    head = order[:len(selection)]
    flags = np.zeros(len(index), dtype=np.int64)
    if len(head) == len(selection) and index[head].equals(selection):
        flags[head] = 1
        return flags
    return isin(index, selection).astype(np.int64)


def _definition_columns(comparison, index: pd.Index) -> pd.DataFrame:
    """score_, rank_ and key_ per definition: blank for a definition that was not computable."""
    out = {}
    by_position = ids_ascending(index)
    for name in NAMES:
        scored = comparison.scores.get(name)
        if not isinstance(scored, DefinitionScore):
            continue
        scores = scored.scores.reindex(index)
        rank, order = _ranks(scores, by_position)
        key = _key_flags(index, order, comparison.selections.get(name, []))
        out.update({f"score_{name}": scores, f"rank_{name}": rank,
                    f"key_{name}": pd.Series(pd.array(key, dtype="Int64"), index=index)})
    return pd.DataFrame(out, index=index)


def account_table(comparison, dataset) -> pd.DataFrame:
    """accounts.csv: one row per account that bought in the calibration window, in ``ACCOUNT_COLUMNS``.

    Revenue and profit are the study's calibration numbers (``revenue_cal``,
    ``profit_cal`` of ``comparison.accounts``), holdout outcomes as the
    comparison judged them; see :data:`COLUMN_DOCS` for every column. Rows in
    ``customer_id`` order.
    """
    return _account_table(comparison, dataset)[0]


def _account_table(comparison, dataset, ledger: Ledger | None = None, *,
                   blanks: bool = True) -> tuple[pd.DataFrame, str]:
    windows, study = comparison.windows, comparison.accounts
    cal_end = windows.calibration_end
    index = study.index if ids_ascending(study.index) else study.index.sort_values()
    tx, accounts = dataset.transactions, dataset.accounts
    ledger = Ledger.of(tx) if ledger is None else ledger
    daily = ledger.day_summary(cal_end)
    table = pd.DataFrame({"revenue": study["revenue_cal"]}, index=index)
    for column, source in (("profit", "profit_cal"), ("revenue_holdout", "revenue_holdout"),
                           ("profit_holdout", "profit_holdout")):
        if source in study.columns:
            table[column] = study[source]
    fitted = comparison.scores.get("future_profit")
    values, note = _model_columns(windows.summary.reindex(index), windows.holdout_weeks,
                                  fitted if isinstance(fitted, FutureProfitScore) else None)
    parts = [table, _window_facts(daily, cal_end).reindex(index), values,
             _segments(tx, accounts, cal_end, index, ledger, daily), _definition_columns(comparison, index)]
    if accounts is not None:
        attributes = accounts.reindex(index)[[c for c in ATTRIBUTES if c in accounts.columns]]
        if "kam_pilot" in attributes:
            attributes = attributes.astype({"kam_pilot": "Int64"})
        parts.append(attributes)
    table = pd.concat(parts, axis=1)
    table.index.name = "customer_id"
    return _stable(table, ACCOUNT_COLUMNS, blanks), note


def key_account_list(accounts_table: pd.DataFrame, name: str) -> pd.DataFrame:
    """key_accounts_<name>.csv: the key accounts of definition ``name``, most key first, in ``KEY_COLUMNS``."""
    key = accounts_table[accounts_table[f"key_{name}"] == 1]
    key = key.assign(rank=key[f"rank_{name}"], score=key[f"score_{name}"]).sort_values("rank", kind="mergesort")
    return _stable(key, KEY_COLUMNS)


def at_risk_list(dataset, observation_end, *, threshold: float = 0.5, inactivity=180,
                 horizon_weeks: float = 52.0, ledger: Ledger | None = None,
                 lost: pd.Index | None = None) -> tuple[pd.DataFrame, str]:
    """at_risk.csv: accounts still buying at ``observation_end`` whose P(alive) < ``threshold``.

    "Still buying" = not lost by :func:`kamlab.survival.win_back_list`'s
    rule (a purchase in the last ``inactivity`` days); P(alive) and the
    expected purchase weeks in the next ``horizon_weeks`` come from the
    purchase model :func:`kamlab.clv.fit_value_model` chooses on the weekly
    summary of all the data up to ``observation_end`` (under NBD, no dropout
    is detectable, P(alive) = 1 and nobody is at risk). Ordered by revenue
    (whole data, descending), then P(alive), then id. Returns the table
    (``AT_RISK_COLUMNS``) and the model's note. ``ledger`` (the transactions'
    :class:`Ledger`) and ``lost`` (the win-back list's ids) may be given when
    the caller has them already.
    """
    end = pd.Timestamp(observation_end)
    tx = dataset.transactions
    weekly = rfm.summarise_rfm(tx, end, freq="W")
    # The CLV is not shown; it is still computed for a horizon the value model refuses (that refusal is the note).
    values, note = _model_columns(weekly, horizon_weeks, value=not horizon_weeks > 0)
    if "p_alive" not in values:
        return _stable(pd.DataFrame(), AT_RISK_COLUMNS), note.replace("p_alive, expected_purchases and clv",
                                                                     "the at-risk list")
    ledger = Ledger.of(tx) if ledger is None else ledger
    if lost is None:
        lost = survival.win_back_list(tx, end, inactivity=inactivity, codes=(ledger.codes, ledger.accounts)).index
    facts = _window_facts(ledger.day_summary(end), end)
    table = pd.concat([values[["p_alive", "expected_purchases"]], weekly[["revenue"] + (
        ["profit"] if "profit" in weekly else [])], facts[["orders", "last_purchase"]]], axis=1)
    table["days_silent"] = ((end - table["last_purchase"]) / pd.Timedelta(days=1)).astype("int64")
    table = table[~isin(table.index, lost) & (table["p_alive"] < threshold).to_numpy()]
    ties = np.arange(len(table)) if ids_ascending(table.index) else table.index.astype(str).to_numpy()
    order = np.lexsort((ties, table["p_alive"].to_numpy(), -table["revenue"].to_numpy()))
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
