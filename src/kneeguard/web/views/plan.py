"""``/plan``: the next weeks as a calendar, with the pain rule on every week."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from kneeguard.web.data import plan_view
from kneeguard.web.deps import app_state, get_db
from kneeguard.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/plan", response_class=HTMLResponse)
def plan(request: Request) -> HTMLResponse:
    raw = request.query_params.get("weeks", "6")
    weeks = int(raw) if raw.isdigit() and 4 <= int(raw) <= 8 else 6
    with get_db(request).session() as session:
        view = plan_view(session, app_state(request).settings, date.today(), weeks)
    return render(request, "plan.html", active="plan", view=view, plan=view.plan,
                  weeks=weeks, today=date.today())
