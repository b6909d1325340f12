"""The complete analysis of grading for the consistency report: each method over every pattern of criteria met,
the overall grade over every combination of those, and every combination of component grades, counted exactly
(``regions``), as findings with their region sizes and as a table of how many inputs each pair of bodies grades
differently.

What ``epa consistency --format json`` gives as ``complete`` (``schemas/consistency.schema.json``):

- ``methods``: per method, the criteria any body assesses there, how many patterns of them there are (2^n), and
  whether they were counted (``sampled`` null) or sampled (how many patterns), and how many patterns the bodies
  graded one by one (``graded``: a counted method grades one pattern for each group of patterns alike);
- ``pairs``: for each pair of bodies, how many of those patterns each method grades differently, how many inputs
  (a pattern at every method) get a different overall grade, how many of the 3^methods combinations of
  component grades get a different overall grade, and how many gateway profiles (``profiles``: every class of
  every requirement field, in every combination) one finds ready and the other not; each with its share;
- ``gateway``: how many profiles there are, whether they were counted exactly, and each group of fields with
  its number of classes;
- ``histories``: how many classes of a whole record's attempt history there are (``per_method`` to the power of
  the methods; ``histories``), the boundaries (days after the first attempt) that cut a later attempt's day into
  intervals, the horizon and the later attempts counted per method; and per pair (``pairs[].histories``) how
  many of those classes the two bodies give a different outcome (overall grade, capped, the whole EPA again),
  whether from their resit rules or from how they combine the grades the history leaves.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

from epa.consistency import histories, profiles
from epa.consistency.findings import Finding, SweptBody, names, pins, readiness, record, sides_by
from epa.consistency.regions import Joint, MethodRegions, MethodRule, differing, method_regions, overall_regions, share
from epa.model.domain import Grade, Standard


def rule(s: SweptBody, method: str) -> MethodRule:
    """How the subject's body grades the method: its criteria and threshold, or its own grade_component (asked as
    grading asks it, through the engine)."""
    ruleset = s.ruleset
    passes = frozenset(c.id for c in ruleset.criteria_for(method, "pass"))
    distinctions = frozenset(c.id for c in ruleset.criteria_for(method, "distinction"))
    component = ruleset.component_rules.get(method)
    needed = component.distinction_threshold if component and component.distinction_threshold else len(distinctions)
    asked: Callable[[frozenset[str]], Grade] | None = None
    if "grade_component" in s.loaded.own_hooks:
        def asked(met: frozenset[str]) -> Grade:
            return s.engine.component(s.loaded, ruleset, method, met).grade
    ties = tuple(sorted((c.id, c.repeats) for c in ruleset.criteria if c.repeats and c.method == method))
    return MethodRule(passes, distinctions, needed, asked, component.pass_threshold or 0 if component else 0, ties)


def _with_repeats(met: frozenset[str], subjects: list[SweptBody]) -> list[str]:
    """A witness's criteria met: with every criterion a body prints again (``repeats``) met where its original is."""
    return sorted(met | {c.id for s in subjects for c in s.ruleset.criteria if c.repeats and c.repeats in met})


def combiner(s: SweptBody) -> Callable[[tuple[Grade, ...]], Grade | None]:
    """The subject's combine_grades (for the standard's methods in order), asked once per combination."""
    seen: dict[tuple[Grade, ...], Grade | None] = {}
    methods = s.ruleset.method_ids

    def combine(grades: tuple[Grade, ...]) -> Grade | None:
        if grades not in seen:
            outcome = s.loaded.call("combine_grades", ruleset=s.ruleset,
                                    components=dict(zip(methods, grades, strict=True)))
            seen[grades] = outcome.grade
        return seen[grades]
    return combine


def _percent(part: int, whole: int) -> str:
    if not whole:
        return "0%"
    value = 100 * part / whole
    return f"{value:.3g}%" if value >= 0.001 else f"{value:.2e}%"


