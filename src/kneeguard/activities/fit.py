"""FIT files (any vendor, chained and multisport files) -> activities.

:mod:`kneeguard.activities.fitraw` decodes the common case fast; any file it
calls unusual is decoded again with fitdecode (the reference decoder), which
yields what it can read before an error. Session totals are the truth where
the file has them; a file cut off before its session is summarised from its
samples and marked incomplete. Each session other than a transition is one
activity; the samples between its start and the next session's start give
its splits. Dates come from ``session.start_time`` and the samples, never
from ``activity.local_timestamp`` (which only gives the local UTC offset,
and only when that offset is plausible). Checksums are not the decoders'
business: :func:`kneeguard.activities.fitraw.crc_problem` checks them for
every file read whole.
"""

from __future__ import annotations

import io
import struct
from datetime import datetime
from typing import Any

from kneeguard.activities import fitraw
from kneeguard.activities.fitraw import FIT_EPOCH, SEMICIRCLE_DEG, FitData, Unusual
from kneeguard.activities.model import Activity
from kneeguard.activities.track import (
    Track,
    first_value,
    infer_sport,
    offset_from_longitude,
    sort_by_time,
    summarise,
)
from kneeguard.activities.validate import amount, check_start, instant, number
from kneeguard.errors import ActivityImportError

FILE_ACTIVITY = 4
FILE_TYPE_NAMES = {1: "device", 2: "settings", 3: "sport", 5: "workout", 6: "course",
                   7: "schedules", 9: "weight", 10: "totals", 11: "goals",
                   14: "blood pressure", 15: "monitoring", 20: "activity summary",
                   28: "daily monitoring", 32: "monitoring", 34: "segment",
                   35: "segment list"}
CADENCE_PER_LEG = {"running", "trail_running", "treadmill_running", "walking", "hiking"}


def map_sport(sport: int | None, sub_sport: int | None) -> str | None:
    """FIT sport/sub-sport -> a contract sport; None for transitions."""
    if sport == 1:
        if sub_sport in (1, 45, 58):  # treadmill, indoor_running, virtual_activity
            return "treadmill_running"
        if sub_sport == 3:
            return "trail_running"
        return "running"
    if sport == 3:
        return None
    return {2: "cycling", 21: "cycling", 5: "swimming", 11: "walking", 17: "hiking",
            16: "hiking"}.get(sport if sport is not None else -1, "other")


def _enum_name(type_name: str, value: int | None) -> str | None:
    if value is None:
        return None
    from fitdecode import profile

    enum = profile.FIELD_TYPES[type_name].enum or {}
    name = enum.get(value)
    return str(name) if name is not None else str(value)


def _device(file_id: dict[str, Any] | None) -> str | None:
    if not file_id:
        return None
    if file_id.get("product_name"):
        return str(file_id["product_name"])
    maker = _enum_name("manufacturer", file_id.get("manufacturer"))
    product = file_id.get("product")
    if maker is None:
        return None
    model = None
    if product is not None:
        if file_id.get("manufacturer") in (1, 15, 13, 89):  # Garmin family uses garmin_product
            model = _enum_name("garmin_product", product)
        else:
            model = str(product)
    return f"{maker} {model}" if model else maker


