"""Loading a body's rulesets from its data files (the public helper body plugins call)."""

from __future__ import annotations

from importlib.abc import Traversable
from pathlib import Path

import attrs

from epa.convert import structure
from epa.documents import Source, read, validate
from epa.errors import InputError, did_you_mean
from epa.model import Journey, Ruleset, Standard
from epa.timeline import NOT_METHODS

JOURNEY_SUFFIX = ".journey.yaml"


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
    return attrs.evolve(structure(data, Ruleset, where=str(source.path)), source_file=str(source.path))


def load_standard(file: Path | Traversable) -> Standard:
    """Read and validate one standard's definition against ``schemas/standard.schema.json``."""
    data, source = read(Path(str(file)))
    validate(data, "standard", source)
    for key in ("methods", "criteria"):
        seen: set[str] = set()
        for i, item in enumerate(data[key]):
            if item["id"] in seen:
                raise InputError(f"{key} id {item['id']!r} appears twice", where=source.where([key, i, "id"]))
            seen.add(item["id"])
    return structure(data, Standard, where=str(source.path))


def load_journey(file: Path | Traversable, methods: set[str]) -> Journey:
    """Read and validate one journey file against ``schemas/journey.schema.json``; ``methods`` are the
    standard's method ids, which the file's method names must be."""
    data, source = read(Path(str(file)))
    validate(data, "journey", source)
    _check_journey_names(data, source, methods)
    return structure(data, Journey, where=str(source.path))


def _check_journey_names(data: dict, source: Source, methods: set[str]) -> None:
    ids = [d["id"] for d in data["deadlines"]]
    for section in ("gateway", "deadlines", "tolerances"):
        seen: set[str] = set()
        for i, rule in enumerate(data[section]):
            if rule["id"] in seen:
                raise InputError(f"{section} id {rule['id']!r} appears twice", where=source.where([section, i, "id"]))
            seen.add(rule["id"])
    for i, rule in enumerate(data["gateway"]):
        ref = (rule.get("check") or {}).get("deadline")
        if ref and ref["id"] not in ids:
            raise InputError(f"gateway requirement names deadline {ref['id']!r}, which the file does not declare",
                             where=source.where(["gateway", i, "check", "deadline", "id"]))
    # The schema allows any standard's method names; each must be one of this standard's.
    named = [(["deadlines", i, key], rule[key]) for i, rule in enumerate(data["deadlines"])
             for key in ("from", "event") if rule.get(key) is not None and rule[key] not in NOT_METHODS]
    named += [(["tolerances", i, "method"], t["method"]) for i, t in enumerate(data["tolerances"])]
    named += [(["resit", "rework", i, "method"], r["method"])
              for i, r in enumerate((data["resit"] or {}).get("rework", []))]
    for path, method in named:
        if method not in methods:
            raise InputError(f"names method {method!r}; this standard's methods are {sorted(methods)}",
                             where=source.where(path), hint=did_you_mean(method, sorted(methods)))


def load_rulesets(directory: Path | Traversable) -> tuple[Ruleset, ...]:
    """Every ``*.yaml`` ruleset in a plugin's data directory, in file-name order, each with the journey
    rules of its standard (``<standard>.journey.yaml``) where the directory has them."""
    files = sorted((p for p in directory.iterdir() if p.name.endswith((".yaml", ".yml"))), key=lambda p: p.name)
    rulesets = [load_ruleset(p) for p in files if not p.name.endswith(JOURNEY_SUFFIX)]
    journeys = {p.name.removesuffix(JOURNEY_SUFFIX): p for p in files if p.name.endswith(JOURNEY_SUFFIX)}
    loaded: dict[str, Journey] = {}
    for standard, path in journeys.items():
        versions = [r for r in rulesets if r.standard == standard]
        if not versions:
            raise InputError(f"journey rules for {standard}, but no ruleset for that standard", where=str(path))
        journey = loaded[standard] = load_journey(path, set(versions[0].method_ids))
        for ruleset in versions:
            if (journey.body, journey.document) != (ruleset.body, ruleset.document.file):
                raise InputError(f"journey file is {journey.body}'s {journey.document}, but the ruleset is "
                                 f"{ruleset.body}'s {ruleset.document.file}", where=str(path))
    return tuple(
        attrs.evolve(r, journey=j, ambiguities=r.ambiguities + j.ambiguities) if (j := loaded.get(r.standard)) else r
        for r in rulesets
    )
