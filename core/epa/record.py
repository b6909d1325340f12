"""Loading an apprentice record: syntax, schema, then the checks a schema cannot express."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from epa.convert import structure
from epa.documents import Source, check_text, read, validate
from epa.errors import InputError, did_you_mean
from epa.model import Grade, Record
from epa.registry import Registry


def load_record(path: Path | str, registry: Registry) -> Record:
    data, source = read(path)
    return record_from_data(data, source, registry, where=str(source.path))  # `-` is <stdin>


def record_from_data(data: Any, source: Source, registry: Registry, where: str) -> Record:
    """Validate a record already parsed (from a file, a JSON line or a CSV row): ``source`` says where a JSON
    path sits in the input (``<file>:<line>``) and ``where`` names the input itself."""
    check_text(data, source)  # first: a lone surrogate would make even the schema's message unwritable
    validate(data, "record", source)
    _check_names(data, source, registry)
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
        raise InputError(f"apprenticeship start {a.start_date} is not after the date of birth {a.date_of_birth}",
                         where=source.where(["apprentice", "start_date"]))
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
        previous = attempt.date
    _check_journey_dates(record, source)
    _check_history(record, source)


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
