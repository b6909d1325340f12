"""Grading one record by one body: pick the rules in force, grade each attempt, combine, then apply
the body's resit policy and add its gateway requirements, deadlines and tolerance checks.

The hooks decide grades; this module decides what evidence reaches them and
notes, rather than drops, anything a body does not use.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

import attrs

from epa import defaults
from epa.contracts import describe
from epa.engine import resits
from epa.engine.plans import Plan, plan_for
from epa.errors import PluginError
from epa.model.domain import Attempt, Grade, Method, Record, Ruleset
from epa.model.results import (
    BodyResult,
    ComponentDetail,
    ComponentResult,
    Deadline,
    GradedAttempt,
    Note,
    Outcome,
    Overall,
    Reason,
    Requirement,
    ResitDecision,
)
from epa.registry import LoadedBody
from epa.rules import deadlines as deadline_family
from epa.rules import gateway as gateway_family
from epa.rules import grading
from epa.rules import history as attempt_history
from epa.rules.citations import documents
from epa.rules.tolerances import tolerance_checks

T = TypeVar("T")


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


def assessed_here(ruleset: Ruleset, body_id: str, attempt: Attempt) -> tuple[frozenset[str], list[Note]]:
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


def graded_call(loaded: LoadedBody, hook: str, expected: type[T], **kwargs: Any) -> T:
    """Call a firstresult hook whose answer must have a grade. ``LoadedBody.call`` has checked a plugin's answer
    against the hook's spec, field by field (``epa.contracts``); the spec allows an Outcome without a grade, which
    the core cannot use, and these isinstance checks are what a default's answer costs."""
    result = loaded.call(hook, **kwargs)
    if not isinstance(result, expected):
        raise PluginError(loaded.plugin, hook, f"returned {describe(result)}, expected epa.{expected.__name__}")
    if not isinstance(getattr(result, "grade", None), Grade):
        raise PluginError(loaded.plugin, hook, f"returned an epa.{expected.__name__} whose grade is "
                          f"{describe(getattr(result, 'grade', None))}, expected epa.Grade")
    return result


def hook_results(loaded: LoadedBody, hook: str, expected: type[T], **kwargs: Any) -> list[T]:
    """Call a collecting hook: every implementation's list of ``expected``, concatenated (``LoadedBody.call`` has
    checked a plugin's, field by field)."""
    found: list[T] = []
    for part in loaded.call(hook, **kwargs):
        if not isinstance(part, list) or not all(isinstance(item, expected) for item in part):
            raise PluginError(loaded.plugin, hook, f"returned {describe(part)}, expected a list of "
                              f"epa.{expected.__name__}")
        found += part
    return found


def _grade_attempt(loaded: LoadedBody, plan: Plan, method: Method, attempt: Attempt
                   ) -> tuple[ComponentDetail, list[Reason], list[Note]]:
    if attempt.grade is not None:
        detail, reason = recorded(method, attempt)
        return detail, [reason], []
    result, reasons, set_aside = component_answer(loaded, plan, method.id, attempt)
    detail = ComponentDetail(result.grade, "criteria", attempt.date, result.pass_missing,
                             result.distinction_met, result.distinction_missing)
    return detail, list(reasons), list(set_aside)


def recorded(method: Method, attempt: Attempt) -> tuple[ComponentDetail, Reason]:
    """An attempt whose grade is recorded: its detail, and the step saying so."""
    says = f"{method.id}: grade {attempt.grade} as recorded ({attempt.kind}, {attempt.date})"
    return ComponentDetail(attempt.grade, "recorded grade", attempt.date), Reason(method.id, says, method.citation)


def not_counted(ruleset: Ruleset, method: str, attempt: Attempt) -> Note:
    """The note on a resit or retake after an attempt this body passes, which is not counted."""
    journey = ruleset.journey
    rule = journey.resit.no_resit_from_pass if journey and journey.resit else None
    return Note(f"{method} {attempt.kind} on {attempt.date} not counted: the attempt before it passes under this "
                f"body's criteria, and resits and retakes follow a fail only" + (f" (“{rule.text}”)" if rule else ""),
                rule.citation if rule else None)


def graded_from_latest(method: str, latest: GradedAttempt | Attempt, earlier: list[tuple[Attempt, Grade]]) -> Note:
    """The note on a method graded from its latest counted attempt, naming the earlier ones."""
    attempt = latest.attempt if isinstance(latest, GradedAttempt) else latest
    shown = ", ".join(f"{a.kind} on {a.date}: {g}" for a, g in earlier)
    return Note(f"{method}: graded from the latest attempt ({attempt.kind}, {attempt.date}); earlier: {shown}")


