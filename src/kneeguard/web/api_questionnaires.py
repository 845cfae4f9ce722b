"""The questionnaire part of the JSON API under /api/v1, and the FHIR export.

    GET  /api/v1/questionnaires                      the instruments, suggested ones first
    GET  /api/v1/questionnaires/{id}                 one definition (as shipped)
    POST /api/v1/questionnaires/{id}/score           score answers, store nothing
    POST /api/v1/questionnaires/{id}/responses       check, score and store a response
    GET  /api/v1/scores[?instrument=ID]              scores over time, MCID-aware
    GET  /api/v1/export/fhir[?pseudonym=TEXT]        the FHIR R4 Bundle (application/fhir+json)

The documents are the CLI's: ``score`` returns exactly ``kneeguard survey score ID
--format json`` (shared/contracts/cli-json.md), ``responses`` that document plus the
stored ``id`` and ``answered_at`` (as ``survey ID --answers FILE --format json``) and
the change since the previous response, ``scores`` the document of ``kneeguard scores
--format json``. The definition route never carries a clinic's imported licensed
wording: like the FHIR export, the API sends KOOS answers and scores, not Mapi's text.
"""

from __future__ import annotations

import json
import re
import secrets
from typing import Any

from fastapi import APIRouter, Body, Path, Query, Request
from fastapi.responses import Response

from kneeguard.errors import InputError
from kneeguard.questionnaires.model import INSTRUMENT_IDS
from kneeguard.web import questionnaire_data as qd
from kneeguard.web.api import ERRORS
from kneeguard.web.deps import app_state, get_db

router = APIRouter(prefix="/api/v1", responses=ERRORS)

INSTRUMENT = Path(max_length=20, description="An instrument id (GET /api/v1/questionnaires)",
                  json_schema_extra={"enum": list(INSTRUMENT_IDS)})
PSEUDONYM = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
FHIR_JSON = "application/fhir+json"

_ANSWERS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Item id -> the chosen option's value (a number; the VISA-P branch a "
    "letter); null or absent = unanswered.",
    "additionalProperties": {"oneOf": [{"type": "integer"}, {"type": "string"},
                                       {"type": "null"}]},
    "example": {"AKPS1": 3, "AKPS2": 5},
}
_SCORE_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": _ANSWERS_SCHEMA}}}}
_STORE_BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "required": ["answers"], "additionalProperties": False,
    "properties": {
        "answers": _ANSWERS_SCHEMA,
        "answered_at": {"type": "string", "format": "date-time",
                        "description": "When the form was filled in (default now); naive "
                        "times are this computer's local time."}}}}}}}


@router.get("/questionnaires", tags=["questionnaires"],
            summary="The questionnaires, the ones the latest assessment suggests first")
def instruments(request: Request) -> dict[str, Any]:
    with get_db(request).session() as session:
        latest, rows = qd.listing(session)
    return {"assessment_id": None if latest is None else latest.id,
            "instruments": [r.to_json() for r in rows]}


@router.get("/questionnaires/{instrument_id}", tags=["questionnaires"],
            summary="One questionnaire's definition as shipped (licensed wording never)")
def definition(request: Request, instrument_id: str = INSTRUMENT) -> dict[str, Any]:
    from kneeguard.questionnaires import load_instrument
    from kneeguard.questionnaires.model import read_definition
    from kneeguard.storage.questionnaires import get_instrument_text

    instrument = load_instrument(instrument_id)
    wording = "shipped"
    if instrument.licensed:
        with get_db(request).session() as session:
            imported = get_instrument_text(session, instrument.id) is not None
        wording = "imported" if imported else "missing"
    return {"id": instrument.id, "content_hash": instrument.content_hash,
            "wording": qd.WORDING[wording], "definition": read_definition(instrument.id)}


@router.post("/questionnaires/{instrument_id}/score", tags=["questionnaires"],
             openapi_extra=_SCORE_BODY,
             summary="Score answers without storing them (as `kneeguard survey score`)")
def score_only(instrument_id: str = INSTRUMENT, answers: Any = Body(...)) -> dict[str, Any]:
    from kneeguard.questionnaires import load_instrument, score

    return score(load_instrument(instrument_id), answers).to_json()


@router.post("/questionnaires/{instrument_id}/responses", tags=["questionnaires"],
             status_code=201, openapi_extra=_STORE_BODY,
             summary="Check, score and store a response")
def store_response(request: Request, instrument_id: str = INSTRUMENT,
                   body: Any = Body(...)) -> dict[str, Any]:
    from kneeguard.questionnaires import load_instrument

    instrument = load_instrument(instrument_id)
    answers, answered_at = qd.store_request(body)
    with get_db(request).session() as session:
        stored, result = qd.store(session, instrument, answers, None, answered_at)
        view = qd.response_view(session, app_state(request).settings, instrument, stored)
    return {**result, "id": stored.id, "answered_at": qd.instant(stored.answered_at),
            "since_previous": view.changes_json()}


@router.get("/scores", tags=["questionnaires"],
            summary="Scores over time with MCID-aware changes (as `kneeguard scores`)")
def scores(request: Request,
           instrument: str | None = Query(None, max_length=20,
                                          description="Only this instrument",
                                          json_schema_extra={"enum": list(INSTRUMENT_IDS)}),
           ) -> dict[str, Any]:
    if instrument is not None:
        from kneeguard.questionnaires import load_instrument

        load_instrument(instrument)  # an unknown id is a 404 naming the known ones
    with get_db(request).session() as session:
        blocks = qd.score_blocks(session, app_state(request).settings, instrument)
    return {"instruments": [b.to_json() for b in blocks]}


@router.get("/export/fhir", tags=["export"], response_class=Response,
            summary="Everything as a FHIR R4 collection Bundle (application/fhir+json)",
            responses={200: {"content": {FHIR_JSON: {"schema": {"type": "object"}}},
                             "description": "A FHIR R4 Bundle of type collection"}})
def export_fhir(request: Request,
                pseudonym: str | None = Query(
                    None, max_length=64,
                    description="Identifier of the runner in the bundle (letters, digits, "
                    ". _ -; default: a new random one)")) -> Response:
    from kneeguard.report.fhir import build_bundle, collect

    if pseudonym is not None and not PSEUDONYM.fullmatch(pseudonym):
        raise InputError("pseudonym must be 1-64 letters, digits, '.', '_' or '-', starting "
                         "with a letter or digit", field="pseudonym")
    bundle = build_bundle(collect(get_db(request), pseudonym or f"kg-{secrets.token_hex(8)}"))
    body = json.dumps(bundle, ensure_ascii=False, separators=(",", ":"))
    return Response(body.encode("utf-8"), media_type=FHIR_JSON,
                    headers={"Cache-Control": "no-store"})
