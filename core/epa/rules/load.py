"""Loading a body's rulesets from its data files (the public helper body plugins call)."""

from __future__ import annotations

import copy
import datetime as dt
import functools
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from epa import cache
from epa.errors import InputError, Place, did_you_mean
from epa.inputs.documents import Source, parse, read, read_bytes, validate
from epa.inputs.hostile import RULES
from epa.model.domain import NOT_METHODS, Change, Journey, LogEntry, Ruleset, Standard

if TYPE_CHECKING:  # (importlib.abc would bring importlib.resources, tempfile and zipfile to every start)
    from importlib.abc import Traversable

JOURNEY_SUFFIX = ".journey.yaml"
_T = TypeVar("_T")

# The files of a folder as they were read once, for the cache's key and for the rules alike (:func:`_read_once`).
Texts = Mapping[Path, tuple[bytes, str, str]]


def _read_once(files: Sequence[Path]) -> Texts | None:
    """Each file's bytes as :func:`read` reads them (bounded), read once: what a cache entry is keyed by is then the
    text its rules are read from, however the file is saved meanwhile. None where one cannot be read (missing,
    too large...): nothing is cached, and reading the rules says what is wrong, at the file it is wrong in."""
    try:
        return {path: read_bytes(path) for path in files}
    except InputError:
        return None


def _key(kind: str, texts: Texts | None) -> str | None:
    return None if texts is None else cache.key(kind, [(p, raw) for p, (raw, _, _) in texts.items()],
                                                cache.objects_key())


def _read(path: Path, texts: Texts) -> tuple[Any, Source]:
    """``read(path)``, from the text read once where it was (a file ``based_on`` names is one of the folder's)."""
    return parse(*texts[path], holds=RULES) if path in texts else read(path, RULES)


def structure(data: Any, cls: type[_T], where: str) -> _T:
    """``epa.model.convert.structure``: cattrs is imported only when a file is read (a warm start's rules come from the
    cache as the model's objects)."""
    from epa.model.convert import structure as structured

    return structured(data, cls, where)


@functools.cache
def _model_classes() -> dict[tuple[str, str], type]:
    """What a cache entry of rules may hold (``cache.get_objects``): the domain model's classes (those of its
    module, or of the modules of its package once it is one), the read-only mapping they hold theirs in, and
    dates."""
    import sys

    from epa.model import domain as model
    from epa.model.frozen import FrozenDict

    found: dict[tuple[str, str], type] = {(c.__module__, c.__qualname__): c
                                          for name, module in list(sys.modules.items())
                                          if name == model.__name__ or name.startswith(model.__name__ + ".")
                                          for c in vars(module).values()
                                          if isinstance(c, type) and c.__module__ == name}
    found[("datetime", "date")] = dt.date
    found[(FrozenDict.__module__, FrozenDict.__qualname__)] = FrozenDict
    return found


def load_ruleset(file: Path | Traversable) -> Ruleset:
    """Read and validate one ruleset file against ``schemas/ruleset.schema.json``: a whole ruleset, or a later
    version stored as its predecessor (``based_on``, a file in the same folder, read first) plus ``changes``."""
    return _load_ruleset(Path(str(file)), {}, (), {})[1]


Loaded = dict[Path, tuple[dict[str, Any], Ruleset]]  # each file read once: its (resolved) data and its ruleset


def _load_ruleset(path: Path, loaded: Loaded, chain: tuple[Path, ...],
                  texts: Texts) -> tuple[dict[str, Any], Ruleset]:
    key = path.resolve()
    if key in loaded:
        return loaded[key]
    data, source = _read(path, texts)
    extra: dict[str, Any] = {}
    if isinstance(data, dict) and ("based_on" in data or "changes" in data):
        data, extra = _derive(data, source, loaded, (*chain, key), texts)
    else:
        validate(data, "ruleset", source)
        _check_ruleset(data, source)
    ruleset = attrs.evolve(structure(data, Ruleset, where=str(source.path)), source_file=str(source.path), **extra)
    loaded[key] = (data, ruleset)
    return data, ruleset


