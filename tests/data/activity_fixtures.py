"""Activity files made by the tests themselves: FIT through fit-tool, GPX and TCX as text.

fit-tool is an independent FIT writer, so FIT fixtures also check kneeguard's
own decoder against someone else's encoder.
"""

from __future__ import annotations

import gzip
import io
import math
import zipfile
from datetime import UTC, datetime, timedelta

START = datetime(2024, 5, 4, 7, 30, 0, tzinfo=UTC)


Point = tuple[datetime, float, float, float, float, int]
ONE_DEGREE_M = 2 * math.pi * 6378137.0 / 360.0  # gpxpy's (and kneeguard's) degree of latitude


def points(n: int = 600, speed: float = 3.0, start: datetime = START, lat0: float = 48.1,
           lon0: float = 11.5, hilly: bool = True) -> list[Point]:
    """(time, lat, lon, cumulative distance m, altitude m, heart rate) every second, northwards."""
    out = []
    dist = 0.0
    for i in range(n):
        dist = i * speed
        lat = lat0 + dist / ONE_DEGREE_M
        out.append((start + timedelta(seconds=i), lat, lon0, dist,
                    500.0 + (10 * math.sin(i / 60.0) if hilly else 0.0), 140 + i % 10))
    return out


def fit_bytes(n: int = 600, speed: float = 3.0, start: datetime = START, sport: int = 1,
              sub_sport: int = 0, session: bool = True, file_type: int = 4) -> bytes:
    from fit_tool.fit_file_builder import FitFileBuilder
    from fit_tool.profile.messages.activity_message import ActivityMessage
    from fit_tool.profile.messages.file_id_message import FileIdMessage
    from fit_tool.profile.messages.record_message import RecordMessage
    from fit_tool.profile.messages.session_message import SessionMessage
    from fit_tool.profile.profile_type import FileType, Manufacturer, Sport, SubSport

    ms = int(start.timestamp() * 1000)
    builder = FitFileBuilder(auto_define=True, min_string_size=50)
    file_id = FileIdMessage()
    file_id.type = FileType(file_type)
    file_id.manufacturer = Manufacturer.DEVELOPMENT.value
    file_id.product = 0
    file_id.time_created = ms
    file_id.serial_number = 0x12345678
    builder.add(file_id)
    if file_type != 4:
        return builder.build().to_bytes()
    pts = points(n, speed, start)
    records = []
    for t, lat, lon, dist, alt, hr in pts:
        rec = RecordMessage()
        rec.timestamp = int(t.timestamp() * 1000)
        rec.position_lat = lat
        rec.position_long = lon
        rec.distance = dist
        rec.altitude = alt
        rec.heart_rate = hr
        records.append(rec)
    builder.add_all(records)
    if session:
        s = SessionMessage()
        s.timestamp = int(pts[-1][0].timestamp() * 1000)
        s.start_time = ms
        s.sport = Sport(sport)
        s.sub_sport = SubSport(sub_sport)
        s.total_elapsed_time = float(n - 1)
        s.total_timer_time = float(n - 1)
        s.total_distance = pts[-1][3]
        s.avg_heart_rate = 145
        builder.add(s)
        act = ActivityMessage()
        act.timestamp = s.timestamp
        act.local_timestamp = s.timestamp // 1000 - 631065600 + 7200  # FIT seconds, UTC+2
        act.num_sessions = 1
        builder.add(act)
    return builder.build().to_bytes()


def gpx_bytes(n: int = 600, speed: float = 3.0, start: datetime = START, times: bool = True,
              kind: str | None = None, prefix: str = "gpxtpx", hilly: bool = True) -> bytes:
    out = io.StringIO()
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="tests" '
              'xmlns="http://www.topografix.com/GPX/1/1" '
              f'xmlns:{prefix}="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">\n'
              "<trk>\n")
    if kind:
        out.write(f"<type>{kind}</type>\n")
    out.write("<trkseg>\n")
    for t, lat, lon, _d, alt, hr in points(n, speed, start, hilly=hilly):
        stamp = f"<time>{t.strftime('%Y-%m-%dT%H:%M:%SZ')}</time>" if times else ""
        out.write(f'<trkpt lat="{lat:.7f}" lon="{lon:.7f}"><ele>{alt:.1f}</ele>{stamp}'
                  f"<extensions><{prefix}:TrackPointExtension><{prefix}:hr>{hr}</{prefix}:hr>"
                  f"</{prefix}:TrackPointExtension></extensions></trkpt>\n")
    out.write("</trkseg>\n</trk>\n</gpx>\n")
    return out.getvalue().encode()


def tcx_bytes(n: int = 600, speed: float = 3.0, start: datetime = START,
              sport: str = "Running", laps: int = 2) -> bytes:
    pts = points(n, speed, start)
    out = io.StringIO()
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n<TrainingCenterDatabase '
              'xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">'
              f'<Activities><Activity Sport="{sport}"><Id>{start:%Y-%m-%dT%H:%M:%SZ}</Id>')
    per = n // laps
    for k in range(laps):
        chunk = pts[k * per:(k + 1) * per if k + 1 < laps else n]
        lap_time = (chunk[-1][0] - chunk[0][0]).total_seconds() + 1
        lap_dist = chunk[-1][3] - chunk[0][3] + speed
        out.write(f'<Lap StartTime="{chunk[0][0]:%Y-%m-%dT%H:%M:%SZ}">'
                  f"<TotalTimeSeconds>{lap_time:.1f}</TotalTimeSeconds>"
                  f"<DistanceMeters>{lap_dist:.2f}</DistanceMeters><Calories>100</Calories>"
                  "<Intensity>Active</Intensity><TriggerMethod>Manual</TriggerMethod><Track>")
        for t, lat, lon, dist, alt, hr in chunk:
            out.write(f"<Trackpoint><Time>{t:%Y-%m-%dT%H:%M:%SZ}</Time><Position>"
                      f"<LatitudeDegrees>{lat:.7f}</LatitudeDegrees><LongitudeDegrees>{lon:.7f}"
                      f"</LongitudeDegrees></Position><AltitudeMeters>{alt:.1f}</AltitudeMeters>"
                      f"<DistanceMeters>{dist:.2f}</DistanceMeters><HeartRateBpm><Value>{hr}"
                      "</Value></HeartRateBpm></Trackpoint>")
        out.write("</Track></Lap>")
    out.write("</Activity></Activities></TrainingCenterDatabase>")
    return out.getvalue().encode()


def strava_zip(files: dict[str, bytes], csv_rows: list[tuple[str, str, str]]) -> bytes:
    """A Strava-style export: activities/<name>.gz plus activities.csv (file, type, gear)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(f"activities/{name}.gz", gzip.compress(data, mtime=0))
        lines = ["Activity ID,Activity Date,Activity Name,Activity Type,Activity Gear,Filename"]
        for i, (name, kind, gear) in enumerate(csv_rows):
            lines.append(f'{i},"May 4, 2024",Run,{kind},{gear},activities/{name}.gz')
        zf.writestr("activities.csv", "\n".join(lines) + "\n")
    return buf.getvalue()
