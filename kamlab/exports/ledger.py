"""The transactions with integer account codes: per-account facts of a window without string ids.

The exports need, for a million accounts, the same per-account facts several
times over (the day summary at the calibration end and at the observation end,
the win-back list, the revenue per quarter of the XYZ classes, who bought
when). Hashing and sorting a million string ids for each of them cost most of
the time; :class:`Ledger` factorises the ids once (:func:`account_codes`:
``pd.factorize(ids, sort=True)``, in one pass when the ids are already sorted,
as loaded transactions are) and answers in positions.

:meth:`Ledger.day_summary` is :func:`kamlab.rfm.summarise_rfm` with
``freq="D", monetary=False``, equal to it value for value (the same integer
day arithmetic and the same ``np.bincount`` sums over the rows in their
order; tests/test_exports_ledger.py checks it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kamlab.rfm import day_after


def _arrow_strings(values) -> pa.Array | pa.ChunkedArray | None:
    """``values`` (a Series, Index or array of str) as Arrow strings; None for other kinds or with missing ids."""
    dtype = values.dtype
    if isinstance(dtype, pd.StringDtype):
        array = pa.array(pd.array(values))
    elif dtype == object and pd.api.types.infer_dtype(values, skipna=False) == "string":
        array = pa.array(np.asarray(values, dtype=object), type=pa.string())
    else:
        return None
    array = array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array
    return None if array.null_count else array


def account_codes(ids: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """The code of each row's account (0..n-1 in ascending id order) and the ids, named ``customer_id``.

    Equal to ``pd.factorize(ids, sort=True)``; when the ids are sorted (the
    rows of one account together, accounts in id order) the codes are the
    running count of id changes, with no hashing.
    """
    array = _arrow_strings(ids)
    if array is not None and len(array) > 1 and not pc.any(pc.less(array[1:], array[:-1])).as_py():
        change = np.empty(len(array), dtype=bool)
        change[0] = True
        change[1:] = pc.not_equal(array[1:], array[:-1]).to_numpy(zero_copy_only=False)
        codes = np.cumsum(change, dtype=np.int64) - 1
        return codes, pd.Index(ids.array.take(np.flatnonzero(change)), dtype=ids.dtype, name="customer_id")
    codes, uniques = pd.factorize(ids, sort=True)
    return codes.astype(np.int64, copy=False), pd.Index(uniques, name="customer_id")


def _account_days(codes: np.ndarray, days: np.ndarray) -> np.ndarray:
    """The distinct (account, day) pairs of the rows as sorted int64 keys ``code * 2**20 + day - day0``."""
    if len(codes) == 0:
        return np.empty(0, dtype=np.int64)
    keys = codes * np.int64(1 << 20) + (days - days.min())
    if (keys[1:] < keys[:-1]).any():
        keys = np.sort(keys)
    distinct = np.empty(len(keys), dtype=bool)
    distinct[0] = True
    np.not_equal(keys[1:], keys[:-1], out=distinct[1:])
    return keys[distinct]


@dataclass(frozen=True)
class Ledger:
    """Transactions as arrays: each row's account code, day number and money; the accounts in id order.

    Attributes
    ----------
    codes : np.ndarray
        int64 code of each row's account, into ``accounts``.
    accounts : pd.Index
        Every account of the transactions, ascending, named ``customer_id``.
    days : np.ndarray
        int64 day number of each row (days since 1970-01-01 of its date).
    account_days : np.ndarray
        The distinct (account, day) pairs, sorted: ``code * 2**20 + day - day0``.
    day0 : int
        The first day number (of the earliest row).
    amount, cost : np.ndarray
        Each row's amount and cost (currency units); cost None without a cost column.
    """

    codes: np.ndarray
    accounts: pd.Index
    days: np.ndarray
    amount: np.ndarray
    cost: np.ndarray | None
    account_days: np.ndarray
    day0: int

    @classmethod
    def of(cls, transactions: pd.DataFrame) -> "Ledger":
        """The ledger of a transactions frame of the kamlab contract."""
        codes, accounts = account_codes(transactions["customer_id"])
        days = pd.DatetimeIndex(transactions["date"]).values.astype("datetime64[D]").astype(np.int64)
        cost = transactions["cost"].to_numpy(dtype=float) if "cost" in transactions.columns else None
        if len(days) and days.max() - days.min() >= 1 << 20:
            raise ValueError("transactions span more than 2**20 days (2,870 years): check the dates")
        return cls(codes=codes, accounts=accounts, days=days, amount=transactions["amount"].to_numpy(dtype=float),
                   cost=cost, account_days=_account_days(codes, days), day0=int(days.min()) if len(days) else 0)

    def window(self, end) -> np.ndarray:
        """Rows dated on or before the day of ``end`` (``date < day_after(end)``), as a boolean mask."""
        return self.days < (day_after(end) - pd.Timestamp("1970-01-01")).days

    def present(self, end) -> np.ndarray:
        """Positions (into ``accounts``) of the accounts with a purchase on or before the day of ``end``."""
        return np.flatnonzero(np.bincount(self.codes[self.window(end)], minlength=len(self.accounts)))

    def _end_day(self, end) -> int:
        return (pd.Timestamp(end).normalize() - pd.Timestamp("1970-01-01")).days

    def day_facts(self, end) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Accounts with a purchase on or before the day of ``end`` and, for each, its first and last
        purchase day and its number of distinct purchase days: (positions into ``accounts``, first, last, days)."""
        keys = self.account_days
        keys = keys[(keys & ((1 << 20) - 1)) <= self._end_day(end) - self.day0]
        if not len(keys):
            empty = np.empty(0, dtype=np.int64)
            return empty, empty, empty, empty
        codes = keys >> 20
        start = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
        stop = np.r_[start[1:], len(keys)] - 1
        days = (keys & ((1 << 20) - 1)) + self.day0
        return codes[start], days[start], days[stop], stop - start + 1

    def day_summary(self, end) -> pd.DataFrame:
        """:func:`kamlab.rfm.summarise_rfm` ``(transactions, end, freq="D", monetary=False)``, from the codes."""
        present, first, last, distinct = self.day_facts(end)
        if not len(present):
            raise ValueError(f"no transactions on or before observation_end {pd.Timestamp(end).date()}")
        out = pd.DataFrame({"frequency": (distinct - 1).astype(float), "recency": (last - first) / 1,
                            "T": (self._end_day(end) - first) / 1}, index=self.accounts[present])
        keep, n = self.window(end), len(self.accounts)
        revenue = np.bincount(self.codes[keep], weights=self.amount[keep], minlength=n)
        out["revenue"] = revenue[present]
        if self.cost is not None:
            out["profit"] = (revenue - np.bincount(self.codes[keep], weights=self.cost[keep], minlength=n))[present]
        return out

    def positions(self, index: pd.Index) -> np.ndarray:
        """Position of each id of ``index`` in ``accounts`` (-1 for an id with no transactions)."""
        if index.equals(self.accounts):
            return np.arange(len(index))
        return self.accounts.get_indexer(index)


def isin(index: pd.Index, values) -> np.ndarray:
    """``index.isin(values)`` as a boolean array, hashed in Arrow when both hold strings.

    pandas' ``isin`` on Arrow-backed strings walks the values in Python: at a
    million ids that is most of a second each time.
    """
    left, right = _arrow_strings(index), _arrow_strings(pd.Index(values))
    if left is None or right is None:
        return np.asarray(index.isin(values), dtype=bool)
    return pc.is_in(left, value_set=right).to_numpy(zero_copy_only=False)
