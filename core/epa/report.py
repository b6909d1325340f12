"""What each command says, as plain data (for JSON) — the table views render the same data."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from epa.citations import documents
from epa.convert import unstructure
from epa.errors import InputError
from epa.model import Document, Journey
from epa.registry import Registry
from epa.results import BodyResult

if TYPE_CHECKING:
    from epa.results import Decision

# `epa journey`'s rows: a body's id and name, its journey rules (None: it encodes none) and their document.
JourneyRules = tuple[str, str, Journey | None, Document]


def bodies(registry: Registry) -> list[dict[str, Any]]:
    return [{
        "id": b.body.id,
        "name": b.body.name,
        "standards": list(b.body.standards),
        "documents": [{
            "standard": r.standard,
            "version": r.document.version,
            "title": r.document.title,
            "file": r.document.file,
            "effective_from": r.document.effective_from.isoformat() if r.document.effective_from else None,
        } for r in b.body.rulesets],
    } for b in registry.bodies]


def plugins(registry: Registry) -> list[dict[str, Any]]:
    from epa.variants import variants

    return [{
        "id": b.body.id,
        "name": b.body.name,
        "distribution": b.distribution,
        "version": b.version,
        "hooks": list(b.own_hooks),
        "standards_defined": [s.id for s in b.standards],
        "rulesets": [{"standard": r.standard, "version": r.document.version, "document": r.document.title,
                      "variants": variants(r, b)} for r in b.body.rulesets],
    } for b in registry.bodies]


def standards(registry: Registry) -> list[dict[str, Any]]:
    """Every defined standard (the core's and any a plugin adds), and the loaded bodies offering it."""
    return [{"standard": s.id, "name": s.name, "level": s.level, "methods": list(s.method_ids),
             "bodies": [b.body.id for b in registry.bodies if s.id in b.body.standards]}
            for s in registry.defined_standards()]


def criteria(registry: Registry, standard: str, body: str | None, version: str | None) -> list[dict[str, Any]]:
    chosen = [registry.named(body)] if body else list(registry.offering(standard))
    if body and standard not in chosen[0].body.standards:
        raise InputError(f"{chosen[0].body.id} does not offer {standard}",
                         hint="it offers " + ", ".join(chosen[0].body.standards))
    out = []
    for loaded in chosen:
        ruleset = loaded.ruleset(standard, version if body else None)
        cited = _documents(loaded.body.name, ruleset.document)
        for c in ruleset.criteria:
            out.append({"body": loaded.body.id, "version": ruleset.document.version, **unstructure(c),
                        "documents": cited})
    return out


def ambiguities(registry: Registry, body: str | None) -> list[dict[str, Any]]:
    chosen = [registry.named(body)] if body else registry.bodies
    out = []
    for loaded in chosen:
        for r in loaded.body.rulesets:
            cited = _documents(loaded.body.name, r.document)
            for a in r.ambiguities:
                out.append({"body": loaded.body.id, "standard": r.standard, "version": r.document.version,
                            **unstructure(a), "criteria": list(a.criteria), "documents": cited})
    return out


def _documents(body_name: str, doc: Document) -> dict[str, dict[str, str | None]]:
    """Beside a citation: the document its file names, by title, version and label (``epa.citations``)."""
    return documents(body_name, doc.file, doc.title, doc.version)


def result(res: BodyResult) -> dict[str, Any]:
    return unstructure(res)  # type: ignore[no-any-return]


def _about(res: BodyResult) -> dict[str, Any]:
    return {"body": res.body, "body_name": res.body_name, "document": res.document, "documents": res.documents}


def gateway(results: list[BodyResult]) -> list[dict[str, Any]]:
    return [{**_about(r), "gateway": unstructure(r.gateway)} for r in results]


def timeline(results: list[BodyResult]) -> list[dict[str, Any]]:
    return [{**_about(r), "overall": r.overall, "capped": r.capped, "full_retake_required": r.full_retake_required,
             "deadlines": unstructure(r.deadlines), "checks": unstructure(r.checks)} for r in results]


def journey_rules(registry: Registry, standard: str, body: str | None) -> list[JourneyRules]:
    """Each body's journey rules for a standard (id, name, rules, the document they come from): what `epa
    journey` lists."""
    chosen = [registry.named(body)] if body else list(registry.offering(standard))
    if body and standard not in chosen[0].body.standards:
        raise InputError(f"{chosen[0].body.id} does not offer {standard}",
                         hint="it offers " + ", ".join(chosen[0].body.standards))
    return [(b.body.id, b.body.name, b.ruleset(standard).journey, b.ruleset(standard).document) for b in chosen]


def journey(rules: list[JourneyRules], standard: str) -> list[dict[str, Any]]:
    empty: dict[str, Any] = {"document": None, "gateway": [], "deadlines": [], "resit": None, "tolerances": [],
                             "ambiguities": [], "recommendations": []}
    return [{**(unstructure(j) if j else empty), "body": body_id, "body_name": name, "standard": standard,
             "documents": _documents(name, doc)}
            for body_id, name, j, doc in rules]


JOURNEY_ROWS = {"gateway_ready": lambda r: r.gateway_ready, "capped": lambda r: r.capped,
                "full_retake_required": lambda r: r.full_retake_required}


def disagreements(results: Sequence[BodyResult | Decision]) -> list[str]:
    """The rows where the bodies do not all agree: 'overall', a method id, or one of JOURNEY_ROWS (of
    explained results, or of the engine's decisions alike)."""
    if not results:
        return []
    if isinstance(results[0], tuple):  # the engine's Decisions, a cohort's: their columns read at once
        return _disagreements(results)  # type: ignore[arg-type]
    return _by_attribute(results)


def _by_attribute(results: Sequence[BodyResult | Decision]) -> list[str]:
    first = list(results[0].components)
    same_methods = all(list(r.components) == first for r in results)  # in the same order, too
    methods = first if same_methods else list(dict.fromkeys(m for r in results for m in r.components))
    rows = ["overall", *methods, *JOURNEY_ROWS]
    # One row of cells per body, read down the columns: a cohort asks this of every record.
    cells = [(r.overall, *(r.components.values() if same_methods else (r.components.get(m) for m in methods)),
              r.gateway_ready, r.capped, r.full_retake_required) for r in results]  # JOURNEY_ROWS, in order
    return [row for row, column in zip(rows, zip(*cells, strict=True), strict=True)
            if column.count(column[0]) != len(column)]


def _disagreements(results: Sequence[Decision]) -> list[str]:
    """As ``disagreements``, for the engine's Decisions (named tuples: body, overall, methods, grades and the
    JOURNEY_ROWS, in that order)."""
    _, overall, methods, grades, *journey = zip(*results, strict=True)
    n = len(results)
    if methods.count(methods[0]) != n:  # the bodies' methods differ, or are in another order
        return _by_attribute(results)
    rows = ["overall", *methods[0], *JOURNEY_ROWS]
    columns = [overall, *zip(*grades, strict=True), *journey]
    return [row for row, column in zip(rows, columns, strict=True) if column.count(column[0]) != n]


def witness_line(witness: dict[str, Any]) -> str:
    """A witness record in one line, as a reader checks it against a finding: each attempt (method, kind, grade
    or criteria met, date, exceptional circumstances), then what the apprentice and gateway give besides their
    ids and dates (ages, levels, evidence not provided, counts) and any document version named."""
    parts = []
    for a in witness.get("assessments", ()):
        kind = f" {a['kind']}" if a.get("kind", "first") != "first" else ""
        what = a["grade"] if a.get("grade") else f"{len(a.get('criteria_met') or ())} criteria met"
        ec = ", exceptional circumstances" if a.get("exceptional_circumstances") else ""
        parts.append(f"{a['method']}{kind} {what} on {a.get('date', '?')}{ec}")
    apprentice = {k: v for k, v in witness.get("apprentice", {}).items() if k != "id" and v not in (None, False)}
    if apprentice:
        parts.append("apprentice " + ", ".join(f"{k} {v}" if v is not True else k for k, v in apprentice.items()))
    gateway = witness.get("gateway", {})
    if gateway:
        missing = [k for k, v in gateway.items() if v is False]
        counts = [f"{k} {v}" for k, v in gateway.items() if isinstance(v, int) and not isinstance(v, bool)]
        parts.append(f"gateway on {gateway.get('date', '?')}" + "".join(f", {k} not provided" for k in missing)
                     + "".join(f", {c}" for c in counts))
    if witness.get("document_versions"):
        parts.append("versions " + ", ".join(f"{b} {v}" for b, v in witness["document_versions"].items()))
    return "; ".join(parts) or "an empty record"
