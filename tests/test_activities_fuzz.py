"""Fuzzing the readers: mutated and truncated bytes give a reason, never a crash.

The only exception that may leave a reader is ActivityImportError (with a
one-sentence reason); a file that still yields activities must yield sane
ones. Regressions found by fuzzing are kept below as plain tests.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data.activity_fixtures import fit_bytes, gpx_bytes, raw_fit, tcx_bytes
from kneeguard.activities import read_bytes
from kneeguard.activities.fit import decode_reference, read_fit
from kneeguard.activities.fitraw import decode
from kneeguard.activities.gpx import read_gpx
from kneeguard.activities.model import Activity
from kneeguard.activities.tcx import read_tcx
from kneeguard.errors import ActivityImportError

SEEDS: dict[str, tuple[bytes, Callable[[bytes], list[Activity]]]] = {
    "fit": (fit_bytes(n=40), read_fit),
    "fit-big-endian": (raw_fit(n=40, big_endian=True), read_fit),
    "fit-chained": (raw_fit(n=20) + raw_fit(n=20, sport=2), read_fit),
    "fit-interleaved": (raw_fit(n=30, interleave=True), read_fit),
    "gpx": (gpx_bytes(n=40), read_gpx),
    "tcx": (tcx_bytes(n=40), read_tcx),
}


@st.composite
def mutated(draw: st.DrawFn, kind: str) -> bytes:
    data = bytearray(SEEDS[kind][0])
    for _ in range(draw(st.integers(0, 8))):
        pos = draw(st.integers(0, len(data) - 1))
        if draw(st.integers(0, 9)) == 0:
            del data[pos:pos + draw(st.integers(1, 8))]  # a few bytes lost
        else:
            data[pos] = draw(st.integers(0, 255))
    cut = draw(st.integers(0, len(data)))
    return bytes(data[:cut]) if draw(st.booleans()) else bytes(data)


def _check(kind: str, data: bytes) -> None:
    reader = SEEDS[kind][1]
    try:
        activities = reader(data)
    except ActivityImportError as exc:
        assert exc.message  # a reason, in one sentence
        return
    for act in activities:
        assert act.distance_m >= 0 and act.timer_s >= 0
        assert act.elapsed_s >= act.timer_s
        assert act.start_utc.year >= 2000
    parsed = read_bytes(data, "x")  # the whole path (format sniffing first) never raises
    assert (parsed.skipped is None) == bool(parsed.activities)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(SEEDS)).flatmap(lambda k: st.tuples(st.just(k), mutated(k))))
def test_mutated_and_truncated_files(case: tuple[str, bytes]) -> None:
    _check(*case)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(SEEDS)), st.binary(max_size=300))
def test_random_bytes(kind: str, data: bytes) -> None:
    _check(kind, data)


# ------------------------------------------------------------ regressions found by fuzzing


def _redeclare(data: bytes, glob: int, field: int, size: int, base: int) -> bytes:
    """``data`` with field ``field`` of message ``glob``'s definition given a new size/base."""
    out = bytearray(data)
    p = out[0]
    while p < len(out) - 2:
        h = out[p]
        assert h & 0x40, "the fixture writes definitions before their messages"
        n = out[p + 5]
        if int.from_bytes(out[p + 3:p + 5], "little") == glob:
            for i in range(n):
                if out[p + 6 + 3 * i] == field:
                    out[p + 7 + 3 * i] = size
                    out[p + 8 + 3 * i] = base
                    return bytes(out)
        p += 6 + 3 * n
        sizes = sum(out[p - 3 * n + 3 * i + 1] for i in range(n))
        while p < len(out) - 2 and not out[p] & 0x40:
            p += 1 + sizes
    raise AssertionError("no such field")


def test_a_number_declared_as_text_is_left_out_not_a_crash() -> None:
    # The session's total_distance (field 9) declared as a 4-byte string.
    data = _redeclare(raw_fit(n=120), 18, 9, 4, 7)
    fast, ref = decode(data), decode_reference(data)
    assert fast.sessions[0].get("total_distance") is None
    assert ref.sessions[0]["total_distance"] is None
    (act,) = read_fit(data)
    assert act.distance_m == pytest.approx(357.0)  # from the samples instead


def test_a_record_field_declared_as_text_is_left_out() -> None:
    data = _redeclare(raw_fit(n=120), 20, 253, 4, 7)  # the record timestamp as text
    (act,) = read_fit(data)
    assert act.distance_m == 357.0 and act.splits == []


# (byte, new value) patches of fit_bytes(n=40) and where the file was cut, each of which
# made read_fit raise something other than ActivityImportError (or exhaust memory).
FOUND: dict[str, tuple[list[tuple[int, int]], int, str | None]] = {
    "distance declared as text": (
        [(218, 186), (897, 39), (774, 235), (478, 169), (699, 149), (340, 9)], 953, None),
    "altitude declared as text, file cut": (
        [(7, 177), (343, 5), (64, 7), (750, 255), (461, 172), (579, 222), (468, 103)], 441,
        "the file ends early (interrupted transfer?); totals come from the 18 samples read "
        "before the damage"),
    "fitdecode error without a message": (
        [(935, 4), (233, 73), (784, 123)], 953, "damaged FIT data at byte 953 (AssertionError)"),
    "64-bit distances (millions of splits)": (
        [(858, 125), (450, 118), (70, 232), (280, 250), (365, 168), (361, 236)], 953, None),
    "timestamp declared as text": (
        [(882, 167), (806, 96), (159, 122), (623, 59), (421, 45), (357, 98)], 953, None),
}


@pytest.mark.parametrize("case", sorted(FOUND))
def test_inputs_that_once_crashed_the_fit_reader(case: str) -> None:
    patches, cut, incomplete_reason = FOUND[case]
    data = bytearray(fit_bytes(n=40))
    for pos, value in patches:
        data[pos] = value
    (act,) = read_fit(bytes(data[:cut]))
    assert act.sport == "running" and 0 < act.distance_m <= 117.0
    assert act.incomplete_reason == incomplete_reason
    assert len(act.splits) <= 1


def test_a_definition_that_does_not_add_up_is_one_reason() -> None:
    data = bytearray(fit_bytes(n=40))
    for pos, value in [(736, 14), (82, 56), (104, 111), (885, 191), (773, 134), (22, 0)]:
        data[pos] = value  # once raised struct.error from the fast decoder
    with pytest.raises(ActivityImportError) as info:
        read_fit(bytes(data))
    assert info.value.message == "nothing usable could be read: damaged FIT data at byte 35 (size)"
