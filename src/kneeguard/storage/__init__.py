"""Storage: SQLAlchemy tables, Alembic migrations and named queries.

SQLite by default, PostgreSQL by URL. ``connect(url)`` opens a database at the
newest schema; each concern has one module holding its tables and queries.
"""

from kneeguard.storage.database import Database, connect

__all__ = ["Database", "connect"]
