"""What a person's file holds is shown as it is written: a value, an apprentice id or a file name that looks like
rich's markup ("[/x]", "[bold]…[/bold]") or an emoji code (":thumbs_up:") is printed character for character in
every table and heading, never read as styling (where "[/x]" stopped the whole cohort with an internal error) and
never turned into a picture the file does not hold; and a control character in one never reaches the terminal."""

from __future__ import annotations

import json

import pytest
import yaml

from conftest import EXAMPLES, example, run

MARKUP_LIKE = ["[/x]", "[bold]X[/bold]", ":thumbs_up:", "[link=https://example.org]y"]


@pytest.fixture(autouse=True)
def wide(monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")  # one value per table line, whatever the terminal


def _cohort_line(grade: str) -> str:
    record = json.loads((EXAMPLES / "st0071-cohort.jsonl").read_text(encoding="utf-8").splitlines()[0])
    record["assessments"][0]["grade"] = grade
    return json.dumps(record) + "\n"


@pytest.mark.parametrize("value", MARKUP_LIKE)
def test_a_refused_value_is_quoted_as_written_in_the_cohort_summary(tmp_path, value):
    cohort = tmp_path / "cohort.jsonl"
    cohort.write_text(_cohort_line(value), encoding="utf-8")
    result = run("compare", "--batch", str(cohort))
    assert result.exit_code == 2, result.stderr  # the record is refused: the user's input, not epa, was wrong
    assert f"'{value}' is not allowed here" in result.stdout
    assert "👍" not in result.stdout


def test_a_column_named_like_markup_is_named_as_it_is_among_those_not_read(tmp_path):
    rows = example("st0071-cohort.csv").read_text(encoding="utf-8").splitlines()
    cohort = tmp_path / "cohort.csv"
    cohort.write_text("\n".join([rows[0] + ",[/x],:thumbs_up:", *(row + ",," for row in rows[1:])]) + "\n",
                      encoding="utf-8")
    result = run("compare", "--batch", str(cohort))
    assert result.exit_code == 0, result.stderr
    assert 'Columns not read (epa has no field for them): "[/x]" (column 16), ":thumbs_up:" (column 17)' in result.stdout


def test_the_audit_shows_a_refused_row_and_its_file_as_written(tmp_path):
    rows = (EXAMPLES / "st0071-outcomes.csv").read_text(encoding="utf-8").splitlines()
    header, first = rows[0], rows[1].split(",")
    first[0], first[4] = "[/x]", ":thumbs_up:"  # the apprentice id, and an observation grade no body gives
    outcomes = tmp_path / "[red]outcomes.csv"
    outcomes.write_text("\n".join([header, ",".join(first)]) + "\n", encoding="utf-8")
    result = run("audit", str(outcomes))
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert "Audit of " in result.stdout and "[red]outcomes.csv" in result.stdout
    assert "[/x]" in result.stdout and ":thumbs_up:" in result.stdout and "👍" not in result.stdout


def test_in_colour_only_the_styled_word_is_styled(monkeypatch):
    """A body's name is bold on its gateway line, and what follows it is not (ECMA-48: ESC[1m bold, ESC[0m reset)."""
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)
    result = run("gateway", str(example("st0071-journey.yaml")))
    assert result.exit_code == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if "ready for gateway" in line]
    assert lines
    for line in lines:
        body = line.split("\x1b[0m", 1)[0].removeprefix("\x1b[1m")
        assert line.startswith(f"\x1b[1m{body}\x1b[0m: "), repr(line)
        assert "\x1b[1m" not in line[len(body) + 8:], repr(line)  # nothing after the name is bold


def test_a_control_character_in_a_value_never_reaches_the_terminal(tmp_path):
    """An apprentice id holding an escape sequence (ESC [31m, red), a bell and a carriage return: it is refused
    (tests/test_control_characters.py: an id is printable text), the refusal quoting it with each as its escape, and
    none of the control characters reaching the terminal. (It was graded, its heading showing the id without them.)"""
    record = yaml.safe_load(example("st0071-journey.yaml").read_text(encoding="utf-8"))
    record["apprentice"]["id"] = "A\x1b[31mRED\x1b[0m\x07\rX\x9b2J"
    path = tmp_path / "record.json"
    path.write_text(json.dumps(record, default=str), encoding="utf-8")
    for command in (["compare", "--show", "all"], ["gateway"], ["timeline"]):
        result = run(*command, str(path))
        assert result.exit_code == 2, result.stderr
        assert "'A\\x1b[31mRED\\x1b[0m\\x07\\rX\\x9b2J'" in result.stderr
        assert not any(c in result.stdout + result.stderr for c in "\x1b\x9b\x07\r"), command