def awaiting(ruleset: Ruleset, missing: list[str]) -> Reason:
    """The step saying no overall grade is given yet, for want of these methods' grades."""
    return Reason("overall", f"no overall grade yet: awaiting {', '.join(missing)}", ruleset.combination.citation)


def no_method(body: str) -> Note:
    return Note(f"{body} has no method for some attempts in the record; not counted")


def no_journey(body: str, standard: str) -> Note:
    return Note(f"{body} encodes no gateway, deadline or resit rules for {standard}")


def component_answer(loaded: LoadedBody, plan: Plan, method: str, attempt: Attempt
                     ) -> tuple[ComponentResult, tuple[Reason, ...], tuple[Note, ...]]:
    """The grade_component hook's answer for the criteria an attempt lists, its steps as reasons, and the notes
    on the criteria set aside before asking it (ids this body does not assess at the method), remembered."""
    # The criteria listed decide the criteria set aside and, by the hook's contract, its answer (see epa.engine.plans).
    key = (method, attempt.criteria_met)
    found = plan.components.get(key)
    if found is None:
        met, set_aside = assessed_here(plan.ruleset, loaded.body.id, attempt)
        result = graded_call(loaded, "grade_component", ComponentResult, ruleset=plan.ruleset, method=method,
                             criteria_met=met)
        found = plan.components.put(key, answered(plan.ruleset, result, attempt, set_aside))
    return found  # type: ignore[no-any-return]


def answered(ruleset: Ruleset, result: ComponentResult, attempt: Attempt, set_aside: list[Note],
             rule: grading.Thresholds | None = None) -> tuple[ComponentResult, tuple[Reason, ...], tuple[Note, ...]]:
    """A method's answer as remembered: its steps as reasons, then those saying where its grade turns on criteria a
    reading's other reading needs there and this body does not assess there, which only the criteria the attempt
    lists (not the hook's, set aside) show (``grading.unheld``); and the notes on those set aside."""
    rule = rule if rule is not None else grading.Thresholds.of(ruleset, result.method)
    steps = (*result.steps, *grading.unheld(ruleset, rule, result.grade, frozenset(attempt.criteria_met or ())))
    return result, tuple(Reason(result.method, s.says, s.citation) for s in steps), tuple(set_aside)


def _grade_method(loaded: LoadedBody, plan: Plan, method: Method, record: Record
                  ) -> tuple[ComponentDetail, list[GradedAttempt], list[Reason], list[Note]]:
    """Grade every attempt at one method; the method's grade is its latest counted attempt's.

    A resit or retake after an attempt this body passes is not counted: every
    document offers resits only after a fail, never to improve a pass.
    """
    counted: list[tuple[GradedAttempt, ComponentDetail, list[Reason], list[Note]]] = []
    notes: list[Note] = []
    for attempt in record.attempts_at(method.id):
        detail, reasons, attempt_notes = _grade_attempt(loaded, plan, method, attempt)
        if not attempt_history.counts(counted[-1][0].grade if counted else None):
            notes.append(not_counted(plan.ruleset, method.id, attempt))
            continue
        assert detail.grade is not None
        counted.append((GradedAttempt(attempt, detail.grade), detail, reasons, attempt_notes))
    if not counted:
        return ComponentDetail(None, "no attempt"), [], [], notes
    *earlier, (latest, detail, reasons, latest_notes) = counted
    if earlier:
        notes.append(graded_from_latest(method.id, latest, [(g.attempt, g.grade) for g, *_ in earlier]))
    return detail, [g for g, *_ in counted], reasons, notes + latest_notes


def _own_rule(loaded: LoadedBody, ruleset: Ruleset, components: dict[str, Grade], outcome: Outcome) -> list[Reason]:
    """Where the body's own combine_grades hook decided the overall grade (not the default, which a hook may leave
    a standard to), the explanation says so first: the body's own rule, the hook, and its rule in words, cited."""
    if "combine_grades" not in loaded.own_hooks or outcome == defaults.combine_grades(ruleset, components):
        return []
    words = ruleset.combination.rule_in_words
    shown = ", ".join(f"{m}={components[m]}" for m in ruleset.method_ids)
    return [Reason("overall", f"{shown}: {loaded.body.name}'s own rule decides, by its combine_grades hook: "
                   f"{outcome.grade} (its rule in words: “{words.text}”)", words.citation)]


