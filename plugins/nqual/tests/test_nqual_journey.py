"""Journey behaviour for NQual (body id ``nqual``): gateway, deadlines, resits and tolerances.

Sources (every expected value below comes from these documents and the calendar, never from the code or
the YAML; the journey files are read for rule ids only):

* ST0071 Customer Service Specialist L3: ``000_75563123dfdaaed6.txt`` (EPA Support Pack V1.2), S71.
* ST0072 Customer Service Practitioner L2: ``001_b8a29f12b00d3850.txt`` (EPA Support Pack V1.1), S72.

Bank holidays (England and Wales): 25 Dec 2025 (Thu), 26 Dec 2025 (Fri), 1 Jan 2026 (Thu),
Good Friday 3 Apr 2026, Easter Monday 6 Apr 2026.

Where the documents leave a date unanchored ("before assessment", "within a 12-month period") the tests use
the anchor the journey file records in its ambiguities: the first assessment (nqual-st0071-epa-date-anchor,
nqual-st0071-resit-window-anchor, nqual-st0072-epa-date-anchor, nqual-st0072-resit-window-anchor).
"""

from __future__ import annotations

import copy
import datetime as dt
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

pytestmark = requires("nqual")

BODY = "nqual"
RECORDS = Path(__file__).parent / "records"
S71 = "000_75563123dfdaaed6.txt"
S72 = "001_b8a29f12b00d3850.txt"
F, P, D = "fail", "pass", "distinction"

REC71 = RECORDS / "nqual-journey-st0071-project-resit.yaml"
REC72 = RECORDS / "nqual-journey-st0072-observation-resit.yaml"


# ------------------------------------------------------------------------------------------- helpers

def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def grade(path: Path) -> dict:
    result = run("grade", "--body", BODY, str(path), "--format", "json")
    assert result.exit_code == 0, result.stderr
    return result.json()


def grade_data(tmp_path: Path, data: dict) -> dict:
    return grade(dump_record(tmp_path, data))


def deadline(result: dict, rule_id: str) -> dict:
    return only(result["deadlines"], rule_id)


def requirement(result: dict, rule_id: str) -> dict:
    return only(result["gateway"]["requirements"], rule_id)


def with_attempt(base: dict, **attempt) -> dict:
    data = copy.deepcopy(base)
    data["assessments"].append(attempt)
    return data


def base71() -> dict:
    """REC71 without its resit: observation D (2025-10-06), project F (2025-10-20), discussion D (2025-11-03)."""
    data = load(REC71)
    data["assessments"] = data["assessments"][:3]
    return data


def base72() -> dict:
    """REC72 without its resit: showcase D (2025-10-06), observation F (2025-10-20), discussion D (2025-10-20)."""
    data = load(REC72)
    data["assessments"] = data["assessments"][:3]
    return data


def st0072_gateway(**apprentice) -> dict:
    """An ST0072 record whose gateway otherwise satisfies the document: 13 months on programme
    (2024-09-02 to 2025-10-06), 18 showcase pieces (at most 20), the showcase submitted, the gateway form sent
    2025-10-06, more than 10 working days before the first assessment (showcase 2025-10-27)."""
    person = {"id": "NQ-72-GW", "date_of_birth": "2007-01-20", "start_date": "2024-09-02",
              "english": "level1", "maths": "level1"}
    person.update(apprentice)
    person = {k: v for k, v in person.items() if v is not None}
    return {"standard": "ST0072", "apprentice": person,
            "gateway": {"date": "2025-10-06", "portfolio_pieces": 18, "portfolio": True},
            "dates": {"evidence_submitted": "2025-10-06"},
            "schedule": {"showcase": "2025-10-27", "observation": "2025-11-10", "discussion": "2025-11-10"}}


# ===================================================================================== resit windows

# S72 § Re-sit / Re-take: "All assessment methods must be taken within a 6-month period, otherwise the entire
# EPA will need to be resat / retaken." S71 § Re-sit / Re-take: the same, "within a 12-month period".
# Anchor: the first assessment, on 2025-10-06 in both bases; + 6 months = 2026-04-06, + 12 months = 2026-10-06
# (the last days inside).
SIX = ("ST0072", "observation", "all-methods-6-months", "2026-04-06")
TWELVE = ("ST0071", "project", "all-methods-12-months", "2026-10-06")


@pytest.mark.parametrize("window, resit_on, inside", [
    (SIX, "2026-01-12", True),      # well inside
    (SIX, "2026-04-06", True),      # boundary: exactly 6 months after 2025-10-06
    (SIX, "2026-04-07", False),     # one day after the 6-month period
    (SIX, "2026-09-01", False),     # well after
    (TWELVE, "2026-01-12", True),   # well inside
    (TWELVE, "2026-04-07", True),   # past ST0072's 6 months, still inside ST0071's 12
    (TWELVE, "2026-10-06", True),   # boundary: exactly 12 months after 2025-10-06
    (TWELVE, "2026-10-07", False),  # one day after the 12-month period
])
def test_all_methods_window(tmp_path, window, resit_on, inside):
    standard, method, window_id, due = window
    base = base72() if standard == "ST0072" else base71()
    result = grade_data(tmp_path, with_attempt(base, method=method, date=resit_on, kind="resit", grade=D))
    deadline_ = deadline(result, window_id)
    assert deadline_["date"] == due
    if inside:
        # graded: the resit Distinction counts, but "Where any assessment method must be re-sat or re-taken,
        # the apprentice will be awarded a maximum EPA grade of Pass."
        assert result["full_retake_required"] is False
        assert set(result["components"].values()) == {D}
        assert result["capped"] is True
        assert result["overall"] == P
        assert deadline_["status"] == "met"
    else:
        # "... otherwise the entire EPA will need to be resat / retaken": no overall grade.
        assert result["full_retake_required"] is True
        assert result["overall"] is None
        assert deadline_["status"] == "missed"


# S71 § Re-sit / Re-take: "All assessment methods must be taken within a 12-month period, otherwise the entire
# EPA will need to be resat / retaken." S72: the same within "a 6-month period". Neither states an exception for
# exceptional circumstances; a day after each period (see SIX and TWELVE above).
@pytest.mark.parametrize("window, late, kind", [(TWELVE, "2026-10-07", "resit"), (SIX, "2026-04-07", "retake")])
def test_all_methods_window_not_lifted_by_exceptional_circumstances(tmp_path, window, late, kind):
    standard, method, _, _ = window
    base = base72() if standard == "ST0072" else base71()
    data = with_attempt(base, method=method, date=late, kind=kind, grade=P, exceptional_circumstances=True)
    result = grade_data(tmp_path, data)
    assert result["full_retake_required"] is True
    assert result["overall"] is None


