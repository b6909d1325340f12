"""Cohorts as providers hold them (session 14, the inputs hunt): each test failed on 0ff2ba6.

Dates as MIS and Excel exports write them (a weekday before the date, a month's name first, eight digits), each read
where only one day is meant and refused, naming the cell and the form to use, where it could be another; Excel's
``sep=`` line; under --strict, a nameless column's error row naming the row's apprentice; a byte-order mark inside a
JSON line's string."""

from __future__ import annotations

import csv
import io
import json

import pytest

from conftest import any_body, graded, run
from epa.inputs import columns
from epa.inputs.columns import BadCell, parse_date


@pytest.fixture(autouse=True)
def _fresh_dates():
    columns._dates.clear()  # (parse_date remembers each value's reading: each test reads afresh)


# --- dates as exports write them -----------------------------------------------------------------------------
# 1 December 2025 is a Monday (25 December 2025 is a Thursday, 24 days later: 3 weeks and 3 days), 12 January 2025
# a Sunday (1 January 2025 was a Wednesday), 25 December 2025 a Thursday.


@pytest.mark.parametrize("written", [
    "Mon 01/12/2025", "Monday 01/12/2025", "Mon, 01/12/2025", "Monday 1 December 2025", "Monday, 1 December 2025",
    "Mon 1 Dec 2025", "Mon, 1 Dec 2025", "MONDAY 1ST DECEMBER 2025", "Monday, December 1, 2025",
    "Dec 1, 2025", "December 1, 2025", "December 1st, 2025", "Dec 1 2025", "Dec. 1, 2025", "dec 01, 2025",
    "01122025", "20251201", "Mon 01/12/2025 09:30", "Dec 1, 2025 9:30 AM"])
def test_a_date_an_export_writes_is_read(written):
    assert parse_date(written) == "2025-12-01"


def test_a_weekday_that_agrees_with_the_day_first_reading_is_read():
    assert parse_date("Sun 12/01/2025") == "2025-01-12"


@pytest.mark.parametrize(("written", "said"), [
    # a weekday the date is not: the day is in doubt (one of the two is mistyped)
    ("Tue 01/12/2025", "1 December 2025 is a Monday, not a Tuesday"),
    ("Friday 1 December 2025", "1 December 2025 is a Monday, not a Friday"),
    # 12/01/2025 day first is Sunday 12 January; month first, Monday 1 December: the weekday says month first
    ("Mon 12/01/2025", "12 January 2025 is a Sunday, not a Monday"),
    # a two-digit year after a month's name first: could be the day's (Dec 25) or the year's
    ("Dec 1, 25", "two-digit year"),
    # eight digits that are no day day first (no month 25) nor year first (no month 20): month first, never read
    ("12252025", "month first"),
    ("99999999", "is not a date"),
    # a weekday alone, or a word that is no weekday before a date
    ("Monday", "is not a date"),
    ("Mo 01/12/2025", "is not a date"),
])
def test_a_date_in_doubt_is_refused_saying_why(written, said):
    with pytest.raises(BadCell) as refused:
        parse_date(written)
    assert said in refused.value.message and refused.value.hint


def test_a_weekday_the_date_is_not_names_the_other_reading_where_it_fits():
    with pytest.raises(BadCell) as refused:
        parse_date("Mon 12/01/2025")
    assert "2025-12-01" in refused.value.hint  # month first, 1 December is a Monday: the hint shows it, for the user


def test_an_export_of_dates_with_weekdays_and_month_names_is_graded(tmp_path):
    any_body("ST0071")
    text = ("standard,apprentice,gateway_date,observation,observation_date\r\n"
            "ST0071,A-1,\"Monday, December 1, 2025\",pass,Mon 08/12/2025\r\n"
            "ST0071,A-2,20251201,pass,\"Dec 8, 2025\"\r\n"
            "ST0071,A-3,Tue 01/12/2025,pass,08122025\r\n")
    code, rows = graded(tmp_path, text, "json")
    assert code == 2
    assert [r["apprentice"] for r in rows[:2]] == ["A-1", "A-2"]
    assert all(r["results"] for r in rows[:2])
    error = rows[2]["error"]
    assert error["column"] == "gateway_date" and "not a Tuesday" in error["message"]


