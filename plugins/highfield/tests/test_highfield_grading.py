"""Behaviour tests for Highfield Assessment (body `highfield`), ST0071 Customer Service Specialist.

Source: 002_a4f677c7c4e5fdb6.txt, Highfield End-Point Assessment Kit ST0071/v1.3 (CSS v5.0), in the sources folder
(EPA_SOURCES, default ../shared/seeds).
Every expected value below is read from that document, never from the rules YAML or from running the code;
each test or parametrize row names the section (and row / sentence) it comes from.

The universal properties every body's rules must hold (nothing met fails, all pass criteria pass, any missing pass
criterion fails, all criteria give a distinction, monotonicity, other methods' criteria do not count, argument order,
a fail in any method fails) are the shared conformance suite's (``epa conformance`` / ``pytest --epa-body
highfield``); this module checks what Highfield's kit itself states.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from epa import Grade
from epa.testing import body, combine, grade_component, ids, requires, ruleset, run

pytestmark = requires("highfield")

RECORDS = Path(__file__).parent / "records"

BODY = "highfield"
STD = "ST0071"
DOC = "002_a4f677c7c4e5fdb6.txt"

S_GRADING = f"{DOC} § Grading"
S_PROJECT = f"{DOC} § Work-based project (supported by an interview) criteria"
S_DISCUSSION = f"{DOC} § Professional discussion (supported by portfolio of evidence) criteria"
S_OBSERVATION = f"{DOC} § Practical observation (with Q&As) criteria"
S_STANDARD = f"{DOC} § The Customer Service Specialist apprenticeship standard"

P, D, F = "pass", "distinction", "fail"

# ---------------------------------------------------------------------------------------------------------------
# The catalogue, hard-coded from the per-method criteria sections of the kit (the "To pass, the following must be
# evidenced." / "To gain a distinction, the following must be evidenced" lists), in printed order.
# ---------------------------------------------------------------------------------------------------------------

# 002 § Work-based project (supported by an interview) criteria: Business knowledge and understanding (K1.1, K1.2 |
# K1.3, K1.4); Customer journey knowledge (K2.1, K2.2 | none); Customer service culture and environment awareness
# (K4.3-K4.6 | K4.7); Business-focused service delivery (S1.3 | S1.4); Providing a positive customer experience
# (S2.8, S2.9 | S2.10, S2.11); Working with your customer/customer insights (S3.1, S3.2 | S3.3, S3.4);
# Service improvement (S5.1-S5.3 | S5.4).
PROJECT_PASS = ["K1.1", "K1.2", "K2.1", "K2.2", "K4.3", "K4.4", "K4.5", "K4.6", "S1.3", "S2.8", "S2.9",
                "S3.1", "S3.2", "S5.1", "S5.2", "S5.3"]
PROJECT_DIST = ["K1.3", "K1.4", "K4.7", "S1.4", "S2.10", "S2.11", "S3.3", "S3.4", "S5.4"]

# 002 § Professional discussion (supported by portfolio of evidence) criteria: Business knowledge and understanding
# (K1.5, K1.6 | none); Customer journey knowledge (K2.3, K2.4 | none); Knowing your customer... (K3.1, K3.2 | none);
# Customer service culture... (K4.1 | none); Business-focused service delivery (S1.5 | none); Providing a positive
# customer experience (S2.1 | none); Develop self (B1.1 | B1.2); Ownership/responsibility (B2.1 | none);
# Teamworking (B3.1 | B3.2).
DISCUSSION_PASS = ["K1.5", "K1.6", "K2.3", "K2.4", "K3.1", "K3.2", "K4.1", "S1.5", "S2.1", "B1.1", "B2.1", "B3.1"]
DISCUSSION_DIST = ["B1.2", "B3.2"]

# 002 § Practical observation (with Q&As) criteria: Knowing your customers... (K3.3-K3.6 | none); Customer service
# culture... (K4.2 | none); Business-focused service delivery (S1.1 | S1.2); Providing a positive customer
# experience (S2.2-S2.6 | S2.7); Customer service performance (S4.1, S4.2 | none); Ownership/responsibility
# (B2.2, B2.3 | none); Teamworking (B3.3, B3.4 | none); Equality (B4.1 | none); Presentation (B5.1, B5.2 | none).
OBSERVATION_PASS = ["K3.3", "K3.4", "K3.5", "K3.6", "K4.2", "S1.1", "S2.2", "S2.3", "S2.4", "S2.5", "S2.6",
                    "S4.1", "S4.2", "B2.2", "B2.3", "B3.3", "B3.4", "B4.1", "B5.1", "B5.2"]
OBSERVATION_DIST = ["S1.2", "S2.7"]

CATALOGUE = {
    ("project", P): (PROJECT_PASS, S_PROJECT),
    ("project", D): (PROJECT_DIST, S_PROJECT),
    ("discussion", P): (DISCUSSION_PASS, S_DISCUSSION),
    ("discussion", D): (DISCUSSION_DIST, S_DISCUSSION),
    ("observation", P): (OBSERVATION_PASS, S_OBSERVATION),
    ("observation", D): (OBSERVATION_DIST, S_OBSERVATION),
}
DIST_IDS = {"project": PROJECT_DIST, "discussion": DISCUSSION_DIST, "observation": OBSERVATION_DIST}
METHODS = ("project", "discussion", "observation")  # the printed column order of the 002 § Grading matrix


# 1. Catalogue ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("method", "level"), list(CATALOGUE), ids=[f"{m}-{lv}" for m, lv in CATALOGUE])
def test_catalogue_matches_kit(method, level):
    expected, _section = CATALOGUE[(method, level)]  # cited in the comment above each list
    got = ids(BODY, method, level, STD)
    assert len(got) == len(set(got)), f"duplicate criterion ids in {method}/{level}: {got}"
    assert sorted(got) == sorted(expected)


def test_catalogue_has_no_other_methods():
    # 002 § Assessment summary: "made up of 3 assessment methods": work-based project (supported by an interview),
    # professional discussion (supported by portfolio of evidence), practical observation with Q&As.
    assert set(ruleset(BODY, STD).method_ids) == set(METHODS)


def test_catalogue_total_is_61_distinct_criteria():
    # 002 per-method sections: 16+9 project, 12+2 discussion, 20+2 observation = 61 criteria, each listed once.
    everything = [c for (m, lv) in CATALOGUE for c in ids(BODY, m, lv, STD)]
    assert len(everything) == 61
    assert len(set(everything)) == 61


# 2. Component grading -------------------------------------------------------------------------------------------
# 002 § Grading the work-based project (supported by an interview): "To achieve a pass, apprentices must meet all of
# the pass criteria. To achieve a distinction, apprentices must meet all of the pass and distinction criteria.
# Unsuccessful apprentices will not have achieved all of the pass criteria". The same rule, word for word in
# substance, is printed in § Grading the professional discussion (supported by a portfolio of evidence) and
# § Grading the practical observation (with Q&As). All pass criteria -> pass, all criteria -> distinction, nothing
# met or any one pass criterion missing -> fail, one distinction criterion missing -> pass (no threshold): the
# conformance suite checks these for every body, against the catalogue above.

@pytest.mark.parametrize("method", METHODS)
def test_component_distinctions_without_pass_criteria_is_fail(method):
    # distinction needs "all of the pass criteria and all of the distinction criteria"; no pass criteria -> unsuccessful
    assert grade_component(BODY, method, DIST_IDS[method], STD) == Grade.FAIL


@pytest.mark.parametrize("missing", ["S1.3", "S2.9"])
def test_a_fail_missing_a_criterion_whose_reading_is_its_wording_names_no_reading(missing):
    # "To achieve a pass, apprentices must meet all of the pass criteria": the project without S1.3 (or S2.9) is a
    # fail. The kit's two listings word S1.3 "Evidence"/"Evidences" (ambiguity highfield-s1-3-s1-4-evidence-vs-
    # evidences) and punctuate S2.9 differently (highfield-comma-differences-between-listings): under either wording
    # each is a project pass criterion, so the fail does not turn on the reading. The step said it did.
    met = frozenset(c for c in PROJECT_PASS if c != missing)
    result = body(BODY).call("grade_component", ruleset=ruleset(BODY, STD), method="project", criteria_met=met)
    assert result.grade is Grade.FAIL
    [step] = [s.says for s in result.steps]
    assert step == f"project: {len(PROJECT_PASS) - 1} of {len(PROJECT_PASS)} pass criteria met; missing {missing}: fail"


@pytest.mark.parametrize("missing", ["S2.4", "S2.5", "S2.6"])
def test_an_observation_fail_missing_a_criterion_of_the_garbled_standard_table_names_no_reading(missing):
    # 002 § Practical observation (with Q&As) criteria, Providing a positive customer experience: "To pass, the
    # following must be evidenced." S2.2 ... S2.6. The standard section prints S2.4 split by a page break and S2.5,
    # S2.6 after it (ambiguity highfield-s2-observation-table-garbled); the per-method list places each as a pass
    # criterion of the observation whichever way that table is read: without one, a fail either way. The step said the
    # fail turned on it.
    met = frozenset(c for c in OBSERVATION_PASS if c != missing)
    result = body(BODY).call("grade_component", ruleset=ruleset(BODY, STD), method="observation", criteria_met=met)
    assert result.grade is Grade.FAIL
    [step] = [s.says for s in result.steps]
    assert step.endswith(f"missing {missing}: fail")


# 3. Overall combination -----------------------------------------------------------------------------------------
# 002 § Grading, "The overall grade for the apprentice is determined using the matrix below", columns in printed
# order: Work-based project | Professional discussion | Practical observation | Overall grade awarded.

PRINTED_ROWS = [
    pytest.param(P, P, P, P, id="row2-Pass|Pass|Pass->Pass"),
    pytest.param(D, P, P, P, id="row3-Distinction|Pass|Pass->Pass"),
    pytest.param(P, D, P, P, id="row4-Pass|Distinction|Pass->Pass"),
    pytest.param(P, P, D, P, id="row5-Pass|Pass|Distinction->Pass"),
    pytest.param(D, D, P, P, id="row6-Distinction|Distinction|Pass->Pass"),
    pytest.param(P, D, D, P, id="row7-Pass|Distinction|Distinction->Pass"),
    pytest.param(D, P, D, P, id="row8-Distinction|Pass|Distinction->Pass"),
    pytest.param(D, D, D, D, id="row9-Distinction|Distinction|Distinction->Distinction"),
]


@pytest.mark.parametrize(("project", "discussion", "observation", "overall"), PRINTED_ROWS)
def test_overall_printed_rows(project, discussion, observation, overall):
    # 002 § Grading matrix, one printed row each (row 1 is "Fail any of the 3 assessment methods | Fail").
    assert combine(BODY, STD, project=project, discussion=discussion, observation=observation) == overall


# Row 1 once per printed column, the other two at distinction; every other combination with a fail is the
# conformance suite's "a fail in any method fails".
FAIL_ROW = [(F, D, D), (D, F, D), (D, D, F)]


@pytest.mark.parametrize(("project", "discussion", "observation"), FAIL_ROW,
                         ids=["row1-Fail-any:" + "|".join(c) for c in FAIL_ROW])
def test_overall_fail_row(project, discussion, observation):
    # 002 § Grading matrix, row 1: "Fail any of the 3 assessment methods | Fail".
    assert combine(BODY, STD, project=project, discussion=discussion, observation=observation) == Grade.FAIL


# 4. Placement -------------------------------------------------------------------------------------------------
# Where Highfield's kit puts the criteria whose placement differs between ST0071 documents. Each row cites the
# per-method section listing it; the standard section (002 § The Customer Service Specialist apprenticeship
# standard, the "Pass criteria / Distinction criteria" tables under each method heading) places them the same way.

PLACEMENT = [
    # (criterion, method, level, citation)
    ("K4.2", "observation", P, f"{S_OBSERVATION}: Customer service culture..., K4.2 'current legislation, compliance'"),
    ("S1.5", "discussion", P, f"{S_DISCUSSION}: Business-focused service delivery, S1.5 'resolution of a range of "
                              "complex customer service issues'"),
    ("S2.3", "observation", P, f"{S_OBSERVATION}: Providing a positive customer experience, S2.3 'management of "
                               "challenging and complicated situations'"),
    ("S2.1", "discussion", P, f"{S_DISCUSSION}: Providing a positive customer experience, S2.1 'cost implications'"),
    ("K4.1", "discussion", P, f"{S_DISCUSSION}: Customer service culture..., K4.1 'industry best practice'"),
    ("K3.1", "discussion", P, f"{S_DISCUSSION}: Knowing your customer..., K3.1"),
    ("K3.3", "observation", P, f"{S_OBSERVATION}: Knowing your customers..., K3.3"),
    ("B2.1", "discussion", P, f"{S_DISCUSSION}: Ownership/responsibility, B2.1"),
    ("B2.2", "observation", P, f"{S_OBSERVATION}: Ownership/responsibility, B2.2"),
    ("B3.1", "discussion", P, f"{S_DISCUSSION}: Teamworking, B3.1"),
    ("B3.3", "observation", P, f"{S_OBSERVATION}: Teamworking, B3.3"),
    ("B5.2", "observation", P, f"{S_OBSERVATION}: Presentation, B5.2 'personal presentation' (a pass criterion)"),
    ("S1.1", "observation", P, f"{S_OBSERVATION}: Business-focused service delivery, S1.1"),
    ("S1.3", "project", P, f"{S_PROJECT}: Business-focused service delivery, S1.3"),
    ("S2.8", "project", P, f"{S_PROJECT}: Providing a positive customer experience, S2.8"),
    ("K1.5", "discussion", P, f"{S_DISCUSSION}: Business knowledge and understanding, K1.5"),
    ("K4.3", "project", P, f"{S_PROJECT}: Customer service culture..., K4.3"),
    # the project's distinction criteria, all nine assessed at distinction in the project
    ("K1.3", "project", D, f"{S_PROJECT}: Business knowledge..., distinction K1.3"),
    ("K1.4", "project", D, f"{S_PROJECT}: Business knowledge..., distinction K1.4"),
    ("K4.7", "project", D, f"{S_PROJECT}: Customer service culture..., distinction K4.7 (PESTLE)"),
    ("S1.4", "project", D, f"{S_PROJECT}: Business-focused service delivery, distinction S1.4"),
    ("S2.10", "project", D, f"{S_PROJECT}: Providing a positive customer experience, distinction S2.10"),
    ("S2.11", "project", D, f"{S_PROJECT}: Providing a positive customer experience, distinction S2.11"),
    ("S3.3", "project", D, f"{S_PROJECT}: Working with your customer..., distinction S3.3 (a. and b. one criterion)"),
    ("S3.4", "project", D, f"{S_PROJECT}: Working with your customer..., distinction S3.4"),
    ("S5.4", "project", D, f"{S_PROJECT}: Service improvement, distinction S5.4"),
    ("B1.2", "discussion", D, f"{S_DISCUSSION}: Develop self, distinction B1.2"),
    ("B3.2", "discussion", D, f"{S_DISCUSSION}: Teamworking, distinction B3.2"),
    ("S1.2", "observation", D, f"{S_OBSERVATION}: Business-focused service delivery, distinction S1.2"),
    ("S2.7", "observation", D, f"{S_OBSERVATION}: Providing a positive customer experience, distinction S2.7"),
]


@pytest.mark.parametrize(("cid", "method", "level", "cite"), PLACEMENT,
                         ids=[f"{r[0]}-{r[1]}-{r[2]}" for r in PLACEMENT])
def test_placement(cid, method, level, cite):
    assert cid in ids(BODY, method, level, STD), cite
    elsewhere = [(m, lv) for (m, lv) in CATALOGUE if (m, lv) != (method, level)
                 and cid in ids(BODY, m, lv, STD)]
    assert elsewhere == [], f"{cid} also in {elsewhere}; {cite}"


def test_discussion_has_no_professional_image_distinction():
    # 002 § Professional discussion (supported by portfolio of evidence) criteria: the only distinction criteria are
    # B1.2 (Develop self) and B3.2 (Teamworking); every other heading says "There are no distinction criteria for this
    # component". Personal presentation is B5.2, an observation pass criterion (§ Practical observation, Presentation).
    assert sorted(ids(BODY, "discussion", D, STD)) == ["B1.2", "B3.2"]


# 5. End to end through the CLI ------------------------------------------------------------------------------------

def _grade(name):
    result = run("grade", "--body", BODY, str(RECORDS / name), "--format", "json")
    assert result.exit_code == 0, result.stderr
    return result.json()


def test_cli_all_distinction_record():
    # Every criterion of every method (the three per-method criteria sections) -> each component a distinction
    # (§ Grading the ... : "all of the pass criteria and all of the distinction criteria") -> overall Distinction
    # (002 § Grading, row "Distinction | Distinction | Distinction | Distinction").
    out = _grade("highfield-all-distinction.yaml")
    assert out["body"] == BODY and out["standard"] == STD
    assert out["document"]["file"] == DOC
    assert out["components"] == {"project": D, "discussion": D, "observation": D}
    assert out["overall"] == D
    for method in METHODS:
        detail = out["component_details"][method]
        assert detail["pass_missing"] == [] and detail["distinction_missing"] == []
        assert sorted(detail["distinction_met"]) == sorted(DIST_IDS[method])
    assert out["explanation"], "no explanation steps"
    for step in out["explanation"]:
        assert step["citation"].startswith(DOC), step


def test_cli_observation_fail_record():
    # Project: every criterion -> distinction; discussion: pass criteria only (B1.2, B3.2 absent) -> pass;
    # observation: K4.2 missing (evidenced only in the discussion, where 002 § Professional discussion ... criteria
    # does not list it) -> fail ("Unsuccessful apprentices will have not achieved all of the pass criteria").
    # Overall: 002 § Grading row 1 "Fail any of the 3 assessment methods | Fail".
    out = _grade("highfield-observation-fail.yaml")
    assert out["components"] == {"project": D, "discussion": P, "observation": F}
    assert out["overall"] == F
    assert out["component_details"]["observation"]["pass_missing"] == ["K4.2"]
    assert sorted(out["component_details"]["discussion"]["distinction_missing"]) == ["B1.2", "B3.2"]
    assert any("K4.2" in n.get("says", str(n)) for n in out["notes"]), out["notes"]
    for step in out["explanation"]:
        assert step["citation"].startswith(DOC), step


def test_cli_explanation_cites_printed_row_number():
    # 002 § Grading matrix, counting "Fail any of the 3 assessment methods" as row 1: "Pass | Distinction |
    # Distinction | Pass" is printed row 7 (row 9 is "Distinction | Distinction | Distinction | Distinction").
    outcome = body(BODY).call("combine_grades", ruleset=ruleset(BODY, STD),
                              components={"project": Grade.PASS, "discussion": Grade.DISTINCTION,
                                          "observation": Grade.DISTINCTION})
    assert outcome.grade == Grade.PASS
    assert "row 7 " in outcome.steps[0].says, outcome.steps[0].says
