"""A workbook's number shown through a number format that makes it other text: an id typed as a number in a column
formatted 000000 shows 000123 and holds 123, which python-calamine gives. Read as 123 it was a silent wrong id (an
audit, or a join with another file, would miss it). It is read as it shows, as a CSV copy holds it; a format epa does
not write out is refused where its column is read, never read as the bare number. The workbooks are written with
openpyxl, which stores a cell's number format in the workbook's styles as Excel does."""

from __future__ import annotations

import re
import zipfile

import pytest

from conftest import any_body, run
from epa.errors import InputError
from epa.inputs import cohort_xlsx
from epa.inputs.xlsx_formats import NumberFormat

openpyxl = pytest.importorskip("openpyxl", reason="the test extra's openpyxl writes the workbooks")
pytest.importorskip("python_calamine", reason="epa reads workbooks with python-calamine")

HEADER = ["standard", "apprentice", "gateway_date", "portfolio_pieces", "employer_ref"]


def workbook(path, rows, formats):
    """``rows`` (the header first) as a worksheet, each cell named in ``formats`` ("B2": code) so formatted."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Cohort"
    for row in rows:
        sheet.append(row)
    for cell, code in formats.items():
        sheet[cell].number_format = code
    book.save(path)
    return path


def items(path):
    return list(cohort_xlsx.xlsx_items(str(path), ["observation"], path.name))


def ids(path):
    return [read[0]["apprentice"]["id"] for _, kind, read in items(path) if kind == "csv"]


def test_an_id_shown_zero_padded_is_read_as_it_shows(tmp_path):
    """123 in a cell formatted 000000 shows 000123 (six places, the missing ones 0); 45 formatted "L"0000 shows
    L0045 (the quoted text as written, then four places); 12345678 formatted 00000\\-0000 (Excel's ZIP+4) shows
    01234-5678. A cell of the same column in General is its digits."""
    rows = [HEADER, ["ST0071", 123, "2025-12-01"], ["ST0071", 45, "2025-12-01"], ["ST0071", 12345678, "2025-12-01"],
            ["ST0071", 77, "2025-12-01"]]
    path = workbook(tmp_path / "c.xlsx", rows, {"B2": "000000", "B3": '"L"0000', "B4": "00000\\-0000"})
    assert ids(path) == ["000123", "L0045", "01234-5678", "77"]


def test_cells_without_their_place_are_read_as_they_show_too(tmp_path):
    """The format lets a program leave out each cell's place (r="B2"): such a cell is placed as the reader places
    it, and shown through its format all the same."""
    rows = [HEADER, ["ST0071", 123, "2025-12-01"], ["ST0071", 9, "2025-12-01"]]
    path = workbook(tmp_path / "c.xlsx", rows, {"B2": "000000"})
    with zipfile.ZipFile(path) as book:
        members = {info.filename: book.read(info) for info in book.infolist()}
    members["xl/worksheets/sheet1.xml"] = re.sub(rb' r="[A-Z]+\d+"', b"", members["xl/worksheets/sheet1.xml"])
    with zipfile.ZipFile(path, "w") as book:
        for member, data in members.items():
            book.writestr(member, data)
    assert ids(path) == ["000123", "9"]


def test_a_format_not_written_out_refuses_the_row_where_its_column_is_read(tmp_path):
    """A format that pads the number in a way epa does not write out (a condition, [>999]000000;0) is no guess:
    the row is refused naming the column, with the fix (format the column as Text); the same format in a column epa
    does not read refuses nothing."""
    rows = [HEADER, ["ST0071", 123, "2025-12-01", None, 5], ["ST0071", "A-2", "2025-12-01", None, 5]]
    path = workbook(tmp_path / "c.xlsx", rows, {"B2": "[>999]000000;0", "E3": "[>999]000000;0"})
    first, second = items(path)
    assert first[:2] == (2, "error")
    assert first[2].column == "apprentice" and "[>999]000000;0" in first[2].message
    assert "Text" in first[2].hint
    assert second[:2] == (3, "csv") and second[2][0]["apprentice"]["id"] == "A-2"


@pytest.mark.parametrize("code", ["General", "0", "#,##0", "0.00E+00", "_-* #,##0_-;-* #,##0_-;_-* \"-\"_-;_-@_-"])
def test_formats_that_change_no_digit_leave_an_id_its_digits(tmp_path, code):
    """A ULN in General, 0, #,##0, scientific or UK accounting format: the number's digits, as ever."""
    path = workbook(tmp_path / "c.xlsx", [HEADER, ["ST0071", 1234567890, "2025-12-01"]], {"B2": code})
    assert ids(path) == ["1234567890"]


def test_a_count_shown_padded_is_read_as_its_number(tmp_path):
    """A count formatted 00 shows 07: read as 7 pieces, as its CSV copy's 07 is."""
    path = workbook(tmp_path / "c.xlsx", [HEADER, ["ST0071", "A-1", "2025-12-01", 7]], {"D2": "00"})
    [(_, kind, read)] = items(path)
    assert kind == "csv" and read[0]["gateway"]["portfolio_pieces"] == 7


@pytest.mark.parametrize(("code", "value", "shown"), [
    ("000000", 123, "000123"),  # six places: three digits, three zeros
    ("000000", 1234567, "1234567"),  # more digits than places: all of them
    ("000000", 0, "000000"),
    ("000000", 123.5, "000124"),  # no decimal place: rounded half away from zero, as Excel shows it
    ("#0000", 5, "0005"),  # '#' shows a digit or nothing
    ("0000;-0000", -12, "-0012"),  # the negatives' own section, its minus written
    ('"Yes";"Yes";"No"', 0, "No"),  # the third section is zero's
    ("[Red]000000", 12, "000012"),  # a colour changes no text
])
def test_a_number_as_its_format_shows_it(code, value, shown):
    assert NumberFormat(code).text(value) == shown


def test_an_audit_reads_a_padded_uln_as_it_shows(tmp_path):
    """An outcomes workbook's id is read by the same reader: the row's apprentice is 000123."""
    body = any_body("ST0071")
    rows = [["body", "standard", "apprentice", "observation", "project", "discussion", "overall"],
            [body, "ST0071", 123, "pass", "pass", "pass", "pass"]]
    path = workbook(tmp_path / "o.xlsx", rows, {"C2": "000000"})
    result = run("audit", str(path), "--format", "csv")
    assert "Traceback" not in result.stderr
    assert result.stdout.splitlines()[1].split(",")[1] == "000123"


def test_cell_styles_too_large_to_read_are_refused_not_passed_over(tmp_path):
    """Styles past the bound would leave every format unread, an id shown 000123 read as 123: refused instead."""
    path = workbook(tmp_path / "c.xlsx", [HEADER, ["ST0071", 123, "2025-12-01"]], {"B2": "000000"})
    with zipfile.ZipFile(path) as book:
        members = {info.filename: book.read(info) for info in book.infolist()}
    members["xl/styles.xml"] += b"<!--" + b" " * (cohort_xlsx.MAX_SMALL_XML + 1) + b"-->"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        for member, data in members.items():
            book.writestr(member, data)
    with pytest.raises(InputError, match="styles"):
        items(path)


UK_ACCOUNTING = '_-"£"* #,##0.00_-;\\-"£"* #,##0.00_-;_-"£"* "-"??_-;_-@_-'  # (Excel's own, as it writes it)


def test_an_audit_does_not_refuse_a_row_for_a_format_in_a_column_it_does_not_read(tmp_path):
    """A fee in Excel's UK accounting format beside the grades: the audit does not read that column, so it refuses
    nothing (on 2114bf1 every row holding one was refused, 'the id read would not be the one shown'); the cohort
    path already read such a row (test_a_format_not_written_out_refuses_the_row_where_its_column_is_read)."""
    body = any_body("ST0071")
    rows = [["body", "standard", "apprentice", "observation", "project", "discussion", "overall", "fee"],
            [body, "ST0071", "A-1", "pass", "pass", "pass", "pass", 1500]]
    path = workbook(tmp_path / "o.xlsx", rows, {"H2": UK_ACCOUNTING})
    result = run("audit", str(path), "--format", "csv")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[1].split(",")[1] == "A-1"


@pytest.mark.parametrize("code", ["0/0", "00/00", "0 ??/??"])  # (# ?/?, built in, shows a whole number as it is)
def test_an_id_in_a_fraction_format_is_refused_not_read_as_digits_and_a_slash(tmp_path, code):
    """Excel shows 3 in 0/0 as 3/1 and 1234 in 00/00 as 1234/1: a fraction, which epa does not write out; it read
    them '0/3' and '12/34' (found by review), so the row is refused naming the format, as a condition is."""
    rows = [HEADER, ["ST0071", 1234, "2025-12-01"]]
    (item,) = items(workbook(tmp_path / "c.xlsx", rows, {"B2": code}))
    assert item[:2] == (2, "error") and item[2].column == "apprentice" and code in item[2].message


def test_an_id_padded_only_in_its_format_s_negative_section_is_read_as_it_shows(tmp_path):
    """0;000000 shows -123 as 000123 (the negatives' section, written without a minus): read 000123, not -123."""
    rows = [HEADER, ["ST0071", -123, "2025-12-01"], ["ST0071", 45, "2025-12-01"]]
    assert ids(workbook(tmp_path / "c.xlsx", rows, {"B2": "0;000000", "B3": "0;000000"})) == ["000123", "45"]


def test_a_conditional_format_s_number_format_does_not_stand_for_the_cell_s(tmp_path):
    """A conditional format (dxfs) may give its own numFmt the id a cell style's format has: the cell shows through
    its style's (numFmts), 000123 (the first reading took whichever came last in styles.xml: found by review)."""
    path = workbook(tmp_path / "c.xlsx", [HEADER, ["ST0071", 123, "2025-12-01"]], {"B2": "000000"})
    with zipfile.ZipFile(path) as book:
        members = {info.filename: book.read(info) for info in book.infolist()}
    styles = members["xl/styles.xml"].decode()
    ident = re.search(r'<numFmt numFmtId="(\d+)" formatCode="000000"', styles)[1]
    dxfs = f'<dxfs count="1"><dxf><numFmt numFmtId="{ident}" formatCode="0"/></dxf></dxfs>'
    styles = re.sub(r"<dxfs[^>]*/>|<dxfs.*?</dxfs>", "", styles, flags=re.S)
    members["xl/styles.xml"] = styles.replace("</cellXfs>", "</cellXfs>" + dxfs, 1).encode()
    with zipfile.ZipFile(path, "w") as book:
        for member, data in members.items():
            book.writestr(member, data)
    assert ids(path) == ["000123"]


@pytest.mark.parametrize("written", ["a tab before its style", "attributes in single quotes"])
def test_a_cell_s_style_written_otherwise_than_excel_writes_it_is_read_all_the_same(tmp_path, written):
    """XML lets a writer put any blank before an attribute, and either quote around its value: the cell still shows
    000123 (on e37dab5 only ' s="' was looked for, and the ids were read 123, 4567, 89 without a word: found by the
    stress run)."""
    rows = [HEADER, ["ST0071", 123, "2025-12-01"], ["ST0071", 4567, "2025-12-01"], ["ST0071", 89, "2025-12-01"]]
    path = workbook(tmp_path / "c.xlsx", rows, {"B2": "000000", "B3": "000000", "B4": "000000"})
    with zipfile.ZipFile(path) as book:
        members = {info.filename: book.read(info) for info in book.infolist()}
    sheet = members["xl/worksheets/sheet1.xml"]
    if written.startswith("a tab"):
        sheet = sheet.replace(b' s="', b'\ts="')
    else:
        sheet = re.sub(rb'(<[^?!][^>]*>)', lambda tag: re.sub(rb'="([^"]*)"', rb"='\1'", tag[1]), sheet)
    members["xl/worksheets/sheet1.xml"] = sheet
    with zipfile.ZipFile(path, "w") as book:
        for member, data in members.items():
            book.writestr(member, data)
    assert ids(path) == ["000123", "004567", "000089"]
