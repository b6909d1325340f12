"""The checks of the conformance suite: universal properties every body's rules must hold.

A check is a generator over one :class:`Subject` (a body, or one of its rulesets) that yields a
:class:`Failure` for each counterexample, or raises :class:`Skip` with the reason it does not apply.
Each failure names the ruleset file and entry where one is to blame, what was expected, and, where
an apprentice can show it, the smallest record that does: ``epa grade --body ID`` on it reproduces it.
"""

from __future__ import annotations

import functools
import inspect
import itertools
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from attrs import frozen

from epa.conformance import witness
from epa.errors import InputError, PluginError, quote
from epa.inputs.documents import json_path, read
from epa.model.convert import unstructure
from epa.model.domain import Grade, OverallInWords, Record, Ruleset
from epa.model.results import BodyResult, ComponentResult, Outcome
from epa.registry import LoadedBody, Registry
from epa.rules import combination
from epa.rules.load import JOURNEY_SUFFIX
from epa.rules.sources import has_section, sha256

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
        result = self.loaded.call("grade_component", ruleset=self.rules, method=method, criteria_met=met)
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
    file, entry = _written_in(r, entry)
    if not (file and entry and entry.startswith("$")):  # a hook at fault, or no file
        return Failure(message, expected, entry, file, record)
    source = _read_quietly(file)
    return Failure(message, expected, entry, file, record, line=source.line(_parts(entry)) if source else None)


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


# --- the plugin --------------------------------------------------------------------------------------------


@check("loads", "the plugin loads: its hooks are epa hooks and its ids agree with its entry point", "body")
def loads(s: CheckedBody) -> Iterator[Failure]:
    # Loading already enforced it (a plugin that broke it is reported by `run` as failing here).
    body = s.loaded.body
    if not body.rulesets:
        yield Failure("the body ships no rulesets", "at least one ruleset", "register_body")


@check("hooks", "every hook returns what its spec says, and changes neither the ruleset nor the record it is given: "
       "grading typical records, and a resit, calls each one", "body")
def hooks(s: CheckedBody) -> Iterator[Failure]:
    # The rules' dicts (component_rules, a row's when) and a record's can be changed in place: a hook that does
    # (a setdefault, a pop) changes what every later grading in the process reads (a cohort, `epa serve`), and what
    # the other checks hold its answers to, so that they agree with it.
    rules = {id(r): unstructure(r) for r in s.loaded.body.rulesets}
    for r in s.loaded.body.rulesets:
        resit = witness.resit(s.body_id, r, r.method_ids[0], "resit")
        for data in [*witness.samples(s.body_id, r), resit]:
            record = witness.structure(data)
            given = unstructure(record)
            try:
                s.explain(record)
            except PluginError as exc:
                yield hook_failure(s.loaded, exc, data)
            for changed in s.loaded.body.rulesets:
                path = _first_change(rules[id(changed)], now := unstructure(changed))
                if path is not None:
                    rules[id(changed)] = now  # each change named once
                    yield _changed(s, "the ruleset", f"{changed.standard} version {changed.document.version}'s "
                                   f"{path}", data)
            path = _first_change(given, unstructure(record))
            if path is not None:
                yield _changed(s, "the record", f"the record's {path}", data)


def _changed(s: CheckedBody, what: str, where: str, data: dict[str, Any]) -> Failure:
    own = [h for h in s.loaded.own_hooks if h not in ("register_body", "register_standards")]
    hook = own[0] if len(own) == 1 else None
    by = f"its {hook} hook" if hook else f"one of its hooks ({', '.join(own)})"
    file, line = hook_source(s.loaded, hook) if hook else (None, None)
    return Failure(f"grading this record, {by} changed {what} it was given: {where}",
                   "a hook that reads its arguments and returns its answer, changing nothing it is given (copy what "
                   "it would change)", hook, file, data, line)


def _first_change(before: Any, after: Any, path: str = "$") -> str | None:
    """The JSON path of the first difference between two unstructured values, or None where they are equal."""
    if type(before) is not type(after):
        return path
    if isinstance(before, dict):
        for key in [*before, *(k for k in after if k not in before)]:
            if key not in before or key not in after:
                return f"{path}.{key}"
            if (found := _first_change(before[key], after[key], f"{path}.{key}")) is not None:
                return found
        return None
    if isinstance(before, list):
        for i, (old, new) in enumerate(zip(before, after, strict=False)):
            if (found := _first_change(old, new, f"{path}[{i}]")) is not None:
                return found
        return None if len(before) == len(after) else f"{path}[{min(len(before), len(after))}]"
    return None if before == after else path


@check("versions", "each standard's document versions are told apart: each named, no two with one version or "
       "one effective_from, and only the oldest without one", "body")
def versions(s: CheckedBody) -> Iterator[Failure]:
    # A record is graded by the version it names (document_versions) or the latest in force on its gateway date
    # (epa.engine.explained.ruleset_for): versions neither tells apart are chosen between by the order the plugin
    # happens to list them, silently.
    body = s.loaded.body
    for standard in body.standards:
        found = body.rulesets_for(standard)
        if len(found) < 2:
            continue
        said = ", ".join(_version(r) for r in found)
        for r in found:
            if r.document.version is None:
                yield written(r, f"{_version(r)} is one of {len(found)} versions of {body.id}'s {standard} rules "
                              f"({said}) and gives no version, so no record can name it",
                              "document.version: the version the document gives itself", "$.document")
        by_name: dict[str, list[Ruleset]] = {}
        for r in found:
            if r.document.version is not None:
                by_name.setdefault(r.document.version, []).append(r)
        for name, alike in by_name.items():
            if len(alike) > 1:
                yield written(alike[1], f"{len(alike)} of {body.id}'s {standard} rulesets are version {name} "
                              f"({said}): a record naming it is graded by one of them, chosen by their order",
                              "a version of its own for each ruleset", "$.document.version")
        undated = [r for r in found if r.document.effective_from is None]
        if len(undated) > 1:
            yield written(undated[1], f"{len(undated)} of {body.id}'s {standard} versions ({said}) give no "
                          "effective_from, so each is in force from the start: a record naming neither is graded by "
                          "one of them, chosen by their order", "effective_from (and its citation) on every "
                          "version but the oldest", "$.document")
        by_day: dict[Any, list[Ruleset]] = {}
        for r in found:
            if r.document.effective_from is not None:
                by_day.setdefault(r.document.effective_from, []).append(r)
        for day, alike in by_day.items():
            if len(alike) > 1:
                yield written(alike[1], f"{len(alike)} of {body.id}'s {standard} versions ({said}) take effect on "
                              f"{day}: a record with a gateway from then is graded by one of them, chosen by their "
                              "order", "versions that take effect on different days", "$.document.effective_from")


