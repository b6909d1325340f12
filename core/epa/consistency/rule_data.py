"""Rule data compared where an outcome sweep cannot show the difference, or shows it only inside another finding:
how an assessment is conducted and who decides (the journey files' ``conduct``), the force of the portfolio's
lead time before the discussion, the bodies' verdicts on each event their deadlines govern whatever date each
counts from (a record shows them), what each body asks for at gateway item by item, how many resits and retakes
each allows, and whether a retake goes through gateway again. Each side quotes its document's words; a body that
states nothing is said to.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from epa.consistency import journeys
from epa.consistency.catalogue import anchor_reading
from epa.consistency.complete import not_counted
from epa.consistency.findings import Finding, SweptBody, cause, names, pins, record, sides_by
from epa.model.domain import (
    CONDUCT_ASPECTS,
    NONE_STATED,
    Conduct,
    Consequence,
    DeadlineRule,
)
from epa.rules.deadlines import EVENT_WORDS, from_reading
from epa.rules.history import attempts_rule
from epa.views.report import RESIT, REWORK, counted_back, verdict
from epa.views.variants import span

NOT_STATED = "states nothing on it"

_ASPECTS = {"mode": "How the {about} is held", "project_subject": "Who agrees the {about}'s subject, and when",
            "mocks": "Mock assessments", "questioning_in_duration": "Whether the {about}'s questioning is inside its "
                                                                    "stated duration"}


def _finding(fid: str, area: str, what: str, values: dict[str, Any], says: dict[str, str],
             cited: dict[str, list[str]], quotes: dict[str, list[tuple[str, str]]],
             witness: dict[str, Any] | None = None, shows: dict[str, Any] | None = None,
             readings: dict[str, list[str]] | None = None) -> Finding | None:
    if len(set(values.values())) < 2:
        return None
    sides = sides_by(values, says, cited, quotes, readings)
    return Finding(fid, area, f"{what}: " + "; ".join(f"{names(s.bodies)}: {s.says}" for s in sides) + ".", sides,
                   witness, shows, 1 if witness else 0)


def _advice(rule: Any) -> str:
    return " (advice)" if getattr(rule, "strength", "required") == "advice" else ""


def conduct(subjects: list[SweptBody]) -> list[Finding]:
    """Per aspect (and method), what each body's document says; a body silent on it is shown as silent."""
    stated: dict[str, list[Conduct]] = {s.label: list(s.ruleset.journey.conduct if s.ruleset.journey else ())
                                        for s in subjects}
    keys = sorted({(c.aspect, c.about or "") for rules in stated.values() for c in rules},
                  key=lambda k: (CONDUCT_ASPECTS.index(k[0]), k[1]))
    out = []
    by_label = {s.label: s for s in subjects}
    for aspect, about in keys:
        values, says, cited, quotes, readings = {}, {}, {}, {}, {}
        for label, rules in stated.items():
            found = [c for c in rules if (c.aspect, c.about or "") == (aspect, about)]
            values[label] = tuple(sorted(f"{c.value}{_advice(c)}" for c in found)) or NOT_STATED
            says[label] = "; ".join(f"{c.says}{_advice(c)}" for c in found) or NOT_STATED
            cited[label] = [c.citation for c in found]
            quotes[label] = [(c.text, c.citation) for c in found]
            readings[label] = _recorded(by_label[label], aspect, about, found)
        slug = aspect.replace("_", "-") + (f".{about}" if about else "")
        what = _ASPECTS[aspect].format(about=about or "assessment")
        if (f := _finding(f"conduct.{slug}", "conduct", what, values, says, cited, quotes, readings=readings)):
            if aspect == "questioning_in_duration" and about:
                f = journeys.witnessed(f, journeys.questioning(subjects, about))
            if f.region is None:
                f.region = not_counted(f"no record shows this: rule data only ({what[0].lower()}{what[1:]}: a "
                                       "record carries nothing of it, and no outcome epa gives depends on it)")
            out.append(f)
    return out