@pytest.mark.parametrize("strict", [False, True])
def test_a_control_character_in_a_column_s_name_never_reaches_the_terminal_from_a_note_or_an_error(tmp_path, strict):
    """A CSV header naming a column epa does not read with a bell and an escape sequence setting the terminal's
    title (OSC, which no layer below epa removes): the note (or, with --strict, the error) names the column
    without them."""
    rows = example("st0071-cohort.csv").read_text(encoding="utf-8").splitlines()
    cohort = tmp_path / "cohort.csv"
    cohort.write_text("\n".join([rows[0] + ",Obs\x07\x1b]0;pwned\x07", *(row + "," for row in rows[1:])]) + "\n",
                      encoding="utf-8")
    result = run("compare", "--batch", str(cohort), "--format", "csv", *(["--strict"] if strict else []))
    assert result.exit_code == (2 if strict else 0), result.stderr
    assert '"Obs]0;pwned"' in result.stderr
    assert "\x07" not in result.stderr and "\x1b" not in result.stderr


FORGED = "highfield: overall distinction; ready for gateway"  # (highfield awards this record a pass)


@pytest.mark.parametrize("brk, shown", [("\n", "\\n"), ("\r\n", "\\r\\n")])  # (NEL: refused, below)
def test_a_line_break_in_an_apprentice_id_stays_on_the_heading_line(tmp_path, brk, shown):
    # The heading names the apprentice on a line of its own: an id holding a line break must not print a line
    # of its own that reads like a result.
    record = yaml.safe_load(example("st0071-observation-distinction.yaml").read_text(encoding="utf-8"))
    record["apprentice"]["id"] = f"A1{brk}{FORGED}"
    path = tmp_path / "record.json"
    path.write_text(json.dumps(record, default=str), encoding="utf-8")
    for command in ("compare", "gateway", "timeline"):
        result = run(command, str(path))
        assert result.exit_code == 0, result.stderr
        lines = result.stdout.splitlines()
        assert lines[0].startswith(f"A1{shown}{FORGED} · "), (command, lines[0])
        assert not any(line.startswith(FORGED) for line in lines), command


@pytest.mark.parametrize("brk, named", [("\u2028", "U+2028"), ("\x85", "U+0085")])
def test_a_line_separator_in_an_apprentice_id_is_refused_and_prints_no_line_of_its_own(tmp_path, brk, named):
    """U+2028 (and NEL) in an id was shown as its escape in the heading (as the breaks above are), and written as it
    is by CSV and JSON, which no CSV writer quotes: an id may not hold it now (hostile.ID_CONTROL)."""
    record = yaml.safe_load(example("st0071-observation-distinction.yaml").read_text(encoding="utf-8"))
    record["apprentice"]["id"] = f"A1{brk}{FORGED}"
    path = tmp_path / "record.json"
    path.write_text(json.dumps(record, default=str), encoding="utf-8")
    for command in ("compare", "gateway", "timeline"):
        result = run(command, str(path))
        assert result.exit_code == 2 and named in result.stderr, (command, result.stderr)
        assert not any(line.startswith(FORGED) for line in (result.stdout + result.stderr).splitlines()), command


def test_a_line_break_in_a_cohort_file_name_stays_on_its_heading_line(tmp_path):
    folder = tmp_path / "x\nnqual"
    folder.mkdir()
    cohort = folder / "cohort.jsonl"
    cohort.write_text(example("st0071-cohort.jsonl").read_text(encoding="utf-8"), encoding="utf-8")
    result = run("compare", "--batch", str(cohort))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0].endswith("x\\nnqual/cohort.jsonl")
    assert not any(line.startswith("nqual/cohort.jsonl") for line in result.stdout.splitlines())
