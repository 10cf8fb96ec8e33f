"""Figures for customer lifetime value: holdout validation and over-valuation."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure


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
    frequencies (its label ends with "+").

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
    fig = Figure(figsize=(7, 4.2), layout="constrained")
    ax = fig.add_subplot()
    ax.plot(x, by_frequency["actual"], "o-", color="black", label="actual")
    ax.plot(x, by_frequency["predicted"], "s--", color="tab:blue", label="predicted")
    ax.set_xticks(x, labels)
    for xi, n in zip(x, by_frequency["accounts"]):
        ax.annotate(f"n={int(n):,}", (xi, 0), xytext=(0, 4), textcoords="offset points",
                    ha="center", fontsize=7, color="grey")
    ax.set_xlabel("repeat purchases in the calibration window (count)")
    ax.set_ylabel(f"mean purchases per account in the {window} (count)")
    ax.set_ylim(bottom=0)
    ax.set_title(title)
    ax.legend()
    return fig


def holdout_value_by_group(
    table: pd.DataFrame,
    *,
    currency: str = "$",
    title: str = "Where the model over-values: predicted against actual holdout revenue",
) -> Figure:
    """Mean predicted and actual holdout revenue per group of predicted value.

    Bars per group of accounts ranked by predicted holdout revenue (group 1 =
    highest); the line (right axis) is the share of the group's accounts that
    bought nothing in the holdout. Where the predicted bar exceeds the actual
    one, a CLV ranking over-values those accounts.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`kamlab.clv.holdout_value_check`.
    currency : str
        Currency symbol for the axis label.
    title : str
        Figure title.
    """
    x = np.arange(len(table))
    width = 0.4
    fig = Figure(figsize=(7.5, 4.2), layout="constrained")
    ax = fig.add_subplot()
    ax.bar(x - width / 2, table["predicted"], width, color="tab:blue", label="predicted")
    ax.bar(x + width / 2, table["actual"], width, color="black", label="actual")
    ax.set_xticks(x, [str(g) for g in table.index])
    ax.set_xlabel("group of accounts by predicted holdout revenue (1 = highest)")
    ax.set_ylabel(f"mean holdout revenue per account ({currency})")
    ax.set_title(title)
    right = ax.twinx()
    right.plot(x, 100 * table["share_with_no_purchase"], "o:", color="tab:red",
               label="accounts with no holdout purchase (%)")
    right.set_ylabel("accounts with no holdout purchase (%)")
    right.set_ylim(0, 100)
    handles = ax.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
    ax.legend(handles, [h.get_label() for h in handles], loc="upper right", fontsize=8)
    return fig


def clv_concentration(
    curve: pd.DataFrame,
    *,
    currency: str = "$",
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
        Currency symbol, for the title of the axis.
    title : str
        Figure title.
    """
    fig = Figure(figsize=(5.5, 4.2), layout="constrained")
    ax = fig.add_subplot()
    ax.plot(100 * curve["share_of_accounts"], 100 * curve["share_of_value"], color="tab:blue")
    ax.plot([0, 100], [0, 100], ":", color="grey", label="equal value")
    ax.set_xlabel("accounts, ranked by predicted CLV (% of all)")
    ax.set_ylabel(f"predicted CLV ({currency}), cumulative % of total")
    ax.set_title(title)
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    ax.legend(loc="lower right")
    return fig
