"""Journey behaviour for TQUK (`tqual`), ST0071: gateway, deadlines, resits and retakes, tolerances.

Every expected value comes from TQUK's document, 003_3692b76548845e1c.txt (Standard Specification,
ST0071 V1.2, updated 09 Dec 2024), and the calendar; never from running the code or reading the rules
YAML (which is read for requirement and deadline ids only). Dates are worked out by hand in comments.
Month arithmetic is the calendar's: one month after the 31st of a month that is shorter ends on that
month's last day (31 Jan + 1 month = 28 Feb, or 29 Feb in a leap year).
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from pathlib import Path

import icalendar
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

pytestmark = requires("tqual")

RECORDS = Path(__file__).parent / "records"
BODY = "tqual"
SEED = "003_3692b76548845e1c.txt"
GATEWAY = f"{SEED} § Gateway Considerations"
EPA_WINDOW = f"{SEED} § EPA Window"
PROPOSAL = f"{SEED} § Work-Based Project Proposal"
REPORT = f"{SEED} § Work-Based Project Report"
INTERVIEW = f"{SEED} § Interview"
RESITS = f"{SEED} § Resits and Retakes"
PRACTICAL = f"{SEED} § Practical Observation"
QUESTIONING = f"{SEED} § Questioning Session"
NOTICE = f"{SEED} § Planning the Observation"
PORTFOLIO = f"{SEED} § Portfolio of Evidence"
DISCUSSION = f"{SEED} § Professional Discussion"

# A whole journey, every gateway flag given: observation distinction, project pass, discussion pass.
# 003 § Overall Grading table row: "Distinction  Pass  Pass  Distinction", so with no resit this is a
# distinction overall; the resit tests below change only the project.
BASE = {
    "standard": "ST0071",
    "apprentice": {"id": "TQ-J-001"},
    "gateway": {
        "date": "2025-09-01",
        "photo_id": True,
        "portfolio": True,
        "project_proposal": True,
        "english_maths_declaration": True,
        "project_proposal_words": 450,
        "portfolio_pieces": 12,
    },
    "assessments": [
        {"method": "project", "date": "2025-11-10", "grade": "pass"},
        {"method": "discussion", "date": "2025-11-12", "grade": "pass"},
        {"method": "observation", "date": "2025-11-17", "grade": "distinction"},
    ],
}

# The project fails (notified 2025-11-14) and is taken again; the other two are as in BASE.
FAILED_PROJECT = [
    {"method": "project", "date": "2025-11-10", "notified": "2025-11-14", "grade": "fail"},
    {"method": "discussion", "date": "2025-11-12", "grade": "pass"},
    {"method": "observation", "date": "2025-11-17", "grade": "distinction"},
]


def record(**changes) -> dict:
    """BASE with top-level keys replaced; `gateway` and `dates` are merged into BASE's."""
    rec = copy.deepcopy(BASE)
    for key, value in changes.items():
        if key in ("gateway", "dates") and isinstance(value, dict):
            rec.setdefault(key, {}).update(value)
        else:
            rec[key] = value
    return rec


def with_redo(redo: dict, first: list[dict] | None = None) -> list[dict]:
    """The failed-project history followed by one more project attempt (resit unless given)."""
    return [*copy.deepcopy(first or FAILED_PROJECT), {"method": "project", "kind": "resit", **redo}]


def grade(tmp_path: Path, rec: dict) -> dict:
    result = run("grade", "--body", BODY, str(dump_record(tmp_path, rec)), "--format", "json")
    assert result.exit_code == 0, result.stderr
    return result.json()


def deadlines(res: dict, deadline_id: str) -> list[dict]:
    return [d for d in res["deadlines"] if d["id"] == deadline_id]


def deadline(res: dict, deadline_id: str) -> dict:
    return only(res["deadlines"], deadline_id)


def requirement(res: dict, req_id: str) -> dict:
    return only(res["gateway"]["requirements"], req_id)


def check(res: dict, check_id: str) -> dict:
    return only(res["checks"], check_id)


# ---------------------------------------------------------------------------------------------
# Resits and retakes: the cap at pass, and exceptional circumstances.
# ---------------------------------------------------------------------------------------------

def test_no_resit_gives_the_tables_distinction(tmp_path):
    # 003 § Overall Grading: "Distinction  Pass  Pass  Distinction" (observation, project, discussion).
    # The control for the cap tests below: without a resit nothing is capped.
    res = grade(tmp_path, record())
    assert res["overall"] == "distinction"
    assert res["capped"] is False
    assert res["full_retake_required"] is False


@pytest.mark.parametrize("kind", [
    # 003 § Resits and Retakes: "If a resit or retake is required, the overall EPA grade will be
    # capped at a pass, unless Training Qualifications UK determines there are exceptional circumstances."
    "resit",
    # the same sentence says "resit or retake": a retake is capped too.
    "retake",
])
def test_a_project_fail_then_a_pass_is_capped_at_pass(tmp_path, kind):
    # The table would give a distinction (003 § Overall Grading: "Distinction  Pass  Pass  Distinction"),
    # but after a resit or retake the overall grade is capped at a pass (003 § Resits and Retakes).
    res = grade(tmp_path, record(assessments=with_redo({"date": "2025-12-11", "kind": kind, "grade": "pass"})))
    assert res["components"]["project"] == "pass"
    assert res["capped"] is True
    assert res["overall"] == "pass"
    assert res["full_retake_required"] is False
    assert any(e["citation"] == RESITS for e in res["explanation"])


@pytest.mark.parametrize("kind", ["resit", "retake"])
def test_exceptional_circumstances_lift_the_cap(tmp_path, kind):
    # 003 § Resits and Retakes: "... capped at a pass, unless Training Qualifications UK determines there
    # are exceptional circumstances." With them recorded on the resit (or retake), the table's grade stands:
    # "Distinction  Pass  Pass  Distinction" (003 § Overall Grading).
    redo = {"date": "2025-12-11", "kind": kind, "grade": "pass", "exceptional_circumstances": True}
    res = grade(tmp_path, record(assessments=with_redo(redo)))
    assert res["capped"] is False
    assert res["overall"] == "distinction"


