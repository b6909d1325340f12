"""Finding the installed bodies and calling their hooks.

Each body plugin is an installed package that declares an entry point in the
``epa`` group, named by the body id. Each body gets its own plugin manager
(core defaults + that body), so hooks need no body argument and a body's
implementation simply overrides the default.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from importlib.metadata import entry_points
from types import ModuleType
from typing import Any

import attrs
import pluggy

from epa import defaults, hookspecs
from epa.errors import InputError, PluginError, did_you_mean
from epa.model import Body, Ruleset

ENTRY_POINT_GROUP = "epa"


@attrs.frozen
class LoadedBody:
    body: Body
    plugin: str  # what to name in errors: the entry point or module
    hooks: Any  # the plugin manager's hook relay

    def ruleset(self, standard: str, version: str | None = None) -> Ruleset:
        """The named version of this body's rules for a standard, or its newest."""
        versions = self.body.rulesets_for(standard)
        if version is None:
            return versions[-1]
        for r in versions:
            if r.document.version == version:
                return r
        raise InputError(f"{self.body.id} has no document version {version!r} for {standard}",
                         hint=did_you_mean(version, [r.document.version for r in versions]))

    def call(self, hook: str, **kwargs: Any) -> Any:
        """Call a hook; any exception in a plugin becomes a PluginError naming plugin and hook."""
        try:
            return getattr(self.hooks, hook)(**kwargs)
        except (InputError, PluginError):
            raise
        except Exception as exc:  # a plugin's bug must not reach the user as a traceback
            raise PluginError(self.plugin, hook, f"{type(exc).__name__}: {exc}") from exc


def _load(name: str, module: ModuleType | object) -> LoadedBody:
    pm = pluggy.PluginManager(ENTRY_POINT_GROUP)
    pm.add_hookspecs(hookspecs)
    pm.register(defaults, name="epa.defaults")
    try:
        pm.register(module, name=name)
        body = pm.hook.register_body()
    except (InputError, PluginError):
        raise
    except Exception as exc:
        raise PluginError(name, "register_body", f"{type(exc).__name__}: {exc}") from exc
    if not isinstance(body, Body):
        raise PluginError(name, "register_body", f"returned {type(body).__name__}, expected epa.Body")
    return LoadedBody(body, name, pm.hook)


class Registry:
    """The bodies available to this run, by id."""

    def __init__(self, plugins: Iterable[tuple[str, ModuleType | object]]):
        self._bodies: dict[str, LoadedBody] = {}
        for name, module in plugins:
            loaded = _load(name, module)
            if loaded.body.id in self._bodies:
                raise PluginError(name, "register_body", f"body id {loaded.body.id!r} is already registered")
            self._bodies[loaded.body.id] = loaded

    @classmethod
    def installed(cls, only: Iterable[str] | None = None) -> Registry:
        """The installed body plugins; ``only`` (default: ``EPA_BODIES``, comma-separated) picks some."""
        found = sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name)
        if only is None and os.environ.get("EPA_BODIES", "").strip():
            only = os.environ["EPA_BODIES"].split(",")
        if only is not None:
            wanted = [b.strip() for b in only if b.strip()]
            for name in wanted:
                if name not in {ep.name for ep in found}:
                    raise InputError(f"no installed body {name!r}", hint=did_you_mean(name, [e.name for e in found]))
            found = [ep for ep in found if ep.name in wanted]

        def plugins() -> Iterable[tuple[str, object]]:
            for ep in found:
                try:
                    yield ep.name, ep.load()
                except Exception as exc:
                    raise PluginError(ep.name, "import", f"{type(exc).__name__}: {exc}") from exc

        return cls(plugins())

    @property
    def bodies(self) -> tuple[LoadedBody, ...]:
        return tuple(self._bodies.values())

    def body(self, body_id: str) -> LoadedBody:
        try:
            return self._bodies[body_id]
        except KeyError:
            raise InputError(f"unknown body {body_id!r}", hint=did_you_mean(body_id, self._bodies)) from None

    def standards(self) -> tuple[str, ...]:
        return tuple(sorted({s for b in self.bodies for s in b.body.standards}))

    def offering(self, standard: str) -> tuple[LoadedBody, ...]:
        """Bodies that offer a standard; an unknown standard is bad input."""
        found = tuple(b for b in self.bodies if standard in b.body.standards)
        if not found:
            raise InputError(f"no installed body offers standard {standard!r}",
                             hint=did_you_mean(standard, self.standards()))
        return found

    def criterion_ids(self, standard: str) -> frozenset[str]:
        """Every criterion id any body knows for a standard: the shared vocabulary of evidence."""
        return frozenset(c.id for b in self.offering(standard) for r in b.body.rulesets_for(standard)
                         for c in r.criteria)

    def method_ids(self, standard: str) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for b in self.offering(standard):
            for r in b.body.rulesets_for(standard):
                seen.update(dict.fromkeys(r.method_ids))
        return tuple(seen)
