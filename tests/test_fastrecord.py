"""The fast record decoder (epa.inputs.fastrecord) against the slow path it stands in for: it answers only with the
Record the slow path gives, and leaves every line it cannot vouch for (None) to the slow path."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import json
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import offering
from epa.batch.cohort import Located, _parse_json
from epa.errors import InputError
from epa.inputs.documents import schema
from epa.inputs.fastrecord import decode, from_data
from epa.inputs.record import record_from_data
from epa.model.domain import Grade, Record
from epa.registry import Registry

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from cohort import records  # noqa: E402

STANDARD = "ST0071"


@pytest.fixture(scope="module")
def registry() -> Registry:
    return offering(STANDARD)


def slow(raw: bytes, registry: Registry) -> Record:
    """The slow path a cohort line takes; raises InputError for a line it refuses."""
    return record_from_data(_parse_json(raw, "x:1"), Located("x", 1), registry, where="x:1")


def line(data: Any) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode() + b"\n"


def same(fast: Record | None, expected: Record) -> bool:
    """Equal, and equal in repr too: a str for a Grade, or an int for a float, would pass == alone."""
    return fast == expected and repr(fast) == repr(expected)


def agrees(raw: bytes, registry: Registry) -> Record | None:
    """decode's answer, checked against the slow path: a Record only where the slow path gives an equal one."""
    fast = decode(raw, registry)
    try:
        expected = slow(raw, registry)
    except InputError:
        assert fast is None, raw
        return None
    assert fast is None or same(fast, expected), raw
    return fast


# --- completeness: the records a cohort holds -----------------------------------------------------------


@pytest.mark.parametrize("journey", [True, False])
def test_every_cohort_record_decodes_to_the_slow_paths_record(registry, journey):
    lines = [line(d) for d in records(registry, 300, journey=journey)]
    for raw in lines:
        assert same(decode(raw, registry), slow(raw, registry)), raw
    assert any(slow(raw, registry).apprentice.start_date for raw in lines) == journey


def test_spacing_and_escapes_do_not_change_the_answer(registry):
    data = next(records(registry, 1, journey=True))
    data["apprentice"]["id"] = 'Zoë "Z" O\'Neill \\ 🙂'
    for raw in (json.dumps(data).encode(), json.dumps(data, indent=2).encode(),
                json.dumps(data, ensure_ascii=False).encode(), json.dumps(data, separators=(" , ", " : ")).encode()):
        assert same(decode(raw, registry), slow(raw, registry))


def _examples() -> list[Path]:
    return sorted((ROOT / "examples").glob("*.yaml"))


@pytest.mark.parametrize("path", _examples(), ids=lambda p: p.name)
def test_the_examples_as_json(registry, path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or "apprentice" not in data:
        pytest.skip("not a record")
    raw = json.dumps(data, default=dt.date.isoformat).encode()
    if data["standard"] not in registry.standards():
        pytest.skip(f"no installed body offers {data['standard']}")
    assert same(decode(raw, registry), slow(raw, registry))


def test_the_example_cohort_lines(registry):
    lines = [raw for raw in (ROOT / "examples" / "st0071-cohort.jsonl").read_bytes().splitlines() if raw.strip()]
    assert lines
    for raw in lines:
        try:
            expected = slow(raw, registry)
        except InputError:
            assert decode(raw, registry) is None
        else:
            assert same(decode(raw, registry), expected)


# --- soundness: records drawn from the schema --------------------------------------------------------------


def _narrowed() -> dict[str, Any]:
    """The record schema with names this registry knows, so drawn records reach the checks after the names."""
    registry = Registry.installed()
    narrowed = copy.deepcopy(schema("record"))
    if not any(STANDARD in b.body.standards for b in registry.bodies):
        return narrowed
    methods = list(registry.method_ids(STANDARD))
    narrowed["properties"]["standard"] = {"const": STANDARD}
    narrowed["$defs"]["date"] = {"enum": [f"{y}-{m:02d}-{d:02d}" for y in (2007, 2024, 2025, 2026)
                                          for m, d in ((1, 20), (5, 1), (9, 2), (12, 1))]}
    attempt = narrowed["properties"]["assessments"]["items"]
    attempt["properties"]["method"] = {"enum": methods}
    attempt["properties"]["criteria_met"]["items"] = {"enum": sorted(registry.criterion_ids(STANDARD))}
    narrowed["properties"]["assessments"]["maxItems"] = 4
    narrowed["properties"]["schedule"]["propertyNames"] = {"enum": methods}
    narrowed["properties"]["document_versions"]["maxProperties"] = 0
    return narrowed


def _as_json(data: Any, style: int) -> bytes:
    if style == 0:
        return line(data)
    if style == 1:
        return json.dumps(data, indent=1).encode()  # \uXXXX escapes: the token scan counts the keys
    return json.dumps(data, ensure_ascii=False).encode()


_FUZZ = settings(max_examples=200, deadline=None, derandomize=True,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                        HealthCheck.filter_too_much])


