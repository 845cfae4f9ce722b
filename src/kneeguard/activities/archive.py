"""Planning an import: paths, folders and export archives -> the files to read.

A folder is walked recursively; a zip archive (the Strava account export,
the Garmin Connect export with its nested zips, or any zip of activity
files) is opened without extracting anything to disk except nested zips,
which go to a temporary file. Strava's ``activities.csv`` gives each file
its sport and gear.

Hostile archives are refused as a whole, before a byte is expanded: entries
with absolute paths or ``..``, a declared expanded size beyond
``max_archive_mb``, a member that expands more than ``max_zip_ratio`` times.
Reads are capped as well, so an archive that lies about its sizes still
cannot expand past the limits.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO

from kneeguard.activities.model import Skipped
from kneeguard.activities.reader import MB, Limits
from kneeguard.activities.sniff import looks_like_activity_name, sniff
from kneeguard.errors import ActivityImportError, HostileInputError, InputError

MAX_DEPTH = 3
# What reading a zip member can raise besides our own errors: a damaged entry (bad CRC,
# broken deflate data, cut off), an unsupported compression method, an encrypted entry.
ZIP_READ_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError,
                   RuntimeError)


def zip_read_problem(exc: BaseException) -> str:
    """One sentence for a failure to read a zip member."""
    if isinstance(exc, RuntimeError) and "encrypted" in str(exc):
        return "cannot be read: it is encrypted (password-protected)"
    if isinstance(exc, NotImplementedError):
        return "cannot be read: the archive uses a compression method Python cannot read"
    return f"cannot be read: the archive entry is damaged ({exc})"


@dataclass(frozen=True)
class Source:
    """One file to read: on disk (``path``), inside a zip (``path`` + ``member``) or in memory."""

    name: str
    size: int
    path: str | None = None
    member: str | None = None
    data: bytes | None = field(default=None, repr=False)
    sport_hint: str | None = None
    gear: str | None = None


@dataclass
class Plan:
    sources: list[Source] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    tempdir: str | None = None

    @property
    def total_bytes(self) -> int:
        return sum(s.size for s in self.sources)

    def cleanup(self) -> None:
        if self.tempdir:
            shutil.rmtree(self.tempdir, ignore_errors=True)
            self.tempdir = None

    def temp_path(self, name: str) -> str:
        if self.tempdir is None:
            self.tempdir = tempfile.mkdtemp(prefix="kneeguard-import-")
        base = re.sub(r"[^A-Za-z0-9._-]", "_", name)[-80:]
        return os.path.join(self.tempdir, f"{len(os.listdir(self.tempdir))}-{base}")


def unsafe_member(name: str) -> bool:
    """An entry that would escape an extraction folder: absolute, drive letter or '..'."""
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return True
    return any(part == ".." for part in re.split(r"[\\/]", name))


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """A member's bytes, refusing one that expands past ``limit``."""
    with zf.open(info) as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise HostileInputError(f"refused: {info.filename} expands beyond the limit of "
                                f"{limit // MB} MB")
    return data


def check_archive(zf: zipfile.ZipFile, name: str, limits: Limits) -> None:
    """Refuse the whole archive for unsafe paths, a bomb's sizes or ratios."""
    total = 0
    for info in zf.infolist():
        if unsafe_member(info.filename):
            raise HostileInputError(
                f"refused: the archive has an entry with an unsafe path ({info.filename!r})")
        total += info.file_size
        if (info.file_size > MB
                and info.file_size > limits.max_ratio * max(info.compress_size, 1)):
            raise HostileInputError(
                f"refused: {info.filename} would expand "
                f"{info.file_size / max(info.compress_size, 1):.0f} times, more than "
                f"max_zip_ratio {limits.max_ratio:g} (a zip bomb?)")
    if total > limits.max_archive_bytes:
        raise HostileInputError(
            f"refused: the archive would expand to {total / MB:.0f} MB, more than "
            f"max_archive_mb {limits.max_archive_bytes // MB}")


def strava_hints(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], limits: Limits
                 ) -> dict[str, tuple[str | None, str | None]]:
    """Strava's activities.csv: member path -> (activity type, gear name)."""
    hints: dict[str, tuple[str | None, str | None]] = {}
    for info in infos:
        if PurePosixPath(info.filename).name.lower() != "activities.csv":
            continue
        raw = read_member(zf, info, limits.max_file_bytes)
        prefix = str(PurePosixPath(info.filename).parent)
        prefix = "" if prefix == "." else prefix + "/"
        reader = csv.DictReader(io.StringIO(raw.decode("utf-8-sig", "replace")))
        for row in reader:
            filename = (row.get("Filename") or "").strip()
            if not filename:
                continue
            gear = (row.get("Activity Gear") or "").strip() or None
            kind = (row.get("Activity Type") or "").strip() or None
            hints[prefix + filename] = (kind, gear)
    return hints


