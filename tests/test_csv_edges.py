"""CSV in and out at its edges, through the real `epa compare --batch`: a stray quote, a quoted cell that runs on,
an input without line ends, a header far too wide, carriage-return line ends, UTF-16, and cells a spreadsheet would
run as formulas (issue 16). Each record read is a result or an error row, counted once."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import textwrap

import pytest

import epa.batch.cohort
from conftest import any_body, example, fails, graded, run
from epa.inputs.cohort_input import MAX_COLUMNS, MAX_RECORD, physical_lines

HEADER = "standard,apprentice,gateway_date"


@pytest.fixture(autouse=True)
def _st0071():
    any_body("ST0071")  # skips without a body offering ST0071


def row(ident: str) -> str:
    return f"ST0071,{ident},2025-06-02"


def counts(tmp_path, text: str | bytes, name: str = "c.csv") -> tuple[int, int, int]:
    _, (line,) = graded(tmp_path, text, "json", "--summary-only", name=name)
    summary = line["summary"]
    return summary["records_read"], summary["results_written"], summary["errors"]


def by_line(rows: list[dict]) -> dict[int, set[str]]:
    """Each CSV output line's apprentice cells (one row per body, or one error row)."""
    found: dict[int, set[str]] = {}
    for r in rows:
        found.setdefault(int(r["line"]), set()).add(r["apprentice"])
    return found


# --- quotes -------------------------------------------------------------------------------------------------


def test_a_quote_inside_an_unquoted_cell_is_text_and_swallows_no_row(tmp_path):
    text = "\n".join([HEADER, row('A-"0003'), row("A-0004"), row('A-00"05"'), row("A-0006")]) + "\n"
    code, rows = graded(tmp_path, text, "csv")
    assert code == 0
    assert by_line(rows) == {2: {'A-"0003'}, 3: {"A-0004"}, 4: {'A-00"05"'}, 5: {"A-0006"}}
    assert all(r["error"] == "" for r in rows)
    _, lines = graded(tmp_path, text, "json")
    assert [(ln["line"], ln["apprentice"]) for ln in lines] == [(2, 'A-"0003'), (3, "A-0004"), (4, 'A-00"05"'),
                                                                (5, "A-0006")]
    assert counts(tmp_path, text) == (4, 4, 0)


def test_a_quoted_cell_may_hold_line_breaks_and_quotes(tmp_path):
    text = HEADER + '\nST0071,"A-1\nsecond line ""quoted"", and a comma",2025-06-02\n' + row("A-2") + "\n"
    code, lines = graded(tmp_path, text, "json")
    assert code == 0
    assert [(ln["line"], ln["apprentice"]) for ln in lines] == [
        (2, 'A-1\nsecond line "quoted", and a comma'), (4, "A-2")]


