"""Judging every definition's key set on the holdout outcomes, one named step per group of columns.

At the same number k of key accounts for every definition (baselines with
their own size, like ``abc_a``, keep it):

- **captured share** of holdout revenue and profit, sum over key accounts /
  sum over all accounts, with a seeded bootstrap confidence interval, and
  the **lift** over random selection: captured share / (n_key / n);
- **precision** and **recall** against the oracle's top k: |S & O| / |S| and
  |S & O| / k (synthetic worlds);
- **cost-to-serve share** of the key accounts, and how many of them **lose
  money** in the holdout;
- **programme ROI** of giving the key accounts extra effort at a cost per
  account, from the true or the estimated uplift;
- **gain curves** (captured share against share of accounts selected, in key
  order), **turnover** of the key set from one window to the next and the
  **Jaccard overlap** between definitions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from kamlab.definitions import REGISTRY, Definition, DefinitionScore, NotComputable, key_account_count
from kamlab.definitions.selection import ranking_positions, tie_ranks, top_positions

from .intervals import bootstrap_captures, delta_method_interval, interval_method, percentile_interval
from .positions import aligned_values, gain_from_order, gain_points, jaccard, membership, parallel_map
from .quality import degenerate_reasons, unstable_shares
from .result import Comparison

#: Outcomes whose captured share the table reports when the data have them, and why not otherwise.
OUTCOMES = {
    "profit": "no cost data, so no profit",
    "true_value": "no ground truth: the true future value is known only in synthetic worlds",
}


@dataclass(frozen=True)
class KeySets:
    """The key set of every computable definition over the accounts to choose from, in positions."""

    names: list[str]                 # table rows, in registry order
    selections: dict[str, pd.Index]  # name -> selected customer_id values
    member: np.ndarray               # accounts x definitions, 1 if key
    missing: pd.DataFrame            # the not-computable definitions and why
    k: int
    orders: dict[str, np.ndarray] = field(default_factory=dict)  # name -> all positions in key order
    ties: np.ndarray | None = None   # the universe's customer_id string order (None: already sorted)


def check_outcomes(outcomes: pd.DataFrame, *, level: float, n_bootstrap: int, costs: tuple[float, float]) -> pd.DataFrame:
    """The outcomes as floats, after checking every argument; raises ValueError naming what is wrong."""
    if "revenue" not in outcomes.columns:
        raise ValueError(f"outcomes: needs a 'revenue' column (holdout revenue); have {list(outcomes.columns)}")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    if n_bootstrap < 0:
        raise ValueError(f"n_bootstrap must be >= 0, got {n_bootstrap}")
    if min(costs) < 0:
        raise ValueError(f"programme_cost and effort_cost must be >= 0, got {costs[0]}, {costs[1]}")
    outcomes = outcomes.astype(float)
    bad = [c for c in outcomes.columns if not np.isfinite(outcomes[c].to_numpy()).all()]
    if bad:
        raise ValueError(f"outcomes: columns {bad} have missing or infinite values; fill them (e.g. 0) first")
    return outcomes


def key_sets(scores: Mapping, universe: pd.Index, k: int, order: Sequence[str]) -> KeySets:
    """Select each computable definition's key accounts (its own size if it has one, else k).

    Each score is aligned on the universe once and ranked on arrays
    (:func:`kamlab.definitions.selection.ranking_positions`, ties by
    ``customer_id`` as in :func:`kamlab.definitions.select`); the full order
    is kept for the gain curves, the first k positions are the key set.
    """
    computable = {name: s for name, s in scores.items() if isinstance(s, DefinitionScore)}
    missing = pd.DataFrame(
        [{"definition": name, "missing": ", ".join(s.missing), "reason": s.reason}
         for name, s in scores.items() if isinstance(s, NotComputable)],
        columns=["definition", "missing", "reason"])
    names = [name for name in order if name in computable] + [n for n in computable if n not in order]
    n, ties = len(universe), tie_ranks(universe)
    values = [aligned_values(computable[name].scores, universe) for name in names]
    first = [next(i for i in range(j + 1) if np.array_equal(values[i], values[j], equal_nan=True))
             for j in range(len(values))]  # abc_a ranks by biggest's revenue: sorted once
    distinct = sorted(set(first))
    sorted_once = dict(zip(distinct, parallel_map(lambda i: ranking_positions(values[i], ties), distinct)))
    orders = {name: sorted_once[i] for name, i in zip(names, first)}
    chosen = [orders[name][:min(computable[name].size or k, n)] for name in names]
    selections = {name: universe[top] for name, top in zip(names, chosen)}
    return KeySets(names, selections, membership(chosen, n), missing, k, orders, ties)


def shared_metrics(outcomes: pd.DataFrame, unavailable: dict[str, str]) -> list[str]:
    """The outcomes shares are taken of: revenue, profit and true value where they exist and sum to > 0."""
    metrics = []
    for metric, why in {"revenue": "no holdout revenue", **OUTCOMES}.items():
        if metric not in outcomes.columns:
            unavailable[f"{metric}_captured"] = why
        elif outcomes[metric].sum() <= 0:
            unavailable[f"{metric}_captured"] = f"{metric.replace('_', ' ')} sums to {outcomes[metric].sum():,.0f} " \
                "over all accounts, so shares of it are meaningless"
        else:
            metrics.append(metric)
    return metrics


def capture_columns(table: pd.DataFrame, outcomes: pd.DataFrame, sets: KeySets, metrics: list[str], *,
                    n_bootstrap: int, seed: int, level: float, method: str, unavailable: dict[str, str]) -> None:
    """Add ``o_captured`` (with ``_low``/``_high`` interval ends) and ``o_lift`` for every outcome o.

    The interval is the percentile bootstrap or the delta method, as ``method``
    says (:func:`kamlab.compare.intervals.interval_method`); none for "none".
    """
    if not metrics:
        return
    y = outcomes[metrics].to_numpy()
    n_key = sets.member.sum(axis=0)
    captured = (y.T @ sets.member) / y.sum(axis=0)[:, None]  # M x D
    if method == "bootstrap":
        low, high = percentile_interval(bootstrap_captures(y, sets.member, n_bootstrap=n_bootstrap, seed=seed), level)
    elif method == "delta method":
        low, high = delta_method_interval(y, sets.member, level)
    else:
        unavailable["captured_low/high"] = "n_bootstrap = 0: no confidence intervals"
    for j, metric in enumerate(metrics):
        table[f"{metric}_captured"] = captured[j]
        if method != "none":
            table[f"{metric}_captured_low"] = low[j]
            table[f"{metric}_captured_high"] = high[j]
        table[f"{metric}_lift"] = captured[j] / (n_key / len(outcomes))


def precision_recall(table: pd.DataFrame, scores: Mapping, universe: pd.Index, sets: KeySets,
                     unavailable: dict[str, str]) -> None:
    """Add ``precision`` |S & O| / |S| and ``recall`` |S & O| / |O| against the oracle's top k."""
    if "oracle" not in sets.selections:
        unavailable["precision/recall"] = "no oracle: the true future value is known only in synthetic worlds"
        return
    oracle = scores["oracle"]
    if oracle.size is None:
        best = sets.member[:, sets.names.index("oracle")]
    else:
        best = membership([top_positions(aligned_values(oracle.scores, universe), sets.k, sets.ties)],
                          len(universe))[:, 0]
    hits = best @ sets.member
    table["precision"] = hits / sets.member.sum(axis=0)
    table["recall"] = hits / best.sum()


