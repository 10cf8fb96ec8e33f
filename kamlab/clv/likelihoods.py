"""The BG/NBD and Gamma-Gamma log-likelihoods and their gradients, in closed form, on weighted patterns.

kamlab's own vectorised versions of the likelihoods lifetimes maximises
(``BetaGeoFitter._negative_log_likelihood``,
``GammaGammaFitter._negative_log_likelihood``), written so that every term is
computed once per distinct value it depends on (:class:`kamlab.clv.patterns.Patterns`)
and the gradient comes with the value in the same pass, where lifetimes
differentiates through autograd. ``tests/test_clv_likelihoods.py`` checks values
and gradients against lifetimes (value, autograd gradient) on several parameter
points. All functions take log-parameters theta (every parameter is positive)
and return the *total* negative log-likelihood sum_i w_i (-ln L_i) and its
gradient with respect to theta.
"""

from __future__ import annotations

import numpy as np
from scipy.special import digamma, gammaln

from .patterns import Objective, Patterns, distinct

__all__ = ["bgnbd_objective", "gamma_gamma_objective", "bgnbd_log_likelihood"]


def _dot(w: np.ndarray, v: np.ndarray) -> float:
    """sum(w * v) without BLAS (whose threads contend for the cores on a shared machine; einsum sums in C)."""
    return float(np.einsum("i,i->", w, v))


