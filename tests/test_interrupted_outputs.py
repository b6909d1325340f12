"""The edges of a run: Ctrl-C or SIGTERM as an output is put in place, a signal held while a write fails, and a
standard error that cannot take a message (README "Exit codes").

Each test runs the real command in its own process, a signal sent by a patched step (the rename, the sync, a write)
at the moment it tests. On 9677339:
- an interruption as a file was renamed into place, or as a cohort's summary was written, said only "epa stopped
  before finishing; any output is incomplete", of a rows file written in full or left as it was;
- a signal held while a chunk was written (interrupts.held) was dropped when the write failed: exit 3, the user's
  Ctrl-C forgotten;
- a standard error that could not take a message (``2>/dev/full``, ``2>&-``) made a traceback no one could read and
  exit 1 (or hid itself: exit 0, or the input error's 2), never the output failure's 3;
- an output that was the input, through standard input, replaced it; and standard output appended to the cohort
  being read grew it without end.
"""

from __future__ import annotations

import errno
import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLES, ROOT, any_body, offering
from epa import errors

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

TIMEOUT = 120
COHORT = EXAMPLES / "st0071-cohort.jsonl"
RECORDS = len([line for line in COHORT.read_text(encoding="utf-8").splitlines() if line.strip()])  # one a line


def epa(script: str, *args: str, env: dict[str, str] | None = None, timeout: float = TIMEOUT,
        **popen: object) -> subprocess.CompletedProcess:
    """``epa ARGS`` in its own process, after ``script`` (Python run first: the patch that sends the signal)."""
    code = f"import sys\n{script}\nfrom epa.cli import main\nmain(sys.argv[1:])\n"
    options = {"capture_output": True} if not {"stdout", "stderr"} & set(popen) else {}
    return subprocess.run([sys.executable, "-c", code, *args], text=True, timeout=timeout,
                          env={**os.environ, **(env or {})}, **options, **popen)  # type: ignore[call-overload]


def leftovers(folder: Path) -> list[str]:
    """Temporary files left in ``folder`` (a file written is renamed from one starting with a dot)."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") and p.name.endswith(".tmp"))


# os.replace, for the file named TARGET: the signal SIGNAL sent just BEFORE or AFTER the rename.
AT_THE_RENAME = """
import os, signal
real = os.replace
def replace(source, target):
    if os.path.basename(str(target)) != os.environ["TARGET"]:
        return real(source, target)
    if os.environ["WHEN"] == "before":
        os.kill(os.getpid(), getattr(signal, os.environ["SIGNAL"]))
    real(source, target)
    if os.environ["WHEN"] == "after":
        os.kill(os.getpid(), getattr(signal, os.environ["SIGNAL"]))
os.replace = replace
"""


@pytest.mark.parametrize("when", ["before", "after"])
@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGTERM"])
def test_an_interrupt_as_the_rows_file_is_renamed_says_it_is_written_in_full(tmp_path, when, signal_name) -> None:
    """The rename is quick and atomic: a signal just before it is held till it is done (then the rows' file holds
    every record), one just after it finds it done; either way the message says so, and the summary, not begun, is
    not written (its old file left as it was)."""
    any_body()
    out, summary = tmp_path / "rows.jsonl", tmp_path / "summary.json"
    out.write_text("old\n")
    summary.write_text("old\n")
    done = epa(AT_THE_RENAME, "compare", "--batch", str(COHORT), "--format", "json", "--out", str(out),
               "--summary", str(summary), env={"TARGET": out.name, "WHEN": when, "SIGNAL": signal_name})
    assert done.returncode == errors.EXIT_INTERRUPTED and "Traceback" not in done.stderr, done.stderr
    assert done.stderr == f"interrupted: every record's output is written in full to {out}; no summary written to " \
                          f"{summary} (left as it was); the output is incomplete\n"
    assert [json.loads(line)["line"] for line in out.read_text().splitlines()] == list(range(1, RECORDS + 1))
    assert summary.read_text() == "old\n" and not leftovers(tmp_path)


# os.replace, for the file named TARGET: SIGINT, and the target's folder removed (with the temporary file in it) as
# the rename is made, so that the rename fails.
FOLDER_GONE_AT_THE_RENAME = """
import os, shutil, signal
real = os.replace
def replace(source, target):
    if os.path.basename(str(target)) == os.environ["TARGET"]:
        os.kill(os.getpid(), signal.SIGINT)
        shutil.rmtree(os.path.dirname(str(target)))
    real(source, target)
os.replace = replace
"""


def test_an_interrupt_as_the_rows_files_folder_is_removed_never_says_it_was_written(tmp_path) -> None:
    """Before, the temporary file gone was taken for renamed: "every record's output is written in full" of a file
    that was nowhere."""
    any_body()
    folder = tmp_path / "gone"
    folder.mkdir()
    out = folder / "rows.csv"
    done = epa(FOLDER_GONE_AT_THE_RENAME, "compare", "--batch", str(COHORT), "--out", str(out),
               env={"TARGET": out.name})
    assert done.returncode == errors.EXIT_INTERRUPTED and "Traceback" not in done.stderr, done.stderr
    assert not out.exists() and "written in full" not in done.stderr
    assert done.stderr.startswith(f"interrupted: every record was graded, nothing written to {out}"), done.stderr


# os.fsync, for the temporary file beside TARGET: SIGTERM, then a sync longer than a held signal waits.
A_SLOW_SYNC = """
import os, signal, time
real = os.fsync
def fsync(fd):
    if os.path.basename(os.readlink(f"/proc/self/fd/{fd}")).startswith("." + os.environ["TARGET"]):
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(30)
    return real(fd)
