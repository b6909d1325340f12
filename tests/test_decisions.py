"""The compiled engine (``epa.engine.compiled``) decides as grading does: for every record tried, each body's component
and overall grades, gateway readiness, cap and full retake from ``Engine.decide`` equal those of
``grading.grade``, and ``Engine.grades`` gives the combination before the resit rules. Records come from the
example files, from a strategy that explores what the record schema allows for the installed bodies'
standards (journey dates, resits, retakes, exceptional circumstances, named versions), and from bodies whose
plugins override each deciding hook, whose answers must still win; each both as a Record and as the view of one
that a cohort's line decodes to (``epa.inputs.fastrecord``). (Speed: bench/engine_bench.py.)"""

from __future__ import annotations

import copy
import datetime as dt
import gc
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

import epa
from epa.engine.compiled import Engine
from epa.engine.explained import grade, ruleset_for
from epa.errors import InputError
from epa.inputs.documents import read
from epa.inputs.fastrecord import RecordView, view_of_data
from epa.inputs.record import record_from_data
from epa.model.domain import Grade, Record
from epa.registry import Registry
from epa.rules import windows
from epa.testing import make_plugin, registry

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from cohort import _criteria_by_method  # noqa: E402

RECORD_FILES = sorted([*ROOT.glob("examples/*.yaml"), *ROOT.glob("tests/records/*.yaml")])


def _decided_by_grading(reg: Registry, record: Record) -> list[tuple[Any, ...]]:
    return [(r.body, r.overall, r.components, r.gateway.ready, r.capped, r.full_retake_required)
            for r in (grade(loaded, record) for loaded in reg.offering(record.standard))]


def _decided(engine: Engine, record: Record | RecordView) -> list[tuple[Any, ...]]:
    return [(d.body, d.overall, d.components, d.gateway_ready, d.capped, d.full_retake_required)
            for d in engine.decide(record)]


def _view(reg: Registry, data: dict[str, Any]) -> RecordView:
    """The view of a valid record that a cohort's line decodes to (``epa.inputs.fastrecord``), which the engine reads
    as the Record it stands for."""
    found = view_of_data(copy.deepcopy(data), reg)
    assert found is not None, data
    return found


def _load(reg: Registry, data: dict[str, Any]) -> Record:
    from epa.batch.cohort import Located

    return record_from_data(data, Located("generated", 1), reg, where="generated:1")


def example_record(reg: Registry, path: Path) -> tuple[dict[str, Any], Record]:
    """An example record file, read as a command reads it (its data, and the Record); skips, saying why, where no
    installed body offers it."""
    data, source = read(path)
    try:
        return data, record_from_data(data, source, reg, where=str(path))
    except InputError as exc:
        pytest.skip(f"{path.name}: no installed body offers it ({exc.message})")


def _standards(reg: Registry) -> list[str]:
    offered = sorted({s for loaded in reg.bodies for s in loaded.body.standards})
    if not offered:
        pytest.skip("no body is installed")
    return offered


@pytest.mark.parametrize("path", RECORD_FILES, ids=lambda p: p.name)
def test_every_example_record_is_decided_as_grading_decides(path: Path) -> None:
    reg = registry()
    data, record = example_record(reg, path)
    expected = _decided_by_grading(reg, record)
    assert _decided(Engine(reg), record) == expected
    assert _decided(Engine(reg), _view(reg, json.loads(json.dumps(data, default=str)))) == expected


# --- records as the schema allows them ------------------------------------------------------------------

DAY = dt.date(2025, 1, 6)
LEVELS = ("none", "entry3", "level1", "level2", "level3")
GATEWAY_FLAGS = ("photo_id", "gateway_form", "portfolio", "project_proposal", "portfolio_declaration",
                 "english_maths_declaration")
JOURNEY = ("registered", "evidence_submitted", "epa_start", "planning_meeting", "portfolio_submitted",
           "project_report_submitted", "observation_notice")


