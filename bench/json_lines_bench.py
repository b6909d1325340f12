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

Two other ways of making the line are timed beside (issue 18, session 8), each checked to give the writer's bytes:
"as Structs", each result (and its gateway status) re-made as a msgspec Struct of the same fields (msgspec writes
an attrs object's fields in name order; a Struct's are written in the order declared, so they are declared so),
which msgspec encodes a little faster than an attrs object; and "fragments", every gateway requirement, reason, note
and deadline encoded once and remembered by identity as ``msgspec.Raw`` (each held beside its object, so that its
id cannot be another object's while it is remembered), a piece not yet remembered encoded alone, the line then one
encode of the Structs holding the fragments. Neither is used unless it is faster than ``add_line``.

Run: python bench/json_lines_bench.py [--records 3000] [--repeat 3]. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import functools
import operator
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
from epa.model.results import BodyResult, GatewayStatus
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


def _struct_of(cls: type) -> tuple[type, Callable[[Any], tuple[Any, ...]], dict[str, int]]:
    """A msgspec Struct with an attrs class's fields, in the order msgspec writes the attrs class's (by name); what
    reads them off an instance, in that order (in C); and where each field stands."""
    names = sorted(f.name for f in attrs.fields(cls))
    struct = msgspec.defstruct(f"_{cls.__name__}", [(name, Any) for name in names], gc=False)
    return struct, operator.attrgetter(*names), {name: i for i, name in enumerate(names)}


class _Alternative:
    """A line made from Structs standing for the results, their pieces (``remember``) as remembered fragments."""

    def __init__(self, remember: bool):
        self.remember = remember
        self.result, self.result_fields, at = _struct_of(BodyResult)
        self.gateway, self.gateway_fields, gateway_at = _struct_of(GatewayStatus)
        self.at = at["gateway"], at["explanation"], at["notes"], at["deadlines"], gateway_at["requirements"]
        self.fragments: dict[int, tuple[Any, msgspec.Raw]] = {}  # id(piece) -> (the piece, held; its bytes)
        self.encode = msgspec.json.Encoder().encode
        self.encode_into = msgspec.json.Encoder().encode_into

    def pieces(self, items: tuple[Any, ...]) -> list[msgspec.Raw]:
        fragments, encode = self.fragments, self.encode
        found = []
        for piece in items:
            known = fragments.get(id(piece))
            if known is None:
                known = fragments[id(piece)] = (piece, msgspec.Raw(encode(piece)))
            found.append(known[1])
        return found

    def of(self, r: Any) -> Any:
        gateway_at, explanation_at, notes_at, deadlines_at, requirements_at = self.at
        fields, gateway = list(self.result_fields(r)), list(self.gateway_fields(r.gateway))
        if self.remember:
            gateway[requirements_at] = self.pieces(r.gateway.requirements)
            for at in (explanation_at, notes_at, deadlines_at):
                fields[at] = self.pieces(fields[at])
        fields[gateway_at] = self.gateway(*gateway)
        return self.result(*fields)

    def add_line(self, out: bytearray, line: int, standard: str, record: str, apprentice: str,
                 differences: list[str], results: list[Any]) -> None:
        self.encode_into({"line": line, "standard": standard, "record": record, "apprentice": apprentice,
                          "differences": differences, "results": list(map(self.of, results))}, out, -1)
        out += b"\n"


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

        def assembled(results: list[list[Any]], remember: bool | None = None) -> list[bytearray]:
            """The chunks' lines by add_line, or (``remember`` given) by an _Alternative, new for the run."""
            add = add_line if remember is None else _Alternative(remember).add_line
            chunks = []
            for c in range(0, n, CHUNK):
                out = bytearray()
                for (i, s, name, a, d), rs in zip(heads[c:c + CHUNK], results[c:c + CHUNK], strict=True):
                    add(out, i, s, name, a, d, rs)
                chunks.append(out)
            return chunks

        together = shared(results)
        per["assemble before"], texts = best(lambda: plain(results), args.repeat, n)
        per["assemble after"], chunks = best(lambda: assembled(results), args.repeat, n)
        per["assemble before, pieces shared"], _ = best(lambda: plain(together), args.repeat, n)
        per["assemble after, pieces shared"], _ = best(lambda: assembled(together), args.repeat, n)
        if b"".join(chunks) != "".join(texts).encode("utf-8"):
            raise SystemExit("the writer's bytes differ from the plain encoding's")
        for label, remember in (("as Structs", False), ("fragments", True)):
            for given, pieces in (("", results), (", pieces shared", together)):
                per[f"assemble {label}{given}"], other = best(
                    functools.partial(assembled, pieces, remember), args.repeat, n)
                if b"".join(other) != b"".join(chunks):
                    raise SystemExit(f"the line {label} differs from the writer's")
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
