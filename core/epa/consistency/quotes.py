"""The documents' own words on each side of a finding the sweeps made: a sweep groups inputs by the citations of
the rules that decided them, so each citation is matched to the texts of the rules (of the finding's area) that
the body's data cites to it. Findings made from rule data quote their rules as they are made (``catalogue``,
``rule_data``); this fills in the others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import attrs

from epa.consistency.findings import Finding, Quote, Side, SweptBody
from epa.model.domain import Ruleset


def _grading(r: Ruleset) -> Iterator[tuple[str, str]]:
    yield r.combination.rule_in_words.text, r.combination.rule_in_words.citation
    yield from ((row.printed, row.citation) for row in r.combination.rows if row.printed)
    yield from ((rule.text, rule.citation) for rule in r.component_rules.values())


def _resits(r: Ruleset) -> Iterator[tuple[str, str]]:
    resit = r.journey.resit if r.journey else None
    if resit is None:
        return
    for rule in (resit.cap, resit.no_resit_from_pass, resit.attempts, *resit.windows, *resit.rework,
                 resit.retake_through_gateway):
        if rule is not None:
            yield rule.text, rule.citation


def _gateway(r: Ruleset) -> Iterator[tuple[str, str]]:
    yield from ((g.text, g.citation) for g in (r.journey.gateway if r.journey else ()))


Rules = Callable[[Ruleset], Iterator[tuple[str, str]]]
RULES: dict[str, Rules] = {"grading": _grading, "resits": _resits, "gateway": _gateway, "reference": _grading,
                          "self-consistency": _grading}


def _criterion_quotes(f: Finding, side: Side, by_label: dict[str, SweptBody]) -> tuple[Quote, ...]:
    """A criterion finding quotes the criterion; a distinction-set finding each body's distinction criteria."""
    parts = f.id.split(".")
    out = []
    for label in side.bodies:
        s = by_label.get(label)
        if s is None:
            continue
        if len(parts) > 2 and parts[2] == "patterns":
            out += _pattern_quotes(f, parts[1], label, s.ruleset)
        elif parts[-1] == "distinction-set" or (len(parts) > 2 and parts[2] == "distinction-set"):
            out += [Quote(label, c.text, c.citation) for c in s.ruleset.criteria_for(parts[1], "distinction")]
        else:
            criterion = next((c for c in s.ruleset.criteria if c.id.lower() == parts[1]
                              or c.id.lower() == ".".join(parts[1:3])), None)
            if criterion is not None:
                out.append(Quote(label, criterion.text, criterion.citation))
    return tuple(out)


SHOWN = 4  # the unmet criteria a pattern finding quotes per body, at most (the summary names them all)


def _pattern_quotes(f: Finding, method: str, label: str, r: Ruleset) -> list[Quote]:
    """What decides a body's grade on a pattern finding's witness: its rule for the method (the threshold) and the
    criteria it assesses there that the witness leaves unmet (a body that assesses none of them quotes the rule
    alone)."""
    met = next((set(a.get("criteria_met", ())) for a in (f.witness or {}).get("assessments", ())
                if a.get("method") == method), set())
    rule = r.component_rules.get(method)
    out = [Quote(label, rule.text, rule.citation)] if rule else []
    unmet = [c for c in r.criteria_for(method) if c.id not in met and not c.repeats]
    return out + [Quote(label, c.text, c.citation) for c in unmet[:SHOWN]]


def quote(findings: Iterable[Finding], subjects: list[SweptBody]) -> None:
    """Give every side that quotes nothing the words of the rules its citations name, in place."""
    by_label = {s.label: s for s in subjects} | {s.id: s for s in subjects}
    for f in findings:
        if all(side.quotes for side in f.sides):
            continue
        sides = []
        for side in f.sides:
            if side.quotes:
                sides.append(side)
                continue
            if f.area == "criteria":
                quotes = _criterion_quotes(f, side, by_label)
            else:
                quotes = tuple(_by_citation(side, by_label, RULES.get(f.area)))
            sides.append(attrs.evolve(side, quotes=quotes))
        f.sides = sides


def _by_citation(side: Side, by_label: dict[str, SweptBody], rules: Rules | None) -> Iterator[Quote]:
    if rules is None:
        return
    for label, cited in side.citations.items():
        s = by_label.get(label)
        if s is None:
            continue
        texts = list(rules(s.ruleset))
        for citation in cited:
            for text in dict.fromkeys(t for t, c in texts if c == citation):
                yield Quote(label, text, citation)
