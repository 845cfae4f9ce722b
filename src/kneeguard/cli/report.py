"""``kneeguard report``: the one- to two-page report for the physical therapist."""

from __future__ import annotations
