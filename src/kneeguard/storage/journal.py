"""Stored pain journal: the ``journal_entries`` table and its queries.

One row per entry (a day, or a run of that day). ``activity_id`` links the
entry to its run; a run has at most one entry (``uq_journal_entries_activity_id``)
and deleting the run keeps the entry, unlinked. Ratings are checked in the
database too (0-10), besides :func:`kneeguard.journal.parse_entry`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from kneeguard.errors import JournalError, NotFound
from kneeguard.journal.entries import Entry, check_onset_within_run
from kneeguard.storage.activities import RUNNING_SPORTS, ActivityRow
from kneeguard.storage.base import Base, UTCDateTime, utcnow


class JournalEntryRow(Base):
    __tablename__ = "journal_entries"
    __table_args__ = (
        CheckConstraint("pain_before BETWEEN 0 AND 10", name="pain_before_range"),
        CheckConstraint("pain_during BETWEEN 0 AND 10", name="pain_during_range"),
        CheckConstraint("pain_after BETWEEN 0 AND 10", name="pain_after_range"),
        CheckConstraint("pain_onset_km >= 0", name="pain_onset_km_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    activity_id: Mapped[int | None] = mapped_column(
        ForeignKey("activities.id", ondelete="SET NULL"), unique=True)
    pain_before: Mapped[int | None] = mapped_column(Integer)
    pain_during: Mapped[int | None] = mapped_column(Integer)
    pain_after: Mapped[int | None] = mapped_column(Integer)
    pain_onset_km: Mapped[float | None] = mapped_column(Float)
    locations: Mapped[list[str]] = mapped_column(JSON)
    swelling: Mapped[str | None] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


def _local_day(start_utc: datetime, offset_s: int) -> date:
    return (start_utc + timedelta(seconds=offset_s)).date()


def runs_on_day(session: Session, day: date) -> list[ActivityRow]:
    """The running activities that started on local day ``day``, earliest first."""
    lo = datetime.combine(day - timedelta(days=1), time(), tzinfo=UTC)
    hi = datetime.combine(day + timedelta(days=2), time(), tzinfo=UTC)
    rows = session.scalars(
        select(ActivityRow)
        .where(ActivityRow.start_utc >= lo, ActivityRow.start_utc < hi,
               ActivityRow.sport.in_(RUNNING_SPORTS))
        .order_by(ActivityRow.start_utc, ActivityRow.id))
    return [r for r in rows if _local_day(r.start_utc, r.utc_offset_s) == day]


def run_day(session: Session, run_id: int) -> date:
    """The local day of stored run ``run_id``."""
    return _local_day(*_running(session, run_id)[1:])


def _running(session: Session, run_id: int) -> tuple[ActivityRow, datetime, int]:
    row = session.get(ActivityRow, run_id)
    if row is None:
        raise NotFound(f"there is no activity with id {run_id}")
    if row.sport not in RUNNING_SPORTS:
        raise JournalError(f"journal entry: activity {run_id} is {row.sport}, not a run",
                           field="run_id")
    return row, row.start_utc, row.utc_offset_s


def _linked(session: Session, activity_id: int) -> int | None:
    return session.scalar(select(JournalEntryRow.id)
                          .where(JournalEntryRow.activity_id == activity_id))


def add_entry(session: Session, entry: Entry) -> Entry:
    """Store ``entry`` (validated by ``parse_entry``), linked to its run, and return it.

    With ``run_id`` the run must be a stored run on the entry's day without an
    entry yet; without it the entry is linked to the day's latest run that has
    no entry, if any.
    """
    run: ActivityRow | None = None
    if entry.run_id is not None:
        run, start, offset = _running(session, entry.run_id)
        if _local_day(start, offset) != entry.day:
            raise JournalError(
                f"journal entry: run {entry.run_id} was on {_local_day(start, offset)}, not on "
                f"{entry.day.isoformat()}", field="run_id")
        existing = _linked(session, run.id)
        if existing is not None:
            raise JournalError(f"journal entry: run {run.id} already has journal entry "
                               f"{existing}", field="run_id")
    else:
        free = [r for r in runs_on_day(session, entry.day) if _linked(session, r.id) is None]
        run = free[-1] if free else None
    if run is not None:
        check_onset_within_run(entry, run.distance_m / 1000.0)
    row = JournalEntryRow(
        day=entry.day, activity_id=run.id if run is not None else None,
        pain_before=entry.pain_before, pain_during=entry.pain_during,
        pain_after=entry.pain_after, pain_onset_km=entry.pain_onset_km,
        locations=list(entry.locations), swelling=entry.swelling, note=entry.note,
        created_at=utcnow())
    session.add(row)
    session.flush()
    return _entry(row, run.distance_m if run is not None else None)


def _entry(row: JournalEntryRow, run_m: float | None) -> Entry:
    return Entry(day=row.day, pain_before=row.pain_before, pain_during=row.pain_during,
                 pain_after=row.pain_after, pain_onset_km=row.pain_onset_km,
                 locations=tuple(row.locations or ()), swelling=row.swelling,
                 note=row.note, run_id=row.activity_id,
                 run_km=None if run_m is None else run_m / 1000.0, id=row.id)


def list_entries(session: Session, since: date | None = None,
                 until: date | None = None) -> list[Entry]:
    """Journal entries, oldest first (by day, then by when they were written)."""
    query: Any = (select(JournalEntryRow, ActivityRow.distance_m)
                  .outerjoin(ActivityRow, ActivityRow.id == JournalEntryRow.activity_id)
                  .order_by(JournalEntryRow.day, JournalEntryRow.id))
    if since is not None:
        query = query.where(JournalEntryRow.day >= since)
    if until is not None:
        query = query.where(JournalEntryRow.day <= until)
    return [_entry(row, distance) for row, distance in session.execute(query)]


def delete_entry(session: Session, entry_id: int) -> None:
    row = session.get(JournalEntryRow, entry_id)
    if row is None:
        raise NotFound(f"there is no journal entry with id {entry_id}")
    session.delete(row)
    session.flush()
