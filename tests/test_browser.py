"""The web app in a real browser: Playwright driving Debian's chromium (STACK.md §3, recipe A).

A live server (uvicorn in a thread on a free loopback port) serves an app whose own
database starts empty and whose demo database holds the demo runner. The tests:
complete the wizard with the keyboard alone, upload a FIT file and find the run in the
training page, add journal entries and see the trend, walk the main pages at 390 px wide,
and run axe-core on every main page (no serious or critical violation). A screenshot of
each main page is kept under test-results/ (look at them: they are how a runner sees it).

Skipped with a message when Debian's chromium is not installed.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from data.activity_fixtures import fit_bytes

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SHOTS = Path(__file__).resolve().parents[1] / "test-results" / "screenshots"
MAIN_PAGES = {"home": "/", "assess": "/assess", "result": "/assessments/1",
              "assessments": "/assessments", "training": "/training", "journal": "/journal",
              "plan": "/plan", "questionnaires": "/questionnaires", "scores": "/scores",
              "import": "/import"}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if CHROMIUM is None:
        pytest.skip("Debian chromium not installed (apt-get install chromium)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    from kneeguard.demo import load_demo
    from kneeguard.web import create_app
    from kneeguard.web.testing import make_settings

    if CHROMIUM is None:
        pytest.skip("Debian chromium not installed (apt-get install chromium)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = make_settings(tmp_path_factory.mktemp("live"), port=port, import_workers=1)
    app = create_app(settings)
    load_demo(app.state.kneeguard.database(demo=True))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 10
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    SHOTS.mkdir(parents=True, exist_ok=True)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(5)


def demo_page(browser: Any, base: str, **context: Any) -> Any:
    """A page in a new context looking at the demo runner (the cookie "Try the demo" sets;
    the button itself is tested in tests/test_web_pages.py)."""
    ctx = browser.new_context(**context)
    ctx.add_cookies([{"name": "kg_view", "value": "demo", "url": base}])
    page = ctx.new_page()
    page.set_default_timeout(10_000)
    return page


def tab_to(page: Any, selector: str, limit: int = 80) -> None:
    """Press Tab until the focused element matches ``selector``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)",
                         selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def next_step(page: Any, label: str = "Next") -> None:
    tab_to(page, "form.wizard button[value=next]")
    assert page.evaluate("document.activeElement.textContent.trim()") == label
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_wizard_with_the_keyboard_alone(browser: Any, live_server: str) -> None:
    page = browser.new_context().new_page()
    page.goto(live_server + "/assess")
    tab_to(page, "#q-age")
    page.keyboard.type("29")
    next_step(page)
    assert page.locator("form.wizard h2").inner_text() == "Where does it hurt?"
    region = "#main [data-location=below_kneecap_on_tendon]"
    tab_to(page, region)
    assert page.evaluate("document.activeElement.getAttribute('role')") == "checkbox"
    page.keyboard.press("Space")
    assert page.locator(region).get_attribute("aria-checked") == "true"
    assert page.locator("#q-pain_locations-below_kneecap_on_tendon").is_checked()
    page.screenshot(path=str(SHOTS / "wizard-knee.png"), full_page=True)
    next_step(page)
    for box in ("#q-pain_timing-during_run", "#q-pain_timing-jumping"):
        tab_to(page, box)
        page.keyboard.press("Space")
    next_step(page)
    tab_to(page, "#q-pain_during_run")
    page.keyboard.type("3")
    tab_to(page, "input[name=pain_onset_trend]")  # lands on "Not sure / skip", the default
    page.keyboard.press("ArrowDown")  # wraps round to the first choice: "Earlier"
    assert page.locator("#q-pain_onset_trend-earlier").is_checked()
    next_step(page)
    for _ in range(4):
        next_step(page)
    assert page.locator("form.wizard h2").inner_text() == "Your running lately"
    next_step(page, "See my result")
    assert "/assessments/" in page.url
    first = page.locator("li.condition h3").first.inner_text()
    assert first == "Patellar tendinopathy (jumper's knee)"
    assert page.locator(".banner .banner-level").text_content() == "See a clinician"
    assert "a decision aid, not a diagnosis" in page.locator(".notice").first.inner_text()


