"""The grading loop and decisions written out for the rulesets in force (``epa.engine.graders``), on methods and
journeys made up here, so that every branch of the generated text is taken whatever bodies are installed.
(``tests/test_decisions.py`` holds the written-out decisions to ``grade``'s on the installed bodies.)

The rule the generated loop applies where a body keeps the default's: a method fails unless every pass
criterion is met, and is a distinction when at least its threshold of distinction criteria are met (every one,
without a threshold); a method with no distinction criteria is at most a pass (``epa.defaults.grade_component``).
"""

from __future__ import annotations

import datetime as dt
import traceback
from typing import Any, NamedTuple

import pytest

from epa.engine.graders import CompiledJourney, CompiledMethod, Graders, Rules
from epa.model.domain import Grade
from epa.model.results import Decision

F, P, D = Grade.FAIL, Grade.PASS, Grade.DISTINCTION
BITS = {f"c{i}": 1 << i for i in range(8)}  # criterion id c<i> is bit i


class Attempt(NamedTuple):
    grade: Grade | None = None
    kind: str = "first"
    exceptional: bool = False  # exceptional circumstances recorded


class Tried(NamedTuple):  # an attempt as a record lists it
    method: str
    criteria_met: tuple[str, ...] | None
    grade: Grade | None
    kind: str
    date: dt.date = dt.date(2026, 1, 5)
    exceptional_circumstances: bool = False


class Record(NamedTuple):
    assessments: list[Tried]
    gateway: Any = None


# observation: pass criteria bits 0-2, distinction bits 3-4, a distinction needs 1 of them (a threshold);
# discussion: pass criteria bits 5-6 and no distinction criteria.
OBSERVATION = CompiledMethod("observation", 0b00111, 0b11000, 1, None)
DISCUSSION = CompiledMethod("discussion", 0b1100000, 0, 0, None)


def lowest(grades: tuple[Grade, ...]) -> Grade:
    return min(grades, key=list(Grade).index)


def made(*methods: CompiledMethod, journey: CompiledJourney | None = None) -> Graders:
    """Graders for one body whose combination is the lowest grade (fail before pass before distinction)."""
    return Graders("test", [Rules("acme", methods, {}, lowest, journey or CompiledJourney())], BITS, Decision)


def ids(met: int) -> tuple[str, ...]:
    return tuple(c for c, bit in BITS.items() if met & bit)


def record(gateway: Any = None, days: int = 7, **attempts: list[tuple[Attempt, int | None]]) -> Record:
    """A record of the attempts at each method (a method's after the one before's, ``days`` apart), each with the
    criteria met as bits (None: the attempt gives a grade)."""
    listed = [(m, a, met) for m, tried in attempts.items() for a, met in tried]
    return Record([Tried(m, None if met is None else ids(met), a.grade, a.kind,
                         dt.date(2026, 1, 5) + dt.timedelta(days=days * i), a.exceptional)
                   for i, (m, a, met) in enumerate(listed)], gateway)


def graded(graders: Graders, rec: Record) -> tuple[Grade | None, tuple[Grade | None, ...]]:
    """The one body's (overall, grades) from grading alone."""
    [(_, overall, grades)] = graders.grades(rec)
    return overall, grades


def decided(graders: Graders, rec: Record) -> Decision:
    [decision] = graders.decide(rec)
    return decision  # type: ignore[no-any-return]


@pytest.mark.parametrize(("met", "expected"), [
    (0b00011, F),  # a pass criterion missing: fail, whatever else is met
    (0b11011, F),
    (0b00111, P),  # every pass criterion, no distinction criterion
    (0b01111, D),  # every pass criterion and one distinction criterion: the threshold of 1
    (0b11111, D),
])
def test_the_default_rule_from_criteria_met(met, expected):
    assert graded(made(OBSERVATION), record(observation=[(Attempt(), met)])) == (expected, (expected,))


def test_without_a_threshold_every_distinction_criterion_is_needed():
    every = made(OBSERVATION._replace(needed=2))
    assert graded(every, record(observation=[(Attempt(), 0b01111)]))[0] == P
    assert graded(every, record(observation=[(Attempt(), 0b11111)]))[0] == D


def test_a_method_without_distinction_criteria_is_at_most_a_pass():
    graders = made(DISCUSSION)
    assert graded(graders, record(discussion=[(Attempt(), 0b1100000)])) == (P, (P,))
    assert graded(graders, record(discussion=[(Attempt(), 0b0100000)])) == (F, (F,))


