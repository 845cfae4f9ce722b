"""Stored activities, their source files, per-kilometre splits and shoes.

One ``activities`` row per activity (a multisport file gives one per leg);
every file it was read from is an ``activity_sources`` row (the preferred
source flagged), so a duplicate from the phone or a re-import adds a
source, never a second activity. :func:`import_activities` is the import
entry for the CLI and the web app: each file is stored in its own
transaction, idempotent by content hash.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    delete,
    func,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from kneeguard.activities import (
    ImportSummary,
    Limits,
    run_import,
)
from kneeguard.errors import InputError, NotFound
from kneeguard.storage.base import Base, UTCDateTime, utcnow

# The contract's sport values (shared/contracts/cli-json.md); running load counts the first three.
SPORTS = ("running", "trail_running", "treadmill_running", "cycling", "swimming", "walking",
          "hiking", "other")
RUNNING_SPORTS = ("running", "trail_running", "treadmill_running")


class ShoeRow(Base):
    __tablename__ = "shoes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    brand: Mapped[str | None] = mapped_column(String(200))
    added_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    start_km: Mapped[float] = mapped_column(Float, default=0.0)
    limit_km: Mapped[float | None] = mapped_column(Float)


class ActivityRow(Base):
    __tablename__ = "activities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sport: Mapped[str] = mapped_column(String(30), index=True)
    sub_sport: Mapped[str | None] = mapped_column(String(60))
    start_utc: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    utc_offset_s: Mapped[int] = mapped_column(Integer, default=0)
    distance_m: Mapped[float] = mapped_column(Float)
    timer_s: Mapped[float] = mapped_column(Float)
    elapsed_s: Mapped[float] = mapped_column(Float)
    elevation_gain_m: Mapped[float | None] = mapped_column(Float)
    avg_hr: Mapped[float | None] = mapped_column(Float)
    avg_cadence: Mapped[float | None] = mapped_column(Float)
    device: Mapped[str | None] = mapped_column(String(200))
    shoe_id: Mapped[int | None] = mapped_column(ForeignKey("shoes.id", ondelete="SET NULL"),
                                                index=True)
    incomplete: Mapped[bool] = mapped_column(Boolean, default=False)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)

    sources: Mapped[list[ActivitySourceRow]] = relationship(
        back_populates="activity", cascade="all, delete-orphan",
        order_by="ActivitySourceRow.id")
    splits: Mapped[list[SplitRow]] = relationship(
        back_populates="activity", cascade="all, delete-orphan", order_by="SplitRow.index")
    shoe: Mapped[ShoeRow | None] = relationship()


class ActivitySourceRow(Base):
    """A file an activity was read from. ``content_hash`` makes re-imports idempotent."""

    __tablename__ = "activity_sources"
    __table_args__ = (UniqueConstraint("content_hash", "leg"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), index=True)
    file_name: Mapped[str] = mapped_column(String(500))
    content_hash: Mapped[str] = mapped_column(String(64))
    leg: Mapped[int] = mapped_column(Integer, default=0)
    format: Mapped[str] = mapped_column(String(10))
    preferred: Mapped[bool] = mapped_column(Boolean, default=False)
    incomplete_reason: Mapped[str | None] = mapped_column(String(500))

    activity: Mapped[ActivityRow] = relationship(back_populates="sources")


class SplitRow(Base):
    """Per-kilometre split: the last one may be shorter than 1000 m."""

    __tablename__ = "splits"

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True)
    index: Mapped[int] = mapped_column(Integer, primary_key=True)
    distance_m: Mapped[float] = mapped_column(Float)
    time_s: Mapped[float] = mapped_column(Float)
    avg_hr: Mapped[float | None] = mapped_column(Float)
    elevation_gain_m: Mapped[float | None] = mapped_column(Float)

    activity: Mapped[ActivityRow] = relationship(back_populates="splits")


# ---------------------------------------------------------------- import

def import_activities(db: object, inputs: Iterable[Path | str | tuple[str, bytes]], *,
                      limits: Limits | None = None, workers: int = 0,
                      progress: object = None, dry_run: bool = False) -> ImportSummary:
    """Import files, folders, export archives or ``(name, bytes)`` uploads into ``db``.

    Each file is stored in its own transaction (see
    :mod:`kneeguard.storage.activity_sink`); ``dry_run`` reports the same and
    writes nothing. ``progress`` is called with a
    :class:`kneeguard.activities.Progress` after each file. Returns the
    summary (``to_json()`` is the contract document).
    """
    from kneeguard.storage.activity_sink import DatabaseSink
    from kneeguard.storage.database import Database

    assert isinstance(db, Database)
    sink = DatabaseSink(db, dry_run=dry_run)
    try:
        summary = run_import(inputs, sink, limits=limits, workers=workers,
                             progress=progress if callable(progress) else None,
                             dry_run=dry_run)
        if not dry_run and summary.imported:
            with db.session() as session:
                assign_unlinked_runs(session)
    finally:
        sink.close()
    return summary


# ---------------------------------------------------------------- queries


@dataclass(frozen=True)
class StoredActivity:
    id: int
    sport: str
    sub_sport: str | None
    start_utc: datetime
    utc_offset_s: int
    distance_m: float
    timer_s: float
    elapsed_s: float
    elevation_gain_m: float | None
    avg_hr: float | None
    avg_cadence: float | None
    device: str | None
    shoe: str | None
    incomplete: bool
    sources: tuple[str, ...]

    def to_json(self) -> dict[str, object]:
        """The contract's ``kneeguard activities`` item (plus optional extra fields)."""
        return {
            "id": str(self.id),
            "sport": self.sport,
            "start_utc": self.start_utc.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "utc_offset_s": self.utc_offset_s,
            "distance_m": round(self.distance_m, 2),
            "timer_s": round(self.timer_s, 3),
            "elapsed_s": round(self.elapsed_s, 3),
            "incomplete": self.incomplete,
            "sources": list(self.sources),
            "sub_sport": self.sub_sport,
            "elevation_gain_m": self.elevation_gain_m,
            "avg_hr": self.avg_hr,
            "avg_cadence": self.avg_cadence,
            "device": self.device,
            "shoe": self.shoe,
        }


