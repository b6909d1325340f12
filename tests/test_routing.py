"""Every command explains through the registry's one engine (issue 18: "``Engine.decide`` and ``Engine.explain``
serve every command ... The hook-by-hook grading path goes"): compare, grade, gateway and timeline, the audit, the
consistency analysis, the conformance suite and ``epa serve`` ask ``Engine.explain`` and the questions beside it
(``ruleset``, ``overall``, ``component``), never the explained path itself, which the engine keeps as its oracle
(tests/test_architecture.py holds the package to that)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import EXAMPLES, any_body
from epa.consistency import complete, subjects
from epa.consistency.findings import GATEWAY, SweptBody, record
from epa.engine import explained
from epa.engine.compiled import Engine
from epa.errors import InputError
from epa.model.domain import Grade
from epa.model.results import ComponentResult, Step
from epa.registry import Registry
from epa.testing import make_plugin, registry, run

RECORD = EXAMPLES / "st0071-observation-distinction.yaml"
QUESTIONS = ("explain", "ruleset", "overall", "component")


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The engine's questions asked while the test runs, by name, in order (the engine still answering each)."""
    calls: list[str] = []

    def spy(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
        def asking(self: Engine, *args: Any, **kwargs: Any) -> Any:
            calls.append(name)
            return original(self, *args, **kwargs)
        return asking

    for name in QUESTIONS:
        monkeypatch.setattr(Engine, name, spy(name, getattr(Engine, name)))
    return calls


# --- one engine per registry -----------------------------------------------------------------------------------

def test_a_registry_has_one_engine_made_when_first_asked() -> None:
    bodies = Registry.installed()
    engine = Engine.of(bodies)
    assert Engine.of(bodies) is engine and engine.registry is bodies
    assert Engine.of(Registry.installed()) is not engine  # another registry, another engine


# Make the engine and explain one record; report on stderr whether the code writer (what compiling needs) was imported.
EXPLAIN_ONE = """
import sys
from epa.engine.compiled import Engine
from epa.inputs.record import load_record
from epa.registry import Registry
registry = Registry.installed()
results = Engine.of(registry).explain(load_record(sys.argv[1], registry))
print(len(results), "epa.engine.graders" in sys.modules, file=sys.stderr)
"""


def test_explaining_a_record_compiles_nothing() -> None:
    """Start-up pays only for what a command uses: a one-record command makes the engine and explains through it,
    and neither imports the code the engine writes a cohort's decisions with."""
    any_body()
    done = subprocess.run([sys.executable, "-c", EXPLAIN_ONE, str(RECORD)], capture_output=True, text=True,
                          timeout=120)
    count, imported = done.stderr.split()
    assert int(count) == len(registry().offering("ST0071")) and imported == "False", done.stderr


# --- the commands ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("command", [
    ["compare"], ["compare", "--format", "json"], ["compare", "--show", "all"], ["grade", "--body", "BODY"],
    ["grade", "--body", "BODY", "--format", "json"], ["gateway", "--format", "json"], ["gateway", "--body", "BODY"],
    ["timeline"], ["timeline", "--body", "BODY", "--format", "json"]])
def test_each_command_on_a_record_explains_through_the_engine(asked: list[str], command: list[str]) -> None:
    body = any_body()
    result = run(*[body if word == "BODY" else word for word in command], str(RECORD))
    assert result.exit_code == 0, result.stderr
    assert asked and set(asked) <= {"explain", "ruleset"}
    assert asked[0] == "explain"


def test_compare_chooses_the_rules_of_its_journey_rows_through_the_engine(asked: list[str]) -> None:
    """The deadline and check rows compare each body's rules in force: the ruleset the engine graded by."""
    any_body()
    assert run("compare", str(RECORD), "--format", "json").exit_code == 0
    assert asked.count("ruleset") == len(registry().offering("ST0071"))


def _outcomes(folder: Path) -> Path:
    """The example outcomes file's rows recorded by an installed body (a row naming a body not installed is
    rejected, exit 2); skips where no row is left."""
    header, *rows = (EXAMPLES / "st0071-outcomes.csv").read_text(encoding="utf-8").splitlines()
    body = header.split(",").index("EPAO")
    kept = []
    for row in rows:
        try:
            registry().named(row.split(",")[body])
        except InputError:
            continue
        kept.append(row)
    if not kept:
        pytest.skip("no row of examples/st0071-outcomes.csv is recorded by an installed body")
    path = folder / "outcomes.csv"
    path.write_text("\n".join([header, *kept]) + "\n", encoding="utf-8")
    return path


