"""The table views at the widths a person reads them (80 and 120 columns, set here, never the terminal's): a
row's values, a status and a verdict ('missed (advice)', 'outside (advice)') each whole on one line, and a
comparison row's label not wrapped over a narrow column's many lines.

On e56ed49, at 80 columns, `epa compare examples/st0071-journey.yaml` wrapped the row 'deadline evidence submitted
(each body's deadlines on it, whatever date each counts from) ≠' over five lines of a 23-column label, and at 120
'outside (advice)' over two beside it; the Deadlines table's 'met (advice)' wrapped beside every long explanation."""

from __future__ import annotations

import json
import re

import pytest

from conftest import EXAMPLES, OUR_BODIES
from epa.testing import requires, run

JOURNEY = str(EXAMPLES / "st0071-journey.yaml")
FOUR = ("--bodies", ",".join(OUR_BODIES))
WIDTHS = [80, 120]


def _at(width: int, monkeypatch, *args: str) -> str:
    monkeypatch.setenv("COLUMNS", str(width))
    said = run(*args)
    assert said.exit_code == 0, said.stderr
    for line in said.stdout.splitlines():
        assert len(line) <= width, line
    return said.stdout


@requires(*OUR_BODIES)
@pytest.mark.parametrize("width", WIDTHS)
def test_compare_shows_each_differing_rows_values_whole_on_its_labels_last_line(width, monkeypatch) -> None:
    data = json.loads(run(*FOUR, "compare", JOURNEY, "--format", "json").stdout)
    bodies = [r["body"] for r in data["results"]]
    lines = _at(width, monkeypatch, *FOUR, "compare", JOURNEY).split("\nWhy they differ")[0].splitlines()
    top = next(i for i, line in enumerate(lines) if line.startswith("whole EPA again"))
    assert data["journey_differences"], "the example's bodies differ on a deadline and checks (README)"
    for row, given in data["journey_differences"].items():
        verdicts = [given.get(b, {}).get("verdict", "none stated") for b in bodies]
        # the row's values: one line, ≠ first, each verdict whole (none wrapped over two lines)
        shown = next(i for i in range(top + 1, len(lines)) if re.search(
            r"≠\s+" + r"\s+".join(map(re.escape, verdicts)) + r"\s*$", lines[i]))
        # its label: on that line and at most one line above it
        label = " ".join(line.split("≠")[0].split("  ")[0].strip() for line in lines[top + 1:shown + 1]).strip()
        assert shown - top <= 2, (row, lines[top + 1:shown + 1])
        words = row.partition(":")[2].replace(":", " ").replace("_", " ")
        assert words in label, (row, label)
        top = shown


@requires(*OUR_BODIES)
@pytest.mark.parametrize("width", WIDTHS)
def test_an_event_rows_label_too_long_to_sit_beside_the_values_says_what_it_is_once_under_the_table(
        width, monkeypatch) -> None:
    out = _at(width, monkeypatch, *FOUR, "compare", JOURNEY)
    lines = out.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("deadline evidence"))
    last = next(i for i in range(first, len(lines)) if "≠" in lines[i])
    label = " ".join(line.split("≠")[0].split("  ")[0].strip() for line in lines[first:last + 1])
    assert label == "deadline evidence submitted *" and last - first <= 1, lines[first:last + 1]
    note = out.split("\nWhy they differ")[0].splitlines()[-1]
    assert note == "* each body's deadlines on it, whatever date each counts from"
    # wide enough for the whole label beside the values: said in it, as before, with no note
    wide = _at(300, monkeypatch, *FOUR, "compare", JOURNEY)
    assert "* each body" not in wide
    assert any(line.startswith("deadline evidence submitted (each body's deadlines on it, whatever date each counts "
                               "from)") for line in wide.splitlines())


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip("│┃").split("│")]


