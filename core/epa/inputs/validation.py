"""A fast yes-or-no check of a document against one of the JSON Schemas, compiled once per process.

The schemas in ``schemas/`` stay the contract, and ``jsonschema`` stays the validator that explains a
failure (``documents.validate``): this module only answers "valid?" quickly, so that a valid record, the
common case in a cohort, is not walked by jsonschema's interpreter. ``fastjsonschema`` turns a schema into
Python code once; measured on synthetic ST0071 records (``bench/engine_bench.py``) it checks a record about
8 times faster than a ``jsonschema`` validator, built once or per call. Compiling costs about as much as
validating 15 records, so a schema is compiled only once it has been used a few times (``WARM``).

A schema is compiled only when every keyword it uses means the same in the draft fastjsonschema implements
(draft 7) as in the schemas' draft 2020-12 (``dependentRequired``, for one, does not exist in draft 7); any
other schema, or a missing fastjsonschema, gives None and the caller validates with jsonschema. The compiled
check never fills in defaults (the data is not changed) and "date" is checked as jsonschema checks it: an
ISO 8601 calendar date that exists.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Callable
from functools import cache
from typing import Any

# Keywords whose meaning draft 7 and draft 2020-12 share (annotations included: they check nothing).
_SHARED = frozenset({
    "$defs", "$id", "$ref", "$schema", "$comment", "additionalProperties", "const", "default", "deprecated",
    "description", "enum", "exclusiveMaximum", "exclusiveMinimum", "format", "items", "maxItems", "maxLength",
    "maxProperties", "maximum", "minItems", "minLength", "minProperties", "minimum", "not", "oneOf", "anyOf",
    "allOf", "pattern", "properties", "propertyNames", "required", "title", "type", "uniqueItems", "if", "then",
    "else", "examples",
})
_NAMED = ("properties", "$defs")  # their keys are names, not keywords
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def is_date(value: str) -> bool:
    """An ISO 8601 calendar date (YYYY-MM-DD) that exists, as jsonschema's "date" format has it."""
    if not _DATE.fullmatch(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _keywords(node: Any, found: set[str]) -> set[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in _NAMED and isinstance(value, dict):
                for sub in value.values():
                    _keywords(sub, found)
                found.add(key)
            elif key.startswith("x-"):  # our own annotations (x-message)
                continue
            elif key == "format":
                found.add(f"format:{value}")
            else:
                found.add(key)
                _keywords(value, found)
    elif isinstance(node, list):
        for item in node:
            _keywords(item, found)
    return found


@cache
def compiled(schema_name: str) -> Callable[[Any], bool] | None:
    """A check ``data -> bool`` for one of the schemas, or None where only jsonschema can validate it."""
    try:
        import fastjsonschema
    except ImportError:  # pragma: no cover - fastjsonschema is a dependency; a broken install still validates
        return None
    from epa.inputs.jsonschemas import schema

    definition = schema(schema_name)
    if not _keywords(definition, set()) <= _SHARED | {"format:date"}:
        return None
    draft7 = {**definition, "$schema": "http://json-schema.org/draft-07/schema#"}
    check = fastjsonschema.compile(draft7, formats={"date": is_date}, use_default=False,
                                   detailed_exceptions=False)
    error = fastjsonschema.JsonSchemaException

    def is_valid(data: Any) -> bool:
        try:
            check(data)
        except error:
            return False
        return True

    return is_valid


# Compiling a schema takes about as long as jsonschema validating 15 records, so a schema is compiled on its
# WARM-th use. But importing jsonschema costs twice what compiling does: where it is not imported yet (a warm
# start, the rules from the cache), the record's schema, which every command checks, is compiled at once, and a
# valid record never imports jsonschema.
WARM = 8
WARM_AT_ONCE = frozenset({"record"})
_uses: dict[str, int] = {}


def is_valid(data: Any, schema_name: str) -> bool | None:
    """True: the data is valid. False: it is not. None: no compiled check (yet, or for this schema): ask
    jsonschema."""
    uses = _uses[schema_name] = _uses.get(schema_name, 0) + 1
    if uses < WARM and (schema_name not in WARM_AT_ONCE or "jsonschema" in sys.modules):
        return None
    check = compiled(schema_name)
    return None if check is None else check(data)
