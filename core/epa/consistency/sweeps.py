"""The outcome sweeps: generated records graded by every body, and the disagreements grouped into findings.

Inputs are tried smallest first, so a finding's witness (its first input) is the smallest record that shows
it. Inputs are grouped by what decided them: the bodies on each side and the citations of the steps that
decided each body's answer. One finding is one rule difference, however many inputs show it.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from collections.abc import Callable, Iterator
from typing import Any

import attrs
from dateutil.relativedelta import relativedelta

from epa.consistency import histories
from epa.consistency.catalogue import anchor_reading
from epa.consistency.findings import GATEWAY, Finding, SweptBody, cause, names, pins, readiness, record, sides_by
from epa.model.domain import Grade, Standard
from epa.model.results import BodyResult

Row = Callable[[BodyResult], Any]


def _row(name: str) -> Row:
    if name == "overall":
        return lambda r: r.overall
    if name == "gateway_ready":
        return lambda r: r.gateway.ready
    if name in ("capped", "full_retake_required"):
        return lambda r: getattr(r, name)
    return lambda r: r.components.get(name)


class Groups:
    """Inputs on which bodies disagree, grouped into findings by what decided each body's answer."""

    def __init__(self) -> None:
        self.findings: dict[Any, Finding] = {}
        self.cases = 0

    def add(self, area: str, slug: str, row: str, results: dict[str, BodyResult], witness: dict[str, Any],
            about: str, says: Callable[[str, Any], str], cited: Callable[[BodyResult], list[str]],
            readings: Callable[[str, BodyResult], list[str]] | None = None, kept: Any = None) -> bool:
        """Record one input; True when the bodies disagree on ``row``. ``readings``: the tool's readings a body's
        answer rests on (a window's anchor the document does not state...), labelled as such on its side;
        ``kept``: what of the input its finding keeps (``Finding.inputs``), where given."""
        values = {label: _row(row)(r) for label, r in results.items()}
        if len(set(values.values())) < 2:
            return False
        citations = {label: cited(r) for label, r in results.items()}
        key = (area, row, _rule_difference(values, citations))
        if key in self.findings:
            self.findings[key].cases += 1
            if kept is not None:
                self.findings[key].inputs.append(kept)
            return True
        read = {label: readings(label, r) for label, r in results.items()} if readings else {}
        # an answer resting on the tool's reading says so in its words, not only in its readings
        said = {label: says(label, v) + (" (on the tool's reading)" if read.get(label) and "not checked" not in
                                         says(label, v) else "") for label, v in values.items()}
        sides = sides_by(values, said, citations, readings=read)
        summary = f"{about[0].upper()}{about[1:]}: " + "; ".join(
            f"{names(s.bodies)}: {s.says}" for s in sides) + "."
        number = sum(1 for k in self.findings if k[0] == area and self.findings[k].id.startswith(f"{area}.{slug}"))
        self.findings[key] = Finding(f"{area}.{slug}" + (f".{number + 1}" if number else ""), area, summary,
                                     sides, witness, {"row": row, "values": {k: _jsonable(v) for k, v in
                                                                             values.items()}, **cause(row, results)},
                                     1, inputs=[] if kept is None else [kept])
        return True


def _rule_difference(values: dict[str, Any], citations: dict[str, list[str]]) -> Any:
    """What identifies one rule difference: how the bodies split, and the rules that decided for every side
    but the largest (the bodies that depart); inputs that differ only in how the majority got there are one."""
    sides: dict[str, list[str]] = {}
    for label, value in values.items():
        sides.setdefault(str(value), []).append(label)
    ordered = sorted(sides.values(), key=len)
    departing = ordered[:-1] if len(ordered[-1]) > len(ordered[-2]) else ordered
    return (tuple(sorted(tuple(side) for side in ordered)),
            tuple(sorted((label, tuple(citations[label])) for side in departing for label in side)))


def _jsonable(value: Any) -> Any:
    return str(value) if isinstance(value, Grade) else value


def _steps(about: str, *words: str) -> Callable[[BodyResult], list[str]]:
    """Citations of the steps about ``about`` (those mentioning one of ``words``, where given): the rules
    that decided a row."""
    def cited(r: BodyResult) -> list[str]:
        steps = [s for s in r.explanation if s.about == about]
        chosen = [s for s in steps if any(w in s.says for w in words)] if words else steps
        return [s.citation for s in chosen or steps]
    return cited


def _grades(combo: dict[str, Grade]) -> str:
    return ", ".join(f"{m} {g}" for m, g in combo.items())


# --- grading: every combination of component grades ---------------------------------------------------------


