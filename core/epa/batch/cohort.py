"""`epa compare --batch`: a cohort of records (JSON Lines or CSV) graded by every body, streamed.

Records are read one at a time, graded in chunks (in this process, or by ``--workers N`` processes that
each load the bodies once) and written out in input order as they come back, so memory stays bounded
whatever the cohort's size. Nothing one record holds stops the run: a bad record becomes an error row naming its
line and JSON path, a plugin's or epa's own failure on it an error row naming the plugin and hook, or saying
"internal error". Only the user (Ctrl-C or SIGTERM, exit 130) or a worker's death (exit 1) stops it.
"""

from __future__ import annotations

import contextlib
import gc
import json
import re
import signal
from collections import Counter, deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from itertools import combinations, islice
from pathlib import Path
from typing import IO, Any, NamedTuple

import msgspec

from epa import interrupts
from epa.batch import csv_output
from epa.batch.json_lines import add_line
from epa.errors import EXIT_FAILURE, EXIT_INPUT, EXIT_OK, InputError, OutputCutShort, OutputError, PluginError, quote
from epa.inputs import cohort_xlsx
from epa.inputs.cohort_input import (  # the reading; MAX_RECORD and CsvHeader for callers that knew them here
    DELIMITED,
    MAX_RECORD,  # noqa: F401
    MAX_REREAD,
    ColumnMap,
    CsvHeader,
    Item,
    Line,
    Located,
    RowRefusal,
    csv_items,
    json_items,
    month_first_columns,
    physical_lines,
    rereadable,
    rewindable,
    sniff,
)
from epa.inputs.columns import standard_finder
from epa.inputs.documents import json_line
from epa.inputs.fastrecord import decode, from_data, view, view_of_data
from epa.inputs.hostile import control_in_id
from epa.inputs.record import record_from_data
from epa.inputs.utf16 import as_utf8
from epa.model.domain import Grade
from epa.views import report

BLOCKING = hasattr(signal, "pthread_sigmask")  # (not on Windows: there no signal reaches a process group)

CHUNK = 256  # records graded per task: large enough that a worker's round trip is small beside its work
# Records a chunk of JSON lines written as bytes holds (at most; CHUNK if less). A line is some 40 kB, and a chunk's
# lines are made in one buffer: 256 of them (10 MB) were mapped afresh by the kernel for every chunk, its page faults
# costing about as much as the lines' encoding (bench/explain_bench.py, the JSON command's floor); a buffer of 32
# lines is reused by the allocator, and a worker's round trip stays small beside explaining 32 records. (Lines given
# to ``write`` as text, as the server's /batch takes them, keep CHUNK's chunks: the server stops a batch on shutdown
# only between writes, so that a cohort of up to CHUNK records in flight is answered whole.)
JSON_CHUNK = 32
# A chunk's output: CSV rows as text; JSON lines as UTF-8 bytes, written as they are (never decoded and encoded again).
Output = str | bytearray


# --- grading (in this process or a worker) ------------------------------------------------------------

class Grader:
    """One run's grading, made once per run: in this process, or in each worker process by its start
    (``_start_worker``, from the arguments the process was started with). It holds the bodies and the compiled
    engine, the output's format and method columns, and what the run remembers (what each distinct set of
    decisions comes to, each decision's CSV row), bounded; nothing of a run is kept at module level for the next."""

    def __init__(self, registry: Any, name: str, fmt: str, methods: tuple[str, ...] | None = None):
        """``methods``: the CSV's method columns (default: every defined standard's, see output_methods)."""
        from epa.engine.compiled import Engine

        self.registry, self.name, self.fmt = registry, name, fmt
        self.engine = Engine(registry)  # the decisions, where the output needs no explanation
        self.methods = output_methods(registry) if methods is None else methods
        self.plain = not any(_QUOTED.search(loaded.body.id) for loaded in registry.bodies)  # see _csv_results
        self.methods_of: dict[tuple[str, ...], bool] = {}  # a ruleset's methods, each found among the CSV's columns
        # A cohort has few distinct sets of decisions (grades, readiness, cap and retake per body): what each comes
        # to is worked out once (the rows that differ, the CSV cells), and remembered up to a bound; so is each
        # body's decision as CSV cells and a row of them (a set of decisions is new far more often than one is).
        self.remembered: dict[tuple[Any, ...], Decided] = {}
        self.rows: dict[Any, tuple[tuple[str, ...], str]] = {}
        # An error row's message and hint in the words of whoever reads them (epa serve: a query parameter, not an
        # option); the command line's as they are by default
        self.words: Callable[[str], str] | None = None

    @classmethod
    def loading(cls, only: tuple[str, ...] | None, name: str, fmt: str,
                methods: tuple[str, ...] | None = None) -> Grader:
        """A grader for the installed bodies (``only`` these), loaded once per process."""
        from epa.registry import Registry

        return cls(Registry.installed(only), name, fmt, methods)

def output_methods(registry: Any, standards: Iterable[str] | None = None) -> tuple[str, ...]:
    """The method columns of CSV output: the methods of the ``standards`` given (default: every defined standard),
    in the order the registry defines them, once each."""
    chosen = None if standards is None else set(standards)
    return tuple(dict.fromkeys(m for s in registry.defined_standards() if chosen is None or s.id in chosen
                               for m in s.method_ids))


_parse_json = json_line  # a line fastrecord could not vouch for, read as a record file's JSON is read


# What the summary counts of a graded record: (standard, each body's outcome, the rows that differ). An outcome is
# (body, the word of its overall grade or None, gateway ready, capped, full retake required).
BodyOutcome = tuple[str, str | None, bool, bool, bool]
Stat = tuple[str, tuple[BodyOutcome, ...], tuple[str, ...]]


class Failed(NamedTuple):
    """What the summary counts of a record that failed in a plugin's hook, or (plugin None) in epa itself."""

    plugin: str | None
    hook: str | None


class Rejected(NamedTuple):
    """What the summary counts of a record refused as bad input: its message (the first problem), where in the
    record (the CSV column, else the JSON path; None: the line is no record), the hint, and its line."""

    message: str
    where: str | None
    hint: str | None
    line: int


Counted = Stat | Failed | Rejected  # what the summary counts of one record


def _error(g: Grader, line: int, message: str, path: str | None, hint: str | None, column: str | None,
           apprentice: str | None, failed: Failed | None = None,
           problems: Sequence[dict[str, Any]] = ()) -> tuple[str, Rejected | Failed]:
    """A record's error row, and what the summary counts of it: ``failed``, else the reason it was rejected."""
    counted = failed if failed is not None else Rejected(message, column or path, hint, line)
    if g.words is not None:
        message, hint, problems = reworded(g.words, message, hint, problems)
    if g.fmt == "csv":
        text = (f"{path}: " if path else "") + (f"(column {column}) " if column else "") + message
        text = text.replace("\n  ", "; ") + (f" (hint: {hint})" if hint else "")
        return _csv_rows([[line, apprentice or "", "", "", *[""] * len(g.methods), "", "", "", text]]), counted
    if g.fmt == "table":
        return "", counted
    error: dict[str, Any] = {"message": message, "path": path, "hint": hint}
    if column:
        error["column"] = column
    if len(problems) > 1:
        error["problems"] = list(problems)
    if failed is not None and failed.plugin is not None:
        error["plugin"], error["hook"] = failed.plugin, failed.hook
    return json.dumps({"line": line, "error": error}, ensure_ascii=False) + "\n", counted


