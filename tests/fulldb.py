"""A database with rows in EVERY table, for the backup round trip and the FHIR export.

Known tables get realistic rows through their models (edge values included: unicode,
microseconds, 1/3, nested JSON with nulls, a retired shoe, an incomplete activity, a
day-only journal entry). Any table still empty afterwards (one added later by another
concern) is filled generically from its column types, so the round trip keeps
covering the whole schema without editing this file.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    String,
    Table,
    func,
    select,
)
from sqlalchemy.orm import Session

from kneeguard.questionnaires import check_text, load_instrument, score
from kneeguard.storage import Database
from kneeguard.storage import models as _models  # noqa: F401
from kneeguard.storage.base import Base, UTCDateTime

T0 = datetime(2026, 3, 2, 6, 30, 15, 123456, tzinfo=UTC)


def _result(top: str, probability: float) -> dict[str, Any]:
    return {
        "schema": "kneeguard.result/1",
        "triage": {"level": "see_clinician", "reasons": ["pain above 3/10 while running"]},
        "running": {"advice": "stop", "reasons": ["pain 5/10 during runs"]},
        "conditions": [
            {"id": top, "name": "runner's knee", "probability": probability,
             "evidence_for": ["pain around the kneecap", "stairs down hurt"],
             "evidence_against": []},
            {"id": "itb_syndrome", "name": "iliotibial band syndrome",
             "probability": 1 - probability, "evidence_for": [],
             "evidence_against": ["no pain on the outside of the knee"]},
        ],
        "red_flags": [],
        "advice": ["Rest for a few days, then reduce volume."],
        "avoid": ["Running through pain above 3/10."],
        "knowledge_base_version": "2026.11-test",
        "nested": {"none": None, "empty": [], "ratio": 1 / 3, "text": "Knie – Schmerz ✓"},
    }


def _domain_rows(session: Session) -> None:
    from kneeguard.storage.activities import ActivityRow, ActivitySourceRow, ShoeRow, SplitRow
    from kneeguard.storage.assessments import save_assessment
    from kneeguard.storage.journal import JournalEntryRow
    from kneeguard.storage.questionnaires import save_instrument_text, save_response

    cest = timezone(timedelta(hours=2))
    old = ShoeRow(name="Pegasus 39 (rot)", brand="Nike", added_at=T0 - timedelta(days=400),
                  retired_at=T0 - timedelta(days=30), start_km=120.5, limit_km=650.0)
    new = ShoeRow(name="Ghost 16", brand=None, added_at=T0 - timedelta(days=29),
                  start_km=0.0, limit_km=None)
    session.add_all([old, new])
    session.flush()
    run = ActivityRow(sport="running", sub_sport="street", start_utc=T0, utc_offset_s=7200,
                      distance_m=10012.37, timer_s=3001.5, elapsed_s=3120.0,
                      elevation_gain_m=48.2, avg_hr=151.3, avg_cadence=172.0,
                      device="Garmin Forerunner 265", shoe_id=new.id, incomplete=False,
                      imported_at=T0 + timedelta(hours=3))
    trail = ActivityRow(sport="trail_running", start_utc=T0 + timedelta(days=2),
                        utc_offset_s=7200, distance_m=15000.0 / 3, timer_s=2000.25,
                        elapsed_s=2400.0, shoe_id=old.id, incomplete=True,
                        imported_at=T0 + timedelta(days=2, hours=1))
    ride = ActivityRow(sport="cycling", start_utc=T0 + timedelta(days=1), utc_offset_s=-18000,
                       distance_m=40210.0, timer_s=5400.0, elapsed_s=5500.0,
                       incomplete=False, imported_at=T0 + timedelta(days=1, hours=2))
    session.add_all([run, trail, ride])
    session.flush()
    session.add_all([
        ActivitySourceRow(activity_id=run.id, file_name="2026-03-02-run.fit",
                          content_hash="a" * 64, leg=0, format="fit"),
        ActivitySourceRow(activity_id=run.id, file_name="Strava export/activities/123.gpx",
                          content_hash="b" * 64, leg=0, format="gpx"),
        ActivitySourceRow(activity_id=trail.id, file_name="trail.tcx", content_hash="c" * 64,
                          leg=0, format="tcx", incomplete_reason="file ends mid-record"),
        ActivitySourceRow(activity_id=ride.id, file_name="ride.fit", content_hash="d" * 64,
                          leg=1, format="fit"),
    ])
    for index in range(10):
        session.add(SplitRow(activity_id=run.id, index=index, distance_m=1000.0,
                             time_s=300.0 + index / 7, avg_hr=150.0 + index,
                             elevation_gain_m=None if index % 3 else 4.5))
    session.add(SplitRow(activity_id=run.id, index=10, distance_m=12.37, time_s=3.2))

    save_assessment(session, {"schema": "kneeguard.answers/1", "age": 34, "pain_now": 4,
                              "pain_locations": ["around_or_behind_kneecap"]},
                    _result("patellofemoral_pain", 0.62), T0 - timedelta(days=1))
    save_assessment(session, {"schema": "kneeguard.answers/1", "side": "left"},
                    _result("patellar_tendinopathy", 0.55),
                    (T0 + timedelta(days=14)).astimezone(cest))

    session.add_all([
        JournalEntryRow(day=date(2026, 3, 2), activity_id=run.id, pain_before=1,
                        pain_during=4, pain_after=3, pain_onset_km=6.5,
                        locations=["around_or_behind_kneecap"], swelling="none",
                        note="Stairs after the run hurt. Ünïcødé ✓", created_at=T0),
        JournalEntryRow(day=date(2026, 3, 3), activity_id=None, pain_before=None,
                        pain_during=None, pain_after=2, pain_onset_km=None, locations=[],
                        swelling=None, note="", created_at=T0 + timedelta(days=1)),
    ])

    responses: list[tuple[str, dict[str, Any], datetime]] = [
        ("akps", {"AKPS1": 3, "AKPS2": 5, "AKPS3": 3, "AKPS4": 8, "AKPS5": 4, "AKPS6": 6,
                  "AKPS7": 7, "AKPS8": 8, "AKPS9": 8, "AKPS10": 10, "AKPS11": 10,
                  "AKPS12": 5, "AKPS13": 5}, T0),
        ("nprs", {"NPRS_NOW": 4, "NPRS_DURING_RUN": 6}, T0),
        ("visa_p", {"Q1": 5, "Q2": 6, "Q3": 7, "Q4": 8, "Q5": 9, "Q6": 10, "Q7": 4,
                    "Q8_branch": "B", "Q8B": 14}, T0 + timedelta(days=7)),
        ("koos", {"S1": 1, "S2": 2, "S3": 0, "S4": 1, "P1": 1, "P2": 0, "P3": 0, "P4": 0,
                  "P5": 0, "P6": 0, "P7": 0, "P8": 0, "P9": 0, "Q1": 3}, T0 + timedelta(days=8)),
        ("koos_12", {"P1": 1, "P5": 1, "P6": 2, "P8": 2, "A3": 0, "A4": 0, "A7": 1,
                     "SP4": 1, "Q1": 2, "Q2": 2, "Q3": 2, "Q4": 2}, T0 + timedelta(days=9)),
    ]
    for instrument_id, answers, when in responses:
        instrument = load_instrument(instrument_id)
        save_response(session, instrument_id, answers, score(instrument, answers).to_json(),
                      instrument.content_hash, None, when)

    koos_12 = load_instrument("koos_12")
    text = check_text({
        "schema": "kneeguard.instrument-text/1", "instrument": "koos_12", "language": "de-CH",
        "source": "placeholder licence – test",
        "items": [{"id": i, "text": f"Platzhalter {i}?",
                   "options": [{"value": v, "label": f"Stufe {v}"} for v in range(5)]}
                  for i in koos_12.item_ids]}, koos_12)
    save_instrument_text(session, text.instrument, text.language, text.source, text.document,
                         text.content_hash, T0)


def _generic_value(table: Table, column: Any, n: int, session: Session) -> Any:
    """A plausible value for any column type (for tables this file does not know)."""
    if column.foreign_keys:
        target = next(iter(column.foreign_keys)).column
        return session.execute(select(target).order_by(target).limit(1)).scalar()
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return T0 + timedelta(days=n, microseconds=n)
    if isinstance(kind, DateTime):
        return (T0 + timedelta(days=n)).replace(tzinfo=None)
    if isinstance(kind, Date):
        return date(2026, 3, n)
    if isinstance(kind, JSON):
        return {"n": n, "list": [n, 1.5, None, "é"]}
    if isinstance(kind, Boolean):
        return n % 2 == 0
    if isinstance(kind, Integer):
        return n
    if isinstance(kind, Float):
        return n + 0.25
    if isinstance(kind, String):
        value = f"{column.name}-{n}-ü"
        return value[: kind.length] if kind.length else value
    if isinstance(kind, LargeBinary):
        return bytes([n, 0, 255])
    raise AssertionError(f"fulldb cannot fill {table.name}.{column.name} ({kind})")


def _fill_empty_tables(session: Session) -> None:
    for table in Base.metadata.sorted_tables:
        if session.execute(select(func.count()).select_from(table)).scalar():
            continue
        for n in (1, 2):
            row = {c.name: _generic_value(table, c, n, session) for c in table.columns
                   if c is not table.autoincrement_column}
            session.execute(table.insert(), [row])


def populate(db: Database) -> None:
    with db.session() as session:
        _domain_rows(session)
        _fill_empty_tables(session)
