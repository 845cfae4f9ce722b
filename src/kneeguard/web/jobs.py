"""Background jobs of the web app: an import runs while the page shows its progress.

An import of a whole export archive takes tens of seconds, longer than a
browser should wait for one response. The upload is saved to a temporary
directory, the import runs on one worker thread, and the import page polls
the job (htmx every half second, or a meta refresh without JavaScript).
Jobs live in the memory of the server process: a finished job is kept for an
hour so its summary can be shown again.
"""

from __future__ import annotations

import shutil
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kneeguard.errors import KneeguardError, NotFound

KEEP_SECONDS = 3600.0
Progress = Callable[[int, int, str], None]


@dataclass
class Job:
    id: str
    kind: str
    status: str = "queued"  # queued | running | done | failed
    done: int = 0
    total: int = 0
    current: str = ""
    result: dict[str, Any] | None = None
    error: str | None = None
    started: float = field(default_factory=time.time)
    finished: float | None = None
    workdir: Path | None = None

    @property
    def percent(self) -> int:
        if self.status == "done":
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "status": self.status, "done": self.done,
                "total": self.total, "percent": self.percent, "current": self.current,
                "result": self.result, "error": self.error}


class Jobs:
    """A registry of jobs run one at a time on a worker thread."""

    def __init__(self, on_done: Callable[[], None] | None = None) -> None:
        self.on_done = on_done
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None

    def submit(self, kind: str, work: Callable[[Progress], dict[str, Any]],
               workdir: Path | None = None) -> Job:
        job = Job(id=uuid.uuid4().hex, kind=kind, workdir=workdir)
        with self._lock:
            self._prune()
            self._jobs[job.id] = job

        def progress(done: int, total: int, current: str) -> None:
            job.done, job.total, job.current = done, total, current

        def run() -> None:
            job.status = "running"
            try:
                job.result = work(progress)
                job.status = "done"
            except KneeguardError as exc:
                job.error, job.status = exc.message, "failed"
            except Exception as exc:  # a bug must not kill the worker; the page says so
                job.error = f"the import stopped unexpectedly ({type(exc).__name__}: {exc})"
                job.status = "failed"
            finally:
                if self.on_done is not None:
                    self.on_done()
                job.finished = time.time()
                if job.workdir is not None:
                    shutil.rmtree(job.workdir, ignore_errors=True)

        with self._lock:
            if self._pool is None:  # first job, or the app was shut down and started again
                self._pool = ThreadPoolExecutor(max_workers=1,
                                                thread_name_prefix="kneeguard-job")
            self._pool.submit(run)
        return job

    def get(self, job_id: str) -> Job:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise NotFound("there is no such import (it may have finished over an hour ago, "
                           "or the server was restarted)")
        return job

    def wait(self, job_id: str, timeout: float = 60.0) -> Job:
        """Block until the job has finished (for the API and tests)."""
        deadline = time.time() + timeout
        job = self.get(job_id)
        while job.status in ("queued", "running") and time.time() < deadline:
            time.sleep(0.02)
        return job

    def _prune(self) -> None:
        now = time.time()
        for key in [k for k, j in self._jobs.items()
                    if j.finished is not None and now - j.finished > KEEP_SECONDS]:
            del self._jobs[key]

    def shutdown(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
