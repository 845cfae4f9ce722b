"""Full backup: every table to one versioned JSON document, and back into an empty database.

The backup is table-driven: it walks ``Base.metadata.sorted_tables`` (parents before
children), so a table or column added by any concern is included without touching
this module. Each table is written as its column names and its rows (lists in column
order, ordered by primary key); values are JSON-native except instants (ISO 8601 UTC
with ``Z``), dates (ISO) and binary (base64). A SHA-256 over the canonical ``tables``
block detects a damaged file. docs/backup.md documents the format.

:func:`restore_backup` checks the whole document first (format, version, checksum,
every table, column and value) and then inserts everything in ONE transaction into a
database that must be empty; any problem raises :class:`~kneeguard.errors.RestoreError`
and nothing is written.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import sys
import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    String,
    Table,
    func,
    select,
    text,
)
from sqlalchemy.exc import DataError, IntegrityError, ProgrammingError

from kneeguard import __version__
from kneeguard.errors import RestoreError, StorageError
from kneeguard.storage import models as _models  # noqa: F401  (fills Base.metadata)
from kneeguard.storage.base import Base, UTCDateTime, utcnow
from kneeguard.storage.database import Database

FORMAT = "kneeguard.backup"
FORMAT_VERSION = 1


# --- values ---------------------------------------------------------------------------


def _kind(table: Table, column_name: str) -> str:
    """The backup encoding of a column: instant, datetime, date, json, bool, int, float,
    text or binary (checked in this order: a TypeDecorator counts as what it wraps)."""
    column_type = table.columns[column_name].type
    if isinstance(column_type, UTCDateTime):
        return "instant"
    for kind, sa_type in (("datetime", DateTime), ("date", Date), ("json", JSON),
                          ("bool", Boolean), ("int", Integer), ("float", Float),
                          ("text", String), ("binary", LargeBinary)):
        if isinstance(column_type, sa_type):
            return kind
    raise StorageError(f"the backup cannot store column {table.name}.{column_name} of type "
                       f"{column_type}; teach storage/backup.py that type")


def _encode(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "instant":
        return value.isoformat().replace("+00:00", "Z")
    if kind in ("datetime", "date"):
        return value.isoformat()
    if kind == "float":
        return float(value)
    if kind == "binary":
        return base64.b64encode(value).decode("ascii")
    return value


def _decode(kind: str, value: Any, table: Table, column: str, where: str) -> Any:
    """A backup value as the column takes it, or a RestoreError naming where it is."""
    def bad(expected: str) -> RestoreError:
        return RestoreError(f"{where}: column {column} must be {expected}, not {value!r}",
                            field=f"{table.name}.{column}")

    if value is None:
        if not table.columns[column].nullable:
            raise bad("a value (it may not be empty)")
        return None
    if kind in ("instant", "datetime", "date"):
        if not isinstance(value, str):
            raise bad("an ISO date or time")
        try:
            parsed: Any = (date.fromisoformat(value) if kind == "date"
                           else datetime.fromisoformat(value))
        except ValueError:
            raise bad("an ISO date or time") from None
        if kind == "instant" and (parsed.tzinfo is None or not value.endswith("Z")):
            raise bad("a UTC instant ending in Z")
        return parsed
    if kind == "bool":
        if not isinstance(value, bool):
            raise bad("true or false")
        return value
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad("a whole number")
        return value
    if kind == "float":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise bad("a number")
        return float(value)
    if kind == "text":
        length = getattr(table.columns[column].type, "length", None)
        if not isinstance(value, str):
            raise bad("text")
        if length is not None and len(value) > length:
            raise bad(f"text of at most {length} characters")
        return value
    if kind == "binary":
        try:
            return base64.b64decode(value, validate=True)
        except (TypeError, ValueError):
            raise bad("base64 data") from None
    return value  # json: any JSON value


# --- export ---------------------------------------------------------------------------


def _checksum(tables: Any) -> str:
    canonical = json.dumps(tables, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def schema_revision(db: Database) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def export_backup(db: Database, settings: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every row of every table as one backup document (read in one transaction).

    ``settings`` are the values of the user's config file (the database holds no
    settings); they travel in the backup and ``restore`` can write them back.
    """
    tables: dict[str, Any] = {}
    with db.session() as session:
        for table in Base.metadata.sorted_tables:
            columns = [c.name for c in table.columns]
            kinds = [_kind(table, c) for c in columns]
            order = list(table.primary_key.columns) or list(table.columns)
            rows = [[_encode(k, v) for k, v in zip(kinds, row, strict=True)]
                    for row in session.execute(select(table).order_by(*order))]
            tables[table.name] = {"columns": columns, "rows": rows}
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "kneeguard_version": __version__,
        "schema_revision": schema_revision(db),
        "exported_at": utcnow().isoformat().replace("+00:00", "Z"),
        "checksum": _checksum(tables),
        "settings": dict(settings or {}),
        "tables": tables,
    }


def write_json_file(document: Any, path: str) -> None:
    """Write JSON to ``path`` atomically (a temporary file renamed into place), or stdout."""
    data = json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"
    if path == "-":
        sys.stdout.write(data)
        sys.stdout.flush()
        return
    target = Path(path)
    try:
        handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or ".")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, target)
    except OSError as exc:
        from kneeguard.errors import InputError

        if "temp" in locals() and os.path.exists(temp):
            os.unlink(temp)
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None


# --- restore --------------------------------------------------------------------------


