"""Summaries computed from a track: distance, timer time, splits, climb, sport guess.

A :class:`Track` holds the samples of one activity as parallel columns.
Readers hand over raw numbers with a scale (FIT stores centimetres and
fifths of a metre) so that the hot path converts only the few values at
kilometre boundaries instead of every sample; columns may hold ``None``
where a sample lacks a value. Everything here works on whole columns with
C-level helpers (``bisect``, ``map``, ``itertools.accumulate``) and falls
back to plain loops only when a column has gaps.

Rules (docs/importing.md repeats them for runners):

- Distance from positions uses the same flat-earth formula as gpxpy's 2-D
  length, summed within segments; a step that implies more than
  ``max_speed`` (10 m/s for running) is a GPS jump and adds nothing.
- Timer time leaves out pauses: a gap between two samples counts when it is
  at most 30 s, or when the runner covered at least 1 m/s across it (sparse
  "smart" recording while moving).
- The sport of a track without one (GPX, TCX "Other") is guessed from the
  moving speed: 16 km/h or faster is cycling, never running; 7 to 16 km/h is
  running; slower is hiking when it climbs at least 25 m per km (or 300 m in
  all), else walking.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate
from operator import le, sub
from typing import Any, TypeGuard

from kneeguard.activities.model import Split

PAUSE_GAP_S = 30.0
PAUSE_MOVING_SPEED = 1.0
RUNNING_MAX_SPEED = 10.0
ANY_MAX_SPEED = 60.0
MAX_SPLITS = 2000  # km; a damaged distance column must not make millions of splits
EARTH_RADIUS_M = 6378.137 * 1000.0
ONE_DEGREE_M = 2 * math.pi * EARTH_RADIUS_M / 360.0  # gpxpy's length of a degree, 111.319 km

Column = Sequence[float | None]


@dataclass
class Track:
    """Parallel sample columns; SI value = raw / scale - offset (times: raw + t_offset)."""

    t: Sequence[float]
    t_offset: float = 0.0
    d: Column | None = None
    d_scale: float = 1.0
    alt: Column | None = None
    alt_scale: float = 1.0
    alt_offset: float = 0.0
    hr: Column | None = None
    lat: Column | None = None
    lon: Column | None = None
    pos_scale: float = 1.0

    def __len__(self) -> int:
        return len(self.t)

    @property
    def start(self) -> float:
        return self.t[0] + self.t_offset

    @property
    def end(self) -> float:
        return self.t[-1] + self.t_offset

    def slice(self, first: int, last: int) -> Track:
        """The samples with index in [first, last)."""
        def cut(col: Column | None) -> Column | None:
            return None if col is None else col[first:last]
        return Track(self.t[first:last], self.t_offset, cut(self.d), self.d_scale, cut(self.alt),
                     self.alt_scale, self.alt_offset, cut(self.hr), cut(self.lat), cut(self.lon),
                     self.pos_scale)

    def between(self, start: float, end: float) -> Track:
        """The samples whose instant lies in [start, end] (unix seconds)."""
        first = bisect_left(self.t, start - self.t_offset)
        last = bisect_left(self.t, end - self.t_offset + 1e-6)
        return self.slice(first, last)


def has_gaps(col: Column | None) -> bool:
    return col is not None and None in col


def usable(col: Column | None) -> TypeGuard[Column]:
    """A column with at least one value."""
    return col is not None and any(v is not None for v in col)


def forward_fill(col: Column) -> list[float]:
    """Replace missing values by the previous one (the first known value at the start)."""
    first = next((v for v in col if v is not None), 0.0)
    out: list[float] = []
    last = first
    for v in col:
        if v is not None:
            last = v
        out.append(last)
    return out


def monotonic(col: Sequence[float]) -> Sequence[float]:
    """The column itself when it never decreases, else its running maximum."""
    if all(map(le, col[:-1], col[1:])):
        return col
    return list(accumulate(col, max))


def sort_by_time(track: Track) -> Track:
    """Drop samples without a time and samples that go back in time."""
    t = track.t
    if None not in t and all(map(le, t[:-1], t[1:])):
        return track
    keep: list[int] = []
    last = -math.inf
    for i, v in enumerate(t):
        if v is not None and v >= last:
            keep.append(i)
            last = v

    def pick(col: Column | None) -> Column | None:
        return None if col is None else [col[i] for i in keep]
    return Track([t[i] for i in keep], track.t_offset, pick(track.d), track.d_scale,
                 pick(track.alt), track.alt_scale, track.alt_offset, pick(track.hr),
                 pick(track.lat), pick(track.lon), track.pos_scale)


def flat_distance(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """gpxpy's 2-D distance: flat earth for short steps, haversine for long ones."""
    if abs(lat1 - lat2) < 0.2 and abs(lon1 - lon2) < 0.2:
        coef = math.cos(math.radians(lat1))
        x = lat1 - lat2
        y = (lon1 - lon2) * coef
        return math.sqrt(x * x + y * y) * ONE_DEGREE_M
    d_lat = math.radians(lat2 - lat1)
    d_lon = math.radians(lon2 - lon1)
    a = (math.sin(d_lat / 2) ** 2 + math.cos(math.radians(lat1)) * math.cos(math.radians(lat2))
         * math.sin(d_lon / 2) ** 2)
    a = min(max(a, 0.0), 1.0)  # rounding can push it past 1 for antipodal or odd positions
    return EARTH_RADIUS_M * 2 * math.atan2(math.sqrt(a), math.sqrt(1 - a))


