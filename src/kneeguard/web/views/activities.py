"""``/import``: upload files or export archives, watch the progress, read the summary.

The upload is saved to a temporary directory and imported on the app's job
thread by :func:`kneeguard.storage.activities.import_activities` (the same
function as ``kneeguard import``); the job page shows its progress and then
the summary. Activity files are passed as bytes (named as uploaded), export
archives as files on disk so that they are never read into memory whole.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from kneeguard.errors import InputError
from kneeguard.web.deps import app_state, check_csrf, get_db
from kneeguard.web.templating import render

if TYPE_CHECKING:
    from kneeguard.settings import Settings
    from kneeguard.storage import Database
    from kneeguard.web.jobs import Job, Progress

router = APIRouter(include_in_schema=False)

MAX_FILES = 5000
ACCEPT = ".fit,.gpx,.tcx,.gz,.zip,.FIT,.GPX,.TCX"


def _safe_name(name: str, index: int) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1] or f"upload-{index}"
    base = re.sub(r"[^A-Za-z0-9._ -]", "_", base)[:120].lstrip(".") or f"upload-{index}"
    return base


async def save_uploads(request: Request, files: list[UploadFile]) -> tuple[Path, list[Any]]:
    """Copy the uploads into a new temporary directory; return it and the import inputs."""
    if not files:
        raise InputError("choose at least one file to import", field="files")
    workdir = Path(tempfile.mkdtemp(prefix="kneeguard-upload-"))
    inputs: list[Any] = []
    try:
        for index, upload in enumerate(files):
            name = _safe_name(upload.filename or "", index)
            await upload.seek(0)
            head = await upload.read(4)
            await upload.seek(0)
            if head.startswith(b"PK"):
                target = workdir / f"{index:04d}" / name
                target.parent.mkdir()
                with target.open("wb") as out:
                    shutil.copyfileobj(upload.file, out, 1 << 20)
                inputs.append(target)
            else:
                inputs.append((name, await upload.read()))
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    return workdir, inputs


def start_import(settings: Settings, db: Database, jobs: Any, workdir: Path,
                 inputs: list[Any]) -> Job:
    """Run the import on the job thread; the summary names files as they were uploaded."""
    from kneeguard.activities import Limits
    from kneeguard.storage.activities import import_activities

    prefix = re.compile(re.escape(str(workdir)) + r"/\d{4}/")

    def work(progress: Progress) -> dict[str, Any]:
        def report(p: Any) -> None:
            progress(p.files_done, p.files_total, prefix.sub("", str(p.current)))

        summary = import_activities(db, inputs, limits=Limits.from_settings(settings),
                                    workers=settings.import_workers, progress=report)
        document: dict[str, Any] = summary.to_json()
        for item in document["skipped"]:
            item["file"] = prefix.sub("", item["file"])
        return document

    job: Job = jobs.submit("import", work, workdir=workdir)
    return job


async def upload_form(request: Request) -> tuple[Any, list[UploadFile]]:
    form = await request.form(max_files=MAX_FILES, max_fields=50)
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
    return form, files


@router.get("/import", response_class=HTMLResponse)
def import_page(request: Request) -> HTMLResponse:
    return render(request, "import.html", active="import", errors={}, accept=ACCEPT,
                  max_mb=app_state(request).settings.upload_max_mb)


@router.post("/import")
async def upload(request: Request) -> Response:
    form, files = await upload_form(request)
    check_csrf(request, form)
    state = app_state(request)
    try:
        workdir, inputs = await save_uploads(request, files)
    except InputError as exc:
        return render(request, "import.html", status_code=422, active="import",
                      errors={"files": "Choose at least one file to import."}, accept=ACCEPT,
                      max_mb=state.settings.upload_max_mb, message=exc.message)
    finally:
        await form.close()
    job = start_import(state.settings, get_db(request), state.jobs, workdir, inputs)
    return RedirectResponse(f"/import/{job.id}", status_code=303)


@router.get("/import/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job_id: str) -> HTMLResponse:
    job = app_state(request).jobs.get(job_id)
    template = "_import_job.html" if request.headers.get("hx-request") else "import_job.html"
    return render(request, template, active="import", job=job)
