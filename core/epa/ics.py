"""Deadlines as an iCalendar file (RFC 5545), so a provider can put them in a calendar.

One all-day event per dated deadline; the description carries the rule's
words and citation. UIDs are stable (apprentice, body, deadline id), so
importing a newer file updates events rather than duplicating them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import icalendar

from epa.grading import BodyResult
from epa.model import Record


def calendar(record: Record, results: list[BodyResult]) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", "-//epa//EPA deadlines//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"EPA deadlines: {record.apprentice.id} ({record.standard})")
    stamp = dt.datetime.now(dt.UTC)
    for res in results:
        for deadline in res.deadlines:
            if deadline.date is None:
                continue
            event = icalendar.Event()
            event.add("uid", f"{record.apprentice.id}.{res.body}.{deadline.id}@epa")
            event.add("dtstamp", stamp)
            event.add("dtstart", deadline.date)
            event.add("dtend", deadline.date + dt.timedelta(days=1))
            prefix = "not before: " if deadline.kind == "not_before" else ""
            event.add("summary", f"{res.body_name}: {prefix}{deadline.name}")
            advice = deadline.strength == "advice"  # shown as advice, never as a failure
            status = f"{deadline.status} (advice)" if advice else deadline.status
            event.add("description", f"{deadline.says}\nStatus: {status}\nSource: {deadline.citation}")
            event.add("categories", [res.body, deadline.status, *(["advice"] if advice else [])])
            cal.add_component(event)
    return cal


def write(path: Path, record: Record, results: list[BodyResult]) -> int:
    """Write the calendar; return how many events it holds."""
    cal = calendar(record, results)
    path.write_bytes(cal.to_ical())
    return len(cal.walk("VEVENT"))
