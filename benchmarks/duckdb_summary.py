"""The DuckDB path on a transaction file larger than DuckDB's memory limit, and against pandas.

Generates (in a child process, under a temporary directory removed afterwards)
a clean CSV of ``--rows`` purchases by ``--accounts`` accounts over three years,
with a cost column, larger than ``--memory-limit``; summarises it with
:func:`kamlab.outofcore.calibration_holdout_duckdb` under that limit; prints
rows, accounts, wall time and the process's peak resident memory
(``resource.getrusage``; the generation runs in another process and is not in it).

Then, in the same run, on a ``--sample-rows`` file both paths can hold, it
times the DuckDB path from the file against ``pandas.read_csv`` +
:func:`kamlab.rfm.calibration_holdout` (like with like: both start from the
file), checks that the two tables are equal (counts exact, money to 1e-9) and
prints the ratio.

Last, what a comparison needs from a file
(:func:`kamlab.outofcore.summary_dataset_duckdb`: the weekly split, the next
window's summary, the first date, default windows), each path in its own
process so each peak is its own: on the big file (DuckDB only) and on the
sample against today's path (``datasets.resolve`` with the validating loader,
``split_windows`` and the next window), checked equal. ``--files`` runs only
this comparison, on existing clean CSVs (e.g. those ``benchmarks/ledger.py`` writes).

    .venv/bin/python benchmarks/duckdb_summary.py                      # 50 M rows, 5 M accounts, 1GB
    .venv/bin/python benchmarks/duckdb_summary.py --rows 200000 --accounts 20000 --sample-rows 50000
    .venv/bin/python benchmarks/duckdb_summary.py --files ledger_200000.csv ledger_1000000.csv
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from kamlab import datasets, rfm
from kamlab.compare.study import split_windows
from kamlab.outofcore import calibration_holdout_duckdb, duckdb_connection, summary_dataset_duckdb

CAL_END, OBS_END = "2023-12-31", "2024-12-31"
COUNTS = ("frequency_cal", "recency_cal", "T_cal", "frequency_holdout", "duration_holdout")


def generate(path: str, rows: int, accounts: int, memory_limit: str) -> None:
    """Write ``rows`` pseudo-random purchases (deterministic: hashes of the row number) as CSV."""
    seconds = 3 * 365 * 86400
    sql = f"""
    COPY (
        SELECT 'C' || lpad(CAST(hash(i) % {accounts} AS VARCHAR), 8, '0') AS customer_id,
               TIMESTAMP '2022-01-01' + to_seconds(CAST(hash(i + {rows}) % {seconds} AS BIGINT)) AS date,
               round(1 + (hash(i + 2 * {rows}) % 30000) / 100.0, 2) AS amount,
               round((1 + (hash(i + 2 * {rows}) % 30000) / 100.0) * (0.4 + (hash(i + 3 * {rows}) % 50) / 100.0), 2)
                   AS cost
        FROM range({rows}) AS t(i)
    ) TO '{path}' (HEADER, DELIMITER ',')
    """
    with duckdb_connection(memory_limit) as (con, _):
        con.execute(sql)


def _generate_apart(path: Path, rows: int, accounts: int, memory_limit: str) -> float:
    """Generate in a child process, so this process's peak memory is the summary's alone."""
    start = time.perf_counter()
    child = multiprocessing.get_context("spawn").Process(
        target=generate, args=(str(path), rows, accounts, memory_limit))
    child.start()
    child.join()
    if child.exitcode != 0:
        raise SystemExit(f"generating {path.name} failed (exit code {child.exitcode})")
    return time.perf_counter() - start


def _peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2  # KiB on Linux


def _pandas_path(path: Path) -> pd.DataFrame:
    tx = pd.read_csv(path, dtype={"customer_id": str, "amount": float, "cost": float})
    tx["date"] = pd.to_datetime(tx["date"], format="%Y-%m-%d %H:%M:%S")
    return rfm.calibration_holdout(tx, CAL_END, OBS_END, freq="W")


def _check_equal(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    pd.testing.assert_index_equal(got.index, expected.index, exact=True)
    assert list(got.columns) == list(expected.columns) and list(got.dtypes) == list(expected.dtypes)
    for column in expected.columns:
        a, b = got[column].to_numpy(), expected[column].to_numpy()
        if column in COUNTS:
            np.testing.assert_array_equal(a, b, err_msg=column)
        else:
            np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9, err_msg=column)


def _timed(function, *args, **kwargs):
    start = time.perf_counter()
    out = function(*args, **kwargs)
    return out, time.perf_counter() - start


def _own_peak_gb() -> float:
    """This process's own peak resident memory (VmHWM: unlike ru_maxrss, not inherited across fork and exec)."""
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024 ** 2
    except (OSError, StopIteration):
        return _peak_gb()


def _child(queue, function, args, kwargs) -> None:
    out, wall = _timed(function, *args, **kwargs)
    queue.put((out, wall, _own_peak_gb()))


