"""The complete grading analysis: for each method, every pattern of criteria met, and for the overall grade every
combination of those patterns, counted exactly rather than sampled.

A body grades a method from the criteria an attempt lists that it assesses there: by the default's rule, a fail
unless every pass criterion is met, else a distinction where at least ``needed`` distinction criteria are, else a
pass (``defaults.grade_component``). Under that rule two criteria that every body places alike (pass or
distinction, or not at all, body by body) are interchangeable: only how many of each such group are met matters.
So the patterns of a method's criteria (2^n of them, n the criteria any body assesses there) fall into the
products of a few counts, one per group (an *atom*), each count k of an atom of size s standing for C(s, k)
patterns; where no body counts an atom's criteria towards a distinction, only "all met" (1 pattern) or "not
all" (2^s - 1) matters. A body that grades a method by its own ``grade_component`` hook sees each criterion it
assesses there alone (each one its own atom), so its hook is asked of the exact sets; where that makes more
states than ``LIMIT``, the method is sampled instead (``MethodRegions.sampled`` says how many patterns).

Each method gives the bodies' joint grades (one grade per body) with how many patterns give them; the overall
grade's regions are the products of those, each body's grades combined by its ``combine_grades``: exact, and
the count of every input (every pattern at every method) on which two bodies' overall grades differ.
``tests/test_regions.py`` holds these counts to brute-force enumeration on small synthetic standards.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from attrs import field, frozen

from epa.model.domain import Grade

# The most states (products of atom counts) a method is enumerated over; past it, it is sampled.
LIMIT = 1 << 18
SAMPLE = 1 << 14  # how many patterns a sampled method is graded on (seeded: the same report every run)

Joint = tuple[Grade | None, ...]  # one grade per body, in the order the bodies are given


@frozen
class MethodRule:
    """How one body grades one method: the criteria it assesses there, those at pass and at distinction, how many
    distinction criteria a distinction needs, its own grade_component hook (given the criteria met that it
    assesses here), if it has one, and how many pass criteria a pass needs (0: all of them)."""

    passes: frozenset[str]
    distinctions: frozenset[str] = frozenset()
    needed: int = 0
    asked: Callable[[frozenset[str]], Grade] | None = field(default=None, eq=False)
    pass_needed: int = 0
    # (repeated, original): a criterion the document prints again as a fragment of another (``repeats``) is met
    # exactly when the one it repeats is, so it is no pattern of its own
    ties: tuple[tuple[str, str], ...] = ()

    @property
    def counts_passes(self) -> bool:
        """Whether how many pass criteria are met matters beyond "all or not" (a pass threshold below all)."""
        return 0 < self.pass_needed < len(self.passes)

    @property
    def assessed(self) -> frozenset[str]:
        """The criteria whose patterns decide this body's grade: a repeated criterion stands as the one it repeats."""
        repeated = {r for r, _ in self.ties}
        return (self.passes | self.distinctions) - repeated | {o for _, o in self.ties}

    @property
    def tied(self) -> frozenset[str]:
        """The criteria another of this body's criteria repeats (its pattern decides both)."""
        return frozenset(o for _, o in self.ties)

    def grade(self, met: frozenset[str]) -> Grade:
        """The body's grade for an attempt meeting ``met`` (the default's rule, or the body's hook); a repeated
        criterion is met where the one it repeats is."""
        met = met | {r for r, o in self.ties if o in met}
        if self.asked is not None:
            return self.asked(met & (self.passes | self.distinctions))
        if len(self.passes & met) < (self.pass_needed or len(self.passes)):
            return Grade.FAIL
        if self.distinctions and len(self.distinctions & met) >= (self.needed or len(self.distinctions)):
            return Grade.DISTINCTION
        return Grade.PASS


@frozen
class MethodRegions:
    """Every pattern of one method's criteria met, by the bodies' joint grades: how many patterns give each
    joint grade (``counts``), and for each the pattern nearest to every criterion met (``witness``). ``total``:
    the patterns there are (2^criteria); ``sampled``: None where every pattern was counted, else how many were
    drawn at random (then ``counts`` are of those); ``graded``: how many patterns the bodies graded one by one
    (a counted method's each stands for every pattern alike to it, so far fewer than ``total``)."""

    method: str
    criteria: tuple[str, ...]
    counts: dict[Joint, int]
    witness: dict[Joint, frozenset[str]]
    total: int
    sampled: int | None = None
    graded: int = 0

    @property
    def space(self) -> int:
        """How many patterns ``counts`` add up to."""
        return self.sampled if self.sampled is not None else self.total


