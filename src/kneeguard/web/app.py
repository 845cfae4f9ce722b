"""The web app factory: ``create_app(settings)`` wires pages, API, static files and safety.

Pages are server-rendered HTML (Jinja2) that work without JavaScript; htmx
(served from static/, never from a CDN) only makes some of them livelier.
The JSON API lives under /api/v1 and is described by the OpenAPI document at
/api/v1/openapi.json; pages and API call the same functions underneath.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from kneeguard import __version__
from kneeguard.errors import InputError, KneeguardError
from kneeguard.web.cache import PageCache
from kneeguard.web.deps import AppState
from kneeguard.web.jobs import Jobs
from kneeguard.web.security import SecurityMiddleware, load_secret
from kneeguard.web.templating import render

if TYPE_CHECKING:
    from kneeguard.settings import Settings

STATIC = Path(__file__).parent / "static"
MB = 1024 * 1024


def create_app(settings: Settings | None = None, *, cache: bool = True) -> FastAPI:
    """The kneeguard web app for ``settings`` (default: loaded from env and config file).

    ``cache=False`` recomputes every page and chart on every request (the baseline of
    benchmarks/bench_web.py).
    """
    if settings is None:
        from kneeguard.settings import load_settings

        settings = load_settings()
    secret = load_secret(settings.data_path, settings.access_token)
    page_cache = PageCache(enabled=cache)
    state = AppState(settings=settings, secret=secret, cache=page_cache,
                     jobs=Jobs(on_done=page_cache.invalidate))

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        state.jobs.shutdown()
        state.dispose()

    app = FastAPI(
        lifespan=lifespan,
        title="kneeguard",
        version=__version__,
        summary="Local-first knee-pain companion for runners: a decision aid, not a diagnosis.",
        description="The JSON API of the kneeguard web app. Pages and API share the same "
        "functions. Every error is `{\"error\": {\"message\": ..., \"field\": ...}}`.",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.kneeguard = state
    app.state.chart_cache = cache
    app.add_middleware(InvalidateOnWrite, cache=state.cache)
    app.add_middleware(
        SecurityMiddleware, bind_host=settings.host, access_token=settings.access_token,
        secret=secret, upload_max_bytes=int(settings.upload_max_mb * MB))
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    import kneeguard.web.api as api
    import kneeguard.web.api_questionnaires as api_questionnaires
    import kneeguard.web.views.activities as activities
    import kneeguard.web.views.assessment as assessment
    import kneeguard.web.views.home as home
    import kneeguard.web.views.journal as journal
    import kneeguard.web.views.login as login
    import kneeguard.web.views.plan as plan
    import kneeguard.web.views.questionnaires as questionnaires
    import kneeguard.web.views.report as report
    import kneeguard.web.views.training as training

    for module in (home, assessment, activities, training, journal, plan, questionnaires,
                   report, login):
        app.include_router(module.router)
    app.include_router(api.router)
    app.include_router(api_questionnaires.router)
    _errors(app)

    return app


class InvalidateOnWrite:
    """After any POST, PUT, PATCH or DELETE, read the data fingerprints afresh."""

    def __init__(self, app: Any, cache: PageCache) -> None:
        self.app = app
        self.cache = cache

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            if scope["type"] == "http" and scope["method"] in ("POST", "PUT", "PATCH",
                                                                "DELETE"):
                self.cache.invalidate()


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error_json(status: int, message: str, field: str | None = None) -> JSONResponse:
    return JSONResponse({"error": {"message": message, "field": field}}, status_code=status)


TITLES = {400: "Bad request", 403: "Not allowed", 404: "Not found", 405: "Not allowed",
          413: "Too large", 422: "Please check your input", 500: "Something went wrong"}


def _errors(app: FastAPI) -> None:
    @app.exception_handler(KneeguardError)
    async def kneeguard_error(request: Request, exc: KneeguardError) -> Response:
        field = exc.field if isinstance(exc, InputError) else None
        if _wants_json(request):
            return _error_json(exc.http_status, exc.message, field)
        return render(request, "error.html", status_code=exc.http_status,
                      title=TITLES.get(exc.http_status, "Error"), message=_sentence(exc.message))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else "The request was refused."
        if exc.status_code == 404:
            message = "There is no page at this address."
        if exc.status_code == 405:
            message = "This address does not accept that kind of request."
        if _wants_json(request):
            return _error_json(exc.status_code, message)
        return render(request, "error.html", status_code=exc.status_code,
                      title=TITLES.get(exc.status_code, "Error"), message=message)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path")]
        field = ".".join(loc) or None
        what = first.get("msg", "invalid value")
        message = f"{field}: {what}" if field else str(what)
        if _wants_json(request):
            return _error_json(422, message, field)
        return render(request, "error.html", status_code=422, title=TITLES[422],
                      message=message)


def _sentence(message: str) -> str:
    message = message.strip()
    if message and message[0].islower():
        message = message[0].upper() + message[1:]
    if message and message[-1] not in ".!?":
        message += "."
    return message
