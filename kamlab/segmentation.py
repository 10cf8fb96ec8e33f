"""The segmentation of one window: ABC, XYZ, the matrix, key-client types and tiers together.

:func:`segment_accounts` is the sequence notebook 05 teaches, as one call that
never raises for a missing optional input (cost, an accounts file, one of its
columns): what cannot be computed says so, in the sentence of
:func:`kamlab.client_types.not_computable_sentence`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kamlab.client_types import KeyClientTypes, customer_tiers, key_client_types, not_computable_sentence, tiers_need
from kamlab.data import require_columns
from kamlab.segments import ABC_CUTS, XYZ_CUTS, abc_classes, abc_xyz_matrix, account_table, xyz_classes
from kamlab.display import readable

__all__ = ["Segmentation", "readable", "segment_accounts"]  # readable: from kamlab.display



@dataclass(frozen=True)
class Segmentation:
    """ABC, XYZ, the matrix, key-client types and tiers of one window (:func:`segment_accounts`).

    Attributes
    ----------
    end : pd.Timestamp
        Last day of the window (inclusive).
    table : pd.DataFrame
        :func:`kamlab.segments.account_table`: one row per account that bought in the window.
    abc, xyz : pd.Series
        Class per account (:func:`kamlab.segments.abc_classes` on revenue, :func:`kamlab.segments.xyz_classes`).
    by_abc : pd.DataFrame
        Per ABC class: ``accounts``, ``revenue`` (currency units),
        ``share_of_accounts``, ``share_of_revenue``.
    by_xyz : pd.DataFrame
        Per XYZ class: ``accounts``, ``median_cv``, ``median_periods``.
    matrix : pd.DataFrame
        :func:`kamlab.segments.abc_xyz_matrix`, nine rows.
    types : KeyClientTypes
        :func:`kamlab.client_types.key_client_types` on the window.
    type_counts : pd.DataFrame
        Per computable type: ``accounts`` and ``share_of_accounts``.
    tiers : pd.Series or None
        :func:`kamlab.client_types.customer_tiers`; None when not computable.
    tier_summary : pd.DataFrame or None
        Per tier: ``accounts`` and, with cost data, ``profit`` (currency units).
    tiers_need : tuple of str
        What the tiers lack (empty when they were computed).
    """

    end: pd.Timestamp
    table: pd.DataFrame
    abc: pd.Series
    xyz: pd.Series
    by_abc: pd.DataFrame
    by_xyz: pd.DataFrame
    matrix: pd.DataFrame
    types: KeyClientTypes
    type_counts: pd.DataFrame
    tiers: pd.Series | None
    tier_summary: pd.DataFrame | None
    tiers_need: tuple[str, ...]

    def tiers_sentence(self) -> str:
        """The "not computable" sentence for the tiers (empty when they were computed)."""
        return not_computable_sentence("tiers", self.tiers_need) if self.tiers_need else ""

    def abc_table(self) -> pd.DataFrame:
        """:attr:`by_abc` for a reader: counts and money with thousands separators, shares as percentages."""
        return readable(self.by_abc, counts=("accounts",), money=("revenue",),
                        shares=("share_of_accounts", "share_of_revenue"), index_name="ABC class")

    def xyz_table(self) -> pd.DataFrame:
        """:attr:`by_xyz` for a reader; "—" where a class is empty."""
        return readable(self.by_xyz, counts=("accounts",), decimals={"median_cv": 2, "median_periods": 1},
                        index_name="XYZ class")

    def types_table(self) -> pd.DataFrame:
        """:attr:`type_counts` for a reader, one row per computable key-client type."""
        frame = self.type_counts.rename(index=lambda t: t.replace("_", "-"))
        return readable(frame, counts=("accounts",), shares=("share_of_accounts",), index_name="key-client type")

    def tiers_table(self) -> pd.DataFrame | None:
        """:attr:`tier_summary` for a reader (None when the tiers are not computable)."""
        if self.tier_summary is None:
            return None
        return readable(self.tier_summary, counts=("accounts",), money=("profit",), index_name="tier")


def _class_summaries(table: pd.DataFrame, abc: pd.Series, xyz: pd.Series) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Accounts and revenue per ABC class; accounts, median cv and median periods per XYZ class."""
    by_abc = table.groupby(abc, observed=False)["revenue"].agg(accounts="size", revenue="sum")
    by_abc["share_of_accounts"] = by_abc["accounts"] / len(table)
    by_abc["share_of_revenue"] = by_abc["revenue"] / table["revenue"].sum()
    by_xyz = table.groupby(xyz, observed=False).agg(accounts=("revenue", "size"), median_cv=("cv", "median"),
                                                     median_periods=("periods", "median"))
    return by_abc, by_xyz


