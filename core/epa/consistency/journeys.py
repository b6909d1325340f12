"""Witnesses for the rule-data findings a record can show through a deadline's or a tolerance check's verdict
(``report.journey_verdicts``: `epa compare` names the row ``deadline:EVENT:ANCHOR`` or ``check:METHOD:MEASURE``
among its ``differences`` where the bodies' verdicts differ), or through each body's verdict on an event whatever
date its deadlines count from (``report.event_verdicts``: the row ``deadline:EVENT``, which `epa compare` names
among its ``differences`` too unless ``report.event_rows`` leaves it out, its deadlines' statuses among each
body's ``deadlines``).

A deadline row is swept over every class of its event's day: with the anchor's date fixed, each body's due date
cuts the days, and each due day, each run of days before, between and after them, and the event not recorded is
one class; an event's row likewise, each date its bodies' deadlines count from fixed (``event``). A tolerance row
likewise over the measure's value, cut at each body's limits (as its checks give them).
Each class is graded once by every body; the witness is the first class (the earliest day, the smallest value)
on which the bodies' verdicts split, and the finding's region is how many of the classes split as it does. An
event's sweep (and a resit's or rework's) gives every way its classes split the bodies, each its own finding.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

import attrs
from attrs import frozen

from epa.consistency.complete import region
from epa.consistency.findings import GATEWAY, Finding, SweptBody, pins, record
from epa.model.domain import JOURNEY_DATES, Offset, Ruleset
from epa.rules.workdays import shift
from epa.views.report import (
    MISSES,
    REWORK,
    check_row,
    counted_back,
    deadline_row,
    event_row,
    event_rows,
    event_verdicts,
    journey_differences,
    journey_verdicts,
    verdict,
)

T = TypeVar("T", dt.date, float)


@frozen
class Shown:
    """A finding's witness record, the row and values `epa compare` shows on it, and the finding's region."""

    witness: dict[str, Any]
    shows: dict[str, Any]
    region: dict[str, Any]


def witnessed(finding: Finding, shown: Shown | None) -> Finding:
    """The finding with the witness, row and region a sweep found (unchanged where none splits the bodies)."""
    if shown is not None:
        finding.witness, finding.shows, finding.region, finding.cases = \
            shown.witness, shown.shows, shown.region, shown.region["inputs"]
    return finding


def _classes(points: Iterable[T], before: Callable[[T], T | None], between: Callable[[T, T], T | None],
             after: Callable[[T], T]) -> list[T]:
    """One value of each class the points cut a line into, smallest first: below the first point, each point,
    between each two (where a value lies strictly between), above the last."""
    cut: list[T] = sorted(set(points))
    if not cut:
        return []
    first = before(cut[0])
    out: list[T] = [] if first is None else [first]
    for i, a in enumerate(cut):
        out.append(a)
        if i + 1 < len(cut) and (middle := between(a, cut[i + 1])) is not None:
            out.append(middle)
    out.append(after(cut[-1]))
    return out


def _tidy(limit: float) -> float:
    """A limit as the document means it: 60 * 1.1 is 66, not 66.00000000000001."""
    rounded = round(limit, 6)
    return int(rounded) if rounded.is_integer() else rounded


def _verdicts(subjects: Sequence[SweptBody], data: dict[str, Any], row: str) -> dict[str, str | None]:
    """Each body's verdict on ``row``: a deadline's or check's row of `epa compare`, or an event's (``event_row``)."""
    return _rows(subjects, data, row)[0]


def _rows(subjects: Sequence[SweptBody], data: dict[str, Any], row: str) -> tuple[dict[str, str | None], str | None]:
    """Each body's verdict on ``row``, and the row on which `epa compare` tells their split (``telling``)."""
    by_label = {s.label: row_verdicts(s.ruleset, (r := s.grade(data)).deadlines, r.checks) for s in subjects}
    return {label: rows.get(row, (None, []))[0] for label, rows in by_label.items()}, telling(by_label, row)