def cost_columns(table: pd.DataFrame, outcomes: pd.DataFrame, sets: KeySets, unavailable: dict[str, str]) -> None:
    """Add ``cost_to_serve_share`` of the key accounts and ``losing_accounts`` (holdout profit < 0)."""
    if "cost_to_serve" in outcomes.columns and outcomes["cost_to_serve"].sum() > 0:
        cts = outcomes["cost_to_serve"].to_numpy()
        table["cost_to_serve_share"] = (cts @ sets.member) / cts.sum()
    else:
        unavailable["cost_to_serve_share"] = "no cost_to_serve column"
    if "profit" in outcomes.columns:
        table["losing_accounts"] = ((outcomes["profit"].to_numpy() < 0).astype(float) @ sets.member).astype(int)
    else:
        unavailable["losing_accounts"] = "no cost data, so no profit"


def programme_roi(table: pd.DataFrame, outcomes: pd.DataFrame, sets: KeySets, *, programme_cost: float,
                  effort_cost: float, unavailable: dict[str, str]) -> None:
    """Add ``uplift_u``, ``net_gain_u`` = uplift - programme_cost * n_key and ``roi_u`` for u in (true, estimated).

    roi = net_gain / ((effort_cost + programme_cost) * n_key): the return per unit spent.
    """
    n_key = sets.member.sum(axis=0)
    for source in ("true", "estimated"):
        column = f"uplift_{source}"
        if column not in outcomes.columns:
            unavailable[f"roi_{source}"] = (
                "no true uplift: known only in synthetic worlds" if source == "true"
                else "no uplift estimate: needs a randomised pilot (kam_pilot)"
            )
            continue
        uplift = outcomes[column].to_numpy() @ sets.member
        table[column] = uplift
        table[f"net_gain_{source}"] = uplift - programme_cost * n_key
        if effort_cost + programme_cost > 0:
            table[f"roi_{source}"] = (uplift - programme_cost * n_key) / ((effort_cost + programme_cost) * n_key)
        else:
            unavailable[f"roi_{source}"] = "the programme costs nothing here, so the ROI is undefined"


