"""`epa compare --batch` never stops on a record, and stops at once when asked (issue 16).

Each test runs the installed command in a subprocess with a timeout, as a user does: a record whose data breaks
something (a lone surrogate escape, a far date, a huge number) or whose grading a plugin fails is that record's
error row, the rest graded; Ctrl-C or SIGTERM mid-run stops every process within a second or two with exit 130 and
says how much was written; a worker that dies is exit 1, never a hang.

A test plugin, ``wobbly``, is installed for the subprocess through PYTHONPATH (a module and its dist-info): it
reuses an installed body's ST0071 rules, and its gateway_requirements hook misbehaves on the record whose
apprentice id names a way (``raise``, ``exit``, ``interrupt``), or sleeps on every record to make a run slow.
"""

from __future__ import annotations

import copy
import csv
import errno
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from itertools import islice
from pathlib import Path

import pytest

import epa.batch.cohort
from conftest import ROOT, any_body, run, valid
from epa.registry import Registry
from epa.testing import install_plugin

sys.path.insert(0, str(ROOT / "bench"))
from cohort import records  # noqa: E402

TIMEOUT = 120  # seconds any one command may take on a loaded machine before the test calls it a hang
STOPS_WITHIN = 3.0  # seconds from the signal to the exit of every process (the target is one; a shared
#                     machine's scheduling is allowed for)


def command(*args: str, env: dict[str, str] | None = None, timeout: float = TIMEOUT) -> subprocess.CompletedProcess:
    """``epa ARGS`` in a subprocess; its stdout as bytes, so that invalid UTF-8 would show."""
    return subprocess.run([sys.executable, "-m", "epa", *args], capture_output=True, timeout=timeout,
                          env=env, check=False)


def cohort_records(n: int) -> list[dict]:
    """n valid ST0071 records (bench/cohort.py's, journeys included)."""
    reg = Registry.installed(None)
    any_body("ST0071")  # skips, saying why, where no installed body offers ST0071
    return list(records(reg, n))


def changed(record: dict, change) -> dict:
    record = copy.deepcopy(record)
    change(record)
    return record


def _set_project_words(record: dict, words: int) -> None:
    for attempt in record["assessments"]:
        if attempt["method"] == "project":
            attempt.pop("grade", None)
            attempt["criteria_met"] = attempt.get("criteria_met") or []
            attempt["words"] = words


# The triggers: each line broke the run on main 15299b6 (exit 1, its chunk and all after it lost).
TRIGGERS = {
    "surrogate key": lambda r: '{"x\\ud800": 1}',
    "surrogate id": lambda r: json.dumps(changed(r, lambda d: d["apprentice"].__setitem__("id", "A-\ud800"))),
    "gateway date 9999": lambda r: json.dumps(changed(r, lambda d: d["gateway"].__setitem__("date", "9999-12-30"))),
    "notified 9999": lambda r: json.dumps(changed(r, lambda d: d["assessments"][0].__setitem__("notified",
                                                                                               "9999-12-30"))),
    "planning meeting 9999": lambda r: json.dumps(changed(r, lambda d: d.setdefault("dates", {}).__setitem__(
        "planning_meeting", "9999-12-30"))),
    "400-digit words": lambda r: json.dumps(changed(r, lambda d: _set_project_words(d, 10 ** 400 - 1))),
}
# Those that are bad input where the value bounds (another part of issue 16) refuse them: until then the
# explained path (JSON) fails on them where the decisions (CSV, the summary) grade them.
BOUNDED = {"notified 9999", "planning meeting 9999", "400-digit words"}


@pytest.fixture(scope="module")
def triggered(tmp_path_factory) -> tuple[Path, dict[int, str], int]:
    """A cohort: valid records with every trigger among them, each trigger at its own line; returns the file,
    {line: trigger} and how many lines it has."""
    cohort = cohort_records(3 * len(TRIGGERS) + 4)
    lines, at = [], {}
    for i, (name, make) in enumerate(TRIGGERS.items()):
        lines += [json.dumps(cohort[3 * i]), json.dumps(cohort[3 * i + 1])]
        lines.append(make(cohort[3 * i + 2]))
        at[len(lines)] = name
    lines += [json.dumps(r) for r in cohort[3 * len(TRIGGERS):]]
    path = tmp_path_factory.mktemp("triggers") / "cohort.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, at, len(lines)


