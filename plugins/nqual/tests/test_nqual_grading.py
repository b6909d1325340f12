"""Behaviour tests for NQual (body id ``nqual``), both standards it publishes rules for.

Sources (every expected value below comes from these documents, never from the code or the YAML):

* ST0071 Customer Service Specialist L3: ``000_75563123dfdaaed6.txt`` (EPA Support Pack V1.2), S71.
* ST0072 Customer Service Practitioner L2: ``001_b8a29f12b00d3850.txt`` (EPA Support Pack V1.1), S72.
* Highfield's kit ``002_a4f677c7c4e5fdb6.txt`` is used only for the criterion codes (K1.1 ... B5.2) that it
  numbers and NQual's ST0071 pack words without numbers, and for the placement divergences.

Where the document is garbled (page breaks, lost columns, duplicates) the tests follow the reading
recorded in the ruleset's ``ambiguities`` list, named in the comment next to the test.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import yaml

from epa.testing import combine, grade_component, ids, requires, ruleset, run

pytestmark = requires("nqual")

BODY = "nqual"
S71 = "000_75563123dfdaaed6.txt"
S72 = "001_b8a29f12b00d3850.txt"
F, P, D = "fail", "pass", "distinction"  # Grade is a str enum: Grade.PASS == "pass"
RECORDS = Path(__file__).parent / "records"
EXAMPLES = Path(__file__).resolve().parents[3] / "examples"  # the repository's examples/, when present

# =====================================================================================================
# ST0071 catalogue, from S71 § Grading Descriptors ... (document order). Each NQual descriptor is given
# Highfield's code for the same wording (002 § Practical observation / Work-based project / Professional
# discussion criteria); the value is the start of the descriptor as NQual prints it.
# =====================================================================================================

# S71 § Grading Descriptors for Practical Observation with Q&As — "Pass Descriptors" cell (15 descriptors),
# then the four untagged paragraphs printed after the page break, read as Pass (ambiguity
# nqual-observation-page-break-column).
OBS71_PASS = {
    "S1.5": "Demonstrates resolution of a range of complex customer service issues",
    "K3.4": "An ability to assess at least 3 different customer types",
    "S2.2": "Demonstrates through advanced questioning, listening and summarising",
    "S1.1": "An ability to assess situations and offer clear explanations",
    "K3.5": "Ability to react appropriately to customer emotions",
    "K3.6": "Evidences knowledge of how customer expectations can differ between cultures",
    "S2.5": "Recognises when customer emotions have been effected",
    "S2.6": "Demonstrates how they adapt their communication style",
    "S4.1": "Evidences when they have maintained a positive relationship",
    "B2.2": "Evidence how they recognise when customer expectations are not met",
    "S4.2": "Demonstrates when and how historical interactions",
    "B2.3": "Shows proactivity and creativity",
    "S2.4": "Demonstrates identifying, negotiating and agreeing appropriate options",
    "B3.3": "Demonstrates achievement of results through effective teamwork",
    "B3.4": "Shows adaptability of own skills when working with internal customers",
    # after the page break:
    "B4.1": "Demonstrates the ability and flexibility in working towards meeting customer needs",
    "B5.2": "Evidence to show how their personal presentation made a positive impact",
    "B5.1": "Demonstrate brand advocacy, values and belief",
    "K3.3": "Demonstrates how they analyse, use and present a range of information",
}
# S71 § Grading Descriptors for Practical Observation with Q&As — "Distinction Descriptors" cell.
OBS71_DIST = {
    "S1.2": "Demonstrates own communication with customers that ensures the best solution",
    "S2.7": "Demonstrates when they provided additional solutions to customers",
}
# S71 § Grading Descriptors for Work-Based Project Supported by an Interview — Pass cell of row 1 (10), then
# the Pass cell of the row continuing after the page break (7) (ambiguity nqual-project-page-break).
PRJ71_PASS = {
    "K1.1": "Evidence that they understand the impact of the organisation's mission statement",
    "K1.2": "Ability to recommend improvement to the customer service provision",
    "K2.1": "Demonstrates an understanding of customer journeys",
    "K2.2": "An understanding of the underpinning business processes",
    # printed as its own Pass descriptor, a truncated twin of the next one (ambiguity
    # nqual-project-fragment-descriptor)
    "NQ.PRJ.P1": "Provides evidence to show how they identify how this information can be analysed",
    "S2.8": "Provides evidence to show how they identify information which can be used by their organisation",
    "K4.3": "Ability to discuss the internal and external factors",
    "K4.4": "Evidence knowledge of the departmental roles/ functions",
    "K4.5": "Evidence of how they demonstrate the importance of effective communication among departments",
    "K4.6": "Ability to identify potential causes of service failure",
    # row 2:
    "S1.3": "Evidences when they made decisions and recommendations",
    "S2.9": "Demonstrates how they communicate with customers, gaining full information",
    "S3.1": "Evidences how they proactively seek and gather customer feedback",
    "S3.2": "Ability to gather and analyse information about the types of customers",
    "S5.1": "Evidence to show how they use qualitative and quantitative customer experience data",
    "S5.2": "Evidences the way in which they analyse this data",
    "S5.3": "Demonstrates how they take into consideration current legislation",
}
# Same table, Distinction cell of row 1 (8) and of row 2 (1).
PRJ71_DIST = {
    "K1.3": "Evidence to support their research and analysis of customer service standards",
    "K1.4": "Ability to consider the possible impact on their organisation of not considering the future",
    "S3.3": "Demonstrates how knowing their customer and their needs has a direct impact on",
    "K4.7": "Ability to demonstrate the importance of assessing the political, economic",
    "S5.4": "Ability to identify and recognise when problems reoccur",
    "S2.11": "Provides evidence to show when they analyse the risks and opportunities",
    "S1.4": "Evidences when they evaluated the strengths and weaknesses of feedback methods",
    "S3.4": "Evidence to show when they have proactively gathered customer feedback",
    # row 2:
    "S2.10": "Demonstrates an ability to identify trends/ recurring issues",
}
# S71 § Grading Descriptors for Professional Discussion Supported by Portfolio Evidence — Pass cell of row 1
# (6) and first cell of the row continuing after the page break (6) (ambiguity nqual-discussion-page-break).
DIS71_PASS = {
    "K1.5": "Ability to describe their role in meeting their organisation's standards",
    "K1.6": "Evidence of how they identify the different types of leadership styles",
    "S2.1": "Demonstrates when they have balanced the meeting their customer",
    "B3.1": "Demonstrate sharing own knowledge and experience with others",
    "K2.3": "Understanding of why customer issues and complex situations sometimes need referral",
    "K2.4": "Ability to adhere to their organisation service level agreement",
    # row 2:
    "K3.1": "Evidences knowledge of how their internal and external customers' expectations can differ",
    "B2.1": "Demonstrates responsibility and ownership in resolving customer issues",
    "S2.3": "Demonstrates management of challenging and complicated situations",
    "K3.2": "Demonstrates Factors used to drive and improve loyalty",
    "K4.1": "Evidence knowledge of where different sources of information on industry best practice",
    "B1.1": "Provides evidence to demonstrates how they have achieved learning and development goals",
}
# Same table, Distinction cell of row 1 (row 2's second cell is empty).
DIS71_DIST = {
    "B3.2": "Evidence when they have assessed the impact of sharing their own knowledge",
    # no Highfield equivalent (ambiguity nqual-professional-image-distinction)
    "X.PROFESSIONAL-IMAGE":
        "Evidence when they have analysed the importance made to their professional image",
    "B1.2": "Demonstrates how they evaluate, and review improvements made to their own customer service",
}

ST0071 = {
    ("observation", "pass"): OBS71_PASS,
    ("observation", "distinction"): OBS71_DIST,
    ("project", "pass"): PRJ71_PASS,
    ("project", "distinction"): PRJ71_DIST,
    ("discussion", "pass"): DIS71_PASS,
    ("discussion", "distinction"): DIS71_DIST,
}
METHODS71 = ("observation", "project", "discussion")


def pass71(method: str) -> list[str]:
    return list(ST0071[(method, "pass")])


def dist71(method: str) -> list[str]:
    return list(ST0071[(method, "distinction")])


# =====================================================================================================
# ST0072 catalogue, from S72 § Grading Descriptors for Apprentice Showcase / Observation and Q&A /
# Professional Discussion. The document numbers nothing: ids are <SH|OB|DI>.<P|D><n> in printed order
# (ambiguity nqual-st0072-no-criterion-numbering); the value is the start of the printed descriptor.
# =====================================================================================================

SH_PASS = [
    "State the aims of the organisation in relation to its sector",  # Understanding the Organisation
    "State what is meant by the organisation's 'brand promise'",
    "Explain how the organisation's core values relate to its service culture",
    "State the purpose of different organisational policies and procedures",
    "Describe the type of guidelines in a digital media policy",
    "Explain how the relevant legislation and regulations affect",  # row between the two module labels
    # Meeting Regulations and Legislation
    "State their responsibilities for keeping information confidential",
    "State the responsibilities of employees and employers under the Health and Safety at Work Act",
    "Explain the use of the different systems, equipment and/or technology",  # Systems and Resources
    "Describe the measures and evaluation tools",
    "Explain the difference between the features and benefits",  # Product and Service Knowledge
    "Describe how to maintain their knowledge of the organisation's products",
    "Offer appropriate product and/or service options",  # Influencing Skills
    "Communicate to customers in a clear and coherent manner how the products",
    "Handle customer objections in a positive and professional manner",
    "Prioritise and plan the completion of tasks",  # Personal Organisation
    "Use appropriate tools and techniques to monitor the progress",
    "Maintain calm and patience at all times",  # Dealing With Customer Conflict and Challenge
    "Demonstrate sensitivity to, and interest in, the customers' concerns",
    "Communicate in a clear and coherent manner the next steps",
    "Resolve customer conflicts and/or challenges",
    "Keep customers informed of progress while resolving issues",
    "Maintain accurate record of customer issues",
    "Conduct a self-assessment to identify their strengths and weaknesses",  # Developing Self
    "Produce a personal development plan",
    "Seek constructive feedback about their customer service skills",  # Being Open to Feedback
    "Use feedback from others to develop",
    "Work with others in a positive and productive manner",  # Team Working
    "Communicate information in a timely and reliable manner to team members",
    "Share personal learning and information with others",
]
SH_DIST = [
    "Explain how the organisational policies and procedures impact on the delivery of customer service",
    "Explain the potential impact on the organisation if it fails to adhere",
    "Explain how a code of practice or ethical standards affects customer service",
    "Explain why it is important to update their knowledge",
    "Provide appropriate explanations to customers in situations where a mutually beneficial outcome",
    "Respond in a professional manner to challenges and changes",
    # printed twice word for word; one criterion (ambiguity nqual-st0072-showcase-printed-twice):
    # the breakdown's "7 out of 10" needs 10 showcase distinction criteria
    "Take ownership of customer issues, taking the appropriate actions",
    "Review the effectiveness of their personal development plan",
    "Recognise when to adapt personal behaviours and communication approach",
    "Present reasoned ideas for improving customer service practice",
]
OB_PASS = [
    "Demonstrate willingness and ability to engage with customers",  # Interpersonal Skills
    "Work with customers to build a rapport",
    "Show willingness to work with others and share ideas",
    # Communication, Face to face
    "Demonstrate ability to make initial customer contact and use appropriate verbal",
    "Adapt tone, behaviour and body language when necessary",
    "Demonstrate ability to recognise when to summarise",
    # Communication, Non-facing
    "Demonstrate ability to make initial customer contact and make use of appropriate communication",
    "Adapts tone and behaviour when necessary",
    "Demonstrates ability to recognise and use reinforcement techniques",  # after the page break
    "Recognise and respond to individual needs",  # Equality
    "Behave in a way that upholds the core values",
    "Present a professional image in line with the organisational dress code",  # Presentation
    "Demonstrate a positive attitude and welcoming approach",  # printed after "OR"
    "Maintain professional and positive language consistently",
    # Right First Time; "They will show an ability ..." continues this one (ambiguity
    # nqual-st0072-they-will-sentences)
    "Demonstrate ability to confidently approach customers",
    "Demonstrate knowledge of the organisational products and/or services",
    "Demonstrate recognition of own role, responsibilities, level of authority",
    "Take ownership from beginning to end",
    "Recognise the importance of good customer service to the customer",
]
OB_DIST = [
    "Demonstrate ability to adapt interpersonal skills",  # Interpersonal Skills
    "Demonstrate ability to balance the needs and expectations of the customer",
    "Pro-actively work with others to ensure efficient customer service delivery",
    "In all roles, Demonstrate ability to adapt communication",  # Communication
    # "They will also demonstrate ..." continues this one: 5 criteria, as "Observation - 4 out of 5" counts
    "In all roles, Demonstrate ability to flex to various customer personalities",
]
DI_PASS = [
    "Explain the difference between internal and external customers",  # Knowing Your Customers
    "Describe the specific needs of different customers",
    # printed twice ("... adapt their service approach" / "... adapt service approach"); one criterion
    # (ambiguity nqual-st0072-discussion-duplicate-pass)
    "Explain when and how to adapt their service approach",
    "Explain how the actions taken in the context of their job role",  # Your Role and Responsibilities
    "Describe how to achieve their agreed targets and goals",
    "Explain how an understanding of the facts can be used",  # Customer Experience
    "Explain how to build trust with customers",
]
DI_DIST = [
    "Explain the importance of building good customer relationships",  # Knowing Your Customers
    "Explain the difference in the way internal and external customer relationships are managed",
    "Explain the importance of balancing the needs of both the organisation and its customers",
    "Explain how to respond to customer needs and requirements positively",  # Customer Experience
]


def _numbered(prefix: str, texts: list[str]) -> dict[str, str]:
    return {f"{prefix}{n}": t for n, t in enumerate(texts, start=1)}


ST0072 = {
    ("showcase", "pass"): _numbered("SH.P", SH_PASS),
    ("showcase", "distinction"): _numbered("SH.D", SH_DIST),
    ("observation", "pass"): _numbered("OB.P", OB_PASS),
    ("observation", "distinction"): _numbered("OB.D", OB_DIST),
    ("discussion", "pass"): _numbered("DI.P", DI_PASS),
    ("discussion", "distinction"): _numbered("DI.D", DI_DIST),
}
METHODS72 = ("showcase", "observation", "discussion")
# S72 § Assessment Breakdown: "Distinction All Pass Criteria Achieved Plus: Apprentice Showcase - 7 out of 10
# / Observation - 4 out of 5 / Professional Discussion - 3 out of 4"
THRESHOLD72 = {"showcase": (7, 10), "observation": (4, 5), "discussion": (3, 4)}


def pass72(method: str) -> list[str]:
    return list(ST0072[(method, "pass")])


def dist72(method: str) -> list[str]:
    return list(ST0072[(method, "distinction")])


def g71(method, met):
    return grade_component(BODY, method, met, "ST0071")


def g72(method, met):
    return grade_component(BODY, method, met, "ST0072")


# =====================================================================================================
# 1. Catalogue: the ruleset's criteria per method and level are the document's, in printed order,
# and each id carries the descriptor the document prints.
# =====================================================================================================

@pytest.mark.parametrize(("method", "level"), list(ST0071), ids=[f"{m}-{lv}" for m, lv in ST0071])
def test_st0071_catalogue(method, level):
    # S71 § Grading Descriptors for <method> — "Pass Descriptors" / "Distinction Descriptors" columns
    expected = ST0071[(method, level)]
    assert ids(BODY, method, level, "ST0071") == list(expected)
    texts = {c.id: c.text for c in ruleset(BODY, "ST0071").criteria_for(method, level)}
    for cid, start in expected.items():
        assert texts[cid].startswith(start), (cid, texts[cid])


def test_st0071_catalogue_counts():
    # S71 § Grading Descriptors tables as read above: observation 19 pass / 2 distinction,
    # project 17 / 9, discussion 12 / 3 (guards the hand-written lists against typos)
    counts = [len(ST0071[(m, lv)]) for m in METHODS71 for lv in ("pass", "distinction")]
    assert counts == [19, 2, 17, 9, 12, 3]


@pytest.mark.parametrize(("method", "level"), list(ST0072), ids=[f"{m}-{lv}" for m, lv in ST0072])
def test_st0072_catalogue(method, level):
    # S72 § Grading Descriptors for Apprentice Showcase / Observation and Q&A / Professional Discussion
    expected = ST0072[(method, level)]
    assert ids(BODY, method, level, "ST0072") == list(expected)
    texts = {c.id: c.text for c in ruleset(BODY, "ST0072").criteria_for(method, level)}
    for cid, start in expected.items():
        assert texts[cid].startswith(start), (cid, texts[cid])


@pytest.mark.parametrize("method", METHODS72)
def test_st0072_distinction_counts_match_breakdown(method):
    # S72 § Assessment Breakdown: "Apprentice Showcase - 7 out of 10", "Observation - 4 out of 5",
    # "Professional Discussion - 3 out of 4": the denominators are the number of distinction descriptors
    assert len(dist72(method)) == THRESHOLD72[method][1]


# =====================================================================================================
# 2. ST0071 overall grade: S71 § Assessment Grading Breakdown, the table as printed, row by row.
# =====================================================================================================

ANY = (F, P, D)
# rows 1-3: "Fail | Any Grade | Any Grade | Fail", "Any Grade | Fail | Any Grade | Fail", "Any Grade
# | Any Grade | Fail | Fail" — each tried with all 9 combinations its "Any Grade" cells cover
FAIL_ROWS = (
    [pytest.param(F, p, d, id=f"row1-F-{p}-{d}") for p in ANY for d in ANY]
    + [pytest.param(o, F, d, id=f"row2-{o}-F-{d}") for o in ANY for d in ANY]
    + [pytest.param(o, p, F, id=f"row3-{o}-{p}-F") for o in ANY for p in ANY]
)


@pytest.mark.parametrize(("observation", "project", "discussion"), FAIL_ROWS)
def test_st0071_combination_fail_rows(observation, project, discussion):
    # S71 § Assessment Grading Breakdown, rows 1-3 (any Fail -> Fail overall)
    assert combine(BODY, "ST0071", observation=observation, project=project,
                   discussion=discussion) == F


@pytest.mark.parametrize(("observation", "project", "discussion", "overall"), [
    pytest.param(P, P, P, P, id="row4-Pass|Pass|Pass->Pass"),
    pytest.param(P, P, D, P, id="row5-Pass|Pass|Distinction->Pass"),
    pytest.param(P, D, P, P, id="row6-Pass|Distinction|Pass->Pass"),
    pytest.param(D, P, P, P, id="row7-Distinction|Pass|Pass->Pass"),
    pytest.param(D, D, D, D, id="row8-Distinction|Distinction|Distinction->Distinction"),
])
def test_st0071_combination_printed_rows(observation, project, discussion, overall):
    # S71 § Assessment Grading Breakdown, rows 4-8 as printed
    # (columns: Practical Observation | Work-Based Project | Professional Discussion | Overall Grade)
    assert combine(BODY, "ST0071", observation=observation, project=project,
                   discussion=discussion) == overall


@pytest.mark.parametrize(("observation", "project", "discussion"), [
    pytest.param(P, D, D, id="PDD"),
    pytest.param(D, P, D, id="DPD"),
    pytest.param(D, D, P, id="DDP"),
])
def test_st0071_combination_rows_missing_from_table(observation, project, discussion):
    # Not printed in the table. S71 § Assessment Grading Breakdown: "An apprentice must achieve a minimum of a
    # Pass in all components to achieve a Pass overall. To achieve a Distinction, the apprentice must achieve
    # all Pass and all Distinction criteria." One method short of its Distinction criteria -> not all
    # Distinction criteria -> Pass (ambiguity nqual-combination-table-incomplete).
    assert combine(BODY, "ST0071", observation=observation, project=project,
                   discussion=discussion) == P


# =====================================================================================================
# 3. ST0071 component grading. S71 § Assessment Grading Breakdown is the only criterion-level rule: "To
# achieve a Distinction, the apprentice must achieve all Pass and all Distinction criteria"; a Pass needs
# the Pass criteria (ambiguity nqual-no-per-method-grading-rule: applied per method, no threshold).
# The universal properties (nothing met fails, all Pass criteria pass, any Pass criterion missing fails, all
# criteria give Distinction) are the conformance suite's (epa.conformance); what is NQual's own is that S71,
# unlike S72 below, sets no Distinction threshold.
# =====================================================================================================

def _each(catalogue_fn, methods):
    return [pytest.param(m, c, id=f"{m}-{c}") for m in methods for c in catalogue_fn(m)]


@pytest.mark.parametrize(("method", "missing"), _each(dist71, METHODS71))
def test_st0071_one_distinction_criterion_fewer_is_pass(method, missing):
    # "all ... Distinction criteria": no threshold in S71 (S72 has one: 7/4/3 below), so one fewer is a Pass
    met = pass71(method) + [c for c in dist71(method) if c != missing]
    assert g71(method, met) == P


# =====================================================================================================
# 4. ST0071 placement divergences from Highfield's 002 kit.
# =====================================================================================================

def _placement(body, cid):
    """Every (method, level) of body's ST0071 catalogue that holds cid."""
    return [(m, lv) for m in METHODS71 for lv in ("pass", "distinction")
            if cid in ids(body, m, lv, "ST0071")]


