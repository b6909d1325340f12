"""``Engine.explain`` (each body's compiled explanation, ``epa.engine.explaining``) gives what the interpreted oracle
gives: ``epa.engine.explained.grade`` for each body offering the record's standard, run with nothing remembered
(``plans.remembering(False)``), compared field by field and as the JSON a batch writes. On drawn records (journey
included, some naming a document version), cohorts of records sharing what makes pieces repeat (each explained
twice by one engine, so that remembered pieces are given back), every example record, and bodies whose own hooks
(grade_component, combine_grades, gateway_requirements, deadlines, resit_policy) or a hook wrapper decide. What the
compiled explanation remembers stays bounded, and a remembered piece is the same object each time it is given.
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import attrs
import msgspec
import pluggy
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from test_decisions import RECORD_FILES, _load, _view, example_record, records
from test_explain_memo import _own_combination, _own_component, accepted, cohorts

import epa
from epa.engine import plans
from epa.engine.compiled import Engine
from epa.engine.explained import grade, grade_overall
from epa.errors import InputError
from epa.model.domain import Grade, Record
from epa.model.results import BodyResult, Deadline, Overall, Requirement, ResitDecision, Step
from epa.registry import Registry, installed_candidates
from epa.testing import make_plugin, registry


def _oracle(reg: Registry, record: Record) -> list[BodyResult]:
    with plans.remembering(False):
        return [grade(loaded, record) for loaded in reg.offering(record.standard)]


def _same(explained: list[BodyResult], oracle: list[BodyResult]) -> None:
    """Equal field by field (naming the field that differs) and as the JSON a batch writes (msgspec, which
    writes 65 and 65.0 apart)."""
    assert [r.body for r in explained] == [r.body for r in oracle]
    for got, want in zip(explained, oracle, strict=True):
        for field in attrs.fields(BodyResult):
            assert getattr(got, field.name) == getattr(want, field.name), (got.body, field.name)
    assert msgspec.json.encode(explained) == msgspec.json.encode(oracle)


def _explained_as_the_oracle(reg: Registry, engine: Engine, loaded: list[Record]) -> None:
    """Each record explained by one engine, then all again (pieces the records before left are given back), as the
    oracle explains it."""
    expected = [_oracle(reg, record) for record in loaded]
    for _ in range(2):
        for record, want in zip(loaded, expected, strict=True):
            _same(engine.explain(record), want)


def _cite(ruleset: epa.Ruleset) -> str:
    return f"{ruleset.document.file} § its own rule"


def _own_gateway(self: object, ruleset: epa.Ruleset, record: Record) -> list[Requirement]:
    """A requirement of the body's own, read from the whole record (which the contract allows)."""
    photo = record.gateway.photo_id
    return [Requirement("own-photo", "Photo ID", True, "unknown" if photo is None else "met" if photo else "unmet",
                        f"photo id {photo} at gateway {record.gateway.date}", _cite(ruleset))]


def _own_deadlines(self: object, ruleset: epa.Ruleset, record: Record) -> list[Deadline]:
    return [Deadline("own-deadline", "Own deadline", record.gateway.date, "by", "open",
                     f"by the gateway {record.gateway.date} of {record.apprentice.id}", _cite(ruleset))]


def _own_resits(self: object, ruleset: epa.Ruleset, record: Record, history: Any) -> ResitDecision:
    """Any fail means the whole EPA again; a resit or retake caps; a step read from the whole record, always (an
    answer remembered by the history alone would name another record's gateway)."""
    failed = any(g.grade == Grade.FAIL for g in history)
    later = any(g.attempt.kind != "first" for g in history)
    return ResitDecision(later and not failed, failed, (Step(
        f"{len(history)} attempts, gateway {record.gateway.date}, photo id {record.gateway.photo_id}: own rule",
        _cite(ruleset)),))


class _Wrapper:
    """A plugin wrapping combine_grades and grade_component: each answer given a step of its own (so a remembered
    answer of the hook alone would differ), a body reusing an installed body's ST0071 rules."""

    def __init__(self, body: epa.Body):
        self.body = epa.Body(id="wrapped", name="wrapped", rulesets=tuple(
            attrs.evolve(r, body="wrapped") for r in body.rulesets_for("ST0071")))

    @epa.hookimpl
    def register_body(self) -> epa.Body:
        return self.body

    @pluggy.HookimplMarker("epa")(wrapper=True)
    def combine_grades(self, ruleset: epa.Ruleset, components: dict[str, Grade]) -> Any:
        outcome = yield
        return attrs.evolve(outcome, steps=(*outcome.steps, Step("wrapped combination", _cite(ruleset))))

    @pluggy.HookimplMarker("epa")(wrapper=True)
    def grade_component(self, ruleset: epa.Ruleset, method: str, criteria_met: frozenset[str]) -> Any:
        result = yield
        return attrs.evolve(result, steps=(*result.steps, Step(f"wrapped {method}", _cite(ruleset))))