@cache
def _drawn(narrowed: bool):
    from hypothesis_jsonschema import from_schema

    return from_schema(_narrowed() if narrowed else schema("record"))


@_FUZZ
@given(data=st.data(), style=st.integers(0, 2))
def test_records_drawn_from_the_schema(registry, data, style):
    """Mostly refused (an unknown standard): decode must refuse them too."""
    agrees(_as_json(data.draw(_drawn(False)), style), registry)


@_FUZZ
@given(data=st.data(), style=st.integers(0, 2))
def test_records_drawn_from_the_schema_with_known_names(registry, data, style):
    """About two in three are valid (the rest fail the date checks): decode gives the same Record or None."""
    agrees(_as_json(data.draw(_drawn(True)), style), registry)


_NUMBER = st.one_of(
    st.integers(-10, 10**30).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.tuples(st.integers(-10**20, 10**20), st.integers(0, 10**9), st.integers(-400, 400)).map(
        lambda t: f"{t[0]}.{t[1]}e{t[2]}"),
    st.sampled_from(["-0", "-0.0", "0e0", "1E2", "1e400", "5e-324"]),
)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(field=st.sampled_from(["duration_minutes", "questioning_minutes", "words"]), number=_NUMBER)
def test_numbers_as_the_line_writes_them(registry, field, number):
    data = _base(registry)
    data["assessments"][1][field] = 123456789
    agrees(line(data).replace(b"123456789", number.encode()), registry)


# --- hostile lines ---------------------------------------------------------------------------------------


def _base(registry: Registry) -> dict[str, Any]:
    """A valid journey record with a criteria-graded attempt first and a grade-graded one after it."""
    data = next(d for d in records(registry, 50, journey=True)
                if "criteria_met" in d["assessments"][0] and "grade" in d["assessments"][1])
    assert decode(line(data), registry) is not None
    return data


def _text(registry: Registry) -> str:
    return json.dumps(_base(registry), separators=(",", ":"))


def _with(registry: Registry, change) -> bytes:
    data = _base(registry)
    change(data)
    return line(data)


def _latin1(registry: Registry) -> bytes:
    data = _base(registry)
    data["apprentice"]["id"] = "Zoë"
    assert decode(json.dumps(data, ensure_ascii=False).encode(), registry) is not None
    return json.dumps(data, ensure_ascii=False).encode("latin-1")


