"""`epa compare --batch`'s summary a provider acts on: why records were rejected (the commonest reasons, counted,
with their first lines, and where each record's error row is), each body's gateway readiness, caps and full retakes
beside its grades (per standard), the rows and the summary in one run (--out, --summary FILE, --format csv
--summary), and CSV method columns for the standards the cohort holds only.

The counts are worked out by hand from the cohorts below and the bodies' documents, cited where a grade or a
readiness follows from a rule. Two bodies are loaded (--bodies tqual,nqual): nqual offers both standards."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path

import pytest

import epa.batch.cohort
import epa.testing
import epa.views.outputs
from epa.errors import OutputError
from epa.testing import requires, run, valid

pytestmark = requires("tqual", "nqual")
BODIES = ("--bodies", "tqual,nqual")

# --- a CSV cohort: four records graded, three rejected ---------------------------------------------------
#
# Line 2, A-1: every method pass, photo ID shown, 12 portfolio pieces: pass by both bodies (every method passed
#   and none a distinction: TQUK 003 § Grading, NQual 000 § Grading); ready for both.
# Line 3, A-2: as A-1 but photo_id no: TQUK's mandatory gateway requirement "photo-id" (003 § Gateway
#   Considerations) is unmet, so tqual is not ready; NQual asks no photo ID: ready. Pass by both.
# Line 4, A-3: the observation failed: a method failed is an overall fail for both bodies (003 and 000 § Grading);
#   ready for both.
# Line 5, A-4: 3 portfolio pieces: TQUK asks 10 to 15 "which will best support them in their professional
#   discussion" (003 § Portfolio of Evidence): a selection for the discussion, checked before it, not at gateway
#   (issue 19): ready; NQual ready (its portfolio requirements are evidence the row does not hold: unknown, never
#   blocking). Pass.
# Lines 6 and 7: the observation graded "great" and "superb": not a grade in any spelling: one reason (the value
#   differs, the message's pattern does not), column observation.
# Line 8: the gateway date "soon": no date in any form; column gateway_date.
# No record has a resit, so none is capped, and none a full retake.
HEADER = ("standard,apprentice,date_of_birth,start_date,english,maths,gateway_date,photo_id,portfolio_pieces,"
          "observation,observation_date,project,project_date,discussion,discussion_date")


def row(ident: str, *, photo: str = "yes", pieces: str = "12", observation: str = "pass",
        gateway: str = "2025-12-01") -> str:
    return (f"ST0071,{ident},2006-05-01,2024-09-02,level2,level2,{gateway},{photo},{pieces},{observation},2026-01-20,"
            "pass,2026-01-12,pass,2026-01-19")


CSV_COHORT = "\n".join([HEADER, row("A-1"), row("A-2", photo="no"), row("A-3", observation="fail"),
                        row("A-4", pieces="3"), row("A-5", observation="great"), row("A-6", observation="superb"),
                        row("A-7", gateway="soon")]) + "\n"


def grades(distinction: int = 0, passed: int = 0, fail: int = 0, none: int = 0) -> dict[str, int]:
    return {"distinction": distinction, "pass": passed, "fail": fail, "none": none}


def outcome(body: str, standard: str, records: int, grade_counts: dict[str, int], ready: int, not_ready: int,
            capped: int = 0, full_retake: int = 0) -> dict:
    return {"body": body, "standard": standard, "records": records, "grades": grade_counts,
            "gateway": {"ready": ready, "not_ready": not_ready}, "capped": capped,
            "full_retake_required": full_retake}


@pytest.fixture
def csv_cohort(tmp_path: Path) -> Path:
    path = tmp_path / "cohort.csv"
    path.write_text(CSV_COHORT, encoding="utf-8")
    return path


def summary_of(*args: str) -> dict:
    result = run(*BODIES, "compare", "--batch", *args, "--summary-only", "--format", "json")
    assert result.exit_code in (0, 2), result.stderr
    return valid(json.loads(result.stdout), "batch_summary")["summary"]


def test_the_summary_counts_why_records_were_rejected_and_where(csv_cohort):
    summary = summary_of(str(csv_cohort))
    assert (summary["records_read"], summary["results_written"], summary["rejected"]) == (7, 4, 3)
    first, second = summary["rejections"]
    assert (first["where"], first["records"], first["lines"]) == ("observation", 2, [6, 7])
    assert "'great'" in first["example"] and not first["same_message"]
    assert "great" not in first["reason"] and "superb" not in first["reason"]  # the pattern leaves the value out
    assert (second["where"], second["records"], second["lines"]) == ("gateway_date", 1, [8])
    assert "'soon'" in second["example"] and second["same_message"]


def test_the_summary_gives_each_bodys_readiness_beside_its_grades(csv_cohort):
    summary = summary_of(str(csv_cohort))
    assert summary["outcomes"] == [
        outcome("nqual", "ST0071", 4, grades(passed=3, fail=1), ready=4, not_ready=0),
        outcome("tqual", "ST0071", 4, grades(passed=3, fail=1), ready=3, not_ready=1)]
    # the fields consumers read already are still there, the same
    assert summary["overall"] == [{"body": "nqual", "records": 4, "grades": grades(passed=3, fail=1)},
                                  {"body": "tqual", "records": 4, "grades": grades(passed=3, fail=1)}]


# --- a JSON Lines cohort: two standards, resits, a full retake ------------------------------------------
#
# Line 1, ST0071: project and discussion pass, the observation failed (notified 2026-01-30) and resat with a pass
#   on 2026-03-02: every method passed, so pass; a resit caps the grade at pass for both bodies (TQUK 003 § Resits
#   and Retakes, NQual 000 § Re-sit / Re-take: capped); all methods inside NQual's 12 months from the first
#   assessment (000 § Re-sit / Re-take): no full retake.
# Line 2: the same, the resit on 2027-03-01, more than 12 months after the first assessment (2026-01-12): NQual
#   requires the whole EPA again (the window's consequence: full retake), so no overall grade ("none"); TQUK's
#   12 months are advice with no consequence stated: pass, capped.
# Line 3, ST0072 (examples/st0072-distinction.yaml, NQual only): a distinction (001 § Grading & Criteria); its
#   gateway requirements met or without evidence (English and maths at level 1, 13 months on programme, 18 pieces
#   of at most 20: 001 § GATEWAY, § Apprentice Showcase): ready.
# Lines 4 and 5: a grade that is no grade, at $.assessments[1].grade and $.assessments[0].grade: one reason.
# Line 6: not JSON: no path.
ST0071_RESIT = {
    "standard": "ST0071",
    "apprentice": {"id": "J-1", "date_of_birth": "2006-05-01", "start_date": "2024-09-02", "english": "level2",
                   "maths": "level2"},
    "gateway": {"date": "2025-12-01", "portfolio_pieces": 12, "photo_id": True},
    "assessments": [
        {"method": "project", "date": "2026-01-12", "grade": "pass"},
        {"method": "discussion", "date": "2026-01-19", "grade": "pass"},
        {"method": "observation", "date": "2026-01-20", "notified": "2026-01-30", "grade": "fail"},
        {"method": "observation", "date": "2026-03-02", "kind": "resit", "grade": "pass"}],
}
ST0072 = {
    "standard": "ST0072",
    "apprentice": {"id": "J-3", "date_of_birth": "2007-03-09", "start_date": "2024-10-07", "english": "level1",
                   "maths": "level1"},
    "gateway": {"date": "2025-11-03", "portfolio_pieces": 18},
    "assessments": [{"method": "showcase", "date": "2025-11-24", "grade": "distinction"},
                    {"method": "observation", "date": "2025-12-08", "grade": "distinction"},
                    {"method": "discussion", "date": "2025-12-15", "grade": "distinction"}],
}


def jsonl_cohort(tmp_path: Path) -> Path:
    late = json.loads(json.dumps(ST0071_RESIT))
    late["apprentice"]["id"] = "J-2"
    late["assessments"][3]["date"] = "2027-03-01"
    bad_second, bad_first = (json.loads(json.dumps(ST0071_RESIT)) for _ in range(2))
    bad_second["assessments"][1]["grade"] = "great"
    bad_first["assessments"][0]["grade"] = "superb"
    lines = [json.dumps(r) for r in (ST0071_RESIT, late, ST0072, bad_second, bad_first)] + ['{"standard": "ST0071",']
    path = tmp_path / "cohort.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_caps_full_retakes_and_readiness_per_body_and_standard(tmp_path):
    summary = summary_of(str(jsonl_cohort(tmp_path)))
    assert (summary["records_read"], summary["results_written"], summary["rejected"]) == (6, 3, 3)
    assert summary["outcomes"] == [
        outcome("nqual", "ST0071", 2, grades(passed=1, none=1), ready=2, not_ready=0, capped=2, full_retake=1),
        outcome("nqual", "ST0072", 1, grades(distinction=1), ready=1, not_ready=0),
        outcome("tqual", "ST0071", 2, grades(passed=2), ready=2, not_ready=0, capped=2)]
    grade, syntax = summary["rejections"]
    assert (grade["where"], grade["records"], grade["lines"]) == ("$.assessments[*].grade", 2, [4, 5])
    assert (syntax["where"], syntax["records"], syntax["lines"]) == (None, 1, [6])


# --- the table ----------------------------------------------------------------------------------------


@pytest.fixture
def wide(monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")  # a cell's text on one line, whatever the terminal


def test_the_table_names_the_reasons_and_where_the_error_rows_are(tmp_path, wide):
    """All rejected: the table says why (the commonest reasons, their first lines) and where the full reasons
    are, not only '3 records read, 0 graded, 3 rejected'."""
    path = tmp_path / "rejected.csv"
    path.write_text("\n".join([HEADER, row("A-5", observation="great"), row("A-6", observation="superb"),
                               row("A-7", gateway="soon")]) + "\n", encoding="utf-8")
    result = run(*BODIES, "compare", "--batch", str(path))
    assert result.exit_code == 2
    table = result.stdout
    assert "3 records read, 0 graded, 3 rejected" in table
    assert "Why records were rejected" in table
    (observation,) = [line for line in table.splitlines() if "'great'" in line]
    assert "observation" in observation and " 2 " in observation and "2, 3" in observation
    (date,) = [line for line in table.splitlines() if "'soon'" in line]
    assert "gateway_date" in date and "4" in date
    assert "--format csv or --format json" in table


def test_the_table_gives_readiness_caps_and_retakes_per_body_and_standard(tmp_path, wide):
    table = run(*BODIES, "compare", "--batch", str(jsonl_cohort(tmp_path))).stdout
    rows = [line.split() for line in table.splitlines()]
    # body, standard, records, ready, not ready, capped, full retake (the cohort mixes standards)
    assert ["│", "nqual", "│", "ST0071", "│", "2", "│", "2", "│", "0", "│", "2", "│", "1", "│"] in rows
    assert ["│", "tqual", "│", "ST0071", "│", "2", "│", "2", "│", "0", "│", "2", "│", "0", "│"] in rows


# --- rows and the summary in one run --------------------------------------------------------------------


def test_csv_rows_and_the_summary_in_one_run(csv_cohort, wide):
    """--format csv --summary: the rows on stdout, CSV to the last line; the table on stderr."""
    result = run(*BODIES, "compare", "--batch", str(csv_cohort), "--format", "csv", "--summary")
    assert result.exit_code == 2, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 4 * 2 + 3 and all(r["line"].isdigit() for r in rows)
    assert "7 records read, 4 graded, 3 rejected" in result.stderr
    assert "in the rows on standard output" in " ".join(result.stderr.split())


def test_out_writes_the_rows_to_a_file_and_the_table_to_stdout(csv_cohort, tmp_path, wide):
    rows, summary = tmp_path / "rows.csv", tmp_path / "summary.json"
    result = run(*BODIES, "compare", "--batch", str(csv_cohort), "--out", str(rows), "--summary", str(summary))
    assert result.exit_code == 2, result.stderr
    assert "7 records read, 4 graded, 3 rejected" in result.stdout
    assert f"in {rows}." in result.stdout  # where the error rows are
    alone = run(*BODIES, "compare", "--batch", str(csv_cohort), "--format", "csv").stdout
    assert rows.read_text(encoding="utf-8") == alone  # --out by its suffix: the rows --format csv writes
    written = valid(json.loads(summary.read_text(encoding="utf-8")), "batch_summary")["summary"]
    assert written == summary_of(str(csv_cohort))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cohort.csv", "rows.csv", "summary.json"]


def test_out_as_json_lines_and_a_summary_as_text(csv_cohort, tmp_path):
    rows, summary = tmp_path / "rows.jsonl", tmp_path / "summary.txt"
    result = run(*BODIES, "compare", "--batch", str(csv_cohort), "--out", str(rows), "--summary", str(summary))
    assert result.exit_code == 2, result.stderr
    lines = [json.loads(line) for line in rows.read_text(encoding="utf-8").splitlines()]
    assert [line["line"] for line in lines] == [2, 3, 4, 5, 6, 7, 8]
    text = summary.read_text(encoding="utf-8")
    assert "7 records read, 4 graded, 3 rejected" in text and "Why records were rejected" in text
    assert not any(line.endswith(" ") for line in text.splitlines())


def test_file_outputs_are_checked_before_the_run(csv_cohort, tmp_path):
    missing = tmp_path / "no" / "rows.csv"
    result = run("compare", "--batch", str(csv_cohort), "--out", str(missing))
    assert result.exit_code == 3 and "does not exist" in result.stderr and result.stdout == ""
    result = run("compare", "--batch", str(csv_cohort), "--out", str(tmp_path / "rows.csv"),
                 "--summary", str(tmp_path / "no" / "summary.json"))
    assert result.exit_code == 3 and result.stdout == ""
    assert not (tmp_path / "rows.csv").exists()
    assert run("compare", "--batch", str(csv_cohort), "--out", str(csv_cohort)).exit_code == 2  # the cohort itself
    assert csv_cohort.read_text(encoding="utf-8") == CSV_COHORT
    assert run("compare", "--batch", str(csv_cohort), "--out", str(tmp_path / "rows.txt")).exit_code == 2


def test_a_streamed_file_is_whole_or_not_at_all(tmp_path):
    target = tmp_path / "rows.csv"
    target.write_text("old\n", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt), epa.views.outputs.streaming_file(target) as write:
        write("new,partial\n")
        raise KeyboardInterrupt  # Ctrl-C mid-run
    assert target.read_text(encoding="utf-8") == "old\n" and os.listdir(tmp_path) == ["rows.csv"]
    with epa.views.outputs.streaming_file(target) as write:
        write("new\n")
        write("rows\n")
    assert target.read_text(encoding="utf-8") == "new\nrows\n" and os.listdir(tmp_path) == ["rows.csv"]
    with pytest.raises(OutputError), epa.views.outputs.streaming_file(tmp_path / "no" / "x.csv"):
        pass


# --- the CSV's method columns ----------------------------------------------------------------------------


def header(*args: str) -> list[str]:
    result = run(*BODIES, "compare", "--batch", *args, "--format", "csv")
    return next(csv.reader(io.StringIO(result.stdout)))


def test_csv_columns_are_those_of_the_standards_the_cohort_holds(csv_cohort, tmp_path):
    """ST0071's methods are observation, project, discussion: no empty ST0072 showcase column; a cohort holding
    ST0072 too has it (the ST0071 methods first, as the standards are defined), and --workers 2 writes the same
    bytes."""
    st0071 = ["observation", "project", "discussion"]
    assert header(str(csv_cohort))[4:-4] == st0071
    mixed = jsonl_cohort(tmp_path)
    assert header(str(mixed))[4:-4] == [*st0071, "showcase"]
    one, two = (run(*BODIES, "compare", "--batch", str(mixed), "--format", "csv", "--workers", w).stdout
                for w in ("1", "2"))
    assert one == two
    showcase = [r for r in csv.DictReader(io.StringIO(one)) if r["line"] == "3"]
    assert [r["showcase"] for r in showcase] == ["distinction"]


def test_a_standard_spelt_with_escapes_still_gets_its_columns(tmp_path):
    """A JSON line may spell its standard with escapes ("ST\\u0030072" is ST0072): the scan decodes each line's
    standard as the grading does, so the showcase grade has its column."""
    path = tmp_path / "escaped.jsonl"
    path.write_text(json.dumps(ST0072).replace('"ST0072"', '"ST\\u0030072"') + "\n", encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(run(*BODIES, "compare", "--batch", str(path), "--format", "csv").stdout)))
    assert [(r["body"], r["showcase"]) for r in rows] == [("nqual", "distinction")]


@pytest.mark.parametrize("written", ["ST 0072", "st-0072", "ST\u00a00072", "st0072"])
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_standard_written_as_the_rows_read_it_gets_its_columns(tmp_path, written, suffix):
    """A cell's standard is read in any case and spacing ("ST 0072", "st-0072", a no-break space as Excel writes
    one), but the scan for the CSV's columns looked for "st0072" alone: the record was graded, its showcase had no
    column, and the row was an internal error, exit 1 (found by review)."""
    cells = [["standard", "apprentice", "gateway_date", "showcase", "showcase_date", "observation", "observation_date",
              "discussion", "discussion_date"],
             [written, "J-3", "2025-11-03", "distinction", "2025-11-24", "distinction", "2025-12-08", "distinction",
              "2025-12-15"]]
    path = tmp_path / f"c{suffix}"
    if suffix == ".csv":
        path.write_text("".join(",".join(r) + "\n" for r in cells), encoding="utf-8")
    else:
        openpyxl = pytest.importorskip("openpyxl", reason="the test extra's openpyxl writes the workbook")
        book = openpyxl.Workbook()
        for r in cells:
            book.active.append(r)
        book.save(path)
    result = run(*BODIES, "compare", "--batch", str(path), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    # ST0072 is NQual's alone: every method distinction, a distinction overall (001 § Grading & Criteria)
    assert [(r["body"], r["showcase"], r["overall"], r["error"]) for r in rows] == [
        ("nqual", "distinction", "distinction", "")]
    assert result.exit_code == 0


def test_the_scan_finds_a_standard_in_every_spacing_a_cell_is_read_in():
    """Each character a cell's standard may hold between ST and its digits (parse_standard) is found by the scan."""
    import sys

    from epa.inputs.columns import parse_standard, standard_finder

    holds = standard_finder("ST0072")
    for c in map(chr, range(sys.maxunicode + 1)):
        if c.isspace() or c == "-":
            for cell in (f"ST{c}0072", f"st {c}0072", f"x,ST{c}0072,"):
                read = parse_standard(cell.strip("x,")) == "ST0072"
                assert read == holds(cell.encode("utf-8").lower()), cell
    assert not holds(b"st0071,1000723456") and holds(b"st0072")


