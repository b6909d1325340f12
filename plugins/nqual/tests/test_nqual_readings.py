"""NQual's recorded readings name the rules they decide, and are shown where those rules are.

Sources: 000_75563123dfdaaed6.txt (ST0071 EPA Support Pack V1.2) and 001_b8a29f12b00d3850.txt (ST0072 Support Pack
V1.1). Each row quotes the pack's sentence the reading is of, and names the rules that sentence is encoded as (the
rules files were read for rule ids only): where such a rule is shown (`epa journey`, `epa ambiguities`, a
consistency finding) the user is told it rests on the tool's reading, not the pack's words alone.
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

pytestmark = requires("nqual")

BODY = "nqual"
DOCS = {"ST0071": "000_75563123dfdaaed6.txt", "ST0072": "001_b8a29f12b00d3850.txt"}
FORM = ("The Gateway form must be sent to NQual a minimum of 10 working days before End-Point Assessment is carried "
        "out, along with the evidence listed above.")
MOCK = ("It is the responsibility of the employer and training provider to complete a Mock Practical Observation with "
        "the apprentice")

READINGS = {
    ("ST0071", "nqual-st0071-gateway-form-two-requirements"): (
        {"gateway-form-sent", "gateway-form", "gateway-form-10-working-days"}, FORM),
    # the flowchart page: the rules cited to EPA TIMESCALE, and the results deadline
    ("ST0071", "nqual-st0071-timescale-flowchart"): (
        {"registration-90-days", "evidence-upload-10-working-days", "results"},
        "Training Providers should register apprentices for EPA with NQual a minimum of 90 days before assessment."),
    # 'before assessment' / 'prior to EPA': counted back from the first assessment
    ("ST0071", "nqual-st0071-epa-date-anchor"): (
        {"registration-90-days", "evidence-upload-10-working-days", "gateway-form-10-working-days",
         "portfolio-14-days"},
        "All evidence should be uploaded to NQual a minimum of 10 working days prior to EPA."),
    ("ST0071", "nqual-st0071-evidence-should-vs-must"): (
        {"evidence-upload-10-working-days", "evidence-uploaded", "gateway-form-10-working-days", "gateway-form"},
        "All evidence should be uploaded to NQual a minimum of 10 working days prior to EPA."),
    ("ST0071", "nqual-st0071-portfolio-lead-time"): (
        {"portfolio-14-days", "discussion-portfolio", "portfolio-submission"},
        "An apprentice's portfolio should be submitted via ACE360 no later than 14 days prior to End-Point "
        "Assessment."),
    ("ST0071", "nqual-st0071-declaration-expected"): (
        {"portfolio-declaration"},
        "The employer will be expected to sign a declaration to confirm that the portfolio is authentic, and the "
        "apprentice's own work."),
    ("ST0071", "nqual-st0071-epa-window-vs-resit-window"): (
        {"epa-window", "all-methods-12-months"}, "All EPA activity will take place no later than 3 months from Gateway."),
    ("ST0071", "nqual-st0071-resit-window-anchor"): (
        {"all-methods-12-months"},
        "All assessment methods must be taken within a 12-month period, otherwise the entire EPA will need to be "
        "resat / retaken."),
    ("ST0071", "nqual-st0071-employer-confirmation-can"): (
        {"employer-confirms-ready"}, "the employer can formally confirm that the apprentice is ready for EPA via Gateway"),
    ("ST0071", "nqual-st0071-project-before-interview-should-always"): (
        {"project-before-interview"}, "The Work-Based Project should always take place before the interview"),
    # the mocks' durations ('should take', the project's 'will last') and the duty to complete them
    ("ST0071", "nqual-st0071-mock-assessments"): (
        {"mock-observation-duration", "mock-project-duration", "mock-discussion-duration",
         "mocks-employer-provider-responsibility"}, MOCK),
    # stated once for the EPA, applied to each method's grading
    ("ST0071", "nqual-no-per-method-grading-rule"): (
        {"component_rules.observation", "component_rules.project", "component_rules.discussion"},
        "To achieve a Distinction, the apprentice must achieve all Pass and all Distinction criteria."),
    ("ST0072", "nqual-st0072-gateway-form-two-requirements"): (
        {"gateway-form-sent", "gateway-form", "gateway-form-10-working-days"}, FORM),
    ("ST0072", "nqual-st0072-ehcp-footnote"): (
        {"english-maths"}, "British Sign Language qualification are an alternative to English"),
    ("ST0072", "nqual-st0072-epa-date-anchor"): ({"gateway-form-10-working-days"}, FORM),
    ("ST0072", "nqual-st0072-showcase-after-12-months"): (
        {"showcase-after-12-months"}, "The Apprentice Showcase is compiled after 12 months of on-programme learning."),
    ("ST0072", "nqual-st0072-showcase-interview-duration"): (
        {"showcase-interview-20-30-minutes"}, "within a 20-30 minute interview with an Independent Assessor"),
    ("ST0072", "nqual-st0072-discussion-follows-observation"): (
        {"discussion-after-observation"},
        "The Professional Discussion will be a structured discussion between the apprentice and assessor following "
        "the observation"),
    ("ST0072", "nqual-st0072-epa-window-vs-resit-window"): (
        {"epa-window", "all-methods-6-months"}, "All EPA activity will take place no later than 3 months from Gateway."),
    ("ST0072", "nqual-st0072-resit-window-anchor"): (
        {"all-methods-6-months"},
        "All assessment methods must be taken within a 6-month period, otherwise the entire EPA will need to be "
        "resat / retaken."),
    ("ST0072", "nqual-st0072-employer-confirmation-can"): (
        {"employer-confirms-ready"}, "the employer can formally confirm that the apprentice is ready for EPA via Gateway"),
    ("ST0072", "nqual-st0072-showcase-evidence-expected"): (
        {"showcase-evidence"},
        "It is expected that the Portfolio Submission will include elements such as work-based evidence"),
    ("ST0072", "nqual-st0072-mock-assessments"): (
        {"mock-observation-duration", "mock-discussion-duration", "mocks-employer-provider-responsibility"}, MOCK),
    # "Distinction All Pass Criteria Achieved Plus: Apprentice Showcase - 7 out of 10 ...": no overall table
    ("ST0072", "nqual-st0072-overall-distinction"): ({"combination"}, "Apprentice Showcase - 7 out of 10"),
}


@functools.cache
def _ambiguities() -> dict[tuple[str, str], dict]:
    result = run("ambiguities", "--body", BODY, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return {(a["standard"], a["id"]): a for a in result.json()}


def _shown_rules(standard: str) -> set[str]:
    """The names `epa journey` lists (journey_rule_ids), and the grading rules' names."""
    ids = journey_rule_ids(journey_rules(BODY, standard))
    methods = {"ST0071": ("observation", "project", "discussion"), "ST0072": ("showcase", "observation", "discussion")}
    return ids | {"combination"} | {f"component_rules.{m}" for m in methods[standard]}


