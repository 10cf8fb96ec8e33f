"""Speed and peak memory of kamlab.exports: its CSV writer against pandas' to_csv, and write_exports by size.

1. The writer. An accounts.csv-like frame of ``--rows`` rows (default
   1,000,000: string ids, money rounded to cents, probabilities, shares near
   1e-6, counts, Int64 ranks and 1/0 flags with blanks, dates, classes, thirty
   blank columns) written, best of ``--repeats``, by

   - the reference, the exports' writer before: money rounded, dates through
     ``dt.strftime``, ``DataFrame.to_csv(encoding="utf-8-sig")``
     (:func:`kamlab.exports.csvfile.pandas_csv`);
   - :func:`kamlab.exports.csvfile.write_csv`;

   each in its own process (its peak memory is its own); the two files must be
   byte for byte equal.

2. write_exports. For each ``--bundle`` (a dataset bundle with the comparison
   the capstone keeps in it, ``kamlab.reports.keep_comparison``), or else for
   each ``--accounts`` size (a ledger from ``benchmarks/ledger.py``, loaded,
   compared and kept first: minutes at 1 M), :func:`kamlab.exports.write_exports`
   in a fresh process: wall and CPU seconds and peak memory (of the first run,
   above the dataset and comparison loaded), then its wall seconds again with the
   at-risk list's value model given (``fit_value_model`` returns the first run's
   model: the fit is another module's), so that the exports' own time shows.

Usage::

    .venv/bin/python benchmarks/exports.py --rows 1000000 --bundle BUNDLE_200K BUNDLE_1M
    .venv/bin/python benchmarks/exports.py --accounts 200000 1000000
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _peak_gb() -> float:
    """This process's peak resident memory (VmHWM, else ``resource.getrusage``)."""
    try:
        status = Path("/proc/self/status").read_text()
        return int(status.split("VmHWM:")[1].split()[0]) / 1024 ** 2
    except (OSError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2


def accounts_like(rows: int, seed: int = 0):
    """A frame with the kinds of column of accounts.csv, ``rows`` accounts."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    first = pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 700, rows), unit="D")
    rank = rng.permutation(rows) + 1
    columns = {"customer_id": pd.array(np.char.add("C", np.char.zfill(np.arange(rows).astype(str), 7)), dtype="str")}
    columns.update({f"money_{i}": np.round(rng.gamma(1.2, 250, rows), 2) for i in range(7)})
    columns.update({"p_alive": rng.random(rows), "expected": rng.gamma(1, 2, rows), "share": rng.gamma(1, 1e-6, rows),
                    "score": rng.gamma(1, 100, rows), "random": rng.random(rows)})
    columns.update({"orders": rng.integers(1, 40, rows), "first_purchase": first,
                    "last_purchase": first + pd.to_timedelta(rng.integers(0, 300, rows), unit="D"),
                    "abc": rng.choice(np.array(["A", "B", "C"], dtype=object), rows)})
    columns.update({f"blank_{i}": np.full(rows, np.nan) for i in range(30)})
    for i in range(5):
        columns[f"rank_{i}"] = pd.array(np.where(rank > rows - 100, None, rank), dtype="Int64")
        columns[f"key_{i}"] = pd.array((rank <= rows // 10).astype(int), dtype="Int64")
    return pd.DataFrame(columns)


def _write(which: str, rows: int, path: str, repeats: int, out) -> None:
    from kamlab.exports import csvfile

    frame = accounts_like(rows)
    writer = csvfile.pandas_csv if which == "reference" else csvfile.write_csv
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        writer(frame, path)
        times.append(time.perf_counter() - start)
    out.send((min(times), _peak_gb()))


def _export(bundle: str, out) -> None:
    """write_exports twice: as it runs, then with the at-risk list's value model given (the model of the first run)."""
    from kamlab import clv, datasets, exports
    from kamlab.reports.handoff import kept_comparison

    ds, comparison = datasets.resolve(bundle), kept_comparison(bundle)
    if comparison is None:
        raise SystemExit(f"{bundle} keeps no comparison (kamlab.reports.keep_comparison writes one)")
    fit, models = clv.fit_value_model, []
    clv.fit_value_model = lambda summary: models[0] if models else models.append(fit(summary)) or models[0]
    before, runs = _peak_gb(), []
    for _ in range(2):
        directory = tempfile.mkdtemp(prefix="kamlab-exports-bench-")
        start, cpu = time.perf_counter(), time.process_time()
        files = exports.write_exports(comparison, ds, directory)
        runs.append((time.perf_counter() - start, time.process_time() - cpu))
        size = sum(Path(f).stat().st_size for f in files)
        shutil.rmtree(directory, ignore_errors=True)
        peak = peak if runs[1:] else _peak_gb()
    out.send((len(comparison.accounts), len(ds.transactions), *runs[0], runs[1][0], before, peak, size))


def in_child(target, *args):
    """``target(*args, pipe)`` in a fresh (spawned) process; what it sends back."""
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=target, args=(*args, send))
    child.start()
    send.close()  # the child holds the only sending end: its death ends recv()
    try:
        result = receive.recv()
    except EOFError:
        result = None
    child.join()
    if child.exitcode != 0:
        raise SystemExit(f"{target.__name__}{args} failed (exit code {child.exitcode})")
    return result


