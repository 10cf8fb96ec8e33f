"""A synthetic free-to-play game with known ground truth.

Players install through channels that cost money per install, play on some
days until they quit, a few pay (and a handful of whales pay most of the
revenue), some raise support tickets, and a few streamers bring in players.
The same questions as for B2B accounts apply: who is "key", and what does
judging by today's spend, support load or staff attention miss?

The time line (defaults: ``days=180`` from 2024-01-01)::

    |<------------- calibration (days - holdout_days) ------------->|<-- holdout (60 days) -->|
    start                                         |<- pre ->|<pilot>|
                                                    (28 d)    (28 d)

The generator runs in named steps, one per section of the model: channel
installs, players and their activity (generation by generation of streamer
referrals), purchases with the randomised pilot, the calibration-window
observables (the players table) and the ground truth. The knobs, latent draws
and closed-form expectations live in :mod:`kamlab.synth.game_model`.
"""

from __future__ import annotations

from dataclasses import asdict

import numpy as np
import pandas as pd

from .game_model import (CHANNELS, PRICE_POINTS, GameKnobs, draw_latent, expected_price, expected_window,
                         value_per_referral)
from .world import SyntheticWorld, Timeline, assemble_world, order_by_arrival, referrer_ids, resolve_knobs, streams

__all__ = ["GameKnobs", "game_players"]

