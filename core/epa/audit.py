"""`epa audit FILE`: whether each recorded overall grade follows from the component grades recorded beside it,
under the recording body's own rules in force.

Each row (read by ``epa.inputs.audit_input``) names a body, a standard, each component's grade and the overall grade
recorded. The expected overall grade is what ``Engine.overall`` (the part of ``Engine.explain`` that decides the
grades) gives a record holding those component grades as recorded grades: the body's own ``combine_grades``
(its printed table, else its rule in words, as every other command combines them) and its ``resit_policy`` (the
cap after a resit or retake). Nothing here combines grades.

The rules in force are those written for the assessment plan version the row records (Ofqual's
AssessmentPlanVersionNumber), where the body's rules give theirs (``Document.plan_version``, said to be the tool's
reading where the document does not state it: ``versions.plan_version_basis``); else they are
chosen as for any record (``Engine.ruleset``): the version the row names (``document_version``), else the version
in force on the row's gateway date; a body with one version for the standard needs neither. Attempts: a method
recorded as a resit or retake is read as a fail followed by that attempt,
so that the body's cap applies (lifted where the row records exceptional circumstances and the document lets them
lift it). The attempts are given no dates of their own (all on the gateway date), so no resit window is judged
here: the audit checks the combination and the cap, not the journey. A file with no attempt column is read as
first attempts throughout, and each row says so.

Rows that give the same body, version, grades, attempts and exceptional circumstances have the same answer: each
distinct one is graded once (a cohort has a few dozen), so that a file is audited at the speed it is read.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any, NamedTuple

from attrs import frozen

from epa import interrupts
from epa.batch import csv_output
from epa.engine.compiled import Engine
from epa.errors import EXIT_FAILURE, EXIT_INPUT, EXIT_OK, InputError, OutputCutShort, OutputError, PluginError, quote
from epa.inputs import cohort_xlsx, columns
from epa.inputs.audit_input import OutcomesHeader, Status, header_class, kind
from epa.inputs.cohort_input import (
    DELIMITED,
    ColumnMap,
    Item,
    RowProblems,
    RowRefusal,
    csv_items,
    month_first_columns,
    physical_lines,
    rereadable,
    rewindable,
    says_total,
)
from epa.inputs.utf16 import as_utf8
from epa.model.domain import Apprentice, Attempt, Gateway, Grade, Record, Ruleset
from epa.registry import LoadedBody, Registry
from epa.rules import history
from epa.rules.versions import plan_version_basis, plan_version_said

CSV_COLUMNS = ("line", "apprentice", "body", "standard", "version", "recorded", "expected", "agrees", "rule",
               "citation", "error")
_EPAO_ID = re.compile(r"(?i)epa\d{4}")  # an EPAO's id on the register (EPA0001), as Ofqual's file gives it
NOT_RECORDED = ("the file records no attempts: every grade is read as a first attempt, so no resit or retake cap "
                "is applied")


def _unrecorded(methods: tuple[str, ...]) -> str:
    """What the rule adds where a file with attempt columns leaves a row's attempt at ``methods`` empty."""
    read, them = ("first attempts", "them") if len(methods) > 1 else ("a first attempt", "it")
    return f"the row records no attempt for {', '.join(methods)}: read as {read}, so no resit or retake cap is " \
           f"applied to {them}"


SHOWN = 50  # the disagreements and the rejected rows the table lists (every one is in --format csv and json)
# A row recording no overall grade (booked, assessed in part, awaiting its result): nothing to audit, never an error.
NOT_GRADED = "not graded yet: the row records no overall grade, so nothing is audited"


def _status_rule(status: Status) -> str:
    """The rule of a row whose overall grade's cell records what became of the EPA, or that it is under way."""
    if status.ended is None:
        return f"not graded yet: the row records {quote(status.written)}, not an overall grade, so nothing is audited"
    ended = "paused by a break in learning" if status.ended == "break in learning" else status.ended
    return (f"not audited: the row records the EPA as {ended} ({quote(status.written)}), not an overall grade, so "
            "there is no grade to audit")


@frozen
class Expected:
    """What the body's rules give for one pattern of recorded grades: the overall grade (None: no grade, e.g. the
    whole EPA again), the version of its rules, and the steps that decided it with their citations."""

    overall: Grade | None
    version: str | None  # None: the document gives itself no version (one ruleset, nothing to pin)
    rule: str
    citation: str


class AuditAnswer:
    """What rows with the same body, version, grades, attempts and exceptional circumstances are answered alike:
    the output's fields after the recorded grade, and their CSV cells for each grade recorded (written once)."""

    def __init__(self, fields: dict[str, Any]):
        self.fields = fields
        self.cells: dict[tuple[str, Status | None], str] = {}

    def rule(self, recorded: str | None, status: Status | None = None) -> str:
        """The rule as a row recording ``recorded`` (or ``status`` in its place) reads it: a row not graded yet
        says so first; a row whose EPA ended without a grade says only that."""
        rule = self.fields["rule"]
        if recorded is not None:
            return rule
        said = NOT_GRADED if status is None else _status_rule(status)
        return f"{said}; {rule}" if rule and (status is None or status.ended is None) else said

    def csv_tail(self, recorded: str | None, agrees: bool | None, status: Status | None = None) -> str:
        key = (recorded or "", status)
        tail = self.cells.get(key)
        if tail is None:
            f = self.fields
            expected = f["expected"] or ("none" if f["rule"] else "")  # (no rule: the grades are not all recorded)
            tail = self.cells[key] = csv_output.rows([[
                f["body"], f["standard"], f["version"] or "", recorded or "", expected,
                "" if agrees is None else "true" if agrees else "false", self.rule(recorded, status), f["citation"],
                ""]])
        return tail


