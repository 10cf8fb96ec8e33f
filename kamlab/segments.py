"""Segmenting accounts by value: Pareto/Lorenz curve, Gini, top share.

How concentrated is value across accounts? The Pareto "80/20 rule" says that a
fifth of the customers bring most of the revenue; these functions measure how
true that is on a given dataset, and are the first step of every key-account
definition that ranks by size.

All functions take one value per account (revenue, profit, ...) as any
one-dimensional array-like or ``pd.Series``. Values must be finite and
non-negative with a positive total: shares of a total are undefined otherwise.

The second part classifies accounts: ABC by cumulative share of value, XYZ by
the variability of revenue per period, the ABC-XYZ matrix, the four
key-client types (breadwinner, prospect, image-maker, expert) and the five
tiers (key, important, customers, difficult, non-customers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


from kamlab.concentration import gini, lorenz_curve, top_share  # noqa: F401  (compatibility)


# --- ABC, XYZ, the ABC-XYZ matrix, the four key-client types and five tiers ---

#: Default cut points of the ABC classes: cumulative share of value.
ABC_CUTS = (0.80, 0.95)
#: Default cut points of the XYZ classes: coefficient of variation per period.
XYZ_CUTS = (0.5, 1.0)


def _account_series(values, what: str) -> pd.Series:
    """``values`` as a float Series indexed by account, or a ValueError naming the problem."""
    if not isinstance(values, pd.Series):
        raise TypeError(f"{what} must be a pandas Series indexed by customer_id, got {type(values).__name__}")
    series = values.astype(float)
    bad = series.index[~np.isfinite(series.to_numpy())]
    if len(bad):
        raise ValueError(
            f"{what}: {len(bad)} missing or infinite values (accounts {', '.join(map(str, bad[:5]))}"
            f"{', ...' if len(bad) > 5 else ''}); drop or fill them first"
        )
    if series.index.has_duplicates:
        dup = series.index[series.index.duplicated()].unique()
        raise ValueError(f"{what}: duplicated accounts {', '.join(map(str, dup[:5]))}; one value per account")
    return series


def _descending_order(series: pd.Series) -> np.ndarray:
    """Positions of ``series`` sorted by value descending, ties by account id ascending."""
    return np.lexsort((series.index.astype(str).to_numpy(), -series.to_numpy()))


def abc_classes(values: pd.Series, cuts: tuple[float, float] = ABC_CUTS) -> pd.Series:
    """ABC class of each account from its cumulative share of value.

    Sort accounts by value, largest first (ties by account id), and let
    S_before(i) be the share of the total positive value brought by the
    accounts ranked above i. Then

        class A  if  S_before(i) <  cuts[0]        (default 80 %)
        class B  if  cuts[0] <= S_before(i) < cuts[1]  (default 95 %)
        class C  otherwise,

    so class A is the smallest set of largest accounts that together reach
    the first cut (the account that crosses 80 % is in A). Accounts with a
    value <= 0 (e.g. loss-making accounts when ranking by profit) add nothing
    towards the cuts and are class C.

    This is the Pareto or ABC analysis of inventory control (Dickie 1951,
    "ABC inventory analysis shoots for dollars, not pennies", Factory
    Management and Maintenance) applied to customers; the 80 %/95 % cuts are
    the usual convention, not a law.

    Parameters
    ----------
    values : pd.Series
        One value per account (revenue or profit, currency units), indexed by
        ``customer_id``.
    cuts : (float, float)
        Cumulative shares closing class A and class B, 0 < cuts[0] < cuts[1] <= 1.

    Returns
    -------
    pd.Series
        Categorical "A"/"B"/"C", named ``abc``, in the order of ``values``.
    """
    lo, hi = cuts
    if not 0 < lo < hi <= 1:
        raise ValueError(f"cuts must satisfy 0 < A-cut < B-cut <= 1, got {cuts}")
    series = _account_series(values, "values")
    positive = series.clip(lower=0.0).to_numpy()
    total = positive.sum()
    if total <= 0:
        raise ValueError("values: no account has a positive value, so shares of the total are undefined")
    order = _descending_order(series)
    before = np.empty(len(series))
    before[order] = (np.cumsum(positive[order]) - positive[order]) / total
    labels = np.where(before < lo, "A", np.where(before < hi, "B", "C"))
    labels[positive <= 0] = "C"
    return pd.Series(pd.Categorical(labels, categories=["A", "B", "C"]), index=series.index, name="abc")


def revenue_cv(
    transactions: pd.DataFrame,
    *,
    freq: str = "M",
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Coefficient of variation of each account's revenue per period.

    Revenue is summed per account and calendar period (``freq``: "W", "M" or
    "Q"); periods without purchases count as 0. Each account is followed from
    the period of its first purchase (or of ``start`` if later) to the period
    holding ``end``, so a young account is not penalised for the time before
    it existed. With r_1..r_m the revenue of those m periods,

        cv = sd(r) / mean(r),    sd with divisor m (population form);

    an account whose periods total 0 (only zero-value orders) gets cv = inf.

    Parameters
    ----------
    transactions : pd.DataFrame
        The kamlab contract: ``customer_id``, ``date``, ``amount``.
    freq : str
        Period length: "W" (weeks), "M" (calendar months) or "Q" (quarters).
    start, end : Timestamp, optional
        Window to use (inclusive); default the first and last transaction date.

    Returns
    -------
    pd.DataFrame
        Indexed by ``customer_id``: ``periods`` (m), ``mean_revenue`` (currency
        units per period), ``cv`` (dimensionless).
    """
    if freq not in ("W", "M", "Q"):
        raise ValueError(f"freq must be 'W', 'M' or 'Q', got {freq!r}")
    missing = [c for c in ("customer_id", "date", "amount") if c not in transactions.columns]
    if missing:
        raise ValueError(f"transactions: missing column(s) {missing}; have {list(transactions.columns)}")
    tx = transactions
    start = tx["date"].min() if start is None else pd.Timestamp(start)
    end = tx["date"].max() if end is None else pd.Timestamp(end)
    tx = tx[(tx["date"] >= start) & (tx["date"] <= end)]
    if tx.empty:
        raise ValueError(f"transactions: no purchases between {start.date()} and {end.date()}")
    period = tx["date"].dt.to_period(freq)
    last = end.to_period(freq)
    per = tx.groupby(["customer_id", period], sort=False)["amount"].sum()
    totals = per.groupby(level=0).sum()
    sq = (per**2).groupby(level=0).sum()
    first = per.index.get_level_values(1).to_series().groupby(per.index.get_level_values(0).to_numpy()).min()
    m = np.array([(last - p).n + 1 for p in first.loc[totals.index]], dtype=float)
    mean = totals.to_numpy() / m
    var = np.maximum(sq.loc[totals.index].to_numpy() / m - mean**2, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = np.where(mean > 0, np.sqrt(var) / mean, np.inf)
    out = pd.DataFrame({"periods": m.astype(int), "mean_revenue": mean, "cv": cv}, index=totals.index)
    out.index.name = "customer_id"
    return out.sort_index()


def xyz_classes(
    cv: pd.DataFrame,
    cuts: tuple[float, float] = XYZ_CUTS,
    *,
    min_periods: int = 3,
) -> pd.Series:
    """XYZ class of each account from the variability of its revenue per period.

        class X  if  cv <= cuts[0]          (steady; default 0.5)
        class Y  if  cuts[0] < cv <= cuts[1]  (fluctuating; default 1.0)
        class Z  if  cv >  cuts[1]          (erratic)

    and class Z for accounts followed for fewer than ``min_periods`` periods:
    with so short a history their demand cannot be called steady.

    The 0.5 / 1.0 cuts are the thresholds most often quoted in inventory
    practice for the XYZ (demand variability) analysis that complements ABC;
    there is no canonical source for them: tune them to the period length
    (monthly revenue fluctuates less than weekly revenue).

    Parameters
    ----------
    cv : pd.DataFrame
        Output of :func:`revenue_cv` (columns ``periods`` and ``cv``).
    cuts : (float, float)
        Upper cv bounds of classes X and Y, 0 < cuts[0] < cuts[1].
    min_periods : int
        Shortest history (in periods) that can be classed X or Y.

    Returns
    -------
    pd.Series
        Categorical "X"/"Y"/"Z", named ``xyz``, indexed like ``cv``.
    """
    lo, hi = cuts
    if not 0 < lo < hi:
        raise ValueError(f"cuts must satisfy 0 < X-cut < Y-cut, got {cuts}")
    missing = [c for c in ("periods", "cv") if c not in cv.columns]
    if missing:
        raise ValueError(f"cv: missing column(s) {missing}; pass the output of revenue_cv()")
    values = cv["cv"].to_numpy(dtype=float)
    labels = np.where(values <= lo, "X", np.where(values <= hi, "Y", "Z"))
    labels[cv["periods"].to_numpy() < min_periods] = "Z"
    return pd.Series(pd.Categorical(labels, categories=["X", "Y", "Z"]), index=cv.index, name="xyz")


def abc_xyz_matrix(abc: pd.Series, xyz: pd.Series, revenue: pd.Series) -> pd.DataFrame:
    """Accounts and revenue in each cell of the ABC-XYZ matrix.

    Cross-tabulates the ABC class (value) against the XYZ class
    (predictability): AX accounts are large and steady, CZ small and erratic.
    Every one of the nine cells is listed, empty ones with zeros.

    Parameters
    ----------
    abc, xyz : pd.Series
        Classes from :func:`abc_classes` and :func:`xyz_classes`, indexed by
        ``customer_id``; accounts present in only one of them are an error.
    revenue : pd.Series
        Revenue per account (currency units), same accounts.

    Returns
    -------
    pd.DataFrame
        Nine rows with columns ``abc``, ``xyz``, ``accounts`` (count),
        ``revenue`` (currency units) and ``share_of_revenue`` (in [0, 1]).
    """
    idx = abc.index
    for other, name in ((xyz, "xyz"), (revenue, "revenue")):
        if not other.index.sort_values().equals(idx.sort_values()):
            extra = other.index.difference(idx)
            lacking = idx.difference(other.index)
            raise ValueError(
                f"abc and {name} must cover the same accounts: {len(lacking)} only in abc "
                f"({', '.join(map(str, lacking[:3]))}), {len(extra)} only in {name} "
                f"({', '.join(map(str, extra[:3]))}); compute both on the same accounts"
            )
    frame = pd.DataFrame({"abc": abc, "xyz": xyz.reindex(idx), "revenue": revenue.reindex(idx).astype(float)})
    cells = pd.MultiIndex.from_product([["A", "B", "C"], ["X", "Y", "Z"]], names=["abc", "xyz"])
    grouped = frame.groupby(["abc", "xyz"], observed=False)["revenue"].agg(["size", "sum"])
    grouped = grouped.reindex(cells, fill_value=0)
    total = frame["revenue"].sum()
    out = pd.DataFrame(
        {
            "accounts": grouped["size"].astype(int).to_numpy(),
            "revenue": grouped["sum"].astype(float).to_numpy(),
        },
        index=cells,
    ).reset_index()
    out["abc"] = out["abc"].astype(str)
    out["xyz"] = out["xyz"].astype(str)
    out["share_of_revenue"] = out["revenue"] / total if total > 0 else 0.0
    return out


@dataclass(frozen=True)
class KeyClientTypes:
    """The four key-client types of each account, with what could not be decided.

    Attributes
    ----------
    table : pd.DataFrame
        Indexed by ``customer_id``, one boolean column per computable type
        (``breadwinner``, ``prospect``, ``image_maker``, ``expert``).
    not_computable : dict
        Type -> the columns it needs that the data lacks.
    notes : tuple of str
        Plain-language remarks, e.g. that no account reaches the breadwinner share.
    """

    table: pd.DataFrame
    not_computable: dict[str, tuple[str, ...]]
    notes: tuple[str, ...]


def _top_share_flag(values: pd.Series, top: float) -> pd.Series:
    """True for accounts whose value is positive and at least the (1 - top) quantile."""
    threshold = values.quantile(1 - top)
    return (values >= threshold) & (values > 0)


def key_client_types(
    summary: pd.DataFrame,
    accounts: pd.DataFrame | None = None,
    *,
    breadwinner_share: float = 0.10,
    top: float = 0.20,
) -> KeyClientTypes:
    """The four key-client types of the source material, each as a rule.

    With "top" meaning a positive value at or above the (1 - ``top``) quantile
    across the accounts (default: the top 20 %):

    - **breadwinner**: brings at least ``breadwinner_share`` (10 %) of total
      profit, profit_i / sum_j profit_j >= 0.10 (needs ``profit``, i.e. cost).
      With many accounts often nobody qualifies, which the notes say.
    - **prospect**: high growth potential but not yet big: top
      ``growth_potential`` and revenue below the top-``top`` revenue threshold
      ("tomorrow's oak trees"; needs ``growth_potential``).
    - **image_maker**: top ``influence`` (or, without it, top ``referrals``):
      value that lies outside their own revenue.
    - **expert**: top service demand, measured by ``service_tickets`` (or,
      without it, ``cost_to_serve``): demanding quality requirements.

    An account can have several types or none. Types whose columns are
    missing are reported in ``not_computable``, never as all-False.

    Parameters
    ----------
    summary : pd.DataFrame
        Calibration-window summary indexed by ``customer_id`` with ``revenue``
        and, if cost is known, ``profit`` (as from ``kamlab.rfm.summarise_rfm``).
    accounts : pd.DataFrame, optional
        Account attributes indexed by ``customer_id`` (DESIGN data contract).
    breadwinner_share : float
        Share of total profit that makes a breadwinner, in (0, 1].
    top : float
        Share of accounts counted as "top" on a signal, in (0, 1).

    Returns
    -------
    KeyClientTypes
    """
    if not 0 < breadwinner_share <= 1:
        raise ValueError(f"breadwinner_share must be in (0, 1], got {breadwinner_share}")
    if not 0 < top < 1:
        raise ValueError(f"top must be in (0, 1), got {top}")
    if "revenue" not in summary.columns:
        raise ValueError(f"summary: needs a 'revenue' column; have {list(summary.columns)}")
    idx = summary.index
    attrs = accounts.reindex(idx) if accounts is not None else pd.DataFrame(index=idx)
    table = pd.DataFrame(index=idx)
    missing: dict[str, tuple[str, ...]] = {}
    notes: list[str] = []

    if "profit" in summary.columns:
        profit = summary["profit"].astype(float)
        total = profit.sum()
        if total <= 0:
            notes.append(f"total profit is {total:,.0f}, not positive: no account can be a breadwinner")
            table["breadwinner"] = False
        else:
            share = profit / total
            table["breadwinner"] = share >= breadwinner_share
            if not table["breadwinner"].any():
                notes.append(
                    f"no account reaches {breadwinner_share:.0%} of total profit "
                    f"(the largest brings {share.max():.1%}): there is no breadwinner"
                )
    else:
        missing["breadwinner"] = ("cost",)

    revenue = summary["revenue"].astype(float)
    if "growth_potential" in attrs.columns:
        growth = attrs["growth_potential"].astype(float).fillna(0.0)
        big = revenue >= revenue.quantile(1 - top)
        table["prospect"] = _top_share_flag(growth, top) & ~big
    else:
        missing["prospect"] = ("growth_potential",)

    influence_col = next((c for c in ("influence", "referrals") if c in attrs.columns), None)
    if influence_col:
        table["image_maker"] = _top_share_flag(attrs[influence_col].astype(float).fillna(0.0), top)
    else:
        missing["image_maker"] = ("influence or referrals",)

    demand_col = next((c for c in ("service_tickets", "cost_to_serve") if c in attrs.columns), None)
    if demand_col:
        table["expert"] = _top_share_flag(attrs[demand_col].astype(float).fillna(0.0), top)
    else:
        missing["expert"] = ("service_tickets or cost_to_serve",)

    table.index.name = "customer_id"
    return KeyClientTypes(table=table.astype(bool), not_computable=missing, notes=tuple(notes))


#: The five tiers, from most to least attention.
TIERS = ("key", "important", "customers", "difficult", "non-customers")


def customer_tiers(
    summary: pd.DataFrame,
    accounts: pd.DataFrame | None = None,
    *,
    loyalty_cut: float = 0.5,
    fit_cut: float = 0.5,
) -> pd.Series:
    """Five tiers of accounts from loyalty and fit: key, important, customers, difficult, non-customers.

    Signals, each turned into a percentile rank in (0, 1] among the buying
    accounts (ties share the average rank):

    - loyalty = rank of repeat purchases (``frequency``) in the calibration
      window; "loyal" if rank >= ``loyalty_cut``;
    - fit = rank of ``strategic_fit`` (account attribute); "fits" if rank >=
      ``fit_cut``.

    Rules, first match wins:

    1. **non-customers**: in the accounts table but no purchase in the window;
    2. **difficult**: buys but loses money: ``profit`` < 0 (pass profit after
       cost-to-serve, as :func:`account_table` gives it); without cost data
       nobody is classed difficult;
    3. **key**: loyal and fits;
    4. **important**: loyal or fits, not both;
    5. **customers**: the rest.

    This operationalises the source material's tiering of the customer base
    by loyalty and strategic fit; the cut points are parameters.

    Parameters
    ----------
    summary : pd.DataFrame
        Calibration summary indexed by ``customer_id`` with ``frequency`` and
        optionally ``profit``.
    accounts : pd.DataFrame
        Account attributes indexed by ``customer_id``; needs ``strategic_fit``.
        Accounts listed here but absent from ``summary`` are non-customers.
    loyalty_cut, fit_cut : float
        Percentile-rank thresholds in (0, 1).

    Returns
    -------
    pd.Series
        Categorical tier per account (the union of both indexes), named ``tier``.
    """
    for name, cut in (("loyalty_cut", loyalty_cut), ("fit_cut", fit_cut)):
        if not 0 < cut < 1:
            raise ValueError(f"{name} must be in (0, 1), got {cut}")
    if accounts is None or "strategic_fit" not in accounts.columns:
        have = [] if accounts is None else list(accounts.columns)
        raise ValueError(
            f"customer_tiers needs an accounts table with a 'strategic_fit' column; have {have}"
        )
    if "frequency" not in summary.columns:
        raise ValueError(f"summary: needs a 'frequency' column; have {list(summary.columns)}")
    buyers = summary.index
    everyone = buyers.union(accounts.index)
    loyal = summary["frequency"].rank(pct=True) >= loyalty_cut
    fit_rank = accounts["strategic_fit"].reindex(buyers).astype(float).rank(pct=True)
    fits = fit_rank.fillna(0.0) >= fit_cut
    tier = pd.Series("customers", index=buyers, dtype=object)
    tier[loyal ^ fits] = "important"
    tier[loyal & fits] = "key"
    if "profit" in summary.columns:
        tier[summary["profit"].astype(float) < 0] = "difficult"
    tier = tier.reindex(everyone).fillna("non-customers")
    tier.index.name = "customer_id"
    return pd.Series(pd.Categorical(tier.to_numpy(), categories=list(TIERS)), index=tier.index, name="tier")


def account_table(
    transactions: pd.DataFrame,
    accounts: pd.DataFrame | None = None,
    *,
    end: pd.Timestamp | None = None,
    freq: str = "M",
) -> pd.DataFrame:
    """One row per account with the values the segment rules need.

    Over the transactions up to ``end`` (inclusive; default the last date):

    - ``revenue``: total amount (currency units);
    - ``profit``: revenue - cost, minus the account's ``cost_to_serve`` when
      the accounts table has it (currency units); only when the
      transactions carry ``cost``;
    - ``frequency``: repeat purchases on distinct days (``kamlab.rfm``
      convention), the loyalty signal of :func:`customer_tiers`;
    - ``periods``, ``mean_revenue``, ``cv``: revenue variability per period
      of ``freq`` (:func:`revenue_cv`), for :func:`xyz_classes`.

    Returns
    -------
    pd.DataFrame
        Indexed by ``customer_id``, the accounts with a purchase up to ``end``.
    """
    from kamlab import rfm

    end = transactions["date"].max() if end is None else pd.Timestamp(end)
    summary = rfm.summarise_rfm(transactions, end, freq="D", monetary=False)
    table = summary[["revenue", "frequency"]].copy()
    if "profit" in summary.columns:
        table["profit"] = summary["profit"]
        if accounts is not None and "cost_to_serve" in accounts.columns:
            table["profit"] -= accounts["cost_to_serve"].reindex(table.index).astype(float).fillna(0.0)
    cv = revenue_cv(transactions, freq=freq, end=end)
    return table.join(cv)
