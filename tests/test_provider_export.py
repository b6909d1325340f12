"""Cohorts as providers hold them (issue 17): a CSV export as an MIS or a spreadsheet writes it, graded as it is.

Columns by meaning (names folded, aliases, a column map, the columns not read named once), values as people write
them (UK dates, `Distinction`, `Level 2`, `Y`), booked assessments as planned attempts, rows of empty cells as no
record, and every problem of a row named by its column. The fixture examples/provider-export.csv is written by
bench/provider_export.py; the grades expected of its rows are read from the bodies' documents, cited at each test.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
from pathlib import Path

import pytest

from conftest import EXAMPLES, any_body, fails, run, valid
from epa.errors import InputError
from epa.testing import requires

EXPORT = EXAMPLES / "provider-export.csv"


@pytest.fixture(autouse=True)
def _st0071():
    any_body("ST0071")  # the export is an ST0071 cohort: skips, saying why, where no installed body offers it
BENCH = Path(__file__).resolve().parent.parent / "bench"


def _cells(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def _header(cells, column_map=None, methods=("observation", "project", "discussion")):
    from epa.inputs.cohort_input import CsvHeader

    return CsvHeader(cells, methods, "cohort.csv:1", column_map)


def _json_lines(result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines()]


def _write(tmp_path: Path, text: str, name: str = "c.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


# --- the fixture, as it is ---------------------------------------------------------------------------------------


def test_the_fixture_is_what_its_generator_writes(tmp_path):
    spec = importlib.util.spec_from_file_location("provider_export", BENCH / "provider_export.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.write(tmp_path / "export.csv")
    assert (tmp_path / "export.csv").read_bytes() == EXPORT.read_bytes()


def test_the_fixture_is_written_as_an_mis_writes_it():
    raw = EXPORT.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\r\n") == raw.count(b"\n")
    rows = _cells(EXPORT)
    assert rows[0][:5] == ["Standard", "Apprentice ID", "Employer", "Date of Birth", "Start Date"]
    assert "Photo ID" in rows[0] and "Gateway Date" in rows[0]
    assert rows[-1] == [""] * len(rows[0])  # Excel's trailing rows
    body = rows[1:-4]
    assert len(body) == 300
    grades = {c for r in body for c in (r[10], r[12], r[14])}
    assert {"Distinction", "PASS", "Pass"} <= grades and "Level 2" in {r[5] for r in body}
    assert sum(1 for r in body if r[14] == "" and r[15]) > 100  # booked: a date, no grade yet


def test_the_export_as_it_is_grades_every_row_naming_employer_as_not_read():
    result = run("compare", "--batch", str(EXPORT), "--summary-only", "--format", "json")
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)["summary"]
    # the four rows of empty cells are no records: 300 read, not 304
    assert (summary["records_read"], summary["results_written"], summary["rejected"]) == (300, 300, 0)
    notes = [line for line in result.stderr.splitlines() if line.startswith("note:")]
    assert notes == [f'note: {EXPORT}: 1 column not read (epa has no field for it): "Employer" (column 3)']
    # and in the summary (issue 17: "named once, together, on stderr and in the summary")
    assert summary["columns_not_read"] == ['"Employer" (column 3)']
    valid(json.loads(result.stdout), "batch_summary")

def test_the_table_summary_names_the_columns_not_read(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    table = run("compare", "--batch", str(EXPORT)).stdout
    assert 'Columns not read (epa has no field for them): "Employer" (column 3)' in table


def test_the_export_as_csv_rows_has_no_error_rows():
    result = run("compare", "--batch", str(EXPORT), "--format", "csv")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {r["error"] for r in rows} == {""}
    assert len({r["line"] for r in rows}) == 300


def _highfield(lines: list[dict], apprentice: str) -> dict:
    (found,) = [r for r in lines if r.get("apprentice") == apprentice]
    (result,) = [r for r in found["results"] if r["body"] == "highfield"]
    return result


@pytest.fixture(scope="module")
def graded() -> list[dict]:
    result = run("compare", "--batch", str(EXPORT), "--format", "json")
    assert result.exit_code == 0, result.stderr
    return _json_lines(result)


# Highfield's kit for ST0071 (002_a4f677c7c4e5fdb6.txt § Grading): a fail in any of the three methods fails the
# apprenticeship; a distinction needs a distinction in all three; any other mix of pass and distinction is a pass.
# The rows below are the fixture's, read by eye: grades as the export writes them, dates day first.

@requires("highfield")  # its expected grades are Highfield's
def test_all_three_distinctions_however_written_give_a_distinction(graded):
    # APP10019: Observation "Distinction", Project "Distinction", Discussion "Distinction"
    result = _highfield(graded, "APP10019")
    assert result["components"] == {"observation": "distinction", "project": "distinction",
                                    "discussion": "distinction"}
    assert result["overall"] == "distinction"


@requires("highfield")  # its expected grades are Highfield's
def test_pass_in_capitals_and_a_distinction_give_a_pass(graded):
    # APP10023: Observation "pass", Project "PASS", Discussion "distinction"
    result = _highfield(graded, "APP10023")
    assert result["components"] == {"observation": "pass", "project": "pass", "discussion": "distinction"}
    assert result["overall"] == "pass"


@requires("highfield")  # its expected grades are Highfield's
def test_a_fail_in_capitals_fails(graded):
    # APP10020: Observation "FAIL", Project "FAIL", Discussion "pass"
    result = _highfield(graded, "APP10020")
    assert result["components"]["observation"] == "fail" and result["overall"] == "fail"


@requires("highfield")  # its expected grades are Highfield's
def test_a_booked_discussion_is_a_planned_attempt_not_an_error(graded):
    # APP10003: Observation "pass" on 28/03/2026, Project "PASS" on 03/04/2026, Discussion booked for 05/04/2026
    result = _highfield(graded, "APP10003")
    assert result["components"] == {"observation": "pass", "project": "pass", "discussion": None}
    assert result["overall"] is None  # not yet: the discussion is still to come
    rows = _cells(EXPORT)
    data, columns = _header(rows[0]).record(rows[3])
    assert data["schedule"] == {"discussion": "2026-04-05"}
    assert [a["method"] for a in data["assessments"]] == ["observation", "project"]
    assert columns[("schedule", "discussion")] == "Discussion Date"


def test_the_first_row_reads_as_the_record_a_yaml_file_would_hold():
    rows = _cells(EXPORT)
    data, _ = _header(rows[0]).record(rows[1])
    # ST0071,APP10001,Northern Rail Services,15/01/2000,25/04/2025,Level 3,Level 2,21/05/2026,Y,11,
    # distinction,17/06/2026,Distinction,23/06/2026,Pass,02/07/2026
    assert data == {
        "standard": "ST0071",
        "apprentice": {"id": "APP10001", "date_of_birth": "2000-01-15", "start_date": "2025-04-25",
                       "english": "level3", "maths": "level2"},
        "gateway": {"date": "2026-05-21", "photo_id": True, "portfolio_pieces": 11},
        "assessments": [{"method": "observation", "grade": "distinction", "date": "2026-06-17"},
                        {"method": "project", "grade": "distinction", "date": "2026-06-23"},
                        {"method": "discussion", "grade": "pass", "date": "2026-07-02"}],
    }


# --- columns by meaning ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["date_of_birth", "Date of Birth", "DATE OF BIRTH", "date-of-birth", "DateOfBirth",
                                  "DOB", "D.O.B.", " Date_Of_Birth "])
def test_a_column_is_matched_by_its_name_folded_or_an_alias(name):
    data, columns = _header(["Standard", "Learner Ref", "Gateway Date", name]).record(
        ["ST0071", "A-1", "2025-12-01", "01/05/2006"])
    assert data["apprentice"] == {"id": "A-1", "date_of_birth": "2006-05-01"}
    assert columns[("apprentice", "date_of_birth")] == name.strip()


@pytest.mark.parametrize("name", ["apprentice", "Apprentice ID", "Learner Ref", "LearnRefNumber", "ULN", "Student ID"])
def test_the_apprentice_id_goes_by_the_names_mis_exports_give_it(name):
    data, _ = _header(["standard", name, "gateway_date"]).record(["ST0071", "1234567890", "2025-12-01"])
    assert data["apprentice"]["id"] == "1234567890"


@pytest.mark.parametrize(("name", "field"), [
    ("Practical Observation", ("observation", "grade")), ("Observation Grade", ("observation", "grade")),
    ("Professional Discussion Result", ("discussion", "grade")), ("Work-based Project", ("project", "grade")),
    ("Project Criteria Met", ("project", "criteria_met"))])
def test_a_method_column_goes_by_the_methods_names(name, field):
    header = ["standard", "apprentice", "gateway_date", name, f"{field[0]} date"]
    value = "K1.1;K1.2" if field[1] == "criteria_met" else "Pass"
    data, _ = _header(header).record(["ST0071", "A-1", "2025-12-01", value, "05/01/2026"])
    (attempt,) = data["assessments"]
    assert attempt["method"] == field[0] and attempt[field[1]] == (["K1.1", "K1.2"] if field[1] == "criteria_met"
                                                                   else "pass")


def test_no_alias_is_another_fields_name_and_none_means_two_fields():
    from epa.inputs.cohort_input import _column_kinds
    from epa.inputs.columns import ALIASES, METHOD_ALIASES, METHOD_PARTS, fold, vocabulary

    methods = ("observation", "project", "discussion", "showcase")
    fields = _column_kinds(methods)
    assert set(ALIASES) <= set(fields) and set(METHOD_ALIASES) == set(methods)
    own = {fold(f): f for f in fields}
    known = vocabulary(fields, methods)
    for field, aliases in ALIASES.items():
        for alias in aliases:
            assert own.get(fold(alias), field) == field, (alias, field)
            assert known[fold(alias)] == field, (alias, field)
    for m, names in METHOD_ALIASES.items():
        for name in (m, *names):
            for part, words in METHOD_PARTS.items():
                for word in words:
                    assert known[fold(f"{name} {word}")] == m + part, (name, word)


def test_every_unknown_column_is_named_once_together_with_suggestions(tmp_path):
    path = _write(tmp_path, "Standard,Apprentice ID,Employer,Gateway Date,Phot ID,Notes\n"
                            "ST0071,A-1,Acme,01/12/2025,Y,\n")
    result = run("compare", "--batch", str(path), "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count("columns not read") == 1
    assert (f'note: {path}: 3 columns not read (epa has no field for them): "Employer" (column 3), "Phot ID" '
            '(column 5; did you mean photo_id?), "Notes" (column 6)') in result.stderr
    assert '--column "NAME=FIELD"' in result.stderr and "--strict" in result.stderr


def test_strict_refuses_a_column_not_read_with_exit_2(tmp_path):
    stderr = fails("compare", "--batch", str(EXPORT), "--strict", "--format", "json")
    assert f'{EXPORT}:1: columns epa does not read (--strict): "Employer" (column 3)' in stderr
    # a column left out as asked is not one epa fails to read
    result = run("compare", "--batch", str(EXPORT), "--strict", "--column", "Employer=", "--summary-only",
                 "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert f'note: {EXPORT}: left out, as the column map (--column or --columns) asked: "Employer" (column 3)' in result.stderr


def test_two_columns_for_one_field_are_an_error_naming_both_and_one_may_be_left_out(tmp_path):
    path = _write(tmp_path, "Standard,Learner Ref,ULN,Gateway Date\nST0071,L-1,1234567890,01/12/2025\n")
    stderr = fails("compare", "--batch", str(path))
    assert f'{path}:1: columns "Learner Ref" (column 2) and "ULN" (column 3) both hold apprentice' in stderr
    assert '--column "ULN="' in stderr
    result = run("compare", "--batch", str(path), "--column", "ULN=", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert _json_lines(result)[0]["apprentice"] == "L-1"


@pytest.mark.parametrize("second", ["Observation", "OBSERVATION", "observation "])
def test_two_columns_of_one_name_are_an_error_asking_for_one_to_be_renamed(tmp_path, second):
    """The hint said to leave one out with --column "Observation=", which leaves out both (a map names a column by
    its name): every observation was then read as booked, not graded, exit 0 (found by review)."""
    path = _write(tmp_path, f"Standard,ULN,Gateway Date,Observation,{second},Observation Date\n"
                            "ST0071,L-1,01/12/2025,Pass,Fail,05/01/2026\n")
    stderr = fails("compare", "--batch", str(path))
    assert f'{path}:1: columns "Observation" (column 4) and "{second.strip()}" (column 5) both hold observation' in stderr
    assert f'hint: rename one of the columns named "{second.strip()}" in the file' in stderr
    assert "--column" not in stderr


@pytest.mark.parametrize("text, hint", [
    # (semicolons or tabs throughout, or after Excel's "sep=;" line, are read: tests/test_exports_as_held.py)
    ("sep=,\nStandard;Apprentice ID;Gateway Date\nST0071;A;01/12/2025\n",
     "the header's names are separated by semicolons"),
    ("sep=,\nStandard\tApprentice ID\tGateway Date\nST0071\tA\t01/12/2025\n",
     "the header's names are separated by tabs"),
    ("sep=,\nsep=,\nStandard,Apprentice ID,Gateway Date\nST0071,A,01/12/2025\n",
     "the first line, 'sep=,', is Excel's note of the separator"),
    ("Cohort export 2025,,\nStandard,Apprentice ID,Gateway Date\nST0071,A,01/12/2025\n",
     "the first line names no column epa reads: if it is a title or a note above the header, delete it"),
])
def test_a_header_that_is_not_the_first_comma_separated_line_is_told_why(tmp_path, text, hint):
    """A header separated by semicolons or tabs where Excel's "sep=," line names commas, Excel's line twice, or a
    title above the header were each told only to name the column holding the standard with --column."""
    stderr = fails("compare", "--batch", str(_write(tmp_path, text)))
    assert "the header has no column for the standard" in stderr and f"hint: {hint}" in stderr
    outcomes = text.replace("Gateway Date", "EPAO;Overall Grade" if ";" in text else "EPAO\tOverall Grade"
                            if "\t" in text else "EPAO,Overall Grade")
    assert f"hint: {hint}" in fails("audit", str(_write(tmp_path, outcomes, "o.csv")))


def test_a_header_read_in_part_by_the_map_is_not_said_to_be_a_title(tmp_path):
    path = _write(tmp_path, "Std,Learner No,GW\nST0071,A,01/12/2025\n")
    stderr = fails("compare", "--batch", str(path), "--column", "Std=standard", "--column", "Learner No=apprentice")
    assert "the header has no column for the gateway date" in stderr and "title" not in stderr
    assert 'hint: name the column that holds it: --column "YOUR NAME=gateway_date"' in stderr


def test_a_column_map_names_the_rest(tmp_path):
    path = _write(tmp_path, "Std,Learner No,GW,Obs Result,Obs Day\nST0071,L-7,01/12/2025,Pass,05/01/2026\n")
    given = ["--column", "Std=standard", "--column", "learner no=apprentice", "--column", "GW=Gateway Date"]
    result = run("compare", "--batch", str(path), "--format", "json", *given,
                 "--column", "Obs Result=observation", "--column", "Obs Day=observation_date")
    assert result.exit_code == 0, result.stderr
    (line,) = _json_lines(result)
    assert line["apprentice"] == "L-7"
    assert {r["components"]["observation"] for r in line["results"]} == {"pass"}
    mapping = tmp_path / "columns.yaml"
    mapping.write_text("Std: standard\nLearner No: apprentice\nGW: gateway_date\nObs Result: observation\n"
                       "Obs Day: observation date\nUnused Column: ehcp\n", encoding="utf-8")
    from_file = run("compare", "--batch", str(path), "--format", "json", "--columns", str(mapping))
    assert from_file.exit_code == 0, from_file.stderr
    assert _json_lines(from_file) == [line]
    assert f'note: {path}: the column map names no column of this header: "Unused Column"' in from_file.stderr


def test_a_column_map_naming_no_field_or_written_wrong_is_refused(tmp_path):
    path = _write(tmp_path, "Standard,Learner No,Gateway Date\nST0071,L-7,01/12/2025\n")
    stderr = fails("compare", "--batch", str(path), "--column", "Learner No=aprentice")
    assert "--column 'Learner No=aprentice': epa has no field 'aprentice'" in stderr
    assert "did you mean apprentice?" in stderr
    assert "expected NAME=FIELD" in fails("compare", "--batch", str(path), "--column", "Learner No")
    mapping = tmp_path / "columns.yaml"
    mapping.write_text("- Learner No\n", encoding="utf-8")
    assert "a column map is a YAML mapping" in fails("compare", "--batch", str(path), "--columns", str(mapping))
    assert "go with --batch" in fails("compare", str(EXAMPLES / "st0071-distinction.yaml"), "--column", "A=B")


def test_a_missing_core_column_names_what_it_holds_and_the_columns_not_read(tmp_path):
    path = _write(tmp_path, "Standard,Learner Number X,Gateway Date\nST0071,L-7,01/12/2025\n")
    stderr = fails("compare", "--batch", str(path))
    assert "the header has no column for the apprentice's id (apprentice)" in stderr
    assert 'columns not read: "Learner Number X" (column 2' in stderr
    assert '--column "YOUR NAME=apprentice"' in stderr


# --- values as people write them ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("written", "iso"), [
    ("2025-12-08", "2025-12-08"), ("08/12/2025", "2025-12-08"), ("8/12/2025", "2025-12-08"),
    ("08-12-2025", "2025-12-08"), ("08.12.2025", "2025-12-08"), ("8/12/25", "2025-12-08"),
    ("13/01/2025", "2025-01-13"), ("2025/12/08", "2025-12-08"), ("8 Dec 2025", "2025-12-08"),
    ("08-Dec-25", "2025-12-08"), ("8 December 2025", "2025-12-08"), ("08/12/2025 00:00", "2025-12-08"),
    ("2025-12-08 00:00:00", "2025-12-08"), ("2025-12-08T00:00:00", "2025-12-08"),
    # two-digit years: 00-49 are 2000-2049, 50-99 are 1950-1999 (README "CSV columns")
    ("01/05/49", "2049-05-01"), ("01/05/50", "1950-05-01"), ("01/05/06", "2006-05-01")])
def test_dates_as_people_write_them(written, iso):
    from epa.inputs.columns import parse_date

    assert parse_date(written) == iso


@pytest.mark.parametrize(("written", "said"), [
    ("01/13/2025", "is not a UK date (day/month/year): there is no month 13"),
    ("31/02/2006", "February 2006 has no day 31"), ("31/13/2025", "there is no month 13"),
    ("25-12-08", "a two-digit year is read only with '/'"), ("45999", "date serial number"),
    ("46000.5", "date serial number"),  # a date and time in a General cell: it was a bare "is not a date"
    ("08/12/2025 09:30+01:00", "which day it is depends on the zone"), ("next Tuesday", "is not a date")])
def test_a_date_not_read_says_why(written, said):
    from epa.inputs.columns import BadCell, parse_date

    with pytest.raises(BadCell) as caught:
        parse_date(written)
    assert said in caught.value.message


def test_a_month_first_date_warns_that_the_columns_other_dates_were_misread():
    """A month-first column's dates with a day up to 12 read as day first without a word: the refusal of the ones
    that cannot be read so says what that means for the others (found by review)."""
    from epa.inputs.columns import BadCell, parse_date

    with pytest.raises(BadCell) as caught:
        parse_date("03/13/2025")
    assert caught.value.hint.startswith("write it 13/03/2025 or as YYYY-MM-DD")
    assert "if the column is month first, its dates with a day up to 12 were misread too" in caught.value.hint


@pytest.mark.parametrize(("written", "grade"), [
    ("Distinction", "distinction"), ("DISTINCTION", "distinction"), ("PASS", "pass"), ("Pass", "pass"),
    ("passed", "pass"), ("P", "pass"), ("D", "distinction"), ("Fail", "fail"), ("Failed", "fail")])
def test_grades_in_any_case_and_their_synonyms(written, grade):
    from epa.inputs.columns import parse_grade

    assert parse_grade(written) == grade


def test_merit_is_refused_clearly_and_a_misspelling_gets_a_suggestion():
    from epa.inputs.columns import BadCell, parse_grade

    with pytest.raises(BadCell) as merit:
        parse_grade("Merit")
    # ST0071's grades (core/epa/rules/standards/ST0071.yaml, from the assessment plan): fail, pass, distinction
    assert "no merit" in merit.value.message and "fail, pass or distinction" in merit.value.message
    with pytest.raises(BadCell) as misspelt:
        parse_grade("Distinktion")
    assert misspelt.value.hint == "did you mean 'distinction'?"


@pytest.mark.parametrize(("written", "level"), [
    ("Level 2", "level2"), ("level 2", "level2"), ("L2", "level2"), ("Level2", "level2"),
    ("Entry 3", "entry3"), ("E3", "entry3"), ("Entry Level 3", "entry3"), ("None", "none"), ("L1", "level1")])
def test_levels_as_people_write_them(written, level):
    from epa.inputs.columns import parse_level

    assert parse_level(written) == level


@pytest.mark.parametrize(("written", "hint"), [("GCSE", "GCSE at grade 4-9"), ("Entry 2", "below entry level 3"),
                                               ("Level 4", "a level is none, Entry 3"),
                                               # a number alone: a GCSE at grade 3 is level 1, not level 3 (review)
                                               ("3", "a number alone could be either"), ("2", "GCSE at grade 4-9"),
                                               ("1", "a number alone could be either")])
def test_a_level_not_read_says_how_to_write_it(written, hint):
    from epa.inputs.columns import BadCell, parse_level

    with pytest.raises(BadCell) as caught:
        parse_level(written)
    assert hint in caught.value.hint


@pytest.mark.parametrize(("written", "value"), [("Y", True), ("Yes", True), ("TRUE", True), ("1", True),
                                                ("n", False), ("No", False), ("FALSE", False), ("0", False)])
def test_booleans_in_any_case(written, value):
    from epa.inputs.columns import parse_bool

    assert parse_bool(written) is value


@pytest.mark.parametrize(("written", "value"), [("1.0", True), ("0.0", False), ("1.00", True)])
def test_a_0_1_flag_written_as_a_float_is_read_as_its_digit(written, value):
    """pandas writes a 0/1 column with an empty cell as floats (1.0, 0.0), as it writes a whole-number column (12.0,
    read as 12 already): an EHCP flag exported so was refused ("'1.0' is not yes or no") on every row."""
    data, _ = _header(["standard", "apprentice", "gateway_date", "EHCP"]).record(
        ["ST0071", "A-1", "2025-12-01", written])
    assert data["apprentice"]["ehcp"] is value


@pytest.mark.parametrize("written", ["2.0", "1.5", "1.", "-1.0"])
def test_a_float_that_is_no_0_1_flag_is_still_refused(written):
    from epa.inputs.columns import BadCell, parse_bool

    with pytest.raises(BadCell):
        parse_bool(written)


def test_a_date_column_named_with_its_day_first_format_is_read_by_its_name():
    """Templates write a date column's format after its name: "Gateway Date (dd/mm/yyyy)". The cohort was refused
    as having no gateway date column (and a date of birth so named was not read). By hand: 01/12/2025 day first is
    2025-12-01, 02/03/2006 is 2006-03-02. A name the format follows that is no date field ("Observation", a grade)
    and a month-first format are not read so: neither column is read, each named as not read."""
    header = _header(["standard", "apprentice", "Gateway Date (dd/mm/yyyy)", "Date of Birth [DD-MM-YYYY]",
                      "Observation (dd/mm/yyyy)", "Start Date (mm/dd/yyyy)"])
    data, _ = header.record(["ST0071", "A-1", "01/12/2025", "02/03/2006", "05/01/2026", "03/04/2024"])
    assert (data["gateway"]["date"], data["apprentice"]["date_of_birth"]) == ("2025-12-01", "2006-03-02")
    assert "start_date" not in data["apprentice"] and "assessments" not in data and "schedule" not in data
    assert [u.name for u in header.ignored] == ["Observation (dd/mm/yyyy)", "Start Date (mm/dd/yyyy)"]


@pytest.mark.parametrize(("name", "field"), [("Start Date (mm/dd/yyyy)", "start_date"),
                                             ("Gateway Date [MM-DD-YY]", "gateway_date"),
                                             ("DOB - mm.dd.yyyy", "date_of_birth")])
def test_a_column_named_month_first_is_refused_as_a_date_even_mapped(tmp_path, name, field):
    """A column whose name says its dates are month first was left unread, its note suggesting --column; mapped
    so, it was read day first: "10/01/2024" became 10 January (by hand: month first it is 1 October), and the
    month-first scan cannot see a column whose days are all up to 12. A US date is never read, so the map is
    refused, naming the column and how to export it."""
    from epa.inputs.cohort_input import ColumnMap

    cells = ["standard", "apprentice", "gateway_date", "date_of_birth", "start_date"]
    cells[cells.index(field)] = name
    with pytest.raises(InputError) as refused:
        _header(cells, ColumnMap(names=((name, field),)))
    assert f'"{name}", says its dates are written month first' in str(refused.value)
    path = _write(tmp_path, ",".join(cells) + "\nST0071,A-1,2025-09-30,2000-01-01,10/01/2024\n".replace(
        "2025-09-30", "09/30/2025" if field == "gateway_date" else "2025-09-30"))
    done = run("compare", "--batch", str(path), "--column", f"{name}={field}", "--format", "csv")
    assert done.exit_code == 2 and done.stdout == "" and f'"{name}"' in done.stderr, done.stderr


# --- rows --------------------------------------------------------------------------------------------------------


def test_rows_of_empty_cells_are_no_record_and_not_counted(tmp_path):
    path = _write(tmp_path, "standard,apprentice,gateway_date,observation,observation_date\r\n"
                            "ST0071,A-1,2025-12-01,pass,2026-01-10\r\n"
                            ",,,,\r\n"
                            '"","", ,,\r\n'
                            ",,\r\n"
                            "ST0071,A-2,2025-12-01,pass,2026-01-10\r\n"
                            ",,,,\r\n,,,,\r\n")
    result = run("compare", "--batch", str(path), "--format", "json", "--summary")
    assert result.exit_code == 0, result.stderr
    lines = _json_lines(result)
    assert [line.get("line") for line in lines[:-1]] == [2, 6]
    assert lines[-1]["summary"]["records_read"] == 2


def test_trailing_empty_cells_past_the_header_are_nothing(tmp_path):
    path = _write(tmp_path, "standard,apprentice,gateway_date\nST0071,A-1,2025-12-01,,,\nST0071,A-2,2025-12-01,,x\n")
    result = run("compare", "--batch", str(path), "--format", "json")
    first, second = _json_lines(result)
    assert first["apprentice"] == "A-1"
    assert second["error"]["message"] == "the row has 5 cells, the header names 3 columns"


def test_every_problem_of_a_row_is_named_by_its_column(tmp_path):
    path = _write(tmp_path, "Standard,Apprentice ID,Date of Birth,Gateway Date,Observation,Observation Date,"
                            "Project,Project Date,English\n"
                            "ST0071,A-9,31/02/2006,08/12/2025,Merrit,12/01/2026,Pass,01/13/2026,Level 7\n")
    result = run("compare", "--batch", str(path), "--format", "json")
    assert result.exit_code == 2
    (line,) = _json_lines(result)
    valid(line, "batch_error")
    error = line["error"]
    # 01/13/2026 can only be month first, so the file's dates of numbers are all refused (tests/test_cohort_review.py)
    assert [p["column"] for p in error["problems"]] == ["Date of Birth", "Gateway Date", "Observation",
                                                        "Observation Date", "Project Date", "English"]
    assert error["message"].startswith("6 problems: column \"Date of Birth\": the dates in this file look month first")
    said = {p["column"]: p["message"] for p in error["problems"]}
    assert said["Observation"].startswith("'Merrit' is not a grade")
    assert said["Project Date"].startswith("the dates in this file look month first (US): '01/13/2026'")
    assert "column \"English\": 'Level 7' is not a qualification level" in error["message"]
    assert error["problems"][0]["path"] == "$.apprentice.date_of_birth"
    as_csv = run("compare", "--batch", str(path), "--format", "csv")
    (row,) = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert row["apprentice"] == "A-9" and row["error"].startswith("6 problems: column \"Date of Birth\"")


def test_one_problem_is_named_by_its_column_and_path(tmp_path):
    path = _write(tmp_path, "Standard,Apprentice ID,Gateway Date,Photo ID\nST0071,A-9,08/12/2025,Maybe\n")
    (line,) = _json_lines(run("compare", "--batch", str(path), "--format", "json"))
    assert line["error"] == {"message": "'Maybe' is not yes or no", "path": "$.gateway.photo_id",
                             "hint": "write yes or no; also y/n, true/false, 1/0", "column": "Photo ID"}
    valid(line, "batch_error")


def test_an_empty_core_cell_names_its_column(tmp_path):
    path = _write(tmp_path, "Standard,Apprentice ID,Gateway Date\nST0071,A-9,\n")
    (line,) = _json_lines(run("compare", "--batch", str(path), "--format", "json"))
    assert line["error"]["column"] == "Gateway Date"
    assert line["error"]["message"] == "empty: every record needs the gateway date"


def test_an_attempt_with_both_a_grade_and_criteria_or_no_date_is_named(tmp_path):
    path = _write(tmp_path, "standard,apprentice,gateway_date,observation,observation_criteria,observation_date,"
                            "Project\nST0071,A-9,2025-12-08,Pass,K3.3,2026-01-05,Pass\n")
    (line,) = _json_lines(run("compare", "--batch", str(path), "--format", "json"))
    messages = [p["message"] for p in line["error"]["problems"]]
    assert messages == ["a grade ('pass') and the criteria met (column \"observation_criteria\"): an attempt gives one",
                        "an attempt at the project with no date"]
    assert line["error"]["problems"][1]["hint"] == "add a column project_date for its date"


def test_a_later_check_still_names_the_column_as_the_header_spells_it(tmp_path):
    path = _write(tmp_path, "Standard,Apprentice ID,Gateway Date,Observation,Observation Date\n"
                            "ST0071,A-9,08/12/2025,Pass,01/12/2025\n")
    (line,) = _json_lines(run("compare", "--batch", str(path), "--format", "json"))
    assert line["error"]["column"] == "Observation Date"
    assert line["error"]["path"] == "$.assessments[0].date"


def test_the_readme_lists_every_alias_and_method_name():
    from epa.inputs.columns import ALIASES, METHOD_ALIASES

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for field, aliases in ALIASES.items():
        assert f"| `{field}` | " + ", ".join(f"`{a}`" for a in aliases) + " |" in readme, field
    for names in METHOD_ALIASES.values():
        for name in names:
            assert f"`{name}`" in readme, name


def test_a_booking_date_is_not_taken_for_the_assessments_date(tmp_path):
    """In MIS exports "Booking Date" and "Date Booked" are often when the booking was made: read as the attempt's
    date they would move every deadline counted from it (found by review). They are columns not read."""
    path = _write(tmp_path, "Standard,Apprentice ID,Gateway Date,Observation,Observation Booking Date,"
                            "Observation Date\nST0071,A-1,02/03/2025,Pass,12/02/2025,20/03/2025\n")
    result = run("compare", "--batch", str(path), "--summary-only", "--format", "json")
    summary = json.loads(result.stdout)["summary"]
    assert [c.split(" (column")[0] for c in summary["columns_not_read"]] == ['"Observation Booking Date"']
    (line,) = _json_lines(run("compare", "--batch", str(path), "--format", "json"))
    assert {r["component_details"]["observation"]["attempt_date"] for r in line["results"]} == {"2025-03-20"}


def test_a_grade_column_not_read_beside_a_date_read_is_refused(tmp_path):
    """"Observation Grade Achieved" is no name epa reads; "Observation Date" is: every observation was read as a
    booking (a planned attempt), the grade left unread with only a note (found by review). Refused, saying how to
    read the column or leave it out; mapped, the grade is read."""
    text = "Standard,ID,Gateway Date,Observation Grade Achieved,Observation Date\nST0071,A,02/03/2025,Pass,02/04/2025\n"
    path = _write(tmp_path, text)
    stderr = fails("compare", "--batch", str(path), "--format", "csv")
    assert '"Observation Grade Achieved" (column 4' in stderr and "would be read as booked, not graded" in stderr
    assert '--column "Observation Grade Achieved=observation"' in stderr
    result = run("compare", "--batch", str(path), "--format", "csv", "--column", "Observation Grade Achieved=observation")
    assert result.exit_code == 0
    assert {r["observation"] for r in csv.DictReader(io.StringIO(result.stdout))} == {"pass"}


@pytest.mark.parametrize("name", ["Observation Resit Grade", "Observation Re-sit Date", "Project Retake Grade",
                                  "Discussion Re-take", "Professional Discussion Second Attempt",
                                  # a later attempt by its number (these were a note, and the row graded fail)
                                  "Observation Grade 2", "Observation Grade (Attempt 2)", "Second Observation Grade",
                                  "Observation 2", "Project Attempt 2 Grade", "Obs 2nd Result"])
def test_a_resit_or_retake_column_is_refused_before_any_row(tmp_path, name):
    """A row holds one attempt per method: graded on the first alone, a failed observation resat at distinction would
    come out fail with no cap, so the column is refused, never read as (or suggested for) the method's own."""
    path = _write(tmp_path, f"Standard,Apprentice ID,Gateway Date,Observation,Observation Date,{name},Project,"
                            "Project Date,Discussion,Discussion Date\n"
                            "ST0071,A,01/12/2025,Fail,05/01/2026,Distinction,Pass,06/01/2026,Pass,07/01/2026\n")
    result = run("compare", "--batch", str(path), "--format", "csv")
    assert result.exit_code == 2 and len(result.stdout.splitlines()) <= 1  # no row graded (a CSV header at most)
    assert f"column '{name}' (column 6) holds a later attempt at" in result.stderr
    assert "give resits and retakes as JSON Lines (assessments)" in result.stderr
    assert f'--column "{name}="' in result.stderr
    left_out = run("compare", "--batch", str(path), "--format", "csv", "--column", f"{name}=")
    assert left_out.exit_code == 0 and "did you mean" not in left_out.stderr
    assert all(row["observation"] == "fail" for row in csv.DictReader(io.StringIO(left_out.stdout)))


