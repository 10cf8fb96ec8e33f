"""Weighted purchase patterns, with the distinct values each term of a likelihood depends on.

The counting models' likelihoods depend on an account only through its pattern
(x, t_x, T), and the compressed summary (:func:`kamlab.clv.summaries.compress`)
holds each pattern once with its weight, the number of accounts sharing it. Many
terms depend on less than the whole pattern: ln Gamma(r + x) on x alone, the
Pareto/NBD hypergeometric terms on (x, t_x) or on (x, T), ln(alpha + T) on T.
A :class:`Patterns` keeps each of those distinct values once with the index that
gathers it back onto the patterns, so that a million accounts with 50,000
patterns but 2,000 distinct (x, T) pairs cost 2,000 evaluations of the
expensive functions per likelihood, and weighted sums over x-only terms are
taken over the few distinct x with their summed weights.

:class:`Objective` wraps a total negative log-likelihood and its gradient for
the optimisers, computing both in one pass and keeping the last point.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

import numpy as np
import pandas as pd

__all__ = ["Distinct", "Patterns", "Objective", "distinct", "distinct_rows"]


@dataclass(frozen=True)
class Distinct:
    """The distinct rows of some columns and where each original row went.

    ``values[k]`` is the k-th distinct value of column k (one array per column,
    rows in lexicographic order); ``of`` maps every original row to its
    distinct row, so ``values[k][of]`` is column k again.
    """

    values: tuple[np.ndarray, ...]
    of: np.ndarray

    def __len__(self) -> int:
        return len(self.values[0])


def distinct(*columns: np.ndarray) -> Distinct:
    """The distinct rows of the columns (floats), in lexicographic order, with the inverse index."""
    columns = [np.asarray(c, dtype=float) for c in columns]
    found = distinct_rows(columns)
    if found is None:  # missing values, or too many distinct values for one integer key
        rows, of = np.unique(np.column_stack(columns), axis=0, return_inverse=True)
        found = [rows[:, k].copy() for k in range(len(columns))], of
    values, of = found
    return Distinct(tuple(values), np.asarray(of, dtype=np.intp).ravel())


def distinct_rows(columns: list[np.ndarray]) -> tuple[list[np.ndarray], np.ndarray] | None:
    """The distinct rows of numeric columns in lexicographic order (as ``groupby(sort=True)``), and the
    distinct row of every row; None when a column has missing values or the key would overflow.

    Each column is factorised by hashing (codes are the ranks of its sorted
    distinct values), the codes are combined into one integer key per row, and
    the keys are factorised once more: a million rows cost a few hash passes,
    not a sort of a million rows. Values keep the columns' dtypes.
    """
    codes, values, size = [], [], 1
    for column in columns:
        k, u = pd.factorize(np.asarray(column), sort=True)
        if len(k) and k.min() < 0:
            return None
        size *= max(len(u), 1)
        if size >= 2**62:
            return None
        codes.append(k.astype(np.int64))
        values.append(u)
    key = np.zeros(len(codes[0]), dtype=np.int64)
    for k, u in zip(codes, values):
        key = key * len(u) + k
    of, keys = pd.factorize(key, sort=True)
    out = []
    for u in reversed(values):  # peel the mixed-radix key back into one code per column
        keys, code = np.divmod(keys, len(u))
        out.append(u[code])
    return out[::-1], of


@dataclass(frozen=True)
class Patterns:
    """Purchase patterns (x, t_x, T) with their weights and their distinct parts.

    Attributes
    ----------
    x, tx, T, w : ndarray
        Repeat purchases, recency and age (one time unit) and the number of accounts of each pattern.
    by_x : Distinct
        The distinct x; ``weight_by_x`` the summed weights of each.
    by_time : Distinct
        The distinct (x, t) pairs where t is a recency or an age of a pattern
        with x: ``by_time.of[recency_at]`` and ``by_time.of[age_at]`` give each
        pattern's (x, t_x) and (x, T) pair (many t_x of some patterns are the T
        of others, so the union is smaller than both sets of pairs).
    recencies, ages : Distinct
        The distinct t_x and the distinct T.
    """

    x: np.ndarray
    tx: np.ndarray
    T: np.ndarray
    w: np.ndarray
    by_x: Distinct
    weight_by_x: np.ndarray
    by_time: Distinct
    recencies: Distinct
    ages: Distinct

    @classmethod
    def of(cls, x, tx, T, w=None) -> "Patterns":
        """Patterns of arrays (weights 1 when ``w`` is None)."""
        x, tx, T = (np.atleast_1d(np.asarray(v, dtype=float)) for v in (x, tx, T))
        w = np.ones(len(x)) if w is None else np.asarray(w, dtype=float)
        by_x = distinct(x)
        return cls(x=x, tx=tx, T=T, w=w, by_x=by_x, weight_by_x=np.bincount(by_x.of, weights=w),
                   by_time=distinct(np.concatenate([x, x]), np.concatenate([tx, T])), recencies=distinct(tx),
                   ages=distinct(T))

    @property
    def recency_at(self) -> np.ndarray:
        """Each pattern's (x, t_x) among ``by_time``."""
        return self.by_time.of[: len(self.x)]

    @property
    def age_at(self) -> np.ndarray:
        """Each pattern's (x, T) among ``by_time``."""
        return self.by_time.of[len(self.x):]

    def rescaled(self, c: float) -> "Patterns":
        """The same patterns with time multiplied by ``c`` (> 0): the distinct structure is kept, so
        the gathered values equal ``tx * c`` and ``T * c`` exactly."""

        def times(d: Distinct, column: int) -> Distinct:
            return Distinct(tuple(v * c if k == column else v for k, v in enumerate(d.values)), d.of)

        return replace(self, tx=self.tx * c, T=self.T * c, by_time=times(self.by_time, 1),
                       recencies=times(self.recencies, 0), ages=times(self.ages, 0))


