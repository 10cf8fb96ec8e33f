"""Speed of kamlab.rfm.summarise_rfm and calibration_holdout against lifetimes, in the same run.

Builds a transaction log of ~5 M rows over ~1 M accounts (two years, string
account ids, several purchases on some days), checks both give the same
summary, and prints each time and the ratio: the summary to the end of the
log (``summary_data_from_transaction_data``), then the calibration/holdout
split at the end of the first year (``calibration_and_holdout_data``; the
holdout mean spend is lifetimes' per transaction, kamlab's per purchase
period, so it is not compared) on a log of ``--split-rows`` rows (default
1 M, a fifth as many accounts: lifetimes maps every holdout date to a period
in Python, about 30 s per million rows here; 0 leaves the split out).
Usage: ``python benchmarks/rfm.py [--rows N] [--accounts N] [--repeats N] [--split-rows N]``.
"""

import argparse
import time

import numpy as np
import pandas as pd
from lifetimes.utils import calibration_and_holdout_data, summary_data_from_transaction_data

from kamlab.rfm import calibration_holdout, summarise_rfm


def make_log(n_rows: int, n_accounts: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    account = rng.integers(0, n_accounts, n_rows)
    day = rng.integers(0, 730, n_rows)
    return pd.DataFrame(
        {
            "customer_id": pd.Index([f"C{i:07d}" for i in range(n_accounts)])[account],
            "date": pd.Timestamp("2022-01-01") + pd.to_timedelta(day, unit="D"),
            "amount": rng.gamma(2.0, 25.0, n_rows).round(2),
        }
    )


def best_of(repeats: int, fn):
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--split-rows", type=int, default=1_000_000)
    args = parser.parse_args()

    log = make_log(args.rows, args.accounts)
    end = "2023-12-31"
    print(f"log: {len(log):,} rows, {log['customer_id'].nunique():,} accounts")
    t_ours, ours = best_of(args.repeats, lambda: summarise_rfm(log, end))
    t_ref, ref = best_of(1, lambda: summary_data_from_transaction_data(
        log, "customer_id", "date", "amount", observation_period_end=end))
    ref = ref.reindex(ours.index)
    for col in ["frequency", "recency", "T", "monetary_value"]:
        np.testing.assert_allclose(ours[col], ref[col], rtol=1e-9, atol=1e-9, err_msg=col)
    print(f"lifetimes summary_data_from_transaction_data: {t_ref:7.2f} s")
    print(f"kamlab summarise_rfm (best of {args.repeats}):        {t_ours:7.2f} s")
    print(f"speed-up: {t_ref / t_ours:.2f}x (same summary, checked)")
    if args.split_rows:
        small = make_log(args.split_rows, args.split_rows // 5, seed=1)
        print(f"log for the split: {len(small):,} rows, {small['customer_id'].nunique():,} accounts")
        split(small, "2022-12-31", end, args.repeats)


def split(log: pd.DataFrame, cal_end: str, end: str, repeats: int) -> None:
    """calibration_holdout against lifetimes' calibration_and_holdout_data on the same log."""
    t_ours, ours = best_of(repeats, lambda: calibration_holdout(log, cal_end, end))
    t_ref, ref = best_of(1, lambda: calibration_and_holdout_data(
        log, "customer_id", "date", cal_end, observation_period_end=end, monetary_value_col="amount"))
    ref = ref.reindex(ours.index)
    assert len(ref) == len(ours)
    for col in ["frequency_cal", "recency_cal", "T_cal", "monetary_value_cal", "frequency_holdout",
                "duration_holdout"]:
        np.testing.assert_allclose(ours[col], ref[col], rtol=1e-9, atol=1e-9, err_msg=col)
    print(f"lifetimes calibration_and_holdout_data:       {t_ref:7.2f} s")
    print(f"kamlab calibration_holdout (best of {repeats}):    {t_ours:7.2f} s")
    print(f"speed-up: {t_ref / t_ours:.2f}x (same split, checked)")


if __name__ == "__main__":
    main()