@pytest.mark.parametrize("written, number", [("12", 12), ("1,200", 1200), ("12.0", 12), ("+7.00", 7)])
def test_a_whole_number_is_read_as_people_and_programs_write_it(written, number):
    """pandas writes an integer column with empty cells as 12.0: that was "'12.0' is not a whole number", where a
    workbook's 12.0 and a JSON record's are 12."""
    from epa.inputs import columns

    assert columns.parse_int(written) == number
    for other in ("12.5", "12.", "1.2e1"):
        with pytest.raises(columns.BadCell, match="is not a whole number"):
            columns.parse_int(other)


@pytest.mark.parametrize("written, level", [("Functional Skills Level 2", "level2"), ("FS L2", "level2"),
                                            ("fs level 1", "level1"), ("Functional Skills Entry Level 3", "entry3")])
def test_a_functional_skills_level_is_read_as_its_level(written, level):
    from epa.inputs import columns

    assert columns.parse_level(written) == level


def test_a_functional_skills_name_without_a_level_it_has_gets_its_own_hint():
    from epa.inputs import columns

    for written in ("Functional Skills", "FS Level 3"):  # no level; Functional Skills stop at level 2
        with pytest.raises(columns.BadCell) as caught:
            columns.parse_level(written)
        assert "Functional Skills qualification's level" in caught.value.hint


