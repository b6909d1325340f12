"""Consistency analysis for regulators: every divergence between the bodies offering one standard, each
proven by the smallest apprentice record that shows it, with the citations on every side.

The outcome sweeps (``sweeps``) grade generated records by every body and group the inputs on which bodies
disagree into findings, one per underlying rule difference; the catalogue comparison (``catalogue``)
compares the rules' data where no record is needed (thresholds, windows, tolerances, recommendations),
each body's self-consistency, its departures from the core's default pattern, and its versions.
"""

from __future__ import annotations

from typing import Any

import attrs

from epa.consistency import catalogue, complete, histories, profiles, quotes, rule_data, sweeps
from epa.consistency.findings import Finding, SweptBody, document_of
from epa.engine.compiled import Engine
from epa.errors import InputError
from epa.model.domain import Ambiguity, Grade
from epa.registry import Registry
from epa.rules.combination import COMBINATION

__all__ = ["Finding", "SweptBody", "analyse"]


def subjects(registry: Registry, standard: str, bodies: list[str] | None) -> list[SweptBody]:
    # a body named twice (by its id and its acronym, say) is analysed once
    chosen = list({b.body.id: b for b in map(registry.body, bodies)}.values()) if bodies \
        else list(registry.offering(standard))
    for b in chosen:
        if standard not in b.body.standards:
            raise InputError(f"{b.body.id} does not offer {standard}",
                             hint="bodies offering it: " + ", ".join(o.body.id for o in registry.offering(standard)))
    engine = Engine.of(registry)
    return [SweptBody(b, b.ruleset(standard), engine=engine) for b in chosen]


# What each sweep's findings count, where not inputs: a class of attempt history or a gateway profile stands for
# every history or profile like it, whatever the number of apprentices in it.
UNITS = {"resits": "classes of attempt history", "gateway": "gateway profiles swept"}

# What each sweep's findings are counted over: (the space, whether it is every input of its kind).
SWEPT = {"grading": ("every combination of component grades", True),
         "resits": ("every class of each method's attempt history, one method at a time (the others passed at "
                    "distinction first time): its first grade, then none or one resit or retake (the documents set "
                    "no limit; one is counted) of each grade, with or without exceptional circumstances, on a day "
                    "in each interval between the windows' and rework deadlines' last days, up to two years",
                    True),
         "gateway": ("the gateway profiles swept: levels, ages, EHCP, BSL, days on programme, counts and each "
                     "evidence item missing", False)}


def _swept_region(finding: Finding, cases: dict[str, int], current: list[SweptBody]) -> dict[str, Any] | None:
    """A swept finding's region: how many of its area's inputs show it (every combination, for grading)."""
    if finding.area not in SWEPT or not finding.cases or finding.id.startswith("criteria."):
        return None
    space, exact = SWEPT[finding.area]
    if finding.area == "resits" and not histories.by_the_data(current):
        space, exact = space + " (a body's own resit_policy hook may read the days otherwise: a sample of it)", False
    return complete.region(finding.cases, cases[finding.area], space, exact, unit=UNITS.get(finding.area, "inputs"))


# Why a finding has no count, by area: what no record shows, or where the inputs it changes are counted instead.
NOT_COUNTED = {
    "criteria": "not counted on its own: its witness is one input (this criterion alone unmet); every pattern of "
                "the method's criteria is counted in the criteria.<method>.patterns findings",
    "resits": "rule data compared: the attempt histories it changes are counted in the resits findings a record "
              "shows (capped, the whole EPA again)",
    "gateway": "rule data compared: the gateway profiles it changes are counted in the gateway.profiles findings",
    "deadlines": "rule data compared: where two or more bodies set deadlines on an event a record can date (a "
                 "journey date, each method's first attempt, a resit after a fail, a failed method's rework), their "
                 "verdicts on it are swept in findings of the event's own, deadlines.verdicts.<event> (then .2, .3: "
                 "each other way a day of the event splits them), each body's "
                 "deadlines counted from their own dates (one from gateway, another from the EPA's start), those "
                 "dates fixed (gateway, a journey date four weeks after it, the methods' first attempts a week "
                 "apart from then, one of them failed; a method's own first attempt, or the results' "
                 "notification, moved as the event's day); no such finding: no day of the event splits them on those "
                 "dates. The portfolio's lead time before the discussion is compared by its force too, "
                 "deadlines.portfolio-before-discussion",
    "tolerances": "no record shows this: on no value of the measure do two bodies' verdicts differ (a body stating "
                  "no tolerance gives none)",
    "recommendations": "no record shows this: rule data only (advice, never a failure: no outcome depends on it)",
    "self-consistency": "no record shows this: rule data only (the document's own words, which no outcome a record "
                        "gets tells apart)",
    "reference": "rule data only: a departure from the core's default pattern (the tool's reference, not a "
                 "document's words); the inputs it changes are counted in the grading and criteria findings, "
                 "where another body grades them otherwise",
    "versions": "rule data only: a change between two versions of one document (a record is graded by the "
                "version in force)",
    "conduct": "no record shows this: rule data only (a record carries nothing of it, and no outcome epa gives "
               "depends on it)",
}


