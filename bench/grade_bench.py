"""How long the platform takes: loading the installed bodies, grading records by every body (gateway,
resit policy and deadlines included), and writing the deadlines as iCalendar.

Run: python bench/grade_bench.py [--records N]. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from epa.engine.explained import grade
from epa.inputs.record import load_record
from epa.registry import Registry
from epa.views.ics import calendar

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def report(label: str, samples: list[float], per: int = 1) -> None:
    median = statistics.median(samples) / per
    print(f"{label:<44} median {median * 1e3:9.3f} ms   min {min(samples) / per * 1e3:9.3f} ms   (n={len(samples)})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=200, help="records graded per timing")
    args = parser.parse_args()

    report("load installed bodies (YAML + schema)", timed(Registry.installed, 10))
    registry = Registry.installed()
    for path in sorted(EXAMPLES.glob("*.yaml")):
        record = load_record(path, registry)
        bodies = registry.offering(record.standard)
        report(f"load + validate {path.name}", timed(lambda p=path: load_record(p, registry), 20))

        def grade_all(record=record, bodies=bodies) -> None:
            for _ in range(args.records):
                for body in bodies:
                    grade(body, record)

        report(f"grade {path.name} by {len(bodies)} bodies, per record", timed(grade_all, 5), per=args.records)

    journey = load_record(EXAMPLES / "st0071-journey.yaml", registry)
    results = [grade(b, journey) for b in registry.offering(journey.standard)]
    report("iCalendar of st0071-journey.yaml's deadlines", timed(lambda: calendar(journey, results).to_ical(), 50))


if __name__ == "__main__":
    main()
