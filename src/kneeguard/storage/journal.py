"""Stored journal: tables and queries (filled in by the journal work)."""

from __future__ import annotations
