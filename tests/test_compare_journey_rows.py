"""`epa compare`: a deadline's and a tolerance check's verdicts are rows of `differences`, matched across bodies by
the deadline's event and anchor (a check's method and measure), since each body's rule ids differ."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import OUR_BODIES, ROOT, offering
from epa.testing import ok_json, requires, run

FOUR = ",".join(OUR_BODIES)
PORTFOLIO = "deadline:portfolio_submitted:discussion"


def _record(tmp_path, portfolio: str | None) -> str:
    data = {"standard": "ST0071", "apprentice": {"id": "A1"}, "gateway": {"date": "2025-01-06"},
            "assessments": [{"method": "discussion", "date": "2025-02-06", "grade": "pass"}]}
    if portfolio:
        data["dates"] = {"portfolio_submitted": portfolio}
    path = tmp_path / "record.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


@requires(*OUR_BODIES)
def test_a_missed_requirement_beside_missed_advice_differs(tmp_path):
    # 000: the portfolio "should be submitted to NQual two weeks prior to the Professional Discussion date";
    # 002, 003, 004: "must". Discussion 2025-02-06, due 2025-01-23; 2025-01-27 is 4 days late for all four.
    out = ok_json("--bodies", FOUR, "compare", _record(tmp_path, "2025-01-27"), definition="compare")
    assert out["differences"] == [PORTFOLIO]
    assert {b: v["verdict"] for b, v in out["journey_differences"][PORTFOLIO].items()} == {
        "gateway_quals": "missed", "highfield": "missed", "nqual": "missed (advice)", "tqual": "missed"}


@requires(*OUR_BODIES)
def test_a_date_kept_is_kept_whatever_the_force_of_its_rule(tmp_path):
    # On the due date (2025-01-23, 14 days before the discussion) every body's deadline is met: the advice and the
    # requirement agree, so nothing differs and the answer is as it was before deadlines were compared.
    for portfolio in ("2025-01-23", None):  # kept, or not recorded (open for all)
        out = ok_json("--bodies", FOUR, "compare", _record(tmp_path, portfolio), definition="compare")
        assert out["differences"] == [] and "journey_differences" not in out


@requires(*OUR_BODIES)
def test_a_check_differs_where_one_body_is_outside_and_a_body_stating_no_tolerance_is_not_compared():
    # examples/st0071-journey.yaml: a 58-minute observation. 004 § 2.5 "Duration 60 minutes (+10% ...)": 60 to 66,
    # outside; 002 and 003: 60 minutes +/-10%, 54 to 66, within; 000 "lasting 60 minutes" states no tolerance, so
    # NQual gives no verdict. Gateway readiness differs as before (maths level 1 at 17: 002 and 004). The project,
    # failed and resat with a distinction: 002 § Retake and resit information "The maximum grade awarded to a resit
    # will be pass" caps Highfield's project at pass; the others cap the overall grade, not the method's.
    # Its 9 minutes of questioning: 002 § Assessing the practical observation (with Q&As) "should not exceed 15% of
    # the total time allowed for the practical observation", the time allowed up to 66 minutes: 9.9, within; 003 §
    # Questioning Session, in the same words, 9.9 (tqual-questioning-15-percent-vs-10-minutes), within, and its "up to
    # 10 minutes" kept; 004 § 2.5 "should not exceed 15% of the total time", read as the time it took: 15% of the 58
    # minutes, 8.7, outside (advice). Its evidence, in on 2025-09-08, five days after gateway: 004 § 2.2 due by the
    # gateway date, missed; 000's 10 working days before the first assessment (2025-11-10), by 2025-10-27, met: the
    # event's row (tests/test_compare_event_rows.py works it).
    out = ok_json("--bodies", FOUR, "compare", str(ROOT / "examples" / "st0071-journey.yaml"), definition="compare")
    assert out["differences"] == ["project", "gateway_ready", "check:observation:duration_minutes",
                                  "check:observation:questioning_minutes", "deadline:evidence_submitted"]
    assert out["journey_differences"] == {"deadline:evidence_submitted": {
        "gateway_quals": {"verdict": "missed", "rules": ["gateway-evidence-before-gateway"]},
        "nqual": {"verdict": "met", "rules": ["evidence-upload-10-working-days", "gateway-form-10-working-days"]}},
        "check:observation:duration_minutes": {
        "gateway_quals": {"verdict": "outside", "rules": ["observation-duration"]},
        "highfield": {"verdict": "within", "rules": ["observation-duration"]},
        "tqual": {"verdict": "within", "rules": ["observation-duration"]}},
        "check:observation:questioning_minutes": {
        "gateway_quals": {"verdict": "outside (advice)", "rules": ["observation-questioning"]},
        "highfield": {"verdict": "within", "rules": ["observation-questioning-share"]},
        "tqual": {"verdict": "within",
                  "rules": ["observation-questioning-minutes", "observation-questioning-share"]}}}


@requires(*OUR_BODIES)
def test_the_batch_compares_the_decisions_only(tmp_path):
    # --batch (the engine's decisions, summarised) compares grades, readiness, the cap and a full retake: a cohort
    # line keeps those rows, so its summary counts what the CSV rows show.
    record = Path(_record(tmp_path, "2025-01-27"))
    cohort = tmp_path / "cohort.jsonl"
    cohort.write_text(record.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    result = run("--bodies", FOUR, "compare", "--batch", str(cohort), "--format", "json")
    assert result.exit_code == 0, result.stderr
    line = json.loads(result.stdout.splitlines()[0])
    assert line["differences"] == [] and "journey_differences" not in line


def test_gateway_ready_is_shown_beside_how_many_requirements_have_no_evidence(tmp_path, monkeypatch):
    # A record giving its gateway date and nothing else of its gateway: "ready" (no mandatory requirement shown unmet,
    # README) must not read as shown ready. The table counts, beside it, the requirements each body lists `unknown`.
    offering("ST0071", "the record the test compares")
    data = {"standard": "ST0071", "apprentice": {"id": "A1"}, "gateway": {"date": "2025-01-06"},
            "assessments": [{"method": "discussion", "date": "2025-02-06", "grade": "pass"}]}
    path = tmp_path / "record.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    results = ok_json("compare", str(path), definition="compare")["results"]
    unknown = [len(r["gateway"]["unknown"]) for r in results]
    monkeypatch.setenv("COLUMNS", "200")  # one line a row
    table = run("compare", str(path))
    assert table.exit_code == 0, table.stderr
    shown = [line.split()[2:] for line in table.stdout.splitlines() if line.startswith("gateway unknown ")]
    assert shown == ([[str(n) for n in unknown]] if any(unknown) else [])
