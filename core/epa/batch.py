"""`epa compare --batch`: a cohort of records (JSON Lines or CSV) graded by every body, streamed.

Records are read one at a time, graded in chunks (in this process, or by ``--workers N`` processes that
each load the bodies once) and written out in input order as they come back, so memory stays bounded
whatever the cohort's size. A bad record never stops the run: it becomes an error row naming its line and
JSON path. Only a plugin's or the program's own failure does (exit 1).
"""

from __future__ import annotations

import contextlib
import gc
import json
import math
import operator
import re
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import combinations, islice
from pathlib import Path
from typing import IO, Any, NamedTuple

import msgspec

from epa import csv_output, report
from epa.cohort_input import (  # the reading; MAX_RECORD and CsvHeader for callers that knew them here
    MAX_RECORD,  # noqa: F401
    CsvHeader,  # noqa: F401
    Item,
    Line,
    Located,
    csv_items,
    json_items,
    physical_lines,
    sniff,
)
from epa.errors import InputError, PluginError
from epa.fastrecord import decode, from_data, view, view_of_data
from epa.grading import grade
from epa.model import Grade
from epa.record import record_from_data

_ENCODE = msgspec.json.Encoder().encode
CHUNK = 256  # records graded per task: large enough that a worker's round trip is small beside its work


# --- grading (in this process or a worker) ------------------------------------------------------------

class _Worker:
    registry: Any = None
    engine: Any = None  # epa.engine.Engine: the decisions, where the output needs no explanation
    name = ""
    fmt = "json"
    methods: tuple[str, ...] = ()
    plain = True  # every body id is a plain CSV cell (see _csv_results)


def init_worker(only: tuple[str, ...] | None, name: str, fmt: str, registry: Any = None) -> None:
    """Load the bodies once per process (or use the ones given, in this process)."""
    if registry is None:
        from epa.registry import Registry

        registry = Registry.installed(only)
    from epa.engine import Engine

    _Worker.registry, _Worker.name, _Worker.fmt = registry, name, fmt
    _Worker.engine = Engine(registry)
    _Worker.methods = output_methods(registry)
    _Worker.plain = not any(_QUOTED.search(loaded.body.id) for loaded in registry.bodies)
    _DECIDED.clear()  # what these hold depends on the format and the methods
    _ROWS.clear()


def output_methods(registry: Any) -> tuple[str, ...]:
    """The method columns of CSV output: every defined standard's methods, in order, once each."""
    return tuple(dict.fromkeys(m for s in registry.defined_standards() for m in s.method_ids))


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is too large a number")
    return value


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


MAX_DEPTH = 64  # lists and objects inside each other, as for a record file