# =========================================================================================== the cap

# S71 § Re-sit / Re-take: "Where any assessment method must be re-sat or re-taken, the apprentice will be
# awarded a maximum EPA grade of Pass." No exception is given, so exceptional circumstances do not lift it.
# S71 § Assessment Grading Breakdown: "Distinction Distinction Distinction Distinction" -- uncapped this
# record would be Distinction, so the cap is visible in the overall grade.
@pytest.mark.parametrize("kind", ["resit", "retake"])  # "re-sat or re-taken"
@pytest.mark.parametrize("exceptional", [False, True])
def test_st0071_project_fail_then_pass_is_capped(tmp_path, kind, exceptional):
    data = with_attempt(base71(), method="project", date="2026-01-12", kind=kind, notified="2026-01-16",
                        grade=D, exceptional_circumstances=exceptional)
    result = grade_data(tmp_path, data)
    assert result["components"]["project"] == D
    assert result["capped"] is True
    assert result["overall"] == P
    assert result["full_retake_required"] is False


# S71 § Re-sit / Re-take, as above: the cap holds whatever the resit grade (here Pass, where the uncapped
# overall is already Pass: S71 § Assessment Grading Breakdown "Distinction Pass Pass Pass" pattern).
def test_st0071_project_resit_pass_is_capped(tmp_path):
    data = with_attempt(base71(), method="project", date="2026-01-12", kind="resit", grade=P)
    result = grade_data(tmp_path, data)
    assert result["capped"] is True
    assert result["overall"] == P


# S71 § Re-sit / Re-take, "a maximum EPA grade of Pass": a maximum. Observation Distinction, project resit Pass,
# discussion Pass: S71 § Assessment Grading Breakdown "Distinction Pass Pass Pass", not above the cap, which lowers
# nothing; all three Distinction: "Distinction Distinction Distinction Distinction", lowered to Pass. The cap's step
# and the summary line said "overall grade capped at pass" of both.
@pytest.mark.parametrize(("resit", "lowers"), [(P, False), (D, True)])
def test_st0071_a_cap_that_lowers_nothing_says_so(tmp_path, resit, lowers):
    data = with_attempt(base71(), method="project", date="2026-01-12", kind="resit", grade=resit)
    data["assessments"][2]["grade"] = resit  # the discussion
    path = dump_record(tmp_path, data)
    result = grade(path)
    assert (result["overall"], result["capped"]) == (P, True)  # capped: the cap applies, lowering or not
    [cap] = [r["says"] for r in result["explanation"] if r["about"] == "resit" and "capped at" in r["says"]]
    assert cap.startswith("project resit on 2026-01-12: overall grade capped at pass")
    unchanged = ", which changes nothing here: the combination's pass is not above pass"
    assert cap.endswith(unchanged) is not lowers
    shown = run("grade", "--body", BODY, str(path))
    assert shown.exit_code == 0, shown.stderr
    assert ("overall grade capped at pass (resit or retake), which changes nothing here" in flat(shown.stdout)) \
        is not lowers
    assert "overall grade capped at pass (resit or retake)" in flat(shown.stdout)



# The same cap before there is an overall grade: the observation (D on 2025-10-06) dropped, the project failed and
# resat. With no overall grade yet the cap has lowered nothing, but may still: an observation and discussion both
# Distinction would make "Distinction Distinction Distinction Distinction" (S71 § Assessment Grading Breakdown), which
# the cap lowers to Pass. So neither the cap's step nor the summary line may say it changes nothing.
def test_st0071_a_cap_before_any_overall_grade_is_not_said_to_change_nothing(tmp_path):
    data = with_attempt(base71(), method="project", date="2026-01-12", kind="resit", grade=D)
    data["assessments"] = [a for a in data["assessments"] if a["method"] != "observation"]
    path = dump_record(tmp_path, data)
    result = grade(path)
    assert (result["overall"], result["capped"]) == (None, True)
    assert not any("changes nothing" in r["says"] for r in result["explanation"]), result["explanation"]
    shown = run("grade", "--body", BODY, str(path))
    assert shown.exit_code == 0, shown.stderr
    assert "overall grade capped at pass (resit or retake)" in flat(shown.stdout)
    assert "changes nothing" not in flat(shown.stdout)

# The shipped record: S71 § Re-sit / Re-take, "a maximum EPA grade of Pass"; resit on 2026-01-12 is within
# 2025-10-06 + 12 months = 2026-10-06.
def test_st0071_record_file():
    result = grade(REC71)
    assert (result["overall"], result["capped"], result["full_retake_required"]) == (P, True, False)


# The shipped record: S72 § Re-sit / Re-take, "a maximum EPA grade of Pass"; resit on 2026-01-12 is within
# 2025-10-06 + 6 months = 2026-04-06.
def test_st0072_record_file():
    result = grade(REC72)
    assert (result["overall"], result["capped"], result["full_retake_required"]) == (P, True, False)


# S72 § Re-sit / Re-take: "Where any assessment method must be re-sat or re-taken, the apprentice will be awarded
# a maximum EPA grade of Pass." -- no exception given.
def test_st0072_cap_not_lifted_by_exceptional_circumstances(tmp_path):
    data = with_attempt(base72(), method="observation", date="2026-01-12", kind="resit", grade=D,
                        exceptional_circumstances=True)
    result = grade_data(tmp_path, data)
    assert result["capped"] is True
    assert result["overall"] == P


# Control: with no resit or retake there is nothing to cap (S71 § Assessment Grading Breakdown: "Distinction
# Distinction Distinction Distinction").
def test_st0071_no_resit_no_cap(tmp_path):
    data = base71()
    data["assessments"][1]["grade"] = D
    result = grade_data(tmp_path, data)
    assert result["capped"] is False
    assert result["overall"] == D


# ========================================================================== results in 10 working days

