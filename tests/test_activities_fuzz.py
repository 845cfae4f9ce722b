"""Fuzzing the readers: mutated and truncated bytes give a reason, never a crash."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data.activity_fixtures import fit_bytes, gpx_bytes, tcx_bytes
from kneeguard.activities.fit import read_fit
from kneeguard.activities.gpx import read_gpx
from kneeguard.activities.model import Activity
from kneeguard.activities.tcx import read_tcx
from kneeguard.errors import ActivityImportError

SEEDS: dict[str, tuple[bytes, Callable[[bytes], list[Activity]]]] = {
    "fit": (fit_bytes(n=40), read_fit),
    "gpx": (gpx_bytes(n=40), read_gpx),
    "tcx": (tcx_bytes(n=40), read_tcx),
}


@st.composite
def mutated(draw: st.DrawFn, kind: str) -> bytes:
    data = bytearray(SEEDS[kind][0])
    for _ in range(draw(st.integers(0, 8))):
        pos = draw(st.integers(0, len(data) - 1))
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


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(SEEDS)).flatmap(lambda k: st.tuples(st.just(k), mutated(k))))
def test_mutated_and_truncated_files(case: tuple[str, bytes]) -> None:
    _check(*case)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(SEEDS)), st.binary(max_size=300))
def test_random_bytes(kind: str, data: bytes) -> None:
    _check(kind, data)
