"""Measure a synthetic world against its calibration targets.

Each target is a range stated in the generator's docstring; these functions
compute the measured value from the world's *outputs* (transactions, accounts,
truth), so a test or a notebook can check that the warnings of the source
material really emerge from the generative model.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .world import SyntheticWorld


def window_totals(world: SyntheticWorld) -> pd.DataFrame:
    """Per known account: revenue and profit in the calibration and holdout windows.

    ``profit_cal`` = sum(amount - cost) - cost_to_serve over the calibration
    window; ``revenue_holdout`` and ``gross_profit_holdout`` come from the
    realised holdout transactions (no cost-to-serve is observed there).
    """
    tx = world.transactions
    cal = tx["date"] <= world.calibration_end
    idx = world.accounts.index

    def total(mask: pd.Series, values: pd.Series) -> pd.Series:
        return values[mask].groupby(tx.loc[mask, "customer_id"]).sum().reindex(idx, fill_value=0.0)

    gross = tx["amount"] - tx["cost"]
    out = pd.DataFrame({
        "revenue_cal": total(cal, tx["amount"]),
        "gross_profit_cal": total(cal, gross),
        "revenue_holdout": total(~cal, tx["amount"]),
        "gross_profit_holdout": total(~cal, gross),
    })
    out["profit_cal"] = out["gross_profit_cal"] - world.accounts["cost_to_serve"]
    return out


def _top(series: pd.Series, share: float) -> pd.Index:
    n = int(round(share * len(series)))
    return series.sort_values(ascending=False, kind="stable").index[:n]


def b2b_targets(world: SyntheticWorld) -> pd.DataFrame:
    """The B2B calibration targets, measured.

    Rows (value, allowed range):

    * ``top20_revenue_share``: share of calibration revenue of the top 20 %
      of accounts, in [0.60, 0.85];
    * ``top10_revenue_share``: same for the top 10 %, in [0.30, 0.55];
    * ``unprofitable_top_decile``: number of top-decile revenue accounts with
      negative calibration profit after cost-to-serve, >= 3;
    * ``demanding_decile_gap``: mean calibration profit of the decile with the
      most service tickets minus the median account's profit, < 0;
    * ``staff_hours_habit_gap``: Spearman(staff_hours, calibration revenue)
      minus Spearman(staff_hours, true_future_profit), > 0;
    * ``oak_trees``: latent oak trees outside the calibration top revenue
      decile that enter the holdout top decile (by realised holdout revenue),
      >= 1;
    * ``referral_material_share``: share of accounts whose referral_value is
      above 1,000 and above a quarter of |true_future_profit|, in [0.02, 0.30];
    * ``uplift_positive_share``: share of accounts alive at calibration_end
      with positive true_uplift, in [0.10, 0.90];
    * ``uplift_sign_varies``: 1 if true_uplift takes both signs, must be 1.
    """
    totals = window_totals(world)
    truth = world.truth
    revenue, profit = totals["revenue_cal"], totals["profit_cal"]
    top_decile = _top(revenue, 0.10)
    demanding = _top(world.accounts["service_tickets"], 0.10)
    holdout_top = _top(totals["revenue_holdout"], 0.10)
    entrants = holdout_top.difference(top_decile)
    staff = world.accounts["staff_hours"]
    material = (truth["referral_value"] > 1000) & (truth["referral_value"] > 0.25 * truth["true_future_profit"].abs())
    alive = truth["alive_at_calibration_end"] == 1
    rows = [
        ("top20_revenue_share", revenue[_top(revenue, 0.20)].sum() / revenue.sum(), 0.60, 0.85),
        ("top10_revenue_share", revenue[top_decile].sum() / revenue.sum(), 0.30, 0.55),
        ("unprofitable_top_decile", float((profit[top_decile] < 0).sum()), 3, np.inf),
        ("demanding_decile_gap", profit[demanding].mean() - profit.median(), -np.inf, 0.0),
        ("staff_hours_habit_gap", staff.corr(revenue, method="spearman")
         - staff.corr(truth["true_future_profit"], method="spearman"), 0.0, np.inf),
        ("oak_trees", float((truth.loc[entrants, "oak_tree"] == 1).sum()), 1, np.inf),
        ("referral_material_share", material.mean(), 0.02, 0.30),
        ("uplift_positive_share", (truth.loc[alive, "true_uplift"] > 0).mean(), 0.10, 0.90),
        ("uplift_sign_varies", float(truth["true_uplift"].min() < 0 < truth["true_uplift"].max()), 1, 1),
    ]
    return _table(rows)


def _table(rows) -> pd.DataFrame:
    table = pd.DataFrame(rows, columns=["target", "value", "low", "high"]).set_index("target")
    table["ok"] = (table["value"] >= table["low"]) & (table["value"] <= table["high"])
    return table


def format_measure(value: float) -> str:
    """A measured value for a reader: whole numbers and values of 100 or more with thousands
    separators ("7", "-3,552"), smaller ones with three decimals ("0.702"); "—" when not finite."""
    value = float(value)
    if not np.isfinite(value):
        return "—"
    if value == round(value) or abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3f}"


def targets_table(targets: pd.DataFrame) -> pd.DataFrame:
    """:func:`b2b_targets` or :func:`game_targets` for a reader: the measured value, the allowed
    range in words ("0.6 to 0.85", "at least 3", "at most 0") and whether it is inside."""
    def allowed(low: float, high: float) -> str:
        if low == high:
            return f"exactly {format_measure(low)}"
        if not np.isfinite(low):
            return f"at most {format_measure(high)}"
        if not np.isfinite(high):
            return f"at least {format_measure(low)}"
        return f"{format_measure(low)} to {format_measure(high)}"

    return pd.DataFrame({
        "measured": [format_measure(v) for v in targets["value"]],
        "allowed": [allowed(lo, hi) for lo, hi in zip(targets["low"], targets["high"])],
        "inside": np.where(targets["ok"], "yes", "no"),
    }, index=targets.index)


def pilot_outcomes(world: SyntheticWorld) -> pd.DataFrame:
    """Per account in the randomised KAM pilot: orders and revenue before and during it.

    Windows (from ``world.params``): pre-period ``[pre_start, pilot_start)``,
    pilot ``[pilot_start, calibration_end]``.  Columns: ``kam_pilot`` (0/1),
    ``orders_pre``, ``revenue_pre``, ``orders_pilot``, ``revenue_pilot``,
    ``aov_pre`` and ``aov_pilot`` (average order value = revenue / orders,
    missing without orders) and ``log_aov_ratio = log(aov_pilot / aov_pre)``.

    In the B2B world KAM raises order values (share of wallet), not order
    frequency or churn, so ``log_aov_ratio`` is the low-noise outcome:
    ``log_aov_ratio ~ kam_pilot * (strategic_fit + growth_potential)`` with
    statsmodels estimates the mean lift and its heterogeneity; total revenue
    is affected too but is dominated by the heavy tail and by churn.
    """
    accounts = world.accounts.dropna(subset=["kam_pilot"])
    tx = world.transactions
    pre_start, pilot_start = pd.Timestamp(world.params["pre_start"]), pd.Timestamp(world.params["pilot_start"])

    def window(lo, hi):
        m = (tx["date"] >= lo) & (tx["date"] <= hi) & tx["customer_id"].isin(accounts.index)
        g = tx[m].groupby("customer_id")["amount"]
        return g.size().reindex(accounts.index, fill_value=0), g.sum().reindex(accounts.index, fill_value=0.0)

    orders_pre, revenue_pre = window(pre_start, pilot_start - pd.Timedelta(days=1))
    orders_pilot, revenue_pilot = window(pilot_start, world.calibration_end)
    out = pd.DataFrame({
        "kam_pilot": accounts["kam_pilot"].astype(int),
        "orders_pre": orders_pre, "revenue_pre": revenue_pre,
        "orders_pilot": orders_pilot, "revenue_pilot": revenue_pilot,
    })
    out["aov_pre"] = out["revenue_pre"] / out["orders_pre"].where(out["orders_pre"] > 0)
    out["aov_pilot"] = out["revenue_pilot"] / out["orders_pilot"].where(out["orders_pilot"] > 0)
    out["log_aov_ratio"] = np.log(out["aov_pilot"] / out["aov_pre"])
    return out


def _install_age(events: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Install day per player (first active day) and each event's age in whole days since it."""
    install = events.groupby("customer_id")["date"].min()
    age = (events["date"] - events["customer_id"].map(install)).dt.days
    return install, age