def finishing(standard: str, final: str, notified: str) -> dict:
    """Every method passed; the other two methods 3 and 2 weeks before the final one, gateway a month before."""
    methods = ["observation", "project", "discussion"] if standard == "ST0071" else [
        "showcase", "observation", "discussion"]
    end = dt.date.fromisoformat(final)
    dates = [end - dt.timedelta(weeks=3), end - dt.timedelta(weeks=2), end]
    attempts = [{"method": m, "date": d.isoformat(), "grade": P} for m, d in zip(methods, dates, strict=True)]
    attempts[-1]["notified"] = notified
    return {"standard": standard, "apprentice": {"id": "NQ-RES"},
            "gateway": {"date": (end - dt.timedelta(weeks=4)).isoformat()}, "assessments": attempts}


# S71 § GRADING & CRITERIA / S72 § GRADING & CRITERIA: "Grading results will be communicated to the apprentice
# within 10 working days of completion of the final component."
# Christmas: final component Fri 2025-12-19; working days Mon 22 (1), Tue 23 (2), Wed 24 (3), [Thu 25, Fri 26
# bank holidays], Mon 29 (4), Tue 30 (5), Wed 31 (6), [Thu 1 Jan bank holiday], Fri 2 (7), Mon 5 (8), Tue 6 (9),
# Wed 7 Jan (10) -> due 2026-01-07.
# Easter: final component Mon 2026-03-30; Tue 31 (1), Wed 1 Apr (2), Thu 2 (3), [Good Friday 3 Apr, weekend,
# Easter Monday 6 Apr], Tue 7 (4), Wed 8 (5), Thu 9 (6), Fri 10 (7), Mon 13 (8), Tue 14 (9), Wed 15 (10)
# -> due 2026-04-15.
@pytest.mark.parametrize("standard", ["ST0071", "ST0072"])
@pytest.mark.parametrize("final, due, day_after", [
    ("2025-12-19", "2026-01-07", "2026-01-08"),
    ("2026-03-30", "2026-04-15", "2026-04-16"),
])
def test_results_within_ten_working_days_across_bank_holidays(tmp_path, standard, final, due, day_after):
    data = finishing(standard, final, due)
    on_time = deadline(grade_data(tmp_path, data), "results")
    assert on_time["date"] == due
    assert on_time["status"] == "met"
    data["assessments"][-1]["notified"] = day_after
    late = deadline(grade_data(tmp_path, data), "results")
    assert late["date"] == due
    assert late["status"] == "missed"


# ======================================================================= registration and gateway form

# S71 § EPA TIMESCALE: "Training Providers should register apprentices for EPA with NQual a minimum of 90 days
# before assessment." First assessment: the observation on 2025-10-06 (REC71).
# 2025-10-06 - 90 days: back to 2025-09-06 is 30, to 2025-08-06 is 61, to 2025-07-08 is 90 -> 2025-07-08.
# "should": a recommendation, so a late registration never makes ready false.
@pytest.mark.parametrize("registered, status, deadline_status", [
    ("2025-06-02", "met", "met"),
    ("2025-07-08", "met", "met"),       # exactly 90 days before
    ("2025-07-09", "unmet", "missed"),  # 89 days before
])
def test_st0071_registration_90_days_before_first_assessment(tmp_path, registered, status, deadline_status):
    data = load(REC71)
    data["dates"]["registered"] = registered
    result = grade_data(tmp_path, data)
    rule = deadline(result, "registration-90-days")
    assert rule["date"] == "2025-07-08"
    assert rule["status"] == deadline_status
    assert rule["strength"] == "advice"                                    # "should register"
    req = requirement(result, "registration")
    assert req["status"] == status
    assert (req["mandatory"], req["strength"]) == (False, "recommended")   # "should register"
    assert ("registration" in result["gateway"]["recommendations_unmet"]) is (status == "unmet")
    assert result["gateway"]["ready"] is True


# Each deadline's strength follows the word of its sentence: "must", "will" -> required; "should" -> advice.
DEADLINE_STRENGTH = {
    "ST0071": {
        # S71 § EPA TIMESCALE: "Training Providers should register apprentices for EPA with NQual a minimum of
        # 90 days before assessment."
        "registration-90-days": "advice",
        # S71 § EPA TIMESCALE: "All evidence should be uploaded to NQual a minimum of 10 working days prior to EPA."
        "evidence-upload-10-working-days": "advice",
        # S71 § GATEWAY: "The Gateway form must be sent to NQual a minimum of 10 working days before End-Point
        # Assessment is carried out, along with the evidence listed above."
        "gateway-form-10-working-days": "required",
        # S71 § GATEWAY: "All EPA activity will take place no later than 3 months from Gateway."
        "epa-window": "required",
        # S71 § PORTFOLIO SUBMISSION: "An apprentice's portfolio should be submitted via ACE360 no later than 14
        # days prior to End-Point Assessment."
        "portfolio-14-days": "advice",
        # S71 § Practical Observation with Q&As: "The apprentice will be given 2 weeks' notice of the Practical
        # Observation."
        "observation-notice": "required",
        # S71 § Work-Based Project Supported by an Interview: "apprentices must submit a written report ... to
        # NQual two weeks prior to the interview date."
        "project-report": "required",
        # S71 § Professional Discussion Supported by Portfolio Evidence: "This should be submitted to NQual two
        # weeks prior to the Professional Discussion date."
        "discussion-portfolio": "advice",
        # S71 § GRADING & CRITERIA: "Grading results will be communicated to the apprentice within 10 working days
        # of completion of the final component."
        "results": "required",
    },
    "ST0072": {
        # S72 § GATEWAY: "The Gateway form must be sent ..."; "All EPA activity will take place no later than 3
        # months from Gateway."; § Professional Discussion: "The Professional Discussion will be a structured
        # discussion ... following the observation"; § GRADING & CRITERIA: "Grading results will be communicated
        # ... within 10 working days"
        "gateway-form-10-working-days": "required", "epa-window": "required",
        "discussion-after-observation": "required", "results": "required",
    },
}
# Tolerances: S71 "The Practical Observation is covered in one session, lasting 60 minutes."; "The written report
# must be 2500 words"; "The interview will last for 60 minutes"; "This assessment method will last for 60
# minutes." S72 "The observation will last 60 minutes."; "within a 20-30 minute interview"; "will last a maximum
# of 60 minutes." -- no "should" among them: all required.