def _recorded(s: SweptBody, aspect: str, about: str, found: list[Conduct]) -> list[str]:
    """A body's recorded ambiguities on an aspect, as its side's readings: those naming its rule on it, or, for
    the questioning inside a duration, its tolerances on that method (a body silent on the aspect may record why,
    as NQual does of its observation's 60 minutes beside its mock's 60 and 15)."""
    ids = {c.id for c in found}
    if aspect == "questioning_in_duration":
        ids |= {t.id for t in (s.ruleset.journey.tolerances if s.ruleset.journey else ()) if t.method == about}
    return [f"{a.id}: {a.reading}" for a in s.ruleset.ambiguities if ids & set(a.rules)]


def portfolio_before_discussion(subjects: list[SweptBody]) -> list[Finding]:
    """The portfolio's lead time before the professional discussion, compared by its force ('should' or 'must')
    and its length: a deadline on the portfolio counted back from the discussion."""
    values, says, cited, quotes = {}, {}, {}, {}
    for s in subjects:
        found = [d for d in (s.ruleset.journey.deadlines if s.ruleset.journey else ())
                 if d.event == "portfolio_submitted" and d.from_ == "discussion"]
        values[s.label] = tuple(sorted((d.strength, str(d.offset)) for d in found)) or NOT_STATED
        says[s.label] = "; ".join(f"{span(d.offset)} before the discussion, "
                                  + ("advice ('should'): a miss is never a failure" if d.strength == "advice"
                                     else "required ('must')") for d in found) or NOT_STATED
        cited[s.label] = [d.citation for d in found]
        quotes[s.label] = [(d.text, d.citation) for d in found]
    f = _finding("deadlines.portfolio-before-discussion", "deadlines",
                 "The portfolio's submission before the professional discussion", values, says, cited, quotes)
    if f is None:
        return []
    return [journeys.witnessed(f, journeys.deadline(subjects, "portfolio_submitted", "discussion"))]


def deadline_verdicts(subjects: list[SweptBody], told: Sequence[dict[str, Any]] = ()) -> list[Finding]:
    """Per event two or more bodies' deadlines govern (a resit after a fail: the resit and retake windows; a failed
    method's rework), whether some record splits their verdicts on it (met against
    missed; a required deadline's miss against advice's), whatever date each body counts from: a finding for each
    way the classes of the event's day split them (``journeys.event``), in the order of the earliest day that does
    (``deadlines.verdicts.<event>``, then ``.2``, ``.3``...), its witness that day, each side quoting the deadlines
    that decided its verdict there, with its due date and the readings it rests on (an anchor the document does not
    state, the body's recorded ambiguities on those deadlines). An event whose deadlines no record can split (the
    same anchor, length and force at every body) makes no finding. A split that a deadline row of the event's own
    tells is shown on that row (``journeys.telling``); one another finding's witness shows already (``told``: its
    row and verdicts, the portfolio's required two weeks before the discussion beside NQual's advice) is not told
    again."""
    ruled = {s.label: [(d.event, d) for d in (s.ruleset.journey.deadlines if s.ruleset.journey else ()) if d.event]
             + [(d.from_, d) for d in (s.ruleset.journey.deadlines if s.ruleset.journey else ())
                if counted_back(d, s.ruleset.method_ids)]
             + _after_a_fail(s) for s in subjects}
    events = dict.fromkeys(event for found in ruled.values() for event, _ in found)
    out = []
    for event in events:
        if sum(1 for found in ruled.values() if any(e == event for e, _ in found)) < 2:
            continue
        every = journeys.after_a_fail(subjects, event) if event in (RESIT, REWORK) else journeys.event(subjects, event)
        every = [shown for shown in every if not any(shown.shows["row"] == t["row"]
                                                     and shown.shows["values"] == t["values"] for t in told)]
        for n, shown in enumerate(every, 1):
            f = _event_finding(subjects, ruled, event, shown, n, len(every))
            if f is not None:
                out.append(journeys.witnessed(f, shown))
    return out