def _verdicts(path: Path) -> dict[str, object]:
    """Each format's output of the cohort: JSON lines (results and errors), CSV rows, the JSON summary."""
    found: dict[str, object] = {}
    as_json = command("compare", "--batch", str(path), "--format", "json", "--summary")
    as_csv = command("compare", "--batch", str(path), "--format", "csv")
    summary = command("compare", "--batch", str(path), "--summary-only", "--format", "json")
    for name, done in (("json", as_json), ("csv", as_csv), ("summary", summary)):
        assert b"Traceback" not in done.stderr, done.stderr.decode(errors="replace")
        found[name] = done
    found["json lines"] = [json.loads(line) for line in as_json.stdout.decode("utf-8").splitlines()]
    found["csv rows"] = list(csv.DictReader(io.StringIO(as_csv.stdout.decode("utf-8"))))
    found["summary data"] = json.loads(summary.stdout)["summary"]
    return found


@pytest.fixture(scope="module")
def verdicts(triggered) -> dict[str, object]:
    return _verdicts(triggered[0])


def test_every_valid_record_is_graded_and_the_counts_reconcile_in_every_format(triggered, verdicts):
    path, at, total = triggered
    valid_lines = set(range(1, total + 1)) - set(at)
    *records_, summary_line = verdicts["json lines"]
    assert [r["line"] for r in records_] == list(range(1, total + 1))  # every line, in order: none lost
    graded = {r["line"] for r in records_ if "results" in r}
    assert valid_lines <= graded
    rows = verdicts["csv rows"]
    assert {int(r["line"]) for r in rows} == set(range(1, total + 1))
    assert valid_lines <= {int(r["line"]) for r in rows if not r["error"]}
    for summary in (summary_line["summary"], verdicts["summary data"]):
        assert summary["records_read"] == total == summary["results_written"] + summary["errors"]
        assert summary["errors"] == summary["rejected"] + summary["internal_errors"] + sum(
            f["records"] for f in summary["plugin_failures"])
    errors = [r for r in records_ if "error" in r]
    assert summary_line["summary"]["errors"] == len(errors)
    for r in records_:  # each line as the output schema has it
        valid(r, "batch_error" if "error" in r else "batch_result")
    valid(summary_line, "batch_summary")
    assert verdicts["summary data"]["errors"] == len({int(r["line"]) for r in rows if r["error"]})


def test_the_exit_code_says_what_the_summary_counts(verdicts):
    """Agreed codes: 1 when a plugin or epa failed on some record, else 2 when some record was rejected."""
    for name, summary in (("json", verdicts["json lines"][-1]["summary"]), ("summary", verdicts["summary data"])):
        failed = summary["plugin_failures"] or summary["internal_errors"]
        expected = 1 if failed else 2 if summary["rejected"] else 0
        assert verdicts[name].returncode == expected, verdicts[name].stderr
        assert summary["rejected"] >= 1  # the surrogate key, at least
    assert verdicts["csv"].returncode in (1, 2)


def test_a_lone_surrogate_is_that_records_error_row_and_the_output_stays_utf8(triggered, verdicts):
    """A lone surrogate is no character (it cannot be written as UTF-8): in an id it is bad input, that record's
    error row naming the id's path in every format, and every output stays valid UTF-8 (the verdicts were read as
    UTF-8 with errors refused)."""
    path, at, _ = triggered
    line = next(n for n, name in at.items() if name == "surrogate id")
    explained = next(r for r in verdicts["json lines"] if r.get("line") == line)
    assert explained["error"]["path"] == "$.apprentice.id"
    assert [r["error"] != "" for r in verdicts["csv rows"] if int(r["line"]) == line] == [True]
    key = next(n for n, name in at.items() if name == "surrogate key")
    assert "error" in next(r for r in verdicts["json lines"] if r.get("line") == key)


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_the_formats_agree_on_which_records_are_bad(triggered, verdicts, trigger):
    path, at, _ = triggered
    line = next(n for n, name in at.items() if name == trigger)
    in_json = "error" in next(r for r in verdicts["json lines"] if r.get("line") == line)
    in_csv = any(r["error"] for r in verdicts["csv rows"] if int(r["line"]) == line)
    assert in_json == in_csv


