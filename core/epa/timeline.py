"""Deadlines and tolerances: the dates and measures a body's document sets, worked out for one record.

A deadline counts from an anchor date in the record and, where the record
dates the event it governs, says whether it was kept. Nothing is guessed: a
deadline whose anchor the record lacks is listed with what it needs.
"""

from __future__ import annotations

import datetime as dt

from epa.model import JOURNEY_DATES, Attempt, DeadlineRule, Record, Ruleset, Tolerance
from epa.plans import Table
from epa.results import Deadline, ToleranceCheck
from epa.workdays import bank_holidays_between, describe, shift


def first_attempt(record: Record, method: str) -> Attempt | None:
    return next(iter(record.attempts_at(method)), None)


def _method_date(record: Record, method: str) -> dt.date | None:
    attempt = first_attempt(record, method)
    return attempt.date if attempt else record.schedule.get(method)


def anchor_date(record: Record, ruleset: Ruleset, anchor: str) -> tuple[dt.date | None, str]:
    """The record's date for an anchor, and how it was found (for the explanation, or what is needed)."""
    if anchor == "gateway":
        return record.gateway.date, f"gateway on {record.gateway.date}"
    if anchor == "epa_start":
        if record.dates.epa_start:
            return record.dates.epa_start, f"EPA start on {record.dates.epa_start}"
        return record.gateway.date, f"EPA start, taken as the gateway date {record.gateway.date} (no dates.epa_start)"
    if anchor in JOURNEY_DATES:
        day = getattr(record.dates, anchor)
        return day, f"{anchor.replace('_', ' ')} on {day}" if day else f"dates.{anchor}"
    if anchor in ruleset.method_ids:
        day = _method_date(record, anchor)
        return day, f"the {anchor} on {day}" if day else f"a date for the {anchor} (an attempt or schedule.{anchor})"
    dated = {m: _method_date(record, m) for m in ruleset.method_ids}
    if anchor == "first_assessment":
        known = [d for d in dated.values() if d]
        return (min(known), f"the first assessment on {min(known)}") if known else (
            None, "an assessment date (an attempt or schedule)")
    if anchor == "final_assessment":
        if not all(dated.values()):
            return None, "a date for every method (attempts or schedule)"
        last = max([*dated.values(), *(a.date for a in record.assessments)])  # type: ignore[type-var]
        return last, f"the final assessment on {last}"
    raise AssertionError(f"the journey schema allows no anchor {anchor!r}")


def event_dates(record: Record, ruleset: Ruleset, event: str) -> list[dt.date] | None:
    """The record's dates for an event; None while the record does not show it (all of it, for every_method)."""
    if event in JOURNEY_DATES:
        day = getattr(record.dates, event)
        return [day] if day else None
    if event in ruleset.method_ids:
        attempt = first_attempt(record, event)
        return [attempt.date] if attempt else None
    if event == "every_method":
        firsts = [first_attempt(record, m) for m in ruleset.method_ids]
        return [a.date for a in firsts if a] or None
    if event == "results_notified":  # the final assessment's: only once every method has been attempted
        if not record.assessments or not all(first_attempt(record, m) for m in ruleset.method_ids):
            return None
        last = record.assessments[-1]
        return [last.notified] if last.notified else None
    raise AssertionError(f"the journey schema allows no event {event!r}")


# Appended to what a missed advice deadline (or an outside advice tolerance) says: a fact, never a failure.
ADVICE_MISSED = " (advice: the document advises this rather than requiring it; not a failure)"


def evaluate_deadline(rule: DeadlineRule, record: Record, ruleset: Ruleset, memo: Table | None = None
                      ) -> Deadline:
    """The deadline a rule sets for this record. With ``memo`` (an explanation's plan, ``epa.plans``), remembered
    by what the deadline reads of the record: its anchor date, how it was found, and its event's dates."""
    anchor, found = anchor_date(record, ruleset, rule.from_)
    events = event_dates(record, ruleset, rule.event) if rule.event and anchor is not None else None
    if memo is None:
        return _deadline(rule, ruleset, anchor, found, events)
    key = (id(rule), anchor, found, tuple(events) if events else None)
    deadline = memo.get(key)
    if deadline is None:
        deadline = memo.put(key, _deadline(rule, ruleset, anchor, found, events))
    return deadline