def decode_reference(data: bytes) -> FitData:
    """Decode with fitdecode, keeping every message read before an error."""
    import fitdecode

    fd = FitData()
    targets = {0: fd.file_ids, 12: fd.sports, 18: fd.sessions, 19: fd.laps, 34: fd.activities}
    records = fd.records
    stream = io.BytesIO(data)
    # Checksums are checked for both decoders alike, by fitraw.crc_problem.
    reader = fitdecode.FitReader(stream, check_crc=fitdecode.CrcCheck.DISABLED,
                                 error_handling=fitdecode.ErrorHandling.IGNORE)
    try:
        for frame in reader:
            if not isinstance(frame, fitdecode.FitDataMessage):
                continue
            num = frame.global_mesg_num
            if num == fitraw.RECORD:
                row: dict[str, Any] = {}
                for fnum, name in fitraw.RECORD_FIELDS.items():
                    if name not in row or row[name] is None:
                        row[name] = number(_raw(frame, fnum))
                if row["t"] is None:
                    stamp = frame.get_value("timestamp", fallback=None)
                    if isinstance(stamp, datetime):
                        row["t"] = int(stamp.timestamp()) - FIT_EPOCH
                for name in fitraw.RECORD_COLUMNS:
                    records[name].append(row.get(name))
            elif num in targets:
                msg: dict[str, Any] = {}
                for fnum, name in fitraw.WANTED[num].items():
                    value = _raw(frame, fnum)
                    if name in fitraw.STRING_FIELDS:
                        value = value if isinstance(value, str) else None
                    else:  # a damaged file can hold text or NaN where a number belongs
                        value = number(value)
                    if value is not None and name in fitraw.TIME_FIELDS:
                        value = value + FIT_EPOCH
                    elif value is not None and name in fitraw.SCALES:
                        value = value / fitraw.SCALES[name]
                    msg[name] = value
                targets[num].append(msg)
    except fitdecode.FitEOFError:
        fd.damaged = "the file ends early (interrupted transfer?)"
    except fitdecode.FitHeaderError:
        fd.damaged = ("a chained part has a broken header" if fd.file_ids
                      else "its FIT header is broken")
    except (fitdecode.FitError, ValueError, KeyError, IndexError, TypeError, struct.error,
            EOFError, AssertionError) as exc:  # fitdecode asserts on some malformed input
        # fitdecode's own failures on malformed bytes; what it yielded before is kept.
        fd.damaged = f"damaged FIT data at byte {stream.tell()} ({_describe(exc)})"
    return fd


def _describe(exc: BaseException) -> str:
    """The first line of an exception's message, or its type when it has none."""
    lines = str(exc).strip().splitlines()
    return lines[0][:120] if lines else type(exc).__name__


def _raw(frame: Any, num: int) -> Any:
    for f in frame.fields:  # developer fields reuse field numbers: never take one of them
        if f.def_num == num and f.field_def is not None and not f.field_def.is_dev:
            value = f.raw_value
            if isinstance(value, tuple):
                value = value[0] if value else None
            if isinstance(value, bytes):
                value = value.split(b"\0", 1)[0].decode("utf-8", "replace") or None
            return value
    return None


def decode(data: bytes) -> FitData:
    """The fast decoder, or fitdecode for anything it calls unusual."""
    try:
        return fitraw.decode(data)
    except Unusual:
        return decode_reference(data)


def read_fit(data: bytes) -> list[Activity]:
    """Every activity (one per non-transition session) in a FIT file."""
    fd = decode(data)
    file_id = fd.file_ids[0] if fd.file_ids else None
    ftype = file_id.get("type") if file_id else None
    if ftype is not None and ftype != FILE_ACTIVITY:
        what = FILE_TYPE_NAMES.get(ftype, f"type {ftype}")
        raise ActivityImportError(f"not an activity file (a FIT {what} file)")
    rec = fd.records
    track = sort_by_time(Track(rec["t"], FIT_EPOCH, rec["d"], 100.0, rec["alt"], 5.0, 500.0,
                               rec["hr"], rec["lat"], rec["lon"], SEMICIRCLE_DEG))
    device = _device(file_id)
    offset = _utc_offset(fd, track)
    activities: list[Activity] = []
    if fd.sessions:
        sessions = sorted((s for s in fd.sessions if s.get("start_time") or s.get("timestamp")),
                          key=lambda s: s.get("start_time") or s.get("timestamp") or 0)
        for leg, session in enumerate(sessions):
            nxt = sessions[leg + 1] if leg + 1 < len(sessions) else None
            act = _from_session(session, nxt, track, leg, len(sessions) > 1)
            if act is not None:
                activities.append(act)
    elif len(track) > 1:
        activities.append(_from_records(fd, track))
    else:
        if fd.damaged:
            raise ActivityImportError(f"nothing usable could be read: {fd.damaged}")
        raise ActivityImportError("the FIT file holds no session and no samples")
    if not activities:
        raise ActivityImportError("the file holds only transitions, no activity")
    if fd.damaged:
        for act in activities:
            act.incomplete = True
            act.incomplete_reason = act.incomplete_reason or fd.damaged
    for act in activities:
        act.device = device
        act.utc_offset_s = offset
    good = [a for a in activities if check_start(a.start_utc) is None]
    if not good:
        raise ActivityImportError(check_start(activities[0].start_utc) or "impossible date")
    return good


