"""Detecting a file's format from its bytes, never from its name."""

from __future__ import annotations

import re

_GPX = re.compile(r"<(?:\w+:)?gpx[\s>]")
_TCX = re.compile(r"<(?:\w+:)?TrainingCenterDatabase[\s>]")


def sniff(data: bytes) -> str | None:
    """'fit', 'gpx', 'tcx', 'gzip', 'zip' or None for anything else."""
    if data[:2] == b"\x1f\x8b":
        return "gzip"
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    if len(data) >= 12 and data[0] in (12, 14) and data[8:12] == b".FIT":
        return "fit"
    head = data[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", "replace")
    else:
        text = head.decode("utf-8", "replace")
    if _GPX.search(text):
        return "gpx"
    if _TCX.search(text):
        return "tcx"
    return None


ACTIVITY_SUFFIXES = (".fit", ".gpx", ".tcx", ".fit.gz", ".gpx.gz", ".tcx.gz")


def looks_like_activity_name(name: str) -> bool:
    """A cheap pre-filter for archive members: the usual activity file names."""
    return name.lower().endswith(ACTIVITY_SUFFIXES)
