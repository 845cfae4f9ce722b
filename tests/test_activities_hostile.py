"""Hostile input is refused with a clear message and never expanded or executed."""

from __future__ import annotations

import gzip
import io
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest

from data.activity_fixtures import START, gpx_bytes
from kneeguard.activities import Limits, read_bytes
from kneeguard.activities.archive import plan_import

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE gpx [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<gpx version="1.1"><trk><name>&xxe;</name><trkseg>
<trkpt lat="1" lon="1"><time>2020-01-01T00:00:00Z</time></trkpt></trkseg></trk></gpx>"""
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">]>
<TrainingCenterDatabase><Activities><Activity Sport="Running"><Id>&lol2;</Id>
</Activity></Activities></TrainingCenterDatabase>"""


@pytest.mark.parametrize("data", [XXE, LAUGHS, XXE.decode().encode("utf-16")])
def test_xml_entities_are_refused(data: bytes) -> None:
    parsed = read_bytes(data, "evil.gpx")
    assert parsed.activities == []
    assert parsed.skipped is not None and parsed.skipped.startswith("refused: the XML declares")


def _zip(entries: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize("member", ["../../evil.gpx", "/etc/evil.gpx", "a/../../b.gpx",
                                    "C:\\evil.gpx"])
def test_zip_entries_with_unsafe_paths_refuse_the_archive(member: str) -> None:
    plan = plan_import([("export.zip", _zip({member: gpx_bytes(n=10)}))], Limits())
    assert plan.sources == []
    assert len(plan.skipped) == 1
    assert plan.skipped[0].file == "export.zip"
    assert plan.skipped[0].reason.startswith("refused: the archive has an entry with an unsafe")


def test_zip_bomb_by_ratio_is_refused_before_expanding() -> None:
    bomb = _zip({"activities/a.gpx": b"\0" * (20 * 1024 * 1024)})
    plan = plan_import([("bomb.zip", bomb)], Limits())
    assert plan.sources == []
    assert "max_zip_ratio" in plan.skipped[0].reason


def test_zip_bomb_by_total_size_is_refused() -> None:
    plan = plan_import([("big.zip", _zip({"a.gpx": gpx_bytes(n=50), "b.gpx": gpx_bytes(n=50)}))],
                       Limits(max_archive_bytes=1000))
    assert plan.sources == [] and "max_archive_mb" in plan.skipped[0].reason


def test_gzip_bomb_is_refused() -> None:
    bomb = gzip.compress(b" " * (3 * 1024 * 1024))
    parsed = read_bytes(bomb, "bomb.gpx.gz", limits=Limits(max_file_bytes=1024 * 1024))
    assert parsed.skipped is not None and "expands beyond the limit" in parsed.skipped
    ratio = read_bytes(bomb, "bomb.gpx.gz")
    assert ratio.skipped is not None and "max_zip_ratio" in ratio.skipped


def test_files_larger_than_the_limit_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.gpx"
    path.write_bytes(gpx_bytes(n=2000))
    plan = plan_import([path], Limits(max_file_bytes=1024))
    assert plan.sources == []
    assert plan.skipped[0].reason.startswith("refused: larger than the limit")


def test_nested_zips_too_deep_are_refused() -> None:
    inner = _zip({"a.gpx": gpx_bytes(n=10)})
    for _ in range(3):
        inner = _zip({"nested.zip": inner})
    plan = plan_import([("deep.zip", inner)], Limits())
    assert plan.sources == []
    assert any("nested too deep" in s.reason for s in plan.skipped)


def _patch_member(archive: bytes, name: str, *, flags: int = 0, method: int | None = None
                  ) -> bytes:
    """Set flag bits or the compression method of ``name`` in both of its zip headers."""
    import struct

    data = bytearray(archive)
    encoded = name.encode()
    for signature, flag_at, method_at, name_len_at, name_at in (
            (b"PK\x03\x04", 6, 8, 26, 30), (b"PK\x01\x02", 8, 10, 28, 46)):
        at = data.find(signature)
        while at >= 0:
            size = struct.unpack_from("<H", data, at + name_len_at)[0]
            if bytes(data[at + name_at:at + name_at + size]) == encoded:
                struct.pack_into("<H", data, at + flag_at,
                                 struct.unpack_from("<H", data, at + flag_at)[0] | flags)
                if method is not None:
                    struct.pack_into("<H", data, at + method_at, method)
            at = data.find(signature, at + 4)
    return bytes(data)


def test_unreadable_zip_entries_are_skipped_one_by_one(database: object) -> None:
    from kneeguard.storage.activities import import_activities

    good = [gpx_bytes(n=60, start=START + timedelta(days=d)) for d in range(4)]
    archive = _zip({f"a{i}.gpx": data for i, data in enumerate(good)})
    archive = _patch_member(archive, "a1.gpx", flags=0x1)  # encrypted
    archive = _patch_member(archive, "a2.gpx", method=9)  # Deflate64
    broken = bytearray(archive)
    at = broken.find(b"a3.gpx") + len("a3.gpx") + 40
    broken[at:at + 20] = bytes(20)  # damaged deflate data
    summary = import_activities(database, [("export.zip", bytes(broken))])
    assert summary.imported == 1
    reasons = {s.file: s.reason for s in summary.skipped}
    assert reasons["export.zip:a1.gpx"] == "cannot be read: it is encrypted (password-protected)"
    assert reasons["export.zip:a2.gpx"] == \
        "cannot be read: the archive uses a compression method Python cannot read"
    assert reasons["export.zip:a3.gpx"].startswith("cannot be read: the archive entry is damaged")
