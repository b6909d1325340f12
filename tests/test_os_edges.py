"""The command line at the operating system's edges (README "Exit codes"), found by a stress run on 0ff2ba6:

- a CSV cohort or outcomes file that is a device, which seeks but has no end (``epa audit - < /dev/zero``, or
  ``cohort.csv`` a link to /dev/zero), was searched to its end for month-first dates before its header was read:
  the command never ended, where a pipe of the same bytes is refused at once (a header longer than 1 MiB).

Each test runs the real command in its own process; the timeout only keeps a hang from stopping the suite.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import any_body
from epa import errors

ZERO = Path("/dev/zero")
TIMEOUT = 120

pytestmark = pytest.mark.skipif(sys.platform == "win32" or not ZERO.exists(), reason="needs /dev/zero")


def epa(*args: str, **popen: object) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "epa", *args], capture_output=True, text=True, timeout=TIMEOUT,
                          env=os.environ, **popen)  # type: ignore[call-overload]


@pytest.mark.parametrize("command", [("compare", "--batch"), ("audit",)], ids=["compare --batch", "audit"])
def test_a_csv_file_without_end_is_refused_at_its_header(tmp_path: Path, command: tuple[str, ...]) -> None:
    any_body()
    endless = tmp_path / "cohort.csv"
    endless.symlink_to(ZERO)
    done = epa(*command, str(endless), "--format", "csv")
    assert done.returncode == errors.EXIT_INPUT, done.stderr
    assert "the header is longer than 1 MiB" in done.stderr and "Traceback" not in done.stderr, done.stderr


def test_audit_of_standard_input_without_end_is_refused_at_its_header() -> None:
    any_body()
    with ZERO.open("rb") as zeros:
        done = epa("audit", "-", stdin=zeros)
    assert done.returncode == errors.EXIT_INPUT, done.stderr
    assert "the header is longer than 1 MiB" in done.stderr and "Traceback" not in done.stderr, done.stderr
