"""The plugin author guide, docs/plugins.md, held to the code (as datasette tests its plugin hook docs).

Every hook spec has a ``### name(arg, ...)`` section with the spec's arguments and calling convention, and
no section documents a hook that does not exist; the conformance checks listed are the suite's; and every
example runs as written: each ```python block is executed (a plugin it defines is loaded with
``epa.registry.Registry`` and each hook it implements is called and must answer), each ``epa ...`` line of a
```sh or ```console block is run through ``epa.testing.run`` and must exit 0.

The examples run, as the guide says, from the folder in which ``epa plugin new acme`` was run: the guide's
own ``epa plugin new`` lines build that folder. ``pip install -e ./epa-acme`` is simulated: the CLI loads the
generated plugin in-process beside the installed bodies (an installed acme is left out).
"""

from __future__ import annotations

import importlib.util
import inspect
import itertools
import re
import shlex
import shutil
import sys
import types
from collections.abc import Iterator
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import attrs
import jsonschema
import pytest
import yaml

from epa import cli, hookspecs
from epa.conformance import CHECKS
from epa.engine.explained import grade
from epa.errors import InputError, did_you_mean
from epa.inputs.documents import schema
from epa.inputs.record import load_record
from epa.model.domain import Grade, Record, Ruleset
from epa.model.results import GradedAttempt
from epa.registry import HOOKS, Candidate, LoadedBody, Registry, installed_candidates
from epa.testing import dump_record, requires, run

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "plugins.md"
TEXT = GUIDE.read_text(encoding="utf-8")
# The bodies this repository ships: an example naming one needs it installed.
REPO_BODIES = frozenset(p.name for p in (ROOT / "plugins").iterdir() if (p / "pyproject.toml").is_file())
SECTION = re.compile(r"^### (\w+)\(([^)]*)\)[ \t]*$", re.M)
FILE_HEADER = re.compile(r"^# (\S+/\S+\.(?:ya?ml|py))$")  # a block opening with its path shows that file


@attrs.frozen
class Block:
    lang: str
    code: str
    line: int  # of the opening fence, 1-based

    @property
    def id(self) -> str:
        shown = [h for h in re.findall(r"def (\w+)\(", self.code) if h in HOOKS]
        return f"line{self.line}" + (f"-{'-'.join(shown)}" if shown else "")

    @property
    def path(self) -> str | None:
        match = FILE_HEADER.match(self.code.splitlines()[0]) if self.code.strip() else None
        return match.group(1) if match else None

    def bodies(self) -> list[str]:
        """The repository's bodies this example names, as a quoted id or a command-line word."""
        if self.lang == "python":
            words = set(re.findall(r"\b\w+\b", self.code))
        else:
            words = {w for line in self.code.splitlines() for w in shlex.split(line, comments=True)}
        return sorted(REPO_BODIES & words)


def _blocks() -> list[Block]:
    found, lines = [], TEXT.splitlines()
    i = 0
    while i < len(lines):
        fence = re.match(r"^```(\w*)\s*$", lines[i])
        if fence:
            end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
            found.append(Block(fence.group(1), "\n".join(lines[i + 1:end]) + "\n", i + 1))
            i = end
        i += 1
    return found


BLOCKS = _blocks()
PYTHON = [b for b in BLOCKS if b.lang == "python"]
SHELL = [b for b in BLOCKS if b.lang in ("sh", "console")]


def _files_before(block: Block) -> list[Block]:
    """The yaml file blocks a python block uses: those since the previous python block."""
    i = BLOCKS.index(block)
    earlier = list(itertools.takewhile(lambda b: b.lang != "python", reversed(BLOCKS[:i])))
    return [b for b in reversed(earlier) if b.lang == "yaml" and b.path]


def _commands(block: Block) -> Iterator[list[str]]:
    for line in block.code.splitlines():
        words = shlex.split(line, comments=True)
        if words and words[0] == "epa":
            yield words[1:]


def _sections() -> dict[str, tuple[list[str], str]]:
    """Hook name -> (documented arguments, the section's text up to the next heading)."""
    out: dict[str, tuple[list[str], str]] = {}
    for match in SECTION.finditer(TEXT):
        rest = TEXT[match.end():]
        end = re.search(r"^#{1,3} ", rest, re.M)
        args = [a.strip() for a in match.group(2).split(",") if a.strip()]
        assert match.group(1) not in out, f"two sections for {match.group(1)}"
        out[match.group(1)] = (args, rest[:end.start()] if end else rest)
    return out


