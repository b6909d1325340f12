"""Outputs: files written whole or not at all and independent of standard output, a failed write (file or
standard output) named with exit 3, iCalendar text escaped, and Ctrl-C exiting 130 (README, "Exit codes")."""

from __future__ import annotations

import errno
import json
import os
import re
import resource
import signal
import stat
import subprocess
import sys
from pathlib import Path

import icalendar
import pytest
import yaml

from conftest import EXAMPLES, ROOT, any_body, dump_record, example, offering, prints_a_list, run
from epa import errors
from epa.testing import requires

JOURNEY = EXAMPLES / "st0071-journey.yaml"  # as it is, for a test refusing an output before the record is read


def journey() -> Path:
    """The example journey record, for a test that grades it (skipping where no installed body offers ST0071)."""
    return example(JOURNEY.name)


def consistency() -> tuple[str, ...]:
    offering("ST0071", "the standard the command names")
    return ("consistency", "--standard", "ST0071")


def epa(*args: str, python_options: tuple[str, ...] = (), **popen: object) -> subprocess.CompletedProcess[str]:
    """Run the real command in its own process (what a shell does with ``>``, ``>&-`` or a pipe)."""
    return subprocess.run([sys.executable, *python_options, "-m", "epa", *args], text=True, timeout=120,
                          **popen)  # type: ignore[call-overload]


def refused_output(done: subprocess.CompletedProcess[str], output: str) -> None:
    """Exit 3 naming the output, and no traceback nor 'internal error'."""
    assert done.returncode == errors.EXIT_OUTPUT, done.stderr
    assert f"error: cannot write {output}: " in done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr


# Every command that prints (diff, which needs a body with two document versions, has a test of its own).
PRINTING = [("bodies",), ("standards",), ("criteria", "--standard", "ST0071"), ("ambiguities",),
            ("grade", "--body", "BODY", "RECORD"), ("compare", "RECORD"), ("gateway", "RECORD"), ("timeline", "RECORD"),
            ("journey", "--standard", "ST0071"), ("consistency", "--standard", "ST0071"), ("plugins",),
            ("conformance", "BODY", "--check", "loads"), ("bodies", "--format", "json"),
            ("compare", "RECORD", "--format", "json"), ("--help",), ("grade", "--help"), ("--version",)]
COMMANDS = pytest.mark.parametrize("command", PRINTING, ids=" ".join)


def _filled(command: tuple[str, ...]) -> list[str]:
    """The command with a body that offers ST0071 and the example record (skipping, saying why, when the command
    needs them and no installed body offers ST0071)."""
    if "ST0071" in command:
        offering("ST0071", "the standard the command names")
    prints_a_list(command)
    named = {"RECORD": str(journey()) if "RECORD" in command else "", "BODY": any_body() if "BODY" in command else ""}
    return [named.get(arg, arg) for arg in command]


@COMMANDS
def test_a_full_disk_on_standard_output_is_exit_3_naming_it(command: tuple[str, ...]) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("needs /dev/full (Linux) to stand for a full disk")
    with open("/dev/full", "w") as full:
        refused_output(epa(*_filled(command), stdout=full, stderr=subprocess.PIPE), "standard output")


@COMMANDS
def test_a_closed_standard_output_is_exit_3_naming_it(command: tuple[str, ...]) -> None:
    # The shell's `>&-`: the command starts with no descriptor 1 at all.
    done = epa(*_filled(command), stderr=subprocess.PIPE, preexec_fn=lambda: os.close(1))
    refused_output(done, "standard output")
    assert "cannot write standard output: it is closed" in done.stderr


@requires("gateway_quals")
def test_diff_on_a_full_disk_and_a_closed_standard_output() -> None:
    args = ("diff", "--body", "gateway_quals", "--from", "1.0", "--to", "1.1")
    if Path("/dev/full").exists():
        with open("/dev/full", "w") as full:
            refused_output(epa(*args, stdout=full, stderr=subprocess.PIPE), "standard output")
    refused_output(epa(*args, stderr=subprocess.PIPE, preexec_fn=lambda: os.close(1)), "standard output")


def test_a_reader_that_stops_reading_is_no_failure_and_the_calendar_is_still_written(tmp_path: Path) -> None:
    # `epa timeline … --ics d.ics | head -1`, made certain: the pipe's reader is gone before epa writes a byte.
    reader, writer = os.pipe()
    os.close(reader)
    calendar = tmp_path / "d.ics"
    try:
        done = epa("timeline", str(journey()), "--ics", str(calendar), stdout=writer, stderr=subprocess.PIPE)
    finally:
        os.close(writer)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    events = icalendar.Calendar.from_ical(calendar.read_bytes()).walk("VEVENT")
    assert events and f"wrote {len(events)} deadlines to {calendar}" in done.stderr


