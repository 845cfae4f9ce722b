"""``kneeguard training, plan and journal``."""

from __future__ import annotations
