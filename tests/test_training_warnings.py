"""Each training warning fires exactly past its threshold and not below it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kneeguard.training.model import Run, Shoe
from kneeguard.training.series import daily_series
from kneeguard.training.warnings import (
    EVIDENCE,
    comebacks,
    pace_jumps,
    run_spikes,
    shoe_warnings,
    training_warnings,
    weekly_jumps,
)

DAY0 = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # a Monday


def run(day: int, km: float, seconds: float | None = None, shoe: str | None = None,
        minute: int = 0, sport: str = "running") -> Run:
    return Run(DAY0 + timedelta(days=day, minutes=minute), 0, sport, km * 1000,
               km * 330 if seconds is None else seconds, shoe)


@pytest.mark.parametrize(("km", "severity"), [
    (11.0, None), (11.01, "small"), (13.0, "small"), (13.01, "moderate"),
    (20.0, "moderate"), (20.01, "large"), (35.0, "large")])
def test_run_spike_bands(km: float, severity: str | None) -> None:
    found = run_spikes([run(0, 10.0), run(5, 8.0), run(10, km)])
    assert [w.severity for w in found] == ([severity] if severity else [])
    if severity:
        assert found[0].date == date(2026, 3, 12)
        assert found[0].kind == "run_spike"
        assert "Frandsen" in found[0].evidence and "5,205" in found[0].evidence


def test_run_spike_window_is_the_previous_30_days() -> None:
    assert run_spikes([run(0, 10.0), run(30, 12.0)])  # exactly 30 days before: inside
    assert run_spikes([run(0, 10.0), run(30, 12.0, minute=1)]) == []  # no basis left


def test_run_spike_compares_with_the_longest_not_the_latest() -> None:
    found = run_spikes([run(0, 20.0), run(10, 5.0), run(20, 21.0)])
    assert found == []


def daily(km_by_day: list[float]) -> list[Run]:
    return [run(i, km) for i, km in enumerate(km_by_day) if km > 0]


@pytest.mark.parametrize(("last", "flagged"), [(6.2, False), (6.21, True)])
def test_weekly_jump_threshold_is_more_than_30_percent(last: float, flagged: bool) -> None:
    # 3 weeks of 2 km a day (mean week 14 km), then 6 x 2 km + one run: 12 + 6.2 = 18.2 = +30%
    runs = daily([2.0] * 27 + [last])
    found = weekly_jumps(daily_series(runs))
    if not flagged:
        assert found == []
        return
    (warning,) = found
    assert (warning.kind, warning.date, warning.severity) == (
        "weekly_jump", date(2026, 3, 23), "moderate")
    assert "10% rule" in warning.detail and "Nielsen" in warning.evidence
    assert "Buist" in warning.evidence


def test_weekly_jump_needs_three_weeks_of_history() -> None:
    assert weekly_jumps(daily_series(daily([2.0] * 10 + [20.0]))) == []


def test_weekly_jump_is_reported_once_per_episode() -> None:
    runs = daily([2.0] * 21 + [4.0] * 14)
    found = weekly_jumps(daily_series(runs))
    assert len(found) == 1
    assert found[0].date == date(2026, 3, 23)  # the first full week at 4 km a day: +100%


def _pace_base() -> list[Run]:
    # comparable 10 km runs at 300 s/km in the three weeks before Monday 23 March
    return [run(day, 10.0, 3000.0) for day in (1, 8, 15)]


@pytest.mark.parametrize(("seconds", "severity"), [(3000 / 1.1, None),
                                                    (3000 / 1.11, "moderate")])
def test_pace_jump_is_more_than_10_percent_faster(seconds: float, severity: str | None) -> None:
    found = pace_jumps([*_pace_base(), run(22, 10.0, seconds)])
    assert [(w.date, w.severity) for w in found] == (
        [(date(2026, 3, 23), severity)] if severity else [])


def test_pace_jump_ignores_runs_that_are_not_comparable() -> None:
    # a fast 3 km is not compared with 10 km runs
    assert pace_jumps([*_pace_base(), run(22, 3.0, 600.0)]) == []


def test_sudden_share_of_fast_running() -> None:
    base = [run(d, km, km * 300) for d in (1, 8, 15) for km in (5.0, 10.0)]
    week = [run(22, 5.0, 5 * 300 / 1.15), run(24, 10.0, 3000.0)]
    (warning,) = pace_jumps(base + week)
    # 5 of 15 km were 15% faster (33% of the week against 0% before); mean only +5%
    assert (warning.date, warning.severity) == (date(2026, 3, 23), "small")
    assert "33%" in warning.detail


@pytest.mark.parametrize(("gap_days", "fires"), [(14, False), (15, True)])
def test_comeback_after_two_weeks_without_running(gap_days: int, fires: bool) -> None:
    runs = [run(0, 5.0), run(gap_days, 5.0), run(0, 20, sport="cycling", minute=600)]
    found = comebacks(runs)
    assert [(w.date, w.severity) for w in found] == (
        [(date(2026, 3, 2) + timedelta(days=gap_days), "info")] if fires else [])
    if fires:
        assert "14 days" in found[0].detail and "van der Worp" in found[0].evidence


def test_shoes_past_their_limit() -> None:
    shoes = [Shoe("Old pair", start_km=640.0), Shoe("Own limit", limit_km=10.0)]
    runs = [run(0, 5.0, shoe="Old pair"), run(1, 5.0, shoe="Old pair"),  # 650 km: at the limit
            run(2, 1.0, shoe="Old pair"),  # 651 km: past it
            run(3, 10.0, shoe="Own limit"), run(4, 0.5, shoe="Own limit")]
    found = shoe_warnings(runs, shoes, 650.0)
    assert [(w.date, w.detail.split('"')[1]) for w in found] == [
        (date(2026, 3, 4), "Old pair"), (date(2026, 3, 6), "Own limit")]
    assert "no study ties a distance to injury" in found[0].detail
    assert "Rotating two pairs" in found[0].evidence


def test_every_kind_carries_its_evidence() -> None:
    runs = [*daily([2.0] * 27 + [12.0]), run(50, 10.0, shoe="X")]
    found = training_warnings(runs, [Shoe("X", start_km=700.0)])
    kinds = {w.kind for w in found}
    assert kinds == {"run_spike", "weekly_jump", "comeback", "shoes"}
    for warning in found:
        assert warning.evidence == EVIDENCE[warning.kind]
        assert warning.to_json()["date"] == warning.date.isoformat()


history = st.lists(
    st.tuples(st.integers(0, 90), st.integers(0, 1439), st.integers(0, 30_000)),
    min_size=1, max_size=30)


@settings(max_examples=150, deadline=None)
@given(history, st.integers(0, 100), st.integers(0, 1439),
       st.sampled_from(["running", "treadmill_running", "cycling"]))
def test_adding_a_rest_day_never_raises_a_spike_warning(
        rows: list[tuple[int, int, int]], rest_day: int, minute: int, sport: str) -> None:
    runs = [Run(DAY0 + timedelta(days=d, minutes=m), 0, "running", float(metres), 600.0)
            for d, m, metres in rows]
    rest = Run(DAY0 + timedelta(days=rest_day, minutes=minute), 0, sport, 0.0, 0.0)
    before = run_spikes(runs)
    assert run_spikes([*runs, rest]) == before
    spikes = [w for w in training_warnings([*runs, rest]) if w.kind == "run_spike"]
    assert spikes == before


def test_week_flags_put_each_chart_warning_on_its_week_once() -> None:
    from kneeguard.training.model import Warning
    from kneeguard.training.overview import week_flags

    def w(kind: str, day: date) -> Warning:
        return Warning(kind, day, "moderate", "", "")

    weeks = [date(2026, 3, 2), date(2026, 3, 9)]
    flags = week_flags([w("run_spike", date(2026, 3, 4)), w("run_spike", date(2026, 3, 6)),
                        w("weekly_jump", date(2026, 3, 9)), w("shoes", date(2026, 3, 10)),
                        w("comeback", date(2026, 2, 20))], weeks)
    assert flags == {date(2026, 3, 2): ["run spike"], date(2026, 3, 9): ["weekly jump"]}
