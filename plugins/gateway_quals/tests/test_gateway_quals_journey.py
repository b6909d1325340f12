"""Behaviour tests for Gateway Qualifications' ST0071 EPA journey rules (body id `gateway_quals`): gateway,
time on programme, re-sits and re-takes, deadlines and tolerances.

Every expected value comes from the document, 004_97be493b5d6ee5b2.txt (EPA Standard Specification V1.1,
May 2024; its change log also describes V1.0, January 2024), and the calendar; never from the journey YAML,
which is read for rule ids only. Dates are worked by hand in the comments.

Section citations used below (all in 004_97be493b5d6ee5b2.txt):
  KEY  = § Key information ("Minimum time on-programme with the provider 366 days"; "EPA duration Up to 3
         months"; "Gateway qualification requirements Level 2 English and Maths")
  ONP  = § 2.1 On-programme requirements
  GW   = § 2.2 EPA Gateway
  OBS  = § 2.5 Assessment method 1 – Practical observation with questions and answers
  PRJ  = § 2.6 Assessment method 2 – Work-based project supported by interview
  DIS  = § 2.7 Assessment method 3 – Professional discussion supported by a portfolio of evidence
  TAB  = § 2.7 Grading requirements
  RES  = § 4. Re-sits and re-takes
  LOG  = § Version and date / Change detail (the change log)
"""

from __future__ import annotations

import copy
import csv
import io
import json
import re
from pathlib import Path

import pytest
import yaml

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

pytestmark = requires("gateway_quals")

BODY = "gateway_quals"
SEED = "004_97be493b5d6ee5b2.txt"
RECORDS = Path(__file__).parent / "records"
CAPPED = RECORDS / "gateway_quals-journey-resit-capped.yaml"
LATE = RECORDS / "gateway_quals-journey-late-resit.yaml"
V10_LATE = RECORDS / "gateway_quals-journey-v1.0-late-resit.yaml"
WINDOW = "resit-within-three-months"          # the RES window's id; per failed method: WINDOW + ".project"


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------

def base() -> dict:
    return yaml.safe_load(CAPPED.read_text())


def grade(path: Path) -> dict:
    result = run("grade", "--body", BODY, str(path), "--format", "json")
    assert result.exit_code == 0, result.stderr
    return result.json()


def gateway(path: Path) -> dict:
    result = run("gateway", str(path), "--body", BODY, "--format", "json")
    assert result.exit_code == 0, result.stderr
    (only,) = result.json()["results"]
    assert only["body"] == BODY
    return only["gateway"]


def timeline(path: Path) -> dict:
    result = run("timeline", str(path), "--body", BODY, "--format", "json")
    assert result.exit_code == 0, result.stderr
    (only,) = result.json()["results"]
    assert only["body"] == BODY
    return only


def requirement(gw: dict, rule_id: str) -> dict:
    return only(gw["requirements"], rule_id)


def deadline(out: dict, rule_id: str) -> dict:
    return only(out["deadlines"], rule_id)


def check(out: dict, rule_id: str, attempt_date: str | None = None) -> dict:
    found = [c for c in out["checks"] if c["id"] == rule_id and attempt_date in (None, c["attempt_date"])]
    assert len(found) == 1, found
    return found[0]


def cohort_row(tmp_path: Path, record: dict, form: str) -> dict:
    """The record's one row (its result, for json) as `compare --batch` gives it in ``form``, this body alone."""
    cohort = tmp_path / "cohort.jsonl"
    cohort.write_text(json.dumps(record) + "\n", encoding="utf-8")
    batch = run("--bodies", BODY, "compare", "--batch", str(cohort), "--format", form)
    assert batch.exit_code == 0, batch.stderr
    if form == "json":
        (row,) = json.loads(batch.stdout)["results"]
    else:
        (row,) = csv.DictReader(io.StringIO(batch.stdout))
    return row


def apprentice(tmp_path: Path, **fields) -> Path:
    """The base record (gateway form in, 366 days on programme) with the apprentice's fields replaced."""
    record = base()
    record["apprentice"].update(fields)
    return dump_record(tmp_path, record)


def project_resit(tmp_path: Path, resit_date: str, *, notified: str | None = "2025-11-14", kind: str = "resit",
                  exceptional: bool = False, resit_grade: str = "distinction") -> Path:
    """The base record: project failed on 2025-11-10 (notified as given), observation and discussion distinction,
    and the project resat (or retaken) on resit_date with resit_grade."""
    record = base()
    fail, resit = record["assessments"][0], record["assessments"][3]
    if notified is None:
        del fail["notified"]
    else:
        fail["notified"] = notified
    resit.update(date=resit_date, kind=kind, grade=resit_grade)
    resit.pop("notified")
    if exceptional:
        resit["exceptional_circumstances"] = True
    return dump_record(tmp_path, record)


# --------------------------------------------------------------------------------------------
# Gateway: Level 2 English and maths, for every age; Entry Level 3 with an EHCP; BSL for English
# --------------------------------------------------------------------------------------------

def dob_for_age(age: int) -> str:
    # start 2024-09-02; born 2024-06-15 minus age years -> that age at the start (birthday already passed)
    return f"{2024 - age}-06-15"


# GW: "Before the apprentice can enter the EPA Gateway process, the following evidence is required: ...
#      achievement of Level 2 English and Maths ... Apprentices will not be accepted at EPA Gateway if the
#      evidence required is not sufficiently met."  KEY: "Gateway qualification requirements Level 2 English and
#      Maths". Neither sets an age band, so a starter aged 19 or over is held to it as much as one aged 16-18.
@pytest.mark.parametrize("age", [16, 18, 19, 20, 24, 45])
def test_level1_maths_is_not_ready_at_any_age(tmp_path, age):
    gw = gateway(apprentice(tmp_path, date_of_birth=dob_for_age(age), english="level2", maths="level1"))
    assert requirement(gw, "english-maths")["status"] == "unmet"
    assert "english-maths" in gw["unmet"]
    assert gw["ready"] is False


# GW (as above) for English: "achievement of Level 2 English and Maths".
@pytest.mark.parametrize("english", ["none", "entry3", "level1"])
def test_twenty_year_old_below_level2_english_is_not_ready(tmp_path, english):
    gw = gateway(apprentice(tmp_path, date_of_birth=dob_for_age(20), english=english, maths="level2"))
    assert requirement(gw, "english-maths")["status"] == "unmet"
    assert gw["ready"] is False


