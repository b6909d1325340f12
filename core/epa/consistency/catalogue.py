"""The catalogue comparison: the rules' data side by side where no record is needed, each body's
self-consistency, and its departures from the core's default pattern (the tool's reference, not a document's)."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from epa.conformance.checks import CHECKS, Skip
from epa.conformance.checks import CheckedBody as CheckSubject
from epa.consistency import journeys
from epa.consistency.findings import Finding, Quote, Side, SweptBody, names, sides_by
from epa.model.domain import Ambiguity, Grade, Recommendation, Ruleset, Standard
from epa.rules import history as attempt_history
from epa.rules.deadlines import NO_START_STATED, from_reading
from epa.rules.tolerances import no_tolerance_stated
from epa.views.variants import default_pattern, span, variants


def _by_value(area: str, slug: str, what: str, values: dict[str, str], citations: dict[str, list[str]],
              quotes: dict[str, list[tuple[str, str]]] | None = None,
              readings: dict[str, list[str]] | None = None) -> Finding | None:
    if len(set(values.values())) < 2:
        return None
    sides = sides_by(values, values, citations, quotes, readings)
    return Finding(f"{area}.{slug}", area, f"{what}: " + "; ".join(f"{names(s.bodies)}: {s.says}" for s in sides) + ".",
                   sides)


def thresholds(subjects: list[SweptBody], standard: Standard) -> list[Finding]:
    out = []
    for method in standard.method_ids:
        if not any((rule := s.ruleset.component_rules.get(method)) and rule.distinction_threshold for s in subjects):
            continue  # all-or-nothing everywhere: the distinction-set finding already shows what differs
        values, cited, quoted = {}, {}, {}
        for s in subjects:
            rule = s.ruleset.component_rules.get(method)
            quoted[s.label] = [(rule.text, rule.citation)] if rule else []
            counted = len(s.ruleset.criteria_for(method, "distinction"))
            values[s.label] = (f"distinction with {rule.distinction_threshold} of {counted} distinction criteria"
                               if rule and rule.distinction_threshold else f"distinction with all {counted}"
                               if counted else "no distinction criteria (pass at most)")
            cited[s.label] = [rule.citation] if rule else []
        if (f := _by_value("criteria", f"{method}.threshold", f"The {method}'s distinction threshold", values, cited,
                           quoted)):
            out.append(f)
    return out


def resit_rules(subjects: list[SweptBody]) -> list[Finding]:
    out = []
    caps, windows, rework, cited_caps, cited_windows, cited_rework = {}, {}, {}, {}, {}, {}
    quotes: dict[str, dict[str, list[tuple[str, str]]]] = {"cap": {}, "windows": {}, "rework": {}}
    readings: dict[str, list[str]] = {}
    cap_readings: dict[str, list[str]] = {}
    for s in subjects:
        resit = s.ruleset.journey.resit if s.ruleset.journey else None
        if resit is None:
            caps[s.label] = windows[s.label] = rework[s.label] = "no resit rules encoded"
            continue
        # a cap the tool reads from an ambiguous sentence (Highfield's "The maximum grade awarded to a resit will be
        # pass": a resit only, and its own grade) says so, as a tolerance read so does: not the document's words
        read = attempt_history.cap_readings(s.ruleset.ambiguities)
        caps[s.label] = f"{' and '.join(resit.cap.applies_to)} capped at {resit.cap.grade}" \
                        f"{attempt_history.capped_grade(resit.cap)}, {attempt_history.cap_lift(resit.cap)}" \
                        f"{_on_reading(read)}"
        cap_readings[s.label] = [f"{a.id}: {a.reading}" for a in read]
        cited_caps[s.label] = [resit.cap.citation]
        quotes["cap"][s.label] = [(resit.cap.text, resit.cap.citation)]
        windows[s.label] = "; ".join(f"{_within(w)}{_advice(w)}{_missed(w)}" for w in resit.windows) or "no window"
        cited_windows[s.label] = [w.citation for w in resit.windows]
        quotes["windows"][s.label] = [(w.text, w.citation) for w in resit.windows]
        readings[s.label] = [anchor_reading(w) for w in resit.windows if w.from_reading]
        rework[s.label] = "; ".join(f"{r.method} reworked within {span(r.offset)}" for r in resit.rework) or "none"
        cited_rework[s.label] = [r.citation for r in resit.rework]
        quotes["rework"][s.label] = [(r.text, r.citation) for r in resit.rework]
    for slug, what, values, cited in (("cap", "The resit and retake cap", caps, cited_caps),
                                      ("windows", "Resit and retake windows", windows, cited_windows),
                                      ("rework", "Rework", rework, cited_rework)):
        if (f := _by_value("resits", slug, what, values, cited, quotes[slug],
                           {"windows": readings, "cap": cap_readings}.get(slug))):
            out.append(f)
    return out


def _missed(window: Any) -> str:
    """What its document states follows a window missed: the whole EPA again (and whether exceptional circumstances
    lift that), or no consequence; two windows of one length with different consequences are different rules."""
    if window.consequence != "full_retake":
        return ", missed: the document states no consequence"
    return ", missed: the whole EPA again" + (" unless exceptional circumstances apply"
                                              if window.exceptional_circumstances_lift else "")


def _within(rule: Any) -> str:
    """A window or deadline in words; where the document states no date to count from, the date is the tool's
    reading and is said to be, in the words every output uses (``deadlines.FROM_READING``)."""
    return span(rule.offset, rule.from_) + from_reading(rule)


def anchor_reading(rule: Any) -> str:
    """A side's reading that its rule counts from a date the document does not state (``deadlines.NO_START_STATED``),
    shown among the side's readings: "epa-window: 3 months from gateway; the document does not say ..."."""
    # (a rework counts from the fail's notification: it names no date of its own)
    return f"{rule.id}: {span(rule.offset, getattr(rule, 'from_', 'fail_notified'))}; {NO_START_STATED}"


