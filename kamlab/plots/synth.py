"""Figures of the synthetic worlds: one per warning the worlds make emergent.

Each function takes per-account frames (as built by ``kamlab.synth``) and
returns a ``matplotlib.figure.Figure``; money is in ``currency`` (default "currency units"). They only
draw: the numbers come from ``kamlab.synth`` (e.g. ``retention_curves``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .style import legend_outside, money_formatter, money_symlog, new_figure


def _top_mask(values: pd.Series, share: float) -> pd.Series:
    n = int(round(share * len(values)))
    top = values.sort_values(ascending=False, kind="stable").index[:n]
    return values.index.isin(top)


def size_vs_profit(revenue: pd.Series, profit: pd.Series, *, top: float = 0.10,
                   title: str = "Big is not always profitable",
                   currency: str = "currency units") -> Figure:
    """Calibration revenue (log scale) against profit after cost-to-serve, top ``top`` share in red.

    Points below the zero line lost money; red points below it are "biggest"
    accounts that lose money after discounts, payment terms and service.
    """
    is_top = _top_mask(revenue, top)
    fig, ax = new_figure((6.5, 4.5))
    ax.scatter(revenue[~is_top], profit[~is_top], s=10, alpha=0.5, color="C0", label="other accounts")
    ax.scatter(revenue[is_top], profit[is_top], s=18, color="C3",
               label=f"top {100 * top:.0f} % by revenue ({int((profit[is_top] < 0).sum())} lose money)")
    ax.axhline(0, color="grey", linewidth=1)
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(money_formatter())
    money_symlog(ax, "y", profit)
    ax.set_xlabel(f"revenue in the calibration window ({currency}, log scale)")
    ax.set_ylabel(f"profit after cost-to-serve ({currency}, symlog)")
    ax.set_title(title)
    legend_outside(ax, where="below")
    return fig


def demand_vs_profit(by_decile: pd.Series, median_profit: float, *,
                     title: str = "Loud is not valuable: profit by service-demand decile",
                     currency: str = "currency units") -> Figure:
    """Mean profit per account in each decile of service tickets, with the median account's profit.

    Parameters
    ----------
    by_decile : pd.Series
        ``kamlab.synth.mean_by_decile(tickets, profit)``: mean profit (currency)
        per decile 1..10, 10 = the most demanding accounts (drawn in red).
    median_profit : float
        The median account's profit (currency), drawn as a dashed line.
    title : str
        Figure title.
    """
    groups = int(by_decile.index.max())
    fig, ax = new_figure((6.5, 4.2))
    colors = ["C3" if d == groups else "C0" for d in by_decile.index]
    ax.bar(by_decile.index, by_decile.to_numpy(), color=colors)
    ax.axhline(median_profit, color="black", linestyle="--", linewidth=1,
               label=f"median account: {median_profit:,.0f} {currency}")
    ax.set_xticks(by_decile.index)
    ax.set_xlabel(f"service-ticket decile (1 = fewest, {groups} = most tickets)")
    ax.yaxis.set_major_formatter(money_formatter())
    ax.set_ylabel(f"mean profit per account ({currency})")
    ax.set_title(title)
    legend_outside(ax, where="below")
    return fig


def staff_hours_habit(staff_hours: pd.Series, past_revenue: pd.Series, future_profit: pd.Series, *,
                      rho_past: float, rho_future: float,
                      title: str = "Staff hours follow past revenue, not future profit",
                      currency: str = "currency units") -> Figure:
    """Two panels: staff hours against calibration revenue and against true future profit.

    Each panel title gives the Spearman rank correlation passed in (``rho_past``,
    ``rho_future``, e.g. ``staff_hours.corr(past_revenue, method="spearman")``).
    """
    fig, axes = new_figure((10, 4.2), ncols=2, sharey=True)
    panels = ((axes[0], past_revenue, rho_past, f"revenue in the calibration window ({currency}, symlog)"),
              (axes[1], future_profit, rho_future, f"true expected profit in the holdout year ({currency}, symlog)"))
    for ax, x, rho, label in panels:
        ax.scatter(x, staff_hours, s=10, alpha=0.5)
        money_symlog(ax, "x", x)
        ax.set_xlabel(label)
        ax.set_title(f"Spearman rank correlation {rho:.2f}")
    axes[0].set_ylabel("staff hours logged in calibration (hours)")
    fig.suptitle(title)
    return fig


def oak_trees(revenue_cal: pd.Series, revenue_holdout: pd.Series, oak: pd.Series | None = None,
              title: str = "Tomorrow's oak trees: calibration versus holdout revenue",
              currency: str = "currency units") -> Figure:
    """Calibration against holdout revenue (symlog axes), latent oak trees marked if given.

    Dashed lines mark the calibration median and the holdout top-decile threshold:
    points left of the vertical and above the horizontal line were small and became key.
    """
    fig, ax = new_figure((6.5, 4.8))
    if oak is None:
        oak = pd.Series(False, index=revenue_cal.index)
    oak = oak.astype(bool)
    ax.scatter(revenue_cal[~oak], revenue_holdout[~oak], s=10, alpha=0.5, color="C0", label="accounts")
    ax.scatter(revenue_cal[oak], revenue_holdout[oak], s=22, color="C2", marker="^", label="oak trees (truth)")
    ax.axvline(revenue_cal.median(), color="grey", linestyle="--", linewidth=1, label="calibration median")
    threshold = revenue_holdout.sort_values(ascending=False).iloc[max(0, int(round(0.1 * len(revenue_holdout))) - 1)]
    ax.axhline(threshold, color="C3", linestyle="--", linewidth=1, label="holdout top-decile threshold")
    money_symlog(ax, "x", revenue_cal, nonnegative=True)
    money_symlog(ax, "y", revenue_holdout, nonnegative=True)
    ax.set_xlabel(f"revenue in the calibration window ({currency}, symlog)")
    ax.set_ylabel(f"revenue in the holdout year ({currency}, symlog)")
    ax.set_title(title)
    legend_outside(ax, where="below")
    return fig


def referral_value_vs_profit(own_profit: pd.Series, referral_value: pd.Series,
                             title: str = "Image-makers: value outside own revenue",
                             currency: str = "currency units") -> Figure:
    """True own future profit against the expected profit of the accounts they will refer.

    Points above the diagonal bring more through referrals than through their own orders.
    """
    fig, ax = new_figure((6.5, 4.5))
    ax.scatter(own_profit, referral_value, s=10, alpha=0.6)
    lim = float(max(own_profit.abs().max(), referral_value.max(), 1.0))
    ax.plot([0, lim], [0, lim], color="grey", linestyle="--", linewidth=1, label="referrals = own profit")
    money_symlog(ax, "x", own_profit)
    money_symlog(ax, "y", referral_value, linthresh=100, nonnegative=True)
    ax.set_xlabel(f"true expected own profit in the holdout year ({currency}, symlog)")
    ax.set_ylabel(f"referral value ({currency}, symlog)")
    ax.set_title(title)
    legend_outside(ax, where="below")
    return fig


def uplift_distribution(uplift: pd.Series, bins: int = 40,
                        title: str = "Extra key-account effort pays for some accounts and not others",
                        currency: str = "currency units") -> Figure:
    """Histogram of true profit uplift from key-account treatment (symlog-spaced bins).

    Bars right of zero are accounts where the extra effort earns more than it costs.
    """
    values = uplift.to_numpy(dtype=float)
    lo, hi = np.min(values), np.max(values)
    lin = 1000.0
    edges = np.unique(np.concatenate([
        -np.geomspace(max(-lo, lin), lin, bins // 4) if lo < -lin else [],
        np.linspace(-lin, lin, bins // 2),
        np.geomspace(lin, max(hi, lin), bins // 4) if hi > lin else [],
    ]))
    fig, ax = new_figure((6.5, 4.2))
    counts, edges = np.histogram(values, bins=edges)
    centers = (edges[:-1] + edges[1:]) / 2
    ax.bar(edges[:-1], counts, width=np.diff(edges), align="edge",
           color=np.where(centers > 0, "C2", "C3"), edgecolor="white", linewidth=0.3)
    ax.axvline(0, color="black", linewidth=1)
    money_symlog(ax, "x", values, linthresh=lin)
    ax.set_xlabel(f"true profit uplift of key-account treatment in the holdout year ({currency}, symlog)")
    ax.set_ylabel("accounts (count)")
    ax.set_title(title)
    return fig


def silence_vs_alive(by_silence: pd.DataFrame, bin_days: int = 60,
                     title: str = "A lost customer has not bought for a long time") -> Figure:
    """Share of accounts truly alive at calibration end, by days since their last order.

    Parameters
    ----------
    by_silence : pd.DataFrame
        ``kamlab.synth.alive_by_silence(days_silent, alive, bin_days)``: index
        ``from_day``, columns ``share_alive`` and ``accounts``; the number
        above each bar is its count of accounts.
    bin_days : int
        Width of the bins (days), as passed to ``alive_by_silence``.
    title : str
        Figure title.
    """
    fig, ax = new_figure((6.5, 4.2))
    x = by_silence.index.to_numpy()
    share = 100 * by_silence["share_alive"].to_numpy()
    ax.bar(x, share, width=bin_days * 0.9, align="edge", color="C0")
    for xi, yi, n in zip(x, share, by_silence["accounts"].to_numpy()):
        ax.text(xi + bin_days * 0.45, yi + 1, f"{n:,}", ha="center", fontsize="small")
    ax.set_ylim(0, 110)
    ax.set_xlabel("days since the last order at calibration end (days)")
    ax.set_ylabel("accounts still alive (truth, %)")
    ax.set_title(title)
    return fig


def retention_curve(curves: pd.DataFrame, title: str = "Day-N retention of players") -> Figure:
    """Share of installs active exactly N days after install, one line per column of ``curves``.

    Parameters
    ----------
    curves : pd.DataFrame
        ``kamlab.synth.retention_curves``: index = days since install, one
        column per group, shares in [0, 1].
    title : str
        Figure title.
    """
    fig, ax = new_figure((6.5, 4.2))
    days = curves.index.to_numpy()
    for name in curves.columns:
        ax.plot(days, 100 * curves[name].to_numpy(), label=str(name))
    for d in (1, 7, 30):
        ax.axvline(d, color="grey", linestyle=":", linewidth=1)
    ax.set_yscale("log")
    ax.set_xlabel("days since install (days)")
    ax.set_ylabel("installs active that day (%, log scale)")
    ax.set_title(title)
    legend_outside(ax, where="below")
    return fig
