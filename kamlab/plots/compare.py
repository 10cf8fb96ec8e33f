"""Figures of the comparison of key-account definitions: gain curves, overlap, capture with CIs."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from kamlab.compare import headline_metric

from .style import label_axes, legend_outside, money_formatter, money_symlog, new_figure, squashed

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
    chosen number of key accounts. Definitions whose curves coincide are
    drawn once, named together in one legend entry ("a = b (identical
    curves)"); definitions with the same key set at k (Jaccard 1,
    :func:`identical_key_sets`) are named in the legend's title. The legend
    sits below the axes, off the data.

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
    fig, ax = new_figure((8, 5.6))
    for i, (names, curve) in enumerate(_identical_curves(result.gains, column)):
        label = names[0] if len(names) == 1 else " = ".join(names) + " (identical curves)"
        ax.plot(100 * curve["share_of_accounts"], 100 * curve[column], label=label, **_style(names[0], i))
    table = result.table.set_index("definition")
    if "abc_a" in table.index:
        row = table.loc["abc_a"]
        ax.plot(100 * row["n_key"] / result.n_accounts, 100 * row[column], marker="D", color="C9", linestyle="none",
                label=f"abc_a (Pareto class A, {int(row['n_key']):,} accounts)")
    ax.axvline(100 * result.k / result.n_accounts, color="grey", linewidth=0.8, label=f"k = {result.k:,} accounts")
    ax.axhline(0, color="black", linewidth=0.6)
    ax.set_xlim(0, 100)
    label_axes(ax, title=title or f"Gain curves: how much {_OUTCOME[metric]} each definition's top accounts bring",
               xlabel="share of accounts selected, in each definition's key order (%)",
               ylabel=f"share of {_OUTCOME[metric]} captured (%)")
    same = identical_key_sets(result)
    note = ("same key accounts at k: " + "; ".join(" = ".join(g) for g in same)) if same else None
    legend_outside(ax, where="below", ncols=2, title=note, title_fontsize="small")
    return fig


def _identical_curves(gains: pd.DataFrame, column: str) -> list[tuple[list[str], pd.DataFrame]]:
    """Definitions whose gain curves coincide point for point, grouped (first name's curve drawn once)."""
    groups: list[tuple[list[str], pd.DataFrame]] = []
    for name, curve in gains.groupby("definition", sort=False):
        for names, first in groups:
            if len(first) == len(curve) and np.allclose(first[column].to_numpy(), curve[column].to_numpy()) \
                    and np.allclose(first["share_of_accounts"].to_numpy(), curve["share_of_accounts"].to_numpy()):
                names.append(str(name))
                break
        else:
            groups.append(([str(name)], curve))
    return groups


def identical_key_sets(result) -> list[tuple[str, ...]]:
    """Groups of definitions that select exactly the same key accounts (Jaccard overlap 1).

    Parameters
    ----------
    result : kamlab.compare.Comparison

    Returns
    -------
    list of tuple of str
        Each group of two or more definitions with the same key set, in the order of ``result.overlap``.
    """
    overlap = result.overlap
    names, seen, groups = list(overlap.columns), set(), []
    for a in names:
        if a in seen:
            continue
        group = tuple(b for b in names if b not in seen and np.isclose(overlap.at[a, b], 1.0))
        seen.update(group)
        if len(group) > 1:
            groups.append(group)
    return groups


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
    fig, ax = new_figure((1.6 + 0.62 * n, 2.2 + 0.55 * n))
    image = ax.imshow(overlap.to_numpy(), cmap="viridis", vmin=0, vmax=1, aspect="auto")
    for i in range(n):
        for j in range(n):
            value = overlap.iat[i, j]
            ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=7,
                    color="black" if value > 0.6 else "white")
    ax.set_xticks(range(n), names, rotation=90)
    ax.set_yticks(range(n), names)
    label_axes(ax, title=title, xlabel="definition (key set)", ylabel="definition (key set)")
    bar = fig.colorbar(image, ax=ax, location="right", shrink=0.9)
    bar.set_label("Jaccard overlap (share)\n0 = disjoint, 1 = same accounts", fontsize="small")
    return fig


