"""The import pipeline: plan the files, decode them on every core, store each one.

:func:`run_import` is what the CLI and the web app call (through
``kneeguard.storage.activities.import_activities``). Decoding runs in worker
processes (``import_workers``; one per core by default); storing happens in
the calling process, one file at a time, through a :class:`Sink` that keeps
each file in its own transaction, so an interrupted import leaves every
stored file whole and a second run completes it. Files whose content hash
is already stored are recognised from the hash alone and not decoded again.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Protocol

from kneeguard.activities.archive import (
    ZIP_READ_ERRORS,
    Plan,
    Source,
    SourceReader,
    plan_import,
    zip_read_problem,
)
from kneeguard.activities.model import ImportSummary, ParsedFile, Progress, Skipped
from kneeguard.activities.reader import Limits, read_bytes
from kneeguard.errors import ActivityImportError

Input = Path | str | tuple[str, bytes]
ProgressCallback = Callable[[Progress], None]
SMALL_IMPORT = 12  # files; fewer are decoded in-process (starting workers costs more)


class Sink(Protocol):
    """Where decoded files go (the database, or nowhere for a dry run)."""

    def known_hashes(self) -> set[str]: ...

    def store(self, parsed: ParsedFile, summary: ImportSummary) -> None: ...


class Decoder:
    """Reads and decodes one source at a time (in a worker process or in-process)."""

    def __init__(self, known: frozenset[str], limits: Limits) -> None:
        self.known = known
        self.limits = limits
        self.reader = SourceReader(limits)

    def __call__(self, source: Source) -> ParsedFile:
        try:
            data = self.reader.read(source)
        except ActivityImportError as exc:
            return ParsedFile(source.name, "", skipped=exc.message)
        except ZIP_READ_ERRORS as exc:
            reason = zip_read_problem(exc) if source.member else f"cannot be read ({exc})"
            return ParsedFile(source.name, "", skipped=reason)
        except KeyError as exc:  # the archive changed since it was planned
            return ParsedFile(source.name, "", skipped=f"cannot be read ({exc})")
        digest = hashlib.sha256(data).hexdigest()
        if digest in self.known:
            return ParsedFile(source.name, digest, known=True, size=len(data))
        return read_bytes(data, source.name, sport_hint=source.sport_hint, gear=source.gear,
                          limits=self.limits, content_hash=digest)

    def close(self) -> None:
        self.reader.close()


_WORKER: Decoder | None = None  # the decoder of a worker process


def _start_worker(known: frozenset[str], limits: Limits) -> None:
    global _WORKER
    # Ctrl-C is the calling process's to handle: it stops the pool (and the workers stay
    # quiet instead of each printing a traceback).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER = Decoder(known, limits)


def _decode_in_worker(source: Source) -> ParsedFile:
    assert _WORKER is not None
    return _WORKER(source)


def _decoded(plan: Plan, known: frozenset[str], limits: Limits, workers: int
             ) -> Iterator[ParsedFile]:
    if workers <= 1 or len(plan.sources) < SMALL_IMPORT:
        decoder = Decoder(known, limits)
        try:
            yield from map(decoder, plan.sources)
        finally:
            decoder.close()
        return
    # fork: the workers inherit the known hashes and limits without pickling them.
    context = multiprocessing.get_context("fork")
    pool = context.Pool(min(workers, len(plan.sources)), initializer=_start_worker,
                        initargs=(known, limits))
    try:
        yield from pool.imap(_decode_in_worker, plan.sources, chunksize=4)
        pool.close()
    finally:
        pool.terminate()
        pool.join()


def worker_count(setting: int) -> int:
    return setting if setting > 0 else (os.cpu_count() or 1)


def run_import(inputs: Iterable[Input], sink: Sink, *, limits: Limits | None = None,
               workers: int = 0, progress: ProgressCallback | None = None,
               dry_run: bool = False) -> ImportSummary:
    """Import files, folders and archives; returns what happened to each file."""
    limits = limits or Limits()
    plan = plan_import(inputs, limits)
    summary = ImportSummary(dry_run=dry_run)
    summary.skipped.extend(plan.skipped)
    summary.files = len(plan.sources) + len(plan.skipped)
    total_bytes = plan.total_bytes
    try:
        known = frozenset(sink.known_hashes())
        done_bytes = 0
        decoded = _decoded(plan, known, limits, worker_count(workers))
        for done, (source, parsed) in enumerate(zip(plan.sources, decoded, strict=True), 1):
            if parsed.known:
                summary.duplicates += 1
            elif parsed.skipped is not None:
                summary.skipped.append(Skipped(parsed.name, parsed.skipped))
            else:
                sink.store(parsed, summary)
                if parsed.warning is not None:
                    summary.warnings.append(Skipped(parsed.name, parsed.warning))
            done_bytes += source.size
            if progress is not None:
                progress(Progress(done, len(plan.sources), done_bytes, total_bytes, source.name))
    finally:
        plan.cleanup()
    return summary
