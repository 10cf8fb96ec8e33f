"""Speed of the bootstrap in kamlab.compare against a plain per-replicate loop.

The capstone notebook 07 computes bootstrap confidence intervals of every
definition's captured share; it is rendered three times in the report
matrix, once on CDNOW's 23,570 accounts. This script times, in the same run
and on the same data (CDNOW holdout revenue, four key sets of 2,357 accounts,
1,000 replicates):

- reference: a loop over replicates that draws n account indices, gathers
  the outcomes and sums them per key set (the straightforward numpy code);
- kamlab: ``compare.bootstrap_captures``, which turns the draws of a chunk of
  replicates into count weights and computes all sums as one matrix product.

Both give percentile intervals of the same statistic (with this seed they
even draw the same accounts, so the intervals agree exactly); the script
prints the largest difference of an interval end, in bootstrap standard
errors, and the speed ratio. Run: ``python benchmarks/compare.py`` (no arguments).
"""

from __future__ import annotations

import time

import numpy as np

from kamlab import compare, datasets, definitions, rfm


def reference(y: np.ndarray, member: np.ndarray, n_bootstrap: int, seed: int) -> np.ndarray:
    """captured[b, d] = sum(y[idx] * member[idx, d]) / sum(y[idx]) for idx drawn with replacement."""
    rng = np.random.default_rng(seed)
    n = len(y)
    out = np.empty((n_bootstrap, member.shape[1]))
    for b in range(n_bootstrap):
        idx = rng.integers(0, n, n)
        yy = y[idx]
        out[b] = (yy[:, None] * member[idx]).sum(axis=0) / yy.sum()
    return out


def main(n_bootstrap: int = 1000, seed: int = 0) -> None:
    ds = datasets.load("cdnow")
    calhold = rfm.calibration_holdout(ds.transactions, ds.calibration_end, ds.observation_end, freq="W")
    revenue_cal = calhold["revenue_cal"]
    y = calhold["revenue_holdout"].to_numpy(dtype=float)
    n = len(y)
    k = n // 10
    rng = np.random.default_rng(1)
    sets = {
        "biggest": definitions.select(revenue_cal, k=k),
        "frequent": definitions.select(calhold["frequency_cal"] + rng.random(n) * 0.1, k=k),
        "recent": definitions.select(calhold["recency_cal"] + rng.random(n) * 0.1, k=k),
        "random": definitions.select(revenue_cal * 0 + rng.random(n), k=k),
    }
    member = np.column_stack([calhold.index.isin(s) for s in sets.values()]).astype(float)

    start = time.perf_counter()
    ref = reference(y, member, n_bootstrap, seed)
    t_ref = time.perf_counter() - start
    start = time.perf_counter()
    fast = compare.bootstrap_captures(y[:, None], member, n_bootstrap=n_bootstrap, seed=seed)[:, 0, :]
    t_fast = time.perf_counter() - start

    q = [0.025, 0.975]
    ref_ci, fast_ci = np.quantile(ref, q, axis=0), np.quantile(fast, q, axis=0)
    se = ref.std(axis=0)
    print(f"{n:,} accounts, {member.shape[1]} key sets of {k:,}, {n_bootstrap:,} bootstrap replicates")
    for j, name in enumerate(sets):
        print(f"  {name:9s} 95 % CI reference {ref_ci[0, j]:.4f}-{ref_ci[1, j]:.4f}, "
              f"kamlab {fast_ci[0, j]:.4f}-{fast_ci[1, j]:.4f}")
    worst = float(np.max(np.abs(ref_ci - fast_ci) / se))
    print(f"largest difference of an interval end: {worst:.2f} bootstrap standard errors")
    print(f"reference loop {t_ref:.2f} s, kamlab {t_fast:.2f} s: kamlab is {t_ref / t_fast:.1f}x faster")


if __name__ == "__main__":
    main()
