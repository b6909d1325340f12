"""The grading loop and decision each compiled ruleset has written out for it (``epa.graders``), on methods and
journeys made up here, so that every branch of the generated text is taken whatever bodies are installed.
(``tests/test_decisions.py`` holds the written-out decisions to ``grade``'s on the installed bodies.)

The rule the generated loop applies where a body keeps the default's: a method fails unless every pass
criterion is met, and is a distinction when at least its threshold of distinction criteria are met (every one,
without a threshold); a method with no distinction criteria is at most a pass (``epa.defaults.grade_component``).
"""

from __future__ import annotations

import traceback
from typing import Any, NamedTuple

import pytest

from epa.engine import Decision
from epa.graders import Graders, Journey, Method
from epa.model import Grade

F, P, D = Grade.FAIL, Grade.PASS, Grade.DISTINCTION


class Attempt(NamedTuple):
    grade: Grade | None = None
    kind: str = "first"


# observation: pass criteria bits 0-2, distinction bits 3-4, a distinction needs 1 of them (a threshold);
# discussion: pass criteria bits 5-6 and no distinction criteria.
OBSERVATION = Method("observation", 0b00111, 0b11000, 1, None)
DISCUSSION = Method("discussion", 0b1100000, 0, 0, None)


def made(*methods: Method, journey: Journey | None = None) -> Graders:
    """Graders whose combination is the lowest grade (fail before pass before distinction)."""
    return Graders("test", "acme", methods, {}, lambda grades: min(grades, key=list(Grade).index),
                   journey or Journey(), Decision)


def entries(**attempts: list[tuple[Attempt, int | None]]) -> dict[str, list[Any]]:
    place = iter(range(100))
    return {m: [(next(place), a, met) for a, met in tried] for m, tried in attempts.items()}


@pytest.mark.parametrize(("met", "expected"), [
    (0b00011, F),  # a pass criterion missing: fail, whatever else is met
    (0b11011, F),
    (0b00111, P),  # every pass criterion, no distinction criterion
    (0b01111, D),  # every pass criterion and one distinction criterion: the threshold of 1
    (0b11111, D),
])
def test_the_default_rule_from_criteria_met(met, expected):
    grades = made(OBSERVATION).grades
    assert grades(entries(observation=[(Attempt(), met)])) == (expected, (expected,))


def test_without_a_threshold_every_distinction_criterion_is_needed():
    every = made(OBSERVATION._replace(needed=2)).grades
    assert every(entries(observation=[(Attempt(), 0b01111)]))[0] == P
    assert every(entries(observation=[(Attempt(), 0b11111)]))[0] == D


def test_a_method_without_distinction_criteria_is_at_most_a_pass():
    grades = made(DISCUSSION).grades
    assert grades(entries(discussion=[(Attempt(), 0b1100000)])) == (P, (P,))
    assert grades(entries(discussion=[(Attempt(), 0b0100000)])) == (F, (F,))


def test_a_grade_given_stands_and_an_unattempted_method_leaves_the_overall_open():
    grades = made(OBSERVATION, DISCUSSION).grades
    assert grades(entries(observation=[(Attempt(D), None)])) == (None, (D, None))
    assert grades(entries(observation=[(Attempt(D), None)], discussion=[(Attempt(P), None)])) == (P, (D, P))


def test_attempts_are_counted_until_one_is_not_a_fail():
    """A resit follows a fail; an attempt after a pass is not counted (the latest counted grade stands)."""
    decide = made(OBSERVATION, journey=Journey()).decide
    resat = entries(observation=[(Attempt(F), None), (Attempt(P, "resit"), None), (Attempt(D, "retake"), None)])
    assert decide(None, resat).components == {"observation": P}
    graded = made(OBSERVATION).grades
    assert graded(resat) == (P, (P,))


def test_the_bodys_own_grade_component_is_asked_for_criteria_met():
    asked = []

    def own(met: int) -> Grade:
        asked.append(met)
        return D if met & 1 else F

    grades = made(OBSERVATION._replace(asked=own)).grades
    assert grades(entries(observation=[(Attempt(), 0b1)])) == (D, (D,))
    assert grades(entries(observation=[(Attempt(P), None)])) == (P, (P,))  # a grade given is not asked about
    assert asked == [0b1]


