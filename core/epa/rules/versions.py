"""Versions of a body's document: a later version stored as its predecessor plus cited changes, and what changed
between any two versions (``epa diff``).

A ruleset file may hold a later version of a document as three fields (see ``schemas/ruleset.schema.json``):
``based_on``, the predecessor's file in the same rules folder; ``document``, the new version's own block; and
``changes``, cited edits applied in order to the predecessor's rules. A change is ``{op, path, value?, before?,
after?, citation, says}``; its path addresses a value of the ruleset:

- ``level``, ``combination.complete``, ``component_rules.observation.distinction_threshold``: a field, by name;
- ``criteria[S1.5]``, ``methods[project]``, ``ambiguities[acme-table-garbled]``: an entry of ``criteria``,
  ``methods`` or ``ambiguities``, by its id; ``criteria[S1.5].method``: a field of it;
- ``combination.rows[2]``, ``criteria[S1.5].ksbs[0]``: an entry of any other list, by its position counting
  from 0 (in the list as the earlier changes left it).

``set`` replaces a value that is there; ``remove`` deletes one (an entry, or an optional field); ``add`` adds an
entry to the list the path names (at the end, or ``before``/``after`` the entry named by id or position), or a
field that is not there yet. The loader (:func:`epa.rules.load.load_ruleset`) applies them with :func:`apply_change`,
then validates the result as a whole ruleset.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from epa.errors import did_you_mean
from epa.model.convert import unstructure
from epa.model.domain import Change, Document, LogEntry, Ruleset

ROOTS = ("level", "methods", "criteria", "component_rules", "combination", "ambiguities")
ID_LISTS = ("methods", "criteria", "ambiguities")  # lists whose entries a path names by id
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_STEP = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[([^\[\]]+)\]")


class PathError(Exception):
    """A change that cannot be applied; ``field`` is the key of the change at fault (path, value, before...)."""

    def __init__(self, message: str, field: str = "path", hint: str | None = None):
        super().__init__(message)
        self.message, self.field, self.hint = message, field, hint


# --- paths ------------------------------------------------------------------------------------------------


def parse_path(text: str) -> list[tuple[str, str]]:
    """``criteria[S1.5].method`` -> [(".", "criteria"), ("[", "S1.5"), (".", "method")]."""
    first = _NAME.match(text)
    if not first:
        raise PathError(f"path {text!r} does not start with a field name (e.g. criteria[S1.5].method)")
    steps, pos = [(".", first.group())], first.end()
    while pos < len(text):
        step = _STEP.match(text, pos)
        if not step:
            unclosed = text[pos] == "[" and "]" not in text[pos:]
            raise PathError(f"cannot read path {text!r} from {text[pos:]!r}: "
                            + ("a [ is not closed" if unclosed else "after a name comes .field or [id]"))
        steps.append((".", step.group(1)) if step.group(1) else ("[", step.group(2)))
        pos = step.end()
    return steps


def render(data: Any, parts: Sequence[str | int]) -> str:
    """A concrete JSON path as a change path names it: ['criteria', 20, 'level'] -> 'criteria[S1.5].level'."""
    out, node = "", data
    for i, part in enumerate(parts):
        entry = node[part] if isinstance(node, list) and isinstance(part, int) and part < len(node) else None
        if isinstance(part, int):
            named = i == 1 and parts[0] in ID_LISTS and isinstance(entry, Mapping) and "id" in entry
            out += f"[{entry['id'] if named else part}]"  # type: ignore[index]
        else:
            out += f".{part}" if out else str(part)
        node = entry if isinstance(part, int) else (node.get(part) if isinstance(node, Mapping) else None)
    return out or "the ruleset"


def row_key(when: Mapping[str, str], methods: Sequence[str]) -> str:
    """A combination row named by its columns, in the methods' order: 'observation=pass project=any ...'."""
    order = [m for m in methods if m in when] + sorted(m for m in when if m not in methods)
    return " ".join(f"{m}={when[m]}" for m in order)


def _index(node: list[Any], key: str, shown: str, by_id: bool, field: str = "path") -> int:
    if by_id:
        ids = [e.get("id") for e in node if isinstance(e, Mapping)]
        if key in ids:
            return ids.index(key)
        raise PathError(f"{shown} has no entry with id {key!r}", field,
                        did_you_mean(key, [str(i) for i in ids if i is not None]))
    if not re.fullmatch(r"[0-9]+", key):
        raise PathError(f"the entries of {shown} have no ids: name one by its position, counting from 0", field)
    if int(key) >= len(node):
        raise PathError(f"{shown} has {len(node)} entries, so no [{key}] (positions count from 0)", field)
    return int(key)


