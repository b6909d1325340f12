"""Issue 17, the points left after review: a month-first date column refused whole (CSV, standard input, Excel
text), ids Excel wrote in scientific notation, duplicate apprentice ids, wording that names the right column or body,
gateway readiness unknown where English or maths is, and the documents beside `epa diff`'s citations.

Expected dates are read by hand: 03/04/2006 day first is 3 April 2006 (2006-04-03); 12/25/2006 has no month 25, so
it can only be month first (25 December 2006)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
import threading

import pytest

from conftest import any_body, run, valid
from epa.batch import cohort as batch
from epa.inputs import cohort_input
from epa.registry import Registry

HEADER = "standard,apprentice,gateway_date,date_of_birth,observation,observation_date"
US = [  # a month-first date of birth column: line 3's value shows it; line 2's would read day first as 3 April
    "ST0071,A-1,2025-12-01,03/04/2006,pass,2026-01-12",
    "ST0071,A-2,2025-12-01,12/25/2006,pass,2026-01-12",
    "ST0071,A-3,2025-12-01,,pass,2026-01-12",  # no date of birth: the column is not used, the row is graded
    "ST0071,A-4,2025-12-01,2006-04-03,pass,2026-01-12",  # ISO: read whatever the column's order
]


@pytest.fixture(autouse=True)
def _st0071():
    any_body("ST0071")  # skips without a body offering ST0071


def _rows(stdout: str) -> dict[str, list[dict[str, str]]]:
    """The CSV rows by apprentice."""
    found: dict[str, list[dict[str, str]]] = {}
    for row in csv.DictReader(io.StringIO(stdout)):
        found.setdefault(row["apprentice"], []).append(row)
    return found


def _month_first_refused(rows: dict[str, list[dict[str, str]]]) -> None:
    for ident in ("A-1", "A-2"):  # each an error row naming the column, none dropped
        (row,) = rows[ident]
        assert "(column date_of_birth)" in row["error"], row
        assert ("the dates in this file look month first (US): '12/25/2006' (line 3, column 'date_of_birth')"
                in row["error"])
        assert "ISO yyyy-mm-dd" in row["error"] and "dd/mm/yyyy" in row["error"] and "regional settings" in row["error"]
    assert "'03/04/2006' is not read" in rows["A-1"][0]["error"]
    for ident in ("A-3", "A-4"):
        assert all(not r["error"] and r["observation"] == "pass" for r in rows[ident]), rows[ident]


# --- 2. a month-first date column ---------------------------------------------------------------------------------


def test_a_month_first_column_is_refused_whole_not_only_where_the_day_is_over_12(tmp_path):
    path = tmp_path / "us.csv"
    path.write_text("\n".join([HEADER, *US]) + "\n", encoding="utf-8")
    result = run("compare", "--batch", str(path), "--format", "csv")
    assert result.exit_code == 2
    _month_first_refused(_rows(result.stdout))
    summary = json.loads(run("compare", "--batch", str(path), "--summary-only", "--format", "json").stdout)["summary"]
    assert (summary["records_read"], summary["rejected"]) == (4, 2)  # read = graded + errors: nothing lost


def test_a_day_first_column_is_read_day_first(tmp_path):
    path = tmp_path / "uk.csv"
    path.write_text("\n".join([HEADER, US[0], US[1].replace("12/25/2006", "25/12/2006")]) + "\n", encoding="utf-8")
    result = run("compare", "--batch", str(path), "--format", "json")
    assert result.exit_code == 0
    births = [json.loads(line)["record"] for line in result.stdout.splitlines()]
    assert len(births) == 2  # both graded (03/04/2006 is 3 April: README "Values as people write them")


def test_one_month_first_column_refuses_the_numeric_dates_of_every_date_column(tmp_path):
    """One export comes from one regional setting: 01/19/2026 (no month 19) in Discussion Date shows the file month
    first, so U6's 03/05/2006 is not read as 3 May 2006 (it may be 5 March), nor any other numeric date; ISO cells
    are read (U1 gives its numeric date only in the column that shows the order)."""
    path = tmp_path / "us.csv"
    path.write_text("Standard,Learner Ref,DOB,Start Date,English,Maths,Gateway Date,Observation,Observation Date,"
                    "Discussion,Discussion Date\n"
                    "ST0071,U1,2000-01-01,2024-09-02,L2,L2,2025-12-01,Pass,2026-01-05,Pass,01/19/2026\n"
                    "ST0071,U6,03/05/2006,04/02/2025,L1,L1,01/06/2026,Pass,2026-07-01,Pass,2026-07-02\n"
                    "ST0071,U7,2006-05-03,2025-02-04,L2,L2,2026-06-01,Pass,2026-07-01,Pass,2026-07-02\n",
                    encoding="utf-8")
    result = run("compare", "--batch", str(path), "--format", "json")
    assert result.exit_code == 2
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    errors = [line["error"] for line in lines if "error" in line]
    by_column = {p["column"]: p["message"] for e in errors for p in e.get("problems", [e])}
    assert set(by_column) == {"Discussion Date", "DOB", "Start Date", "Gateway Date"}, errors
    for column, value in (("DOB", "03/05/2006"), ("Start Date", "04/02/2025"), ("Gateway Date", "01/06/2026")):
        assert "'01/19/2026' (line 2, column 'Discussion Date')" in by_column[column]
        assert f"{value!r} is not read" in by_column[column]
    assert sum(1 for line in lines if "record" in line) == 1  # U7, all ISO, graded; U1 and U6 are error rows


def test_a_month_first_column_on_standard_input_is_refused_whole():
    piped = subprocess.run([sys.executable, "-m", "epa", "compare", "--batch", "-", "--format", "csv"],
                           input=("\n".join([HEADER, *US]) + "\n").encode(), capture_output=True, timeout=120)
    assert piped.returncode == 2 and b"Traceback" not in piped.stderr
    _month_first_refused(_rows(piped.stdout.decode()))


def _from_a_pipe(data: bytes, on_header) -> list[str]:
    """batch.run on ``data`` through an OS pipe (standard input that cannot be read twice)."""
    read, write = os.pipe()

    def feed() -> None:
        with open(write, "wb") as out:
            out.write(data)

    feeder = threading.Thread(target=feed)
    feeder.start()
    out: list[str] = []
    with open(read, "rb") as stdin:
        batch.run("-", "csv", summary=False, summary_only=False, workers=1, only=None, registry=Registry.installed(),
                  write=out.append, progress=False, stdin=stdin, on_header=on_header)
    feeder.join()
    return out


def test_standard_input_past_the_bound_is_checked_row_by_row_and_says_so(monkeypatch):
    """Held up to MAX_REREAD bytes (a bound: standard input cannot be read twice); past it, the limitation is told."""
    data = ("\n".join([HEADER, *US]) + "\n").encode()
    notes: list[str] = []
    monkeypatch.setattr(cohort_input, "MAX_REREAD", len(data) - 1)
    rows = _rows("".join(_from_a_pipe(data, lambda header: notes.extend(header.notes()))))
    assert any("not checked whole before grading" in note and "give --batch the file itself" in note for note in notes)
    assert "is not a UK date" in rows["A-2"][0]["error"]  # refused row by row, as before
    monkeypatch.setattr(cohort_input, "MAX_REREAD", len(data))  # within the bound: refused whole, nothing said
    notes.clear()
    _month_first_refused(_rows("".join(_from_a_pipe(data, lambda header: notes.extend(header.notes())))))
    assert not any("not checked whole" in note for note in notes)


def test_a_month_first_column_of_workbook_text_is_refused_but_date_cells_are_read(tmp_path):
    openpyxl = pytest.importorskip("openpyxl", reason="the test extra's openpyxl writes the workbook")
    pytest.importorskip("python_calamine", reason="epa reads workbooks with python-calamine")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    for row in US:
        cells: list[object] = row.split(",")
        cells[2], cells[5] = dt.date(2025, 12, 1), dt.date(2026, 1, 12)
        if cells[1] == "A-4":
            cells[3] = dt.date(2006, 4, 3)  # a date cell: never month first or day first
        sheet.append(cells)
    book.save(tmp_path / "us.xlsx")
    result = run("compare", "--batch", str(tmp_path / "us.xlsx"), "--format", "csv")
    assert result.exit_code == 2
    _month_first_refused(_rows(result.stdout))
    # the same column of date cells and day-first text: nothing shows it month first, so it is read
    sheet.delete_rows(3)
    book.save(tmp_path / "uk.xlsx")
    assert run("compare", "--batch", str(tmp_path / "uk.xlsx"), "--format", "csv").exit_code == 0


# --- 3. ids Excel wrote in scientific notation; an id given twice ------------------------------------------------


def test_an_id_in_scientific_notation_is_refused_with_how_to_keep_its_digits(tmp_path):
    path = tmp_path / "ids.csv"
    path.write_text("standard,ULN,gateway_date\nST0071,1.23457E+11,2025-12-01\nST0071,1.2346E+09,2025-12-01\n"
                    "ST0071,1234567890,2025-12-01\n", encoding="utf-8")
    result = run("compare", "--batch", str(path), "--format", "json")
    first, second, third = (json.loads(line) for line in result.stdout.splitlines())
    for line, error in ((2, first), (3, second)):
        assert error["line"] == line and error["error"]["column"] == "ULN", error
        assert "scientific notation" in error["error"]["message"] and "digits are lost" in error["error"]["message"]
        assert "Text" in error["error"]["hint"]
    assert third["apprentice"] == "1234567890"  # an id of digits is read as it stands


def test_an_id_excel_keeps_as_text_with_a_formula_is_read_as_excel_shows_it(tmp_path):
    # ="00123" is how an export keeps an id's leading zeros when Excel opens it: Excel shows 00123. Read as it
    # stands, the id was '="00123"', another apprentice's id than the same one in a JSON record.
    path = tmp_path / "ids.csv"
    path.write_text('standard,ULN,gateway_date\nST0071,="0012345678",2025-12-01\n'
                    'ST0071,"=""A """"7"""" B""",2025-12-01\nST0071,0012345678,2025-12-01\n', encoding="utf-8")
    first, second, third = (json.loads(line) for line in run("compare", "--batch", str(path), "--format",
                                                              "json").stdout.splitlines())
    assert first["apprentice"] == third["apprentice"] == "0012345678"
    assert second["apprentice"] == 'A "7" B'  # a quote inside the formula's text is written twice there


