"""Pareto (concentration) curve of value across accounts."""

from __future__ import annotations

from matplotlib.figure import Figure

from ..concentration import lorenz_curve, top_share
from .style import label_axes, legend_outside, new_figure


def pareto_curve(values, *, highlight: float | None = 0.2, title: str = "Pareto curve: how concentrated is value?",
                 value_label: str = "value") -> Figure:
    """Cumulative share of value against share of accounts, largest accounts first.

    Draws ``kamlab.concentration.lorenz_curve(values)`` with the diagonal of perfect
    equality for reference and, when ``highlight`` is given, marks the point
    (highlight, top_share(values, highlight)), e.g. "top 20 % of accounts bring
    74 % of revenue".

    Parameters
    ----------
    values : array-like of float
        One non-negative value per account (e.g. revenue).
    highlight : float or None
        Share of accounts to mark on the curve (0.2 = top 20 %); None for no mark.
    title : str
        Figure title.
    value_label : str
        What the values are, for the y-axis label (e.g. "revenue").

    Returns
    -------
    matplotlib.figure.Figure
    """
    curve = lorenz_curve(values)
    fig, ax = new_figure((6.5, 5))
    ax.plot(100 * curve["share_of_accounts"], 100 * curve["share_of_value"], color="C0", label="accounts, largest first")
    ax.plot([0, 100], [0, 100], color="grey", linestyle="--", linewidth=1, label="every account equal")
    if highlight is not None:
        y = top_share(values, highlight)
        ax.plot([100 * highlight, 100 * highlight, 0], [0, 100 * y, 100 * y], color="C3", linewidth=1)
        ax.plot([100 * highlight], [100 * y], "o", color="C3",
                label=f"top {100 * highlight:.0f} % of accounts: {100 * y:.1f} % of {value_label}")
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    label_axes(ax, title=title, xlabel="share of accounts, largest first (%)",
               ylabel=f"cumulative share of {value_label} (%)")
    legend_outside(ax, where="below")
    return fig
