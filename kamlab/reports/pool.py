"""The worker pool: render many jobs at once, one persistent worker process per slot.

A failing job keeps its executed notebook (which holds the traceback) and never
stops the others; ``index.html`` lists every job with its status, and the caller
exits non-zero when one failed. Ctrl-C (or SIGTERM) stops the workers and their
kernels, keeps the reports that finished and updates the index.
"""

from __future__ import annotations

import os
import queue
import sys
import threading
from collections import deque
from pathlib import Path

from .jobs import Job
from .render import JobResult
from .status import read_status, update_index
from .worker import Worker, WorkerDied, crashed


class Interrupted(Exception):
    """The run was stopped (Ctrl-C or SIGTERM); completed reports were kept."""

    def __init__(self, done: list[JobResult], pending: list[str]):
        super().__init__(f"interrupted: {len(pending)} job(s) not finished ({', '.join(pending)})")
        self.done, self.pending = done, pending


def default_parallel() -> int:
    """Number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


class _Pool:
    """Slots (threads) that each drive one worker process through the pending jobs."""

    def __init__(self, jobs: list[Job], out_dir: Path, timeout_s: int | None) -> None:
        previous = read_status(out_dir)
        # longest first (last known duration; never run counts as long): shorter wall time
        self.pending = deque(sorted(jobs, key=lambda j: -previous.get(j.name, {}).get("duration_s", 1e9)))
        self.out_dir, self.timeout_s = out_dir, timeout_s
        self.lock, self.stopping, self.finished = threading.Lock(), threading.Event(), queue.Queue()
        self.workers: set[Worker] = set()

    def _next(self, worker: Worker | None) -> tuple[Job | None, Worker | None]:
        """The next job, and the slot's worker (started on first use)."""
        with self.lock:
            if not self.pending or self.stopping.is_set():
                return None, worker
            job = self.pending.popleft()
            if worker is None:
                worker = Worker()
                self.workers.add(worker)
        return job, worker

    def _retire(self, worker: Worker) -> None:
        with self.lock:
            self.workers.discard(worker)
        worker.close()

    def slot(self) -> None:
        """Thread body: render jobs until none is pending; a dead worker is replaced."""
        worker = None
        try:
            while not self.stopping.is_set():
                job, worker = self._next(worker)
                if job is None:
                    return
                try:
                    self.finished.put(worker.render(job, self.out_dir, self.timeout_s))
                except WorkerDied as err:
                    self._retire(worker)
                    worker = None
                    if not self.stopping.is_set():
                        self.finished.put(crashed(job, str(err)))
        finally:
            if worker is not None:
                self._retire(worker)
            self.finished.put(None)  # this slot is done

    def stop(self, threads: list[threading.Thread], results: dict[str, JobResult]) -> None:
        """Terminate the running workers, wait for the slots, collect late results."""
        self.stopping.set()
        with self.lock:
            running = list(self.workers)
        for worker in running:
            worker.terminate()
        for thread in threads:
            thread.join()
        while not self.finished.empty():
            late = self.finished.get()
            if late is not None:
                results[late.name] = late


def _collect(pool: _Pool, n_slots: int, results: dict[str, JobResult], bar, progress: bool) -> None:
    """Wait for every slot to finish, recording each result as it arrives."""
    open_slots = n_slots
    while open_slots:
        try:
            result = pool.finished.get(timeout=0.5)
        except queue.Empty:
            continue
        if result is None:
            open_slots -= 1
            continue
        results[result.name] = result
        if progress:
            mark = "ok    " if result.status == "ok" else "FAILED"
            extra = f"  {result.error}" if result.error else ""
            bar.write(f"{mark} {result.name}  {result.duration_s:.1f} s{extra}", file=sys.stderr)
        bar.update(1)


def run_jobs(
    jobs: list[Job],
    out_dir: str | Path,
    *,
    parallel: int | None = None,
    listed: list[Job] | None = None,
    progress: bool = True,
    timeout_s: int | None = None,
) -> list[JobResult]:
    """Render jobs in parallel worker processes and update ``<out>/index.html``.

    Parameters
    ----------
    jobs : list of Job
        What to render now.
    out_dir : path
        Folder of the reports (``reports/`` for the matrix).
    parallel : int, optional
        Jobs at once (one worker process each); default: the number of cores.
    listed : list of Job, optional
        Every job the index should list (the whole matrix), default ``jobs``;
        jobs not rendered now keep the status of their last run.
    progress : bool
        Show a tqdm bar over jobs and one line per finished job with its time.
    timeout_s : int, optional
        Per-cell execution limit in seconds (default: none).

    Returns
    -------
    list of JobResult
        In the order of ``jobs``. On Ctrl-C (KeyboardInterrupt) the workers are
        stopped, the index is updated with the jobs that finished, and
        :class:`Interrupted` is raised.
    """
    from tqdm import tqdm

    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    listed = jobs if listed is None else listed
    pool = _Pool(jobs, out_dir, timeout_s)
    n_slots = min(max(1, parallel or default_parallel()), max(1, len(jobs)))
    results: dict[str, JobResult] = {}
    bar = tqdm(total=len(jobs), unit="job", desc="kamlab report", disable=not progress, file=sys.stderr)
    threads = [threading.Thread(target=pool.slot, daemon=True) for _ in range(n_slots)]
    try:
        for thread in threads:
            thread.start()
        _collect(pool, n_slots, results, bar, progress)
    except KeyboardInterrupt:
        pool.stop(threads, results)
        bar.close()
        done = [results[j.name] for j in jobs if j.name in results]
        update_index(out_dir, listed, done)
        raise Interrupted(done, [j.name for j in jobs if j.name not in results]) from None
    bar.close()
    done = [results[j.name] for j in jobs if j.name in results]
    update_index(out_dir, listed, done)
    return done