def reworded(words: Callable[[str], str], message: str, hint: str | None, problems: Sequence[dict[str, Any]] = ()
             ) -> tuple[str, str | None, list[dict[str, Any]]]:
    """An error row's message, hint and problems (each with its message and hint) in ``words``."""
    return words(message), hint and words(hint), [
        {**p, "message": words(p["message"]), "hint": p.get("hint") and words(p["hint"])} for p in problems]


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


OUTPUTS_REMEMBERED = 1 << 14  # sets of decisions, and decisions, a grader remembers (see Grader)


def _decided(g: Grader, standard: str, results: Sequence[Any]) -> Decided:
    """What the engine's Decisions for a record of ``standard`` come to (see Decided), remembered."""
    key = (standard, *results)
    found = g.remembered.get(key)
    if found is None:
        if len(g.remembered) >= OUTPUTS_REMEMBERED:
            g.remembered.clear()
        stat = _stat(standard, results, report.disagreements(results))
        if g.fmt != "csv":
            found = Decided(stat)
        else:
            rows = [g.rows.get(r) or _row(g, r) for r in results]
            found = Decided(stat, tuple(cells for cells, _ in rows), ("", *(row for _, row in rows))
                            if g.plain else None)
        g.remembered[key] = found
    return found


def _row(g: Grader, r: Any) -> tuple[tuple[str, ...], str]:
    if len(g.rows) >= OUTPUTS_REMEMBERED:
        g.rows.clear()
    if r.methods not in g.methods_of:  # once per ruleset's methods
        _check_columns(g, r.methods)
    cells = (r.body, _cell(r.overall), *map(_cell, map(r.components.get, g.methods)), _cell(r.gateway_ready),
             _cell(r.capped), _cell(r.full_retake_required), "")
    found = g.rows[r] = cells, ",".join(cells) + "\n"
    return found


def _check_columns(g: Grader, methods: tuple[str, ...]) -> None:
    """A body's decision grades methods the CSV has no column for: the columns are chosen before the run from the
    standards the cohort holds (see ``standards_in``), so this is epa's own mistake, and the record's error row
    says so (never a grade silently left out)."""
    missing = [m for m in methods if m not in g.methods]
    if missing:
        raise RuntimeError(f"the CSV has no column for method {', '.join(missing)}")
    g.methods_of[methods] = True


def _stat(standard: str, results: Sequence[Any], differing: list[str]) -> Stat:
    return standard, tuple((r.body, _WORD(r.overall), r.gateway_ready, r.capped, r.full_retake_required)
                           for r in results), tuple(differing)


# A CSV cell: a grade's word, true/false, or empty for none.
_CELLS: dict[Any, str] = {None: "", True: "true", False: "false", **{g: g.value for g in Grade}}
_cell = _CELLS.__getitem__
# The word of a result's overall grade (None: none), as the summary counts it.
_WORDS: dict[Grade | None, str | None] = {None: None, **{g: g.value for g in Grade}}
_WORD = _WORDS.__getitem__


def _decided_chunk(g: Grader, items: list[Item]) -> tuple[str, list[Counted]]:
    """As ``grade_item`` for each item, for CSV rows and the summary, the common case taken directly: a record
    fastrecord vouches for, decided by the compiled engine; anything else (an error, a line to check) is left to
    ``grade_item``. (One loop, not a call per record: at tens of thousands of records a second, a call shows.)"""
    registry, decide, rows = g.registry, g.engine.decide_listed, g.fmt == "csv"
    texts, stats = [], []
    for item in items:
        line, kind, payload = item
        # The criteria ids are checked as the engine reads them as bits: a record failing that is left too.
        record = view(payload, registry, criteria=False) if kind == "json" else None
        results = None if record is None else decide(record)
        if record is None or results is None:
            text, stat = grade_item(g, item)
        else:
            found = g.remembered.get((record.standard, *results)) or _decided(g, record.standard, results)
            text, stat = _csv_results(line, record.apprentice.id, found) if rows else "", found.stat
        texts.append(text)
        stats.append(stat)
    return "".join(texts), stats


def _decided_output(g: Grader, line: int, record: Any, results: Sequence[Any]) -> tuple[str, Stat]:
    """A decided record's CSV rows (none for the summary alone) and what the summary counts of it."""
    found = _decided(g, record.standard, results)
    return ("" if g.fmt == "table" else _csv_results(line, record.apprentice.id, found)), found.stat


def grade_item(g: Grader, item: Item, out: bytearray | None = None) -> tuple[str, Counted]:
    """One record's output text (a JSON line, or CSV rows) and what the summary counts of it. Whatever goes
    wrong with one record is that record's error row and the run goes on: its data refused (exit 2 at the
    end), a plugin's failure on it, naming the plugin and hook, or epa's own bug (exit 1 at the end). Only
    the user's Ctrl-C or SIGTERM goes through. A JSON line is written as UTF-8 bytes at the end of ``out`` where
    it is given (a chunk's, see grade_chunk), its text then empty; an error row is text."""
    try:
        return _graded_item(g, item, out)
    except PluginError as exc:
        return _error(g, item[0], _capped(str(exc)), None, None, None, None, Failed(exc.plugin, exc.hook))
    except BaseException as exc:  # a SystemExit or KeyboardInterrupt too: one record's, unless the user's
        if _stops_the_run(exc):
            raise
        said = _capped(str(exc))
        return _error(g, item[0], f"internal error: {type(exc).__name__}{': ' + said if said else ''}, please report "
                      "it", None, None, None, None, Failed(None, None))


def _stops_the_run(exc: BaseException) -> bool:
    """Whether an exception met while grading is the user's Ctrl-C or SIGTERM (see epa.interrupts) rather
    than something one record's grading raised. (GeneratorExit and the like are not grading's either.)"""
    return isinstance(exc, KeyboardInterrupt) and interrupts.received() or not isinstance(
        exc, Exception | KeyboardInterrupt | SystemExit)


def _capped(text: str, limit: int = 500) -> str:
    """An exception's message cut short: a hostile record or plugin must not make an error row huge."""
    return text if len(text) <= limit else text[:limit] + "…"


