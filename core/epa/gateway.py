"""Gateway requirements evaluated against a record: met, unmet, or unknown when the record is silent."""

from __future__ import annotations

from typing import Any

from dateutil.relativedelta import relativedelta

from epa.model import Check, EnglishMaths, GatewayRule, Record, Ruleset
from epa.plans import Table
from epa.results import Deadline, Requirement
from epa.timeline import evaluate_deadline

LEVELS = ("none", "entry3", "level1", "level2", "level3")





def age_at_start(record: Record) -> int | None:
    a = record.apprentice
    return relativedelta(a.start_date, a.date_of_birth).years if a.date_of_birth and a.start_date else None


def age_band(min_age: int | None, max_age: int | None) -> str:
    return f"{min_age}+" if max_age is None else f"up to {max_age}" if min_age is None else f"{min_age}-{max_age}"


def _english_maths(rule: EnglishMaths, record: Record) -> tuple[str, str]:
    a = record.apprentice
    if rule.min_age is not None or rule.max_age is not None:
        band = age_band(rule.min_age, rule.max_age)
        age = age_at_start(record)
        if age is None:
            return "unknown", f"applies to apprentices aged {band} at the start: the record needs " \
                              "apprentice.date_of_birth and apprentice.start_date"
        if (rule.min_age is not None and age < rule.min_age) or (rule.max_age is not None and age > rule.max_age):
            return "not_applicable", f"applies to apprentices aged {band} at the start; this one was {age}"
    needed = rule.ehcp_level if a.ehcp and rule.ehcp_level else rule.level
    why = " (education, health and care plan)" if needed != rule.level else ""
    found, short, missing = [], [], []
    for subject in rule.subjects:
        held = getattr(a, subject)
        name = subject
        if subject == "english" and a.bsl:
            # The record's english level is then the BSL qualification's: an alternative to English
            # qualifications only where the document says so.
            if not rule.bsl_for_english:
                missing.append("an English qualification (this document makes no BSL alternative)")
                continue
            name = "English (British Sign Language)"
        if held is None:
            missing.append(f"apprentice.{subject}")
        elif LEVELS.index(held) < LEVELS.index(needed):
            short.append(f"{name} {held}")
        else:
            found.append(f"{name} {held}")
    need = f"{needed} needed{why}"
    if short:
        return "unmet", f"{', '.join(short)}: below {need}"
    if missing:
        return "unknown", f"{need}; the record does not give {', '.join(missing)}"
    return "met", f"{', '.join(found)}: {need}"


def _status(check: Check | None, record: Record, ruleset: Ruleset, deadlines: Table | None = None
            ) -> tuple[str, str]:
    g, a = record.gateway, record.apprentice
    if check is None:
        return "unknown", "the record cannot show this"
    if check.english_maths:
        return _english_maths(check.english_maths, record)
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
        span = relativedelta(g.date, a.start_date)
        months, need = span.years * 12 + span.months, check.months_on_programme.min  # type: ignore[union-attr]
        return ("met" if months >= need else "unmet"), f"{months} whole months from start {a.start_date} to " \
                                                       f"gateway {g.date}: at least {need} needed"
    if check.count:
        c = check.count
        value = getattr(g, c.field)
        bounds = " to ".join(str(b) for b in (c.min, c.max) if b is not None)
        bounds = bounds if c.min is not None and c.max is not None else (
            f"at least {c.min}" if c.min is not None else f"at most {c.max}")
        if value is None:
            return "unknown", f"{bounds} needed; the record does not give gateway.{c.field}"
        ok = (c.min is None or value >= c.min) and (c.max is None or value <= c.max)
        return ("met" if ok else "unmet"), f"{c.field.replace('_', ' ')} {value}: {bounds} needed"
    if check.provided:
        value = getattr(g, check.provided.field)
        if value is None:
            return "unknown", f"the record does not give gateway.{check.provided.field}"
        return ("met", "provided") if value else ("unmet", "not provided")
    deadline = _checked(check, record, ruleset, deadlines)
    status = {"met": "met", "missed": "unmet"}.get(deadline.status, "unknown")
    return status, deadline.says


def _reads(check: Check | None, record: Record, ruleset: Ruleset, deadlines: Table | None
           ) -> tuple[Any, ...] | None:
    """What ``_status`` reads of the record for this check, as a key to remember the requirement by (numbers with
    their types, which are written differently); for a deadline's check, what its deadline (remembered) says.
    None for a check that reads the record's dates (English and maths by age, days or months on programme): its
    answer names them, so it seldom repeats and is not remembered."""
    g, a = record.gateway, record.apprentice
    if check is None:
        return ()
    if check.english_maths or check.days_on_programme or check.months_on_programme:
        return None
    if check.deferred:
        return a.english, a.maths
    if check.count or check.provided:
        value = getattr(g, check.count.field if check.count else check.provided.field)  # type: ignore[union-attr]
        return type(value), value
    deadline = _checked(check, record, ruleset, deadlines)
    return deadline.status, deadline.says


def _checked(check: Check, record: Record, ruleset: Ruleset, deadlines: Table | None) -> Deadline:
    """The deadline a gateway check reads."""
    assert check.deadline and ruleset.journey, "the schema allows exactly these checks"
    rule = ruleset.journey.deadline(check.deadline.id)
    assert rule is not None, "load_journey checks deadline ids"
    return evaluate_deadline(rule, record, ruleset, deadlines)


def requirement(rule: GatewayRule, record: Record, ruleset: Ruleset, memo: Table | None = None,
                deadlines: Table | None = None) -> Requirement:
    """One gateway requirement evaluated against the record. With ``memo`` (an explanation's plan,
    ``epa.plans``), remembered by what its check reads of the record (``_reads``); ``deadlines`` remembers a
    deadline's."""
    if memo is None or (reads := _reads(rule.check, record, ruleset, deadlines)) is None:
        return _requirement(rule, record, ruleset, deadlines)
    key = (id(rule), reads)
    found = memo.get(key)
    return found if found is not None else memo.put(key, _requirement(rule, record, ruleset, deadlines))


def _requirement(rule: GatewayRule, record: Record, ruleset: Ruleset, deadlines: Table | None) -> Requirement:
    status, says = _status(rule.check, record, ruleset, deadlines)
    if rule.stage == "before_assessment":
        says = f"checked before an assessment starts, not at gateway: {says}"
    strength = rule.strength
    deadline = ruleset.journey.deadline(rule.check.deadline.id) if rule.check and rule.check.deadline \
        and ruleset.journey else None
    if deadline and deadline.strength == "advice" and strength == "mandatory":
        # Checked against advice: a missed advice deadline is never a failure, so it cannot block gateway
        # (load_journey rejects such a file; this guards rules built in code).
        strength = "recommended"
    return Requirement(rule.id, rule.name, strength == "mandatory", status, says, rule.citation, strength, rule.stage)


def requirements(ruleset: Ruleset, record: Record, memo: Table | None = None, deadlines: Table | None = None
                 ) -> list[Requirement]:
    return [requirement(rule, record, ruleset, memo, deadlines) for rule in ruleset.journey.gateway] \
        if ruleset.journey else []