os.fsync = fsync
"""


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="names a descriptor's file by Linux's /proc/self/fd")
def test_an_interrupt_as_the_rows_file_is_synced_says_it_was_left_as_it_was(tmp_path) -> None:
    any_body()
    out = tmp_path / "rows.csv"
    out.write_text("old\n")
    done = epa(A_SLOW_SYNC, "compare", "--batch", str(COHORT), "--out", str(out), env={"TARGET": out.name})
    assert done.returncode == errors.EXIT_INTERRUPTED and "Traceback" not in done.stderr, done.stderr
    assert done.stderr == f"interrupted: every record was graded, nothing written to {out} (left as it was), no " \
                          "summary written; the output is incomplete\n"
    assert out.read_text() == "old\n" and not leftovers(tmp_path)


@pytest.mark.parametrize("when", ["before", "after"])
def test_an_interrupt_as_the_summary_file_is_renamed_says_both_files_are_whole(tmp_path, when) -> None:
    any_body()
    out, summary = tmp_path / "rows.jsonl", tmp_path / "summary.json"
    summary.write_text("old\n")
    done = epa(AT_THE_RENAME, "compare", "--batch", str(COHORT), "--format", "json", "--out", str(out),
               "--summary", str(summary), env={"TARGET": summary.name, "WHEN": when, "SIGNAL": "SIGINT"})
    assert done.returncode == errors.EXIT_INTERRUPTED and "Traceback" not in done.stderr, done.stderr
    # (the summary's table, printed on standard output after the file, was not)
    assert done.stderr == f"interrupted: every record's output is written in full to {out}; the summary is written " \
                          f"in full to {summary}; the output is incomplete\n"
    assert len(out.read_text().splitlines()) == RECORDS
    assert json.loads(summary.read_text())["summary"]["records_read"] == RECORDS and not leftovers(tmp_path)


def test_an_interrupt_as_a_report_is_renamed_says_it_is_written_in_full(tmp_path) -> None:
    offering("ST0071", "the standard the report is of")
    out = tmp_path / "report.json"
    out.write_text("old\n")
    done = epa(AT_THE_RENAME, "consistency", "--standard", "ST0071", "--format", "json", "--out", str(out),
               env={"TARGET": out.name, "WHEN": "after", "SIGNAL": "SIGTERM"})
    assert done.returncode == errors.EXIT_INTERRUPTED, done.stderr
    assert done.stderr == f"interrupted: {out} is written in full, but epa stopped before finishing: any other " \
                          "output is incomplete\n"
    assert json.loads(out.read_text())["standard"] == "ST0071" and not leftovers(tmp_path)


# The --out's writes: SIGINT as the cohort's summary line is written (after every record's line).
AT_THE_SUMMARY_LINE = """
import contextlib, os, signal
import epa.views.outputs as outputs
opened = outputs.streaming_file
@contextlib.contextmanager
def streaming_file(path):
    with opened(path) as write:
        def writing(data):
            if isinstance(data, str) and data.startswith('{"summary"'):
                os.kill(os.getpid(), signal.SIGINT)
            write(data)
        yield writing
outputs.streaming_file = streaming_file
"""


def test_an_interrupt_as_the_summary_line_is_written_names_every_record_graded(tmp_path) -> None:
    any_body()
    out = tmp_path / "rows.jsonl"
    out.write_text("old\n")
    done = epa(AT_THE_SUMMARY_LINE, "compare", "--batch", str(COHORT), "--format", "json", "--summary", "--out",
               str(out))
    assert done.returncode == errors.EXIT_INTERRUPTED, done.stderr
    assert done.stderr == f"interrupted: {RECORDS} records graded, nothing written to {out} (left as it was), no " \
                          "summary written; the output is incomplete\n"
    assert out.read_text() == "old\n" and not leftovers(tmp_path)


# Standard output's writes: the second one receives SIGINT (held: a chunk is written and counted as one) and then
# fails, as a full disk would.
HELD_THEN_FAILED = """
import errno, os, signal
import epa.views.outputs as outputs
from epa.errors import OutputError
writes = []
def failing_after_one(write):
    def writing(data):
        if writes:
            os.kill(os.getpid(), signal.SIGINT)
            raise OutputError(outputs.STDOUT, os.strerror(errno.ENOSPC))
        write(data)
        writes.append(data)
    return writing
outputs.write_stdout = failing_after_one(outputs.write_stdout)
outputs.write_stdout_bytes = failing_after_one(outputs.write_stdout_bytes)
"""


def test_a_signal_held_while_a_write_fails_is_exit_130_saying_both(tmp_path) -> None:
    """The user's stop wins (130), and the message says how much is whole and what failed meanwhile."""
    any_body()
    cohort = tmp_path / "cohort.jsonl"
    lines = [line for line in COHORT.read_text(encoding="utf-8").splitlines() if line.strip()]
    cohort.write_text("\n".join(lines[i % len(lines)] for i in range(100)) + "\n", encoding="utf-8")
    done = epa(HELD_THEN_FAILED, "compare", "--batch", str(cohort), "--format", "json")
    assert done.returncode == errors.EXIT_INTERRUPTED and "Traceback" not in done.stderr, done.stderr
    written = len(done.stdout.splitlines())
    assert written == 32  # the first chunk's lines (batch.cohort.JSON_CHUNK); the second's write failed
    assert done.stderr == f"interrupted: the first 32 records' output is written in full (to line 32 of the " \
                          f"cohort); the output is incomplete (and cannot write standard output: " \
                          f"{os.strerror(errno.ENOSPC)})\n"


