"""Importing into the database: archives, dedupe, idempotency, interruption, dry run, CLI."""

from __future__ import annotations

import gzip
import io
import json
import signal
import subprocess
import sys
import time
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from data.activity_fixtures import START, fit_bytes, gpx_bytes, raw_fit, strava_zip, tcx_bytes
from kneeguard.storage.activities import (
    count_activities,
    import_activities,
    list_activities,
    list_shoes,
)


def _write(tmp: Path, name: str, data: bytes) -> Path:
    path = tmp / name
    path.write_bytes(data)
    return path


def test_same_run_from_watch_and_phone_is_one_activity_fit_preferred(
        database: Any, tmp_path: Path) -> None:
    gpx = _write(tmp_path, "phone.gpx", gpx_bytes(n=600, start=START + timedelta(seconds=40)))
    summary = import_activities(database, [gpx])
    assert (summary.imported, summary.duplicates) == (1, 0)
    fit = _write(tmp_path, "watch.fit", fit_bytes(n=600))
    summary = import_activities(database, [fit])
    assert (summary.imported, summary.duplicates) == (0, 1)
    with database.session() as s:
        (act,) = list_activities(s)
    assert act.sources == ("watch.fit", "phone.gpx")
    assert act.distance_m == 1797.0 and act.start_utc == START  # the FIT numbers won


def test_reimport_adds_nothing_and_says_so(database: Any, tmp_path: Path,
                                           run_cli: Any) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    for i in range(3):
        _write(folder, f"run{i}.fit", fit_bytes(n=120, start=START + timedelta(days=i)))
    url = database.url
    first = run_cli("--db", url, "import", str(folder), "--format", "json")
    assert first.exit_code == 0
    assert json.loads(first.stdout) == {"imported": 3, "duplicates": 0, "incomplete": 0,
                                        "skipped": [], "files": 3, "dry_run": False}
    again = run_cli("import", str(folder), "--db", url)
    assert again.exit_code == 0
    assert "Everything was already stored" in again.stdout


def test_strava_export_zip_with_gear_and_gz_members(database: Any, tmp_path: Path) -> None:
    files = {"1.fit": fit_bytes(n=300), "2.gpx": gpx_bytes(n=300, start=START + timedelta(days=1)),
             "3.tcx": tcx_bytes(n=300, start=START + timedelta(days=2))}
    rows = [("1.fit", "Run", "Pegasus 40"), ("2.gpx", "Run", "Pegasus 40"),
            ("3.tcx", "Run", "")]
    export = _write(tmp_path, "export_123.zip", strava_zip(files, rows))
    summary = import_activities(database, [export])
    assert (summary.imported, summary.skipped) == (3, [])
    with database.session() as s:
        acts = list_activities(s)
        shoes = list_shoes(s)
    assert [a.sources for a in acts] == [("1.fit.gz",), ("2.gpx.gz",), ("3.tcx.gz",)]
    assert [a.shoe for a in acts] == ["Pegasus 40", "Pegasus 40", None]
    assert [(sh.name, round(sh.distance_km, 2), sh.runs) for sh in shoes] == \
        [("Pegasus 40", 1.79, 2)]


def test_garmin_export_with_nested_zip_skips_monitoring_files(database: Any,
                                                              tmp_path: Path) -> None:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("a_run.fit", fit_bytes(n=200))
        zf.writestr("monitor.fit", fit_bytes(file_type=32))
    outer = io.BytesIO()
    with zipfile.ZipFile(outer, "w") as zf:
        zf.writestr("DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip",
                    inner.getvalue())
        zf.writestr("DI_CONNECT/DI-Connect-User/user_profile.json", "{}")
    path = _write(tmp_path, "garmin.zip", outer.getvalue())
    summary = import_activities(database, [path])
    assert summary.imported == 1
    assert [s.reason for s in summary.skipped] == ["not an activity file (a FIT monitoring file)"]
    assert summary.skipped[0].file.endswith("UploadedFiles_0-_Part1.zip:monitor.fit")


def test_interrupted_import_leaves_whole_files_and_a_rerun_completes(
        database: Any, tmp_path: Path) -> None:
    folder = tmp_path / "runs"
    folder.mkdir()
    for i in range(6):
        _write(folder, f"r{i}.fit", fit_bytes(n=100, start=START + timedelta(days=i)))

    def interrupt(progress: Any) -> None:
        if progress.files_done == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_activities(database, [folder], progress=interrupt, workers=1)
    with database.session() as s:
        stored = list_activities(s)
    assert len(stored) == 3 and all(len(a.sources) == 1 for a in stored)
    summary = import_activities(database, [folder])
    assert (summary.imported, summary.duplicates) == (3, 3)


