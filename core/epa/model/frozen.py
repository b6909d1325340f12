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
"""

from __future__ import annotations

import threading
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


if TYPE_CHECKING:
    from attrs import frozen as frozen  # to a type checker (and attrs' plugin for it), attrs' own
else:
    def frozen(cls: type) -> type:
        """``attrs.frozen(cls)``, with the repr above: attrs writes no method a class defines itself."""
        cls.__repr__ = _repr
        return attrs.frozen(cls)
