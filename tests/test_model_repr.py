"""The model's classes show themselves as attrs' own classes do, with one repr written once (epa.model.frozen)
instead of one generated and compiled for each class at every start (issue 18: start-up pays only for what a
command uses; a repr is for a person reading a value, an error message quoting what a plugin returned)."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

import epa.model.domain as domain
import epa.model.results as results
from epa.model.frozen import frozen

MODEL = sorted((c for module in (domain, results) for c in vars(module).values()
                if isinstance(c, type) and attrs.has(c) and c.__module__ == module.__name__),
               key=lambda c: (c.__module__, c.__name__))


def _with_values(cls: type, values: list[Any]) -> Any:
    """An instance of ``cls`` holding ``values`` in its fields, in order, made without its __init__ (so that any
    value at all can stand in a field: the repr shows whatever the field holds)."""
    made = object.__new__(cls)
    for field, value in zip(attrs.fields(cls), values, strict=True):
        object.__setattr__(made, field.name, value)
    return made


def _attrs_own(cls: type) -> type:
    """A class of ``cls``'s name and fields (each shown or not as there) whose repr attrs generates."""
    return attrs.make_class(cls.__name__, {f.name: attrs.field(repr=f.repr) for f in attrs.fields(cls)},
                            frozen=True)


def test_the_finder_sees_the_whole_model() -> None:
    assert {"Record", "Ruleset", "Body", "BodyResult", "Step", "ToleranceCheck"} <= {c.__name__ for c in MODEL}


@pytest.mark.parametrize("cls", MODEL, ids=lambda c: c.__name__)
def test_a_model_class_is_shown_as_attrs_shows_it(cls: type) -> None:
    # values of several kinds, each shown as Python shows it: a string (quoted), None, a nested tuple, a number, a set
    values = [("text 'quoted'", None, (1, "two"), 3.5, frozenset({"a"}))[i % 5] for i in range(len(attrs.fields(cls)))]
    assert repr(_with_values(cls, values)) == repr(_with_values(_attrs_own(cls), values))


@pytest.mark.parametrize("cls", MODEL, ids=lambda c: c.__name__)
def test_no_model_class_carries_a_repr_compiled_at_import(cls: type) -> None:
    # what attrs generates it compiles from source named "<attrs generated ...>"; the model's is written once
    assert not cls.__repr__.__code__.co_filename.startswith("<attrs generated")


def test_an_object_met_again_inside_its_own_repr_is_shown_as_dots_as_attrs_shows_it() -> None:
    mine, theirs = (_with_values(c, ["says", []]) for c in (results.Step, _attrs_own(results.Step)))
    mine.citation.append(mine)
    theirs.citation.append(theirs)
    assert repr(mine) == repr(theirs) == "Step(says='says', citation=[...])"
    assert repr(mine) == repr(mine)  # the guard is left clear for the next repr


def test_a_field_left_out_of_the_repr_or_shown_by_its_own_function_is_as_attrs_has_it() -> None:
    def own(cls_maker: Any) -> type:
        @cls_maker
        class Shown:
            kept: str
            hidden: int = attrs.field(default=0, repr=False)
            short: str = attrs.field(default="abcdef", repr=lambda value: value[:2])
        return Shown

    assert repr(own(frozen)("k", 1)) == repr(own(attrs.frozen)("k", 1)) == "Shown(kept='k', short=ab)"