def test_a_resit_after_a_fail_that_fails_again_fails_overall(tmp_path):
    # 003 § Overall Grading: "A fail in any assessment component will result in a fail overall";
    # the latest attempt is the component's grade.
    res = grade(tmp_path, record(assessments=with_redo({"date": "2025-12-11", "grade": "fail"})))
    assert res["components"]["project"] == "fail"
    assert res["overall"] == "fail"


def test_no_resit_of_a_pass(tmp_path):
    # 003 § Resits and Retakes: "An apprentice cannot retake or resit any part of the EPA to increase their
    # grade from a pass to a distinction." A resit after a passed project is refused as bad input.
    rec = record(assessments=[*copy.deepcopy(BASE["assessments"]),
                              {"method": "project", "date": "2025-12-11", "kind": "resit", "grade": "distinction"}])
    result = run("grade", "--body", BODY, str(dump_record(tmp_path, rec)), "--format", "json")
    assert result.exit_code == 2
    assert "no earlier fail" in result.stderr


# ---------------------------------------------------------------------------------------------
# The one-month rework of a failed project.
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("notified", "redo_date", "due", "status"), [
    # 003 § Resits and Retakes: "If the apprentice fails the work-based project, they will be asked to
    # rework their project ... The apprentice will have one month to rework their submission."
    # notified 2025-11-14 + 1 month = 2025-12-14; reworked on the last day: met
    ("2025-11-14", "2025-12-14", "2025-12-14", "met"),
    # the resit a day after it, 2025-12-15 > 2025-12-14: unknown (it may follow a submission made in time: the record
    # dates the resit, not the reworked submission)
    ("2025-11-14", "2025-12-15", "2025-12-14", "unknown"),
    # no rework yet: open
    ("2025-11-14", None, "2025-12-14", "open"),
    # month end: notified 2026-01-31 + 1 month = 2026-02-28 (2026 is not a leap year); 2026-02-28 met
    ("2026-01-31", "2026-02-28", "2026-02-28", "met"),
    # and 2026-03-01 > 2026-02-28: unknown
    ("2026-01-31", "2026-03-01", "2026-02-28", "unknown"),
    # leap year: notified 2028-01-31 + 1 month = 2028-02-29; 2028-02-29 met
    ("2028-01-31", "2028-02-29", "2028-02-29", "met"),
])
def test_project_rework_within_one_month_of_the_fail(tmp_path, notified, redo_date, due, status):
    year = notified[:4]
    # the project's interview is held and its fail notified the same day; the others passed earlier
    first = [{"method": "discussion", "date": f"{year}-01-05", "grade": "pass"},
             {"method": "observation", "date": f"{year}-01-06", "grade": "pass"},
             {"method": "project", "date": notified, "notified": notified, "grade": "fail"}]
    history = with_redo({"date": redo_date, "grade": "pass"}, first) if redo_date else first
    res = grade(tmp_path, record(gateway={"date": f"{year}-01-02"}, assessments=history))
    rework = deadline(res, "project-rework")
    assert rework["date"] == due
    assert rework["status"] == status
    assert rework["citation"] == RESITS



@pytest.mark.parametrize(("notified", "counted"), [
    # A record dating the notification: counted from it, and said so.
    ("2025-11-20", "1 month after the fail notified 2025-11-20"),
    # A record dating none: counted from the assessment (schemas/record.schema.json, assessments[].notified), and said
    # so, as the tool's reading, never as a notification on a day the record does not give.
    (None, "1 month after the fail on 2025-11-14"),
])
def test_the_rework_deadline_says_what_it_counts_from(tmp_path, notified, counted):
    failed = {"method": "project", "date": "2025-11-14", "grade": "fail"} | ({"notified": notified} if notified else {})
    first = [{"method": "discussion", "date": "2025-11-05", "grade": "pass"},
             {"method": "observation", "date": "2025-11-06", "grade": "pass"}, failed]
    rework = deadline(grade(tmp_path, record(assessments=first)), "project-rework")
    # 003 § Resits and Retakes: "The apprentice will have one month to rework their submission": from when, unsaid
    # (tqual-project-rework-vs-resit), so the date counted from is said to be the tool's reading
    undated = "" if notified else ", and the record dates no notification of the fail, so the fail's own date stands " \
        "for it"
    assert f"({counted}, the tool's reading: the document does not say which date this counts from{undated})" \
        in rework["says"]
    assert ("notified" in rework["says"]) is (notified is not None)

def test_a_late_rework_names_the_attempt_compared_not_a_rework_date(tmp_path):
    # 003 § Resits and Retakes: "The apprentice will have one month to rework their submission." The record dates
    # the project's resit, not the reworked submission; § Interview puts a report's interview "at least two weeks
    # after the apprentice submits the report", so a resit on 2025-12-22 may follow a submission made in time.
    # Notified 2025-11-14 + 1 month = 2025-12-14; the resit on 2025-12-22 is after it: whether the rework was late is
    # unknown (the journey file's reading, tqual-project-rework-vs-resit; it was "missed", which the record does not
    # show), said of the resit, never as "reworked on 2025-12-22".
    rework = deadline(grade(tmp_path, record(assessments=with_redo({"date": "2025-12-22", "grade": "pass"}))),
                      "project-rework")
    assert (rework["date"], rework["status"]) == ("2025-12-14", "unknown")
    assert rework["needs"].startswith("the date the reworked project was submitted")
    assert "the project resit on 2025-12-22 came after it" in rework["says"]
    assert "not the reworked submission" in rework["says"]
    assert "reworked on" not in rework["says"]


