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

from conftest import EXAMPLES, ROOT, any_body, dump_record, example, offering, run
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
    reader, writer = os.pipe()
    os.close(reader)
    try:
        done = epa(*args, stdout=writer, stderr=subprocess.PIPE)
    finally:
        os.close(writer)
    assert done.returncode == 0 and done.stderr == ""


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
    assert uids == sorted(f"{HOSTILE_ID_READ_BACK}.{body}.{deadline}@epa" for body, deadline in dated)


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
                      errors.EXIT_INTERRUPTED}


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
