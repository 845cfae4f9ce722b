"""The report for the physical therapist: content (read back from the PDF with pdftotext),
pages, embedded fonts, no network, the empty database, the CLI and the web routes.

The demo runner (kneeguard.demo) gives a realistic history: a year of runs with a
comeback, a weekly jump and a long-run spike, shoes past their limit, a journal whose
pain begins earlier and earlier, and an assessment. Questionnaire responses are added
here. Expected numbers are computed from the demo's own runs and from the scoring
functions, not from the report code.
"""

from __future__ import annotations

import json
import re
import shutil
import statistics
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

TODAY = date(2026, 3, 11)  # a Wednesday
RESPONSES: list[tuple[str, dict[str, Any], datetime]] = [
    ("visa_p", {"Q1": 4, "Q2": 5, "Q3": 6, "Q4": 6, "Q5": 5, "Q6": 6, "Q7": 4,
                "Q8_branch": "B", "Q8B": 4}, datetime(2026, 2, 20, 9, tzinfo=UTC)),
    ("visa_p", {"Q1": 6, "Q2": 7, "Q3": 8, "Q4": 8, "Q5": 7, "Q6": 8, "Q7": 7,
                "Q8_branch": "B", "Q8B": 14}, datetime(2026, 3, 9, 9, tzinfo=UTC)),
    ("nprs", {"NPRS_NOW": 5, "NPRS_DURING_RUN": 6}, datetime(2026, 2, 20, 9, tzinfo=UTC)),
    ("nprs", {"NPRS_NOW": 2, "NPRS_DURING_RUN": 3}, datetime(2026, 3, 9, 9, tzinfo=UTC)),
    ("lefs", {f"LEFS{i}": 3 for i in range(1, 21)}, datetime(2026, 2, 20, 9, tzinfo=UTC)),
    ("lefs", {**{f"LEFS{i}": 3 for i in range(1, 21)}, "LEFS1": 4, "LEFS2": 4, "LEFS3": 4,
              "LEFS4": 4}, datetime(2026, 3, 9, 9, tzinfo=UTC)),
]

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                   reason="poppler-utils not installed (pdftotext, pdffonts)")


def _tool(*args: str) -> str:
    return subprocess.run(list(args), check=True, capture_output=True, text=True).stdout


def _add_responses(db: Any) -> dict[str, list[dict[str, Any]]]:
    from kneeguard.questionnaires import load_instrument, score
    from kneeguard.storage.questionnaires import save_response

    scores: dict[str, list[dict[str, Any]]] = {}
    with db.session() as session:
        for instrument_id, answers, when in RESPONSES:
            instrument = load_instrument(instrument_id)
            result = score(instrument, answers).to_json()
            save_response(session, instrument_id, answers, result, instrument.content_hash,
                          None, when)
            scores.setdefault(instrument_id, []).append(result["scores"])
    return scores


def _weekly_km(runs: list[Any]) -> dict[date, float]:
    weeks: dict[date, float] = {}
    for run in runs:
        start = run.day - timedelta(days=run.day.weekday())
        weeks[start] = weeks.get(start, 0.0) + run.km
    return weeks


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The demo runner's report as of TODAY: data, HTML, PDF and its text (rendered once)."""
    from kneeguard.demo import load_demo
    from kneeguard.report.data import report_data
    from kneeguard.report.render import build_report_html, offline_fetcher, render_pdf
    from kneeguard.storage import connect
    from kneeguard.storage.assessments import latest_assessment

    folder = tmp_path_factory.mktemp("report")
    db = connect(f"sqlite:///{folder / 'demo.db'}")
    try:
        demo = load_demo(db, today=TODAY, questionnaires=False)
        scores = _add_responses(db)
        with db.session() as session:
            data = report_data(session, today=TODAY)
            latest = latest_assessment(session)
    finally:
        db.dispose()
    assert latest is not None
    html = build_report_html(data)
    fetcher = offline_fetcher()
    pdf, pages = render_pdf(html, fetcher)
    path = folder / "report.pdf"
    path.write_bytes(pdf)
    text = _tool("pdftotext", "-layout", str(path), "-") if shutil.which("pdftotext") else ""
    return {"demo": demo, "scores": scores, "data": data, "html": html, "pdf": pdf,
            "pages": pages, "path": path, "text": text, "latest": latest,
            "refused": list(fetcher.refused)}