@requires(BODY, "highfield")
def test_st0071_s1_5_is_an_observation_pass_criterion():
    # S71 § Grading Descriptors for Practical Observation with Q&As, Pass Descriptors, first paragraph:
    # "Demonstrates resolution of a range of complex customer service issues, explaining the approach used and
    # why, demonstrating accountability throughout." Highfield prints the same criterion as S1.5 under 002 §
    # Professional discussion (supported by portfolio of evidence) criteria, "Business-focused service
    # delivery".
    assert _placement(BODY, "S1.5") == [("observation", "pass")]
    assert _placement("highfield", "S1.5") == [("discussion", "pass")]
    # consequence: an observation without it fails, and meeting it in the discussion does not help
    assert g71("observation", [c for c in pass71("observation") if c != "S1.5"]) == F
    assert g71("discussion", pass71("discussion") + ["S1.5"]) == P


@requires(BODY, "highfield")
def test_st0071_s2_3_is_a_discussion_pass_criterion():
    # S71 § Grading Descriptors for Professional Discussion Supported by Portfolio Evidence, row after the
    # page break: "Demonstrates management of challenging and complicated situations, balancing organisational
    # needs and customer satisfactions." Highfield: S2.3 under 002 § Practical observation (with Q&As)
    # criteria.
    assert _placement(BODY, "S2.3") == [("discussion", "pass")]
    assert _placement("highfield", "S2.3") == [("observation", "pass")]
    assert g71("discussion", [c for c in pass71("discussion") if c != "S2.3"]) == F


