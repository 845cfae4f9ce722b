"""GPX 1.0 and 1.1 tracks -> activities.

GPX carries no timer and (mostly) no sport. Only tracks with times are
activities; a file whose tracks have no times is a route. Tracks less than
two hours apart form one activity, others a separate one. Heart rate and
cadence come from Garmin's TrackPointExtension or any extension element
named ``hr``/``cad``. The sport comes from the track's ``type`` when it
names one, else from the caller's hint (an export's own list), else from the
speed (see :mod:`kneeguard.activities.track`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from kneeguard.activities.model import RUNNING_SPORTS, Activity
from kneeguard.activities.sports import sport_from_name
from kneeguard.activities.track import (
    ANY_MAX_SPEED,
    RUNNING_MAX_SPEED,
    Track,
    distance_from_positions,
    first_value,
    infer_sport,
    offset_from_longitude,
    sort_by_time,
    summarise,
)
from kneeguard.activities.validate import check_start, instant
from kneeguard.activities.xmlsafe import (
    child,
    child_text,
    children,
    decode_text,
    floats,
    literal_findall,
    local,
    parse_times,
    parse_tree,
    uniform_records,
)
from kneeguard.errors import ActivityImportError

GROUP_GAP_S = 2 * 3600.0


@dataclass
class Segment:
    t: list[float | None] = field(default_factory=list)
    lat: list[float | None] = field(default_factory=list)
    lon: list[float | None] = field(default_factory=list)
    ele: list[float | None] = field(default_factory=list)
    hr: list[float | None] = field(default_factory=list)
    cad: list[float | None] = field(default_factory=list)


@dataclass
class GpxTrack:
    type: str | None
    segments: list[Segment]
    creator: str | None = None


_TRK = re.compile(r"<trk[\s>]")
_SEG = re.compile(r"<trkseg[\s>/]")
_PT = re.compile(
    r"""<trkpt\s+(?:lat\s*=\s*["']([^"']*)["']\s+lon\s*=\s*["']([^"']*)["']"""
    r"""|lon\s*=\s*["']([^"']*)["']\s+lat\s*=\s*["']([^"']*)["'])\s*"""
    r"""(?:/>|>\s*(?:<ele>([^<]*)</ele>\s*)?(?:<time>([^<]*)</time>)?(.*?)</trkpt>)""",
    re.S)
_HR = re.compile(r"<(?:\w+:)?(?:hr|heartrate)>\s*([0-9.]+)\s*</")
_CAD = re.compile(r"<(?:\w+:)?(?:cad|cadence)>\s*([0-9.]+)\s*</")
_TYPE = re.compile(r"<type>([^<]*)</type>")
_CREATOR = re.compile(r"""<gpx\b[^>]*\bcreator\s*=\s*["']([^"']*)["']""")


def _fast(text: str) -> list[GpxTrack] | None:
    """Tracks by regular expressions, or None when the document is not canonical."""
    if "<gpx" not in text or ":trkpt" in text:
        return None
    tracks: list[GpxTrack] = []
    starts = [m.start() for m in _TRK.finditer(text)]
    for k, s in enumerate(starts):
        chunk = text[s:starts[k + 1] if k + 1 < len(starts) else len(text)]
        seg_starts = [m.start() for m in _SEG.finditer(chunk)]
        head = chunk[:seg_starts[0]] if seg_starts else chunk
        kind = _TYPE.search(head)
        segments: list[Segment] = []
        for j, ss in enumerate(seg_starts):
            body = chunk[ss:seg_starts[j + 1] if j + 1 < len(seg_starts) else len(chunk)]
            seg = _rows(body) or _columns(body)
            if seg is not None:
                segments.append(seg)
                continue
            found = _PT.findall(body)
            opened = body.count("<trkpt")
            if len(found) != opened and not (len(found) == opened - 1 and "</gpx>" not in text):
                return None
            seg = Segment()
            if found:
                cols = list(zip(*found, strict=True))
                lat1, lon1, lon2, lat2, ele, times, rest = cols
                if any(lon2):
                    lat_s = [a or b for a, b in zip(lat1, lat2, strict=True)]
                    lon_s = [a or b for a, b in zip(lon1, lon2, strict=True)]
                else:
                    lat_s, lon_s = list(lat1), list(lon1)
                if any(not t and "<time" in r for t, r in zip(times, rest, strict=True)):
                    return None  # elements out of schema order
                seg.lat, seg.lon = floats(lat_s), floats(lon_s)
                seg.ele = floats(list(ele)) if any(ele) else [None] * len(found)
                seg.t = parse_times(list(times)) if all(times) else [
                    parse_times([t])[0] if t else None for t in times]
                seg.hr = _ext_column(_HR, rest, body)
                seg.cad = _ext_column(_CAD, rest, body)
            segments.append(seg)
        tracks.append(GpxTrack(kind.group(1).strip() if kind else None, segments))
    return tracks


_LATLON = re.compile(r'<trkpt lat="([^"]*)" lon="([^"]*)">')
_ELE = re.compile(r"<ele>([^<]*)</ele>")
_TIME = re.compile(r"<time>([^<]*)</time>")


_ROW_COLUMNS = {"lat": "lat", "lon": "lon", "ele": "ele", "time": "t", "hr": "hr",
                "heartrate": "hr", "cad": "cad", "cadence": "cad"}


def _rows(body: str) -> Segment | None:
    """Every point in one pass when all are laid out like the first; else None."""
    found = uniform_records(body, "<trkpt", "</trkpt>")
    if found is None:
        return None
    names, rows = found
    cols: dict[str, tuple[str, ...]] = {}
    for (parent, name), values in zip(names, zip(*rows, strict=True), strict=True):
        key = _ROW_COLUMNS.get(name)
        if key in ("lat", "lon", "ele", "t") and parent != "trkpt":
            key = None  # e.g. a <time> inside the extensions
        if key is not None and key not in cols:
            cols[key] = values
    if "t" not in cols or "lat" not in cols or "lon" not in cols:
        return None
    missing: list[float | None] = [None] * len(rows)

    def col(key: str) -> list[float | None]:
        return floats(cols[key]) if key in cols else missing
    return Segment(parse_times(cols["t"]), col("lat"), col("lon"), col("ele"), col("hr"),
                   col("cad"))


def _columns(body: str) -> Segment | None:
    """The commonest layout, one column per regex; None unless every point matches."""
    n = body.count("<trkpt")
    pos = _LATLON.findall(body)
    times = _TIME.findall(body)
    if len(pos) != n or len(times) != n or n == 0:
        return None
    ele = _ELE.findall(body)
    if len(ele) not in (0, n):
        return None
    hr = literal_findall(_HR, body)
    cad = literal_findall(_CAD, body)
    if len(hr) not in (0, n) or len(cad) not in (0, n):
        return None
    lat, lon = zip(*pos, strict=True)
    missing: list[float | None] = [None] * n
    return Segment(parse_times(times), floats(list(lat)), floats(list(lon)),
                   floats(ele) if ele else missing, floats(hr) if hr else missing,
                   floats(cad) if cad else missing)


def _ext_column(pattern: re.Pattern[str], rest: tuple[str, ...], body: str
                ) -> list[float | None]:
    values = literal_findall(pattern, body)
    if not values:
        return [None] * len(rest)
    if len(values) == len(rest):
        return floats(values)
    out: list[float | None] = []
    for r in rest:
        m = pattern.search(r)
        out.append(float(m.group(1)) if m else None)
    return out


def _tree(text: str) -> list[GpxTrack]:
    root = parse_tree(text)
    if local(root.tag) != "gpx":
        raise ActivityImportError("not a GPX document")
    tracks: list[GpxTrack] = []
    for trk in children(root, "trk"):
        segments = []
        for trkseg in children(trk, "trkseg"):
            seg = Segment()
            for pt in children(trkseg, "trkpt"):
                seg.lat.append(_num(pt.get("lat")))
                seg.lon.append(_num(pt.get("lon")))
                seg.ele.append(_num(child_text(pt, "ele")))
                time = child_text(pt, "time")
                seg.t.append(parse_times([time])[0] if time else None)
                hr = cad = None
                ext = child(pt, "extensions")
                if ext is not None:
                    for e in ext.iter():
                        name = local(e.tag).lower()
                        if name in ("hr", "heartrate"):
                            hr = _num(e.text)
                        elif name in ("cad", "cadence"):
                            cad = _num(e.text)
                seg.hr.append(hr)
                seg.cad.append(cad)
            segments.append(seg)
        tracks.append(GpxTrack(child_text(trk, "type"), segments))
    return tracks


def _num(value: Any) -> float | None:
    return floats([value.strip()])[0] if isinstance(value, str) and value.strip() else None


def read_gpx(data: bytes, sport_hint: str | None = None) -> list[Activity]:
    """The activities of a GPX file; raises ActivityImportError with the reason if none."""
    text = decode_text(data)
    tracks = _fast(text)
    if tracks is None:
        tracks = _tree(text)
    truncated = "</gpx>" not in text[-200:] and "</gpx>" not in text
    creator = _CREATOR.search(text[:4000])
    points = sum(len(s.t) for tr in tracks for s in tr.segments)
    if points == 0:
        raise ActivityImportError("no track points (only routes or waypoints): not an activity")
    timed = [tr for tr in tracks if any(v is not None for s in tr.segments for v in s.t)]
    if not timed:
        raise ActivityImportError(
            f"a route without times ({points} points, none with a time): planned, not recorded")
    groups: list[list[GpxTrack]] = []
    last_end = None
    for tr in sorted(timed, key=_track_start):
        if groups and last_end is not None and _track_start(tr) - last_end <= GROUP_GAP_S:
            groups[-1].append(tr)
        else:
            groups.append([tr])
        last_end = max(v for s in tr.segments for v in s.t if v is not None)
    activities: list[Activity] = []
    reasons: list[str] = []
    for leg, group in enumerate(groups):
        try:
            act = _activity(group, sport_hint, leg)
        except ActivityImportError as exc:
            reasons.append(exc.message)
            continue
        act.device = creator.group(1) if creator else None
        if truncated:
            act.incomplete = True
            act.incomplete_reason = ("the GPX document is cut off; the points before the cut "
                                     "are kept")
        activities.append(act)
    if not activities:
        raise ActivityImportError(reasons[0])
    return activities


def _track_start(tr: GpxTrack) -> float:
    return min(v for s in tr.segments for v in s.t if v is not None)


def _activity(group: list[GpxTrack], sport_hint: str | None, leg: int) -> Activity:
    t: list[float | None] = []
    lat: list[float | None] = []
    lon: list[float | None] = []
    ele: list[float | None] = []
    hr: list[float | None] = []
    cad: list[float | None] = []
    breaks: list[int] = []
    for tr in group:
        for s in tr.segments:
            breaks.append(len(t))
            t += s.t
            lat += s.lat
            lon += s.lon
            ele += s.ele
            hr += s.hr
            cad += s.cad
    timed_count = sum(v is not None for v in t)
    if timed_count < 2:
        raise ActivityImportError(f"too few timed points ({timed_count}): not an activity")
    marks = [0.0] * len(t)
    for b in breaks:
        marks[b] = 1.0
    raw = Track(t, d=marks, alt=ele, hr=hr, lat=lat, lon=lon)  # type: ignore[arg-type]
    track = sort_by_time(raw)
    assert track.d is not None
    cut = [i for i, m in enumerate(track.d) if m]
    start = instant(track.start)
    problem = check_start(start)
    if problem:
        raise ActivityImportError(problem)
    named = sport_from_name(group[0].type)
    distance, fastest = distance_from_positions(track, ANY_MAX_SPEED, cut)
    track.d = None
    summary = summarise(track, distance)
    sport = named or sport_from_name(sport_hint) or infer_sport(
        summary.distance_m, summary.timer_s, summary.elevation_gain_m)
    if sport in RUNNING_SPORTS and fastest > RUNNING_MAX_SPEED:
        distance, _ = distance_from_positions(track, RUNNING_MAX_SPEED, cut)
        summary = summarise(track, distance)
    cads = [c for c in cad if c is not None]
    avg_cad = sum(cads) / len(cads) if cads else None
    if avg_cad is not None and sport in ("running", "trail_running", "treadmill_running",
                                         "walking", "hiking") and avg_cad < 120:
        avg_cad *= 2  # Garmin writes strides per minute per leg
    return Activity(
        sport=sport,
        start_utc=start,
        utc_offset_s=offset_from_longitude(first_value(track.lon)),
        avg_cadence=None if avg_cad is None else round(avg_cad, 1),
        leg=leg,
        **summary.activity_fields(),
    )