@check("documents", "the body's documents are its own: none is a document another installed body's rules come "
       "from (its file or sha256) unless the other copied it, nor published by another installed body", "body")
def documents(s: CheckedBody) -> Iterator[Failure]:
    # A plugin shipping another body's rules under its own id (copied whole, document block and all) passes every
    # other check: they are that body's, and conformant. Every output then calls that body's document this one's
    # ("Acme EPA Kit v5.0" for Highfield's kit), and the other body's name, as a publisher, names this one too.
    others = [b for b in s.registry.bodies if b.body.id != s.body_id]
    if not others:
        raise Skip("no other body is loaded to compare its documents with (none else is installed, or --bodies or "
                   "EPA_BODIES left them out)")
    done: set[tuple[str, str]] = set()
    for r in s.loaded.body.rulesets:
        doc = r.document
        for other in others:
            if _publishes(other, doc.publisher) and not _publishes(s.loaded, doc.publisher) \
                    and ("publisher", other.body.id) not in done:
                done.add(("publisher", other.body.id))
                yield written(r, f"{doc.file} says it is published by {doc.publisher!r}, which is {other.body.id}",
                              f"the body's own name as publisher ({s.loaded.body.name!r}), its document being its own",
                              "$.document.publisher")
            theirs = next((d for d in other.body.documents
                           if d.file == doc.file or (doc.sha256 and d.sha256 == doc.sha256)), None)
            # Where the data tells who copied whom (one names itself as publisher, the other does not), the copy
            # alone fails; where it cannot, both do, each naming the other.
            copied = theirs is not None and _publishes(s.loaded, doc.publisher) \
                and not _publishes(other, theirs.publisher)
            if theirs is None or copied or (doc.file, other.body.id) in done:
                continue
            done.add((doc.file, other.body.id))
            same = "file" if theirs.file == doc.file else f"text (sha256 of {theirs.file})"
            yield written(r, f"{doc.file} is also the document {other.body.id}'s rules come from (the same {same}, "
                          f"published by {theirs.publisher!r}): two bodies' rules cannot come from one document",
                          "the body's own document: its file name and the SHA-256 of its text", "$.document")


def _publishes(loaded: LoadedBody, publisher: str) -> bool:
    """Whether a document's publisher is the body itself: its id or its name."""
    from epa.registry import fold

    return fold(publisher) in {fold(loaded.body.id), fold(loaded.body.name)}


def _version(r: Ruleset) -> str:
    day = f" from {r.document.effective_from}" if r.document.effective_from else ""
    return f"{r.source_file and Path(r.source_file).name or r.document.file} (version {r.document.version}{day})"


# --- what the author has still to write -------------------------------------------------------------------

MARK = "PLACEHOLDER"  # what `epa plugin new` writes wherever the author's own document must speak (epa.scaffold)


@check("placeholders", f"nothing is left as `epa plugin new` wrote it: no {MARK} in a rule, citation, section or "
       "document title (nor the scaffold's words for the document's, the mark deleted), and every document's "
       "sha256 set", "body")
def placeholders(s: CheckedBody) -> Iterator[Failure]:
    yield from placeholder_failures(s.loaded.body.rulesets)


def placeholder_failures(rulesets: Iterable[Ruleset]) -> list[Failure]:
    """Everything of the rulesets still as `epa plugin new` wrote it (the ``placeholders`` check, and
    ``epa check-rules``), in the order the author reads the files: a long list shown in part still shows the
    document's block first."""
    return sorted(_placeholders(rulesets), key=lambda f: (f.file or "", f.line or 0))


def _placeholders(rulesets: Iterable[Ruleset]) -> Iterator[Failure]:
    files: dict[str, _File | None] = {}  # each file once: versions of a standard share their journey file
    for r in rulesets:
        found: set[str] = set()
        for file in _files_of(r):
            if file in files:
                known = files[file]
                found.update(text for _, text in _marked(known.data if known else None))
                continue
            files[file] = source = _read_quietly(file)
            if source is None:
                continue
            for parts, text in _marked(source.data):
                found.add(text)
                yield _placeholder(text, parts, file, source.line(parts))
        # What the files hold is what the author edits; anything marked that reached the ruleset another way
        # (rules built in code) is named by its place in the ruleset.
        for parts, text in _marked(unstructure(r)):
            if text not in found:
                found.add(text)
                yield _placeholder(text, parts, r.source_file, None)
        if r.document.sha256 is None:
            source = files.get(r.source_file or "")
            yield Failure(f"{r.document.file} declares no sha256, so nothing checks that the citations were written "
                          "against its text (`epa plugin new` leaves it null)",
                          "sha256: the SHA-256 of the document's text (`epa conformance --sources DIR` prints it "
                          "when the document is in DIR)", "$.document.sha256", r.source_file,
                          line=source.line(["document", "sha256"]) if source else None)


@frozen
class _File:
    """A rules file as read for the placeholders check: its data, and where each entry is."""

    data: Any
    where: Any  # epa.inputs.documents.Source

    def line(self, parts: list[Any]) -> int | None:
        """The entry's line; None when the file does not hold the whole path (a version stored as changes)."""
        value = self.data
        for part in parts:
            held = part in value if isinstance(value, dict) else \
                isinstance(value, list) and isinstance(part, int) and part < len(value)
            if not held:
                return None
            value = value[part]
        pos = self.where.position(parts)
        return pos[0] if pos else None


