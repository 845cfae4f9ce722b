"""Conformance against the shared corpus (ground truth in shared/data/activities/SOURCES.md)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from conftest import shared_path
from kneeguard.activities import read_bytes

pytestmark = pytest.mark.corpus

# file -> [(sport, start UTC, distance m, timer s)] per activity, from SOURCES.md
TRUTH: dict[str, list[tuple[str, str | None, float, float | None]]] = {
    "activity-small-fenix2-run.fit": [("running", "2015-08-15 14:45:08", 9008.22, 2832.0)],
    "garmin-fenix-5-run.fit": [("running", "2017-06-11 14:34:09", 157.56, 56.887)],
    "developer-types-sample.fit": [("running", "2017-01-17 17:06:47", 6753.99, 3424.0)],
    "Fr955v19.28andStryd.fit": [("running", "2024-07-09 14:12:49", 10021.48, 3117.009)],
    "10kUNLP2014-Garmin15.fit": [("running", "2014-10-11 18:08:45", 10010.82, 2223.803)],
    "Move_2020_01_15_19_27_16_Running.fit": [("running", "2020-01-15 18:27:16", 2338.0,
                                              1480.259)],
    "coros-pace-2-cycling-misaligned-fields.fit": [("cycling", "2020-10-25 11:10:19",
                                                    32145.76, 11287.0)],
    "strava-android-app-201.10-b1218918.fit": [("running", "2021-09-27 14:13:10", 11274.04,
                                                3558.0)],
    "sample_mulitple_header.fit": [("swimming", None, 1644.71, 1987.521),
                                   ("cycling", None, 40909.42, 4422.14),
                                   ("running", "2018-05-27 09:23:41", 9805.92, 2850.694)],
    "MultiSport-2019-11-24.fit": [("swimming", None, 3879.38, None),
                                  ("cycling", None, 179381.7, None),
                                  ("running", "2019-11-24 21:28:42", 34706.46, 19839.616)],
    "14582164182.fit.gz": [("cycling", "2025-02-19 00:10:45", 14921.2, 2760.0)],
    "activity-unexpected-eof.fit": [("running", "2012-04-09 21:22:26", 5.73, 13.749)],
    "activity-filecrc.fit": [("running", "2012-04-09 21:22:26", 5.73, 13.749)],
    "activity-settings-corruptheader.fit": [("running", "2012-04-09 21:22:26", 5.73, 13.749)],
    "10kUNLP2014-Garmin15.tcx": [("running", "2014-10-11 18:08:45", 10010.82, 2223.803)],
    "test.tcx": [("running", "2012-12-26 21:29:53", 4689.24, 1992.78)],
    "2010-04-05-21-45-04.tcx": [("cycling", "2010-04-05 21:45:04", 45256.44, 5518.96)],
    "Move_2014_01_17_09_33_11.gpx": [("running", "2014-01-17 08:33:11", 15556.0, None)],
    "1292585194-20906.gpx": [("cycling", "2010-03-21 21:55:01", 40693.6, None)],
    "UrbanBiker2019-04-18_16-12.gpx": [("cycling", "2019-04-18 14:12:19", 21140.0, None)],
    "korita-zbevnica.gpx": [("hiking", "2010-10-03 09:36:30", 6270.0, None)],
}
SKIPPED = {
    "A_ride_mapped_on_11_22_2011.gpx": "a route without times",
    "Mojstrovka.gpx": "impossible date 1901-12-13",
    "gpx1.0_with_all_fields.gpx": "too few timed points",
    "gpx1.1_with_all_fields.gpx": "too few timed points",
}
CRC_WARNING = ("its checksum does not match at byte 769 (a bit may have flipped: the values "
               "were read but may be wrong)")
# A wrong checksum is reported, not marked incomplete: every message was read.
INCOMPLETE = {"activity-small-fenix2-run.truncated-60pct.fit", "activity-unexpected-eof.fit",
              "strava-android-app-201.10-b1218918.fit", "activity-settings-corruptheader.fit"}


@pytest.mark.parametrize("name", sorted(TRUTH))
def test_totals_match_ground_truth(name: str) -> None:
    parsed = read_bytes(shared_path("data", "activities", name).read_bytes(), name)
    assert parsed.skipped is None
    got = parsed.activities
    assert [a.sport for a in got] == [t[0] for t in TRUTH[name]]
    for act, (_sport, start, distance, timer) in zip(got, TRUTH[name], strict=True):
        if start is not None:
            expected = datetime.fromisoformat(start).replace(tzinfo=UTC)
            assert abs((act.start_utc - expected).total_seconds()) < 1.0
        assert act.distance_m == pytest.approx(distance, rel=0.005)
        if timer is not None:
            assert act.timer_s == pytest.approx(timer, rel=0.005)
        assert act.elapsed_s >= act.timer_s
    assert all(a.incomplete == (name in INCOMPLETE) for a in got)
    assert parsed.warning == (CRC_WARNING if name == "activity-filecrc.fit" else None)


@pytest.mark.parametrize(("name", "reason"), sorted(SKIPPED.items()))
def test_files_that_are_not_activities_are_skipped_with_a_reason(name: str, reason: str) -> None:
    parsed = read_bytes(shared_path("data", "activities", name).read_bytes(), name)
    assert parsed.activities == []
    assert parsed.skipped is not None and parsed.skipped.startswith(reason)


def test_truncated_copy_is_salvaged_as_incomplete() -> None:
    name = "activity-small-fenix2-run.truncated-60pct.fit"
    (act,) = read_bytes(shared_path("data", "activities", name).read_bytes(), name).activities
    assert act.incomplete and act.sport == "running"
    assert act.start_utc == datetime(2015, 8, 15, 14, 45, 8, tzinfo=UTC)


def test_bogus_local_timestamp_never_dates_the_activity() -> None:
    name = "14582164182.fit.gz"
    (act,) = read_bytes(shared_path("data", "activities", name).read_bytes(), name).activities
    assert act.start_utc.year == 2025
    assert act.elapsed_s >= act.timer_s == 2760.0


def test_whole_corpus_import(database: object, tmp_path: object) -> None:
    from kneeguard.storage.activities import import_activities, list_activities

    folder = shared_path("data", "activities")
    summary = import_activities(database, [folder])
    assert sorted(s.file.rsplit("/", 1)[-1] for s in summary.skipped) == sorted(SKIPPED)
    with database.session() as session:  # type: ignore[attr-defined]
        stored = list_activities(session)
    by_source = {name: a for a in stored for name in a.sources}
    # The 10 km race as FIT and TCX is one activity, FIT preferred.
    race = by_source["10kUNLP2014-Garmin15.fit"]
    assert race.sources == ("10kUNLP2014-Garmin15.fit", "10kUNLP2014-Garmin15.tcx")
    # The three damaged copies of the FIT SDK example are one activity.
    example = by_source["activity-unexpected-eof.fit"]
    assert set(example.sources) == {"activity-unexpected-eof.fit", "activity-filecrc.fit",
                                    "activity-settings-corruptheader.fit"}
    # The truncated fenix 2 copy merges into the complete file's activity.
    fenix = by_source["activity-small-fenix2-run.fit"]
    assert fenix.sources[0] == "activity-small-fenix2-run.fit" and not fenix.incomplete
    assert fenix.distance_m == 9008.22
    assert "activity-small-fenix2-run.truncated-60pct.fit" in fenix.sources
    # Multisport files give one activity per leg, transitions left out.
    assert [a.sport for a in stored if "MultiSport-2019-11-24.fit" in a.sources] == \
        ["swimming", "cycling", "running"]
    assert summary.imported == len(stored) == 22
    assert summary.duplicates == 4
    assert [(w.file.rsplit("/", 1)[-1], w.reason) for w in summary.warnings] == \
        [("activity-filecrc.fit", CRC_WARNING)]
    again = import_activities(database, [folder])
    assert (again.imported, again.duplicates) == (0, 22)


DAMAGED_FIT = {"activity-unexpected-eof.fit", "activity-settings-corruptheader.fit",
               "strava-android-app-201.10-b1218918.fit"}


@pytest.mark.parametrize("name", sorted(n for n in TRUTH if ".fit" in n))
def test_fast_fit_decoder_agrees_with_fitdecode(name: str) -> None:
    """The fast decoder reads every undamaged corpus file exactly as fitdecode does."""
    import gzip

    from kneeguard.activities.fit import decode_reference
    from kneeguard.activities.fitraw import Unusual, decode

    data = shared_path("data", "activities", name).read_bytes()
    if name.endswith(".gz"):
        data = gzip.decompress(data)
    if name in DAMAGED_FIT:  # left to fitdecode, which salvages what it can
        with pytest.raises(Unusual):
            decode(data)
        return
    fast, ref = decode(data), decode_reference(data)

    def present(msgs: list[dict[str, object]]) -> list[dict[str, object]]:
        return [{k: v for k, v in m.items() if v is not None} for m in msgs]
    assert fast.records == ref.records
    for kind in ("file_ids", "sessions", "laps", "sports", "activities"):
        assert present(getattr(fast, kind)) == present(getattr(ref, kind)), kind
