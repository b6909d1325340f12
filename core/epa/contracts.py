"""What each hook must return, checked before the core uses a plugin's answer.

The type is the one the hook's specification (``epa.hookspecs``) names; the result classes (``epa.model.results``) are
checked field by field, deeply, by the types their fields declare (a Deadline's date is a ``datetime.date`` or
None, a ComponentResult's steps a list or tuple of Step, a str a str, a Grade a Grade), and the fields that hold
one of a few words (a Deadline's status...) for those words, as ``schemas/output.schema.json`` lists them. A bad
answer is described by where it is wrong, every value quoted capped (``errors.quote``): "returned a list of 1 item
whose item 0 is an epa.Deadline whose date is '2025-01-01' (str), expected a date or None". A plugin's rules and
standards (``Ruleset``, ``Standard``) are checked for their type alone: ``epa.load_rulesets`` validated them.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import types
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import attrs

from epa import hookspecs
from epa.errors import quote
from epa.model import domain as model
from epa.model import results

# The words a result's string fields may hold, as the output schema lists them.
WORDS: dict[tuple[type, str], tuple[str, ...]] = {
    (results.Requirement, "status"): ("met", "unmet", "unknown", "deferred", "not_applicable"),
    (results.Requirement, "strength"): ("mandatory", "recommended", "optional"),
    (results.Requirement, "stage"): ("gateway", "before_assessment"),
    (results.Deadline, "kind"): ("by", "not_before"),
    (results.Deadline, "status"): ("met", "missed", "open", "unknown"),
    (results.Deadline, "strength"): ("required", "advice"),
}
SHALLOW = (model.Ruleset, model.Standard)
_API = (model.__name__, results.__name__)  # the modules of the classes a plugin names as epa.X

FieldCheck = Callable[[Any], None]  # returns, or raises _Bad


class _Bad(Exception):
    """A value that is not what was expected; ``path`` (built as it is raised outwards) says where it sits: a
    label and the value it names, from the outermost in."""

    def __init__(self, value: Any, expected: str):
        self.value, self.expected = value, expected
        self.path: list[tuple[str, Any]] = []


@attrs.frozen
class _Type:
    check: FieldCheck
    expected: str  # "epa.Deadline", "a date or None"
    plural: str  # "epa.Deadline", "dates or None": after "a list of"


def unasked(hook: str, result: Any, asked: Mapping[str, Any]) -> str | None:
    """What in a hook's answer (of the type its spec names) is about something it was not asked, or None: a
    grade_component answer for another method than the one asked about, whose grade the core would otherwise take
    as the asked method's grade (the field was never read)."""
    if hook != "grade_component" or not isinstance(result, results.ComponentResult):
        return None
    method = asked.get("method")
    if result.method != method:
        return (f"returned an epa.ComponentResult for method {quote(result.method)}, asked about method "
                f"{quote(method)}: the answer must be about the method asked (its method field that method)")
    return None


# What each list of a grade_component answer may name: (field, level, whether the record meets each one).
LISTS = (("pass_missing", "pass", False), ("distinction_met", "distinction", True),
         ("distinction_missing", "distinction", False))


def listed_untrue(ruleset: model.Ruleset, method: str, met: frozenset[str], result: results.ComponentResult
                  ) -> Iterator[tuple[str, str, bool, list[str]]]:
    """The listing rule, stated once (grading's ``untold`` and the conformance suite's ``missing-pass-fails`` both
    read it): each criterion a grade_component answer lists is of its level in the method and as it says,
    ``pass_missing`` a pass criterion the record does not meet, ``distinction_met`` a distinction criterion it meets,
    ``distinction_missing`` one it does not. For each list naming any that is not: its field, level, whether it
    says them met, and those ids, in the answer's order."""
    levels = {level: frozenset(c.id for c in ruleset.criteria_for(method, level)) for level in ("pass", "distinction")}
    for field, level, is_met in LISTS:
        untrue = [c for c in getattr(result, field) if c not in levels[level] or (c in met) != is_met]
        if untrue:
            yield field, level, is_met, untrue


def untold(hook: str, result: Any, asked: Mapping[str, Any]) -> str | None:
    """What in a grade_component answer (about the method asked) is untrue of the question, or None: the first
    criterion it lists against ``listed_untrue`` (each shown to the apprentice as the body's finding). Its grade is
    not held to the thresholds the data states: a body implements its own grade_component where its rule is not the
    data's, and its grade is its rule (a plugin's own hook wins). An answer is held to what it says, not to what it
    leaves out (a field left empty says nothing). The conformance suite asks without it (``fence.call``'s ``told``)
    and holds the lists and grades to the data itself, each failure with its record (``missing-pass-fails``,
    ``distinction-count``)."""
    if hook != "grade_component" or not isinstance(result, results.ComponentResult):
        return None
    ruleset, method, met = asked["ruleset"], asked["method"], asked["criteria_met"]
    for field, level, is_met, untrue in listed_untrue(ruleset, method, met, result):
        c = untrue[0]
        if c not in {x.id for x in ruleset.criteria_for(method, level)}:
            return (f"returned an epa.ComponentResult for method {quote(method)} whose {field} names "
                    f"{quote(c)}, not a {level} criterion of {quote(method)} in {ruleset.body}'s rules")
        return (f"returned an epa.ComponentResult for method {quote(method)} whose {field} names "
                f"{quote(c)}, which the record {'does not meet' if is_met else 'meets'}: the answer must "
                "say of each criterion it lists what the record shows")
    return None