def combinations(methods: tuple[str, ...]) -> list[dict[str, Grade]]:
    """Every combination, those nearest to all-pass first (so a witness changes as little as it can)."""
    combos = [dict(zip(methods, g, strict=True)) for g in itertools.product(list(Grade), repeat=len(methods))]
    return sorted(combos, key=lambda c: sum(g != Grade.PASS for g in c.values()))


def grading(subjects: list[SweptBody], standard: Standard, groups: Groups) -> None:
    for combo in combinations(standard.method_ids):
        data = record(standard.id, [{"method": m, "grade": str(g)} for m, g in combo.items()], **pins(subjects))
        results = {s.label: s.grade(data) for s in subjects}
        groups.cases += 1
        groups.add("grading", "overall", "overall", results, data, f"with {_grades(combo)}",
                   lambda _, v: str(v), _steps("overall"), kept=combo)


def combination_map(subjects: list[SweptBody]) -> list[dict[str, Any]]:
    methods = subjects[0].ruleset.method_ids if subjects else ()
    out = []
    for combo in combinations(methods):
        overall = {}
        for s in subjects:
            outcome = s.loaded.call("combine_grades", ruleset=s.ruleset, components=dict(combo))
            overall[s.label] = str(outcome.grade) if outcome.grade else None
        out.append({"components": {m: str(g) for m, g in combo.items()}, "overall": overall})
    return out


# --- criteria: each criterion missing, and each method's distinction set -------------------------------------


def _everything(subjects: list[SweptBody], method: str, level: str | None = None) -> set[str]:
    return {c.id for s in subjects for c in s.ruleset.criteria_for(method, level)}


def _criteria_record(subjects: list[SweptBody], standard: Standard, met: dict[str, set[str]]) -> dict[str, Any]:
    return record(standard.id, [{"method": m, "criteria_met": sorted(met[m])} for m in standard.method_ids],
                  **pins(subjects))


def _placement(s: SweptBody, criterion: str) -> str:
    c = s.ruleset.criterion(criterion)
    return f"{c.method}, {c.level}" if c else "not assessed"


def criteria(subjects: list[SweptBody], standard: Standard, groups: Groups) -> list[Finding]:
    """A finding per criterion the bodies place differently, shown by a record meeting every criterion but it."""
    out = []
    everything = {m: _everything(subjects, m) for m in standard.method_ids}
    for term in standard.criteria:
        placements = {s.label: _placement(s, term.id) for s in subjects}
        if len(set(placements.values())) < 2:
            continue
        data = _criteria_record(subjects, standard, {m: ids - {term.id} for m, ids in everything.items()})
        results = {s.label: s.grade(data) for s in subjects}
        groups.cases += 1
        row = next((r for r in ("overall", *standard.method_ids)
                    if len({_row(r)(res) for res in results.values()}) > 1), None)
        cited = {s.label: [c.citation] if (c := s.ruleset.criterion(term.id)) else [] for s in subjects}
        text = " ".join(term.text.split())
        sides = sides_by(placements, placements, cited)
        out.append(Finding(
            f"criteria.{term.id.lower()}", "criteria",
            f"{term.id} (“{text[:90]}{'…' if len(text) > 90 else ''}”): "
            + "; ".join(f"{names(side.bodies)}: {side.says}" for side in sides) + ".",
            sides, data if row else None,
            {"row": row, "values": {k: _jsonable(_row(row)(r)) for k, r in results.items()}, "criterion": term.id}
            if row else None, 1))
    return out


def distinction_sets(subjects: list[SweptBody], standard: Standard) -> list[Finding]:
    """Per method, the distinction criteria each body counts: a record meeting every pass criterion and the
    smallest body's distinction set shows that body's distinction beside the others' pass."""
    out = []
    passes = {m: _everything(subjects, m, "pass") for m in standard.method_ids}
    for method in standard.method_ids:
        sets = {s.label: frozenset(c.id for c in s.ruleset.criteria_for(method, "distinction")) for s in subjects}
        if len(set(sets.values())) < 2:
            continue
        smallest = min((v for v in sets.values() if v), key=len, default=frozenset())
        data = _criteria_record(subjects, standard, {**passes, method: passes[method] | smallest})
        results = {s.label: s.grade(data) for s in subjects}
        values = {label: r.components.get(method) for label, r in results.items()}
        says = {label: (f"{len(v)} distinction criteria" + (f" ({', '.join(sorted(v))})" if len(v) <= 3 else ""))
                if v else "no distinction criteria" for label, v in sets.items()}
        cited = {s.label: [c.citation for c in s.ruleset.criteria_for(method, "distinction")][:1] for s in subjects}
        sides = sides_by({k: sorted(v) for k, v in sets.items()}, says, cited)
        shows = {"row": method, "values": {k: _jsonable(v) for k, v in values.items()}} \
            if len(set(values.values())) > 1 else None
        out.append(Finding(f"criteria.{method}.distinction-set", "criteria",
                           f"The {method}'s distinction: " + "; ".join(f"{names(s.bodies)}: {s.says}" for s in sides)
                           + ".", sides, data if shows else None, shows, 1))
    return out


