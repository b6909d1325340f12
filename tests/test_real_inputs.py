"""Inputs as users hold them (MIS exports, Excel-saved files, cells typed by hand): each is read right or refused
clearly, naming the file, line, column or JSON path, what was expected and what to do (exit 2)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from conftest import any_body, run


@pytest.fixture(autouse=True)
def _st0071():
    any_body("ST0071")


@pytest.mark.parametrize(("ident", "written"), [(123, "123"), (1.5, "1.5"), (True, "true")])
def test_a_json_line_s_numeric_id_is_told_to_quote_it_as_a_record_file_s_is(tmp_path, ident, written):
    """A JSON line's id written as a number was refused "123 is not a string" without the hint a record file's
    (JSON or YAML) gives: quote it."""
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({"standard": "ST0071", "apprentice": {"id": ident}, "gateway": {"date": "2025-12-01"}})
                    + "\n", encoding="utf-8")
    (line,) = [json.loads(x) for x in run("compare", "--batch", str(path), "--format", "json").stdout.splitlines()]
    assert line["error"]["path"] == "$.apprentice.id" and written in line["error"]["message"]
    assert f'"{written}"' in (line["error"]["hint"] or "") and "quote" in line["error"]["hint"]


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


def test_excel_s_error_na_in_a_date_cell_is_no_na_and_stays_refused(tmp_path):
    """#N/A is a formula's lookup that failed, not "not applicable": read as no date, an optional date column would
    say nothing of it."""
    path = tmp_path / "c.csv"
    path.write_text("standard,apprentice,gateway_date,date_of_birth\nST0071,A-1,2025-12-01,#N/A\n", encoding="utf-8")
    (line,) = [json.loads(x) for x in run("compare", "--batch", str(path), "--format", "json").stdout.splitlines()]
    assert "'#N/A'" in line["error"]["message"] and "date_of_birth" in line["error"]["column"]


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


def _outcomes_row(tmp_path, **cells: str):
    """The example outcomes file's first row with ``cells`` (by column name) replaced, as its own file."""
    from conftest import example

    source = example("st0071-outcomes.csv").read_text(encoding="utf-8").splitlines()
    header, row = source[0].split(","), source[1].split(",")
    for name, value in cells.items():
        row[header.index(name)] = value
    path = tmp_path / "o.csv"
    path.write_text(source[0] + "\n" + ",".join(row) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(("written", "read"), [("31/12/1899", "1899-12-31"), ("01/01/2100", "2100-01-01"),
                                               ("1899-06-01", "1899-06-01")])
def test_an_outcomes_file_s_gateway_date_out_of_a_record_s_bounds_is_refused_as_a_record_s_is(tmp_path, written,
                                                                                                read):
    """A record's dates run from 1900-01-01 to 2099-12-31 (README "Value bounds"; compare refuses the same date in
    a record); an outcomes file's gateway date outside them was audited."""
    path = _outcomes_row(tmp_path, **{"Gateway Date": written})
    (row,) = csv.DictReader(io.StringIO(run("audit", str(path), "--format", "csv").stdout))
    assert row["agrees"] == "" and "Gateway Date" in row["error"] and "out of range" in row["error"]
    assert "1900-01-01" in row["error"] and "2099-12-31" in row["error"]
    record = tmp_path / "record.json"
    record.write_text(json.dumps({"standard": "ST0071", "apprentice": {"id": "A-1"}, "gateway": {"date": read}}))
    result = run("compare", str(record))
    assert result.exit_code == 2 and "out of range" in result.stderr
    edge = _outcomes_row(tmp_path, **{"Gateway Date": "31/12/2099"})  # (the last day within them is audited)
    (within,) = csv.DictReader(io.StringIO(run("audit", str(edge), "--format", "csv").stdout))
    assert within["error"] == "" and within["agrees"] == "true"


def test_an_empty_overall_grade_gives_the_status_a_pending_one_gives(tmp_path):
    """A row whose overall grade's cell reads Pending had the JSON status "not graded yet"; one whose cell is empty,
    not graded yet the same (README), had no status at all."""
    statuses = []
    for overall in ("", "Pending"):
        path = _outcomes_row(tmp_path, **{"Overall Grade": overall})
        first = json.loads(run("audit", str(path), "--format", "json").stdout.splitlines()[0])
        assert first["recorded"] is None and first["agrees"] is None
        statuses.append(first.get("status"))
    assert statuses == ["not graded yet", "not graded yet"]


@pytest.mark.parametrize(("text", "said"), [("", "is empty"), ("# nothing yet\n\n", "is empty"),
                                            ("~\n", "holds only null")])
def test_check_rules_on_an_empty_file_says_it_holds_no_rules_and_what_a_rules_file_is(tmp_path, text, said):
    """It said the file "holds no record", with a record's hint (standard:, apprentice:, gateway:), to an author
    checking a rules file."""
    path = tmp_path / "ST0071.yaml"
    path.write_text(text, encoding="utf-8")
    result = run("check-rules", str(path))
    assert result.exit_code != 0 and "Traceback" not in result.stderr
    shown = result.stdout + result.stderr
    assert str(path) in shown and said in shown and "holds no rules" in shown
    assert "record" not in shown and "body:" in shown and "standard:" in shown


@pytest.mark.parametrize("count", ["2", "1", ""])
def test_an_outcomes_file_s_total_row_is_said_to_be_one_as_a_cohort_s_is(tmp_path, count):
    """A spreadsheet's total row under an outcomes file's rows ("Total" in the id column, the count in the next,
    the Standard column in the example) was an error row for an apprentice 'Total' with an unknown standard '2'; a
    cohort's is refused as a total row (README), and now an outcomes file's too, its apprentice cell empty."""
    from conftest import example

    source = example("st0071-outcomes.csv").read_text(encoding="utf-8").splitlines()
    assert source[0].startswith("Apprentice ID,Standard,")
    width = source[0].count(",")
    path = tmp_path / "o.csv"
    path.write_text("\n".join([source[0], source[1], "Total," + count + "," * (width - 1)]) + "\n", encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(run("audit", str(path), "--format", "csv").stdout)))
    assert [r["line"] for r in rows] == ["2", "3"] and rows[0]["error"] == ""
    assert rows[1]["apprentice"] == "" and "total row" in rows[1]["error"]


