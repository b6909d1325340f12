"""`epa compare --batch --format json` writes each record's line as UTF-8 bytes straight into its chunk's buffer and
from there to the output (``epa.batch.json_lines``), never decoded to text and encoded again: the bytes are msgspec's
encoding of the record's dict, results and all, as the command wrote them before (or, where a lone surrogate stops
msgspec, ``json.dumps``'s with the surrogate escaped, as it always wrote such a line), whatever the record, to a file
or to standard output, with one worker or two.

Expected lines are computed here from their definition (the record explained afresh by ``Engine.explain``, its dict
encoded by ``msgspec.json.encode``), never read back from the writer.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from test_decisions import _load, example_record
from test_explain_memo import _registry, accepted, cohorts

import epa
import epa.testing
from conftest import EXAMPLES, run, use_plugins
from epa.batch import cohort as batch
from epa.batch.json_lines import add_line
from epa.engine.compiled import Engine
from epa.engine.plans import remembering
from epa.errors import InputError
from epa.inputs.documents import read
from epa.inputs.record import record_from_data
from epa.model.domain import Record
from epa.model.results import Deadline, Requirement
from epa.registry import Registry
from epa.views import report

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from cohort import write_jsonl  # noqa: E402


def _data(n: int, record: Record, results: Sequence[Any], name: str = "cohort.jsonl") -> dict[str, Any]:
    """A record's dict as the command writes it (epa.batch.cohort)."""
    return {"line": n, "standard": record.standard, "record": f"{name}:{n}", "apprentice": record.apprentice.id,
            "differences": report.disagreements(results), "results": list(results)}


def _expected(data: dict[str, Any]) -> bytes:
    """The line msgspec writes of the dict; where it will not (a lone surrogate), json.dumps's, the surrogate as its
    JSON escape."""
    try:
        return msgspec.json.encode(data) + b"\n"
    except UnicodeEncodeError:
        text = json.dumps(msgspec.to_builtins(data), ensure_ascii=False, separators=(",", ":")) + "\n"
        return text.encode("utf-8", "backslashreplace")


def _written(data: dict[str, Any]) -> bytes:
    out = bytearray(b"(before)")  # a line is added at the end of what the chunk holds
    add_line(out, data["line"], data["standard"], data["record"], data["apprentice"], data["differences"],
             data["results"])
    assert out.startswith(b"(before)")
    return bytes(out[len(b"(before)"):])


def _explained(reg: Registry, records: list[Record]) -> list[dict[str, Any]]:
    engine = Engine(reg)
    return [_data(n, record, engine.explain(record)) for n, record in enumerate(records, 1)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.data())
def test_any_drawn_cohort_is_written_as_msgspec_writes_it(data: st.DataObject) -> None:
    """Records as the schema allows them (tests/test_decisions.py's strategy), in cohorts that repeat what makes
    pieces repeat (tests/test_explain_memo.py's), graded by the installed bodies and one with its own rules."""
    reg = _registry()
    cohort = accepted(reg, data.draw(cohorts(reg)))
    assume(cohort)
    for line in _explained(reg, cohort):
        assert _written(line) == _expected(line)


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_every_example_record_is_written_as_msgspec_writes_it(path: Path) -> None:
    reg = epa.testing.registry()
    [line] = _explained(reg, [example_record(reg, path)[1]])
    assert _written(line) == _expected(line)


def _example_record(reg: Registry, apprentice: str = "A-1") -> Record:
    """The journey example (every kind of piece: steps, notes, requirements, deadlines, checks), as apprentice
    ``apprentice``."""
    data, source = read(EXAMPLES / "st0071-journey.yaml")
    if not any(data["standard"] in b.body.standards for b in reg.bodies):
        pytest.skip(f"no installed body offers the journey example's standard, {data['standard']}")
    data["apprentice"]["id"] = apprentice
    return record_from_data(data, source, reg, where="st0071-journey.yaml")  # (any other refusal fails the test)