def _criteria(reg: Registry, standard: str) -> dict[str, list[str]]:
    """Per method, every criterion id some body assesses there (bench/cohort.py's), and a few assessed elsewhere."""
    found = _criteria_by_method(reg, standard)
    every = sorted(set().union(*found.values()))
    return {m: list(dict.fromkeys(ids + every[:3])) for m, ids in found.items()}


def _age_lines(reg: Registry) -> list[int]:
    """Every age at the start that an installed body's English and maths rule starts or ends a band at."""
    lines = {16, 25}
    for loaded in reg.bodies:
        for ruleset in loaded.body.rulesets:
            for rule in ruleset.journey.gateway if ruleset.journey else ():
                em = rule.check.english_maths if rule.check else None
                if em is not None:
                    lines |= {age for age in (em.min_age, em.max_age) if age is not None}
    return sorted(lines)


def _when(draw: Any, after: dt.date, within: int = 120) -> dt.date:
    return after + dt.timedelta(days=draw(st.integers(0, within)))


@st.composite
def records(draw: Any, reg: Registry) -> dict[str, Any]:
    standard = draw(st.sampled_from(_standards(reg)))
    criteria = _criteria(reg, standard)
    start = DAY + dt.timedelta(days=draw(st.integers(0, 700)))
    gateway = _when(draw, start, 500)
    apprentice: dict[str, Any] = {"id": "A-1"}
    if draw(st.booleans()):
        apprentice["start_date"] = start.isoformat()
        if draw(st.booleans()):  # 15 to 30 at the start, often a day either side of a birthday, or a leap day
            born = start - dt.timedelta(days=draw(st.integers(365 * 15, 365 * 30)))
            kind = draw(st.sampled_from(["any", "birthday", "leap"]))
            if kind == "birthday":  # an age the rules draw a line at, or a year either side
                years = draw(st.sampled_from(_age_lines(reg))) + draw(st.integers(-1, 1))
                born = dt.date(start.year - years, start.month, min(start.day, 28)) \
                    + dt.timedelta(days=draw(st.integers(-1, 1)))
            apprentice["date_of_birth"] = (dt.date(2004, 2, 29) if kind == "leap" else born).isoformat()
    for subject in ("english", "maths"):
        if draw(st.integers(0, 3)):
            apprentice[subject] = draw(st.sampled_from(LEVELS))
    apprentice.update({flag: True for flag in ("ehcp", "bsl") if draw(st.integers(0, 5)) == 0})
    gate: dict[str, Any] = {"date": gateway.isoformat()}
    for flag in GATEWAY_FLAGS:
        if draw(st.booleans()):
            gate[flag] = draw(st.booleans())
    for count in ("portfolio_pieces", "project_proposal_words"):
        if draw(st.booleans()):
            gate[count] = draw(st.integers(0, 500 if count.endswith("words") else 20))
    data: dict[str, Any] = {"standard": standard, "apprentice": apprentice, "gateway": gate}
    dates = {name: _when(draw, gateway - dt.timedelta(days=60), 150).isoformat()
             for name in JOURNEY if draw(st.integers(0, 2)) == 0}
    if "epa_start" in dates or "planning_meeting" in dates:  # these follow gateway
        for name in ("epa_start", "planning_meeting"):
            if name in dates:
                dates[name] = _when(draw, gateway, 40).isoformat()
    if draw(st.integers(0, 3)) == 0:
        rejected = _when(draw, gateway, 30)
        dates["proposal_rejected"] = rejected.isoformat()
        if draw(st.booleans()):
            dates["proposal_resubmitted"] = _when(draw, rejected, 20).isoformat()
    if dates:
        data["dates"] = dates
    day, attempts = gateway, []
    methods = draw(st.permutations(list(criteria)))
    for method in methods[:draw(st.sampled_from([len(methods)] * 4 + list(range(len(methods)))))]:
        for kind in ("first", "resit", "retake")[:draw(st.integers(1, 3))]:
            day = _when(draw, day, 200)
            attempt: dict[str, Any] = {"method": method, "date": day.isoformat(), "kind": kind}
            if draw(st.booleans()):  # most of them, as an apprentice near the line meets, or any few
                left_out = set(draw(st.lists(st.sampled_from(criteria[method]), max_size=3)))
                attempt["criteria_met"] = [c for c in criteria[method] if c not in left_out] \
                    if draw(st.booleans()) else draw(st.lists(st.sampled_from(criteria[method]), unique=True))
            else:  # a resit follows a fail: a recorded grade before another attempt fails
                attempt["grade"] = draw(st.sampled_from(["fail", "pass", "distinction"]))
            if draw(st.booleans()):
                attempt["notified"] = _when(draw, day, 30).isoformat()
            if draw(st.integers(0, 3)) == 0:
                attempt["exceptional_circumstances"] = True
            attempts.append(attempt)
            if attempt.get("grade", "fail") != "fail":
                break
    attempts.sort(key=lambda a: a["date"])
    data["assessments"] = attempts
    versions = {loaded.body.id: [r.document.version for r in loaded.body.rulesets_for(standard)]
                for loaded in reg.offering(standard)}
    if draw(st.integers(0, 4)) == 0:
        body = draw(st.sampled_from(sorted(versions)))
        data["document_versions"] = {body: draw(st.sampled_from(versions[body]))}
    return data


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.data())
def test_any_valid_record_is_decided_as_grading_decides(data: st.DataObject) -> None:
    reg = registry()
    drawn = data.draw(records(reg))
    try:
        record = _load(reg, copy.deepcopy(drawn))
    except InputError:
        assume(False)
        raise
    engine = Engine(reg)
    decided = _decided(engine, record)
    assert decided == _decided_by_grading(reg, record)
    assert _decided(engine, _view(reg, drawn)) == decided
    for (body, overall, grades), (b, decided_overall, components, _, capped, retake), decision in zip(
            engine.grades(record), decided, engine.decide(record), strict=True):
        assert body == b and tuple(components.values()) == decision.grades
        # grading alone is before the resit rules; the one way they change a method's grade is a cap on the resit's
        # own grade (Cap.caps method: 002 § Retake and resit information), from distinction to pass
        assert all(g == c or (capped and (g, c) == (Grade.DISTINCTION, Grade.PASS))
                   for g, c in zip(grades, decision.grades, strict=True))
        assert decision.methods == tuple(components)
        if not capped and not retake:  # the resit rules changed nothing: grading alone agrees
            assert overall == decided_overall