def _utc_offset(fd: FitData, track: Track) -> int:
    for act in fd.activities:
        stamp, local = act.get("timestamp"), act.get("local_timestamp")
        if stamp and local:
            offset = local - stamp
            if abs(offset) <= 14 * 3600:
                return 900 * round(float(offset) / 900.0)
    return offset_from_longitude(first_value(track.lon, SEMICIRCLE_DEG))


def _from_session(session: dict[str, Any], nxt: dict[str, Any] | None, track: Track,
                  leg: int, multisport: bool) -> Activity | None:
    sport = map_sport(session.get("sport"), session.get("sub_sport"))
    if sport is None:
        return None
    start = session.get("start_time") or session.get("timestamp")
    assert start is not None
    end = (nxt.get("start_time") or nxt.get("timestamp")) if nxt else None
    part = track.between(start, (end - 0.001) if end else track.end if len(track) else start)
    summary = summarise(part) if len(part) > 1 else None
    distance = amount(session.get("total_distance"))
    timer = amount(session.get("total_timer_time"))
    elapsed = amount(session.get("total_elapsed_time"))
    if distance is None:
        distance = summary.distance_m if summary else 0.0
    if timer is None:
        timer = summary.timer_s if summary else (elapsed or 0.0)
    span = summary.elapsed_s if summary else 0.0
    if elapsed is None or elapsed < timer:
        elapsed = max(timer, span)
    cadence = session.get("avg_cadence")
    if cadence is not None:
        cadence = cadence + (session.get("avg_fractional_cadence") or 0.0)
        if sport in CADENCE_PER_LEG:
            cadence *= 2
    gain = session.get("total_ascent")
    if gain is None and summary is not None:
        gain = summary.elevation_gain_m
    hr = session.get("avg_heart_rate")
    if hr is None and summary is not None:
        hr = summary.avg_hr
    return Activity(
        sport=sport,
        sub_sport=_enum_name("sub_sport", session.get("sub_sport")),
        start_utc=instant(start),
        distance_m=round(float(distance), 2),
        timer_s=round(float(timer), 3),
        elapsed_s=round(float(elapsed), 3),
        elevation_gain_m=None if gain is None else round(float(gain), 1),
        avg_hr=None if hr is None else round(float(hr), 1),
        avg_cadence=None if cadence is None else round(float(cadence), 1),
        leg=leg,
        splits=summary.splits if summary else [],
    )


def _from_records(fd: FitData, track: Track) -> Activity:
    summary = summarise(track)
    sport_msg = fd.sports[0] if fd.sports else (fd.laps[0] if fd.laps else {})
    sport = map_sport(sport_msg.get("sport"), sport_msg.get("sub_sport"))
    if sport is None or sport_msg.get("sport") in (None, 0):
        sport = infer_sport(summary.distance_m, summary.timer_s, summary.elevation_gain_m)
    act = Activity(
        sport=sport,
        sub_sport=_enum_name("sub_sport", sport_msg.get("sub_sport")),
        start_utc=instant(track.start),
        **summary.activity_fields(),
    )
    if fd.damaged:
        act.incomplete = True
        act.incomplete_reason = (f"{fd.damaged}; totals come from the {len(track)} samples "
                                 "read before the damage")
    return act