def test_a_repeated_or_unknown_criterion_id_counts_once_or_not_at_all():
    graders = made(OBSERVATION)
    repeated = Record([Tried("observation", ("c0", "c0", "c1", "c2"), None, "first")])
    unknown = Record([Tried("observation", ("c0", "c1", "x9"), None, "first")])
    assert graded(graders, repeated) == (P, (P,))  # c0 twice is still every pass criterion, and no more
    assert graded(graders, unknown) == (F, (F,))  # x9 is no pass criterion: c2 is still missing


def test_a_grade_given_stands_and_an_unattempted_method_leaves_the_overall_open():
    graders = made(OBSERVATION, DISCUSSION)
    assert graded(graders, record(observation=[(Attempt(D), None)])) == (None, (D, None))
    assert graded(graders, record(observation=[(Attempt(D), None)], discussion=[(Attempt(P), None)])) == (P, (D, P))


def test_listed_gives_none_for_an_id_repeated_or_outside_the_vocabulary():
    """``decide(record, listed=True)`` checks ids as the schema does (the vocabulary here lacks c3, a distinction
    criterion the rules know); without ``listed``, a repeated id counts once and one no ruleset knows not at all."""
    vocabulary = [c for c in BITS if c != "c3"]
    graders = Graders("test", [Rules("acme", [OBSERVATION], {}, lowest, CompiledJourney())], BITS, Decision, vocabulary)
    listed = Record([Tried("observation", ("c0", "c1", "c2"), None, "first")])
    assert graders.decide(listed, True) == graders.decide(listed) == [decided(graders, listed)]
    assert decided(graders, listed).overall == P
    for ids in (("c0", "c0", "c1", "c2"), ("c0", "c1", "c2", "x9"), ("c0", "c1", "c2", "c3")):
        rec = Record([Tried("observation", ids, None, "first")])
        assert graders.decide(rec, True) is None, ids
        assert decided(graders, rec).overall == (D if "c3" in ids else P), ids
    everything = made(OBSERVATION)  # no vocabulary given: every id the rules know may be listed
    assert everything.decide(Record([Tried("observation", ("c0", "c1", "c2", "c3"), None, "first")]), True)[0][1] == D


def test_an_attempt_at_a_method_the_rules_do_not_have_is_not_graded():
    assert graded(made(OBSERVATION), record(observation=[(Attempt(P), None)], interview=[(Attempt(F), None)])) == \
        (P, (P,))


def test_attempts_are_counted_until_one_is_not_a_fail():
    """A resit follows a fail; an attempt after a pass is not counted (the latest counted grade stands)."""
    resat = record(observation=[(Attempt(F), None), (Attempt(P, "resit"), None), (Attempt(D, "retake"), None)])
    assert decided(made(OBSERVATION, journey=CompiledJourney()), resat).components == {"observation": P}
    assert graded(made(OBSERVATION), resat) == (P, (P,))


def test_each_body_is_graded_by_its_own_rules_from_one_reading_of_the_attempts():
    """Bodies in force together: each its own methods (in its own order, or lacking one), masks, combination
    and count of attempts, the same as each alone."""
    strict = Rules("strict", [OBSERVATION._replace(needed=2), DISCUSSION], {}, lowest, CompiledJourney())
    lenient = Rules("lenient", [DISCUSSION._replace(passes=0b0100000), OBSERVATION._replace(passes=0b1)], {},
                    lambda grades: max(grades, key=list(Grade).index), CompiledJourney())
    only = Rules("only", [OBSERVATION], {}, lowest, CompiledJourney())
    panel = [strict, lenient, only]
    together = Graders("test", panel, BITS, Decision)
    records = [record(observation=[(Attempt(), 0b01011), (Attempt(kind="resit"), 0b01111)],
                      discussion=[(Attempt(), 0b0100000)]),
               record(observation=[(Attempt(), 0b11111)], discussion=[(Attempt(F), None), (Attempt(D, "resit"), None)])]
    for rec in records:
        alone = [Graders("test", [rules], BITS, Decision) for rules in panel]
        assert together.grades(rec) == [graders.grades(rec)[0] for graders in alone]
        assert together.decide(rec) == [graders.decide(rec)[0] for graders in alone]
    # strict: the observation fails (c2 missing), its resit passes (one distinction criterion of the two needed);
    # the discussion fails (c6 missing); the lowest is a fail. lenient: the discussion passes (c5 is its only pass
    # criterion), the observation is a distinction (c0, and c3 of the one needed), so the resit is not counted; the
    # highest is a distinction. only: as strict's observation, but one distinction criterion is enough.
    assert together.grades(records[0]) == [("strict", F, (P, F)), ("lenient", D, (P, D)), ("only", D, (D,))]
    assert [d.methods for d in together.decide(records[0])] == [("observation", "discussion"),
                                                                ("discussion", "observation"), ("observation",)]


