"""Findings, and how inputs on which bodies disagree are grouped into them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs
from attrs import frozen

from epa.model.convert import structure
from epa.model.domain import Record, Ruleset
from epa.model.results import BodyResult
from epa.registry import LoadedBody

if TYPE_CHECKING:
    from epa.engine.compiled import Engine

GATEWAY = dt.date(2025, 1, 6)


@frozen
class SweptBody:
    """One body's rules as the sweep grades them: its newest version, or an older one pinned by the witness;
    ``engine``: the registry's (``Engine.of``), which explains each record the sweep grades."""

    loaded: LoadedBody
    ruleset: Ruleset
    pinned: bool = False
    engine: Engine = attrs.field(kw_only=True, eq=False, repr=False)

    @property
    def id(self) -> str:
        return self.loaded.body.id

    @property
    def label(self) -> str:
        return f"{self.id}@{self.ruleset.document.version}" if self.pinned else self.id

    @property
    def needs_pin(self) -> bool:
        """Whether a record must name this version: it is not the one in force on the sweep's gateway date."""
        versions = self.loaded.body.rulesets_for(self.ruleset.standard)
        in_force = [r for r in versions if (r.document.effective_from or dt.date.min) <= GATEWAY]
        return self.ruleset is not (in_force[-1] if in_force else versions[0])

    def grade(self, record: dict[str, Any]) -> BodyResult:
        """The body's result for a sweep's record, under this version of its rules: a version not in force on the
        sweep's gateway date is named in the record (as ``pins`` names it for a witness) should the record not name
        it already, so that the pin, not the engine's choice by date, decides."""
        if self.needs_pin and record.get("document_versions", {}).get(self.id) is None:
            record = {**record, "document_versions": {**record.get("document_versions", {}),
                                                      self.id: self.ruleset.document.version}}
        return self.engine.explain(structure(record, Record, where="consistency sweep"), self.loaded)[0]


def pins(subjects: Iterable[SweptBody]) -> dict[str, Any]:
    """The ``document_versions`` a sweep's records name, so that each body is graded under the version the
    findings describe (and a witness, run through `epa compare`, is too)."""
    named = {s.id: s.ruleset.document.version for s in subjects if s.needs_pin}
    return {"document_versions": named} if named else {}


@frozen
class Quote:
    """The document's own words for one body's side: the rule's text as the rules data holds it, and where."""

    body: str  # the side's body label
    text: str
    citation: str


@frozen
class Side:
    """The bodies on one side of a finding: they give the same value and ``says`` the same of it (each body's own
    rule, never one body's for all). ``says`` is the comparison's summary of their rule; ``quotes`` the
    documents' own words behind it; ``readings`` what the tool reads into them that no document states (an anchor
    a window counts from...), labelled so that no one takes it for the document's words."""

    bodies: tuple[str, ...]
    says: str
    citations: dict[str, tuple[str, ...]]
    quotes: tuple[Quote, ...] = ()
    readings: tuple[str, ...] = ()


@attrs.define
class Finding:
    id: str
    area: str
    summary: str
    sides: list[Side]
    witness: dict[str, Any] | None = None
    shows: dict[str, Any] | None = None
    cases: int = 0
    region: dict[str, Any] | None = None  # a stated finding's region, where a sweep of its own counted it
    # the inputs it holds, where its sweep keeps them (grading: each combination of component grades); not written
    inputs: list[Any] = attrs.field(factory=list, eq=False)

    def as_data(self, documents: Mapping[str, Mapping[str, str | None]] | None = None) -> dict[str, Any]:
        """As ``epa consistency`` writes it; ``documents`` (a body label -> its document's title and version)
        names the document each quote comes from."""
        return {"id": self.id.lower().replace("_", "-").replace("@", "-v"), "area": self.area, "summary": self.summary,
                "sides": [{"bodies": list(s.bodies), "says": s.says,
                           "citations": {b: list(c) for b, c in s.citations.items()},
                           "quotes": [_quoted(q, (documents or {}).get(q.body)) for q in s.quotes],
                           "readings": list(s.readings)} for s in self.sides],
                "witness": self.witness, "shows": self.shows, "cases": self.cases}