def test_dry_run_reports_the_same_and_stores_nothing(database: Any, tmp_path: Path,
                                                     run_cli: Any) -> None:
    _write(tmp_path, "a.fit", fit_bytes(n=100))
    _write(tmp_path, "a-again.tcx", tcx_bytes(n=100))
    _write(tmp_path, "broken.gpx", b"<gpx><trk><trkseg><trkpt lat=")
    result = run_cli("--db", database.url, "import", str(tmp_path), "--dry-run",
                     "--format", "json")
    doc = json.loads(result.stdout)
    assert (doc["imported"], doc["duplicates"], doc["dry_run"]) == (1, 1, True)
    assert [s["file"].rsplit("/", 1)[-1] for s in doc["skipped"]] == ["broken.gpx"]
    with database.session() as s:
        assert list_activities(s) == []


def test_uploads_as_bytes_with_progress(database: Any) -> None:
    seen: list[tuple[int, int]] = []
    summary = import_activities(
        database, [("upload.fit.gz", gzip.compress(fit_bytes(n=100))),
                   ("notes.txt", b"just text")],
        progress=lambda p: seen.append((p.files_done, p.files_total)))
    assert summary.to_json()["imported"] == 1
    assert summary.to_json()["skipped"] == [{"file": "notes.txt",
                                             "reason": "not a FIT, GPX or TCX file"}]
    assert seen == [(1, 2), (2, 2)]


def test_activities_cli_json_contract_and_filters(database: Any, tmp_path: Path,
                                                  run_cli: Any) -> None:
    _write(tmp_path, "run.fit", fit_bytes(n=100))
    _write(tmp_path, "ride.fit", fit_bytes(n=100, sport=2, start=START + timedelta(days=3)))
    import_activities(database, [tmp_path])
    result = run_cli("activities", "--db", database.url, "--format", "json")
    doc = json.loads(result.stdout)
    assert [(a["sport"], a["start_utc"], a["sources"]) for a in doc] == [
        ("running", "2024-05-04T07:30:00Z", ["run.fit"]),
        ("cycling", "2024-05-07T07:30:00Z", ["ride.fit"])]
    first = doc[0]
    assert {k: first[k] for k in ("utc_offset_s", "distance_m", "timer_s", "elapsed_s",
                                  "incomplete")} == \
        {"utc_offset_s": 7200, "distance_m": 297.0, "timer_s": 99.0, "elapsed_s": 99.0,
         "incomplete": False}
    assert isinstance(first["id"], str)
    only = run_cli("activities", "--db", database.url, "--sport", "cycling", "--format", "json")
    assert [a["sport"] for a in json.loads(only.stdout)] == ["cycling"]
    since = run_cli("activities", "--db", database.url, "--since", "2024-05-05",
                    "--format", "json")
    assert len(json.loads(since.stdout)) == 1
    text = run_cli("activities", "--db", database.url)
    assert "2 activities" in text.stdout and "Total: 0.6 km" in text.stdout


def test_empty_database_says_how_to_import(sqlite_url: str, run_cli: Any) -> None:
    result = run_cli("activities", "--db", sqlite_url)
    assert result.exit_code == 0
    assert "kneeguard import PATH" in result.stdout
    missing = run_cli("import", "/no/such/file.fit", "--db", sqlite_url)
    assert missing.exit_code == 2 and "does not exist" in missing.stderr


def _consistent(database: Any) -> list[tuple[int, int, int]]:
    """(activity id, sources, splits) per stored activity, checking nothing is half-written."""
    from sqlalchemy import func, select

    from kneeguard.storage.activities import ActivityRow, ActivitySourceRow, SplitRow

    with database.session() as s:
        acts = list(s.scalars(select(ActivityRow.id).order_by(ActivityRow.id)))
        sources = dict(s.execute(select(ActivitySourceRow.activity_id, func.count())
                                 .group_by(ActivitySourceRow.activity_id)).all())
        preferred = dict(s.execute(select(ActivitySourceRow.activity_id, func.count())
                                   .where(ActivitySourceRow.preferred.is_(True))
                                   .group_by(ActivitySourceRow.activity_id)).all())
        splits = dict(s.execute(select(SplitRow.activity_id, func.count())
                                .group_by(SplitRow.activity_id)).all())
    assert set(sources) == set(acts) and set(splits) <= set(acts)
    assert all(preferred.get(a) == 1 for a in acts)
    return [(a, sources[a], splits.get(a, 0)) for a in acts]


def _count(database: Any) -> int:
    with database.session() as s:
        return count_activities(s)


