"""Loading a body's rulesets from its data files (the public helper body plugins call)."""

from __future__ import annotations

from importlib.abc import Traversable
from pathlib import Path

from epa.convert import structure
from epa.documents import read, validate
from epa.errors import InputError
from epa.model import Ruleset


def load_ruleset(file: Path | Traversable) -> Ruleset:
    """Read and validate one ruleset file against ``schemas/ruleset.schema.json``."""
    data, source = read(Path(str(file)))
    validate(data, "ruleset", source)
    methods = {m["id"] for m in data["methods"]}
    seen: set[str] = set()
    for i, criterion in enumerate(data["criteria"]):
        if criterion["id"] in seen:
            raise InputError(f"criterion id {criterion['id']!r} appears twice", where=source.where(["criteria", i]))
        seen.add(criterion["id"])
        if criterion["method"] not in methods:
            raise InputError(f"criterion names method {criterion['method']!r}, which the ruleset does not declare",
                             where=source.where(["criteria", i, "method"]))
    for i, row in enumerate(data["combination"]["rows"]):
        if set(row["when"]) != methods:
            raise InputError(f"row columns {sorted(row['when'])} are not the methods {sorted(methods)}",
                             where=source.where(["combination", "rows", i, "when"]))
    return structure(data, Ruleset, where=str(source.path))


def load_rulesets(directory: Path | Traversable) -> tuple[Ruleset, ...]:
    """Every ``*.yaml`` ruleset in a plugin's data directory, in file-name order."""
    found = sorted((p for p in directory.iterdir() if p.name.endswith((".yaml", ".yml"))), key=lambda p: p.name)
    return tuple(load_ruleset(p) for p in found)