def _locate(data: dict[str, Any], steps: list[tuple[str, str]]) -> tuple[Any, str | int, list[str | int], bool]:
    """(the container, the key in it, the concrete JSON path, whether the value is there). Only the last step
    may be missing, and only as a field of a mapping (what ``add`` may create)."""
    root = steps[0][1]
    if root not in ROOTS:
        if root in ("document", "body", "standard"):
            why = ("a version file gives its document whole, in its own document block" if root == "document" else
                   "a version keeps its predecessor's body and standard")
            raise PathError(f"{root!r} cannot be changed: {why}")
        raise PathError(f"no field {root!r}: a change's path starts with one of: " + ", ".join(ROOTS),
                        hint=did_you_mean(root, ROOTS))
    node: Any = data
    parts: list[str | int] = []
    parent: Any = data
    concrete: str | int = root
    for i, (kind, key) in enumerate(steps):
        shown = render(data, parts)
        if isinstance(node, Mapping):
            if key not in node:
                if i == len(steps) - 1:
                    return node, key, [*parts, key], False
                raise PathError(f"{shown} has no field {key!r}", hint=did_you_mean(key, node))
            concrete = key
        elif isinstance(node, list):
            if kind == ".":
                raise PathError(f"{shown} is a list: name one of its entries in brackets, {shown}[...]")
            concrete = _index(node, key, shown, by_id=len(parts) == 1 and parts[0] in ID_LISTS)
        else:
            raise PathError(f"{shown} is {node!r}, which has no fields or entries")
        parts.append(concrete)
        parent, node = node, node[concrete]
    return parent, concrete, parts, True


def _entry(data: Mapping[str, Any], parts: Sequence[str | int]) -> str | None:
    """What a change at this concrete path touches, as :class:`epa.model.domain.Change` ``entry`` names it."""
    if len(parts) < 2:
        return None
    if parts[0] in ID_LISTS and isinstance(parts[1], int):
        return str(data[parts[0]][parts[1]]["id"])  # type: ignore[index]
    if parts[0] == "component_rules":
        return str(parts[1])
    if list(parts[:2]) == ["combination", "rows"] and len(parts) >= 3 and isinstance(parts[2], int):
        return row_key(data["combination"]["rows"][parts[2]]["when"], [m["id"] for m in data.get("methods", [])])
    return None


def apply_change(data: dict[str, Any], change: Mapping[str, Any]) -> str | None:
    """Apply one change (as the file states it) to a ruleset's data in place; return the entry it touches.
    Raises :class:`PathError` when it cannot be applied."""
    op = change["op"]
    steps = parse_path(change["path"])
    placed = [k for k in ("before", "after") if k in change]
    if op == "remove" and "value" in change:
        raise PathError("remove takes no value", "value")
    if op != "remove" and "value" not in change:
        raise PathError(f"{op} needs a value", "op")
    if placed and op != "add":
        raise PathError(f"{placed[0]} places an entry that add inserts; {op} takes none", placed[0])
    if len(placed) > 1:
        raise PathError("give before or after, not both", "after")
    parent, key, parts, there = _locate(data, steps)
    shown = render(data, parts)
    value = copy.deepcopy(change.get("value"))
    if op == "add":
        if there and isinstance(parent[key], list):
            return _insert(data, parts, parent[key], value, change, placed[0] if placed else None)
        if there:
            raise PathError(f"{shown} is already there: change it with op set")
        if placed:
            raise PathError(f"{placed[0]} places an entry in a list; {render(data, parts[:-1])} is not one", placed[0])
        parent[key] = value
        return _entry(data, parts)
    if not there:
        raise PathError(f"{render(data, parts[:-1])} has no field {key!r}"
                        + (" (to give it one, use op add)" if op == "set" else ""), hint=did_you_mean(str(key), parent))
    if op == "set":
        parent[key] = value
        return _entry(data, parts)
    entry = _entry(data, parts)
    del parent[key]
    return entry


