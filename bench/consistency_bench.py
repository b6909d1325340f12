"""How long the consistency analysis takes: the full sweep of one standard across the installed bodies.

Run: python bench/consistency_bench.py [--standard ST0071] [--repeat 5]. Prints figures, each beside a
baseline measured in the same run: grading one typical record by every body, as often as the sweep grades
records (the floor the sweep cannot beat), and the issue's target of about a second. Asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import time

from epa.consistency import analyse
from epa.consistency.findings import Subject, record
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
    cases = sum(data["cases"].values())

    typical = record(args.standard, [{"method": m, "grade": "pass"} for m in definition.method_ids])
    subjects = [Subject(b, b.ruleset(args.standard)) for b in bodies]
    start = time.perf_counter()
    for _ in range(cases):
        for s in subjects:
            s.grade(typical)
    floor = time.perf_counter() - start

    areas = ", ".join(f"{n} {area}" for area, n in data["cases"].items())
    print(f"{args.standard}, {len(bodies)} bodies: {cases} cases swept ({areas}), {len(data['findings'])} findings")
    print(f"full sweep (median of {args.repeat})     {sweep:8.3f} s")
    print(f"baseline: {cases} typical records graded by every body  {floor:8.3f} s   "
          f"sweep / baseline = {sweep / floor:5.2f}")
    print(f"target: about 1 s on one core                  sweep / target   = {sweep / 1.0:5.2f}")


if __name__ == "__main__":
    main()
