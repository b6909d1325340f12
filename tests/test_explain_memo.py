"""Explaining remembers its pieces (``epa.engine.plans``, issue 18), and a remembered explanation is the one worked out
anew: on drawn records, the installed bodies and a body with its own rules by hook; a hook whose contract lets its
answer depend on more than its arguments (a body's own deadlines), or one a plugin wraps, is asked every time.
"""

from __future__ import annotations

import copy
import functools
import itertools
from typing import Any

import attrs
import msgspec
import pluggy
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from test_decisions import _load, records

import epa
from epa import defaults
from epa.engine.explained import grade
from epa.engine.plans import remembering
from epa.errors import InputError
from epa.model.domain import Grade, Record
from epa.model.results import ComponentResult, Deadline, Outcome, Step
from epa.registry import Registry, installed_candidates

OWN = "ownrules"


def _cite(ruleset: epa.Ruleset) -> str:
    return f"{ruleset.document.file} § its own rule"


def _own_component(self: object, ruleset: epa.Ruleset, method: str, criteria_met: frozenset[str]) -> ComponentResult:
    """A rule no document states, so that a remembered answer can only be this hook's: pass from three criteria
    met, distinction from eight."""
    n = len(criteria_met)
    grade = Grade.DISTINCTION if n >= 8 else Grade.PASS if n >= 3 else Grade.FAIL
    return ComponentResult(method, grade, (Step(f"{method}: {n} criteria met: {grade}", _cite(ruleset)),))


def _own_combination(self: object, ruleset: epa.Ruleset, components: dict[str, Grade]) -> Outcome:
    """Distinction if two or more methods are distinction; any fail fails."""
    grades = list(components.values())
    overall = Grade.FAIL if Grade.FAIL in grades else Grade.DISTINCTION if grades.count(Grade.DISTINCTION) >= 2 \
        else Grade.PASS
    return Outcome(overall, (Step(f"{len(grades)} methods: {overall}", _cite(ruleset)),))


def _offering_st0071(reg: Registry) -> epa.Body:
    offering = reg.offering("ST0071") if "ST0071" in reg.standards() else ()
    if not offering:
        pytest.skip("no installed body offers ST0071, whose rules the test bodies reuse")
    return offering[0].body


@functools.cache
def _registry() -> Registry:
    """The installed bodies, and one more reusing an installed body's ST0071 rules with its own grade_component
    and combine_grades (pure, as their contract requires)."""
    reg = Registry(installed_candidates())
    rules = _offering_st0071(reg).rulesets_for("ST0071")
    own = epa.testing.make_plugin(OWN, rules, grade_component=_own_component, combine_grades=_own_combination)
    return Registry([*installed_candidates(), (OWN, own)])


def _written(results: list[Any]) -> bytes:
    """The results as --format json writes them (msgspec, as epa.batch.cohort: 65 and 65.0 are written apart)."""
    return msgspec.json.encode(results)


def _explained(reg: Registry, record: Record) -> bytes:
    return _written([grade(loaded, record) for loaded in reg.offering(record.standard)])


MEASURES = st.sampled_from([None, 30, 30.0, 45, 60, 60.0, 65, 65.5, 66, 75, 90.0])


JOURNEY_DATES = ("registered", "evidence_submitted", "epa_start", "planning_meeting", "portfolio_submitted",
                 "project_report_submitted", "observation_notice", "proposal_rejected", "proposal_resubmitted")


def _day(draw: Any) -> str:
    return f"2025-{draw(st.integers(1, 12)):02d}-{draw(st.integers(1, 28)):02d}"


