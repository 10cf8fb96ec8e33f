"""The decision a comparison ends in: how many key accounts, chosen by which definition, and whether it pays.

A key-account programme gives each key account extra effort. If the effort
lifts an account's business by the relative uplift u (from the randomised
pilot of ``extra_effort``, or an assumed share) at a cost c per key account
over the holdout window, the net gain of giving it to the top n accounts of
definition d is

    G_d(n) = u * sum_{i in top_n(d)} y_i - c * n

with y_i the account's holdout value (profit after cost-to-serve, or revenue
without cost data; currency units): the definition's gain curve scaled by
the uplift, minus the programme's cost. The band is the percentile bootstrap
over accounts (the key sets stay as chosen). The recommendation is the
definition and n with the largest G; it is "cannot separate" when the paired
bootstrap interval of the leader's G minus the runner-up's (each at its own
best n) contains 0. With a capacity of m accounts per key-account manager,
the plan needs ceil(n / m) managers (the source material: a company
typically has 3-8 key accounts, rarely more than 15). The replicates are
computed in blocks of bounded memory (:data:`DECISION_CELLS`), the
definitions ranked on arrays and summed two at a time (on two threads).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterator

import numpy as np
import pandas as pd

from kamlab.definitions import ExtraEffortScore
from kamlab.definitions.selection import ranking_positions, tie_ranks

from .availability import needs_sentence
from .narrative import headline_metric, money, number, with_footnote
from .positions import aligned_values, parallel_map
from .result import Comparison


@dataclass(frozen=True)
class Decision:
    """The programme's net gain by number of key accounts, per definition, and the recommendation.

    Attributes
    ----------
    curves : pd.DataFrame
        ``definition``, ``n_key``, ``net_gain`` and its band ``low``, ``high`` (currency units).
    best : pd.DataFrame
        Per definition, indexed by name: ``n_key`` at the largest net gain, ``net_gain``, ``low``, ``high``.
    recommended : str or None
        The definition with the largest net gain (None when the programme pays for none).
    n_recommended : int
        Its number of key accounts (0 when none is recommended).
    runner_up : str or None
        The definition with the next-largest net gain.
    separable : bool
        Whether the leader's net gain exceeds the runner-up's beyond the bootstrap noise.
    difference : tuple of float
        The paired bootstrap interval of leader minus runner-up (NaN without a runner-up).
    managers : int
        Key-account managers the recommended plan needs, ceil(n / capacity).
    capacity : int
        Key accounts one manager can serve.
    uplift, cost_per_account : float
        The relative uplift u and the cost c per key account used (currency units).
    uplift_source : str
        Where u came from.
    value : str
        What y is ("holdout profit" or "holdout revenue").
    level : float
        Confidence level of the bands.
    """

    curves: pd.DataFrame
    best: pd.DataFrame
    recommended: str | None
    n_recommended: int
    runner_up: str | None
    separable: bool
    difference: tuple[float, float]
    managers: int
    capacity: int
    uplift: float
    cost_per_account: float
    uplift_source: str
    value: str
    level: float


def programme_uplift(result: Comparison, uplift_share: float | None) -> tuple[float, str] | str:
    """The relative uplift u and its source, or the "not computable" sentence when there is none."""
    if uplift_share:
        return float(uplift_share), f"assumed: each key account's business grows by {100 * uplift_share:.1f} %"
    effort = result.scores.get("extra_effort")
    if isinstance(effort, ExtraEffortScore):
        low, high = effort.mean_lift_ci
        return effort.mean_lift, (f"the randomised pilot: {100 * effort.mean_lift:.1f} % at the average account "
                                  f"(95 % CI {100 * low:.1f} % to {100 * high:.1f} %)")
    return needs_sentence(["kam_pilot"], "an uplift estimate from a randomised pilot; or set uplift_share")


#: Largest replicates x accounts block of bootstrap count weights decide holds at once (10 M floats, 80 MB).
DECISION_CELLS = 10_000_000


def _replicate_weights(n: int, n_bootstrap: int, seed: int) -> Iterator[np.ndarray]:
    """Bootstrap count weights (how often each account was drawn), in blocks of rows of at most DECISION_CELLS.

    The draws come from one generator in order, so the blocks stacked are
    the n_bootstrap x n weights of one draw of all replicates.
    """
    rng = np.random.default_rng(seed)
    step = max(1, DECISION_CELLS // max(n, 1))
    for start in range(0, n_bootstrap, step):
        draws = rng.integers(0, n, size=(min(step, n_bootstrap - start), n))
        yield np.stack([np.bincount(row, minlength=n) for row in draws]).astype(float)


def _curves(result: Comparison, y: pd.Series, names: list[str], grid: np.ndarray, uplift: float, cost: float,
            n_bootstrap: int, seed: int) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """G_d(n) on the grid with its band, and the replicates of G_d at every grid point."""
    alpha = (1 - result.level) / 2
    values, ties = y.to_numpy(), tie_ranks(y.index)
    orders = {name: ranking_positions(aligned_values(result.scores[name].scores, y.index), ties) for name in names}
    ranked = {name: values[order] for name, order in orders.items()}
    blocks: dict[str, list] = {name: [] for name in names}
    for weights in _replicate_weights(len(y), n_bootstrap, seed):
        def block(name: str) -> np.ndarray:  # one definition's replicates of this block (two at a time)
            cumulative = np.cumsum(weights[:, orders[name]] * ranked[name], axis=1)[:, grid - 1]
            return uplift * cumulative - cost * grid
        for name, replicate in zip(names, parallel_map(block, names)):
            blocks[name].append(replicate)
    rows, replicates = [], {}
    for name, order in orders.items():
        gain = uplift * np.cumsum(values[order])[grid - 1] - cost * grid
        boot = replicates[name] = np.concatenate(blocks[name])
        low, high = np.quantile(boot, [alpha, 1 - alpha], axis=0)
        rows.append(pd.DataFrame({"definition": name, "n_key": grid, "net_gain": gain, "low": low, "high": high}))
    return pd.concat(rows, ignore_index=True), replicates


def decide(result: Comparison, *, uplift_share: float | None = None, capacity: int = 5, max_share: float = 0.5,
           n_bootstrap: int = 200, seed: int = 0) -> Decision | str:
    """The decision of the module docstring, from a :func:`kamlab.compare.run_comparison` result.

    Parameters
    ----------
    uplift_share : float, optional
        Assumed relative uplift u of a key account's business; by default
        the pilot's mean lift (``extra_effort``).
    capacity : int
        Key accounts one key-account manager can serve (>= 1).
    max_share : float
        Largest share of the accounts considered as key (0, 1].
    n_bootstrap, seed : int
        Bootstrap replicates of the bands and their seed.

    Returns
    -------
    Decision, or str
        The "not computable on this dataset: needs ..." sentence when there
        is no uplift, no holdout value or no definition to decide between.
    """
    if capacity < 1 or not 0 < max_share <= 1 or n_bootstrap < 2:
        raise ValueError(f"capacity >= 1, 0 < max_share <= 1 and n_bootstrap >= 2 are needed, "
                         f"got {capacity}, {max_share}, {n_bootstrap}")
    found = programme_uplift(result, uplift_share)
    metric = headline_metric(result)
    names = [n for n in result.table.loc[result.table["kind"] == "definition", "definition"]]
    if isinstance(found, str) or metric is None or not names or result.degenerate:
        return found if isinstance(found, str) else "not computable on this dataset: " + (
            "; ".join(result.degenerate) or "no holdout value or no definition to decide between")
    y = result.accounts[f"{metric}_holdout"].astype(float).fillna(0.0)
    grid = np.unique(np.linspace(1, max(1, int(max_share * len(y))), 60).round().astype(int))
    cost = result.effort_cost + result.programme_cost
    curves, replicates = _curves(result, y, names, grid, found[0], cost, n_bootstrap, seed)
    best = curves.loc[curves.groupby("definition", sort=False)["net_gain"].idxmax()].set_index("definition")
    best = best.sort_values("net_gain", ascending=False, kind="stable")
    leader = best.index[0] if best["net_gain"].iloc[0] > 0 else None
    runner = best.index[1] if len(best) > 1 else None
    difference, separable = (float("nan"), float("nan")), False
    if leader is not None and runner is not None:
        at = {name: int(np.searchsorted(grid, best.loc[name, "n_key"])) for name in (leader, runner)}
        diff = replicates[leader][:, at[leader]] - replicates[runner][:, at[runner]]
        alpha = (1 - result.level) / 2
        difference = tuple(float(v) for v in np.quantile(diff, [alpha, 1 - alpha]))
        separable = difference[0] > 0
    n_best = int(best.loc[leader, "n_key"]) if leader is not None else 0
    return Decision(curves=curves, best=best[["n_key", "net_gain", "low", "high"]], recommended=leader,
                    n_recommended=n_best, runner_up=runner, separable=bool(separable), difference=difference,
                    managers=math.ceil(n_best / capacity), capacity=int(capacity), uplift=found[0],
                    cost_per_account=float(cost), uplift_source=found[1],
                    value="holdout profit" if metric == "profit" else "holdout revenue", level=result.level)


def decision_text(decision: Decision | str) -> str:
    """The decision in plain language, every number taken from ``decision``."""
    if isinstance(decision, str):
        return f"Decision: {decision}."
    d = decision
    lines = [f"Uplift: {d.uplift_source}; cost {d.cost_per_account:,.0f} per key account over the holdout; "
             f"value: {d.value}."]
    if d.recommended is None:
        top = d.best.index[0]
        lines.append(f"The programme does not pay at any number of key accounts: the best, {top} at "
                     f"{int(d.best.loc[top, 'n_key'])} accounts, nets {d.best.loc[top, 'net_gain']:,.0f}. "
                     "Do not start it at this cost, or find accounts that respond more.")
        return "\n".join(lines)
    row = d.best.loc[d.recommended]
    lines.append(f"Recommended: {d.recommended} with {_accounts(d.n_recommended)}, a net gain of "
                 f"{row['net_gain']:,.0f} ({100 * d.level:.0f} % band {row['low']:,.0f} to {row['high']:,.0f}); "
                 f"at {d.capacity} accounts per manager that plan needs {d.managers} key-account "
                 f"manager{'s' if d.managers != 1 else ''}.")
    if row["low"] < 0:
        lines.append("The band reaches below zero: the programme may lose money even for the best choice.")
    if d.runner_up is not None:
        other = d.best.loc[d.runner_up]
        sentence = (f"Runner-up: {d.runner_up} with {_accounts(int(other['n_key']))}, {other['net_gain']:,.0f}; "
                    f"the difference is {d.difference[0]:,.0f} to {d.difference[1]:,.0f}")
        if d.difference == (0.0, 0.0):
            sentence += ": the two pick the same accounts, so either will do."
        elif d.separable:
            sentence += ", so the data rank the two apart."
        else:
            sentence += (", which includes 0: the data cannot separate the two. More accounts, a longer holdout "
                         "or a larger pilot would.")
        lines.append(sentence)
    return "\n".join(lines)


def _accounts(n: int) -> str:
    return f"{n:,} key account{'s' if n != 1 else ''}"


def _plan_sentence(d: Decision, currency: str) -> str:
    """The recommendation with its band and the managers it needs, in Markdown."""
    row = d.best.loc[d.recommended]
    managers = f"{number(d.managers)} key-account manager{'s' if d.managers != 1 else ''}"
    return (f"**Recommended: {d.recommended} with {_accounts(d.n_recommended)}**, a net gain of "
            f"{money(row['net_gain'], currency)} ({100 * d.level:.0f} % band {number(row['low'])} to "
            f"{money(row['high'], currency)}). At {number(d.capacity)} accounts per manager that plan needs "
            f"**{managers}**.")


def _runner_up_sentence(d: Decision, currency: str) -> str:
    """The runner-up and whether the data rank the two apart, in Markdown."""
    other = d.best.loc[d.runner_up]
    low, high = d.difference
    sentence = (f"Runner-up: {d.runner_up} with {_accounts(int(other['n_key']))} and "
                f"{money(other['net_gain'], currency)}; the leader's advantage is {number(low)} to "
                f"{money(high, currency)}")
    if d.difference == (0.0, 0.0):
        return sentence + ": the two pick the same accounts, so either will do."
    if d.separable:
        return sentence + ", so the data rank the two apart."
    return sentence + (", which includes 0: **the data cannot separate the two**. More accounts, a longer holdout "
                       "or a larger pilot would.")


def decision_markdown(decision: Decision | str, currency: str = "currency units") -> str:
    """:func:`decision_text` as Markdown for a report page, every number taken from ``decision``.

    Paragraphs: what the net gain G(n) = u * (holdout value of the top n) -
    c * n is built from (uplift, cost per key account in ``currency``, the
    value y); the recommendation in bold with its bootstrap band and the
    key-account managers ceil(n / capacity) it needs, or that the programme
    pays at no number of key accounts; whether the band reaches below zero;
    and the runner-up with the interval of the difference and whether the
    data can separate the two. Money has thousands separators and its unit,
    shares read "14.7 %", a missing number "—" with a footnote.
    """
    if isinstance(decision, str):
        return f"**Decision:** {decision}."
    d = decision
    blocks = [f"Uplift: {d.uplift_source}. Cost: {money(d.cost_per_account, currency)} per key account over the "
              f"holdout. Value: the accounts' {d.value}."]
    if d.recommended is None:
        top = d.best.index[0]
        blocks.append(f"**The programme does not pay at any number of key accounts**: the best, {top} at "
                      f"{_accounts(int(d.best.loc[top, 'n_key']))}, nets {money(d.best.loc[top, 'net_gain'], currency)}. "
                      "Do not start it at this cost, or find accounts that respond more.")
        return with_footnote("\n\n".join(blocks))
    blocks.append(_plan_sentence(d, currency))
    if d.best.loc[d.recommended, "low"] < 0:
        blocks.append("The band reaches below zero: the programme may lose money even for the best choice.")
    if d.runner_up is not None:
        blocks.append(_runner_up_sentence(d, currency))
    return with_footnote("\n\n".join(blocks))