def _depth(text: str) -> int:
    """How deep the lists and objects of a JSON text nest (counting only outside strings)."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return 0
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _parse_json(raw: bytes, where: str) -> Any:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"undecodable bytes (not UTF-8) at column {exc.start + 1}", where=where,
                         hint="save the file as UTF-8") from None
    if _depth(text) > MAX_DEPTH:
        raise InputError(f"lists and objects nest more than {MAX_DEPTH} deep", where=where,
                         hint="a record nests a few levels at most")
    try:
        return json.loads(text, object_pairs_hook=_pairs, parse_constant=_no_constant, parse_float=_finite)
    except json.JSONDecodeError as exc:
        raise InputError(f"JSON syntax error: {exc.msg} (column {exc.colno})", where=where,
                         hint="each line holds one whole record as a JSON object") from None
    except ValueError as exc:
        raise InputError(f"JSON error: {str(exc)[:200]}", where=where) from None
    except RecursionError:
        raise InputError("the JSON is nested too deeply", where=where) from None


Stat = tuple[str, tuple[tuple[str, str | None], ...], tuple[str, ...]] | None  # (standard, overall per body, rows)


def _error(line: int, message: str, path: str | None, hint: str | None, column: str | None,
           apprentice: str | None) -> tuple[str, Stat]:
    if _Worker.fmt == "csv":
        text = (f"{path}: " if path else "") + (f"(column {column}) " if column else "") + message
        text = text.replace("\n  ", "; ") + (f" (hint: {hint})" if hint else "")
        return _csv_rows([[line, apprentice or "", "", "", *[""] * len(_Worker.methods), "", "", "", text]]), None
    if _Worker.fmt == "table":
        return "", None
    error: dict[str, Any] = {"message": message, "path": path, "hint": hint}
    if column:
        error["column"] = column
    return json.dumps({"line": line, "error": error}, ensure_ascii=False) + "\n", None


_csv_rows = csv_output.rows
# What makes a cell more than its text as it stands (quoted, or escaped as a formula's start): a body id or an
# apprentice id without is joined into its rows directly.
_QUOTED = csv_output.NEEDS_QUOTING


def _csv_results(line: int, ident: str, decided: Decided) -> str:
    """A record's CSV rows, one per body: the line, the apprentice's id, then the cells its decisions come to.
    Those are body ids, words from _CELLS or empty: where the id needs no quoting either, the rows are joined
    directly, as the writer would write them and in a fraction of its time."""
    if decided.joined is not None and not _QUOTED.search(ident):
        return f"{line},{ident},".join(decided.joined)
    return _csv_rows([[str(line), ident, *cells] for cells in decided.cells])


class Decided(NamedTuple):
    """What a record's decisions come to in the output: the summary's stat, each body's CSV cells after the line
    and apprentice (CSV only), and those cells joined into rows, after an empty string: what the line and
    apprentice join (None where a body id needs quoting)."""

    stat: Stat
    cells: tuple[tuple[str, ...], ...] = ()
    joined: tuple[str, ...] | None = None


# A cohort has few distinct sets of decisions (grades, readiness, cap and retake per body): what each comes to
# is worked out once (the rows that differ, the CSV cells), and remembered up to a bound.
_DECIDED: dict[tuple[Any, ...], Decided] = {}
OUTPUTS_REMEMBERED = 1 << 14


def _decided(standard: str, results: Sequence[Any]) -> Decided:
    """What the engine's Decisions for a record of ``standard`` come to (see Decided), remembered."""
    key = (standard, *results)
    found = _DECIDED.get(key)
    if found is None:
        if len(_DECIDED) >= OUTPUTS_REMEMBERED:
            _DECIDED.clear()
        stat = _stat(standard, results, report.disagreements(results))
        if _Worker.fmt != "csv":
            found = Decided(stat)
        else:
            rows = [_ROWS.get(r) or _row(r) for r in results]
            found = Decided(stat, tuple(cells for cells, _ in rows), ("", *(row for _, row in rows))
                            if _Worker.plain else None)
        _DECIDED[key] = found
    return found


# Each body's decision, as CSV cells and a row of them (a set of decisions is new far more often than one is).
_ROWS: dict[Any, tuple[tuple[str, ...], str]] = {}


def _row(r: Any) -> tuple[tuple[str, ...], str]:
    if len(_ROWS) >= OUTPUTS_REMEMBERED:
        _ROWS.clear()
    cells = (r.body, _cell(r.overall), *map(_cell, map(r.components.get, _Worker.methods)), _cell(r.gateway_ready),
             _cell(r.capped), _cell(r.full_retake_required), "")
    found = _ROWS[r] = cells, ",".join(cells) + "\n"
    return found


def _stat(standard: str, results: Sequence[Any], differing: list[str]) -> Stat:
    return standard, tuple(zip(map(_BODY, results), map(_WORD, map(_OVERALL, results)), strict=True)), tuple(differing)


# A CSV cell: a grade's word, true/false, or empty for none.
_CELLS: dict[Any, str] = {None: "", True: "true", False: "false", **{g: g.value for g in Grade}}
_cell = _CELLS.__getitem__
# What the summary counts of a result: its body and the word of its overall grade (None: none).
_BODY, _OVERALL = operator.attrgetter("body"), operator.attrgetter("overall")
_WORDS: dict[Grade | None, str | None] = {None: None, **{g: g.value for g in Grade}}
_WORD = _WORDS.__getitem__


def _decided_chunk(items: list[Item]) -> tuple[str, list[Stat]]:
    """As ``grade_item`` for each item, for CSV rows and the summary, the common case taken directly: a record
    fastrecord vouches for, decided by the compiled engine; anything else (an error, a line to check) is left to
    ``grade_item``. (One loop, not a call per record: at tens of thousands of records a second, a call shows.)"""
    registry, decide, rows = _Worker.registry, _Worker.engine.decide_listed, _Worker.fmt == "csv"
    texts, stats = [], []
    for item in items:
        line, kind, payload = item
        # The criteria ids are checked as the engine reads them as bits: a record failing that is left too.
        record = view(payload, registry, criteria=False) if kind == "json" else None
        results = None if record is None else decide(record)
        if record is None or results is None:
            text, stat = grade_item(item)
        else:
            found = _DECIDED.get((record.standard, *results)) or _decided(record.standard, results)
            text, stat = _csv_results(line, record.apprentice.id, found) if rows else "", found.stat
        texts.append(text)
        stats.append(stat)
    return "".join(texts), stats


