"""A column's name holding an invisible format character (Unicode's Cf: a zero-width space, a soft hyphen, as a
paste from a web page or a chat puts one in a template's header). Before, the name was matched with every character
not a letter or digit aside, so "gateway<U+200B>_date" was gateway_date, but the parts of a name read as they are
written were misread: "Gateway Date (dd/mm<U+200B>/yyyy)" was a column not read (its date format unseen), the cohort
then refused for no gateway date; a hint's --column "NAME=" held the character, which --column refuses. Now a name is
read as it shows, the character taken out, and a note names the column and the code point; a bidirectional control,
with which a name shows as other than it is, is refused naming the column."""

from __future__ import annotations

import csv
import io
import re

import pytest

from conftest import any_body, example, graded, run


@pytest.fixture(autouse=True)
def _st0071():
    any_body("ST0071")


ROW = "ST0071,A-1,01/12/2025,pass,20/01/2026\n"


@pytest.mark.parametrize("char", ["\u200b", "\u00ad", "\u2060"])
def test_a_date_column_s_format_with_an_invisible_character_is_read_as_it_shows(tmp_path, char):
    code, rows = graded(tmp_path, f"standard,apprentice,Gateway Date (dd/mm{char}/yyyy),observation,observation_date\n"
                        + ROW, "csv")
    assert code == 0 and rows and all(r["apprentice"] == "A-1" and r["observation"] == "pass" for r in rows)


def test_the_note_names_the_column_and_the_code_point(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("standard,apprentice,gateway\u200b_date,observation,observation_date\n" + ROW, encoding="utf-8")
    result = run("compare", "--batch", str(path), "--format", "csv")
    assert result.exit_code == 0
    assert 'column 3 "gateway_date"' in result.stderr and "U+200B" in result.stderr, result.stderr


def test_a_later_attempt_s_hint_gives_a_column_map_that_runs(tmp_path):
    """The hint's --column "NAME=" is the name as it shows: --column refuses a name holding a format character."""
    path = tmp_path / "c.csv"
    path.write_text("standard,apprentice,gateway_date,observation,observation_date,Observation Re\u200bsit Grade\n"
                    + ROW.replace("\n", ",distinction\n"), encoding="utf-8")
    refused = run("compare", "--batch", str(path), "--format", "csv")
    assert refused.exit_code == 2 and '--column "Observation Resit Grade="' in refused.stderr, refused.stderr
    rows = list(csv.DictReader(io.StringIO(run("compare", "--batch", str(path), "--format", "csv",
                                               "--column", "Observation Resit Grade=").stdout)))
    assert rows and all(r["observation"] == "pass" and not r["error"] for r in rows)


def test_a_bidirectional_control_in_a_column_s_name_is_refused_naming_it(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("standard,apprentice,gateway_date,observation\u202e,observation_date\n" + ROW, encoding="utf-8")
    result = run("compare", "--batch", str(path), "--format", "csv")
    assert result.exit_code == 2 and result.stdout == ""
    assert "column 4" in result.stderr and "U+202E" in result.stderr, result.stderr


def test_an_outcomes_file_s_column_name_with_a_bidirectional_control_is_refused(tmp_path):
    source = example("st0071-outcomes.csv").read_text(encoding="utf-8").splitlines()
    assert source[0].endswith(",Overall Grade")
    path = tmp_path / "o.csv"
    path.write_text(source[0].replace(",Overall Grade", ",Overall\u202e Grade") + "\n" + source[1] + "\n",
                    encoding="utf-8")
    result = run("audit", str(path), "--format", "csv")
    assert result.exit_code == 2 and "U+202E" in result.stderr and "Overall" in result.stderr, result.stderr


@pytest.mark.parametrize("mark", ["\u200f", "\u200e", "\u061c"])
def test_a_right_to_left_mark_in_a_column_of_notes_is_taken_out_not_refused(tmp_path, mark):
    """A right-to-left or left-to-right mark only places a neutral character (ordinary in Arabic and Hebrew text);
    it shows nothing as other than it is. On fbdc772 a column of notes headed "ملاحظات" with an RLM refused the
    whole cohort (exit 2); it is taken out with a note, the column not read, every record graded."""
    path = tmp_path / "c.csv"
    path.write_text(f"standard,apprentice,gateway_date,observation,observation_date,ملاحظات{mark}\n"
                    + ROW.replace("\n", ",ok\n"), encoding="utf-8")
    result = run("compare", "--batch", str(path), "--format", "csv")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows and all(r["apprentice"] == "A-1" and r["observation"] == "pass" and not r["error"] for r in rows)
    assert f"U+{ord(mark):04X}" in result.stderr and 'column 6 "ملاحظات"' in result.stderr, result.stderr


@pytest.mark.parametrize(("char", "code"), [("\x01", "U+0001"), ("\x1b", "U+001B"), ("\x7f", "U+007F")])
def test_a_control_character_in_a_column_s_name_is_taken_out_with_a_note_naming_it(tmp_path, char, code):
    """A control character in a name (a corrupt export) was dropped when the name was matched, without a word; it
    is taken out as a format character is, and the note names the column and the code point."""
    path = tmp_path / "c.csv"
    path.write_text(f"standard,appren{char}tice,gateway_date,observation,observation_date\n" + ROW, encoding="utf-8")
    result = run("compare", "--batch", str(path), "--format", "csv")
    assert result.exit_code == 0
    assert 'column 2 "apprentice"' in result.stderr and code in result.stderr, result.stderr


@pytest.mark.parametrize(("char", "code"), [("\u200b", "U+200B"), ("\x01", "U+0001")])
def test_two_columns_alike_once_a_hidden_character_is_out_name_the_one_that_held_it(tmp_path, char, code):
    """Both show as "apprentice": the refusal says which one's name held the character taken out."""
    path = tmp_path / "c.csv"
    path.write_text(f"standard,apprentice,gateway_date,appren{char}tice\nST0071,A-1,2025-12-01,A-2\n",
                    encoding="utf-8")
    result = run("compare", "--batch", str(path), "--format", "csv")
    assert result.exit_code == 2 and result.stdout == ""
    assert re.search(rf"\(column 4; its name held [^)]*{re.escape(code)}", result.stderr), result.stderr
    assert "(column 2)" in result.stderr