def _check_sets(ambiguity: dict[str, Any], where: Place) -> None:
    """A reading's ``criteria_sets`` divide its ``criteria`` among them, each once, and go with ``alternatives``:
    a set's whole being met is what lets another set's missing criterion count (``grading._reading``)."""
    sets = ambiguity.get("criteria_sets")
    if sets is None:
        return
    if ambiguity.get("criteria_otherwise") != "alternatives":
        raise InputError("criteria_sets go with criteria_otherwise: alternatives (the other reading needs any one "
                         "whole set)", where=where, hint="add criteria_otherwise: alternatives, or leave the sets out")
    named = [c for s in sets for c in s]
    if sorted(named) != sorted(ambiguity.get("criteria", ())):
        raise InputError(f"the sets hold {sorted(named)}, not the reading's criteria "
                         f"{sorted(ambiguity.get('criteria', ()))}, each once", where=where,
                         hint="put each criterion the reading names in exactly one set")


def _check_needed_at(ambiguity: dict[str, Any], criteria: dict[str, dict[str, Any]], methods: set[str],
                     where: Callable[..., Place]) -> None:
    """A reading whose other reading needs more (``needed_at``) says where, at a method the ruleset declares, and
    needs there no criterion this reading already needs as much: what it names at that method is a distinction
    criterion the other reading needs for a pass, the rest another method's or none (``grading._falls``)."""
    at, otherwise = ambiguity.get("needed_at"), ambiguity.get("criteria_otherwise")
    if at is None and otherwise == "needed_at":
        raise InputError("criteria_otherwise needed_at names no needed_at (the method and level the other reading "
                         "needs the criteria at)", where=where("criteria_otherwise"),
                         hint="add needed_at: {method: ..., level: pass}")
    if at is None:
        return
    if otherwise != "needed_at":
        raise InputError("needed_at goes with criteria_otherwise: needed_at (the other reading needs the criteria "
                         "there)", where=where("needed_at"),
                         hint="add criteria_otherwise: needed_at, or leave needed_at out")
    if at["method"] not in methods:
        raise InputError(f"needed_at names method {at['method']!r}, which the ruleset does not declare",
                         where=where("needed_at", "method"),
                         hint=did_you_mean(at["method"], sorted(methods)))
    for k, cid in enumerate(ambiguity.get("criteria", ())):
        held = criteria.get(cid)
        if held and held["method"] == at["method"] and not (held["level"] == "distinction" and at["level"] == "pass"):
            raise InputError(f"{cid} is a {held['level']} criterion of {held['method']} already: the other reading "
                             f"would need it no more there at {at['level']}", where=where("criteria", k),
                             hint="needed_at is for criteria the other reading needs more: a distinction criterion "
                                  "it needs for a pass, or one this reading needs elsewhere or nowhere")


def reading_refused(ambiguity: dict[str, Any], criteria: dict[str, dict[str, Any]],
                    methods: set[str]) -> InputError | None:
    """Why loading a rules file would refuse a reading's criteria_sets or needed_at (``ambiguity`` as the file gives
    it; ``criteria`` each criterion's method and level, by id), or None: for a ruleset a plugin makes otherwise
    (in code), which the conformance suite holds to the same."""
    try:
        _check_sets(ambiguity, Place())
        _check_needed_at(ambiguity, criteria, methods, lambda *parts: Place())
    except InputError as exc:
        return exc
    return None