@requires(BODY, "highfield")
def test_st0071_k4_2_absent():
    # Highfield's observation pass criterion K4.2 "Demonstrates an understanding of current legislation,
    # compliance and regulatory guidance and their impact on customer service delivery" (002 § Practical
    # observation criteria) has no descriptor in any of S71's three Grading Descriptors tables
    # (ambiguity nqual-k15-no-observation-descriptor).
    assert _placement(BODY, "K4.2") == []
    assert _placement("highfield", "K4.2") == [("observation", "pass")]
    # meeting it changes nothing
    assert g71("observation", pass71("observation") + ["K4.2"]) == P


def test_st0071_nq_prj_p1_present():
    # S71 § Grading Descriptors for Work-Based Project Supported by an Interview, Pass Descriptors, fifth
    # paragraph:
    # "Provides evidence to show how they identify how this information can be analysed, used and presented"
    # — a Pass descriptor of its own, no Highfield code (ambiguity nqual-project-fragment-descriptor)
    assert _placement(BODY, "NQ.PRJ.P1") == [("project", "pass")]
    assert g71("project", [c for c in pass71("project") if c != "NQ.PRJ.P1"]) == F


@requires(BODY, "highfield")
def test_st0071_professional_image_distinction_present():
    # S71 § Grading Descriptors for Professional Discussion ..., Distinction Descriptors, second paragraph:
    # "Evidence when they have analysed the importance made to their professional image and its relationship
    # with the organisation's brand." Highfield has no such criterion (ambiguity
    # nqual-professional-image-distinction).
    assert _placement(BODY, "X.PROFESSIONAL-IMAGE") == [("discussion", "distinction")]
    assert _placement("highfield", "X.PROFESSIONAL-IMAGE") == []
    assert g71("discussion", pass71("discussion") + ["B3.2", "B1.2"]) == P
    assert g71("discussion", pass71("discussion") + ["B3.2", "B1.2", "X.PROFESSIONAL-IMAGE"]) == D