def test_grading_alone_is_the_combination_before_the_resit_rules() -> None:
    """A distinction on a resit: grading alone gives the table's answer; decide applies the cap as grading
    does (every document caps a resit, at pass, unless exceptional circumstances lift it)."""
    reg = registry()
    standard = _standards(reg)[0]
    methods = reg.method_ids(standard)
    attempts = [{"method": m, "date": f"2026-02-0{1 + i}", "grade": "distinction"} for i, m in enumerate(methods)]
    attempts[0] = {**attempts[0], "grade": "fail", "date": "2026-01-20"}
    attempts.append({"method": methods[0], "date": "2026-02-20", "kind": "resit", "grade": "distinction"})
    record = _load(reg, {"standard": standard, "apprentice": {"id": "A-2"}, "gateway": {"date": "2026-01-10"},
                         "assessments": attempts})
    engine = Engine(reg)
    capped = 0
    for (body, overall, grades), decision, result in zip(engine.grades(record), engine.decide(record),
                                                         (grade(b, record) for b in reg.offering(standard)),
                                                         strict=True):
        assert body == decision.body == result.body
        assert grades == tuple(Grade.DISTINCTION for _ in methods)
        assert decision.overall == result.overall and decision.capped == result.capped
        if result.capped:
            capped += 1
            assert overall == Grade.DISTINCTION and decision.overall == Grade.PASS
    cap_a_resit = [loaded for loaded in reg.offering(standard) for r in loaded.body.rulesets_for(standard)[-1:]
                   if r.journey and r.journey.resit and "resit" in r.journey.resit.cap.applies_to]
    assert capped == len(cap_a_resit)  # a body whose document caps a resit caps this one (nothing lifts it)