def test_eight_digit_dates_in_a_month_first_file_are_refused(tmp_path):
    """01122025 is 1 December day first, 12 January month first: in a file whose 12252025 can only be month first
    (there is no month 25) it is refused, as 01/12/2025 is, never read as 1 December."""
    any_body("ST0071")
    text = ("standard,apprentice,gateway_date\r\n"
            "ST0071,A-1,12252025\r\n"
            "ST0071,A-2,01122025\r\n")
    code, rows = graded(tmp_path, text, "json")
    assert code == 2
    assert "month first" in rows[1]["error"]["message"] and "'12252025'" in rows[1]["error"]["message"]


def test_a_weekday_before_a_month_first_date_shows_the_file_month_first(tmp_path):
    any_body("ST0071")
    text = ("standard,apprentice,gateway_date,observation,observation_date\r\n"
            "ST0071,A-1,Thu 12/25/2025,,\r\n"
            "ST0071,A-2,2025-12-01,pass,03/04/2026\r\n")
    code, rows = graded(tmp_path, text, "json")
    assert code == 2
    assert "month first" in rows[1]["error"]["message"] and "'Thu 12/25/2025'" in rows[1]["error"]["message"]


@pytest.mark.parametrize("typed", [str, int])  # a cell of text, or the number Excel makes of eight digits typed
def test_eight_digit_dates_in_a_month_first_workbook_are_refused(tmp_path, typed):
    """As in a CSV file: 10012025 is 10 January day first, 1 October month first; a workbook whose 12252025 can
    only be month first has it refused, never read as 10 January."""
    any_body("ST0071")
    openpyxl = pytest.importorskip("openpyxl", reason="the test extra's openpyxl writes the workbook")
    pytest.importorskip("python_calamine", reason="epa reads workbooks with python-calamine")
    book = openpyxl.Workbook()
    sheet = book.active
    for row in (["standard", "apprentice", "gateway_date"], ["ST0071", "A-1", typed("12252025")],
                ["ST0071", "A-2", typed("10012025")]):
        sheet.append(row)
    path = tmp_path / "c.xlsx"
    book.save(path)
    result = run("compare", "--batch", str(path), "--format", "json")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.exit_code == 2
    assert "month first" in rows[1]["error"]["message"] and "'12252025'" in rows[1]["error"]["message"]


# --- a byte-order mark inside a JSON line's string --------------------------------------------------------------


@pytest.mark.parametrize("written", ["\\ufeffA-3", "\\uFEFFA-3", "\ufeffA-3", "A-\\ufeff3"])
def test_a_byte_order_mark_inside_a_json_lines_id_is_no_text(tmp_path, written):
    """As in a CSV cell or a workbook's: the id shown is A-3, so it is A-3, the same apprentice as the line before,
    never a second apprentice whose id looks the same."""
    any_body("ST0071")
    line = '{"standard": "ST0071", "apprentice": {"id": "%s"}, "gateway": {"date": "2025-12-01"}}\n'
    text = (line % "A-3") + (line % written)
    code, rows = graded(tmp_path, text, "json", name="c.jsonl")
    assert code == 0 and [r["apprentice"] for r in rows] == ["A-3", "A-3"]


def test_an_escaped_backslash_before_ufeff_is_text(tmp_path):
    r"""``\\ufeff`` in JSON is a backslash and the letters ufeff: text, kept."""
    any_body("ST0071")
    text = '{"standard": "ST0071", "apprentice": {"id": "A\\\\ufeff3"}, "gateway": {"date": "2025-12-01"}}\n'
    code, rows = graded(tmp_path, text, "json", name="c.jsonl")
    assert code == 0 and rows[0]["apprentice"] == "A\\ufeff3"


# --- under --strict, a value in a nameless column --------------------------------------------------------------


@pytest.mark.parametrize("ident", ["A-1", '="00123"'])
def test_a_value_in_a_nameless_column_names_the_rows_apprentice_under_strict(tmp_path, ident):
    any_body("ST0071")
    text = f"standard,apprentice,gateway_date,\r\nST0071,{ident},2025-12-01,x\r\n"
    code, rows = graded(tmp_path, text, "csv", "--strict")
    assert code == 2 and len(rows) == 1
    assert rows[0]["apprentice"] == ("00123" if ident.startswith("=") else ident)
    assert "column 4 has no name" in rows[0]["error"]