def _event_finding(subjects: list[SweptBody], ruled: dict[str, list[tuple[str, Any]]], event: str,
                   shown: journeys.Shown, n: int, of: int) -> Finding | None:
    """The ``n``th of the ``of`` ways the days of ``event`` split the bodies, as a finding: each side quoting the
    deadlines that decided its verdict on the witness."""
    values = shown.shows["values"]
    says, cited, quotes, readings = {}, {}, {}, {}
    for s in subjects:
        found = [rule for e, rule in ruled[s.label] if e == event]
        # each rule's deadlines on the witness (a window's or rework's id is its rule's, then the fail's method)
        given = {rule.id: [d for d in s.grade(shown.witness).deadlines if d.id.split(".", 1)[0] == rule.id]
                 for rule in found}
        # the rules that decided the body's verdict: those giving it (all of them, where all are kept)
        deciding = [rule for rule in found if any(verdict(d.status, d.strength) == values[s.label]
                                                  for d in given[rule.id])] or found
        anchored = [anchor_reading(rule) for rule in deciding if getattr(rule, "from_reading", False)]
        ids = {rule.id for rule in deciding}
        # a due date counted from a date the document does not state is the tool's: its rule's words say so, as
        # the timeline's do; the body's recorded ambiguities on these rules are named beside them
        says[s.label] = (f"{values[s.label]}: " + "; ".join(
            _rule_words(rule, event) + f", {'advice' if rule.strength == 'advice' else 'required'}"
            + "".join(_due_words(rule, event, d.date) for d in given[rule.id][:1] if d.date) + from_reading(rule)
            for rule in deciding)) if found else NO_DEADLINE
        cited[s.label] = [rule.citation for rule in deciding]
        quotes[s.label] = [(rule.text, rule.citation) for rule in deciding]
        readings[s.label] = anchored + [f"{a.id}: {a.reading}" for a in s.ruleset.ambiguities if ids & set(a.rules)]
    methods = subjects[0].ruleset.method_ids if subjects else ()
    words = {**EVENT_WORDS, **AFTER_A_FAIL, journeys.RESULTS: "the results' notification",
             **{m: f"the {m}'s first attempt" for m in methods}}.get(event, event.replace("_", " "))
    # later splits of one event: .2, .3 (the first keeps the event's own id, as where it is the only one)
    ident = f"deadlines.verdicts.{event.replace('_', '-')}" + (f".{n}" if n > 1 else "")
    title = f"The verdicts on {words}, each body's deadlines on it counted from their own dates"
    if of > 1:
        title += f" (split {n} of {of}, in the order of the earliest day splitting them so)"
    return _finding(ident, "deadlines", title, values, says, cited, quotes, readings=readings)


def _rule_words(rule: Any, event: str) -> str:
    """A deadline on the event in words: "2 weeks before project"; one counted back from the event's day (the
    interview after the report), from the attempt's side: "the project at least 2 weeks after it"."""
    if getattr(rule, "from_", None) == event and rule.event != event:
        length = span(rule.offset)
        gap = f"at least {length} after it" if rule.kind == "not_before" else f"within {length} of it"
        return f"the {rule.event.replace('_', ' ')} {gap}"
    return span(rule.offset, getattr(rule, "from_", "fail_notified"))


def _due_words(rule: Any, event: str, date: Any) -> str:
    if getattr(rule, "from_", None) == event and rule.event != event:
        return f", the {rule.event.replace('_', ' ')} {'not before' if rule.kind == 'not_before' else 'by'} {date}"
    return f", due {date}"

# The rows of the resit windows and rework deadlines in words
AFTER_A_FAIL = {RESIT: "a resit after a fail (the resit and retake windows)", REWORK: "a failed method's rework"}


def _after_a_fail(s: SweptBody) -> list[tuple[str, Any]]:
    """A body's resit windows and rework deadlines, each with its row's event (``report.RESIT``, ``REWORK``)."""
    resit = s.ruleset.journey.resit if s.ruleset.journey else None
    return [(RESIT, w) for w in (resit.windows if resit else ())] + \
        [(REWORK, r) for r in (resit.rework if resit else ())]


# What a deadline whose plugin gives no consequence (None) claims: nothing either way, so it is never shown as none
# stated, and never makes a consequence finding on its own.
NOT_SAID = "its rules do not say (no claim either way)"
NO_DEADLINE = "no deadline on this event"


def _consequence(d: DeadlineRule) -> str | None:
    """What a deadline's document states follows a miss, in words (the consequence's clause, or that it states
    none, an advice one marked so); None where the plugin does not say."""
    if isinstance(d.consequence, Consequence):
        return d.consequence.says + (" (the tool's reading of the document's sentence)" if d.consequence.reading
                                     else "")
    if d.consequence == NONE_STATED:
        return "the document states no consequence" + (" (advice: never a failure)" if d.strength == "advice" else "")
    return None


