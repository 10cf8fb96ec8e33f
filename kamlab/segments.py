"""Segmenting accounts: ABC, XYZ, the ABC-XYZ matrix and the per-account table.

**ABC** classes rank accounts by their cumulative share of value (the Pareto
rule read as classes), **XYZ** classes by the variability of their revenue per
period, and the **ABC-XYZ matrix** crosses the two. :func:`account_table`
builds the one row per account these rules need. :mod:`kamlab.segmentation`
runs the whole sequence of notebook 05 on one window.

How concentrated value is (Lorenz curve, Gini, top share) lives in
:mod:`kamlab.concentration`; the key-client types and tiers in
:mod:`kamlab.client_types`. Their names stay importable from here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kamlab.client_types import (  # noqa: F401  (compatibility: importable from kamlab.segments)
    TIERS,
    KeyClientTypes,
    customer_tiers,
    key_client_types,
)
from kamlab import rfm
from kamlab.concentration import gini, lorenz_curve, top_share  # noqa: F401  (compatibility)
from kamlab.data import format_rows, require_columns
from kamlab.rfm import day_after

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
        raise ValueError(f"{what}: {len(bad):,} missing or infinite values (accounts {format_rows(bad)}); "
                         "drop or fill them first")
    if not ids_ascending(series.index) and series.index.has_duplicates:
        dup = series.index[series.index.duplicated()].unique()
        raise ValueError(f"{what}: duplicated accounts {format_rows(dup)}; one value per account")
    return series


def _descending_order(series: pd.Series) -> np.ndarray:
    """Positions of ``series`` sorted by value descending, ties by account id ascending.

    When the ids are strings already in ascending order (summaries are), ties
    are broken by position: the same order, without comparing the ids.
    """
    if ids_ascending(series.index):
        return descending_positions(series.to_numpy(dtype=float))
    return np.lexsort((series.index.astype(str).to_numpy(), -series.to_numpy()))


def descending_positions(values: np.ndarray) -> np.ndarray:
    """Positions of ``values`` (no NaN) by value descending, ties by position: ``np.argsort(-values, kind="stable")``.

    Sorted with numpy's (vectorised, unstable) quicksort, then the runs of equal
    values put back in position order by one sort of integer keys (run, position).
    """
    keys = -np.asarray(values, dtype=float)
    order = np.argsort(keys, kind="quicksort")
    ordered = keys[order]
    tied = np.zeros(len(order), dtype=bool)
    np.equal(ordered[1:], ordered[:-1], out=tied[1:])
    if tied.any():
        runs = tied.copy()
        runs[:-1] |= tied[1:]
        where = np.flatnonzero(runs)
        pairs = np.cumsum(~tied)[where] * np.int64(len(order)) + order[where]
        order[where] = np.sort(pairs) % len(order)
    return order


def ids_ascending(index: pd.Index) -> bool:
    """True when ``index`` holds strings in strictly ascending code-point order (as ``np.lexsort`` on str orders them).

    Then ties between accounts can be broken by position instead of by id:
    summaries are indexed so. Compared in Arrow (UTF-8 bytes sort as code
    points), not with ``Index.is_monotonic_increasing``, which is slow on strings.
    """
    if not (isinstance(index.dtype, pd.StringDtype) or index.dtype == object and index.inferred_type == "string"):
        return False
    if len(index) < 2:
        return True
    array = pa.array(np.asarray(index, dtype=object), type=pa.string()) if index.dtype == object \
        else pa.array(index.array)
    array = array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array
    return array.null_count == 0 and not pc.any(pc.less_equal(array[1:], array[:-1])).as_py()


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
    codes = np.where(before < lo, 0, np.where(before < hi, 1, 2)).astype(np.int8)
    codes[positive <= 0] = 2
    return pd.Series(pd.Categorical.from_codes(codes, categories=["A", "B", "C"]), index=series.index, name="abc")


def revenue_cv(
    transactions: pd.DataFrame,
    *,
    freq: str = "M",
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    codes: tuple[np.ndarray, pd.Index] | None = None,
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
    codes : (np.ndarray, pd.Index), optional
        The account of each row of ``transactions`` as ``pd.factorize(ids, sort=True)``
        gives it (codes into the sorted ids), when the caller has it already.

    Returns
    -------
    pd.DataFrame
        Indexed by ``customer_id``: ``periods`` (m), ``mean_revenue`` (currency
        units per period), ``cv`` (dimensionless).
    """
    if freq not in ("W", "M", "Q"):
        raise ValueError(f"freq must be 'W', 'M' or 'Q', got {freq!r}")
    require_columns(transactions, ["customer_id", "date", "amount"], what="transactions",
                    hint="Load them with kamlab.data.load_transactions (or map your columns there).")
    tx = transactions
    start = tx["date"].min() if start is None else pd.Timestamp(start)
    end = tx["date"].max() if end is None else pd.Timestamp(end)
    keep = ((tx["date"] >= start) & (tx["date"] < day_after(end))).to_numpy()
    if not keep.any():
        raise ValueError(f"transactions: no purchases between {start.date()} and {end.date()}")
    codes, accounts = pd.factorize(tx["customer_id"][keep], sort=True) if codes is None else (codes[0][keep], codes[1])
    period = _period_numbers(tx["date"][keep], freq)
    p0 = period.min()
    keys = codes.astype(np.int64) * np.int64(period.max() - p0 + 1) + (period - p0)
    if (codes < 0).any():  # a missing id: a missing key, which groupby leaves out as it did the id
        keys = np.where(codes < 0, np.nan, keys)
    # Revenue per (account, period), the periods of each account in the order they first appear (as
    # groupby(sort=False) on the ids and periods lists them): the same sums, in the same order, as on the ids.
    per = pd.Series(tx["amount"].to_numpy()[keep]).groupby(keys, sort=False).sum()
    per.index = per.index.astype(np.int64)
    account = per.index.to_numpy() // np.int64(period.max() - p0 + 1)
    totals = per.groupby(account).sum()
    sq = (per**2).groupby(account).sum()
    first = pd.Series(per.index.to_numpy() % np.int64(period.max() - p0 + 1) + p0).groupby(account).min()
    m = (_period_numbers(pd.Series([end]), freq)[0] - first.to_numpy() + 1).astype(float)
    mean = totals.to_numpy() / m
    var = np.maximum(sq.to_numpy() / m - mean**2, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = np.where(mean > 0, np.sqrt(var) / mean, np.inf)
    index = pd.Index(accounts, name="customer_id")[totals.index.to_numpy()]
    if index.dtype == object:  # as groupby labels object ids (str under pandas 3's string inference)
        index = pd.Index(index.to_numpy(), name="customer_id")
    return pd.DataFrame({"periods": m.astype(int), "mean_revenue": mean, "cv": cv}, index=index)


def _period_numbers(dates: pd.Series, freq: str) -> np.ndarray:
    """Integer number of each date's period ("W" weeks to Sunday, "M" months, "Q" quarters), one apart.

    Differences are those of pandas' period ordinals (``dt.to_period(freq)``: W-SUN weeks,
    calendar quarters).
    """
    if freq == "W":
        return rfm.period_numbers(dates, "W")
    # Months (or quarters) of each day, looked up in a table of the days the dates span.
    days = rfm.period_numbers(dates, "D")
    first = days.min()
    span = np.arange(first, days.max() + 1).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    months = span[days - first]
    return np.floor_divide(months, 3) if freq == "Q" else months


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
    require_columns(cv, ["periods", "cv"], what="cv", hint="Pass the output of revenue_cv().")
    values = cv["cv"].to_numpy(dtype=float)
    codes = np.where(values <= lo, 0, np.where(values <= hi, 1, 2)).astype(np.int8)
    codes[cv["periods"].to_numpy() < min_periods] = 2
    return pd.Series(pd.Categorical.from_codes(codes, categories=["X", "Y", "Z"]), index=cv.index, name="xyz")


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
        if not other.index.equals(idx) and not other.index.sort_values().equals(idx.sort_values()):
            extra = other.index.difference(idx)
            lacking = idx.difference(other.index)
            raise ValueError(
                f"abc and {name} must cover the same accounts: {len(lacking):,} only in abc "
                f"({format_rows(lacking, limit=3)}), {len(extra):,} only in {name} "
                f"({format_rows(extra, limit=3)}); compute both on the same accounts"
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


def account_table(
    transactions: pd.DataFrame,
    accounts: pd.DataFrame | None = None,
    *,
    end: pd.Timestamp | None = None,
    freq: str = "M",
    summary: pd.DataFrame | None = None,
    codes: tuple[np.ndarray, pd.Index] | None = None,
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

    ``summary`` (``rfm.summarise_rfm(transactions, end, freq="D",
    monetary=False)``) and ``codes`` (as in :func:`revenue_cv`) may be given
    when the caller has them already.

    Returns
    -------
    pd.DataFrame
        Indexed by ``customer_id``, the accounts with a purchase up to ``end``.
    """
    end = transactions["date"].max() if end is None else pd.Timestamp(end)
    if summary is None:
        summary = rfm.summarise_rfm(transactions, end, freq="D", monetary=False)
    table = summary[["revenue", "frequency"]].copy()
    if "profit" in summary.columns:
        table["profit"] = summary["profit"]
        if accounts is not None and "cost_to_serve" in accounts.columns:
            table["profit"] -= accounts["cost_to_serve"].reindex(table.index).astype(float).fillna(0.0)
    cv = revenue_cv(transactions, freq=freq, end=end, codes=codes)
    return pd.concat([table, cv.reindex(table.index)], axis=1)  # table.join(cv), without joining equal indexes

