"""Hostile input, bounded and refused the same way wherever a record comes from: a file (a record or a rules
file), standard input, or one line of a cohort (JSON Lines). The one reader of JSON and YAML text is
``documents.loads``, which checks these bounds before anything recursive or expanding runs; this module holds the
bounds, the words of each refusal, and :func:`json_line`, which reads a cohort's line with that reader.

Issue 18: the line reader (``batch._parse_json``) and the file reader each had their own depth limit and words.
"""

from __future__ import annotations

import re

from epa.errors import InputError, Place, character_named, hidden, quote

# What any input may cost: a record or rules file nests 6 deep and uses no aliases; the limits leave room for both.
MAX_BYTES = 16 * 1024 * 1024   # a file: a record is a few kilobytes, the largest rules file about 100 KB
MAX_RECORD = 1 << 20           # one record of a cohort (a JSON line, a CSV record, line end included): a cohort is
                               # read a record at a time and graded many at once, so each is bounded more tightly
MAX_DEPTH = 64                 # lists and mappings inside each other
MAX_ALIASES = 100              # YAML aliases (*name) in one file
MAX_ALIAS_NODES = 10_000       # nodes the aliases would add if expanded (a "billion laughs" adds billions)
MAX_DIGITS = 4300              # Python reads no longer integer from text (sys.get_int_max_str_digits)

LINE = "<line>"  # the name a cohort's line is read under, in documents.loads' errors; json_line replaces it
LINE_TOO_LONG = (f"the line is longer than {MAX_RECORD >> 20} MiB (a record is at most that)",
                 "one record a line; is the file JSON Lines?")  # (message, hint) of a cohort's error item


def unit(name: str) -> str:
    """What the text named ``name`` is to its reader: a cohort's line, or a file."""
    return "line" if name == LINE else "file"


def too_large(name: str) -> InputError:
    return InputError(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MiB", where=Place(name),
                      hint="a record is a few kilobytes; is this the right file?")


def too_deep(where: Place) -> InputError:
    return InputError(f"lists and mappings nest more than {MAX_DEPTH} deep", where=where, hint="a record nests 4 deep")


def utf16(name: str, encoding: str = "UTF-16") -> InputError:
    return InputError(f"the {unit(name)} is {encoding} text", where=Place(name), hint="save it as UTF-8")


def not_utf8(raw: bytes, start: int, name: str) -> InputError:
    """Bytes that are not UTF-8 at byte ``start`` of ``raw``, named by their value and offset; ``where`` gives
    the line and column in a file (a cohort's line is one line: its column is the offset's)."""
    line = raw.count(b"\n", 0, start) + 1
    column = start - (raw.rfind(b"\n", 0, start) + 1) + 1
    return InputError(f"byte 0x{raw[start]:02x} (byte offset {start}) is not UTF-8 text",
                      where=Place(name) if name == LINE else Place(name, line, column),
                      hint="save the file as UTF-8 (it may be Latin-1 or Windows-1252)")


# What a file read is to hold, as its refusal for holding nothing says it: what it holds none of, and what one is.
RECORD = ("no record", "a record is a mapping of fields (standard:, apprentice:, gateway: ...), as in examples/; is "
                       "this the right file?")
RULES = ("no rules", "a rules file is a mapping (body:, standard:, document:, then its methods: and combination:, or "
                     "a journey's gateway: and deadlines:), as in plugins/<id>/epa_<id>/rules/; is this the right "
                     "file?")


def no_record(name: str, what: str, holds: tuple[str, str] = RECORD) -> InputError:
    """A file or line that holds nothing (``what``: "is empty", "holds only null"...) where it is to hold ``holds``
    (RECORD or RULES)."""
    return InputError(f"the {unit(name)} {what}: it holds {holds[0]}", where=Place(name), hint=holds[1])


# What an apprentice id may not hold: Unicode's Cc (C0, DEL and C1) but a tab, LF and CR, which every output shows as
# their escapes or keeps in their cell (a quoted CSV cell may break its line); and the next-line character and the
# line and paragraph separators (U+0085 NEL, U+2028, U+2029), which no CSV writer quotes and JSON writes as they are,
# so a CSV viewer, a log or a reader splitting lines as Python does breaks the row or the JSON line there (NEL was
# allowed, and taken off an id's ends, after the other two were refused: found by the hunt)
ID_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
# What is taken off an id's ends as blanks: what str.strip() takes off (str.isspace) but the characters above among it
# (VT, FF, FS to US, NEL, U+2028, U+2029), which are refused wherever in the id they are, its ends too
ID_BLANKS = ("\t\n\r \xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
             "\u202f\u205f\u3000")
ID_CONTROL_HINT = "an id is printable text: take the character out (a corrupt export or a paste may have put it there)"


def control_in_id(ident: str) -> str | None:
    """Why the apprentice id ``ident`` is refused for a control or format character (naming it and where), else
    None. The id is printed in every output (CSV and JSON as it is): an escape would reach a terminal as it is
    (recolouring or clearing it), a bidi control reorders what it shows, and a NUL, a backspace or a zero-width space
    make another id of what shows (errors.hidden). One rule for every format: a CSV cell, a workbook's, an outcomes
    file's, a JSON line's or a record file's."""
    found = hidden(ident, ID_CONTROL)
    if found is None:
        return None
    at, char = found
    return f"the apprentice id {quote(ident)} holds {character_named(char)} (character {at + 1})"
