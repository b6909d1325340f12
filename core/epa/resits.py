"""A body's resit and retake rules applied to the record's attempt history (the default ``resit_policy``).

The grade cap, the resit and retake windows, and rework deadlines, each step
cited. A missed window has the consequence its document states: the whole EPA
again (``full_retake``, which the caller reports instead of a grade), or, where
the document states none (``none_stated``), the miss is reported and nothing
else follows.
"""

from __future__ import annotations

from collections.abc import Sequence

from epa.families import history as attempt_history
from epa.model import Deadline, Grade, GradedAttempt, ResitDecision, Rework, Ruleset, Step, Window
from epa.timeline import ADVICE_MISSED
from epa.workdays import describe, shift


def _label(g: GradedAttempt) -> str:
    return f"{g.attempt.method} {g.attempt.kind} on {g.attempt.date}"


def _exceptional(g: GradedAttempt, history: Sequence[GradedAttempt]) -> bool:
    """Exceptional circumstances recorded on a resit or retake, or on the fail it follows (a document may
    tie them to "the original fail")."""
    before = [h for h in history[:history.index(g)] if h.attempt.method == g.attempt.method]
    return g.attempt.exceptional_circumstances or bool(before and before[-1].attempt.exceptional_circumstances)


def _after(history: Sequence[GradedAttempt], failed: GradedAttempt) -> GradedAttempt | None:
    later = history[history.index(failed) + 1:]
    return next((g for g in later if g.attempt.method == failed.attempt.method), None)


def _window(window: Window, history: Sequence[GradedAttempt]) -> tuple[list[Deadline], bool, list[Step]]:
    """One window's deadlines, whether missing it (beyond any exceptional circumstances) means the whole EPA
    again, and the steps."""
    fails = [g for g in history if g.grade == Grade.FAIL]
    if window.from_ == "fail_notified":
        spans = [(g, g.attempt.notified_on, [n] if (n := _after(history, g)) else []) for g in fails]
    elif window.from_ == "first_fail_notified":
        spans = [(fails[0], fails[0].attempt.notified_on, [g for g in history if g.attempt.kind != "first"])]
    else:  # first_assessment: every attempt, first ones too
        spans = [(fails[0], history[0].attempt.date, list(history))]
    deadlines, missed, steps = [], False, []
    for i, (failed, anchor, governed) in enumerate(spans):
        due = shift(anchor, window.offset)
        suffix = f".{failed.attempt.method}" + (f".{i + 1}" if len(spans) > 1 else "")
        deadline_id = window.id + (suffix if window.from_ == "fail_notified" else "")
        late = [g for g in governed if g.attempt.date > due]
        excused = [g for g in late if window.exceptional_circumstances_lift and _exceptional(g, history)]
        status = "missed" if late else "met" if governed else "open"
        says = f"{window.name}: by {due} ({describe(window.offset)} {anchor})"
        if late:
            says += f"; {', '.join(_label(g) for g in late)} came after it"
            if window.strength == "advice":
                says += ADVICE_MISSED
        deadlines.append(Deadline(deadline_id, window.name, due, "by", status, says, window.citation,
                                  strength=window.strength))
        if excused:
            steps.append(Step(f"{says}, but exceptional circumstances are recorded, which this document lets lift "
                              "the window", window.citation))
        if len(late) > len(excused):
            if window.consequence == "full_retake" and window.strength != "advice":  # advice is never a failure
                missed = True
                steps.append(Step(f"{says}: the whole EPA must be taken again", window.citation))
            else:  # none_stated: reported, and nothing follows that the document does not state
                steps.append(Step(f"{says}: the window was missed; the document states no consequence for missing "
                                  f"it (“{window.text}”), so none is applied", window.citation))
    return deadlines, missed, steps


def _rework(rework: Rework, history: Sequence[GradedAttempt]) -> tuple[list[Deadline], list[Step]]:
    """The rework deadline after each fail of the method, kept when the next attempt is on or before it."""
    fails = [g for g in history if g.grade == Grade.FAIL and g.attempt.method == rework.method]
    deadlines, steps = [], []
    for i, failed in enumerate(fails):
        notified = failed.attempt.notified_on
        due = shift(notified, rework.offset)
        says = f"{rework.name}: by {due} ({describe(rework.offset)} the fail notified {notified})"
        redo = _after(history, failed)
        status = "open" if redo is None else "met" if redo.attempt.date <= due else "missed"
        if redo and status == "missed":
            says += f"; reworked on {redo.attempt.date}, late: the document does not say what follows"
            says += ADVICE_MISSED if rework.strength == "advice" else ""
            steps.append(Step(says, rework.citation))
        deadline_id = rework.id + (f".{i + 1}" if len(fails) > 1 else "")
        deadlines.append(Deadline(deadline_id, rework.name, due, "by", status, says, rework.citation,
                                  strength=rework.strength))
    return deadlines, steps


def decide(ruleset: Ruleset, history: Sequence[GradedAttempt]) -> ResitDecision | None:
    rules = ruleset.journey.resit if ruleset.journey else None
    if rules is None:
        return None
    later = [g for g in history if g.attempt.kind != "first"]
    capped, steps = attempt_history.explain_cap(rules.cap, history) if later else (False, [])
    deadlines, full_retake = [], False
    if any(g.grade == Grade.FAIL for g in history):
        for window in rules.windows:
            found, missed, window_steps = _window(window, history)
            deadlines += found
            full_retake |= missed
            steps += window_steps
        for rework in rules.rework:
            found, rework_steps = _rework(rework, history)
            deadlines += found
            steps += rework_steps
    if later:
        limit = rules.attempts.limit
        steps.append(Step(f"number of resits and retakes: {'no limit set' if limit is None else f'at most {limit}'} "
                          f"(“{rules.attempts.text}”)", rules.attempts.citation))
    if rules.retake_through_gateway and any(g.attempt.kind == "retake" for g in later):
        steps.append(Step(f"a retake goes through gateway again (“{rules.retake_through_gateway.text}”)",
                          rules.retake_through_gateway.citation))
    return ResitDecision(capped, full_retake, tuple(steps), tuple(deadlines))
