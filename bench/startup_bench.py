"""Start-up time: `epa --version` and `epa compare` on one record, each beside a bare interpreter
(`python -c pass`) measured in the same run, as a ratio, with the issue's targets (5x and 10x) beside.

`epa compare` is timed with epa's cache warm (the usual case: the rules were read and validated by an earlier
run) and cold (EPA_NO_CACHE=1: every start reads and validates the rules again).

Run: python bench/startup_bench.py [--runs N]. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RECORD = ROOT / "examples" / "st0071-observation-distinction.yaml"


def epa_command() -> list[str]:
    """The installed console script beside this interpreter (no shell shim in between), else python -m epa."""
    script = Path(sys.executable).parent / "epa"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "epa"]


def median_seconds(command: list[str], runs: int, env: dict[str, str] | None = None) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, env=env, cwd=ROOT)
        samples.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(command)} exited {done.returncode}: {done.stderr.decode()[-500:]}")
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15, help="runs per command (the median is shown)")
    args = parser.parse_args()
    epa = epa_command()
    cold = {**os.environ, "EPA_NO_CACHE": "1"}
    subprocess.run([*epa, "compare", str(RECORD)], capture_output=True, cwd=ROOT)  # fill the cache
    bare = median_seconds([sys.executable, "-c", "pass"], args.runs)
    rows = [
        ("epa --version", median_seconds([*epa, "--version"], args.runs), 5),
        ("epa compare (one record, cache warm)", median_seconds([*epa, "compare", str(RECORD)], args.runs), 10),
        ("epa compare (one record, EPA_NO_CACHE=1)", median_seconds([*epa, "compare", str(RECORD)], args.runs, cold),
         10),
    ]
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, median of {args.runs} runs; "
          f"epa = {shutil.which(epa[0]) or epa[0]}")
    print(f"{'python -c pass (baseline)':<44} {bare * 1e3:8.1f} ms")
    for label, seconds, target in rows:
        ratio = seconds / bare
        verdict = "met" if ratio <= target else "not met"
        print(f"{label:<44} {seconds * 1e3:8.1f} ms  {ratio:5.1f}x baseline   target <= {target}x: {verdict}")


if __name__ == "__main__":
    main()
