"""The complete grading analysis (``epa.consistency.regions``) against brute force.

On small synthetic standards, where every pattern of criteria met (2^n) can be listed, the exact counts of each
joint grade, each witness and the overall grade's regions must be what enumerating every pattern gives. The
bodies are made up here (random masks and thresholds, a hook deciding arbitrarily), so these hold for any set
of installed bodies; the last tests hold the installed bodies' real regions to brute force where they are small.
"""

from __future__ import annotations

import itertools
import random

import pytest

from epa.consistency.regions import MethodRule, differing, method_regions, overall_regions
from epa.model.domain import Grade


def subsets(items: list[str]) -> list[frozenset[str]]:
    return [frozenset(c for c, bit in zip(items, bits, strict=True) if bit)
            for bits in itertools.product((0, 1), repeat=len(items))]


def hook(seed: int):
    """An arbitrary grade_component: a grade for each set of criteria, decided by the set alone."""
    def asked(met: frozenset[str]) -> Grade:
        return list(Grade)[hash((seed, tuple(sorted(met)))) % 3]
    return asked


def random_rule(pool: list[str], draw: random.Random, hooked: bool = False) -> MethodRule:
    placed = [c for c in pool if draw.random() < 0.8]
    distinctions = frozenset(c for c in placed if draw.random() < 0.4)
    passes = frozenset(placed) - distinctions
    needed = draw.randint(1, len(distinctions)) if distinctions and draw.random() < 0.5 else 0
    pass_needed = draw.randint(1, len(passes)) if passes and draw.random() < 0.3 else 0
    return MethodRule(passes, distinctions, needed, hook(draw.randint(0, 1 << 30)) if hooked else None, pass_needed)


def brute(rules: list[MethodRule]) -> dict[tuple[Grade | None, ...], list[frozenset[str]]]:
    everything = sorted(set().union(*(r.assessed for r in rules)))
    found: dict[tuple[Grade | None, ...], list[frozenset[str]]] = {}
    for met in subsets(everything):
        found.setdefault(tuple(r.grade(met) for r in rules), []).append(met)
    return found


def test_default_rule_is_the_documents_rule():
    """Every pass criterion for a pass; the distinction criteria (or ``needed`` of them) for a distinction."""
    rule = MethodRule(frozenset({"P1", "P2"}), frozenset({"D1", "D2", "D3"}), 2)
    assert rule.grade(frozenset({"P1", "D1", "D2", "D3"})) is Grade.FAIL
    assert rule.grade(frozenset({"P1", "P2", "D1"})) is Grade.PASS
    assert rule.grade(frozenset({"P1", "P2", "D1", "D3"})) is Grade.DISTINCTION
    every = MethodRule(frozenset({"P1"}), frozenset({"D1", "D2"}))  # no threshold: all of them
    assert every.grade(frozenset({"P1", "D1"})) is Grade.PASS
    assert every.grade(frozenset({"P1", "D1", "D2"})) is Grade.DISTINCTION


@pytest.mark.parametrize("seed", range(40))
def test_method_regions_are_every_pattern_counted(seed):
    draw = random.Random(seed)
    pool = [f"C{i}" for i in range(draw.randint(1, 10))]
    rules = [random_rule(pool, draw, hooked=draw.random() < 0.25) for _ in range(draw.randint(2, 4))]
    if not set().union(*(r.assessed for r in rules)):
        rules[0] = MethodRule(frozenset(pool[:1]))
    found = method_regions("m", rules)
    expected = brute(rules)
    assert found.sampled is None
    assert found.total == 2 ** len(set().union(*(r.assessed for r in rules)))
    assert found.counts == {joint: len(patterns) for joint, patterns in expected.items()}
    for joint, patterns in expected.items():  # the witness gives its joint grade, nearest to every criterion met
        assert tuple(r.grade(found.witness[joint]) for r in rules) == joint
        assert len(found.witness[joint]) == max(len(p) for p in patterns)


def test_a_pair_split_only_by_a_pass_threshold():
    """Hand count: A passes on 2 of P1..P3 (a rule in words' pass_threshold), B needs all 3. They differ exactly
    where two of the three are met: C(3, 2) = 3 patterns of the 8, where A passes and B fails."""
    a = MethodRule(frozenset({"P1", "P2", "P3"}), pass_needed=2)
    b = MethodRule(frozenset({"P1", "P2", "P3"}))
    assert a.grade(frozenset({"P1", "P3"})) is Grade.PASS and b.grade(frozenset({"P1", "P3"})) is Grade.FAIL
    found = method_regions("m", [a, b])
    assert found.counts == {(Grade.PASS, Grade.PASS): 1, (Grade.PASS, Grade.FAIL): 3, (Grade.FAIL, Grade.FAIL): 4}