# GW: "achievement of Level 2 English and Maths" - Level 2 (or above) in both meets it; with the 366 days (ONP)
# and the EPA Gateway Meeting Record (GW) in the record, nothing mandatory is shown unmet.
@pytest.mark.parametrize("english,maths", [("level2", "level2"), ("level3", "level2"), ("level2", "level3")])
def test_twenty_year_old_with_level2_is_ready(tmp_path, english, maths):
    gw = gateway(apprentice(tmp_path, date_of_birth=dob_for_age(20), english=english, maths=maths))
    assert requirement(gw, "english-maths")["status"] == "met"
    assert gw["unmet"] == []
    assert gw["ready"] is True


# GW: "For those with an education, health and care plan or a legacy statement, the apprenticeships English and
#      Maths minimum requirement is Entry Level 3."
@pytest.mark.parametrize("english,maths", [("level2", "entry3"), ("entry3", "entry3"), ("level1", "entry3"),
                                           ("entry3", "level1")])
def test_twenty_year_old_with_ehcp_and_entry3_is_ready(tmp_path, english, maths):
    gw = gateway(apprentice(tmp_path, date_of_birth=dob_for_age(20), english=english, maths=maths, ehcp=True))
    assert requirement(gw, "english-maths")["status"] == "met"
    assert gw["ready"] is True


# GW: the EHCP minimum "is Entry Level 3" - below it (none) is still unmet.
@pytest.mark.parametrize("english,maths", [("entry3", "none"), ("none", "level2")])
def test_ehcp_below_entry3_is_not_ready(tmp_path, english, maths):
    gw = gateway(apprentice(tmp_path, date_of_birth=dob_for_age(20), english=english, maths=maths, ehcp=True))
    assert requirement(gw, "english-maths")["status"] == "unmet"
    assert gw["ready"] is False


# GW: the Entry Level 3 minimum is "For those with an education, health and care plan or a legacy statement" only.
def test_entry3_without_ehcp_is_not_ready(tmp_path):
    gw = gateway(apprentice(tmp_path, date_of_birth=dob_for_age(20), english="entry3", maths="entry3", ehcp=False))
    assert requirement(gw, "english-maths")["status"] == "unmet"
    assert gw["ready"] is False


# GW: "British Sign Language qualifications are an alternative to English qualifications for whom this is their
#      primary language." The record gives the BSL qualification's level in apprentice.english when bsl is true
#      (schemas/record.schema.json). A Level 2 BSL qualification stands in for Level 2 English.
def test_bsl_level2_stands_in_for_english(tmp_path):
    gw = gateway(apprentice(tmp_path, date_of_birth=dob_for_age(20), bsl=True, english="level2", maths="level2"))
    req = requirement(gw, "english-maths")
    assert req["status"] == "met"
    assert "British Sign Language" in req["says"]
    assert gw["ready"] is True


# GW: BSL is "an alternative to English qualifications" - not to maths: Level 2 maths is still required.
def test_bsl_does_not_stand_in_for_maths(tmp_path):
    gw = gateway(apprentice(tmp_path, date_of_birth=dob_for_age(20), bsl=True, english="level2", maths="level1"))
    assert requirement(gw, "english-maths")["status"] == "unmet"
    assert gw["ready"] is False


# GW: BSL with an EHCP: "minimum requirement is Entry Level 3", BSL "an alternative to English qualifications".
def test_bsl_with_ehcp_entry3(tmp_path):
    gw = gateway(apprentice(tmp_path, date_of_birth=dob_for_age(20), bsl=True, ehcp=True, english="entry3",
                            maths="entry3"))
    assert requirement(gw, "english-maths")["status"] == "met"
    assert gw["ready"] is True


# GW: BSL *qualifications* are the alternative to English *qualifications*, so the Level 2 requirement applies to
# the BSL qualification (apprentice.english when bsl is true); a Level 1 BSL qualification, or none, does not meet it.
@pytest.mark.parametrize("bsl_level", ["none", "level1"])
def test_bsl_below_level2_is_not_ready(tmp_path, bsl_level):
    gw = gateway(apprentice(tmp_path, date_of_birth=dob_for_age(20), bsl=True, english=bsl_level, maths="level2"))
    assert requirement(gw, "english-maths")["status"] == "unmet"
    assert gw["ready"] is False


# GW: "Before the apprentice can enter the EPA Gateway process, the following evidence is required: EPA Gateway
#      Meeting Record ... Apprentices will not be accepted at EPA Gateway if the evidence required is not
#      sufficiently met."
def test_no_gateway_meeting_record_is_not_ready(tmp_path):
    record = base()
    record["gateway"]["gateway_form"] = False
    gw = gateway(dump_record(tmp_path, record))
    assert requirement(gw, "gateway-meeting-record")["status"] == "unmet"
    assert gw["ready"] is False


# --------------------------------------------------------------------------------------------
# Time on programme: "no less than 366 days" (start to gateway)
# --------------------------------------------------------------------------------------------

# ONP: "All apprentices must spend a minimum of 12 months on-programme. In all cases this will be no less than
#       366 days but may be longer."  KEY: "Minimum time on-programme with the provider 366 days".
@pytest.mark.parametrize("start,gateway_date,status", [
    # 2024-09-02 -> 2025-09-02: 12 calendar months but 365 days (no 29 February between) -> unmet "in all cases"
    ("2024-09-02", "2025-09-02", "unmet"),
    # 2024-09-02 -> 2025-09-03: 366 days -> met
    ("2024-09-02", "2025-09-03", "met"),
    # 2023-06-01 -> 2024-05-31: 365 days (2024-02-29 between; 11 months 30 days) -> unmet
    ("2023-06-01", "2024-05-31", "unmet"),
    # 2023-06-01 -> 2024-06-01: 366 days (2024-02-29 between), exactly 12 months -> met
    ("2023-06-01", "2024-06-01", "met"),
])
def test_days_on_programme(tmp_path, start, gateway_date, status):
    record = base()
    record["apprentice"]["start_date"] = start
    record["gateway"]["date"] = gateway_date
    record["dates"]["evidence_submitted"] = gateway_date  # in on the day (GW), so that time on programme alone decides
    gw = gateway(dump_record(tmp_path, record))
    assert requirement(gw, "minimum-time-on-programme")["status"] == status
    assert gw["ready"] is (status == "met")
    assert ("minimum-time-on-programme" in gw["unmet"]) is (status == "unmet")


