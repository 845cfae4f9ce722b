"""``/report.pdf`` and ``/report.html``: the report for the physical therapist.

Both call the same functions as ``kneeguard report`` (:mod:`kneeguard.report.data`
gathers, :mod:`kneeguard.report.render` renders), on the database this browser
looks at (the demo runner's after "Try the demo"). The PDF is a download; the
HTML page links its stylesheet from ``/report.css`` because the app's
Content-Security-Policy allows no inline style. ``?weeks=N`` (4-104) sets the
weeks of training in the chart. Nothing is cached but the charts (by content):
every download shows the data as it is now.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kneeguard.web.deps import app_state, get_db

router = APIRouter(include_in_schema=False)

NO_STORE = {"Cache-Control": "no-store"}


def _weeks(request: Request) -> int:
    from kneeguard.report.data import WEEKS

    raw = request.query_params.get("weeks", "")
    return int(raw) if raw.isdigit() and 4 <= int(raw) <= 104 else WEEKS


def report_document(request: Request) -> dict[str, Any]:
    """The report's data for this browser's database, as of today."""
    from kneeguard.report.data import report_data

    state = app_state(request)
    with get_db(request).session() as session:
        return report_data(session, state.settings, date.today(), _weeks(request))


@router.get("/report.pdf")
def report_pdf(request: Request) -> Response:
    """The report as a PDF download (``kneeguard-report-DATE.pdf``)."""
    from kneeguard.report.render import build_report_pdf

    data = report_document(request)
    pdf = build_report_pdf(data, cache=app_state(request).cache.enabled)
    name = f"kneeguard-report-{data['report_date']}.pdf"
    return Response(pdf, media_type="application/pdf", headers={
        **NO_STORE, "Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/report.html", response_class=HTMLResponse)
def report_html(request: Request) -> HTMLResponse:
    """The report as a page (print it from the browser, or download the PDF)."""
    from kneeguard.report.render import build_report_html

    html = build_report_html(report_document(request), css_href="/report.css",
                             cache=app_state(request).cache.enabled)
    return HTMLResponse(html, headers=NO_STORE)


@router.get("/report.css")
def report_css() -> Response:
    from kneeguard.report.render import stylesheet

    return Response(stylesheet(), media_type="text/css; charset=utf-8")
