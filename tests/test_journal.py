"""Journal entries: validation with clear messages, findings and the assessment pre-fill."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from kneeguard.errors import JournalError
from kneeguard.journal import Entry, findings, journal_prefill, onset_trend, parse_entry

TODAY = date(2026, 3, 20)


def test_parse_entry_accepts_form_values() -> None:
    entry = parse_entry({"day": "2026-03-19", "pain_before": "0", "pain_during": 3,
                         "pain_after": 2.0, "pain_onset_km": "4.5",
                         "locations": "below_kneecap_on_tendon,below_kneecap_on_tendon",
                         "swelling": "none", "note": "  hill repeats  "}, TODAY)
    assert entry == Entry(day=date(2026, 3, 19), pain_before=0, pain_during=3, pain_after=2,
                          pain_onset_km=4.5, locations=("below_kneecap_on_tendon",),
                          swelling="none", note="hill repeats")
    assert entry.worst == 3


def test_day_defaults_to_today() -> None:
    assert parse_entry({"pain_after": 1}, TODAY).day == TODAY


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"pain_during": 11}, "pain_during", "pain_during must be a whole number from 0 to 10, not 11"),
    ({"pain_before": 2.5}, "pain_before", "pain_before must be a whole number from 0 to 10"),
    ({"pain_after": True}, "pain_after", "pain_after must be a whole number from 0 to 10"),
    ({"pain_after": "a lot"}, "pain_after", "not 'a lot'"),
    ({"day": "2026-03-21", "note": "x"}, "day", "day 2026-03-21 is in the future"),
    ({"day": "yesterday", "note": "x"}, "day", "day must be a date like 2026-03-07"),
    ({"pain_onset_km": -1}, "pain_onset_km", "pain_onset_km must be a distance in km"),
    ({"pain_onset_km": float("nan")}, "pain_onset_km", "pain_onset_km must be a distance"),
    ({"pain_during": 0, "pain_onset_km": 3}, "pain_onset_km", "pain_during is 0"),
    ({"locations": ["knee"]}, "locations", "unknown location 'knee'"),
    ({"swelling": "huge"}, "swelling", "swelling must be one of none, mild, marked"),
    ({"note": "x" * 2001}, "note", "note is 2001 characters long; at most 2000 fit"),
    ({"note": "bad\x00byte"}, "note", "note contains control characters"),
    ({"pain": 3}, "pain", "unknown field 'pain'"),
    ({"run_id": 0, "note": "x"}, "run_id", "run_id must be the id of a stored run"),
])
def test_invalid_entries_name_the_field(data: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(JournalError) as info:
        parse_entry(data, TODAY)
    assert info.value.field == field
    assert message in str(info.value)
    assert str(info.value).startswith("journal entry: ")


def test_an_empty_entry_is_refused() -> None:
    with pytest.raises(JournalError, match="nothing to record"):
        parse_entry({"day": "2026-03-19"}, TODAY)


def e(days_ago: int, **fields: Any) -> Entry:
    return Entry(day=TODAY - timedelta(days=days_ago), **fields)


def test_onset_shrinking_over_two_weeks_is_earlier() -> None:
    # the clinic's jumper's-knee story: first at mile two or three, later at half a mile
    entries = [e(20, pain_during=2, pain_onset_km=4.8), e(14, pain_during=2, pain_onset_km=4.0),
               e(9, pain_during=3, pain_onset_km=2.5), e(2, pain_during=3, pain_onset_km=0.8)]
    assert onset_trend(entries, TODAY) == "earlier"
    (finding,) = [f for f in findings(entries, TODAY) if f.kind == "onset_earlier"]
    assert "from 4.8 km" in finding.detail and "to 0.8 km" in finding.detail
    assert not finding.stop and "jumper's knee" in finding.evidence


@pytest.mark.parametrize(("onsets", "trend"), [
    ([2.0, 3.0, 4.5, 6.0], "later"),
    ([5.0, 5.2, 4.9, 5.1], "same"),
    ([1.0, 6.0, 1.0, 6.0], "no_pattern"),
])
def test_onset_trend_kinds(onsets: list[float], trend: str) -> None:
    entries = [e(21 - 6 * i, pain_during=2, pain_onset_km=km) for i, km in enumerate(onsets)]
    assert onset_trend(entries, TODAY) == trend


def test_onset_trend_unknown_with_too_little_data() -> None:
    assert onset_trend([e(3, pain_during=2, pain_onset_km=2.0),
                        e(1, pain_during=2, pain_onset_km=1.0)], TODAY) is None
    assert onset_trend([e(40, pain_during=2, pain_onset_km=5.0),  # older than 28 days
                        e(3, pain_during=2, pain_onset_km=2.0),
                        e(1, pain_during=2, pain_onset_km=1.0)], TODAY) is None


@pytest.mark.parametrize(("rating", "stop"), [(3, False), (4, True)])
def test_a_rating_above_3_means_stop(rating: int, stop: bool) -> None:
    found = findings([e(6, pain_after=rating), e(8, pain_after=9)], TODAY)
    assert [f.kind for f in found if f.stop] == (["above_3"] if stop else [])
    if stop:
        assert found[0].detail.startswith(f"You rated your pain {rating}/10 on 2026-03-14")


def test_swelling_means_do_not_run() -> None:
    found = findings([e(1, swelling="mild"), e(0, swelling="none")], TODAY)
    assert [(f.kind, f.stop) for f in found] == [("swelling", True)]
    assert findings([e(7, swelling="marked")], TODAY) == []  # older than the last 7 days


def test_rising_ratings_over_two_weeks() -> None:
    entries = [e(12, pain_during=1), e(9, pain_during=1), e(4, pain_during=2),
               e(1, pain_during=2)]
    assert [f.kind for f in findings(entries, TODAY)] == ["rising"]
    flat = [e(12, pain_during=1), e(9, pain_during=2), e(4, pain_during=2),
            e(1, pain_during=2)]  # 1.5 -> 2.0: under one point
    assert findings(flat, TODAY) == []


def test_journal_prefill_takes_the_worst_of_the_last_week() -> None:
    entries = [e(20, pain_during=2, pain_onset_km=4.8), e(14, pain_during=2, pain_onset_km=4.0),
               e(9, pain_during=3, pain_onset_km=2.5, swelling="marked"),
               e(5, pain_before=1, pain_during=3, pain_after=4, pain_onset_km=1.5,
                 swelling="mild"),
               e(2, pain_before=0, pain_during=2, pain_after=1, pain_onset_km=0.8,
                 swelling="none")]
    assert journal_prefill(entries, TODAY) == {
        "pain_onset_trend": "earlier", "pain_before_run": 1, "pain_during_run": 3,
        "pain_after_run": 4, "pain_onset_km": 1.1, "swelling": "mild"}


def test_journal_prefill_of_an_empty_journal_is_empty() -> None:
    assert journal_prefill([], TODAY) == {}
