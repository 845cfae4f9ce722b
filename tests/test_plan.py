"""The return-to-run / progression plan: caps, cut-back weeks, walk-run, stop."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kneeguard.errors import ConfigError, InputError
from kneeguard.storage import connect
from kneeguard.storage.activities import ActivityRow
from kneeguard.storage.assessments import save_assessment
from kneeguard.training import Run, make_plan
from kneeguard.training.plan import PAIN_RULE, Plan

TODAY = date(2026, 3, 29)  # a Sunday: the plan starts Monday 30 March


def run_on(day: date, km: float) -> Run:
    return Run(datetime(day.year, day.month, day.day, 7, tzinfo=UTC), 0, "running",
               km * 1000, km * 330)


def steady(weeks: int = 6, per_week: tuple[float, ...] = (6, 6, 6, 12)) -> list[Run]:
    """Tue/Thu/Sat/Sun runs for ``weeks`` weeks ending on TODAY."""
    runs = []
    for w in range(weeks):
        monday = TODAY - timedelta(days=6 + 7 * w)
        for offset, km in zip((1, 3, 5, 6), per_week, strict=True):
            runs.append(run_on(monday + timedelta(days=offset), km))
    return runs


def planned_runs(plan: Plan) -> list[tuple[date, float]]:
    return [(d.day, d.km) for w in plan.weeks for d in w.days if d.km > 0]


def check_caps(plan: Plan, history: list[Run], growth_pct: float) -> None:
    """Every cap the plan promises, checked from the outside."""
    past = [(r.local_day, r.km) for r in history if r.distance_m > 0]
    for day, km in planned_runs(plan):
        window = [k for d, k in past if 1 <= (day - d).days <= 30]
        if window:
            assert km <= 1.1 * max(window) + 1e-9, (day, km, max(window))
        past.append((day, km))
    reference: float | None = None
    for week in plan.weeks:
        assert week.pain_rule == PAIN_RULE
        assert abs(week.km - sum(d.km for d in week.days)) < 0.051
        assert [d.day for d in week.days] == [week.week_start + timedelta(days=i)
                                              for i in range(7)]
        if reference is not None:
            assert week.km <= reference * (1 + growth_pct / 100) + 1e-6
        elif plan.mode == "build":
            assert week.km <= plan.weekly_level_km * (1 + growth_pct / 100) + 1e-6
        if not week.cutback:
            reference = week.km


def test_build_plan_from_a_steady_history() -> None:
    history = steady()
    plan = make_plan(history, TODAY, weeks=8)
    assert (plan.status, plan.mode, plan.start) == ("plan", "build", date(2026, 3, 30))
    assert plan.weekly_level_km == 30.0 and plan.longest_30d_km == 12.0
    assert [w.cutback for w in plan.weeks] == [False, False, False, True] * 2
    assert [w.km for w in plan.weeks][:4] == [33.0, 36.3, 39.9, 27.9]
    first = plan.weeks[0]
    assert [d.kind for d in first.days] == ["rest", "run", "rest", "run", "rest", "run",
                                            "long_run"]
    assert first.days[-1].km == 11.6  # 35% of 33 km plus rounding carry; cap 13.2 km
    check_caps(plan, history, 10.0)


def test_long_run_cap_binds_when_the_history_has_only_short_runs() -> None:
    history = steady(per_week=(8, 8, 8, 6))
    plan = make_plan(history, TODAY, weeks=4)
    first_long = plan.weeks[0].days[-1]
    assert first_long.km == 8.8  # 35% of 33 km would be 11.5; the 30-day longest is 8 km
    check_caps(plan, history, 10.0)


def test_walk_run_return_after_a_break() -> None:
    history = [r for r in steady(weeks=10) if r.local_day < TODAY - timedelta(days=34)]
    plan = make_plan(history, TODAY, weeks=6)
    assert plan.mode == "return"
    assert "days without running" in plan.reasons[0]
    assert plan.weeks[0].km == 15.0  # half of the usual 30 km week before the break
    assert [d.kind for d in plan.weeks[0].days if d.km] == ["walk_run"] * 3
    assert "run 1 min, walk 2 min" in plan.weeks[0].days[1].note
    assert [w.cutback for w in plan.weeks] == [False, False, True, False, False, True]
    check_caps(plan, history, 10.0)


def test_first_start_without_history() -> None:
    plan = make_plan([], TODAY, weeks=4)
    assert (plan.mode, plan.weeks[0].km) == ("return", 6.0)
    check_caps(plan, [], 10.0)


def test_assessment_reduce_starts_a_return_at_half_the_usual_week() -> None:
    plan = make_plan(steady(), TODAY, weeks=4, advice="reduce")
    assert plan.mode == "return" and plan.weeks[0].km == 15.0


def test_stop_says_stop_and_why() -> None:
    plan = make_plan(steady(), TODAY, advice="stop",
                     stop_reasons=["Your latest assessment says stop running.",
                                   "Swelling after a twist."])
    assert (plan.status, plan.weeks) == ("stop", [])
    assert plan.reasons == ["Your latest assessment says stop running.",
                            "Swelling after a twist."]
    assert plan.to_json()["status"] == "stop"


def test_plan_limits_are_checked() -> None:
    with pytest.raises(InputError, match="4 to 8 weeks, not 9"):
        make_plan([], TODAY, weeks=9)
    with pytest.raises(ConfigError, match="weekly_growth_pct must be between 0 and 30"):
        make_plan([], TODAY, growth_pct=45.0)


history_strategy = st.lists(
    st.tuples(st.integers(0, 80), st.integers(0, 40_000)), max_size=40)


@settings(max_examples=120, deadline=None)
@given(history_strategy, st.integers(4, 8), st.floats(0, 30),
       st.sampled_from([None, "continue", "reduce"]))
def test_the_plan_never_exceeds_its_caps(rows: list[tuple[int, int]], weeks: int,
                                         growth: float, advice: str | None) -> None:
    history = [Run(datetime(2026, 1, 1, 7, tzinfo=UTC) + timedelta(days=d), 0, "running",
                   float(metres), metres * 0.33) for d, metres in rows]
    plan = make_plan(history, date(2026, 3, 22), weeks=weeks, growth_pct=growth,
                     advice=advice)
    assert len(plan.weeks) == weeks
    check_caps(plan, history, growth)


def test_plan_cli_uses_the_latest_assessment(run_cli: Any, sqlite_url: str) -> None:
    db = connect(sqlite_url)
    today = date.today()
    with db.session() as session:
        for back in range(1, 29, 2):
            day = today - timedelta(days=back)
            session.add(ActivityRow(
                sport="running", start_utc=datetime(day.year, day.month, day.day, 7,
                                                    tzinfo=UTC),
                utc_offset_s=0, distance_m=6000, timer_s=1980, elapsed_s=2000,
                incomplete=False, imported_at=datetime.now(UTC)))
    built = run_cli("--db", sqlite_url, "plan", "--weeks", "4", "--format", "json")
    assert built.exit_code == 0, built.stderr
    doc = json.loads(built.stdout)
    assert (doc["status"], doc["mode"], len(doc["weeks"])) == ("plan", "build", 4)
    assert doc["assessment"] is None
    assert "Building up" in run_cli("--db", sqlite_url, "plan").stdout
    result = {"schema": "kneeguard.result/1",
              "triage": {"level": "see_clinician", "reasons": ["r"]},
              "running": {"advice": "stop", "reasons": ["Pain above 3/10 while running."]},
              "conditions": [{"id": "patellar_tendinopathy", "name": "jumper's knee",
                              "probability": 0.6, "evidence_for": [], "evidence_against": []}],
              "red_flags": [], "advice": [], "avoid": [], "knowledge_base_version": "test"}
    with db.session() as session:
        save_assessment(session, {"schema": "kneeguard.answers/1"}, result)
    db.dispose()
    stopped = json.loads(run_cli("--db", sqlite_url, "plan", "--format", "json").stdout)
    assert stopped["status"] == "stop" and stopped["weeks"] == []
    assert stopped["reasons"][1:] == ["Pain above 3/10 while running.",
                                      "Triage: see clinician."]
    text = run_cli("--db", sqlite_url, "plan")
    assert "Stop running for now." in text.stdout
    bad = run_cli("--db", sqlite_url, "plan", "--weeks", "3")
    assert bad.exit_code == 2


def test_plan_advice_gathers_the_reasons_to_stop() -> None:
    from datetime import date as _date

    from kneeguard.training.plan import plan_advice

    result = {"running": {"advice": "stop", "reasons": ["Pain above 3/10."]},
              "triage": {"level": "see_clinician"}}
    advice, reasons = plan_advice(result, _date(2026, 3, 1), ["Swelling on 2026-03-02."])
    assert advice == "stop"
    assert reasons == ["Your latest assessment (2026-03-01) says stop running.",
                       "Pain above 3/10.", "Triage: see clinician.", "Swelling on 2026-03-02."]
    assert plan_advice({"running": {"advice": "reduce"}}, None) == ("reduce", [])
    assert plan_advice(None, None) == (None, [])