def test_a_remembered_combination_is_read_and_only_a_new_one_asked():
    asked = []

    def combined(grades: tuple[Grade, ...]) -> Grade:  # as CompiledRuleset._combined: asks, then remembers
        asked.append(grades)
        remembered[grades] = P
        return P

    remembered: dict[Any, Grade | None] = {(D, D): F}
    graders = Graders("test", "acme", (OBSERVATION, DISCUSSION), remembered, combined, Journey(), Decision)
    assert graders.grades(entries(observation=[(Attempt(D), None)], discussion=[(Attempt(D), None)]))[0] == F
    both = entries(observation=[(Attempt(D), None)], discussion=[(Attempt(F), None)])
    assert graders.grades(both) == (P, (D, F))
    assert graders.decide(None, both).overall == P
    assert asked == [(D, F)]


def test_the_resit_rules_are_called_only_where_they_can_change_anything():
    called = []

    def resits(record: Any, counted: list, failed: bool, again: bool, overall: Grade | None) -> tuple:
        called.append((counted, failed, again))
        return overall, again, False

    failed_once = entries(observation=[(Attempt(F), None)])
    resat = entries(observation=[(Attempt(F), None), (Attempt(P, "resit"), None)])
    decide = made(OBSERVATION, journey=Journey(resits=resits)).decide
    assert decide(None, failed_once).capped is False and not called  # no resit, no first-assessment window
    assert decide(None, resat).capped is True and called == [([(0, F), (1, P)], True, True)]

    spread = made(OBSERVATION, journey=Journey(resits=resits, spread=lambda record, counted: True)).decide
    called.clear()
    spread(None, failed_once)
    assert called == [([(0, F)], True, False)]  # a fail whose attempts span a first-assessment window

    own = made(OBSERVATION, journey=Journey(resits=resits, asks_resit=True)).decide
    called.clear()
    own(None, entries(observation=[(Attempt(P), None)]))
    assert called == [([(0, P)], False, False)]  # the body's own resit_policy: asked for every record


def test_gateway_readiness():
    class Gateway(NamedTuple):
        date: str = "2026-01-05"
        photo_id: bool | None = None

    class Record(NamedTuple):
        gateway: Gateway

    import operator

    passed = entries(observation=[(Attempt(P), None)])
    provided = made(OBSERVATION, journey=Journey(provided=operator.attrgetter("date", "photo_id"))).decide
    assert provided(Record(Gateway(photo_id=True)), passed).gateway_ready is True
    assert provided(Record(Gateway(photo_id=None)), passed).gateway_ready is True  # not shown: not unmet
    assert provided(Record(Gateway(photo_id=False)), passed).gateway_ready is False
    unmet = made(OBSERVATION, journey=Journey(unmet=[lambda r: False, lambda r: r.gateway.photo_id is None])).decide
    assert unmet(Record(Gateway(photo_id=None)), passed).gateway_ready is False
    assert unmet(Record(Gateway(photo_id=True)), passed).gateway_ready is True
    own = made(OBSERVATION, journey=Journey(gateway=lambda r: False)).decide
    assert own(Record(Gateway()), passed).gateway_ready is False
    assert made(OBSERVATION).decide(None, passed).gateway_ready is True  # nothing to check


def test_a_failure_inside_the_written_out_code_shows_its_line():
    def broken(met: int) -> Grade:
        raise ZeroDivisionError("in the body's hook")

    graders = made(OBSERVATION._replace(asked=broken))
    with pytest.raises(ZeroDivisionError) as caught:
        graders.grades(entries(observation=[(Attempt(), 1)]))
    shown = "".join(traceback.format_exception(caught.value))
    assert "<epa rules test " in shown and "latest = ASKED_0(met)  # the body's own grade_component" in shown
    assert "latest = ASKED_0(met)" in graders.source
