"""Highfield's recorded readings name the rules they decide, and are shown where those rules are.

Source: 002_a4f677c7c4e5fdb6.txt (Highfield End-Point Assessment Kit ST0071/v1.3). Each row quotes the kit's
sentence the reading is of, and names the rules that sentence is encoded as (the journey file was read for rule
ids only): where such a rule is shown (`epa journey`, a consistency finding) the user is told it rests on the
tool's reading, not the kit's words alone.
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

pytestmark = requires("highfield")

BODY, STD, DOC = "highfield", "ST0071", "002_a4f677c7c4e5fdb6.txt"

READINGS = {
    # "The evidence will consist of a minimum of 10 pieces of evidence to a maximum of 15 pieces." ('will', not 'must')
    "highfield-portfolio-pieces-will-not-must": (
        {"portfolio-pieces"}, "The evidence will consist of a minimum of 10 pieces of evidence to a maximum of 15 pieces."),
    # "Apprentices must submit the requested portfolio of evidence to Highfield 2 weeks prior to the professional
    # discussion date": gathered at gateway; its size, matrix and submission before the discussion
    "highfield-portfolio-timing": (
        {"portfolio-gathered", "portfolio-pieces", "portfolio-matrix-declaration", "portfolio-submitted",
         "portfolio-before-discussion"},
        "2 weeks prior to the professional discussion date"),
    # "The Gateway Readiness Report should be used to log the outcomes of the meeting": completing it is a 'must'
    # (Readiness), agreeing and submitting it a 'should'
    "highfield-gateway-report-must-vs-should": (
        {"gateway-readiness-report", "gateway-readiness-report-submitted"},
        "The Gateway Readiness Report should be used to log the outcomes of the meeting"),
    "highfield-id-check-before-each-assessment": (
        {"photo-id"}, "will complete an identification check before starting any assessment"),
    "highfield-project-two-month-anchor": (
        {"project-within-2-months-of-epa-start", "project-work-within-2-months-of-gateway"},
        "must be completed within 2 months from the start of the end-point assessment"),
    "highfield-epa-window-before-3-months": (
        {"epa-window-3-months"}, "The interview will take place before the 3-month end-point assessment period."),
    "highfield-resit-window-anchor": (
        {"resit-retake-within-12-months"}, "apprentices should complete retake/resits within 12 months"),
    # 'can': a permission to rearrange a date, which lifts no period (the cap alone is lifted, by exceptional
    # circumstances)
    "highfield-extenuating-circumstances-rearranged-date": (
        {"epa-window-3-months", "resit-retake-within-12-months", "project-rework-1-month"},
        "In the event of extenuating circumstances, apprentices can be given the opportunity to rearrange their date"),
    # the cap has no id: named as resit.cap
    "highfield-resit-cap-resit-only": (
        {"resit.cap"}, "The maximum grade awarded to a resit will be pass"),
    "highfield-maximum-grade-of-a-resit": (
        {"resit.cap"}, "The maximum grade awarded to a resit will be pass"),
    "highfield-project-rework-anchor": (
        {"project-rework-1-month"}, "Apprentices will have 1 month to rework their submission."),
    "highfield-questioning-share-of-time-allowed": (
        {"observation-questioning-share"},
        "should not exceed 15% of the total time allowed for the practical observation"),
    "highfield-observation-workplace-or-remote": (
        {"observation-mode"}, "The practical observation must take place in the apprentice's workplace."),
    "highfield-method-order-contradiction": (
        {"method-order", "observation-before-discussion"},
        "it is recommended to be before the professional discussion"),
    "highfield-report-after-approval-should-only": (
        {"report-after-proposal-approved"},
        "The apprentice should only start writing their project report once the proposal has been approved"),
    # a 'must' inside a list of 'should' advice for a mock
    "highfield-mock-interview-must": (
        {"mock-interview-elements"}, "the trainer/assessor must ask 10 structured and 'open' questions"),
    "highfield-representative-should-not": (
        {"employer-representative"}, "they should not be involved in conducting the interview or grading decision"),
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
    # the requirement photo-id ("identification check before starting any assessment"), stage before_assessment
    ("gateway.evidence.photo-id", "highfield-id-check-before-each-assessment"),
    ("gateway.evidence.gateway-form", "highfield-gateway-report-must-vs-should"),
    ("gateway.evidence.portfolio", "highfield-portfolio-timing"),
    # "The practical observation must take place in the apprentice's workplace." beside "may also take place remotely"
    ("conduct.mode.observation", "highfield-observation-workplace-or-remote"),
    # the mock interview's 'must ask 10 ... questions', shown among advice
    ("recommendations.preparation", "highfield-mock-interview-must"),
    ("recommendations.order", "highfield-method-order-contradiction"),
    ("recommendations.order", "highfield-report-after-approval-should-only"),
    ("recommendations.other", "highfield-representative-should-not"),
    ("tolerances.observation.questioning-minutes", "highfield-questioning-share-of-time-allowed"),
])
def test_a_consistency_finding_on_a_linked_rule_shows_the_reading(finding, ambiguity):
    found = consistency_findings(STD, FOUR)
    assert finding in found, sorted(found)
    readings = readings_shown(found[finding], BODY)
    assert any(re.match(rf"{re.escape(ambiguity)}\b", r) for r in readings), readings
