"""Acquisition economics of a channel: what an install is worth, and what a retained player costs.

The free-to-play side of retention versus acquisition (notebooks 03 and 04):
an empirical, model-free value per install by channel, and the cost of one
player still active after d days, cost per install / retention(d).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kamlab.data import require_columns


def value_per_install(
    transactions: pd.DataFrame,
    players: pd.DataFrame,
    *,
    days: int,
    observation_end: str | pd.Timestamp,
    channel_col: str = "channel",
    cost_col: str = "acquisition_cost",
    acquired_col: str = "acquired",
) -> pd.DataFrame:
    """Value of an install within its first ``days`` days, against its cost, by channel.

    For every player acquired at least ``days`` days before ``observation_end``
    (so that its whole window is observed):

        value_i   = sum of (amount - cost) of its transactions dated acquired_i .. acquired_i + days - 1
        channel:  value_per_install = mean value_i,  cost_per_install = mean acquisition cost,
                  roas = value_per_install / cost_per_install  (return on acquisition spend)

    An empirical, model-free cohort value ("D30/D60 value"); cost-to-serve is not
    deducted, only the transaction ``cost`` (e.g. platform fees) when present.

    Parameters
    ----------
    transactions : DataFrame
        ``customer_id``, ``date``, ``amount`` (currency units), optional ``cost``.
    players : DataFrame
        Indexed by ``customer_id`` with ``acquired`` (date), ``channel`` and the
        acquisition cost per player (currency units).
    days : int
        Length of the value window after acquisition, in days.
    observation_end : date-like
        Last day of data.

    Returns
    -------
    DataFrame
        Indexed by channel: ``installs`` (players with a full window),
        ``cost_per_install``, ``value_per_install`` (currency units per install),
        ``payer_share`` (share with a purchase in the window) and ``roas``.
    """
    require_columns(transactions, ("customer_id", "date", "amount"), what="value_per_install: transactions")
    require_columns(players, (channel_col, cost_col, acquired_col), what="value_per_install: players",
                    hint="Pass channel_col=, cost_col=, acquired_col= to name yours.")
    if days < 1:
        raise ValueError(f"value_per_install: days must be >= 1, got {days}")
    end = pd.Timestamp(observation_end)
    acquired = pd.to_datetime(players[acquired_col])
    eligible = players.loc[acquired <= end - pd.Timedelta(days=days - 1)]
    if len(eligible) == 0:
        raise ValueError(
            f"value_per_install: no player was acquired {days} days or more before {end.date()}; "
            "choose fewer days"
        )
    tx = transactions.loc[transactions["customer_id"].isin(eligible.index)]
    start = pd.to_datetime(eligible[acquired_col]).reindex(tx["customer_id"]).to_numpy()
    age = (tx["date"].to_numpy() - start) / np.timedelta64(1, "D")
    in_window = tx.loc[(age >= 0) & (age < days)]
    net = in_window["amount"] - (in_window["cost"] if "cost" in in_window else 0.0)
    value = net.groupby(in_window["customer_id"]).sum().reindex(eligible.index, fill_value=0.0)
    paid = pd.Series(eligible.index.isin(in_window["customer_id"]), index=eligible.index)
    frame = pd.DataFrame({"channel": eligible[channel_col], "cost": eligible[cost_col].astype(float),
                          "value": value, "paid": paid})
    out = frame.groupby("channel").agg(
        installs=("value", "size"), cost_per_install=("cost", "mean"),
        value_per_install=("value", "mean"), payer_share=("paid", "mean"),
    )
    out["roas"] = out["value_per_install"] / out["cost_per_install"].where(out["cost_per_install"] > 0)
    return out


def cost_per_retained_player(cost_per_install: pd.Series, retention: pd.Series) -> pd.Series:
    """What one player still active after d days costs to acquire, by channel.

        cost per retained player = cost per install / retention(d)

    (the acquisition cost of the installs it takes, on average, to keep one
    player to day d). Channels with zero retention get NaN (no player is
    retained, so no finite cost buys one).

    Parameters
    ----------
    cost_per_install : pd.Series
        Mean acquisition cost per install by channel (currency units).
    retention : pd.Series
        Share of installs still active on day d by channel, in [0, 1].

    Returns
    -------
    pd.Series
        Currency units per retained player, indexed by channel.
    """
    retention = retention.astype(float)
    if ((retention < 0) | (retention > 1)).any():
        raise ValueError(f"retention must lie in [0, 1], got {retention.round(3).to_dict()}")
    return cost_per_install.astype(float) / retention.where(retention > 0)