# --------------------------------------------------------------------------------------------
# Re-sits and re-takes: the cap at pass, the three-month window, exceptional circumstances
# --------------------------------------------------------------------------------------------

# RES: "Where any assessment method must be resat or retaken, the apprentice will be awarded a maximum EPA grade of
#       pass". TAB: "Distinction Distinction Distinction -> Distinction" would otherwise apply. The resit on
#       2025-12-11 is within notified 2025-11-14 + 3 months = 2026-02-14.
def test_resit_within_three_months_is_capped_at_pass():
    out = grade(CAPPED)
    assert out["components"] == {"observation": "distinction", "project": "distinction", "discussion": "distinction"}
    assert out["capped"] is True
    assert out["overall"] == "pass"
    assert out["full_retake_required"] is False
    window = deadline(out, f"{WINDOW}.project")
    assert window["date"] == "2026-02-14"          # 2025-11-14 + 3 months
    assert window["status"] == "met"


# RES (as above), resit graded pass: TAB "Distinction Pass Distinction -> Pass", capped as well.
def test_resit_pass_is_capped_overall_pass(tmp_path):
    out = grade(project_resit(tmp_path, "2025-12-11", resit_grade="pass"))
    assert out["capped"] is True
    assert out["overall"] == "pass"


# RES: "Where any assessment method must be resat or retaken" - a re-take is capped like a re-sit.
def test_retake_is_capped_at_pass(tmp_path):
    out = grade(project_resit(tmp_path, "2025-12-11", kind="retake"))
    assert out["capped"] is True
    assert out["overall"] == "pass"
    assert out["full_retake_required"] is False


# RES: "... a maximum EPA grade of pass, unless Gateway Qualifications determines there are exceptional
#       circumstances requiring a re-sit or re-take." -> not capped; TAB D/D/D -> distinction.
def test_exceptional_circumstances_lift_the_cap(tmp_path):
    out = grade(project_resit(tmp_path, "2025-12-11", exceptional=True))
    assert out["capped"] is False
    assert out["overall"] == "distinction"
    assert out["full_retake_required"] is False


# RES: "Any assessment method re-sit or re-take must be taken within three months of the fail notification,
#       otherwise the entire EPA must be taken again". Notified 2025-11-14 + 3 months = 2026-02-14.
def test_resit_more_than_three_months_after_notification_is_full_retake():
    out = grade(LATE)                       # resit 2026-02-15, one day after 2026-02-14
    assert out["full_retake_required"] is True
    assert out["overall"] is None
    window = deadline(out, f"{WINDOW}.project")
    assert window["date"] == "2026-02-14"
    assert window["status"] == "missed"


# RES "within three months of the fail notification": the boundary, notified 2025-11-14 + 3 months = 2026-02-14.
@pytest.mark.parametrize("resit_date,full_retake", [
    ("2026-02-13", False),
    ("2026-02-14", False),                   # exactly three months after the notification: within
    ("2026-02-15", True),                    # the day after: outside
])
def test_three_month_window_boundary(tmp_path, resit_date, full_retake):
    out = grade(project_resit(tmp_path, resit_date))
    assert out["full_retake_required"] is full_retake
    assert (out["overall"] is None) is full_retake
    assert deadline(out, f"{WINDOW}.project")["status"] == ("missed" if full_retake else "met")


# RES: the window runs from "the fail notification", not the assessment: project sat 2025-11-10, notified
# 2025-12-01 + 3 months = 2026-03-01; a resit on 2026-02-20 (over three months after the assessment) is within.
def test_window_counts_from_the_notification_not_the_assessment(tmp_path):
    out = grade(project_resit(tmp_path, "2026-02-20", notified="2025-12-01"))
    assert deadline(out, f"{WINDOW}.project")["date"] == "2026-03-01"
    assert out["full_retake_required"] is False
    assert out["overall"] == "pass"


# Calendar: notified 2025-11-30 + 3 months = 2026-02-28 (February has no 30th); RES "within three months".
@pytest.mark.parametrize("resit_date,full_retake", [("2026-02-28", False), ("2026-03-01", True)])
def test_three_months_from_a_month_end(tmp_path, resit_date, full_retake):
    out = grade(project_resit(tmp_path, resit_date, notified="2025-11-30"))
    assert deadline(out, f"{WINDOW}.project")["date"] == "2026-02-28"
    assert out["full_retake_required"] is full_retake


# RES: "... otherwise the entire EPA must be taken again, unless in the opinion of Gateway Qualifications
#       exceptional circumstances apply outside the control of the apprentice or their employer."
#       Late resit (2026-02-15 > 2026-02-14) with exceptional circumstances: no full retake; TAB: observation
#       distinction, project pass, discussion distinction -> Pass.
def test_late_resit_with_exceptional_circumstances_is_not_full_retake(tmp_path):
    out = grade(project_resit(tmp_path, "2026-02-15", exceptional=True, resit_grade="pass"))
    assert out["full_retake_required"] is False
    assert out["overall"] == "pass"


# RES counts from "the fail notification", and § 3. Results notification and enquiries about results says when
# that is: "Results notification will take place once all assessments have been completed." A record that dates
# no notification: project fail 2025-11-10, discussion 2025-11-12, observation 2025-11-17 -> the fail cannot be
# notified before 2025-11-17; 2025-11-17 + 3 months = 2026-02-17 (not 2025-11-10 + 3 months = 2026-02-10).
@pytest.mark.parametrize("resit_date,full_retake,status", [("2026-02-11", False, "met"),
                                                           ("2026-02-17", False, "met"),
                                                           ("2026-02-18", True, "missed")])
def test_an_undated_notification_is_once_all_assessments_are_completed(tmp_path, resit_date, full_retake, status):
    out = grade(project_resit(tmp_path, resit_date, notified=None))
    window = deadline(out, f"{WINDOW}.project")
    assert window["date"] == "2026-02-17"
    assert window["status"] == status
    assert out["full_retake_required"] is full_retake
    assert (out["overall"] is None) is full_retake
    # the deadline says what it counts from, and why
    assert "2025-11-17" in window["says"] and "once all assessments have been completed" in window["says"]


