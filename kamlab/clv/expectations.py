"""Conditional expected purchases where lifetimes' closed forms break down numerically.

lifetimes evaluates E[X(T, T + t) | x, t_x, T] through Gauss hypergeometric
functions that overflow or divide 0 by 0 near the boundaries of the
parameter space (BG/NBD with a + b + x - 1 near 0, or huge r and alpha;
Pareto/NBD at s = 1). There the same expectation is computed from its
definition, as P(alive) times the expected purchases of an account alive at T:

* BG/NBD (Fader, Hardie & Lee 2005a): alive at T, lambda ~ Gamma(r + x, alpha + T)
  and p ~ Beta(a, b + x); purchases until dropout at rate lambda p give
  E[X | alive, lambda, p] = (1 - exp(-lambda p t)) / p, so

      E[X | alive] = E_p[(1 - (1 + p t / (alpha + T))^-(r + x)) / p],

  a one-dimensional integral over p (MBG/NBD: p ~ Beta(a, b + x + 1)).
* Pareto/NBD (Schmittlein et al. 1987): lambda ~ Gamma(r + x, alpha + T),
  mu ~ Gamma(s, beta + T), E[X | alive] = E[lambda] E[(1 - exp(-mu t)) / mu], i.e.

      (r + x)/(alpha + T) * (beta + T) * -expm1(-(s - 1) L) / (s - 1),
      L = ln((beta + T + t)/(beta + T))       (= L at s = 1).
"""

from __future__ import annotations

import numpy as np
from scipy.integrate import quad
from scipy.special import betaln

__all__ = ["beta_geo_alive_purchases", "pareto_alive_purchases"]


def _beta_mean_of(g, a: float, b: float) -> float:
    """E[g(p)] for p ~ Beta(a, b), as g(0) + (g(1) - g(0)) E[p] + E[h(p)], where
    h(p) = g(p) - g(0) - (g(1) - g(0)) p vanishes at both ends, so the integrand has
    no singularity even as a -> 0 or b -> 0 (E[p] = a / (a + b))."""
    g0, g1 = g(0.0), g(1.0)

    def integrand(p: float) -> float:
        weight = np.exp((a - 1) * np.log(p) + (b - 1) * np.log1p(-p) - betaln(a, b))
        return weight * (g(p) - g0 - (g1 - g0) * p)

    with np.errstate(all="ignore"):
        rest, _ = quad(integrand, 0.0, 1.0, limit=200)
    return g0 + (g1 - g0) * a / (a + b) + (rest if np.isfinite(rest) else 0.0)


def beta_geo_alive_purchases(t, x: np.ndarray, T: np.ndarray, r: float, alpha: float, a: float, b: float,
                             *, extra: int = 0) -> np.ndarray:
    """E[X(T, T + t) | alive at T] of BG/NBD (``extra = 0``) or MBG/NBD (``extra = 1``), per history."""
    x, T = np.asarray(x, float), np.asarray(T, float)
    t = np.broadcast_to(np.asarray(t, float), x.shape)
    out = np.empty(len(x))
    for i, (ti, xi, Ti) in enumerate(zip(t, x, T)):
        k, c = r + xi, ti / (alpha + Ti)

        def g(p: float, k=k, c=c) -> float:
            return k * c if p == 0 else -np.expm1(-k * np.log1p(p * c)) / p

        out[i] = _beta_mean_of(g, a, b + xi + extra)
    return out


def pareto_alive_purchases(t, x: np.ndarray, T: np.ndarray, r: float, alpha: float, s: float,
                           beta: float) -> np.ndarray:
    """E[X(T, T + t) | alive at T] of Pareto/NBD, per history (stable at s = 1)."""
    x, T = np.asarray(x, float), np.asarray(T, float)
    L = np.log1p(np.asarray(t, float) / (beta + T))
    life = L if abs(s - 1) < 1e-12 else -np.expm1(-(s - 1) * L) / (s - 1)
    return (r + x) / (alpha + T) * (beta + T) * life
