"""Loading an apprentice record: syntax, schema, then the checks a schema cannot express."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from epa.errors import InputError, quote
from epa.inputs.documents import NumberForm, Source, check_text, expects_text, parse, read_bytes, validate
from epa.inputs.hostile import ID_BLANKS, ID_CONTROL, ID_CONTROL_HINT, control_in_id
from epa.inputs.record_checks import Names, blank, refusal
from epa.model.domain import Record
from epa.registry import Registry


class Cohorts(NamedTuple):
    """Where the reader of one record sends a cohort, for the hints of a file that holds one (or a list of records):
    the command that grades it, the file after it (``epa compare --batch``; ``epa --bodies B compare --batch`` for
    a command given one body), or the service's endpoint."""

    command: str = "epa compare --batch"
    endpoint: str | None = None  # "POST /batch": the service's
    taker: str = "this command"  # what takes one record

    def grade(self, file: str, it: str = "it") -> str:
        """How to grade the cohort ``file`` (``it``): the command, or the endpoint to send it to."""
        return f"send {it} to {self.endpoint}" if self.endpoint else f"grade {it} as a cohort: {self.command} {file}"


COMPARE = Cohorts()  # the command line's: epa compare --batch FILE


def load_record(path: Path | str, registry: Registry, cohorts: Cohorts = COMPARE) -> Record:
    """One apprentice record from a YAML or JSON file (``-``: standard input). A cohort given here (CSV, JSON
    Lines or an Excel workbook) is refused pointing to ``cohorts`` (``epa compare --batch``): by its suffix, by a
    workbook's signature, and, when the file is no record, by what its first lines hold."""
    raw, name, kind = read_bytes(path)
    return record_from_bytes(raw, name, kind, registry, cohorts)


class Unreadable(InputError):
    """A record that is not YAML or JSON text at all (not UTF-8, a syntax error): the service answers 400 for it,
    where a record that reads but is no valid record is 422."""


def record_from_bytes(raw: bytes, name: str, kind: str, registry: Registry, cohorts: Cohorts = COMPARE) -> Record:
    """One apprentice record from its bytes (``kind``: "json" or "yaml"), named ``name`` in errors: as
    :func:`load_record`, whose second half it is (the service's request body takes it directly)."""
    workbook = _workbook_by_signature(raw, name, cohorts)  # first: a workbook renamed .csv is a workbook, not CSV
    if workbook:
        raise workbook
    cohort = _cohort_by_name(name)
    if cohort:
        raise _wrong_door(name, cohort, cohorts)
    try:
        try:
            data, source = parse(raw, name, kind)
        except InputError as exc:
            if isinstance(exc, NumberForm) and expects_text("record", exc.parts):
                exc = exc.in_text()
            raise exc.moved(exc.place or exc.where, cls=Unreadable) from None
        if isinstance(data, list) and data and all(isinstance(item, dict) for item in data):
            raise _records_listed(name, len(data), cohorts)
        return record_from_data(data, source, registry, where=str(source.path), typed=True,  # `-` is <stdin>
                                read=True)
    except InputError:
        cohort = _cohort_by_content(raw)  # looked for only once the file failed as a record: a record never is
        if cohort:
            raise _wrong_door(name, cohort, cohorts) from None
        raise


# What a cohort's file is called, and how it starts: what `epa compare --batch` reads, not a single record.
_COHORT_SUFFIXES = {".csv": "a CSV file", ".jsonl": "a JSON Lines file", ".ndjson": "a JSON Lines file",
                    ".xlsx": "an Excel workbook", ".xlsm": "an Excel workbook", ".xls": "an Excel workbook"}
