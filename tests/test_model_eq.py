"""The model's classes compare and hash as attrs' own classes do, with one ``__eq__`` and one ``__hash__`` written
once (epa.model.frozen) instead of ones generated and compiled for each class at every start (issue 18: start-up
pays only for what a command uses)."""

from __future__ import annotations

import pickle
from typing import Any

import attrs
import pytest

import epa.model.domain as domain
import epa.model.results as results

MODEL = sorted((c for module in (domain, results) for c in vars(module).values()
                if isinstance(c, type) and attrs.has(c) and c.__module__ == module.__name__),
               key=lambda c: (c.__module__, c.__name__))


def _with_values(cls: type, values: list[Any]) -> Any:
    """An instance of ``cls`` holding ``values`` in its fields, in order, made without its __init__."""
    made = object.__new__(cls)
    for field, value in zip(attrs.fields(cls), values, strict=True):
        object.__setattr__(made, field.name, value)
    return made


def _attrs_own(cls: type) -> type:
    """A class of ``cls``'s fields (each compared and hashed or not as there) whose __eq__ and __hash__ attrs
    generates."""
    return attrs.make_class(cls.__name__, {f.name: attrs.field(eq=f.eq, hash=f.hash) for f in attrs.fields(cls)},
                            frozen=True)


def _values(n: int, changed: int | None = None) -> list[Any]:
    # values of several kinds; the field ``changed`` holds another value of its kind
    kinds = ["text", None, (1, "two"), 3, frozenset({"a"})]
    other = ["other", "not none", (1, "three"), 4, frozenset({"b"})]
    return [(other if i == changed else kinds)[i % 5] for i in range(n)]


def test_the_finder_sees_the_whole_model() -> None:
    assert {"Record", "Ruleset", "Body", "BodyResult", "Step", "ToleranceCheck", "Offset"} <= \
        {c.__name__ for c in MODEL}


@pytest.mark.parametrize("cls", MODEL, ids=lambda c: c.__name__)
def test_a_model_class_compares_and_hashes_as_attrs_does(cls: type) -> None:
    own = _attrs_own(cls)
    n = len(attrs.fields(cls))
    for changed in [None, *range(n)]:  # the same values, then each field in turn different
        mine = (_with_values(cls, _values(n)), _with_values(cls, _values(n, changed)))
        theirs = (_with_values(own, _values(n)), _with_values(own, _values(n, changed)))
        assert (mine[0] == mine[1], mine[0] != mine[1]) == (theirs[0] == theirs[1], theirs[0] != theirs[1]), changed
        if mine[0] == mine[1]:
            assert hash(mine[0]) == hash(mine[1])


@pytest.mark.parametrize("cls", MODEL, ids=lambda c: c.__name__)
def test_no_model_class_carries_an_eq_or_hash_compiled_at_import(cls: type) -> None:
    # what attrs generates it compiles from source named "<attrs generated ...>"; the model's are written once
    for method in (cls.__eq__, cls.__hash__):
        assert not method.__code__.co_filename.startswith("<attrs generated")


def test_another_class_or_a_plain_tuple_is_not_equal() -> None:
    # attrs' own: an object of another class is not equal, whatever its fields hold (NotImplemented both ways)
    assert domain.Deferred("observation") != domain.Provided("observation")
    assert domain.Deferred("observation") != ("observation",)
    assert domain.Offset(months=1) != domain.Offset(days=1)
    assert {domain.Offset(months=1), domain.Offset(months=1)} == {domain.Offset(months=1)}


def test_a_model_object_compares_equal_after_a_trip_through_pickle() -> None:
    # (the cache keeps the rules as pickled model objects: read back, they must be the same rules)
    offset = domain.Offset(working_days=-10)
    again = pickle.loads(pickle.dumps(offset))  # noqa: S301 - made here
    assert again == offset and hash(again) == hash(offset)
