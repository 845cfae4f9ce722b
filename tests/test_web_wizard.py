"""The assessment wizard without a browser: steps, back and skip, bad input kept with its
message, follow-up questions, the knee diagram's regions and pre-filled answers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kneeguard.knowledge.vocabulary import LOCATIONS
from kneeguard.web.testing import hidden_fields, make_client, parse, text


@pytest.fixture
def client(tmp_path: Path):  # type: ignore[no-untyped-def]
    with make_client(tmp_path) as c:
        yield c


def post(client: Any, tree: Any, **fields: Any) -> Any:
    data = {**hidden_fields(tree, "form.wizard"), **fields}
    return client.post("/assess", data=data)


def title(tree: Any) -> str:
    return text(tree.css_first("form.wizard h2"))


def test_start_shows_step_one_with_progress(client) -> None:  # type: ignore[no-untyped-def]
    tree = parse(client.get("/assess").text)
    assert title(tree) == "About you"
    progress = tree.css_first("progress")
    assert progress.attributes["value"] == "1" and progress.attributes["max"] == "9"
    assert "Step 1 of 9" in text(tree.css_first("#progress-label"))
    buttons = [text(b) for b in tree.css("form.wizard .actions button")]
    assert buttons == ["Next", "Skip this step"]  # no Back on the first step


def test_patellar_tendinopathy_case_end_to_end(client) -> None:  # type: ignore[no-untyped-def]
    tree = parse(client.get("/assess").text)
    steps = [
        {"age": "29", "sex": "male", "side": "left"},
        {"pain_locations": ["below_kneecap_on_tendon"]},
        {"pain_timing": ["during_run", "jumping", "start_of_run_then_eases"]},
        {"pain_during_run": "3", "pain_onset_trend": "earlier", "pain_onset_km": "2.5"},
        {"onset": "gradual", "weeks_since_onset": "6"},
        {"swelling": "none", "fever": "no"},
        {"can_bear_weight": "yes", "locking": "no", "giving_way": "no"},
        {},
        {"weekly_km_change_pct": "25"},
    ]
    for index, answers in enumerate(steps):
        response = post(client, tree, nav="next", **answers)
        if index < len(steps) - 1:
            assert response.status_code == 200, title(tree)
            tree = parse(response.text)
    assert str(response.url).rsplit("/", 2)[-2] == "assessments"
    result = parse(response.text)
    assert text(result.css_first("li.condition h3")) == "Patellar tendinopathy (jumper's knee)"
    answers = {text(dt): text(dd) for dt, dd in zip(result.css(".answers dt"),
                                                    result.css(".answers dd"), strict=True)}
    assert answers["How old are you?"] == "29 years"
    assert answers["Where does it hurt?"] == "Just below the kneecap, on the tendon"


def test_bad_number_comes_back_with_message_and_text_kept(client) -> None:  # type: ignore[no-untyped-def]
    tree = parse(client.get("/assess").text)
    response = post(client, tree, nav="next", age="thirty", sex="female")
    assert response.status_code == 422
    tree = parse(response.text)
    assert title(tree) == "About you"
    age = tree.css_first("#q-age")
    assert age.attributes["value"] == "thirty"
    assert age.attributes["aria-invalid"] == "true"
    assert "age-error" in age.attributes["aria-describedby"]
    assert text(tree.css_first("#age-error")) == (
        "⚠ Enter a whole number from 5 to 110, not “thirty”.")
    assert "checked" in tree.css_first("#q-sex-female").attributes
    assert text(tree.css_first("#form-alert a")) == "How old are you?"


@pytest.mark.parametrize(("value", "message"), [
    ("300", "Enter a whole number from 5 to 110; 300 is out of range."),
    ("30.5", "Enter a whole number from 5 to 110 (no decimals)."),
    ("nan", "Enter a whole number from 5 to 110."),
])
def test_number_messages(client, value: str, message: str) -> None:  # type: ignore[no-untyped-def]
    tree = parse(client.get("/assess").text)
    tree = parse(post(client, tree, nav="next", age=value).text)
    assert text(tree.css_first("#age-error")) == "⚠ " + message


def test_decimal_comma_is_read(client) -> None:  # type: ignore[no-untyped-def]
    tree = parse(client.get("/assess").text)
    for _ in range(3):
        tree = parse(post(client, tree, nav="skip").text)
    tree = parse(post(client, tree, nav="next", pain_onset_km="2,5").text)
    assert json.loads(hidden_fields(tree, "form.wizard")["state"])["pain_onset_km"] == 2.5


def test_back_keeps_answers_and_skip_leaves_them_out(client) -> None:  # type: ignore[no-untyped-def]
    tree = parse(client.get("/assess").text)
    tree = parse(post(client, tree, nav="next", age="40").text)
    tree = parse(post(client, tree, nav="next", pain_locations=["outside_of_knee"]).text)
    assert title(tree) == "When does it hurt?"
    tree = parse(post(client, tree, nav="back", pain_timing=["downhill"]).text)
    assert title(tree) == "Where does it hurt?"
    assert "checked" in tree.css_first("#q-pain_locations-outside_of_knee").attributes
    tree = parse(post(client, tree, nav="skip", pain_locations=["back_of_knee"]).text)
    state = json.loads(hidden_fields(tree, "form.wizard")["state"])
    assert "pain_locations" not in state  # skipped: unanswered, not "no"
    assert state == {"age": 40}  # the current step's answers are its controls
    assert title(tree) == "When does it hurt?"
    assert "checked" in tree.css_first("#q-pain_timing-downhill").attributes


def test_follow_up_question_hidden_until_relevant(client) -> None:  # type: ignore[no-untyped-def]
    tree = parse(client.get("/assess").text)
    for _ in range(5):
        tree = parse(post(client, tree, nav="skip").text)
    assert title(tree) == "Swelling and skin"
    site = tree.css_first(".question[data-field=swelling_site]")
    assert "hidden" not in site.attributes  # swelling unknown: still asked
    assert json.loads(site.attributes["data-show-if"]) == {"swelling": {"in": ["mild", "marked"]}}
    tree = parse(post(client, tree, nav="next", swelling="none",
                      swelling_site="whole_joint").text)
    state = json.loads(hidden_fields(tree, "form.wizard")["state"])
    assert state == {"swelling": "none"}  # the follow-up of "no swelling" is dropped
    tree = parse(post(client, tree, nav="back").text)
    site = tree.css_first(".question[data-field=swelling_site]")
    assert "hidden" in site.attributes


def test_knee_diagram_covers_every_location(client) -> None:  # type: ignore[no-untyped-def]
    tree = parse(client.get("/assess").text)
    tree = parse(post(client, tree, nav="skip").text)
    regions = tree.css("[data-knee] .region")
    assert {r.attributes["data-location"] for r in regions} == set(LOCATIONS)
    assert all(r.attributes.get("data-label") for r in regions)
    boxes = tree.css("input[name=pain_locations]")
    assert [b.attributes["value"] for b in boxes] == list(LOCATIONS)
    assert len(tree.css(".knee-view")) == 2  # front and side view


def test_damaged_state_starts_over_with_a_message(client) -> None:  # type: ignore[no-untyped-def]
    tree = parse(client.get("/assess").text)
    data = {**hidden_fields(tree, "form.wizard"), "state": "{not json", "nav": "next"}
    response = client.post("/assess", data=data)
    assert response.status_code == 422
    assert "damaged" in text(parse(response.text).css_first("[role=alert]"))
    data["state"] = json.dumps({"age": 400})
    response = client.post("/assess", data=data)
    assert response.status_code == 422


def test_history_prefills_the_training_story(tmp_path: Path) -> None:
    from kneeguard.demo import load_demo
    from kneeguard.storage import connect
    from kneeguard.web.testing import make_settings

    settings = make_settings(tmp_path)
    db = connect(settings.db_url)
    load_demo(db)
    db.dispose()
    with make_client(tmp_path) as c:
        tree = parse(c.get("/assess").text)
        state = json.loads(hidden_fields(tree, "form.wizard")["state"])
        assert state["pain_onset_trend"] == "earlier"
        assert "weekly_km_change_pct" in state
        for _ in range(3):
            tree = parse(post(c, tree, nav="next").text)
        assert title(tree) == "How much does it hurt?"
        trend = tree.css_first("#q-pain_onset_trend-earlier")
        assert "checked" in trend.attributes
        assert "Filled in from your runs" in text(tree.css_first("#q-pain_onset_trend-pre"))
