"""Where `epa compare --batch --format json` spends its time, stage by stage (issue 18), in-process on a synthetic
ST0071 cohort (bench/cohort.py, journey included), CPU time per record, best of ``--repeat`` runs:

- decode: each JSON line into a Record (``fastrecord.decode``);
- explain: each body's explained result (``Engine.explain``);
- stat: what the summary counts of the record (``report.disagreements``);
- assemble: the record's JSON line. Before: msgspec's encoding of the record's dict, decoded to text, the chunk's
  lines joined; after: ``json_lines.add_line``, msgspec's encoding written into the chunk's buffer as bytes;
- write: each chunk's output written to a file: before, the text through a UTF-8 text stream (encoded again);
  after, the bytes as they are.

Assembly is measured twice: on the results as today's ``Engine.explain`` gives them, and on the same results with
every distinct piece (step, note, requirement, deadline, check, component detail) one object, as an
``Engine.explain`` that remembers its pieces gives them (msgspec encodes either alike). The last lines add the
stages up, before and after, and after with explaining at the issue's target (5x deciding, about 35 us here).

Run: python bench/json_lines_bench.py [--records 3000] [--repeat 3]. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import msgspec

from epa.batch.json_lines import add_line
from epa.engine.compiled import Engine
from epa.inputs.fastrecord import decode
from epa.registry import Registry
from epa.views import report

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cohort import write_jsonl  # noqa: E402

CHUNK = 256  # as epa.batch.cohort


def shared(results: list[list[Any]]) -> list[list[Any]]:
    """The results with each distinct piece one object (distinct by its encoding: 65 and 65.0 apart)."""
    encode = msgspec.json.encode
    one: dict[bytes, Any] = {}

    def of(piece: Any) -> Any:
        return one.setdefault(encode(piece), piece)

    def pieces(items: Any) -> tuple[Any, ...]:
        return tuple(map(of, items))

    return [[attrs.evolve(r, explanation=pieces(r.explanation), notes=pieces(r.notes), deadlines=pieces(r.deadlines),
                          checks=pieces(r.checks), component_details={m: of(d) for m, d in r.component_details.items()},
                          gateway=attrs.evolve(r.gateway, requirements=pieces(r.gateway.requirements)))
             for r in rs] for rs in results]


def best(fn: Callable[[], Any], repeat: int, n: int) -> tuple[float, Any]:
    """The least CPU time of ``repeat`` runs, per record, and the last run's answer."""
    times, answer = [], None
    for _ in range(repeat):
        start = time.process_time()
        answer = fn()
        times.append(time.process_time() - start)
    return min(times) / n, answer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    reg = Registry.installed()
    engine = Engine(reg)
    encode = msgspec.json.Encoder().encode
    with tempfile.TemporaryDirectory() as folder:
        path = write_jsonl(Path(folder) / "cohort.jsonl", reg, args.records)
        lines = path.read_bytes().splitlines()
        n = len(lines)
        engine.explain(decode(lines[0], reg))  # warm: the rules cache read, the graders compiled
        per: dict[str, float] = {}
        per["decode"], records = best(lambda: [decode(line, reg) for line in lines], args.repeat, n)
        per["explain"], results = best(lambda: [engine.explain(r) for r in records], args.repeat, n)
        per["stat"], differing = best(lambda: [report.disagreements(rs) for rs in results], args.repeat, n)
        heads = [(i, r.standard, f"cohort.jsonl:{i}", r.apprentice.id, d)
                 for i, (r, d) in enumerate(zip(records, differing, strict=True), 1)]

        def plain(results: list[list[Any]]) -> list[str]:
            return ["".join(encode({"line": i, "standard": s, "record": name, "apprentice": a, "differences": d,
                                    "results": rs}).decode() + "\n"
                            for (i, s, name, a, d), rs in zip(heads[c:c + CHUNK], results[c:c + CHUNK], strict=True))
                    for c in range(0, n, CHUNK)]

        def assembled(results: list[list[Any]]) -> list[bytearray]:
            chunks = []
            for c in range(0, n, CHUNK):
                out = bytearray()
                for (i, s, name, a, d), rs in zip(heads[c:c + CHUNK], results[c:c + CHUNK], strict=True):
                    add_line(out, i, s, name, a, d, rs)
                chunks.append(out)
            return chunks

        together = shared(results)
        per["assemble before"], texts = best(lambda: plain(results), args.repeat, n)
        per["assemble after"], chunks = best(lambda: assembled(results), args.repeat, n)
        per["assemble before, pieces shared"], _ = best(lambda: plain(together), args.repeat, n)
        per["assemble after, pieces shared"], _ = best(lambda: assembled(together), args.repeat, n)
        if b"".join(chunks) != "".join(texts).encode("utf-8"):
            raise SystemExit("the writer's bytes differ from the plain encoding's")
        out = Path(folder) / "out.jsonl"

        def write_text() -> None:
            with out.open("w", encoding="utf-8", newline="") as stream:
                for text in texts:
                    stream.write(text)

        def write_bytes() -> None:
            with out.open("wb") as stream:
                for chunk in chunks:
                    stream.write(chunk)

        per["write before (text)"], _ = best(write_text, args.repeat, n)
        per["write after (bytes)"], _ = best(write_bytes, args.repeat, n)
        size = os.path.getsize(out) / n
    print(f"{n} ST0071 records (journey included), {size / 1000:.1f} kB of JSON each; CPU time per record, best of "
          f"{args.repeat}")
    for stage, seconds in per.items():
        print(f"  {stage:34} {seconds * 1e6:8.1f} us")
    fixed = per["decode"] + per["stat"]
    for label, explain, assemble, write in (
            ("before", per["explain"], per["assemble before"], per["write before (text)"]),
            ("after", per["explain"], per["assemble after"], per["write after (bytes)"]),
            ("after, explaining 5x deciding (~35 us) and its pieces shared", 35e-6,
             per["assemble after, pieces shared"], per["write after (bytes)"])):
        total = fixed + explain + assemble + write
        print(f"  {label}: {total * 1e6:.0f} us/record, {1 / total:,.0f} records/s "
              f"(explain {explain / total:.0%}, assemble {assemble / total:.0%}, write {write / total:.0%}, "
              f"decode and stat {fixed / total:.0%})")


if __name__ == "__main__":
    main()
