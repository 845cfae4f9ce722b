"""The questionnaire pages (/questionnaires, the forms, /scores) and their API under /api/v1,
including the FHIR export route; every page is parsed before asserting."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from kneeguard.questionnaires import check_text, load_instrument, load_instruments, score
from kneeguard.questionnaires.model import read_definition
from kneeguard.settings import Settings
from kneeguard.storage import Database
from kneeguard.web.testing import BASE_URL, csrf, make_settings, parse, unlabelled_controls
from kneeguard.web.testing import text as node_text

AKPS_82 = {"AKPS1": 3, "AKPS2": 5, "AKPS3": 3, "AKPS4": 8, "AKPS5": 4, "AKPS6": 6,
           "AKPS7": 7, "AKPS8": 8, "AKPS9": 8, "AKPS10": 10, "AKPS11": 10, "AKPS12": 5,
           "AKPS13": 5}
AKPS_93 = AKPS_82 | {"AKPS1": 5, "AKPS3": 5, "AKPS4": 10, "AKPS5": 5, "AKPS6": 10}
AKPS_95 = AKPS_93 | {"AKPS8": 10}
VISA_B = {"Q1": 5, "Q2": 6, "Q3": 7, "Q4": 8, "Q5": 9, "Q6": 10, "Q7": 4, "Q8_branch": "B",
          "Q8B": 14}
WORDED = ("nprs", "akps", "visa_p", "lefs")
LICENSED = ("koos", "koos_pf", "koos_12")


def build_app(settings: Settings) -> FastAPI:
    """The app as ``kneeguard serve`` builds it (app.py registers the questionnaire routers)."""
    from kneeguard.web import create_app

    return create_app(settings)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    made: Settings = make_settings(tmp_path)
    return made


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return build_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url=BASE_URL) as test_client:
        yield test_client


@pytest.fixture
def db(app: FastAPI) -> Database:
    database: Database = app.state.kneeguard.database()
    return database


def page(response: Any) -> Any:
    assert response.headers["content-type"].startswith("text/html")
    return parse(response.text)


def text(node: Any) -> str:
    assert node is not None
    return str(node_text(node))


def token(client: TestClient, path: str = "/questionnaires/akps") -> str:
    return str(csrf(page(client.get(path))))


def form_data(answers: dict[str, Any], csrf: str, **extra: str) -> dict[str, str]:
    return {"csrf_token": csrf, **{k: str(v) for k, v in answers.items()}, **extra}


def responses(db: Database, instrument_id: str | None = None) -> list[Any]:
    from kneeguard.storage.questionnaires import list_responses

    with db.session() as session:
        return list_responses(session, instrument_id)


def store(db: Database, instrument_id: str, answers: dict[str, Any], when: datetime) -> int:
    from kneeguard.storage.questionnaires import save_response

    instrument = load_instrument(instrument_id)
    with db.session() as session:
        stored = save_response(session, instrument_id, answers,
                               score(instrument, answers).to_json(), instrument.content_hash,
                               None, when)
    return stored.id


def assess_stored(db: Database, top: str) -> None:
    from kneeguard.storage.assessments import save_assessment

    result = {"schema": "kneeguard.result/1", "knowledge_base_version": "test",
              "triage": {"level": "see_clinician"}, "running": {"advice": "reduce"},
              "conditions": [{"id": top, "name": "jumper's knee", "probability": 0.6},
                             {"id": "patellofemoral_pain", "name": "runner's knee",
                              "probability": 0.2}]}
    with db.session() as session:
        save_assessment(session, {"schema": "kneeguard.answers/1"}, result)


def import_placeholder(db: Database, instrument_id: str, marker: str = "") -> str:
    """Load made-up wording (never the licensed text) the way `instruments import` does."""
    from kneeguard.storage.questionnaires import save_instrument_text

    instrument = load_instrument(instrument_id)
    doc = {"schema": "kneeguard.instrument-text/1", "instrument": instrument_id,
           "language": "en", "source": "test clinic licence 0000",
           "instructions": ["Placeholder instructions."],
           "items": [{"id": i, "text": f"Placeholder question {i}{marker}",
                      "options": [{"value": v, "label": f"placeholder answer {v}"}
                                  for v in range(5)]} for i in instrument.item_ids]}
    checked = check_text(doc, instrument)
    with db.session() as session:
        save_instrument_text(session, checked.instrument, checked.language, checked.source,
                             checked.document, checked.content_hash)
    return checked.content_hash


def ids_in(section: Any) -> list[str]:
    assert section is not None
    return [li.attributes["id"].removeprefix("instrument-") for li in section.css("li.instrument")]


# --- /questionnaires ----------------------------------------------------------------------


def test_list_without_assessment_suggests_nprs_and_lefs(client: TestClient) -> None:
    html = page(client.get("/questionnaires"))
    suggested = html.css_first('section[aria-labelledby="suggested-title"]')
    others = html.css_first('section[aria-labelledby="others-title"]')
    assert ids_in(suggested) == ["nprs", "lefs"]
    assert ids_in(others) == ["akps", "visa_p", "koos", "koos_pf", "koos_12"]
    assert "No assessment yet" in text(suggested)


def test_list_puts_the_suggested_first_each_with_attribution(client: TestClient,
                                                             db: Database) -> None:
    assess_stored(db, "patellar_tendinopathy")
    store(db, "akps", AKPS_82, datetime(2026, 3, 2, 8, tzinfo=UTC))
    html = page(client.get("/questionnaires"))
    suggested = html.css_first('section[aria-labelledby="suggested-title"]')
    assert ids_in(suggested) == ["visa_p", "nprs", "lefs"]
    assert ids_in(html.css_first('section[aria-labelledby="others-title"]')) == [
        "akps", "koos", "koos_pf", "koos_12"]
    visa = html.css_first("#instrument-visa_p")
    assert "patellar tendinopathy (jumper's knee), which the latest assessment suspects" in (
        text(visa))
    assert text(visa.css_first(".source")) == load_instrument("visa_p").attribution
    lefs = text(html.css_first("#instrument-lefs .source"))
    assert lefs.startswith("Reprinted from Binkley J") and "American Physical Therapy" in lefs
    nprs = html.css_first("#instrument-nprs")
    assert text(nprs.css_first(".source")) == load_instrument("nprs").citation  # no attribution
    assert "Filled in 1 time, last on Mon 02 Mar 2026" in text(html.css_first("#instrument-akps"))
    assert "8 questions" in text(visa)  # Q1-Q7 and Q8 (its 8A/8B/8C are one question)
    for licensed in LICENSED:
        entry = html.css_first(f"#instrument-{licensed}")
        assert "The wording is not included" in text(entry)
        assert entry.css_first("a.button") is None  # no "Fill in" without the wording


# --- the forms --------------------------------------------------------------------------------


@pytest.mark.parametrize("instrument_id", WORDED)
def test_every_control_is_labelled_and_grouped(client: TestClient, instrument_id: str) -> None:
    instrument = load_instrument(instrument_id)
    html = page(client.get(f"/questionnaires/{instrument_id}"))
    form = html.css_first("form.questionnaire")
    assert form.attributes["method"] == "post"
    assert form.css_first('input[name="csrf_token"]') is not None
    assert unlabelled_controls(html) == []
    assert len(html.css("h1")) == 1
    fieldsets = form.css("fieldset")
    assert [f.attributes["id"] for f in fieldsets] == [f"item-{i}" for i in instrument.item_ids]
    for fieldset, item in zip(fieldsets, instrument.items, strict=True):
        assert item.text is not None and text(fieldset.css_first("legend")).endswith(item.text)
        radios = fieldset.css('input[type="radio"]')
        assert {r.attributes["name"] for r in radios} == {item.id}
        shown = [r.attributes["value"] for r in radios if r.attributes["value"]]
        assert shown == [str(v) for v in item.values]
    about = text(html.css_first("dl.about"))
    assert instrument.citation in about
    if instrument.attribution:
        assert instrument.attribution in about


def test_akps_form_shows_the_verbatim_options(client: TestClient) -> None:
    html = page(client.get("/questionnaires/akps"))
    walking = html.css_first("#item-AKPS3")
    assert text(walking.css_first("legend")) == "3. Walking"
    assert [text(label) for label in walking.css("label")] == [
        "Unlimited", "More than 2 km", "1-2 km", "Unable"]
    assert "Kujala UM et al. Scoring of patellofemoral disorders." in text(html.css_first("dl"))


def test_zero_to_ten_items_name_their_anchors(client: TestClient) -> None:
    html = page(client.get("/questionnaires/nprs"))
    now = html.css_first("#item-NPRS_NOW")
    assert now.attributes["aria-describedby"] == "NPRS_NOW-help"
    assert text(html.css_first("#NPRS_NOW-help")) == "0 = No pain; 10 = Worst pain imaginable"
    assert text(now.css_first('label[for="NPRS_NOW-0"]')) == "0 (No pain)"
    assert text(now.css_first('label[for="NPRS_NOW-5"]')) == "5"
    # the running contexts mark the ratings above the 3/10 limit, as the journal does
    during = html.css_first("#item-NPRS_DURING_RUN")
    assert [label.attributes["for"][-1] for label in during.css("label.over")][:1] == ["4"]
    assert len(during.css("label.over")) == 7


def test_submit_stores_and_shows_the_score_with_its_interpretation(client: TestClient,
                                                                   db: Database) -> None:
    csrf = token(client)
    answer = client.post("/questionnaires/akps", data=form_data(AKPS_82, csrf),
                         follow_redirects=False)
    assert answer.status_code == 303
    (stored,) = responses(db)
    assert answer.headers["location"] == f"/questionnaires/akps/responses/{stored.id}"
    assert stored.answers == AKPS_82
    assert stored.scores == {"total": 82}
    assert stored.definition_hash == load_instrument("akps").content_hash
    assert stored.text_hash is None

    html = page(client.get(answer.headers["location"]))
    row = html.css_first("table.score-table tbody tr")
    assert text(row.css_first("th")) == "total"
    assert text(row.css_first("td.value")) == "82 of 100"
    body = text(html.css_first("main"))
    assert "Scores run from 0 to 100; higher is better. 100 = no patellofemoral symptoms" in body
    assert "from 10 points (the MCID: Crossley KM" in body
    answers = html.css_first("dl.answers")
    assert "3. Walking" in text(answers) and "More than 2 km (3)" in text(answers)


def test_changes_are_labelled_only_beyond_the_mcid(client: TestClient, db: Database) -> None:
    assert score(load_instrument("akps"), AKPS_93).scores["total"] == 93
    assert score(load_instrument("akps"), AKPS_95).scores["total"] == 95
    store(db, "akps", AKPS_82, datetime.now(UTC) - timedelta(days=14))
    for answers, since_last, since_first in ((AKPS_93, "+11.0 improved", "+11.0 improved"),
                                             (AKPS_95, "+2.0 within MCID", "+13.0 improved")):
        result = client.post("/questionnaires/akps", data=form_data(answers, token(client)))
        assert result.status_code == 200  # followed the redirect to the result page
        cells = page(result).css("table.score-table tbody td")
        assert [text(c) for c in cells[1:]] == [since_last, since_first]
    pills = page(result).css("table.score-table .change")
    assert [p.attributes["class"] for p in pills] == ["change change-within_mcid",
                                                     "change change-improved"]


def test_a_malformed_response_comes_back_with_the_message_and_the_choices(
        client: TestClient, db: Database) -> None:
    sent = form_data(AKPS_82 | {"AKPS3": 4}, token(client), answered_on="2026-03-01")
    result = client.post("/questionnaires/akps", data=sent)
    assert result.status_code == 422
    html = page(result)
    walking = html.css_first("#item-AKPS3")
    assert "has-error" in walking.parent.attributes["class"]
    assert walking.attributes["aria-describedby"] == "AKPS3-error"
    assert text(html.css_first("#AKPS3-error")) == (
        "⚠ The answer sent (4) is not one of this question's options: choose one.")
    assert "Question 3" in text(html.css_first("#form-alert"))
    for item_id, value in AKPS_82.items():  # every other choice is kept
        if item_id == "AKPS3":
            assert html.css("#item-AKPS3 input[checked]") == []
            continue
        (checked,) = html.css(f"#item-{item_id} input[checked]")
        assert checked.attributes["value"] == str(value)
    assert html.css_first("#answered_on").attributes["value"] == "2026-03-01"
    assert unlabelled_controls(html) == []
    assert responses(db) == []


@pytest.mark.parametrize(("day", "message"), [
    ("yesterday", "'yesterday' is not a date (YYYY-MM-DD)."),
    ((date.today() + timedelta(days=2)).isoformat(), "The date cannot be in the future."),
])
def test_a_bad_date_is_named_next_to_the_date(client: TestClient, db: Database, day: str,
                                              message: str) -> None:
    result = client.post("/questionnaires/akps",
                         data=form_data(AKPS_82, token(client), answered_on=day))
    assert result.status_code == 422
    html = page(result)
    assert text(html.css_first("#answered_on-error")) == f"⚠ {message}"
    assert html.css_first("#answered_on").attributes["aria-invalid"] == "true"
    assert html.css_first('#item-AKPS1 input[checked]').attributes["value"] == "3"
    assert responses(db) == []


def test_a_paper_form_keeps_its_date(client: TestClient, db: Database) -> None:
    client.post("/questionnaires/akps",
                data=form_data(AKPS_82, token(client), answered_on="2026-02-01"))
    (stored,) = responses(db)
    assert stored.answered_at.astimezone().date() == date(2026, 2, 1)


def test_unanswered_items_are_stored_as_not_computable(client: TestClient,
                                                       db: Database) -> None:
    partial = {k: v for k, v in AKPS_82.items() if k not in ("AKPS12", "AKPS13")}
    html = page(client.post("/questionnaires/akps", data=form_data(partial, token(client))))
    assert text(html.css_first("td.value")) == "not computable"
    assert "Unanswered questions: 12, 13." in text(html.css_first("main"))
    (stored,) = responses(db)
    assert stored.scores == {"total": None} and stored.missing == ["AKPS12", "AKPS13"]


def test_csrf_refusal_stores_nothing(client: TestClient, db: Database) -> None:
    token(client)  # the browser has its CSRF cookie
    missing = client.post("/questionnaires/akps", data={k: str(v) for k, v in AKPS_82.items()})
    forged = client.post("/questionnaires/akps", data=form_data(AKPS_82, "0" * 64))
    for refused in (missing, forged):
        assert refused.status_code == 403
        assert "This form has expired or was sent from another page" in text(
            page(refused).css_first('[role="alert"]'))
    assert responses(db) == []


def test_visa_p_branch_keeps_only_the_selected_sub_item(client: TestClient,
                                                        db: Database) -> None:
    html = page(client.get("/questionnaires/visa_p"))
    q8a = html.css_first("#item-Q8A").parent
    assert json.loads(q8a.attributes["data-show-if"]) == {"Q8_branch": {"is": "A"}}
    assert "checked" in html.css_first("#Q8A-none").attributes
    # 8A was answered, then the runner chose B: the hidden 8A answer is not the response
    client.post("/questionnaires/visa_p", data=form_data(VISA_B | {"Q8A": 7}, token(client)))
    (stored,) = responses(db)
    assert stored.answers == VISA_B and stored.scores == {"total": 63}


def test_visa_p_two_sub_items_without_a_branch_are_refused(client: TestClient,
                                                           db: Database) -> None:
    sent = {k: v for k, v in VISA_B.items() if k != "Q8_branch"} | {"Q8A": 7}
    result = client.post("/questionnaires/visa_p", data=form_data(sent, token(client)))
    assert result.status_code == 422
    assert text(page(result).css_first("#Q8B-error")) == (
        "⚠ Answer only one of 8A, 8B and 8C: the one your answer to question 8 selects.")
    assert responses(db) == []


@pytest.mark.parametrize("instrument_id", LICENSED)
def test_licensed_form_without_wording_says_how_to_obtain_it(client: TestClient,
                                                             instrument_id: str) -> None:
    result = client.get(f"/questionnaires/{instrument_id}")
    assert result.status_code == 200
    html = page(result)
    assert html.css_first("form.questionnaire") is None
    assert html.css('input[type="radio"]') == []
    notice = html.css_first("#licensed-help")
    assert "is licensed by Mapi Research Trust" in text(notice)
    assert [text(c) for c in notice.css("code")] == [
        "kneeguard instruments import FILE", f"kneeguard survey {instrument_id} --answers FILE"]
    assert html.css_first("fieldset") is None and "Placeholder" not in result.text


def test_licensed_post_without_wording_is_refused(client: TestClient, db: Database) -> None:
    result = client.post("/questionnaires/koos_pf",
                         data=form_data({"PF1": 1}, token(client)))
    assert result.status_code == 404
    assert "is licensed by Mapi Research Trust" in text(page(result).css_first(".alert"))
    assert responses(db) == []


def test_imported_koos_wording_makes_a_grouped_form(client: TestClient, db: Database) -> None:
    text_hash = import_placeholder(db, "koos")
    html = page(client.get("/questionnaires/koos"))
    form = html.css_first("form.questionnaire")
    assert [text(h) for h in form.css("h2")] == [
        "Symptoms", "Pain", "Daily living (adl)", "Sport and recreation", "Quality of life"]
    assert len(form.css("fieldset")) == 42
    assert unlabelled_controls(html) == []
    assert text(form.css_first("#item-S1 legend")) == "S1. Placeholder question S1"
    assert "test clinic licence 0000" in text(html.css_first("dl.about"))
    answers = {f"S{n}": 1 for n in range(1, 8)} | {f"P{n}": 2 for n in range(1, 10)}
    result = page(client.post("/questionnaires/koos",
                              data=form_data(answers, token(client, "/questionnaires/koos"))))
    rows = {text(r.css_first("th")): text(r.css_first("td.value"))
            for r in result.css("table.score-table tbody tr")}
    assert rows == {"symptoms": "75.0 of 100", "pain": "50.0 of 100",
                    "daily living (ADL)": "not computable",
                    "sport and recreation": "not computable",
                    "quality of life": "not computable"}
    (stored,) = responses(db)
    assert stored.text_hash == text_hash


def test_imported_wording_is_escaped(client: TestClient, db: Database) -> None:
    import_placeholder(db, "koos_pf", marker=" <script>alert(1)</script>")
    result = client.get("/questionnaires/koos_pf")
    assert "<script>alert(1)</script>" not in result.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in result.text
    assert text(page(result).css_first("#item-PF1 legend")).endswith(
        "<script>alert(1)</script>")


def test_nprs_above_three_during_a_run_says_stop(client: TestClient) -> None:
    html = page(client.post("/questionnaires/nprs", data=form_data(
        {"NPRS_NOW": 2, "NPRS_DURING_RUN": 5}, token(client, "/questionnaires/nprs"))))
    assert text(html.css_first(".alert-stop")) == (
        "Pain above 3/10 during a run: stop running and see a physical therapist.")
    assert [text(r.css_first("th")) for r in html.css("table.score-table tbody tr")] == [
        "pain now", "during a run"]  # the contexts not rated are left out
    assert "Unanswered questions: 2, 4, 5." in text(html.css_first("main"))


def test_unknown_ids_are_not_found(client: TestClient, db: Database) -> None:
    response_id = store(db, "akps", AKPS_82, datetime(2026, 3, 2, tzinfo=UTC))
    missing = client.get("/questionnaires/womac")
    assert missing.status_code == 404
    assert "There is no questionnaire 'womac'" in text(page(missing).css_first(".alert"))
    assert client.get(f"/questionnaires/lefs/responses/{response_id}").status_code == 404
    assert client.get("/questionnaires/akps/responses/999").status_code == 404
    assert client.get(f"/questionnaires/akps/responses/{10**20}").status_code == 422
    assert client.get(f"/questionnaires/akps/responses/{response_id}").status_code == 200


# --- /scores ----------------------------------------------------------------------------------


def test_scores_page_without_responses(client: TestClient) -> None:
    html = page(client.get("/scores"))
    assert "No questionnaire responses yet." in text(html.css_first("main"))
    assert html.css_first("figure.chart") is None


def test_scores_over_time_with_the_mcid_band_and_labels(client: TestClient,
                                                        db: Database) -> None:
    start = datetime(2026, 3, 2, 8, tzinfo=UTC)
    for n, answers in enumerate((AKPS_82, AKPS_93, AKPS_95)):
        store(db, "akps", answers, start + timedelta(days=14 * n))
    store(db, "nprs", {"NPRS_NOW": 6}, start)
    store(db, "nprs", {"NPRS_NOW": 5}, start + timedelta(days=7))
    html = page(client.get("/scores"))
    sections = html.css("section.instrument-scores")
    assert [s.attributes["aria-labelledby"] for s in sections] == ["scores-nprs", "scores-akps"]
    akps = sections[1]
    assert "MCID: 10 points (Crossley KM" in text(akps.css_first("p.meta"))
    svg = akps.css_first("figure.chart svg")
    assert svg.attributes["role"] == "img"
    assert svg.attributes["aria-label"] == (
        "Chart of Anterior Knee Pain Scale (AKPS, Kujala score) scores over time")
    rows = [[text(td) for td in tr.css("td")] for tr in akps.css("tbody tr")]
    assert rows == [
        ["30 Mar 2026", "total", "95", "+2.0 within MCID", "+13.0 improved"],
        ["16 Mar 2026", "total", "93", "+11.0 improved", "+11.0 improved"],
        ["02 Mar 2026", "total", "82", "-", "-"]]
    nprs = [[text(td) for td in tr.css("td")] for tr in sections[0].css("tbody tr")]
    assert nprs == [["09 Mar 2026", "pain now", "5", "-1.0 within MCID", "-1.0 within MCID"],
                    ["02 Mar 2026", "pain now", "6", "-", "-"]]  # unrated contexts left out
    link = html.css_first('a[href="/api/v1/export/fhir"]')
    assert link is not None and link.attributes["download"] == "kneeguard-fhir.json"


def test_scores_chart_spec() -> None:
    from kneeguard.report.charts import questionnaire_scores

    rows = [{"date": "2026-03-02T08:00:00Z", "score": "pain now", "value": 6, "change": "first"},
            {"date": "2026-03-02T08:00:00Z", "score": "during a run", "value": 7,
             "change": "first"},
            {"date": "2026-03-09T08:00:00Z", "score": "pain now", "value": 3,
             "change": "improved"}]
    spec = questionnaire_scores(rows, mcid=2, score_range=(0, 10), higher_is_better=False,
                                title="NPRS")
    assert spec["title"] == "NPRS (shaded: within the MCID of 2 from the first score)"
    assert spec["facet"]["row"]["sort"] == ["pain now", "during a run"]
    values = spec["spec"]["data"]["values"] if "data" in spec["spec"] else spec["data"]["values"]
    bands = [(v["score"], v["low"], v["high"]) for v in values if v["low"] is not None]
    assert bands == [("pain now", 4.0, 8.0), ("during a run", 5.0, 9.0)]
    single = questionnaire_scores(rows[:1], mcid=None, score_range=(0, 100),
                                  higher_is_better=True, title="KOOS-12")
    assert "facet" not in single and single["title"].endswith("changes are shown, not judged)")


# --- the API ----------------------------------------------------------------------------------


def test_api_lists_the_instruments_suggested_first(client: TestClient, db: Database) -> None:
    assess_stored(db, "patellar_tendinopathy")
    doc = client.get("/api/v1/questionnaires").json()
    assert [i["id"] for i in doc["instruments"]] == [
        "visa_p", "nprs", "lefs", "akps", "koos", "koos_pf", "koos_12"]
    by_id = {i["id"]: i for i in doc["instruments"]}
    assert by_id["akps"]["suggested"] is None
    assert by_id["visa_p"]["suggested"].endswith("which the latest assessment suspects")
    assert by_id["koos"]["wording"] == "not imported (licensed)"
    assert by_id["lefs"] | {"citation": None, "attribution": None} == {
        "id": "lefs", "name": "Lower Extremity Functional Scale (LEFS)", "items": 20,
        "scores": ["total"], "direction": "higher_is_better", "mcid": 9.0,
        "wording": "shipped", "citation": None,
        "suggested": "the Lower Extremity Functional Scale tracks function, including running",
        "version": load_instrument("lefs").version, "attribution": None,
        "range": [0.0, 80.0], "responses": 0, "last_answered_at": None}


def test_api_definition_is_the_shipped_file(client: TestClient, db: Database) -> None:
    for instrument in load_instruments():
        doc = client.get(f"/api/v1/questionnaires/{instrument.id}").json()
        assert doc["definition"] == read_definition(instrument.id)
        assert doc["content_hash"] == instrument.content_hash
    import_placeholder(db, "koos_12")
    koos_12 = client.get("/api/v1/questionnaires/koos_12")
    assert koos_12.json()["wording"] == "imported"
    assert koos_12.json()["definition"]["text"] is None
    assert "Placeholder" not in koos_12.text  # the clinic's licensed text stays in its database
    assert client.get("/api/v1/questionnaires/womac").status_code == 404


def test_api_score_is_the_cli_contract_and_stores_nothing(client: TestClient, db: Database,
                                                          run_cli: Any,
                                                          tmp_path: Path) -> None:
    result = client.post("/api/v1/questionnaires/akps/score", json=AKPS_82)
    assert result.status_code == 200
    assert result.json() == {"instrument": "akps", "scores": {"total": 82}, "missing": [],
                             "notes": []}
    koos = {"S1": 1, "S2": 1, "S3": 1, "S4": 1, "P1": 4}
    answers = tmp_path / "koos.json"
    answers.write_text(json.dumps(koos), encoding="utf-8")
    cli = run_cli("survey", "score", "koos", "--answers", str(answers), "--format", "json")
    assert client.post("/api/v1/questionnaires/koos/score", json=koos).json() == json.loads(
        cli.stdout)
    assert responses(db) == []


@pytest.mark.parametrize(("body", "status", "message", "field"), [
    (AKPS_82 | {"AKPS14": 5}, 422, "akps: unknown item 'AKPS14' (the items are AKPS1, ", "AKPS14"),
    (AKPS_82 | {"AKPS3": 4}, 422,
     "akps: item AKPS3 has value 4, which is not one of its options (5, 3, 2, 0)", "AKPS3"),
    (AKPS_82 | {"AKPS3": True}, 422, "akps: item AKPS3 must be one of its option values", "AKPS3"),
    ([1, 2], 422, "akps: the answers must be a JSON object mapping item ids", None),
])
def test_api_refuses_a_malformed_response(client: TestClient, db: Database, body: Any,
                                          status: int, message: str,
                                          field: str | None) -> None:
    for path in ("/api/v1/questionnaires/akps/score", "/api/v1/questionnaires/akps/responses"):
        sent = body if path.endswith("score") else {"answers": body}
        result = client.post(path, json=sent)
        assert result.status_code == status
        error = result.json()["error"]
        assert error["message"].startswith(message) and error["field"] == field
    assert responses(db) == []


def test_api_stores_a_response_with_its_change(client: TestClient, db: Database) -> None:
    first = client.post("/api/v1/questionnaires/akps/responses",
                        json={"answers": AKPS_82, "answered_at": "2026-03-02T08:00:00Z"})
    assert first.status_code == 201
    assert first.json() == {"instrument": "akps", "scores": {"total": 82}, "missing": [],
                            "notes": [], "id": 1, "answered_at": "2026-03-02T08:00:00Z",
                            "since_previous": {"total": None}}
    second = client.post("/api/v1/questionnaires/akps/responses",
                         json={"answers": AKPS_93, "answered_at": "2026-03-16T08:00:00+01:00"})
    assert second.json()["answered_at"] == "2026-03-16T07:00:00Z"
    assert second.json()["since_previous"] == {
        "total": {"delta": 11.0, "label": "improved", "mcid": 10.0}}
    assert [r.scores for r in responses(db)] == [{"total": 82}, {"total": 93}]


@pytest.mark.parametrize(("body", "message", "field"), [
    ({"answers": AKPS_82, "answered_at": "last week"},
     "answered_at 'last week' is not an ISO date or date and time", "answered_at"),
    ({"answers": AKPS_82, "answered_at": "2999-01-01"},
     "answered_at cannot be in the future", "answered_at"),
    ({"answers": AKPS_82, "answered_at": "0001-01-01T00:00:00+05:00"},
     "answered_at '0001-01-01T00:00:00+05:00' is not an ISO date", "answered_at"),
    ({"answers": AKPS_82, "when": "2026-01-01"}, "unknown field 'when'", "when"),
    ({"AKPS1": 3}, "unknown field 'AKPS1' (allowed: answers, answered_at)", "AKPS1"),
    ({}, "'answers' is missing", "answers"),
])
def test_api_store_refuses_a_bad_request(client: TestClient, db: Database, body: Any,
                                         message: str, field: str) -> None:
    result = client.post("/api/v1/questionnaires/akps/responses", json=body)
    assert result.status_code == 422
    assert result.json()["error"]["message"].startswith(message)
    assert result.json()["error"]["field"] == field
    assert responses(db) == []


def test_api_scores_are_the_cli_document(client: TestClient, db: Database, run_cli: Any,
                                         settings: Settings) -> None:
    start = datetime(2026, 3, 2, 8, tzinfo=UTC)
    for n, answers in enumerate((AKPS_82, AKPS_93, AKPS_95)):
        store(db, "akps", answers, start + timedelta(days=14 * n))
    store(db, "koos", {"S1": 1, "S2": 1, "S3": 1, "S4": 1}, start)
    doc = client.get("/api/v1/scores").json()
    cli = run_cli("--db", settings.db_url, "scores", "--format", "json")
    assert doc == json.loads(cli.stdout)
    assert [b["instrument"] for b in doc["instruments"]] == ["akps", "koos"]
    assert doc["instruments"][0]["history"][2] == {
        "response_id": 3, "answered_at": "2026-03-30T08:00:00Z", "score": "total",
        "value": 95.0, "since_previous": {"delta": 2.0, "label": "within_mcid", "mcid": 10.0},
        "since_baseline": {"delta": 13.0, "label": "improved", "mcid": 10.0}}
    only = client.get("/api/v1/scores", params={"instrument": "koos"}).json()
    assert [b["instrument"] for b in only["instruments"]] == ["koos"]
    assert client.get("/api/v1/scores", params={"instrument": "womac"}).status_code == 404


def test_openapi_documents_the_routes(client: TestClient) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/questionnaires", "/api/v1/questionnaires/{instrument_id}",
                 "/api/v1/questionnaires/{instrument_id}/score",
                 "/api/v1/questionnaires/{instrument_id}/responses", "/api/v1/scores",
                 "/api/v1/export/fhir"):
        assert path in paths
    assert not any(p.startswith(("/questionnaires", "/scores")) for p in paths)
    body = paths["/api/v1/questionnaires/{instrument_id}/responses"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"]["required"] == ["answers"]


# --- FHIR -------------------------------------------------------------------------------------


def test_fhir_route_returns_a_valid_bundle_of_everything(db_url: str, tmp_path: Path,
                                                         run_cli: Any) -> None:
    from fulldb import populate
    from test_fhir import validate

    app = build_app(make_settings(tmp_path, db=db_url))
    with TestClient(app, base_url=BASE_URL) as client:
        populate(app.state.kneeguard.database())
        result = client.get("/api/v1/export/fhir", params={"pseudonym": "kg-42"})
    assert result.status_code == 200
    assert result.headers["content-type"] == "application/fhir+json"
    assert result.headers["cache-control"] == "no-store"
    bundle = result.json()
    validate(bundle)
    assert Counter(e["resource"]["resourceType"] for e in bundle["entry"]) == {
        "Patient": 1, "ClinicalImpression": 2, "QuestionnaireResponse": 5, "Observation": 15}
    out = tmp_path / "cli.json"
    run_cli("--db", db_url, "export", "--fhir", str(out), "--pseudonym", "kg-42")
    cli = json.loads(out.read_text(encoding="utf-8"))
    assert bundle["entry"] == cli["entry"]  # the same bundle as `kneeguard export --fhir`


def test_fhir_route_on_an_empty_database(client: TestClient) -> None:
    first = client.get("/api/v1/export/fhir").json()
    second = client.get("/api/v1/export/fhir").json()
    (patient,) = [e["resource"] for e in first["entry"]]
    pseudonym = patient["identifier"][0]["value"]
    assert pseudonym.startswith("kg-") and len(pseudonym) == 19
    assert second["entry"][0]["resource"]["identifier"][0]["value"] != pseudonym


@pytest.mark.parametrize("pseudonym", ["", "a b", "-x", "x" * 65, "<script>"])
def test_fhir_route_refuses_a_bad_pseudonym(client: TestClient, pseudonym: str) -> None:
    result = client.get("/api/v1/export/fhir", params={"pseudonym": pseudonym})
    assert result.status_code == 422
    assert result.json()["error"]["field"] == "pseudonym"