@pytest.mark.parametrize("standard", ["ST0071", "ST0072"])
def test_deadline_and_tolerance_strength_follows_each_sentence(standard):
    rules = run("journey", "--standard", standard, "--body", BODY, "--format", "json").json()[0]
    assert {d["id"]: d["strength"] for d in rules["deadlines"]} == DEADLINE_STRENGTH[standard]
    assert {t["strength"] for t in rules["tolerances"]} == {"required"}
    for d in rules["deadlines"]:
        assert ("should" in d["text"]) is (d["strength"] == "advice"), d["id"]


# S71 first assessment: the observation, Mon 2025-10-06 (REC71); the discussion Mon 2025-11-03.
# 10 working days before Mon 6 Oct: Fri 3 (1), Thu 2, Wed 1, Tue 30 Sep, Mon 29 (5), Fri 26, Thu 25, Wed 24,
# Tue 23, Mon 22 (10) -> 2025-09-22 (no bank holiday). 14 days before 6 Oct: 2025-09-22. Two weeks before the
# discussion: 2025-10-20.
@pytest.mark.parametrize("portfolio, fourteen, discussion", [
    ("2025-09-22", "met", "met"),
    ("2025-09-23", "missed", "met"),       # a day after the 14 days, well before the discussion
    ("2025-10-21", "missed", "missed"),    # after both
])
def test_st0071_late_portfolio_is_missed_advice_and_never_a_failure(tmp_path, monkeypatch, portfolio, fourteen,
                                                                    discussion):
    # "An apprentice's portfolio should be submitted via ACE360 no later than 14 days prior to End-Point
    # Assessment." / "This should be submitted to NQual two weeks prior to the Professional Discussion date."
    data = base71()
    data["dates"]["portfolio_submitted"] = portfolio
    result = grade_data(tmp_path, data)
    for rule_id, date, status in (("portfolio-14-days", "2025-09-22", fourteen),
                                  ("discussion-portfolio", "2025-10-20", discussion)):
        rule = deadline(result, rule_id)
        assert (rule["date"], rule["status"], rule["strength"]) == (date, status, "advice")
        assert ("not a failure" in rule["says"]) is (status == "missed")
    req = requirement(result, "portfolio-submission")
    assert req["strength"] == "recommended"
    assert result["gateway"]["ready"] is True and result["gateway"]["unmet"] == []
    assert result["full_retake_required"] is False
    assert result["overall"] == grade_data(tmp_path, base71())["overall"]
    if fourteen == "missed":
        monkeypatch.setenv("COLUMNS", "300")
        table = run("timeline", str(dump_record(tmp_path, data)), "--body", BODY)
        assert table.exit_code == 0
        # the row's status cell, which may wrap beside a long explanation: 'missed', then '(advice)' below it
        lines = table.stdout.splitlines()
        at = next(i for i, line in enumerate(lines) if "Portfolio submitted via ACE360" in line)
        status = " ".join(cell for line in lines[at:at + 2] for cell in [line.split("│")[3].strip()] if cell)
        assert status == "missed (advice)"


def test_st0071_late_evidence_is_missed_as_advice_and_as_the_gateway_forms_must(tmp_path):
    # S71 § EPA TIMESCALE "All evidence should be uploaded ... a minimum of 10 working days prior to EPA." (advice)
    # S71 § GATEWAY "The Gateway form must be sent ... a minimum of 10 working days before ... along with the
    # evidence listed above." (required). Evidence on 2025-09-23, a working day late (due 2025-09-22): both are
    # missed, and only the "must" makes the record not ready.
    data = base71()
    data["dates"]["evidence_submitted"] = "2025-09-23"
    result = grade_data(tmp_path, data)
    upload, form = deadline(result, "evidence-upload-10-working-days"), deadline(result, "gateway-form-10-working-days")
    assert (upload["date"], upload["status"], upload["strength"]) == ("2025-09-22", "missed", "advice")
    assert (form["date"], form["status"], form["strength"]) == ("2025-09-22", "missed", "required")
    assert result["gateway"]["unmet"] == ["gateway-form"]
    assert "evidence-uploaded" in result["gateway"]["recommendations_unmet"]


# S72 § EPA TIMESCALE is empty in the extraction (only the page footer follows the heading): the document states
# no registration lead time, so nothing 90 days before assessment is required for ST0072.
def test_st0072_has_no_registration_lead_time():
    journey = run("journey", "--standard", "ST0072", "--body", BODY, "--format", "json").json()[0]
    assert all(d["offset"]["days"] != -90 for d in journey["deadlines"])
    assert not any("regist" in g["name"].lower() for g in journey["gateway"])


# S71 § GATEWAY and S72 § GATEWAY: "The Gateway form must be sent to NQual a minimum of 10 working days before
# End-Point Assessment is carried out, along with the evidence listed above." ("must": mandatory.)
# First assessment Mon 2025-11-10: back Fri 7 (1), Thu 6 (2), Wed 5 (3), Tue 4 (4), Mon 3 (5), Fri 31 Oct (6),
# Thu 30 (7), Wed 29 (8), Tue 28 (9), Mon 27 (10) -> 2025-10-27.
# First assessment Wed 2026-01-07: back Tue 6 (1), Mon 5 (2), Fri 2 (3), [Thu 1 Jan], Wed 31 (4), Tue 30 (5),
# Mon 29 (6), [Fri 26, Thu 25 Dec], Wed 24 (7), Tue 23 (8), Mon 22 (9), Fri 19 (10) -> 2025-12-19.
@pytest.mark.parametrize("standard", ["ST0071", "ST0072"])
@pytest.mark.parametrize("first, due, day_after", [
    ("2025-11-10", "2025-10-27", "2025-10-28"),
    ("2026-01-07", "2025-12-19", "2025-12-20"),
])
def test_gateway_form_ten_working_days_before_epa(tmp_path, standard, first, due, day_after):
    methods = ["observation", "project", "discussion"] if standard == "ST0071" else [
        "showcase", "observation", "discussion"]
    data = {"standard": standard, "apprentice": {"id": "NQ-GF"}, "gateway": {"date": "2025-10-01"},
            "dates": {"evidence_submitted": due}, "schedule": {m: first for m in methods}}
    on_time = grade_data(tmp_path, data)
    rule = deadline(on_time, "gateway-form-10-working-days")
    assert (rule["date"], rule["status"]) == (due, "met")
    assert requirement(on_time, "gateway-form")["status"] == "met"
    assert "gateway-form" not in on_time["gateway"]["unmet"]

    data["dates"]["evidence_submitted"] = day_after
    late = grade_data(tmp_path, data)
    rule = deadline(late, "gateway-form-10-working-days")
    assert (rule["date"], rule["status"], rule["strength"]) == (due, "missed", "required")   # "must be sent"
    req = requirement(late, "gateway-form")
    assert (req["status"], req["mandatory"]) == ("unmet", True)
    assert "gateway-form" in late["gateway"]["unmet"]
    assert late["gateway"]["ready"] is False