def _graded_item(g: Grader, item: Item, out: bytearray | None = None) -> tuple[str, Counted]:
    line, kind, payload = item
    name, registry = g.name, g.registry
    if kind == "error":  # (message, hint), or a Refusal naming a CSV row's columns and its apprentice
        refused = RowRefusal(*payload)
        return _error(g, line, refused.message, refused.path, refused.hint, refused.column, refused.apprentice,
                      problems=refused.problems)
    data: Any = None
    locator = None
    try:
        # A valid record, the common case, is decoded straight into a Record, or the view of one the engine reads
        # where no explanation is written; anything fastrecord cannot vouch for takes the path that names the
        # line (and CSV column), the JSON path and what is wrong.
        decided = g.fmt in ("csv", "table")
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
        results = g.engine.decide(record) if decided else g.engine.explain(record)
    except RecursionError:
        return _error(g, line, "the record nests too deeply to check", None, None, None, None)
    except InputError as exc:
        locator = locator or Located(name, line, payload[1] if kind == "csv" else None)
        path, parts = None, None
        place = exc.place
        if place is not None and place.path and (place.file, place.line, place.column) == (name, line, None):
            path = place.path
            parts = _parts(path)
        apprentice = None
        if isinstance(data, dict) and isinstance(data.get("apprentice"), dict):
            ident = data["apprentice"].get("id")  # (not one refused for a control character: the message quotes it)
            apprentice = ident if isinstance(ident, str) and not control_in_id(ident) else None
        column = locator.column(parts) if parts is not None else None
        hint = exc.hint or (LISTED if isinstance(data, list) and path == "$" else None)
        return _error(g, line, exc.message, path, hint, column, apprentice)
    if decided:
        return _decided_output(g, line, record, results)
    differing = report.disagreements(results)
    stat = _stat(record.standard, results, differing)
    # msgspec writes the attrs results as report.result unstructures them (field order, ISO dates, grade words),
    # as UTF-8, into the chunk's buffer (epa.batch.json_lines); records hold no NaN (refused on input).
    written = bytearray() if out is None else out
    add_line(written, line, record.standard, f"{name}:{line}", record.apprentice.id, differing, results)
    return (written.decode() if out is None else ""), stat


# a JSON line that is an array (of records, most often): its error row's hint, where "[…] is not a mapping" alone
# did not say what to do
LISTED = ("this line is a JSON array; a JSON Lines cohort holds one record a line, each a JSON object: write each "
          "record on a line of its own")


_PART = re.compile(r"\.([^.\[]+)|\[(\d+)\]")


def _parts(path: str) -> list[Any]:
    return [int(i) if i else key for key, i in _PART.findall(path)]


def grade_chunk(g: Grader, items: list[Item]) -> tuple[Output, list[Any]]:
    """A chunk's output (CSV rows as text, JSON lines as UTF-8 bytes) and what the summary counts of each record.
    JSON lines take ``_json_chunk``; CSV rows and the summary take ``_decided_chunk``, one loop for speed; should
    anything in it fail, the chunk's records are graded one by one, so that the failure is one record's error row
    and the rest are graded as ever. (A worker that cannot
    grade at all answers each chunk with ("failed", why) instead, see _work, re-raised in the parent: exceptions
    with keyword arguments do not survive pickling.)"""
    if g.fmt == "json":
        return _json_chunk(g, items)
    try:
        text, stats = _decided_chunk(g, items)
        return _writable(text), stats
    except BaseException as exc:
        if _stops_the_run(exc):
            raise
    texts, counted = [], []
    for item in items:
        if interrupts.received():  # the user's stop, should a library have caught the KeyboardInterrupt
            raise KeyboardInterrupt
        text, stat = grade_item(g, item)
        texts.append(text)
        counted.append(stat)
    return _writable("".join(texts)), counted


def _json_chunk(g: Grader, items: list[Item]) -> tuple[bytearray, list[Counted]]:
    """A chunk's JSON lines as UTF-8 bytes, each record's written straight into the chunk's buffer (never text
    encoded again), an error row in its place should anything fail; and what the summary counts of each record."""
    out = bytearray()
    counted = []
    for item in items:
        if interrupts.received():  # the user's stop, should a library have caught the KeyboardInterrupt
            raise KeyboardInterrupt
        start = len(out)
        text, stat = grade_item(g, item, out)
        if text:  # an error row (whatever the record's line had written is taken back first)
            del out[start:]
            out += _utf8(text)
        counted.append(stat)
    return out, counted


def _utf8(text: str) -> bytes:
    """``text`` as UTF-8, a lone surrogate written as its JSON escape: the bytes ``_writable(text)`` is written as."""
    return text.encode("utf-8", "backslashreplace")


def _writable(text: str) -> str:
    """``text`` as UTF-8 can write it. A JSON escape of a lone surrogate (``"\\ud800"``) decodes to a
    character no encoding writes; it goes out as the same escape (for JSON, the same string), so that the
    record is written rather than stopping the output. (isascii() is a flag, not a scan: the common case.)"""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def _raise(failure: list[Any]) -> None:
    if failure[0] == "plugin":
        raise PluginError(failure[1], failure[2], failure[3])
    raise RuntimeError(f"{failure[1]}: {failure[2]}")


# --- the summary ---------------------------------------------------------------------------------------

# A reason's pattern: its first line with the values in it (a quoted value, a date, a column or byte number) left
# out, so that records refused for the same reason with different values count as one reason.
_QUOTED_VALUE = re.compile(r"(?<!\w)'(?:[^'\\\n]|\\.)*'(?!\w)|(?<!\w)\"(?:[^\"\\\n]|\\.)*\"(?!\w)")
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_NUMBERED = re.compile(r"\b(column|byte offset|byte|line) \d+")
_INDEX = re.compile(r"\[\d+\]")
REASONS_KEPT = 1000  # distinct reasons counted apart; the rest (a hostile file's endless variety) count as one
LINES_SHOWN = 3  # the first lines shown for each reason
OTHER = ("other reasons (more than 1000 kinds)", None)


def reason_pattern(message: str) -> str:
    """What records rejected for the same reason share: the message's first line, its values as '…'."""
    first = message.split("\n", 1)[0]
    return _NUMBERED.sub(r"\1 N", _DATE.sub("…", _QUOTED_VALUE.sub("'…'", first)))


class _Reason:
    """One reason's count, its first lines, and its first record's message and hint as written."""

    def __init__(self, first: Rejected):
        self.records, self.lines = 0, [first.line]
        self.example, self.hint = first.message.split("\n", 1)[0], first.hint
        self.varied = False  # whether the messages differ (in their values): else the example is every one's

    def add(self, rejected: Rejected) -> None:
        self.records += 1
        if self.records > 1:
            if len(self.lines) < LINES_SHOWN:
                self.lines.append(rejected.line)
            if not self.varied and rejected.message.split("\n", 1)[0] != self.example:
                self.varied = True