def _journey_file(r: Ruleset) -> str | None:
    """The standard's journey file, as the loader names it: ``<standard>.journey.yaml`` beside the rules file."""
    if not (r.source_file and r.journey):
        return None
    journey = Path(r.source_file).with_name(f"{r.standard}{JOURNEY_SUFFIX}")
    return str(journey) if journey.is_file() else None


def _files_of(r: Ruleset) -> list[str]:
    """The files the author wrote a ruleset in: its rules file and its standard's journey file."""
    journey = _journey_file(r)
    return [r.source_file, *([journey] if journey else [])] if r.source_file else []


def _written_in(r: Ruleset, entry: str | None) -> tuple[str | None, str | None]:
    """The file and JSON path an entry of the ruleset was written at: a journey rule (``$.journey.…``) in the
    journey file, at its path there; anything else in the rules file."""
    journey = _journey_file(r)
    if journey and entry and (entry == "$.journey" or entry.startswith(("$.journey.", "$.journey["))):
        return journey, "$" + entry.removeprefix("$.journey")
    return r.source_file, entry


def _parts(entry: str) -> list[Any]:
    """A JSON path as written in a failure ("$.criteria[0].citation") back to its parts."""
    return [int(index) if index else key for key, index in re.findall(r"\.([^.\[]+)|\[(\d+)\]", entry)]


def _read_quietly(file: str) -> _File | None:
    """The file, or None when it cannot be read now (the ruleset itself is then searched)."""
    try:
        stat = os.stat(file)
    except OSError:
        return None
    return _read_once(file, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=32)
def _read_once(file: str, _mtime: int, _size: int) -> _File | None:
    """Read once per version of the file: a check may name many entries of one file."""
    try:
        data, where = read(file)
    except InputError:
        return None
    return _File(data, where)


# What `epa plugin new` writes after the mark where only the author's document can speak (epa.scaffold): an author
# who deletes the mark and keeps these words has still written nothing of the document.
SCAFFOLD_WORDS = ("the version your document gives itself", "what your document says is needed at gateway",
                  "your document's words on the grade a resit or retake can reach", "resits follow a fail only",
                  "how many resits or retakes",
                  "any fail fails; distinction in every method gives a distinction; otherwise a pass")
SCAFFOLD_SECTION = "section heading"  # the citations' section, "<file> § PLACEHOLDER section heading"
# The document's title as written, "PLACEHOLDER: <body name>'s EPA document for <standard>": the name and the
# standard are the author's, so the words around them are what give it away.
SCAFFOLD_TITLE = re.compile(r".+'s EPA document for \S+")


def _scaffolded(text: str, parts: tuple[Any, ...]) -> bool:
    """Whether a text is still as `epa plugin new` wrote it: with the mark, or its words with the mark deleted."""
    if MARK in text:
        return True
    words = " ".join(text.split())
    if parts and isinstance(parts[-1], str) and parts[-1].endswith("citation"):
        return words.partition(" § ")[2].strip().lower() == SCAFFOLD_SECTION
    if parts[-2:] == ("document", "title"):
        return SCAFFOLD_TITLE.fullmatch(words.lstrip(": ")) is not None
    return words.lstrip(": ").startswith(SCAFFOLD_WORDS)