# S71 § GATEWAY / S72 § GATEWAY: "All EPA activity will take place no later than 3 months from Gateway."
# Gateway 2025-10-06 + 3 months = 2026-01-06.
@pytest.mark.parametrize("standard", ["ST0071", "ST0072"])
@pytest.mark.parametrize("last, status", [("2026-01-06", "met"), ("2026-01-07", "missed")])
def test_epa_within_three_months_of_gateway(tmp_path, standard, last, status):
    methods = ["observation", "project", "discussion"] if standard == "ST0071" else [
        "showcase", "observation", "discussion"]
    dates = ["2025-11-03", "2025-11-03", last]
    data = {"standard": standard, "apprentice": {"id": "NQ-W"}, "gateway": {"date": "2025-10-06"},
            "assessments": [{"method": m, "date": d, "grade": P} for m, d in zip(methods, dates, strict=True)]}
    rule = deadline(grade_data(tmp_path, data), "epa-window")
    assert (rule["date"], rule["status"]) == ("2026-01-06", status)


# ============================================================================== English and maths

# S71 § GATEWAY: "Evidence of achieving relevant maths and English qualifications if required by funding
# regulations or the employer" -- the document defers to others, so the requirement is deferred, listed as
# unknown, and never makes ready false, whatever the apprentice holds.
@pytest.mark.parametrize("english, maths", [("none", "none"), ("entry3", "level1"), ("level2", "level2"),
                                            (None, None)])
def test_st0071_english_maths_deferred(tmp_path, english, maths):
    data = load(REC71)
    data["apprentice"].pop("english")
    data["apprentice"].pop("maths")
    if english:
        data["apprentice"].update(english=english, maths=maths)
    result = grade_data(tmp_path, data)
    req = requirement(result, "english-maths")
    assert req["status"] == "deferred"
    assert "english-maths" in result["gateway"]["unknown"]
    assert "english-maths" not in result["gateway"]["unmet"]
    assert result["gateway"]["ready"] is True


# S72 § GATEWAY: "the apprentice must have: - Achieved Level 1 maths and English" and "*For those with an education,
# health and care plan or a legacy statement, the apprenticeships English and mathematics minimum requirement is
# Entry Level 3 and British Sign Language qualification are an alternative to English qualifications for whom
# this is their primary language." No age split is stated (the date of birth varies below to show it).
@pytest.mark.parametrize("apprentice, status", [
    ({"english": "level1", "maths": "level1"}, "met"),
    ({"english": "level2", "maths": "level3"}, "met"),
    ({"english": "entry3", "maths": "level1"}, "unmet"),            # Entry 3 English without a plan
    ({"english": "level1", "maths": "entry3"}, "unmet"),            # Entry 3 maths without a plan
    ({"english": "level1", "maths": "none"}, "unmet"),
    ({"english": "entry3", "maths": "entry3", "ehcp": True}, "met"),  # "minimum requirement is Entry Level 3"
    ({"english": "none", "maths": "entry3", "ehcp": True}, "unmet"),  # below Entry Level 3 even with a plan
    # with bsl: true, english is the BSL qualification's level (schemas/record.schema.json)
    ({"english": "level1", "maths": "level1", "bsl": True}, "met"),   # BSL qualifications "an alternative to English"
    ({"english": "none", "maths": "level1", "bsl": True}, "unmet"),   # ... qualifications: none held is not one
    ({"english": "level1", "maths": "entry3", "bsl": True}, "unmet"),  # BSL stands in for English, not maths
    ({"english": "entry3", "maths": "level1", "date_of_birth": "1990-01-01"}, "unmet"),  # aged 34: no age rule
])
def test_st0072_level1_english_maths(tmp_path, apprentice, status):
    result = grade_data(tmp_path, st0072_gateway(**apprentice))
    assert requirement(result, "english-maths")["status"] == status
    assert ("english-maths" in result["gateway"]["unmet"]) is (status == "unmet")
    assert result["gateway"]["ready"] is (status == "met")


# S72 § GATEWAY: "must have: Achieved Level 1 maths and English": a record that does not say is not shown unmet.
def test_st0072_english_maths_unknown_when_record_silent(tmp_path):
    result = grade_data(tmp_path, st0072_gateway(english=None, maths=None))
    assert requirement(result, "english-maths")["status"] == "unknown"
    assert "english-maths" in result["gateway"]["unknown"]
    assert result["gateway"]["ready"] is True


# ===================================================================================== the showcase

# S72 § Apprentice Showcase: "submitted as a Portfolio Submission with a maximum of 20 pieces of evidence."
@pytest.mark.parametrize("pieces, status", [(1, "met"), (20, "met"), (21, "unmet"), (30, "unmet")])
def test_st0072_showcase_at_most_20_pieces(tmp_path, pieces, status):
    data = st0072_gateway()
    data["gateway"]["portfolio_pieces"] = pieces
    result = grade_data(tmp_path, data)
    assert requirement(result, "showcase-evidence-count")["status"] == status
    assert result["gateway"]["ready"] is (status == "met")


# S72 § PREPARE FOR THE APPRENTICE SHOWCASE: "The Apprentice Showcase is compiled after 12 months of on-programme
# learning." Start 2024-09-02 + 12 months = 2025-09-02; start 2024-10-31 + 12 months = 2025-10-31.
@pytest.mark.parametrize("start, gateway, status", [
    ("2024-09-02", "2025-09-02", "met"),    # 12 months completed
    ("2024-09-02", "2025-09-01", "unmet"),  # one day short of 12 months
    ("2024-09-02", "2025-03-03", "unmet"),  # 6 months
    ("2024-10-31", "2025-10-31", "met"),
    ("2024-10-31", "2025-10-30", "unmet"),
])
def test_st0072_showcase_after_12_months_on_programme(tmp_path, start, gateway, status):
    data = st0072_gateway(start_date=start)
    data["gateway"]["date"] = gateway
    del data["schedule"]  # planned for a 2025-10-06 gateway; a later gateway would put them before it
    result = grade_data(tmp_path, data)
    assert requirement(result, "showcase-after-12-months")["status"] == status
    # "is compiled after" is a plain statement, not a "must", and the pack states no consequence: an 11-month
    # record is shown the 12 months unmet and is never made not ready for gateway by it (issue 19)
    assert "showcase-after-12-months" not in result["gateway"]["unmet"]
    assert ("showcase-after-12-months" in result["gateway"]["recommendations_unmet"]) is (status == "unmet")


