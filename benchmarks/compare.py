"""Speed and memory of the comparison step (kamlab.compare.compare_definitions) at 200 k and 1 M accounts.

On the analyst ledgers of ``benchmarks/ledger.py`` (BG/NBD buyers, about
five purchases per account) this script measures, each part in a fresh
Python process so that its peak memory (``resource.getrusage``) is its own:

1. **prepare**: load the ledger (a pickled Dataset next to it is reused),
   run the whole ``run_comparison`` once (time and peak memory, CLV fits
   included), and keep the scores, outcomes and next-window scores;
2. **kamlab**: ``compare_definitions`` on them, 1,000 replicates: the
   percentile bootstrap up to ``BOOTSTRAP_MAX_ACCOUNTS`` (200,000) accounts,
   the delta method above, scores handled as arrays over one index;
3. **reference**: the same step as kamlab computed it before (in this file:
   key sets by a string ``np.lexsort`` on the reindexed scores, membership by
   ``Index.isin``, one gain-curve ranking per outcome, overlap by ``isin``,
   the bootstrap with one ``bincount`` over a whole chunk), checked to give
   the same shares, key sets, gain curves and overlaps (and, below the
   threshold, the same intervals);
4. **intervals**: on the kamlab key sets, the delta method against the
   1,000-replicate bootstrap: time, and how far apart the interval ends
   are in bootstrap standard errors.

Run: ``python benchmarks/compare.py [LEDGER.csv ...]`` (default
``ledger_200000.csv`` and ``ledger_1000000.csv`` in ``<temp>/kamlab-bench/``,
written with ``benchmarks/ledger.py`` if missing: the accounts are the digits
of the file name). Prints one line per part and the ratios.
"""

from __future__ import annotations

import json
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
#: The ledgers measured by default, in the system's temporary directory (written when missing).
DEFAULT = [str(Path(tempfile.gettempdir()) / "kamlab-bench" / f"ledger_{n}.csv") for n in (200_000, 1_000_000)]
N_BOOTSTRAP, SEED, SHARE = 1000, 0, 0.10


def peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6


def inputs_path(ledger: str) -> Path:
    return Path(ledger).with_suffix(".compare-inputs.pkl")


def load_dataset(ledger: str):
    from kamlab import datasets

    cached = Path(ledger).with_suffix(".dataset.pkl")
    if cached.exists():
        return pickle.loads(cached.read_bytes())
    if not Path(ledger).exists():
        sys.path.insert(0, str(HERE))
        from ledger import write_ledger

        write_ledger(ledger, int("".join(c for c in Path(ledger).stem if c.isdigit())))
    ds = datasets.resolve(ledger, cost_col="cost")
    cached.write_bytes(pickle.dumps(ds, protocol=5))
    return ds


def plain(scores: dict) -> dict:
    """The scores without their fitted models (which do not pickle): name, scores and size is all the step uses."""
    from kamlab.definitions import DefinitionScore

    return {name: DefinitionScore(s.name, s.scores, s.needs, s.note, s.size) if isinstance(s, DefinitionScore)
            else s for name, s in scores.items()}


def prepare(ledger: str) -> dict:
    """run_comparison once, end to end; keeps the inputs it hands to compare_definitions."""
    from kamlab import compare
    from kamlab.compare import study

    ds = load_dataset(ledger)
    handed = {}

    def recording(scores, outcomes, **options):
        handed.update(scores=scores, outcomes=outcomes, next_scores=options.get("next_scores") or {})
        return step(scores, outcomes, **options)

    step, study.compare_definitions = study.compare_definitions, recording
    start = time.perf_counter()
    result = compare.run_comparison(ds, share=SHARE, n_bootstrap=N_BOOTSTRAP, seed=SEED)
    seconds = time.perf_counter() - start
    study.compare_definitions = step
    inputs = (plain(handed["scores"]), handed["outcomes"], plain(handed["next_scores"]))
    inputs_path(ledger).write_bytes(pickle.dumps(inputs, protocol=5))
    return {"seconds": seconds, "peak_gb": peak_gb(), "accounts": result.n_accounts,
            "method": result.interval_method}


# ----------------------------------------------------------------- the reference: the step as it was


