"""Finding the installed body plugins: the entry points of the group ``epa``, as ``importlib.metadata`` finds them,
kept in epa's cache so that a warm start need not import ``importlib.metadata`` (about 14 ms, as long as the
interpreter takes to start) nor read every installed distribution's metadata.

The cached list is keyed by what ``importlib.metadata`` reads to make it: ``sys.path`` and, in each of its folders,
the names of the distributions' metadata folders (``*.dist-info``, ``*.egg-info``) and the stamp (``cache.stamp``:
size, modification and change times, inode) of each one's ``entry_points.txt`` and ``METADATA`` (``PKG-INFO``).
Installing, removing or upgrading a distribution adds, removes or renames such a folder; editing an entry point in
place changes its file (even keeping its size and modification time: the change time is another); a
``.pth`` file or ``PYTHONPATH`` changes ``sys.path``: each is a new key, and the list is made again. The
finders that can report distributions are part of the key too.
"""

from __future__ import annotations

import functools
import os
import re
import sys
from importlib import import_module
from typing import NamedTuple

from epa import cache

_METADATA = (".dist-info", ".egg-info")
_FILES = ("entry_points.txt", "METADATA", "PKG-INFO")


class Distribution(NamedTuple):
    name: str
    version: str | None


class Found(NamedTuple):
    """One entry point: its name, its value (``module`` or ``module:attribute``), and the distribution shipping it
    (None where ``importlib.metadata`` names none). Read as an ``importlib.metadata.EntryPoint`` is: ``name``,
    ``value``, ``dist.name``, ``dist.version``, ``load()``."""

    name: str
    value: str
    distribution: str | None
    version: str | None

    @property
    def dist(self) -> Distribution | None:
        return None if self.distribution is None else Distribution(self.distribution, self.version)

    def load(self) -> object:
        """What the entry point names, imported: as ``importlib.metadata.EntryPoint.load`` does it."""
        match = _PATTERN.match(self.value)
        module = import_module(match.group("module"))  # type: ignore[union-attr]  # None: as EntryPoint fails
        names = filter(None, (match.group("attr") or "").split("."))  # type: ignore[union-attr]
        return functools.reduce(getattr, names, module)


_PATTERN = re.compile(r"(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+)\s*)?((?P<extras>\[.*\])\s*)?$")  # EntryPoint's


def entry_points(group: str) -> list[Found]:
    """The entry points of ``group``, in the order ``importlib.metadata.entry_points(group=...)`` gives them."""
    entry = cache.key("entry-points", (), group, fingerprint())
    # kept as an object entry (lists of strings, which the unpickler makes without naming any class): reading a JSON
    # one would import json, which a warm start otherwise does without
    hit = cache.get_objects(entry, {})
    if isinstance(hit, list) and all(isinstance(e, list) and len(e) == 4 and all(isinstance(v, str) for v in e[:2])
                                     and all(v is None or isinstance(v, str) for v in e[2:]) for e in hit):
        return [Found(*e) for e in hit]
    from importlib.metadata import entry_points as found

    listed = [Found(ep.name, ep.value, ep.dist.name if ep.dist else None, ep.dist.version if ep.dist else None)
              for ep in found(group=group)]
    cache.put_objects(entry, [list(e) for e in listed], {})
    return listed


def fingerprint() -> str:
    """What the installed distributions' entry points depend on (see the module's docstring)."""
    parts = [f"finders {[type(f).__qualname__ for f in sys.meta_path if hasattr(f, 'find_distributions')]}"]
    for place in sys.path:
        folder = os.path.abspath(place or ".")
        try:
            found = sorted(e.name for e in os.scandir(folder) if e.name.endswith(_METADATA))
        except OSError:  # no folder (a zip file is stat'ed whole; anything else holds no distribution)
            parts.append(f"{folder} {_stat(folder)}")
            continue
        parts.append(folder)
        parts += [f" {name} {_stat(os.path.join(folder, name))} " + " ".join(_stat(os.path.join(folder, name, f))
                                                                          for f in _FILES) for name in found]
    return "\n".join(parts)


def metadata_of(*distributions: str) -> str:
    """What ``importlib.metadata.version(distribution)`` depends on, for each of ``distributions``: their metadata
    folders on ``sys.path`` (each named with its version), with their files' stamps; "" where there is none."""
    wanted = {_normal(distribution) for distribution in distributions}
    parts = []
    for place in sys.path:
        folder = os.path.abspath(place or ".")
        try:  # name-1.0.dist-info, name-1.0-py3.11.egg-info, name.egg-info: the name comes before any '-'
            found = sorted(e.name for e in os.scandir(folder) if e.name.endswith(_METADATA)
                           and _normal(e.name.rsplit(".", 1)[0].split("-", 1)[0]) in wanted)
        except OSError:
            continue
        parts += [f"{folder} {name} " + " ".join(_stat(os.path.join(folder, name, f)) for f in _FILES)
                  for name in found]
    return "\n".join(parts)


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _stat(path: str) -> str:
    return cache.stamp(path)
