"""Finding the installed bodies and standards, and calling the bodies' hooks.

Each body plugin is an installed package that declares an entry point in the
``epa`` group, named by the body id. Each body gets its own plugin manager
(core defaults + that body), so hooks need no body argument and a body's
implementation simply overrides the default. Loading fails loudly: a hook
the specs do not name, an id that disagrees with the entry point, or two
distributions claiming one id is an error naming the plugin, never a body
silently graded by the defaults.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from types import FunctionType, MethodType, ModuleType
from typing import Any, TypeVar

import attrs
import pluggy

from epa import defaults, fence, hookspecs
from epa.discovery import entry_points  # importlib.metadata's, cached
from epa.errors import InputError, PluginError, control_in_name, did_you_mean, quote
from epa.model.domain import Body, Ruleset, Standard

ENTRY_POINT_GROUP = "epa"
T = TypeVar("T")
HOOKS = tuple(sorted(name for name in dir(hookspecs) if hasattr(getattr(hookspecs, name), "epa_spec")))


@attrs.frozen
class LoadedBody:
    body: Body
    plugin: str  # what to name in errors: the entry point or module
    hooks: Any  # the plugin manager's hook relay
    own_hooks: tuple[str, ...] = ()  # hooks the plugin implements itself, not left to the defaults
    distribution: str | None = None
    version: str | None = None
    standards: tuple[Standard, ...] = ()  # standards the plugin defines itself
    # Collected hooks whose last answer is always the core default's (it answers after the plugin's, and the
    # plugin wraps none of them): the fence checks the plugin's answers alone.
    defaults_last: frozenset[str] = frozenset()
    # First-result hooks the plugin implements, each called without the core default (``ask_own``): none where the
    # plugin wraps the hook (its wrapper may be about the default's answer).
    alone: dict[str, Any] = attrs.field(factory=dict, eq=False)

    def ruleset(self, standard: str, version: str | None = None) -> Ruleset:
        """The named version of this body's rules for a standard, or its newest."""
        versions = self.body.rulesets_for(standard)
        if version is None:
            return versions[-1]
        for r in versions:
            if r.document.version == version:
                return r
        raise InputError(f"{self.body.id} has no document version {version!r} for {standard}",
                         hint=did_you_mean(version, [r.document.version for r in versions if r.document.version]))

    def call(self, hook: str, **kwargs: Any) -> Any:
        """Call a hook. One the plugin implements is fenced (``epa.fence``): whatever it prints goes to stderr,
        whatever it raises, a result its spec does not allow, or not returning in time is a PluginError naming
        plugin and hook; what the core's default implementation raises in that call is not. One left to the
        defaults runs the core's own code, unfenced: an exception there is about the input (InputError) or epa's
        own failure, never the plugin's."""
        caller = getattr(self.hooks, hook)
        if hook in self.own_hooks:
            return fence.call(self.plugin, hook, caller, kwargs, trusted_last=hook in self.defaults_last)
        return caller(**kwargs)

    def ask_own(self, hook: str, **kwargs: Any) -> Any:
        """The plugin's own answer to a first-result hook it implements, fenced as ``call`` fences it, without the
        core default: None where it answers nothing (pluggy's "no answer"), so that the caller can tell the
        default's answer from the plugin's. Where the plugin wraps the hook, the whole chain's answer."""
        caller = self.alone.get(hook)
        if caller is None:
            return self.call(hook, **kwargs)
        return fence.call(self.plugin, hook, caller, kwargs)


@attrs.frozen
class Candidate:
    """A body plugin to load: its entry-point name, how to get its module, and who ships it."""

    name: str
    load: Callable[[], object]
    distribution: str | None = None
    version: str | None = None
    target: str | None = None  # the entry point's object reference ("epa_acme" or "epa_acme:plugin")


@cache
def core_standards() -> tuple[Standard, ...]:
    from epa.rules.load import load_standard

    # the package's own folder, as importlib.resources.files("epa") gives it for an installed package, without
    # importing importlib.resources (and tempfile, zipfile...) at every start
    folder = Path(__file__).parent / "rules" / "standards"
    return tuple(load_standard(p) for p in sorted(folder.iterdir(), key=lambda p: p.name) if p.name.endswith(".yaml"))