class Summary:
    """What a cohort's results add up to, counted as they stream past (nothing per record is kept)."""

    def __init__(self) -> None:
        self.read = 0
        # Each distinct stat (standard, each body's outcome, rows that differ; Failed for a record that failed) and
        # how many records had it: a cohort has few, so the per-body and per-pair counts are worked out from them at
        # the end rather than for every record.
        self.stats: Counter[Stat | Failed] = Counter()
        # Why records were rejected, by the message's pattern and where in the record (see reason_pattern), in the
        # order first met (input order: chunks come back in order), bounded by REASONS_KEPT.
        self.reasons: dict[tuple[str, str | None], _Reason] = {}
        self.rejected = 0
        self.not_read: list[str] = []  # a CSV or workbook cohort's columns epa has no field for, as the user named them
        self.duplicates: list[dict[str, Any]] = []  # apprentice ids given on more than one row (see ApprenticeIds)

    def add(self, stats: list[Counted]) -> None:
        """Count a chunk's records."""
        self.read += len(stats)
        for reason in (s for s in stats if type(s) is Rejected):
            self._reject(reason)
        self.stats.update(s for s in stats if not isinstance(s, Rejected))

    def _reject(self, rejected: Rejected) -> None:
        self.rejected += 1
        where = rejected.where and (_INDEX.sub("[*]", rejected.where) if rejected.where.startswith("$") else
                                    rejected.where)
        key = (reason_pattern(rejected.message), where)
        found = self.reasons.get(key)
        if found is None:
            key = key if len(self.reasons) < REASONS_KEPT else OTHER
            found = self.reasons.get(key)
            if found is None:
                found = self.reasons[key] = _Reason(rejected)
        found.add(rejected)

    @property
    def failed(self) -> Counter[Failed]:
        """Records a plugin failed on, by plugin and hook, and (plugin None) records epa itself failed on."""
        return Counter({stat: n for stat, n in self.stats.items() if isinstance(stat, Failed)})

    @property
    def errors(self) -> int:
        return self.rejected + self.failed.total()

    @property
    def graded(self) -> Counter[Stat]:
        return Counter({stat: n for stat, n in self.stats.items() if not isinstance(stat, Failed)})  # type: ignore[misc]

    @property
    def written(self) -> int:
        return self.graded.total()

    @property
    def overalls(self) -> Counter[tuple[str, tuple[tuple[str, str | None], ...]]]:
        """Each standard and overall grade by body, and how many records had it."""
        found: Counter[tuple[str, tuple[tuple[str, str | None], ...]]] = Counter()
        for (standard, outcomes, _), n in self.graded.items():
            found[standard, tuple((body, overall) for body, overall, *_ in outcomes)] += n
        return found

    @property
    def rows(self) -> Counter[str]:
        found: Counter[str] = Counter()
        for stat, n in self.graded.items():
            for row in stat[2]:
                found[row] += n
        return found

    @property
    def bodies(self) -> dict[str, Counter[str]]:
        found: dict[str, Counter[str]] = {}
        for (_, overall), n in self.overalls.items():
            for body, overall_grade in overall:
                found.setdefault(body, Counter())[overall_grade or "none"] += n
        return found

    @property
    def outcomes(self) -> dict[tuple[str, str], Counter[str]]:
        """Each body and standard: its records, overall grades (their words, 'none'), and how many were ready for
        gateway ('ready', 'not_ready'), capped ('capped') and required a full retake ('full_retake_required')."""
        found: dict[tuple[str, str], Counter[str]] = {}
        for (standard, outcomes, _), n in self.graded.items():
            for body, overall, ready, capped, retake in outcomes:
                counts = found.setdefault((body, standard), Counter())
                counts["records"] += n
                counts[overall or "none"] += n
                counts["ready" if ready else "not_ready"] += n
                counts["capped"] += n if capped else 0
                counts["full_retake_required"] += n if retake else 0
        return found

    @property
    def pairs(self) -> dict[tuple[str, str], list[int]]:
        found: dict[tuple[str, str], list[int]] = {}
        for (_, overall), n in self.overalls.items():
            for (a, ga), (b, gb) in combinations(sorted(overall), 2):
                pair = found.setdefault((a, b), [0, 0])
                pair[0] += n
                pair[1] += n if ga == gb else 0
        return found

    @property
    def patterns(self) -> Counter[tuple[str, tuple[tuple[str, str | None], ...]]]:
        return Counter({key: n for key, n in self.overalls.items() if len({g for _, g in key[1]}) > 1})

    def as_data(self, top: int = 10) -> dict[str, Any]:
        if self.read != self.written + self.errors:  # every record is a result or an error row, always
            raise RuntimeError(f"{self.read} records read, but {self.written} results and {self.errors} errors")
        grades = ("distinction", "pass", "fail", "none")
        failed = self.failed
        return {
            "records_read": self.read,
            "results_written": self.written,
            "columns_not_read": self.not_read,
            "duplicate_ids": self.duplicates,
            "errors": self.errors,
            "rejected": self.rejected,
            "plugin_failures": [{"plugin": f.plugin, "hook": f.hook, "records": n}
                                for f, n in sorted((f, n) for f, n in failed.items() if f.plugin is not None)],
            "internal_errors": sum(n for f, n in failed.items() if f.plugin is None),
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
            "rejections": [
                {"reason": pattern, "where": where, "records": r.records, "lines": r.lines,
                 "example": r.example, "hint": r.hint, "same_message": not r.varied}
                for (pattern, where), r in sorted(self.reasons.items(),
                                                  key=lambda kr: (-kr[1].records, kr[1].lines[0]))[:top]],
            "outcomes": [
                {"body": body, "standard": standard, "records": c["records"],
                 "grades": {g: c[g] for g in grades},
                 "gateway": {"ready": c["ready"], "not_ready": c["not_ready"]},
                 "capped": c["capped"], "full_retake_required": c["full_retake_required"]}
                for (body, standard), c in sorted(self.outcomes.items())],
        }


class _ApprenticeOf(msgspec.Struct):
    apprentice: Any = None  # (whatever a line holds there: only an id given as text is noted)


_APPRENTICE_OF = msgspec.json.Decoder(_ApprenticeOf).decode


def _apprentice_of(kind: str, payload: Any) -> str | None:
    """The apprentice id an item gives: a CSV row's (read or refused), a JSON line's ``apprentice.id`` where it is
    text (the line is decoded here for it alone: its record is read by a worker); None where it gives none."""
    if kind == "csv":
        ident: Any = payload[0]["apprentice"]["id"]
    elif kind == "json":
        try:
            apprentice = _APPRENTICE_OF(payload).apprentice
        except (msgspec.DecodeError, RecursionError):  # (no JSON: the line is refused by its worker, with no id)
            return None
        ident = apprentice.get("id") if isinstance(apprentice, dict) else None
        ident = (ident.strip() or None) if isinstance(ident, str) else None  # (as its record reads it: record._trim_id)
    else:
        ident = payload.apprentice if kind == "error" and type(payload) is RowRefusal else None
    return ident if isinstance(ident, str) else None


class ApprenticeIds:
    """The apprentice id of each row of a cohort (a CSV row, a workbook's, a JSON line), as its items pass to
    grading, and the lines of each id given on more than one row: each row is graded on its own (never merged),
    and the user is told. At most MAX_IDS distinct ids are remembered (memory stays bounded); past them, ids not
    seen yet are not checked."""

    MAX_IDS = 1 << 20
    SHOWN = 100  # ids named in the summary, each with its first LINES lines
    LINES = 10

    def __init__(self) -> None:
        self.first: dict[str, int] = {}
        self.again: dict[str, list[int]] = {}  # an id given again: its lines (the first one's too)
        self.full = False

    def watch(self, chunks: Iterable[list[Item]]) -> Iterator[list[Item]]:
        """The chunks of items as they come, each row's id noted. (Per chunk, in C but for one list: a cohort's ids
        are nearly always all different, and only a chunk that repeats one is looked at row by row.)"""
        first = self.first
        for chunk in chunks:
            # (the common chunk: every item a record, each id given once: its ids and lines as one dict)
            new = {payload[0]["apprentice"]["id"]: line for line, kind, payload in chunk if kind == "csv"}
            if len(new) == len(chunk) and first.keys().isdisjoint(new) and len(first) + len(new) <= self.MAX_IDS:
                first.update(new)
                yield chunk
                continue
            given = [(ident, line) for line, kind, payload in chunk
                     if (ident := _apprentice_of(kind, payload)) is not None]
            new = dict(reversed(given))  # each id's first line in the chunk
            if len(new) == len(given) and first.keys().isdisjoint(new) and len(first) + len(new) <= self.MAX_IDS:
                first.update(new)
            else:
                for ident, line in given:
                    self._note(ident, line)
            yield chunk

    def _note(self, ident: str, line: int) -> None:
        seen = self.first.get(ident)
        if seen is None:
            if len(self.first) < self.MAX_IDS:
                self.first[ident] = line
            else:
                self.full = True
        elif seen != line:
            self.again.setdefault(ident, [seen]).append(line)

    def found(self) -> list[dict[str, Any]]:
        """Each id given more than once (in the order first given): how many rows, and the first lines."""
        return [{"apprentice": ident, "records": len(lines), "lines": lines[:self.LINES]}
                for ident, lines in sorted(self.again.items(), key=lambda il: il[1][0])[:self.SHOWN]]

    def note(self) -> str | None:
        """What stderr says of the ids given more than once, if any."""
        if not self.again:
            return None
        shown = self.found()[:5]
        named = "; ".join(f"{quote(d['apprentice'])} on lines {', '.join(map(str, d['lines']))}"
                          + (" and more" if d["records"] > len(d["lines"]) else "") for d in shown)
        more = f"; and {len(self.again) - len(shown)} more (the summary names them)" if len(self.again) > len(shown) \
            else ""
        bound = f" (ids after the first {self.MAX_IDS:,} different ones were not compared)" if self.full else ""
        return (f"{len(self.again)} apprentice id{'s are' if len(self.again) > 1 else ' is'} given on more than one "
                f"row, each row graded on its own (never merged): {named}{more}{bound}")


