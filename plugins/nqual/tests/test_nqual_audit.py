"""NQual's rules re-read against its two support packs (session 11's audit): what the audit found unrecorded.

Sources: ``000_75563123dfdaaed6.txt`` (ST0071, S71) and ``001_b8a29f12b00d3850.txt`` (ST0072, S72). Every
expected value below is quoted from them.
"""

from __future__ import annotations

import pytest

from epa.testing import dump_record, requires, run

pytestmark = requires("nqual")

BODY = "nqual"
S71 = "000_75563123dfdaaed6.txt"
S72 = "001_b8a29f12b00d3850.txt"


def ambiguities(standard: str) -> list[dict]:
    result = run("ambiguities", "--body", BODY, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return [a for a in result.json() if a["standard"] == standard]


# Neither pack says what its "V1.2" / "V1.1" numbers: each is printed after the standard's name on the title page,
# and the ST0072 pack's footer names a different document version of its own. The tool labels each document by
# that number ("NQual Support Pack v1.2"), a reading TQUK's ruleset records for its own title-line version and
# NQual's did not.
#   S71 § End-Point Assessment: "Customer Service Specialist Level 3 (V1.2)" / "Support Pack"
#   S72 § End-Point Assessment: "Customer Service Practitioner Level 2 (V1.1) Support Pack"; footer "Support Pack:
#   Customer Service Practitioner Level 2 (V1.1) Property of NQual Ltd | Document Version: CSP2-APP-01"
@pytest.mark.parametrize("standard, source, printed", [
    ("ST0071", S71, ["Customer Service Specialist Level 3 (V1.2)"]),
    ("ST0072", S72, ["Customer Service Practitioner Level 2 (V1.1) Support Pack", "Document Version: CSP2-APP-01"]),
])
def test_the_document_version_reading_is_recorded(standard, source, printed):
    found = [a for a in ambiguities(standard)
             if a["citation"].startswith(source) and all(p in a["text_says"] for p in printed)]
    assert len(found) == 1, f"no ambiguity records what {source}'s version number names"
    [entry] = found
    assert entry["version"] in entry["reading"]  # the reading says which number the tool labels the document by


def grade(tmp_path, data: dict) -> dict:
    path = dump_record(tmp_path, data)
    result = run("grade", "--body", BODY, str(path), "--format", "json")
    assert result.exit_code == 0, result.stderr
    return result.json()


# S71 § Re-sit / Re-take: "All assessment methods must be taken within a 12-month period, otherwise the entire EPA
# will need to be resat / retaken." (S72: "within a 6-month period"); S71 / S72 § GATEWAY: "All EPA activity will
# take place no later than 3 months from Gateway." (no consequence stated). An EPA with no fail whose last first
# attempt comes 13 months after the first: gateway 2025-09-15 + 3 months = 2025-12-15, so the 3-month window is
# missed. The tool checks the 12- (6-) month period only once a fail has opened it, so it asks for no full retake
# here: the reading the ruleset now records (at 482b50f its reading said "first attempts included" and nothing of
# this case, which the sentence read alone would send back to the start).
@pytest.mark.parametrize("standard, methods, window", [
    ("ST0071", ("observation", "project", "discussion"), "nqual-st0071-resit-window-anchor"),
    ("ST0072", ("showcase", "observation", "discussion"), "nqual-st0072-resit-window-anchor"),
])
def test_a_fail_free_epa_past_the_period_is_the_recorded_reading(tmp_path, standard, methods, window):
    dates = ("2025-10-06", "2025-10-20", "2026-11-03")
    data = {"standard": standard, "apprentice": {"id": "NQ-SPREAD"}, "gateway": {"date": "2025-09-15"},
            "assessments": [{"method": m, "date": d, "grade": "pass"} for m, d in zip(methods, dates, strict=True)]}
    result = grade(tmp_path, data)
    [epa_window] = [d for d in result["deadlines"] if d["id"] == "epa-window"]
    assert (epa_window["date"], epa_window["status"]) == ("2025-12-15", "missed")
    assert (result["overall"], result["full_retake_required"]) == ("pass", False)
    [reading] = [a["reading"] for a in ambiguities(standard) if a["id"] == window]
    assert "no fail" in reading and "never as needing the whole EPA again" in reading


# S71 § GATEWAY and S72 § GATEWAY: "The Gateway form must be sent to NQual a minimum of 10 working days before
# End-Point Assessment is carried out, along with the evidence listed above." A record saying the form was not sent
# (gateway.gateway_form false) is not ready, however early its evidence went in; one saying it was, with the
# evidence in 10 working days before the first assessment (Mon 2025-10-06 - 10 working days = Mon 2025-09-22), is.
# At 482b50f only the lead time was checked (against dates.evidence_submitted): the form itself never was, so a
# record without it was ready.
@pytest.mark.parametrize("standard, methods", [
    ("ST0071", ("observation", "project", "discussion")),
    ("ST0072", ("showcase", "observation", "discussion")),
])
@pytest.mark.parametrize("sent", [False, True])
def test_the_gateway_form_must_be_sent(tmp_path, standard, methods, sent):
    dates = ("2025-10-06", "2025-10-20", "2025-10-20")
    data = {"standard": standard,
            "apprentice": {"id": "NQ-FORM", "date_of_birth": "2004-04-12", "start_date": "2024-05-06",
                           "english": "level2", "maths": "level2"},
            "gateway": {"date": "2025-09-15", "portfolio": True, "portfolio_pieces": 12, "portfolio_declaration": True,
                        "gateway_form": sent},
            "dates": {"evidence_submitted": "2025-09-15"},
            "assessments": [{"method": m, "date": d, "grade": "pass"} for m, d in zip(methods, dates, strict=True)]}
    result = grade(tmp_path, data)
    [lead_time] = [d for d in result["deadlines"] if d["id"] == "gateway-form-10-working-days"]
    assert (lead_time["date"], lead_time["status"]) == ("2025-09-22", "met")
    assert result["gateway"]["ready"] is sent
    form = {r["id"]: r for r in result["gateway"]["requirements"]}["gateway-form-sent"]
    assert (form["status"], form["mandatory"]) == ("met" if sent else "unmet", True)   # "must be sent"
    assert form["citation"] == f"{S71 if standard == 'ST0071' else S72} § GATEWAY"