def _check_ruleset(data: dict[str, Any], source: Source) -> None:
    """What the schema cannot say: ids unique, criteria and rows naming the declared methods."""
    methods = {m["id"] for m in data["methods"]}
    seen: set[str] = set()
    for i, criterion in enumerate(data["criteria"]):
        if criterion["id"] in seen:
            raise InputError(f"criterion id {criterion['id']!r} appears twice", where=source.place(["criteria", i]))
        seen.add(criterion["id"])
        if criterion["method"] not in methods:
            raise InputError(f"criterion names method {criterion['method']!r}, which the ruleset does not declare",
                             where=source.place(["criteria", i, "method"]))
    for i, row in enumerate(data["combination"]["rows"]):
        if set(row["when"]) != methods:
            raise InputError(f"row columns {sorted(row['when'])} are not the methods {sorted(methods)}",
                             where=source.place(["combination", "rows", i, "when"]))
    for i, ambiguity in enumerate(data["ambiguities"]):
        _check_sets(ambiguity, source.place(["ambiguities", i, "criteria_sets"]))
        _check_needed_at(ambiguity, {c["id"]: c for c in data["criteria"]}, methods,
                         lambda *parts, i=i: source.place(["ambiguities", i, *parts]))
        for k, combination in enumerate(ambiguity.get("combinations", ())):
            if set(combination) != methods:
                raise InputError(f"the reading's combination names {sorted(combination)}, not the methods "
                                 f"{sorted(methods)}", where=source.place(["ambiguities", i, "combinations", k]),
                                 hint="name every method the ruleset declares, each with its grade")
    distinction = (data["combination"]["rule_in_words"].get("decides") or {}).get("distinction")
    if isinstance(distinction, dict):
        path = ["combination", "rule_in_words", "decides", "distinction"]
        for i, method in enumerate(distinction.get("methods", ())):
            if method not in methods:
                raise InputError(f"the rule in words names method {method!r}, which the ruleset does not declare",
                                 where=source.place([*path, "methods", i]), hint=did_you_mean(method, sorted(methods)))
        if distinction.get("at_least", 0) > len(methods):
            raise InputError(f"the rule in words needs a distinction in at least {distinction['at_least']} methods, "
                             f"but the ruleset has {len(methods)}", where=source.place([*path, "at_least"]),
                             hint="count the methods the document grades; at_least is at most that many")


VERSION_FILE = ("based_on", "document", "changes", "log")


class _Resolved(Source):
    """The ruleset a version file's changes make, which no file holds: a place in it is named as a change path
    names it (criteria[S1.5].level)."""

    def __init__(self, data: dict[str, Any], path: Path):
        super().__init__(path, "")
        self.data = data

    def place(self, parts: Sequence[Any]) -> Place:
        from epa.rules.versions import render

        return Place(path=render(self.data, parts))


def _invalid(data: dict[str, Any], path: Path) -> InputError | None:
    try:
        validate(data, "ruleset", _Resolved(data, path))
        _check_ruleset(data, _Resolved(data, path))
    except InputError as exc:
        return exc
    return None


