"""Workbooks as programs and Excel write them, cell by cell: date cells whose number python-calamine reads as
another day than Excel shows (a time a hair before midnight, Excel's 29 February 1900), error cells however
they fall in the worksheet's XML, formulas a program left uncalculated, merged cells; and a CSV's stray quote.
The workbooks are written here as XML, since openpyxl writes neither a formula's stored value nor a cell without
its place."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

import pytest

import epa.testing
from conftest import any_body, run
from epa.errors import InputError
from epa.inputs import cohort_xlsx

pytest.importorskip("python_calamine", reason="epa reads workbooks with python-calamine")

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
# cell formats (s="N"): 0 General, 1 a date (built-in format 14), 2 a date and time (22)
_STYLES = (f'<styleSheet xmlns="{_MAIN}"><fonts count="1"><font/></fonts><fills count="1"><fill/></fills>'
           '<borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="3">'
           '<xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/><xf numFmtId="22" applyNumberFormat="1"/>'
           '</cellXfs></styleSheet>')
GENERAL, DATE, DATE_TIME = 0, 1, 2


def text(value):
    return f'<c t="inlineStr"><is><t>{value}</t></is></c>'


def number(value, style=GENERAL):
    return f'<c s="{style}"><v>{value}</v></c>'


def error(value, formula=None):
    return f'<c t="e">{f"<f>{formula}</f>" if formula else ""}<v>{value}</v></c>'


def workbook(path, rows, *, date1904=False, calc="", places=True, merged=()):
    """A workbook of one worksheet, 'Cohort': ``rows`` of cells as XML (each cell given its place, r="B7", unless
    ``places`` is false, as the format allows)."""
    body = []
    for line, cells in enumerate(rows, 1):
        placed = [re.sub(r"^<c", f'<c r="{chr(65 + i)}{line}"', c) if places else c for i, c in enumerate(cells)]
        body.append(f'<row r="{line}">{"".join(placed)}</row>')
    with zipfile.ZipFile(path, "w") as book:
        book.writestr("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                      'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>')
        book.writestr("_rels/.rels", f'<Relationships xmlns="{_PACKAGE}"><Relationship Id="r1" Type="{_RELS}/'
                      'officeDocument" Target="xl/workbook.xml"/></Relationships>')
        book.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{_PACKAGE}"><Relationship Id="r1" '
                      f'Type="{_RELS}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="r2" '
                      f'Type="{_RELS}/styles" Target="styles.xml"/></Relationships>')
        system = ' date1904="1"' if date1904 else ""
        book.writestr("xl/workbook.xml", f'<workbook xmlns="{_MAIN}" xmlns:r="{_RELS}"><workbookPr'
                      f'{system}/><sheets><sheet name="Cohort" sheetId="1" '
                      f'r:id="r1"/></sheets>{calc}</workbook>')
        book.writestr("xl/styles.xml", _STYLES)
        merges = "".join(f'<mergeCell ref="{ref}"/>' for ref in merged)
        book.writestr("xl/worksheets/sheet1.xml", f'<worksheet xmlns="{_MAIN}"><sheetData>{"".join(body)}'
                      f'</sheetData>{f"<mergeCells>{merges}</mergeCells>" if merges else ""}</worksheet>')
    return path


def items(path):
    return list(cohort_xlsx.xlsx_items(str(path), ["observation"], path.name))


HEADER = [text("standard"), text("apprentice"), text("gateway_date"), text("portfolio_pieces")]


# --- date cells -----------------------------------------------------------------------------------------------

# 45,810 days after Excel's day 0 (30 December 1899, day 1 being 1 January 1900 and day 60 its 29 February, which
# Excel counts) is 2 June 2025; after the 1904 system's day 0 (1 January 1904), 3 June 2029.
@pytest.mark.parametrize("serial, date1904, day", [
    ("45810.999999999", False, "2025-06-02"),  # 23:59:59.99991: the reader rounded it to the 3rd's midnight
    ("45810.9999999999", False, "2025-06-02"),
    ("45810.99999999", False, "2025-06-02"),  # 23:59:59.999 (read right before too)
    ("45810.999999999", True, "2029-06-03"),
    ("45810", False, "2025-06-02"),
    ("59", False, "1900-02-28"), ("61", False, "1900-03-01"), ("1", False, "1900-01-01"),
    ("60", True, "1904-03-01"),  # (1904 is a leap year: day 59 is 29 February)
])
def test_a_date_cell_is_the_day_excel_shows(tmp_path, serial, date1904, day):
    for style in (DATE, DATE_TIME):
        path = workbook(tmp_path / "c.xlsx", [HEADER, [text("ST0071"), text("A-1"), number(serial, style)]],
                        date1904=date1904)
        [(line, kind, (record, _))] = items(path)
        assert (line, kind, record["gateway"]) == (2, "csv", {"date": day})


def test_a_time_a_hair_before_midnight_moves_no_deadline(tmp_path):
    """The gateway on 2 June 2025 at 23:59:59.9999 was read as 3 June: each deadline counted from it a day late."""
    any_body("ST0071")
    path = workbook(tmp_path / "c.xlsx", [HEADER, [text("ST0071"), text("A-1"), number("45810.999999999", DATE_TIME),
                                                   number("12")]])
    result = run("compare", "--batch", str(path), "--format", "json")
    assert result.exit_code == 0, result.stderr
    for body in json.loads(result.stdout.splitlines()[0])["results"]:
        window = [d for d in body["deadlines"] if "3 months after" in d["says"]]
        assert window and all(d["date"] == "2025-09-02" for d in window), body["body"]  # 2 June + 3 months


def test_an_audits_gateway_a_hair_before_midnight_picks_the_version_in_force_that_day(tmp_path):
    """Gateway Qualifications' ST0071 specification is version 1.0 from 2024-01-01 and 1.1 from 2024-05-01 (004 §
    Version and date): a gateway on 30 April 2024 (Excel's day 45,412) at 23:59:59.9999, read as 1 May, was audited
    against 1.1."""
    if "gateway_quals" not in {b.body.id for b in epa.testing.registry().bodies}:
        pytest.skip("needs the gateway_quals body, whose versions change on 2024-05-01")
    names = ["Apprentice ID", "Standard", "Awarding Body", "Gateway Date", "Observation", "Project", "Discussion",
             "Overall Grade"]
    row = [text("G1"), text("ST0071"), text("Gateway Qualifications"), number("45412.999999999", DATE_TIME),
           *[text("Pass")] * 4]
    result = run("audit", str(workbook(tmp_path / "outcomes.xlsx", [[text(n) for n in names], row])),
                 "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[0])["version"] == "1.0"


def test_excels_29_february_1900_is_refused_not_read_as_the_28th(tmp_path):
    """Excel's day 60 is 29 February 1900, a day that never was (kept from Lotus 1-2-3): the reader gave
    28 February, the day before, as it gives day 59. Refused as the same text in a CSV is; the number 60 in a cell
    not formatted as a date is 60."""
    path = workbook(tmp_path / "c.xlsx", [HEADER, [text("ST0071"), text("A-1"), number("60", DATE), number("60")],
                                          [text("ST0071"), text("A-2"), number("60.5", DATE_TIME)],
                                          [text("ST0071"), text("A-3"), number("45810", DATE), number("60")]])
    first, second, third = items(path)
    for (line, kind, refused), expected in zip((first, second), (2, 3), strict=True):
        assert (line, kind, refused.column) == (expected, "error", "gateway_date")
        assert refused.message.startswith("'1900-02-29") and "is not a date: February 1900 has no day 29" in refused.message
    assert third[:2] == (4, "csv") and third[2][0]["gateway"] == {"date": "2025-06-02", "portfolio_pieces": 60}


def test_a_date_cell_holding_0_is_called_excels_day_0(tmp_path):
    """A date cell holding 0 (a formula's result where its source is empty: Excel shows 00/01/1900) was refused as
    '\'00:00:00\' is not a date', the reader's time of day, with the hint to write the date in another form. It is
    called what it is, with what to do; a number below 1 is a time on that day; a CSV export's 00/01/1900 the same."""
    path = workbook(tmp_path / "c.xlsx", [HEADER, [text("ST0071"), text("A-1"), number("0", DATE)],
                                          [text("ST0071"), text("A-2"), number("0.5", DATE_TIME)],
                                          [text("ST0071"), text("A-3"), text("00/01/1900")]])
    zero, half, typed = (refused for _, _, refused in items(path))
    assert "Excel's day 0" in zero.message and "an empty or zero date" in zero.message
    assert "number below 1" in half.message and "time on Excel's day 0" in half.message
    assert typed.message == "'00/01/1900' is Excel's day 0, what a date cell holding 0 shows: an empty or zero date, " \
                            "no day of the calendar"
    for refused in (zero, half, typed):
        assert refused.column == "gateway_date" and "leave the cell empty until there is one" in refused.hint


def test_a_formulas_text_shaped_as_a_month_first_date_makes_its_column_month_first(tmp_path):
    """A month-first date in a workbook's text shows its column is month first, and every date of numbers in it is
    refused (03/04/2025 may be 4 March). A formula's text result, TEXT(A2,"mm/dd/yyyy"), was not searched: the
    column's 03/04/2025 was read as 3 April, without a word, as it is not in the same text typed."""
    def formula_text(value):
        return f'<c t="str"><f>TEXT(Z2,"mm/dd/yyyy")</f><v>{value}</v></c>'

    for cell in (formula_text, text):
        path = workbook(tmp_path / "c.xlsx", [HEADER[:3], [text("ST0071"), text("A-1"), cell("03/04/2025")],
                                              [text("ST0071"), text("A-2"), cell("12/25/2025")]])
        first, second = items(path)
        assert first[:2] == (2, "error") and "look month first (US)" in first[2].message, cell
        assert second[:2] == (3, "error") and "look month first (US)" in second[2].message, cell


# --- error cells ----------------------------------------------------------------------------------------------

GRADED = [text("standard"), text("apprentice"), text("gateway_date"), text("observation")]
LOOKUP = "IFERROR(VLOOKUP(B{0},Grades!$A$2:$F$5000,4,FALSE),NA())"  # (a grade looked up: #N/A where none is found)


def test_an_error_cell_cut_by_a_chunks_end_is_still_its_text(tmp_path, monkeypatch):
    """The worksheet's XML is searched a chunk at a time, the last 64 bytes read again with the next: an error
    cell with its formula, longer than that, cut by a chunk's end was found in neither, and its #N/A grade read as
    the reader gives it, empty: an attempt not made, without a word. Every chunk size finds every one."""
    rows = [GRADED, *[[text("ST0071"), text(f"A-{n}"), number("45810", DATE), error("#N/A", LOOKUP.format(n))]
                      for n in range(2, 40)]]
    path = workbook(tmp_path / "c.xlsx", rows)
    size = zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml").file_size
    for chunk in range(256, size, 97):
        monkeypatch.setattr(cohort_xlsx, "_CHUNK", chunk)
        found = items(path)
        assert len(found) == 38 and {kind for _, kind, _ in found} == {"error"}, chunk
        assert all("'#N/A' is not a grade" in refused.message for _, _, refused in found), chunk


def test_cells_written_without_their_place_are_read_where_the_reader_puts_them(tmp_path):
    """The format lets a program leave out each cell's place (r="D2") and each row's (r="2"): the reader places
    them in order. epa's search for error cells and for dates it reads itself went by the place alone: a #N/A grade
    was read as empty (then such a workbook was refused whole), and so was every one holding a number 60 or a
    time a hair before midnight anywhere, a count of 60 or a score of 12.999999999 in a column not read among them
    (found by the hunt). Each cell is placed as the reader places it: the errors and dates are read as in any
    workbook, the numbers are numbers."""
    names = [*GRADED, text("portfolio_pieces"), text("score")]
    rows = [names, [text("ST0071"), text("A-1"), number("45810.999999999", DATE), error("#N/A"), number("60"),
                    number("12.999999999")],
            [text("ST0071"), text("A-2"), number("45810", DATE), text("pass"), number("60")],
            [text("ST0071"), text("A-3"), number("60", DATE), text("pass"), "<c/>", number("60.99999999")]]
    for rows_placed in (True, False):
        path = workbook(tmp_path / "c.xlsx", rows, places=False)
        if not rows_placed:
            path = _without_row_places(path)
        first, second, third = items(path)
        assert first[:2] == (2, "error") and first[2].message == "'#N/A' is not a grade"
        assert second[:2] == (3, "error") and "an attempt at the observation with no date" in second[2].message
        assert third[:2] == (4, "error") and "'1900-02-29' is not a date" in third[2].message
    rows[2] += ["<c/>", number("45826", DATE)]  # (its score empty, then the observation's date)
    names.append(text("observation_date"))
    [_, (line, kind, read), _] = items(workbook(tmp_path / "c.xlsx", rows, places=False))
    assert (line, kind, read[0]["gateway"]["portfolio_pieces"]) == (3, "csv", 60)


def _without_row_places(path):
    with zipfile.ZipFile(path) as book:
        members = {info.filename: book.read(info) for info in book.infolist()}
    members["xl/worksheets/sheet1.xml"] = re.sub(rb'<row r="\d+">', b"<row>", members["xl/worksheets/sheet1.xml"])
    return _zip(path, members)


def test_a_used_range_of_cells_without_places_is_bounded(tmp_path):
    """A worksheet's used range is bounded before the reader holds it; one whose cells have no place (r="B7") was
    taken to reach row 0 and column Z, whatever it held: a row placed far down (r="1000000") holding a thousand
    such cells, a few KB, would have the reader hold a thousand million. It is refused, as the same cells placed
    are: by its columns, and by its cells (bounded here at 1,000, as epa serve bounds a small upload's)."""
    path = workbook(tmp_path / "c.xlsx", [HEADER, [text("ST0071"), text("A-1"), number("45810", DATE)],
                                          [text("x")] * 1001], places=False)
    with zipfile.ZipFile(path) as book:
        members = {info.filename: book.read(info) for info in book.infolist()}
    sheet = members["xl/worksheets/sheet1.xml"].replace(b'<row r="3">', b'<row r="2000">')
    token = cohort_xlsx.CELLS_ALLOWED.set(1000)
    try:
        with pytest.raises(InputError, match=r"reach column ALM \(1,001\); a cohort has at most 1,000 columns"):
            items(_zip(path, {**members, "xl/worksheets/sheet1.xml": sheet}))
        sheet = sheet.replace(text("x").encode() * 1001, text("x").encode() * 30)
        with pytest.raises(InputError, match="its cells reach row 2,000 and 30 columns, more than the 1,000 cells"):
            items(_zip(path, {**members, "xl/worksheets/sheet1.xml": sheet}))
    finally:
        cohort_xlsx.CELLS_ALLOWED.reset(token)


# --- formulas ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("flag", ["1", "true"])
def test_uncalculated_formulas_are_refused_however_the_flag_is_written(tmp_path, flag):
    """A workbook whose program asks for its formulas to be calculated on opening writes fullCalcOnLoad, an XML
    boolean: "1" or "true". With "true" the formulas without a value were not looked for, and read as empty."""
    path = workbook(tmp_path / "c.xlsx", [GRADED, [text("ST0071"), text("A-1"), number("45810", DATE),
                                                   '<c t="str"><f>Grades!D2</f></c>']],
                    calc=f'<calcPr fullCalcOnLoad="{flag}"/>')
    result = run("compare", "--batch", str(path))
    assert result.exit_code == 2 and "1 formula with no stored value" in result.stderr


# --- merged cells -------------------------------------------------------------------------------------------------

def test_merged_cells_emptying_a_column_read_are_named_in_a_note(tmp_path):
    """A standard merged down rows 2 to 4 shows ST0071 on each, but Excel keeps a merged range's value in its first
    cell: rows 3 and 4 were refused for an empty standard with nothing to say why. They still are (as the CSV copy's
    are), and a note names the merged cells and what to do; a merged range in a column not read, or in the header
    row, is not named."""
    any_body("ST0071")
    names = [*HEADER[:3], text("Notes"), text("")]
    rows = [names, [text("ST0071"), text("A-1"), number("45810", DATE), text("see"), text("")],
            [text(""), text("A-2"), number("45810", DATE), text("")], [text(""), text("A-3"), number("45810", DATE)]]
    path = workbook(tmp_path / "c.xlsx", rows, merged=["A2:A4", "D2:D4", "D1:E1"])
    result = run("compare", "--batch", str(path), "--format", "csv")
    assert result.exit_code == 2
    notes = [line for line in result.stderr.splitlines() if "merged cells" in line]
    assert len(notes) == 1 and "(A2:A4)" in notes[0] and "unmerge" in notes[0]
    path = workbook(tmp_path / "c.xlsx", rows, merged=["D2:D4", "D1:E1"])
    assert "merged cells (" not in run("compare", "--batch", str(path), "--format", "csv").stderr


# --- CSV: a stray quote -------------------------------------------------------------------------------------------

def test_a_stray_quote_closed_rows_later_is_an_error_row_not_records_lost(tmp_path):
    """A note typed with a quote at its start ("Excellent) opens a quoted cell that a quote rows later closes: the
    records between were read as part of the note, lost, and the first row graded, exit 0. It is an error row at
    its first line; the rows after the cell are read as ever, and a note holding a line break is no such row."""
    any_body("ST0071")
    path = tmp_path / "c.csv"
    path.write_text('standard,apprentice,gateway_date,notes\r\n'
                    'ST0071,A-1,02/06/2025,"Excellent work\r\n'
                    'ST0071,A-2,02/06/2025,on time\r\n'
                    'ST0071,A-3,02/06/2025,"Late" again\r\n'
                    'ST0071,A-4,02/06/2025,"Two lines,\r\nof a note"\r\n', encoding="utf-8")
    result = run("compare", "--batch", str(path), "--format", "csv", "--column", "notes=")
    assert result.exit_code == 2
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["line"], r["apprentice"]) for r in rows if r["error"]] == [("2", "")]
    assert "opened on line 2 (column 4, 'notes') runs to line 4" in rows[0]["error"]
    assert {r["apprentice"] for r in rows if not r["error"]} == {"A-4"}


