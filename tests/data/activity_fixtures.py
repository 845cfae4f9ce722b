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
    from fit_tool.fit_file_builder import FitFileBuilder  # type: ignore[import-untyped]
    from fit_tool.profile.messages.activity_message import ActivityMessage  # type: ignore[import-untyped]
    from fit_tool.profile.messages.file_id_message import FileIdMessage  # type: ignore[import-untyped]
    from fit_tool.profile.messages.record_message import RecordMessage  # type: ignore[import-untyped]
    from fit_tool.profile.messages.session_message import SessionMessage  # type: ignore[import-untyped]
    from fit_tool.profile.profile_type import FileType, Manufacturer, Sport, SubSport  # type: ignore[import-untyped]

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
        return bytes(builder.build().to_bytes())
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
    return bytes(builder.build().to_bytes())


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


# ------------------------------------------------------------ a minimal FIT writer
# fit-tool writes little-endian files only; this writer also makes big-endian ones
# and is fast enough to write dozens of files in a test.

_CRC_TABLE = (0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
              0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400)
FIT_EPOCH = 631065600


def fit_crc(data: bytes, crc: int = 0) -> int:
    """The FIT checksum (CRC-16/ARC), as the FIT protocol describes it."""
    for byte in data:
        tmp = _CRC_TABLE[crc & 0xF]
        crc = ((crc >> 4) & 0x0FFF) ^ tmp ^ _CRC_TABLE[byte & 0xF]
        tmp = _CRC_TABLE[crc & 0xF]
        crc = ((crc >> 4) & 0x0FFF) ^ tmp ^ _CRC_TABLE[(byte >> 4) & 0xF]
    return crc


def raw_fit(n: int = 600, speed: float = 3.0, start: datetime = START,
            big_endian: bool = False, sport: int = 1, interleave: bool = False) -> bytes:
    """An activity FIT file: file_id, n records (time, position, distance, altitude,
    heart rate), one lap, one session and an activity message. ``interleave`` puts
    an event message after every third record, as modern watches put other
    messages between the samples."""
    import struct

    e = ">" if big_endian else "<"

    def definition(local: int, glob: int, fields: list[tuple[int, int, int]]) -> bytes:
        head = struct.pack(f"{e}BBBHB", 0x40 | local, 0, 1 if big_endian else 0, glob,
                           len(fields))
        return head + b"".join(struct.pack("<BBB", *f) for f in fields)

    pts = points(n, speed, start)
    t0 = int(start.timestamp()) - FIT_EPOCH
    t1 = t0 + n - 1
    k = 2**31 / 180.0
    body = bytearray()
    body += definition(0, 0, [(0, 1, 0), (1, 2, 0x84), (2, 2, 0x84), (4, 4, 0x86)])
    body += struct.pack(f"{e}BBHHI", 0, 4, 255, 0, t0)
    body += definition(1, 20, [(253, 4, 0x86), (0, 4, 0x85), (1, 4, 0x85), (5, 4, 0x86),
                               (2, 2, 0x84), (3, 1, 2)])
    rec = struct.Struct(f"{e}BIiiIHB")
    if interleave:
        body += definition(5, 21, [(253, 4, 0x86), (0, 1, 0), (1, 1, 0)])  # event
    for i, (_t, lat, lon, dist, alt, hr) in enumerate(pts):
        body += rec.pack(1, t0 + i, int(lat * k), int(lon * k), int(dist * 100),
                         int((alt + 500) * 5), hr)
        if interleave and i % 3 == 2:
            body += struct.pack(f"{e}BIBB", 5, t0 + i, 0, 3)
    timer = (n - 1) * 1000
    total_d = int(pts[-1][3] * 100)
    body += definition(2, 19, [(253, 4, 0x86), (2, 4, 0x86), (7, 4, 0x86), (8, 4, 0x86),
                               (9, 4, 0x86)])
    body += struct.pack(f"{e}BIIIII", 2, t1, t0, timer, timer, total_d)
    body += definition(3, 18, [(253, 4, 0x86), (2, 4, 0x86), (7, 4, 0x86), (8, 4, 0x86),
                               (9, 4, 0x86), (5, 1, 0), (6, 1, 0), (16, 1, 2)])
    body += struct.pack(f"{e}BIIIIIBBB", 3, t1, t0, timer, timer, total_d, sport, 0, 145)
    body += definition(4, 34, [(253, 4, 0x86), (5, 4, 0x86)])
    body += struct.pack(f"{e}BII", 4, t1, t1 + 7200)
    header = struct.pack("<BBHI4s", 14, 0x20, 2132, len(body), b".FIT")
    header += struct.pack("<H", fit_crc(header))
    data = header + bytes(body)
    return data + struct.pack("<H", fit_crc(data))
