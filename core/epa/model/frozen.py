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
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import attrs

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