def _insert(data: dict[str, Any], parts: list[str | int], target: list[Any], value: Any,
            change: Mapping[str, Any], placed: str | None) -> str | None:
    shown = render(data, parts)
    by_id = len(parts) == 1 and parts[0] in ID_LISTS
    if by_id:
        if not isinstance(value, Mapping) or not isinstance(value.get("id"), str):
            raise PathError(f"an entry of {shown} needs an id", "value")
        if any(isinstance(e, Mapping) and e.get("id") == value["id"] for e in target):
            raise PathError(f"{shown} already has an entry with id {value['id']!r}: change it with op set "
                            f"(path {shown}[{value['id']}]), or remove it first", "value")
    at = len(target)
    if placed:
        at = _index(target, str(change[placed]), shown, by_id, placed) + (placed == "after")
    target.insert(at, value)
    return _entry(data, [*parts, at])


# --- what changed between two versions --------------------------------------------------------------------


def _plain(value: Any) -> Any:
    return unstructure(value)  # dates as ISO strings, grades as their names


def _found(kind: str, entry_id: str, before: Any, after: Any, citation: str | None, summary: str,
           section: str, key: str | None) -> dict[str, Any]:
    return {"kind": kind, "id": entry_id, "summary": summary, "from": _plain(before), "to": _plain(after),
            "citation": citation, "declared": [], "_match": (section, key)}