# § 3 and RES as above, for a fail long before the other methods: project failed 2024-06-10 (no notification
# dated), discussion 2024-08-01, observation 2024-08-28 -> notified no earlier than 2024-08-28; + 3 months =
# 2024-11-28, so the resit on 2024-10-01 is in time: TAB "Pass Pass Pass -> Pass", RES "a maximum EPA grade of
# pass". Counted from the assessment (2024-06-10 + 3 months = 2024-09-10) it would be late and the whole EPA
# taken again. The same record in a cohort (--batch) is decided alike.
def test_a_fail_before_the_other_methods_is_notified_after_them(tmp_path):
    record = {"standard": "ST0071", "apprentice": {"id": "GQ-NOTIFIED-AFTER-ALL"}, "gateway": {"date": "2024-06-03"},
              "assessments": [{"method": "project", "date": "2024-06-10", "grade": "fail"},
                              {"method": "discussion", "date": "2024-08-01", "grade": "pass"},
                              {"method": "observation", "date": "2024-08-28", "grade": "pass"},
                              {"method": "project", "date": "2024-10-01", "kind": "resit", "grade": "pass"}]}
    out = grade(dump_record(tmp_path, record))
    window = deadline(out, f"{WINDOW}.project")
    assert (window["date"], window["status"]) == ("2024-11-28", "met")
    assert (out["overall"], out["capped"], out["full_retake_required"]) == ("pass", True, False)
    for form in ("json", "csv"):  # explained, and decided by the cohort's engine
        row = cohort_row(tmp_path, record, form)
        assert (str(row["overall"]), str(row["full_retake_required"]).lower()) == ("pass", "false"), form


# § 3 and RES, for a record not yet holding every method's first attempt: observation failed 2025-01-20 (no
# notification dated) and resat 2025-06-02, project and discussion not yet assessed. "Results notification will take
# place once all assessments have been completed": no results notified yet, so the three months have not begun and
# the resit is not late (counted from the fail, 2025-04-20, it was, and the whole EPA would be taken again). The
# window is unknown until the record dates the notification or every method's first attempt. The cohort's engine
# decides alike.
def test_a_fail_before_every_method_is_assessed_opens_no_window_yet(tmp_path):
    record = {"standard": "ST0071", "apprentice": {"id": "GQ-PARTIAL"}, "gateway": {"date": "2025-01-06"},
              "assessments": [{"method": "observation", "date": "2025-01-20", "grade": "fail"},
                              {"method": "observation", "date": "2025-06-02", "kind": "resit", "grade": "pass"}]}
    out = grade(dump_record(tmp_path, record))
    window = deadline(out, f"{WINDOW}.observation")
    assert (window["date"], window["status"]) == (None, "unknown")
    assert "not yet counted" in window["says"] and "notified date" in window["needs"]
    assert out["full_retake_required"] is False
    assert cohort_row(tmp_path, record, "csv")["full_retake_required"] == "false"


# RES: a notification the record dates is the one counted from, even before the other methods were assessed:
# project fail notified 2024-06-14 + 3 months = 2024-09-14; the resit on 2024-10-01 is late -> the whole EPA again.
def test_a_dated_notification_is_counted_from_as_recorded(tmp_path):
    record = {"standard": "ST0071", "apprentice": {"id": "GQ-NOTIFIED-AS-RECORDED"}, "gateway": {"date": "2024-06-03"},
              "assessments": [{"method": "project", "date": "2024-06-10", "notified": "2024-06-14", "grade": "fail"},
                              {"method": "discussion", "date": "2024-08-01", "grade": "pass"},
                              {"method": "observation", "date": "2024-08-28", "grade": "pass"},
                              {"method": "project", "date": "2024-10-01", "kind": "resit", "grade": "pass"}]}
    out = grade(dump_record(tmp_path, record))
    window = deadline(out, f"{WINDOW}.project")
    assert (window["date"], window["status"]) == ("2024-09-14", "missed")
    assert (out["overall"], out["full_retake_required"]) == (None, True)


# TAB: "Failure of any component of the EPA will result in an overall failure of the EPA"; RES: the resit is
# still to come by notified 2025-11-14 + 3 months = 2026-02-14 (open); nothing to cap yet.
def test_fail_awaiting_resit(tmp_path):
    record = base()
    del record["assessments"][3]
    out = grade(dump_record(tmp_path, record))
    assert out["overall"] == "fail"
    assert out["capped"] is False
    assert out["full_retake_required"] is False
    window = deadline(out, f"{WINDOW}.project")
    assert (window["date"], window["status"]) == ("2026-02-14", "open")


# RES sets only the three-month window: unlike Highfield (002, "1 month to rework") it describes no rework of a
# failed method. A project fail notified 2025-11-14 resat 5 weeks later (2025-12-19, more than a month, within
# 2026-02-14) keeps every re-sit deadline, and no rework deadline appears.
def test_no_rework_deadline(tmp_path):
    out = grade(project_resit(tmp_path, "2025-12-19", resit_grade="pass"))
    resit_deadlines = [d for d in out["deadlines"] if d["citation"] == f"{SEED} § 4. Re-sits and re-takes"]
    assert [d["id"] for d in resit_deadlines] == [f"{WINDOW}.project"]
    assert not [d for d in out["deadlines"] if "rework" in d["id"] or "rework" in d["name"].lower()]
    assert out["full_retake_required"] is False
    assert out["overall"] == "pass"
    (journey,) = run("journey", "--standard", "ST0071", "--body", BODY, "--format", "json").json()
    assert journey["resit"]["rework"] == []


# --------------------------------------------------------------------------------------------
# Tolerances
# --------------------------------------------------------------------------------------------

def with_observation(tmp_path: Path, **fields) -> Path:
    record = base()
    record["assessments"][2].update(fields)
    return dump_record(tmp_path, record)


# OBS: "Duration 60 minutes (+10% at the discretion of the IEPA if required)": 60 to 60 + 6 = 66 minutes; no
#      shorter observation is allowed for (unlike the interview's and discussion's "+/-10%").
@pytest.mark.parametrize("minutes,ok", [(54, False), (59, False), (60, True), (66, True), (67, False)])
def test_observation_duration(tmp_path, minutes, ok):
    out = timeline(with_observation(tmp_path, duration_minutes=minutes, questioning_minutes=0))
    assert check(out, "observation-duration")["ok"] is ok