def test_the_summary_counts_the_same_errors_as_the_json_lines_and_the_csv_rows(verdicts):
    from_csv = len({r["line"] for r in verdicts["csv rows"] if r["error"]})
    assert verdicts["json lines"][-1]["summary"]["errors"] == from_csv == verdicts["summary data"]["errors"]


def test_epas_own_failure_on_one_record_in_the_fast_path_is_that_records_error_row(tmp_path, monkeypatch):
    """Where the loop that decides a whole chunk fails, the chunk's records are decided one by one: the record
    that fails is an 'internal error' row (exit 1), the rest of its chunk graded as ever."""
    real = epa.batch.cohort.view

    def view(payload, *args, **kwargs):
        if b'"A-0000003"' in payload:
            raise RuntimeError("a bug")
        return real(payload, *args, **kwargs)

    monkeypatch.setattr(epa.batch.cohort, "view", view)
    path = tmp_path / "cohort.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in cohort_records(10)), encoding="utf-8")
    done = run("compare", "--batch", str(path), "--format", "csv")
    assert done.exit_code == 1
    assert "epa itself failed on 1 record (please report it)" in done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert sorted({int(r["line"]) for r in rows}) == list(range(1, 11))
    assert [(r["line"], r["error"]) for r in rows if r["error"]] == [
        ("4", "internal error: RuntimeError: a bug, please report it")]
    summary = json.loads(run("compare", "--batch", str(path), "--summary-only", "--format", "json").stdout)
    assert (summary["summary"]["internal_errors"], summary["summary"]["results_written"]) == (1, 9)


# --- a plugin failing on one record ---------------------------------------------------------------------

WOBBLY = '''
"""A body plugin for tests/test_batch_resilience.py (see its docstring)."""
import os
import signal
import sys
import threading
import time
from itertools import islice

import attrs

from epa import Body, hookimpl
from epa.registry import installed_candidates, load_body

_SLEEP = float(os.environ.get("EPA_TEST_SLEEP", "0"))


class Wobbly:
    @hookimpl
    def register_body(self):
        reused = load_body(installed_candidates([os.environ["EPA_TEST_REUSE"]])[0]).body
        rules = tuple(attrs.evolve(r, body="wobbly") for r in reused.rulesets_for("ST0071"))
        return Body(id="wobbly", name="wobbly", rulesets=rules)

    @hookimpl
    def gateway_requirements(self, ruleset, record):
        way = record.apprentice.id
        if way == "raise":
            raise ValueError("wobbled")
        if way == "exit":
            sys.exit(3)
        if way == "interrupt":
            raise KeyboardInterrupt
        if way == "die soon":  # this worker is killed a second later, by then waiting for its next chunk
            threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGKILL)).start()
        if way == "stall":
            time.sleep(3)
        if _SLEEP:
            time.sleep(_SLEEP)
        return []


plugin = Wobbly()
'''


@pytest.fixture(scope="module")
def wobbly(tmp_path_factory) -> dict[str, str]:
    """The environment of a subprocess that has the ``wobbly`` plugin installed, and it alone loaded."""
    env = install_plugin(tmp_path_factory.mktemp("wobbly"), "epa_wobbly", WOBBLY, "wobbly = epa_wobbly:plugin")
    return {**env, "EPA_BODIES": "wobbly", "EPA_TEST_REUSE": any_body("ST0071")}