# A workbook's first bytes, what they make it, the suffixes it is named with, and whether --batch reads it as it is.
_SIGNATURES = ((b"PK\x03\x04", "an Excel workbook (or another zip archive)", (".xlsx", ".xlsm"), True),
               (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Excel 97-2003 workbook", (".xls",), False))
# A CSV header: two or more names separated by commas, such as a spreadsheet writes ("Apprentice ID", date_of_birth).
_CSV_HEADER = re.compile(r"""\s*"?[\w .()/#&'-]+"?\s*(?:,\s*"?[\w .()/#&'-]*"?\s*)+""")


def _cohort_by_name(name: str) -> str | None:
    return _COHORT_SUFFIXES.get(Path(name).suffix.lower()) if name != "<stdin>" else None


def _workbook_by_signature(raw: bytes, name: str, cohorts: Cohorts) -> InputError | None:
    """A workbook given where one record goes, by its first bytes, whatever its name: what it is (and, where its
    name says otherwise, so), and how --batch reads it (named .xlsx; an .xls saved as .xlsx first)."""
    found = next(((what, named, reads) for signature, what, named, reads in _SIGNATURES if raw.startswith(signature)),
                 None)
    if found is None:
        return None
    import shlex  # only for this message (every record is looked at here: a record is no workbook)

    what, named, reads = found
    suffix = Path(name).suffix.lower() if name != "<stdin>" else ""
    if reads and (name == "<stdin>" or suffix in named):
        return _wrong_door(name, what, cohorts)
    if suffix not in named:
        what += f", by its first bytes, though its name ends {suffix!r}" if suffix else ", by its first bytes"
    renamed = shlex.quote(str(Path(name).with_suffix(".xlsx")) if name != "<stdin>" else "FILE.xlsx")
    hint = (f"name it .xlsx and {cohorts.grade(renamed)}" if reads else
            f"open it in Excel, save it as 'Excel Workbook (.xlsx)', and {cohorts.grade(renamed, 'that')}")
    return InputError(f"this is {what}, a cohort of records; {cohorts.taker} takes one record (YAML or JSON)",
                      where=name, hint=hint)


def _cohort_by_content(raw: bytes) -> str | None:
    """CSV when the first line is a CSV header (and the next, if any, has as many cells), JSON Lines when the
    first two lines are JSON objects each. YAML's comments are no part of either."""
    import csv  # only for a file that failed as a record

    text = raw[:65536].decode("utf-8-sig", "replace")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if lines and ":" not in lines[0] and _CSV_HEADER.fullmatch(lines[0]) and \
            len({len(row) for row in csv.reader(lines[:2])}) == 1:
        return "CSV text"
    if len(lines) >= 2 and all(_json_object(line) for line in lines[:2]):
        return "JSON Lines text (one JSON object a line)"
    return None


def _json_object(line: str) -> bool:
    if not (line.startswith("{") and line.endswith("}")):
        return False
    import json

    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


def _records_listed(name: str, count: int, cohorts: Cohorts) -> InputError:
    """A list of records (a JSON array, a YAML list) given where one record goes: neither command reads a list, so
    say how each does read them (it was "$: […] is not a mapping", and no hint)."""
    many = f"a list of {count} records" if count > 1 else "a list holding a record"
    hint = (f"send each record in a request of its own, or the records as a cohort to {cohorts.endpoint}: JSON "
            "Lines, one record a line (Content-Type: application/jsonl)" if cohorts.endpoint else
            "give each record a file of its own, or grade them as a cohort: JSON Lines, one record a line (.jsonl), "
            f"with {cohorts.command} FILE.jsonl")
    return InputError(f"this is {many}, not one record: a record is a mapping of fields (standard:, apprentice:, "
                      "gateway: ...)", where=name, hint=hint)


def _wrong_door(name: str, what: str, cohorts: Cohorts) -> InputError:
    """A cohort given where one record goes: the command that grades a cohort, with this file (or the endpoint)."""
    import shlex  # only for this message

    shown = "-" if name == "<stdin>" else shlex.quote(name)
    hint = f"send a cohort to {cohorts.endpoint}" if cohorts.endpoint else \
        f"grade a cohort with: {cohorts.command} {shown}"
    return InputError(f"this is {what}, a cohort of records; {cohorts.taker} takes one record (YAML or JSON)",
                      where=name, hint=hint)


def record_from_data(data: Any, source: Source, registry: Registry, where: str, *, typed: bool = False,
                     read: bool = False) -> Record:
    """Validate a record already parsed (from a file, a JSON line or a CSV row): ``source`` says where a JSON
    path sits in the input (``<file>:<line>``) and ``where`` names the input itself. ``typed``: first ask the
    typed decoder (``fastrecord.from_data``, the same Record for any data it vouches for), so that a valid record
    needs neither the schema's compiled check nor cattrs (both take longer to make than to run once); a cohort's
    lines have asked it already. ``read``: the data is what ``documents.parse`` read from a file's text, which
    refuses a lone surrogate as it reads (so the check for one is not made twice, nor json imported for it)."""
    if not read:
        check_text(data, source)  # first: a lone surrogate would make even the schema's message unwritable
    if typed:
        from epa.inputs.fastrecord import from_data

        record = from_data(data, registry)
        if record is not None:
            return record
    _take_off_times(data, source)
    _trim_id(data, source)
    validate(data, "record", source)
    try:
        names = Names(registry, data["standard"])
    except InputError as exc:
        raise exc.moved(source.place(["standard"])) from None
    from epa.model.convert import structure

    record = structure(data, Record, where=where)  # (a record the schema passed always structures)
    found = refusal(record, registry, names)
    if found is not None:
        raise InputError(found.message, where=source.place(found.parts), hint=found.hint)
    return record


def _trim_id(data: Any, source: Source) -> None:
    """The apprentice id without the blanks around it, in place, as a CSV cell is read (stripped): " A-0001" in
    JSON or YAML was an id of its own, a duplicate of "A-0001" unnoticed and the same export read differently by
    format. One of blanks alone is refused, as a CSV row's empty id is; so is one holding a control character
    (hostile.control_in_id)."""
    apprentice = data.get("apprentice") if isinstance(data, dict) else None
    if isinstance(apprentice, dict) and isinstance(ident := apprentice.get("id"), str):
        apprentice["id"] = ident.strip(ID_BLANKS)
        if ident and (not apprentice["id"] or (blank(apprentice["id"]) and not ID_CONTROL.search(apprentice["id"]))):
            raise InputError(f"{quote(ident)} is blank: every record needs the apprentice's id",  # (a zero-width space
                             where=source.place(["apprentice", "id"]),                          # alone, too)
                             hint="give the apprentice's id (a ULN, or the provider's own reference)")
        if (control := control_in_id(apprentice["id"])) is not None:
            raise InputError(control, where=source.place(["apprentice", "id"]), hint=ID_CONTROL_HINT)


def _take_off_times(data: Any, source: Source) -> None:
    """Each date of the record written with a time of day (``2026-01-20T09:30``) made its date, in place, as
    epa.inputs.dates has it; one with a time zone is refused at its path. A date not written YYYY-MM-DD before its
    time is left as written, for the schema to refuse as it stands."""
    from epa.inputs.dates import ZonedTime, without_time
    from epa.inputs.validation import is_date

    for parts, holder, key in _dates_in(data):
        value = holder[key]
        try:
            day = without_time(value)
        except ZonedTime as exc:
            if is_date(exc.day):
                raise InputError(exc.message, where=source.place(parts), hint=exc.hint) from None
            continue
        if day != value and is_date(day):
            holder[key] = day


def _dates_in(data: Any) -> Iterator[tuple[tuple[Any, ...], Any, Any]]:
    """Each string where the record schema has a date: its JSON path (as parts), the list or mapping holding it, and
    its key there."""
    for path in _date_paths():
        places: list[tuple[tuple[Any, ...], Any, Any, Any]] = [((), None, None, data)]  # (parts, holder, key, value)
        for step in path:
            places = [((*parts, k), value, k, value[k]) for parts, _, _, value in places for k in _keys(value, step)]
        yield from ((parts, holder, key) for parts, holder, key, value in places if isinstance(value, str))


def _keys(node: Any, step: str) -> Iterable[Any]:
    """The keys of ``node`` a path's ``step`` goes to ("*": each)."""
    if isinstance(node, dict):
        return node.keys() if step == "*" else (step,) if step in node else ()
    return range(len(node)) if isinstance(node, list) and step == "*" else ()


@cache
def _date_paths() -> tuple[tuple[str, ...], ...]:
    """The paths of the record schema's dates ("*": each item of a list, or value of a mapping), read from it."""
    from epa.inputs.jsonschemas import schema

    paths: list[tuple[str, ...]] = []
    todo: list[tuple[tuple[str, ...], Any]] = [((), schema("record"))]
    while todo:
        path, node = todo.pop()
        if not isinstance(node, dict):
            continue
        if node.get("$ref") == "#/$defs/date":
            paths.append(path)
        todo.extend(((*path, name), sub) for name, sub in node.get("properties", {}).items())
        todo.extend(((*path, "*"), node[k]) for k in ("items", "additionalProperties") if isinstance(node.get(k), dict))
    return tuple(sorted(paths))