@pytest.mark.parametrize("standard", ["ST0071", "ST0072"])
def test_employer_confirmation_can_is_a_permission(standard):
    # S71 and S72 § GATEWAY: "the employer can formally confirm that the apprentice is ready for EPA via Gateway":
    # "can" is a permission, not a requirement (issue 19)
    journey = run("journey", "--standard", standard, "--body", BODY, "--format", "json").json()[0]
    gateway = {g["id"]: g for g in journey["gateway"]}
    assert gateway["employer-confirms-ready"]["strength"] == "optional"


# ======================================================================================= tolerances

# S71 § Practical Observation with Q&As: "The Practical Observation is covered in one session, lasting 60 minutes.";
# § Work-Based Project Supported by an Interview: "The written report must be 2500 words", "The interview will last
# for 60 minutes"; § Professional Discussion Supported by Portfolio Evidence: "This assessment method will last for
# 60 minutes." No tolerance or range is given for any of them: each recorded value is reported against the stated
# figure with status no_tolerance_stated, neither within nor outside (no pass/fail the document does not give).
def test_st0071_durations_and_words_are_reported_against_the_stated_figure(tmp_path):
    data = load(REC71)
    data["assessments"][0].update(duration_minutes=200, questioning_minutes=90)   # observation
    data["assessments"][1].update(duration_minutes=5, words=100)                  # project (failed attempt)
    data["assessments"][2].update(duration_minutes=60)                            # discussion
    data["assessments"][3].update(duration_minutes=61, words=2500)                # project resit
    result = grade_data(tmp_path, data)
    got = sorted((c["id"], c["method"], c["attempt_date"], c["value"]) for c in result["checks"])
    assert got == sorted([
        ("observation-duration", "observation", "2025-10-06", 200),
        ("project-interview-duration", "project", "2025-10-20", 5),
        ("project-report-words", "project", "2025-10-20", 100),
        ("discussion-duration", "discussion", "2025-11-03", 60),
        ("project-interview-duration", "project", "2026-01-12", 61),
        ("project-report-words", "project", "2026-01-12", 2500),
    ])
    for c in result["checks"]:
        assert (c["status"], c["ok"], c["low"], c["high"]) == ("no_tolerance_stated", None, None, None), c
        stated = 2500 if c["measure"] == "words" else 60
        assert f"against the stated {stated}" in c["says"] and "no tolerance" in c["says"]
    by_id = {c["id"]: c["citation"] for c in result["checks"]}
    assert by_id == {"observation-duration": f"{S71} § Practical Observation with Q&As",
                     "project-interview-duration": f"{S71} § Work-Based Project Supported by an Interview",
                     "project-report-words": f"{S71} § Work-Based Project Supported by an Interview",
                     "discussion-duration": f"{S71} § Professional Discussion Supported by Portfolio Evidence"}
    # the document states no questioning time for the assessment (only for a mock): nothing checks it
    assert not [c for c in result["checks"] if c["measure"] == "questioning_minutes"]


# S72 § Apprentice Showcase: "within a 20-30 minute interview with an Independent Assessor";
# § Professional Discussion: "will last a maximum of 60 minutes"; § Practical Observation: "The observation will
# last 60 minutes." (no tolerance stated: reported against the 60, status no_tolerance_stated, ok null).
@pytest.mark.parametrize("method, minutes, status", [
    ("showcase", 19, "outside"), ("showcase", 20, "within"), ("showcase", 30, "within"), ("showcase", 31, "outside"),
    ("discussion", 45, "within"), ("discussion", 60, "within"), ("discussion", 61, "outside"),
    ("observation", 90, "no_tolerance_stated"), ("observation", 60, "no_tolerance_stated"),
])
def test_st0072_durations(tmp_path, method, minutes, status):
    data = base72()
    data["assessments"][1]["grade"] = P
    for attempt in data["assessments"]:
        if attempt["method"] == method:
            attempt["duration_minutes"] = minutes
    checks = [c for c in grade_data(tmp_path, data)["checks"] if c["method"] == method]
    ok = {"within": True, "outside": False, "no_tolerance_stated": None}[status]
    assert [(c["measure"], c["value"], c["status"], c["ok"]) for c in checks] == [
        ("duration_minutes", minutes, status, ok)]
    if method == "observation":
        assert checks[0]["citation"] == f"{S72} § Practical Observation"
        assert "against the stated 60" in checks[0]["says"]


# ======================================================================================= epa journey

