"""Attempt history and the grade cap: which attempts a body counts, and when a resit or retake caps the grade.

Every document offers a resit or retake after a fail only, never to improve a pass: at each method an attempt
counts while the method has none counted yet or the one counted last failed (``counts``), and the method's grade
is its latest counted attempt's. Exceptional circumstances are recorded on a resit or retake, or on the fail it
follows (a document may tie them to "the original fail"): ``exceptional``. The cap: a counted attempt of a kind
the document caps (``Cap.applies_to``, a resit or retake) caps the overall grade, unless exceptional
circumstances are recorded for it and the document lets them lift the cap (``capped``); a capped distinction is
a pass (``CAPPED``: the journey schema allows a cap at pass only). Where the document caps the resit's own grade
(``Cap.caps`` method), the attempt's grade is capped instead (``capped_attempts``), before the combination
decides the overall grade from it.

Stated here once: the explained path asks ``counts``, ``explain_cap`` and ``capped_overall``
(``epa.engine.explained``, ``epa.engine.resits``); the cohort's compiled code is written from ``counts_expression``,
``capping_kinds``, ``capping_test`` and ``cap_lines`` (``epa.engine.graders``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from epa.model.domain import Ambiguity, Attempt, AttemptLimit, Cap, Grade, Window
from epa.model.results import GradedAttempt, Step
from epa.rules.workdays import describe

# A capped overall grade: this one becomes that one (the journey schema's cap.grade allows "pass" alone).
CAPPED = (Grade.DISTINCTION, Grade.PASS)

Counted = Sequence[tuple[Attempt, Grade]]  # the attempts a body counts, in record order, with its grades


def counts(last: Grade | None) -> bool:
    """Whether the next attempt at a method counts, given the grade of the one counted last there (None: none)."""
    return last is None or last is Grade.FAIL


def counts_expression(last: str) -> str:
    """``counts`` as a Python expression over the name holding the grade counted last."""
    return f"{last} is None or {last} is FAIL"


def exceptional(i: int, history: Counted) -> bool:
    """Whether exceptional circumstances are recorded for the ``i``-th attempt counted: on it, or on the attempt
    counted before it at the same method."""
    attempt = history[i][0]
    if attempt.exceptional_circumstances:
        return True
    for before, _ in reversed(history[:i]):
        if before.method == attempt.method:
            return before.exceptional_circumstances
    return False


def next_at_method(i: int, history: Counted) -> int | None:
    """The place of the attempt counted next at the ``i``-th attempt's method, if any."""
    method = history[i][0].method
    return next((j for j in range(i + 1, len(history)) if history[j][0].method == method), None)


def capping_kinds(applies_to: Sequence[str]) -> tuple[str, ...]:
    """The kinds of attempt the cap applies to: a resit or retake (a first attempt never caps)."""
    return tuple(kind for kind in applies_to if kind != "first")


def _capping(cap: Cap, history: Counted) -> list[int]:
    kinds = capping_kinds(cap.applies_to)
    return [i for i, (attempt, _) in enumerate(history) if attempt.kind in kinds]


def _lifted(cap: Cap, i: int, history: Counted) -> bool:
    return cap.exceptional_circumstances_lift and exceptional(i, history)


def capped(cap: Cap, history: Counted) -> bool:
    """Whether the attempts counted cap the overall grade: one the cap applies to that is not lifted from it."""
    return any(not _lifted(cap, i, history) for i in _capping(cap, history))


def capped_overall(overall: Grade | None) -> Grade | None:
    """The overall grade under the cap."""
    return CAPPED[1] if overall is CAPPED[0] else overall


