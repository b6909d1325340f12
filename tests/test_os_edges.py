"""The command line at the operating system's edges (README "Exit codes"), found by a stress run on 0ff2ba6:

- a CSV cohort or outcomes file that is a device, which seeks but has no end (``epa audit - < /dev/zero``, or
  ``cohort.csv`` a link to /dev/zero), was searched to its end for month-first dates before its header was read:
  the command never ended, where a pipe of the same bytes is refused at once (a header longer than 1 MiB);
- a cohort's rows (or an audit's) sent to a standard output whose encoding (ASCII) cannot show a name in a record or
  a citation's "§" stopped with exit 3 but never said that the output was incomplete, nor how many records' output
  was written in full, as a full disk's message does.

Each test runs the real command in its own process; the timeout only keeps a hang from stopping the suite.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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


# Standard output in ASCII (PYTHONIOENCODING=ascii, as a C locale without UTF-8 coercion gives): the rows that cannot
# be shown stop the run, exit 3, and the message says the output is incomplete, as for a full disk.
ASCII = {"PYTHONIOENCODING": "ascii"}


def test_a_cohort_whose_rows_ascii_cannot_show_says_its_output_is_incomplete(tmp_path: Path) -> None:
    any_body()
    header, first, second, *rest = (EXAMPLES / "st0071-cohort.csv").read_text(encoding="utf-8").splitlines()
    apprentice = second.split(",")[1]
    cohort = tmp_path / "cohort.csv"
    cohort.write_text("\n".join([header, first, second.replace(apprentice, "Zoë", 1), *rest]) + "\n", encoding="utf-8")
    done = epa("compare", "--batch", str(cohort), "--format", "csv", env=ASCII)
    assert done.returncode == errors.EXIT_OUTPUT and "Traceback" not in done.stderr, done.stderr
    assert "cannot write standard output: its encoding (ascii) cannot show 'ë'" in done.stderr, done.stderr
    assert done.stderr.rstrip().endswith("; the output is incomplete"), done.stderr
    assert "Zo" not in done.stdout  # (no part of the row that could not be shown)


def test_an_audit_whose_rows_ascii_cannot_show_says_its_output_is_incomplete() -> None:
    any_body()  # (a row's rule is cited with "§", its words quoted in curly quotes: ASCII cannot show them)
    done = epa("audit", str(EXAMPLES / "st0071-outcomes.csv"), "--format", "csv", env=ASCII)
    assert done.returncode == errors.EXIT_OUTPUT and "Traceback" not in done.stderr, done.stderr
    assert "cannot write standard output: its encoding (ascii) cannot show" in done.stderr, done.stderr
    assert done.stderr.rstrip().endswith("; the output is incomplete"), done.stderr