def cap_attempts(loaded: LoadedBody, ruleset: Ruleset, history: list[tuple[Attempt, Grade]],
                 details: dict[str, ComponentDetail], steps: list[Reason], own: bool | None = None) -> None:
    """Where the document caps the resit's own grade (``Cap.caps`` method) and the default resit policy applies
    (a body's own resit_policy decides its cap itself; ``own``: as ``caps_attempts``), each method whose last
    counted attempt the cap lowers is given the capped grade (``details``), with its step, before the combination
    decides from it; ``history``: the attempts counted, in record order."""
    resit = ruleset.journey.resit if ruleset.journey else None
    if resit is None or not caps_attempts(loaded, ruleset, own):
        return
    for i in attempt_history.capped_attempts(resit.cap, history):
        attempt = history[i][0]
        details[attempt.method] = attrs.evolve(details[attempt.method], grade=attempt_history.CAPPED[1])
        steps.append(Reason(attempt.method, attempt_history.explain_capped_attempt(attempt), resit.cap.citation))


def caps_attempts(loaded: LoadedBody, ruleset: Ruleset, own: bool | None = None) -> bool:
    """Whether ``cap_attempts`` applies the cap (then the overall grade is not capped again): where the default
    resit policy decides. ``own``: whether the body's own resit_policy decided this record (``resit_decision``);
    None: whether the body implements one."""
    resit = ruleset.journey.resit if ruleset.journey else None
    own = "resit_policy" in loaded.own_hooks if own is None else own
    return bool(resit and resit.cap.caps == "method" and not own)


Asked = tuple[ResitDecision | None, bool]  # a resit decision, and whether the body's own resit_policy gave it


def resit_decision(loaded: LoadedBody, ruleset: Ruleset, record: Record, history: list[GradedAttempt],
                   own_said_none: bool = False) -> Asked:
    """The resit decision for a record's history, and whether the body's own resit_policy gave it. Its own answering
    None is no answer (as pluggy reads a first-result hook's None, and ``hookspecs.resit_policy`` says): the
    default decides, exactly as for a body without the hook (a cap on a method's own grade lowers that method's
    grade before the combination, never the overall grade after it), not as the body's own rule.
    ``own_said_none``: the caller has asked the body's own hook of this record, and it answered None: it is not
    asked again."""
    if "resit_policy" in loaded.own_hooks and not own_said_none:
        decision = loaded.ask_own("resit_policy", ruleset=ruleset, record=record, history=tuple(history))
        if decision is not None:
            return decision, True
    return resits.decide(ruleset, tuple(history)), False


def apply_resit_policy(loaded: LoadedBody, ruleset: Ruleset, record: Record, history: list[GradedAttempt],
                       overall: Grade | None, asked: Asked | None = None
                       ) -> tuple[Grade | None, ResitDecision | None, list[Reason], list[Note]]:
    """The overall grade after the resit decision (``asked``, where the caller asked it before capping the
    attempts: ``resit_decision``), the decision, its steps and notes."""
    # Left to the defaults, their procedure is asked directly (the hook chain holds it alone: see epa.engine.plans).
    decision, own = asked if asked is not None else resit_decision(loaded, ruleset, record, history)
    if decision is None:
        if any(g.attempt.kind != "first" for g in history):
            return overall, None, [], [Note("the record has resits or retakes, but this body encodes no resit "
                                            "policy: no cap or window applied")]
        return overall, None, [], []
    if not isinstance(decision, ResitDecision) or (
            (decision.capped or decision.full_retake_required) and not decision.steps):
        raise PluginError(loaded.plugin, "resit_policy", f"returned {describe(decision)}, expected epa.ResitDecision "
                          "whose steps cite the rule behind any cap or full retake")
    steps = [Reason("resit", s.says, s.citation) for s in decision.steps]
    if decision.full_retake_required:
        return None, decision, steps + [Reason("overall", "no overall grade: a window was missed, so the whole EPA "
                                               "must be taken again", decision.steps[-1].citation)], []
    caps_overall = decision.capped and not caps_attempts(loaded, ruleset, own)
    lowered = attempt_history.explain_capped_overall(overall) if caps_overall else None
    if lowered is not None:
        return attempt_history.capped_overall(overall), decision, steps + [
            Reason("overall", lowered, decision.steps[0].citation)], []
    if caps_overall and overall is not None and not own:
        # The cap's step (the default policy's first) says it changes nothing, as that on the resit's own grade does:
        # "overall grade capped at pass" beside an overall pass read as a grade lowered.
        cap = steps[0]
        steps[0] = attrs.evolve(cap, says=cap.says + attempt_history.overall_unchanged(overall))
    return overall, decision, steps, []


