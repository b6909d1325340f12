"""Resit and retake windows: by when a resit or retake must be taken after a fail.

A window counts from each fail's notice (``fail_notified``: it governs the next attempt at the fail's method),
from the first fail's notice (``first_fail_notified``: every resit and retake), or from the first attempt
(``first_assessment``: every attempt). A fail's notice is the date the record gives it, else the fail's own date,
or, where the document notifies results only once all assessments are completed, the day the last of the record's
first assessments was held, where later (``notice``). An attempt it governs dated after it is late, unless exceptional
circumstances are recorded for it (``epa.rules.history.exceptional``) and the document lets them lift the
window. A window missed has the consequence its document states: the whole EPA again (``full_retake``; never
for advice), or, where the document states none (``none_stated``), the miss is reported and nothing follows.

Stated here once: ``spans`` finds what each window governs and what is late, ``missed`` decides (the cohort
engine asks it through ``RetakeWindow``), and ``explain`` gives each window's deadlines and cited steps
(``epa.engine.resits``, the default ``resit_policy``).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from typing import NamedTuple

from epa.model.domain import Grade, Offset, Window
from epa.model.results import Deadline, GradedAttempt, Step
from epa.rules.deadlines import ADVICE_MISSED, fail_reading, from_reading
from epa.rules.history import Counted, exceptional, next_at_method
from epa.rules.workdays import describe, shift

Due = Callable[[dt.date], dt.date]  # a window's due date from the date it counts from


class Span(NamedTuple):
    """One window as the record opens it: the fail that opens it (its place in the history), the date it counts
    from and its due date, and the places of the attempts it governs, of those late, and of those excused."""

    failed: int
    anchor: dt.date | None  # None: not yet notified (``notice``), so the window is not yet counted
    due: dt.date | None
    governed: tuple[int, ...]
    late: tuple[int, ...]
    excused: tuple[int, ...]


def decides_retake(window: Window) -> bool:
    """Whether missing the window means the whole EPA again (advice is never a failure)."""
    return window.consequence == "full_retake" and window.strength != "advice"


def _all_assessed(history: Counted) -> dt.date:
    """The day the last first attempt at any method was held: when all the assessments had been completed."""
    return max(a.date for a, _ in history if a.kind == "first")


def _all_first(history: Counted, methods: int) -> bool:
    """Whether the history holds a first attempt at each of the ruleset's ``methods`` (how many it has)."""
    return len({a.method for a, _ in history if a.kind == "first"}) >= methods


def notice(window: Window, history: Counted, failed: int, methods: int) -> dt.date | None:
    """When the fail at place ``failed`` of the history was notified: the date the record gives, else the fail's
    own date; but where the document notifies results only once all assessments are completed
    (``notified_once_all_assessed``), an undated notification is not before the last first attempt, and is not yet
    made (None) while the history lacks a first attempt at one of the ruleset's ``methods``."""
    attempt = history[failed][0]
    if attempt.notified is not None or window.notified_once_all_assessed is None:
        return attempt.notified_on
    return max(attempt.date, _all_assessed(history)) if _all_first(history, methods) else None


def _opened(window: Window, history: Counted, methods: int) -> list[tuple[int, dt.date | None, Sequence[int]]]:
    """Each time the window opens in a history holding a fail (only a fail opens one): the place of the fail that
    opens it, the date it counts from (None: not yet notified, ``notice``), and the places of the attempts it
    governs."""
    if window.from_ == "fail_notified":  # each fail governs the next attempt at its method
        found: list[tuple[int, dt.date | None, Sequence[int]]] = []
        for i, (_, grade) in enumerate(history):
            if grade is Grade.FAIL:
                j = next_at_method(i, history)
                found.append((i, notice(window, history, i, methods), () if j is None else (j,)))
        return found
    first = next(i for i, (_, grade) in enumerate(history) if grade is Grade.FAIL)
    if window.from_ == "first_fail_notified":  # the first fail governs every resit and retake
        return [(first, notice(window, history, first, methods),
                 [j for j, (a, _) in enumerate(history) if a.kind != "first"])]
    return [(first, history[0][0].date, range(len(history)))]  # first_assessment: every attempt, first ones too


def spans(window: Window, history: Counted, methods: int, due: Due | None = None) -> list[Span]:
    """What the window governs in a history holding a fail, and what is late, in record order: an attempt it
    governs dated after it, excused where exceptional circumstances are recorded for it and the document lets
    them lift the window. ``methods``: how many methods the ruleset has (``notice``). A window not yet counted
    (its fail not yet notified) holds nothing late."""
    lift, found = window.exceptional_circumstances_lift, []
    for failed, anchor, governed in _opened(window, history, methods):
        if anchor is None:
            found.append(Span(failed, None, None, tuple(governed), (), ()))
            continue
        by = due(anchor) if due is not None else shift(anchor, window.offset)
        late = tuple(j for j in governed if history[j][0].date > by)
        found.append(Span(failed, anchor, by, tuple(governed), late,
                          tuple(j for j in late if lift and exceptional(j, history))))
    return found


