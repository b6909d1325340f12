"""What the author has still to write: anything left as `epa plugin new` wrote it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from epa.conformance.checks.base import (
    CheckedBody,
    Failure,
    check,
)
from epa.conformance.checks.where import File, files_of, read_quietly
from epa.errors import quote
from epa.inputs.documents import json_path
from epa.model.convert import unstructure
from epa.model.domain import Ruleset

# --- what the author has still to write -------------------------------------------------------------------

MARK = "PLACEHOLDER"  # what `epa plugin new` writes wherever the author's own document must speak (epa.scaffold)


@check("placeholders", f"nothing is left as `epa plugin new` wrote it: no {MARK} in a rule, citation, section or "
       f"document title (nor the scaffold's words for the document's, the mark deleted), no value marked by a comment "
       f"opening with {MARK}, no text that is only a mark an author leaves (TODO, TBD, FIXME, XXX, '...', or "
       "nothing), and every document's sha256 set", "body")
def placeholders(s: CheckedBody) -> Iterator[Failure]:
    yield from placeholder_failures(s.loaded.body.rulesets)


def placeholder_failures(rulesets: Iterable[Ruleset]) -> list[Failure]:
    """Everything of the rulesets still as `epa plugin new` wrote it (the ``placeholders`` check, and
    ``epa check-rules``), in the order the author reads the files: a long list shown in part still shows the
    document's block first."""
    return sorted(_placeholders(rulesets), key=lambda f: (f.file or "", f.line or 0))


def _placeholders(rulesets: Iterable[Ruleset]) -> Iterator[Failure]:
    files: dict[str, File | None] = {}  # each file once: versions of a standard share their journey file
    for r in rulesets:
        found: set[str] = set()
        for file in files_of(r):
            if file in files:
                known = files[file]
                found.update(text for _, text in _marked(known.data if known else None))
                continue
            files[file] = source = read_quietly(file)
            if source is None:
                continue
            for parts, text in _marked(source.data):
                found.add(text)
                yield _placeholder(text, parts, file, source.line(parts))
            yield from _values_marked(source, file)
        # What the files hold is what the author edits; anything marked that reached the ruleset another way
        # (rules built in code) is named by its place in the ruleset.
        for parts, text in _marked(unstructure(r)):
            if text not in found:
                found.add(text)
                yield _placeholder(text, parts, r.source_file, None)
        if r.document.sha256 is None:
            source = files.get(r.source_file or "")
            yield Failure(f"{r.document.file} declares no sha256, so nothing checks that the citations were written "
                          "against its text (`epa plugin new` leaves it null)",
                          "sha256: the SHA-256 of the document's text (`epa conformance --sources DIR` prints it "
                          "when the document is in DIR)", "$.document.sha256", r.source_file,
                          line=source.line(["document", "sha256"]) if source else None)




# What `epa plugin new` writes after the mark where only the author's document can speak (epa.scaffold): an author
# who deletes the mark and keeps these words has still written nothing of the document.
SCAFFOLD_WORDS = ("the version your document gives itself", "what your document says is needed at gateway",
                  "your document's words on the grade a resit or retake can reach", "resits follow a fail only",
                  "how many resits or retakes",
                  "any fail fails; distinction in every method gives a distinction; otherwise a pass")
SCAFFOLD_SECTION = "section heading"  # the citations' section, "<file> § PLACEHOLDER section heading"
# The document's title as written, "PLACEHOLDER: <body name>'s EPA document for <standard>": the name and the
# standard are the author's, so the words around them are what give it away.
SCAFFOLD_TITLE = re.compile(r".+'s EPA document for \S+")


# The marks an author leaves where the document's words are still to come, whatever wrote the file: a text that is
# only such a mark ('TODO', 'tbd', '...', 'Lorem ipsum ...', or nothing at all), or opens with one in capitals
# ('TODO: the observation's criteria'). No document's rule says only these.
LEFT_MARKS = re.compile(r"[\W_]*(?:to ?do|tbd|tbc|tba|fixme|x{3,}|lorem ipsum\b.*|placeholder|"
                        r"to be (?:confirmed|decided|written|added)|\.{3}|…)?[\W_]*", re.IGNORECASE | re.DOTALL)
LEFT_OPENING = re.compile(r"\W*(?:TODO|TBD|TBC|FIXME|XXX)\b")


def _scaffolded(text: str, parts: tuple[Any, ...]) -> bool:
    """Whether a text is still as `epa plugin new` wrote it (with the mark, or its words with the mark deleted), or
    holds nothing but a mark an author leaves (:data:`LEFT_MARKS`)."""
    if MARK in text or LEFT_MARKS.fullmatch(text) or LEFT_OPENING.match(text):
        return True
    words = " ".join(text.split())
    if parts and isinstance(parts[-1], str) and parts[-1].endswith("citation"):
        section = words.partition(" § ")[2].strip()
        return section.lower() == SCAFFOLD_SECTION or bool(section and (LEFT_MARKS.fullmatch(section)
                                                                           or LEFT_OPENING.match(section)))
    if parts[-2:] == ("document", "title"):
        return SCAFFOLD_TITLE.fullmatch(words.lstrip(": ")) is not None
    return words.lstrip(": ").startswith(SCAFFOLD_WORDS)


def _marked(value: Any, parts: tuple[Any, ...] = ()) -> Iterator[tuple[list[Any], str]]:
    """(JSON path parts, text) of every text still as `epa plugin new` wrote it (:func:`_scaffolded`)."""
    if isinstance(value, str):
        if _scaffolded(value, parts):
            yield list(parts), value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _marked(item, (*parts, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _marked(item, (*parts, i))


# A comment opening with the mark, at the end of a line (or a line of its own): what `epa plugin new` writes beside a
# value only the author's document can confirm (a grade, a strength, a list left empty; epa.scaffold.VALUE_MARK). The
# value is the scaffold's until the comment goes: replacing the texts around it with the document's words leaves it a
# claim the author never made.
COMMENT_MARK = re.compile(rf"(?:^|\s)#\s*({MARK}\b.*)$")


def _values_marked(source: File, file: str) -> Iterator[Failure]:
    """Each line of the file ending in a comment that opens with the mark, named by the key or entry it opens."""
    opened = None
    for n, line in enumerate(source.where.text.splitlines(), 1):
        mark = COMMENT_MARK.search(line)
        if mark is None:
            continue
        opened = opened if opened is not None else source.where.keys_by_line()
        parts = opened.get(n)
        said = re.sub(rf"^{MARK}\b(?:\s*\([^)]*\))?\s*:?\s*", "", mark.group(1).strip())
        yield Failure(f"still a placeholder: a value as `epa plugin new` wrote it, marked for "
                      f"{quote(said or mark.group(1).strip())}", "the value your document gives (kept or changed), "
                      "then the comment marking it deleted", json_path(parts) if parts is not None else None, file,
                      line=n)


def _placeholder(text: str, parts: list[Any], file: str | None, line: int | None) -> Failure:
    if parts and parts[-1] == "citation":
        expected = "'<document file> § <the section heading of your document it comes from>'"
    elif parts[-2:] == ["document", "title"]:
        expected = "your document's title, as it gives it"
    else:
        expected = "what your document says here, in its words"
    return Failure(f"still a placeholder: {quote(text)}", expected, json_path(parts), file, line=line)