def explain_cap(cap: Cap, history: Sequence[GradedAttempt], readings: Sequence[Ambiguity] = ()
                ) -> tuple[bool, list[Step]]:
    """``capped``, with its cited step (for a history holding a resit or retake). ``readings``: the recorded
    ambiguities the cap is read from (``cap_readings``), named where the step's answer rests on the cap as read (a
    route it does not name left uncapped, a grade capped), not where exceptional circumstances the document names
    lift it."""
    pairs = [(g.attempt, g.grade) for g in history]
    capping = _capping(cap, pairs)
    read = on_reading(readings)
    if not capping:
        kinds = sorted({g.attempt.kind for g in history if g.attempt.kind != "first"})
        return False, [Step(f"no cap: the document caps the grade after a {' or '.join(cap.applies_to)}, and the "
                            f"record has only a {' and '.join(kinds)}{read}", cap.citation)]
    shown = ", ".join(f"{a.method} {a.kind} on {a.date}" for a, _ in (pairs[i] for i in capping))
    if not capped(cap, pairs):
        return False, [Step(f"{shown}: exceptional circumstances recorded, which this document lets lift the cap "
                            f"at {cap.grade}: not capped", cap.citation)]
    why = (": exceptional circumstances are recorded, but this document "
           + ("says they do not lift the cap" if cap.exceptional_circumstances_ruled_out
              else "gives no exception to the cap") if all(exceptional(i, pairs) for i in capping) else "")
    capped_grade = METHOD_CAPPED if cap.caps == "method" else "overall grade capped at"
    # A cap on the resat attempt's own grade that lowers none (each graded fail or pass) is said to change nothing,
    # as a cap on the overall grade is by the overall's step: "capped at pass" beside a fail read as a lowered grade.
    idle = f", {CHANGES_NOTHING}: no grade recorded for it is above {cap.grade}" \
        if cap.caps == "method" and not capped_attempts(cap, pairs) else ""
    return True, [Step(f"{shown}: {capped_grade} {cap.grade}{read}{why}{idle}", cap.citation)]


# The cap step's words where the document caps the resat or retaken attempt's own grade (read by a result's table).
METHOD_CAPPED = "its own grade capped at"
CHANGES_NOTHING = "which changes nothing here"
LOWERED = f"{CAPPED[0]} capped at {CAPPED[1]}"  # the words of a step saying the cap lowered a grade


def overall_unchanged(overall: Grade) -> str:
    """What follows the step of a cap on the overall grade where it lowers nothing (``overall`` not above pass)."""
    return f", {CHANGES_NOTHING}: the combination's {overall} is not above {CAPPED[1]}"


def cap_summary(method_cap: bool, unchanged: bool) -> str:
    """A result's summary of a cap that applies (``capped``): what it caps, and, where its step says it changes
    nothing (``unchanged``), that: "capped at pass" alone reads as a grade lowered. A step says so only where it
    knows: a cap on the overall grade before there is one (a method not yet assessed) may yet lower it."""
    capped = "the resit's or retake's own grade capped at pass" if method_cap \
        else "overall grade capped at pass (resit or retake)"
    return f"{capped}, {CHANGES_NOTHING}" if unchanged else capped


def capped_grade(cap: Cap) -> str:
    """What a summary of the cap says it caps, after "capped at pass": nothing for the overall grade (what every
    cap was until a document capped the resit's own grade), else that."""
    return " (its own grade: the combination then decides the overall grade)" if cap.caps == "method" else ""


# An ambiguity's ``rules`` naming the resit rules' cap (the journey schema's name for it).
CAP_RULE = "resit.cap"


def cap_readings(ambiguities: Sequence[Ambiguity]) -> list[Ambiguity]:
    """The recorded ambiguities whose reading is the cap (``rules: [resit.cap]``): a cap encoded from them is the
    tool's reading, and every output stating it says so (Highfield's "The maximum grade awarded to a resit will be
    pass": a resit only, and its own grade)."""
    return [a for a in ambiguities if CAP_RULE in a.rules]


def on_reading(ambiguities: Sequence[Ambiguity]) -> str:
    """Words after a rule resting on the tool's reading of recorded ambiguities, naming them; '' for none."""
    return f" (on the tool's reading: {', '.join(a.id for a in ambiguities)})" if ambiguities else ""


