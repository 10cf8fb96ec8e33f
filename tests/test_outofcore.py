"""kamlab.outofcore: the DuckDB summaries equal kamlab.rfm's on the same file loaded by pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("duckdb")

from kamlab import rfm  # noqa: E402
from kamlab.data import MissingColumnsError  # noqa: E402
from kamlab.outofcore import calibration_holdout_duckdb, summarise_rfm_duckdb  # noqa: E402

CAL_END, OBS_END = "2024-06-30", "2024-12-31"
NAMES = {"customer_col": "account", "date_col": "order_time", "amount_col": "net", "cost_col": "cogs"}
TO_CONTRACT = {"account": "customer_id", "order_time": "date", "net": "amount", "cogs": "cost"}
COUNTS = ("frequency", "recency", "T", "frequency_cal", "recency_cal", "T_cal", "frequency_holdout",
          "duration_holdout")
GRID = [("D", 1), ("W", 1), ("D", 7), ("W", 7)]


def _file_frame(seed: int = 3) -> pd.DataFrame:
    """A few thousand purchases in the file's own column names, with the awkward cases of the windows."""
    rng = np.random.default_rng(seed)
    n, accounts = 4000, [f"{i:04d}" for i in range(400)] + ["é-1", "Z9", "a9"]
    start = pd.Timestamp("2023-01-01")
    seconds = rng.integers(0, 730 * 86400, n)
    frame = pd.DataFrame({
        "account": rng.choice(accounts[:300], n),
        "order_time": start + pd.to_timedelta(seconds, unit="s"),
        "net": rng.gamma(2.0, 40.0, n).round(2) + 0.01,
    })
    # Several purchases on one day (and in one week), boundary instants, one-purchase accounts,
    # and accounts first seen in the holdout or after the observation end.
    same_day = frame.iloc[:200].assign(order_time=lambda d: d["order_time"].dt.normalize() + pd.Timedelta(hours=23))
    edges = pd.to_datetime(["2024-06-30 23:59:59", "2024-07-01 00:00:00", "2024-12-31 23:59:59",
                            "2025-01-01 00:00:00", "2024-06-30 00:00:00", "2024-07-07 12:00:00"])
    boundary = pd.DataFrame({"account": np.repeat(accounts[:3], len(edges)),
                             "order_time": np.tile(edges, 3), "net": 10.5})
    singles = pd.DataFrame({"account": accounts[300:],
                            "order_time": start + pd.to_timedelta(rng.integers(0, 730, 103), unit="D"),
                            "net": rng.gamma(2.0, 40.0, 103).round(2) + 0.01})
    out = pd.concat([frame, same_day, boundary, singles], ignore_index=True)
    out["cogs"] = (out["net"] * rng.uniform(0.3, 0.9, len(out))).round(2)
    return out.sample(frac=1.0, random_state=seed).reset_index(drop=True)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """The same purchases as CSV and parquet, and as pandas loads them into the contract."""
    directory = tmp_path_factory.mktemp("outofcore")
    frame = _file_frame()
    csv, parquet = directory / "orders.csv", directory / "orders.parquet"
    frame.to_csv(csv, index=False, date_format="%Y-%m-%d %H:%M:%S")
    frame.to_parquet(parquet, index=False)
    loaded = pd.read_csv(csv, dtype={"account": str, "net": float, "cogs": float})
    loaded["order_time"] = pd.to_datetime(loaded["order_time"], format="%Y-%m-%d %H:%M:%S")
    return {"csv": csv, "parquet": parquet, "tx": loaded.rename(columns=TO_CONTRACT)}


