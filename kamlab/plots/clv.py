"""Figures for customer lifetime value: holdout validation and over-valuation."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .style import label_axes, legend_outside, money_axis, money_formatter, new_figure


def holdout_by_frequency(
    by_frequency: pd.DataFrame,
    *,
    window: str = "holdout window",
    title: str = "Holdout purchases: actual against predicted, by calibration frequency",
) -> Figure:
    """Mean actual and predicted holdout purchases per calibration frequency.

    The "conditional expectations" check of Fader, Hardie & Lee (2005a, Fig. 4):
    accounts grouped by their repeat purchases in the calibration window; for each
    group, the mean number of purchases they actually made in the holdout window
    against the model's mean prediction. The last group pools the highest
    frequencies (its label ends with "+"); each tick label gives its number of
    accounts.

    Parameters
    ----------
    by_frequency : DataFrame
        ``HoldoutCheck.by_frequency`` from :func:`kamlab.clv.holdout_check`
        (columns ``accounts``, ``actual``, ``predicted``).
    window : str
        Name of the holdout window for the axis label, e.g. "39-week holdout".
    title : str
        Figure title.
    """
    x = np.arange(len(by_frequency))
    labels = [str(int(v)) for v in by_frequency.index]
    labels[-1] += "+"
    labels = [f"{t}\n{int(n):,} acc." for t, n in zip(labels, by_frequency["accounts"])]
    fig, ax = new_figure((7.2, 4.4))
    ax.plot(x, by_frequency["actual"], "o-", color="black", label="actual")
    ax.plot(x, by_frequency["predicted"], "s--", color="tab:blue", label="predicted")
    ax.set_xticks(x, labels, fontsize="small")
    ax.set_ylim(bottom=0)
    label_axes(ax, title=title,
               xlabel="repeat purchases in the calibration window (count; below it, accounts in the group)",
               ylabel=f"mean purchases per account\nin the {window} (count)")
    legend_outside(ax, where="below")
    return fig


def holdout_value_by_group(
    table: pd.DataFrame,
    *,
    currency: str = "currency units",
    title: str = "Where the model over-values: predicted against actual holdout revenue",
) -> Figure:
    """Mean predicted and actual holdout revenue per group of predicted value.

    Bars per group of accounts ranked by predicted holdout revenue (group 1 =
    highest); the line (right axis) is the share of the group's accounts that
    bought nothing in the holdout. Where the predicted bar exceeds the actual
    one, a CLV ranking over-values those accounts. Each tick label gives the
    group's number of accounts when ``table`` has an ``accounts`` column.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`kamlab.clv.holdout_value_check`.
    currency : str
        Currency of the revenue, for the axis label (e.g. "EUR").
    title : str
        Figure title.
    """
    x = np.arange(len(table))
    width = 0.4
    fig, ax = new_figure((max(7.5, 0.75 * len(table)), 4.6))
    ax.bar(x - width / 2, table["predicted"], width, color="tab:blue", label="predicted")
    ax.bar(x + width / 2, table["actual"], width, color="black", label="actual")
    ticks = [str(g) for g in table.index]
    if "accounts" in table.columns:
        ticks = [f"{t}\n{int(n):,}" for t, n in zip(ticks, table["accounts"])]
    ax.set_xticks(x, ticks, fontsize="small" if "accounts" in table.columns else None)
    ax.yaxis.set_major_formatter(money_formatter())
    below = "; below it, accounts in the group" if "accounts" in table.columns else ""
    label_axes(ax, title=title, xlabel=f"group of accounts by predicted holdout revenue (1 = highest{below})",
               ylabel=money_axis("mean holdout revenue per account", currency))
    right = ax.twinx()
    right.plot(x, 100 * table["share_with_no_purchase"], "o:", color="tab:red",
               label="accounts with no holdout purchase (%)")
    right.set_ylabel("accounts with no holdout purchase (%)")
    right.set_ylim(0, 100)
    handles = ax.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
    legend_outside(ax, where="below", handles=handles)
    return fig


def clv_concentration(
    curve: pd.DataFrame,
    *,
    currency: str = "currency units",
    title: str = "How concentrated is predicted customer value?",
) -> Figure:
    """Cumulative share of total predicted CLV against share of accounts, best first.

    Draws the concentration (Pareto) curve computed by
    :func:`kamlab.concentration.lorenz_curve` on the predicted CLV per account,
    against the diagonal of equal value.

    Parameters
    ----------
    curve : DataFrame
        ``share_of_accounts`` and ``share_of_value`` in [0, 1], from
        ``kamlab.concentration.lorenz_curve(clv)`` with ``clv`` the predicted
        value per account (e.g. :func:`kamlab.clv.discounted_clv`).
    currency : str
        Currency of the value, for the axis label.
    title : str
        Figure title.
    """
    fig, ax = new_figure((5.5, 4.2))
    ax.plot(100 * curve["share_of_accounts"], 100 * curve["share_of_value"], color="tab:blue",
            label="accounts, highest predicted CLV first")
    ax.plot([0, 100], [0, 100], ":", color="grey", label="every account equal")
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    label_axes(ax, title=title, xlabel="accounts, ranked by predicted CLV (% of all)",
               ylabel=f"predicted CLV in {currency.strip() or 'currency units'}\n(cumulative % of the total)")
    legend_outside(ax, where="below")
    return fig
