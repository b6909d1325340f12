"""Each rule family is stated in one place (issue 18, "One semantics per rule family"): ``core/epa/rules/<family>.py``
decides, explains and writes the cohort's compiled code, and both paths read it. Each test changes the family's
rule where it is stated and checks that the explained path (``grading.grade``, through the default hooks) and
the compiled one (``Engine.decide``, through ``epa.engine.graders``) both follow; and, where the family states its rule
both as Python and as the text it writes, that the two agree."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from epa.batch.cohort import Located
from epa.engine import plans
from epa.engine.compiled import Engine
from epa.engine.explained import grade
from epa.errors import InputError
from epa.inputs.record import record_from_data
from epa.model.domain import Ambiguity, Grade, NeededAt, Record, Ruleset
from epa.registry import Registry
from epa.rules import combination, windows
from epa.rules import grading as component
from epa.rules import history as attempt_history
from epa.testing import make_plugin, registry


def _acme(having: Callable[[Ruleset], bool] = lambda ruleset: True, **hooks: Any) -> Registry:
    """A body with the ST0071 rules of the first installed body whose latest rules are ``having``, and the default
    hooks (or ``hooks``), loaded afresh."""
    try:
        found = [r for loaded in registry().offering("ST0071") if having(r := loaded.body.rulesets_for("ST0071")[-1])]
    except InputError:
        found = []
    if not found:
        pytest.skip("no installed body offers ST0071 with the rules this test needs")
    return Registry([("acme", make_plugin("acme", found[:1], **hooks))])


def _record(reg: Registry, attempts: list[dict[str, Any]], gateway: str = "2026-01-05") -> Record:
    data = {"standard": "ST0071", "apprentice": {"id": "A-1"}, "gateway": {"date": gateway}, "assessments": attempts}
    return record_from_data(data, Located("generated", 1), reg, where="generated:1")


def _both(reg: Registry, record: Record) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """What the explained path and the compiled one decide, each afresh (nothing remembered from before); the
    compiled explanation (``Engine.explain``) reads the same family as the oracle, so it says the same."""
    with plans.remembering(False):
        explained = grade(reg.offering("ST0071")[0], record)
    engine = Engine(reg)
    assert engine.explain(record) == [explained]
    decided = engine.decide(record)[0]
    return ((explained.components, explained.overall, explained.capped, explained.full_retake_required),
            (decided.components, decided.overall, decided.capped, decided.full_retake_required))


# --- component grading -----------------------------------------------------------------------------------------

def test_component_thresholds_are_read_from_the_family_by_both_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    reg = _acme()
    ruleset = reg.offering("ST0071")[0].body.rulesets_for("ST0071")[-1]
    method, *others = ruleset.method_ids
    passes = [c.id for c in ruleset.criteria_for(method, "pass")]
    if len(passes) < 2:
        pytest.skip(f"{method} has fewer than two pass criteria")
    attempts = [{"method": method, "date": "2026-01-10", "criteria_met": passes[1:]},
                *({"method": m, "date": "2026-01-11", "grade": "pass"} for m in others)]
    record = _record(reg, attempts)
    explained, decided = _both(reg, record)
    assert explained == decided and explained[0][method] == Grade.FAIL  # one pass criterion missing: a fail

    # The rule changed where it is stated (a pass needing one pass criterion fewer): both paths follow.
    stated = component.Thresholds.of

    def one_fewer(cls: type, ruleset: Any, method: str) -> component.Thresholds:
        found = stated(ruleset, method)
        return attrs.evolve(found, pass_needed=found.pass_needed - 1)
    monkeypatch.setattr(component.Thresholds, "of", classmethod(one_fewer))
    explained, decided = _both(_acme(), record)
    assert explained == decided and explained[0][method] == Grade.PASS


@settings(max_examples=300, deadline=None, derandomize=True)
@given(passes=st.integers(0, 6), distinctions=st.integers(0, 4), data=st.data())
def test_the_written_rule_decides_as_the_family_decides(passes: int, distinctions: int, data: st.DataObject) -> None:
    """``expression`` (what the compiled code runs) gives ``decide``'s grade for every criteria met."""
    pass_needed = data.draw(st.integers(1, passes)) if passes else 0
    needed = data.draw(st.integers(1, distinctions)) if distinctions else 0
    rule = component.Thresholds("m", tuple(f"P{i}" for i in range(passes)),
                                tuple(f"D{i}" for i in range(distinctions)), pass_needed, needed, "x § 1")
    pass_mask, distinction_mask = (1 << passes) - 1, ((1 << distinctions) - 1) << passes
    written = eval(f"lambda met: {component.expression(pass_mask, distinction_mask, needed, pass_needed)}",  # noqa: S307
                   {"FAIL": Grade.FAIL, "PASS": Grade.PASS, "DISTINCTION": Grade.DISTINCTION})
    for met in range(1 << (passes + distinctions)):
        assert written(met) == component.decide(rule, (met & pass_mask).bit_count(),
                                                (met & distinction_mask).bit_count()), met


