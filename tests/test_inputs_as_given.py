"""How epa reads what users give it (session 10, the inputs hunt): each test failed on b39950b.

A DOS end-of-file mark after a cohort's last line; a blank apprentice id; YAML's 1e3 in a text field; a column map's
yes/no; `epa audit`'s standard input, its did-you-mean for a method's date and a row missing two grades; the hint
for a list of records, by the command given it."""

from __future__ import annotations

import io
import json
import sys

import pytest
import yaml

from conftest import EXAMPLES, any_body, fails, run

CTRL_Z = "\x1a"


# --- a DOS end-of-file mark (Ctrl-Z) after the last line --------------------------------------------------------


def _rows(result) -> list[str]:
    return result.stdout.splitlines()[1:]


@pytest.mark.parametrize("ending", [CTRL_Z, CTRL_Z + "\r\n", CTRL_Z + "\n", "<no line end>" + CTRL_Z])
@pytest.mark.parametrize("example", ["st0071-cohort.csv", "st0071-cohort.jsonl"])
def test_a_ctrl_z_ending_a_cohort_is_no_record(tmp_path, example, ending):
    any_body()
    text = (EXAMPLES / example).read_text()
    path = tmp_path / f"cohort.{example.rsplit('.', 1)[1]}"
    path.write_text(text.rstrip("\r\n") + CTRL_Z if ending.startswith("<") else text + ending, newline="")
    result = run("compare", "--batch", str(path), "--format", "csv")
    assert result.exit_code == 0, result.stdout
    assert _rows(result) == _rows(run("compare", "--batch", str(EXAMPLES / example), "--format", "csv"))


def test_a_ctrl_z_ending_standard_input_is_no_record(monkeypatch):
    any_body()
    raw = (EXAMPLES / "st0071-cohort.csv").read_bytes() + b"\x1a\r\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8"))
    result = run("compare", "--batch", "-", "--format", "csv")
    assert result.exit_code == 0 and "error" not in "".join(_rows(result)), result.stdout


def test_a_ctrl_z_ending_an_outcomes_file_is_no_row(tmp_path):
    any_body()
    path = tmp_path / "outcomes.csv"
    path.write_text((EXAMPLES / "st0071-outcomes.csv").read_text() + CTRL_Z + "\r\n", newline="")
    answer = json.loads(run("audit", str(path), "--format", "json").stdout.splitlines()[-1])["summary"]
    # The example's six rows, each audited or refused as without the mark (a row of a body not installed is refused,
    # so the rejected count is the installed bodies' own: the mark adds none).
    plain = json.loads(run("audit", str(EXAMPLES / "st0071-outcomes.csv"), "--format", "json").stdout.splitlines()[-1])
    assert answer["rows"] == 6 and answer == plain["summary"] | {"file": answer["file"]}


@pytest.mark.parametrize("example", ["st0071-cohort.csv", "st0071-cohort.jsonl"])
def test_a_ctrl_z_before_the_last_line_stays_an_error(tmp_path, example):
    any_body()
    lines = (EXAMPLES / example).read_text().splitlines()
    path = tmp_path / f"cohort.{example.rsplit('.', 1)[1]}"
    path.write_text("\n".join([*lines[:2], CTRL_Z, *lines[2:]]) + "\n")
    result = run("compare", "--batch", str(path), "--format", "json")
    assert result.exit_code == 2
    assert [json.loads(line)["line"] for line in result.stdout.splitlines() if '"error"' in line] == [3]


# --- a blank apprentice id ---------------------------------------------------------------------------------------


def _example_record(**apprentice) -> dict:
    data = yaml.safe_load((EXAMPLES / "st0071-observation-distinction.yaml").read_text())
    data = json.loads(json.dumps(data, default=str))
    data["apprentice"].update(apprentice)
    return data


@pytest.mark.parametrize("blank", ["  ", "\t", "\u00a0", "\u200b", "\ufeff "])  # (zero-width, BOM: no mark shown)
@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_a_blank_id_is_refused_in_a_record_as_in_a_csv_row(tmp_path, blank, suffix):
    any_body()
    path = tmp_path / f"record{suffix}"
    path.write_text(json.dumps(_example_record(id=blank), indent=2))
    said = fails("compare", str(path))
    assert f"record{suffix}:4:11: " in said and "$.apprentice.id: " in said
    assert "is blank: every record needs the apprentice's id" in said


def test_a_blank_id_is_an_error_row_in_a_json_lines_cohort(tmp_path):
    any_body()
    path = tmp_path / "cohort.jsonl"
    path.write_text(json.dumps(_example_record(id="   ")) + "\n" + json.dumps(_example_record()) + "\n")
    result = run("compare", "--batch", str(path), "--format", "json")
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert result.exit_code == 2 and second["apprentice"] == "A-0001"
    assert first["error"]["path"] == "$.apprentice.id" and "blank" in first["error"]["message"]


# --- YAML's 1e3 where text is read --------------------------------------------------------------------------------


def test_an_ambiguous_number_in_a_text_field_is_told_to_be_quoted_first(tmp_path):
    any_body()
    path = tmp_path / "record.yaml"
    path.write_text((EXAMPLES / "st0071-observation-distinction.yaml").read_text().replace("id: A-0001", "id: 1e3"))
    said = fails("compare", str(path))
    assert "$.apprentice.id: '1e3' means text to YAML 1.1 and 1000 to YAML 1.2" in said
    assert "hint: write '1e3' quoted (the field is text), or '1000' if the number 1000 is meant" in said