def game_players(n_players: int = 20000, days: int = 180, seed: int = 0, **knobs) -> SyntheticWorld:
    """Generate a free-to-play game with ground truth.

    The generative model, per player ``i`` (knob names in brackets):

    * **installs**: channel installs arrive over the ``days`` with weights
      ``(1 + weekend_boost * weekend) * (1 + launch_boost *
      exp(-day / launch_decay_days))``; channel by ``channel_share``, each with
      a cost per install ``channel_cpi`` and a quality factor
      ``channel_quality``; platform iOS with ``ios_share``.
    * **retention (shifted-beta-geometric)**: each day after install a player
      quits with probability ``theta_i ~ Beta(churn_a, churn_b)`` (odds of
      staying scaled by channel quality; payers' theta times
      ``payer_churn_factor``); on each day alive the player plays with
      probability ``pi_i ~ Beta(play_a, play_b)``.  Install day is active.
      Sessions on an active day are ``1 + Poisson(m_i)``.
    * **spending**: a share ``payer_share`` (times channel quality) are
      payers; a payer makes ``Poisson(nu_i)`` purchases per active day,
      ``nu_i`` log-normal (``purchase_rate_median``, ``purchase_rate_sigma``,
      times ``ios_spend_factor`` on iOS), each at a price point drawn as
      ``Binomial(5, psi_i)`` over 0.99 ... 99.99 with
      ``logit psi_i ~ Normal(whale_mean, whale_sd)``: whales buy the big packs.
      ``cost`` = ``platform_fee`` * amount.
    * **support**: tickets per active day ``tickets_per_active_day`` (payers
      ``payer_tickets_per_active_day``) times a log-normal demandingness.
    * **staff hours**: ``hours_per_ticket`` per ticket plus, once a player's
      cumulative spend passes ``vip_threshold``, ``vip_hours_per_month`` of
      VIP hosting per 30 days whether or not the player still plays.
      cost-to-serve = tickets * ``cost_per_ticket`` + hours * ``hourly_cost``.
    * **streamers**: a share ``streamer_share`` stream the game and bring in
      ``Poisson(rho_i)`` installs per active day (``rho_i`` Gamma with mean
      ``streamer_rate``); referred players (channel ``streamer``, cost
      ``streamer_fee`` each) are drawn from the same population.
    * **key-account treatment**: a personal account manager multiplies the
      purchase rate by ``1 + tau_i``, ``tau_i = kam_response_mean +
      kam_response_engagement * z_i + Normal(0, kam_response_sd)`` (``z_i`` the
      standardised log session intensity), and costs ``kam_hours_per_month``
      staff hours per 30 days.
    * **randomised pilot**: players who paid in the pre-period (the
      ``pilot_days`` before the pilot) are eligible; a random
      ``pilot_share`` of them are treated during the last ``pilot_days`` of
      calibration (``kam_pilot`` = 1), the rest are controls (0), everyone else
      is missing.  Outcome: purchases (or revenue) per active day in the pilot
      versus the pre-period.

    Calibration targets (tested on seed 0 and five other seeds, at the
    default knobs): D1 retention 25-45 %, D7 8-20 %, D30 2-8 % (share of
    installs active on that day after install, among installs old enough);
    payer conversion 1-6 % (share of players known at calibration_end who paid
    by observation_end); the top 1 % of payers bring >= 30 % of revenue.

    Parameters
    ----------
    n_players : int
        Channel installs (streamer-referred players come on top).
    days : int
        Length of the world in days; the last ``holdout_days`` are the holdout.
    seed : int
        Seed of ``numpy.random.SeedSequence``.
    **knobs
        Any field of :class:`GameKnobs`.

    Returns
    -------
    SyntheticWorld
        ``transactions`` (in-app purchases), ``accounts`` (players),
        ``truth`` and ``events`` (daily activity: customer_id, date, sessions).
    """
    if int(n_players) != n_players or n_players < 1:
        raise ValueError(f"n_players must be a positive integer, got {n_players!r}")
    k = resolve_knobs(GameKnobs, knobs)
    if int(days) != days or days < k.holdout_days + 2 * k.pilot_days + 1:
        raise ValueError(f"days must be an integer >= holdout_days + 2 * pilot_days + 1 "
                         f"= {k.holdout_days + 2 * k.pilot_days + 1}, got {days!r}")
    rng = streams(seed, ("installs", "latent", "activity", "purchases", "service", "referrals", "pilot",
                         "attributes", "valuation"))
    start = pd.Timestamp(k.start)
    t_cal = days - k.holdout_days                  # first holdout day (day index)
    timeline = Timeline(start=start, horizon=float(days), t_cal=t_cal, pilot_start=t_cal - k.pilot_days,
                        pre_start=t_cal - 2 * k.pilot_days, calibration_end=start + pd.Timedelta(days=t_cal - 1),
                        observation_end=start + pd.Timedelta(days=days - 1))
    install, channel = _channel_installs(rng["installs"], n_players, days, start, k)
    lat, act_owner, act_day = _players_and_activity(rng, install, channel, days, k)
    n_all = lat["install"].size
    width = max(5, len(str(n_all)))
    ids = np.array([f"P{i + 1:0{width}d}" for i in range(n_all)])
    sessions = 1 + rng["activity"].poisson(lat["sessions_extra"][act_owner])
    owner, pday, amount, eligible, treated = _purchases_with_pilot(rng, lat, act_owner, act_day, timeline, k)
    transactions = pd.DataFrame({
        "customer_id": ids[owner],
        "date": (start + pd.to_timedelta(pday, unit="D")).astype("datetime64[ns]"),
        "amount": amount,
        "cost": np.round(amount * k.platform_fee, 2),
    })
    events = pd.DataFrame({
        "customer_id": ids[act_owner],
        "date": (start + pd.to_timedelta(act_day, unit="D")).astype("datetime64[ns]"),
        "sessions": sessions,
    })
    vip_day = _vip_day(owner, pday, amount, n_all, k.vip_threshold)
    players = _players_table(rng, lat, act_owner, act_day, sessions, owner, pday, amount, vip_day,
                             eligible, treated, ids, timeline, k)
    truth, value, value_se = _truth(rng["valuation"], lat, owner, pday, amount, vip_day, ids, timeline, k)
    money = ("revenue_cal", "true_future_revenue", "true_cost_to_serve", "true_future_profit",
             "true_future_profit_kam", "true_uplift", "referral_value", "true_future_value", "expected_price")
    params = {"n_players": int(n_players), "days": int(days), "seed": int(seed), **asdict(k),
              "channel_share": list(k.channel_share), "channel_cpi": list(k.channel_cpi),
              "channel_quality": list(k.channel_quality),
              "value_per_referral": round(float(value), 4), "value_per_referral_se": round(float(value_se), 4)}
    return assemble_world("game", timeline=timeline, transactions=transactions, accounts=players, truth=truth,
                          known=lat["install"] < t_cal, money=money, params=params, events=events)


