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
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Protocol

from kneeguard.activities.archive import Plan, Source, SourceReader, plan_import
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


_KNOWN: frozenset[str] = frozenset()
_LIMITS = Limits()
_READER: SourceReader | None = None


def _decode(source: Source) -> ParsedFile:
    global _READER
    if _READER is None:
        _READER = SourceReader(_LIMITS)
    try:
        data = _READER.read(source)
    except ActivityImportError as exc:
        return ParsedFile(source.name, "", skipped=exc.message)
    except (OSError, zipfile.BadZipFile, EOFError, KeyError) as exc:
        return ParsedFile(source.name, "", skipped=f"cannot be read ({exc})")
    digest = hashlib.sha256(data).hexdigest()
    if digest in _KNOWN:
        return ParsedFile(source.name, digest, known=True, size=len(data))
    return read_bytes(data, source.name, sport_hint=source.sport_hint, gear=source.gear,
                      limits=_LIMITS, content_hash=digest)


def _decoded(plan: Plan, workers: int) -> Iterator[ParsedFile]:
    global _READER
    if workers <= 1 or len(plan.sources) < SMALL_IMPORT:
        _READER = SourceReader(_LIMITS)
        try:
            for source in plan.sources:
                yield _decode(source)
        finally:
            _READER.close()
            _READER = None
        return
    context = multiprocessing.get_context("fork")
    pool = context.Pool(min(workers, len(plan.sources)))
    try:
        yield from pool.imap(_decode, plan.sources, chunksize=4)
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
    global _KNOWN, _LIMITS
    limits = limits or Limits()
    plan = plan_import(inputs, limits)
    summary = ImportSummary(dry_run=dry_run)
    summary.skipped.extend(plan.skipped)
    summary.files = len(plan.sources) + len(plan.skipped)
    total_bytes = plan.total_bytes
    try:
        _KNOWN = frozenset(sink.known_hashes())
        _LIMITS = limits
        done_bytes = 0
        for done, (source, parsed) in enumerate(
                zip(plan.sources, _decoded(plan, worker_count(workers)), strict=True), 1):
            if parsed.known:
                summary.duplicates += 1
            elif parsed.skipped is not None:
                summary.skipped.append(Skipped(parsed.name, parsed.skipped))
            else:
                sink.store(parsed, summary)
            done_bytes += source.size
            if progress is not None:
                progress(Progress(done, len(plan.sources), done_bytes, total_bytes, source.name))
    finally:
        _KNOWN = frozenset()
        plan.cleanup()
    return summary