HOSTILE = {
    "duplicate top-level key": lambda r: _text(r)[:-1].encode() + b',"standard":"ST0071"}',
    "duplicate key in an attempt": lambda r: _text(r).replace('"grade":"', '"grade":"fail","grade":"', 1).encode(),
    "duplicate key, escaped the second time": lambda r: _text(r).replace(
        '"grade":"', '"grade":"fail","gr\\u0061de":"', 1).encode(),
    "duplicate apprentice object": lambda r: _text(r).replace('"gateway":', '"apprentice":{"id":"B"},"gateway":', 1).encode(),
    "duplicate key with escaped quotes": lambda r: _with(r, lambda d: d.update(schedule={})).replace(
        b'"schedule":{}', b'"schedule":{"a\\"b":"2030-01-01","a\\"b":"2030-01-02"}'),
    "duplicate after a value with escaped quotes": lambda r: _with(
        r, lambda d: d["apprentice"].update(id='say "hi":')).replace(b'"gateway":{', b'"gateway":{"date":"2020-01-01",'),
    # each \u0022 puts no '"' byte in the line but one ('\\"') in the value encoded again: counting quotes alone
    # would balance them against the two of the repeated key
    "duplicate key hidden by \\u0022 escapes": lambda r: _with(r, lambda d: d["apprentice"].update(id="x")).replace(
        b'"id":"x"', b'"id":"\\u0022\\u0022"').replace(b'"gateway":{', b'"gateway":{"portfolio_pieces":1,'),
    "NaN": lambda r: _with(r, lambda d: d["assessments"][0].update(duration_minutes=1)).replace(
        b'"duration_minutes":1', b'"duration_minutes":NaN'),
    "Infinity": lambda r: _with(r, lambda d: d["assessments"][0].update(duration_minutes=1)).replace(
        b'"duration_minutes":1', b'"duration_minutes":Infinity'),
    "1e400": lambda r: _with(r, lambda d: d["assessments"][0].update(duration_minutes=1)).replace(
        b'"duration_minutes":1', b'"duration_minutes":1e400'),
    "unknown field": lambda r: _with(r, lambda d: d["gateway"].update(colour="blue")),
    "wrong enum": lambda r: _with(r, lambda d: d["assessments"][1].update(grade="merit")),
    "wrong kind": lambda r: _with(r, lambda d: d["assessments"][1].update(kind="again")),
    "empty id": lambda r: _with(r, lambda d: d["apprentice"].update(id="")),
    "impossible date": lambda r: _with(r, lambda d: d["gateway"].update(date="2024-02-30")),
    "null": lambda r: _with(r, lambda d: d["apprentice"].update(english=None)),
    "negative words": lambda r: _with(r, lambda d: d["assessments"][0].update(words=-1)),
    "zero duration": lambda r: _with(r, lambda d: d["assessments"][0].update(duration_minutes=0)),
    "BOM": lambda r: b"\xef\xbb\xbf" + _text(r).encode(),
    "Latin-1": lambda r: _latin1(r),
    "truncated": lambda r: _text(r).encode()[:-7],
    "trailing garbage": lambda r: _text(r).encode() + b" x",
    "two records on a line": lambda r: _text(r).encode() * 2,
    "both criteria_met and grade": lambda r: _with(r, lambda d: d["assessments"][0].update(grade="pass")),
    "neither criteria_met nor grade": lambda r: _with(r, lambda d: d["assessments"][1].pop("grade")),
    "repeated criterion": lambda r: _with(r, lambda d: d["assessments"][0]["criteria_met"].append(
        d["assessments"][0]["criteria_met"][0])),
    "deep list": lambda r: _text(r).replace('"criteria_met":[', '"criteria_met":[' + "[" * 10_000 + "]" * 10_000 + ",",
                                            1).encode(),
    "deep list under an unknown key": lambda r: _text(r)[:-1].encode() + b',"x":' + b"[" * 10_000 + b"]" * 10_000 + b"}",
    "unknown standard": lambda r: _with(r, lambda d: d.update(standard="ST9999")),
    "unknown method": lambda r: _with(r, lambda d: d["assessments"][1].update(method="interview")),
    "unknown criterion": lambda r: _with(r, lambda d: d["assessments"][0]["criteria_met"].append("Z9.9")),
    "unknown schedule method": lambda r: _with(r, lambda d: d.update(schedule={"interview": "2030-01-01"})),
    "unknown body in document_versions": lambda r: _with(r, lambda d: d.update(document_versions={"nobody": "1"})),
    "assessment before gateway": lambda r: _with(r, lambda d: d["assessments"][0].update(date="2000-01-01")),
    "second first attempt": lambda r: _with(r, lambda d: d["assessments"].append(
        {**d["assessments"][1], "date": "2030-01-01", "kind": "first", "notified": "2030-01-01"})),
    "not an object": lambda r: b"[]",
    "empty": lambda r: b"",
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_lines_are_left_to_the_slow_path(registry, name):
    raw = HOSTILE[name](registry)
    assert decode(raw, registry) is None
    if name == "BOM":  # the slow path reads a line as a record file is read: a byte-order mark before it is allowed
        assert slow(raw, registry) == slow(raw[3:], registry)
        return
    with pytest.raises(InputError):
        slow(raw, registry)


def _dated(registry: Registry, change) -> bytes:
    """A valid record with dates: a fail notified two days on, then its resit; ``change`` breaks one rule."""
    first, second = registry.method_ids(STANDARD)[:2]
    data = {"standard": STANDARD, "apprentice": {"id": "A", "date_of_birth": "2000-01-01", "start_date": "2024-01-01"},
            "gateway": {"date": "2025-01-01"}, "dates": {"epa_start": "2025-01-06"}, "schedule": {second: "2025-04-01"},
            "assessments": [{"method": first, "date": "2025-02-01", "grade": "fail", "notified": "2025-02-03"},
                            {"method": first, "date": "2025-03-01", "kind": "resit", "grade": "pass"}]}
    change(data)
    return line(data)


DATED = {  # each breaks one of epa.inputs.record_checks' rules (the slow path says which)
    "start on the date of birth": lambda d: d["apprentice"].update(start_date="2000-01-01"),
    "gateway before the start": lambda d: d["apprentice"].update(start_date="2025-06-01"),
    "notified before the assessment": lambda d: d["assessments"][0].update(notified="2025-01-20"),
    "attempts out of date order": lambda d: d["assessments"][1].update(date="2025-01-15"),
    "a resit with no earlier attempt": lambda d: d["assessments"][0].update(kind="resit"),
    "a resit after a pass": lambda d: d["assessments"][0].update(grade="pass"),
    "a second first attempt": lambda d: d["assessments"][1].update(kind="first"),
    "EPA start before gateway": lambda d: d["dates"].update(epa_start="2024-12-01"),
    "planning meeting before gateway": lambda d: d["dates"].update(planning_meeting="2024-12-01"),
    "a proposal resubmitted, never rejected": lambda d: d["dates"].update(proposal_resubmitted="2025-02-01"),
    "a proposal resubmitted before its rejection": lambda d: d["dates"].update(
        proposal_rejected="2025-02-10", proposal_resubmitted="2025-02-01"),
    "scheduled before gateway": lambda d: d["schedule"].update({next(iter(d["schedule"])): "2024-12-01"}),
}


@pytest.mark.parametrize("name", list(DATED))
def test_each_date_rule_broken_is_left_to_the_slow_path(registry, name):
    valid = _dated(registry, lambda d: None)
    assert same(decode(valid, registry), slow(valid, registry))
    raw = _dated(registry, DATED[name])
    assert decode(raw, registry) is None
    with pytest.raises(InputError):
        slow(raw, registry)


def test_a_colon_in_a_string_is_read_and_a_repeated_key_beside_it_refused(registry):
    """Keys are counted by the ':' that follow them; where a string holds one too, the keys themselves are."""
    raw = _with(registry, lambda d: d["apprentice"].update(id="A:1 {x: y}"))
    assert same(decode(raw, registry), slow(raw, registry))
    repeated = raw.replace(b'"gateway":{', b'"gateway":{"portfolio_pieces":1,', 1)
    assert repeated.count(b'"portfolio_pieces":') == 2  # the record gives it, and now again
    assert decode(repeated, registry) is None
    with pytest.raises(InputError, match="duplicate key"):
        slow(repeated, registry)


def test_a_lone_surrogate_is_never_trusted(registry):
    raw = _with(registry, lambda d: d["apprentice"].update(id="x")).replace(b'"id":"x"', b'"id":"\\ud800"')
    agrees(raw, registry)


def test_defaults_are_the_attrs_defaults(registry):
    minimal = {"standard": STANDARD, "apprentice": {"id": "A"}, "gateway": {"date": "2025-01-01"}}
    record = decode(line(minimal), registry)
    assert same(record, slow(line(minimal), registry))
    assert record.assessments == () and record.document_versions == {} and record.schedule == {}
    method = registry.method_ids(STANDARD)[0]
    explicit = {**minimal, "assessments": [{"method": method, "date": "2025-02-01", "kind": "first", "grade": "pass",
                                            "exceptional_circumstances": False, "duration_minutes": 30}]}
    attempt = decode(line(explicit), registry).assessments[0]
    assert attempt == slow(line(explicit), registry).assessments[0]
    assert type(attempt.duration_minutes) is float and attempt.criteria_met is None and type(attempt.grade) is Grade


def test_a_known_document_version(registry):
    body = next(b for b in registry.offering(STANDARD))
    version = body.body.rulesets_for(STANDARD)[0].document.version
    data = {**_base(registry), "document_versions": {body.body.id: version}}
    assert same(decode(line(data), registry), slow(line(data), registry))
    data["document_versions"] = {body.body.id: version + "-no-such"}
    assert decode(line(data), registry) is None


# --- from_data: a record already parsed (a CSV row's) --------------------------------------------------------


def agrees_on_data(data: Any, registry: Registry) -> Record | None:
    """from_data's answer, checked against record_from_data on the same builtins."""
    fast = from_data(copy.deepcopy(data), registry)
    try:
        expected = record_from_data(copy.deepcopy(data), Located("x", 1), registry, where="x:1")
    except InputError:
        assert fast is None, data
        return None
    assert fast is None or same(fast, expected), data
    return fast


@_FUZZ
@given(data=st.data())
def test_parsed_records_drawn_from_the_schema_with_known_names(registry, data):
    agrees_on_data(data.draw(_drawn(True)), registry)


def test_every_row_of_the_example_csv_cohort(registry):
    from epa.batch.cohort import CsvHeader, output_methods

    rows = list(csv.reader((ROOT / "examples" / "st0071-cohort.csv").read_text(encoding="utf-8").splitlines()))
    header = CsvHeader(rows[0], output_methods(registry), "cohort.csv:1")
    decoded = 0
    for cells in rows[1:]:
        try:
            data, _ = header.record(cells)
        except InputError:
            continue
        decoded += agrees_on_data(data, registry) is not None
    assert decoded  # the valid rows take the fast path


@pytest.mark.parametrize("data", [
    {"standard": "ST0071", "apprentice": {"id": "A"}, "gateway": {"date": "2025-01-01", "portfolio_pieces": "3"}},
    {"standard": "ST0071", "apprentice": {"id": "A"}, "gateway": {"date": "2025-01-01", "photo_id": 1}},
    {"standard": "ST0071", "apprentice": {"id": "A"}, "gateway": {"date": "2025-02-30"}},
    {"standard": "ST0071", "apprentice": {"id": "A", "nickname": "x"}, "gateway": {"date": "2025-01-01"}},
    {"standard": "ST0071", "apprentice": {"id": "A"}, "gateway": {"date": "2025-01-01", "portfolio": None}},
], ids=["a count as text", "a number for a yes/no", "an impossible date", "an unknown field", "a null"])
def test_a_parsed_record_the_schema_refuses_is_left_to_the_slow_path(registry, data):
    assert from_data(data, registry) is None
    with pytest.raises(InputError):
        record_from_data(data, Located("x", 1), registry, where="x:1")


def test_the_structs_mirror_their_attrs_classes():
    """A view reads as a Record, and as_record builds each attrs class from its Struct's fields in order: the names
    and order must match. Gateway and JourneyDates are built from every field, so each of their attrs defaults
    (the gateway date aside) must be None, the Struct's."""
    import attrs

    from epa.inputs.fastrecord import _Apprentice, _Attempt, _Dates, _Gateway, _Record
    from epa.model.domain import Apprentice, Attempt, Gateway, JourneyDates

    for struct, cls in ((_Record, Record), (_Apprentice, Apprentice), (_Gateway, Gateway), (_Attempt, Attempt),
                        (_Dates, JourneyDates)):
        assert struct.__struct_fields__ == tuple(f.name for f in attrs.fields(cls) if f.init)
    for cls in (Gateway, JourneyDates):
        assert all(f.default is None for f in attrs.fields(cls) if f.name != "date")


def test_a_view_reads_as_its_record(registry):
    """The engine and the date checks read a view as they read a Record: every attribute holds the same value
    (a list where the Record has a tuple), the defaults filled in, and the Record's methods answer alike."""
    import attrs

    from epa.inputs.fastrecord import as_record, view

    def alike(fast: Any, record: Any) -> None:
        for field in attrs.fields(type(record)):
            if field.init:
                mine, theirs = getattr(fast, field.name), getattr(record, field.name)
                assert (tuple(mine) if isinstance(mine, list) else mine) == theirs, field.name

    minimal = {"standard": STANDARD, "apprentice": {"id": "A"}, "gateway": {"date": "2025-01-01"}}
    for data in [minimal, *records(registry, 40, journey=True)]:
        raw = line(data)
        v, record = view(raw, registry), slow(raw, registry)
        assert same(as_record(v), record)
        for part in ("apprentice", "gateway", "dates"):
            alike(getattr(v, part), getattr(record, part))
        assert v.standard == record.standard and v.document_versions == record.document_versions
        assert v.schedule == record.schedule and len(v.assessments) == len(record.assessments)
        for a, b in zip(v.assessments, record.assessments, strict=True):
            alike(a, b)
            assert a.notified_on == b.notified_on
        for method in registry.method_ids(STANDARD):
            assert [a.date for a in v.attempts_at(method)] == [a.date for a in record.attempts_at(method)]


def test_a_null_is_refused_but_the_word_in_a_string_is_read(registry):
    """msgspec reads a null as an absent optional field; the slow path refuses it (the schema allows no null):
    the fast path counts it as a key its Structs do not hold, with or without an escape in the line."""
    assert same(decode(raw := _with(registry, lambda d: d["apprentice"].update(id="null")), registry),
                slow(raw, registry))
    for ident in ("A", "A\u0041"):
        raw = line({"standard": STANDARD, "apprentice": {"id": "A", "english": None},
                    "gateway": {"date": "2025-01-01"}}).replace(b'"id":"A"', f'"id":"{ident}"'.encode())
        assert b"null" in raw and decode(raw, registry) is None
        with pytest.raises(InputError, match="null is not allowed here"):
            slow(raw, registry)
