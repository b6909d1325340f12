"""A date written with a time of day, as MIS exports write one (session 10, the inputs hunt): read as its date in
every input that reads dates (a record's YAML or JSON, a request's body, a cohort's CSV, workbook or JSON Lines, an
outcomes file); one with a time zone or UTC offset refused, saying the day depends on the zone (README "Values as
people write them"; epa.inputs.dates). Each test failed on b39950b, which refused any time of day but midnight.

The expected dates are the days written before the time (20/01/2026 09:30: 20 January 2026, day first), and a
record with times is held to the same answer as the record with its dates alone."""

from __future__ import annotations

import datetime as dt
import io
import json
import sys

import pytest
import yaml

from conftest import EXAMPLES, any_body, fails, run
from epa.inputs.columns import BadCell, parse_date

TIMED = ["2026-01-20 09:30:00", "2026-01-20T09:30", "2026-01-20T09:30:00.000", "2026-01-20 9:30",
         "2026-01-20T00:00:00"]
ZONED = ["2026-01-20T23:30:00-05:00", "2026-01-20T09:30:00Z", "2026-01-20 09:30 +01:00", "2026-01-20T09:30:00+0000"]


@pytest.mark.parametrize(("written", "iso"), [
    ("20/01/2026 09:30", "2026-01-20"), ("20/01/2026 09:30:15", "2026-01-20"), ("2026-01-20 09:30:00", "2026-01-20"),
    ("2026-01-20T09:30", "2026-01-20"), ("2026-01-20t09:30", "2026-01-20"), ("20-Jan-2026 17:45", "2026-01-20"),
    ("8/12/25 23:59", "2025-12-08"), ("20/01/2026 00:00", "2026-01-20"), ("20/01/2026 9:30 AM", "2026-01-20"),
    ("20/01/2026 12:05:00 pm", "2026-01-20")])
def test_a_csv_date_with_a_time_of_day_is_its_date_read_day_first(written, iso):
    assert parse_date(written) == iso


@pytest.mark.parametrize(("written", "said"), [
    ("2026-01-20T23:30:00-05:00", "(-05:00): which day it is depends on the zone"),
    ("20/01/2026 09:30Z", "(Z): which day it is depends on the zone"),
    ("20/01/2026 09:30 UTC", "(UTC): which day it is depends on the zone"),
    ("31/02/2026 09:30", "February 2026 has no day 31"),  # an impossible date stays refused, with or without a time
    ("01/13/2026 09:30", "there is no month 13"),  # never month first
    ("20/01/2026 25:00", "is not a date"), ("20/01/2026 13:00 PM", "is not a date")])  # no time of day: kept
def test_a_csv_date_with_a_zone_or_no_such_day_is_refused(written, said):
    with pytest.raises(BadCell) as caught:
        parse_date(written)
    assert said in caught.value.message and repr(written) in caught.value.message
    if "zone" in said:
        assert caught.value.hint.startswith("give the date alone")


# --- records: YAML, JSON, standard input, a request's body --------------------------------------------------


def _record(observation_date: str) -> dict:
    data = yaml.safe_load((EXAMPLES / "st0071-observation-distinction.yaml").read_text())
    data = json.loads(json.dumps(data, default=str))
    data["assessments"][2]["date"] = observation_date
    data["assessments"][2]["notified"] = "2026-01-30 16:00"
    data["apprentice"]["date_of_birth"] = "2006-05-01T00:00:00"
    return data


def _answer(path) -> dict:
    result = run("compare", str(path), "--format", "json")
    assert result.exit_code == 0, result.stderr
    answer = json.loads(result.stdout)
    answer.pop("record")
    return answer


@pytest.mark.parametrize("written", TIMED)
@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_a_record_dated_with_times_is_graded_as_the_record_dated_with_days(tmp_path, written, suffix):
    any_body()
    plain = tmp_path / f"plain{suffix}"
    timed = tmp_path / f"timed{suffix}"
    dates = _record("2026-01-20")
    dates["assessments"][2]["notified"] = "2026-01-30"
    dates["apprentice"]["date_of_birth"] = "2006-05-01"
    # YAML written plain (unquoted), as a person types it: date: 2026-01-20 09:30:00
    dump = (lambda d: json.dumps(d)) if suffix == ".json" else (lambda d: yaml.safe_dump(d).replace("'", ""))
    plain.write_text(dump(dates))
    timed.write_text(dump(_record(written)))
    assert _answer(timed) == _answer(plain)


@pytest.mark.parametrize("written", ZONED)
def test_a_record_date_with_a_zone_is_refused_at_its_path(tmp_path, written):
    any_body()
    path = tmp_path / "record.yaml"
    path.write_text(yaml.safe_dump(_record(written)).replace("'", ""))
    said = fails("compare", str(path))
    assert f"record.yaml:{_line_of(path, written)}:" in said and "$.assessments[2].date:" in said
    assert "which day it is depends on the zone" in said and "give the date alone, as 2026-01-20" in said


