"""Numbers mean one thing, out-of-range values are bad input, and an empty file or a lone surrogate is refused
clearly (issue 16).

- A plain YAML number is read only in the forms YAML 1.1 (PyYAML) and YAML 1.2 read alike; any other form is
  refused with its line and path and a hint saying how to write it, never read as a different number.
- Every date and bounded number of a record is checked against the bounds README "Value bounds" documents, at
  and one past each edge, by every way a record comes in: a YAML file, a JSON file, a cohort's JSON line and
  CSV row, where the fast decoder (epa.inputs.fastrecord) must refuse exactly what the schema path refuses.
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import EXAMPLES, ROOT, any_body, fails, offering, run, write
from epa.batch.cohort import CsvHeader, Located, _parse_json
from epa.errors import InputError
from epa.inputs.documents import loads, schema
from epa.inputs.fastrecord import EARLIEST, LATEST, MAX_MINUTES, MAX_PIECES, MAX_WORDS, decode, from_data
from epa.inputs.record import record_from_data
from epa.registry import Registry

RECORD = textwrap.dedent("""\
    standard: ST0071
    apprentice:
      id: A-1
    gateway:
      date: 2025-12-01
      portfolio_pieces: 12
    assessments:
      - method: observation
        date: 2026-01-20
        grade: pass
        duration_minutes: 62