# OBS: "Questions and answers should not exceed 15% of the total time": 15% of 60 minutes = 9 minutes. "should":
#      advice -- beyond it the check is outside, marked advice, and nothing fails because of it.
@pytest.mark.parametrize("questioning,ok", [(0, True), (9, True), (9.5, False), (12, False)])
def test_observation_questioning_at_most_15_percent(tmp_path, questioning, ok):
    out = grade(with_observation(tmp_path, duration_minutes=60, questioning_minutes=questioning))
    found = check(out, "observation-questioning")
    assert found["ok"] is ok
    assert (found["status"], found["strength"]) == ("within" if ok else "outside", "advice")
    assert found["high"] == pytest.approx(9)
    with_none = grade(with_observation(tmp_path, duration_minutes=60, questioning_minutes=0))
    for key in ("overall", "capped", "full_retake_required", "gateway"):
        assert out[key] == with_none[key], key


# Each deadline's and tolerance's strength follows the word of its sentence; only the 15% says "should".
#   GW  "Before the apprentice can enter the EPA Gateway process, the following evidence is required: ..."
#   KEY "EPA duration Up to 3 months"
#   OBS "Two weeks' notice of the practical observation must be provided."; "Duration 60 minutes (+10% at the
#       discretion of the IEPA if required) Questions and answers should not exceed 15% of the total time"
#   PRJ "The apprentice must submit a written report ... at least two weeks before the interview date."; "All work on
#       the project will be undertaken following the EPA Gateway Meeting over a two-month period."; "Project word
#       count 2500 words +/-10% excluding annexes"; "Interview duration 60 minutes (+/-10%)"
#   DIS "A completed portfolio of evidence must be submitted to Gateway Qualifications two weeks prior to the
#       professional discussion."; "Duration 60 minutes (+/-10%)"
#   RES "Any assessment method re-sit or re-take must be taken within three months of the fail notification"
def test_deadline_and_tolerance_strength_follows_each_sentence(journey):
    assert {d["id"]: d["strength"] for d in journey["deadlines"]} == dict.fromkeys(
        ["gateway-evidence-before-gateway", "epa-window", "observation-notice", "project-report-before-interview",
         "project-work-two-months", "portfolio-before-discussion"], "required")
    assert {t["id"]: t["strength"] for t in journey["tolerances"]} == {
        "observation-duration": "required", "observation-questioning": "advice", "project-words": "required",
        "project-interview-duration": "required", "discussion-duration": "required"}
    assert [w["strength"] for w in journey["resit"]["windows"]] == ["required"]


# RES: "Apprentices who fail one or more assessment methods will be offered the opportunity to resit or a re-take
#      and assessment method. ... The apprentice's employer will need to agree that either a re-sit or a re-take is
#      an appropriate course of action." -- what the section says about attempts; it states no number of them (and
#      no "no limit" sentence either). "Apprentices should have a supportive action plan ..." is advice about
#      preparing, not about attempts: a recommendation, not the attempts text.
def test_attempts_quote_what_the_document_says_about_attempts(journey):
    attempts = journey["resit"]["attempts"]
    assert attempts["limit"] is None
    assert attempts["text"].startswith("Apprentices who fail one or more assessment methods will be offered the "
                                       "opportunity to resit or a re-take")
    assert "employer will need to agree" in attempts["text"]
    assert "action plan" not in attempts["text"] and "should" not in attempts["text"]
    assert attempts["citation"] == f"{SEED} § 4. Re-sits and re-takes"
    for part in attempts["text"].split(" ... "):
        assert _words(part) in _words(source_text(SEED)), part


# PRJ: "Project word count 2500 words +/-10% excluding annexes": 2250 to 2750.
@pytest.mark.parametrize("words,ok", [(2249, False), (2250, True), (2750, True), (2751, False)])
def test_project_words(tmp_path, words, ok):
    record = base()
    record["assessments"][0]["words"] = words
    out = timeline(dump_record(tmp_path, record))
    assert check(out, "project-words", "2025-11-10")["ok"] is ok


# PRJ: "Interview duration 60 minutes (+/-10%)"; DIS: "Duration 60 minutes (+/-10%)": 54 to 66 minutes.
@pytest.mark.parametrize("rule_id,index,attempt_date", [("project-interview-duration", 0, "2025-11-10"),
                                                        ("discussion-duration", 1, "2025-11-12")])
@pytest.mark.parametrize("minutes,ok", [(53, False), (54, True), (66, True), (67, False)])
def test_interview_and_discussion_duration(tmp_path, rule_id, index, attempt_date, minutes, ok):
    record = base()
    record["assessments"][index]["duration_minutes"] = minutes
    out = timeline(dump_record(tmp_path, record))
    assert check(out, rule_id, attempt_date)["ok"] is ok


# --------------------------------------------------------------------------------------------
# Deadlines
# --------------------------------------------------------------------------------------------

# OBS: "Two weeks' notice of the practical observation must be provided." Observation 2025-11-17 - 14 days =
#      2025-11-03.
@pytest.mark.parametrize("notice,status", [("2025-10-20", "met"), ("2025-11-03", "met"), ("2025-11-04", "missed")])
def test_two_weeks_notice_of_the_observation(tmp_path, notice, status):
    record = base()
    record["dates"]["observation_notice"] = notice
    found = deadline(timeline(dump_record(tmp_path, record)), "observation-notice")
    assert (found["date"], found["status"]) == ("2025-11-03", status)


# KEY: "EPA duration Up to 3 months", from the gateway: 2025-09-03 + 3 months = 2025-12-03; every method's first
#      attempt by then. The observation (the last first attempt) is moved.
@pytest.mark.parametrize("observation,status", [("2025-12-03", "met"), ("2025-12-04", "missed")])
def test_epa_window_of_three_months(tmp_path, observation, status):
    record = base()
    record["assessments"][2]["date"] = observation
    record["assessments"][2]["notified"] = observation
    found = deadline(grade(dump_record(tmp_path, record)), "epa-window")
    assert (found["date"], found["status"]) == ("2025-12-03", status)