# `epa journey --standard ST0072 --body nqual --format json`: the rules as data, checked against S72.
def test_journey_command_st0072():
    result = run("journey", "--standard", "ST0072", "--body", BODY, "--format", "json")
    assert result.exit_code == 0, result.stderr
    [journey] = result.json()
    assert (journey["body"], journey["standard"], journey["document"]) == (BODY, "ST0072", S72)
    resit = journey["resit"]
    # S72 § Re-sit / Re-take: "a maximum EPA grade of Pass" for anything "re-sat or re-taken", no exception.
    assert resit["cap"]["grade"] == P
    assert sorted(resit["cap"]["applies_to"]) == ["resit", "retake"]
    assert resit["cap"]["exceptional_circumstances_lift"] is False
    # "It is then up to the apprentice's employer how many attempts an apprentice is given."
    assert resit["attempts"]["limit"] is None
    # "All assessment methods must be taken within a 6-month period, otherwise the entire EPA will need to be
    # resat / retaken."
    [window] = resit["windows"]
    assert window["offset"]["months"] == 6
    assert window["exceptional_circumstances_lift"] is False
    assert window["consequence"] == "full_retake"
    tolerances = {t["id"]: t for t in journey["tolerances"]}
    # S72 § Practical Observation: "The observation will last 60 minutes." -- a figure, no tolerance
    obs = tolerances["observation-duration"]
    assert (obs["nominal"], obs["minus_percent"], obs["plus_percent"], obs["max"]) == (60, None, None, None)
    deadlines = {d["id"]: d for d in journey["deadlines"]}
    # S72 § GATEWAY: "a minimum of 10 working days before End-Point Assessment"
    assert deadlines["gateway-form-10-working-days"]["offset"]["working_days"] == -10
    # S72 § GATEWAY: "no later than 3 months from Gateway"
    assert (deadlines["epa-window"]["from"], deadlines["epa-window"]["offset"]["months"]) == ("gateway", 3)
    # S72 § GRADING & CRITERIA: "within 10 working days of completion of the final component"
    assert (deadlines["results"]["from"], deadlines["results"]["offset"]["working_days"]) == (
        "final_assessment", 10)
    gateway = {g["id"]: g for g in journey["gateway"]}
    # S72 § Apprentice Showcase: "a maximum of 20 pieces of evidence"
    assert gateway["showcase-evidence-count"]["check"]["count"]["max"] == 20
    # S72 § GATEWAY: "Achieved Level 1 maths and English", Entry Level 3 with a plan, BSL for English
    em = gateway["english-maths"]["check"]["english_maths"]
    assert (em["level"], em["ehcp_level"], em["bsl_for_english"]) == ("level1", "entry3", True)
    citations = [r["citation"] for part in ("gateway", "deadlines", "tolerances") for r in journey[part]]
    citations += [resit["cap"]["citation"], window["citation"]]
    assert all(c.startswith(f"{S72} § ") for c in citations)


# `epa journey --standard ST0071 --body nqual`: S71's resit window and its stated figures, as data.
def test_journey_command_st0071_window_consequence_and_stated_figures():
    [journey] = run("journey", "--standard", "ST0071", "--body", BODY, "--format", "json").json()
    # S71 § Re-sit / Re-take: "All assessment methods must be taken within a 12-month period, otherwise the entire
    # EPA will need to be resat / retaken."
    [window] = journey["resit"]["windows"]
    assert (window["offset"]["months"], window["consequence"]) == (12, "full_retake")
    # S71: "lasting 60 minutes"; "The written report must be 2500 words"; "The interview will last for 60 minutes";
    # "This assessment method will last for 60 minutes." -- figures without a tolerance
    stated = {t["id"]: (t["method"], t["measure"], t["nominal"], t["minus_percent"], t["plus_percent"], t["max"])
              for t in journey["tolerances"]}
    assert stated == {
        "observation-duration": ("observation", "duration_minutes", 60, None, None, None),
        "project-report-words": ("project", "words", 2500, None, None, None),
        "project-interview-duration": ("project", "duration_minutes", 60, None, None, None),
        "discussion-duration": ("discussion", "duration_minutes", 60, None, None, None),
    }
    # S71 § EPA TIMESCALE: "Training Providers should register apprentices ..." (recommended);
    # § GATEWAY: "The Gateway form must be sent to NQual ..." (mandatory)
    strengths = {g["id"]: g["strength"] for g in journey["gateway"]}
    assert (strengths["registration"], strengths["gateway-form"]) == ("recommended", "mandatory")
    # § GATEWAY: "the employer can formally confirm that the apprentice is ready": "can" is a permission (issue 19)
    assert {rid for rid, s in strengths.items() if s == "optional"} == {"employer-confirms-ready"}


# The table format runs too.
def test_journey_command_st0072_table():
    result = run("journey", "--standard", "ST0072", "--body", BODY)
    assert result.exit_code == 0, result.stderr
    assert S72 in result.stdout



@pytest.mark.parametrize("standard", ["ST0071", "ST0072"])
def test_journey_table_says_who_decides_the_number_of_attempts(standard, monkeypatch):
    # S71 and S72 § Re-sit / Re-take: "It is then up to the apprentice's employer how many attempts an apprentice is
    # given." The table said only "number of attempts: no limit set", as of Highfield's "There is no limit to the
    # number of retake/resits within the 12 months": the pack sets none, but leaves it to the employer, not open.
    # It says what the rule does (resit.attempts kind employer_decides), as the consistency report does, and quotes.
    monkeypatch.setenv("COLUMNS", "400")
    result = run("journey", "--standard", standard, "--body", BODY)
    assert result.exit_code == 0, result.stderr
    shown = " ".join(result.stdout.split())
    assert "the number of resits and retakes is left to the apprentice's employer; no number is stated (“" in shown
    assert "It is then up to the apprentice's employer how many attempts an apprentice is given.”" in shown

# ---------------------------------------------------------------------------------------- recommendations
# What each support pack advises ("should", "It is expected") and attaches no consequence to: listed by
# `epa journey` as advice, never checked. (id: topic, method, words quoted from the sentence, section.) The
# "should" items the packs word as gateway items (S71: registration 90 days before, evidence 10 working days
# before, portfolio 10-15 pieces, portfolio via ACE360 14 days before, project subject agreed at gateway) are
# gateway requirements, not repeated here.