def test_a_signal_held_as_the_reader_goes_is_exit_130(tmp_path) -> None:
    """Ctrl-C to a pipeline (`epa … | head`) reaches both: where the reader's going is met as the signal is held, the
    stop is still the user's (130), not a reader gone (exit 0), and a reader gone is no failure to name beside it."""
    any_body()
    cohort = tmp_path / "cohort.jsonl"
    lines = [line for line in COHORT.read_text(encoding="utf-8").splitlines() if line.strip()]
    cohort.write_text("\n".join(lines[i % len(lines)] for i in range(100)) + "\n", encoding="utf-8")
    script = HELD_THEN_FAILED.replace("raise OutputError(outputs.STDOUT, os.strerror(errno.ENOSPC))",
                                      "raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))")
    done = epa(script, "compare", "--batch", str(cohort), "--format", "json")
    assert done.returncode == errors.EXIT_INTERRUPTED and "Traceback" not in done.stderr, done.stderr
    assert done.stderr == "interrupted: the first 32 records' output is written in full (to line 32 of the cohort); " \
                          "the output is incomplete\n"


def test_an_interrupt_with_rows_to_standard_output_names_the_summary_file_left_as_it_was(tmp_path) -> None:
    """Rows to standard output, the summary to a file of its own: the stop names that file, not begun, as it was
    (it said only how many records' output was whole, leaving the user to guess at the summary)."""
    any_body()
    cohort, summary = tmp_path / "cohort.jsonl", tmp_path / "summary.json"
    lines = [line for line in COHORT.read_text(encoding="utf-8").splitlines() if line.strip()]
    cohort.write_text("\n".join(lines[i % len(lines)] for i in range(100)) + "\n", encoding="utf-8")
    summary.write_text("old\n")
    script = HELD_THEN_FAILED.replace("raise OutputError(outputs.STDOUT, os.strerror(errno.ENOSPC))", "")
    done = epa(script, "compare", "--batch", str(cohort), "--format", "json", "--summary", str(summary))
    assert done.returncode == errors.EXIT_INTERRUPTED and "Traceback" not in done.stderr, done.stderr
    written = len(done.stdout.splitlines())  # the first chunk's, and the second's, whose write took the signal
    assert written == 64
    assert done.stderr == "interrupted: the first 64 records' output is written in full (to line 64 of the cohort), " \
                          f"no summary written to {summary} (left as it was); the output is incomplete\n"
    assert summary.read_text() == "old\n"


def test_an_audit_whose_signal_is_held_while_a_write_fails_is_exit_130(tmp_path) -> None:
    any_body()
    outcomes = tmp_path / "outcomes.csv"
    header, *rows = (ROOT / "examples" / "st0071-outcomes.csv").read_text(encoding="utf-8").splitlines()
    outcomes.write_text("\n".join([header, *rows * 10]) + "\n", encoding="utf-8")
    done = epa(HELD_THEN_FAILED, "audit", str(outcomes), "--format", "json")
    assert done.returncode == errors.EXIT_INTERRUPTED and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.startswith("interrupted: the first 1 rows' output is written in full"), done.stderr


# Standard error that cannot take a message: exit 3, whatever else the command met, and no other code.
FULL = Path("/dev/full")
JOURNEY = EXAMPLES / "st0071-journey.yaml"


@pytest.mark.skipif(not FULL.exists(), reason="needs /dev/full, a device every write to fails")
@pytest.mark.parametrize(("args", "stdout"), [
    (("grade", "--body", "no-such-body", str(JOURNEY)), None),  # bad input: the message cannot be shown
    (("compare", "--no-such-option"), None),  # a usage error
    (("compare", "--batch", str(EXAMPLES / "provider-export.csv"), "--format", "csv"), None),  # notes of columns
    (("compare", "--batch", str(COHORT), "--format", "csv", "--summary"), None),  # the summary asked for, on stderr
    (("bodies",), FULL),  # both streams full
], ids=["bad input", "usage", "notes", "summary", "both full"])
def test_a_full_standard_error_is_exit_3(args, stdout) -> None:
    any_body()
    with open(FULL, "w") as full, open(stdout or os.devnull, "w") as out:
        done = epa("", *args, stdout=out, stderr=full)
    assert done.returncode == errors.EXIT_OUTPUT


@pytest.mark.skipif(not FULL.exists(), reason="needs /dev/full, a device every write to fails")
def test_a_full_standard_error_nothing_is_written_to_is_no_failure() -> None:
    any_body()  # (with none installed, `epa bodies` says so on standard error: a message lost, exit 3)
    with open(FULL, "w") as full, open(os.devnull, "w") as out:
        done = epa("", "bodies", stdout=out, stderr=full)
    assert done.returncode == errors.EXIT_OK


def test_a_closed_standard_error_that_a_message_needed_is_exit_3() -> None:
    any_body()
    done = epa("import os; os.close(2); sys.stderr = None", "grade", "--body", "no-such-body", str(JOURNEY),
               stdout=subprocess.DEVNULL)
    assert done.returncode == errors.EXIT_OUTPUT


