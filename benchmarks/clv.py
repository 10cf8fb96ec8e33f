"""Speed and memory of kamlab.clv against lifetimes, like with like, in the same run.

Three comparisons, each on the same compressed patterns (unique (frequency,
recency, T) rows with their counts as weights, which lifetimes supports), so
that the ratio is what kamlab itself costs or saves, not the compression:

1. **likelihoods**: one evaluation of the total log-likelihood of BG/NBD,
   Pareto/NBD and Gamma-Gamma, kamlab's (:mod:`kamlab.clv.likelihoods`,
   :mod:`kamlab.clv.pareto`, every term once per distinct value) against
   lifetimes' (``_negative_log_likelihood``, ``_conditional_log_likelihood``),
   with the largest relative difference of the two values;
2. **fits**: lifetimes' fitter against ``kamlab.clv.fit_*``, both given the
   compressed patterns (kamlab's extra work is the nested NBD fit, the restart
   that checks the estimate and the standard errors), with the log-likelihood
   each reaches. lifetimes'
   Pareto/NBD runs BFGS from r = alpha = s = beta = 1 (its default start is
   random, its default Nelder-Mead slower);
3. **value model**: ``kamlab.clv.fit_value_model`` and the two
   ``predicted_value`` calls of the capstone's ``future_profit`` (10 % and 0 %
   discounting, 52 weeks in monthly steps) against lifetimes' three fitters and
   its conditional expectations at the twelve monthly ends, both predicting
   once per distinct pattern.

Data: the calibration window (weeks) of ``benchmarks/ledger.py``'s analyst
export (BG/NBD buyers, about five purchases per account), summarised by
``kamlab.rfm.calibration_holdout``. Sections 1 and 2 run again on a daily
summary simulated from the Pareto/NBD story (``--daily N`` accounts, many more
distinct patterns). ``--every-account`` adds lifetimes on every account (the
compression gain, slow). Times are the best of
``--repeats`` runs; peak memory is traced by ``tracemalloc`` during one more
run (numpy's buffers included), and the process's peak RSS is printed at the end.
Usage: ``python benchmarks/clv.py [--accounts N] [--repeats R] [--daily N] [--every-account]``.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import lifetimes
from kamlab import clv, rfm
from kamlab.clv.likelihoods import bgnbd_objective, gamma_gamma_objective
from kamlab.clv.pareto import pareto_objective
from kamlab.clv.patterns import Patterns

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ledger import CALIBRATION_END, OBSERVATION_END, simulate  # noqa: E402


def simulate_daily(n: int, seed: int = 0) -> pd.DataFrame:
    """A daily RFM summary simulated from the Pareto/NBD story with CDNOW-like rates (per week): accounts
    acquired over one year, observed for 18 months, ages in whole days, so many more distinct patterns
    than in weeks; a gamma spend per repeat purchase."""
    rng = np.random.default_rng(seed)
    T = rng.integers(182, 548, n).astype(float)
    weeks = T / 7
    lam, mu = rng.gamma(0.55, 1 / 4.4, n), rng.gamma(0.6, 1 / 11.7, n)
    active = np.minimum(rng.exponential(1 / mu), weeks)
    x = rng.poisson(lam * active)
    days = np.floor(np.where(x > 0, active * rng.beta(np.maximum(x, 1), 1), 0.0) * 7)
    x = np.minimum(x, days.astype(int))  # several purchases on one day count once
    return pd.DataFrame({"frequency": x.astype(float), "recency": np.where(x > 0, days, 0.0), "T": T,
                         "monetary_value": np.where(x > 0, rng.gamma(4.0, 10.0, n), 0.0)},
                        index=pd.Index([f"C{i:07d}" for i in range(n)], name="customer_id"))


def calibration_summary(accounts: int) -> pd.DataFrame:
    """The ledger's calibration/holdout summary in weeks, calibration columns renamed."""
    tx = simulate(accounts).to_pandas()
    tx["customer_id"] = tx["customer_id"].astype(str)
    tx["date"] = tx["date"].astype("datetime64[ns]")
    return clv.as_rfm(rfm.calibration_holdout(tx, CALIBRATION_END, OBSERVATION_END, freq="W"))