def _apart(function, *args, **kwargs):
    """``function(*args, **kwargs)`` in a fresh process: (result, wall s, that process's peak GB)."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=_child, args=(queue, function, args, kwargs))
    child.start()
    out = queue.get()
    child.join()
    return out


def comparison_inputs_duckdb(path: str, cost_col: str | None, memory_limit: str, keep: bool = True):
    """What a comparison needs from the file, through DuckDB (kamlab.outofcore.summary_dataset_duckdb).

    Without ``keep`` only the number of accounts goes back to the parent (no copy of the frames).
    """
    ds = summary_dataset_duckdb(path, cost_col=cost_col, memory_limit=memory_limit)
    kept = (ds.calhold, ds.next_summary, ds.first_date) if keep else (None, None, None)
    return (*kept, len(ds.calhold))


def comparison_inputs_pandas(path: str, cost_col: str | None):
    """The same through today's path: datasets.resolve (the validating loader), split_windows, the next window."""
    ds = datasets.resolve(path, cost_col=cost_col)
    windows = split_windows(ds)
    tx = ds.transactions
    later = tx[(tx["date"] > windows.next_start) & (tx["date"] < rfm.day_after(windows.observation_end))]
    return windows.calhold, rfm.summarise_rfm(later, windows.observation_end, freq="W"), windows.first_date


def _comparison_rows(path: Path, cost_col: str | None, memory_limit: str, pandas_too: bool) -> None:
    """Time both paths on one file, each in its own process, check they agree, print a row each."""
    duck, duck_s, duck_gb = _apart(comparison_inputs_duckdb, str(path), cost_col, memory_limit, pandas_too)
    size = path.stat().st_size / 1e9
    print(f"  {'DuckDB summary_dataset_duckdb':<44}{duck[3]:>11,}{size:>8.2f}{duck_s:>9.1f}{duck_gb:>9.2f}")
    if pandas_too:
        pan, pan_s, pan_gb = _apart(comparison_inputs_pandas, str(path), cost_col)
        _check_equal(duck[0], pan[0])
        _check_equal(duck[1], pan[1])
        assert duck[2] == pan[2]
        print(f"  {'pandas resolve + split_windows + next window':<44}{len(pan[0]):>11,}{size:>8.2f}"
              f"{pan_s:>9.1f}{pan_gb:>9.2f}")
        print(f"  ratio pandas / DuckDB: time {pan_s / duck_s:4.2f}x, peak memory {pan_gb / duck_gb:4.2f}x; "
              "split and next window equal (counts exact, money 1e-9)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000_000)
    parser.add_argument("--accounts", type=int, default=5_000_000)
    parser.add_argument("--memory-limit", default="1GB", help="DuckDB's memory_limit")
    parser.add_argument("--sample-rows", type=int, default=1_000_000)
    parser.add_argument("--files", nargs="*", type=Path, default=[],
                        help="existing clean CSVs (customer_id,date,amount,cost) to compare the DuckDB "
                             "comparison inputs with the pandas path on, e.g. those of benchmarks/ledger.py")
    parser.add_argument("--duckdb-only", action="store_true", help="with --files: leave the pandas path out")
    args = parser.parse_args()
    if args.files:
        print(f"{'comparison inputs (own processes)':<46}{'accounts':>11}{'GB':>8}{'wall s':>9}{'peak GB':>9}")
        for path in args.files:
            print(f"{path.name}, DuckDB memory_limit {args.memory_limit}")
            _comparison_rows(path, "cost", args.memory_limit, pandas_too=not args.duckdb_only)
        return
    directory = Path(tempfile.mkdtemp(prefix="kamlab-duckdb-bench-"))
    try:
        big, sample = directory / "big.csv", directory / "sample.csv"
        made = _generate_apart(big, args.rows, args.accounts, args.memory_limit)
        _generate_apart(sample, args.sample_rows, max(args.sample_rows // 10, 1), args.memory_limit)
        size_gb = big.stat().st_size / 1e9
        summary, wall = _timed(calibration_holdout_duckdb, big, CAL_END, OBS_END, freq="W",
                               cost_col="cost", memory_limit=args.memory_limit)
        peak = _peak_gb()
        print(f"{'file':<34}{'rows':>13}{'accounts':>12}{'size GB':>9}{'wall s':>9}{'peak GB':>9}")
        print(f"{'CSV, DuckDB memory_limit ' + args.memory_limit:<34}{args.rows:>13,}{len(summary):>12,}"
              f"{size_gb:>9.2f}{wall:>9.1f}{peak:>9.2f}")
        print(f"(generating it took {made:.0f} s in a child process)")
        del summary
        print(f"\n{'comparison inputs (own processes)':<46}{'accounts':>11}{'GB':>8}{'wall s':>9}{'peak GB':>9}")
        print(f"{big.name}, {args.rows:,} rows, DuckDB memory_limit {args.memory_limit}")
        _comparison_rows(big, "cost", args.memory_limit, pandas_too=False)
        print(f"{sample.name}, {args.sample_rows:,} rows")
        _comparison_rows(sample, "cost", args.memory_limit, pandas_too=True)

        duck, duck_s = _timed(calibration_holdout_duckdb, sample, CAL_END, OBS_END, freq="W",
                              cost_col="cost", memory_limit=args.memory_limit)
        pandas_summary, pandas_s = _timed(_pandas_path, sample)
        _check_equal(duck, pandas_summary)
        print(f"\nsample of {args.sample_rows:,} rows, {len(duck):,} accounts, from the CSV file, weekly periods:")
        print(f"  DuckDB calibration_holdout_duckdb  {duck_s:7.2f} s")
        print(f"  pandas.read_csv + rfm.calibration_holdout  {pandas_s:7.2f} s")
        print(f"  ratio pandas / DuckDB  {pandas_s / duck_s:5.2f}x; tables equal (counts exact, money 1e-9)")
    finally:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
