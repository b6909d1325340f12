"""A cohort's JSON lines (``epa compare --batch --format json``) as UTF-8 bytes, written straight into the chunk's
buffer and from there to the output as they are (never decoded to text and encoded again).

Each line is msgspec's encoding of the record's dict, its results (``BodyResult``, attrs objects) as they are:
msgspec writes an attrs object's fields by name, dates in ISO form, a grade as its word. A line holding a lone
surrogate, which msgspec will not write, is written as the explained path always wrote it: ``json.dumps`` of the
plain data, the surrogate as its JSON escape (for JSON, the same string).

Why msgspec encodes each line whole (measured with bench/json_lines_bench.py, issue 18): a line assembled from
pieces each encoded once and remembered by identity (msgspec.Raw fragments) was slower, not faster. Finding each
piece's fragment and building each result's dict of them is Python work per piece and per result, about what msgspec
takes to encode the piece in C; and a cohort's pieces repeat less than that needs (a deadline, a tolerance check and a
component detail name the record's own dates), so most lines held pieces to encode anyway. What the plain encoding
cost beyond msgspec was the text: each line decoded to a string and encoded again on its way to the file, about as
long as the encoding itself. That is what this module saves.

Measured again in session 8 (bench/json_lines_bench.py times both beside ``add_line``, each checked to give its
bytes): the pieces remembered by identity as ``msgspec.Raw`` fragments, each held beside its object so that its id
cannot be reused while it is remembered, were still slower (about 130 us a line against 71); the results re-made as
msgspec Structs, which msgspec encodes a little faster than attrs objects, no faster once made (77 against 71). What
the line costs is msgspec's per-field work on some 140 attrs objects (a requirement's eight fields take it longer than
its sentence), and any Python that touches each piece costs about as much. bench/explain_bench.py prints the JSON
command's floor beside it: reading, encoding and writing the lines with explaining answered from a table.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import msgspec

_ENCODE_INTO = msgspec.json.Encoder().encode_into


def add_line(out: bytearray, line: int, standard: str, record: str, apprentice: str, differences: list[str],
             results: Sequence[Any]) -> None:
    """Write a record's JSON line, with its newline, at the end of ``out`` (a chunk's buffer)."""
    data = {"line": line, "standard": standard, "record": record, "apprentice": apprentice,
            "differences": differences, "results": results}
    start = len(out)
    try:
        _ENCODE_INTO(data, out, -1)
    except UnicodeEncodeError:  # a string holding a lone surrogate, which msgspec will not write
        del out[start:]
        out += _surrogates_escaped(data)
        return
    except BaseException:  # (the line's error row takes its place: see epa.batch.cohort.grade_item)
        del out[start:]
        raise
    out += b"\n"


def _surrogates_escaped(data: dict[str, Any]) -> bytes:
    """A line msgspec will not write, as the explained path wrote it: ``json.dumps`` of the plain data, each lone
    surrogate written as its escape (``"\\ud800"``), as the output always wrote it (valid UTF-8)."""
    text = json.dumps(msgspec.to_builtins(data), ensure_ascii=False, separators=(",", ":")) + "\n"
    return text.encode("utf-8", "backslashreplace")