# -- the PDF, read back --------------------------------------------------------------------


@needs_poppler
def test_pdf_has_every_section_and_the_notice(demo_report: dict[str, Any]) -> None:
    text = demo_report["text"]
    for heading in ("Knee pain report for the physical therapist", "Latest assessment",
                    "Training story", "Pain journal", "Questionnaires", "Plan", "Pain rule:"):
        assert heading in text, heading
    assert "kneeguard is a decision aid, not a diagnosis." in text
    assert "report date Wed 11 Mar 2026" in text


@needs_poppler
def test_pdf_shows_the_top_condition_with_its_probability(demo_report: dict[str, Any]) -> None:
    result = demo_report["latest"].result
    top = result["conditions"][0]
    name = top["name"].split(" (")[0]
    percent = round(100 * top["probability"])
    assert re.search(rf"1\. {re.escape(name)}\s+{percent}%", demo_report["text"])
    second = result["conditions"][1]
    assert re.search(rf"2\. {re.escape(second['name'].split(' (')[0][:20])}.*\s"
                     rf"{round(100 * second['probability'])}%", demo_report["text"])
    assert result["triage"]["label"] in demo_report["text"]
    assert "RED FLAGS none found" in demo_report["text"]
    assert top["evidence_for"][0] in " ".join(demo_report["text"].split())


@needs_poppler
def test_pdf_shows_the_knowledge_base_version_and_date(demo_report: dict[str, Any]) -> None:
    from kneeguard.knowledge import load_kb

    kb = load_kb()
    text = demo_report["text"]
    assert f"knowledge base {kb.version} ({kb.released})" in text
    assert f"with knowledge base {kb.version}." in text
    assert "Latest assessment Tue 10 Mar 2026" in text


@needs_poppler
def test_pdf_shows_weekly_distances_computed_from_the_runs(
        demo_report: dict[str, Any]) -> None:
    runs = [r for r in demo_report["demo"].runs if r.day <= TODAY]
    weeks = _weekly_km(runs)
    monday = TODAY - timedelta(days=TODAY.weekday())
    this_week = weeks.get(monday, 0.0)
    before = [weeks.get(monday - timedelta(weeks=k), 0.0) for k in (4, 3, 2, 1)]
    text = " ".join(demo_report["text"].split())
    assert (f"{len(runs)} runs, {round(sum(r.km for r in runs))} km from "
            f"{runs[0].day.strftime('%a %d %b %Y')}") in text
    assert f"This week so far {this_week:.1f} km" in text
    assert f"usual week {statistics.median(before):.1f} km (median of the 4 weeks before)" in text
    # The chart's rows carry the same weekly sums.
    rows = {r["week_start"]: r["km"] for r in demo_report["data"]["training"]["weekly"]}
    for start, km in weeks.items():
        if start.isoformat() in rows:
            assert rows[start.isoformat()] == round(km, 1)


@needs_poppler
def test_pdf_lists_the_overload_warnings_and_shoes(demo_report: dict[str, Any]) -> None:
    text = " ".join(demo_report["text"].split())
    spike = max(demo_report["demo"].runs, key=lambda r: r.km if r.day >= TODAY -
                timedelta(days=60) else 0)
    assert f"Your {spike.km:.1f} km run on {spike.day.isoformat()} was" in text
    assert "weekly jump (moderate)" in text
    assert re.search(r"Pegasus 39 \(old pair\) \d+ km of 650 \(past its limit\)", text)
    weekly = demo_report["data"]["training"]["weekly"]
    flagged = [w for w in weekly if w["flag"]]
    assert any("weekly jump" in w["flag"] for w in flagged)
    assert any("comeback" in w["flag"] for w in flagged)


@needs_poppler
def test_pdf_shows_the_journal_with_its_onset_trend(demo_report: dict[str, Any]) -> None:
    journal = demo_report["demo"].journal
    text = " ".join(demo_report["text"].split())
    assert f"{len(journal)} entries." in text
    assert "Onset trend: Pain begins earlier and earlier in the runs" in text
    assert f"pain began at {journal[-1].onset_km:g} km" in text
    assert demo_report["data"]["journal"]["onset_trend"] == "earlier"