# KEY "EPA duration Up to 3 months": with no assessment yet, the date is known (2025-12-03) and the deadline open.
def test_epa_window_open_before_any_assessment(tmp_path):
    record = base()
    del record["assessments"]
    found = deadline(timeline(dump_record(tmp_path, record)), "epa-window")
    assert (found["date"], found["status"]) == ("2025-12-03", "open")


# PRJ: "submit a written report ... at least two weeks before the interview date": project 2025-11-10 - 14 days =
#      2025-10-27.  DIS: "A completed portfolio of evidence must be submitted ... two weeks prior to the
#      professional discussion": discussion 2025-11-12 - 14 days = 2025-10-29.
@pytest.mark.parametrize("field,rule_id,due,on_time,late", [
    ("project_report_submitted", "project-report-before-interview", "2025-10-27", "2025-10-27", "2025-10-28"),
    ("portfolio_submitted", "portfolio-before-discussion", "2025-10-29", "2025-10-29", "2025-10-30"),
])
def test_submissions_two_weeks_before(tmp_path, field, rule_id, due, on_time, late):
    for day, status in ((on_time, "met"), (late, "missed")):
        record = base()
        record["dates"][field] = day
        found = deadline(timeline(dump_record(tmp_path, record, f"{field}-{day}.yaml")), rule_id)
        assert (found["date"], found["status"]) == (due, status)


# GW: "Before the apprentice can enter the EPA Gateway process, the following evidence is required": by the
#     gateway date 2025-09-03.
@pytest.mark.parametrize("submitted,status", [("2025-09-03", "met"), ("2025-09-04", "missed")])
def test_gateway_evidence_before_gateway(tmp_path, submitted, status):
    record = base()
    record["dates"]["evidence_submitted"] = submitted
    found = deadline(timeline(dump_record(tmp_path, record)), "gateway-evidence-before-gateway")
    assert (found["date"], found["status"]) == ("2025-09-03", status)


# GW: "... the following evidence is required ... Apprentices will not be accepted at EPA Gateway if the evidence
#     required is not sufficiently met.": evidence in after the gateway date is a mandatory requirement unmet, and
#     the record is not ready (the base record meets every other gateway-stage requirement it evidences); none
#     dated: unknown, which does not by itself make the record not ready.
@pytest.mark.parametrize("submitted,status,ready", [("2025-09-03", "met", True), ("2025-09-04", "unmet", False),
                                                    (None, "unknown", True)])
def test_gateway_evidence_in_late_is_not_accepted_at_gateway(tmp_path, submitted, status, ready):
    record = base()
    record["dates"]["evidence_submitted"] = submitted
    if submitted is None:
        del record["dates"]["evidence_submitted"]
    gw = gateway(dump_record(tmp_path, record))
    assert requirement(gw, "gateway-evidence-in-time")["status"] == status
    assert gw["ready"] is ready


# --------------------------------------------------------------------------------------------
# Both document versions share the journey rules
# --------------------------------------------------------------------------------------------

# LOG: V1.0 (January 2024) -> V1.1 (May 2024) changes pg5 (version numbers) and pg16/20/22/28 (one skill and one
#      pass criterion moved from the observation to the discussion): nothing in the journey (pages 6-14). A record
#      with its gateway on 2024-03-01 is graded under V1.0 and gets the same journey rules (dates in the record).
def test_v10_gateway_gets_the_same_journey_rules():
    out = grade(V10_LATE)
    assert out["document"]["version"] == "1.0"
    # ONP 366 days: 2023-03-01 -> 2024-03-01 = 366 (2024-02-29 between): met.
    assert requirement(out["gateway"], "minimum-time-on-programme")["status"] == "met"
    # GW/KEY Level 2 maths for a 20-year-old starter: level1 unmet.
    assert requirement(out["gateway"], "english-maths")["status"] == "unmet"
    assert out["gateway"]["ready"] is False
    # RES: fail notified 2024-03-15 + 3 months = 2024-06-15; resit 2024-06-16: entire EPA again.
    window = deadline(out, f"{WINDOW}.project")
    assert (window["date"], window["status"]) == ("2024-06-15", "missed")
    assert out["full_retake_required"] is True
    assert out["overall"] is None
    # KEY: 2024-03-01 + 3 months = 2024-06-01; first attempts 2024-03-11/13/18: met.
    assert (deadline(out, "epa-window")["date"], deadline(out, "epa-window")["status"]) == ("2024-06-01", "met")
    # OBS: observation 2024-03-18 - 14 days = 2024-03-04; notice 2024-03-04: met.
    assert (deadline(out, "observation-notice")["date"], deadline(out, "observation-notice")["status"]) == \
        ("2024-03-04", "met")
    # OBS: 67 minutes > 60 + 10% = 66: outside; Q&A 9 <= 15% of 67 = 10.05: within.
    assert check(out, "observation-duration")["ok"] is False
    assert check(out, "observation-questioning")["ok"] is True
    assert check(out, "observation-questioning")["strength"] == "advice"


# LOG (as above): the same record graded under V1.0 (pinned with document_versions) and under V1.1 gives the
# same gateway, deadlines, tolerance checks, cap and full-retake decision.
@pytest.mark.parametrize("source", [CAPPED, LATE])
def test_pinned_v10_and_v11_journeys_agree(tmp_path, source):
    record = yaml.safe_load(source.read_text())
    pinned = copy.deepcopy(record)
    pinned["document_versions"] = {BODY: "1.0"}
    v11, v10 = grade(dump_record(tmp_path, record, "v11.yaml")), grade(dump_record(tmp_path, pinned, "v10.yaml"))
    assert (v11["document"]["version"], v10["document"]["version"]) == ("1.1", "1.0")
    for key in ("gateway", "deadlines", "checks", "capped", "full_retake_required", "overall"):
        assert v10[key] == v11[key], key


# --------------------------------------------------------------------------------------------
# epa journey --standard ST0071 --body gateway_quals
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def journey() -> dict:
    result = run("journey", "--standard", "ST0071", "--body", BODY, "--format", "json")
    assert result.exit_code == 0, result.stderr
    (only,) = result.json()
    return only


def test_journey_identifies_the_document(journey):
    assert (journey["body"], journey["standard"], journey["document"]) == (BODY, "ST0071", SEED)