def test_a_stray_quote_taking_in_short_rows_is_an_error_row(tmp_path):
    """Rows may stop short of a last column they leave empty (read as empty cells), so the rows a stray quote in
    that column takes in hold fewer commas than the header has separators: A-2 to A-4 were lost and A-1 graded,
    exit 0 (found by review). They reach the last column epa reads, which is what a record's line is held to."""
    any_body("ST0071")
    path = tmp_path / "c.csv"
    path.write_text('standard,apprentice,gateway_date,notes\r\n'
                    'ST0071,A-1,02/06/2025,"Excellent work\r\n'
                    'ST0071,A-2,02/06/2025\r\n'
                    'ST0071,A-3,02/06/2025\r\n'
                    'ST0071,A-4,02/06/2025"\r\n'
                    'ST0071,A-5,02/06/2025\r\n', encoding="utf-8")
    result = run("compare", "--batch", str(path), "--format", "csv", "--column", "notes=")
    assert result.exit_code == 2
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["line"], r["apprentice"]) for r in rows if r["error"]] == [("2", "")]
    assert "opened on line 2 (column 4, 'notes') runs to line 5" in rows[0]["error"]
    assert {r["apprentice"] for r in rows if not r["error"]} == {"A-5"}


@pytest.mark.parametrize("taken_in", ["ST0071,A-2,",  # no gateway date yet: an error row of its own
                                      "ST0071,A-2,TBC",  # a gateway date not a date: the same
                                      ",A-2,02/06/2025"])  # no standard: the same