def _derive(data: dict[str, Any], source: Source, loaded: Loaded, chain: tuple[Path, ...],
            texts: Texts) -> tuple[dict[str, Any], dict[str, Any]]:
    """A version file's whole ruleset: its predecessor's, with its document block and its changes applied in
    order; and the Ruleset fields that record them (based_on, changes)."""
    from epa.rules.versions import PathError, apply_change

    if "based_on" not in data:
        raise InputError("changes belong to a version file, which names the ruleset it changes: add based_on "
                         "(its predecessor's file, in the same folder)", where=source.place(["changes"]))
    for key in data:
        if key not in VERSION_FILE:
            raise InputError(f"a version file holds only based_on, document, changes and log; {key!r} comes from "
                             f"{data['based_on']} (to change it, add an entry to changes)", where=source.place([key]))
    validate(data, "ruleset", source)
    base_path = source.path.parent / data["based_on"]
    if base_path.resolve() in chain:
        cycle = " → ".join([*(p.name for p in chain), base_path.name])
        raise InputError(f"based_on makes a cycle: {cycle}", where=source.place(["based_on"]))
    if not base_path.is_file() or not _rules_file(base_path.name) or base_path.name.endswith(JOURNEY_SUFFIX):
        others = [p.name for p in source.path.parent.iterdir() if _rules_file(p.name)
                  and not p.name.endswith(JOURNEY_SUFFIX) and p.name != source.path.name]
        raise InputError(f"based_on names {data['based_on']!r}, which is not a ruleset file in "
                         f"{source.path.parent}", where=source.place(["based_on"]),
                         hint=did_you_mean(data["based_on"], others))
    base_data, base = _load_ruleset(base_path, loaded, chain, texts)
    old, new = base_data["document"], data["document"]
    if not (new.get("version") and old.get("version")):  # a later version of a document that gives none
        raise InputError(f"a version file is a later version of {data['based_on']}'s document: both documents "
                         "give their versions", where=source.place(["document"] if not new.get("version") else
                                                                  ["based_on"]),
                         hint="give document.version here, and in the ruleset it is based on")
    if new["version"] == old["version"]:
        raise InputError(f"version {new['version']!r} is {data['based_on']}'s too: a version file is a later "
                         "version of its predecessor's document", where=source.place(["document", "version"]))
    if old.get("effective_from") and new["effective_from"] <= old["effective_from"]:
        raise InputError(f"effective_from {new['effective_from']} is not after {data['based_on']}'s "
                         f"({old['effective_from']}): a version file is a later version",
                         where=source.place(["document", "effective_from"]))
    resolved = {**copy.deepcopy(base_data), "document": new}
    changes = []
    for i, change in enumerate(data["changes"]):
        try:
            entry = apply_change(resolved, change)
        except PathError as exc:
            raise InputError(f"{change['op']} {change['path']}: {exc.message}",
                             where=source.place(["changes", i, exc.field]), hint=exc.hint) from None
        placed = {k: str(change[k]) for k in ("before", "after") if k in change}
        changes.append(Change(op=change["op"], path=change["path"], citation=change["citation"],
                              says=change["says"], value=change.get("value"), entry=entry, **placed))
    if _invalid(resolved, source.path):
        # Name the change that made it invalid: the last after which a valid ruleset became an invalid one.
        state, culprit, problem, ok = {**copy.deepcopy(base_data), "document": new}, 0, None, True
        for i, change in enumerate(data["changes"]):
            apply_change(state, change)
            found = _invalid(state, source.path)
            if found and ok:
                culprit, problem = i, found
            ok = found is None
        assert problem is not None
        change = data["changes"][culprit]
        raise InputError(f"{change['op']} {change['path']} leaves the ruleset invalid: {problem.where}: "
                         f"{problem.message}", hint=problem.hint,
                         where=source.place(["changes", culprit, "path" if change["op"] == "remove" else "value"]))
    log = tuple(structure(entry, LogEntry, where=str(source.path)) for entry in data.get("log", ()))
    return resolved, {"based_on": base.document.version, "changes": tuple(changes), "log": log}


def load_standard(file: Path | Traversable) -> Standard:
    """Read and validate one standard's definition against ``schemas/standard.schema.json`` (cached as the
    rulesets are: see load_rulesets)."""
    path = Path(str(file))
    texts = _read_once([path])
    entry = _key("standard-objects", texts)
    hit = cache.get_objects(entry, _model_classes())
    if type(hit) is Standard:
        return hit
    standard = _read_standard(path, texts or {})
    cache.put_objects(entry, standard, _model_classes())
    return standard


def _read_standard(path: Path, texts: Texts) -> Standard:
    data, source = _read(path, texts)
    validate(data, "standard", source)
    for key in ("methods", "criteria"):
        seen: set[str] = set()
        for i, item in enumerate(data[key]):
            if item["id"] in seen:
                raise InputError(f"{key} id {item['id']!r} appears twice", where=source.place([key, i, "id"]))
            seen.add(item["id"])
    methods = [m["id"] for m in data["methods"]]
    for i, item in enumerate(data["criteria"]):
        if "method" in item and item["method"] not in methods:
            raise InputError(f"criterion {item['id']!r} is placed in the method {item['method']!r}, which the standard "
                             "does not have", where=source.place(["criteria", i, "method"]),
                             hint=did_you_mean(item["method"], methods) or f"one of {', '.join(methods)}")
    return structure(data, Standard, where=str(source.path))


def load_journey(file: Path | Traversable, methods: set[str]) -> Journey:
    """Read and validate one journey file against ``schemas/journey.schema.json``; ``methods`` are the
    standard's method ids, which the file's method names must be."""
    return _load_journey(Path(str(file)), methods, {})


def _load_journey(path: Path, methods: set[str], texts: Texts) -> Journey:
    data, source = _read(path, texts)
    validate(data, "journey", source)
    _check_journey_names(data, source, methods)
    return structure(data, Journey, where=str(source.path))


