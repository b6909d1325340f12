"""What explaining a record must pay whatever explains it (issue 18's target: explaining <= 5x deciding), measured on
the synthetic ST0071 cohort (bench/cohort.py, journey included), in-process, CPU time per record, best of
``--repeat`` runs, each beside ``Engine.decide`` in the same run:

- ``Engine.explain`` with nothing remembered at the start (a new engine and plans, as a batch starts), and with
  every table already filled by the same cohort (the most remembering can give: a cohort explained twice);
- its assembly floor: each record's ``BodyResult`` objects made again from the pieces its explanation holds (its
  steps, notes, deadlines, requirements, checks and component details already made): the new tuples, gateway
  status and result alone, with nothing looked up, worded or decided. No explainer that gives these objects can
  cost less;
- that floor with one table look-up per piece (a dict keyed by a tuple of two, as the plans' tables are, each
  found): about the least an explainer remembering every piece by what it reads pays to find them.

Prints figures; asserts nothing. Run: python bench/explain_floor.py [--records 5000] [--repeat 3].
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from cohort import write_jsonl

    from epa.engine import plans
    from epa.engine.compiled import Engine
    from epa.inputs.fastrecord import decode
    from epa.model.results import BodyResult, GatewayStatus
    from epa.registry import Registry

    reg = Registry.installed()
    with TemporaryDirectory() as folder:
        path = write_jsonl(Path(folder) / "cohort.jsonl", reg, args.records)
        records = [decode(line, reg) for line in path.read_bytes().splitlines()]
    n = len(records)

    def best(fn: Any) -> float:
        fn()
        times = []
        for _ in range(args.repeat):
            start = time.process_time()
            fn()
            times.append(time.process_time() - start)
        return min(times) / n

    engine = Engine(reg)

    def decide() -> None:
        for r in records:
            engine.decide(r)

    def cold() -> None:
        with plans.remembering(True):
            explaining = Engine(reg)
            for r in records:
                explaining.explain(r)

    warm_engine = Engine(reg)

    def warm() -> None:
        for r in records:
            warm_engine.explain(r)

    figures = {"decide": best(decide), "cold": best(cold), "warm": best(warm)}
    answers = [warm_engine.explain(r) for r in records]
    pieces = [[(r, r.gateway, len(r.explanation) + len(r.notes) + len(r.deadlines) + len(r.checks)
                + len(r.gateway.requirements) + len(r.component_details)) for r in results] for results in answers]
    found = {(i, j): object() for i in range(64) for j in range(64)}  # a filled table, keys of two

    def assemble(look_up: bool) -> None:
        for results in pieces:
            for r, g, count in results:
                if look_up:
                    for k in range(count):
                        found.get((k & 63, count & 63))
                GatewayStatus(g.ready, tuple(g.unmet), tuple(g.unknown), tuple(g.recommendations_unmet),
                              tuple(g.requirements), tuple(g.optional_unmet), tuple(g.before_assessment_unmet))
                BodyResult(r.body, r.body_name, r.standard, r.document, r.documents, r.overall, dict(r.components),
                           dict(r.component_details), tuple(r.explanation), tuple(r.notes), g, r.capped,
                           r.full_retake_required, tuple(r.deadlines), tuple(r.checks))

    figures["assembly"] = best(lambda: assemble(False))
    figures["lookups"] = best(lambda: assemble(True))
    each = sum(c for results in pieces for _, _, c in results) / n
    d = figures["decide"]
    print(f"{n} ST0071 records (journey included), {len(answers[0])} bodies, {each:.0f} pieces a record")
    for name, label in (("decide", "deciding (Engine.decide)"),
                        ("cold", "explaining, nothing remembered at the start"),
                        ("warm", "explaining, every table filled by the same cohort"),
                        ("assembly", "assembly floor: the results made again from their pieces"),
                        ("lookups", "the floor with one table look-up a piece")):
        print(f"  {label:56} {figures[name] * 1e6:8.1f} us/record  {figures[name] / d:6.1f}x deciding")
    print(f"  target (5x deciding)                                     {5 * d * 1e6:8.1f} us/record")


if __name__ == "__main__":
    main()