def deadline_consequences(subjects: list[SweptBody]) -> list[Finding]:
    """Per event a deadline governs, what each body's document states follows a missed deadline on it: one stating
    a consequence where another states none, or two stating different ones. A body with no deadline on the event,
    or whose plugin does not say (no consequence given), makes no claim: it is shown as such, and is no side of
    the difference."""
    by_event: dict[str, dict[str, list[DeadlineRule]]] = {}
    for s in subjects:
        for d in (s.ruleset.journey.deadlines if s.ruleset.journey else ()):
            if d.event:
                by_event.setdefault(d.event, {}).setdefault(s.label, []).append(d)
    out = []
    for event, rules in by_event.items():
        # a body's claim: the consequences its deadlines on the event state (or that they state none), whatever
        # their number or force (advice or not: compared in the deadline findings)
        claims = {label: frozenset(d.consequence.says if isinstance(d.consequence, Consequence) else NONE_STATED
                                   for d in found if d.consequence is not None) for label, found in rules.items()}
        if len({c for c in claims.values() if c}) < 2:
            continue
        values, says, cited, quotes, readings = {}, {}, {}, {}, {}
        for s in subjects:
            found = rules.get(s.label, [])
            values[s.label] = tuple(sorted(claims.get(s.label, ()))) or (NOT_SAID if found else NO_DEADLINE)
            says[s.label] = "; ".join(f"{d.name} ({span(d.offset, d.from_)}): {_consequence(d) or NOT_SAID}"
                                      for d in found) or NO_DEADLINE
            stated = [d.consequence for d in found if isinstance(d.consequence, Consequence)]
            cited[s.label] = [d.citation for d in found] + [c.citation for c in stated]
            quotes[s.label] = [(d.text, d.citation) for d in found] + [(c.text, c.citation) for c in stated]
            ids = {d.id for d in found}
            readings[s.label] = [f"{a.id}: {a.reading}" for a in s.ruleset.ambiguities if ids & set(a.rules)]
        words = EVENT_WORDS.get(event, event.replace("_", " "))
        f = _finding(f"deadlines.consequence.{event.replace('_', '-')}", "deadlines",
                     f"What the documents state follows a missed deadline on {words}", values, says, cited, quotes,
                     readings=readings)
        if f is not None:
            f.region = not_counted("no record shows this: rule data only (a consequence is the document's words: "
                                   "what a record's missed deadline does to its outcome is compared by its verdicts "
                                   "in the deadline findings)")
            out.append(f)
    return out



# A body may still ask for the item in words, or check it otherwise (NQual's gateway form by its lead time).
NOT_READ = "no gateway requirement of its document is decided by this item"
EVIDENCE = ("photo_id", "gateway_form", "portfolio", "project_proposal", "portfolio_declaration",
            "english_maths_declaration")


def _item(rule: Any) -> str:
    """A requirement's force and stage in words: what leaving the item out does to the record."""
    if rule.stage != "gateway":
        return f"{rule.strength}, checked before an assessment, not at gateway"
    return {"mandatory": "required at gateway: without it, not ready",
            "recommended": "recommended at gateway: without it, still ready",
            "optional": "optional at gateway"}.get(rule.strength, rule.strength)


def gateway_evidence(subjects: list[SweptBody], standard: str) -> list[Finding]:
    """Per evidence item a record can show (photo ID, the gateway form, the portfolio...), which bodies require it
    at gateway; the witness is a record providing everything but that item."""
    out = []
    full = {field: True for field in EVIDENCE}
    for field in EVIDENCE:
        values, says, cited, quotes, readings = {}, {}, {}, {}, {}
        for s in subjects:
            found = [g for g in (s.ruleset.journey.gateway if s.ruleset.journey else ())
                     if g.check and g.check.provided and g.check.provided.field == field]
            values[s.label] = tuple(sorted(_item(g) for g in found)) or NOT_READ
            says[s.label] = "; ".join(f"{g.name}: {_item(g)}" for g in found) or NOT_READ
            cited[s.label] = [g.citation for g in found]
            quotes[s.label] = [(g.text, g.citation) for g in found]
            # a requirement's force or stage may be the tool's reading of its sentence (its recorded ambiguity)
            ids = {g.id for g in found}
            readings[s.label] = [f"{a.id}: {a.reading}" for a in s.ruleset.ambiguities if ids & set(a.rules)]
        witness = record(standard, [], gateway={**full, field: False}, **pins(subjects))
        results = {s.label: s.grade(witness) for s in subjects}
        ready = {label: r.gateway.ready for label, r in results.items()}
        shows = ({"row": "gateway_ready", "values": ready, **cause("gateway_ready", results)}
                 if len(set(ready.values())) > 1 else None)
        if (f := _finding(f"gateway.evidence.{field.replace('_', '-')}", "gateway",
                          f"Gateway evidence: {field.replace('_', ' ')}", values, says, cited, quotes,
                          witness if shows else None, shows, readings)):
            out.append(f)
    return out