# ---------------------------------------------------------------------------------------------
# The 12-month window for resits and retakes (anchored, per the journey file's reading
# `tqual-resit-window-anchor`, on the first fail's notification).
# ---------------------------------------------------------------------------------------------

def window_missed_steps(res: dict) -> list[dict]:
    """The explanation steps reporting the 12-month window missed."""
    return [e for e in res["explanation"] if e["about"] == "resit" and "12 months" in e["says"]
            and "missed" in e["says"]]


@pytest.mark.parametrize(("redo", "status", "overall"), [
    # 003 § Resits and Retakes: "If a retake or resit is required, the apprentice should complete this
    # within 12 months." First fail notified 2025-11-14 + 12 months = 2026-11-14. "should", and the section
    # states no consequence for missing the 12 months: a late resit is reported as missing the window and
    # nothing else follows (no whole EPA again, the grade kept).
    # Resit on 2026-11-14: inside the window; overall pass (capped from distinction).
    ({"date": "2026-11-14", "grade": "pass"}, "met", "pass"),
    # Resit on 2026-11-15 > 2026-11-14: the window is missed; the grade stands (capped at pass: "If a resit or
    # retake is required, the overall EPA grade will be capped at a pass").
    ({"date": "2026-11-15", "grade": "pass"}, "missed", "pass"),
    # A retake is held to the same window ("complete this" refers to "a retake or resit").
    ({"date": "2026-11-15", "kind": "retake", "grade": "pass"}, "missed", "pass"),
    # The document's exceptional circumstances qualify only the cap sentence, not the 12 months:
    # a late resit with them recorded still misses the window (and they lift the cap: 003 § Overall
    # Grading "Distinction  Pass  Pass  Distinction").
    ({"date": "2026-11-15", "grade": "pass", "exceptional_circumstances": True}, "missed", "distinction"),
])
def test_twelve_month_window(tmp_path, redo, status, overall):
    res = grade(tmp_path, record(assessments=with_redo(redo)))
    window = deadline(res, "resit-retake-12-months")
    assert window["date"] == "2026-11-14"
    assert window["status"] == status
    assert window["strength"] == "advice"        # "should complete this within 12 months"
    assert window["citation"] == RESITS
    assert res["full_retake_required"] is False
    assert res["overall"] == overall
    steps = window_missed_steps(res)
    assert len(steps) == (1 if status == "missed" else 0)
    for step in steps:
        assert "states no consequence" in step["says"] and "whole EPA" not in step["says"]
        assert step["citation"] == RESITS


def test_twelve_month_window_is_open_before_any_resit(tmp_path):
    # 003 § Resits and Retakes: "... should complete this within 12 months": notified 2025-11-14 + 12 months
    # = 2026-11-14, nothing resat yet: open, and the EPA has no overall pass (a fail stands).
    res = grade(tmp_path, record(assessments=copy.deepcopy(FAILED_PROJECT)))
    window = deadline(res, "resit-retake-12-months")
    assert (window["date"], window["status"]) == ("2026-11-14", "open")
    assert res["overall"] == "fail"
    assert res["full_retake_required"] is False


def test_twelve_months_run_from_the_first_fail_not_each_fail(tmp_path):
    # 003 § Resits and Retakes: "There is no limit to the number of retake or resits within the 12 months."
    # One period (journey reading `tqual-resit-window-anchor`): first fail notified 2025-11-14 + 12 months
    # = 2026-11-14. A resit fails (notified 2026-03-06); a retake on 2026-11-20 is inside 12 months of
    # that second fail (2027-03-06) but outside the one period: reported missed. "the apprentice should
    # complete this within 12 months" states no consequence, so the grade stands: pass (capped).
    history = [*copy.deepcopy(FAILED_PROJECT),
               {"method": "project", "date": "2026-03-02", "notified": "2026-03-06", "kind": "resit",
                "grade": "fail"},
               {"method": "project", "date": "2026-11-20", "kind": "retake", "grade": "pass"}]
    res = grade(tmp_path, record(assessments=history))
    window = deadline(res, "resit-retake-12-months")
    assert (window["date"], window["status"]) == ("2026-11-14", "missed")
    assert res["full_retake_required"] is False
    assert (res["overall"], res["capped"]) == ("pass", True)


# ---------------------------------------------------------------------------------------------
# Gateway.
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("words", "status", "ready"), [
    # 003 § Work-Based Project Proposal: "... to outline, in no more than 500 words, what their project is
    # about": 500 is allowed, 501 is not.
    (500, "met", True),
    (501, "unmet", False),
])
def test_project_proposal_at_most_500_words(tmp_path, words, status, ready):
    res = grade(tmp_path, record(gateway={"project_proposal_words": words}))
    req = requirement(res, "project-proposal-words")
    assert req["status"] == status
    assert req["mandatory"] is True
    assert req["citation"] == PROPOSAL
    assert res["gateway"]["ready"] is ready
    assert ("project-proposal-words" in res["gateway"]["unmet"]) is (not ready)


@pytest.mark.parametrize(("english", "maths"), [
    # 003 § Gateway Considerations: "the training provider is also requested sign a declaration to confirm
    # that the English and maths requirements have been met in line with the funding rules." TQUK sets no
    # level of its own: whatever the record holds, the requirement is deferred to the funding rules.
    ("level2", "level2"),
    ("none", "none"),
    (None, None),
])
def test_english_and_maths_deferred_to_funding_rules(tmp_path, english, maths):
    apprentice = {"id": "TQ-J-002", **({"english": english, "maths": maths} if english else {})}
    res = grade(tmp_path, record(apprentice=apprentice))
    req = requirement(res, "english-maths")
    assert req["status"] == "deferred"
    assert req["citation"] == GATEWAY
    assert "english-maths" in res["gateway"]["unknown"]
    assert "english-maths" not in res["gateway"]["unmet"]
    assert res["gateway"]["ready"] is True  # everything else the document asks for is met in BASE


