"""Cohorts as Excel workbooks (issue 17): `epa compare --batch cohort.xlsx` reads a worksheet through the same path as
CSV, so a workbook and its CSV copy grade alike; date cells, numeric ids, blank formatted rows, and every kind of
file that is not a readable workbook get a clear answer. The workbooks are written here, with openpyxl."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess
import sys
import zipfile

import pytest

from conftest import any_body, fails, run
from epa.errors import InputError
from epa.inputs import cohort_xlsx

openpyxl = pytest.importorskip("openpyxl", reason="the test extra's openpyxl writes the workbooks")
pytest.importorskip("python_calamine", reason="epa reads workbooks with python-calamine")

HEADER = ["standard", "apprentice", "gateway_date", "photo_id", "portfolio_pieces", "observation", "observation_date"]
# The same cohort as a CSV export holds it, and as typed cells: the last row is a record that is rejected
CSV_ROWS = [
    ["ST0071", "A-1", "2025-06-02", "true", "12", "pass", "2025-06-20"],
    ["ST0071", "1234567890", "2025-07-01", "false", "9", "distinction", "2025-07-15"],
    ["ST0071", "A-3", "2025-02-30", "", "", "", ""],
]
CELLS = [
    ["ST0071", "A-1", dt.date(2025, 6, 2), True, 12, "pass", dt.datetime(2025, 6, 20, 0, 0)],
    ["ST0071", 1234567890, dt.date(2025, 7, 1), False, 9.0, "distinction", dt.date(2025, 7, 15)],
    ["ST0071", "A-3", "2025-02-30", None, None, None, None],
]


@pytest.fixture(autouse=True)
def _st0071():
    any_body("ST0071")  # skips without a body offering ST0071


def workbook(path, rows, *, title="Cohort", before=(), after=()):
    """Write ``rows`` (the header first) as a worksheet, with ``before`` and ``after`` sheets of their own."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, content in [*before, (title, rows), *after]:
        sheet = book.create_sheet(name)
        for row in content:
            sheet.append(row)
    book.save(path)
    return path


def csv_file(path, rows):
    path.write_text("".join(",".join(r) + "\r\n" for r in rows), encoding="utf-8")
    return path


def output(path, *options):
    result = run("compare", "--batch", str(path), *options)
    assert "Traceback" not in result.stderr
    return result.exit_code, result.stdout.replace(str(path), "COHORT")


# --- the same records, the same output ------------------------------------------------------------------------


@pytest.mark.parametrize("options", [("--format", "csv"), ("--format", "json", "--summary"),
                                     ("--format", "json", "--summary-only")])
def test_a_workbook_and_its_csv_copy_give_the_same_output_byte_for_byte(tmp_path, options):
    sheet = workbook(tmp_path / "cohort.xlsx", [HEADER, *CELLS])
    text = csv_file(tmp_path / "cohort.csv", [HEADER, *CSV_ROWS])
    code, from_sheet = output(sheet, *options)
    assert (code, from_sheet) == output(text, *options)
    assert code == 2  # the third record is rejected (30 February), by the same check, on the same line
    if "csv" in options:
        assert [r.split(",")[0] for r in from_sheet.splitlines()[1:]].count("4") == 1


@pytest.mark.parametrize("strict", [(), ("--strict",)], ids=["", "--strict"])
def test_a_column_the_header_leaves_without_a_name_is_read_as_in_the_csv_copy(tmp_path, strict):
    """A note typed beside a row, in a column whose header cell is empty: Excel's CSV copy writes each row as wide as
    the sheet (the header ends ","), and its reader leaves the column not read, named as such (a row holding a value
    in it refused under --strict). The workbook's header was cut at its last name, so that row was refused ('the row
    has 8 cells, the header names 7 columns', hinting to quote a comma) where its CSV copy was graded."""
    cells = [[*CELLS[0], "late start"], CELLS[1]]
    sheet = workbook(tmp_path / "cohort.xlsx", [HEADER, *cells])
    text = tmp_path / "cohort.csv"
    text.write_text("".join(",".join(r) + "\r\n" for r in [[*HEADER, ""], [*CSV_ROWS[0], "late start"],
                                                            [*CSV_ROWS[1], ""]]), encoding="utf-8")
    from_sheet = run("compare", "--batch", str(sheet), "--format", "csv", *strict)
    from_text = run("compare", "--batch", str(text), "--format", "csv", *strict)
    assert (from_sheet.exit_code, from_sheet.stdout) == (from_text.exit_code, from_text.stdout)
    assert from_sheet.stderr.replace(str(sheet), "C") == from_text.stderr.replace(str(text), "C")
    assert "(no name) (column 8)" in from_sheet.stderr
    rows = list(csv.DictReader(io.StringIO(from_sheet.stdout)))
    line_2 = [r for r in rows if r["line"] == "2"]
    assert {r["apprentice"] for r in line_2} == {"A-1"} and all(bool(r["error"]) == bool(strict) for r in line_2)