""")


def refused(*args: str) -> str:
    """stderr of an exit-2 run: one message, no traceback, no internal error."""
    message = fails(*args)
    assert "internal error" not in message and message.startswith("error: "), message
    return message


# --- numbers mean one thing -----------------------------------------------------------------------------


# (how a person wrote it, the number a hint offers): each form YAML 1.1 and 1.2 read differently, or that is
# not plain decimal. 1.1 readings from the YAML 1.1 int and float types; 1.2 from its core schema.
AMBIGUOUS = [
    ("010", "10"),         # 1.1: octal 8; 1.2: 10
    ("08", "8"),           # 1.1: text (not octal); 1.2: 8
    ("0o10", "8"),         # 1.1: text; 1.2: octal 8
    ("0b1", "1"),          # 1.1: binary 1; 1.2: text
    ("0x3A", "58"),        # both 58, but a person may mean the text
    ("-0x3A", "-58"),      # 1.1: -58; 1.2: text
    ("1_000", "1000"),     # 1.1: 1000; 1.2: text
    ("1:02", "62"),        # 1.1: base 60, 62; 1.2: text
    ("1:02:03", "3723"),   # 1.1: 3600 + 120 + 3
    ("1e3", "1000"),       # 1.1: text; 1.2: 1000.0
    ("1.5e3", "1500"),     # 1.1: text (its exponent needs a sign); 1.2: 1500.0
    ("-.5", "-0.5"),       # 1.1: text (no sign before a bare point); 1.2: -0.5
]


@pytest.mark.parametrize(("written", "plain"), AMBIGUOUS)
def test_a_number_yaml_versions_read_differently_is_refused_in_a_value(written, plain):
    text = RECORD.replace("portfolio_pieces: 12", f"portfolio_pieces: {written}")
    with pytest.raises(InputError) as caught:
        loads(text, "record.yaml")
    assert caught.value.where == "record.yaml:6:21: $.gateway.portfolio_pieces"
    assert f"write {plain}, or {written!r} quoted if a string is meant" in caught.value.hint


@pytest.mark.parametrize(("written", "plain"), AMBIGUOUS)
def test_a_number_yaml_versions_read_differently_is_refused_in_a_key(written, plain):
    with pytest.raises(InputError) as caught:
        loads(RECORD + f"schedule:\n  {written}: 2026-02-01\n", "record.yaml")
    assert caught.value.where.startswith("record.yaml:13:3: $.schedule")
    assert f"{written!r} quoted" in caught.value.hint


@pytest.mark.parametrize("written", ["!!int 010", "!!int 0x3A", "!!float 1_000.5", "!!int 1:02"])
def test_an_explicit_number_tag_does_not_bring_back_the_yaml_1_1_reading(written):
    with pytest.raises(InputError) as caught:
        loads(f"n: {written}\n", "x.yaml")
    assert caught.value.where == "x.yaml:1:4: $.n" and "quoted if a string is meant" in caught.value.hint


def test_the_issues_octal_portfolio_no_longer_flips_gateway_readiness(tmp_path):
    # read as 8 before, and TQUK's gateway readiness flipped: now refused, saying how to write it
    message = refused("compare", write(tmp_path, RECORD.replace("portfolio_pieces: 12", "portfolio_pieces: 010")))
    assert "record.yaml:6:21: $.gateway.portfolio_pieces: '010' means 8 to YAML 1.1 and 10 to YAML 1.2" in message
    assert "write 10, or '010' quoted if a string is meant" in message


@pytest.mark.parametrize("written", ["070", "1:02", "0x3A"])
def test_the_issues_durations_are_refused_not_reread(tmp_path, written):
    # 070 was read as 56, 1:02 as 62, 0x3A as 58, silently
    message = refused("compare", write(tmp_path, RECORD.replace("duration_minutes: 62", f"duration_minutes: {written}")))
    assert "record.yaml:11:23: $.assessments[0].duration_minutes" in message and f"{written!r} quoted" in message


@pytest.mark.parametrize(("written", "read"), [
    ("12", 12), ("+12", 12), ("-0", 0), ("0", 0), (".5", 0.5), ("2.", 2.0), ("1.5", 1.5), ("010.5", 10.5),
    ("1.0e+3", 1000.0), ("1.5e-3", 0.0015), (".5e+1", 5.0),
])
def test_plain_decimal_numbers_read_as_both_yaml_versions_read_them(written, read):
    data, _ = loads(f"n: {written}\n", "x.yaml")
    assert data["n"] == read and type(data["n"]) is type(read)


def test_json_numbers_read_as_written_and_errors_still_name_their_line(tmp_path):
    """JSON has one reading of 1e3; the YAML number rules never touch it, nor where an error is placed."""
    text = ('{"standard": "ST0071", "apprentice": {"id": "A-1"}, "gateway": {"date": "2025-12-01"},\n'
            ' "assessments": [{"method": "observation", "date": "2026-01-20", "grade": "pass",\n'
            '   "duration_minutes": 1e1, "kind": "frist"}]}')
    data, _ = loads(text, "record.json", "json")
    assert data["assessments"][0]["duration_minutes"] == 10.0
    assert "record.json:3:37: $.assessments[0].kind" in refused("compare", write(tmp_path, text, "record.json"))


@pytest.mark.parametrize("written", ["'010'", '"1:02"', "'0x3A'", "'1e3'", "09:00", "1:60", "A-010", "1e3x"])
def test_quoted_values_and_other_text_stay_text(written):
    data, _ = loads(f"id: {written}\n", "x.yaml")
    assert data["id"] == written.strip("'\"")


@pytest.mark.parametrize(("written", "read"), [("yes", True), ("No", False), ("on", True), ("OFF", False),
                                               ("true", True), ("False", False)])
def test_yaml_1_1_booleans_stay_booleans_in_values(written, read):
    # README "Value bounds": a field that takes true or false reads yes/no/on/off as YAML 1.1 does; a field that
    # takes text refuses a boolean, so no such word is ever silently read as something else
    data, _ = loads(f"photo_id: {written}\n", "x.yaml")
    assert data["photo_id"] is read


def test_a_yaml_1_1_boolean_where_text_is_expected_is_refused(tmp_path):
    message = refused("compare", write(tmp_path, RECORD.replace("id: A-1", "id: no")))
    assert "$.apprentice.id" in message


@pytest.mark.parametrize("key", ["no", "on", "yes"])
def test_a_yaml_1_1_boolean_as_a_key_is_refused(key):
    with pytest.raises(InputError) as caught:
        loads(f"{key}: 1\n", "x.yaml")
    assert "a key must be a string" in caught.value.message and "quote the key" in caught.value.hint


def _shipped_yaml() -> list[Path]:
    found = [p for p in (ROOT / "core" / "epa").rglob("*.yaml")] + list(EXAMPLES.glob("*.yaml"))
    found += [p for p in (ROOT / "plugins").rglob("*.yaml")]
    return sorted(found)


class _Yaml11(yaml.SafeLoader):
    """PyYAML's own YAML 1.1 reading, dates left as text (as epa leaves them)."""