def test_the_audit_reads_an_id_excel_keeps_as_text_with_a_formula_as_excel_shows_it(tmp_path):
    path = tmp_path / "outcomes.csv"
    path.write_text('ULN,StandardID,Awarding Body,Overall Grade\n="0012345678",ST0071,nosuchbody,pass\n',
                    encoding="utf-8")
    (row,) = (json.loads(line) for line in run("audit", str(path), "--format", "json").stdout.splitlines()[:-1])
    assert row["apprentice"] == "0012345678"


def test_an_id_typed_in_scientific_notation_in_a_workbook_is_refused(tmp_path):
    openpyxl = pytest.importorskip("openpyxl", reason="the test extra's openpyxl writes the workbook")
    pytest.importorskip("python_calamine", reason="epa reads workbooks with python-calamine")
    book = openpyxl.Workbook()
    book.active.append(["standard", "ULN", "gateway_date"])
    book.active.append(["ST0071", "1.2346E+09", dt.date(2025, 12, 1)])  # text, as a CSV opened in Excel leaves it
    book.save(tmp_path / "ids.xlsx")
    (line,) = (json.loads(text) for text in run("compare", "--batch", str(tmp_path / "ids.xlsx"), "--format",
                                                "json").stdout.splitlines())
    assert "scientific notation" in line["error"]["message"] and line["error"]["column"] == "ULN"


