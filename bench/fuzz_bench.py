"""`epa compare --batch` fuzzed at scale: tests/test_fuzz_batch.py's cohort and invariants (bench/fuzzing.py) at
100,000 records and more, as JSON Lines and as CSV, in every output format.

    python bench/fuzz_bench.py                         # 100,000 records, JSON Lines and CSV, 2 workers
    python bench/fuzz_bench.py --lines 20000 --kinds csv --workers 1,2
    python bench/fuzz_bench.py --hooks                 # with the body plugin whose hook misbehaves
    python bench/fuzz_bench.py --keep DIR              # keep the cohorts in DIR
    python bench/fuzz_bench.py --isolate --lines 300   # a cohort per mutation: which invariants each one breaks

For each cohort it prints its lines, records, valid records (those that must be graded) and mutated ones; per
run (format and workers) the exit code, the seconds, the records read (for JSON and CSV, the lines with output),
graded and rejected, and the records lost (no output line at all); the lines on which the formats disagree; and
every broken invariant, by mutation. ``--isolate`` writes a cohort per mutation instead (valid records and that
mutation alone; the hooks plugin for the hooks' mutations) and prints the invariants each one breaks, in which
runs. It exits 1 when any invariant is broken.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fuzzing  # noqa: E402

from epa.registry import Registry  # noqa: E402

NAMES = {"jsonl": "JSON Lines", "csv": "CSV"}


def figures(cohort: fuzzing.Cohort, hooks: bool, runs: list[fuzzing.Run], findings: list[fuzzing.Finding],
            examples: int) -> None:
    planted = cohort.expect(hooks).values()
    mutated = sum(p.mutation != "valid" for p in planted)
    valid = sum(p.expect == fuzzing.GRADED for p in planted)
    print(f"{NAMES[cohort.kind]}: {len(planted):,} records ({mutated:,} mutated; {valid:,} valid, which must be "
          f"graded) on {cohort.lines:,} lines, {cohort.path.stat().st_size / 1e6:,.0f} MB")
    lost = Counter(f.where.split(",")[0] for f in findings if f.invariant == "lost")
    print(f"  {'format':<14}{'workers':>8}{'exit':>6}{'seconds':>9}{'read':>9}{'graded':>9}{'errors':>9}{'lost':>9}")
    for run in runs:
        if run.fmt in ("json", "csv"):  # lost: records without an output line
            graded = sum(v.grades is not None for v in run.seen.verdicts.values())
            read, errors, missing = len(run.seen.verdicts), len(run.seen.verdicts) - graded, f"{lost[run.label]:,}"
        else:  # the summary's counts, which cannot say which records are lost
            read, graded, errors = run.seen.counts or (0, 0, 0)
            missing = "-"
        code = "hung" if run.code is None else str(run.code)
        print(f"  {run.fmt:<14}{run.workers:>8}{code:>6}{run.seconds:>9.1f}{read:>9,}{graded:>9,}{errors:>9,}"
              f"{missing:>9}")
    disagree = [f for f in findings if f.invariant == "formats agree"]
    lines = sum(", line " in f.where for f in disagree)
    print(f"  lines on which the formats disagree: {lines:,}" + ("; their counts disagree" if len(disagree) > lines
                                                              else ""))
    print("  invariants: " + ("all hold" if not findings else f"{len(findings):,} findings"), flush=True)
    if findings:
        print("    " + fuzzing.report(findings, examples=examples).replace("\n", "\n    "), flush=True)


def isolate(folder: Path, registry: Registry, kind: str, args: argparse.Namespace, workers: list[int]) -> bool:
    """A cohort per mutation; print the invariants each breaks and in which runs; whether any broke one."""
    broken = False
    for mutation in (m for m in fuzzing.MUTATIONS if kind in m.kinds):
        hooks = mutation.name in fuzzing.HOOKED
        env = fuzzing.install_hooks(folder / "plugin", registry) if hooks else {}
        cohort = fuzzing.write_cohort(folder / f"{mutation.name}.{kind}", registry, args.lines, seed=args.seed,
                                      mutated=0.05, only=mutation.name)
        runs = [fuzzing.run_batch(cohort, fmt, w, env, args.timeout) for w in workers for fmt in fuzzing.FORMATS]
        where: dict[str, set[tuple[str, str]]] = {}
        for f in fuzzing.check(cohort, hooks, runs):
            run = f.where.split(",")[0]  # "json --workers 1"; "--workers 1" (formats agree); "json" (workers agree)
            fmt, _, count = run.rpartition("--workers ") if "--workers " in run else (run, "", "1 vs 2")
            where.setdefault(f.invariant, set()).add((fmt.strip() or "json vs csv", count))
        broken = broken or bool(where)
        print(f"  {kind:<6}{mutation.name:<22}" + ("; ".join(f"{invariant} [{_runs(seen)}]"
                                                          for invariant, seen in where.items()) or "all hold"),
              flush=True)
    return broken


def _runs(seen: set[tuple[str, str]]) -> str:
    """Runs as "json 1,2, csv 2": each format with its worker counts."""
    by: dict[str, list[str]] = {}
    for fmt, workers in sorted(seen):
        by.setdefault(fmt, []).append(workers)
    return ", ".join(f"{fmt} {','.join(w)}" for fmt, w in by.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=100_000, help="records per cohort (default 100,000)")
    parser.add_argument("--kinds", default="jsonl,csv", help="cohorts: jsonl, csv or both (default)")
    parser.add_argument("--workers", default="2", help="comma-separated worker counts, each run (default 2)")
    parser.add_argument("--hooks", action="store_true", help="install the body plugin whose hook misbehaves")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--timeout", type=float, default=3600, help="seconds a run may take before it is killed")
    parser.add_argument("--keep", type=Path, help="write the cohorts here and keep them (default: a temp dir)")
    parser.add_argument("--examples", type=int, default=2, help="findings shown for each invariant broken")
    parser.add_argument("--isolate", action="store_true", help="a cohort per mutation (try --lines 300)")
    args = parser.parse_args()
    registry = Registry.installed()
    workers = [int(w) for w in args.workers.split(",")]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; bodies: "
          f"{', '.join(b.body.id for b in registry.bodies)}{' + ' + fuzzing.PLUGIN if args.hooks else ''}; "
          f"seed {args.seed}")
    broken = False
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        env = fuzzing.install_hooks(folder / "plugin", registry) if args.hooks else {}
        for kind in args.kinds.split(","):
            if args.isolate:
                broken = isolate(folder, registry, kind, args, workers) or broken
                continue
            cohort = fuzzing.write_cohort(folder / f"fuzz-{args.lines}.{kind}", registry, args.lines,
                                          seed=args.seed)
            runs = [fuzzing.run_batch(cohort, fmt, w, env, args.timeout) for w in workers for fmt in fuzzing.FORMATS]
            findings = fuzzing.check(cohort, args.hooks, runs)
            figures(cohort, args.hooks, runs, findings, args.examples)
            broken = broken or bool(findings)
    sys.exit(1 if broken else 0)


if __name__ == "__main__":
    main()