def test_standard_error_failing_is_remembered_and_its_reader_gone_is_not() -> None:
    from epa.views.outputs import WatchedStderr

    class Failing(io.StringIO):
        def __init__(self, failure: OSError):
            super().__init__()
            self.failure = failure

        def write(self, text: str) -> int:
            raise self.failure

    full = WatchedStderr(Failing(OSError(errno.EIO, os.strerror(errno.EIO))))
    assert full.write("error: x\n") == len("error: x\n") and full.failed == os.strerror(errno.EIO)
    gone = WatchedStderr(Failing(BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))))
    gone.write("note: y\n")
    assert gone.failed is None
    closed = WatchedStderr(None)
    closed.write("error: z\n")
    assert closed.failed == "it is closed"


# An output that is the input: through standard input (`--out cohort.csv < cohort.csv`, `--out /dev/stdin`) the file
# read was replaced by the output on 9677339 (the check compared paths, and "-" names none); standard output appended
# to the cohort being read (`>> cohort.csv`) read its own rows back as records, the file growing without end (as
# `cat f >> f`; 900,000 lines in a minute from a 2,000-line cohort).
OUTCOMES = EXAMPLES / "st0071-outcomes.csv"


@pytest.mark.parametrize("args", [
    ("compare", "--batch", "-", "--format", "csv", "--out", "INPUT"),
    ("compare", "--batch", "-", "--format", "csv", "--out", "/dev/stdin"),
    ("compare", "--batch", "-", "--summary", "INPUT"),
    ("audit", "-", "--format", "csv", "--out", "INPUT"),
    ("timeline", "-", "--ics", "/dev/stdin"),
], ids=" ".join)
def test_an_output_that_is_the_file_standard_input_reads_is_refused_and_the_file_kept(tmp_path, args) -> None:
    any_body()
    if "/dev/stdin" in args and not Path("/dev/stdin").exists():
        pytest.skip("needs /dev/stdin")
    source = {"compare": COHORT.with_suffix(".csv"), "audit": OUTCOMES, "timeline": JOURNEY}[args[0]]
    given = tmp_path / source.name
    given.write_bytes(source.read_bytes())
    with open(given, "rb") as stdin:
        done = epa("", *[str(given) if a == "INPUT" else a for a in args], stdin=stdin, stdout=subprocess.PIPE,
                   stderr=subprocess.PIPE)
    assert done.returncode == errors.EXIT_INPUT, done.stderr
    assert "(standard input): give another file" in done.stderr and "Traceback" not in done.stderr
    assert given.read_bytes() == source.read_bytes() and not leftovers(tmp_path)


@pytest.mark.parametrize("args", [("compare", "--batch", "INPUT", "--format", "csv"),
                                  ("compare", "--batch", "-", "--format", "json"),
                                  ("audit", "INPUT", "--format", "csv")], ids=" ".join)
def test_standard_output_appended_to_the_file_being_read_is_refused(tmp_path, args) -> None:
    any_body()
    source = OUTCOMES if args[0] == "audit" else COHORT.with_suffix(".csv")
    given = tmp_path / source.name
    given.write_bytes(source.read_bytes())
    with open(given, "ab") as appended, open(given, "rb") as stdin:
        done = epa("", *[str(given) if a == "INPUT" else a for a in args], stdin=stdin, stdout=appended,
                   stderr=subprocess.PIPE, timeout=60)
    assert done.returncode == errors.EXIT_INPUT, done.stderr
    assert "standard output is the " in done.stderr and "being read" in done.stderr
    assert given.read_bytes() == source.read_bytes()


# `epa compare --batch cohort.csv > cohort.csv`: the shell empties the cohort before epa starts. The refusal said
# only "send it to another file", as if the cohort were still there to read (found by review): it says it is empty.
def test_standard_output_sent_over_the_file_being_read_says_it_is_empty_now(tmp_path) -> None:
    any_body()
    given = tmp_path / "cohort.csv"
    given.write_bytes(COHORT.with_suffix(".csv").read_bytes())
    with open(given, "wb") as replaced:  # (as the shell's >)
        done = epa("", "compare", "--batch", str(given), "--format", "csv", stdout=replaced, stderr=subprocess.PIPE,
                   timeout=60)
    assert done.returncode == errors.EXIT_INPUT, done.stderr
    assert "standard output is the cohort being read" in done.stderr
    assert "it is empty now" in done.stderr


# Standard output failing part way through a cohort (a disk filling): on 9677339 the error said only "cannot write
# standard output: No space left on device", not which records' output had been written in full before it.
FAILING_AFTER_TWO_WRITES = """
import errno, os
import epa.views.outputs as outputs
from epa.errors import OutputError
writes = []
def failing(write):
    def writing(data):
        if len(writes) == 2:
            raise OutputError(outputs.STDOUT, os.strerror(errno.ENOSPC))
        write(data)
        writes.append(data)
    return writing
outputs.write_stdout = failing(outputs.write_stdout)
outputs.write_stdout_bytes = failing(outputs.write_stdout_bytes)
"""


