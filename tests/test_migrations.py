"""The Alembic migrations build exactly the schema the SQLAlchemy models declare."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from kneeguard.storage import connect
from kneeguard.storage import models as _models  # noqa: F401
from kneeguard.storage.base import Base


def test_migrations_match_models(db_url: str) -> None:
    db = connect(db_url)
    try:
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, Base.metadata)
        assert diff == []
    finally:
        db.dispose()


def test_connect_twice_is_a_no_op(sqlite_url: str) -> None:
    first = connect(sqlite_url)
    first.dispose()
    second = connect(sqlite_url)
    with second.engine.connect() as conn:
        revision = MigrationContext.configure(conn).get_current_revision()
    second.dispose()
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from kneeguard.storage.database import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert revision == ScriptDirectory.from_config(config).get_current_head()


def test_an_unreachable_database_is_one_line(run_cli: object) -> None:
    result = run_cli("history", "--db", "postgresql+psycopg://127.0.0.1:1/kneeguard")  # type: ignore[operator]
    assert result.exit_code == 5
    assert result.stderr.startswith("Error: cannot use database ")
    assert result.stderr.count("\n") == 1
