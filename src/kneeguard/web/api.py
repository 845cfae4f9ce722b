"""The JSON API under /api/v1 (filled in below)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1")