def _check_journey_names(data: dict, source: Source, methods: set[str]) -> None:
    ids = [d["id"] for d in data["deadlines"]]
    for section in ("gateway", "deadlines", "tolerances", "recommendations", "conduct"):
        seen: set[str] = set()
        for i, rule in enumerate(data.get(section, [])):
            if rule["id"] in seen:
                raise InputError(f"{section} id {rule['id']!r} appears twice", where=source.place([section, i, "id"]))
            seen.add(rule["id"])
    advice = {d["id"] for d in data["deadlines"] if d.get("strength") == "advice"}
    for i, rule in enumerate(data["gateway"]):
        ref = (rule.get("check") or {}).get("deadline")
        if ref and ref["id"] not in ids:
            raise InputError(f"gateway requirement names deadline {ref['id']!r}, which the file does not declare",
                             where=source.place(["gateway", i, "check", "deadline", "id"]))
        if ref and ref["id"] in advice and (rule.get("strength") == "mandatory" or rule.get("mandatory") is True):
            raise InputError(f"a mandatory gateway requirement is checked against deadline {ref['id']!r}, which is "
                             "advice (strength: advice)", where=source.place(["gateway", i, "check", "deadline", "id"]),
                             hint="give the requirement the strength its sentence has (recommended), or the deadline "
                                  "strength: required")
    for i, deadline in enumerate(data["deadlines"]):
        if deadline.get("strength") == "advice" and isinstance(deadline.get("consequence"), dict):
            raise InputError(f"deadline {deadline['id']!r} is advice (strength: advice) but states a consequence "
                             f"({deadline['consequence']['says']!r}); advice is never a failure",
                             where=source.place(["deadlines", i, "consequence"]),
                             hint="a deadline whose sentence says what follows a miss is strength: required; "
                                  "an advice one's consequence is none_stated")
    for i, window in enumerate((data["resit"] or {}).get("windows", [])):
        if window.get("strength") == "advice" and window["consequence"] != "none_stated":
            raise InputError(f"window {window['id']!r} is advice (strength: advice) but states a consequence "
                             f"({window['consequence']}); advice is never a failure",
                             where=source.place(["resit", "windows", i, "strength"]),
                             hint="a window whose sentence says what follows a miss is strength: required")
    # "no limit within the 12 months" is stated of a period: the window it names must be one the file declares
    attempts = (data["resit"] or {}).get("attempts", {})
    if "within" in attempts:
        windows = [w["id"] for w in data["resit"]["windows"]]
        if attempts.get("kind") != "no_limit_within":
            raise InputError(f"attempts names window {attempts['within']!r} (within) but its kind is "
                             f"{attempts.get('kind')!r}; only no_limit_within is stated of a period",
                             where=source.place(["resit", "attempts", "within"]),
                             hint="kind: no_limit_within, or leave within out")
        if attempts["within"] not in windows:
            raise InputError(f"attempts names window {attempts['within']!r} (within), which the file does not "
                             "declare", where=source.place(["resit", "attempts", "within"]),
                             hint=did_you_mean(attempts["within"], windows))
    # A resit window, or a rework span, counts forward from a fail (or the first assessment) that comes before every
    # attempt it governs: one of no length, or reaching back, is missed by every resit, which the window's consequence
    # (a whole EPA again) would then fall on. The schema's offset is shared with deadlines, which may reach back.
    resit = data["resit"] or {}
    for part in ("windows", "rework"):
        for i, rule in enumerate(resit.get(part, [])):
            ((unit, count),) = rule["offset"].items()
            if count <= 0:
                what, missed = ("window", "resit or retake") if part == "windows" else ("rework", "rework")
                counted = rule.get("from") or "the fail"
                raise InputError(f"{what} {rule['id']!r} spans {count} {unit.replace('_', ' ')}: every {missed} "
                                 "would miss it", where=source.place(["resit", part, i, "offset", unit]),
                                 hint=f"a span of 1 or more after {counted}, as the document states it")
    # The schema allows any standard's method names; each must be one of this standard's.
    named = [(["deadlines", i, key], rule[key]) for i, rule in enumerate(data["deadlines"])
             for key in ("from", "event") if rule.get(key) is not None and rule[key] not in NOT_METHODS]
    named += [(["tolerances", i, "method"], t["method"]) for i, t in enumerate(data["tolerances"])]
    named += [(["resit", "rework", i, "method"], r["method"])
              for i, r in enumerate((data["resit"] or {}).get("rework", []))]
    named += [(["recommendations", i, "about"], r["about"])
              for i, r in enumerate(data.get("recommendations", [])) if "about" in r]
    named += [(["conduct", i, "about"], c["about"]) for i, c in enumerate(data.get("conduct", [])) if "about" in c]
    for path, method in named:
        if method not in methods:
            raise InputError(f"names method {method!r}; this standard's methods are {sorted(methods)}",
                             where=source.place(path), hint=did_you_mean(method, sorted(methods)))