def _with_ids(records_: list[dict], ids: dict[int, str]) -> list[str]:
    return [json.dumps(changed(r, lambda d, i=i: d["apprentice"].__setitem__("id", ids.get(i, f"A-{i}"))))
            for i, r in enumerate(records_)]


@pytest.mark.parametrize("workers", ["1", "2"])
@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_a_hook_raising_on_one_record_is_that_records_error_row_naming_plugin_and_hook(tmp_path, wobbly, fmt,
                                                                                       workers):
    cohort = cohort_records(300)  # more than a chunk (256 records): the failure sits in the first
    path = tmp_path / "cohort.jsonl"
    path.write_text("\n".join(_with_ids(cohort, {6: "raise"})) + "\n", encoding="utf-8")
    done = command("compare", "--batch", str(path), "--format", fmt, "--workers", workers, env=wobbly)
    assert done.returncode == 1, done.stderr
    assert b"Traceback" not in done.stderr
    assert "plugin 'wobbly' failed in hook 'gateway_requirements'" in done.stderr.decode()
    text = done.stdout.decode("utf-8")
    if fmt == "json":
        lines = [json.loads(line) for line in text.splitlines()]
        assert [r["line"] for r in lines] == list(range(1, 301))
        valid(lines[6], "batch_error")
        error = lines[6]["error"]
        assert (error["plugin"], error["hook"], error["path"]) == ("wobbly", "gateway_requirements", None)
        assert "wobbled" in error["message"]
        assert all("results" in r for i, r in enumerate(lines) if i != 6)
    else:
        rows = list(csv.DictReader(io.StringIO(text)))
        assert [int(r["line"]) for r in rows] == list(range(1, 301))
        assert "plugin 'wobbly' failed in hook 'gateway_requirements'" in rows[6]["error"]
        assert not any(r["error"] for i, r in enumerate(rows) if i != 6)
    summary = json.loads(command("compare", "--batch", str(path), "--summary-only", "--format", "json",
                             "--workers", workers, env=wobbly).stdout)["summary"]
    assert summary["plugin_failures"] == [{"plugin": "wobbly", "hook": "gateway_requirements", "records": 1}]
    assert (summary["records_read"], summary["results_written"], summary["errors"]) == (300, 299, 1)
    if fmt == "csv":  # and the table says so
        table = command("compare", "--batch", str(path), "--workers", workers, env={**wobbly, "COLUMNS": "200"})
        assert table.returncode == 1
        said = table.stdout.decode("utf-8")
        assert "300 records read, 299 graded, 0 rejected, 1 failed in a plugin" in said
        assert re.search(r"wobbly\W+gateway_requirements\W+1\W", said), said


@pytest.mark.parametrize("way", ["exit", "interrupt"])
@pytest.mark.parametrize("workers", ["1", "2"])
def test_systemexit_or_keyboardinterrupt_from_a_hook_is_one_records_error_never_a_hang(tmp_path, wobbly, way,
                                                                                       workers):
    """On main 15299b6 either, raised in a hook under --workers 2, hung the run (6 of 6)."""
    cohort = cohort_records(20)
    path = tmp_path / "cohort.jsonl"
    path.write_text("\n".join(_with_ids(cohort, {3: way})) + "\n", encoding="utf-8")
    done = command("compare", "--batch", str(path), "--format", "csv", "--workers", workers, env=wobbly, timeout=60)
    assert done.returncode == 1, done.stderr
    assert b"Traceback" not in done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout.decode("utf-8"))))
    assert [int(r["line"]) for r in rows] == list(range(1, 21))
    assert [i for i, r in enumerate(rows) if r["error"]] == [3]


# --- interrupts and a worker's death --------------------------------------------------------------------


@pytest.fixture(scope="module")
def slow(tmp_path_factory, wobbly) -> tuple[Path, dict[str, str]]:
    """A cohort that takes tens of seconds (its hook sleeps 5 ms a record), and the environment to grade it."""
    path = tmp_path_factory.mktemp("slow") / "cohort.jsonl"
    cohort = cohort_records(50)
    path.write_text("".join(json.dumps(cohort[i % 50]) + "\n" for i in range(6000)), encoding="utf-8")
    return path, {**wobbly, "EPA_TEST_SLEEP": "0.005"}


