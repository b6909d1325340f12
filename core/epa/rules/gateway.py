"""The gateway family: each gateway requirement checked against a record (met, unmet, or unknown when the record is
silent), and whether the apprentice is ready.

Stated once, here, for both paths. Each kind of check (English and maths, days or months on programme, a count,
a field provided, a deadline kept) is explained by ``status`` (the cited requirement, for an explanation and the
default ``gateway_requirements`` hook) and decided by ``unmet`` (the cohort engine's predicate, or for the simpler
checks a Python expression ``epa.engine.graders`` writes into its text), the two side by side and reading the same
pieces: the levels below the one needed (``below``), the age band (``in_band``), the age and months counted as
``epa.rules.workdays`` counts them. Which requirements can keep an apprentice from gateway is ``blocks``, read by
``gateway_status`` and by the engine alike.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from typing import Any

from epa.engine.plans import Table
from epa.model.domain import Check, DeadlineRule, EnglishMaths, GatewayRule, Journey, Record, Ruleset
from epa.model.results import Deadline, GatewayStatus, Requirement
from epa.rules import deadlines as deadline_family
from epa.rules.workdays import whole_months, whole_years

LEVELS = ("none", "entry3", "level1", "level2", "level3")


def blocks(strength: str, stage: str) -> bool:
    """Whether a requirement of this strength and stage, unmet, keeps the apprentice from gateway: a mandatory one
    checked at gateway (not a recommendation, an optional item, or one checked before an assessment starts)."""
    return strength == "mandatory" and stage == "gateway"


def gateway_status(requirements: list[Requirement]) -> GatewayStatus:
    """The record's gateway status from its requirements: ready unless one that ``blocks`` is unmet. The unmet
    that do not block are listed by why: a recommendation, an optional item, or a mandatory one checked before an
    assessment starts (each list in the requirements' order)."""
    blocking: list[str] = []
    unknown: list[str] = []
    recommended: list[str] = []
    optional: list[str] = []
    before_assessment: list[str] = []
    for r in requirements:
        if r.status == "unmet":
            if blocks(r.strength, r.stage):
                blocking.append(r.id)
            elif r.strength == "recommended":
                recommended.append(r.id)
            elif r.strength == "optional":
                optional.append(r.id)
            elif r.strength == "mandatory" and r.stage == "before_assessment":
                before_assessment.append(r.id)
        elif r.status in ("unknown", "deferred"):
            unknown.append(r.id)
    return GatewayStatus(not blocking, tuple(blocking), tuple(unknown), tuple(recommended), tuple(requirements),
                         optional_unmet=tuple(optional), before_assessment_unmet=tuple(before_assessment))


def strength(rule: GatewayRule, journey: Journey | None) -> str:
    """The requirement's strength as checked: the rule's, except that a mandatory check against an advice deadline
    is a recommendation (a missed advice deadline is never a failure, so it cannot block gateway; load_journey
    rejects such a file, and this guards rules built in code)."""
    deadline = journey.deadline(rule.check.deadline.id) if rule.check and rule.check.deadline and journey else None
    if deadline and deadline.strength == "advice" and rule.strength == "mandatory":
        return "recommended"
    return rule.strength


# --- English and maths ---------------------------------------------------------------------------------------

def age_at_start(record: Record) -> int | None:
    a = record.apprentice
    return whole_years(a.start_date, a.date_of_birth) if a.date_of_birth and a.start_date else None


# A 29 February birthday in a year without one is counted on 28 February (whole_years counts as dateutil does):
# some count it on 1 March, and no document here says which, so where it can decide an age band it is said.
LEAP_DAY_READING = ("born 29 February, counted a year older on 28 February, the tool's reading: the document does "
                    "not say which day such a birthday falls on in a year without one")


def leap_day_start(record: Record) -> bool:
    """Whether the age at the start turns on the reading above: born 29 February, started on 28 February of a year
    without one (counted from 1 March, the apprentice would be a year younger)."""
    born, start = record.apprentice.date_of_birth, record.apprentice.start_date
    if not (born and start and (born.month, born.day) == (2, 29) and (start.month, start.day) == (2, 28)):
        return False
    y = start.year  # (the Gregorian rule written out: a warm start imports no calendar module, test_startup.py)
    return y % 4 != 0 or (y % 100 == 0 and y % 400 != 0)


def age_band(min_age: int | None, max_age: int | None) -> str:
    return f"{min_age}+" if max_age is None else f"up to {max_age}" if min_age is None else f"{min_age}-{max_age}"


def in_band(rule: EnglishMaths, age: int) -> bool:
    """Whether the rule applies to an apprentice of this age at the start (its band's ends included)."""
    return (rule.min_age is None or age >= rule.min_age) and (rule.max_age is None or age <= rule.max_age)


def needed(rule: EnglishMaths, ehcp: bool) -> str:
    """The level needed: with an education, health and care plan, the lower level the document sets, if any."""
    return rule.ehcp_level if ehcp and rule.ehcp_level else rule.level


def below(level: str) -> tuple[str, ...]:
    """The levels that fall short of ``level``."""
    return LEVELS[:LEVELS.index(level)]


def english_maths(rule: EnglishMaths, record: Record) -> tuple[str, str]:
    """The English and maths check explained: its status and what it says. One subject missing is unknown unless
    another is short; with British Sign Language, the English level held is the BSL qualification's, which counts
    only where the document makes it an alternative."""
    if rule.min_age is not None or rule.max_age is not None:
        band = age_band(rule.min_age, rule.max_age)
        age = age_at_start(record)
        if age is None:
            return "unknown", f"applies to apprentices aged {band} at the start: the record needs " \
                              "apprentice.date_of_birth and apprentice.start_date"
        leap = f" (aged {age} at the start: {LEAP_DAY_READING})" if leap_day_start(record) else ""
        if not in_band(rule, age):
            return "not_applicable", f"applies to apprentices aged {band} at the start; this one was {age}" + (
                f" ({LEAP_DAY_READING})" if leap else "")
        status, says = _english_maths_held(rule, record)
        return status, says + leap
    return _english_maths_held(rule, record)


def _english_maths_held(rule: EnglishMaths, record: Record) -> tuple[str, str]:
    a = record.apprentice
    level = needed(rule, a.ehcp)
    short_of = below(level)
    why = " (education, health and care plan)" if level != rule.level else ""
    found, short, missing = [], [], []
    for subject in rule.subjects:
        held = getattr(a, subject)
        name = subject
        if subject == "english" and a.bsl:
            if not rule.bsl_for_english:
                missing.append("an English qualification (this document makes no BSL alternative)")
                continue
            name = "English (British Sign Language)"
        if held is None:
            missing.append(f"apprentice.{subject}")
        elif held in short_of:
            short.append(f"{name} {held}")
        else:
            found.append(f"{name} {held}")
    need = f"{level} needed{why}"
    if short:
        return "unmet", f"{', '.join(short)}: below {need}"
    if missing:
        return "unknown", f"{need}; the record does not give {', '.join(missing)}"
    return "met", f"{', '.join(found)}: {need}"


def english_maths_unmet(check: Check) -> str:
    """The English and maths check decided, as an expression over ``record`` true where ``english_maths`` says
    "unmet": a subject's level held is among those ``below`` the level ``needed`` (British Sign Language standing
    in for English only where the document allows it), and, where the check has an age band, the age at the start
    is known and ``in_band``."""
    em = check.english_maths
    if em is None:
        raise ValueError("not an English and maths check")
    short, short_with_ehcp = below(needed(em, False)), below(needed(em, True))
    short_of = (repr(short) if short == short_with_ehcp else
                f"({short_with_ehcp!r} if record.apprentice.ehcp else {short!r})")
    if not set(em.subjects) <= {"english", "maths"}:  # each is written into code below: a real check, not an assert
        raise ValueError(f"English and maths subjects {em.subjects!r}: the journey schema allows english, maths")
    subjects = [f"record.apprentice.{subject} in {short_of}" + (" and not record.apprentice.bsl" if
                                                                subject == "english" and not em.bsl_for_english
                                                                else "")
                for subject in em.subjects]
    unmet = "(" + " or ".join(f"({subject})" for subject in subjects) + ")" if subjects else "False"
    if em.min_age is None and em.max_age is None:
        return unmet
    age = "WHOLE_YEARS(start, born)"  # age_at_start, in a chained comparison worked out once
    band = " <= ".join([*([str(int(em.min_age))] if em.min_age is not None else []), age,
                        *([str(int(em.max_age))] if em.max_age is not None else [])])
    return (f"{unmet} and (born := record.apprentice.date_of_birth) is not None and "
            f"(start := record.apprentice.start_date) is not None and {band}")


# --- every check: explained ----------------------------------------------------------------------------------

def _count_bounds(low: int | None, high: int | None) -> str:
    bounds = " to ".join(str(b) for b in (low, high) if b is not None)
    return bounds if low is not None and high is not None else (
        f"at least {low}" if low is not None else f"at most {high}")


def status(check: Check | None, record: Record, ruleset: Ruleset, deadlines: Table | None = None,
           dates: deadline_family.RecordDates | None = None) -> tuple[str, str]:
    """A check's status against the record (met, unmet, unknown, deferred, not_applicable) and what it says.
    ``dates``: the record's dates as read for the ruleset already (``deadline_family.RecordDates``)."""
    g, a = record.gateway, record.apprentice
    if check is None:
        return "unknown", "the record cannot show this"
    if check.english_maths:
        return english_maths(check.english_maths, record)
    if check.deferred:
        held = f"english {a.english or 'not given'}, maths {a.maths or 'not given'}"
        return "deferred", f"the document defers this to {check.deferred.to}; the record shows {held}"
    if check.days_on_programme or check.months_on_programme:
        if a.start_date is None:
            return "unknown", "the record needs apprentice.start_date"
        if check.days_on_programme:
            days, need = (g.date - a.start_date).days, check.days_on_programme.min
            return ("met" if days >= need else "unmet"), f"{days} days from start {a.start_date} to gateway " \
                                                         f"{g.date}: at least {need} needed"
        months, need = whole_months(g.date, a.start_date), check.months_on_programme.min  # type: ignore[union-attr]
        return ("met" if months >= need else "unmet"), f"{months} whole months from start {a.start_date} to " \
                                                       f"gateway {g.date}: at least {need} needed"
    if check.count:
        c = check.count
        value = getattr(g, c.field)
        bounds = _count_bounds(c.min, c.max)
        if value is None:
            return "unknown", f"{bounds} needed; the record does not give gateway.{c.field}"
        ok = (c.min is None or value >= c.min) and (c.max is None or value <= c.max)
        return ("met" if ok else "unmet"), f"{c.field.replace('_', ' ')} {value}: {bounds} needed"
    if check.provided:
        value = getattr(g, check.provided.field)
        if value is None:
            return "unknown", f"the record does not give gateway.{check.provided.field}"
        return ("met", "provided") if value else ("unmet", "not provided")
    deadline = _checked(check, record, ruleset, deadlines, dates)
    found = {"met": "met", "missed": "unmet"}.get(deadline.status, "unknown")
    return found, deadline.says


Read = Callable[[Record, "Table | None", "deadline_family.RecordDates | None"], tuple[Any, ...]]


def reader(check: Check | None, ruleset: Ruleset) -> Read:
    """What ``status`` reads of the record for this check, as a function of the record (with a deadline's memo
    and the record's dates as read, for a deadline's check) giving a key to remember the requirement by: numbers
    with their types, which are written differently; for a deadline's check, what its deadline (remembered) says;
    for English and maths, the levels held, the plan and BSL flags, and where the check has an age band the age at
    the start (all ``english_maths`` reads); for days or months on programme, the start and gateway dates. Made
    once per check by a compiled explanation (``epa.engine.explaining``), so that which kind of check it is is not
    asked per record."""
    if check is None:
        return lambda record, deadlines, dates: ()
    if check.english_maths:
        em = check.english_maths
        banded = em.min_age is not None or em.max_age is not None

        def english_maths_read(record: Record, deadlines: Table | None, dates: Any) -> tuple[Any, ...]:
            a = record.apprentice
            return (age_at_start(record), leap_day_start(record)) if banded else None, a.english, a.maths, a.ehcp, \
                a.bsl
        return english_maths_read
    # (the kinds asked in ``status``'s order: a check built in code with two kinds is read as status reads it)
    if check.deferred:
        return lambda record, deadlines, dates: (record.apprentice.english, record.apprentice.maths)
    if check.days_on_programme or check.months_on_programme:
        return lambda record, deadlines, dates: (record.apprentice.start_date, record.gateway.date)
    if check.count or check.provided:
        field = check.count.field if check.count else check.provided.field  # type: ignore[union-attr]

        def value_read(record: Record, deadlines: Table | None, dates: Any) -> tuple[Any, ...]:
            value = getattr(record.gateway, field)
            return type(value), value
        return value_read
    rule = _deadline_rule(check, ruleset)

    def deadline_read(record: Record, deadlines: Table | None, dates: Any) -> tuple[Any, ...]:
        deadline = deadline_family.evaluate_deadline(rule, record, ruleset, deadlines, dates)
        return deadline.status, deadline.says
    return deadline_read


def reads(check: Check | None, record: Record, ruleset: Ruleset, deadlines: Table | None,
          dates: deadline_family.RecordDates | None = None) -> tuple[Any, ...]:
    """``reader``'s key for this check and record."""
    return reader(check, ruleset)(record, deadlines, dates)


def _deadline_rule(check: Check, ruleset: Ruleset) -> DeadlineRule:
    """The deadline rule a gateway check reads (the schema allows exactly these checks; load_journey checks ids)."""
    rule = ruleset.journey.deadline(check.deadline.id) if check.deadline and ruleset.journey else None
    if rule is None:
        raise ValueError(f"gateway check {check!r}: not a deadline's, or naming no deadline of the ruleset")
    return rule


def _checked(check: Check, record: Record, ruleset: Ruleset, deadlines: Table | None,
             dates: deadline_family.RecordDates | None) -> Deadline:
    """The deadline a gateway check reads."""
    return deadline_family.evaluate_deadline(_deadline_rule(check, ruleset), record, ruleset, deadlines, dates)


def requirement(rule: GatewayRule, record: Record, ruleset: Ruleset, memo: Table | None = None,
                deadlines: Table | None = None, dates: deadline_family.RecordDates | None = None) -> Requirement:
    """One gateway requirement evaluated against the record. With ``memo`` (an explanation's plan,
    ``epa.engine.plans``), remembered by what its check reads of the record (``reads``); ``deadlines`` remembers a
    deadline's; ``dates``: the record's dates as read for the ruleset already."""
    if memo is None:
        return _requirement(rule, record, ruleset, deadlines, dates)
    key = (id(rule), reads(rule.check, record, ruleset, deadlines, dates))
    found = memo.get(key)
    return found if found is not None else memo.put(key, _requirement(rule, record, ruleset, deadlines, dates))


class Requirements:
    """The default ``gateway_requirements`` for one ruleset, compiled for a body's explanation: each rule with its
    check's ``reader``, so that a record's requirements are remembered by what each reads (as ``requirement``
    remembers one)."""

    def __init__(self, ruleset: Ruleset):
        self.ruleset = ruleset
        # each rule, with its key where its check reads nothing of the record (else None), its id and ``reader``
        self.rules = tuple((rule, (id(rule), ()) if rule.check is None else None, id(rule), reader(rule.check, ruleset))
                           for rule in (ruleset.journey.gateway if ruleset.journey else ()))

    def __call__(self, record: Record, memo: Table, deadlines: Table | None,
                 dates: deadline_family.RecordDates) -> list[Requirement]:
        ruleset, found = self.ruleset, []
        for rule, fixed, rule_id, read in self.rules:
            key = fixed or (rule_id, read(record, deadlines, dates))
            requirement = memo.get(key) or memo.recall(key)
            if requirement is None:
                requirement = memo.put(key, _requirement(rule, record, ruleset, deadlines, dates))
            found.append(requirement)
        return found


def _requirement(rule: GatewayRule, record: Record, ruleset: Ruleset, deadlines: Table | None,
                 dates: deadline_family.RecordDates | None) -> Requirement:
    found, says = status(rule.check, record, ruleset, deadlines, dates)
    if rule.stage == "before_assessment":
        says = f"checked before an assessment starts, not at gateway: {says}"
    checked = strength(rule, ruleset.journey)
    return Requirement(rule.id, rule.name, checked == "mandatory", found, says, rule.citation, checked, rule.stage)


def requirements(ruleset: Ruleset, record: Record, memo: Table | None = None, deadlines: Table | None = None,
                 dates: deadline_family.RecordDates | None = None) -> list[Requirement]:
    """Every gateway requirement of the ruleset's journey for the record (the default hook's answer)."""
    if ruleset.journey is None:
        return []
    dates = dates or deadline_family.RecordDates(record, ruleset.method_ids)
    return [requirement(rule, record, ruleset, memo, deadlines, dates) for rule in ruleset.journey.gateway]


# --- every check: decided (the cohort engine) ----------------------------------------------------------------

Unmet = Callable[[Record], bool]


def unmet(check: Check | None, ruleset: Ruleset, due: deadline_family.Due = deadline_family.shifting
          ) -> Unmet | str | None:
    """A predicate true when the record shows the check unmet (``status`` says "unmet"), or for the simpler checks
    the same written as a Python expression over ``record`` (for ``epa.engine.graders`` to write out;
    ``graders.predicate`` evaluates one alone), or None when it can never be unmet (no check, or a deferred one).
    ``due``: as ``deadline_family.missed`` takes it. (A ``provided`` check is read with the others of its ruleset:
    ``checks``.)"""
    if check is None or check.deferred:
        return None
    if check.english_maths:
        return english_maths_unmet(check)
    if check.days_on_programme:
        return (f"(start := record.apprentice.start_date) is not None and "
                f"(record.gateway.date - start).days < {int(check.days_on_programme.min)}")
    if check.months_on_programme:
        fewest = check.months_on_programme.min
        return lambda r: r.apprentice.start_date is not None and whole_months(
            r.gateway.date, r.apprentice.start_date) < fewest
    if check.count:
        field, low, high = check.count.field, check.count.min, check.count.max
        if not field.isidentifier():  # written into code below: a real check, not an assert
            raise ValueError(f"gateway count field {field!r}: the journey schema names the record's count fields")
        outside = " or ".join([*([f"value < {int(low)}"] if low is not None else []),
                               *([f"value > {int(high)}"] if high is not None else [])]) or "False"
        return f"(value := record.gateway.{field}) is not None and ({outside})"
    return deadline_family.missed(_deadline_rule(check, ruleset), ruleset, due)


def checks(ruleset: Ruleset, due: deadline_family.Due = deadline_family.shifting
           ) -> tuple[Callable[[Any], tuple[Any, ...]] | None, Sequence[Unmet | str]]:
    """The ruleset's requirements that can keep an apprentice from gateway (``blocks``), decided: a getter of the
    gateway fields the record must not show False (not provided), read in one call, and a predicate (or
    expression, see ``unmet``) for each other check, true when the record shows it unmet."""
    journey = ruleset.journey
    provided: list[str] = []
    blocking: list[tuple[int, Unmet | str]] = []
    for rule in journey.gateway if journey else ():
        if not blocks(strength(rule, journey), rule.stage):
            continue
        if rule.check and rule.check.provided and not rule.check.deferred:
            provided.append(rule.check.provided.field)
        elif (found := unmet(rule.check, ruleset, due)) is not None:
            blocking.append((2 if rule.check and rule.check.english_maths else
                             1 if rule.check and rule.check.deadline else 0, found))
    # With the date first, the getter gives a tuple however few fields there are, and a date is never False.
    getter = operator.attrgetter("date", *provided) if provided else None
    # Readiness needs every check to hold, in any order: the cheapest are asked first (an age, or a deadline's
    # dates, is worked out only for a record the others let through).
    return getter, [found for _, found in sorted(blocking, key=lambda ranked: ranked[0])]
