"""The deadline family: the dates a body's document sets, counted from the record's dates, and whether each was kept.

A deadline counts from an anchor date in the record and, where the record dates the event it governs, says
whether it was kept: for a ``by`` deadline an event after the due date is late, for a ``not_before`` one an event
before it (``LATE``). Nothing is guessed: a deadline whose anchor the record lacks is listed with what it needs.

Stated once, here, for both paths: ``evaluate_deadline`` explains a deadline (the cited sentence, for
an explanation and the default ``deadlines`` hook); ``missed`` decides, for the cohort engine, whether a record
shows it missed, reading the same anchor and event dates and asking the same ``LATE``.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable

from epa.engine.plans import Table
from epa.model.domain import JOURNEY_DATES, NONE_STATED, Attempt, Consequence, DeadlineRule, Offset, Record, Ruleset
from epa.model.results import Deadline
from epa.rules.workdays import bank_holidays_between, describe, shift

# Whether an event on a date is late against the due date, by the deadline's kind: after it for ``by``, before it
# for ``not_before``.
LATE: dict[str, Callable[[dt.date, dt.date], bool]] = {"by": operator.gt, "not_before": operator.lt}

# Appended to what a missed advice deadline (or an outside advice tolerance) says: a fact, never a failure.
ADVICE_MISSED = " (advice: the document advises this rather than requiring it; not a failure)"

# Beside the date a deadline or resit window counts from where the document states none (``from_reading``): the
# date is the tool's reading, and an explanation that named it alone would put the reading in the document's mouth.
# Every output says it in these words (``from_reading``): the timeline, ``epa plugins``, ``epa consistency``.
NO_START_STATED = "the document does not say which date this counts from"
FROM_READING = f", the tool's reading: {NO_START_STATED}"


def from_reading(rule: object) -> str:
    """``FROM_READING`` for a deadline or resit window whose date to count from is the tool's reading, else ''."""
    return FROM_READING if getattr(rule, "from_reading", False) else ""


# Where a rework period or resit window counts from a fail's notification and the record dates none, the fail's own
# date stands for it (the record schema's default, assessments[].notified): the tool's reading, said as one.
NOT_NOTIFIED = "the record dates no notification of the fail, so the fail's own date stands for it"


def fail_reading(rule: object, notified: bool) -> str:
    """What follows the fail a period counts from: ``from_reading``'s words, and where the record dates no
    notification of the fail (``notified`` false), ``NOT_NOTIFIED``, both under one "the tool's reading"."""
    stated = from_reading(rule)
    if notified:
        return stated
    return f"{stated}, and {NOT_NOTIFIED}" if stated else f", the tool's reading: {NOT_NOTIFIED}"

# Appended to what a missed required deadline says whose document states no consequence (``NONE_STATED``).
NO_CONSEQUENCE = " (the document states no consequence for missing it)"


def consequence_words(rule: DeadlineRule) -> str:
    """What a missed deadline adds to what it says: advice's words for an advice one; for a required one, the
    consequence its document states (with that sentence's citation where it is not the deadline's), that it
    states none, or, where the plugin does not say (None), nothing."""
    if rule.strength == "advice":
        return ADVICE_MISSED
    consequence = rule.consequence
    if not isinstance(consequence, Consequence):  # NONE_STATED claims none; anything else (None) claims nothing
        return NO_CONSEQUENCE if consequence == NONE_STATED else ""
    where = "" if consequence.citation == rule.citation else f", {consequence.citation}"
    return f" ({consequence_clause(consequence)}{where})"


def consequence_clause(consequence: Consequence, of: str = "") -> str:
    """What follows a miss (``of``: ' a miss' where the words stand beside a date, not after a missed one), in
    the document's words, or, where applying them to a miss is the tool's reading, said so with its sentence."""
    if consequence.reading:
        return f"what follows{of}, the tool's reading: {consequence.says}, as the document states “{consequence.text}”"
    return f"the document states what follows{of}: {consequence.says}"


# An event's words where its id's alone would say more than it reads: every_method is each method's first attempt
# (a resit or retake is governed by the resit rules, each body recording that reading as an ambiguity).
EVENT_WORDS = {"every_method": "each method's first attempt"}


def first_attempt(record: Record, method: str) -> Attempt | None:
    attempts = record.attempts_at(method)
    return attempts[0] if attempts else None


def _method_date(record: Record, method: str) -> dt.date | None:
    attempts = record.attempts_at(method)
    return attempts[0].date if attempts else record.schedule.get(method)


