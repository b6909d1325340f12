"""A compiled ruleset's decisions, written out as Python functions for that ruleset.

A cohort runs the same steps for every body and record: for each method, the attempts counted (each until
one is not a fail), each graded from its criteria as bits or by its grade as given; the combination; the
resit rules where they can change anything; gateway readiness. Written generically, these steps unpack each
method's masks and test, for every record, whether the body asks its own hook, whether a method has a
distinction level, and which journey rules the ruleset has. Written out for one ruleset, with its methods
unrolled and the masks, thresholds and those choices fixed in the text, the grading loop runs in about 60% of
the time. The text is kept (``Graders.source``: print it to read what a ruleset runs) and shown in
tracebacks. ``tests/test_graders.py`` takes every branch of the template; ``tests/test_decisions.py`` holds the
decisions to ``grade``'s for the installed bodies.

For a ruleset with two methods graded by the default's rule, the generated ``grades`` reads::

    def grades(entries):
        latest = None
        for i, attempt, met in entries.get('observation', ()):
            if latest is not None and latest is not FAIL:
                break  # resits and retakes follow a fail only: a later attempt is not counted
            if met is None:
                latest = attempt.grade
            elif met & 0x7 != 0x7:  # as defaults.grade_component decides
                latest = FAIL
            elif (met & 0x18).bit_count() >= 2:
                latest = DISTINCTION
            else:
                latest = PASS
        grade_0 = latest
        ...
        grades = (grade_0, grade_1)
        if grade_0 is None or grade_1 is None:
            overall = None
        else:
            overall = OVERALL.get(grades, OVERALL)
            if overall is OVERALL:
                overall = COMBINED(grades)
        return overall, grades

and its ``decide`` runs the same loop, noting the attempts counted, then ends, for a ruleset with resit data,
a window counted from the first assessment and two gateway checks besides those of a field provided::

        capped = full_retake = False
        if again or (failed and SPREAD(record, counted)):
            overall, capped, full_retake = RESITS(record, counted, failed, again, overall)
        ready = False not in PROVIDED(record.gateway) and not UNMET_0(record) and not UNMET_1(record)
        return NEW(DECISION, (BODY, overall, METHODS, grades, ready, capped, full_retake))
"""

from __future__ import annotations

import hashlib
import linecache
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from epa.model import Grade


class Method(NamedTuple):
    """How a compiled ruleset grades one method: its id, the bits of its pass and distinction criteria, how
    many distinction criteria a distinction needs, and the body's own grade_component (remembered), if any."""

    id: str
    passes: int
    distinctions: int
    needed: int
    asked: Callable[[int], Grade] | None


class Journey(NamedTuple):
    """What a compiled ruleset decides beyond the grades, as the generated ``decide`` calls it.

    ``resits(record, counted, failed, again, overall)`` gives (overall, capped, full_retake_required) after the
    resit rules; ``asks_resit``: it is the body's own resit_policy, asked for every record; otherwise it applies
    the ruleset's resit data, and is called only where that can change anything: a resit or retake was
    counted, or a fail was and ``spread(record, counted)`` says the attempts span a window counted from the
    first assessment (None: the ruleset has no such window). None: the ruleset has no resit rules.

    ``gateway(record)``: readiness from the body's own gateway_requirements; else the record is ready unless
    ``provided(record.gateway)`` (a getter of the fields that must not be False) holds False, or a predicate
    of ``unmet`` holds."""

    resits: Callable[..., tuple[Grade | None, bool, bool]] | None = None
    asks_resit: bool = False
    spread: Callable[[Any, list[tuple[int, Grade]]], bool] | None = None
    gateway: Callable[[Any], bool] | None = None
    provided: Callable[[Any], tuple[Any, ...]] | None = None
    unmet: Sequence[Callable[[Any], bool]] = ()


