"""How long the consistency analysis takes: the full analysis of one standard across the installed bodies (the
sweeps, the complete analysis of every pattern of criteria met, the catalogue), and the complete analysis alone.

Run: python bench/consistency_bench.py [--standard ST0071] [--repeat 5]. Prints figures, each beside a
baseline measured in the same run: grading one typical record by every body, as often as the sweeps grade
records (the floor the sweeps cannot beat), and the issue's target (the analysis of ST0071 across four bodies
under 10 s). Asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import time

from epa.consistency import analyse, complete
from epa.consistency.findings import SweptBody, record
from epa.engine.compiled import Engine
from epa.registry import Registry


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--standard", default="ST0071")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    registry = Registry.installed()
    bodies = registry.offering(args.standard)
    definition = registry.standard(args.standard)

    samples, data = [], {}
    for _ in range(args.repeat):
        start = time.perf_counter()
        data = analyse(registry, args.standard)
        samples.append(time.perf_counter() - start)
    sweep = statistics.median(samples)
    swept = {area: n for area, n in data["cases"].items() if area != "criteria patterns"}
    cases = sum(swept.values())

    typical = record(args.standard, [{"method": m, "grade": "pass"} for m in definition.method_ids])
    subjects = [SweptBody(b, b.ruleset(args.standard), engine=Engine.of(registry)) for b in bodies]
    start = time.perf_counter()
    for _ in range(cases):
        for s in subjects:
            s.grade(typical)
    floor = time.perf_counter() - start

    alone = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        complete.analyse(subjects, definition)
        alone.append(time.perf_counter() - start)
    counted = statistics.median(alone)

    areas = ", ".join(f"{n} {area}" for area, n in swept.items())
    patterns = data["cases"].get("criteria patterns", 0)
    print(f"{args.standard}, {len(bodies)} bodies: {cases} cases swept ({areas}), {patterns:,} patterns of criteria "
          f"counted, {len(data['findings'])} findings")
    print(f"full analysis (median of {args.repeat})          {sweep:8.3f} s")
    print(f"  of which the complete analysis          {counted:8.3f} s")
    print(f"baseline: {cases} typical records graded by every body  {floor:8.3f} s   "
          f"analysis / baseline = {sweep / floor:5.2f}")
    print(f"target: under 10 s (ST0071, four bodies)           analysis / target   = {sweep / 10.0:5.3f}")


if __name__ == "__main__":
    main()
