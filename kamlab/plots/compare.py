"""Figures of the comparison of key-account definitions: gain curves, overlap, capture with CIs."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from kamlab.compare import headline_metric

_OUTCOME = {
    "revenue": "holdout revenue",
    "profit": "holdout profit",
    "true_value": "true future value",
}


def _style(name: str, i: int) -> dict:
    if name == "oracle":
        return {"color": "black", "linestyle": "--", "linewidth": 1.6}
    if name == "random":
        return {"color": "grey", "linestyle": ":", "linewidth": 1.4}
    return {"color": f"C{i % 10}", "linestyle": "-", "linewidth": 1.4}


def _metric(result, metric: str | None) -> str:
    if metric is None:
        metric = headline_metric(result)
    if f"{metric}_captured" not in result.table.columns:
        raise ValueError(f"{metric} is not in this comparison: {result.unavailable.get(metric + '_captured', '')}")
    return metric


def gain_curves(result, metric: str | None = None, *, title: str | None = None) -> Figure:
    """Captured share of a holdout outcome against the share of accounts selected, one line per definition.

    Each definition ranks the accounts; its curve rises by each account's
    share of the outcome, in that order (``Comparison.gains``). The oracle
    (dashed) is the best possible ranking on synthetic worlds, random (dotted)
    the diagonal one expects without information; the Pareto class A is a
    single point at its own size, and the grey vertical line marks the
    chosen number of key accounts.

    Parameters
    ----------
    result : kamlab.compare.Comparison
    metric : {"profit", "revenue", "true_value"}, optional
        Outcome to plot; by default ``kamlab.compare.headline_metric``
        (profit when the data have it).
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    metric = _metric(result, metric)
    column = f"{metric}_captured"
    fig = Figure(figsize=(7.5, 5), layout="constrained")
    ax = fig.add_subplot()
    for i, (name, curve) in enumerate(result.gains.groupby("definition", sort=False)):
        ax.plot(100 * curve["share_of_accounts"], 100 * curve[column], label=name, **_style(name, i))
    table = result.table.set_index("definition")
    if "abc_a" in table.index:
        row = table.loc["abc_a"]
        ax.plot(100 * row["n_key"] / result.n_accounts, 100 * row[column], marker="D", color="C9", linestyle="none",
                label="abc_a (Pareto class A)")
    ax.axvline(100 * result.k / result.n_accounts, color="grey", linewidth=0.8)
    ax.axhline(0, color="black", linewidth=0.6)
    ax.set_xlabel("share of accounts selected, in each definition's key order (%)")
    ax.set_ylabel(f"share of {_OUTCOME[metric]} captured (%)")
    ax.set_title(title or f"Gain curves: how much {_OUTCOME[metric]} each definition's top accounts bring")
    ax.set_xlim(0, 100)
    ax.legend(fontsize=8, loc="lower right", ncol=2)
    return fig


def overlap_heatmap(result, *, title: str = "How much do the key sets overlap? (Jaccard index)") -> Figure:
    """Jaccard overlap |A & B| / |A | B| of every pair of key sets, as a heat-map.

    Parameters
    ----------
    result : kamlab.compare.Comparison

    Returns
    -------
    matplotlib.figure.Figure
    """
    overlap = result.overlap
    names = list(overlap.columns)
    n = len(names)
    fig = Figure(figsize=(1.6 + 0.62 * n, 1.2 + 0.55 * n), layout="constrained")
    ax = fig.add_subplot()
    image = ax.imshow(overlap.to_numpy(), cmap="viridis", vmin=0, vmax=1)
    for i in range(n):
        for j in range(n):
            value = overlap.iat[i, j]
            ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=7,
                    color="black" if value > 0.6 else "white")
    ax.set_xticks(range(n), names, rotation=45, ha="right")
    ax.set_yticks(range(n), names)
    ax.set_xlabel("definition (key set)")
    ax.set_ylabel("definition (key set)")
    ax.set_title(title)
    fig.colorbar(image, ax=ax, label="Jaccard overlap (0 = disjoint, 1 = same accounts)")
    return fig