@pytest.mark.parametrize("cid", ["B4.1", "B5.2", "B5.1", "K3.3"])
def test_st0071_observation_page_break_paragraphs_are_pass(cid):
    # S71 § Grading Descriptors for Practical Observation with Q&As: the four paragraphs printed after the
    # page break, read as the Pass column's overflow (ambiguity nqual-observation-page-break-column)
    assert _placement(BODY, cid) == [("observation", "pass")]


def test_st0071_highfield_evidence_example_through_cli():
    # examples/st0071-criteria.yaml records Highfield's codes per Highfield's methods. Under S71's tables:
    # observation lacks S1.5 (listed under discussion) -> Fail; project lacks NQ.PRJ.P1 -> Fail; discussion
    # lacks S2.3 (listed under observation) -> Fail; S71 § Assessment Grading Breakdown row 1 -> Fail overall.
    example = EXAMPLES / "st0071-criteria.yaml"
    if not example.is_file():
        pytest.skip(f"{example} not found (the repository's examples/ folder)")
    result = run("grade", "--body", BODY, str(example), "--format", "json")
    assert result.exit_code == 0, result.stderr
    out = result.json()
    assert out["overall"] == "fail"
    assert out["components"] == {"observation": "fail", "project": "fail", "discussion": "fail"}
    details = out["component_details"]
    assert details["observation"]["pass_missing"] == ["S1.5"]
    assert details["project"]["pass_missing"] == ["NQ.PRJ.P1"]
    assert details["discussion"]["pass_missing"] == ["S2.3"]


