"""The command line at the operating system's edges (README "Exit codes"), found by a stress run on 0ff2ba6:

- a CSV cohort or outcomes file that is a device, which seeks but has no end (``epa audit - < /dev/zero``, or
  ``cohort.csv`` a link to /dev/zero), was searched to its end for month-first dates before its header was read:
  the command never ended, where a pipe of the same bytes is refused at once (a header longer than 1 MiB);
- a cohort's rows (or an audit's) sent to a standard output whose encoding (ASCII) cannot show a name in a record or
  a citation's "§" stopped with exit 3 but never said that the output was incomplete (since: they are written as
  UTF-8, whatever the locale);
- SIGHUP (the terminal closed, a lost ssh session) ended a cohort's run at once: no word of it, exit 129, its
  workers left to die of the same signal, and the temporary file its rows were being written to left beside the
  --out file (README: "no temporary file behind"). It stops a run as Ctrl-C does now (exit 130), unless ignored
  (``nohup``).

Each test runs the real command in its own process; the timeout only keeps a hang from stopping the suite.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import EXAMPLES, any_body
from epa import errors

ZERO = Path("/dev/zero")
TIMEOUT = 120
needs_zero = pytest.mark.skipif(sys.platform == "win32" or not ZERO.exists(), reason="needs /dev/zero")


def epa(*args: str, env: dict[str, str] | None = None, **popen: object) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "epa", *args], capture_output=True, text=True, timeout=TIMEOUT,
                          env={**os.environ, **(env or {})}, **popen)  # type: ignore[call-overload]


@needs_zero
@pytest.mark.parametrize("command", [("compare", "--batch"), ("audit",)], ids=["compare --batch", "audit"])
def test_a_csv_file_without_end_is_refused_at_its_header(tmp_path: Path, command: tuple[str, ...]) -> None:
    any_body()
    endless = tmp_path / "cohort.csv"
    endless.symlink_to(ZERO)
    done = epa(*command, str(endless), "--format", "csv")
    assert done.returncode == errors.EXIT_INPUT, done.stderr
    assert "the header is longer than 1 MiB" in done.stderr and "Traceback" not in done.stderr, done.stderr


@needs_zero
def test_audit_of_standard_input_without_end_is_refused_at_its_header() -> None:
    any_body()
    with ZERO.open("rb") as zeros:
        done = epa("audit", "-", stdin=zeros)
    assert done.returncode == errors.EXIT_INPUT, done.stderr
    assert "the header is longer than 1 MiB" in done.stderr and "Traceback" not in done.stderr, done.stderr


# Standard output in ASCII: a C locale with Python's UTF-8 mode off (LC_ALL=C PYTHONUTF8=0), or PYTHONIOENCODING=ascii.
# Rows of CSV or JSON Lines are UTF-8 whatever the locale, as the cohort they are read from is and as a file of them
# (--out) is; before, a cohort holding one name ASCII cannot show (Zoë) had none of its rows written (exit 3, "the
# output is incomplete"), where `epa compare --format json` wrote the same id as UTF-8. (A table is for a terminal: in
# ASCII it is refused, test_outputs.)
ASCII = {"C locale": {"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONIOENCODING": ""}, "PYTHONIOENCODING": {
    "PYTHONIOENCODING": "ascii"}}
UTF8 = {"LC_ALL": "C.UTF-8", "PYTHONUTF8": "1", "PYTHONIOENCODING": ""}


def bytes_out(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "epa", *args], capture_output=True, timeout=TIMEOUT,
                          env={**os.environ, **env})


@pytest.mark.parametrize("locale", ASCII.values(), ids=ASCII.keys())
@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_cohort_s_rows_are_written_as_utf8_whatever_the_locale(tmp_path: Path, locale: dict[str, str],
                                                                  fmt: str) -> None:
    any_body()
    header, first, second, *rest = (EXAMPLES / "st0071-cohort.csv").read_text(encoding="utf-8").splitlines()
    apprentice = second.split(",")[1]
    cohort = tmp_path / "cohort.csv"
    cohort.write_text("\n".join([header, first, second.replace(apprentice, "Zoë", 1), *rest]) + "\n", encoding="utf-8")
    done = bytes_out("compare", "--batch", str(cohort), "--format", fmt, env=locale)
    assert done.returncode == errors.EXIT_OK and b"Traceback" not in done.stderr, done.stderr
    assert "Zoë".encode() in done.stdout
    assert done.stdout == bytes_out("compare", "--batch", str(cohort), "--format", fmt, env=UTF8).stdout


@pytest.mark.parametrize("locale", ASCII.values(), ids=ASCII.keys())
def test_an_audit_s_rows_are_written_as_utf8_whatever_the_locale(locale: dict[str, str]) -> None:
    any_body()  # (a row's rule is cited with "§", its words quoted in curly quotes: ASCII cannot show them)
    args = ("audit", str(EXAMPLES / "st0071-outcomes.csv"), "--format", "csv")
    done, as_utf8 = bytes_out(*args, env=locale), bytes_out(*args, env=UTF8)
    assert b"Traceback" not in done.stderr and "§".encode() in done.stdout, done.stderr
    assert (done.returncode, done.stdout) == (as_utf8.returncode, as_utf8.stdout)


# A SIGHUP sent as the rows' file is being written: to epa alone, or (as a terminal's hang-up is) to its process
# group, its workers with it. IGNORED puts nohup's disposition in place first.
HANG_UP_AS_ROWS_ARE_WRITTEN = """
import contextlib, os, signal, sys
import epa.views.outputs as outputs
from epa.cli import main