class Graders:
    """The functions written for one ruleset, from its methods in order. ``entries``: a record's attempts by
    method, each as (place in the record, attempt, criteria met as bits or None where the attempt gives a grade).

    - ``grades(entries)``: the overall grade the combination gives (None until every method has one) and each
      method's grade, before the resit rules; ``combined(grades)`` asks the combine_grades hook, and
      ``overall`` remembers its answers;
    - ``decide(record, entries)``: the body's ``Decision`` (see ``epa.engine``): the grades, the overall grade
      after the resit rules, gateway readiness, the cap and a required full retake, as ``journey`` says.
    """

    def __init__(self, name: str, body: str, methods: Sequence[Method], overall: dict[Any, Grade | None],
                 combined: Callable[[tuple[Grade, ...]], Grade | None], journey: Journey, decision: type):
        self.source = "\n".join([*_decide(methods, journey), "", *_grades(methods), ""])
        # A file name of its own, its text in linecache: a traceback through these functions shows their lines.
        # (Named by the text, so that the same rules compiled again share one entry rather than add another.)
        filename = f"<epa rules {name} {hashlib.sha256(self.source.encode()).hexdigest()[:12]}>"
        linecache.cache[filename] = (len(self.source), None, self.source.splitlines(True), filename)
        namespace: dict[str, Any] = {
            "FAIL": Grade.FAIL, "PASS": Grade.PASS, "DISTINCTION": Grade.DISTINCTION, "BODY": body,
            "METHODS": tuple(m.id for m in methods),
            **{f"ASKED_{k}": m.asked for k, m in enumerate(methods)}, "OVERALL": overall, "COMBINED": combined,
            "RESITS": journey.resits, "SPREAD": journey.spread, "GATEWAY": journey.gateway,
            "PROVIDED": journey.provided, **{f"UNMET_{k}": unmet for k, unmet in enumerate(journey.unmet)},
            # A Decision made as its generated __new__ makes it, without that Python call: a third of the time.
            "DECISION": decision, "NEW": tuple.__new__}
        exec(compile(self.source, filename, "exec"), namespace)  # noqa: S102 (our own text, from numbers and ids)
        self.decide: Callable[[Any, dict[str, list[Any]]], Any] = namespace["decide"]
        self.grades: Callable[[dict[str, list[Any]]], tuple[Grade | None, tuple[Grade | None, ...]]] = \
            namespace["grades"]


def _loop(methods: Sequence[Method], *, history: bool) -> list[str]:
    """Each method's grade as ``grade_<k>``; with ``history``, also ``counted`` (place, grade), ``failed`` and
    ``again`` (a resit or retake was counted)."""
    lines = ["    counted = []", "    failed = again = False"] if history else []
    for k, m in enumerate(methods):
        lines += ["    latest = None",
                  f"    for i, attempt, met in entries.get({m.id!r}, ()):",
                  "        if latest is not None and latest is not FAIL:",
                  "            break  # resits and retakes follow a fail only: a later attempt is not counted",
                  "        if met is None:",
                  "            latest = attempt.grade"]
        if m.asked is not None:
            lines += ["        else:", f"            latest = ASKED_{k}(met)  # the body's own grade_component"]
        else:
            lines += [f"        elif met & {m.passes:#x} != {m.passes:#x}:  # as defaults.grade_component decides",
                      "            latest = FAIL"]
            if m.distinctions:
                lines += [f"        elif (met & {m.distinctions:#x}).bit_count() >= {m.needed}:",
                          "            latest = DISTINCTION"]
            lines += ["        else:", "            latest = PASS"]
        if history:
            lines += ["        counted.append((i, latest))", "        failed = failed or latest is FAIL",
                      "        again = again or attempt.kind != 'first'"]
        lines.append(f"    grade_{k} = latest")
    return lines


def _combination(methods: Sequence[Method]) -> list[str]:
    """``grades`` and ``overall``: the combination's answer, None until every method has a grade."""
    grades = "(" + ", ".join(f"grade_{k}" for k in range(len(methods))) + ("," if len(methods) == 1 else "") + ")"
    missing = " or ".join(f"grade_{k} is None" for k in range(len(methods))) or "False"
    return [f"    grades = {grades}", f"    if {missing}:", "        overall = None", "    else:",
            "        overall = OVERALL.get(grades, OVERALL)", "        if overall is OVERALL:",
            "            overall = COMBINED(grades)"]


def _grades(methods: Sequence[Method]) -> list[str]:
    return ["def grades(entries):", *_loop(methods, history=False), *_combination(methods),
            "    return overall, grades"]


def _decide(methods: Sequence[Method], journey: Journey) -> list[str]:
    lines = ["def decide(record, entries):", *_loop(methods, history=True), *_combination(methods),
             "    capped = full_retake = False"]
    resits = "overall, capped, full_retake = RESITS(record, counted, failed, again, overall)"
    if journey.resits is not None and journey.asks_resit:
        lines += [f"    {resits}  # the body's own resit_policy"]
    elif journey.resits is not None:
        # Only a resit or retake can be capped, and only a fail opens a window; without a resit or retake, only a
        # window counted from the first assessment governs any attempt (the others govern resits and retakes).
        spread = " or (failed and SPREAD(record, counted))" if journey.spread is not None else ""
        lines += [f"    if again{spread}:", f"        {resits}"]
    if journey.gateway is not None:
        ready = "GATEWAY(record)  # the body's own gateway_requirements"
    else:
        tests = ["False not in PROVIDED(record.gateway)"] if journey.provided is not None else []
        tests += [f"not UNMET_{k}(record)" for k in range(len(journey.unmet))]
        ready = " and ".join(tests) or "True"
    return [*lines, f"    ready = {ready}",
            "    return NEW(DECISION, (BODY, overall, METHODS, grades, ready, capped, full_retake))"]
