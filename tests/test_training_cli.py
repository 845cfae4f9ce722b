"""``kneeguard training``: the JSON of shared/contracts/cli-json.md and the text view."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

from kneeguard.storage import connect
from kneeguard.storage.activities import ActivityRow, ShoeRow

MONDAY = date(2024, 3, 4)  # in the past on any clock that runs the tests


def add_runs(url: str, rows: list[tuple[int, float, str]], shoe_start_km: float = 0.0) -> None:
    """(day offset from MONDAY, km, sport) at 07:00 local time in UTC+1."""
    db = connect(url)
    with db.session() as session:
        shoe = ShoeRow(name="Trainer", start_km=shoe_start_km)
        session.add(shoe)
        session.flush()
        for offset, km, sport in rows:
            day = MONDAY + timedelta(days=offset)
            session.add(ActivityRow(
                sport=sport, start_utc=datetime(day.year, day.month, day.day, 6, tzinfo=UTC),
                utc_offset_s=3600, distance_m=km * 1000, timer_s=km * 330,
                elapsed_s=km * 340, incomplete=False, imported_at=datetime.now(UTC),
                shoe_id=shoe.id if sport == "running" else None))
    db.dispose()


def test_training_json_follows_the_contract(run_cli: Any, sqlite_url: str) -> None:
    rows = [(d, 5.0, "running") for d in range(0, 21, 2)]  # 3 weeks, 5 km every other day
    rows += [(22, 10.0, "running"), (24, 18.0, "running"), (23, 40.0, "cycling")]
    add_runs(sqlite_url, rows, shoe_start_km=600.0)
    result = run_cli("--db", sqlite_url, "training", "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    weeks = [{k: w[k] for k in ("week_start", "distance_km", "runs", "longest_km",
                                "change_pct")} for w in doc["weeks"]]
    assert weeks == [
        {"week_start": "2024-03-04", "distance_km": 20.0, "runs": 4, "longest_km": 5.0,
         "change_pct": None},
        {"week_start": "2024-03-11", "distance_km": 15.0, "runs": 3, "longest_km": 5.0,
         "change_pct": -25.0},
        {"week_start": "2024-03-18", "distance_km": 20.0, "runs": 4, "longest_km": 5.0,
         "change_pct": 33.3},
        {"week_start": "2024-03-25", "distance_km": 28.0, "runs": 2, "longest_km": 18.0,
         "change_pct": 40.0},
    ]
    assert doc["weeks"][3]["other_sports_km"] == {"cycling": 40.0}
    assert doc["weeks"][0]["load"] is None and doc["weeks"][3]["load"] is not None
    warnings = [(w["kind"], w["date"], w["severity"]) for w in doc["warnings"]]
    assert warnings == [
        ("shoes", "2024-03-24", "info"),          # 600 + 11 x 5 km = 655 km > 650 km
        ("run_spike", "2024-03-26", "moderate"),  # 10 km after a 5 km longest: +100%
        ("run_spike", "2024-03-28", "moderate"),  # 18 km after 10 km: +80%
    ]  # no weekly_jump: 25 days of history hold no 3-week basis yet
    for warning in doc["warnings"]:
        assert set(warning) == {"kind", "date", "severity", "detail", "evidence"}
        assert warning["detail"] and warning["evidence"]
    last_two = json.loads(run_cli("--db", sqlite_url, "training", "--weeks", "2", "--format",
                                  "json").stdout)
    assert [w["week_start"] for w in last_two["weeks"]] == ["2024-03-18", "2024-03-25"]
    assert last_two["weeks"][0]["change_pct"] == 33.3  # the week before still counts


def test_training_text_has_a_table_and_a_sparkline(run_cli: Any, sqlite_url: str) -> None:
    add_runs(sqlite_url, [(0, 5.0, "running"), (7, 10.0, "running"), (14, 2.5, "running")])
    result = run_cli("--db", sqlite_url, "training")
    assert result.exit_code == 0, result.stderr
    assert "2024-03-11" in result.stdout and "+100%" in result.stdout
    assert "Weekly km  ▅█▃  (max 10.0 km)" in result.stdout
    assert "- 2024-03-11 run_spike [moderate]: Your 10.0 km run" in result.stdout
    assert "Load context appears after 28 days of history." in result.stdout


def test_empty_database_says_how_to_import(run_cli: Any, sqlite_url: str) -> None:
    text = run_cli("--db", sqlite_url, "training")
    assert text.exit_code == 0
    assert "No runs stored yet. Import your watch history first: kneeguard import" in text.stdout
    doc = run_cli("--db", sqlite_url, "training", "--format", "json")
    assert (doc.exit_code, json.loads(doc.stdout)) == (0, {"weeks": [], "warnings": []})


def test_bad_shoe_limit_setting_is_one_line(run_cli: Any, sqlite_url: str,
                                            monkeypatch: Any) -> None:
    monkeypatch.setenv("KNEEGUARD_SHOE_LIMIT_KM", "300")
    result = run_cli("--db", sqlite_url, "training")
    assert result.exit_code == 2
    assert result.stderr.strip() == "Error: shoe_limit_km must be between 500 and 800 km, not 300"
