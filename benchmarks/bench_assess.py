"""Benchmark: the engine's time per assessment and the wall time of `kneeguard --help`.

Targets (issue 2): <= 1 ms per assessment (knowledge base already loaded), and
<= 0.3 s for `kneeguard --help`. The baseline in the same run is the naive way to
call the engine: loading the knowledge base from its files for every assessment.

    uv run python benchmarks/bench_assess.py
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kneeguard.assessment import assess
from kneeguard.knowledge import load_kb
from kneeguard.knowledge.loader import DATA_DIR

ROOT = Path(__file__).resolve().parents[1]
CASES = json.loads((ROOT / "tests" / "data" / "clinical_cases.json").read_text())
SHARED = ROOT.parent / "shared" / "data" / "vignettes-dev.json"
if SHARED.exists():
    CASES += json.loads(SHARED.read_text())
DOCUMENTS = [case["answers"] for case in CASES]


def per_assessment_ms(repeat: int = 20) -> list[float]:
    kb = load_kb()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for document in DOCUMENTS:
            assess(document, kb)
        times.append((time.perf_counter() - start) * 1000 / len(DOCUMENTS))
    return times


def baseline_ms(repeat: int = 3) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        for document in DOCUMENTS[:10]:
            assess(document, load_kb(DATA_DIR))  # reads and validates the files each time
    return (time.perf_counter() - start) * 1000 / (repeat * 10)


def help_wall_s(repeat: int = 7, bytecode: bool = True) -> tuple[list[float], list[float]]:
    """Wall time and CPU time (user + system) of `python -m kneeguard --help`.

    With ``bytecode`` the run uses Python's bytecode cache as an installed kneeguard does
    (in a private folder, after one warm-up run); this machine sets
    PYTHONDONTWRITEBYTECODE=1, which otherwise compiles every module on every start.
    """
    env = dict(os.environ)
    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = tempfile.mkdtemp(prefix="kneeguard-pyc-")
        subprocess.run([sys.executable, "-m", "kneeguard", "--help"], check=True,
                       capture_output=True, env=env)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "kneeguard", "--help"], check=True,
                       capture_output=True, env=env)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return walls, cpus


def main() -> None:
    times = per_assessment_ms()
    median = statistics.median(times)
    base = baseline_ms()
    helps, cpus = help_wall_s()
    cold, _ = help_wall_s(bytecode=False)
    print(f"assessment: {len(DOCUMENTS)} answer documents x 20 rounds")
    print(f"  engine, knowledge base loaded: median {median:.3f} ms per assessment "
          f"(best {min(times):.3f}, worst {max(times):.3f}); target <= 1 ms: "
          f"{'MET' if median <= 1 else 'MISSED'}")
    print(f"  baseline, knowledge base read for each assessment: {base:.1f} ms "
          f"({base / median:.0f}x slower)")
    print(f"kneeguard --help wall time: median {statistics.median(helps):.3f} s "
          f"(best {min(helps):.3f} s); target <= 0.3 s: "
          f"{'MET' if statistics.median(helps) <= 0.3 else 'MISSED'}; CPU time median "
          f"{statistics.median(cpus):.3f} s (wall time includes waiting for a busy CPU; "
          f"load average now {os.getloadavg()[0]:.1f})")
    print(f"  without a bytecode cache (every module compiled at start): median "
          f"{statistics.median(cold):.3f} s")


if __name__ == "__main__":
    main()
