"""The generative model of the game world: its knobs, the latent draws and the closed-form expectations.

:func:`kamlab.synth.game_players` simulates with these; the ground truth of
the world (expected holdout outcomes, value of a streamer's referral) comes
from the closed forms here, not from the simulation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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


def draw_latent(rng: np.random.Generator, channel: np.ndarray, k: GameKnobs) -> dict[str, np.ndarray]:
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


def expected_price(tier_prob: np.ndarray) -> np.ndarray:
    """E[price] = sum_j C(5, j) psi^j (1 - psi)^(5 - j) * price_j."""
    from scipy.stats import binom

    return (binom.pmf(np.arange(6)[None, :], 5, tier_prob[:, None]) * PRICE_POINTS[None, :]).sum(axis=1)


def expected_window(lat: dict, span: int, alive: np.ndarray, k: GameKnobs) -> dict[str, np.ndarray]:
    """Expected outcomes over the next ``span`` days for players alive now.

        E[active days] = pi * sum_{d=1..H} (1 - theta)^d = pi (1 - theta) (1 - (1 - theta)^H) / theta
        E[revenue]     = E[active days] * nu * E[price]
        E[tickets]     = E[active days] * ticket rate
    """
    theta, pi = lat["churn_prob"], lat["play_prob"]
    stay = 1 - theta
    active = pi * stay * (1 - stay ** span) / np.maximum(theta, 1e-12)
    revenue = active * lat["purchase_rate"] * expected_price(lat["tier_prob"])
    tickets = active * lat["ticket_rate"]
    out = {"active_days": active, "revenue": revenue, "tickets": tickets}
    return {key: np.where(alive, val, 0.0) for key, val in out.items()}


def value_per_referral(rng: np.random.Generator, k: GameKnobs, horizon: int, n: int = 50000) -> tuple[float, float]:
    """Expected profit of a streamer-referred install over its first ``horizon`` days, net of the streamer fee.

    Monte Carlo over ``n`` fresh latent draws: install-day purchases plus
    :func:`expected_window` over the following ``horizon - 1`` days, after
    platform fee and ticket handling (no VIP hours).
    """
    lat = draw_latent(rng, np.full(n, len(CHANNELS)), k)
    exp = expected_window(lat, span=horizon - 1, alive=np.ones(n, bool), k=k)
    active = 1 + exp["active_days"]
    revenue = active * lat["purchase_rate"] * expected_price(lat["tier_prob"])
    tickets = active * lat["ticket_rate"]
    profit = (revenue * (1 - k.platform_fee) - tickets * (k.cost_per_ticket + k.hours_per_ticket * k.hourly_cost)
              - k.streamer_fee)
    return float(profit.mean()), float(profit.std(ddof=1) / np.sqrt(n))