def _changed(draw: Any, data: dict[str, Any]) -> dict[str, Any]:
    """A copy of a record with one or two things a piece reads changed, the rest (what keys it too) kept: a
    piece remembered without all it reads would be written for the wrong record."""
    data = copy.deepcopy(data)
    for _ in range(draw(st.integers(1, 2))):
        what = draw(st.sampled_from(["date", "attempt", "born", "level", "flag", "gateway"]))
        apprentice = data["apprentice"]
        if what == "date":
            data["dates"] = {**data.get("dates", {}), draw(st.sampled_from(JOURNEY_DATES)): _day(draw)}
        elif what == "attempt" and data["assessments"]:
            attempt = draw(st.sampled_from(data["assessments"]))
            attempt[draw(st.sampled_from(["date", "notified"]))] = _day(draw)
            data["assessments"].sort(key=lambda a: a["date"])
        elif what == "born":
            apprentice["date_of_birth"] = f"{draw(st.integers(1995, 2009))}-{_day(draw)[5:]}"
            apprentice.setdefault("start_date", "2024-01-08")
        elif what == "level":
            apprentice[draw(st.sampled_from(["english", "maths"]))] = draw(st.sampled_from(
                ["none", "entry3", "level1", "level2", "level3"]))
        elif what == "flag":
            apprentice[draw(st.sampled_from(["ehcp", "bsl"]))] = draw(st.booleans())
        else:
            data["gateway"] = {**data["gateway"], **draw(st.fixed_dictionaries({}, optional={
                "portfolio_pieces": st.integers(0, 12), "project_proposal_words": st.integers(0, 600),
                "photo_id": st.booleans(), "gateway_form": st.booleans()}))}
    return data


@st.composite
def cohorts(draw: Any, reg: Registry) -> list[dict[str, Any]]:
    """A few records sharing what makes pieces repeat: drawn records (tests/test_decisions.py's), and copies of
    the first with some values changed; durations and word counts from a small pool, ints and floats alike."""
    first = draw(records(reg))
    drawn = [first, *draw(st.lists(records(reg), max_size=2))]
    drawn += [_changed(draw, first) for _ in range(draw(st.integers(1, 4)))]
    for data in drawn:
        for attempt in data["assessments"]:
            for measure in ("duration_minutes", "questioning_minutes", "words"):
                value = draw(MEASURES)
                if value is not None:
                    attempt[measure] = int(value) * 20 if measure == "words" else value
    return drawn


def accepted(reg: Registry, drawn: list[dict[str, Any]]) -> list[Record]:
    """The drawn records the schema and the bodies accept (a drawn cohort may hold one they refuse)."""
    found = []
    for data in drawn:
        try:
            found.append(_load(reg, data))
        except InputError:
            continue
    return found


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.filter_too_much])
@given(st.data())
def test_a_remembered_explanation_is_the_one_worked_out_anew(data: st.DataObject) -> None:
    reg = _registry()
    cohort = accepted(reg, data.draw(cohorts(reg)))
    assume(cohort)
    with remembering(False):
        fresh = [_explained(reg, record) for record in cohort]
    with remembering(True):  # each record after the first finds pieces the ones before it left
        remembered = [_explained(reg, record) for record in cohort]
        again = [_explained(reg, record) for record in cohort]
    assert remembered == fresh
    assert again == fresh


def _record(reg: Registry, **attempt_extra: Any) -> Record:
    methods = reg.method_ids("ST0071")
    return _load(reg, {
        "standard": "ST0071",
        "apprentice": {"id": "MEMO-1", "start_date": "2024-01-08", "date_of_birth": "2000-03-01",
                       "english": "level2", "maths": "level2"},
        "gateway": {"date": "2025-02-03", "portfolio_pieces": 8},
        "assessments": [{"method": m, "date": f"2025-03-1{i}", "criteria_met": [], **attempt_extra}
                        for i, m in enumerate(methods)]})


def test_a_count_written_as_an_int_or_a_float_is_remembered_apart() -> None:
    """A gateway count of 8 and of 8.0 are written differently ("portfolio pieces 8" and "8.0"): a requirement
    remembered by the value alone would write the one for the other. (A record read from a file holds what the
    schema allows; one a program builds may hold either.)"""
    reg = _registry()
    record = _record(reg)
    as_int = attrs.evolve(record, gateway=attrs.evolve(record.gateway, portfolio_pieces=8))
    as_float = attrs.evolve(record, gateway=attrs.evolve(record.gateway, portfolio_pieces=8.0))
    with remembering(False):
        fresh = [_explained(reg, as_int), _explained(reg, as_float)]
    if fresh[0] == fresh[1]:
        pytest.skip("no installed body counts portfolio pieces at gateway")
    with remembering(True):
        assert [_explained(reg, as_int), _explained(reg, as_float)] == fresh


