"""The Jinja2 environment of the pages and the one function views render with.

Autoescaping is on for every template: text a runner typed (notes, file
names) can never become markup. Charts are SVG made by the server
(:mod:`kneeguard.report.charts`) and are the only values marked safe.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from kneeguard import __version__
from kneeguard.web.deps import form_token, is_demo
from kneeguard.web.security import CSRF_FIELD

TEMPLATES = Path(__file__).parent / "templates"
HTMX = "vendor/htmx-2.0.11.min.js"

NAV = (("home", "/", "Today"), ("assess", "/assess", "Assess"),
       ("training", "/training", "Training"), ("journal", "/journal", "Journal"),
       ("plan", "/plan", "Plan"), ("questionnaires", "/questionnaires", "Questionnaires"),
       ("import", "/import", "Import"))


def _km(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "-"
    return f"{value:.{digits}f} km"


def _pct(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value * 100:.0f}%"


def _signed_pct(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:+.0f}%"


def _day(value: date | datetime | str | None, fmt: str = "%a %d %b %Y") -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return value.strftime(fmt)


def _words(value: str | None) -> str:
    return "" if value is None else value.replace("_", " ")


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(
        default=True, default_for_string=True), trim_blocks=True, lstrip_blocks=True,
        auto_reload=False)
    env.filters.update(km=_km, pct=_pct, signed_pct=_signed_pct, day=_day, words=_words)
    env.globals.update(NAV=NAV, HTMX=HTMX, VERSION=__version__, CSRF_FIELD=CSRF_FIELD)
    return env


def render(request: Request, template: str, status_code: int = 200,
           headers: dict[str, str] | None = None, **context: Any) -> HTMLResponse:
    """Render ``template`` with the request's CSRF token, demo flag and active nav item."""
    token = form_token(request)
    context.setdefault("active", "")
    html = environment().get_template(template).render(
        request=request, csrf_token=token, demo=is_demo(request),
        csrf_input=Markup(f'<input type="hidden" name="{CSRF_FIELD}" value="{token}">'),
        **context)
    return HTMLResponse(html, status_code=status_code, headers=headers)


TOKEN_SLOT = "@@kneeguard-csrf-token@@"


def render_page(template: str, demo: bool, **context: Any) -> str:
    """A page's HTML with a slot for the browser's CSRF token (so it can be cached and
    shared by every browser; :func:`page_response` fills the slot)."""
    context.setdefault("active", "")
    return environment().get_template(template).render(
        request=None, csrf_token=TOKEN_SLOT, demo=demo,
        csrf_input=Markup(f'<input type="hidden" name="{CSRF_FIELD}" value="{TOKEN_SLOT}">'),
        **context)


def page_response(request: Request, html: str) -> HTMLResponse:
    return HTMLResponse(html.replace(TOKEN_SLOT, form_token(request)))


def cached_page(request: Request, name: str, params: tuple[Any, ...], build: Any) -> HTMLResponse:
    """The page ``name`` from the page cache (keyed by the data version, the day, the demo
    switch and ``params``), or ``build()`` -> HTML when the data changed."""
    from kneeguard.web.deps import app_state, get_db

    state = app_state(request)
    if not state.cache.enabled:
        return page_response(request, build())
    db = get_db(request)
    key = ("page", name, db.url, params, is_demo(request), date.today(),
           state.cache.version(db))
    return page_response(request, state.cache.get(key, build))


def safe_svg(svg: str) -> Markup:
    """An SVG made by :func:`kneeguard.report.charts.to_svg` (server-made, not user text)."""
    return Markup(svg)