# --- resits and retakes: every class of every method's history ------------------------------------------------------


# The rows a history can differ in, most telling first, and the words of the steps that decide each.
RESIT_ROWS = (("full_retake_required", ("window",)), ("capped", ("cap",)), ("overall", ()))


def _resit_says(row: str, _label: str, value: Any) -> str:
    if row == "full_retake_required":
        return "the whole EPA again" if value else "no full retake"
    if row == "capped":
        return "capped at pass" if value else "not capped"
    return str(value) if value else "no grade"


def _resit_readings(row: str, subject: SweptBody, result: BodyResult, data: dict[str, Any]) -> list[str]:
    """The tool's readings a body's resit answer rests on: a window counted from a date its document does not
    state; a cap the document words for one route only, where the record takes the other (with the body's
    recorded ambiguity about that cap)."""
    resit = subject.ruleset.journey.resit if subject.ruleset.journey else None
    if resit is None:
        return []
    cited = set(_steps("resit", *dict(RESIT_ROWS)[row])(result))
    if row == "full_retake_required":
        # only a window whose miss means the whole EPA again rests the answer on its start: one stating no
        # consequence (Highfield's and TQUK's 12 months, advice) gives no full retake whatever date it counts from
        return [anchor_reading(w) for w in resit.windows
                if w.from_reading and w.citation in cited and w.consequence == "full_retake"]
    routes = {a["kind"] for a in data.get("assessments", ()) if a.get("kind")} - set(resit.cap.applies_to)
    if row == "capped" and not result.capped and routes:
        recorded = [f"{a.id}: {a.reading}" for a in subject.ruleset.ambiguities
                    if a.citation == resit.cap.citation and "cap" in a.id.split("-")]
        return recorded or [f"the document's cap names {' and '.join(resit.cap.applies_to)} only: the tool reads a "
                            f"{' or '.join(sorted(routes))} as not capped"]
    return []


def _first_time(subjects: list[SweptBody], standard: Standard, results: dict[str, BodyResult], pinned: dict[str, Any],
                seen: dict[tuple[Any, ...], tuple[Any, ...]]) -> bool:
    """Whether the bodies' overall grades are as they would be with each body's method grades at first attempt."""
    grades = tuple(tuple(r.components.get(m) for m in standard.method_ids) for r in results.values())
    if grades not in seen:
        overall: list[Grade | None] = []
        for s, graded in zip(subjects, grades, strict=True):
            if None in graded:
                overall.append(None)
                continue
            data = record(standard.id, [{"method": m, "grade": str(g)} for m, g in zip(standard.method_ids, graded,
                                                                                        strict=True)], **pinned)
            overall.append(s.grade(data).overall)
        seen[grades] = tuple(overall)
    return tuple(r.overall for r in results.values()) == seen[grades]


def resits(subjects: list[SweptBody], standard: Standard, groups: Groups) -> None:
    """Every class of every method's attempt history (``histories``), each graded once by every body."""
    by_label = {s.label: s for s in subjects}
    pinned = pins(subjects)
    firsts: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    for method in standard.method_ids:
        for c in histories.classes(method, subjects):
            data = histories.history_record(standard, c, pinned)
            results = {s.label: s.grade(data) for s in subjects}
            groups.cases += 1
            # an overall grade the bodies split on as they do with the same grades at first attempt is the grading
            # sweep's finding (a combination), not a resit rule's
            same = _first_time(subjects, standard, results, pinned, firsts)
            for row, words in RESIT_ROWS:
                if row == "overall" and same:
                    break
                def read(label: str, result: BodyResult, row: str = row, data: dict[str, Any] = data) -> list[str]:
                    return _resit_readings(row, by_label[label], result, data)
                if groups.add("resits", row.replace("_", "-"), row, results, data, c.about(),
                              functools.partial(_resit_says, row), _steps("resit", *words), read):
                    break  # the first row that differs is the finding; the rows after it follow from it


# --- gateway: apprentice profiles ------------------------------------------------------------------------