def test_an_id_given_twice_is_named_and_each_row_graded(tmp_path):
    path = tmp_path / "twice.csv"
    path.write_text("standard,apprentice,gateway_date,observation,observation_date\n"
                    "ST0071,A-7,2025-12-01,pass,2026-01-12\n"
                    "ST0071,A-8,2025-12-01,pass,2026-01-12\n"
                    "ST0071,A-7,2025-12-01,distinction,2026-01-12\n"
                    "ST0071,A-7,2025-12-01,fail,2026-01-12\n", encoding="utf-8")
    result = run("compare", "--batch", str(path), "--format", "csv", "--summary")
    rows = _rows(result.stdout.split("\n\n")[0])
    bodies = len(Registry.installed().offering("ST0071"))
    assert len(rows["A-7"]) == 3 * bodies and len(rows["A-8"]) == bodies  # every row graded, none merged
    assert sorted({r["observation"] for r in rows["A-7"]}) == ["distinction", "fail", "pass"]
    assert "'A-7' on lines 2, 4, 5" in result.stderr and "never merged" in result.stderr
    summary = valid(json.loads(run("compare", "--batch", str(path), "--summary-only", "--format", "json").stdout),
                    "batch_summary")
    assert summary["summary"]["duplicate_ids"] == [{"apprentice": "A-7", "records": 3, "lines": [2, 4, 5]}]