def _rules_file(name: str) -> bool:
    return name.endswith((".yaml", ".yml")) and not name.startswith(".")


def not_read_as_rules(path: Path) -> InputError | None:
    """Why :func:`load_rulesets` would not read ``path`` as rules, given its folder, or None where it would read it:
    a name it refuses (:func:`_refuse_misnamed`), or one it leaves out (neither ``*.yaml`` nor ``*.yml``, or hidden).
    ``epa check-rules`` asks this of each file it is given, so that a file it passes is one loading reads."""
    try:
        _refuse_misnamed(path)
    except InputError as refused:
        return refused
    if _rules_file(path.name):
        return None
    stem = path.name.lstrip(".").rpartition(".")[0] or path.name.lstrip(".")
    return InputError(f"{path.name} is not read as rules: the rules files epa reads from a body's folder are named "
                      "*.yaml (or *.yml), and a hidden file (a name starting with '.') is not among them",
                      where=Place(str(path)), hint=f"rename it {stem}.yaml")


def _refuse_misnamed(path: Path) -> None:
    """Refuse a file its author meant as rules that is not named as the folder's rules are found: a suffix in
    other capitals (``ST0071.YAML``, as a case-blind file system lets it be written and still finds it), JSON, or a
    journey file named ``.yml`` (which would be read as a ruleset). Left out, the body would load without it: no
    journey rules, or a ruleset missing, and no word of it."""
    name = path.name
    if name.startswith("."):
        return
    stem, dot, suffix = name.rpartition(".")
    if not dot or suffix.lower() not in ("yaml", "yml", "json"):
        return
    journey = stem.lower().endswith(".journey")
    meant = (stem[: -len(".journey")] + JOURNEY_SUFFIX) if journey else f"{stem}.yaml"
    if name == meant or (not journey and suffix == "yml"):
        return
    if suffix.lower() == "json":
        why = "the rules files epa reads are YAML, named *.yaml (JSON is YAML: its text can stay as it is)"
    elif journey:
        why = f"a standard's journey rules are read from <standard>{JOURNEY_SUFFIX}, so named, in lower case"
    else:
        why = "the rules files epa reads are named *.yaml or *.yml, in lower case"
    hint = f"rename it {meant}" + (", or move it out of the rules folder if it holds no rules" if suffix.lower() ==
                                    "json" else "")
    raise InputError(f"{name} is not read as rules: {why}", where=Place(str(path)), hint=hint)


def load_rulesets(directory: Path | Traversable) -> tuple[Ruleset, ...]:
    """Every ``*.yaml`` ruleset in a plugin's data directory, in file-name order, each with the journey
    rules of its standard (``<standard>.journey.yaml``) where the directory has them. As ``*.yaml`` in a shell,
    hidden files are not among them: an editor's lock (``.#ST0071.yaml``), a copy's AppleDouble (``._ST0071.yaml``).
    A file named as one but otherwise (``ST0071.YAML``, ``ST0071.json``) is refused (:func:`_refuse_misnamed`).

    Reading and validating them is most of what loading a body costs, at every start; so the rulesets are
    cached (``epa.cache``) as the model's objects, keyed by the files' contents and the code."""
    listed = sorted((Path(str(p)) for p in directory.iterdir()), key=lambda p: p.name)
    for path in listed:
        _refuse_misnamed(path)
    files = [p for p in listed if _rules_file(p.name)]
    texts = _read_once(files)
    entry = _key("rulesets-objects", texts)
    hit = cache.get_objects(entry, _model_classes())
    if type(hit) is tuple and all(type(r) is Ruleset for r in hit):  # else (not what was stored): read the files
        return hit
    rulesets = _read_rulesets(files, texts or {})
    cache.put_objects(entry, rulesets, _model_classes())
    return rulesets


