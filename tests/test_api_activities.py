"""Activities through the API: multipart upload gives the contract's import summary, the
list follows the `kneeguard activities` contract."""

from __future__ import annotations

from pathlib import Path

import pytest

from data.activity_fixtures import START, fit_bytes
from kneeguard.web.testing import make_client


@pytest.fixture
def client(tmp_path: Path):  # type: ignore[no-untyped-def]
    with make_client(tmp_path, import_workers=1) as c:
        yield c


def test_upload_and_list(client) -> None:  # type: ignore[no-untyped-def]
    files = [("files", ("run.fit", fit_bytes(n=1200, start=START))),
             ("files", ("empty.gpx", b""))]
    response = client.post("/api/v1/activities", files=files)
    assert response.status_code == 200, response.text
    summary = response.json()
    assert {k: summary[k] for k in ("imported", "duplicates", "incomplete")} == {
        "imported": 1, "duplicates": 0, "incomplete": 0}
    assert [s["file"] for s in summary["skipped"]] == ["empty.gpx"]
    listed = client.get("/api/v1/activities").json()
    assert len(listed) == 1
    item = listed[0]
    assert item["sport"] == "running" and item["start_utc"] == "2024-05-04T07:30:00Z"
    assert item["distance_m"] == pytest.approx(3597.0, abs=5.0)
    assert item["sources"] == ["run.fit"]
    again = client.post("/api/v1/activities", files=files[:1]).json()
    assert again["imported"] == 0 and again["duplicates"] == 1


def test_upload_needs_files(client) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/activities", json={"files": []})
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "files"
    none = client.post("/api/v1/activities", files=[("other", ("x.fit", b"1"))])
    assert none.status_code == 422
    assert none.json()["error"]["message"] == "choose at least one file to import"


def test_unknown_import_job(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/api/v1/imports/nope")
    assert response.status_code == 404