def test_an_id_given_on_two_json_lines_is_named_as_a_csv_row_s_is(tmp_path):
    """The same cohort as JSON Lines: A-7 on lines 1, 3 and 4 (a JSON line's number is its line; no header). Before,
    only a CSV or workbook cohort's ids were watched: the JSON Lines cohort said nothing, its summary's duplicate_ids
    empty. The note's words and the exit code are the CSV's (0: each row is graded, and the user told)."""
    lines = [{"standard": "ST0071", "apprentice": {"id": ident}, "gateway": {"date": "2025-12-01"},
              "assessments": [{"method": "observation", "grade": grade, "date": "2026-01-12"}]}
             for ident, grade in (("A-7", "pass"), ("A-8", "pass"), ("A-7", "distinction"), ("A-7", "fail"))]
    path = tmp_path / "twice.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    as_csv = tmp_path / "twice.csv"
    as_csv.write_text("standard,apprentice,gateway_date,observation,observation_date\n" + "".join(
        f"ST0071,{r['apprentice']['id']},2025-12-01,{r['assessments'][0]['grade']},2026-01-12\n" for r in lines),
        encoding="utf-8")
    result, csv_result = (run("compare", "--batch", str(p), "--format", "csv") for p in (path, as_csv))
    rows = _rows(result.stdout)
    bodies = len(Registry.installed().offering("ST0071"))
    assert len(rows["A-7"]) == 3 * bodies and len(rows["A-8"]) == bodies  # every line graded, none merged
    assert result.exit_code == csv_result.exit_code == 0, result.stderr
    assert "'A-7' on lines 1, 3, 4" in result.stderr
    assert result.stderr.replace(str(path), "F").replace("1, 3, 4", "N") == \
        csv_result.stderr.replace(str(as_csv), "F").replace("2, 4, 5", "N")
    summary = valid(json.loads(run("compare", "--batch", str(path), "--summary-only", "--format", "json").stdout),
                    "batch_summary")
    assert summary["summary"]["duplicate_ids"] == [{"apprentice": "A-7", "records": 3, "lines": [1, 3, 4]}]


@pytest.mark.parametrize("suffix", ["jsonl", "csv"])
def test_an_id_with_blanks_around_it_is_the_id_without_them_in_every_format(tmp_path, suffix):
    """A CSV cell is read stripped; a JSON line's id was read as written, so " A-7" and "A-7\t" were ids of their
    own: rows shown under them, no duplicate named, the same export read differently by its format. The rule is the
    CSV's, for each: the three lines are A-7's, given three times."""
    ids = ["A-7", " A-7", "A-7\t "]
    lines = [{"standard": "ST0071", "apprentice": {"id": ident}, "gateway": {"date": "2025-12-01"},
              "assessments": [{"method": "observation", "grade": "pass", "date": "2026-01-12"}]} for ident in ids]
    path = tmp_path / f"blanks.{suffix}"
    if suffix == "jsonl":
        path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    else:
        path.write_text("standard,apprentice,gateway_date,observation,observation_date\n" + "".join(
            f"ST0071,{ident},2025-12-01,pass,2026-01-12\n" for ident in ids), encoding="utf-8")
    result = run("compare", "--batch", str(path), "--format", "csv")
    rows = _rows(result.stdout)
    assert set(rows) == {"A-7"} and len(rows["A-7"]) == 3 * len(Registry.installed().offering("ST0071"))
    first = 1 if suffix == "jsonl" else 2
    assert f"'A-7' on lines {first}, {first + 1}, {first + 2}" in result.stderr


