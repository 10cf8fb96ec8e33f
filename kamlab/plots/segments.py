"""Figures of account segments: the ABC-XYZ matrix and the key-client types."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .style import label_axes, legend_outside, new_figure


def abc_xyz_heatmap(matrix: pd.DataFrame, *, title: str = "ABC-XYZ matrix: value against predictability") -> Figure:
    """The nine cells of the ABC-XYZ matrix, coloured by their share of revenue.

    Rows are the ABC classes (value, A = the largest accounts), columns the
    XYZ classes (X = steadiest revenue per period); each cell shows its
    number of accounts and its share of revenue.

    Parameters
    ----------
    matrix : pd.DataFrame
        Output of ``kamlab.segments.abc_xyz_matrix``.
    title : str
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    cells = matrix.set_index(["abc", "xyz"])
    rows, cols = ["A", "B", "C"], ["X", "Y", "Z"]
    share = np.array([[100 * cells.loc[(r, c), "share_of_revenue"] for c in cols] for r in rows])
    count = np.array([[int(cells.loc[(r, c), "accounts"]) for c in cols] for r in rows])
    fig, ax = new_figure((6.5, 4.8))
    image = ax.imshow(share, cmap="Blues", vmin=0, vmax=max(share.max(), 1e-9), aspect="auto")
    for i in range(3):
        for j in range(3):
            dark = share[i, j] > 0.6 * share.max()
            ax.text(j, i, f"{count[i, j]:,} accounts\n{share[i, j]:.1f} % of revenue", ha="center", va="center",
                    fontsize=9, color="white" if dark else "black")
    ax.set_xticks(range(3), [f"{c}" for c in cols])
    ax.set_yticks(range(3), [f"{r}" for r in rows])
    label_axes(ax, title=title, xlabel="XYZ class (X = steady, Z = erratic revenue per period)",
               ylabel="ABC class (A = largest revenue)")
    fig.colorbar(image, ax=ax, label="share of revenue (%)")
    return fig


def key_client_type_profile(
    types: pd.DataFrame,
    values: pd.DataFrame,
    *,
    title: str = "The four key-client types: what each brings",
) -> Figure:
    """Share of accounts, revenue and profit that each key-client type holds.

    Only types that at least one account has are drawn (an empty group of
    bars says nothing); the types left out are named under the axes.

    Parameters
    ----------
    types : pd.DataFrame
        Boolean columns per type (``KeyClientTypes.table``), indexed by account.
    values : pd.DataFrame
        Per account (same index), the columns to share out, e.g. ``revenue``
        and ``profit`` (currency units).
    title : str
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        Grouped horizontal bars: per type, its percentage of accounts and of
        each value column's total.

    Raises
    ------
    ValueError
        When no type has an account (nothing to draw).
    """
    labels = [t for t in types.columns if types[t].any()]
    empty = [t.replace("_", "-") for t in types.columns if t not in labels]
    if not labels:
        raise ValueError("no key-client type has an account, so there is nothing to draw"
                         + (f" (empty: {', '.join(empty)})" if empty else ""))
    values = values.reindex(types.index)
    measures = {"accounts": types[labels].mean() * 100}
    for column in values.columns:
        total = values[column].sum()
        measures[column] = pd.Series({t: 100 * values.loc[types[t], column].sum() / total for t in labels})
    fig, ax = new_figure((7.5, max(3.0, 1.6 + 0.75 * len(labels))))
    height = 0.8 / len(measures)
    for j, (name, series) in enumerate(measures.items()):
        y = np.arange(len(labels)) + (j - (len(measures) - 1) / 2) * height
        ax.barh(y, series.reindex(labels).to_numpy(), height=height, label=f"share of {name}", color=f"C{j}")
    ax.set_yticks(range(len(labels)), [t.replace("_", "-") for t in labels])
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.8)
    xlabel = "share of the total (%)"
    if empty:
        xlabel += f"\nnot drawn, no account of this type: {', '.join(empty)}"
    label_axes(ax, title=title, xlabel=xlabel, ylabel="key-client type")
    legend_outside(ax)
    return fig