def row_verdicts(ruleset: Ruleset | None, deadlines: Iterable[Any], checks: Iterable[Any]
                 ) -> dict[str, tuple[str, list[str]]]:
    """A body's verdict on each deadline and check row of `epa compare` (``journey_verdicts``) and on each event its
    deadlines govern, whatever date each counts from (``event_verdicts``): the rows a finding's ``shows`` names."""
    deadlines = list(deadlines)
    return journey_verdicts(ruleset, deadlines, checks) | event_verdicts(ruleset, deadlines)


def telling(rows: dict[str, dict[str, tuple[str, list[str]]]], row: str) -> str | None:
    """The row on which `epa compare` tells a record's split on ``row``, given each body's verdicts on its rows
    there (label -> ``row_verdicts``): a deadline's or check's row itself; an event's (``event_row``) itself where
    compare shows it (``report.event_rows``), else the deadline row of the event's own that gives every body the
    same verdicts (the bodies count from one date: compare shows that row instead), else None (no deadline
    missed: no split to tell)."""
    if row.count(":") != 1 or not row.startswith("deadline:"):
        return row
    events = journey_differences({label: {r: v for r, v in by_row.items() if r.count(":") == 1}
                                  for label, by_row in rows.items()})
    anchored = journey_differences({label: {r: v for r, v in by_row.items() if r.count(":") != 1}
                                    for label, by_row in rows.items()})
    if row in event_rows(events, anchored) or row not in events:
        return row if row in events and events[row] else None
    said = {body: v["verdict"] for body, v in events[row].items()}
    return next((other for other, given in anchored.items() if other.startswith(f"{row}:")
                 and {body: v["verdict"] for body, v in given.items()} == said), None)


def _split(values: dict[str, str | None]) -> bool:
    return len({v for v in values.values() if v is not None}) > 1


def splits(shows: dict[str, Any], values: dict[str, str | None]) -> bool:
    """Whether bodies' verdicts ``values`` (label -> verdict, on the row ``shows`` names) split them as the
    finding does: with ``shows["sides"]``, the bodies of each side give one verdict and the sides differ (either
    way round); without, every body gives the witness's verdict. The finding's region counts its classes by this,
    and ``--cohort`` its records, so that the two count the same thing."""
    sides = shows.get("sides")
    if not sides:
        return all(values.get(label) == v for label, v in shows["values"].items())
    given = [{values.get(label) for label in side} for side in sides]
    return all(len(g) == 1 and None not in g for g in given) and len({next(iter(g)) for g in given}) == len(given)


def _every_split(subjects: Sequence[SweptBody], classes: list[dict[str, Any]], row: str, space: str,
                 unit: str) -> list[Shown]:
    """Each way the classes split the bodies (each body's verdict the same), in the order of the first class that
    splits them so (the earliest day first, not recorded last), witnessed by that class, with how many classes
    split them so: a resit missed at one body on one day, and at all four, two of them as advice, on a later day,
    are two findings, where the first split alone would hide the second. A split is a deadline missed at one body
    and not at another (or missed as advice): where none is missed, bodies not yet able to tell (open, unknown)
    and bodies whose deadline is kept do not differ in what the record has done. A split that a deadline row of the
    event's own gives every body alike (the bodies count from one date) is shown on that row, as `epa compare`
    shows it there and leaves the event's row out (``telling``): its witness shows the row it names."""
    graded = [(data, *_rows(subjects, data, row)) for data in classes]
    firsts: dict[tuple[str, tuple[tuple[str, str | None], ...]], dict[str, Any]] = {}
    for data, values, shown in graded:
        # shown on the row `epa compare` tells it on: the event's, or a deadline row of its own (``telling``)
        if shown and _split(values) and any(v in MISSES for v in values.values()):
            firsts.setdefault((shown, tuple(values.items())), data)
    out = []
    for (on, key), data in firsts.items():
        shows: dict[str, Any] = {"row": on, "values": dict(key)}
        same = sum(1 for _, v, shown in graded if shown == on and splits(shows, v))
        out.append(Shown(data, shows, region(same, len(classes), space, unit=unit)))
    return out