# A gateway requirement's force as its document words it: 'should' is advice, 'can' a permission, and neither is
# shown as the other ('not mandatory' said both).
GATEWAY_FORCE = {"mandatory": "mandatory", "recommended": "recommended: advice, never a failure",
                 "optional": "optional: a permission"}


def gateway_rules(subjects: list[SweptBody]) -> list[Finding]:
    """Gateway requirements with a check, compared by what they check (English and maths, time on programme,
    portfolio and proposal sizes) and by when: those checked at gateway apart from those checked before an
    assessment (``stage``), which decide no gateway."""
    out = []
    kinds = ("english_maths", "days_on_programme", "months_on_programme", "count")
    for kind, (stage, suffix, what) in itertools.product(kinds, (
            ("gateway", "", "Gateway rules on {kind}"),
            ("before_assessment", ".before-assessment", "Rules on {kind} checked before an assessment, not at "
                                                        "gateway"))):
        values, cited, quoted = {}, {}, {}
        for s in subjects:
            # a requirement deferring to the funding rules is stated: it is shown as stated, deferred
            rules = [g for g in (s.ruleset.journey.gateway if s.ruleset.journey else ())
                     if g.stage == stage and g.check
                     and (getattr(g.check, kind) is not None
                          or (kind == "english_maths" and g.check.deferred is not None))]
            values[s.label] = "; ".join(f"{g.name} ({GATEWAY_FORCE.get(g.strength, g.strength)}"
                                        + (f"; deferred to {g.check.deferred.to}" if g.check and g.check.deferred
                                           else "") + ")" for g in rules) or "none"
            cited[s.label] = [g.citation for g in rules]
            quoted[s.label] = [(g.text, g.citation) for g in rules]
        if (f := _by_value("gateway", f"rules.{kind.replace('_', '-')}{suffix}",
                           what.format(kind=kind.replace('_', ' ')), values, cited, quoted)):
            out.append(f)
    return out


