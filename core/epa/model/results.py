"""What grading answers, in one place: the results a hook returns (the plugin API: ``epa.Outcome``, ``epa.Step``,
``epa.Requirement``, ``epa.Deadline``...), and what the explained path (``BodyResult``) and the compiled engine
(``Decision``) give for one body and one record.

Small frozen attrs classes (and one named tuple, made once per body and record on the cohort path), no logic
beyond a property or a constructor; the rules and the record they refer to are in ``epa.model.domain``.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import attrs

from epa.model.domain import Attempt, Grade, Ruleset
from epa.model.frozen import frozen


@frozen
class Step:
    """One step of an explanation: what was decided, and the rule (citation) that decided it."""

    says: str
    citation: str


@frozen
class ComponentResult:
    method: str
    grade: Grade
    steps: tuple[Step, ...]
    pass_missing: tuple[str, ...] = ()
    distinction_met: tuple[str, ...] = ()
    distinction_missing: tuple[str, ...] = ()


@frozen
class Outcome:
    grade: Grade | None
    steps: tuple[Step, ...]


@frozen
class Requirement:
    """One gateway requirement evaluated against a record.

    status: met | unmet | unknown (the record holds no evidence) | deferred (the document defers
    to someone else; shown as unknown) | not_applicable (e.g. an age band the apprentice is not in).
    strength: mandatory | recommended | optional (default: from ``mandatory``, false read as recommended).
    stage: gateway | before_assessment (checked before an assessment starts, not at gateway).
    """

    id: str
    name: str
    mandatory: bool
    status: str
    says: str
    citation: str
    strength: str = attrs.field(
        default=attrs.Factory(lambda self: "mandatory" if self.mandatory else "recommended", takes_self=True))
    stage: str = "gateway"


@frozen
class Deadline:
    """A date the document implies for this record, and whether the record shows it kept.

    status: met | missed | open (the record does not yet show the event) | unknown (the record lacks
    a date the verdict needs: the one it counts from, or a rework's submission where the attempt after it came
    later: see ``needs``). strength: the rule's, ``required`` or ``advice``; an advice
    deadline ``missed`` is a fact reported, never a failure.
    """

    id: str
    name: str
    date: dt.date | None
    kind: str  # by | not_before
    status: str
    says: str
    citation: str
    needs: str | None = None
    strength: str = "required"  # required | advice


@frozen
class GradedAttempt:
    """An attempt and the grade this body gives it."""

    attempt: Attempt
    grade: Grade


@frozen
class ResitDecision:
    """What a body's resit policy makes of the record's attempt history."""

    capped: bool
    full_retake_required: bool
    steps: tuple[Step, ...] = ()
    deadlines: tuple[Deadline, ...] = ()


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
    document: dict[str, str | None]  # file, title, version (None where the document gives none)
    documents: dict[str, dict[str, str | None]]  # the file each citation names -> its title, version and label
    overall: Grade | None
    components: dict[str, Grade | None]
    component_details: dict[str, ComponentDetail]
    explanation: tuple[Reason, ...]
    notes: tuple[Note, ...]
    gateway: GatewayStatus
    capped: bool
    full_retake_required: bool
    deadlines: tuple[Deadline, ...]
    checks: tuple[ToleranceCheck, ...]

    @property
    def gateway_ready(self) -> bool:  # as the engine's Decision names it
        return self.gateway.ready


@frozen
class Overall:
    """A record's grades by one body, before its journey: the rules in force, each method's grade, the overall
    grade after the resit policy, and the steps and notes of each (those of the resit policy apart, as the
    explanation orders them)."""

    ruleset: Ruleset
    details: dict[str, ComponentDetail]
    overall: Grade | None
    decision: ResitDecision | None
    steps: list[Reason]
    resit_steps: list[Reason]
    notes: list[Note]
    resit_notes: list[Note]


@frozen
class GatewayStatus:
    """``ready`` is false only when the record shows a mandatory gateway-stage requirement unmet (``unmet``);
    a requirement the record holds no evidence for is listed under ``unknown`` and does not by itself make
    ``ready`` false. Unmet requirements that do not decide readiness are listed by why: a recommendation
    (``recommendations_unmet``), an item the document calls optional (``optional_unmet``), or a mandatory
    item the document checks before an assessment starts rather than at gateway (``before_assessment_unmet``).
    Made by ``epa.rules.gateway.gateway_status``, where the rule of which unmet requirement blocks is stated."""

    ready: bool
    unmet: tuple[str, ...]
    unknown: tuple[str, ...]
    recommendations_unmet: tuple[str, ...]
    requirements: tuple[Requirement, ...]
    optional_unmet: tuple[str, ...] = ()
    before_assessment_unmet: tuple[str, ...] = ()


@frozen
class ToleranceCheck:
    """A recorded duration or word count against the document's tolerance.

    status: within | outside | unknown (the limit depends on a measure the record lacks) |
    no_tolerance_stated (the document states a figure and no tolerance: the value is reported against it,
    neither within nor outside). ``ok`` is true / false / null (the last two statuses). strength: the
    tolerance's, ``required`` or ``advice`` (its sentence advises: 'should'): ``outside`` with ``advice`` is shown as
    advice and counts as a failure nowhere.
    """

    id: str
    method: str
    attempt_date: dt.date
    measure: str
    value: float
    low: float | None
    high: float | None
    ok: bool | None
    says: str
    citation: str
    status: str
    strength: str = "required"  # required | advice: an advice check ``outside`` is reported, never a failure


class Decision(NamedTuple):
    """What one body decides for one record; the same values as the ``BodyResult`` of ``grade``, each method's
    grade given by ``methods`` (the ruleset's, in its order) and ``grades`` alike. (A named tuple: made once per
    body and record, where an attrs frozen class takes several times as long to make; and hashable, so that a
    cohort's batch can remember what it writes for each distinct set of decisions.)"""

    body: str
    overall: Grade | None
    methods: tuple[str, ...]
    grades: tuple[Grade | None, ...]
    gateway_ready: bool
    capped: bool
    full_retake_required: bool

    @property
    def components(self) -> dict[str, Grade | None]:
        """Each method's grade, by method id (as ``BodyResult.components``)."""
        return dict(zip(self.methods, self.grades, strict=True))