# --- Excel's sep= line, and a list separator other than a comma --------------------------------------------------


def _outcomes(rows: list[dict]) -> dict[tuple[int, str], str]:
    """Each CSV output row's line and apprentice, and its body's overall grade (or its error)."""
    return {(int(r["line"]), r["apprentice"]): r["overall"] or r["error"] for r in rows if r["body"] in ("", "tqual")}


COMMA = ("standard,apprentice,gateway_date,observation,observation_date,note\r\n"
         "ST0071,A-1,01/12/2025,pass,08/12/2025,\"good, on time\"\r\n"
         ",,,,,\r\n"
         "ST0071,A-2,01/12/2025,,08/12/2025,\r\n")


@pytest.mark.parametrize(("separator", "first"), [(",", "sep=,\r\n"), (";", "sep=;\r\n"), ("\t", "sep=\t\r\n"),
                                                  ("|", "sep=|\r\n"), (";", ""), ("\t", "")])
def test_a_csv_with_another_list_separator_or_excels_sep_line_is_read(tmp_path, separator, first):
    """Excel writes "sep=;" as a CSV's first line to name its separator, and a European (or tab-delimited) export
    separates cells with ';' (or a tab): read as the same cohort separated by commas, each line by its own number."""
    any_body("ST0071")
    assert "tqual" in run("bodies").stdout or pytest.skip("the outcomes compared are TQUK's")
    text = COMMA.replace(",", separator).replace(f'"good{separator} on time"', '"good, on time"')
    code, rows = graded(tmp_path, first + text, "csv")
    _, plain = graded(tmp_path, COMMA, "csv", name="plain.csv")
    shift = 1 if first else 0
    assert code == 0
    assert _outcomes(rows) == {(line + shift, who): said for (line, who), said in _outcomes(plain).items()}
    assert {who for _, who in _outcomes(rows)} == {"A-1", "A-2"}


def test_a_sep_line_naming_no_separator_is_refused_saying_so(tmp_path):
    any_body("ST0071")
    path = tmp_path / "c.csv"
    path.write_text("sep=ab\r\n" + COMMA)
    result = run("compare", "--batch", str(path), "--format", "csv")
    assert result.exit_code == 2 and "sep=ab" in result.stderr and "Traceback" not in result.stderr


# --- a grade column saying the assessment is not graded yet ----------------------------------------------------


@pytest.mark.parametrize("word", ["Pending", "BOOKED", "Scheduled", "Awaiting Result", "awaiting grade", "TBC",
                                  "Not yet graded", "Result pending"])
def test_a_grade_cell_saying_not_graded_yet_is_a_booking_as_an_empty_one(tmp_path, word):
    """An MIS writes the state of an assessment booked and not yet graded in its grade column: the row is the same
    record as with the cell left empty (README: a method with a date and no grade is a booked assessment)."""
    any_body("ST0071")
    header = "standard,apprentice,gateway_date,observation,observation_date\r\n"
    code, rows = graded(tmp_path, header + f"ST0071,A-1,01/12/2025,{word},08/12/2025\r\n", "json")
    _, empty = graded(tmp_path, header + "ST0071,A-1,01/12/2025,,08/12/2025\r\n", "json", name="empty.csv")
    assert code == 0 and "error" not in rows[0]
    assert rows == [{**empty[0], "record": rows[0]["record"]}]


@pytest.mark.parametrize("word", ["N/A", "-", "Absent"])
def test_a_grade_cell_that_could_say_otherwise_is_still_refused(tmp_path, word):
    """N/A may say the method does not apply, a dash anything, Absent an attempt missed: none is read as booked."""
    any_body("ST0071")
    text = f"standard,apprentice,gateway_date,observation,observation_date\r\nST0071,A-1,01/12/2025,{word},08/12/2025\r\n"
    code, rows = graded(tmp_path, text, "json")
    assert code == 2 and "is not a grade" in rows[0]["error"]["message"]


# --- a total row after the last record --------------------------------------------------------------------------