def anchor_read(record: Record, ruleset: Ruleset, anchor: str) -> tuple[dt.date | None, bool]:
    """The record's date for an anchor, and whether it was taken from another (an EPA start the record does not
    give, taken as the gateway date): all ``anchor_words`` needs to say how it was found."""
    return _anchor_read(record, ruleset.method_ids, anchor)


def _anchor_read(record: Record, method_ids: tuple[str, ...], anchor: str) -> tuple[dt.date | None, bool]:
    """``anchor_read``, which reads of the ruleset its method ids alone."""
    if anchor == "gateway":
        return record.gateway.date, False
    if anchor == "epa_start":
        return (record.dates.epa_start, False) if record.dates.epa_start else (record.gateway.date, True)
    if anchor in JOURNEY_DATES:
        return getattr(record.dates, anchor) or None, False
    if anchor in method_ids:
        return _method_date(record, anchor), False
    dated = {m: _method_date(record, m) for m in method_ids}
    if anchor == "first_assessment":
        known = [d for d in dated.values() if d]
        return (min(known) if known else None), False
    if anchor == "final_assessment":
        if not all(dated.values()):
            return None, False
        return max([*dated.values(), *(a.date for a in record.assessments)]), False  # type: ignore[type-var]
    raise AssertionError(f"the journey schema allows no anchor {anchor!r}")


def anchor_words(anchor: str, day: dt.date | None, taken: bool) -> str:
    """How an anchor's date was found (for the explanation), or, without one, what is needed."""
    if anchor == "gateway":
        return f"gateway on {day}"
    if anchor == "epa_start":
        return f"EPA start, taken as the gateway date {day} (no dates.epa_start)" if taken else f"EPA start on {day}"
    if anchor in JOURNEY_DATES:
        return f"{anchor.replace('_', ' ')} on {day}" if day else f"dates.{anchor}"
    if anchor == "first_assessment":
        return f"the first assessment on {day}" if day else "an assessment date (an attempt or schedule)"
    if anchor == "final_assessment":
        return f"the final assessment on {day}" if day else "a date for every method (attempts or schedule)"
    return f"the {anchor} on {day}" if day else f"a date for the {anchor} (an attempt or schedule.{anchor})"


def event_dates(record: Record, ruleset: Ruleset, event: str) -> list[dt.date] | None:
    """The record's dates for an event; None while the record does not show it (all of it, for every_method)."""
    return _event_dates(record, ruleset.method_ids, event)


def _event_dates(record: Record, method_ids: tuple[str, ...], event: str) -> list[dt.date] | None:
    """``event_dates``, which reads of the ruleset its method ids alone."""
    if event in JOURNEY_DATES:
        day = getattr(record.dates, event)
        return [day] if day else None
    if event in method_ids:
        attempt = first_attempt(record, event)
        return [attempt.date] if attempt else None
    if event == "every_method":  # in date order, as they are listed: the methods' order says nothing of when
        firsts = [first_attempt(record, m) for m in method_ids]
        return sorted(a.date for a in firsts if a) or None
    if event == "results_notified":  # the final assessment's: only once every method has been attempted
        if not record.assessments or not all(first_attempt(record, m) for m in method_ids):
            return None
        last = record.assessments[-1]
        return [last.notified] if last.notified else None
    raise AssertionError(f"the journey schema allows no event {event!r}")


# --- explaining ---------------------------------------------------------------------------------------------

class RecordDates:
    """What the deadline family reads of one record for rulesets of these methods, each read once however many
    deadlines, gateway checks and bodies ask: each anchor's date and whether it was taken from another
    (``anchor_read``), each event's dates (``event_dates``, as a tuple, None while the record does not show the
    event), and each deadline worked out for the record (``deadline_for``, by its rule). All of them read of a
    ruleset its method ids alone: so bodies whose rulesets have the same method ids, in the same order, may share
    one record's (``epa.engine.explaining`` does)."""

    __slots__ = ("record", "method_ids", "anchors", "events_read", "found")

    def __init__(self, record: Record, method_ids: tuple[str, ...]):
        self.record, self.method_ids = record, method_ids
        self.anchors: dict[str, tuple[dt.date | None, bool]] = {}
        self.events_read: dict[str, tuple[dt.date, ...] | None] = {}
        # id() of a deadline rule -> its deadline for the record (the rule is held by its ruleset while the record
        # is explained, so its id is its own)
        self.found: dict[int, Deadline] = {}

    def anchor(self, name: str) -> tuple[dt.date | None, bool]:
        """``anchor_read``'s answer (``anchor_words`` says how it was found)."""
        found = self.anchors.get(name)
        if found is None:
            found = self.anchors[name] = _anchor_read(self.record, self.method_ids, name)
        return found

    def events(self, name: str) -> tuple[dt.date, ...] | None:
        if name in self.events_read:
            return self.events_read[name]
        found = _event_dates(self.record, self.method_ids, name)
        events = self.events_read[name] = tuple(found) if found else None
        return events