def _read_rulesets(files: list[Path], texts: Texts) -> tuple[Ruleset, ...]:
    seen: Loaded = {}  # a version file's predecessor is read once, for both
    rulesets = [_load_ruleset(p, seen, (), texts)[1] for p in files if not p.name.endswith(JOURNEY_SUFFIX)]
    _one_file_per_version(rulesets, texts)
    journeys = {p.name.removesuffix(JOURNEY_SUFFIX): p for p in files if p.name.endswith(JOURNEY_SUFFIX)}
    loaded: dict[str, Journey] = {}
    for standard, path in journeys.items():
        versions = [r for r in rulesets if r.standard == standard]
        if not versions:
            raise InputError(f"journey rules for {standard}, but no ruleset for that standard", where=str(path))
        journey = loaded[standard] = _load_journey(path, set(versions[0].method_ids), texts)
        for ruleset in versions:
            if (journey.body, journey.document) != (ruleset.body, ruleset.document.file):
                raise InputError(f"journey file is {journey.body}'s {journey.document}, but the ruleset is "
                                 f"{ruleset.body}'s {ruleset.document.file}", where=str(path))
    combined = tuple(
        attrs.evolve(r, journey=j, ambiguities=r.ambiguities + j.ambiguities) if (j := loaded.get(r.standard)) else r
        for r in rulesets
    )
    for ruleset in combined:
        _check_readings(ruleset, journeys.get(ruleset.standard), texts)
    return combined


def _one_file_per_version(rulesets: list[Ruleset], texts: Texts) -> None:
    """Refuse versions of a standard's rules in one folder that no record can tell apart (``told_apart``, the rule
    loading a plugin holds every body to), at the file and place of the last it names: a copy or a draft left beside
    the rules (ST0071_new.yaml) is read as rules too, and a record naming the version would be graded under one,
    one naming none under another, neither saying so."""
    from epa.rules.told_apart import untold_at

    for standard in dict.fromkeys(r.standard for r in rulesets):
        found = untold_at([r for r in rulesets if r.standard == standard])
        if found is None or found[1].source_file is None:
            continue
        problem, at, field = found
        raise InputError(problem, where=_read(Path(str(at.source_file)), texts)[1].place(["document", field]),
                         hint="a copy or a draft beside the rules is read as rules: move it out, or name it otherwise "
                              "than *.yaml; a later version is a version file (based_on) with a version and "
                              "effective_from of its own")


def _check_readings(ruleset: Ruleset, journey_file: Path | None, texts: Texts) -> None:
    """A reading names only rules the body defines (``epa.rules.readings``): refused with the file and place of
    the first that names another. Its ambiguity is in the ruleset's file or, after those, the journey file's."""
    from epa.rules.readings import defined, undefined

    wrong = undefined(ruleset)
    if not wrong:
        return
    ambiguity, k, name = wrong[0]
    i = ruleset.ambiguities.index(ambiguity)
    own = len(ruleset.ambiguities) - (len(ruleset.journey.ambiguities) if ruleset.journey else 0)
    in_journey = i >= own and journey_file is not None
    path = str(journey_file) if in_journey else ruleset.source_file
    place = ["ambiguities", i - own if in_journey else i, "rules", k]
    raise InputError(f"the reading {ambiguity.id!r} names rule {name!r}, which {ruleset.body}'s {ruleset.standard} "
                     "rules do not define", where=_read(Path(path), texts)[1].place(place) if path else None,
                     hint=did_you_mean(name, sorted(defined(ruleset))) or "name a rule by its id (the ruleset "
                     "schema's ambiguities.rules says which names a reading may give)")