def test_the_audit_asks_the_engine_for_the_rules_in_force_and_the_overall_grade(asked: list[str],
                                                                                 tmp_path: Path) -> None:
    result = run("audit", str(_outcomes(tmp_path)), "--format", "csv")
    assert result.exit_code in (0, 1), result.stderr  # (1: a recorded grade that does not follow)
    assert {"ruleset", "overall"} <= set(asked) and "explain" not in asked


def test_the_audit_s_grades_are_assembled_by_the_compiled_explanation_not_the_oracle(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """``Engine.overall`` is the compiled explanation's grading part; ``grade_overall``, hook by hook, stays the
    oracle only (tests/test_explain_oracle.py holds the two equal). The oracle's every path starts by choosing the
    version of the rules by its module's ``ruleset_for``, which fails here; the engine holds its own."""
    outcomes = _outcomes(tmp_path)

    def oracle(*args: object) -> None:
        raise AssertionError("the audit graded by the hook-by-hook path")

    monkeypatch.setattr(explained, "ruleset_for", oracle)
    result = run("audit", str(outcomes), "--format", "csv")
    assert result.exit_code in (0, 1), result.stderr  # (1: a recorded grade that does not follow)
    assert "the audit graded by" not in result.stderr


def test_the_conformance_suite_explains_its_witnesses_through_the_engine(asked: list[str]) -> None:
    body = any_body()
    result = run("--bodies", body, "conformance", "--check", "hooks", "--check", "resit-cap", "--check", "output",
                 "--format", "json")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert asked and set(asked) == {"explain"}


def test_the_consistency_sweeps_explain_through_the_engine(asked: list[str]) -> None:
    result = run("consistency", "--standard", "ST0072", "--bodies", any_body("ST0072", prefer="nqual"), "--format",
                 "json")
    assert result.exit_code == 0, result.stderr
    assert "explain" in asked


def test_a_bodys_own_grade_component_is_asked_through_the_engine_by_the_complete_analysis(asked: list[str]) -> None:
    """The complete analysis counts a body's own grade_component's answers over every pattern of criteria; it asks
    the hook as grading does (``Engine.component``): the hook's answer is what it counts."""
    rules = registry().body(any_body()).body.rulesets_for("ST0071")[-1]
    method = rules.method_ids[0]

    def grade_component(self: object, ruleset: Any, method: str, criteria_met: frozenset[str]) -> ComponentResult:
        grade = Grade.DISTINCTION if len(criteria_met) >= 2 else Grade.FAIL
        return ComponentResult(method, grade, (Step(f"{len(criteria_met)} met: {grade}", ruleset.methods[0].citation),))

    own = Registry([("own", make_plugin("own", [rules], grade_component=grade_component))])
    (swept,) = subjects(own, "ST0071", None)
    graded = complete.rule(swept, method)
    some = sorted(graded.passes)[:2]
    assert graded.asked is not None
    assert (graded.asked(frozenset(some[:1])), graded.asked(frozenset(some))) == (Grade.FAIL, Grade.DISTINCTION)
    assert asked == ["component", "component"]


# --- a pinned version decides ----------------------------------------------------------------------------------

def _older_versions() -> list[tuple[str, str, str]]:
    """(body, standard, version) for each installed body's version not in force on the sweeps' gateway date."""
    found = []
    for loaded in registry().bodies:
        for standard in loaded.body.standards:
            versions = loaded.body.rulesets_for(standard)
            in_force = [r for r in versions if r.document.effective_from is None or r.document.effective_from <= GATEWAY]
            found += [(loaded.body.id, standard, r.document.version) for r in versions
                      if in_force and r is not in_force[-1]]
    return found


@pytest.mark.parametrize("pinned", [False, True])
def test_a_swept_body_at_an_older_version_is_graded_by_that_version(asked: list[str], pinned: bool) -> None:
    """The sweeps grade a body at a version a witness pins (``SweptBody``): the engine explains each record under
    that version, whether or not the record names it, never the one in force on the record's gateway date."""
    older = _older_versions()
    if not older:
        pytest.skip("needs an installed body with a version of its rules no longer in force on the sweeps' date")
    for body, standard, version in older:
        (current,) = subjects(registry(), standard, [body])
        ruleset = registry().body(body).ruleset(standard, version)
        swept = SweptBody(current.loaded, ruleset, pinned=True, engine=current.engine)
        extra = {"document_versions": {body: version}} if pinned else {}
        data = record(standard, [{"method": m, "grade": "pass"} for m in ruleset.method_ids], **extra)
        assert swept.grade(data).document["version"] == version, (body, standard, version)
    assert set(asked) == {"explain"}
