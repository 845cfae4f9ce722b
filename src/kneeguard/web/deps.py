"""What every request needs: the app's state, the database it looks at, CSRF-checked forms.

The app keeps two databases: the runner's own (``settings.db_url``) and the
demo runner's (``settings.demo_db_url``). A browser that pressed "Try the demo"
carries the cookie ``kg_view=demo`` and sees the demo database until it leaves
the demo; everything else (the API without that cookie, other browsers) sees
the runner's own data. Both are opened on first use.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fastapi import Request
from starlette.datastructures import FormData

from kneeguard.errors import PermissionDenied
from kneeguard.web.security import CSRF_FIELD, csrf_token, csrf_valid

if TYPE_CHECKING:
    from kneeguard.settings import Settings
    from kneeguard.storage import Database
    from kneeguard.web.cache import PageCache
    from kneeguard.web.jobs import Jobs

VIEW_COOKIE = "kg_view"


@dataclass
class AppState:
    settings: Settings
    secret: bytes
    cache: PageCache
    jobs: Jobs
    _databases: dict[str, Database] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def database(self, demo: bool = False) -> Database:
        url = self.settings.demo_db_url if demo else self.settings.db_url
        db = self._databases.get(url)
        if db is None:
            with self._lock:
                db = self._databases.get(url)
                if db is None:
                    from kneeguard.storage import connect

                    db = connect(url)
                    self._databases[url] = db
        return db

    def dispose(self) -> None:
        for db in self._databases.values():
            db.dispose()
        self._databases.clear()


def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.kneeguard
    return state


def is_demo(request: Request) -> bool:
    return request.cookies.get(VIEW_COOKIE) == "demo"


def get_db(request: Request) -> Database:
    """The database this browser looks at (the demo runner's after "Try the demo")."""
    return app_state(request).database(demo=is_demo(request))


def form_token(request: Request) -> str:
    """The CSRF token every form of this page carries."""
    cookie = request.scope.get("state", {}).get("csrf_cookie", "")
    return csrf_token(app_state(request).secret, cookie)


def check_csrf(request: Request, form: FormData | dict[str, Any]) -> None:
    cookie = request.cookies.get("kg_csrf")
    if not csrf_valid(app_state(request).secret, cookie, form.get(CSRF_FIELD)):
        raise PermissionDenied(
            "This form has expired or was sent from another page: go back, reload the page "
            "and send it again.")


async def checked_form(request: Request) -> FormData:
    """The submitted form after its CSRF token was checked."""
    form = await request.form()
    check_csrf(request, form)
    return form
