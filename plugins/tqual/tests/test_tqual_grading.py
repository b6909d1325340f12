"""Behaviour tests for TQUK (`tqual`), ST0071 Customer Service Specialist, Level 3.

Every expected value below comes from TQUK's document, 003_3692b76548845e1c.txt (Standard
Specification, ST0071 V1.2, updated 09 Dec 2024), never from the rules YAML or from running the code.

TQUK words its grading criteria without numbers. The shared criterion ids are Highfield's codes
(002_a4f677c7c4e5fdb6.txt, the End-Point Assessment Kit, which numbers K1.1 ... B5.2); each TQUK
criterion below is matched to the 002 code of the same wording, and its method and level are read
from the TQUK table (003) it is printed in.

The "Overall Grading" table is garbled in the extraction (003 § Overall Grading):

    Observation  Work-Based Project  Professional Discussion  Overall Grade
    A fail in any assessment component will result in a fail overall
    Pass         Pass                Pass                     Pass
                 Distinction         Distinction
    Distinction  Pass                Pass                     Distinction
                 Distinction         Distinction

The reading tested here (the ruleset's ambiguity `tqual-overall-grading-table-garbled`): the second
line of each block is the second line of the same cells, i.e. the project and discussion cells read
"Pass / Distinction" (either grade). So when nothing failed, the overall grade is the observation's.

The properties every body's rules must have (nothing met fails, all pass criteria pass, any missing
pass criterion fails, all criteria give distinction, other methods' criteria do not count, a fail in
any method fails) are checked by the shared conformance suite, not repeated here.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import yaml

from epa import Grade
from epa.testing import body, combine, grade_component, ids, requires, ruleset, run

pytestmark = requires("tqual")

RECORDS = Path(__file__).parent / "records"
BODY = "tqual"
SEED = "003_3692b76548845e1c.txt"
STANDARD = "ST0071"
METHODS = ("observation", "project", "discussion")

OBS_TABLE = f"{SEED} § Practical observation with questions and answers - KSBs and Grading Criteria"
PRJ_TABLE = f"{SEED} § Work-based project - KSBs and Grading Criteria"
DIS_TABLE = f"{SEED} § Professional Discussion - KSBs and Grading Criteria"
OVERALL = f"{SEED} § Overall Grading"

# ---------------------------------------------------------------------------------------------
# The catalogue, read from 003's KSB tables by meaning (the 002 code of the same wording).
# ---------------------------------------------------------------------------------------------

# 003 § Practical observation with questions and answers - KSBs and Grading Criteria
OBSERVATION_PASS = [
    # Knowledge - Knowing your customers and their needs/Customer Insight (Distinction: N/A)
    "K3.3",  # "Demonstrates how they analyse, use and present a range of information ... customer insight."
    "K3.4",  # "An ability to assess at least three different customer types and their role of emotions ..."
    "K3.6",  # "Evidences knowledge of how customer expectations can differ between cultures, ages ..."
    "K3.5",  # "Ability to react appropriately to customer emotions and bring about a successful outcome ..."
    # Knowledge - Customer service culture and environment awareness (Distinction: N/A)
    "K4.2",  # "Demonstrates an understanding of current legislation, compliance and regulatory guidance ..."
    # Skills - Business focused service delivery (Distinction: N/A)
    "S1.1",  # "An ability to assess situations and offer clear explanations, options and solutions ..."
    # Skills - Providing a positive customer experience (Pass column)
    "S2.2",  # "Demonstrates through advanced questioning, listening and summarising, the negotiation ..."
    "S2.3",  # "Demonstrates management of challenging and complicated situations ..."
    "S2.5",  # "Recognises when customer emotions have been affected by the level of service offered."
    "S2.6",  # "Demonstrates how they adapt their communication style to clearly and concisely communicate ..."
    # Skills - Customer service performance (Distinction: N/A)
    "S4.1",  # "Evidences when they have maintained a positive relationship, even when they are unable ..."
    "B2.2",  # "Evidences how they recognise when customer expectations are not met ..." (printed under Skills)
    "S4.2",  # "Demonstrates when and how historical interactions, challenges ... referrals and escalations."
    # Behaviours - Ownership / Responsibility (Distinction: N/A)
    "S2.4",  # "Demonstrates identifying, negotiating and agreeing appropriate options ..." (under Behaviours)
    "B2.3",  # "Shows proactivity and creativity when identifying solutions ..."
    # Behaviours - Team working (Distinction: N/A)
    "B3.3",  # "Demonstrates achievement of results through effective teamwork and collaboration ..."
    "B3.4",  # "Shows adaptability of own skills when working with internal customers."
    # Behaviours - Equality (Distinction: N/A)
    "B4.1",  # "Demonstrates adaptability and flexibility in working towards meeting customer needs ..."
    # Behaviours - Presentation (Distinction: N/A)
    "B5.1",  # "Demonstrates brand advocacy, values and beliefs when dealing with customer requests ..."
    "B5.2",  # "Evidence to show how their personal presentation made a positive impact on ... brand."
]
OBSERVATION_DISTINCTION = [
    # Skills - Providing a positive customer experience (Distinction column, the only one in the
    # observation tables that is not "N/A")
    "S1.2",  # "Demonstrates own communication with customers that ensures the best solution ..."
    "S2.7",  # "Demonstrates when they provided additional solutions to customers and made recommendations ..."
]

# 003 § Work-based project - KSBs and Grading Criteria
PROJECT_PASS = [
    # Knowledge - Business Knowledge and Understanding (Pass column)
    "K1.1",  # "Evidence that they understand the impact of the organisation's mission statement ..."
    "K1.2",  # "Demonstrates the ability to recommend improvement to the customer service provision ..."
    # Knowledge - Customer Journey knowledge (Distinction: N/A)
    "K2.1",  # "Demonstrates an understanding of customer journeys within their organisation ..."
    "K2.2",  # "Demonstrates an understanding of the underpinning business processes ..."
    # Knowledge - Customer service culture and environment awareness (garbled: "Pass / Distinction"
    # headers then five lines; the four worded like pass criteria, 002's K4.3-K4.6 pass)
    "K4.3",  # "Demonstrates the ability to discuss the internal and external factors ..."
    "K4.4",  # "Evidences knowledge of the departmental roles/functions within their organisational structure ..."
    "K4.5",  # "Evidence of how they demonstrate the importance of effective communication among departments ..."
    "K4.6",  # "Demonstrates the ability to identify potential causes of service failure ..."
    # Skills - Business-focused service delivery (Pass column)
    "S1.3",  # "Evidences when they made decisions and recommendations to improve their own ... delivery."
    # Skills - Providing a positive customer experience (Pass column)
    "S2.8",  # "Provides evidence to show how they identify information ... to provide customer insight ..."
    "S2.9",  # "Demonstrates how they communicate with customers, gain full information on their experience ..."
    # Skills - Working with your customers / customer insights (Pass column)
    "S3.1",  # "Evidences how they proactively seek and gather customer feedback ... evaluate this feedback ..."
    "S3.2",  # "Ability to gather and analyse information about the types of customers ..."
    # Skills - Service improvement (Pass column)
    "S5.1",  # "Evidence to show how they use the qualitative and quantitative customer experience data ..."
    "S5.2",  # "Evidences the way in which they analyse this data to recommend continuous improvement ..."
    "S5.3",  # "Demonstrates how they take into consideration current legislation ... recommendations for change."
]
PROJECT_DISTINCTION = [
    # Knowledge - Business Knowledge and Understanding (Distinction column)
    "K1.3",  # "Evidence to support their research and analysis of customer service standards ... other organisations"
    "K1.4",  # "Demonstrate the ability to consider the possible impact ... of not considering the future ..."
    # Knowledge - Customer service culture and environment awareness (the line printed straight after
    # the "Distinction" header; 002's K4.7 distinction)
    "K4.7",  # "Demonstrate the importance of assessing the political, economic, social, technical, legal ..."
    # Skills - Business-focused service delivery (Distinction column)
    "S1.4",  # "Evidences when they evaluated the strengths and weaknesses of feedback methods used ..."
    # Skills - Providing a positive customer experience (Distinction column)
    "S2.10",  # "Demonstrates an ability to identify trends/recurring issues and analyse why they occurred ..."
    # Skills - Working with your customers / customer insights (Distinction column)
    "S3.3",  # "Demonstrates how knowing their customer and their needs has a direct impact on: a. ... b. ..."
    "S3.4",  # "Evidence to show when they have proactively gathered customer feedback ... service level agreement ..."
    # Skills - Service improvement (Distinction column)
    "S5.4",  # "Ability to identify and recognise when problems reoccur, discuss these reoccurring problems ..."
    "S2.11",  # "Provides evidence to show when they analyse the risks and opportunities to implement change."
]

# 003 § Professional Discussion - KSBs and Grading Criteria
DISCUSSION_PASS = [
    # Knowledge - Business Knowledge and Understanding (Distinction: N/A)
    "K1.5",  # "Ability to describe their role in meeting their organisation's customer service standards ..."
    "K1.6",  # "Evidence of how they identify the different types of leadership styles ..."
    # Knowledge - Customer Journey knowledge (Distinction: N/A)
    "K2.3",  # "Understanding of why customer issues and complex situations sometimes need referral ..."
    "K2.4",  # "Ability to adhere to their organisation's service level agreement ... limit of their authority ..."
    # Knowledge - Knowing your customers and their needs/Customer Insight (Distinction: N/A)
    "K3.1",  # "Evidences knowledge of how their internal and external customers' expectations can differ ..."
    "K3.2",  # "Demonstrates factors used to drive and improve loyalty, retention and satisfaction ..."
    # Knowledge - Customer service culture and environment awareness (Distinction: N/A)
    "K4.1",  # "Evidences knowledge of where different sources of information on industry best practice ..."
    # Skills - Business-focused service delivery (Distinction: N/A)
    "S1.5",  # "Demonstrates resolution of a range of complex customer service issues ..."
    # Skills - Providing a positive customer experience (Distinction: N/A)
    "S2.1",  # "Demonstrates when they have balanced ... while showing they have considered cost implications."
    # Behaviours - Develop self (Pass column)
    "B1.1",  # "Provides evidence to demonstrate how they have achieved learning and development goals ..."
    # Behaviours - Ownership / Responsibility (Distinction: N/A)
    "B2.1",  # "Demonstrates responsibility and ownership in resolving customer issues ..."
    # Behaviours - Team working (Pass column)
    "B3.1",  # "Demonstrates sharing own knowledge and experience with others to support colleague development."
]
DISCUSSION_DISTINCTION = [
    "B1.2",  # Develop self: "Demonstrates how they evaluate and review improvements made to their own ..."
    "B3.2",  # Team working: "Evidences when they have assessed the impact of sharing their own knowledge on: A. ... B. ..."
]

CATALOGUE = {
    ("observation", "pass"): (OBSERVATION_PASS, OBS_TABLE),
    ("observation", "distinction"): (OBSERVATION_DISTINCTION, OBS_TABLE),
    ("project", "pass"): (PROJECT_PASS, PRJ_TABLE),
    ("project", "distinction"): (PROJECT_DISTINCTION, PRJ_TABLE),
    ("discussion", "pass"): (DISCUSSION_PASS, DIS_TABLE),
    ("discussion", "distinction"): (DISCUSSION_DISTINCTION, DIS_TABLE),
}

# Highfield's numbered criteria (002 § Work-based project (supported by an interview) criteria,
# § Professional discussion (supported by portfolio of evidence) criteria, § Practical observation
# (with Q&As) criteria): K1.1-K1.6, K2.1-K2.4, K3.1-K3.6, K4.1-K4.7, S1.1-S1.5, S2.1-S2.11,
# S3.1-S3.4, S4.1-S4.2, S5.1-S5.4, B1.1-B1.2, B2.1-B2.3, B3.1-B3.4, B4.1, B5.1-B5.2.
HIGHFIELD_CODES = (
    [f"K1.{i}" for i in range(1, 7)] + [f"K2.{i}" for i in range(1, 5)] + [f"K3.{i}" for i in range(1, 7)]
    + [f"K4.{i}" for i in range(1, 8)] + [f"S1.{i}" for i in range(1, 6)] + [f"S2.{i}" for i in range(1, 12)]
    + [f"S3.{i}" for i in range(1, 5)] + [f"S4.{i}" for i in range(1, 3)] + [f"S5.{i}" for i in range(1, 5)]
    + ["B1.1", "B1.2", "B2.1", "B2.2", "B2.3", "B3.1", "B3.2", "B3.3", "B3.4", "B4.1", "B5.1", "B5.2"]
)


# ---------------------------------------------------------------------------------------------
# 1. Catalogue: ids(...) equals the document-derived list for every method and level.
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "level"), list(CATALOGUE), ids=[f"{m}-{lv}" for m, lv in CATALOGUE])
def test_catalogue(method, level):
    expected, citation = CATALOGUE[(method, level)]
    got = ids(BODY, method, level, STANDARD)
    assert len(got) == len(set(got)), f"duplicate ids in {method}/{level}: {got}"
    assert sorted(got) == sorted(expected), citation


def test_catalogue_counts():
    # 003's tables, counted: observation 20 pass / 2 distinction; project 16 / 9; discussion 12 / 2.
    assert [len(CATALOGUE[k][0]) for k in CATALOGUE] == [20, 2, 16, 9, 12, 2]


def test_every_highfield_code_appears_exactly_once():
    # TQUK's three tables between them word every one of 002's 61 numbered criteria once, and nothing
    # else (003 § ... KSBs and Grading Criteria, all three); no criterion is left out or assessed twice.
    rules = ruleset(BODY, STANDARD)
    all_ids = [c.id for c in rules.criteria]
    assert sorted(all_ids) == sorted(HIGHFIELD_CODES)
    assert len(HIGHFIELD_CODES) == 61
    derived = [c for lst, _ in CATALOGUE.values() for c in lst]
    assert sorted(derived) == sorted(HIGHFIELD_CODES)


def test_methods_and_citations():
    # 003 § Assessment Methods: "three assessment methods: Practical observation with questions and
    # answers / Professional discussion supported by a portfolio of evidence / Work-based project,
    # supported by an interview".
    rules = ruleset(BODY, STANDARD)
    assert set(rules.method_ids) == set(METHODS)
    assert rules.document.file == SEED
    assert rules.document.version == "1.2"  # 003 § Key Information: "Version: 1.2"
    for c in rules.criteria:
        assert c.citation == CATALOGUE[(c.method, c.level)][1], c.id


# ---------------------------------------------------------------------------------------------
# 2. Component grading per method.
# 003 § Grading (identical under each of the three methods): "To achieve a pass in this
# assessment, the apprentice must meet all the pass criteria. To be awarded a distinction, they
# must meet all the pass criteria and all the distinction criteria. If the apprentice does not
# meet all the pass criteria, this assessment will be graded as a fail."
# This is the rule every body states; the conformance suite checks it on the catalogue above
# (nothing met, all pass, each pass criterion missing, all distinction, no threshold). TQUK's own
# cases are the placement in section 4 and the CLI records in section 5.
# ---------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------
# 3. Overall grading, 003 § Overall Grading, row by row as printed (under the reading above).
# ---------------------------------------------------------------------------------------------

ALL = list(itertools.product(["fail", "pass", "distinction"], repeat=3))
WITH_A_FAIL = [c for c in ALL if "fail" in c]
# One fail, the other two methods at their best: under the reading above (the observation decides
# when nothing failed) these are the rows where the fail row must win over the observation's grade.
ONE_FAIL_REST_BEST = [("fail", "distinction", "distinction"), ("distinction", "fail", "distinction"),
                      ("distinction", "distinction", "fail")]


@pytest.mark.parametrize(("observation", "project", "discussion"), ONE_FAIL_REST_BEST,
                         ids=["/".join(c) for c in ONE_FAIL_REST_BEST])
def test_overall_fail_row(observation, project, discussion):
    # 003 § Overall Grading, printed row 1 (spanning the table): "A fail in any assessment component
    # will result in a fail overall". All 19 combinations with a fail are checked by the conformance
    # suite ("any fail fails"); here the fail in each method beside two distinctions.
    got = combine(BODY, STANDARD, observation=observation, project=project, discussion=discussion)
    assert got == Grade.FAIL


PASS_BLOCK = [("pass", p, d) for p in ("pass", "distinction") for d in ("pass", "distinction")]
DISTINCTION_BLOCK = [("distinction", p, d) for p in ("pass", "distinction") for d in ("pass", "distinction")]


@pytest.mark.parametrize(("observation", "project", "discussion"), PASS_BLOCK,
                         ids=["/".join(c) for c in PASS_BLOCK])
def test_overall_pass_row(observation, project, discussion):
    # 003 § Overall Grading, printed block 2:
    #   "Pass | Pass | Pass | Pass"
    #   "     | Distinction | Distinction |"
    # read as Observation Pass, Project Pass/Distinction, Discussion Pass/Distinction -> Pass.
    got = combine(BODY, STANDARD, observation=observation, project=project, discussion=discussion)
    assert got == Grade.PASS


@pytest.mark.parametrize(("observation", "project", "discussion"), DISTINCTION_BLOCK,
                         ids=["/".join(c) for c in DISTINCTION_BLOCK])
def test_overall_distinction_row(observation, project, discussion):
    # 003 § Overall Grading, printed block 3:
    #   "Distinction | Pass | Pass | Distinction"
    #   "            | Distinction | Distinction |"
    # read as Observation Distinction, Project Pass/Distinction, Discussion Pass/Distinction -> Distinction.
    got = combine(BODY, STANDARD, observation=observation, project=project, discussion=discussion)
    assert got == Grade.DISTINCTION


def test_overall_acceptance_case():
    # 003 § Overall Grading, the first line of printed block 3 exactly as printed:
    # "Distinction | Pass | Pass | Distinction" (Observation | Work-Based Project | Professional
    # Discussion | Overall Grade). TQUK awards distinction.
    got = combine(BODY, STANDARD, observation="distinction", project="pass", discussion="pass")
    assert got == Grade.DISTINCTION


def test_overall_table_covers_all_27():
    # Under this reading the printed table decides every combination: 19 by the fail row, 4 by the
    # Pass block, 4 by the Distinction block (003 § Overall Grading); none is left to the words.
    assert len(WITH_A_FAIL) + len(PASS_BLOCK) + len(DISTINCTION_BLOCK) == 27
    assert set(WITH_A_FAIL) | set(PASS_BLOCK) | set(DISTINCTION_BLOCK) == set(ALL)
    rules = ruleset(BODY, STANDARD)
    for combo in ALL:
        got = body(BODY).call("combine_grades", ruleset=rules,
                            components=dict(zip(METHODS, map(Grade, combo), strict=True)))
        # decided by a printed row, each citing the Overall Grading section (the four combinations the extraction
        # does not print plainly say the row is a reading: below)
        assert len(got.steps) == 1 and "row" in got.steps[0].says, combo
        assert got.steps[0].citation == OVERALL, combo


# ---------------------------------------------------------------------------------------------
# 4. Placement: where TQUK's tables put criteria that Highfield's 002 puts under other headings,
# and the overall rule where TQUK differs from Highfield.
# ---------------------------------------------------------------------------------------------

PLACEMENTS = [
    # (id, method, level, where 003 prints it)
    ("B2.2", "observation", "pass",
     "003 observation table, Skills 'Customer service performance' Pass column (002: Behaviour B2.2, observation)"),
    ("S2.4", "observation", "pass",
     "003 observation table, Behaviours 'Ownership / Responsibility' Pass column (002: Skill S2.4, observation)"),
    ("S1.2", "observation", "distinction",
     "003 observation table, 'Providing a positive customer experience' Distinction column; "
     "its 'Business focused service delivery' table prints N/A (002: S1.2 under Business-focused)"),
    ("S2.11", "project", "distinction",
     "003 project table, 'Service improvement' Distinction column (002: S2.11 under Providing a positive "
     "customer experience)"),
    ("K4.7", "project", "distinction",
     "003 project table, 'Customer service culture and environment awareness', the line printed after "
     "the 'Distinction' header"),
    ("K4.2", "observation", "pass",
     "003 observation table, 'Customer service culture and environment awareness' Pass column"),
    ("K4.1", "discussion", "pass",
     "003 discussion table, 'Customer service culture and environment awareness' Pass column"),
    ("S2.1", "discussion", "pass",
     "003 discussion table, 'Providing a positive customer experience' Pass column (cost-conscious)"),
]


@pytest.mark.parametrize(("cid", "method", "level", "where"), PLACEMENTS, ids=[p[0] for p in PLACEMENTS])
def test_placement(cid, method, level, where):
    criterion = ruleset(BODY, STANDARD).criterion(cid)
    assert criterion is not None, where
    assert (criterion.method, criterion.level) == (method, level), where
    assert criterion.citation == CATALOGUE[(method, level)][1]


def test_placed_criterion_counts_only_in_its_method():
    # S2.4 is printed in the observation table only (003 observation table, Ownership / Responsibility):
    # meeting it in the discussion does not replace a missing discussion pass criterion (B2.1).
    met = [c for c in DISCUSSION_PASS if c != "B2.1"] + ["S2.4"]
    assert grade_component(BODY, "discussion", met, STANDARD) == Grade.FAIL


@requires("tqual", "highfield")
@pytest.mark.parametrize(
    ("observation", "project", "discussion", "highfield", "tqual"),
    [
        # 002 § overall grade matrix (Project | Discussion | Observation): "Pass Pass Distinction -> Pass";
        # 003 § Overall Grading: "Distinction | Pass | Pass | Distinction".
        ("distinction", "pass", "pass", Grade.PASS, Grade.DISTINCTION),
        # 002: "Distinction Pass Distinction -> Pass"; 003 Distinction block (project Pass/Distinction).
        ("distinction", "distinction", "pass", Grade.PASS, Grade.DISTINCTION),
        # 002: "Distinction Distinction Pass -> Pass"; 003 Pass block: observation Pass -> Pass.
        ("pass", "distinction", "distinction", Grade.PASS, Grade.PASS),
        # 002: "Distinction Distinction Distinction -> Distinction"; 003 Distinction block.
        ("distinction", "distinction", "distinction", Grade.DISTINCTION, Grade.DISTINCTION),
    ],
    ids=["obsD-P-P", "obsD-D-P", "obsP-D-D", "D-D-D"],
)
def test_overall_divergence_from_highfield(observation, project, discussion, highfield, tqual):
    grades = dict(observation=observation, project=project, discussion=discussion)
    assert combine(BODY, STANDARD, **grades) == tqual
    assert combine("highfield", STANDARD, **grades) == highfield


# ---------------------------------------------------------------------------------------------
# 5. End to end through the CLI.
# ---------------------------------------------------------------------------------------------


def _grade(record: str) -> dict:
    result = run("grade", "--body", BODY, str(RECORDS / record), "--format", "json")
    assert result.exit_code == 0, result.stderr
    out = result.json()
    assert out["body"] == BODY
    assert out["document"]["file"] == SEED
    assert out["explanation"], "no explanation"
    for step in out["explanation"]:
        assert step["citation"] and step["citation"].startswith(SEED), step
    return out


def test_cli_acceptance_observation_distinction():
    # Component grades observation=distinction, project=pass, discussion=pass:
    # 003 § Overall Grading "Distinction | Pass | Pass | Distinction" -> TQUK awards distinction.
    out = _grade("tqual-observation-distinction.yaml")
    assert out["components"] == {"observation": "distinction", "project": "pass", "discussion": "pass"}
    assert out["overall"] == "distinction"
    overall_steps = [s for s in out["explanation"] if s["about"] == "overall"]
    assert overall_steps and all(s["citation"] == OVERALL for s in overall_steps)


def test_cli_criteria_observation_distinction():
    # 003 § Grading: observation meets all pass and all (both) distinction criteria -> distinction;
    # project and discussion meet all pass but not all distinction criteria -> pass.
    # 003 § Overall Grading: "Distinction | Pass | Pass | Distinction".
    out = _grade("tqual-criteria-observation-distinction.yaml")
    assert out["components"] == {"observation": "distinction", "project": "pass", "discussion": "pass"}
    assert out["overall"] == "distinction"
    details = out["component_details"]
    assert details["observation"]["pass_missing"] == []
    assert sorted(details["observation"]["distinction_met"]) == sorted(OBSERVATION_DISTINCTION)
    assert sorted(details["project"]["distinction_missing"]) == sorted(set(PROJECT_DISTINCTION) - {"K1.3"})
    assert details["discussion"]["distinction_missing"] == ["B3.2"]


# 003 prints a "Grading" heading under each method (after "Observation with Q&A", "Work-Based Project" and
# "Professional Discussion"), each over the same three sentences; a heading printed more than once is cited under the
# heading above it that tells them apart (docs/plugins.md). A bare "§ Grading" names the first, the observation's.
METHOD_GRADING = {
    "observation": f"{SEED} § Observation with Q&A > Grading",
    "project": f"{SEED} § Work-Based Project > Grading",
    "discussion": f"{SEED} § Professional Discussion > Grading",
}


def test_cli_each_method_grade_cites_its_own_grading_section():
    # 003 § Work-Based Project > Grading: "To achieve a pass in this assessment, the apprentice must meet all the
    # pass criteria ..." is the project's rule, printed under the project; the project's steps cite it, not the
    # observation's Grading (the first one printed), and likewise the discussion's.
    out = _grade("tqual-criteria-observation-distinction.yaml")
    for method, section in METHOD_GRADING.items():
        steps = [s for s in out["explanation"] if s["about"] == method]
        assert steps and all(s["citation"] == section for s in steps), (method, steps)


def test_cli_project_fail():
    # 003 § Grading: a missing pass criterion (S5.3) fails the project; 003 § Overall Grading:
    # "A fail in any assessment component will result in a fail overall".
    out = _grade("tqual-project-fail.yaml")
    assert out["components"] == {"observation": "distinction", "project": "fail", "discussion": "pass"}
    assert out["component_details"]["project"]["pass_missing"] == ["S5.3"]
    assert out["overall"] == "fail"


def test_cli_awaiting_a_component():
    # 003 § Overall Grading: "Once an apprentice has completed all assessment components, the grades
    # are combined": with no discussion yet there is no overall grade.
    out = _grade("tqual-awaiting-discussion.yaml")
    assert out["components"]["discussion"] is None
    assert out["overall"] is None


def test_cli_table_format_runs():
    result = run("grade", "--body", BODY, str(RECORDS / "tqual-observation-distinction.yaml"))
    assert result.exit_code == 0, result.stderr
    assert "distinction" in result.stdout.lower()


def test_cli_resit_caps_overall_at_pass():
    # 003 § Resits and Retakes: "If a resit or retake is required, the overall EPA grade will be capped
    # at a pass, unless Training Qualifications UK determines there are exceptional circumstances."
    # Discussion failed then resat (pass), observation distinction, project pass -> pass, not distinction.
    out = _grade("tqual-resit-cap.yaml")
    assert out["components"] == {"observation": "distinction", "project": "pass", "discussion": "pass"}
    assert out["overall"] == "pass"


# The four combinations the table's garbled extraction does not plainly print (003 § Overall Grading: its
# second lines "Distinction | Distinction" sit under the project and discussion columns with nothing under the
# observation or overall grade, so a line of its own would print only P/D/D and D/D/D): their grade is the
# reading of the table, and the explanation says so rather than only "printed row N gives ...". The rows the
# extraction prints whole on one line (P/P/P -> Pass, D/P/P -> Distinction) need no such word.
READ_NOT_PRINTED = [("pass", "pass", "distinction"), ("pass", "distinction", "pass"),
                    ("distinction", "pass", "distinction"), ("distinction", "distinction", "pass")]


def _overall_steps(tmp_path: Path, observation: str, project: str, discussion: str) -> list[str]:
    record = {"standard": STANDARD, "apprentice": {"id": "TQ-READING"}, "gateway": {"date": "2025-09-01"},
              "assessments": [{"method": "project", "date": "2025-09-29", "grade": project},
                              {"method": "discussion", "date": "2025-10-20", "grade": discussion},
                              {"method": "observation", "date": "2025-11-03", "grade": observation}]}
    path = tmp_path / "record.yaml"
    path.write_text(yaml.safe_dump(record), encoding="utf-8")
    result = run("grade", "--body", BODY, str(path), "--format", "json")
    assert result.exit_code == 0, result.stderr
    return [s["says"] for s in result.json()["explanation"] if s["about"] == "overall"]


@pytest.mark.parametrize(("observation", "project", "discussion"), READ_NOT_PRINTED,
                         ids=["/".join(c) for c in READ_NOT_PRINTED])
def test_a_combination_the_table_does_not_plainly_print_is_said_to_be_a_reading(tmp_path, observation, project,
                                                                                 discussion):
    says = _overall_steps(tmp_path, observation, project, discussion)
    assert any("tqual-overall-grading-table-garbled" in s and "reading" in s for s in says), says


@pytest.mark.parametrize(("observation", "project", "discussion"),
                         [("pass", "pass", "pass"), ("distinction", "pass", "pass")], ids=["P/P/P", "D/P/P"])
def test_a_combination_printed_on_one_line_is_not_said_to_be_a_reading(tmp_path, observation, project, discussion):
    says = _overall_steps(tmp_path, observation, project, discussion)
    assert not any("tqual-overall-grading-table-garbled" in s for s in says), says


# A grade said to turn on a reading ---------------------------------------------------------------------------------
# 003 § Work-Based Project > Grading (and § Observation with Q&A > Grading): "To achieve a pass in this assessment, the
# apprentice must meet all the pass criteria. To be awarded a distinction, they must meet all the pass criteria and all
# the distinction criteria." A step says the grade turns on a reading only where, read otherwise, the criteria missing
# would not hold it down.

def _steps(method: str, met: set[str]) -> tuple[Grade, str]:
    result = body(BODY).call("grade_component", ruleset=ruleset(BODY, STANDARD), method=method,
                             criteria_met=frozenset(met))
    return result.grade, " ".join(s.says for s in result.steps)


@pytest.mark.parametrize("missing", ["K4.3", "K4.6"])
def test_a_project_fail_missing_a_culture_pass_line_names_no_reading(missing):
    # 003 § Work-based project - KSBs and Grading Criteria, Customer service culture and environment awareness: "Pass"
    # and "Distinction" printed on lines of their own, then five lines. The reading doubted (tqual-prj-culture-table-
    # columns) is the PESTLE line's column; read otherwise, all five are pass, these among them: a fail either way.
    # It said "the grade turns on K4.3".
    grade, says = _steps("project", set(PROJECT_PASS) - {missing})
    assert grade is Grade.FAIL
    assert f"missing {missing}: fail" in says and "ambiguity" not in says


# The PESTLE line ("Demonstrate the importance of assessing the political, economic, social, technical, legal and
# environmental factors ...") read as the one distinction criterion of that table (tqual-prj-culture-table-columns).
# Read otherwise ("If the five were all pass"), it is a pass criterion, and "To achieve a pass in this assessment, the
# apprentice must meet all the pass criteria. ... If the apprentice does not meet all the pass criteria, this
# assessment will be graded as a fail" (003 § Work-Based Project > Grading): a project passed without it is a fail
# read otherwise, whatever else it misses of the distinction criteria. It was said only where K4.7 was the one
# distinction criterion missing, and then as if read otherwise the project would rise to a distinction.
@pytest.mark.parametrize("also_missing", [(), ("S2.11",), ("K1.4", "S5.4")], ids=["alone", "with-S2.11", "with-two"])
def test_a_project_pass_missing_the_pestle_line_turns_on_its_reading_to_a_fail(also_missing):
    grade, says = _steps("project", set(PROJECT_PASS) | set(PROJECT_DISTINCTION) - {"K4.7", *also_missing})
    assert grade is Grade.PASS
    assert ("): pass; the grade turns on K4.7, which the tool encodes on its reading of an ambiguous passage "
            "(ambiguity tqual-prj-culture-table-columns, shown by `epa ambiguities`): read otherwise, a pass needs "
            "it, and without it this is a fail") in says


def test_a_project_fail_missing_the_pestle_line_too_names_no_reading():
    # A pass line missing (K4.3) is a fail under either reading; read otherwise K4.7 is one more pass criterion
    # missing, a fail still: no reading is named.
    grade, says = _steps("project", set(PROJECT_PASS) - {"K4.3"})
    assert grade is Grade.FAIL
    assert "missing K4.3: fail" in says and "ambiguity" not in says


def test_a_project_distinction_meeting_the_pestle_line_names_no_reading():
    # Every criterion met: a distinction read either way (read otherwise, K4.7 a pass criterion met).
    grade, says = _steps("project", set(PROJECT_PASS) | set(PROJECT_DISTINCTION))
    assert grade is Grade.DISTINCTION
    assert "ambiguity" not in says


@pytest.mark.parametrize("method,missing", [("observation", "S1.2"), ("observation", "S2.7"),
                                            ("project", "S2.11"), ("project", "S5.4")])
def test_a_pass_missing_a_distinction_cell_whose_row_is_read_names_no_reading(method, missing):
    # 003 § Practical observation ... - KSBs and Grading Criteria, Providing a positive customer experience, and
    # § Work-based project - KSBs and Grading Criteria, Service improvement: each criterion is printed in the
    # Distinction column; the readings (tqual-obs-positive-experience-distinction-column, tqual-prj-service-improvement-
    # distinction-column) are of the row or heading it sits beside, "method and level are the same either way". A
    # pass missing it alone is a pass under any reading; it said "the grade turns on" it.
    passes, distinctions = ((OBSERVATION_PASS, OBSERVATION_DISTINCTION) if method == "observation"
                            else (PROJECT_PASS, PROJECT_DISTINCTION))
    grade, says = _steps(method, set(passes) | set(distinctions) - {missing})
    assert grade is Grade.PASS
    assert f"missing {missing}): pass" in says and "ambiguity" not in says