def test_a_stray_quote_taking_in_a_row_that_is_an_error_is_refused_not_the_row_lost(tmp_path, taken_in):
    """A row a stray quote takes in is a record of the cohort whether or not it would be graded: one lacking a
    gateway date (or holding one that is no date, or no standard) would be an error row of its own. Taken into a
    note it was read as the note's text (a line reading as a row needed all three), the record gone from the output
    and the exit code 0 (found by review): the row holding the quote is refused as for any row taken in."""
    any_body("ST0071")
    path = tmp_path / "c.csv"
    path.write_text('standard,apprentice,gateway_date,notes\n'
                    'ST0071,A-1,02/06/2025,"Excellent work\n'
                    f'{taken_in},"ok"\n'
                    'ST0071,A-3,02/06/2025\n', encoding="utf-8")
    result = run("compare", "--batch", str(path), "--format", "csv", "--column", "notes=")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert result.exit_code == 2
    assert [(r["line"], r["apprentice"]) for r in rows if r["error"]] == [("2", "")]
    assert "opened on line 2 (column 4, 'notes') runs to line 3" in rows[0]["error"]
    assert {r["apprentice"] for r in rows if not r["error"]} == {"A-3"}


# A note as spreadsheets export a cell typed with Alt+Enter: quoted, LF inside it, whatever ends the rows; commas on
# its lines, a quote in it written twice, a line that looks like another record's.
NOTES = ['"Good work, on time, met all KSBs\nNext: review, sign off, book EPA"',
         '"He said ""great"", then\nleft, early, again"',
         '"Copied from the old record:\nST0071,A-9,01/05/2025"']


