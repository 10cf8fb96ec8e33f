"""Cached inputs of the checks: the chapters' datasets, loaded once per process.

A check recomputes its expected value from these; caching keeps a second check
of the same chapter instant. Nothing returned here may be modified in place.
"""

from __future__ import annotations

import functools

import pandas as pd

import kamlab.datasets
from kamlab.rfm import day_after

cached = functools.lru_cache(maxsize=None)


@cached
def dataset(name: str) -> kamlab.datasets.Dataset:
    """A registered dataset (``kamlab.datasets.load``), loaded once."""
    return kamlab.datasets.load(name)


@cached
def revenue_per_customer(name: str, until: str | None = None) -> pd.Series:
    """Revenue per customer of a registered dataset, optionally up to a day (inclusive), currency units."""
    tx = dataset(name).transactions
    if until is not None:
        tx = tx[tx["date"] < day_after(until)]
    return tx.groupby("customer_id")["amount"].sum()