@pytest.mark.parametrize("met, names", [
    # P0..P2 pass criteria (all needed), D0..D3 distinction criteria (3 needed); P2 and D3 are named by the
    # recorded ambiguity "read". Hand-worked: a step names the reading only where the missing criteria it is
    # about, counted as met, would reach what is needed (read otherwise they would not hold the grade down).
    ({"P0", "P1"}, True),                     # fail: only P2 missing, and it is read -> 2 + 1 = 3 needed
    ({"P0"}, False),                          # fail: P1 missing too, printed plainly -> 1 + 1 < 3
    ({"P0", "P1", "P2", "D0", "D1"}, True),   # pass: D2, D3 missing; 2 met + D3 read = 3 needed
    ({"P0", "P1", "P2", "D0"}, False),        # pass: 1 met + D3 read = 2 < 3
    ({"P0", "P1", "P2", "D0", "D1", "D2"}, False),  # distinction: nothing holds it down
])
def test_a_grade_turning_on_read_criteria_names_the_reading(met: set[str], names: bool) -> None:
    rule = component.Thresholds("m", ("P0", "P1", "P2"), ("D0", "D1", "D2", "D3"), 3, 3, "x § 1",
                                (("read", "not_needed", (("P2",), ("D3",))),))
    result = component.explain(None, "m", frozenset(met), rule)  # type: ignore[arg-type]
    assert ("ambiguity read" in " ".join(s.says for s in result.steps)) is names
    assert result.grade == component.decide(rule, len(met & {"P0", "P1", "P2"}), len(met & {"D0", "D1", "D2", "D3"}))


@pytest.mark.parametrize("otherwise, met, names", [
    # P0..P3 pass criteria (all needed); the recorded ambiguity "read" names P2 and P3. Hand-worked from what its
    # other reading makes of them:
    ("alternatives", {"P0", "P1", "P2"}, True),   # P3 missing, P2 met: either one would do -> a pass read otherwise
    ("alternatives", {"P0", "P1"}, False),        # both missing: one of them is needed either way -> a fail either way
    ("not_needed", {"P0", "P1"}, True),           # both missing, neither needed read otherwise -> a pass
    ("still_needed", {"P0", "P1", "P2"}, False),  # P3 needed under either reading (its words, say) -> a fail either way
])
def test_a_grade_turns_on_a_reading_only_where_the_other_reading_would_change_it(otherwise: str, met: set[str],
                                                                               names: bool) -> None:
    rule = component.Thresholds("m", ("P0", "P1", "P2", "P3"), (), 4, 0, "x § 1",
                                (("read", otherwise, (("P2",), ("P3",))),))
    result = component.explain(None, "m", frozenset(met), rule)  # type: ignore[arg-type]
    assert result.grade is Grade.FAIL
    assert ("ambiguity read" in " ".join(s.says for s in result.steps)) is names


@pytest.mark.parametrize("met, names", [
    # P0..P5 pass criteria (all needed); the ambiguity "read" names P1..P3 and P4..P5 as two sets, any one whole set
    # needed read otherwise (each role's own, say). Hand-worked:
    ({"P0", "P1", "P2", "P3", "P4"}, True),   # P5 missing, the first set whole -> a pass read otherwise
    ({"P0", "P2", "P3", "P4", "P5"}, True),   # P1 missing, the second set whole -> a pass read otherwise
    ({"P0", "P2", "P3", "P4"}, False),        # a criterion missing from each set: a fail under either reading
    ({"P1", "P2", "P3", "P4", "P5"}, False),  # P0, no reading's, missing: a fail either way
])
def test_a_reading_of_alternative_sets_turns_a_grade_only_where_a_set_is_met_whole(met: set[str],
                                                                                   names: bool) -> None:
    rule = component.Thresholds("m", ("P0", "P1", "P2", "P3", "P4", "P5"), (), 6, 0, "x § 1",
                                (("read", "alternatives", (("P1", "P2", "P3"), ("P4", "P5"))),))
    result = component.explain(None, "m", frozenset(met), rule)  # type: ignore[arg-type]
    assert result.grade is Grade.FAIL
    assert ("ambiguity read" in " ".join(s.says for s in result.steps)) is names


