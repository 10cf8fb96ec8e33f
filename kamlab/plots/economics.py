"""Figures for retention versus acquisition economics."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from kamlab import economics

from .style import label_axes, legend_outside, money_axis, money_formatter, new_figure


def margin_multiple_curves(
    discounts: tuple[float, ...] = (0.08, 0.12, 0.16),
    *,
    retention: float | None = None,
    title: str = "What a customer is worth per unit of yearly margin",
) -> Figure:
    """Margin multiple r / (1 + d - r) against yearly retention, one line per discount rate.

    Parameters
    ----------
    discounts : tuple of float
        Yearly discount rates to draw.
    retention : float, optional
        Mark this retention rate with a vertical line.
    title : str
        Figure title.
    """
    r = np.linspace(0.30, 0.95, 131)
    fig, ax = new_figure((6, 4.2))
    for d in discounts:
        ax.plot(100 * r, [economics.margin_multiple(x, d) for x in r], label=f"discount {100 * d:.0f} %/year")
    if retention is not None:
        ax.axvline(100 * retention, color="grey", linestyle=":", label=f"retention {100 * retention:.0f} %")
    label_axes(ax, title=title, xlabel="yearly retention (%)", ylabel="customer value / yearly margin (multiple)")
    legend_outside(ax, on="axes")
    return fig


def improvement_sensitivity(
    margin: float,
    discount: float,
    cac: float,
    *,
    retention: float | None = None,
    currency: str = "currency units",
    title: str = "One point of retention against 1 % off acquisition cost",
) -> Figure:
    """Value gained per acquired customer by +1 point retention and by -1 % CAC.

    For base retention rates from 30 % to 94 %, the gain in net customer value
    (m r/(1+d-r) - CAC) from raising retention by one point, next to the gain from
    cutting the acquisition cost by 1 % (flat: 0.01 CAC), as computed by
    :func:`kamlab.economics.retention_vs_acquisition_improvement`.

    Parameters
    ----------
    margin : float
        Yearly margin of a retained customer (currency units).
    discount : float
        Yearly discount rate.
    cac : float
        Acquisition cost per customer (currency units).
    retention : float, optional
        Mark this retention rate.
    currency : str
        Currency of the money values, for the axis label (e.g. "EUR").
    title : str
        Figure title.
    """
    rates = np.linspace(0.30, 0.94, 65)
    rows = [economics.retention_vs_acquisition_improvement(margin, r, discount, cac) for r in rates]
    fig, ax = new_figure((6.5, 4.2))
    ax.plot(100 * rates, [c.retention_gain for c in rows], label="retention +1 point")
    ax.plot(100 * rates, [c.acquisition_gain for c in rows], "--", label="acquisition cost -1 %")
    if retention is not None:
        ax.axvline(100 * retention, color="grey", linestyle=":", label=f"retention {100 * retention:.0f} %")
    label_axes(ax, title=title, xlabel="yearly retention before the improvement (%)",
               ylabel=money_axis("gain in value per acquired customer", currency))
    legend_outside(ax, on="axes")
    return fig


def payback_curve(
    cac: float,
    margin: float,
    retention: float,
    *,
    periods: int = 36,
    period: str = "months",
    currency: str = "currency units",
    title: str = "When does acquisition pay back?",
) -> Figure:
    """Expected cumulative margin of one acquired customer against its acquisition cost.

    Draws :func:`kamlab.economics.cumulative_margin`, m (1 - r^n)/(1 - r) after n
    periods (undiscounted), and marks the payback point of
    :func:`kamlab.economics.cac_payback_periods`.

    Parameters
    ----------
    cac : float
        Acquisition cost (currency units).
    margin : float
        Margin per period of a retained customer (currency units).
    retention : float
        Share retained from one period to the next.
    periods : int
        Periods to draw.
    period : str
        Name of the period, for the axis label.
    currency : str
        Currency of the money values, for the axis label (e.g. "EUR").
    title : str
        Figure title.
    """
    n = np.arange(0, periods + 1)
    cum = economics.cumulative_margin(margin, retention, periods)
    payback = economics.cac_payback_periods(cac, margin, retention)
    fig, ax = new_figure((6, 4.2))
    ax.plot(n, cum, label="expected cumulative margin")
    ax.axhline(cac, color="tab:red", linestyle="--",
               label=f"acquisition cost {cac:,.0f} {currency.strip() or 'currency units'}")
    if np.isfinite(payback) and payback <= periods:
        ax.axvline(payback, color="grey", linestyle=":", label=f"payback after {payback:.1f} {period}")
    ax.yaxis.set_major_formatter(money_formatter())
    label_axes(ax, title=title, xlabel=f"{period} since acquisition ({period})",
               ylabel=money_axis("cumulative margin per customer", currency))
    legend_outside(ax, on="axes")
    return fig


def channel_value_vs_cost(
    table: pd.DataFrame,
    *,
    currency: str = "currency units",
    title: str = "Acquisition channels: what a player costs against what a player brings",
) -> Figure:
    """Cost per install against value per installed player, one pair of bars per channel.

    Parameters
    ----------
    table : DataFrame
        Indexed by channel, with ``cost_per_install`` and ``value_per_install``
        (currency units per installed player).
    currency : str
        Currency of the money values, for the axis label (e.g. "EUR").
    title : str
        Figure title.
    """
    x = np.arange(len(table))
    width = 0.4
    fig, ax = new_figure((7, 4.2))
    ax.bar(x - width / 2, table["cost_per_install"], width, color="tab:red", label="cost per install")
    ax.bar(x + width / 2, table["value_per_install"], width, color="tab:green", label="value per install")
    ax.set_xticks(x, [str(c) for c in table.index])
    label_axes(ax, title=title, xlabel="acquisition channel",
               ylabel=money_axis("cost and value per player", currency))
    legend_outside(ax, on="axes")
    return fig
