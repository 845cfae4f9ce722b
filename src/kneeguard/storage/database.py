"""Opening a database: engine, sessions and migrations.

``connect(url)`` returns a :class:`Database` whose schema is at the newest
Alembic revision; a new SQLite file (and its directory) is created on first
use. PostgreSQL URLs work the same way (``postgresql+psycopg://...``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from kneeguard.errors import StorageError

MIGRATIONS = Path(__file__).parent / "migrations"


class Database:
    """An engine plus a session factory; ``with db.session() as s:`` is one transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error."""
        session = self._sessions()
        try:
            with session.begin():
                yield session
        except OperationalError as exc:
            raise StorageError(f"database error on {self.url}: {_one_line(exc.orig)}") from exc
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


def _one_line(error: object) -> str:
    """A driver's message on one line (libpq adds hints on lines of their own)."""
    return " ".join(str(error).split())


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite files get their directory, WAL and foreign keys."""
    try:
        if url.startswith("sqlite"):
            path = url.split("///", 1)[1] if "///" in url else ""
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url)
            event.listen(engine, "connect", _sqlite_pragmas)
            if path and path != ":memory:":
                with engine.connect() as conn:
                    conn.exec_driver_sql("PRAGMA journal_mode=WAL")
        else:
            engine = create_engine(url, pool_pre_ping=True)
    except ModuleNotFoundError as exc:
        raise StorageError(
            f"the database driver for {url.split(':', 1)[0]} is not installed ({exc.name}); "
            "for PostgreSQL install kneeguard[postgres]"
        ) from None
    except (SQLAlchemyError, OSError) as exc:
        raise StorageError(f"cannot open database {url}: {_one_line(exc)}") from None
    return engine


def _alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (no-op when it already is)."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = _alembic_config(engine)
    heads = set(ScriptDirectory.from_config(config).get_heads())
    try:
        with engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
        if current == heads:
            return
        command.upgrade(config, "head")
    except OperationalError as exc:
        raise StorageError(f"cannot use database {engine.url!r}: {_one_line(exc.orig)}") from None


def connect(url: str, *, upgrade: bool = True) -> Database:
    """Open the database at ``url`` and bring its schema up to date."""
    engine = make_engine(url)
    if upgrade:
        migrate(engine)
    return Database(engine)