def test_non_ascii_text_is_written_as_utf8_as_msgspec_writes_it() -> None:
    reg = epa.testing.registry()
    # (a tab, which an id may hold; NEL, U+2028 and U+2029, line breaks to Python, are refused in an id:
    # hostile.ID_CONTROL)
    records = [_example_record(reg, ident) for ident in ("Zoë Ångström", "東京-42", "🎓\t\"\\")]
    for line in _explained(reg, records):
        assert _written(line) == _expected(line)
    assert '"apprentice":"東京-42"'.encode() in _written(_explained(reg, [records[1]])[0])


def _deadline(self: object, ruleset: epa.Ruleset, record: Record) -> list[Deadline]:
    """A body's own deadline, a new object every time it is asked (what a plugin's hook may well return)."""
    return [Deadline("own-deadline", "Its own deadline", record.gateway.date, "by", "open",
                     f"by the gateway on {record.gateway.date} for {record.apprentice.id}", "own.txt § 1")]


def _requirement(self: object, ruleset: epa.Ruleset, record: Record) -> list[Requirement]:
    return [Requirement("own-requirement", "Its own requirement", True, "met", "met", "own.txt § 2")]


def _surrogate_requirement(self: object, ruleset: epa.Ruleset, record: Record) -> list[Requirement]:
    return [Requirement("own-requirement", "Its own requirement", True, "met", "met \ud800 here", "own.txt § 2")]


def _own_plugin(**hooks: Any) -> object:
    """A body "fresh" reusing an installed body's ST0071 rules, with its own ``hooks``."""
    reg = epa.testing.registry()
    offering = reg.offering("ST0071") if "ST0071" in reg.standards() else ()
    if not offering:
        pytest.skip("no installed body offers ST0071, whose rules the test body reuses")
    return epa.testing.make_plugin("fresh", offering[0].body.rulesets_for("ST0071"), **hooks)


def test_pieces_made_anew_for_every_record_are_written_as_msgspec_writes_them() -> None:
    """No piece shared: a body whose own hooks make new objects every time, and nothing remembered while
    explaining, so that each record's pieces die with its line and their ids come back as the next record's."""
    reg = Registry([("fresh", _own_plugin(deadlines=_deadline, gateway_requirements=_requirement))])
    with remembering(False):
        engine = Engine(reg)
        for n in range(1, 41):
            record = _example_record(reg, f"A-{n}")
            data = _data(n, record, engine.explain(record))
            assert _written(data) == _expected(data)
            del data, record


def test_a_lone_surrogate_a_plugin_writes_is_written_escaped_as_before() -> None:
    """msgspec will not write a lone surrogate: the line is json.dumps's, the surrogate as its escape, valid UTF-8,
    and the chunk keeps nothing of the attempt."""
    reg = Registry([("fresh", _own_plugin(gateway_requirements=_surrogate_requirement))])
    [data] = _explained(reg, [_example_record(reg)])
    line = _written(data)
    assert line == _expected(data)
    assert b"met \\ud800 here" in line
    assert json.loads(line.decode("utf-8"))["results"][0]["gateway"]["requirements"][0]["says"] == "met \ud800 here"


def test_a_record_name_holding_a_lone_surrogate_is_written_escaped_as_before() -> None:
    """A cohort file whose name is not UTF-8 (read by Python as lone surrogates) names every record with it."""
    reg = epa.testing.registry()
    record = _example_record(reg)
    data = _data(1, record, Engine(reg).explain(record), name="cohort-\udcff.jsonl")
    assert _written(data) == _expected(data)
    assert b'"record":"cohort-\\udcff.jsonl:1"' in _written(data)


def test_a_line_msgspec_cannot_write_leaves_nothing_in_the_chunk() -> None:
    """A result msgspec cannot encode (an object of no JSON type) raises, for the record's error row, and what the
    chunk held before is as it was."""
    out = bytearray(b"earlier lines\n")
    with pytest.raises(TypeError):
        add_line(out, 1, "ST0071", "cohort.jsonl:1", "A-1", [], [{"result": object()}])
    assert out == b"earlier lines\n"


