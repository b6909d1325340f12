"""What a hook is given is held unchanged: a plugin's hook that changes it is that plugin's failure, the change
refused or undone.

The record and the rules a hook is given are frozen attrs classes, and the few mappings they hold (a record's
``document_versions``, ``schedule`` and ``attempts_by_method``; a ruleset's ``component_rules``, each combination
row's ``when`` and each ambiguity's ``combinations``) are read-only from the moment they are made
(``epa.model.frozen.FrozenDict``): a hook's ``setdefault`` or ``pop`` on one raises ``Unchangeable`` where it is
written, and ``refused`` says which entry of what the hook was given it was, for the fence's message. Changed, one
would change what every later reader sees: the other bodies grading the same record in `epa compare` (an attempt
gone from the grouping left each with no grade, exit 0), every later record of a cohort or of `epa serve`, and the
core itself (a version named for another body refused as the user's input, exit 2). Frozen once, when the rules are
read and the record is made, so that a hook call costs nothing for it (a copy of each mapping compared after every
call cost more than a trivial hook itself).

A plain dict argument (combine_grades' grades, made afresh for the call) is not the model's: ``fence.call`` takes a
shallow copy of it before the hook runs and compares after (``held``, ``changed``): a change is put back and fails
the call. Shallow is enough: what the mappings hold (strings, dates, tuples, frozen attrs instances) cannot be
changed in place.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from epa.model.domain import Record, Ruleset
from epa.model.frozen import Unchangeable

Held = tuple[str, str, dict[Any, Any], dict[Any, Any]]  # what it is, where in it, the dict, its copy

ADVICE = ("a hook reads its arguments and returns its answer, changing nothing it is given: copy what it would "
          "change")


def held(kwargs: Mapping[str, Any]) -> list[Held]:
    """The plain dicts a hook call is given, each with a copy to compare with after it."""
    return [(f"the {name}", f"its {name}", value, dict(value)) for name, value in kwargs.items()
            if type(value) is dict]


def changed(found: list[Held]) -> str | None:
    """What the hook changed of the plain dicts it was given (each change put back), or None."""
    said = None
    for what, where, now, before in found:
        if now == before:
            continue
        key = next((k for k in {**before, **now} if k not in now or k not in before or now[k] is not before[k]
                    and now[k] != before[k]), None)
        now.clear()
        now.update(before)
        if said is None:
            said = _said(what, where, key, "the change is undone")
    return said


def refused(exc: BaseException, kwargs: Mapping[str, Any]) -> str | None:
    """What a hook that raised ``exc`` tried to change of what it was given, where the exception is (or was raised
    while handling, or from) a read-only mapping's refusal; None otherwise."""
    found = _refusal(exc)
    if found is None:
        return None
    for what, where, mapping in _mappings(kwargs):
        if mapping is found.mapping:
            return _said(what, where, found.key, "the change is refused")
    return f"changed rules or a record of epa's that it was not given ({ADVICE}; the change is refused)"


def _refusal(exc: BaseException) -> Unchangeable | None:
    seen: set[int] = set()
    at: BaseException | None = exc
    while at is not None and id(at) not in seen:  # (a cycle of causes ends)
        if isinstance(at, Unchangeable):
            return at
        seen.add(id(at))
        at = at.__cause__ or at.__context__
    return None


def _mappings(kwargs: Mapping[str, Any]) -> Iterator[tuple[str, str, Mapping[Any, Any]]]:
    """The read-only mappings of a hook call's arguments: what holds each, and where in it."""
    for name, value in kwargs.items():
        if isinstance(value, Record):
            yield "the record", "the record's $.document_versions", value.document_versions
            yield "the record", "the record's $.schedule", value.schedule
            yield "the record", "the record's $.assessments (by method)", value.attempts_by_method
        elif isinstance(value, Ruleset):
            said = f"{value.standard} version {value.document.version}'s"
            yield "the ruleset", f"{said} $.component_rules", value.component_rules
            for i, row in enumerate(value.combination.rows):
                yield "the ruleset", f"{said} $.combination.rows[{i}].when", row.when
            for a in value.ambiguities:
                for i, combination in enumerate(a.combinations):
                    yield "the ruleset", f"{said} $.ambiguities[{a.id}].combinations[{i}]", combination
        elif isinstance(value, Mapping):
            yield f"the {name}", f"its {name}", value


def _said(what: str, where: str, key: Any, done: str) -> str:
    return f"changed {what} it was given: {where}" + (f".{key}" if isinstance(key, str) else "") + \
        f" ({ADVICE}; {done})"