@pytest.mark.parametrize("row_end", ["\r\n", "\n"])  # Excel, Google Sheets and LibreOffice on Windows; LF: a Unix MIS
def test_a_notes_lines_are_a_note_not_rows_taken_in(tmp_path, row_end):
    """A quoted note whose lines hold as many commas as a row has was refused as rows a stray quote took in: its
    record, and the cohort's exit code, lost to a note. Each record is read, its note and all."""
    any_body("ST0071")
    notes = NOTES if row_end == "\r\n" else NOTES[:2]  # (see the next test)
    path = tmp_path / "c.csv"
    path.write_text(row_end.join(["standard,apprentice,gateway_date,notes",
                                  *(f"ST0071,A-{n},02/06/2025,{note}" for n, note in enumerate(notes, 1)),
                                  "ST0071,A-9,02/06/2025,plain", ""]), encoding="utf-8", newline="")
    result = run("compare", "--batch", str(path), "--format", "csv", "--column", "notes=")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert result.exit_code == 0, [r["error"] for r in rows if r["error"]]
    assert sorted({(r["line"], r["apprentice"]) for r in rows}) == sorted(
        {("2", "A-1"), ("4", "A-2"), ("6", "A-3"), ("8", "A-9")} if row_end == "\r\n" else
        {("2", "A-1"), ("4", "A-2"), ("6", "A-9")})