# Where a rejected record's full error row is, when the rows went nowhere (the table alone).
ROWS_ELSEWHERE = ("see them with --format csv or --format json (with --out FILE, written to a file beside this "
                  "summary)")


def render_summary(console: Any, data: dict[str, Any], source: str, rows_in: str | None = None) -> None:
    """The summary as tables. ``rows_in``: where the rows (each rejected record's error row among them) were
    written, as the table names it: a file's path, or "standard output"; None: nowhere."""
    from rich.table import Table
    from rich.text import Text

    from epa.views.tables import print_table, shortened

    # the file's folders shortened in the middle to fit one line, as a single record's heading is (never mid-word)
    console.print(Text(shortened(source, console.width), style="bold"), highlight=False)
    console.print(f"{data['records_read']} records read, {data['results_written']} graded, {data['rejected']} rejected"
                  + "".join(f", {n} failed in {who}" for n, who in _failures(data) if n), highlight=False)
    if data["columns_not_read"]:
        console.print("Columns not read (epa has no field for them): " + ", ".join(data["columns_not_read"]),
                      highlight=False)
    if data["duplicate_ids"]:
        console.print("Apprentice ids given on more than one row (each row graded on its own): " + "; ".join(
            f"{d['apprentice']} ({d['records']} rows: lines {', '.join(map(str, d['lines']))}"
            + (", …)" if d["records"] > len(d["lines"]) else ")") for d in data["duplicate_ids"]), highlight=False)
    if data["rejected"]:
        _render_rejections(console, data, rows_in)
    if data["plugin_failures"]:
        failures = Table(title="Records a plugin failed on (each is an error row naming plugin and hook)",
                         title_justify="left")
        for col in ("plugin", "hook", "records"):
            failures.add_column(col, justify="right" if col == "records" else "left", overflow="fold")
        for row in data["plugin_failures"]:
            failures.add_row(row["plugin"], row["hook"], str(row["records"]))
        print_table(console, failures, rich_first=True)
    agree = Table(title="How often each pair of bodies gives the same overall grade", title_justify="left")
    for col in ("bodies", "records", "agree", "rate"):
        agree.add_column(col, justify="left" if col == "bodies" else "right", overflow="fold")
    for row in data["agreement"]:
        agree.add_row(" and ".join(row["bodies"]), str(row["records"]), str(row["agree"]), f"{row['rate']:.1%}")
    print_table(console, agree, rich_first=True)
    _render_outcomes(console, data)
    rows = Table(title="Rows that differ most often", title_justify="left")
    rows.add_column("row", overflow="fold")
    rows.add_column("records", justify="right", overflow="fold")
    for row in data["divergences"]:
        rows.add_row(row["row"], str(row["records"]))
    print_table(console, rows, rich_first=True)
    if data["overall_divergences"]:
        patterns = Table(title="Most common overall-grade disagreements", title_justify="left")
        patterns.add_column("standard", overflow="fold")
        patterns.add_column("overall grade by body", overflow="fold")
        patterns.add_column("records", justify="right", overflow="fold")
        for row in data["overall_divergences"]:
            patterns.add_row(row["standard"], ", ".join(f"{b} {g or 'none'}" for b, g in row["overall"].items()),
                             str(row["records"]))
        print_table(console, patterns, rich_first=True)


def _render_rejections(console: Any, data: dict[str, Any], rows_in: str | None) -> None:
    """The commonest reasons records were rejected, and where each rejected record's full error row is."""
    from rich.table import Table

    from epa.views.tables import print_table

    reasons = Table(title="Why records were rejected (the commonest reasons)", title_justify="left")
    reasons.add_column("reason", overflow="fold")
    reasons.add_column("column or path", overflow="fold")
    reasons.add_column("records", justify="right", overflow="fold")
    reasons.add_column("first lines", overflow="fold")
    for row in data["rejections"]:
        # The message as written where every record's was the same; else its pattern and the first one's.
        said = row["example"] if row["same_message"] else f"{row['reason']}; first: {row['example']}"
        reasons.add_row(said + (f" (hint: {row['hint']})" if row["hint"] else ""),
                        row["where"] or "the line", str(row["records"]), ", ".join(map(str, row["lines"])))
    print_table(console, reasons, rich_first=True)
    rest = data["rejected"] - sum(row["records"] for row in data["rejections"])
    more = f"{rest} more records were rejected for other reasons. " if rest else ""
    where = f"in {rows_in}" if rows_in else ROWS_ELSEWHERE
    console.print(f"{more}Every rejected record has an error row with its full message and hint: {where}.",
                  highlight=False)


def _render_outcomes(console: Any, data: dict[str, Any]) -> None:
    """Each body's overall grades, then its gateway readiness, caps and full retakes: per standard where the cohort
    holds more than one. (Two tables: one would not fit 80 columns.)"""
    from rich.table import Table

    from epa.views.tables import print_table

    mixed = len({row["standard"] for row in data["outcomes"]}) > 1
    grades = Table(title="Overall grades per body" + (" and standard" if mixed else ""), title_justify="left")
    journey = Table(title="Gateway readiness, grades capped at pass, full retakes required",
                    title_justify="left")
    for table, columns in ((grades, ("distinction", "pass", "fail", "none")),
                           (journey, ("ready", "not ready", "capped", "full retake"))):
        for col in ("body", *(["standard"] if mixed else []), "records", *columns):
            # A body's id is never cut or wrapped, however narrow the terminal (print_table prints a row at a time
            # where the columns do not fit their words).
            table.add_column(col, justify="left" if col in ("body", "standard") else "right", no_wrap=col == "body",
                             overflow="fold")
    for row in data["outcomes"]:
        first = (row["body"], *([row["standard"]] if mixed else []), str(row["records"]))
        grades.add_row(*first, *(str(v) for v in row["grades"].values()))
        journey.add_row(*first, str(row["gateway"]["ready"]), str(row["gateway"]["not_ready"]), str(row["capped"]),
                        str(row["full_retake_required"]))
    print_table(console, grades, rich_first=True)
    print_table(console, journey, rich_first=True)


