"""The catalogue: methods, criteria and grades are the standard's, and thresholds count criteria there are."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from epa.conformance import witness
from epa.conformance.checks.base import (
    CheckedBody,
    Failure,
    Skip,
    check,
    everything,
    show,
)
from epa.model.domain import Grade

# --- the catalogue -----------------------------------------------------------------------------------------


@check("criteria", "criterion ids are unique and the standard's, methods are the standard's, each has criteria, "
       "and each reading's criteria_sets and needed_at are as loading a rules file holds them (a ruleset made in code "
       "too)")
def criteria(s: CheckedBody) -> Iterator[Failure]:
    r, standard = s.rules, s.registry.standard(s.rules.standard)
    if set(r.method_ids) != set(standard.method_ids):
        yield s.failure(f"methods {sorted(r.method_ids)} are not {standard.id}'s {sorted(standard.method_ids)}",
                        "the standard's methods", "$.methods")
    seen: set[str] = set()
    for i, c in enumerate(r.criteria):
        if c.id in seen:
            yield s.failure(f"criterion id {c.id!r} appears twice", "unique ids", f"$.criteria[{i}]")
        seen.add(c.id)
        if c.id not in standard.criterion_ids:
            yield s.failure(f"criterion {c.id!r} is not in {standard.id}'s criterion vocabulary, so no record can "
                            "name it", f"an id of `epa criteria --standard {standard.id}`", f"$.criteria[{i}]")
        if c.level not in ("pass", "distinction"):
            yield s.failure(f"criterion {c.id!r} has level {c.level!r}", "pass or distinction", f"$.criteria[{i}]")
    for method in r.method_ids:
        if not r.criteria_for(method, "pass"):
            yield s.failure(f"method {method!r} has no pass criteria", "every method has pass criteria",
                            f"$.methods[{r.method_ids.index(method)}]")
    yield from _readings(s)


def _readings(s: CheckedBody) -> Iterator[Failure]:
    """Each reading's criteria_sets and needed_at as loading a rules file holds them (``epa.rules.load``): a ruleset
    a plugin builds or changes in code (a later version made with attrs.evolve) reaches the body unread by it, and a
    needed_at naming a criterion needed as much already there says a grade turns on what it does not."""
    from epa.model.convert import unstructure
    from epa.rules.load import reading_refused

    r = s.rules
    criteria = {c.id: {"method": c.method, "level": c.level} for c in r.criteria}
    for i, ambiguity in enumerate(r.ambiguities):
        # as a file gives it: a field left out, not empty
        data = {k: v for k, v in unstructure(ambiguity).items() if v is not None and v != []}
        if (refused := reading_refused(data, criteria, set(r.method_ids))) is not None:
            yield s.failure(f"the reading {ambiguity.id!r}: {refused.message}",
                            refused.hint or "a reading as loading a rules file accepts it", f"$.ambiguities[{i}]")


@check("thresholds", "a pass or distinction threshold never exceeds the criteria it counts, and a method with as "
       "many pass criteria as its pass threshold (any of them, no distinction criterion) passes")
def thresholds(s: CheckedBody) -> Iterator[Failure]:
    r = s.rules
    if not any(rule.distinction_threshold or rule.pass_threshold for rule in r.component_rules.values()):
        raise Skip("no thresholds: each method needs all its pass and all its distinction criteria")
    for method, rule in r.component_rules.items():
        counted = len(r.criteria_for(method, "pass"))
        if rule.pass_threshold is not None and not 1 <= rule.pass_threshold <= counted:
            yield s.failure(f"{method}: a pass needs {rule.pass_threshold} of {counted} pass criteria",
                            f"a threshold from 1 to {counted}", f"$.component_rules.{method}.pass_threshold")
        elif rule.pass_threshold is not None:
            yield from _threshold_passes(s, method, rule.pass_threshold)
        if rule.distinction_threshold is None:
            continue
        counted = len(r.criteria_for(method, "distinction"))
        if not 1 <= rule.distinction_threshold <= counted:
            yield s.failure(f"{method}: distinction needs {rule.distinction_threshold} of {counted} criteria",
                            f"a threshold from 1 to {counted}", f"$.component_rules.{method}.distinction_threshold")


def _threshold_passes(s: CheckedBody, method: str, needed: int) -> Iterator[Failure]:
    """The threshold honoured: ``needed`` pass criteria pass, whichever they are (each window of that many, in the
    document's order, wrapping round). missing-pass-fails holds one fewer to a fail, so a hook that ignores the
    threshold and needs every pass criterion would pass every other check while the rules say "at least N"."""
    r = s.rules
    passes = [c.id for c in r.criteria_for(method, "pass")]
    for i in range(len(passes)):
        met = frozenset((passes[i:] + passes[:i])[:needed])
        got = s.grade_component(method, met)
        if got != Grade.PASS:
            entry = "grade_component" if "grade_component" in s.loaded.own_hooks else \
                f"$.component_rules.{method}.pass_threshold"
            yield s.failure(f"{method}: {needed} of its {len(passes)} pass criteria, as its pass threshold needs, "
                            f"graded {got} (the record meets {sorted(met)})", f"pass ({needed} needed)", entry,
                            witness.criteria(s.body_id, r, {method: met}))
            return


@check("grade-scale", "every grade the rules state and the hooks give is on the standard's grade scale: criteria "
       "levels, table rows, the resit cap, each method's grade and the overall grade")
def grade_scale(s: CheckedBody) -> Iterator[Failure]:
    # A standard's scale (Standard.grades) is shared by every body offering it: a pass/fail standard has no
    # distinction, and a body awarding one states a grade no apprentice of that standard can hold.
    r, standard = s.rules, s.registry.standard(s.rules.standard)
    scale = tuple(standard.grades)
    if set(scale) == set(Grade):
        raise Skip(f"{standard.id}'s grade scale is every grade epa knows ({', '.join(g.value for g in scale)})")
    said = ", ".join(g.value for g in scale)
    expected = f"a grade on {standard.id}'s scale ({said})"
    if Grade.DISTINCTION not in scale:
        for i, c in enumerate(r.criteria):
            if c.level == "distinction":
                yield s.failure(f"criterion {c.id!r} is a distinction criterion, but {standard.id} is graded {said}",
                                "pass criteria only", f"$.criteria[{i}]")
    for i, row in enumerate(r.combination.rows):
        off = [g for g in [*row.when.values(), row.overall.value] if g != "any" and Grade(g) not in scale]
        if off:
            yield s.failure(f"row {i + 1} of the table, counting from 1, names {', '.join(dict.fromkeys(off))}, not "
                            f"on {standard.id}'s scale ({said})", expected, f"$.combination.rows[{i}]")
    if r.journey and r.journey.resit and r.journey.resit.cap.grade not in scale:
        yield s.failure(f"the resit cap is {r.journey.resit.cap.grade.value}, not on {standard.id}'s scale ({said})",
                        expected, "$.resit.cap")
    for method in r.method_ids:
        for met in (frozenset(), frozenset(c.id for c in r.criteria_for(method, "pass")), everything(r, method)):
            got = s.grade_component(method, met)
            if got not in scale:
                entry = "grade_component" if "grade_component" in s.loaded.own_hooks else f"$.component_rules.{method}"
                yield s.failure(f"{method} with {len(met)} criteria met is graded {got.value}, not on {standard.id}'s "
                                f"scale ({said})", expected, entry, witness.criteria(s.body_id, r, {method: met}))
                break
    for grades in itertools.product(scale, repeat=len(r.method_ids)):
        combo = dict(zip(r.method_ids, grades, strict=True))
        overall = s.combine(combo)
        if overall is not None and overall not in scale:
            entry = "combine_grades" if "combine_grades" in s.loaded.own_hooks else "$.combination.rule_in_words"
            yield s.failure(f"{show(combo)} gives {overall.value}, not on {standard.id}'s scale ({said})", expected,
                            entry, witness.recorded(s.body_id, r, combo))
            return
