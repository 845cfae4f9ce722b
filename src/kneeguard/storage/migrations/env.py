"""Alembic environment: runs on the engine kneeguard hands over (never reads alembic.ini)."""

from __future__ import annotations

from alembic import context

from kneeguard.storage import models  # noqa: F401  (fills Base.metadata)
from kneeguard.storage.base import Base

engine = context.config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    context.run_migrations()