# --- hooks a plugin overrides still decide -----------------------------------------------------------------

def _acme(**hooks: Any) -> Registry:
    try:
        loaded = registry().offering("ST0071")[0]
    except InputError:
        pytest.skip("no installed body offers ST0071")
    return Registry([("acme", make_plugin("acme", loaded.body.rulesets_for("ST0071"), **hooks))])


def _cohort(reg: Registry, n: int = 40, *, views: bool = False) -> list[Any]:
    """Records (or, with ``views``, the views a cohort's lines decode to) with fails, passes and distinctions."""
    made = []
    for i in range(n):
        methods = reg.method_ids("ST0071")
        attempts = [{"method": m, "date": f"2026-01-{10 + j}", "grade": ("fail", "pass", "distinction")[(i + j) % 3]}
                    for j, m in enumerate(methods)]
        if i % 2:
            first = reg.offering("ST0071")[0].body.rulesets_for("ST0071")[-1].criteria_for(methods[0])
            attempts[0] = {"method": methods[0], "date": "2026-01-10",
                           "criteria_met": [c.id for c in first][: i % (len(first) + 1)]}
        data = {"standard": "ST0071", "apprentice": {"id": f"A-{i}"},
                "gateway": {"date": "2026-01-05", "photo_id": bool(i % 3)}, "assessments": attempts}
        made.append(_view(reg, data) if views else _load(reg, data))
    return made


def test_a_plugins_grade_component_wins_and_is_asked_once_per_distinct_answer() -> None:
    asked: Counter[tuple[str, frozenset[str]]] = Counter()

    def grade_component(self: Any, ruleset: epa.Ruleset, method: str, criteria_met: frozenset[str]) -> Any:
        asked[(method, criteria_met)] += 1
        return epa.ComponentResult(method, Grade.DISTINCTION if len(criteria_met) % 2 else Grade.FAIL,
                                   (epa.Step(f"{method}: parity", ruleset.combination.citation),))

    reg = _acme(grade_component=grade_component)
    engine = Engine(reg)
    for record in _cohort(reg):
        assert _decided(engine, record) == _decided_by_grading(reg, record)
    asked.clear()
    for record in _cohort(reg):
        engine.decide(record)
    assert not asked  # every answer was remembered: the hook depends on its arguments alone


def test_a_plugins_combine_grades_wins() -> None:
    def combine_grades(self: Any, ruleset: epa.Ruleset, components: dict[str, Grade]) -> Any:
        return epa.Outcome(Grade.FAIL if Grade.DISTINCTION in components.values() else Grade.PASS,
                           (epa.Step("acme: any distinction fails", ruleset.combination.citation),))

    reg = _acme(combine_grades=combine_grades)
    engine = Engine(reg)
    for record in _cohort(reg):
        assert _decided(engine, record) == _decided_by_grading(reg, record)
        overall, grades = engine.grades(record)[0][1:]
        assert overall == (None if None in grades else Grade.FAIL if Grade.DISTINCTION in grades else Grade.PASS)


def test_a_plugins_gateway_requirements_and_resit_policy_win() -> None:
    def gateway_requirements(self: Any, ruleset: epa.Ruleset, record: Record) -> list[Any]:
        assert isinstance(record, Record)  # a plugin is given a Record, never the engine's view of one
        photo = record.gateway.photo_id
        return [epa.Requirement("acme-photo", "Photo ID", True, "met" if photo else "unmet", "photo",
                                ruleset.combination.citation)]

    def resit_policy(self: Any, ruleset: epa.Ruleset, record: Record, history: Any) -> Any:
        assert isinstance(record, Record) and all(isinstance(g.attempt, epa.Attempt) for g in history)
        failed = any(g.grade == Grade.FAIL for g in history)
        return epa.ResitDecision(False, failed, (epa.Step("acme: any fail, all again", ruleset.combination.citation),))

    reg = _acme(gateway_requirements=gateway_requirements, resit_policy=resit_policy)
    engine = Engine(reg)
    decided = [engine.decide(record)[0] for record in _cohort(reg)]
    for record, view in zip(_cohort(reg), _cohort(reg, views=True), strict=True):
        assert _decided(engine, record) == _decided(engine, view) == _decided_by_grading(reg, record)
    assert {d.gateway_ready for d in decided} == {True, False}  # the plugin's photo check decides
    assert any(d.full_retake_required and d.overall is None for d in decided)


