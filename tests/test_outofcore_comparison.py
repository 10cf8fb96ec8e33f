"""kamlab.outofcore.summary_dataset_duckdb: what a comparison needs, equal to the pandas path on the same file.

The oracle is the path a comparison takes today: ``kamlab.datasets.resolve``
(the validating loader and the default windows), ``kamlab.compare.split_windows``
and the next window of ``rescore_next_window``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("duckdb")

from kamlab import datasets, rfm  # noqa: E402
from kamlab.compare.study import split_windows  # noqa: E402
from kamlab.data import MissingColumnsError  # noqa: E402
from kamlab.outofcore import revenue_cv_duckdb, summary_dataset_duckdb  # noqa: E402
from kamlab.segments import revenue_cv  # noqa: E402

NAMES = {"customer_col": "account", "date_col": "order_time", "amount_col": "net", "cost_col": "cogs"}
COUNTS = ("periods", "frequency", "recency", "T", "frequency_cal", "recency_cal", "T_cal", "frequency_holdout",
          "duration_holdout")
FIRST = pd.Timestamp("2023-01-02 08:30:00")


def ledger(seed: int = 5) -> pd.DataFrame:
    """Purchases over two years in the file's own names, with the awkward cases of the windows.

    Several purchases in one day and week; one-purchase accounts; stray rows
    in 1990 and 1991 (before the bulk: they stay in the calibration window,
    and the first of them is the first date) and in 2099 (after the
    observation end); purchases at the instant the next window starts (the
    first date + 365 days: excluded) and one second after it (included).
    """
    rng = np.random.default_rng(seed)
    n, ids = 5000, [f"{i:04d}" for i in range(350)] + ["é-1", "Z9", "a9"]
    seconds = rng.integers(0, 730 * 86400, n)
    frame = pd.DataFrame({"account": rng.choice(ids[:300], n),
                          "order_time": FIRST + pd.to_timedelta(seconds, unit="s"),
                          "net": rng.gamma(2.0, 40.0, n).round(2) + 0.01})
    same_day = frame.iloc[:300].assign(order_time=lambda d: d["order_time"].dt.normalize() + pd.Timedelta(hours=23))
    # with default windows (calibration to 2024-01-01, holdout to 2024-12-31) the holdout is 365 days
    first, next_start = pd.Timestamp("1990-05-05 12:00"), pd.Timestamp("1991-05-05 12:00")
    edges = pd.DatetimeIndex([first, next_start, next_start + pd.Timedelta(seconds=1), "2099-01-01 00:00",
                              "2024-01-01 23:59:59", "2024-01-02 00:00:00"])
    boundary = pd.DataFrame({"account": np.repeat(ids[300:303], len(edges)),
                             "order_time": np.tile(edges, 3), "net": 10.5})
    singles = pd.DataFrame({"account": ids[303:], "order_time": FIRST + pd.to_timedelta(
        rng.integers(1, 700, len(ids) - 303), unit="D"), "net": 7.25})
    out = pd.concat([frame, same_day, boundary, singles], ignore_index=True)
    out["net"] = out["net"] + np.arange(len(out)) * 1e-4  # no row repeats another exactly
    out["cogs"] = (out["net"] * rng.uniform(0.3, 0.9, len(out))).round(4)
    return out.sample(frac=1.0, random_state=seed).reset_index(drop=True)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    directory = tmp_path_factory.mktemp("comparison")
    frame = ledger()
    csv, parquet = directory / "orders.csv", directory / "orders.parquet"
    frame.to_csv(csv, index=False, date_format="%Y-%m-%d %H:%M:%S")
    frame.to_parquet(parquet, index=False)
    return {"csv": csv, "parquet": parquet, "rows": len(frame)}


@pytest.fixture(scope="module")
def pandas_path(files):
    """The comparison's own path: the validated load, its windows, the split and the next window."""
    ds = datasets.resolve(files["csv"], **NAMES)
    assert ds.report.rows_kept == files["rows"]
    windows = split_windows(ds)
    tx = ds.transactions
    later = tx[(tx["date"] > windows.next_start) & (tx["date"] < rfm.day_after(windows.observation_end))]
    return {"ds": ds, "windows": windows, "next": rfm.summarise_rfm(later, windows.observation_end, freq="W")}


