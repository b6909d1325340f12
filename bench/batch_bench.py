"""`epa compare --batch` on large cohorts: that it completes with the counts reconciled, its time, and its peak
memory at each size beside the smallest size's, as a ratio (the target: 1,000,000 records within 10% of
100,000's peak).

    python bench/batch_bench.py                          # 100,000 and 1,000,000 records (the latter takes long)
    python bench/batch_bench.py --sizes 10000,100000     # quicker
    python bench/batch_bench.py --workers 2 --keep DIR   # keep the cohort files in DIR
    python bench/batch_bench.py --output json            # every record explained (much slower)
    python bench/batch_bench.py --identical              # and the largest cohort's CSV rows, 1 worker and 2

Each cohort is written to a temporary file (synthetic records from bench/cohort.py, journey included, every
100th line corrupt: a line cut short, an unknown method, an impossible date in turn), then graded by the
installed command in a child process, its output read and discarded here but for the last line, the summary:
`epa compare --batch FILE --summary-only --format json` by default (each body's decisions, counted),
`--format json --summary` with ``--output json`` (each record's results explained, then the summary). Peak
memory is the child's maximum resident set size (os.wait4's rusage: the child and the workers it waited for).
``--identical`` also writes the largest cohort's CSV rows with one worker and with two and compares their
SHA-256 digests.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cohort import records  # noqa: E402

from epa.registry import Registry  # noqa: E402

EVERY = 100  # one line in a hundred is corrupt


def write_cohort(path: Path, registry: Registry, n: int) -> int:
    """n lines, 1% of them corrupt; returns how many are."""
    bad = 0
    with path.open("w", encoding="utf-8") as out:
        for i, data in enumerate(records(registry, n)):
            if i % EVERY == EVERY // 2:
                kind = bad % 3
                bad += 1
                if kind == 0:
                    line = json.dumps(data, separators=(",", ":"))[:60]
                else:
                    data = copy.deepcopy(data)
                    if kind == 1:
                        data["assessments"][0]["method"] = "obsrvation"
                    else:
                        data["gateway"]["date"] = "2025-02-30"
                    line = json.dumps(data, separators=(",", ":"))
            else:
                line = json.dumps(data, separators=(",", ":"))
            out.write(line + "\n")
    return bad


OUTPUTS = {"summary": ["--summary-only", "--format", "json"], "json": ["--format", "json", "--summary"]}


def run_batch(path: Path, workers: int, output: str = "summary") -> tuple[float, int, dict, int, int]:
    """(seconds, peak RSS in KiB, summary, output lines, exit code) of one run of the installed command."""
    command = [sys.executable, "-m", "epa", "compare", "--batch", str(path), *OUTPUTS[output],
               "--workers", str(workers)]
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert child.stdout is not None
    lines, tail = 0, b""
    while chunk := child.stdout.read(1 << 20):
        lines += chunk.count(b"\n")
        tail = (tail + chunk)[-(1 << 20):]
    stderr = child.stderr.read() if child.stderr else b""
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    last = tail.rstrip(b"\n").rsplit(b"\n", 1)[-1]
    try:
        summary = json.loads(last)["summary"]
    except (ValueError, KeyError):
        sys.exit(f"the run did not end with a summary (exit {child.returncode}): {stderr.decode()[-2000:]}")
    return seconds, usage.ru_maxrss, summary, lines, child.returncode


def csv_digest(path: Path, workers: int) -> tuple[str, float]:
    """The SHA-256 of `epa compare --batch FILE --format csv --workers N`'s output, and its seconds."""
    command = [sys.executable, "-m", "epa", "compare", "--batch", str(path), "--format", "csv",
               "--workers", str(workers)]
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert child.stdout is not None
    digest = hashlib.sha256()
    while chunk := child.stdout.read(1 << 20):
        digest.update(chunk)
    child.wait()
    return digest.hexdigest(), time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000,1000000", help="comma-separated record counts")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="write the cohorts here and keep them (default: a temp dir)")
    parser.add_argument("--output", choices=sorted(OUTPUTS), default="summary")
    parser.add_argument("--identical", action="store_true",
                        help="also compare the largest cohort's CSV rows from 1 worker and from 2")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    registry = Registry.installed()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
          f"Python {platform.python_version()}; bodies: {', '.join(b.body.id for b in registry.bodies)}; "
          f"workers: {args.workers}; output: {' '.join(OUTPUTS[args.output])}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for n in sizes:
            path = folder / f"cohort-{n}.jsonl"
            t0 = time.perf_counter()
            bad = write_cohort(path, registry, n)
            written_in = time.perf_counter() - t0
            seconds, peak, summary, lines, code = run_batch(path, args.workers, args.output)
            read, ok, errors = summary["records_read"], summary["results_written"], summary["errors"]
            reconciled = read == n == ok + errors and errors >= bad and code == (2 if errors else 0) and lines == (
                n + 1 if args.output == "json" else 1)
            rows.append((n, seconds, peak, read, ok, errors, bad, reconciled))
            print(f"{n:>9,} records ({path.stat().st_size / 1e6:,.0f} MB, written in {written_in:.0f} s): "
                  f"read {read:,} = graded {ok:,} + rejected {errors:,} (corrupt lines: {bad:,}), "
                  f"exit {code}, {'reconciled' if reconciled else 'NOT RECONCILED'}; "
                  f"{seconds:,.1f} s, {n / seconds:,.0f} records/s, peak RSS {peak / 1024:,.1f} MiB", flush=True)
        identical = None
        if args.identical:
            digests = {w: csv_digest(folder / f"cohort-{sizes[-1]}.jsonl", w) for w in (1, 2)}
            identical = digests[1][0] == digests[2][0]
            print(f"{sizes[-1]:,} records as CSV rows: 1 worker {digests[1][1]:,.1f} s, 2 workers "
                  f"{digests[2][1]:,.1f} s; SHA-256 {digests[1][0][:16]}... and {digests[2][0][:16]}...: "
                  f"{'byte-identical' if identical else 'DIFFERENT'}")
    base = rows[0]
    print()
    print(f"{'records':>10} {'seconds':>9} {'rec/s':>8} {'peak MiB':>9} {'peak ratio':>11}  target")
    for n, seconds, peak, *_ in rows:
        target = "within 1.10 of the smallest" if n != base[0] else "(baseline)"
        print(f"{n:>10,} {seconds:>9,.1f} {n / seconds:>8,.0f} {peak / 1024:>9,.1f} {peak / base[2]:>11.3f}  {target}")
    if not all(r[-1] for r in rows) or identical is False:
        sys.exit(1)


if __name__ == "__main__":
    main()