def capture_bars(result, metric: str | None = None, *, title: str | None = None) -> Figure:
    """Each definition's captured share of a holdout outcome, with its bootstrap confidence interval.

    Bars are sorted by the captured share; whiskers show the percentile
    bootstrap interval (resampling accounts, ``Comparison.level``; the delta
    method's above ``Comparison``'s bootstrap size, ``interval_method``); the grey
    line is k/n, what a random pick of k accounts captures on average.
    Baselines of a different size (``abc_a``: the Pareto class A) are drawn
    apart, below a dashed line, hatched and labelled with their own number
    of accounts, so they are not read as winning at k.

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
    at_k = table["n_key"].to_numpy() == result.k
    table = pd.concat([table[~at_k], table[at_k]])  # other sizes at the bottom, apart
    apart = int((~at_k).sum())
    y = np.arange(len(table), dtype=float) + np.where(np.arange(len(table)) >= apart, 1.0 if apart else 0.0, 0.0)
    values = 100 * table[column].to_numpy()
    fig, ax = new_figure((7.5, 1.8 + 0.42 * (len(table) + (apart > 0))))
    colors = ["black" if k == "baseline" else "C0" for k in table["kind"]]
    hatches = ["//" if n != result.k else "" for n in table["n_key"]]
    err = None
    if f"{column}_low" in table.columns:
        err = np.vstack([values - 100 * table[f"{column}_low"].to_numpy(),
                         100 * table[f"{column}_high"].to_numpy() - values])
    ax.barh(y, values, xerr=err, color=colors, alpha=0.8, capsize=3 if err is not None else 0,
            hatch=hatches, edgecolor="white")
    names = [d if n == result.k else f"{d} ({int(n):,} accounts, not k)" for d, n in zip(table["definition"],
                                                                                          table["n_key"])]
    ax.set_yticks(y, names)
    if apart:
        ax.axhline(apart, color="grey", linewidth=0.8, linestyle="--")
    ax.axvline(100 * result.k / result.n_accounts, color="grey", linestyle=":",
               label=f"random expectation k/n = {100 * result.k / result.n_accounts:.1f} %")
    ax.axvline(0, color="black", linewidth=0.6)
    method = getattr(result, "interval_method", "bootstrap")
    interval = f", {100 * result.level:.0f} % {method} CI" if err is not None else ""
    label_axes(ax, title=title or f"Share of {_OUTCOME[metric]} captured at k = {result.k:,}{interval}",
               xlabel=f"share of {_OUTCOME[metric]} captured by the key accounts (%)",
               ylabel="definition (baselines in black)")
    handles = ax.get_legend_handles_labels()[0]
    if apart:
        handles.append(Patch(facecolor="lightgrey", hatch="//", edgecolor="white",
                             label="a different number of accounts: not comparable with the k-sized bars"))
    legend_outside(ax, where="below", handles=handles)
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
        some values are <= 0). Either axis also gets that scale by itself
        when one account would squash the rest (:func:`kamlab.plots.style.squashed`),
        and its label then names the scale.
    diagonal : bool
        Draw the line y = x (e.g. prediction against outcome).

    Returns
    -------
    matplotlib.figure.Figure
    """
    is_key = frame.index.isin(key)
    fig, ax = new_figure((7.2, 4.8))
    ax.scatter(frame.loc[~is_key, x], frame.loc[~is_key, y], s=10, color="grey", alpha=0.5, label="other accounts")
    ax.scatter(frame.loc[is_key, x], frame.loc[is_key, y], s=22, color="C3", label=key_label)
    if frame[y].min() < 0 < frame[y].max():
        ax.axhline(0, color="black", linewidth=0.7)
    if diagonal:
        ax.plot(*(2 * [_diagonal(frame[[x, y]].to_numpy(dtype=float))]), color="grey", linestyle="--", linewidth=1,
                label="y = x")
    xscale = _scale_axis(ax, "x", frame[x], logx)
    yscale = _scale_axis(ax, "y", frame[y], False)
    label_axes(ax, title=title, xlabel=_with_scale(xlabel, xscale), ylabel=_with_scale(ylabel, yscale))
    legend_outside(ax, where="below")
    return fig


def _diagonal(values: np.ndarray) -> np.ndarray:
    """Points along y = x over the data's range, dense on both a linear and a log scale (so it draws on either)."""
    values = values[np.isfinite(values)]
    low, high = float(values.min()), float(values.max())
    positive = values[values > 0]
    logs = np.geomspace(positive.min(), high, 200) if len(positive) and high > 0 else []
    return np.unique(np.concatenate([np.linspace(low, high, 200), logs]))


def _scale_axis(ax, axis: str, values: pd.Series, log: bool) -> str:
    """Log (or symmetric-log) scale when asked or when one value would squash the rest; the scale's name."""
    values = values.astype(float)
    if not (log or squashed(values)):
        return ""
    if (values > 0).all():
        (ax.set_xscale if axis == "x" else ax.set_yscale)("log")
        return "log scale"
    magnitudes = values.abs()[values.abs() > 0]
    linthresh = float(10 ** np.floor(np.log10(magnitudes.median()))) if len(magnitudes) else 1.0
    money_symlog(ax, axis, values, linthresh=linthresh)
    return "symmetric log scale"


def _with_scale(label: str, scale: str) -> str:
    """The axis label, naming the scale unless the label already does."""
    return label if not scale or "log" in label else f"{label}\n{scale}"


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
    fig, ax = new_figure((7.2, 4))
    ax.hist(turnover, bins=np.arange(0, max(turnover.max(), 5) + 5, 2.5), color="C0", edgecolor="white")
    ax.axvline(turnover.mean(), color="C3", label=f"mean {turnover.mean():.1f} %")
    label_axes(ax, title=title or f"Strategic scorecard: how much do the weights matter? ({len(turnover)} draws)",
               xlabel="key accounts replaced when the weights change (%)", ylabel="weight draws (count)")
    legend_outside(ax, where="below")
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
    fig, ax = new_figure((8.5, 5))
    for i, (name, curve) in enumerate(decision.curves.groupby("definition", sort=False)):
        style = _style(name, i)
        ax.plot(curve["n_key"], curve["net_gain"], label=name, **style)
        ax.fill_between(curve["n_key"], curve["low"], curve["high"], color=style["color"], alpha=0.12, linewidth=0)
    if decision.recommended is not None:
        best = decision.best.loc[decision.recommended]
        ax.plot(best["n_key"], best["net_gain"], marker="o", markersize=9, color="black", linestyle="none",
                label=f"recommended: {decision.recommended}, {int(best['n_key'])} accounts")
    ax.axhline(0, color="black", linewidth=0.7)
    label_axes(ax, title=title or f"Net gain of a key-account programme ({100 * decision.level:.0f} % bootstrap bands)",
               xlabel="number of key accounts (each definition's top accounts, count)",
               ylabel=f"net gain over the holdout window ({currency.strip() or 'currency units'})")
    ax.yaxis.set_major_formatter(money_formatter())
    legend_outside(ax, where="below", ncols=3)
    return fig