def _failures(data: dict[str, Any]) -> list[tuple[int, str]]:
    """How many records failed, and where: in a plugin, in epa itself."""
    return [(sum(f["records"] for f in data["plugin_failures"]), "a plugin"), (data["internal_errors"], "epa itself")]


def exit_code(data: dict[str, Any]) -> int:
    """A cohort's exit code (README "Exit codes"): 1 when a plugin or epa failed on some record, else 2 when some
    record was rejected, else 0."""
    if any(n for n, _ in _failures(data)):
        return EXIT_FAILURE
    return EXIT_INPUT if data["rejected"] else EXIT_OK


def failure_note(data: dict[str, Any]) -> str | None:
    """What a run that exits 1 says on stderr: how many records failed, where (each plugin and hook)."""
    found = [f"plugin {f['plugin']!r} failed in hook {f['hook']!r} on {f['records']} record"
             + ("s" if f["records"] != 1 else "") for f in data["plugin_failures"]]
    if data["internal_errors"]:
        n = data["internal_errors"]
        found.append(f"epa itself failed on {n} record{'s' if n != 1 else ''} (please report it)")
    return "; ".join(found) + "; their error rows say why, and every other record was graded" if found else None


# --- the run -------------------------------------------------------------------------------------------

def _chunks(items: Iterable[Item], size: int | None = None) -> Iterator[list[Item]]:
    """The items in chunks of ``size``. Where reading them stops with a refusal part way through a chunk (a UTF-16
    text's bad character on a pipe), the items read before it are a chunk of their own first, their rows written
    before the refusal: they were lost, and the output stopped short of the line the refusal named."""
    it, size = iter(items), size or CHUNK
    while True:
        chunk: list[Item] = []
        try:
            chunk.extend(islice(it, size))  # (extend keeps what it appended before the iterator raised)
        except InputError:
            if chunk:
                yield chunk
            raise
        if not chunk:
            return
        yield chunk


class Interrupted(KeyboardInterrupt):
    """The user's Ctrl-C or SIGTERM stopped the run: the output of the first ``records`` records is written in
    full, the last at ``line`` of the cohort (0: none). Some of what follows may be written too (a write the
    signal cut short), but no more than that. ``failed``: a write that failed as the signal was held (see
    interrupts.held), which the interruption is said with, else None."""

    def __init__(self, records: int, line: int, failed: str | None = None):
        super().__init__(f"interrupted after {records} records")
        self.records, self.line, self.failed = records, line, failed

    @classmethod
    def after(cls, stop: KeyboardInterrupt, done: tuple[int, int]) -> Interrupted:
        """The Interrupted ``stop`` comes to, ``done`` (records written in full, the last one's line) by then."""
        context = stop.__context__
        return cls(*done, str(context) if isinstance(context, OutputError) else None)  # (a reader gone: no failure)


class ReaderGone(Exception):
    """Standard output's reader stopped reading (``| head``), and the run with it: ``records`` records were graded,
    to ``line`` of the cohort (those whose output was being written among them), ``rejected`` of them rejected and
    ``failed`` failed in a plugin or epa; ``code`` is the exit code they come to (see exit_code). Any after them
    were not read."""

    def __init__(self, counts: Summary, line: int):
        super().__init__("standard output's reader stopped reading")
        data = counts.as_data()
        self.records, self.line, self.rejected, self.code = counts.read, line, counts.rejected, exit_code(data)
        self.failed = data["internal_errors"] + sum(f["records"] for f in data["plugin_failures"])


class WorkerDied(Exception):
    """A worker process ended mid-run (killed, out of memory): the output of the first ``records`` records is
    written in full, the last at ``line`` of the cohort, and no more."""

    def __init__(self, reason: str, records: int = 0, line: int = 0):
        super().__init__(reason)
        self.reason, self.records, self.line = reason, records, line


def _graded_in_order(chunks: Iterator[list[Item]], workers: int, only: tuple[str, ...] | None, name: str,
                     fmt: str, registry: Any, methods: tuple[str, ...] | None = None,
                     words: Callable[[str], str] | None = None) -> Generator[tuple[Output, list[Any], int], None, None]:
    """Each chunk's output, what the summary counts of each record, and the chunk's last line, in input
    order. Whoever stops reading early closes this: the workers are stopped then, mid-chunk as they may be.
    ``words``: error rows' words (graded in this process: one worker)."""
    if workers <= 1 or words is not None:
        g = Grader.loading(only, name, fmt, methods) if registry is None else Grader(registry, name, fmt, methods)
        g.words = words
        for chunk in chunks:
            yield *grade_chunk(g, chunk), chunk[-1][0]
        return
    import multiprocessing

    # Worker processes of our own, each with a pipe, and no thread in this process: multiprocessing.Pool waits
    # for ever for a worker that died, and ProcessPoolExecutor's threads can hang this process's exit when a
    # worker is stopped halfway through sending a result. Chunk i goes to worker i % workers, each worker has
    # one chunk at a time (so neither end can block the other on a full pipe), and results are read in order.
    context = multiprocessing.get_context()
    team: list[tuple[Any, Any]] = []  # (process, this end of its pipe)
    finished = False
    try:
        for _ in range(workers):
            here, there = context.Pipe()
            process = context.Process(target=_work, args=(there, here, only, name, fmt, methods),
                                      daemon=True)
            # (a stop sent to the process group as a worker starts would meet the parent's handler in it, before
            # the worker sets its own, and print a traceback: the worker starts with them blocked, _work unblocks)
            blocked = signal.pthread_sigmask(signal.SIG_BLOCK, set(interrupts.STOPS)) if BLOCKING else set()
            try:
                process.start()
            finally:
                if BLOCKING:
                    signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
            there.close()  # the worker's end is the worker's alone: its death reads here as the end of the pipe
            team.append((process, here))
        pending: deque[tuple[Any, Any, int]] = deque()  # (process, pipe, the chunk's last line)
        try:
            for i, chunk in enumerate(chunks):
                if len(pending) == workers:
                    yield _result(*pending.popleft())
                process, pipe = team[i % workers]
                try:
                    pipe.send(chunk)
                except OSError:  # it died waiting for work: a broken pipe here is no reader gone (exit 0)
                    raise WorkerDied(_DIED) from None
                pending.append((process, pipe, chunk[-1][0]))
        except InputError:  # reading stopped with a refusal part way: the chunks sent hold the records before it
            while pending:
                yield _result(*pending.popleft())
            raise
        while pending:
            yield _result(*pending.popleft())
        for _, pipe in team:
            with contextlib.suppress(OSError):  # (a worker gone now has nothing left to do)
                pipe.send(None)  # done: the worker returns
        finished = True
    finally:
        _stop(team, finished)


def _result(process: Any, pipe: Any, line: int) -> tuple[Output, list[Any], int]:
    """A worker's result for its chunk, or WorkerDied when it ends first."""
    from multiprocessing.connection import wait

    wait([pipe, process.sentinel])
    try:
        return *pipe.recv(), line
    except (EOFError, OSError):
        raise WorkerDied(_DIED) from None