@functools.cache
def _hooked() -> Registry:
    """The installed bodies, and three more reusing an installed body's ST0071 rules: one with its own
    grade_component and combine_grades, one with its own gateway_requirements, deadlines and resit_policy, and one
    wrapping two hooks."""
    reg = Registry(installed_candidates())
    offering = reg.offering("ST0071") if "ST0071" in reg.standards() else ()
    if not offering:
        pytest.skip("no installed body offers ST0071, whose rules the test bodies reuse")
    rules = offering[0].body.rulesets_for("ST0071")
    return Registry([*installed_candidates(),
                     ("ownrules", make_plugin("ownrules", rules, grade_component=_own_component,
                                              combine_grades=_own_combination)),
                     ("ownjourney", make_plugin("ownjourney", rules, gateway_requirements=_own_gateway,
                                                deadlines=_own_deadlines, resit_policy=_own_resits)),
                     ("wrapped", _Wrapper(offering[0].body))])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.filter_too_much])
@given(st.data())
def test_any_record_is_explained_as_the_oracle_explains_it(data: st.DataObject) -> None:
    """Drawn records of every installed body's standards, some naming a document version; each also as the view
    of it a cohort's line decodes to (``epa.inputs.fastrecord``), which explains as the Record it stands for."""
    reg = registry()
    pairs = []
    for _ in range(data.draw(st.integers(1, 3))):
        drawn = data.draw(records(reg))
        try:
            pairs.append((drawn, _load(reg, copy.deepcopy(drawn))))
        except InputError:
            continue
    assume(pairs)
    engine = Engine(reg)
    _explained_as_the_oracle(reg, engine, [record for _, record in pairs])
    for drawn, record in pairs:
        _same(engine.explain(_view(reg, drawn)), _oracle(reg, record))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.filter_too_much])
@given(st.data())
def test_a_cohort_is_explained_as_the_oracle_explains_it_whoever_decides(data: st.DataObject) -> None:
    """Records sharing what makes pieces repeat, by the installed bodies and by bodies whose own hooks or a
    wrapper decide."""
    reg = _hooked()
    loaded = accepted(reg, data.draw(cohorts(reg)))
    assume(loaded)
    _explained_as_the_oracle(reg, Engine(reg), loaded)


def test_a_record_naming_each_version_is_explained_as_the_oracle_explains_it() -> None:
    reg = registry()
    tried = 0
    for standard in reg.standards():
        methods = reg.method_ids(standard)
        for loaded in reg.offering(standard):
            for ruleset in loaded.body.rulesets_for(standard):
                data = {"standard": standard, "apprentice": {"id": "V-1", "start_date": "2024-01-08"},
                        "gateway": {"date": "2025-02-03", "photo_id": True},
                        "document_versions": {loaded.body.id: ruleset.document.version},
                        "assessments": [{"method": m, "date": f"2025-03-1{i}", "grade": "pass"}
                                        for i, m in enumerate(methods)]}
                record = _load(reg, data)
                _explained_as_the_oracle(reg, Engine(reg), [record])
                tried += 1
    if not tried:
        pytest.skip("no body is installed")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.filter_too_much])
@given(st.data())
def test_the_grades_alone_are_decided_as_the_oracle_decides_them_whoever_decides(data: st.DataObject) -> None:
    """``Engine.overall`` (what `epa audit` asks of recorded grades: each method's grade, combined, then the resit
    policy) assembled by the compiled explanation, equal to ``grade_overall`` field by field, each record asked
    twice of one engine (the second time from what the first remembered, each answer's lists changed by its
    caller in between), by the installed bodies and by bodies whose own hooks or a wrapper decide."""
    reg = _hooked()
    loaded = accepted(reg, data.draw(cohorts(reg)))
    assume(loaded)
    with plans.remembering(False):  # (which makes every plan afresh on entry and exit: the oracle's first, apart)
        expected = [[(body, grade_overall(body, record)) for body in reg.offering(record.standard)]
                    for record in loaded]
    engine = Engine(reg)
    for _ in range(2):
        for record, answers in zip(loaded, expected, strict=True):
            for body, want in answers:
                got = engine.overall(record, body)
                for field in attrs.fields(Overall):
                    assert getattr(got, field.name) == getattr(want, field.name), (body.body.id, field.name)
                for said in (got.steps, got.resit_steps, got.notes, got.resit_notes):  # a caller's own lists:
                    said.append(None)  # changing them changes nothing remembered


@pytest.mark.parametrize("path", RECORD_FILES, ids=lambda p: p.name)
def test_every_example_record_is_explained_as_the_oracle_explains_it(path: Path) -> None:
    reg = registry()
    _, record = example_record(reg, path)
    _explained_as_the_oracle(reg, Engine(reg), [record])
    engine = Engine(reg)
    for loaded in reg.offering(record.standard):  # one body alone, as `epa grade --body` asks
        with plans.remembering(False):
            expected = [grade(loaded, record)]
        _same(engine.explain(record, loaded), expected)


