"""``kneeguard serve and demo``."""

from __future__ import annotations
