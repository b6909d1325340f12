"""The attempt-history classes are complete: on a reduced setting, every concrete history (every day a resit or
retake can fall on) graded by every body gives exactly the counts the classes give, each class weighted by its
days; and a hand-counted case.

Needs ST0071 from NQual and Gateway Qualifications (their windows are the documents', 000 § Re-sit / Re-take and
004 § 4. Re-sits and re-takes); skips, saying why, where either is not installed.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest

from epa.consistency import analyse, histories, subjects
from epa.consistency.findings import pins
from epa.model.domain import Grade
from epa.registry import Registry

REGISTRY = Registry.installed()
BODIES = ["nqual", "gateway_quals"]
installed = {b.body.id for b in REGISTRY.bodies}
needs_bodies = pytest.mark.skipif(not set(BODIES) <= installed or "ST0071" not in {
    s.id for s in REGISTRY.defined_standards()}, reason="needs NQual's and Gateway Qualifications' ST0071")

HORIZON = 400  # past both windows (90 and 365 days after 20 January 2025), small enough to list day by day
FIRSTS = (Grade.FAIL,)
GRADES = (Grade.DISTINCTION, Grade.FAIL)


def _outcome(results: dict[str, Any]) -> tuple[Any, ...]:
    return tuple((r.overall, r.capped, r.full_retake_required) for r in results.values())


@pytest.fixture(scope="module")
def setting() -> tuple[list[Any], Any, str]:
    current = subjects(REGISTRY, "ST0071", BODIES)
    standard = REGISTRY.standard("ST0071")
    return current, standard, standard.method_ids[0]


def _by_class(setting: tuple[list[Any], Any, str]) -> tuple[Counter[Any], dict[Any, Any]]:
    current, standard, method = setting
    counts: Counter[Any] = Counter()
    outcome_of = {}
    for c in histories.classes(method, current, HORIZON, FIRSTS, GRADES):
        data = histories.history_record(standard, c, pins(current))
        outcome = _outcome({s.label: s.grade(data) for s in current})
        outcome_of[c] = outcome
        counts[(c.kind, c.grade, c.exceptional, outcome)] += c.days
    return counts, outcome_of


@needs_bodies
def test_classes_count_every_concrete_history(setting):
    """Every concrete history of one method (a fail, then none or a resit or retake at distinction or fail, with
    or without exceptional circumstances, on each of days 1..400) graded by both bodies: each gets its class's
    outcome, and the counts by outcome are the classes' weighted by their days."""
    current, standard, method = setting
    by_class, outcome_of = _by_class(setting)
    cut = histories.intervals(current, HORIZON)
    brute: Counter[Any] = Counter()
    for c in outcome_of:
        if c.kind is None:
            brute[(None, None, False, outcome_of[c])] += 1
            continue
        start, end, _ = c.interval
        for day in range(start, end + 1):
            data = histories.history_record(standard, c, pins(current), day=day)
            outcome = _outcome({s.label: s.grade(data) for s in current})
            assert outcome == outcome_of[c], (c.about(), day)
            brute[(c.kind, c.grade, c.exceptional, outcome)] += 1
    assert brute == by_class
    # every day is in exactly one interval
    assert sum(end - start + 1 for start, end, _ in cut) == HORIZON
    assert sum(by_class.values()) == 1 + len(histories.KINDS) * 2 * len(GRADES) * HORIZON


@needs_bodies
def test_hand_counted_days(setting):
    """A fail on 20 January 2025, then a resit at distinction. Gateway Qualifications: within three months of the
    fail notification (004 § 4. Re-sits and re-takes), so by 20 April 2025, day 90 (11 + 28 + 31 + 20), else
    the whole EPA again unless exceptional circumstances apply; NQual: all methods within 12 months (000 §
    Re-sit / Re-take), by 20 January 2026, day 365, with no exception. So over days 1..400 the bodies split on
    a full retake on days 91..365 (275 days) without exceptional circumstances, and on days 366..400 (35 days)
    with them."""
    assert dt.date(2025, 1, 20) == histories.FIRST
    counts, _ = _by_class(setting)

    def days(exceptional: bool, nqual_retake: bool, gq_retake: bool) -> int:
        return sum(n for (kind, grade, exc, outcome), n in counts.items()
                   if kind == "resit" and grade == Grade.DISTINCTION and exc == exceptional
                   and outcome[0][2] == nqual_retake and outcome[1][2] == gq_retake)

    assert days(False, False, True) == 275
    assert days(False, True, True) == 35
    assert days(False, False, False) == 90
    assert days(True, True, False) == 35
    assert days(True, False, False) == 365


