"""The tolerance family: a recorded duration or word count against the tolerance the body's document sets.

Stated once, here: ``decide`` gives a measure's status against its tolerance (within, outside, unknown where the
limit depends on a measure the record lacks, or no_tolerance_stated where the document states a figure and no
tolerance) and the limits it was checked against; ``tolerance_checks`` explains each (the cited check, for
an explanation), from ``decide``'s answer, one measure at a time by ``check``. The cohort engine decides
nothing from tolerances: a check is shown, and an advice tolerance outside is never a failure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from epa.model.domain import Attempt, Conduct, Record, Ruleset, Tolerance
from epa.model.results import ToleranceCheck
from epa.rules.deadlines import ADVICE_MISSED

if TYPE_CHECKING:
    from epa.engine.plans import Table


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


def _limits(rule: Tolerance, duration: float | None) -> tuple[float | None, float | None]:
    low = high = None
    if rule.nominal is not None and _has_range(rule):
        low = rule.nominal * (1 - (rule.minus_percent or 0) / 100)
        high = rule.nominal * (1 + (rule.plus_percent or 0) / 100)
    if rule.max is not None:
        high = rule.max if high is None else min(high, rule.max)
    if rule.max_percent_of_duration is not None and duration is not None:
        share = duration * rule.max_percent_of_duration / 100
        high = share if high is None else min(high, share)
    return low, high


def _placing(ruleset: Ruleset, method: str) -> Conduct | None:
    """Where the body's document places the questioning of an attempt at ``method`` (its ``conduct`` rule)."""
    return next((c for c in (ruleset.journey.conduct if ruleset.journey else ())
                 if c.aspect == "questioning_in_duration" and c.about == method), None)


def own_duration(ruleset: Ruleset, attempt: Attempt) -> tuple[float | None, str]:
    """The attempt's duration as the body's document counts it, and how it was found ('' where as recorded).

    A record that says whether its duration_minutes counts the questioning (``duration_includes_questioning``)
    is read by each body as its document's ``conduct`` says the questioning sits: inside the duration (the
    questioning added where the record left it out), or after it (taken away where the record counted it). A
    record that does not say, or a body whose document does not, keeps the duration as recorded. None: the
    questioning must be added or taken away and the record gives no questioning_minutes."""
    return _own_duration(_placing(ruleset, attempt.method), attempt)


def _own_duration(rule: Conduct | None, attempt: Attempt) -> tuple[float | None, str]:
    """``own_duration``, ``rule`` the conduct rule placing the questioning at the attempt's method (``_placing``)."""
    recorded, includes = attempt.duration_minutes, attempt.duration_includes_questioning
    place = rule.value if rule else None
    if recorded is None or includes is None or rule is None or place not in ("included", "after_the_observation") \
            or includes is (place == "included"):
        return recorded, ""
    # the reason cites the sentence placing the questioning, not the duration's own (TQUK's § Questioning Session)
    cited = f" ({rule.citation})"
    questioning = attempt.questioning_minutes
    if questioning is None:
        return None, "the document counts the duration " + ("with" if place == "included" else "without") + \
            f" the questioning{cited}, and the record gives no questioning_minutes"
    if place == "included":
        return recorded + questioning, f"{recorded:g} recorded and {questioning:g} of questioning, which the " \
                                       f"document counts inside the duration{cited}"
    return recorded - questioning, f"{recorded:g} recorded less {questioning:g} of questioning, which the " \
                                   f"document counts after the duration{cited}"


# A check's ``ok`` by its status (None: neither within nor outside).
OK = {"within": True, "outside": False, "unknown": None, "no_tolerance_stated": None}


def decide(rule: Tolerance, duration: float | None, value: float) -> tuple[str, float | None, float | None]:
    """The measure's status against the tolerance (see ``ToleranceCheck``), and the low and high limits it was
    checked against (None where the tolerance sets none, or states none). ``duration``: the attempt's duration as
    the body counts it (``own_duration``)."""
    if no_tolerance_stated(rule):
        return "no_tolerance_stated", None, None
    low, high = _limits(rule, duration)
    if rule.max_percent_of_duration is not None and duration is None and high is None:
        return "unknown", low, high  # the only limit is a share of a duration the record does not give
    ok = (low is None or value >= low) and (high is None or value <= high)
    return ("within" if ok else "outside"), low, high


def tolerance_checks(ruleset: Ruleset, record: Record) -> list[ToleranceCheck]:
    """Every recorded measure the ruleset's journey sets a tolerance for, checked and explained."""
    return Checks(ruleset)(record)


def check(ruleset: Ruleset, rule: Tolerance, attempt: Attempt) -> ToleranceCheck | None:
    """The attempt's measure checked against the tolerance and explained; None where the attempt records none."""
    return _check(rule, _placing(ruleset, attempt.method), allowed(rule), attempt)