def capture_bars(result, metric: str | None = None, *, title: str | None = None) -> Figure:
    """Each definition's captured share of a holdout outcome, with its bootstrap confidence interval.

    Bars are sorted by the captured share; whiskers show the percentile
    bootstrap interval (resampling accounts, ``Comparison.level``); the grey
    line is k/n, what a random pick of k accounts captures on average.

    Parameters
    ----------
    result : kamlab.compare.Comparison
    metric : {"profit", "revenue", "true_value"}, optional
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    metric = _metric(result, metric)
    column = f"{metric}_captured"
    table = result.table.sort_values(column, kind="stable")
    values = 100 * table[column].to_numpy()
    fig = Figure(figsize=(7, 1.2 + 0.42 * len(table)), layout="constrained")
    ax = fig.add_subplot()
    colors = ["black" if k == "baseline" else "C0" for k in table["kind"]]
    if f"{column}_low" in table.columns:
        err = np.vstack([values - 100 * table[f"{column}_low"].to_numpy(),
                         100 * table[f"{column}_high"].to_numpy() - values])
        ax.barh(table["definition"], values, xerr=err, color=colors, alpha=0.8, capsize=3)
    else:
        ax.barh(table["definition"], values, color=colors, alpha=0.8)
    ax.axvline(100 * result.k / result.n_accounts, color="grey", linestyle=":",
               label=f"random expectation k/n = {100 * result.k / result.n_accounts:.1f} %")
    ax.axvline(0, color="black", linewidth=0.6)
    ax.set_xlabel(f"share of {_OUTCOME[metric]} captured by the key accounts (%)")
    ax.set_ylabel("definition (baselines in black)")
    interval = f", {100 * result.level:.0f} % bootstrap CI" if f"{column}_low" in table.columns else ""
    ax.set_title(title or f"Share of {_OUTCOME[metric]} captured at k = {result.k}{interval}")
    ax.legend(fontsize=8, loc="lower right")
    return fig


def key_account_scatter(
    frame: pd.DataFrame,
    x: str,
    y: str,
    key: pd.Index,
    *,
    xlabel: str,
    ylabel: str,
    title: str,
    key_label: str = "key accounts",
    logx: bool = False,
    diagonal: bool = False,
) -> Figure:
    """Scatter of two per-account quantities with one definition's key accounts highlighted.

    Used to show a definition's risk on the data, e.g. revenue against
    profit after cost-to-serve for ``biggest``, or service tickets against
    profit for ``demanding``. A horizontal line marks y = 0 when y takes both signs.

    Parameters
    ----------
    frame : pd.DataFrame
        Indexed by account, with columns ``x`` and ``y``.
    x, y : str
        Column names.
    key : pd.Index
        The highlighted accounts.
    xlabel, ylabel, title : str
        Axis labels (with units) and title.
    key_label : str
        Legend entry of the highlighted accounts.
    logx : bool
        Logarithmic x axis (for heavy-tailed quantities; symmetric-log when
        some values are <= 0).
    diagonal : bool
        Draw the line y = x (e.g. prediction against outcome).

    Returns
    -------
    matplotlib.figure.Figure
    """
    is_key = frame.index.isin(key)
    fig = Figure(figsize=(6.5, 4.5), layout="constrained")
    ax = fig.add_subplot()
    ax.scatter(frame.loc[~is_key, x], frame.loc[~is_key, y], s=10, color="grey", alpha=0.5, label="other accounts")
    ax.scatter(frame.loc[is_key, x], frame.loc[is_key, y], s=22, color="C3", label=key_label)
    if frame[y].min() < 0 < frame[y].max():
        ax.axhline(0, color="black", linewidth=0.7)
    if diagonal:
        low = min(frame[x].min(), frame[y].min())
        high = max(frame[x].max(), frame[y].max())
        ax.plot([low, high], [low, high], color="grey", linestyle="--", linewidth=1, label="y = x")
    if logx:
        positive = frame.loc[frame[x] > 0, x]
        if (frame[x] > 0).all():
            ax.set_xscale("log")
        elif len(positive):
            ax.set_xscale("symlog", linthresh=float(positive.min()))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=8)
    return fig


def weight_sensitivity_histogram(draws: pd.DataFrame, *, title: str | None = None) -> Figure:
    """Distribution of the strategic key set's turnover under perturbed scorecard weights.

    Parameters
    ----------
    draws : pd.DataFrame
        Output of ``kamlab.definitions.weight_sensitivity`` (column ``turnover``).

    Returns
    -------
    matplotlib.figure.Figure
    """
    turnover = 100 * draws["turnover"].to_numpy()
    fig = Figure(figsize=(6.5, 4), layout="constrained")
    ax = fig.add_subplot()
    ax.hist(turnover, bins=np.arange(0, max(turnover.max(), 5) + 5, 2.5), color="C0", edgecolor="white")
    ax.axvline(turnover.mean(), color="C3", label=f"mean {turnover.mean():.1f} %")
    ax.set_xlabel("key accounts replaced when the weights change (%)")
    ax.set_ylabel("weight draws (count)")
    ax.set_title(title or f"Strategic scorecard: how much do the weights matter? ({len(turnover)} draws)")
    ax.legend(fontsize=8)
    return fig


def net_gain_curves(decision, *, title: str | None = None, currency: str = "currency units") -> Figure:
    """Net gain of a key-account programme against the number of key accounts, one line and band per definition.

    Draws ``kamlab.compare.Decision.curves``: G_d(n) = u * (holdout value of
    the top n accounts) - c * n with its bootstrap band, a marker at the
    recommended definition and number, and the zero line (above it the
    programme pays).

    Parameters
    ----------
    decision : kamlab.compare.Decision
    title : str, optional
    currency : str
        Unit of the y axis.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = Figure(figsize=(7.5, 5), layout="constrained")
    ax = fig.add_subplot()
    for i, (name, curve) in enumerate(decision.curves.groupby("definition", sort=False)):
        style = _style(name, i)
        ax.plot(curve["n_key"], curve["net_gain"], label=name, **style)
        ax.fill_between(curve["n_key"], curve["low"], curve["high"], color=style["color"], alpha=0.12, linewidth=0)
    if decision.recommended is not None:
        best = decision.best.loc[decision.recommended]
        ax.plot(best["n_key"], best["net_gain"], marker="o", markersize=9, color="black", linestyle="none",
                label=f"recommended: {decision.recommended}, {int(best['n_key'])} accounts")
    ax.axhline(0, color="black", linewidth=0.7)
    ax.set_xlabel("number of key accounts (each definition's top accounts)")
    ax.set_ylabel(f"net gain over the holdout window ({currency})")
    ax.set_title(title or f"Net gain of a key-account programme ({100 * decision.level:.0f} % bootstrap bands)")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig
