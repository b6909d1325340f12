"""Behaviour tests for Gateway Qualifications' ST0071 rules (body id `gateway_quals`).

Every expected value below comes from the document, 004_97be493b5d6ee5b2.txt (EPA Standard
Specification V1.1, May 2024; its change log describes V1.0, January 2024), never from the
ruleset YAML. Each parametrize row quotes the document's words for the criterion or table row it
tests. Criterion ids are the shared Highfield codes (002_a4f677c7c4e5fdb6.txt, numbered criteria),
matched by meaning; the one Gateway criterion with no Highfield equivalent is X.PROFESSIONAL-IMAGE.

Section citations used below (all in 004_97be493b5d6ee5b2.txt):
  TABLE  = § 2.7 Grading requirements
  OBS    = § Appendix 2 Grade descriptors / Assessment method 1: Practical observation (with Q&As)
  PRJ    = § Appendix 2 Grade descriptors / Assessment method 2: Work-based project (supported by interview)
  DIS    = § Appendix 2 Grade descriptors / Assessment method 3: Professional Discussion (supported by portfolio evidence)
  LOG    = § Version and date / Change detail (the change log on the first page)
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from epa import Grade
from epa.testing import body, combine, grade_component, ids, requires, ruleset, run

pytestmark = requires("gateway_quals")

BODY = "gateway_quals"
STANDARD = "ST0071"
RECORDS = Path(__file__).parent / "records"
SEED = "004_97be493b5d6ee5b2.txt"
VERSIONS = ("1.0", "1.1")
METHODS = ("observation", "project", "discussion")
F, P, D = Grade.FAIL, Grade.PASS, Grade.DISTINCTION

# --------------------------------------------------------------------------------------------
# The catalogue, from Appendix 2 Grade descriptors, in the document's order: (id, the document's words).
# --------------------------------------------------------------------------------------------

# OBS, "Pass Criteria: the apprentice must display all the following:" (V1.1 as printed)
OBS_PASS_V11 = [
    ("K3.4", "An ability to assess at least 3 different customer types and their role of emotions"),
    ("S2.2", "Demonstrates through advanced questioning, listening and summarising, the negotiation of mutually beneficial outcomes"),
    ("S2.3", "Demonstrates management of challenging and complicated situations"),
    ("S1.1", "An ability to assess situations and offer clear explanations, options and solutions"),
    ("K3.5", "Ability to react appropriately to customer emotions"),
    ("K3.6", "Evidences knowledge of how customer expectations can differ between cultures, ages and social profiles"),
    ("S2.5", "Recognises when customer emotions have been affected by the level of service offered"),
    ("K4.2", "Demonstrates an understanding of current legislation, compliance and regulatory guidance and their impact on"),
    ("S2.6", "Demonstrates how they adapt their communication style"),
    ("S4.1", "Evidences when they have maintained a positive relationship even when they are unable to deliver"),
    ("B2.2", "Evidences how they recognise when customer expectations are not met"),
    ("S4.2", "Demonstrates when and how historical interactions, challenges and related information are taken into account"),
    ("B2.3", "Shows proactivity and creativity when identifying solutions"),
    ("S2.4", "Demonstrates identifying, negotiating and agreeing appropriate options with customers"),
    ("B3.3", "Demonstrates achievement of results through effective team work and collaboration"),
    ("B3.4", "Shows adaptability of own skills when working with internal customers"),
    ("B4.1", "Demonstrates adaptability and flexibility in working towards meeting customer needs"),
    ("B5.2", "Evidence to show how their personal presentation made a positive impact"),
    ("B5.1", "Demonstrate brand advocacy, values and belief when dealing with customer"),
    ("K3.3", "Demonstrates how they analyse, use and present a range of information in order to provide customer insight"),
]
# LOG, V1.1: "pg22: practical observation - removal of one of the pass criteria (Demonstrates resolution of a
# range of complex customer service issues, explaining the approach used and why, demonstrating accountability
# throughout). This criteria has now been moved to the professional discussion" -> V1.0 had it in the observation.
S15 = ("S1.5", "Demonstrates resolution of a range of complex customer service issues, explaining the approach used and why, demonstrating accountability throughout")
OBS_PASS_V10 = OBS_PASS_V11 + [S15]
# OBS, "Distinction Criteria: the apprentice must display all the pass criteria and all the following:"
OBS_DIST = [
    ("S1.2", "Demonstrates own communication with customers that ensures the best solution"),
    ("S2.7", "Demonstrates when they provided additional solutions to customers and made recommendations"),
]

# PRJ, "Pass Criteria: the apprentice must display all the following:" (unchanged by the change log)
PRJ_PASS = [
    ("K1.1", "Evidence that they understand the impact of the organisation's mission statement and business strategy"),
    ("K1.2", "Ability to recommend improvement to the customer service provision, the steps required to implement this change"),
    ("K2.1", "Demonstrates an understanding of customer journeys within their organisation"),
    ("K2.2", "An understanding of the underpinning business processes"),
    ("S2.8", "Provides evidence to show how they identify information which can be used by their organisation to provide customer insight"),
    ("K4.3", "Ability to discuss the internal and external factors influencing their business environment and culture"),
    ("K4.4", "Evidences knowledge of the departmental roles/functions"),
    ("K4.5", "Evidence of how they demonstrate the importance of effective communication among departments"),
    ("K4.6", "Ability to identify potential causes of service failure"),
    ("S1.3", "Evidences when they made decisions and recommendations to improve their own customer service delivery"),
    ("S2.9", "Demonstrates how they communicate with customers, gaining full information on their experience"),
    ("S3.1", "Evidences how they proactively seek and gather customer feedback through a variety of methods"),
    ("S3.2", "Ability to gather and analyse information about the types of customers"),
    ("S5.1", "Evidence to show how they use the qualitative and quantitative customer experience data"),
    ("S5.2", "Evidences the way in which they analyse this data to recommend continuous improvement"),
    ("S5.3", "Demonstrates how they take into consideration current legislation, compliance and regulatory guidance when making recommendations"),
]
# PRJ, "Distinction Criteria: ... all the following:" -- one single criterion (Highfield 002 has nine).
PRJ_DIST = [
    ("K1.3", "Evidence to support their research and analysis of customer service standards and mission statements of other organisations"),
]

# DIS, "Pass Criteria: the apprentice must display all the following:" (V1.1 as printed; S1.5 is the 9th row)
DIS_PASS_V11 = [
    ("K1.5", "Ability to describe their role in meeting their organisation's customer service standards"),
    ("K1.6", "Evidence of how they identify the different types of leadership styles"),
    ("S2.1", "Demonstrates when they have balanced the meeting of their customer and their organisation's needs while showing they have considered cost implications"),
    ("B3.1", "Demonstrate sharing own knowledge and experience with others, to support colleague development"),
    ("K2.3", "Understanding of why customer issues and complex situations sometimes need referral or escalation"),
    ("K2.4", "Ability to adhere to their organisation's service level agreement"),
    ("K3.1", "Evidences knowledge of how their internal and external customers' expectations can differ"),
    ("B2.1", "Demonstrates responsibility and ownership in resolving customer issues"),
    S15,
    ("K3.2", "Demonstrates factors used to drive and improve loyalty, retention and satisfaction"),
    ("K4.1", "Evidences knowledge of where different sources of information on industry best practice can be found"),
    ("B1.1", "Provides evidence to demonstrate how they have achieved learning and development goals"),
]
# LOG, V1.1: "pg28: professional discussion - addition of the pass criteria that was formerly part of the
# practical observation." -> V1.0's discussion had the other eleven.
DIS_PASS_V10 = [c for c in DIS_PASS_V11 if c != S15]
# DIS, "Distinction Criteria: the apprentice must display all the pass criteria and all the following:"
DIS_DIST = [
    ("B3.2", "Evidences when they have assessed the impact of sharing their own knowledge on"),
    ("X.PROFESSIONAL-IMAGE", "Evidences when they have analysed the importance of their professional image and its relationship with the organisation's brand"),
    ("B1.2", "Demonstrates how they evaluate and review improvements made to their own customer service to ensure a future-focused approach"),
]

CATALOGUE = {
    "1.0": {"observation": {"pass": OBS_PASS_V10, "distinction": OBS_DIST},
            "project": {"pass": PRJ_PASS, "distinction": PRJ_DIST},
            "discussion": {"pass": DIS_PASS_V10, "distinction": DIS_DIST}},
    "1.1": {"observation": {"pass": OBS_PASS_V11, "distinction": OBS_DIST},
            "project": {"pass": PRJ_PASS, "distinction": PRJ_DIST},
            "discussion": {"pass": DIS_PASS_V11, "distinction": DIS_DIST}},
}
# Appendix 1 (the KSBs) and Appendix 2 (the grade descriptors) both print "Assessment method 1: Practical observation
# (with Q&As)" and "Assessment method 3: Professional discussion (supported by portfolio evidence)"; a heading printed
# more than once is cited under the heading above it that tells them apart (docs/plugins.md), here Appendix 2's. A
# bare "§ Assessment method 1: ..." names Appendix 1's, which lists the KSBs and grades nothing.
APPENDIX2_SECTION = {
    "observation": "Appendix 2 Grade descriptors > Assessment method 1: Practical observation (with Q&As)",
    "project": "Appendix 2 Grade descriptors > Assessment method 2: Work-based project (supported by interview)",
    "discussion": "Appendix 2 Grade descriptors > Assessment method 3: Professional Discussion (supported by portfolio "
                  "evidence)",
}


def _ids(rows):
    return [cid for cid, _ in rows]


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("’", "'")).strip().lower()


def _catalogue_rows():
    for version, methods in CATALOGUE.items():
        for method, levels in methods.items():
            for level, rows in levels.items():
                for cid, words in rows:
                    yield pytest.param(version, method, level, cid, words, id=f"v{version}-{method}-{level}-{cid}")


# ============================================================================================
# 1. The overall combination table: TABLE, "Grades from individual assessment methods should be combined
#    in the following way". Columns: method 1 observation, method 2 project, method 3 discussion.
# ============================================================================================

PRINTED_ROWS = [
    # (observation, project, discussion, overall, the printed row)
    (P, P, P, P, "Pass | Pass | Pass | Pass"),
    (P, P, D, P, "Pass | Pass | Distinction | Pass"),
    (P, D, P, P, "Pass | Distinction | Pass | Pass"),
    (D, P, P, P, "Distinction | Pass | Pass | Pass"),
    (P, D, D, P, "Pass | Distinction | Distinction | Pass"),
    (D, P, D, P, "Distinction | Pass | Distinction | Pass"),
    (D, D, P, P, "Distinction | Distinction | Pass | Pass"),
    (D, D, D, D, "Distinction | Distinction | Distinction | Distinction"),
]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("obs,prj,dis,overall",
                         [pytest.param(*r[:4], id=f"TABLE row '{r[4]}'") for r in PRINTED_ROWS])
def test_printed_combination_row(version, obs, prj, dis, overall):
    # 004 § 2.7 Grading requirements, the printed row named in the test id.
    assert combine(BODY, STANDARD, version=version, observation=obs, project=prj, discussion=dis) == overall


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("obs,prj,dis", [pytest.param(F, D, D, id="observation-fail"),
                                         pytest.param(D, F, D, id="project-fail"),
                                         pytest.param(D, D, F, id="discussion-fail")])
def test_fail_row_any_method_failed(version, obs, prj, dis):
    # 004 § 2.7 Grading requirements, first row: "A fail grade in any assessment method | Fail";
    # and "Failure of any component of the EPA will result in an overall failure of the EPA and the apprenticeship."
    # One fail beside two distinctions, for each method (the row's three encodings); every other combination with
    # a fail is the shared conformance suite's "any fail fails".
    assert combine(BODY, STANDARD, version=version, observation=obs, project=prj, discussion=dis) == F


@pytest.mark.parametrize("version", VERSIONS)
def test_encoded_rows_are_the_printed_table_in_order(version):
    # 004 § 2.7 Grading requirements: the table prints the fail row first ("A fail grade in any assessment
    # method | Fail"), then the eight rows above in that order. The fail row may be encoded as one row per method
    # (fail/any/any, any/fail/any, any/any/fail); the others must be the printed rows, in printed order.
    rows = ruleset(BODY, STANDARD, version).combination.rows
    encoded = [(r.when.get("observation"), r.when.get("project"), r.when.get("discussion"), r.overall) for r in rows]
    fail_rows = [e for e in encoded if e[3] == F]
    assert encoded[:len(fail_rows)] == fail_rows  # the fail row comes first
    assert sorted(fail_rows) == sorted([(F, "any", "any", F), ("any", F, "any", F), ("any", "any", F, F)])
    assert encoded[len(fail_rows):] == [r[:4] for r in PRINTED_ROWS]
    assert all(r.citation.startswith(SEED) and r.citation.endswith("2.7 Grading requirements") for r in rows)


@pytest.mark.parametrize("version", VERSIONS)
def test_ruleset_says_table_is_complete(version):
    # 004 § 2.7 Grading requirements: the printed table (fail row + 8 rows) covers all 27 combinations.
    assert ruleset(BODY, STANDARD, version).combination.complete is True


# ============================================================================================
# 2. The catalogue: ids per method and level, per version (Appendix 2 Grade descriptors + change log).
# ============================================================================================

@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("level", ("pass", "distinction"))
def test_catalogue_ids(version, method, level):
    # 004 § Appendix 2 Grade descriptors, the method's table, Pass / Distinction column; V1.0 per the change log.
    expected = _ids(CATALOGUE[version][method][level])
    assert len(expected) == len(set(expected))
    assert sorted(ids(BODY, method, level, STANDARD, version=version)) == sorted(expected)


@pytest.mark.parametrize("version", VERSIONS)
def test_catalogue_sizes(version):
    # 004 § Appendix 2 Grade descriptors: counted rows. V1.1 obs 20 pass / 2 dist, project 16 / 1, discussion
    # 12 / 3; V1.0 (change log pg22/pg28) moves S1.5: obs 21 pass, discussion 11 pass.
    sizes = {m: (len(ids(BODY, m, "pass", STANDARD, version=version)),
                 len(ids(BODY, m, "distinction", STANDARD, version=version))) for m in METHODS}
    if version == "1.1":
        assert sizes == {"observation": (20, 2), "project": (16, 1), "discussion": (12, 3)}
    else:
        assert sizes == {"observation": (21, 2), "project": (16, 1), "discussion": (11, 3)}


@pytest.mark.parametrize("version", VERSIONS)
def test_no_criteria_beyond_the_three_methods(version):
    # 004 § 2.4 Assessment overview: three assessment methods; every criterion belongs to one of them.
    rules = ruleset(BODY, STANDARD, version)
    expected = sorted(cid for m in METHODS for lv in ("pass", "distinction") for cid in _ids(CATALOGUE[version][m][lv]))
    assert sorted(c.id for c in rules.criteria) == expected


@pytest.mark.parametrize("version,method,level,cid,words", list(_catalogue_rows()))
def test_criterion_words_and_citation(version, method, level, cid, words):
    # 004 § Appendix 2 Grade descriptors: the criterion's encoded text carries the document's words (quoted in
    # the row), and cites the method's Appendix 2 table.
    criterion = ruleset(BODY, STANDARD, version).criterion(cid)
    assert criterion is not None
    assert (criterion.method, criterion.level) == (method, level)
    assert _norm(words) in _norm(criterion.text)
    assert criterion.citation.startswith(SEED)
    if (version, cid) == ("1.0", "S1.5"):
        # V1.0's observation S1.5 is known only from the change log (V1.1 row, "pg22: practical observation -
        # removal of one of the pass criteria (...)"): it cites the change log's heading, not Appendix 2.
        assert _norm(criterion.citation).endswith(_norm("Version and date Change detail Section/page reference"))
    else:
        assert _norm(criterion.citation).endswith(_norm(APPENDIX2_SECTION[method]))


# ============================================================================================
# 3. Component grading per method. Appendix 2, each method: "Pass Criteria: the apprentice must display all the
#    following"; "Distinction Criteria: the apprentice must display all the pass criteria and all the following";
#    "Fail Criteria: the apprentice does not provide sufficient evidence to demonstrate that their performance
#    meets the requirements of the pass criteria". 2.7: "achieve a pass ... by meeting all the pass descriptors".
#    The generic battery (nothing met fails, all pass criteria pass, each single missing pass criterion fails, all
#    pass + all distinction is a distinction, one distinction fewer is a pass) is the shared conformance suite's.
# ============================================================================================

def _missing_pass_rows():
    for version in VERSIONS:
        for method in METHODS:
            for cid, _words in CATALOGUE[version][method]["pass"]:
                yield pytest.param(version, method, cid, id=f"v{version}-{method}-without-{cid}")


def _set(version, method, level):
    return set(_ids(CATALOGUE[version][method][level]))


@pytest.mark.parametrize("version,method,missing", list(_missing_pass_rows()))
def test_one_pass_missing_with_all_distinctions_still_fails(version, method, missing):
    # Appendix 2, Distinction column: "must display all the pass criteria and all the following" -- the
    # distinction criteria cannot stand in for a missing pass criterion.
    met = (_set(version, method, "pass") - {missing}) | _set(version, method, "distinction")
    assert grade_component(BODY, method, met, STANDARD, version=version) == F


@pytest.mark.parametrize("version", VERSIONS)
def test_project_distinction_needs_only_k13(version):
    # 004 § Appendix 2, Assessment method 2: the Distinction column has a single criterion, "Evidence to support
    # their research and analysis of customer service standards and mission statements of other organisations".
    # Highfield's eight other project distinction criteria (002) are not needed here.
    met = set(_ids(PRJ_PASS)) | {"K1.3"}
    assert grade_component(BODY, "project", met, STANDARD, version=version) == D
    assert grade_component(BODY, "project", set(_ids(PRJ_PASS)), STANDARD, version=version) == P


@pytest.mark.parametrize("version", VERSIONS)
def test_a_project_pass_missing_k13_names_no_reading(version):
    # 004 § Appendix 2, Assessment method 2: every pass criterion met, the single distinction criterion K1.3 not:
    # pass. The recorded ambiguity (gateway-quals-prj-single-distinction) is whether the project has eight more
    # distinction criteria (Highfield's nine); K1.3 is one under either reading, so the pass does not turn on it.
    # The step said "the grade turns on K1.3, which the tool encodes on its reading of an ambiguous passage".
    result = body(BODY).call("grade_component", ruleset=ruleset(BODY, STANDARD, version), method="project",
                             criteria_met=frozenset(_ids(PRJ_PASS)))
    assert result.grade is Grade.PASS
    [step] = [s.says for s in result.steps if "distinction criteria met" in s.says]
    assert step == "project: 0 of 1 distinction criteria met (1 needed; missing K1.3): pass"


# ============================================================================================
# 4. Placement: where Gateway's document diverges from Highfield's kit (002), and V1.0 vs V1.1.
# ============================================================================================

HIGHFIELD_PROJECT_DISTINCTION = ["K1.3", "K1.4", "K4.7", "S1.4", "S2.10", "S2.11", "S3.3", "S3.4", "S5.4"]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("cid", [c for c in HIGHFIELD_PROJECT_DISTINCTION if c != "K1.3"])
def test_highfield_project_distinctions_absent_from_gateway(version, cid):
    # 004 § Appendix 2, Assessment method 2, Distinction column: only K1.3's words appear; Highfield's
    # (002 § Work-based project (supported by an interview) criteria) K1.4, K4.7, S1.4, S2.10, S2.11, S3.3, S3.4,
    # S5.4 appear nowhere in 004's Appendix 2, so Gateway assesses them in no method.
    assert ruleset(BODY, STANDARD, version).criterion(cid) is None


@requires(BODY, "highfield")
def test_contrast_highfield_project_has_nine_distinctions():
    # 002 § Work-based project (supported by an interview) criteria: "To gain a distinction" lists K1.3, K1.4,
    # K4.7, S1.4, S2.10, S2.11, S3.3, S3.4, S5.4 -- nine, against Gateway's one (004 § Appendix 2, method 2).
    assert sorted(ids("highfield", "project", "distinction", STANDARD)) == sorted(HIGHFIELD_PROJECT_DISTINCTION)
    assert ids(BODY, "project", "distinction", STANDARD) == ["K1.3"]


@pytest.mark.parametrize("version", VERSIONS)
def test_professional_image_is_a_gateway_only_discussion_distinction(version):
    # 004 § Appendix 2, Assessment method 3, Distinction column: "Evidences when they have analysed the importance
    # of their professional image and its relationship with the organisation's brand." Highfield's discussion
    # distinctions (002 § Professional discussion ... criteria) are only B1.2 and B3.2.
    criterion = ruleset(BODY, STANDARD, version).criterion("X.PROFESSIONAL-IMAGE")
    assert (criterion.method, criterion.level) == ("discussion", "distinction")
    # and it is needed: all pass + B1.2 + B3.2 without it is only a pass
    met = _set(version, "discussion", "pass") | {"B1.2", "B3.2"}
    assert grade_component(BODY, "discussion", met, STANDARD, version=version) == P


@pytest.mark.parametrize("version,method", [
    # 004 § Version and date (change log), V1.1: "pg22: practical observation - removal of one of the pass
    # criteria (Demonstrates resolution of a range of complex customer service issues...)" -> V1.0: observation.
    pytest.param("1.0", "observation", id="v1.0-S1.5-observation-pass"),
    # "This criteria has now been moved to the professional discussion"; 004 § Appendix 2, method 3, Pass, 9th row.
    pytest.param("1.1", "discussion", id="v1.1-S1.5-discussion-pass"),
])
def test_s15_placement_by_version(version, method):
    criterion = ruleset(BODY, STANDARD, version).criterion("S1.5")
    assert (criterion.method, criterion.level) == (method, "pass")
    other = "discussion" if method == "observation" else "observation"
    assert "S1.5" not in ids(BODY, other, "pass", STANDARD, version=version)


@requires(BODY, "highfield")
def test_s15_under_v11_matches_highfield_placement():
    # 002 § Professional discussion (supported by portfolio of evidence) criteria, Business-focused service delivery:
    # "S1.5 Demonstrates resolution of a range of complex customer service issues" -- V1.1 agrees; V1.0 diverges.
    assert "S1.5" in ids("highfield", "discussion", "pass", STANDARD)
    assert "S1.5" in ids(BODY, "discussion", "pass", STANDARD, version="1.1")
    assert "S1.5" in ids(BODY, "observation", "pass", STANDARD, version="1.0")


@pytest.mark.parametrize("version,expected", [
    # V1.0 (change log pg22): S1.5 is an observation pass criterion, so an observation without it fails.
    pytest.param("1.0", F, id="v1.0-obs-without-S1.5-fails"),
    # V1.1 (Appendix 2 method 1 as printed): S1.5 is not an observation criterion; the 20 printed + 2 dist -> distinction.
    pytest.param("1.1", D, id="v1.1-obs-without-S1.5-distinction"),
])
def test_observation_without_s15_differs_by_version(version, expected):
    met = set(_ids(OBS_PASS_V11)) | set(_ids(OBS_DIST))
    assert grade_component(BODY, "observation", met, STANDARD, version=version) == expected


def test_a_v1_0_observation_fail_missing_s15_names_no_reading():
    # 004 § Version and date Change detail Section/page reference, pg22: "practical observation - removal of one of the
    # pass criteria (Demonstrates resolution of a range of complex customer service issues, ...)": in V1.0, S1.5 is an
    # observation pass criterion. The reading of the change log (gateway-quals-v1-0-reconstructed-from-change-log) is
    # of where it sat and how it was worded, which the log does not say: without it, V1.0's observation is a fail
    # under any reading. The step said the fail turned on S1.5.
    met = frozenset(_ids(OBS_PASS_V11)) | frozenset(_ids(OBS_DIST))
    result = body(BODY).call("grade_component", ruleset=ruleset(BODY, STANDARD, "1.0"), method="observation",
                             criteria_met=met)
    assert result.grade is Grade.FAIL
    [step] = [s.says for s in result.steps]
    assert step.endswith("missing S1.5: fail")


@pytest.mark.parametrize("version,expected", [
    # V1.0 (change log pg28: S1.5 only added to the discussion in V1.1): discussion without S1.5 -> distinction.
    pytest.param("1.0", D, id="v1.0-dis-without-S1.5-distinction"),
    # V1.1 (Appendix 2 method 3, Pass, "Demonstrates resolution of a range of complex ..."): without it -> fail.
    pytest.param("1.1", F, id="v1.1-dis-without-S1.5-fails"),
])
def test_discussion_without_s15_differs_by_version(version, expected):
    met = set(_ids(DIS_PASS_V10)) | set(_ids(DIS_DIST))
    assert grade_component(BODY, "discussion", met, STANDARD, version=version) == expected


def test_versions_and_effective_dates():
    # 004 § Version and date (change log): "V1.0 January 2024 Document created"; "V1.1 May 2024 New version ...".
    versions = [(r.document.version, r.document.effective_from)
                for r in body(BODY).body.rulesets_for(STANDARD)]
    assert versions == [("1.0", dt.date(2024, 1, 1)), ("1.1", dt.date(2024, 5, 1))]
    for v in VERSIONS:
        assert ruleset(BODY, STANDARD, v).document.file == SEED


# ============================================================================================
# 5. End to end through the CLI: version selection by gateway date, a pinned version, and S1.5's placement.
#    Records: records/gateway_quals-*.yaml (next to this file)
#      s15-observation-*: V1.0-shaped evidence (S1.5 claimed in the observation; discussion without it);
#      s15-discussion-*:  V1.1-shaped evidence (S1.5 claimed in the discussion; observation without it);
#    each with every other criterion of its method, both observation distinctions, K1.3, and all three
#    discussion distinctions.
# ============================================================================================

def _grade(path: Path) -> dict:
    result = run("grade", "--body", BODY, str(path), "--format", "json")
    assert result.exit_code == 0, result.stderr
    return result.json()


def _check_citations(data: dict) -> None:
    # brief: every explanation step cites the body's seed document
    assert data["explanation"], "no explanation"
    for step in data["explanation"]:
        assert step["citation"].startswith(SEED), step


def test_each_method_grade_cites_its_appendix_2_table():
    # Appendix 2, each method: "Pass Criteria: the apprentice must display all the following: ... Distinction
    # Criteria: the apprentice must display all the pass criteria and all the following:" is the method's grading
    # rule; each method's steps cite that table, under Appendix 2, in either version.
    for record in ("gateway_quals-s15-observation-2024-03-01.yaml", "gateway_quals-s15-discussion-2024-05-01.yaml"):
        data = _grade(RECORDS / record)
        for method, section in APPENDIX2_SECTION.items():
            steps = [s for s in data["explanation"] if s["about"] == method]
            assert steps and all(s["citation"] == f"{SEED} § {section}" for s in steps), (record, method, steps)


E2E = [
    # (record, expected version, observation, project, discussion, overall, why)
    # gateway 2024-03-01: before V1.1's May 2024 (change log) -> V1.0. S1.5 in observation is counted there;
    # the discussion's 11 V1.0 pass criteria + 3 distinctions -> distinction; TABLE row D/D/D -> Distinction.
    ("gateway_quals-s15-observation-2024-03-01.yaml", "1.0", D, D, D, D),
    # gateway 2024-05-01: V1.1. S1.5 is a discussion criterion: the observation's other 20 + 2 dist -> distinction;
    # the discussion lacks S1.5 -> fail (DIS Fail column); TABLE "A fail grade in any assessment method" -> Fail.
    ("gateway_quals-s15-observation-2024-05-01.yaml", "1.1", D, D, F, F),
    # document_versions pins 1.0 although the gateway (2024-09-02) is after May 2024 -> graded as the first record.
    ("gateway_quals-s15-observation-pinned-v1.0.yaml", "1.0", D, D, D, D),
    # V1.1-shaped evidence at gateway 2024-03-01 -> V1.0: observation lacks S1.5 -> fail (change log pg22);
    # S1.5 claimed in the discussion is not a V1.0 discussion criterion; the rest -> distinction; overall Fail.
    ("gateway_quals-s15-discussion-2024-03-01.yaml", "1.0", F, D, D, F),
    # the same at gateway 2024-05-01 -> V1.1: all three distinction -> TABLE row D/D/D -> Distinction.
    ("gateway_quals-s15-discussion-2024-05-01.yaml", "1.1", D, D, D, D),
]


@pytest.mark.parametrize("record,version,obs,prj,dis,overall", [pytest.param(*r, id=r[0]) for r in E2E])
def test_cli_grade(record, version, obs, prj, dis, overall):
    data = _grade(RECORDS / record)
    assert data["body"] == BODY
    assert data["document"]["file"] == SEED
    assert data["document"]["version"] == version
    assert data["components"] == {"observation": obs, "project": prj, "discussion": dis}
    assert data["overall"] == overall
    _check_citations(data)


def test_cli_gateway_date_step_is_explained():
    # 004 § Version and date: the version in force on the gateway date is stated, citing the change log.
    data = _grade(RECORDS / "gateway_quals-s15-observation-2024-03-01.yaml")
    version_steps = [s for s in data["explanation"] if s["about"] == "version"]
    assert len(version_steps) == 1
    assert "1.0" in version_steps[0]["says"]


def test_cli_pinned_version_is_noted():
    data = _grade(RECORDS / "gateway_quals-s15-observation-pinned-v1.0.yaml")
    assert any("1.0" in n["says"] and "record" in n["says"] for n in data["notes"])


def test_cli_s15_in_observation_under_v11_is_set_aside():
    # 004 § Appendix 2, method 3, Pass column (V1.1): S1.5 is a discussion criterion, so claiming it in the
    # observation does not count there -- and its absence from the discussion is what fails it.
    data = _grade(RECORDS / "gateway_quals-s15-observation-2024-05-01.yaml")
    assert any(n["says"].startswith("S1.5 (observation)") for n in data["notes"])
    assert data["component_details"]["discussion"]["pass_missing"] == ["S1.5"]


def test_cli_observation_grades_differ_between_versions():
    # Change log (V1.1, pg22): S1.5 left the observation. Evidence with S1.5 outside the observation fails the
    # observation under V1.0 and gives a distinction under V1.1; evidence with S1.5 in the observation gives
    # the same observation grade under both but a different discussion grade.
    v10 = _grade(RECORDS / "gateway_quals-s15-discussion-2024-03-01.yaml")
    v11 = _grade(RECORDS / "gateway_quals-s15-discussion-2024-05-01.yaml")
    assert (v10["components"]["observation"], v11["components"]["observation"]) == (F, D)
    assert v10["component_details"]["observation"]["pass_missing"] == ["S1.5"]
    a10 = _grade(RECORDS / "gateway_quals-s15-observation-2024-03-01.yaml")
    a11 = _grade(RECORDS / "gateway_quals-s15-observation-2024-05-01.yaml")
    assert (a10["components"]["discussion"], a11["components"]["discussion"]) == (D, F)


def _shifted(src: Path, gateway: dt.date, dest: Path, pin: str | None = None) -> Path:
    """The record at src with its gateway moved to `gateway` (assessments moved by the same number of days)."""
    data = yaml.safe_load(src.read_text())
    old = data["gateway"]["date"]
    delta = gateway - old
    data["gateway"]["date"] = gateway
    for a in data["assessments"]:
        a["date"] = a["date"] + delta
    if pin is not None:
        data["document_versions"] = {BODY: pin}
    else:
        data.pop("document_versions", None)
    dest.write_text(yaml.safe_dump(data, sort_keys=False))
    return dest


@pytest.mark.parametrize("gateway,pin,version", [
    # 004 § Version and date: "V1.0 January 2024"; "V1.1 May 2024" -> V1.1 from 1 May 2024.
    pytest.param(dt.date(2024, 1, 1), None, "1.0", id="2024-01-01-v1.0"),
    pytest.param(dt.date(2024, 4, 30), None, "1.0", id="2024-04-30-v1.0"),
    pytest.param(dt.date(2024, 5, 1), None, "1.1", id="2024-05-01-v1.1"),
    pytest.param(dt.date(2025, 12, 1), None, "1.1", id="2025-12-01-v1.1"),
    # record's document_versions names 1.0: graded under V1.0 whatever the gateway date.
    pytest.param(dt.date(2024, 5, 1), "1.0", "1.0", id="2024-05-01-pinned-v1.0"),
    pytest.param(dt.date(2025, 12, 1), "1.0", "1.0", id="2025-12-01-pinned-v1.0"),
    pytest.param(dt.date(2024, 3, 1), "1.1", "1.1", id="2024-03-01-pinned-v1.1"),
])
def test_cli_version_selection_sweep(tmp_path, gateway, pin, version):
    src = RECORDS / "gateway_quals-s15-observation-2024-03-01.yaml"
    data = _grade(_shifted(src, gateway, tmp_path / "record.yaml", pin))
    assert data["document"]["version"] == version
    # S1.5 in the observation: V1.0 -> D/D/D Distinction; V1.1 -> discussion fails -> Fail (TABLE fail row).
    assert data["overall"] == (D if version == "1.0" else F)
    _check_citations(data)


def test_cli_v10_citations_name_the_text_they_read_v11():
    # INDEX.md: 004 is the EPA Standard Specification V1.1; "its change log also describes V1.0". V1.0's own text
    # is not at hand, so a record graded by V1.0's rules cites V1.1's sections (004 § 2.7 Grading requirements, its
    # table): each citation names V1.1, the text read, never a "Spec v1.0 § ..." no one has read. The rules in force
    # are still V1.0's.
    record = RECORDS / "gateway_quals-s15-observation-2024-03-01.yaml"
    data = _grade(record)
    assert data["document"]["version"] == "1.0"
    assert data["documents"][SEED]["version"] == "1.1"
    assert data["documents"][SEED]["label"].endswith(" v1.1")
    table = run("grade", "--body", BODY, str(record))
    said = " ".join(table.stdout.split())
    assert table.exit_code == 0 and "Spec v1.1 § 2.7 Grading requirements" in said
    assert "Spec v1.0 §" not in said


# A grade turns on a reading only where the other reading would change it. V1.0's text is not at hand: S1.5
# ("Demonstrates resolution of a range of complex customer service issues ...") is a V1.0 observation pass criterion
# as LOG pg22 describes it, "practical observation - removal of one of the pass criteria (...)"; what the log leaves
# to a reading (ambiguity gateway-quals-v1-0-reconstructed-from-change-log) is where it sat and how it was worded.
# The observation of the V1.1-shaped record at gateway 2024-03-01 (V1.0) meets every other observation criterion and
# lacks S1.5 alone: a Fail under any reading, no reading named (it named the reconstruction). At gateway 2024-05-01
# (V1.1) the discussion lacks S1.5, which V1.1 prints in DIS's Pass column: a Fail on a printed criterion, no reading
# named either.
def test_a_fail_on_a_criterion_the_change_log_places_names_no_reading():
    says = lambda data, method: " ".join(s["says"] for s in data["explanation"] if s["about"] == method)  # noqa: E731
    v10 = _grade(RECORDS / "gateway_quals-s15-discussion-2024-03-01.yaml")
    assert (v10["document"]["version"], v10["components"]["observation"]) == ("1.0", F)
    assert "S1.5" in says(v10, "observation")
    assert "missing S1.5: fail" in says(v10, "observation") and "ambiguity" not in says(v10, "observation")
    v11 = _grade(RECORDS / "gateway_quals-s15-observation-2024-05-01.yaml")
    assert (v11["document"]["version"], v11["components"]["discussion"]) == ("1.1", F)
    assert "ambiguity" not in says(v11, "discussion")