def _started(slow, tmp_path, workers: str) -> tuple[subprocess.Popen, Path, Path]:
    """The slow cohort being graded as CSV rows, in a session of its own; returns once its first output is out."""
    path, env = slow
    out, err = tmp_path / "out.csv", tmp_path / "err.txt"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        proc = subprocess.Popen([sys.executable, "-m", "epa", "compare", "--batch", str(path), "--format", "csv",
                                 "--workers", workers], stdout=stdout, stderr=stderr, env=env, start_new_session=True)
    deadline = time.monotonic() + TIMEOUT
    while out.read_bytes().count(b"\n") < 2:  # the header, then a record's row
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"no output before the run ended or {TIMEOUT} s: {err.read_text()}")
        time.sleep(0.05)
    return proc, out, err


def _gone(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return True
    return False


def _stopped_within(proc: subprocess.Popen, seconds: float) -> float:
    began = time.monotonic()
    try:
        proc.wait(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    deadline = time.monotonic() + seconds
    while not _gone(proc.pid) and time.monotonic() < deadline:  # the workers, in the same session
        time.sleep(0.02)
    took = time.monotonic() - began
    assert _gone(proc.pid), "a worker outlived the run"
    return took


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and process groups")
@pytest.mark.parametrize("attempt", range(3))
@pytest.mark.parametrize("how", ["SIGINT to the group (Ctrl-C)", "SIGTERM to epa"])
@pytest.mark.parametrize("workers", ["1", "2"])
def test_an_interrupt_stops_every_process_at_once_with_exit_130_saying_what_was_written(slow, tmp_path, workers,
                                                                                       how, attempt):
    proc, out, err = _started(slow, tmp_path, workers)
    if how.startswith("SIGINT"):
        os.killpg(proc.pid, signal.SIGINT)  # as a terminal's Ctrl-C: to every process of the foreground group
    else:
        proc.send_signal(signal.SIGTERM)
    took = _stopped_within(proc, STOPS_WITHIN)
    stderr = err.read_text(encoding="utf-8")
    assert proc.returncode == 130, stderr
    assert took < STOPS_WITHIN, f"{took:.1f} s to stop"
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr
    said = re.search(r"interrupted: the first (\d+) records' output is written in full(?: \(to line (\d+) of the "
                     r"cohort\))?; the output is incomplete", stderr)
    assert said, stderr
    # Exact: a chunk is written and counted as one, the signal held till both are done.
    records = int(said[1])
    assert (said[2] is None) if records == 0 else int(said[2]) == records  # one record a line in this cohort
    header, *rows = out.read_text(encoding="utf-8").splitlines()  # then one row a record: the one body
    assert all(r.count(",") == header.count(",") for r in rows)
    assert [int(r.split(",")[0]) for r in rows] == list(range(1, records + 1))
    assert len(rows) < 6000  # it did stop early


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid``, from Linux's /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # ended meanwhile
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def test_a_worker_killed_while_it_waits_for_work_is_exit_1_with_a_message(tmp_path, wobbly):
    """Chunks of 256 records go to two workers in turn. The first chunk stalls its worker for 3 s; the second's
    worker, done with it, is killed a second later while it waits. The next chunk sent to it met a broken pipe,
    which was taken for a reader gone: exit 0, nothing said, half the rows missing."""
    cohort = cohort_records(4 * 256)
    cohort[0] = changed(cohort[0], lambda d: d["apprentice"].__setitem__("id", "stall"))
    cohort[256] = changed(cohort[256], lambda d: d["apprentice"].__setitem__("id", "die soon"))
    path = tmp_path / "cohort.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in cohort), encoding="utf-8")
    done = command("compare", "--batch", str(path), "--format", "csv", "--workers", "2", env=wobbly)
    stderr = done.stderr.decode()
    assert done.returncode == 1, stderr
    assert "a worker process ended unexpectedly" in stderr and "the output is incomplete" in stderr, stderr
    assert "Traceback" not in stderr, stderr


@pytest.mark.skipif(not Path("/proc/self/stat").is_file(), reason="finds the workers through Linux's /proc")
def test_a_worker_killed_mid_run_is_exit_1_with_a_message_never_a_hang(slow, tmp_path):
    """On main 15299b6 multiprocessing.Pool waited for a dead worker's task for ever."""
    proc, out, err = _started(slow, tmp_path, "2")
    children = _children(proc.pid)
    assert children, "no worker processes"
    os.kill(children[0], signal.SIGKILL)
    _stopped_within(proc, STOPS_WITHIN)
    stderr = err.read_text(encoding="utf-8")
    assert proc.returncode == 1, stderr
    assert "Traceback" not in stderr, stderr
    assert re.search(r"error: a worker process ended unexpectedly .*: the first \d+ records' output is written in "
                     r"full .*; the output is incomplete", stderr), stderr


@pytest.mark.parametrize("fmt", ["csv", "json", "table"])
def test_a_line_nested_deeper_than_any_parser_goes_is_one_error_row_in_every_format(tmp_path: Path, fmt: str) -> None:
    """A line of 100,000 nested lists inside a record-like object: the scan for the standards a cohort names (done
    before grading, for the CSV's columns) met msgspec's RecursionError and the whole run ended as an internal
    error (exit 1, no rows: every other record's answer lost, with --format csv only). It is one rejected line:
    the records around it are graded, exit 2."""
    good = [json.dumps(r) for r in cohort_records(2)]
    deep = '{"standard": "ST0071", "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    path = tmp_path / "deep.jsonl"
    path.write_text("\n".join([good[0], deep, good[1]]) + "\n", encoding="utf-8")
    done = command("compare", "--batch", str(path), "--format", fmt)
    assert done.returncode == 2, done.stderr[-2000:]
    assert b"internal error" not in done.stderr
    out = done.stdout.decode("utf-8")
    if fmt == "table":  # the summary
        assert "3 records read, 2 graded, 1 rejected" in out
    else:
        assert all(record["apprentice"]["id"] in out for record in cohort_records(2))


# A signal that arrives just after a chunk's output is written, before it is counted: the message still names every
# record written. On 095f814 it said one chunk fewer (JSON: 32 records; CSV: 256, here 0).
INTERRUPTED_AFTER_A_WRITE = """
import os, signal, sys
import epa.views.outputs as outputs
from epa.cli import main

writes = []

def written_then_interrupted(write):
    def writing(data):
        write(data)
        writes.append(data)
        if len(writes) == 2:  # (CSV: the header row, then the first chunk's rows; JSON: two chunks' lines)
            os.kill(os.getpid(), signal.SIGINT)
    return writing

outputs.write_stdout = written_then_interrupted(outputs.write_stdout)
outputs.write_stdout_bytes = written_then_interrupted(outputs.write_stdout_bytes)
main(sys.argv[1:])
"""


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize(("fmt", "workers"), [("json", "1"), ("json", "2"), ("csv", "1")])
def test_an_interrupt_just_after_a_write_names_every_record_written(tmp_path, fmt, workers):
    path = tmp_path / "cohort.jsonl"
    cohort = cohort_records(20)
    path.write_text("".join(json.dumps(cohort[i % 20]) + "\n" for i in range(300)), encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", INTERRUPTED_AFTER_A_WRITE, "compare", "--batch", str(path),
                           "--format", fmt, "--workers", workers], capture_output=True, timeout=TIMEOUT)
    stderr = done.stderr.decode()
    assert done.returncode == 130 and "Traceback" not in stderr, stderr
    lines = done.stdout.decode().splitlines()
    written = len(lines) if fmt == "json" else len({row.split(",")[0] for row in lines[1:]})
    assert written == (64 if fmt == "json" else 256)  # two chunks of 32 lines; one chunk of 256 records' rows
    assert f"interrupted: the first {written} records' output is written in full (to line {written} of the " \
           "cohort); the output is incomplete" in stderr


# A cohort whose reading fails (an I/O error: a failing disk, a network file system gone) is input that could not
# be read, exit 2 naming the file and the line, as a record file that cannot be read is; on 095f814 it was epa's own
# failure ("internal error: OSError: [Errno 5] …", exit 1).
@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="needs Linux's /proc/self/mem, whose reading fails")
@pytest.mark.parametrize("args", [("compare", "--batch", "COHORT.jsonl", "--format", "json"),
                                  ("compare", "--batch", "COHORT.csv", "--format", "csv"),
                                  ("audit", "COHORT.csv"),
                                  ("consistency", "--standard", "ST0071", "--cohort", "COHORT.csv")], ids=" ".join)