class Answer(NamedTuple):
    """One row audited: its line, the apprentice, the overall grade recorded, whether the body's rules give it,
    what they give (``found``), and the row's EPAO id and plan version where it gives them. A row not graded yet
    records no overall grade (None) and neither agrees nor disagrees (None); what the body's rules give is still
    shown where every component's grade is recorded. ``status``: what the overall grade's cell records in place
    of a grade (the EPA withdrawn, void, …: not audited; booked, pending: not graded yet)."""

    line: int
    apprentice: str
    recorded: str | None
    agrees: bool | None
    found: AuditAnswer
    given: dict[str, str]
    status: Status | None = None

    @property
    def ended(self) -> bool:
        """The row records its EPA as ended without a grade (withdrawn, void, …): not audited."""
        return self.status is not None and self.status.ended is not None

    def as_dict(self) -> dict[str, Any]:
        f = self.found.fields
        # (a row not graded yet says so whether its cell is empty or says why: Booked, Pending)
        status = {"status": self.status.ended or "not graded yet"} if self.status is not None else \
            {"status": "not graded yet"} if self.recorded is None else {}
        return {"line": self.line, "apprentice": self.apprentice, "body": f["body"], "standard": f["standard"],
                "version": f["version"], "recorded": self.recorded, "expected": f["expected"], "agrees": self.agrees,
                **status, "rule": self.found.rule(self.recorded, self.status), "citation": f["citation"],
                "components": f["components"], "attempts": f["attempts"], **self.given}

    def csv(self) -> str:
        ident = self.apprentice if not csv_output.NEEDS_QUOTING.search(self.apprentice) else \
            csv_output.cell(self.apprentice)
        return f"{self.line},{ident},{self.found.csv_tail(self.recorded, self.agrees, self.status)}"


