"""Speed and memory of kamlab.clv fits against lifetimes, like with like, in the same run.

Simulates daily RFM summaries from the BG/NBD and Pareto/NBD stories with
CDNOW-like parameters (accounts acquired over one year, observed for 18 months,
ages in whole days as ``summarise_rfm(freq="D")`` gives them). For each model:

* **like with like**: lifetimes' fitter on the same compressed patterns as
  kamlab (unique (frequency, recency, T) rows with their counts as
  ``weights``, which lifetimes supports) against ``kamlab.clv.fit_*``; the ratio
  is what kamlab itself costs or saves (its extra work: the nested NBD fit, the
  restart that checks lifetimes' estimate, the search when lifetimes stops short);
* **compression gain**: lifetimes on every account against lifetimes on the
  compressed patterns, the gain of fitting on patterns at all (the number this
  benchmark used to print as "kamlab against lifetimes");
* for Pareto/NBD, also kamlab on the summary in whole weeks (``clv.in_weeks``).

Each line prints the time, the peak memory traced by ``tracemalloc`` during the
fit (numpy's buffers included), the log-likelihood reached and the ratios.
lifetimes' Pareto/NBD starts from a random point: numpy's global generator is
seeded before each of its fits.
Usage: ``python benchmarks/clv.py [--bgnbd-accounts N] [--pareto-accounts N]``.
"""

import argparse
import time
import tracemalloc
import warnings

import numpy as np
import pandas as pd

import lifetimes
from kamlab import clv


def simulate_daily(n: int, model: str, seed: int = 0) -> pd.DataFrame:
    """Daily RFM summary simulated from BG/NBD or Pareto/NBD (rates per week)."""
    rng = np.random.default_rng(seed)
    T = rng.integers(182, 548, n).astype(float)  # days since first purchase
    weeks = T / 7
    lam = rng.gamma(0.25 if model == "bgnbd" else 0.55, 1 / 4.4, n)  # purchases per week
    if model == "bgnbd":
        arrivals = rng.poisson(lam * weeks)
        x = np.minimum(arrivals, rng.geometric(rng.beta(0.8, 2.4, n)))
        recency = np.where(x > 0, weeks * rng.beta(np.maximum(x, 1), arrivals - x + 1), 0.0)
    else:
        mu = rng.gamma(0.6, 1 / 11.7, n)
        active = np.minimum(rng.exponential(1 / mu), weeks)
        x = rng.poisson(lam * active)
        recency = np.where(x > 0, active * rng.beta(np.maximum(x, 1), 1), 0.0)
    days = np.floor(recency * 7)
    # several purchases on one day count once in a daily summary; keep it simple: cap at days + 1
    x = np.minimum(x, days.astype(int))
    days = np.where(x > 0, days, 0.0)
    return pd.DataFrame({"frequency": x.astype(float), "recency": days, "T": T},
                        index=pd.Index([f"C{i:07d}" for i in range(n)], name="customer_id"))


def measured(fn):
    """(seconds, peak MiB traced, result) of fn(); the time from a run without tracing."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - start
        tracemalloc.start()
        fn()
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return seconds, peak, result


def lifetimes_log_likelihood(model: str, fitter, s: pd.DataFrame) -> float:
    """Log-likelihood of lifetimes' estimate on every account, on the caller's time scale."""
    x, tx, T = (s[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T"))
    p = fitter.params_.to_numpy(dtype=float)
    with np.errstate(all="ignore"):
        if model == "bgnbd":
            return -float(lifetimes.BetaGeoFitter._negative_log_likelihood(np.log(p), x, tx, T, np.ones(len(s)), 0.0)) * len(s)
        return float(np.sum(lifetimes.ParetoNBDFitter._conditional_log_likelihood(p, x, tx, T)))


def compare(model: str, s: pd.DataFrame) -> None:
    """Print lifetimes on patterns, kamlab on the same patterns, and lifetimes on every account."""
    cls = lifetimes.BetaGeoFitter if model == "bgnbd" else lifetimes.ParetoNBDFitter
    ours_fit = clv.fit_bgnbd if model == "bgnbd" else clv.fit_pareto_nbd
    patterns = clv.compress(s)
    columns = [patterns[c] for c in ("frequency", "recency", "T")]

    def lifetimes_on(frame_columns, weights=None):
        np.random.seed(0)
        return cls().fit(*frame_columns, weights=weights)

    t_pat, m_pat, ref_pat = measured(lambda: lifetimes_on(columns, patterns["weights"]))
    t_ours, m_ours, ours = measured(lambda: ours_fit(s))
    t_all, m_all, ref_all = measured(lambda: lifetimes_on([s[c] for c in ("frequency", "recency", "T")]))
    name = "BetaGeoFitter" if model == "bgnbd" else "ParetoNBDFitter"
    print(f"{ours.diagnostics.note.split(':')[0]}: {len(s):,} accounts, {len(patterns):,} patterns (daily summary)")
    rows = [(f"lifetimes {name}, patterns + weights", t_pat, m_pat, lifetimes_log_likelihood(model, ref_pat, s)),
            (f"kamlab fit_{model}, same patterns", t_ours, m_ours, ours.log_likelihood),
            (f"lifetimes {name}, every account", t_all, m_all, lifetimes_log_likelihood(model, ref_all, s))]
    for label, seconds, peak, ll in rows:
        print(f"  {label:45s} {seconds:8.2f} s  {peak:8.1f} MiB  log-likelihood {ll:,.3f}")
    print(f"  like with like (lifetimes on patterns / kamlab): time {t_pat / t_ours:.2f}x, memory {m_pat / m_ours:.2f}x")
    print(f"  compression gain (lifetimes every account / on patterns): time {t_all / t_pat:.2f}x, "
          f"memory {m_all / m_pat:.2f}x")
    print(f"  kamlab: {ours.diagnostics.optimiser}; {ours.diagnostics.note}")
    if model == "pareto_nbd":
        weekly = clv.in_weeks(s)
        t_week, m_week, week = measured(lambda: clv.fit_pareto_nbd(weekly))
        print(f"  kamlab fit_pareto_nbd, weekly, {week.n_patterns:,} patterns: {t_week:8.2f} s  {m_week:8.1f} MiB "
              f"(time {t_pat / t_week:.2f}x lifetimes on daily patterns)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bgnbd-accounts", type=int, default=1_000_000)
    parser.add_argument("--pareto-accounts", type=int, default=100_000)
    args = parser.parse_args()
    compare("bgnbd", simulate_daily(args.bgnbd_accounts, "bgnbd"))
    compare("pareto_nbd", simulate_daily(args.pareto_accounts, "pareto"))


if __name__ == "__main__":
    main()
