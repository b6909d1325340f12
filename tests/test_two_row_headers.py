"""A header over two rows, as MIS exports and spreadsheets with merged headings write one ('Observation' over 'Grade'
and 'Date'), or a row of formats under the header ('(dd/mm/yyyy)'): its second row was read as a record, each cell a
problem of its own ("empty: every record needs the standard" four times), none saying why, and the rows under it were
read by the first row's names alone. The cohort is refused, saying the line reads as the header's second row."""

from __future__ import annotations

import pytest

from conftest import any_body, fails, run


@pytest.fixture(autouse=True)
def _st0071():
    any_body("ST0071")  # skips without a body offering ST0071


def test_a_row_of_formats_under_the_header_is_said_to_be_the_headers_second_row(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("standard,apprentice,gateway_date,photo_id\n,,(dd/mm/yyyy),(yes/no)\n"
                    "ST0071,A-1,01/12/2025,yes\n", encoding="utf-8")
    result = run("compare", "--batch", str(path), "--format", "csv")
    assert result.exit_code == 2 and result.stdout == ""
    assert "c.csv:2" in result.stderr and "header's second row" in result.stderr
    assert "empty" not in result.stderr and "delete line 2" in result.stderr


def test_a_header_split_over_two_rows_by_merged_headings_is_refused_naming_them(tmp_path):
    openpyxl = pytest.importorskip("openpyxl", reason="the test extra's openpyxl writes the workbook")
    pytest.importorskip("python_calamine", reason="epa reads workbooks with python-calamine")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Standard", "Apprentice ID", "Gateway Date", "Observation", None])
    sheet.append([None, None, None, "Grade", "Date"])
    for merged in ("A1:A2", "B1:B2", "C1:C2", "D1:E1"):
        sheet.merge_cells(merged)
    sheet.append(["ST0071", "A-1", "2025-12-01", "pass", "2026-01-10"])
    book.save(tmp_path / "c.xlsx")
    stderr = fails("compare", "--batch", str(tmp_path / "c.xlsx"), "--format", "csv")
    assert "c.xlsx:2" in stderr and "header's second row" in stderr
    assert "'Grade' under 'Observation'" in stderr and "'Date' under 'Observation'" in stderr


def test_an_outcomes_files_second_header_row_is_refused_too(tmp_path):
    path = tmp_path / "o.csv"
    path.write_text("body,standard,apprentice,observation,project,discussion,overall\n"
                    ",,,Grade,Grade,Grade,Grade\n", encoding="utf-8")
    stderr = fails("audit", str(path))
    assert "o.csv:2" in stderr and "header's second row" in stderr


def test_a_record_missing_its_standard_is_still_a_record_refused_alone(tmp_path):
    """A row right under the header whose values are values (a grade, a date), not names, is a record: its own
    error row, and the rows after it graded."""
    path = tmp_path / "c.csv"
    path.write_text("standard,apprentice,gateway_date,observation\n,A-1,2025-12-01,pass\n"
                    "ST0071,A-2,2025-12-01,\n", encoding="utf-8")
    result = run("compare", "--batch", str(path), "--format", "csv")
    lines = result.stdout.splitlines()
    assert lines[1].startswith("2,A-1,") and "standard" in lines[1]
    assert any(line.startswith("3,A-2,") for line in lines)


def test_a_record_giving_one_format_like_value_is_still_a_record_refused_alone(tmp_path):
    """A record under the header whose standard is missing and which gives 'Y/N' in a column (as an export writes a
    flag not yet set) is its own error row, not the header's second row: on 2114bf1 the cohort was refused whole and
    line 3's record went ungraded (found by review)."""
    path = tmp_path / "c.csv"
    path.write_text("standard,apprentice,gateway_date,photo_id\n,A-1,,Y/N\nST0071,A-2,2025-12-01,\n",
                    encoding="utf-8")
    result = run("compare", "--batch", str(path), "--format", "csv")
    lines = result.stdout.splitlines()
    assert lines[1].startswith("2,A-1,") and "standard" in lines[1]
    assert any(line.startswith("3,A-2,") for line in lines)


def test_a_sparse_first_record_whose_value_is_a_word_of_a_column_s_name_is_refused_alone(tmp_path):
    """A record right under the header giving its id, its standard missing, and 'Standard' as its programme type: a
    word a column is named by, but the row gives an apprentice's id, so it is a record, its own error row, and the
    records under it graded (on e37dab5 the cohort was refused whole, 'Standard' under 'Programme Type' taken for the
    header's second row: found by the stress run)."""
    path = tmp_path / "c.csv"
    path.write_text("Standard,ULN,Programme Type,Gateway Date,Observation,Observation Date\n"
                    ",1234567890,Standard,,,\n"
                    "ST0071,2345678901,Standard,01/12/2025,Pass,20/01/2026\n", encoding="utf-8")
    result = run("compare", "--batch", str(path), "--format", "csv")
    lines = result.stdout.splitlines()
    assert lines[1].startswith("2,1234567890,") and "standard" in lines[1]
    assert any(line.startswith("3,2345678901,") for line in lines)


@pytest.mark.parametrize("label", ["ULN", "Learner Ref", "No."])
def test_a_label_under_the_id_s_column_is_a_second_header_row_still(tmp_path, label):
    """A label under 'Apprentice' ('ULN', 'Learner Ref') holds no digit, as an id does: with 'Grade' and 'Date' under
    'Observation' the row is the header's second row, refused so (on 71fa69b it was read as a record whose apprentice
    was 'ULN': found by the second review)."""
    path = tmp_path / "c.csv"
    path.write_text(f"Standard,Apprentice,Gateway Date,Observation,\n,{label},,Grade,Date\n"
                    "ST0071,A-1,01/12/2025,Pass,20/01/2026\n", encoding="utf-8")
    assert "line 2 reads as the header's second row" in fails("compare", "--batch", str(path), "--format", "csv")


def test_an_outcomes_file_s_sparse_first_row_is_refused_alone(tmp_path):
    """The same for an audit: 'EC' in the Notes of a row giving its id alone (found by the stress run)."""
    body = any_body("ST0071")
    path = tmp_path / "o.csv"
    path.write_text("Apprentice ID,Standard,EPAO,Observation Grade,Project Grade,Discussion Grade,Overall Grade,Notes\n"
                    "E0,,,,,,,EC\n"
                    f"E1,ST0071,{body},Pass,Pass,Pass,Pass,\n", encoding="utf-8")
    result = run("audit", str(path), "--format", "csv")
    lines = result.stdout.splitlines()
    assert len(lines) == 3 and lines[1].split(",")[1] == "E0" and lines[2].split(",")[1] == "E1", result.stdout


@pytest.mark.parametrize(("text", "said"), [
    ("Cohort report, December 2025\nstandard,apprentice,gateway_date\nST0071,A-1,01/12/2025\n",
     "the header looks to be line 2 (standard, apprentice, gateway_date)"),
    ("Cohort report\nGenerated 08/12/2025\n\nstandard,apprentice,gateway_date\nST0071,A-1,01/12/2025\n",
     "the header looks to be line 4 (standard, apprentice, gateway_date)"),
])
def test_a_title_above_the_header_is_refused_saying_which_line_the_header_is(tmp_path, text, said):
    """Before, the hint said to delete 'it' (a title or a note), never where the header was."""
    path = tmp_path / "c.csv"
    path.write_text(text, encoding="utf-8")
    stderr = fails("compare", "--batch", str(path))
    assert "c.csv:1:" in stderr and said in stderr, stderr


def test_a_header_split_over_two_rows_is_refused_saying_so(tmp_path):
    """'Gateway' over 'Date': the first row alone has no gateway date (before, the hint was to map a column with
    --column); the two rows, each column's names joined, read as a header."""
    path = tmp_path / "c.csv"
    path.write_text("Standard,Apprentice,Gateway,Photo\nReference,ID,Date,ID Checked\nST0071,A-1,01/12/2025,yes\n",
                    encoding="utf-8")
    stderr = fails("compare", "--batch", str(path))
    assert "the header looks split over lines 1 and 2" in stderr and "'Gateway' over 'Date'" in stderr, stderr
    assert "delete line 2" in stderr


def test_a_workbooks_title_row_and_an_outcomes_files_say_where_the_header_is(tmp_path):
    openpyxl = pytest.importorskip("openpyxl", reason="the test extra's openpyxl writes the workbook")
    pytest.importorskip("python_calamine", reason="epa reads workbooks with python-calamine")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Cohort report"])
    sheet.merge_cells("A1:C1")
    sheet.append(["standard", "apprentice", "gateway_date"])
    sheet.append(["ST0071", "A-1", "2025-12-01"])
    book.save(tmp_path / "c.xlsx")
    assert "the header looks to be line 2" in fails("compare", "--batch", str(tmp_path / "c.xlsx"))
    path = tmp_path / "o.csv"
    path.write_text("Outcomes return\nbody,standard,apprentice,observation,project,discussion,overall\n",
                    encoding="utf-8")
    assert "the header looks to be line 2" in fails("audit", str(path))
