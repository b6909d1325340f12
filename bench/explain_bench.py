"""The speed of explaining (issue 18), each figure beside its baseline in the same run, the targets beside:

- in-process, a synthetic ST0071 cohort (bench/cohort.py, journey included) already loaded: explaining a record
  (``Engine.explain``: each body offering ST0071's whole ``BodyResult``, every step, deadline, requirement and
  tolerance check as a cited sentence, built; for a checkout before it, ``grading.grade`` per body) against
  deciding it (``Engine.decide``); target: explaining <= 5x deciding. Each explaining run starts with a new engine
  and nothing remembered (``epa.engine.plans``), as a batch does, and fills its tables as it goes;
- ``epa compare --batch FILE --format json --workers 1 --out FILE`` (every record explained and cited, written to a
  file), records a second of the command's CPU time (its CPU time on a one-record cohort taken off), against the
  parse floor (the fastest JSON parser installed reading the same JSON Lines file); target: within 25x the parse
  floor, at least about 10,000 records a second;
- that command's floor, explaining apart: what it pays that no explainer can save, measured in-process with the same
  checkout's code on the same records, CPU time per record: the whole command (``epa.batch.cohort.run`` to a file
  through ``epa.views.outputs.streaming_file``, as ``--out`` writes) with ``Engine.explain`` answered from a table of
  the records' results, explained beforehand; and its parts: reading, decoding and checking the records (the
  command's line reader and ``fastrecord.decode``); encoding the explained results' lines (the command's line
  writer, into chunk buffers); encoding them and writing them to a file (through ``streaming_file``: a temporary
  file, synced, renamed); and writing the same bytes, already made, with a plain write (synced): the least any
  writer pays for this output's size. Then how long explaining may take at the target, beside that floor;
- the decision path, which must not fall by more than 10%: ``Engine.decide`` in-process, and the command's CSV rows
  and summary alone (``--format csv``, ``--summary-only``), records a second of CPU time as above.

``--before DIR`` runs every figure with the epa of another checkout too (DIR/core and its bodies, DIR/plugins/*,
first on PYTHONPATH: a clone at an earlier commit), each run in turn with this checkout's, for before and after in
the same run. (The floor is measured for a checkout in issue 18's layout, with ``epa.batch.json_lines``; before
it, left out.)

In-process figures are the best of ``--repeat`` runs of CPU time; the command's, the best of ``--repeat`` runs.

Run: python bench/explain_bench.py [--records 5000] [--before DIR]. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

# Run in a child process, with the epa under test first on the path: prints {"decide": s, "explain": s} per record.
CHILD = r"""
import json, sys, time
import importlib
from epa.registry import Registry
def first(*names):  # the module under its name in issue 18's layout, else in the flat package before it
    for name in names:
        try:
            return importlib.import_module(name)
        except ImportError:
            pass
    return None
Engine = first("epa.engine.compiled", "epa.engine").Engine
decode = first("epa.inputs.fastrecord", "epa.fastrecord").decode
grade = first("epa.engine.explained", "epa.grading").grade
plans = first("epa.engine.plans", "epa.plans")
if plans is None:  # before issue 18: nothing remembered
    import contextlib
    remembering = lambda on: contextlib.nullcontext()
else:
    remembering = plans.remembering
path, repeat = sys.argv[1], int(sys.argv[2])
reg = Registry.installed()
records = [decode(line, reg) for line in open(path, "rb").read().splitlines()]
engine = Engine(reg)
bodies = {s: reg.offering(s) for s in reg.standards()}
def decide():
    for r in records:
        engine.decide(r)
def explain():
    with remembering(True):  # nothing remembered at the start of each run
        if hasattr(Engine, "explain"):
            explaining = Engine(reg)  # a new engine each run: nothing of the run before remembered
            for r in records:
                explaining.explain(r)
        else:  # a checkout before Engine.explain: the explained path, body by body
            for r in records:
                for loaded in bodies[r.standard]:
                    grade(loaded, r)
def best(fn):
    fn()  # warm: the engine's graders compiled, the rules cache read
    times = []
    for _ in range(repeat):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times) / len(records)
figures = {"decide": best(decide), "explain": best(explain)}