def _witnessed(subjects: Sequence[SweptBody], classes: list[dict[str, Any]], row: str, space: str, unit: str,
               sides: list[list[str]] | None = None) -> Shown | None:
    """The first class that splits the bodies, and how many classes split them as it does (``splits``: with
    ``sides``, every class splitting those sides either way round; without, those giving every body the
    witness's verdict)."""
    graded = [(data, _verdicts(subjects, data, row)) for data in classes]
    first = next(((data, values) for data, values in graded
                  if (splits({"values": values, "sides": sides}, values) if sides else _split(values))), None)
    if first is None:
        return None
    data, values = first
    shows: dict[str, Any] = {"row": row, "values": values, **({"sides": sides} if sides else {})}
    same = sum(1 for _, v in graded if splits(shows, v))
    return Shown(data, shows, region(same, len(classes), space, unit=unit))


def deadline(subjects: Sequence[SweptBody], event: str, anchor: str) -> Shown | None:
    """The deadlines on ``event`` counted from ``anchor`` (a method's attempt, the gateway or a journey date), swept
    over every class of the event's day; None where no class splits the bodies, or the record cannot date them."""
    if event not in JOURNEY_DATES or not subjects:
        return None
    standard = subjects[0].ruleset.standard
    methods = subjects[0].ruleset.method_ids
    rules = [d for s in subjects for d in (s.ruleset.journey.deadlines if s.ruleset.journey else ())
             if d.event == event and d.from_ == anchor]
    day = GATEWAY + dt.timedelta(days=28)  # the anchor: four weeks after gateway, its own date where it is gateway
    attempts: list[dict[str, Any]] = []
    dates: dict[str, str] = {}
    if anchor in methods:
        attempts = [{"method": anchor, "grade": "pass", "date": day.isoformat()}]
    elif anchor in JOURNEY_DATES:
        dates[anchor] = day.isoformat()
    elif anchor == "gateway":
        day = GATEWAY
    else:
        return None
    one = dt.timedelta(days=1)
    days = _classes((shift(day, r.offset) for r in rules), lambda d: d - one,
                    lambda a, b: a + one if a + one < b else None, lambda d: d + one)
    pinned = pins(subjects)
    classes = [record(standard, attempts, **pinned, dates={**dates, event: d.isoformat()}) for d in days]
    classes.append(record(standard, attempts, **pinned, **({"dates": dates} if dates else {})))
    space = (f"every class of the {event.replace('_', ' ')} day, the {anchor.replace('_', ' ')} fixed: on each "
             "body's due date, before, between and after them, or not recorded")
    return _witnessed(subjects, classes, f"deadline:{event}:{anchor}", space, day_classes(event))


def _negated(offset: Offset) -> Offset:
    """The offset counted the other way: two weeks after, two weeks before."""
    return Offset(**{k: -v for k, v in attrs.asdict(offset).items() if v is not None})


RESULTS = "results_notified"  # the event of a deadline on the results' notification (the last first attempt's)

# The anchors an event's sweep can fix apart from the event: gateway, the journey dates, and the methods' first
# attempts (a week apart from four weeks after gateway) with the first and final assessment they make.
ASSESSMENTS = ("first_assessment", "final_assessment")