def test_a_cohort_that_cannot_be_read_is_bad_input_naming_it(tmp_path, args):
    any_body()
    named = {}
    for arg in args:
        if arg.startswith("COHORT"):
            named[arg] = tmp_path / arg
            named[arg].symlink_to("/proc/self/mem")  # (the reading process's own memory: reading at 0 fails)
    done = command(*[str(named.get(arg, arg)) for arg in args])
    stderr = done.stderr.decode()
    assert done.returncode == 2, stderr
    assert f"cannot read the cohort: {os.strerror(errno.EIO)}" in stderr and "internal error" not in stderr


def test_a_cohort_whose_reading_fails_part_way_names_the_line_it_could_not_read():
    from epa.errors import InputError
    from epa.inputs.cohort_input import physical_lines

    class Failing(io.BytesIO):
        def readline(self, limit=-1):
            if self.tell() >= 4:  # two lines read
                raise OSError(5, "Input/output error")
            return super().readline(limit)

    lines = physical_lines(Failing(b"a\nb\nc\n"), "cohort.jsonl")
    assert [raw for _, raw, _ in islice(lines, 2)] == [b"a\n", b"b\n"]
    with pytest.raises(InputError) as failed:
        next(lines)
    assert (failed.value.message, failed.value.where) == ("cannot read the cohort: Input/output error",
                                                          "cohort.jsonl:3")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_an_audit_interrupted_says_exactly_which_rows_are_written(tmp_path, fmt):
    # On 095f814 it said only "epa stopped before finishing; any output is incomplete".
    any_body()
    outcomes = tmp_path / "outcomes.csv"
    header, *rows = (ROOT / "examples" / "st0071-outcomes.csv").read_text(encoding="utf-8").splitlines()
    outcomes.write_text("\n".join([header, *rows * 50]) + "\n", encoding="utf-8")
    script = INTERRUPTED_AFTER_A_WRITE.replace("len(writes) == 2", "len(writes) == 4")  # (CSV: the header first)
    done = subprocess.run([sys.executable, "-c", script, "audit", str(outcomes), "--format", fmt],
                          capture_output=True, timeout=TIMEOUT)
    stderr = done.stderr.decode()
    assert done.returncode == 130 and "Traceback" not in stderr, stderr
    written = done.stdout.decode().splitlines()[1 if fmt == "csv" else 0:]
    assert len(written) == (3 if fmt == "csv" else 4)
    assert f"interrupted: the first {len(written)} rows' output is written in full (to line {len(written) + 1} of " \
           f"{outcomes}); the output is incomplete" in stderr


