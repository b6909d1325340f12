"""What every check is made of: the subject it looks at, the failures it yields, the skips it raises, and the
register of checks in the order they run."""

from __future__ import annotations

import inspect
import itertools
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from attrs import frozen

from epa import fence
from epa.conformance import witness
from epa.conformance.checks.where import parts, read_quietly, written_in
from epa.errors import PluginError
from epa.model.domain import Grade, Record, Ruleset
from epa.model.results import BodyResult, ComponentResult, Outcome
from epa.registry import LoadedBody, Registry

RANK = {Grade.FAIL: 0, Grade.PASS: 1, Grade.DISTINCTION: 2}

class Skip(Exception):
    """The check does not apply to this subject; the message says why."""


class NotChecked(Skip):
    """The check applies, but was not made: what it reads is absent (a source document) or says what the check
    cannot read (a rule in words). Never a pass: the summary names it."""


@frozen
class Failure:
    message: str  # what went wrong
    expected: str
    entry: str | None = None  # where in the rules: a JSON path, or the hook at fault
    file: str | None = None  # the ruleset file the entry is in
    record: dict[str, Any] | None = None  # a record `epa grade` reproduces it with
    line: int | None = None  # the entry's line in the file, where the check read the file itself


@frozen
class CheckedBody:
    loaded: LoadedBody
    ruleset: Ruleset | None  # None for checks of the body as a whole
    registry: Registry
    sources: Path

    @property
    def body_id(self) -> str:
        return self.loaded.body.id

    def explain(self, data: dict[str, Any] | Record) -> BodyResult:
        """A witness record explained by this body, as every command explains it (the registry's engine), its own
        hooks asked as grading asks them."""
        from epa.engine.compiled import Engine

        record = data if isinstance(data, Record) else witness.structure(data)
        return Engine.of(self.registry).explain(record, self.loaded)[0]

    @property
    def rules(self) -> Ruleset:
        assert self.ruleset is not None
        return self.ruleset

    def failure(self, message: str, expected: str, entry: str | None = None,
                record: dict[str, Any] | None = None) -> Failure:
        if entry in self.loaded.own_hooks:  # the plugin's own code: its module and line
            file, line = hook_source(self.loaded, entry)
            return Failure(message, expected, entry, file, record, line)
        if self.ruleset is None:
            return Failure(message, expected, entry, None, record)
        return written(self.rules, message, expected, entry, record)

    def grade_component(self, method: str, met: frozenset[str]) -> Grade:
        return self.component(method, met).grade

    def component(self, method: str, met: frozenset[str]) -> ComponentResult:
        # Asked as grading asks, but what its answer lists is left to the checks to hold to the question (each
        # failure then shown by its record), where grading would refuse it (``contracts.untold``).
        asked = {"ruleset": self.rules, "method": method, "criteria_met": met}
        result = fence.call(self.loaded.plugin, "grade_component", self.loaded.hooks.grade_component, asked,
                            told=False) if "grade_component" in self.loaded.own_hooks else \
            self.loaded.call("grade_component", **asked)
        if not isinstance(result, ComponentResult) or not isinstance(result.grade, Grade):
            raise Skip(f"grade_component returned {result!r}, not an epa.ComponentResult")  # `hooks` fails it
        return result

    def combine(self, components: Mapping[str, Grade]) -> Grade | None:
        outcome = self.loaded.call("combine_grades", ruleset=self.rules, components=dict(components))
        if not isinstance(outcome, Outcome):
            raise Skip(f"combine_grades returned {outcome!r}, not an epa.Outcome")
        return outcome.grade


def written(r: Ruleset, message: str, expected: str, entry: str | None = None,
            record: dict[str, Any] | None = None) -> Failure:
    """A failure of an entry of the ruleset, named where the author wrote it: the file (a journey rule in the
    journey file), the JSON path in that file, and its line."""
    file, entry = written_in(r, entry)
    if not (file and entry and entry.startswith("$")):  # a hook at fault, or no file
        return Failure(message, expected, entry, file, record)
    source = read_quietly(file)
    return Failure(message, expected, entry, file, record, line=source.line(parts(entry)) if source else None)


def hook_source(loaded: LoadedBody, hook: str) -> tuple[str | None, int | None]:
    """The file and line of the plugin's own implementation of a hook, or (None, None): one left to the
    defaults, or code whose source Python cannot find."""
    caller = getattr(loaded.hooks, hook, None)
    for impl in caller.get_hookimpls() if caller else ():
        if impl.plugin_name == loaded.plugin:
            function = inspect.unwrap(impl.function)
            try:
                return inspect.getsourcefile(function), inspect.getsourcelines(function)[1]
            except (OSError, TypeError):
                return None, None
    return None, None


def hook_failure(loaded: LoadedBody, exc: PluginError, record: dict[str, Any] | None = None) -> Failure:
    """A hook's failure: one that raised at the line of the plugin's code it raised at, one that returned what its
    spec does not allow at the hook's own ``def``."""
    if exc.file is not None:
        return Failure(exc.problem, f"{exc.hook} returns its answer, not raise an exception", exc.hook, exc.file,
                       record, exc.line)
    file, line = hook_source(loaded, exc.hook) if exc.hook in loaded.own_hooks else (None, None)
    return Failure(exc.problem, f"what hookspecs.{exc.hook} says it returns", exc.hook, file, record, line)


@frozen
class ConformanceCheck:
    id: str
    title: str
    scope: str  # body | ruleset
    run: Callable[[CheckedBody], Iterator[Failure]]


CHECKS: list[ConformanceCheck] = []


def check(check_id: str, title: str, scope: str = "ruleset") -> Callable[[Callable[[CheckedBody], Iterator[Failure]]],
                                                                         Callable[[CheckedBody], Iterator[Failure]]]:
    def register(fn: Callable[[CheckedBody], Iterator[Failure]]) -> Callable[[CheckedBody], Iterator[Failure]]:
        CHECKS.append(ConformanceCheck(check_id, title, scope, fn))
        return fn
    return register



def everything(r: Ruleset, method: str) -> frozenset[str]:
    return frozenset(c.id for c in r.criteria_for(method))



def combinations(r: Ruleset) -> Iterator[dict[str, Grade]]:
    for grades in itertools.product(list(Grade), repeat=len(r.method_ids)):
        yield dict(zip(r.method_ids, grades, strict=True))



def show(combo: Mapping[str, Grade | None]) -> str:
    return ", ".join(f"{m}={g.value if g else g}" for m, g in combo.items())


def first_change(before: Any, after: Any, path: str = "$") -> str | None:
    """The JSON path of the first difference between two unstructured values, or None where they are equal."""
    if type(before) is not type(after):
        return path
    if isinstance(before, dict):
        for key in [*before, *(k for k in after if k not in before)]:
            if key not in before or key not in after:
                return f"{path}.{key}"
            if (found := first_change(before[key], after[key], f"{path}.{key}")) is not None:
                return found
        return None
    if isinstance(before, list):
        for i, (old, new) in enumerate(zip(before, after, strict=False)):
            if (found := first_change(old, new, f"{path}[{i}]")) is not None:
                return found
        return None if len(before) == len(after) else f"{path}[{min(len(before), len(after))}]"
    return None if before == after else path
