"""A byte-order mark inside a cohort's text is no text (U+FEFF, the mark a "CSV UTF-8" export starts with: pasted
into a cell, at a joined file's row, or carried into a JSON Lines export's string): it shows nothing, and an id
holding one would be another apprentice's than the one shown. Each reader of a cohort takes it out here: a CSV
row's text, a workbook's cells, a JSON line's strings."""

from __future__ import annotations

import re

MARK = "\ufeff"


def unmarked(text: str) -> str:
    """``text`` without a byte-order mark in it."""
    return text.replace(MARK, "") if MARK in text else text


# In a JSON line: the mark as UTF-8, or escaped (\ufeff in any case); an escaped backslash is matched as a pair, so
# that \\ufeff (a backslash, then the letters) stays text. (Backslashes stand only in strings in valid JSON: pairs
# are read from a string's start.)
_MARKS = re.compile(rb"\xef\xbb\xbf|\\\\|\\u[fF][eE][fF][fF]")
_ESCAPED = re.compile(rb"\\u[fF][eE][fF][fF]")


def unmarked_json(raw: bytes) -> bytes:
    """A JSON line's bytes without a byte-order mark in its strings (or between its tokens)."""
    if b"\xef\xbb\xbf" not in raw and (b"\\u" not in raw or _ESCAPED.search(raw) is None):
        return raw
    return _MARKS.sub(lambda found: found[0] if found[0] == b"\\\\" else b"", raw)
