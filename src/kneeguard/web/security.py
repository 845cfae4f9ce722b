"""Safety of a local web server: one ASGI middleware plus the CSRF helpers.

What a browser on the runner's machine must not be able to do to kneeguard:

* **DNS rebinding**: a web page on an attacker's domain that resolves to
  127.0.0.1 reaches the server with ``Host: attacker.example``. Every request
  whose Host header is not one of the bound host's names is refused (400).
  Bound to a wildcard address (0.0.0.0, ::) the host is not known; then the
  mandatory access token is the protection (a rebinding page cannot know it).
* **Cross-site requests** (CSRF): every HTML form carries a token derived
  from a per-browser cookie with an HMAC under the server's secret; unsafe
  requests whose ``Origin`` or ``Sec-Fetch-Site`` names another site are
  refused before any handler runs, and the JSON API accepts only JSON bodies
  (which a cross-site form cannot send) or multipart uploads.
* **Other people on the network**: binding a non-loopback address needs an
  access token (settings ``access_token``); it is checked on every request
  (cookie after the /login form, or ``Authorization: Bearer``).
* **Huge bodies**: uploads above ``upload_max_mb`` and other bodies above
  1 MB are refused with 413 and one sentence, counted while streaming.
* **Injected script**: Jinja2 escapes all text; the Content-Security-Policy
  allows scripts and styles only from the app itself.

Written as a plain ASGI middleware (not ``BaseHTTPMiddleware``) because it
wraps every request, including the benchmarked pages.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import os
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from starlette.exceptions import HTTPException

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CSRF_COOKIE = "kg_csrf"
ACCESS_COOKIE = "kg_access"
CSRF_FIELD = "csrf_token"
FORM_MAX_BYTES = 1024 * 1024
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
WILDCARDS = frozenset({"0.0.0.0", "::", ""})
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
OPEN_PATHS = ("/static/", "/login")
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and ``localhost``."""
    name = host.strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def check_bind(host: str, access_token: str) -> None:
    """Refuse to listen on a non-loopback address without an access token."""
    from kneeguard.errors import PermissionDenied

    if not is_loopback(host) and not access_token:
        raise PermissionDenied(
            f"refusing to listen on {host}: other machines could read your health data. "
            "Set an access token first (KNEEGUARD_ACCESS_TOKEN or access_token in config.toml), "
            "or keep the default 127.0.0.1")


def allowed_hosts(bind_host: str) -> frozenset[str] | None:
    """Host names a request may name for a server bound to ``bind_host`` (None: any)."""
    name = bind_host.strip("[]").lower()
    if name in WILDCARDS:
        return None
    if is_loopback(name):
        return LOOPBACK_NAMES | {name}
    return LOOPBACK_NAMES | {name}