class Auditor:
    """Audits rows: a body named once (``--body``) or by each row (its name, id or acronym; or its EPAO id through
    ``body_ids``), every answer remembered by what decides it."""

    def __init__(self, registry: Registry, header: OutcomesHeader, body: LoadedBody | None = None,
                 body_ids: dict[str, LoadedBody] | None = None):
        self.registry, self.header, self.fixed = registry, header, body
        self.engine = Engine.of(registry)
        self.body_ids = {k.strip().upper(): v for k, v in (body_ids or {}).items()}
        self._named: dict[str, LoadedBody | InputError] = {}
        self._rules: dict[tuple[str, str, str | None, str | None, str | None],
                          tuple[Ruleset, str | None] | PlanRefusal | str] = {}
        self._expected: dict[tuple[Any, ...], AuditAnswer] = {}

    def audit(self, line: int, data: dict[str, Any]) -> Answer:
        """One row's answer (see CSV_COLUMNS); RowProblems naming every column that stops it being audited."""
        problems: list[tuple[str, tuple[str, ...], columns.BadCell]] = []

        def problem(field: str, message: str, hint: str | None = None) -> None:
            named = self.header.column.get(field) or self.header.column.get("body") or self.header.column["overall"]
            problems.append((named, kind(field), columns.BadCell(message, hint)))

        loaded = self._body(data, problem)
        body_id = loaded.body.id if loaded else ""
        standard = data["standard"]
        rules: Ruleset | None = None
        plan_note: str | None = None
        if loaded is not None and standard in loaded.body.standards:
            rules, plan_note = self._ruleset(loaded, standard, data, problem)
        else:  # the body is not known, or does not offer it: is the standard one at all?
            known = False
            try:
                self.registry.standard(standard)
            except InputError as exc:
                problem("standard", exc.message, exc.hint)
            else:
                known = True
            if known and loaded is not None:
                offering = [b.body.id for b in self.registry.bodies if standard in b.body.standards]
                problem("body", f"{loaded.body.id} does not offer {standard}",
                        "bodies offering it: " + (", ".join(offering) or (
                            "none among those chosen with --bodies (or EPA_BODIES)" if self.registry.left_out
                            else "none installed")))
        grades: list[str] = []
        if rules is not None:
            for m in rules.method_ids:
                given = data["grades"].get(m)
                if m not in self.header.graded:
                    problem("overall", f"no column holds the {m} grade, one of the {len(rules.method_ids)} "
                            f"components {body_id} combines for {standard} ({', '.join(rules.method_ids)})",
                            f'name it with --column "YOUR NAME={m}"')
                elif given is None:
                    if "overall" in data and m in data["not_yet"]:  # (a cell saying so: "Pending", "Booked"...)
                        problem(m, f"{quote(data['not_yet'][m])} says the {m} is not graded yet, but the row records "
                                f"an overall grade ({data['overall']}): {body_id} combines the overall grade from "
                                f"every component ({', '.join(rules.method_ids)}), so none is given before each is "
                                "graded", f"give the {m}'s grade, or leave the overall grade empty until it is "
                                "graded (the row is then not graded yet, and not audited)")
                    elif "overall" in data:  # (a row not graded yet may lack some: nothing of it is audited)
                        problem(m, f"empty: {body_id} combines the overall grade from every component "
                                f"({', '.join(rules.method_ids)}); the row gives no {m} grade",
                                "give every component's grade: an overall grade is not audited from some of them")
                else:
                    grades.append(given)
            for m, given in data["grades"].items():
                if m not in rules.method_ids:
                    problem(m, f"{standard} has no {m} under {body_id}'s rules ({', '.join(rules.method_ids)}), "
                            f"but the row gives it {quote(given)}",
                            "leave the cell empty for this standard")
        if problems or loaded is None or rules is None:  # (each way to leave them None adds a problem)
            raise RowProblems(sorted(problems, key=lambda p: self.header.names.index(p[0])), data)
        recorded, status = data.get("overall"), data.get("status")
        given = {f: data[f] for f in ("body_id", "plan_version") if f in data}
        # Not graded yet with some component's grade not recorded either, or the EPA ended without a grade (what
        # the body's rules would give its components is no grade anyone is to record)
        if len(grades) < len(rules.method_ids) or (status is not None and status.ended is not None):
            return Answer(line, data["apprentice"]["id"], None, None, AuditAnswer({
                "body": loaded.body.id, "standard": standard, "version": rules.document.version, "expected": None,
                "rule": "", "citation": "", "components": {m: data["grades"].get(m) for m in rules.method_ids},
                "attempts": {m: data["attempts"].get(m, "first") for m in rules.method_ids}
                if self.header.attempts_given else None}), given, status)
        attempts = tuple(data["attempts"].get(m, "first") for m in rules.method_ids)
        # (an attempt a file with attempt columns leaves empty is read as a first one too, and the rule says so)
        unrecorded = tuple(m for m in rules.method_ids if m not in data["attempts"]) if self.header.attempts_given \
            else ()
        early = _before_every_version(loaded, rules, data) if plan_note is None else None
        early = "; ".join(filter(None, (plan_note, early))) or None
        key = (loaded.body.id, standard, rules.document.version, tuple(grades), attempts,
               bool(data.get("exceptional_circumstances")), unrecorded, early)
        found = self._expected.get(key)
        if found is None:
            expected = self._grade(loaded, rules, dict(zip(rules.method_ids, map(Grade, grades), strict=True)),
                                   dict(zip(rules.method_ids, attempts, strict=True)), key[-3])
            found = self._expected[key] = AuditAnswer({
                "body": loaded.body.id, "standard": standard, "version": expected.version,
                "expected": str(expected.overall) if expected.overall else None,
                "rule": expected.rule + (f" ({NOT_RECORDED})" if not self.header.attempts_given else
                                         f" ({_unrecorded(unrecorded)})" if unrecorded else "")
                + (f" ({early})" if early else ""),
                "citation": expected.citation,
                "components": dict(zip(rules.method_ids, grades, strict=True)),
                "attempts": dict(zip(rules.method_ids, attempts, strict=True)) if self.header.attempts_given else None})
        return Answer(line, data["apprentice"]["id"], recorded,
                      None if recorded is None else recorded == found.fields["expected"], found, given, status)

    def _body(self, data: dict[str, Any], problem: Callable[..., None]) -> LoadedBody | None:
        """The row's body: the one its name names (checked against its EPAO id where both are given and the id is
        mapped, and against --body where given), else the one its EPAO id is mapped to, else --body's (an id
        --body-id maps to another body than --body's is refused)."""
        by_id = None
        if "body_id" in data:
            by_id = self.body_ids.get(data["body_id"].upper())
            if self.fixed is not None and by_id is not None and by_id is not self.fixed:
                # (audited under --body's rules, a row that --body-id says another body recorded would be checked
                # against the wrong body's document)
                problem("body_id", f"{quote(data['body_id'])} is mapped to {by_id.body.id}, but --body names "
                        f"{self.fixed.body.id}", "correct the row or the --body-id map; or leave --body out: each "
                        "row is audited under the body it names")
                return None
            if by_id is None and "body" not in data and self.fixed is None:
                problem("body_id", f"{quote(data['body_id'])}: no installed body's document states its EPAO id, and "
                        "--body-id maps none to this one", f'map it: --body-id "{data["body_id"]}=BODY" (BODY: an '
                        "id, name or acronym from `epa bodies`)")
                return None
        name = data.get("body")
        if name is None:
            if by_id is None and self.fixed is None:
                problem("body", "empty: every row needs the awarding body that recorded it")
            return self.fixed or by_id
        found = self._named.get(name)
        if found is None:
            try:
                found = self.registry.named(name)
            except InputError as exc:
                found = exc
            if len(self._named) < 4096:
                self._named[name] = found
        if isinstance(found, InputError):
            # The body's column may hold its EPAO id, EPA0001, as the register names it: --body-id maps it (and the
            # id's column, where it maps another body, is checked against it below). Else a name as Ofqual's
            # register spells it need not be one epa knows: the id decides.
            mapped = self.body_ids.get(name.strip().upper())
            found = mapped if mapped is not None else by_id if by_id is not None else found
        if isinstance(found, InputError):
            epao = data.get("body_id") or (name if _EPAO_ID.fullmatch(name.strip()) else None)
            mapping = f'map its EPAO id: --body-id "{epao.strip()}=BODY"' if epao else None
            problem("body", found.message, "; ".join(filter(None, (found.hint, mapping))))
            return None
        if by_id is not None and by_id is not found:
            problem("body_id", f"{quote(data['body_id'])} is mapped to {by_id.body.id}, but the row's body is "
                    f"{found.body.id}", "correct the row, or the --body-id map")
            return None
        if self.fixed is not None and found is not self.fixed:
            problem("body", f"the row's body is {found.body.id}, but --body names {self.fixed.body.id}",
                    "leave --body out: each row is audited under the body it names")
            return None
        return found

    def _ruleset(self, loaded: LoadedBody, standard: str, data: dict[str, Any], problem: Callable[..., None]
                 ) -> tuple[Ruleset | None, str | None]:
        """The rules in force for the row, and what the rule is to say of the choice: the version written for the
        assessment plan version the row records, where the body's rules give theirs (a plan version none is
        written for is refused: audited under another plan's rules, a verdict could be wrong and say nothing);
        else as ``Engine.ruleset`` chooses them for a record: the version named, else the one in force on the
        gateway date; with neither, the body's one version (several: refused)."""
        named, on, given = data.get("document_version"), data.get("gateway_date"), data.get("plan_version")
        key = (loaded.body.id, standard, named, on, given)
        found = self._rules.get(key)
        if found is None:
            found = self._rules[key] = self._plan_chosen(loaded, standard, named, on, given)
            if len(self._rules) > 4096:
                self._rules.clear()
        if isinstance(found, PlanRefusal):
            problem("plan_version", found.message, found.hint)
            return None, None
        if isinstance(found, str):
            problem("document_version" if named else "gateway_date", found, None if named else
                    "give the gateway date (the version in force on it is used, as for `epa grade`), or the "
                    "document's version (column document_version)")
            return None, None
        return found

    def _plan_chosen(self, loaded: LoadedBody, standard: str, named: str | None, on: str | None,
                     given: str | None) -> tuple[Ruleset, str | None] | PlanRefusal | str:
        """``_ruleset``'s choice, made once for each body, standard, version, gateway date and plan version."""
        if given is None:
            chosen = self._choose(loaded, standard, named, on)
            return chosen if isinstance(chosen, str) else (chosen, None)
        plan = plan_version(given, standard)
        if isinstance(plan, PlanRefusal):
            return plan
        versions = loaded.body.rulesets_for(standard)
        stated = [r for r in versions if r.document.plan_version is not None]
        if not stated:  # (the document states none: the choice is the date's or the version's, and the rule says so)
            chosen = self._choose(loaded, standard, named, on)
            return chosen if isinstance(chosen, str) else (
                chosen, f"{loaded.body.id}'s document states no assessment plan version for its {standard} rules, "
                f"so the row's plan version {given} is not checked against them")
        written = ", ".join(f"{r.document.plan_version} (version {r.document.version}, "
                            f"{plan_version_basis(r.document)})" for r in stated)
        matching = [r for r in stated if _plan_key(r.document.plan_version or "") == plan]
        if not matching:
            return PlanRefusal(
                f"{quote(given)}: {loaded.body.id}'s {standard} rules are written for assessment plan version "
                f"{written}; none installed is written for this one, so its grades are not audited against another "
                "plan's rules", "give the plan version the EPA was assessed under; or, to audit the file against "
                "the rules installed whatever its plan versions, leave the column out: --column "
                f"\"{self.header.column['plan_version']}=\"")
        if named is not None and named not in {r.document.version for r in matching}:
            return PlanRefusal(
                f"{quote(given)}: the row names version {named} of {loaded.body.id}'s {standard} rules, but that "
                f"version is not written for this assessment plan version (written for: {written})",
                "correct the row's document version or its plan version")
        by_plan = named if named is not None else matching[0].document.version if len(matching) == 1 else None
        chosen = self._choose(loaded, standard, by_plan, on)
        if isinstance(chosen, str):
            return chosen
        if chosen not in matching:  # (several versions for one plan, the date choosing one for another plan)
            return PlanRefusal(f"{quote(given)}: the version in force on the row's gateway date, "
                               f"{chosen.document.version}, is written for assessment plan version "
                               f"{plan_version_said(chosen.document)}",
                               "correct the row's gateway date or its plan version")
        if len(versions) == 1 or named is not None:
            return chosen, None
        by_date = self._choose(loaded, standard, None, on) if on is not None else None
        if isinstance(by_date, Ruleset) and by_date is not chosen:
            return chosen, (f"the row's assessment plan version {given} chooses version {chosen.document.version}, "
                            f"written for it ({plan_version_basis(chosen.document)}); its gateway date {on} alone "
                            f"would choose version {by_date.document.version}, written for plan version "
                            f"{plan_version_said(by_date.document)}")
        return chosen, None

    def _choose(self, loaded: LoadedBody, standard: str, named: str | None, on: str | None) -> Ruleset | str:
        versions = loaded.body.rulesets_for(standard)
        spans = ", ".join(f"{r.document.version} from {r.document.effective_from or 'the start'}" for r in versions)
        if named is not None:
            if named not in {r.document.version for r in versions}:
                return f"{loaded.body.id} has no version {quote(named)} of its {standard} rules ({spans})"
        elif on is None:
            if len(versions) > 1:
                return (f"{loaded.body.id}'s {standard} rules have {len(versions)} versions ({spans}), and the row "
                        "gives no gateway date to choose one by")
            named = versions[0].document.version
        record = _record(standard, dt.date.fromisoformat(on) if on else dt.date.min, [],
                         {loaded.body.id: named} if named else {})
        return self.engine.ruleset(record, loaded)

    def _grade(self, loaded: LoadedBody, rules: Ruleset, grades: dict[str, Grade], attempts: dict[str, str],
               exceptional: bool) -> Expected:
        """The body's overall grade for the grades recorded, through ``Engine.overall`` (its hooks), and the
        steps that decided it: the combination, and the cap where a resit or retake is recorded."""
        on = rules.document.effective_from or dt.date(2000, 1, 1)  # (no window is judged: see the module's doc)
        assessments = []
        for m, g in grades.items():
            if attempts[m] != "first":
                assessments.append(Attempt(m, on, grade=Grade.FAIL, exceptional_circumstances=exceptional))
            assessments.append(Attempt(m, on, kind=attempts[m], grade=g, exceptional_circumstances=exceptional))
        version = rules.document.version
        result = self.engine.overall(_record(rules.standard, on, assessments,
                                             {} if version is None else {loaded.body.id: version}), loaded)
        explanation = result.steps + result.resit_steps
        # The combination's steps, and where a resit or retake is recorded the cap's: the resit policy's first step
        # (as grading cites it for a capped grade), not its windows, attempt limits or gateway.
        later = any(kind != "first" for kind in attempts.values())
        resit = [r for r in explanation if r.about == "resit"][:1] if later else []
        lowered = history.explain_capped_overall(history.CAPPED[0])  # (the cap lowering the overall: said with it)
        steps = [r for r in explanation if (r.about == "overall" and r.says != lowered) or r in resit]
        said = [r.says.replace(f" on {on}", "") for r in steps]
        if resit and result.decision is not None and result.decision.capped:
            said = _cap_said(said, steps.index(resit[0]), grades, explanation, result.overall)
        says = "; ".join(said)
        # (not reached: every attempt is on one day, so no window is missed)
        if result.decision and result.decision.full_retake_required:
            says += "; the whole EPA must be taken again"
        return Expected(result.overall, version, says,
                        "; ".join(dict.fromkeys(r.citation for r in steps)))