@requires("nqual")
@pytest.mark.parametrize("width", WIDTHS)
def test_a_deadlines_status_is_whole_beside_its_long_explanation(width, monkeypatch) -> None:
    # NQual's registration deadline is advice (000 § EPA TIMESCALE: 'should'): 'met (advice)' on the example
    out = _at(width, monkeypatch, "--bodies", "nqual", "timeline", JOURNEY)
    deadlines = out.split("Durations and word counts")[0]
    statuses = [_cells(line)[2] for line in deadlines.splitlines() if line.startswith("│")]
    assert "met (advice)" in statuses
    assert "(advice)" not in statuses  # never its second line


@requires(*OUR_BODIES)
@pytest.mark.parametrize("width", WIDTHS)
def test_the_gateway_tables_keep_each_word_whole_within_the_width(width, monkeypatch) -> None:
    # (a status column given its widest line took the room of the requirement beside it: each table's cells are
    # as they were, the status wrapping on its words: 'should:' over 'unknown')
    out = _at(width, monkeypatch, *FOUR, "gateway", JOURNEY)
    said = {"must", "must:", "should", "should:", "optional", "optional:", "(before", "assessment):", "met", "unmet",
            "unknown", "deferred", "not", "applicable"}
    statuses = [_cells(line)[1] for line in out.splitlines() if line.startswith("│")]
    assert {word for status in statuses for word in status.split()} <= said, statuses


@requires(*OUR_BODIES)
@pytest.mark.parametrize("width", [50, 66, 70, 72])
def test_no_label_or_value_of_compare_or_grade_is_cut_short_at_any_width(width, monkeypatch) -> None:
    # On bce6565, at 66 to 72 columns, the quick start's compare cut its labels: 'gateway unkn…', 'capped at pa…',
    # 'whole EPA ag…' (a label column that did not wrap, given less than its widest label); each word of every
    # label must be there, whole, and no cell end in an ellipsis.
    quick = str(EXAMPLES / "st0071-observation-distinction.yaml")
    for args in ((*FOUR, "compare", quick), ("grade", "--body", OUR_BODIES[0], quick)):
        out = _at(width, monkeypatch, *args)
        assert not re.search(r"\w…", out), out  # (the file's folders shortened in the middle, '/…/', are meant)
    words = set(_at(width, monkeypatch, *FOUR, "compare", quick).split())
    assert {"gateway", "unknown", "capped", "at", "pass", "whole", "EPA", "again"} <= words


def _words(text: str) -> set[str]:
    return set(re.split(r"[\s" + "".join(chr(c) for c in range(0x2500, 0x2580)) + "]+", text)) - {""}


@requires(*OUR_BODIES)
@pytest.mark.parametrize(("width", "command"), [(20, ("gateway", "st0071-journey.yaml")),
                                              (30, ("gateway", "st0071-journey.yaml")),
                                              (20, ("grade", "--body", "nqual", "st0072-distinction.yaml")),
                                              (20, ("journey", "--standard", "ST0071", "--body", "tqual"))],
                         ids=lambda v: str(v) if isinstance(v, int) else " ".join(v))
def test_a_word_wider_than_the_terminal_is_printed_whole_outside_a_table_too(width, command, monkeypatch) -> None:
    """README: "a word wider than the terminal is printed whole". On 246753b, at 30 columns, gateway's line of the
    requirements without evidence broke 'employer-provider-confirm-ready,' into 'employer-provider-confirm-read' and
    'y,', and at 20 grade broke the file's name and journey a document's file: rich folds such a word. Every word of
    the output printed wide is there whole, narrow; a line wider than the terminal holds that one word alone."""
    monkeypatch.chdir(EXAMPLES)  # (the file's name as given: never the checkout's path, shortened to fit)
    monkeypatch.setenv("COLUMNS", "400")
    wide = run(*FOUR, *command)
    monkeypatch.setenv("COLUMNS", str(width))
    narrow = run(*FOUR, *command)
    assert wide.exit_code == narrow.exit_code == 0, narrow.stderr
    assert not _words(wide.stdout) - _words(narrow.stdout), narrow.stdout
    for line in narrow.stdout.splitlines():
        assert len(line) <= width or len(line.split()) == 1, line
