"""Reference implementations of the hooks: the core's default pattern, and the journey rules read as data.

Registered ``trylast`` in every body's plugin manager, as pytest ships its own
plugins: a body's implementation, where it has one, is called first and wins.
The journey hooks (gateway, deadlines, resits) evaluate the body's journey
rules, which are data; the procedures live in their own modules (the gateway
and deadline families in ``epa.rules``, which the cohort engine reads too).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pluggy

from epa.engine import resits
from epa.model.domain import Grade, Record, Ruleset
from epa.model.results import ComponentResult, Deadline, GradedAttempt, Outcome, Requirement, ResitDecision
from epa.rules import combination
from epa.rules import deadlines as deadline_family
from epa.rules import gateway as gateway_family
from epa.rules import grading as component

hookimpl = pluggy.HookimplMarker("epa")


@hookimpl(trylast=True)
def grade_component(ruleset: Ruleset, method: str, criteria_met: frozenset[str]) -> ComponentResult:
    return component.explain(ruleset, method, criteria_met)


@hookimpl(trylast=True)
def combine_grades(ruleset: Ruleset, components: Mapping[str, Grade]) -> Outcome:
    return combination.explain(ruleset, components)


@hookimpl(trylast=True)
def gateway_requirements(ruleset: Ruleset, record: Record) -> list[Requirement]:
    return gateway_family.requirements(ruleset, record)


@hookimpl(trylast=True)
def deadlines(ruleset: Ruleset, record: Record) -> list[Deadline]:
    return deadline_family.deadlines(ruleset, record)


@hookimpl(trylast=True)
def resit_policy(ruleset: Ruleset, record: Record, history: Sequence[GradedAttempt]) -> ResitDecision | None:
    return resits.decide(ruleset, history)