def test_a_windows_1252_byte_names_its_column_and_how_to_save_the_file(tmp_path):
    path = tmp_path / "c.csv"
    path.write_bytes("Standard,Learner Ref,Gateway Date,Surname\nST0071,A-1,01/12/2025,Zoë\n".encode("cp1252"))
    result = run("compare", "--batch", str(path), "--format", "json", "--column", "Surname=apprentice",
                 "--column", "Learner Ref=")
    (line,) = _json_lines(result)
    error = line["error"]
    assert error["column"] == "Surname" and "0xeb" in error["message"] and "'Zoë'" in error["message"]
    assert "CSV UTF-8" in error["hint"]


def test_windows_1252_bytes_in_columns_not_read_refuse_nothing(tmp_path):
    """An MIS export saved as Windows-1252: a surname's é, a note's £ and curly quotes. Each such row was refused
    as not UTF-8, though every value epa reads was ASCII, the same bytes in either encoding. Those columns are not
    read, so the rows are; a byte in a column read is still refused, naming that column and its byte (not the
    first such byte of the row, which is in a column not read)."""
    any_body("ST0071")
    path = tmp_path / "c.csv"
    path.write_bytes("Surname,Standard,Learner Ref,Gateway Date,Notes\r\n"
                     "Zoë,ST0071,A-1,01/12/2025,“great” £100\r\n"
                     "Brontë,ST0071,A-2,01/12/2025,ok\r\n"
                     "Renée,ST0071,A-3é,01/12/2025,\r\n".encode("cp1252"))
    result = run("compare", "--batch", str(path), "--format", "json")
    first, second, third = _json_lines(result)
    assert (first["apprentice"], second["apprentice"]) == ("A-1", "A-2")
    assert third["line"] == 4 and third["error"]["column"] == "Learner Ref"
    assert third["error"]["message"] == "undecodable bytes (not UTF-8): byte 0xe9, in 'A-3é' if the file is " \
                                        "Windows-1252"