def host_name(value: str) -> str:
    """The host part of a Host header (without port; IPv6 without brackets)."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:].split("]", 1)[0]
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def load_secret(data_dir: Path, access_token: str) -> bytes:
    """The server's HMAC key: from the access token (shared by a clinic's servers) or a
    random key kept in the data directory (so open forms survive a restart)."""
    if access_token:
        return hashlib.sha256(b"kneeguard-web:" + access_token.encode()).digest()
    path = data_dir / "web-secret"
    try:
        data = bytes.fromhex(path.read_text(encoding="ascii").strip())
        if len(data) >= 32:
            return data
    except (OSError, ValueError):
        pass
    data = secrets.token_bytes(32)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(data.hex())
    except OSError:
        pass  # a read-only data directory: the key lives as long as the process
    return data


def csrf_token(secret: bytes, cookie: str) -> str:
    return hmac.new(secret, b"csrf:" + cookie.encode(), hashlib.sha256).hexdigest()


def csrf_valid(secret: bytes, cookie: str | None, token: object) -> bool:
    if not cookie or not isinstance(token, str) or not token:
        return False
    return hmac.compare_digest(csrf_token(secret, cookie), token)


def access_cookie_value(secret: bytes, token: str) -> str:
    return hmac.new(secret, b"access:" + token.encode(), hashlib.sha256).hexdigest()


def _headers(scope: Scope) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in scope.get("headers", []):
        out.setdefault(key.decode("latin-1").lower(), value.decode("latin-1"))
    return out


def _cookies(header: str) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header)
    except Exception:  # a malformed Cookie header is treated as no cookies
        return {}
    return {k: m.value for k, m in jar.items()}


class SecurityMiddleware:
    """Host check, access token, cross-site refusal, body limits, headers, CSRF cookie."""

    def __init__(self, app: ASGIApp, *, bind_host: str, access_token: str, secret: bytes,
                 upload_max_bytes: int, secure_cookies: bool = False) -> None:
        self.app = app
        self.hosts = allowed_hosts(bind_host)
        self.token = access_token
        self.secret = secret
        self.upload_max = upload_max_bytes
        self.cookie_flags = "; Path=/; HttpOnly; SameSite=Strict" + (
            "; Secure" if secure_cookies else "")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        path: str = scope.get("path", "/")
        api = path.startswith("/api/")
        if self.hosts is not None and host_name(headers.get("host", "")) not in self.hosts:
            await _refuse(send, 400, "This server answers only to its own address (the Host "
                          "header names another site).", api)
            return
        cookies = _cookies(headers.get("cookie", ""))
        if self.token and not path.startswith(OPEN_PATHS) and not self._authorised(
                headers, cookies):
            if api or scope["method"] != "GET":
                await _refuse(send, 401, "This kneeguard server needs its access token: send "
                              "'Authorization: Bearer TOKEN' or sign in at /login.", api)
            else:
                await _redirect(send, "/login?next=" + quote(path, safe="/"))
            return
        method = scope["method"]
        if method in UNSAFE:
            reason = _cross_site(headers)
            if reason:
                await _refuse(send, 403, reason, api)
                return
            ctype = headers.get("content-type", "").split(";", 1)[0].strip().lower()
            if api and ctype not in ("application/json", "multipart/form-data", ""):
                await _refuse(send, 415, "The API accepts JSON bodies (Content-Type: "
                              "application/json) and multipart uploads only.", api)
                return
            upload = ctype == "multipart/form-data"
            limit = self.upload_max if upload else FORM_MAX_BYTES
            length = headers.get("content-length")
            if length is not None and length.isdigit() and int(length) > limit:
                await _refuse(send, 413, _too_large(limit, upload), api)
                return
            receive = _limited(receive, limit, upload)
        csrf_cookie = cookies.get(CSRF_COOKIE)
        new_cookie = None
        if not csrf_cookie or len(csrf_cookie) < 16:
            csrf_cookie = new_cookie = secrets.token_urlsafe(24)
        scope.setdefault("state", {})["csrf_cookie"] = csrf_cookie

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = list(SECURITY_HEADERS)
                if new_cookie is not None and not api:
                    extra.append((b"set-cookie", f"{CSRF_COOKIE}={new_cookie}"
                                  f"{self.cookie_flags}".encode()))
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except BodyTooLarge as exc:
            await _refuse(send, 413, str(exc.detail), api)

    def _authorised(self, headers: dict[str, str], cookies: dict[str, str]) -> bool:
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer ") and hmac.compare_digest(
                auth[7:].strip().encode(), self.token.encode()):
            return True
        value = cookies.get(ACCESS_COOKIE, "")
        return bool(value) and hmac.compare_digest(
            value, access_cookie_value(self.secret, self.token))


class BodyTooLarge(HTTPException):
    """Raised inside the app when a streamed body passes its limit (an HTTP 413)."""

    def __init__(self, limit: int, upload: bool) -> None:
        super().__init__(413, _too_large(limit, upload))


def _too_large(limit: int, upload: bool) -> str:
    if upload:
        return (f"The upload is larger than the limit of {limit / 1024 / 1024:.3g} MB "
                "(setting upload_max_mb); import very large archives with "
                "`kneeguard import` instead.")
    return f"The request is larger than {limit // 1024} KB, the limit for a form."


def _limited(receive: Receive, limit: int, upload: bool) -> Receive:
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge(limit, upload)
        return message

    return wrapped


def _cross_site(headers: dict[str, str]) -> str | None:
    site = headers.get("sec-fetch-site")
    if site and site not in ("same-origin", "none"):
        return "Refused: this request came from another web site."
    origin = headers.get("origin")
    if origin and origin != "null":
        netloc = urlsplit(origin).netloc.lower()
        if netloc != headers.get("host", "").lower():
            return "Refused: this request came from another web site."
    elif origin == "null":
        return "Refused: this request came from a page without an origin."
    return None


async def _refuse(send: Send, status: int, message: str, api: bool) -> None:
    if api:
        body = json.dumps({"error": {"message": message, "field": None}}).encode()
        ctype = b"application/json"
    else:
        from html import escape

        body = (f"<!doctype html><html lang=en><meta charset=utf-8><title>kneeguard</title>"
                f"<link rel=stylesheet href=/static/app.css><main class=page><h1>Not allowed"
                f"</h1><p role=alert>{escape(message)}</p><p><a href=/>Home</a></p></main>"
                ).encode()
        ctype = b"text/html; charset=utf-8"
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", ctype),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close"), *SECURITY_HEADERS]})
    await send({"type": "http.response.body", "body": body})


async def _redirect(send: Send, location: str) -> None:
    await send({"type": "http.response.start", "status": 303,
                "headers": [(b"location", location.encode()), (b"content-length", b"0"),
                            *SECURITY_HEADERS]})
    await send({"type": "http.response.body", "body": b""})