def retake_through_gateway(subjects: list[SweptBody]) -> list[Finding]:
    values, says, cited, quotes = {}, {}, {}, {}
    for s in subjects:
        resit = s.ruleset.journey.resit if s.ruleset.journey else None
        stated = resit.retake_through_gateway if resit else None
        values[s.label] = stated is not None
        says[s.label] = "a retake goes through gateway again" if stated else "the document is silent on it"
        cited[s.label] = [stated.citation] if stated else []
        quotes[s.label] = [(stated.text, stated.citation)] if stated else []
    f = _finding("resits.retake-through-gateway", "resits", "Whether a retake goes through gateway again", values,
                 says, cited, quotes)
    if f:
        f.region = not_counted("no record shows this: rule data only (a retake's new gateway is said in the "
                               "explanation; no outcome epa gives depends on it)")
    return [f] if f else []


def attempts(subjects: list[SweptBody]) -> list[Finding]:
    """How many resits and retakes each body allows, by what its rule does (a stated number, no limit within a
    period, left to the employer, each needing the employer's agreement, nothing stated), each side quoting its
    own sentence. A body encoding no resit rules states nothing on it; one whose plugin does not say what its rule
    does (``kind`` absent, no number) makes no claim, and is never a side of the difference on its own."""
    values: dict[str, Any] = {}
    says: dict[str, str] = {}
    cited: dict[str, list[str]] = {}
    quotes: dict[str, list[tuple[str, str]]] = {}
    readings: dict[str, list[str]] = {}
    for s in subjects:
        resit = s.ruleset.journey.resit if s.ruleset.journey else None
        if resit is None:
            values[s.label], says[s.label] = "not_stated", "no resit rules: the document states nothing on them"
            cited[s.label], quotes[s.label], readings[s.label] = [], [], []
            continue
        values[s.label], says[s.label] = attempts_rule(resit.attempts, resit.windows)
        if values[s.label] is None:  # (no claim: shown so, never a side of the difference on its own)
            says[s.label] = "its rules do not say what its document's rule on the number does (no claim either way)"
        cited[s.label] = [resit.attempts.citation]
        quotes[s.label] = [(resit.attempts.text, resit.attempts.citation)]
        # the period's start, where its window's document states none, is the tool's reading
        period = [anchor_reading(w) for w in resit.windows if w.id == resit.attempts.within and w.from_reading]
        readings[s.label] = period + [f"{a.id}: {a.reading}" for a in s.ruleset.ambiguities
                                      if "resit.attempts" in a.rules]
    if len({v for v in values.values() if v is not None}) < 2:
        return []
    # a body making no claim is shown so, but its None is no value of its own: it never makes the bodies differ
    f = _finding("resits.attempts", "resits", "How many resits and retakes an apprentice may take",
                 {label: ("no claim",) if v is None else v for label, v in values.items()}, says, cited, quotes,
                 readings=readings)
    if f is None:
        return []
    f.region = not_counted("no record shows this: rule data only (the number of resits and retakes changes no "
                           "outcome epa gives: a stated number is said in the explanation, never checked)")
    return [f]


def compare(subjects: list[SweptBody], standard: str) -> list[Finding]:
    portfolio = portfolio_before_discussion(subjects)
    return (conduct(subjects) + portfolio + deadline_verdicts(subjects, [f.shows for f in portfolio if f.shows])
            + deadline_consequences(subjects)
            + gateway_evidence(subjects, standard) + attempts(subjects) + retake_through_gateway(subjects))
