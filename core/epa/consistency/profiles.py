"""Gateway readiness over every profile, counted: every class of value of every requirement field the bodies'
gateway checks read, in every combination.

A gateway check reads one group of fields: an item of evidence (provided, not provided, not recorded); English
and maths (each level or none recorded, an EHCP or not, English held as a BSL qualification or not, the age at
the start, which matters only against an age band); the time on programme (days or whole months before
gateway); a count (portfolio pieces, proposal words). Within a group, the values between two of the checks'
thresholds (an age band's ends, a minimum of days or months, a count's least and most) are decided alike, so each
such interval is one class, represented by its least value (and the lowest by the value below the first
threshold). A body is ready where every group lets it through, so readiness over the product of the groups'
classes is the product of each group's readiness with every other group at a baseline every body accepts:
counted per group, then combined, never listed (``tests/test_consistency_complete.py`` holds this to listing
every profile of a reduced product).

Deadline checks at gateway (evidence in by a date) read the journey's dates, not a profile's fields: they are
not varied here. A body whose own ``gateway_requirements`` hook decides is asked like the others, per group with
the others at the baseline; the product then assumes that its checks read one group each, and ``exact`` says
false.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from typing import Any

from attrs import frozen
from dateutil.relativedelta import relativedelta

from epa.consistency.findings import GATEWAY, SweptBody, pins, record
from epa.rules.gateway import LEVELS

# What every body accepts: where each group stands while another is varied.
BASELINE: dict[str, Any] = {"age": 25, "english": "level2", "maths": "level2", "ehcp": False, "bsl": False,
                            "days": 400}
EVIDENCE_STATES = ((True, "provided"), (False, "not provided"), (None, "not recorded"))


@frozen
class Group:
    """A group of fields one kind of check reads, with a class of values per entry: (what it is, the profile's
    parameters it sets)."""

    name: str
    values: tuple[tuple[str, dict[str, Any]], ...]


def _checks(subjects: Sequence[SweptBody]) -> list[Any]:
    return [rule.check for s in subjects if s.ruleset.journey for rule in s.ruleset.journey.gateway
            if rule.check is not None and not rule.check.deferred]


def _classes(thresholds: set[int]) -> list[int]:
    """One value per interval the thresholds cut: below the first, then each threshold (an interval's least)."""
    ordered = sorted(thresholds)
    return [ordered[0] - 1, *ordered] if ordered else []


def groups(subjects: Sequence[SweptBody]) -> list[Group]:
    """The groups of fields the bodies' gateway checks read, each with every class of its values."""
    checks = _checks(subjects)
    out: list[Group] = []
    for field in dict.fromkeys(c.provided.field for c in checks if c.provided):
        out.append(Group(field, tuple((f"{field.replace('_', ' ')} {word}", {field: value})
                                      for value, word in EVIDENCE_STATES)))
    bands = [c.english_maths for c in checks if c.english_maths]
    if bands:
        ages = _classes({a for em in bands for a in (em.min_age, em.max_age + 1 if em.max_age is not None else None)
                         if a is not None}) or [BASELINE["age"]]
        levels = (*LEVELS, None)
        values = []
        for english, maths, ehcp, bsl, age in itertools.product(levels, levels, (False, True), (False, True), ages):
            words = [f"English {english or 'not recorded'}", f"maths {maths or 'not recorded'}", f"{age} at the start"]
            words += ["an EHCP"] * ehcp + ["English held as a BSL qualification"] * bsl
            values.append((", ".join(words), {"english": english, "maths": maths, "ehcp": ehcp, "bsl": bsl,
                                              "age": age}))
        out.append(Group("English and maths", tuple(values)))
    days = {c.days_on_programme.min for c in checks if c.days_on_programme}
    for months in {c.months_on_programme.min for c in checks if c.months_on_programme}:
        days.add((GATEWAY - (GATEWAY - relativedelta(months=months))).days)  # the first day it has so many
    if days:
        out.append(Group("time on programme", tuple((f"{n} days on programme at gateway", {"days": n})
                                                    for n in _classes(days))))
    counted: dict[str, set[int]] = {}
    for c in checks:
        if c.count:
            counted.setdefault(c.count.field, set()).update(
                x for x in (c.count.min, c.count.max + 1 if c.count.max is not None else None) if x is not None)
    for field, thresholds in counted.items():
        out.append(Group(field, (*((f"{field.replace('_', ' ')}: {n}", {field: n}) for n in _classes(thresholds)
                                   if n >= 0), (f"{field.replace('_', ' ')} not recorded", {field: None}))))
    return out


def profile(standard: str, subjects: Sequence[SweptBody], params: dict[str, Any]) -> dict[str, Any]:
    """The record of a profile: the baseline, every item of evidence provided, with ``params`` in their place."""
    p = {**BASELINE, **params}
    start = GATEWAY - dt.timedelta(days=p["days"])
    born = start - relativedelta(years=p["age"], months=6)
    apprentice = {"id": "witness", "date_of_birth": born.isoformat(), "start_date": start.isoformat(),
                  "ehcp": p["ehcp"], "bsl": p["bsl"]}
    apprentice.update({k: p[k] for k in ("english", "maths") if p[k] is not None})
    evidence: dict[str, Any] = {c.provided.field: True for c in _checks(subjects) if c.provided}
    evidence.update({"portfolio_pieces": 12, "project_proposal_words": 300})
    gateway = {**evidence, **{k: v for k, v in params.items() if k not in BASELINE}}
    gateway = {k: v for k, v in gateway.items() if v is not None}
    return {**record(standard, [], apprentice=apprentice, gateway=gateway, **pins(subjects))}


Joint = tuple[bool, ...]


def described(params: dict[str, Any]) -> str:
    """A profile's parameters in words (those away from the baseline)."""
    words = []
    for key, value in params.items():
        if key in BASELINE:
            if value != BASELINE[key]:
                words.append({"age": f"{value} at the start", "days": f"{value} days on programme",
                              "ehcp": "an EHCP", "bsl": "English held as a BSL qualification"}.get(
                    key, f"{key} {value or 'not recorded'}"))
        elif value is None:
            words.append(f"{key.replace('_', ' ')} not recorded")
        elif value is False:
            words.append(f"{key.replace('_', ' ')} not provided")
        elif value is not True:
            words.append(f"{key.replace('_', ' ')} {value}")
    return ", ".join(words) or "every requirement met"


def readiness(standard: str, subjects: Sequence[SweptBody], params: dict[str, Any]) -> Joint:
    data = profile(standard, subjects, params)
    return tuple(s.grade(data).gateway.ready for s in subjects)


def counted(standard: str, subjects: Sequence[SweptBody], chosen: Sequence[Group] | None = None
            ) -> tuple[dict[Joint, int], bool]:
    """Every profile of the groups' product by the bodies' joint readiness; and whether that is exact (the
    baseline is ready for every body, and no body decides by its own hook)."""
    counts, _, exact = witnessed(standard, subjects, chosen)
    return counts, exact


def witnessed(standard: str, subjects: Sequence[SweptBody], chosen: Sequence[Group] | None = None
              ) -> tuple[dict[Joint, int], dict[Joint, dict[str, Any]], bool]:
    """As ``counted``, with a profile for each joint readiness (its parameters): the one that moves the fewest
    groups from a value every body accepts."""
    chosen = groups(subjects) if chosen is None else chosen
    base = readiness(standard, subjects, {})
    exact = all(base) and not any("gateway_requirements" in s.loaded.own_hooks for s in subjects)
    everyone = tuple(True for _ in subjects)
    # joint -> (profiles, (groups moved, parameters) of its witness)
    total: dict[Joint, tuple[int, tuple[int, dict[str, Any]]]] = {everyone: (1, (0, {}))}
    for group in chosen:
        here: dict[Joint, tuple[int, tuple[int, dict[str, Any]]]] = {}
        for _, params in group.values:
            joint = readiness(standard, subjects, params)
            # Every body ready: the baseline stands for it in a witness (it is, where the count is exact).
            n, seen = here.get(joint, (0, (0, {}) if joint == everyone and exact else (1, params)))
            here[joint] = (n + 1, seen)
        combined: dict[Joint, tuple[int, tuple[int, dict[str, Any]]]] = {}
        for (a, (n, (ca, pa))), (b, (m, (cb, pb))) in itertools.product(total.items(), here.items()):
            joint = tuple(x and y for x, y in zip(a, b, strict=True))
            found, best = combined.get(joint, (0, (ca + cb, {**pa, **pb})))
            if ca + cb < best[0]:
                best = (ca + cb, {**pa, **pb})
            combined[joint] = (found + n * m, best)
        total = combined
    return ({j: n for j, (n, _) in total.items()}, {j: w for j, (_, (_, w)) in total.items()}, exact)


def alone(standard: str, subjects: Sequence[SweptBody], chosen: Sequence[Group] | None = None
          ) -> dict[str, dict[Joint, int]]:
    """Per group, the profiles in which that group alone splits the bodies: each of its classes with every other
    group at a class every body accepts, by the joint readiness the class gives. (An evidence item's finding is
    as large as the profiles its item, missing or not recorded, splits so; the other groups' classes every body
    accepts multiply.)"""
    chosen = groups(subjects) if chosen is None else chosen
    everyone = tuple(True for _ in subjects)
    joints = {g.name: [readiness(standard, subjects, params) for _, params in g.values] for g in chosen}
    accepted = {name: sum(j == everyone for j in js) for name, js in joints.items()}
    out: dict[str, dict[Joint, int]] = {}
    for name, js in joints.items():
        others = 1
        for other, n in accepted.items():
            others *= n if other != name else 1
        for j in js:
            out.setdefault(name, {})[j] = out.get(name, {}).get(j, 0) + others
    return out