def _lexsort(values: pd.Series) -> pd.Index:
    v = values.to_numpy(dtype=float)
    return values.index[np.lexsort((values.index.astype(str).to_numpy(), np.where(np.isnan(v), np.inf, -v)))]


def reference_bootstrap(y: np.ndarray, member: np.ndarray, *, n_bootstrap: int = N_BOOTSTRAP, seed: int = SEED,
                        chunk_cells: int = 2_500_000) -> np.ndarray:
    """The captured shares of ``n_bootstrap`` replicates as kamlab computed them before its per-row counts:
    one ``bincount`` over a whole chunk of draws (tests/test_compare_intervals.py checks kamlab against it)."""
    n, m = y.shape
    d = member.shape[1]
    rng = np.random.default_rng(seed)
    stacked = np.concatenate([y, (y[:, :, None] * member[:, None, :]).reshape(n, m * d)], axis=1)
    out = np.empty((n_bootstrap, m, d))
    step = max(1, chunk_cells // max(n, 1))
    for start in range(0, n_bootstrap, step):
        size = min(step, n_bootstrap - start)
        draws = rng.integers(0, n, size=(size, n), dtype=np.int32).astype(np.int64)
        draws += (np.arange(size, dtype=np.int64) * n)[:, None]
        weights = np.bincount(draws.ravel(), minlength=size * n).reshape(size, n).astype(float)
        sums = weights @ stacked
        with np.errstate(divide="ignore", invalid="ignore"):
            out[start:start + size] = sums[:, m:].reshape(size, m, d) / sums[:, :m, None]
    return out


def reference(scores: dict, outcomes: pd.DataFrame, nxt: dict, metrics: list[str], k: int) -> dict:
    """Selections, shares, intervals, gain curves, overlap and turnover by the string-id code of before."""
    from kamlab.definitions import DefinitionScore

    universe = outcomes.index
    names = [name for name, s in scores.items() if isinstance(s, DefinitionScore)]
    sel = {name: _lexsort(scores[name].scores.reindex(universe))[:min(scores[name].size or k, len(universe))]
           for name in names}
    member = np.column_stack([universe.isin(sel[name]) for name in names]).astype(float)
    y = outcomes[metrics].to_numpy()
    captured = (y.T @ member) / y.sum(axis=0)[:, None]
    with np.errstate(invalid="ignore"):
        low, high = np.nanquantile(reference_bootstrap(y, member), [0.025, 0.975], axis=0)
    gains = {}
    for name in names:
        for metric in metrics:
            order = _lexsort(scores[name].scores.reindex(outcomes[metric].index))
            cum = np.concatenate([[0.0], np.cumsum(outcomes[metric].reindex(order).to_numpy(dtype=float))])
            gains[name, metric] = cum[np.unique(np.round(np.linspace(0, 1, 201) * len(universe)).astype(int))] / cum[-1]
    everyone = pd.Index([]).append([sel[name] for name in names]).unique()
    both = np.column_stack([everyone.isin(sel[name]) for name in names]).astype(float)
    turnover = {}
    for name in [n for n in names if isinstance(nxt.get(n), DefinitionScore)]:
        later = _lexsort(nxt[name].scores.reindex(universe))[:min(nxt[name].size or k, len(universe))]
        turnover[name] = 1 - len(sel[name].intersection(later)) / len(sel[name])
    return {"selections": sel, "captured": captured, "low": low, "high": high, "gains": gains,
            "overlap": both.T @ both, "turnover": turnover}


def _agree(result, ref: dict, metrics: list[str], same_intervals: bool) -> bool:
    t = result.table.set_index("definition")
    ok = all(result.selections[n].equals(s) for n, s in ref["selections"].items())
    ok &= all(np.array_equal(t[f"{m}_captured"].to_numpy(), ref["captured"][j]) for j, m in enumerate(metrics))
    gains = result.gains.set_index("definition")
    ok &= all(np.array_equal(gains.loc[n, f"{m}_captured"].to_numpy(), g) for (n, m), g in ref["gains"].items()
              if n != "abc_a")
    names = list(ref["selections"])
    sizes = np.array([len(ref["selections"][n]) for n in names], dtype=float)
    union = sizes[:, None] + sizes[None, :] - ref["overlap"]
    ok &= np.array_equal(result.overlap.loc[names, names].to_numpy(), ref["overlap"] / union)
    ok &= all(result.turnover.set_index("definition").loc[n, "turnover"] == v for n, v in ref["turnover"].items())
    if same_intervals:
        ok &= all(np.array_equal(t[f"{m}_captured_low"].to_numpy(), ref["low"][j], equal_nan=True)
                  and np.array_equal(t[f"{m}_captured_high"].to_numpy(), ref["high"][j], equal_nan=True)
                  for j, m in enumerate(metrics))
    return bool(ok)


# ----------------------------------------------------------------- the parts, each in its own process


def part(kind: str, ledger: str) -> dict:
    if kind == "prepare":
        return prepare(ledger)
    from kamlab import compare
    from kamlab.compare import intervals

    scores, outcomes, nxt = pickle.loads(inputs_path(ledger).read_bytes())
    start = time.perf_counter()
    result = compare.compare_definitions(scores, outcomes, share=SHARE, n_bootstrap=N_BOOTSTRAP, seed=SEED,
                                         next_scores=nxt)
    seconds = time.perf_counter() - start
    metrics = [m for m in ("revenue", "profit") if f"{m}_captured" in result.table.columns]
    if kind == "kamlab":
        return {"seconds": seconds, "peak_gb": peak_gb(), "method": result.interval_method}
    y = outcomes[metrics].to_numpy()
    member = np.column_stack([outcomes.index.isin(result.selections[n]) for n in result.table["definition"]])
    member = member.astype(float)
    if kind == "reference":
        start = time.perf_counter()
        ref = reference(scores, outcomes, nxt, metrics, result.k)
        seconds = time.perf_counter() - start
        return {"seconds": seconds, "peak_gb": peak_gb(),
                "same": _agree(result, ref, metrics, result.interval_method == "bootstrap")}
    start = time.perf_counter()
    replicates = intervals.bootstrap_captures(y, member, n_bootstrap=N_BOOTSTRAP, seed=SEED)
    low, high = intervals.percentile_interval(replicates, 0.95)
    boot_seconds = time.perf_counter() - start
    start = time.perf_counter()
    delta_low, delta_high = intervals.delta_method_interval(y, member, 0.95)
    delta_seconds = time.perf_counter() - start
    se = replicates.std(axis=0)
    apart = float(np.max(np.maximum(np.abs(delta_low - low), np.abs(delta_high - high)) / se))
    return {"bootstrap_seconds": boot_seconds, "delta_seconds": delta_seconds, "apart_se": apart,
            "peak_gb": peak_gb()}


def run_part(kind: str, ledger: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--part", kind, ledger], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(ledgers: list[str]) -> None:
    for ledger in ledgers:
        prepared = run_part("prepare", ledger)
        n = prepared["accounts"]
        print(f"{Path(ledger).name}: {n:,} accounts to choose from; run_comparison end to end "
              f"{prepared['seconds']:.1f} s, peak {prepared['peak_gb']:.2f} GB ({prepared['method']} intervals)")
        new, ref, iv = (run_part(kind, ledger) for kind in ("kamlab", "reference", "intervals"))
        print(f"  compare_definitions: kamlab {new['seconds']:.2f} s, peak {new['peak_gb']:.2f} GB "
              f"({new['method']}); reference {ref['seconds']:.2f} s, peak {ref['peak_gb']:.2f} GB: "
              f"kamlab is {ref['seconds'] / new['seconds']:.1f}x faster; same numbers: {ref['same']}")
        print(f"  intervals of {N_BOOTSTRAP:,} replicates: bootstrap {iv['bootstrap_seconds']:.2f} s, delta method "
              f"{iv['delta_seconds']:.3f} s ({iv['bootstrap_seconds'] / iv['delta_seconds']:.0f}x); ends at most "
              f"{iv['apart_se']:.2f} bootstrap standard errors apart (process peak {iv['peak_gb']:.2f} GB with both)")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--part"]:
        print(json.dumps(part(sys.argv[2], sys.argv[3])))
    else:
        main(sys.argv[1:] or DEFAULT)
