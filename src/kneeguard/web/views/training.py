"""``/training``: weekly distance, runs, pace, shoes, warnings and the load context."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from kneeguard.web.data import training_view
from kneeguard.web.deps import app_state, get_db, is_demo
from kneeguard.web.templating import cached_page, render_page, safe_svg

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
async def training(request: Request) -> HTMLResponse:
    # async: a cached page is served in well under a millisecond, cheaper than a thread hop
    state = app_state(request)
    period, weeks = parse_weeks(request.query_params.get("weeks"))

    def build() -> str:
        today = date.today()
        view = training_view(get_db(request), state.settings, state.cache, today, weeks)
        charts = {k: safe_svg(v) for k, v in view.charts.items()}
        load = view.overview.weeks[-1].load if view.overview.weeks else None
        return render_page("training.html", is_demo(request), active="training", view=view,
                           charts=charts, periods=PERIODS, period=period, load=load,
                           today=today)

    return cached_page(request, "training", (period,), build)
