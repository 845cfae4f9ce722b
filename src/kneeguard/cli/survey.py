"""``kneeguard survey, scores, instruments, report, export and restore``."""

from __future__ import annotations
