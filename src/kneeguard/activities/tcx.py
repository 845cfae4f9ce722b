"""TCX (Garmin Training Center) activities -> activities.

Lap totals are the timer and distance truth (``TotalTimeSeconds`` and
``DistanceMeters`` of each lap summed); the track points give the splits,
heart rate and the wall-clock span. Each ``Activity`` element is one
activity. Sport: Running and Biking as named, Other from the caller's hint
or the speed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kneeguard.activities.model import RUNNING_SPORTS, Activity
from kneeguard.activities.sports import sport_from_name
from kneeguard.activities.track import (
    RUNNING_MAX_SPEED,
    Track,
    distance_from_positions,
    first_value,
    infer_sport,
    offset_from_longitude,
    sort_by_time,
    summarise,
    usable,
)
from kneeguard.activities.validate import amount, check_start, instant
from kneeguard.activities.xmlsafe import (
    child,
    child_text,
    children,
    decode_text,
    descendant_text,
    floats,
    literal_findall,
    local,
    parse_time,
    parse_times,
    parse_tree,
    to_float,
    uniform_records,
)
from kneeguard.errors import ActivityImportError

CADENCE_PER_LEG = {"running", "trail_running", "treadmill_running", "walking", "hiking"}


@dataclass
class Lap:
    start: float | None
    time_s: float | None
    distance_m: float | None
    avg_hr: float | None = None
    cadence: float | None = None


@dataclass
class TcxActivity:
    sport: str | None
    id: str | None
    laps: list[Lap] = field(default_factory=list)
    t: list[float | None] = field(default_factory=list)
    lat: list[float | None] = field(default_factory=list)
    lon: list[float | None] = field(default_factory=list)
    alt: list[float | None] = field(default_factory=list)
    dist: list[float | None] = field(default_factory=list)
    hr: list[float | None] = field(default_factory=list)
    cadence: list[float] = field(default_factory=list)
    creator: str | None = None
    first_lon: float | None = None  # when the fast path leaves positions out (see _rows)


_ACT = re.compile(r"""<Activity\s+Sport\s*=\s*["']([^"']*)["']\s*>""")
_ID = re.compile(r"<Id>([^<]*)</Id>")
_LAP = re.compile(
    r"""<Lap\s+StartTime\s*=\s*["']([^"']*)["']\s*>\s*<TotalTimeSeconds>([^<]*)"""
    r"""</TotalTimeSeconds>\s*<DistanceMeters>([^<]*)</DistanceMeters>(.*?)(?=<Track>|</Lap>)""",
    re.S)
_TP = re.compile(
    r"<Trackpoint>\s*<Time>([^<]*)</Time>\s*"
    r"(?:<Position>\s*<LatitudeDegrees>([^<]*)</LatitudeDegrees>\s*"
    r"<LongitudeDegrees>([^<]*)</LongitudeDegrees>\s*</Position>\s*)?"
    r"(?:<AltitudeMeters>([^<]*)</AltitudeMeters>\s*)?"
    r"(?:<DistanceMeters>([^<]*)</DistanceMeters>\s*)?"
    r"(?:<HeartRateBpm[^>]*>\s*<Value>([^<]*)</Value>\s*</HeartRateBpm>\s*)?"
    r"(?:<Cadence>[^<]*</Cadence>\s*)?(?:<SensorState>[^<]*</SensorState>\s*)?"
    r"(?:<Extensions>.*?</Extensions>\s*)?</Trackpoint>", re.S)
_LAP_HR = re.compile(r"<AverageHeartRateBpm[^>]*>\s*<Value>([^<]*)</Value>")
_LAP_CAD = re.compile(r"<(?:Cadence|(?:\w+:)?AvgRunCadence)>([^<]*)</")
_RUN_CAD = re.compile(r"<(?:\w+:)?RunCadence>([0-9.]+)</")
_BIKE_CAD = re.compile(r"<Cadence>([0-9.]+)</Cadence>")
_CREATOR = re.compile(r"<Creator\b[^>]*>\s*<Name>([^<]*)</Name>")


def _matches(pattern: re.Pattern[str], text: str, literal: str) -> list[re.Match[str]] | None:
    """``pattern`` matched at every occurrence of ``literal`` (its start), or None if one fails.

    ``str.find`` skips through the document much faster than a regex search
    for a tag that starts with ``<``, the commonest character in XML.
    """
    out = []
    at = text.find(literal)
    while at >= 0:
        m = pattern.match(text, at)
        if m is None:
            return None
        out.append(m)
        at = text.find(literal, at + 1)
    return out


def _fast(text: str) -> list[TcxActivity] | None:
    if not re.search(r"<TrainingCenterDatabase[\s>]", text):
        return None
    truncated = text.rfind("</TrainingCenterDatabase>") < 0
    starts = _matches(_ACT, text, "<Activity ")
    if not starts:
        return None
    out: list[TcxActivity] = []
    for k, m in enumerate(starts):
        end = starts[k + 1].start() if k + 1 < len(starts) else len(text)
        chunk = text[m.start():end]
        ident = _ID.search(chunk)
        act = TcxActivity(m.group(1), ident.group(1).strip() if ident else None)
        laps = _matches(_LAP, chunk, "<Lap ")
        if laps is None:
            if not truncated:
                return None
            laps = [lap for lap in _LAP.finditer(chunk)]
        for start, time_s, distance, head in (lap.groups() for lap in laps):
            lap_hr = _LAP_HR.search(head)
            lap_cad = _LAP_CAD.search(head)
            act.laps.append(Lap(parse_time(start), to_float(time_s), to_float(distance),
                                to_float(lap_hr.group(1)) if lap_hr else None,
                                to_float(lap_cad.group(1)) if lap_cad else None))
        if not truncated and (_rows(act, chunk) or _columns(act, chunk)):
            out.append(act)
            continue
        points = _TP.findall(chunk)
        opened = chunk.count("<Trackpoint>")
        if len(points) != opened and not (truncated and len(points) >= opened - 1):
            return None
        if points:
            times, lat, lon, alt, dists, hrs = (list(c) for c in zip(*points, strict=True))
            act.t = parse_times(times)
            act.lat, act.lon = floats(lat), floats(lon)
            act.alt, act.dist, act.hr = floats(alt), floats(dists), floats(hrs)
        cad_values = literal_findall(_RUN_CAD, chunk) or _BIKE_CAD.findall(chunk)
        act.cadence = [v for v in floats(cad_values) if v is not None]
        out.append(act)
    return out


_COLS = {name: re.compile(f"<{name}>([^<]*)</{name}>") for name in
         ("Time", "LatitudeDegrees", "LongitudeDegrees", "AltitudeMeters", "DistanceMeters")}
_VALUE = re.compile(r"<Value>([^<]*)</Value>")


_ROW_COLUMNS = {("Trackpoint", "Time"): "t", ("Position", "LatitudeDegrees"): "lat",
                ("Position", "LongitudeDegrees"): "lon", ("Trackpoint", "AltitudeMeters"): "alt",
                ("Trackpoint", "DistanceMeters"): "dist", ("HeartRateBpm", "Value"): "hr",
                ("Trackpoint", "Cadence"): "bike_cad"}


def _rows(act: TcxActivity, chunk: str) -> bool:
    """Fill the points in one pass when every track point is laid out like the first.

    Positions are only read when the points carry no complete distance (they
    then give it); otherwise only the first longitude is kept, for the UTC
    offset.
    """
    found = uniform_records(chunk, "<Trackpoint>", "</Trackpoint>")
    if found is None:
        return False
    names, rows = found
    cols: dict[str, tuple[str, ...]] = {}
    for name, values in zip(names, zip(*rows, strict=True), strict=True):
        key = "run_cad" if name[1] == "RunCadence" else _ROW_COLUMNS.get(name)
        if key is not None and key not in cols:
            cols[key] = values
    if "t" not in cols:
        return False
    n = len(rows)
    missing: list[float | None] = [None] * n

    def col(key: str) -> list[float | None]:
        return floats(cols[key]) if key in cols else missing
    act.t = parse_times(cols["t"])
    act.alt, act.dist, act.hr = col("alt"), col("dist"), col("hr")
    if "dist" in cols and None not in act.dist:
        act.lat, act.lon = [], []
        act.first_lon = to_float(next((v for v in cols.get("lon", ()) if v.strip()), None))
    else:
        act.lat, act.lon = col("lat"), col("lon")
    cadence = cols.get("run_cad") or cols.get("bike_cad") or ()
    act.cadence = [v for v in floats(cadence) if v is not None]
    return True


def _columns(act: TcxActivity, chunk: str) -> bool:
    """Fill the points one column per regex; False unless every column fits every point."""
    parts = []
    at = chunk.find("<Track>")
    while at >= 0:
        end = chunk.find("</Track>", at)
        if end < 0:
            return False
        parts.append(chunk[at + 7:end])
        at = chunk.find("<Track>", end)
    points = "".join(parts)
    n = points.count("<Trackpoint>")
    if n == 0 or n != chunk.count("<Trackpoint>"):
        return False
    cols: dict[str, list[str]] = {name: rx.findall(points) for name, rx in _COLS.items()}
    cols["hr"] = _VALUE.findall(points)
    if len(cols["Time"]) != n or any(len(v) not in (0, n) for v in cols.values()):
        return False
    missing: list[float | None] = [None] * n

    def col(name: str) -> list[float | None]:
        return floats(cols[name]) if cols[name] else missing
    act.t = parse_times(cols["Time"])
    act.lat, act.lon = col("LatitudeDegrees"), col("LongitudeDegrees")
    act.alt, act.dist, act.hr = col("AltitudeMeters"), col("DistanceMeters"), col("hr")
    cad_values = literal_findall(_RUN_CAD, points) or _BIKE_CAD.findall(points)
    act.cadence = [v for v in floats(cad_values) if v is not None]
    return True


def _tree(text: str) -> list[TcxActivity]:
    root = parse_tree(text)
    if local(root.tag) != "TrainingCenterDatabase":
        raise ActivityImportError("not a TCX document")
    out: list[TcxActivity] = []
    for acts in children(root, "Activities"):
        for a in children(acts, "Activity"):
            act = TcxActivity(a.get("Sport"), child_text(a, "Id"))
            for lap in children(a, "Lap"):
                hr = child(lap, "AverageHeartRateBpm")
                act.laps.append(Lap(parse_time(lap.get("StartTime")),
                                    to_float(child_text(lap, "TotalTimeSeconds")),
                                    to_float(child_text(lap, "DistanceMeters")),
                                    to_float(child_text(hr, "Value")) if hr is not None else None,
                                    to_float(child_text(lap, "Cadence"))))
                for track in children(lap, "Track"):
                    for tp in children(track, "Trackpoint"):
                        act.t.append(parse_time(child_text(tp, "Time")))
                        pos = child(tp, "Position")
                        act.lat.append(to_float(child_text(pos, "LatitudeDegrees"))
                                       if pos is not None else None)
                        act.lon.append(to_float(child_text(pos, "LongitudeDegrees"))
                                       if pos is not None else None)
                        act.alt.append(to_float(child_text(tp, "AltitudeMeters")))
                        act.dist.append(to_float(child_text(tp, "DistanceMeters")))
                        bpm = child(tp, "HeartRateBpm")
                        act.hr.append(to_float(child_text(bpm, "Value"))
                                      if bpm is not None else None)
                        cad = to_float(descendant_text(tp, "RunCadence")
                                       or child_text(tp, "Cadence"))
                        if cad is not None:
                            act.cadence.append(cad)
            out.append(act)
    return out


def read_tcx(data: bytes, sport_hint: str | None = None) -> list[Activity]:
    """The activities of a TCX file; raises ActivityImportError with the reason if none."""
    text = decode_text(data)
    parsed = _fast(text)
    if parsed is None:
        parsed = _tree(text)
    truncated = "</TrainingCenterDatabase>" not in text
    creator = _CREATOR.search(text)
    if not parsed:
        raise ActivityImportError("the TCX file holds no activity")
    activities: list[Activity] = []
    reasons: list[str] = []
    for leg, act in enumerate(parsed):
        try:
            activity = _activity(act, sport_hint, leg)
        except ActivityImportError as exc:
            reasons.append(exc.message)
            continue
        activity.device = creator.group(1).strip() if creator else None
        if truncated:
            activity.incomplete = True
            activity.incomplete_reason = ("the TCX document is cut off; laps and points before "
                                          "the cut are kept")
        activities.append(activity)
    if not activities:
        raise ActivityImportError(reasons[0])
    return activities


def _activity(act: TcxActivity, sport_hint: str | None, leg: int) -> Activity:
    positions = len(act.lat) == len(act.t)  # the fast path may leave them out
    track = sort_by_time(Track(act.t, d=act.dist, alt=act.alt, hr=act.hr,  # type: ignore[arg-type]
                               lat=act.lat if positions else None,
                               lon=act.lon if positions else None))
    starts = [x for x in [parse_time(act.id)] + [lap.start for lap in act.laps]
              if x is not None]
    if len(track):
        starts.append(track.start)
    if not starts:
        raise ActivityImportError("the TCX activity has no time")
    start = min(starts) if parse_time(act.id) is None else parse_time(act.id)
    assert start is not None
    start_dt = instant(start)
    problem = check_start(start_dt)
    if problem:
        raise ActivityImportError(problem)
    if not act.laps and len(track) < 2:
        raise ActivityImportError("the TCX activity has no laps and too few track points")
    distance = None
    if not usable(track.d) and usable(track.lat):
        distance, _ = distance_from_positions(track, RUNNING_MAX_SPEED)
    summary = summarise(track, distance) if len(track) > 1 else None
    lap_times = [amount(lap.time_s) for lap in act.laps]
    lap_dists = [amount(lap.distance_m) for lap in act.laps]
    known_times = [v for v in lap_times if v is not None]
    known_dists = [v for v in lap_dists if v is not None]
    if act.laps and len(known_times) == len(act.laps):
        timer = float(sum(known_times))
    else:
        timer = summary.timer_s if summary else 0.0
    if act.laps and len(known_dists) == len(act.laps) and sum(known_dists) > 0:
        dist = float(sum(known_dists))
    else:
        dist = summary.distance_m if summary else 0.0
    ends = [start + timer]
    if len(track):
        ends.append(track.end)
    for lap, lap_time in zip(act.laps, lap_times, strict=True):
        if lap.start is not None and lap_time is not None:
            ends.append(lap.start + lap_time)
    elapsed = max(ends) - start
    gain = summary.elevation_gain_m if summary else None
    named = {"running": "running", "biking": "cycling"}.get((act.sport or "").lower())
    hinted = sport_from_name(sport_hint)
    if named is None:
        sport = hinted or infer_sport(dist, timer, gain)
    elif named == "running" and hinted in RUNNING_SPORTS:
        sport = hinted  # Strava's list knows trail and treadmill runs; TCX says only Running
    else:
        sport = named
    weighted = [(lap.avg_hr, lap_time) for lap, lap_time in zip(act.laps, lap_times, strict=True)
                if lap.avg_hr is not None and lap_time]
    if weighted:
        avg_hr: float | None = (sum(h * w for h, w in weighted)
                                / sum(w for _, w in weighted))
    else:
        avg_hr = summary.avg_hr if summary else None
    cad = sum(act.cadence) / len(act.cadence) if act.cadence else None
    if cad is not None and sport in CADENCE_PER_LEG and cad < 120:
        cad *= 2
    return Activity(
        sport=sport,
        start_utc=start_dt,
        utc_offset_s=offset_from_longitude(first_value(track.lon) if positions
                                           else act.first_lon),
        distance_m=round(dist, 2),
        timer_s=round(timer, 3),
        elapsed_s=round(max(elapsed, timer), 3),
        elevation_gain_m=None if gain is None else round(gain, 1),
        avg_hr=None if avg_hr is None else round(avg_hr, 1),
        avg_cadence=None if cad is None else round(cad, 1),
        leg=leg,
        splits=summary.splits if summary else [],
    )