def cap_lift(cap: Cap) -> str:
    """Whether exceptional circumstances lift the cap, as a summary says it: only a document that says they do lifts
    it; one that says they do not is said to (``Cap.exceptional_circumstances_ruled_out``); and one that names no
    exception has not said they do not (NQual's 'will be awarded a maximum EPA grade of Pass', 000 § Re-sit /
    Re-take)."""
    if cap.exceptional_circumstances_lift:
        return "lifted by exceptional circumstances"
    if cap.exceptional_circumstances_ruled_out:
        return "not lifted by exceptional circumstances (the document says they do not lift it)"
    return "not lifted by exceptional circumstances (the document names no exception)"


def attempts_rule(attempts: AttemptLimit, windows: Sequence[Window]) -> tuple[Any, str]:
    """What a document's rule on the number of resits and retakes does (``AttemptLimit.rule``: the value `epa
    consistency` groups bodies by, whatever the wording) and in words, as every output says it: the explanation's
    resit step, the journey table and the consistency report. A plugin not saying (no ``kind``, no number) claims
    nothing either way: None, and that its rules set no number."""
    rule = attempts.rule
    if rule == "limit":
        return (rule, attempts.limit), f"at most {attempts.limit} resits and retakes"
    if rule == "no_limit_within":
        # the window's length only: bodies stating the same rule share a side, each quoting its own sentence
        window = next((w for w in windows if w.id == attempts.within), None)
        if window is None:  # a journey file naming no such window is refused; a plugin's own rules may still
            return (rule, None), ("no limit on the number of resits and retakes within a period (its rules name "
                                  "no window for it)")
        period = describe(window.offset).rsplit(" ", 1)[0]  # ("12 months after": the length alone)
        return (rule, str(window.offset)), (f"no limit on the number of resits and retakes within the {period} "
                                            f"of its resit window")
    if rule == "employer_decides":
        return rule, "the number of resits and retakes is left to the apprentice's employer; no number is stated"
    if rule == "employer_agrees_each":
        return rule, ("the employer must agree to each resit or retake; the document states no number of "
                      "resits and retakes")
    if rule == "not_stated":
        return rule, "the document states nothing on the number of resits and retakes"
    return None, "its rules set no number of resits and retakes"


def capped_attempts(cap: Cap, history: Counted) -> list[int]:
    """Where the document caps the resit's own grade (``Cap.caps`` method): the counted attempts whose grade the
    cap lowers, those it applies to, not lifted, graded distinction (each the last counted at its method: a
    distinction ends the count)."""
    if cap.caps != "method":
        return []
    return [i for i in _capping(cap, history) if history[i][1] is CAPPED[0] and not _lifted(cap, i, history)]


def explain_capped_attempt(attempt: Attempt) -> str:
    """The step saying the cap lowered an attempt's own grade."""
    return f"{attempt.method}: {LOWERED}, the grade of its {attempt.kind} on {attempt.date}"


def explain_capped_overall(overall: Grade | None) -> str | None:
    """The step saying the cap lowered ``overall``, or None where it does not."""
    return LOWERED if capped_overall(overall) is not overall else None


def capping_test(kinds: tuple[str, ...], lift: bool, before: str) -> str:
    """Whether a counted resit or retake (``kind``, ``ec`` its exceptional circumstances; ``before``, the name
    holding those of the attempt counted before it at its method) caps the grade, as a Python expression: the
    cap applies to its kind and is not lifted from it."""
    return f"kind in {kinds!r}" + (f" and not (ec or {before})" if lift else "")


def attempt_cap_lines(grade: str) -> list[str]:
    """The cap applied to the grade of the attempt just counted (``Cap.caps`` method), as Python lines indented to
    follow a ``capping_test``'s ``if``."""
    indent = " " * 24
    return [f"{indent}if {grade} is {CAPPED[0].name}:", f"{indent}    {grade} = {CAPPED[1].name}"]


def cap_lines(keyword: str, capped: str, overall: str) -> list[str]:
    """The cap applied to the overall grade, as Python lines (``keyword``: ``if`` or ``elif``)."""
    return [f"    {keyword} {capped} and {overall} is {CAPPED[0].name}:", f"        {overall} = {CAPPED[1].name}"]