# (as a terminal starts it: a suite run under nohup would hand down its SIG_IGN, which epa rightly keeps)
signal.signal(signal.SIGHUP, signal.SIG_IGN if os.environ.get("IGNORED") else signal.SIG_DFL)
opened = outputs.streaming_file

@contextlib.contextmanager
def streaming_file(path):
    with opened(path) as write:
        def writing(data):
            write(data)
            if os.environ.get("GROUP"):
                os.killpg(os.getpgid(0), signal.SIGHUP)
            else:
                os.kill(os.getpid(), signal.SIGHUP)
        yield writing

outputs.streaming_file = streaming_file
main(sys.argv[1:])
"""
needs_hangup = pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="needs SIGHUP (POSIX)")


def hang_up(tmp_path: Path, *args: str, env: dict[str, str]) -> tuple[subprocess.CompletedProcess, Path]:
    rows = tmp_path / "rows.csv"
    rows.write_text("the rows of the run before\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", HANG_UP_AS_ROWS_ARE_WRITTEN, "compare", "--batch",
                           str(EXAMPLES / "st0071-cohort.jsonl"), "--out", str(rows), *args],
                          capture_output=True, text=True, timeout=TIMEOUT, env={**os.environ, **env},
                          start_new_session=True)  # (its own process group: the signal reaches no one else)
    return done, rows


@needs_hangup
@pytest.mark.parametrize(("args", "env"), [((), {}), (("--workers", "2"), {"GROUP": "1"})],
                         ids=["epa alone", "its process group, workers too"])
def test_a_hang_up_stops_a_cohort_as_ctrl_c_does(tmp_path: Path, args: tuple[str, ...], env: dict[str, str]) -> None:
    any_body()
    done, rows = hang_up(tmp_path, *args, env=env)
    assert done.returncode == errors.EXIT_INTERRUPTED, done.stderr
    assert done.stderr.startswith("interrupted: ") and "Traceback" not in done.stderr, done.stderr
    assert f"nothing written to {rows} (left as it was)" in done.stderr, done.stderr
    assert rows.read_text(encoding="utf-8") == "the rows of the run before\n"
    assert [p.name for p in tmp_path.iterdir()] == ["rows.csv"]  # (no temporary file beside it)


@needs_hangup
def test_a_hang_up_ignored_by_nohup_stays_ignored(tmp_path: Path) -> None:
    any_body()
    done, rows = hang_up(tmp_path, env={"IGNORED": "1"})
    assert done.returncode in (errors.EXIT_OK, errors.EXIT_INPUT), done.stderr  # (as the cohort's records say)
    assert "interrupted" not in done.stderr and rows.read_text(encoding="utf-8").startswith("line,"), done.stderr


# A narrow terminal (COLUMNS=30, a split pane): the cohort's summary cut its numbers to "1…" and "2…" (a rate of
# 100.0%, a count of 20000) where they did not fit, where its code meant "the numbers wrap instead". They fold now.
@pytest.mark.parametrize("width", ["30", "45"])
def test_a_narrow_terminal_cuts_no_number_of_a_cohorts_summary(width: str) -> None:
    any_body()
    done = epa("compare", "--batch", str(EXAMPLES / "st0071-cohort.csv"), env={"COLUMNS": width})
    assert done.returncode == errors.EXIT_OK, done.stderr
    heading, *tables = done.stdout.splitlines()  # (the heading shortens the file's folders to fit: "/…/examples")
    assert not [line for line in tables if "…" in line], done.stdout


@pytest.mark.parametrize("command", [
    ("compare", "--batch", str(EXAMPLES / "st0071-cohort.csv"), "--format", "csv", "--out"),
    ("audit", str(EXAMPLES / "st0071-outcomes.csv"), "--format", "csv", "--out"),
])
def test_an_output_file_named_dash_is_refused_not_written(tmp_path, command):
    """``-`` reads standard input as a record and ``--summary`` alone writes to standard output, but ``--out -``
    wrote a file named '-' in the working folder (found by the stress run on 0ff2ba6; exit 0, the rows not on the
    screen). It is refused as the user's input (exit 2) before anything is read or written, saying how to write
    to standard output and how to name such a file."""
    run = subprocess.run([sys.executable, "-m", "epa", *command, "-"], capture_output=True, text=True,
                         timeout=TIMEOUT, cwd=tmp_path)
    assert run.returncode == errors.EXIT_INPUT, run.stderr
    assert "would write a file named '-'" in run.stderr and "Traceback" not in run.stderr
    assert list(tmp_path.iterdir()) == []


# A command line's non-ASCII text in a C locale with Python's UTF-8 mode off: Python decodes each byte of "Notés" as
# a surrogate escape, so --column "Notés=" named no column ("the column map names no column of this header") and
# --sheet "Résultats" no worksheet. Read as typed (UTF-8) now.
def test_a_column_map_typed_in_a_c_locale_names_its_column(tmp_path: Path) -> None:
    any_body()
    header, *rows = (EXAMPLES / "st0071-cohort.csv").read_text(encoding="utf-8").splitlines()
    cohort = tmp_path / "cohort.csv"
    cohort.write_text("\n".join([header + ",Notés", *(row + ",café" for row in rows)]) + "\n", encoding="utf-8")
    done = bytes_out("compare", "--batch", str(cohort), "--format", "csv", "--strict", "--column", "Notés=",
                     env=ASCII["C locale"])
    assert done.returncode == errors.EXIT_OK, done.stderr
    assert b"names no column" not in done.stderr and b"not read" not in done.stderr, done.stderr


def test_a_sheet_typed_in_a_c_locale_is_found(tmp_path: Path) -> None:
    any_body()
    openpyxl = pytest.importorskip("openpyxl", reason="the test extra's openpyxl writes the workbook")
    pytest.importorskip("python_calamine", reason="epa reads workbooks with python-calamine")
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active.append(["read me"])
    sheet = book.create_sheet("Résultats")
    for row in (["standard", "apprentice", "gateway_date"], ["ST0071", "B-1", "2025-06-02"]):
        sheet.append(row)
    book.save(tmp_path / "c.xlsx")
    done = bytes_out("compare", "--batch", str(tmp_path / "c.xlsx"), "--format", "csv", "--sheet", "Résultats",
                     env=ASCII["C locale"])
    assert done.returncode == errors.EXIT_OK and b"\nB-1," not in done.stdout and b",B-1," in done.stdout, done.stderr


def _stderr_on_a_terminal(term: str) -> bytes:
    """What a cohort run writes to standard error when it is a terminal (a pseudo-terminal) of type ``term``."""
    return _on_a_terminal("compare", "--batch", str(EXAMPLES / "st0071-cohort.jsonl"), "--format", "csv",
                          stdout=subprocess.DEVNULL, term=term)


def _on_a_terminal(*command: str, stdout: Any = None, term: str = "xterm") -> bytes:
    """What a cohort run shows on a terminal (a pseudo-terminal, of type ``term``) as its standard error, and as its
    standard output unless ``stdout`` is given."""
    pty = pytest.importorskip("pty", reason="needs a pseudo-terminal (POSIX)")
    any_body()
    main, other = pty.openpty()
    with subprocess.Popen([sys.executable, "-m", "epa", *command], stdout=other if stdout is None else stdout,
                          stderr=other, env={**os.environ, "TERM": term, "COLUMNS": "200"}) as done:
        os.close(other)
        said = b""
        while True:
            try:
                chunk = os.read(main, 4096)
            except OSError:  # (the terminal's other end closed: Linux says EIO)
                break
            if not chunk:
                break
            said += chunk
        assert done.wait(timeout=300) == errors.EXIT_OK
    os.close(main)
    return said


def test_rows_sent_to_a_file_all_reach_it_while_a_bar_is_drawn(tmp_path: Path) -> None:
    """Standard error a terminal (a bar drawn), standard output a file: on 246753b rich's bar took standard output
    over once it started and printed what was written to it on standard error, so the file held the header and the
    first 256 records and the rest went to the screen (exit 0). 600 records: every one in the file, once."""
    lines = (EXAMPLES / "st0071-cohort.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines if line.strip()]
    cohort = tmp_path / "cohort.jsonl"
    with cohort.open("w", encoding="utf-8") as out:
        for n in range(600):
            record = dict(records[n % len(records)], apprentice={**records[n % len(records)]["apprentice"],
                                                                 "id": f"R-{n:04d}"})
            out.write(json.dumps(record) + "\n")
    with (tmp_path / "rows.csv").open("wb") as rows:
        _on_a_terminal("compare", "--batch", str(cohort), "--format", "csv", stdout=rows)
    written = (tmp_path / "rows.csv").read_text(encoding="utf-8")
    assert sorted(set(re.findall(r"\bR-\d{4}\b", written))) == [f"R-{n:04d}" for n in range(600)]


def test_rows_shown_on_the_terminal_get_no_bar_drawn_over_them() -> None:
    """Rows and the bar on one terminal: the bar's redraw would be drawn over the rows (written as bytes beneath
    it). No bar is drawn there; every row is shown."""
    shown = _on_a_terminal("compare", "--batch", str(EXAMPLES / "st0071-cohort.jsonl"), "--format", "csv")
    ids = {json.loads(line)["apprentice"]["id"] for line in
           (EXAMPLES / "st0071-cohort.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()}
    assert ids and all(i.encode() in shown for i in ids)
    assert b"grading" not in shown


def test_a_terminal_that_cannot_redraw_gets_no_progress_bar_nor_a_blank_line() -> None:
    """TERM=dumb cannot redraw a line: rich drew no bar there, but on 246753b left a blank line ('\\r\\n') on standard
    error where it would have been. Nothing is written; a terminal that can redraw (xterm) still gets the bar."""
    assert _stderr_on_a_terminal("dumb") == b""
    assert b"grading" in _stderr_on_a_terminal("xterm")
