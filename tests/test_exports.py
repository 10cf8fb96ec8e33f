"""kamlab.exports: the study's per-account table and lists as CSV files with stable columns."""

import re
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from kamlab import clv, compare, datasets, exports, rfm, survival
from kamlab.datasets import Dataset


def _study(dataset):
    return compare.run_comparison(dataset, n_bootstrap=20, sensitivity_draws=0, turnover=False)


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    """The B2B world with a purchase at 23:30 on the calibration end day (it belongs to calibration)."""
    ds = datasets.load("b2b")
    late = pd.DataFrame({"customer_id": ["A0002"], "date": [ds.calibration_end + pd.Timedelta(hours=23.5)],
                         "amount": [123.45], "cost": [100.00]})
    tx = pd.concat([ds.transactions, late], ignore_index=True).sort_values(["customer_id", "date"],
                                                                           ignore_index=True)
    ds = Dataset(name="b2b_late", transactions=tx, accounts=ds.accounts, calibration_end=ds.calibration_end,
                 observation_end=ds.observation_end, pilot_days=ds.pilot_days)
    comparison = _study(ds)
    directory = tmp_path_factory.mktemp("full")
    return ds, comparison, exports.write_exports(comparison, ds, directory), directory


@pytest.fixture(scope="module")
def bare(tmp_path_factory):
    """Transactions only, no cost and no accounts file: an analyst's thinnest export."""
    ds = datasets.load("b2b")
    tx = ds.transactions[["customer_id", "date", "amount"]]
    ds = Dataset(name="own", transactions=tx, calibration_end=ds.calibration_end,
                 observation_end=ds.observation_end, own_data=True)
    comparison = _study(ds)
    directory = tmp_path_factory.mktemp("bare")
    return ds, comparison, exports.write_exports(comparison, ds, directory), directory


def _read(directory, name):
    return pd.read_csv(directory / name, dtype={"customer_id": str}, keep_default_na=True, encoding="utf-8-sig")


def test_the_exported_revenue_adds_up_to_the_kept_revenue_of_the_calibration_window_exactly(full):
    ds, _, _, directory = full
    text = pd.read_csv(directory / "accounts.csv", dtype=str, encoding="utf-8-sig")
    tx = ds.transactions
    window = tx["date"] < rfm.day_after(ds.calibration_end)
    expected = sum(Decimal(f"{a:.2f}") for a in tx.loc[window, "amount"])
    assert sum(Decimal(v) for v in text["revenue"]) == expected
    assert sum(Decimal(v) for v in text["profit"]) == sum(
        Decimal(f"{a:.2f}") - Decimal(f"{c:.2f}") for a, c in zip(tx.loc[window, "amount"], tx.loc[window, "cost"]))
    assert text.set_index("customer_id").loc["A0002", "last_purchase"] == f"{ds.calibration_end:%Y-%m-%d}"


def test_every_file_is_written_with_its_stable_columns(full, bare):
    for _, comparison, paths, directory in (full, bare):
        names = [p.name for p in paths]
        assert names[-1] == "README.txt"
        assert {"accounts.csv", "win_back.csv", "at_risk.csv", "comparison.csv"} <= set(names)
        assert tuple(_read(directory, "accounts.csv").columns) == exports.ACCOUNT_COLUMNS
        assert tuple(_read(directory, "win_back.csv").columns) == exports.WIN_BACK_COLUMNS
        assert tuple(_read(directory, "at_risk.csv").columns) == exports.AT_RISK_COLUMNS
        assert tuple(_read(directory, "comparison.csv").columns) == exports.COMPARISON_COLUMNS
        for name in comparison.selections:
            assert tuple(_read(directory, f"key_accounts_{name}.csv").columns) == exports.KEY_COLUMNS
        readme = (directory / "README.txt").read_text()
        at_risk = readme[readme.index("at_risk.csv\n"):readme.index("comparison.csv\n")]
        assert f"still a customer on {comparison.windows.observation_end:%Y-%m-%d}" in at_risk
        assert f"sum of the amounts in the data up to {comparison.windows.observation_end:%Y-%m-%d}" in at_risk
        accounts_part = readme[readme.index("accounts.csv\n"):]
        assert f"still a customer on {comparison.windows.calibration_end:%Y-%m-%d}" in accounts_part
        for name in names[:-1]:
            assert name in readme
        for column in exports.ACCOUNT_COLUMNS + exports.COMPARISON_COLUMNS + exports.AT_RISK_COLUMNS:
            assert re.search(rf"^    {column}: \S", readme, re.MULTILINE), column