def _profiles() -> Iterator[tuple[str, dict[str, Any]]]:
    flags = {"photo_id": True, "gateway_form": True, "portfolio": True, "project_proposal": True,
             "portfolio_declaration": True, "english_maths_declaration": True,
             "portfolio_pieces": 12, "project_proposal_words": 300}

    def profile(age: int, english: str, maths: str, ehcp: bool = False, days: int = 400,
                **gateway: Any) -> dict[str, Any]:
        start = GATEWAY - dt.timedelta(days=days)
        born = start - relativedelta(years=age, months=6)
        return record("", [], apprentice={"id": "witness", "date_of_birth": born.isoformat(),
                                          "start_date": start.isoformat(), "english": english, "maths": maths,
                                          "ehcp": ehcp}, gateway={**flags, **gateway})

    levels = [("level2", "level2"), ("level2", "level1"), ("level1", "level2"), ("entry3", "entry3")]
    for (english, maths), age, ehcp in itertools.product(levels, (17, 20), (False, True)):
        yield (f"an apprentice {age} at the start with English {english} and maths {maths}"
               f"{' and an EHCP' if ehcp else ''}"), profile(age, english, maths, ehcp)
    for age in (17, 20):
        bsl = profile(age, "level2", "level2")
        bsl["apprentice"]["bsl"] = True  # English held as a BSL qualification at Level 2
        yield f"an apprentice {age} at the start whose Level 2 English is a BSL qualification", bsl
    for days in (365, 366):
        yield f"{days} days on programme at gateway", profile(20, "level2", "level2", days=days)
    for pieces in (9, 10, 15, 16):
        yield f"a portfolio of {pieces} pieces", profile(20, "level2", "level2", portfolio_pieces=pieces)
    for words in (500, 501):
        yield f"a project proposal of {words} words", profile(20, "level2", "level2", project_proposal_words=words)
    for item in (f for f, v in flags.items() if v is True):  # which bodies require each item of evidence
        yield (f"every gateway item provided but {item.replace('_', ' ')}",
               profile(20, "level2", "level2", **{item: False}))


def gateway(subjects: list[SweptBody], standard: Standard, groups: Groups) -> None:
    for about, data in _profiles():
        data = {**data, "standard": standard.id, **pins(subjects)}
        results = {s.label: s.grade(data) for s in subjects}
        groups.cases += 1
        outcomes = {s.label: readiness(s, results[s.label]) for s in subjects}

        def says(label: str, _: Any, outcomes: dict[str, tuple[str, list[str]]] = outcomes) -> str:
            return outcomes[label][0]

        def read(label: str, _: BodyResult, outcomes: dict[str, tuple[str, list[str]]] = outcomes) -> list[str]:
            return outcomes[label][1]

        groups.add("gateway", "ready", "gateway_ready", results, data, about, says,
                   lambda r: [q.citation for q in r.gateway.requirements if q.id in r.gateway.unmet], read)


# --- running them ---------------------------------------------------------------------------------------


def run(subjects: list[SweptBody], standard: Standard) -> tuple[list[Finding], dict[str, int]]:
    cases: dict[str, int] = {}
    found: list[Finding] = []
    for area, sweep in (("grading", grading), ("resits", resits), ("gateway", gateway)):
        groups = Groups()
        sweep(subjects, standard, groups)
        cases[area] = groups.cases
        found += groups.findings.values()
    groups = Groups()
    found += criteria(subjects, standard, groups) + distinction_sets(subjects, standard)
    cases["criteria"] = groups.cases
    return found, cases


def older_versions(subjects: list[SweptBody], standard: Standard, found: list[Finding]) -> list[Finding]:
    """The grading and criteria findings with each body's older document versions in its newest's place,
    where the older version sides differently: e.g. a criterion it placed elsewhere before a change."""
    known = {(f.id, tuple(side.bodies for side in f.sides)) for f in found}
    out = []
    for i, s in enumerate(subjects):
        history = s.loaded.body.rulesets_for(standard.id)
        for j, older in enumerate(history[:-1]):
            swapped = [*subjects[:i], attrs.evolve(s, ruleset=older, pinned=True), *subjects[i + 1:]]
            groups = Groups()
            grading(swapped, standard, groups)
            candidates = list(groups.findings.values()) + criteria(swapped, standard, Groups()) \
                + distinction_sets(swapped, standard)
            label = swapped[i].label
            for f in candidates:
                plain = tuple(tuple(b if b != label else s.id for b in side.bodies) for side in f.sides)
                if (f.id, plain) in known:
                    continue
                until = history[j + 1].document.effective_from
                f.id += f".{s.id}-v{older.document.version}".lower().replace("_", "-")
                f.summary += (f" (Under {s.loaded.body.name}'s version {older.document.version}, in force for "
                              f"gateways before {until}.)" if until else "")
                out.append(f)
    return out