def retention_rates(events: pd.DataFrame, observation_end: pd.Timestamp, days=(1, 7, 30)) -> pd.Series:
    """Classic day-N retention: share of installs active exactly N days after install.

    Install day = a player's first active day; only installs at least N days
    before ``observation_end`` count for day N.
    """
    install, age = _install_age(events)
    out = {}
    for n in days:
        cohort = install[install <= observation_end - pd.Timedelta(days=n)]
        active = events.loc[(age == n) & events["customer_id"].isin(cohort.index), "customer_id"].nunique()
        out[f"D{n}"] = active / len(cohort)
    return pd.Series(out, name="retention")


def retention_curves(events: pd.DataFrame, observation_end: pd.Timestamp, max_day: int = 60,
                     by: pd.Series | None = None) -> pd.DataFrame:
    """Day-N retention for N = 0 .. ``max_day``, for all players or per group.

        retention(N) = (installs active on day N after install) / (installs at least N days old),

    the day-N rule of :func:`retention_rates` at every N; an install counts
    for day N only if it happened at least N days before ``observation_end``.
    Events are one row per player and active day.

    Parameters
    ----------
    events : pd.DataFrame
        ``customer_id`` and ``date`` (the game world's daily activity).
    observation_end : Timestamp
        Last day observed.
    max_day : int
        Last day after install to compute.
    by : pd.Series, optional
        A group per player (e.g. acquisition channel), indexed by ``customer_id``.

    Returns
    -------
    pd.DataFrame
        Index ``day`` (0 .. max_day), one column per group (``all players``
        without ``by``), values shares in [0, 1].
    """
    install, age = _install_age(events)
    groups = {"all players": install.index} if by is None else {g: idx.index for g, idx in by.groupby(by)}
    days = np.arange(0, max_day + 1)
    curves = {}
    for name, members in groups.items():
        members = members.intersection(install.index)
        act = pd.Series(age[events["customer_id"].isin(members)].to_numpy())
        active = act.value_counts().reindex(days, fill_value=0).to_numpy()
        old_enough = np.array([(install[members] <= observation_end - pd.Timedelta(days=int(d))).sum() for d in days])
        curves[str(name)] = active / np.maximum(old_enough, 1)
    return pd.DataFrame(curves, index=pd.Index(days, name="day"))


