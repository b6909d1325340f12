"""A date written with a time of day after it, as MIS exports and spreadsheets write one (``2026-01-20 09:30:00``,
``20/01/2026 09:30``, ``20/01/2026 9:30 AM``, ``2026-01-20T09:30``, an Excel cell holding a date and time): the
rule every input that reads a date follows (a record's YAML or JSON, a cohort's CSV, workbook or JSON Lines, an
outcomes file, a request's body).

With no time zone, it is read as its date: the assessment (or the birth, the gateway...) happened that day, and no
rule reads the time. Midnight (``00:00``, how Excel stores a date-only cell typed as a date and time) is that date
too. With a time zone or a UTC offset (``2026-01-20T23:30:00-05:00``, ``...Z``) it is refused: which day it was
depends on the zone (23:30 in New York on the 20th is the 21st in London). A time that is no time of day
(``25:00``) leaves the value as it is, for the reader to refuse as no date. How the date itself is read (ISO, UK day
first, a month's name) is each reader's own: this module only takes the time off.
"""

from __future__ import annotations

import datetime as dt
import re

from epa.errors import quote

# The dates any input may hold (README "Value bounds"; the record schema's $defs/date says the same to a record): room
# for deadlines counted years on from one, and no date or number arithmetic that can overflow. One rule: a record's
# fast path (fastrecord) compares with these, and an outcomes file's gateway date is refused by ``out_of_range``.
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2099, 12, 31)
BOUNDS_HINT = 'see "Value bounds" in the README'


def out_of_range(value: str, day: str) -> str | None:
    """Why the date ``day`` (YYYY-MM-DD), read from ``value``, is refused for its bounds, in the record schema's
    words; None where it is within them."""
    if EARLIEST.isoformat() <= day <= LATEST.isoformat():
        return None
    return f"{quote(value)} is out of range: expected a date from {EARLIEST} to {LATEST} (YYYY-MM-DD)"

# The date (any text), then a space or "T", then HH:MM[:SS[.fraction]] (with AM or PM, a 12-hour clock's), then,
# perhaps, a zone: Z, UTC, GMT or an offset (+01:00, -0500, +01).
_TIMED = re.compile(r"(.+?)(?:\s+|[tT])(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?(\s*(?i:[ap]\.?m\.?))?"
                    r"\s*([zZ]|(?i:utc|gmt)|[+-]\d{2}(?::?\d{2})?)?")


class ZonedTime(ValueError):
    """A date with a time of day in a time zone or at a UTC offset: which day it is depends on the zone."""

    def __init__(self, value: str, day: str, zone: str):
        self.day = day  # the date as written before the time
        self.message = f"{quote(value)} has a time in a time zone ({zone}): which day it is depends on the zone"
        self.hint = f"give the date alone, as {day} if that was the day where it took place"
        super().__init__(self.message)


def without_time(value: str) -> str:
    """``value``'s date, written before a time of day with no zone (``20/01/2026 09:30`` -> ``20/01/2026``); else
    ``value`` as it stands (no time of day after it, or one that is no time). Raises ZonedTime for a time with a
    zone or offset."""
    timed = _TIMED.fullmatch(value)
    if timed is None:
        return value
    hours, minutes, seconds = (int(t or 0) for t in timed.group(2, 3, 4))
    if hours > (12 if timed.group(5) else 23) or (timed.group(5) and hours == 0) or minutes > 59 or seconds > 59:
        return value
    day = timed.group(1).strip()
    if timed.group(6):
        raise ZonedTime(value, day, timed.group(6))
    return day
