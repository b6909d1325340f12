"""Each piece ``Engine.explain`` remembers or shares is keyed by everything it reads (issue 18): for each input a
key reads, two records differing in that input alone (where the oracle's explanations of them differ), explained
one after the other by one engine, are each explained as the oracle (``epa.engine.explained.grade``, nothing
remembered) explains it. A key missing that input would give the second record the first one's piece.
"""

from __future__ import annotations

from typing import Any

import attrs
import msgspec
import pytest
from test_decisions import _load
from test_explain_oracle import _oracle, _same

import epa
from epa.engine import plans
from epa.engine.compiled import Engine
from epa.model.domain import Record
from epa.registry import Registry, installed_candidates
from epa.testing import make_plugin, registry


def _st0071(reg: Registry) -> None:
    if "ST0071" not in reg.standards() or not reg.offering("ST0071"):
        pytest.skip("no installed body offers ST0071")


def _base(reg: Registry, **extra: Any) -> Record:
    """A record of ST0071 with every method attempted once (a grade recorded), journey dates to count from."""
    methods = reg.method_ids("ST0071")
    return _load(reg, {
        "standard": "ST0071",
        "apprentice": {"id": "KEY-1", "start_date": "2024-01-08", "date_of_birth": "2000-03-01",
                       "english": "level2", "maths": "level2"},
        "gateway": {"date": "2025-02-03", "portfolio_pieces": 8},
        "dates": {"registered": "2024-10-01", "evidence_submitted": "2025-01-20"},
        "assessments": [{"method": m, "date": f"2025-03-1{i}", "grade": "pass", "notified": f"2025-03-2{i}"}
                        for i, m in enumerate(methods)], **extra})


def _with_attempts(record: Record, **changes: Any) -> Record:
    return attrs.evolve(record, assessments=tuple(attrs.evolve(a, **changes) for a in record.assessments))


def _written(results: list[Any]) -> bytes:
    return msgspec.json.encode(results)


def _pairs_explained_as_the_oracle(reg: Registry, pairs: list[tuple[Record, Record]], part: str) -> None:
    """Each pair, explained first and second by one engine (remembering), as the oracle explains it; only pairs
    whose oracle explanations differ in ``part`` of a result test a key (the others skip), and at least one must."""
    tried = 0
    for first, second in pairs:
        want = [_oracle(reg, first), _oracle(reg, second)]
        if _written([[getattr(r, part) for r in w] for w in want[:1]]) == _written(
                [[getattr(r, part) for r in w] for w in want[1:]]):  # (as JSON: 60 and 60.0 are written apart)
            continue  # no installed body reads this input here: nothing to remember wrongly
        tried += 1
        with plans.remembering(True):
            engine = Engine(reg)
            for record, expected in zip((first, second), want, strict=True):
                _same(engine.explain(record), expected)
    if not tried:
        pytest.skip(f"no installed body's {part} read the inputs these records differ in")


# --- tolerance checks (tolerances.reads): each measure read, with its type; the date written apart -------------

TOLERANCE_PAIRS = {
    "a duration": ({"duration_minutes": 60}, {"duration_minutes": 90}),
    "a duration's type": ({"duration_minutes": 60}, {"duration_minutes": 60.0}),
    "the questioning": ({"duration_minutes": 60, "questioning_minutes": 10, "duration_includes_questioning": False},
                        {"duration_minutes": 60, "questioning_minutes": 25, "duration_includes_questioning": False}),
    "the questioning's type": ({"duration_minutes": 60, "questioning_minutes": 10},
                               {"duration_minutes": 60, "questioning_minutes": 10.0}),
    "whether the duration includes the questioning": (
        {"duration_minutes": 60, "questioning_minutes": 10, "duration_includes_questioning": True},
        {"duration_minutes": 60, "questioning_minutes": 10, "duration_includes_questioning": False}),
    "a record that does not say": (
        {"duration_minutes": 60, "questioning_minutes": 10, "duration_includes_questioning": None},
        {"duration_minutes": 60, "questioning_minutes": 10, "duration_includes_questioning": False}),
    "True and 1 (read by identity)": (
        {"duration_minutes": 60, "questioning_minutes": 10, "duration_includes_questioning": True},
        {"duration_minutes": 60, "questioning_minutes": 10, "duration_includes_questioning": 1}),
    "a word count": ({"words": 500}, {"words": 2500}),
    "a word count's type": ({"words": 500}, {"words": 500.0}),
    "questioning without a duration": ({"questioning_minutes": 10}, {"questioning_minutes": 40}),
    "nought and minus nought (equal, written apart: 0 and -0)": (
        {"duration_minutes": 60, "questioning_minutes": 0.0}, {"duration_minutes": 60, "questioning_minutes": -0.0}),
    "the duration a share of it is of": ({"duration_minutes": 60, "questioning_minutes": 10},
                                         {"duration_minutes": 30, "questioning_minutes": 10}),
}


@pytest.mark.parametrize("what", TOLERANCE_PAIRS)
def test_a_tolerance_finding_is_remembered_by_each_measure_it_reads(what: str) -> None:
    reg = registry()
    _st0071(reg)
    base = _base(reg)
    first, second = TOLERANCE_PAIRS[what]
    _pairs_explained_as_the_oracle(reg, [(_with_attempts(base, **first), _with_attempts(base, **second))], "checks")