def deadlines(subjects: list[SweptBody]) -> list[Finding]:
    values, cited, quoted, readings = {}, {}, {}, {}
    for s in subjects:
        rules = s.ruleset.journey.deadlines if s.ruleset.journey else ()
        values[s.label] = "; ".join(f"{d.name} ({_within(d)}){_advice(d)}" for d in rules) or "none"
        cited[s.label] = [d.citation for d in rules]
        quoted[s.label] = [(d.text, d.citation) for d in rules]
        readings[s.label] = [anchor_reading(d) for d in rules if d.from_reading]
    f = _by_value("deadlines", "all", "Deadlines", values, cited, quoted, readings)
    return [f] if f else []


def tolerances(subjects: list[SweptBody], standard: Standard) -> list[Finding]:
    out = []
    measures = sorted({(t.method, t.measure) for s in subjects if s.ruleset.journey
                       for t in s.ruleset.journey.tolerances})
    for method, measure in measures:
        values, cited, quoted, readings = {}, {}, {}, {}
        for s in subjects:
            found = [t for t in (s.ruleset.journey.tolerances if s.ruleset.journey else ())
                     if (t.method, t.measure) == (method, measure)]
            read = {t.id: [a for a in s.ruleset.ambiguities if t.id in a.rules] for t in found}
            # a duration means different time where one body's questioning is inside it and another's after it
            within = [c for c in (s.ruleset.journey.conduct if s.ruleset.journey else ())
                      if c.aspect == "questioning_in_duration" and c.about == method] \
                if measure == "duration_minutes" and found else []
            values[s.label] = "; ".join(_tolerance(t) + _on_reading(read[t.id]) for t in found) + "".join(
                f" ({_QUESTIONING.get(c.value, c.says)})" for c in within) or "not stated"
            if found and not within and measure == "duration_minutes" and _questioning_stated(subjects, method):
                values[s.label] += " (whether questioning is inside it: not stated)"
            cited[s.label] = [t.citation for t in found] + [c.citation for c in within]
            quoted[s.label] = [(t.text, t.citation) for t in found] + [(c.text, c.citation) for c in within]
            readings[s.label] = [f"{a.id}: {a.reading}" for a in dict.fromkeys(a for t in found for a in read[t.id])]
        slug = f"{method}.{measure.replace('_', '-')}"
        if (f := _by_value("tolerances", slug, f"The {method}'s {measure.replace('_', ' ')}", values, cited,
                           quoted, readings)):
            out.append(journeys.witnessed(f, journeys.tolerance(subjects, method, measure)))
    return out


def _on_reading(ambiguities: list[Ambiguity]) -> str:
    """A tolerance whose figure is the tool's reading of an ambiguous sentence (a recorded ambiguity naming it in
    ``rules``) says so, naming the ambiguity: its reading stands on the side's readings."""
    return f" (on the tool's reading: {', '.join(a.id for a in ambiguities)})" if ambiguities else ""


_QUESTIONING = {"included": "questioning inside it", "after_the_observation": "questioning after it, not counted in it"}


def _questioning_stated(subjects: list[SweptBody], method: str) -> bool:
    return any(c.aspect == "questioning_in_duration" and c.about == method
               for s in subjects for c in (s.ruleset.journey.conduct if s.ruleset.journey else ()))


def _tolerance(t: Any) -> str:
    parts = [f"{t.nominal:g}" if t.nominal is not None else ""]
    if t.minus_percent is not None or t.plus_percent is not None:
        parts.append(f"-{t.minus_percent or 0:g}%/+{t.plus_percent or 0:g}%")
    elif no_tolerance_stated(t):
        # a figure with no tolerance is reported against, never judged (no_tolerance_stated): not 'exactly 60'
        parts.append("(no tolerance stated)")
    if t.max is not None:
        parts.append(f"at most {t.max:g}")
    if t.max_percent_of_duration is not None:
        parts.append(f"at most {t.max_percent_of_duration:g}% of the duration")
    return " ".join(p for p in parts if p) + _advice(t)