def event(subjects: Sequence[SweptBody], event: str) -> list[Shown]:
    """Every deadline the bodies set on ``event`` (a journey date, or each method's first attempt), whatever date
    each counts from, swept over every class of the event's day: the dates they count from fixed (gateway on its own
    date, a journey date four weeks after it, the methods' first attempts a week apart from then, only those the
    deadlines count from), each body's due date cuts the days, and each due day, each run of days before, between
    and after them, and the event not recorded is one class. A body's verdict is its worst on the event
    (``report.event_verdicts``), so that two bodies counting one event from different dates (NQual's 3-month window
    from gateway, TQUK's from the EPA's start) are compared. For every method, the class's day is the last first
    attempt's, the methods attempted on consecutive days up to it. Each way the classes split the bodies is one
    ``Shown`` (``_every_split``); none where no class splits them, or the record cannot date the event apart from
    what its deadlines count from. A method's own first attempt (TQUK's interview at least two weeks after the
    report) is swept as a journey date is, the other methods' first attempts fixed as its deadlines need them; the
    results' notification as the last first attempt's ``notified``, every method attempted, on or after that day."""
    if not subjects:
        return []
    standard = subjects[0].ruleset.standard
    methods = subjects[0].ruleset.method_ids
    if event not in (*JOURNEY_DATES, "every_method", RESULTS, *methods):
        return []
    # a method's attempt counted from a journey date is swept on that date's day (``back``), not on its own too
    rules = [d for s in subjects for d in (s.ruleset.journey.deadlines if s.ruleset.journey else ())
             if d.event == event and not counted_back(d, methods)]
    # a method's attempt counted from the event's day sets that day from the other side: its due date, counted back
    back = [(d.event, d.offset) for s in subjects for d in (s.ruleset.journey.deadlines if s.ruleset.journey else ())
            if d.from_ == event and d.event and counted_back(d, methods)]
    anchors = {d.from_ for d in rules}
    # the anchors the event's day moves: every method's and the assessments' (a method's: its own, and the first or
    # final assessment it may be), none but itself for a journey date or the results' notification
    moved = set(methods) | set(ASSESSMENTS) if event == "every_method" else \
        {event, *ASSESSMENTS} if event in methods else {event}
    if not rules or anchors & moved or anchors - {"gateway", *JOURNEY_DATES, *methods, *ASSESSMENTS}:
        return []
    start = GATEWAY + dt.timedelta(days=28)
    attempted = {m: start + dt.timedelta(days=7 * i) for i, m in enumerate(methods)}
    on = {"gateway": GATEWAY, **{a: start for a in anchors if a in JOURNEY_DATES}, **attempted,
          "first_assessment": min(attempted.values(), default=start),
          "final_assessment": max(attempted.values(), default=start)}
    dates = {a: start.isoformat() for a in sorted(anchors) if a in JOURNEY_DATES}
    # only the attempts the anchors need (the first method for the first assessment, every one for the final)
    needed = set(methods) if "final_assessment" in anchors else \
        anchors & set(methods) | ({methods[0]} if "first_assessment" in anchors and methods else set())
    needed |= {attempt for attempt, _ in back}
    needed = set(methods) if event == RESULTS else needed - {event}
    fixed = [{"method": m, "grade": "pass", "date": d.isoformat()} for m, d in attempted.items() if m in needed]
    one = dt.timedelta(days=1)
    due = [shift(on[r.from_], r.offset) for r in rules] + [shift(on[a], _negated(offset)) for a, offset in back]
    days = _classes(due, lambda d: d - one, lambda a, b: a + one if a + one < b else None, lambda d: d + one)
    if event == RESULTS:  # notified on or after the last first attempt, never before it
        days = [d for d in days if d >= on["final_assessment"]]
    pinned = pins(subjects)

    def dated(day: dt.date | None) -> dict[str, Any]:
        if event == "every_method":
            attempts = [] if day is None else [
                {"method": m, "grade": "pass", "date": (day - dt.timedelta(days=len(methods) - 1 - i)).isoformat()}
                for i, m in enumerate(methods)]
            return record(standard, attempts, **pinned, **({"dates": dates} if dates else {}))
        if event in methods or event == RESULTS:
            attempts = [*fixed, *([{"method": event, "grade": "pass", "date": day.isoformat()}]
                                  if day and event in methods else [])]
            attempts.sort(key=lambda a: a["date"])
            if day and event == RESULTS:
                attempts[-1] = {**attempts[-1], "notified": day.isoformat()}
            return record(standard, attempts, **pinned, **({"dates": dates} if dates else {}))
        given = {**dates, event: day.isoformat()} if day else dates
        return record(standard, fixed, **pinned, **({"dates": given} if given else {}))

    classes = [dated(d) for d in days] + [dated(None)]
    fixing = ", ".join(["gateway", *(a.replace("_", " ") for a in dates),
                        *([f"the {'other ' if event in methods else ''}methods' first attempts"] if fixed else [])])
    day = "last first attempt" if event == "every_method" else "results' notification" if event == RESULTS else \
        f"{event}'s first attempt" if event in methods else event
    space = (f"every class of the {day.replace('_', ' ')} day, the {fixing} fixed: on each body's due date, before, "
             "between and after them, or not recorded")
    return _every_split(subjects, classes, event_row(event), space, day_classes(day))


