"""Resit and retake windows: by when a resit or retake must be taken after a fail.

A window counts from each fail's notice (``fail_notified``: it governs the next attempt at the fail's method),
from the first fail's notice (``first_fail_notified``: every resit and retake), or from the first attempt
(``first_assessment``: every attempt). An attempt it governs dated after it is late, unless exceptional
circumstances are recorded for it (``epa.families.history.exceptional``) and the document lets them lift the
window. A window missed has the consequence its document states: the whole EPA again (``full_retake``; never
for advice), or, where the document states none (``none_stated``), the miss is reported and nothing follows.

Stated here once: ``spans`` finds what each window governs and what is late, ``missed`` decides (the cohort
engine asks it through ``RetakeWindow``), and ``explain`` gives each window's deadlines and cited steps
(``epa.resits``, the default ``resit_policy``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import NamedTuple

from epa.families.history import Counted, exceptional, next_at_method
from epa.model import Deadline, Grade, GradedAttempt, Offset, Step, Window
from epa.timeline import ADVICE_MISSED
from epa.workdays import describe, shift

Due = Callable[[dt.date], dt.date]  # a window's due date from the date it counts from


class Span(NamedTuple):
    """One window as the record opens it: the fail that opens it (its place in the history), the date it counts
    from and its due date, and the places of the attempts it governs, of those late, and of those excused."""

    failed: int
    anchor: dt.date
    due: dt.date
    governed: tuple[int, ...]
    late: tuple[int, ...]
    excused: tuple[int, ...]


def decides_retake(window: Window) -> bool:
    """Whether missing the window means the whole EPA again (advice is never a failure)."""
    return window.consequence == "full_retake" and window.strength != "advice"


def spans(window: Window, history: Counted, due: Due | None = None) -> list[Span]:
    """What the window governs in a history holding a fail (only a fail opens a window), in record order."""
    fails = [i for i, (_, grade) in enumerate(history) if grade is Grade.FAIL]
    opened: list[tuple[int, dt.date, tuple[int, ...]]]
    if window.from_ == "fail_notified":
        opened = [(i, history[i][0].notified_on, () if (j := next_at_method(i, history)) is None else (j,))
                  for i in fails]
    elif window.from_ == "first_fail_notified":
        opened = [(fails[0], history[fails[0]][0].notified_on,
                   tuple(j for j, (a, _) in enumerate(history) if a.kind != "first"))]
    else:  # first_assessment: every attempt, first ones too
        opened = [(fails[0], history[0][0].date, tuple(range(len(history))))]
    lift = window.exceptional_circumstances_lift
    found = []
    for failed, anchor, governed in opened:
        by = due(anchor) if due is not None else shift(anchor, window.offset)
        late = tuple(j for j in governed if history[j][0].date > by)
        found.append(Span(failed, anchor, by, governed, late,
                          tuple(j for j in late if lift and exceptional(j, history))))
    return found


def missed(window: Window, history: Counted, due: Due | None = None) -> bool:
    """Whether an attempt the window governs is late beyond exceptional circumstances."""
    return any(len(span.late) > len(span.excused) for span in spans(window, history, due))


class RetakeWindow:
    """A window whose miss means the whole EPA again (``decides_retake``), with its due dates (``due``: a cohort's
    engine remembers them by the date they count from)."""

    def __init__(self, window: Window, due: Due):
        self.window, self.due = window, due

    def missed(self, history: Counted) -> bool:
        return missed(self.window, history, self.due)


def fewest_days(offset: Offset) -> int:
    """The fewest calendar days an offset can span from any date: at least as many as it says of days and of
    working days, seven a week and 28 a month; 0 for one that can reach back. (Attempts spanning fewer days than
    a window counted from the first assessment cannot miss it.)"""
    parts = (offset.months or 0, offset.weeks or 0, offset.days or 0, offset.working_days or 0)
    return 0 if min(parts) < 0 else 28 * parts[0] + 7 * parts[1] + parts[2] + parts[3]


def _label(g: GradedAttempt) -> str:
    return f"{g.attempt.method} {g.attempt.kind} on {g.attempt.date}"


def explain(window: Window, history: Sequence[GradedAttempt]) -> tuple[list[Deadline], bool, list[Step]]:
    """The window's deadlines, whether missing it (beyond any exceptional circumstances) means the whole EPA
    again, and the cited steps."""
    found = spans(window, [(g.attempt, g.grade) for g in history])
    deadlines, retake, steps = [], False, []
    for i, span in enumerate(found):
        suffix = f".{history[span.failed].attempt.method}" + (f".{i + 1}" if len(found) > 1 else "")
        deadline_id = window.id + (suffix if window.from_ == "fail_notified" else "")
        status = "missed" if span.late else "met" if span.governed else "open"
        says = f"{window.name}: by {span.due} ({describe(window.offset)} {span.anchor})"
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
