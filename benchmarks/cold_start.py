"""Cold start of the function against the floor, measured side by side in one run.

Each sample is a fresh Python process, as a cold Lambda container is:
  floor    python -c "import boto3, requests"   (the SDK and HTTP library any checker needs)
  handler  python -c "import app"               (the function's whole init phase: Powertools,
                                                 tenacity, the adapters; no AWS call is made)
Runs alternate (floor, handler, floor, ...) so that machine noise hits both alike; the
table gives medians and their ratio. A figure to read, not a test to pass.

    python benchmarks/cold_start.py [--pairs 20]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROGRAMS = {
    "floor": "import boto3, requests",
    "handler": "import app",
}


def seconds(program: str) -> float:
    environment = {**os.environ, "PYTHONPATH": str(ROOT / "src" / "handler"), "PYTHONDONTWRITEBYTECODE": "1"}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", program], env=environment, check=True)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=20)
    args = parser.parse_args()

    for program in PROGRAMS.values():  # warm the file cache and compile bytecode once
        seconds(program)
    samples: dict[str, list[float]] = {name: [] for name in PROGRAMS}
    for _ in range(args.pairs):
        for name, program in PROGRAMS.items():
            samples[name].append(seconds(program))

    floor = statistics.median(samples["floor"])
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"{'process':<10}{'median ms':>10}{'min ms':>9}{'max ms':>9}{'x floor':>9}")
    for name, values in samples.items():
        median, fastest, slowest = statistics.median(values), min(values), max(values)
        print(f"{name:<10}{median * 1e3:>10.0f}{fastest * 1e3:>9.0f}{slowest * 1e3:>9.0f}{median / floor:>9.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
