"""The Pareto/NBD likelihood, P(alive) and expected purchases, evaluated once per distinct part of a pattern.

Fader & Hardie (2005, note 009, eqs. 18-20): with lambda ~ Gamma(r, alpha)
and mu ~ Gamma(s, beta),

    L(x, t_x, T) = Gamma(r+x) alpha^r beta^s / Gamma(r)
                   * [ 1 / ((alpha+T)^(r+x) (beta+T)^s) + s / (r+s+x) A_0 ],

    A_0 = F(x, t_x) - F(x, T),
    F(x, t) = 2F1(r+s+x, b'; r+s+x+1; |alpha-beta| / (m+t)) / (m+t)^(r+s+x),

where m = max(alpha, beta) and b' = s+1 if alpha >= beta, r+x otherwise. F is
the only costly part (a Gauss hypergeometric function, ``scipy.special.hyp2f1``)
and depends on (x, t) only: it is evaluated once per distinct (x, t) pair, t a
recency or an age of the patterns (:class:`kamlab.clv.patterns.Patterns`), and
gathered back, the terms in x alone once per distinct x. lifetimes'
``ParetoNBDFitter._conditional_log_likelihood`` evaluates the same expression
on every pattern; it is the oracle of ``tests/test_clv_likelihoods.py``.

P(alive) = 1 / (1 + s / (r+s+x) (alpha+T)^(r+x) (beta+T)^s A_0) (note 009,
eq. 37), and E[X(T, T+t) | x, t_x, T] = P(alive) E[X | alive]
(:func:`kamlab.clv.expectations.pareto_alive_purchases`, eq. 41 of the note).
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln, hyp2f1

from .expectations import pareto_alive_purchases
from .patterns import Objective, Patterns

__all__ = ["pareto_log_likelihood", "pareto_objective", "pareto_alive", "pareto_expected_purchases"]


def _log_f(params, x: np.ndarray, t: np.ndarray) -> np.ndarray:
    """ln F(x, t) of the module docstring (note 009, eqs. 19-20), as lifetimes' ``_log_A_0`` writes it."""
    r, alpha, s, beta = params
    low, high, b = (alpha, beta, r + x) if alpha < beta else (beta, alpha, s + 1)
    rsx = r + s + x
    return np.log(hyp2f1(rsx, b, rsx + 1.0, (high - low) / (high + t))) - rsx * np.log(high + t)


def _parts(params, p: Patterns) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The three exponents of the bracket of L, per pattern, gathered from distinct parts:

    ln L - ln[Gamma(r+x) alpha^r beta^s / Gamma(r)] = ln(e^first + e^recent - e^(first + aged)),

    first = -(r+x) ln(alpha+T) - s ln(beta+T), recent = ln(s / (r+s+x)) + ln F(x, t_x) and
    first + aged = ln(s / (r+s+x)) + ln F(x, T), so that e^recent - e^(first + aged) = s A_0 / (r+s+x) >= 0.
    Each is computed once per distinct (x, t) pair, t a recency or an age.
    """
    r, alpha, s, beta = params
    xt, t = p.by_time.values
    first = -(r + xt) * np.log(alpha + t) - s * np.log(beta + t)
    later = np.log(s) - np.log(r + s + xt) + _log_f(params, xt, t)  # ln(s F(x, t) / (r+s+x))
    age = p.age_at
    return first[age], later[p.recency_at], (later - first)[age]


def _log_bracket(first: np.ndarray, recent: np.ndarray, aged: np.ndarray) -> np.ndarray:
    """ln(e^first + e^recent - e^(first + aged)) without overflow (recent >= first + aged)."""
    top = np.maximum(first, recent)
    return top + np.log(np.exp(first - top) + np.exp(recent - top) - np.exp(first + aged - top))


def _by_x(params, xs: np.ndarray) -> np.ndarray:
    """ln[Gamma(r+x) alpha^r beta^s / Gamma(r)] per distinct x."""
    r, alpha, s, beta = params
    return gammaln(r + xs) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)


def pareto_log_likelihood(params, patterns: Patterns) -> np.ndarray:
    """ln L of each pattern under Pareto/NBD (note 009, eq. 18), params = (r, alpha, s, beta)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return _by_x(params, patterns.by_x.values[0])[patterns.by_x.of] + _log_bracket(*_parts(params, patterns))


def pareto_objective(patterns: Patterns) -> Objective:
    """Total Pareto/NBD negative log-likelihood of theta = ln(r, alpha, s, beta) on ``patterns``.

    The gradient has no closed form here (the hypergeometric function has no
    derivative in its parameters in scipy); :class:`~kamlab.clv.patterns.Objective`
    takes central differences, nine evaluations of this likelihood, each of
    cost proportional to the distinct (x, t_x) and (x, T) pairs for the
    hypergeometric part and to the patterns for the rest.
    """
    wx, w = patterns.weight_by_x, patterns.w

    def value(theta):
        params = np.exp(theta)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            inner = _log_bracket(*_parts(params, patterns))
            return -(float(np.einsum("i,i->", wx, _by_x(params, patterns.by_x.values[0])))
                     + float(np.einsum("i,i->", w, inner)))

    return Objective(value=value)


def pareto_alive(params, patterns: Patterns) -> np.ndarray:
    """P(alive at T | x, t_x, T) of each pattern (note 009, eq. 37):
    1 / (1 + s / (r+s+x) (alpha+T)^(r+x) (beta+T)^s A_0) = 1 / (1 + e^(recent - first) - e^aged)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        first, recent, aged = _parts(params, patterns)
        return 1.0 / (1.0 + np.exp(recent - first) - np.exp(aged))


def pareto_expected_purchases(params, patterns: Patterns, horizons) -> list[np.ndarray]:
    """E[X(T, T + t) | x, t_x, T] of each pattern for each t in ``horizons``: P(alive) times the
    expected purchases of an account alive at T, with P(alive) computed once for all horizons."""
    r, alpha, s, beta = params
    alive = pareto_alive(params, patterns)
    return [alive * pareto_alive_purchases(t, patterns.x, patterns.T, r, alpha, s, beta) for t in horizons]