class _Manager(pluggy.PluginManager):
    """pluggy's plugin manager, asked about a module's attributes only where one could be a hook. pluggy looks up
    each name ``dir()`` gives with ``inspect.getattr_static`` (so as not to run a class's properties), about 10 µs a
    name, for the hook specifications, the defaults and the plugin, for every body: most of a module's names are
    its imports and constants, which are no hook (pluggy takes functions, methods and static or class methods
    alone; before 1.6, any routine). Anything marked as a hook is asked about, whatever it is, and what pluggy is
    asked about it decides as it always does (``_marked_but_skipped`` then refuses a mark pluggy did not take)."""

    def parse_hookspec_opts(self, module_or_class: Any, name: str) -> Any:
        if isinstance(module_or_class, ModuleType) and not _hookable(module_or_class, name):
            return None
        return super().parse_hookspec_opts(module_or_class, name)

    def parse_hookimpl_opts(self, plugin: Any, name: str) -> Any:
        if isinstance(plugin, ModuleType) and not _hookable(plugin, name):
            return None
        return super().parse_hookimpl_opts(plugin, name)


def _hookable(module: ModuleType, name: str) -> bool:
    """Whether a module's attribute could be a hook to pluggy: a function, a bound method, a static or class
    method (as a module's own attribute, which ``getattr_static`` finds before any other), or anything marked."""
    value = vars(module).get(name)
    return isinstance(value, FunctionType | MethodType | staticmethod | classmethod) or _mark(value) is not None


_MARKS = (f"{ENTRY_POINT_GROUP}_impl", f"{ENTRY_POINT_GROUP}_spec")  # where pluggy's markers keep their options


def _mark(value: object) -> str | None:
    """The hook marker ``value`` carries in its own ``__dict__`` (read without running any of its code), if any."""
    try:
        own = object.__getattribute__(value, "__dict__")
    except (AttributeError, TypeError):
        return None
    return next((m for m in _MARKS if isinstance(own, dict) and m in own), None)


def _hook_named(attribute: str, marked: object) -> str:
    """The hook a marked attribute implements: its ``specname``, where its mark gives one, else its own name."""
    options = object.__getattribute__(marked, "__dict__")[_MARKS[0]]
    return (options.get("specname") if isinstance(options, dict) else None) or attribute


def _marked_but_skipped(name: str, plugin: object, own: tuple[str, ...]) -> None:
    """A plugin's attribute marked ``@hookimpl`` that pluggy did not take as a hook (since pluggy 1.6 it takes
    plain functions, methods and static or class methods alone: a function wrapped by ``functools.cache`` is
    skipped without a word) is refused: left unsaid, the body's documented rule would silently give way to the
    default's."""
    for attribute, value in _attributes(plugin).items():
        if _mark(value) == _MARKS[0] and _hook_named(attribute, value) not in own:
            raise PluginError(name, attribute, f"{quote(attribute)} is marked @hookimpl, but it is a "
                              f"{type(value).__name__}, not a function, so pluggy does not call it and the default "
                              "would answer in its place; mark a plain function (and remember its answers inside "
                              "it, if it must: functools.cache's wrapper is no function)")


def _attributes(plugin: object) -> dict[str, object]:
    """A plugin's attributes as pluggy finds them, read without running any of its code: a module's own; an
    object's own, then its class's and their bases' (a method is its class's); a class's, then its bases'."""
    owners = [plugin] if isinstance(plugin, ModuleType) else \
        list(plugin.__mro__[:-1]) if isinstance(plugin, type) else [plugin, *type(plugin).__mro__[:-1]]
    found: dict[str, object] = {}
    for owner in owners:
        try:
            held = object.__getattribute__(owner, "__dict__")
        except (AttributeError, TypeError):
            continue
        for attribute, value in dict(held).items():
            found.setdefault(attribute, value)
    return found


