"""A per-account summary handed to kamlab instead of transactions: summary files, and bundles that keep it."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from kamlab import datasets, rfm
from kamlab.data import DataContractError, MissingColumnsError
from kamlab.data.bundle import SUMMARY_COLUMNS, is_summary_file, read_summary_file, write_summary_file

CAL_END, OBS_END = pd.Timestamp("2023-06-30"), pd.Timestamp("2023-12-31")


@pytest.fixture(scope="module")
def tx() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    n = 1500
    return pd.DataFrame({
        "customer_id": rng.choice([f"A{i:03d}" for i in range(120)], n),
        "date": pd.Timestamp("2022-01-03 09:00") + pd.to_timedelta(rng.integers(0, 720 * 86400, n), unit="s"),
        "amount": rng.gamma(2.0, 30.0, n).round(2),
        "cost": rng.gamma(2.0, 12.0, n).round(2),
    })


@pytest.fixture(scope="module")
def calhold(tx) -> pd.DataFrame:
    return rfm.calibration_holdout(tx, CAL_END, OBS_END, freq="W")


def _windows(tx) -> dict:
    return {"calibration_end": CAL_END, "observation_end": OBS_END, "first_date": tx["date"].min()}


def test_a_parquet_summary_with_its_windows_resolves_to_the_same_split(tmp_path, tx, calhold):
    path = write_summary_file(tmp_path / "accounts_summary.parquet", calhold, **_windows(tx))
    assert is_summary_file(path)
    ds = datasets.resolve(path)
    assert ds.transactions is None and ds.own_data and ds.next_summary is None
    pd.testing.assert_frame_equal(ds.calhold, calhold)
    assert (ds.calibration_end, ds.observation_end, ds.first_date) == (CAL_END, OBS_END, tx["date"].min())
    assert ds.report.rows_kept == len(calhold) and "computed elsewhere" in ds.report.notes[0]


def test_a_csv_summary_takes_its_windows_as_arguments(tmp_path, tx, calhold):
    path = tmp_path / "summary.csv"
    calhold.rename_axis("account").reset_index().to_csv(path, index=False, sep=";")
    ds = datasets.resolve(path, customer_col="account", **_windows(tx))
    pd.testing.assert_frame_equal(ds.calhold, calhold)
    assert ds.name == "summary" and ds.calibration_end == CAL_END


def test_windows_given_override_the_stored_ones_and_are_checked_against_the_holdout_length(tmp_path, tx, calhold):
    path = write_summary_file(tmp_path / "s.parquet", calhold, **_windows(tx))
    with pytest.raises(DataContractError) as error:
        datasets.resolve(path, observation_end="2024-03-31")
    assert "is 26 but the holdout from 2023-06-30 to 2024-03-31 is 39 weeks" in str(error.value)


def test_a_csv_summary_without_windows_says_how_to_give_them(tmp_path, calhold):
    path = tmp_path / "summary.csv"
    calhold.reset_index().to_csv(path, index=False)
    with pytest.raises(DataContractError) as error:
        datasets.resolve(path)
    message = str(error.value)
    assert "no calibration_end, observation_end, first_date" in message and "write_summary_file" in message


def test_missing_columns_are_named_with_the_fix(tmp_path, tx, calhold):
    path = tmp_path / "summary.csv"
    calhold.drop(columns=["T_cal", "revenue_holdout"]).reset_index().to_csv(path, index=False)
    with pytest.raises(MissingColumnsError) as error:
        read_summary_file(path, **_windows(tx))
    assert error.value.missing == ("T_cal", "revenue_holdout")
    assert "summary file summary.csv" in str(error.value) and "calibration_holdout" in str(error.value)


def test_one_profit_column_without_the_other_is_refused(tmp_path, tx, calhold):
    path = tmp_path / "summary.csv"
    calhold.drop(columns="profit_holdout").reset_index().to_csv(path, index=False)
    with pytest.raises(MissingColumnsError, match="profit_holdout"):
        read_summary_file(path, **_windows(tx))


def test_every_other_problem_is_listed_at_once(tmp_path, tx, calhold):
    frame = calhold.reset_index()
    frame["frequency_cal"] = frame["frequency_cal"].astype(object)
    frame.loc[3, "frequency_cal"] = "many"
    frame.loc[5, "customer_id"] = frame.loc[4, "customer_id"]
    path = tmp_path / "summary.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(DataContractError) as error:
        read_summary_file(path, **_windows(tx))
    assert len(error.value.problems) == 2
    assert "column 'frequency_cal': 1 values are not finite numbers" in error.value.problems[0]
    assert "1 account ids appear more than once" in error.value.problems[1]


def test_transaction_files_are_not_taken_for_summaries(tmp_path, tx):
    path = tmp_path / "orders.csv"
    tx.to_csv(path, index=False)
    assert not is_summary_file(path) and not is_summary_file(tmp_path)
    assert datasets.resolve(path, cost_col="cost").transactions is not None


def test_accounts_are_reconciled_with_the_summary(tmp_path, tx, calhold):
    path = write_summary_file(tmp_path / "s.parquet", calhold, **_windows(tx))
    accounts = pd.DataFrame({"customer_id": calhold.index[:50], "staff_hours": np.arange(50.0)})
    ds = datasets.resolve(path, accounts=accounts)
    assert len(ds.accounts) == 50 and ds.accounts_report is not None
    assert ds.report.notes[-1].startswith("accounts from")


def test_a_bundle_keeps_calhold_next_summary_and_first_date(tmp_path, tx, calhold):
    later = rfm.summarise_rfm(tx[tx["date"] > tx["date"].min() + pd.Timedelta(days=184)], OBS_END, freq="W")
    ds = datasets.Dataset(name="big", calhold=calhold, next_summary=later, first_date=tx["date"].min(),
                          calibration_end=CAL_END, observation_end=OBS_END, source="test", own_data=True)
    back = datasets.resolve(datasets.write_bundle(ds, tmp_path / "big.bundle"))
    pd.testing.assert_frame_equal(back.calhold, calhold)
    pd.testing.assert_frame_equal(back.next_summary, later)
    assert back.first_date == ds.first_date and back.transactions is None and back.own_data


def test_a_bundle_written_before_first_date_existed_reads_it_as_none(tmp_path, tx):
    folder = datasets.write_bundle(datasets.Dataset(name="old", transactions=tx), tmp_path / "old.bundle")
    meta = json.loads((folder / "dataset.json").read_text())
    meta.pop("first_date")
    (folder / "dataset.json").write_text(json.dumps(meta))
    back = datasets.read_bundle(folder)
    assert back.first_date is None and back.calhold is None
    pd.testing.assert_frame_equal(back.transactions, tx)


def test_the_summary_columns_are_calibration_holdouts(calhold):
    assert [c for c in calhold.columns if not c.startswith("profit")] == list(SUMMARY_COLUMNS)


def test_the_command_renders_the_capstone_from_a_summary_file(tmp_path, tx, calhold):
    """No default loading policy is applied to a summary (it has no transactions to net returns in)."""
    from kamlab import cli

    path = write_summary_file(tmp_path / "summary.parquet", calhold, **_windows(tx))
    out = tmp_path / "out"
    code = cli.main(["report", "07_compare_definitions", "--data", str(path), "--out", str(out), "--no-progress",
                     "-p", "n_bootstrap=20"])
    assert code == 0
    exported = out / "07_compare_definitions-summary-n_bootstrap20_exports"
    assert (exported / "comparison.csv").is_file() and list(exported.glob("key_accounts_*.csv"))
    assert not (exported / "accounts.csv").exists()  # needs the transactions


def test_loading_policies_on_a_summary_file_are_refused_by_flag(tmp_path, tx, calhold, capsys):
    from kamlab import cli

    path = write_summary_file(tmp_path / "summary.parquet", calhold, **_windows(tx))
    code = cli.main(["report", "07_compare_definitions", "--data", str(path), "--returns", "drop",
                     "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and "--returns" in err and "per-account summary" in err and "drop them" in err
