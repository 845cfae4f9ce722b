"""Shared fixtures: isolated settings, databases (SQLite, and PostgreSQL when PGHOST is set),
a CLI runner and the paths of the shared conformance data."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
if os.environ.get("KNEEGUARD_SHARED"):
    SHARED = Path(os.environ["KNEEGUARD_SHARED"])


def shared_path(*parts: str) -> Path:
    """A file under ../shared, or skip the test with a message when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent (the shared conformance data lives beside the project)")
    return path


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path_factory: pytest.TempPathFactory,
                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch the user's real data directory or config file."""
    home = tmp_path_factory.mktemp("kneeguard-home")
    for key in list(os.environ):
        if key.startswith("KNEEGUARD_") and key != "KNEEGUARD_SHARED":
            monkeypatch.delenv(key)
    monkeypatch.setenv("KNEEGUARD_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("KNEEGUARD_CONFIG", str(home / "config.toml"))


def _postgres_url() -> Iterator[str]:
    if not os.environ.get("PGHOST"):
        pytest.skip("PostgreSQL not reachable here: set PGHOST (CI runs under pg_virtualenv)")
    import psycopg

    name = f"kg_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(dbname=os.environ.get("PGDATABASE", "postgres"),
                         autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg:///{name}"
    finally:
        with psycopg.connect(dbname=os.environ.get("PGDATABASE", "postgres"),
                             autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'kneeguard.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL: SQLite always, PostgreSQL when reachable."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'kneeguard.db'}"
    else:
        yield from _postgres_url()


@pytest.fixture
def database(db_url: str) -> Iterator[object]:
    from kneeguard.storage import connect

    db = connect(db_url)
    yield db
    db.dispose()


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def run_cli() -> object:
    """Run the ``kneeguard`` CLI in-process: ``run_cli("assess", "--answers", "-", input=...)``."""
    from typer.testing import CliRunner

    from kneeguard.cli import app, hoist_global_options

    def run(*args: str, input: str | None = None) -> CliResult:
        # typer's CliRunner takes the Typer app (it builds the command with typer's own click)
        result = CliRunner().invoke(app, hoist_global_options(list(args)), input=input,
                                    catch_exceptions=False, prog_name="kneeguard")
        return CliResult(result.exit_code, result.stdout, result.stderr)

    return run