@pytest.mark.parametrize("command", ["compare", "audit"])
def test_standard_output_failing_part_way_says_how_much_is_whole(tmp_path, command) -> None:
    any_body()
    if command == "compare":
        given = tmp_path / "cohort.jsonl"
        lines = [line for line in COHORT.read_text(encoding="utf-8").splitlines() if line.strip()]
        given.write_text("\n".join(lines[i % len(lines)] for i in range(100)) + "\n", encoding="utf-8")
        args = ("compare", "--batch", str(given), "--format", "json")
        said = "the first 64 records' output is written in full (to line 64 of the cohort)"  # two chunks of 32
    else:
        given = tmp_path / "outcomes.csv"
        header, *rows = OUTCOMES.read_text(encoding="utf-8").splitlines()
        given.write_text("\n".join([header, *rows * 10]) + "\n", encoding="utf-8")
        args = ("audit", str(given), "--format", "json")
        said = f"the first 2 rows' output is written in full (to line 3 of {given})"  # a row a write, after the header
    done = epa(FAILING_AFTER_TWO_WRITES, *args)
    assert done.returncode == errors.EXIT_OUTPUT and "Traceback" not in done.stderr, done.stderr
    assert done.stderr == f"error: cannot write standard output: {os.strerror(errno.ENOSPC)}; {said}; the output " \
                          "is incomplete\n"
    assert len(done.stdout.splitlines()) == (64 if command == "compare" else 2)


# A first chunk's write cut short by a full disk has put out the records before the cut whole: the error said "no
# record's output was written in full" beside a file holding one (found by review); none is counted, none denied.
@pytest.mark.skipif(not hasattr(signal, "SIGXFSZ"), reason="needs a file-size limit (POSIX)")
def test_standard_output_failing_in_the_first_chunk_does_not_deny_what_it_holds(tmp_path) -> None:
    any_body()
    args = ("compare", "--batch", str(COHORT), "--format", "json")
    first = epa("", *args).stdout.splitlines(keepends=True)[0].encode()
    limit = len(first) + 10  # the first record's line whole, the second's cut
    script = "import resource, signal\nsignal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n" \
             f"resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, resource.RLIM_INFINITY))"
    out = tmp_path / "rows.jsonl"
    with open(out, "wb") as stdout:
        done = epa(script, *args, stdout=stdout, stderr=subprocess.PIPE)
    assert done.returncode == errors.EXIT_OUTPUT and "Traceback" not in done.stderr, done.stderr
    assert out.read_bytes().startswith(first)
    assert done.stderr.endswith(f"; {RECORDS} records graded, no record's output is known to be written in full; "
                                "the output is incomplete\n"), done.stderr  # (one chunk: JSON_CHUNK is 32)


# Standard output buffered (as Python has it but with PYTHONUNBUFFERED or -u), as a file that fills: the rows of a
# write were counted as written in full once they were in Python's buffer, and failed at the next write or at exit.
# On 6b31b37 an audit's third row, cut short, was said to be written in full (a user resuming after it loses it), and
# a cohort's one chunk failing at the last flush said only "cannot write standard output", not how much was whole.
@pytest.mark.skipif(not hasattr(signal, "SIGXFSZ"), reason="needs a file-size limit (POSIX)")
@pytest.mark.parametrize("command", ["compare", "audit"])
def test_buffered_standard_output_filling_counts_only_rows_out_of_the_buffer(tmp_path, command) -> None:
    any_body()
    if command == "compare":
        args: tuple[str, ...] = ("compare", "--batch", str(COHORT), "--format", "csv")
        whole = 1  # the header row; the cohort's one chunk is cut
        said = f"{RECORDS} records graded, no record's output is known to be written in full"
    else:
        args = ("audit", str(OUTCOMES), "--format", "csv")
        whole = 3  # the header row and two rows, a row a write; the third row is cut
        said = f"the first 2 rows' output is written in full (to line 3 of {OUTCOMES})"
    written = epa("", *args).stdout.encode()
    kept = b"".join(written.splitlines(keepends=True)[:whole])
    script = "import resource, signal\nsignal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n" \
             f"resource.setrlimit(resource.RLIMIT_FSIZE, ({len(kept) + 10}, resource.RLIM_INFINITY))"
    out = tmp_path / "rows.csv"
    with open(out, "wb") as stdout:
        done = epa(script, *args, env={"PYTHONUNBUFFERED": ""}, stdout=stdout, stderr=subprocess.PIPE)
    assert done.returncode == errors.EXIT_OUTPUT and "Traceback" not in done.stderr, done.stderr
    assert out.read_bytes().startswith(kept) and len(out.read_bytes()) == len(kept) + 10
    assert done.stderr.endswith(f"; {said}; the output is incomplete\n"), done.stderr


# Every row written in full, the summary's line, last, cannot be: on 6b31b37 "cannot write standard output: File too
# large" alone, of a standard output holding every record's row (README "Exit codes", 3: how many are whole).
@pytest.mark.skipif(not hasattr(signal, "SIGXFSZ"), reason="needs a file-size limit (POSIX)")
def test_a_summary_line_that_cannot_be_written_says_every_row_before_it_is_whole(tmp_path) -> None:
    any_body()
    args = ("compare", "--batch", str(COHORT), "--format", "json", "--summary")
    rows = b"".join(epa("", *args).stdout.encode().splitlines(keepends=True)[:RECORDS])  # a line a record, then it
    script = "import resource, signal\nsignal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n" \
             f"resource.setrlimit(resource.RLIMIT_FSIZE, ({len(rows)}, resource.RLIM_INFINITY))"
    out = tmp_path / "rows.jsonl"
    with open(out, "wb") as stdout:
        done = epa(script, *args, env={"PYTHONUNBUFFERED": ""}, stdout=stdout, stderr=subprocess.PIPE)
    assert done.returncode == errors.EXIT_OUTPUT and "Traceback" not in done.stderr, done.stderr
    assert out.read_bytes() == rows
    assert done.stderr.endswith(f"; the first {RECORDS} records' output is written in full (to line {RECORDS} of "
                                "the cohort); the output is incomplete\n"), done.stderr


