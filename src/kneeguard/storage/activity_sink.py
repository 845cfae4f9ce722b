"""Writing decoded activity files to the database, one transaction per file.

:class:`DatabaseSink` is the :class:`kneeguard.activities.Sink` behind
:func:`kneeguard.storage.activities.import_activities`. An import of a
ten-year export stores thousands of files while the worker processes decode
the next ones on the same cores, so the sink does as little as it can per
file: what it needs to decide (the content hashes already stored, the stored
activities by start instant for the duplicate rule, the shoes by name) is
read once per import and kept current in memory, and each file is written
with a handful of SQLAlchemy Core statements in its own transaction.

Every file still commits on its own: an import stopped at any moment (Ctrl-C,
kill, power cut) leaves whole files or nothing of a file, and running it
again completes it. The in-memory state changes only after a file's commit
(or is put back when the transaction fails). A dry run makes the same
decisions and writes nothing.

The in-memory index sees what this import and the ones before it stored; an
import running at the same moment in another process is not seen, so the
same run imported twice at once can end up as two activities (an identical
file cannot: the unique content hash turns the second copy into a duplicate).
"""

from __future__ import annotations

import dataclasses
import math
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, delete, insert, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError

from kneeguard.activities import Activity, ImportSummary, ParsedFile, preference, same_activity
from kneeguard.activities.dedupe import START_WINDOW_S
from kneeguard.errors import StorageError
from kneeguard.storage.activities import ActivityRow, ActivitySourceRow, ShoeRow, SplitRow
from kneeguard.storage.base import utcnow
from kneeguard.storage.database import Database

ACTIVITIES = cast(Table, ActivityRow.__table__)
SOURCES = cast(Table, ActivitySourceRow.__table__)
SPLITS = cast(Table, SplitRow.__table__)
SHOES = cast(Table, ShoeRow.__table__)
# Built once: executing a prepared statement with parameters skips building and
# caching a new one for every file.
INSERT_ACTIVITY = insert(ACTIVITIES)
INSERT_SOURCE = insert(SOURCES)
INSERT_SPLITS = insert(SPLITS)
INSERT_SHOE = insert(SHOES)
SYNCHRONOUS_NORMAL = text("PRAGMA synchronous=NORMAL")


@dataclass
class Stored:
    """A stored activity as the duplicate rule sees it."""

    id: int
    sport: str
    start: datetime
    distance_m: float
    incomplete: bool
    preferred_format: str | None
    shoe_id: int | None

    @property
    def key(self) -> tuple[float, float]:
        return (self.start.timestamp(), self.id)


class DedupeIndex:
    """Stored activities ordered by start instant, for the 2-minute window lookup."""

    def __init__(self, entries: list[Stored]) -> None:
        self._entries = sorted(entries, key=lambda e: e.key)
        self._keys: list[tuple[float, float]] = [e.key for e in self._entries]

    def __len__(self) -> int:
        return len(self._entries)

    def find(self, act: Activity) -> Stored | None:
        """The stored activity ``act`` duplicates (the oldest by id when several do)."""
        t = act.start_utc.timestamp()
        first = bisect_left(self._keys, (t - START_WINDOW_S, -math.inf))
        last = bisect_right(self._keys, (t + START_WINDOW_S, math.inf))
        best: Stored | None = None
        for e in self._entries[first:last]:
            if (best is None or e.id < best.id) and same_activity(
                    e.sport, e.start, e.distance_m, act.sport, act.start_utc, act.distance_m,
                    e.incomplete, act.incomplete):
                best = e
        return best

    def add(self, entry: Stored) -> None:
        key = entry.key
        at = bisect_left(self._keys, key)
        self._keys.insert(at, key)
        self._entries.insert(at, entry)

    def remove(self, entry: Stored) -> None:
        at = bisect_left(self._keys, entry.key)
        if at < len(self._entries) and self._entries[at] is entry:
            del self._keys[at]
            del self._entries[at]


def _summary_values(act: Activity) -> dict[str, Any]:
    return {"sport": act.sport, "sub_sport": _cut(act.sub_sport, 60), "start_utc": act.start_utc,
            "utc_offset_s": act.utc_offset_s, "distance_m": act.distance_m,
            "timer_s": act.timer_s, "elapsed_s": act.elapsed_s,
            "elevation_gain_m": act.elevation_gain_m, "avg_hr": act.avg_hr,
            "avg_cadence": act.avg_cadence, "device": _cut(act.device, 200),
            "incomplete": act.incomplete}