def test_journey_english_maths(journey):
    (rule,) = [g for g in journey["gateway"] if g["id"] == "english-maths"]
    em = rule["check"]["english_maths"]
    assert rule["strength"] == "mandatory"                 # GW "the following evidence is required"
    assert em["level"] == "level2"                         # GW/KEY "Level 2 English and Maths"
    assert em["ehcp_level"] == "entry3"                    # GW "minimum requirement is Entry Level 3"
    assert em["bsl_for_english"] is True                   # GW "an alternative to English qualifications"
    assert em["min_age"] is None and em["max_age"] is None  # GW/KEY: no age band
    assert set(em["subjects"]) == {"english", "maths"}


def test_journey_time_on_programme(journey):
    (rule,) = [g for g in journey["gateway"] if g["id"] == "minimum-time-on-programme"]
    assert rule["strength"] == "mandatory"                 # ONP "All apprentices must spend"
    assert rule["check"]["days_on_programme"] == {"min": 366}   # ONP "no less than 366 days"


def test_journey_resit_rules(journey):
    resit = journey["resit"]
    # RES "a maximum EPA grade of pass, unless ... exceptional circumstances requiring a re-sit or re-take"
    assert resit["cap"]["grade"] == "pass"
    assert set(resit["cap"]["applies_to"]) == {"resit", "retake"}
    assert resit["cap"]["exceptional_circumstances_lift"] is True
    # RES "within three months of the fail notification ... unless ... exceptional circumstances apply"
    (window,) = resit["windows"]
    assert window["id"] == WINDOW
    assert window["from"] == "fail_notified"
    assert {k: v for k, v in window["offset"].items() if v is not None} == {"months": 3}
    assert window["exceptional_circumstances_lift"] is True
    assert window["consequence"] == "full_retake"          # RES "otherwise the entire EPA must be taken again"
    # § 3. Results notification and enquiries about results: "Results notification will take place once all
    # assessments have been completed." -- what "the fail notification" is where a record dates none
    assert window["notified_once_all_assessed"] == {
        "text": "Results notification will take place once all assessments have been completed.",
        "citation": f"{SEED} § 3. Results notification and enquiries about results"}
    assert resit["rework"] == []                           # RES describes no rework
    assert resit["attempts"]["limit"] is None              # RES sets no number of attempts


def test_journey_tolerances(journey):
    def bounds(t):
        return {k: t[k] for k in ("nominal", "minus_percent", "plus_percent", "max", "max_percent_of_duration")
                if t.get(k) is not None}
    got = {(t["method"], t["measure"]): bounds(t) for t in journey["tolerances"]}
    assert got == {
        ("observation", "duration_minutes"): {"nominal": 60, "minus_percent": 0, "plus_percent": 10},    # OBS
        ("observation", "questioning_minutes"): {"max_percent_of_duration": 15},                        # OBS
        ("project", "words"): {"nominal": 2500, "minus_percent": 10, "plus_percent": 10},               # PRJ
        ("project", "duration_minutes"): {"nominal": 60, "minus_percent": 10, "plus_percent": 10},      # PRJ
        ("discussion", "duration_minutes"): {"nominal": 60, "minus_percent": 10, "plus_percent": 10},   # DIS
    }


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_journey_citations_name_sections_of_the_document(journey):
    document = _words(source_text(SEED))
    rules = [*journey["gateway"], *journey["deadlines"], *journey["tolerances"], *journey["resit"]["windows"],
             journey["resit"]["cap"], journey["resit"]["no_resit_from_pass"], journey["resit"]["attempts"]]
    for rule in rules:
        file, _, section = rule["citation"].partition(" § ")
        assert file == SEED, rule["citation"]
        assert _words(section) in document, rule["citation"]


def test_journey_gateway_strength_follows_the_documents_words(journey):
    strength = {g["id"]: g["strength"] for g in journey["gateway"]}
    # GW "The EPA period should only start once the employer is satisfied ..."; "they should be comfortable with the
    # assessments"; § 2.7 "Gateway Qualifications recommends the provider to submit the apprentice's portfolio of
    # evidence at the EPA Gateway stage." -- "should" / "recommends": recommendations. § 2.1 "Full-time apprentices
    # will typically spend 15 months on-programme ... with a minimum of 20% off-the-job training" describes ("will
    # typically" is not a must); § 2.1's "Apprentices must develop and maintain, within a portfolio ..." is a bullet of
    # "it is recommended that employers consider the following": both recommended (issue 19)
    assert {rid for rid, s in strength.items() if s == "recommended"} == {
        "employer-satisfied-competent", "comfortable-with-assessments", "portfolio-at-gateway",
        "off-the-job-training", "portfolio-maintained"}
    # the document calls nothing at gateway "optional"; every other item is a "must" or "required"
    assert "optional" not in strength.values()
    assert all(g["stage"] == "gateway" for g in journey["gateway"])


def test_journey_table_format(monkeypatch):
    monkeypatch.setenv("COLUMNS", "1000")  # one line per cell
    result = run("journey", "--standard", "ST0071", "--body", BODY)
    assert result.exit_code == 0, result.stderr
    assert "Gateway Qualifications" in result.stdout or BODY in result.stdout
    # the re-sit window's row says how an undated fail notification is counted (§ 3, as above)
    assert "the record does not date is counted from the day the last of the record's first assessments was held" \
        in flat(result.stdout)
    assert "Results notification will take place once all assessments have been completed." in flat(result.stdout)