# The floor: what the command pays beside explaining, with this checkout's own code (None where it has not that code).
cohort_input = first("epa.inputs.cohort_input")
json_lines = first("epa.batch.json_lines")
cohort = first("epa.batch.cohort")
outputs = first("epa.views.outputs")
if None not in (cohort_input, json_lines, cohort, outputs, first("epa.views.report")):
    import os, gc
    from pathlib import Path
    out = Path(sys.argv[3])
    explaining = Engine(reg)
    with remembering(True):
        table = {r.apprentice.id: explaining.explain(r) for r in records}  # the results, explained once
    answers = [table[r.apprentice.id] for r in records]
    differing = first("epa.views.report").disagreements  # each line's rows that differ, as the command writes them
    heads = [(i, r.standard, f"{path}:{i}", r.apprentice.id, differing(results))
             for i, (r, results) in enumerate(zip(records, answers), 1)]
    chunk = min(cohort.CHUNK, getattr(cohort, "JSON_CHUNK", cohort.CHUNK))  # the records of a chunk of JSON lines
    def read():  # each line read, decoded and checked into a Record, as the command does
        with open(path, "rb") as stream:
            for _, kind, raw in cohort_input.json_items(cohort_input.physical_lines(stream, path), path):
                decode(raw, reg)
    def lines(write=None):  # each record's line made into its chunk's buffer, as the command does
        add = json_lines.add_line
        for c in range(0, len(heads), chunk):
            buffer = bytearray()
            for head, results in zip(heads[c:c + chunk], answers[c:c + chunk]):
                add(buffer, *head, results)
            if write is not None:
                write(buffer)
    def encode():
        lines()
    def written():  # and written to a file through the command's writer (a temporary file, synced, renamed)
        with outputs.streaming_file(out) as write:
            lines(write)
    def copy():  # the same bytes, already made, written to a file by a plain write: what any writer pays
        with open(out, "wb") as stream:
            for buffer in made:
                stream.write(buffer)
            stream.flush()
            os.fsync(stream.fileno())
    def bare():  # the whole command in-process, its explaining answered from the table
        answer = lambda self, record, body=None: table[record.apprentice.id]
        real, Engine.explain = Engine.explain, answer
        try:
            with outputs.streaming_file(out) as write:
                cohort.run(path, "json", summary=False, summary_only=False, workers=1, only=None, registry=reg,
                           write=write, write_bytes=write, progress=False)
        finally:
            Engine.explain = real
    gc.collect()
    figures["bare"] = best(bare)  # first: in a process whose memory holds no output yet, as the command's
    made = []  # the lines, made once, for copy()
    lines(lambda buffer: made.append(bytes(buffer)))
    figures.update(read=best(read), encode=best(encode), output=best(written), copy=best(copy),
                   kb=sum(map(len, made)) / len(records) / 1000)
    del made
print(json.dumps(figures))
"""


def _env(core: str | None) -> dict[str, str]:
    """The environment to run another checkout's epa in: its core and its own bodies (DIR/plugins/<id>/, which
    its core can read: a later body's rules may use fields an earlier core refuses) first on PYTHONPATH."""
    env = dict(os.environ)
    if core:
        plugins = Path(core).parent / "plugins"
        bodies = sorted(str(p) for p in plugins.glob("*") if (p / "pyproject.toml").is_file())
        env["PYTHONPATH"] = os.pathsep.join([core, *bodies, *filter(None, [env.get("PYTHONPATH")])])
    return env


def _cpu(args: list[str], env: dict[str, str]) -> float:
    """The CPU time (user and system) of a child process run to its end."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(args, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _command(path: Path, one: Path, options: list[str], env: dict[str, str], repeat: int, n: int,
             out: Path) -> float:
    """Records a second of the command's CPU time on the cohort, its CPU time on one record taken off."""
    def run(source: Path) -> float:
        return _cpu([sys.executable, "-m", "epa", "compare", "--batch", str(source), "--workers", "1", *options,
                     *(["--out", str(out)] if "--summary-only" not in options else [])], env)
    fixed = min(run(one) for _ in range(repeat))
    return n / max(min(run(path) for _ in range(repeat)) - fixed, 1e-9)


