"""Every page, rendered by the app and parsed before asserting: empty states, the demo
runner's pages, results, past assessments, errors and static assets."""

from __future__ import annotations

from pathlib import Path

import pytest

from kneeguard.web.testing import csrf, make_client, parse, text, unlabelled_controls

PAGES = ("/", "/assess", "/assessments", "/training", "/journal", "/plan", "/import")


@pytest.fixture
def client(tmp_path: Path):  # type: ignore[no-untyped-def]
    with make_client(tmp_path) as c:
        yield c


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A client looking at the demo runner, after pressing "Try the demo"."""
    with make_client(tmp_path_factory.mktemp("demo")) as c:
        token = csrf(parse(c.get("/").text))
        response = c.post("/demo", data={"csrf_token": token}, follow_redirects=False)
        assert response.status_code == 303
        assert "kg_view=demo" in response.headers["set-cookie"]
        yield c


def test_empty_home_says_what_to_do_first(client) -> None:  # type: ignore[no-untyped-def]
    tree = parse(client.get("/").text)
    assert text(tree.css_first("h1")) == "Welcome to kneeguard"
    cards = [text(h) for h in tree.css(".card h2")]
    assert cards == ["1. Assess your knee", "2. Import your runs", "Or try the demo"]
    links = {n.attributes["href"] for n in tree.css(".card a")}
    assert {"/assess", "/import"} <= links
    button = tree.css_first("form[action='/demo'] button")
    assert text(button) == "Try the demo"


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_with_labels_and_one_h1(client, path: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(path)
    assert response.status_code == 200
    tree = parse(response.text)
    assert len(tree.css("h1")) == 1
    assert tree.css_first("html").attributes["lang"] == "en"
    assert unlabelled_controls(tree) == []
    assert tree.css_first("a.skip").attributes["href"] == "#main"


@pytest.mark.parametrize("path", PAGES)
def test_demo_pages_render_with_labels(demo, path: str) -> None:  # type: ignore[no-untyped-def]
    tree = parse(demo.get(path).text)
    assert "demo runner" in text(tree.css_first(".demo-bar"))
    assert unlabelled_controls(tree) == []


def test_demo_home_shows_status_at_a_glance(demo) -> None:  # type: ignore[no-untyped-def]
    tree = parse(demo.get("/").text)
    banner = tree.css_first(".banner")
    assert "banner-see_clinician" in banner.attributes["class"]
    assert "See a clinician" in text(banner)
    assert "Run less" in text(banner.css_first(".banner-running"))
    assert "Patellar tendinopathy" in text(tree.css_first(".meta"))
    assert tree.css_first(".chart svg[role=img]") is not None
    assert text(tree.css_first("#week-title")) == "This week"
    warnings = text(tree.css_first("ul.warnings"))
    assert "Pain now begins earlier in your runs" in warnings
    assert "walk" in text(tree.css_first("#next-title").parent).lower()


def test_demo_training_page(demo) -> None:  # type: ignore[no-untyped-def]
    tree = parse(demo.get("/training").text)
    figures = tree.css("figure.chart")
    assert len(figures) == 3
    assert all(f.css_first("svg[role=img]").attributes.get("aria-label") for f in figures)
    warnings = tree.css("#warnings-section li.warning")
    kinds = " ".join(text(w.css_first(".tag")) for w in warnings)
    assert "WEEKLY JUMP" in kinds.upper() and "RUN SPIKE" in kinds.upper()
    grades = {text(w.css_first(".grade")) for w in warnings}
    assert "Evidence: Cohort study." in grades
    shoes = [text(td) for td in tree.css("#shoes-title ~ table tbody tr td:first-child")]
    assert shoes and "Ghost 15" in shoes
    load = tree.css_first("details.load")
    assert "never a warning on their own" in text(load)
    assert "Acute:chronic ratio" in text(load)
    flagged = tree.css("tr.flagged")
    assert flagged, "the weekly table marks flagged weeks"


def test_training_period_choice(demo) -> None:  # type: ignore[no-untyped-def]
    short = parse(demo.get("/training?weeks=12").text)
    rows = short.css("details table tbody tr")
    assert len(rows) == 12
    assert short.css_first("option[selected]").attributes["value"] == "12"
    odd = parse(demo.get("/training?weeks=<b>").text)
    assert odd.css_first("option[selected]").attributes["value"] == "26"


def test_demo_journal_page(demo) -> None:  # type: ignore[no-untyped-def]
    tree = parse(demo.get("/journal").text)
    assert "earlier and earlier" in text(tree.css_first("#onset-trend"))
    assert len(tree.css("figure.chart")) == 2
    assert len(tree.css("#entries-section tbody tr")) == 8
    assert "Pain now begins earlier" in text(tree.css_first(".finding"))


def test_demo_plan_page(demo) -> None:  # type: ignore[no-untyped-def]
    tree = parse(demo.get("/plan").text)
    assert "walk-run return" in text(tree.css_first(".lead"))
    weeks = tree.css("section.week")
    assert len(weeks) == 6
    for week in weeks:
        assert "above 3/10" in text(week.css_first(".rule-small"))
        assert len(week.css("table.calendar td")) == 7
    assert len(parse(demo.get("/plan?weeks=4").text).css("section.week")) == 4


def test_result_page_and_history(demo) -> None:  # type: ignore[no-untyped-def]
    history = parse(demo.get("/assessments").text)
    link = history.css_first("tbody a")
    page = parse(demo.get(link.attributes["href"]).text)
    notices = page.css(".notice")
    assert len(notices) == 2 and "a decision aid, not a diagnosis" in text(notices[0])
    assert text(page.css_first(".banner h2")) == (
        "Book a physical therapist or doctor in the coming days.")
    conditions = page.css("li.condition")
    assert len(conditions) == 7
    assert text(conditions[0].css_first("h3")) == "Patellar tendinopathy (jumper's knee)"
    probs = [int(text(c.css_first(".prob")).rstrip("%")) for c in conditions]
    assert probs == sorted(probs, reverse=True)
    assert "Pain just below the kneecap, on the tendon" in text(conditions[0].css_first(".for"))
    assert page.css("ul.advice li") and page.css("ul.avoid li")
    assert "Stretching" in text(page.css_first("ul.avoid"))
    assert page.css_first("a[href='/assessments']") is not None


def test_leaving_the_demo_shows_own_data_again(tmp_path: Path) -> None:
    with make_client(tmp_path) as c:
        c.post("/demo", data={"csrf_token": csrf(parse(c.get("/").text))})
        assert parse(c.get("/").text).css_first(".demo-bar") is not None
        c.post("/demo/leave", data={"csrf_token": csrf(parse(c.get("/").text))})
        tree = parse(c.get("/").text)
        assert tree.css_first(".demo-bar") is None
        assert text(tree.css_first("h1")) == "Welcome to kneeguard"


def test_unknown_pages_and_ids(client) -> None:  # type: ignore[no-untyped-def]
    missing = client.get("/no-such-page")
    assert missing.status_code == 404
    assert text(parse(missing.text).css_first("h1")) == "Not found"
    none = client.get("/assessments/42")
    assert none.status_code == 404
    assert "there is no assessment with id 42" in text(parse(none.text).css_first(
        "[role=alert]")).lower()
    assert client.get("/assessments/99999999999999999999").status_code == 422


def test_static_assets_are_served_locally(client) -> None:  # type: ignore[no-untyped-def]
    htmx = client.get("/static/vendor/htmx-2.0.11.min.js")
    assert htmx.status_code == 200
    assert htmx.text.startswith("/*! htmx 2.0.11")
    licence = client.get("/static/vendor/htmx-2.0.11.LICENSE.txt")
    assert "Zero-Clause BSD" in licence.text
    assert client.get("/static/app.css").status_code == 200
    assert "upgradeKnee" in client.get("/static/app.js").text
    scripts = [s.attributes["src"] for s in parse(client.get("/").text).css("script[src]")]
    assert scripts == ["/static/vendor/htmx-2.0.11.min.js", "/static/app.js"]
