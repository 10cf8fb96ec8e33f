"""A synthetic analyst export for the scale benchmarks: BG/NBD buyers over three years.

``write_ledger(path, accounts)`` writes a CSV with the columns an analyst's
export has (``customer_id``, ``date``, ``amount``, ``cost``), about five
purchases per account, so 1,000,000 accounts give about 5,000,000 lines.
Buyers follow the BG/NBD story (Fader, Hardie and Lee 2005): each is born on
a uniform day of the first year, buys at a Poisson rate drawn from a gamma
distribution and, after each purchase, drops out with a probability drawn
from a beta distribution; order values are log-normal per account, costs a
per-account share of them. Dates carry a time of day. Deterministic for a seed.

Run as a script to write a file: ``python benchmarks/ledger.py out.csv 1000000``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

START = np.datetime64("2021-01-01T00:00:00", "s")
YEARS = 3
#: calibration end and observation end of the ledger (two years, then one of holdout)
CALIBRATION_END, OBSERVATION_END = "2022-12-31", "2023-12-31"


def simulate(accounts: int, seed: int = 0) -> pa.Table:
    """The purchases as an Arrow table (customer_id, date, amount, cost), sorted by nothing in particular."""
    rng = np.random.default_rng(seed)
    horizon = YEARS * 365.0
    birth = rng.uniform(0, 365, accounts)
    rate = rng.gamma(0.9, 1 / 105.0, accounts)         # purchases per day, mean 0.0086
    drop = rng.beta(0.6, 4.0, accounts)                # dropout probability after a purchase
    # a generous number of candidate gaps per account, then cut at death and the horizon
    n_max = 40
    gaps = rng.exponential(1.0, (accounts, n_max)) / rate[:, None]
    gaps[:, 0] = 0.0                                    # the first purchase is the birth
    times = birth[:, None] + np.cumsum(gaps, axis=1)
    alive_after = rng.random((accounts, n_max)) >= drop[:, None]
    alive = np.cumprod(np.concatenate([np.ones((accounts, 1), bool), alive_after[:, :-1]], axis=1), axis=1)
    keep = alive.astype(bool) & (times < horizon)
    owner, _ = np.nonzero(keep)
    when = times[keep]
    value = np.exp(rng.normal(3.5, 0.6, accounts))[owner] * rng.lognormal(0, 0.4, len(owner))
    margin = rng.uniform(0.3, 0.7, accounts)[owner]
    seconds = (when * 86400).astype(np.int64)
    ids = np.char.add("C", np.char.zfill(owner.astype(str), 7))
    return pa.table({
        "customer_id": pa.array(ids),
        "date": pa.array(START + seconds.astype("timedelta64[s]")),
        "amount": pa.array(np.round(value, 2)),
        "cost": pa.array(np.round(value * (1 - margin), 2)),
    })


def write_ledger(path: str | Path, accounts: int, seed: int = 0) -> int:
    """Write the ledger of ``accounts`` buyers as CSV at ``path``; return its number of lines (rows)."""
    table = simulate(accounts, seed)
    with open(path, "wb") as handle:  # an unquoted header, as most exports write it
        handle.write((",".join(table.column_names) + "\n").encode())
        pacsv.write_csv(table, handle, pacsv.WriteOptions(include_header=False, quoting_style="none"))
    return table.num_rows


if __name__ == "__main__":
    out, n = sys.argv[1], int(sys.argv[2])
    print(f"{write_ledger(out, n):,} lines written to {out}")