@pytest.mark.parametrize("hooked", [False, True])
def test_decide_listed_checks_the_criteria_ids_a_view_was_not_checked_for(hooked: bool) -> None:
    """``decide_listed`` (the batch's fast path: ``view(..., criteria=False)``) decides a view whose ids are the
    standard's, none twice, as ``decide`` does, and gives None where one repeats or is unknown, as the schema
    refuses it; a plugin given the whole record (resit_policy here) is never asked about such a record."""
    asked = []

    def resit_policy(self: Any, ruleset: epa.Ruleset, record: Record, history: Any) -> Any:
        asked.append(record.apprentice.id)
        return epa.ResitDecision(False, False, ())

    reg = _acme(resit_policy=resit_policy) if hooked else registry()
    if not hooked and "ST0071" not in {s for loaded in reg.bodies for s in loaded.body.standards}:
        pytest.skip("no installed body offers ST0071")
    engine = Engine(reg)
    for i, good in enumerate(_cohort(reg, views=True)):
        listed = [a.criteria_met for a in good.assessments if a.criteria_met]
        assert engine.decide_listed(good) == engine.decide(good)
        if not listed:
            continue
        vocabulary = sorted(reg.criterion_ids("ST0071"))
        for extra in (listed[0][0], "NOT-A-CRITERION"):  # repeated, unknown
            bad = copy.deepcopy(good)
            bad.apprentice.id = f"B-{i}"
            next(a for a in bad.assessments if a.criteria_met).criteria_met.append(extra)
            assert extra == listed[0][0] or extra not in vocabulary
            assert engine.decide_listed(bad) is None
    assert not [ident for ident in asked if ident.startswith("B-")] and (asked or not hooked)


def test_a_record_listing_an_id_twice_or_an_unknown_id_is_graded_as_grading_does() -> None:
    """Records built in code skip the schema: a repeated criterion id counts once, an unknown one not at all."""
    reg = registry()
    standard = _standards(reg)[0]
    method = reg.method_ids(standard)[0]
    loaded = reg.offering(standard)[0]
    ids = [c.id for c in loaded.body.rulesets_for(standard)[-1].criteria_for(method)]
    record = _load(reg, {"standard": standard, "apprentice": {"id": "A-3"}, "gateway": {"date": "2026-01-05"},
                         "assessments": [{"method": method, "date": "2026-01-06", "criteria_met": ids}]})
    twice = attrs.evolve(record, assessments=(attrs.evolve(record.assessments[0],
                                                           criteria_met=(*ids, ids[0], "NOT-A-CRITERION")),))
    engine = Engine(reg)
    assert _decided(engine, twice) == _decided_by_grading(reg, twice) == _decided(engine, record)


def _changes(reg: Registry, standard: str) -> set[dt.date]:
    """The dates a version of a body's rules for ``standard`` comes into force."""
    return {day for loaded in reg.offering(standard) for ruleset in loaded.body.rulesets_for(standard)
            if (day := ruleset.document.effective_from) is not None}


