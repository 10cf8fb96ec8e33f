"""kamlab.exports.ledger: integer account codes and the day summary, equal to pandas and kamlab.rfm."""

import numpy as np
import pandas as pd
import pytest

from kamlab import datasets, rfm
from kamlab.exports.ledger import Ledger, account_codes, isin


@pytest.fixture(scope="module")
def b2b():
    return datasets.load("b2b")


def _variants(transactions):
    """As loaded (sorted by account), shuffled, and without cost."""
    yield transactions
    yield transactions.sample(frac=1, random_state=7)
    yield transactions[["customer_id", "date", "amount"]].sample(frac=1, random_state=8)


def test_account_codes_are_pandas_sorted_factorisation(b2b):
    for tx in _variants(b2b.transactions):
        codes, accounts = account_codes(tx["customer_id"])
        expected, uniques = pd.factorize(tx["customer_id"], sort=True)
        np.testing.assert_array_equal(codes, expected)
        pd.testing.assert_index_equal(accounts, pd.Index(uniques, name="customer_id"))
    objects = b2b.transactions["customer_id"].astype(object)
    codes, accounts = account_codes(objects)
    expected, uniques = pd.factorize(objects, sort=True)
    np.testing.assert_array_equal(codes, expected)
    pd.testing.assert_index_equal(accounts, pd.Index(uniques, name="customer_id"))


def test_the_day_summary_is_summarise_rfm_value_for_value(b2b):
    for tx in _variants(b2b.transactions):
        ledger = Ledger.of(tx)
        for end in (b2b.calibration_end, b2b.observation_end, b2b.calibration_end + pd.Timedelta(hours=20)):
            expected = rfm.summarise_rfm(tx, end, freq="D", monetary=False)
            pd.testing.assert_frame_equal(ledger.day_summary(end), expected, check_exact=True)


def test_the_day_summary_of_a_window_without_purchases_is_refused(b2b):
    with pytest.raises(ValueError, match="no transactions on or before"):
        Ledger.of(b2b.transactions).day_summary(b2b.transactions["date"].min() - pd.Timedelta(days=1))


def test_present_and_positions_name_the_accounts_of_a_window(b2b):
    tx = b2b.transactions
    ledger = Ledger.of(tx)
    buyers = ledger.accounts[ledger.present(b2b.calibration_end)]
    expected = tx.loc[tx["date"] < rfm.day_after(b2b.calibration_end), "customer_id"].unique()
    assert set(buyers) == set(expected) and buyers.is_monotonic_increasing
    np.testing.assert_array_equal(ledger.positions(buyers[::-1]), ledger.accounts.get_indexer(buyers[::-1]))
    assert ledger.positions(pd.Index(["nobody"]))[0] == -1


def test_isin_is_pandas_isin(b2b):
    ids = pd.Index(b2b.transactions["customer_id"].unique())
    values = list(ids[::3]) + ["nobody"]
    np.testing.assert_array_equal(isin(ids, values), ids.isin(values))
    np.testing.assert_array_equal(isin(ids.astype(object), pd.Index(values)), ids.isin(values))
    numbers = pd.Index([3, 1, 2])
    np.testing.assert_array_equal(isin(numbers, [2]), [False, False, True])