def _deadline(rule: DeadlineRule, ruleset: Ruleset, anchor: dt.date | None, found: str, events: list[dt.date] | None
              ) -> Deadline:
    if anchor is None:
        return Deadline(rule.id, rule.name, None, rule.kind, "unknown",
                        f"{rule.name}: {describe(rule.offset)} {rule.from_.replace('_', ' ')}; the record has no date "
                        f"for that", rule.citation, needs=found, strength=rule.strength)
    due = shift(anchor, rule.offset)
    says = f"{rule.name}: {'by' if rule.kind == 'by' else 'not before'} {due} ({describe(rule.offset)} {found})"
    if rule.offset.working_days is not None and (skipped := bank_holidays_between(anchor, due)):
        says += "; skips bank holidays " + ", ".join(f"{name} {day}" for day, name in skipped)
    status = "open"
    if events:
        late = [d for d in events if (d > due if rule.kind == "by" else d < due)]
        complete = rule.event != "every_method" or len(events) == len(ruleset.method_ids)
        status = "missed" if late else "met" if complete else "open"
        says += f"; {rule.event.replace('_', ' ')} on {', '.join(map(str, events))}: {status}"  # type: ignore[union-attr]
        if status == "missed" and rule.strength == "advice":
            says += ADVICE_MISSED
    return Deadline(rule.id, rule.name, due, rule.kind, status, says, rule.citation, strength=rule.strength)


def deadlines(ruleset: Ruleset, record: Record, memo: Table | None = None) -> list[Deadline]:
    if ruleset.journey is None:
        return []
    return [evaluate_deadline(rule, record, ruleset, memo) for rule in ruleset.journey.deadlines]





def _has_range(rule: Tolerance) -> bool:
    return rule.nominal is not None and (rule.minus_percent is not None or rule.plus_percent is not None)


def no_tolerance_stated(rule: Tolerance) -> bool:
    """The document states a figure (nominal) and nothing it may vary by."""
    return rule.nominal is not None and not _has_range(rule) and rule.max is None \
        and rule.max_percent_of_duration is None


def allowed(rule: Tolerance) -> str:
    """What a tolerance allows, as the document puts it: '60 -10% / +10%', 'at most 10', ..."""
    words = []
    if _has_range(rule):
        words.append(f"{rule.nominal:g} -{rule.minus_percent or 0:g}% / +{rule.plus_percent or 0:g}%")
    elif rule.nominal is not None:
        words.append(f"{rule.nominal:g} (no tolerance stated)")
    if rule.max is not None:
        words.append(f"at most {rule.max:g}")
    if rule.max_percent_of_duration is not None:
        words.append(f"at most {rule.max_percent_of_duration:g}% of the duration")
    return " and ".join(words)


def _limits(rule: Tolerance, attempt: Attempt) -> tuple[float | None, float | None]:
    low = high = None
    if rule.nominal is not None and _has_range(rule):
        low = rule.nominal * (1 - (rule.minus_percent or 0) / 100)
        high = rule.nominal * (1 + (rule.plus_percent or 0) / 100)
    if rule.max is not None:
        high = rule.max if high is None else min(high, rule.max)
    if rule.max_percent_of_duration is not None and attempt.duration_minutes is not None:
        share = attempt.duration_minutes * rule.max_percent_of_duration / 100
        high = share if high is None else min(high, share)
    return low, high


def tolerance_checks(ruleset: Ruleset, record: Record) -> list[ToleranceCheck]:
    checks = []
    for rule in ruleset.journey.tolerances if ruleset.journey else ():
        for attempt in record.attempts_at(rule.method):
            value = getattr(attempt, rule.measure)
            if value is None:
                continue
            measure = rule.measure.replace('_', ' ')
            if no_tolerance_stated(rule):
                assert rule.nominal is not None
                diff = value - rule.nominal
                off = "as stated" if diff == 0 else f"{abs(diff):g} {'over' if diff > 0 else 'under'}"
                says = (f"{rule.method} on {attempt.date}: {measure} {value:g} against the stated {rule.nominal:g} "
                        f"({off}); the document states no tolerance, so it is neither within nor outside one")
                checks.append(ToleranceCheck(rule.id, rule.method, attempt.date, rule.measure, value, None, None,
                                             None, says, rule.citation, "no_tolerance_stated", rule.strength))
                continue
            low, high = _limits(rule, attempt)
            needs_duration = rule.max_percent_of_duration is not None and attempt.duration_minutes is None
            ok = None if needs_duration and high is None else (low is None or value >= low) and (
                high is None or value <= high)
            status = {True: "within", False: "outside", None: "unknown"}[ok]
            verdict = {True: "within", False: "outside", None: "cannot check (no duration_minutes)"}[ok]
            span = f"{low:g}-{high:g}" if low is not None and high is not None else f"up to {high:g}" if high else ""
            says = (f"{rule.method} on {attempt.date}: {measure} {value:g}, {verdict} "
                    f"{allowed(rule)}{f' ({span})' if span else ''}")
            if status == "outside" and rule.strength == "advice":
                says += ADVICE_MISSED
            checks.append(ToleranceCheck(rule.id, rule.method, attempt.date, rule.measure, value, low, high, ok,
                                         says, rule.citation, status, rule.strength))
    return checks
