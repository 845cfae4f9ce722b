"""Daily and weekly running series in the runner's local calendar.

A run belongs to the local calendar day on which it started: its UTC start
plus the UTC offset stored with that very activity. Each activity carries its
own offset, so a daylight-saving weekend or a runner crossing time zones
never splits a day in two or counts one twice. Weeks run Monday to Sunday
(ISO 8601), as in shared/contracts/cli-json.md.

Only running sports (running, trail running, treadmill running) count toward
running load; other sports are kept separately (``other_km``) so they can be
shown beside it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from kneeguard.training.model import Run


@dataclass(frozen=True, slots=True)
class DailySeries:
    """One value per local calendar day from ``start`` to ``start + len - 1``.

    ``km`` is running distance, ``runs`` the number of running activities,
    ``longest_km`` the longest single run, ``seconds`` running timer time and
    ``other_km`` the distance of every other sport. Rest days hold zeros.
    """

    start: date
    km: list[float]
    runs: list[int]
    longest_km: list[float]
    seconds: list[float]
    other_km: list[float]

    def __len__(self) -> int:
        return len(self.km)

    @property
    def end(self) -> date:
        return self.start + timedelta(days=len(self.km) - 1)

    def day(self, index: int) -> date:
        return self.start + timedelta(days=index)

    def index(self, day: date) -> int:
        return (day - self.start).days


@dataclass(frozen=True, slots=True)
class Week:
    """A Monday-to-Sunday week of running; ``change_pct`` is against the week before.

    ``change_pct`` is ``None`` when the week before had no running (no basis).
    """

    week_start: date
    km: float
    runs: int
    longest_km: float
    seconds: float
    other_km: dict[str, float] = field(default_factory=dict)
    change_pct: float | None = None


def monday(day: date) -> date:
    """The Monday that starts ``day``'s week."""
    return day - timedelta(days=day.weekday())


def daily_series(runs: Iterable[Run], start: date | None = None,
                 end: date | None = None) -> DailySeries:
    """Sum ``runs`` into one entry per local day from ``start`` to ``end`` (inclusive).

    Without ``start``/``end`` the series covers the first to the last activity
    of any sport. Activities outside the range are left out.
    """
    items = [(r.local_day, r) for r in runs]
    if start is None or end is None:
        days = [d for d, _ in items]
        if not days and (start is None or end is None):
            raise ValueError("an empty history needs an explicit start and end")
        start = min(days) if start is None else start
        end = max(days) if end is None else end
    n = max((end - start).days + 1, 0)
    km = [0.0] * n
    count = [0] * n
    longest = [0.0] * n
    seconds = [0.0] * n
    other = [0.0] * n
    for day, run in items:
        i = (day - start).days
        if not 0 <= i < n:
            continue
        if run.is_running:
            distance = run.distance_m / 1000.0
            km[i] += distance
            count[i] += 1
            seconds[i] += run.timer_s
            if distance > longest[i]:
                longest[i] = distance
        else:
            other[i] += run.distance_m / 1000.0
    return DailySeries(start, km, count, longest, seconds, other)


def change_pct(current: float, previous: float) -> float | None:
    """Percent change from ``previous`` to ``current``; ``None`` without a basis."""
    if previous <= 0.0:
        return None
    return 100.0 * (current - previous) / previous


def weekly_series(runs: Iterable[Run], end: date | None = None) -> list[Week]:
    """Monday-to-Sunday weeks from the first to the last activity's week (or ``end``'s).

    Weeks without running are included with zeros, so gaps stay visible.
    A week's ``km``, ``runs`` and ``seconds`` are the sums of its seven days
    in :func:`daily_series`, and ``longest_km`` their maximum.
    """
    runs = list(runs)
    if not runs:
        return []
    first = monday(min(r.local_day for r in runs))
    last_day = max(r.local_day for r in runs) if end is None else end
    last = monday(last_day) + timedelta(days=6)
    series = daily_series(runs, first, last)
    others: dict[date, dict[str, float]] = {}
    for run in runs:
        if not run.is_running:
            sports = others.setdefault(monday(run.local_day), {})
            sports[run.sport] = sports.get(run.sport, 0.0) + run.km
    weeks: list[Week] = []
    previous: float | None = None
    for i in range(0, len(series), 7):
        km = sum(series.km[i:i + 7])
        week_start = series.day(i)
        weeks.append(Week(
            week_start=week_start,
            km=km,
            runs=sum(series.runs[i:i + 7]),
            longest_km=max(series.longest_km[i:i + 7]),
            seconds=sum(series.seconds[i:i + 7]),
            other_km=dict(sorted(others.get(week_start, {}).items())),
            change_pct=None if previous is None else change_pct(km, previous),
        ))
        previous = km
    return weeks
