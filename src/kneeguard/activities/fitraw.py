"""A fast FIT decoder for the import hot path, with fitdecode as the reference.

Why our own decoder: a ten-year export holds millions of ``record``
messages; fitdecode builds a Python object per field of every message
(about 10 minutes for 3,000 one-hour runs here), while an import needs a
dozen fields. This decoder compiles one ``struct.Struct`` per definition
message that unpacks only the wanted fields and skips the rest as padding,
and it reads ``record`` messages column by column (see :class:`_Records`),
so the per-sample work happens in C.

It handles the common shape only: normal message headers, little- or
big-endian definitions, developer fields (skipped), chained files. Anything
unusual raises :class:`Unusual` and the caller decodes the file again with
fitdecode, which stays the reference for every damaged or odd file
(compressed timestamp headers, truncation, undefined local messages, broken
chained headers, field sizes that do not fit their base type, garbage after
the data). Decoding checks the structure (every message must lie inside the
declared data size and the data must end exactly at the CRC); the checksum
itself is :func:`crc_problem`'s, for both decoders alike. A field whose base
type cannot hold what the profile says it is (a number declared as text) is
left out, as damaged files do that.
"""

from __future__ import annotations

import struct
import sys
from array import array
from dataclasses import dataclass, field
from typing import Any

FIT_EPOCH = 631065600  # 1989-12-31T00:00:00Z in unix seconds
SEMICIRCLE_DEG = 180.0 / 2**31


_NATIVE = "<" if sys.byteorder == "little" else ">"


class Unusual(Exception):
    """The file needs the reference decoder; the message says why."""


# Base type number (low 5 bits) -> (struct code, size, invalid value)
_BASE: dict[int, tuple[str, int, Any]] = {
    0: ("B", 1, 0xFF), 1: ("b", 1, 0x7F), 2: ("B", 1, 0xFF), 3: ("h", 2, 0x7FFF),
    4: ("H", 2, 0xFFFF), 5: ("i", 4, 0x7FFFFFFF), 6: ("I", 4, 0xFFFFFFFF), 7: ("s", 1, None),
    8: ("f", 4, None), 9: ("d", 8, None), 10: ("B", 1, 0), 11: ("H", 2, 0), 12: ("I", 4, 0),
    13: ("B", 1, 0xFF), 14: ("q", 8, 0x7FFFFFFFFFFFFFFF), 15: ("Q", 8, 0xFFFFFFFFFFFFFFFF),
    16: ("Q", 8, 0),
}

# Global message number -> {field number: name}: the only fields an import reads.
WANTED: dict[int, dict[int, str]] = {
    0: {0: "type", 1: "manufacturer", 2: "product", 4: "time_created", 8: "product_name"},
    12: {0: "sport", 1: "sub_sport"},
    18: {253: "timestamp", 2: "start_time", 5: "sport", 6: "sub_sport",
         7: "total_elapsed_time", 8: "total_timer_time", 9: "total_distance",
         16: "avg_heart_rate", 18: "avg_cadence", 22: "total_ascent",
         92: "avg_fractional_cadence"},
    19: {253: "timestamp", 2: "start_time", 7: "total_elapsed_time", 8: "total_timer_time",
         9: "total_distance", 25: "sport", 39: "sub_sport"},
    34: {253: "timestamp", 5: "local_timestamp"},
}
RECORD = 20
RECORD_FIELDS = {253: "t", 5: "d", 2: "alt", 78: "alt", 3: "hr", 0: "lat", 1: "lon"}
RECORD_COLUMNS = ("t", "d", "alt", "hr", "lat", "lon")

# Scales of scalar fields: SI value = raw / scale (timestamps get FIT_EPOCH added).
SCALES = {"total_elapsed_time": 1000.0, "total_timer_time": 1000.0, "total_distance": 100.0,
          "avg_fractional_cadence": 128.0}