def test_a_grade_without_its_column_is_an_error_never_left_out():
    """The columns are chosen before the run: should a decision grade a method they lack (epa's own mistake), the
    row is refused loudly rather than written without that grade."""
    from epa.model.domain import Grade
    from epa.model.results import Decision

    registry = epa.testing.registry()
    grader = epa.batch.cohort.Grader(registry, "cohort.jsonl", "csv", ("observation",))
    decision = Decision("a_body", Grade.PASS, ("observation", "showcase"), (Grade.PASS, Grade.PASS), True, False,
                        False)
    with pytest.raises(RuntimeError, match="no column for method showcase"):
        epa.batch.cohort._decided(grader, "ST0072", [decision])


@pytest.mark.parametrize("width", ["40", "60"])
def test_a_narrow_terminal_never_cuts_a_body_id_in_the_outcome_tables(monkeypatch, width):
    """At 60 columns a 1,000-record cohort's gateway readiness table printed 'gateway_qua…': an id cut is no id. The
    numbers may wrap; each installed body's id is printed whole in both outcome tables."""
    monkeypatch.setenv("COLUMNS", width)
    cohort = Path(__file__).resolve().parent.parent / "examples" / "st0071-cohort.jsonl"
    result = run("compare", "--batch", str(cohort), "--summary-only")
    bodies = [b.body.id for b in epa.testing.registry().offering("ST0071")]
    if not bodies:
        pytest.skip("no installed body offers ST0071, the example cohort's standard")
    table = result.stdout
    outcomes = table[table.index("Overall grades per body"):table.index("Rows that differ")]
    readiness = outcomes.index("Gateway readiness")
    for part in (outcomes[:readiness], outcomes[readiness:]):
        for body in bodies:  # in a column, or (too narrow for the columns) a row at a time, 'body  gateway_quals'
            assert re.search(rf"(?<![\w…]){body}(?![\w…])", part), (body, part)