# =====================================================================================================
# 5. ST0072 component grading: S72 § Assessment Breakdown — "Pass All Pass Criteria Achieved";
# "Distinction All Pass Criteria Achieved Plus: Apprentice Showcase - 7 out of 10 / Observation - 4 out of 5
# / Professional Discussion - 3 out of 4".
# =====================================================================================================

@pytest.mark.parametrize("method", METHODS72)
def test_st0072_exactly_at_threshold_is_distinction(method):
    # every way of meeting exactly 7 of 10 / 4 of 5 / 3 of 4
    needed, _ = THRESHOLD72[method]
    for subset in itertools.combinations(dist72(method), needed):
        assert g72(method, pass72(method) + list(subset)) == D, subset


@pytest.mark.parametrize("method", METHODS72)
def test_st0072_one_below_threshold_is_pass(method):
    # every way of meeting 6 of 10 / 3 of 5 / 2 of 4
    needed, _ = THRESHOLD72[method]
    for subset in itertools.combinations(dist72(method), needed - 1):
        assert g72(method, pass72(method) + list(subset)) == P, subset


# =====================================================================================================
# 6. ST0072 overall grade. S72 prints no combination table. S72 § Grading & Criteria: "In order to achieve a
# Pass grade, the apprentice must gain a minimum of a Pass in all components of the End-Point Assessment."
# S72 § Assessment Breakdown: a single Distinction line joining all three component thresholds ("Plus:") ->
# Distinction only when all three are Distinction (ambiguity nqual-st0072-overall-distinction).
# =====================================================================================================

def _overall72(s, o, d):
    if F in (s, o, d):
        return F  # "a minimum of a Pass in all components"
    if (s, o, d) == (D, D, D):
        return D  # "All Pass Criteria Achieved Plus: Showcase 7/10, Observation 4/5, Discussion 3/4"
    return P


@pytest.mark.parametrize(("showcase", "observation", "discussion"),
                         [pytest.param(s, o, d, id=f"{s}-{o}-{d}") for s in ANY for o in ANY for d in ANY])
def test_st0072_combination(showcase, observation, discussion):
    assert combine(BODY, "ST0072", showcase=showcase, observation=observation,
                   discussion=discussion) == _overall72(showcase, observation, discussion)


# =====================================================================================================
# 7. End to end through the CLI, records in records/nqual-*.yaml beside this file.
# =====================================================================================================

def _grade(record: Path):
    result = run("grade", "--body", BODY, str(record), "--format", "json")
    assert result.exit_code == 0, result.stderr
    return result.json()


def _cited(out, seed):
    assert out["explanation"], "no explanation steps"
    for step in out["explanation"]:
        assert step["citation"].startswith(seed), step


def test_cli_st0071_all_criteria_is_distinction():
    # every Pass and Distinction descriptor of all three S71 tables -> D, D, D -> row 8 "Distinction"
    out = _grade(RECORDS / "nqual-st0071-distinction.yaml")
    assert out["standard"] == "ST0071"
    assert out["components"] == {"observation": D, "project": D, "discussion": D}
    assert out["overall"] == "distinction"
    for method in METHODS71:
        assert out["component_details"][method]["pass_missing"] == []
        assert out["component_details"][method]["distinction_missing"] == []
    _cited(out, S71)


def test_cli_st0071_pass_distinction_distinction_is_pass():
    # observation short of S2.7 -> Pass; project and discussion complete -> Distinction; P/D/D is not printed
    # in S71 § Assessment Grading Breakdown, the sentence "all Pass and all Distinction criteria" decides ->
    # Pass
    out = _grade(RECORDS / "nqual-st0071-pass-dist-dist.yaml")
    assert out["components"] == {"observation": "pass", "project": "distinction", "discussion": "distinction"}
    assert out["component_details"]["observation"]["distinction_missing"] == ["S2.7"]
    assert out["overall"] == "pass"
    _cited(out, S71)


def test_cli_st0072_thresholds_exactly_met_is_distinction():
    # all pass criteria + 7 of 10 showcase, 4 of 5 observation, 3 of 4 discussion distinction criteria
    # -> S72 § Assessment Breakdown "Distinction"
    out = _grade(RECORDS / "nqual-st0072-distinction.yaml")
    assert out["standard"] == "ST0072"
    assert out["components"] == {"showcase": D, "observation": D, "discussion": D}
    assert out["overall"] == "distinction"
    assert len(out["component_details"]["showcase"]["distinction_met"]) == 7
    assert len(out["component_details"]["observation"]["distinction_met"]) == 4
    assert len(out["component_details"]["discussion"]["distinction_met"]) == 3
    _cited(out, S72)