# A table on standard output that cannot be written, after a file was put in place: on 6b31b37 "cannot write standard
# output" alone, as if nothing were written (compare --batch said so of its --out rows, not of its --summary FILE;
# audit, not of its --out rows).
@pytest.mark.skipif(not FULL.exists(), reason="needs /dev/full, a device every write to fails")
@pytest.mark.parametrize("command", ["compare", "audit"])
def test_a_table_that_cannot_be_written_names_the_file_written_in_full(tmp_path, command) -> None:
    any_body()
    if command == "compare":
        written = tmp_path / "summary.txt"
        args: tuple[str, ...] = ("compare", "--batch", str(COHORT), "--summary", str(written))
        said = f"every record was graded, the summary written in full to {written}; only its table is missing"
    else:
        written = tmp_path / "rows.csv"
        args = ("audit", str(OUTCOMES), "--out", str(written))
        said = f"every row's output is written in full to {written}; only the table is missing"
    with open(FULL, "w") as full:
        done = epa("", *args, stdout=full, stderr=subprocess.PIPE)
    assert done.returncode == errors.EXIT_OUTPUT, done.stderr
    assert done.stderr.endswith(f"error: cannot write standard output: {os.strerror(errno.ENOSPC)} ({said})\n"), \
        done.stderr
    assert written.read_text(encoding="utf-8") and not leftovers(tmp_path)


# --out naming a device written in place (/dev/full) that fails at once: it said "the first 0 records' output is
# written in full to /dev/full" (found by review).
@pytest.mark.skipif(not FULL.exists(), reason="needs /dev/full, a device every write to fails")
@pytest.mark.parametrize("command", ["compare", "audit"])
def test_an_out_device_failing_at_once_says_none_is_known_whole(tmp_path, command) -> None:
    any_body()
    if command == "compare":  # (large enough that the first write fails before the last record is graded)
        given = tmp_path / "cohort.jsonl"
        lines = [line for line in COHORT.read_text(encoding="utf-8").splitlines() if line.strip()]
        given.write_text("\n".join(lines[i % len(lines)] for i in range(500)) + "\n", encoding="utf-8")
        args: tuple[str, ...] = ("compare", "--batch", str(given))
    else:
        given = tmp_path / "outcomes.csv"
        header, *rows = OUTCOMES.read_text(encoding="utf-8").splitlines()
        given.write_text("\n".join([header, *rows * 500]) + "\n", encoding="utf-8")
        args = ("audit", str(given))
    done = epa("", *args, "--format", "json", "--out", str(FULL))
    assert done.returncode == errors.EXIT_OUTPUT and "Traceback" not in done.stderr, done.stderr
    # (compare: the first chunk, batch.cohort.JSON_CHUNK's 32 records, graded before its write failed)
    said, closing = ("32 records graded, no record's", "summary") if command == "compare" else ("no row's", "table")
    assert f"; {said} output is known to be written in full to {FULL}, no {closing} written; the output is " \
           "incomplete\n" in done.stderr
    assert "the first 0" not in done.stderr


# A CSV's header row goes out before the first record is graded: where that write failed, the error said "0 records
# graded, no record's output is known to be written in full", read as a cohort of none, and named neither the output
# nor the summary's file left as it was (README "Exit codes", 3: how many records' output is written in full, the
# summary not written).
@pytest.mark.skipif(not FULL.exists(), reason="needs /dev/full, a device every write to fails")
def test_a_csv_header_row_that_cannot_be_written_says_no_record_was_graded(tmp_path) -> None:
    any_body()
    summary = tmp_path / "summary.json"
    summary.write_text("old\n")
    done = epa("", "compare", "--batch", str(COHORT), "--format", "csv", "--out", str(FULL), "--summary", str(summary))
    assert (done.returncode, done.stdout) == (errors.EXIT_OUTPUT, ""), done.stderr
    assert done.stderr == f"error: cannot write {FULL}: {os.strerror(errno.ENOSPC)}; no record graded: the CSV's " \
                          f"header row, written before the first, could not be written to {FULL}, no summary written " \
                          f"to {summary} (left as it was); the output is incomplete\n"
    assert summary.read_text() == "old\n" and not leftovers(tmp_path)


@pytest.mark.skipif(not FULL.exists(), reason="needs /dev/full, a device every write to fails")
def test_an_out_device_failing_at_its_first_chunk_names_it_and_the_summary_left_as_it_was(tmp_path) -> None:
    """Before, "N records graded, no record's output is known to be written in full": where, and that the summary's
    file was left as it was, unsaid (an interruption at that point said both)."""
    any_body()
    summary = tmp_path / "summary.json"
    summary.write_text("old\n")
    done = epa("", "compare", "--batch", str(COHORT), "--format", "json", "--out", str(FULL), "--summary", str(summary))
    assert (done.returncode, done.stdout) == (errors.EXIT_OUTPUT, ""), done.stderr
    # (every record graded, in one chunk of batch.cohort.JSON_CHUNK's 32, before its write failed)
    assert done.stderr == f"error: cannot write {FULL}: {os.strerror(errno.ENOSPC)}; {RECORDS} records graded, no " \
                          f"record's output is known to be written in full to {FULL}, no summary written to {summary} " \
                          "(left as it was); the output is incomplete\n"
    assert summary.read_text() == "old\n"


