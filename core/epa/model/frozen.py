"""The model's class decorator: ``attrs.frozen``, with one ``__repr__`` for every class of the model instead of
one that attrs writes and compiles for each.

attrs makes a class's methods by writing their Python source and compiling it, at import. The model has about
55 classes, imported by every command that reads a record or a body's rules; their reprs are the largest part of
that source, and compiling them about 4 ms of every such start (a tenth of a warm ``epa compare`` above the
libraries it needs). A repr is for a person reading a value (an error message quoting what a plugin returned, a
test's failure), never on a path that decides anything, so one written once serves. It shows what attrs' own
shows: ``Name(field=value, ...)``, the fields in their order, those declared ``repr=False`` left out (a field's own
repr function used where it has one), and an object met again inside its own repr as ``...``
(tests/test_model_repr.py holds the two equal).

``__eq__`` and ``__hash__`` likewise (about 4 ms more of a warm start): one of each, comparing and hashing the
fields attrs' own would (those declared ``eq=False`` left out), all at once as a tuple that
``operator.attrgetter`` reads in C, where attrs' compare them one by one in the Python it writes. Equal where
attrs' are equal, for every value the model holds (tuple comparison takes an object as equal to itself first, which
only a NaN, never in the model, is not); hashing each class's values apart from another's with the same values, as
attrs' do (tests/test_model_eq.py holds them to attrs' own).

``FrozenDict``: the model's few mappings, read-only, so that a frozen class holding one is frozen through (a
plugin's hook is given the rules and records every later reader reads: ``epa.unchanged``).
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from operator import attrgetter
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

_K = TypeVar("_K")
_V = TypeVar("_V")

_showing = threading.local()  # the ids of the objects whose repr is being made, in this thread


def _repr(self: Any) -> str:
    showing: set[int] | None = getattr(_showing, "ids", None)
    if showing is None:
        showing = _showing.ids = set()
    if id(self) in showing:
        return "..."
    showing.add(id(self))
    try:
        fields = ", ".join(f"{a.name}={a.repr(value) if callable(a.repr) else repr(value)}"
                           for a in attrs.fields(self.__class__) if a.repr
                           for value in (getattr(self, a.name),))
        return f"{self.__class__.__qualname__.rsplit('>.', 1)[-1]}({fields})"
    finally:
        showing.discard(id(self))


def _eq(self: Any, other: Any) -> Any:
    if other.__class__ is not self.__class__:
        return NotImplemented
    compared = self.__class__._epa_compared
    return compared(self) == compared(other)


def _hash(self: Any) -> int:
    cls = self.__class__
    return hash((cls._epa_salt, cls._epa_hashed(self)))


def _reader(names: list[str]) -> Callable[[Any], Any]:
    """The named fields' values of an object, as a tuple (one field: its value; none: an empty tuple)."""
    return attrgetter(*names) if names else lambda _: ()


if TYPE_CHECKING:
    from attrs import frozen as frozen  # to a type checker (and attrs' plugin for it), attrs' own
else:
    def frozen(cls: type) -> type:
        """``attrs.frozen(cls)``, with the repr, equality and hash above: attrs writes no method a class defines
        itself."""
        cls.__repr__, cls.__eq__, cls.__hash__ = _repr, _eq, _hash
        made = attrs.frozen(cls)
        fields = attrs.fields(made)
        if any(f.eq_key is not None for f in fields):  # (attrs' eq=cmp_using(...)): compared otherwise
            raise TypeError(f"{made.__qualname__}: epa.model.frozen compares fields as they are; a field's own "
                            "comparison (eq=cmp_using) needs attrs' generated __eq__")
        made._epa_compared = _reader([f.name for f in fields if f.eq])
        made._epa_hashed = _reader([f.name for f in fields if f.hash or (f.hash is None and f.eq)])
        made._epa_salt = hash(f"{made.__module__}.{made.__qualname__}")
        return made


class Unchangeable(TypeError):
    """A change asked of a mapping the model holds read-only (a ``FrozenDict``): what the rules or a record say is
    never changed in place. ``key``: the entry the change was to, where it names one."""

    def __init__(self, mapping: FrozenDict[Any, Any], key: Any = None):
        super().__init__("this mapping is read-only (epa's rules and records are never changed in place): copy it "
                         "with dict(...) to change the copy")
        self.mapping, self.key = mapping, key


class FrozenDict(dict[_K, _V]):
    """A dict that refuses to be changed, for the model's few mappings (a ruleset's ``component_rules``, a
    combination row's ``when``, a record's ``document_versions``...): a frozen class holding one is frozen only if
    it is too. Everything that reads a dict reads it as one (a subclass: JSON, ``==``, ``dict(...)``, ``|``, a
    ``.copy()`` that is a plain dict), at a dict's speed; each method that would change it raises ``Unchangeable``,
    unless it would change nothing (``setdefault`` of a key it holds, an entry set to what it is, ``clear`` of an
    empty one), as a change compared afterwards would not be one. Read-only to every method of its own: dict's
    methods called on it directly (``dict.update(m, ...)``) are not, and no plugin has a reason to call them so."""

    __slots__ = ()

    def __setitem__(self, key: _K, value: _V) -> None:
        if not self._holds(key, value):
            raise Unchangeable(self, key)

    def __delitem__(self, key: _K) -> None:
        self[key]  # noqa: B018  (a KeyError for a key it does not hold, as a dict's)
        raise Unchangeable(self, key)

    def setdefault(self, key: _K, default: Any = None) -> _V:
        if key in self:
            return self[key]
        raise Unchangeable(self, key)

    def pop(self, key: _K, *default: Any) -> Any:
        if key not in self and default:
            return default[0]
        self[key]  # noqa: B018
        raise Unchangeable(self, key)

    def popitem(self) -> tuple[_K, _V]:
        if not self:
            raise KeyError("popitem(): dictionary is empty")
        raise Unchangeable(self, next(reversed(self)))

    def clear(self) -> None:
        if self:
            raise Unchangeable(self, next(iter(self)))

    def update(self, *args: Any, **kwargs: Any) -> None:
        for key, value in dict(*args, **kwargs).items():
            if not self._holds(key, value):
                raise Unchangeable(self, key)

    def __ior__(self, other: Any) -> FrozenDict[_K, _V]:  # type: ignore[override,misc]
        self.update(other)
        return self

    def __reduce__(self) -> tuple[Any, ...]:  # pickled as the dict it holds: restored through __init__
        return type(self), (dict(self),)

    # A copy is the copier's own to change, as ``.copy()`` is: a plain dict (copy.copy and copy.deepcopy would
    # otherwise go through __reduce__ and make another read-only one, refusing a plugin that copied as it should).
    def __copy__(self) -> dict[_K, _V]:
        return dict(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[_K, _V]:
        copied: dict[_K, _V] = {}
        memo[id(self)] = copied
        for key, value in self.items():
            copied[copy.deepcopy(key, memo)] = copy.deepcopy(value, memo)
        return copied

    def _holds(self, key: Any, value: Any) -> bool:
        """Whether setting the entry would leave it as it is."""
        if key not in self:
            return False
        held = self[key]
        return held is value or held == value


def frozen_dict(value: Any) -> FrozenDict[Any, Any]:
    """A model field's converter: its mapping, read-only (one already so kept, not copied)."""
    return value if type(value) is FrozenDict else FrozenDict(value)


def frozen_dicts(found: Any) -> tuple[FrozenDict[Any, Any], ...]:
    """A model field's converter: its mappings, each read-only, as a tuple."""
    return tuple(frozen_dict(m) for m in found)