def test_an_import_stopped_inside_a_file_keeps_nothing_of_that_file(
        database: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kneeguard.storage import activity_sink

    for i in range(5):
        _write(tmp_path, f"r{i}.fit", raw_fit(n=1500, start=START + timedelta(days=i)))
    real = activity_sink._split_rows
    calls: list[int] = []

    def stop_on_the_third(activity_id: int, act: Any) -> list[dict[str, Any]]:
        calls.append(activity_id)
        if len(calls) == 3:  # the activity row is written, its sources and splits not yet
            raise KeyboardInterrupt
        return real(activity_id, act)

    monkeypatch.setattr(activity_sink, "_split_rows", stop_on_the_third)
    with pytest.raises(KeyboardInterrupt):
        import_activities(database, [tmp_path], workers=1)
    assert [(n, k) for _, n, k in _consistent(database)] == [(1, 5), (1, 5)]
    monkeypatch.undo()
    summary = import_activities(database, [tmp_path])
    assert (summary.imported, summary.duplicates) == (3, 2)
    assert [(n, k) for _, n, k in _consistent(database)] == [(1, 5)] * 5


def test_a_killed_import_leaves_a_consistent_database_and_a_rerun_completes_it(
        db_url: str, database: Any, tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    for i in range(40):
        _write(folder, f"r{i:02d}.fit", raw_fit(n=600, start=START + timedelta(days=i)))
    script = ("import sys, time\n"
              "from kneeguard.storage import connect\n"
              "from kneeguard.storage.activities import import_activities\n"
              "import_activities(connect(sys.argv[1]), [sys.argv[2]], workers=1,\n"
              "                  progress=lambda p: time.sleep(0.05))\n")
    proc = subprocess.Popen([sys.executable, "-c", script, db_url, str(folder)])
    try:
        deadline = time.monotonic() + 60
        while _count(database) < 3 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    stored = _consistent(database)
    assert 3 <= len(stored) < 40  # killed part-way, whole files only
    summary = import_activities(database, [folder])
    assert (summary.imported, summary.duplicates) == (40 - len(stored), len(stored))
    assert len(_consistent(database)) == 40


def test_the_same_file_twice_in_one_import_is_one_activity(database: Any,
                                                           tmp_path: Path) -> None:
    data = raw_fit(n=300)
    _write(tmp_path, "a.fit", data)
    (tmp_path / "copy").mkdir()
    _write(tmp_path / "copy", "a (1).fit", data)
    summary = import_activities(database, [tmp_path])
    assert (summary.imported, summary.duplicates, summary.files) == (1, 1, 2)


def test_a_duplicate_with_shoes_gives_them_to_the_stored_run(database: Any) -> None:
    gpx = gpx_bytes(n=600, start=START + timedelta(seconds=30))
    import_activities(database, [("phone.gpx", gpx)])
    export = strava_zip({"1.fit": fit_bytes(n=600)}, [("1.fit", "Run", "Pegasus 40")])
    summary = import_activities(database, [("export.zip", export)])
    assert (summary.imported, summary.duplicates) == (0, 1)
    with database.session() as s:
        (act,) = list_activities(s)
        (shoe,) = list_shoes(s)
    assert act.sources == ("1.fit.gz", "phone.gpx") and act.shoe == "Pegasus 40"
    assert (shoe.name, shoe.runs) == ("Pegasus 40", 1)
    assert [(n, k) for _, n, k in _consistent(database)] == [(2, 2)]


def test_a_dry_run_decides_duplicates_like_a_real_run(database: Any, tmp_path: Path) -> None:
    _write(tmp_path, "watch.fit", fit_bytes(n=600))
    _write(tmp_path, "phone.gpx", gpx_bytes(n=600, start=START + timedelta(seconds=30)))
    _write(tmp_path, "other-day.tcx", tcx_bytes(n=600, start=START + timedelta(days=1)))
    dry = import_activities(database, [tmp_path], dry_run=True)
    assert _consistent(database) == []
    real = import_activities(database, [tmp_path])
    assert dry.to_json() | {"dry_run": False} == real.to_json()
    assert (real.imported, real.duplicates) == (2, 1)
    assert dry.activity_ids == [] and len(real.activity_ids) == 2


def test_a_file_stored_by_another_import_meanwhile_counts_as_a_duplicate(
        database: Any) -> None:
    from kneeguard.activities import ImportSummary, read_bytes
    from kneeguard.storage.activity_sink import DatabaseSink

    data = raw_fit(n=120)
    sink = DatabaseSink(database)
    summary = ImportSummary()
    sink.store(read_bytes(raw_fit(n=60, start=START - timedelta(days=3)), "early.fit"), summary)
    other = import_activities(database, [("other.fit", data)])  # e.g. an upload, meanwhile
    assert other.imported == 1
    sink.store(read_bytes(data, "mine.fit"), summary)  # its index has not seen other.fit
    assert (summary.imported, summary.duplicates) == (1, 1)
    assert [(n, k) for _, n, k in _consistent(database)] == [(1, 1), (1, 1)]
