"""The import page: upload files and archives, the job's progress page, the summary, and the
run in the training chart afterwards."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from data.activity_fixtures import fit_bytes, gpx_bytes
from kneeguard.web.testing import csrf, make_client, parse, text

RECENT = datetime.now(UTC).replace(hour=7, minute=0, second=0, microsecond=0) - timedelta(days=2)


@pytest.fixture
def client(tmp_path: Path):  # type: ignore[no-untyped-def]
    with make_client(tmp_path, import_workers=1) as c:
        yield c


def upload(client, files):  # type: ignore[no-untyped-def]
    token = csrf(parse(client.get("/import").text))
    response = client.post("/import", data={"csrf_token": token}, files=files,
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    job_id = response.headers["location"].rsplit("/", 1)[1]
    client.app.state.kneeguard.jobs.wait(job_id)
    return parse(client.get(response.headers["location"]).text)


def counts(tree) -> dict[str, int]:  # type: ignore[no-untyped-def]
    out = {}
    for li in tree.css(".summary-counts li"):
        number = text(li.css_first("strong"))
        out[text(li).removeprefix(number).strip()] = int(number)
    return out


def test_import_page_has_a_labelled_file_picker(client) -> None:  # type: ignore[no-untyped-def]
    tree = parse(client.get("/import").text)
    picker = tree.css_first("input[type=file]")
    assert "multiple" in picker.attributes
    assert text(tree.css_first("label[for=files]")) == "Files or export archives"
    assert tree.css_first("form[data-import]").attributes["enctype"] == "multipart/form-data"


def test_upload_files_then_see_summary_and_training(client) -> None:  # type: ignore[no-untyped-def]
    files = [("files", ("morning.fit", fit_bytes(n=1800, start=RECENT))),
             ("files", ("notes.txt", b"not an activity")),
             ("files", ("evening.gpx", gpx_bytes(n=900, start=RECENT + timedelta(hours=9))))]
    tree = upload(client, files)
    assert text(tree.css_first("#job h2")) == "Done"
    assert counts(tree) == {"imported": 2, "already known": 0, "incomplete (salvaged)": 0,
                            "skipped": 1}
    skipped = [text(td) for td in tree.css("#job tbody td")]
    assert skipped[0] == "notes.txt" and "not a FIT, GPX or TCX file" in skipped[1]
    again = upload(client, files[:1])
    assert counts(again)["already known"] == 1 and counts(again)["imported"] == 0
    training = parse(client.get("/training").text)
    assert training.css_first("figure.chart svg[role=img]") is not None
    week = training.css("details table tbody tr")[0]
    assert text(week.css("td")[2]) in ("1", "2")


def test_archive_upload_is_read_from_disk(client) -> None:  # type: ignore[no-untyped-def]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("export/activities/1.fit", fit_bytes(n=600, start=RECENT))
    tree = upload(client, [("files", ("export.zip", buffer.getvalue()))])
    assert counts(tree)["imported"] == 1


def test_no_file_chosen_says_so(client) -> None:  # type: ignore[no-untyped-def]
    token = csrf(parse(client.get("/import").text))
    response = client.post("/import", data={"csrf_token": token},
                           files=[("files", ("", b""))])
    assert response.status_code == 422
    tree = parse(response.text)
    assert text(tree.css_first("#files-error")) == "⚠ Choose at least one file to import."


def test_running_job_page_polls(client) -> None:  # type: ignore[no-untyped-def]
    from kneeguard.web.jobs import Job

    state = client.app.state.kneeguard
    job = Job(id="abc", kind="import", status="running", done=3, total=10, current="a.fit")
    state.jobs._jobs[job.id] = job
    tree = parse(client.get("/import/abc").text)
    section = tree.css_first("#job")
    assert section.attributes["hx-get"] == "/import/abc"
    assert section.attributes["hx-trigger"] == "every 500ms"
    assert tree.css_first("#job progress").attributes["value"] == "30"
    assert tree.css_first("noscript meta").attributes["http-equiv"] == "refresh"
    fragment = client.get("/import/abc", headers={"hx-request": "true"})
    assert parse(fragment.text).css_first("h1") is None
    assert client.get("/import/unknown").status_code == 404