@needs_poppler
def test_pdf_shows_questionnaire_changes_against_the_mcid(demo_report: dict[str, Any]) -> None:
    scores = demo_report["scores"]
    text = demo_report["text"]
    first, last = scores["visa_p"][0]["total"], scores["visa_p"][1]["total"]
    assert last - first >= 13  # VISA-P MCID 13
    assert re.search(rf"total\s+{last} 09 Mar\s+{first} 20 Feb\s+\+{last - first:.1f} improved",
                     text)
    now0, now1 = scores["nprs"][0]["NPRS_NOW"], scores["nprs"][1]["NPRS_NOW"]
    assert re.search(rf"NPRS NOW\s+{now1} 09 Mar\s+{now0} 20 Feb\s+-{now0 - now1:.1f} improved",
                     text)
    lefs0, lefs1 = scores["lefs"][0]["total"], scores["lefs"][1]["total"]
    assert 0 < lefs1 - lefs0 < 9  # LEFS MCID 9: not yet an improvement
    assert f"+{lefs1 - lefs0:.1f} within MCID" in text
    assert "NPRS BEFORE RUN" not in text  # contexts never answered are left out


@needs_poppler
def test_pdf_shows_the_plan(demo_report: dict[str, Any]) -> None:
    plan = demo_report["data"]["plan"]
    text = demo_report["text"]
    assert plan["status"] == "plan" and plan["mode"] == "return"
    assert "walk-run return, 6 weeks from Mon 16 Mar 2026" in text
    week = plan["weeks"][0]
    assert re.search(rf"16 Mar 2026\s+{week['km']:.1f}\s+{week['sessions']}\s+", text)


@needs_poppler
def test_pdf_is_one_or_two_pages_with_numbered_footers(demo_report: dict[str, Any]) -> None:
    pages = demo_report["pages"]
    assert 1 <= pages <= 2
    info = _tool("pdfinfo", str(demo_report["path"]))
    assert re.search(rf"^Pages:\s+{pages}$", info, re.M)
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info)
    for page in range(1, pages + 1):
        assert f"page {page} of {pages}" in demo_report["text"]


@needs_poppler
def test_pdf_fonts_are_embedded_and_the_footer_is_not_serif(
        demo_report: dict[str, Any]) -> None:
    listing = _tool("pdffonts", str(demo_report["path"])).splitlines()
    header, rule, rows = listing[0], listing[1], listing[2:]
    assert rows, "the PDF names no fonts"
    emb = header.index("emb")  # the columns are fixed-width, as the rule line shows
    assert rule[emb - 1] == " "
    for row in rows:
        name = row.split()[0]
        assert row[emb:emb + 3] == "yes", f"font {name} is not embedded: {row}"
        assert re.fullmatch(r"[A-Z]{6}\+DejaVu-Sans(-Bold)?", name), f"unexpected font {name}"


def test_report_fetches_nothing(demo_report: dict[str, Any]) -> None:
    assert demo_report["refused"] == []
    from selectolax.lexbor import LexborHTMLParser as HTMLParser

    tree = HTMLParser(demo_report["html"])
    for node in tree.css("[src], [href], link, script, img, iframe"):
        for attribute in ("src", "href"):
            value = node.attributes.get(attribute)
            assert not value, f"the standalone report references {value}"
    assert "<style>" in demo_report["html"]
    assert demo_report["html"].count("<svg") >= 4  # 3 charts + probability bars


def test_offline_fetcher_refuses_everything_but_data_urls() -> None:
    from kneeguard.report.render import offline_fetcher, render_pdf

    fetcher = offline_fetcher()
    html = ('<html><head><link rel="stylesheet" href="https://example.invalid/x.css">'
            '<link rel="stylesheet" href="file:///etc/hostname"></head><body><p>x</p>'
            '<img src="http://example.invalid/x.png">'
            '<img src="data:image/svg+xml;utf8,<svg xmlns=\'http://www.w3.org/2000/svg\' '
            'width=\'4\' height=\'4\'/>"></body></html>')
    pdf, pages = render_pdf(html, fetcher)
    assert pdf.startswith(b"%PDF") and pages == 1
    assert sorted(fetcher.refused) == ["file:///etc/hostname", "http://example.invalid/x.png",
                                       "https://example.invalid/x.css"]


