"""Issue 19: readings corrected against their sentences, and the consistency report's statements about them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import FOUR, consistency_of_four, finding, side
from epa.rules.sources import sources_dir
from epa.testing import body, requires

SEEDS = sources_dir()
HIGHFIELD = "002_a4f677c7c4e5fdb6.txt"


def seed(file: str) -> Path:
    path = SEEDS / file
    if not path.is_file():
        pytest.skip(f"source document {file} not found in {SEEDS} (set EPA_SOURCES)")
    return path


@pytest.mark.parametrize(("parent", "first_words"), [
    # 002 prints "Before the assessment" three times, once under each method's "Assessing the ..." heading
    ("Assessing the work-based project (supported by an interview)", "Employers/training providers should:"),
    ("Assessing the professional discussion (supported by portfolio of evidence)",
     "Employers/training providers should:"),
    ("Assessing the practical observation (with Q&As)", "Employers/training providers should:"),
])
def test_a_heading_printed_more_than_once_is_found_under_its_parent(parent, first_words):
    from epa.rules.sources import has_section, locate

    path = seed(HIGHFIELD)
    lines = path.read_text(encoding="utf-8").splitlines()
    at = locate(path, f"{parent} > Before the assessment")
    assert at is not None and lines[at] == "Before the assessment"
    # the nearest "Assessing the ..." heading above the line found is the parent named, not the contents page
    above = [i for i, line in enumerate(lines[:at]) if line.startswith("Assessing the ")]
    assert lines[above[-1]] == parent and above[-1] > 100
    assert first_words in "\n".join(lines[at:at + 4])
    assert has_section(path, f"{parent} > Before the assessment")


def test_three_before_the_assessment_citations_name_three_passages():
    from epa.rules.sources import has_section, locate

    path = seed(HIGHFIELD)
    parents = ("Assessing the work-based project (supported by an interview)",
               "Assessing the professional discussion (supported by portfolio of evidence)",
               "Assessing the practical observation (with Q&As)")
    assert len({locate(path, f"{p} > Before the assessment") for p in parents}) == 3
    assert not has_section(path, "Assessing the practical observation (with Q&As) > No such heading")


# --- epa diff --body gateway_quals --from 1.0 --to 1.1 -------------------------------------------------------

def _gq_diff():
    from epa.rules.versions import report

    return report(body("gateway_quals"), "ST0071", "1.0", "1.1")


@requires("gateway_quals")
def test_gq_diff_lists_no_bookkeeping_as_a_document_change():
    # the two ambiguity entries (an effective-from reading rewritten, a reconstruction note dropped) are the
    # encoders' notes, not changes to the document
    data = _gq_diff()
    assert not [d for d in data["differences"] if d["kind"].startswith("ambiguity")]
    assert {d["kind"] for d in data["readings_changed"]} == {"ambiguity_changed", "ambiguity_removed"}


@requires("gateway_quals")
def test_gq_diff_lists_what_the_change_log_states():
    # 004 § Version and date Change detail Section/page reference: "pg5: standard reference number updated to
    # v1.1, and assessment plan version number updated to ST0071/V1.1"; "pg16: practical observation - skills
    # Business focused service delivery: Resolve complex issues ... moved to the professional discussion pg20";
    # "V1.1 May 2024 New version of the assessment plan and the application of a temporary dispensation ..."
    data = _gq_diff()
    logged = [d for d in data["differences"] if d["kind"] in ("not_encoded", "not_described")]
    says = {d["kind"]: [] for d in logged}
    for d in logged:
        says[d["kind"]].append(d["says"])
    # pg5's first half no rule records; its second half, the plan version, is a difference of its own, not said
    # to be recorded nowhere
    assert any(s == "pg5: standard reference number updated to v1.1" for s in says["not_encoded"])
    assert not any("plan version" in s for s in says["not_encoded"])
    [plan] = [d for d in data["differences"] if d["kind"] == "document" and d["id"] == "plan_version"]
    assert (plan["from"], plan["to"]) == ("1.0", "1.1")
    assert any("Resolve complex issues" in s and "pg20" in s for s in says["not_encoded"])
    [dispensation] = [d for d in logged if d["kind"] == "not_described"]
    assert "temporary dispensation" in dispensation["says"] and "nowhere" in dispensation["summary"]
    assert all(d["citation"] == "004_97be493b5d6ee5b2.txt § Version and date Change detail Section/page reference"
               for d in logged)
    # the one change the rules record is still there
    assert [(d["kind"], d["id"]) for d in data["differences"] if d["kind"] == "criterion_moved"] == [
        ("criterion_moved", "S1.5")]


# --- the consistency report: what it says, and what it must not --------------------------------------------

needs_four = requires(*FOUR)


@needs_four
def test_english_and_maths_deferred_to_the_funding_rules_is_stated_not_none():
    # 000 § GATEWAY: "Evidence of achieving relevant maths and English qualifications if required by funding
    # regulations or the employer"; 003 § Gateway Considerations: "... the English and maths requirements have been
    # met in line with the funding rules". Both state the requirement, deferred: never "none".
    f = finding("gateway.rules.english-maths")
    for body_id, to in (("nqual", "funding regulations or the employer"), ("tqual", "funding rules")):
        s = side(f, body_id)
        assert s["says"] != "none" and f"deferred to {to}" in s["says"]
        assert any("funding" in q["text"] for q in s["quotes"] if q["body"] == body_id)
    assert "none" not in f["summary"].split("; ")[-1]


@needs_four
def test_nquals_should_lead_times_are_lead_time_advice():
    # 000 § EPA TIMESCALE: "Training Providers should register apprentices ... a minimum of 90 days before
    # assessment", "All evidence should be uploaded to NQual a minimum of 10 working days prior to EPA"; § PORTFOLIO
    # SUBMISSION: "... should be submitted via ACE360 no later than 14 days prior to End-Point Assessment";
    # § Professional Discussion ...: "This should be submitted to NQual two weeks prior to the Professional
    # Discussion date." Four "should" lead times: NQual's advice on lead time is not "none stated".
    s = side(finding("recommendations.lead-time"), "nqual")
    assert s["says"] != "none stated"
    texts = [q["text"] for q in s["quotes"]]
    assert len(texts) == 4
    assert any("90 days" in t for t in texts) and any("two weeks prior to the Professional Discussion" in t
                                                      for t in texts)


@needs_four
def test_nquals_time_on_programme_is_on_programme_advice():
    # 000 § INTRODUCTION: "An apprentice for Customer Service Specialist Level 3 should typically take up to 15
    # months on programme": advice on the programme, not "none stated"; and not advice on duration
    s = side(finding("recommendations.on-programme"), "nqual")
    assert "15 months on programme" in s["says"]
    duration = side(finding("recommendations.duration"), "nqual")
    assert "15 months on programme" not in duration["says"]


@needs_four
def test_window_anchors_no_document_states_are_labelled_readings():
    # 002 § Retake and resit information: "apprentices should complete retake/resits within 12 months"; 003
    # § Resits and Retakes: "... should complete this within 12 months"; 000 § Re-sit / Re-take: "All assessment
    # methods must be taken within a 12-month period". None says from when; 004 § 4: "within three months of the
    # fail notification" does (and, "otherwise the entire EPA must be taken again, unless ... exceptional
    # circumstances apply", what follows a miss).
    f = finding("resits.windows")
    for body_id in ("highfield", "tqual", "nqual"):
        s = side(f, body_id)
        assert "the tool's reading" in s["says"]
        assert s["readings"] and all(r.endswith("; the document does not say which date this counts from")
                                     for r in s["readings"])
    gq = side(f, "gateway_quals")
    assert gq["says"] == ("3 months from fail notified, missed: the whole EPA again unless exceptional "
                          "circumstances apply") and gq["readings"] == []
    assert "from first fail notified (advice)" not in f["summary"]


@needs_four
def test_nq_prj_p1_is_a_printed_fragment_not_a_difference_between_bodies():
    # 000 § Grading Descriptors for Work-Based Project ...: "Provides evidence to show how they identify how this
    # information can be analysed, used and presented" printed just before S2.8, whose second half it repeats
    ids = [f["id"] for f in consistency_of_four()["findings"]]
    assert not [i for i in ids if i.startswith("criteria.nq.prj.p1")]
    f = finding("self-consistency.nqual.nq.prj.p1-repeats-s2.8")
    assert len(f["sides"][0]["quotes"]) == 2


@needs_four
def test_observation_mode_face_to_face_against_remote():
    # 004 § 2.5: "... must occur in the apprentice's workplace and is carried out face to face"; 002 § Practical
    # observation: "... the observation assessment may also take place remotely over web conferencing"
    f = finding("conduct.mode.observation")
    assert side(f, "gateway_quals")["bodies"] == ["gateway_quals"]
    assert "face to face" in side(f, "gateway_quals")["quotes"][0]["text"]
    assert "remotely" in side(f, "highfield")["quotes"][0]["text"]
    # 000 § Practical Observation with Q&As: "observed in their usual workplace ... be carried out on a one-to-one
    # basis"; 003 § Practical Observation: "The practical observation must, therefore, take place in the
    # apprentice's workplace." Neither is silent on it.
    for who, words in (("nqual", "usual workplace"), ("tqual", "take place in the apprentice's workplace")):
        assert side(f, who)["says"] != "states nothing on it"
        assert any(words in q["text"] for q in side(f, who)["quotes"])
    assert side(f, "nqual")["bodies"] == ["nqual", "tqual"]


@needs_four
def test_observation_mode_names_no_requirement_all_four_share_as_one_bodys_own():
    # One-to-one is in all four: 004 § 2.5 ("Be carried out on a one-to-one basis."), 002 § Assessing the practical
    # observation ("be carried out on a one-to-one basis"), 000 § Practical Observation with Q&As ("be carried out on
    # a one-to-one basis") and 003 § Planning the Observation ("be carried out on a one-to-one basis."). A side saying
    # "one-to-one" beside Gateway Qualifications' "face to face" read as if it alone required it: no side names it.
    f = finding("conduct.mode.observation")
    assert not [s["says"] for s in f["sides"] if "one-to-one" in s["says"]]
    assert side(f, "nqual")["says"] == "in the apprentice's workplace"


@needs_four
@pytest.mark.parametrize(("method", "words"), [
    # 002 § Component 2: Interview: "The interview can take place either face-to-face or via online video
    # conferencing, if appropriate."; 000 § Work-Based Project Supported by an Interview: "The interview will last for
    # 60 minutes and will take place either face to face or remotely."; 003 § Interview: "The interview can be
    # conducted face to face or remotely via video conferencing using Microsoft Teams."
    ("project", {"highfield": "either face-to-face or via online video conferencing",
                 "nqual": "will take place either face to face or remotely",
                 "tqual": "face to face or remotely via video conferencing"}),
    # 002 § Assessing the professional discussion ...: "The professional discussion can be either face-to-face or
    # via online video conference, if appropriate."; 000 § Professional Discussion Supported by Portfolio Evidence:
    # "The Professional Discussion can take place either face-to-face or remotely."; 003 § Professional Discussion:
    # "The professional discussion can be conducted face to face or remotely by video conferencing using Microsoft
    # Teams."
    ("discussion", {"highfield": "either face-to-face or via online video conference",
                    "nqual": "can take place either face-to-face or remotely",
                    "tqual": "face to face or remotely by video conferencing"}),
])
def test_the_interview_and_the_discussion_held_remotely_is_a_divergence(method, words):
    # Only the observation's mode was compared: that three documents let the interview and the professional
    # discussion be held remotely, where 004 says nothing of how either is held (its 'Mode of assessment' rows name
    # the method and its controlled conditions only), was in no finding.
    f = finding(f"conduct.mode.{method}")
    remote, silent = side(f, "highfield"), side(f, "gateway_quals")
    assert remote["bodies"] == ["highfield", "nqual", "tqual"] and silent["bodies"] == ["gateway_quals"]
    assert "face to face or remotely" in remote["says"]
    assert silent["says"] == "states nothing on it"
    for who, said in words.items():
        assert any(said in q["text"] for q in remote["quotes"] if q["body"] == who), who
    for q in remote["quotes"]:
        printed = " ".join(seed(q["citation"].split(" § ")[0]).read_text(encoding="utf-8").split())
        assert q["text"] in printed


@needs_four
def test_the_project_subjects_quotes_are_the_documents_words():
    # 002 § Readiness for end-point assessment: "... This will only be signed off by the assessor if it is deemed
    # appropriate enough to satisfy the criteria available." The quote had ended "satisfy the criteria.", a word
    # short. Each side's quote, its "..." gaps apart, is in its document as printed (whitespace and the
    # extraction's bold and HTML marks aside).
    f = finding("conduct.project-subject.project")
    for s in f["sides"]:
        for q in s["quotes"]:
            text = seed(q["citation"].split(" § ")[0]).read_text(encoding="utf-8")
            printed = " ".join(re.sub(r"\*\*|</?[a-z]+>", "", text).split())
            for part in q["text"].split("..."):
                assert " ".join(part.split()) in printed, (s["bodies"], part)


@needs_four
def test_who_agrees_the_projects_subject_and_when():
    # 000 § Work-Based Project ...: "the subject of the project should be agreed with NQual at gateway"; 004 § 2.6:
    # "The subject of the project report will be agreed with Gateway Qualifications during the EPA Planning
    # Meeting ... the IEPA will make the final decision"
    f = finding("conduct.project-subject.project")
    nqual, gq = side(f, "nqual"), side(f, "gateway_quals")
    assert nqual is not gq
    assert "at gateway" in nqual["says"] and "(advice)" in nqual["says"]
    assert "Planning Meeting" in gq["says"] and "IEPA" in gq["says"]
    assert "EPA Planning Meeting" in gq["quotes"][0]["text"]


@needs_four
def test_mocks_a_responsibility_against_a_recommendation():
    # 000 § MOCK OBSERVATION WITH Q&A: "It is the responsibility of the employer and training provider to complete
    # a Mock Practical Observation"; 002 § Practical observation (with Q&As) mock assessment: "Highfield
    # recommends that the apprentice completes a mock practical observation"
    f = finding("conduct.mocks")
    assert side(f, "nqual") is not side(f, "highfield")
    assert "responsibility" in side(f, "nqual")["says"] and "(advice)" not in side(f, "nqual")["says"]
    assert "recommended" in side(f, "highfield")["says"] and "(advice)" in side(f, "highfield")["says"]


@needs_four
def test_portfolio_before_the_discussion_should_against_must():
    # 000: "This should be submitted to NQual two weeks prior to the Professional Discussion date."; 002: "The
    # apprentice must submit the portfolio of evidence to Highfield Assessment 2 weeks before ..."; 003: "Apprentices
    # must submit the portfolio of evidence two weeks prior to ..."; 004: "A completed portfolio of evidence must be
    # submitted to Gateway Qualifications two weeks prior to the professional discussion."
    f = finding("deadlines.portfolio-before-discussion")
    assert [sorted(s["bodies"]) for s in f["sides"]] in ([["gateway_quals", "highfield", "tqual"], ["nqual"]],
                                                          [["nqual"], ["gateway_quals", "highfield", "tqual"]])
    assert "advice" in side(f, "nqual")["says"] and "required" in side(f, "tqual")["says"]


@needs_four
def test_tquks_questioning_follows_the_observation_highfields_is_inside_it():
    # 003 § Questioning Session: "the question and answer session will last up to 10 minutes, following the
    # 60-minute (+/-10%) practical observation"; 002 § Assessing the practical observation (with Q&As): "The
    # observation must include questioning ..."
    f = finding("conduct.questioning-in-duration.observation")
    assert side(f, "tqual") is not side(f, "highfield")
    assert "follows" in side(f, "tqual")["says"] and "part of the observation" in side(f, "highfield")["says"]


@needs_four
@pytest.mark.parametrize(("field", "required", "not_required"), [
    # 003 § Gateway Considerations: "required to upload ... photo ID"; 002: an identification check "before
    # starting any assessment" (not at gateway); 000 and 004 list no photo ID
    ("photo-id", {"tqual"}, {"highfield", "nqual", "gateway_quals"}),
    # 003: "work based project proposal"; 002: "The proposal must be made available to Highfield Assessment at
    # gateway."; 000 and 004 ask for none at gateway
    ("project-proposal", {"tqual", "highfield"}, {"nqual", "gateway_quals"}),
])
def test_gateway_evidence_compared_item_by_item(field, required, not_required):
    from epa.testing import run

    f = finding(f"gateway.evidence.{field}")
    assert f["shows"]["row"] == "gateway_ready"
    assert {b for b, ready in f["shows"]["values"].items() if not ready} == required
    assert {b for b, ready in f["shows"]["values"].items() if ready} == not_required
    # `epa compare` on the witness shows the same split
    import json as _json
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as out:
        _json.dump(f["witness"], out)
    shown = run("compare", out.name, "--format", "json").json()
    ready = {r["body"]: r["gateway"]["ready"] for r in shown["results"]}
    assert {b for b in FOUR if ready.get(b) is False} == required


@needs_four
def test_retake_through_gateway_stated_or_silent():
    # 002 § Retake and resit information and 003 § Resits and Retakes: "A retake requires the apprentice to
    # undertake further learning and therefore they would need to go through the gateway process again."
    f = finding("resits.retake-through-gateway")
    assert sorted(side(f, "highfield")["bodies"]) == ["highfield", "tqual"]
    assert side(f, "nqual")["says"] == "the document is silent on it"
    assert sorted(side(f, "nqual")["bodies"]) == ["gateway_quals", "nqual"]


@needs_four
@pytest.mark.parametrize(("finding_id", "words"), [
    # 000: "no later than 14 days prior to End-Point Assessment" against "two weeks prior to the Professional
    # Discussion date"
    ("self-consistency.nqual.nqual-st0071-portfolio-lead-time", "14 days prior to End-Point Assessment"),
    # 002: the plan's order (project, discussion, observation) against "recommended to be before the professional
    # discussion"
    ("self-consistency.highfield.highfield-method-order-contradiction", "before the professional discussion"),
    # 000 § END-POINT ASSESSMENT METHODS TABLE: S7 then S9
    ("self-consistency.nqual.nqual-st0071-skills-numbering-skips-s8", "S9 Demonstrate"),
])
def test_contradictions_inside_one_document_are_self_consistency_findings(finding_id, words):
    f = finding(finding_id)
    [s] = f["sides"]
    assert words in s["quotes"][0]["text"] and s["readings"]


@requires("nqual")
def test_st0072_showcase_distinction_printed_twice_is_a_self_consistency_finding():
    # 001 § Grading Descriptors for Apprentice Showcase prints "Take ownership of customer issues, ..." twice in
    # one distinction cell: 10 distinct criteria for "Apprentice Showcase - 7 out of 10"
    from epa.consistency import analyse
    from epa.testing import registry

    found = {f["id"]: f for f in analyse(registry(), "ST0072", ["nqual"])["findings"]}
    f = found["self-consistency.nqual.nqual-st0072-showcase-printed-twice"]
    assert "Take ownership of customer issues" in f["sides"][0]["quotes"][0]["text"]
    assert "7 out of 10" in f["sides"][0]["readings"][0]


@needs_four
def test_every_quote_names_its_document_title_version_and_section():
    labels = {"gateway_quals": "Gateway Qualifications Spec v1.1", "highfield": "Highfield Assessment EPA Kit v5.0",
              "nqual": "NQual Support Pack v1.2", "tqual": "TQUK Spec v1.2"}
    quoted = 0
    for f in consistency_of_four()["findings"]:
        for s in f["sides"]:
            for q in s["quotes"]:
                quoted += 1
                assert q["body"] in s["bodies"]
                assert q["document"]["title"] and q["document"]["version"]
                assert q["citation"] == f"{q['document']['file']} § {q['section']}"
                if q["body"] in labels:
                    assert q["document"]["label"] == labels[q["body"]]
    assert quoted > 100
    # the rule-data findings quote a side for every body that states something
    for f in consistency_of_four()["findings"]:
        if f["area"] in ("conduct", "tolerances", "deadlines") or f["id"].startswith("gateway.rules"):
            for s in f["sides"]:
                stated = [b for b in s["bodies"] if s["citations"].get(b)]
                assert {q["body"] for q in s["quotes"]} == set(stated), (f["id"], s)


def test_an_explanation_says_when_the_date_a_deadline_counts_from_is_the_tools_reading(registry):
    """Where a document states no date to count from (``from_reading``: Gateway Qualifications' 'EPA duration Up to
    3 months', 004 § Key information; NQual's 'before assessment'; the 12-month resit windows' 'within 12 months'),
    the date is the tool's reading. ``epa consistency`` said so; the explanation of ``epa compare``, ``grade`` and
    ``timeline`` named the date alone ('3 months after gateway on 2025-09-03'), as if the document had. Each deadline
    and resit window of every installed body's explanation of the journey example says so exactly where its rule is
    a reading. Before this change no explanation said it."""
    from conftest import EXAMPLES, offering, run
    from epa.rules.deadlines import FROM_READING

    offering("ST0071", "the journey example's standard")
    done = run("compare", str(EXAMPLES / "st0071-journey.yaml"), "--format", "json")
    assert done.exit_code == 0, done.stderr
    said = 0
    for result in json.loads(done.stdout)["results"]:
        rules = next(r for r in registry.body(result["body"]).body.rulesets_for("ST0071")
                     if r.document.version == result["document"]["version"])
        reading = {d.id: d.from_reading for d in (rules.journey.deadlines if rules.journey else ())}
        resit = rules.journey.resit if rules.journey else None
        reading.update({w.id: w.from_reading for w in (resit.windows if resit else ())})
        reading.update({w.id: w.from_reading for w in (resit.rework if resit else ())})
        for deadline in result["deadlines"]:
            # (a proposal's deadline has no from_reading: its document states what it counts from)
            rule = next((v for k, v in reading.items() if deadline["id"] == k or deadline["id"].startswith(k + ".")),
                        False)
            if deadline["date"] is not None:
                assert (FROM_READING in deadline["says"]) is rule, (result["body"], deadline["id"])
                said += rule
    if not any(v for r in registry.bodies for rs in r.body.rulesets for v in
               [*(d.from_reading for d in (rs.journey.deadlines if rs.journey else ())),
                *(w.from_reading for w in (rs.journey.resit.windows if rs.journey and rs.journey.resit else ())),
                *(w.from_reading for w in (rs.journey.resit.rework if rs.journey and rs.journey.resit else ()))]):
        pytest.skip("no installed body's rules count a deadline from the tool's reading")
    assert said > 0