def requirement_disagrees(r: results.Requirement) -> str | None:
    """Where a gateway requirement's fields disagree, or None: ``mandatory`` is True exactly where its strength is
    ``mandatory`` (readiness reads the strength, a reader of the JSON the flag: a mandatory one made optional would
    block for one and not the other)."""
    if r.mandatory != (r.strength == "mandatory"):
        return (f"whose mandatory is {r.mandatory} but whose strength is {quote(r.strength)}: mandatory is True "
                "exactly where strength is 'mandatory'")
    return None


def deadline_disagrees(d: results.Deadline) -> str | None:
    """Where a deadline's date, status and needs disagree, or None, as epa.Deadline and the output schema say:
    ``unknown`` where the record lacks a date the verdict needs, naming it in ``needs``, and only there; with no
    date, unknown (the date it counts from is the one lacking). A dated one may be unknown: a rework's due date is
    known, the reworked submission's date (whether it met it) may not be. One 'met' or 'missed' with no date is
    shown kept or missed by no day anyone can see; one 'unknown' naming nothing it needs tells the reader nothing
    to add; one 'met' naming a date it needs is not known to be met."""
    unknown = d.status == "unknown"
    if unknown and d.needs is None:
        return "whose status is 'unknown' but whose needs is None: an unknown deadline names the date it needs"
    if not unknown and d.needs is not None:
        return (f"whose status is {quote(d.status)} but whose needs is {quote(d.needs)}: a deadline names a date it "
                "needs only where its status is 'unknown'")
    if d.date is None and not unknown:
        return (f"whose status is {quote(d.status)} but whose date is None: a deadline with no date is 'unknown', "
                "naming in needs the date it counts from")
    return None


def disagrees(hook: str, result: Any) -> str | None:
    """Where an answer (of the type its spec names: ``problem`` passed it) says two things of one requirement or
    deadline that cannot both be so, or None: each gateway requirement (``requirement_disagrees``), each deadline
    (``deadline_disagrees``), a resit decision's deadlines too; said as ``problem`` says where a value sits."""
    lists: list[tuple[str, Any, Callable[[Any], str | None]]]
    if hook == "gateway_requirements":
        lists = [("returned " + describe(part), part, requirement_disagrees) for part in result]
    elif hook == "deadlines":
        lists = [("returned " + describe(part), part, deadline_disagrees) for part in result]
    elif hook == "resit_policy" and isinstance(result, results.ResitDecision):
        lists = [(f"returned an epa.ResitDecision whose deadlines is {describe(result.deadlines)}", result.deadlines,
                  deadline_disagrees)]
    else:
        return None
    for shown, items, rule in lists:
        for i, item in enumerate(items):
            said = rule(item)
            if said is not None:
                return f"{shown} whose item {i} is {describe(item)} {quote(item.id)} {said}"
    return None


def problem(hook: str, result: Any) -> str | None:
    """What is wrong with a hook's result, or None when it is what the specification says (for a collected hook,
    the list pluggy makes of the implementations' answers)."""
    found = _hook_type(hook)
    if found is None:
        return None
    wanted, collected = found
    root = result
    try:
        if collected:
            for root in result:
                wanted.check(root)
        else:
            wanted.check(result)
    except _Bad as bad:
        shown = "returned " + describe(root)
        for label, value in bad.path:
            shown += f" whose {label} is {describe(value)}"
        return f"{shown}, expected {bad.expected}"
    return None


@functools.cache
def _hook_type(hook: str) -> tuple[_Type, bool] | None:
    """The type a hook's implementations return, and whether the hook collects their answers."""
    spec = getattr(hookspecs, hook, None)
    if spec is None or not hasattr(spec, "epa_spec"):
        return None
    return _type(typing.get_type_hints(spec)["return"]), not spec.epa_spec["firstresult"]


def describe(value: Any) -> str:
    """A value in a message, never longer than about QUOTE_LIMIT characters whatever it is (no repr of a
    container or of a plugin's own object, which could be any size)."""
    kind = type(value)
    if value is None:
        return "None"
    if isinstance(value, enum.Enum):
        return f"{kind.__name__}.{value.name}"[:80]
    if kind is int:
        return f"{value} (int)" if value.bit_length() <= 64 else f"a {value.bit_length()}-bit int"
    if kind in (dt.date, dt.datetime):
        return f"{value.isoformat()} ({kind.__name__})"
    if kind in (str, bool, float):
        return f"{quote(value)} ({kind.__name__})"
    if isinstance(value, list | tuple | set | frozenset | dict):
        n = len(value)
        return f"a {kind.__name__} of {n} item{'' if n == 1 else 's'}"
    name = kind.__name__[:80]
    return f"an epa.{name}" if kind.__module__ in _API else f"a {name} object"


