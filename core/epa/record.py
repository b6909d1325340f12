"""Loading an apprentice record: syntax, schema, then the checks a schema cannot express."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

from epa.documents import Source, check_text, parse, read_bytes, validate
from epa.errors import InputError, did_you_mean
from epa.model import Attempt, Grade, Record
from epa.registry import Registry


def load_record(path: Path | str, registry: Registry) -> Record:
    """One apprentice record from a YAML or JSON file (``-``: standard input). A cohort given here (CSV, JSON
    Lines or an Excel workbook) is refused pointing to ``epa compare --batch``: by its suffix, by a workbook's
    signature, and, when the file is no record, by what its first lines hold."""
    raw, name, kind = read_bytes(path)
    return record_from_bytes(raw, name, kind, registry)


class Unreadable(InputError):
    """A record that is not YAML or JSON text at all (not UTF-8, a syntax error): the service answers 400 for it,
    where a record that reads but is no valid record is 422."""


def record_from_bytes(raw: bytes, name: str, kind: str, registry: Registry) -> Record:
    """One apprentice record from its bytes (``kind``: "json" or "yaml"), named ``name`` in errors: as
    :func:`load_record`, whose second half it is (the service's request body takes it directly)."""
    cohort = _cohort_by_name(name) or _cohort_by_signature(raw)
    if cohort:
        raise _wrong_door(name, cohort)
    try:
        try:
            data, source = parse(raw, name, kind)
        except InputError as exc:
            raise Unreadable(exc.message, where=exc.where, hint=exc.hint) from None
        return record_from_data(data, source, registry, where=str(source.path), typed=True)  # `-` is <stdin>
    except InputError:
        cohort = _cohort_by_content(raw)  # looked for only once the file failed as a record: a record never is
        if cohort:
            raise _wrong_door(name, cohort) from None
        raise


# What a cohort's file is called, and how it starts: what `epa compare --batch` reads, not a single record.
_COHORT_SUFFIXES = {".csv": "a CSV file", ".jsonl": "a JSON Lines file", ".ndjson": "a JSON Lines file",
                    ".xlsx": "an Excel workbook", ".xlsm": "an Excel workbook", ".xls": "an Excel workbook"}
_SIGNATURES = ((b"PK\x03\x04", "an Excel workbook (or another zip archive)"),
               (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Excel 97-2003 workbook"))
# A CSV header: two or more names separated by commas, such as a spreadsheet writes ("Apprentice ID", date_of_birth).
_CSV_HEADER = re.compile(r"""\s*"?[\w .()/#&'-]+"?\s*(?:,\s*"?[\w .()/#&'-]*"?\s*)+""")


def _cohort_by_name(name: str) -> str | None:
    return _COHORT_SUFFIXES.get(Path(name).suffix.lower()) if name != "<stdin>" else None


def _cohort_by_signature(raw: bytes) -> str | None:
    return next((what for signature, what in _SIGNATURES if raw.startswith(signature)), None)


def _cohort_by_content(raw: bytes) -> str | None:
    """CSV when the first line is a CSV header (and the next, if any, has as many cells), JSON Lines when the
    first two lines are JSON objects each. YAML's comments are no part of either."""
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
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


def _wrong_door(name: str, what: str) -> InputError:
    """A cohort given where one record goes: the command that grades a cohort, with this file."""
    import shlex  # only for this message

    shown = "-" if name == "<stdin>" else shlex.quote(name)
    return InputError(f"this is {what}, a cohort of records; this command takes one record (YAML or JSON)",
                      where=name, hint=f"grade a cohort with: epa compare --batch {shown}")


def record_from_data(data: Any, source: Source, registry: Registry, where: str, *, typed: bool = False) -> Record:
    """Validate a record already parsed (from a file, a JSON line or a CSV row): ``source`` says where a JSON
    path sits in the input (``<file>:<line>``) and ``where`` names the input itself. ``typed``: first ask the
    typed decoder (``fastrecord.from_data``, the same Record for any data it vouches for), so that a valid record
    needs neither the schema's compiled check nor cattrs (both take longer to make than to run once); a cohort's
    lines have asked it already."""
    check_text(data, source)  # first: a lone surrogate would make even the schema's message unwritable
    if typed:
        from epa.fastrecord import from_data

        record = from_data(data, registry)
        if record is not None:
            return record
    validate(data, "record", source)
    _check_names(data, source, registry)
    from epa.convert import structure

    record = structure(data, Record, where=where)
    _check_dates(record, source)
    return record


def _check_names(data: dict, source: Source, registry: Registry) -> None:
    standard = data["standard"]
    try:
        registry.offering(standard)
    except InputError as exc:
        raise InputError(exc.message, where=source.where(["standard"]), hint=exc.hint) from None
    methods = registry.method_ids(standard)
    known = registry.criterion_ids(standard)
    for body_id, version in data.get("document_versions", {}).items():
        try:
            registry.body(body_id).ruleset(standard, version)
        except InputError as exc:
            raise InputError(exc.message, where=source.where(["document_versions", body_id]),
                             hint=exc.hint) from None
    for method in data.get("schedule", {}):
        if method not in methods:
            raise InputError(f"{standard} has no assessment method {method!r} to schedule",
                             where=source.where(["schedule", method]), hint=did_you_mean(method, methods))
    for i, attempt in enumerate(data.get("assessments", [])):
        if attempt["method"] not in methods:
            raise InputError(f"{standard} has no assessment method {attempt['method']!r}",
                             where=source.where(["assessments", i, "method"]),
                             hint=did_you_mean(attempt["method"], methods))
        for j, criterion in enumerate(attempt.get("criteria_met", [])):
            if criterion not in known:
                raise InputError(f"no body knows criterion {criterion!r} for {standard}",
                                 where=source.where(["assessments", i, "criteria_met", j]),
                                 hint=did_you_mean(criterion, known) or f"`epa criteria --standard {standard}` "
                                 "lists the criteria")


def _check_dates(record: Record, source: Source) -> None:
    a, g = record.apprentice, record.gateway
    if a.date_of_birth and a.start_date and a.start_date <= a.date_of_birth:
        # (the date of birth is named: a birth year of two digits, 01/01/49, reads as 2049, and the start is the
        # date a provider's records hold right far more often)
        raise InputError(f"the date of birth {a.date_of_birth} is not before the apprenticeship start {a.start_date}",
                         where=source.where(["apprentice", "date_of_birth"]),
                         hint="check the date of birth: a two-digit year 00-49 is read as 2000-2049 (01/01/49 is "
                              "2049), so write a birth year with four digits")
    if a.start_date and g.date < a.start_date:
        raise InputError(f"gateway {g.date} is before the apprenticeship start {a.start_date}",
                         where=source.where(["gateway", "date"]))
    previous = None
    for i, attempt in enumerate(record.assessments):
        if attempt.date < g.date:
            raise InputError(f"assessment on {attempt.date} is before gateway ({g.date})",
                             where=source.where(["assessments", i, "date"]),
                             hint="assessments take place after gateway")
        if attempt.notified and attempt.notified < attempt.date:
            raise InputError(f"result notified on {attempt.notified}, before the assessment on {attempt.date}",
                             where=source.where(["assessments", i, "notified"]))
        if previous and attempt.date < previous:
            raise InputError(f"assessment on {attempt.date} comes after one on {previous}",
                             where=source.where(["assessments", i, "date"]),
                             hint="list assessments in date order")
        if _questioning_overruns(attempt):
            raise InputError(f"{attempt.questioning_minutes:g} minutes of questioning inside a duration of "
                             f"{attempt.duration_minutes:g}",
                             where=source.where(["assessments", i, "questioning_minutes"]),
                             hint="duration_includes_questioning: true says duration_minutes counts the questioning; "
                                  "give the whole duration, or false if the questioning came after it")
        previous = attempt.date
    _check_journey_dates(record, source)
    _check_history(record, source)


def _questioning_overruns(attempt: Attempt) -> bool:
    """Whether the questioning is longer than a duration the record says counts it."""
    return bool(attempt.duration_includes_questioning and attempt.questioning_minutes is not None
                and attempt.duration_minutes is not None and attempt.questioning_minutes > attempt.duration_minutes)


def _check_journey_dates(record: Record, source: Source) -> None:
    """Dates that cannot come before gateway, or before the event they answer."""
    g, d = record.gateway.date, record.dates
    for name in ("epa_start", "planning_meeting"):
        day = getattr(d, name)
        if day and day < g:
            raise InputError(f"{name.replace('_', ' ')} {day} is before gateway ({g})",
                             where=source.where(["dates", name]), hint="the EPA period and its planning follow gateway")
    if d.proposal_resubmitted and not d.proposal_rejected:
        raise InputError("a resubmitted proposal with no date it was rejected",
                         where=source.where(["dates", "proposal_resubmitted"]), hint="add dates.proposal_rejected")
    if d.proposal_resubmitted and d.proposal_rejected and d.proposal_resubmitted < d.proposal_rejected:
        raise InputError(f"proposal resubmitted on {d.proposal_resubmitted}, before it was rejected "
                         f"({d.proposal_rejected})", where=source.where(["dates", "proposal_resubmitted"]))
    for method, day in record.schedule.items():
        if day < g:
            raise InputError(f"{method} scheduled on {day}, before gateway ({g})",
                             where=source.where(["schedule", method]))


def _check_history(record: Record, source: Source) -> None:
    """A resit or retake follows an earlier attempt at the same method that did not pass; a first attempt
    comes first. (Whether a criteria-graded attempt failed depends on the body: grading notes that.)"""
    latest: dict[str, Any] = {}  # each method's attempt so far
    for i, attempt in enumerate(record.assessments):
        before = latest.get(attempt.method)
        latest[attempt.method] = attempt
        if (attempt.kind == "first") == (before is None) and (before is None or before.grade in (None, Grade.FAIL)):
            continue  # as it should be: the file is parsed again for a line only when there is an error
        earlier = [a for a in record.assessments[:i] if a.method == attempt.method]
        where = source.where(["assessments", i, "kind"])
        if attempt.kind == "first" and earlier:
            raise InputError(f"a second first attempt at the {attempt.method} (the first was on {earlier[0].date})",
                             where=where, hint="mark a later attempt kind: resit or kind: retake")
        if attempt.kind != "first" and not earlier:
            raise InputError(f"a {attempt.kind} of the {attempt.method} on {attempt.date} with no earlier fail: "
                             f"the record has no earlier {attempt.method} attempt", where=where,
                             hint="a resit or retake follows a failed attempt at the same method; "
                                  "is this the first attempt (kind: first)?")
        if earlier and earlier[-1].grade not in (None, Grade.FAIL):
            raise InputError(f"a {attempt.kind} of the {attempt.method} on {attempt.date} with no earlier fail: the "
                             f"attempt on {earlier[-1].date} was graded {earlier[-1].grade}", where=where,
                             hint="resits and retakes are offered after a fail only, never to improve a pass")