def _st0071(reg: Registry, n: int, grades: tuple[str, ...] = ("fail", "pass")) -> list[Record]:
    """``n`` records of ST0071 whose dates, grades and measures differ (many pieces new ones)."""
    methods = reg.method_ids("ST0071")
    made = []
    for i in range(n):
        made.append(_load(reg, {
            "standard": "ST0071", "apprentice": {"id": f"B-{i}", "start_date": "2024-01-08",
                                                 "date_of_birth": "2000-03-01", "english": "level2"},
            "gateway": {"date": f"2025-0{1 + i % 9}-{1 + i % 28:02d}", "portfolio_pieces": i % 20,
                        "photo_id": bool(i % 2)},
            "dates": {"epa_start": f"2025-10-{1 + i % 28:02d}", "registered": f"2024-12-{1 + i % 28:02d}"},
            "assessments": [{"method": m, "date": f"2025-11-{1 + i % 20 + j:02d}", "kind": "first",
                             "grade": grades[(i + j) % len(grades)], "duration_minutes": 30 + i % 50}
                            for j, m in enumerate(methods)]}))
    return made


def test_what_a_compiled_explanation_remembers_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """A cohort of any size is explained in bounded memory: every table of every plan is forgotten past
    ``plans.REMEMBERED`` entries (and the versions chosen past the engine's ``REMEMBERED``), and the explanations
    do not change."""
    import epa.engine.compiled

    monkeypatch.setattr(plans, "REMEMBERED", 5)
    monkeypatch.setattr(epa.engine.compiled, "REMEMBERED", 3)
    reg = _hooked()
    engine = Engine(reg)
    made = _st0071(reg, 40)
    expected = [_oracle(reg, record) for record in made]
    with plans.remembering(True):
        for record, want in zip(made, expected, strict=True):
            _same(engine.explain(record), want)
        tables = [table for plan in plans._plans.values() for table in vars(plan).values()
                  if isinstance(table, plans.Table)]
    # two generations, each of a few times REMEMBERED at most (each table's own size)
    assert tables and all(len(table) <= table.size <= 4 * 5 and len(table.older) <= table.size for table in tables)
    assert any(len(table) for table in tables)  # they did remember
    assert len(engine._versions) <= 3


def test_a_remembered_piece_is_the_same_object_each_time() -> None:
    """A record explained twice gives back the same requirement and deadline objects (so that a writer can remember
    each piece's encoded bytes by identity), where the defaults answer. (A record with no fail or resit: a resit's
    steps and deadlines name its dates and are worked out each time, as tolerance checks are.)"""
    reg = registry()
    if "ST0071" not in reg.standards():
        pytest.skip("no installed body offers ST0071")
    record = _st0071(reg, 1, ("pass",))[0]
    engine = Engine(reg)
    first, second = engine.explain(record), engine.explain(record)
    for a, b in zip(first, second, strict=True):
        assert a.gateway.requirements and all(
            x is y for x, y in zip(a.gateway.requirements, b.gateway.requirements, strict=True))
        assert all(x is y for x, y in zip(a.deadlines, b.deadlines, strict=True))
        assert a.document is b.document and a.documents is b.documents


def test_a_check_built_in_code_with_two_kinds_is_remembered_by_what_its_words_read() -> None:
    """Found by an adversarial review: a gateway check built in code (not from a journey file, whose schema allows
    one kind) that is both deferred and counted in days on programme is worded as deferred, from the English and
    maths levels, but was remembered by the start and gateway dates, so a second record with the same dates and
    other levels was given the first one's sentence. Each key must read what the words read."""
    from epa.model.domain import Deferred

    found = [r for b in registry().bodies for r in b.body.rulesets_for("ST0071") if r.journey and any(
        g.check and (g.check.days_on_programme or g.check.months_on_programme) for g in r.journey.gateway)]
    if not found:
        pytest.skip("no installed body's ST0071 rules count time on programme at gateway")

    def deferred_too(ruleset: Any) -> Any:
        gateway = tuple(attrs.evolve(g, check=attrs.evolve(g.check, deferred=Deferred("funding rules")))
                        if g.check and (g.check.days_on_programme or g.check.months_on_programme) else g
                        for g in ruleset.journey.gateway)
        return attrs.evolve(ruleset, journey=attrs.evolve(ruleset.journey, gateway=gateway))
    reg = Registry([("own", make_plugin("own", [deferred_too(found[0])]))])

    def record(english: str) -> Record:
        return _load(reg, {"standard": "ST0071", "apprentice": {"id": "X", "start_date": "2023-01-02",
                                                                  "english": english},
                           "gateway": {"date": "2024-06-03"}, "assessments": []})
    engine = Engine(reg)
    engine.explain(record("level1"))
    second = record("level3")
    _same(engine.explain(second), _oracle(reg, second))