@functools.cache
def _type(hint: Any) -> _Type:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is Any:
        return _Type(lambda value: None, "anything", "anything")
    if origin in (types.UnionType, typing.Union):
        return _union(args)
    if origin in (tuple, list, Sequence):
        return _sequence(_type(args[0]), "a list" if origin is list else "a list or tuple")
    if origin in (dict, Mapping):
        return _mapping(_type(args[0]), _type(args[1]))
    if isinstance(hint, type) and attrs.has(hint):
        return _attrs_class(hint)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return _instance(hint, f"epa.{hint.__name__}", f"epa.{hint.__name__}")
    simple = {str: ("a string", "strings"), bool: ("True or False", "True or False"), dt.date: ("a date", "dates"),
              int: ("a whole number", "whole numbers"), float: ("a number", "numbers")}
    if hint in simple:
        return _simple(hint, *simple[hint])
    raise TypeError(f"epa.contracts cannot check a {hint!r}")  # a new kind of field in epa.model.domain: add it here


def _instance(cls: type, expected: str, plural: str) -> _Type:
    def check(value: Any) -> None:
        if not isinstance(value, cls):
            raise _Bad(value, expected)
    return _Type(check, expected, plural)


def _simple(hint: type, expected: str, plural: str) -> _Type:
    if hint is dt.date:  # a datetime is a date, but one compared with a date raises TypeError
        def check(value: Any) -> None:
            if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
                raise _Bad(value, expected)
        return _Type(check, expected, plural)
    if hint in (bool, int):  # True is an int; 1 is not a bool
        def exact(value: Any) -> None:
            if type(value) is not hint:
                raise _Bad(value, expected)
        return _Type(exact, expected, plural)
    if hint is float:
        def number(value: Any) -> None:
            if type(value) not in (int, float):
                raise _Bad(value, expected)
        return _Type(number, expected, plural)
    return _instance(hint, expected, plural)


def _union(args: tuple[Any, ...]) -> _Type:
    options = [_type(a) for a in args if a is not type(None)]
    optional = len(options) < len(args)
    expected = " or ".join(o.expected for o in options) + (" or None" if optional else "")
    plural = " or ".join(o.plural for o in options) + (" or None" if optional else "")

    def check(value: Any) -> None:
        if value is None and optional:
            return
        deepest: _Bad | None = None
        for option in options:
            try:
                option.check(value)
                return
            except _Bad as bad:
                if bad.path:  # the right type, wrong inside: say where
                    deepest = bad
        if deepest is not None:
            raise deepest
        raise _Bad(value, expected)
    return _Type(check, expected, plural)


def _sequence(item: _Type, kind: str) -> _Type:
    expected = f"{kind} of {item.plural}"

    def check(value: Any) -> None:
        if not isinstance(value, list | tuple):
            raise _Bad(value, expected)
        for i, each in enumerate(value):
            try:
                item.check(each)
            except _Bad as bad:
                if not bad.path:  # the item itself is not one: say what the list should hold
                    bad.expected = expected
                bad.path.insert(0, (f"item {i}", each))
                raise
    return _Type(check, expected, f"lists of {item.plural}")


def _mapping(key: _Type, value_type: _Type) -> _Type:
    expected = f"a dict of {key.plural} to {value_type.plural}"

    def check(value: Any) -> None:
        if not isinstance(value, dict):
            raise _Bad(value, expected)
        for k, v in value.items():
            try:
                key.check(k)
            except _Bad as bad:
                raise _Bad(k, expected) from bad
            try:
                value_type.check(v)
            except _Bad as bad:
                bad.path.insert(0, (f"value for {quote(k)}", v))
                raise
    return _Type(check, expected, f"dicts of {key.plural} to {value_type.plural}")


def _attrs_class(cls: Any) -> _Type:  # (an attrs class: Any, as attrs' own functions type them)
    expected = f"epa.{cls.__name__}" if cls.__module__ in _API else cls.__name__
    if issubclass(cls, SHALLOW):
        return _instance(cls, expected, expected)
    attrs.resolve_types(cls)
    fields = []
    for f in attrs.fields(cls):
        if not f.init:
            continue
        words = WORDS.get((cls, f.name))
        fields.append((f.name, _words(words) if words else _type(f.type)))

    def check(value: Any) -> None:
        if not isinstance(value, cls):
            raise _Bad(value, expected)
        for name, field_type in fields:
            field = getattr(value, name)
            try:
                field_type.check(field)
            except _Bad as bad:
                bad.path.insert(0, (name, field))
                raise
    return _Type(check, expected, expected)


def _words(words: tuple[str, ...]) -> _Type:
    expected = "one of " + ", ".join(repr(w) for w in words)

    def check(value: Any) -> None:
        if type(value) is not str or value not in words:
            raise _Bad(value, expected)
    return _Type(check, expected, f"strings, each {expected}")