def test_upload_a_fit_file_and_see_it_in_training(browser: Any, live_server: str) -> None:
    start = datetime.now(UTC).replace(hour=6, minute=0, second=0, microsecond=0)
    start -= timedelta(days=1)
    page = browser.new_context().new_page()
    page.goto(live_server + "/import")
    fit = fit_bytes(n=2400, speed=3.5, start=start)
    page.set_input_files("#files", files=[{"name": "tempo.fit", "buffer": fit,
                                           "mimeType": "application/octet-stream"}])
    page.get_by_role("button", name="Import").click()
    page.wait_for_selector("#job h2", timeout=30_000)
    assert page.locator("#job h2").inner_text() == "Done"
    assert page.locator(".summary-counts li").first.inner_text().split() == ["1", "imported"]
    page.get_by_role("link", name="See your training").click()
    assert page.locator("figure.chart svg[role=img]").count() >= 1
    page.locator("details summary", has_text="The numbers week by week").click()
    row = page.locator("details table tbody tr").first.inner_text()
    assert "8.4" in row  # 2,400 s at 3.5 m/s
    page.screenshot(path=str(SHOTS / "training-after-upload.png"), full_page=True)


def test_journal_entries_show_the_trend(browser: Any, live_server: str) -> None:
    from datetime import date

    page = browser.new_context().new_page()
    today = date.today()
    for days_ago, onset in ((18, "7"), (11, "5.5"), (4, "4"), (1, "2.5")):
        page.goto(live_server + "/journal")
        page.fill("#day", (today - timedelta(days=days_ago)).isoformat())
        page.locator("label[for=pain_during-2]").click()
        page.fill("#pain_onset_km", onset)
        page.locator("label[for=loc-below_kneecap_on_tendon]").click()
        page.get_by_role("button", name="Save the entry").click()
        assert page.locator(".saved").inner_text() == "Saved."
    assert "earlier and earlier" in page.locator("#onset-trend").inner_text()
    assert page.locator("figure.chart svg[role=img]").count() == 2
    assert page.locator("#entries-section tbody tr").count() == 4


@pytest.mark.parametrize("name", list(MAIN_PAGES))
def test_main_pages_pass_axe_and_are_kept_as_screenshots(browser: Any, live_server: str,
                                                         name: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page = demo_page(browser, live_server, viewport={"width": 1100, "height": 900})
    page.goto(live_server + MAIN_PAGES[name])
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    report = "\n".join(f"{v['id']} ({v['impact']}): {v['help']} at "
                       f"{[n['target'] for n in v['nodes']][:3]}" for v in bad)
    assert not bad, report
    assert errors == []


def test_phone_sized_screen(browser: Any, live_server: str) -> None:
    page = demo_page(browser, live_server, viewport={"width": 390, "height": 844},
                     device_scale_factor=1, is_mobile=True, has_touch=True)
    for name in ("home", "assess", "training", "journal", "plan", "result", "questionnaires",
                 "import"):
        page.goto(live_server + MAIN_PAGES[name])
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{name} is {width} px wide on a 390 px screen"
        page.screenshot(path=str(SHOTS / f"phone-{name}.png"), full_page=True)
    page.goto(live_server + "/assess")
    page.get_by_role("button", name="Skip this step").click()
    ring = page.locator("#main [data-location=around_or_behind_kneecap]").first
    box = ring.bounding_box()
    ring.tap(position={"x": box["width"] / 2, "y": box["height"] * 0.1})  # on the ring
    assert page.locator("#q-pain_locations-around_or_behind_kneecap").is_checked()
    page.screenshot(path=str(SHOTS / "phone-wizard-knee.png"), full_page=True)