def test_rows_a_stray_quote_takes_in_are_refused_whatever_ends_the_lines(tmp_path):
    """With every line ending alike (LF, as a Unix export writes them) a cell's line breaks are the rows' own: a
    line in it that reads as a row is one taken in, refused; and so is a note holding a record's line, which
    cannot be told from one (the same note in an export whose rows end CRLF, its own breaks LF, is read)."""
    any_body("ST0071")
    path = tmp_path / "c.csv"
    for body in ('ST0071,A-1,02/06/2025,"Excellent work\nST0071,A-2,02/06/2025,on time\nST0071,A-3,02/06/2025,'
                 '"Late" again\n', f"ST0071,A-1,02/06/2025,{NOTES[2]}\n"):
        path.write_text("standard,apprentice,gateway_date,notes\n" + body + "ST0071,A-4,02/06/2025\n")
        rows = list(csv.DictReader(io.StringIO(run("compare", "--batch", str(path), "--format", "csv", "--column",
                                                   "notes=").stdout)))
        assert [(r["line"], r["apprentice"]) for r in rows if r["error"]] == [("2", "")]
        assert "reads as a row of the cohort" in rows[0]["error"]


def test_an_outcomes_files_note_over_two_lines_is_read(tmp_path):
    """An outcomes file's quoted cell over two lines was an internal error (exit 1), the stray-quote check asking
    its header for what only a cohort's has."""
    any_body("ST0071")
    path = tmp_path / "outcomes.csv"
    path.write_text("Apprentice ID,Standard,Overall Grade,Notes\r\nG1,ST0071,Pass,\"two, lines\nof it\"\r\n",
                    encoding="utf-8", newline="")
    result = run("audit", str(path), "--body", epa.testing.registry().bodies[0].body.id, "--format", "json")
    assert result.exit_code in (0, 2) and "internal error" not in result.stderr, result.stderr
    assert "quoted cell" not in result.stdout + result.stderr