def _line_of(path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_a_record_date_with_a_time_and_no_such_day_says_why(tmp_path):
    any_body()
    path = tmp_path / "record.yaml"
    path.write_text(yaml.safe_dump(_record("2026-02-30 09:30")).replace("'", ""))
    said = fails("compare", str(path))
    assert "'2026-02-30 09:30' is not a valid date: February 2026 has no day 30" in said


def test_standard_input_reads_a_date_with_a_time(tmp_path, monkeypatch):
    any_body()
    raw = json.dumps(_record("2026-01-20T09:30:00")).encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8"))
    result = run("compare", "-", "--format", "json")
    assert result.exit_code == 0, result.stderr
    attempt = json.loads(result.stdout)["results"][0]["component_details"]["observation"]
    assert attempt["attempt_date"] == "2026-01-20"


def test_a_request_body_reads_a_date_with_a_time_and_refuses_one_with_a_zone(registry):
    any_body()
    pytest.importorskip("httpx", reason="the in-process client needs httpx (the test extra)")
    from starlette.testclient import TestClient

    from epa.serve.app import create_app
    from epa.serve.settings import Settings

    with TestClient(create_app(Settings(), registry)) as client:
        plain = client.post("/compare", content=json.dumps(_record("2026-01-20")),
                            headers={"content-type": "application/json"})
        timed = client.post("/compare", content=json.dumps(_record("2026-01-20T09:30")),
                            headers={"content-type": "application/json"})
        assert plain.status_code == timed.status_code == 200, timed.text
        assert timed.json() == plain.json()
        zoned = client.post("/compare", content=yaml.safe_dump(_record("2026-01-20T23:30:00-05:00")),
                            headers={"content-type": "application/yaml"})
    assert zoned.status_code == 422 and zoned.json()["path"] == "$.assessments[2].date"
    assert "depends on the zone" in zoned.json()["detail"]


# --- cohorts: CSV, JSON Lines, a workbook -------------------------------------------------------------------


HEADER = "standard,apprentice,gateway_date,observation,observation_date,project,project_date\n"


def _graded(path) -> list[dict]:
    result = run("compare", "--batch", str(path), "--format", "json")
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_a_csv_cohort_reads_dates_with_times_as_their_dates(tmp_path):
    any_body()
    path = tmp_path / "cohort.csv"
    path.write_text(HEADER + "ST0071,A-1,01/12/2025 14:05,pass,20/01/2026 09:30,pass,2026-01-12T10:00:00\n"
                             "ST0071,A-2,01/12/2025,pass,20/01/2026 09:30 +00:00,pass,12/01/2026\n")
    first, second = _graded(path)
    details = first["results"][0]["component_details"]
    assert (details["observation"]["attempt_date"], details["project"]["attempt_date"]) == ("2026-01-20", "2026-01-12")
    assert second["error"]["column"] == "observation_date" and "depends on the zone" in second["error"]["message"]


def test_a_json_lines_cohort_reads_dates_with_times_as_their_dates(tmp_path):
    any_body()
    path = tmp_path / "cohort.jsonl"
    path.write_text(json.dumps(_record("2026-01-20 09:30:00")) + "\n" + json.dumps(_record("2026-01-20")) + "\n"
                    + json.dumps(_record("2026-01-20T09:30:00Z")) + "\n")
    timed, plain, zoned = _graded(path)
    for answer in (timed, plain):
        answer.pop("line"), answer.pop("record")
    assert timed == plain
    assert zoned["error"]["path"] == "$.assessments[2].date" and "depends on the zone" in zoned["error"]["message"]


def test_a_workbook_cell_holding_a_date_and_time_is_its_date(tmp_path):
    any_body()
    openpyxl = pytest.importorskip("openpyxl", reason="the test extra's openpyxl writes the workbook")
    pytest.importorskip("python_calamine", reason="epa reads workbooks with python-calamine")
    book = openpyxl.Workbook()
    book.active.append(HEADER.strip().split(","))
    book.active.append(["ST0071", "A-1", dt.datetime(2025, 12, 1, 0, 0), "pass", dt.datetime(2026, 1, 20, 9, 30),
                        "pass", dt.datetime(2026, 1, 12, 23, 59, 59)])
    book.save(tmp_path / "cohort.xlsx")
    (answer,) = _graded(tmp_path / "cohort.xlsx")
    details = answer["results"][0]["component_details"]
    assert (details["observation"]["attempt_date"], details["project"]["attempt_date"]) == ("2026-01-20", "2026-01-12")


def test_a_month_first_file_is_refused_whole_with_times_too(tmp_path):
    """The ambiguity handling holds: 12/25/2025 shows the file month first, so 03/04/2025 09:30 is not read."""
    any_body()
    path = tmp_path / "cohort.csv"
    path.write_text(HEADER + "ST0071,A-1,12/25/2025 10:00,pass,03/04/2026 09:30,pass,2026-01-12\n")
    (answer,) = _graded(path)
    assert "look month first (US)" in answer["error"]["message"]


# --- an outcomes file ----------------------------------------------------------------------------------------


def test_an_outcomes_file_reads_a_gateway_date_with_a_time(tmp_path):
    any_body()
    rows = (EXAMPLES / "st0071-outcomes.csv").read_text().splitlines()
    timed = [rows[0], rows[1].replace("03/03/2025", "03/03/2025 11:15"),
             rows[1].replace("03/03/2025", "2025-03-03T11:15:00-05:00")]
    (tmp_path / "plain.csv").write_text("\n".join(rows[:2]) + "\n")
    (tmp_path / "timed.csv").write_text("\n".join(timed) + "\n")
    plain = [json.loads(line) for line in run("audit", str(tmp_path / "plain.csv"), "--format", "json").stdout
             .splitlines()]
    first, zoned, _ = [json.loads(line) for line in run("audit", str(tmp_path / "timed.csv"), "--format", "json")
                       .stdout.splitlines()]
    assert first == plain[0]
    assert zoned["error"]["column"] == "Gateway Date" and "depends on the zone" in zoned["error"]["message"]