def gain_table(scores: Mapping, outcomes: pd.DataFrame, sets: KeySets, metrics: list[str], points: int) -> pd.DataFrame:
    """Tidy gain curves of every definition (``abc_a`` is a point at its own size, not a curve).

    Each curve is the cumulative sum of the outcome sorted in the
    definition's key order (:func:`kamlab.compare.gain_curve`, on the orders of ``sets``).
    """
    ks = gain_points(len(outcomes), points)
    values = {metric: outcomes[metric].to_numpy(dtype=float) for metric in metrics}
    gains = []
    for name in sets.names:
        if name == "abc_a" or not metrics:  # same ranking as biggest; shown as a point at its own size
            continue
        frame = pd.DataFrame({"definition": name, "share_of_accounts": ks / len(outcomes)})
        for metric in metrics:
            frame[f"{metric}_captured"] = gain_from_order(sets.orders[name], values[metric], ks)
        gains.append(frame)
    if not gains:
        return pd.DataFrame(columns=["definition", "share_of_accounts"])
    return pd.concat(gains, ignore_index=True)


def turnover_table(next_scores: Mapping | None, universe: pd.Index, sets: KeySets,
                   unavailable: dict[str, str]) -> pd.DataFrame:
    """Share of each key set not key again when re-scored on the next window: 1 - |S & S'| / |S|."""
    rows, lookup = [], []
    for j, name in enumerate(sets.names):
        again = (next_scores or {}).get(name)
        if isinstance(again, DefinitionScore):
            later = top_positions(aligned_values(again.scores, universe, lookup),
                                  min(again.size or sets.k, len(universe)), sets.ties)
            kept = sets.member[later, j].sum()
            rows.append({"definition": name, "turnover": 1 - kept / len(sets.selections[name])})
    not_rescored = [name for name in sets.names if name not in {r["definition"] for r in rows}]
    if not_rescored:
        unavailable["turnover"] = (
            "not re-scored on the next window: " + ", ".join(not_rescored)
            + " (their inputs are observed once, or there is no next window)"
        )
    return pd.DataFrame(rows, columns=["definition", "turnover"]).astype({"turnover": float})