def test_what_the_data_cannot_give_is_blank_never_zero(bare):
    _, comparison, paths, directory = bare
    table = _read(directory, "accounts.csv")
    for column in ("profit", "profit_holdout", "breadwinner", "prospect", "tier", "staff_hours",
                   "score_staff_focus", "rank_staff_focus", "key_staff_focus", "key_oracle"):
        assert table[column].isna().all(), column
    assert table["revenue"].notna().all() and table["key_biggest"].isin([0, 1]).all()
    assert "key_accounts_staff_focus.csv" not in [p.name for p in paths]
    rows = _read(directory, "comparison.csv").set_index("definition")
    assert rows.loc["staff_focus", "computable"] == 0
    assert "not computable on this dataset: needs staff_hours" in rows.loc["staff_focus", "reason"]
    assert np.isnan(rows.loc["staff_focus", "revenue_captured"])
    assert "staff_focus: not computable on this dataset" in (directory / "README.txt").read_text()


def test_the_readme_counts_the_accounts_that_accounts_csv_leaves_out(full):
    ds, comparison, _, directory = full
    tx = ds.transactions
    first = tx.groupby("customer_id")["date"].min()
    later = int((first >= rfm.day_after(ds.calibration_end)).sum())
    assert later > 0 and later == len(first) - len(comparison.accounts)
    assert f"Note: {later:,} account(s) first bought after the calibration end" in (directory / "README.txt").read_text()


def test_the_account_table_carries_the_comparison_per_account(full):
    _, comparison, _, directory = full
    table = _read(directory, "accounts.csv").set_index("customer_id")
    study = comparison.accounts
    assert list(table.index) == sorted(study.index)
    np.testing.assert_allclose(table["revenue_holdout"], study["revenue_holdout"].reindex(table.index), atol=0.005)
    for name, selected in comparison.selections.items():
        assert set(table.index[table[f"key_{name}"] == 1]) == set(selected), name
    scores = comparison.scores["biggest"].scores
    assert table["rank_biggest"].idxmin() == scores.idxmax()
    fp = comparison.scores["future_profit"]  # the study's own value model, not a second fit
    np.testing.assert_allclose(table["clv"], fp.clv_revenue.reindex(table.index), atol=0.005)
    alive = clv.probability_alive(fp.value_model.purchases, comparison.windows.summary)
    np.testing.assert_allclose(table["p_alive"], alive.reindex(table.index), rtol=1e-12)
    assert table.loc[study.index, "tier"].notna().all() and table["abc"].isin(list("ABC")).all()
    assert set(table["kam_pilot"].dropna()) == {0, 1} and table["kam_pilot"].isna().any()


def test_a_key_list_is_the_selection_in_key_order(full):
    _, comparison, _, directory = full
    for name in ("biggest", "future_profit", "staff_focus"):
        key = _read(directory, f"key_accounts_{name}.csv")
        assert list(key["customer_id"]) == list(comparison.selections[name])
        assert list(key["rank"]) == list(range(1, len(key) + 1))


def test_the_win_back_list_is_survivals_in_its_order(full):
    ds, _, _, directory = full
    lost = survival.win_back_list(ds.transactions, ds.observation_end, inactivity=180)
    exported = _read(directory, "win_back.csv")
    assert list(exported["customer_id"]) == list(lost.index) and len(exported) > 0
    np.testing.assert_allclose(exported["value_lost"], lost["value_lost"], atol=0.005)


def test_at_risk_accounts_are_still_buying_and_below_the_threshold(full):
    ds, _, _, directory = full
    end = pd.Timestamp(ds.observation_end)
    weekly = rfm.summarise_rfm(ds.transactions, end, freq="W")
    alive = clv.probability_alive(clv.fit_value_model(weekly).purchases, weekly)
    lost = survival.win_back_list(ds.transactions, end, inactivity=180).index
    expected = set(alive.index[(alive < 0.5) & ~alive.index.isin(lost)])
    exported = _read(directory, "at_risk.csv")
    assert set(exported["customer_id"]) == expected and len(expected) > 0
    assert (exported["days_silent"] < 180).all()
    assert exported["revenue"].is_monotonic_decreasing


def test_bad_arguments_are_refused(full, tmp_path):
    ds, comparison, _, _ = full
    with pytest.raises(ValueError, match="at_risk_threshold"):
        exports.write_exports(comparison, ds, tmp_path, at_risk_threshold=1.5)
    bare_result = compare.compare_definitions(comparison.scores, comparison.accounts[["revenue_holdout"]]
                                              .rename(columns={"revenue_holdout": "revenue"}), share=0.1,
                                              n_bootstrap=0)
    with pytest.raises(ValueError, match="result of kamlab.compare.run_comparison"):
        exports.write_exports(bare_result, ds, tmp_path)


