"""One hostile-input reader for a record file and a cohort's line (issue 18: "one hostile-input reader for files
and lines"; the two had each their own depth limit and words): the same bytes are refused with the same message
and hint whether they are a record file or one line of a JSON Lines cohort, and one depth limit holds for both.
Only where a line cannot say what a file says does it differ: the line's name for itself, and a position given as
the line's column (or the JSON path) rather than a file's line and column."""

from __future__ import annotations

import pytest

from epa.batch.cohort import _parse_json
from epa.errors import InputError
from epa.inputs import hostile
from epa.inputs.documents import parse

RECORD = b'{"standard": "ST0071", "apprentice": {"id": "A-1"}, "gateway": {"date": "2025-01-01"}}'

HOSTILE = {
    "not UTF-8 (Latin-1)": RECORD.replace(b"A-1", b"caf\xe9"),
    "UTF-32": b"\xff\xfe\x00\x00" + RECORD.decode().encode("utf-32-le"),
    "nested too deep": b"[" * (hostile.MAX_DEPTH + 1) + b"]" * (hostile.MAX_DEPTH + 1),
    "nested too deep inside the record": RECORD.replace(b'"A-1"', b"[" * 70 + b"]" * 70),
    "NaN": RECORD.replace(b'"A-1"', b"NaN"),
    "a number too large": RECORD.replace(b'"A-1"', b"1e999"),
    "a duplicate key": RECORD.replace(b'"gateway"', b'"standard": "ST0072", "gateway"'),
    "a lone surrogate": RECORD.replace(b"A-1", b"\\ud800"),
    "only null": b"null",
    "a syntax error": RECORD[:-1],
}


def _refusals(raw: bytes) -> tuple[InputError, InputError]:
    with pytest.raises(InputError) as as_file:
        parse(raw, "cohort.json", "json")
    with pytest.raises(InputError) as as_line:
        _parse_json(raw, "cohort.jsonl:7")
    return as_file.value, as_line.value


def _positions_removed(message: str) -> str:
    """A message without the position a line adds (its column), which a file gives in where instead."""
    return message.split(" (column ")[0]


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_line_is_refused_as_a_file_is(name):
    as_file, as_line = _refusals(HOSTILE[name])
    said = as_file.message.replace("the file ", "the line ", 1)
    assert _positions_removed(as_line.message) == said
    assert as_line.hint == (as_file.hint or "each line holds one whole record as a JSON object")
    assert as_line.where.startswith("cohort.jsonl:7")
    path = as_file.where.partition(": ")[2]  # a JSON path, where the file's refusal has one
    assert as_line.where == (f"cohort.jsonl:7: {path}" if path else "cohort.jsonl:7")


def test_bytes_that_are_not_utf8_are_named_with_their_offset_in_the_line():
    """The words of a file's refusal (which name the byte and the encoding it is likely in), not a line's own
    "undecodable bytes (not UTF-8) at column N" with a shorter hint."""
    raw = HOSTILE["not UTF-8 (Latin-1)"]
    offset = raw.index(b"\xe9")
    as_file, as_line = _refusals(raw)
    assert as_line.message == as_file.message == f"byte 0xe9 (byte offset {offset}) is not UTF-8 text"
    assert as_line.hint == as_file.hint and "Windows-1252" in as_line.hint
    assert as_file.where == f"cohort.json:1:{offset + 1}" and as_line.where == "cohort.jsonl:7"


@pytest.mark.parametrize("depth", [hostile.MAX_DEPTH, hostile.MAX_DEPTH + 1])
def test_one_depth_limit_for_a_file_and_a_line(depth):
    raw = b'{"a": ' + b"[" * (depth - 1) + b"]" * (depth - 1) + b"}"
    if depth <= hostile.MAX_DEPTH:
        assert parse(raw, "cohort.json", "json")[0] == _parse_json(raw, "cohort.jsonl:7")
        return
    as_file, as_line = _refusals(raw)
    assert as_file.message == _positions_removed(as_line.message) == \
        f"lists and mappings nest more than {hostile.MAX_DEPTH} deep"


def test_the_summary_counts_bytes_not_utf8_as_one_reason_wherever_they_are():
    """Its table of the commonest reasons counts lines refused alike as one reason, their offsets aside."""
    from epa.batch.cohort import reason_pattern

    assert reason_pattern("byte 0xe9 (byte offset 48) is not UTF-8 text") == \
        reason_pattern("byte 0xe9 (byte offset 7) is not UTF-8 text")


def test_a_line_with_a_utf16_mark_is_refused_where_a_file_with_one_is_read():
    """A file saved as UTF-16 with its mark is read as its text (tests/test_utf16_exports.py), a UTF-16 cohort too,
    as the UTF-8 it holds: a line that still starts with a UTF-16 mark is no line of text, and is refused."""
    raw = b"\xff\xfe" + RECORD.decode().encode("utf-16-le")
    assert parse(raw, "record.json", "json")[0]["apprentice"] == {"id": "A-1"}
    with pytest.raises(InputError) as as_line:
        _parse_json(raw, "cohort.jsonl:7")
    assert "the line is UTF-16 text" in as_line.value.message