TIME_FIELDS = {"timestamp", "start_time", "time_created", "local_timestamp"}
STRING_FIELDS = frozenset({"product_name"})
# Struct codes a wanted field may have: integers for numbers, text for names.
_CODES = {False: frozenset("BbhHiIqQ"), True: frozenset("s")}


@dataclass
class FitData:
    """The messages an import needs, in SI units (instants as unix seconds).

    ``records`` holds raw record columns: t (FIT seconds), d (cm), alt (raw,
    m = raw / 5 - 500), hr (bpm), lat/lon (semicircles), with None for
    missing values.
    """

    file_ids: list[dict[str, Any]] = field(default_factory=list)
    sessions: list[dict[str, Any]] = field(default_factory=list)
    laps: list[dict[str, Any]] = field(default_factory=list)
    sports: list[dict[str, Any]] = field(default_factory=list)
    activities: list[dict[str, Any]] = field(default_factory=list)
    records: dict[str, list[Any]] = field(
        default_factory=lambda: {name: [] for name in RECORD_COLUMNS})
    damaged: str | None = None


class _Def:
    __slots__ = ("columns", "fields", "glob", "one", "rows", "size", "struct", "swap")

    def __init__(self, glob: int, endian: str, fields: list[tuple[int, int, int]],
                 dev_size: int) -> None:
        self.glob = glob
        wanted = RECORD_FIELDS if glob == RECORD else WANTED.get(glob)
        fmt = [endian]
        names: list[tuple[str, Any, str]] = []  # (name, invalid, code)
        # Record fields as columns: (name, offset after the header byte, size, code, invalid)
        columns: list[tuple[str, int, int, str, Any]] = []
        offset = 1
        pad = 0
        for num, size, base in fields:
            offset += size
            code, bsize, invalid = _BASE.get(base & 0x1F, ("", 0, None))
            name = wanted.get(num) if wanted else None
            if name is None or size == 0 or code not in _CODES[name in STRING_FIELDS]:
                # Not wanted, or a base type that cannot hold it (a number stored as text
                # or floats, a name stored as a number): the field is left out.
                pad += size
                continue
            if code == "s":
                entry = f"{size}s"
            elif size == bsize:
                entry = code
            elif glob != RECORD and size > bsize and size % bsize == 0:
                entry = f"{code}{size - bsize}x"
            else:
                raise Unusual(f"field {num} of message {glob} has size {size}")
            if pad:
                fmt.append(f"{pad}x")
                pad = 0
            fmt.append(entry)
            names.append((name, invalid, code))
            columns.append((name, offset - size, size, code, invalid))
        pad += dev_size
        if pad:
            fmt.append(f"{pad}x")
        self.struct = struct.Struct("".join(fmt))
        self.size = sum(f[1] for f in fields) + dev_size
        if self.struct.size != self.size:
            raise Unusual(f"definition of message {glob} does not add up")
        self.fields = names
        self.columns = columns if glob == RECORD else None
        # Short runs of records are unpacked row by row (header byte skipped).
        self.rows = struct.Struct(endian + "x" + "".join(fmt[1:])) if glob == RECORD else None
        self.swap = endian != _NATIVE
        self.one = glob in WANTED