def test_the_rules_in_force_change_on_the_day_a_version_comes_in() -> None:
    """One engine deciding gateway dates either side of each date a version comes into force, in an order that
    revisits each span (the engine remembers the rules in force by span): the rules it applies are those
    ``ruleset_for`` picks (the latest version in force on the gateway date), and it decides as grading does."""
    reg = registry()
    for standard in _standards(reg):
        changes = sorted(_changes(reg, standard))
        if not changes:
            continue
        methods = reg.method_ids(standard)
        days = [day + dt.timedelta(days=shift) for day in changes for shift in (-1, 0, 1)]
        engine = Engine(reg)
        for gateway in [*days, *reversed(days)]:
            data = {"standard": standard, "apprentice": {"id": "A-1"}, "gateway": {"date": gateway.isoformat()},
                    "assessments": [{"method": m, "date": gateway.isoformat(), "grade": "pass"} for m in methods]}
            record = _load(reg, data)
            in_force = engine.graders(standard, [engine.compiled(loaded, ruleset_for(loaded, record)[0])
                                                 for loaded in reg.offering(standard)])
            assert engine._chosen(record)[1] is engine._chosen(_view(reg, data))[1] is in_force, gateway
            assert _decided(engine, record) == _decided_by_grading(reg, record), gateway


def test_what_the_engine_remembers_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """A cohort of any size runs in bounded memory: what the engine remembers by due date or set of criteria is
    forgotten past ``REMEMBERED`` entries, and the decisions do not change; the rules in force are remembered by
    span of gateway dates, of which a standard has one more than the dates its versions come in."""
    import epa.engine.compiled

    monkeypatch.setattr(epa.engine.compiled, "REMEMBERED", 4)
    reg = registry()
    # A standard some installed body's rules give a window whose miss means the whole EPA again: its due dates
    # are what the engine remembers.
    standard = next((s for s in _standards(reg) if any(
        windows.decides_retake(w) for loaded in reg.offering(s) for ruleset in loaded.body.rulesets_for(s)
        if ruleset.journey and ruleset.journey.resit for w in ruleset.journey.resit.windows)), None)
    if standard is None:
        pytest.skip("no installed body's rules have a window whose miss means the whole EPA again")
    methods = reg.method_ids(standard)
    before = {id(found) for found in gc.get_objects() if isinstance(found, epa.engine.compiled._Due)}  # other engines'
    engine = Engine(reg)
    for day in range(12):
        gateway = dt.date(2026, 1, 5) + dt.timedelta(days=day)
        attempts = [{"method": m, "date": (gateway + dt.timedelta(days=j)).isoformat(), "grade": "fail"}
                    for j, m in enumerate(methods)]
        attempts.append({"method": methods[0], "date": (gateway + dt.timedelta(days=120)).isoformat(),
                         "kind": "resit", "grade": "pass"})
        data = {"standard": standard, "apprentice": {"id": f"A-{day}"}, "gateway": {"date": gateway.isoformat()},
                "assessments": attempts}
        record = _load(reg, data)
        assert _decided(engine, record) == _decided(engine, _view(reg, data)) == _decided_by_grading(reg, record)
        assert len(engine._spans[standard][1]) == 1 + len(_changes(reg, standard))
        # Every due date remembered: the retake windows' and the gateway deadlines'.
        dues = [found for found in gc.get_objects() if isinstance(found, epa.engine.compiled._Due) and id(found) not in before]
        assert dues and all(len(due.dues) <= 4 for due in dues)


# --- the retake windows, whichever installed body uses which -------------------------------------------


@st.composite
def _history(draw: Any) -> list[tuple[epa.Attempt, Grade]]:
    """Attempts counted at two methods in date order, each graded, at least one a fail (a window opens on a fail):
    kinds as a record may give them, a result notified some days on or not, exceptional circumstances or not."""
    day = dt.date(2026, 1, 5)
    history = []
    for _ in range(draw(st.integers(1, 5))):
        day += dt.timedelta(days=draw(st.integers(0, 200)))
        notified = day + dt.timedelta(days=draw(st.integers(0, 60))) if draw(st.booleans()) else None
        attempt = epa.Attempt(draw(st.sampled_from(["a", "b"])), day, draw(st.sampled_from(["first", "resit", "retake"])),
                              notified, draw(st.booleans()))
        history.append((attempt, draw(st.sampled_from(list(Grade)))))
    assume(any(g is Grade.FAIL for _, g in history))
    return history


