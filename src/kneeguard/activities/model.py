"""Format-neutral results of reading activity files.

Every reader (FIT, GPX, TCX) turns a file into :class:`ParsedFile`: zero or
more :class:`Activity` summaries (one per leg of a multisport file) or the
one-sentence reason why the file yields none. :class:`ImportSummary` is what
an import reports; ``to_json()`` gives the form fixed by
shared/contracts/cli-json.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# The contract's sport values; running load counts the first three.
SPORTS = ("running", "trail_running", "treadmill_running", "cycling", "swimming", "walking",
          "hiking", "other")
RUNNING_SPORTS = frozenset({"running", "trail_running", "treadmill_running"})

# Formats, in order of preference when two files hold the same activity.
FORMATS = ("fit", "tcx", "gpx")


def sport_family(sport: str) -> str:
    """Sports that the same activity may be given by different files (for dedupe)."""
    if sport in RUNNING_SPORTS:
        return "running"
    if sport in ("walking", "hiking"):
        return "walking"
    return sport


@dataclass(frozen=True)
class Split:
    """One kilometre of an activity (the last split may be shorter)."""

    index: int
    distance_m: float
    time_s: float
    avg_hr: float | None = None
    elevation_gain_m: float | None = None


@dataclass
class Activity:
    """The summary of one activity (one leg of a multisport file).

    ``start_utc`` is an aware UTC instant; ``utc_offset_s`` the local offset at
    the start (0 when the file gives none and no position hints at it).
    ``timer_s`` excludes pauses, ``elapsed_s`` is wall time. ``avg_cadence``
    is in steps per minute for running, walking and hiking, revolutions per
    minute otherwise.
    """

    sport: str
    start_utc: datetime
    distance_m: float
    timer_s: float
    elapsed_s: float
    sub_sport: str | None = None
    utc_offset_s: int = 0
    elevation_gain_m: float | None = None
    avg_hr: float | None = None
    avg_cadence: float | None = None
    device: str | None = None
    gear: str | None = None
    incomplete: bool = False
    incomplete_reason: str | None = None
    leg: int = 0
    splits: list[Split] = field(default_factory=list)

    @property
    def is_running(self) -> bool:
        return self.sport in RUNNING_SPORTS


@dataclass
class ParsedFile:
    """What one file (or archive member) yielded.

    ``activities`` is empty exactly when ``skipped`` holds the reason.
    ``known`` is set when the file's content hash was already stored, in
    which case it was not decoded again. ``warning`` says what is doubtful
    about a file that was read whole (a FIT checksum that does not match).
    """

    name: str
    content_hash: str
    format: str | None = None
    activities: list[Activity] = field(default_factory=list)
    skipped: str | None = None
    known: bool = False
    size: int = 0
    warning: str | None = None


@dataclass(frozen=True)
class Skipped:
    file: str
    reason: str


@dataclass
class ImportSummary:
    """The outcome of one import run (the contract's ``kneeguard import`` document)."""

    imported: int = 0
    duplicates: int = 0
    incomplete: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    files: int = 0
    dry_run: bool = False
    activity_ids: list[int] = field(default_factory=list)  # new activities (none in a dry run)
    # Files read whole but doubtful (a FIT checksum that does not match). Shown by the
    # CLI's text summary; not part of the contract document.
    warnings: list[Skipped] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "imported": self.imported,
            "duplicates": self.duplicates,
            "incomplete": self.incomplete,
            "skipped": [{"file": s.file, "reason": s.reason} for s in self.skipped],
            "files": self.files,
            "dry_run": self.dry_run,
        }


@dataclass(frozen=True)
class Progress:
    """Reported after every file: counts and bytes so far out of the planned totals."""

    files_done: int
    files_total: int
    bytes_done: int
    bytes_total: int
    current: str