_Yaml11.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


@pytest.mark.parametrize("path", _shipped_yaml(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_shipped_yaml_file_reads_as_yaml_1_1_reads_it(path):
    """The rules, standards, journeys and example records say what they said before numbers were settled: no
    shipped file holds a form read two ways, and each value is the one YAML 1.1 gives."""
    text = path.read_text(encoding="utf-8")
    data, _ = loads(text, str(path))
    expected = yaml.load(text, Loader=_Yaml11)
    assert json.dumps(data, sort_keys=True) == json.dumps(expected, sort_keys=True)


# --- empty files, lone surrogates ------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "name"), [
    ("", "record.yaml"), ("# a comment only\n\n", "record.yaml"), ("   \n\n", "record.yaml"),
    ("", "record.json"), ("  \n", "record.json"),
])
def test_an_empty_file_says_it_holds_no_record(tmp_path, text, name):
    # said "$: None is not of type 'object'"
    message = refused("compare", write(tmp_path, text, name))
    assert f"{name}: the file is empty" in message and "holds no record" in message and "hint:" in message


@pytest.mark.parametrize(("text", "name"), [("~\n", "record.yaml"), ("---\n", "record.yaml"),
                                            ("null", "record.json")])
def test_a_file_holding_only_null_says_it_holds_no_record(tmp_path, text, name):
    message = refused("compare", write(tmp_path, text, name))
    assert f"{name}: the file holds only null" in message and "holds no record" in message