def _tried(method: str, day: str, kind: str, grade: Grade, notified: str | None = None) -> tuple[epa.Attempt, Grade]:
    return epa.Attempt(method, dt.date.fromisoformat(day), kind, notified and dt.date.fromisoformat(notified)), grade


# Three months from the fail's date (5 April) it is late; from its notice (1 June), on time.
_NOTICE_COUNTS = [_tried("a", "2026-01-05", "first", Grade.FAIL, "2026-03-01"),
                  _tried("a", "2026-05-15", "resit", Grade.PASS)]
# A fail governs the next attempt at its method only: the resit is on time, the retake after it is not its.
_NEXT_ONLY = [_tried("a", "2026-01-05", "first", Grade.FAIL), _tried("a", "2026-02-01", "resit", Grade.PASS),
              _tried("a", "2026-06-01", "retake", Grade.PASS)]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(history=_history(), start=st.sampled_from(["fail_notified", "first_fail_notified", "first_assessment"]),
       lift=st.booleans(), once_all=st.booleans(), methods=st.integers(1, 3))
@example(history=_NOTICE_COUNTS, start="first_fail_notified", lift=False, once_all=False, methods=2)
@example(history=_NOTICE_COUNTS, start="fail_notified", lift=False, once_all=False, methods=2)
@example(history=_NEXT_ONLY, start="fail_notified", lift=False, once_all=False, methods=2)
def test_a_retake_window_is_missed_as_the_resit_rules_say(history: list[Any], start: str, lift: bool, once_all: bool,
                                                         methods: int) -> None:
    """Every kind of window (counted from each fail's notice, the first fail's, or the first assessment), with and
    without exceptional circumstances lifting it, and with and without results notified only once all assessments
    are completed (in rulesets of more or fewer methods than the history holds first attempts at), as ``resits``
    decides: the engine's restatement of it."""
    from epa.engine.compiled import _RetakeWindow
    from epa.engine.resits import _window
    from epa.model.domain import Cited, Offset, Window

    notified = Cited("Results notification will take place once all assessments have been completed.", "x § 3")
    window = Window("w", "window", start, Offset(months=3), lift, "full_retake", "", "x § 1",
                    notified_once_all_assessed=notified if once_all else None)
    graded = [epa.GradedAttempt(a, g) for a, g in history]
    assert _RetakeWindow(window, methods).missed(history) == _window(window, graded, methods)[1]


# --- English and maths, whichever installed body checks which ---------------------------------------------

_LEVEL = st.one_of(st.none(), st.sampled_from(["none", "entry3", "level1", "level2", "level3"]))


@settings(max_examples=300, deadline=None, derandomize=True)
@given(level=st.sampled_from(["entry3", "level1", "level2"]), ehcp_level=st.one_of(st.none(), st.just("entry3")),
       bsl_for_english=st.booleans(), subjects=st.sampled_from([("english", "maths"), ("maths",)]),
       ages=st.sampled_from([(None, None), (16, None), (None, 18), (19, 24)]), english=_LEVEL, maths=_LEVEL,
       ehcp=st.booleans(), bsl=st.booleans(), born=st.one_of(st.none(), st.integers(1990, 2010)))
@example(level="level2", ehcp_level="entry3", bsl_for_english=False, subjects=("english", "maths"),
         ages=(None, None), english="entry3", maths="level2", ehcp=True, bsl=False, born=None)  # EHCP: entry 3 will do
@example(level="level2", ehcp_level=None, bsl_for_english=False, subjects=("english", "maths"), ages=(None, None),
         english="none", maths="level2", ehcp=False, bsl=True, born=None)  # BSL for English is not allowed here