def _not_counted(finding: Finding, bodies: int) -> dict[str, Any]:
    """The region of a finding no sweep counted: why, said plainly (a gateway evidence item leaving no body's
    readiness changed, a criterion's one input)."""
    if finding.area == "reference" and bodies == 1:
        # no other body, so no grading or criteria finding to count the inputs in: saying so would be false
        return complete.not_counted("rule data only: a departure from the core's default pattern (the tool's "
                                    "reference, not a document's words); one body is compared here, so no other "
                                    "body's grades count the inputs it changes")
    if finding.id == "deadlines.portfolio-before-discussion":
        return complete.not_counted("no record shows this: on no day of the portfolio's submission do two bodies' "
                                    "verdicts differ")
    if finding.id.startswith("gateway.evidence."):
        return complete.not_counted("no record shows this: leaving the item out changes no body's gateway readiness")
    if finding.area == "self-consistency" and finding.witness:
        return complete.not_counted("not counted: one input shows it (its witness); the document's rule is checked "
                                    "against itself, not swept")
    return complete.not_counted(NOT_COUNTED.get(finding.area, "no record shows this: rule data only"))


def _criterion_readings(found: list[Finding], current: list[SweptBody]) -> None:
    """A criterion finding's sides carry, as readings, each body's recorded ambiguities about that criterion: where
    it sits is, for that body, how the tool reads a garbled or unclear table (labelled, never the document's
    words)."""
    by_label = {s.label: s for s in current}
    for f in found:
        ident = f.id.removeprefix("criteria.")
        if f.area != "criteria" or ident.split(".")[-1] in ("distinction-set", "patterns"):
            continue
        for i, side in enumerate(f.sides):
            readings = [f"{a.id}: {a.reading}" for label in side.bodies if label in by_label
                        for a in by_label[label].ruleset.ambiguities
                        if any(c.lower() == ident or ident.startswith(f"{c.lower()}.") for c in a.criteria)]
            if readings:
                f.sides[i] = attrs.evolve(side, readings=tuple(dict.fromkeys((*side.readings, *readings))))


def _table_readings(found: list[Finding], current: list[SweptBody]) -> None:
    """A grading finding's sides carry, as readings, each body's recorded ambiguities about its combination table
    (``rules: [combination]``) that decide one of the finding's combinations: the overall grade a garbled or
    incomplete table gives is, for that body, how the tool reads it (labelled, never the document's words), and
    the finding rests on it where it holds a combination the reading decides (``Ambiguity.combinations``, named
    beside it). A reading naming none is shown beside each, saying it may not bear on it. So does a body's
    reference finding on its printed table (the combinations it grades otherwise than the core's default
    pattern): what the table prints there may be the reading's."""
    by_label = {s.label: s for s in current}
    for f in found:
        # a grading finding, or a body's printed table against the core's default pattern (its combinations)
        if f.area != "grading" and not (f.area == "reference" and f.inputs):
            continue
        for i, side in enumerate(f.sides):
            readings = [said for label in side.bodies if label in by_label
                        for a in by_label[label].ruleset.ambiguities if COMBINATION in a.rules
                        if (said := _table_reading(a, f.inputs))]
            if readings:
                f.sides[i] = attrs.evolve(side, readings=tuple(dict.fromkeys((*side.readings, *readings))))


def _table_reading(a: Ambiguity, combinations: list[dict[str, Grade]]) -> str | None:
    """A combination reading as a grading finding's side shows it: the finding's combinations it decides, or
    that it names none; None where it decides none of the finding's."""
    if not a.combinations:
        return f"{a.id} (a reading of the combination table that does not say which combinations it decides: it " \
               f"may not bear on this finding): {a.reading}"
    decided = [c for c in combinations if c in a.combinations]
    if not decided:
        return None
    shown = "; ".join(", ".join(f"{m} {g}" for m, g in c.items()) for c in decided)
    return f"{a.id} (decides {len(decided)} of this finding's {len(combinations)} combinations: {shown}): {a.reading}"