SECTIONS = _sections()


def _spec(name: str) -> Any:
    return getattr(hookspecs, name)


def _firstresult(name: str) -> bool:
    return bool(_spec(name).epa_spec["firstresult"])


def _section(hook: str) -> str:
    assert hook in SECTIONS, f"docs/plugins.md has no '### {hook}(...)' section"
    return SECTIONS[hook][1]


# --- the hook sections -------------------------------------------------------------------------------------


def test_hooks_are_found():
    assert HOOKS, "no hook specs found in epa.hookspecs"
    assert set(HOOKS) == {n for n in dir(hookspecs) if hasattr(getattr(hookspecs, n), "epa_spec")}


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_has_a_section_with_its_arguments(hook):
    _section(hook)
    documented, _ = SECTIONS[hook]
    assert documented == list(inspect.signature(_spec(hook)).parameters), (
        f"'### {hook}({', '.join(documented)})' does not match the spec {hook}{inspect.signature(_spec(hook))}")


def test_no_section_documents_a_hook_that_does_not_exist():
    unknown = sorted(set(SECTIONS) - set(HOOKS))
    assert not unknown, [f"{n}: {did_you_mean(n, HOOKS)}" for n in unknown]


@pytest.mark.parametrize("hook", HOOKS)
def test_each_section_states_the_calling_convention_of_its_spec(hook):
    text = _section(hook)
    first, collected = "First result wins" in text, "All results are collected" in text
    assert first != collected, f"{hook}: say exactly one of 'First result wins' and 'All results are collected'"
    assert first == _firstresult(hook), f"{hook}: the spec says firstresult={_firstresult(hook)}"


@pytest.mark.parametrize("hook", HOOKS)
def test_each_section_has_a_worked_example_implementing_its_hook(hook):
    text = _section(hook)
    for heading in ("**Arguments**", "**Returns**", "**Calling**", "**Default**"):
        assert heading in text, f"{hook}: no {heading}"
    examples = re.findall(r"^```python\n(.*?)^```", text, re.M | re.S)
    assert any(re.search(rf"^@epa\.hookimpl\ndef {hook}\(", code, re.M) for code in examples), (
        f"{hook}: no ```python example implementing it")


def test_checks_listed_are_the_conformance_suite():
    rows = re.findall(r"^\| `([a-z-]+)` \| (\w+) \| (.*) \|$", TEXT, re.M)
    assert rows == [(c.id, c.scope, c.title) for c in CHECKS]


# --- running the examples ----------------------------------------------------------------------------------


def _import_generated(package: Path) -> types.ModuleType:
    """The generated plugin package, imported from its folder under a name an installed acme cannot hold."""
    name = f"_guide_{package.name}"
    spec = importlib.util.spec_from_file_location(name, package / "__init__.py",
                                                  submodule_search_locations=[str(package)])
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # importlib.resources.files(__package__) finds the package by name
    spec.loader.exec_module(module)
    return module


def simulate_install(monkeypatch: pytest.MonkeyPatch) -> None:
    """`pip install -e ./epa-acme`, in-process: the CLI loads the installed bodies but acme, and the plugin in
    ./epa-acme once it exists. EPA_BODIES is cleared: the guide's commands assume every body is loaded."""

    def load(only: tuple[str, ...] | None = None, keep_going: bool = False) -> Registry:
        names = sorted({ep.name for ep in entry_points(group="epa")} - {"acme"})
        candidates = installed_candidates(names) if names else []
        package = Path("epa-acme") / "epa_acme"
        if (package / "__init__.py").is_file():
            candidates.append(Candidate("acme", lambda: _import_generated(package.resolve())))
        if only is not None:
            known = [c.name for c in candidates]
            for name in only:
                if name not in known:
                    raise InputError(f"no installed body {name!r}", hint=did_you_mean(name, known))
            candidates = [c for c in candidates if c.name in only]
        return Registry(candidates, keep_going=keep_going)

    monkeypatch.setattr(cli, "_load", load)
    monkeypatch.delenv("EPA_BODIES", raising=False)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder in which the guide's `epa plugin new` commands have been run."""
    folder = tmp_path_factory.mktemp("guide")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(folder)
        simulate_install(mp)
        new = [args for b in SHELL for args in _commands(b) if args[:2] == ["plugin", "new"]]
        assert new, "the guide shows no `epa plugin new`"
        for args in new:
            result = run(*args)
            assert result.exit_code == 0, result.stderr
    return folder