@example(level="level2", ehcp_level=None, bsl_for_english=True, subjects=("english", "maths"), ages=(None, None),
         english="none", maths="level2", ehcp=False, bsl=True, born=None)  # it is here
def test_english_and_maths_are_unmet_as_the_gateway_says(level: str, ehcp_level: str | None, bsl_for_english: bool,
                                                          subjects: tuple[str, ...], ages: tuple[Any, Any],
                                                          english: str | None, maths: str | None, ehcp: bool,
                                                          bsl: bool, born: int | None) -> None:
    """Every form of the check (levels, an EHCP's lower level, British Sign Language for English, subjects, an age
    band) against every apprentice: the engine's expression is true exactly where ``gateway`` says "unmet"."""
    from epa.engine.compiled import _english_maths_unmet
    from epa.engine.graders import predicate
    from epa.model.domain import Apprentice, Check, EnglishMaths, Gateway
    from epa.rules.gateway import english_maths as _english_maths

    rule = EnglishMaths(level, subjects, *ages, ehcp_level, bsl_for_english)
    apprentice = Apprentice("A", born and dt.date(born, 5, 1), born and dt.date(2024, 9, 1), english, maths, ehcp, bsl)
    record = Record("ST0071", apprentice, Gateway(dt.date(2025, 10, 1)))
    unmet = predicate(_english_maths_unmet(Check(english_maths=rule)))
    assert unmet(record) == (_english_maths(rule, record)[0] == "unmet")


@settings(max_examples=300, deadline=None, derandomize=True)
@given(low=st.one_of(st.none(), st.integers(0, 12)), high=st.one_of(st.none(), st.integers(10, 20)),
       pieces=st.one_of(st.none(), st.integers(0, 22)), least=st.integers(300, 400),
       started=st.one_of(st.none(), st.integers(250, 450)))
@example(low=10, high=15, pieces=10, least=366, started=366)  # each bound itself holds
@example(low=10, high=15, pieces=15, least=366, started=365)
def test_counts_and_days_on_programme_are_unmet_as_the_gateway_says(low: int | None, high: int | None,
                                                                    pieces: int | None, least: int,
                                                                    started: int | None) -> None:
    """A count within bounds (either or both), and days from the start to gateway, at and around each bound: the
    engine's check, as its written-out expression, is true exactly where ``gateway`` says "unmet"."""
    from epa.engine.compiled import _unmet
    from epa.engine.graders import predicate
    from epa.model.domain import Apprentice, Check, Count, Gateway, Minimum
    from epa.rules.gateway import status as _status

    gateway = dt.date(2025, 10, 1)
    start = None if started is None else gateway - dt.timedelta(days=started)
    record = Record("ST0071", Apprentice("A", start_date=start), Gateway(gateway, portfolio_pieces=pieces))
    for check in (Check(count=Count("portfolio_pieces", low, high)), Check(days_on_programme=Minimum(least))):
        expression = _unmet(check, None)  # type: ignore[arg-type]  # (a ruleset is read for a deadline only)
        assert isinstance(expression, str)
        assert predicate(expression)(record) == (_status(check, record, None)[0] == "unmet")


@settings(max_examples=300, deadline=None, derandomize=True)
@given(day=st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31)), unit=st.sampled_from(
       ["months", "weeks", "days", "working_days"]), n=st.integers(-30, 30))
@example(day=dt.date(2025, 1, 31), unit="months", n=1)  # to 28 February: the shortest month
@example(day=dt.date(2024, 2, 29), unit="months", n=12)
def test_an_offset_spans_at_least_its_fewest_days(day: dt.date, unit: str, n: int) -> None:
    """Attempts spanning fewer days than a first-assessment window's fewest cannot miss it (engine._fewest_days);
    an offset back in time promises no span at all."""
    from epa.engine.compiled import _fewest_days
    from epa.model.domain import Offset
    from epa.rules.workdays import shift

    offset = Offset(**{unit: n})
    assert (shift(day, offset) - day).days >= _fewest_days(offset) if n >= 0 else _fewest_days(offset) == 0
