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

The generator runs in named steps, one per section of the model: the
timeline, the accounts and their purchases (generation by generation of
referrals), the pilot, the orders, the calibration-window observables (the
accounts table) and the ground truth. The knobs, latent draws and closed-form
expectations live in :mod:`kamlab.synth.b2b_model`.
"""

from __future__ import annotations

from dataclasses import asdict

import numpy as np
import pandas as pd

from .b2b_model import INDUSTRIES, B2BKnobs, draw_latent, expected_window, value_per_referral
from .world import (SyntheticWorld, Timeline, assemble_world, bgnbd_repeat_purchases, order_by_arrival, referrer_ids,
                    resolve_knobs, streams)

__all__ = ["B2BKnobs", "b2b_accounts"]

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
    timeline, year_starts = _timeline(k, years)
    lat, owner, time = _accounts_and_orders(rng, n_accounts, year_starts[-1], k)
    n_all = lat["acquired_t"].size
    width = max(4, len(str(n_all)))
    ids = np.array([f"A{i + 1:0{width}d}" for i in range(n_all)])
    eligible, treated = _randomise_pilot(rng["pilot"], owner, time, n_all, timeline, k)
    transactions = _transactions(rng["orders"], lat, owner, time, treated, ids, timeline, k)
    amount = transactions["amount"].to_numpy()
    rev_by_year = np.zeros((n_all, years))
    np.add.at(rev_by_year, (owner, np.searchsorted(year_starts, time, side="right") - 1), amount)
    acq_year = np.searchsorted(year_starts, lat["acquired_t"], side="right") - 1
    obs = _calibration_observables(rng, lat, owner, time, transactions, treated, rev_by_year, acq_year,
                                   timeline, k)
    accounts = _accounts_table(rng["attributes"], lat, obs, eligible, treated, ids, timeline)
    value, value_se = value_per_referral(rng["valuation"], k)
    truth = _truth(lat, obs, rev_by_year, acq_year, value, ids, timeline, k)
    money = ("order_value", "revenue_cal", "profit_cal", "true_future_revenue", "true_cost_to_serve",
             "true_future_profit", "true_future_profit_kam", "true_uplift", "referral_value", "true_future_value")
    params = {"n_accounts": int(n_accounts), "years": int(years), "seed": int(seed), **asdict(k),
              "value_per_referral": round(float(value), 2), "value_per_referral_se": round(float(value_se), 2)}
    return assemble_world("b2b", timeline=timeline, transactions=transactions, accounts=accounts, truth=truth,
                          known=lat["acquired_t"] < timeline.t_cal, money=money, params=params,
                          decimals={"terms_days": 0})


def _timeline(k: B2BKnobs, years: int) -> tuple[Timeline, np.ndarray]:
    """Calendar years from ``k.start`` (days from the start); calibration = all years but the last."""
    start = pd.Timestamp(k.start)
    year_starts = np.array([(start + pd.DateOffset(years=y) - start).days for y in range(years + 1)], float)
    horizon, t_cal = year_starts[-1], year_starts[-2]
    pilot_start, pre_start = t_cal - k.pilot_days, t_cal - 2 * k.pilot_days
    if pre_start < 0:
        raise ValueError(f"pilot_days={k.pilot_days} is too long: two pilot periods must fit in calibration")
    timeline = Timeline(start=start, horizon=horizon, t_cal=t_cal, pilot_start=pilot_start, pre_start=pre_start,
                        calibration_end=start + pd.Timedelta(days=t_cal - 1),
                        observation_end=start + pd.Timedelta(days=horizon - 1))
    return timeline, year_starts


def _accounts_and_orders(rng: dict, n_accounts: int, horizon: float, k: B2BKnobs):
    """Accounts and their repeat purchases, generation by generation of referrals.

    Organic accounts arrive uniformly over ``acquisition_days``; each
    generation's referrals (Poisson at the referrer's rate while alive) form the
    next generation, until one refers nobody. Accounts are then renumbered by
    arrival. Returns the latent arrays and every order (first order on the
    acquisition day, then the repeat orders) as owner and time, sorted.
    """
    acq = rng["latent"].random(n_accounts) * k.acquisition_days
    parent = np.full(n_accounts, -1)
    gen = np.zeros(n_accounts, int)
    blocks = []
    offset = 0
    while acq.size:
        lat = draw_latent(rng["latent"], acq.size, k)
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
    lat, rep_owner = order_by_arrival(lat, "acquired_t", rep_owner)
    n_all = lat["acquired_t"].size
    owner = np.concatenate([np.arange(n_all), rep_owner])
    time = np.concatenate([lat["acquired_t"], rep_time])
    o = np.lexsort((time, owner))
    return lat, owner[o], time[o]


def _randomise_pilot(rng: np.random.Generator, owner, time, n_all: int, timeline: Timeline, k: B2BKnobs):
    """Eligible = ordered in the pre-period; a random ``pilot_share`` of them are treated."""
    eligible = np.zeros(n_all, bool)
    eligible[owner[(time >= timeline.pre_start) & (time < timeline.pilot_start)]] = True
    treated = np.zeros(n_all, bool)
    elig_idx = np.flatnonzero(eligible)
    n_treat = int(round(k.pilot_share * elig_idx.size))
    treated[rng.permutation(elig_idx)[:n_treat]] = True
    return eligible, treated


def _transactions(rng: np.random.Generator, lat: dict, owner, time, treated, ids, timeline: Timeline,
                  k: B2BKnobs) -> pd.DataFrame:
    """Order values (grown, lifted by KAM for treated accounts in the pilot), revenue after discount, cost."""
    years_since = (time - lat["acquired_t"][owner]) / 365
    mean_list = lat["order_value"][owner] * np.exp(lat["growth"][owner] * years_since)
    in_pilot = treated[owner] & (time >= timeline.pilot_start) & (time < timeline.t_cal)
    mean_list = mean_list * np.where(in_pilot, 1 + lat["kam_response"][owner], 1.0)
    list_value = rng.gamma(k.order_shape, mean_list / k.order_shape)
    amount = list_value * (1 - lat["discount"][owner])
    cost = list_value * k.cogs_share + amount * k.financing_rate * lat["terms_days"][owner] / 365
    day = np.floor(time).astype(int)
    transactions = pd.DataFrame({
        "customer_id": ids[owner],
        "date": timeline.start + pd.to_timedelta(day, unit="D"),
        "amount": np.round(amount, 2),
        "cost": np.round(cost, 2),
    })
    transactions["date"] = transactions["date"].astype("datetime64[ns]")
    return transactions


def _calibration_observables(rng: dict, lat: dict, owner, time, transactions, treated, rev_by_year, acq_year,
                             timeline: Timeline, k: B2BKnobs) -> dict[str, np.ndarray]:
    """Revenue, profit, tickets, staff hours, cost-to-serve and referrals in the calibration window.

    Staff hours: yearly budgets from the previous calendar year's revenue
    (onboarding hours in the year of acquisition), with log-normal noise,
    plus hours per ticket and the pilot's extra hours.
    """
    n_all, years = rev_by_year.shape
    t_cal = timeline.t_cal
    cal = time < t_cal
    amount = transactions["amount"].to_numpy()
    revenue_cal = np.bincount(owner[cal], weights=amount[cal], minlength=n_all)
    profit_gross_cal = np.bincount(owner[cal], weights=(transactions["amount"] - transactions["cost"]).to_numpy()[cal],
                                   minlength=n_all)
    orders_cal = np.bincount(owner[cal], minlength=n_all)
    alive_end = np.minimum(lat["death"], timeline.horizon)
    alive_days_cal = np.clip(np.minimum(alive_end, t_cal) - lat["acquired_t"], 0, None)
    tickets_cal = rng["service"].poisson(lat["demand"] * alive_days_cal / 365 + k.tickets_per_order * orders_cal)
    budget = np.zeros((n_all, years))
    for y in range(years):
        budget[:, y] = np.where(acq_year == y, k.onboarding_hours,
                                np.where(acq_year < y, k.staff_scale * (rev_by_year[:, y - 1] / 1000) ** k.staff_power
                                         if y > 0 else 0.0, 0.0))
    noise = np.exp(rng["staff"].normal(-k.staff_noise ** 2 / 2, k.staff_noise, size=(n_all, years)))
    pilot_hours = treated * k.kam_hours_per_year * k.pilot_days / 365
    staff_hours_cal = (budget[:, :-1] * noise[:, :-1]).sum(axis=1) + k.hours_per_ticket * tickets_cal + pilot_hours
    cost_to_serve_cal = tickets_cal * k.cost_per_ticket + staff_hours_cal * k.hourly_cost
    known = lat["acquired_t"] < t_cal
    referrals_cal = np.bincount(lat["parent"][(lat["parent"] >= 0) & known], minlength=n_all)
    return {"revenue_cal": revenue_cal, "profit_gross_cal": profit_gross_cal, "tickets_cal": tickets_cal,
            "staff_hours_cal": staff_hours_cal, "cost_to_serve_cal": cost_to_serve_cal,
            "referrals_cal": referrals_cal}


def _accounts_table(rng: np.random.Generator, lat: dict, obs: dict, eligible, treated, ids,
                    timeline: Timeline) -> pd.DataFrame:
    """What a CRM would hold at calibration end: observables plus noisy 1-5 ratings of latent traits."""
    n_all = ids.size
    strategic_fit = np.clip(np.round(3 + lat["fit"] + rng.normal(0, 0.7, n_all)), 1, 5)
    growth_potential = np.clip(np.round(3 + 2 * lat["growth"] + rng.normal(0, 0.8, n_all)), 1, 5)
    influence = np.clip(np.round(1 + 2.5 * lat["influencer"] + rng.normal(0, 0.8, n_all)), 1, 5)
    acquired = timeline.start + pd.to_timedelta(np.floor(lat["acquired_t"]).astype(int), unit="D")
    accounts = pd.DataFrame({
        "industry": np.array(INDUSTRIES)[lat["industry"]],
        "acquired": acquired.astype("datetime64[ns]"),
        "service_tickets": obs["tickets_cal"],
        "staff_hours": np.round(obs["staff_hours_cal"], 1),
        "cost_to_serve": np.round(obs["cost_to_serve_cal"], 2),
        "strategic_fit": strategic_fit.astype(int),
        "influence": influence.astype(int),
        "referrals": obs["referrals_cal"],
        "kam_pilot": pd.array(np.where(eligible, treated.astype(int), 0), dtype="Int64"),
        "growth_potential": growth_potential.astype(int),
    }, index=pd.Index(ids, name="customer_id"))
    accounts.loc[~eligible, "kam_pilot"] = pd.NA
    return accounts


def _truth(lat: dict, obs: dict, rev_by_year, acq_year, value_per_ref: float, ids, timeline: Timeline,
           k: B2BKnobs) -> pd.DataFrame:
    """Ground truth: expected holdout-window outcomes, given the latent state at calibration_end."""
    t_cal, horizon = timeline.t_cal, timeline.horizon
    years = rev_by_year.shape[1]
    known = lat["acquired_t"] < t_cal
    alive_cal = lat["death"] >= t_cal
    exp = expected_window(lat, t0=t_cal, span=horizon - t_cal, k=k, alive=alive_cal & known)
    last_rev = rev_by_year[:, years - 2]
    holdout_budget = np.where(acq_year == years - 1, k.onboarding_hours,
                              k.staff_scale * (last_rev / 1000) ** k.staff_power)
    hours_h = holdout_budget + k.hours_per_ticket * exp["tickets"]
    cts_h = exp["tickets"] * k.cost_per_ticket + hours_h * k.hourly_cost
    profit_h = exp["revenue"] - exp["cost"] - cts_h
    kam_cost = k.kam_hours_per_year * (horizon - t_cal) / 365 * k.hourly_cost
    profit_kam = (1 + lat["kam_response"]) * (exp["revenue"] - exp["cost"]) - cts_h - kam_cost
    referral_value = lat["referral_rate"] / 365 * exp["alive_days"] * value_per_ref
    return pd.DataFrame({
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
        "referred_by": referrer_ids(ids, lat["parent"]),
        "alive_at_calibration_end": alive_cal.astype(int),
        "revenue_cal": obs["revenue_cal"],
        "profit_cal": obs["profit_gross_cal"] - obs["cost_to_serve_cal"],
        "true_future_orders": exp["orders"],
        "true_future_revenue": exp["revenue"],
        "true_cost_to_serve": cts_h,
        "true_future_profit": profit_h,
        "true_future_profit_kam": profit_kam,
        "true_uplift": profit_kam - profit_h,
        "referral_value": referral_value,
        "true_future_value": profit_h + referral_value,
    }, index=pd.Index(ids, name="customer_id"))