@pytest.mark.parametrize(("field", "req_id"), [
    # 003 § Gateway Considerations: "Before the apprentice can start their EPA, the training provider is
    # required to upload the following: - photo ID - portfolio of evidence - work based project proposal."
    ("photo_id", "photo-id"),
    ("portfolio", "portfolio"),
    ("project_proposal", "project-proposal"),
])
def test_gateway_uploads(tmp_path, field, req_id):
    res = grade(tmp_path, record(gateway={field: False}))
    assert requirement(res, req_id)["status"] == "unmet"
    assert res["gateway"]["ready"] is False
    assert req_id in res["gateway"]["unmet"]
    assert requirement(grade(tmp_path, record()), req_id)["status"] == "met"


@pytest.mark.parametrize(("pieces", "status"), [
    # 003 § Portfolio of Evidence: "they will need to select a minimum of 10 and a maximum of 15 pieces of
    # evidence"
    (9, "unmet"), (10, "met"), (15, "met"), (16, "unmet"),
])
def test_portfolio_pieces_10_to_15(tmp_path, pieces, status):
    # "... which will best support them in their professional discussion": the selection is for the discussion,
    # not checked at gateway, so it is reported and never makes the record not ready (issue 19)
    res = grade(tmp_path, record(gateway={"portfolio_pieces": pieces}))
    assert requirement(res, "portfolio-pieces")["status"] == status
    assert requirement(res, "portfolio-pieces")["stage"] == "before_assessment"
    assert res["gateway"]["ready"] is True
    assert ("portfolio-pieces" in res["gateway"]["before_assessment_unmet"]) is (status == "unmet")


def test_english_maths_declaration_is_requested_not_required(tmp_path):
    # 003 § Gateway Considerations: "At gateway, the training provider is also requested sign a declaration to
    # confirm that the English and maths requirements have been met": a request, not a requirement (issue 19). A
    # record without it is shown the declaration unmet, and is still ready for gateway.
    res = grade(tmp_path, record(gateway={"english_maths_declaration": False}))
    req = requirement(res, "english-maths-declaration")
    assert (req["status"], req["mandatory"]) == ("unmet", False)
    assert res["gateway"]["ready"] is True
    assert "english-maths-declaration" in res["gateway"]["recommendations_unmet"]


# ---------------------------------------------------------------------------------------------
# Deadlines.
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("resubmitted", "status"), [
    # 003 § Work-Based Project Proposal: "If the End-Point Assessor does not accept the apprentice's
    # work-based project proposal, the apprentice will have one week to submit a reworked project proposal"
    # rejected 2025-08-01 + 1 week = 2025-08-08
    ("2025-08-08", "met"),
    ("2025-08-09", "missed"),
    (None, "open"),
])
def test_rejected_proposal_resubmitted_within_one_week(tmp_path, resubmitted, status):
    dates = {"proposal_rejected": "2025-08-01", **({"proposal_resubmitted": resubmitted} if resubmitted else {})}
    res = grade(tmp_path, record(dates=dates))
    d = deadline(res, "proposal-resubmission")
    assert (d["date"], d["status"], d["citation"]) == ("2025-08-08", status, PROPOSAL)


def test_no_rejection_no_resubmission_date(tmp_path):
    # Same sentence: the week counts from a rejection; a record with none has no date for it.
    d = deadline(grade(tmp_path, record()), "proposal-resubmission")
    assert d["date"] is None
    assert d["status"] == "unknown"
    assert "proposal_rejected" in d["needs"]


@pytest.mark.parametrize(("submitted", "status"), [
    # 003 § Work-Based Project Report: "If the work-based project proposal is accepted, the apprentice will
    # have two months from assessment planning meeting to write and submit the work-based project."
    # planning meeting 2025-09-10 + 2 months = 2025-11-10
    ("2025-11-10", "met"),
    ("2025-11-11", "missed"),
    (None, "open"),
])
def test_project_within_two_months_of_the_planning_meeting(tmp_path, submitted, status):
    dates = {"planning_meeting": "2025-09-10", **({"project_report_submitted": submitted} if submitted else {})}
    # the interview is put after the report so that only this deadline is in question
    rec = record(dates=dates, assessments=[*copy.deepcopy(BASE["assessments"][1:]),
                                           {"method": "project", "date": "2025-12-01", "grade": "pass"}])
    d = deadline(grade(tmp_path, rec), "project-report-submission")
    assert (d["date"], d["status"], d["citation"]) == ("2025-11-10", status, REPORT)


def test_project_deadline_month_end(tmp_path):
    # Same sentence: planning meeting 2025-12-31 + 2 months = 2026-02-28 (the last day of February).
    rec = record(dates={"planning_meeting": "2025-12-31", "project_report_submitted": "2026-03-01"},
                 gateway={"date": "2025-12-01"}, assessments=[])
    d = deadline(grade(tmp_path, rec), "project-report-submission")
    assert (d["date"], d["status"]) == ("2026-02-28", "missed")


def test_project_deadline_needs_the_planning_meeting(tmp_path):
    # Same sentence: the two months run "from assessment planning meeting"; without dates.planning_meeting
    # there is no date to count from, and the deadline says what it needs.
    d = deadline(grade(tmp_path, record(dates={"project_report_submitted": "2025-10-27"})),
                 "project-report-submission")
    assert d["date"] is None
    assert d["status"] == "unknown"
    assert "planning_meeting" in d["needs"]


@pytest.mark.parametrize(("interview", "status"), [
    # 003 § Interview: "This will take place at least two weeks after the apprentice submits the report"
    # report 2025-10-27 + 2 weeks = 2025-11-10: the interview on that day is in time
    ("2025-11-10", "met"),
    # a day early, 2025-11-09 < 2025-11-10: missed
    ("2025-11-09", "missed"),
])
def test_interview_at_least_two_weeks_after_the_report(tmp_path, interview, status):
    rec = record(dates={"project_report_submitted": "2025-10-27"},
                 assessments=[{"method": "project", "date": interview, "grade": "pass"},
                              *copy.deepcopy(BASE["assessments"][1:])])
    d = deadline(grade(tmp_path, rec), "interview-after-report")
    assert d["kind"] == "not_before"
    assert (d["date"], d["status"], d["citation"]) == ("2025-11-10", status, INTERVIEW)