def combined(loaded: LoadedBody, plan: Plan, components: dict[str, Grade]) -> tuple[Grade | None, tuple[Reason, ...]]:
    """The combine_grades hook's answer for one grade per method (in method order), with its steps as reasons,
    remembered: the grades decide the hook's answer, by its contract (see epa.engine.plans)."""
    key = tuple(components.values())
    found = plan.combinations.get(key)
    if found is None:
        ruleset = plan.ruleset
        outcome = graded_call(loaded, "combine_grades", Outcome, ruleset=ruleset, components=dict(components))
        found = plan.combinations.put(key, (outcome.grade, tuple(
            _own_rule(loaded, ruleset, components, outcome)
            + [Reason("overall", s.says, s.citation) for s in outcome.steps])))
    return found  # type: ignore[no-any-return]


def grade_overall(loaded: LoadedBody, record: Record, own_said_none: bool = False) -> Overall:
    """The part of ``grade`` that decides the grades (each method's, combined, then the resit policy), without
    the gateway requirements, deadlines and tolerance checks: for `epa audit`, which asks it of recorded grades.
    ``own_said_none``: the body's own resit_policy has answered None for this record (``resit_decision``)."""
    ruleset, steps, notes = ruleset_for(loaded, record)
    plan = plan_for(loaded, ruleset)
    details: dict[str, ComponentDetail] = {}
    history: list[GradedAttempt] = []
    for method in ruleset.methods:
        details[method.id], graded, method_steps, method_notes = _grade_method(loaded, plan, method, record)
        history += graded
        steps += method_steps
        notes += method_notes
    if any(a.method not in ruleset.method_ids for a in record.assessments):
        notes.append(no_method(loaded.body.id))
    history.sort(key=lambda g: record.assessments.index(g.attempt))
    # first: whether the default caps the attempts
    asked = resit_decision(loaded, ruleset, record, history, own_said_none)
    if caps_attempts(loaded, ruleset, asked[1]):
        cap_attempts(loaded, ruleset, [(g.attempt, g.grade) for g in history], details, steps, asked[1])

    components = {m: d.grade for m, d in details.items()}
    missing = [m for m, g in components.items() if g is None]
    overall: Grade | None = None
    if missing:
        steps.append(awaiting(ruleset, missing))
    else:
        overall, combined_steps = combined(loaded, plan, components)  # type: ignore[arg-type]  # none is None here
        steps += combined_steps
    overall, decision, resit_steps, resit_notes = apply_resit_policy(loaded, ruleset, record, history, overall, asked)
    return Overall(ruleset, details, overall, decision, steps, resit_steps, notes, resit_notes)


def grade(loaded: LoadedBody, record: Record) -> BodyResult:
    graded = grade_overall(loaded, record)
    ruleset, decision, notes = graded.ruleset, graded.decision, graded.notes
    plan = plan_for(loaded, ruleset)
    # Where the defaults alone implement a journey hook, their procedure is asked directly, its pieces remembered;
    # a body's own hook is called, with the whole chain, every time (see epa.engine.plans).
    dates = deadline_family.RecordDates(record, ruleset.method_ids)  # read once, for the deadlines and gateway checks
    found = deadline_family.deadlines(ruleset, record, plan.deadlines, dates) if plan.default_deadlines else \
        hook_results(loaded, "deadlines", Deadline, ruleset=ruleset, record=record)
    found += decision.deadlines if decision else ()
    requirements = gateway_family.requirements(ruleset, record, plan.requirements, plan.deadlines, dates) \
        if plan.default_gateway else hook_results(loaded, "gateway_requirements", Requirement, ruleset=ruleset,
                                              record=record)
    if ruleset.journey is None:
        notes.append(no_journey(loaded.body.id, record.standard))
    doc = ruleset.document
    return BodyResult(loaded.body.id, loaded.body.name, record.standard,
                      {"file": doc.file, "title": doc.title, "version": doc.version},
                      documents(loaded.body.name, doc.file, doc.title, doc.text_version),
                      graded.overall, {m: d.grade for m, d in graded.details.items()}, graded.details,
                      tuple(graded.steps + graded.resit_steps), tuple(notes + graded.resit_notes),
                      gateway_family.gateway_status(requirements),
                      capped=bool(decision and decision.capped),
                      full_retake_required=bool(decision and decision.full_retake_required),
                      deadlines=deadline_family.in_order(found),
                      checks=tuple(tolerance_checks(ruleset, record)))
