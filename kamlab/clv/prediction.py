"""Predictions of a fitted model: future purchases, probability alive, spend, discounted CLV.

Each prediction is evaluated once per distinct history and mapped back to the
accounts, so that a million accounts with a few thousand patterns cost a few
thousand evaluations (the distinct histories found by hashing,
:func:`kamlab.clv.patterns.distinct_rows`). Pareto/NBD predictions are kamlab's
own (:mod:`kamlab.clv.pareto`, the same expressions as lifetimes', each
hypergeometric term once per distinct (x, t) pair), P(alive) computed once for
every step of a discounted sum. Horizons are in the summary's period.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd

from kamlab.data import format_accounts, require_columns

from .expectations import beta_geo_alive_purchases, pareto_alive_purchases
from .nbd import nbd_expected_purchases
from .pareto import pareto_alive
from .patterns import Patterns, distinct_rows
from .results import FittedModel
from .summaries import BGBB, RFM, SummaryError, check_summary

__all__ = ["expected_purchases", "probability_alive", "expected_spend", "discounted_clv"]


def per_pattern(summary: pd.DataFrame, columns: tuple[str, ...], func) -> pd.Series:
    """Evaluate func(*columns as arrays) once per unique row, mapped back to accounts."""
    keys = [summary[c].to_numpy(dtype=float) for c in columns]
    found = distinct_rows(keys)
    if found is None:  # missing values, or too many distinct values for one integer key
        rows, of = np.unique(np.column_stack(keys), axis=0, return_inverse=True)
        found = [rows[:, k] for k in range(len(keys))], of.ravel()
    values, of = found
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        out = np.asarray(func(*values), dtype=float)
    return pd.Series(np.broadcast_to(out, (len(values[0]),))[of], index=summary.index)


def require_fit(fit: FittedModel, names: tuple[str, ...], what: str) -> None:
    if not isinstance(fit, FittedModel):
        raise TypeError(f"{what}: expected a FittedModel from kamlab.clv.fit_*, got {type(fit).__name__}")
    if fit.name not in names:
        raise ValueError(f"{what}: needs a fit from {', '.join('fit_' + n for n in names)}, got fit_{fit.name}")


#: Fits that predict purchases in continuous time from (frequency, recency, T).
COUNTING = ("bgnbd", "pareto_nbd", "mbgnbd", "nbd")


def alive_probability(fit: FittedModel, x, tx, T) -> np.ndarray:
    """P(alive at T | x, t_x, T) of a counting fit, as an array: 1 for NBD and the no-dropout limit,
    lifetimes' otherwise (kamlab's own expression for Pareto/NBD), and 1 where that value is not finite
    and the last purchase is at T (an account that bought at the end of observation is alive)."""
    x, tx, T = (np.atleast_1d(np.asarray(v, dtype=float)) for v in (x, tx, T))
    if fit.name == "nbd" or fit.reduces_to == "nbd":
        return np.ones_like(x)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        if fit.name == "pareto_nbd":
            alive = pareto_alive(_params(fit, ("r", "alpha", "s", "beta")), Patterns.of(x, tx, T))
        else:
            alive = np.asarray(fit.model.conditional_probability_alive(x, tx, T), dtype=float)
        alive = np.broadcast_to(alive, x.shape)
    return np.where(np.isfinite(alive), alive, np.where(tx >= T, 1.0, np.nan))


def _params(fit: FittedModel, names: tuple[str, ...]) -> tuple[float, ...]:
    return tuple(float(fit.params[k]) for k in names)


def cumulative_purchases(fit: FittedModel, horizons, x, tx, T) -> list[np.ndarray]:
    """E[X(T, T + t) | x, t_x, T] of a counting fit for each t in ``horizons`` (:func:`purchases_up_to`);
    for Pareto/NBD, P(alive) times E[X | alive] with P(alive) computed once for every horizon."""
    if fit.name != "pareto_nbd" or fit.reduces_to == "nbd":
        return [purchases_up_to(fit, t, x, tx, T) for t in horizons]
    x, tx, T = (np.atleast_1d(np.asarray(v, dtype=float)) for v in (x, tx, T))
    alive = alive_probability(fit, x, tx, T)
    with np.errstate(all="ignore"):
        return [alive * pareto_alive_purchases(t, x, T, *_params(fit, ("r", "alpha", "s", "beta"))) for t in horizons]


def purchases_up_to(fit: FittedModel, t, x, tx, T) -> np.ndarray:
    """E[X(T, T + t) | x, t_x, T] of a counting fit, as arrays.

    NBD's (r + x)/(alpha + T) t for the NBD model and the no-dropout limit;
    for Pareto/NBD, P(alive) times the expected purchases of an account alive
    at T (:mod:`kamlab.clv.expectations`; lifetimes' closed form, eq. 41 of
    note 009, is the same product and breaks down at s = 1); lifetimes' closed
    forms otherwise, and, for histories where those are not finite (near the
    boundaries of the parameter space), P(alive) times the expectation of an
    account alive at T.
    """
    if fit.name == "nbd" or fit.reduces_to == "nbd":
        return nbd_expected_purchases(t, x, T, float(fit.params["r"]), float(fit.params["alpha"]))
    if fit.name == "pareto_nbd":
        return cumulative_purchases(fit, [t], x, tx, T)[0]
    x, tx, T = (np.atleast_1d(np.asarray(v, dtype=float)) for v in (x, tx, T))
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        out = np.array(fit.model.conditional_expected_number_of_purchases_up_to_time(t, x, tx, T), dtype=float)
        bad = ~np.isfinite(out)
        if bad.any():
            out = np.broadcast_to(out, x.shape).copy()
            alive = alive_probability(fit, x[bad], tx[bad], T[bad])
            tb = np.broadcast_to(np.asarray(t, dtype=float), x.shape)[bad]
            given = beta_geo_alive_purchases(tb, x[bad], T[bad], *_params(fit, ("r", "alpha", "a", "b")),
                                             extra=int(fit.name == "mbgnbd"))
            out[bad] = alive * given
    return out


def expected_purchases(fit: FittedModel, summary: pd.DataFrame, horizon: float) -> pd.Series:
    """Expected number of purchases of each account in the next ``horizon`` periods.

    E[X(T, T + t) | x, t_x, T]: BG/NBD eq. (10) of Fader, Hardie & Lee (2005a);
    Pareto/NBD eq. (41) of Fader & Hardie (note 009); BG/BB eq. (13) of Fader,
    Hardie & Shang (2010), where ``horizon`` counts transaction opportunities;
    NBD (and a no-dropout limit) (r + x) / (alpha + T) * horizon.

    Parameters
    ----------
    fit : FittedModel
        From :func:`fit_bgnbd`, :func:`fit_pareto_nbd`, :func:`fit_mbgnbd`, :func:`fit_nbd` or :func:`fit_bgbb`.
    summary : DataFrame
        Accounts to predict for, same columns and time unit as the fit.
    horizon : float
        Length of the future window, in the summary's period (e.g. 39 for 39 weeks).

    Returns
    -------
    Series
        Expected purchases per account (a count), indexed like ``summary``.
    """
    require_fit(fit, (*COUNTING, "bgbb"), "expected_purchases")
    if horizon < 0:
        raise ValueError(f"expected_purchases: horizon must be >= 0 periods, got {horizon}")
    if fit.name == "bgbb":
        s = check_summary(summary, BGBB, "expected_purchases")
        out = per_pattern(
            s, BGBB, lambda x, tx, n: fit.model.conditional_expected_number_of_purchases_up_to_time(horizon, x, tx, n)
        )
    else:
        s = check_summary(summary, RFM, "expected_purchases")
        out = per_pattern(
            s, RFM, lambda x, tx, T: purchases_up_to(fit, horizon, x, tx, T)
        )
    return out.rename("expected_purchases")


def probability_alive(fit: FittedModel, summary: pd.DataFrame) -> pd.Series:
    """Probability that each account is still active at the end of observation.

    P(alive | x, t_x, T): BG/NBD eq. (11) of Fader, Hardie & Lee (2005b, note 021),
    Pareto/NBD eq. (37) of note 009, BG/BB eq. (A10) of Fader, Hardie & Shang (2010);
    1 for the NBD model and a no-dropout limit (nobody drops out).
    """
    require_fit(fit, (*COUNTING, "bgbb"), "probability_alive")
    if fit.name == "bgbb":
        s = check_summary(summary, BGBB, "probability_alive")
        out = per_pattern(s, BGBB, lambda x, tx, n: fit.model.conditional_probability_alive(0, x, tx, n))
    else:
        s = check_summary(summary, RFM, "probability_alive")
        out = per_pattern(s, RFM, lambda x, tx, T: alive_probability(fit, x, tx, T))
    return out.rename("probability_alive")


def expected_spend(fit: FittedModel, summary: pd.DataFrame) -> pd.Series:
    """Expected value of each account's future purchases (currency units per purchase).

    E[Z | m_x, x] = (q - 1)/(p x + q - 1) * p v/(q - 1) + p x/(p x + q - 1) * m_x
    (Fader & Hardie 2013, note 025, eq. 5): a weighted average of the population
    mean p v/(q - 1) and the account's own mean spend m_x, with more weight on
    m_x the more repeat purchases x it has. Accounts with x = 0 get the
    population mean.
    """
    require_fit(fit, ("gamma_gamma",), "expected_spend")
    p, q, v = (float(fit.params[k]) for k in ("p", "q", "v"))
    if q <= 1:
        raise ValueError(
            f"expected_spend: the fitted q = {q:.3f} <= 1, so the population mean spend p v/(q-1) "
            "is not defined; the spend data are too heavy-tailed for Gamma-Gamma"
        )
    s = check_summary(summary, ("frequency",), "expected_spend")
    require_columns(s, ["monetary_value"], what="expected_spend: the summary",
                    hint="It needs the mean spend per repeat purchase (kamlab.rfm.summarise_rfm).")
    x = s["frequency"].astype(float)
    m = s["monetary_value"].astype(float).where(x > 0, 0.0)
    weight = p * x / (p * x + q - 1)
    return ((1 - weight) * p * v / (q - 1) + weight * m).rename("expected_spend")


def discounted_clv(
    purchases: FittedModel,
    spend: FittedModel | pd.Series,
    summary: pd.DataFrame,
    *,
    horizon: float,
    periods_per_year: float,
    annual_discount_rate: float = 0.10,
    margin: float = 1.0,
    steps_per_year: int = 12,
) -> pd.Series:
    """Discounted expected margin of each account over the next ``horizon`` periods.

    CLV_i = margin * E[spend_i] * sum_k (E[X_i(t_k)] - E[X_i(t_{k-1})]) / (1 + d)^(t_k / P)

    with t_k = min(k * P / steps_per_year, horizon) the end of step k (in periods),
    P = ``periods_per_year`` and d = ``annual_discount_rate``: purchases expected in
    each step are valued at the expected spend and discounted from the end of that
    step (lifetimes' ``customer_lifetime_value`` uses the same scheme with monthly
    steps).

    Parameters
    ----------
    purchases : FittedModel
        A counting model (BG/NBD, Pareto/NBD, MBG/NBD, NBD) for E[X(t)].
    spend : FittedModel or Series
        A Gamma-Gamma fit (expected spend per purchase, :func:`expected_spend`) or
        a Series of spend per purchase per account in currency units.
    summary : DataFrame
        Accounts, with the columns of both models.
    horizon : float
        Length of the future window, in the summary's period (e.g. 365 days, 52 weeks).
    periods_per_year : float
        Periods in a year for the summary's unit: 365 for days, 52 for weeks, 12 for months.
    annual_discount_rate : float
        Discount rate per year, e.g. 0.10 (10 %).
    margin : float
        Share of spend kept as profit, in (0, 1]; 1 gives discounted revenue.
    steps_per_year : int
        Discounting steps per year (12 = monthly).

    Returns
    -------
    Series
        Discounted CLV per account in currency units, indexed like ``summary``.
    """
    require_fit(purchases, COUNTING, "discounted_clv")
    if horizon <= 0 or periods_per_year <= 0 or steps_per_year < 1:
        raise ValueError("discounted_clv: horizon, periods_per_year and steps_per_year must be positive")
    if annual_discount_rate <= -1:
        raise ValueError(f"discounted_clv: annual_discount_rate must be > -1, got {annual_discount_rate}")
    s = check_summary(summary, RFM, "discounted_clv")
    value = expected_spend(spend, s) if isinstance(spend, FittedModel) else spend.reindex(s.index)
    if value.isna().any():
        raise SummaryError(f"discounted_clv: no spend value for {format_accounts(value.isna(), value.index)}")
    step = periods_per_year / steps_per_year
    ends = np.minimum(np.arange(1, math.ceil(horizon / step - 1e-9) + 1) * step, horizon)
    factors = (1 + annual_discount_rate) ** (-ends / periods_per_year)

    def discounted_count(x, tx, T):
        previous, total = 0.0, 0.0
        for cum, factor in zip(cumulative_purchases(purchases, ends, x, tx, T), factors):
            total = total + (cum - previous) * factor
            previous = cum
        return total

    counts = per_pattern(s, RFM, discounted_count)
    return (margin * value * counts).rename("clv")
