"""Pain-journal entries: the model and its validation.

An entry records one day, or one run of that day: pain before, during and
after running (0-10 numeric rating), the distance into the run at which pain
began, where it hurt (the location ids of shared/contracts/assessment-answers.md),
swelling (none, mild, marked) and a free note. Storage links it to that day's
run when there is one.

:func:`parse_entry` turns what a user typed (CLI flags, a web form, JSON) into
an :class:`Entry` or raises :class:`~kneeguard.errors.JournalError` with one
sentence naming the field that is wrong.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from kneeguard.errors import JournalError

LOCATIONS: tuple[str, ...] = (
    "around_or_behind_kneecap", "outside_of_knee", "below_kneecap_on_tendon",
    "inside_just_below_joint", "front_of_kneecap_surface", "inside_joint_line",
    "outside_joint_line", "back_of_knee", "whole_knee")
SWELLING: tuple[str, ...] = ("none", "mild", "marked")
PAIN_FIELDS: tuple[str, ...] = ("pain_before", "pain_during", "pain_after")
FIELDS: frozenset[str] = frozenset(
    {"day", "run_id", *PAIN_FIELDS, "pain_onset_km", "locations", "swelling", "note"})
MAX_ONSET_KM = 300.0
MAX_NOTE_CHARS = 2000
EARLIEST_DAY = date(1970, 1, 1)


@dataclass(frozen=True, slots=True)
class Entry:
    """One journal entry. ``id``, ``run_id`` and ``run_km`` are set once stored."""

    day: date
    pain_before: int | None = None
    pain_during: int | None = None
    pain_after: int | None = None
    pain_onset_km: float | None = None
    locations: tuple[str, ...] = ()
    swelling: str | None = None
    note: str = ""
    run_id: int | None = None
    run_km: float | None = None
    id: int | None = None

    @property
    def ratings(self) -> list[int]:
        return [r for r in (self.pain_before, self.pain_during, self.pain_after)
                if r is not None]

    @property
    def worst(self) -> int | None:
        """The highest of the three ratings, or ``None`` when none was given."""
        return max(self.ratings, default=None)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "day": self.day.isoformat(), "run_id": self.run_id,
                "run_km": None if self.run_km is None else round(self.run_km, 2),
                "pain_before": self.pain_before, "pain_during": self.pain_during,
                "pain_after": self.pain_after, "pain_onset_km": self.pain_onset_km,
                "locations": list(self.locations), "swelling": self.swelling,
                "note": self.note}


def _fail(message: str, field: str) -> JournalError:
    return JournalError(f"journal entry: {message}", field=field)


def _day(value: Any, today: date) -> date:
    if isinstance(value, date):
        day = value
    elif isinstance(value, str):
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            raise _fail(f"day must be a date like 2026-03-07, not {value!r}", "day") from None
    else:
        raise _fail(f"day must be a date like 2026-03-07, not {value!r}", "day")
    if day > today:
        raise _fail(f"day {day.isoformat()} is in the future (today is {today.isoformat()})",
                    "day")
    if day < EARLIEST_DAY:
        raise _fail(f"day {day.isoformat()} is before 1970", "day")
    return day


def _rating(name: str, value: Any) -> int | None:
    if value is None:
        return None
    number: Any = value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        number = int(value.strip())
    if isinstance(number, float) and number.is_integer():
        number = int(number)
    if isinstance(number, bool) or not isinstance(number, int) or not 0 <= number <= 10:
        raise _fail(f"{name} must be a whole number from 0 to 10, not {value!r}", name)
    return number


def _onset(value: Any) -> float | None:
    if value is None:
        return None
    number: Any = value
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = value
    if isinstance(number, bool) or not isinstance(number, int | float) \
            or not math.isfinite(number) or not 0 <= number <= MAX_ONSET_KM:
        raise _fail(f"pain_onset_km must be a distance in km from 0 to {MAX_ONSET_KM:g}, "
                    f"not {value!r}", "pain_onset_km")
    return round(float(number), 3)


def _locations(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, list | tuple):
        raise _fail(f"locations must be a list of location ids, not {value!r}", "locations")
    seen: list[str] = []
    for item in value:
        if item not in LOCATIONS:
            raise _fail(f"unknown location {item!r} (known: {', '.join(LOCATIONS)})",
                        "locations")
        if item not in seen:
            seen.append(item)
    return tuple(seen)


def _swelling(value: Any) -> str | None:
    if value is None:
        return None
    if value not in SWELLING:
        raise _fail(f"swelling must be one of none, mild, marked, not {value!r}", "swelling")
    return str(value)


def _note(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _fail(f"note must be text, not {type(value).__name__}", "note")
    if len(value) > MAX_NOTE_CHARS:
        raise _fail(f"note is {len(value)} characters long; at most {MAX_NOTE_CHARS} fit",
                    "note")
    if any(ord(c) < 32 and c not in "\n\t" for c in value):
        raise _fail("note contains control characters", "note")
    return value.strip()


def _run_id(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _fail(f"run_id must be the id of a stored run, not {value!r}", "run_id")
    return value


def check_field(name: str, value: Any, today: date) -> Any:
    """Validate one field on its own (for interactive input); returns the parsed value."""
    if name == "day":
        return _day(value, today)
    if name in PAIN_FIELDS:
        return _rating(name, value)
    checks = {"pain_onset_km": _onset, "locations": _locations, "swelling": _swelling,
              "note": _note, "run_id": _run_id}
    if name not in checks:
        raise JournalError(f"journal entry: unknown field {name!r}", field=name)
    return checks[name](value)


def parse_entry(data: Mapping[str, Any], today: date) -> Entry:
    """Validate one entry (missing ``day`` means ``today``); raise JournalError if wrong."""
    if not isinstance(data, Mapping):
        raise JournalError("journal entry: expected an object with the entry's fields")
    unknown = sorted(set(data) - FIELDS)
    if unknown:
        raise _fail(f"unknown field {unknown[0]!r} (known: {', '.join(sorted(FIELDS))})",
                    unknown[0])
    entry = Entry(
        day=_day(data.get("day", today) or today, today),
        pain_before=_rating("pain_before", data.get("pain_before")),
        pain_during=_rating("pain_during", data.get("pain_during")),
        pain_after=_rating("pain_after", data.get("pain_after")),
        pain_onset_km=_onset(data.get("pain_onset_km")),
        locations=_locations(data.get("locations")),
        swelling=_swelling(data.get("swelling")),
        note=_note(data.get("note")),
        run_id=_run_id(data.get("run_id")),
    )
    if entry.pain_onset_km is not None and entry.pain_during == 0:
        raise _fail("pain_onset_km is given but pain_during is 0; give the pain during the "
                    "run or leave the onset out", "pain_onset_km")
    if not (entry.ratings or entry.pain_onset_km is not None or entry.locations
            or entry.swelling is not None or entry.note):
        raise JournalError("journal entry: nothing to record; give at least one pain rating, "
                           "the onset distance, a location, swelling or a note")
    return entry


def check_onset_within_run(entry: Entry, run_km: float) -> None:
    """Refuse an onset distance beyond the end of the linked run."""
    if entry.pain_onset_km is not None and entry.pain_onset_km > run_km + 0.05:
        raise _fail(f"pain_onset_km {entry.pain_onset_km:g} km is beyond the end of the "
                    f"{run_km:.1f} km run it belongs to", "pain_onset_km")
