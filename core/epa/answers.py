"""What each command answers, as the data its ``--format json`` prints: one code path for the command line
(:mod:`epa.cli`) and the HTTP service (:mod:`epa.serve`), so that the two cannot drift apart.

Each function takes the bodies in force and what the user gave (a record already read, ids as typed) and returns
the JSON-ready data; errors are the usual :class:`~epa.errors.InputError` (bad input) and
:class:`~epa.errors.PluginError`. Where the command line also renders tables, the caller keeps the objects the
tables need (the graded results, the journey rules).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from epa.errors import InputError

if TYPE_CHECKING:
    from epa.model.domain import Record, Ruleset
    from epa.model.results import BodyResult
    from epa.registry import Registry
    from epa.views.report import JourneyRules


def criteria(registry: Registry, standard: str, body: str | None, version: str | None) -> list[dict[str, Any]]:
    from epa.views import report

    registry.offering(standard)  # an unknown standard is refused with a did-you-mean
    return report.criteria(registry, standard, body, version)


def diff(registry: Registry, body: str, from_version: str, to_version: str, standard: str | None) -> dict[str, Any]:
    from epa.rules import versions

    return versions.report(registry.named(body), standard, from_version, to_version)


def journey(registry: Registry, standard: str, body: str | None) -> tuple[list[JourneyRules], list[dict[str, Any]]]:
    """The journey rules (for the tables) and their data."""
    from epa.views import report

    registry.offering(standard)
    rules = report.journey_rules(registry, standard, body)
    return rules, report.journey(rules, standard)


def consistency(registry: Registry, standard: str, body_ids: str | None) -> dict[str, Any]:
    """The divergences between the bodies offering ``standard`` (``body_ids``: "ID,ID" as typed, else all)."""
    from epa.consistency import analyse

    return analyse(registry, standard, consistency_bodies(registry, standard, body_ids))


def consistency_bodies(registry: Registry, standard: str, body_ids: str | None) -> list[str] | None:
    """What ``consistency`` is asked of, checked before any analysis (an InputError naming what is unknown): the
    bodies ``body_ids`` names by id, name or acronym, or None (every body offering ``standard``)."""
    registry.offering(standard)
    return [registry.named(b.strip()).body.id for b in body_ids.split(",") if b.strip()] if body_ids else None


def graded(registry: Registry, record: Record, body: str | None, where: str) -> list[BodyResult]:
    """The record explained by one body (checked to offer its standard) or by every body that offers it, as the
    registry's engine explains it (``Engine.explain``)."""
    from epa.engine.compiled import Engine

    loaded = registry.named(body) if body else None
    if loaded and record.standard not in loaded.body.standards:
        raise InputError(f"{loaded.body.id} does not offer {record.standard}", where=where,
                         hint="bodies offering it: " + ", ".join(b.body.id for b in registry.offering(record.standard)))
    return Engine.of(registry).explain(record, loaded)


def about(record: Record, name: str) -> dict[str, Any]:
    """What every record's answer starts with: its standard, the input's name and the apprentice's id."""
    return {"standard": record.standard, "record": name, "apprentice": record.apprentice.id}


def compare(record: Record, results: list[BodyResult], name: str, registry: Registry | None = None
            ) -> dict[str, Any]:
    """``differences``: the rows where the bodies disagree; with ``registry`` (the bodies that graded the record),
    the deadline and check rows too, and the events' rows whatever date each body counts from, each body's verdict
    on them given under ``journey_differences`` (present where one differs: ``report.journey_rows``)."""
    from epa.views import report

    return {**about(record, name), **differences(record, results, registry),
            "results": [report.result(r) for r in results]}


def differences(record: Record, results: list[BodyResult], registry: Registry | None = None) -> dict[str, Any]:
    """``compare``'s rows where the bodies disagree, without the results' JSON (a table draws on the results
    themselves, and needs no cattrs)."""
    from epa.views import report

    journey = report.journey_rows(results, rulesets_of(registry, record, results)) if registry else {}
    return {"differences": [*report.disagreements(results), *journey],
            **({"journey_differences": journey} if journey else {})}


def rulesets_of(registry: Registry, record: Record, results: list[BodyResult]) -> list[Ruleset]:
    """The ruleset each result was graded under: chosen again as the engine chose it (``Engine.ruleset``)."""
    from epa.engine.compiled import Engine

    engine = Engine.of(registry)
    return [engine.ruleset(record, registry.body(r.body)) for r in results]


def gateway(record: Record, results: list[BodyResult], name: str) -> dict[str, Any]:
    from epa.views import report

    return {**about(record, name), "results": report.gateway(results)}


def timeline(record: Record, results: list[BodyResult], name: str) -> dict[str, Any]:
    from epa.views import report

    return {**about(record, name), "results": report.timeline(results)}