def after_a_fail(subjects: Sequence[SweptBody], event: str) -> list[Shown]:
    """The bodies' resit windows (``event`` RESIT) or rework deadlines (REWORK), swept over every class of the day of
    the attempt after a fail: the first attempts a week apart from four weeks after gateway, the first method's (the
    rework's method's) failed and no notification dated, each body's due date (as it counts it: from the fail, from
    its notification once every method is assessed, or from the first assessment) cuts the days after the last
    first attempt, and each due day, each run of days before, between and after them, and no resit recorded, is one
    class. Each way the classes split the bodies is one ``Shown`` (``_every_split``); none where none does."""
    if not subjects or not subjects[0].ruleset.method_ids:
        return []
    resits = [s.ruleset.journey.resit for s in subjects if s.ruleset.journey and s.ruleset.journey.resit]
    methods = subjects[0].ruleset.method_ids
    if event == REWORK:
        reworked = {r.method for resit in resits for r in resit.rework}
        if len(reworked) != 1 or not reworked <= set(methods):  # one method's rework is swept
            return []
        [method] = reworked
    else:
        method = methods[0]
    standard, pinned = subjects[0].ruleset.standard, pins(subjects)
    start = GATEWAY + dt.timedelta(days=28)
    firsts = [{"method": m, "grade": "fail" if m == method else "pass",
               "date": (start + dt.timedelta(days=7 * i)).isoformat()} for i, m in enumerate(methods)]
    last = start + dt.timedelta(days=7 * (len(methods) - 1))

    def dated(day: dt.date | None) -> dict[str, Any]:
        again = [{"method": method, "kind": "resit", "grade": "pass", "date": day.isoformat()}] if day else []
        return record(standard, firsts + again, **pinned)

    row = event_row(event)
    # each body's due dates, as its rules count them on a record with a resit after every first attempt
    probe = dated(last + dt.timedelta(days=1))
    due = []
    for s in subjects:
        given = s.grade(probe).deadlines
        ids = row_verdicts(s.ruleset, given, ()).get(row, ("", []))[1]
        due += [d.date for d in given if d.id in ids and d.date is not None]
    one = dt.timedelta(days=1)
    days = [d for d in _classes(due, lambda d: d - one, lambda a, b: a + one if a + one < b else None,
                                lambda d: d + one) if d > last]
    classes = [dated(d) for d in days] + [dated(None)]
    what = f"the {method}'s {'rework' if event == REWORK else 'resit'}"
    space = (f"every class of {what}'s day after its fail, the first attempts fixed a week apart: on each body's "
             "due date, before, between and after them, or no resit recorded")
    return _every_split(subjects, classes, row, space,
                        f"classes of {what}'s day (on each due date, before, between and after them, or not recorded)")


