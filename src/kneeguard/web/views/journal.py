"""``/journal``: add an entry in a few taps, the pain chart with runs, the onset trend."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kneeguard.errors import JournalError
from kneeguard.web.data import journal_view, runs_on
from kneeguard.web.deps import app_state, checked_form, get_db
from kneeguard.web.templating import render, safe_svg

router = APIRouter(include_in_schema=False)

TEXT_FIELDS = ("day", "pain_before", "pain_during", "pain_after", "pain_onset_km",
               "swelling", "note")


def _page(request: Request, values: dict[str, Any], errors: dict[str, str],
          saved: str | None = None, status_code: int = 200) -> HTMLResponse:
    from kneeguard.journal import LOCATIONS
    from kneeguard.knowledge import load_kb

    today = date.today()
    view = journal_view(get_db(request), app_state(request).cache, today)
    with get_db(request).session() as session:
        runs_today = runs_on(session, today)
    labels = {}
    for step in load_kb().questionnaire.steps:
        for q in step.questions:
            if q.field == "pain_locations":
                labels = {str(c.value): c.label for c in q.choices}
    return render(request, "journal.html", status_code=status_code, active="journal",
                  view=view, charts={k: safe_svg(v) for k, v in view.charts.items()},
                  values=values, errors=errors, saved=saved, today=today,
                  runs_today=runs_today,
                  locations=[(loc, labels.get(loc, loc.replace("_", " "))) for loc in LOCATIONS])


@router.get("/journal", response_class=HTMLResponse)
def journal(request: Request) -> HTMLResponse:
    saved = request.query_params.get("saved")
    return _page(request, {"day": date.today().isoformat(), "locations": []}, {},
                 saved="Saved." if saved else None)


def form_entry(form: Any) -> dict[str, Any]:
    """The journal form as the fields of :func:`kneeguard.journal.parse_entry` (blank = not
    given)."""
    data: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        value = form.get(name)
        if isinstance(value, str) and value.strip():
            data[name] = value.strip() if name != "note" else value
    if isinstance(data.get("pain_onset_km"), str):
        data["pain_onset_km"] = data["pain_onset_km"].replace(",", ".")
    locations = [v for v in form.getlist("locations") if isinstance(v, str)]
    if locations:
        data["locations"] = locations
    return data


@router.post("/journal")
async def add(request: Request) -> Response:
    from kneeguard.journal import parse_entry
    from kneeguard.storage.journal import add_entry

    form = await checked_form(request)
    values: dict[str, Any] = {name: form.get(name, "") for name in TEXT_FIELDS}
    values["locations"] = [v for v in form.getlist("locations") if isinstance(v, str)]
    try:
        entry = parse_entry(form_entry(form), date.today())
        with get_db(request).session() as session:
            add_entry(session, entry)
    except JournalError as exc:
        field = exc.field or "form"
        return _page(request, values, {field: _clean(exc.message)}, status_code=422)
    return RedirectResponse("/journal?saved=1#entries", status_code=303)


@router.post("/journal/{entry_id}/delete")
async def delete(request: Request,
                 entry_id: int = Path(ge=1, le=2**31 - 1)) -> RedirectResponse:
    from kneeguard.storage.journal import delete_entry

    await checked_form(request)
    with get_db(request).session() as session:
        delete_entry(session, entry_id)
    return RedirectResponse("/journal#entries", status_code=303)


WORDS = (("pain_onset_km", "onset distance"), ("pain_before", "pain before"),
         ("pain_during", "pain during"), ("pain_after", "pain after"), ("run_id", "run"))


def _clean(message: str) -> str:
    """The storage message in the form's words (field ids become the labels' words)."""
    text = message.removeprefix("journal entry: ")
    for name, words in WORDS:
        text = text.replace(name, words)
    return text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")
