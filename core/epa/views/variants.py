"""What a body's data sets apart from the reference defaults: the documented variants ``epa plugins`` shows.

The core's default hooks evaluate each body's data, so a body's variants are in its data, not in code
of its own: a combination table or rule in words that departs from the core's default pattern, pass and
distinction thresholds, resit windows, rework, and the cap. Each comes with the citation that states it. A body
whose own combine_grades hook combines the grades is described as that, its own rule, and compared by what it
gives for each combination.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import TYPE_CHECKING

import attrs

from epa.errors import PluginError
from epa.model.domain import Grade, Offset, RuleInWords, Ruleset
from epa.rules import history as attempt_history
from epa.rules.deadlines import from_reading

if TYPE_CHECKING:
    from epa.registry import LoadedBody


def default_pattern(grades: tuple[Grade, ...]) -> Grade:
    """The core's default pattern (``defaults``, a rule in words without ``decides``), the reference a body's rule
    is compared with: any fail fails; a distinction in every method gives a distinction; otherwise a pass. No
    document here prints it as the assessment plan's rule (the plan is not among them), and TQUK's states no rule in
    words at all: a departure from it is from the tool's reference, not from a plan."""
    if Grade.FAIL in grades:
        return Grade.FAIL
    return Grade.DISTINCTION if all(g == Grade.DISTINCTION for g in grades) else Grade.PASS


def _advice(strength: str) -> str:
    return " (advice)" if strength == "advice" else ""  # as the status words mark a rule only advised


def _in_its_words(words: RuleInWords) -> bool:
    """Whether the document's own rule in words states the distinction rule that decides (as data, or in a phrase
    the conformance reader knows): only then does a printed row that departs from it depart from the document's
    words. A text that states none (TQUK's "combined as described in the table below") is departed from by
    nothing; its table departs from the core's default pattern alone."""
    from epa.conformance.words import stated

    return words.decides is not None or stated(words.text) is not None


def _unprinted(r: Ruleset, loaded: LoadedBody | None) -> Callable[[dict[str, Grade]], Grade | None]:
    """What decides a combination no printed row gives, asked for its outcome: the body's own combine_grades hook
    where it has one (which decides every combination), else the rule in words."""
    if loaded is not None and "combine_grades" in loaded.own_hooks:
        return lambda combo: loaded.call("combine_grades", ruleset=r, components=combo).grade
    return r.combination.rule_in_words.rule.decide


def span(offset: Offset, anchor: str | None = None) -> str:
    """An offset in words: "1 month", "2 weeks before discussion", "12 months from first fail notified"."""
    unit, count = next((k, v) for k, v in attrs.asdict(offset).items() if v is not None)
    words = f"{abs(count)} {unit.replace('_', ' ')}"
    words = words[:-1] if abs(count) == 1 else words
    if anchor is None:
        return words
    return f"{words} {'before' if count < 0 else 'from'} {anchor.replace('_', ' ')}"


def variants(r: Ruleset, loaded: LoadedBody | None = None) -> list[dict[str, str]]:
    """What the ruleset sets apart from the defaults; with ``loaded``, the body's own hooks too, each described
    by what it does: a body's own combine_grades is its own rule, compared by its outcomes."""
    out = []
    table = r.combination
    words = table.rule_in_words
    hooked = loaded is not None and "combine_grades" in loaded.own_hooks
    if hooked:
        out.append({"kind": "own-rule", "citation": words.citation,
                    "says": f"the body's own rule combines the grades, by its combine_grades hook; its rule in "
                            f"words: “{' '.join(words.text.split())}”"})
    elif words.decides is not None and not words.decides.every_method:
        out.append({"kind": "rule-in-words", "citation": words.citation,
                    "says": f"the document's rule in words, as data: {words.decides.says(r.method_ids)}"})
    unprinted = _unprinted(r, loaded)
    differs = []
    try:
        for grades in itertools.product(list(Grade), repeat=len(r.method_ids)):
            combo = dict(zip(r.method_ids, grades, strict=True))
            row = None if hooked else next((row for row in table.rows if row.matches(combo)), None)
            overall = row.overall if row else unprinted(combo)
            if overall != default_pattern(grades):
                differs.append((combo, row, overall))
    except PluginError as exc:  # the hook's own failure: said, not compared (conformance's `hooks` check fails it)
        out.append({"kind": "own-rule", "citation": words.citation, "says": f"not compared: {exc}"})
        differs = []
    if differs:
        combo, row, overall = differs[0]
        shown = ", ".join(f"{m} {g}" for m, g in combo.items())
        if row is not None and words.rule.every_method and _in_its_words(words):  # its table against its words
            says = f"{len(differs)} combinations graded otherwise than the rule in words, e.g. {shown} gives {overall}"
        else:
            by = "its own rule (its combine_grades hook)" if hooked else "its rule in words" if row is None else \
                "its printed table"
            says = (f"{by} grades {len(differs)} combinations otherwise than the core's default pattern "
                    f"(distinction only in every method), e.g. {shown} gives {overall}")
        out.append({"kind": "combination", "citation": row.citation if row else words.citation, "says": says})
    if table.rows and not table.complete and not hooked:
        out.append({"kind": "incomplete-table", "citation": table.citation,
                    "says": "the printed table is incomplete; the rule in words decides the rest"})
    for method, rule in r.component_rules.items():
        if rule.pass_threshold:
            counted = len(r.criteria_for(method, "pass"))
            out.append({"kind": "threshold", "citation": rule.citation,
                        "says": f"{method}: pass with {rule.pass_threshold} of {counted} pass criteria"})
        if rule.distinction_threshold:
            counted = len(r.criteria_for(method, "distinction"))
            out.append({"kind": "threshold", "citation": rule.citation,
                        "says": f"{method}: distinction with {rule.distinction_threshold} of {counted} "
                                "distinction criteria"})
    resit = r.journey.resit if r.journey else None
    if resit:
        out.append({"kind": "cap", "citation": resit.cap.citation,
                    "says": f"{' and '.join(resit.cap.applies_to)} capped at {resit.cap.grade}"
                            f"{attempt_history.capped_grade(resit.cap)}; {attempt_history.cap_lift(resit.cap)}"
                            f"{attempt_history.on_reading(attempt_history.cap_readings(r.ambiguities))}"})
        for w in resit.windows:
            # as the document words it: a window it only advises, and one exceptional circumstances lift
            out.append({"kind": "window", "citation": w.citation,
                        "says": f"{w.name}: {span(w.offset, w.from_)}{from_reading(w)}{_advice(w.strength)}; "
                                + ("missed: the whole EPA again" if w.consequence == "full_retake"
                                   else "missed: the document states no consequence")
                                + ("; exceptional circumstances lift it" if w.exceptional_circumstances_lift
                                   else "")})
        for rw in resit.rework:
            out.append({"kind": "rework", "citation": rw.citation,
                        "says": f"{rw.name}: {rw.method} reworked within {span(rw.offset)} of the fail"
                                f"{from_reading(rw)}{_advice(rw.strength)}"})
    return out