def _epa(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """``epa ARGS`` in a subprocess: a lone surrogate fails only where text is encoded for a real stream."""
    env = {k: v for k, v in os.environ.items() if k != "EPA_DEBUG"}
    return subprocess.run([sys.executable, "-m", "epa", *args], input=stdin, capture_output=True, timeout=120,
                          env=env)


SURROGATE_KEY = '{"x\\ud800": 1}'
SURROGATE_ID = '{"standard": "ST0071", "apprentice": {"id": "A\\ud800"}, "gateway": {"date": "2025-12-01"}}'


@pytest.mark.parametrize(("text", "where"), [(SURROGATE_KEY, ":1:2: $.x\\ud800"),
                                             (SURROGATE_ID, ":1:45: $.apprentice.id")])
@pytest.mark.parametrize("fmt", ["table", "json"])
def test_a_lone_surrogate_in_a_record_file_is_refused(tmp_path, text, where, fmt):
    # gave "internal error: UnicodeEncodeError"
    done = _epa("compare", "--format", fmt, write(tmp_path, text, "record.json"))
    stderr = done.stderr.decode("utf-8")
    assert done.returncode == 2, stderr
    assert "internal error" not in stderr and "Traceback" not in stderr
    assert f"record.json{where}: " in stderr and "lone surrogate" in stderr


def test_a_lone_surrogate_in_yaml_is_refused_by_either_parser():
    # libyaml refuses the escape in its own words; the pure-Python parser epa falls back on accepts it
    from epa.inputs.documents import _compose_with, _PyLoader

    with pytest.raises(InputError) as caught:
        _compose_with(_PyLoader, 'apprentice:\n  id: "A\\ud800"\n', "record.yaml")
    assert caught.value.where == "record.yaml:2:7: $.apprentice.id" and "lone surrogate" in caught.value.message


@pytest.mark.parametrize("fmt", ["json", "csv", "table"])
def test_a_lone_surrogate_in_a_cohort_line_is_that_lines_error(tmp_path, fmt):
    any_body("ST0071")
    good = json.dumps({"standard": "ST0071", "apprentice": {"id": "A-2"}, "gateway": {"date": "2025-12-01"}})
    cohort = write(tmp_path, SURROGATE_KEY + "\n" + good + "\n", "cohort.jsonl")
    done = _epa("compare", "--batch", cohort, "--format", fmt)
    stderr, stdout = done.stderr.decode("utf-8"), done.stdout.decode("utf-8")
    assert done.returncode == 2, stderr
    assert "internal error" not in stderr and "Traceback" not in stderr
    if fmt == "json":
        first, second = (json.loads(line) for line in stdout.splitlines())
        assert first["line"] == 1 and first["error"]["path"] == "$.x\\ud800"
        assert "lone surrogate" in first["error"]["message"]
        assert second["apprentice"] == "A-2" and second["results"]
    elif fmt == "csv":
        rows = stdout.splitlines()[1:]
        assert rows[0].startswith("1,") and "$.x\\ud800: " in rows[0] and "lone surrogate" in rows[0]
        assert rows[1].startswith("2,A-2,") and len(rows) > 1
    else:
        assert "2 records read, 1 graded, 1 rejected" in stdout


# --- value bounds -----------------------------------------------------------------------------------------


def test_the_bounds_are_the_schemas():
    """fastrecord's constants are the schema's bounds (README "Value bounds")."""
    record = schema("record")
    gateway, attempt = record["properties"]["gateway"]["properties"], \
        record["properties"]["assessments"]["items"]["properties"]
    assert gateway["portfolio_pieces"]["maximum"] == MAX_PIECES == 10_000
    assert gateway["project_proposal_words"]["maximum"] == attempt["words"]["maximum"] == MAX_WORDS == 1_000_000
    assert attempt["duration_minutes"]["maximum"] == attempt["questioning_minutes"]["maximum"] == MAX_MINUTES == 10_000
    assert (str(EARLIEST), str(LATEST)) == ("1900-01-01", "2099-12-31")
    assert re.match(record["$defs"]["date"]["pattern"], "1900-01-01")
    assert re.match(record["$defs"]["date"]["pattern"], "2099-12-31")
    assert not re.match(record["$defs"]["date"]["pattern"], "1899-12-31")
    assert not re.match(record["$defs"]["date"]["pattern"], "2100-01-01")


LOW_IN, LOW_OUT, HIGH_IN, HIGH_OUT = "1900-01-01", "1899-12-31", "2099-12-31", "2100-01-01"
JOURNEY = ("registered", "evidence_submitted", "epa_start", "planning_meeting", "proposal_rejected",
           "proposal_resubmitted", "portfolio_submitted", "project_report_submitted", "observation_notice")


def _base() -> dict[str, Any]:
    return {"standard": "ST0071", "apprentice": {"id": "A-1"}, "gateway": {"date": "2025-12-01"},
            "assessments": [{"method": "observation", "date": "2026-01-20", "grade": "pass"}]}


def _case(path: tuple[Any, ...], value: Any, *, gateway: str | None = None) -> dict[str, Any]:
    """The base record with ``value`` at ``path`` (the attempt dropped where it would come before a gateway on
    the high edge, and gateway moved where a date must follow it)."""
    data = _base()
    if gateway is not None:
        data["gateway"]["date"] = gateway
        data["assessments"][0]["date"] = gateway
    node = data
    for part in path[:-1]:
        node = node.setdefault(part, {}) if isinstance(part, str) else node[part]
    node[path[-1]] = value
    if path[-1] == "proposal_resubmitted":
        node["proposal_rejected"] = gateway  # a resubmission follows a rejection
    return data


def _edges() -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(name, record at the edge, record one past it), for every bounded value of a record."""
    cases = []
    for field in ("date_of_birth", "start_date"):
        cases.append((f"apprentice.{field} low", _case(("apprentice", field), LOW_IN),
                      _case(("apprentice", field), LOW_OUT)))
    cases.append(("apprentice.date_of_birth high", _case(("apprentice", "date_of_birth"), HIGH_IN),
                  _case(("apprentice", "date_of_birth"), HIGH_OUT)))
    cases.append(("apprentice.start_date high", _case(("apprentice", "start_date"), HIGH_IN, gateway=HIGH_IN),
                  _case(("apprentice", "start_date"), HIGH_OUT, gateway=HIGH_IN)))
    for edge, inside, outside in (("low", LOW_IN, LOW_OUT), ("high", HIGH_IN, HIGH_OUT)):
        lone = _case(("gateway", "date"), inside)
        past = _case(("gateway", "date"), outside)
        del lone["assessments"], past["assessments"]
        cases.append((f"gateway.date {edge}", lone, past))
        for field in JOURNEY:
            cases.append((f"dates.{field} {edge}", _case(("dates", field), inside, gateway=inside),
                          _case(("dates", field), outside, gateway=inside)))
    for field in ("date", "notified"):
        cases.append((f"assessments[0].{field} high", _case(("assessments", 0, field), HIGH_IN, gateway=HIGH_IN),
                      _case(("assessments", 0, field), HIGH_OUT, gateway=HIGH_IN)))
    cases.append(("schedule high", _case(("schedule", "project"), HIGH_IN, gateway=HIGH_IN),
                  _case(("schedule", "project"), HIGH_OUT, gateway=HIGH_IN)))
    for path, top in ((("gateway", "portfolio_pieces"), MAX_PIECES), (("gateway", "project_proposal_words"), MAX_WORDS),
                      (("assessments", 0, "words"), MAX_WORDS), (("assessments", 0, "duration_minutes"), MAX_MINUTES),
                      (("assessments", 0, "questioning_minutes"), MAX_MINUTES)):
        name = ".".join(str(p) for p in path).replace(".0.", "[0].")
        cases.append((f"{name} high", _case(path, top), _case(path, top + 1)))
    cases.append(("assessments[0].duration_minutes fraction past", _case(("assessments", 0, "duration_minutes"), 0.5),
                  _case(("assessments", 0, "duration_minutes"), MAX_MINUTES + 0.25)))
    return cases


EDGES = _edges()


def _changed_path(inside: dict[str, Any], outside: dict[str, Any]) -> str:
    """The JSON path at which the record one past the edge differs from the one at it."""
    def walk(a: Any, b: Any, path: str) -> str | None:
        if isinstance(a, dict):
            return next((p for k in a if (p := walk(a[k], b[k], f"{path}.{k}")) is not None), None)
        if isinstance(a, list):
            return next((p for i, x in enumerate(a) if (p := walk(x, b[i], f"{path}[{i}]")) is not None), None)
        return None if a == b else path

    found = walk(inside, outside, "$")
    assert found is not None
    return found


@pytest.fixture(scope="module")
def registry() -> Registry:
    return offering("ST0071", "the standard of the records the tests write")


def _as_yaml(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False)


@pytest.mark.parametrize("kind", ["yaml", "json"])
@pytest.mark.parametrize(("name", "inside", "outside"), EDGES, ids=[e[0] for e in EDGES])
def test_a_record_file_at_a_bound_is_read_and_one_past_is_refused(registry, kind, name, inside, outside):
    text = _as_yaml if kind == "yaml" else json.dumps
    data, source = loads(text(inside), f"record.{kind}", kind)
    assert record_from_data(data, source, registry, where=f"record.{kind}") is not None
    data, source = loads(text(outside), f"record.{kind}", kind)
    with pytest.raises(InputError) as caught:
        record_from_data(data, source, registry, where=f"record.{kind}")
    assert re.fullmatch(rf"record\.{kind}:\d+:\d+: " + re.escape(_changed_path(inside, outside)),
                        caught.value.where), caught.value
    assert "out of range" in caught.value.message and "Value bounds" in caught.value.hint


def _slow_line(raw: bytes, registry: Registry) -> Any:
    """The slow path a cohort's JSON line takes (batch.grade_item): InputError where it refuses."""
    return record_from_data(_parse_json(raw, "cohort.jsonl:1"), Located("cohort.jsonl", 1), registry,
                            where="cohort.jsonl:1")


@pytest.mark.parametrize(("name", "inside", "outside"), EDGES, ids=[e[0] for e in EDGES])
def test_a_cohort_line_at_a_bound_is_decoded_and_one_past_is_refused_by_both_paths(registry, name, inside, outside):
    raw = json.dumps(inside).encode()
    assert decode(raw, registry) == _slow_line(raw, registry)  # the fast path vouches, with the same Record
    raw = json.dumps(outside).encode()
    assert decode(raw, registry) is None  # left to the slow path, which says why
    with pytest.raises(InputError) as caught:
        _slow_line(raw, registry)
    assert caught.value.where == f"cohort.jsonl:1: {_changed_path(inside, outside)}"
    assert "out of range" in caught.value.message


# The CSV columns that hold a bounded value (README "CSV columns"): the attempt's date is M_date; a CSV row has
# no notified, words, minutes or schedule.
CSV_COLUMNS = {("apprentice", "date_of_birth"): "date_of_birth", ("apprentice", "start_date"): "start_date",
               ("gateway", "date"): "gateway_date", ("gateway", "portfolio_pieces"): "portfolio_pieces",
               ("gateway", "project_proposal_words"): "project_proposal_words",
               ("assessments", 0, "date"): "observation_date", **{("dates", f): f for f in JOURNEY}}


def _csv(data: dict[str, Any]) -> tuple[list[str], list[str]] | None:
    """The header and cells of the CSV row that says this record, or None where CSV cannot say it."""
    if set(data) - {"standard", "apprentice", "gateway", "dates", "assessments"}:
        return None
    header, cells = ["standard", "apprentice"], [data["standard"], data["apprentice"]["id"]]
    flat = {("standard",): None, ("apprentice", "id"): None}
    for section in ("apprentice", "gateway", "dates"):
        for field, value in data.get(section, {}).items():
            flat[(section, field)] = value
    for field, value in (data.get("assessments") or [{}])[0].items():
        flat[("assessments", 0, field)] = value
    for path, value in flat.items():
        if path in (("standard",), ("apprentice", "id"), ("assessments", 0, "method")):
            continue
        if path == ("assessments", 0, "grade"):
            header.append("observation")
        elif path in CSV_COLUMNS:
            header.append(CSV_COLUMNS[path])
        else:
            return None
        cells.append(str(value))
    return header, cells


CSV_EDGES = [e for e in EDGES if _csv(e[1]) is not None and _csv(e[2]) is not None]


@pytest.mark.parametrize(("name", "inside", "outside"), CSV_EDGES, ids=[e[0] for e in CSV_EDGES])
def test_a_csv_row_at_a_bound_is_read_and_one_past_is_refused_by_both_paths(registry, name, inside, outside):
    methods = registry.method_ids("ST0071")
    for data, within in ((inside, True), (outside, False)):
        header, cells = _csv(data)  # type: ignore[misc]
        row, columns = CsvHeader(header, methods, "cohort.csv:1").record(cells)
        locator = Located("cohort.csv", 2, columns)
        if within:
            assert from_data(copy.deepcopy(row), registry) == record_from_data(row, locator, registry,
                                                                               where="cohort.csv:2")
            continue
        assert from_data(copy.deepcopy(row), registry) is None
        with pytest.raises(InputError) as caught:
            record_from_data(row, locator, registry, where="cohort.csv:2")
        assert caught.value.where == f"cohort.csv:2: {_changed_path(inside, outside)}"
        assert "out of range" in caught.value.message


def test_the_csv_edges_cover_every_bounded_column():
    covered = {e[0].split(" ")[0] for e in CSV_EDGES}
    assert {"gateway.date", "gateway.portfolio_pieces", "gateway.project_proposal_words", "apprentice.start_date",
            "apprentice.date_of_birth", "assessments[0].date", *(f"dates.{f}" for f in JOURNEY)} <= covered


# --- the issue's records, through the CLI ------------------------------------------------------------------


FAR = textwrap.dedent("""\
    standard: ST0071
    apprentice:
      id: A-1
      start_date: 2024-09-02
    gateway:
      date: 9999-12-01
    dates:
      planning_meeting: 9999-12-05
    assessments:
      - method: observation
        date: 9999-12-20
        notified: 9999-12-30
        grade: pass
""")


def test_dates_in_year_9999_are_bad_input_not_a_plugins_failure(tmp_path):
    # were "year 10000 is out of range", blamed on gateway_quals' deadlines hook, exit 1
    message = refused("compare", write(tmp_path, FAR))
    assert "record.yaml:6:9: $.gateway.date: '9999-12-01' is out of range: expected a date from 1900-01-01 to " \
           "2099-12-31" in message
    assert "record.yaml:8:21: $.dates.planning_meeting" in message and "plugin" not in message


def test_a_record_on_the_last_day_is_graded_with_its_deadlines(tmp_path):
    """Deadlines counted on from the latest date a record may hold stay within what dates can hold."""
    offering("ST0071", "the standard of the record the test grades")
    text = FAR.replace("9999-12-01", "2099-12-31").replace("9999-12-05", "2099-12-31") \
        .replace("9999-12-20", "2099-12-31").replace("9999-12-30", "2099-12-31")
    result = run("compare", "--format", "json", write(tmp_path, text))
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize("field", ["words", "duration_minutes", "questioning_minutes"])
@pytest.mark.parametrize("kind", ["yaml", "json"])
def test_a_400_digit_number_is_bad_input_with_its_path(tmp_path, field, kind):
    # words: OverflowError, internal error; duration_minutes: "unknown error (int too large to convert to float)"
    data = _base()
    data["assessments"][0][field] = int("9" * 400)
    text = _as_yaml(data) if kind == "yaml" else json.dumps(data, indent=1)
    message = refused("compare", write(tmp_path, text, f"record.{kind}"))
    assert re.search(rf"record\.{kind}:\d+:\d+: \$\.assessments\[0\]\.{field}: a number of 400 digits is out of "
                     "range", message), message


def test_a_far_date_and_a_huge_number_in_a_cohort_are_error_rows(tmp_path):
    any_body("ST0071")
    far, huge, good = _base(), _base(), _base()
    far["gateway"]["date"] = "9999-12-01"
    huge["assessments"][0]["words"] = int("9" * 400)
    lines = "".join(json.dumps(d) + "\n" for d in (far, huge, good))
    result = run("compare", "--batch", write(tmp_path, lines, "cohort.jsonl"), "--format", "json")
    assert result.exit_code == 2, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows[0]["error"]["path"] == "$.gateway.date" and "out of range" in rows[0]["error"]["message"]
    assert rows[1]["error"]["path"] == "$.assessments[0].words" and "out of range" in rows[1]["error"]["message"]
    assert "results" in rows[2]


# --- nesting: epa's own limit, whatever libyaml's ---------------------------------------------------------


def test_deep_nesting_is_found_by_epa_whatever_libyaml_refuses_first(monkeypatch):
    """libyaml (PyYAML 6.0.4) stops a line of 1,000 opening brackets in its own words before its first event
    reaches epa's check; epa then reads the file again with PyYAML's pure-Python parser, which finds the depth."""
    from epa.inputs import documents

    real, made = documents._compose_with, documents._yaml()

    def libyaml_refuses(loader_class: type, *args: Any) -> Any:
        if loader_class is made.loader:
            raise yaml.YAMLError("any words of libyaml's own")
        return real(loader_class, *args)

    monkeypatch.setattr(documents, "_compose_with", libyaml_refuses)
    monkeypatch.setattr(documents, "_yaml", lambda: made._replace(libyaml=True))  # as where libyaml is installed
    with pytest.raises(InputError) as caught:
        loads('{"a": ' + "[" * 200 + "]" * 200 + "}", "record.yaml")
    assert "nest more than 64 deep" in caught.value.message and "libyaml" not in str(caught.value)
    assert caught.value.where.startswith("record.yaml:1:") and "$.a[0][0]" in caught.value.where