# --- the command ----------------------------------------------------------------------------------------------

CUT, NAMED = 11, 21  # the cohort's line cut short (its error row), and its line whose id is not ASCII


@pytest.fixture(scope="module")
def cohort_file(tmp_path_factory) -> Path:
    """A synthetic ST0071 cohort (bench/cohort.py: journeys, resits), more than a chunk of records (256), with a line
    cut short, a line whose id is not ASCII, and a line whose key holds a lone surrogate escape."""
    reg = epa.testing.registry()
    if "ST0071" not in reg.standards():
        pytest.skip("no installed body offers ST0071")
    path = write_jsonl(tmp_path_factory.mktemp("jsonout") / "cohort.jsonl", reg, 300)
    lines = path.read_bytes().splitlines()
    lines[CUT - 1] = lines[CUT - 1][:40]
    lines[NAMED - 1] = lines[NAMED - 1].replace(b'"id":"', b'"id":"Zo\xc3\xab ', 1)
    lines.append(b'{"x\\ud800": 1}')
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


@pytest.fixture(scope="module")
def expected_output(cohort_file) -> list[bytes]:
    """Each line of the cohort's output, worked out here: a record's line explained afresh and encoded by msgspec; an
    error row where the record is refused; then the summary."""
    reg = epa.testing.registry()
    engine = Engine(reg)
    found = []
    for n, raw in enumerate(cohort_file.read_bytes().splitlines(), 1):
        try:
            record = _load(reg, json.loads(raw))
        except (ValueError, InputError):
            found.append(None)  # an error row
            continue
        found.append(_expected(_data(n, record, engine.explain(record), str(cohort_file))))
    return found


def _check_output(written: bytes, expected: list[bytes | None]) -> None:
    *lines, summary = written.splitlines(keepends=True)
    assert len(lines) == len(expected)
    for n, (line, wanted) in enumerate(zip(lines, expected, strict=True), 1):
        if wanted is None:
            assert json.loads(line)["line"] == n and "error" in json.loads(line)
        else:
            assert line == wanted, n
    assert b"Zo\xc3\xab " in lines[NAMED - 1]  # the id's character as UTF-8, as it came
    # the lone surrogate escape in the key, as the message and the path quote it (its escape), valid UTF-8
    assert lines[-1] == (b'{"line": 301, "error": {"message": "the text \'x\\\\ud800\' holds a lone surrogate escape '
                         b'(\\\\ud800), which is no character", "path": "$.x\\\\ud800", "hint": "write the character '
                         b'itself (as UTF-8), or both halves of its surrogate pair"}}\n')
    assert json.loads(summary)["summary"]["records_read"] == len(expected)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_the_command_writes_msgspecs_bytes_to_a_file(cohort_file, expected_output, tmp_path, workers) -> None:
    out = tmp_path / "rows.jsonl"
    done = run("compare", "--batch", str(cohort_file), "--format", "json", "--summary", "--out", str(out),
               "--workers", workers)
    assert done.exit_code == 2, done.stderr
    _check_output(out.read_bytes(), expected_output)


def test_the_command_writes_the_same_text_to_a_text_standard_output(cohort_file, expected_output) -> None:
    """A standard output without a binary buffer (here, the tests' in-memory one) is given the lines as text."""
    done = run("compare", "--batch", str(cohort_file), "--format", "json", "--summary")
    _check_output(done.stdout.encode("utf-8"), expected_output)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_the_installed_command_writes_msgspecs_bytes_to_standard_output(cohort_file, expected_output,
                                                                         workers) -> None:
    done = subprocess.run([sys.executable, "-m", "epa", "compare", "--batch", str(cohort_file), "--format", "json",
                           "--summary", "--workers", workers], capture_output=True, check=False)
    assert done.returncode == 2, done.stderr.decode(errors="replace")
    _check_output(done.stdout, expected_output)