RECOMMENDATIONS_71 = {
    # S71 § INTRODUCTION: "An apprentice for Customer Service Specialist Level 3 should typically take up to 15
    # months on programme, although this may vary depending on previous experience."
    # time on programme is how the training before gateway runs: topic on_programme, not duration (issue 19)
    "typical-time-on-programme": ("on_programme", None, "should typically take up to 15 months on programme", "INTRODUCTION"),
    # S71 § EPA Booking: "The training provider should complete the booking section on the Gateway Form or training
    # providers can arrange the booking via ACE360."
    "epa-booking": ("preparation", None, "The training provider should complete the booking section on the Gateway Form",
                    "EPA Booking"),
    # S71 § Work-Based Project Supported by an Interview: "The Work-Based Project should always take place before the
    # interview to support the Work-Based Project."
    "project-before-interview": ("order", "project", "The Work-Based Project should always take place before the interview",
                                 "Work-Based Project Supported by an Interview"),
    # S71 § MOCK OBSERVATION WITH Q&A: "A Mock Practical Observation should take 75 minutes and is likely to include 60
    # minutes of direct observation, followed by 15 minutes of post observation questioning."
    "mock-observation-duration": ("duration", "observation", "A Mock Practical Observation should take 75 minutes",
                                  "MOCK OBSERVATION WITH Q&A"),
    # S71 § MOCK WORK-BASED PROJECT: "A Mock Work-Based Project will last for 60 minutes." (a mock: read as guidance,
    # ambiguity nqual-st0071-mock-assessments)
    "mock-project-duration": ("duration", "project", "A Mock Work-Based Project will last for 60 minutes.",
                              "MOCK WORK-BASED PROJECT"),
    # S71 § MOCK PROFESSIONAL DISCUSSION: "A Mock Professional Discussion should take a maximum of 90 minutes."
    "mock-discussion-duration": ("duration", "discussion", "A Mock Professional Discussion should take a maximum of 90 minutes.",
                                 "MOCK PROFESSIONAL DISCUSSION"),
}
RECOMMENDATIONS_72 = {
    # S72 § INTRODUCTION: "An apprentice for Customer Service Practitioner Level 2 should typically take up to 12
    # months on programme, although this may vary depending on previous experience."
    "typical-time-on-programme": ("on_programme", None, "should typically take up to 12 months on programme",
                                  "INTRODUCTION"),
    # S72 § Apprentice Showcase: "It is expected that the Portfolio Submission will include elements such as work-based
    # evidence, including customer feedback, recordings, manager statements, and witness statements."
    "showcase-evidence": ("evidence", "showcase",
                          "It is expected that the Portfolio Submission will include elements such as work-based evidence",
                          "Apprentice Showcase"),
    # S72 § MOCK PRACTICAL OBSERVATION: "A Mock Observation should take 60 minutes."
    "mock-observation-duration": ("duration", "observation", "A Mock Observation should take 60 minutes.",
                                  "MOCK PRACTICAL OBSERVATION"),
    # S72 § MOCK PROFESSIONAL DISCUSSION: "A Mock Professional Discussion should take a maximum of 60 minutes."
    "mock-discussion-duration": ("duration", "discussion", "A Mock Professional Discussion should take a maximum of 60 minutes.",
                                 "MOCK PROFESSIONAL DISCUSSION"),
}
EXPECTED_RECOMMENDATIONS = {("ST0071", S71): RECOMMENDATIONS_71, ("ST0072", S72): RECOMMENDATIONS_72}
NEW_AMBIGUITIES = {"ST0071": {"nqual-st0071-project-before-interview-should-always", "nqual-st0071-mock-assessments"},
                   "ST0072": {"nqual-st0072-showcase-evidence-expected", "nqual-st0072-mock-assessments"}}


@pytest.mark.parametrize("standard,seed", list(EXPECTED_RECOMMENDATIONS))
def test_recommendations_are_encoded_as_the_document_states(standard, seed):
    rules = journey_rules(BODY, standard)
    check_recommendations(rules, EXPECTED_RECOMMENDATIONS[standard, seed], seed)
    # The "should" gateway items stay gateway requirements (S71 § EPA TIMESCALE: "Training Providers should register
    # apprentices for EPA with NQual a minimum of 90 days before assessment."), not recommendations too.
    assert not any("90 days" in r["text"] for r in rules["recommendations"])
    # Where a sentence is ambiguous between a requirement and advice, the reading is recorded.
    ambiguities = run("ambiguities", "--body", BODY, "--format", "json").json()
    assert NEW_AMBIGUITIES[standard] <= {a["id"] for a in ambiguities if a["standard"] == standard}


@pytest.mark.parametrize("standard,seed", list(EXPECTED_RECOMMENDATIONS))
def test_recommendations_quote_the_document(standard, seed):
    from epa.testing import source_text

    text = flat(source_text(seed))
    for rid, (_, _, words, _) in EXPECTED_RECOMMENDATIONS[standard, seed].items():
        assert flat(words) in text, rid


@pytest.mark.parametrize("record,standard", [("nqual-st0071-distinction.yaml", "ST0071"),
                                             ("nqual-st0072-distinction.yaml", "ST0072")])
def test_recommendations_never_make_a_record_unready(record, standard):
    # Records ready for gateway under both packs (ST0071: S71 § GATEWAY; ST0072: Level 1 English and maths,
    # S72 § GATEWAY): no recommendation changes the gateway, a deadline, a check or the grade.
    ids = set(RECOMMENDATIONS_71 if standard == "ST0071" else RECOMMENDATIONS_72)
    assert_advice_only(BODY, RECORDS / record, ids)


# How ST0072's assessments are held (001), each as the document words it, and said by `epa journey` (no other body
# offers ST0072, so no comparison shows it). § Apprentice Showcase: "The Apprentice Showcase EPA will be assessed
# remotely unless otherwise stated." § Practical Observation: "The observation can be delivered face-to-face, or
# remotely." and "The observation will take place in the apprentice's real working environment ...". § Professional
# Discussion: "The discussion will take place in an environment that is suitable for the apprentice ...". The
# showcase's and the discussion's were not encoded, nor the observation's working environment.
ST0072_CONDUCT = {
    "showcase-mode": ("showcase", "remote_unless_otherwise_stated", "Apprentice Showcase",
                      "The Apprentice Showcase EPA will be assessed remotely unless otherwise stated."),
    "observation-mode": ("observation", "face_to_face_or_remote_in_the_workplace", "Practical Observation",
                         "The observation will take place in the apprentice's real working environment"),
    "discussion-mode": ("discussion", "in_a_suitable_environment", "Professional Discussion",
                        "The discussion will take place in an environment that is suitable for the apprentice"),
}


@pytest.mark.parametrize("rule_id", sorted(ST0072_CONDUCT))
def test_st0072_how_each_assessment_is_held_is_the_documents(rule_id):
    about, value, section, words = ST0072_CONDUCT[rule_id]
    rule = only(journey_rules(BODY, "ST0072")["conduct"], rule_id)
    assert (rule["aspect"], rule["about"], rule["value"]) == ("mode", about, value)
    assert rule["citation"] == f"{S72} § {section}" and words in rule["text"]
    assert rule["strength"] == "required"
    assert flat(rule["text"]) in flat(source_text(S72))


def test_st0072_journey_table_says_how_each_assessment_is_held(monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")  # a cell's text on one line, whatever the terminal
    result = run("journey", "--standard", "ST0072", "--body", BODY)
    assert result.exit_code == 0, result.stderr
    said = flat(result.stdout)
    assert "How assessments are held" in said
    for words in ("remotely, unless otherwise stated", "face to face or remotely, in the apprentice's real working",
                  "in an environment suitable for the apprentice"):
        assert flat(words) in said, words
