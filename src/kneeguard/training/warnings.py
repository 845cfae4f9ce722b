"""Training warnings: what in the history overloaded the knee.

Five kinds, each with the study behind its threshold in ``evidence`` (shown to
the runner, with the strength of that evidence):

* ``run_spike``: a run longer than the longest run of the previous 30 days
  (by start time). Bands of the increase: up to 10% none, over 10-30% small,
  over 30-100% moderate, over 100% large. Frandsen et al. 2025 (Br J Sports
  Med, 5,205 Garmin runners, 18 months): overuse-injury hazard 1.64x, 1.52x
  and 2.28x for those bands. The strongest single signal.
* ``weekly_jump``: the running distance of a rolling 7 days more than 30%
  above the mean of the 3 weeks before it (Nielsen et al. 2014, JOSPT, 873
  novices: more knee, hip and shin overuse injuries above 30%). Flagged
  windows ending within 7 days of each other are one jump, reported once on
  its biggest window; ``date`` is the first day of that 7-day window. The
  clinic's 10% rule is shown as the convention it is: a 532-runner trial of
  a 10%-a-week programme found no difference in injuries (Buist et al. 2008, Am J Sports Med).
* ``pace_jump``: in a Monday-Sunday week, runs faster by more than 10% than
  comparable runs (same sport, 2/3 to 1.5 times the distance) of the 3 weeks
  before, or a sudden share of fast running (see :data:`FAST_SHARE_JUMP`).
* ``comeback``: running again after a break of 14 days or more (van der Worp
  et al. 2015, PLoS One: restarting running is a risk factor).
* ``shoes``: a pair past its limit (default 650 km, usual range 500-800 km);
  no study ties a distance to injury.

Percentages are rounded to 1e-6 before they are compared, so a run exactly
10% longer is "exactly 10%" despite binary floating point.
"""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import Iterable
from datetime import date, timedelta
from itertools import pairwise

from kneeguard.training.model import Run, Shoe, Warning, running_only
from kneeguard.training.series import DailySeries, daily_series, monday

SPIKE_WINDOW = timedelta(days=30)
#: (lower bound exclusive, severity), checked from the top.
SPIKE_BANDS: tuple[tuple[float, str], ...] = ((100.0, "large"), (30.0, "moderate"),
                                               (10.0, "small"))
WEEKLY_JUMP_PCT = 30.0
#: Flagged 7-day windows ending within this many days of each other are one jump.
EPISODE_GAP_DAYS = 7
PACE_JUMP_PCT = 10.0
#: A week's share of fast running (runs >10% faster than comparable ones) rising by more
#: than this many percentage points over the 3 weeks before. A kneeguard convention: no
#: study gives a threshold for the share of fast running.
FAST_SHARE_JUMP = 25.0
COMEBACK_REST_DAYS = 14
DEFAULT_SHOE_LIMIT_KM = 650.0
BASELINE_DAYS = 21

EVIDENCE = {
    "run_spike": (
        "Cohort study, 5,205 runners followed 18 months (Frandsen et al. 2025, Br J Sports "
        "Med): a run longer than the longest of the previous 30 days raised the overuse-"
        "injury hazard 1.64x (10-30% longer), 1.52x (30-100%) and 2.28x (over 100%)."),
    "weekly_jump": (
        "Cohort study, 873 novice runners (Nielsen et al. 2014, JOSPT): raising weekly "
        "distance by more than 30% led to more knee, hip and shin overuse injuries. The "
        "'10% rule' is a convention: a 532-runner trial of a 10%-a-week programme found no "
        "difference in injuries (Buist et al. 2008)."),
    "pace_jump": (
        "Convention, no threshold from a study: the clinic's rule is not to raise distance "
        "or speed by more than 10% a week; most running injuries are overuse (Arnold & "
        "Moody 2018, Am Fam Physician)."),
    "comeback": (
        "Systematic review (van der Worp et al. 2015, PLoS One): restarting running after "
        "a break is a risk factor for running injuries; return gradually."),
    "shoes": (
        "Convention, no study ties a distance to injury: shoes are usually replaced after "
        "500-800 km (van der Worp et al. 2015 found shoes worn 4-6 months associated with "
        "more injury in women). Rotating two pairs has been associated with fewer injuries "
        "(Malisoux et al. 2015, Scand J Med Sci Sports)."),
}


def _pct(current: float, basis: float) -> float:
    return round(100.0 * (current - basis) / basis, 6)


def spike_severity(increase_pct: float) -> str | None:
    """The Frandsen band of a run ``increase_pct`` percent over the 30-day longest."""
    for bound, severity in SPIKE_BANDS:
        if increase_pct > bound:
            return severity
    return None