# ---------------------------------------------------------------------------------------- recommendations
# What the specification advises ("should", "it is recommended", "should ideally", "best practice, but not
# mandatory") and attaches no consequence to: listed by `epa journey` as advice, never checked. (id: topic,
# method, words quoted from the sentence, section of 004.) Advice worded as gateway items (§ 2.2 "The EPA period
# should only start once the employer is satisfied ...", "they should be comfortable with the assessments"; § 2.7
# "Gateway Qualifications recommends the provider to submit the apprentice's portfolio of evidence at the EPA
# Gateway stage") stays among the gateway requirements. § 2.4's order sentence is repeated word for word in
# § 2.6 and is one recommendation.
ONP_ = "2.1 On-programme requirements"
OBS_ = "2.5 Assessment method 1 – Practical observation with questions and answers"
PRJ_ = "2.6 Assessment method 2 – Work-based project supported by interview"
ADJ_ = "5. Access Arrangements, Reasonable Adjustments and Special Considerations"
RECOMMENDATIONS = {
    # § 1.1: "This document should be used in conjunction with the published assessment plan ..."
    "use-with-assessment-plan": ("other", None, "This document should be used in conjunction with the published assessment plan", "1.1 About this standard specification"),
    # § 2.1: "It is recommended that employers should work closely with any training provider to plan and deliver
    # support and training appropriately. ... it is recommended that employers consider the following:" (three
    # items; the fourth, the portfolio, is a "must")
    "employer-works-with-provider": ("on_programme", None, "It is recommended that employers should work closely with any training provider", ONP_),
    "on-programme-performance-management": ("on_programme", None, "Use of their normal performance management processes to monitor the progress of the apprentice", ONP_),
    "on-programme-joint-reviews": ("on_programme", None, "Employers and training providers should carry out joint reviews of progress at regular intervals", ONP_),
    "on-programme-support": ("on_programme", None, "Use of training providers who will offer on programme support", ONP_),
    # § 2.4: "Although there is flexibility in the order ..., it is recommended that the written work-based project
    # takes place before the professional discussion."
    "project-before-discussion": ("order", "project", "it is recommended that the written work-based project takes place before the professional discussion", "2.4 Assessment overview"),
    # § 2.5: "The observation can be before or after the work-based project but it is recommended not before the
    # professional discussion."; "The observation should involve activities that allow the apprentice to demonstrate
    # the required KSBs."; "... the apprentice should have the opportunity, if required, to move from one
    # area/function of the business to another ..."
    "observation-not-before-discussion": ("order", "observation", "it is recommended not before the professional discussion", OBS_),
    "observation-activities": ("preparation", "observation", "The observation should involve activities that allow the apprentice to demonstrate the required KSBs.", OBS_),
    "observation-move-between-areas": ("preparation", "observation", "to move from one area/function of the business to another", OBS_),
    # § 2.6: "The subject of the project report should cover specific high-level challenges ..."; "The report should
    # also contain annexes that are attributable to the apprentice and the actions they took."
    "project-report-subject": ("evidence", "project", "The subject of the project report should cover specific high-level challenges", PRJ_),
    "project-report-annexes": ("evidence", "project", "The report should also contain annexes that are attributable to the apprentice", PRJ_),
    # § Interview: "It is best practice, but not mandatory, that an employer representative is present. However,
    # their role is only to observe, and they should not be involved in conducting the interview or grading decisions."
    "employer-representative": ("other", "project", "It is best practice, but not mandatory, that an employer representative is present.", "Interview"),
    # § 2.7 (method 3): "... it should showcase the competence of the apprentice ..."
    "portfolio-showcases-competence": ("evidence", "discussion", "it should showcase the competence of the apprentice", "2.7 Assessment method 3 – Professional discussion supported by a portfolio of evidence"),
    # § 4: "Apprentices should have a supportive action plan in place to prepare for the re-sit or re-take."
    "resit-action-plan": ("preparation", None, "Apprentices should have a supportive action plan in place to prepare for the re-sit or re-take.", "4. Re-sits and re-takes"),
    # § 5: "A reasonable adjustment is unique to an individual and should reflect their normal way of working.";
    # "Apprentices should be fully involved in any decisions about adjustments/adaptations."; "Applications for
    # reasonable adjustments should ideally be submitted to Gateway Qualifications when the learner is registered on
    # EPA Pro but no later than EPA Gateway submission."
    "adjustment-normal-way-of-working": ("other", None, "should reflect their normal way of working", ADJ_),
    "adjustments-involve-apprentice": ("other", None, "Apprentices should be fully involved in any decisions about adjustments/adaptations.", ADJ_),
    "reasonable-adjustments-timing": ("lead_time", None, "Applications for reasonable adjustments should ideally be submitted to Gateway Qualifications when the learner is registered on EPA Pro", ADJ_),
    # § Special Considerations: "Apprentices and Employers should always aim to reschedule an assessment in the first
    # instance."; "Requests for special considerations should be submitted no later than ten working days before the
    # assessment or as soon as possible after the assessment but no later than five working days after the assessment."
    "reschedule-before-special-consideration": ("other", None, "Apprentices and Employers should always aim to reschedule an assessment in the first instance.", "Special Considerations"),
    "special-consideration-timing": ("lead_time", None, "Requests for special considerations should be submitted no later than ten working days before the assessment", "Special Considerations"),
}
NEW_AMBIGUITIES = {"gateway-quals-adjustment-timing-advice", "gateway-quals-representative-should-not"}


def test_recommendations_are_encoded_as_the_document_states():
    check_recommendations(journey_rules(BODY, "ST0071"), RECOMMENDATIONS, SEED)
    ambiguities = run("ambiguities", "--body", BODY, "--format", "json").json()
    assert {a["id"] for a in ambiguities} >= NEW_AMBIGUITIES


def test_recommendations_quote_the_document():
    text = flat(source_text(SEED))
    for rid, (_, _, words, _) in RECOMMENDATIONS.items():
        assert flat(words) in text, rid


def test_recommendations_never_make_a_record_unready(tmp_path):
    # Taken against both order recommendations: the observation first (§ 2.5 "recommended not before the
    # professional discussion") and the project last (§ 2.4 "the written work-based project takes place before the
    # professional discussion"). 366 days on programme (§ 2.1: 2024-09-02 -> 2025-09-03), Level 2 English and maths
    # and the EPA Gateway Meeting Record (§ 2.2): ready, and advice changes nothing.
    record = {
        "standard": "ST0071",
        "apprentice": {"id": "GQ-ADVICE", "date_of_birth": "2004-06-15", "start_date": "2024-09-02",
                       "english": "level2", "maths": "level2"},
        "gateway": {"date": "2025-09-03", "gateway_form": True, "portfolio": True},
        "assessments": [{"method": "observation", "date": "2025-10-06", "grade": "pass"},
                        {"method": "discussion", "date": "2025-10-13", "grade": "pass"},
                        {"method": "project", "date": "2025-10-20", "grade": "pass"}],
    }
    assert_advice_only(BODY, dump_record(tmp_path, record), set(RECOMMENDATIONS))