def _channel_installs(rng: np.random.Generator, n_players: int, days: int, start: pd.Timestamp, k: GameKnobs):
    """Install days (weekend and launch boosts) and channels of the channel installs, sorted by day."""
    day_index = np.arange(days)
    weekend = (start + pd.to_timedelta(day_index, unit="D")).day_of_week >= 5
    weight = (1 + k.weekend_boost * weekend) * (1 + k.launch_boost * np.exp(-day_index / k.launch_decay_days))
    install = np.sort(rng.choice(days, size=n_players, p=weight / weight.sum()))
    shares = np.asarray(k.channel_share, float)
    channel = rng.choice(len(CHANNELS), size=n_players, p=shares / shares.sum())
    return install, channel


def _players_and_activity(rng: dict, install, channel, days: int, k: GameKnobs):
    """Players and their active days, generation by generation of streamer referrals, renumbered by arrival.

    Each active day of a streamer brings Poisson(referral_rate) installs on
    that day (channel "streamer"); they form the next generation until one
    brings nobody. Returns the latent arrays and the active days (owner, day)
    sorted by player and day.
    """
    blocks, offset = [], 0
    parent = np.full(install.size, -1)
    while install.size:
        lat = draw_latent(rng["latent"], channel, k)
        act = _activity(rng["activity"], install, lat, days)
        blocks.append(dict(lat, install=install, channel=channel, parent=parent,
                           act_owner=act["owner"] + offset, act_day=act["day"], lifetime=act["lifetime"]))
        per_day = rng["referrals"].poisson(lat["referral_rate"][act["owner"]])
        src = np.repeat(act["owner"], per_day)
        new_day = np.repeat(act["day"], per_day)
        keep = new_day < days
        parent, install = src[keep] + offset, new_day[keep]
        channel = np.full(install.size, len(CHANNELS))          # "streamer"
        offset += blocks[-1]["install"].size
    lat = {key: np.concatenate([bl[key] for bl in blocks]) for key in blocks[0] if not key.startswith("act_")}
    act_owner = np.concatenate([bl["act_owner"] for bl in blocks])
    act_day = np.concatenate([bl["act_day"] for bl in blocks])
    lat, act_owner = order_by_arrival(lat, "install", act_owner)
    o = np.lexsort((act_day, act_owner))
    return lat, act_owner[o], act_day[o]


def _purchases_with_pilot(rng: dict, lat: dict, act_owner, act_day, timeline: Timeline, k: GameKnobs):
    """In-app purchases on active days, with the randomised pilot among players who paid in the pre-period.

    Purchases are drawn day by day; for treated players on pilot days the
    rate is multiplied by 1 + tau: extra Poisson purchases when tau > 0,
    thinning (keep with probability 1 + tau) when tau < 0. Returns the
    purchases (owner, day, amount) sorted, and the eligible and treated flags.
    """
    n_all = lat["install"].size
    rate = lat["purchase_rate"][act_owner]
    pre_paid = _purchases(rng["purchases"], act_owner, act_day, rate, lat["tier_prob"])
    eligible = np.zeros(n_all, bool)
    eligible[pre_paid["owner"][(pre_paid["day"] >= timeline.pre_start) & (pre_paid["day"] < timeline.pilot_start)]] = True
    treated = np.zeros(n_all, bool)
    elig_idx = np.flatnonzero(eligible)
    treated[rng["pilot"].permutation(elig_idx)[: int(round(k.pilot_share * elig_idx.size))]] = True
    tau = lat["kam_response"]
    lifted = treated[act_owner] & (act_day >= timeline.pilot_start) & (act_day < timeline.t_cal)
    extra = _purchases(rng["pilot"], act_owner[lifted], act_day[lifted],
                       rate[lifted] * np.maximum(tau[act_owner[lifted]], 0), lat["tier_prob"])
    in_pilot = treated[pre_paid["owner"]] & (pre_paid["day"] >= timeline.pilot_start) & (pre_paid["day"] < timeline.t_cal)
    kept = ~in_pilot | (rng["pilot"].random(in_pilot.size) < 1 + np.minimum(tau[pre_paid["owner"]], 0))
    owner = np.concatenate([pre_paid["owner"][kept], extra["owner"]])
    pday = np.concatenate([pre_paid["day"][kept], extra["day"]])
    amount = np.concatenate([pre_paid["amount"][kept], extra["amount"]])
    o = np.lexsort((amount, pday, owner))
    return owner[o], pday[o], amount[o], eligible, treated


