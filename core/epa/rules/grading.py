"""Component grading: how one method's criteria make its grade (the default ``grade_component``).

A method is a fail unless every pass criterion is met (or as many as its rule in words states,
``ComponentRule.pass_threshold``); then a distinction where every distinction criterion is met (or as many as
``distinction_threshold`` states), else a pass; a method with no distinction criteria is a pass at best. The
rule is stated here once: ``Thresholds.of`` reads it from a ruleset, ``decide`` applies it to counts,
``explain`` gives its cited steps (``defaults.grade_component``), and ``expression`` writes it as Python over
the criteria met as bits, for the cohort's compiled code (``epa.engine.graders``).
"""

from __future__ import annotations

from attrs import frozen

from epa.model.domain import Ambiguity, Grade, Ruleset
from epa.model.results import ComponentResult, Step


@frozen
class Thresholds:
    """One method's criteria and how many of each level its grade needs, with the citation of its rule."""

    method: str
    passes: tuple[str, ...]  # the method's pass criteria ids, in the ruleset's order
    distinctions: tuple[str, ...]
    pass_needed: int
    distinction_needed: int
    citation: str
    # (ambiguity id, what its other reading makes of its criteria, its criteria of this method in its sets) for each
    # recorded ambiguity naming one (``Ambiguity.criteria_otherwise``, ``criteria_sets``): a grade that turns on them
    # says so, as a combination row that is a reading does. A reading whose other reading needs them at another
    # method is not_needed here; needed_at here, it needs these distinction criteria for a pass (``load`` checks it)
    readings: tuple[tuple[str, str, tuple[tuple[str, ...], ...]], ...] = ()
    # (ambiguity id, criteria, level) for each reading whose other reading needs at this method, at that level,
    # criteria the method does not hold (another method's, or none of this body's): only the criteria an attempt
    # lists say whether it met them (``unheld``)
    wanted: tuple[tuple[str, tuple[str, ...], str], ...] = ()

    @classmethod
    def of(cls, ruleset: Ruleset, method: str) -> Thresholds:
        rule = ruleset.component_rules.get(method)
        passes = tuple(c.id for c in ruleset.criteria_for(method, "pass"))
        distinctions = tuple(c.id for c in ruleset.criteria_for(method, "distinction"))
        # Absent, a threshold is every criterion of its level (the schema makes a stated one at least 1).
        own = set(passes + distinctions)
        readings = tuple((a.id, _here(a, method), sets) for a in ruleset.ambiguities
                         if (sets := tuple(kept for s in (a.criteria_sets or tuple((c,) for c in a.criteria))
                                           if (kept := tuple(c for c in s if c in own)))))
        wanted = tuple((a.id, others, a.needed_at.level) for a in ruleset.ambiguities
                       if a.needed_at is not None and a.needed_at.method == method
                       if (others := tuple(c for c in a.criteria if c not in own)))
        return cls(method, passes, distinctions,
                   rule.pass_threshold if rule and rule.pass_threshold else len(passes),
                   rule.distinction_threshold if rule and rule.distinction_threshold else len(distinctions),
                   rule.citation if rule else ruleset.combination.rule_in_words.citation, readings, wanted)


def _here(ambiguity: Ambiguity, method: str) -> str:
    """What the other reading makes of the ambiguity's criteria at ``method``: needing them at another method, it
    needs them not here."""
    at = ambiguity.needed_at
    return "not_needed" if at is not None and at.method != method else ambiguity.criteria_otherwise


def decide(rule: Thresholds, passes_met: int, distinctions_met: int) -> Grade:
    """The grade of an attempt meeting this many of the method's pass and distinction criteria."""
    if passes_met < rule.pass_needed:
        return Grade.FAIL
    if rule.distinctions and distinctions_met >= rule.distinction_needed:
        return Grade.DISTINCTION
    return Grade.PASS


def explain(ruleset: Ruleset, method: str, criteria_met: frozenset[str], rule: Thresholds | None = None
            ) -> ComponentResult:
    """The default ``grade_component``: the grade ``decide`` gives, with its cited steps. ``rule``: the method's
    ``Thresholds.of(ruleset, method)``, where the caller has it already."""
    rule = rule if rule is not None else Thresholds.of(ruleset, method)
    citation, passes, distinctions = rule.citation, rule.passes, rule.distinctions
    pass_missing = tuple(c for c in passes if c not in criteria_met)
    d_met = tuple(c for c in distinctions if c in criteria_met)
    d_missing = tuple(c for c in distinctions if c not in criteria_met)
    met_passes = len(passes) - len(pass_missing)
    grade = decide(rule, met_passes, len(d_met))

    def result(*steps: Step) -> ComponentResult:
        return ComponentResult(method, grade, steps, pass_missing, d_met, d_missing)

    pass_needed, needed = rule.pass_needed, rule.distinction_needed
    of_needed = f" ({pass_needed} needed)" if pass_needed < len(passes) else ""
    if grade is Grade.FAIL:
        return result(Step(f"{method}: {met_passes} of {len(passes)} pass criteria met{of_needed}; "
                           f"missing {', '.join(pass_missing)}: fail"
                           f"{_reading(rule, pass_missing, met_passes, pass_needed)}", citation))
    all_passed = Step(f"{method}: all {len(passes)} pass criteria met" if not pass_missing else
                      f"{method}: {met_passes} of {len(passes)} pass criteria met{of_needed}", citation)
    if not distinctions:
        return result(all_passed, Step(f"{method}: this body sets no distinction criteria here: pass", citation))
    if grade is Grade.DISTINCTION:
        return result(all_passed, Step(f"{method}: {len(d_met)} of {len(distinctions)} distinction criteria met "
                                       f"({needed} needed): distinction{_falls(rule, d_missing)}", citation))
    return result(all_passed, Step(f"{method}: {len(d_met)} of {len(distinctions)} distinction criteria met "
                                   f"({needed} needed; missing {', '.join(d_missing)}): pass"
                                   f"{_falls(rule, d_missing) or _reading(rule, d_missing, len(d_met), needed)}",
                                   citation))


