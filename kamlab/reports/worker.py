"""The worker processes of ``kamlab report`` and their one-line JSON protocol.

A worker (``python -m kamlab.reports --serve``) imports papermill and nbconvert
once, then renders the jobs it is sent one at a time, each in a fresh kernel.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

from .jobs import Job
from .render import JobResult, first_error_line, jsonable, render_job


def _job_to_json(job: Job) -> dict:
    data = asdict(job)
    data["notebook"] = str(job.notebook)
    return data


def _job_from_json(data: dict) -> Job:
    return Job(**{**data, "notebook": Path(data["notebook"])})


class WorkerDied(Exception):
    pass


class Worker:
    """One persistent worker process (``python -m kamlab.reports --serve``).

    It imports papermill and nbconvert once, then renders the jobs it is sent one
    at a time, each in a fresh kernel: job spec in on stdin, result out on stdout,
    one JSON line each. It runs in its own session, so the terminal's Ctrl-C
    reaches only the parent, which then stops the workers in order.
    """

    def __init__(self) -> None:
        self.log = tempfile.TemporaryFile()  # stderr of the worker and its kernels
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kamlab.reports", "--serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            start_new_session=True,
            text=True,
            bufsize=1,
        )

    def render(self, job: Job, out_dir: Path, timeout_s: int | None) -> JobResult:
        spec = {"job": _job_to_json(job), "out_dir": str(out_dir), "timeout_s": timeout_s}
        try:
            self.proc.stdin.write(json.dumps(spec) + "\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        except (BrokenPipeError, ValueError, OSError):
            line = ""
        if not line:
            self.proc.wait()
            raise WorkerDied(f"worker process exited with code {self.proc.returncode}: {self.last_message()}")
        return JobResult(**json.loads(line))

    def last_message(self) -> str:
        self.log.seek(0)
        lines = [line for line in self.log.read().decode(errors="replace").splitlines() if line.strip()]
        return lines[-1].strip() if lines else "no message"

    def terminate(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)

    def close(self, grace_s: float = 15.0) -> None:
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(grace_s)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()
        self.log.close()


def crashed(job: Job, message: str) -> JobResult:
    """The result of a job whose worker or renderer broke before the notebook could report."""
    return JobResult(
        name=job.name, title=job.title, notebook=job.notebook.name, kind=job.kind, dataset=job.dataset,
        parameters=jsonable(job.shown_parameters), status="failed", error=first_error_line(message),
        started=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), duration_s=0.0,
        html=None, executed=None, traceback_html=None,
    )


def skip_unneeded_slow_imports() -> None:
    """Start-up speed: jsonschema (imported by nbformat) loads the optional IRI
    checker ``rfc3987_syntax`` when it is installed (jupyterlab brings it), and
    that module builds a parser grammar at import, ~2.5 s on a busy 2-core
    machine. Notebook validation never checks IRI formats, so this process
    records the module as absent; jsonschema then simply skips that format."""
    sys.modules.setdefault("rfc3987_syntax", None)


def serve() -> int:
    """Worker loop of ``python -m kamlab.reports --serve`` (see :class:`Worker`)."""

    def _stop(signum, frame):  # the parent asks us to stop: unwind and clean up
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    skip_unneeded_slow_imports()
    protocol = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # stray prints (ours, papermill's) go to the log, not the protocol
    sys.stdout = sys.stderr
    try:
        import nbconvert  # noqa: F401  (import once, before the first job)
        import papermill  # noqa: F401

        for line in sys.stdin:
            spec = json.loads(line)
            job = _job_from_json(spec["job"])
            try:
                result = render_job(job, spec["out_dir"], timeout_s=spec.get("timeout_s"))
            except KeyboardInterrupt:
                raise
            except Exception as err:  # a bug or broken notebook file: this job fails, the worker goes on
                result = crashed(job, f"could not render: {first_error_line(err)}")
            protocol.write(json.dumps(asdict(result)) + "\n")
            protocol.flush()
    except KeyboardInterrupt:
        return 130
    return 0