def _advice(rule: Any) -> str:
    """A rule whose sentence is advice ('should') is compared as such: the data, never a failure."""
    return " (advice)" if getattr(rule, "strength", "required") == "advice" else ""


def recommendations(subjects: list[SweptBody]) -> list[Finding]:
    """Per topic (order, lead time, duration...), what each body advises: advice, never a failure."""
    out = []
    advised: dict[str, list[Any]] = {}
    for s in subjects:
        journey = s.ruleset.journey
        # a lead time worded 'should' is stored as an advice deadline, not a recommendation: it is advice on lead
        # time all the same
        lead = [Recommendation(d.id, "lead_time", d.text, d.citation) for d in (journey.deadlines if journey else ())
                if d.strength == "advice"]
        # and a duration or word count worded 'should' is stored as an advice tolerance (the questioning's "should
        # not exceed 15% of the total time", 004 § 2.5, 003 § Questioning Session): advice on duration, or on what
        # the report holds; without it a body advising only that was said to state no advice on duration
        limits = [Recommendation(t.id, "evidence" if t.measure == "words" else "duration", t.text, t.citation)
                  for t in (journey.tolerances if journey else ()) if t.strength == "advice"]
        advised[s.label] = [*(journey.recommendations if journey else ()), *lead, *limits]
    for topic in sorted({r.topic for recs in advised.values() for r in recs}):
        values = {label: " / ".join(f"“{r.text}”" for r in recs if r.topic == topic) or "none stated"
                  for label, recs in advised.items()}
        cited = {label: [r.citation for r in recs if r.topic == topic] for label, recs in advised.items()}
        quoted = {label: [(r.text, r.citation) for r in recs if r.topic == topic] for label, recs in advised.items()}
        # advice that is the tool's reading of its sentence (a 'must' among 'should's) names its recorded ambiguity
        readings = {s.label: [f"{a.id}: {a.reading}" for a in s.ruleset.ambiguities
                              if {r.id for r in advised[s.label] if r.topic == topic} & set(a.rules)] for s in subjects}
        if (f := _by_value("recommendations", topic.replace("_", "-"),
                           f"Advice on {topic.replace('_', ' ')} (never a failure)", values, cited, quoted, readings)):
            out.append(f)
    return out


def _cited(r: Ruleset, entry: str | None) -> str:
    """Where the document states what a self-consistency problem is about: a method's component rule (a
    threshold, ``$.component_rules.<method>...``), else the combination table."""
    parts = (entry or "").split(".")
    if len(parts) > 2 and parts[1] == "component_rules" and parts[2] in r.component_rules:
        return r.component_rules[parts[2]].citation
    return r.combination.citation


