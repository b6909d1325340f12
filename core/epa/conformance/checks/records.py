"""Whole records: the resit cap, and output that is deterministic and matches the output schema."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from epa.conformance import witness
from epa.conformance.checks.base import (
    RANK,
    CheckedBody,
    Failure,
    Skip,
    check,
    combinations,
    everything,
    show,
)
from epa.model.convert import unstructure
from epa.model.domain import Grade

RESIT_DAYS = (7, 35, 91)  # days from a fail to the resit or retake the resit-cap check grades

# --- whole records -----------------------------------------------------------------------------------------


@check("resit-cap", "a resit or retake (a week, five weeks or thirteen weeks after the fail) never beats the body's "
       "cap, and a record with no fail (every method passed at its first attempt) is neither capped nor sent to retake "
       "the whole EPA")
def resit_cap(s: CheckedBody) -> Iterator[Failure]:
    r = s.rules
    # A cap follows a fail (hookspecs.resit_policy): one on a record with no fail and no attempt after one is a grade
    # taken from an apprentice who met everything at the first try, which no other check reads.
    for data in witness.samples(s.body_id, r)[:2]:  # every criterion met; every pass criterion met
        result = s.explain(data)
        if result.capped or result.full_retake_required:
            what = "capped" if result.capped else "sent to retake the whole EPA"
            entry = "resit_policy" if "resit_policy" in s.loaded.own_hooks else "$.resit"
            yield s.failure(f"a record with every method passed at its first attempt (grades "
                            f"{show(result.components)}) is {what}: overall "
                            f"{result.overall.value if result.overall else None}",
                            "no cap and no full retake without a fail", entry, data)
            return
    if not (r.journey and r.journey.resit):
        raise Skip("the body encodes no resit policy for this standard")
    cap = r.journey.resit.cap
    entry = "resit_policy" if "resit_policy" in s.loaded.own_hooks else "$.resit.cap"
    for kind in cap.applies_to:
        for method in r.method_ids:
            # a week after the fail, and later: a cap kept for a prompt resit alone is no cap (a resit out of its
            # window has no overall grade, which beats no cap)
            for days in RESIT_DAYS:
                data = witness.resit(s.body_id, r, method, kind, days)
                result = s.explain(data)
                # the grade the document caps: the overall grade, or the resat method's own (Cap.caps method)
                capped, what = (result.components.get(method), f"the {method} graded") if cap.caps == "method" \
                    else (result.overall, "gives")
                if capped and RANK[capped] > RANK[cap.grade]:
                    when = " after a fail" if days == RESIT_DAYS[0] else f", {days} days after a fail,"
                    yield s.failure(f"a {kind} of the {method}{when} with distinctions elsewhere, {what} "
                                    f"{capped}", f"at most {cap.grade} (“{cap.text}”)", entry, data)
                    break


@check("output", "grading is deterministic (grade_component and combine_grades, asked the same twice, answer the "
       "same) and every result matches schemas/output.schema.json")
def output(s: CheckedBody) -> Iterator[Failure]:
    import jsonschema

    from epa.inputs.documents import schema

    yield from _asked_twice(s)
    validator = _result_validator(jsonschema, schema("output"))
    for data in witness.samples(s.body_id, s.rules):
        first = unstructure(s.explain(data))
        if unstructure(s.explain(data)) != first:
            yield s.failure("grading the same record twice gave two results", "identical results", None, data)
        for error in list(validator.iter_errors(first))[:3]:
            path = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
            yield s.failure(f"result {path}: {error.message}", "a result matching output.schema.json", None, data)


def _asked_twice(s: CheckedBody) -> Iterator[Failure]:
    """A grading hook of the plugin's own asked each question twice, directly: its answer must depend on its
    arguments alone (hookspecs), and explaining remembers answers (epa.engine.plans), so grading a record twice
    cannot show one that depends on a count of calls, the time or chance; a cohort would grade alike records
    differently by where they fall in it. The first question answered two ways is shown, with how many."""
    r = s.rules
    questions: list[tuple[str, dict[str, Any], str, dict[str, Any]]] = []
    if "grade_component" in s.loaded.own_hooks:
        for method in r.method_ids:
            passes = frozenset(c.id for c in r.criteria_for(method, "pass"))
            for met in (frozenset(), passes, everything(r, method)):
                questions.append(("grade_component", {"method": method, "criteria_met": met},
                                  f"{method} with {len(met)} criteria met",
                                  witness.criteria(s.body_id, r, {method: met})))
    if "combine_grades" in s.loaded.own_hooks:
        questions += [("combine_grades", {"components": combo}, show(combo), witness.recorded(s.body_id, r, combo))
                      for combo in combinations(r)]
    differ = []
    for hook, kwargs, said, data in questions:
        first, second = (s.loaded.call(hook, ruleset=r, **kwargs) for _ in range(2))
        if first != second:
            differ.append((hook, said, first, second, data))
    for hook in dict.fromkeys(h for h, *_ in differ):
        mine = [d for d in differ if d[0] == hook]
        _, said, first, second, data = mine[0]
        what = "grade" if getattr(first, "grade", None) != getattr(second, "grade", None) else "explanation"
        shown = (f"{_grade(first)} then {_grade(second)}" if what == "grade" else
                 "the same grade explained by other steps")
        more = f" ({len(mine)} questions were so)" if len(mine) > 1 else ""
        yield s.failure(f"{hook} asked twice for {said} answered two ways: {shown}{more}",
                        f"the same answer to the same arguments ({hook}'s answer depends on its arguments alone: no "
                        "count of calls, time or chance)", hook, data)


def _grade(answer: Any) -> str:
    grade = getattr(answer, "grade", None)
    return grade.value if isinstance(grade, Grade) else str(grade)


def _result_validator(jsonschema: Any, output_schema: dict[str, Any]) -> Any:
    return jsonschema.Draft202012Validator({**output_schema, "$ref": "#/$defs/result"},
                                           format_checker=jsonschema.FormatChecker())