@needs_bodies
def test_resit_regions_are_exact_over_every_class():
    """The resit findings' regions count classes, every one of every method's (not the old 84 swept histories),
    and say they are exact over that space."""
    data = analyse(REGISTRY, "ST0071", BODIES)
    current = subjects(REGISTRY, "ST0071", BODIES)
    standard = REGISTRY.standard("ST0071")
    every = histories.per_method(current) * len(standard.method_ids)
    assert data["cases"]["resits"] == every
    found = [f for f in data["findings"] if f["area"] == "resits" and f["region"] and f["region"].get("counted", True)]
    assert found
    for f in found:
        assert f["region"]["exact"] is True and f["region"]["of"] == every
        assert "one resit or retake" in f["region"]["space"]
    # Gateway Qualifications alone: the whole EPA again for a resit between its three months and NQual's twelve
    late = next(f for f in found if f["shows"]["row"] == "full_retake_required"
                and f["shows"]["values"] == {"gateway_quals": True, "nqual": False})
    assert late["id"] == "resits.full-retake-required"


@needs_bodies
def test_joint_classes_count_every_combination(setting):
    """A whole record's classes, every method's in every combination, listed one by one (two methods each a fail
    then none or a resit or retake at distinction or fail, with or without exceptional circumstances, in each
    interval; the third passed first time) and graded by both bodies: the counts by outcome are those the
    analysis folds method by method without listing the product."""
    import itertools

    current, standard, _ = setting
    varied, fixed = standard.method_ids[:2], standard.method_ids[2:]
    choose = {m: list(histories.classes(m, current, HORIZON, FIRSTS, GRADES)) for m in varied}
    choose |= {m: [histories.Class(m, Grade.PASS)] for m in fixed}
    folded = histories.joint(current, standard, HORIZON, choose)
    brute: Counter[Any] = Counter()
    for chosen in itertools.product(*(choose[m] for m in standard.method_ids)):
        data = histories._merged(standard, chosen, pins(current))
        brute[_outcome({s.label: s.grade(data) for s in current})] += 1
    assert brute == folded
    assert sum(brute.values()) == len(choose[varied[0]]) * len(choose[varied[1]])
    # a fail and a resit at distinction on day 91..365 of one method, the other a fail then a retake at
    # distinction within three months, no exceptional circumstances: Gateway Qualifications the whole EPA again
    # (its three months missed), NQual capped at pass (000: "a maximum EPA grade of Pass")
    late = next(c for c in choose[varied[0]] if c.kind == "resit" and c.grade == Grade.DISTINCTION
                and not c.exceptional and c.interval and c.interval[:2] == (91, 365))
    early = next(c for c in choose[varied[1]] if c.kind == "retake" and c.grade == Grade.DISTINCTION
                 and not c.exceptional and c.interval and c.interval[:2] == (1, 90))
    data = histories._merged(standard, (late, early, *(choose[m][0] for m in fixed)), pins(current))
    nqual, gq = (s.grade(data) for s in current)
    assert (nqual.full_retake_required, nqual.capped) == (False, True) and gq.full_retake_required is True


@needs_bodies
def test_the_analysis_counts_every_whole_history():
    """``complete.histories``: per_method classes to the power of the methods, each pair's differing classes
    among them."""
    data = analyse(REGISTRY, "ST0071", BODIES)
    counted = data["complete"]["histories"]
    current = subjects(REGISTRY, "ST0071", BODIES)
    methods = len(REGISTRY.standard("ST0071").method_ids)
    assert counted["classes"] == counted["per_method"] ** methods == histories.per_method(current) ** methods
    assert counted["boundaries"] == [90, 365]  # 20 January 2025 + 3 months, + 12 months
    for pair in data["complete"]["pairs"]:
        assert pair["histories"]["of"] == counted["classes"] and 0 < pair["histories"]["inputs"] < counted["classes"]


@needs_bodies
def test_a_bodys_own_resit_policy_makes_the_count_a_sample(setting):
    """The classes cut the days at the windows the rules' data states; a body answering by its own resit_policy
    hook may read the days otherwise, so its counts are not labelled exact."""
    from types import SimpleNamespace

    current, _, _ = setting
    assert histories.by_the_data(current)  # neither body implements resit_policy
    hooked = SimpleNamespace(loaded=SimpleNamespace(own_hooks=frozenset({"resit_policy"})))
    assert not histories.by_the_data([*current, hooked])
