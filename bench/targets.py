"""Every figure issues 9 and 18 set a target for, each printed beside its target, in one command:

    python bench/targets.py             # start-up, grading throughput, batch memory at 10,000 and 100,000,
                                        # and explaining and the JSON command
    python bench/targets.py --full      # batch memory at 100,000 and 1,000,000 records, and the 1,000,000
                                        # records' CSV rows from one worker and two compared (takes long)

It runs bench/startup_bench.py (which builds a fresh venv in a temporary folder first, about 15 s),
bench/engine_bench.py, bench/batch_bench.py and bench/explain_bench.py in turn (each can be run alone, and the last
with --before DIR for an earlier checkout beside this one; see their docstrings).
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true", help="batch memory at 100,000 and 1,000,000 records")
    parser.add_argument("--records", type=int, default=5000, help="records per in-process throughput run")
    args = parser.parse_args()
    runs = [
        ["startup_bench.py"],
        ["engine_bench.py", "--records", str(args.records)],
        ["batch_bench.py", "--sizes", *(["100000,1000000", "--identical"] if args.full else ["10000,100000"])],
        ["explain_bench.py", "--records", str(args.records)],
    ]
    failed = 0
    for script, *options in runs:
        if not (HERE / script).is_file():
            print(f"\n== {script}: not present, skipped")
            continue
        print(f"\n== {script} {' '.join(options)}", flush=True)
        failed |= subprocess.run([sys.executable, str(HERE / script), *options]).returncode
    raise SystemExit(failed)


if __name__ == "__main__":
    main()
