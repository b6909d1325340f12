"""Every attempt history of one method, by class: what the resit sweep grades, each class once, with every body.

A body's resit answer (``resits.decide``, or its own ``resit_policy``) reads, per method, the attempts' kinds
(first, resit, retake) and grades, whether exceptional circumstances are recorded, and whether each later attempt
falls on or before a window's last day; the day itself matters only against those last days. So with every
method's first attempt on one day (``FIRST``, the fail notified that day), a later attempt's day matters only
by which interval of the union of every body's boundaries it falls in (each window's and each rework
deadline's last day, ``boundaries``): days 1 to the first boundary, the day after it to the next, ..., and past
the last to the ``HORIZON``. One day of each interval stands for all of them (``Class.days`` says how many).

A class of one method's history: its first attempt's grade, then none, or one resit or retake with its grade,
whether exceptional circumstances are recorded, and the interval its day falls in. The documents set no limit
on attempts (every body's ``attempts.limit`` is null: "up to the employer"), so a bound is chosen:
``LATER`` later attempts per method (one), and the analysis is exact over that space only, which the region's
``space`` says. The methods are varied one at a time, the others passed at distinction at their first attempt:
every body's resit rules are per method (a cap is lifted attempt by attempt, a window counts per fail or from
one day every history shares), so the classes of a whole record are the products of these; how many classes
that makes is ``joint_classes``. ``tests/test_histories.py`` holds the counts to every concrete history, day by
day, on a reduced setting.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Sequence
from typing import Any

from attrs import frozen

from epa.consistency.findings import GATEWAY, SweptBody, pins, record
from epa.model.domain import Grade, Standard
from epa.rules.workdays import shift

FIRST = GATEWAY + dt.timedelta(days=14)  # every method's first attempt, and its fail notified the same day
HORIZON = 730  # the last day after FIRST a later attempt is tried on: two years, past every window stated
LATER = 1  # later attempts per method: the documents state no limit
KINDS = ("resit", "retake")
GRADES = (Grade.DISTINCTION, Grade.PASS, Grade.FAIL)  # a witness at distinction shows a cap first
FIRST_GRADES = (Grade.FAIL, Grade.PASS, Grade.DISTINCTION)


def boundaries(subjects: Sequence[SweptBody], first: dt.date = FIRST) -> list[tuple[int, str]]:
    """The last day of every window and rework deadline any body states, as days after ``first`` (the anchor of
    each in these histories: the first assessment and the fail notified are that day), earliest first, each
    with the words of what it bounds."""
    out: dict[int, str] = {}
    for s in subjects:
        resit = s.ruleset.journey.resit if s.ruleset.journey else None
        if resit is None:
            continue
        for name, offset in [*((w.name, w.offset) for w in resit.windows), *((r.name, r.offset) for r in resit.rework)]:
            day = (shift(first, offset) - first).days
            if day > 0:
                out.setdefault(day, f"{s.id}'s {name}")
    return sorted(out.items())


def intervals(subjects: Sequence[SweptBody], horizon: int = HORIZON,
              first: dt.date = FIRST) -> list[tuple[int, int, str]]:
    """The days 1..``horizon`` after ``first`` cut at every boundary: (first day, last day, words), each interval's
    days alike to every window."""
    cuts = [(d, words) for d, words in boundaries(subjects, first) if d < horizon]
    out, start = [], 1
    for day, words in cuts:
        out.append((start, day, f"on or before the last day of {words}" if start == 1 else
                    f"up to the last day of {words}"))
        start = day + 1
    out.append((start, horizon, f"past {cuts[-1][1]}" if cuts else "any day"))
    return out


@frozen
class Class:
    """One class of one method's history: the first attempt's grade and, if any, one later attempt."""

    method: str
    first: Grade
    kind: str | None = None
    grade: Grade | None = None
    exceptional: bool = False
    interval: tuple[int, int, str] | None = None

    @property
    def days(self) -> int:
        """How many concrete histories (one per day of its interval) the class stands for."""
        return self.interval[1] - self.interval[0] + 1 if self.interval else 1

    @property
    def day(self) -> int | None:
        """The day after the first attempt the class's later attempt is tried on: its interval's last (a boundary
        itself, so a witness shows the last day a window allows, or the day after it)."""
        return self.interval[1] if self.interval else None

    def about(self) -> str:
        if self.kind is None:
            return f"the {self.method} {self.first} at its first attempt, and no resit or retake"
        start, end, words = self.interval or (0, 0, "")
        return (f"a {self.kind} of the {self.method} at {self.grade} {end} days after its {self.first} "
                f"({'day' if start == end else f'days {start} to {end}'}, {words})"
                f"{', with exceptional circumstances' if self.exceptional else ''}")


def classes(method: str, subjects: Sequence[SweptBody], horizon: int = HORIZON,
            first_grades: Sequence[Grade] = FIRST_GRADES, grades: Sequence[Grade] = GRADES,
            kinds: Sequence[str] = KINDS) -> Iterator[Class]:
    """Every class of the method's history, a fail then an early resit first (the witnesses nearest the old
    sweep's): first grade, then interval, kind, exceptional circumstances and the later attempt's grade."""
    cut = intervals(subjects, horizon)
    for first in first_grades:
        for interval in cut:
            for kind in kinds:
                for exceptional in (False, True):
                    for grade in grades:
                        yield Class(method, first, kind, grade, exceptional, interval)
        yield Class(method, first)


def attempts(standard: Standard, c: Class, first: dt.date = FIRST, day: int | None = None) -> list[dict[str, Any]]:
    """The record's attempts for class ``c`` (its later attempt on ``day``, else on the class's own day): every
    other method passed at distinction on the same first day."""
    out: list[dict[str, Any]] = [
        {"method": m, "grade": str(c.first) if m == c.method else "distinction", "date": first.isoformat()}
        for m in standard.method_ids]
    if c.kind is not None:
        when = first + dt.timedelta(days=day if day is not None else c.day or 0)
        out.append({"method": c.method, "kind": c.kind, "grade": str(c.grade), "date": when.isoformat(),
                    "exceptional_circumstances": c.exceptional})
    return out


def history_record(standard: Standard, c: Class, pinned: dict[str, Any], day: int | None = None) -> dict[str, Any]:
    return record(standard.id, attempts(standard, c, day=day), **pinned)


def by_the_data(subjects: Sequence[SweptBody]) -> bool:
    """Whether every body's resit answer comes from its rules' data (the default ``resit_policy``), whose windows
    ``boundaries`` reads: a body's own hook may read the days otherwise, so its classes are a sample of it."""
    return not any("resit_policy" in s.loaded.own_hooks for s in subjects)


