"""Benchmark: every training metric for a ten-year history of 3,000 runs.

Target (training issue): all metrics - daily and weekly series, acute:chronic
ratio, CTL/ATL/TSB, monotony/strain, every warning, the assessment pre-fill
and an 8-week plan - in 200 ms or less. The baseline in the same run is the
obvious implementation that rescans the history for every run and every day
(a 30-day maximum per run, a 7- and 21-day sum per day); its answers are
checked against kneeguard's so the comparison is like for like.

    uv run python benchmarks/bench_training.py
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta

from kneeguard.training import Run, Shoe, make_plan, overview, training_prefill
from kneeguard.training.series import daily_series
from kneeguard.training.warnings import run_spikes, weekly_jumps

RUNS = 3000
YEARS = 10
TARGET_MS = 200.0


def history(seed: int = 4) -> tuple[list[Run], list[Shoe]]:
    """3,000 runs over ten years (plus rides), with travel, shoes and breaks."""
    rng = random.Random(seed)
    first = datetime(2016, 1, 4, 6, 0, tzinfo=UTC)
    days = sorted(rng.sample(range(YEARS * 365), RUNS))
    shoes = [Shoe(f"Pair {i}", start_km=rng.choice([0.0, 50.0])) for i in range(RUNS // 80 + 1)]
    runs: list[Run] = []
    for i, day in enumerate(days):
        km = max(2.0, rng.gauss(9.0, 4.0))
        start = first + timedelta(days=day, minutes=rng.randint(0, 900))
        offset = rng.choice([3600, 3600, 3600, 7200, -18000, 32400])
        sport = rng.choice(["running"] * 8 + ["trail_running", "treadmill_running"])
        runs.append(Run(start, offset, sport, km * 1000, km * rng.uniform(270, 390),
                        shoes[i // 80].name))
        if rng.random() < 0.2:
            runs.append(Run(start + timedelta(hours=5), offset, "cycling", 40_000.0, 5400.0))
    return runs, shoes


def all_metrics(runs: list[Run], shoes: list[Shoe], today: date) -> tuple[object, ...]:
    view = overview(runs, shoes, today=today)
    return (view, training_prefill(runs, shoes, today),
            make_plan(runs, today, weeks=8, growth_pct=10.0))


def naive_spikes(runs: list[Run]) -> list[tuple[date, str]]:
    ordered = sorted((r for r in runs if r.is_running and r.distance_m > 0),
                     key=lambda r: r.start_utc)
    found = []
    for i, run in enumerate(ordered):
        window = [o.distance_m for o in ordered[:i]
                  if o.start_utc >= run.start_utc - timedelta(days=30)]
        if window:
            pct = round(100 * (run.distance_m - max(window)) / max(window), 6)
            band = ("large" if pct > 100 else "moderate" if pct > 30 else
                    "small" if pct > 10 else None)
            if band:
                found.append((run.local_day, band))
    return found


def naive_jump_days(runs: list[Run]) -> list[date]:
    """Window end days flagged as a weekly jump, by rescanning every run for every day."""
    running = [(r.local_day.toordinal(), r.km) for r in runs if r.is_running]
    first = min(r.local_day for r in runs).toordinal()
    last = max(r.local_day for r in runs).toordinal()
    flagged = []
    for day in range(first + 27, last + 1):
        week = sum(km for d, km in running if 0 <= day - d < 7)
        base = sum(km for d, km in running if 7 <= day - d < 28) / 3
        if base > 1e-9 and round(100 * (week - base) / base, 6) > 30:
            flagged.append(date.fromordinal(day))
    return flagged


def fast_jump_days(runs: list[Run]) -> list[date]:
    series = daily_series(runs)
    prefix = [0.0]
    for km in series.km:
        prefix.append(prefix[-1] + km)
    out = []
    for end in range(27, len(series)):
        week = prefix[end + 1] - prefix[end - 6]
        base = (prefix[end - 6] - prefix[end - 27]) / 3
        if base > 1e-9 and round(100 * (week - base) / base, 6) > 30:
            out.append(series.day(end))
    return out


def main() -> None:
    runs, shoes = history()
    running = sum(1 for r in runs if r.is_running)
    today = max(r.local_day for r in runs) + timedelta(days=1)
    timings = []
    for _ in range(7):
        t0 = time.perf_counter()
        view, _prefill, _plan = all_metrics(runs, shoes, today)
        timings.append((time.perf_counter() - t0) * 1000)
    best, median = min(timings), statistics.median(timings)
    weeks = len(view.weeks)  # type: ignore[attr-defined]
    warnings = len(view.warnings)  # type: ignore[attr-defined]
    print(f"history: {running} runs (+{len(runs) - running} rides) over {YEARS} years, "
          f"{weeks} weeks, {warnings} warnings")
    print(f"kneeguard, all metrics: best {best:.1f} ms, median {median:.1f} ms "
          f"(target <= {TARGET_MS:.0f} ms)")

    t0 = time.perf_counter()
    fast_spikes = [(w.date, w.severity) for w in run_spikes(runs)]
    fast_days = fast_jump_days(runs)
    fast_ms = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    slow_spikes = naive_spikes(runs)
    slow_days = naive_jump_days(runs)
    naive_ms = (time.perf_counter() - t0) * 1000
    assert fast_spikes == slow_spikes, "spike warnings differ from the naive baseline"
    assert fast_days == slow_days, "weekly-jump windows differ from the naive baseline"
    assert len(weekly_jumps(daily_series(runs))) <= len(fast_days)
    print(f"spikes + rolling weeks only: kneeguard {fast_ms:.1f} ms, naive rescans "
          f"{naive_ms:.0f} ms ({naive_ms / fast_ms:.0f}x slower; same {len(fast_spikes)} "
          f"spikes and {len(fast_days)} flagged windows)")
    if median > TARGET_MS:
        raise SystemExit(f"too slow: median {median:.1f} ms > {TARGET_MS:.0f} ms")


if __name__ == "__main__":
    main()
