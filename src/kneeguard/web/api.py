"""The JSON API under /api/v1, described by the OpenAPI document at /api/v1/openapi.json.

Every route calls the same functions as the pages (:mod:`kneeguard.web.data`,
the storage queries and the pure packages), and the documents follow
shared/contracts where one exists: answers and results
(``kneeguard.answers/1``, ``kneeguard.result/1``), the import summary, the
activity list and the training document of ``kneeguard training --format
json``. Errors are ``{"error": {"message": "...", "field": "..." | null}}``
with the status of the kneeguard error (422 bad input, 404 unknown id, ...).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Body, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.datastructures import UploadFile

from kneeguard.web.data import home_view, journal_view, plan_view, shoe_limit
from kneeguard.web.deps import app_state, get_db

MAX_ID = 2**31 - 1


class ErrorDetail(BaseModel):
    message: str
    field: str | None = None


class ErrorDocument(BaseModel):
    error: ErrorDetail


ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorDocument, "description": text}
    for status, text in ((400, "Refused request (Host header)"),
                         (401, "Access token required"),
                         (403, "Cross-site request refused"),
                         (404, "No such item"),
                         (413, "Body too large"),
                         (415, "Unsupported content type"),
                         (422, "Invalid input: the message names the field"))}

router = APIRouter(prefix="/api/v1", responses=ERRORS)


def _answers_body() -> dict[str, Any]:
    from kneeguard.assessment import answers_json_schema

    return {"requestBody": {"required": True, "content": {
        "application/json": {"schema": answers_json_schema()}}}}


_JOURNAL_BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "additionalProperties": False,
    "properties": {
        "day": {"type": "string", "format": "date"},
        "run_id": {"type": "integer", "minimum": 1},
        "pain_before": {"type": "integer", "minimum": 0, "maximum": 10},
        "pain_during": {"type": "integer", "minimum": 0, "maximum": 10},
        "pain_after": {"type": "integer", "minimum": 0, "maximum": 10},
        "pain_onset_km": {"type": "number", "minimum": 0, "maximum": 300},
        "locations": {"type": "array", "items": {"type": "string"}},
        "swelling": {"type": "string", "enum": ["none", "mild", "marked"]},
        "note": {"type": "string", "maxLength": 2000}}}}}}}

_UPLOAD_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {
    "schema": {"type": "object", "required": ["files"], "properties": {
        "files": {"type": "array", "items": {"type": "string", "format": "binary"}}}}}}}}


@router.get("/status", tags=["today"], summary="Today's status, as on the home page")
def status(request: Request) -> dict[str, Any]:
    state = app_state(request)
    return home_view(get_db(request), state.settings, state.cache, date.today(),
                     charts=False).to_json()


# -- assessment --------------------------------------------------------------------------


@router.get("/assessment/questions", tags=["assessment"],
            summary="The wizard's steps and questions (knowledge-base data)")
def questions() -> dict[str, Any]:
    from kneeguard.knowledge import load_kb

    kb = load_kb()
    return {"knowledge_base_version": kb.version,
            "steps": [s.model_dump(exclude_none=True) for s in kb.questionnaire.steps]}


@router.get("/assessment/schema", tags=["assessment"],
            summary="JSON Schema of the answers document (kneeguard.answers/1)")
def answers_schema() -> dict[str, Any]:
    from kneeguard.assessment import answers_json_schema

    return answers_json_schema()


@router.get("/assessment/prefill", tags=["assessment"],
            summary="Answers known from the stored runs and journal")
def prefill(request: Request) -> dict[str, Any]:
    from kneeguard.storage.training import assessment_prefill

    with get_db(request).session() as session:
        return {"schema": "kneeguard.answers/1", **assessment_prefill(session, date.today())}


@router.post("/assess", tags=["assessment"], openapi_extra=_answers_body(),
             summary="Assess answers without storing them (result: kneeguard.result/1)")
def assess_only(answers: Any = Body(...)) -> dict[str, Any]:
    from kneeguard.assessment import assess

    result: dict[str, Any] = assess(answers)
    return result


@router.post("/assessments", tags=["assessment"], status_code=201,
             openapi_extra=_answers_body(), summary="Assess answers and store the assessment")
def create_assessment(request: Request, answers: Any = Body(...)) -> dict[str, Any]:
    from kneeguard.assessment import answers_document, assess, parse_answers
    from kneeguard.storage.assessments import save_assessment

    document = answers_document(parse_answers(answers))
    result = assess(document)
    with get_db(request).session() as session:
        stored = save_assessment(session, document, result)
    return _assessment(stored)


def _assessment(stored: Any, full: bool = True) -> dict[str, Any]:
    out = {"id": stored.id, "created_at": stored.created_at.isoformat(),
           "triage_level": stored.triage_level, "running_advice": stored.running_advice,
           "top_condition": stored.top_condition, "knowledge_base_version": stored.kb_version}
    if full:
        out.update(answers=stored.answers, result=stored.result)
    return out


@router.get("/assessments", tags=["assessment"], summary="Past assessments, newest first")
def assessments(request: Request) -> list[dict[str, Any]]:
    from kneeguard.storage.assessments import list_assessments

    with get_db(request).session() as session:
        return [_assessment(a, full=False) for a in list_assessments(session)]


@router.get("/assessments/{assessment_id}", tags=["assessment"],
            summary="One assessment with its answers and result")
def assessment(request: Request,
               assessment_id: int = Path(ge=1, le=MAX_ID)) -> dict[str, Any]:
    from kneeguard.storage.assessments import get_assessment

    with get_db(request).session() as session:
        return _assessment(get_assessment(session, assessment_id))


# -- activities ----------------------------------------------------------------------------


@router.get("/activities", tags=["activities"],
            summary="Stored activities, oldest first (as `kneeguard activities --format json`)")
def activities(request: Request) -> list[dict[str, Any]]:
    from kneeguard.storage.activities import list_activities

    with get_db(request).session() as session:
        return [a.to_json() for a in list_activities(session)]


@router.post("/activities", tags=["activities"], openapi_extra=_UPLOAD_BODY,
             summary="Import uploaded files or export archives (waits for the summary)")
async def upload_activities(request: Request) -> JSONResponse:
    from kneeguard.errors import InputError
    from kneeguard.web.views.activities import save_uploads, start_import, upload_form

    ctype = request.headers.get("content-type", "")
    if not ctype.startswith("multipart/form-data"):
        raise InputError("send the files as multipart/form-data in the field 'files'",
                         field="files")
    state = app_state(request)
    form, files = await upload_form(request)
    try:
        workdir, inputs = await save_uploads(request, [f for f in files
                                                       if isinstance(f, UploadFile)])
    finally:
        await form.close()
    job = start_import(state.settings, get_db(request), state.jobs, workdir, inputs)
    job = state.jobs.wait(job.id, timeout=600.0)
    if job.status == "failed":
        return JSONResponse({"error": {"message": job.error, "field": "files"}},
                            status_code=422)
    return JSONResponse(job.result or {}, status_code=200)


@router.get("/imports/{job_id}", tags=["activities"], summary="Progress of an import")
def import_job(request: Request, job_id: str = Path(max_length=64)) -> dict[str, Any]:
    return app_state(request).jobs.get(job_id).to_json()


# -- training, journal, plan ---------------------------------------------------------------


@router.get("/training", tags=["training"],
            summary="Weeks and warnings (as `kneeguard training --format json`)")
def training(request: Request,
             weeks: int | None = Query(None, ge=1, le=1000)) -> dict[str, Any]:
    from kneeguard.storage.training import load_runs, load_shoes
    from kneeguard.training import overview

    limit = shoe_limit(app_state(request).settings)
    with get_db(request).session() as session:
        runs, shoes = load_runs(session), load_shoes(session)
    return overview(runs, shoes, weeks=weeks, shoe_limit_km=limit,
                    today=date.today()).to_json()


@router.get("/journal", tags=["journal"], summary="Journal entries, findings and trend")
def journal(request: Request) -> dict[str, Any]:
    view = journal_view(get_db(request), app_state(request).cache, date.today(),
                        charts=False)
    return {"entries": [e.to_json() for e in view.entries],
            "findings": [f.to_json() for f in view.findings],
            "onset_trend": view.trend, "prefill": view.prefill}


@router.post("/journal", tags=["journal"], status_code=201, openapi_extra=_JOURNAL_BODY,
             summary="Add a journal entry (linked to that day's run)")
def add_journal(request: Request, data: Any = Body(...)) -> dict[str, Any]:
    from kneeguard.journal import findings, parse_entry
    from kneeguard.storage.journal import add_entry, list_entries

    today = date.today()
    entry = parse_entry(data, today)
    with get_db(request).session() as session:
        stored = add_entry(session, entry)
        found = findings(list_entries(session, until=today), today)
    return {"entry": stored.to_json(), "findings": [f.to_json() for f in found]}


@router.delete("/journal/{entry_id}", tags=["journal"], status_code=204,
               summary="Delete a journal entry")
def delete_journal(request: Request, entry_id: int = Path(ge=1, le=MAX_ID)) -> Response:
    from kneeguard.storage.journal import delete_entry

    with get_db(request).session() as session:
        delete_entry(session, entry_id)
    return Response(status_code=204)


@router.get("/plan", tags=["plan"], summary="The next weeks of running (as `kneeguard plan`)")
def plan(request: Request, weeks: int = Query(6, ge=4, le=8)) -> dict[str, Any]:
    with get_db(request).session() as session:
        return plan_view(session, app_state(request).settings, date.today(), weeks).to_json()
