"""Shared fixtures: the installed bodies, and small helpers to grade and to run the CLI."""

from __future__ import annotations

import contextlib
import io
import json
import types
from pathlib import Path

import attrs
import jsonschema
import pytest
import yaml

import epa
from epa import Grade, Ruleset, cli
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


def write(tmp_path: Path, text: str, name: str = "record.yaml") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def dump_record(tmp_path: Path, data: dict, name: str = "record.yaml") -> Path:
    """Write a record given as data to a YAML file."""
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def only(items: list[dict], item_id: str) -> dict:
    """The one entry of a result list (requirements, deadlines, checks) with this id."""
    found = [item for item in items if item["id"] == item_id]
    assert len(found) == 1, f"{item_id!r} among {[item['id'] for item in items]}"
    return found[0]


def fails(*args: str, code: int = 2) -> str:
    """Run a command that must fail with ``code``, without a traceback; return its stderr."""
    result = run(*args)
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    return result.stderr


OUTPUT_SCHEMA = json.loads((ROOT / "schemas" / "output.schema.json").read_text())


def valid(data, definition: str):
    """Check data against one definition of schemas/output.schema.json."""
    schema = {**OUTPUT_SCHEMA, "$ref": f"#/$defs/{definition}"}
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(data)
    return data


def ok_json(*args: str, definition: str):
    """Run a command with --format json; it must succeed and match its output schema definition."""
    result = run(*args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return valid(result.json(), definition)


def body_plugin(**hooks):
    """A third-party body plugin reusing Highfield's rules, with some hooks replaced."""
    highfield = Registry.installed().body("highfield").body

    class Plugin:
        @epa.hookimpl
        def register_body(self):
            return epa.Body(id="broken", name="Broken", rulesets=tuple(
                attrs.evolve(r, body="broken") for r in highfield.rulesets))

    plugin = Plugin()
    for name, fn in hooks.items():
        setattr(plugin, name, types.MethodType(epa.hookimpl(fn), plugin))
    return plugin


def use_plugins(monkeypatch, plugin) -> None:
    """Make the CLI see only this plugin, as if it were the one installed body."""
    name = plugin.register_body().id  # the entry-point name a body is installed under is its id
    monkeypatch.setattr(cli, "_registry", lambda: Registry([(name, plugin)]))
