"""The result type shared by the synthetic worlds, and the pieces they share.

A synthetic world is a data set an analyst could have received (transactions,
an accounts table describing the calibration window) together with the ground
truth nobody outside the generator can see (latent parameters, expected future
profit with and without key-account treatment).  Comparing definitions of a key
account against that truth is why the worlds exist.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd


#: The truth column an oracle should rank accounts by: expected holdout profit
#: after cost-to-serve, without key-account treatment, plus the expected profit
#: of the accounts it will refer (``true_future_profit + referral_value``).
ORACLE_COLUMN = "true_future_value"


@dataclass(frozen=True)
class SyntheticWorld:
    """A generated world: observable data plus ground truth.

    Attributes
    ----------
    name : str
        ``"b2b"`` or ``"game"``.
    transactions : pandas.DataFrame
        Data contract columns ``customer_id`` (str), ``date`` (datetime64[ns],
        day precision), ``amount`` (revenue, currency units, rounded to cents)
        and ``cost`` (same units).  Covers the calibration *and* the holdout
        window, and includes accounts first seen in the holdout window.
    accounts : pandas.DataFrame
        One row per account known at ``calibration_end``, indexed by
        ``customer_id``; every attribute describes the calibration window only.
    truth : pandas.DataFrame
        Same index as ``accounts``: latent parameters and expected outcomes in
        the holdout window (``true_future_profit`` without and
        ``true_future_profit_kam`` with key-account treatment, ``true_uplift``,
        ``referral_value``, ``true_future_value``).  Never shown to a
        definition.  The oracle ranks by :data:`ORACLE_COLUMN`.
    calibration_end : pandas.Timestamp
        Last day of the calibration window (inclusive).
    observation_end : pandas.Timestamp
        Last day of the holdout window (inclusive).
    params : dict
        Every argument and knob used, plus derived constants; enough to
        regenerate the world.
    events : pandas.DataFrame or None
        Game only: daily activity, one row per player and active day
        (``customer_id``, ``date``, ``sessions``).
    """

    name: str
    transactions: pd.DataFrame
    accounts: pd.DataFrame
    truth: pd.DataFrame
    calibration_end: pd.Timestamp
    observation_end: pd.Timestamp
    params: dict[str, Any] = field(default_factory=dict)
    events: pd.DataFrame | None = None


def resolve_knobs(knob_class, knobs: dict[str, Any]):
    """Build a knob dataclass from keyword arguments, naming any unknown knob."""
    valid = {f.name for f in dataclasses.fields(knob_class)}
    unknown = sorted(set(knobs) - valid)
    if unknown:
        raise TypeError(
            f"unknown knob(s) {unknown} for {knob_class.__name__}; "
            f"valid knobs are: {sorted(valid)}"
        )
    return knob_class(**knobs)


def streams(seed: int, names: tuple[str, ...]) -> dict[str, np.random.Generator]:
    """One independent random generator per model component.

    Each component (latent draws, purchases, tickets, ...) gets its own child
    of ``numpy.random.SeedSequence(seed)``, so turning a knob of one component
    does not reshuffle the random numbers of the others.
    """
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    children = np.random.SeedSequence(int(seed)).spawn(len(names))
    return {n: np.random.default_rng(c) for n, c in zip(names, children)}


def bgnbd_repeat_purchases(
    rng: np.random.Generator,
    acquired: np.ndarray,
    end: float,
    rate: np.ndarray,
    dropout: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Repeat-purchase times of the BG/NBD individual process.

    While alive an account buys as a Poisson process with ``rate`` per day;
    after each repeat purchase it dies with probability ``dropout``
    (Fader, Hardie & Lee 2005).  Drawn as: the number of repeat purchases
    before death ``K ~ Geometric(dropout)`` (K >= 1, death right after the
    K-th), the Poisson purchase times on ``(acquired, end]``, and the first
    ``min(K, N)`` of those kept.

    Returns
    -------
    owner : int array
        Index of the account of each repeat purchase.
    time : float array
        Purchase time in days from the world's start, sorted within owner.
    death : float array, one per account
        Time of the purchase after which the account died; ``inf`` if it is
        still alive at ``end``.
    """
    n = len(acquired)
    span = np.maximum(end - acquired, 0.0)
    n_events = rng.poisson(rate * span)
    k_alive = rng.geometric(np.clip(dropout, 1e-12, 1.0))
    owner = np.repeat(np.arange(n), n_events)
    time = acquired[owner] + rng.random(owner.size) * span[owner]
    order = np.lexsort((time, owner))
    owner, time = owner[order], time[order]
    starts = np.concatenate(([0], np.cumsum(n_events)[:-1]))
    position = np.arange(owner.size) - starts[owner] + 1  # 1-based within account
    keep = position <= k_alive[owner]
    dies = k_alive <= n_events
    death = np.full(n, np.inf)
    death_idx = starts[dies] + k_alive[dies] - 1
    death[dies] = time[death_idx]
    return owner[keep], time[keep], death