class _Impure:
    """A body with its own deadlines hook whose answer changes at every call (the hook contract lets a
    collecting hook read anything), and a wrapper round combine_grades that counts its calls."""

    def __init__(self, body: epa.Body):
        self.body = epa.Body(id="impure", name="impure", rulesets=tuple(
            attrs.evolve(r, body="impure") for r in body.rulesets_for("ST0071")))
        self.counter = itertools.count(1)
        self.wrapped = 0

    @epa.hookimpl
    def register_body(self) -> epa.Body:
        return self.body

    @epa.hookimpl
    def deadlines(self, ruleset: epa.Ruleset, record: Record) -> list[Deadline]:
        n = next(self.counter)
        return [Deadline("asked", "asked", None, "by", "unknown", f"asked {n} times", _cite(ruleset), needs="x")]

    @pluggy.HookimplMarker("epa")(wrapper=True)
    def combine_grades(self, ruleset: epa.Ruleset, components: dict[str, Grade]) -> Any:
        self.wrapped += 1
        return (yield)


def test_a_hook_not_pure_by_contract_or_wrapped_is_asked_every_time() -> None:
    plugin = _Impure(_offering_st0071(_registry()))
    reg = Registry([("impure", plugin)])
    loaded = reg.body("impure")
    record = _record(reg)
    with remembering(True):
        first, second = grade(loaded, record), grade(loaded, record)
    said = [[d.says for d in r.deadlines if d.id == "asked"] for r in (first, second)]
    assert said == [["asked 1 times"], ["asked 2 times"]]
    assert plugin.wrapped == 2  # every method graded both times: the wrapped combination asked each time


def test_a_pure_hook_is_asked_once_for_each_distinct_argument() -> None:
    """grade_component's contract says its answer depends on its arguments alone: asked once per method and
    criteria met, however many records list them (and every time, with nothing remembered)."""
    calls: list[str] = []

    def counted(self: object, ruleset: epa.Ruleset, method: str, criteria_met: frozenset[str]) -> ComponentResult:
        calls.append(method)
        return defaults.grade_component(ruleset, method, criteria_met)

    body = _offering_st0071(_registry())
    plugin = epa.testing.make_plugin("pure", body.rulesets_for("ST0071"), grade_component=counted)
    reg = Registry([("pure", plugin)])
    loaded, record = reg.body("pure"), _record(reg)
    methods = len(reg.method_ids("ST0071"))
    with remembering(True):
        grade(loaded, record), grade(loaded, record)
    assert len(calls) == methods
    calls.clear()
    with remembering(False):
        grade(loaded, record), grade(loaded, record)
    assert len(calls) == 2 * methods


def test_a_table_keeps_its_last_generation_and_no_more(monkeypatch: pytest.MonkeyPatch) -> None:
    """A full table starts a new generation and keeps the last one, whose entries ``recall`` gives back (and keeps
    in the new one); the one before is forgotten. A table not remembering keeps nothing."""
    from epa.engine import plans

    monkeypatch.setattr(plans, "REMEMBERED", 2)
    table = plans.Table(True)
    for key in "abc":  # c starts a new generation: a and b are the last one's
        table.put(key, key.upper())
    assert dict(table) == {"c": "C"} and table.get("a") is None
    assert table.recall("a") == "A" and table.get("a") == "A"  # given back, and kept
    table.put("d", "D")  # c and a full: a new generation, holding d; c and a the last one's; b forgotten
    assert dict(table) == {"d": "D"} and table.recall("b") is None and table.recall("c") == "C"
    off = plans.Table(False)
    off.put("a", "A")
    assert not off and off.recall("a") is None
