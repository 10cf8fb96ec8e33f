"""The exports' fast paths against the plain pandas computations they replace, value for value and byte for byte.

The references below are the straightforward pandas versions (grouping by the
string ids, calendar periods, ``np.lexsort`` on the ids, ``to_csv``): the
fast paths must give the same numbers on the same data, sorted or not.
"""

import numpy as np
import pandas as pd
import pytest

from kamlab import compare, datasets, exports, rfm, segments, survival
from kamlab.datasets import Dataset
from kamlab.exports import csvfile
from kamlab.exports.ledger import Ledger
from kamlab.segmentation import segment_accounts


@pytest.fixture(scope="module")
def b2b():
    return datasets.load("b2b")


def _shuffled(tx, seed=11):
    return tx.sample(frac=1, random_state=seed)


def _win_back_reference(tx, end, inactivity, value_days=365):
    seen = tx.loc[tx["date"] < rfm.day_after(end)]
    last_seen = seen.groupby("customer_id", sort=True)["date"].max()
    rows = seen.loc[seen["customer_id"].isin(last_seen.index[last_seen <= end - pd.Timedelta(days=inactivity)])]
    value = rows["amount"] - rows["cost"] if "cost" in rows else rows["amount"]
    who = rows["customer_id"]
    recent = rows["date"] > rows.groupby(who)["date"].transform("max") - pd.Timedelta(days=value_days)
    by = rows.groupby(who, sort=True)
    table = pd.DataFrame({"first_purchase": by["date"].min(), "last_purchase": by["date"].max(),
                          "orders": rows["date"].dt.normalize().groupby(who).nunique().astype("int64"),
                          "revenue": by["amount"].sum().astype(float)})
    if "cost" in rows:
        table["profit"] = value.groupby(who).sum().astype(float)
    table["value_lost"] = value.where(recent, 0.0).groupby(who).sum().astype(float)
    table.insert(2, "days_silent", ((end - table["last_purchase"]) / pd.Timedelta(days=1)).astype("int64"))
    table.index.name = "customer_id"
    ids = table.index.astype(str).to_numpy(dtype=str)
    return table.iloc[np.lexsort((ids, -table["revenue"].to_numpy(), -table["value_lost"].to_numpy()))]


@pytest.mark.parametrize("name", ["b2b", "cdnow_sample"])
def test_the_win_back_list_is_the_groupby_on_the_ids(name):
    ds = datasets.load(name)
    for tx in (ds.transactions, _shuffled(ds.transactions), ds.transactions[["customer_id", "date", "amount"]]):
        ledger = Ledger.of(tx)
        for end, inactivity in ((ds.observation_end, 180), (ds.calibration_end, 90)):
            expected = _win_back_reference(tx, end, inactivity)
            assert len(expected) > 0
            for codes in (None, (ledger.codes, ledger.accounts)):
                got = survival.win_back_list(tx, end, inactivity=inactivity, codes=codes)
                pd.testing.assert_frame_equal(got, expected, check_exact=True)