class Objective:
    """A total negative log-likelihood of log-parameters and its gradient, from one function.

    ``value_and_grad(theta)`` returns both; :meth:`value` and :meth:`grad` call it
    once per distinct point (the optimisers ask for the value and then the
    gradient at the same point). ``grad`` may be None for a value-only
    likelihood, in which case :meth:`grad` takes central differences.
    """

    def __init__(self, value_and_grad: Callable[[np.ndarray], tuple[float, np.ndarray]] | None = None,
                 value: Callable[[np.ndarray], float] | None = None, *, step: float = 1e-5):
        self._both, self._value, self._step = value_and_grad, value, step
        self._last: tuple[bytes, float, np.ndarray | None] | None = None

    def _at(self, theta: np.ndarray, need_grad: bool) -> tuple[float, np.ndarray | None]:
        theta = np.asarray(theta, dtype=float)
        key = theta.tobytes()
        if self._last is not None and self._last[0] == key and (self._last[2] is not None or not need_grad):
            return self._last[1], self._last[2]
        with np.errstate(all="ignore"):
            if self._both is not None:
                f, g = self._both(theta)
                f, g = float(f), np.asarray(g, dtype=float)
            else:
                f, g = float(self._value(theta)), (self._central(theta) if need_grad else None)
        self._last = (key, f, g)
        return f, g

    def _central(self, theta: np.ndarray) -> np.ndarray:
        out = np.empty_like(theta)
        for i in range(theta.size):
            e = np.zeros_like(theta)
            e[i] = self._step
            out[i] = (float(self._value(theta + e)) - float(self._value(theta - e))) / (2 * self._step)
        return out

    def __call__(self, theta: np.ndarray) -> float:
        return self.value(theta)

    def value(self, theta: np.ndarray) -> float:
        if self._both is None:
            with np.errstate(all="ignore"):
                return float(self._value(np.asarray(theta, dtype=float)))
        return self._at(theta, False)[0]

    def grad(self, theta: np.ndarray) -> np.ndarray:
        return self._at(theta, True)[1]

    def value_and_grad(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        return self._at(theta, True)
