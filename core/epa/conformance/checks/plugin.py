"""The plugin as a whole: it loads (its versions told apart: ``epa.rules.told_apart.untold``), its hooks keep their
contract, its documents are its own."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from typing import Any

from epa import contracts, fence
from epa.conformance import witness
from epa.conformance.checks.base import (
    CheckedBody,
    Failure,
    Skip,
    check,
    combinations,
    everything,
    first_change,
    hook_failure,
    hook_source,
    written,
)
from epa.errors import PluginError
from epa.model.convert import unstructure
from epa.model.domain import Ruleset
from epa.model.results import Deadline, GradedAttempt
from epa.registry import LoadedBody

# --- the plugin --------------------------------------------------------------------------------------------


@check("loads", "the plugin loads: its hooks are epa hooks and its ids agree with its entry point", "body")
def loads(s: CheckedBody) -> Iterator[Failure]:
    # Loading already enforced it (a plugin that broke it is reported by `run` as failing here).
    body = s.loaded.body
    if not body.rulesets:
        yield Failure("the body ships no rulesets", "at least one ruleset", "register_body")


@check("hooks", "every hook returns what its spec says, and changes neither the ruleset nor the record it is given: "
       "grading typical records, a resit, a record giving every field a record can, and one giving each of its "
       "values the other way (every yes or no, the qualification levels, the counts), calls each one; a deadline "
       "has a date unless it is unknown; a grade_component, combine_grades or resit_policy of the plugin's own "
       "answers some question (None to every one leaves every answer to the default)", "body")
def hooks(s: CheckedBody) -> Iterator[Failure]:
    yield from _records_graded(s)
    yield from _never_answers(s)


def _questions(s: CheckedBody, hook: str) -> Iterator[dict[str, Any]]:
    for r in s.loaded.body.rulesets:
        if hook == "resit_policy":
            yield from _histories(s, r)
        elif hook == "grade_component":
            for method in r.method_ids:
                passes = frozenset(c.id for c in r.criteria_for(method, "pass"))
                for met in (frozenset(), passes, everything(r, method)):
                    yield {"ruleset": r, "method": method, "criteria_met": met}
        else:
            for combo in combinations(r):
                yield {"ruleset": r, "components": combo}


def _histories(s: CheckedBody, r: Ruleset) -> Iterator[dict[str, Any]]:
    """What grading asks resit_policy of a record that resits: a fail in each method, then a resit and a retake of
    it, soon after and a year after (past any window the documents set), each attempt's grade as recorded; each
    such later attempt passed with distinction or pass, with exceptional circumstances recorded on it, and failed
    once more before a second one passes (a policy answering only some histories is asked one of its kind)."""
    for method in r.method_ids:
        for kind in ("resit", "retake"):
            for days in (7, 400):
                for how in HISTORIES:
                    data = witness.resit(s.body_id, r, method, kind, days)
                    later = data["assessments"][-1]
                    if how == "pass":
                        later["grade"] = "pass"
                    elif how == "exceptional":
                        later["exceptional_circumstances"] = True
                    elif how == "second fail":
                        again = dict(later, kind="retake",
                                     date=(dt.date.fromisoformat(later["date"]) + dt.timedelta(days=days)).isoformat())
                        later["grade"] = "fail"
                        data["assessments"].append(again)
                    record = witness.structure(data)
                    history = tuple(GradedAttempt(a, a.grade) for a in record.assessments if a.grade is not None)
                    yield {"ruleset": r, "record": record, "history": history}


HISTORIES = ("distinction", "pass", "exceptional", "second fail")


def _never_answers(s: CheckedBody) -> Iterator[Failure]:
    """A first-result hook of the plugin's own that returns None to every question is no rule: pluggy takes None as
    "not answered" and the core's default answers each, while `epa plugins`, `epa consistency` and every
    explanation call the hook the body's own rule (a stub left as ``pass``, or a condition no ruleset it ships
    meets). Its own implementation is asked, alone, the questions the grading checks ask (for resit_policy,
    ``_histories``: each kind of history a policy reads)."""
    for hook in ("grade_component", "combine_grades", "resit_policy"):
        impl = next((i for i in getattr(s.loaded.hooks, hook).get_hookimpls() if i.plugin_name == s.loaded.plugin
                     and not (i.hookwrapper or getattr(i, "wrapper", False))), None)
        if hook not in s.loaded.own_hooks or impl is None:
            continue

        def own(_impl: Any = impl, **asked: Any) -> Any:
            return _impl.function(*[asked[a] for a in _impl.argnames])
        if all(fence.call(s.loaded.plugin, hook, own, asked, check=False) is None for asked in _questions(s, hook)):
            file, line = hook_source(s.loaded, hook)
            asked = {"grade_component": "each method with nothing, its pass criteria and everything met",
                     "combine_grades": "every combination of grades",
                     "resit_policy": "a fail in each method resat and retaken, a week and a year later, passed "
                                     "with distinction or pass, with exceptional circumstances, or failed again "
                                     "first"}[hook]
            yield Failure(f"{hook} returned None to every question asked of it ({asked}, in every ruleset), so the "
                          "core's default answered each, while the hook is described as the body's own rule",
                          f"{hook} answering for the rulesets it is written for, or no {hook} (the default is the "
                          "data's rule)", hook, file, None, line)


def _records_graded(s: CheckedBody) -> Iterator[Failure]:
    # A hook that changed the rules or a record (refused where they are read-only: epa.unchanged) would change what
    # every later grading in the process reads (a cohort, `epa serve`), and what the other checks hold its answers
    # to, so that they agree with it: compared whole after each record, whatever way a change was made.
    rules = {id(r): unstructure(r) for r in s.loaded.body.rulesets}
    dated: set[str] = set()  # deadlines already failed, each once
    failed: set[tuple[str, str]] = set()  # hook failures already shown (the first record to show each), each once
    for r in s.loaded.body.rulesets:
        resit = witness.resit(s.body_id, r, r.method_ids[0], "resit")
        for data in [*witness.samples(s.body_id, r), resit, witness.full(s.body_id, r),
                     witness.opposite(s.body_id, r)]:
            record = witness.structure(data)
            given = unstructure(record)
            try:
                result = s.explain(record)
            except PluginError as exc:
                if (exc.hook, exc.problem) not in failed:
                    failed.add((exc.hook, exc.problem))
                    yield hook_failure(s.loaded, exc, data)
            else:
                yield from _undated(s, result.deadlines, data, dated)
            for changed in s.loaded.body.rulesets:
                path = first_change(rules[id(changed)], now := unstructure(changed))
                if path is not None:
                    rules[id(changed)] = now  # each change named once
                    yield _changed(s, "the ruleset", f"{changed.standard} version {changed.document.version}'s "
                                   f"{path}", data)
            path = first_change(given, unstructure(record))
            if path is not None:
                yield _changed(s, "the record", f"the record's {path}", data)


def _undated(s: CheckedBody, deadlines: Iterable[Deadline], data: dict[str, Any], shown: set[str]
             ) -> Iterator[Failure]:
    """A deadline's date, status and needs agree (``contracts.deadline_disagrees``, as grading holds a plugin's
    own to it): here the default's answers too, from the journey data, each shown with the record."""
    for d in deadlines:
        if contracts.deadline_disagrees(d) is None or d.id in shown:
            continue
        shown.add(d.id)
        own = [h for h in ("deadlines", "resit_policy") if h in s.loaded.own_hooks]
        hook = own[0] if len(own) == 1 else None
        said = f"dated {d.date}" if d.date else "with no date"
        needs = f", needs {d.needs!r}" if d.needs else ", naming no date it needs"
        file, line = hook_source(s.loaded, hook) if hook else (None, None)
        yield Failure(f"deadline {d.id!r} is {d.status} {said}{needs}", "a deadline unknown where, and only "
                      "where, it names in needs the date the record lacks; one without a date unknown", hook, file,
                      data, line)