def game_targets(world: SyntheticWorld) -> pd.DataFrame:
    """The game calibration targets, measured.

    * ``D1_retention`` in [0.25, 0.45], ``D7_retention`` in [0.08, 0.20],
      ``D30_retention`` in [0.02, 0.08] (:func:`retention_rates` on the events);
    * ``payer_conversion``: share of players known at calibration_end who paid
      at least once by observation_end, in [0.01, 0.06];
    * ``top1_payer_revenue_share``: share of all revenue brought by the top
      1 % of paying players, >= 0.30.
    """
    ret = retention_rates(world.events, world.observation_end)
    tx = world.transactions
    spend = tx.groupby("customer_id")["amount"].sum().sort_values(ascending=False)
    n_top = max(1, int(round(0.01 * len(spend))))
    rows = [
        ("D1_retention", ret["D1"], 0.25, 0.45),
        ("D7_retention", ret["D7"], 0.08, 0.20),
        ("D30_retention", ret["D30"], 0.02, 0.08),
        ("payer_conversion", world.accounts.index.isin(spend.index).mean(), 0.01, 0.06),
        ("top1_payer_revenue_share", spend.iloc[:n_top].sum() / spend.sum(), 0.30, 1.0),
    ]
    return _table(rows)


def mean_by_decile(signal: pd.Series, values: pd.Series, groups: int = 10) -> pd.Series:
    """Mean of ``values`` within each of ``groups`` equal-count groups of ``signal``.

    Group g (1 = lowest signal, ``groups`` = highest) holds the accounts with
    ceil(rank / n * groups) = g, ranks 1..n of ``signal`` with ties broken by
    order; e.g. mean calibration profit per decile of service tickets.

    Returns
    -------
    pd.Series
        Indexed by group number 1..groups, in the units of ``values``.
    """
    rank = signal.rank(method="first")
    group = np.ceil(rank / len(rank) * groups).astype(int)
    return values.groupby(group).mean().rename_axis("group")


def alive_by_silence(days_silent: pd.Series, alive: pd.Series, bin_days: int = 60) -> pd.DataFrame:
    """Share of accounts truly alive, by days since their last order in bins of ``bin_days``.

    Bin b holds the accounts with b * bin_days <= days_silent < (b + 1) * bin_days.

    Returns
    -------
    pd.DataFrame
        Indexed by ``from_day`` (b * bin_days): ``share_alive`` in [0, 1] and ``accounts`` (count).
    """
    bins = (days_silent // bin_days).astype(int)
    out = pd.DataFrame({"share_alive": alive.astype(float).groupby(bins).mean(),
                        "accounts": alive.groupby(bins).size()})
    out.index = pd.Index(out.index * bin_days, name="from_day")
    return out


def account_view(world: SyntheticWorld) -> pd.DataFrame:
    """One row per known account: attributes, window totals, days silent and the truth.

    Joins ``world.accounts``, :func:`window_totals` (revenue and profit per
    window) and ``world.truth`` (its own ``revenue_cal``/``profit_cal``
    dropped, they equal the window totals), plus ``days_silent``: days from the
    last calibration order to ``calibration_end``.
    """
    tx = world.transactions
    cal = tx[tx["date"] <= world.calibration_end]
    last = cal.groupby("customer_id")["date"].max().reindex(world.accounts.index)
    totals = window_totals(world)
    truth = world.truth.drop(columns=[c for c in ("revenue_cal", "profit_cal") if c in world.truth])
    view = world.accounts.join(totals).join(truth)
    view["days_silent"] = (world.calibration_end - last).dt.days
    return view