def _answered_by_default(name: str, pm: pluggy.PluginManager, own: tuple[str, ...]) -> None:
    """A first-result hook of the plugin's own that pluggy would call after the core's default is refused: the
    default always answers, so the plugin's code would never run (``@hookimpl(trylast=True)``, which puts it beside
    the default, registered earlier and so called later), while ``epa plugins``, ``epa consistency`` and every
    explanation describe the hook as the body's own rule. A wrapper wraps the default's answer, and a collected
    hook's answer is still collected: both run."""
    for hook in own:
        caller = getattr(pm.hook, hook)
        if not (caller.spec and caller.spec.opts.get("firstresult")):
            continue
        order = [i.plugin_name for i in reversed(caller.get_hookimpls())
                 if not (i.hookwrapper or getattr(i, "wrapper", False))]  # the order pluggy calls them in
        if fence.DEFAULTS in order and name in order and order.index(fence.DEFAULTS) < order.index(name):
            raise PluginError(name, hook, f"{quote(hook)} is marked to be called after the core's default "
                              f"(trylast), which always answers, so it would never be called and the default would "
                              f"answer in its place; drop trylast (the plugin's own {hook} is called first)")


def _check_hooks(name: str, pm: pluggy.PluginManager, module: object) -> tuple[str, ...]:
    """The hooks the plugin implements; one the specs do not name is an error (pluggy's check_pending,
    with the nearest real hook named)."""
    own = []
    for caller in pm.get_hookcallers(module) or ():
        if caller.spec is None and not any(i.optionalhook for i in caller.get_hookimpls() if i.plugin is module):
            hint = did_you_mean(caller.name, HOOKS) or "expected one of: " + ", ".join(HOOKS)
            raise PluginError(name, caller.name, f"implements {quote(caller.name)}, which is not an epa hook; {hint}")
        own.append(caller.name)
    return tuple(sorted(own))


def load_body(candidate: Candidate) -> LoadedBody:
    """Import and register one body plugin, holding it to the hook specs and its entry-point name."""
    name = candidate.name
    try:  # fenced as a hook is: a module printing, exiting or hanging as it is imported fails to load
        module = fence.call(name, "import", candidate.load, {}, check=False)
    except PluginError as exc:
        if exc.hook != "import":
            raise
        shipped = f" (distribution {candidate.distribution})" if candidate.distribution else ""
        entry = f" entry point {quote(f'{name} = {candidate.target}')}" if candidate.target else ""
        raise PluginError(name, "import", f"cannot import{entry}{shipped}: {exc.problem}") from exc
    pm = _Manager(ENTRY_POINT_GROUP)
    pm.add_hookspecs(hookspecs)
    pm.register(defaults, name="epa.defaults")
    try:
        pm.register(module, name=name)
    except pluggy.PluginValidationError as exc:
        raise PluginError(name, "register", str(exc)) from exc
    own = _check_hooks(name, pm, module)
    _marked_but_skipped(name, module, own)
    _answered_by_default(name, pm, own)
    # Fenced like every hook; an InputError in register_body (its own data files) is the plugin's failure.
    body = fence.call(name, "register_body", pm.hook.register_body, {})
    standards = [s for part in fence.call(name, "register_standards", pm.hook.register_standards, {}) for s in part]
    if body.id != name:
        raise PluginError(name, "register_body", f"the body id {quote(body.id)} disagrees with its entry-point name "
                          f"{quote(name)}: they must be the same")
    for r in body.rulesets:
        if r.body != body.id:
            raise PluginError(name, "register_body", f"ruleset {quote(r.source_file or r.standard)} says body "
                              f"{quote(r.body)}, but the plugin's body id is {quote(body.id)}")
    from epa.rules.told_apart import untold  # (only as a plugin loads: not at every start)

    for standard in body.standards:
        problem = untold(body.rulesets_for(standard))
        if problem is not None:
            raise PluginError(name, "register_body", problem)
    return LoadedBody(body, name, pm.hook, own, candidate.distribution, candidate.version, tuple(standards),
                      _defaults_last(pm, own), _alone(pm, own))


def _alone(pm: pluggy.PluginManager, own: tuple[str, ...]) -> dict[str, Any]:
    """Each first-result hook the plugin implements, as a caller of its own implementations alone (the core
    default left out), unless one of them is a wrapper."""
    found = {}
    for hook in own:
        caller = getattr(pm.hook, hook)
        if caller.spec and caller.spec.opts.get("firstresult") and \
                not any(i.hookwrapper or getattr(i, "wrapper", False) for i in caller.get_hookimpls()):
            found[hook] = pm.subset_hook_caller(hook, remove_plugins=[defaults])
    return found


