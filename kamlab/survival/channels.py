"""Players' retention by acquisition channel, and what one retained player costs.

Rolling Dn retention per channel is read off Kaplan-Meier curves of
inactivity lifetimes; dividing a channel's price per install by its retention
on the last day gives the cost of one retained player
(:func:`kamlab.acquisition.cost_per_retained_player`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import pandas as pd

from kamlab.acquisition import cost_per_retained_player
from kamlab.data import require_columns

from .churn import churn_durations
from .kaplan_meier import SurvivalCurve, kaplan_meier_by, rolling_retention


@dataclass(frozen=True)
class ChannelRetention:
    """Rolling retention of players by acquisition channel."""

    players: pd.DataFrame                 # churn_durations of the players whose channel is known
    curves: dict[str, SurvivalCurve]      # one Kaplan-Meier curve per channel
    table: pd.DataFrame                   # per channel: players, D1.. and, with costs, cost_per_install, cost_per_retained_player
    last_day: str                         # the column the cost per retained player divides by, e.g. "D30"


def retention_by_channel(
    activity: pd.DataFrame,
    players: pd.DataFrame,
    observation_end: str | pd.Timestamp,
    *,
    inactivity: int | float | str | pd.Timedelta,
    days: Sequence[int] = (1, 7, 30),
    channel_col: str = "channel",
    cost_col: str | None = "acquisition_cost",
) -> ChannelRetention:
    """Rolling D1/D7/D30 retention by acquisition channel, and the cost of a retained player.

        Dn(channel)               = S_channel(n - 1)        (see rolling_retention)
        cost_per_install          = mean acquisition cost of the channel's players
        cost_per_retained_player  = cost_per_install / D_last (currency units per player)

    Parameters
    ----------
    activity : DataFrame
        ``customer_id`` and ``date`` of every session or purchase.
    players : DataFrame
        Indexed by ``customer_id`` with the channel and, optionally, the
        acquisition cost per player (currency units).
    observation_end : date-like
        Last day of data.
    inactivity : number of days, str or Timedelta
        Days without activity after which a player counts as lost.
    days : sequence of int
        Days after install at which retention is read; the cost per retained
        player uses the last.
    channel_col, cost_col : str
        Column names in ``players``; ``cost_col=None`` (or a missing column)
        leaves the cost columns out.

    Returns
    -------
    ChannelRetention
    """
    require_columns(players, [channel_col], what="players", hint="Give the player table with its channel column.")
    durations = churn_durations(activity, observation_end, inactivity=inactivity)
    durations = durations[durations.index.isin(players.index)]      # players whose channel is known
    curves = kaplan_meier_by(durations, players[channel_col])
    table = rolling_retention(curves, days)
    last = f"D{int(list(days)[-1])}"
    if cost_col is not None and cost_col in players.columns:
        cost = players.groupby(channel_col)[cost_col].mean()
        table["cost_per_install"] = cost
        table["cost_per_retained_player"] = cost_per_retained_player(table["cost_per_install"], table[last])
    return ChannelRetention(players=durations, curves=curves, table=table, last_day=last)
