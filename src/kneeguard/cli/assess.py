"""``kneeguard assess`` and ``kneeguard history``."""

from __future__ import annotations
