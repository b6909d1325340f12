"""The checks a record must pass that its JSON Schema cannot express, stated once: its apprentice's id is not blank,
what it names belongs to its standard (document versions, methods, criteria), its dates come in an order that can
happen, and each resit or retake follows a failed attempt.

Both readers of a record ask :func:`refusal`. ``record.record_from_data`` (the checked path) raises what it
returns as an InputError at its JSON path; ``fastrecord`` (the typed decoder of a cohort's lines) needs only
whether there is one, and leaves a record that has one to the checked path, which then words it. A record is
read by its attributes, which the attrs Record and fastrecord's view share (lists or tuples alike). The refusal
returned is the first in the order the checked path has always reported them: the names, then the dates, then
the attempt history; nothing is built for a record that passes.
"""

from __future__ import annotations

import unicodedata
from typing import Any, NamedTuple

from epa.errors import InputError, did_you_mean, quote
from epa.model.domain import Grade
from epa.registry import Registry


class Refusal(NamedTuple):
    """Why a record is refused: the JSON path of the value at fault (as parts), what is wrong, what to do."""

    parts: tuple[Any, ...]
    message: str
    hint: str | None = None


class Names:
    """What a record may name for one standard. Made once per standard where records are many (fastrecord keeps
    one per registry, weakly: a Names holds no registry); the document versions found known are remembered, and
    only those (hostile input must not grow it)."""

    __slots__ = ("standard", "method_ids", "methods", "criteria", "versions")

    def __init__(self, registry: Registry, standard: str):
        registry.offering(standard)  # InputError: unknown, or no installed body offers it
        self.standard = standard
        self.method_ids = registry.method_ids(standard)
        self.methods = frozenset(self.method_ids)
        self.criteria = registry.criterion_ids(standard)
        self.versions: set[tuple[str, str]] = set()

    def version_refusal(self, registry: Registry, body: str, version: str) -> Refusal | None:
        """Why the record may not name this body's document version for the standard, or None."""
        if (body, version) not in self.versions:
            try:
                registry.body(body).ruleset(self.standard, version)
            except InputError as exc:
                return Refusal(("document_versions", body), exc.message, exc.hint)
            self.versions.add((body, version))
        return None


def blank(text: str) -> bool:
    """Whether ``text`` shows nothing: white space, or characters that take no room (a zero-width space, a byte
    order mark, a control character) and nothing else. (An id is nearly always printable: only one that is not is
    looked at character by character.)"""
    return text.isspace() or (not text.isprintable() and all(
        c.isspace() or unicodedata.category(c) in _NOTHING_SHOWN for c in text))


_NOTHING_SHOWN = {"Cf", "Cc", "Zs", "Zl", "Zp"}  # format and control characters, separators


def refusal(r: Any, registry: Registry, names: Names, *, criteria: bool = True) -> Refusal | None:
    """The first reason the record ``r`` (a Record or a view of one, its defaults filled in) cannot be graded by
    the registry's bodies, or None (``names``: the registry's for its standard). Without ``criteria``, whether
    each attempt's criteria ids are the standard's is left to the caller (fastrecord's callers check them as they
    read them as bits: see :func:`unknown_criterion`).

    The reasons come in this order: a blank apprentice id; a document version, a scheduled method, then an
    attempt's method or criteria; the apprentice's dates; an attempt's dates (or its questioning minutes); the
    journey's dates; an attempt out of turn. The attempts are walked once (a cohort's fast path asks this of every
    record), keeping the first fault of each kind."""
    standard, methods, schedule = r.standard, names.methods, r.schedule
    if blank(r.apprentice.id):  # (a CSV cell is stripped, so there it is empty: refused as every record's id)
        return Refusal(("apprentice", "id"), f"{quote(r.apprentice.id)} is blank: every record needs the apprentice's "
                       "id", "give the apprentice's id (a ULN, or the provider's own reference)")
    if r.document_versions:  # (asked first: most records name none, nor schedule any method)
        for body, version in r.document_versions.items():
            found = names.version_refusal(registry, body, version)
            if found is not None:
                return found
    for method in schedule or ():
        if method not in methods:
            return Refusal(("schedule", method), f"{standard} has no assessment method {method!r} to schedule",
                           did_you_mean(method, names.method_ids))
    gateway = r.gateway.date
    # attempt_fault: the first attempt's dates out of order, or its questioning longer than a duration said to count it
    attempt_fault = out_of_turn = previous = None
    latest: dict[str, Any] = {}  # each method's attempt so far
    for a in r.assessments:  # (an attempt's index is looked for only once it is at fault: see _at)
        method, date, notified, ids = a.method, a.date, a.notified, a.criteria_met
        if method not in methods:  # a name: said before any date or turn, of this attempt or an earlier one
            return Refusal(("assessments", _at(r, a), "method"), f"{standard} has no assessment method {method!r}",
                           did_you_mean(method, names.method_ids))
        if criteria and ids is not None and len(names.criteria.intersection(ids)) != len(ids):
            return _criterion_refusal(standard, _at(r, a), ids, names.criteria)
        if attempt_fault is None:
            if date < gateway:
                attempt_fault = Refusal(("assessments", _at(r, a), "date"),
                                   f"assessment on {date} is before gateway ({gateway})",
                                   "assessments take place after gateway")
            elif notified is not None and notified < date:
                attempt_fault = Refusal(("assessments", _at(r, a), "notified"),
                                   f"result notified on {notified}, before the assessment on {date}")
            elif previous is not None and date < previous:
                attempt_fault = Refusal(("assessments", _at(r, a), "date"),
                                   f"assessment on {date} comes after one on {previous}",
                                   "list assessments in date order")
            elif a.duration_includes_questioning and a.questioning_minutes is not None \
                    and a.duration_minutes is not None and a.questioning_minutes > a.duration_minutes:
                attempt_fault = Refusal(("assessments", _at(r, a), "questioning_minutes"),
                                   f"{a.questioning_minutes:g} minutes of questioning inside a duration of "
                                   f"{a.duration_minutes:g}",
                                   "duration_includes_questioning: true says duration_minutes counts the "
                                   "questioning; give the whole duration, or false if the questioning came after it")
        previous = date
        # A first attempt comes first; a resit or retake follows one at the same method that did not pass.
        # (Whether a criteria-graded attempt failed depends on the body: grading notes that.)
        before, kind = latest.get(method), a.kind
        latest[method] = a
        if out_of_turn is None and (
                (kind != "first") if before is None else (kind == "first" or before.grade not in _NOT_PASSED)):
            out_of_turn = _out_of_turn(r, _at(r, a))
    return _apprentice_dates(r) or attempt_fault or _journey_dates(r, schedule) or out_of_turn