@pytest.mark.parametrize(("epa_start", "observation", "due", "status"), [
    # 003 § EPA Window: "All EPA components must be completed within three months of the start of the
    # end-point assessment period."
    # dates.epa_start 2025-10-01 + 3 months = 2026-01-01: the last component on 2026-01-01 is in time
    ("2025-10-01", "2026-01-01", "2026-01-01", "met"),
    # 2026-01-02 > 2026-01-01: missed
    ("2025-10-01", "2026-01-02", "2026-01-01", "missed"),
    # 2025-12-15 is after gateway + 3 months (2025-12-01) but the period starts on epa_start: met
    ("2025-10-01", "2025-12-15", "2026-01-01", "met"),
    # no dates.epa_start: the period starts at gateway (003 § Gateway Considerations: "Before the
    # apprentice can start their EPA ..."): gateway 2025-09-01 + 3 months = 2025-12-01
    (None, "2025-12-01", "2025-12-01", "met"),
    (None, "2025-12-02", "2025-12-01", "missed"),
])
def test_epa_window_three_months(tmp_path, epa_start, observation, due, status):
    assessments = copy.deepcopy(BASE["assessments"])
    assessments[2]["date"] = observation
    rec = record(assessments=assessments, **({"dates": {"epa_start": epa_start}} if epa_start else {}))
    d = deadline(grade(tmp_path, rec), "epa-window")
    assert (d["date"], d["status"], d["citation"]) == (due, status, EPA_WINDOW)


def test_epa_window_open_until_every_component_is_done(tmp_path):
    # Same sentence: "All EPA components": two of three done in time, the observation not yet held: open.
    # gateway 2025-09-01 + 3 months = 2025-12-01
    rec = record(assessments=copy.deepcopy(BASE["assessments"][:2]))
    d = deadline(grade(tmp_path, rec), "epa-window")
    assert (d["date"], d["status"]) == ("2025-12-01", "open")


def test_epa_window_month_end(tmp_path):
    # Same sentence: gateway 2025-11-30 + 3 months = 2026-02-28 (no 30 February); all done by then: met.
    rec = record(gateway={"date": "2025-11-30"},
                 assessments=[{"method": "project", "date": "2026-01-10", "grade": "pass"},
                              {"method": "discussion", "date": "2026-02-02", "grade": "pass"},
                              {"method": "observation", "date": "2026-02-28", "grade": "pass"}])
    d = deadline(grade(tmp_path, rec), "epa-window")
    assert (d["date"], d["status"]) == ("2026-02-28", "met")


@pytest.mark.parametrize(("notice", "status"), [
    # 003 § Planning the Observation: "The apprentice must be given two weeks' notice of the practical
    # observation date." observation 2025-11-17 - 2 weeks = 2025-11-03
    ("2025-11-03", "met"),
    ("2025-11-04", "missed"),
])
def test_two_weeks_notice_of_the_observation(tmp_path, notice, status):
    d = deadline(grade(tmp_path, record(dates={"observation_notice": notice})), "observation-notice")
    assert (d["date"], d["status"], d["citation"]) == ("2025-11-03", status, NOTICE)


@pytest.mark.parametrize(("submitted", "status"), [
    # 003 § Portfolio of Evidence: "Apprentices must submit the portfolio of evidence two weeks prior to
    # the date of the professional discussion." discussion 2025-11-12 - 2 weeks = 2025-10-29
    ("2025-10-29", "met"),
    ("2025-10-30", "missed"),
])
def test_portfolio_two_weeks_before_the_discussion(tmp_path, submitted, status):
    d = deadline(grade(tmp_path, record(dates={"portfolio_submitted": submitted})), "portfolio-submission")
    assert (d["date"], d["status"], d["citation"]) == ("2025-10-29", status, PORTFOLIO)


# ---------------------------------------------------------------------------------------------
# Tolerances.
# ---------------------------------------------------------------------------------------------

def observation_with(**measures) -> list[dict]:
    assessments = copy.deepcopy(BASE["assessments"])
    assessments[2].update(measures)
    return assessments


@pytest.mark.parametrize(("minutes", "ok"), [
    # 003 § Practical Observation: "lasting 60 minutes, with a permitted 10% (+/-) variance": 54 to 66
    (54, True), (66, True), (53, False), (67, False), (60, True),
])
def test_observation_60_minutes_plus_minus_10_percent(tmp_path, minutes, ok):
    c = check(grade(tmp_path, record(assessments=observation_with(duration_minutes=minutes))),
              "observation-duration")
    assert (c["low"], c["high"]) == pytest.approx((54, 66))
    assert c["ok"] is ok
    assert c["citation"] == PRACTICAL