def _scalar(d: _Def, values: tuple[Any, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for (name, invalid, code), v in zip(d.fields, values, strict=True):
        if code == "s":
            v = v.split(b"\0", 1)[0].decode("utf-8", "replace") or None
        elif v == invalid or v != v:
            v = None
        elif name in TIME_FIELDS:
            v = v + FIT_EPOCH
        elif name in SCALES:
            v = v / SCALES[name]
        out[name] = v
    return out


LONG_RUN = 64  # records; shorter runs (records between other messages) go row by row


class _Records:
    """Collects record messages into ``fd.records``, keeping their order.

    A long run of records with one layout is read column by column with
    strided byte slices into a buffer that ``array`` reads as machine
    integers, so no per-sample tuple is built. Files that write other
    messages between records (modern watches do) give runs of one or two;
    those rows are unpacked with one ``struct`` call each and turned into
    columns together when the layout changes, a long run comes or the file
    part ends.
    """

    def __init__(self, fd: FitData) -> None:
        self.records = fd.records
        self.pending: list[tuple[Any, ...]] = []
        self.pending_def: _Def | None = None

    def add(self, d: _Def, data: bytes, p: int, count: int) -> None:
        stride = d.size + 1
        if count < LONG_RUN:
            if self.pending_def is not d:
                self.flush()
                self.pending_def = d
            assert d.rows is not None
            self.pending.extend(d.rows.iter_unpack(data[p:p + stride * count]))
            return
        self.flush()
        self._columns(d, data[p:p + stride * count], count)

    def flush(self) -> None:
        d, rows = self.pending_def, self.pending
        if d is not None and rows:
            self._extend(d, [name for name, _, _ in d.fields], list(zip(*rows, strict=True)),
                         [invalid for _, invalid, _ in d.fields], len(rows))
        self.pending = []
        self.pending_def = None

    def _columns(self, d: _Def, chunk: bytes, count: int) -> None:
        assert d.columns is not None
        stride = d.size + 1
        cols: list[list[Any]] = []
        for _name, offset, size, code, _invalid in d.columns:
            if code == "B":
                cols.append(list(chunk[offset::stride]))
                continue
            buf = bytearray(size * count)
            for b in range(size):
                buf[b::size] = chunk[offset + b::stride]
            values = array(code, buf)  # machine byte order
            if d.swap and size > 1:
                values.byteswap()
            cols.append(values.tolist())
        self._extend(d, [c[0] for c in d.columns], cols, [c[4] for c in d.columns], count)

    def _extend(self, d: _Def, names: list[str], cols: list[Any], invalids: list[Any],
                count: int) -> None:
        present: set[str] = set()
        for name, col, invalid in zip(names, cols, invalids, strict=True):
            if name in present:  # altitude and enhanced altitude both given: keep the first
                continue
            present.add(name)
            if invalid in col:
                col = [None if v == invalid else v for v in col]
            self.records[name].extend(col)
        for name in RECORD_COLUMNS:
            if name not in present:
                self.records[name].extend([None] * count)


def decode(data: bytes) -> FitData:
    """Decode the wanted messages of a FIT file (chained files too) or raise Unusual."""
    fd = FitData()
    records = _Records(fd)
    pos = 0
    total = len(data)
    while pos < total:
        if total - pos < 12:
            raise Unusual("bytes after the last FIT segment")
        hsize = data[pos]
        if hsize not in (12, 14) or data[pos + 8:pos + 12] != b".FIT":
            raise Unusual(f"no FIT header at byte {pos}")
        data_size = int.from_bytes(data[pos + 4:pos + 8], "little")
        start = pos + hsize
        end = start + data_size
        if data_size == 0 or end + 2 > total:
            raise Unusual("the data size in the header does not fit the file")
        defs: dict[int, _Def] = {}
        p = start
        while p < end:
            h = data[p]
            if h & 0x80:
                raise Unusual("compressed timestamp headers")
            local = h & 0x0F
            if h & 0x40:
                if p + 6 > end:
                    raise Unusual("definition cut short")
                endian = ">" if data[p + 2] == 1 else "<"
                glob = int.from_bytes(data[p + 3:p + 5], "big" if endian == ">" else "little")
                n = data[p + 5]
                q = p + 6
                if q + 3 * n > end:
                    raise Unusual("definition cut short")
                fields = [(data[q + 3 * i], data[q + 3 * i + 1], data[q + 3 * i + 2])
                          for i in range(n)]
                q += 3 * n
                dev_size = 0
                if h & 0x20:
                    nd = data[q]
                    q += 1
                    if q + 3 * nd > end:
                        raise Unusual("definition cut short")
                    dev_size = sum(data[q + 3 * i + 1] for i in range(nd))
                    q += 3 * nd
                defs[local] = _Def(glob, endian, fields, dev_size)
                p = q
                continue
            d = defs.get(local)
            if d is None:
                raise Unusual(f"undefined local message {local} at byte {p}")
            size = d.size
            if d.columns is not None:
                stride = size + 1
                room = (end - p) // stride
                if room == 0:
                    raise Unusual("message cut short")
                # Consecutive messages with the same header byte share this layout.
                head = bytes((h,))
                count = 0
                window = 16
                while count < room:
                    take = min(window, room - count)
                    q = p + stride * count
                    same = take - len(data[q:q + stride * take:stride].lstrip(head))
                    count += same
                    if same < take:
                        break
                    window = min(window * 4, 4096)
                records.add(d, data, p, count)
                p += stride * count
                continue
            if p + 1 + size > end:
                raise Unusual("message cut short")
            if d.one:
                msg = _scalar(d, d.struct.unpack_from(data, p + 1))
                target = {0: fd.file_ids, 12: fd.sports, 18: fd.sessions, 19: fd.laps,
                          34: fd.activities}[d.glob]
                target.append(msg)
            p += 1 + size
        if p != end:
            raise Unusual("the last message runs past the data size")
        pos = end + 2
    records.flush()
    return fd


def peek_file_type(data: bytes) -> int | None:
    """The FIT file type (4 = activity) from the first file_id message, or None."""
    total = len(data)
    if total < 14 or data[0] not in (12, 14) or data[8:12] != b".FIT":
        return None
    p = data[0]
    defs: dict[int, _Def] = {}
    try:
        for _ in range(8):
            if p + 6 > total:
                return None
            h = data[p]
            if h & 0x80:
                return None
            if h & 0x40:
                endian = ">" if data[p + 2] == 1 else "<"
                glob = int.from_bytes(data[p + 3:p + 5], "big" if endian == ">" else "little")
                n = data[p + 5]
                q = p + 6 + 3 * n
                if q + 1 > total:
                    return None
                fields = [(data[p + 6 + 3 * i], data[p + 7 + 3 * i], data[p + 8 + 3 * i])
                          for i in range(n)]
                dev_size = 0
                if h & 0x20:
                    nd = data[q]
                    if q + 1 + 3 * nd > total:
                        return None
                    dev_size = sum(data[q + 2 + 3 * i] for i in range(nd))
                    q += 1 + 3 * nd
                defs[h & 0x0F] = _Def(glob, endian, fields, dev_size)
                p = q
                continue
            d = defs.get(h & 0x0F)
            if d is None or p + 1 + d.size > total:
                return None
            if d.glob == 0:
                value = _scalar(d, d.struct.unpack_from(data, p + 1)).get("type")
                return value if isinstance(value, int) else None
            p += 1 + d.size
    except Unusual:
        return None
    return None


def crc_problem(data: bytes) -> str | None:
    """Why the FIT file checksums do not hold (every chained part's), or None.

    The FIT checksum is CRC-16/ARC; crcmod-plus computes it in C (a Python
    loop would cost more than decoding the file). A part whose stored CRC is
    0 did not compute one and is not checked.
    """
    from crcmod.predefined import mkCrcFun

    crc16 = mkCrcFun("crc-16")
    pos = 0
    total = len(data)
    while pos + 12 <= total and data[pos] in (12, 14) and data[pos + 8:pos + 12] == b".FIT":
        end = pos + data[pos] + int.from_bytes(data[pos + 4:pos + 8], "little")
        if end + 2 > total:
            return None  # cut short: the decoders report that
        if data[end:end + 2] != b"\0\0" and crc16(data[pos:end + 2]) != 0:
            return (f"its checksum does not match at byte {end} (a bit may have flipped: "
                    "the values were read but may be wrong)")
        pos = end + 2
    return None