def _defaults_last(pm: pluggy.PluginManager, own: tuple[str, ...]) -> frozenset[str]:
    """The collected hooks the plugin implements whose last answer is the default's: the default is called last
    (``trylast``) and always answers a list, and no implementation is a wrapper that could change the answers."""
    found = set()
    for hook in own:
        caller = getattr(pm.hook, hook)
        impls = caller.get_hookimpls()
        if caller.spec and not caller.spec.opts.get("firstresult") and impls and \
                impls[0].plugin_name == fence.DEFAULTS and impls[0].trylast and \
                not any(i.hookwrapper or getattr(i, "wrapper", False) for i in impls):
            found.add(hook)
    return frozenset(found)


def _claimed_twice(name: str, eps: list[Any]) -> Callable[[], object]:
    dists = sorted({ep.dist.name if ep.dist else ep.value for ep in eps})

    def fail() -> object:
        raise PluginError(name, "entry point", f"body id {name!r} is claimed by {len(eps)} installed "
                          f"distributions: {', '.join(dists)}; uninstall all but one")
    return fail


def _shipped_by(distribution: str | None, plugin: str) -> str:
    return f"distribution {distribution}" if distribution else f"plugin {plugin!r}"


def _entry_points() -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(ep.name, []).append(ep)
    return found


def _wanted(only: Iterable[str] | None) -> list[str] | None:
    """The bodies named (``only``, else ``EPA_BODIES``, comma-separated), or None: every one."""
    if only is None and os.environ.get("EPA_BODIES", "").strip():
        only = os.environ["EPA_BODIES"].split(",")
    return None if only is None else [b.strip() for b in only if b.strip()]


def installed_candidates(only: Iterable[str] | None = None) -> list[Candidate]:
    """The body plugins installed in this environment; ``only`` (default: ``EPA_BODIES``, comma-separated)
    picks some by id. A body id that two distributions claim fails to load, naming both."""
    found = _entry_points()
    names = sorted(found)
    wanted = _wanted(only)
    if wanted is not None:
        for name in wanted:
            if name not in found:
                raise InputError(f"no installed body {name!r}", hint=did_you_mean(name, names))
        names = [n for n in names if n in wanted]
    return _candidates(found, names)


def _candidates(found: dict[str, list[Any]], names: list[str]) -> list[Candidate]:
    candidates = []
    for name in names:
        if len(found[name]) > 1:
            candidates.append(Candidate(name, _claimed_twice(name, found[name])))
            continue
        ep = found[name][0]
        candidates.append(Candidate(name, ep.load, ep.dist.name if ep.dist else None,
                                    ep.dist.version if ep.dist else None, ep.value))
    return candidates


def fold(name: str) -> str:
    """A name as compared: case, spaces, punctuation and underscores aside ('Gateway Qualifications',
    'gateway-qualifications' and 'GATEWAYQUALIFICATIONS' are one)."""
    return re.sub(r"[\W_]+", "", name.casefold())


_ACRONYM = re.compile(r"\(([^()]+)\)\s*$")


def names_of(body: Body) -> frozenset[str]:
    """What a person may call a body, all from its plugin's own data: its id; its name and each document's
    publisher, whole, without an acronym in brackets at the end, and that acronym ('Training Qualifications UK
    (TQUK)': also 'Training Qualifications UK' and 'TQUK'); and their leading words ('Highfield' for 'Highfield
    Assessment')."""
    names = {body.id}
    for full in {body.name, *(r.document.publisher for r in body.rulesets)} - {""}:
        acronym = _ACRONYM.search(full)
        bare = full[:acronym.start()].strip() if acronym else full
        words = bare.split()
        names.update([full, *([acronym.group(1)] if acronym else []),
                      *(" ".join(words[:n]) for n in range(1, len(words) + 1))])
    return frozenset(n for n in names if fold(n))


def _without(failed: Candidate) -> str:
    """How to go on while a plugin does not load: every command stops (leaving a body out unasked would answer
    without it), so name the others with --bodies, or uninstall it."""
    gone = f", or uninstall {failed.distribution}" if failed.distribution else ""
    return f"every command stops while {failed.name!r} does not load: name the bodies you use with --bodies (or " \
        f"EPA_BODIES){gone}; `epa plugins` names every plugin that does not load"


