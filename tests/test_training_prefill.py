"""Assessment pre-fill from the stored training history and pain journal."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from kneeguard.journal import Entry
from kneeguard.storage import Database
from kneeguard.storage.activities import ActivityRow, ShoeRow
from kneeguard.storage.journal import add_entry
from kneeguard.storage.training import assessment_prefill, load_runs
from kneeguard.training import Run, Shoe, training_prefill

FIRST = date(2026, 2, 23)  # a Monday


def weeks_of_runs(km_per_week: list[float], runs_per_week: int = 6,
                  pace_s: float = 330.0, shoe: str | None = None) -> list[Run]:
    """``runs_per_week`` equal runs Monday on, one week after another, at 07:00 UTC+1."""
    runs = []
    for w, total in enumerate(km_per_week):
        for d in range(runs_per_week):
            day = FIRST + timedelta(days=7 * w + d)
            km = total / runs_per_week
            runs.append(Run(datetime(day.year, day.month, day.day, 6, tzinfo=UTC), 3600,
                            "running", km * 1000, km * pace_s, shoe))
    return runs


def test_a_40_percent_jump_is_prefilled() -> None:
    runs = weeks_of_runs([30, 30, 30, 30, 42], shoe="Trainer")
    today = date(2026, 3, 30)
    assert training_prefill(runs, [Shoe("Trainer", start_km=100.0)], today) == {
        "weekly_km_change_pct": 40.0, "pace_change_pct": 0.0,
        "returning_after_break_weeks": 0.0, "shoe_km": 262.0}


def test_faster_running_gives_a_positive_pace_change() -> None:
    slow = weeks_of_runs([30, 30, 30, 30])
    fast = [r for r in weeks_of_runs([30] * 5, pace_s=300.0) if r.local_day >= date(2026, 3, 23)]
    prefill = training_prefill(slow + fast, [], date(2026, 3, 29))
    assert prefill["pace_change_pct"] == 10.0  # 330 s/km -> 300 s/km is 10% faster
    assert prefill["weekly_km_change_pct"] == 0.0


def test_a_recent_break_is_prefilled_in_weeks() -> None:
    comeback = Run(datetime(2026, 3, 28, 6, tzinfo=UTC), 3600, "running", 5000, 1650)
    runs = [*weeks_of_runs([30, 30]), comeback]
    # last run before the break: Saturday 7 March; back on 28 March: 20 days without running
    prefill = training_prefill(runs, [], date(2026, 3, 30))
    assert prefill["returning_after_break_weeks"] == 2.9
    # 5 km in the 7 days ending on the comeback run, against 30 km / 3 in the 21 days before
    assert prefill["weekly_km_change_pct"] == -50.0
    # eight weeks later the break no longer counts as recent
    assert training_prefill(runs, [], date(2026, 5, 30))["returning_after_break_weeks"] == 0.0


def test_no_history_prefills_nothing() -> None:
    assert training_prefill([], [], date(2026, 3, 30)) == {}


def test_storage_prefill_combines_training_and_journal(database: Database) -> None:
    with database.session() as session:
        shoe = ShoeRow(name="Trainer", start_km=100.0)
        session.add(shoe)
        session.flush()
        for run in weeks_of_runs([30, 30, 30, 30, 42], shoe="Trainer"):
            session.add(ActivityRow(sport=run.sport, start_utc=run.start_utc,
                                    utc_offset_s=run.utc_offset_s, distance_m=run.distance_m,
                                    timer_s=run.timer_s, elapsed_s=run.timer_s + 60,
                                    incomplete=False, shoe_id=shoe.id,
                                    imported_at=datetime.now(UTC)))
        session.add(ActivityRow(sport="cycling", start_utc=datetime(2026, 3, 29, 9, tzinfo=UTC),
                                utc_offset_s=3600, distance_m=60_000, timer_s=7200,
                                elapsed_s=7300, incomplete=False,
                                imported_at=datetime.now(UTC)))
        # pain starts earlier and earlier: 5 km, 4 km, 2.5 km, 1 km into the run
        for day, onset in ((9, 5.0), (16, 4.0), (21, 2.5), (27, 1.0)):
            add_entry(session, Entry(day=date(2026, 3, day), pain_during=2,
                                     pain_onset_km=onset))
    with database.session() as session:
        assert len(load_runs(session)) == 31
        prefill = assessment_prefill(session, today=date(2026, 3, 30))
    assert prefill == {
        "weekly_km_change_pct": 40.0, "pace_change_pct": 0.0,
        "returning_after_break_weeks": 0.0, "shoe_km": 262.0,
        "pain_onset_trend": "earlier", "pain_during_run": 2, "pain_onset_km": 1.0}