def _decided_output(line: int, record: Any, results: Sequence[Any]) -> tuple[str, Stat]:
    """A decided record's CSV rows (none for the summary alone) and what the summary counts of it."""
    found = _decided(record.standard, results)
    return ("" if _Worker.fmt == "table" else _csv_results(line, record.apprentice.id, found)), found.stat


def grade_item(item: Item) -> tuple[str, Stat]:
    """One record's output text (a JSON line, or CSV rows) and what the summary counts of it."""
    line, kind, payload = item
    name, registry = _Worker.name, _Worker.registry
    if kind == "error":
        return _error(line, payload[0], None, payload[1], None, None)
    data: Any = None
    locator = None
    try:
        # A valid record, the common case, is decoded straight into a Record, or the view of one the engine reads
        # where no explanation is written; anything fastrecord cannot vouch for takes the path that names the
        # line (and CSV column), the JSON path and what is wrong.
        decided = _Worker.fmt in ("csv", "table")
        if kind == "json":
            record: Any = (view if decided else decode)(payload, registry)
        else:
            record = (view_of_data if decided else from_data)(payload[0], registry)
        if record is None:
            locator = Located(name, line, payload[1] if kind == "csv" else None)
            data = _parse_json(payload, locator.prefix) if kind == "json" else payload[0]
            record = record_from_data(data, locator, registry, where=locator.prefix)
        # CSV rows and the summary show decisions only: the compiled engine's, without the explanations
        # that JSON output carries (tests/test_decisions.py holds the two to the same decisions).
        results = _Worker.engine.decide(record) if decided else [
            grade(b, record) for b in registry.offering(record.standard)]
    except RecursionError:
        return _error(line, "the record nests too deeply to check", None, None, None, None)
    except InputError as exc:
        locator = locator or Located(name, line, payload[1] if kind == "csv" else None)
        path, parts = None, None
        where = exc.where or ""
        if where.startswith(locator.prefix + ": $"):
            path = where[len(locator.prefix) + 2:]
            parts = _parts(path)
        apprentice = None
        if isinstance(data, dict) and isinstance(data.get("apprentice"), dict):
            ident = data["apprentice"].get("id")
            apprentice = ident if isinstance(ident, str) else None
        column = locator.column(parts) if parts is not None else None
        return _error(line, exc.message, path, exc.hint, column, apprentice)
    if decided:
        return _decided_output(line, record, results)
    differing = report.disagreements(results)
    stat = _stat(record.standard, results, differing)
    out = {"line": line, "standard": record.standard, "record": f"{name}:{line}", "apprentice": record.apprentice.id,
           "differences": differing, "results": results}
    # msgspec writes the attrs results as report.result unstructures them (field order, ISO dates, grade
    # words), several times faster than unstructuring and json.dumps; records hold no NaN (refused on input).
    return _ENCODE(out).decode() + "\n", stat


_PART = re.compile(r"\.([^.\[]+)|\[(\d+)\]")


def _parts(path: str) -> list[Any]:
    return [int(i) if i else key for key, i in _PART.findall(path)]


def grade_chunk(items: list[Item]) -> tuple[str, list[Any]]:
    """A chunk's output text and stats; a plugin's or the program's failure as ("failed", ...) to re-raise
    in the parent (exceptions with keyword arguments do not survive pickling)."""
    try:
        if _Worker.fmt != "json":
            return _decided_chunk(items)
        texts, stats = [], []
        for item in items:
            text, stat = grade_item(item)
            texts.append(text)
            stats.append(stat)
        return "".join(texts), stats
    except PluginError as exc:
        return "failed", ["plugin", exc.plugin, exc.hook, exc.problem]
    except Exception as exc:  # the program's own bug: exit 1 in the parent, never a lost record
        return "failed", ["internal", type(exc).__name__, str(exc)]


def _raise(failure: list[Any]) -> None:
    if failure[0] == "plugin":
        raise PluginError(failure[1], failure[2], failure[3])
    raise RuntimeError(f"{failure[1]}: {failure[2]}")


# --- the summary ---------------------------------------------------------------------------------------

