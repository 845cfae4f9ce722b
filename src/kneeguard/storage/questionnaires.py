"""Stored questionnaires: tables and queries (filled in by the questionnaires work)."""

from __future__ import annotations
