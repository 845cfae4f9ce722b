"""Benchmark: the home and training pages of `kneeguard serve` under 20 concurrent clients.

The demo runner scaled to ten years of running (about 2,000 runs, a journal and an
assessment) goes into a temporary SQLite database. For each variant the app runs under
uvicorn in one process, as ``kneeguard serve`` runs it, on loopback, and Debian's
``wrk`` (two threads, on the same two cores) sends requests from 20 connections:

* **cached**: the app as shipped (page content cached by data version, charts by
  content),
* **uncached baseline**: ``create_app(cache=False)``, which recomputes the weeks,
  warnings and charts on every request.

Reported per page: requests per second, the latency wrk sees (p50/p95/p99, including
the time a request waits in the queue behind the 19 others) and the server time (p50/p95
of the time the app itself spends on a request, measured inside the worker processes).
Goal: p95 <= 50 ms.

Run: ``uv run python benchmarks/bench_web.py [--seconds 10]`` (needs ``apt-get install
wrk``). Prints a table; nothing is written outside a temporary directory.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

GOAL_MS = 50.0
PAGES = ("/", "/training")
WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format("WRKJSON {\\"requests\\": %d, \\"errors\\": %d, \\"seconds\\": %f,"
    .. " \\"p50\\": %d, \\"p95\\": %d, \\"p99\\": %d}\\n",
    summary.requests, summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout, summary.duration / 1e6,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


# -- the app as uvicorn's factory imports it in each worker --------------------------------


class ServerTiming:
    """Records how long the app spends on each request; written to a file at shutdown."""

    def __init__(self, app: Any, out_dir: str) -> None:
        self.app = app
        self.times: dict[str, list[float]] = {}
        self.path = Path(out_dir) / f"timings-{os.getpid()}.json"
        atexit.register(self.dump)

    def dump(self) -> None:
        self.path.write_text(json.dumps(self.times))

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            async def receive_and_dump() -> Any:
                message = await receive()
                if message["type"] == "lifespan.shutdown":
                    self.dump()
                return message

            await self.app(scope, receive_and_dump, send)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        await self.app(scope, receive, send)
        self.times.setdefault(scope["path"], []).append(time.perf_counter() - start)


def app_factory() -> Any:
    """uvicorn ``--factory`` entry: settings from the environment, cache from BENCH_CACHE."""
    from kneeguard.web import create_app

    cache = os.environ.get("BENCH_CACHE", "1") == "1"
    return ServerTiming(create_app(cache=cache), os.environ["BENCH_OUT"])


# -- the benchmark ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def build_database(work: Path) -> str:
    from kneeguard.demo import load_demo
    from kneeguard.storage import connect

    url = f"sqlite:///{work / 'ten-years.db'}"
    db = connect(url)
    started = time.perf_counter()
    demo = load_demo(db, years=10)
    db.dispose()
    print(f"demo scaled to ten years: {len(demo.runs)} runs, {len(demo.journal)} journal "
          f"entries, loaded in {time.perf_counter() - started:.1f} s")
    return url


def start_server(work: Path, url: str, cache: bool, out: Path) -> tuple[subprocess.Popen[bytes],
                                                                          int]:
    port = free_port()
    env = {**os.environ, "KNEEGUARD_DB": url, "KNEEGUARD_DATA_DIR": str(work / "data"),
           "KNEEGUARD_PORT": str(port), "BENCH_CACHE": "1" if cache else "0",
           "BENCH_OUT": str(out), "PYTHONPATH": str(Path(__file__).parent)}
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "bench_web:app_factory", "--factory",
         "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "warning", "--no-access-log"], env=env)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=60) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.2)
    else:
        process.terminate()
        raise SystemExit("the server did not start")
    for _ in range(3):  # warm up: first renders, chart engine start
        for page in PAGES:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{page}", timeout=120).read()
    return process, port


def run_wrk(port: int, page: str, seconds: int, script: Path) -> dict[str, Any]:
    command = ["wrk", "-t2", "-c20", f"-d{seconds}s", "--timeout", "60s", "-s", str(script),
               f"http://127.0.0.1:{port}{page}"]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    line = next(x for x in result.stdout.splitlines() if x.startswith("WRKJSON "))
    data: dict[str, Any] = json.loads(line[len("WRKJSON "):])
    return data


def server_times(out: Path, page: str) -> list[float]:
    times: list[float] = []
    for path in out.glob("timings-*.json"):
        times += json.loads(path.read_text()).get(page, [])
    return times


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100.0 * (len(ordered) - 1)))]


def measure(work: Path, url: str, cache: bool, seconds: int, script: Path) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for page in PAGES:
        out = work / f"out-{'cached' if cache else 'baseline'}-{page.strip('/') or 'home'}"
        out.mkdir()
        process, port = start_server(work, url, cache, out)
        try:
            # timings of the warm-up requests are dropped: only what wrk sent counts
            for path in out.glob("timings-*.json"):
                path.unlink()
            wrk = run_wrk(port, page, seconds, script)
        finally:
            process.terminate()
            process.wait(30)
        times = server_times(out, page)
        times = times[-wrk["requests"]:] if wrk["requests"] else times
        results[page] = {**wrk, "server_p50": 1000 * percentile(times, 50) if times else None,
                         "server_p95": 1000 * percentile(times, 95) if times else None,
                         "server_mean": 1000 * statistics.fmean(times) if times else None}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration per page")
    parser.add_argument("--baseline-seconds", type=int, default=6,
                        help="wrk duration per page for the uncached baseline")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    work = Path(tempfile.mkdtemp(prefix="kneeguard-bench-web-"))
    try:
        script = work / "report.lua"
        script.write_text(WRK_SCRIPT)
        url = build_database(work)
        cached = measure(work, url, True, args.seconds, script)
        baseline = measure(work, url, False, args.baseline_seconds, script)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"\n20 concurrent clients (wrk -t2 -c20), one uvicorn process on loopback, "
          f"{os.cpu_count()} cores shared by server and wrk")
    header = (f"{'variant':<18}{'page':<11}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
              f"{'server p50':>12}{'server p95':>12}{'errors':>8}")
    print(header)
    print("-" * len(header))
    for name, results in (("cached", cached), ("uncached baseline", baseline)):
        for page, r in results.items():
            print(f"{name:<18}{page:<11}{r['requests'] / r['seconds']:>8.0f}"
                  f"{r['p50'] / 1000:>9.1f}{r['p95'] / 1000:>9.1f}{r['p99'] / 1000:>9.1f}"
                  f"{r['server_p50']:>12.2f}{r['server_p95']:>12.2f}{r['errors']:>8}")
    print()
    for page in PAGES:
        c, b = cached[page], baseline[page]
        verdict = "meets" if c["p95"] / 1000 <= GOAL_MS else "MISSES"
        print(f"{page}: p95 {c['p95'] / 1000:.1f} ms with 20 clients ({verdict} the goal of "
              f"{GOAL_MS:g} ms); {b['p95'] / max(c['p95'], 1):.0f}x lower than the uncached "
              f"baseline's {b['p95'] / 1000:.0f} ms")


if __name__ == "__main__":
    main()
