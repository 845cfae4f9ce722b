"""One file's bytes -> :class:`ParsedFile` (the only entry the importer needs).

Gzip members are expanded with a cap on size and ratio; the format is
detected from the bytes; FIT files that are not activities (monitoring,
settings, ...) are recognised from their ``file_id`` without decoding the
rest. A file that yields nothing gets the one-sentence reason.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from dataclasses import dataclass

from kneeguard.activities.fit import FILE_ACTIVITY, FILE_TYPE_NAMES, read_fit
from kneeguard.activities.fitraw import crc_problem, peek_file_type
from kneeguard.activities.gpx import read_gpx
from kneeguard.activities.model import Activity, ParsedFile
from kneeguard.activities.sniff import sniff
from kneeguard.activities.tcx import read_tcx
from kneeguard.errors import ActivityImportError, HostileInputError

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Size limits against hostile input (from settings max_file_mb, max_archive_mb, ...)."""

    max_file_bytes: int = 64 * MB
    max_archive_bytes: int = 8192 * MB
    max_ratio: float = 200.0

    @classmethod
    def from_settings(cls, settings: object) -> Limits:
        return cls(int(float(getattr(settings, "max_file_mb", 64.0)) * MB),
                   int(float(getattr(settings, "max_archive_mb", 8192.0)) * MB),
                   float(getattr(settings, "max_zip_ratio", 200.0)))


def gunzip(data: bytes, limits: Limits) -> tuple[bytes, bool]:
    """Expand a gzip file; returns (content, complete). Refuses bombs."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, limits.max_file_bytes + 1)
    except zlib.error as exc:
        raise ActivityImportError(f"damaged gzip data ({exc})") from None
    if len(out) > limits.max_file_bytes or inflater.unconsumed_tail:
        raise HostileInputError(
            f"refused: the gzip file expands beyond the limit of "
            f"{limits.max_file_bytes // MB} MB (max_file_mb)")
    if len(out) > MB and len(out) > limits.max_ratio * len(data):
        raise HostileInputError(
            f"refused: the gzip file expands {len(out) / len(data):.0f} times, more than "
            f"max_zip_ratio {limits.max_ratio:g} (a compression bomb?)")
    return out, inflater.eof


def parse_activities(data: bytes, fmt: str, sport_hint: str | None = None) -> list[Activity]:
    if fmt == "fit":
        ftype = peek_file_type(data)
        if ftype is not None and ftype != FILE_ACTIVITY:
            what = FILE_TYPE_NAMES.get(ftype, f"type {ftype}")
            raise ActivityImportError(f"not an activity file (a FIT {what} file)")
        return read_fit(data)
    if fmt == "gpx":
        return read_gpx(data, sport_hint)
    if fmt == "tcx":
        return read_tcx(data, sport_hint)
    raise ActivityImportError("not a FIT, GPX or TCX file")


def read_bytes(data: bytes, name: str, *, sport_hint: str | None = None,
               gear: str | None = None, limits: Limits | None = None,
               content_hash: str | None = None) -> ParsedFile:
    """Read one file. Never raises for bad content: the reason lands in ``skipped``."""
    limits = limits or Limits()
    digest = content_hash or hashlib.sha256(data).hexdigest()
    parsed = ParsedFile(name=name, content_hash=digest, size=len(data))
    try:
        if len(data) > limits.max_file_bytes:
            raise HostileInputError(f"refused: larger than the limit of "
                                    f"{limits.max_file_bytes // MB} MB (max_file_mb)")
        fmt = sniff(data)
        complete = True
        if fmt == "gzip":
            data, complete = gunzip(data, limits)
            fmt = sniff(data)
        if fmt is None:
            raise ActivityImportError("not a FIT, GPX or TCX file")
        if fmt in ("zip", "gzip"):
            raise ActivityImportError(f"a {fmt} file inside a compressed file is not read")
        parsed.format = fmt
        activities = parse_activities(data, fmt, sport_hint)
        if fmt == "fit" and not any(a.incomplete for a in activities):
            parsed.warning = crc_problem(data)
        for act in activities:
            if not complete and not act.incomplete:
                act.incomplete = True
                act.incomplete_reason = "the gzip data is cut off"
            if gear:
                act.gear = gear
        parsed.activities = activities
    except ActivityImportError as exc:
        parsed.skipped = exc.message
    except (ValueError, IndexError, KeyError, TypeError, AttributeError, AssertionError,
            struct.error, OverflowError, ZeroDivisionError, RecursionError) as exc:
        # The last line of defence, where the file can be named: a reader bug on odd
        # bytes must not stop a 10-year import. The fuzz tests call the readers directly,
        # so such a bug still fails them.
        parsed.skipped = f"could not be read ({type(exc).__name__}: {str(exc)[:100]})"
    return parsed
