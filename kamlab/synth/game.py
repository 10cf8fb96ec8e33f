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
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from .world import SyntheticWorld, order_by_arrival, resolve_knobs, round_frame, streams

CHANNELS = ("organic", "paid_social", "ad_network", "search")
PRICE_POINTS = np.array([0.99, 4.99, 9.99, 19.99, 49.99, 99.99])


@dataclass(frozen=True)
class GameKnobs:
    """The documented knobs of :func:`game_players` (pass any as a keyword). Time unit: day."""

    start: str = "2024-01-01"
    holdout_days: int = 60               # the last holdout_days are the holdout window
    # -- installs
    channel_share: tuple = (0.35, 0.30, 0.25, 0.10)    # organic, paid_social, ad_network, search
    channel_cpi: tuple = (0.0, 2.50, 1.20, 3.50)       # cost per install (currency)
    channel_quality: tuple = (1.0, 1.0, 0.6, 1.3)      # multiplies retention odds and payer probability
    weekend_boost: float = 0.3           # extra installs on Saturdays and Sundays
    launch_boost: float = 2.0            # extra installs at launch, decaying ...
    launch_decay_days: float = 14.0      # ... with this e-folding time
    ios_share: float = 0.45
    ios_spend_factor: float = 1.4        # iOS payers buy more often
    # -- retention: shifted-beta-geometric daily quitting, then a daily coin for playing
    churn_a: float = 0.7                 # daily quit probability theta ~ Beta(churn_a, churn_b)
    churn_b: float = 1.0
    play_a: float = 3.0                  # probability of playing on a day alive ~ Beta(play_a, play_b)
    play_b: float = 2.0
    sessions_extra_mean: float = 1.0     # sessions on an active day = 1 + Poisson(m_i), m_i log-normal
    sessions_sigma: float = 0.6
    # -- spending
    payer_share: float = 0.06            # share of players who would ever pay
    payer_churn_factor: float = 0.3      # payers' daily quit probability is this multiple of theta
    purchase_rate_median: float = 0.15   # purchases per active day of a payer (median) ...
    purchase_rate_sigma: float = 1.0     # ... and its log-sd
    whale_share: float = 0.015           # share of payers who are whales ...
    whale_rate_factor: float = 15.0      # ... buying this many times as often ...
    whale_tier_shift: float = 2.0        # ... and bigger packs (shift of the tier logit)
    whale_churn_factor: float = 0.3      # whales' daily quit probability is this multiple of a payer's
    tier_mean: float = -2.0             # price tier ~ Binomial(5, logistic(Normal(tier_mean, tier_sd)))
    tier_sd: float = 1.8                 #   over the price points 0.99 ... 99.99
    platform_fee: float = 0.30           # app store share of revenue, the `cost` of a purchase
    # -- support tickets
    tickets_per_active_day: float = 0.005  # non-payers
    payer_tickets_per_active_day: float = 0.04
    demand_sigma: float = 1.0            # log-sd of demandingness
    cost_per_ticket: float = 3.0
    hours_per_ticket: float = 0.1
    # -- VIP hosting (staff follows cumulative spend, not future value)
    vip_threshold: float = 200.0         # cumulative spend that makes a player VIP
    vip_hours_per_month: float = 1.0     # host hours per 30 days for each VIP, playing or not
    hourly_cost: float = 40.0
    # -- streamers
    streamer_share: float = 0.002        # share of players who stream the game
    streamer_rate: float = 0.5           # mean installs brought per active day of a streamer
    streamer_fee: float = 0.5            # paid to the streamer per referred install (acquisition cost)
    # -- key-account treatment (a personal account manager) and its randomised pilot
    kam_response_mean: float = 0.20      # relative lift of the purchase rate under treatment
    kam_response_engagement: float = 0.15  # extra lift per sd of log session intensity
    kam_response_sd: float = 0.15
    kam_hours_per_month: float = 1.0     # staff hours per 30 days of treatment
    pilot_days: int = 28                 # pilot = last pilot_days of calibration; pre-period = the pilot_days before
    pilot_share: float = 0.5


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
    calibration_end = start + pd.Timedelta(days=t_cal - 1)
    observation_end = start + pd.Timedelta(days=days - 1)
    pilot_start, pre_start = t_cal - k.pilot_days, t_cal - 2 * k.pilot_days

    # ---- channel installs
    day_index = np.arange(days)
    weekend = (start + pd.to_timedelta(day_index, unit="D")).dayofweek >= 5
    weight = (1 + k.weekend_boost * weekend) * (1 + k.launch_boost * np.exp(-day_index / k.launch_decay_days))
    install = np.sort(rng["installs"].choice(days, size=n_players, p=weight / weight.sum()))
    shares = np.asarray(k.channel_share, float)
    channel = rng["installs"].choice(len(CHANNELS), size=n_players, p=shares / shares.sum())

    # ---- players and their activity, generation by generation of streamer referrals
    blocks, offset = [], 0
    parent = np.full(n_players, -1)
    while install.size:
        lat = _draw_latent(rng["latent"], channel, k)
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
    n_all = lat["install"].size
    o = np.lexsort((act_day, act_owner))
    act_owner, act_day = act_owner[o], act_day[o]
    width = max(5, len(str(n_all)))
    ids = np.array([f"P{i + 1:0{width}d}" for i in range(n_all)])
    sessions = 1 + rng["activity"].poisson(lat["sessions_extra"][act_owner])

    # ---- purchases, with the randomised pilot
    rate = lat["purchase_rate"][act_owner]
    pre_paid = _purchases(rng["purchases"], act_owner, act_day, rate, lat["tier_prob"])
    eligible = np.zeros(n_all, bool)
    eligible[pre_paid["owner"][(pre_paid["day"] >= pre_start) & (pre_paid["day"] < pilot_start)]] = True
    # purchases are drawn day by day; redraw the pilot days of treated players with the lifted rate
    treated = np.zeros(n_all, bool)
    elig_idx = np.flatnonzero(eligible)
    treated[rng["pilot"].permutation(elig_idx)[: int(round(k.pilot_share * elig_idx.size))]] = True
    # treatment multiplies the purchase rate by 1 + tau: extra Poisson purchases when tau > 0,
    # thinning (keep with probability 1 + tau) when tau < 0
    tau = lat["kam_response"]
    lifted = treated[act_owner] & (act_day >= pilot_start) & (act_day < t_cal)
    extra = _purchases(rng["pilot"], act_owner[lifted], act_day[lifted],
                       rate[lifted] * np.maximum(tau[act_owner[lifted]], 0), lat["tier_prob"])
    in_pilot = treated[pre_paid["owner"]] & (pre_paid["day"] >= pilot_start) & (pre_paid["day"] < t_cal)
    kept = ~in_pilot | (rng["pilot"].random(in_pilot.size) < 1 + np.minimum(tau[pre_paid["owner"]], 0))
    owner = np.concatenate([pre_paid["owner"][kept], extra["owner"]])
    pday = np.concatenate([pre_paid["day"][kept], extra["day"]])
    amount = np.concatenate([pre_paid["amount"][kept], extra["amount"]])
    o = np.lexsort((amount, pday, owner))
    owner, pday, amount = owner[o], pday[o], amount[o]
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

    # ---- calibration-window observables
    known = lat["install"] < t_cal
    cal_act = act_day < t_cal
    active_days_cal = np.bincount(act_owner[cal_act], minlength=n_all)
    sessions_cal = np.bincount(act_owner[cal_act], weights=sessions[cal_act], minlength=n_all).astype(int)
    ticket_rate = lat["ticket_rate"]
    tickets_cal = rng["service"].poisson(ticket_rate * active_days_cal)
    spend_cal_mask = pday < t_cal
    revenue_cal = np.bincount(owner[spend_cal_mask], weights=amount[spend_cal_mask], minlength=n_all)
    vip_day = _vip_day(owner, pday, amount, n_all, k.vip_threshold)
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
        "acquired": (start + pd.to_timedelta(lat["install"], unit="D")).astype("datetime64[ns]"),
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

    # ---- ground truth over the holdout window, given the latent state at calibration_end
    alive = (lat["install"] + lat["lifetime"] >= t_cal - 1) & known   # alive on the last calibration day
    exp = _expected_window(lat, span=k.holdout_days, alive=alive, k=k)
    vip_hours_h = np.where(vip_day < t_cal, k.vip_hours_per_month * k.holdout_days / 30, 0.0)
    hours_h = vip_hours_h + k.hours_per_ticket * exp["tickets"]
    cts_h = exp["tickets"] * k.cost_per_ticket + hours_h * k.hourly_cost
    gross = exp["revenue"] * (1 - k.platform_fee)
    profit_h = gross - cts_h
    kam_cost = k.kam_hours_per_month * k.holdout_days / 30 * k.hourly_cost
    profit_kam = gross * (1 + np.maximum(lat["kam_response"], -1)) - cts_h - kam_cost
    value_per_referral, value_se = _value_per_referral(rng["valuation"], k, horizon=k.holdout_days)
    referral_value = lat["referral_rate"] * exp["active_days"] * value_per_referral

    truth = pd.DataFrame({
        "churn_prob": lat["churn_prob"],
        "play_prob": lat["play_prob"],
        "sessions_extra": lat["sessions_extra"],
        "payer": lat["payer"].astype(int),
        "whale": lat["whale"].astype(int),
        "purchase_rate": lat["purchase_rate"],
        "tier_prob": lat["tier_prob"],
        "expected_price": _expected_price(lat["tier_prob"]),
        "demand": lat["demand"],
        "streamer": lat["streamer"].astype(int),
        "referral_rate": lat["referral_rate"],
        "kam_response": lat["kam_response"],
        "referred_by": np.where(lat["parent"] >= 0, ids[np.maximum(lat["parent"], 0)], ""),
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
    truth["referred_by"] = truth["referred_by"].where(truth["referred_by"] != "")
    money = ("revenue_cal", "true_future_revenue", "true_cost_to_serve", "true_future_profit",
             "true_future_profit_kam", "true_uplift", "referral_value", "true_future_value", "expected_price")
    truth = round_frame(truth, {c: 2 for c in money})

    params = {"n_players": int(n_players), "days": int(days), "seed": int(seed), **asdict(k),
              "channel_share": list(k.channel_share), "channel_cpi": list(k.channel_cpi),
              "channel_quality": list(k.channel_quality),
              "value_per_referral": round(float(value_per_referral), 4),
              "value_per_referral_se": round(float(value_se), 4),
              "calibration_end": str(calibration_end.date()), "observation_end": str(observation_end.date()),
              "pilot_start": str((start + pd.Timedelta(days=pilot_start)).date()),
              "pre_start": str((start + pd.Timedelta(days=pre_start)).date())}
    return SyntheticWorld(
        name="game",
        transactions=transactions,
        accounts=players[known],
        truth=truth[known],
        calibration_end=calibration_end,
        observation_end=observation_end,
        params=params,
        events=events,
    )


def _draw_latent(rng: np.random.Generator, channel: np.ndarray, k: GameKnobs) -> dict[str, np.ndarray]:
    """Latent traits of players (a fixed number of draws per player)."""
    n = channel.size
    u = rng.random((n, 4))
    z = rng.normal(size=(n, 5))
    theta = rng.beta(k.churn_a, k.churn_b, n)
    play = rng.beta(k.play_a, k.play_b, n)
    streamer_rate = rng.gamma(2.0, k.streamer_rate / 2, n)
    quality = np.append(np.asarray(k.channel_quality, float), 1.0)[channel]
    payer = u[:, 0] < k.payer_share * quality
    # channel quality scales the odds of staying another day
    stay_odds = (1 - theta) / np.maximum(theta, 1e-12) * quality
    theta = 1 / (1 + stay_odds)
    ios = u[:, 1] < k.ios_share
    whale = payer & (u[:, 3] < k.whale_share)
    theta = theta * np.where(payer, k.payer_churn_factor, 1.0) * np.where(whale, k.whale_churn_factor, 1.0)
    rate = k.purchase_rate_median * np.exp(k.purchase_rate_sigma * z[:, 0]) * np.where(ios, k.ios_spend_factor, 1.0)
    rate = rate * np.where(whale, k.whale_rate_factor, 1.0)
    sessions_extra = k.sessions_extra_mean * np.exp(k.sessions_sigma * z[:, 1] - k.sessions_sigma ** 2 / 2)
    streamer = u[:, 2] < k.streamer_share
    tau = k.kam_response_mean + k.kam_response_engagement * z[:, 1] + k.kam_response_sd * z[:, 3]
    ticket_rate = (np.where(payer, k.payer_tickets_per_active_day, k.tickets_per_active_day)
                   * np.exp(k.demand_sigma * z[:, 4] - k.demand_sigma ** 2 / 2))
    return {
        "channel": channel, "ios": ios, "whale": whale, "churn_prob": theta, "play_prob": play, "payer": payer,
        "purchase_rate": np.where(payer, rate, 0.0), "tier_prob": 1 / (1 + np.exp(-(k.tier_mean + k.tier_sd * z[:, 2] + np.where(whale, k.whale_tier_shift, 0.0)))),
        "sessions_extra": sessions_extra, "streamer": streamer,
        "referral_rate": np.where(streamer, streamer_rate, 0.0), "kam_response": np.maximum(tau, -1.0),
        "demand": np.exp(k.demand_sigma * z[:, 4] - k.demand_sigma ** 2 / 2), "ticket_rate": ticket_rate,
    }


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


def _expected_price(tier_prob: np.ndarray) -> np.ndarray:
    """E[price] = sum_j C(5, j) psi^j (1 - psi)^(5 - j) * price_j."""
    from scipy.stats import binom

    return (binom.pmf(np.arange(6)[None, :], 5, tier_prob[:, None]) * PRICE_POINTS[None, :]).sum(axis=1)


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


def _expected_window(lat: dict, span: int, alive: np.ndarray, k: GameKnobs) -> dict[str, np.ndarray]:
    """Expected outcomes over the next ``span`` days for players alive now.

        E[active days] = pi * sum_{d=1..H} (1 - theta)^d = pi (1 - theta) (1 - (1 - theta)^H) / theta
        E[revenue]     = E[active days] * nu * E[price]
        E[tickets]     = E[active days] * ticket rate
    """
    theta, pi = lat["churn_prob"], lat["play_prob"]
    stay = 1 - theta
    active = pi * stay * (1 - stay ** span) / np.maximum(theta, 1e-12)
    revenue = active * lat["purchase_rate"] * _expected_price(lat["tier_prob"])
    tickets = active * lat["ticket_rate"]
    out = {"active_days": active, "revenue": revenue, "tickets": tickets}
    return {key: np.where(alive, val, 0.0) for key, val in out.items()}


def _value_per_referral(rng: np.random.Generator, k: GameKnobs, horizon: int, n: int = 50000) -> tuple[float, float]:
    """Expected profit of a streamer-referred install over its first ``horizon`` days, net of the streamer fee.

    Monte Carlo over ``n`` fresh latent draws: install-day purchases plus
    :func:`_expected_window` over the following ``horizon - 1`` days, after
    platform fee and ticket handling (no VIP hours).
    """
    lat = _draw_latent(rng, np.full(n, len(CHANNELS)), k)
    exp = _expected_window(lat, span=horizon - 1, alive=np.ones(n, bool), k=k)
    active = 1 + exp["active_days"]
    revenue = active * lat["purchase_rate"] * _expected_price(lat["tier_prob"])
    tickets = active * lat["ticket_rate"]
    profit = (revenue * (1 - k.platform_fee) - tickets * (k.cost_per_ticket + k.hours_per_ticket * k.hourly_cost)
              - k.streamer_fee)
    return float(profit.mean()), float(profit.std(ddof=1) / np.sqrt(n))