_DIED = "a worker process ended unexpectedly (killed, or out of memory?)"


def _work(pipe: Any, parents: Any, only: tuple[str, ...] | None, name: str, fmt: str,
          methods: tuple[str, ...] | None = None) -> None:
    """A worker process: grade each chunk the pipe brings until it brings None or closes."""
    parents.close()  # (a forked copy of the parent's end would keep the pipe open should the parent die)
    grader = _start_worker(only, name, fmt, methods)
    while True:
        try:
            chunk = pipe.recv()
        except (EOFError, OSError):
            return
        if chunk is None:
            return
        pipe.send(("failed", grader) if isinstance(grader, list) else grade_chunk(grader, chunk))


def _start_worker(only: tuple[str, ...] | None, name: str, fmt: str,
                  methods: tuple[str, ...] | None = None) -> Grader | list[Any]:
    """A worker process's start. SIGINT is left to the parent, which stops its workers; SIGTERM takes its
    default (the parent's handler, inherited at the fork, would raise KeyboardInterrupt here and print a
    traceback). Its grader, or why the bodies would not load: each chunk is answered with that (see grade_chunk),
    not a traceback either."""
    import signal

    interrupts.ignore_in_worker()
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if BLOCKING:  # (blocked as it was started: one sent meanwhile is now ignored, or ends it quietly)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, set(interrupts.STOPS))
    try:
        return Grader.loading(only, name, fmt, methods)
    except PluginError as exc:
        return ["plugin", exc.plugin, exc.hook, exc.problem]
    except Exception as exc:
        return ["internal", type(exc).__name__, str(exc)]


def _stop(team: list[tuple[Any, Any]], finished: bool) -> None:
    """The workers ended: at once where the run stops early (a chunk of slow records can take seconds), else
    as they finish. Signals wait meanwhile, so that a second Ctrl-C cannot leave a worker running."""
    import signal

    blocking = hasattr(signal, "pthread_sigmask")
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, set(interrupts.STOPS)) if blocking else set()
    try:
        for process, pipe in team:
            if finished:
                process.join(5)
            if process.is_alive():
                process.terminate()
                process.join(1)
            if process.is_alive():
                process.kill()
                process.join(1)
            pipe.close()
    finally:
        if blocking:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)


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
        stdin: IO[bytes] | None = None, column_map: ColumnMap | None = None,
        on_header: Callable[[CsvHeader], Any] | None = None, sheet: str | None = None,
        on_duplicates: Callable[[str], Any] | None = None,
        write_bytes: Callable[[bytes | bytearray], Any] | None = None,
        words: Callable[[str], str] | None = None) -> dict[str, Any]:
    """Grade every record of the cohort ``source`` (a path, or "-" for ``stdin``: JSON Lines, CSV, or an Excel
    workbook's one visible worksheet or ``sheet``), writing each record's output as it comes; return the
    summary. A CSV or workbook cohort's columns are read by ``column_map`` too, and its header, once read, is
    given to ``on_header`` (``header.ignored``: the columns not read); apprentice ids given on more than one of its
    rows, to ``on_duplicates`` (a sentence) when the run ends, and in the summary. JSON lines are made as UTF-8
    bytes: given to ``write_bytes`` as they are where it is given (a file, or standard output's buffer), else
    decoded for ``write``; all else is text, for ``write``. ``words``: an error row's message and hint said in
    them (epa serve's, where the command line's name an option), graded in this process."""
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
        stream = as_utf8(stream, name)  # (a UTF-16 file, read as the UTF-8 it holds; any other, as it is)
        lines: Iterator[Line] = physical_lines(stream, name)
        if cohort_xlsx.is_workbook(source, cohort_xlsx.head(stream, name), name):
            kind, total = "xlsx", None
        elif source == "-":
            if not _json_lines_ahead(stream):  # held (up to a bound): a CSV's date columns are read whole first
                stream = rewindable(stream)[0]
            kind, lines = sniff(physical_lines(stream, name), name)
        else:
            suffix = Path(source).suffix.lower()
            if suffix not in (".jsonl", ".ndjson", *DELIMITED):
                raise InputError(f"cannot tell the cohort's format from its suffix {suffix!r}", where=source,
                                 hint="a record file is graded without --batch (epa compare FILE); a cohort is JSON "
                                      "Lines, one record a line (not a JSON array), named .jsonl" if suffix in
                                      (".json", ".yaml", ".yml") else "name it .jsonl (JSON Lines) or .csv (or .tsv, "
                                      ".txt, .xlsx), or pipe it to `--batch -`")
            kind = "csv" if suffix in DELIMITED else "jsonl"
        counts = Summary()

        def heard(header: CsvHeader) -> None:  # the columns not read are in the summary too, not only on stderr
            counts.not_read = [str(column) for column in header.ignored]
            if on_header is not None:
                on_header(header)

        if sheet is not None and kind != "xlsx":
            raise InputError("--sheet names a worksheet of an Excel workbook; this cohort is not one", where=name)
        in_workbook: cohort_xlsx.Standards | None = None  # its standards, found as it is checked (see standards_in)
        if kind == "xlsx":  # (read from its path: a zip is read from its end)
            in_workbook = (_standard_ids(registry), set())
            items = cohort_xlsx.xlsx_items(stream if source == "-" else source, _input_methods(registry), name, sheet,
                                           column_map, heard, in_workbook)
        elif kind == "jsonl":
            items = json_items(lines, name)
        else:
            month_first, unchecked = _month_first(stream, source, name, registry, column_map)

            def told(header: CsvHeader) -> None:
                header.unchecked_dates = unchecked
                heard(header)

            items = csv_items(lines, _input_methods(registry), name, column_map, told, month_first=month_first)
        ids = ApprenticeIds()
        out_fmt = "table" if summary_only else fmt
        methods = None
        if out_fmt == "csv":  # the method columns of the standards the cohort holds (see standards_in)
            found = tuple(sorted(in_workbook[1])) if in_workbook else None if source == "-" else standards_in(
                Path(source), registry)
            methods = output_methods(registry, found)
        # A CSV's header row goes out once the cohort's first record is read (before it is graded: kept, should epa
        # be stopped in it), or at the end of a cohort of none; never before the cohort's own header is read, which
        # may refuse it (an empty file, a column missing), leaving standard output empty.
        heading = [_csv_rows([["line", "apprentice", "body", "overall", *methods, "gateway_ready", "capped",
                               "full_retake_required", "error"]])] if methods is not None else []

        def headed(items: Iterable[Item]) -> Iterator[Item]:
            for item in items:
                while heading:
                    write(heading.pop())
                yield item
        items = headed(items)
        bar = None
        done = (0, 0)  # how many records' output is written in full, and the last one's line: set as one
        graded_to = 0  # the last line graded and counted (the chunk whose write met the reader gone too)
        try:
            chunks = _chunks(items, min(CHUNK, JSON_CHUNK) if out_fmt == "json" and write_bytes is not None else None)
            chunks = ids.watch(chunks)
            graded = _graded_in_order(chunks, workers, only, name, out_fmt, registry, methods, words)
            with _collecting_less(), contextlib.closing(graded):
                for text, stats, last in graded:
                    # A chunk is written and counted as one, Ctrl-C held till both are done: what the interruption
                    # says was written is then exact (a signal between the two made it a chunk short).
                    with interrupts.held():
                        if isinstance(text, str) and text == "failed":
                            _raise(stats)
                        gone: BrokenPipeError | OutputError | None = None
                        try:
                            if isinstance(text, str):
                                if text:
                                    write(text)
                            elif write_bytes is not None:
                                write_bytes(text)
                            elif text:
                                write(text.decode("utf-8"))
                        except (BrokenPipeError, OutputError) as exc:  # the reader gone, or a full disk: this
                            gone = exc  # chunk was graded, and counts too
                        counts.add(stats)
                        graded_to = last
                        if gone is not None:  # (counted as graded, not as written: a held Ctrl-C says the written)
                            raise gone  # (ReaderGone, OutputCutShort, below)
                        done = counts.read, last
                    if interrupts.received():  # a KeyboardInterrupt some library caught and dropped
                        raise KeyboardInterrupt
                    if progress and bar is None:  # started once the workers are: no thread is running at a fork
                        bar = _progress(total)
                    if bar:
                        bar[0].update(bar[1], completed=stream.tell() if total else None, records=counts.read)
        except KeyboardInterrupt as exc:
            raise Interrupted.after(exc, done) from None
        except BrokenPipeError:
            raise ReaderGone(counts, graded_to) from None
        except OutputError as exc:  # a full disk part way: how much was written by then is said with it
            raise OutputCutShort(exc, *done, graded=counts.read) from None
        except WorkerDied as exc:
            if interrupts.received():  # SIGTERM to the process group: the workers went first
                raise Interrupted(*done) from None
            raise WorkerDied(exc.reason, *done) from None
        finally:
            if bar:
                bar[0].stop()
        try:  # every record is graded and written: a stop now is said as one after the last of them
            while heading:  # a cohort of no records: its CSV is the header row alone
                write(heading.pop())
            counts.duplicates = ids.found()
            data = counts.as_data()
            data_note = ids.note()
            if data_note and on_duplicates is not None:
                on_duplicates(data_note)
            if fmt == "json" and (summary or summary_only):
                write(json.dumps({"summary": data}, ensure_ascii=False) + "\n")
        except KeyboardInterrupt as exc:
            raise Interrupted.after(exc, done) from None
        except OutputError as exc:  # the summary's line (or a header row alone): every record's output said whole
            raise OutputCutShort(exc, *done, graded=counts.read) from None
        return data
    finally:
        if source != "-":
            stream.close()


