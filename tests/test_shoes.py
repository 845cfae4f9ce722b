"""Shoes: listing with distance, adding a pair no export names, retiring it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from data.activity_fixtures import START, fit_bytes
from kneeguard.storage.activities import import_activities, list_shoes


def test_add_links_runs_since_its_date_and_retire_stops_counting(
        database: Any, tmp_path: Path, run_cli: Any) -> None:
    for i in range(4):
        (tmp_path / f"r{i}.fit").write_bytes(fit_bytes(n=1001, start=START + timedelta(days=i)))
    import_activities(database, [tmp_path])
    url = database.url
    added = run_cli("shoes", "add", "Ghost 15", "--brand", "Brooks", "--start-km", "100",
                    "--since", "2024-05-05", "--db", url)
    assert added.exit_code == 0
    assert "Added Ghost 15: 109 km so far (3 runs linked)." in added.stdout
    retired = run_cli("shoes", "retire", "Ghost 15", "--db", url)
    assert retired.exit_code == 0 and "Retired Ghost 15" in retired.stdout
    with database.session() as s:
        (shoe,) = list_shoes(s)
    assert (shoe.name, shoe.brand, shoe.runs, round(shoe.distance_km)) == \
        ("Ghost 15", "Brooks", 3, 109)
    assert shoe.retired_at is not None
    listing = run_cli("shoes", "--db", url, "--format", "json")
    assert '"name": "Ghost 15"' in listing.stdout


def test_shoe_errors_are_one_sentence(sqlite_url: str, run_cli: Any) -> None:
    assert "No shoes yet" in run_cli("shoes", "--db", sqlite_url).stdout
    run_cli("shoes", "add", "A", "--db", sqlite_url)
    twice = run_cli("shoes", "add", "A", "--db", sqlite_url)
    assert twice.exit_code == 2 and "already a shoe named 'A'" in twice.stderr
    unknown = run_cli("shoes", "retire", "B", "--db", sqlite_url)
    assert unknown.exit_code == 6 and "no shoe named 'B'" in unknown.stderr