class Planner:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.plan = Plan()
        self.expanded = 0

    def add_path(self, path: Path, explicit: bool = True) -> None:
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs.sort()
                for name in sorted(files):
                    self.add_path(Path(root) / name, explicit=False)
            return
        if not path.exists():
            raise InputError(f"{path} does not exist", field="PATH")
        name = str(path)
        try:
            size = path.stat().st_size
            with path.open("rb") as handle:
                head = handle.read(4096)
        except OSError as exc:
            self.skip(name, f"cannot be read ({exc.strerror})")
            return
        kind = sniff(head)
        if kind == "zip":
            self.add_zip(name, path=str(path), depth=0)
            return
        if not explicit and kind is None and not looks_like_activity_name(name):
            return  # folders hold other files too (csv, photos): not worth a line each
        if size > self.limits.max_file_bytes and kind != "zip":
            self.skip(name, f"refused: larger than the limit of "
                            f"{self.limits.max_file_bytes // MB} MB (max_file_mb)")
            return
        self.plan.sources.append(Source(name, size, path=str(path)))

    def add_bytes(self, name: str, data: bytes) -> None:
        if sniff(data[:4096]) == "zip":
            if len(data) > self.limits.max_archive_bytes:
                self.skip(name, "refused: the archive is larger than max_archive_mb")
                return
            path = self.plan.temp_path(name)
            Path(path).write_bytes(data)
            self.add_zip(name, path=path, depth=0)
            return
        self.plan.sources.append(Source(name, len(data), data=data))

    def skip(self, name: str, reason: str) -> None:
        self.plan.skipped.append(Skipped(name, reason))

    def add_zip(self, name: str, path: str, depth: int) -> None:
        try:
            zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            self.skip(name, f"not a readable zip archive ({exc})")
            return
        with zf:
            try:
                check_archive(zf, name, self.limits)
                infos = [i for i in zf.infolist() if not i.is_dir()]
                self.expanded += sum(i.file_size for i in infos)
                if self.expanded > self.limits.max_archive_bytes:
                    raise HostileInputError(
                        "refused: the archives would expand to more than max_archive_mb "
                        f"{self.limits.max_archive_bytes // MB} MB in all")
                hints = strava_hints(zf, infos, self.limits)
                for info in infos:
                    try:
                        self._add_member(zf, info, name, path, depth, hints)
                    except ZIP_READ_ERRORS as exc:  # this entry only; the others go on
                        self.skip(f"{name}:{info.filename}", zip_read_problem(exc))
            except ActivityImportError as exc:
                self.skip(name, exc.message)
            except ZIP_READ_ERRORS as exc:
                self.skip(name, f"the archive is damaged ({exc})")

    def _add_member(self, zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, path: str,
                    depth: int, hints: dict[str, tuple[str | None, str | None]]) -> None:
        display = f"{name}:{info.filename}"
        lower = info.filename.lower()
        if lower.endswith(".zip") or (not looks_like_activity_name(lower)
                                      and _member_head(zf, info) == "zip"):
            if depth + 1 >= MAX_DEPTH:
                self.skip(display, "refused: zip archives nested too deep")
                return
            inner = self.plan.temp_path(info.filename)
            with zf.open(info) as src, open(inner, "wb") as dst:
                copied = _copy_capped(src, dst, self.limits.max_archive_bytes)
            if copied > self.limits.max_archive_bytes:
                raise HostileInputError(f"refused: {info.filename} expands beyond max_archive_mb")
            self.add_zip(display, path=inner, depth=depth + 1)
            return
        if not looks_like_activity_name(lower):
            head = _member_head(zf, info)
            if head not in ("fit", "gpx", "tcx", "gzip"):
                return
        if info.file_size > self.limits.max_file_bytes:
            self.skip(display, f"refused: larger than the limit of "
                               f"{self.limits.max_file_bytes // MB} MB (max_file_mb)")
            return
        kind, gear = hints.get(info.filename, (None, None))
        self.plan.sources.append(Source(display, info.compress_size, path=path,
                                        member=info.filename, sport_hint=kind, gear=gear))


def _member_head(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> str | None:
    with zf.open(info) as handle:
        return sniff(handle.read(4096))


def _copy_capped(src: IO[bytes], dst: IO[bytes], limit: int) -> int:
    total = 0
    while True:
        block = src.read(1 << 20)
        if not block:
            return total
        total += len(block)
        if total > limit:
            return total
        dst.write(block)


def plan_import(inputs: Iterable[Path | str | tuple[str, bytes]], limits: Limits) -> Plan:
    """Every file to read from the given paths, folders, archives or (name, bytes) uploads."""
    planner = Planner(limits)
    try:
        for item in inputs:
            if isinstance(item, tuple):
                planner.add_bytes(item[0], item[1])
            else:
                planner.add_path(Path(item))
    except BaseException:
        planner.plan.cleanup()
        raise
    return planner.plan


class SourceReader:
    """Reads sources' bytes, keeping the last zip archive open."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._zip: tuple[str, zipfile.ZipFile] | None = None

    def read(self, source: Source) -> bytes:
        if source.data is not None:
            return source.data
        assert source.path is not None
        limit = self.limits.max_file_bytes
        if source.member is None:
            with open(source.path, "rb") as handle:
                data = handle.read(limit + 1)
            if len(data) > limit:
                raise HostileInputError(f"refused: larger than the limit of {limit // MB} MB")
            return data
        if self._zip is None or self._zip[0] != source.path:
            self.close()
            self._zip = (source.path, zipfile.ZipFile(source.path))
        zf = self._zip[1]
        return read_member(zf, zf.getinfo(source.member), limit)

    def close(self) -> None:
        if self._zip is not None:
            self._zip[1].close()
            self._zip = None


def iter_names(plan: Plan) -> Iterator[str]:
    for s in plan.sources:
        yield s.name