def _given(module: object) -> Callable[[], object]:
    return lambda: module


def _left_out(registry: Registry) -> tuple[LoadedBody, ...]:
    """The installed bodies --bodies (or EPA_BODIES) left out, loaded: asked by a refusal only (a body named by its
    name or acronym, a standard only they offer), and kept (``Registry.kept``), so that a cohort's every record of
    such a standard does not load them again."""
    return Registry.installed(registry.left_out, keep_going=True).bodies


class Registry:
    """The bodies and standards available to this run, by id.

    ``plugins`` are (name, module) pairs or :class:`Candidate` s. With ``keep_going`` a plugin that fails
    to load is kept in ``failed`` (for ``epa conformance`` to report) instead of stopping the run.
    """

    def __init__(self, plugins: Iterable[tuple[str, object] | Candidate], *, keep_going: bool = False):
        self._bodies: dict[str, LoadedBody] = {}
        self.failed: dict[str, PluginError] = {}
        self._kept: dict[Callable[[Registry], Any], Any] = {}  # see kept
        self._standards: dict[str, tuple[str, Standard]] = {s.id: ("epa", s) for s in core_standards()}
        # the installed bodies --bodies (or EPA_BODIES) left out, by id: a record or a standard naming one is
        # refused for that reason, not as unknown (set by ``installed``)
        self.left_out: tuple[str, ...] = ()
        for plugin in plugins:
            candidate = plugin if isinstance(plugin, Candidate) else Candidate(plugin[0], _given(plugin[1]))
            try:
                loaded = load_body(candidate)
                if loaded.body.id in self._bodies:
                    first = self._bodies[loaded.body.id]
                    raise PluginError(candidate.name, "register_body", f"body id {loaded.body.id!r} is claimed by "
                                      f"two plugins: {_shipped_by(first.distribution, first.plugin)} and "
                                      f"{_shipped_by(candidate.distribution, candidate.name)}; uninstall all but one")
                self._add_standards(loaded)
            except PluginError as exc:
                if not keep_going:
                    exc.hint = exc.hint or _without(candidate)
                    raise
                self.failed[candidate.name] = exc
                continue
            self._bodies[loaded.body.id] = loaded

    def _add_standards(self, loaded: LoadedBody) -> None:
        mine: dict[str, Standard] = {}
        for s in loaded.standards:
            owner, known = self._standards.get(s.id, (None, None))
            if known is not None and known != s:
                raise PluginError(loaded.plugin, "register_standards", f"defines standard {s.id} differently from "
                                  f"{owner}'s definition; a standard's methods, grades and criteria are shared")
            mine[s.id] = s
        for r in loaded.body.rulesets:
            if r.standard not in self._standards and r.standard not in mine:
                raise PluginError(loaded.plugin, "register_body", f"ships rules for {r.standard}, a standard "
                                  "neither the core nor the plugin defines (implement register_standards)")
        for s in mine.values():
            self._standards.setdefault(s.id, (loaded.plugin, s))

    @classmethod
    def installed(cls, only: Iterable[str] | None = None, *, keep_going: bool = False) -> Registry:
        """The installed body plugins; ``only`` (default: ``EPA_BODIES``) picks some, each by its id or by a name
        :func:`names_of` gives (then every plugin is loaded to learn the names, and the others left out)."""
        found = _entry_points()
        wanted = _wanted(only)
        if wanted is None or all(name in found for name in wanted):
            registry = cls(_candidates(found, sorted(found) if wanted is None else sorted(set(wanted))),
                           keep_going=keep_going)
            registry.left_out = tuple(sorted(set(found) - set(found if wanted is None else wanted)))
            return registry
        everyone = cls(_candidates(found, sorted(found)), keep_going=True)
        chosen = {name if name in found else everyone.named(name).body.id for name in wanted}
        registry = everyone._only(chosen, keep_going=keep_going)
        registry.left_out = tuple(sorted(set(found) - chosen))
        return registry

    def _only(self, chosen: set[str], *, keep_going: bool) -> Registry:
        """A registry of the chosen bodies, already loaded here; a chosen one that failed to load fails (or, with
        ``keep_going``, is kept failed)."""
        picked = Registry((), keep_going=keep_going)
        for name in sorted(chosen & set(self.failed)):
            if not keep_going:
                raise self.failed[name]
            picked.failed[name] = self.failed[name]
        for loaded in self.bodies:
            if loaded.body.id in chosen:
                picked._add_standards(loaded)
                picked._bodies[loaded.body.id] = loaded
        return picked

    def kept(self, make: Callable[[Registry], T]) -> T:
        """What ``make`` makes of these bodies, made when first asked and kept with them: the one engine every command
        decides and explains through (``epa.engine.compiled.Engine.of``), which this module, imported by it, does
        not name."""
        found = self._kept.get(make)
        if found is None:
            found = self._kept[make] = make(self)
        return found  # type: ignore[no-any-return]  # (what make made)

    @property
    def bodies(self) -> tuple[LoadedBody, ...]:
        return tuple(self._bodies.values())

    def body(self, body_id: str) -> LoadedBody:
        """A body by its id, exactly (as a record's ``document_versions`` names it); see :meth:`named` for a
        name a person typed."""
        try:
            return self._bodies[body_id]
        except KeyError:
            pass
        try:
            meant = self.named(body_id).body.id
        except InputError as exc:
            raise InputError(exc.message, hint=exc.hint) from None
        raise InputError(f"unknown body id {body_id!r}", hint=f"that names {meant!r}: give its id, {meant!r}")

    def named(self, name: str) -> LoadedBody:
        """A body as a person names it (``--body``, ``--bodies``, ``EPA_BODIES``): by its id, its name or its
        acronym (:func:`names_of`), case, spaces and punctuation aside. A name no body or several bodies answer
        to is bad input, with the choices."""
        if name in self._bodies:
            return self._bodies[name]
        if (control := control_in_name(name, "the body name")) is not None:  # (before fold() drops it)
            raise control
        key = fold(name)
        meant = [b for b in self.bodies if key in {fold(n) for n in names_of(b.body)}]
        if len(meant) == 1:
            return meant[0]
        choices = [f"{b.body.id} ({b.body.name})" for b in (meant or self.bodies)]
        choices += [] if meant else [f"{failed} (failed to load)" for failed in self.failed]
        if meant:
            raise InputError(f"{name!r} names {len(meant)} bodies: {', '.join(choices)}",
                             hint="name one by its id: " + ", ".join(b.body.id for b in meant))
        left_out = next((b for b in self.left_out if fold(b) == key), None)
        if left_out is None and self.left_out:  # by a name or acronym: the bodies left out loaded, on this refusal only
            left_out = next((b.body.id for b in self.kept(_left_out) if key in {fold(n) for n in names_of(b.body)}),
                            None)
        if left_out is not None:
            raise InputError(f"body {left_out!r} is installed but not among the bodies chosen with --bodies (or "
                             "EPA_BODIES)", hint=self._choose_also(left_out))
        raise InputError(f"unknown body {name!r}", hint=self._closest(name, choices))

    def _choose_also(self, wanted: str) -> str:
        """What to do about a body (or a standard's bodies) left out by --bodies: choose it too, or every body."""
        chosen = ", ".join(b.body.id for b in self.bodies) or "none"
        return f"chosen: {chosen}; add {wanted} to --bodies (or EPA_BODIES), or leave --bodies out to use every " \
            "installed body"

    def _closest(self, name: str, choices: list[str]) -> str | None:
        """'did you mean ...?' for a body id or name spelt nearly as ``name`` (a typing slip), else the body whose
        names share the most telling words with it (a word fewer bodies' names hold tells more: "Highfield
        Qualifications" is Highfield's, not the body whose name ends "Qualifications"), else the nearest by
        spelling, else every body."""
        import difflib  # only when a body is misnamed: not at every start

        spelt = {fold(n): (n, b.body.id) for b in self.bodies for n in sorted(names_of(b.body))}
        close = difflib.get_close_matches(fold(name), spelt, n=1, cutoff=0.85)
        by_word = None if close else _shared_words(name, {b.body.id: sorted(names_of(b.body)) for b in self.bodies})
        if by_word is not None:
            body = self._bodies[by_word]
            return f"did you mean {body.body.name!r} ({body.body.id})?"
        close = close or difflib.get_close_matches(fold(name), spelt, n=1, cutoff=0.6)
        if close:
            alias, body_id = spelt[close[0]]
            return f"did you mean {body_id!r}?" if alias == body_id else f"did you mean {alias!r} ({body_id})?"
        return "expected one of: " + ", ".join(choices) if choices else "no body is installed"

    def standard(self, standard_id: str) -> Standard:
        """A standard's shared definition; an unknown one is bad input."""
        try:
            return self._standards[standard_id][1]
        except KeyError:
            raise InputError(f"unknown standard {standard_id!r}", hint=self._standard_hint(standard_id)) from None

    def standards(self) -> tuple[str, ...]:
        """The standards some loaded body offers."""
        return tuple(sorted({s for b in self.bodies for s in b.body.standards}))

    def defined_standards(self) -> tuple[Standard, ...]:
        return tuple(s for _, s in sorted(self._standards.values(), key=lambda pair: pair[1].id))

    def offering(self, standard: str) -> tuple[LoadedBody, ...]:
        """Bodies that offer a standard; an unknown standard, or one no loaded body offers, is bad input."""
        found = tuple(b for b in self.bodies if standard in b.body.standards)
        if not found:
            # A body --bodies left out may offer it (they are loaded to see, on this refusal only).
            others = [b.body.id for b in self.kept(_left_out)
                      if standard in b.body.standards] if standard in self._standards and self.left_out else []
            if others:
                raise InputError(f"no body among those chosen with --bodies (or EPA_BODIES) offers standard "
                                 f"{standard!r}", hint=f"installed but not chosen, offering it: {', '.join(others)}; "
                                 + self._choose_also("a body that offers it"))
            if standard in self._standards:
                raise InputError(f"no installed body offers standard {standard!r}",
                                 hint="installed bodies offer: " + (", ".join(self.standards()) or "nothing"))
            raise InputError(f"unknown standard {standard!r}", hint=self._standard_hint(standard))
        return found

    def _standard_hint(self, given: str) -> str | None:
        """A known standard's id with more after it (ST0071 v1.2, ST0071 Customer Service Specialist) is that id:
        said so, not the closest spelling ('did you mean ST0072?' for ST0071 v1.2, another standard)."""
        known = next((s for s in sorted(self._standards) if re.match(re.escape(s) + r"(?![0-9])", given.strip(),
                                                                     re.IGNORECASE)), None)
        if known is not None:
            return (f"give the standard's id alone: {known!r} (which version of a body's rules applies is chosen by "
                    "the gateway date)")
        return did_you_mean(given, self._standards)

    def criterion_ids(self, standard: str) -> frozenset[str]:
        """The standard's criterion vocabulary: what a record may name, whichever bodies are installed."""
        return self.standard(standard).criterion_ids

    def method_ids(self, standard: str) -> tuple[str, ...]:
        return self.standard(standard).method_ids


def _words(name: str) -> set[str]:
    return {w for w in re.split(r"[^a-z0-9]+", name.casefold()) if len(w) > 1}


def _shared_words(name: str, names: dict[str, list[str]]) -> str | None:
    """The one body (by id) whose ``names`` share the most telling words with ``name``, each word weighing one over
    the number of bodies whose names hold it; between bodies weighing the same, the one more of whose names are such
    a word by itself ("Highfield", Highfield Assessment's leading word, tells more than the "Qualifications" inside
    "Gateway Qualifications", which with two bodies installed weighs as much); None where no body's names share a
    word, or two still tie."""
    words = {body: set().union(*map(_words, spelt)) for body, spelt in names.items()}
    given = _words(name)
    holders = {w: sum(w in held for held in words.values()) for w in given}
    rank = {body: (sum(1 / holders[w] for w in given & held), len(given & {fold(n) for n in names[body]}))
            for body, held in words.items()}
    ranked = sorted(rank.items(), key=lambda br: br[1], reverse=True)
    if not ranked or ranked[0][1][0] == 0 or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
        return None
    return ranked[0][0]