def test_the_bodys_own_grade_component_is_asked_for_criteria_met():
    asked = []

    def own(met: int) -> Grade:
        asked.append(met)
        return D if met & 1 else F

    graders = made(OBSERVATION._replace(asked=own))
    assert graded(graders, record(observation=[(Attempt(), 0b1)])) == (D, (D,))
    assert graded(graders, record(observation=[(Attempt(P), None)])) == (P, (P,))  # a grade given is not asked
    assert asked == [0b1]


def test_a_remembered_combination_is_read_and_only_a_new_one_asked():
    asked = []

    def combined(grades: tuple[Grade, ...]) -> Grade:  # as CompiledRuleset._combined: asks, then remembers
        asked.append(grades)
        remembered[grades] = P
        return P

    remembered: dict[Any, Grade | None] = {(D, D): F}
    graders = Graders("test", [Rules("acme", (OBSERVATION, DISCUSSION), remembered, combined, CompiledJourney())], BITS,
                      Decision)
    assert graded(graders, record(observation=[(Attempt(D), None)], discussion=[(Attempt(D), None)]))[0] == F
    both = record(observation=[(Attempt(D), None)], discussion=[(Attempt(F), None)])
    assert graded(graders, both) == (P, (D, F))
    assert decided(graders, both).overall == P
    assert asked == [(D, F)]


# The cap as resits._cap applies it: a resit or retake of a kind the document caps, unless exceptional
# circumstances lift it from every such attempt (recorded on it, or on the attempt before it at its method).
CAP = CompiledJourney(cap=(("resit", "retake"), True))


def after_cap(graders: Graders, rec: Record) -> tuple[Grade | None, bool]:
    """The one body's overall grade after the resit rules, and whether it was capped."""
    decision = decided(graders, rec)
    return decision.overall, decision.capped


def test_a_resit_or_retake_caps_a_distinction_at_pass():
    capping = made(OBSERVATION, journey=CAP)
    assert after_cap(capping, record(observation=[(Attempt(F), None), (Attempt(D, "resit"), None)])) == (P, True)
    assert after_cap(capping, record(observation=[(Attempt(F), None), (Attempt(D, "retake"), None)])) == (P, True)
    # Capped, with nothing to lower; a first attempt is never capped; rules without a cap cap nothing.
    assert after_cap(capping, record(observation=[(Attempt(F), None), (Attempt(P, "resit"), None)])) == (P, True)
    assert after_cap(capping, record(observation=[(Attempt(D), None)])) == (D, False)
    resat = record(observation=[(Attempt(F), None), (Attempt(D, "resit"), None)], discussion=[(Attempt(P), None)])
    assert decided(made(OBSERVATION, DISCUSSION, journey=CAP), resat)[1:4:2] == (P, (D, P))  # the grades stand
    assert after_cap(made(OBSERVATION), resat) == (D, False)


def test_the_cap_applies_only_to_the_kinds_the_document_names():
    resits_only = made(OBSERVATION, journey=CompiledJourney(cap=(("resit",), True)))
    assert after_cap(resits_only, record(observation=[(Attempt(F), None), (Attempt(D, "retake"), None)])) == (D, False)
    assert after_cap(resits_only, record(observation=[(Attempt(F), None), (Attempt(D, "resit"), None)])) == (P, True)


