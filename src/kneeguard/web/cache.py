"""Caching of the pages' computed content, keyed by what the data looks like now.

Home and training pages compute weeks, warnings, load context and charts
from the whole history: milliseconds for the numbers, tens of milliseconds
for each chart. :func:`data_version` reads a small fingerprint of every table those
pages show - activities, shoes, journal, assessments; questionnaire scores are
on uncached pages - (counts, largest ids, latest timestamps, sums that change
on edits) in one query; while it and the day stay the same, the computed content is reused.
The fingerprint itself is read at most once a second per database
(:meth:`PageCache.version`), and at once after any change made through this
app (every POST or DELETE clears it). A change made by another process
(``kneeguard import`` in a terminal, a second server on the same PostgreSQL)
therefore shows within a second. Charts are cached separately by content
(:func:`kneeguard.report.charts.to_svg`).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

T = TypeVar("T")


def data_version(session: Session) -> tuple[Any, ...]:
    """A fingerprint that changes whenever anything a page shows changes."""
    from kneeguard.storage.activities import ActivityRow, ShoeRow
    from kneeguard.storage.assessments import AssessmentRow
    from kneeguard.storage.journal import JournalEntryRow

    row = session.execute(select(
        select(func.count(ActivityRow.id)).scalar_subquery(),
        select(func.max(ActivityRow.id)).scalar_subquery(),
        select(func.max(ActivityRow.imported_at)).scalar_subquery(),
        select(func.sum(ActivityRow.distance_m)).scalar_subquery(),
        select(func.sum(func.coalesce(ActivityRow.shoe_id, 0))).scalar_subquery(),
        select(func.count(ShoeRow.id)).scalar_subquery(),
        select(func.max(ShoeRow.id)).scalar_subquery(),
        select(func.count(ShoeRow.retired_at)).scalar_subquery(),
        select(func.sum(func.coalesce(ShoeRow.limit_km, 0) + ShoeRow.start_km)).scalar_subquery(),
        select(func.count(JournalEntryRow.id)).scalar_subquery(),
        select(func.max(JournalEntryRow.id)).scalar_subquery(),
        select(func.max(JournalEntryRow.created_at)).scalar_subquery(),
        select(func.count(AssessmentRow.id)).scalar_subquery(),
        select(func.max(AssessmentRow.id)).scalar_subquery(),
    )).one()
    return tuple(row)


class PageCache:
    """A small thread-safe LRU of computed page content; ``enabled=False`` computes always."""

    def __init__(self, enabled: bool = True, size: int = 64, version_ttl: float = 1.0) -> None:
        self.enabled = enabled
        self.size = size
        self.version_ttl = version_ttl
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._versions: dict[str, tuple[float, tuple[Any, ...]]] = {}
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def version(self, db: Any) -> tuple[Any, ...]:
        """The data fingerprint of ``db``, read again when older than ``version_ttl``."""
        now = time.monotonic()
        found = self._versions.get(db.url)
        if found is not None and now - found[0] < self.version_ttl:
            return found[1]
        with db.session() as session:
            version = data_version(session)
        self._versions[db.url] = (now, version)
        return version

    def invalidate(self) -> None:
        """Forget the fingerprints (after a change made through this app)."""
        self._versions.clear()

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        if not self.enabled:
            return build()
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                value: T = self._items[key]
                return value
        value = build()
        with self._lock:
            self.misses += 1
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
        self.invalidate()
