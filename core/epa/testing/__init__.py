"""Helpers for testing a body plugin: what our own plugins' tests use, and what a third party's may.

A body's own tests (``plugins/<id>/tests/``) check the outcomes its document states; the shared
contract every body must hold is the conformance suite (:mod:`epa.conformance`), run by
``epa conformance`` or ``pytest --epa-body ID``. These helpers grade through the installed body's
hooks and run the CLI in-process, so a test sees exactly what a user would.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import os
import types
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs
import jsonschema
import pluggy
import pytest
import yaml

from epa.inputs.jsonschemas import schema
from epa.model.domain import Body, Grade, Ruleset
from epa.registry import LoadedBody, Registry
from epa.rules.sources import sources_dir

hookimpl = pluggy.HookimplMarker("epa")


@functools.cache
def registry() -> Registry:
    """The installed bodies (honouring ``EPA_BODIES``), loaded once per process."""
    return Registry.installed()


def installed(body_id: str) -> bool:
    return body_id in {b.body.id for b in registry().bodies}


def requires(*body_ids: str) -> pytest.MarkDecorator:
    """Skip (with the reason) unless every named body is installed: ``pytestmark = requires("tqual")``."""
    missing = [b for b in body_ids if not installed(b)]
    return pytest.mark.skipif(bool(missing), reason=f"needs the body plugin(s) {', '.join(missing)} installed")


def body(body_id: str) -> LoadedBody:
    return registry().body(body_id)


def ruleset(body_id: str, standard: str, version: str | None = None) -> Ruleset:
    """A body's rules for a standard: the named document version, or the newest."""
    return body(body_id).ruleset(standard, version)


def combine(body_id: str, standard: str, version: str | None = None, **grades: str) -> Grade:
    """The body's overall grade for one grade per method, through its ``combine_grades`` hook. A method left out,
    or one the ruleset does not have, is a TypeError naming it (as a missing keyword argument is), not the
    hook's KeyError."""
    rules = ruleset(body_id, standard, version)
    missing = [m for m in rules.method_ids if m not in grades]
    unknown = [m for m in grades if m not in rules.method_ids]
    if missing or unknown:
        said = "; ".join(([f"no grade for {', '.join(missing)}"] if missing else [])
                         + ([f"{', '.join(unknown)} is not a method of it"] if unknown else []))
        raise TypeError(f"combine({body_id!r}, {standard!r}) needs one grade for each method of the ruleset "
                        f"({', '.join(rules.method_ids)}): {said}")
    outcome = body(body_id).call("combine_grades", ruleset=rules,
                                 components={m: Grade(g) for m, g in grades.items()})
    return outcome.grade


def grade_component(body_id: str, method: str, met: Iterable[str], standard: str,
                    version: str | None = None) -> Grade:
    """The body's grade for one method from the criteria met, through its ``grade_component`` hook."""
    result = body(body_id).call("grade_component", ruleset=ruleset(body_id, standard, version), method=method,
                                criteria_met=frozenset(met))
    return result.grade


def ids(body_id: str, method: str, level: str, standard: str, version: str | None = None) -> list[str]:
    """The criterion ids a body assesses in a method at a level, in its document's order."""
    return [c.id for c in ruleset(body_id, standard, version).criteria_for(method, level)]


def make_plugin(body_id: str, rulesets: Iterable[Ruleset], **hooks: Any) -> object:
    """An in-process body plugin, as a test builds one: ``register_body`` returns these rulesets (re-labelled
    as ``body_id``'s), and each keyword is a hook implementation ``fn(self, ...)``. Load it with
    ``epa.registry.Registry([(body_id, plugin)])``."""
    rules = tuple(attrs.evolve(r, body=body_id) for r in rulesets)

    class Plugin:
        @hookimpl
        def register_body(self) -> Body:
            return Body(id=body_id, name=body_id, rulesets=rules)

    plugin = Plugin()
    for name, fn in hooks.items():
        setattr(plugin, name, types.MethodType(hookimpl(fn), plugin))
    return plugin


def install_plugin(folder: Path, module: str, source: str, entry_point: str, version: str = "0.1") -> dict[str, str]:
    """Install a body plugin for a child process, as far as ``importlib.metadata`` can tell: the module
    ``module`` (its ``source``) and a ``dist-info`` folder declaring its ``epa`` entry point (``"name = module"``
    or ``"name = module:object"``), written to ``folder``. Returns the environment (``os.environ``) of a
    subprocess that sees it: ``folder`` first on PYTHONPATH."""
    (folder / f"{module}.py").write_text(source, encoding="utf-8")
    info = folder / f"{module}-{version}.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module.replace('_', '-')}\nVersion: {version}\n",
                                   encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[epa]\n{entry_point}\n", encoding="utf-8")
    path = os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path}


@attrs.frozen
class Run:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def run(*args: str) -> Run:
    """Run ``epa ARGS`` in-process, through the same entry point as the installed command."""
    from epa.cli import main

    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return Run(code, out.getvalue(), err.getvalue())


def fails(*args: str, code: int = 2) -> str:
    """Run a command that must fail with ``code``, without a traceback; return its stderr."""
    result = run(*args)
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    return result.stderr