def distance_from_positions(track: Track, max_speed: float = ANY_MAX_SPEED,
                            breaks: Sequence[int] = ()) -> tuple[list[float], float]:
    """Cumulative distance (m) per sample from positions, dropping GPS jumps.

    ``breaks`` are sample indexes that start a new segment: no distance is
    counted from the sample before them. Also returns the fastest step kept
    (m/s), so a caller can tell whether a stricter limit would change anything.
    """
    lat, lon, t = track.lat, track.lon, track.t
    assert lat is not None and lon is not None
    scale = track.pos_scale
    cos, sqrt = math.cos, math.sqrt
    out: list[float] = []
    append = out.append
    total = 0.0
    fastest = 0.0
    have_prev = False
    pla = plo = pt = 0.0
    cut = set(breaks)
    k = math.pi / 180.0
    for i, (la, lo, ti) in enumerate(zip(lat, lon, t, strict=True)):
        if i in cut:
            have_prev = False
        if la is None or lo is None:
            append(total)
            continue
        la *= scale
        lo *= scale
        if have_prev:
            x = pla - la
            y = plo - lo
            if -0.2 < x < 0.2 and -0.2 < y < 0.2:
                y *= cos(pla * k)
                step = sqrt(x * x + y * y) * ONE_DEGREE_M
            else:
                step = flat_distance(pla, plo, la, lo)
            dt = ti - pt
            speed = step / dt if dt >= 1.0 else step
            if speed <= max_speed:
                total += step
                if speed > fastest:
                    fastest = speed
        pla, plo, pt = la, lo, ti
        have_prev = True
        append(total)
    return out, fastest


def moving_times(t: Sequence[float], d: Sequence[float] | None, d_scale: float = 1.0
                 ) -> Sequence[float]:
    """Cumulative timer time per sample (pauses left out), relative to any origin."""
    if len(t) < 2 or max(map(sub, t[1:], t[:-1])) <= PAUSE_GAP_S:
        return t
    out = [0.0]
    total = 0.0
    for i in range(1, len(t)):
        dt = t[i] - t[i - 1]
        if dt <= PAUSE_GAP_S or (
                d is not None and (d[i] - d[i - 1]) / d_scale >= PAUSE_MOVING_SPEED * dt):
            total += dt
        out.append(total)
    return out


def climb(values: Sequence[float], first: int, last: int) -> float:
    """The sum of rises between samples ``first`` and ``last`` (raw units).

    A rise is the positive part of a step, (step + |step|) / 2; the steps
    telescope, so their sum is ``values[last] - values[first]`` and only the
    absolute steps need summing, which runs in C without a list per sample.
    """
    if last <= first:
        return 0.0
    rises: float = sum(map(abs, map(sub, values[first + 1:last + 1], values[first:last])))
    return max(0.0, (values[last] - values[first] + rises) / 2.0)


@dataclass
class TrackSummary:
    distance_m: float
    timer_s: float
    elapsed_s: float
    elevation_gain_m: float | None
    avg_hr: float | None
    splits: list[Split]

    def activity_fields(self) -> dict[str, Any]:
        """The summary as :class:`~kneeguard.activities.model.Activity` stores it (rounded)."""
        gain, hr = self.elevation_gain_m, self.avg_hr
        return {"distance_m": round(self.distance_m, 2), "timer_s": round(self.timer_s, 3),
                "elapsed_s": round(self.elapsed_s, 3),
                "elevation_gain_m": None if gain is None else round(gain, 1),
                "avg_hr": None if hr is None else round(hr, 1), "splits": self.splits}