def _base_name(file_name: str) -> str:
    inner = file_name.rsplit(":", 1)[-1]
    return inner.replace("\\", "/").rsplit("/", 1)[-1]


def list_activities(session: Session, *, since: datetime | None = None,
                    until: datetime | None = None,
                    sports: Sequence[str] | None = None) -> list[StoredActivity]:
    """Stored activities, oldest first; ``since``/``until`` are instants (until exclusive)."""
    query = select(ActivityRow).order_by(ActivityRow.start_utc, ActivityRow.id)
    if since is not None:
        query = query.where(ActivityRow.start_utc >= since)
    if until is not None:
        query = query.where(ActivityRow.start_utc < until)
    if sports:
        query = query.where(ActivityRow.sport.in_(list(sports)))
    rows = list(session.scalars(query))
    ids = [r.id for r in rows]
    sources: dict[int, list[tuple[bool, int, str]]] = {}
    shoes = {s.id: s.name for s in session.scalars(select(ShoeRow))}
    for chunk in range(0, len(ids), 500):
        part = ids[chunk:chunk + 500]
        for src in session.execute(
                select(ActivitySourceRow.activity_id, ActivitySourceRow.preferred,
                       ActivitySourceRow.id, ActivitySourceRow.file_name)
                .where(ActivitySourceRow.activity_id.in_(part))):
            sources.setdefault(src[0], []).append((not src[1], src[2], _base_name(src[3])))
    out = []
    for r in rows:
        names = tuple(dict.fromkeys(n for _, _, n in sorted(sources.get(r.id, []))))
        out.append(StoredActivity(r.id, r.sport, r.sub_sport, r.start_utc, r.utc_offset_s,
                                  r.distance_m, r.timer_s, r.elapsed_s, r.elevation_gain_m,
                                  r.avg_hr, r.avg_cadence, r.device,
                                  shoes.get(r.shoe_id) if r.shoe_id else None,
                                  r.incomplete, names))
    return out


def count_activities(session: Session) -> int:
    return int(session.scalar(select(func.count(ActivityRow.id))) or 0)


def get_splits(session: Session, activity_id: int) -> list[SplitRow]:
    if session.get(ActivityRow, activity_id) is None:
        raise NotFound(f"there is no activity with id {activity_id}")
    return list(session.scalars(select(SplitRow).where(SplitRow.activity_id == activity_id)
                                .order_by(SplitRow.index)))


