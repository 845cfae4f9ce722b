"""What the pages and the API show, computed once from storage and the pure packages.

Each function takes a database and returns plain values; the page views
render them and the API returns them as JSON, so both always agree. Home and
training content is cached by :func:`kneeguard.web.cache.data_version`.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from kneeguard.journal import Entry, Finding
    from kneeguard.settings import Settings
    from kneeguard.storage import Database
    from kneeguard.storage.assessments import StoredAssessment
    from kneeguard.training import Overview, Plan, Run, Warning
    from kneeguard.web.cache import PageCache

RECENT_WARNING_DAYS = 28
HOME_WEEKS = 6


def cached(cache: PageCache, db: Database, name: str, params: tuple[Any, ...], today: date,
           build: Any) -> Any:
    """``build(session)`` once per data version, day and parameters."""

    def run() -> Any:
        with db.session() as session:
            return build(session)

    if not cache.enabled:
        return run()
    return cache.get((db.url, name, params, today, cache.version(db)), run)


def shoe_limit(settings: Settings) -> float:
    from kneeguard.errors import ConfigError

    limit = float(settings.shoe_limit_km)
    if not 500.0 <= limit <= 800.0:
        raise ConfigError(f"shoe_limit_km must be between 500 and 800 km, not {limit:g}")
    return limit


def severity_grade(evidence: str) -> str:
    """The kind of evidence behind a warning, from its citation ("Cohort study", ...)."""
    head = evidence.split(",", 1)[0].split(" (", 1)[0].split(":", 1)[0].strip()
    return head if len(head) <= 40 else "See the citation"


# -- training ----------------------------------------------------------------------------


@dataclass
class TrainingView:
    overview: Overview
    runs: list[Run]
    weeks_shown: int
    weekly_rows: list[dict[str, Any]]
    run_rows: list[dict[str, Any]]
    pace_rows: list[dict[str, Any]]
    shoes: list[dict[str, Any]]
    warnings: list[dict[str, Any]]
    charts: dict[str, str] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return self.overview.last_run is None


def _weekly_rows(view: Overview) -> list[dict[str, Any]]:
    from kneeguard.training.overview import week_flags

    flags = week_flags(view.warnings, (r.week.week_start for r in view.weeks))
    rows = []
    kms = [r.week.km for r in view.weeks]
    for i, row in enumerate(view.weeks):
        before = kms[max(0, i - 4):i]
        rows.append({"week_start": row.week.week_start.isoformat(), "km": row.week.km,
                     "runs": row.week.runs, "longest_km": row.week.longest_km,
                     "change_pct": row.week.change_pct,
                     "average_km": statistics.fmean(before) if len(before) == 4 else None,
                     "flag": ", ".join(flags.get(row.week.week_start, [])) or None})
    return rows


def _run_rows(runs: list[Run], warnings: list[Warning], since: date) -> list[dict[str, Any]]:
    spikes = {w.date: w.severity for w in warnings if w.kind == "run_spike"}
    out = []
    for r in runs:
        if r.is_running and r.distance_m > 0 and r.local_day >= since:
            out.append({"date": r.local_day.isoformat(), "km": r.km,
                        "spike": spikes.get(r.local_day)})
    return out


def _pace_rows(runs: list[Run], since: date) -> list[dict[str, Any]]:
    usable = [r for r in runs if r.is_running and r.distance_m >= 1000 and r.timer_s > 0
              and r.sport != "treadmill_running"]
    paces = [(r.local_day, r.timer_s / 60.0 / r.km) for r in usable]
    paces = [(d, p) for d, p in paces if 2.0 <= p <= 15.0]
    out = []
    for i, (day, value) in enumerate(paces):
        if day < since:
            continue
        window = [p for _, p in paces[max(0, i - 9):i + 1]]
        out.append({"date": day.isoformat(), "pace": value,
                    "trend": statistics.median(window) if len(window) >= 3 else None})
    return out


def _shoes(session: Session, runs: list[Run], limit: float) -> list[dict[str, Any]]:
    from kneeguard.storage.training import load_shoes
    from kneeguard.training.warnings import shoe_mileage

    shoes = load_shoes(session)
    mileage = shoe_mileage(runs, shoes)
    out = []
    for shoe in shoes:
        km = mileage.get(shoe.name, shoe.start_km)
        cap = shoe.limit_km or limit
        out.append({"name": shoe.name, "km": km, "limit_km": cap,
                    "retired": shoe.retired_at is not None, "over": km > cap})
    return sorted(out, key=lambda s: (s["retired"], -s["km"]))


def training_view(db: Database, settings: Settings, cache: PageCache, today: date,
                  weeks: int | None = 26, charts: bool = True) -> TrainingView:
    from kneeguard.report import charts as ch
    from kneeguard.storage.training import load_runs, load_shoes
    from kneeguard.training import overview

    limit = shoe_limit(settings)

    def build(session: Session) -> TrainingView:
        runs = load_runs(session)
        view = overview(runs, load_shoes(session), weeks=weeks, shoe_limit_km=limit,
                        today=today)
        since = view.weeks[0].week.week_start if view.weeks else today
        tv = TrainingView(
            overview=view, runs=runs, weeks_shown=len(view.weeks),
            weekly_rows=_weekly_rows(view), run_rows=_run_rows(runs, view.warnings, since),
            pace_rows=_pace_rows(runs, since), shoes=_shoes(session, runs, limit),
            warnings=[{**w.to_json(), "grade": severity_grade(w.evidence)}
                      for w in reversed(view.warnings)])
        if charts and not tv.empty:
            on = cache.enabled
            tv.charts["weekly"] = ch.to_svg(ch.weekly_distance(tv.weekly_rows),
                                            "Weekly running distance chart", cache=on)
            if tv.run_rows:
                tv.charts["runs"] = ch.to_svg(ch.runs(tv.run_rows), "Chart of each run's "
                                              "distance with long-run spikes", cache=on)
            if len(tv.pace_rows) >= 3:
                tv.charts["pace"] = ch.to_svg(ch.pace(tv.pace_rows), "Pace trend chart",
                                              cache=on)
        return tv

    result: TrainingView = cached(cache, db, "training", (weeks, charts), today, build)
    return result


# -- journal -----------------------------------------------------------------------------


@dataclass
class JournalView:
    entries: list[Entry]
    findings: list[Finding]
    trend: str | None
    prefill: dict[str, Any]
    charts: dict[str, str] = field(default_factory=dict)
    recent_runs: list[dict[str, Any]] = field(default_factory=list)


def journal_view(db: Database, cache: PageCache, today: date,
                 charts: bool = True, days: int = 84) -> JournalView:
    from kneeguard.journal import findings, journal_prefill, onset_trend
    from kneeguard.report import charts as ch
    from kneeguard.storage.journal import list_entries
    from kneeguard.storage.training import load_runs

    def build(session: Session) -> JournalView:
        entries = list_entries(session, until=today)
        since = today - timedelta(days=days)
        runs = [r for r in load_runs(session)
                if r.is_running and since <= r.local_day <= today and r.distance_m > 0]
        view = JournalView(entries, findings(entries, today), onset_trend(entries, today),
                           journal_prefill(entries, today))
        view.recent_runs = [{"date": r.local_day.isoformat(), "km": r.km} for r in runs]
        shown = [e for e in entries if e.day >= since]
        if charts and shown:
            on = cache.enabled
            view.charts["pain"] = ch.to_svg(ch.pain(
                [{"date": e.day.isoformat(), "worst": e.worst} for e in shown],
                view.recent_runs), "Chart of pain ratings over time with runs", cache=on)
            onsets = [{"date": e.day.isoformat(), "onset_km": e.pain_onset_km}
                      for e in shown if e.pain_onset_km is not None]
            if len(onsets) >= 2:
                view.charts["onset"] = ch.to_svg(ch.onset(onsets), "Chart of the distance "
                                                 "at which pain begins", cache=on)
        return view

    result: JournalView = cached(cache, db, "journal", (charts, days), today, build)
    return result


def runs_on(session: Session, day: date) -> list[dict[str, Any]]:
    from kneeguard.storage.journal import runs_on_day

    return [{"id": r.id, "km": r.distance_m / 1000.0} for r in runs_on_day(session, day)]


# -- plan ----------------------------------------------------------------------------------


@dataclass
class PlanView:
    plan: Plan
    latest: StoredAssessment | None
    findings: list[Finding]

    def to_json(self) -> dict[str, Any]:
        assessment = None
        if self.latest is not None:
            assessment = {"id": self.latest.id,
                          "created_at": self.latest.created_at.isoformat(),
                          "advice": self.latest.running_advice,
                          "triage_level": self.latest.triage_level}
        return {**self.plan.to_json(), "assessment": assessment,
                "journal_findings": [f.to_json() for f in self.findings]}


def plan_view(session: Session, settings: Settings, today: date, weeks: int = 6) -> PlanView:
    """The plan as ``kneeguard plan`` makes it: history, latest assessment, journal."""
    from kneeguard.journal import findings
    from kneeguard.storage.assessments import latest_assessment
    from kneeguard.storage.journal import list_entries
    from kneeguard.storage.training import load_runs
    from kneeguard.training import make_plan
    from kneeguard.training.plan import plan_advice

    runs = load_runs(session)
    latest = latest_assessment(session)
    journal = findings(list_entries(session, until=today), today)
    advice, reasons = plan_advice(latest.result if latest else None,
                                  latest.created_at.date() if latest else None,
                                  [f.detail for f in journal if f.stop])
    plan = make_plan(runs, today, weeks=weeks, growth_pct=settings.weekly_growth_pct,
                     advice=advice, stop_reasons=reasons)
    return PlanView(plan, latest, journal)


# -- home ------------------------------------------------------------------------------------


@dataclass
class HomeView:
    latest: StoredAssessment | None
    activities: int
    entries: int
    weeks: list[dict[str, Any]]
    this_week_km: float
    average_km: float | None
    warnings: list[dict[str, Any]]
    findings: list[Finding]
    next_run: dict[str, Any] | None
    plan_status: str | None
    chart: str | None

    @property
    def empty(self) -> bool:
        return self.latest is None and self.activities == 0 and self.entries == 0

    def to_json(self) -> dict[str, Any]:
        latest = None
        if self.latest is not None:
            r = self.latest.result
            latest = {"id": self.latest.id, "created_at": self.latest.created_at.isoformat(),
                      "triage": r["triage"], "running": r["running"],
                      "top_condition": r["conditions"][0]["id"]}
        return {"latest_assessment": latest, "activities": self.activities,
                "journal_entries": self.entries,
                "recent_weeks": [{k: v for k, v in w.items() if k != "label"}
                                 for w in self.weeks],
                "this_week_km": round(self.this_week_km, 2),
                "average_km": None if self.average_km is None else round(self.average_km, 2),
                "warnings": self.warnings, "journal_findings": [f.to_json() for f in
                                                                 self.findings],
                "next_run": self.next_run, "plan_status": self.plan_status}


def home_view(db: Database, settings: Settings, cache: PageCache, today: date,
              charts: bool = True) -> HomeView:
    from kneeguard.journal import findings
    from kneeguard.report import charts as ch
    from kneeguard.storage.activities import ActivityRow
    from kneeguard.storage.assessments import latest_assessment
    from kneeguard.storage.journal import JournalEntryRow, list_entries
    from kneeguard.storage.training import load_runs, load_shoes
    from kneeguard.training import overview
    from kneeguard.training.series import monday

    limit = shoe_limit(settings)

    def build(session: Session) -> HomeView:
        latest = latest_assessment(session)
        n_activities = session.scalar(select(func.count(ActivityRow.id))) or 0
        n_entries = session.scalar(select(func.count(JournalEntryRow.id))) or 0
        runs = load_runs(session) if n_activities else []
        start = monday(today)
        weeks: list[dict[str, Any]] = []
        warnings: list[dict[str, Any]] = []
        this_week = 0.0
        average = None
        if runs:
            view = overview(runs, load_shoes(session), shoe_limit_km=limit, today=today)
            by_start = {r.week.week_start: r.week.km for r in view.weeks}
            for k in range(HOME_WEEKS - 1, -1, -1):
                ws = start - timedelta(days=7 * k)
                weeks.append({"week_start": ws.isoformat(), "km": by_start.get(ws, 0.0),
                              "label": "this week" if k == 0 else ws.strftime("%d %b"),
                              "current": k == 0})
            this_week = weeks[-1]["km"]
            earlier = [w["km"] for w in weeks[-5:-1]]
            average = statistics.fmean(earlier) if earlier else None
            cutoff = today - timedelta(days=RECENT_WARNING_DAYS)
            warnings = [{**w.to_json(), "grade": severity_grade(w.evidence)}
                        for w in reversed(view.warnings) if w.date >= cutoff]
        found = findings(list_entries(session, since=today - timedelta(days=28),
                                      until=today), today) if n_entries else []
        next_run = None
        plan_status = None
        if runs or latest is not None:
            pv = plan_view(session, settings, today)
            plan_status = pv.plan.status
            upcoming = [d for w in pv.plan.weeks for d in w.days if d.km > 0 and d.day >= today]
            if upcoming:
                next_run = upcoming[0].to_json()
        chart = None
        if charts and weeks and any(w["km"] for w in weeks):
            chart = ch.to_svg(ch.recent_weeks(weeks), "Bar chart of this week's running "
                              "distance against the weeks before", cache=cache.enabled)
        return HomeView(latest, n_activities, n_entries, weeks, this_week, average, warnings,
                        found, next_run, plan_status, chart)

    result: HomeView = cached(cache, db, "home", (charts,), today, build)
    return result
