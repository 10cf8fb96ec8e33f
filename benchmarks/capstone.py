"""The capstone end to end through the command line, at 50 k, 200 k and 1 M accounts.

For each size it writes an analyst export with :mod:`ledger` (BG/NBD buyers,
about five purchases per account, dates with a time of day, a cost column)
into a temporary directory, then runs, as an analyst would::

    kamlab report 07_compare_definitions --data <file> --cost-col cost --out <dir>

and measures the wall time and the peak memory of the whole process tree
(the command and the notebook kernel it starts), sampled with psutil every
20 ms: the sum of the resident memory of every process alive at that
moment. Prints one row per size, then how time and memory grow per account
(the ratio of each size to the smallest, against the ratio of accounts).

    .venv/bin/python benchmarks/capstone.py                       # 50k, 200k, 1M
    .venv/bin/python benchmarks/capstone.py --accounts 50000 200000 --repeat 3
    .venv/bin/python benchmarks/capstone.py --engine duckdb       # extra CLI flags after --
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ledger import write_ledger  # noqa: E402

KAMLAB = Path(sys.executable).with_name("kamlab")


def tree_rss(process: psutil.Process) -> int:
    """Resident bytes of ``process`` and every descendant alive now."""
    total = 0
    try:
        members = [process] + process.children(recursive=True)
    except psutil.NoSuchProcess:
        return 0
    for member in members:
        try:
            total += member.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


def run_measured(command: list[str], interval: float = 0.02) -> tuple[float, int, int]:
    """(wall seconds, peak tree RSS in bytes, exit code) of ``command``."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    watched = psutil.Process(child.pid)
    peak = 0
    while child.poll() is None:
        peak = max(peak, tree_rss(watched))
        time.sleep(interval)
    wall = time.perf_counter() - start
    if child.returncode != 0:
        print(child.stdout.read().decode(errors="replace")[-3000:])
    return wall, peak, child.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, nargs="+", default=[50_000, 200_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=1, help="runs per size; the best is shown")
    parser.add_argument("extra", nargs="*", help="further flags for kamlab report (after --)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kamlab-capstone-"))
    rows = []
    try:
        for accounts in args.accounts:
            path = work / f"ledger_{accounts}.csv"
            lines = write_ledger(path, accounts)
            runs = []
            for r in range(args.repeat):
                out = work / f"out_{accounts}_{r}"
                command = [str(KAMLAB), "report", "07_compare_definitions", "--data", str(path),
                           "--cost-col", "cost", "--out", str(out), "--no-progress", *args.extra]
                runs.append(run_measured(command))
                shutil.rmtree(out, ignore_errors=True)
            wall, peak, code = min(runs)
            rows.append((accounts, lines, wall, peak / 1e9, code))
            print(f"{accounts:>10,} accounts {lines:>11,} lines  {wall:7.1f} s  {peak / 1e9:5.2f} GB peak"
                  f"  exit {code}", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    base = rows[0]
    print("\ngrowth against the smallest size (accounts ratio -> time ratio, memory ratio):")
    for accounts, lines, wall, peak, _ in rows[1:]:
        print(f"  x{accounts / base[0]:5.1f} accounts -> x{wall / base[2]:5.2f} time, x{peak / base[3]:5.2f} memory")


if __name__ == "__main__":
    main()