def delete_activity(session: Session, activity_id: int) -> None:
    if session.get(ActivityRow, activity_id) is None:
        raise NotFound(f"there is no activity with id {activity_id}")
    session.execute(delete(SplitRow).where(SplitRow.activity_id == activity_id))
    session.execute(delete(ActivitySourceRow).where(ActivitySourceRow.activity_id == activity_id))
    session.execute(delete(ActivityRow).where(ActivityRow.id == activity_id))


# ---------------------------------------------------------------- shoes


@dataclass(frozen=True)
class ShoeStatus:
    id: int
    name: str
    brand: str | None
    distance_km: float
    runs: int
    added_at: datetime | None
    retired_at: datetime | None
    limit_km: float | None
    last_run: datetime | None

    def to_json(self) -> dict[str, object]:
        def day(value: datetime | None) -> str | None:
            return value.date().isoformat() if value else None
        return {"name": self.name, "brand": self.brand,
                "distance_km": round(self.distance_km, 1), "runs": self.runs,
                "in_use_since": day(self.added_at), "retired": day(self.retired_at),
                "limit_km": self.limit_km, "last_run": day(self.last_run)}


def list_shoes(session: Session) -> list[ShoeStatus]:
    """Every shoe with the distance run in it (its start distance plus linked runs)."""
    totals = {row[0]: (row[1], row[2], row[3]) for row in session.execute(
        select(ActivityRow.shoe_id, func.sum(ActivityRow.distance_m), func.count(ActivityRow.id),
               func.max(ActivityRow.start_utc))
        .where(ActivityRow.shoe_id.is_not(None), ActivityRow.sport.in_(RUNNING_SPORTS))
        .group_by(ActivityRow.shoe_id))}
    out = []
    for shoe in session.scalars(select(ShoeRow).order_by(ShoeRow.retired_at.is_not(None),
                                                         ShoeRow.name)):
        metres, runs, last = totals.get(shoe.id, (0.0, 0, None))
        last_run = last.replace(tzinfo=UTC) if isinstance(last, datetime) and \
            last.tzinfo is None else last
        out.append(ShoeStatus(shoe.id, shoe.name, shoe.brand,
                              (shoe.start_km or 0.0) + (metres or 0.0) / 1000.0, int(runs or 0),
                              shoe.added_at, shoe.retired_at, shoe.limit_km, last_run))
    return out


def add_shoe(session: Session, name: str, *, brand: str | None = None, start_km: float = 0.0,
             limit_km: float | None = None, since: datetime | None = None) -> ShoeStatus:
    """Add a pair of shoes; with ``since``, runs from then on without a shoe are linked to it."""
    name = name.strip()
    if not name:
        raise InputError("a shoe needs a name", field="NAME")
    if start_km < 0 or (limit_km is not None and limit_km <= 0):
        raise InputError("shoe distances must be positive", field="--start-km")
    if session.scalar(select(ShoeRow.id).where(ShoeRow.name == name)):
        raise InputError(f"there is already a shoe named {name!r}", field="NAME")
    session.add(ShoeRow(name=name, brand=brand, start_km=start_km, limit_km=limit_km,
                        added_at=since))
    session.flush()
    assign_unlinked_runs(session)
    return next(s for s in list_shoes(session) if s.name == name)


def retire_shoe(session: Session, name: str, when: datetime | None = None) -> ShoeStatus:
    shoe = session.scalar(select(ShoeRow).where(ShoeRow.name == name))
    if shoe is None:
        known = ", ".join(session.scalars(select(ShoeRow.name).order_by(ShoeRow.name))) or "none"
        raise NotFound(f"there is no shoe named {name!r} (known: {known})")
    shoe.retired_at = when or utcnow()
    session.flush()
    return next(s for s in list_shoes(session) if s.name == name)


def assign_unlinked_runs(session: Session) -> int:
    """Link runs without a shoe to the one shoe in use then (a shoe with an 'in use since').

    A run is linked only when exactly one such shoe covers its date; returns how many.
    """
    shoes = list(session.scalars(select(ShoeRow).where(ShoeRow.added_at.is_not(None))))
    if not shoes:
        return 0
    linked = 0
    for run in session.scalars(select(ActivityRow).where(ActivityRow.shoe_id.is_(None),
                                                         ActivityRow.sport.in_(RUNNING_SPORTS))):
        fits = [s for s in shoes if s.added_at is not None and s.added_at <= run.start_utc
                and (s.retired_at is None or run.start_utc < s.retired_at)]
        if len(fits) == 1:
            run.shoe_id = fits[0].id
            linked += 1
    session.flush()
    return linked