# A write that blocks (a pipe whose reader reads no more: `| less` left waiting) holds the chunk it writes, and the
# Ctrl-C held till the chunk is written and counted (interrupts.held) must not wait on it for ever: on 890f157 the
# first Ctrl-C or SIGTERM was held as long as the write blocked, and epa ran on till a second one.
BLOCKED_AFTER_A_WRITE = """
import os, signal, sys, time
import epa.views.outputs as outputs
from epa.cli import main

writes = []

def blocked_after_one(write):
    def writing(data):
        if writes:  # the second write: the signal comes, and the reader reads no more
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(3600)
        write(data)
        writes.append(data)
    return writing

outputs.write_stdout = blocked_after_one(outputs.write_stdout)
outputs.write_stdout_bytes = blocked_after_one(outputs.write_stdout_bytes)
main(sys.argv[1:])
"""


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("args", [("compare", "--batch", "COHORT", "--format", "json"), ("audit", "OUTCOMES", "--format",
                                                                                         "json")], ids=" ".join)
def test_an_interrupt_during_a_blocked_write_still_stops_epa(tmp_path, args):
    any_body()
    cohort, outcomes = tmp_path / "cohort.jsonl", tmp_path / "outcomes.csv"
    records = cohort_records(20)
    cohort.write_text("".join(json.dumps(records[i % 20]) + "\n" for i in range(300)), encoding="utf-8")
    header, *rows = (ROOT / "examples" / "st0071-outcomes.csv").read_text(encoding="utf-8").splitlines()
    outcomes.write_text("\n".join([header, *rows * 50]) + "\n", encoding="utf-8")
    named = {"COHORT": str(cohort), "OUTCOMES": str(outcomes)}
    try:
        done = subprocess.run([sys.executable, "-c", BLOCKED_AFTER_A_WRITE, *(named.get(a, a) for a in args)],
                              capture_output=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.fail("the interrupt was held while the write blocked: epa did not stop")
    stderr = done.stderr.decode()
    assert done.returncode == 130 and "Traceback" not in stderr, stderr
    written = len(done.stdout.decode().splitlines())  # the first write's lines, whole; the second's never began
    assert written and f"interrupted: the first {written} " in stderr, stderr


# An --out that is a device or a pipe is written in place as the rows come (outputs.streaming_file): an interruption
# leaves them there. On 890f157 (and, for compare --batch, 095f814) stderr said "nothing written to /dev/null (left
# as it was)" of rows it had written.
INTERRUPTED_AFTER_TWO_WRITES_TO_OUT = """
import contextlib, os, signal, sys
import epa.views.outputs as outputs
from epa.cli import main

opened = outputs.streaming_file

@contextlib.contextmanager
def streaming_file(path):
    with opened(path) as write:
        writes = []
        def writing(data):
            write(data)
            writes.append(data)
            if len(writes) == 2:
                os.kill(os.getpid(), signal.SIGINT)
        yield writing

outputs.streaming_file = streaming_file
main(sys.argv[1:])
"""


@pytest.mark.skipif(not os.path.exists("/dev/null") or sys.platform == "win32", reason="POSIX signals and /dev/null")
@pytest.mark.parametrize("command", ["compare", "audit"])
def test_an_interrupt_says_what_an_out_written_in_place_holds(tmp_path, command):
    any_body()
    if command == "compare":
        cohort = tmp_path / "cohort.jsonl"
        records = cohort_records(20)
        cohort.write_text("".join(json.dumps(records[i % 20]) + "\n" for i in range(300)), encoding="utf-8")
        args, said = ("compare", "--batch", str(cohort), "--format", "json"), \
            "the first 64 records' output is written in full to /dev/null (to line 64 of the cohort)"
    else:
        outcomes = tmp_path / "outcomes.csv"
        header, *rows = (ROOT / "examples" / "st0071-outcomes.csv").read_text(encoding="utf-8").splitlines()
        outcomes.write_text("\n".join([header, *rows * 50]) + "\n", encoding="utf-8")
        args, said = ("audit", str(outcomes), "--format", "json"), \
            f"the first 2 rows' output is written in full to /dev/null (to line 3 of {outcomes})"
    done = subprocess.run([sys.executable, "-c", INTERRUPTED_AFTER_TWO_WRITES_TO_OUT, *args, "--out", "/dev/null"],
                          capture_output=True, timeout=TIMEOUT)
    stderr = done.stderr.decode()
    assert done.returncode == 130 and "Traceback" not in stderr, stderr
    assert f"interrupted: {said}" in stderr and "left as it was" not in stderr, stderr