def test_the_readings_are_the_ambiguities_naming_each_criterion() -> None:
    """``Thresholds.of`` reads each recorded ambiguity whose ``criteria`` name one of the method's, with what its other
    reading makes of them and those of its criteria that are the method's (and only those: an ambiguity naming
    another method's criterion, or none, is not this method's)."""
    rules = next(loaded.body.rulesets_for("ST0071")[-1] for loaded in _acme().offering("ST0071"))
    method, other = rules.method_ids[0], rules.method_ids[1]
    mine, theirs = rules.criteria_for(method, "pass")[0].id, rules.criteria_for(other, "pass")[0].id
    said = dict(citation=rules.combination.citation, text_says="t", reading="r", why="w")
    rules = attrs.evolve(rules, ambiguities=(
        Ambiguity("a", criteria=(mine,), **said),
        Ambiguity("b", criteria=(mine, theirs), criteria_otherwise="alternatives", **said), Ambiguity("c", **said)))
    assert component.Thresholds.of(rules, method).readings == (("a", "not_needed", ((mine,),)),
                                                                ("b", "alternatives", ((mine,),)))
    assert component.Thresholds.of(rules, other).readings == (("b", "alternatives", ((theirs,),)),)
    # Sets given, each keeps its criteria of the method, and a set holding none of them is left out.
    rules = attrs.evolve(rules, ambiguities=(
        Ambiguity("d", criteria=(mine, theirs), criteria_otherwise="alternatives", criteria_sets=((mine,), (theirs,)),
                  **said),))
    assert component.Thresholds.of(rules, method).readings == (("d", "alternatives", ((mine,),)),)


def test_a_reading_needing_more_is_read_at_each_method():
    """A reading whose other reading needs its criteria at one method (``needed_at``): there, a distinction
    criterion of that method is needed for a pass (``needed_at``) and the others, which the method does not hold,
    are wanted at the level named; at the method holding one of the others, it is not needed there
    (``not_needed``): a fail missing it alone turns on the reading, a pass needing it at the first method could fall."""
    rules = next(loaded.body.rulesets_for("ST0071")[-1] for loaded in _acme().offering("ST0071"))
    method, other = rules.method_ids[0], rules.method_ids[1]
    mine = rules.criteria_for(method, "distinction")[0].id
    theirs = rules.criteria_for(other, "pass")[0].id
    said = dict(citation=rules.combination.citation, text_says="t", reading="r", why="w")
    rules = attrs.evolve(rules, ambiguities=(
        Ambiguity("e", criteria=(mine, theirs, "X.NONE"), criteria_otherwise="needed_at",
                  needed_at=NeededAt(method, "pass"), **said),))
    here, there = component.Thresholds.of(rules, method), component.Thresholds.of(rules, other)
    assert here.readings == (("e", "needed_at", ((mine,),)),) and here.wanted == (("e", (theirs, "X.NONE"), "pass"),)
    assert there.readings == (("e", "not_needed", ((theirs,),)),) and there.wanted == ()
    # at the other method, its fail missing that one alone turns on the reading (read otherwise, not needed there)
    passes = set(there.passes) - {theirs}
    assert "ambiguity e" in " ".join(s.says for s in component.explain(rules, other, frozenset(passes)).steps)
    # at the first, a pass listing neither of the others falls read otherwise; one listing both does not
    result = component.explain(rules, method, frozenset(here.passes))
    assert result.grade is Grade.PASS
    fell = component.unheld(rules, here, result.grade, frozenset(here.passes))
    assert len(fell) == 1 and fell[0].says.startswith(f"{method}: the grade turns on {theirs}, X.NONE")
    assert component.unheld(rules, here, result.grade, frozenset({*here.passes, theirs, "X.NONE"})) == ()
    assert component.unheld(rules, here, Grade.FAIL, frozenset()) == ()


# --- combination -----------------------------------------------------------------------------------------------

def test_the_combination_is_read_from_the_family_by_both_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    reg = _acme()
    methods = reg.method_ids("ST0071")
    record = _record(reg, [{"method": m, "date": "2026-01-10", "grade": "pass"} for m in methods])
    explained, decided = _both(reg, record)
    assert explained == decided and explained[1] == Grade.PASS  # a pass in every method: a pass (every document)

    # The rule changed where it is stated (every pass made a distinction): both paths follow.
    stated = combination.decide
    monkeypatch.setattr(combination, "decide", lambda table, grades: (
        Grade.DISTINCTION if (found := stated(table, grades)) is Grade.PASS else found))
    explained, decided = _both(_acme(), record)
    assert explained == decided and explained[1] == Grade.DISTINCTION


