"""What explaining a record remembers, per body and version of its rules (issue 18).

A cohort's explanations repeat: the same criteria give the same component steps, the same grades the same
combination, the same anchor and event dates the same deadline (the same anchor date the same due date and its
words), the same evidence the same gateway requirement (an age or days on programme by the dates it is counted
from), the same measures the same tolerance finding (its words after the attempt's date, which is written per
check). (A detail or step naming an attempt's date, and a resit's or retake's steps repeat too seldom to be worth
remembering.)
``explained.grade`` and ``Engine.explain`` (through the compiled explanation a plan holds, ``epa.engine.explaining``)
ask a body's ``Plan`` for each piece by exactly the inputs the piece reads, and work out only
what it has not seen (by the one procedure that states the rule: ``defaults``, or its rule family in
``epa.rules``), so a remembered piece is the piece worked out anew.

What may be remembered is decided once per body, from which plugins implement each hook:

- a hook left to the core's defaults: the default's answer, a function of the ruleset and the piece's inputs;
- a body's own ``grade_component`` or ``combine_grades``: its answer, which the hook contract
  (``epa.hookspecs``) says depends on its arguments alone (as the cohort engine already relies on);
- a body's own collecting or journey hook (``gateway_requirements``, ``deadlines``, ``resit_policy``), whose
  answer the contract lets depend on anything, or any hook a plugin wraps: never; the whole hook chain is called
  per record, as before.

Each table is bounded (``REMEMBERED`` entries a generation, two generations kept: see ``Table``), so a cohort of
any size runs in bounded memory; a table can only make an answer faster (issue 16's rule for caches):
``remembering(False)`` turns every table off, and tests/test_explain_memo.py holds the two to the same explanations.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # at run time this module imports nothing of epa's: the rule families use its tables
    from epa.model.domain import Ruleset
    from epa.registry import LoadedBody

# Entries per table before it is forgotten (a cohort repeats its criteria, grades and dates, so it fills again
# with what is asked now).
REMEMBERED = 1 << 12
# Plans kept (one per body and ruleset version in use; registries made and dropped, as tests do, are let go).
PLANS = 256

# Hooks whose answer the contract says depends on their arguments alone (hookspecs.grade_component and
# combine_grades: "The answer must depend on the arguments alone").
PURE_BY_CONTRACT = frozenset({"grade_component", "combine_grades"})


class Table(dict[Any, Any]):
    """A bounded memo of two generations: once the table holds ``size`` entries (``scale`` times ``REMEMBERED``),
    ``put`` starts a new one and keeps the last (its entries forgotten at the next), from which ``recall`` gives
    back an entry (kept in the new one) where ``get`` finds none: so what a cohort keeps asking stays remembered
    however many pieces it asks once (a deadline naming a record's attempt dates), and at most twice ``size``
    entries are held."""

    def __init__(self, on: bool, scale: int = 1):
        super().__init__()
        self.on = on
        self.size = scale * REMEMBERED  # entries a generation
        self.older: dict[Any, Any] = {}

    def recall(self, key: Any) -> Any:
        """The entry the last generation holds for ``key`` (None: none), kept in this one."""
        found = self.older.get(key)
        return found if found is None else self.put(key, found)

    def put(self, key: Any, value: Any) -> Any:
        if self.on:
            if len(self) >= self.size:
                self.older = dict(self)
                self.clear()
            self[key] = value
        return value


def _wrapped(loaded: LoadedBody, hook: str) -> bool:
    """Whether any implementation of ``hook`` is a wrapper (old or new style), which may change any answer."""
    return any(i.hookwrapper or getattr(i, "wrapper", False) for i in getattr(loaded.hooks, hook).get_hookimpls())


class Plan:
    """One body's ruleset, ready to explain records: which hooks the core may answer itself (the defaults
    alone implement them), which answers may be remembered, and the tables that remember them."""

    def __init__(self, loaded: LoadedBody, ruleset: Ruleset, on: bool):
        self.loaded, self.ruleset = loaded, ruleset  # held, so that the ids keying PLANS stay theirs
        own = set(loaded.own_hooks)
        # The defaults alone answer these: the core asks its own procedure directly, its pieces remembered.
        self.default_deadlines = "deadlines" not in own
        self.default_gateway = "gateway_requirements" not in own
        # Answers that may be remembered, whoever gives them (see the module's docstring).
        self.remembers = frozenset(h for h in PURE_BY_CONTRACT if h not in own or not _wrapped(loaded, h))
        self.components = Table(on and "grade_component" in self.remembers)  # (method, criteria listed) -> ...
        self.combinations = Table(on and "combine_grades" in self.remembers)  # grades in method order -> ...
        # (id() of the rule, anchor, how found, event dates) -> Deadline, and (id() of the rule, anchor, how found) ->
        # its due date and words: sized for what repeats, each rule's due date from a few years' anchor dates
        self.deadlines = Table(on, 4)
        self.requirements = Table(on)  # (id() of the rule, what its check reads) -> Requirement
        # What the engine's compiled explanation (epa.engine.explaining) remembers besides, the same way:
        # the default resit procedure's answer for a history with no fail, resit or retake, by the grade before it.
        self.resits = Table(on and "resit_policy" not in own)
        # a tolerance check's finding and words after the attempt's date, by all else it reads (tolerances.reads)
        self.checks = Table(on)
        self.explainer: Any = None  # the compiled explanation, made when the engine first asks


_plans: dict[tuple[int, int], Plan] = {}
_on = [True]


def plan_for(loaded: LoadedBody, ruleset: Ruleset) -> Plan:
    key = (id(loaded), id(ruleset))
    plan = _plans.get(key)
    if plan is None or plan.loaded is not loaded or plan.ruleset is not ruleset:
        if len(_plans) >= PLANS:
            _plans.clear()
        plan = _plans[key] = Plan(loaded, ruleset, _on[0])
    return plan


@contextlib.contextmanager
def remembering(on: bool) -> Iterator[None]:
    """Within: every plan made afresh, remembering (the default) or not (each piece worked out every time)."""
    before = _on[0]
    _on[0] = on
    _plans.clear()
    try:
        yield
    finally:
        _on[0] = before
        _plans.clear()