def _floor(f: dict[str, float], parse_rate: float) -> None:
    """What the JSON command pays beside explaining, measured in-process with the same checkout's code: the floor no
    explainer can take the command below, and what that leaves explaining at the target."""
    target = min(10_000, parse_rate / 25)  # records a second: the issue's ~10,000, and within 25x the parse floor
    budget = 1 / target
    print(f"    its floor, explaining apart ({f['kb']:.1f} kB of JSON a record; CPU time in-process, per record):")
    print(f"      the command, explaining answered from a table {f['bare'] * 1e6:7.1f} us   "
          f"{1 / f['bare']:9,.0f} records/s  {parse_rate * f['bare']:6.1f}x the parse floor")
    print(f"      reading, decoding and checking the records    {f['read'] * 1e6:7.1f} us")
    print(f"      encoding the explained results' lines         {f['encode'] * 1e6:7.1f} us")
    print(f"      encoding them and writing them to a file      {f['output'] * 1e6:7.1f} us   (the command's writer: "
          f"a temporary file, synced, renamed)")
    print(f"      writing the same bytes, already made           {f['copy'] * 1e6:7.1f} us   (a plain write, synced)")
    left = budget - f["bare"]
    print(f"      at the target ({target:,.0f} records/s, {budget * 1e6:.0f} us a record) explaining may take "
          + (f"{left * 1e6:.0f} us a record ({left / f['decide']:.1f}x deciding)" if left > 0 else
             f"nothing: the floor alone is {f['bare'] / budget:.1f}x the budget"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--before", metavar="DIR", help="also run the epa of another checkout (e.g. a clone at an "
                                                        "earlier commit), for before and after in the same run")
    args = parser.parse_args()

    from cohort import write_jsonl
    from engine_bench import parser as json_parser

    from epa.registry import Registry

    runs = [("after (this checkout)", None)] + (
        [(f"before ({args.before})", str(Path(args.before).resolve() / "core"))] if args.before else [])
    with tempfile.TemporaryDirectory() as folder:
        path = write_jsonl(Path(folder) / "cohort.jsonl", Registry.installed(), args.records)
        one = Path(folder) / "one.jsonl"
        one.write_bytes(path.read_bytes().split(b"\n", 1)[0] + b"\n")
        out = Path(folder) / "out"
        name, parse = json_parser()
        lines = path.read_bytes().splitlines()
        floor = []
        for _ in range(args.repeat):
            start = time.process_time()
            for line in lines:
                parse(line)
            floor.append(time.process_time() - start)
        parse_rate = args.records / min(floor)
        print(f"{platform.python_implementation()} {platform.python_version()} on {platform.machine()}, "
              f"{os.cpu_count()} cores; {args.records} ST0071 records (journey included), one worker; "
              f"parse floor ({name}): {parse_rate:,.0f} records/s")
        figures: dict[str, dict[str, float]] = {label: {} for label, _ in runs}
        for label, core in runs:  # each checkout's in-process run, in turn
            env = _env(core)
            child = subprocess.run([sys.executable, "-c", CHILD, str(path), str(args.repeat), str(out)], env=env,
                                   check=True, capture_output=True, text=True)
            figures[label].update(json.loads(child.stdout.strip().splitlines()[-1]))
        for fmt, options in (("json", ["--format", "json"]), ("csv", ["--format", "csv"]),
                             ("summary", ["--summary-only"])):
            for label, core in runs:
                figures[label][fmt] = _command(path, one, options, _env(core), args.repeat, args.records, out)
        for label, _ in runs:
            f = figures[label]
            ratio, json_ratio = f["explain"] / f["decide"], parse_rate / f["json"]
            print(f"\n{label}")
            print(f"  decide (Engine.decide)            {f['decide'] * 1e6:9.1f} us/record")
            print(f"  explain (Engine.explain, bodies)  {f['explain'] * 1e6:9.1f} us/record   {ratio:6.1f}x deciding"
                  f"   target <= 5x: {'met' if ratio <= 5 else 'not met'}")
            print(f"  --batch --format json             {f['json']:9,.0f} records/s  {json_ratio:6.1f}x the parse "
                  f"floor   target <= 25x and ~10,000/s: {'met' if json_ratio <= 25 else 'not met'}")
            if "bare" in f:
                _floor(f, parse_rate)
            print(f"  --batch --format csv (decisions)  {f['csv']:9,.0f} records/s")
            print(f"  --batch --summary-only            {f['summary']:9,.0f} records/s")
        if args.before:
            after, before = (figures[label] for label, _ in runs)
            print("\nafter / before (speed; decision path: must not fall below 0.90)")
            print(f"  decide {before['decide'] / after['decide']:.2f}   csv {after['csv'] / before['csv']:.2f}   "
                  f"summary {after['summary'] / before['summary']:.2f}   explain "
                  f"{before['explain'] / after['explain']:.2f}   json {after['json'] / before['json']:.2f}"
                  + (f"   json without explaining {before['bare'] / after['bare']:.2f}"
                     if "bare" in after and "bare" in before else ""))


if __name__ == "__main__":
    main()