def test_two_workers_write_what_one_does(tmp_path):
    rows = [HEADER] + [["ST0071", f"A-{i}", dt.date(2025, 6, 2), True, 12, "pass", dt.date(2025, 6, 20)]
                       for i in range(600)]  # more than two chunks
    sheet = workbook(tmp_path / "cohort.xlsx", rows)
    one = output(sheet, "--format", "csv", "--workers", "1")
    assert one == output(sheet, "--format", "csv", "--workers", "2")
    assert one[0] == 0 and len(one[1].splitlines()) > 600


# --- cell values ----------------------------------------------------------------------------------------------


def records(path, sheet=None):
    return list(cohort_xlsx.xlsx_items(str(path), ["observation"], path.name, sheet))


def test_cells_become_the_text_a_csv_export_holds(tmp_path):
    (_, _, (first, *_)), (_, _, (second, *_)), (line, kind, (third, *_)) = records(
        workbook(tmp_path / "c.xlsx", [HEADER, *CELLS]))
    assert first == {"standard": "ST0071", "apprentice": {"id": "A-1"},
                     "gateway": {"date": "2025-06-02", "photo_id": True, "portfolio_pieces": 12},
                     "assessments": [{"method": "observation", "grade": "pass", "date": "2025-06-20"}]}
    # an id Excel stored as a number: its digits, no ".0", no exponent; 9.0 is 9; a date cell an ISO date
    assert second["apprentice"] == {"id": "1234567890"}
    assert second["gateway"] == {"date": "2025-07-01", "photo_id": False, "portfolio_pieces": 9}
    # text as it is, read as the CSV path reads it: no such date, an error naming the column
    assert (line, kind) == (4, "error") and "'2025-02-30' is not a date" in third


@pytest.mark.parametrize("cell, text", [
    (dt.date(2025, 8, 12), "2025-08-12"),  # never 45881, never 08/12/2025
    (dt.datetime(2025, 8, 12), "2025-08-12"),
    ("12/08/2025", "12/08/2025"),  # a date typed as text stays text: the CSV path reads it
    (12.0, "12"), (0.1, "0.1"), (3.5, "3.5"), (0.1 + 0.2, "0.3"),  # as Excel shows them: 15 digits
    (True, "true"), (" x ", " x "),
])
def test_a_cell_as_text(cell, text):
    assert cohort_xlsx.cell_text(cell) == text
    assert cohort_xlsx._Texts()[cell.__class__][cell] == text  # as the rows are read (each value once)


def test_an_id_longer_than_excel_keeps_is_an_error_row_not_wrong_digits(tmp_path):
    rows = [HEADER[:3], ["ST0071", 12345678901234567890, dt.date(2025, 6, 2)], ["ST0071", "A-2", dt.date(2025, 6, 2)]]
    (line, kind, refused), (_, good, _) = records(workbook(tmp_path / "c.xlsx", rows))
    assert (line, kind, good) == (2, "error", "csv")
    assert "15 significant digits" in refused.message and refused.column == "apprentice" and "Text" in refused.hint


def test_a_long_number_refuses_a_row_only_in_a_column_epa_reads(tmp_path):
    """Excel keeps 15 digits: a 17-digit employer account number (a column epa does not read, or one left out) is
    not read, so its row is graded; in a column epa reads, the row is refused naming that column and the
    apprentice."""
    header = [*HEADER[:3], "Employer Account No", "portfolio_pieces"]
    rows = [header, ["ST0071", "A-1", dt.date(2025, 6, 2), 12345678901234567, 12],
            ["ST0071", "A-2", dt.date(2025, 6, 2), 1, 12345678901234567]]
    path = workbook(tmp_path / "c.xlsx", rows)
    for options in ((), ("--column", "Employer Account No=")):
        result = run("compare", "--batch", str(path), "--format", "csv", *options)
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
        assert {r["apprentice"] for r in rows if not r["error"]} == {"A-1"}, options  # graded
        (refused,) = [r for r in rows if r["error"]]
        assert refused["apprentice"] == "A-2" and "(column portfolio_pieces)" in refused["error"]
        assert "15 significant digits" in refused["error"]


