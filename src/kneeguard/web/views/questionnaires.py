"""Questionnaires: the list (``/questionnaires``), a form (``/questionnaires/ID``), a stored
response with its scores (``/questionnaires/ID/responses/N``) and scores over time
(``/scores``).

The forms show each instrument exactly as defined (verbatim items and options, the
attribution and citation); the licensed KOOS forms show a clinic's imported wording,
or, without one, how to obtain it and no form at all.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kneeguard.errors import InputError, NotFound
from kneeguard.questionnaires import format_score
from kneeguard.web import questionnaire_data as qd
from kneeguard.web.api import MAX_ID
from kneeguard.web.deps import app_state, checked_form, get_db
from kneeguard.web.templating import render, safe_svg

router = APIRouter(include_in_schema=False)

ACTIVE = "questionnaires"


@router.get("/questionnaires", response_class=HTMLResponse)
def questionnaires(request: Request) -> HTMLResponse:
    with get_db(request).session() as session:
        latest, rows = qd.listing(session)
    suggested = [r for r in rows if r.suggested]
    others = [r for r in rows if not r.suggested]
    return render(request, "questionnaires.html", active=ACTIVE, latest=latest,
                  suggested=suggested, others=others, wording=qd.WORDING,
                  format_score=format_score, score_name=qd.score_name)


def _form_page(request: Request, form: qd.FormInstrument, raw: dict[str, str] | None = None,
               errors: dict[str, str] | None = None, answered_on: str = "",
               status_code: int = 200) -> HTMLResponse:
    instrument = form.instrument
    errors = errors or {}
    order = {item.id: n for n, item in enumerate(instrument.items)}
    listed = sorted((k for k in errors if k in order), key=order.__getitem__)
    return render(request, "questionnaire_form.html", status_code=status_code,
                  active=ACTIVE, form=form, instrument=instrument, raw=raw or {},
                  errors=errors, error_items=[instrument.item(k) for k in listed],
                  answered_on=answered_on, today=date.today(),
                  groups=qd.groups(instrument), numbers=qd.numbers(instrument),
                  is_scale=qd.is_scale,
                  scale_text=qd.scale_text, anchors=qd.anchors,
                  run_pain_items=qd.RUN_PAIN_ITEMS, pain_limit=qd.PAIN_LIMIT,
                  interpretation=qd.interpretation(instrument),
                  help_parts=form.help.split("`") if form.wording_missing else [])


@router.get("/questionnaires/{instrument_id}", response_class=HTMLResponse)
def questionnaire(request: Request, instrument_id: str) -> HTMLResponse:
    with get_db(request).session() as session:
        form = qd.form_instrument(session, instrument_id)
    return _form_page(request, form)


@router.post("/questionnaires/{instrument_id}")
async def submit(request: Request, instrument_id: str) -> Response:
    submitted = await checked_form(request)
    db = get_db(request)
    with db.session() as session:
        form = qd.form_instrument(session, instrument_id)
    if form.wording_missing:
        raise NotFound(form.help)
    instrument = form.instrument
    answers, raw, errors = qd.read_form(instrument, submitted)
    answered_on = str(submitted.get("answered_on") or "")
    when = None
    try:
        when = qd.parse_day(answered_on, date.today())
    except InputError as exc:
        errors["answered_on"] = exc.message[:1].upper() + exc.message[1:] + "."
    if errors:
        return _form_page(request, form, raw, errors, answered_on, status_code=422)
    with db.session() as session:
        stored, _ = qd.store(session, instrument, answers, form.text_hash, when)
    return RedirectResponse(f"/questionnaires/{instrument.id}/responses/{stored.id}",
                            status_code=303)


@router.get("/questionnaires/{instrument_id}/responses/{response_id}",
            response_class=HTMLResponse)
def response(request: Request, instrument_id: str,
             response_id: int = Path(ge=1, le=MAX_ID)) -> HTMLResponse:
    settings = app_state(request).settings
    with get_db(request).session() as session:
        form = qd.form_instrument(session, instrument_id)
        stored = qd.get_stored(session, instrument_id, response_id)
        view = qd.response_view(session, settings, form.instrument, stored)
    return render(request, "questionnaire_result.html", active=ACTIVE, view=view,
                  instrument=form.instrument, interpretation=qd.interpretation(form.instrument),
                  change_words=qd.CHANGE_WORDS, pain_limit=qd.PAIN_LIMIT)


def _newest_first(block: qd.ScoreBlock) -> list[Any]:
    """Responses newest first, each response's scores in the definition's order; an
    unanswered single-item score (an NPRS context not rated) is left out."""
    i = block.instrument
    rows = [r for r in block.rows if r.value is not None or len(i.subscale(r.score)) > 1]
    return sorted(rows, key=lambda r: (r.answered_at, r.response_id), reverse=True)


@router.get("/scores", response_class=HTMLResponse)
def scores(request: Request) -> HTMLResponse:
    state = app_state(request)
    with get_db(request).session() as session:
        blocks = qd.score_blocks(session, state.settings)
    shown: list[dict[str, Any]] = []
    for block in blocks:
        svg = qd.scores_chart(block, cache=state.cache.enabled)
        shown.append({"block": block, "chart": safe_svg(svg) if svg else None,
                      "rows": _newest_first(block)})
    return render(request, "scores.html", active=ACTIVE, blocks=shown,
                  format_score=format_score, score_name=qd.score_name,
                  change_words=qd.CHANGE_WORDS, interpretation=qd.interpretation)
