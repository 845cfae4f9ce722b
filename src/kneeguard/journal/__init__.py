"""The pain journal: entries (model and validation) and what they show over time."""

from __future__ import annotations

from kneeguard.journal.entries import LOCATIONS, SWELLING, Entry, parse_entry
from kneeguard.journal.trends import Finding, findings, journal_prefill, onset_trend

__all__ = ["LOCATIONS", "SWELLING", "Entry", "Finding", "findings", "journal_prefill",
           "onset_trend", "parse_entry"]