def _players_table(rng: dict, lat: dict, act_owner, act_day, sessions, owner, pday, amount, vip_day,
                   eligible, treated, ids, timeline: Timeline, k: GameKnobs) -> pd.DataFrame:
    """What the game's CRM holds at calibration end: activity, tickets, staff hours, cost-to-serve, reach."""
    n_all, t_cal = ids.size, timeline.t_cal
    known = lat["install"] < t_cal
    cal_act = act_day < t_cal
    active_days_cal = np.bincount(act_owner[cal_act], minlength=n_all)
    sessions_cal = np.bincount(act_owner[cal_act], weights=sessions[cal_act], minlength=n_all).astype(int)
    tickets_cal = rng["service"].poisson(lat["ticket_rate"] * active_days_cal)
    vip_months_cal = np.clip(t_cal - vip_day, 0, None) / 30
    pilot_hours = treated * k.kam_hours_per_month * k.pilot_days / 30
    staff_hours_cal = k.hours_per_ticket * tickets_cal + k.vip_hours_per_month * vip_months_cal + pilot_hours
    cost_to_serve_cal = tickets_cal * k.cost_per_ticket + staff_hours_cal * k.hourly_cost
    referrals_cal = np.bincount(lat["parent"][(lat["parent"] >= 0) & known], minlength=n_all)
    cpi = np.append(np.asarray(k.channel_cpi, float), k.streamer_fee)[lat["channel"]]
    att = rng["attributes"]
    followers = np.where(lat["streamer"], np.exp(att.normal(np.log(20), 1.0, n_all)),
                         np.exp(att.normal(np.log(0.05), 1.0, n_all)))
    players = pd.DataFrame({
        "acquired": (timeline.start + pd.to_timedelta(lat["install"], unit="D")).astype("datetime64[ns]"),
        "channel": np.array(CHANNELS + ("streamer",))[lat["channel"]],
        "platform": np.where(lat["ios"], "ios", "android"),
        "acquisition_cost": cpi,
        "active_days": active_days_cal,
        "sessions": sessions_cal,
        "service_tickets": tickets_cal,
        "staff_hours": np.round(staff_hours_cal, 2),
        "cost_to_serve": np.round(cost_to_serve_cal, 2),
        "influence": np.round(followers, 2),
        "referrals": referrals_cal,
        "kam_pilot": pd.array(treated.astype(int), dtype="Int64"),
    }, index=pd.Index(ids, name="customer_id"))
    players.loc[~eligible, "kam_pilot"] = pd.NA
    return players


