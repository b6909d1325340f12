"""Journey behaviour tests for Highfield Assessment (body `highfield`), ST0071: gateway, deadlines, resits,
tolerances.

Source: 002_a4f677c7c4e5fdb6.txt, Highfield End-Point Assessment Kit ST0071/v1.3 (CSS v5.0), in the sources folder
(EPA_SOURCES, default ../shared/seeds).
Every expected value is read from that document (and the calendar), never from the journey YAML or from
running the code; the YAML was read for rule ids only. Each test or parametrize row quotes its sentence.
Dates are worked out by hand in the comments ("notified 2025-11-14 + 1 month = 2025-12-14").

Where the kit leaves something open, the test says which reading it checks and why:
- the 12-month resit/retake window has no anchor in the kit ("should complete retake/resits within 12 months.
  There is no limit to the number of retake/resits within the 12 months."); the journey file counts it from the
  first fail's notification (its ambiguity `highfield-resit-window-anchor`), and those tests use that anchor;
- the 1-month project rework has no anchor either ("Apprentices will have 1 month to rework their
  submission."); it is counted from the fail's notification (ambiguity `highfield-project-rework-anchor`);
- the kit does not say what follows a missed 12-month window ("apprentices should complete retake/resits within
  12 months"); the window's consequence is encoded as none_stated, so a missed window is reported (deadline
  status missed, and an explanation step saying the kit states no consequence) and nothing else follows: no whole
  EPA again, the overall grade kept.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest

from epa.testing import (
    assert_advice_only,
    check_recommendations,
    dump_record,
    flat,
    journey_rules,
    only,
    requires,
    run,
    source_text,
)

pytestmark = requires("highfield")

RECORDS = Path(__file__).parent / "records"

BODY = "highfield"
STD = "ST0071"
DOC = "002_a4f677c7c4e5fdb6.txt"

S_READY = f"{DOC} § Readiness for end-point assessment"
S_ONPROG = f"{DOC} § On-programme requirements"
S_GATEWAY = f"{DOC} § Gateway"
S_PORTFOLIO = f"{DOC} § Portfolio of evidence"
S_PROPOSAL = f"{DOC} § Project proposal"
S_RESIT = f"{DOC} § Retake and resit information"
S_GRADING = f"{DOC} § Grading"
S_SUMMARY = f"{DOC} § Assessment summary"
S_REPORT = f"{DOC} § Component 1: Work-based project report"
S_INTERVIEW = f"{DOC} § Component 2: Interview"
S_DISCUSSION = f"{DOC} § Assessing the professional discussion (supported by portfolio of evidence)"
S_OBSERVATION = f"{DOC} § Assessing the practical observation (with Q&As)"

P, D, F = "pass", "distinction", "fail"

# Every gateway item the record can show, in order, so that only the item under test can make gateway unready.
GOOD_GATEWAY = {
    "date": "2025-09-03",
    "portfolio_pieces": 12,          # 002 § Portfolio of evidence: "a minimum of 10 ... to a maximum of 15 pieces"
    "portfolio": True,               # 002 § Readiness: "must have gathered a portfolio of evidence"
    "portfolio_declaration": True,   # 002 § Portfolio of evidence: "including a declaration by the apprentice"
    "project_proposal": True,        # 002 § Project proposal: "The proposal must be made available ... at gateway."
    "project_proposal_words": 250,   # 002 § Project proposal: "Highfield recommend this proposal should be 200-300"
    "photo_id": True,                # 002 § ID requirements
    "gateway_form": True,            # 002 § Readiness: "... to complete the Gateway Readiness Report."
}


def record(*, dob="2004-03-15", start="2024-09-02", english="level2", maths="level2", gateway=None,
           assessments=(), dates=None, schedule=None) -> dict:
    apprentice = {"id": "HF-J", "date_of_birth": dob, "start_date": start, "english": english, "maths": maths}
    rec = {"standard": STD, "apprentice": {k: v for k, v in apprentice.items() if v is not None},
           "gateway": copy.deepcopy(GOOD_GATEWAY) if gateway is None else gateway}
    if assessments:
        rec["assessments"] = [dict(a) for a in assessments]
    if dates:
        rec["dates"] = dates
    if schedule:
        rec["schedule"] = schedule
    return rec


def attempt(method, date, grade, **extra) -> dict:
    return {"method": method, "date": date, "grade": grade, **extra}


def grade(tmp_path, rec: dict) -> dict:
    result = run("grade", "--body", BODY, str(dump_record(tmp_path, rec)), "--format", "json")
    assert result.exit_code == 0, result.stderr
    return result.json()


def grade_file(name: str) -> dict:
    result = run("grade", "--body", BODY, str(RECORDS / name), "--format", "json")
    assert result.exit_code == 0, result.stderr
    return result.json()


def requirement(out: dict, rid: str) -> dict:
    return only(out["gateway"]["requirements"], rid)


def deadline(out: dict, did: str) -> dict:
    return only(out["deadlines"], did)


def check(out: dict, cid: str) -> dict:
    return only(out["checks"], cid)


# ---------------------------------------------------------------------------------------------------------------
# Gateway: English and maths by age at the apprenticeship start
# ---------------------------------------------------------------------------------------------------------------

def test_17_year_old_starter_without_level2_maths_is_not_ready():
    # 002 § Readiness for end-point assessment: "the apprentice must have achieved level 2 English and maths. The
    # requirements for English and maths are mandatory for all apprentices aged between 16-18 at the start of their
    # apprenticeship training." DOB 2007-03-15, start 2024-09-02: aged 17 at the start; maths level1.
    out = grade_file("highfield-journey-17-no-maths.yaml")
    gw = out["gateway"]
    assert gw["ready"] is False
    assert gw["unmet"] == ["english-maths-16-18"]
    assert "english-maths-16-18" not in gw["recommendations_unmet"]
    req = requirement(out, "english-maths-16-18")
    assert (req["mandatory"], req["status"]) == (True, "unmet")
    assert req["citation"].startswith(DOC)
    # "... optional for apprentices aged 19+ at the start": not this apprentice
    assert requirement(out, "english-maths-19-plus")["status"] == "not_applicable"


def test_20_year_old_starter_without_level2_maths_is_ready_with_an_optional_item_unmet():
    # 002 § Readiness for end-point assessment: "The requirements for English and maths are optional for apprentices
    # aged 19+ at the start of their apprenticeship training." DOB 2004-03-15, start 2024-09-02: aged 20; maths level1.
    # "optional", not "should" or "recommend": listed as an optional item unmet, not as a recommendation unmet.
    out = grade_file("highfield-journey-20-no-maths.yaml")
    gw = out["gateway"]
    assert gw["ready"] is True
    assert gw["unmet"] == []
    assert gw["optional_unmet"] == ["english-maths-19-plus"]
    assert gw["recommendations_unmet"] == []
    req = requirement(out, "english-maths-19-plus")
    assert (req["mandatory"], req["strength"], req["status"]) == (False, "optional", "unmet")
    # "mandatory for all apprentices aged between 16-18 at the start": not this apprentice
    assert requirement(out, "english-maths-16-18")["status"] == "not_applicable"


def test_gateway_command_agrees_on_the_17_year_old():
    # Same sentence as above (002 § Readiness for end-point assessment), through `epa gateway REC --body highfield`.
    result = run("gateway", str(RECORDS / "highfield-journey-17-no-maths.yaml"), "--body", BODY, "--format", "json")
    assert result.exit_code == 0, result.stderr
    (gw,) = [r["gateway"] for r in result.json()["results"] if r["body"] == BODY]
    assert gw["ready"] is False and gw["unmet"] == ["english-maths-16-18"]


# Start 2024-09-02. Age at the start decides; the 19th birthday is the boundary.
# 002 § On-programme requirements: "If the apprentice began their apprenticeship training before their 19th birthday,
# they will still be subject to the mandatory requirement to study towards and achieve English and maths. The
# requirements for English and maths are optional for apprentices aged 19+ at the start of their apprenticeship
# training." (and 002 § Readiness for end-point assessment: "aged between 16-18" mandatory / "aged 19+" optional)
@pytest.mark.parametrize("dob, age, mandatory_applies", [
    ("2005-09-03", 18, True),    # 19th birthday 2024-09-03, the day after the start: began before it -> 16-18
    ("2005-09-02", 19, False),   # 19th birthday on the start day: not "before their 19th birthday" -> 19+
    ("2005-09-01", 19, False),   # 19th birthday 2024-09-01, the day before the start -> 19+
    ("2006-09-03", 17, True),    # 18th birthday the day after the start: aged 17 -> 16-18
    ("2006-09-01", 18, True),    # 18th birthday the day before the start: aged 18 -> still 16-18
])
def test_age_boundary_at_the_start(tmp_path, dob, age, mandatory_applies):
    out = grade(tmp_path, record(dob=dob, maths="level1"))
    gw = out["gateway"]
    if mandatory_applies:
        assert gw["ready"] is False
        assert "english-maths-16-18" in gw["unmet"]
        assert requirement(out, "english-maths-19-plus")["status"] == "not_applicable"
    else:
        assert gw["ready"] is True
        assert "english-maths-16-18" not in gw["unmet"]
        assert gw["optional_unmet"] == ["english-maths-19-plus"]   # "optional for apprentices aged 19+"
        assert "english-maths-19-plus" not in gw["recommendations_unmet"]
        assert requirement(out, "english-maths-16-18")["status"] == "not_applicable"


# Born 29 February 2004, started 28 February 2023 (no 29 February that year): "before their 19th birthday" (002 §
# On-programme requirements) turns on which day that birthday falls on, which no document here says. The tool counts
# it on 28 February (19 at the start: optional); counted on 1 March the apprentice would be 18 (mandatory). The
# answer was given without a word of it; the reading is said where it decides. Started 1 March: 19 either way.
@pytest.mark.parametrize("start, reading", [("2023-02-28", True), ("2023-03-01", False)])
def test_a_leap_day_birthday_that_decides_the_age_band_is_said_to_be_the_tools_reading(tmp_path, start, reading):
    out = grade(tmp_path, record(dob="2004-02-29", start=start, maths="level1"))
    mandatory, optional = requirement(out, "english-maths-16-18"), requirement(out, "english-maths-19-plus")
    assert (mandatory["status"], optional["status"]) == ("not_applicable", "unmet")
    assert out["gateway"]["ready"] is True and out["gateway"]["optional_unmet"] == ["english-maths-19-plus"]
    for said in (mandatory["says"], optional["says"]):
        assert ("born 29 February, counted a year older on 28 February, the tool's reading" in said) is reading


# 002 § Gateway: "The requirements for English and maths listed below are mandatory for all apprentices aged between
# 16-18 at the start of their apprenticeship training. ... - Achieved level 2 English - Achieved level 2 maths"
# All rows: DOB 2007-03-15, start 2024-09-02 (aged 17).
@pytest.mark.parametrize("english, maths, status", [
    ("level2", "level2", "met"),
    ("level3", "level3", "met"),      # above Level 2 is "achieved level 2"
    ("level1", "level2", "unmet"),    # English short
    ("level2", "level1", "unmet"),    # maths short
    ("level2", "none", "unmet"),
    ("level2", "entry3", "unmet"),
    (None, "level2", "unknown"),      # the record is silent about English: cannot say met or unmet
])
def test_16_18_needs_both_english_and_maths_at_level2(tmp_path, english, maths, status):
    out = grade(tmp_path, record(dob="2007-03-15", english=english, maths=maths))
    assert requirement(out, "english-maths-16-18")["status"] == status
    assert out["gateway"]["ready"] is (status != "unmet")
    assert ("english-maths-16-18" in out["gateway"]["unknown"]) is (status == "unknown")


def test_age_unknown_when_the_record_has_no_date_of_birth(tmp_path):
    # 002 § Readiness for end-point assessment: the English and maths rule depends on the age "at the start of their
    # apprenticeship training"; without a date of birth neither band can be said to apply.
    out = grade(tmp_path, record(dob=None, maths="level1"))
    assert requirement(out, "english-maths-16-18")["status"] == "unknown"
    assert requirement(out, "english-maths-19-plus")["status"] == "unknown"
    assert "english-maths-16-18" in out["gateway"]["unknown"]
    assert "english-maths-16-18" not in out["gateway"]["unmet"]


# ---------------------------------------------------------------------------------------------------------------
# Gateway: unknown vs met vs unmet for what the record does or does not say
# ---------------------------------------------------------------------------------------------------------------

# (requirement id, gateway field, mandatory, citation sentence)
PROVIDED = [
    # 002 § Readiness for end-point assessment: "the apprentice must have gathered a portfolio of evidence to be put
    # forward as a basis for the professional discussion"
    ("portfolio-gathered", "portfolio"),
    # 002 § Project proposal: "The proposal must be made available to Highfield Assessment at gateway."
    ("project-proposal-at-gateway", "project_proposal"),
    # 002 § Readiness for end-point assessment: "the apprentice must attend a formal meeting with their employer to
    # complete the Gateway Readiness Report."
    ("gateway-readiness-report", "gateway_form"),
]


@pytest.mark.parametrize("rid, field", PROVIDED)
@pytest.mark.parametrize("value, status", [(True, "met"), (False, "unmet"), (None, "unknown")])
def test_mandatory_evidence_met_unmet_or_unknown(tmp_path, rid, field, value, status):
    gw = copy.deepcopy(GOOD_GATEWAY)
    if value is None:
        del gw[field]          # the record is silent
    else:
        gw[field] = value
    out = grade(tmp_path, record(gateway=gw))
    req = requirement(out, rid)
    assert (req["mandatory"], req["status"]) == (True, status)
    # a "must" unmet makes gateway unready; silence is listed as unknown and is not by itself unmet
    assert out["gateway"]["ready"] is (status != "unmet")
    assert (rid in out["gateway"]["unmet"]) is (status == "unmet")
    assert (rid in out["gateway"]["unknown"]) is (status == "unknown")


def test_record_silent_about_everything_is_unknown_not_unmet(tmp_path):
    # Only the gateway date: every requirement the record could show is unknown, none is unmet.
    # 002 § Readiness for end-point assessment lists the portfolio, the proposal, the employer's confidence and the
    # Gateway Readiness Report; 002 § Portfolio of evidence the 10-15 pieces and the Matrix declaration.
    out = grade(tmp_path, record(dob=None, english=None, maths=None, gateway={"date": "2025-09-03"}))
    gw = out["gateway"]
    assert gw["unmet"] == [] and gw["recommendations_unmet"] == []
    assert gw["ready"] is True
    for rid in ("portfolio-pieces", "portfolio-matrix-declaration", "portfolio-gathered", "project-proposal-at-gateway",
                "gateway-readiness-report", "english-maths-16-18", "photo-id"):
        assert requirement(out, rid)["status"] == "unknown", rid
        assert rid in gw["unknown"]


def test_employer_confidence_cannot_be_shown_by_the_record(tmp_path):
    # 002 § Readiness for end-point assessment: "the employer must be confident that the apprentice has developed all
    # the knowledge, skills and behaviours" -- the record has no field for it: always unknown, never met.
    out = grade(tmp_path, record())
    req = requirement(out, "employer-confident-ksbs")
    assert (req["mandatory"], req["status"]) == (True, "unknown")


# 002 § Portfolio of evidence: "The portfolio must be accompanied by a Portfolio Matrix. ... The Portfolio Matrix must
# be fully completed, including a declaration by the apprentice ..." -- it accompanies the portfolio, submitted "2
# weeks prior to the professional discussion date": checked before the assessment, not at gateway (issue 19).
@pytest.mark.parametrize("value, status", [(True, "met"), (False, "unmet"), (None, "unknown")])
def test_portfolio_matrix_declaration_is_checked_with_the_portfolio_not_at_gateway(tmp_path, value, status):
    gw = copy.deepcopy(GOOD_GATEWAY)
    if value is None:
        del gw["portfolio_declaration"]
    else:
        gw["portfolio_declaration"] = value
    out = grade(tmp_path, record(gateway=gw))
    req = requirement(out, "portfolio-matrix-declaration")
    assert (req["mandatory"], req["stage"], req["status"]) == (True, "before_assessment", status)
    assert out["gateway"]["ready"] is True
    assert out["gateway"]["before_assessment_unmet"] == (["portfolio-matrix-declaration"] if status == "unmet" else [])


# 002 § ID requirements: "Highfield Assessment will complete an identification check before starting any assessment
# and will accept the following as proof of an apprentice's identity" -- before an assessment, not at gateway. The
# check is reported (met, unmet, unknown) but photo ID missing does not make the record not ready for gateway.
@pytest.mark.parametrize("value, status", [(True, "met"), (False, "unmet"), (None, "unknown")])
def test_photo_id_is_checked_before_an_assessment_not_at_gateway(tmp_path, value, status):
    gw = copy.deepcopy(GOOD_GATEWAY)
    if value is None:
        del gw["photo_id"]
    else:
        gw["photo_id"] = value
    out = grade(tmp_path, record(gateway=gw))
    req = requirement(out, "photo-id")
    assert (req["strength"], req["stage"], req["status"]) == ("mandatory", "before_assessment", status)
    assert req["citation"] == f"{DOC} § ID requirements"
    assert "before an assessment starts" in req["says"]
    gw_status = out["gateway"]
    assert gw_status["ready"] is True
    assert gw_status["unmet"] == []
    assert gw_status["before_assessment_unmet"] == (["photo-id"] if status == "unmet" else [])


def test_photo_id_before_assessment_is_shown_by_epa_gateway_and_epa_journey(tmp_path):
    # 002 § ID requirements: "... an identification check before starting any assessment ..."
    path = str(dump_record(tmp_path, record(gateway={**GOOD_GATEWAY, "photo_id": False})))
    result = run("gateway", path, "--body", BODY, "--format", "json")
    assert result.exit_code == 0, result.stderr
    (gw,) = [r["gateway"] for r in result.json()["results"] if r["body"] == BODY]
    assert (gw["ready"], gw["before_assessment_unmet"]) == (True, ["photo-id"])
    table = run("gateway", path, "--body", BODY)
    assert table.exit_code == 0, table.stderr
    flat = " ".join(table.stdout.split())
    assert "ready for gateway" in flat and "needed before an assessment starts: photo-id" in flat
    rules = run("journey", "--standard", STD, "--body", BODY, "--format", "json")
    (j,) = [j for j in rules.json() if j["body"] == BODY]
    photo = only(j["gateway"], "photo-id")
    assert (photo["strength"], photo["stage"]) == ("mandatory", "before_assessment")


# 002 § Portfolio of evidence: "The evidence will consist of a minimum of 10 pieces of evidence to a maximum of
# 15 pieces." The portfolio is submitted "2 weeks prior to the professional discussion date", not said to be checked
# at gateway: the count is reported, and never makes the record not ready for gateway (issue 19).
@pytest.mark.parametrize("pieces, status", [(9, "unmet"), (10, "met"), (15, "met"), (16, "unmet")])
def test_portfolio_pieces_10_to_15(tmp_path, pieces, status):
    gw = {**GOOD_GATEWAY, "portfolio_pieces": pieces}
    out = grade(tmp_path, record(gateway=gw))
    assert requirement(out, "portfolio-pieces")["status"] == status
    assert requirement(out, "portfolio-pieces")["stage"] == "before_assessment"
    assert out["gateway"]["ready"] is True


# 002 § Project proposal: "Highfield recommend this proposal should be 200-300 words." -- a recommendation only.
@pytest.mark.parametrize("words, status", [(199, "unmet"), (200, "met"), (300, "met"), (301, "unmet")])
def test_proposal_words_are_a_recommendation(tmp_path, words, status):
    gw = {**GOOD_GATEWAY, "project_proposal_words": words}
    out = grade(tmp_path, record(gateway=gw))
    req = requirement(out, "project-proposal-words")
    assert (req["mandatory"], req["strength"], req["status"]) == (False, "recommended", status)
    assert out["gateway"]["ready"] is True
    assert ("project-proposal-words" in out["gateway"]["recommendations_unmet"]) is (status == "unmet")


# ---------------------------------------------------------------------------------------------------------------
# Deadlines: proposal resubmission (1 week), portfolio before the discussion (2 weeks)
# ---------------------------------------------------------------------------------------------------------------

# 002 § Project proposal: "If for any reason the proposal is not approved, the apprentice must resubmit a revised
# proposal within 1 week." Not approved (notified) 2025-09-05 + 1 week = 2025-09-12.
@pytest.mark.parametrize("resubmitted, status, req_status", [
    ("2025-09-08", "met", "met"),
    ("2025-09-12", "met", "met"),       # on the last day
    ("2025-09-13", "missed", "unmet"),  # one day late: a "must" missed
])
def test_proposal_resubmitted_within_1_week(tmp_path, resubmitted, status, req_status):
    out = grade(tmp_path, record(dates={"proposal_rejected": "2025-09-05", "proposal_resubmitted": resubmitted}))
    d = deadline(out, "proposal-resubmission")
    assert (d["date"], d["kind"], d["status"]) == ("2025-09-12", "by", status)
    assert d["citation"] == S_PROPOSAL
    req = requirement(out, "project-proposal-resubmitted")
    assert (req["mandatory"], req["status"], req["stage"]) == (True, req_status, "before_assessment")
    # the resubmission follows the assessor's review of a proposal made available at gateway: after gateway, so
    # a late one is reported and never makes the record not ready for gateway (issue 19)
    assert out["gateway"]["ready"] is True


def test_proposal_resubmission_open_and_unknown(tmp_path):
    # 002 § Project proposal (same sentence): rejected 2025-09-05, nothing resubmitted yet -> due 2025-09-12, open.
    out = grade(tmp_path, record(dates={"proposal_rejected": "2025-09-05"}))
    assert (deadline(out, "proposal-resubmission")["date"], deadline(out, "proposal-resubmission")["status"]) == \
        ("2025-09-12", "open")
    # No rejection in the record: the week cannot be dated.
    out = grade(tmp_path, record())
    d = deadline(out, "proposal-resubmission")
    assert (d["date"], d["status"]) == (None, "unknown")
    assert requirement(out, "project-proposal-resubmitted")["status"] == "unknown"


# 002 § Assessing the professional discussion (supported by portfolio of evidence): "The apprentice must submit the
# portfolio of evidence to Highfield Assessment 2 weeks before the set date of the professional discussion."
# (and 002 § Portfolio of evidence: "... 2 weeks prior to the professional discussion date.")
# Discussion 2025-11-12 - 2 weeks = 2025-10-29.
@pytest.mark.parametrize("submitted, status, req_status", [
    ("2025-10-20", "met", "met"),
    ("2025-10-29", "met", "met"),        # exactly 2 weeks before
    ("2025-10-30", "missed", "unmet"),   # 13 days before
])
@pytest.mark.parametrize("dated_by", ["attempt", "schedule"])
def test_portfolio_2_weeks_before_the_discussion(tmp_path, submitted, status, req_status, dated_by):
    # "This date will be agreed when the apprentice passes through the gateway process": a scheduled discussion
    # dates the deadline as well as a held one.
    kw = ({"assessments": [attempt("discussion", "2025-11-12", P)]} if dated_by == "attempt"
          else {"schedule": {"discussion": "2025-11-12"}})
    out = grade(tmp_path, record(dates={"portfolio_submitted": submitted}, **kw))
    d = deadline(out, "portfolio-before-discussion")
    assert (d["date"], d["kind"], d["status"]) == ("2025-10-29", "by", status)
    assert d["citation"] == S_DISCUSSION
    req = requirement(out, "portfolio-submitted")
    assert (req["mandatory"], req["status"], req["stage"]) == (True, req_status, "before_assessment")
    # due 2 weeks before the discussion, not at gateway: a portfolio in 13 days before the discussion, weeks after
    # gateway, is reported missed and never makes the record "NOT ready for gateway" (issue 19)
    assert out["gateway"]["ready"] is True


# Other dates the kit sets, each "by" the date worked out by hand.
@pytest.mark.parametrize("did, dates, assessments, due, status", [
    # 002 § Component 1: Work-based project report: "Apprentices must submit a written report ... 2 weeks prior to an
    # interview date." Interview (project) 2025-11-10 - 2 weeks = 2025-10-27.
    ("report-before-interview", {"project_report_submitted": "2025-10-27"}, [attempt("project", "2025-11-10", P)],
     "2025-10-27", "met"),
    ("report-before-interview", {"project_report_submitted": "2025-10-28"}, [attempt("project", "2025-11-10", P)],
     "2025-10-27", "missed"),
    # 002 § Assessing the practical observation (with Q&As): "The observation will be pre-planned giving the
    # apprentice a minimum of 2 weeks' notice". Observation 2025-11-17 - 2 weeks = 2025-11-03.
    ("observation-notice", {"observation_notice": "2025-11-03"}, [attempt("observation", "2025-11-17", P)],
     "2025-11-03", "met"),
    ("observation-notice", {"observation_notice": "2025-11-04"}, [attempt("observation", "2025-11-17", P)],
     "2025-11-03", "missed"),
    # 002 § Readiness for end-point assessment: "the work-based project must be completed within 2 months from the
    # start of the end-point assessment". EPA start 2025-09-10 + 2 months = 2025-11-10.
    ("project-within-2-months-of-epa-start", {"epa_start": "2025-09-10", "project_report_submitted": "2025-11-10"}, [],
     "2025-11-10", "met"),
    ("project-within-2-months-of-epa-start", {"epa_start": "2025-09-10", "project_report_submitted": "2025-11-11"}, [],
     "2025-11-10", "missed"),
    # 002 § Component 1: Work-based project report: "All work on the project will be undertaken following the
    # gateway process over a 2-month period." Gateway 2025-09-03 + 2 months = 2025-11-03.
    ("project-work-within-2-months-of-gateway", {"project_report_submitted": "2025-11-03"}, [], "2025-11-03", "met"),
    ("project-work-within-2-months-of-gateway", {"project_report_submitted": "2025-11-04"}, [], "2025-11-03",
     "missed"),
])
def test_other_dated_deadlines(tmp_path, did, dates, assessments, due, status):
    out = grade(tmp_path, record(dates=dates, assessments=assessments))
    d = deadline(out, did)
    assert (d["date"], d["status"]) == (due, status)
    assert d["citation"].startswith(f"{DOC} § ")


# ---------------------------------------------------------------------------------------------------------------
# Resits, retakes, the cap and exceptional circumstances
# ---------------------------------------------------------------------------------------------------------------

# Project failed 2025-11-10 (notified 2025-11-14); discussion and observation distinctions.
FAILED_PROJECT = [attempt("project", "2025-11-10", F, notified="2025-11-14"),
                  attempt("discussion", "2025-11-12", D),
                  attempt("observation", "2025-11-17", D)]


def test_fail_without_resit_is_a_fail_overall(tmp_path):
    # 002 § Grading: "Fail any of the 3 assessment methods | Fail".
    # 002 § Retake and resit information: "Apprentices will have 1 month to rework their submission."
    # Notified 2025-11-14 + 1 month = 2025-12-14; no rework yet: open.
    out = grade(tmp_path, record(assessments=FAILED_PROJECT))
    assert out["overall"] == F
    assert out["capped"] is False and out["full_retake_required"] is False
    d = deadline(out, "project-rework-1-month")
    assert (d["date"], d["status"]) == ("2025-12-14", "open")


@pytest.mark.parametrize("resit_grade", [P, D])
def test_project_fail_then_resit_is_capped_at_pass(tmp_path, resit_grade):
    # 002 § Retake and resit information: "The maximum grade awarded to a resit will be pass, unless Highfield
    # identifies exceptional circumstances accounting for the original fail."
    # Resit pass: P/D/D is pass by 002 § Grading anyway; resit distinction: D/D/D would be distinction (002 § Grading
    # "Distinction Distinction Distinction Distinction"), and the cap makes it pass.
    rec = record(assessments=[*FAILED_PROJECT, attempt("project", "2025-12-11", resit_grade, kind="resit")])
    out = grade(tmp_path, rec)
    assert out["capped"] is True
    assert out["full_retake_required"] is False
    assert out["overall"] == P


@pytest.mark.parametrize(("resit_grade", "changes_nothing"), [(F, True), (P, True), (D, False)])
def test_a_resit_cap_that_lowers_nothing_says_so(tmp_path, resit_grade, changes_nothing):
    # 002 § Retake and resit information: "The maximum grade awarded to a resit will be pass": a maximum, which a
    # resit graded fail or pass is not above. The step said "its own grade capped at pass" of a resit graded fail
    # (then retaken to distinction) as of one it lowered.
    later = [attempt("project", "2026-02-11", D, kind="retake")] if resit_grade == F else []
    rec = record(assessments=[*FAILED_PROJECT, attempt("project", "2025-12-11", resit_grade, kind="resit"), *later])
    out = grade(tmp_path, rec)
    [cap] = [r["says"] for r in out["explanation"] if r["about"] == "resit" and "capped at" in r["says"]]
    assert cap.startswith("project resit on 2025-12-11: its own grade capped at pass")
    assert cap.endswith(", which changes nothing here: no grade recorded for it is above pass") is changes_nothing
    # retake distinction (not a resit: the kit caps a resit) with D/D: 002 § Grading "Distinction Distinction
    # Distinction Distinction"; resit pass with D/D: P/D/D gives pass; resit distinction capped at pass: pass
    assert out["overall"] == (D if resit_grade == F else P)


@pytest.mark.parametrize(("resit_grade", "lowers"), [(F, False), (D, True)])
def test_the_summary_line_says_a_resit_cap_that_lowers_nothing_changes_nothing(tmp_path, resit_grade, lowers):
    # 002 § Retake and resit information: "The maximum grade awarded to a resit will be pass": a resit graded fail
    # (then retaken to distinction: the kit caps a resit, not a retake) is not above it, so no grade is lowered; a
    # resit graded distinction is. The summary line beneath the grades said "the resit's or retake's own grade
    # capped at pass" of both.
    later = [attempt("project", "2026-02-11", D, kind="retake")] if resit_grade == F else []
    rec = record(assessments=[*FAILED_PROJECT, attempt("project", "2025-12-11", resit_grade, kind="resit"), *later])
    result = run("grade", "--body", BODY, str(dump_record(tmp_path, rec)))
    assert result.exit_code == 0, result.stderr
    said = flat(result.stdout)
    assert "the resit's or retake's own grade capped at pass" in said
    assert ("the resit's or retake's own grade capped at pass, which changes nothing here" in said) is not lowers


def test_resit_cap_record_file():
    # Same sentence (002 § Retake and resit information), from the record file: D/D/D with a resit -> pass.
    out = grade_file("highfield-journey-resit-capped.yaml")
    assert (out["overall"], out["capped"], out["full_retake_required"]) == (P, True, False)
    assert S_RESIT in [e["citation"] for e in out["explanation"] if e["about"] in ("resit", "overall")]


def test_exceptional_circumstances_lift_the_cap():
    # 002 § Retake and resit information: "... unless Highfield identifies exceptional circumstances accounting for
    # the original fail." -> not capped; 002 § Grading: "Distinction | Distinction | Distinction | Distinction".
    out = grade_file("highfield-journey-resit-exceptional.yaml")
    assert out["capped"] is False
    assert out["full_retake_required"] is False
    assert out["overall"] == D


def test_exceptional_circumstances_with_a_resit_pass_give_pass(tmp_path):
    # 002 § Grading: "Pass | Distinction | Distinction | Pass" -- lifting the cap does not raise a pass.
    rec = record(assessments=[*FAILED_PROJECT,
                              attempt("project", "2025-12-11", P, kind="resit", exceptional_circumstances=True)])
    out = grade(tmp_path, rec)
    assert (out["overall"], out["capped"]) == (P, False)


def test_the_cap_is_on_the_resit_s_own_grade(tmp_path):
    """002 § Retake and resit information: "The maximum grade awarded to a resit will be pass", a resit being of "any
    individual assessment component": the resat project's grade is pass, though its resit met distinction (read so:
    ambiguity highfield-maximum-grade-of-a-resit); the tool said distinction, capping only the overall grade. 002 §
    Grading then decides from the methods: project pass, discussion distinction, observation distinction is
    "Pass | Distinction | Distinction | Pass" -> pass, the overall grade either reading gives."""
    out = grade_file("highfield-journey-resit-capped.yaml")
    assert out["components"] == {"observation": D, "project": P, "discussion": D}
    assert (out["overall"], out["capped"]) == (P, True)
    (capped,) = [e for e in out["explanation"] if e["about"] == "project" and "capped" in e["says"]]
    assert capped["citation"] == S_RESIT and "resit on 2025-12-11" in capped["says"]
    # exceptional circumstances lift it from the resit's grade: 002 § Grading "Distinction | Distinction |
    # Distinction | Distinction"
    out = grade_file("highfield-journey-resit-exceptional.yaml")
    assert (out["components"]["project"], out["overall"], out["capped"]) == (D, D, False)
    # a retake is not capped (highfield-resit-cap-resit-only): its distinction stands
    rec = record(assessments=[*FAILED_PROJECT, attempt("project", "2026-02-16", D, kind="retake")])
    assert grade(tmp_path, rec)["components"]["project"] == D


def test_cap_applies_to_a_resit_of_any_method(tmp_path):
    # 002 § Retake and resit information: "Apprentices are able to retake/resit any individual assessment component
    # ... The maximum grade awarded to a resit will be pass". Discussion failed and resat with a distinction.
    rec = record(assessments=[attempt("project", "2025-11-10", D), attempt("discussion", "2025-11-12", F),
                              attempt("observation", "2025-11-17", D),
                              attempt("discussion", "2025-12-15", D, kind="resit")])
    out = grade(tmp_path, rec)
    assert (out["overall"], out["capped"], out["full_retake_required"]) == (P, True, False)
    assert out["components"]["discussion"] == P  # the resit's own grade, capped


def test_retake_is_not_capped(tmp_path):
    # 002 § Retake and resit information: "The maximum grade awarded to a resit will be pass, unless Highfield
    # identifies exceptional circumstances accounting for the original fail." The section names both routes whenever
    # a rule covers both ("a resit or retake", "retake/resit" five times) and one route alone when a rule is that
    # route's ("A retake requires the apprentice to undertake further learning and therefore they would need to go
    # through the gateway process again."; "If a retake is chosen, the apprentice will need to complete a retake
    # checklist."). The cap says "a resit" alone: read as resits only (ambiguity highfield-resit-cap-resit-only).
    # So a retake distinction with D/D stands: 002 § Grading "Distinction | Distinction | Distinction | Distinction".
    rec = record(assessments=[*FAILED_PROJECT, attempt("project", "2026-02-16", D, kind="retake")])
    out = grade(tmp_path, rec)
    assert out["capped"] is False
    assert out["full_retake_required"] is False
    assert out["overall"] == D
    # the result says why: the cap names a resit, and the record has a retake
    (cap_step,) = [e for e in out["explanation"] if e["about"] == "resit" and "cap" in e["says"]]
    assert "after a resit" in cap_step["says"] and "retake" in cap_step["says"]
    assert cap_step["citation"] == S_RESIT
    # the retake goes through gateway again: said, with its citation
    assert any("gateway" in e["says"] and e["citation"] == S_RESIT for e in out["explanation"])


def test_a_resit_beside_a_retake_is_still_capped(tmp_path):
    # 002 § Retake and resit information: "The maximum grade awarded to a resit will be pass" -- a resit of the
    # discussion caps the grade, whatever else was retaken. Project failed and retaken (D), discussion failed and resat
    # (D), observation D: D/D/D would be distinction (002 § Grading), capped at pass by the resit.
    rec = record(assessments=[attempt("project", "2025-11-10", F, notified="2025-11-14"),
                              attempt("discussion", "2025-11-12", F, notified="2025-11-14"),
                              attempt("observation", "2025-11-17", D),
                              attempt("project", "2026-02-16", D, kind="retake"),
                              attempt("discussion", "2026-02-18", D, kind="resit")])
    out = grade(tmp_path, rec)
    assert (out["overall"], out["capped"]) == (P, True)


def test_no_resit_to_improve_a_pass(tmp_path):
    # 002 § Retake and resit information: "An apprentice cannot retake/resit any part of the EPA to increase their
    # grade from a pass to a distinction." A resit after a project pass is refused.
    path = dump_record(tmp_path, record(assessments=[
        attempt("project", "2025-11-10", P), attempt("discussion", "2025-11-12", D),
        attempt("observation", "2025-11-17", D), attempt("project", "2025-12-11", D, kind="resit")]))
    result = run("grade", "--body", BODY, str(path), "--format", "json")
    assert result.exit_code != 0


# ---------------------------------------------------------------------------------------------------------------
# Project rework: 1 month from the fail notification
# ---------------------------------------------------------------------------------------------------------------

# 002 § Retake and resit information: "If the apprentice fails the work-based project, they will be asked to rework
# their project taking account of feedback from the independent assessor. Apprentices will have 1 month to rework
# their submission." Counted from the fail's notification (the assessor's feedback comes with it).
@pytest.mark.parametrize("gateway_date, fail_date, notified, due, on_time, late", [
    # notified 2025-11-14 + 1 month = 2025-12-14 (the fail itself was 2025-11-10: 2025-12-12 would be late from it)
    ("2025-09-03", "2025-11-10", "2025-11-14", "2025-12-14", "2025-12-12", "2025-12-15"),
    # month end: notified 31 January 2026 + 1 month = 28 February 2026 (2026 is not a leap year)
    ("2025-12-01", "2026-01-26", "2026-01-31", "2026-02-28", "2026-02-28", "2026-03-01"),
    # month end in a leap year: notified 31 January 2028 + 1 month = 29 February 2028
    ("2027-12-01", "2028-01-26", "2028-01-31", "2028-02-29", "2028-02-29", "2028-03-01"),
    # notified 30 November 2025 + 1 month = 30 December 2025 (not 31)
    ("2025-09-03", "2025-11-24", "2025-11-30", "2025-12-30", "2025-12-30", "2025-12-31"),
])
@pytest.mark.parametrize("which", ["on_time", "late"])
def test_project_rework_within_1_month_of_the_fail_notified(tmp_path, gateway_date, fail_date, notified, due,
                                                             on_time, late, which):
    resit_date = on_time if which == "on_time" else late
    gw = {**GOOD_GATEWAY, "date": gateway_date}
    rec = record(gateway=gw, assessments=[
        attempt("discussion", gateway_date, D), attempt("observation", gateway_date, D),
        attempt("project", fail_date, F, notified=notified),
        attempt("project", resit_date, P, kind="resit")])
    out = grade(tmp_path, rec)
    d = deadline(out, "project-rework-1-month")
    assert (d["date"], d["kind"]) == (due, "by")
    # a resit after the due date may follow a submission made in time: the record does not show the rework late
    assert d["status"] == ("met" if which == "on_time" else "unknown")
    assert d["citation"] == S_RESIT


def test_a_late_rework_names_the_attempt_compared_not_a_rework_date(tmp_path):
    # 002 § Retake and resit information: "Apprentices will have 1 month to rework their submission." The record
    # dates the project's resit, which may be its interview, after the reworked submission (a report comes "2 weeks
    # prior to an interview date", § Component 1: Work-based project report). Notified 2025-11-14 + 1 month =
    # 2025-12-14; the resit on 2025-12-22 is after it, and may follow a submission made by 2025-12-14: whether the
    # rework was late is unknown (the journey file's reading, highfield-project-rework-anchor; it was "missed", which
    # the record does not show), said of the resit, never as "reworked on 2025-12-22".
    rec = record(assessments=[
        attempt("project", "2025-11-10", F, notified="2025-11-14"), attempt("discussion", "2025-11-12", D),
        attempt("observation", "2025-11-17", D), attempt("project", "2025-12-22", P, kind="resit")])
    d = deadline(grade(tmp_path, rec), "project-rework-1-month")
    assert (d["date"], d["status"]) == ("2025-12-14", "unknown")
    assert d["needs"] == "the date the reworked project was submitted (the record dates the project resit on " \
        "2025-12-22, after 2025-12-14)"
    assert "whether the rework was late is unknown" in d["says"]
    assert "the project resit on 2025-12-22 came after it" in d["says"]
    assert "not the reworked submission" in d["says"]
    assert "reworked on" not in d["says"]


def test_circumstances_recorded_lift_the_cap_and_no_period(tmp_path):
    # 002 § Retake and resit information: "The maximum grade awarded to a resit will be pass, unless Highfield
    # identifies exceptional circumstances accounting for the original fail" lifts the cap; "In the event of
    # extenuating circumstances, apprentices can be given the opportunity to rearrange their date" is a permission
    # that lifts no period (ambiguity highfield-extenuating-circumstances-rearranged-date). Gateway 2025-09-03 + 3
    # months = 2025-12-03 < the observation on 2025-12-20; notified 2025-11-14 + 1 month = 2025-12-14 and + 12 months
    # = 2026-11-14 < the resit on 2026-11-20: the window and the 12 months missed, the circumstances recorded on every
    # attempt; the rework's verdict unknown (the record dates the resit, not the reworked submission). The cap is
    # lifted: D/D/D, 002 § Grading "Distinction | Distinction | Distinction | Distinction".
    ec = {"exceptional_circumstances": True}
    out = grade(tmp_path, record(assessments=[
        attempt("project", "2025-11-10", F, notified="2025-11-14", **ec), attempt("discussion", "2025-11-12", D),
        attempt("observation", "2025-12-20", D, **ec), attempt("project", "2026-11-20", D, kind="resit", **ec)]))
    assert (out["overall"], out["capped"]) == (D, False)
    assert [(deadline(out, i)["date"], deadline(out, i)["status"]) for i in
            ("epa-window-3-months", "project-rework-1-month", "resit-retake-within-12-months")] == \
        [("2025-12-03", "missed"), ("2025-12-14", "unknown"), ("2026-11-14", "missed")]


# ---------------------------------------------------------------------------------------------------------------
# The 12-month resit/retake window# ---------------------------------------------------------------------------------------------------------------
# The 12-month resit/retake window (counted from the first fail's notification: the journey file's reading)
# ---------------------------------------------------------------------------------------------------------------

def window_missed_steps(out: dict) -> list[dict]:
    """The explanation steps that report the 12-month window missed."""
    return [e for e in out["explanation"] if e["about"] == "resit" and "12 months" in e["says"]
            and "missed" in e["says"]]


# 002 § Retake and resit information: "If a retake/resit is required, apprentices should complete retake/resits
# within 12 months. There is no limit to the number of retake/resits within the 12 months." -- "should", and the kit
# states no consequence for missing the 12 months: a late retake/resit is reported as missing the window, and nothing
# else follows (no whole EPA again; the grade stands: 002 § Grading "Pass | Distinction | Distinction | Pass").
# First fail notified 2025-11-14 + 12 months = 2026-11-14.
@pytest.mark.parametrize("resit_date, kind, missed", [
    ("2026-11-13", "resit", False),
    ("2026-11-14", "resit", False),    # the last day
    ("2026-11-16", "resit", True),     # after it: reported missed, no consequence stated
    ("2026-11-14", "retake", False),   # "retake/resits": a retake has the same window
    ("2026-11-16", "retake", True),
])
def test_12_month_window(tmp_path, resit_date, kind, missed):
    rec = record(assessments=[*FAILED_PROJECT, attempt("project", resit_date, P, kind=kind)])
    out = grade(tmp_path, rec)
    d = deadline(out, "resit-retake-within-12-months")
    assert d["date"] == "2026-11-14"
    assert d["status"] == ("missed" if missed else "met")
    assert d["strength"] == "advice"     # "should complete retake/resits within 12 months"
    assert d["citation"] == S_RESIT
    assert out["full_retake_required"] is False
    assert out["overall"] == P
    steps = window_missed_steps(out)
    assert len(steps) == (1 if missed else 0)
    if missed:
        assert "states no consequence" in steps[0]["says"] and steps[0]["citation"] == S_RESIT
        assert "whole EPA" not in steps[0]["says"]


# Month end: first fail notified 29 February 2024 + 12 months = 28 February 2025 (2025 has no 29 February).
@pytest.mark.parametrize("resit_date, missed", [("2025-02-28", False), ("2025-03-01", True)])
def test_12_month_window_from_a_leap_day(tmp_path, resit_date, missed):
    gw = {**GOOD_GATEWAY, "date": "2024-01-08"}
    rec = record(start="2022-09-01", gateway=gw, assessments=[
        attempt("project", "2024-02-26", F, notified="2024-02-29"), attempt("discussion", "2024-03-04", D),
        attempt("observation", "2024-03-06", D), attempt("project", resit_date, P, kind="resit")])
    out = grade(tmp_path, rec)
    d = deadline(out, "resit-retake-within-12-months")
    assert (d["date"], d["status"]) == ("2025-02-28", "missed" if missed else "met")
    # "should complete retake/resits within 12 months": no consequence stated, so none follows
    assert out["full_retake_required"] is False
    assert out["overall"] == P


def test_no_limit_on_resits_within_the_12_months(tmp_path):
    # 002 § Retake and resit information: "There is no limit to the number of retake/resits within the 12 months."
    # Three resits of the project, the last 2026-06-01, all before 2025-11-14 + 12 months = 2026-11-14.
    rec = record(assessments=[*FAILED_PROJECT,
                              attempt("project", "2025-12-11", F, kind="resit", notified="2025-12-15"),
                              attempt("project", "2026-03-02", F, kind="resit", notified="2026-03-06"),
                              attempt("project", "2026-06-01", P, kind="resit")])
    out = grade(tmp_path, rec)
    assert out["full_retake_required"] is False
    assert out["overall"] == P and out["capped"] is True


def test_12_month_window_is_not_renewed_by_a_later_fail(tmp_path):
    # 002 § Retake and resit information: "... within 12 months. There is no limit to the number of retake/resits
    # within the 12 months." -- one period ("the 12 months"), read (as the journey file does) from the first fail
    # notified 2025-11-14: due 2026-11-14. A second resit on 2026-11-20 is within 12 months of the first resit's
    # fail (notified 2025-12-15) but after the one window: reported missed; the kit states no consequence, so the
    # grade stands (002 § Grading "Pass | Distinction | Distinction | Pass").
    rec = record(assessments=[*FAILED_PROJECT,
                              attempt("project", "2025-12-11", F, kind="resit", notified="2025-12-15"),
                              attempt("project", "2026-11-20", P, kind="resit")])
    out = grade(tmp_path, rec)
    d = deadline(out, "resit-retake-within-12-months")
    assert (d["date"], d["status"]) == ("2026-11-14", "missed")
    assert out["full_retake_required"] is False
    assert out["overall"] == P


def test_exceptional_circumstances_do_not_extend_the_12_months(tmp_path):
    # 002 § Retake and resit information: the only exception the kit gives is to the cap ("unless Highfield
    # identifies exceptional circumstances accounting for the original fail"); "should complete retake/resits within
    # 12 months" has none. Resit 2026-11-16, after 2025-11-14 + 12 months = 2026-11-14: still reported missed.
    # The kit states no consequence for the miss, and its exceptional circumstances lift the cap, so D/D/D gives
    # distinction (002 § Grading "Distinction | Distinction | Distinction | Distinction").
    rec = record(assessments=[*FAILED_PROJECT,
                              attempt("project", "2026-11-16", D, kind="resit", exceptional_circumstances=True)])
    out = grade(tmp_path, rec)
    assert deadline(out, "resit-retake-within-12-months")["status"] == "missed"
    (step,) = window_missed_steps(out)
    assert "lets lift the window" not in step["says"] and "states no consequence" in step["says"]
    assert out["full_retake_required"] is False
    assert (out["overall"], out["capped"]) == (D, False)


# ---------------------------------------------------------------------------------------------------------------
# Tolerances
# ---------------------------------------------------------------------------------------------------------------

# 002 § Component 1: Work-based project report: "The written report must be 2,500-words (+/- 10%), excluding
# annexes." 2,500 - 10% = 2,250; 2,500 + 10% = 2,750.
@pytest.mark.parametrize("words, ok", [(2249, False), (2250, True), (2500, True), (2750, True), (2751, False),
                                       (3000, False)])
def test_project_report_words(tmp_path, words, ok):
    out = grade(tmp_path, record(assessments=[attempt("project", "2025-11-10", P, words=words)]))
    c = check(out, "project-report-words")
    assert (c["method"], c["measure"], c["value"], c["ok"]) == ("project", "words", words, ok)
    assert c["low"] == pytest.approx(2250) and c["high"] == pytest.approx(2750)


# 60 minutes +/- 10% = 54 to 66 minutes, for each method:
# 002 § Assessing the practical observation (with Q&As): "lasting 1 hour with a +/- 10% tolerance either way";
# 002 § Component 2: Interview: "The interview will last for 60 minutes (+/- 10%)."
# 002 § Assessing the professional discussion (supported by portfolio of evidence): "The professional discussion will
# last for 60 minutes (+/- 10%)."
@pytest.mark.parametrize("method, cid", [("observation", "observation-duration"),
                                         ("project", "project-interview-duration"),
                                         ("discussion", "discussion-duration")])
@pytest.mark.parametrize("minutes, ok", [(53, False), (54, True), (60, True), (66, True), (67, False)])
def test_60_minutes_plus_minus_10_percent(tmp_path, method, cid, minutes, ok):
    out = grade(tmp_path, record(assessments=[attempt(method, "2025-11-10", P, duration_minutes=minutes)]))
    c = check(out, cid)
    assert (c["method"], c["measure"], c["ok"]) == (method, "duration_minutes", ok)
    assert c["low"] == pytest.approx(54) and c["high"] == pytest.approx(66)


# 002 § Assessing the practical observation (with Q&As): "The amount of questioning time carried out during the
# observation should not exceed 15% of the total time allowed for the practical observation." With a 60-minute
# observation every reading of "time allowed" (60 minutes, or up to 66 with the tolerance) allows 9 minutes
# (15% of 60) and none allows 10 (15% of 66 = 9.9).
# "should not exceed": advice. Beyond it the check is outside, marked advice, and nothing fails because of it.
@pytest.mark.parametrize("questioning, ok", [(0, True), (9, True), (10, False)])
def test_observation_questioning_share(tmp_path, questioning, ok):
    out = grade(tmp_path, record(assessments=[
        attempt("observation", "2025-11-10", P, duration_minutes=60, questioning_minutes=questioning)]))
    c = check(out, "observation-questioning-share")
    assert (c["ok"], c["status"], c["strength"]) == (ok, "within" if ok else "outside", "advice")
    assert c["high"] == pytest.approx(9.9)   # 15% of the 66 minutes allowed (below)
    assert ("not a failure" in c["says"]) is (not ok)
    assert out["gateway"]["ready"] is True and out["full_retake_required"] is False


# The same sentence measures the share against "the total time allowed for the practical observation", and the time
# allowed is "1 hour with a +/- 10% tolerance either way" (same section): at most 66 minutes, so at most 9.9 minutes
# of questioning (15% of 66) however long the observation took (ambiguity highfield-questioning-share-of-time-allowed:
# read as the most the kit allows, not the 60 minutes before the tolerance, which would allow 9). A share of the
# recorded duration is not of the time allowed: 9 minutes in a 58-minute observation (15% of 58 = 8.7) is within the
# advice, and 10 minutes in a 70-minute one (15% of 70 = 10.5) is not, 70 being more time than the kit allows.
@pytest.mark.parametrize("minutes, questioning, status", [
    (58, 9, "within"), (54, 9.5, "within"), (66, 9.9, "within"), (66, 10, "outside"), (70, 10, "outside"),
    (None, 9, "within"),   # the limit does not depend on a duration the record may lack
])
def test_observation_questioning_share_is_of_the_time_allowed(tmp_path, minutes, questioning, status):
    extra = {"questioning_minutes": questioning} | ({} if minutes is None else {"duration_minutes": minutes})
    out = grade(tmp_path, record(assessments=[attempt("observation", "2025-11-10", P, **extra)]))
    c = check(out, "observation-questioning-share")
    assert (c["status"], c["strength"]) == (status, "advice")
    assert c["high"] == pytest.approx(9.9)
    assert out["gateway"]["ready"] is True and out["full_retake_required"] is False   # advice: never a failure


# Every deadline and tolerance of 002 is worded "must" / "will" / "is to be", except the questioning share ("should
# not exceed") and, among the resit rules, the 12-month window ("should complete").
#   § Assessing the professional discussion ...: "The apprentice must submit the portfolio of evidence ... 2 weeks
#     before"; "The professional discussion will last for 60 minutes (+/- 10%)."
#   § Project proposal: "the apprentice must resubmit a revised proposal within 1 week."
#   § Readiness for end-point assessment: "(the work-based project must be completed within 2 months ...)"
#   § Component 1: Work-based project report: "All work on the project will be undertaken ... over a 2-month period.";
#     "Apprentices must submit a written report ... 2 weeks prior to an interview date."; "The written report must be
#     2,500-words (+/- 10%)"
#   § Component 2: Interview: "The interview will take place before the 3-month end-point assessment period.";
#     "The interview will last for 60 minutes (+/- 10%)."
#   § Assessing the practical observation (with Q&As): "The observation will be pre-planned giving the apprentice a
#     minimum of 2 weeks' notice"; "The practical observation is to be covered in 1 session, lasting 1 hour with a
#     +/- 10% tolerance either way."
#   § Retake and resit information: "Apprentices will have 1 month to rework their submission."
def test_deadline_and_tolerance_strength_follows_each_sentence(journey):
    assert {d["id"]: d["strength"] for d in journey["deadlines"]} == dict.fromkeys(
        ["portfolio-before-discussion", "proposal-resubmission", "project-within-2-months-of-epa-start",
         "project-work-within-2-months-of-gateway", "report-before-interview", "epa-window-3-months",
         "observation-notice"], "required")
    assert {t["id"]: t["strength"] for t in journey["tolerances"]} == {
        "project-report-words": "required", "project-interview-duration": "required",
        "discussion-duration": "required", "observation-duration": "required",
        "observation-questioning-share": "advice"}
    (window,) = journey["resit"]["windows"]
    assert window["strength"] == "advice"
    assert [r["strength"] for r in journey["resit"]["rework"]] == ["required"]


# Which deadlines count from a date the kit names, and which from the tool's reading of a date it leaves unstated:
#   § Component 2: Interview: "The interview will take place before the 3-month end-point assessment period." names
#     no start for the 3 months (read as the start of the EPA: ambiguity highfield-epa-window-before-3-months);
#   § Component 1: Work-based project report: "completed within 2 months from the start of the EPA" names its start;
#   the others count from a stated event: "2 weeks prior to the professional discussion date", "within 1 week" of the
#   proposal not being approved, "following gateway", "2 weeks' notice of the date it is set to take place".
def test_a_deadline_whose_start_the_kit_does_not_state_is_shown_as_a_reading(journey):
    readings = {d["id"] for d in journey["deadlines"] if d["from_reading"]}
    assert readings == {"epa-window-3-months"}


# ---------------------------------------------------------------------------------------------------------------
# The rules as data: `epa journey`
# ---------------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def journey() -> dict:
    result = run("journey", "--standard", STD, "--body", BODY, "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = result.json()
    (j,) = [j for j in data if j["body"] == BODY]
    return j


def _sections(text: str) -> set[str]:
    return {line.strip() for line in text.splitlines()}


def test_journey_lists_gateway_deadlines_resits_with_citations(journey):
    assert journey["standard"] == STD and journey["document"] == DOC
    gateway = {g["id"]: g for g in journey["gateway"]}
    # 002 § Readiness for end-point assessment: level 2 English and maths, "mandatory ... 16-18" / "optional ... 19+"
    assert gateway["english-maths-16-18"]["strength"] == "mandatory"
    assert gateway["english-maths-19-plus"]["strength"] == "optional"
    # 002 § Project proposal: "must resubmit a revised proposal within 1 week"; "Highfield recommend ... 200-300"
    assert gateway["project-proposal-resubmitted"]["strength"] == "mandatory"
    assert gateway["project-proposal-words"]["strength"] == "recommended"
    # 002 § Portfolio of evidence: "must submit ... 2 weeks prior to the professional discussion date"
    assert gateway["portfolio-submitted"]["strength"] == "mandatory"
    # 002 § The gateway meeting: "The gateway meeting should be attended by ..."; "The report should then be submitted"
    assert gateway["gateway-meeting-attended"]["strength"] == "recommended"
    assert gateway["gateway-readiness-report-submitted"]["strength"] == "recommended"
    # 002 § ID requirements: "an identification check before starting any assessment"
    assert (gateway["photo-id"]["strength"], gateway["photo-id"]["stage"]) == ("mandatory", "before_assessment")
    # the portfolio's size and submission and a proposal's resubmission come after gateway (issue 19)
    after = {"photo-id", "portfolio-pieces", "portfolio-submitted", "project-proposal-resubmitted",
             "portfolio-matrix-declaration"}
    assert all(g["stage"] == "before_assessment" for rid, g in gateway.items() if rid in after)
    assert all(g["stage"] == "gateway" for rid, g in gateway.items() if rid not in after)
    deadlines = {d["id"]: d for d in journey["deadlines"]}
    assert {"portfolio-before-discussion", "proposal-resubmission", "report-before-interview",
            "observation-notice"} <= set(deadlines)
    # 002 § Assessing the professional discussion ...: "2 weeks before the set date of the professional discussion"
    assert deadlines["portfolio-before-discussion"]["offset"]["weeks"] == -2
    # 002 § Project proposal: "within 1 week"
    assert deadlines["proposal-resubmission"]["offset"]["weeks"] == 1
    rules = [*journey["gateway"], *journey["deadlines"], *journey["tolerances"]]
    assert rules and all(r["citation"].startswith(f"{DOC} § ") for r in rules)


def test_journey_resit_rules_match_the_document(journey):
    resit = journey["resit"]
    # 002 § Retake and resit information: "The maximum grade awarded to a resit will be pass, unless Highfield
    # identifies exceptional circumstances accounting for the original fail."
    cap = resit["cap"]
    assert (cap["grade"], cap["applies_to"], cap["exceptional_circumstances_lift"]) == (P, ["resit"], True)
    # "There is no limit to the number of retake/resits within the 12 months."
    assert resit["attempts"]["limit"] is None
    # "apprentices should complete retake/resits within 12 months" -- and the kit states no consequence for missing it
    (window,) = resit["windows"]
    assert window["id"] == "resit-retake-within-12-months" and window["offset"]["months"] == 12
    assert window["consequence"] == "none_stated"
    # "If the apprentice fails the work-based project ... Apprentices will have 1 month to rework their submission."
    (rework,) = resit["rework"]
    assert (rework["method"], rework["offset"]["months"]) == ("project", 1)
    # "A retake requires the apprentice to undertake further learning and therefore they would need to go through
    # the gateway process again."
    assert resit["retake_through_gateway"] is not None
    for cited in (cap, resit["no_resit_from_pass"], resit["attempts"], window, rework, resit["retake_through_gateway"]):
        assert cited["citation"] == S_RESIT


def test_journey_citations_name_real_sections_and_quote_the_document(journey):
    # Every citation's section heading is a heading line of 002, and every quoted rule text is in the document
    # (ignoring emphasis markers and whitespace).
    document = source_text(DOC)  # skips, with the reason, when the kit is not in the sources folder
    sections = _sections(document)
    text = re.sub(r"[*\s]+", " ", document)
    resit = journey["resit"]
    rules = [*journey["gateway"], *journey["deadlines"], *journey["tolerances"], resit["cap"],
             resit["no_resit_from_pass"], resit["attempts"], *resit["windows"], *resit["rework"]]
    for r in rules:
        section = r["citation"].split(" § ", 1)[1]
        assert section in sections, r["citation"]
    for r in (resit["cap"], resit["no_resit_from_pass"], resit["attempts"], *resit["rework"]):
        assert re.sub(r"[*\s]+", " ", r["text"]) in text, r["text"]


# ---------------------------------------------------------------------------------------- recommendations
# What the kit advises ("should", "recommend", "suggested", "may wish to consider") and attaches no consequence
# to: listed by `epa journey` as advice, never checked. (id: topic, method, words quoted from the sentence,
# section of 002.) Advice the kit words as gateway items (the 200-300-word proposal, the plan and schedule
# agreed with Highfield, the gateway meeting and its report) stays among the gateway requirements; the
# "should complete retake/resits within 12 months" is the resit window.

RECOMMENDATIONS = {
    # § On-programme requirements: "To drive quality and consistency through on-programme learning, employers may
    # wish to consider the following:" and its four items.
    "on-programme-performance-management": ("on_programme", None, "use their normal performance management processes to monitor the progress of the apprentice", "On-programme requirements"),
    "on-programme-support": ("on_programme", None, "provide support, ensuring the requirements of the apprenticeship standard are reflected in the above processes", "On-programme requirements"),
    "on-programme-joint-reviews": ("on_programme", None, "They should agree on how any issues are to be resolved together.", "On-programme requirements"),
    "on-programme-portfolio": ("on_programme", None, "allow apprentices to develop and maintain, within a portfolio, examples of their work", "On-programme requirements"),
    # § On-programme requirements: "The training programme leading to end-point assessment should cover the breadth
    # and depth of the standard ..."
    "training-programme-covers-standard": ("on_programme", None, "The training programme leading to end-point assessment should cover the breadth and depth of the standard", "On-programme requirements"),
    # § Project proposal: "... they should arrange a discussion with their employer/training provider."
    "proposal-discussed-with-employer": ("preparation", "project", "they should arrange a discussion with their employer/training provider", "Project proposal"),
    # § Project proposal: "The apprentice should **only** start writing their project report once the proposal has
    # been approved by the end-point assessor." (ambiguity highfield-report-after-approval-should-only)
    "report-after-proposal-approved": ("order", "project", "should only start writing their project report once the proposal has been approved", "Project proposal"),
    # § Additional, relevant on-programme qualification: "Employers may wish to choose the Highfield Level 3 Diploma
    # in Customer Service Skills (RQF) to help structure the on-programme delivery."
    "on-programme-qualification": ("on_programme", None, "Employers may wish to choose the Highfield Level 3 Diploma in Customer Service Skills (RQF)", "Additional, relevant on-programme qualification"),
    # § Order of end-point assessments (again in the Assessment summary): "The assessment plan recommends that the
    # work-based project is the first assessment, followed by the professional discussion and then finally the
    # practical observation."
    "method-order": ("order", None, "The assessment plan recommends that the work-based project is the first assessment", "Order of end-point assessments"),
    # § How to prepare for gateway: "The apprentice should prepare for this meeting by bringing along work-based
    # evidence"; "Apprentices should be advised by employers and providers to gather this evidence throughout their
    # on-programme training. It is recommended that employers and providers complete regular checks and reviews of
    # this evidence ..."
    "gateway-meeting-evidence": ("preparation", None, "The apprentice should prepare for this meeting by bringing along work-based evidence", "How to prepare for gateway"),
    "gather-evidence-on-programme": ("evidence", None, "Apprentices should be advised by employers and providers to gather this evidence throughout their on-programme training.", "How to prepare for gateway"),
    "regular-evidence-checks": ("preparation", None, "It is recommended that employers and providers complete regular checks and reviews of this evidence", "How to prepare for gateway"),
    # § Assessment summary: "As an employer/training provider, you should agree a plan and schedule with the
    # apprentice to ensure all assessment components can be completed effectively."
    "plan-and-schedule-with-apprentice": ("preparation", None, "you should agree a plan and schedule with the apprentice", "Assessment summary"),
    # § Component 1: Work-based project report: "The subject should cover a specific high-level challenge ..."; "The
    # report should contain annexes that are attributable to the apprentice and the actions they took."
    "project-report-subject": ("evidence", "project", "The subject should cover a specific high-level challenge", "Component 1: Work-based project report"),
    "project-report-annexes": ("evidence", "project", "The report should contain annexes that are attributable to the apprentice", "Component 1: Work-based project report"),
    # § Component 2: Interview: "A representative from the organisation could also be present but only to observe and
    # they should not be involved in conducting the interview or grading decision."
    "employer-representative": ("other", "project", "they should not be involved in conducting the interview or grading decision", "Component 2: Interview"),
    # § Before the assessment, a heading printed once per method, cited under its method's heading (issue 19):
    # "Employers/training providers should: ..."
    "project-before-the-assessment": ("preparation", "project", "give the apprentice time to work on their project and report during the end-point assessment window", "Assessing the work-based project (supported by an interview) > Before the assessment"),
    "discussion-before-the-assessment": ("preparation", "discussion", "ensure the apprentice knows which criteria will be assessed", "Assessing the professional discussion (supported by portfolio of evidence) > Before the assessment"),
    "observation-before-the-assessment": ("preparation", "observation", "ensure the apprentice knows which customer service specialist criteria will be assessed", "Assessing the practical observation (with Q&As) > Before the assessment"),
    # § Work-based project interview - mock assessment: "It is suggested that a mock assessment is carried out ...
    # Highfield recommend that the apprentice experiences a mock interview in preparation for the real thing."; "the
    # mock interview should be 60 minutes (+/- 10%)"; "consider a recording of the mock assessment ..."
    "mock-interview": ("preparation", "project", "Highfield recommend that the apprentice experiences a mock interview", "Work-based project interview - mock assessment"),
    "mock-interview-duration": ("duration", "project", "the mock interview should be 60 minutes (+/- 10%)", "Work-based project interview - mock assessment"),
    "mock-interview-elements": ("preparation", "project", "consider a recording of the mock assessment", "Work-based project interview - mock assessment"),
    # § Work-based project (supported by an interview) criteria: "Apprentices should prepare for the work-based project
    # (supported by an interview) by considering how the criteria can be met and reflecting on their past experiences."
    "prepare-for-project": ("preparation", "project", "Apprentices should prepare for the work-based project (supported by an interview) by considering how the criteria can be met", "Work-based project (supported by an interview) criteria"),
    # § Assessing the professional discussion (supported by portfolio of evidence): "... they should be collecting
    # evidence of interactions with customers, managers and stakeholders ..."; "During the professional discussion,
    # the apprentice should extract/discuss information from the on-programme portfolio of evidence ..."
    "collect-discussion-evidence": ("evidence", "discussion", "they should be collecting evidence of interactions with customers, managers and stakeholders", "Assessing the professional discussion (supported by portfolio of evidence)"),
    "use-portfolio-in-discussion": ("evidence", "discussion", "the apprentice should extract/discuss information from the on-programme portfolio of evidence", "Assessing the professional discussion (supported by portfolio of evidence)"),
    # § Professional discussion (supported by portfolio of evidence) mock assessment: "Highfield recommends that the
    # apprentice experiences a mock professional discussion ..."; "a 60-minute time slot should be available to
    # complete the professional discussion"; "the mock professional discussion ... should take place in a suitable location"
    "mock-discussion": ("preparation", "discussion", "Highfield recommends that the apprentice experiences a mock professional discussion", "Professional discussion (supported by portfolio of evidence) mock assessment"),
    "mock-discussion-duration": ("duration", "discussion", "time slot should be available to complete the professional discussion", "Professional discussion (supported by portfolio of evidence) mock assessment"),
    "mock-discussion-elements": ("preparation", "discussion", "the mock professional discussion (supported by a portfolio of evidence) should take place in a suitable location", "Professional discussion (supported by portfolio of evidence) mock assessment"),
    # § Professional discussion (supported by portfolio of evidence) criteria: "Apprentices should prepare for the
    # professional discussion (supported by a portfolio of evidence) considering how the criteria can be met."
    "prepare-for-discussion": ("preparation", "discussion", "Apprentices should prepare for the professional discussion (supported by a portfolio of evidence) considering how the criteria can be met.", "Professional discussion (supported by portfolio of evidence) criteria"),
    # § Assessing the practical observation (with Q&As): "The observation should involve activities which allow the
    # apprentice to demonstrate the full range ..."; "... the apprentice should have the opportunity, if required, to
    # move from one area/function of the business to another"; "The observation can be before or after the work-based
    # project, but it is recommended to be before the professional discussion." (ambiguity
    # highfield-method-order-contradiction: the kit also recommends the observation last)
    "observation-activities": ("preparation", "observation", "The observation should involve activities which allow the apprentice to demonstrate the full range", "Assessing the practical observation (with Q&As)"),
    "observation-move-between-areas": ("preparation", "observation", "to move from one area/function of the business to another", "Assessing the practical observation (with Q&As)"),
    "observation-before-discussion": ("order", "observation", "it is recommended to be before the professional discussion", "Assessing the practical observation (with Q&As)"),
    # § Practical observation (with Q&As) mock assessment: "Highfield recommends that the apprentice completes a mock
    # practical observation (with Q&As) ..."; "a 60-minute (+/-10%) time slot should be available for the practical
    # observation"; "it is recommended that the mock observation has been practised with all personnel involved"
    "mock-observation": ("preparation", "observation", "Highfield recommends that the apprentice completes a mock practical observation", "Practical observation (with Q&As) mock assessment"),
    "mock-observation-duration": ("duration", "observation", "time slot should be available for the practical observation", "Practical observation (with Q&As) mock assessment"),
    "mock-observation-elements": ("preparation", "observation", "it is recommended that the mock observation has been practised with all personnel involved", "Practical observation (with Q&As) mock assessment"),
    # § Practical observation (with Q&As) criteria: "Apprentices should prepare for the practical observation (with
    # Q&As) by considering how the criteria can be met."
    "prepare-for-observation": ("preparation", "observation", "Apprentices should prepare for the practical observation (with Q&As) by considering how the criteria can be met.", "Practical observation (with Q&As) criteria"),
}
NEW_AMBIGUITIES = {"highfield-method-order-contradiction", "highfield-report-after-approval-should-only",
                   "highfield-mock-interview-must", "highfield-representative-should-not"}


def test_recommendations_are_encoded_as_the_document_states():
    check_recommendations(journey_rules(BODY, "ST0071"), RECOMMENDATIONS, DOC)
    ambiguities = run("ambiguities", "--body", BODY, "--format", "json").json()
    assert {a["id"] for a in ambiguities} >= NEW_AMBIGUITIES


def test_the_observation_place_contradiction_is_recorded():
    # 002 § Practical observation (The Highfield approach): "clarification has been provided by Ofqual that the
    # observation assessment may also take place remotely over web conferencing"; 002 § Assessing the practical
    # observation (with Q&As): "The practical observation must take place in the apprentice's workplace." The kit
    # says both; the reading (conduct observation-mode: the workplace, or remotely) is recorded with the two sentences.
    ambiguities = run("ambiguities", "--body", BODY, "--format", "json").json()
    (entry,) = [a for a in ambiguities if a["id"] == "highfield-observation-workplace-or-remote"]
    said = flat(entry["text_says"])
    text = flat(source_text(DOC))
    for words in ("may also take place remotely over web conferencing",
                  "The practical observation must take place in the apprentice's workplace."):
        assert flat(words) in said and flat(words) in text
    conduct = {c["id"]: c for c in journey_rules(BODY, STD)["conduct"]}
    assert conduct["observation-mode"]["value"] == "face_to_face_or_remote"


def test_recommendations_quote_the_document():
    text = flat(source_text(DOC))
    for rid, (_, _, words, _) in RECOMMENDATIONS.items():
        assert flat(words) in text, rid


def test_recommendations_never_make_a_record_unready(tmp_path):
    # Taken against both order recommendations: the discussion before the observation (§ Assessing the practical
    # observation (with Q&As): "it is recommended to be before the professional discussion") and the project last
    # (§ Order of end-point assessments: "the work-based project is the first assessment"). Everything the kit
    # requires at gateway is there (§ Readiness for end-point assessment; § Portfolio of evidence; § Project
    # proposal), so the record is ready, and advice changes nothing.
    record = {
        "standard": "ST0071",
        "apprentice": {"id": "HF-ADVICE", "date_of_birth": "2005-03-01", "start_date": "2024-05-06",
                       "english": "level2", "maths": "level2"},
        "gateway": {"date": "2025-09-01", "portfolio_pieces": 12, "portfolio": True, "portfolio_declaration": True,
                    "project_proposal": True, "project_proposal_words": 250, "gateway_form": True, "photo_id": True},
        "assessments": [{"method": "discussion", "date": "2025-10-06", "grade": "pass"},
                        {"method": "observation", "date": "2025-10-13", "grade": "pass"},
                        {"method": "project", "date": "2025-10-20", "grade": "pass"}],
    }
    assert_advice_only(BODY, dump_record(tmp_path, record), set(RECOMMENDATIONS))


# ---------------------------------------------------------------------------------------------------------------
# Citations: each names one place in the kit
# ---------------------------------------------------------------------------------------------------------------

def _heading(line: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", line).replace("**", "").split()).lower()


def test_every_citation_names_one_place_in_the_kit():
    # A heading the kit prints more than once is cited under the heading above it ('A > B'), so that a reader finds
    # the one meant. "Providing a positive customer experience" heads a table in § The Customer Service Specialist
    # apprenticeship standard and a list in each method's criteria (4 places); the contents page repeats the chapter
    # headings with their page numbers ("Assessing the ... (with Q&As)\t57"), which do not count.
    text = source_text(DOC)
    lines = [_heading(line) for line in text.splitlines() if not re.search(r"\t\d+\s*$", line)]
    from epa_highfield import RULES
    cited = {m.group(1).strip() for path in RULES.glob("*.yaml")
             for m in re.finditer(re.escape(DOC) + r" § ([^\"'\n]+)", path.read_text(encoding="utf-8"))}
    assert cited
    for section in sorted(cited):
        parent, _, child = section.rpartition(" > ")
        if parent:
            assert lines.count(_heading(parent)) == 1, section
            assert _heading(child) in lines[lines.index(_heading(parent)):], section
        else:
            assert lines.count(_heading(section)) == 1, section
