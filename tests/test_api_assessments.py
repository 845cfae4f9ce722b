"""The assessment API: the contract in, the contract out, errors that name the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from kneeguard.web.testing import make_client

TENDON = {"schema": "kneeguard.answers/1", "pain_locations": ["below_kneecap_on_tendon"],
          "pain_timing": ["jumping", "during_run"], "pain_onset_trend": "earlier"}


@pytest.fixture
def client(tmp_path: Path):  # type: ignore[no-untyped-def]
    with make_client(tmp_path) as c:
        yield c


def test_assess_without_storing(client) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/assess", json=TENDON)
    assert response.status_code == 200
    result = response.json()
    assert result["schema"] == "kneeguard.result/1"
    assert result["conditions"][0]["id"] == "patellar_tendinopathy"
    assert sum(c["probability"] for c in result["conditions"]) == pytest.approx(1.0)
    assert client.get("/api/v1/assessments").json() == []


def test_store_list_and_get(client) -> None:  # type: ignore[no-untyped-def]
    created = client.post("/api/v1/assessments", json=TENDON)
    assert created.status_code == 201
    body = created.json()
    assert body["top_condition"] == "patellar_tendinopathy"
    assert body["answers"] == TENDON | {"pain_timing": ["during_run", "jumping"]}
    listed = client.get("/api/v1/assessments").json()
    assert [a["id"] for a in listed] == [body["id"]]
    assert "result" not in listed[0]
    one = client.get(f"/api/v1/assessments/{body['id']}").json()
    assert one["result"]["triage"]["level"] == body["triage_level"]
    assert client.get("/api/v1/assessments/999").json() == {
        "error": {"message": "there is no assessment with id 999", "field": None}}


@pytest.mark.parametrize(("document", "field"), [
    ({"schema": "kneeguard.answers/1", "age": 300}, "age"),
    ({"schema": "kneeguard.answers/1", "pain_locations": ["elbow"]}, "pain_locations"),
    ({"schema": "kneeguard.answers/1", "favourite_colour": "red"}, "favourite_colour"),
    ({"age": 30}, "schema"),
    ([1, 2], None),
])
def test_bad_answers_name_the_field(client, document, field) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/assessments", json=document)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["field"] == field
    assert error["message"]
    assert client.get("/api/v1/assessments").json() == []


def test_broken_json_is_a_422(client) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/assess", content=b"{not json",
                           headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert "error" in response.json()


def test_questions_schema_and_prefill(client) -> None:  # type: ignore[no-untyped-def]
    questions = client.get("/api/v1/assessment/questions").json()
    assert [s["id"] for s in questions["steps"]][:2] == ["about", "where"]
    schema = client.get("/api/v1/assessment/schema").json()
    assert schema["required"] == ["schema"] and schema["additionalProperties"] is False
    assert client.get("/api/v1/assessment/prefill").json() == {"schema": "kneeguard.answers/1"}