def _changed(s: CheckedBody, what: str, where: str, data: dict[str, Any]) -> Failure:
    own = [h for h in s.loaded.own_hooks if h not in ("register_body", "register_standards")]
    hook = own[0] if len(own) == 1 else None
    by = f"its {hook} hook" if hook else f"one of its hooks ({', '.join(own)})"
    file, line = hook_source(s.loaded, hook) if hook else (None, None)
    return Failure(f"grading this record, {by} changed {what} it was given: {where}",
                   "a hook that reads its arguments and returns its answer, changing nothing it is given (copy what "
                   "it would change)", hook, file, data, line)


@check("documents", "the body's documents are its own: none is a document another installed body's rules come "
       "from (its file or sha256) unless the other copied it; each is published by the body itself (its name "
       "or acronym, one whole name the leading words of the other, a legal form aside, or its id); and none is "
       "said to be published after today (on the world's latest date)", "body")
def documents(s: CheckedBody) -> Iterator[Failure]:
    # A document said to be published after today cannot be the one the rules were written from (its text is at
    # hand): a date mistyped, or copied from a draft. Every output shows it beside the document's version.
    # A plugin shipping another body's rules under its own id (copied whole, document block and all) passes every
    # other check: they are that body's, and conformant. Every output then calls that body's document this one's
    # ("Acme EPA Kit v5.0" for Highfield's kit), and the other body's name, as a publisher, names this one too.
    others = [b for b in s.registry.bodies if b.body.id != s.body_id]
    # A publisher no body loaded here is, nor this one: the other is not installed (a third party's environment
    # holds its own plugin alone), and the copy still says whose document it is.
    unpublished = list(_published_later(s)) + list(_published_by_another(s, others))
    yield from unpublished
    if not others:
        if unpublished:
            return
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


def _published_later(s: CheckedBody) -> Iterator[Failure]:
    """Each ruleset whose document is said to be published after today (the day the check runs) anywhere: a machine
    whose clock is behind the publisher's (UTC-5 on the day a UK body publishes) is still on the day before."""
    today = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=14)).date()  # (UTC+14: the world's latest date)
    for r in s.loaded.body.rulesets:
        if r.document.published is not None and r.document.published > today:
            version = f" (version {r.document.version})" if r.document.version else ""
            yield written(r, f"{r.document.file}{version} is said to be published on "
                          f"{r.document.published}, after today ({today}): the rules are written from a document "
                          "published already", "the date the document gives for its publication, on or before "
                          "today", "$.document.published")


def _published_by_another(s: CheckedBody, others: list[LoadedBody]) -> Iterator[Failure]:
    """Each document (once) whose publisher is neither this body (its name or id) nor a body loaded here (whose
    own failure says which)."""
    seen: set[str] = set()
    for r in s.loaded.body.rulesets:
        doc = r.document
        if doc.file in seen or _publishes(s.loaded, doc.publisher) or any(_publishes(o, doc.publisher)
                                                                         for o in others):
            continue
        seen.add(doc.file)
        yield written(r, f"{doc.file} says it is published by {doc.publisher!r}, not by this body "
                      f"({s.loaded.body.name!r}, id {s.body_id!r}): a body's rules come from its own document",
                      "publisher: the body as its document names it (its name, the acronym in brackets after it, or "
                      f"its name's leading words; a legal form such as Ltd aside), or the rules of {doc.publisher!r}'s "
                      "own plugin", "$.document.publisher")


# A company's legal form, which a document's publisher may give and a body's name leave out ("Acme Assessment Ltd"),
# and a leading article ("The Skills Network", "Skills Network")
_LEGAL_FORM = re.compile(r"[\s,]+(?:ltd|limited|plc|llp|cic|inc|co)\.?$", re.IGNORECASE)
_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_ACRONYM = re.compile(r"\(([^()]+)\)\s*$")


def _publishes(loaded: LoadedBody, publisher: str) -> bool:
    """Whether a document's publisher is the body itself, as people write either: one whole name the leading words
    of the other ('Highfield Assessment Ltd' and 'Highfield'), or the acronym in brackets after one ('Training
    Qualifications UK (TQUK)' and 'TQUK'), legal forms and a leading article aside. A first word alone shared
    ('Training Standards' and 'Training Qualifications UK') is another body: one copying another's rules under a
    name like the other's would pass, and the body it copied be told of a copy of itself."""
    from epa.registry import fold

    def names(full: str) -> list[list[str]]:
        full = _ARTICLE.sub("", _LEGAL_FORM.sub("", full.strip()))
        acronym = _ACRONYM.search(full)
        forms = [full[:acronym.start()], acronym.group(1)] if acronym else [full]
        return [words for words in ([fold(w) for w in form.split() if fold(w)] for form in forms) if words]

    def leads(one: list[str], other: list[str]) -> bool:
        return one == other[:len(one)] or other == one[:len(other)]

    mine = names(loaded.body.name) + [[fold(loaded.body.id)]]
    return any(leads(theirs, own) for theirs in names(publisher) for own in mine)