def self_consistency(subjects: list[SweptBody], standard: Standard) -> list[Finding]:
    """Each body against itself: tables with gaps, overlaps or a non-monotone order, thresholds over their
    criteria (the conformance checks), and the contradictions its document's recorded ambiguities describe."""
    from epa.registry import Registry

    out = []
    checks = [c for c in CHECKS if c.id in ("table", "better-never-lowers-overall", "thresholds")]
    for s in subjects:
        r = s.ruleset
        # A printed table with gaps (a document that prints none, or a body whose own hook combines, has none).
        if r.combination.rows and not r.combination.complete and "combine_grades" not in s.loaded.own_hooks:
            combos = [dict(zip(r.method_ids, g, strict=True)) for g in itertools.product(list(Grade),
                                                                                        repeat=len(r.method_ids))]
            gaps = sum(1 for combo in combos if not any(row.matches(combo) for row in r.combination.rows))
            out.append(Finding(f"self-consistency.{s.label}.table-incomplete", "self-consistency",
                               f"{s.loaded.body.name}'s printed combination table has no row for {gaps} of the "
                               f"{3 ** len(r.method_ids)} combinations; the rule in words decides them.",
                               [Side((s.label,), "the printed table is incomplete",
                                     {s.label: (r.combination.citation, r.combination.rule_in_words.citation)})],
                               cases=gaps))
        # the self-consistency checks read no source document: the sources folder is never consulted
        subject = CheckSubject(s.loaded, r, Registry([]), Path())
        for check in checks:
            try:
                problems = list(check.run(subject))
            except Skip:
                continue
            for i, p in enumerate(problems):
                out.append(Finding(f"self-consistency.{s.label}.{check.id}.{i + 1}", "self-consistency",
                                   f"{s.loaded.body.name}: {p.message} (expected {p.expected}).",
                                   [Side((s.label,), p.message, {s.label: (_cited(r, p.entry),)})],
                                   p.record, None, 1))
        for a in r.ambiguities:
            if a.contradiction:
                # two deadlines its reading keeps both of: a record shows them disagreeing
                out.append(journeys.witnessed(
                    Finding(f"self-consistency.{s.label}.{a.id}", "self-consistency",
                            f"{s.loaded.body.name}'s document is inconsistent with itself: {a.text_says}",
                            [Side((s.label,), f"read as: {a.reading}", {s.label: (a.citation,)},
                                  (Quote(s.label, a.text_says, a.citation),), (a.reading,))]),
                    journeys.contradiction(s, a.rules) if a.rules else None))
        for c in r.criteria:
            if c.repeats and (repeated := r.criterion(c.repeats)):
                out.append(Finding(f"self-consistency.{s.label}.{c.id}-repeats-{c.repeats}", "self-consistency",
                                   f"{s.loaded.body.name}'s document prints {c.id} (“{c.text}”), a fragment "
                                   f"repeating {c.repeats}; it is graded as printed, and not compared with other "
                                   "bodies as a criterion of its own.",
                                   [Side((s.label,), f"{c.id} repeats {c.repeats}", {s.label: (c.citation,)},
                                         (Quote(s.label, c.text, c.citation),
                                          Quote(s.label, repeated.text, repeated.citation)))]))
    return out


def repeated_criteria(subjects: list[SweptBody]) -> set[str]:
    """The criteria some body prints as a fragment or duplicate of another (``repeats``): a difference in where
    bodies place them is the printing, not a rule, so they are not compared as criteria of their own."""
    return {c.id for s in subjects for c in s.ruleset.criteria if c.repeats}


# What the reference is: the core's defaults, which no document here gives as the assessment plan's own words (the
# plan itself is not among them), so a departure is from the pattern the tool assumes, not a proven breach of a plan.
PATTERN = {"combination": "a distinction overall only with a distinction in every method",
           "threshold": "a method's distinction only with every distinction criterion"}


def reference(subjects: list[SweptBody]) -> list[Finding]:
    """Each body against the core's default pattern (``PATTERN``), said as that: the
    documents here do not print the plan's own rule. A threshold's finding quotes that method's rule alone."""
    out = []
    for s in subjects:
        for v in variants(s.ruleset, s.loaded):
            if v["kind"] in ("combination", "threshold"):
                rule = next((r for m, r in s.ruleset.component_rules.items() if v["says"].startswith(f"{m}: ")),
                            None) if v["kind"] == "threshold" else None
                quoted = (Quote(s.label, rule.text, rule.citation),) if rule else ()
                out.append(Finding(f"reference.{s.label}.{v['kind']}", "reference",
                                   f"{s.loaded.body.name} departs from the core's default pattern "
                                   f"({PATTERN[v['kind']]}: the tool's reference; no document here prints the "
                                   f"assessment plan's own rule): {v['says']}.",
                                   [Side((s.label,), v["says"], {s.label: (v["citation"],)}, quoted)],
                                   inputs=_printed_otherwise(s) if v["kind"] == "combination" else []))
    # ids stay unique: a body with several thresholds has one finding per threshold
    seen: dict[str, int] = {}
    for f in out:
        seen[f.id] = seen.get(f.id, 0) + 1
        if seen[f.id] > 1:
            f.id += f".{seen[f.id]}"
    return out