def _fields(old: Any, new: Any, names: Iterable[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The named fields that differ: (their old values, their new values)."""
    names = [n for n in names if getattr(old, n) != getattr(new, n)]
    return {n: _plain(getattr(old, n)) for n in names}, {n: _plain(getattr(new, n)) for n in names}


def _by_id(items: Iterable[Any]) -> dict[str, Any]:
    return {i.id: i for i in items}


def _document(older: Ruleset, newer: Ruleset) -> list[dict[str, Any]]:
    fields = ("file", "title", "publisher", "version", "sha256", "published", "effective_from",
              "effective_from_citation")
    old, new = _fields(older.document, newer.document, fields)
    out = [_found("document", name, old[name], new[name], newer.document.effective_from_citation,
                  f"document {name.replace('_', ' ')}: {old[name]} → {new[name]}", "document", name) for name in old]
    before, after = older.document, newer.document
    if (before.plan_version, before.plan_version_reading) != (after.plan_version, after.plan_version_reading):
        # each side's plan version as it is known: stated by its document, or the tool's reading (cited, as every
        # document change, where the document says what changed: its change log)
        out.append(_found("document", "plan_version", before.plan_version, after.plan_version,
                          after.effective_from_citation,
                          f"document plan version: {plan_version_said(before)} → {plan_version_said(after)}",
                          "document", "plan_version"))
    return out


# Beside an assessment plan version the document does not state as the plan's (``Document.plan_version_reading``):
# the version is the tool's reading, and an output naming it beside its citation alone would put it in the
# document's mouth. Every output says it in these words (``epa audit``, ``epa diff``).
PLAN_VERSION_READING = ("the tool's reading: the document does not state which assessment plan version these rules "
                        "are written for")


def plan_version_said(document: Document) -> str:
    """The plan version the rules are written for, in words: '1.1'; '1.0 (the tool's reading: ...)'; 'none'."""
    if document.plan_version is None:
        return "none"
    return document.plan_version + (f" ({PLAN_VERSION_READING})" if document.plan_version_reading else "")


def plan_version_basis(document: Document) -> str:
    """What a plan version rests on, in words: its citation, after ``PLAN_VERSION_READING`` where it is the tool's
    reading of the sentence cited."""
    cited = document.plan_version_citation or ""
    return f"{PLAN_VERSION_READING}; {cited}" if document.plan_version_reading else cited


def _methods(older: Ruleset, newer: Ruleset) -> list[dict[str, Any]]:
    out, old = [], _by_id(older.methods)
    for m in newer.methods:
        if m.id not in old:
            out.append(_found("method_added", m.id, None, {"name": m.name}, m.citation,
                              f"method {m.id} is added: {m.name}", "methods", m.id))
        elif old[m.id].name != m.name:
            out.append(_found("method_renamed", m.id, old[m.id].name, m.name, m.citation,
                              f"method {m.id} is renamed {m.name!r}", "methods", m.id))
        elif old[m.id].citation != m.citation:
            out.append(_found("method_changed", m.id, {"citation": old[m.id].citation}, {"citation": m.citation},
                              m.citation, f"method {m.id} is cited to another section", "methods", m.id))
    new = _by_id(newer.methods)
    out += [_found("method_removed", m.id, {"name": m.name}, None, m.citation, f"method {m.id} is removed",
                   "methods", m.id) for m in older.methods if m.id not in new]
    return out


def _criteria(older: Ruleset, newer: Ruleset) -> list[dict[str, Any]]:
    out, old = [], _by_id(older.criteria)
    for c in newer.criteria:
        was = old.get(c.id)
        if was is None:
            out.append(_found("criterion_added", c.id, None, {"method": c.method, "level": c.level, "text": c.text},
                              c.citation, f"{c.id} is added: a {c.method} {c.level} criterion", "criteria", c.id))
            continue
        moved = (was.method, was.level) != (c.method, c.level)
        if moved:
            out.append(_found("criterion_moved", c.id, {"method": was.method, "level": was.level},
                              {"method": c.method, "level": c.level}, c.citation,
                              f"{c.id} moves from the {was.method} ({was.level}) to the {c.method} ({c.level})",
                              "criteria", c.id))
        if was.text != c.text:
            out.append(_found("criterion_reworded", c.id, was.text, c.text, c.citation, f"{c.id} is reworded",
                              "criteria", c.id))
        others = ("ksbs",) if moved or was.text != c.text else ("ksbs", "citation")
        before, after = _fields(was, c, others)
        if before:
            out.append(_found("criterion_changed", c.id, before, after, c.citation,
                              f"{c.id}: {', '.join(before)} changed", "criteria", c.id))
    new = _by_id(newer.criteria)
    out += [_found("criterion_removed", c.id, {"method": c.method, "level": c.level, "text": c.text}, None,
                   c.citation, f"{c.id} is removed (it was a {c.method} {c.level} criterion)", "criteria", c.id)
            for c in older.criteria if c.id not in new]
    return out


def _component_rules(older: Ruleset, newer: Ruleset) -> list[dict[str, Any]]:
    out = []
    methods = list(dict.fromkeys([*newer.component_rules, *older.component_rules]))
    for method in methods:
        was, now = older.component_rules.get(method), newer.component_rules.get(method)
        if was is None and now is not None:
            out.append(_found("component_rule_added", method, None, now, now.citation,
                              f"{method}: a grading rule is added", "component_rules", method))
        elif now is None and was is not None:
            out.append(_found("component_rule_removed", method, was, None, was.citation,
                              f"{method}: its grading rule is removed", "component_rules", method))
        elif was is not None and now is not None:
            if was.distinction_threshold != now.distinction_threshold:
                before_n, after_n = (("all of them" if n is None else n)
                                     for n in (was.distinction_threshold, now.distinction_threshold))
                out.append(_found("threshold_changed", method, was.distinction_threshold, now.distinction_threshold,
                                  now.citation, f"{method}: distinction criteria needed: {before_n} → {after_n}",
                                  "component_rules", method))
            before, after = _fields(was, now, ("text", "citation", "pass_threshold"))
            if before:
                out.append(_found("component_rule_changed", method, before, after, now.citation,
                                  f"{method}: the grading rule's {' and '.join(before)} changed",
                                  "component_rules", method))
    return out


def _combination(older: Ruleset, newer: Ruleset) -> list[dict[str, Any]]:
    out, was, now = [], older.combination, newer.combination
    if was.complete != now.complete:
        out.append(_found("combination_changed", "complete", was.complete, now.complete, now.citation,
                          f"the table is {'now' if now.complete else 'no longer'} complete", "combination", "complete"))
    if was.rule_in_words != now.rule_in_words:
        before, after = _fields(was.rule_in_words, now.rule_in_words, ("text", "citation", "decides"))
        out.append(_found("combination_changed", "rule_in_words", before, after, now.rule_in_words.citation,
                          f"the rule in words: {' and '.join(before)} changed", "combination", "rule_in_words"))
    if was.citation != now.citation:
        out.append(_found("combination_changed", "citation", was.citation, now.citation, now.citation,
                          "the table is cited to another section", "combination", "citation"))
    methods = list(dict.fromkeys([*newer.method_ids, *older.method_ids]))
    old_keys = [row_key(r.when, methods) for r in was.rows]
    new_keys = [row_key(r.when, methods) for r in now.rows]
    unmatched = list(range(len(was.rows)))
    common_old, common_new = [], []
    for j, (key, row) in enumerate(zip(new_keys, now.rows, strict=True)):
        i = next((i for i in unmatched if old_keys[i] == key), None)
        if i is None:
            out.append(_found("combination_row_added", key, None, {"overall": row.overall}, row.citation,
                              f"row {key} → {row.overall} is added", "rows", key))
            continue
        unmatched.remove(i)
        common_old.append(i)
        common_new.append(j)
        if was.rows[i].overall != row.overall:
            out.append(_found("combination_row_changed", key, was.rows[i].overall, row.overall, row.citation,
                              f"row {key}: {was.rows[i].overall} → {row.overall}", "rows", key))
        else:
            before, after = _fields(was.rows[i], row, ("citation", "printed"))
            if before:
                out.append(_found("combination_row_changed", key, before, after, row.citation,
                                  f"row {key}: {' and '.join(before)} changed", "rows", key))
    out += [_found("combination_row_removed", old_keys[i], {"overall": was.rows[i].overall}, None,
                   was.rows[i].citation, f"row {old_keys[i]} → {was.rows[i].overall} is removed", "rows", old_keys[i])
            for i in unmatched]
    if common_old != sorted(common_old):  # first matching row wins: the order of rows both have can matter
        out.append(_found("combination_rows_reordered", "rows", [old_keys[i] for i in sorted(common_old)],
                          [new_keys[j] for j in common_new], now.citation, "the table's rows are in another order",
                          "rows", None))
    return out


def _ambiguities(older: Ruleset, newer: Ruleset) -> list[dict[str, Any]]:
    out, old = [], _by_id(older.ambiguities)
    fields = ("citation", "text_says", "reading", "why", "criteria")
    for a in newer.ambiguities:
        if a.id not in old:
            out.append(_found("ambiguity_added", a.id, None, {"text_says": a.text_says, "reading": a.reading},
                              a.citation, f"ambiguity {a.id} is recorded", "ambiguities", a.id))
            continue
        before, after = _fields(old[a.id], a, fields)
        if before:
            out.append(_found("ambiguity_changed", a.id, before, after, a.citation,
                              f"ambiguity {a.id}: {', '.join(before)} changed", "ambiguities", a.id))
    new = _by_id(newer.ambiguities)
    out += [_found("ambiguity_removed", a.id, {"text_says": a.text_says, "reading": a.reading}, None, a.citation,
                   f"ambiguity {a.id} no longer applies", "ambiguities", a.id)
            for a in older.ambiguities if a.id not in new]
    return out


def declared_between(older: Ruleset, newer: Ruleset, history: Iterable[Ruleset] = ()) -> tuple[Change, ...]:
    """The changes the files declare from ``older`` to ``newer``: those of ``newer`` and of each predecessor it is
    based on (found among ``history``) back to ``older``; none when ``older`` is not one of its predecessors."""
    versions = {r.document.version: r for r in history if r.standard == newer.standard and r.body == newer.body}
    chain: list[Ruleset] = []
    current: Ruleset | None = newer
    while current is not None and current.document.version != older.document.version:
        chain.append(current)
        if current.based_on is None or current.based_on in {r.document.version for r in chain}:
            return ()
        current = older if current.based_on == older.document.version else versions.get(current.based_on)
    return tuple(c for r in reversed(chain) for c in r.changes) if current is not None else ()


def _match(change: Change) -> tuple[str, str | None]:
    steps = [key for _, key in parse_path(change.path)]
    if steps[:2] == ["combination", "rows"]:
        return "rows", change.entry
    if steps[0] == "combination":
        return "combination", steps[1] if len(steps) > 1 else None
    return steps[0], change.entry


def diff(older: Ruleset, newer: Ruleset, history: Iterable[Ruleset] = ()) -> list[dict[str, Any]]:
    """What changed from ``older`` to ``newer`` (two versions of one body's rules for a standard, stored either
    way): each ``{kind, id, summary, from, to, citation, declared}``. ``citation`` is the newer version's entry's
    (the older's for what was removed; the newer document's ``effective_from_citation`` for its metadata);
    ``declared`` lists the changes the newer file (and any file between them, from ``history``) declares for it,
    each ``{op, path, citation, says}``. A declared change that changes nothing compared is listed on its own."""
    found = [*_document(older, newer)]
    if older.level != newer.level:
        found.append(_found("level", "level", older.level, newer.level, None,
                            f"level: {older.level} → {newer.level}", "level", None))
    for part in (_methods, _criteria, _component_rules, _combination):
        found += part(older, newer)
    for change in declared_between(older, newer, history):
        section, key = _match(change)
        if section == "ambiguities":
            continue  # the encoders' notes on the document, not the document: see readings_changed
        cited = {"op": change.op, "path": change.path, "citation": change.citation, "says": change.says}
        hits = [f for f in found if f["_match"][0] == section and (key is None or f["_match"][1] in (key, None))]
        for f in hits:
            f["declared"].append(cited)
        if not hits:
            found.append({**_found("declared", change.entry or change.path, None, None, change.citation,
                                   f"{change.op} {change.path} (the rules compared are the same for it)", section, key),
                          "declared": [cited]})
    for i, entry in enumerate(logged_between(older, newer, history)):
        found.append({"kind": entry.kind, "id": f"log.{i + 1}",
                      "summary": entry.summary, "from": None, "to": None, "citation": entry.citation,
                      "declared": [], "says": entry.says, "_match": ("log", None)})
    for f in found:
        del f["_match"]
    return found


def logged_between(older: Ruleset, newer: Ruleset, history: Iterable[Ruleset] = ()) -> tuple[LogEntry, ...]:
    """What the change logs between two versions state that no field records, and what they leave out."""
    versions = {r.document.version: r for r in history if r.standard == newer.standard and r.body == newer.body}
    out: list[LogEntry] = []
    current: Ruleset | None = newer
    seen: set[str | None] = set()
    while current is not None and current.document.version != older.document.version \
            and current.document.version not in seen:
        seen.add(current.document.version)
        out[:0] = current.log
        current = versions.get(current.based_on) if current.based_on else None
    return tuple(out) if current is not None else ()


def readings_changed(older: Ruleset, newer: Ruleset) -> list[dict[str, Any]]:
    """How the recorded ambiguities (the encoders' readings of the document) changed between two versions:
    bookkeeping beside the document's changes, never one of them."""
    out = _ambiguities(older, newer)
    for f in out:
        del f["_match"]
    return out


def report(loaded: Any, standard: str | None, from_version: str, to_version: str) -> dict[str, Any]:
    """``epa diff``: what changed between two versions of one body's rules for a standard (``loaded``: an
    :class:`epa.registry.LoadedBody`). An unknown standard or version is bad input, with a hint."""
    from epa.errors import InputError

    offered = loaded.body.standards
    if standard is None:
        if len(offered) != 1:
            raise InputError(f"{loaded.body.id} ships rules for several standards: name one with --standard",
                             hint="it offers " + ", ".join(offered))
        standard = offered[0]
    elif standard not in offered:
        raise InputError(f"{loaded.body.id} does not offer {standard}",
                         hint=did_you_mean(standard, offered) or "it offers " + ", ".join(offered))
    older, newer = loaded.ruleset(standard, from_version), loaded.ruleset(standard, to_version)

    def about(r: Ruleset) -> dict[str, Any]:
        d = r.document
        return {"version": d.version, "file": d.file, "title": d.title,
                "effective_from": d.effective_from.isoformat() if d.effective_from else None,
                "based_on": r.based_on}

    history = loaded.body.rulesets_for(standard)
    found = diff(older, newer, history)
    for entry in found:  # beside each citation, the document it names (as compare, journey, ics and HTML give)
        entry["documents"] = _documents(loaded.body.name, entry, [older, newer, *history] if
                                        entry["kind"].endswith("_removed") else [newer, older, *history])
    return {"body": loaded.body.id, "standard": standard, "from": about(older), "to": about(newer),
            "differences": found, "readings_changed": readings_changed(older, newer)}


def _documents(body_name: str, entry: dict[str, Any], rulesets: list[Ruleset]) -> dict[str, dict[str, str | None]]:
    """The title, version and label of each file an entry's citations (its own and its declared changes') name,
    from the first of ``rulesets`` whose document is that file (the older version's first for what was removed)."""
    from epa.rules.citations import documents

    files = {c.split(" § ", 1)[0] for c in (entry["citation"], *(d["citation"] for d in entry["declared"]))
             if c and " § " in c}
    found: dict[str, dict[str, str | None]] = {}
    for r in rulesets:
        d = r.document
        if d.file in files and d.file not in found:
            found.update(documents(body_name, d.file, d.title, d.text_version))
    return dict(sorted(found.items()))