@pytest.mark.parametrize(("standard", "ambiguity"), sorted(READINGS))
def test_a_reading_names_the_rules_its_sentence_is_encoded_as(standard, ambiguity):
    rules, _ = READINGS[standard, ambiguity]
    assert set(_ambiguities()[standard, ambiguity]["rules"]) == rules
    assert rules <= _shown_rules(standard)


@pytest.mark.parametrize(("standard", "ambiguity"), sorted(READINGS))
def test_the_sentence_quoted_is_the_packs(standard, ambiguity):
    _, words = READINGS[standard, ambiguity]
    assert words in flat(source_text(DOCS[standard]))


def test_the_st0072_overall_reading_names_the_combinations_it_decides():
    # "Distinction All Pass Criteria Achieved Plus: Apprentice Showcase - 7 out of 10 Observation - 4 out of 5
    # Professional Discussion - 3 out of 4": whether one or two Distinctions lift the overall grade is not said;
    # with a Fail, or none or all three Distinction, every reading grades alike
    methods = ("showcase", "observation", "discussion")
    mixed = [dict(zip(methods, grades, strict=True)) for grades in (
        ("distinction", "pass", "pass"), ("pass", "distinction", "pass"), ("pass", "pass", "distinction"),
        ("pass", "distinction", "distinction"), ("distinction", "pass", "distinction"),
        ("distinction", "distinction", "pass"))]
    decided = _ambiguities()["ST0072", "nqual-st0072-overall-distinction"]["combinations"]
    assert sorted(map(sorted, (c.items() for c in decided))) == sorted(map(sorted, (c.items() for c in mixed)))


@pytest.mark.parametrize("standard", ["ST0071", "ST0072"])
def test_the_mock_reading_says_the_duty_is_encoded_as_it_is(standard):
    # "It is the responsibility of the employer and training provider to complete a Mock Practical Observation with
    # the apprentice": encoded as what the pack says of mocks (conduct), so the reading must not call it unencoded
    a = _ambiguities()[standard, f"nqual-{standard.lower()}-mock-assessments"]
    reading = " ".join(a["reading"].split())
    assert "mocks-employer-provider-responsibility" in reading
    assert {c["id"] for c in journey_rules(BODY, standard)["conduct"]} >= {"mocks-employer-provider-responsibility"}
    assert "responsibility to complete the mocks (it says so of each) is encoded" in reading


FOUR = ("gateway_quals", "highfield", "nqual", "tqual")


@requires(*FOUR)
@pytest.mark.parametrize(("finding", "ambiguity"), [
    ("conduct.mocks", "nqual-st0071-mock-assessments"),
    ("recommendations.duration", "nqual-st0071-mock-assessments"),
    ("recommendations.order", "nqual-st0071-project-before-interview-should-always"),
    ("recommendations.lead-time", "nqual-st0071-portfolio-lead-time"),
    ("recommendations.lead-time", "nqual-st0071-epa-date-anchor"),
    ("gateway.evidence.gateway-form", "nqual-st0071-gateway-form-two-requirements"),
    ("gateway.evidence.portfolio-declaration", "nqual-st0071-declaration-expected"),
    ("deadlines.consequence.evidence-submitted", "nqual-st0071-evidence-should-vs-must"),
    ("tolerances.observation.duration-minutes", "nqual-st0071-observation-duration"),
])
def test_a_consistency_finding_on_a_linked_rule_shows_the_reading(finding, ambiguity):
    found = consistency_findings("ST0071", FOUR)
    assert finding in found, sorted(found)
    readings = readings_shown(found[finding], BODY)
    assert any(re.match(rf"{re.escape(ambiguity)}\b", r) for r in readings), readings