@pytest.mark.parametrize("args", [("--help",), ("bodies",)], ids=" ".join)
def test_a_reader_gone_before_the_first_byte_is_exit_0(args: tuple[str, ...]) -> None:
    prints_a_list(args)
    reader, writer = os.pipe()
    os.close(reader)
    try:
        done = epa(*args, stdout=writer, stderr=subprocess.PIPE)
    finally:
        os.close(writer)
    assert done.returncode == 0 and done.stderr == ""


# A cohort's reader that stops reading (`epa compare --batch … | head`): the run stops, and its exit code is what the
# records graded by then come to (README "Exit codes"). On 095f814 it was 0 whatever they held, or 2 as it happened
# (the pipe's end met mid-run or at the final flush).
def _cohort_rejecting_its_first_line(tmp_path: Path, valid_lines: int) -> Path:
    records = (EXAMPLES / "st0071-cohort.jsonl").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "cohort.jsonl"
    path.write_text('{"standard": "ST0071"}\n' + "".join(records[i % len(records)] + "\n"
                                                       for i in range(valid_lines)), encoding="utf-8")
    return path


@pytest.mark.parametrize(("fmt", "workers"), [("json", "1"), ("json", "2"), ("csv", "1"), ("csv", "2")])
def test_a_cohort_whose_reader_stops_exits_as_the_records_graded_by_then_say(tmp_path: Path, fmt: str,
                                                                            workers: str) -> None:
    any_body()
    cohort = _cohort_rejecting_its_first_line(tmp_path, 3000)
    proc = subprocess.Popen([sys.executable, "-m", "epa", "compare", "--batch", str(cohort), "--format", fmt,
                             "--workers", workers], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = [proc.stdout.readline() for _ in range(1 if fmt == "json" else 2)]  # (CSV: the header, then a row)
    proc.stdout.close()  # `| head -1`: the reader goes, having read the first line's error row
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == errors.EXIT_INPUT, stderr
    assert b'"line": 1, "error"' in first[0] if fmt == "json" else first[1].startswith(b"1,")
    assert "Traceback" not in stderr
    said = re.search(r"note: standard output's reader stopped reading: (\d+) records graded by then \(to line "
                     r"(\d+) of the cohort\), 1 of them rejected; any after them were not", stderr)
    assert said and said[1] == said[2] and 1 <= int(said[1]) < 3001, stderr  # it stopped early


def test_a_cohort_whose_reader_stops_says_its_summary_file_was_not_written(tmp_path: Path) -> None:
    # On 095f814: exit 0 and not a word, the --summary file never written.
    any_body()
    records = (EXAMPLES / "st0071-cohort.jsonl").read_text(encoding="utf-8").splitlines()
    cohort = tmp_path / "cohort.jsonl"
    cohort.write_text("".join(records[i % len(records)] + "\n" for i in range(3000)), encoding="utf-8")
    summary = tmp_path / "summary.json"
    proc = subprocess.Popen([sys.executable, "-m", "epa", "compare", "--batch", str(cohort), "--format", "json",
                             "--summary", str(summary)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.readline()
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0, stderr
    assert re.search(r"note: standard output's reader stopped reading: \d+ records graded by then \(to line \d+ of "
                     r"the cohort\), 0 of them rejected; any after them were not; no summary written to "
                     + re.escape(str(summary)), stderr), stderr
    assert not summary.exists()


@pytest.mark.parametrize("option", ["table", "--out"])
def test_a_cohort_summary_whose_reader_stops_exits_as_the_cohort_says(tmp_path: Path, option: str) -> None:
    # The whole cohort is graded before its summary's table is printed: its exit code is the cohort's.
    any_body()
    cohort = _cohort_rejecting_its_first_line(tmp_path, 3)
    rows = tmp_path / "rows.csv"
    reader, writer = os.pipe()
    os.close(reader)  # gone before the first byte
    try:
        done = epa("compare", "--batch", str(cohort), *(("--out", str(rows)) if option == "--out" else ()),
                   stdout=writer, stderr=subprocess.PIPE)
    finally:
        os.close(writer)
    assert done.returncode == errors.EXIT_INPUT and "Traceback" not in done.stderr, done.stderr
    if option == "--out":
        assert len(rows.read_text(encoding="utf-8").splitlines()) > 4  # the rows written all the same


def test_a_valid_cohort_whose_reader_stops_is_exit_0_and_says_nothing(tmp_path: Path) -> None:
    any_body()
    records = (EXAMPLES / "st0071-cohort.jsonl").read_text(encoding="utf-8").splitlines()
    cohort = tmp_path / "cohort.jsonl"
    cohort.write_text("".join(records[i % len(records)] + "\n" for i in range(3000)), encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "epa", "compare", "--batch", str(cohort), "--format", "json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.readline()
    proc.stdout.close()
    assert proc.wait(timeout=120) == 0
    assert proc.stderr.read() == b""


@requires("highfield", "tqual")
@pytest.mark.parametrize("fmt", ["csv", "json", "table"])
def test_an_audit_whose_reader_stops_exits_as_the_rows_audited_by_then_say(tmp_path: Path, fmt: str) -> None:
    # The first row's recorded grade does not follow (Highfield's row 5 gives pass: README "Audit of recorded
    # outcomes"); then 3,000 that do. On 095f814, `| head` made it exit 0.
    header, follows, does_not = (EXAMPLES / "st0071-outcomes.csv").read_text(encoding="utf-8").splitlines()[:3]
    outcomes = tmp_path / "outcomes.csv"
    outcomes.write_text("\n".join([header, does_not, *[follows] * 3000]) + "\n", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "epa", "audit", str(outcomes), "--format", fmt],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.readline()
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == errors.EXIT_FAILURE, stderr
    assert "Traceback" not in stderr
    if fmt != "table":  # (the table comes once every row is audited)
        said = re.search(r"note: standard output's reader stopped reading: (\d+) rows audited by then, 1 not "
                         r"following, 0 rejected, 0 failed; any after them were not", stderr)
        assert said and 1 <= int(said[1]) < 3001, stderr


# A file epa writes that names a file it reads would replace it: refused (a usage error, exit 2) before any work,
# the file left as it was. On 095f814 the calendar replaced the record, the report the cohort, the rows the column
# map (a hard link to the cohort was not seen as the cohort either).
READ_AND_WRITTEN = {
    "timeline --ics the record": (("timeline", "READ", "--ics", "WRITTEN"), JOURNEY, "the record being read"),
    "consistency --out the cohort": (("consistency", "--standard", "ST0071", "--cohort", "READ", "--out", "WRITTEN"),
                                     EXAMPLES / "st0071-cohort.csv", "the cohort being read"),
    "compare --batch --out the column map": (
        ("compare", "--batch", str(EXAMPLES / "st0071-cohort.csv"), "--columns", "READ", "--out", "WRITTEN",
         "--format", "csv"),
        None, "the column map being read"),
    "audit --out the column map": (("audit", str(EXAMPLES / "st0071-outcomes.csv"), "--columns", "READ", "--out",
                                    "WRITTEN", "--format", "csv"), None, "the column map being read"),
    "compare --batch --out a hard link to the cohort": (
        ("compare", "--batch", "READ", "--out", "LINK"), EXAMPLES / "st0071-cohort.jsonl", "the cohort being read"),
}


@pytest.mark.parametrize("case", READ_AND_WRITTEN)
def test_an_output_naming_a_file_read_is_refused_and_the_file_kept(tmp_path: Path, case: str) -> None:
    args, source, said = READ_AND_WRITTEN[case]
    read = tmp_path / ("map.yaml" if source is None else source.name)
    read.write_bytes(b"Learner Ref: apprentice\n" if source is None else source.read_bytes())
    before = read.read_bytes()
    link = tmp_path / f"link{read.suffix}"
    os.link(read, link)
    written = str(link if "LINK" in args else read)
    done = epa(*[{"READ": str(read), "WRITTEN": str(read), "LINK": str(link)}.get(a, a) for a in args],
               capture_output=True)
    assert done.returncode == errors.EXIT_INPUT, done.stderr
    assert f"{written} is {said}: give another file" in done.stderr
    assert read.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == sorted([read.name, link.name])


def test_a_consistency_report_to_a_file_needs_no_standard_output(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    done = epa(*consistency(), "--format", "json", "--out", str(report),
               stderr=subprocess.PIPE, preexec_fn=lambda: os.close(1))
    assert done.returncode == 0, done.stderr
    assert "findings" in json.loads(report.read_text(encoding="utf-8"))


# A real failing write: the file-size limit makes any write past 2,000 bytes fail (EFBIG) as a full disk would.
def _small_disk() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write fails with EFBIG instead of killing the process
    resource.setrlimit(resource.RLIMIT_FSIZE, (2000, 2000))


@pytest.mark.parametrize("option", ["--ics", "--out"])
def test_a_failed_write_leaves_the_old_file_as_it_was_and_no_temporary_file(tmp_path: Path, option: str) -> None:
    target = tmp_path / "kept.txt"
    target.write_text("the old file\n", encoding="utf-8")
    args = ("timeline", str(journey())) if option == "--ics" else consistency()
    done = epa(*args, option, str(target), stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=_small_disk)
    refused_output(done, str(target))
    assert target.read_text(encoding="utf-8") == "the old file\n"
    assert [p.name for p in tmp_path.iterdir()] == ["kept.txt"]  # no temporary file left


@pytest.mark.parametrize("command", [("compare", str(JOURNEY), "--format", "json"),
                                     ("journey", "--standard", "ST0071", "--format", "json"),
                                     ("consistency", "--standard", "ST0071", "--format", "html")], ids=" ".join)
def test_standard_output_unbuffered_and_cut_short_is_exit_3(tmp_path: Path, command: tuple[str, ...]) -> None:
    # PYTHONUNBUFFERED (as many container images set it): the file takes the first 2,000 bytes of a write and says
    # so, and Python's text layer dropped the rest without a word. On 095f814: exit 0, the output cut short.
    any_body()
    with (tmp_path / "out.txt").open("wb") as out:
        done = epa(*command, stdout=out, stderr=subprocess.PIPE, preexec_fn=_small_disk,
                   env={**os.environ, "PYTHONUNBUFFERED": "1"})
    refused_output(done, "standard output")
    assert os.strerror(errno.EFBIG) in done.stderr  # (the C library's words: "File too large")


@pytest.mark.parametrize("option", ["--ics", "--out", "--dir"])
@pytest.mark.parametrize("letter", ["x", "\N{GRINNING FACE}"])  # (4 bytes in UTF-8: 62 of them are 248)
def test_a_file_named_near_the_longest_name_is_written(tmp_path: Path, option: str, letter: str) -> None:
    # 250 or 252 bytes, where a name may have 255: on 095f814 the temporary file's name (14 bytes longer) was
    # refused, exit 3 "File name too long", for a name the file system takes; on 890f157 one of 4-byte characters
    # was, its temporary's repeating 64 of them, 256 bytes.
    any_body()
    if os.pathconf(tmp_path, "PC_NAME_MAX") < 255:
        pytest.skip(f"the temporary folder's file system takes names of {os.pathconf(tmp_path, 'PC_NAME_MAX')} "
                    "bytes at most, not 255")
    target = tmp_path / (letter * (246 if letter == "x" else 62) + {"--ics": ".ics", "--out": ".csv", "--dir": ""}[option])
    args = {"--ics": ("timeline", str(JOURNEY), "--ics", str(target)),
            "--out": ("compare", "--batch", str(EXAMPLES / "st0071-cohort.jsonl"), "--out", str(target)),
            "--dir": ("plugin", "new", "zeta", "--dir", str(target))}[option]
    done = epa(*args, capture_output=True)
    assert done.returncode == 0, done.stderr
    assert [p.name for p in tmp_path.iterdir()] == [target.name] and target.stat().st_size


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_a_write_failing_at_any_step_keeps_the_old_calendar(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            failing: str) -> None:
    calendar = tmp_path / "d.ics"
    calendar.write_bytes(b"the old calendar\r\n")

    def no_space(*args: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, failing, no_space)
    result = run("timeline", str(journey()), "--format", "json", "--ics", str(calendar))
    assert result.exit_code == errors.EXIT_OUTPUT, result.stderr
    assert f"error: cannot write {calendar}: {os.strerror(errno.ENOSPC)}" in result.stderr
    assert calendar.read_bytes() == b"the old calendar\r\n"
    assert [p.name for p in tmp_path.iterdir()] == ["d.ics"]


def test_a_written_file_has_the_mode_a_plain_write_gives(tmp_path: Path) -> None:
    new, existing = tmp_path / "new.ics", tmp_path / "existing.ics"
    existing.write_bytes(b"old")
    existing.chmod(0o604)
    old_mask = os.umask(0o027)
    try:
        assert run("timeline", str(journey()), "--format", "json", "--ics", str(new)).exit_code == 0
        assert run("timeline", str(journey()), "--format", "json", "--ics", str(existing)).exit_code == 0
    finally:
        os.umask(old_mask)
    assert stat.S_IMODE(new.stat().st_mode) == 0o640  # 0666 less the umask 027
    assert stat.S_IMODE(existing.stat().st_mode) == 0o604  # its own, kept
    assert existing.read_bytes().startswith(b"BEGIN:VCALENDAR")


def test_a_link_is_followed_and_stays_a_link(tmp_path: Path) -> None:
    real, link = tmp_path / "real.ics", tmp_path / "link.ics"
    real.write_bytes(b"old")
    link.symlink_to(real)
    assert run("timeline", str(journey()), "--format", "json", "--ics", str(link)).exit_code == 0
    assert link.is_symlink() and real.read_bytes().startswith(b"BEGIN:VCALENDAR")


@pytest.mark.parametrize("option", ["--ics", "--out"])
def test_a_missing_folder_is_refused_before_anything_is_printed(tmp_path: Path, option: str) -> None:
    target = tmp_path / "no-such-folder" / "x.txt"
    args = ("timeline", str(JOURNEY)) if option == "--ics" else ("consistency", "--standard", "ST0071")
    result = run(*args, option, str(target))
    assert result.exit_code == errors.EXIT_OUTPUT, result.stderr
    assert result.stdout == ""
    assert f"error: cannot write {target}: the folder {target.parent} does not exist" in result.stderr


@pytest.mark.parametrize("option", ["--ics", "--out"])
def test_a_folder_as_the_file_is_refused_up_front(tmp_path: Path, option: str) -> None:
    args = ("timeline", str(JOURNEY)) if option == "--ics" else ("consistency", "--standard", "ST0071")
    result = run(*args, option, str(tmp_path))
    assert result.exit_code == errors.EXIT_OUTPUT and result.stdout == ""
    assert f"error: cannot write {tmp_path}: it is a folder" in result.stderr


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root may write to a read-only folder")
def test_a_read_only_folder_is_refused_up_front(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        result = run("timeline", str(JOURNEY), "--ics", str(folder / "d.ics"))
    finally:
        folder.chmod(0o700)
    assert result.exit_code == errors.EXIT_OUTPUT and result.stdout == ""
    assert f"the folder {folder} is not writable" in result.stderr


def test_a_device_is_written_in_place_and_a_full_one_is_exit_3() -> None:
    # /dev/full cannot be renamed over (nor should it be): there is no old file to keep, so it is written in place
    # and its failure named like any other.
    if not Path("/dev/full").exists():
        pytest.skip("needs /dev/full (Linux)")
    done = epa("timeline", str(journey()), "--ics", "/dev/full", stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    refused_output(done, "/dev/full")
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_a_pipe_that_takes_the_calendar_gets_it_whole() -> None:
    if not Path("/dev/stdout").exists():
        pytest.skip("needs /dev/stdout")
    done = epa("timeline", str(journey()), "--format", "json", "--ics", "/dev/stdout", stdout=subprocess.PIPE,
               stderr=subprocess.PIPE)
    assert done.returncode == 0, done.stderr
    start = done.stdout.index("BEGIN:VCALENDAR")
    assert icalendar.Calendar.from_ical(done.stdout[start:done.stdout.index("END:VCALENDAR") + 13]).walk("VEVENT")


# iCalendar: an apprentice id that tries every character RFC 5545 gives a meaning to.
HOSTILE_ID = "A-1\r\nATTENDEE:mailto:x@example.com\rEND:VEVENT\nX;y,z\\N\\"
# By hand, RFC 5545 § 3.3.11: \ → \\, ; → \;, , → \,, a line end (CRLF, CR or LF) → \n.
HOSTILE_ID_ESCAPED = r"A-1\nATTENDEE:mailto:x@example.com\nEND:VEVENT\nX\;y\,z\\N\\"
HOSTILE_ID_READ_BACK = "A-1\nATTENDEE:mailto:x@example.com\nEND:VEVENT\nX;y,z\\N\\"  # RFC 5545 has one line end


def _unfolded_lines(calendar: bytes) -> list[str]:
    return re.sub(r"\r\n[ \t]", "", calendar.decode("utf-8")).split("\r\n")


@pytest.mark.parametrize("python_options", [(), ("-O",)], ids=["asserts", "python -O"])
def test_an_id_cannot_add_lines_to_the_calendar(tmp_path: Path, python_options: tuple[str, ...]) -> None:
    data = yaml.safe_load(journey().read_text(encoding="utf-8"))
    data["apprentice"]["id"] = HOSTILE_ID
    record, calendar = dump_record(tmp_path, data), tmp_path / "d.ics"
    done = epa("timeline", str(record), "--format", "json", "--ics", str(calendar), python_options=python_options,
               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert done.returncode == 0, done.stderr
    results = yaml.safe_load(done.stdout)["results"]
    dated = [(r["body"], d["id"]) for r in results for d in r["deadlines"] if d["date"]]

    lines = _unfolded_lines(calendar.read_bytes())
    assert lines[-1] == ""  # the file ends on a line end
    names = [re.match(r"[A-Z-]+", line).group() for line in lines[:-1]]  # type: ignore[union-attr]
    event = ["BEGIN", "SUMMARY", "DTSTART", "DTEND", "DTSTAMP", "UID", "CATEGORIES", "DESCRIPTION", "END"]
    assert sorted(names) == sorted(["BEGIN", "VERSION", "PRODID", "X-WR-CALNAME", "END"] + event * len(dated))
    assert f"X-WR-CALNAME:EPA deadlines: {HOSTILE_ID_ESCAPED} (ST0071)" in lines
    assert not any(line.startswith("ATTENDEE") for line in lines)

    parsed = icalendar.Calendar.from_ical(calendar.read_bytes())
    uids = sorted(str(e["UID"]) for e in parsed.walk("VEVENT"))
    assert uids == sorted(f"{HOSTILE_ID_READ_BACK}.ST0071.{body}.{deadline}@epa" for body, deadline in dated)


def test_a_control_character_is_shown_as_the_replacement_character() -> None:
    from epa.views.ics import Text

    # RFC 5545 TEXT allows no control character but a tab, and has no escape for one.
    assert Text("a\x00b\x1bc\x7fd\te").to_ical() == "a\ufffdb\ufffdc\ufffdd\te".encode()


# Ctrl-C (SIGINT) or SIGTERM: exit 130, one short line, no traceback.
INTERRUPTED = """
import os, signal, sys, time
import epa.views.report
from epa.cli import main

def interrupted(*args, **kwargs):
    os.kill(os.getpid(), signal.{signal})
    time.sleep(30)  # the signal arrives long before

epa.views.report.bodies = interrupted
main(["bodies"])
"""


@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGTERM"])
def test_a_signal_mid_command_exits_130_with_a_short_message(signal_name: str) -> None:
    done = subprocess.run([sys.executable, "-c", INTERRUPTED.format(signal=signal_name)], capture_output=True,
                          text=True, timeout=25)
    assert done.returncode == errors.EXIT_INTERRUPTED, done.stderr
    assert done.stderr.strip().startswith("interrupted") and len(done.stderr.splitlines()) == 1, done.stderr


def test_ctrl_c_while_grading_exits_130(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("epa.engine.compiled.Engine.explain", interrupted)
    result = run("grade", "--body", any_body(), str(JOURNEY))
    assert result.exit_code == errors.EXIT_INTERRUPTED
    assert result.stderr.startswith("interrupted") and "Traceback" not in result.stderr


@pytest.mark.parametrize("reported", ["attribute", "exit"])
def test_an_interrupt_reported_already_gets_no_second_message(monkeypatch: pytest.MonkeyPatch,
                                                              reported: str) -> None:
    def interrupted_with_a_message(*args: object) -> None:
        print("interrupted: 3 records written; the output is incomplete", file=sys.stderr)
        if reported == "exit":
            raise SystemExit(errors.EXIT_INTERRUPTED)
        stop = KeyboardInterrupt()
        stop.reported = True  # type: ignore[attr-defined]
        raise stop

    monkeypatch.setattr("epa.engine.compiled.Engine.explain", interrupted_with_a_message)
    result = run("grade", "--body", any_body(), str(JOURNEY))
    assert result.exit_code == errors.EXIT_INTERRUPTED
    assert result.stderr == "interrupted: 3 records written; the output is incomplete\n"


# No safety check is an assert: each of these guards code the engine writes and compiles from a ruleset.
def test_a_count_field_that_is_not_a_name_is_refused_without_asserts() -> None:
    from epa.engine.compiled import _unmet
    from epa.model.domain import Check, Count

    with pytest.raises(ValueError, match="count field"):
        _unmet(Check(count=Count(field="x) or __import__('os') or (y", min=1)), None)  # type: ignore[arg-type]


def test_an_english_maths_subject_outside_the_schema_is_refused_without_asserts() -> None:
    from epa.engine.compiled import _unmet
    from epa.model.domain import Check, EnglishMaths

    check = Check(english_maths=EnglishMaths(level="level2", subjects=("english", "__import__('os')")))
    with pytest.raises(ValueError, match="subjects"):
        _unmet(check, None)  # type: ignore[arg-type]


def test_the_readme_lists_every_exit_code() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("**Exit codes.**", 1)[1].split("\n**", 1)[0]
    listed = {int(code) for code in re.findall(r"^\| `(\d+)` \|", section, flags=re.MULTILINE)}
    assert listed == {errors.EXIT_OK, errors.EXIT_FAILURE, errors.EXIT_INPUT, errors.EXIT_OUTPUT,
                      errors.EXIT_UNCHECKED, errors.EXIT_INTERRUPTED}


@pytest.mark.parametrize("command", [("compare", "RECORD"), ("grade", "--body", "BODY", "RECORD"),
                                     ("timeline", "RECORD"), ("consistency", "--standard", "ST0071")], ids=" ".join)
def test_a_standard_output_that_cannot_show_the_answer_is_exit_3_saying_how_to_fix_it(command: tuple[str, ...]
                                                                                        ) -> None:
    """A terminal set to ASCII (PYTHONIOENCODING, an old locale) cannot show the citations' dashes and quotes nor a
    table's "≠": the user's set-up, not epa's failure, so exit 3 naming standard output and the way round it, not
    an internal error."""
    done = epa(*_filled(command), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
               env={**os.environ, "PYTHONIOENCODING": "ascii"})
    refused_output(done, "standard output")
    assert "its encoding (ascii) cannot show" in done.stderr and "PYTHONIOENCODING=utf-8" in done.stderr


def test_an_encoding_failure_not_of_standard_output_is_an_internal_error(monkeypatch, capsys) -> None:
    """Only standard output's own encoding failing is the user's set-up (exit 3); any other UnicodeEncodeError is
    epa's failure, said in a line (exit 1), never a traceback."""
    from epa import cli

    def fails(*args: object, **kwargs: object) -> None:
        raise UnicodeEncodeError("latin-1", "≠", 0, 1, "ordinal not in range(256)")
    monkeypatch.setattr(cli, "_registry", fails)
    monkeypatch.delenv("EPA_DEBUG", raising=False)
    with pytest.raises(SystemExit) as exited:
        cli.main(["bodies"])
    assert exited.value.code == errors.EXIT_FAILURE
    assert capsys.readouterr().err.startswith("internal error: UnicodeEncodeError")


def full_disk() -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("needs /dev/full (Linux) to stand for a full disk")


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_summary_file_that_cannot_be_written_says_the_rows_were(tmp_path: Path, fmt: str) -> None:
    # On b39950b: "error: cannot write /dev/full: No space left on device" alone, exit 3, with every row written in
    # full to --out: a user would take the cohort for lost.
    full_disk()
    bodies = len(offering("ST0071").offering("ST0071"))
    rows = tmp_path / f"rows.{fmt}"
    done = epa("compare", "--batch", str(EXAMPLES / "st0071-cohort.jsonl"), "--format", fmt, "--out", str(rows),
               "--summary", "/dev/full", capture_output=True)
    assert done.returncode == errors.EXIT_OUTPUT, done.stderr
    assert done.stderr.strip() == (f"error: cannot write /dev/full: {os.strerror(errno.ENOSPC)} (every record's "
                                   f"output is written in full to {rows}; only the summary is missing)")
    records = (EXAMPLES / "st0071-cohort.jsonl").read_text(encoding="utf-8").splitlines()
    written = rows.read_text(encoding="utf-8").splitlines()
    # CSV: the header, and a row per record and body; JSON: a line per record
    assert len(written) == (1 + len(records) * bodies if fmt == "csv" else len(records))


def test_a_summary_alone_that_cannot_be_written_says_nothing_of_rows(tmp_path: Path) -> None:
    full_disk()
    any_body()
    done = epa("compare", "--batch", str(EXAMPLES / "st0071-cohort.jsonl"), "--summary-only", "--summary",
               "/dev/full", capture_output=True)
    assert done.returncode == errors.EXIT_OUTPUT, done.stderr
    assert done.stderr.strip() == f"error: cannot write /dev/full: {os.strerror(errno.ENOSPC)}"


# A file epa replaces whole that is the file standard output is sent to: on 246753b `epa compare --batch c.jsonl
# --format json --summary s.txt > s.txt` (or `--summary /dev/stdout > s.txt`) exited 0 with s.txt holding the summary
# alone: the summary, renamed into place, took the name from the file the rows had gone to, and every record's row
# was lost without a word; so were the summary's table after `--out`, timeline's table beside `--ics` and audit's.
STDOUT_AS_FILE = [("compare", "--batch", "COHORT", "--format", "json", "--summary", "FILE"),
                  ("compare", "--batch", "COHORT", "--format", "csv", "--out", "FILE"),
                  ("timeline", "RECORD", "--ics", "FILE"),
                  ("audit", "OUTCOMES", "--format", "csv", "--out", "FILE")]


@pytest.mark.parametrize("command", STDOUT_AS_FILE, ids=" ".join)
@pytest.mark.parametrize("named", ["by its path", "as /dev/stdout"])
def test_a_file_that_is_standard_outputs_own_is_refused_before_any_work(tmp_path, command, named) -> None:
    if named == "as /dev/stdout" and not Path("/dev/stdout").exists():
        pytest.skip("needs /dev/stdout (Linux, macOS) to name standard output's file")
    printed = tmp_path / "printed.txt"
    given = {"COHORT": str(example("st0071-cohort.jsonl")), "OUTCOMES": str(example("st0071-outcomes.csv")),
             "FILE": str(printed) if named == "by its path" else "/dev/stdout"}
    with open(printed, "w") as stdout:  # (as the shell's >)
        done = epa(*_filled(tuple(given.get(arg, arg) for arg in command)), stdout=stdout, stderr=subprocess.PIPE)
    assert done.returncode == errors.EXIT_INPUT, done.stderr
    assert "is the file standard output is sent to" in done.stderr and "Traceback" not in done.stderr
    assert printed.read_text() == ""  # nothing graded, nothing written


def test_consistency_writing_standard_outputs_file_loses_nothing_and_is_not_refused(tmp_path) -> None:
    """`epa consistency --out` prints nothing on standard output: its file may be standard output's."""
    if not Path("/dev/stdout").exists():
        pytest.skip("needs /dev/stdout (Linux, macOS) to name standard output's file")
    report = tmp_path / "report.json"
    with open(report, "w") as stdout:
        done = epa(*consistency(), "--format", "json", "--out", "/dev/stdout", stdout=stdout, stderr=subprocess.PIPE)
    assert done.returncode == errors.EXIT_OK, done.stderr
    assert json.loads(report.read_text())["standard"] == "ST0071"


def test_a_full_standard_output_after_the_rows_file_is_written_says_the_rows_are_whole(tmp_path) -> None:
    """`compare --batch c.jsonl --out r.csv > /dev/full`: on 246753b stderr said only "cannot write standard output:
    No space left on device", as if the cohort were lost, when every record's row was in r.csv; it says so."""
    if not Path("/dev/full").exists():
        pytest.skip("needs /dev/full (Linux) to stand for a full disk")
    rows = tmp_path / "r.csv"
    with open("/dev/full", "w") as full:
        done = epa("compare", "--batch", str(example("st0071-cohort.jsonl")), "--out", str(rows), stdout=full,
                   stderr=subprocess.PIPE)
    refused_output(done, "standard output")
    assert f"every record's output is written in full to {rows}; only the summary's table is missing" in done.stderr
    assert len(rows.read_text().splitlines()) > 1  # the header and the rows


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux) to stand for a full disk")
def test_a_plugin_written_whose_line_saying_so_cannot_be_printed_is_said_written(tmp_path: Path) -> None:
    # On 2114bf1 only "cannot write standard output": the author, taking the plugin for not written, ran it again
    # and was refused as the folder was there
    with open("/dev/full", "w") as full:
        done = epa("plugin", "new", "zeta", "--dir", str(tmp_path / "zeta"), stdout=full, stderr=subprocess.PIPE)
    refused_output(done, "standard output")
    assert f"(the plugin is written in full to {tmp_path / 'zeta'}; " in done.stderr
    assert (tmp_path / "zeta" / "pyproject.toml").is_file()


def test_a_plugin_s_folder_under_a_file_names_the_file(tmp_path: Path) -> None:
    # On 2114bf1 "cannot write …/notes.txt/zeta: File exists", which file unsaid
    (tmp_path / "notes.txt").write_text("mine")
    done = epa("plugin", "new", "zeta", "--dir", str(tmp_path / "notes.txt" / "zeta"), capture_output=True)
    refused_output(done, str(tmp_path / "notes.txt" / "zeta"))
    assert f": {tmp_path / 'notes.txt'} is a file, not a folder" in done.stderr
    assert (tmp_path / "notes.txt").read_text() == "mine"