def tolerance(subjects: Sequence[SweptBody], method: str, measure: str) -> Shown | None:
    """A method's measure swept over every class of its value, cut at each body's limits for it (a questioning
    share counted of the method's stated duration); None where no class splits the bodies."""
    if not subjects:
        return None
    standard = subjects[0].ruleset.standard
    tolerances = [t for s in subjects for t in (s.ruleset.journey.tolerances if s.ruleset.journey else ())
                  if t.method == method]
    durations = sorted(t.nominal for t in tolerances if t.measure == "duration_minutes" and t.nominal is not None)
    base = {"method": method, "grade": "pass", "date": (GATEWAY + dt.timedelta(days=28)).isoformat(),
            **({"duration_minutes": _tidy(durations[0])} if measure != "duration_minutes" and durations else {})}
    pinned = pins(subjects)

    def attempt(value: float) -> dict[str, Any]:
        return record(standard, [{**base, measure: int(value) if measure == "words" else value}], **pinned)

    # each body's limits, as its checks of one probe give them
    probe = attempt(1)
    limits = [_tidy(x) for s in subjects for c in s.grade(probe).checks if (c.method, c.measure) == (method, measure)
              for x in (c.low, c.high) if x is not None]
    whole = measure == "words"

    def between(a: float, b: float) -> float | None:
        middle = a + 1 if a + 1 < b else None if whole else (a + b) / 2
        return middle if middle is None or a < middle < b else None

    values = _classes(limits, lambda v: v - 1 if v - 1 > 0 else None if whole or v <= 0 else v / 2, between,
                      lambda v: (int(v) + 1) if whole else v + 1)
    space = f"every class of the {method}'s {measure.replace('_', ' ')}: each body's limits, and each range " \
            "below, between and above them"
    unit = (f"classes of the {method}'s {measure.replace('_', ' ')} (each body's limits, and the ranges below, "
            "between and above them)")
    return _witnessed(subjects, [attempt(v) for v in values], check_row(method, measure), space, unit)


def questioning(subjects: Sequence[SweptBody], method: str) -> Shown | None:
    """Whether the method's questioning is inside its duration, shown by records that say their duration counts
    the questioning (``duration_includes_questioning``): the questioning held at the most minutes any body allows
    it (10 for TQUK), the recorded duration swept over every class its bodies' limits cut, each body checking the
    minutes its own document counts. The witness splits the bodies as the finding does: those counting the
    questioning inside the duration on one side, those counting it after on the other."""
    places = {s.label: next((c.value for c in (s.ruleset.journey.conduct if s.ruleset.journey else ())
                             if c.aspect == "questioning_in_duration" and c.about == method), None) for s in subjects}
    inside = [label for label, place in places.items() if place == "included"]
    after = [label for label, place in places.items() if place == "after_the_observation"]
    if not inside or not after:
        return None
    tolerances = [t for s in subjects for t in (s.ruleset.journey.tolerances if s.ruleset.journey else ())
                  if t.method == method]
    most = sorted(t.max for t in tolerances if t.measure == "questioning_minutes" and t.max is not None)
    nominal = sorted(t.nominal for t in tolerances if t.measure == "duration_minutes" and t.nominal is not None)
    if not most and not nominal:
        return None
    minutes = _tidy(most[-1] if most else nominal[0] * 15 / 100)
    standard = subjects[0].ruleset.standard
    pinned = pins(subjects)

    def attempt(duration: float) -> dict[str, Any]:
        return record(standard, [{"method": method, "grade": "pass", "date": (GATEWAY + dt.timedelta(days=28))
                                  .isoformat(), "duration_minutes": duration, "questioning_minutes": minutes,
                                  "duration_includes_questioning": True}], **pinned)

    # a body counting the questioning after the duration reaches its limits with the questioning's minutes more
    probe = attempt(minutes + 1)
    points = [_tidy(x + (minutes if places[s.label] == "after_the_observation" else 0)) for s in subjects
              for c in s.grade(probe).checks if (c.method, c.measure) == (method, "duration_minutes")
              for x in (c.low, c.high) if x is not None]
    durations = [d for d in _classes(points, lambda v: v - 1, lambda a, b: a + 1 if a + 1 < b else (a + b) / 2,
                                     lambda v: v + 1) if d >= minutes]

    space = (f"every class of the {method}'s recorded duration, counting {minutes:g} minutes of questioning inside "
             "it: each body's limits on the minutes its document counts, and each range below, between and above "
             "them")
    unit = (f"classes of the {method}'s recorded duration (each body's limits, and the ranges below, between and "
            "above them)")
    return _witnessed(subjects, [attempt(d) for d in durations], check_row(method, "duration_minutes"), space, unit,
                      [inside, after])