def test_a_byte_order_mark_inside_a_cell_is_no_text(tmp_path):
    """A byte-order mark (U+FEFF, which shows as nothing) inside a file, pasted into a cell or at a joined file's
    row: its standard was 'unknown standard \'\\ufeffST0071\'', its date 'not a date', and its id read as another
    id than the one on screen, without a word. Each is read as it shows, in a CSV row and a workbook's cell alike."""
    any_body("ST0071")
    mark = "\ufeff"
    cells = [(f"{mark}ST0071", "A-1", "02/06/2025"), ("ST0071", "A-2", f"{mark}02/06/2025"),
             ("ST0071", f"{mark}A-3", "02/06/2025"), ("ST0071", f"A-4{mark}", f"02/06/2025{mark}")]
    path = tmp_path / "c.csv"
    path.write_text("".join(",".join(row) + "\r\n" for row in [("standard", "apprentice", "gateway_date"), *cells]),
                    encoding="utf-8")
    book = workbook(tmp_path / "c.xlsx", [HEADER[:3], *[[text(c) for c in row] for row in cells]])
    for cohort in (path, book):
        result = run("compare", "--batch", str(cohort), "--format", "json")
        assert result.exit_code == 0, result.stdout
        assert [json.loads(line)["apprentice"] for line in result.stdout.splitlines()] == ["A-1", "A-2", "A-3", "A-4"]


