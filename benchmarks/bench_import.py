"""Benchmark: import a synthetic ten-year Strava-style export, against a plain importer.

Builds (once, with a fixed seed; cached in the work folder) a zip holding
3,000 one-hour runs sampled at 1 Hz (heart rate, cadence, distance, speed,
position): 2,000 FIT, 500 GPX and 500 TCX files, each gzipped like Strava's
``activities/*.fit.gz``, plus ``activities.csv`` with the gear column. The
weeks vary realistically (build-up blocks, recovery weeks, breaks).

Then, in the same run, it times:

1. kneeguard's import of the zip into a fresh SQLite database
   (``kneeguard.storage.activities.import_activities``, all cores);
2. a baseline importer written the plain way: fitdecode for FIT, gpxpy for
   GPX, tcxreader for TCX, one file after another, storing a summary row per
   run with sqlite3. Running it over 3,000 files takes about ten minutes, so
   by default it runs on an evenly spread sample with the export's FIT/GPX/TCX
   mix and the time is extrapolated to the whole export (the output says so;
   ``--full-baseline`` runs it on every file);
3. a re-import of the same zip into the database from step 1.

Each step runs in its own process so that its peak memory (RSS, the process
and its worker processes) is its own. Usage:

    uv run python benchmarks/bench_import.py [--workdir DIR] [--sample N] [--full-baseline]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import math
import os
import random
import resource
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

SEED = 20261128
RUNS = 3000
N_FIT, N_GPX, N_TCX = 2000, 500, 500
SAMPLES = 3600
FIT_EPOCH = 631065600
TARGETS = {"import_s": 30.0, "ratio": 20.0, "reimport_s": 2.0, "rss_mb": 400.0}

# ----------------------------------------------------------------- generating the export

_CRC_TABLE = (0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
              0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400)


def fit_crc(data: bytes, crc: int = 0) -> int:
    table = _CRC_TABLE
    for byte in data:
        tmp = table[crc & 0xF]
        crc = (crc >> 4) & 0x0FFF
        crc = crc ^ tmp ^ table[byte & 0xF]
        tmp = table[crc & 0xF]
        crc = (crc >> 4) & 0x0FFF
        crc = crc ^ tmp ^ table[(byte >> 4) & 0xF]
    return crc


def _definition(local: int, glob: int, fields: list[tuple[int, int, int]]) -> bytes:
    out = struct.pack("<BBBHB", 0x40 | local, 0, 0, glob, len(fields))
    return out + b"".join(struct.pack("<BBB", *f) for f in fields)


def samples(rng: random.Random, start: datetime, pace_s_km: float
            ) -> list[tuple[float, float, float, float, float, int, int]]:
    """One hour at 1 Hz: (t, lat, lon, distance m, altitude m, heart rate, cadence)."""
    lat0 = 48.1 + rng.uniform(-0.05, 0.05)
    lon0 = 11.5 + rng.uniform(-0.05, 0.05)
    heading = rng.uniform(0, 2 * math.pi)
    t0 = start.timestamp()
    out = []
    dist = 0.0
    lat, lon = lat0, lon0
    hr = 120.0
    for i in range(SAMPLES):
        speed = 1000.0 / pace_s_km * (1 + 0.08 * math.sin(i / 300.0)) + rng.gauss(0, 0.05)
        heading += rng.gauss(0, 0.03)
        step = max(speed, 0.5)
        dist += step
        lat += step * math.cos(heading) / 111120.0
        lon += step * math.sin(heading) / (111120.0 * math.cos(math.radians(lat)))
        alt = 520.0 + 15.0 * math.sin(i / 400.0)
        hr += (150.0 - hr) * 0.01 + rng.gauss(0, 0.5)
        out.append((t0 + i, lat, lon, dist, alt, int(hr), 84 + rng.randint(-2, 2)))
    return out


def make_fit(pts: list[tuple[float, float, float, float, float, int, int]]) -> bytes:
    body = bytearray()
    t0 = int(pts[0][0]) - FIT_EPOCH
    t1 = int(pts[-1][0]) - FIT_EPOCH
    body += _definition(0, 0, [(0, 1, 0), (1, 2, 0x84), (2, 2, 0x84), (4, 4, 0x86)])
    body += struct.pack("<BBHHI", 0, 4, 1, 3113, t0)
    body += _definition(1, 21, [(253, 4, 0x86), (0, 1, 0), (1, 1, 0)])
    body += struct.pack("<BIBB", 1, t0, 0, 0)
    body += _definition(2, 20, [(253, 4, 0x86), (0, 4, 0x85), (1, 4, 0x85), (5, 4, 0x86),
                                (2, 2, 0x84), (6, 2, 0x84), (3, 1, 2), (4, 1, 2)])
    rec = struct.Struct("<BIiiIHHBB")
    k = 2**31 / 180.0
    for t, lat, lon, dist, alt, hr, cad in pts:
        speed = 0
        body += rec.pack(2, int(t) - FIT_EPOCH, int(lat * k), int(lon * k), int(dist * 100),
                         int((alt + 500) * 5), speed, hr, cad)
    total_d = int(pts[-1][3] * 100)
    timer = (t1 - t0) * 1000
    avg_hr = sum(p[5] for p in pts) // len(pts)
    body += _definition(3, 19, [(253, 4, 0x86), (2, 4, 0x86), (7, 4, 0x86), (8, 4, 0x86),
                                (9, 4, 0x86)])
    body += struct.pack("<BIIIII", 3, t1, t0, timer, timer, total_d)
    body += _definition(4, 18, [(253, 4, 0x86), (2, 4, 0x86), (7, 4, 0x86), (8, 4, 0x86),
                                (9, 4, 0x86), (5, 1, 0), (6, 1, 0), (16, 1, 2), (18, 1, 2)])
    body += struct.pack("<BIIIIIBBBB", 4, t1, t0, timer, timer, total_d, 1, 0, avg_hr, 84)
    body += _definition(5, 34, [(253, 4, 0x86), (0, 4, 0x86), (1, 2, 0x84), (5, 4, 0x86)])
    body += struct.pack("<BIIHI", 5, t1, timer, 1, t1 + 3600)
    header = struct.pack("<BBHI4s", 14, 0x20, 2132, len(body), b".FIT")
    header += struct.pack("<H", fit_crc(header))
    data = header + bytes(body)
    return data + struct.pack("<H", fit_crc(data))


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def make_gpx(pts: list[tuple[float, float, float, float, float, int, int]]) -> bytes:
    out = io.StringIO()
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n<gpx creator="StravaGPX" version="1.1" '
              'xmlns="http://www.topografix.com/GPX/1/1" xmlns:gpxtpx="http://www.garmin.com/'
              'xmlschemas/TrackPointExtension/v1">\n <metadata>\n  <time>'
              f"{_iso(pts[0][0])}</time>\n </metadata>\n <trk>\n  <name>Morning Run</name>\n"
              "  <type>running</type>\n  <trkseg>\n")
    for t, lat, lon, _d, alt, hr, cad in pts:
        out.write(f'   <trkpt lat="{lat:.7f}" lon="{lon:.7f}">\n    <ele>{alt:.1f}</ele>\n'
                  f"    <time>{_iso(t)}</time>\n    <extensions>\n"
                  "     <gpxtpx:TrackPointExtension>\n"
                  f"      <gpxtpx:hr>{hr}</gpxtpx:hr>\n      <gpxtpx:cad>{cad}</gpxtpx:cad>\n"
                  "     </gpxtpx:TrackPointExtension>\n    </extensions>\n   </trkpt>\n")
    out.write("  </trkseg>\n </trk>\n</gpx>\n")
    return out.getvalue().encode()


def make_tcx(pts: list[tuple[float, float, float, float, float, int, int]]) -> bytes:
    out = io.StringIO()
    start = _iso(pts[0][0])
    total = pts[-1][0] - pts[0][0]
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n<TrainingCenterDatabase xmlns="http://'
              'www.garmin.com/xmlschemas/TrainingCenterDatabase/v2" xmlns:ns3="http://www.'
              'garmin.com/xmlschemas/ActivityExtension/v2">\n <Activities>\n'
              f'  <Activity Sport="Running">\n   <Id>{start}</Id>\n'
              f'   <Lap StartTime="{start}">\n    <TotalTimeSeconds>{total:.1f}'
              f"</TotalTimeSeconds>\n    <DistanceMeters>{pts[-1][3]:.2f}</DistanceMeters>\n"
              "    <Calories>800</Calories>\n    <Intensity>Active</Intensity>\n"
              "    <TriggerMethod>Manual</TriggerMethod>\n    <Track>\n")
    for t, lat, lon, d, alt, hr, cad in pts:
        out.write(f"     <Trackpoint>\n      <Time>{_iso(t)}</Time>\n      <Position>\n"
                  f"       <LatitudeDegrees>{lat:.7f}</LatitudeDegrees>\n"
                  f"       <LongitudeDegrees>{lon:.7f}</LongitudeDegrees>\n      </Position>\n"
                  f"      <AltitudeMeters>{alt:.1f}</AltitudeMeters>\n"
                  f"      <DistanceMeters>{d:.2f}</DistanceMeters>\n"
                  f"      <HeartRateBpm>\n       <Value>{hr}</Value>\n      </HeartRateBpm>\n"
                  "      <Extensions>\n       <ns3:TPX>\n"
                  f"        <ns3:RunCadence>{cad}</ns3:RunCadence>\n       </ns3:TPX>\n"
                  "      </Extensions>\n     </Trackpoint>\n")
    out.write("    </Track>\n   </Lap>\n  </Activity>\n </Activities>\n"
              "</TrainingCenterDatabase>\n")
    return out.getvalue().encode()


def schedule(rng: random.Random) -> list[tuple[datetime, float]]:
    """3,000 run starts over ten years with blocks, recovery weeks and breaks."""
    runs: list[tuple[datetime, float]] = []
    day = datetime(2016, 1, 4, tzinfo=UTC)
    week = 0
    while len(runs) < RUNS:
        phase = week % 12
        per_week = 0 if phase == 11 and rng.random() < 0.5 else (
            4 if phase in (3, 7) else 5 + min(phase % 4, 3) // 2 + rng.randint(0, 1))
        days = sorted(rng.sample(range(7), min(per_week, 7)))
        for d in days:
            if len(runs) >= RUNS:
                break
            start = day + timedelta(days=d, hours=rng.choice((6, 7, 12, 18, 19)),
                                    minutes=rng.randint(0, 59))
            runs.append((start, rng.uniform(300.0, 400.0)))
        day += timedelta(days=7)
        week += 1
    return runs


def _one(job: tuple[int, str, datetime, float]) -> tuple[str, bytes]:
    index, fmt, start, pace = job
    rng = random.Random(SEED * 7919 + index)
    pts = samples(rng, start, pace)
    data = {"fit": make_fit, "gpx": make_gpx, "tcx": make_tcx}[fmt](pts)
    return f"activities/{1000000 + index}.{fmt}.gz", gzip.compress(data, 6, mtime=0)


def build_export(path: Path) -> None:
    rng = random.Random(SEED)
    plan = schedule(rng)
    formats = ["fit"] * N_FIT + ["gpx"] * N_GPX + ["tcx"] * N_TCX
    rng.shuffle(formats)
    jobs = [(i, formats[i], start, pace) for i, (start, pace) in enumerate(plan)]
    shoes = ["Pegasus 2016", "Ghost 2018", "Clifton 2020", "Novablast 2022", "Endorphin 2024"]
    from multiprocessing import get_context

    tmp = path.with_suffix(".partial")
    with get_context("fork").Pool() as pool, zipfile.ZipFile(tmp, "w") as zf:
        rows = []
        for (index, _fmt, start, _pace), (name, blob) in zip(
                jobs, pool.imap(_one, jobs, chunksize=8), strict=True):
            zf.writestr(name, blob, compress_type=zipfile.ZIP_STORED)
            rows.append({"Activity ID": str(1000000 + index),
                         "Activity Date": start.strftime("%b %d, %Y, %I:%M:%S %p"),
                         "Activity Name": "Run", "Activity Type": "Run",
                         "Activity Gear": shoes[min(index * len(shoes) // RUNS, 4)],
                         "Filename": name})
            if len(rows) % 500 == 0:
                print(f"  generated {len(rows)}/{RUNS} files", file=sys.stderr)
        text = io.StringIO()
        writer = csv.DictWriter(text, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
        zf.writestr("activities.csv", text.getvalue())
    tmp.rename(path)


# ----------------------------------------------------------------- the steps


def peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024.0


def cpu_s(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def step_import(db: str, export: str) -> dict[str, object]:
    from kneeguard.storage import connect
    from kneeguard.storage.activities import import_activities

    database = connect(f"sqlite:///{db}")
    own0, kids0 = cpu_s(resource.RUSAGE_SELF), cpu_s(resource.RUSAGE_CHILDREN)
    load0 = os.getloadavg()[0]
    t0 = time.perf_counter()
    summary = import_activities(database, [export])
    wall = time.perf_counter() - t0
    return {"wall_s": wall, "rss_mb": peak_rss_mb(),
            "own_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
            "cpu_main_s": cpu_s(resource.RUSAGE_SELF) - own0,
            "cpu_workers_s": cpu_s(resource.RUSAGE_CHILDREN) - kids0,
            "load": [load0, os.getloadavg()[0]],
            "summary": summary.to_json() | {"skipped": len(summary.skipped)}}


def baseline_import_file(name: str, data: bytes, conn: sqlite3.Connection) -> None:
    """What a user would write: the reference library per format, one summary row per run."""
    import fitdecode
    import gpxpy
    from tcxreader.tcxreader import TCXReader  # type: ignore[import-untyped]

    raw = gzip.decompress(data)
    if name.endswith(".fit.gz"):
        session: dict[str, object] = {}
        records = []
        with fitdecode.FitReader(io.BytesIO(raw)) as fit:
            for frame in fit:
                if isinstance(frame, fitdecode.FitDataMessage):
                    if frame.name == "session":
                        session = {f.name: f.value for f in frame.fields}
                    elif frame.name == "record":
                        records.append({f.name: f.value for f in frame.fields})
        row = (name, "running", str(session["start_time"]), session["total_distance"],
               session["total_timer_time"], len(records))
    elif name.endswith(".gpx.gz"):
        gpx = gpxpy.parse(raw.decode())
        start, _end = gpx.get_time_bounds()
        moving = gpx.get_moving_data()
        row = (name, "running", str(start), gpx.length_2d(), moving.moving_time,
               gpx.get_points_no())
    else:
        with tempfile.NamedTemporaryFile(suffix=".tcx") as handle:
            handle.write(raw)
            handle.flush()
            tcx = TCXReader().read(handle.name)
        row = (name, "running", str(tcx.start_time), tcx.distance, tcx.duration,
               len(tcx.trackpoints))
    with conn:
        conn.execute("INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?)", row)


def step_baseline(db: str, export: str, sample: int) -> dict[str, object]:
    import warnings

    warnings.simplefilter("ignore")
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE runs (file, sport, start, distance_m, timer_s, samples)")
    with zipfile.ZipFile(export) as zf:
        names = sorted(n for n in zf.namelist() if n.startswith("activities/"))
        chosen = names
        if sample and sample < len(names):
            by_fmt = {ext: [n for n in names if n.endswith(ext)]
                      for ext in (".fit.gz", ".gpx.gz", ".tcx.gz")}
            chosen = []
            for group in by_fmt.values():
                take = max(1, round(sample * len(group) / len(names)))
                step = len(group) / take
                chosen += [group[int(i * step)] for i in range(take)]
        t0 = time.perf_counter()
        cpu0 = cpu_s(resource.RUSAGE_SELF)
        load0 = os.getloadavg()[0]
        per_fmt: dict[str, list[float]] = {}
        for name in chosen:
            t = time.perf_counter()
            baseline_import_file(name, zf.read(name), conn)
            per_fmt.setdefault(name.split(".")[-2], []).append(time.perf_counter() - t)
        wall = time.perf_counter() - t0
        cpu = cpu_s(resource.RUSAGE_SELF) - cpu0
        counts = {ext: sum(1 for n in names if n.endswith(f".{ext}.gz"))
                  for ext in ("fit", "gpx", "tcx")}
    estimate = sum(sum(v) / len(v) * counts[fmt] for fmt, v in per_fmt.items())
    return {"wall_s": wall, "cpu_s": cpu, "files": len(chosen), "total_files": len(names),
            "load": [load0, os.getloadavg()[0]],
            "estimated_full_s": estimate if len(chosen) < len(names) else wall,
            "per_file_ms": {k: 1000 * sum(v) / len(v) for k, v in per_fmt.items()},
            "rss_mb": peak_rss_mb()}


def run_step(*args: str) -> dict[str, object]:
    out = subprocess.run([sys.executable, __file__, "--step", *args], check=True,
                         capture_output=True, text=True)
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(),
                                                          f"kneeguard-bench-{SEED}"))
    parser.add_argument("--sample", type=int, default=120,
                        help="files the baseline decodes (extrapolated); 0 = all")
    parser.add_argument("--full-baseline", action="store_true")
    parser.add_argument("--step", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        kind, *rest = args.step
        if kind == "import":
            result = step_import(*rest)
        else:
            result = step_baseline(rest[0], rest[1], int(rest[2]))
        print(json.dumps(result))
        return
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    export = work / "strava_export_10y.zip"
    if not export.exists():
        print(f"Building the synthetic export (seed {SEED}) in {export} ...", file=sys.stderr)
        t0 = time.perf_counter()
        build_export(export)
        print(f"  built in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    size_mb = export.stat().st_size / 2**20
    db = work / "kneeguard.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    base_db = work / "baseline.db"
    base_db.unlink(missing_ok=True)

    print(f"export: {export} ({size_mb:.0f} MB, {RUNS} runs: {N_FIT} FIT, {N_GPX} GPX, "
          f"{N_TCX} TCX, gzipped), machine: {os.cpu_count()} cores shared with other work; "
          "load = 1-minute load average before and after each step")
    first = run_step("import", str(db), str(export))
    print(f"kneeguard import:    {num(first, 'wall_s'):7.1f} s   peak RSS "
          f"{num(first, 'rss_mb'):.0f} MB (main process {num(first, 'own_rss_mb'):.0f} MB)   "
          f"CPU {num(first, 'cpu_main_s'):.1f} s main + {num(first, 'cpu_workers_s'):.1f} s "
          f"workers   load {loads(first)}   {first['summary']}")
    sample = 0 if args.full_baseline else args.sample
    base = run_step("baseline", str(base_db), str(export), str(sample))
    full = num(base, "estimated_full_s")
    per_file = base["per_file_ms"]
    assert isinstance(per_file, dict)
    if base["files"] != base["total_files"]:
        print(f"baseline importer:   {full:7.1f} s   EXTRAPOLATED from {base['files']} of "
              f"{base['total_files']} files, an even spread with the export's FIT/GPX/TCX mix "
              f"({num(base, 'wall_s'):.1f} s measured, CPU {num(base, 'cpu_s'):.1f} s; "
              "per file ms: " + ", ".join(f"{k} {v:.0f}" for k, v in per_file.items())
              + f")   peak RSS {num(base, 'rss_mb'):.0f} MB   load {loads(base)}")
    else:
        print(f"baseline importer:   {full:7.1f} s   (all files)   peak RSS "
              f"{num(base, 'rss_mb'):.0f} MB   load {loads(base)}")
    again = run_step("import", str(db), str(export))
    print(f"kneeguard re-import: {num(again, 'wall_s'):7.1f} s   peak RSS "
          f"{num(again, 'rss_mb'):.0f} MB   load {loads(again)}   {again['summary']}")
    ratio = full / num(first, "wall_s")
    print(f"speed-up over the baseline: {ratio:.1f}x (wall time)")
    checks = {
        f"import <= {TARGETS['import_s']:.0f} s": num(first, "wall_s") <= TARGETS["import_s"],
        f">= {TARGETS['ratio']:.0f}x the baseline": ratio >= TARGETS["ratio"],
        f"re-import <= {TARGETS['reimport_s']:.0f} s":
            num(again, "wall_s") <= TARGETS["reimport_s"],
        f"peak RSS <= {TARGETS['rss_mb']:.0f} MB":
            max(num(first, "rss_mb"), num(again, "rss_mb")) <= TARGETS["rss_mb"],
    }
    for name, ok in checks.items():
        print(f"  {'met ' if ok else 'MISSED'}  {name}")


def num(result: dict[str, object], key: str) -> float:
    value = result[key]
    assert isinstance(value, (int, float))
    return float(value)


def loads(result: dict[str, object]) -> str:
    values = result["load"]
    assert isinstance(values, list)
    return " -> ".join(f"{v:.1f}" for v in values)


if __name__ == "__main__":
    main()