def test_cli_st0072_one_showcase_distinction_fewer_is_pass():
    # same record with 6 of 10 showcase distinction criteria: showcase below "7 out of 10" -> Pass, so the
    # Assessment Breakdown's Distinction line is not met overall -> Pass
    out = _grade(RECORDS / "nqual-st0072-showcase-six.yaml")
    assert out["components"] == {"showcase": P, "observation": D, "discussion": D}
    assert len(out["component_details"]["showcase"]["distinction_met"]) == 6
    assert out["overall"] == "pass"
    _cited(out, S72)



# =====================================================================================================
# 7. A grade that turns on a reading says so. Where the only criteria keeping a method from a grade are ones
# the document leaves unclear (an ambiguity of the ruleset names them), read otherwise they would not hold it
# down: the explanation names the ambiguity, as a combination row that is a reading does. Where a plainly
# printed criterion is missing too, the grade holds under any reading and nothing is named.
# =====================================================================================================

def _grade_data(tmp_path, data):
    path = tmp_path / "record.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = run("grade", "--body", BODY, str(path), "--format", "json")
    assert result.exit_code == 0, result.stderr
    return result.json()


def _says(out, method):
    return " ".join(s["says"] for s in out["explanation"] if s["about"] == method)


def _record72(observation_met):
    return {"standard": "ST0072", "apprentice": {"id": "NQ-READ"}, "gateway": {"date": "2025-10-06"},
            "assessments": [{"method": "showcase", "date": "2025-10-27", "criteria_met": pass72("showcase")},
                            {"method": "observation", "date": "2025-11-10", "criteria_met": observation_met},
                            {"method": "discussion", "date": "2025-11-10", "criteria_met": pass72("discussion")}]}


# S72 § Grading Descriptors for Observation and Q&A, Presentation: "Present a professional image in line with the
# organisational dress code and code of conduct. OR Demonstrate a positive attitude and welcoming approach
# consistently when dealing with customers." Read as three required criteria (ambiguity
# nqual-st0072-observation-presentation-or); read as alternatives, meeting the first (OB.P12) is enough. All 18
# other pass criteria met, OB.P13 alone missing: Fail as encoded ("Pass: All Pass Criteria Achieved"), a Pass under
# the other reading, so the Fail is said to rest on the reading.
def test_st0072_a_fail_resting_on_the_or_reading_names_it(tmp_path):
    out = _grade_data(tmp_path, _record72([c for c in pass72("observation") if c != "OB.P13"]))
    assert out["components"]["observation"] == F
    says = _says(out, "observation")
    assert "OB.P13" in says and "nqual-st0072-observation-presentation-or" in says


# The same with OB.P12 missing as well as OB.P13: read as alternatives, one of the two is needed, and neither is met,
# so the Fail holds under either reading of the OR and no reading is named (it said the fail turned on both).
def test_st0072_a_fail_missing_both_alternatives_names_no_reading(tmp_path):
    out = _grade_data(tmp_path, _record72([c for c in pass72("observation") if c not in ("OB.P12", "OB.P13")]))
    assert out["components"]["observation"] == F
    says = _says(out, "observation")
    assert "missing OB.P12, OB.P13: fail" in says
    assert "ambiguity" not in says



# S72 § Grading Descriptors for Observation and Q&A, Right First Time: "Demonstrate ability to confidently approach
# customers, ... They will show an ability to establish needs and expectations, ..." (ambiguity
# nqual-st0072-they-will-show-pass: the second sentence read as part of OB.P15). Read as a criterion of its own it
# is one more pass criterion, and "Pass: All Pass Criteria Achieved" (§ Assessment Grading Breakdown) needs it as
# it needs OB.P15: OB.P15 alone missing is a Fail under either reading, and no reading is named (it said the fail
# turned on OB.P15).
def test_st0072_a_fail_missing_a_merged_pass_sentence_names_no_reading(tmp_path):
    out = _grade_data(tmp_path, _record72([c for c in pass72("observation") if c != "OB.P15"]))
    assert out["components"]["observation"] == F
    says = _says(out, "observation")
    assert "missing OB.P15: fail" in says
    assert "ambiguity" not in says


# S72 § Grading Descriptors for Observation and Q&A, Communication: three pass descriptors under "Face to face'."
# (OB.P4-OB.P6) and three under "Non-facing'." (OB.P7-OB.P9). Read as encoded, all six are needed ("Pass: All Pass
# Criteria Achieved"); read otherwise (ambiguity nqual-st0072-observation-face-to-face-non-facing: "whether both sets
# are required of every apprentice or only the set matching the apprentice's role"), one whole set is. OB.P4 alone
# missing: the non-facing set is whole, a pass for a non-facing role read otherwise, so the fail names the reading.
def test_st0072_a_fail_missing_one_face_to_face_descriptor_names_the_role_reading(tmp_path):
    out = _grade_data(tmp_path, _record72([c for c in pass72("observation") if c != "OB.P4"]))
    assert out["components"]["observation"] == F
    says = _says(out, "observation")
    assert "the grade turns on OB.P4" in says and "nqual-st0072-observation-face-to-face-non-facing" in says


# OB.P4 and OB.P7 missing, one of each set: neither set is whole, so the fail holds whichever set a role needs, and
# the reading is not named (it said the fail turned on both).
def test_st0072_a_fail_missing_one_descriptor_of_each_set_names_no_reading(tmp_path):
    out = _grade_data(tmp_path, _record72([c for c in pass72("observation") if c not in ("OB.P4", "OB.P7")]))
    assert out["components"]["observation"] == F
    says = _says(out, "observation")
    assert "missing OB.P4, OB.P7: fail" in says
    assert "ambiguity" not in says


def _record71(project_met):
    return {"standard": "ST0071", "apprentice": {"id": "NQ-READ"}, "gateway": {"date": "2025-10-06"},
            "assessments": [{"method": "observation", "date": "2025-10-20", "criteria_met": pass71("observation")},
                            {"method": "project", "date": "2025-10-21", "criteria_met": project_met},
                            {"method": "discussion", "date": "2025-10-22", "criteria_met": pass71("discussion")}]}