def region(inputs: int, of: int, space: str, exact: bool = True, sampled: int | None = None,
           unit: str = "inputs") -> dict[str, Any]:
    """A finding's region: how many inputs show it, of how many in the space counted, and its share. ``unit``
    names what is counted: "inputs" where each is one pattern of an apprentice's input (criteria met, component
    grades), else the classes a range of values stands for ("classes of the portfolio submitted day (...)"),
    so that no share of classes is read as a share of apprentices."""
    return {"inputs": inputs, "of": of, "share": share(inputs, of), "unit": unit, "space": space, "exact": exact,
            "sampled": sampled}


PROFILES = "gateway profiles (each a class of every requirement field, in combination)"


def not_counted(reason: str) -> dict[str, Any]:
    """The region of a finding no count is made of, saying why (``reason``: "no record shows this: ...")."""
    return {"counted": False, "reason": reason}


def _citation(s: SweptBody, method: str) -> list[str]:
    component = s.ruleset.component_rules.get(method)
    return [component.citation if component else s.ruleset.combination.rule_in_words.citation]


def _says(grade: Grade | None) -> str:
    return str(grade) if grade else "no grade"


def method_findings(subjects: list[SweptBody], standard: Standard,
                    regions: list[MethodRegions]) -> list[tuple[Finding, dict[str, Any]]]:
    """A finding for each joint grade on which the bodies split at one method, with the pattern nearest to every
    criterion met that shows it (the other methods graded pass) and how many patterns do."""
    out = []
    labels = [s.label for s in subjects]
    for regions_m in regions:
        method = regions_m.method
        split = sorted(((joint, n) for joint, n in regions_m.counts.items() if len(set(joint)) > 1),
                       key=lambda item: -item[1])
        for number, (joint, n) in enumerate(split, 1):
            values = dict(zip(labels, joint, strict=True))
            sides = sides_by({k: str(v) for k, v in values.items()}, {k: _says(v) for k, v in values.items()},
                             {s.label: _citation(s, method) for s in subjects})
            met = regions_m.witness[joint]
            unmet = [c for c in regions_m.criteria if c not in met]
            shown = ", ".join(unmet[:4]) + (f" and {len(unmet) - 4} more" if len(unmet) > 4 else "")
            witness = record(standard.id, [{"method": m, "criteria_met": _with_repeats(met, subjects)} if m == method
                                           else {"method": m, "grade": "pass"} for m in standard.method_ids],
                             **pins(subjects))
            space = (f"every pattern of the {len(regions_m.criteria)} {method} criteria met"
                     if regions_m.sampled is None else
                     f"{regions_m.sampled} patterns of the {method} criteria drawn at random")
            summary = (f"The {method} with {'every criterion met' if not unmet else 'every criterion met but ' + shown}"
                       f" ({n:,} of {regions_m.space:,} patterns of its criteria, {_percent(n, regions_m.space)}): "
                       + "; ".join(f"{names(side.bodies)}: {side.says}" for side in sides) + ".")
            finding = Finding(f"criteria.{method}.patterns" + (f".{number}" if number > 1 else ""), "criteria",
                              summary, sides, witness,
                              {"row": method, "values": {k: _says(v) if v else None for k, v in values.items()}}, n)
            out.append((finding, region(n, regions_m.space, space, regions_m.sampled is None, regions_m.sampled)))
    return out