class PlanRefusal(NamedTuple):
    """Why a row's assessment plan version cannot be used to audit it (its problem, on the plan version's column)."""

    message: str
    hint: str | None = None


_PLAN = re.compile(r"(?i)(?:(ST\d{4})\s*[/_\-\s]\s*)?(?:v(?:ersion)?\s*)?(\d+(?:\.\d+)*)")


def _plan_key(number: str) -> tuple[int, ...]:
    """A version number's parts, trailing zeros aside: 1, 1.0 and 1.00 are one version; 1.1 and 1.10 are two."""
    parts = [int(p) for p in number.split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def plan_version(given: str, standard: str) -> tuple[int, ...] | PlanRefusal:
    """The assessment plan version a row records (1.1, V1.1, ST0071/V1.1), as ``_plan_key`` compares it."""
    found = _PLAN.fullmatch(given.strip())
    if found is None:
        return PlanRefusal(f"{quote(given)} is not an assessment plan version",
                           "write it as 1.1 (or ST0071/V1.1); -2 where it is not available")
    if found[1] is not None and found[1].upper() != standard:
        return PlanRefusal(f"{quote(given)} is a version of {found[1].upper()}'s assessment plan, but the row's "
                           f"standard is {standard}", "correct the row's standard or its plan version")
    return _plan_key(found[2])


def _cap_said(said: list[str], at: int, grades: dict[str, Grade], explanation: list[Any], overall: Grade | None
              ) -> list[str]:
    """The rule's steps with the cap's (``said[at]``: "observation resit: overall grade capped at pass") saying
    what it did to the grades recorded, as the documents word a cap: a maximum ("a maximum EPA grade of pass",
    "the maximum grade awarded to a resit will be pass"). A cap on the overall grade lowers a distinction the
    combination gives, and changes nothing where it gives pass or fail; a cap on the resat method's own grade
    (Highfield's) lowers a distinction recorded for it before the grades are combined, so it is said first, with
    the grade recorded (the combination's step shows the capped grade)."""
    cap, (higher, most) = said[at], history.CAPPED
    own = [r.about for r in explanation if r.about in grades and " capped at " in r.says]  # (the methods it lowered)
    if history.METHOD_CAPPED in cap:
        if not own:
            if history.CHANGES_NOTHING in cap:  # (the cap's own step says so where it is ours)
                return said
            return [*said[:at], f"{cap}, {history.CHANGES_NOTHING}: no grade recorded for it is above {most}",
                    *said[at + 1:]]
        counted = " and ".join(f"the {m}'s" for m in own)
        return [f"{cap}, so {counted} {higher} recorded counts as {most} in the combination", *said[:at],
                *said[at + 1:]]
    if history.explain_capped_overall(higher) in (r.says for r in explanation if r.about == "overall"):
        return [*said[:at], f"{cap}; so the combination's {higher} becomes {most}", *said[at + 1:]]
    if history.CHANGES_NOTHING in cap:  # (the cap's own step says so where it is ours)
        return said
    return [*said[:at], cap + (history.overall_unchanged(overall) if overall else f", {history.CHANGES_NOTHING}"),
            *said[at + 1:]]


def _before_every_version(loaded: LoadedBody, rules: Ruleset, data: dict[str, Any]) -> str | None:
    """What the rule says where the row's gateway date (and no version named) is before every version of the body's
    rules took effect: read under the earliest, as `epa grade` reads such a record and says (engine.explained)."""
    on, took_effect = data.get("gateway_date"), rules.document.effective_from
    if on is None or took_effect is None or "document_version" in data:  # (most rows: asked nothing more)
        return None
    day = dt.date.fromisoformat(on)
    if day >= took_effect or any((r.document.effective_from or dt.date.min) <= day
                                 for r in loaded.body.rulesets_for(rules.standard)):
        return None
    return (f"gateway {on} is before the earliest version's effective date ({rules.document.effective_from}); "
            f"graded under version {rules.document.version}")


def _record(standard: str, on: dt.date, assessments: list[Attempt], versions: dict[str, str]) -> Record:
    return Record(standard, Apprentice("audit"), Gateway(on), tuple(assessments), versions)


# --- the run -------------------------------------------------------------------------------------------------------

class AuditSummary:
    """What the table shows: per body, the rows that follow and those that do not; the disagreements and the
    rejected rows (the first SHOWN of each); plugin failures."""

    def __init__(self) -> None:
        self.bodies: dict[str, Counter[str]] = {}
        self.disagreements: list[dict[str, Any]] = []
        self.rejected: list[dict[str, Any]] = []
        self.counts: Counter[str] = Counter()
        self.ended: Counter[str] = Counter()  # the rows not audited, by what became of their EPA

    def add(self, row: Answer | dict[str, Any]) -> None:
        if isinstance(row, dict):  # an error row
            kind = "failed" if row["error"].get("plugin") else "rejected"
            self.counts[kind] += 1
            if len(self.rejected) < SHOWN:
                self.rejected.append(row)
            return
        agrees = "not_audited" if row.ended else "not_graded" if row.agrees is None else \
            "agree" if row.agrees else "disagree"
        self.counts[agrees] += 1
        if row.status is not None and row.status.ended is not None:
            self.ended[row.status.ended] += 1
        body = row.found.fields["body"]
        counts = self.bodies.get(body)
        if counts is None:
            counts = self.bodies[body] = Counter()
        counts[agrees] += 1
        if row.agrees is False and len(self.disagreements) < SHOWN:
            self.disagreements.append(row.as_dict())

    def as_data(self, source: str, notes: list[str]) -> dict[str, Any]:
        c = self.counts
        return {"file": source, "rows": sum(c.values()), "agree": c["agree"], "disagree": c["disagree"],
                "not_graded": c["not_graded"], "not_audited": c["not_audited"],
                "not_audited_by_status": dict(sorted(self.ended.items())), "rejected": c["rejected"],
                "failed": c["failed"],
                "bodies": {b: {"agree": n["agree"], "disagree": n["disagree"], "not_graded": n["not_graded"],
                               "not_audited": n["not_audited"]} for b, n in sorted(self.bodies.items())},
                "disagreements": self.disagreements, "rejected_rows": self.rejected, "notes": notes}


class AuditInterrupted(KeyboardInterrupt):
    """The user's Ctrl-C or SIGTERM stopped the audit: the output of the first ``rows`` rows is written in full, the
    last at ``line`` of the file (0: none), and no more."""

    def __init__(self, rows: int, line: int):
        super().__init__(f"interrupted after {rows} rows")
        self.rows, self.line = rows, line


class AuditReaderGone(Exception):
    """Standard output's reader stopped reading (``| head``), and the audit with it: ``data`` is the summary of the
    rows audited by then (the one being written among them); the rest were not read."""

    def __init__(self, data: dict[str, Any]):
        super().__init__("standard output's reader stopped reading")
        self.data = data


def exit_code(data: dict[str, Any]) -> int:
    """README "Exit codes": 1 when a plugin or epa failed on a row; else 2 when a row was rejected (the audit is
    incomplete); else 1 when a recorded grade does not follow; else 0."""
    if data["failed"]:
        return EXIT_FAILURE
    if data["rejected"]:
        return EXIT_INPUT
    return EXIT_FAILURE if data["disagree"] else EXIT_OK


def _statuses(counts: dict[str, int]) -> str:
    """The rows not audited, by what became of their EPA: "withdrawn 2, void 1"."""
    return ", ".join(f"{status} {n}" for status, n in counts.items())


def _error_row(line: int, refusal: RowRefusal, plugin: str | None = None, hook: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"message": refusal.message, "column": refusal.column, "hint": refusal.hint}
    if len(refusal.problems) > 1:
        error["problems"] = [{k: p[k] for k in ("column", "message", "hint")} for p in refusal.problems]
    if plugin:
        error["plugin"], error["hook"] = plugin, hook
    return {"line": line, "apprentice": refusal.apprentice, "error": error}


def _reworded(row: dict[str, Any], words: Callable[[str], str]) -> dict[str, Any]:
    from epa.batch.cohort import reworded

    error = row["error"]
    message, hint, problems = reworded(words, error["message"], error["hint"], error.get("problems", ()))
    return {**row, "error": {**error, "message": message, "hint": hint, **({"problems": problems} if problems
                                                                           else {})}}


def _csv(row: Answer | dict[str, Any]) -> str:
    if not isinstance(row, dict):
        return row.csv()
    e = row["error"]
    text = (f"(column {e['column']}) " if e.get("column") else "") + e["message"] + \
        (f" (hint: {e['hint']})" if e.get("hint") else "")
    return csv_output.rows([[row["line"], row["apprentice"] or "", *[""] * 8, text]])


def _json(row: Answer | dict[str, Any]) -> str:
    return json.dumps(row if isinstance(row, dict) else row.as_dict(), ensure_ascii=False) + "\n"


def rows(source: str, registry: Registry, *, body: LoadedBody | None, body_ids: dict[str, LoadedBody],
         column_map: ColumnMap, sheet: str | None, stdin: IO[bytes] | None, notes: list[str]
         ) -> Iterator[Answer | dict[str, Any]]:
    """Every row of the outcomes file ``source`` (a path, or "-": ``stdin``), audited or an error row, in order.
    What the user should know of the file's columns is added to ``notes`` once its header is read."""
    methods = [m for s in registry.defined_standards() for m in s.method_ids]
    methods = list(dict.fromkeys(methods))
    headers: list[OutcomesHeader] = []

    def heard(header: Any) -> None:
        headers.append(header)
        notes.extend(header.notes())
        if not header.attempts_given:
            notes.append(NOT_RECORDED)

    auditor: Auditor | None = None
    given = GivenTwice()
    first = given.first
    for line, what, payload in _items(source, methods, column_map, header_class(body is not None), sheet, stdin, heard):
        if what == "error":
            refusal = payload if isinstance(payload, RowRefusal) else RowRefusal(*payload)
            yield _error_row(line, refusal)
            continue
        if auditor is None:
            auditor = Auditor(registry, headers[0], body, body_ids)
        data = payload[0]
        try:
            answer = auditor.audit(line, data)
            key = (answer.apprentice, answer.found.fields["standard"])
            if key in first:  # (inline: a row's one look-up, every row)
                given.again_at(key, line)
            elif len(first) < given.MAX:
                first[key] = line
            yield answer
        except RowProblems as exc:
            ident = data["apprentice"].get("id")  # (an outcomes file's first column is its id's, as a rule)
            standard = data.get("standard")
            total = isinstance(ident, str) and says_total(ident, standard if isinstance(standard, str) else None)
            yield _error_row(line, RowRefusal(*OutcomesHeader.TOTAL_ROW) if total else exc.refusal())
        except PluginError as exc:
            yield _error_row(line, RowRefusal(str(exc), None, apprentice=data["apprentice"].get("id")), exc.plugin,
                             exc.hook)
    said = given.said()
    if said:
        notes.append(said)
    if not headers:  # (an empty file is refused, not reported as an audit that found nothing wrong)
        raise InputError(f"the {'input' if source == '-' else 'file'} is empty: it has no header row, and no rows",
                         where=_name(source),
                         hint="the first line of an outcomes file names its columns (README \"Audit of recorded "
                              "outcomes\")")


class GivenTwice:
    """The lines of each apprentice audited on more than one row for one standard (two exports joined, a row per
    attempt): each row is audited and counted on its own, and the user is told, as compare --batch tells of an id
    given twice. (An apprentice on two standards is two EPAs, not a repeat.) At most MAX distinct are remembered."""

    MAX = 1 << 20
    SHOWN = 5

    def __init__(self) -> None:
        self.first: dict[tuple[str, str], int] = {}
        self.again: dict[tuple[str, str], list[int]] = {}

    def again_at(self, key: tuple[str, str], line: int) -> None:
        """The apprentice and standard ``key``, first at ``first[key]``, audited again at ``line``."""
        self.again.setdefault(key, [self.first[key]]).append(line)

    def said(self) -> str | None:
        if not self.again:
            return None
        shown = list(self.again.items())[:self.SHOWN]
        named = "; ".join(f"{quote(ident)} ({standard}) on lines {', '.join(map(str, lines[:10]))}"
                          + (" and more" if len(lines) > 10 else "") for (ident, standard), lines in shown)
        more = f"; and {len(self.again) - len(shown)} more" if len(self.again) > len(shown) else ""
        many = len(self.again) > 1
        return (f"{len(self.again)} apprentice{'s are' if many else ' is'} audited on more than one row for one "
                f"standard, each row audited and counted on its own (never merged): {named}{more}")


def _name(source: str) -> str:
    """The name of the outcomes file in messages: standard input is ``<stdin>``, as a record's is."""
    return "<stdin>" if source == "-" else source


def _items(source: str, methods: list[str], column_map: ColumnMap, header: type[OutcomesHeader], sheet: str | None,
           stdin: IO[bytes] | None, heard: Callable[[Any], None]) -> Iterator[Item]:
    """The file's rows as the cohort's readers give them: CSV, or an Excel workbook's worksheet."""
    if source == "-":
        import sys

        if stdin is None and sys.stdin is None:  # (closed, or none given: `epa audit - <&-`)
            raise InputError("no standard input to read", where=_name(source))
        stream: IO[bytes] = stdin or sys.stdin.buffer
        name = _name(source)
    else:
        try:
            stream = Path(source).open("rb")  # noqa: SIM115 (closed below, in every case)
        except OSError as exc:
            raise InputError(f"cannot read the outcomes file: {exc.strerror}", where=source) from None
        name = source
    try:
        stream = as_utf8(stream, name)  # (a UTF-16 file, read as the UTF-8 it holds; any other, as it is)
        if cohort_xlsx.is_workbook(source, cohort_xlsx.head(stream, name), name):
            yield from cohort_xlsx.xlsx_items(stream if source == "-" else source, methods, name, sheet, column_map,
                                              heard, header_class=header)
            return
        if sheet is not None:
            raise InputError("--sheet names a worksheet of an Excel workbook; this file is not one", where=name)
        if source != "-" and Path(source).suffix.lower() not in DELIMITED:
            raise InputError(f"cannot tell the file's format from its suffix {Path(source).suffix!r}", where=source,
                             hint="an outcomes file is CSV (.csv; or tab-separated, .tsv or .txt) or an Excel "
                                  "workbook (.xlsx)")
        # A date column found month first is refused whole, as a cohort's is: a pipe is held (up to a bound, as
        # compare --batch holds one) so that its dates are read whole first, not row by row (03/04/2025 read day
        # first above the 12/25/2025 that shows the file month first).
        if not rereadable(stream):
            stream = rewindable(stream)[0]
        month_first = month_first_columns(stream, methods, name, column_map, header) if rereadable(stream) else {}
        yield from csv_items(physical_lines(stream, name), methods, name, column_map, heard, header_class=header,
                             month_first=month_first)
    finally:
        if source != "-":
            stream.close()


def epao_map(pairs: Iterable[tuple[str, str]], named: Callable[[str], LoadedBody]) -> dict[str, LoadedBody]:
    """The bodies ``--body-id`` (``?body-id=``) maps EPAO ids to, by the id in capitals (the ids are matched case
    aside). An id mapped to two bodies (EPA0002=highfield and epa0002=tqual) is refused: the last one taken would
    audit the id's rows against the wrong body's document, and say nothing."""
    mapped: dict[str, LoadedBody] = {}
    for epao, name in pairs:
        key, loaded = epao.strip().upper(), named(name)
        if mapped.get(key, loaded) is not loaded:
            raise InputError(f"EPAO id {key} is mapped to two bodies, {mapped[key].body.id} and {loaded.body.id}",
                             hint="map each EPAO id to the one body that recorded its rows")
        mapped[key] = loaded
    return mapped


def run(source: str, fmt: str, registry: Registry, write: Callable[[str], Any], *, body: str | None = None,
        body_ids: Mapping[str, str] | Iterable[tuple[str, str]] | None = None, column_map: ColumnMap | None = None,
        sheet: str | None = None, stdin: IO[bytes] | None = None,
        words: Callable[[str], str] | None = None) -> dict[str, Any]:
    """Audit every row of ``source``, writing each as it comes (``fmt`` csv or json; table: none), and return the
    summary. ``body`` (every row's) and ``body_ids`` (an EPAO id's body: a map, or (id, body) pairs, each id to one
    body) are named by id, name or acronym. ``words``: an error row's message and hint said in them (epa serve's,
    where the command line's name an option)."""
    summary, notes = AuditSummary(), list[str]()
    fixed = registry.named(body) if body else None  # (a name that names no body is refused before any output)
    by_id = epao_map(body_ids.items() if isinstance(body_ids, Mapping) else body_ids or (), registry.named)
    started = fmt != "csv"  # the CSV's header line goes out with the first row (an empty file writes nothing)
    done = (0, 0)  # rows whose output is written in full, and the last one's line: set as one
    try:
        for row in rows(source, registry, body=fixed, body_ids=by_id, column_map=column_map or ColumnMap(),
                        sheet=sheet, stdin=stdin, notes=notes):
            if words is not None and isinstance(row, dict):
                row = _reworded(row, words)
            summary.add(row)
            with interrupts.held():  # a row written and counted as one: what an interruption says is exact
                if not started:
                    write(csv_output.rows([CSV_COLUMNS]))
                    started = True
                if fmt == "csv":
                    write(_csv(row))
                elif fmt == "json":
                    write(_json(row))
                done = (done[0] + 1, row.line if isinstance(row, Answer) else row["line"])
    except BrokenPipeError:
        raise AuditReaderGone(summary.as_data(_name(source), notes)) from None
    except KeyboardInterrupt:
        raise AuditInterrupted(*done) from None
    except OutputError as exc:  # a full disk part way: how much was written by then is said with it
        raise OutputCutShort(exc, *done) from None
    data = summary.as_data(_name(source), notes if words is None else [words(note) for note in notes])
    try:
        if not started:
            write(csv_output.rows([CSV_COLUMNS]))
        if fmt == "json":
            write(json.dumps({"summary": data}, ensure_ascii=False) + "\n")
    except OutputError as exc:  # the summary's line (or a header row alone): every row's output said whole
        raise OutputCutShort(exc, *done) from None
    return data


def render(console: Any, data: dict[str, Any]) -> None:
    """The table: the counts, the rows that do not follow (first), the counts per body, then the rejected rows.
    A rule's quotation of the document is left to --format csv and json; citations name the document by its short
    title."""
    import re

    from rich.table import Table
    from rich.text import Text

    from epa.views.tables import cite, print_table, shortened

    file = shortened(data["file"], console.width - len("Audit of :"))  # (one line, as batch's heading)
    console.print(console.highlighter(Text.assemble(  # its numbers highlighted, as printed text is
        (f"Audit of {file}", "bold"), f": {data['rows']} rows; {data['agree']} follow their body's rules, "
        f"{data['disagree']} do not, "
        + (f"{data['not_graded']} not graded yet, " if data["not_graded"] else "")
        + (f"{data['not_audited']} not audited ({_statuses(data['not_audited_by_status'])}), " if data["not_audited"]
           else "") + f"{data['rejected']} rejected"
        + (f", {data['failed']} failed in a plugin or epa" if data["failed"] else ""))))
    for note in data["notes"]:
        console.print(f"note: {note}")
    if data["disagreements"]:
        table = Table(title="Recorded grades that do not follow", title_justify="left")
        for name in ("line", "apprentice", "body", "recorded", "expected", "why (the rule, cited)"):
            table.add_column(name, overflow="fold")
        for r in data["disagreements"]:
            rule = re.sub(r" ?\(“[^”]*”\)", "", r["rule"])
            table.add_row(str(r["line"]), r["apprentice"], r["body"], r["recorded"], r["expected"] or "none",
                          f"{rule} ({cite(r['citation'])})")
        print_table(console, table)
        if data["disagree"] > len(data["disagreements"]):
            console.print(f"… and {data['disagree'] - len(data['disagreements'])} more: --format csv lists every row")
    table = Table(title="Per body", title_justify="left")
    waiting = data["not_graded"] > 0  # (a column only where some row is not graded yet, or not audited)
    ended = data["not_audited"] > 0
    for name in ("body", "rows", "follow", "do not follow", *(("not graded yet",) if waiting else ()),
                 *(("not audited",) if ended else ())):
        table.add_column(name, justify="left" if name == "body" else "right")
    for b, n in data["bodies"].items():
        table.add_row(b, str(n["agree"] + n["disagree"] + n["not_graded"] + n["not_audited"]), str(n["agree"]),
                      str(n["disagree"]), *((str(n["not_graded"]),) if waiting else ()),
                      *((str(n["not_audited"]),) if ended else ()))
    print_table(console, table)
    if data["rejected_rows"]:
        table = Table(title="Rejected rows", title_justify="left")
        for name in ("line", "apprentice", "why"):
            table.add_column(name, overflow="fold")
        for r in data["rejected_rows"]:
            e = r["error"]
            table.add_row(str(r["line"]), r["apprentice"] or "", (f"column {e['column']}: " if e.get("column") else "")
                          + e["message"] + (f" (hint: {e['hint']})" if e.get("hint") else ""))
        print_table(console, table)
        unlisted = data["rejected"] + data["failed"] - len(data["rejected_rows"])
        if unlisted > 0:  # (as the disagreements: the table lists the first SHOWN)
            console.print(f"… and {unlisted} more: --format csv lists every row")
