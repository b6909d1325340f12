"""What a body's data sets apart from the reference defaults: the documented variants ``epa plugins`` shows.

The core's default hooks evaluate each body's data, so a body's variants are in its data, not in code
of its own: a combination table that departs from the assessment-plan rule in words, distinction
thresholds, resit windows, rework, and the cap. Each comes with the citation that states it.
"""

from __future__ import annotations

import itertools

import attrs

from epa.model import Grade, Offset, Ruleset


def _rule_in_words(grades: tuple[Grade, ...]) -> Grade:
    if Grade.FAIL in grades:
        return Grade.FAIL
    return Grade.DISTINCTION if all(g == Grade.DISTINCTION for g in grades) else Grade.PASS


def span(offset: Offset, anchor: str | None = None) -> str:
    """An offset in words: "1 month", "2 weeks before discussion", "12 months from first fail notified"."""
    unit, count = next((k, v) for k, v in attrs.asdict(offset).items() if v is not None)
    words = f"{abs(count)} {unit.replace('_', ' ')}"
    words = words[:-1] if abs(count) == 1 else words
    if anchor is None:
        return words
    return f"{words} {'before' if count < 0 else 'from'} {anchor.replace('_', ' ')}"


def variants(r: Ruleset) -> list[dict[str, str]]:
    out = []
    table = r.combination
    differs = []
    for grades in itertools.product(list(Grade), repeat=len(r.method_ids)):
        combo = dict(zip(r.method_ids, grades, strict=True))
        row = next((row for row in table.rows if row.matches(combo)), None)
        if row and row.overall != _rule_in_words(grades):
            differs.append((combo, row))
    if differs:
        combo, row = differs[0]
        shown = ", ".join(f"{m} {g}" for m, g in combo.items())
        out.append({"kind": "combination", "citation": row.citation,
                    "says": f"{len(differs)} combinations graded otherwise than the rule in words, "
                            f"e.g. {shown} gives {row.overall}"})
    if not table.complete:
        out.append({"kind": "incomplete-table", "citation": table.citation,
                    "says": "the printed table is incomplete; the rule in words decides the rest"})
    for method, rule in r.component_rules.items():
        if rule.distinction_threshold:
            counted = len(r.criteria_for(method, "distinction"))
            out.append({"kind": "threshold", "citation": rule.citation,
                        "says": f"{method}: distinction with {rule.distinction_threshold} of {counted} "
                                "distinction criteria"})
    resit = r.journey.resit if r.journey else None
    if resit:
        lift = "lifted" if resit.cap.exceptional_circumstances_lift else "not lifted"
        out.append({"kind": "cap", "citation": resit.cap.citation,
                    "says": f"{' and '.join(resit.cap.applies_to)} capped at {resit.cap.grade}; "
                            f"{lift} by exceptional circumstances"})
        for w in resit.windows:
            out.append({"kind": "window", "citation": w.citation,
                        "says": f"{w.name}: {span(w.offset, w.from_)}; "
                                + ("missed: the whole EPA again" if w.consequence == "full_retake"
                                   else "missed: the document states no consequence")})
        for rw in resit.rework:
            out.append({"kind": "rework", "citation": rw.citation,
                        "says": f"{rw.name}: {rw.method} reworked within {span(rw.offset)} of the fail"})
    return out
