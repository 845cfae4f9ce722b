"""``/training``: weekly distance, runs, pace, shoes, warnings and the load context."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from kneeguard.web.data import training_view
from kneeguard.web.deps import app_state, get_db
from kneeguard.web.templating import render, safe_svg

router = APIRouter(include_in_schema=False)

PERIODS = (("12", "12 weeks"), ("26", "6 months"), ("52", "1 year"), ("all", "everything"))


def parse_weeks(value: str | None) -> tuple[str, int | None]:
    """The period the runner picked (unknown values fall back to 26 weeks)."""
    if value == "all":
        return "all", None
    if value in {p for p, _ in PERIODS}:
        return value, int(value)
    return "26", 26


@router.get("/training", response_class=HTMLResponse)
def training(request: Request) -> HTMLResponse:
    state = app_state(request)
    period, weeks = parse_weeks(request.query_params.get("weeks"))
    view = training_view(get_db(request), state.settings, state.cache, date.today(), weeks)
    charts = {k: safe_svg(v) for k, v in view.charts.items()}
    load = view.overview.weeks[-1].load if view.overview.weeks else None
    return render(request, "training.html", active="training", view=view, charts=charts,
                  periods=PERIODS, period=period, load=load,
                  today=date.today())