@pytest.mark.parametrize("taken_in", ["G2,,Pass", ",ST0071,Pass"])  # no standard; no apprentice: error rows
def test_an_outcomes_row_a_stray_quote_takes_in_is_refused_not_lost(tmp_path, taken_in):
    """As a cohort's (test_a_stray_quote_taking_in_a_row_that_is_an_error_is_refused_not_the_row_lost): an outcomes
    row taken into a note whose line lacked its standard or its apprentice was read as the note's text, the row gone
    from the audit without a word (a line read as a row needed both). The row holding the quote is refused."""
    any_body("ST0071")
    path = tmp_path / "outcomes.csv"
    path.write_text(f'Apprentice ID,Standard,Overall Grade,Notes\nG1,ST0071,Pass,"Excellent\n{taken_in},"ok"\n'
                    'G4,ST0071,Pass,fine\n', encoding="utf-8")
    result = run("audit", str(path), "--body", epa.testing.registry().bodies[0].body.id, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["line"], r["apprentice"]) for r in rows] == [("2", ""), ("4", "G4")], rows
    assert "opened on line 2 (column 4, 'Notes') runs to line 3" in rows[0]["error"]
    assert result.exit_code == 2


# --- worksheets ---------------------------------------------------------------------------------------------------

def test_empty_worksheets_beside_the_cohort_ask_for_no_sheet(tmp_path):
    """A workbook from an old Excel's template has Sheet1 to Sheet3: the cohort on one, two empty. It was refused,
    '3 worksheets: which one is the cohort?'; an empty sheet is no cohort. Two sheets holding values are still the
    user's to choose between."""
    openpyxl = pytest.importorskip("openpyxl", reason="the test extra's openpyxl writes the workbook")
    book = openpyxl.Workbook()
    book.active.title = "Sheet1"
    book.active.append(["standard", "apprentice", "gateway_date"])
    book.active.append(["ST0071", "A-1", "02/06/2025"])
    book.create_sheet("Sheet2")
    book.create_sheet("Sheet3")["C7"].number_format = "dd/mm/yyyy"  # (formatted, no value)
    book.save(tmp_path / "c.xlsx")
    [(line, kind, (record, _))] = items(tmp_path / "c.xlsx")
    assert (line, kind, record["gateway"]) == (2, "csv", {"date": "2025-06-02"})
    book["Sheet2"]["A1"] = "notes"
    book.save(tmp_path / "c.xlsx")
    result = run("compare", "--batch", str(tmp_path / "c.xlsx"))
    assert result.exit_code == 2 and "2 worksheets" in result.stderr and "'Sheet3'" not in result.stderr


@pytest.mark.parametrize("shown", [[], ["Fill in the Data sheet, then save."]])
def test_a_cohort_on_a_hidden_worksheet_is_named_where_the_sheet_read_is_none(tmp_path, shown):
    """A provider's template: a visible sheet of instructions (or none at all) and the cohort on a hidden sheet.
    The visible one was read and refused ('the worksheet has no rows', or a header naming no column) without a
    word of the hidden sheet, which --sheet reads. The refusal names it, and how to read it; a hidden sheet
    beside a visible cohort (its lookups) changes nothing."""
    any_body("ST0071")
    openpyxl = pytest.importorskip("openpyxl", reason="the test extra's openpyxl writes the workbook")
    book = openpyxl.Workbook()
    book.active.title = "Instructions"
    for line in shown:
        book.active.append([line])
    data = book.create_sheet("Data")
    data.append(["standard", "apprentice", "gateway_date"])
    data.append(["ST0071", "A-1", "02/06/2025"])
    data.sheet_state = "hidden"
    book.save(tmp_path / "c.xlsx")
    result = run("compare", "--batch", str(tmp_path / "c.xlsx"))
    assert result.exit_code == 2 and "hidden worksheet 'Data'? name it with --sheet 'Data'" in result.stderr
    assert run("compare", "--batch", str(tmp_path / "c.xlsx"), "--sheet", "Data").exit_code == 0
    data.sheet_state = "visible"
    book["Instructions"].append(["a lookup"])
    book["Instructions"].sheet_state = "hidden"
    book.active = 1
    book.save(tmp_path / "c.xlsx")
    assert run("compare", "--batch", str(tmp_path / "c.xlsx")).exit_code == 0