def evaluate_deadline(rule: DeadlineRule, record: Record, ruleset: Ruleset, memo: Table | None = None,
                      dates: RecordDates | None = None) -> Deadline:
    """The deadline a rule sets for this record. With ``memo`` (an explanation's plan, ``epa.engine.plans``), remembered
    by what the deadline reads of the record: its anchor date, whether it was taken from another, and its event's
    dates (how the anchor date was found is worded from these, ``anchor_words``, only when worked out). ``dates``:
    the record's dates as read for the ruleset already (by another deadline or gateway check)."""
    return deadline_for(rule, dates or RecordDates(record, ruleset.method_ids), memo)


def deadline_for(rule: DeadlineRule, dates: RecordDates, memo: Table | None = None) -> Deadline:
    """``evaluate_deadline`` from the record's dates as read for the ruleset: worked out once per record (then
    given from ``dates``), and with ``memo`` remembered across records by the key stated here (the rule, and what
    it reads of the record: its anchor's date, whether that was taken from another, its event's dates)."""
    rule_id = id(rule)
    deadline = dates.found.get(rule_id)
    if deadline is not None:
        return deadline
    anchor, taken = dates.anchors.get(rule.from_) or dates.anchor(rule.from_)
    event = rule.event
    events = (dates.events_read[event] if event in dates.events_read else dates.events(event)) \
        if event and anchor is not None else None
    if memo is None:
        deadline = _deadline(rule, len(dates.method_ids), anchor, anchor_words(rule.from_, anchor, taken), events)
    else:
        key = (rule_id, anchor, taken, events)
        deadline = memo.get(key) or memo.recall(key)
        if deadline is None:
            found, due = anchor_words(rule.from_, anchor, taken), None
            if events and anchor is not None:  # a record's event dates seldom repeat, its anchor's date often:
                # the due date and what is said of it remembered too, by all they read (the rule, anchor, taken)
                part = (rule_id, anchor, taken)
                due = memo.get(part) or memo.recall(part) or memo.put(part, _due(rule, anchor, found))
            deadline = memo.put(key, _deadline(rule, len(dates.method_ids), anchor, found, events, due))
    dates.found[rule_id] = deadline
    return deadline


class Deadlines:
    """The default ``deadlines`` for one ruleset, for a body's compiled explanation: each of its rules' deadlines
    as ``deadline_for`` works it out and remembers it (one key, stated there)."""

    def __init__(self, ruleset: Ruleset):
        self.ruleset = ruleset
        self.rules = ruleset.journey.deadlines if ruleset.journey else ()

    def __call__(self, dates: RecordDates, memo: Table) -> list[Deadline]:
        return [deadline_for(rule, dates, memo) for rule in self.rules]


def _deadline(rule: DeadlineRule, methods: int, anchor: dt.date | None, found: str,
              events: tuple[dt.date, ...] | None, due: tuple[dt.date, str] | None = None) -> Deadline:
    """The deadline, worked out: ``methods``, how many methods the ruleset has (every_method's event is complete
    when each has been attempted); ``found``, how the anchor's date was found (``anchor_words``); ``due``, ``_due``'s
    answer for the rule and anchor, where the caller has it."""
    if anchor is None:
        return Deadline(rule.id, rule.name, None, rule.kind, "unknown",
                        f"{rule.name}: {describe(rule.offset)} {rule.from_.replace('_', ' ')}; the record has no date "
                        f"for that", rule.citation, needs=found, strength=rule.strength)
    day, says = due or _due(rule, anchor, found)
    status = "open"
    if events:
        is_late = LATE[rule.kind]
        late = [d for d in events if is_late(d, day)]
        complete = rule.event != "every_method" or len(events) == methods
        status = "missed" if late else "met" if complete else "open"
        event = rule.event or ""  # events are only found for a rule that names its event
        says += f"; {EVENT_WORDS.get(event, event.replace('_', ' '))} on {', '.join(map(str, events))}: {status}"
        if status == "missed":
            says += consequence_words(rule)
    return Deadline(rule.id, rule.name, day, rule.kind, status, says, rule.citation, strength=rule.strength)


