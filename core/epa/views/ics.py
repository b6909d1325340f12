"""Deadlines as an iCalendar file (RFC 5545), so a provider can put them in a calendar.

One all-day event per dated deadline; the description carries the rule's
words, the document's title, version and section, and the citation. UIDs are stable (apprentice, standard, body,
deadline id), so importing a newer file updates events rather than duplicating them; the standard is in it because
one apprentice may take two standards with one body (a level 2 then a level 3), whose deadlines share their ids: each
calendar's events would replace the other's.

Every text value is escaped here, as RFC 5545 § 3.3.11 says, whatever its
property: icalendar leaves an X- property such as X-WR-CALNAME verbatim, and
reads a backslash and N in a value as a line break, so an apprentice id with
a line break in it could add lines of its own to the calendar, and one with
a backslash would change.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import icalendar

from epa.model.domain import Record
from epa.model.results import BodyResult
from epa.rules.citations import titled
from epa.views.outputs import write_file

# RFC 5545 TEXT has no place for a control character but a tab, and no escape for one but a line break: each
# of the others (NUL, a vertical tab, DEL, ...) is shown as U+FFFD, the character that stands for one not shown.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # RFC 5545 has one escape, \n, for every kind of line end


class Text(icalendar.vText):
    """A TEXT value escaped exactly as RFC 5545 § 3.3.11 says: a backslash, semicolon and comma each get a
    backslash, a line break becomes \\n, and nothing else is changed (no other control character is allowed)."""

    def to_ical(self) -> bytes:
        text = str(self).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
        text = _CONTROL.sub("\ufffd", _LINE_BREAK.sub("\\\\n", text))
        return text.encode(getattr(self, "encoding", "utf-8"))  # (set by vText.__new__; not in its stubs)


def calendar(record: Record, results: list[BodyResult]) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", Text("-//epa//EPA deadlines//EN"))
    cal.add("version", "2.0")
    cal.add("x-wr-calname", Text(f"EPA deadlines: {record.apprentice.id} ({record.standard})"))
    stamp = dt.datetime.now(dt.UTC)
    for res in results:
        for deadline in res.deadlines:
            if deadline.date is None:
                continue
            event = icalendar.Event()
            event.add("uid", Text(f"{record.apprentice.id}.{record.standard}.{res.body}.{deadline.id}@epa"))
            event.add("dtstamp", stamp)
            event.add("dtstart", deadline.date)
            event.add("dtend", deadline.date + dt.timedelta(days=1))
            prefix = "not before: " if deadline.kind == "not_before" else ""
            event.add("summary", Text(f"{res.body_name}: {prefix}{deadline.name}"))
            advice = deadline.strength == "advice"  # shown as advice, never as a failure
            status = f"{deadline.status} (advice)" if advice else deadline.status
            event.add("description", Text(f"{deadline.says}\nStatus: {status}\n{_source(deadline.citation, res)}"))
            event.add("categories", [res.body, deadline.status, *(["advice"] if advice else [])])
            cal.add_component(event)
    return cal


def _source(citation: str, res: BodyResult) -> str:
    """The document by its title and version, and the section, then the citation as every output gives it:
    'Source: TQUK Level 3 ... - Standard Specification, version 1.2, § EPA Window\nCitation: 003_….txt § EPA
    Window'."""
    file, _, section = citation.partition(" § ")
    doc = res.documents.get(file)
    if doc is None or not section:
        return f"Source: {citation}"
    return f"Source: {titled(doc['title'] or '', doc['version'])}, § {section}\nCitation: {citation}"


def write(path: Path, record: Record, results: list[BodyResult]) -> int:
    """Write the calendar, whole or not at all (:func:`epa.views.outputs.write_file`); return how many events it
    holds."""
    cal = calendar(record, results)
    write_file(path, cal.to_ical())
    return len(cal.walk("VEVENT"))