def _assert_same(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Same index (values, order, dtype, name), columns and dtypes; counts exact, money to 1e-9."""
    pd.testing.assert_index_equal(got.index, expected.index, exact=True)
    assert list(got.columns) == list(expected.columns)
    assert list(got.dtypes) == list(expected.dtypes)
    for column in expected.columns:
        if column in COUNTS:
            np.testing.assert_array_equal(got[column].to_numpy(), expected[column].to_numpy(), err_msg=column)
        else:
            np.testing.assert_allclose(got[column].to_numpy(), expected[column].to_numpy(),
                                       rtol=1e-9, atol=1e-9, err_msg=column)


def test_the_generated_data_has_the_awkward_cases(files):
    tx = files["tx"]
    per_account = tx.groupby("customer_id").size()
    assert (per_account == 1).sum() >= 50
    days = tx.assign(day=tx["date"].dt.normalize())
    assert days.duplicated(["customer_id", "day"]).sum() >= 100
    assert (tx["date"] == pd.Timestamp("2024-06-30 23:59:59")).any()
    assert (tx["date"] >= rfm.day_after(OBS_END)).any()


@pytest.mark.parametrize("kind", ["csv", "parquet"])
@pytest.mark.parametrize("freq,multiplier", GRID)
def test_summarise_rfm_equals_the_pandas_summary(files, kind, freq, multiplier):
    expected = rfm.summarise_rfm(files["tx"], OBS_END, freq=freq, freq_multiplier=multiplier)
    got = summarise_rfm_duckdb(files[kind], OBS_END, **NAMES, freq=freq, freq_multiplier=multiplier)
    assert "profit" in got.columns and len(got) == files["tx"]["customer_id"].nunique()
    _assert_same(got, expected)


@pytest.mark.parametrize("kind", ["csv", "parquet"])
@pytest.mark.parametrize("freq,multiplier", GRID)
def test_calibration_holdout_equals_the_pandas_split(files, kind, freq, multiplier):
    expected = rfm.calibration_holdout(files["tx"], CAL_END, OBS_END, freq=freq, freq_multiplier=multiplier)
    got = calibration_holdout_duckdb(files[kind], CAL_END, OBS_END, **NAMES, freq=freq,
                                     freq_multiplier=multiplier, memory_limit="256MB", threads=1)
    assert (got["frequency_holdout"] > 0).any() and "profit_holdout" in got.columns
    _assert_same(got, expected)


def test_without_cost_and_without_monetary(files):
    names = {k: v for k, v in NAMES.items() if k != "cost_col"}
    tx = files["tx"].drop(columns="cost")
    _assert_same(summarise_rfm_duckdb(files["csv"], CAL_END, **names, monetary=False),
                 rfm.summarise_rfm(tx, CAL_END, monetary=False))
    _assert_same(calibration_holdout_duckdb(files["parquet"], CAL_END, OBS_END, **names, freq="W"),
                 rfm.calibration_holdout(tx, CAL_END, OBS_END, freq="W"))


def test_a_time_of_day_on_the_window_ends_is_ignored(files):
    got = calibration_holdout_duckdb(files["csv"], "2024-06-30 08:00", "2024-12-31 01:00", **NAMES)
    _assert_same(got, rfm.calibration_holdout(files["tx"], CAL_END, OBS_END))


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_a_missing_column_names_the_file_and_the_column(files, kind):
    with pytest.raises(MissingColumnsError) as error:
        summarise_rfm_duckdb(files[kind], OBS_END, **{**NAMES, "amount_col": "amount"})
    message = str(error.value)
    assert files[kind].name in message and "'amount'" in message and "'net'" in message
    assert error.value.missing == ("amount",)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothere.csv"):
        summarise_rfm_duckdb(tmp_path / "nothere.csv", OBS_END)


def test_empty_windows_raise_as_the_pandas_functions_do(files):
    with pytest.raises(ValueError, match="no transactions on or before observation_end 2020-01-01"):
        summarise_rfm_duckdb(files["csv"], "2020-01-01", **NAMES)
    with pytest.raises(ValueError, match="the data start on 2023-01-01"):
        calibration_holdout_duckdb(files["parquet"], "2020-01-01", OBS_END, **NAMES)
    with pytest.raises(ValueError, match="must be after calibration_end"):
        calibration_holdout_duckdb(files["csv"], OBS_END, CAL_END, **NAMES)


def test_an_unsupported_period_is_refused(files):
    with pytest.raises(ValueError, match="freq 'Q'"):
        summarise_rfm_duckdb(files["csv"], OBS_END, **NAMES, freq="Q")


def test_the_scratch_directory_is_removed_afterwards(files, tmp_path):
    got = summarise_rfm_duckdb(files["csv"], OBS_END, **NAMES, temp_directory=tmp_path, memory_limit="256MB")
    assert len(got) > 0 and list(tmp_path.iterdir()) == []