def day_classes(event: str) -> str:
    """What a deadline's region counts: classes of the event's day, never apprentices."""
    return (f"classes of the {event.replace('_', ' ')} day (on each due date, before, between and after them, or "
            "not recorded)")


def contradiction(subject: SweptBody, rules: Sequence[str]) -> Shown | None:
    """Two of one body's deadlines on the same event, counted from different dates (``rules``: their ids, as its
    document's recorded contradiction names them), shown disagreeing: the anchors fixed (the first assessment
    four weeks after gateway, a method named as an anchor two weeks later), the event's day swept over every
    class the two due dates cut, the witness the first day on which one is kept and the other not. ``shows``
    names the first's row and, under ``rules``, each deadline's verdict (`epa compare` gives both in the body's
    ``deadlines``)."""
    found = [d for d in (subject.ruleset.journey.deadlines if subject.ruleset.journey else ()) if d.id in rules]
    if len(found) != 2 or found[0].event != found[1].event or found[0].from_ == found[1].from_ \
            or found[0].event not in JOURNEY_DATES:
        return None
    methods = subject.ruleset.method_ids
    named = [d.from_ for d in found if d.from_ in methods]
    if any(d.from_ not in methods and d.from_ != "first_assessment" for d in found):
        return None
    first = GATEWAY + dt.timedelta(days=28)
    later = first + dt.timedelta(days=14)
    others = [m for m in methods if m not in named]
    if not others:
        return None
    attempts = [{"method": others[0], "grade": "pass", "date": first.isoformat()}]
    attempts += [{"method": m, "grade": "pass", "date": later.isoformat()} for m in named]
    anchor = {m: later for m in named} | {"first_assessment": first}
    one = dt.timedelta(days=1)
    days = _classes((shift(anchor[d.from_], d.offset) for d in found), lambda d: d - one,
                    lambda a, b: a + one if a + one < b else None, lambda d: d + one)
    event = found[0].event
    pinned = pins([subject])
    classes = [record(subject.ruleset.standard, attempts, **pinned, dates={event: d.isoformat()}) for d in days]
    classes.append(record(subject.ruleset.standard, attempts, **pinned))
    ids = [d.id for d in found]

    def verdicts(data: dict[str, Any]) -> dict[str, str | None]:
        given = {d.id: verdict(d.status, d.strength) for d in subject.grade(data).deadlines}
        return {i: given.get(i) for i in ids}

    graded = [(data, verdicts(data)) for data in classes]
    split = [(data, v) for data, v in graded if disagree(v)]
    if not split:
        return None
    data, values = split[0]
    row = deadline_row(found[0]) or ""
    shows = {"row": row, "values": {subject.label: _verdicts([subject], data, row)[subject.label]}, "rules": values}
    space = (f"every class of the {event.replace('_', ' ')} day, the first assessment and "
             + ", ".join(named) + " fixed (two weeks apart): on each due date, before, between and after them, "
             "or not recorded")
    return Shown(data, shows, region(len(split), len(classes), space, unit=day_classes(event)))


def disagree(verdicts: dict[str, str | None]) -> bool:
    """Whether one body's deadlines (id -> verdict) disagree: one kept, another not (a verdict missing counts
    as none)."""
    return None not in verdicts.values() and len(set(verdicts.values())) > 1
