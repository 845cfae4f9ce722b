"""The demo runner: the story it must tell (comeback, 40% spike, earlier and earlier pain,
an assessment pointing at the tendon), reproducibly, and only in the demo database."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path

import pytest

from kneeguard.demo import build_demo, load_demo
from kneeguard.storage import connect

TODAY = date(2026, 3, 7)


@pytest.fixture
def demo_db(db_url: str):  # type: ignore[no-untyped-def]
    db = connect(db_url)
    yield db
    db.dispose()


def test_build_is_reproducible_and_ends_before_today() -> None:
    one, two = build_demo(TODAY), build_demo(TODAY)
    assert [(r.day, r.km) for r in one.runs] == [(r.day, r.km) for r in two.runs]
    assert max(r.day for r in one.runs) < TODAY
    assert min(r.day for r in one.runs) >= TODAY - timedelta(weeks=53)
    assert len(build_demo(TODAY, years=10).runs) > 9 * len(one.runs)


def test_history_has_a_break_and_a_forty_percent_week() -> None:
    demo = build_demo(TODAY)
    days = sorted(r.day for r in demo.runs)
    gaps = [(b - a).days for a, b in pairwise(days)]
    assert max(gaps) >= 35  # five weeks ill
    monday = TODAY - timedelta(days=TODAY.weekday())

    def week(weeks_ago: int) -> float:
        start = monday - timedelta(weeks=weeks_ago)
        return sum(r.km for r in demo.runs if start <= r.day < start + timedelta(days=7))

    assert week(5) / week(6) == pytest.approx(1.4, abs=0.06)


def test_journal_pain_begins_earlier_and_earlier() -> None:
    onsets = [j.onset_km for j in build_demo(TODAY).journal]
    assert len(onsets) == 8
    assert onsets == sorted(onsets, reverse=True)
    assert onsets[0] >= 2.5 * onsets[-1]
    assert max(max(j.pain_during, j.pain_after, j.pain_before)
               for j in build_demo(TODAY).journal) <= 3


def test_load_tells_the_story(demo_db) -> None:  # type: ignore[no-untyped-def]
    from kneeguard.journal import onset_trend
    from kneeguard.storage.assessments import list_assessments
    from kneeguard.storage.journal import list_entries
    from kneeguard.storage.training import load_runs, load_shoes
    from kneeguard.training import overview

    demo = load_demo(demo_db, TODAY)
    with demo_db.session() as s:
        runs = load_runs(s)
        view = overview(runs, load_shoes(s), today=TODAY)
        entries = list_entries(s)
        stored = list_assessments(s)
    assert len(runs) == len(demo.runs)
    kinds = {w.kind for w in view.warnings}
    assert {"comeback", "weekly_jump", "run_spike"} <= kinds
    spike_week = TODAY - timedelta(days=TODAY.weekday()) - timedelta(weeks=5)
    assert any(w.kind == "weekly_jump" and abs((w.date - spike_week).days) <= 7
               for w in view.warnings)
    assert all(e.run_id is not None for e in entries)  # each linked to its run
    assert onset_trend(entries, TODAY) == "earlier"
    assert len(stored) == 1
    result = stored[0].result
    assert result["conditions"][0]["id"] == "patellar_tendinopathy"
    assert result["running"]["advice"] == "reduce"
    assert stored[0].answers["pain_onset_trend"] == "earlier"  # pre-filled from the journal


def test_loading_twice_replaces_the_content(demo_db) -> None:  # type: ignore[no-untyped-def]
    from kneeguard.storage.assessments import list_assessments
    from kneeguard.storage.training import load_runs

    load_demo(demo_db, TODAY)
    load_demo(demo_db, TODAY)
    with demo_db.session() as s:
        assert len(load_runs(s)) == len(build_demo(TODAY).runs)
        assert len(list_assessments(s)) == 1


def test_cli_demo_fills_only_the_demo_database(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from kneeguard.settings import load_settings
    from kneeguard.storage.training import load_runs

    own = tmp_path / "own.db"
    result = run_cli("demo", "--db", str(own))
    assert result.exit_code == 0, result.stderr
    assert "Loaded the demo runner into" in result.stdout
    settings = load_settings()
    demo = connect(settings.demo_db_url)
    mine = connect(f"sqlite:///{own}")
    try:
        with demo.session() as s:
            assert len(load_runs(s)) > 150
        with mine.session() as s:
            assert load_runs(s) == []
    finally:
        demo.dispose()
        mine.dispose()


def test_demo_runner_filled_in_questionnaires(demo_db) -> None:  # type: ignore[no-untyped-def]
    from kneeguard.storage.questionnaires import list_responses

    load_demo(demo_db, TODAY)
    with demo_db.session() as s:
        visa = list_responses(s, "visa_p")
        nprs = list_responses(s, "nprs")
    totals = [r.scores["total"] for r in sorted(visa, key=lambda r: r.answered_at)]
    assert totals == [42, 49, 63]  # within the MCID of 13, then an improvement
    assert len(nprs) == 3
    assert max(r.answered_at for r in visa).date() == TODAY
