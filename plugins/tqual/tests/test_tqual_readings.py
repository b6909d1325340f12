"""TQUK's recorded readings name the rules they decide, and are shown where those rules are.

Source: 003_3692b76548845e1c.txt (TQUK Standard Specification, ST0071 V1.2). Each row quotes the specification's
sentence the reading is of, and names the rules that sentence is encoded as (the journey file was read for rule
ids only): where such a rule is shown (`epa journey`, a consistency finding) the user is told it rests on the
tool's reading, not the document's words alone.
"""

from __future__ import annotations

import functools
import re

import pytest

from epa.testing import (
    consistency_findings,
    flat,
    journey_rule_ids,
    journey_rules,
    readings_shown,
    requires,
    source_text,
)

pytestmark = requires("tqual")

BODY, STD, DOC = "tqual", "ST0071", "003_3692b76548845e1c.txt"

READINGS = {
    # "the start of the end-point assessment period": what starts it is not stated
    "tqual-epa-period-start-undefined": (
        {"epa-window"},
        "All EPA components must be completed within three months of the start of the end-point assessment period."),
    # one sentence, two requirements: the English and maths themselves, and the declaration the provider is
    # 'requested' to sign
    "tqual-em-declaration-requested": (
        {"english-maths", "english-maths-declaration"},
        "the training provider is also requested sign a declaration"),
    "tqual-proposal-500-words-at-gateway": (
        {"project-proposal-words", "project-proposal"}, "in no more than 500 words"),
    # the share is the reading (15% of the 66 minutes allowed); the 10 minutes are the document's figure
    "tqual-questioning-15-percent-vs-10-minutes": (
        {"observation-questioning-share"},
        "The questioning period should not exceed 15% of the total time allowed for the practical observation."),
    "tqual-portfolio-pieces-selection": (
        {"portfolio-pieces"}, "they will need to select a minimum of 10 and a maximum of 15 pieces of evidence"),
    "tqual-project-two-months-event": (
        {"project-report-submission"},
        "the apprentice will have two months from assessment planning meeting to write and submit the work-based "
        "project"),
    "tqual-resit-window-anchor": (
        {"resit-retake-12-months"}, "the apprentice should complete this within 12 months"),
    "tqual-project-rework-vs-resit": (
        {"project-rework"}, "The apprentice will have one month to rework their submission."),
}


@functools.cache
def _journey() -> dict:
    return journey_rules(BODY, STD)


@pytest.mark.parametrize("ambiguity", sorted(READINGS))
def test_a_reading_names_the_rules_its_sentence_is_encoded_as(ambiguity):
    rules, _ = READINGS[ambiguity]
    journey = _journey()
    recorded = {a["id"]: a for a in journey["ambiguities"]}
    assert set(recorded[ambiguity]["rules"]) == rules
    assert rules <= journey_rule_ids(journey)


@pytest.mark.parametrize("ambiguity", sorted(READINGS))
def test_the_sentence_quoted_is_the_kits(ambiguity):
    _, words = READINGS[ambiguity]
    assert words in flat(source_text(DOC))


FOUR = ("gateway_quals", "highfield", "nqual", "tqual")


@requires(*FOUR)
@pytest.mark.parametrize(("finding", "ambiguity"), [
    # "requested sign a declaration": a request, shown recommended
    ("gateway.evidence.english-maths-declaration", "tqual-em-declaration-requested"),
    # "Prior to gateway ... the apprentice will need to write a work-based project proposal ... in no more than 500
    # words"
    ("gateway.evidence.project-proposal", "tqual-proposal-500-words-at-gateway"),
    ("tolerances.observation.questioning-minutes", "tqual-questioning-15-percent-vs-10-minutes"),
])
def test_a_consistency_finding_on_a_linked_rule_shows_the_reading(finding, ambiguity):
    found = consistency_findings(STD, FOUR)
    assert finding in found, sorted(found)
    readings = readings_shown(found[finding], BODY)
    assert any(re.match(rf"{re.escape(ambiguity)}\b", r) for r in readings), readings