def test_a_record_s_id_with_blanks_around_it_is_the_id_without_them(tmp_path):
    """As a cohort's: `epa compare` of one record shows the id as a CSV row would give it; an id of blanks alone
    is refused as a CSV row's empty id is, at its path."""
    path = tmp_path / "record.json"
    path.write_text(json.dumps({"standard": "ST0071", "apprentice": {"id": " A-7\t"}, "gateway": {"date":
                                                                                            "2025-12-01"}}))
    result = run("compare", str(path), "--format", "json")
    assert result.exit_code == 0 and json.loads(result.stdout)["apprentice"] == "A-7", result.stdout
    path.write_text(json.dumps({"standard": "ST0071", "apprentice": {"id": "   "}, "gateway": {"date": "2025-12-01"}}))
    result = run("compare", str(path))
    assert result.exit_code == 2 and "$.apprentice.id" in result.stderr and "blank" in result.stderr


# --- 4. wording ------------------------------------------------------------------------------------------------


def test_a_birth_year_read_as_2049_names_the_date_of_birth_column(tmp_path):
    path = tmp_path / "born.csv"
    path.write_text("standard,apprentice,gateway_date,Date of Birth,Start Date\n"
                    "ST0071,A-1,2025-12-01,01/01/49,2024-09-02\n", encoding="utf-8")
    (line,) = (json.loads(text) for text in run("compare", "--batch", str(path), "--format", "json").stdout.splitlines())
    assert line["error"]["column"] == "Date of Birth" and line["error"]["path"] == "$.apprentice.date_of_birth"
    assert "2049-01-01" in line["error"]["message"] and "four digits" in line["error"]["hint"]


def test_a_date_serial_number_hint_fits_a_workbook():
    from epa.inputs.columns import BadCell, parse_date

    with pytest.raises(BadCell) as caught:
        parse_date("45999")
    assert "Excel" in caught.value.hint and "before saving it as CSV" not in caught.value.hint


@pytest.mark.parametrize("written", ["Referral", "Refer", "referred", "REFER"])
def test_a_referral_is_refused_saying_the_documents_grade_fail(written):
    from epa.inputs.columns import BadCell, parse_grade

    with pytest.raises(BadCell) as caught:
        parse_grade(written)
    assert "referral" in caught.value.message and "graded fail" in caught.value.message  # never read as fail
    assert "write fail if the assessment was failed" in caught.value.hint


def test_a_body_named_by_another_words_suggests_the_body_its_telling_word_names():
    registry = Registry.installed()
    if "highfield" not in {b.body.id for b in registry.bodies}:
        pytest.skip("needs the highfield body installed")
    from epa.errors import InputError

    with pytest.raises(InputError) as caught:
        registry.named("Highfield Qualifications")
    assert "(highfield)" in caught.value.hint and "gateway_quals" not in caught.value.hint


# --- 5. epa diff's citations name their documents ---------------------------------------------------------------


def test_diff_entries_carry_the_documents_their_citations_name():
    registry = Registry.installed()
    found = [(b, s, [r.document.version for r in b.body.rulesets_for(s)]) for b in registry.bodies
             for s in b.body.standards]
    body, standard, versions = next(((b, s, v) for b, s, v in found if len(v) > 1), (None, None, []))
    if body is None:
        pytest.skip("no installed body ships two versions of a standard's rules")
    result = run("diff", "--body", body.body.id, "--standard", standard, "--from", versions[0], "--to", versions[-1],
                 "--format", "json")
    entries = valid(json.loads(result.stdout), "diff")["differences"]
    assert entries
    for entry in entries:
        cited = {c.split(" § ")[0] for c in [entry["citation"], *(d["citation"] for d in entry["declared"])] if c}
        assert set(entry["documents"]) == cited, entry
        for doc in entry["documents"].values():
            assert doc["title"] and doc["version"] in versions and doc["label"].endswith("v" + doc["version"])


# --- 1. the workbook's one checking pass, made quicker, misses nothing -------------------------------------------