@pytest.fixture
def workspace(generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "work"
    shutil.copytree(generated, folder)
    monkeypatch.chdir(folder)
    simulate_install(monkeypatch)
    return folder


def _is_impl(value: object) -> bool:
    return hasattr(value, "epa_impl")


def _plugin_in(module: types.ModuleType) -> object | None:
    """The plugin an example defines: the module itself (module-level hook functions), or an instance of a class
    it defines whose methods are hooks."""
    if any(_is_impl(getattr(module, name, None)) for name in dir(module)):
        return module
    classes = [v for v in vars(module).values() if isinstance(v, type) and v.__module__ == module.__name__
               and any(_is_impl(getattr(v, name, None)) for name in dir(v))]
    assert len(classes) <= 1, "an example defines one plugin"
    return classes[0]() if classes else None


def _record(registry: Registry, loaded: LoadedBody, r: Ruleset, folder: Path) -> Record:
    """A record graded under ruleset ``r``: every method attempted, the first failed once and resat."""
    def met(method: str) -> list[str]:
        return [c.id for c in r.criteria_for(method)]

    first, *others = r.method_ids
    attempts = [{"method": first, "date": "2025-01-13", "criteria_met": []},
                {"method": first, "date": "2025-02-03", "kind": "resit", "criteria_met": met(first)}]
    attempts += [{"method": m, "date": f"2025-02-{10 + i}", "criteria_met": met(m)} for i, m in enumerate(others)]
    data = {
        "standard": r.standard,
        "apprentice": {"id": "GUIDE-1", "date_of_birth": "2000-01-01", "start_date": "2023-09-01",
                       "english": "level2", "maths": "level2"},
        "gateway": {"date": "2025-01-06"},
        "dates": {"planning_meeting": "2025-01-10"},
        "document_versions": {loaded.body.id: r.document.version},
        "assessments": attempts,
    }
    return load_record(dump_record(folder, data, f"{r.standard}-{r.document.version}.yaml"), registry)


def _calls(hook: str, registry: Registry, loaded: LoadedBody, folder: Path) -> Iterator[dict[str, Any]]:
    """Arguments to call a hook with, over every ruleset the body ships."""
    if hook in ("register_body", "register_standards"):
        yield {}
        return
    for r in loaded.body.rulesets:
        if hook == "grade_component":
            for method in r.method_ids:
                passes = frozenset(c.id for c in r.criteria_for(method, "pass"))
                for met in (frozenset(), passes, frozenset(c.id for c in r.criteria_for(method))):
                    yield {"ruleset": r, "method": method, "criteria_met": met}
        elif hook == "combine_grades":
            for grades in itertools.product(list(Grade), repeat=len(r.method_ids)):
                yield {"ruleset": r, "components": dict(zip(r.method_ids, grades, strict=True))}
        else:
            record = _record(registry, loaded, r, folder)
            kwargs: dict[str, Any] = {"ruleset": r, "record": record}
            if hook == "resit_policy":
                kwargs["history"] = tuple(GradedAttempt(a, loaded.call(
                    "grade_component", ruleset=r, method=a.method, criteria_met=frozenset(a.criteria_met or ())
                ).grade) for a in record.assessments)
            yield kwargs


def _exercise(plugin: object, registry: Registry, folder: Path) -> None:
    """Call each hook the plugin implements through its LoadedBody: the plugin's answer must be the answer
    (first result wins) or among the results (collected); then grade a record under every ruleset."""
    loaded = registry.body(plugin.register_body().id)  # type: ignore[attr-defined]
    own = [h for h in HOOKS if _is_impl(getattr(plugin, h, None))]
    assert list(loaded.own_hooks) == own
    for hook in own:
        calls = 0
        for kwargs in _calls(hook, registry, loaded, folder):
            ours = getattr(plugin, hook)(**kwargs)
            got = loaded.call(hook, **kwargs)
            if _firstresult(hook):
                if ours is not None:
                    assert got == ours, f"{hook}: the plugin's answer did not win"
                    calls += 1
            else:
                assert ours in got, f"{hook}: the plugin's results were not collected"
                calls += 1
        assert calls, f"{hook}: the plugin never answered"
    for r in loaded.body.rulesets:
        result = grade(loaded, _record(registry, loaded, r, folder))
        assert result.body == loaded.body.id and result.document["version"] == r.document.version


@pytest.mark.parametrize("block", [pytest.param(b, id=b.id, marks=requires(*b.bodies())) for b in PYTHON])
def test_python_example_runs(block: Block, workspace: Path, monkeypatch: pytest.MonkeyPatch):
    for file in _files_before(block):
        assert file.path is not None
        target = workspace / file.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(file.code, encoding="utf-8")
    module = types.ModuleType(f"guide_example_{block.line}")
    monkeypatch.setitem(sys.modules, module.__name__, module)  # an example may load itself: sys.modules[__name__]
    if block.path:  # a file of the generated package, shown whole: run it as that file
        target = workspace / block.path
        target.write_text(block.code, encoding="utf-8")
        module = _import_generated(target.parent)
    else:
        exec(compile(block.code, f"{GUIDE}:{block.line}", "exec"), module.__dict__)
    plugin = _plugin_in(module)
    if plugin is None:
        return
    body_id = plugin.register_body().id  # type: ignore[attr-defined]
    if "PluginError" in block.code:  # an example of a plugin that loading rejects: the block asserts how
        return
    _exercise(plugin, Registry([(body_id, plugin)]), workspace)


def _fails_on_placeholders_alone(args: list[str], result: Any) -> bool:
    """`epa conformance` on the plugin as generated: the guide says it fails the placeholders check, and only it;
    or, with that check left out, exits 4, its document (the example's own) not checked, being nowhere."""
    if args[0] == "conformance" and result.exit_code == 4:
        return "json" not in args or {r["check"] for r in result.json()["results"] if r["unchecked"]} == {"sources"}
    if args[0] != "conformance" or result.exit_code != 1:
        return False
    if "json" in args:
        failed = {r["check"] for r in result.json()["results"] if r["status"] == "fail"}
    else:
        failed = set(re.findall(r"^FAIL \S+ (\S+):", result.stdout, re.M))
    return failed == {"placeholders"}


def test_yaml_examples_are_valid():
    ruleset = schema("ruleset")
    document = jsonschema.Draft202012Validator({"$defs": ruleset["$defs"], **ruleset["properties"]["document"]},
                                               format_checker=jsonschema.FormatChecker())
    for block in (b for b in BLOCKS if b.lang == "yaml"):
        data = yaml.safe_load(block.code)
        assert isinstance(data, dict), f"line {block.line}"
        if "document" in data and not block.path:  # a ruleset's document block, shown on its own
            document.validate(data["document"])
        # a file the examples use is validated by the python example that loads it


def test_shell_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Every `epa` line naming no body of this repository, in order, in one folder. Lines that are not `epa`
    (pip install, cd, pytest) are not run; `pip install -e ./epa-acme` is simulated (simulate_install)."""
    monkeypatch.chdir(tmp_path)
    simulate_install(monkeypatch)
    (tmp_path / "sources").mkdir()  # the author's folder for the document, not yet holding it (`--sources ./sources`)
    ran = []
    for block in SHELL:
        if block.bodies():
            continue  # test_shell_example_naming_a_body
        for args in _commands(block):
            result = run(*args)
            assert result.exit_code == 0 or _fails_on_placeholders_alone(args, result), \
                f"line {block.line}: epa {shlex.join(args)}\n{result.stdout}{result.stderr}"
            assert "Traceback" not in result.stderr
            ran.append(args)
    assert ["plugin", "new", "acme", "--name", "Acme Assessment"] in ran
    assert ["conformance", "acme"] in ran


@pytest.mark.parametrize("block", [pytest.param(b, id=f"line{b.line}", marks=requires(*b.bodies()))
                                   for b in SHELL if b.bodies()])
def test_shell_example_naming_a_body(block: Block, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    simulate_install(monkeypatch)
    for args in _commands(block):
        result = run(*args)
        assert result.exit_code == 0, f"line {block.line}: epa {shlex.join(args)}\n{result.stderr}"