@pytest.mark.skipif(not hasattr(signal, "SIGXFSZ"), reason="needs a file-size limit (POSIX)")
def test_an_out_file_failing_part_way_says_it_was_left_as_it_was(tmp_path) -> None:
    any_body()
    out = tmp_path / "rows.jsonl"
    out.write_text("old\n")
    # A file-size limit (its signal ignored) makes the real write fail, as a full disk would.
    script = "import resource, signal\nsignal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n" \
             "resource.setrlimit(resource.RLIMIT_FSIZE, (100, resource.RLIM_INFINITY))"
    done = epa(script, "compare", "--batch", str(COHORT), "--format", "json", "--out", str(out))
    assert done.returncode == errors.EXIT_OUTPUT and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.startswith(f"error: cannot write {out}: ")
    # (every record graded, in one chunk, before its write failed: "0 records graded" on bce6565)
    assert done.stderr.endswith(f"; {RECORDS} records graded, nothing written to {out} (left as it was), no summary "
                                "written; the output is incomplete\n"), done.stderr
    assert out.read_text() == "old\n" and not leftovers(tmp_path)


@pytest.mark.skipif(not FULL.exists(), reason="needs /dev/full, a device every write to fails")
def test_the_version_with_both_streams_full_is_exit_3() -> None:
    """`epa --version` is answered before the command line is loaded (epa.__main__); on 9677339 its error message,
    to a full standard error too, was a traceback and exit 1."""
    with open(FULL, "w") as full:
        done = subprocess.run([sys.executable, "-m", "epa", "--version"], stdout=full, stderr=full, timeout=TIMEOUT)
    assert done.returncode == errors.EXIT_OUTPUT


def test_the_version_with_both_streams_closed_is_exit_3() -> None:
    done = subprocess.run([sys.executable, "-c", "import os, runpy, sys\nos.close(1); os.close(2)\n"
                           "sys.stdout = sys.stderr = None\nsys.argv = ['epa', '--version']\n"
                           "runpy.run_module('epa', run_name='__main__')"], timeout=TIMEOUT)
    assert done.returncode == errors.EXIT_OUTPUT


# The console script's run (epa.__main__), with SIGNAL sent to itself as the command line's first costly import
# (click) is looked for: the moment a Ctrl-C or a SIGTERM meets a start, which takes a third of a second.
AS_IT_STARTS = """
import os, signal, sys
class Stop:
    def find_spec(self, name, path=None, target=None):
        if name == "click":
            sys.meta_path.remove(self)
            os.kill(os.getpid(), getattr(signal, os.environ["SIGNAL"]))
        return None
sys.meta_path.insert(0, Stop())
sys.argv = ["epa", *sys.argv[1:]]
from epa.__main__ import main
main()
"""


@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGTERM"])
def test_an_interrupt_as_epa_starts_is_one_line_and_exit_130(signal_name) -> None:
    """On d365568 the handler was installed once the command line was imported: a Ctrl-C then was Python's
    traceback (and a death by SIGINT), a SIGTERM a silent death by SIGTERM (143 to the shell)."""
    done = subprocess.run([sys.executable, "-c", AS_IT_STARTS, "bodies"], capture_output=True, text=True,
                          env={**os.environ, "SIGNAL": signal_name}, timeout=TIMEOUT)
    assert (done.returncode, done.stdout) == (errors.EXIT_INTERRUPTED, "")
    assert done.stderr == "interrupted: epa stopped before finishing; any output is incomplete\n"


# The first chunk of a cohort graded in this process: SIGINT sent as its grading starts, before any row is written.
AT_THE_FIRST_CHUNK = """
import os, signal
from epa.batch import cohort
real = cohort.grade_chunk
def grade_chunk(g, items):
    os.kill(os.getpid(), signal.SIGINT)
    return real(g, items)
cohort.grade_chunk = grade_chunk
"""


def test_an_interrupt_before_any_row_is_written_says_none_is_known_whole() -> None:
    """On d365568 it said "the first 0 records' output is written in full" (as an output failing at once had, above)."""
    any_body()
    done = epa(AT_THE_FIRST_CHUNK, "compare", "--batch", str(COHORT), "--format", "json")
    assert (done.returncode, done.stdout) == (errors.EXIT_INTERRUPTED, "")
    assert done.stderr == "interrupted: no record's output is known to be written in full; the output is incomplete\n"


# os.fsync failing with a full disk, as the rows' file is put in place once every row is written (the last buffer
# reaching a disk that filled meanwhile; a network file system's sync).
SYNC_FAILS = """
import errno, os
def fsync(fd):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
os.fsync = fsync
"""


