"""The assessment wizard (``/assess``), a result (``/assessments/ID``) and past ones."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kneeguard.errors import AnswersError
from kneeguard.knowledge.vocabulary import FIELDS
from kneeguard.web import wizard
from kneeguard.web.deps import checked_form, get_db
from kneeguard.web.templating import render

router = APIRouter(include_in_schema=False)


def _prefill(request: Request) -> dict[str, Any]:
    """Answers the stored history and journal give (the runner may change each)."""
    from kneeguard.storage.training import assessment_prefill

    with get_db(request).session() as session:
        found = assessment_prefill(session, date.today())
    try:
        return wizard.load_state(json.dumps(found))
    except AnswersError:
        return {}


def _page(request: Request, index: int, answers: dict[str, Any], prefilled: frozenset[str],
          raw: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
          message: str | None = None, status_code: int = 200) -> HTMLResponse:
    step = wizard.build_step(index, answers, raw, errors, prefilled)
    carried = {k: v for k, v in wizard.dump_state(answers).items()
               if k not in {q.field for q in step.questions}}
    return render(request, "assess_step.html", status_code=status_code, active="assess",
                  step=step, state=wizard.state_json(carried),
                  prefilled=",".join(sorted(prefilled)), message=message,
                  answered=len(wizard.dump_state(answers)),
                  from_history=len([p for p in prefilled if p in answers]))


@router.get("/assess", response_class=HTMLResponse)
def start(request: Request) -> HTMLResponse:
    answers = _prefill(request)
    return _page(request, 0, answers, frozenset(answers))


@router.post("/assess")
async def step(request: Request) -> Response:
    form = await checked_form(request)
    index = wizard.step_index(str(form.get("step", "")))
    prefilled = frozenset(p for p in str(form.get("prefilled", "")).split(",")
                          if p in FIELDS)
    try:
        answers = wizard.load_state(form.get("state"))
    except AnswersError as exc:
        return _page(request, 0, {}, frozenset(), message=exc.message + ".", status_code=422)
    nav = str(form.get("nav", "next"))
    given, raw, errors = wizard.read_step(index, form, form.getlist)
    if nav == "skip":
        answers = wizard.merge(answers, index, {})
        if index + 1 < len(wizard.steps()):
            return _page(request, index + 1, answers, prefilled)
        return await _finish(request, answers, prefilled)
    if errors:
        merged = wizard.merge(answers, index, given)
        return _page(request, index, merged, prefilled, raw=raw, errors=errors,
                     status_code=422,
                     message="Some answers could not be read; see the messages below.")
    answers = wizard.merge(answers, index, given)
    if nav == "back":
        return _page(request, max(index - 1, 0), answers, prefilled)
    if nav.startswith("goto:") and nav[5:].isdigit():
        return _page(request, min(int(nav[5:]), len(wizard.steps()) - 1), answers, prefilled)
    if index + 1 < len(wizard.steps()):
        return _page(request, index + 1, answers, prefilled)
    return await _finish(request, answers, prefilled)


async def _finish(request: Request, answers: dict[str, Any],
                  prefilled: frozenset[str]) -> Response:
    from kneeguard.assessment import assess
    from kneeguard.storage.assessments import save_assessment

    document = wizard.contract_document(answers)
    try:
        result = assess(document)
    except AnswersError as exc:
        index = wizard.step_of_field(exc.field or "")
        errors = {exc.field: exc.message} if exc.field else {}
        return _page(request, index, answers, prefilled, errors=errors, status_code=422,
                     message=exc.message)
    with get_db(request).session() as session:
        stored = save_assessment(session, document, result)
    return RedirectResponse(f"/assessments/{stored.id}", status_code=303)


@router.get("/assessments", response_class=HTMLResponse)
def history(request: Request) -> HTMLResponse:
    from kneeguard.storage.assessments import list_assessments

    with get_db(request).session() as session:
        items = list_assessments(session)
    return render(request, "assessments.html", active="assess", items=items)


@router.get("/assessments/{assessment_id}", response_class=HTMLResponse)
def result(request: Request, assessment_id: int = Path(ge=1, le=2**31 - 1)) -> HTMLResponse:
    from kneeguard.knowledge import load_kb
    from kneeguard.storage.assessments import get_assessment

    with get_db(request).session() as session:
        stored = get_assessment(session, assessment_id)
    kb = load_kb()
    explanation = stored.result.get("explanation") or {}
    sources = []
    for item in explanation.get("advice", []):
        source = item.get("source")
        cite = kb.sources.get(source) if source else None
        sources.append({"text": item.get("text"), "rule": item.get("rule"),
                        "source": cite or source})
    return render(request, "result.html", active="assess", stored=stored,
                  result=stored.result, answers=stored.answers, sources=sources,
                  labels=_answer_labels(stored.answers))


def _answer_labels(answers: dict[str, Any]) -> list[tuple[str, str]]:
    """The stored answers as question and answer in words, in wizard order."""
    out: list[tuple[str, str]] = []
    for step in wizard.steps():
        for q in step.questions:
            if q.field not in answers:
                continue
            value = answers[q.field]
            names = {str(c.value): c.label for c in q.choices}
            if isinstance(value, bool):
                text = "yes" if value else "no"
            elif isinstance(value, list):
                text = "; ".join(names.get(str(v), str(v)) for v in value)
            elif isinstance(value, str):
                text = names.get(value, value)
            else:
                text = f"{value:g}" + (f" {q.unit}" if q.unit else "")
            out.append((q.text, text))
    return out