@pytest.mark.parametrize("total", ["Total,2,,,,,,,,,,", "Total,,TQUK,03/03/2025,Pass,Pass,Pass,first,first,first,no,Pass"])
def test_an_outcomes_file_s_total_row_is_told_what_an_outcomes_file_s_row_is(tmp_path, total):
    """The hint of an outcomes file's total row said "each row of a cohort is one apprentice": `epa audit` reads no
    cohort. Each row here is refused on its own path (a cell not read; a row read and then refused)."""
    from conftest import example

    source = example("st0071-outcomes.csv").read_text(encoding="utf-8").splitlines()
    assert source[0].count(",") == total.count(",") == 11
    path = tmp_path / "o.csv"
    path.write_text("\n".join([source[0], source[1], total]) + "\n", encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(run("audit", str(path), "--format", "csv").stdout)))
    assert [r["line"] for r in rows] == ["2", "3"] and rows[1]["apprentice"] == "" and "total row" in rows[1]["error"]
    assert "cohort" not in rows[1]["error"] and "each row of an outcomes file" in rows[1]["error"], rows[1]["error"]


@pytest.mark.parametrize("word", ["TBC", "N/A", "-"])
def test_a_month_first_file_reads_a_date_cell_saying_there_is_no_date_as_an_empty_one_too(tmp_path, word):
    """A file found month first (line 4's 05/13/2006 can only be) reads its dates through the month-first check; a
    no-date word there was put into the record as null ("$.apprentice.date_of_birth: null is not a date"), so a row
    graded in a day-first file was refused. Line 2 is graded as line 3, its cells empty; line 4 is refused, naming the
    value that shows the file month first."""
    path = tmp_path / "c.csv"
    path.write_text("standard,apprentice,date_of_birth,gateway_date,observation,observation_date,project,project_date\n"
                    f"ST0071,A-1,{word},2025-12-01,,{word},pass,2026-01-12\n"
                    "ST0071,A-1,,2025-12-01,,,pass,2026-01-12\n"
                    "ST0071,A-2,05/13/2006,2025-12-01,,,pass,2026-01-12\n", encoding="utf-8")
    out = [json.loads(x) for x in run("compare", "--batch", str(path), "--format", "json").stdout.splitlines()]
    by_line: dict[int, list[dict]] = {}
    for item in out:
        by_line.setdefault(item["line"], []).append({k: v for k, v in item.items() if k not in ("line", "record")})
    assert "error" not in by_line[2][0] and by_line[2] == by_line[3]
    (refused,) = by_line[4]
    assert "'05/13/2006'" in refused["error"]["message"]


def test_a_notes_line_ending_in_a_no_date_word_is_no_row_of_the_cohort(tmp_path):
    """A quoted notes cell over two lines whose second line reads "Resit date, TBC" is no row swallowed by the cell:
    TBC in the gateway date's column is no date (a row needs one), so A-1 is graded, as it was before TBC was read
    (it became an error row, 'holds a line that reads as a row of the cohort')."""
    path = tmp_path / "c.csv"
    path.write_text('apprentice,gateway_date,standard,notes\nA-1,2025-12-01,ST0071,"Portfolio ok\nResit date, TBC"\n'
                    "A-2,2025-12-01,ST0071,fine\n", encoding="utf-8")
    out = [json.loads(x) for x in run("compare", "--batch", str(path), "--format", "json").stdout.splitlines()]
    assert [(item["line"], item["apprentice"]) for item in out] == [(2, "A-1"), (4, "A-2")]
    assert not [item for item in out if "error" in item]