def test_data_is_plain_json(demo_report: dict[str, Any]) -> None:
    data = demo_report["data"]
    assert json.loads(json.dumps(data)) == data
    assert data["schema"] == "kneeguard.report-data/1"
    assert data["training"]["weeks_shown"] == 26
    assert data["training"]["weekly"][-1]["week_start"] == "2026-03-09"
    assert data["training"]["current"] is True


# -- red flags, stale data, empty database ---------------------------------------------------


def _html_text(html: str) -> str:
    from selectolax.lexbor import LexborHTMLParser as HTMLParser

    return " ".join(HTMLParser(html).body.text(separator=" ").split())  # type: ignore[union-attr]


def _render_html(data: dict[str, Any]) -> str:
    from kneeguard.report.render import build_report_html

    return build_report_html(data)


def test_red_flags_are_named_with_their_triage(sqlite_url: str) -> None:
    from kneeguard.assessment import assess
    from kneeguard.report.data import report_data
    from kneeguard.report.render import build_report_html
    from kneeguard.storage import connect
    from kneeguard.storage.assessments import save_assessment

    answers = {"schema": "kneeguard.answers/1", "age": 44, "sex": "male",
               "pain_locations": ["front_of_kneecap_surface"], "swelling": "marked",
               "fever": True, "pain_now": 5}
    db = connect(sqlite_url)
    try:
        with db.session() as session:
            save_assessment(session, answers, assess(answers),
                            datetime(2026, 3, 10, 8, tzinfo=UTC))
            data = report_data(session, today=TODAY)
    finally:
        db.dispose()
    flags = data["assessment"]["red_flags"]
    assert [f["id"] for f in flags] == ["septic_arthritis"]
    text = _html_text(build_report_html(data))
    assert "Triage Emergency Go to an emergency department now." in text
    assert "Red flags 1 found ⚠ possible infected knee joint (septic arthritis) (emergency)" in text
    assert "Stop running for now." in text  # the plan stops too
    assert data["plan"]["status"] == "stop"


def test_a_stale_history_says_so(demo_report: dict[str, Any], tmp_path: Path) -> None:
    from kneeguard.report.data import report_data
    from kneeguard.storage import connect

    shutil.copy(Path(str(demo_report["path"]).replace("report.pdf", "demo.db")),
                tmp_path / "demo.db")
    db = connect(f"sqlite:///{tmp_path / 'demo.db'}")
    later = TODAY + timedelta(days=300)
    try:
        with db.session() as session:
            data = report_data(session, today=later)
    finally:
        db.dispose()
    training = data["training"]
    assert training["current"] is False and training["this_week_km"] is None
    assert training["weekly"][-1]["week_start"] == "2026-03-09"  # the history's last week
    text = _html_text(_render_html(data))
    assert "No runs in the 301 days before this report" in text
    assert "Latest assessment Tue 10 Mar 2026 (301 days before this report)" in text


def test_a_short_break_shows_as_empty_weeks(demo_report: dict[str, Any], tmp_path: Path) -> None:
    from kneeguard.report.data import report_data
    from kneeguard.storage import connect

    shutil.copy(Path(str(demo_report["path"]).replace("report.pdf", "demo.db")),
                tmp_path / "demo.db")
    db = connect(f"sqlite:///{tmp_path / 'demo.db'}")
    try:
        with db.session() as session:
            data = report_data(session, today=TODAY + timedelta(days=21))
    finally:
        db.dispose()
    weekly = data["training"]["weekly"]
    assert len(weekly) == 26 and data["training"]["current"] is True
    assert [w["km"] for w in weekly[-3:]] == [0.0, 0.0, 0.0]
    assert weekly[-1]["week_start"] == "2026-03-30"


@needs_poppler
def test_an_empty_database_still_makes_a_report(sqlite_url: str, tmp_path: Path) -> None:
    from kneeguard.report.data import MISSING, report_data
    from kneeguard.report.render import build_report_html, render_pdf
    from kneeguard.storage import connect

    db = connect(sqlite_url)
    try:
        with db.session() as session:
            data = report_data(session, today=TODAY)
    finally:
        db.dispose()
    pdf, pages = render_pdf(build_report_html(data))
    assert pages == 1
    (tmp_path / "empty.pdf").write_bytes(pdf)
    text = " ".join(_tool("pdftotext", "-layout", str(tmp_path / "empty.pdf"), "-").split())
    for message in MISSING.values():
        assert message in text
    assert "No runs imported yet: kneeguard import PATH" in text
    assert "Suggested: NPRS" in text
    assert "walk-run return" in text  # the plan still says how to start
    assert "page 1 of 1" in text