def test_an_ambiguous_number_in_a_number_field_still_leads_with_the_number(tmp_path):
    any_body()
    path = tmp_path / "record.yaml"
    text = (EXAMPLES / "st0071-observation-distinction.yaml").read_text()
    path.write_text(text.replace("portfolio_pieces: 12", "portfolio_pieces: 1e1"))
    said = fails("compare", str(path))
    assert "hint: write 10, or '1e1' quoted if a string is meant" in said


# --- a column map's yes/no --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("written", "said"), [
    ("false", "false (a yes/no)"), ("no", "no, read as false (a yes/no)"),
    ("Yes", "Yes, read as true (a yes/no)"), ("12", "12, read as a number"), ("[a]", "a list")])
def test_a_column_maps_value_that_is_no_field_is_said_as_written(tmp_path, written, said):
    any_body()
    columns = tmp_path / "columns.yaml"
    columns.write_text(f"Learner No: apprentice\nEmployer: {written}\n")
    refused = fails("compare", "--batch", str(EXAMPLES / "provider-export.csv"), "--columns", str(columns))
    assert f"columns.yaml:2:11: the column 'Employer' is mapped to {said}, not a field" in refused
    assert "False" not in refused and "True" not in refused
    assert "hint: write the field it holds (Employer: FIELD), or ~ to leave it out (Employer: ~)" in refused


# --- epa audit ---------------------------------------------------------------------------------------------------


def _audit_stdin(monkeypatch, raw: bytes, *args: str):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8"))
    return run("audit", "-", *args)


def test_audit_names_standard_input_as_the_other_commands_do(monkeypatch):
    any_body()
    said = _audit_stdin(monkeypatch, b"x,y\n1,2\n").stderr
    assert said.startswith("error: <stdin>:1: the header has no column for the standard")
    said = _audit_stdin(monkeypatch, b"").stderr
    assert said.startswith("error: <stdin>: the input is empty")


def test_audit_without_standard_input_is_refused_not_an_internal_error(monkeypatch):
    monkeypatch.setattr(sys, "stdin", None)
    result = run("audit", "-")
    assert result.exit_code == 2 and result.stderr.startswith("error: <stdin>: no standard input to read")


def test_audit_suggests_no_attempt_column_for_a_methods_date(tmp_path):
    any_body()
    path = tmp_path / "outcomes.csv"
    path.write_text((EXAMPLES / "st0071-outcomes.csv").read_text().replace("Observation Attempt", "Observation Date",
                                                                           1))
    result = run("audit", str(path))
    assert '"Observation Date" (column 8)' in result.stdout + result.stderr
    assert "did you mean observation_attempt" not in result.stdout + result.stderr


def test_audit_names_an_empty_component_grade_where_the_overall_grade_is_recorded(tmp_path):
    body = any_body()
    header, first, *_ = (EXAMPLES / "st0071-outcomes.csv").read_text().splitlines()
    cells = first.split(",")
    names = header.split(",")
    cells[names.index("Observation Grade")] = ""
    cells[names.index("EPAO")] = body  # (the example's first row is TQUK's, which may not be installed)
    path = tmp_path / "outcomes.csv"
    path.write_text(f"{header}\n{','.join(cells)}\n")
    (row, _) = (json.loads(line) for line in run("audit", str(path), "--format", "json").stdout.splitlines())
    assert row["error"]["column"] == "Observation Grade"
    assert "the row gives no observation grade" in row["error"]["message"]
    # with the overall grade empty too, the row is not graded yet: nothing to audit, and no error
    cells[names.index("Overall Grade")] = ""
    path.write_text(f"{header}\n{','.join(cells)}\n")
    (row, _) = (json.loads(line) for line in run("audit", str(path), "--format", "json").stdout.splitlines())
    assert "error" not in row and (row["recorded"], row["agrees"]) == (None, None)


# --- a list of records, by the command given it -------------------------------------------------------------


def _listed(tmp_path) -> str:
    path = tmp_path / "records.json"
    path.write_text(json.dumps([_example_record(), _example_record(id="A-0002")]))
    return str(path)


def test_a_list_of_records_given_to_grade_names_the_cohort_command_for_its_body(tmp_path):
    body = any_body()
    said = fails("grade", "--body", body, _listed(tmp_path))
    assert "this is a list of 2 records, not one record" in said
    assert f"epa --bodies {body} compare --batch FILE.jsonl" in said
    cohort = str(EXAMPLES / "st0071-cohort.csv")
    assert f"grade a cohort with: epa --bodies {body} compare --batch {cohort}" in fails("grade", "--body", body, cohort)


def test_a_list_of_records_given_to_compare_names_compare_batch(tmp_path):
    any_body()
    said = fails("compare", _listed(tmp_path))
    assert "with epa compare --batch FILE.jsonl" in said


def test_a_list_of_records_sent_to_the_service_names_its_batch_endpoint(registry, tmp_path):
    any_body()
    pytest.importorskip("httpx", reason="the in-process client needs httpx (the test extra)")
    from starlette.testclient import TestClient

    from epa.serve.app import create_app
    from epa.serve.settings import Settings

    raw = json.dumps([_example_record(), _example_record(id="A-0002")])
    with TestClient(create_app(Settings(), registry)) as client:
        answer = client.post("/compare", content=raw, headers={"content-type": "application/json"})
        cohort = client.post("/compare", content=(EXAMPLES / "st0071-cohort.jsonl").read_bytes(),
                             headers={"content-type": "application/json"})
    assert answer.status_code == 422 and "POST /batch" in answer.json()["hint"]
    assert "epa compare" not in answer.json()["hint"]
    assert cohort.status_code in (400, 422) and "POST /batch" in cohort.json()["hint"]
