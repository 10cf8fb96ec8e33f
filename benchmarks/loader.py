"""Speed and peak memory of kamlab.data.load_transactions against pandas and pyarrow readers, in the same run.

Writes a ledger with ``benchmarks/ledger.py`` (``--accounts``, default 1,000,000
accounts, about 5.4 M rows; customer_id, date with a time of day, amount,
cost) into a temporary directory, then times, best of ``--repeats``:

- ``load_transactions(path, cost_col="cost", export_date=...)``: every check;
- ``pandas.read_csv(path, dtype={customer_id: str, amount: float, cost: float},
  parse_dates=["date"])``: the reference of issue 16 ("within 3x");
- ``pyarrow.csv.read_csv(path)``: a columnar reader with no checks at all;
- with ``--careful``, once: ``load_transactions`` with the fast path off
  (``kamlab.data.arrow.ENABLED = False``), the loader as it was;
- with ``--variants``: ``load_transactions`` on the same ledger as exports
  often come (a blank line at the end, Windows line ends, Windows cp1252 text,
  gzip), against the plain file: each should stay on the fast path.

Each one runs in its own child process (multiprocessing, spawn), so that
peak resident memory (the child's VmHWM, else ``resource.getrusage``, after
its runs) is its own; the child also checks what it read (rows, and for the loader
that nothing was dropped). Prints seconds, the ratios to pandas and pyarrow,
and each one's peak memory. Usage::

    .venv/bin/python benchmarks/loader.py                  # 1,000,000 accounts
    .venv/bin/python benchmarks/loader.py --accounts 50000 --careful
    .venv/bin/python benchmarks/loader.py --accounts 200000 --variants
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

EXPORT_DATE = "2024-01-01"


def _kamlab(path: str) -> int:
    from kamlab.data import load_transactions

    loaded = load_transactions(path, cost_col="cost", export_date=EXPORT_DATE)
    assert loaded.report.rows_kept == loaded.report.rows_read, "the benchmark ledger is clean"
    return len(loaded.transactions)


def _careful(path: str) -> int:
    import kamlab.data.arrow

    kamlab.data.arrow.ENABLED = False  # the careful path alone, as before the columnar reader
    return _kamlab(path)


def _pandas(path: str) -> int:
    import pandas as pd

    frame = pd.read_csv(path, dtype={"customer_id": str, "amount": float, "cost": float}, parse_dates=["date"])
    assert str(frame["date"].dtype).startswith("datetime64")
    return len(frame)


def _pyarrow(path: str) -> int:
    import pyarrow.csv as pacsv

    return pacsv.read_csv(path).num_rows


READERS = {
    "kamlab load_transactions": _kamlab,
    "pandas.read_csv with dtypes": _pandas,
    "pyarrow.csv.read_csv": _pyarrow,
    "kamlab, careful path only": _careful,
}


def _peak_gb() -> float:
    """This process's peak resident memory: VmHWM where /proc has it (its own, whatever it was forked
    from), else ``resource.getrusage`` (KiB on Linux)."""
    try:
        status = Path("/proc/self/status").read_text()
        return int(status.split("VmHWM:")[1].split()[0]) / 1024 ** 2
    except (OSError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2


def _child(reader: str, path: str, repeats: int, out) -> None:
    """Run one reader ``repeats`` times; send (best seconds, rows, peak GB) back."""
    times, rows = [], 0
    for _ in range(repeats):
        start = time.perf_counter()
        rows = READERS[reader](path)
        times.append(time.perf_counter() - start)
    out.send((min(times), rows, _peak_gb()))
    out.close()


def measure(reader: str, path: Path, repeats: int) -> tuple[float, int, float]:
    """Best time, rows and peak memory of ``reader`` on ``path``, in a fresh process."""
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(reader, str(path), repeats, send))
    child.start()
    result = receive.recv()
    child.join()
    if child.exitcode != 0:
        raise SystemExit(f"{reader} failed (exit code {child.exitcode})")
    return result


def _write(path: str, accounts: int) -> None:
    from ledger import write_ledger

    write_ledger(path, accounts)


#: Variants of the ledger as exports come: name -> how its bytes are made from the plain file's.
VARIANTS = {
    "a blank line at the end": lambda data: data + b"\n",
    "Windows line ends": lambda data: data.replace(b"\n", b"\r\n"),
    "Windows cp1252 (one id with an accent)": lambda data: data.replace(b"C0000001,", "Ç000001,".encode("cp1252"), 1),
    "gzip": lambda data: __import__("gzip").compress(data, compresslevel=1, mtime=0),
}


def _write_variant(source: str, target: str, name: str) -> None:
    Path(target).write_bytes(VARIANTS[name](Path(source).read_bytes()))


def variants(path: Path, repeats: int) -> None:
    """load_transactions on each variant of ``path``, against the plain file, each in its own process."""
    plain = measure("kamlab load_transactions", path, repeats)
    print(f"\n{'load_transactions on':<42}{'rows':>12}{'seconds':>9}{'/ plain':>9}{'peak GB':>9}")
    print(f"{'the plain file':<42}{plain[1]:>12,}{plain[0]:>9.2f}{1:>8.2f}x{plain[2]:>9.2f}")
    for i, name in enumerate(VARIANTS):
        target = path.with_name(f"variant{i}.csv" + (".gz" if name == "gzip" else ""))
        writer = multiprocessing.get_context("spawn").Process(target=_write_variant, args=(str(path), str(target), name))
        writer.start()
        writer.join()
        seconds, rows, peak = measure("kamlab load_transactions", target, repeats)
        print(f"{name:<42}{rows:>12,}{seconds:>9.2f}{seconds / plain[0]:>8.2f}x{peak:>9.2f}")
        target.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--careful", action="store_true",
                        help="also time load_transactions with the fast path off (once: it is slow)")
    parser.add_argument("--variants", action="store_true",
                        help="also time load_transactions on the ledger with a blank line at the end, Windows line "
                             "ends, in cp1252 and gzipped")
    args = parser.parse_args()

    directory = Path(tempfile.mkdtemp(prefix="kamlab-loader-bench-"))
    try:
        path = directory / "ledger.csv"
        writer = multiprocessing.get_context("spawn").Process(target=_write, args=(str(path), args.accounts))
        writer.start()
        writer.join()
        if writer.exitcode != 0:
            raise SystemExit("writing the ledger failed")
        print(f"ledger: {args.accounts:,} accounts, {path.stat().st_size / 1e6:,.0f} MB "
              f"(best of {args.repeats}{', the careful path once' if args.careful else ''}; "
              "each reader in its own process)")
        readers = [r for r in READERS if args.careful or READERS[r] is not _careful]
        results = {reader: measure(reader, path, 1 if READERS[reader] is _careful else args.repeats)
                   for reader in readers}
        rows = {r for _, r, _ in results.values()}
        assert len(rows) == 1, f"the readers read different numbers of rows: {results}"
        pandas_s = results["pandas.read_csv with dtypes"][0]
        arrow_s = results["pyarrow.csv.read_csv"][0]
        print(f"{'reader':<30}{'rows':>12}{'seconds':>9}{'/ pandas':>10}{'/ pyarrow':>11}{'peak GB':>9}")
        for reader, (seconds, n, peak) in results.items():
            print(f"{reader:<30}{n:>12,}{seconds:>9.2f}{seconds / pandas_s:>9.2f}x{seconds / arrow_s:>10.2f}x"
                  f"{peak:>9.2f}")
        if args.variants:
            variants(path, args.repeats)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
