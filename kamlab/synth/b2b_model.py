"""The generative model of the B2B world: its knobs, the latent draws and the closed-form expectations.

:func:`kamlab.synth.b2b_accounts` simulates with these; the ground truth of
the world (expected holdout outcomes, value of a referral) comes from the
closed forms here, not from the simulation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

INDUSTRIES = ("manufacturing", "wholesale", "retail", "healthcare", "public sector", "technology")
INDUSTRY_SHARE = (0.25, 0.20, 0.20, 0.12, 0.10, 0.13)
INDUSTRY_ORDER_FACTOR = (1.3, 1.0, 0.7, 1.1, 0.9, 1.2)


@dataclass(frozen=True)
class B2BKnobs:
    """The documented knobs of :func:`b2b_accounts` (pass any as a keyword).

    Units: days for BG/NBD ``alpha``; per year for rates stated so; currency
    units for money.
    """

    # -- calendar
    start: str = "2022-01-01"          # first day of the world
    acquisition_days: float = 365.0    # organic accounts are acquired uniformly over this many days
    # -- purchases: BG/NBD (Fader, Hardie & Lee 2005), time unit = day
    r: float = 2.0                     # Gamma shape of the purchase rate
    alpha: float = 91.25               # Gamma scale parameter (days): mean rate r/alpha = 8 orders/year
    a: float = 0.8                     # Beta(a, b) of the dropout probability after each repeat purchase
    b: float = 8.0
    # -- order values: Gamma(order_shape) around an account mean that is log-normal (heavy tail)
    order_value_median: float = 4000.0  # median list value of an account's average order (currency)
    order_value_sigma: float = 1.1     # log-sd of account mean order value across accounts
    order_shape: float = 4.0           # Gamma shape of single orders around the account mean
    # -- growth ("tomorrow's oak trees")
    growth_sd: float = 0.10            # sd of yearly log-growth of order values, ordinary accounts
    oak_share: float = 0.06            # share of accounts that are small today and grow fast
    oak_growth_low: float = 0.6        # oak trees' yearly log-growth ~ Uniform(low, high)
    oak_growth_high: float = 1.2
    oak_start_factor: float = 0.30     # oak trees start at this multiple of the usual order value
    oak_dropout_factor: float = 0.25   # oak trees' dropout probability is this multiple of a Beta(a, b) draw
    # -- prices, discounts, payment terms (big is not profitable)
    cogs_share: float = 0.65           # cost of goods as a share of list value
    discount_base: float = 0.12        # discount of an account of reference size
    discount_size_slope: float = 0.07  # extra discount per e-fold of expected yearly list spend
    discount_sd: float = 0.06          # negotiation noise on the discount
    discount_max: float = 0.45
    terms_base: float = 30.0           # payment terms (days) of an account of reference size
    terms_size_slope: float = 15.0     # extra days per e-fold of expected yearly list spend
    financing_rate: float = 0.08       # yearly cost of the money tied up by payment terms
    # -- service demand ("loud is not valuable")
    tickets_per_year_median: float = 3.0  # median yearly tickets/special requests while alive
    demand_sigma: float = 1.2          # log-sd of demandingness across accounts
    tickets_per_order: float = 0.1     # extra tickets per order
    cost_per_ticket: float = 300.0     # handling cost of one ticket or special request (currency)
    # -- staff hours (effort follows habit: last year's revenue and this year's tickets)
    staff_scale: float = 3.0           # yearly hours = staff_scale * (last year's revenue / 1000) ** staff_power
    staff_power: float = 0.6
    onboarding_hours: float = 10.0     # hours in the year of acquisition
    hours_per_ticket: float = 0.5
    staff_noise: float = 0.3           # log-sd of logged hours around the budget
    hourly_cost: float = 60.0          # currency per staff hour
    # -- influence and referrals (the image-maker)
    influencer_share: float = 0.10     # share of accounts that refer others
    influencer_rate: float = 2.0       # mean referrals per year of an influencer while alive
    base_referral_rate: float = 0.02   # referrals per year of everybody else
    # -- key-account treatment and the randomised pilot
    kam_response_mean: float = 0.20    # mean relative lift of order values under KAM
    kam_response_fit: float = 0.15     # extra lift per sd of latent strategic fit
    kam_response_growth: float = 0.20  # extra lift for oak trees
    kam_response_demand: float = -0.05  # lift per sd of log demandingness
    kam_response_sd: float = 0.10      # idiosyncratic sd of the lift
    kam_hours_per_year: float = 24.0   # extra staff hours a key account receives per year
    pilot_days: int = 182              # pilot = last pilot_days of calibration; pre-period = the pilot_days before
    pilot_share: float = 0.5           # share of eligible accounts randomised into the pilot


def draw_latent(rng: np.random.Generator, n: int, k: B2BKnobs) -> dict[str, np.ndarray]:
    """Latent parameters of ``n`` accounts; always the same number of draws per account."""
    u = rng.random((n, 6))
    z = rng.normal(size=(n, 7))
    rate = rng.gamma(k.r, 1 / k.alpha, n)
    dropout = rng.beta(k.a, k.b, n)
    infl_rate = rng.gamma(2.0, k.influencer_rate / 2, n)
    industry = np.searchsorted(np.cumsum(INDUSTRY_SHARE), u[:, 0] * np.sum(INDUSTRY_SHARE), side="right")
    oak = u[:, 1] < k.oak_share
    growth = np.where(oak, k.oak_growth_low + (k.oak_growth_high - k.oak_growth_low) * u[:, 2],
                      k.growth_sd * z[:, 0])
    order_value = (k.order_value_median * np.array(INDUSTRY_ORDER_FACTOR)[industry]
                   * np.exp(k.order_value_sigma * z[:, 1]) * np.where(oak, k.oak_start_factor, 1.0))
    log_size = np.log(365 * rate * order_value / (k.order_value_median * 365 * k.r / k.alpha))
    discount = np.clip(k.discount_base + k.discount_size_slope * log_size + k.discount_sd * z[:, 2],
                       0, k.discount_max)
    terms_days = np.clip(np.round(k.terms_base + k.terms_size_slope * log_size + 10 * z[:, 3]), 0, 120)
    demand = k.tickets_per_year_median * np.exp(k.demand_sigma * z[:, 4])
    fit = z[:, 5]
    influencer = u[:, 3] < k.influencer_share
    referral_rate = np.where(influencer, infl_rate, k.base_referral_rate)
    tau = (k.kam_response_mean + k.kam_response_fit * fit + k.kam_response_growth * oak
           + k.kam_response_demand * z[:, 4] + k.kam_response_sd * z[:, 6])
    dropout = np.where(oak, k.oak_dropout_factor * dropout, dropout)
    return {
        "rate": rate, "dropout": dropout, "industry": industry, "oak": oak, "growth": growth,
        "order_value": order_value, "discount": discount, "terms_days": terms_days, "demand": demand,
        "fit": fit, "influencer": influencer, "referral_rate": referral_rate,
        "kam_response": np.maximum(tau, -0.9),
    }


def expected_window(lat: dict, t0, span: float, k: B2BKnobs, alive: np.ndarray) -> dict[str, np.ndarray]:
    """Expected outcomes over ``(t0, t0 + span]`` days for accounts alive at ``t0``.

    For a BG/NBD account alive at t0 the probability of being alive s days
    later is ``exp(-lambda p s)`` and its expected purchase intensity is
    ``lambda exp(-lambda p s)``, so

        E[orders]     = (1 - exp(-lambda p H)) / p
        E[alive days] = (1 - exp(-lambda p H)) / (lambda p)
        E[list value] = lambda m exp(g (t0 - acquired) / 365) * (exp(c H) - 1) / c,
                        c = g / 365 - lambda p.

    ``t0`` may be a scalar or one time per account; accounts not alive get 0.
    """
    lam, p = lat["rate"], lat["dropout"]
    hazard = lam * p
    surv = np.exp(-hazard * span)
    orders = (1 - surv) / p
    alive_days = (1 - surv) / hazard
    c = lat["growth"] / 365 - hazard
    small = np.abs(c * span) < 1e-8
    integral = np.where(small, span, np.expm1(c * span) / np.where(small, 1.0, c))
    grown = np.exp(lat["growth"] * (t0 - lat["acquired_t"]) / 365)
    list_value = lam * lat["order_value"] * grown * integral
    revenue = list_value * (1 - lat["discount"])
    cost = list_value * k.cogs_share + revenue * k.financing_rate * lat["terms_days"] / 365
    tickets = lat["demand"] * alive_days / 365 + k.tickets_per_order * orders
    out = {"orders": orders, "alive_days": alive_days, "revenue": revenue, "cost": cost, "tickets": tickets}
    return {key: np.where(alive, val, 0.0) for key, val in out.items()}


def value_per_referral(rng: np.random.Generator, k: B2BKnobs, n: int = 20000) -> tuple[float, float]:
    """Expected first-year profit of a newly referred account (Monte Carlo over the population).

    First-year profit = first order + expected repeat orders over 365 days
    (formulas of :func:`expected_window` from the acquisition day), minus
    cost of goods and payment terms, ticket handling and onboarding hours.
    Returns the mean over ``n`` fresh latent draws and its standard error.
    """
    lat = draw_latent(rng, n, k)
    lat["acquired_t"] = np.zeros(n)
    exp = expected_window(lat, t0=0.0, span=365.0, k=k, alive=np.ones(n, bool))
    first_revenue = lat["order_value"] * (1 - lat["discount"])
    first_cost = lat["order_value"] * k.cogs_share + first_revenue * k.financing_rate * lat["terms_days"] / 365
    tickets = exp["tickets"] + k.tickets_per_order
    hours = k.onboarding_hours + k.hours_per_ticket * tickets
    profit = (exp["revenue"] + first_revenue - exp["cost"] - first_cost
              - tickets * k.cost_per_ticket - hours * k.hourly_cost)
    return float(profit.mean()), float(profit.std(ddof=1) / np.sqrt(n))
