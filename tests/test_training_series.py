"""Daily and weekly series in the runner's local calendar (hand-computed)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from kneeguard.training.model import Run
from kneeguard.training.series import daily_series, monday, weekly_series


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def run(start_utc: str, km: float, offset_h: float = 0, sport: str = "running") -> Run:
    return Run(utc(start_utc), int(offset_h * 3600), sport, km * 1000, km * 330)


def test_dst_weekend_neither_splits_nor_doubles_a_day() -> None:
    # Berlin leaves summer time on Sunday 2026-10-25 at 03:00 CEST -> 02:00 CET.
    runs = [
        run("2026-10-24T21:30", 5, offset_h=2),  # Sat 23:30 CEST
        run("2026-10-24T23:30", 6, offset_h=1),  # Sun 00:30 CET (same UTC day as above)
        run("2026-10-25T00:30", 7, offset_h=2),  # Sun 02:30 CEST, the first 02:30
        run("2026-10-25T01:30", 8, offset_h=1),  # Sun 02:30 CET, the second 02:30
    ]
    series = daily_series(runs)
    assert series.start == date(2026, 10, 24)
    assert series.km == [5.0, 21.0]
    assert series.runs == [1, 3]
    assert series.longest_km == [5.0, 8.0]


def test_runner_crossing_time_zones_keeps_each_runs_local_day() -> None:
    runs = [
        run("2026-03-09T03:00", 10, offset_h=-5),  # Sun 8 Mar 22:00 in New York
        run("2026-03-09T06:00", 4, offset_h=1),    # Mon 9 Mar 07:00 in Berlin
    ]
    series = daily_series(runs)
    assert (series.start, series.km) == (date(2026, 3, 8), [10.0, 4.0])
    weeks = weekly_series(runs)
    assert [(w.week_start, w.km, w.runs) for w in weeks] == [
        (date(2026, 3, 2), 10.0, 1), (date(2026, 3, 9), 4.0, 1)]
    assert weeks[1].change_pct == -60.0


def test_multisport_day_counts_only_running_toward_load() -> None:
    runs = [run("2026-03-04T07:00", 10), run("2026-03-04T12:00", 40, sport="cycling"),
            run("2026-03-04T18:00", 2, sport="swimming"),
            run("2026-03-05T07:00", 3, sport="treadmill_running"),
            run("2026-03-06T07:00", 12, sport="trail_running")]
    series = daily_series(runs)
    assert series.km == [10.0, 3.0, 12.0]
    assert series.other_km == [42.0, 0.0, 0.0]
    (week,) = weekly_series(runs)
    assert (week.km, week.runs, week.longest_km) == (25.0, 3, 12.0)
    assert week.other_km == {"cycling": 40.0, "swimming": 2.0}
    assert week.seconds == 25 * 330


def test_gaps_stay_visible_and_change_needs_a_basis() -> None:
    runs = [run("2026-03-03T07:00", 10), run("2026-03-05T07:00", 10),
            run("2026-03-25T07:00", 8), run("2026-04-01T07:00", 12)]
    weeks = weekly_series(runs)
    assert [(w.week_start.isoformat(), w.km, w.change_pct) for w in weeks] == [
        ("2026-03-02", 20.0, None),
        ("2026-03-09", 0.0, -100.0),
        ("2026-03-16", 0.0, None),
        ("2026-03-23", 8.0, None),
        ("2026-03-30", 12.0, 50.0),
    ]
    assert weeks[1].longest_km == 0.0 and weeks[1].runs == 0


def test_week_starts_on_monday() -> None:
    assert monday(date(2026, 3, 8)) == date(2026, 3, 2)  # a Sunday
    assert monday(date(2026, 3, 9)) == date(2026, 3, 9)


run_strategy = st.builds(
    lambda day, minute, offset, sport, metres: Run(
        datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=day, minutes=minute), offset, sport,
        float(metres), metres / 3.0),
    st.integers(0, 120), st.integers(0, 1439), st.integers(-12, 14).map(lambda h: h * 3600),
    st.sampled_from(["running", "trail_running", "treadmill_running", "cycling", "walking"]),
    st.integers(0, 50_000))


@settings(max_examples=150, deadline=None)
@given(st.lists(run_strategy, min_size=1, max_size=40))
def test_weekly_totals_equal_the_sum_of_their_days(runs: list[Run]) -> None:
    weeks = weekly_series(runs)
    series = daily_series(runs, weeks[0].week_start, weeks[-1].week_start + timedelta(days=6))
    for i, week in enumerate(weeks):
        days = slice(7 * i, 7 * i + 7)
        assert week.week_start.weekday() == 0
        assert week.km == sum(series.km[days])
        assert week.runs == sum(series.runs[days])
        assert week.longest_km == max(series.longest_km[days])
    running = [r for r in runs if r.is_running]
    assert abs(sum(w.km for w in weeks) - sum(r.km for r in running)) < 1e-6
    assert sum(w.runs for w in weeks) == len(running)
