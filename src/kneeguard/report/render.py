"""Render the therapist's report: HTML through Jinja2, PDF through WeasyPrint.

:func:`build_report_html` and :func:`build_report_pdf` take the plain dict of
:func:`kneeguard.report.data.report_data`. Charts come from the same builders
as the web pages (:mod:`kneeguard.report.charts`), sized for paper, and are
inlined as SVG; the stylesheet is inlined too, so the HTML file stands alone
and the PDF needs nothing from outside. WeasyPrint gets a URL fetcher that
refuses every URL except ``data:``: making a report never touches the network
or the file system. Fonts (DejaVu Sans, through fontconfig) are embedded and
subset by WeasyPrint.

Heavy imports (jinja2's environment, altair through the chart builders,
vl_convert, weasyprint) happen inside the functions.
"""

from __future__ import annotations

import threading
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jinja2 import Environment

TEMPLATES = Path(__file__).parent / "templates"
#: (width, height) of each chart's plotting area on paper, in CSS pixels. The builders'
#: web size (640x220) would take three quarters of a page for three charts.
SIZES = {"weekly": (640, 108), "pain": (290, 108), "onset": (290, 108)}
#: One PDF layout at a time: WeasyPrint is CPU-bound and the machine may be small.
_PDF_LOCK = threading.Lock()
LABELS = {"weekly": "Weekly running distance chart with flagged weeks",
          "pain": "Chart of pain ratings over time with runs",
          "onset": "Chart of the distance at which pain begins"}


def _day(value: date | str | None, fmt: str = "%a %d %b %Y") -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return value.strftime(fmt)


def _km(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} km"


def _words(value: str | None) -> str:
    return "" if value is None else str(value).replace("_", " ")


@lru_cache(maxsize=1)
def environment() -> Environment:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(
        default=True, default_for_string=True), trim_blocks=True, lstrip_blocks=True,
        auto_reload=False)
    env.filters.update(day=_day, km=_km, words=_words)
    return env


@lru_cache(maxsize=1)
def stylesheet() -> str:
    """The report's CSS (inlined in the HTML; the web app also serves it as a file)."""
    return (TEMPLATES / "report.css").read_text(encoding="utf-8")


def _sized(spec: dict[str, Any], name: str) -> dict[str, Any]:
    width, height = SIZES[name]
    return {**spec, "width": width, "height": height}


def report_charts(data: dict[str, Any], cache: bool = True) -> dict[str, str]:
    """The report's charts as SVG documents (only those with data to show)."""
    from kneeguard.report import charts as ch

    specs: dict[str, dict[str, Any]] = {}
    training = data["training"]
    if training.get("present") and training.get("weekly"):
        specs["weekly"] = ch.weekly_distance(training["weekly"])
    journal = data["journal"]
    if journal.get("present") and journal.get("pain_rows"):
        specs["pain"] = ch.pain(journal["pain_rows"], journal["run_rows"])
    if journal.get("present") and len(journal.get("onset_rows", [])) >= 2:
        specs["onset"] = ch.onset(journal["onset_rows"])
    return {name: ch.to_svg(_sized(spec, name), LABELS[name], cache=cache)
            for name, spec in specs.items()}


def build_report_html(data: dict[str, Any], *, css_href: str | None = None,
                      cache: bool = True, charts: dict[str, str] | None = None) -> str:
    """The report as one HTML document (CSS inlined unless ``css_href`` links to it)."""
    from markupsafe import Markup

    from kneeguard import __version__

    if charts is None:
        charts = report_charts(data, cache=cache)
    return environment().get_template("report.html").render(
        d=data, version=__version__, css=Markup(stylesheet()), css_href=css_href,
        charts={name: Markup(svg) for name, svg in charts.items()})


def offline_fetcher() -> Any:
    """A WeasyPrint URL fetcher that serves ``data:`` URLs and refuses everything else.

    Refused URLs are recorded on the fetcher's ``refused`` list (the tests check that a
    report asks for none).
    """
    from weasyprint import URLFetcher

    class OfflineFetcher(URLFetcher):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__(allowed_protocols={"data"}, allow_redirects=False)
            self.refused: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url.startswith("data:"):
                self.refused.append(url)
                raise ValueError(f"kneeguard reports load nothing from outside: {url}")
            return super().fetch(url, headers)

    return OfflineFetcher()


def render_pdf(html: str, fetcher: Any = None) -> tuple[bytes, int]:
    """HTML to PDF bytes and the number of pages."""
    from weasyprint import HTML

    with _PDF_LOCK:
        document = HTML(string=html, url_fetcher=fetcher or offline_fetcher()).render()
        pdf: bytes = document.write_pdf()
    return pdf, len(document.pages)


def build_report_pdf(data: dict[str, Any], cache: bool = True) -> bytes:
    """The report as PDF bytes (A4, one or two pages for a typical history)."""
    return render_pdf(build_report_html(data, cache=cache))[0]


FORMATS = {".pdf": "pdf", ".html": "html"}


def write_report(data: dict[str, Any], out: str | Path) -> dict[str, Any]:
    """Write the report to ``out`` (.pdf or .html by its suffix), all or nothing.

    The file is written next to its destination under a temporary name and moved into
    place once complete, so a failure never leaves half a report. Returns
    ``{"out": absolute path, "pages": N (None for HTML), "bytes": N}``.
    """
    import os
    import tempfile

    from kneeguard.errors import InputError

    path = Path(out).expanduser()
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise InputError(f"--out {out}: the report is written as .pdf or .html, not "
                         f"{path.suffix or 'a file without a suffix'}", field="--out")
    if path.is_dir():
        raise InputError(f"--out {out} is a directory; name a file such as "
                         f"{path / ('report' + path.suffix)}", field="--out")
    parent = path.parent if str(path.parent) else Path(".")
    if parent.exists() and not parent.is_dir():
        raise InputError(f"--out {out}: {parent} is not a directory", field="--out")
    if not parent.is_dir():
        raise InputError(f"--out {out}: the directory {parent} does not exist", field="--out")
    html = build_report_html(data)
    if kind == "pdf":
        content, pages = render_pdf(html)
    else:
        content, pages = html.encode("utf-8"), None
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part",
                                             dir=parent)
    except OSError as exc:
        raise InputError(f"--out {out}: cannot write in {parent} ({exc.strerror or exc})",
                         field="--out") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise InputError(f"--out {out}: cannot write the report ({exc.strerror or exc})",
                         field="--out") from None
    return {"out": str(path.resolve()), "pages": pages, "bytes": len(content)}
