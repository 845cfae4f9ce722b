"""The next 4-8 weeks of running, day by day: a safe way back.

Rules (from the training issue; the numbers are conventions unless cited):

* Weekly growth is capped at ``growth_pct`` (default 10%, the clinic's rule;
  setting ``weekly_growth_pct``, allowed 0-30: more than 30% a week is where
  Nielsen et al. 2014 saw more overuse injuries). A week never exceeds the
  previous build week (cut-back weeks do not lower the reference) by more
  than the cap; week 1 is capped against the usual week: the median of the
  four 7-day totals ending today (one spike week does not raise it).
* No single run more than 10% longer than the longest run of the 30 days
  before it, counting the history and the plan's own runs (Frandsen et al.
  2025: runs over 10% longer than that raised the injury hazard).
* A cut-back week of about 30% less every fourth week (every third week in a
  return programme).
* A walk-run return programme after a break (14 or more days without
  running, van der Worp et al. 2015), without a history, or when the latest
  assessment says to reduce running (an injury): three sessions a week,
  starting at half the usual week (median of the last four) before the break or injury (6 km for a
  first start) with walk breaks that shrink week by week until running is
  continuous.
* Every week carries the pain rule of the clinic: stop and see a physical
  therapist if pain goes above 3/10 before, during or after running; don't
  run on a swollen knee.
* If the latest assessment says stop (or the journal shows pain above 3/10 or
  swelling in the last 7 days), the plan is a stop, with the reasons.

Distances are rounded *down* to 0.1 km so that rounding never breaks a cap.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from kneeguard.errors import ConfigError, InputError
from kneeguard.training.model import Run, running_only

PAIN_RULE = ("Stop and see a physical therapist if pain goes above 3/10 before, during or "
             "after a run; don't run while the knee is swollen.")
MIN_WEEKS, MAX_WEEKS = 4, 8
MAX_GROWTH_PCT = 30.0
RUN_CAP = 1.10
CUTBACK_FACTOR = 0.7
BREAK_REST_DAYS = 14
FIRST_START_KM = 6.0
MIN_RUN_KM = 1.0
#: Walk-run stages of the return programme; the last one is continuous running.
STAGES = ("run 1 min, walk 2 min", "run 2 min, walk 1 min", "run 4 min, walk 1 min",
          "run 8 min, walk 1 min", "continuous easy running")
#: Weekday numbers (Monday = 0) that carry runs, by runs per week; the long run is last.
RUN_DAYS = {1: (6,), 2: (2, 6), 3: (1, 3, 6), 4: (1, 3, 5, 6), 5: (0, 1, 3, 5, 6),
            6: (0, 1, 2, 4, 5, 6)}


@dataclass(frozen=True, slots=True)
class PlannedDay:
    day: date
    kind: str  # rest | run | long_run | walk_run
    km: float
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"date": self.day.isoformat(), "kind": self.kind, "km": self.km,
                "note": self.note}


@dataclass(frozen=True, slots=True)
class PlannedWeek:
    week_start: date
    km: float
    cutback: bool
    focus: str
    days: list[PlannedDay]
    pain_rule: str = PAIN_RULE

    def to_json(self) -> dict[str, Any]:
        return {"week_start": self.week_start.isoformat(), "km": self.km,
                "cutback": self.cutback, "focus": self.focus, "pain_rule": self.pain_rule,
                "days": [d.to_json() for d in self.days]}


@dataclass(frozen=True, slots=True)
class Plan:
    status: str  # plan | stop
    mode: str | None  # build | return (None when stopped)
    start: date
    growth_pct: float
    reasons: list[str]
    weekly_level_km: float
    longest_30d_km: float
    weeks: list[PlannedWeek] = field(default_factory=list)
    pain_rule: str = PAIN_RULE

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status, "mode": self.mode, "start": self.start.isoformat(),
                "growth_pct": self.growth_pct, "reasons": self.reasons,
                "weekly_level_km": round(self.weekly_level_km, 1),
                "longest_30d_km": round(self.longest_30d_km, 1),
                "pain_rule": self.pain_rule, "weeks": [w.to_json() for w in self.weeks]}


def _floor(km: float) -> float:
    return math.floor(km * 10.0 + 1e-9) / 10.0


def plan_start(today: date) -> date:
    """The plan starts on the coming Monday (today when today is a Monday)."""
    return today + timedelta(days=(7 - today.weekday()) % 7)


def plan_advice(
    assessment_result: Mapping[str, Any] | None,
    assessed_on: date | None,
    stop_findings: Sequence[str] = (),
) -> tuple[str | None, list[str]]:
    """The running advice and stop reasons a plan starts from.

    ``assessment_result`` is the latest assessment's result (the result contract) made on
    ``assessed_on``; ``stop_findings`` are the journal's reasons to stop (pain above 3/10,
    swelling). The CLI, the web app and the report all build their plan from this.
    """
    advice: str | None = None
    reasons: list[str] = []
    if assessment_result is not None:
        running = assessment_result.get("running", {})
        advice = running.get("advice")
        if advice == "stop":
            when = f" ({assessed_on.isoformat()})" if assessed_on is not None else ""
            reasons.append(f"Your latest assessment{when} says stop running.")
            reasons += [str(r) for r in running.get("reasons", [])]
            level = assessment_result.get("triage", {}).get("level")
            if level and level != "self_care":
                reasons.append(f"Triage: {str(level).replace('_', ' ')}.")
    reasons += list(stop_findings)
    return advice, list(dict.fromkeys(reasons))


def make_plan(
    runs: Iterable[Run],
    today: date,
    weeks: int = 6,
    growth_pct: float = 10.0,
    advice: str | None = None,
    stop_reasons: Sequence[str] = (),
) -> Plan:
    """Plan ``weeks`` weeks from the history up to ``today``.

    ``advice`` is the latest assessment's running advice (stop, reduce,
    continue, or ``None`` without one); ``stop_reasons`` are the reasons to
    stop (from the assessment or the journal). Any stop reason, or advice
    "stop", gives a stop plan without weeks.
    """
    if not MIN_WEEKS <= weeks <= MAX_WEEKS:
        raise InputError(f"the plan covers 4 to 8 weeks, not {weeks}", field="weeks")
    if not 0.0 <= growth_pct <= MAX_GROWTH_PCT or math.isnan(growth_pct):
        raise ConfigError(f"weekly_growth_pct must be between 0 and 30 percent, not "
                          f"{growth_pct:g} (over 30% a week is linked to overuse injuries)")
    start = plan_start(today)
    history = [r for r in running_only(list(runs)) if r.distance_m > 0 and r.local_day <= today]
    level = weekly_level(history, today)
    longest = max((r.km for r in history if (start - r.local_day).days <= 30), default=0.0)
    if advice == "stop" or stop_reasons:
        why = list(stop_reasons) or ["Your latest assessment says to stop running."]
        return Plan("stop", None, start, growth_pct, why, level, longest)

    last = history[-1].local_day if history else None
    rest_days = (today - last).days if last is not None else None
    reasons: list[str] = []
    stage: int | None = None
    if last is None:
        mode, stage, first_week = "return", 0, FIRST_START_KM
        reasons.append("No running in the history (import it with kneeguard import to plan "
                       "from it): a walk-run start, three sessions a week.")
    elif rest_days is not None and rest_days >= BREAK_REST_DAYS:
        before = weekly_level(history, last)
        mode, stage = "return", (2 if rest_days < 28 else 0)
        first_week = _return_start(before)
        reasons.append(f"{rest_days} days without running: a walk-run return starting at "
                       f"half your usual week before the break ({before:.1f} km).")
    elif advice == "reduce":
        mode, stage = "return", 1
        first_week = _return_start(level)
        reasons.append("Your latest assessment says to reduce running: a walk-run return "
                       f"starting at half your usual week ({level:.1f} km).")
    else:
        mode = "build"
        first_week = level * (1.0 + growth_pct / 100.0)
        reasons.append(f"Building from your usual week ({level:.1f} km, median of the last 4) "
                       f"by at most {growth_pct:g}% a week.")

    per_week = 3 if mode == "return" else _runs_per_week(history, today)
    cutback_every = 3 if mode == "return" else 4
    planned = [(r.local_day, r.km) for r in history if (start - r.local_day).days <= 31]
    out: list[PlannedWeek] = []
    build_total: float | None = None
    for k in range(1, weeks + 1):
        week_start = start + timedelta(days=7 * (k - 1))
        cutback = k % cutback_every == 0
        if build_total is None:
            target = first_week
        elif cutback:
            target = build_total * CUTBACK_FACTOR
        else:
            target = build_total * (1.0 + growth_pct / 100.0)
        stage_text = STAGES[min(stage, len(STAGES) - 1)] if stage is not None else STAGES[-1]
        days = _lay_out_week(week_start, target, per_week, planned, stage_text)
        total = round(sum(d.km for d in days), 1)
        if cutback:
            focus = "Cut-back week: about 30% less to let the knee adapt."
        elif mode == "return" and stage is not None and stage < len(STAGES) - 1:
            focus = f"Walk-run: {stage_text}."
        else:
            focus = f"Build: at most {growth_pct:g}% more than the last build week."
        out.append(PlannedWeek(week_start, total, cutback, focus, days))
        if not cutback:
            build_total = total
            if stage is not None:
                stage += 1
    return Plan("plan", mode, start, growth_pct, reasons, level, longest, out)


def weekly_level(history: list[Run], last: date) -> float:
    """The median of the four 7-day totals ending on ``last``: the runner's usual week,
    robust to one spike week (the mean would build on the spike)."""
    totals = [0.0] * 4
    for run in history:
        age = (last - run.local_day).days
        if 0 <= age < 28:
            totals[age // 7] += run.km
    return statistics.median(totals)


def _return_start(before_km: float) -> float:
    if before_km <= 0.0:
        return FIRST_START_KM
    half = before_km / 2.0
    return half if half >= FIRST_START_KM else min(FIRST_START_KM, before_km)


def _runs_per_week(history: list[Run], today: date) -> int:
    recent = [r for r in history if (today - r.local_day).days < 28]
    return max(2, min(6, round(len(recent) / 4.0)))


def _lay_out_week(week_start: date, target: float, per_week: int,
                  planned: list[tuple[date, float]], stage_text: str) -> list[PlannedDay]:
    """Spread ``target`` km over the week, capping each run; appends runs to ``planned``."""
    count = max(1, min(per_week, int(target // MIN_RUN_KM))) if target >= MIN_RUN_KM else 0
    weekdays = RUN_DAYS.get(count, ())
    walk = stage_text != STAGES[-1]
    long_share = 1.0 / max(count, 1) if walk else (0.4 if count <= 3 else 0.35)
    shares = ([1.0] if count == 1 else
              [(1.0 - long_share) / (count - 1)] * (count - 1) + [long_share])
    days: list[PlannedDay] = []
    carry = 0.0  # what rounding down took from earlier runs of the week
    for offset in range(7):
        day = week_start + timedelta(days=offset)
        if offset not in weekdays:
            days.append(PlannedDay(day, "rest", 0.0, "Rest or cross-train without knee pain."))
            continue
        wanted = target * shares[weekdays.index(offset)] + carry
        cap = _run_cap(planned, day)
        km = _floor(min(wanted, cap))
        carry = 0.0 if wanted > cap else max(0.0, wanted - km)
        if km < MIN_RUN_KM:
            days.append(PlannedDay(day, "rest", 0.0, "Rest or cross-train without knee pain."))
            continue
        planned.append((day, km))
        if walk:
            days.append(PlannedDay(day, "walk_run", km, f"{stage_text}; repeat to cover "
                                                       f"{km:.1f} km."))
        elif offset == weekdays[-1] and count > 1:
            days.append(PlannedDay(day, "long_run", km, "Long run, easy pace."))
        else:
            days.append(PlannedDay(day, "run", km, "Easy run."))
    return days


def _run_cap(planned: list[tuple[date, float]], day: date) -> float:
    """10% over the longest run of the 30 days before ``day`` (no cap without one)."""
    window = [km for d, km in planned if 1 <= (day - d).days <= 30]
    return RUN_CAP * max(window) if window else math.inf
