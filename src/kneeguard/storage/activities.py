"""Stored activities, their source files, per-kilometre splits and shoes.

One ``activities`` row per activity (a multisport file gives one per leg);
every file it was read from is an ``activity_sources`` row (the preferred
source first), so a duplicate from the phone or a re-import adds a source,
never a second activity.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kneeguard.storage.base import Base, UTCDateTime

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