def run_spikes(runs: Iterable[Run]) -> list[Warning]:
    """Runs longer than the longest run of the 30 days before them (sliding maximum).

    Only runs with a distance count: a zero-distance record is neither a spike
    nor a basis for one, and a run with no run in the 30 days before it has no
    basis (that is a comeback or the start of the history).
    """
    ordered = [r for r in running_only(list(runs)) if r.distance_m > 0]
    window: deque[Run] = deque()  # decreasing distance, all within the window
    found: list[Warning] = []
    for run in ordered:
        oldest = run.start_utc - SPIKE_WINDOW
        while window and window[0].start_utc < oldest:
            window.popleft()
        if window:
            longest = window[0].distance_m
            pct = _pct(run.distance_m, longest)
            severity = spike_severity(pct)
            if severity is not None:
                found.append(Warning(
                    "run_spike", run.local_day, severity,
                    f"Your {run.km:.1f} km run on {run.local_day.isoformat()} was "
                    f"{pct:.0f}% longer than your longest run of the 30 days before "
                    f"({longest / 1000:.1f} km).",
                    EVIDENCE["run_spike"]))
        while window and window[-1].distance_m <= run.distance_m:
            window.pop()
        window.append(run)
    return found


def weekly_jumps(series: DailySeries) -> list[Warning]:
    """Rolling 7-day running distance more than 30% over the mean of the 3 weeks before.

    Needs the 3 weeks before inside the history and a non-zero mean (after a
    break the comeback warning speaks instead).
    """
    prefix = [0.0]
    for km in series.km:
        prefix.append(prefix[-1] + km)
    found: list[Warning] = []
    best: tuple[float, int, float, float] | None = None  # pct, end index, week km, mean
    last_flagged = -EPISODE_GAP_DAYS - 1
    for end in range(27, len(series)):
        if best is not None and end - last_flagged > EPISODE_GAP_DAYS:
            found.append(_weekly_warning(series, *best))
            best = None
        week = prefix[end + 1] - prefix[end - 6]
        mean = (prefix[end - 6] - prefix[end - 27]) / 3.0
        if mean > 1e-9:
            pct = _pct(week, mean)
            if pct > WEEKLY_JUMP_PCT:
                last_flagged = end
                if best is None or pct > best[0]:
                    best = (pct, end, week, mean)
    if best is not None:
        found.append(_weekly_warning(series, *best))
    return found


def _weekly_warning(series: DailySeries, pct: float, end: int, week: float,
                    mean: float) -> Warning:
    first = series.day(end - 6)
    return Warning(
        "weekly_jump", first, "moderate",
        f"You ran {week:.1f} km in the 7 days from {first.isoformat()}, {pct:.0f}% more than "
        f"your average week of the 3 weeks before ({mean:.1f} km); more than 30% in a week "
        "is linked to overuse injuries (the popular 10% rule is only a convention).",
        EVIDENCE["weekly_jump"])


def comparable_speed_ratios(runs: Iterable[Run]) -> dict[int, float]:
    """For each running activity (by position in ``running_only`` order), its speed
    relative to comparable runs of the 21 days before its week's Monday.

    Comparable: same sport, at least 1 km and 60 s, a plausible speed (1-8 m/s),
    and between 2/3 and 1.5 times its distance. Needs at least two of them;
    runs without such a basis have no ratio.
    """
    ordered = running_only(list(runs))
    by_sport: dict[str, list[tuple[date, float, float]]] = {}
    for run in ordered:
        if _usable(run):
            by_sport.setdefault(run.sport, []).append(
                (run.local_day, run.distance_m, run.timer_s))
    days = {sport: [d for d, _, _ in rows] for sport, rows in by_sport.items()}
    ratios: dict[int, float] = {}
    for index, run in enumerate(ordered):
        if not _usable(run):
            continue
        rows = by_sport[run.sport]
        week_start = monday(run.local_day)
        lo = bisect.bisect_left(days[run.sport], week_start - timedelta(days=BASELINE_DAYS))
        hi = bisect.bisect_left(days[run.sport], week_start)
        distance = time = 0.0
        count = 0
        for _, d, t in rows[lo:hi]:
            if run.distance_m / 1.5 <= d <= run.distance_m * 1.5:
                distance += d
                time += t
                count += 1
        if count >= 2:
            ratios[index] = (run.distance_m / run.timer_s) / (distance / time)
    return ratios


def _usable(run: Run) -> bool:
    return (run.distance_m >= 1000.0 and run.timer_s >= 60.0
            and 1.0 <= run.distance_m / run.timer_s <= 8.0)


