"""Deciding a cohort fast: each body's rules compiled once, then only the decisions computed per record.

``Engine.explain`` explains a record: every step, deadline and requirement as a cited sentence, which is what
one apprentice's comparison shows, each body's explanation compiled once per version of its rules
(``epa.engine.explaining``; ``epa.engine.explained.grade``, hook by hook, is its oracle). A cohort's CSV rows
and summary need only the decisions: the component and overall grades, gateway readiness, the cap and a required
full retake. ``Engine.decide`` computes those from
what it builds once per ruleset: the criteria of each method and level as bit sets over the standard's
criterion ids (a record's criteria become one integer per attempt, shared by every body, and a method is
graded with two masks and a bit count), the combination table as a lookup, each mandatory gateway check as a
predicate on the record (the fields that must be provided read together), and each retake window with its due
dates remembered. The per-record steps of the rulesets in force together are then written out as one Python
function (``epa.engine.graders``): the record's attempts read once for every body, each body's methods unrolled and its
masks and thresholds in the text (``Engine.graders(...).source`` shows it). A record is a Record or the
view of one that ``epa.inputs.fastrecord`` decodes a cohort's line to, which the engine reads as it stands.

Hooks still decide. Each answer that a body's hook gives is asked of the hook: ``combine_grades`` once per
combination of grades and, where the body implements it, ``grade_component`` once per distinct set of criteria
met (both depend on their arguments alone, as ``hookspecs`` requires); ``gateway_requirements`` and
``resit_policy``, whose answers depend on the whole record, are called per record when the body implements
them, and otherwise the engine evaluates the default's data as the rule families (``epa.rules``) state it:
component grading, combination, the cap, windows, gateway requirements and deadlines, each stated once, their
predicates and expressions the ones they explain by.
``tests/test_decisions.py`` holds ``decide`` to ``grade`` record by record.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import operator
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from epa.engine import explaining
from epa.engine.explained import (
    apply_resit_policy,
    caps_attempts,
    grade_overall,
    graded_call,
    hook_results,
    resit_decision,
    ruleset_for,
)
from epa.engine.plans import plan_for
from epa.inputs.fastrecord import RecordView, as_record, criteria_listed
from epa.model.domain import (
    Attempt,
    Check,
    Grade,
    Offset,
    Record,
    Ruleset,
    Window,
)
from epa.model.results import (
    BodyResult,
    ComponentResult,
    Decision,
    GradedAttempt,
    Note,
    Outcome,
    Overall,
    Reason,
    Requirement,
)
from epa.registry import LoadedBody, Registry
from epa.rules import combination, windows
from epa.rules import gateway as gateway_family
from epa.rules import grading as component
from epa.rules.gateway import Unmet
from epa.rules.workdays import shift

if TYPE_CHECKING:  # (the code writer is imported when a ruleset is first compiled: explaining a record, as a
    # one-record `epa compare` does, needs none, and start-up pays only for what a command uses)
    from epa.engine.graders import Graders

# What the engine remembers by what a record gives (a plugin's grades by criteria met, a window's or deadline's
# due dates by the date they count from) is forgotten past this many entries of each, so that a cohort of any
# size runs in bounded memory. (The rules in force are kept per span of gateway dates: a few per standard.)
REMEMBERED = 1 << 16


def _bound(remembered: dict[Any, Any]) -> None:
    """Forget what a dict of remembered answers holds once it is full (a cohort repeats its dates and criteria,
    so it fills again with what is asked now)."""
    if len(remembered) >= REMEMBERED:
        remembered.clear()


def _unmet(check: Check | None, ruleset: Ruleset) -> Unmet | str | None:
    """The gateway family's decision of a check (``epa.rules.gateway.unmet``), a deadline's due dates remembered."""
    return gateway_family.unmet(check, ruleset, _Due)


_english_maths_unmet = gateway_family.english_maths_unmet  # the family's, by the name tests/test_decisions.py reads


class _Due:
    """``shift(anchor, offset)`` for one offset, remembered by the anchor date (a cohort repeats its dates; asking a
    dict keyed by the date is cheaper than shift's own cache, which hashes the offset too), up to REMEMBERED."""

    def __init__(self, offset: Offset):
        self.offset = offset
        self.dues: dict[dt.date, dt.date] = {}

    def __call__(self, anchor: dt.date) -> dt.date:
        due = self.dues.get(anchor)
        if due is None:
            _bound(self.dues)
            due = self.dues[anchor] = shift(anchor, self.offset)
        return due


class _RetakeWindow(windows.RetakeWindow):
    """A window whose miss means the whole EPA again, its due dates remembered by the date they count from (a
    cohort repeats its dates)."""

    def __init__(self, window: Window, methods: int):
        super().__init__(window, _Due(window.offset), methods)


_fewest_days = windows.fewest_days  # (by the name tests/test_decisions.py holds to the offsets)


class CompiledRuleset:
    """One body's ruleset, made ready to decide records."""

    def __init__(self, loaded: LoadedBody, ruleset: Ruleset, bits: dict[str, int]):
        """``bits``: one bit for each criterion id of the standard (every body's, so shared by all of them)."""
        from epa.engine.graders import CompiledJourney as GradersJourney
        from epa.engine.graders import CompiledMethod, Rules

        self.loaded, self.ruleset = loaded, ruleset
        self.methods = ruleset.method_ids
        self.body = loaded.body.id
        self._own = set(loaded.own_hooks)
        # A body's own journey hooks are asked per record; otherwise the engine reads the default's data.
        self._asks_gateway, self._asks_resit = "gateway_requirements" in self._own, "resit_policy" in self._own

        def mask(ids: Sequence[str]) -> int:
            return functools.reduce(operator.or_, (bits[c] for c in ids), 0)
        # Each method's criteria and thresholds, as the default's rule reads them (epa.rules.grading).
        self._thresholds = {m: component.Thresholds.of(ruleset, m) for m in self.methods}
        self._assessed = {m: tuple((c.id, bits[c.id]) for c in ruleset.criteria_for(m)) for m in self.methods}
        self._components: dict[tuple[str, int], Grade] = {}
        # The combination, where the default decides it, worked out for every combination of grades now (the
        # printed rows, then the rule in words: at most 3^methods); a body's own combine_grades is asked as needed.
        self._overall: dict[tuple[Grade, ...], Grade | None] = (
            {} if "combine_grades" in self._own else combination.table(ruleset))
        self._provided, self._blocking = gateway_family.checks(ruleset, _Due)
        journey = ruleset.journey
        self._resit_rules = journey.resit if journey else None
        # Only a window whose document says a miss means the whole EPA again decides anything (advice never does).
        self._retake_windows = tuple(_RetakeWindow(w, len(ruleset.method_ids)) for w in self._resit_rules.windows
                                     if windows.decides_retake(w)) if self._resit_rules else ()
        self._first_assessment_windows = tuple(w for w in self._retake_windows if w.window.from_ == "first_assessment")
        # What the grading loop and the decisions written out for the rulesets in force read (epa.engine.graders).
        asks, rules = self._asks_resit, self._resit_rules
        self.rules = Rules(
            self.body, [CompiledMethod(m, mask(t.passes), mask(t.distinctions), t.distinction_needed, self._asker(m),
                               t.pass_needed) for m, t in self._thresholds.items()],
            self._overall,
            self._combined, GradersJourney(
                resits=self._asked_resits if asks else None, asks_resit=asks,
                cap=(rules.cap.applies_to, rules.cap.exceptional_circumstances_lift) if rules and not asks else None,
                cap_method=bool(rules and not asks and rules.cap.caps == "method"),
                missed=self._missed if self._retake_windows and not asks else None,
                spread=self._spread if self._first_assessment_windows and not asks else None,
                spread_days=min((windows.fewest_days(w.window.offset) for w in self._first_assessment_windows),
                                default=0),
                gateway=self._asked_gateway_ready if self._asks_gateway else None, provided=self._provided,
                unmet=self._blocking))

    def _asker(self, method: str) -> Callable[[int], Grade] | None:
        """Where the body implements grade_component, its answer for the criteria an attempt lists (as bits;
        ids it does not assess here set aside, as grading does before the hook), remembered; else None: the
        default's rule, which the grading loop applies inline."""
        if "grade_component" not in self._own:
            return None
        assessed, seen = self._assessed[method], self._components
        here = functools.reduce(operator.or_, (bit for _, bit in assessed), 0)

        def asked(met: int) -> Grade:
            key = (method, met & here)
            if (grade := seen.get(key)) is None:
                _bound(seen)
                ids = frozenset(c for c, bit in assessed if met & bit)
                grade = seen[key] = graded_call(self.loaded, "grade_component", ComponentResult,
                                                ruleset=self.ruleset, method=method, criteria_met=ids).grade
            return grade
        return asked

    def _combined(self, grades: tuple[Grade, ...]) -> Grade | None:
        """The combine_grades hook's answer, asked once per combination (a table of at most 3^methods rows)."""
        overall = self._overall.get(grades, self)
        if overall is self:
            components = dict(zip(self.methods, grades, strict=True))
            overall = self._overall[grades] = graded_call(self.loaded, "combine_grades", Outcome,
                                                          ruleset=self.ruleset, components=components).grade
        return overall  # type: ignore[return-value]

    def _asked_gateway_ready(self, record: Record) -> bool:
        """Readiness from the body's own gateway_requirements hook (with the default's, as grading collects)."""
        found = hook_results(self.loaded, "gateway_requirements", Requirement, ruleset=self.ruleset, record=record)
        return gateway_family.gateway_status(found).ready

    def _spread(self, record: Record, counted: list[tuple[Attempt, Grade]]) -> bool:
        """Whether the attempts span past a window counted from the first assessment (a record lists its
        attempts in date order): only then can one be missed."""
        attempts = record.assessments
        spanning = self._first_assessment_windows
        first, last = attempts[0].date, attempts[-1].date
        for window in spanning:
            if last > window.due(first):
                break
        else:
            return False  # the counted attempts span no further than all of them
        dates = [a.date for a, _ in counted]
        first, last = min(dates), max(dates)
        return any(last > w.due(first) for w in spanning)

    def _missed(self, counted: list[tuple[Attempt, Grade]], again: bool) -> bool:
        """Whether the attempts counted (a fail among them) miss a window that means the whole EPA again, as
        ``resits`` decides: any window after a resit or retake, else those counted from the first assessment."""
        return any(window.missed(counted) for window in (self._retake_windows if again else
                                                          self._first_assessment_windows))

    def _asked_resits(self, record: Record, counted: list[tuple[Attempt, Grade]], failed: bool, again: bool,
                      overall: Grade | None, grades: tuple[Grade | None, ...]
                      ) -> tuple[Grade | None, bool, bool, tuple[Grade | None, ...]]:
        """The overall grade after the body's own resit_policy hook (as grading applies it), whether the cap
        applied, whether a full retake is required, and each method's grade (``grades``, the loop's, unless the
        default capped one)."""
        graded = [GradedAttempt(a, g) for a, g in counted]
        asked = resit_decision(self.loaded, self.ruleset, record, graded)
        if caps_attempts(self.loaded, self.ruleset, asked[1]):
            # Its own hook answered nothing, and the default caps a method's own grade before the combination
            # (``explained.cap_attempts``): the record is decided as grading explains it, the hook not asked again.
            found = grade_overall(self.loaded, record, own_said_none=True)
            decided = found.decision
            return found.overall, bool(decided and decided.capped), bool(decided and decided.full_retake_required), \
                tuple(found.details[m].grade for m in self.methods)
        overall, decision, _, _ = apply_resit_policy(self.loaded, self.ruleset, record, graded, overall, asked)
        return overall, bool(decision and decision.capped), bool(decision and decision.full_retake_required), grades


class Engine:
    """Every installed body's rulesets, compiled as records first need them. Every command decides and explains
    through one (``Engine.of``): ``decide`` for a cohort's rows and summary, ``explain`` for each result a person or
    a program reads, and the few questions beside them that the audit, the consistency analysis and the
    conformance suite ask (``ruleset``, ``overall``, ``component``)."""

    @classmethod
    def of(cls, registry: Registry) -> Engine:
        """The registry's one engine, made when first asked and kept with the registry, so that every command and
        analysis using these bodies shares what it has compiled. Making one compiles nothing: a ruleset is compiled
        when a record first needs it."""
        return registry.kept(cls)

    def __init__(self, registry: Registry):
        self.registry = registry
        self._compiled: dict[tuple[str, int], CompiledRuleset] = {}
        # Per standard, each body offering it, with its one compiled ruleset where it has one version only.
        self._bodies: dict[str, list[tuple[LoadedBody, CompiledRuleset | None]]] = {}
        # Per standard, whether a body offering it implements a hook that is given the whole record.
        self._hooked: dict[str, bool] = {}
        # The decisions written out (epa.engine.graders) for each set of compiled rules in force together.
        self._graders: dict[tuple[CompiledRuleset, ...], Graders] = {}
        # Per standard, the dates a version of its rules comes into force, in order, and for each span of gateway
        # dates they make (before the first, between two, after the last): whether a body is hooked and the
        # graders of the rules in force, once a record asks.
        self._spans: dict[str, tuple[list[dt.date], list[tuple[bool, Graders] | None]]] = {}
        self._bits: dict[str, dict[str, int]] = {}  # per standard, a bit for each criterion id
        # Per standard, the bodies offering it, in the registry's order (registry.offering's answer: explain asks it
        # of every record)
        self._explaining: dict[str, tuple[LoadedBody, ...]] = {}
        # ruleset_for's answer per body and what it reads of a record (see _version)
        self._versions: dict[tuple[Any, ...], tuple[LoadedBody, Ruleset, tuple[Reason, ...], tuple[Note, ...]]] = {}

    def _for(self, loaded: LoadedBody, record: Record) -> CompiledRuleset:
        """The body's compiled rules in the version ``explained.ruleset_for`` picks (``_chosen`` remembers it)."""
        return self.compiled(loaded, ruleset_for(loaded, record)[0])

    def compiled(self, loaded: LoadedBody, ruleset: Ruleset) -> CompiledRuleset:
        key = (loaded.body.id, id(ruleset))
        found = self._compiled.get(key)
        if found is None:
            bits = self._bits_for(ruleset.standard)
            found = self._compiled[key] = CompiledRuleset(loaded, ruleset, bits)
        return found

    def graders(self, standard: str, chosen: Sequence[CompiledRuleset]) -> Graders:
        """The decisions of the compiled rules ``chosen`` (for a record of ``standard``), written out once."""
        key = tuple(chosen)
        found = self._graders.get(key)
        if found is None:
            from epa.engine.graders import Graders

            name = f"{standard} " + ", ".join(f"{c.body} {c.ruleset.document.version}" for c in chosen)
            found = self._graders[key] = Graders(name, [c.rules for c in chosen], self._bits_for(standard), Decision,
                                                 self.registry.criterion_ids(standard))
        return found

    def _bits_for(self, standard: str) -> dict[str, int]:
        bits = self._bits.get(standard)
        if bits is None:
            ids = sorted(self.registry.criterion_ids(standard) | {
                c.id for loaded in self.registry.offering(standard)
                for ruleset in loaded.body.rulesets_for(standard) for c in ruleset.criteria})
            bits = self._bits[standard] = {c: 1 << i for i, c in enumerate(ids)}
        return bits

    def _offering(self, standard: str) -> list[tuple[LoadedBody, CompiledRuleset | None]]:
        bodies = self._bodies.get(standard)
        if bodies is None:
            bodies = self._bodies[standard] = [
                (loaded, self.compiled(loaded, versions[0]) if len(versions) == 1 else None)
                for loaded in self.registry.offering(standard)
                for versions in [loaded.body.rulesets_for(standard)]]
            self._hooked[standard] = any({"gateway_requirements", "resit_policy"} & set(loaded.own_hooks)
                                         for loaded, _ in bodies)
        return bodies

    def _chosen(self, record: Record) -> tuple[bool, Graders]:
        """Whether a body offering the record's standard implements a hook given the whole record, and the
        graders of each body's compiled rules for the record, in the registry's order. Where the record names no
        version these are remembered by standard and span of gateway dates: ``ruleset_for`` picks the latest
        version in force on the gateway date, the same for every date between two dates a version comes in."""
        standard = record.standard
        if record.document_versions:
            bodies = self._offering(standard)
            return self._hooked[standard], self.graders(
                standard, [only or self._for(loaded, record) for loaded, only in bodies])
        spans = self._spans.get(standard)
        if spans is None:
            changes = sorted({day for loaded, _ in self._offering(standard) for ruleset in
                              loaded.body.rulesets_for(standard) if (day := ruleset.document.effective_from)})
            spans = self._spans[standard] = (changes, [None] * (len(changes) + 1))
        span = bisect.bisect_right(spans[0], record.gateway.date)
        found = spans[1][span]
        if found is None:
            found = spans[1][span] = (self._hooked[standard], self.graders(
                standard, [only or self._for(loaded, record) for loaded, only in self._offering(standard)]))
        return found

    def decide(self, record: Record | RecordView) -> list[Decision]:
        """Each body offering the record's standard, in the registry's order: its decisions for the record (a
        Record, or ``fastrecord``'s view of one, which reads the same; a plugin's hook is given a Record)."""
        hooked, graders = self._chosen(record)  # type: ignore[arg-type]  # a view reads as a Record
        if hooked and not isinstance(record, Record):
            record = as_record(record)
        return graders.decide(record)  # type: ignore[return-value]  # (not None: only with listed)

    def explain(self, record: Record | RecordView, body: LoadedBody | None = None) -> list[BodyResult]:
        """Each body offering the record's standard (or ``body`` alone), in the registry's order: its result for the
        record with every step, requirement, deadline and check cited (what ``decide`` decides, explained), as
        ``epa.engine.explained.grade`` gives it, assembled by each body's compiled explanation
        (``epa.engine.explaining``) from pieces remembered by what they read."""
        if not isinstance(record, Record):
            record = as_record(record)
        assessments = record.assessments
        placed, listed = explaining.places(assessments), {a.method for a in assessments}
        read: dict[tuple[str, ...], Any] = {}  # the record's dates, read once for every body (explaining.Explainer)
        results = []
        for loaded in (body,) if body else self._explaining.get(record.standard) or self._explained(record.standard):
            explainer, steps, notes = self._explainer(loaded, record)
            results.append(explainer.explain(record, list(steps), list(notes), placed, listed, read))
        return results

    def _explained(self, standard: str) -> tuple[LoadedBody, ...]:
        """The bodies offering the standard, remembered (a standard no body offers is refused each time asked)."""
        found = self._explaining[standard] = self.registry.offering(standard)
        return found

    def _explainer(self, loaded: LoadedBody, record: Record) -> tuple[explaining.Explainer, tuple[Reason, ...],
                                                                       tuple[Note, ...]]:
        """The compiled explanation of the version of the body's rules that grades the record (made once per
        version, held by its plan), and the steps and notes of choosing that version."""
        ruleset, steps, notes = self._version(loaded, record)
        plan = plan_for(loaded, ruleset)
        explainer = plan.explainer
        if explainer is None:
            explainer = plan.explainer = explaining.Explainer(loaded, plan)
        return explainer, steps, notes

    def _version(self, loaded: LoadedBody, record: Record) -> tuple[Ruleset, tuple[Reason, ...], tuple[Note, ...]]:
        """``ruleset_for``'s answer, remembered by what it reads: the body, the standard, the version the record
        names for the body, and the gateway date."""
        key = (id(loaded), record.standard, record.document_versions.get(loaded.body.id), record.gateway.date)
        found = self._versions.get(key)
        if found is None or found[0] is not loaded:  # (the body held in the answer, so that its id stays its own)
            _bound(self._versions)
            ruleset, steps, notes = ruleset_for(loaded, record)
            found = self._versions[key] = (loaded, ruleset, tuple(steps), tuple(notes))
        return found[1:]

    def ruleset(self, record: Record, body: LoadedBody) -> Ruleset:
        """The version of the body's rules that grades the record (and ``explain`` explains it by): the version the
        record names, else the latest in force on its gateway date, else the earliest."""
        return self._version(body, record)[0]

    def overall(self, record: Record, body: LoadedBody) -> Overall:
        """The part of ``explain`` that decides the grades, explained: each method's, combined, then the resit
        policy (the cap, a window missed); without the gateway requirements, deadlines and tolerance checks. For
        `epa audit`, which asks it of recorded grades. Assembled by the body's compiled explanation, as ``explain``
        (``epa.engine.explained.grade_overall`` is its oracle)."""
        explainer, steps, notes = self._explainer(body, record)
        assessments = record.assessments
        return explainer.overall(record, list(steps), list(notes), explaining.places(assessments),
                                 {a.method for a in assessments})

    def component(self, body: LoadedBody, ruleset: Ruleset, method: str, met: frozenset[str]) -> ComponentResult:
        """The body's grade for one method from the criteria met (its ``grade_component`` hook, or the default's
        rule), as grading asks it: the answer held to the hook's contract, a PluginError naming the hook where it
        breaks it. ``met``: ids the ruleset assesses in ``method`` (grading sets any other aside first)."""
        return graded_call(body, "grade_component", ComponentResult, ruleset=ruleset, method=method, criteria_met=met)

    def decide_listed(self, record: RecordView) -> list[Decision] | None:
        """As ``decide``, for a view whose criteria ids are not yet checked (``fastrecord.view`` with
        ``criteria=False``): None where an attempt repeats one or lists one the standard does not have, which
        the record's schema refuses. (Read as bits for grading, the ids are checked for the price of a count.)"""
        hooked, graders = self._chosen(record)  # type: ignore[arg-type]  # a view reads as a Record
        if hooked:  # a plugin's hook is given a valid Record
            return graders.decide(as_record(record)) if criteria_listed(record, self.registry) else None
        return graders.decide(record, True)

    def grades(self, record: Record | RecordView) -> list[tuple[str, Grade | None, tuple[Grade | None, ...]]]:
        """Grading alone, each body in the registry's order: (body id, the combined grade, each method's grade
        in the ruleset's method order), before the resit rules; ``decide`` applies them."""
        return self._chosen(record)[1].grades(record)  # type: ignore[arg-type]  # a view reads as a Record
