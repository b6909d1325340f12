"""Inputs as users hold them (MIS exports, Excel-saved files, cells typed by hand): each is read right or refused
clearly, naming the file, line, column or JSON path, what was expected and what to do (exit 2)."""

from __future__ import annotations

import json

import pytest

from conftest import any_body, run


@pytest.fixture(autouse=True)
def _st0071():
    any_body("ST0071")


def test_a_json_line_s_numeric_id_is_told_to_quote_it_as_a_record_file_s_is(tmp_path):
    """A JSON line's id written as a number was refused "123 is not a string" without the hint a record file's
    (JSON or YAML) gives: quote it."""
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({"standard": "ST0071", "apprentice": {"id": 123}, "gateway": {"date": "2025-12-01"}})
                    + "\n", encoding="utf-8")
    (line,) = [json.loads(x) for x in run("compare", "--batch", str(path), "--format", "json").stdout.splitlines()]
    assert line["error"]["path"] == "$.apprentice.id" and "123" in line["error"]["message"]
    assert '"123"' in (line["error"]["hint"] or "") and "quote" in line["error"]["hint"]


NO_DATE = ["TBC", "TBA", "tbd", "To Be Confirmed", "N/A", "n/a", "NA", "-", "\u2013"]


@pytest.mark.parametrize("word", NO_DATE)
def test_a_date_cell_saying_there_is_no_date_reads_as_an_empty_one(tmp_path, word):
    """An MIS writes TBC, TBA, N/A or a dash in a date column where there is no date; each was refused "is not a
    date". Read as an empty cell is (README): a method's date so, with no grade, is no attempt and no booking, the row
    graded as the one with the empty cell; with a grade, refused as a grade with an empty date is (no result changed
    by the reading); the gateway date, which every record needs, refused saying what the cell holds."""
    path = tmp_path / "c.csv"
    path.write_text("standard,apprentice,date_of_birth,gateway_date,observation,observation_date,project,project_date\n"
                    "ST0071,A-1,,2025-12-01,,,pass,2026-01-12\n"
                    f"ST0071,A-1,{word},2025-12-01,,{word},pass,2026-01-12\n"
                    f"ST0071,A-1,,2025-12-01,pass,{word},pass,2026-01-12\n"
                    f"ST0071,A-1,,{word},,,pass,2026-01-12\n", encoding="utf-8")
    out = [json.loads(x) for x in run("compare", "--batch", str(path), "--format", "json").stdout.splitlines()]
    by_line: dict[int, list[dict]] = {}
    for item in out:
        by_line.setdefault(item["line"], []).append({k: v for k, v in item.items() if k not in ("line", "record")})
    assert "error" not in by_line[2][0] and by_line[3] == by_line[2]
    assert "observation" in by_line[4][0]["error"]["message"] and "no date" in by_line[4][0]["error"]["message"]
    (refused,) = by_line[5]
    assert refused["error"]["path"] == "$.gateway.date" and repr(word) in refused["error"]["message"]
    assert "gateway date" in refused["error"]["message"]


@pytest.mark.parametrize("word", ["TBC", "N/A", "-"])
def test_an_outcomes_file_s_gateway_date_saying_no_date_is_audited_as_an_empty_one(tmp_path, word):
    from conftest import example

    source = example("st0071-outcomes.csv").read_text(encoding="utf-8").splitlines()
    header = source[0].split(",")
    at = header.index("Gateway Date")
    cells = source[1].split(",")
    empty, said = (tmp_path / "empty.csv"), (tmp_path / "said.csv")
    empty.write_text(source[0] + "\n" + ",".join([*cells[:at], "", *cells[at + 1:]]) + "\n", encoding="utf-8")
    said.write_text(source[0] + "\n" + ",".join([*cells[:at], word, *cells[at + 1:]]) + "\n", encoding="utf-8")
    as_empty = run("audit", str(empty), "--format", "csv")
    assert as_empty.exit_code == 0 and run("audit", str(said), "--format", "csv").stdout == as_empty.stdout