def _mean(values: Sequence[float | None]) -> float | None:
    if None in values:
        values = [v for v in values if v is not None]
    if not values:
        return None
    return sum(values) / len(values)  # type: ignore[arg-type]


def summarise(track: Track, distance: Sequence[float] | None = None,
              d_scale: float | None = None) -> TrackSummary:
    """Distance, timer, elapsed, climb, mean heart rate and 1 km splits of a track.

    ``distance`` (cumulative, raw with ``d_scale``) overrides the track's own
    distance column, e.g. one computed from positions.
    """
    t = track.t
    if distance is None:
        d_raw = track.d
        scale = track.d_scale
    else:
        d_raw, scale = distance, (1.0 if d_scale is None else d_scale)
    d: Sequence[float] | None = None
    if d_raw is not None and usable(d_raw):
        filled = forward_fill(d_raw) if None in d_raw else d_raw
        d = monotonic(filled)  # type: ignore[arg-type]
    tm = moving_times(t, d, scale)
    timer = float(tm[-1] - tm[0]) if len(t) > 1 else 0.0
    elapsed = float(t[-1] - t[0]) if len(t) > 1 else 0.0
    alt: Sequence[float] | None = None
    if usable(track.alt):
        alt = forward_fill(track.alt) if None in track.alt else track.alt  # type: ignore[assignment]
    hr = track.hr if usable(track.hr) else None
    total_d = float(d[-1] - d[0]) / scale if d else 0.0
    splits: list[Split] = []
    climbed = 0.0  # raw units, summed split by split
    last_i = 0
    if d and total_d > 0:
        base = d[0]
        prev_i, prev_time, prev_d = 0, float(tm[0]), 0.0
        k = 1
        while True:
            target = min(k * 1000.0, total_d)
            raw = base + target * scale
            i = bisect_left(d, raw - 1e-9, lo=prev_i)
            if i >= len(d):
                i = len(d) - 1
            if i == 0:
                at = float(tm[0])
            else:
                span = d[i] - d[i - 1]
                frac = (raw - d[i - 1]) / span if span > 0 else 1.0
                at = tm[i - 1] + frac * (tm[i] - tm[i - 1])
            gain = None
            if alt is not None:
                rise = climb(alt, prev_i, i)
                climbed += rise
                gain = rise / track.alt_scale
            avg_hr = _mean(hr[prev_i:i + 1]) if hr is not None else None
            splits.append(Split(k - 1, round(target - prev_d, 2), round(at - prev_time, 3),
                                None if avg_hr is None else round(avg_hr, 1),
                                None if gain is None else round(gain, 1)))
            last_i = i
            if target >= total_d or k >= MAX_SPLITS:
                break
            prev_i, prev_time, prev_d = i, at, target
            k += 1
    return TrackSummary(
        distance_m=total_d,
        timer_s=timer,
        elapsed_s=elapsed,
        elevation_gain_m=(None if alt is None
                          else (climbed + climb(alt, last_i, len(alt) - 1)) / track.alt_scale),
        avg_hr=_mean(hr) if hr is not None else None,
        splits=splits,
    )


def infer_sport(distance_m: float, timer_s: float, elevation_gain_m: float | None) -> str:
    """The sport of a track that names none, from its moving speed (see module docstring)."""
    if timer_s <= 0:
        return "other"
    kmh = distance_m / timer_s * 3.6
    if kmh >= 16.0:
        return "cycling"
    if kmh >= 7.0:
        return "running"
    gain = elevation_gain_m or 0.0
    km = max(distance_m / 1000.0, 0.1)
    if gain / km >= 25.0 or gain >= 300.0:
        return "hiking"
    return "walking"


def offset_from_longitude(lon: float | None) -> int:
    """A local UTC offset guessed from longitude (solar time, whole hours)."""
    if lon is None or not -180.0 <= lon <= 180.0:
        return 0
    return round(lon / 15.0) * 3600


def first_value(col: Column | None, scale: float = 1.0) -> float | None:
    if col is None:
        return None
    for v in col:
        if v is not None:
            return v * scale
    return None
