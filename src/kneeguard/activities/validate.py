"""Plausibility checks shared by the readers."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
_FIRST = datetime.min.replace(tzinfo=UTC)
_LAST = datetime.max.replace(tzinfo=UTC)


def instant(seconds: float) -> datetime:
    """The aware UTC instant of unix ``seconds``.

    A damaged file can hold a time no ``datetime`` can represent; it becomes
    the first or last representable instant, which :func:`check_start` then
    refuses as an impossible date.
    """
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return _LAST if seconds > 0 else _FIRST


def check_start(start: datetime, now: datetime | None = None) -> str | None:
    """The reason a start instant is impossible (before 2000 or in the future), or None."""
    now = now or datetime.now(UTC)
    if start < EARLIEST:
        return f"impossible date {start:%Y-%m-%d} (before 2000; the device clock was not set)"
    if start > now + timedelta(days=1):
        return f"impossible date {start:%Y-%m-%d} (in the future)"
    return None


def number(value: Any) -> float | None:
    """A finite number, or None for anything else (text, NaN, infinity, booleans).

    Damaged files put all sorts of values where a number belongs.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def amount(value: Any) -> float | None:
    """A finite number that is not negative (a distance or a duration), or None."""
    v = number(value)
    return v if v is not None and v >= 0 else None