def read_backup_file(path: str) -> Any:
    """The parsed JSON of a backup file (``-`` = stdin), or a RestoreError."""
    try:
        raw = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except FileNotFoundError:
        raise RestoreError(f"backup file {path} does not exist") from None
    except OSError as exc:
        raise RestoreError(f"cannot read backup file {path}: {exc.strerror or exc}") from None
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise RestoreError(f"{path} is damaged or not a kneeguard backup: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise RestoreError(f"{path} is damaged or not a kneeguard backup: invalid JSON "
                           f"({exc.msg} at line {exc.lineno}, column {exc.colno})") from None


def check_backup(document: Any) -> list[tuple[Table, list[dict[str, Any]]]]:
    """Validate a whole backup; returns the decoded rows per table, parents first."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise RestoreError("this is not a kneeguard backup (format is not "
                           f"{FORMAT!r})", field="format")
    version = document.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise RestoreError("the backup is damaged: version must be a whole number from 1",
                           field="version")
    if version > FORMAT_VERSION:
        raise RestoreError(
            f"the backup was written by a newer kneeguard (backup format version {version}); "
            f"this kneeguard {__version__} reads versions up to {FORMAT_VERSION}: update "
            "kneeguard to restore it", field="version")
    tables = document.get("tables")
    if not isinstance(tables, dict):
        raise RestoreError("the backup is damaged: it has no tables", field="tables")
    if document.get("checksum") != _checksum(tables):
        raise RestoreError("the backup is damaged: its checksum does not match its content "
                           "(the file was changed or cut short)", field="checksum")

    backup_settings(document)
    known = {t.name: t for t in Base.metadata.sorted_tables}
    for name in tables:
        if name not in known:
            raise RestoreError(f"the backup holds table {name!r}, which this kneeguard does "
                               "not know (it comes from a different version)", field=name)
    plan: list[tuple[Table, list[dict[str, Any]]]] = []
    for table in Base.metadata.sorted_tables:
        block = tables.get(table.name)
        if block is None:
            plan.append((table, []))
            continue
        if not isinstance(block, dict) or not isinstance(block.get("columns"), list) \
                or not isinstance(block.get("rows"), list):
            raise RestoreError(f"the backup is damaged: table {table.name} needs columns "
                               "and rows", field=table.name)
        columns: list[str] = block["columns"]
        for column in columns:
            if not isinstance(column, str) or column not in table.columns:
                raise RestoreError(f"the backup's table {table.name} has column {column!r}, "
                                   "which this kneeguard does not know", field=table.name)
        if len(set(columns)) != len(columns):
            raise RestoreError(f"the backup's table {table.name} repeats a column",
                               field=table.name)
        for col in table.columns:
            required = not (col.nullable or col.default is not None
                            or col.server_default is not None
                            or col is table.autoincrement_column)
            if col.name not in columns and required:
                raise RestoreError(f"the backup's table {table.name} lacks column "
                                   f"{col.name}, which this kneeguard needs",
                                   field=f"{table.name}.{col.name}")
        kinds = [_kind(table, c) for c in columns]
        rows: list[dict[str, Any]] = []
        for number, row in enumerate(block["rows"], start=1):
            where = f"table {table.name}, row {number}"
            if not isinstance(row, list) or len(row) != len(columns):
                raise RestoreError(f"{where}: expected {len(columns)} values",
                                   field=table.name)
            rows.append({c: _decode(k, v, table, c, where)
                         for c, k, v in zip(columns, kinds, row, strict=True)})
        plan.append((table, rows))
    return plan


def backup_settings(document: dict[str, Any]) -> dict[str, Any]:
    """The settings a backup carries, checked against the settings table (``{}`` if none)."""
    from kneeguard.errors import ConfigError
    from kneeguard.settings import check_setting_values

    raw = document.get("settings", {})
    if not isinstance(raw, dict):
        raise RestoreError("the backup is damaged: settings must be an object",
                           field="settings")
    try:
        return check_setting_values(raw, "the backup's settings")
    except ConfigError as exc:
        raise RestoreError(str(exc).rstrip("."), field="settings") from None


def _reset_sequences(session: Any, table: Table) -> None:
    """PostgreSQL: move each serial sequence past the restored ids."""
    for column in table.primary_key.columns:
        if not isinstance(column.type, Integer) or len(table.primary_key.columns) != 1:
            continue
        sequence = session.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                   {"t": table.name, "c": column.name}).scalar()
        if sequence is None:
            continue
        quoted = f'"{column.name}"'
        session.execute(text(
            f"SELECT setval(:s, COALESCE((SELECT MAX({quoted}) FROM \"{table.name}\"), 1), "
            f"(SELECT MAX({quoted}) FROM \"{table.name}\") IS NOT NULL)"), {"s": sequence})


def restore_backup(db: Database, document: Any) -> dict[str, int]:
    """Restore a backup into an empty database in one transaction; rows per table."""
    plan = check_backup(document)
    with db.session() as session:
        for table in Base.metadata.sorted_tables:
            if session.execute(select(func.count()).select_from(table)).scalar():
                raise RestoreError(
                    f"the database {db.url} is not empty (table {table.name} has rows); "
                    "restore only into a new, empty database")
        try:
            for table, rows in plan:
                if rows:
                    session.execute(table.insert(), rows)
            if db.engine.dialect.name == "postgresql":
                for table, _ in plan:
                    _reset_sequences(session, table)
        except (IntegrityError, DataError, ProgrammingError) as exc:
            raise RestoreError(f"the backup does not fit the database: {exc.orig}") from None
    return {table.name: len(rows) for table, rows in plan}