def test_blank_formatted_rows_after_the_cohort_are_no_records(tmp_path, monkeypatch):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in [HEADER[:3], ["ST0071", "A-1", dt.date(2025, 6, 2)], [], ["", "", ""], ["ST0071", "A-2", "2025-06-03"]]:
        sheet.append(row)
    bold = openpyxl.styles.Font(bold=True)
    for r in range(6, 20_000):  # as Excel keeps formatting on rows nobody filled
        for c in (1, 2, 3):
            sheet.cell(r, c).font = bold
    path = tmp_path / "c.xlsx"
    book.save(path)
    monkeypatch.setattr(cohort_xlsx, "MAX_CELLS", 1000)  # formatting alone counts no cell: 20,000 rows would
    items = records(path)
    assert [(line, kind) for line, kind, _ in items] == [(2, "csv"), (5, "csv")]
    monkeypatch.undo()
    (summary,) = output(path, "--format", "json", "--summary-only")[1].splitlines()
    assert json.loads(summary)["summary"]["records_read"] == 2


def test_a_worksheet_by_name_and_the_first_visible_one_by_default(tmp_path):
    path = workbook(tmp_path / "c.xlsx", [HEADER[:3], ["ST0071", "B-1", dt.date(2025, 6, 2)]], title="Cohort",
                    before=[("Notes", [["read me"]])])
    book = openpyxl.load_workbook(path)
    book["Notes"].sheet_state = "hidden"
    book.save(path)
    assert records(path)[0][2][0]["apprentice"] == {"id": "B-1"}
    assert records(path, "Cohort")[0][2][0]["apprentice"] == {"id": "B-1"}
    stderr = fails("compare", "--batch", str(path), "--sheet", "Cohrt")
    assert "no worksheet 'Cohrt'" in stderr and "Cohort" in stderr
    assert "--sheet" in fails("compare", "--batch", str(csv_file(tmp_path / "c.csv", [HEADER])), "--sheet", "X")


def test_a_workbook_of_two_visible_worksheets_is_refused_without_sheet(tmp_path):
    """The first visible worksheet was read without a word, where Excel's Save As CSV writes the active one: a
    cohort of last year graded for this year's (found by review). Which one is the cohort is the user's to say."""
    path = workbook(tmp_path / "c.xlsx", [HEADER[:3], ["ST0071", "NEW-1", dt.date(2025, 6, 2)]], title="2025 cohort",
                    before=[("2024 cohort", [HEADER[:3], ["ST0071", "OLD-1", dt.date(2024, 6, 3)]])])
    stderr = fails("compare", "--batch", str(path))
    assert "2 worksheets" in stderr and "--sheet" in stderr and "'2024 cohort'" in stderr and "'2025 cohort'" in stderr
    assert records(path, "2025 cohort")[0][2][0]["apprentice"] == {"id": "NEW-1"}


def test_a_formula_gives_its_stored_value_and_one_without_a_value_is_refused(tmp_path):
    path = workbook(tmp_path / "c.xlsx", [HEADER[:3], ["ST0071", "=\"A-\"&1", dt.date(2025, 6, 2)]])
    stderr = fails("compare", "--batch", str(path))  # openpyxl stores no value with a formula
    assert "has 1 formula with no stored value" in stderr and "save it" in stderr  # (not "1 formulas")
    # the same cell as Excel saves it: the formula and its value
    with zipfile.ZipFile(path) as old, zipfile.ZipFile(tmp_path / "d.xlsx", "w") as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<v />", b"<v>A-1</v>").replace(b"<c r=\"B2\"", b"<c r=\"B2\" t=\"str\"")
            if info.filename == "xl/workbook.xml":
                data = data.replace(b' fullCalcOnLoad="1"', b"")
            new.writestr(info, data)
    assert records(tmp_path / "d.xlsx")[0][2][0]["apprentice"] == {"id": "A-1"}