def test_report_data_on_every_database(database: Any) -> None:
    """The same gathering on SQLite and PostgreSQL."""
    from kneeguard.demo import load_demo
    from kneeguard.report.data import report_data

    demo = load_demo(database, today=TODAY, questionnaires=False)
    _add_responses(database)
    with database.session() as session:
        data = report_data(session, today=TODAY)
    assert data["assessment"]["present"] and data["training"]["present"]
    assert [b["id"] for b in data["questionnaires"]["instruments"]] == ["nprs", "visa_p", "lefs"]
    assert data["journal"]["entries"] == len(demo.journal)


# -- CLI ----------------------------------------------------------------------------------------


@needs_poppler
def test_cli_writes_a_pdf_and_reports_it_as_json(run_cli: Any, sqlite_url: str,
                                                 tmp_path: Path) -> None:
    out = tmp_path / "therapist.pdf"
    result = run_cli("--db", sqlite_url, "report", "--out", str(out), "--format", "json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document == {"out": str(out.resolve()), "pages": 1, "bytes": out.stat().st_size}
    assert out.read_bytes().startswith(b"%PDF")
    assert list(tmp_path.glob("*.part")) == []


def test_cli_writes_html(run_cli: Any, sqlite_url: str, tmp_path: Path) -> None:
    out = tmp_path / "therapist.HTML"
    result = run_cli("--db", sqlite_url, "report", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"Wrote the report to {out.resolve()} (")
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<style>" in html
    assert "No runs imported yet" in html


@pytest.mark.parametrize(("name", "message"), [
    ("report.txt", "the report is written as .pdf or .html, not .txt"),
    ("report", "the report is written as .pdf or .html, not a file without a suffix"),
    ("missing/report.pdf", "the directory"),
    ("folder.pdf", "is a directory"),
])
def test_cli_refuses_a_bad_out_path(run_cli: Any, sqlite_url: str, tmp_path: Path,
                                    name: str, message: str) -> None:
    (tmp_path / "folder.pdf").mkdir()
    before = sorted(p.name for p in tmp_path.iterdir())
    result = run_cli("--db", sqlite_url, "report", "--out", str(tmp_path / name))
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: --out ")
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "kneeguard.db") == \
        [n for n in before if n != "kneeguard.db"]


def test_cli_refuses_a_file_as_directory(run_cli: Any, sqlite_url: str, tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("x")
    result = run_cli("--db", sqlite_url, "report", "--out", str(tmp_path / "plain" / "r.pdf"))
    assert result.exit_code == 2
    assert f"{tmp_path / 'plain'} is not a directory" in result.stderr


# -- web ----------------------------------------------------------------------------------------


@pytest.fixture
def client(tmp_path: Path, sqlite_url: str) -> Any:
    from fastapi.testclient import TestClient

    from kneeguard.settings import Settings
    from kneeguard.web import create_app
    from kneeguard.web.views import report

    app = create_app(Settings(db=sqlite_url, data_dir=str(tmp_path / "data")))
    if not any(getattr(r, "path", "") == "/report.pdf" for r in app.routes):
        app.include_router(report.router)
    with TestClient(app, base_url="http://127.0.0.1") as test_client:
        yield test_client


def test_web_downloads_the_pdf(client: Any) -> None:
    response = client.get("/report.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert re.fullmatch(r'attachment; filename="kneeguard-report-\d{4}-\d\d-\d\d\.pdf"',
                        response.headers["content-disposition"])
    assert response.headers["cache-control"] == "no-store"
    assert response.content.startswith(b"%PDF")


def test_web_shows_the_html_with_its_stylesheet(client: Any) -> None:
    response = client.get("/report.html?weeks=12")
    assert response.status_code == 200
    assert "style-src 'self'" in response.headers["content-security-policy"]
    assert '<link rel="stylesheet" href="/report.css">' in response.text
    assert "<style>" not in response.text
    assert "No assessment yet" in response.text
    css = client.get("/report.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert "@page" in css.text