# S71 § Grading Descriptors for Work-Based Project Supported by an Interview, Pass Descriptors: "Provides evidence to
# show how they identify how this information can be analysed, used and presented" then "Provides evidence to show
# how they identify information which can be used by their organisation to provide customer insight and identify
# how this information can be analysed, used and presented." The first, read as its own descriptor (NQ.PRJ.P1), is
# read otherwise as residue of the second, no descriptor at all: NQ.PRJ.P1 alone missing is a Fail that turns on
# the reading (ambiguity nqual-project-fragment-descriptor).
def test_st0071_a_fail_missing_only_the_fragment_names_its_reading(tmp_path):
    out = _grade_data(tmp_path, _record71([c for c in pass71("project") if c != "NQ.PRJ.P1"]))
    assert out["components"]["project"] == F
    says = _says(out, "project")
    assert "the grade turns on NQ.PRJ.P1" in says and "nqual-project-fragment-descriptor" in says


# The second, full descriptor (S2.8) is printed among the Pass Descriptors under either reading of the first, and
# "To achieve a Distinction, the apprentice must achieve all Pass and all Distinction criteria" (S71 § Assessment
# Grading Breakdown) read as each method's rule (nqual-no-per-method-grading-rule) needs every Pass descriptor for a
# pass: S2.8 alone missing is a Fail whichever the reading, and no reading is named (it said the fail turned on S2.8,
# through the one ambiguity naming both).
def test_st0071_a_fail_missing_only_the_full_descriptor_names_no_reading(tmp_path):
    out = _grade_data(tmp_path, _record71([c for c in pass71("project") if c != "S2.8"]))
    assert out["components"]["project"] == F
    says = _says(out, "project")
    assert "missing S2.8: fail" in says
    assert "ambiguity" not in says


# S71 § Grading Descriptors for Work-Based Project Supported by an Interview, the row printed after the page break:
# "Demonstrates how they take into consideration current legislation, compliance and regulatory guidance when making
# recommendations for change." (S5.3). The fail missing it alone turns on the page break's reading (nqual-project-
# page-break: read otherwise, the row is no Pass cell of this table), not on K15's (nqual-k15-no-observation-
# descriptor: "K15 ... ticked under Observation with Q&A", which leaves S5.3 a project Pass descriptor either way).
def test_st0071_a_project_fail_missing_s5_3_names_only_the_page_break(tmp_path):
    out = _grade_data(tmp_path, _record71([c for c in pass71("project") if c != "S5.3"]))
    assert out["components"]["project"] == F
    says = _says(out, "project")
    assert "nqual-project-page-break" in says
    assert "nqual-k15-no-observation-descriptor" not in says


# S72 § Grading Descriptors for Observation and Q&A: "\tDemonstrates ability to recognise and use reinforcement
# techniques during customer interactions.\t", printed alone after the page header with its Module cell empty, in
# the Pass Descriptors column (OB.P9). Whichever module it belongs to (nqual-st0072-observation-page-break-row) it is
# an observation pass criterion; what could spare it is the face-to-face/non-facing reading (only the set matching the
# apprentice's role needed), so only that reading is named.
def test_st0072_a_fail_missing_the_page_break_row_names_only_the_role_reading(tmp_path):
    out = _grade_data(tmp_path, _record72([c for c in pass72("observation") if c != "OB.P9"]))
    assert out["components"]["observation"] == F
    says = _says(out, "observation")
    assert "nqual-st0072-observation-face-to-face-non-facing" in says
    assert "nqual-st0072-observation-page-break-row" not in says


# The same with OB.P1 ("Demonstrate willingness and ability to engage with customers ...", Interpersonal Skills,
# printed plainly) missing too: a Fail under any reading of the OR, so no reading is named.
def test_st0072_a_fail_a_plain_criterion_decides_names_no_reading(tmp_path):
    out = _grade_data(tmp_path, _record72([c for c in pass72("observation") if c not in ("OB.P1", "OB.P13")]))
    assert out["components"]["observation"] == F
    assert "ambiguity" not in _says(out, "observation")


# S71 § Grading Descriptors for Professional Discussion Supported by Portfolio Evidence, Distinction Descriptors:
# "Evidence when they have analysed the importance made to their professional image and its relationship with the
# organisation's brand." (ambiguity nqual-professional-image-distinction: no assessment-plan equivalent, garbled).
# All pass criteria and the other two distinction criteria met: "all Pass and all Distinction criteria" (S71 §
# Assessment Grading Breakdown) not met -> Pass, resting on that descriptor alone.
def test_st0071_a_distinction_missed_on_a_read_criterion_names_the_reading(tmp_path):
    met = pass71("discussion") + [c for c in dist71("discussion") if c != "X.PROFESSIONAL-IMAGE"]
    data = {"standard": "ST0071", "apprentice": {"id": "NQ-READ"}, "gateway": {"date": "2025-10-06"},
            # K4.2 and S2.3 listed: the observation's pass turns on neither the K15 nor the S5 reading (the tests
            # after it)
            "assessments": [{"method": "observation", "date": "2025-10-20",
                             "criteria_met": [*pass71("observation"), "K4.2", "S2.3"]},
                            {"method": "project", "date": "2025-10-21", "criteria_met": pass71("project")},
                            {"method": "discussion", "date": "2025-10-22", "criteria_met": met}]}
    out = _grade_data(tmp_path, data)
    assert out["components"]["discussion"] == P
    assert "nqual-professional-image-distinction" in _says(out, "discussion")
    # the observation and project, all pass and no distinction criteria: their pass rests on plainly printed
    # distinction descriptors (S1.2, S2.7; K1.3 ...) as much as on any read one, so no reading is named
    assert "ambiguity" not in _says(out, "observation") + _says(out, "project")


def _graded(tmp_path, standard, grades):
    methods = METHODS71 if standard == "ST0071" else METHODS72
    data = {"standard": standard, "apprentice": {"id": "NQ-READ"}, "gateway": {"date": "2025-10-06"},
            "assessments": [{"method": m, "date": "2025-10-20", "grade": g} for m, g in zip(methods, grades, strict=True)]}
    return _grade_data(tmp_path, data)