def test_json_lines_go_out_in_chunks_of_at_most_json_chunk_records_the_same_bytes(cohort_file, expected_output) -> None:
    """A chunk's JSON lines, some 40 kB each, are made in one buffer and written whole: where they go out as bytes (a
    file, standard output's buffer), at most JSON_CHUNK records a chunk (CHUNK's 256 made a 10 MB buffer that the
    kernel mapped afresh for every chunk, costing about as much as the lines' encoding), the error row in its place
    among them, each chunk after the one before: the same bytes. Given to ``write`` as text (the server's /batch,
    which stops a batch on shutdown only between writes), CHUNK's chunks as before."""
    def chunked(as_bytes: bool) -> list[bytes]:
        writes: list[bytes] = []
        batch.run(str(cohort_file), "json", summary=True, summary_only=False, workers=1, only=None,
                  registry=epa.testing.registry(), write=lambda text: writes.append(text.encode("utf-8")),
                  write_bytes=(lambda chunk: writes.append(bytes(chunk))) if as_bytes else None, progress=False)
        *chunks, summary = writes
        assert summary.startswith(b'{"summary"')
        _check_output(b"".join(writes), expected_output)
        return chunks

    def sizes(size: int) -> list[int]:
        return [size] * (301 // size) + ([301 % size] if 301 % size else [])

    assert 1 < batch.JSON_CHUNK < batch.CHUNK < 301
    assert [chunk.count(b"\n") for chunk in chunked(as_bytes=True)] == sizes(batch.JSON_CHUNK)
    assert [chunk.count(b"\n") for chunk in chunked(as_bytes=False)] == sizes(batch.CHUNK)


def test_a_cohort_of_pieces_made_anew_is_written_as_msgspec_writes_it(monkeypatch, tmp_path) -> None:
    """The command with a body whose own hooks make new objects for every record."""
    plugin = _own_plugin(deadlines=_deadline, gateway_requirements=_requirement)
    use_plugins(monkeypatch, plugin)
    data, _ = read(EXAMPLES / "st0071-journey.yaml")
    path = tmp_path / "fresh.jsonl"
    lines = []
    for n in range(60):
        record = copy.deepcopy(data)
        record["apprentice"]["id"] = f"A-{n}"
        lines.append(json.dumps(record, default=str))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = run("compare", "--batch", str(path), "--format", "json")
    assert done.exit_code == 0, done.stderr
    registry = Registry([("fresh", plugin)])
    engine = Engine(registry)
    for n, (text, raw) in enumerate(zip(done.stdout.splitlines(keepends=True), lines, strict=True), 1):
        record = _load(registry, json.loads(raw))
        assert text.encode("utf-8") == _expected(_data(n, record, engine.explain(record), str(path)))


def _failing(self: object, ruleset: epa.Ruleset, record: Record) -> list[Requirement]:
    raise ValueError("no rule for \ud800")


def test_an_error_row_holding_a_lone_surrogate_is_written_escaped_as_before(monkeypatch, tmp_path) -> None:
    """A plugin's failure whose message holds a lone surrogate: the record's error row names it, the surrogate written
    as its JSON escape (so that the output stays UTF-8, and the message reads back as it was said)."""
    use_plugins(monkeypatch, _own_plugin(gateway_requirements=_failing))
    data, _ = read(EXAMPLES / "st0071-journey.yaml")
    path = tmp_path / "failing.jsonl"
    path.write_text(json.dumps(data, default=str) + "\n", encoding="utf-8")
    out = tmp_path / "rows.jsonl"
    done = run("compare", "--batch", str(path), "--format", "json", "--out", str(out))
    assert done.exit_code == 1, done.stderr
    written = out.read_bytes()
    assert b"no rule for \\ud800" in written
    assert "no rule for \ud800" in json.loads(written.decode("utf-8"))["error"]["message"]
