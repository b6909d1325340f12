"""The record is defined once: schemas/record.schema.json is the contract. The attrs model (epa.model.domain), the typed
decoder (epa.inputs.fastrecord's Structs) and a cohort's CSV columns (epa.inputs.cohort_input) are held to it here, field by
field, so that a field added, renamed, made required or given another kind in one of them and not the others fails
this test, not a provider's cohort.

Issue 18: "the typed decoder and the attrs model are generated from it or held to it by a test that fails when one
field differs"."""

from __future__ import annotations

import datetime as dt
import json
import types
import typing
from pathlib import Path

import attrs
import pytest

from epa.inputs import cohort_input
from epa.inputs.fastrecord import _Apprentice, _Attempt, _Dates, _Gateway, _Record
from epa.model.domain import Apprentice, Attempt, Gateway, JourneyDates, Record

SCHEMA = json.loads((Path(__file__).resolve().parent.parent / "schemas" / "record.schema.json").read_text())

# Each object of the schema, by its JSON path, and the attrs class and Struct that hold it.
PARTS = {
    "$": (Record, _Record),
    "$.apprentice": (Apprentice, _Apprentice),
    "$.gateway": (Gateway, _Gateway),
    "$.assessments[*]": (Attempt, _Attempt),
    "$.dates": (JourneyDates, _Dates),
}


def _resolve(node: dict) -> dict:
    while "$ref" in node:
        node = SCHEMA["$defs"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _object(path: str) -> dict:
    node = SCHEMA
    for step in path.removeprefix("$").split(".")[1:]:
        if step.endswith("[*]"):
            node = _resolve(_resolve(node["properties"][step[:-3]])["items"])
        else:
            node = _resolve(node["properties"][step])
    return node


def _kind(node: dict) -> str:
    """What a property of the schema holds, in a word: date, boolean, integer, number, string, array, object."""
    node = _resolve(node)
    if "anyOf" in node or "oneOf" in node:
        kinds = {_kind(n) for n in node.get("anyOf", node.get("oneOf", []))} - {"null"}
        assert len(kinds) == 1, kinds
        return kinds.pop()
    if node.get("format") == "date":
        return "date"
    if "enum" in node and "type" not in node:
        return "string"
    kind = node["type"]
    if isinstance(kind, list):
        kinds = set(kind) - {"null"}
        assert len(kinds) == 1, kind
        kind = kinds.pop()
    return kind


def _python_kind(annotation: object) -> str:
    """The same word for a Python annotation (a Struct's or an attrs class's), None left out."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        assert len(args) == 1, annotation
        return _python_kind(args[0])
    if origin is typing.Annotated:
        return _python_kind(args[0])
    if origin is typing.Literal:
        return "string"
    if origin in (list, tuple):
        return "array"
    if origin is dict:
        return "object"
    plain = {dt.date: "date", bool: "boolean", int: "integer", float: "number", str: "string"}
    if annotation in plain:
        return plain[annotation]
    if isinstance(annotation, type) and issubclass(annotation, str):  # an enum of words (Grade, Level)
        return "string"
    return "object"  # a nested Struct or attrs class


@pytest.mark.parametrize("path", PARTS)
def test_the_model_and_the_decoder_have_the_schemas_fields(path):
    schema = _object(path)
    cls, struct = PARTS[path]
    fields = set(schema["properties"])
    assert {f.name for f in attrs.fields(cls) if f.init} == fields, f"epa.model.domain.{cls.__name__} against {path}"
    assert set(struct.__struct_fields__) == fields, f"epa.inputs.fastrecord.{struct.__name__} against {path}"
    assert schema.get("additionalProperties") is False, f"{path}: an unknown field must be refused"


@pytest.mark.parametrize("path", PARTS)
def test_what_the_schema_requires_has_no_default_and_nothing_else_is_required(path):
    schema = _object(path)
    cls, struct = PARTS[path]
    required = set(schema.get("required", ()))
    without_default = {f.name for f in attrs.fields(cls) if f.init and f.default is attrs.NOTHING}
    assert without_default == required, f"epa.model.domain.{cls.__name__} against {path}"
    defaults = dict(zip(struct.__struct_fields__[-len(struct.__struct_defaults__):], struct.__struct_defaults__,
                        strict=True)) if struct.__struct_defaults__ else {}
    assert set(struct.__struct_fields__) - set(defaults) == required, f"epa.inputs.fastrecord.{struct.__name__} against {path}"


@pytest.mark.parametrize("path", PARTS)
def test_each_field_holds_the_same_kind_of_value_in_all_three(path):
    schema = _object(path)
    cls, struct = PARTS[path]
    model_hints = typing.get_type_hints(cls, include_extras=True)
    struct_hints = typing.get_type_hints(struct, include_extras=True)
    for name, node in schema["properties"].items():
        kind = _kind(node)
        assert _python_kind(model_hints[name]) == kind, f"epa.model.domain.{cls.__name__}.{name}: the schema says {kind}"
        assert _python_kind(struct_hints[name]) == kind, f"epa.inputs.fastrecord.{struct.__name__}.{name}: the schema says {kind}"


def test_every_field_a_csv_can_give_is_a_field_of_the_schema_of_its_kind():
    apprentice, gateway, dates = (_object(p)["properties"] for p in ("$.apprentice", "$.gateway", "$.dates"))
    assert set(cohort_input.APPRENTICE) == set(apprentice) - {"id"}
    assert set(cohort_input.GATEWAY) == set(gateway) - {"date"}
    assert set(cohort_input.DATES) == set(dates)
    everything = {**apprentice, **gateway}
    assert {name for name, node in everything.items() if _kind(node) == "boolean"} == cohort_input.BOOLEANS
    assert {name for name, node in everything.items() if _kind(node) == "integer"} == cohort_input.INTEGERS
    assert all(_kind(node) == "date" for node in dates.values())


def test_this_test_sees_a_field_that_differs():
    """The checks above can fail: a schema with one more gateway field is not the model's."""
    schema = _object("$.gateway")
    extra = {**schema["properties"], "signed_off": {"type": "boolean"}}
    assert {f.name for f in attrs.fields(Gateway) if f.init} != set(extra)
    assert _python_kind(dt.date | None) == "date" and _python_kind(bool) == "boolean"
    assert _kind({"type": ["integer", "null"]}) == "integer"