def test_exceptional_circumstances_lift_the_cap_where_the_document_lets_them():
    capping = made(OBSERVATION, journey=CAP)
    on_the_resit = record(observation=[(Attempt(F), None), (Attempt(D, "resit", True), None)])
    on_the_fail = record(observation=[(Attempt(F, exceptional=True), None), (Attempt(D, "resit"), None)])
    assert after_cap(capping, on_the_resit) == after_cap(capping, on_the_fail) == (D, False)
    no_exception = made(OBSERVATION, journey=CompiledJourney(cap=(("resit", "retake"), False)))
    assert after_cap(no_exception, on_the_resit) == (P, True)
    # Recorded at another method: not the fail this resit follows.
    elsewhere = record(discussion=[(Attempt(F, exceptional=True), None), (Attempt(P, "resit"), None)],
                       observation=[(Attempt(F), None), (Attempt(D, "resit"), None)])
    assert decided(made(OBSERVATION, DISCUSSION, journey=CAP), elsewhere).capped is True
    # Two resits at one method: each is lifted by its own circumstances or those of the attempt just before it.
    lifted_twice = record(observation=[(Attempt(F), None), (Attempt(F, "resit", True), None),
                                       (Attempt(D, "resit"), None)])
    assert after_cap(capping, lifted_twice) == (D, False)
    only_the_first = record(observation=[(Attempt(F, exceptional=True), None), (Attempt(F, "resit"), None),
                                         (Attempt(D, "resit"), None)])
    assert after_cap(capping, only_the_first) == (P, True)  # the second resit follows one without them


def test_a_window_is_asked_only_where_it_can_be_missed_and_a_miss_means_no_grade():
    asked = []

    def missed(counted: list, again: bool) -> bool:
        asked.append(([(a.kind, g) for a, g in counted], again))
        return True

    windows = CompiledJourney(cap=(("resit", "retake"), True), missed=missed)
    passed = record(observation=[(Attempt(D), None)])
    failed_once = record(observation=[(Attempt(F), None)])
    resat = record(observation=[(Attempt(F), None), (Attempt(D, "resit"), None)])
    assert decided(made(OBSERVATION, journey=windows), passed).full_retake_required is False
    decided(made(OBSERVATION, journey=windows), failed_once)
    assert not asked  # no fail, or a fail and no resit or retake: only a first-assessment window could govern
    decision = decided(made(OBSERVATION, journey=windows), resat)
    assert asked == [([("first", F), ("resit", D)], True)]
    # Missed: the whole EPA again, no overall grade; the cap is still said to apply.
    assert (decision.overall, decision.full_retake_required, decision.capped) == (None, True, True)

    spread = CompiledJourney(missed=missed, spread=lambda record, counted: True)
    asked.clear()
    assert decided(made(OBSERVATION, journey=spread), failed_once).full_retake_required is True
    assert asked == [([("first", F)], False)]  # a fail whose attempts span a first-assessment window

    # A window counted from the first assessment that spans at least 30 days: attempts 29 days apart cannot miss
    # it, and the spread is not asked; 30 days apart, it is.
    spans = made(OBSERVATION, DISCUSSION, journey=CompiledJourney(missed=missed, spread=lambda record, counted: True,
                                                          spread_days=30))
    asked.clear()
    decided(spans, record(days=29, discussion=[(Attempt(F), None), (Attempt(F, "resit"), None)]))
    assert asked == [([("first", F), ("resit", F)], True)]  # a resit: every window governs it, whatever the span
    asked.clear()
    decided(spans, record(days=29, observation=[(Attempt(F), None)], discussion=[(Attempt(F), None)]))
    assert not asked
    decided(spans, record(days=30, observation=[(Attempt(F), None)], discussion=[(Attempt(F), None)]))
    assert asked == [([("first", F), ("first", F)], False)]


def test_a_body_s_own_resit_policy_is_asked_for_every_record():
    called = []

    def resits(record: Any, counted: list, failed: bool, again: bool, overall: Grade | None, grades: tuple) -> tuple:
        called.append(([(a.method, a.kind, g) for a, g in counted], failed, again))
        return None, True, True, grades

    own = made(OBSERVATION, DISCUSSION, journey=CompiledJourney(resits=resits, asks_resit=True, cap=(("resit",), False)))
    decision = decided(own, Record([Tried("discussion", None, F, "first"), Tried("observation", None, D, "first"),
                                    Tried("discussion", None, P, "resit")]))
    # The attempts counted reach it in record order, and its answer stands (the ruleset's cap is not applied).
    assert called == [([("discussion", "first", F), ("observation", "first", D), ("discussion", "resit", P)],
                        True, True)]
    assert (decision.overall, decision.capped, decision.full_retake_required) == (None, True, True)
    called.clear()
    decided(own, record(observation=[(Attempt(P), None)]))
    assert called == [([("observation", "first", P)], False, False)]


