"""A body's resit and retake rules applied to the record's attempt history (the default ``resit_policy``).

The grade cap (its rule stated in ``epa.rules.history``), the resit and
retake windows (``epa.rules.windows``), and rework deadlines, each step
cited. A missed window has the consequence its document states: the whole EPA
again (``full_retake``, which the caller reports instead of a grade), or, where
the document states none (``none_stated``), the miss is reported and nothing
else follows.
"""

from __future__ import annotations

from collections.abc import Sequence

from epa.model.domain import Attempt, Grade, Rework, Ruleset
from epa.model.results import Deadline, GradedAttempt, ResitDecision, Step
from epa.rules import history as attempt_history
from epa.rules import windows
from epa.rules.deadlines import ADVICE_MISSED, fail_reading
from epa.rules.workdays import describe, shift

# The window procedure, by the name tests/test_decisions.py holds the engine's decision to.
_window = windows.explain


def _rework(rework: Rework, history: Sequence[GradedAttempt]) -> tuple[list[Deadline], list[Step]]:
    """The rework deadline after each fail of the method, kept when the next attempt is on or before it."""
    pairs = [(g.attempt, g.grade) for g in history]
    fails = [i for i, g in enumerate(history) if g.grade == Grade.FAIL and g.attempt.method == rework.method]
    deadlines, steps = [], []
    for i, failed in enumerate(fails):
        attempt = history[failed].attempt
        notified = attempt.notified_on
        due = shift(notified, rework.offset)
        # An undated notification is counted from the assessment (the record schema's rule), said as such: naming the
        # day "notified" would state a date the record never gave.
        counted = f"the fail notified {notified}" if attempt.notified is not None else f"the fail on {notified}"
        says = f"{rework.name}: by {due} ({describe(rework.offset)} {counted}" \
            f"{fail_reading(rework, attempt.notified is not None)})"
        redo = None if (after := attempt_history.next_at_method(failed, pairs)) is None else history[after]
        # The record dates the next attempt, which for a project may be its interview, held after the reworked
        # submission the month is for: on or before the due date, the rework was too (met); after it, the record
        # does not show when the rework was submitted, so whether it was late is unknown, never "missed".
        status = "open" if redo is None else "met" if redo.attempt.date <= due else "unknown"
        needs = None
        if redo and status == "unknown":
            # say which date was compared, never that the rework was done that day
            redone = f"{redo.attempt.method} {redo.attempt.kind} on {redo.attempt.date}"
            needs = f"the date the reworked {rework.method} was submitted (the record dates the {redone}, after " \
                    f"{due})"
            says += f"; the {redone} came after it, but the record dates the {redo.attempt.kind}, not the reworked " \
                    f"submission: whether the rework was late is unknown (the document does not say what follows a " \
                    f"late one)"
            says += ADVICE_MISSED if rework.strength == "advice" else ""
            steps.append(Step(says, rework.citation))
        deadline_id = rework.id + (f".{i + 1}" if len(fails) > 1 else "")
        deadlines.append(Deadline(deadline_id, rework.name, due, "by", status, says, rework.citation, needs=needs,
                                  strength=rework.strength))
    return deadlines, steps


def plain(history: Sequence[tuple[Attempt, Grade]]) -> bool:
    """Whether no attempt of a history (the attempts counted, with their grades) failed and none is a resit or
    retake: then ``decide`` decides nothing but that, the same for every such history."""
    return all(a.kind == "first" and g is not Grade.FAIL for a, g in history)


def decide(ruleset: Ruleset, history: Sequence[GradedAttempt]) -> ResitDecision | None:
    rules = ruleset.journey.resit if ruleset.journey else None
    if rules is None:
        return None
    later = [g for g in history if g.attempt.kind != "first"]
    capped, steps = attempt_history.explain_cap(rules.cap, history, attempt_history.cap_readings(
        ruleset.ambiguities)) if later else (False, [])
    deadlines, full_retake = [], False
    if any(g.grade == Grade.FAIL for g in history):
        for window in rules.windows:
            found, missed, window_steps = windows.explain(window, history, len(ruleset.method_ids))
            deadlines += found
            full_retake |= missed
            steps += window_steps
        for rework in rules.rework:
            found, rework_steps = _rework(rework, history)
            deadlines += found
            steps += rework_steps
    if later:
        _, said = attempt_history.attempts_rule(rules.attempts, rules.windows)
        steps.append(Step(f"{said} (“{rules.attempts.text}”)", rules.attempts.citation))
    if rules.retake_through_gateway and any(g.attempt.kind == "retake" for g in later):
        steps.append(Step(f"a retake goes through gateway again (“{rules.retake_through_gateway.text}”)",
                          rules.retake_through_gateway.citation))
    return ResitDecision(capped, full_retake, tuple(steps), tuple(deadlines))
