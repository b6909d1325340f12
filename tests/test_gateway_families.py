"""Each rule family is stated once (a module of its own under ``core/epa/rules/``, issue 18), and both paths read
that one statement: the cohort engine's decision (``Engine.decide``) and the explanation (``grading.grade``, the
default hooks).

Each family's test changes the family's rule where it is stated and checks that the decision and the explanation
change together: a second copy of the rule, in the engine or in the explained path, would not follow the change,
and the test would fail. (``tests/test_decisions.py`` holds the two paths equal on drawn records; these hold them
to one source.) The rulesets here are made up, on an installed body's ST0071 document, so that each test reads
exactly the rule it names whatever bodies are installed.
"""

from __future__ import annotations

import datetime as dt
import operator
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import epa.rules.deadlines
import epa.rules.gateway
import epa.rules.tolerances
from epa.engine.compiled import Engine
from epa.engine.explained import grade
from epa.engine.plans import remembering
from epa.model.domain import (
    Apprentice,
    Attempt,
    Check,
    Count,
    DeadlineRef,
    DeadlineRule,
    EnglishMaths,
    Gateway,
    GatewayRule,
    Journey,
    JourneyDates,
    Offset,
    Record,
    Ruleset,
    Tolerance,
)
from epa.model.results import BodyResult
from epa.registry import Registry
from epa.testing import make_plugin, registry

BODY = "famtest"
DAY = dt.date(2025, 6, 2)


def _ruleset(**journey: Any) -> Ruleset:
    """An installed body's ST0071 rules with a journey of only the rules given (skips where none is installed)."""
    reg = registry()
    offering = reg.offering("ST0071") if "ST0071" in reg.standards() else ()
    if not offering:
        pytest.skip("no installed body offers ST0071, whose document the test rules are written on")
    base = offering[0].body.rulesets_for("ST0071")[-1]
    rules = {"gateway": (), "deadlines": (), "resit": None, "tolerances": (), **journey}
    return attrs.evolve(base, journey=Journey(BODY, "ST0071", base.document.file, **rules))


def _both(ruleset: Ruleset, record: Record) -> tuple[Any, BodyResult]:
    """The engine's decision and the explanation for the record, each worked out afresh (nothing remembered); the
    compiled explanation (``Engine.explain``) reads the same family as the oracle, so it says the same."""
    reg = Registry([(BODY, make_plugin(BODY, [ruleset]))])
    with remembering(False):
        explained = grade(reg.body(BODY), record)
    engine = Engine(reg)
    assert engine.explain(record) == [explained]
    [decided] = engine.decide(record)
    return decided, explained


def _record(methods: tuple[str, ...] = (), **dates: dt.date) -> Record:
    return Record("ST0071", Apprentice("FAM-1"), Gateway(DAY), tuple(
        Attempt(m, DAY + dt.timedelta(days=30 + i)) for i, m in enumerate(methods)), dates=JourneyDates(**dates))


# --- deadlines -----------------------------------------------------------------------------------------------

# Portfolio in at least 14 days before the EPA starts; a mandatory gateway requirement checks it.
PORTFOLIO_IN = DeadlineRule("portfolio-in", "Portfolio in before EPA", "epa_start", Offset(days=-14), "...",
                            "doc.txt § 1", event="portfolio_submitted")
ON_TIME = GatewayRule("portfolio-on-time", "Portfolio on time", "...", "doc.txt § 2",
                      Check(deadline=DeadlineRef("portfolio-in")))


def test_a_deadline_is_late_where_its_family_says_for_both_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    """Protects: lateness is stated once (``epa.rules.deadlines.LATE``), read by the engine's gateway check on a
    deadline and by the explained deadline alike. With ``by`` made to count the due day itself as late, both say
    missed; a copy of the rule in the engine or in the explanation would still say met."""
    ruleset = _ruleset(gateway=(ON_TIME,), deadlines=(PORTFOLIO_IN,))
    start = DAY + dt.timedelta(days=28)
    record = _record(epa_start=start, portfolio_submitted=start - dt.timedelta(days=14))  # on the due day itself

    def said() -> tuple[bool, bool, str]:
        decided, explained = _both(ruleset, record)
        [deadline] = explained.deadlines
        return decided.gateway_ready, explained.gateway.ready, deadline.status

    assert said() == (True, True, "met")  # by the due day is in time
    monkeypatch.setitem(epa.rules.deadlines.LATE, "by", operator.ge)
    assert said() == (False, False, "missed")


ANCHORS = ("gateway", "epa_start", "first_assessment", "final_assessment", "registered")
EVENTS = ("portfolio_submitted", "every_method", "results_notified", "first")  # first: the first method's attempt


@settings(max_examples=200, deadline=None, derandomize=True)
@given(anchor=st.sampled_from(ANCHORS), event=st.sampled_from(EVENTS), kind=st.sampled_from(["by", "not_before"]),
       days=st.integers(-20, 20), shifts=st.lists(st.integers(-3, 3), min_size=3, max_size=3),
       dated=st.booleans(), attempted=st.integers(0, 2))
