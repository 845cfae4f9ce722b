"""Plausibility checks shared by the readers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


def check_start(start: datetime, now: datetime | None = None) -> str | None:
    """The reason a start instant is impossible (before 2000 or in the future), or None."""
    now = now or datetime.now(UTC)
    if start < EARLIEST:
        return f"impossible date {start:%Y-%m-%d} (before 2000; the device clock was not set)"
    if start > now + timedelta(days=1):
        return f"impossible date {start:%Y-%m-%d} (in the future)"
    return None