def test_a_shared_formula_without_its_value_is_found_in_any_part_of_the_sheet(tmp_path, monkeypatch):
    """A shared formula's other cells are written <f t="shared" si="0"/>: a part of the sheet holding only such a
    cell, its value never stored, was passed over (the grade read as empty: the attempt booked, not graded)."""
    openpyxl = pytest.importorskip("openpyxl", reason="the test extra's openpyxl writes the workbook")
    pytest.importorskip("python_calamine", reason="epa reads workbooks with python-calamine")
    import zipfile

    from epa.errors import InputError
    from epa.inputs import cohort_xlsx

    book = openpyxl.Workbook()  # (openpyxl asks for formulas to be calculated on opening: fullCalcOnLoad)
    book.active.append(["standard", "apprentice", "gateway_date", "observation", "observation_date"])
    for i in range(40):
        book.active.append(["ST0071", f"A-{i}", dt.date(2025, 12, 1), "pass", dt.date(2026, 1, 12)])
    book.save(tmp_path / "made.xlsx")
    with zipfile.ZipFile(tmp_path / "made.xlsx") as made:
        parts = {n: made.read(n) for n in made.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    sheet = sheet.replace(b'<c r="D2" t="inlineStr"><is><t>pass</t></is></c>',
                          b'<c r="D2" t="str"><f t="shared" ref="D2:D41" si="0">"pass"</f><v>pass</v></c>')
    sheet = sheet.replace(b'<c r="D41" t="inlineStr"><is><t>pass</t></is></c>',
                          b'<c r="D41" t="str"><f t="shared" si="0"/></c>')
    with zipfile.ZipFile(tmp_path / "shared.xlsx", "w") as out:
        for name, data in parts.items():
            out.writestr(name, sheet if name == "xl/worksheets/sheet1.xml" else data)
    monkeypatch.setattr(cohort_xlsx, "_CHUNK", 512)  # the last cell in a part of the sheet of its own
    with pytest.raises(InputError) as caught:
        list(cohort_xlsx.xlsx_items(str(tmp_path / "shared.xlsx"), ["observation"], "shared.xlsx"))
    assert "1 formula with no stored value" in caught.value.message


def test_a_long_message_is_cut_only_within_one_quoted_value():
    """The closing quote of "DOB" and the opening quote of "Discussion Date" hold no value between them: the text
    there (one column's problem) is kept whole; a long quoted value is still cut to QUOTE_LIMIT characters."""
    from epa.errors import QUOTE_LIMIT, cap_quoted

    between = "the dates in this file look month first (US): '01/15/2000' (line 2) can only be month/day/year " * 4
    message = f'2 problems: column "DOB": {between}; column "Discussion Date": {between}'
    assert cap_quoted(message) == message
    value = "x" * 400
    assert cap_quoted(f"column 'A': {value!r} is not a grade") == \
        f"column 'A': '{'x' * QUOTE_LIMIT}'… is not a grade"


def test_a_month_first_file_names_each_columns_problem_whole_in_a_csv_error_cell(tmp_path):
    path = tmp_path / "us.csv"
    path.write_text("Standard,Learner Ref,DOB,Start Date,Gateway Date,Discussion,Discussion Date\n"
                    "ST0071,U1,01/15/2000,09/02/2024,12/01/2025,Pass,01/19/2026\n"
                    "ST0071,U2,03/04/2001,09/02/2024,11/03/2025,Pass,02/05/2026\n", encoding="utf-8")
    (row,) = _rows(run("compare", "--batch", str(path), "--format", "csv").stdout)["U2"]
    assert "…" not in row["error"]
    for column, value in (("DOB", "03/04/2001"), ("Discussion Date", "02/05/2026")):
        assert f'column "{column}": the dates in this file look month first' in row["error"]
        assert f"so {value!r} is not read" in row["error"]


@pytest.mark.parametrize("command, example", [(("compare", "--summary-only", "--batch"), "st0071-cohort.csv"),
                                              (("audit",), "st0071-outcomes.csv")])
def test_a_long_file_name_heads_its_summary_shortened_in_the_middle_not_broken_mid_word(tmp_path, monkeypatch,
                                                                                        command, example):
    """As a single record's heading does (tables.shortened): the folders give way to '…', the file's name is whole."""
    from conftest import EXAMPLES

    monkeypatch.setenv("COLUMNS", "80")
    folder = tmp_path / "cohorts-exported-from-the-management-information-system" / "autumn-term-regional-office"
    folder.mkdir(parents=True)
    path = folder / f"customer-service-specialist-{example}"
    path.write_bytes((EXAMPLES / example).read_bytes())
    first = run(*command, str(path)).stdout.splitlines()[0]
    assert "…" in first and f"/customer-service-specialist-{example}" in first, first