def _json_lines_ahead(stream: IO[bytes]) -> bool:
    """Whether standard input shows JSON Lines in what is already buffered (its first byte but blanks and a
    byte-order mark is "{"): such a cohort streams as it comes, never held."""
    peek = getattr(stream, "peek", None)
    ahead = bytes(peek(1 << 16)) if peek is not None else b""
    return ahead.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n").startswith(b"{")


def _month_first(stream: IO[bytes], source: str, name: str, registry: Any, column_map: ColumnMap | None
                 ) -> tuple[dict[int, tuple[str, int]], str]:
    """A CSV cohort's date columns found month first, read before grading (see month_first_columns); or none,
    and why its columns could not be read whole (a pipe, or standard input past MAX_REREAD): a note to the user."""
    if rereadable(stream):
        return month_first_columns(stream, _input_methods(registry), name, column_map), ""
    why = (f"standard input is larger than {MAX_REREAD >> 20} MiB" if source == "-" else
           "the cohort is not a file that can be read twice (a pipe or a device)")
    return {}, (f"{why}, so its date columns are not checked whole before grading: a month-first (US) date is "
                "refused only where its day is over 12, and its column's other dates are read day first; give "
                "--batch the file itself to have such a column refused whole")


class _Standard(msgspec.Struct):
    standard: Any = None  # (whatever a line holds there: a line that is no record is an error row anyway)


_STANDARD_OF = msgspec.json.Decoder(_Standard).decode


def standards_in(path: Path, registry: Any) -> tuple[str, ...] | None:
    """The defined standards a cohort file's records name, read before grading starts (the same whatever
    ``--workers``): the CSV's method columns are theirs, so that ST0071's cohort has no ST0072 showcase column.
    JSON Lines: each line's ``standard``, decoded alone (about 1.5 µs a line); a line that cannot be decoded so
    counts every standard whose id it holds. CSV: every standard whose id the file holds anywhere, in any case (an
    id in another cell adds an empty column at worst); a workbook's are found so as it is checked (cohort_xlsx).
    None (every standard's columns) where the file cannot be scanned: not a regular file, a suffix other than
    these, or unreadable (grading then says why). A record is graded under a standard its line names, so none of
    its methods is left without a column."""
    suffix = path.suffix.lower()
    try:
        if suffix not in (*DELIMITED, ".jsonl", ".ndjson") or not path.is_file():
            return None
        ids = _standard_ids(registry)
        with path.open("rb") as opened:
            stream = as_utf8(opened, str(path))
            found = _standards_in_csv(stream, ids) if suffix in DELIMITED else _standards_in_lines(stream, ids)
    except (OSError, InputError):
        return None
    return tuple(sorted(found))


def _standard_ids(registry: Any) -> dict[str, bytes]:
    """Each defined standard's id, and its lower-case bytes: what a scan for the standards a cohort holds looks for."""
    return {s.id: s.id.lower().encode("utf-8") for s in registry.defined_standards()}


def _standards_in_lines(stream: IO[bytes], ids: dict[str, bytes]) -> set[str]:
    found: set[str] = set()
    by_name = {i.decode("utf-8"): s for s, i in ids.items()}
    for _, raw, _ in physical_lines(stream):
        if raw is None:
            break
        try:
            standard = _STANDARD_OF(raw).standard
        except (msgspec.DecodeError, RecursionError):  # (nested deeper than msgspec goes: the grading refuses it)
            lowered = raw.lower()
            found.update(s for s, i in ids.items() if i in lowered)
            continue
        named = by_name.get(standard.strip().lower()) if isinstance(standard, str) else None
        if named is not None:  # (in any case, should a reader fold it)
            found.add(named)
            if len(found) == len(ids):
                break
    return found


def _standards_in_csv(stream: IO[bytes], ids: dict[str, bytes]) -> set[str]:
    found: set[str] = set()
    tail = b""
    holds = {s: standard_finder(s) for s in ids}  # an id as the rows read it (st 0072, st-0072), too
    overlap = max(map(len, ids.values()), default=1) + 64  # an id across two blocks (and the spaces in it)
    while len(found) < len(ids) and (block := stream.read(1 << 20)):
        text = tail + block.lower()
        found.update(s for s, i in ids.items() if s not in found and (i in text or holds[s](text)))
        tail = text[-overlap:]
    return found


def _input_methods(registry: Any) -> list[str]:
    return list(output_methods(registry))


def _progress(total: int | None) -> tuple[Any, Any]:
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    bar = Progress(TextColumn("grading"), BarColumn(), TaskProgressColumn(),
                   TextColumn("{task.fields[records]} records"), TimeElapsedColumn(), console=Console(stderr=True),
                   transient=True, redirect_stdout=False, redirect_stderr=False)  # (rich would take standard
    # output over and print what is written to it on the bar's console, standard error: rows sent to a file went
    # to the screen, found on 246753b)
    task = bar.add_task("grading", total=total, records=0)
    bar.start()
    return bar, task