def _atoms(rules: Sequence[MethodRule]) -> list[tuple[tuple[str, ...], bool]]:
    """The criteria any body assesses, grouped by how every body places them (a hooked body's each apart), each
    group with whether its count matters beyond "all met or not" (a body counts it towards a distinction or
    towards a pass threshold below all, or a body's hook reads it)."""
    everything = sorted(set().union(*(r.assessed for r in rules)))
    groups: dict[tuple[object, ...], list[str]] = {}
    for c in everything:
        key = tuple((c in r.passes, c in r.distinctions, c in r.tied) if r.asked is None
                    else (c if c in r.assessed else None) for r in rules)
        groups.setdefault(key, []).append(c)
    return [(tuple(ids), any(c in r.distinctions or (r.asked is not None and c in r.assessed)
                             or (r.counts_passes and c in r.passes) or c in r.tied for r in rules for c in ids[:1]))
            for ids in groups.values()]


def _states(atom: tuple[tuple[str, ...], bool]) -> list[tuple[int, int]]:
    """An atom's states, each (how many of its criteria are met, how many patterns that stands for), most met
    first. A count that does not matter has two: all met, or not all (one short standing for the rest)."""
    ids, counted = atom
    n = len(ids)
    if counted:
        return [(k, math.comb(n, k)) for k in range(n, -1, -1)]
    return [(n, 1), (n - 1, 2 ** n - 1)]


def method_regions(method: str, rules: Sequence[MethodRule], *, limit: int = LIMIT, sample: int = SAMPLE,
                   seed: int = 0) -> MethodRegions:
    """Every pattern of the method's criteria met, counted by the joint grade the bodies ``rules`` give it."""
    atoms = _atoms(rules)
    criteria = tuple(sorted(c for ids, _ in atoms for c in ids))
    total = 2 ** len(criteria)
    states = [_states(atom) for atom in atoms]
    counts: dict[Joint, int] = {}
    witness: dict[Joint, frozenset[str]] = {}
    if math.prod(len(s) for s in states) > limit:
        drawn = random.Random(seed)
        for _ in range(sample):
            met = frozenset(c for c in criteria if drawn.random() < 0.5)
            joint = tuple(r.grade(met) for r in rules)
            counts[joint] = counts.get(joint, 0) + 1
            if joint not in witness or len(met) > len(witness[joint]):
                witness[joint] = met
        return MethodRegions(method, criteria, counts, witness, total, sample, sample)
    # Most met first: the first pattern to give a joint grade is the nearest to every criterion met.
    graded = 0
    for chosen in itertools.product(*states):
        graded += 1
        met = frozenset(c for (ids, _), (k, _) in zip(atoms, chosen, strict=True) for c in ids[:k])
        joint = tuple(r.grade(met) for r in rules)
        counts[joint] = counts.get(joint, 0) + math.prod(weight for _, weight in chosen)
        if joint not in witness or len(met) > len(witness[joint]):
            witness[joint] = met
    return MethodRegions(method, criteria, counts, witness, total, graded=graded)


Combine = Callable[[tuple[Grade, ...]], Grade | None]


def overall_regions(methods: Sequence[MethodRegions], combine: Sequence[Combine]) -> dict[Joint, int]:
    """Every input (a pattern of criteria met at each method) by the bodies' joint overall grade: the products of
    the methods' joint grades, each body's grades (in the methods' order) combined by ``combine``, its own."""
    out: dict[Joint, int] = {}
    for picked in itertools.product(*(m.counts.items() for m in methods)):
        weight = math.prod(n for _, n in picked)
        joint = tuple(c(tuple(grades[b] for grades, _ in picked)) for b, c in enumerate(combine))  # type: ignore[misc]
        out[joint] = out.get(joint, 0) + weight
    return out


def differing(counts: Mapping[tuple[Any, ...], int], a: int, b: int) -> int:
    """How many of the inputs counted give bodies ``a`` and ``b`` (by position) different grades."""
    return sum(n for joint, n in counts.items() if joint[a] != joint[b])


def share(part: int, whole: int) -> float:
    """``part`` of ``whole`` as a fraction, to six significant figures (JSON-friendly for whole numbers of any
    size)."""
    return float(f"{part / whole:.6g}") if whole else 0.0