class Summary:
    """What a cohort's results add up to, counted as they stream past (nothing per record is kept)."""

    def __init__(self) -> None:
        self.read = 0
        # Each distinct stat (standard, overall grade by body, rows that differ; None for an error) and how many
        # records had it: a cohort has few, so the per-body and per-pair counts are worked out from them at the end
        # rather than for every record.
        self.stats: Counter[Stat] = Counter()

    def add(self, stats: list[Stat]) -> None:
        """Count a chunk's records."""
        self.read += len(stats)
        self.stats.update(stats)

    @property
    def errors(self) -> int:
        return self.stats[None]

    @property
    def written(self) -> int:
        return sum(n for stat, n in self.stats.items() if stat is not None)

    @property
    def outcomes(self) -> Counter[tuple[str, tuple[tuple[str, str | None], ...]]]:
        found: Counter[tuple[str, tuple[tuple[str, str | None], ...]]] = Counter()
        for stat, n in self.stats.items():
            if stat is not None:
                found[stat[:2]] += n
        return found

    @property
    def rows(self) -> Counter[str]:
        found: Counter[str] = Counter()
        for stat, n in self.stats.items():
            for row in stat[2] if stat is not None else ():
                found[row] += n
        return found

    @property
    def bodies(self) -> dict[str, Counter[str]]:
        found: dict[str, Counter[str]] = {}
        for (_, overall), n in self.outcomes.items():
            for body, overall_grade in overall:
                found.setdefault(body, Counter())[overall_grade or "none"] += n
        return found

    @property
    def pairs(self) -> dict[tuple[str, str], list[int]]:
        found: dict[tuple[str, str], list[int]] = {}
        for (_, overall), n in self.outcomes.items():
            for (a, ga), (b, gb) in combinations(sorted(overall), 2):
                pair = found.setdefault((a, b), [0, 0])
                pair[0] += n
                pair[1] += n if ga == gb else 0
        return found

    @property
    def patterns(self) -> Counter[tuple[str, tuple[tuple[str, str | None], ...]]]:
        return Counter({key: n for key, n in self.outcomes.items() if len({g for _, g in key[1]}) > 1})

    def as_data(self, top: int = 10) -> dict[str, Any]:
        assert self.read == self.written + self.errors, (self.read, self.written, self.errors)
        grades = ("distinction", "pass", "fail", "none")
        return {
            "records_read": self.read,
            "results_written": self.written,
            "errors": self.errors,
            "agreement": [{"bodies": [a, b], "records": n, "agree": k, "rate": round(k / n, 4)}
                          for (a, b), (n, k) in sorted(self.pairs.items())],
            "overall": [{"body": body, "records": sum(c.values()), "grades": {g: c.get(g, 0) for g in grades}}
                        for body, c in sorted(self.bodies.items())],
            "divergences": [{"row": row, "records": n}
                            for row, n in sorted(self.rows.items(), key=lambda rn: (-rn[1], rn[0]))[:top]],
            "overall_divergences": [
                {"standard": standard, "overall": dict(overall), "records": n}
                for (standard, overall), n in sorted(self.patterns.items(),
                                                     key=lambda p: (-p[1], p[0][0], str(p[0][1])))[:top]],
        }


def render_summary(console: Any, data: dict[str, Any], source: str) -> None:
    from rich.table import Table

    console.print(f"[bold]{source}[/]", highlight=False)
    console.print(f"{data['records_read']} records read, {data['results_written']} graded, {data['errors']} rejected")
    agree = Table(title="How often each pair of bodies gives the same overall grade", title_justify="left")
    for col in ("bodies", "records", "agree", "rate"):
        agree.add_column(col, justify="left" if col == "bodies" else "right")
    for row in data["agreement"]:
        agree.add_row(" and ".join(row["bodies"]), str(row["records"]), str(row["agree"]), f"{row['rate']:.1%}")
    console.print(agree)
    dist = Table(title="Overall grades per body", title_justify="left")
    for col in ("body", "records", "distinction", "pass", "fail", "none"):
        dist.add_column(col, justify="left" if col == "body" else "right")
    for row in data["overall"]:
        dist.add_row(row["body"], str(row["records"]), *(str(v) for v in row["grades"].values()))
    console.print(dist)
    rows = Table(title="Rows that differ most often", title_justify="left")
    rows.add_column("row")
    rows.add_column("records", justify="right")
    for row in data["divergences"]:
        rows.add_row(row["row"], str(row["records"]))
    console.print(rows)
    if data["overall_divergences"]:
        patterns = Table(title="Most common overall-grade disagreements", title_justify="left")
        patterns.add_column("standard")
        patterns.add_column("overall grade by body")
        patterns.add_column("records", justify="right")
        for row in data["overall_divergences"]:
            patterns.add_row(row["standard"], ", ".join(f"{b} {g or 'none'}" for b, g in row["overall"].items()),
                             str(row["records"]))
        console.print(patterns)


# --- the run -------------------------------------------------------------------------------------------