def _cut(value: str | None, size: int) -> str | None:
    return None if value is None else value[:size]


def _split_rows(activity_id: int, act: Activity) -> list[dict[str, Any]]:
    return [{"activity_id": activity_id, "index": s.index, "distance_m": s.distance_m,
             "time_s": s.time_s, "avg_hr": s.avg_hr, "elevation_gain_m": s.elevation_gain_m}
            for s in act.splits]


@dataclass
class _Outcome:
    imported: int = 0
    incomplete: int = 0
    matched: bool = False


class DatabaseSink:
    """Stores each file in its own transaction; ``dry_run`` decides the same, writes nothing."""

    def __init__(self, db: Database, dry_run: bool = False) -> None:
        self.db = db
        self.dry_run = dry_run
        self._hashes: set[str] | None = None
        self._index: DedupeIndex | None = None
        self._shoes: dict[str, int] = {}
        self._fake_id = 0

    # -------------------------------------------------- what is stored, read once

    def known_hashes(self) -> set[str]:
        if self._hashes is None:
            with self._reading() as conn:
                self._hashes = set(conn.scalars(select(SOURCES.c.content_hash)))
        return set(self._hashes)

    def _load(self) -> DedupeIndex:
        if self._index is None:
            with self._reading() as conn:
                preferred = (select(SOURCES.c.activity_id, SOURCES.c.format)
                             .where(SOURCES.c.preferred.is_(True)).subquery())
                rows = conn.execute(
                    select(ACTIVITIES.c.id, ACTIVITIES.c.sport, ACTIVITIES.c.start_utc,
                           ACTIVITIES.c.distance_m, ACTIVITIES.c.incomplete,
                           preferred.c.format, ACTIVITIES.c.shoe_id)
                    .outerjoin(preferred, preferred.c.activity_id == ACTIVITIES.c.id))
                entries: dict[int, Stored] = {}
                for row in rows:
                    entries.setdefault(row[0], Stored(*row))
                self._index = DedupeIndex(list(entries.values()))
                self._shoes = {name: id_ for id_, name in
                               conn.execute(select(SHOES.c.id, SHOES.c.name))}
        return self._index

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        try:
            with self.db.engine.connect() as conn:
                yield conn
        except OperationalError as exc:
            raise StorageError(f"database error on {self.db.url}: {exc.orig}") from exc

    @contextmanager
    def _transaction(self) -> Iterator[Connection | None]:
        if self.dry_run:
            yield None
            return
        try:
            with self.db.engine.begin() as conn:
                if conn.dialect.name == "sqlite":
                    # WAL + NORMAL: every commit is atomic and consistent; only the last few
                    # may be lost on power failure (the next import redoes them).
                    conn.execute(SYNCHRONOUS_NORMAL)
                yield conn
        except OperationalError as exc:
            raise StorageError(f"database error on {self.db.url}: {exc.orig}") from exc

    # -------------------------------------------------- one file

    def store(self, parsed: ParsedFile, summary: ImportSummary) -> None:
        """Store one decoded file: new activities, or extra sources of stored ones."""
        if self._hashes is None:
            self.known_hashes()
        assert self._hashes is not None
        if parsed.content_hash in self._hashes:
            summary.duplicates += 1
            return
        index = self._load()
        undo: list[Callable[[], None]] = []
        new_ids: list[int] = []
        outcome = _Outcome()
        try:
            with self._transaction() as conn:
                for act in parsed.activities:
                    self._store_activity(conn, index, parsed, act, outcome, new_ids, undo)
        except IntegrityError as exc:
            for step in reversed(undo):
                step()
            if not self._stored_elsewhere(parsed.content_hash):
                raise StorageError(f"could not store {parsed.name}: {exc.orig}") from exc
            # Another import stored this very file a moment ago: it is a duplicate.
            self._hashes.add(parsed.content_hash)
            summary.duplicates += 1
            return
        except BaseException:
            for step in reversed(undo):
                step()
            raise
        self._hashes.add(parsed.content_hash)
        summary.imported += outcome.imported
        summary.incomplete += outcome.incomplete
        if outcome.matched:
            summary.duplicates += 1
        if not self.dry_run:
            summary.activity_ids.extend(new_ids)

    def _stored_elsewhere(self, content_hash: str) -> bool:
        with self._reading() as conn:
            return conn.scalar(select(SOURCES.c.id).where(SOURCES.c.content_hash == content_hash)
                               .limit(1)) is not None

    def _store_activity(self, conn: Connection | None, index: DedupeIndex, parsed: ParsedFile,
                        act: Activity, outcome: _Outcome, new_ids: list[int],
                        undo: list[Callable[[], None]]) -> None:
        fmt = parsed.format or "?"
        shoe_id = self._shoe(conn, act.gear, undo) if act.gear and act.is_running else None
        source = {"file_name": parsed.name[-500:], "content_hash": parsed.content_hash,
                  "leg": act.leg, "format": fmt,
                  "incomplete_reason": _cut(act.incomplete_reason, 500)}
        match = index.find(act)
        if match is None:
            entry = Stored(self._insert_activity(conn, act, shoe_id), act.sport, act.start_utc,
                           act.distance_m, act.incomplete, fmt, shoe_id)
            if conn is not None:
                conn.execute(INSERT_SOURCE, source | {"activity_id": entry.id, "preferred": True})
                if act.splits:
                    conn.execute(INSERT_SPLITS, _split_rows(entry.id, act))
            index.add(entry)
            undo.append(lambda: index.remove(entry))
            outcome.imported += 1
            outcome.incomplete += int(act.incomplete)
            new_ids.append(entry.id)
            return
        outcome.matched = True
        better = match.preferred_format is None or (
            preference(fmt, act.incomplete) > preference(match.preferred_format, match.incomplete))
        link_shoe = shoe_id is not None and match.shoe_id is None
        if conn is not None:
            if better:
                conn.execute(update(SOURCES).where(SOURCES.c.activity_id == match.id,
                                                   SOURCES.c.preferred.is_(True))
                             .values(preferred=False))
                conn.execute(update(ACTIVITIES).where(ACTIVITIES.c.id == match.id)
                             .values(_summary_values(act)))
                conn.execute(delete(SPLITS).where(SPLITS.c.activity_id == match.id))
                if act.splits:
                    conn.execute(INSERT_SPLITS, _split_rows(match.id, act))
            if link_shoe:
                conn.execute(update(ACTIVITIES).where(ACTIVITIES.c.id == match.id)
                             .values(shoe_id=shoe_id))
            conn.execute(INSERT_SOURCE, source | {"activity_id": match.id, "preferred": better})
        if better or link_shoe:
            if better:
                replaced = Stored(match.id, act.sport, act.start_utc, act.distance_m,
                                  act.incomplete, fmt, match.shoe_id)
            else:
                replaced = dataclasses.replace(match)
            if link_shoe:
                replaced.shoe_id = shoe_id
            index.remove(match)
            index.add(replaced)

            def put_back(old: Stored = match, new: Stored = replaced) -> None:
                index.remove(new)
                index.add(old)
            undo.append(put_back)

    def _insert_activity(self, conn: Connection | None, act: Activity,
                         shoe_id: int | None) -> int:
        if conn is None:
            self._fake_id -= 1
            return self._fake_id
        result = conn.execute(INSERT_ACTIVITY, _summary_values(act) | {"shoe_id": shoe_id,
                                                                        "imported_at": utcnow()})
        key = result.inserted_primary_key
        assert key is not None
        return int(key[0])

    def _shoe(self, conn: Connection | None, name: str, undo: list[Callable[[], None]]) -> int:
        name = name.strip()[:200]
        known = self._shoes.get(name)
        if known is not None:
            return known
        if conn is None:
            self._fake_id -= 1
            shoe_id = self._fake_id
        else:
            key = conn.execute(INSERT_SHOE, {"name": name, "start_km": 0.0}).inserted_primary_key
            assert key is not None
            shoe_id = int(key[0])
        self._shoes[name] = shoe_id

        def forget() -> None:
            del self._shoes[name]
        undo.append(forget)
        return shoe_id

    def close(self) -> None:
        self._index = None
        self._hashes = None
