"""Explaining a record fast: each body's ruleset compiled once to explain records (issue 18), for ``Engine.explain``.

``epa.engine.explained.grade`` explains a record hook by hook and stays as the oracle (tests/test_explain_oracle.py
holds the two equal, field by field and as JSON). An ``Explainer`` gives the same ``BodyResult`` by assembling
remembered pieces: it is made once per body and version of its rules (held by that version's ``Plan``, whose
tables it fills, so that ``plans.remembering(False)`` turns it off too), and decides there, from which plugins
implement each hook, who answers each piece:

- a hook left to the core's defaults is answered by its rule family (``epa.rules``), asked directly (combine_grades,
  whose answer is remembered by the grades and seldom asked, through its hook), each piece remembered by exactly
  what it reads of the record: an attempt's criteria (the detail, naming its date, made each time), the grades
  combined, a history with no fail or resit, a deadline's anchor and event dates (its due date and words by the
  anchor alone too), a gateway check's evidence, a tolerance check's measures (its words naming the attempt's
  date written each time); a recorded grade's step and a resit's steps and deadlines are worked out per record;
- a body's own ``grade_component`` or ``combine_grades`` is asked once per distinct argument (pure by contract);
- a body's own collecting or journey hook (``gateway_requirements``, ``deadlines``, ``resit_policy``), or any hook a
  plugin wraps, is called per record with the whole hook chain, as ``grade`` calls it.

A record's inputs are read once for every body: the dates each deadline and gateway check counts from
(``deadlines.RecordDates``, shared by the bodies whose rulesets have the same method ids, the one thing of a
ruleset it reads), each deadline once however many gateway checks read it, and where each attempt stands in the
record. Every sentence comes from the one function that states it (the rule families, ``epa.engine.resits``, and
the notes and steps ``epa.engine.explained`` words); a remembered piece is the same object each time it is given
(a writer may remember what it writes for it by identity).
"""

from __future__ import annotations

from collections.abc import Sequence

from epa.engine import resits
from epa.engine.explained import (
    answered,
    apply_resit_policy,
    assessed_here,
    awaiting,
    cap_attempts,
    caps_attempts,
    combined,
    component_answer,
    graded_from_latest,
    hook_results,
    no_journey,
    no_method,
    not_counted,
    recorded,
    resit_decision,
)
from epa.engine.plans import Plan
from epa.model.domain import Attempt, Grade, Method, Record
from epa.model.results import (
    BodyResult,
    ComponentDetail,
    ComponentResult,
    Deadline,
    GradedAttempt,
    Note,
    Overall,
    Reason,
    Requirement,
    ResitDecision,
)
from epa.registry import LoadedBody
from epa.rules import deadlines as deadline_family
from epa.rules import gateway as gateway_family
from epa.rules import grading, tolerances
from epa.rules import history as attempt_history
from epa.rules.citations import documents

_NONE = object()  # a table's answer not yet remembered (where None is an answer)
NO_ATTEMPT = ComponentDetail(None, "no attempt")


def places(assessments: Sequence[Attempt]) -> dict[int, int]:
    """Where each attempt (by id()) stands in the record, as ``grade`` orders a history: at the first attempt equal
    to it (two attempts can be equal only at the same method and date, so only then is it looked for)."""
    found = {id(a): i for i, a in enumerate(assessments)}
    if len({(a.method, a.date) for a in assessments}) < len(assessments):
        found = {id(a): assessments.index(a) for a in assessments}
    return found