def _printed_otherwise(s: SweptBody) -> list[dict[str, Grade]]:
    """The combinations a body's printed table grades otherwise than the core's default pattern: the inputs of its
    reference finding, by which a reading of its table (``rules: [combination]``) that decides one is shown beside
    it, as beside a grading finding (none where its own hook combines: no printed row decides)."""
    r = s.ruleset
    if "combine_grades" in s.loaded.own_hooks:
        return []
    out = []
    for grades in itertools.product(list(Grade), repeat=len(r.method_ids)):
        combo = dict(zip(r.method_ids, grades, strict=True))
        row = next((row for row in r.combination.rows if row.matches(combo)), None)
        if row is not None and row.overall != default_pattern(grades):
            out.append(combo)
    return out


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k.replace('_', ' ')} {_shown(v)}" for k, v in value.items())
    return "none" if value is None else str(value)


def versions(subjects: list[SweptBody], standard: Standard) -> list[Finding]:
    """What changed between consecutive versions of each body's document (``epa diff``), cited."""
    from epa.rules.versions import diff

    out = []
    for s in subjects:
        history = s.loaded.body.rulesets_for(standard.id)
        for older, newer in itertools.pairwise(history):
            old, new = f"{s.id}@{older.document.version}", f"{s.id}@{newer.document.version}"
            for i, change in enumerate(d for d in diff(older, newer, history) if d["kind"] != "document"):
                cited = [change["citation"]] if change["citation"] else []
                cited += [c["citation"] for c in change["declared"]]
                fid = f"versions.{s.id}.{older.document.version}-{newer.document.version}.{i + 1}"
                what = f"{s.loaded.body.name}, version {older.document.version} to {newer.document.version}: "
                if change["kind"] in LOGGED:
                    # a change-log entry the rules do not record: no value before or after, the log's own words
                    out.append(Finding(fid, "versions", f"{what}{change['summary']} ({LOGGED[change['kind']]}).",
                                       [Side((new,), LOGGED[change["kind"]], {new: tuple(dict.fromkeys(cited))},
                                             tuple(Quote(new, change["says"], c) for c in cited[:1]))]))
                    continue
                out.append(Finding(
                    fid, "versions", f"{what}{change['summary']}.",
                    [Side((old,), f"before: {_shown(change['from'])}", {old: ()}),
                     Side((new,), f"after: {_shown(change['to'])}", {new: tuple(dict.fromkeys(cited))},
                          tuple(Quote(new, c["says"], c["citation"]) for c in change["declared"]))]))
    return out


# What a version's change log states that its rules do not record (``epa diff``'s ``not_encoded``), or leaves out
# (``not_described``): words of the log, never a value the rules hold before or after.
LOGGED = {"not_encoded": "stated by the change log; nothing in the rules records it",
          "not_described": "the change log's entry does not describe it; nothing in the rules records it"}


def criteria_map(subjects: list[SweptBody], standard: Standard) -> list[dict[str, Any]]:
    return [{"id": t.id, "text": " ".join(t.text.split()),
             "placement": {s.label: ({"method": c.method, "level": c.level} if (c := s.ruleset.criterion(t.id))
                                     else None) for s in subjects}}
            for t in standard.criteria]


def compare(subjects: list[SweptBody], standard: Standard) -> list[Finding]:
    return (thresholds(subjects, standard) + resit_rules(subjects) + gateway_rules(subjects) + deadlines(subjects)
            + tolerances(subjects, standard) + recommendations(subjects) + self_consistency(subjects, standard)
            + reference(subjects) + versions(subjects, standard))
