"""Grading one record by one body: pick the rules in force, grade each method, combine.

The hooks decide grades; this module decides what evidence reaches them and
notes, rather than drops, anything a body does not use.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from attrs import frozen

from epa.errors import PluginError
from epa.model import Attempt, ComponentResult, Grade, Method, Outcome, Record, Ruleset
from epa.registry import LoadedBody

T = TypeVar("T")


@frozen
class Note:
    """Something the reader should know that is not a rule applied: evidence set aside, a gap in the rules."""

    says: str
    citation: str | None = None


@frozen
class Reason:
    """A step of the explanation, tagged with what it decided: a method id, "overall" or "version"."""

    about: str
    says: str
    citation: str


@frozen
class ComponentDetail:
    grade: Grade | None
    source: str  # "criteria" | "recorded grade" | "no attempt"
    attempt_date: dt.date | None = None
    pass_missing: tuple[str, ...] = ()
    distinction_met: tuple[str, ...] = ()
    distinction_missing: tuple[str, ...] = ()


@frozen
class BodyResult:
    body: str
    body_name: str
    standard: str
    document: dict[str, str]
    overall: Grade | None
    components: dict[str, Grade | None]
    component_details: dict[str, ComponentDetail]
    explanation: tuple[Reason, ...]
    notes: tuple[Note, ...]


def ruleset_for(loaded: LoadedBody, record: Record) -> tuple[Ruleset, list[Reason], list[Note]]:
    """The version of the body's rules that grades this record: the one named in the record,
    else the latest in force on the gateway date."""
    body = loaded.body
    versions = body.rulesets_for(record.standard)
    named = record.document_versions.get(body.id)
    if named is not None:
        chosen = loaded.ruleset(record.standard, named)  # load_record has checked the name
        return chosen, [], [Note(f"graded under version {named}, as the record names it")]
    in_force = [r for r in versions if (r.document.effective_from or dt.date.min) <= record.gateway.date]
    if not in_force:
        first = versions[0]
        return first, [], [Note(f"gateway {record.gateway.date} is before the earliest version's effective date "
                                f"({first.document.effective_from}); graded under version {first.document.version}",
                                first.document.effective_from_citation)]
    chosen = in_force[-1]
    steps = []
    if len(versions) > 1:
        spans = ", ".join(f"{r.document.version} from {r.document.effective_from or 'the start'}" for r in versions)
        steps.append(Reason("version", f"version {chosen.document.version} is in force on the gateway date "
                            f"{record.gateway.date} ({spans})",
                            chosen.document.effective_from_citation or chosen.combination.citation))
    return chosen, steps, []


def _assessed_here(ruleset: Ruleset, body_id: str, attempt: Attempt) -> tuple[frozenset[str], list[Note]]:
    """Split the criteria an attempt claims into those this body assesses in this method, and notes."""
    used, notes = set(), []
    for cid in attempt.criteria_met or ():
        criterion = ruleset.criterion(cid)
        if criterion is None:
            notes.append(Note(f"{cid} ({attempt.method}): not a criterion in {body_id}'s document; not counted"))
        elif criterion.method != attempt.method:
            notes.append(Note(f"{cid} ({attempt.method}): {body_id} assesses it in {criterion.method}, "
                              f"not {attempt.method}; not counted here", criterion.citation))
        else:
            used.add(cid)
    return frozenset(used), notes


def _call(loaded: LoadedBody, hook: str, expected: type[T], **kwargs: Any) -> T:
    """Call a firstresult hook and hold the plugin to the contract: an instance of ``expected`` with a Grade."""
    result = loaded.call(hook, **kwargs)
    if not isinstance(result, expected) or not isinstance(getattr(result, "grade", None), Grade):
        raise PluginError(loaded.plugin, hook, f"returned {result!r}, expected epa.{expected.__name__}")
    return result


def _grade_method(loaded: LoadedBody, ruleset: Ruleset, method: Method, record: Record
                  ) -> tuple[ComponentDetail, list[Reason], list[Note]]:
    """Grade one method from its latest attempt."""
    attempts = [a for a in record.assessments if a.method == method.id]
    if not attempts:
        return ComponentDetail(None, "no attempt"), [], []
    attempt = attempts[-1]
    notes = []
    if len(attempts) > 1:
        notes.append(Note(f"{method.id}: graded from the latest attempt ({attempt.kind}, {attempt.date}); "
                          f"{len(attempts) - 1} earlier attempt(s) superseded"))
    if attempt.grade is not None:
        says = f"{method.id}: grade {attempt.grade} as recorded ({attempt.kind}, {attempt.date})"
        return ComponentDetail(attempt.grade, "recorded grade", attempt.date), [
            Reason(method.id, says, method.citation)], notes
    met, set_aside = _assessed_here(ruleset, loaded.body.id, attempt)
    result = _call(loaded, "grade_component", ComponentResult, ruleset=ruleset, method=method.id, criteria_met=met)
    detail = ComponentDetail(result.grade, "criteria", attempt.date, result.pass_missing,
                             result.distinction_met, result.distinction_missing)
    return detail, [Reason(method.id, s.says, s.citation) for s in result.steps], notes + set_aside


def grade(loaded: LoadedBody, record: Record) -> BodyResult:
    ruleset, steps, notes = ruleset_for(loaded, record)
    details: dict[str, ComponentDetail] = {}
    for method in ruleset.methods:
        details[method.id], method_steps, method_notes = _grade_method(loaded, ruleset, method, record)
        steps += method_steps
        notes += method_notes
    if any(a.method not in ruleset.method_ids for a in record.assessments):
        notes.append(Note(f"{loaded.body.id} has no method for some attempts in the record; not counted"))

    components = {m: d.grade for m, d in details.items()}
    missing = [m for m, g in components.items() if g is None]
    overall: Grade | None = None
    if missing:
        steps.append(Reason("overall", f"no overall grade yet: awaiting {', '.join(missing)}",
                            ruleset.combination.citation))
    else:
        outcome = _call(loaded, "combine_grades", Outcome, ruleset=ruleset, components=dict(components))
        overall = outcome.grade
        steps += [Reason("overall", s.says, s.citation) for s in outcome.steps]
    if any(a.kind != "first" for a in record.assessments):
        notes.append(Note("the record has resits or retakes: this body's resit policy (grade cap, windows) "
                          "is not encoded yet, so no cap is applied"))
    doc = ruleset.document
    return BodyResult(loaded.body.id, loaded.body.name, record.standard,
                      {"file": doc.file, "title": doc.title, "version": doc.version},
                      overall, components, details, tuple(steps), tuple(notes))
