"""``kneeguard import, activities and shoes``."""

from __future__ import annotations
