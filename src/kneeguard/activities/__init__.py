"""Activities: FIT, GPX and TCX files and export archives -> activity summaries.

Public API:

- :func:`read_bytes` — one file's bytes -> :class:`ParsedFile` (activities or a reason).
- :func:`run_import` — paths, folders, archives or ``(name, bytes)`` uploads through a
  :class:`Sink` (the database lives in ``kneeguard.storage.activities``), with a
  progress callback; returns an :class:`ImportSummary` whose ``to_json()`` is the
  contract's ``kneeguard import`` document.
- :func:`same_activity` — the duplicate rule.

This package imports nothing from storage, cli or web.
"""

from __future__ import annotations

from kneeguard.activities.dedupe import preference, same_activity
from kneeguard.activities.importer import Sink, run_import, worker_count
from kneeguard.activities.model import (
    RUNNING_SPORTS,
    SPORTS,
    Activity,
    ImportSummary,
    ParsedFile,
    Progress,
    Skipped,
    Split,
)
from kneeguard.activities.reader import Limits, read_bytes

__all__ = [
    "RUNNING_SPORTS",
    "SPORTS",
    "Activity",
    "ImportSummary",
    "Limits",
    "ParsedFile",
    "Progress",
    "Sink",
    "Skipped",
    "Split",
    "preference",
    "read_bytes",
    "run_import",
    "same_activity",
    "worker_count",
]
