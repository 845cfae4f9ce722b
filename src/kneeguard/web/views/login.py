"""``/login``: the access-token form of a server that listens beyond this machine."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kneeguard.web.deps import app_state, checked_form
from kneeguard.web.security import ACCESS_COOKIE, access_cookie_value
from kneeguard.web.templating import render

router = APIRouter(include_in_schema=False)


def _next(value: object) -> str:
    text = value if isinstance(value, str) else "/"
    return text if text.startswith("/") and not text.startswith("//") else "/"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> HTMLResponse:
    return render(request, "login.html", next=_next(request.query_params.get("next")),
                  errors={}, needed=bool(app_state(request).settings.access_token))


@router.post("/login")
async def login(request: Request) -> Response:
    form = await checked_form(request)
    state = app_state(request)
    token = state.settings.access_token
    given = form.get("token")
    target = _next(form.get("next"))
    if not token:
        return RedirectResponse(target, status_code=303)
    if not isinstance(given, str) or not hmac.compare_digest(given.encode(), token.encode()):
        return render(request, "login.html", status_code=401, next=target, needed=True,
                      errors={"token": "That is not this server's access token."})
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(ACCESS_COOKIE, access_cookie_value(state.secret, token),
                        httponly=True, samesite="strict")
    return response