def _prepare(accounts: int, directory: Path) -> str:
    """A bundle with a kept comparison for a ledger of ``accounts`` buyers (slow: load, compare)."""
    from ledger import write_ledger

    from kamlab import compare, datasets
    from kamlab.reports.handoff import keep_comparison

    path = directory / f"ledger_{accounts}.csv"
    write_ledger(path, accounts)
    bundle = directory / f"b{accounts}.bundle"
    datasets.write_bundle(datasets.resolve(str(path), cost_col="cost"), bundle)
    keep_comparison(compare.run_comparison(datasets.resolve(str(bundle))), str(bundle))
    return str(bundle)


def writer_table(rows: int, repeats: int, directory: Path) -> None:
    results = {which: in_child(_write, which, rows, str(directory / f"{which}.csv"), repeats)
               for which in ("reference", "kamlab")}
    same = (directory / "reference.csv").read_bytes() == (directory / "kamlab.csv").read_bytes()
    size = (directory / "kamlab.csv").stat().st_size / 1e6
    print(f"writer: {rows:,} rows x {accounts_like(1).shape[1]} columns, {size:,.0f} MB, "
          f"best of {repeats}, same bytes: {same}")
    print(f"{'writer':<44}{'seconds':>9}{'ratio':>8}{'peak GB':>9}")
    reference = results["reference"][0]
    for which, label in (("reference", "pandas to_csv (round, strftime, utf-8-sig)"),
                         ("kamlab", "kamlab.exports.csvfile.write_csv")):
        seconds, peak = results[which]
        print(f"{label:<44}{seconds:>9.2f}{reference / seconds:>7.1f}x{peak:>9.2f}")
    if not same:
        raise SystemExit("the files differ")


def exports_table(bundles: list[str]) -> None:
    print(f"\n{'write_exports':<14}{'accounts':>10}{'rows':>11}{'wall s':>8}{'cpu s':>7}{'no fit s':>9}"
          f"{'peak GB':>9}{'(+ GB)':>8}{'MB out':>8}")
    first = None
    for bundle in bundles:
        accounts, rows, wall, cpu, given, before, peak, size = in_child(_export, bundle)
        print(f"{Path(bundle).name:<14}{accounts:>10,}{rows:>11,}{wall:>8.2f}{cpu:>7.2f}{given:>9.2f}"
              f"{peak:>9.2f}{peak - before:>8.2f}{size / 1e6:>8.0f}")
        first = first or (accounts, wall, given)
        if first[0] != accounts:
            print(f"{'':<14}{accounts / first[0]:>9.1f}x accounts: {wall / first[1]:.1f}x the time, "
                  f"{given / first[2]:.1f}x without the fit")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the writer benchmark (0: skip it)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--bundle", nargs="*", default=[], help="bundles with a kept comparison")
    parser.add_argument("--accounts", type=int, nargs="*", default=[], help="sizes to prepare when no --bundle")
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="kamlab-exports-bench-"))
    try:
        if args.rows:
            writer_table(args.rows, args.repeats, directory)
        bundles = args.bundle or [in_child(_bundle_child, n, str(directory)) for n in args.accounts]
        if bundles:
            exports_table(bundles)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _bundle_child(accounts: int, directory: str, out) -> None:
    out.send(_prepare(accounts, Path(directory)))


if __name__ == "__main__":
    main()
