"""Today's page (``/``) and the demo switch (``/demo``, ``/demo/leave``)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from kneeguard.web.data import home_view
from kneeguard.web.deps import VIEW_COOKIE, app_state, checked_form, get_db, is_demo
from kneeguard.web.templating import cached_page, render_page, safe_svg

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> HTMLResponse:
    # async: a cached page is served in well under a millisecond, cheaper than a thread hop
    state = app_state(request)

    def build() -> str:
        view = home_view(get_db(request), state.settings, state.cache, date.today())
        return render_page("home.html", is_demo(request), active="home", view=view,
                           chart=safe_svg(view.chart) if view.chart else None)

    return cached_page(request, "home", (), build)


@router.post("/demo")
async def demo(request: Request) -> RedirectResponse:
    """Load the demo runner into the demo database and look at it."""
    await checked_form(request)
    from kneeguard.demo import load_demo

    state = app_state(request)
    load_demo(state.database(demo=True))
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(VIEW_COOKIE, "demo", httponly=True, samesite="strict")
    return response


@router.post("/demo/leave")
async def leave_demo(request: Request) -> RedirectResponse:
    await checked_form(request)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(VIEW_COOKIE)
    return response
