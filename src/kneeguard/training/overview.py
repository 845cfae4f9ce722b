"""The training overview: weeks, warnings and load context, as the CLI and web show it.

:meth:`Overview.to_json` is the document of ``kneeguard training --format
json`` (shared/contracts/cli-json.md): running only, Monday-to-Sunday weeks
in the runner's local calendar. Two optional fields extend each week:
``other_sports_km`` (distance per other sport) and ``load`` (the load context
of :mod:`kneeguard.training.metrics` on the week's last day, ``null`` in the
first 28 days of history).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from kneeguard.training.metrics import LoadContext, LoadSeries
from kneeguard.training.model import Run, Shoe, Warning
from kneeguard.training.series import Week, daily_series, monday, weekly_series
from kneeguard.training.warnings import DEFAULT_SHOE_LIMIT_KM, training_warnings


@dataclass(frozen=True, slots=True)
class WeekRow:
    week: Week
    load: LoadContext | None

    def to_json(self) -> dict[str, Any]:
        w = self.week
        return {
            "week_start": w.week_start.isoformat(),
            "distance_km": round(w.km, 2),
            "runs": w.runs,
            "longest_km": round(w.longest_km, 2),
            "change_pct": None if w.change_pct is None else round(w.change_pct, 1),
            "other_sports_km": {k: round(v, 2) for k, v in w.other_km.items()},
            "load": None if self.load is None else _load_json(self.load),
        }


def _load_json(load: LoadContext) -> dict[str, Any]:
    return {"acwr": None if load.acwr is None else round(load.acwr, 2),
            "ctl": round(load.ctl, 1), "atl": round(load.atl, 1), "tsb": round(load.tsb, 1),
            "monotony": round(load.monotony, 2), "strain": round(load.strain, 1)}


@dataclass(frozen=True, slots=True)
class Overview:
    """The last weeks of training with the warnings that fall in them."""

    weeks: list[WeekRow]
    warnings: list[Warning]
    last_run: date | None

    @property
    def empty(self) -> bool:
        return not self.weeks

    def to_json(self) -> dict[str, Any]:
        return {"weeks": [w.to_json() for w in self.weeks],
                "warnings": [w.to_json() for w in self.warnings]}


def overview(runs: Iterable[Run], shoes: Iterable[Shoe] = (), weeks: int | None = None,
             shoe_limit_km: float = DEFAULT_SHOE_LIMIT_KM,
             today: date | None = None) -> Overview:
    """Weeks from the first to the last activity (the last ``weeks`` of them when given).

    Warnings are those dated inside the weeks shown. ``today`` (when given)
    leaves out activities after it and is the day of the latest load context.
    """
    runs = [r for r in runs if today is None or r.local_day <= today]
    if not runs:
        return Overview([], [], None)
    all_weeks = weekly_series(runs)
    first_day = min(r.local_day for r in runs)
    start = monday(first_day)
    series = daily_series(runs, start, all_weeks[-1].week_start + timedelta(days=6))
    loads = LoadSeries(series.km, history_start=series.index(first_day))
    rows: list[WeekRow] = []
    for week in all_weeks if weeks is None else all_weeks[-weeks:]:
        last = week.week_start + timedelta(days=6)
        if today is not None and last > today:
            last = today
        rows.append(WeekRow(week, loads.at(series.index(last))))
    shown_from = rows[0].week.week_start if rows else first_day
    warnings = [w for w in training_warnings(runs, shoes, shoe_limit_km)
                if w.date >= shown_from]
    running_days = [r.local_day for r in runs if r.is_running and r.distance_m > 0]
    return Overview(rows, warnings, max(running_days) if running_days else None)


# Warnings drawn on the weekly chart: the overload a runner can see in a week.
CHART_FLAG_KINDS = ("weekly_jump", "pace_jump", "run_spike", "comeback")


def week_flags(warnings: Iterable[Warning], week_starts: Iterable[date]) -> dict[date, list[str]]:
    """The chart labels per week: each flagged warning on the week it falls in, once.

    Warnings dated before the first of ``week_starts`` are left out. The web training
    page and the therapist's report mark their weekly charts with this.
    """
    starts = sorted(week_starts)
    flags: dict[date, list[str]] = {}
    for w in warnings:
        if w.kind not in CHART_FLAG_KINDS:
            continue
        start = max((s for s in starts if s <= w.date), default=None)
        if start is None:
            continue
        label = w.kind.replace("_", " ")
        if label not in flags.setdefault(start, []):
            flags[start].append(label)
    return flags