# A cohort whose summary has every table: three records graded, four rejected (a JSON path of 26 characters, the
# widest word, among them).
NARROW_COHORT = [
    {"standard": "ST0071", "apprentice": {"id": "N-1"}},
    "not json",
    {"standard": "ST0071", "apprentice": {"id": "N-2", "date_of_birth": "2006-13-01"}},
]


def _words_of(table: str) -> list[str]:
    return re.split(r"[\s" + "".join(chr(c) for c in range(0x2500, 0x2580)) + "]+", table)


@pytest.mark.parametrize("width", [20, 30, 40, 60, 80])
def test_the_summary_never_breaks_a_word_whatever_the_width(tmp_path, monkeypatch, width):
    """At 20 columns the summary's tables printed 'gateway_quals and highfield' as 'ga', 'te', 'wa', ... a word
    split over seven lines, the header 'distinction' as 'distincti' and 'on' at 60, and a rejected record's path
    '$.apprentice.date_of_birth' as '...date_of_birt' and 'h' at 80. Every word of the summary printed wide is
    printed whole at any width (a row at a time where the columns do not fit), each line within the width but for
    a word wider than it, printed whole."""
    example = Path(__file__).resolve().parent.parent / "examples" / "st0071-cohort.jsonl"
    lines = example.read_text(encoding="utf-8").splitlines()
    lines += [r if isinstance(r, str) else json.dumps(r) for r in NARROW_COHORT]
    (tmp_path / "c.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "250")
    wide = run(*BODIES, "compare", "--batch", "c.jsonl", "--summary-only")
    assert wide.exit_code == 2, wide.stderr  # records rejected
    monkeypatch.setenv("COLUMNS", str(width))
    narrow = run(*BODIES, "compare", "--batch", "c.jsonl", "--summary-only")
    assert narrow.exit_code == 2, narrow.stderr
    assert "$.apprentice.date_of_birth" in wide.stdout  # the widest word is there to be broken
    missing = set(_words_of(wide.stdout)) - set(_words_of(narrow.stdout))
    assert not missing, narrow.stdout
    for line in narrow.stdout.splitlines():
        assert len(line) <= width or len(line.split()) == 1, line
