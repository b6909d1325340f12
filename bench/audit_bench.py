"""`epa audit` at cohort speed: the same records audited (`epa audit FILE --format csv`) and graded as a cohort
(`epa compare --batch FILE --format csv`), in one run, as rows per second and their ratio.

    python bench/audit_bench.py                  # 10,000 and 100,000 records
    python bench/audit_bench.py --sizes 20000

Each record (ST0071) has a gateway date and a recorded grade per method, drawn at random; the cohort file holds
them as `compare --batch` reads them (a grade and a date per method), the outcomes file as a provider records them
(the body, each component's grade and attempt, and an overall grade, wrong in about one row in five). Both run in
child processes of the installed command, writing CSV to a file; every output row is counted, and the audit's are
checked: one row per record, none an error row.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from epa.registry import Registry

GRADES = ("fail", "pass", "distinction")


def write_files(folder: Path, registry: Registry, n: int, seed: int = 19) -> tuple[Path, Path]:
    rng = random.Random(seed)
    methods = list(registry.method_ids("ST0071"))
    bodies = [b.body.id for b in registry.offering("ST0071")]
    cohort, outcomes = folder / f"cohort-{n}.csv", folder / f"outcomes-{n}.csv"
    with cohort.open("w", newline="", encoding="utf-8") as c, outcomes.open("w", newline="", encoding="utf-8") as o:
        to_cohort, to_outcomes = csv.writer(c), csv.writer(o)
        to_cohort.writerow(["standard", "apprentice", "gateway_date", *methods, *(f"{m}_date" for m in methods)])
        to_outcomes.writerow(["Standard", "Apprentice ID", "Awarding Body", "Gateway Date",
                              *(m.title() for m in methods), *(f"{m.title()} Attempt" for m in methods),
                              "Overall Grade"])
        for i in range(n):
            gateway = dt.date(2024, 6, 3) + dt.timedelta(days=rng.randrange(500))
            grades = [rng.choices(GRADES, (1, 6, 3))[0] for _ in methods]
            dates = [(gateway + dt.timedelta(days=20 + rng.randrange(40))).isoformat() for _ in methods]
            attempts = [rng.choices(("first", "resit", "retake"), (18, 1, 1))[0] for _ in methods]
            overall = ("fail" if "fail" in grades else "distinction" if set(grades) == {"distinction"} else "pass")
            if rng.random() < 0.2:
                overall = rng.choice(GRADES)
            to_cohort.writerow(["ST0071", f"A{i}", gateway.isoformat(), *grades, *dates])
            to_outcomes.writerow(["ST0071", f"A{i}", bodies[i % len(bodies)], gateway.strftime("%d/%m/%Y"),
                                  *(g.title() for g in grades), *attempts, overall.title()])
    return cohort, outcomes


def timed(command: list[str], out: Path) -> tuple[float, list[list[str]]]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "epa", *command, "--format", "csv", "--out", str(out)],
                          capture_output=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1, 2):
        sys.exit(f"{' '.join(command)}: exit {done.returncode}: {done.stderr.decode()[-2000:]}")
    with out.open(encoding="utf-8") as f:
        return seconds, list(csv.reader(f))[1:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated record counts")
    args = parser.parse_args()
    registry = Registry.installed()
    if not registry.offering("ST0071"):
        sys.exit("needs a body plugin offering ST0071 installed")
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for n in (int(s) for s in args.sizes.split(",")):
            cohort, outcomes = write_files(folder, registry, n)
            compare_s, compared = timed(["compare", "--batch", str(cohort)], folder / "compared.csv")
            audit_s, audited = timed(["audit", str(outcomes)], folder / "audited.csv")
            errors = sum(1 for row in audited if row[-1])
            disagree = sum(1 for row in audited if row[7] == "false")
            ok &= len(audited) == n and not errors
            print(f"{n:>9,} records: compare --batch {compare_s:6.1f} s ({n / compare_s:>8,.0f} records/s, "
                  f"{len(compared):,} rows); audit {audit_s:6.1f} s ({n / audit_s:>8,.0f} rows/s, {len(audited):,} "
                  f"rows, {disagree:,} not following, {errors} errors); audit at {compare_s / audit_s:.2f}x compare's "
                  "speed", flush=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