@pytest.mark.parametrize(("duration", "questioning", "ok", "share_ok"), [
    # 003 § Questioning Session: "Following the practical observation, a question and answer session will take
    # place." ... "The questioning period should not exceed 15% of the total time allowed for the practical
    # observation. Therefore, the question and answer session will last up to 10 minutes, following the
    # 60-minute (+/-10%) practical observation." The questioning comes after the observation and "will last up
    # to 10 minutes" (required); the 15% it is derived from is worded "should not exceed" (advice), so both are
    # shown and only the 10 minutes can fail. share_ok: questioning <= 9.9, 15% of the 66 minutes the observation is
    # allowed (003 § Practical Observation: "lasting 60 minutes, with a permitted 10% (+/-) variance"), whatever it took
    # (the reading tqual-questioning-15-percent-vs-10-minutes).
    (60, 10, True, False),   # 10 minutes after 60: within the 10; outside the advised 9.9
    (60, 9, True, True),
    (58, 9, True, True),     # examples/st0071-journey.yaml: 15% of the 58 minutes it took (8.7) is not the measure
    (54, 10, True, False),   # after a 54-minute observation (60 -10%): still "up to 10 minutes"
    (66, 11, False, False),  # 11 > 10 and > 9.9
    (80, 11, False, False),  # a longer observation allows no more questioning: 11 > 9.9
])
def test_questioning_follows_the_observation_up_to_10_minutes(tmp_path, duration, questioning, ok, share_ok):
    res = grade(tmp_path, record(assessments=observation_with(duration_minutes=duration,
                                                              questioning_minutes=questioning)))
    c = check(res, "observation-questioning-minutes")
    assert (c["ok"], c["status"], c["high"], c["strength"]) == (ok, "within" if ok else "outside", 10, "required")
    assert c["citation"] == QUESTIONING
    # two checks of the questioning: the required 10 minutes and the advised 15%
    assert [x["id"] for x in res["checks"] if x["measure"] == "questioning_minutes"] == [
        "observation-questioning-minutes", "observation-questioning-share"]
    share = check(res, "observation-questioning-share")
    assert (share["ok"], share["status"], share["strength"]) == (
        share_ok, "within" if share_ok else "outside", "advice")
    assert share["high"] == pytest.approx(9.9)
    assert share["citation"] == QUESTIONING
    # the questioning follows the observation, so it is not part of the observation's 60 minutes (+/-10%):
    # 003 § Practical Observation "lasting 60 minutes, with a permitted 10% (+/-) variance" -> 54 to 66
    assert check(res, "observation-duration")["ok"] is (54 <= duration <= 66)


def test_questioning_beyond_the_advised_15_percent_is_shown_as_advice_and_fails_nothing(tmp_path, monkeypatch):
    # 003 § Questioning Session: "The questioning period should not exceed 15% ..." (advice) "... Therefore, the
    # question and answer session will last up to 10 minutes" (required). 10 minutes after a 60-minute
    # observation: outside the advised 9.9 minutes (15% of the 66 allowed), within the 10; the grade (observation distinction, project
    # pass, discussion pass: 003 § Overall Grading "Distinction  Pass  Pass  Distinction") is untouched.
    path = dump_record(tmp_path, record(assessments=observation_with(duration_minutes=60, questioning_minutes=10)))
    res = run("grade", "--body", BODY, str(path), "--format", "json").json()
    assert res["overall"] == "distinction" and res["full_retake_required"] is False
    assert res["gateway"]["ready"] is True
    assert check(res, "observation-questioning-share")["status"] == "outside"
    assert "not a failure" in check(res, "observation-questioning-share")["says"]
    monkeypatch.setenv("COLUMNS", "300")  # one line per cell
    out = run("timeline", str(path), "--body", BODY)
    assert out.exit_code == 0, out.stderr
    assert "outside (advice)" in out.stdout
    # the journey listing marks it as advice too
    listed = run("journey", "--standard", "ST0071", "--body", BODY)
    assert listed.exit_code == 0 and "(advice" in listed.stdout


@pytest.mark.parametrize(("measures", "check_id", "ok", "citation"), [
    # 003 § Work-Based Project Report: "The written report must be 2500 words (+/- 10%), excluding annexes."
    # 2250 to 2750
    ({"words": 2250}, "project-report-words", True, REPORT),
    ({"words": 2750}, "project-report-words", True, REPORT),
    ({"words": 2249}, "project-report-words", False, REPORT),
    ({"words": 2751}, "project-report-words", False, REPORT),
    # 003 § Interview: "The interview will last for 60 minutes (+/-10%)": 54 to 66
    ({"duration_minutes": 66}, "project-interview-duration", True, INTERVIEW),
    ({"duration_minutes": 67}, "project-interview-duration", False, INTERVIEW),
])
def test_project_report_words_and_interview(tmp_path, measures, check_id, ok, citation):
    assessments = copy.deepcopy(BASE["assessments"])
    assessments[0].update(measures)
    c = check(grade(tmp_path, record(assessments=assessments)), check_id)
    assert (c["ok"], c["citation"]) == (ok, citation)


@pytest.mark.parametrize(("minutes", "ok"), [
    # 003 § Professional Discussion: "The professional discussion will last for 60 minutes, with a
    # permitted 10% (+/-) variance.": 54 to 66
    (54, True), (53, False),
])
def test_discussion_60_minutes_plus_minus_10_percent(tmp_path, minutes, ok):
    assessments = copy.deepcopy(BASE["assessments"])
    assessments[1]["duration_minutes"] = minutes
    c = check(grade(tmp_path, record(assessments=assessments)), "discussion-duration")
    assert (c["ok"], c["citation"]) == (ok, DISCUSSION)


# ---------------------------------------------------------------------------------------------
# The commands: `epa journey` and `epa timeline --ics`.
# ---------------------------------------------------------------------------------------------

def seed_headings() -> set[str]:
    """The lines of 003 (skips the test when the source document is not at hand)."""
    return {line.strip() for line in source_text(SEED).splitlines() if line.strip()}


