"""Gateway Qualifications' recorded readings name the rules they decide, and are shown where those rules are.

Source: 004_97be493b5d6ee5b2.txt (Gateway Qualifications EPA Standard Specification V1.1). Each row quotes the
specification's sentence the reading is of, and names the rules that sentence is encoded as (the journey file was
read for rule ids only): where such a rule is shown (`epa journey`, a consistency finding) the user is told it
rests on the tool's reading, not the document's words alone. One journey file serves V1.0 and V1.1.
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
    run,
    source_text,
)

pytestmark = requires("gateway_quals")

BODY, STD, DOC = "gateway_quals", "ST0071", "004_97be493b5d6ee5b2.txt"

# § Special Considerations: advice and a duty in one sentence
INTEGRITY = ("Apprentices and Employers should always aim to reschedule an assessment in the first instance. Applying a "
             "special consideration should be a last resort and must not compromise the integrity of an assessment or "
             "the reliability and validity of its outcome.")

READINGS = {
    "gateway-quals-12-months-and-366-days": (
        {"minimum-time-on-programme"}, "All apprentices must spend a minimum of 12 months on-programme."),
    "gateway-quals-off-the-job-gateway-requirement": (
        {"off-the-job-training"}, "with a minimum of 20% off-the-job training"),
    # a 'must' inside a list introduced 'it is recommended that employers consider the following'
    "gateway-quals-portfolio-in-recommended-list": (
        {"portfolio-maintained"}, "Apprentices must develop and maintain, within a portfolio, examples of their work"),
    "gateway-quals-employer-decision-should": (
        {"employer-satisfied-competent", "employer-provider-confirm-ready", "gateway-meeting-record"},
        "The EPA period should only start once the employer is satisfied"),
    # the evidence listed is required, and late evidence has the next sentence's consequence
    "gateway-quals-evidence-sufficiently-met": (
        {"gateway-evidence-before-gateway", "gateway-evidence-in-time", "gateway-meeting-record", "english-maths",
         "adjustments-request-form"},
        "Apprentices will not be accepted at EPA Gateway if the evidence required is not sufficiently met."),
    "gateway-quals-adjustments-and-special-consideration-timing": (
        {"adjustments-request-form", "reasonable-adjustments-timing", "special-consideration-timing"},
        "Requests for special considerations should be submitted no later than ten working days before the "
        "assessment"),
    "gateway-quals-epa-window-anchor": ({"epa-window"}, "EPA duration Up to 3 months"),
    "gateway-quals-project-two-month-period": (
        {"project-work-two-months"},
        "All work on the project will be undertaken following the EPA Gateway Meeting over a two-month period."),
    "gateway-quals-observation-tolerance-minimum": (
        {"observation-duration", "observation-questioning"},
        "Questions and answers should not exceed 15% of the total time"),
    "gateway-quals-resit-window-anchor": (
        {"resit-within-three-months"}, "must be taken within three months of the fail notification"),
    "gateway-quals-fail-notification-once-all-assessed": (
        {"resit-within-three-months"},
        "Results notification will take place once all assessments have been completed."),
    # the attempts have no id: named as resit.attempts
    "gateway-quals-attempts-not-limited": (
        {"resit.attempts", "resit-action-plan"}, "will be offered the opportunity to resit or a re-take"),
    "gateway-quals-method-order-not-encoded": (
        {"project-before-discussion", "observation-not-before-discussion"},
        "it is recommended that the written work-based project takes place before the professional discussion"),
    "gateway-quals-adjustment-timing-advice": (
        {"reasonable-adjustments-timing", "special-consideration-timing", "adjustments-request-form"},
        "should ideally be submitted to Gateway Qualifications when the learner is registered on EPA Pro"),
    "gateway-quals-representative-should-not": (
        {"employer-representative"}, "they should not be involved in conducting the interview or grading decisions"),
    "gateway-quals-special-consideration-integrity": ({"reschedule-before-special-consideration"}, INTEGRITY),
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
    ("gateway.evidence.gateway-form", "gateway-quals-employer-decision-should"),
    ("gateway.evidence.gateway-form", "gateway-quals-evidence-sufficiently-met"),
    ("deadlines.consequence.evidence-submitted", "gateway-quals-evidence-sufficiently-met"),
    ("recommendations.order", "gateway-quals-method-order-not-encoded"),
    ("recommendations.lead-time", "gateway-quals-adjustment-timing-advice"),
    ("recommendations.preparation", "gateway-quals-attempts-not-limited"),
    ("recommendations.other", "gateway-quals-representative-should-not"),
    # the advice of § Special Considerations is shown as advice, with the reading saying its 'must' is not
    ("recommendations.other", "gateway-quals-special-consideration-integrity"),
    ("tolerances.observation.duration-minutes", "gateway-quals-observation-tolerance-minimum"),
])
def test_a_consistency_finding_on_a_linked_rule_shows_the_reading(finding, ambiguity):
    found = consistency_findings(STD, FOUR)
    assert finding in found, sorted(found)
    readings = readings_shown(found[finding], BODY)
    assert any(re.match(rf"{re.escape(ambiguity)}\b", r) for r in readings), readings


# --- § Special Considerations: "... should be a last resort and must not compromise the integrity of an assessment
# or the reliability and validity of its outcome." The 'must' is a duty on whoever grants a special consideration,
# not advice; no record shows a special consideration, so it is recorded as a reading, never shown as advice.

def test_the_special_consideration_advice_quotes_no_must():
    (rec,) = [r for r in _journey()["recommendations"] if r["id"] == "reschedule-before-special-consideration"]
    assert rec["text"].endswith("Applying a special consideration should be a last resort")
    assert "must" not in rec["text"].split()
    assert rec["text"] in " ".join(source_text(DOC).split())


def test_the_journey_table_of_advice_never_a_failure_holds_no_duty():
    result = run("journey", "--standard", STD, "--body", BODY)
    assert result.exit_code == 0, result.stderr
    advice = result.stdout[result.stdout.index("Recommendations"):]
    assert "compromise" not in advice


def test_the_duty_is_recorded_whole_as_a_reading():
    result = run("ambiguities", "--body", BODY, "--format", "json")
    assert result.exit_code == 0, result.stderr
    found = [a for a in result.json() if a["id"] == "gateway-quals-special-consideration-integrity"]
    assert {a["version"] for a in found} == {"1.0", "1.1"}
    for a in found:
        assert " ".join(a["text_says"].split()) == INTEGRITY
        assert a["rules"] == ["reschedule-before-special-consideration"]
        assert "a requirement, not advice" in " ".join(a["reading"].split())
