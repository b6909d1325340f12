"""Reading YAML/JSON files and validating them against our JSON Schemas, with errors a person can act on.

Every error names the file, the line and column where we can find it, the
JSON path, what was expected and, where one helps, a suggestion.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from epa.errors import InputError, did_you_mean

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when PyYAML has it: 5-10x faster


class _Loader(_Base):  # type: ignore[valid-type,misc]
    """SafeLoader that leaves dates as strings, so an impossible date such as
    2025-02-30 becomes a schema error with a path instead of a ValueError."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@cache
def schema(name: str) -> dict[str, Any]:
    """One of the JSON Schemas: shipped in the wheel as ``epa/schemas``, copied from the repository's
    ``schemas/``; an editable install reads that folder directly."""
    packaged = files("epa") / "schemas" / f"{name}.schema.json"
    source = packaged if packaged.is_file() else Path(__file__).parents[2] / "schemas" / f"{name}.schema.json"
    return json.loads(source.read_text(encoding="utf-8"))


@dataclass
class Source:
    """A file we read, able to say where a JSON path sits in it (parsed again only when an error needs it)."""

    path: Path
    text: str
    _node: yaml.Node | None = field(default=None, repr=False)

    def where(self, parts: Sequence[Any]) -> str:
        if self._node is None:
            with contextlib.suppress(yaml.YAMLError):
                self._node = yaml.compose(self.text, Loader=_Loader)
        pos = line_of(self._node, parts)
        place = f"{self.path}:{pos[0]}:{pos[1]}" if pos else str(self.path)
        return f"{place}: {json_path(parts)}"


def read(path: Path | str) -> tuple[Any, Source]:
    """Parse a YAML or JSON file (by its suffix)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("no such file", where=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the file: {exc}", where=str(path)) from None
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text), Source(path, text)
        except json.JSONDecodeError as exc:
            raise InputError(f"JSON syntax error: {exc.msg}", where=f"{path}:{exc.lineno}:{exc.colno}") from None
    try:
        return yaml.load(text, Loader=_Loader), Source(path, text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise InputError(f"YAML syntax error: {exc.problem or exc}", where=where) from None
    except yaml.YAMLError as exc:
        raise InputError(f"YAML error: {exc}", where=str(path)) from None


def json_path(parts: Iterable[Any]) -> str:
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def line_of(node: yaml.Node | None, parts: Sequence[Any]) -> tuple[int, int] | None:
    """1-based (line, column) of the value at a JSON path, as far down the path as the file goes."""
    found = None
    for part in parts:
        if node is None:
            break
        found = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == str(part)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            node = None
    if node is not None:
        found = (node.start_mark.line + 1, node.start_mark.column + 1)
    return found


def _explain(error: jsonschema.ValidationError) -> tuple[str, str | None, list[Any]]:
    """Turn one schema error into (message, hint, path), naming the offending key where there is one."""
    parts = list(error.absolute_path)
    rule: dict[str, Any] = error.schema if isinstance(error.schema, dict) else {}
    if error.validator == "additionalProperties":
        allowed = list(rule.get("properties", {}))
        extra = sorted(set(error.instance if isinstance(error.instance, dict) else ()) - set(allowed))
        key = extra[0] if extra else "?"
        return (f"unknown field {key!r}", did_you_mean(key, allowed), [*parts, key])
    if error.validator == "enum" and isinstance(error.instance, str):
        choices = [str(c) for c in rule.get("enum", [])]
        return (f"{error.instance!r} is not allowed here",
                did_you_mean(error.instance, choices) or "expected one of: " + ", ".join(choices), parts)
    if error.validator in ("oneOf", "anyOf") and "x-message" in rule:
        return rule["x-message"], None, parts
    if error.validator == "required":
        return error.message, None, parts
    if error.validator == "format":
        return f"{error.instance!r} is not a valid {error.validator_value} (expected YYYY-MM-DD)", None, parts
    return error.message, None, parts


def validate(data: Any, schema_name: str, source: Source) -> None:
    """Raise InputError listing every schema violation (up to five), the most relevant first."""
    validator = jsonschema.Draft202012Validator(schema(schema_name), format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(data), key=jsonschema.exceptions.relevance)
    if not errors:
        return
    explained = [_explain(e) for e in errors]
    message, hint, parts = explained[0]
    also = [f"\n  also: {source.where(p)}: {m}" + (f" ({h})" if h else "") for m, h, p in explained[1:5]]
    more = f"\n  … and {len(errors) - 5} more" if len(errors) > 5 else ""
    raise InputError(message + "".join(also) + more, where=source.where(parts), hint=hint)