def test_epa_journey_lists_the_documents_rules():
    rules = journey_rules(BODY, "ST0071")
    assert (rules["body"], rules["standard"], rules["document"]) == (BODY, "ST0071", SEED)
    resit = rules["resit"]
    # 003 § Resits and Retakes: "If a resit or retake is required, the overall EPA grade will be capped at a
    # pass, unless Training Qualifications UK determines there are exceptional circumstances."
    assert resit["cap"]["grade"] == "pass"
    assert set(resit["cap"]["applies_to"]) == {"resit", "retake"}
    assert resit["cap"]["exceptional_circumstances_lift"] is True
    # "There is no limit to the number of retake or resits within the 12 months."
    assert resit["attempts"]["limit"] is None
    (window,) = resit["windows"]
    assert window["offset"]["months"] == 12
    # "The apprentice will have one month to rework their submission."
    (rework,) = resit["rework"]
    assert (rework["method"], rework["offset"]["months"]) == ("project", 1)
    # "A retake requires ... they would need to go through the gateway process again."
    assert resit["retake_through_gateway"]["citation"] == RESITS
    offsets = {d["id"]: ({k: v for k, v in d["offset"].items() if v is not None}, d["kind"])
               for d in rules["deadlines"]}
    assert offsets["epa-window"] == ({"months": 3}, "by")                  # § EPA Window: "within three months"
    assert offsets["proposal-resubmission"] == ({"weeks": 1}, "by")        # § ... Proposal: "one week"
    assert offsets["project-report-submission"] == ({"months": 2}, "by")   # § ... Report: "two months"
    assert offsets["interview-after-report"] == ({"weeks": 2}, "not_before")  # § Interview: "at least two weeks after"
    assert offsets["observation-notice"] == ({"weeks": -2}, "by")          # § Planning ...: "two weeks' notice"
    assert offsets["portfolio-submission"] == ({"weeks": -2}, "by")        # § Portfolio ...: "two weeks prior"
    tolerances = {t["id"]: t for t in rules["tolerances"]}
    # § Practical Observation "60 minutes ... 10% (+/-)"; § Questioning Session "Therefore, the question and
    # answer session will last up to 10 minutes, following the 60-minute (+/-10%) practical observation."
    assert (tolerances["observation-duration"]["nominal"], tolerances["observation-duration"]["minus_percent"],
            tolerances["observation-duration"]["plus_percent"]) == (60, 10, 10)
    assert tolerances["observation-questioning-minutes"]["max"] == 10
    assert tolerances["observation-questioning-minutes"]["strength"] == "required"     # "will last up to"
    assert "observation-questioning-percent" not in tolerances
    # § Questioning Session: "The questioning period should not exceed 15% of the total time allowed for the
    # practical observation." -- "should": advice, beside the required 10 minutes
    share = tolerances["observation-questioning-share"]
    # practical observation", allowed "60 minutes, with a permitted 10% (+/-) variance": 15% of 66 = 9.9
    assert (share["max"], share["max_percent_of_duration"], share["strength"], share["citation"]) == (
        9.9, None, "advice", QUESTIONING)
    assert "should not exceed 15%" in share["text"]
    # § Resits and Retakes: "the apprentice should complete this within 12 months" -- no consequence stated,
    # and "should": advice
    assert (window["consequence"], window["strength"]) == ("none_stated", "advice")
    # § Gateway Considerations: "the training provider is required to upload the following: photo ID ..."
    assert {g["id"]: (g["strength"], g["stage"]) for g in rules["gateway"]}["photo-id"] == ("mandatory", "gateway")


def test_epa_journey_citations_are_sections_of_the_document():
    # every citation names this document and one of its section headings (read from 003 itself)
    headings = seed_headings()
    rules = journey_rules(BODY, "ST0071")
    resit = rules["resit"]
    citations = [item["citation"] for part in ("gateway", "deadlines", "tolerances", "ambiguities")
                 for item in rules[part]]
    citations += [resit[k]["citation"] for k in ("cap", "no_resit_from_pass", "attempts", "retake_through_gateway")]
    citations += [w["citation"] for w in resit["windows"] + resit["rework"]]
    for citation in citations:
        file, _, section = citation.partition(" § ")
        assert file == SEED
        assert section in headings, citation


# The journey record for the calendar (records/tqual-journey-calendar.yaml), its dated deadlines
# worked out by hand:
CALENDAR = {
    # 003 § EPA Window: gateway 2025-09-01 (no dates.epa_start) + 3 months = 2025-12-01
    "epa-window": (dt.date(2025, 12, 1), EPA_WINDOW),
    # 003 § Planning the Observation: observation 2025-11-17 - 2 weeks = 2025-11-03
    "observation-notice": (dt.date(2025, 11, 3), NOTICE),
    # 003 § Work-Based Project Report: planning meeting 2025-09-10 + 2 months = 2025-11-10
    "project-report-submission": (dt.date(2025, 11, 10), REPORT),
    # 003 § Interview: report 2025-10-27 + 2 weeks = 2025-11-10 (not before)
    "interview-after-report": (dt.date(2025, 11, 10), INTERVIEW),
    # 003 § Portfolio of Evidence: discussion 2025-11-12 - 2 weeks = 2025-10-29
    "portfolio-submission": (dt.date(2025, 10, 29), PORTFOLIO),
    # 003 § Resits and Retakes: project fail notified 2025-11-14 + 1 month = 2025-12-14
    "project-rework": (dt.date(2025, 12, 14), RESITS),
    # 003 § Resits and Retakes: first fail notified 2025-11-14 + 12 months = 2026-11-14
    "resit-retake-12-months": (dt.date(2026, 11, 14), RESITS),
}
# Not dated: proposal-resubmission (the record has no rejected proposal, 003 § Work-Based Project Proposal).


def test_timeline_json_for_the_calendar_record():
    result = run("timeline", str(RECORDS / "tqual-journey-calendar.yaml"), "--body", BODY, "--format", "json")
    assert result.exit_code == 0, result.stderr
    (res,) = result.json()["results"]
    dated = {d["id"]: d["date"] for d in res["deadlines"] if d["date"]}
    assert dated == {k: v.isoformat() for k, (v, _) in CALENDAR.items()}
    # project fail then resit pass, observation distinction: capped at pass (003 § Resits and Retakes)
    assert (res["overall"], res["capped"], res["full_retake_required"]) == ("pass", True, False)