@pytest.mark.parametrize("command", ["compare", "audit"])
def test_an_out_file_failing_as_it_is_put_in_place_says_it_was_left_as_it_was(tmp_path, command) -> None:
    """On d365568 it said only "cannot write OUT: No space left on device", not that the old file was kept nor that
    the summary was not written, as a failure part way says (README "Exit codes", 3)."""
    any_body()
    out, summary = tmp_path / "rows.csv", tmp_path / "summary.json"
    out.write_text("old\n")
    if command == "compare":
        args: tuple[str, ...] = ("compare", "--batch", str(COHORT), "--summary", str(summary))
        said = f"every record was graded, nothing written to {out} (left as it was), no summary written to {summary} " \
               "(left as it was)"
    else:
        args, said = ("audit", str(OUTCOMES)), f"every row was audited, nothing written to {out} (left as it was), " \
                                                "no table written"
    done = epa(SYNC_FAILS, *args, "--out", str(out))
    assert (done.returncode, done.stdout) == (errors.EXIT_OUTPUT, "")
    assert done.stderr == f"error: cannot write {out}: {os.strerror(errno.ENOSPC)}; {said}; the output is incomplete\n"
    assert out.read_text() == "old\n" and not summary.exists() and not leftovers(tmp_path)


# The --out file's temporary file (beside TARGET) on a full disk: every write to it fails.
OUT_FULL = """
import errno, io, os
real = os.fdopen
class Full(io.RawIOBase):
    def writable(self):
        return True
    def write(self, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
def fdopen(fd, *args, **kwargs):
    opened = real(fd, *args, **kwargs)
    if os.path.basename(os.readlink(f"/proc/self/fd/{fd}")).startswith("." + os.environ["TARGET"]):
        return io.BufferedWriter(Full())
    return opened
os.fdopen = fdopen
"""


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="names a descriptor's file by Linux's /proc/self/fd")
def test_an_out_file_full_at_its_first_chunk_says_how_many_were_graded(tmp_path) -> None:
    """Before, "0 records graded", though the first chunk (batch.cohort.CHUNK, 256 records) was graded before its
    write failed; the second chunk's 44 records were never graded."""
    any_body()
    cohort = tmp_path / "cohort.jsonl"
    lines = [line for line in COHORT.read_text(encoding="utf-8").splitlines() if line.strip()]
    cohort.write_text("\n".join(lines[i % len(lines)] for i in range(300)) + "\n", encoding="utf-8")
    out = tmp_path / "rows.csv"
    out.write_text("old\n")
    done = epa(OUT_FULL, "compare", "--batch", str(cohort), "--out", str(out), env={"TARGET": out.name})
    assert (done.returncode, done.stdout) == (errors.EXIT_OUTPUT, ""), done.stderr
    assert done.stderr == f"error: cannot write {out}: {os.strerror(errno.ENOSPC)}; 256 records graded, nothing " \
                          f"written to {out} (left as it was), no summary written; the output is incomplete\n"
    assert out.read_text() == "old\n" and not leftovers(tmp_path)


# The `epa` command itself (epa.__main__), a signal sent to it as the interpreter exits, every output written: from
# an exit function (atexit), or from an object the interpreter frees in its last steps, after it has put back the
# signals' default actions.
AS_IT_EXITS = """
import atexit, os, signal, sys
class Late:
    def __del__(self):
        os.kill(os.getpid(), getattr(signal, os.environ["SIGNAL"]))
if os.environ["WHEN"] == "atexit":
    atexit.register(Late().__del__)
else:
    sys.modules["late"] = Late()  # (freed with the modules, last)
sys.argv = ["epa", *sys.argv[1:]]
from epa.__main__ import main
main()
"""


@pytest.mark.parametrize("when", ["atexit", "last"])
@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGINT"])
def test_a_signal_as_epa_exits_after_its_output_keeps_the_commands_exit_code(when, signal_name) -> None:
    """On bce6565, SIGTERM in the interpreter's last steps killed it (143, Python's handler gone), and a signal in an
    exit function printed a KeyboardInterrupt traceback: neither the command's code (its output whole) nor 130."""
    any_body()
    whole = epa("", "bodies", "--format", "json")
    done = subprocess.run([sys.executable, "-c", AS_IT_EXITS, "bodies", "--format", "json"], capture_output=True,
                          text=True, env={**os.environ, "SIGNAL": signal_name, "WHEN": when}, timeout=TIMEOUT)
    assert (done.returncode, done.stderr) == (errors.EXIT_OK, "")
    assert json.loads(done.stdout) == json.loads(whole.stdout)


# The command run with SIGINT ignored (`trap '' INT`, a script's background job), SIGINT sent as it starts its work.
SIGINT_IGNORED = """
import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_IGN)  # (as inherited: Python keeps an ignored SIGINT)
import click
real = click.Group.main
def main(self, *args, **kwargs):
    os.kill(os.getpid(), signal.SIGINT)
    return real(self, *args, **kwargs)
click.Group.main = main
sys.argv = ["epa", *sys.argv[1:]]
from epa.__main__ import main
main()
"""


def test_an_ignored_sigint_stays_ignored() -> None:
    """On bce6565 epa put its own handler over the ignored SIGINT (SIGHUP's was kept): exit 130, no output."""
    any_body()
    whole = epa("", "bodies", "--format", "json")
    done = subprocess.run([sys.executable, "-c", SIGINT_IGNORED, "bodies", "--format", "json"], capture_output=True,
                          text=True, timeout=TIMEOUT)
    assert (done.returncode, done.stderr) == (errors.EXIT_OK, "")
    assert json.loads(done.stdout) == json.loads(whole.stdout)