def missed(window: Window, history: Counted, methods: int, due: Due | None = None) -> bool:
    """Whether an attempt the window governs is late beyond exceptional circumstances: a span with more attempts
    late than excused. ``spans``' reading, written for a cohort's engine, which asks it per record: one pass,
    stopping at the first such attempt (tests/test_decisions.py holds the two equal on drawn histories)."""
    if due is None:
        def due(anchor: dt.date) -> dt.date:
            return shift(anchor, window.offset)
    start, lift = window.from_, window.exceptional_circumstances_lift
    if start == "fail_notified":  # each fail governs the next attempt at its method
        due_by: dict[str, dt.date] = {}  # each method's attempt counted last, where it failed: when the next is due
        for j, (a, grade) in enumerate(history):
            by = due_by.pop(a.method, None)
            if by is not None and a.date > by and not (lift and exceptional(j, history)):
                return True
            if grade is Grade.FAIL and (anchor := notice(window, history, j, methods)) is not None:
                due_by[a.method] = due(anchor)  # (None: not yet notified, so nothing it governs is late)
        return False
    if start == "first_fail_notified":  # the first fail governs every resit and retake
        anchor = notice(window, history, next(i for i, (_, grade) in enumerate(history) if grade is Grade.FAIL),
                        methods)
        if anchor is None:
            return False
        by = due(anchor)
        return any(a.kind != "first" and a.date > by and not (lift and exceptional(j, history))
                   for j, (a, _) in enumerate(history))
    by = due(history[0][0].date)  # first_assessment: the first attempt counted governs them all
    return any(a.date > by and not (lift and exceptional(j, history)) for j, (a, _) in enumerate(history))


class RetakeWindow:
    """A window whose miss means the whole EPA again (``decides_retake``), with its due dates (``due``: a cohort's
    engine remembers them by the date they count from)."""

    def __init__(self, window: Window, due: Due, methods: int):
        self.window, self.due = window, due
        # missed(history): ``missed`` for this window, due dates and ruleset's number of methods (a partial: no
        # Python call of its own per record).
        self.missed: Callable[[Counted], bool] = functools.partial(missed, window, methods=methods, due=due)


def fewest_days(offset: Offset) -> int:
    """The fewest calendar days an offset can span from any date: at least as many as it says of days and of
    working days, seven a week and 28 a month; 0 for one that can reach back. (Attempts spanning fewer days than
    a window counted from the first assessment cannot miss it.)"""
    parts = (offset.months or 0, offset.weeks or 0, offset.days or 0, offset.working_days or 0)
    return 0 if min(parts) < 0 else 28 * parts[0] + 7 * parts[1] + parts[2] + parts[3]


def _label(g: GradedAttempt) -> str:
    return f"{g.attempt.method} {g.attempt.kind} on {g.attempt.date}"


def _counted_from(window: Window, failed: GradedAttempt, span: Span) -> str:
    """What the date a window counts from is, beside it, with the tool's readings of it: the fail notified that day,
    the fail itself where the record dates no notification (``fail_reading``), the day the last of the record's first
    assessments was held where the document notifies results only once all are completed (``notice``), or the first
    assessment."""
    attempt = failed.attempt
    if window.from_ == "first_assessment":
        return f"the first assessment on {span.anchor}{from_reading(window)}"
    if attempt.notified is not None:
        return f"the {attempt.method} fail notified {span.anchor}{from_reading(window)}"
    rule = window.notified_once_all_assessed
    if rule is not None and span.anchor != attempt.date:
        # (``notice``: a resit or retake may come after it, so not "the last assessment"; and a record may not yet
        # hold every method's first assessment, so not "when every method had been assessed")
        # Results notified once all are completed may be notified later still: the earliest day is the reading.
        return (f"{span.anchor}, when the last of the record's first assessments was held, the tool's reading: the "
                f"record dates no notification of the {attempt.method} fail on {attempt.date}, and “{rule.text}” "
                f"({rule.citation}), so the earliest day it could be made stands for it{from_reading(window)}")
    return f"the {attempt.method} fail on {span.anchor}{fail_reading(window, notified=False)}"


def explain(window: Window, history: Sequence[GradedAttempt], methods: int) -> tuple[list[Deadline], bool, list[Step]]:
    """The window's deadlines, whether missing it (beyond any exceptional circumstances) means the whole EPA
    again, and the cited steps. ``methods``: how many methods the ruleset has (``notice``)."""
    found = spans(window, [(g.attempt, g.grade) for g in history], methods)
    deadlines, retake, steps = [], False, []
    each_fail, several, offset = window.from_ == "fail_notified", len(found) > 1, describe(window.offset)
    for i, span in enumerate(found):
        deadline_id = window.id + (f".{history[span.failed].attempt.method}" + (f".{i + 1}" if several else "")
                                   if each_fail else "")
        if span.anchor is None:  # (``notice``: the document notifies results once all are completed)
            failed, rule = history[span.failed].attempt, window.notified_once_all_assessed
            said = f", and “{rule.text}” ({rule.citation}), which the record does not yet show" if rule else ""
            deadlines.append(Deadline(
                deadline_id, window.name, None, "by", "unknown",
                f"{window.name}: not yet counted: the record dates no notification of the {failed.method} fail on "
                f"{failed.date}{said}", window.citation,
                needs=f"the {failed.method} fail's notified date, or every method's first assessment (results are "
                      "notified once all assessments are completed)", strength=window.strength))
            continue
        status = "missed" if span.late else "met" if span.governed else "open"
        says = f"{window.name}: by {span.due} ({offset} {_counted_from(window, history[span.failed], span)})"
        if span.late:
            says += f"; {', '.join(_label(history[j]) for j in span.late)} came after it"
            if window.strength == "advice":
                says += ADVICE_MISSED
        deadlines.append(Deadline(deadline_id, window.name, span.due, "by", status, says, window.citation,
                                  strength=window.strength))
        if span.excused:
            steps.append(Step(f"{says}, but exceptional circumstances are recorded, which this document lets lift "
                              "the window", window.citation))
        if len(span.late) > len(span.excused):
            if decides_retake(window):
                retake = True
                steps.append(Step(f"{says}: the whole EPA must be taken again", window.citation))
            else:  # none_stated: reported, and nothing follows that the document does not state
                steps.append(Step(f"{says}: the window was missed; the document states no consequence for missing "
                                  f"it (“{window.text}”), so none is applied", window.citation))
    return deadlines, retake, steps
