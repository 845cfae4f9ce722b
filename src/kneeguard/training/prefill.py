"""Training answers for the next assessment, computed from the stored history.

The assessment contract (shared/contracts/assessment-answers.md) asks about
the training story; after an import kneeguard can answer four of its fields
itself, and the runner may override each one. A key is left out when the
history cannot answer it (unknown stays unknown):

``weekly_km_change_pct``
    Running distance of the 7 days ending on the latest run, against the
    mean week of the 21 days before them, in percent (the comparison behind
    the ``weekly_jump`` warning, Nielsen et al. 2014). Needs a run in the
    last 28 days, 28 days of history and some running in the 3 weeks before.
``pace_change_pct``
    Average speed (total distance / total timer time) of the same 7 days
    against the 21 days before, for the sport with the most distance in the
    7 days, using runs of at least 1 km at a plausible speed; positive means
    faster. Needs at least one such run in the 7 days and two before.
``returning_after_break_weeks``
    Length in weeks of the most recent break of 14 or more days without
    running that ended (with a run) in the last 8 weeks; 0 when there was
    none. A break still going on has not ended, so it also gives 0.
``shoe_km``
    Distance on the shoes of the latest run that names a pair: the pair's
    start distance plus every run in it up to today.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

from kneeguard.training.model import Run, Shoe, running_only
from kneeguard.training.series import daily_series
from kneeguard.training.warnings import COMEBACK_REST_DAYS, shoe_mileage

RECENT_RUN_DAYS = 28
RECENT_BREAK_DAYS = 56


def training_prefill(runs: Iterable[Run], shoes: Iterable[Shoe], today: date) -> dict[str, Any]:
    """The contract fields the history can answer, as of ``today`` (local date)."""
    history = [r for r in runs if r.local_day <= today]
    running = [r for r in running_only(history) if r.distance_m > 0]
    if not running:
        return {}
    out: dict[str, Any] = {}
    last = running[-1].local_day
    first = min(r.local_day for r in history)
    if (today - last).days <= RECENT_RUN_DAYS and (last - first).days >= 27:
        series = daily_series(running, last - timedelta(days=27), last)
        week = sum(series.km[21:])
        mean = sum(series.km[:21]) / 3.0
        if mean > 1e-9:
            out["weekly_km_change_pct"] = round(100.0 * (week - mean) / mean, 1)
        pace = _pace_change(running, last)
        if pace is not None:
            out["pace_change_pct"] = pace
    out["returning_after_break_weeks"] = _recent_break_weeks(running, today)
    shod = [r for r in running if r.shoe is not None]
    if shod:
        name = shod[-1].shoe
        assert name is not None
        out["shoe_km"] = round(shoe_mileage(running, shoes).get(name, 0.0), 1)
    return out


def _usable(run: Run) -> bool:
    return (run.distance_m >= 1000.0 and run.timer_s >= 60.0
            and 1.0 <= run.distance_m / run.timer_s <= 8.0)


def _pace_change(running: list[Run], last: date) -> float | None:
    week_from = last - timedelta(days=6)
    base_from = week_from - timedelta(days=21)
    recent = [r for r in running if week_from <= r.local_day <= last and _usable(r)]
    if not recent:
        return None
    km_by_sport: dict[str, float] = {}
    for run in recent:
        km_by_sport[run.sport] = km_by_sport.get(run.sport, 0.0) + run.distance_m
    sport = max(sorted(km_by_sport), key=lambda s: km_by_sport[s])
    recent = [r for r in recent if r.sport == sport]
    base = [r for r in running
            if base_from <= r.local_day < week_from and r.sport == sport and _usable(r)]
    if len(base) < 2:
        return None
    speed = sum(r.distance_m for r in recent) / sum(r.timer_s for r in recent)
    base_speed = sum(r.distance_m for r in base) / sum(r.timer_s for r in base)
    return round(100.0 * (speed / base_speed - 1.0), 1)


def _recent_break_weeks(running: list[Run], today: date) -> float:
    days = sorted({r.local_day for r in running})
    for previous, current in reversed(list(pairwise(days))):
        if (today - current).days > RECENT_BREAK_DAYS:
            break
        rest = (current - previous).days - 1
        if rest >= COMEBACK_REST_DAYS:
            return round(rest / 7.0, 1)
    return 0.0
