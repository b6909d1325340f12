"""Loading an apprentice record: syntax, schema, then the checks a schema cannot express."""

from __future__ import annotations

from pathlib import Path

from epa.convert import structure
from epa.documents import Source, read, validate
from epa.errors import InputError, did_you_mean
from epa.model import Record
from epa.registry import Registry


def load_record(path: Path | str, registry: Registry) -> Record:
    data, source = read(path)
    validate(data, "record", source)
    _check_names(data, source, registry)
    record = structure(data, Record, where=str(path))
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
