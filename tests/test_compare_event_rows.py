"""`epa compare`: where bodies count one event's deadline from different dates, each body's deadline is alone on its
own row (``deadline:EVENT:ANCHOR``), so the event's row (``deadline:EVENT``: each body's worst verdict on its
deadlines there, whatever date each counts from) is a row of `differences` too, where the verdicts differ. Every
date below is worked by hand from the documents' sentences."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from conftest import OUR_BODIES, ROOT
from epa.testing import ok_json, requires, run

FOUR = ",".join(OUR_BODIES)
WINDOW = "deadline:every_method"
EVIDENCE = "deadline:evidence_submitted"
PORTFOLIO = "deadline:portfolio_submitted"


def _record(tmp_path, last: str) -> str:
    """Gateway 2025-01-06, the EPA's start 2025-02-03; the methods' first attempts on consecutive days, the last
    (the discussion) on ``last``."""
    end = dt.date.fromisoformat(last)
    data = {"standard": "ST0071", "apprentice": {"id": "A1"}, "gateway": {"date": "2025-01-06"},
            "dates": {"epa_start": "2025-02-03"},
            "assessments": [{"method": m, "grade": "pass", "date": (end - dt.timedelta(days=2 - i)).isoformat()}
                            for i, m in enumerate(("observation", "project", "discussion"))]}
    path = tmp_path / f"record-{last}.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def _said(out: dict, row: str) -> dict[str, str]:
    return {body: given["verdict"] for body, given in out["journey_differences"][row].items()}


# The 3-month EPA window, by hand. From gateway (2025-01-06 + 3 months = 2025-04-06): 000 § GATEWAY "All EPA
# activity will take place no later than 3 months from Gateway."; 004 § Key information "EPA duration Up to 3
# months", read from gateway (gateway-quals-epa-window-anchor). From the EPA's start (2025-02-03 + 3 months =
# 2025-05-03): 003 § EPA Window "All EPA components must be completed within three months of the start of the
# end-point assessment period."; 002 § Component 2: Interview "The interview will take place before the 3-month
# end-point assessment period.". Each body's deadline is alone on its row: no row of its own can differ.


@requires(*OUR_BODIES)
def test_the_window_missed_from_gateway_and_met_from_the_epa_start_is_a_difference(tmp_path):
    # The last first attempt on 2025-04-07: a day after 2025-04-06 (missed: NQual, Gateway Qualifications), within
    # 2025-05-03 (met: Highfield, TQUK). Before, compare said every body agrees.
    out = ok_json("--bodies", FOUR, "compare", _record(tmp_path, "2025-04-07"), definition="compare")
    assert out["differences"] == [WINDOW]
    assert out["journey_differences"][WINDOW] == {
        "gateway_quals": {"verdict": "missed", "rules": ["epa-window"]},
        "highfield": {"verdict": "met", "rules": ["epa-window-3-months"]},
        "nqual": {"verdict": "missed", "rules": ["epa-window"]},
        "tqual": {"verdict": "met", "rules": ["epa-window"]}}


@requires(*OUR_BODIES)
@pytest.mark.parametrize("last", ["2025-04-06", "2025-05-04"])
def test_the_window_kept_or_missed_by_every_body_is_no_difference(tmp_path, last):
    # 2025-04-06: on the day both windows allow (no later than 3 months from gateway, within 3 months of the start):
    # met by all four. 2025-05-04: a day after 2025-05-03, so after both: missed by all four. Their deadlines count
    # from different dates, and their verdicts agree: nothing differs. The project report is not dated: TQUK counts
    # its deadline from the planning meeting, not dated either (unknown), the others from the interview (open);
    # neither is a verdict on the report, so that is no difference either.
    out = ok_json("--bodies", FOUR, "compare", _record(tmp_path, last), definition="compare")
    assert out["differences"] == [] and "journey_differences" not in out
    table = run("--bodies", FOUR, "compare", _record(tmp_path, last))
    assert table.exit_code == 0 and "All bodies agree." in table.stdout, table.stderr


@requires(*OUR_BODIES)
def test_the_table_marks_the_event_and_says_each_bodys_deadline_and_the_date_it_counts_from(tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "300")
    table = run("--bodies", FOUR, "compare", _record(tmp_path, "2025-04-07"))
    assert table.exit_code == 0, table.stderr
    [marked] = [line for line in table.stdout.splitlines() if line.startswith("deadline every method (")]
    assert "whatever date each counts from" in marked
    assert marked.split()[-5:] == ["≠", "missed", "met", "missed", "met"]  # the bodies in order, one line a row
    why = table.stdout.split("Why they differ", 1)[1]
    # Gateway Qualifications' and Highfield's start is the tool's reading (004 § Key information: 'EPA duration Up
    # to 3 months'; 002's 3-month end-point assessment period), and the explanation says so; NQual's and TQUK's
    # documents name theirs (000: 'within 3 months of gateway'; 003 § EPA Window: 'the start of the EPA period')
    reading = ", the tool's reading: the document does not say which date this counts from)"
    for body, due in (("gateway_quals", f"by 2025-04-06 (3 months after gateway on 2025-01-06{reading}"),
                      ("highfield", f"by 2025-05-03 (3 months after EPA start on 2025-02-03{reading}"),
                      ("nqual", "by 2025-04-06 (3 months after gateway on 2025-01-06)"),
                      ("tqual", "by 2025-05-03 (3 months after EPA start on 2025-02-03)")):
        said = why.split(f"\n{body} ", 1)[1]
        assert due in said.split("\n")[0], body


@requires(*OUR_BODIES)
def test_the_service_marks_it_too(tmp_path, registry):
    pytest.importorskip("starlette", reason="epa serve needs starlette (a dependency of epa)")
    pytest.importorskip("httpx", reason="the in-process client needs httpx (the test extra)")
    from starlette.testclient import TestClient

    from epa.serve.app import create_app
    from epa.serve.settings import Settings

    with TestClient(create_app(Settings(), registry)) as client:
        answer = client.post("/compare", content=Path(_record(tmp_path, "2025-04-07")).read_bytes(),
                             headers={"content-type": "application/json"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["differences"] == [WINDOW]
    assert _said(answer.json(), WINDOW) == {"gateway_quals": "missed", "highfield": "met", "nqual": "missed",
                                            "tqual": "met"}


@requires("gateway_quals", "nqual")
def test_the_journey_examples_evidence_missed_by_gateway_and_in_time_before_the_first_assessment(tmp_path):
    # examples/st0071-journey.yaml: evidence submitted 2025-09-08, gateway 2025-09-03, first assessment (the project)
    # 2025-11-10. 004 § 2.2 EPA Gateway: "Before the apprentice can enter the EPA Gateway process, the following
    # evidence is required", due by the gateway date: missed. 000 § EPA TIMESCALE "All evidence should be uploaded to
    # NQual a minimum of 10 working days prior to EPA." and § GATEWAY "The Gateway form must be sent to NQual a
    # minimum of 10 working days before End-Point Assessment is carried out, along with the evidence listed above.":
    # 10 working days before Monday 2025-11-10 is Monday 2025-10-27 (no bank holiday between): met. Highfield and
    # TQUK state no deadline on it and are not compared.
    out = ok_json("--bodies", "gateway_quals,nqual", "compare", str(ROOT / "examples" / "st0071-journey.yaml"),
                  definition="compare")
    assert EVIDENCE in out["differences"]
    assert out["journey_differences"][EVIDENCE] == {
        "gateway_quals": {"verdict": "missed", "rules": ["gateway-evidence-before-gateway"]},
        "nqual": {"verdict": "met", "rules": ["evidence-upload-10-working-days", "gateway-form-10-working-days"]}}


def _portfolio(tmp_path, submitted: str, observation: str) -> str:
    data = {"standard": "ST0071", "apprentice": {"id": "A1"}, "gateway": {"date": "2025-01-06"},
            "dates": {"portfolio_submitted": submitted},
            "assessments": [{"method": "observation", "grade": "pass", "date": observation},
                            {"method": "discussion", "grade": "pass", "date": "2025-02-17"}]}
    path = tmp_path / "portfolio.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


@requires(*OUR_BODIES)
def test_the_portfolio_late_only_before_the_first_assessment_is_a_difference(tmp_path):
    # The portfolio in on 2025-01-21, the observation (the first assessment) on 2025-02-03, the discussion on
    # 2025-02-17. 000 § PORTFOLIO SUBMISSION "An apprentice's portfolio should be submitted via ACE360 no later than
    # 14 days prior to End-Point Assessment.": by 2025-01-20, missed (advice). Two weeks before the discussion,
    # 2025-02-03, met by all four (000: "should", 002, 003, 004: "must"): that row does not differ.
    out = ok_json("--bodies", FOUR, "compare", _portfolio(tmp_path, "2025-01-21", "2025-02-03"), definition="compare")
    assert out["differences"] == [PORTFOLIO]
    assert _said(out, PORTFOLIO) == {"gateway_quals": "met", "highfield": "met", "nqual": "missed (advice)",
                                     "tqual": "met"}
    assert out["journey_differences"][PORTFOLIO]["nqual"]["rules"] == ["portfolio-14-days", "discussion-portfolio"]


@requires(*OUR_BODIES)
def test_a_split_the_events_own_row_tells_is_told_once(tmp_path):
    # The portfolio in on 2025-02-07, the observation on 2025-02-10: 000's 14 days before it, by 2025-01-27, and two
    # weeks before the discussion, by 2025-02-03, both advice: missed (advice); the others' "must" two weeks before
    # the discussion: missed. The row from the discussion says exactly that: the event's row is not added.
    out = ok_json("--bodies", FOUR, "compare", _portfolio(tmp_path, "2025-02-07", "2025-02-10"), definition="compare")
    assert out["differences"] == ["deadline:portfolio_submitted:discussion"]
    assert _said(out, "deadline:portfolio_submitted:discussion") == {
        "gateway_quals": "missed", "highfield": "missed", "nqual": "missed (advice)", "tqual": "missed"}


@requires("gateway_quals", "nqual")
def test_a_fail_not_yet_resat_is_no_difference_where_no_body_says_a_deadline_is_missed(tmp_path):
    # The observation failed on 2025-02-03, the project and discussion passed on 2025-02-10 and 2025-02-17; no resit
    # yet. 004 § 4. Re-sits and re-takes: a resit within three months of the fail's notification (2025-05-17, the
    # notification once every method is assessed, § 3): none recorded, the window open. 000 § Re-sit / Re-take: "All
    # assessment methods must be taken within a 12-month period": every method taken from 2025-02-03 to
    # 2025-02-17, met. Neither body says the record broke a deadline: the resit's row is not a difference (it had been
    # marked ≠ on nearly every record with a fail not yet resat).
    data = {"standard": "ST0071", "apprentice": {"id": "A1"}, "gateway": {"date": "2025-01-06"},
            "assessments": [{"method": "observation", "grade": "fail", "date": "2025-02-03"},
                            {"method": "project", "grade": "pass", "date": "2025-02-10"},
                            {"method": "discussion", "grade": "pass", "date": "2025-02-17"}]}
    path = tmp_path / "fail.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    out = ok_json("--bodies", "gateway_quals,nqual", "compare", str(path), definition="compare")
    status = {r["body"]: {d["id"]: d["status"] for d in r["deadlines"]} for r in out["results"]}
    assert status["gateway_quals"]["resit-within-three-months.observation"] == "open"
    assert status["nqual"]["all-methods-12-months"] == "met"
    assert "deadline:resit" not in out["differences"]
    # A resit on 2025-05-18, after Gateway Qualifications' 2025-05-17, within NQual's 12 months: missed against met.
    data["assessments"].append({"method": "observation", "kind": "resit", "grade": "pass", "date": "2025-05-18"})
    path.write_text(json.dumps(data), encoding="utf-8")
    out = ok_json("--bodies", "gateway_quals,nqual", "compare", str(path), definition="compare")
    assert _said(out, "deadline:resit") == {"gateway_quals": "missed", "nqual": "met"}


def _block(stdout: str) -> dict[str, str]:
    """The text under 'Also missed or unmet', by body (a body's id starts its first line)."""
    assert "Also missed or unmet" in stdout, stdout
    said: dict[str, str] = {}
    body = ""
    for line in stdout.split("Also missed or unmet", 1)[1].splitlines()[1:]:
        if line.startswith("more with --show"):
            break
        if line[:1].strip():
            body, _, line = line.partition(" ")
        said[body] = said.get(body, "") + " " + line.strip()
    return said


@requires(*OUR_BODIES)
def test_a_window_every_body_misses_is_said_without_show(tmp_path, monkeypatch):
    # 2025-05-04: after both 2025-04-06 and 2025-05-03 (worked above), missed by all four alike: no difference, yet
    # the plain table must say it. Before, it said "All bodies agree." and nothing of a deadline unless --show
    # deadlines. None of the four sentences above says what follows a late EPA: each body's line says so.
    monkeypatch.setenv("COLUMNS", "300")
    table = run("--bodies", FOUR, "compare", _record(tmp_path, "2025-05-04"))
    assert table.exit_code == 0, table.stderr
    [missed] = [line for line in table.stdout.splitlines() if line.startswith("deadlines missed")]
    assert missed.split()[2:] == ["1", "1", "1", "1"] and "≠" not in missed
    said = _block(table.stdout)
    for body, due in (("gateway_quals", "by 2025-04-06"), ("highfield", "by 2025-05-03"), ("nqual", "by 2025-04-06"),
                      ("tqual", "by 2025-05-03")):
        assert f"{due} (3 months after" in said[body], body
        assert "missed (the document states no consequence for missing it)" in said[body], body


@requires(*OUR_BODIES)
def test_gateway_requirements_every_body_finds_unmet_are_said(tmp_path, monkeypatch):
    # No portfolio, its declaration, photo ID or gateway form: 000 § GATEWAY (portfolio, gateway form), 002 §
    # Readiness for end-point assessment (portfolio), 003 § Gateway Considerations (photo ID, portfolio), 004 § 2.2
    # (the EPA Gateway Meeting Record) each need one: every body is not ready, so no row differs, and before the
    # table said "no" four times and nothing of why.
    monkeypatch.setenv("COLUMNS", "300")
    data = {"standard": "ST0071", "apprentice": {"id": "A1", "date_of_birth": "2000-03-15",
                                                 "start_date": "2023-08-04", "english": "level2", "maths": "level2"},
            "gateway": {"date": "2024-09-03", "portfolio": False, "portfolio_declaration": False, "photo_id": False,
                        "gateway_form": False}}
    path = tmp_path / "record.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    table = run("--bodies", FOUR, "compare", str(path))
    assert table.exit_code == 0, table.stderr
    [ready] = [line for line in table.stdout.splitlines() if line.startswith("gateway ready")]
    assert ready.split()[2:] == ["no", "no", "no", "no"]
    said = _block(table.stdout)
    for body in OUR_BODIES:
        assert "gateway: " in said[body] and ": not provided" in said[body], body


@requires("nqual")
def test_grade_says_a_missed_window_without_show(tmp_path, monkeypatch):
    # 000 § GATEWAY "All EPA activity will take place no later than 3 months from Gateway.": 2025-04-06, worked
    # above; the last first attempt on 2025-05-04, missed. Before, `epa grade` said nothing of it unless --show.
    monkeypatch.setenv("COLUMNS", "300")
    table = run("grade", "--body", "nqual", _record(tmp_path, "2025-05-04"))
    assert table.exit_code == 0, table.stderr
    missed = table.stdout.split("Missed, or outside a tolerance:\n", 1)[1]
    assert missed.startswith("• deadline: ") and "by 2025-04-06 (3 months after gateway on 2025-01-06)" in missed
    assert "missed (the document states no consequence for missing it)" in missed.splitlines()[0]


@requires("highfield")
@pytest.mark.parametrize("command", [["grade", "--body", "highfield"], ["compare"]])
def test_a_resit_window_missed_is_said_once(tmp_path, monkeypatch, command):
    # The journey example's project failed, notified 2025-11-14; its resit moved to 2027-12-11. 002 § Retake and
    # resit information: "apprentices should complete retake/resits within 12 months": by 2026-11-14, missed. The
    # window's step under "Why" begins with its deadline's words; the deadline was said again, under "Missed, or
    # outside a tolerance" (grade) and as the event row's deadline under "Why they differ" (compare).
    monkeypatch.setenv("COLUMNS", "300")
    text = (ROOT / "examples" / "st0071-journey.yaml").read_text(encoding="utf-8")
    assert text.count("date: 2025-12-11") == 1 and text.count("notified: 2025-12-19") == 1
    path = tmp_path / "late.yaml"
    path.write_text(text.replace("date: 2025-12-11", "date: 2027-12-11").replace("notified: 2025-12-19",
                                                                                 "notified: 2027-12-19"),
                    encoding="utf-8")
    table = run(*command, str(path))
    assert table.exit_code == 0, table.stderr
    assert table.stdout.count("Retakes/resits completed within 12 months: by 2026-11-14") == 1, table.stdout