def compare_definitions(
    scores: Mapping[str, DefinitionScore | NotComputable],
    outcomes: pd.DataFrame,
    *,
    k: int | None = None,
    share: float | None = None,
    n_bootstrap: int = 1000,
    seed: int = 0,
    level: float = 0.95,
    programme_cost: float = 0.0,
    effort_cost: float = 0.0,
    next_scores: Mapping[str, DefinitionScore | NotComputable] | None = None,
    gain_points: int = 201,
    registry: Sequence[Definition] = REGISTRY,
    bootstrap_max_accounts: int | None = None,
) -> Comparison:
    """Evaluate every definition's key set against the holdout outcomes.

    Parameters
    ----------
    scores : mapping
        name -> DefinitionScore (or NotComputable), as from
        :func:`kamlab.definitions.score_all`. An ``oracle`` entry enables
        precision and recall.
    outcomes : pd.DataFrame
        Indexed by ``customer_id``: the accounts to choose from. Columns:
        ``revenue`` (holdout revenue, required); optional ``profit`` (holdout
        profit, currency units), ``true_value`` (the truth the oracle ranks
        by, synthetic worlds), ``cost_to_serve`` (currency units),
        ``uplift_true`` and ``uplift_estimated`` (extra profit in the holdout
        window if the account gets the key-account programme, currency units).
    k, share : int or float
        The number of key accounts, or their share of the accounts (one of them).
    n_bootstrap : int
        Bootstrap replicates for the confidence intervals (0 = no intervals).
    seed : int
        Seed of the bootstrap.
    level : float
        Confidence level, e.g. 0.95.
    programme_cost : float
        Further cost of the key-account programme per key account over the
        holdout window (currency units): travel, events, concessions ...,
        beyond the effort cost the uplifts already net out.
    effort_cost : float
        Cost of the extra effort per key account that the uplifts already
        net out (currency units; e.g. the extra cost-to-serve a treated
        account had in the pilot). Only enters the ROI's denominator.
    next_scores : mapping, optional
        The same definitions re-scored on the next window, for the turnover.
    gain_points : int
        Points per gain curve.
    registry : sequence of Definition
        Gives the row order and which rows are baselines.
    bootstrap_max_accounts : int, optional
        Most accounts for which the intervals are the percentile bootstrap;
        above, the delta method (:mod:`kamlab.compare.intervals`). Default
        :data:`kamlab.compare.intervals.BOOTSTRAP_MAX_ACCOUNTS` (200,000).

    Returns
    -------
    Comparison
        ``table`` columns, where the data allow them: ``definition``, ``kind``
        ("definition" or "baseline"), ``n_key``, for each outcome o in
        (revenue, profit, true_value): ``o_captured``, ``o_captured_low``,
        ``o_captured_high`` (the interval ends, ``Comparison.interval_method``
        says how), ``o_lift``; ``precision``, ``recall``;
        ``cost_to_serve_share``; ``losing_accounts``; ``uplift_u``,
        ``net_gain_u``, ``roi_u`` for u in (true, estimated). ``unstable`` flags
        outcomes whose net total nearly cancels and ``degenerate`` says why
        the data cannot rank definitions at all (:mod:`kamlab.compare.quality`).
    """
    outcomes = check_outcomes(outcomes, level=level, n_bootstrap=n_bootstrap, costs=(programme_cost, effort_cost))
    universe = outcomes.index
    k = key_account_count(len(universe), k=k, share=share)
    sets = key_sets(scores, universe, k, [entry.name for entry in registry])
    unavailable: dict[str, str] = {}
    metrics = shared_metrics(outcomes, unavailable)
    baselines = {entry.name for entry in registry if entry.baseline}
    table = pd.DataFrame({"definition": sets.names,
                          "kind": ["baseline" if name in baselines else "definition" for name in sets.names],
                          "n_key": sets.member.sum(axis=0).astype(int)})
    method = interval_method(len(universe), n_bootstrap, bootstrap_max_accounts)
    capture_columns(table, outcomes, sets, metrics, n_bootstrap=n_bootstrap, seed=seed, level=level, method=method,
                    unavailable=unavailable)
    precision_recall(table, scores, universe, sets, unavailable)
    cost_columns(table, outcomes, sets, unavailable)
    programme_roi(table, outcomes, sets, programme_cost=programme_cost, effort_cost=effort_cost,
                  unavailable=unavailable)
    return Comparison(
        table=table, not_computable=sets.missing, overlap=jaccard(sets.member, sets.names),
        gains=gain_table(scores, outcomes, sets, metrics, gain_points),
        turnover=turnover_table(next_scores, universe, sets, unavailable),
        selections=sets.selections, unavailable=unavailable, k=int(k), n_accounts=len(universe), level=level,
        n_bootstrap=n_bootstrap, seed=seed, interval_method=method,
        key_positions={name: sets.orders[name][:len(sets.selections[name])] for name in sets.names},
        programme_cost=float(programme_cost), effort_cost=float(effort_cost),
        scores=dict(scores), unstable=unstable_shares(outcomes, metrics), degenerate=degenerate_reasons(outcomes, k),
    )