def _due(rule: DeadlineRule, anchor: dt.date, found: str) -> tuple[dt.date, str]:
    """A deadline's due date from its anchor's date, and what it says before its event: all it reads is the rule,
    the anchor's date and how that was found (``found``)."""
    due = shift(anchor, rule.offset)
    says = f"{rule.name}: {'by' if rule.kind == 'by' else 'not before'} {due} " \
        f"({describe(rule.offset)} {found}{from_reading(rule)})"
    if rule.offset.working_days is not None and (skipped := bank_holidays_between(anchor, due)):
        says += "; skips bank holidays " + ", ".join(f"{name} {day}" for day, name in skipped)
    return due, says


def deadlines(ruleset: Ruleset, record: Record, memo: Table | None = None, dates: RecordDates | None = None
              ) -> list[Deadline]:
    """Every deadline of the ruleset's journey for the record (the default ``deadlines`` hook's answer)."""
    if ruleset.journey is None:
        return []
    dates = dates or RecordDates(record, ruleset.method_ids)
    return [deadline_for(rule, dates, memo) for rule in ruleset.journey.deadlines]


_DATE = operator.attrgetter("date")


def in_order(found: list[Deadline]) -> tuple[Deadline, ...]:
    """Deadlines as an explanation lists them: by date, those without one last (each part in the order found)."""
    dated = [d for d in found if d.date is not None]
    if len(dated) == len(found):
        return tuple(sorted(found, key=_DATE))
    return (*sorted(dated, key=_DATE), *(d for d in found if d.date is None))


# --- deciding (the cohort engine) ---------------------------------------------------------------------------

Due = Callable[[Offset], Callable[[dt.date], dt.date]]  # an offset -> its due date from an anchor date


def shifting(offset: Offset) -> Callable[[dt.date], dt.date]:
    """An offset's due date from an anchor date, worked out each time asked (the engine's ``_Due`` remembers)."""
    return lambda anchor: shift(anchor, offset)


def _day(name: str, ruleset: Ruleset) -> Callable[[Record], dt.date | None] | None:
    """The record's date for a journey date or a method (its first attempt, else its schedule), as
    ``anchor_read`` reads it; None for the anchors and events that need the whole record (first or final
    assessment, every method...)."""
    if name in JOURNEY_DATES:
        return lambda r: getattr(r.dates, name)
    if name in ruleset.method_ids:
        def first(r: Record) -> dt.date | None:
            attempts = r.attempts_at(name)
            return attempts[0].date if attempts else r.schedule.get(name)
        return first
    return None


def missed(rule: DeadlineRule, ruleset: Ruleset, due: Due = shifting) -> Callable[[Record], bool]:
    """A predicate true when the record shows the deadline missed (``evaluate_deadline`` says "missed"): the
    anchor and event dates read as ``anchor_read`` and ``event_dates`` read them, without their words. ``due``
    makes an offset's due-date function (the engine's remembers its answers by anchor date)."""
    if rule.event is None:
        return lambda r: False  # nothing to miss: the deadline is only ever open
    anchor = {"gateway": lambda r: r.gateway.date, "epa_start": lambda r: r.dates.epa_start or r.gateway.date
              }.get(rule.from_) or _day(rule.from_, ruleset)  # None: anchor_read works it out
    event = _day(rule.event, ruleset) if rule.event in JOURNEY_DATES else None  # a method's event: its attempt
    due_from, is_late, ids = due(rule.offset), LATE[rule.kind], ruleset.method_ids

    def start(r: Record) -> dt.date | None:
        return anchor(r) if anchor is not None else _anchor_read(r, ids, rule.from_)[0]

    if event is not None:  # one date: the journey date the record gives, if any
        def missed_once(r: Record) -> bool:
            day = event(r)
            if day is None or (begun := start(r)) is None:
                return False
            return is_late(day, due_from(begun))
        return missed_once

    def missed_any(r: Record) -> bool:
        events = _event_dates(r, ids, rule.event)  # type: ignore[arg-type]
        if not events or (begun := start(r)) is None:
            return False
        end = due_from(begun)
        return any(is_late(d, end) for d in events)
    return missed_any
