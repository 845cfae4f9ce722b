"""The plain values the training analytics work on: runs, shoes and warnings.

The training package never touches the database: storage turns its rows into
these dataclasses, and every function here takes and returns plain values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

#: Sports that count toward running load (shared/contracts/cli-json.md).
RUNNING_SPORTS: frozenset[str] = frozenset({"running", "trail_running", "treadmill_running"})


@dataclass(frozen=True, slots=True)
class Run:
    """One activity as the analytics see it (any sport; ``is_running`` says which count).

    ``start_utc`` is an aware UTC instant and ``utc_offset_s`` the offset of the
    runner's clock at the start: together they give the local calendar day, so
    a daylight-saving change or a flight never moves or doubles a day.
    """

    start_utc: datetime
    utc_offset_s: int
    sport: str
    distance_m: float
    timer_s: float
    shoe: str | None = None
    #: Local calendar day of the start (computed once: the analytics ask for it often).
    local_day: date = field(init=False, repr=False, compare=False)
    #: Whether the sport counts toward running load.
    is_running: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "local_day", self.local_start.date())
        object.__setattr__(self, "is_running", self.sport in RUNNING_SPORTS)

    @property
    def local_start(self) -> datetime:
        """Wall-clock start time (naive) in the runner's time zone at the time."""
        return self.start_utc.replace(tzinfo=None) + timedelta(seconds=self.utc_offset_s)

    @property
    def km(self) -> float:
        return self.distance_m / 1000.0


@dataclass(frozen=True, slots=True)
class Shoe:
    """A pair of shoes: ``start_km`` already run before kneeguard knew it."""

    name: str
    start_km: float = 0.0
    limit_km: float | None = None
    retired_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Warning:
    """One training warning in the shape of shared/contracts/cli-json.md."""

    kind: str  # run_spike | weekly_jump | pace_jump | comeback | shoes
    date: date
    severity: str  # small | moderate | large | info
    detail: str
    evidence: str

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "date": self.date.isoformat(), "severity": self.severity,
                "detail": self.detail, "evidence": self.evidence}


def running_only(runs: list[Run]) -> list[Run]:
    """The running activities of ``runs``, oldest first."""
    return sorted((r for r in runs if r.is_running), key=lambda r: r.start_utc)
