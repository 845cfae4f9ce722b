"""Reading FIT, GPX and TCX files that the tests generate (fit-tool for FIT)."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import pytest

from data.activity_fixtures import START, fit_bytes, gpx_bytes, raw_fit, tcx_bytes
from kneeguard.activities import read_bytes
from kneeguard.activities.fit import decode_reference
from kneeguard.activities.fitraw import decode as decode_fast
from kneeguard.activities.sniff import sniff
from kneeguard.activities.xmlsafe import uniform_records


def test_fit_from_fit_tool_reads_session_totals_and_splits() -> None:
    parsed = read_bytes(fit_bytes(n=600, speed=3.0), "run.fit")
    assert parsed.skipped is None and parsed.format == "fit"
    (act,) = parsed.activities
    assert act.sport == "running"
    assert act.start_utc == START
    assert act.distance_m == pytest.approx(1797.0, abs=0.01)
    assert act.timer_s == 599.0 and act.elapsed_s == 599.0
    assert act.avg_hr == 145.0
    assert act.utc_offset_s == 7200
    assert not act.incomplete
    assert [round(s.distance_m) for s in act.splits] == [1000, 797]
    assert act.splits[0].time_s == pytest.approx(333.3, abs=0.5)


def test_fast_decoder_agrees_with_fitdecode() -> None:
    data = fit_bytes(n=300)
    fast, ref = decode_fast(data), decode_reference(data)
    def present(msgs: list[dict[str, object]]) -> list[dict[str, object]]:
        return [{k: v for k, v in m.items() if v is not None} for m in msgs]
    assert present(fast.sessions) == present(ref.sessions)
    assert present(fast.file_ids) == present(ref.file_ids)
    assert fast.records == ref.records
    assert ref.damaged is None


@pytest.mark.parametrize(("sport", "sub_sport", "expected"), [
    (1, 0, "running"), (1, 3, "trail_running"), (1, 1, "treadmill_running"),
    (2, 0, "cycling"), (11, 0, "walking"), (17, 0, "hiking"), (5, 0, "swimming"),
    (10, 0, "other")])
def test_fit_sports_map_to_contract_values(sport: int, sub_sport: int, expected: str) -> None:
    (act,) = read_bytes(fit_bytes(n=60, sport=sport, sub_sport=sub_sport), "x.fit").activities
    assert act.sport == expected


def test_fit_without_session_is_summarised_from_samples() -> None:
    (act,) = read_bytes(fit_bytes(n=400, session=False), "x.fit").activities
    assert act.distance_m == pytest.approx(1197.0, abs=0.01)
    assert act.timer_s == 399.0
    assert act.sport == "running"  # 3 m/s, guessed from speed


def test_truncated_fit_is_salvaged_and_marked_incomplete() -> None:
    data = fit_bytes(n=600)
    parsed = read_bytes(data[: len(data) * 2 // 3], "cut.fit")
    (act,) = parsed.activities
    assert act.incomplete and "ends early" in (act.incomplete_reason or "")
    assert 1000 < act.distance_m < 1797


def test_non_activity_fit_is_skipped_by_its_file_id() -> None:
    parsed = read_bytes(fit_bytes(file_type=2), "settings.fit")
    assert parsed.activities == []
    assert parsed.skipped == "not an activity file (a FIT settings file)"


def test_gpx_with_heart_rate_extension() -> None:
    (act,) = read_bytes(gpx_bytes(n=600, speed=3.0), "run.gpx").activities
    assert act.sport == "running"
    assert act.start_utc == START
    assert act.distance_m == pytest.approx(1797.0, rel=0.002)
    assert act.timer_s == 599.0
    assert act.avg_hr == pytest.approx(144.5, abs=0.1)
    assert len(act.splits) == 2


def test_gpx_sport_is_guessed_from_speed_and_24_kmh_is_never_a_run() -> None:
    assert read_bytes(gpx_bytes(speed=6.67), "a.gpx").activities[0].sport == "cycling"
    assert read_bytes(gpx_bytes(speed=1.2, hilly=False), "b.gpx").activities[0].sport == "walking"
    assert read_bytes(gpx_bytes(speed=6.67, kind="running"), "c.gpx").activities[0].sport \
        == "running"


def test_gpx_with_other_namespace_prefix_goes_through_the_general_path() -> None:
    (act,) = read_bytes(gpx_bytes(n=120, prefix="ns3"), "p.gpx").activities
    assert act.avg_hr == pytest.approx(144.5, abs=0.1)


def test_gpx_route_without_times_is_not_an_activity() -> None:
    parsed = read_bytes(gpx_bytes(times=False), "route.gpx")
    assert parsed.activities == []
    assert parsed.skipped is not None and parsed.skipped.startswith("a route without times")


def test_gpx_with_impossible_dates_is_skipped() -> None:
    old = datetime(1901, 12, 13, 20, 45, 52, tzinfo=UTC)
    parsed = read_bytes(gpx_bytes(start=old), "old.gpx")
    assert parsed.skipped == \
        "impossible date 1901-12-13 (before 2000; the device clock was not set)"
    future = datetime(2999, 1, 1, tzinfo=UTC)
    assert "in the future" in (read_bytes(gpx_bytes(start=future), "f.gpx").skipped or "")


def test_tcx_lap_totals_are_the_truth() -> None:
    (act,) = read_bytes(tcx_bytes(n=600, speed=3.0, laps=2), "run.tcx").activities
    assert act.sport == "running"
    assert act.timer_s == 600.0  # two laps of 300 s
    assert act.distance_m == pytest.approx(1800.0, abs=0.01)
    assert act.avg_hr is not None and len(act.splits) == 2


def test_tcx_other_sport_uses_speed() -> None:
    (act,) = read_bytes(tcx_bytes(speed=8.0, sport="Other"), "x.tcx").activities
    assert act.sport == "cycling"


def test_gzipped_files_and_format_from_bytes_not_name() -> None:
    parsed = read_bytes(gzip.compress(tcx_bytes()), "misnamed.fit")
    assert parsed.format == "tcx" and len(parsed.activities) == 1
    assert sniff(fit_bytes(n=10)) == "fit"
    assert sniff(gpx_bytes(n=2)) == "gpx"
    assert read_bytes(b"hello, not an activity", "notes.txt").skipped == \
        "not a FIT, GPX or TCX file"


@pytest.mark.parametrize(("big_endian", "interleave"), [(False, False), (True, False),
                                                       (False, True), (True, True)])
def test_fast_decoder_reads_both_byte_orders_like_fitdecode(big_endian: bool,
                                                           interleave: bool) -> None:
    # Interleaved messages make runs of three records, read row by row.
    data = raw_fit(n=300, big_endian=big_endian, interleave=interleave)
    fast, ref = decode_fast(data), decode_reference(data)
    assert fast.records == ref.records and ref.damaged is None
    assert fast.records["d"][-1] == 89700 and fast.records["hr"][:3] == [140, 141, 142]
    (act,) = read_bytes(data, "be.fit").activities
    assert (act.distance_m, act.timer_s, act.avg_hr, act.utc_offset_s) == (897.0, 299.0, 145.0,
                                                                          7200)


def test_chained_fit_gives_one_activity_per_file() -> None:
    data = raw_fit(n=120) + raw_fit(n=120, sport=2, start=START.replace(hour=9))
    parsed = read_bytes(data, "two.fit")
    assert [(a.sport, a.distance_m, a.leg) for a in parsed.activities] == \
        [("running", 357.0, 0), ("cycling", 357.0, 1)]
    assert parsed.warning is None


def test_a_wrong_fit_checksum_is_reported_not_marked_incomplete() -> None:
    data = bytearray(raw_fit(n=120))
    data[-1] ^= 0x40
    parsed = read_bytes(bytes(data), "flipped.fit")
    (act,) = parsed.activities
    assert not act.incomplete and act.distance_m == 357.0
    assert parsed.warning == (f"its checksum does not match at byte {len(data) - 2} (a bit may "
                              "have flipped: the values were read but may be wrong)")


def test_tcx_and_gpx_points_that_change_layout_take_the_general_path() -> None:
    tcx = tcx_bytes(n=300).decode()
    assert uniform_records(tcx, "<Trackpoint>", "</Trackpoint>") is not None
    # One point without heart rate: the one-pass reader refuses, every point still counts.
    odd = tcx.replace("<HeartRateBpm><Value>145</Value></HeartRateBpm>", "", 1)
    assert uniform_records(odd, "<Trackpoint>", "</Trackpoint>") is None
    (act,) = read_bytes(odd.encode(), "odd.tcx").activities
    (same,) = read_bytes(tcx.encode(), "run.tcx").activities
    assert (act.distance_m, act.timer_s, len(act.splits)) == (same.distance_m, same.timer_s, 1)
    gpx = gpx_bytes(n=300).decode()
    names, rows = uniform_records(gpx, "<trkpt", "</trkpt>") or ([], [])
    assert names == [("trkpt", "lat"), ("trkpt", "lon"), ("trkpt", "ele"), ("trkpt", "time"),
                     ("TrackPointExtension", "hr")] and len(rows) == 300
    swapped = gpx.replace("<ele>500.0</ele><time>2024-05-04T07:30:00Z</time>",
                          "<time>2024-05-04T07:30:00Z</time><ele>500.0</ele>", 1)
    assert swapped != gpx and uniform_records(swapped, "<trkpt", "</trkpt>") is None
    (fast,) = read_bytes(gpx.encode(), "a.gpx").activities
    (slow,) = read_bytes(swapped.encode(), "b.gpx").activities
    assert (slow.distance_m, slow.timer_s, slow.avg_hr) == (fast.distance_m, fast.timer_s,
                                                            fast.avg_hr)