def pace_jumps(runs: Iterable[Run]) -> list[Warning]:
    """Weeks whose comparable runs were more than 10% faster, or suddenly often fast."""
    ordered = running_only(list(runs))
    ratios = comparable_speed_ratios(ordered)
    weeks: dict[date, list[tuple[float, float]]] = {}  # monday -> [(km, ratio)]
    for index, ratio in ratios.items():
        run = ordered[index]
        weeks.setdefault(monday(run.local_day), []).append((run.km, ratio))
    found: list[Warning] = []
    for week_start in sorted(weeks):
        rows = weeks[week_start]
        km = sum(k for k, _ in rows)
        pct = round(100.0 * (sum(k * r for k, r in rows) / km - 1.0), 6)
        share = 100.0 * sum(k for k, r in rows if round(r, 8) > 1.1) / km
        base_rows = [row for offset in (7, 14, 21)
                     for row in weeks.get(week_start - timedelta(days=offset), [])]
        base_km = sum(k for k, _ in base_rows)
        base_share = (100.0 * sum(k for k, r in base_rows if round(r, 8) > 1.1) / base_km
                      if base_km > 0 else 0.0)
        if pct > PACE_JUMP_PCT:
            found.append(Warning(
                "pace_jump", week_start, "moderate",
                f"In the week of {week_start.isoformat()} you ran {pct:.0f}% faster than in "
                "comparable runs of the 3 weeks before; raise speed as gradually as distance.",
                EVIDENCE["pace_jump"]))
        elif round(share - base_share, 6) > FAST_SHARE_JUMP:
            found.append(Warning(
                "pace_jump", week_start, "small",
                f"In the week of {week_start.isoformat()}, {share:.0f}% of your running was "
                f"more than 10% faster than usual, against {base_share:.0f}% in the 3 weeks "
                "before; add fast running gradually.",
                EVIDENCE["pace_jump"]))
    return found


def comebacks(runs: Iterable[Run]) -> list[Warning]:
    """The first run after 14 or more days without running."""
    days = sorted({r.local_day for r in runs if r.is_running and r.distance_m > 0})
    found: list[Warning] = []
    for previous, current in pairwise(days):
        rest = (current - previous).days - 1
        if rest >= COMEBACK_REST_DAYS:
            found.append(Warning(
                "comeback", current, "info",
                f"You ran again on {current.isoformat()} after {rest} days without running; "
                "come back gradually (`kneeguard plan` builds a walk-run return).",
                EVIDENCE["comeback"]))
    return found


def shoe_mileage(runs: Iterable[Run], shoes: Iterable[Shoe]) -> dict[str, float]:
    """Distance on each pair: its start distance plus every run in it."""
    total = {s.name: s.start_km for s in shoes}
    for run in runs:
        if run.is_running and run.shoe is not None:
            total[run.shoe] = total.get(run.shoe, 0.0) + run.km
    return total


def shoe_warnings(runs: Iterable[Run], shoes: Iterable[Shoe],
                  default_limit_km: float = DEFAULT_SHOE_LIMIT_KM) -> list[Warning]:
    """The day each pair went past its limit (its own, else ``default_limit_km``)."""
    by_name = {s.name: s for s in shoes}
    ordered = running_only(list(runs))
    used = {r.shoe for r in ordered if r.shoe is not None}
    distance = {name: by_name[name].start_km if name in by_name else 0.0 for name in used}
    warned: set[str] = set()
    found: list[Warning] = []
    for index, run in enumerate(ordered):
        name = run.shoe
        if name is None or name in warned:
            continue
        distance[name] += run.km
        shoe = by_name.get(name)
        limit = shoe.limit_km if shoe is not None and shoe.limit_km else default_limit_km
        if round(distance[name], 6) > limit:
            warned.add(name)
            recent: set[str] = set()
            for earlier in reversed(ordered[:index + 1]):
                if earlier.start_utc < run.start_utc - SPIKE_WINDOW:
                    break
                if earlier.shoe is not None:
                    recent.add(earlier.shoe)
            rotation = ("" if len(recent) > 1 else
                        " Rotating two pairs has been associated with fewer injuries.")
            found.append(Warning(
                "shoes", run.local_day, "info",
                f"Your shoes \"{name}\" passed {limit:.0f} km on {run.local_day.isoformat()} "
                f"({distance[name]:.0f} km); no study ties a distance to injury, but check "
                f"them for wear.{rotation}",
                EVIDENCE["shoes"]))
    return found


def training_warnings(runs: Iterable[Run], shoes: Iterable[Shoe] = (),
                      shoe_limit_km: float = DEFAULT_SHOE_LIMIT_KM,
                      series: DailySeries | None = None) -> list[Warning]:
    """Every warning of the history, by date (then kind)."""
    runs = list(runs)
    if not runs:
        return []
    if series is None:
        series = daily_series(runs)
    found = (run_spikes(runs) + weekly_jumps(series) + pace_jumps(runs) + comebacks(runs)
             + shoe_warnings(runs, shoes, shoe_limit_km))
    order = {"run_spike": 0, "weekly_jump": 1, "pace_jump": 2, "comeback": 3, "shoes": 4}
    return sorted(found, key=lambda w: (w.date, order[w.kind]))