def measured(fn, repeats: int):
    """(best seconds, peak MiB traced, result) of fn()."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - start)
        tracemalloc.start()
        fn()
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return min(times), peak, result


def arrays(patterns: pd.DataFrame):
    return (patterns["frequency"].to_numpy().astype(int), *(patterns[c].to_numpy(dtype=float)
                                                          for c in ("recency", "T", "weights")))


def likelihoods(s: pd.DataFrame, repeats: int) -> None:
    """One total log-likelihood as each fit evaluates it, kamlab against lifetimes, same patterns and point:
    value and gradient for BG/NBD and Gamma-Gamma (lifetimes: autograd), the value for Pareto/NBD (both fits
    take finite differences of it); kamlab's set-up of its distinct values, done once per fit, apart."""
    import autograd

    x, tx, T, w = arrays(clv.compress(s))
    repeat = s[(s["frequency"] > 0) & (s["monetary_value"] > 0)]
    g = clv.compress(repeat, ("frequency", "monetary_value"))
    xg, mg, wg = (g[c].to_numpy(dtype=float) for c in ("frequency", "monetary_value", "weights"))
    bg, pn, gg = np.log([0.66, 14.0, 0.68, 7.0]), np.log([1.05, 22.6, 0.66, 78.5]), np.log([4.0, 3.4, 28.0])
    t_setup, _, patterns = measured(lambda: Patterns.of(x, tx, T, w), repeats)
    ours = {"BG/NBD": bgnbd_objective(patterns), "Pareto/NBD": pareto_objective(patterns),
            "Gamma-Gamma": gamma_gamma_objective(xg, mg, wg)}
    cases = [
        ("BG/NBD", lambda: ours["BG/NBD"]._both(bg)[0], autograd.value_and_grad(
            lambda lp: lifetimes.BetaGeoFitter._negative_log_likelihood(lp, x, tx, T, w, 0.0) * w.sum()), bg),
        ("Pareto/NBD", lambda: ours["Pareto/NBD"].value(pn),
         lambda th: -np.sum(w * lifetimes.ParetoNBDFitter._conditional_log_likelihood(np.exp(th), x, tx, T)), pn),
        ("Gamma-Gamma", lambda: ours["Gamma-Gamma"]._both(gg)[0], autograd.value_and_grad(
            lambda lp: lifetimes.GammaGammaFitter._negative_log_likelihood(lp, xg, mg, wg, 0.0) * wg.sum()), gg),
    ]
    print(f"1. one evaluation of the total log-likelihood on the same patterns ({len(x):,}; Gamma-Gamma "
          f"{len(xg):,}); kamlab's distinct values set up once in {t_setup * 1e3:.1f} ms")
    for label, mine, theirs, point in cases:
        t_ours, _, v_ours = measured(mine, repeats * 10)
        t_ref, _, v_ref = measured(lambda: theirs(point), repeats * 10)
        v_ref = v_ref[0] if isinstance(v_ref, tuple) else v_ref
        what = "value" if label == "Pareto/NBD" else "value and gradient"
        print(f"  {label:12s} {what:19s} lifetimes {t_ref * 1e3:8.2f} ms  kamlab {t_ours * 1e3:8.2f} ms  "
              f"ratio {t_ref / t_ours:6.1f}x  relative difference {abs(v_ours / v_ref - 1):.1e}")


def lifetimes_fits(s: pd.DataFrame):
    """lifetimes' three fitters on the compressed patterns (what kamlab's value model fits)."""
    x, tx, T, w = arrays(clv.compress(s))
    repeat = s[(s["frequency"] > 0) & (s["monetary_value"] > 0)]
    g = clv.compress(repeat, ("frequency", "monetary_value"))
    return {
        "bgnbd": lambda: lifetimes.BetaGeoFitter().fit(x, tx, T, weights=w),
        "pareto_nbd": lambda: lifetimes.ParetoNBDFitter().fit(x, tx, T, weights=w, initial_params=np.ones(4),
                                                              tol=1e-6, fit_method="BFGS"),
        "gamma_gamma": lambda: lifetimes.GammaGammaFitter().fit(g["frequency"], g["monetary_value"],
                                                                weights=g["weights"]),
    }


def lifetimes_log_likelihood(name: str, fitter, s: pd.DataFrame) -> float:
    """Log-likelihood of lifetimes' estimate, summed over accounts, on the caller's time scale."""
    p = fitter.params_.to_numpy(dtype=float)
    if name == "gamma_gamma":
        r = s[(s["frequency"] > 0) & (s["monetary_value"] > 0)]
        x, m = r["frequency"].to_numpy(dtype=float), r["monetary_value"].to_numpy(dtype=float)
        return -float(lifetimes.GammaGammaFitter._negative_log_likelihood(np.log(p), x, m, np.ones(len(r)), 0.0)) * len(r)
    x, tx, T, w = arrays(clv.compress(s))
    if name == "bgnbd":
        return -float(lifetimes.BetaGeoFitter._negative_log_likelihood(np.log(p), x, tx, T, w, 0.0)) * w.sum()
    return float(np.sum(w * lifetimes.ParetoNBDFitter._conditional_log_likelihood(p, x, tx, T)))