def test_gateway_readiness():
    class Gateway(NamedTuple):
        date: str = "2026-01-05"
        photo_id: bool | None = None

    import operator

    def passed(gateway: Gateway | None) -> Record:
        return record(gateway, observation=[(Attempt(P), None)])

    provided = made(OBSERVATION, journey=CompiledJourney(provided=operator.attrgetter("date", "photo_id")))
    assert decided(provided, passed(Gateway(photo_id=True))).gateway_ready is True
    assert decided(provided, passed(Gateway(photo_id=None))).gateway_ready is True  # not shown: not unmet
    assert decided(provided, passed(Gateway(photo_id=False))).gateway_ready is False
    unmet = made(OBSERVATION, journey=CompiledJourney(unmet=[lambda r: False, lambda r: r.gateway.photo_id is None]))
    assert decided(unmet, passed(Gateway(photo_id=None))).gateway_ready is False
    assert decided(unmet, passed(Gateway(photo_id=True))).gateway_ready is True
    written = made(OBSERVATION, journey=CompiledJourney(unmet=["record.gateway.photo_id is None"]))  # an expression
    assert "not (record.gateway.photo_id is None)" in written.source
    assert decided(written, passed(Gateway(photo_id=None))).gateway_ready is False
    assert decided(written, passed(Gateway(photo_id=True))).gateway_ready is True
    own = made(OBSERVATION, journey=CompiledJourney(gateway=lambda r: False))
    assert decided(own, passed(Gateway())).gateway_ready is False
    assert decided(made(OBSERVATION), passed(None)).gateway_ready is True  # nothing to check


def test_a_failure_inside_the_written_out_code_shows_its_line():
    def broken(met: int) -> Grade:
        raise ZeroDivisionError("in the body's hook")

    graders = made(OBSERVATION._replace(asked=broken))
    with pytest.raises(ZeroDivisionError) as caught:
        graders.grades(record(observation=[(Attempt(), 1)]))
    shown = "".join(traceback.format_exception(caught.value))
    assert "<epa rules test " in shown and "g0_0 = ASKED_0_0(met)  # the body's own grade_component" in shown
    assert "g0_0 = ASKED_0_0(met)" in graders.source


# --- the text checked when compiled (issue 18: generated code validated, each mask commented) ---------------------

def test_a_name_or_field_the_text_cannot_read_is_refused_when_compiled():
    """A rule whose written expression reads a field no record has, or a name nothing defines, is refused as the
    text is compiled (not when a record first reaches the line), naming what it read."""
    from epa.engine.graders import UnsoundCode

    for wrong, named in [("record.gateway.photo_idd is None", r"record\.gateway\.photo_idd"),
                         ("record.apprentice.age < 16", r"record\.apprentice\.age"),
                         ("record.assessments[-1].dated is None", r"record\.assessments\[\]\.dated"),
                         ("NOWHERE(record)", "NOWHERE")]:
        with pytest.raises(UnsoundCode, match=named):
            made(OBSERVATION, journey=CompiledJourney(unmet=[wrong]))
    # Fields both the Record and a cohort line's view have are compiled.
    made(OBSERVATION, journey=CompiledJourney(unmet=["record.gateway.photo_id is None and record.apprentice.ehcp",
                                             "record.assessments[-1].date is None"]))


def test_each_mask_in_the_text_is_commented_with_the_criterion_ids_it_stands_for():
    import re

    graders = made(OBSERVATION, DISCUSSION)
    commented = 0
    for line in graders.source.splitlines():
        code, _, comment = line.partition("#")
        masks = [int(mask, 16) for mask in re.findall(r"\b0x[0-9a-f]+\b", code)]
        if masks:
            commented += 1
            assert set(re.findall(r"\bc\d+\b", comment)) == {c for mask in masks for c in ids(mask)}, line
    # observation's rule (pass c0-c2, distinction c3-c4) and discussion's (pass c5-c6), in decide and in grades.
    assert commented == 4
    assert "# observation: pass c0, c1, c2; distinction c3, c4" in graders.source
    assert "# discussion: pass c5, c6; no distinction criteria" in graders.source