def _quoted(q: Quote, document: Mapping[str, str | None] | None) -> dict[str, Any]:
    file, _, section = q.citation.partition(" § ")
    return {"body": q.body, "text": " ".join(q.text.split()), "citation": q.citation, "section": section,
            "document": {"file": file, **(document or {})}}


def document_of(subject: SweptBody) -> dict[str, str | None]:
    """The title, version and short label of the document a subject's quotes come from."""
    from epa.rules.citations import label

    d = subject.ruleset.document
    return {"title": d.title, "version": d.text_version,
            "label": label(subject.loaded.body.name, d.title, d.text_version)}


def sides_by(values: Mapping[str, Any], says: Mapping[str, str],
             citations: Mapping[str, Iterable[str]],
             quotes: Mapping[str, Iterable[tuple[str, str]]] | None = None,
             readings: Mapping[str, Iterable[str]] | None = None) -> list[Side]:
    """Bodies grouped by value and by what they say, in order of first appearance: bodies share a side only where
    their summaries are the same words, so no side shows one body's rule as another's. Each side quotes each of
    its bodies' (text, citation) pairs from ``quotes``; ``readings`` are the tool's, per body."""
    groups: dict[Any, list[str]] = {}
    for body, value in values.items():
        groups.setdefault((_hashable(value), says[body]), []).append(body)
    quotes, readings = quotes or {}, readings or {}
    return [Side(tuple(bodies), says[bodies[0]], {b: tuple(dict.fromkeys(citations.get(b, ()))) for b in bodies},
                 tuple(Quote(b, text, cited) for b in bodies for text, cited in dict.fromkeys(quotes.get(b, ()))),
                 tuple(dict.fromkeys(r for b in bodies for r in readings.get(b, ()))))
            for bodies in groups.values()]


def readiness(s: SweptBody, result: BodyResult) -> tuple[str, list[str]]:
    """A body's gateway outcome in words, with the tool's readings it rests on: "ready" where a requirement the
    document defers to someone else (English and maths, to the funding rules) is not checked says so, since the
    tool cannot know the funding rules' answer."""
    gateway = result.gateway
    if not gateway.ready:
        unmet = [r.name for r in gateway.requirements if r.id in gateway.unmet]
        return f"not ready ({'; '.join(unmet)})", []
    deferrals = {g.id: g.check.deferred.to for g in (s.ruleset.journey.gateway if s.ruleset.journey else ())
                 if g.check is not None and g.check.deferred is not None}
    deferred = [(r, deferrals[r.id]) for r in gateway.requirements if r.status == "deferred" and r.id in deferrals]
    if not deferred:
        return "ready", []
    return ("ready (English and maths deferred by its document: not checked)",
            [f"{r.id}: the document defers “{r.name}” to {to}, which the tool does not check: ready reads it as met"
             for r, to in deferred])


def cause(row: str, results: Mapping[str, BodyResult]) -> dict[str, Any]:
    """What decided a gateway split, for ``shows``: each body's unmet requirements on the witness. A cohort's
    record shows the finding only where its bodies split so for the same requirements (``cohort``)."""
    if row != "gateway_ready":
        return {}
    return {"unmet": {label: sorted(r.gateway.unmet) for label, r in results.items()}}


def _hashable(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(_hashable(v) for v in value)
    return value


def names(bodies: Iterable[str]) -> str:
    items = list(bodies)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def record(standard: str, attempts: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    """A witness record: attempts a week apart from two weeks after gateway, unless dated."""
    day = GATEWAY + dt.timedelta(days=14)
    dated = [{**a, "date": a.get("date") or (day + dt.timedelta(days=7 * i)).isoformat()}
             for i, a in enumerate(attempts)]
    gateway = {"date": GATEWAY.isoformat(), **extra.pop("gateway", {})}
    data: dict[str, Any] = {"standard": standard, "apprentice": {"id": "witness"}, **extra, "gateway": gateway}
    if dated:
        data["assessments"] = dated
    return data