class Explainer:
    """One body's ruleset, compiled to explain records (see the module's docstring)."""

    def __init__(self, loaded: LoadedBody, plan: Plan):
        ruleset = self.ruleset = plan.ruleset
        self.loaded, self.plan = loaded, plan
        self.body, self.name = loaded.body.id, loaded.body.name
        self.methods: tuple[Method, ...] = tuple(ruleset.methods)
        self.method_ids = frozenset(ruleset.method_ids)
        self.in_order = ruleset.method_ids
        own = loaded.own_hooks
        self.own_resits = "resit_policy" in own
        self.journey = ruleset.journey
        self.caps_attempts = caps_attempts(loaded, ruleset)
        # None: the body's own hook answers (called per record); else the default's rules, asked directly.
        self.deadlines = deadline_family.Deadlines(ruleset) if plan.default_deadlines else None
        self.requirements = gateway_family.Requirements(ruleset) if plan.default_gateway else None
        # The default grade_component's rule for each method, read once (None: the body's own hook answers).
        self.thresholds = None if "grade_component" in own else {
            m.id: grading.Thresholds.of(ruleset, m.id) for m in ruleset.methods}
        self.checks = tolerances.Checks(ruleset)
        doc = ruleset.document
        # Shared by every result, as ``documents`` is (never changed once made).
        self.document = {"file": doc.file, "title": doc.title, "version": doc.version}
        self.documents = documents(loaded.body.name, doc.file, doc.title, doc.text_version)
        self.no_method = no_method(self.body)

    def _component(self, mid: str, attempt: Attempt) -> tuple[ComponentResult, tuple[Reason, ...],
                                                                tuple[Note, ...]]:
        """``component_answer``: the default's rule asked directly where the defaults alone implement
        grade_component (remembered in the same table, by the same key)."""
        thresholds = self.thresholds
        if thresholds is None:
            return component_answer(self.loaded, self.plan, mid, attempt)
        table = self.plan.components
        key = (mid, attempt.criteria_met)
        found = table.get(key)
        if found is None:
            met, set_aside = assessed_here(self.ruleset, self.body, attempt)
            result = grading.explain(self.ruleset, mid, met, thresholds[mid])
            found = table.put(key, answered(self.ruleset, result, attempt, set_aside, thresholds[mid]))
        return found  # type: ignore[no-any-return]

    def _attempt(self, method: Method, attempt: Attempt) -> tuple[ComponentDetail, tuple[Reason, ...],
                                                                   tuple[Note, ...]]:
        """An attempt's detail, steps and the notes on criteria set aside: the hook's answer remembered by the
        criteria listed (the detail names the attempt's date, which seldom repeats: made each time)."""
        if attempt.grade is not None:
            detail, reason = recorded(method, attempt)
            return detail, (reason,), ()
        result, reasons, set_aside = self._component(method.id, attempt)
        return ComponentDetail(result.grade, "criteria", attempt.date, result.pass_missing, result.distinction_met,
                               result.distinction_missing), reasons, set_aside

    def explain(self, record: Record, steps: list[Reason], notes: list[Note], placed: dict[int, int],
                listed: set[str], read: dict[tuple[str, ...], deadline_family.RecordDates]) -> BodyResult:
        """The body's result for the record, as ``grade`` gives it. ``steps`` and ``notes``: those of the version
        chosen (``ruleset_for``'s, a fresh list each); ``placed``: ``places`` of the record's attempts;
        ``listed``: the methods the record's attempts name; ``read``: the record's dates as read for rulesets of
        each set of method ids (``RecordDates``, which reads of a ruleset its method ids alone), shared by every
        body explaining the record."""
        loaded, plan, ruleset = self.loaded, self.plan, self.ruleset
        components, details, overall, decision, resit_steps, resit_notes = self._graded(
            record, steps, notes, placed, listed)
        dates = read.get(self.in_order)  # read once, for the deadlines and gateway checks of every body
        if dates is None:
            dates = read[self.in_order] = deadline_family.RecordDates(record, self.in_order)
        found_deadlines: list[Deadline] = self.deadlines(dates, plan.deadlines) if self.deadlines is not None \
            else hook_results(loaded, "deadlines", Deadline, ruleset=ruleset, record=record)
        if decision and decision.deadlines:
            found_deadlines += decision.deadlines
        requirements: list[Requirement] = self.requirements(
            record, plan.requirements, plan.deadlines, dates) if self.requirements is not None else hook_results(
            loaded, "gateway_requirements", Requirement, ruleset=ruleset, record=record)
        gateway = gateway_family.gateway_status(requirements)
        if self.journey is None:
            notes.append(no_journey(self.body, record.standard))
        return BodyResult(self.body, self.name, record.standard, self.document, self.documents, overall, components,
                          details, tuple(steps + resit_steps) if resit_steps else tuple(steps),
                          tuple(notes + resit_notes) if resit_notes else tuple(notes), gateway,
                          capped=bool(decision and decision.capped),
                          full_retake_required=bool(decision and decision.full_retake_required),
                          deadlines=deadline_family.in_order(found_deadlines),
                          checks=tuple(self.checks(record, plan.checks)))

    def _graded(self, record: Record, steps: list[Reason], notes: list[Note], placed: dict[int, int],
                listed: set[str]) -> tuple[dict[str, Grade | None], dict[str, ComponentDetail], Grade | None,
                                           ResitDecision | None, list[Reason], list[Note]]:
        """Each method's grade and detail, the overall grade after the resit policy, its decision, steps and notes
        (``steps`` and ``notes`` extended with the methods' and the combination's): ``explain``'s and
        ``overall``'s common part."""
        loaded, plan, ruleset = self.loaded, self.plan, self.ruleset
        details: dict[str, ComponentDetail] = {}
        components: dict[str, Grade | None] = {}
        history: list[tuple[Attempt, Grade]] = []
        missing = []
        for method in self.methods:
            mid = method.id
            attempts = record.attempts_at(mid)
            if len(attempts) == 1:  # the common case: one attempt, counted
                attempt = attempts[0]
                detail, reasons, set_aside = self._attempt(method, attempt)
                details[mid] = detail
                components[mid] = grade = detail.grade
                history.append((attempt, grade))  # type: ignore[arg-type]  # (graded: not None)
                steps += reasons
                notes += set_aside
                continue
            counted: list[tuple[Attempt, Grade, ComponentDetail, tuple[Reason, ...], tuple[Note, ...]]] = []
            for attempt in attempts:
                detail, reasons, set_aside = self._attempt(method, attempt)
                if not attempt_history.counts(counted[-1][1] if counted else None):
                    notes.append(not_counted(ruleset, mid, attempt))
                    continue
                counted.append((attempt, detail.grade, detail, reasons, set_aside))  # type: ignore[arg-type]
            if not counted:
                details[mid] = NO_ATTEMPT
                components[mid] = None
                missing.append(mid)
                continue
            latest = counted[-1]
            if len(counted) > 1:
                notes.append(graded_from_latest(mid, latest[0], [(a, g) for a, g, *_ in counted[:-1]]))
            details[mid] = latest[2]
            components[mid] = latest[1]
            steps += latest[3]
            notes += latest[4]
            history += [(a, g) for a, g, *_ in counted]
        if not listed <= self.method_ids:
            notes.append(self.no_method)
        if len(history) > 1:
            history.sort(key=lambda counted: placed[id(counted[0])])
        # The body's own hook first: where it answers nothing, the default decides as for a body without it,
        # capping the attempts where the document caps a method's grade.
        asked = resit_decision(loaded, ruleset, record, [GradedAttempt(a, g) for a, g in history]) \
            if self.own_resits else None
        caps = self.caps_attempts if asked is None else caps_attempts(loaded, ruleset, asked[1])
        if caps and not resits.plain(history):
            cap_attempts(loaded, ruleset, history, details, steps, None if asked is None else asked[1])
            components.update((m, details[m].grade) for m in components)

        overall: Grade | None = None
        if missing:
            steps.append(awaiting(ruleset, missing))
        else:
            overall, combined_steps = combined(loaded, plan, components)  # type: ignore[arg-type]  # none is None
            steps += combined_steps
        # The body's own hook is called with the whole chain every time; the default procedure, where the history
        # holds a fail or a resit (its steps and deadlines then name their dates, seldom repeated), too.
        if self.own_resits or not resits.plain(history):
            overall, decision, resit_steps, resit_notes = apply_resit_policy(
                loaded, ruleset, record, [GradedAttempt(a, g) for a, g in history], overall, asked)
        else:  # nothing for the default procedure to decide but that: remembered by the grade before it
            found = plan.resits.get(overall, _NONE)
            if found is _NONE:
                found = plan.resits.put(overall, apply_resit_policy(
                    loaded, ruleset, record, [GradedAttempt(a, g) for a, g in history], overall))
            overall, decision, resit_steps, resit_notes = found
        return components, details, overall, decision, resit_steps, resit_notes

    def overall(self, record: Record, steps: list[Reason], notes: list[Note], placed: dict[int, int],
                listed: set[str]) -> Overall:
        """The part of ``explain`` that decides the grades, as ``grade_overall`` gives it (arguments as
        ``explain``'s): each method's grade, combined, then the resit policy; no journey."""
        _, details, overall, decision, resit_steps, resit_notes = self._graded(record, steps, notes, placed, listed)
        return Overall(self.ruleset, details, overall, decision, steps, list(resit_steps), notes, list(resit_notes))
