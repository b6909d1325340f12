"""The tolerance family: a recorded duration or word count against the tolerance the body's document sets.

Stated once, here: ``decide`` gives a measure's status against its tolerance (within, outside, unknown where the
limit depends on a measure the record lacks, or no_tolerance_stated where the document states a figure and no
tolerance) and the limits it was checked against; ``tolerance_checks`` explains each (the cited check, for
``grading.grade``), from ``decide``'s answer. The cohort engine decides nothing from tolerances: a check is shown,
and an advice tolerance outside is never a failure.
"""

from __future__ import annotations

import datetime as dt

from attrs import frozen

from epa.families.deadlines import ADVICE_MISSED
from epa.model import Attempt, Record, Ruleset, Tolerance


@frozen
class ToleranceCheck:
    """A recorded duration or word count against the document's tolerance.

    status: within | outside | unknown (the limit depends on a measure the record lacks) |
    no_tolerance_stated (the document states a figure and no tolerance: the value is reported against it,
    neither within nor outside). ``ok`` is true / false / null (the last two statuses). strength: the
    tolerance's, ``required`` or ``advice`` (its sentence advises: 'should'): ``outside`` with ``advice`` is shown as
    advice and counts as a failure nowhere.
    """

    id: str
    method: str
    attempt_date: dt.date
    measure: str
    value: float
    low: float | None
    high: float | None
    ok: bool | None
    says: str
    citation: str
    status: str
    strength: str = "required"  # required | advice: an advice check ``outside`` is reported, never a failure


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


# A check's ``ok`` by its status (None: neither within nor outside).
OK = {"within": True, "outside": False, "unknown": None, "no_tolerance_stated": None}


def decide(rule: Tolerance, attempt: Attempt, value: float) -> tuple[str, float | None, float | None]:
    """The measure's status against the tolerance (see ``ToleranceCheck``), and the low and high limits it was
    checked against (None where the tolerance sets none, or states none)."""
    if no_tolerance_stated(rule):
        return "no_tolerance_stated", None, None
    low, high = _limits(rule, attempt)
    if rule.max_percent_of_duration is not None and attempt.duration_minutes is None and high is None:
        return "unknown", low, high  # the only limit is a share of a duration the record does not give
    ok = (low is None or value >= low) and (high is None or value <= high)
    return ("within" if ok else "outside"), low, high


def tolerance_checks(ruleset: Ruleset, record: Record) -> list[ToleranceCheck]:
    """Every recorded measure the ruleset's journey sets a tolerance for, checked and explained."""
    checks = []
    for rule in ruleset.journey.tolerances if ruleset.journey else ():
        for attempt in record.attempts_at(rule.method):
            value = getattr(attempt, rule.measure)
            if value is None:
                continue
            status, low, high = decide(rule, attempt, value)
            checks.append(ToleranceCheck(rule.id, rule.method, attempt.date, rule.measure, value, low, high, OK[status],
                                         _says(rule, attempt, value, status, low, high), rule.citation, status,
                                         rule.strength))
    return checks


def _says(rule: Tolerance, attempt: Attempt, value: float, status: str, low: float | None, high: float | None
          ) -> str:
    measure = rule.measure.replace('_', ' ')
    if status == "no_tolerance_stated":
        diff = value - rule.nominal  # type: ignore[operator]  # (no_tolerance_stated: a nominal is stated)
        off = "as stated" if diff == 0 else f"{abs(diff):g} {'over' if diff > 0 else 'under'}"
        return (f"{rule.method} on {attempt.date}: {measure} {value:g} against the stated {rule.nominal:g} "
                f"({off}); the document states no tolerance, so it is neither within nor outside one")
    verdict = "cannot check (no duration_minutes)" if status == "unknown" else status
    span = f"{low:g}-{high:g}" if low is not None and high is not None else f"up to {high:g}" if high else ""
    says = (f"{rule.method} on {attempt.date}: {measure} {value:g}, {verdict} "
            f"{allowed(rule)}{f' ({span})' if span else ''}")
    if status == "outside" and rule.strength == "advice":
        says += ADVICE_MISSED
    return says