def analyse(subjects: list[SweptBody], standard: Standard
            ) -> tuple[list[tuple[Finding, dict[str, Any]]], dict[str, Any]]:
    """The method findings and the ``complete`` summary (see the module's docstring)."""
    regions = [method_regions(m, [rule(s, m) for s in subjects]) for m in standard.method_ids]
    combine = [combiner(s) for s in subjects]
    overall = overall_regions(regions, combine)
    inputs = math.prod(r.space for r in regions)
    exact = all(r.sampled is None for r in regions)
    combinations: dict[Joint, int] = {}
    for grades in itertools.product(list(Grade), repeat=len(standard.method_ids)):
        joint = tuple(c(grades) for c in combine)
        combinations[joint] = combinations.get(joint, 0) + 1
    n_combinations = 3 ** len(standard.method_ids)
    pairs = []
    for (a, sa), (b, sb) in itertools.combinations(enumerate(subjects), 2):
        pairs.append({
            "bodies": [sa.label, sb.label],
            "methods": {r.method: {"inputs": (d := differing(r.counts, a, b)), "of": r.space,
                                   "share": share(d, r.space)} for r in regions},
            "overall": {"inputs": (d := differing(overall, a, b)), "of": inputs, "share": share(d, inputs),
                        "exact": exact},
            "combinations": {"inputs": (d := differing(combinations, a, b)), "of": n_combinations,
                             "share": share(d, n_combinations)}})
    chosen = profiles.groups(subjects)
    ready, witnesses, ready_exact = profiles.witnessed(standard.id, subjects, chosen)
    n_profiles = sum(ready.values())
    for pair, ((a, _), (b, _)) in zip(pairs, itertools.combinations(enumerate(subjects), 2), strict=True):
        pair["gateway"] = {"inputs": (d := differing(ready, a, b)), "of": n_profiles, "share": share(d, n_profiles),
                           "exact": ready_exact}
    outcomes = histories.joint(subjects, standard)
    n_histories = histories.joint_classes(subjects, standard)
    by_data = histories.by_the_data(subjects)
    for pair, ((a, _), (b, _)) in zip(pairs, itertools.combinations(enumerate(subjects), 2), strict=True):
        pair["histories"] = {"inputs": (d := differing(outcomes, a, b)), "of": n_histories,
                             "share": share(d, n_histories), "exact": by_data}
    summary = {
        "methods": [{"method": r.method, "criteria": len(r.criteria), "patterns": r.total, "sampled": r.sampled,
                     "graded": r.graded}
                    for r in regions],
        "inputs": inputs, "exact": exact, "pairs": pairs,
        "gateway": {"profiles": n_profiles, "exact": ready_exact,
                    "fields": [{"group": g.name, "classes": len(g.values)} for g in chosen]},
        "histories": {"classes": n_histories, "per_method": histories.per_method(subjects),
                      "boundaries": [day for day, _ in histories.boundaries(subjects)],
                      "horizon_days": histories.HORIZON, "later_attempts": histories.LATER, "exact": by_data}}
    return (method_findings(subjects, standard, regions)
            + gateway_findings(subjects, standard, ready, witnesses, ready_exact), summary)


def gateway_findings(subjects: list[SweptBody], standard: Standard, ready: dict[tuple[bool, ...], int],
                     witnesses: dict[tuple[bool, ...], dict[str, Any]],
                     exact: bool) -> list[tuple[Finding, dict[str, Any]]]:
    """A finding for each way the bodies split on readiness over every gateway profile: how many profiles, and
    the profile nearest to one every body accepts that shows it, with the requirements each body finds unmet."""
    out = []
    labels = [s.label for s in subjects]
    total = sum(ready.values())
    split = sorted(((j, n) for j, n in ready.items() if len(set(j)) > 1), key=lambda item: -item[1])
    for number, (joint, n) in enumerate(split, 1):
        data = profiles.profile(standard.id, subjects, witnesses[joint])
        results = {s.label: s.grade(data) for s in subjects}
        outcomes = {s.label: readiness(s, results[s.label]) for s in subjects}
        values = dict(zip(labels, joint, strict=True))
        cited = {label: [q.citation for q in r.gateway.requirements if q.id in r.gateway.unmet]
                 for label, r in results.items()}
        sides = sides_by(values, {label: o[0] for label, o in outcomes.items()}, cited,
                         readings={label: o[1] for label, o in outcomes.items()})
        space = "every gateway profile: every class of every requirement field the bodies check, in every combination"
        # each side as it says (a ready resting on a deferral says so), never one body's reason as another's
        summary = (f"Gateway readiness on {n:,} of {total:,} profiles ({_percent(n, total)}): "
                   + "; ".join(f"{names(side.bodies)}: {side.says}" for side in sides)
                   + f"; for example {profiles.described(witnesses[joint])}.")
        finding = Finding("gateway.profiles" + (f".{number}" if number > 1 else ""), "gateway", summary, sides, data,
                          {"row": "gateway_ready", "values": values}, n)
        out.append((finding, region(n, total, space, exact, unit=PROFILES)))
    return out