def round_frame(frame: pd.DataFrame, decimals: dict[str, int], default: int = 6) -> pd.DataFrame:
    """Round every float column (``decimals`` per column, else ``default``).

    Rounding at generation time makes the frames equal to what reading the
    written CSV gives back, and keeps the bytes stable across platforms.
    """
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            values = out[col].round(decimals.get(col, default))
            out[col] = values + 0.0  # turn -0.0 into 0.0
    return out


def order_by_arrival(lat: dict[str, np.ndarray], arrival: str, owner: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Renumber generated accounts in order of arrival.

    Accounts are generated in blocks (organic first, then each generation of
    referrals); this sorts them by ``lat[arrival]`` (ties kept in generation
    order), re-points ``lat["parent"]`` (-1 = no parent) at the new positions and
    maps ``owner`` (the account of each purchase or activity row) the same way.
    """
    n_all = lat[arrival].size
    order = np.lexsort((np.arange(n_all), lat[arrival]))
    rank = np.empty(n_all, int)
    rank[order] = np.arange(n_all)
    lat = {key: val[order] for key, val in lat.items()}
    lat["parent"] = np.where(lat["parent"] >= 0, rank[np.maximum(lat["parent"], 0)], -1)
    return lat, rank[owner]


def referrer_ids(ids: np.ndarray, parent: np.ndarray) -> np.ndarray:
    """The id of each account's referrer (``parent`` >= 0), "" for an account nobody referred."""
    return np.where(parent >= 0, ids[np.maximum(parent, 0)], "")


@dataclass(frozen=True)
class Timeline:
    """The dates of a world: its start, the end of calibration and of observation, and the pilot.

    ``t_cal`` is the first holdout day, ``horizon`` the day after the last,
    and ``pilot_start``/``pre_start`` the first days of the pilot and of the
    pre-period, all in days from ``start``.
    """

    start: pd.Timestamp
    horizon: float
    t_cal: float
    pilot_start: float
    pre_start: float
    calibration_end: pd.Timestamp
    observation_end: pd.Timestamp

    def params(self) -> dict[str, str]:
        """The dates as the params file stores them (YYYY-MM-DD)."""
        return {"calibration_end": str(self.calibration_end.date()),
                "observation_end": str(self.observation_end.date()),
                "pilot_start": str((self.start + pd.Timedelta(days=self.pilot_start)).date()),
                "pre_start": str((self.start + pd.Timedelta(days=self.pre_start)).date())}


def assemble_world(name: str, *, timeline: Timeline, transactions: pd.DataFrame, accounts: pd.DataFrame,
                   truth: pd.DataFrame, known: np.ndarray, money: tuple[str, ...], params: dict[str, Any],
                   decimals: dict[str, int] | None = None, events: pd.DataFrame | None = None) -> SyntheticWorld:
    """The common tail of both generators: clean and round the truth, complete the params, keep known accounts.

    ``referred_by`` "" becomes missing; the ``money`` columns of the truth are
    rounded to cents and every other float column to ``decimals`` (default 6
    places, :func:`round_frame`); the timeline's dates are added to
    ``params``; ``accounts`` and ``truth`` keep the rows where ``known``
    (accounts acquired before the end of calibration).
    """
    truth = truth.copy()
    truth["referred_by"] = truth["referred_by"].where(truth["referred_by"] != "")
    truth = round_frame(truth, {c: 2 for c in money} | (decimals or {}))
    return SyntheticWorld(
        name=name,
        transactions=transactions,
        accounts=accounts[known],
        truth=truth[known],
        calibration_end=timeline.calibration_end,
        observation_end=timeline.observation_end,
        params={**params, **timeline.params()},
        events=events,
    )