def valid(data: Any, definition: str) -> Any:
    """Check data against one definition of ``schemas/output.schema.json``; return it."""
    checked = {**schema("output"), "$ref": f"#/$defs/{definition}"}
    jsonschema.Draft202012Validator(checked, format_checker=jsonschema.FormatChecker()).validate(data)
    return data


def ok_json(*args: str, definition: str) -> Any:
    """Run a command with --format json; it must succeed and match its output schema definition."""
    result = run(*args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return valid(result.json(), definition)


def write(tmp_path: Path, text: str, name: str = "record.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
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


def source_text(file: str) -> str:
    """The text of a source document from the sources folder (``EPA_SOURCES``, default ``../shared/seeds``);
    skips the test, with the reason, when it is not there."""
    path = sources_dir() / file
    if not path.is_file():
        pytest.skip(f"source document {file} not found in {sources_dir()} (set EPA_SOURCES)")
    return path.read_text(encoding="utf-8")


def journey_rules(body_id: str, standard: str) -> dict:
    """``epa journey --standard S --body ID --format json``: the body's journey rules as the CLI lists them."""
    result = run("journey", "--standard", standard, "--body", body_id, "--format", "json")
    assert result.exit_code == 0, result.stderr
    (rules,) = result.json()
    return rules


def journey_rule_ids(journey: dict) -> set[str]:
    """The names an ambiguity's ``rules`` may give that ``journey_rules`` lists: each rule's id, and the parts of the
    resit rules that have none as ``resit.<part>`` (the ruleset schema's ``ambiguities.rules`` says which)."""
    resit = journey["resit"] or {}
    ids = {r["id"] for key in ("gateway", "deadlines", "tolerances", "recommendations", "conduct")
           for r in journey[key]}
    ids |= {r["id"] for key in ("windows", "rework") for r in resit.get(key, ())}
    return ids | {f"resit.{part}" for part, value in resit.items() if isinstance(value, dict)}


@functools.cache
def consistency_findings(standard: str, bodies: tuple[str, ...]) -> dict[str, dict]:
    """``epa consistency --standard S --bodies A,B --format json``'s findings, by id (run once per process)."""
    result = run("consistency", "--standard", standard, "--bodies", ",".join(bodies), "--format", "json")
    assert result.exit_code == 0, result.stderr
    return {f["id"]: f for f in result.json()["findings"]}


def readings_shown(finding: dict, body_id: str) -> list[str]:
    """The readings the side of a consistency finding holding ``body_id`` names, each '<ambiguity id>: …' (or a
    rule's id, where the reading is a rule's unstated start)."""
    return next(side["readings"] for side in finding["sides"] if body_id in side["bodies"])


def check_recommendations(rules: dict, expected: dict, seed: str) -> None:
    """The body's recommendations are exactly ``expected`` ({id: (topic, about, quoted words, section)})."""
    got = {r["id"]: r for r in rules["recommendations"]}
    assert set(got) == set(expected)
    for rid, (topic, about, words, section) in expected.items():
        r = got[rid]
        assert (r["topic"], r["about"], r["citation"]) == (topic, about, f"{seed} § {section}"), rid
        assert words in r["text"], rid


def flat(text: str) -> str:
    """A document's text as tests quote it: bold markers dropped, whitespace runs as one space."""
    return " ".join(text.replace("**", "").split())


def assert_advice_only(body_id: str, path: Path, recommendation_ids: set[str]) -> None:
    """Graded through the CLI, the record is ready for gateway; no recommendation is among its requirements,
    deadlines or checks; and grading it by the same body with its recommendations removed changes nothing."""
    from epa.engine.compiled import Engine
    from epa.inputs.record import load_record
    from epa.model.convert import unstructure

    result = run("grade", "--body", body_id, str(path), "--format", "json")
    assert result.exit_code == 0, result.stderr
    out = result.json()
    assert out["gateway"]["ready"] is True, out["gateway"]
    listed = {r["id"] for r in out["gateway"]["requirements"]} | {d["id"] for d in out["deadlines"]}
    listed |= {c["id"] for c in out["checks"]}
    assert not listed & recommendation_ids
    for key in ("unmet", "unknown", "recommendations_unmet"):
        assert not set(out["gateway"][key]) & recommendation_ids, key
    loaded = body(body_id)
    assert any(r.journey and r.journey.recommendations for r in loaded.body.rulesets)
    bare = attrs.evolve(loaded, body=attrs.evolve(loaded.body, rulesets=tuple(
        attrs.evolve(r, journey=attrs.evolve(r.journey, recommendations=())) if r.journey else r
        for r in loaded.body.rulesets)))
    record = load_record(path, registry())
    # (each explained by an engine of its own: one engine may remember a body's rules by its id, which both share)
    graded, without = (unstructure(Engine(registry()).explain(record, b)) for b in (loaded, bare))
    assert graded == without


__all__ = [
    "assert_advice_only", "body", "check_recommendations", "combine", "consistency_findings", "dump_record", "fails",
    "flat", "grade_component", "ids", "install_plugin", "installed", "journey_rule_ids", "journey_rules", "make_plugin",
    "ok_json", "only", "readings_shown", "registry", "requires", "ruleset", "Run", "run", "source_text", "valid",
    "write",
]