def test_a_pair_split_only_by_a_threshold():
    """Hand count: A needs 2 of D1..D3, B all 3; both need P1. They differ exactly where P1 and two of the three
    distinction criteria are met: C(3, 2) = 3 patterns of the 16."""
    a = MethodRule(frozenset({"P1"}), frozenset({"D1", "D2", "D3"}), 2)
    b = MethodRule(frozenset({"P1"}), frozenset({"D1", "D2", "D3"}))
    found = method_regions("m", [a, b])
    assert found.total == 16
    assert found.counts[(Grade.DISTINCTION, Grade.PASS)] == 3
    assert differing(found.counts, 0, 1) == 3


def test_a_criterion_one_body_does_not_assess():
    """Hand count: A assesses P1 and P2 at pass, B only P1: they differ where P1 is met and P2 is not, 1 of 4."""
    found = method_regions("m", [MethodRule(frozenset({"P1", "P2"})), MethodRule(frozenset({"P1"}))])
    assert found.counts == {(Grade.PASS, Grade.PASS): 1, (Grade.FAIL, Grade.PASS): 1, (Grade.FAIL, Grade.FAIL): 2}


def test_too_many_states_are_sampled_and_say_so():
    pool = [f"C{i}" for i in range(12)]
    rules = [MethodRule(frozenset(), frozenset(pool), 6, hook(1)), MethodRule(frozenset(pool[:6]))]
    found = method_regions("m", rules, limit=100, sample=500)
    assert found.sampled == 500
    assert sum(found.counts.values()) == 500
    assert found.total == 2 ** 12


@pytest.mark.parametrize("seed", range(15))
def test_overall_regions_are_every_input_counted(seed):
    """Every pattern at every method (the product), each body's grades combined by its own table."""
    draw = random.Random(1000 + seed)
    methods = [f"m{k}" for k in range(draw.randint(1, 3))]
    bodies = draw.randint(2, 3)
    pools = {m: [f"{m}.C{i}" for i in range(draw.randint(1, 4))] for m in methods}
    rules = {m: [random_rule(pools[m], draw, hooked=draw.random() < 0.2) for _ in range(bodies)] for m in methods}
    for m in methods:
        if not set().union(*(r.assessed for r in rules[m])):
            rules[m][0] = MethodRule(frozenset(pools[m][:1]))
    tables = [{grades: draw.choice([*Grade, None]) for grades in itertools.product(list(Grade), repeat=len(methods))}
              for _ in range(bodies)]
    combine = [table.__getitem__ for table in tables]
    found = overall_regions([method_regions(m, rules[m]) for m in methods], combine)

    expected: dict[tuple[Grade | None, ...], int] = {}
    spaces = [subsets(sorted(set().union(*(r.assessed for r in rules[m])))) for m in methods]
    for mets in itertools.product(*spaces):
        joint = tuple(tables[b][tuple(rules[m][b].grade(met) for m, met in zip(methods, mets, strict=True))]
                      for b in range(bodies))
        expected[joint] = expected.get(joint, 0) + 1
    assert found == expected
    for a, b in itertools.combinations(range(bodies), 2):
        assert differing(found, a, b) == sum(n for joint, n in expected.items() if joint[a] != joint[b])


def test_a_repeated_criterion_is_met_with_the_one_it_repeats_and_adds_no_pattern():
    # body A prints "R" again as a fragment of "b" (repeats): by hand, over the 3 criteria a, b, c: A and B (who
    # does not print R) pass exactly when a, b and c are all met, so they never differ; 2^3 = 8 patterns
    a = MethodRule(frozenset({"a", "b", "c", "R"}), ties=(("R", "b"),))
    b = MethodRule(frozenset({"a", "b", "c"}))
    regions = method_regions("m", [a, b])
    assert regions.criteria == ("a", "b", "c") and regions.total == 8
    assert regions.counts == {(Grade.PASS, Grade.PASS): 1, (Grade.FAIL, Grade.FAIL): 7}
    assert differing(regions.counts, 0, 1) == 0


def test_a_counted_method_says_how_many_patterns_it_graded():
    """Hand count: A assesses P1, P2 at pass and D1, D2 at distinction (one needed); B the same passes only. The
    passes are one group whose count does not matter (all met, or not: 2 states), the distinctions one whose count
    does (0, 1 or 2 met: 3 states), so 2 x 3 = 6 patterns are graded for the 2^4 = 16 counted."""
    found = method_regions("m", [MethodRule(frozenset({"P1", "P2"}), frozenset({"D1", "D2"}), 1),
                                 MethodRule(frozenset({"P1", "P2"}))])
    assert (found.total, found.graded, found.sampled) == (16, 6, None)
    assert sum(found.counts.values()) == 16


def test_a_sampled_method_graded_its_sample():
    pool = [f"C{i}" for i in range(12)]
    rules = [MethodRule(frozenset(), frozenset(pool), 6, hook(1)), MethodRule(frozenset(pool[:6]))]
    assert method_regions("m", rules, limit=100, sample=500).graded == 500