def _zip(path, members):
    with zipfile.ZipFile(path, "w") as archive:
        for member, content in members.items():
            archive.writestr(member, content)
    return path


@pytest.mark.parametrize("name", ["cohort.ods", "cohort.xlsx"])
def test_an_opendocument_spreadsheet_is_called_one(tmp_path, name):
    """LibreOffice's own format (.ods) is a zip too: it was 'an Excel workbook ... name it .xlsx', and so named,
    'not an Excel workbook (it has no xl/workbook.xml)'. It is named, with how to save it as epa reads it."""
    path = _zip(tmp_path / name, {"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<x/>"})
    for command in ("compare", "audit"):
        result = run(command, *(["--batch"] if command == "compare" else []), str(path))
        assert result.exit_code == 2 and "Traceback" not in result.stderr
        assert "OpenDocument spreadsheet (.ods" in result.stderr and "Excel workbook" in result.stderr
        assert "name it .xlsx" not in result.stderr and "(.xlsx)" in result.stderr


def test_a_zip_holding_no_workbook_is_not_called_one(tmp_path):
    path = _zip(tmp_path / "report.docx", {"word/document.xml": "<x/>"})
    stderr = run("compare", "--batch", str(path)).stderr
    assert "zip file holding no Excel workbook" in stderr and "name it .xlsx" not in stderr


def test_two_csv_utf8_exports_joined_are_told_as_a_header_repeated(tmp_path):
    """Two "CSV UTF-8" exports joined (cat a.csv b.csv): the second's byte-order mark starts its header row, which
    was then no repeated header but a row of bad values, its apprentice said to be 'apprentice'."""
    any_body("ST0071")
    export = "\ufeffstandard,apprentice,gateway_date\r\nST0071,A-1,02/06/2025\r\n"
    path = tmp_path / "joined.csv"
    path.write_text(export + export.replace("A-1", "A-2"), encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(run("compare", "--batch", str(path), "--format", "csv").stdout)))
    [refused] = [r for r in rows if r["error"]]
    assert (refused["line"], refused["apprentice"]) == ("3", "")
    assert "repeats the header's column names" in refused["error"]


# --- --strict -----------------------------------------------------------------------------------------------------

def test_strict_reads_an_export_whose_empty_columns_have_no_name(tmp_path):
    """Excel writes the empty columns it kept formatted after the last as ",,,": with --strict such a cohort was
    refused whole, its nameless columns 'not read', with the hint to map or leave them out, which no --column can
    do (a map names a column by its name). They hold nothing to read: the cohort is read, and a row holding a value
    in one, which --strict is there to catch, is an error row naming the column and the value."""
    any_body("ST0071")
    path = tmp_path / "c.csv"
    path.write_text("standard,apprentice,gateway_date,,\r\nST0071,A-1,02/06/2025,,\r\nST0071,A-2,02/06/2025,,Late\r\n"
                    ",,,,\r\n", encoding="utf-8")
    result = run("compare", "--batch", str(path), "--strict", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert result.exit_code == 2 and {r["apprentice"] for r in rows if not r["error"]} == {"A-1"}
    [refused] = [r for r in rows if r["error"]]
    assert refused["line"] == "3" and "column 5 has no name in the header" in refused["error"]
    assert "'Late'" in refused["error"]
    path.write_text("standard,apprentice,gateway_date,,\r\nST0071,A-1,02/06/2025,,\r\n", encoding="utf-8")
    assert run("compare", "--batch", str(path), "--strict").exit_code == 0
    path.write_text("standard,apprentice,gateway_date,Employer,\r\nST0071,A-1,02/06/2025,,\r\n", encoding="utf-8")
    result = run("compare", "--batch", str(path), "--strict")
    assert result.exit_code == 2 and 'columns epa does not read (--strict): "Employer" (column 4)' in result.stderr