def per_method(subjects: Sequence[SweptBody], horizon: int = HORIZON) -> int:
    """How many classes one method's history has."""
    return len(FIRST_GRADES) * (1 + len(intervals(subjects, horizon)) * len(KINDS) * 2 * len(GRADES))


def joint_classes(subjects: Sequence[SweptBody], standard: Standard, horizon: int = HORIZON) -> int:
    """How many classes a whole record's histories have (every method's class, in every combination)."""
    return math.prod(per_method(subjects, horizon) for _ in standard.method_ids)


HistoryOutcome = tuple[Any, ...]  # per body: (overall grade, capped, the whole EPA again)


def _merged(standard: Standard, chosen: Sequence[Class], pinned: dict[str, Any]) -> dict[str, Any]:
    """One record with each method's history as its class has it: the first attempts on one day, then the later
    ones by day."""
    firsts = [{"method": c.method, "grade": str(c.first), "date": FIRST.isoformat()} for c in chosen]
    later = sorted((attempts(standard, c)[-1] for c in chosen if c.kind is not None), key=lambda a: a["date"])
    return record(standard.id, [*firsts, *later], **pinned)


def joint(subjects: Sequence[SweptBody], standard: Standard, horizon: int = HORIZON,
          choose: dict[str, list[Class]] | None = None) -> dict[HistoryOutcome, int]:
    """Every class of a whole record's history (every method's class, in every combination), counted by the
    bodies' joint outcome, without listing the product: each method's classes are graded alone and kept by what
    each body made of them (the method's grade, capped, the whole EPA again); the methods are folded one by one
    on that, each body's caps and full retakes joined (any method's makes the record's); and each state left is
    graded once, on a record joining one class per method, by every body. ``choose``: the classes per method
    (every class, where not given)."""
    pinned = pins(subjects)
    # per body: the method grades so far, and whether any method so far capped it or needs the whole EPA again
    start = tuple(((), False, False) for _ in subjects)
    states: dict[tuple[Any, ...], tuple[int, tuple[Class, ...]]] = {start: (1, ())}
    for method in standard.method_ids:
        kept: dict[tuple[Any, ...], tuple[int, Class]] = {}
        for c in (choose or {}).get(method) or list(classes(method, subjects, horizon)):
            data = history_record(standard, c, pinned)
            signature = tuple((r.components.get(method), r.capped, r.full_retake_required)
                              for r in (s.grade(data) for s in subjects))
            n, first = kept.get(signature, (0, c))
            kept[signature] = (n + 1, first)
        folded: dict[tuple[Any, ...], tuple[int, tuple[Class, ...]]] = {}
        for state, (n, chosen) in states.items():
            for signature, (m, c) in kept.items():
                key = tuple(((*grades, grade), was_capped or capped, was_whole or whole)
                            for (grades, was_capped, was_whole), (grade, capped, whole)
                            in zip(state, signature, strict=True))
                total, witness = folded.get(key, (0, (*chosen, c)))
                folded[key] = (total + n * m, witness)
        states = folded
    out: dict[HistoryOutcome, int] = {}
    for n, chosen in states.values():
        data = _merged(standard, chosen, pinned)
        outcome = tuple((r.overall, r.capped, r.full_retake_required) for r in (s.grade(data) for s in subjects))
        out[outcome] = out.get(outcome, 0) + n
    return out
