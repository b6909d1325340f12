"""Reference implementations of the hooks: the assessment-plan pattern every document states in words.

Registered ``trylast`` in every body's plugin manager, as pytest ships its own
plugins: a body's implementation, where it has one, is called first and wins.
The journey hooks (gateway, deadlines, resits) evaluate the body's journey
rules, which are data; the procedures live in their own modules.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

import pluggy

from epa import gateway, resits, timeline
from epa.families import grading as component
from epa.model import (
    CombinationRow,
    ComponentResult,
    Deadline,
    Grade,
    GradedAttempt,
    Outcome,
    OverallInWords,
    Record,
    Requirement,
    ResitDecision,
    Ruleset,
    Step,
)

hookimpl = pluggy.HookimplMarker("epa")


@hookimpl(trylast=True)
def grade_component(ruleset: Ruleset, method: str, criteria_met: frozenset[str]) -> ComponentResult:
    return component.explain(ruleset, method, criteria_met)


def _printed_rows(rows: Sequence[CombinationRow]) -> Iterator[tuple[int, CombinationRow]]:
    """Number rows as the document prints them: consecutive encoded rows with the same printed text
    (one printed row such as "a fail in any method fails" encoded once per method) share a number."""
    number, previous = 0, None
    for row in rows:
        if row.printed is None or row.printed != previous:
            number += 1
        previous = row.printed
        yield number, row


@hookimpl(trylast=True)
def combine_grades(ruleset: Ruleset, components: Mapping[str, Grade]) -> Outcome:
    table = ruleset.combination
    shown = ", ".join(f"{m}={components[m]}" for m in ruleset.method_ids)
    for number, row in _printed_rows(table.rows):
        if row.matches(dict(components)):
            printed = f" (“{' '.join(row.printed.split())}”)" if row.printed else ""
            return Outcome(row.overall, (Step(
                f"{shown}: printed row {number} of the combination table{printed} gives {row.overall}",
                row.citation),))
    words = table.rule_in_words
    overall = words.rule.decide(dict(components))
    if not table.rows:
        gap = "the document prints no combination table for"
    elif not table.complete:
        gap = "the printed table is incomplete: it has no row for"
    else:
        gap = "no row of the table matches"
    return Outcome(overall, (
        Step(f"{shown}: {gap} this combination", table.citation),
        Step(f"the document's rule in words decides: {overall}{_why(words.rule, components, ruleset.method_ids)} "
             f"(“{words.text}”)", words.citation),
    ))


def _why(rule: OverallInWords, components: Mapping[str, Grade], methods: tuple[str, ...]) -> str:
    """Why a rule in words other than every method's distinction gives its grade (that one says it itself)."""
    if rule.every_method or Grade.FAIL in components.values():
        return ""
    if rule.methods is not None:
        named = ", ".join(f"{m} {components[m]}" for m in rule.methods)
        return f", as {named} (distinction in {' and '.join(rule.methods)} needed)"
    count = sum(components[m] == Grade.DISTINCTION for m in methods)
    return f", as {count} of the {len(methods)} methods {'is' if count == 1 else 'are'} distinction " \
           f"({rule.at_least} needed)"


@hookimpl(trylast=True)
def gateway_requirements(ruleset: Ruleset, record: Record) -> list[Requirement]:
    return gateway.requirements(ruleset, record)


@hookimpl(trylast=True)
def deadlines(ruleset: Ruleset, record: Record) -> list[Deadline]:
    return timeline.deadlines(ruleset, record)


@hookimpl(trylast=True)
def resit_policy(ruleset: Ruleset, record: Record, history: Sequence[GradedAttempt]) -> ResitDecision | None:
    return resits.decide(ruleset, history)