def test_a_tolerance_check_names_its_own_attempt_date() -> None:
    """The finding is remembered without the attempt's date, which each check writes itself: two records measuring
    the same, on other dates, each name their own."""
    reg = registry()
    _st0071(reg)
    base = _with_attempts(_base(reg), duration_minutes=60, words=500, questioning_minutes=10)
    later = attrs.evolve(base, assessments=tuple(
        attrs.evolve(a, date=a.date.replace(month=4), notified=a.notified.replace(month=4))
        for a in base.assessments))
    _pairs_explained_as_the_oracle(reg, [(base, later)], "checks")


# --- deadlines (deadlines.deadline_for): the due date's words by the rule, anchor and how it was found ----------

def test_a_due_date_is_remembered_by_how_its_anchor_was_found() -> None:
    """An EPA start the record gives and one taken as the gateway date, on the same day, are worded apart ("EPA
    start on ..." and "taken as the gateway date"); the attempts differ too, so that the whole deadline is new and
    only its due date's words (remembered by the rule and anchor) could be given back wrongly."""
    reg = registry()
    _st0071(reg)
    taken = _base(reg)  # no dates.epa_start: taken as the gateway date, 2025-02-03
    given = attrs.evolve(_with_attempts(taken, notified=None), dates=attrs.evolve(
        taken.dates, epa_start=taken.gateway.date))
    given = attrs.evolve(given, assessments=tuple(attrs.evolve(a, date=a.date.replace(day=a.date.day + 5))
                                                  for a in given.assessments))
    _pairs_explained_as_the_oracle(reg, [(taken, given), (given, taken)], "deadlines")


def test_a_deadline_is_remembered_by_its_event_dates() -> None:
    """The same anchor, other event dates: the due date's words are given back, the events' are the record's."""
    reg = registry()
    _st0071(reg)
    base = _base(reg)
    moved = attrs.evolve(base, assessments=tuple(attrs.evolve(a, date=a.date.replace(month=6),
                                                              notified=a.notified.replace(month=6))
                                                 for a in base.assessments),
                         dates=attrs.evolve(base.dates, evidence_submitted=base.dates.evidence_submitted.replace(
                             day=28)))
    _pairs_explained_as_the_oracle(reg, [(base, moved)], "deadlines")


# --- a record's dates (deadlines.RecordDates), shared by bodies whose rulesets have the same method ids ---------

def _without(ruleset: epa.Ruleset, method: str) -> epa.Ruleset:
    """The ruleset without one method: its criteria, and the journey rules that name it (or a deadline that does)."""
    journey = ruleset.journey
    if journey is not None:
        deadlines = tuple(d for d in journey.deadlines if method not in (d.from_, d.event))
        kept = {d.id for d in deadlines}
        gateway = tuple(g for g in journey.gateway
                        if not (g.check and g.check.deadline and g.check.deadline.id not in kept))
        resit = journey.resit and attrs.evolve(journey.resit, rework=tuple(
            r for r in journey.resit.rework if r.method != method))
        journey = attrs.evolve(journey, deadlines=deadlines, gateway=gateway, resit=resit,
                               tolerances=tuple(t for t in journey.tolerances if t.method != method),
                               conduct=tuple(c for c in journey.conduct if c.about != method))
    return attrs.evolve(ruleset, methods=tuple(m for m in ruleset.methods if m.id != method),
                        criteria=tuple(c for c in ruleset.criteria if c.method != method),
                        component_rules={m: r for m, r in ruleset.component_rules.items() if m != method},
                        journey=journey)


def test_a_records_dates_are_shared_only_by_bodies_with_the_same_methods() -> None:
    """A body whose ruleset lacks a method reads the first assessment, the final one and every method's first
    attempt from its own methods: explained beside bodies with every method (whose dates of the same record are
    read once for them all), it is explained as the oracle explains it."""
    base = Registry(installed_candidates())
    _st0071(base)
    found = [r for loaded in base.offering("ST0071") for r in loaded.body.rulesets_for("ST0071")[-1:]
             if r.journey and any(d.from_ in ("first_assessment", "final_assessment") or d.event == "every_method"
                                  for d in r.journey.deadlines)]
    if not found:
        pytest.skip("no installed body's ST0071 deadlines count from the first or final assessment or every method")
    ruleset = found[0]
    dropped = ruleset.method_ids[0]
    reg = Registry([*installed_candidates(), ("fewer", make_plugin("fewer", [_without(ruleset, dropped)]))])
    methods = reg.method_ids("ST0071")
    # the dropped method attempted first and last: first, final and every method's dates differ without it
    record = _load(reg, {
        "standard": "ST0071", "apprentice": {"id": "KEY-2", "start_date": "2024-01-08"},
        "gateway": {"date": "2025-02-03"}, "dates": {"registered": "2024-10-01", "evidence_submitted": "2025-01-20"},
        "assessments": [{"method": dropped, "date": "2025-02-10", "grade": "fail", "notified": "2025-02-11"},
                        *({"method": m, "date": f"2025-03-1{i}", "grade": "pass"}
                          for i, m in enumerate(m for m in methods if m != dropped)),
                        {"method": dropped, "date": "2025-04-20", "kind": "resit", "grade": "pass"}]})
    fewer = [r for r in _oracle(reg, record) if r.body == "fewer"]
    alike = [r for r in _oracle(reg, record) if r.body == ruleset.body]
    assert fewer and alike and [d.says for d in fewer[0].deadlines] != [d.says for d in alike[0].deadlines]
    _same(Engine(reg).explain(record), _oracle(reg, record))
