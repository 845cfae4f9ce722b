"""Stored journal entries, their link to the day's run, and ``kneeguard journal``."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from kneeguard.errors import JournalError, NotFound
from kneeguard.journal import Entry
from kneeguard.storage import Database, connect
from kneeguard.storage.activities import ActivityRow
from kneeguard.storage.journal import add_entry, delete_entry, list_entries, runs_on_day


def activity(start: datetime, km: float, offset_h: int = 0, sport: str = "running") -> ActivityRow:
    return ActivityRow(sport=sport, start_utc=start, utc_offset_s=offset_h * 3600,
                       distance_m=km * 1000, timer_s=km * 330, elapsed_s=km * 340,
                       incomplete=False, imported_at=datetime.now(UTC))


def store(db: Database, *rows: ActivityRow) -> list[int]:
    with db.session() as session:
        session.add_all(rows)
        session.flush()
        return [r.id for r in rows]


def test_entry_links_to_the_days_run_in_local_time(database: Database) -> None:
    # 23:30 UTC on 9 March is 00:30 on 10 March in Berlin (+1)
    late, early = store(database, activity(datetime(2026, 3, 9, 23, 30, tzinfo=UTC), 8.0, 1),
                        activity(datetime(2026, 3, 10, 6, 0, tzinfo=UTC), 3.0, 1),
                        activity(datetime(2026, 3, 10, 12, 0, tzinfo=UTC), 30.0, 1,
                                 "cycling"))[:2]
    with database.session() as session:
        assert [r.id for r in runs_on_day(session, date(2026, 3, 10))] == [late, early]
        first = add_entry(session, Entry(day=date(2026, 3, 10), pain_during=2,
                                         pain_onset_km=2.5))
        second = add_entry(session, Entry(day=date(2026, 3, 10), pain_after=1))
        third = add_entry(session, Entry(day=date(2026, 3, 10), note="rest"))
    assert (first.run_id, first.run_km) == (early, 3.0)  # the latest run of the day first
    assert (second.run_id, second.run_km) == (late, 8.0)
    assert (third.run_id, third.run_km) == (None, None)
    with database.session() as session:
        listed = list_entries(session)
    assert [(x.id, x.run_id, x.pain_onset_km) for x in listed] == [
        (first.id, early, 2.5), (second.id, late, None), (third.id, None, None)]


def test_explicit_run_is_checked(database: Database) -> None:
    run_id, ride = store(database, activity(datetime(2026, 3, 10, 7, tzinfo=UTC), 5.0),
                         activity(datetime(2026, 3, 10, 9, tzinfo=UTC), 20.0, 0, "cycling"))
    with database.session() as session:
        add_entry(session, Entry(day=date(2026, 3, 10), pain_during=1, run_id=run_id))
    cases: list[tuple[Entry, type[Exception], str]] = [
        (Entry(day=date(2026, 3, 10), pain_during=1, run_id=run_id), JournalError,
         f"run {run_id} already has journal entry"),
        (Entry(day=date(2026, 3, 11), pain_during=1, run_id=run_id), JournalError,
         f"run {run_id} was on 2026-03-10, not on 2026-03-11"),
        (Entry(day=date(2026, 3, 10), pain_during=1, run_id=ride), JournalError,
         f"activity {ride} is cycling, not a run"),
        (Entry(day=date(2026, 3, 10), pain_during=1, run_id=999), NotFound,
         "there is no activity with id 999"),
    ]
    for entry, error, message in cases:
        with pytest.raises(error, match=message), database.session() as session:
            add_entry(session, entry)


def test_onset_beyond_the_run_is_refused_and_nothing_is_written(database: Database) -> None:
    store(database, activity(datetime(2026, 3, 10, 7, tzinfo=UTC), 5.0))
    with pytest.raises(JournalError, match=r"6 km is beyond the end of the 5\.0 km run"), \
            database.session() as session:
        add_entry(session, Entry(day=date(2026, 3, 10), pain_during=2, pain_onset_km=6.0))
    with database.session() as session:
        assert list_entries(session) == []


def test_deleting_the_run_keeps_the_entry(database: Database) -> None:
    (run_id,) = store(database, activity(datetime(2026, 3, 10, 7, tzinfo=UTC), 5.0))
    with database.session() as session:
        stored = add_entry(session, Entry(day=date(2026, 3, 10), pain_during=2))
        session.delete(session.get(ActivityRow, run_id))
    with database.session() as session:
        (entry,) = list_entries(session)
        assert (entry.id, entry.run_id) == (stored.id, None)
        delete_entry(session, entry.id)
        with pytest.raises(NotFound, match="no journal entry with id"):
            delete_entry(session, entry.id)


def test_journal_cli_by_flags(run_cli: Any, sqlite_url: str) -> None:
    today = date.today()
    db = connect(sqlite_url)
    start = datetime.combine(today, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
    store(db, activity(start, 6.0))
    db.dispose()
    result = run_cli("--db", sqlite_url, "journal", "add", "--during", "4", "--onset-km", "3",
                     "--where", "below_kneecap_on_tendon", "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["entry"]["pain_during"] == 4 and doc["entry"]["run_km"] == 6.0
    assert doc["entry"]["locations"] == ["below_kneecap_on_tendon"]
    assert [f["kind"] for f in doc["findings"]] == ["above_3"]
    text = run_cli("journal", "list", "--db", sqlite_url)
    assert text.exit_code == 0
    assert "4!" in text.stdout and "STOP" in text.stdout
    listed = json.loads(run_cli("--db", sqlite_url, "journal", "list", "--format",
                                "json").stdout)
    assert listed["prefill"] == {"pain_during_run": 4, "pain_onset_km": 3.0}


def test_journal_cli_interactive_asks_again_after_a_wrong_answer(run_cli: Any,
                                                                 sqlite_url: str) -> None:
    answers = "\n".join(["2024-03-01", "", "12", "2", "", "", "", "mild", "felt stiff"]) + "\n"
    result = run_cli("--db", sqlite_url, "journal", "add", input=answers)
    assert result.exit_code == 0, result.stderr
    assert "pain_during must be a whole number from 0 to 10, not '12'" in result.stderr
    assert "Saved journal entry 1 for 2024-03-01." in result.stdout
    with connect(sqlite_url).session() as session:
        (entry,) = list_entries(session)
    assert (entry.pain_during, entry.swelling, entry.note) == (2, "mild", "felt stiff")


def test_journal_cli_errors_are_one_line(run_cli: Any, sqlite_url: str) -> None:
    result = run_cli("--db", sqlite_url, "journal", "add", "--after", "11")
    assert result.exit_code == 2
    assert result.stderr.strip() == ("Error: journal entry: pain_after must be a whole number "
                                     "from 0 to 10, not 11")
    empty = run_cli("--db", sqlite_url, "journal", "list")
    assert empty.exit_code == 0 and "No journal entries yet" in empty.stdout
