"""kamlab.outofcore.spark: the Spark query gives the pandas path's and the DuckDB path's summaries.

Opt-in: skipped unless PySpark and a Java runtime are installed
(``make test-spark`` installs both and runs this file in local mode).
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

pytest.importorskip("pyspark")
if shutil.which("java") is None:
    pytest.skip("no Java runtime (make test-spark installs one)", allow_module_level=True)

from pyspark.sql import SparkSession  # noqa: E402
from test_outofcore_comparison import NAMES, assert_same, ledger  # noqa: E402

from kamlab import datasets, rfm  # noqa: E402
from kamlab.compare.study import split_windows  # noqa: E402
from kamlab.data import MissingColumnsError  # noqa: E402
from kamlab.outofcore import summary_dataset_duckdb  # noqa: E402
from kamlab.outofcore.spark import summary_dataset_spark  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")


@pytest.fixture(scope="module")
def spark():
    session = (SparkSession.builder.master("local[1]").appName("kamlab-tests")
               .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
               .config("spark.sql.session.timeZone", "America/New_York")  # wall-clock dates must not move
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    directory = tmp_path_factory.mktemp("spark")
    frame = ledger()
    csv, parquet = directory / "orders.csv", directory / "orders.parquet"
    frame.to_csv(csv, index=False, date_format="%Y-%m-%d %H:%M:%S")
    frame.to_parquet(parquet, index=False)
    ds = datasets.resolve(csv, **NAMES)
    windows = split_windows(ds)
    tx = ds.transactions
    later = tx[(tx["date"] > windows.next_start) & (tx["date"] < rfm.day_after(windows.observation_end))]
    return {"csv": csv, "parquet": parquet, "windows": windows, "tx": tx, "ds": ds,
            "next": rfm.summarise_rfm(later, windows.observation_end, freq="W"),
            "duckdb": summary_dataset_duckdb(csv, **NAMES)}


def _assert_like_the_pandas_path(got, files):
    w = files["windows"]
    assert got.transactions is None
    assert (got.calibration_end, got.observation_end, got.first_date) == (
        w.calibration_end, w.observation_end, w.first_date)
    assert_same(got.calhold, w.calhold)
    assert_same(got.next_summary, files["next"])


def test_a_csv_path_gives_the_pandas_and_the_duckdb_summaries(spark, files):
    got = summary_dataset_spark(str(files["csv"]), spark=spark, **NAMES)
    _assert_like_the_pandas_path(got, files)
    duck = files["duckdb"]
    assert_same(got.calhold, duck.calhold)
    assert_same(got.next_summary, duck.next_summary)
    assert got.report.notes[1:] == duck.report.notes[1:] and "Spark" in got.report.notes[0]
    assert (got.report.rows_read, got.report.n_customers) == (files["ds"].report.rows_read,
                                                               files["ds"].report.n_customers)


def test_a_table_in_the_catalog(spark, files):
    spark.read.parquet(str(files["parquet"])).createOrReplaceTempView("orders")
    got = summary_dataset_spark("orders", spark=spark, **NAMES)
    _assert_like_the_pandas_path(got, files)
    assert got.source.startswith("Spark table orders")


def test_a_dataframe_with_given_windows_and_no_cost(spark, files):
    names = {k: v for k, v in NAMES.items() if k != "cost_col"}
    frame = spark.read.csv(str(files["csv"]), header=True)
    got = summary_dataset_spark(frame, **names, calibration_end="2023-09-30", observation_end="2024-06-30")
    tx = files["tx"].drop(columns="cost")
    assert_same(got.calhold, rfm.calibration_holdout(tx, "2023-09-30", "2024-06-30", freq="W"))
    start = tx["date"].min() + pd.Timedelta(days=274)
    later = tx[(tx["date"] > start) & (tx["date"] < rfm.day_after("2024-06-30"))]
    assert_same(got.next_summary, rfm.summarise_rfm(later, "2024-06-30", freq="W"))


def test_a_missing_column_is_named(spark, files):
    with pytest.raises(MissingColumnsError) as error:
        summary_dataset_spark(str(files["parquet"]), spark=spark, **{**NAMES, "amount_col": "amount"})
    assert error.value.missing == ("amount",)