# --- attempt history and the cap ---------------------------------------------------------------------------------

def _capped_resit(reg: Registry) -> tuple[Record, str]:
    """A record whose first method fails, then is resat with a distinction, every other method a distinction; and
    the kind the body's cap applies to (a resit where it caps one)."""
    ruleset = reg.offering("ST0071")[0].body.rulesets_for("ST0071")[-1]
    cap = ruleset.journey.resit.cap if ruleset.journey and ruleset.journey.resit else None
    kinds = attempt_history.capping_kinds(cap.applies_to) if cap else ()
    if not kinds:
        pytest.skip("the body's rules cap no resit or retake")
    method, *others = ruleset.method_ids
    attempts = [{"method": method, "date": "2026-01-10", "grade": "fail"},
                *({"method": m, "date": "2026-01-11", "grade": "distinction"} for m in others),
                {"method": method, "date": "2026-02-02", "kind": kinds[0], "grade": "distinction"}]
    return _record(reg, attempts), kinds[0]


def test_the_cap_is_read_from_the_family_by_both_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    reg = _acme()
    record, kind = _capped_resit(reg)
    explained, decided = _both(reg, record)
    # A capped resit or retake with distinctions everywhere: capped at pass (every body's cap is at pass).
    assert explained == decided and explained[1:3] == (Grade.PASS, True), kind

    # The rule changed where it is stated (the cap applies to no kind of attempt): both paths follow.
    monkeypatch.setattr(attempt_history, "capping_kinds", lambda applies_to: ())
    explained, decided = _both(_acme(), record)
    assert explained == decided and explained[1:3] == (Grade.DISTINCTION, False)


def test_an_attempt_counts_as_the_family_says_on_both_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    reg = _acme()
    ruleset = reg.offering("ST0071")[0].body.rulesets_for("ST0071")[-1]
    method, *others = ruleset.method_ids
    if not ruleset.criteria_for(method, "distinction"):
        pytest.skip(f"{method} has no distinction criteria")
    # Every pass criterion met and no distinction criterion: a pass; then a resit meeting every criterion, a
    # distinction, not counted (resits follow a fail only).
    passes = [c.id for c in ruleset.criteria_for(method, "pass")]
    record = _record(reg, [{"method": method, "date": "2026-01-10", "criteria_met": passes},
                           *({"method": m, "date": "2026-01-10", "grade": "pass"} for m in others),
                           {"method": method, "date": "2026-02-02", "kind": "resit",
                            "criteria_met": [c.id for c in ruleset.criteria_for(method)]}])
    methods = ruleset.method_ids
    explained, decided = _both(reg, record)
    assert explained[0] == decided[0] and explained[0][methods[0]] == Grade.PASS

    # The rule changed where it is stated (every attempt counts, the latest deciding): both paths follow. (With no
    # cap: where a document caps the resit's own grade, as Highfield's does, the resit's distinction is a pass.)
    monkeypatch.setattr(attempt_history, "counts", lambda last: True)
    monkeypatch.setattr(attempt_history, "counts_expression", lambda last: "True")
    monkeypatch.setattr(attempt_history, "capping_kinds", lambda applies_to: ())
    explained, decided = _both(_acme(), record)
    assert explained[0] == decided[0] and explained[0][methods[0]] == Grade.DISTINCTION


# --- resit and retake windows ----------------------------------------------------------------------------------

def _retake_windows(ruleset: Ruleset, decides: Callable[[Any], bool] = windows.decides_retake) -> bool:
    """Whether the rules set a window whose miss means the whole EPA again (as the family says before a test
    changes it)."""
    return bool(ruleset.journey and ruleset.journey.resit and any(decides(w) for w in ruleset.journey.resit.windows))


def test_a_window_is_read_from_the_family_by_both_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    reg = _acme(_retake_windows)
    method, *others = reg.method_ids("ST0071")
    # A fail, then a resit three years on: late for any window the bodies set (three or twelve months).
    record = _record(reg, [{"method": method, "date": "2026-01-10", "grade": "fail"},
                           *({"method": m, "date": "2026-01-11", "grade": "pass"} for m in others),
                           {"method": method, "date": "2029-01-10", "kind": "resit", "grade": "pass"}])
    explained, decided = _both(reg, record)
    assert explained == decided and (explained[1], explained[3]) == (None, True)  # the whole EPA again

    # The rule changed where it is stated (a missed window never means the whole EPA again): both paths follow.
    monkeypatch.setattr(windows, "decides_retake", lambda window: False)
    explained, decided = _both(_acme(_retake_windows), record)
    assert explained == decided and (explained[1], explained[3]) == (Grade.PASS, False)