def test_a_deadline_is_missed_exactly_where_it_is_explained_missed(anchor: str, event: str, kind: str, days: int,
                                                                   shifts: list[int], dated: bool,
                                                                   attempted: int) -> None:
    """The family's decision (``missed``, the engine's predicate) against its explanation (``evaluate_deadline``)
    for anchors and events of every kind, the event's date on, before and after the due date."""
    ruleset = _ruleset()
    methods = ruleset.method_ids
    rule = DeadlineRule("d", "d", anchor, Offset(days=days), "...", "doc.txt § 1", kind=kind,
                        event=methods[0] if event == "first" else event)
    around = DAY + dt.timedelta(days=days)
    attempts = tuple(Attempt(m, around + dt.timedelta(days=shifts[i] + 40 * (anchor != "gateway")),
                             notified=around + dt.timedelta(days=shifts[-1]))
                     for i, m in enumerate(methods[:attempted]))
    dates = JourneyDates(registered=DAY - dt.timedelta(days=30), epa_start=DAY + dt.timedelta(days=shifts[0]),
                         portfolio_submitted=around + dt.timedelta(days=shifts[1])) if dated else JourneyDates()
    record = Record("ST0071", Apprentice("FAM-2"), Gateway(DAY), attempts, dates=dates)
    explained = epa.rules.deadlines.evaluate_deadline(rule, record, ruleset)
    assert epa.rules.deadlines.missed(rule, ruleset)(record) == (explained.status == "missed")


# --- gateway requirements --------------------------------------------------------------------------------------

ENGLISH_MATHS = GatewayRule("english-maths", "Level 2 English and maths", "...", "doc.txt § 3",
                            Check(english_maths=EnglishMaths("level2")))
PIECES = GatewayRule("pieces", "At least 10 pieces (recommended)", "...", "doc.txt § 4",
                     Check(count=Count("portfolio_pieces", min=10)), strength="recommended")


def _ready(ruleset: Ruleset, record: Record) -> tuple[bool, bool, tuple[str, ...]]:
    decided, explained = _both(ruleset, record)
    return decided.gateway_ready, explained.gateway.ready, tuple(r.status for r in explained.gateway.requirements)


def test_english_and_maths_fall_short_where_their_family_says_for_both_paths(monkeypatch: pytest.MonkeyPatch
                                                                             ) -> None:
    """Protects: the levels that fall short of the one needed are stated once (``epa.rules.gateway.below``),
    read by the engine's English and maths expression and by the explained requirement alike (the engine wrote
    the rule again before issue 18). With the needed level itself made to fall short, both say unmet."""
    ruleset = _ruleset(gateway=(ENGLISH_MATHS,))
    record = attrs.evolve(_record(), apprentice=Apprentice("FAM-3", english="level2", maths="level2"))
    assert _ready(ruleset, record) == (True, True, ("met",))
    levels = epa.rules.gateway.LEVELS
    monkeypatch.setattr(epa.rules.gateway, "below", lambda level: levels[:levels.index(level) + 1])
    assert _ready(ruleset, record) == (False, False, ("unmet",))


def test_what_keeps_an_apprentice_from_gateway_is_stated_once_for_both_paths(monkeypatch: pytest.MonkeyPatch
                                                                             ) -> None:
    """Protects: which unmet requirements keep an apprentice from gateway is stated once
    (``epa.rules.gateway.blocks``), read by the engine as it compiles its checks and by ``GatewayStatus`` as it
    explains readiness. Made to count a recommendation as blocking, both say not ready."""
    ruleset = _ruleset(gateway=(PIECES,))
    record = attrs.evolve(_record(), gateway=Gateway(DAY, portfolio_pieces=8))
    assert _ready(ruleset, record) == (True, True, ("unmet",))  # a recommendation unmet: still ready
    monkeypatch.setattr(epa.rules.gateway, "blocks", lambda strength, stage: stage == "gateway")
    assert _ready(ruleset, record) == (False, False, ("unmet",))


# --- tolerances ------------------------------------------------------------------------------------------------

def test_a_tolerance_check_says_what_its_family_decides(monkeypatch: pytest.MonkeyPatch) -> None:
    """Protects: a tolerance check's status, ``ok`` and sentence all come from the one decision
    (``epa.rules.tolerances.decide``, from the limits it works out), so the words cannot say "within" of a check
    whose status is "outside"; the engine decides nothing from tolerances, and no other module states them. With
    the limits narrowed, status, ``ok`` and words change together."""
    ruleset = _ruleset()
    method = ruleset.method_ids[0]
    rule = Tolerance("duration", method, "duration_minutes", "...", "doc.txt § 5", nominal=60, minus_percent=10,
                     plus_percent=10)
    ruleset = attrs.evolve(ruleset, journey=attrs.evolve(ruleset.journey, tolerances=(rule,)))
    record = attrs.evolve(_record(), assessments=(Attempt(method, DAY, duration_minutes=65),))

    def checked() -> tuple[str, bool | None, str]:
        [check] = _both(ruleset, record)[1].checks
        return check.status, check.ok, check.says

    assert checked() == ("within", True, f"{method} on {DAY}: duration minutes 65, within 60 -10% / +10% (54-66)")
    monkeypatch.setattr(epa.rules.tolerances, "_limits", lambda rule, attempt: (54.0, 64.0))
    assert checked() == ("outside", False, f"{method} on {DAY}: duration minutes 65, outside 60 -10% / +10% (54-64)")