def _reading(rule: Thresholds, missing: tuple[str, ...], met: int, needed: int) -> str:
    """Where the grade a step gives turns on missing criteria recorded ambiguities are about, words saying so, naming
    them; '' where the criteria missing decide it whichever the reading. It turns on them where, read otherwise,
    they would not hold the grade down: the met ones and those would reach ``needed``. Read otherwise, a criterion
    is not needed (``not_needed``: another method's or level's, or none), or is one of alternatives of which another
    is met (``alternatives``: each criterion, or each of its ``criteria_sets``, an alternative; a missing one counts
    only where another alternative is met whole), or is needed still (``still_needed``: never counted)."""
    by: dict[str, list[str]] = {}  # each missing criterion the other readings would not need -> those readings
    for ambiguity, otherwise, sets in rule.readings:
        if otherwise in ("still_needed", "needed_at") or (otherwise == "alternatives"
                                                          and all(any(c in missing for c in s) for s in sets)):
            continue
        for c in (c for s in sets for c in s):
            if c in missing:
                by.setdefault(c, []).append(ambiguity)
    read = [c for c in missing if c in by]
    if not read or met + len(read) < needed:
        return ""
    named = ", ".join(dict.fromkeys(a for c in read for a in by[c]))
    return (f"; the grade turns on {', '.join(read)}, which the tool encodes on its reading of an ambiguous passage "
            f"(ambiguity {named}, shown by `epa ambiguities`)")


def _falls(rule: Thresholds, missing: tuple[str, ...]) -> str:
    """Where a pass or distinction is reached without distinction criteria a recorded ambiguity's other reading needs
    for a pass (``needed_at`` this method), words saying the grade turns on them: read otherwise, it is a fail.
    '' where none is missing."""
    read = {c: a for a, otherwise, sets in rule.readings if otherwise == "needed_at" for s in sets for c in s}
    fall = [c for c in missing if c in read]
    if not fall:
        return ""
    them = "it" if len(fall) == 1 else "them"
    return (f"; the grade turns on {', '.join(fall)}, which the tool encodes on its reading of an ambiguous passage "
            f"(ambiguity {', '.join(dict.fromkeys(read[c] for c in fall))}, shown by `epa ambiguities`): read "
            f"otherwise, a pass needs {them}, and without {them} this is a fail")


def unheld(ruleset: Ruleset, rule: Thresholds, grade: Grade, listed: frozenset[str]) -> tuple[Step, ...]:
    """The steps saying where ``grade``, an attempt's at ``rule.method`` listing ``listed`` (every criterion it lists,
    those this body does not assess there too), turns on criteria a recorded ambiguity's other reading needs there
    and this reading does not (``Thresholds.wanted``): read otherwise, a grade at or above the level they are
    needed for, reached without one the attempt does not list, falls (a pass or distinction to a fail for a pass
    criterion, a distinction to a pass for a distinction one)."""
    steps = []
    for ambiguity, criteria, level in rule.wanted:
        short = [c for c in criteria if c not in listed]
        if not short or grade is Grade.FAIL or (level == "distinction" and grade is not Grade.DISTINCTION):
            continue
        them = "it" if len(short) == 1 else "them"
        read = next(a for a in ruleset.ambiguities if a.id == ambiguity)
        steps.append(Step(
            f"{rule.method}: the grade turns on {', '.join(short)}, which the tool's reading of an ambiguous passage "
            f"does not grade here (ambiguity {ambiguity}, shown by `epa ambiguities`): read otherwise, a {level} "
            f"needs {them}, and the attempt does not list {them} as met: a {'fail' if level == 'pass' else 'pass'}",
            read.citation))
    return tuple(steps)


def expression(passes: int, distinctions: int, needed: int, pass_needed: int | None = None) -> str:
    """``decide`` as a Python expression over ``met``, the criteria an attempt meets as bits: ``passes`` and
    ``distinctions`` the masks of the method's criteria at each level, ``needed`` how many distinction criteria a
    distinction needs, ``pass_needed`` how many pass criteria a pass needs (None: all)."""
    if pass_needed is not None and pass_needed != passes.bit_count():
        passed = f"FAIL if (met & {passes:#x}).bit_count() < {int(pass_needed)} else "
    else:
        passed = f"FAIL if met & {passes:#x} != {passes:#x} else "
    if not distinctions:
        return passed + "PASS"
    return passed + f"DISTINCTION if (met & {distinctions:#x}).bit_count() >= {int(needed)} else PASS"