def test_timeline_writes_a_valid_icalendar_file(tmp_path):
    ics = tmp_path / "tqual.ics"
    result = run("timeline", str(RECORDS / "tqual-journey-calendar.yaml"), "--body", BODY, "--ics", str(ics))
    assert result.exit_code == 0, result.stderr
    cal = icalendar.Calendar.from_ical(ics.read_bytes())
    assert str(cal["VERSION"]) == "2.0"
    events = cal.walk("VEVENT")
    assert len(events) == len(CALENDAR)
    seen = {}
    for event in events:
        match = re.fullmatch(r"TQ-J-CAL\.ST0071\.tqual\.(.+)@epa", str(event["UID"]))
        assert match, event["UID"]
        seen[match.group(1)] = event
    assert set(seen) == set(CALENDAR)
    for deadline_id, (due, citation) in CALENDAR.items():
        event = seen[deadline_id]
        assert event.decoded("DTSTART") == due
        assert citation in str(event["DESCRIPTION"])


# ---------------------------------------------------------------------------------------- recommendations
# What the specification advises ("should", "it is recommended") and attaches no consequence to: listed by
# `epa journey` as advice, never checked. (id: topic, method, words quoted from the sentence, section of 003.)
# The "should complete this within 12 months" is the resit window and "should not exceed 15%" a tolerance,
# not repeated here.

RECOMMENDATIONS = {
    # § Assessment Order: "Although there is flexibility in the order in which each assessment method is carried out,
    # it is recommended that both the written work-based project and the observation take place before the
    # professional discussion."
    "assessment-order": ("order", None, "it is recommended that both the written work-based project and the observation take place before the professional discussion", "Assessment Order"),
    # § Practical Observation: "The practical observation should involve activities which allow the apprentice to
    # demonstrate the full range of their knowledge, skills, and behaviours (KSBs) required."
    "observation-activities": ("preparation", "observation", "The practical observation should involve activities which allow the apprentice to demonstrate the full range", "Practical Observation"),
    # § Practical Observation: "During the practical observation, the apprentice should have the opportunity, if
    # required, to move from one area or function of the business to another ..."
    "observation-move-between-areas": ("preparation", "observation", "to move from one area or function of the business to another", "Practical Observation"),
    # § Work-Based Project Report Overview: "The work-based project should be designed to allow the knowledge, skills,
    # and behaviours (KSBs) to be assessed for the end-point assessment."
    "project-designed-for-ksbs": ("evidence", "project", "The work-based project should be designed to allow the knowledge, skills, and behaviours (KSBs) to be assessed", "Work-Based Project Report Overview"),
    # § Work-Based Project Report: "The work-based project report should contain annexes/appendices that are
    # attributable to the apprentice and relevant to the actions they took in relation to the high-level challenge."
    "project-report-annexes": ("evidence", "project", "The work-based project report should contain annexes/appendices that are attributable to the apprentice", "Work-Based Project Report"),
}


def test_recommendations_are_encoded_as_the_document_states():
    check_recommendations(journey_rules(BODY, "ST0071"), RECOMMENDATIONS, SEED)


def test_recommendations_quote_the_document():
    text = flat(source_text(SEED))
    for rid, (_, _, words, _) in RECOMMENDATIONS.items():
        assert flat(words) in text, rid


def test_recommendations_never_make_a_record_unready(tmp_path):
    # Taken against § Assessment Order's advice: the professional discussion first. Everything § Gateway
    # Considerations requires is uploaded (photo ID, portfolio, proposal, the English and maths declaration), the
    # proposal is within 500 words (§ Work-Based Project Proposal) and 12 pieces are selected (§ Portfolio of
    # Evidence), so the record is ready, and advice changes nothing.
    record = {
        "standard": "ST0071",
        "apprentice": {"id": "TQ-ADVICE", "date_of_birth": "2005-04-11", "start_date": "2024-09-02",
                       "english": "level2", "maths": "level2"},
        "gateway": {"date": "2025-12-01", "portfolio_pieces": 12, "portfolio": True, "photo_id": True,
                    "project_proposal": True, "project_proposal_words": 400, "english_maths_declaration": True},
        "assessments": [{"method": "discussion", "date": "2026-01-12", "grade": "pass"},
                        {"method": "observation", "date": "2026-01-19", "grade": "pass"},
                        {"method": "project", "date": "2026-01-26", "grade": "pass"}],
    }
    assert_advice_only(BODY, dump_record(tmp_path, record), set(RECOMMENDATIONS))


def test_the_observation_s_mode_cites_the_heading_over_both_sentences_it_quotes():
    # 003 § Observation with Q&A holds "Planning the Observation" ("- be carried out on a one-to-one basis.") and
    # then "Practical Observation" ("... must, therefore, take place in the apprentice's workplace."): a citation
    # of the second heading alone does not hold the first sentence.
    (mode,) = [c for c in journey_rules(BODY, "ST0071")["conduct"] if c["id"] == "observation-mode"]
    lines = [line.strip() for line in source_text(SEED).splitlines()]
    heading = mode["citation"].removeprefix(f"{SEED} § ")
    start = max(i for i, line in enumerate(lines) if line == heading)  # (the heading in the text, not the contents)
    quoted = [lines.index("- be carried out on a one-to-one basis."),
              next(i for i, line in enumerate(lines) if "take place in the apprentice's workplace" in line)]
    assert all(start < i for i in quoted), (heading, start, quoted)



def test_the_proposal_over_500_words_reading_is_recorded():
    # 003 § Work-Based Project Proposal: "Prior to gateway ... the apprentice will need to write a work-based project
    # proposal ... in no more than 500 words"; § Work-Based Project Report Overview: "a work-based project proposal
    # submitted at gateway". Read as a bar to gateway (test_project_proposal_at_most_500_words), though the document
    # states no consequence of a longer one beyond the assessor's acceptance (one week to rework it): a reading,
    # recorded with the one against it.
    listed = run("ambiguities", "--body", BODY, "--format", "json")
    assert listed.exit_code == 0, listed.stderr
    [entry] = [a for a in listed.json() if "no more than 500 words" in a["text_says"]]
    assert entry["citation"] == PROPOSAL
    assert "project-proposal-words" in entry["reading"] and "states no consequence" in entry["why"]