def assert_same(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Same index, columns and dtypes; counts exact, money to 1e-9."""
    pd.testing.assert_index_equal(got.index, expected.index, exact=True)
    assert list(got.columns) == list(expected.columns) and list(got.dtypes) == list(expected.dtypes)
    for column in expected.columns:
        if column in COUNTS:
            np.testing.assert_array_equal(got[column].to_numpy(), expected[column].to_numpy(), err_msg=column)
        else:
            np.testing.assert_allclose(got[column].to_numpy(), expected[column].to_numpy(),
                                       rtol=1e-9, atol=1e-9, err_msg=column)


def test_the_ledger_has_the_awkward_cases(pandas_path):
    w, tx = pandas_path["windows"], pandas_path["ds"].transactions
    assert (tx["date"] == w.next_start).sum() == 3 and (tx["date"] == w.next_start + pd.Timedelta(seconds=1)).any()
    assert w.calibration_end == pd.Timestamp("2024-01-01") and w.observation_end == pd.Timestamp("2024-12-31")
    assert w.first_date == pd.Timestamp("1990-05-05 12:00")
    assert (tx["date"] < pd.Timestamp("2000-01-01")).sum() == 9 and (tx["date"] > pd.Timestamp("2098-01-01")).any()


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_the_summaries_equal_the_pandas_path(files, pandas_path, kind):
    got = summary_dataset_duckdb(files[kind], **NAMES, memory_limit="256MB", threads=1)
    w = pandas_path["windows"]
    assert got.transactions is None and got.own_data
    assert (got.calibration_end, got.observation_end, got.first_date) == (
        w.calibration_end, w.observation_end, w.first_date)
    assert_same(got.calhold, w.calhold)
    assert_same(got.next_summary, pandas_path["next"])
    assert (got.calhold["frequency_holdout"] > 0).any() and "profit_holdout" in got.calhold.columns


def test_the_report_counts_what_the_loader_counts(files, pandas_path):
    got = summary_dataset_duckdb(files["csv"], **NAMES).report
    expected = pandas_path["ds"].report
    assert (got.rows_read, got.rows_kept, got.n_customers) == (expected.rows_read, expected.rows_kept,
                                                               expected.n_customers)
    assert (got.first_date, got.last_date) == (expected.first_date, expected.last_date)
    assert got.revenue_kept == expected.revenue_kept  # rounded to cents by both
    windows_notes = [note for note in expected.notes if "windows" in note or "bulk" in note]
    assert len(windows_notes) == 3 and all(note in got.notes for note in windows_notes)
    assert "taken as clean" in got.notes[0]


def test_given_windows_equal_calibration_holdout(files, pandas_path):
    tx = pandas_path["ds"].transactions
    got = summary_dataset_duckdb(files["parquet"], **NAMES, calibration_end="2023-09-30 13:00",
                                 observation_end="2024-06-30")
    assert_same(got.calhold, rfm.calibration_holdout(tx, "2023-09-30", "2024-06-30", freq="W"))
    start = tx["date"].min() + pd.Timedelta(days=274)
    later = tx[(tx["date"] > start) & (tx["date"] < rfm.day_after("2024-06-30"))]
    assert_same(got.next_summary, rfm.summarise_rfm(later, "2024-06-30", freq="W"))
    assert got.report.notes[1].startswith("windows: calibration to 2023-09-30")


def test_without_cost(files, pandas_path):
    names = {k: v for k, v in NAMES.items() if k != "cost_col"}
    got = summary_dataset_duckdb(files["csv"], **names)
    tx = pandas_path["ds"].transactions.drop(columns="cost")
    w = pandas_path["windows"]
    assert_same(got.calhold, rfm.calibration_holdout(tx, w.calibration_end, w.observation_end, freq="W"))
    assert "profit_cal" not in got.calhold.columns and "profit" not in got.next_summary.columns


def test_an_empty_next_window_gives_no_next_summary(tmp_path):
    frame = pd.DataFrame({"customer_id": ["a", "b", "a", "b"],
                          "date": ["2020-01-01 10:00:00", "2020-03-01 10:00:00", "2020-07-01 09:00:00",
                                   "2020-07-03 09:59:59"], "amount": [1.0, 2.0, 3.0, 4.0]})
    frame.to_csv(tmp_path / "short.csv", index=False)
    got = summary_dataset_duckdb(tmp_path / "short.csv", calibration_end="2020-06-30", observation_end="2020-12-31")
    assert got.next_summary is None and list(got.calhold["frequency_holdout"]) == [1.0, 1.0]


def test_windows_outside_the_data_are_refused_as_split_windows_refuses_them(files):
    with pytest.raises(ValueError, match="must fall inside the data, after the first purchase"):
        summary_dataset_duckdb(files["csv"], **NAMES, calibration_end="1980-01-01", observation_end="2024-12-31")
    with pytest.raises(ValueError, match="before the observation end"):
        summary_dataset_duckdb(files["csv"], **NAMES, calibration_end="2024-06-30", observation_end="2024-01-31")


def test_a_missing_column_is_named(files):
    with pytest.raises(MissingColumnsError) as error:
        summary_dataset_duckdb(files["csv"], **{**NAMES, "date_col": "date"})
    assert error.value.missing == ("date",) and "orders.csv" in str(error.value)


def test_the_dataset_goes_through_a_bundle_unchanged(files, tmp_path):
    got = summary_dataset_duckdb(files["parquet"], **NAMES)
    back = datasets.resolve(datasets.write_bundle(got, tmp_path / "big.bundle"))
    pd.testing.assert_frame_equal(back.calhold, got.calhold)
    pd.testing.assert_frame_equal(back.next_summary, got.next_summary)
    assert (back.first_date, back.calibration_end, back.observation_end, back.report) == (
        got.first_date, got.calibration_end, got.observation_end, got.report)


@pytest.mark.parametrize("freq", ["W", "M", "Q"])
def test_revenue_per_period_gives_revenue_cv(files, pandas_path, freq):
    tx = pandas_path["ds"].transactions
    expected = revenue_cv(tx, freq=freq)
    got = revenue_cv_duckdb(files["csv"], freq=freq, **{k: v for k, v in NAMES.items() if k != "cost_col"})
    assert_same(got, expected)
    window = {"start": "2023-03-15", "end": "2024-08-31"}
    assert_same(revenue_cv_duckdb(files["parquet"], freq=freq, **window, **{k: NAMES[k] for k in NAMES
                                                                            if k != "cost_col"}),
                revenue_cv(tx, freq=freq, start=pd.Timestamp(window["start"]), end=pd.Timestamp(window["end"])))