@pytest.mark.parametrize("total", ["Total,5,,,", "TOTALS,,,,", "Grand Total:,,,5,", ",Total,,5,", "Count,5,,,"])
def test_a_total_row_is_an_error_row_saying_so(tmp_path, total):
    """A spreadsheet's total row under the records was refused as a record missing its gateway date, the count read
    as an apprentice's id ('5'): it is an error row saying it is a total, not a record, naming no apprentice."""
    any_body("ST0071")
    text = ("Standard,Apprentice ID,Gateway Date,Observation,Observation Date\r\n"
            "ST0071,A-1,01/12/2025,pass,08/12/2025\r\n" + total + "\r\n")
    code, rows = graded(tmp_path, text, "csv")
    assert code == 2
    error = [r for r in rows if r["error"]]
    assert len(error) == 1 and error[0]["line"] == "3" and error[0]["apprentice"] == ""
    assert "a total row" in error[0]["error"] and "delete" in error[0]["error"]


# --- a row of group headings (merged cells) above the header ----------------------------------------------------


@pytest.mark.parametrize("groups", ["Learner,,,Observation,,Project,", "Learner Details,,,Observation,,,"])
@pytest.mark.parametrize("command", ["compare", "audit"])
def test_a_row_of_group_headings_above_the_header_is_told_to_be_deleted(tmp_path, groups, command):
    """Merged cells over groups of columns ("Observation" over its grade and date) export as a first line of a few
    names and empty cells: the refusal's hint said to map the standard's column with --column, which no map can
    fix; it says what the line is and to delete it."""
    any_body("ST0071")
    path = tmp_path / "c.csv"
    path.write_text(groups + "\r\nStandard,Apprentice ID,Gateway Date,Observation Grade,Observation Date,Overall,"
                    "Project Grade\r\nST0071,A-1,01/12/2025,Pass,08/12/2025,Pass,Pass\r\n")
    result = run(command, *(("--batch",) if command == "compare" else ()), str(path))
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert "headings over groups of columns" in result.stderr and "--column" not in result.stderr


# --- numbers in a file separated by semicolons ---------------------------------------------------------------------


@pytest.mark.parametrize(("separator", "written", "read"), [(",", '"1,200"', 1200), (";", "1,200", None),
                                                            (";", "1.200", None), (";", "12,0", None), (";", "12", 12),
                                                            ("\t", "1,200", None), ("\t", "12", 12)])
def test_a_grouped_number_in_a_semicolon_file_is_refused_as_either(tmp_path, separator, written, read):
    """Where ';' separates the cells, the file's locale writes a decimal comma (why its list separator is not one):
    1,200 there is 1.2 as likely as 1200, so it is refused, never read as 1200; so too where tabs separate them (a
    tab-delimited export's locale is not known: the review found 1,200 read as 1200 there); with commas between
    cells, a quoted 1,200 is 1200 as ever."""
    any_body("ST0071")
    cells = ["standard", "apprentice", "gateway_date", "portfolio_pieces"], ["ST0071", "A-1", "01/12/2025", written]
    text = "".join(separator.join(row) + "\r\n" for row in cells)
    code, rows = graded(tmp_path, text, "json")
    if read is None:
        assert code == 2 and "semicolons or tabs" in rows[0]["error"]["message"]
        assert rows[0]["error"]["column"] == "portfolio_pieces"
    else:
        assert code == 0 and "error" not in rows[0]


@pytest.mark.parametrize("first", ["", "sep=;\r\n"])
def test_an_outcomes_file_separated_by_semicolons_is_audited_as_its_comma_copy(tmp_path, first):
    any_body("ST0071")
    from conftest import EXAMPLES

    rows = list(csv.reader(io.StringIO((EXAMPLES / "st0071-outcomes.csv").read_text())))
    text = io.StringIO()
    csv.writer(text, delimiter=";", lineterminator="\r\n").writerows(rows)
    path = tmp_path / "o.csv"
    path.write_text(first + text.getvalue(), newline="")
    semicolons = run("audit", str(path), "--format", "json")
    commas = run("audit", str(EXAMPLES / "st0071-outcomes.csv"), "--format", "json")
    assert "Traceback" not in semicolons.stderr and semicolons.exit_code == commas.exit_code
    summary, plain = (json.loads(r.stdout.splitlines()[-1])["summary"] for r in (semicolons, commas))
    counted = ("rows", "agree", "disagree", "not_graded", "rejected", "failed", "bodies")  # (lines shift by sep=;)
    assert [summary[k] for k in counted] == [plain[k] for k in counted]
