"""Retention versus acquisition: pure formulas, no data.

The value of a customer under constant retention (Gupta & Lehmann 2003), how
long acquisition takes to pay back, what a retention improvement is worth next
to a cut in acquisition cost (Gupta, Lehmann & Stuart 2004), how much one may
spend to keep a customer rather than replace it, and the source material's two
slogans ("retention is 5-25x cheaper than acquisition"; "keeping a breadwinner
can cost as much as acquiring ten new ones") turned into computations on
stated inputs.

Conventions: money in currency units; margin is the yearly (or per-period)
profit contribution of one retained customer; retention r is the share kept
from one period to the next; the discount rate d is per the same period. As in
Gupta & Lehmann (2003), a customer acquired today yields its first margin one
period from now if retained (probability r), the second with probability r^2,
and so on. This module imports nothing of kamlab.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = [
    "margin_multiple",
    "customer_value",
    "cac_payback_periods",
    "ImprovementComparison",
    "retention_vs_acquisition_improvement",
    "break_even_retention_spend",
    "acquisition_to_retention_cost_ratio",
    "BreadwinnerDecision",
    "breadwinner_decision",
]


def _check_rates(retention: float, discount: float, growth: float = 0.0) -> None:
    if not 0 <= retention < 1:
        raise ValueError(f"retention must be in [0, 1), got {retention}")
    if discount <= -1:
        raise ValueError(f"discount must be > -1 (a rate such as 0.10), got {discount}")
    if retention * (1 + growth) >= 1 + discount:
        raise ValueError(
            f"retention x (1 + growth) = {retention * (1 + growth):.4f} >= 1 + discount = {1 + discount:.4f}: "
            "the customer's value is infinite; use a finite horizon (years=...)"
        )


def margin_multiple(retention: float, discount: float, growth: float = 0.0) -> float:
    """Customer value per unit of yearly margin, for a constant retention rate.

    value / margin = r / (1 + d - r (1 + g))          (Gupta & Lehmann 2003, eq. 2;
    g = 0 is their base case, g the yearly growth of the margin)

    Parameters
    ----------
    retention : float
        Share of customers kept from one year to the next, in [0, 1).
    discount : float
        Yearly discount rate, e.g. 0.10.
    growth : float
        Yearly growth rate of a retained customer's margin (default 0).

    Returns
    -------
    float
        Multiple of the yearly margin that one customer is worth today.

    References
    ----------
    Gupta, S., & Lehmann, D. R. (2003). Customers as assets. Journal of
    Interactive Marketing 17(1), 9-24.
    """
    _check_rates(retention, discount, growth)
    return retention / (1 + discount - retention * (1 + growth))


def customer_value(
    margin: float, retention: float, discount: float, years: int | None = None, growth: float = 0.0
) -> float:
    """Value today of one customer: discounted expected margins while retained.

    Infinite horizon:  V = m r / (1 + d - r (1 + g))                 (Gupta & Lehmann 2003)
    Finite horizon n:  V = m sum_{t=1..n} q^t / (1 + g),  q = r (1 + g) / (1 + d)
                         = m r/(1 + d) * (1 - q^n) / (1 - q)          (q != 1)

    Parameters
    ----------
    margin : float
        Yearly margin of a retained customer (currency units), received at the end
        of each year the customer is still there.
    retention, discount, growth : float
        As :func:`margin_multiple`.
    years : int, optional
        Horizon in years; None for the infinite-horizon formula.

    Returns
    -------
    float
        Customer value in currency units.
    """
    if years is None:
        return margin * margin_multiple(retention, discount, growth)
    if years < 0 or int(years) != years:
        raise ValueError(f"years must be a whole number >= 0, got {years}")
    if not 0 <= retention <= 1:
        raise ValueError(f"retention must be in [0, 1], got {retention}")
    if discount <= -1:
        raise ValueError(f"discount must be > -1, got {discount}")
    q = retention * (1 + growth) / (1 + discount)
    if math.isclose(q, 1.0):
        return margin * years / (1 + growth)
    return margin * retention / (1 + discount) * (1 - q**years) / (1 - q)


def cac_payback_periods(cac: float, margin: float, retention: float = 1.0) -> float:
    """Periods until a cohort's expected cumulative margin repays its acquisition cost.

    Expected margin in period t is m r^(t-1) (the first period is earned in full).
    Cumulative margin after n periods is m (1 - r^n)/(1 - r), so payback is

        n* = ln(1 - CAC (1 - r)/m) / ln(r)        (r < 1);   n* = CAC / m   (r = 1)

    and never (inf) if CAC >= m / (1 - r). Undiscounted, as payback is usually quoted.

    Parameters
    ----------
    cac : float
        Acquisition cost per customer (currency units).
    margin : float
        Margin per period of a retained customer (currency units per period, e.g. per month).
    retention : float
        Share retained from one period to the next, in (0, 1].

    Returns
    -------
    float
        Payback time in periods (fractional), or ``math.inf``.
    """
    if cac < 0 or margin <= 0:
        raise ValueError(f"cac must be >= 0 and margin > 0, got cac={cac}, margin={margin}")
    if not 0 < retention <= 1:
        raise ValueError(f"retention must be in (0, 1], got {retention}")
    if retention == 1:
        return cac / margin
    share = cac * (1 - retention) / margin
    if share >= 1 or math.isclose(share, 1.0):  # reached only in the limit
        return math.inf
    return math.log(1 - share) / math.log(retention)


def cumulative_margin(margin: float, retention: float, periods: int) -> list[float]:
    """Expected cumulative margin of one acquired customer after n = 0, 1, ..., ``periods`` periods.

    C(n) = m (1 - r^n)/(1 - r)   (r < 1);   C(n) = m n   (r = 1)

    (the first period is earned in full, then a share r of the cohort stays each
    period; undiscounted, as in :func:`cac_payback_periods`).

    Parameters
    ----------
    margin : float
        Margin per period of a retained customer (currency units per period).
    retention : float
        Share retained from one period to the next, in (0, 1].
    periods : int
        Last period, >= 0.

    Returns
    -------
    list of float
        ``periods + 1`` values in currency units, starting at 0.
    """
    if not 0 < retention <= 1:
        raise ValueError(f"retention must be in (0, 1], got {retention}")
    if periods < 0:
        raise ValueError(f"periods must be >= 0, got {periods}")
    if retention == 1:
        return [margin * n for n in range(periods + 1)]
    return [margin * (1 - retention**n) / (1 - retention) for n in range(periods + 1)]


@dataclass(frozen=True)
class ImprovementComparison:
    """Value of a retention improvement next to a cut in acquisition cost.

    All values per acquired customer, net of acquisition cost (currency units);
    with a steady flow of new customers every year, firm value is this times a
    constant, so the percentage changes hold for the firm too.
    """

    base_value: float          # V = m r/(1+d-r) - CAC
    retention_value: float     # V with retention raised by retention_step
    cheaper_value: float       # V with CAC cut by cac_cut (a share)
    retention_gain: float      # retention_value - base_value
    acquisition_gain: float    # cheaper_value - base_value
    retention_gain_pct: float  # retention_gain / |base_value| * 100
    acquisition_gain_pct: float
    ratio: float               # retention_gain / acquisition_gain


def retention_vs_acquisition_improvement(
    margin: float,
    retention: float,
    discount: float,
    cac: float,
    *,
    retention_step: float = 0.01,
    cac_cut: float = 0.01,
) -> ImprovementComparison:
    """Compare raising retention by one point with cutting acquisition cost by 1 %.

    Net value of an acquired customer V = m r / (1 + d - r) - CAC. Then

        retention gain   = m [ (r + s)/(1 + d - r - s) - r/(1 + d - r) ]
        acquisition gain = c * CAC

    with s = ``retention_step`` (in retention points, 0.01 = one point) and
    c = ``cac_cut`` (a share of CAC). Gupta, Lehmann & Stuart (2004) found, for
    five firms, that a 1 % retention improvement raised firm value by 3-7 % while a
    1 % lower acquisition cost raised it by about 0.1 %; this computes the same
    comparison for given inputs.

    References
    ----------
    Gupta, S., Lehmann, D. R., & Stuart, J. A. (2004). Valuing customers.
    Journal of Marketing Research 41(1), 7-18.
    """
    if cac < 0:
        raise ValueError(f"cac must be >= 0, got {cac}")
    if not 0 < cac_cut <= 1:
        raise ValueError(f"cac_cut must be a share in (0, 1], got {cac_cut}")
    base = customer_value(margin, retention, discount) - cac
    kept = customer_value(margin, retention + retention_step, discount) - cac
    cheaper = customer_value(margin, retention, discount) - cac * (1 - cac_cut)
    r_gain, a_gain = kept - base, cheaper - base
    scale = abs(base) if base != 0 else float("nan")
    return ImprovementComparison(
        base_value=base,
        retention_value=kept,
        cheaper_value=cheaper,
        retention_gain=r_gain,
        acquisition_gain=a_gain,
        retention_gain_pct=100 * r_gain / scale,
        acquisition_gain_pct=100 * a_gain / scale,
        ratio=r_gain / a_gain if a_gain else math.inf,
    )


def break_even_retention_spend(
    value_kept: float, cac: float, value_new: float | None = None, success: float = 1.0
) -> float:
    """Most one should spend on keeping a customer rather than replacing it.

    If the customer leaves, it is replaced by a new one worth V_new at cost CAC.
    Spending s on retention keeps it with probability p (``success``); otherwise it
    leaves anyway and is replaced. Keeping is worth it while

        p V_kept + (1 - p)(V_new - CAC) - s  >=  V_new - CAC
        <=>  s <= s* = p (V_kept - V_new + CAC)

    With a like-for-like replacement (V_new = V_kept), s* = p CAC: the break-even
    retention spend is the acquisition cost times the chance the spend works.

    Parameters
    ----------
    value_kept : float
        Value of the existing customer if kept (currency units, e.g. its CLV).
    cac : float
        Cost of acquiring a replacement (currency units).
    value_new : float, optional
        Value of the replacement customer; defaults to ``value_kept``.
    success : float
        Probability that the retention spend keeps the customer, in [0, 1].

    Returns
    -------
    float
        Break-even spend per customer (currency units); negative means replacing is
        better even at zero retention spend.
    """
    if not 0 <= success <= 1:
        raise ValueError(f"success must be a probability in [0, 1], got {success}")
    if cac < 0:
        raise ValueError(f"cac must be >= 0, got {cac}")
    new = value_kept if value_new is None else value_new
    return success * (value_kept - new + cac)


def acquisition_to_retention_cost_ratio(cac: float, retention_spend: float, save_rate: float) -> float:
    """How many times cheaper it is to keep a customer than to win a new one.

    ratio = CAC / (cost per customer saved),  cost per customer saved = spend / save_rate

    where ``retention_spend`` is spent on every at-risk customer targeted and
    ``save_rate`` is the share of them who stay *because of it* (incremental, e.g.
    from a randomised test). The "5-25x cheaper" claim holds for given inputs only
    if this ratio lands in [5, 25].

    Parameters
    ----------
    cac : float
        Acquisition cost per new customer (currency units).
    retention_spend : float
        Retention spend per targeted customer (currency units).
    save_rate : float
        Incremental share of targeted customers kept, in (0, 1].

    Returns
    -------
    float
        CAC divided by the cost of one saved customer.
    """
    if cac < 0 or retention_spend <= 0:
        raise ValueError(f"cac must be >= 0 and retention_spend > 0, got {cac}, {retention_spend}")
    if not 0 < save_rate <= 1:
        raise ValueError(f"save_rate must be in (0, 1], got {save_rate}")
    return cac / (retention_spend / save_rate)


@dataclass(frozen=True)
class BreadwinnerDecision:
    """Keep a breadwinner at a high cost, or spend the same on new customers.

    Values in currency units; "net" means value gained minus the budget spent.
    """

    budget: float            # n_new * CAC: what keeping the breadwinner costs
    keep_net: float          # success * V_breadwinner - budget
    acquire_net: float       # n_new * V_new - budget
    break_even_value: float  # breadwinner value at which both options tie: n_new V_new / success
    decision: str            # "keep", "acquire" or "neither"


def breadwinner_decision(
    breadwinner_value: float,
    new_customer_value: float,
    cac: float,
    n_new: int = 10,
    success: float = 1.0,
) -> BreadwinnerDecision:
    """Is keeping a breadwinner worth the cost of acquiring ``n_new`` new customers?

    The source warns that keeping a breadwinner can cost as much as acquiring ten
    new customers. With budget B = n_new * CAC spent either way:

        keep:     success * V_bw - B
        acquire:  n_new * V_new - B

    Keep if its net is the larger and positive; acquire if that is; otherwise
    neither option repays the budget. Keeping wins exactly when
    V_bw > n_new * V_new / success.

    Parameters
    ----------
    breadwinner_value : float
        Value (CLV) of the breadwinner if kept, currency units.
    new_customer_value : float
        Value (CLV) of one newly acquired customer, currency units.
    cac : float
        Acquisition cost per new customer, currency units.
    n_new : int
        New customers the same budget buys (10 in the source).
    success : float
        Probability that the spend keeps the breadwinner, in (0, 1].
    """
    if n_new < 1 or cac < 0:
        raise ValueError(f"n_new must be >= 1 and cac >= 0, got n_new={n_new}, cac={cac}")
    if not 0 < success <= 1:
        raise ValueError(f"success must be in (0, 1], got {success}")
    budget = n_new * cac
    keep = success * breadwinner_value - budget
    acquire = n_new * new_customer_value - budget
    if max(keep, acquire) <= 0:
        decision = "neither"
    else:
        decision = "keep" if keep > acquire else "acquire"
    return BreadwinnerDecision(
        budget=budget,
        keep_net=keep,
        acquire_net=acquire,
        break_even_value=n_new * new_customer_value / success,
        decision=decision,
    )