def _truth(rng: np.random.Generator, lat: dict, owner, pday, amount, vip_day, ids, timeline: Timeline,
           k: GameKnobs) -> tuple[pd.DataFrame, float, float]:
    """Ground truth over the holdout window, given the latent state at calibration_end.

    Also returns the Monte Carlo value of one streamer referral and its
    standard error (:func:`kamlab.synth.game_model.value_per_referral`).
    """
    n_all, t_cal = ids.size, timeline.t_cal
    known = lat["install"] < t_cal
    spend_cal = pday < t_cal
    revenue_cal = np.bincount(owner[spend_cal], weights=amount[spend_cal], minlength=n_all)
    alive = (lat["install"] + lat["lifetime"] >= t_cal - 1) & known   # alive on the last calibration day
    exp = expected_window(lat, span=k.holdout_days, alive=alive, k=k)
    vip_hours_h = np.where(vip_day < t_cal, k.vip_hours_per_month * k.holdout_days / 30, 0.0)
    hours_h = vip_hours_h + k.hours_per_ticket * exp["tickets"]
    cts_h = exp["tickets"] * k.cost_per_ticket + hours_h * k.hourly_cost
    gross = exp["revenue"] * (1 - k.platform_fee)
    profit_h = gross - cts_h
    kam_cost = k.kam_hours_per_month * k.holdout_days / 30 * k.hourly_cost
    profit_kam = gross * (1 + np.maximum(lat["kam_response"], -1)) - cts_h - kam_cost
    value, value_se = value_per_referral(rng, k, horizon=k.holdout_days)
    referral_value = lat["referral_rate"] * exp["active_days"] * value
    truth = pd.DataFrame({
        "churn_prob": lat["churn_prob"],
        "play_prob": lat["play_prob"],
        "sessions_extra": lat["sessions_extra"],
        "payer": lat["payer"].astype(int),
        "whale": lat["whale"].astype(int),
        "purchase_rate": lat["purchase_rate"],
        "tier_prob": lat["tier_prob"],
        "expected_price": expected_price(lat["tier_prob"]),
        "demand": lat["demand"],
        "streamer": lat["streamer"].astype(int),
        "referral_rate": lat["referral_rate"],
        "kam_response": lat["kam_response"],
        "referred_by": referrer_ids(ids, lat["parent"]),
        "alive_at_calibration_end": alive.astype(int),
        "revenue_cal": revenue_cal,
        "true_future_active_days": exp["active_days"],
        "true_future_revenue": exp["revenue"],
        "true_cost_to_serve": cts_h,
        "true_future_profit": profit_h,
        "true_future_profit_kam": profit_kam,
        "true_uplift": profit_kam - profit_h,
        "referral_value": referral_value,
        "true_future_value": profit_h + referral_value,
    }, index=pd.Index(ids, name="customer_id"))
    return truth, value, value_se



def _activity(rng: np.random.Generator, install: np.ndarray, lat: dict, days: int) -> dict[str, np.ndarray]:
    """Active days: install day, then each day alive with probability play_prob.

    Days alive after install ``L ~ Geometric(theta) - 1`` (shifted-beta-geometric
    when theta varies by Beta across players).
    """
    lifetime = rng.geometric(np.clip(lat["churn_prob"], 1e-12, 1.0)) - 1
    observed = np.minimum(lifetime, days - 1 - install)
    owner = np.repeat(np.arange(install.size), observed)
    starts = np.concatenate(([0], np.cumsum(observed)[:-1]))
    day = install[owner] + np.arange(owner.size) - starts[owner] + 1
    plays = rng.random(owner.size) < lat["play_prob"][owner]
    owner = np.concatenate([np.arange(install.size), owner[plays]])
    day = np.concatenate([install, day[plays]])
    return {"owner": owner, "day": day, "lifetime": lifetime.astype(float)}


def _purchases(rng, owner, day, rate, tier_prob) -> dict[str, np.ndarray]:
    """In-app purchases on active days: Poisson(rate) per day, price tier Binomial(5, tier_prob)."""
    count = rng.poisson(rate)
    buyer = np.repeat(owner, count)
    tier = rng.binomial(5, tier_prob[buyer])
    return {"owner": buyer, "day": np.repeat(day, count), "amount": PRICE_POINTS[tier]}


def _vip_day(owner, day, amount, n, threshold) -> np.ndarray:
    """Day on which each player's cumulative spend first reaches ``threshold`` (inf if never)."""
    out = np.full(n, np.inf)
    if owner.size == 0:
        return out
    cum = pd.Series(amount).groupby(owner).cumsum().to_numpy()
    hit = cum >= threshold
    first = pd.Series(day[hit]).groupby(owner[hit]).min()
    out[first.index.to_numpy()] = first.to_numpy()
    return out