def test_a_cell_holding_an_excel_error_is_its_text_as_in_the_csv_not_an_empty_cell(tmp_path):
    """The reader gives #N/A as an empty cell: an optional column would silently say nothing."""
    rows = [HEADER[:4], ["ST0071", "A-1", "#N/A", "#VALUE!"], ["ST0071", "A-2", dt.date(2025, 6, 2), True]]
    sheet = workbook(tmp_path / "c.xlsx", rows)  # openpyxl writes "#N/A" as an error cell (t="e")
    assert b't="e"' in zipfile.ZipFile(sheet).read("xl/worksheets/sheet1.xml")
    (_, kind, refused), _ = records(sheet)
    assert kind == "error" and [(p["column"], p["message"].split(" is ")[0]) for p in refused.problems] == [
        ("gateway_date", "'#N/A'"), ("photo_id", "'#VALUE!'")]
    text = csv_file(tmp_path / "c.csv", [HEADER[:4], ["ST0071", "A-1", "#N/A", "#VALUE!"],
                                         ["ST0071", "A-2", "2025-06-02", "true"]])
    assert output(sheet, "--format", "json") == output(text, "--format", "json")


def test_a_cohort_below_empty_rows_has_its_own_row_numbers_and_error_cells(tmp_path):
    """A sheet whose first rows are empty (the cohort pasted at B3) was read with every row number two too high, and
    its error cells put two rows up: a #N/A grade in row 5 replaced the header's "observation" (row 3), so that
    every observation was read as booked, not graded, and nothing said so (found by review)."""
    book = openpyxl.Workbook()
    sheet = book.active
    rows = [["standard", "apprentice", "gateway_date", "observation", "observation_date"],
            ["ST0071", "A-1", dt.date(2025, 6, 2), "pass", dt.date(2025, 6, 20)],
            ["ST0071", "A-2", dt.date(2025, 6, 2), "#N/A", dt.date(2025, 6, 20)],
            ["ST0071", "A-3", "12/25/2025", "pass", dt.date(2026, 1, 5)]]
    for r, row in enumerate(rows, 3):  # rows 1 and 2 empty; column A empty
        for c, value in enumerate(row, 2):
            sheet.cell(r, c, value)
    sheet["E5"].data_type = "e"  # A-2's grade, an error cell (t="e")
    book.save(tmp_path / "c.xlsx")
    (line, kind, (first, _)), (line2, kind2, refused), (line3, kind3, month_first) = records(tmp_path / "c.xlsx")
    assert (line, kind) == (4, "csv") and first["assessments"] == [
        {"method": "observation", "grade": "pass", "date": "2025-06-20"}]
    assert (line2, kind2) == (5, "error") and "'#N/A' is not a grade" in refused[0]
    # the value showing the file month first is named at its own row, as its CSV copy names it
    assert (line3, kind3) == (6, "error") and "'12/25/2025' (line 6, column 'gateway_date')" in month_first[0]


def test_more_error_cells_than_are_kept_in_mind_refuse_the_workbook(tmp_path, monkeypatch):
    """Error cells past the number kept were read as the reader gives them, empty: a #N/A grade became an attempt
    not made, without a word (found by review). Past the bound the workbook is refused, saying what to do."""
    rows = [HEADER[:4], *[["ST0071", f"A-{n}", dt.date(2025, 6, 2), "#N/A"] for n in range(3)]]
    path = workbook(tmp_path / "c.xlsx", rows)
    monkeypatch.setattr(cohort_xlsx, "MAX_ERRORS", 3)
    assert [kind for _, kind, _ in records(path)] == ["error"] * 3  # each '#N/A' is not yes or no
    monkeypatch.setattr(cohort_xlsx, "MAX_ERRORS", 2)
    with pytest.raises(InputError, match="more than 2 cells holding an Excel error") as refused:
        records(path)
    assert "CSV UTF-8" in refused.value.hint


def test_a_workbook_counting_dates_from_1904_gives_the_same_dates(tmp_path):
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    book = openpyxl.Workbook()
    book.epoch = CALENDAR_MAC_1904  # as old Mac Excel saved them: serial numbers 1,462 days smaller
    book.active.append(HEADER[:3])
    book.active.append(["ST0071", "A-1", dt.date(2025, 6, 2)])
    book.save(tmp_path / "c.xlsx")
    assert records(tmp_path / "c.xlsx")[0][2][0]["gateway"] == {"date": "2025-06-02"}


# --- what is not a readable workbook --------------------------------------------------------------------------


def test_a_renamed_csv_is_not_read_as_a_workbook(tmp_path):
    path = tmp_path / "c.xlsx"
    path.write_text("standard,apprentice,gateway_date\nST0071,A-1,2025-06-02\n")
    stderr = fails("compare", "--batch", str(path))
    assert "not an Excel workbook" in stderr and ".csv" in stderr


