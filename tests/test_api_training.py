"""Training, journal, plan and status through the API, on the demo runner: the same numbers
the pages and the CLI show."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kneeguard.web.testing import make_client, make_settings


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from kneeguard.demo import load_demo
    from kneeguard.storage import connect

    tmp = tmp_path_factory.mktemp("api")
    db = connect(make_settings(tmp).db_url)
    load_demo(db)
    db.dispose()
    with make_client(tmp) as c:
        yield c


def test_training_is_the_cli_document(client, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import json

    api = client.get("/api/v1/training").json()
    db = client.app.state.kneeguard.settings.db_url
    cli = json.loads(run_cli("training", "--format", "json", "--db", db).stdout)
    assert api == cli
    kinds = {w["kind"] for w in api["warnings"]}
    assert {"comeback", "weekly_jump", "run_spike"} <= kinds
    last = client.get("/api/v1/training?weeks=4").json()
    assert len(last["weeks"]) == 4
    assert client.get("/api/v1/training?weeks=0").status_code == 422


def test_journal_and_plan(client) -> None:  # type: ignore[no-untyped-def]
    journal = client.get("/api/v1/journal").json()
    assert len(journal["entries"]) == 8
    assert journal["onset_trend"] == "earlier"
    assert journal["prefill"]["pain_onset_trend"] == "earlier"
    plan = client.get("/api/v1/plan?weeks=5").json()
    assert plan["status"] == "plan" and plan["mode"] == "return"
    assert len(plan["weeks"]) == 5
    assert plan["assessment"]["advice"] == "reduce"
    assert all("above 3/10" in w["pain_rule"] for w in plan["weeks"])
    assert client.get("/api/v1/plan?weeks=9").status_code == 422


def test_status(client) -> None:  # type: ignore[no-untyped-def]
    status = client.get("/api/v1/status").json()
    assert status["latest_assessment"]["top_condition"] == "patellar_tendinopathy"
    assert status["activities"] > 150 and status["journal_entries"] == 8
    assert len(status["recent_weeks"]) == 6
    assert status["recent_weeks"][-1]["current"] is True
    assert any(f["kind"] == "onset_earlier" for f in status["journal_findings"])


def test_journal_add_and_delete(tmp_path: Path) -> None:
    with make_client(tmp_path) as c:
        created = c.post("/api/v1/journal", json={"day": date.today().isoformat(),
                                                  "pain_during": 4, "note": "sharp"})
        assert created.status_code == 201
        body = created.json()
        assert body["entry"]["pain_during"] == 4
        assert [f["kind"] for f in body["findings"]] == ["above_3"]
        assert body["findings"][0]["stop"] is True
        bad = c.post("/api/v1/journal", json={"pain_during": 11})
        assert bad.status_code == 422 and bad.json()["error"]["field"] == "pain_during"
        assert c.delete(f"/api/v1/journal/{body['entry']['id']}").status_code == 204
        assert c.delete(f"/api/v1/journal/{body['entry']['id']}").status_code == 404
        assert c.get("/api/v1/journal").json()["entries"] == []