# S72 prints no combination table; its Assessment Breakdown's one Distinction line joins the three component
# thresholds with "Plus:", and the pack never says whether one or two component Distinctions lift the overall grade
# (ambiguity nqual-st0072-overall-distinction, which lists these six). Each is a Pass on that reading, and its
# explanation says the reading gives it. P/P/P, D/D/D and any Fail are plain ("a minimum of a Pass in all components";
# "All Pass Criteria Achieved Plus: ..." in all three): no reading named.
@pytest.mark.parametrize("grades, overall, read", [
    ((D, P, P), P, True), ((P, D, P), P, True), ((P, P, D), P, True),
    ((P, D, D), P, True), ((D, P, D), P, True), ((D, D, P), P, True),
    ((P, P, P), P, False), ((D, D, D), D, False), ((F, D, D), F, False),
])
def test_st0072_overall_on_the_reading_names_it(tmp_path, grades, overall, read):
    out = _graded(tmp_path, "ST0072", grades)
    assert out["overall"] == overall
    assert ("nqual-st0072-overall-distinction" in _says(out, "overall")) is read


# S71 § Assessment Grading Breakdown prints P/P/P, the one-Distinction rows and D/D/D but no P/D/D, D/P/D, D/D/P
# (ambiguity nqual-combination-table-incomplete): those three are Pass by "To achieve a Distinction, the apprentice
# must achieve all Pass and all Distinction criteria", on the reading; a printed row ("Pass Distinction Pass Pass")
# names none.
@pytest.mark.parametrize("grades, read", [((P, D, D), True), ((D, P, D), True), ((D, D, P), True),
                                          ((P, D, P), False), ((D, D, D), False)])
def test_st0071_combination_missing_from_the_table_names_the_reading(tmp_path, grades, read):
    out = _graded(tmp_path, "ST0071", grades)
    assert ("nqual-combination-table-incomplete" in _says(out, "overall")) is read


# S71 § END-POINT ASSESSMENT METHODS TABLE: "The below highlights criteria that will be covered in each assessment
# component." and "K15 Keep current, knowledge and understanding of regulatory considerations, drivers and impacts in
# relation to how you deliver for customers" ticked under Observation with Q&A, which no observation descriptor
# grades (nqual-k15-no-observation-descriptor: no criterion encoded for the plan's K4.2). Read otherwise, K15 is
# graded in the observation, needed for a pass ("This decision is dependent on whether they have met the standard",
# § GRADING & CRITERIA): an observation meeting all 19 printed Pass descriptors is a Pass as encoded ("An apprentice
# must achieve a minimum of a Pass in all components", § Assessment Grading Breakdown) and, K4.2 not listed, a fail
# read otherwise. It was said of no grade.
def _record71_observation(observation_met):
    record = _record71(pass71("project"))
    record["assessments"][0]["criteria_met"] = observation_met
    return record


def test_st0071_an_observation_pass_not_listing_k4_2_turns_on_the_k15_reading(tmp_path):
    out = _grade_data(tmp_path, _record71_observation(pass71("observation")))
    assert out["components"]["observation"] == P
    says = _says(out, "observation")
    assert ("observation: the grade turns on K4.2, which the tool's reading of an ambiguous passage does not grade "
            "here (ambiguity nqual-k15-no-observation-descriptor, shown by `epa ambiguities`): read otherwise, a pass "
            "needs it, and the attempt does not list it as met: a fail") in says
    step = next(s for s in out["explanation"] if "K4.2" in s["says"])
    assert step["citation"] == f"{S71} § END-POINT ASSESSMENT METHODS TABLE"


def test_st0071_an_observation_pass_listing_k4_2_names_no_k15_reading(tmp_path):
    # K4.2 listed as met in the observation: a pass read either way (not counted as encoded, and said so).
    out = _grade_data(tmp_path, _record71_observation([*pass71("observation"), "K4.2", "S2.3"]))
    assert out["components"]["observation"] == P
    assert "ambiguity" not in _says(out, "observation")
    assert any("K4.2 (observation): not a criterion in nqual's document; not counted" in n["says"]
               for n in out["notes"])


def test_st0071_an_observation_fail_names_no_k15_reading(tmp_path):
    # K3.4 ("An ability to assess at least 3 different customer types ...", a Pass descriptor) missing: a fail read
    # either way, K4.2 listed or not.
    out = _grade_data(tmp_path, _record71_observation([c for c in pass71("observation") if c != "K3.4"]))
    assert out["components"]["observation"] == F
    assert "nqual-k15-no-observation-descriptor" not in _says(out, "observation")


# S71 § END-POINT ASSESSMENT METHODS TABLE ticks "S2 Resolve complex issues ..." under Professional Discussion and "S5
# Manage challenging and complicated situations ..." under Observation with Q&A, while the Grading Descriptors print
# "Demonstrates resolution of a range of complex customer service issues ..." (S1.5) among the observation's Pass
# Descriptors and "Demonstrates management of challenging and complicated situations ..." (S2.3) among the
# discussion's (nqual-s2-table-vs-observation-descriptor, nqual-s5-table-vs-discussion-descriptor). Read as the
# Methods Table places them, each is a Pass descriptor of the other method: a discussion passed by an attempt not
# listing S1.5 would be a fail, and an observation passed by one not listing S2.3 ("An apprentice must achieve a
# minimum of a Pass in all components", § Assessment Grading Breakdown). Only the method they are encoded in was said
# to turn on them (a fail there missing one alone).
@pytest.mark.parametrize("method, moved, reading", [
    ("discussion", "S1.5", "nqual-s2-table-vs-observation-descriptor"),
    ("observation", "S2.3", "nqual-s5-table-vs-discussion-descriptor"),
])
def test_st0071_a_pass_not_listing_a_criterion_the_methods_table_puts_there_turns_on_it(tmp_path, method, moved,
                                                                                         reading):
    record = _record71(pass71("project"))
    for attempt in record["assessments"]:
        attempt["criteria_met"] = [*pass71(attempt["method"]), "K4.2"] if attempt["method"] == "observation" else \
            pass71(attempt["method"])
    out = _grade_data(tmp_path, record)
    assert out["components"][method] == P
    assert (f"{method}: the grade turns on {moved}, which the tool's reading of an ambiguous passage does not grade "
            f"here (ambiguity {reading}, shown by `epa ambiguities`): read otherwise, a pass needs it, and the attempt "
            f"does not list it as met: a fail") in _says(out, method)
    # listed in that method's attempt too: a pass either way
    for attempt in record["assessments"]:
        if attempt["method"] == method:
            attempt["criteria_met"] = [*attempt["criteria_met"], moved]
    out = _grade_data(tmp_path, record)
    assert out["components"][method] == P and reading not in _says(out, method)
