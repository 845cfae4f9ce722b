"""Full backup: export -> restore into fresh SQLite and PostgreSQL -> export is identical;
restore refuses a newer version, a damaged file or a non-empty database and writes nothing."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from fulldb import populate
from kneeguard.errors import RestoreError
from kneeguard.storage import Database, connect
from kneeguard.storage.backup import (
    FORMAT_VERSION,
    _checksum,
    check_backup,
    export_backup,
    restore_backup,
)
from kneeguard.storage.base import Base


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """The populated database every test reads (never writes)."""
    db = connect(f"sqlite:///{tmp_path_factory.mktemp('backup') / 'source.db'}")
    populate(db)
    yield db
    db.dispose()


@pytest.fixture
def target(db_url: str) -> Iterator[Database]:
    db = connect(db_url)
    yield db
    db.dispose()


def _without_time(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "exported_at"}


def _row_counts(db: Database) -> dict[str, int]:
    with db.session() as session:
        return {t.name: session.execute(select(func.count()).select_from(t)).scalar() or 0
                for t in Base.metadata.sorted_tables}


def test_backup_holds_every_table_with_rows(source: Database) -> None:
    doc = export_backup(source)
    assert doc["format"] == "kneeguard.backup" and doc["version"] == FORMAT_VERSION
    assert list(doc["tables"]) == [t.name for t in Base.metadata.sorted_tables]
    assert {name: bool(t["rows"]) for name, t in doc["tables"].items()} == {
        t.name: True for t in Base.metadata.sorted_tables}
    assert doc["checksum"] == _checksum(doc["tables"])


def test_values_are_encoded_as_documented(source: Database) -> None:
    tables = export_backup(source)["tables"]
    activities = tables["activities"]
    first = dict(zip(activities["columns"], activities["rows"][0], strict=True))
    assert first["start_utc"] == "2026-03-02T06:30:15.123456Z"
    assert first["distance_m"] == 10012.37 and first["incomplete"] is False
    journal = tables["journal_entries"]
    entry = dict(zip(journal["columns"], journal["rows"][0], strict=True))
    assert entry["day"] == "2026-03-02" and entry["locations"] == ["around_or_behind_kneecap"]
    assessments = tables["assessments"]
    second = dict(zip(assessments["columns"], assessments["rows"][1], strict=True))
    assert second["created_at"] == "2026-03-16T06:30:15.123456Z"  # given in CEST, kept as UTC
    assert second["result"]["nested"] == {"none": None, "empty": [], "ratio": 1 / 3,
                                          "text": "Knie – Schmerz ✓"}


def test_round_trip_is_identical(source: Database, target: Database, tmp_path: Path) -> None:
    first = export_backup(source)
    counts = restore_backup(target, json.loads(json.dumps(first)))
    assert counts == {name: len(t["rows"]) for name, t in first["tables"].items()}
    second = export_backup(target)
    assert _without_time(second) == _without_time(first)
    # and back again into a third database
    third_db = connect(f"sqlite:///{tmp_path / 'third.db'}")
    try:
        restore_backup(third_db, second)
        assert _without_time(export_backup(third_db)) == _without_time(first)
    finally:
        third_db.dispose()


def test_restored_database_takes_new_rows(source: Database, target: Database) -> None:
    from kneeguard.questionnaires import load_instrument, score
    from kneeguard.storage.questionnaires import list_responses, save_response

    restore_backup(target, export_backup(source))
    nprs = load_instrument("nprs")
    with target.session() as session:
        before = max(r.id for r in list_responses(session))
        added = save_response(session, "nprs", {"NPRS_NOW": 2},
                              score(nprs, {"NPRS_NOW": 2}).to_json(), nprs.content_hash)
    assert added.id == before + 1  # PostgreSQL sequences moved past the restored ids


def test_restore_refuses_a_database_that_is_not_empty(source: Database,
                                                      target: Database) -> None:
    doc = export_backup(source)
    restore_backup(target, doc)
    counts = _row_counts(target)
    with pytest.raises(RestoreError, match=r"is not empty \(table \w+ has rows\); restore only "
                       "into a new, empty database"):
        restore_backup(target, doc)
    assert _row_counts(target) == counts


def test_restore_refuses_a_newer_format(source: Database, target: Database) -> None:
    doc = export_backup(source)
    doc["version"] = FORMAT_VERSION + 1
    with pytest.raises(RestoreError) as info:
        restore_backup(target, doc)
    assert str(info.value).startswith(
        f"the backup was written by a newer kneeguard (backup format version "
        f"{FORMAT_VERSION + 1}); this kneeguard")
    assert set(_row_counts(target).values()) == {0}


def _table(doc: dict[str, Any], name: str) -> dict[str, Any]:
    return doc["tables"][name]  # type: ignore[no-any-return]


def _set(doc: dict[str, Any], table: str, column: str, value: Any, row: int = 0) -> None:
    block = _table(doc, table)
    block["rows"][row][block["columns"].index(column)] = value


Damage = Callable[[dict[str, Any]], None]
DAMAGE: list[tuple[str, Damage, bool, str]] = [
    # (name, change, fix the checksum afterwards, expected message)
    ("edited value", lambda d: _set(d, "activities", "distance_m", 1.0), False,
     "its checksum does not match its content"),
    ("not a backup", lambda d: d.update(format="something.else"), True,
     "this is not a kneeguard backup"),
    ("bad version", lambda d: d.update(version="1"), True,
     "version must be a whole number from 1"),
    ("unknown table", lambda d: d["tables"].update(
        gadgets={"columns": ["id"], "rows": [[1]]}), True,
     "the backup holds table 'gadgets', which this kneeguard does not know"),
    ("unknown column", lambda d: _table(d, "shoes")["columns"].append("colour"), True,
     "table shoes has column 'colour', which this kneeguard does not know"),
    ("missing column", lambda d: (_table(d, "shoes")["columns"].pop(1),
                                  [r.pop(1) for r in _table(d, "shoes")["rows"]]), True,
     "table shoes lacks column name, which this kneeguard needs"),
    ("short row", lambda d: _table(d, "splits")["rows"][3].pop(), True,
     "table splits, row 4: expected 6 values"),
    ("text for a number", lambda d: _set(d, "activities", "timer_s", "3001.5"), True,
     "table activities, row 1: column timer_s must be a number, not '3001.5'"),
    ("null where required", lambda d: _set(d, "assessments", "kb_version", None, 1), True,
     "table assessments, row 2: column kb_version must be a value (it may not be empty)"),
    ("local time", lambda d: _set(d, "activities", "start_utc", "2026-03-02T08:30:15"), True,
     "column start_utc must be a UTC instant ending in Z"),
    ("bad date", lambda d: _set(d, "journal_entries", "day", "2026-02-30"), True,
     "column day must be an ISO date or time"),
    ("too long", lambda d: _set(d, "shoes", "name", "x" * 201), True,
     "column name must be text of at most 200 characters"),
    ("bool for int", lambda d: _set(d, "splits", "index", True), True,
     "column index must be a whole number"),
]


@pytest.fixture(scope="module")
def empty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """One empty SQLite database for the refusals (each test checks it stays empty)."""
    db = connect(f"sqlite:///{tmp_path_factory.mktemp('backup') / 'empty.db'}")
    yield db
    db.dispose()


@pytest.mark.parametrize(("name", "change", "fix", "message"), DAMAGE,
                         ids=[d[0] for d in DAMAGE])
def test_damaged_backups_are_refused_and_nothing_is_written(
        source: Database, empty: Database, name: str, change: Damage, fix: bool,
        message: str) -> None:
    target = empty
    doc = copy.deepcopy(export_backup(source))
    change(doc)
    if fix:
        doc["checksum"] = _checksum(doc["tables"])
    with pytest.raises(RestoreError, match=None) as info:
        restore_backup(target, doc)
    assert message in str(info.value)
    assert set(_row_counts(target).values()) == {0}


def test_a_constraint_violation_rolls_back_every_table(source: Database,
                                                       target: Database) -> None:
    doc = export_backup(source)
    texts = _table(doc, "instrument_texts")
    texts["rows"].append([*texts["rows"][0]])  # same id and instrument: violates the keys
    doc["checksum"] = _checksum(doc["tables"])
    check_backup(doc)  # well-formed: only the database can tell
    with pytest.raises(RestoreError, match="the backup does not fit the database"):
        restore_backup(target, doc)
    assert set(_row_counts(target).values()) == {0}


def test_an_older_backup_without_a_new_optional_table_restores(source: Database,
                                                               target: Database) -> None:
    doc = export_backup(source)
    del doc["tables"]["instrument_texts"]
    doc["checksum"] = _checksum(doc["tables"])
    counts = restore_backup(target, doc)
    assert counts["instrument_texts"] == 0 and counts["assessments"] == 2


# --- the CLI ----------------------------------------------------------------------------


def test_cli_export_and_restore(source: Database, db_url: str, run_cli: Any,
                                tmp_path: Path) -> None:
    backup = tmp_path / "backup.json"
    result = run_cli("--db", source.url, "export", "--json", str(backup))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert "Backup written to" in result.stderr and "11 splits" in result.stderr
    result = run_cli("--db", db_url, "restore", str(backup))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Restored ")
    again = tmp_path / "again.json"
    assert run_cli("--db", db_url, "export", "--json", str(again)).exit_code == 0
    assert _without_time(json.loads(again.read_text(encoding="utf-8"))) == _without_time(
        json.loads(backup.read_text(encoding="utf-8")))

    result = run_cli("--db", db_url, "restore", str(backup))
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: the database ") and "is not empty" in result.stderr


def test_cli_restore_of_a_cut_short_file(source: Database, run_cli: Any,
                                         tmp_path: Path) -> None:
    backup = tmp_path / "backup.json"
    assert run_cli("--db", source.url, "export", "--json", str(backup)).exit_code == 0
    data = backup.read_bytes()
    backup.write_bytes(data[: len(data) // 2])
    result = run_cli("restore", str(backup))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {backup} is damaged or not a kneeguard backup: "
                                    "invalid JSON")
    result = run_cli("restore", str(tmp_path / "nope.json"))
    assert result.exit_code == 2 and "does not exist" in result.stderr
    listing = json.loads(run_cli("scores", "--format", "json").stdout)
    assert listing == {"instruments": []}


def test_cli_export_needs_a_target_and_a_writable_place(run_cli: Any, tmp_path: Path) -> None:
    result = run_cli("export")
    assert result.exit_code == 2 and "--json FILE" in result.stderr
    result = run_cli("export", "--json", str(tmp_path / "no" / "such" / "dir.json"))
    assert result.exit_code == 2 and "cannot write" in result.stderr
    assert not (tmp_path / "no").exists()


def test_settings_from_the_config_file_travel_with_the_backup(
        source: Database, sqlite_url: str, run_cli: Any, tmp_path: Path) -> None:
    import os

    from kneeguard.settings import config_file_values

    config = Path(os.environ["KNEEGUARD_CONFIG"])
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('shoe_limit_km = 700\nhost = "127.0.0.1"\n')
    backup = tmp_path / "backup.json"
    assert run_cli("--db", source.url, "export", "--json", str(backup)).exit_code == 0
    document = json.loads(backup.read_text(encoding="utf-8"))
    assert document["settings"] == {"shoe_limit_km": 700.0, "host": "127.0.0.1"}

    config.unlink()
    result = run_cli("--db", sqlite_url, "restore", str(backup))
    assert result.exit_code == 0, result.stderr
    assert f"Wrote the backup's settings to {config}" in result.stdout
    assert config_file_values(config) == {"shoe_limit_km": 700.0, "host": "127.0.0.1"}


def test_unknown_settings_in_a_backup_are_refused_and_nothing_is_written(
        source: Database, sqlite_url: str, run_cli: Any, tmp_path: Path) -> None:
    from sqlalchemy import func, select

    from kneeguard.storage import connect
    from kneeguard.storage.activities import ActivityRow

    backup = tmp_path / "backup.json"
    assert run_cli("--db", source.url, "export", "--json", str(backup)).exit_code == 0
    document = json.loads(backup.read_text(encoding="utf-8"))
    document["settings"] = {"colour": "red"}
    backup.write_text(json.dumps(document), encoding="utf-8")
    result = run_cli("--db", sqlite_url, "restore", str(backup))
    assert result.exit_code == 2
    assert "unknown setting 'colour'" in result.stderr
    db = connect(sqlite_url)
    with db.session() as session:
        assert session.execute(select(func.count()).select_from(ActivityRow)).scalar() == 0
    db.dispose()
