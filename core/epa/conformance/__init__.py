"""The conformance suite: the contract every body plugin holds, for every standard and document version it ships.

Each check (``epa.conformance.checks``) looks at one body, or one of its rulesets, and reports
``pass``, ``fail`` with the smallest input that shows it, or ``skip`` with the reason. The same
checks run from ``epa conformance`` (a matrix of bodies against checks) and from pytest
(``pytest --epa-body ID``, or :func:`epa.testing.contract.conformance_tests` in a plugin's tests).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs
from attrs import frozen

from epa.conformance.checks import CHECKS, CheckedBody, ConformanceCheck, Failure, NotChecked, Skip, hook_failure
from epa.errors import PluginError
from epa.registry import LoadedBody, Registry
from epa.rules.sources import sources_dir

__all__ = ["CHECKS", "ConformanceCheck", "Failure", "NotChecked", "CheckOutcome", "Skip", "CheckedBody",
           "check_body", "run", "as_data", "not_checked"]


@frozen
class CheckOutcome:
    """One check of one body (and, for ruleset checks, one standard and document version)."""

    check: str
    body: str
    status: str  # pass | fail | skip
    standard: str | None = None
    version: str | None = None
    reason: str | None = None  # why it was skipped
    failures: tuple[Failure, ...] = ()
    unchecked: bool = False  # skipped, though the check applies: what it reads is absent or unreadable


def _run_one(check: ConformanceCheck, subject: CheckedBody) -> CheckOutcome:
    r = subject.ruleset
    standard, version = (r.standard, r.document.version) if r else (None, None)
    try:
        failures = tuple(check.run(subject))
    except Skip as skip:
        return CheckOutcome(check.id, subject.body_id, "skip", standard, version, reason=str(skip),
                       unchecked=isinstance(skip, NotChecked))
    except PluginError as exc:  # a hook that raises is a failure of the check that called it
        failures = (attrs.evolve(hook_failure(subject.loaded, exc), message=str(exc)),)
    return CheckOutcome(check.id, subject.body_id, "fail" if failures else "pass", standard, version, failures=failures)


def check_body(loaded: LoadedBody | None, registry: Registry, sources: Path, *, body_id: str | None = None,
               failed: PluginError | None = None, only: Iterable[str] | None = None) -> list[CheckOutcome]:
    """Every check (or those named in ``only``) against one body; a body that failed to load fails ``loads``
    and skips the rest."""
    chosen = [c for c in CHECKS if only is None or c.id in set(only)]
    name = loaded.body.id if loaded else body_id or "?"
    if loaded is None:
        problem = Failure(str(failed), "the plugin loads: its hooks are epa hooks, its ids agree", None)
        return [CheckOutcome(c.id, name, "fail", failures=(problem,)) if c.id == "loads"
                else CheckOutcome(c.id, name, "skip", reason="the plugin did not load") for c in chosen]
    out = []
    for check in chosen:
        if check.scope == "body":
            out.append(_run_one(check, CheckedBody(loaded, None, registry, sources)))
        else:
            out += [_run_one(check, CheckedBody(loaded, r, registry, sources)) for r in loaded.body.rulesets]
    return out


def run(registry: Registry, bodies: Iterable[str] | None = None, sources: Path | str | None = None,
        only: Iterable[str] | None = None) -> list[CheckOutcome]:
    """Run the suite against the named bodies (default: every one the registry loaded or failed to load)."""
    folder = sources_dir(sources)
    names = list(bodies) if bodies is not None else sorted([b.body.id for b in registry.bodies] + list(registry.failed))
    out: list[CheckOutcome] = []
    for name in names:
        if name in registry.failed:
            out += check_body(None, registry, folder, body_id=name, failed=registry.failed[name], only=only)
        else:
            out += check_body(registry.body(name), registry, folder, only=only)
    return out


def as_data(outcomes: list[CheckOutcome], sources: Path | str | None = None) -> dict[str, Any]:
    """What ``epa conformance --format json`` prints. ``passed`` only where no check failed and every check that
    applies was made (``complete``): a check not made (a source document absent) is never a pass."""
    from epa.model.convert import unstructure

    bodies = list(dict.fromkeys(o.body for o in outcomes))
    ran = {o.check for o in outcomes}
    failed = any(o.status == "fail" for o in outcomes)
    complete = not any(o.unchecked for o in outcomes)
    return {
        "sources": str(sources_dir(sources)),
        "bodies": bodies,
        "checks": [{"id": c.id, "scope": c.scope, "title": c.title} for c in CHECKS if c.id in ran],
        "summary": {b: summarise([o for o in outcomes if o.body == b]) for b in bodies},
        "passed": not failed and complete,
        "failed": failed,
        "complete": complete,
        "results": unstructure(outcomes),
    }


def not_checked(outcomes: list[CheckOutcome] | list[dict[str, Any]]) -> list[str]:
    """Each check that applies but was not made, as a line: body, check, standard and version, and why."""
    from epa.model.convert import unstructure

    rows = [unstructure(o) if isinstance(o, CheckOutcome) else o for o in outcomes]
    return [f"{r['body']} {r['check']}" + (f" ({r['standard']} v{r['version']})" if r["standard"] and r["version"]
                                           else f" ({r['standard']})" if r["standard"] else "") + f": {r['reason']}"
            for r in rows if r.get("unchecked")]


def summarise(outcomes: list[CheckOutcome]) -> dict[str, str]:
    """Per check: fail if any of its outcomes failed; skip if all were skipped, or if any was not made though it
    applies (a second standard's document absent: a matrix saying "pass" beside a run that is not one); else
    pass."""
    out: dict[str, str] = {}
    for check in dict.fromkeys(o.check for o in outcomes):
        found = [o for o in outcomes if o.check == check]
        statuses = {o.status for o in found}
        out[check] = "fail" if "fail" in statuses else "skip" if statuses == {"skip"} or any(
            o.unchecked for o in found) else "pass"
    return out