def _tiers(table: pd.DataFrame, accounts: pd.DataFrame | None) -> tuple[pd.Series | None, pd.DataFrame | None]:
    """The five tiers and their accounts (and profit) per tier, or (None, None) without ``strategic_fit``."""
    if tiers_need(accounts):
        return None, None
    tiers = customer_tiers(table, accounts)
    summary = tiers.value_counts(sort=False).rename("accounts").to_frame()
    if "profit" in table:
        summary["profit"] = table["profit"].reindex(tiers.index).groupby(tiers, observed=False).sum()
    return tiers, summary


def segment_accounts(
    transactions: pd.DataFrame,
    accounts: pd.DataFrame | None = None,
    *,
    end: pd.Timestamp | None = None,
    abc_cuts: tuple[float, float] = ABC_CUTS,
    xyz_period: str = "Q",
    xyz_cuts: tuple[float, float] = XYZ_CUTS,
    xyz_min_periods: int = 3,
    breadwinner_share: float = 0.10,
    top: float = 0.20,
    summary: pd.DataFrame | None = None,
    codes: tuple[np.ndarray, pd.Index] | None = None,
) -> Segmentation:
    """Segment the accounts of one window: ABC, XYZ, the matrix, key-client types and tiers.

    The sequence of notebook 05, on the transactions dated up to ``end``
    (inclusive; default the last date): :func:`kamlab.segments.account_table` (revenue, profit
    after cost-to-serve, repeat purchases, revenue cv per ``xyz_period``),
    ABC classes of revenue with ``abc_cuts``, XYZ classes with ``xyz_cuts``
    and ``xyz_min_periods``, the ABC-XYZ matrix, the four key-client types
    (breadwinner share ``breadwinner_share``, "top" = the top ``top`` share)
    and, when ``accounts`` has ``strategic_fit``, the five tiers. Nothing
    here raises for a missing optional input: types and tiers that cannot be
    computed say so (``types.not_computable``, ``tiers_need``).

    Parameters
    ----------
    transactions : pd.DataFrame
        The kamlab contract (``customer_id``, ``date``, ``amount``, optional ``cost``).
    accounts : pd.DataFrame, optional
        Account attributes indexed by ``customer_id``.
    end : Timestamp, optional
        Last day of the window.
    abc_cuts, xyz_cuts, xyz_period, xyz_min_periods
        As in :func:`kamlab.segments.abc_classes`, :func:`kamlab.segments.xyz_classes` and :func:`kamlab.segments.revenue_cv`.
    breadwinner_share, top : float
        As in :func:`kamlab.client_types.key_client_types`.
    summary : pd.DataFrame, optional
        ``kamlab.rfm.summarise_rfm(transactions, end, freq="D", monetary=False)``, when already computed.
    codes : (np.ndarray, pd.Index), optional
        The account of each row of ``transactions`` as ``pd.factorize(customer_id, sort=True)``
        gives it, when already computed (:func:`kamlab.segments.revenue_cv`).

    Returns
    -------
    Segmentation
    """
    require_columns(transactions, ["customer_id", "date", "amount"], what="transactions",
                    hint="Load them with kamlab.data.load_transactions (or map your columns there).")
    end = transactions["date"].max() if end is None else pd.Timestamp(end)
    # account_table sums up to ``end`` itself (the window starts at the first purchase, as the whole data do).
    table = account_table(transactions, accounts, end=end, freq=xyz_period, summary=summary, codes=codes)
    abc = abc_classes(table["revenue"], cuts=abc_cuts)
    xyz = xyz_classes(table, cuts=xyz_cuts, min_periods=xyz_min_periods)
    by_abc, by_xyz = _class_summaries(table, abc, xyz)
    types = key_client_types(table, accounts, breadwinner_share=breadwinner_share, top=top)
    type_counts = types.table.sum().rename("accounts").to_frame()
    type_counts["share_of_accounts"] = type_counts["accounts"] / len(table)
    tiers, tier_summary = _tiers(table, accounts)
    return Segmentation(end=end, table=table, abc=abc, xyz=xyz, by_abc=by_abc, by_xyz=by_xyz,
                        matrix=abc_xyz_matrix(abc, xyz, table["revenue"]), types=types, type_counts=type_counts,
                        tiers=tiers, tier_summary=tier_summary, tiers_need=tiers_need(accounts))