def bgnbd_log_likelihood(params, x, tx, T) -> np.ndarray:
    """ln L of each history under BG/NBD (Fader, Hardie & Lee 2005a, eq. 6, in their section 7 form):

    ln L = ln Gamma(r+x) - ln Gamma(r) + r ln alpha + ln B(a, b+x) - ln B(a, b)
           + ln[(alpha+T)^-(r+x) + [x > 0] a / (b+x-1) (alpha+t_x)^-(r+x)]
    """
    r, alpha, a, b = params
    x, tx, T = (np.asarray(v, dtype=float) for v in (x, tx, T))
    a3 = -(r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore"):
        a4 = np.where(x > 0, np.log(a) - np.log(b + np.maximum(x, 1) - 1) - (r + x) * np.log(alpha + tx), -np.inf)
    return (gammaln(r + x) - gammaln(r) + r * np.log(alpha) + gammaln(a + b) + gammaln(b + x) - gammaln(b)
            - gammaln(a + b + x) + np.logaddexp(a3, a4))


def _bgnbd_value_and_grad(p: Patterns):
    xs, wx, at_x = p.by_x.values[0], p.weight_by_x, p.by_x.of
    ages, at_age = p.ages.values[0], p.ages.of
    recencies, at_recency = p.recencies.values[0], p.recencies.of
    w = p.w
    shift = np.maximum(xs, 1) - 1  # b + x - 1 for repeat buyers

    def both(theta):
        r, alpha, a, b = np.exp(theta)
        log_age = np.log(alpha + ages)[at_age]
        log_recency = np.log(alpha + recencies)[at_recency]
        rx = r + p.x
        a3 = -rx * log_age
        with np.errstate(divide="ignore"):  # -inf for one-time buyers: their L has one term
            a4 = np.where(xs > 0, np.log(a) - np.log(b + shift), -np.inf)[at_x] - rx * log_recency
        top = np.maximum(a3, a4)
        e3, e4 = np.exp(a3 - top), np.exp(a4 - top)
        total = e3 + e4
        pi3, pi4 = e3 / total, e4 / total  # shares of the two terms of L
        by_x = (gammaln(r + xs) - gammaln(r) + r * np.log(alpha) + gammaln(a + b) + gammaln(b + xs) - gammaln(b)
                - gammaln(a + b + xs))
        ll = _dot(wx, by_x) + _dot(w, top + np.log(total))
        d_r = _dot(wx, digamma(r + xs) - digamma(r) + np.log(alpha)) - _dot(w, pi3 * log_age + pi4 * log_recency)
        d_alpha = wx.sum() * r / alpha - _dot(w, rx * (pi3 / (alpha + ages)[at_age]
                                                      + pi4 / (alpha + recencies)[at_recency]))
        d_a = _dot(wx, digamma(a + b) - digamma(a + b + xs)) + _dot(w, pi4) / a
        d_b = (_dot(wx, digamma(a + b) + digamma(b + xs) - digamma(b) - digamma(a + b + xs))
               - _dot(w, pi4 * (1.0 / (b + shift))[at_x]))
        return -ll, -np.array([r * d_r, alpha * d_alpha, a * d_a, b * d_b])

    return both


def bgnbd_objective(patterns: Patterns) -> Objective:
    """Total BG/NBD negative log-likelihood of theta = ln(r, alpha, a, b) on ``patterns``, with its gradient.

    d ln L / d r     = psi(r+x) - psi(r) + ln alpha - pi3 ln(alpha+T) - pi4 ln(alpha+t_x)
    d ln L / d alpha = r / alpha - (r+x) [pi3 / (alpha+T) + pi4 / (alpha+t_x)]
    d ln L / d a     = psi(a+b) - psi(a+b+x) + pi4 / a
    d ln L / d b     = psi(a+b) + psi(b+x) - psi(b) - psi(a+b+x) - pi4 / (b+x-1)

    where pi3 and pi4 = 1 - pi3 are the shares of the two terms inside the last
    logarithm of :func:`bgnbd_log_likelihood` (pi4 = 0 when x = 0); chain rule
    d / d ln theta = theta d / d theta.
    """
    return Objective(_bgnbd_value_and_grad(patterns))


def gamma_gamma_objective(x, m, w) -> Objective:
    """Total Gamma-Gamma negative log-likelihood of theta = ln(p, q, v) on (x, m_x) patterns, with its gradient.

    ln f(m_x | x) = ln Gamma(px+q) - ln Gamma(px) - ln Gamma(q) + q ln v + (px-1) ln m_x + px ln x
                    - (px+q) ln(v + x m_x)                       (Fader & Hardie 2013, note 025)
                  = G(x) + px ln(x m_x / (v + x m_x)) + q ln(v / (v + x m_x)) - ln m_x,

    summed with weights w, G(x) = ln Gamma(px+q) - ln Gamma(px) - ln Gamma(q) once per distinct x. The
    second form has no large terms that cancel (the first sums p x ln m and p x ln(v + x m)
    separately), so the value is as precise as lifetimes' sum over patterns and BFGS's line
    search ends where lifetimes' does. Gradient:

    d/dp = x [psi(px+q) - psi(px) + ln(x m_x / (v + x m_x))]
    d/dq = psi(px+q) - psi(q) + ln(v / (v + x m_x))
    d/dv = (q x m_x / v - p x) / (v + x m_x)
    """
    x, m, w = (np.asarray(v, dtype=float) for v in (x, m, w))
    by_x = distinct(x)
    xs, wx = by_x.values[0], np.bincount(by_x.of, weights=w)
    spent, wxs = x * m, w * x
    log_spent, sum_log_m = np.log(spent), _dot(w, np.log(m))

    def both(theta):
        p, q, v = np.exp(theta)
        log_total = np.log(spent + v)
        own, prior = log_spent - log_total, np.log(v) - log_total  # ln(x m / (v + x m)), ln(v / (v + x m))
        px = p * xs
        ll = (_dot(wx, gammaln(px + q) - gammaln(px) - gammaln(q)) + p * _dot(wxs, own) + q * _dot(w, prior)
              - sum_log_m)
        d_p = _dot(wx, xs * (digamma(px + q) - digamma(px))) + _dot(wxs, own)
        d_q = _dot(wx, digamma(px + q) - digamma(q)) + _dot(w, prior)
        d_v = _dot(w, (q * spent / v - p * x) / (spent + v))
        return -ll, -np.array([p * d_p, q * d_q, v * d_v])

    return Objective(both)