class Checks:
    """``tolerance_checks`` for one ruleset, each tolerance made ready once (where its method's questioning sits,
    what it allows in words), for a body's compiled explanation (``epa.engine.explaining``) to check records by:
    with a memo (an explanation's plan, ``epa.engine.plans``), what a check finds and says after the attempt's date
    is remembered by all it reads (``reads``)."""

    def __init__(self, ruleset: Ruleset):
        self.rules = tuple((rule, rule.method, rule.measure, _placing(ruleset, rule.method), allowed(rule))
                           for rule in (ruleset.journey.tolerances if ruleset.journey else ()))

    def __call__(self, record: Record, memo: Table | None = None) -> list[ToleranceCheck]:
        # (an attempt that records no such measure is passed over here: most attempts record few)
        return [_measured(rule, placing, allows, attempt, memo) for rule, method, measure, placing, allows in self.rules
                for attempt in record.attempts_at(method) if getattr(attempt, measure) is not None]


def reads(rule: Tolerance, attempt: Attempt) -> tuple[Any, ...]:
    """All a check reads of an attempt but its date (which ``_check`` words apart), as a key to remember what it
    finds by: the measure and the attempt's duration, questioning and whether one includes the other, each as its
    repr. Values that are equal may be written apart (65 and 65.0; 0.0 and -0.0, "0" and "-0"), or read apart
    (True and 1): their reprs differ, and a float's repr is exact."""
    return (id(rule), repr(getattr(attempt, rule.measure)), repr(attempt.duration_minutes),
            repr(attempt.duration_includes_questioning), repr(attempt.questioning_minutes))


def _check(rule: Tolerance, placing: Conduct | None, allows: str, attempt: Attempt, memo: Table | None = None
           ) -> ToleranceCheck | None:
    """``check``, ``placing`` where the questioning sits at the rule's method, ``allows`` ``allowed(rule)``; with
    ``memo``, what it finds remembered by ``reads``."""
    if getattr(attempt, rule.measure) is None:
        return None
    return _measured(rule, placing, allows, attempt, memo)


def _measured(rule: Tolerance, placing: Conduct | None, allows: str, attempt: Attempt, memo: Table | None = None
              ) -> ToleranceCheck:
    """``_check`` of an attempt that records the rule's measure."""
    if memo is None:
        found = _found(rule, placing, allows, attempt)
    else:
        key = reads(rule, attempt)
        found = memo.get(key) or memo.recall(key) or memo.put(key, _found(rule, placing, allows, attempt))
    value, low, high, status, says = found
    return ToleranceCheck(rule.id, rule.method, attempt.date, rule.measure, value, low, high, OK[status],
                          f"{rule.method} on {attempt.date}: {says}", rule.citation, status, rule.strength)


def _found(rule: Tolerance, placing: Conduct | None, allows: str, attempt: Attempt
           ) -> tuple[float, float | None, float | None, str, str]:
    """What a check finds of an attempt that records the measure: the value checked, its limits, the status, and
    what it says after the attempt's method and date."""
    value = getattr(attempt, rule.measure)
    duration, counted = _own_duration(placing, attempt)
    if rule.measure == "duration_minutes":
        if duration is None:
            return value, None, None, "unknown", (
                f"duration minutes {value:g} recorded with the questioning "
                f"{'in' if attempt.duration_includes_questioning else 'out'}; cannot check: {counted}")
        value = duration
    status, low, high = decide(rule, duration, value)
    return value, low, high, status, _says(rule, allows, value, status, low, high, duration, counted)


def _says(rule: Tolerance, allows: str, value: float, status: str, low: float | None, high: float | None,
          duration: float | None, counted: str) -> str:
    """What a check says after the attempt's method and date."""
    measure = rule.measure.replace('_', ' ')
    if status == "no_tolerance_stated":
        diff = value - rule.nominal  # type: ignore[operator]  # (no_tolerance_stated: a nominal is stated)
        off = "as stated" if diff == 0 else f"{abs(diff):g} {'over' if diff > 0 else 'under'}"
        return (f"{measure} {value:g} against the stated {rule.nominal:g} "
                f"({off}); the document states no tolerance, so it is neither within nor outside one")
    verdict = "cannot check (no duration_minutes)" if status == "unknown" else status
    span = f"{low:g}-{high:g}" if low is not None and high is not None else f"up to {high:g}" if high else ""
    how = f" ({counted})" if counted and rule.measure == "duration_minutes" else ""
    says = f"{measure} {value:g}{how}, {verdict} {allows}{f' ({span})' if span else ''}"
    if counted and rule.max_percent_of_duration is not None:
        says += f" (of a duration of {duration:g}: {counted})"
    if status == "outside" and rule.strength == "advice":
        says += ADVICE_MISSED
    return says