def test_an_analysts_crm_export_feeds_the_definitions_that_need_it(tmp_path):
    """The B2B world's accounts as a CRM would export them (its own names, ';', decimal commas,
    thousands separators, dd.mm.yyyy, yes/no pilot) load back to the same table, and with it
    every definition that needs an accounts column is computed and exported."""
    from kamlab.data.accounts_file import load_accounts

    ds = datasets.load("b2b")
    acc = ds.accounts

    def money(x):
        return f"{x:,.2f}".translate(str.maketrans(",.", ".,"))

    crm = pd.DataFrame({
        "Customer No.": acc.index, "Sector": acc["industry"], "Customer since": acc["acquired"].dt.strftime("%d.%m.%Y"),
        "Service Tickets": acc["service_tickets"], "Staff hours (h)": acc["staff_hours"].map(money),
        "Cost to serve (EUR)": acc["cost_to_serve"].map(money), "Strategic Fit": acc["strategic_fit"],
        "Influence": acc["influence"], "Referrals": acc["referrals"],
        "KAM pilot": acc["kam_pilot"].map({1: "yes", 0: "no"}).fillna(""), "Growth Potential": acc["growth_potential"],
    })
    path = tmp_path / "crm_export.csv"
    crm.to_csv(path, sep=";", index=False)
    accounts, report = load_accounts(path, transaction_ids=ds.transactions["customer_id"])
    customers = set(ds.transactions["customer_id"])
    assert report.reconciliation.customers_without_account == len(customers - set(acc.index))
    assert report.reconciliation.n_matched == len(customers & set(acc.index))
    expected = acc.astype({c: float for c in acc.columns if c not in ("industry", "acquired")})
    pd.testing.assert_frame_equal(accounts.astype({"industry": object}), expected[accounts.columns]
                                  .astype({"industry": object}), check_exact=False, rtol=1e-9)
    own = Dataset(name="crm", transactions=ds.transactions, accounts=accounts, calibration_end=ds.calibration_end,
                  observation_end=ds.observation_end, pilot_days=ds.pilot_days, own_data=True)
    comparison = _study(own)
    computed = set(comparison.table["definition"])
    assert {"staff_focus", "extra_effort", "demanding", "strategic"} <= computed
    names = [p.name for p in exports.write_exports(comparison, own, tmp_path / "out")]
    assert {"key_accounts_staff_focus.csv", "key_accounts_strategic.csv"} <= set(names)


def test_an_account_without_a_score_gets_no_rank_and_the_ranks_stay_consecutive(full):
    import dataclasses

    ds, comparison, _, _ = full
    scored = comparison.scores["staff_focus"]
    scores = scored.scores.copy()
    scores.iloc[0] = np.nan
    changed = dataclasses.replace(comparison, scores={**comparison.scores,
                                                      "staff_focus": dataclasses.replace(scored, scores=scores)})
    table = exports.account_table(changed, ds).set_index("customer_id")
    assert pd.isna(table.loc[scores.index[0], "rank_staff_focus"])
    assert pd.isna(table.loc[scores.index[0], "score_staff_focus"])
    assert sorted(table["rank_staff_focus"].dropna().astype(int)) == list(range(1, len(scores)))


def _no_dropout_dataset(n=400, seed=1):
    """Poisson purchases at gamma-distributed rates, nobody ever drops out (the NBD world)."""
    rng = np.random.default_rng(seed)
    start, rows = pd.Timestamp("2022-01-01"), []
    for i in range(n):
        rate, t = rng.gamma(2.0, 1 / 40), float(rng.integers(0, 60))
        while t < 730:
            rows.append((f"C{i:03d}", start + pd.Timedelta(days=int(t)), round(float(rng.gamma(5, 20)), 2)))
            t += rng.exponential(1 / rate)
    tx = pd.DataFrame(rows, columns=["customer_id", "date", "amount"])
    return Dataset(name="no_dropout", transactions=tx, calibration_end=pd.Timestamp("2023-06-30"),
                   observation_end=pd.Timestamp("2023-12-31"), own_data=True)


def test_without_detectable_dropout_nobody_is_at_risk_and_the_note_says_why():
    ds = _no_dropout_dataset(n=200)
    table, note = exports.at_risk_list(ds, ds.observation_end)
    assert len(table) == 0 and tuple(table.columns) == exports.AT_RISK_COLUMNS
    assert note.startswith("Purchases: NBD: no detectable dropout")