def fits(s: pd.DataFrame, repeats: int, every_account: bool) -> None:
    """lifetimes' fitter against kamlab's fit, both given the compressed patterns (kamlab takes them as a
    summary with a ``weights`` column), for each model of the value model."""
    patterns = clv.compress(s)
    spend = clv.compress(s[(s["frequency"] > 0) & (s["monetary_value"] > 0)], ("frequency", "monetary_value"))
    ours = {"bgnbd": lambda: clv.fit_bgnbd(patterns), "pareto_nbd": lambda: clv.fit_pareto_nbd(patterns),
            "gamma_gamma": lambda: clv.fit_gamma_gamma(spend)}
    print("2. fits on the same patterns")
    for name, reference in lifetimes_fits(s).items():
        t_ref, m_ref, ref = measured(reference, repeats)
        t_ours, m_ours, fit = measured(ours[name], repeats)
        print(f"  {name:12s} lifetimes {t_ref:7.2f} s {m_ref:7.1f} MiB  kamlab {t_ours:7.2f} s {m_ours:7.1f} MiB  "
              f"time {t_ref / t_ours:5.1f}x  memory {m_ref / m_ours:4.1f}x  log-likelihood "
              f"{lifetimes_log_likelihood(name, ref, s):,.3f} / {fit.log_likelihood:,.3f}  ({fit.diagnostics.optimiser})")
    if every_account:
        x, tx, T = (s[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T"))
        t_all, m_all, _ = measured(lambda: lifetimes.BetaGeoFitter().fit(x, tx, T), 1)
        t_pat, m_pat, _ = measured(lifetimes_fits(s)["bgnbd"], 1)
        print(f"  compression gain, BG/NBD (lifetimes every account / on patterns): time {t_all / t_pat:.1f}x, "
              f"memory {m_all / m_pat:.1f}x")


def lifetimes_value(s: pd.DataFrame, ends: np.ndarray, chosen: str):
    """lifetimes' route: the three fits, then the expectations of the ``chosen`` purchase model at the
    monthly ends for both discount rates, once per distinct pattern, and the expected spend."""
    fitted = {name: fit() for name, fit in lifetimes_fits(s).items()}
    keys = s[["frequency", "recency", "T"]].drop_duplicates()
    x, tx, T = (keys[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T"))
    with np.errstate(all="ignore"):
        cumulative = [fitted[chosen].conditional_expected_number_of_purchases_up_to_time(t, x, tx, T)
                      for t in ends for _ in (0.10, 0.0)]
        spend = fitted["gamma_gamma"].conditional_expected_average_profit(s["frequency"], s["monetary_value"])
    return fitted, cumulative, spend


def value_model(s: pd.DataFrame, repeats: int) -> None:
    """kamlab's value model and predictions (as future_profit calls them) against lifetimes' route."""
    ends = np.arange(1, 13) * 52 / 12

    def ours():
        model = clv.fit_value_model(s)
        values = [clv.predicted_value(model, s, horizon=52, periods_per_year=52, annual_discount_rate=d)
                  for d in (0.10, 0.0)]
        return model, values

    t_ours, m_ours, (model, _) = measured(ours, repeats)
    chosen = model.purchases.name if model.purchases.name in ("bgnbd", "pareto_nbd") else "bgnbd"
    t_ref, m_ref, _ = measured(lambda: lifetimes_value(s, ends, chosen), repeats)
    print("3. value model and its two predictions (future_profit)")
    print(f"  lifetimes (3 fits, 24 expectations per pattern) {t_ref:7.2f} s {m_ref:7.1f} MiB")
    print(f"  kamlab fit_value_model + 2 predicted_value      {t_ours:7.2f} s {m_ours:7.1f} MiB  "
          f"time {t_ref / t_ours:.1f}x  memory {m_ref / m_ours:.1f}x")
    print(f"  {model.note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--every-account", action="store_true")
    parser.add_argument("--daily", type=int, default=100_000,
                        help="accounts of a daily Pareto/NBD summary for sections 1 and 2 (0: skip)")
    args = parser.parse_args()
    start = time.perf_counter()
    s = calibration_summary(args.accounts)
    print(f"ledger of {args.accounts:,} accounts: {len(s):,} in the calibration window, "
          f"{len(clv.compress(s)):,} patterns (weeks); summarised in {time.perf_counter() - start:.1f} s")
    likelihoods(s, args.repeats)
    fits(s, args.repeats, args.every_account)
    value_model(s, args.repeats)
    if args.daily:
        daily = simulate_daily(args.daily)
        print(f"daily Pareto/NBD summary: {args.daily:,} accounts, {len(clv.compress(daily)):,} patterns (days)")
        likelihoods(daily, args.repeats)
        fits(daily, args.repeats, False)
    print(f"peak RSS of the process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10:,.0f} MiB")


if __name__ == "__main__":
    main()