def _marked(value: Any, parts: tuple[Any, ...] = ()) -> Iterator[tuple[list[Any], str]]:
    """(JSON path parts, text) of every text still as `epa plugin new` wrote it (:func:`_scaffolded`)."""
    if isinstance(value, str):
        if _scaffolded(value, parts):
            yield list(parts), value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _marked(item, (*parts, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _marked(item, (*parts, i))


def _placeholder(text: str, parts: list[Any], file: str | None, line: int | None) -> Failure:
    if parts and parts[-1] == "citation":
        expected = "'<document file> § <the section heading of your document it comes from>'"
    elif parts[-2:] == ["document", "title"]:
        expected = "your document's title, as it gives it"
    else:
        expected = "what your document says here, in its words"
    return Failure(f"still a placeholder: {quote(text)}", expected, json_path(parts), file, line=line)


# --- the catalogue -----------------------------------------------------------------------------------------


@check("criteria", "criterion ids are unique and the standard's, methods are the standard's, each has criteria")
def criteria(s: CheckedBody) -> Iterator[Failure]:
    r, standard = s.rules, s.registry.standard(s.rules.standard)
    if set(r.method_ids) != set(standard.method_ids):
        yield s.failure(f"methods {sorted(r.method_ids)} are not {standard.id}'s {sorted(standard.method_ids)}",
                        "the standard's methods", "$.methods")
    seen: set[str] = set()
    for i, c in enumerate(r.criteria):
        if c.id in seen:
            yield s.failure(f"criterion id {c.id!r} appears twice", "unique ids", f"$.criteria[{i}]")
        seen.add(c.id)
        if c.id not in standard.criterion_ids:
            yield s.failure(f"criterion {c.id!r} is not in {standard.id}'s criterion vocabulary, so no record can "
                            "name it", f"an id of `epa criteria --standard {standard.id}`", f"$.criteria[{i}]")
        if c.level not in ("pass", "distinction"):
            yield s.failure(f"criterion {c.id!r} has level {c.level!r}", "pass or distinction", f"$.criteria[{i}]")
    for method in r.method_ids:
        if not r.criteria_for(method, "pass"):
            yield s.failure(f"method {method!r} has no pass criteria", "every method has pass criteria",
                            f"$.methods[{r.method_ids.index(method)}]")


@check("thresholds", "a pass or distinction threshold never exceeds the criteria it counts, and a method with as "
       "many pass criteria as its pass threshold (any of them, no distinction criterion) passes")
def thresholds(s: CheckedBody) -> Iterator[Failure]:
    r = s.rules
    if not any(rule.distinction_threshold or rule.pass_threshold for rule in r.component_rules.values()):
        raise Skip("no thresholds: each method needs all its pass and all its distinction criteria")
    for method, rule in r.component_rules.items():
        counted = len(r.criteria_for(method, "pass"))
        if rule.pass_threshold is not None and not 1 <= rule.pass_threshold <= counted:
            yield s.failure(f"{method}: a pass needs {rule.pass_threshold} of {counted} pass criteria",
                            f"a threshold from 1 to {counted}", f"$.component_rules.{method}.pass_threshold")
        elif rule.pass_threshold is not None:
            yield from _threshold_passes(s, method, rule.pass_threshold)
        if rule.distinction_threshold is None:
            continue
        counted = len(r.criteria_for(method, "distinction"))
        if not 1 <= rule.distinction_threshold <= counted:
            yield s.failure(f"{method}: distinction needs {rule.distinction_threshold} of {counted} criteria",
                            f"a threshold from 1 to {counted}", f"$.component_rules.{method}.distinction_threshold")


def _threshold_passes(s: CheckedBody, method: str, needed: int) -> Iterator[Failure]:
    """The threshold honoured: ``needed`` pass criteria pass, whichever they are (each window of that many, in the
    document's order, wrapping round). missing-pass-fails holds one fewer to a fail, so a hook that ignores the
    threshold and needs every pass criterion would pass every other check while the rules say "at least N"."""
    r = s.rules
    passes = [c.id for c in r.criteria_for(method, "pass")]
    for i in range(len(passes)):
        met = frozenset((passes[i:] + passes[:i])[:needed])
        got = s.grade_component(method, met)
        if got != Grade.PASS:
            entry = "grade_component" if "grade_component" in s.loaded.own_hooks else \
                f"$.component_rules.{method}.pass_threshold"
            yield s.failure(f"{method}: {needed} of its {len(passes)} pass criteria, as its pass threshold needs, "
                            f"graded {got} (the record meets {sorted(met)})", f"pass ({needed} needed)", entry,
                            witness.criteria(s.body_id, r, {method: met}))
            return


# --- grading a component -----------------------------------------------------------------------------------


def _everything(r: Ruleset, method: str) -> frozenset[str]:
    return frozenset(c.id for c in r.criteria_for(method))


@check("missing-pass-fails", "a method missing any one pass criterion (or, where its rule needs only some, one "
       "short of that many) fails, even with every distinction criterion, and names the criterion missing; what a "
       "method's grade says is missing or met is so")
def missing_pass_fails(s: CheckedBody) -> Iterator[Failure]:
    r = s.rules
    for method in r.method_ids:
        yield from _untold(s, method)
        passes = r.criteria_for(method, "pass")
        rule = r.component_rules.get(method)
        # Where the rule in words needs only some of them, one short of that many: every pass criterion from the
        # one missing on, so that each is named missing once.
        short = max(1, len(passes) - rule.pass_threshold + 1) if rule and rule.pass_threshold else 1
        for i, c in enumerate(passes):
            others = {p.id for p in (passes[i + 1:] + passes[:i])[:short - 1]}
            met = _everything(r, method) - {c.id} - others
            got = s.component(method, met)
            if got.grade != Grade.FAIL:
                missing = f"pass criteria {', '.join(sorted(others | {c.id}))}" if others else f"pass criterion {c.id}"
                yield s.failure(f"{method} graded {got.grade} with {missing} missing", "fail",
                                f"$.criteria[{r.criteria.index(c)}]", witness.criteria(s.body_id, r, {method: met}))
            elif c.id not in got.pass_missing:  # an apprentice told "fail" must be told what to meet
                entry = "grade_component" if "grade_component" in s.loaded.own_hooks else \
                    f"$.criteria[{r.criteria.index(c)}]"
                yield s.failure(f"{method} graded fail with pass criterion {c.id} missing, but its pass_missing "
                                f"{list(got.pass_missing)} does not name it", f"pass_missing naming {c.id}",
                                entry, witness.criteria(s.body_id, r, {method: met}))


def _untold(s: CheckedBody, method: str) -> Iterator[Failure]:
    """What a method's grade tells the apprentice is so: its pass_missing are pass criteria not met, distinction_met
    distinction criteria met, distinction_missing distinction criteria not met (the explanation lists each as the
    body's finding). Asked with nothing met, every pass criterion, and everything; the first untruth is shown."""
    r = s.rules
    passes = frozenset(c.id for c in r.criteria_for(method, "pass"))
    distinctions = frozenset(c.id for c in r.criteria_for(method, "distinction"))
    for met in (frozenset(), passes, passes | distinctions):
        got = s.component(method, met)
        for field, listed, true, what in (
                ("pass_missing", got.pass_missing, passes - met, "a pass criterion the record misses"),
                ("distinction_met", got.distinction_met, distinctions & met, "a distinction criterion it meets"),
                ("distinction_missing", got.distinction_missing, distinctions - met,
                 "a distinction criterion it misses")):
            untrue = [c for c in listed if c not in true]
            if untrue:
                entry = "grade_component" if "grade_component" in s.loaded.own_hooks else f"$.component_rules.{method}"
                more = f" and {len(untrue) - 3} more" if len(untrue) > 3 else ""
                yield s.failure(f"{method} with {len(met)} of its criteria met is graded {got.grade.value}, its "
                                f"{field} naming {', '.join(untrue[:3])}{more}: not {what}",
                                f"{field} naming only {what.replace('a ', 'each ', 1)}", entry,
                                witness.criteria(s.body_id, r, {method: met}))
                return


@check("distinction-count", "with every pass criterion, a method's grade follows the count of distinction criteria "
       "met: pass below the threshold (all of them when none is set), distinction from it, whichever they are")
def distinction_count(s: CheckedBody) -> Iterator[Failure]:
    r = s.rules
    for method in r.method_ids:
        passes = frozenset(c.id for c in r.criteria_for(method, "pass"))
        distinctions = [c.id for c in r.criteria_for(method, "distinction")]
        rule = r.component_rules.get(method)
        needed = rule.distinction_threshold if rule and rule.distinction_threshold else len(distinctions)
        # The first k in the document's order, then (a threshold below all of them) each other window of the
        # threshold's count, wrapping round: a hook needing particular ones, where the rules say "any N", shows.
        counts = [(k, distinctions[:k]) for k in range(len(distinctions) + 1)]
        counts += [(needed, (distinctions[i:] + distinctions[:i])[:needed])
                   for i in range(1, len(distinctions) if needed < len(distinctions) else 0)]
        for k, chosen in counts:
            met = passes | frozenset(chosen)
            want = Grade.DISTINCTION if distinctions and k >= needed else Grade.PASS
            got = s.grade_component(method, met)
            if got != want:
                entry = f"$.component_rules.{method}" if rule else "$.criteria"
                which = f" ({', '.join(chosen)})" if 0 < k < len(distinctions) else ""
                yield s.failure(f"{method}: all pass criteria and {k} of {len(distinctions)} distinction criteria"
                                f"{which} graded {got}", f"{want} ({needed} needed)", entry,
                                witness.criteria(s.body_id, r, {method: met}))


@check("more-criteria-never-lower", "meeting one more criterion never lowers a method's grade (a sweep from "
       "nothing, all pass criteria and everything, then a property-based search)")
def more_never_lower(s: CheckedBody) -> Iterator[Failure]:
    r = s.rules
    for method in r.method_ids:
        found = _lowering_sweep(s, method) or _lowering_search(s, method)
        if found is None:
            continue
        met, extra = found
        more = met | {extra}
        yield s.failure(f"{method}: meeting {extra} as well lowers the grade from "
                        f"{s.grade_component(method, met)} to {s.grade_component(method, more)} "
                        f"(the record meets {sorted(more)})", "a grade no lower than without it",
                        f"$.criteria[{[c.id for c in r.criteria].index(extra)}]",
                        witness.criteria(s.body_id, r, {method: more}))


def _lowers(s: CheckedBody, method: str, met: frozenset[str], extra: str) -> bool:
    return RANK[s.grade_component(method, met | {extra})] < RANK[s.grade_component(method, met)]


def _lowering_sweep(s: CheckedBody, method: str) -> tuple[frozenset[str], str] | None:
    everything = _everything(s.rules, method)
    passes = frozenset(c.id for c in s.rules.criteria_for(method, "pass"))
    for base in (frozenset(), passes, everything):
        for extra in sorted(everything):
            if _lowers(s, method, base - {extra}, extra):
                return base - {extra}, extra
    return None


def _lowering_search(s: CheckedBody, method: str) -> tuple[frozenset[str], str] | None:
    """Hypothesis, deterministic and without a database, finds and shrinks a counterexample."""
    from hypothesis import HealthCheck, find, settings
    from hypothesis import strategies as st
    from hypothesis.errors import NoSuchExample

    ids = sorted(_everything(s.rules, method))
    quiet = settings(database=None, derandomize=True, max_examples=60, deadline=None,
                     suppress_health_check=list(HealthCheck))
    try:
        met, extra = find(st.tuples(st.frozensets(st.sampled_from(ids)), st.sampled_from(ids)),
                          lambda case: _lowers(s, method, *case), settings=quiet)
    except NoSuchExample:
        return None
    return met, extra


# --- combining components ----------------------------------------------------------------------------------


def _combinations(r: Ruleset) -> Iterator[dict[str, Grade]]:
    for grades in itertools.product(list(Grade), repeat=len(r.method_ids)):
        yield dict(zip(r.method_ids, grades, strict=True))


@check("any-fail-fails", "a fail in any method fails the EPA, and only a fail does")
def any_fail_fails(s: CheckedBody) -> Iterator[Failure]:
    r = s.rules
    for combo in _combinations(s.rules):
        failed = Grade.FAIL in combo.values()
        got = s.combine(combo)
        if failed != (got == Grade.FAIL):
            yield s.failure(f"{_show(combo)} gives {got}", "fail" if failed else "pass or distinction",
                            _row_entry(s, combo, got), witness.recorded(s.body_id, r, combo))


@check("table", "the combination table decides every combination, and no two rows that match one disagree "
       "(a table the ruleset calls complete has a row for each)")
def table(s: CheckedBody) -> Iterator[Failure]:
    r = s.rules
    for combo in _combinations(r):
        rows = [i for i, row in enumerate(r.combination.rows) if row.matches(combo)]
        overalls = {r.combination.rows[i].overall for i in rows}
        if len(overalls) > 1:
            yield s.failure(f"{_show(combo)} matches {_rows(r, rows)}", "rows that agree",
                            f"$.combination.rows[{rows[1]}]", witness.recorded(s.body_id, r, combo))
        if not rows and r.combination.complete:
            yield s.failure(f"no row of the table matches {_show(combo)}, but the ruleset says the table is "
                            "complete", "a row for every combination, or complete: false with the gap recorded",
                            "$.combination.rows", witness.recorded(s.body_id, r, combo))
        got = s.combine(combo)
        if got is None:
            yield s.failure(f"{_show(combo)} is left undecided", "an overall grade", "combine_grades",
                            witness.recorded(s.body_id, r, combo))
        elif len(overalls) == 1 and got not in overalls:
            # A printed row decides it, whatever decides: a combine_grades of the plugin's own that gives another
            # grade contradicts the document's own table (the default takes the row, so only a hook can).
            (printed,) = overalls
            yield s.failure(f"{_show(combo)} gives {got.value}, where row {rows[0] + 1} of the table, counting from 1 "
                            f"($.combination.rows[{rows[0]}]), gives {printed.value}",
                            f"{printed.value}, as the printed row says", "combine_grades",
                            witness.recorded(s.body_id, r, combo))


@check("better-never-lowers-overall", "a better grade in one method never lowers the overall grade")
def better_never_lowers(s: CheckedBody) -> Iterator[Failure]:
    r = s.rules
    overall = {tuple(c.values()): s.combine(c) for c in _combinations(r)}
    for combo in _combinations(r):
        for method, grade in combo.items():
            if grade == Grade.DISTINCTION:
                continue
            better = {**combo, method: Grade.DISTINCTION if grade == Grade.PASS else Grade.PASS}
            before, after = overall[tuple(combo.values())], overall[tuple(better.values())]
            if before and after and RANK[after] < RANK[before]:
                yield s.failure(f"{_show(combo)} gives {before}, but with {method} {better[method]} it gives {after}",
                                f"at least {before}", _row_entry(s, better, after),
                                witness.recorded(s.body_id, r, better))


@check("rule-in-words", "the rule in words, the data that decides the combinations no printed row covers "
       "(rule_in_words.decides) and a combine_grades hook of the plugin's own agree")
def rule_in_words(s: CheckedBody) -> Iterator[Failure]:
    from epa.conformance.words import stated, unread

    r = s.rules
    words, methods = r.combination.rule_in_words, r.method_ids
    said = stated(words.text)
    hooked = "combine_grades" in s.loaded.own_hooks
    sentence = unread(words.text)
    if sentence is not None and not (hooked and words.decides):
        raise NotChecked(f"not checked: the rule in words states a count of methods this check cannot read "
                         f"(“{sentence}”; it reads “at least N methods”, “N or more methods”, “all methods”), so "
                         "nothing holds it to what decides: state it in rule_in_words.decides and see that the "
                         "explanations say what the document says")
    if said is None and not (hooked and words.decides):
        raise Skip("nothing to hold together: the rule in words states no count of methods this check reads"
                   + ("" if words.decides or not hooked else
                      ", and the plugin's combine_grades states its rule in code alone (state it as data in "
                      "rule_in_words.decides where the vocabulary can, and this check holds the hook to it)"))
    if said is not None and (words.decides is not None or not hooked):
        rule, phrase = said
        combo = next((c for c in _combinations(r) if rule.decide(c) != words.rule.decide(c)), None)
        if combo is not None:
            data = "its data decides" if words.decides else "without decides it is read as the assessment-plan pattern"
            yield s.failure(f"the rule in words says “{phrase}” ({rule.says(methods)}), but {data}: "
                            f"{words.rule.says(methods)}; {_show(combo)} gives {words.rule.decide(combo).value}",
                            f"decides: {_decides(rule)}, as the text says (or a text that says what decides)",
                            "$.combination.rule_in_words.decides" if words.decides else
                            "$.combination.rule_in_words", witness.recorded(s.body_id, r, combo))
    if not hooked:
        return
    # The hook against the rule the ruleset states: its data where it has decides, else what the text says.
    if words.decides is not None:
        stated_as = f"the ruleset's rows and rule in words ({words.rule.says(methods)})"
    else:
        assert said is not None  # (the Skip above)
        stated_as = f"the rule in words “{said[1]}” ({said[0].says(methods)})"

    def want(c: dict[str, Grade]) -> Grade:
        if words.decides is None and said is not None:
            return said[0].decide(c)
        return combination.decide(r.combination, c)

    differ = [(c, got) for c in _combinations(r) if (got := s.combine(c)) != want(c)]
    if differ:
        combo, got = differ[0]
        more = f" ({len(differ)} combinations differ)" if len(differ) > 1 else ""
        yield s.failure(f"the plugin's combine_grades gives {got.value if got else got} for {_show(combo)}, where "
                        f"{stated_as} gives {want(combo).value}{more}", "a hook that decides as its rule in words "
                        "says", "combine_grades", witness.recorded(s.body_id, r, combo))


def _decides(rule: OverallInWords) -> str:
    """The rule as a ruleset writes it in rule_in_words.decides."""
    distinction = (f"{{methods: [{', '.join(rule.methods)}]}}" if rule.methods is not None else
                   f"{{at_least: {rule.at_least}}}" if rule.at_least is not None else "all")
    return f"{{fail: any, distinction: {distinction}}}"


def _rows(r: Ruleset, rows: list[int]) -> str:
    """Rows of the table as its author counts them, in order, each with the grade it gives: "rows 1 (distinction)
    and 6 (fail) of the table, counting from 1 ($.combination.rows[0], [5])"."""
    said = [f"{i + 1} ({r.combination.rows[i].overall.value})" for i in rows]
    listed = ", ".join(said[:-1]) + f" and {said[-1]}" if len(said) > 1 else said[0]
    paths = ", ".join(f"[{i}]" for i in rows[1:])
    return f"rows {listed} of the table, counting from 1 ($.combination.rows[{rows[0]}]{', ' + paths if paths else ''})"


def _show(combo: Mapping[str, Grade | None]) -> str:
    return ", ".join(f"{m}={g.value if g else g}" for m, g in combo.items())


def _row_entry(s: CheckedBody, combo: Mapping[str, Grade], got: Grade | None) -> str:
    """What decided a combination's grade: the first row that matches it where that row gives the grade, else a
    combine_grades hook of the plugin's own, else the row, else the rule in words the default applies."""
    rows = s.rules.combination.rows
    row = next((i for i, row in enumerate(rows) if row.matches(dict(combo))), None)
    if row is not None and rows[row].overall == got:
        return f"$.combination.rows[{row}]"
    if "combine_grades" in s.loaded.own_hooks:
        return "combine_grades"
    return f"$.combination.rows[{row}]" if row is not None else "$.combination.rule_in_words"


# --- whole records -----------------------------------------------------------------------------------------


@check("resit-cap", "a resit or retake never beats the body's cap, and a record with no fail (every method passed "
       "at its first attempt) is neither capped nor sent to retake the whole EPA")
def resit_cap(s: CheckedBody) -> Iterator[Failure]:
    r = s.rules
    # A cap follows a fail (hookspecs.resit_policy): one on a record with no fail and no attempt after one is a grade
    # taken from an apprentice who met everything at the first try, which no other check reads.
    for data in witness.samples(s.body_id, r)[:2]:  # every criterion met; every pass criterion met
        result = s.explain(data)
        if result.capped or result.full_retake_required:
            what = "capped" if result.capped else "sent to retake the whole EPA"
            entry = "resit_policy" if "resit_policy" in s.loaded.own_hooks else "$.resit"
            yield s.failure(f"a record with every method passed at its first attempt (grades "
                            f"{_show(result.components)}) is {what}: overall "
                            f"{result.overall.value if result.overall else None}",
                            "no cap and no full retake without a fail", entry, data)
            return
    if not (r.journey and r.journey.resit):
        raise Skip("the body encodes no resit policy for this standard")
    cap = r.journey.resit.cap
    for kind in cap.applies_to:
        for method in r.method_ids:
            data = witness.resit(s.body_id, r, method, kind)
            result = s.explain(data)
            # the grade the document caps: the overall grade, or the resat method's own (Cap.caps method)
            capped, what = (result.components.get(method), f"the {method} graded") if cap.caps == "method" \
                else (result.overall, "gives")
            if capped and RANK[capped] > RANK[cap.grade]:
                yield s.failure(f"a {kind} of the {method} after a fail, with distinctions elsewhere, {what} "
                                f"{capped}", f"at most {cap.grade} (“{cap.text}”)", "$.resit.cap", data)


@check("output", "grading is deterministic (grade_component and combine_grades, asked the same twice, answer the "
       "same) and every result matches schemas/output.schema.json")
def output(s: CheckedBody) -> Iterator[Failure]:
    import jsonschema

    from epa.inputs.documents import schema

    yield from _asked_twice(s)
    validator = _result_validator(jsonschema, schema("output"))
    for data in witness.samples(s.body_id, s.rules):
        first = unstructure(s.explain(data))
        if unstructure(s.explain(data)) != first:
            yield s.failure("grading the same record twice gave two results", "identical results", None, data)
        for error in list(validator.iter_errors(first))[:3]:
            path = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
            yield s.failure(f"result {path}: {error.message}", "a result matching output.schema.json", None, data)


def _asked_twice(s: CheckedBody) -> Iterator[Failure]:
    """A grading hook of the plugin's own asked each question twice, directly: its answer must depend on its
    arguments alone (hookspecs), and explaining remembers answers (epa.engine.plans), so grading a record twice
    cannot show one that depends on a count of calls, the time or chance; a cohort would grade alike records
    differently by where they fall in it. The first question answered two ways is shown, with how many."""
    r = s.rules
    questions: list[tuple[str, dict[str, Any], str, dict[str, Any]]] = []
    if "grade_component" in s.loaded.own_hooks:
        for method in r.method_ids:
            passes = frozenset(c.id for c in r.criteria_for(method, "pass"))
            for met in (frozenset(), passes, _everything(r, method)):
                questions.append(("grade_component", {"method": method, "criteria_met": met},
                                  f"{method} with {len(met)} criteria met",
                                  witness.criteria(s.body_id, r, {method: met})))
    if "combine_grades" in s.loaded.own_hooks:
        questions += [("combine_grades", {"components": combo}, _show(combo), witness.recorded(s.body_id, r, combo))
                      for combo in _combinations(r)]
    differ = []
    for hook, kwargs, said, data in questions:
        first, second = (s.loaded.call(hook, ruleset=r, **kwargs) for _ in range(2))
        if first != second:
            differ.append((hook, said, first, second, data))
    for hook in dict.fromkeys(h for h, *_ in differ):
        mine = [d for d in differ if d[0] == hook]
        _, said, first, second, data = mine[0]
        what = "grade" if getattr(first, "grade", None) != getattr(second, "grade", None) else "explanation"
        shown = (f"{_grade(first)} then {_grade(second)}" if what == "grade" else
                 "the same grade explained by other steps")
        more = f" ({len(mine)} questions were so)" if len(mine) > 1 else ""
        yield s.failure(f"{hook} asked twice for {said} answered two ways: {shown}{more}",
                        f"the same answer to the same arguments ({hook}'s answer depends on its arguments alone: no "
                        "count of calls, time or chance)", hook, data)


def _grade(answer: Any) -> str:
    grade = getattr(answer, "grade", None)
    return grade.value if isinstance(grade, Grade) else str(grade)


def _result_validator(jsonschema: Any, output_schema: dict[str, Any]) -> Any:
    return jsonschema.Draft202012Validator({**output_schema, "$ref": "#/$defs/result"},
                                           format_checker=jsonschema.FormatChecker())


# --- citations ---------------------------------------------------------------------------------------------


def citations_in(value: Any, path: str = "$") -> Iterator[tuple[str, Any]]:
    """(JSON path, citation) for every citation in the rules (any field whose name ends in ``citation``), the path
    the citation's own: an error in it is shown at its line."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key.endswith("citation") and (item is None or isinstance(item, str)):
                yield f"{path}.{key}", item
            else:
                yield from citations_in(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from citations_in(item, f"{path}[{i}]")


@check("citations", "every method, criterion, rule, requirement, deadline and ambiguity, and every step that explains "
       "a grade, cites its body's document as '<file> § <section>' (a section it has, where it is at hand)")
def citations(s: CheckedBody) -> Iterator[Failure]:
    r = s.rules
    files = {d.file for d in s.loaded.body.documents}
    for path, citation in citations_in(unstructure(r)):
        if path.endswith((".effective_from_citation", ".plan_version_citation")) and citation is None:
            continue  # optional: a version the document gives no date (or assessment plan version) for
        file, mark, section = (citation or "").partition(" § ")
        if not (mark and section.strip()):
            yield s.failure(f"cites {quote(citation)}, which is not a citation",
                            f"'<document file> § <section heading>', e.g. '{r.document.file} § <a section heading of "
                            "it>'", path)
        elif file not in files:
            yield s.failure(f"cites {file}, which is not one of the body's documents ({', '.join(sorted(files))})",
                            "a citation of a document the body declares", path)
    yield from _explained(s, files)


def _explained(s: CheckedBody, files: set[str]) -> Iterator[Failure]:
    """What the grading hooks answer is cited too: every combination's overall grade, and each method's grade with
    nothing, every pass and every criterion met, explained by at least one step, each citing a section of the
    body's own documents (a hook of the plugin's own can answer rightly and cite nothing, or a document it lacks).
    The first answer of each hook that does not is shown, with how many."""
    r = s.rules
    expected = (f"steps citing the rule applied as '<document file> § <section heading>' of the body's documents "
                f"({', '.join(sorted(files))})")

    def cited(citation: str | None) -> bool:
        file, mark, section = (citation or "").partition(" § ")
        if not (mark and section.strip()) or file not in files:
            return False
        document = s.sources / file  # a document at hand has the section; one absent is the sources check's skip
        return not document.is_file() or has_section(document, section)

    # the citations a hook's answer was failed for, and the rules' own (failed above at their entries, where wrong):
    # a record's explanation is failed only for what neither has said
    shown: set[str | None] = {citation for _, citation in citations_in(unstructure(r))}

    def uncited(steps: Iterable[Any]) -> str | None:
        if not steps:
            return "with no step citing the rule that decides it"
        for step in steps:
            if (citation := getattr(step, "citation", None)) not in shown and not cited(citation):
                shown.add(citation)
                return f"citing {quote(citation)}, not a section of the body's documents"
        return None

    found: list[tuple[str, str, dict[str, Any]]] = []
    for combo in _combinations(r):
        outcome = s.loaded.call("combine_grades", ruleset=r, components=dict(combo))
        if isinstance(outcome, Outcome) and outcome.grade is not None and (why := uncited(outcome.steps)):
            found.append(("combine_grades", f"{_show(combo)} gives {outcome.grade.value} {why}",
                          witness.recorded(s.body_id, r, combo)))
    for method in r.method_ids:
        for met in (frozenset(), frozenset(c.id for c in r.criteria_for(method, "pass")),
                    frozenset(c.id for c in r.criteria_for(method))):
            result = s.loaded.call("grade_component", ruleset=r, method=method, criteria_met=met)
            if isinstance(result, ComponentResult) and (why := uncited(result.steps)):
                found.append(("grade_component", f"{method} with {len(met)} criteria met gives "
                              f"{getattr(result.grade, 'value', result.grade)} {why}",
                              witness.criteria(s.body_id, r, {method: met})))
    # and whatever else explains a record (gateway, deadlines, a resit's steps, checks): each citation the body's
    for data in [*witness.samples(s.body_id, r), witness.resit(s.body_id, r, r.method_ids[0], "resit")]:
        for path, citation in citations_in(unstructure(s.explain(data))):
            if citation is not None and citation not in shown and not cited(citation):
                found.append(("explanation", f"a record's {path} cites {quote(citation)}, not a section of the "
                              "body's documents", data))
                break
    for hook in dict.fromkeys(h for h, _, _ in found):
        mine = [(message, record) for h, message, record in found if h == hook]
        more = (f" ({len(mine)} {'records explained' if hook == 'explanation' else 'answers of ' + hook} are so)"
                if len(mine) > 1 else "")
        yield s.failure(f"{hook}: {mine[0][0]}{more}", expected, hook, mine[0][1])


@check("sources", "each source document is the text the citations were written against (SHA-256), and every "
       "cited section is a line of the document cited (the ruleset's own, or another of the body's at hand)")
def sources(s: CheckedBody) -> Iterator[Failure]:
    yield from source_failures(s.rules, s.sources)
    # A rule citing another of the body's documents (copied from its rules for another standard, say) is held to
    # that document where it is at hand: its hash is its own ruleset's to declare, so only the sections here.
    others = {d.file for d in s.loaded.body.documents} - {s.rules.document.file}
    yield from section_failures(s.rules, s.sources, {f for f in others if (s.sources / f).is_file()})


def absent(r: Ruleset, folder: Path) -> str | None:
    """Why the ruleset's document cannot be checked (it is not in the sources folder), or None: what the
    ``sources`` check and ``epa check-rules`` skip with."""
    doc = r.document
    if (folder / doc.file).is_file():
        return None
    unchecked = "; the document was not checked" + (" (and the ruleset declares no sha256)"
                                                     if doc.sha256 is None else "")
    if not folder.is_dir():
        return (f"source not found: the sources folder {folder} does not exist{unchecked} (give --sources DIR, or "
                "set EPA_SOURCES, to the folder holding the documents)")
    return f"source not found: {doc.file} is not in {folder}{unchecked} (give --sources DIR or set EPA_SOURCES)"


def unread(r: Ruleset, folder: Path) -> str | None:
    """Why the ruleset's document cannot be checked: it is not in the sources folder (:func:`absent`), or it is but
    cannot be read; or None."""
    reason = absent(r, folder)
    if reason:
        return reason
    try:
        sha256(folder / r.document.file)
    except OSError as exc:
        return f"{folder / r.document.file} cannot be read ({exc.strerror or exc}); the document was not checked"
    return None


def another_text(r: Ruleset, folder: Path) -> str | None:
    """Why citations of the ruleset's document (a journey file's, which declares no hash of its own) are not checked
    against the text in ``folder`` (read, :func:`unread`): it is not the text the ruleset declares by its SHA-256.
    None where it is, or where the ruleset declares none (the ``sources`` check asks for it)."""
    doc = r.document
    if doc.sha256 is None:
        return None
    actual = sha256(folder / doc.file)
    if actual == doc.sha256:
        return None
    declares = Path(r.source_file).name if r.source_file else "the ruleset"
    return f"{folder / doc.file} has SHA-256 {actual}, not the {doc.sha256} {declares} declares; the document was " \
        "not checked"


def source_failures(r: Ruleset, folder: Path) -> Iterator[Failure]:
    """The ``sources`` check of one ruleset (``epa check-rules`` runs it too): its document's SHA-256 is the one
    declared, and each section its citations name is a line of it. Raises :class:`NotChecked` when the document is
    not in ``folder``, or cannot be read (:func:`unread`)."""
    reason = unread(r, folder)
    if reason:
        raise NotChecked(reason)
    doc = r.document
    path = folder / doc.file
    actual = sha256(path)
    if doc.sha256 is None:
        yield written(r, f"{doc.file} declares no sha256", f"sha256: {actual}", "$.document.sha256")
        return
    if actual != doc.sha256:
        yield written(r, f"{path} has SHA-256 {actual}, not the {doc.sha256} the citations were written against",
                      "the document's text the rules cite", "$.document.sha256")
        return
    yield from section_failures(r, folder, {doc.file})


def section_failures(r: Ruleset, folder: Path, files: set[str]) -> Iterator[Failure]:
    """Each citation of one of ``files`` (documents in ``folder``) whose section is not a line of the document."""
    for entry, citation in citations_in(unstructure(r)):
        file, _, section = (citation or "").partition(" § ")
        if file in files and section and not has_section(folder / file, section):
            yield written(r, f"cites section {quote(section)}, which is not a line of {file}",
                          "a section heading of the document", entry)