@pytest.mark.parametrize("name", ["old.xls", "locked.xlsx", "old.csv"])
def test_an_ole_file_xls_or_password_protected_is_refused_with_what_to_do(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(cohort_xlsx.OLE + bytes(504))
    stderr = fails("compare", "--batch", str(path))
    assert "Excel 97-2003" in stderr and "password" in stderr and ".xlsx" in stderr


def test_a_workbook_named_csv_is_said_to_be_a_workbook(tmp_path):
    """Issue 17: a renamed workbook gave "1 rejected" and no reason."""
    path = workbook(tmp_path / "cohort.csv", [HEADER[:3], ["ST0071", "A-1", dt.date(2025, 6, 2)]])
    stderr = fails("compare", "--batch", str(path))
    assert "Excel workbook" in stderr and "name it .xlsx" in stderr


def test_a_zip_that_is_not_a_workbook_and_a_damaged_one(tmp_path):
    path = tmp_path / "c.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert "not an Excel workbook" in fails("compare", "--batch", str(path))
    good = workbook(tmp_path / "g.xlsx", [HEADER[:3]]).read_bytes()
    path.write_bytes(good[: len(good) // 2])
    assert "damaged" in fails("compare", "--batch", str(path))


def test_a_zip_bomb_is_refused_by_its_size_before_it_is_read(tmp_path, monkeypatch):
    path = tmp_path / "c.xlsx"
    rows = [HEADER[:3]] + [["ST0071", f"A-{i}", dt.date(2025, 6, 2)] for i in range(2000)]
    workbook(path, rows)
    monkeypatch.setattr(cohort_xlsx, "MAX_SHEET_XML", 50_000)  # a real bomb needs GBs: the same check, smaller
    assert "zip bomb" in fails("compare", "--batch", str(path))


def test_a_stray_cell_far_away_is_refused_not_read_into_memory(tmp_path):
    """The reader holds the used range densely: A1 and XFD1048576 would be 17 billion cells (it aborts)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER[:3])
    sheet.append(["ST0071", "A-1", dt.date(2025, 6, 2)])
    sheet["XFD1048576"] = "stray"
    book.save(tmp_path / "c.xlsx")
    stderr = fails("compare", "--batch", str(tmp_path / "c.xlsx"))
    assert "too large" in stderr and "XFD" in stderr
    sheet["XFD1048576"] = None
    sheet["Z100000"] = "stray"  # 26 columns, 100,000 rows: 2.6 million cells, within the bound
    book.save(tmp_path / "c.xlsx")
    assert len(records(tmp_path / "c.xlsx")) == 2


# --- standard input and start-up ------------------------------------------------------------------------------


def cli(*args, stdin=b""):
    return subprocess.run([sys.executable, "-m", "epa", *args], input=stdin, capture_output=True, timeout=120)


def test_a_workbook_on_standard_input_is_known_by_its_first_bytes(tmp_path):
    sheet = workbook(tmp_path / "cohort.xlsx", [HEADER, *CELLS])
    piped = cli("compare", "--batch", "-", "--format", "csv", stdin=sheet.read_bytes())
    named = cli("compare", "--batch", str(sheet), "--format", "csv")
    assert b"Traceback" not in piped.stderr
    assert (piped.returncode, piped.stdout) == (named.returncode, named.stdout) == (2, named.stdout)


def test_epa_version_does_not_import_the_workbook_reader():
    found = subprocess.run([sys.executable, "-c", "import sys; from epa.cli import main\n"
                            "try: main(['--version'])\nexcept SystemExit: pass\n"
                            "print('python_calamine' in sys.modules, 'epa.inputs.cohort_xlsx' in sys.modules)"],
                           capture_output=True, text=True, timeout=60)
    assert found.stdout.split()[-2:] == ["False", "False"]


def test_a_workbook_on_standard_input_larger_than_its_bound_is_refused_not_held(monkeypatch):
    from epa.errors import InputError

    monkeypatch.setattr(cohort_xlsx, "MAX_STDIN", 10)
    with pytest.raises(InputError, match="larger than"):
        cohort_xlsx.xlsx_items(io.BytesIO(cohort_xlsx.ZIP + bytes(20)), [], "stdin")


def test_the_help_says_the_column_options_work_for_a_workbook_and_when_sheet_is_needed():
    text = " ".join(run("compare", "--help").stdout.split())
    assert "default: the first" not in text and "needed when more than one is visible" in text
    assert "with a CSV --batch" not in text and text.count("with a CSV or .xlsx --batch") == 3
