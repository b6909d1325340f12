"""Reference implementations of the hooks: the assessment-plan pattern every document states in words.

Registered ``trylast`` in every body's plugin manager, as pytest ships its own
plugins: a body's implementation, where it has one, is called first and wins.
The journey hooks (gateway, deadlines, resits) evaluate the body's journey
rules, which are data; the procedures live in their own modules (the gateway
and deadline families in ``epa.families``, which the cohort engine reads too).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

import pluggy

from epa import resits
from epa.families import deadlines as deadline_family
from epa.families import gateway as gateway_family
from epa.model import CombinationRow, Grade, OverallInWords, Record, Ruleset
from epa.results import ComponentResult, Deadline, GradedAttempt, Outcome, Requirement, ResitDecision, Step

hookimpl = pluggy.HookimplMarker("epa")


@hookimpl(trylast=True)
def grade_component(ruleset: Ruleset, method: str, criteria_met: frozenset[str]) -> ComponentResult:
    rule = ruleset.component_rules.get(method)
    rule_citation = rule.citation if rule else ruleset.combination.rule_in_words.citation
    passes = ruleset.criteria_for(method, "pass")
    distinctions = ruleset.criteria_for(method, "distinction")
    pass_missing = tuple(c.id for c in passes if c.id not in criteria_met)
    d_met = tuple(c.id for c in distinctions if c.id in criteria_met)
    d_missing = tuple(c.id for c in distinctions if c.id not in criteria_met)

    def result(grade: Grade, *steps: Step) -> ComponentResult:
        return ComponentResult(method, grade, steps, pass_missing, d_met, d_missing)

    pass_needed = rule.pass_threshold if rule and rule.pass_threshold else len(passes)
    met_passes = len(passes) - len(pass_missing)
    of_needed = f" ({pass_needed} needed)" if pass_needed < len(passes) else ""
    if met_passes < pass_needed:
        return result(
            Grade.FAIL,
            Step(f"{method}: {met_passes} of {len(passes)} pass criteria met{of_needed}; "
                 f"missing {', '.join(pass_missing)}: fail", rule_citation),
        )
    all_passed = Step(f"{method}: all {len(passes)} pass criteria met" if not pass_missing else
                      f"{method}: {met_passes} of {len(passes)} pass criteria met{of_needed}", rule_citation)
    needed = rule.distinction_threshold if rule and rule.distinction_threshold else len(distinctions)
    if not distinctions:
        return result(Grade.PASS, all_passed,
                      Step(f"{method}: this body sets no distinction criteria here: pass", rule_citation))
    if len(d_met) >= needed:
        return result(
            Grade.DISTINCTION, all_passed,
            Step(f"{method}: {len(d_met)} of {len(distinctions)} distinction criteria met "
                 f"({needed} needed): distinction", rule_citation),
        )
    return result(
        Grade.PASS, all_passed,
        Step(f"{method}: {len(d_met)} of {len(distinctions)} distinction criteria met "
             f"({needed} needed; missing {', '.join(d_missing)}): pass", rule_citation),
    )


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
    return gateway_family.requirements(ruleset, record)


@hookimpl(trylast=True)
def deadlines(ruleset: Ruleset, record: Record) -> list[Deadline]:
    return deadline_family.deadlines(ruleset, record)


@hookimpl(trylast=True)
def resit_policy(ruleset: Ruleset, record: Record, history: Sequence[GradedAttempt]) -> ResitDecision | None:
    return resits.decide(ruleset, history)