def _revenue_cv_reference(tx, freq, end):
    tx = tx[tx["date"] < rfm.day_after(end)]
    period = tx["date"].dt.to_period(freq)
    per = tx.groupby(["customer_id", period], sort=False)["amount"].sum()
    totals, sq = per.groupby(level=0).sum(), (per**2).groupby(level=0).sum()
    first = per.index.get_level_values(1).to_series().groupby(per.index.get_level_values(0).to_numpy()).min()
    m = np.array([(end.to_period(freq) - p).n + 1 for p in first.loc[totals.index]], dtype=float)
    mean = totals.to_numpy() / m
    var = np.maximum(sq.loc[totals.index].to_numpy() / m - mean**2, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = np.where(mean > 0, np.sqrt(var) / mean, np.inf)
    out = pd.DataFrame({"periods": m.astype(int), "mean_revenue": mean, "cv": cv}, index=totals.index)
    out.index.name = "customer_id"
    return out.sort_index()


@pytest.mark.parametrize("freq", ["W", "M", "Q"])
def test_revenue_cv_is_the_calendar_period_groupby(b2b, freq):
    for tx in (b2b.transactions, _shuffled(b2b.transactions)):
        expected = _revenue_cv_reference(tx, freq, b2b.calibration_end)
        ledger = Ledger.of(tx)
        for codes in (None, (ledger.codes, ledger.accounts)):
            got = segments.revenue_cv(tx, freq=freq, end=b2b.calibration_end, codes=codes)
            pd.testing.assert_frame_equal(got, expected, check_exact=True)


def test_revenue_cv_with_object_ids_some_missing_is_the_groupby(b2b):
    tx = _shuffled(b2b.transactions).astype({"customer_id": object})
    tx.loc[tx.index[::40], "customer_id"] = None
    for freq in ("W", "Q"):
        expected = _revenue_cv_reference(tx, freq, b2b.observation_end)
        pd.testing.assert_frame_equal(segments.revenue_cv(tx, freq=freq, end=b2b.observation_end), expected,
                                      check_exact=True)


def test_the_win_back_list_of_object_ids_is_the_groupby(b2b):
    tx = _shuffled(b2b.transactions).astype({"customer_id": object})
    pd.testing.assert_frame_equal(survival.win_back_list(tx, b2b.observation_end, inactivity=180),
                                  _win_back_reference(tx, b2b.observation_end, 180), check_exact=True)


def test_a_segmentation_from_the_ledger_is_the_segmentation(b2b):
    tx = _shuffled(b2b.transactions)
    ledger = Ledger.of(tx)
    end = b2b.calibration_end
    plain = segment_accounts(tx, b2b.accounts, end=end)
    fast = segment_accounts(tx, b2b.accounts, end=end, summary=ledger.day_summary(end),
                            codes=(ledger.codes, ledger.accounts))
    for part in ("table", "by_abc", "by_xyz", "matrix", "type_counts", "tier_summary"):
        pd.testing.assert_frame_equal(getattr(fast, part), getattr(plain, part), check_exact=True)
    for part in ("abc", "xyz", "tiers"):
        pd.testing.assert_series_equal(getattr(fast, part), getattr(plain, part), check_exact=True)


@pytest.mark.parametrize("values", [np.random.default_rng(0).random(5_000),
                                    np.round(np.random.default_rng(1).gamma(1, 30, 5_000), 0),
                                    np.array([0.0, -0.0, 2.0, 0.0, 2.0]), np.array([])])
def test_descending_positions_is_a_stable_sort(values):
    np.testing.assert_array_equal(segments.descending_positions(values), np.argsort(-values, kind="stable"))


def test_abc_classes_break_ties_by_id_whatever_the_order_of_the_ids():
    values = pd.Series([5.0, 3.0, 5.0, 1.0, 3.0], index=pd.Index(["e", "d", "c", "b", "a"], name="customer_id"))
    ordered = values.sort_index()
    pd.testing.assert_series_equal(segments.abc_classes(values, cuts=(0.5, 0.9)).sort_index(),
                                   segments.abc_classes(ordered, cuts=(0.5, 0.9)))


@pytest.fixture(scope="module")
def exported(b2b, tmp_path_factory):
    tx = _shuffled(b2b.transactions)
    ds = Dataset(name="b2b_shuffled", transactions=tx, accounts=b2b.accounts, calibration_end=b2b.calibration_end,
                 observation_end=b2b.observation_end, pilot_days=b2b.pilot_days)
    comparison = compare.run_comparison(ds, n_bootstrap=20, sensitivity_draws=0, turnover=False)
    directory = tmp_path_factory.mktemp("exported")
    return ds, comparison, exports.write_exports(comparison, ds, directory), directory


def _rounded(frame):
    money = [c for c in frame.columns if c in exports.columns._MONEY or c in ("score_biggest", "score_abc_a")]
    return frame.assign(**{c: frame[c].astype(float).round(2) for c in money})


def test_every_file_is_what_pandas_writes_for_its_table(exported, tmp_path):
    ds, comparison, _, directory = exported
    accounts = exports.account_table(comparison, ds)
    lost = survival.win_back_list(ds.transactions, ds.observation_end, inactivity=180)
    tables = {"accounts.csv": accounts,
              "win_back.csv": lost.reset_index().reindex(columns=list(exports.WIN_BACK_COLUMNS)),
              "at_risk.csv": exports.at_risk_list(ds, ds.observation_end,
                                                  horizon_weeks=comparison.windows.holdout_weeks)[0],
              "comparison.csv": exports.comparison_table(comparison)}
    tables.update({f"key_accounts_{name}.csv": exports.key_account_list(accounts, name)
                   for name in comparison.selections})
    for name, table in tables.items():
        expected = csvfile.pandas_csv(_rounded(table), tmp_path / name).read_bytes()
        assert (directory / name).read_bytes() == expected, name


def test_ranks_follow_the_ranking_whether_the_ids_are_in_order_or_not(exported):
    ds, comparison, _, _ = exported
    table = exports.account_table(comparison, ds).set_index("customer_id")
    for name in comparison.selections:
        scores = table[f"score_{name}"]
        by_position = exports.tables._ranks(scores, by_position=True)[0]
        shuffled = scores.sample(frac=1, random_state=3)
        pd.testing.assert_series_equal(exports.tables._ranks(shuffled, by_position=False)[0].reindex(scores.index),
                                       by_position, check_names=False)
        ranked = by_position.dropna().sort_values().index
        assert list(ranked) == list(exports.tables.ranking(scores.dropna())), name
        assert list(ranked[:comparison.k]) == list(comparison.selections[name]) or name == "abc_a", name


def test_pandas_writer_fallback_writes_the_same_files(exported, tmp_path, monkeypatch):
    """A column the fast writer does not format sends the file to pandas' writer: the same bytes."""
    ds, comparison, paths, directory = exported
    monkeypatch.setattr(csvfile, "column_text", lambda series: None)
    again = exports.write_exports(comparison, ds, tmp_path)
    assert [p.name for p in again] == [p.name for p in paths]
    for path in again:
        assert path.read_bytes() == (directory / path.name).read_bytes(), path.name


def test_files_written_in_blocks_of_a_few_rows_are_the_same_files(exported, tmp_path, monkeypatch):
    """Tables are formatted and written a block of rows at a time: block boundaries change no byte."""
    ds, comparison, paths, directory = exported
    monkeypatch.setattr(csvfile, "CHUNK_ROWS", 7)
    again = exports.write_exports(comparison, ds, tmp_path)
    for path in again:
        assert path.read_bytes() == (directory / path.name).read_bytes(), path.name


def test_a_block_that_falls_back_to_pandas_rewrites_the_whole_file(tmp_path, monkeypatch):
    """An object column of strings in one block and other objects in the next: pandas writes the whole file."""
    from kamlab.exports import files

    frame = pd.DataFrame({"customer_id": ["a", "b,c", "d", "e"], "note": ["x", "y", 3, None]})
    monkeypatch.setattr(csvfile, "CHUNK_ROWS", 2)
    files._write_csv(frame, tmp_path / "blocks.csv")
    assert (tmp_path / "blocks.csv").read_bytes() == csvfile.pandas_csv(frame, tmp_path / "pandas.csv").read_bytes()


def test_key_flags_are_membership_whatever_the_selection(exported):
    ds, comparison, _, _ = exported
    table = exports.account_table(comparison, ds).set_index("customer_id")
    index = table.index
    rank, order = exports.tables._ranks(table["score_biggest"], by_position=True)
    for selection in (index[order[:25]], index[order[:25]][::-1], index[order[3:30]], list(index[:5]) + ["nobody"], []):
        np.testing.assert_array_equal(exports.tables._key_flags(index, order, selection), index.isin(selection))
