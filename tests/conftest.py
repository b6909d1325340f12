"""Shared fixtures: the installed bodies, and small helpers to grade and to run the CLI."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import attrs
import pytest

from epa import Grade, Ruleset
from epa.cli import main
from epa.registry import Registry

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
EXAMPLES = ROOT / "examples"
RECORDS = Path(__file__).resolve().parent / "records"


@pytest.fixture(scope="session")
def registry() -> Registry:
    return Registry.installed()


def ruleset(registry: Registry, body: str, standard: str, version: str | None = None) -> Ruleset:
    versions = registry.body(body).body.rulesets_for(standard)
    if version is None:
        return versions[-1]
    return next(r for r in versions if r.document.version == version)


def combine(registry: Registry, body: str, standard: str = "ST0071", version: str | None = None,
            **grades: str) -> Grade:
    """The body's overall grade for one grade per method, through its combine_grades hook."""
    rules = ruleset(registry, body, standard, version)
    outcome = registry.body(body).call("combine_grades", ruleset=rules,
                                       components={m: Grade(g) for m, g in grades.items()})
    return outcome.grade


def grade_component(registry: Registry, body: str, method: str, met, standard: str = "ST0071",
                    version: str | None = None) -> Grade:
    rules = ruleset(registry, body, standard, version)
    result = registry.body(body).call("grade_component", ruleset=rules, method=method, criteria_met=frozenset(met))
    return result.grade


def ids(registry: Registry, body: str, method: str, level: str, standard: str = "ST0071",
        version: str | None = None) -> list[str]:
    return [c.id for c in ruleset(registry, body, standard, version).criteria_for(method, level)]


@attrs.frozen
class Run:
    exit_code: int
    stdout: str
    stderr: str

    def json(self):
        return json.loads(self.stdout)


def run(*args: str) -> Run:
    """Run `epa ARGS` in-process, through the same entry point as the installed command."""
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return Run(code, out.getvalue(), err.getvalue())
