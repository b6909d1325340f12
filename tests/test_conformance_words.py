"""The sources check holds each criterion's words to the document it cites: as the document prints them, its markup
and character references read as a reader sees them."""

from __future__ import annotations

import attrs
import pytest
from test_conformance import base_rules, check, failures, plugin

from conftest import needs_a_body
from epa.rules.sources import sha256, sources_dir


def _printing(tmp_path, added, texts):
    """The rules of an installed body with their document printing ``added`` after its own text, and their first
    criteria worded ``texts``: the sources check's failures."""
    rules = base_rules()
    original = sources_dir() / rules.document.file
    if not original.is_file():
        pytest.skip(f"source document {rules.document.file} not found in {sources_dir()}")
    document = tmp_path / rules.document.file
    document.write_text(original.read_text(encoding="utf-8") + "\n" + added, encoding="utf-8")
    worded = tuple(attrs.evolve(c, text=t) for c, t in zip(rules.criteria, texts, strict=False))
    changed = attrs.evolve(rules, document=attrs.evolve(rules.document, sha256=sha256(document)),
                           criteria=(*worded, *rules.criteria[len(worded):]))
    return failures(check(("broken", plugin(rules=changed)), "sources", tmp_path))


@needs_a_body("the sources check reads an installed body's document")
def test_a_criterion_with_a_note_and_words_from_no_document_fails(tmp_path):
    """TQUK has a note on each of its criteria: a note excused a criterion whose words are in no document."""
    rules = base_rules()
    if not (sources_dir() / rules.document.file).is_file():
        pytest.skip(f"source document {rules.document.file} not found in {sources_dir()}")
    made_up = attrs.evolve(rules.criteria[0], text="Words from no document at all, written from memory.",
                           note="Worded as the standard's knowledge statement.")
    changed = attrs.evolve(rules, criteria=(made_up, *rules.criteria[1:]))
    (found,) = failures(check(("broken", plugin(rules=changed)), "sources", sources_dir()))
    assert found.entry == "$.criteria[0].text" and "Words from no document at all" in found.message


@needs_a_body("the sources check reads an installed body's document")
def test_a_character_reference_in_the_document_is_the_character_it_stands_for(tmp_path):
    """NQual's pack prints `Grading &amp; Criteria`: a criterion quoting such a line as a reader sees it ('&') was
    refused, the check reading 'amp' as words of the document."""
    assert _printing(tmp_path, "Identifies customer types &amp; their needs &#8211; in full.\n",
                     ["Identifies customer types & their needs – in full."]) == []


@needs_a_body("the sources check reads an installed body's document")
def test_a_bare_less_than_sign_is_text_not_the_start_of_a_tag(tmp_path):
    """'scores <50% fail' took everything up to the next '>' for a tag: the criteria printed between were refused,
    and the one printing the '<' with them. A tag (`<b>`, `</p>`) is still markup, and words the document does not
    print still fail."""
    added = ("Scores <50% fail.\nShows how they would adapt their approach.\n<b>Bold</b> words, <i>in</i> markup.\n"
             "Scores of 70% or more > a pass.\n")
    assert _printing(tmp_path, added, ["Scores <50% fail.", "Shows how they would adapt their approach.",
                                       "Bold words, in markup."]) == []
    (found,) = _printing(tmp_path, added, ["Scores <60% fail."])
    assert found.entry == "$.criteria[0].text"