def _chunks(items: Iterable[Item], size: int | None = None) -> Iterator[list[Item]]:
    it, size = iter(items), size or CHUNK
    while chunk := list(islice(it, size)):
        yield chunk


def _graded_in_order(chunks: Iterator[list[Item]], workers: int, only: tuple[str, ...] | None, name: str,
                     fmt: str, registry: Any) -> Iterator[tuple[str, list[Any]]]:
    if workers <= 1:
        init_worker(only, name, fmt, registry)
        yield from map(grade_chunk, chunks)
        return
    import multiprocessing

    # A window of chunks in flight, read no further ahead: Pool.imap would read the whole input at once.
    with multiprocessing.get_context().Pool(workers, init_worker, (only, name, fmt)) as pool:
        pending: deque[Any] = deque()
        for chunk in chunks:
            pending.append(pool.apply_async(grade_chunk, (chunk,)))
            if len(pending) >= 3 * workers:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


@contextlib.contextmanager
def _collecting_less() -> Iterator[None]:
    """The cyclic garbage collector scanning less while a cohort is graded: what was loaded before
    (the bodies and their rules) is set aside from its scans, and it runs after more allocations than its
    default 700 (workers forked meanwhile inherit both). Grading a valid record makes no reference cycles, so the
    scans saved are ones that would find nothing. The settings are put back when the run ends: ``batch.run``
    may be one call in a longer program, and one that has frozen objects of its own keeps them frozen."""
    threshold, freezing = gc.get_threshold(), gc.get_freeze_count() == 0
    if freezing:
        gc.freeze()
    gc.set_threshold(10_000, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        if freezing:
            gc.unfreeze()


def run(source: str, fmt: str, *, summary: bool, summary_only: bool, workers: int, only: tuple[str, ...] | None,
        registry: Any, write: Callable[[str], Any], progress: bool,
        stdin: IO[bytes] | None = None) -> dict[str, Any]:
    """Grade every record of the cohort ``source`` (a path, or "-" for ``stdin``), writing each record's
    output as it comes; return the summary."""
    import sys

    if source == "-":
        if stdin is None and sys.stdin is None:
            raise InputError("no standard input to read", where="<stdin>")
        stream: IO[bytes] = stdin or sys.stdin.buffer
        name, total = "stdin", None
    else:
        path = Path(source)
        try:
            stream = path.open("rb")
            total = path.stat().st_size
        except OSError as exc:
            raise InputError(f"cannot read the cohort: {exc.strerror}", where=source) from None
        name = source
    try:
        lines: Iterator[Line] = physical_lines(stream, name)
        if source == "-":
            kind, lines = sniff(lines)
        else:
            suffix = Path(source).suffix.lower()
            if suffix not in (".jsonl", ".ndjson", ".csv"):
                raise InputError(f"cannot tell the cohort's format from its suffix {suffix!r}", where=source,
                                 hint="name it .jsonl (JSON Lines) or .csv, or pipe it to `--batch -`")
            kind = "csv" if suffix == ".csv" else "jsonl"
        items = json_items(lines) if kind == "jsonl" else csv_items(lines, _input_methods(registry), name)
        counts = Summary()
        out_fmt = "table" if summary_only else fmt
        if out_fmt == "csv":
            write(_csv_rows([["line", "apprentice", "body", "overall", *output_methods(registry), "gateway_ready",
                              "capped", "full_retake_required", "error"]]))
        bar = None
        try:
            with _collecting_less():
                for text, stats in _graded_in_order(_chunks(items), workers, only, name, out_fmt, registry):
                    if text == "failed":
                        _raise(stats)
                    if text:
                        write(text)
                    counts.add(stats)
                    if progress and bar is None:  # started once the workers are: no thread is running at a fork
                        bar = _progress(total)
                    if bar:
                        bar[0].update(bar[1], completed=stream.tell() if total else None, records=counts.read)
        finally:
            if bar:
                bar[0].stop()
        data = counts.as_data()
        if fmt == "json" and (summary or summary_only):
            write(json.dumps({"summary": data}, ensure_ascii=False) + "\n")
        return data
    finally:
        if source != "-":
            stream.close()


def _input_methods(registry: Any) -> list[str]:
    return list(output_methods(registry))


def _progress(total: int | None) -> tuple[Any, Any]:
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    bar = Progress(TextColumn("grading"), BarColumn(), TaskProgressColumn(),
                   TextColumn("{task.fields[records]} records"), TimeElapsedColumn(), console=Console(stderr=True),
                   transient=True)
    task = bar.add_task("grading", total=total, records=0)
    bar.start()
    return bar, task
