"""Speed of kamlab.clv fits against plain lifetimes, in the same run.

Simulates daily RFM summaries from the BG/NBD and Pareto/NBD stories with
CDNOW-like parameters (accounts acquired over one year, observed for 18 months,
ages in whole days as ``summarise_rfm(freq="D")`` gives them), then times

* BG/NBD at 1 M accounts: lifetimes ``BetaGeoFitter().fit`` on every account
  against ``kamlab.clv.fit_bgnbd`` (unique patterns weighted by their counts);
* Pareto/NBD at 100 k accounts: lifetimes ``ParetoNBDFitter().fit`` (its default
  Nelder-Mead) on every account against ``kamlab.clv.fit_pareto_nbd`` on the
  daily summary and on the summary in whole weeks (``clv.in_weeks``);

and prints each time, the ratio, and how far the estimates differ (rates
converted to the same unit). Both sides include lifetimes' own standard-error
computation where it has one; kamlab's times include its numerical Hessian.
Usage: ``python benchmarks/clv.py [--bgnbd-accounts N] [--pareto-accounts N]``.
"""

import argparse
import time
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


def timed(fn):
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = fn()
    return time.perf_counter() - start, result


def largest_relative_gap(a: pd.Series, b: pd.Series) -> float:
    return float(((a - b) / b).abs().max())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bgnbd-accounts", type=int, default=1_000_000)
    parser.add_argument("--pareto-accounts", type=int, default=100_000)
    args = parser.parse_args()

    s = simulate_daily(args.bgnbd_accounts, "bgnbd")
    print(f"BG/NBD: {len(s):,} accounts (daily summary)")
    t_ref, ref = timed(lambda: lifetimes.BetaGeoFitter().fit(s["frequency"], s["recency"], s["T"]))
    t_ours, ours = timed(lambda: clv.fit_bgnbd(s))
    print(f"  lifetimes BetaGeoFitter, every account:       {t_ref:8.2f} s")
    print(f"  kamlab fit_bgnbd, {ours.n_patterns:,} patterns:  {t_ours:8.2f} s")
    print(f"  speed-up: {t_ref / t_ours:.2f}x; largest relative parameter gap "
          f"{largest_relative_gap(ours.params, ref.params_):.1e}")

    s = simulate_daily(args.pareto_accounts, "pareto")
    np.random.seed(0)  # lifetimes draws its Pareto/NBD starting point from numpy's global generator
    print(f"Pareto/NBD: {len(s):,} accounts (daily summary)")
    t_ref, ref = timed(lambda: lifetimes.ParetoNBDFitter().fit(s["frequency"], s["recency"], s["T"]))
    t_day, day = timed(lambda: clv.fit_pareto_nbd(s))
    weekly = clv.in_weeks(s)
    t_week, week = timed(lambda: clv.fit_pareto_nbd(weekly))
    in_days = week.params * pd.Series({"r": 1, "alpha": 7, "s": 1, "beta": 7})
    print(f"  lifetimes ParetoNBDFitter, every account:            {t_ref:8.2f} s")
    print(f"  kamlab fit_pareto_nbd, daily, {day.n_patterns:,} patterns:   {t_day:8.2f} s "
          f"(speed-up {t_ref / t_day:.2f}x; largest parameter gap {largest_relative_gap(day.params, ref.params_):.1e})")
    print(f"  kamlab fit_pareto_nbd, weekly, {week.n_patterns:,} patterns:  {t_week:8.2f} s "
          f"(speed-up {t_ref / t_week:.2f}x; largest parameter gap, rates in days, "
          f"{largest_relative_gap(in_days, ref.params_):.1e})")


if __name__ == "__main__":
    main()