def test_a_quoted_cell_past_the_limit_is_one_error_row_and_reading_resumes_after_it(tmp_path):
    """The issue's 10 MB quoted cell of many lines gave an error row for each of its lines: it is one record, one
    error row at its first line, naming the quoted cell's line and column; the record after it is graded."""
    note = "".join(f"line {i:06d} of a long note\n" for i in range(MAX_RECORD // 20))  # 27 bytes a line
    cell_lines = note.count("\n")
    text = "\n".join([HEADER, row("A-1"), 'ST0071,"' + note + '",2025-06-02', row("A-3")]) + "\n"
    for fmt in ("csv", "json"):
        code, out = graded(tmp_path, text, fmt)
        assert code == 2
        errors = [r for r in out if (r["error"] if fmt == "csv" else "error" in r)]
        assert len(errors) == 1
        error = errors[0]
        assert int(error["line"]) == 3
        message = error["error"] if fmt == "csv" else error["error"]["message"]
        assert "line 3" in message and "'apprentice'" in message
        last = 3 + cell_lines + 1  # the opening line, the note's lines, and the row after it
        graded_lines = [int(r["line"]) for r in out if r not in errors]
        assert sorted(set(graded_lines)) == [2, last]
    assert counts(tmp_path, text) == (3, 2, 1)


def test_a_quote_never_closed_is_one_error_row_naming_where_it_opened(tmp_path):
    text = "\n".join([HEADER, row("A-1"), 'ST0071,"A-2,2025-06-02', row("A-3")]) + "\n"
    code, lines = graded(tmp_path, text, "json")
    assert code == 2
    assert [ln["line"] for ln in lines] == [2, 3]
    message = lines[1]["error"]["message"]
    assert "line 3" in message and "column 2" in message and "'apprentice'" in message
    assert counts(tmp_path, text) == (2, 1, 1)


# --- formulas in CSV output (OWASP: CSV injection) ---------------------------------------------------------

# (an id's leading tab or carriage return is a blank, taken off as a CSV cell's is: no id starts with one, and the
# rows below with "\tTAB" and "\rCR" give the ids TAB and CR)
FORMULAS = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(1+1)", '=HYPERLINK("http://example.com","click")']


def test_a_cell_starting_like_a_formula_is_written_with_a_quote_before_it_and_quoted(tmp_path):
    """Every text cell that would start with =, +, -, @, tab or carriage return: a single quote before it and the
    cell quoted (https://owasp.org/www-community/attacks/CSV_Injection), in result rows and error rows alike; the
    line number, which the program writes, is not text. JSON output keeps the id as it is."""
    records = [{"standard": "ST0071", "apprentice": {"id": ident}, "gateway": {"date": "2025-06-02"}}
               for ident in [*FORMULAS, "\tTAB", "\rCR"]]
    records.append({"standard": "ST0071", "apprentice": {"id": "=1+2"}, "gateway": {"date": "2025-02-30"}})  # bad
    text = "".join(json.dumps(r) + "\n" for r in records)
    path = tmp_path / "c.jsonl"
    path.write_text(text, encoding="utf-8")
    result = run("compare", "--batch", str(path), "--format", "csv")
    assert result.exit_code == 2
    rows = list(csv.reader(io.StringIO(result.stdout, newline="")))[1:]
    assert {(r[0], r[1]) for r in rows} == {
        *((str(i), "'" + ident) for i, ident in enumerate(FORMULAS, 1)), ("6", "TAB"), ("7", "CR"), ("8", "'=1+2")}
    assert [r[-1] != "" for r in rows if r[0] == "8"] == [True]  # the bad record's error row, its id escaped too
    for ident in FORMULAS:  # quoted, whatever else the cell holds
        assert f',"\'{ident.replace(chr(34), chr(34) * 2)}",' in result.stdout
    for r in rows:  # no cell of any row starts like a formula
        assert not any(cell[:1] in ("=", "+", "-", "@", "\t", "\r") for cell in r), r
    _, lines = graded(tmp_path, text.encode(), "json", name="c.jsonl")
    assert [ln["apprentice"] for ln in lines[:-1]] == [*FORMULAS, "TAB", "CR"]


def test_a_formula_in_a_csv_cohort_is_escaped_on_the_way_out(tmp_path):
    text = "\n".join([HEADER, row("=cmd|' /C calc'!A0"), row("@SUM(A1)"), "ST0071,+1+1,not-a-date"]) + "\n"
    code, rows = graded(tmp_path, text, "csv")
    assert code == 2
    assert by_line(rows) == {2: {"'=cmd|' /C calc'!A0"}, 3: {"'@SUM(A1)"}, 4: {"'+1+1"}}
    (error,) = [r for r in rows if r["error"]]
    assert error["line"] == "4" and "gateway_date" in error["error"]


# --- size -----------------------------------------------------------------------------------------------------


def test_a_row_repeating_the_header_is_one_problem_saying_so(tmp_path):
    """Two exports joined into one file repeat the header between them. On 482b50f that row was refused with a
    problem per cell ("'gateway_date' is not a date", "'standard' is not a standard"...), its apprentice said to be
    'apprentice'; it is one problem saying the header repeats. The rows around it are read as ever."""
    text = "\n".join([HEADER, row("A-1"), " standard , apprentice,gateway_date", row("A-2")]) + "\n"
    code, lines = graded(tmp_path, text, "json")
    assert code == 2 and [ln["line"] for ln in lines] == [2, 3, 4]
    assert lines[1]["error"]["message"].startswith("the row repeats the header's column names")
    assert "delete the row" in lines[1]["error"]["hint"] and "apprentice" not in lines[1]
    _, rows = graded(tmp_path, text, "csv")
    assert by_line(rows) == {2: {"A-1"}, 3: {""}, 4: {"A-2"}}


def test_a_header_of_too_many_columns_is_refused_at_once(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(",".join(["standard"] * 100_000) + "\n" + row("A-1") + "\n", encoding="utf-8")
    stderr = fails("compare", "--batch", str(path), "--format", "csv")
    assert f"{path}:1:" in stderr and "100000 columns" in stderr and str(MAX_COLUMNS) in stderr


def test_a_header_at_the_cap_is_checked_and_a_repeat_named(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(HEADER + ",standard" * (MAX_COLUMNS - 3) + "\n", encoding="utf-8")
    stderr = fails("compare", "--batch", str(path), "--format", "csv")
    assert 'columns "standard" (column 1) and "standard" (column 4) (and 996 more columns) both hold standard' in stderr


def test_a_csv_line_past_the_limit_is_one_error_row_and_the_next_is_read(tmp_path):
    text = "\n".join([HEADER, row("A-1"), row("x" * (MAX_RECORD + 10)), row("A-3")]) + "\n"
    code, lines = graded(tmp_path, text, "json")
    assert code == 2
    assert [ln["line"] for ln in lines] == [2, 3, 4]
    assert "error" in lines[1] and lines[2]["apprentice"] == "A-3"


ENDLESS = textwrap.dedent("""\
    import sys
    out = sys.stdout.buffer
    try:
        out.write(sys.argv[1].encode())
        while True:
            out.write(sys.argv[2].encode() * 65536)
    except (BrokenPipeError, OSError):
        pass
""")


def endless(start: str, fill: str, fmt: str) -> tuple[int, str, str]:
    """`epa compare --batch -` reading ``start`` and then ``fill`` for ever, from a pipe; it must end by itself."""
    feeder = subprocess.Popen([sys.executable, "-c", ENDLESS, start, fill], stdout=subprocess.PIPE)
    try:
        batch = subprocess.run([sys.executable, "-m", "epa", "compare", "--batch", "-", "--format", fmt],
                               stdin=feeder.stdout, capture_output=True, text=True, timeout=120)
    finally:
        feeder.kill()
        feeder.wait()
    assert "Traceback" not in batch.stderr
    return batch.returncode, batch.stdout, batch.stderr


def test_an_endless_line_ends_the_run_with_a_refusal():
    """A device that never writes a line end (here a pipe fed 'x' for ever): the line is an error row, and reading
    stops after a bounded amount, with exit 2 and every record before it graded."""
    first = json.dumps({"standard": "ST0071", "apprentice": {"id": "A-1"}, "gateway": {"date": "2025-06-02"}})
    code, out, _ = endless(first + "\n", "x", "json")
    assert code == 2
    lines = [json.loads(line) for line in out.splitlines()]
    assert [ln["line"] for ln in lines] == [1, 2]
    assert lines[0]["apprentice"] == "A-1" and "error" in lines[1]
    code, out, _ = endless(f"{HEADER}\n{row('A-1')}\n", "x", "csv")
    assert code == 2
    assert by_line(list(csv.DictReader(io.StringIO(out, newline="")))) == {2: {"A-1"}, 3: {""}}


def test_an_endless_quoted_cell_ends_the_run_with_a_refusal():
    code, out, _ = endless(f"{HEADER}\n{row('A-1')}\nST0071,\"A-2\n", "x" * 1000 + "\n", "csv")
    assert code == 2
    rows = list(csv.DictReader(io.StringIO(out, newline="")))
    assert by_line(rows) == {2: {"A-1"}, 3: {""}}
    (error,) = [r["error"] for r in rows if r["error"]]
    assert "line 3" in error and "'apprentice'" in error


def test_an_endless_header_is_refused():
    code, out, err = endless("", "x", "csv")
    assert code == 2 and "stdin:1" in err


# --- line ends and encodings -----------------------------------------------------------------------------------


def test_carriage_return_line_ends_are_read(tmp_path):
    text = "\r".join([HEADER, row("A-1"), "", 'ST0071,"A-3\rcontinued",2025-06-02', row("A-5")]) + "\r"
    code, lines = graded(tmp_path, text, "json")
    assert code == 0
    assert [(ln["line"], ln["apprentice"]) for ln in lines] == [(2, "A-1"), (4, "A-3\rcontinued"), (6, "A-5")]
    records = [json.dumps({"standard": "ST0071", "apprentice": {"id": f"A-{i}"}, "gateway": {"date": "2025-06-02"}})
               for i in (1, 2)]
    code, lines = graded(tmp_path, "\r".join(records) + "\r", "json", name="c.jsonl")
    assert code == 0
    assert [(ln["line"], ln["apprentice"]) for ln in lines] == [(1, "A-1"), (2, "A-2")]


@pytest.mark.parametrize("header_end", ["\r\n", "\n"])
def test_line_ends_that_change_part_way_are_each_read(tmp_path, header_end):
    """A header ending in CRLF (or LF), then rows ending in a bare CR: four physical records, not one. Before,
    only the first line's end decided, and the four rows were one record, refused in Python's own words."""
    text = HEADER + header_end + "\r".join([row("A-1"), row("A-2"), row("A-3"), row("A-4")]) + "\r"
    code, lines = graded(tmp_path, text, "json")
    assert code == 0
    assert [(ln["line"], ln["apprentice"]) for ln in lines] == [(2, "A-1"), (3, "A-2"), (4, "A-3"), (5, "A-4")]
    first = json.dumps({"standard": "ST0071", "apprentice": {"id": "A-1"}, "gateway": {"date": "2025-06-02"}})
    second = first.replace("A-1", "A-2")
    code, lines = graded(tmp_path, first + header_end + second + "\r" + second.replace("A-2", "A-3") + "\r",
                         "json", name="c.jsonl")
    assert code == 0
    assert [(ln["line"], ln["apprentice"]) for ln in lines] == [(1, "A-1"), (2, "A-2"), (3, "A-3")]


def test_carriage_return_lines_are_found_whatever_a_pipe_reads_at_a_time():
    """A pipe's read may stop anywhere, between a "\\r" and its "\\n" too: the lines are the lines written."""
    import random

    class Trickle(io.RawIOBase):  # a few bytes a read, as a slow pipe gives them
        def __init__(self, data: bytes):
            self.data, self.at = data, 0

        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:
            n = min(len(buffer), chance.randint(1, 7), len(self.data) - self.at)
            buffer[:n] = self.data[self.at:self.at + n]
            self.at += n
            return n

    chance = random.Random(16)
    lines = [b"a" * chance.randint(1, 20) + chance.choice([b"\r", b"\r\n", b"\n"]) for _ in range(2000)]
    stream = io.BufferedReader(Trickle(b"first\r" + b"".join(lines)), 4)
    assert [raw for _, raw, _ in physical_lines(stream)] == [b"first\r", *lines]


# (a UTF-16 file with its byte-order mark is read: test_utf16_exports)


def test_a_utf16_header_without_a_byte_order_mark_is_refused_naming_it(tmp_path):
    path = tmp_path / "c.csv"
    path.write_bytes((HEADER + "\n" + row("A-1") + "\n").encode("utf-16-le"))
    stderr = fails("compare", "--batch", str(path), "--format", "csv")
    assert f"{path}:1:" in stderr and "UTF-16" in stderr


def test_a_utf8_byte_order_mark_is_accepted(tmp_path):
    code, rows = graded(tmp_path, "\ufeff" + HEADER + "\r\n" + row("A-1") + "\r\n", "csv")
    assert code == 0 and by_line(rows) == {2: {"A-1"}}


# --- workers --------------------------------------------------------------------------------------------------


def test_a_messy_cohort_gives_the_same_bytes_from_two_workers(tmp_path, monkeypatch):
    monkeypatch.setattr(epa.batch.cohort, "CHUNK", 2)
    note = "x\n" * (MAX_RECORD // 2 + 10)
    text = "\n".join([HEADER, row('A-"1'), row("=1+1"), 'ST0071,"' + note + '",2025-06-02', row("A-4"),
                      "ST0071,A-5,not-a-date", 'ST0071,"A-6\nsecond line",2025-06-02', row("@A-7")]) + "\n"
    path = tmp_path / "c.csv"
    path.write_text(text, encoding="utf-8")
    one = run("compare", "--batch", str(path), "--format", "csv", "--workers", "1")
    two = run("compare", "--batch", str(path), "--format", "csv", "--workers", "2")
    assert one.exit_code == two.exit_code == 2
    assert one.stdout.encode() == two.stdout.encode() and one.stdout.count("\n") > 8


@pytest.mark.parametrize("text", [b"", b"\n", b"\r\n\r\n  \n"])
@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_an_empty_file_is_no_cohort(tmp_path, text, suffix):
    """No header row (CSV) or no record line (JSON Lines): refused, exit 2, saying the file is empty and what a
    cohort file needs, as a header missing its columns is refused; not a cohort of 0 records."""
    path = tmp_path / f"c{suffix}"
    path.write_bytes(text)
    message = fails("compare", "--batch", str(path))
    assert re.search(r"the (file|input) is empty", message)
    needs = "first line names its columns" if suffix == ".csv" else "one record a line"
    assert needs in message


def test_a_header_with_no_rows_is_a_cohort_of_none(tmp_path):
    code, rows = graded(tmp_path, HEADER + "\n", "json", "--summary")
    assert code == 0 and rows[-1]["summary"]["records_read"] == 0


@pytest.mark.parametrize("text", ["", "standard,apprentice\r\n"])
def test_a_refused_cohort_writes_no_csv_header_to_standard_output(tmp_path, text):
    """An empty file or a header missing a column is refused (exit 2) before any row: standard output stays empty,
    never a CSV header a script keeping stdout would take for a cohort of none."""
    path = tmp_path / "c.csv"
    path.write_text(text, encoding="utf-8")
    result = run("compare", "--batch", str(path), "--format", "csv")
    assert result.exit_code == 2 and result.stdout == ""


def test_a_header_with_no_rows_is_a_csv_of_its_header_alone(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(HEADER + "\n", encoding="utf-8")
    result = run("compare", "--batch", str(path), "--format", "csv")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0].startswith("line,apprentice,body,overall,") and result.stdout.count("\n") == 1


@pytest.mark.parametrize(("separator", "named"), [(";", "a semicolon"), ("\t", "a tab")])
def test_a_row_wider_than_its_header_is_told_of_the_file_s_own_separator(tmp_path, separator, named):
    """A European Excel's CSV (semicolons) or tab-separated text with a row of one cell too many was told "a cell
    holding a comma must be quoted", where a comma there is text and the separator is what was not quoted."""
    any_body("ST0071")
    path = tmp_path / "c.csv"
    path.write_text(separator.join(["standard", "apprentice", "gateway_date"]) + "\n"
                    + separator.join(["ST0071", "A-1", "01/12/2025", "Smith, J"]) + "\n", encoding="utf-8")
    (row,) = csv.DictReader(io.StringIO(run("compare", "--batch", str(path), "--format", "csv").stdout))
    assert f"a cell holding {named} must be quoted" in row["error"] and "comma" not in row["error"], row["error"]
    outcomes = example("st0071-outcomes.csv").read_text(encoding="utf-8").splitlines()
    audited = tmp_path / "o.csv"
    audited.write_text(outcomes[0].replace(",", separator) + "\n" + outcomes[1].replace(",", separator)
                       + separator + "Smith, J\n", encoding="utf-8")
    (row,) = csv.DictReader(io.StringIO(run("audit", str(audited), "--format", "csv").stdout))
    assert f"a cell holding {named} must be quoted" in row["error"], row["error"]
