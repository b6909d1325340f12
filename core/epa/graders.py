"""A compiled ruleset's grading loop, written out as a Python function for that ruleset.

A cohort runs the grading loop for every body and record: for each method, the attempts counted (each until
one is not a fail), each graded from its criteria as bits, or by its grade as given. Written generically, the
loop unpacks each method's masks and tests whether the body asks its own hook and whether the method has a
distinction level, for every record. Written out for one ruleset, with its methods unrolled and the masks,
thresholds and those choices fixed in the text, the same loop runs in about 60% of the time. The text is kept
(``Graders.source``) and shown in tracebacks; ``tests/test_decisions.py`` holds the decisions to ``grade``'s.

For a ruleset with two methods, one graded by the default's rule, the generated ``grades`` reads::

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
            return None, grades
        overall = OVERALL.get(grades, OVERALL)
        if overall is OVERALL:
            overall = COMBINED(grades)
        return overall, grades
"""

from __future__ import annotations

import itertools
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


_numbered = itertools.count(1)


class Graders:
    """The two functions written for one ruleset, from its methods in order:

    - ``graded(entries)``: each method's grade (None: not attempted); the attempts counted, as (place in the
      record, grade); whether any counted attempt failed, and whether any is a resit or retake;
    - ``grades(entries)``: the overall grade the combination gives (None until every method has one) and each
      method's grade, before the resit rules; ``combined(grades)`` asks the combine_grades hook, and
      ``overall`` remembers its answers.

    ``entries``: a record's attempts by method, each as (place in the record, attempt, criteria met as bits or
    None where the attempt gives a grade).
    """

    def __init__(self, name: str, methods: Sequence[Method], overall: dict[Any, Grade | None],
                 combined: Callable[[tuple[Grade, ...]], Grade | None]):
        self.source = "\n".join([*_function("graded", methods, history=True), "",
                                 *_function("grades", methods, history=False), ""])
        # A file name of its own, its text in linecache: a traceback through these functions shows their lines.
        filename = f"<epa grading loop {next(_numbered)}: {name}>"
        linecache.cache[filename] = (len(self.source), None, self.source.splitlines(True), filename)
        namespace: dict[str, Any] = {"FAIL": Grade.FAIL, "PASS": Grade.PASS, "DISTINCTION": Grade.DISTINCTION,
                                     "ASKED": [m.asked for m in methods], "OVERALL": overall, "COMBINED": combined}
        exec(compile(self.source, filename, "exec"), namespace)  # noqa: S102 (our own text, from numbers and ids)
        self.graded: Callable[[dict[str, list[Any]]], tuple[tuple[Grade | None, ...], list[tuple[int, Grade]],
                                                             bool, bool]] = namespace["graded"]
        self.grades: Callable[[dict[str, list[Any]]], tuple[Grade | None, tuple[Grade | None, ...]]] = \
            namespace["grades"]


def _function(name: str, methods: Sequence[Method], *, history: bool) -> list[str]:
    lines = [f"def {name}(entries):"]
    if history:
        lines += ["    counted = []", "    failed = again = False"]
    for k, m in enumerate(methods):
        lines += ["    latest = None",
                  f"    for i, attempt, met in entries.get({m.id!r}, ()):",
                  "        if latest is not None and latest is not FAIL:",
                  "            break  # resits and retakes follow a fail only: a later attempt is not counted",
                  "        if met is None:",
                  "            latest = attempt.grade"]
        if m.asked is not None:
            lines += ["        else:", f"            latest = ASKED[{k}](met)  # the body's own grade_component"]
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
    grades = "(" + ", ".join(f"grade_{k}" for k in range(len(methods))) + ("," if len(methods) == 1 else "") + ")"
    if history:
        return [*lines, f"    return {grades}, counted, failed, again"]
    missing = " or ".join(f"grade_{k} is None" for k in range(len(methods))) or "False"
    return [*lines, f"    grades = {grades}", f"    if {missing}:", "        return None, grades",
            "    overall = OVERALL.get(grades, OVERALL)", "    if overall is OVERALL:",
            "        overall = COMBINED(grades)", "    return overall, grades"]