def unknown_criterion(r: Any, known: frozenset[str]) -> Refusal | None:
    """The first criterion id an attempt lists that is not one of ``known`` (the standard's vocabulary) or that it
    lists again, or None: one set operation an attempt that passes. (On the checked path the schema's
    uniqueItems has refused an id listed twice already.)"""
    for i, a in enumerate(r.assessments):
        ids = a.criteria_met
        if ids is not None and len(known.intersection(ids)) != len(ids):
            return _criterion_refusal(r.standard, i, ids, known)
    return None


def _criterion_refusal(standard: str, i: int, ids: Any, known: frozenset[str]) -> Refusal:
    seen: set[str] = set()
    for j, criterion in enumerate(ids):
        if criterion not in known:
            return Refusal(("assessments", i, "criteria_met", j),
                           f"no body knows criterion {criterion!r} for {standard}",
                           did_you_mean(criterion, known) or f"`epa criteria --standard {standard}` lists the criteria")
        if criterion in seen:
            return Refusal(("assessments", i, "criteria_met", j), f"criterion {criterion!r} is listed twice",
                           "list each criterion met once")
        seen.add(criterion)
    raise ValueError(f"attempt {i} lists only known criteria, once each")  # the caller found it did not


def _at(r: Any, attempt: Any) -> int:
    """The index of an attempt in its record (by identity: two attempts may be equal)."""
    return next(i for i, a in enumerate(r.assessments) if a is attempt)


def _apprentice_dates(r: Any) -> Refusal | None:
    a, gateway = r.apprentice, r.gateway.date
    born, start = a.date_of_birth, a.start_date
    if start is None:
        return None
    if born is not None and start <= born:
        # (the date of birth is named: a birth year of two digits, 01/01/49, reads as 2049, and the start is the
        # date a provider's records hold right far more often)
        return Refusal(("apprentice", "date_of_birth"),
                       f"the date of birth {born} is not before the apprenticeship start {start}",
                       "check the date of birth: a two-digit year 00-49 is read as 2000-2049 (01/01/49 is 2049), "
                       "so write a birth year with four digits")
    if gateway < start:
        return Refusal(("gateway", "date"), f"gateway {gateway} is before the apprenticeship start {start}")
    return None


def _journey_dates(r: Any, schedule: dict[str, Any]) -> Refusal | None:
    """Dates that cannot come before gateway, or before the event they answer."""
    gateway, d = r.gateway.date, r.dates
    epa_start, planning_meeting = d.epa_start, d.planning_meeting
    if epa_start is not None and epa_start < gateway:
        return _before_gateway("epa_start", epa_start, gateway)
    if planning_meeting is not None and planning_meeting < gateway:
        return _before_gateway("planning_meeting", planning_meeting, gateway)
    resubmitted, rejected = d.proposal_resubmitted, d.proposal_rejected
    if resubmitted is not None:
        if rejected is None:
            return Refusal(("dates", "proposal_resubmitted"), "a resubmitted proposal with no date it was rejected",
                           "add dates.proposal_rejected")
        if resubmitted < rejected:
            return Refusal(("dates", "proposal_resubmitted"),
                           f"proposal resubmitted on {resubmitted}, before it was rejected ({rejected})")
    for method, day in schedule.items() if schedule else ():
        if day < gateway:
            return Refusal(("schedule", method), f"{method} scheduled on {day}, before gateway ({gateway})")
    return None


def _before_gateway(name: str, day: Any, gateway: Any) -> Refusal:
    return Refusal(("dates", name), f"{name.replace('_', ' ')} {day} is before gateway ({gateway})",
                   "the EPA period and its planning follow gateway")


_NOT_PASSED = (None, Grade.FAIL)  # an earlier attempt a resit or retake may follow


def _out_of_turn(r: Any, i: int) -> Refusal:
    """Why attempt ``i`` is out of turn: a second first attempt, or a resit or retake with no fail before it."""
    attempt = r.assessments[i]
    method, kind = attempt.method, attempt.kind
    earlier = [a for a in r.assessments[:i] if a.method == method]
    parts = ("assessments", i, "kind")
    if kind == "first":
        return Refusal(parts, f"a second first attempt at the {method} (the first was on {earlier[0].date})",
                       "mark a later attempt kind: resit or kind: retake")
    if not earlier:
        return Refusal(parts, f"a {kind} of the {method} on {attempt.date} with no earlier fail: the record has no "
                              f"earlier {method} attempt",
                       "a resit or retake follows a failed attempt at the same method; is this the first attempt "
                       "(kind: first)?")
    return Refusal(parts, f"a {kind} of the {method} on {attempt.date} with no earlier fail: the attempt on "
                          f"{earlier[-1].date} was graded {earlier[-1].grade}",
                   "resits and retakes are offered after a fail only, never to improve a pass")
