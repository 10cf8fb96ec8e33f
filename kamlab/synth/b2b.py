"""A synthetic B2B customer base with known ground truth.

Every warning the source material attaches to a definition of "key account"
is built into the generative model as a mechanism, so that it *emerges* in the
data instead of being painted on: heavy-tailed size, discounts and payment terms
that grow with size, service demand unrelated to value, staff hours that follow
past revenue, growth trends, referrals, heterogeneous response to key-account
effort with a randomised pilot, and churn.

The time line (defaults: ``years=3`` from 2022-01-01)::

    |<-------------- calibration (years - 1) -------------->|<-- holdout (1 year) -->|
    start           organic accounts acquired in year 1     calibration_end          observation_end
                                  |<- pre-period ->|<- pilot ->|
                                     (182 days)     (182 days)

Definitions see only the calibration window (transactions up to and including
``calibration_end`` and the ``accounts`` table); outcomes are judged on the
holdout year, whose transactions are generated *without* key-account treatment.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from .world import SyntheticWorld, bgnbd_repeat_purchases, order_by_arrival, resolve_knobs, round_frame, streams

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


def b2b_accounts(n_accounts: int = 400, years: int = 3, seed: int = 0, **knobs) -> SyntheticWorld:
    """Generate a B2B customer base with ground truth.

    The generative model, per account ``i`` (knob names in brackets):

    * **acquisition**: organic accounts arrive uniformly over the first
      ``acquisition_days``; referred accounts arrive when their referrer
      refers them (below).  The first order is placed on the acquisition day.
    * **purchases (BG/NBD)**: while alive, repeat orders arrive as a Poisson
      process with rate ``lambda_i ~ Gamma(r, alpha)`` per day; after each
      repeat order the account dies with probability ``p_i ~ Beta(a, b)``.
      Dead accounts never come back (churn: "a lost customer has not bought
      for a long time").
    * **order values**: list value of an order at time t is
      ``Gamma(order_shape, mean = m_i * exp(g_i * years since acquisition))``
      with ``m_i`` log-normal (``order_value_median``, ``order_value_sigma``)
      times an industry factor: heavy-tailed size.
    * **growth**: ``g_i ~ Normal(0, growth_sd)`` per year, except a share
      ``oak_share`` of "oak trees" that start at ``oak_start_factor`` of the
      usual size and grow by ``Uniform(oak_growth_low, oak_growth_high)`` per
      year in logs.
    * **price and cost**: revenue ``amount = list * (1 - discount_i)``; the
      discount and the payment terms grow with the log of expected yearly list
      spend ``s_i = 365 * lambda_i * m_i`` relative to the reference
      ``order_value_median * 365 * r / alpha``; ``cost = cogs_share * list +
      amount * financing_rate * terms_days_i / 365``.
    * **service demand**: tickets arrive while alive at
      ``demand_i ~ LogNormal(log tickets_per_year_median, demand_sigma)`` per
      year plus ``tickets_per_order`` per order, independent of size.
    * **staff hours**: yearly budget ``staff_scale * (previous calendar
      year's revenue / 1000) ** staff_power`` (``onboarding_hours`` in the
      year of acquisition), logged with log-normal noise, plus
      ``hours_per_ticket`` per ticket: effort follows past size and noise,
      and keeps going to accounts that have silently died.
    * **cost-to-serve** = tickets * ``cost_per_ticket`` + staff hours *
      ``hourly_cost``.  Account profit in a window = sum(amount - cost) -
      cost-to-serve.
    * **referrals**: a share ``influencer_share`` refers new accounts at a
      Gamma-distributed rate with mean ``influencer_rate`` per year while
      alive, the rest at ``base_referral_rate``; referred accounts are drawn
      from the same population and may refer in turn.
    * **response to key-account effort**: KAM multiplies order values by
      ``1 + tau_i``, ``tau_i = kam_response_mean + kam_response_fit * f_i +
      kam_response_growth * oak_i + kam_response_demand * z_demand_i +
      Normal(0, kam_response_sd)`` (clipped at -0.9), where ``f_i ~ N(0, 1)`` is
      the latent strategic fit; KAM costs ``kam_hours_per_year`` staff hours.
    * **randomised pilot**: accounts that ordered at least once in the
      pre-period (the ``pilot_days`` before the pilot) are eligible; a random
      ``pilot_share`` of them (complete randomisation) get KAM during the
      pilot, the last ``pilot_days`` of the calibration window
      (``kam_pilot = 1``), the others are controls (``kam_pilot = 0``);
      the other accounts are not in the pilot (``kam_pilot`` missing).
      Outcome to use: the change in average order value between the
      pre-period and the pilot, ``log_aov_ratio`` of
      :func:`kamlab.synth.pilot_outcomes` (KAM acts on order values, not on
      order counts or churn), e.g. with statsmodels
      ``log_aov_ratio ~ kam_pilot * (strategic_fit + growth_potential)``;
      revenue totals (``revenue_pilot`` against ``revenue_pre``) carry the
      same effect but are dominated by the heavy tail and by churn.  Pilot
      dates are ``params["pre_start"]`` and ``params["pilot_start"]``.
      Nobody is treated in the holdout window.

    Calibration targets (tested on seed 0 and five other seeds, at the default
    knobs and ``n_accounts=400``):

    * the top 20 % of accounts by calibration revenue bring 60-85 % of it, the
      top 10 % bring 30-55 %;
    * at least 3 of the top-decile revenue accounts lose money in the
      calibration window after cost-to-serve;
    * the most demanding decile (by ``service_tickets``) earns a lower mean
      calibration profit than the median account;
    * ``staff_hours`` has a higher Spearman correlation with calibration
      revenue than with ``true_future_profit``;
    * at least one latent oak tree outside the calibration top revenue decile
      enters the holdout top decile;
    * referral value is material (above a quarter of the account's own
      absolute expected profit and above 1,000) for a minority (2-30 %);
    * ``true_uplift`` is positive for 10-90 % of the alive accounts.

    Parameters
    ----------
    n_accounts : int
        Number of organic accounts (referred accounts come on top).
    years : int
        Length of the world in calendar years (>= 2); the last year is the
        holdout window.
    seed : int
        Seed of ``numpy.random.SeedSequence``; same arguments give the same
        frames, byte for byte.
    **knobs
        Any field of :class:`B2BKnobs`.

    Returns
    -------
    SyntheticWorld
        ``transactions`` (customer_id, date, amount, cost), ``accounts`` and
        ``truth``; column meanings in ``datasets/README.md``.
    """
    if int(n_accounts) != n_accounts or n_accounts < 1:
        raise ValueError(f"n_accounts must be a positive integer, got {n_accounts!r}")
    if int(years) != years or years < 2:
        raise ValueError(f"years must be an integer >= 2 (the last year is the holdout), got {years!r}")
    k = resolve_knobs(B2BKnobs, knobs)
    rng = streams(seed, ("latent", "purchases", "referrals", "orders", "service", "staff", "pilot",
                         "attributes", "valuation"))

    start = pd.Timestamp(k.start)
    year_starts = np.array([(start + pd.DateOffset(years=y) - start).days for y in range(years + 1)], float)
    horizon = year_starts[-1]                 # days in the world
    t_cal = year_starts[-2]                   # time at the end of calibration_end
    calibration_end = start + pd.Timedelta(days=t_cal - 1)
    observation_end = start + pd.Timedelta(days=horizon - 1)
    pilot_start, pre_start = t_cal - k.pilot_days, t_cal - 2 * k.pilot_days
    if pre_start < 0:
        raise ValueError(f"pilot_days={k.pilot_days} is too long: two pilot periods must fit in calibration")

    # ---- accounts and their repeat purchases, generation by generation of referrals
    acq = rng["latent"].random(n_accounts) * k.acquisition_days
    parent = np.full(n_accounts, -1)
    gen = np.zeros(n_accounts, int)
    blocks = []
    offset = 0
    while acq.size:
        lat = _draw_latent(rng["latent"], acq.size, k)
        owner, times, death = bgnbd_repeat_purchases(rng["purchases"], acq, horizon, lat["rate"], lat["dropout"])
        blocks.append(dict(lat, acquired_t=acq, death=death, parent=parent, generation=gen,
                           rep_owner=owner + offset, rep_time=times))
        alive_to = np.minimum(death, horizon)
        n_ref = rng["referrals"].poisson(lat["referral_rate"] / 365 * np.maximum(alive_to - acq, 0))
        src = np.repeat(np.arange(acq.size), n_ref)
        new_acq = acq[src] + rng["referrals"].random(src.size) * (alive_to - acq)[src]
        keep = new_acq < horizon
        parent, acq = src[keep] + offset, new_acq[keep]
        gen = np.full(acq.size, gen[0] + 1 if gen.size else 0)
        offset += blocks[-1]["acquired_t"].size
    lat = {key: np.concatenate([bl[key] for bl in blocks]) for key in blocks[0] if not key.startswith("rep_")}
    rep_owner = np.concatenate([bl["rep_owner"] for bl in blocks])
    rep_time = np.concatenate([bl["rep_time"] for bl in blocks])

    # order accounts by acquisition time and name them A0001, A0002, ...
    lat, rep_owner = order_by_arrival(lat, "acquired_t", rep_owner)
    n_all = lat["acquired_t"].size
    width = max(4, len(str(n_all)))
    ids = np.array([f"A{i + 1:0{width}d}" for i in range(n_all)])

    # ---- orders: first order on acquisition + repeat orders
    owner = np.concatenate([np.arange(n_all), rep_owner])
    time = np.concatenate([lat["acquired_t"], rep_time])
    o = np.lexsort((time, owner))
    owner, time = owner[o], time[o]

    # ---- the randomised pilot, among accounts that ordered in the pre-period
    eligible = np.zeros(n_all, bool)
    eligible[owner[(time >= pre_start) & (time < pilot_start)]] = True
    treated = np.zeros(n_all, bool)
    elig_idx = np.flatnonzero(eligible)
    n_treat = int(round(k.pilot_share * elig_idx.size))
    treated[rng["pilot"].permutation(elig_idx)[:n_treat]] = True

    years_since = (time - lat["acquired_t"][owner]) / 365
    mean_list = lat["order_value"][owner] * np.exp(lat["growth"][owner] * years_since)
    in_pilot = treated[owner] & (time >= pilot_start) & (time < t_cal)
    mean_list = mean_list * np.where(in_pilot, 1 + lat["kam_response"][owner], 1.0)
    list_value = rng["orders"].gamma(k.order_shape, mean_list / k.order_shape)
    amount = list_value * (1 - lat["discount"][owner])
    cost = list_value * k.cogs_share + amount * k.financing_rate * lat["terms_days"][owner] / 365
    day = np.floor(time).astype(int)
    transactions = pd.DataFrame({
        "customer_id": ids[owner],
        "date": start + pd.to_timedelta(day, unit="D"),
        "amount": np.round(amount, 2),
        "cost": np.round(cost, 2),
    })
    transactions["date"] = transactions["date"].astype("datetime64[ns]")

    # ---- calibration-window observables
    cal = time < t_cal
    revenue_cal = np.bincount(owner[cal], weights=transactions["amount"].to_numpy()[cal], minlength=n_all)
    profit_gross_cal = np.bincount(owner[cal], weights=(transactions["amount"] - transactions["cost"]).to_numpy()[cal],
                                   minlength=n_all)
    orders_cal = np.bincount(owner[cal], minlength=n_all)
    alive_end = np.minimum(lat["death"], horizon)
    alive_days_cal = np.clip(np.minimum(alive_end, t_cal) - lat["acquired_t"], 0, None)
    tickets_cal = rng["service"].poisson(lat["demand"] * alive_days_cal / 365 + k.tickets_per_order * orders_cal)
    known = lat["acquired_t"] < t_cal

    # staff hours: yearly budgets from the previous calendar year's revenue
    year_of = np.searchsorted(year_starts, time, side="right") - 1
    acq_year = np.searchsorted(year_starts, lat["acquired_t"], side="right") - 1
    rev_by_year = np.zeros((n_all, years))
    np.add.at(rev_by_year, (owner, year_of), transactions["amount"].to_numpy())
    budget = np.zeros((n_all, years))
    for y in range(years):
        budget[:, y] = np.where(acq_year == y, k.onboarding_hours,
                                np.where(acq_year < y, k.staff_scale * (rev_by_year[:, y - 1] / 1000) ** k.staff_power
                                         if y > 0 else 0.0, 0.0))
    noise = np.exp(rng["staff"].normal(-k.staff_noise ** 2 / 2, k.staff_noise, size=(n_all, years)))
    pilot_hours = treated * k.kam_hours_per_year * k.pilot_days / 365
    staff_hours_cal = (budget[:, :-1] * noise[:, :-1]).sum(axis=1) + k.hours_per_ticket * tickets_cal + pilot_hours
    cost_to_serve_cal = tickets_cal * k.cost_per_ticket + staff_hours_cal * k.hourly_cost
    referrals_cal = np.bincount(lat["parent"][(lat["parent"] >= 0) & known], minlength=n_all)

    att = rng["attributes"]
    strategic_fit = np.clip(np.round(3 + lat["fit"] + att.normal(0, 0.7, n_all)), 1, 5)
    growth_potential = np.clip(np.round(3 + 2 * lat["growth"] + att.normal(0, 0.8, n_all)), 1, 5)
    influence = np.clip(np.round(1 + 2.5 * lat["influencer"] + att.normal(0, 0.8, n_all)), 1, 5)

    accounts = pd.DataFrame({
        "industry": np.array(INDUSTRIES)[lat["industry"]],
        "acquired": (start + pd.to_timedelta(np.floor(lat["acquired_t"]).astype(int), unit="D")).astype("datetime64[ns]"),
        "service_tickets": tickets_cal,
        "staff_hours": np.round(staff_hours_cal, 1),
        "cost_to_serve": np.round(cost_to_serve_cal, 2),
        "strategic_fit": strategic_fit.astype(int),
        "influence": influence.astype(int),
        "referrals": referrals_cal,
        "kam_pilot": pd.array(np.where(eligible, treated.astype(int), 0), dtype="Int64"),
        "growth_potential": growth_potential.astype(int),
    }, index=pd.Index(ids, name="customer_id"))
    accounts.loc[~eligible, "kam_pilot"] = pd.NA

    # ---- ground truth: expected holdout-window outcomes, given the latent state at calibration_end
    value_per_referral, value_se = _value_per_referral(rng["valuation"], k)
    alive_cal = lat["death"] >= t_cal
    exp = _expected_window(lat, t0=t_cal, span=horizon - t_cal, k=k, alive=alive_cal & known)
    last_rev = rev_by_year[:, years - 2]
    holdout_budget = np.where(acq_year == years - 1, k.onboarding_hours,
                              k.staff_scale * (last_rev / 1000) ** k.staff_power)
    hours_h = holdout_budget + k.hours_per_ticket * exp["tickets"]
    cts_h = exp["tickets"] * k.cost_per_ticket + hours_h * k.hourly_cost
    profit_h = exp["revenue"] - exp["cost"] - cts_h
    kam_cost = k.kam_hours_per_year * (horizon - t_cal) / 365 * k.hourly_cost
    profit_kam = (1 + lat["kam_response"]) * (exp["revenue"] - exp["cost"]) - cts_h - kam_cost
    referral_value = lat["referral_rate"] / 365 * exp["alive_days"] * value_per_referral

    truth = pd.DataFrame({
        "purchase_rate": lat["rate"] * 365,
        "dropout_prob": lat["dropout"],
        "order_value": lat["order_value"],
        "growth_rate": lat["growth"],
        "oak_tree": lat["oak"].astype(int),
        "discount": lat["discount"],
        "terms_days": lat["terms_days"],
        "demand": lat["demand"],
        "fit": lat["fit"],
        "influencer": lat["influencer"].astype(int),
        "referral_rate": lat["referral_rate"],
        "kam_response": lat["kam_response"],
        "referred_by": np.where(lat["parent"] >= 0, ids[np.maximum(lat["parent"], 0)], ""),
        "alive_at_calibration_end": alive_cal.astype(int),
        "revenue_cal": revenue_cal,
        "profit_cal": profit_gross_cal - cost_to_serve_cal,
        "true_future_orders": exp["orders"],
        "true_future_revenue": exp["revenue"],
        "true_cost_to_serve": cts_h,
        "true_future_profit": profit_h,
        "true_future_profit_kam": profit_kam,
        "true_uplift": profit_kam - profit_h,
        "referral_value": referral_value,
        "true_future_value": profit_h + referral_value,
    }, index=pd.Index(ids, name="customer_id"))
    truth["referred_by"] = truth["referred_by"].where(truth["referred_by"] != "")

    money = ("order_value", "revenue_cal", "profit_cal", "true_future_revenue", "true_cost_to_serve",
             "true_future_profit", "true_future_profit_kam", "true_uplift", "referral_value", "true_future_value")
    truth = round_frame(truth, {c: 2 for c in money} | {"terms_days": 0})
    params = {"n_accounts": int(n_accounts), "years": int(years), "seed": int(seed), **asdict(k),
              "value_per_referral": round(float(value_per_referral), 2),
              "value_per_referral_se": round(float(value_se), 2),
              "calibration_end": str(calibration_end.date()), "observation_end": str(observation_end.date()),
              "pilot_start": str((start + pd.Timedelta(days=pilot_start)).date()),
              "pre_start": str((start + pd.Timedelta(days=pre_start)).date())}
    return SyntheticWorld(
        name="b2b",
        transactions=transactions,
        accounts=accounts[known],
        truth=truth[known],
        calibration_end=calibration_end,
        observation_end=observation_end,
        params=params,
    )


def _draw_latent(rng: np.random.Generator, n: int, k: B2BKnobs) -> dict[str, np.ndarray]:
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


def _expected_window(lat: dict, t0, span: float, k: B2BKnobs, alive: np.ndarray) -> dict[str, np.ndarray]:
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


def _value_per_referral(rng: np.random.Generator, k: B2BKnobs, n: int = 20000) -> tuple[float, float]:
    """Expected first-year profit of a newly referred account (Monte Carlo over the population).

    First-year profit = first order + expected repeat orders over 365 days
    (formulas of :func:`_expected_window` from the acquisition day), minus
    cost of goods and payment terms, ticket handling and onboarding hours.
    Returns the mean over ``n`` fresh latent draws and its standard error.
    """
    lat = _draw_latent(rng, n, k)
    lat["acquired_t"] = np.zeros(n)
    exp = _expected_window(lat, t0=0.0, span=365.0, k=k, alive=np.ones(n, bool))
    first_revenue = lat["order_value"] * (1 - lat["discount"])
    first_cost = lat["order_value"] * k.cogs_share + first_revenue * k.financing_rate * lat["terms_days"] / 365
    tickets = exp["tickets"] + k.tickets_per_order
    hours = k.onboarding_hours + k.hours_per_ticket * tickets
    profit = (exp["revenue"] + first_revenue - exp["cost"] - first_cost
              - tickets * k.cost_per_ticket - hours * k.hourly_cost)
    return float(profit.mean()), float(profit.std(ddof=1) / np.sqrt(n))
