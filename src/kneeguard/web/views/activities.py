"""``/import``: upload files or export archives, watch the progress, read the summary."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from kneeguard.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/import", response_class=HTMLResponse)
def import_page(request: Request) -> HTMLResponse:
    return render(request, "import.html", active="import", errors={})