def _same_split(swept: list[Finding], counted: list[Finding]) -> None:
    """A swept gateway finding (one profile, its cause) says which counted finding holds its split over every
    profile, so that the two are not read as two divergences."""
    exact = {(f.shows["row"], tuple(sorted(f.shows["values"].items()))): f.id for f in counted
             if f.id.startswith("gateway.profiles") and f.shows}
    for f in swept:
        if f.id.startswith("gateway.ready") and f.shows:
            same = exact.get((f.shows["row"], tuple(sorted(f.shows["values"].items()))))
            f.summary += (f" (One swept profile and its cause; the same split counted over every profile, whatever "
                          f"its cause: {same.replace('_', '-')}.)" if same else "")


def _item_region(finding: Finding, alone: dict[str, dict[tuple[bool, ...], int]], gateway: dict[str, Any],
                 current: list[SweptBody]) -> dict[str, Any] | None:
    """A gateway evidence finding's region: the profiles its item alone splits as its witness does."""
    if not finding.id.startswith("gateway.evidence.") or not finding.shows:
        return None
    item = finding.id.removeprefix("gateway.evidence.").replace("-", "_")
    joint = tuple(finding.shows["values"][s.label] for s in current)
    return complete.region(alone.get(item, {}).get(joint, 0), gateway["profiles"],
                           f"every gateway profile: those in which the {item.replace('_', ' ')} alone (missing or "
                           "not recorded) splits the bodies as the witness does, every other requirement met",
                           gateway["exact"], unit=complete.PROFILES)


def analyse(registry: Registry, standard: str, bodies: list[str] | None = None) -> dict[str, Any]:
    """What ``epa consistency --format json`` prints (see ``schemas/consistency.schema.json``)."""
    current = subjects(registry, standard, bodies)
    definition = registry.standard(standard)
    found, cases = sweeps.run(current, definition)
    found += sweeps.older_versions(current, definition, found)
    # a criterion a body prints as a fragment of another is a self-consistency finding, not a rule difference
    repeated = tuple(f"criteria.{c.lower()}" for c in catalogue.repeated_criteria(current))
    found = [f for f in found if not any(f.id == r or f.id.startswith(f"{r}.") for r in repeated)]
    counted, summary = complete.analyse(current, definition)
    # The patterns graded one by one are inputs evaluated; the 2^n patterns a counted method covers are not (each
    # graded pattern stands for those alike to it), so they are reported apart, as covered by counting.
    cases["criteria patterns"] = sum(r["graded"] for r in summary["methods"])
    covered = {"criteria patterns": sum(r["patterns"] for r in summary["methods"] if r["sampled"] is None)}
    _same_split(found, [f for f, _ in counted])
    _criterion_readings(found, current)
    stated = catalogue.compare(current, definition) + rule_data.compare(current, standard)
    _table_readings([*found, *stated], current)
    quotes.quote([*found, *(f for f, _ in counted), *stated], current)
    documents = {s.label: document_of(s) for s in current} | {
        f"{s.id}@{r.document.version}": document_of(attrs.evolve(s, ruleset=r, pinned=True))
        for s in current for r in s.loaded.body.rulesets_for(standard)}
    findings = [{**f.as_data(documents), "region": _swept_region(f, cases, current) or _not_counted(f, len(current))}
                for f in found]
    findings += [{**f.as_data(documents), "region": r} for f, r in counted]
    # A stated finding a record shows (an evidence item one body requires at gateway) is as large as the gateway
    # profiles in which that item alone, missing or not recorded, splits the bodies as its witness does.
    alone = profiles.alone(standard, current)
    findings += [{**f.as_data(documents), "region": f.region or _item_region(f, alone, summary["gateway"], current)
                  or _not_counted(f, len(current))} for f in stated]
    return {
        "standard": standard,
        "bodies": [{"id": s.label, "name": s.loaded.body.name,
                    "documents": [{"file": r.document.file, "title": r.document.title, "version": r.document.version}
                                  for r in s.loaded.body.rulesets_for(standard)],
                    "ambiguities": [{"id": a.id, "citation": a.citation, "text_says": a.text_says,
                                     "reading": a.reading, "contradiction": a.contradiction}
                                    for a in s.ruleset.ambiguities]} for s in current],
        "cases": cases,
        "counted": covered,
        "complete": summary,
        "findings": findings,
        "heatmaps": {"combinations": sweeps.combination_map(current), "criteria": catalogue.criteria_map(current,
                                                                                                       definition)},
    }
