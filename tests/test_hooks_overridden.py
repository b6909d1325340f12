"""Every hook, overridden: a third-party plugin implementing a hook is called before the core's default, and
its answer wins (first-result hooks) or is added to the default's (collected hooks).

Each test builds an in-process body plugin, "acme", from the ST0071 rules of an installed body (the first that
offers ST0071), loads it with ``Registry([("acme", plugin)])`` and, where the CLI shows the effect, runs the
command with the CLI seeing that plugin as the one installed body. ``test_every_hook_has_an_override_test``
keeps one test per hook, as datasette's test_plugin_hooks_have_tests does.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml

import epa
from epa import cli
from epa.errors import InputError, PluginError
from epa.registry import HOOKS, LoadedBody, Registry
from epa.testing import dump_record, ok_json, registry

BODY = "acme"


def _offering_st0071() -> LoadedBody:
    try:
        return registry().offering("ST0071")[0]
    except InputError:
        pytest.skip("no installed body offers ST0071")


@pytest.fixture
def rulesets() -> tuple[epa.Ruleset, ...]:
    """An installed body's ST0071 rules, as acme's."""
    return tuple(attrs.evolve(r, body=BODY) for r in _offering_st0071().body.rulesets_for("ST0071"))


@pytest.fixture
def cite(rulesets: tuple[epa.Ruleset, ...]) -> str:
    """A citation of acme's (borrowed) document, in the form results require."""
    return f"{rulesets[-1].document.file} § Acme override"


class Acme:
    """A body plugin implementing register_body only; each test subclasses it with the hook it overrides."""

    def __init__(self, rulesets: tuple[epa.Ruleset, ...], cite: str = ""):
        self.rulesets, self.cite = rulesets, cite

    @epa.hookimpl
    def register_body(self) -> epa.Body:
        return epa.Body(id=BODY, name="Acme Assessment", rulesets=self.rulesets)


def cli_sees(monkeypatch: pytest.MonkeyPatch, plugin: object) -> None:
    """Make the CLI load this plugin as the one installed body (as tests/conftest.py use_plugins)."""
    monkeypatch.setattr(cli, "_registry", lambda: Registry([(BODY, plugin)]))


def _record(tmp_path: Path, *, criteria: bool = False, **extra: Any) -> str:
    """An ST0071 record with every method attempted once: each with no criteria met (``criteria``), or passed."""
    methods = registry().method_ids("ST0071")
    attempts = [{"method": m, "date": f"2026-01-{12 + i}", **({"criteria_met": []} if criteria else {"grade": "pass"})}
                for i, m in enumerate(methods)]
    data = {
        "standard": "ST0071",
        "apprentice": {"id": "OVERRIDE-1", "date_of_birth": "2000-01-01", "start_date": "2023-09-01",
                       "english": "level2", "maths": "level2"},
        "gateway": {"date": "2025-12-01"},
        "assessments": attempts,
        **extra,
    }
    return str(dump_record(tmp_path, data))


def _grade(monkeypatch: pytest.MonkeyPatch, plugin: object, record: str, command: str = "grade") -> dict[str, Any]:
    cli_sees(monkeypatch, plugin)
    if command == "grade":
        return ok_json("grade", "--body", BODY, record, definition="result")
    return ok_json(command, "--body", BODY, record, definition=command)["results"][0]


def _steps(result: dict[str, Any]) -> list[tuple[str, str]]:
    return [(s["says"], s["citation"]) for s in result["explanation"]]


# --- one test per hook -------------------------------------------------------------------------------------


def test_hook_register_body(rulesets, monkeypatch):
    plugin = Acme(rulesets)
    loaded = Registry([(BODY, plugin)]).body(BODY)
    assert loaded.body == plugin.register_body()
    assert loaded.own_hooks == ("register_body",)
    cli_sees(monkeypatch, plugin)
    listed = ok_json("bodies", definition="bodies")
    assert [(b["id"], b["name"]) for b in listed] == [(BODY, "Acme Assessment")]

    class Misnamed(Acme):  # the body id must be the name it is loaded (installed) under
        @epa.hookimpl
        def register_body(self) -> epa.Body:
            return epa.Body(id="acme_two", name="Acme Assessment", rulesets=self.rulesets)

    with pytest.raises(PluginError, match="disagrees with its entry-point name"):
        Registry([(BODY, Misnamed(rulesets))])


ST9999 = {
    "id": "ST9999", "name": "Widget Inspector", "level": 2, "grades": ["fail", "pass", "distinction"],
    "methods": [{"id": "inspection", "name": "Practical inspection", "citation": "plan.txt § Methods"},
                {"id": "interview", "name": "Interview", "citation": "plan.txt § Methods"}],
    "criteria": [{"id": cid, "text": f"criterion {cid}", "citation": "plan.txt § Criteria"}
                 for cid in ("WI.P1", "WI.D1", "IN.P1", "IN.D1")],
}


def _st9999_ruleset() -> dict[str, Any]:
    cite = "acme-st9999.txt § Grading"
    return {
        "body": BODY, "standard": "ST9999", "level": 2,
        "document": {"file": "acme-st9999.txt", "title": "Acme's ST9999 specification", "publisher": "Acme",
                     "version": "1.0", "sha256": None},
        "methods": [{**m, "citation": cite} for m in ST9999["methods"]],
        "criteria": [{"id": cid, "method": method, "level": level, "text": f"criterion {cid}", "citation": cite}
                     for cid, method, level in (("WI.P1", "inspection", "pass"), ("WI.D1", "inspection", "distinction"),
                                                ("IN.P1", "interview", "pass"), ("IN.D1", "interview", "distinction"))],
        "combination": {"citation": cite, "complete": False, "rows": [],
                        "rule_in_words": {"text": "any fail fails; all distinctions give a distinction", "citation": cite}},
        "ambiguities": [],
    }


def test_hook_register_standards(rulesets, tmp_path, monkeypatch):
    (tmp_path / "ST9999.standard.yaml").write_text(yaml.safe_dump(ST9999), encoding="utf-8")
    (tmp_path / "ST9999.yaml").write_text(yaml.safe_dump(_st9999_ruleset()), encoding="utf-8")
    with_st9999 = (*rulesets, epa.load_ruleset(tmp_path / "ST9999.yaml"))

    with pytest.raises(PluginError, match="neither the core nor the plugin defines"):
        Registry([(BODY, Acme(with_st9999))])

    class Defines(Acme):
        @epa.hookimpl
        def register_standards(self) -> list[epa.Standard]:
            return [epa.load_standard(tmp_path / "ST9999.standard.yaml")]

    plugin = Defines(with_st9999)
    loaded = Registry([(BODY, plugin)])
    assert loaded.standard("ST9999").method_ids == ("inspection", "interview")
    assert [b.body.id for b in loaded.offering("ST9999")] == [BODY]
    # a record can now name the standard, its methods and criteria
    record = dump_record(tmp_path, {
        "standard": "ST9999", "apprentice": {"id": "W-1"}, "gateway": {"date": "2026-01-05"},
        "assessments": [{"method": "inspection", "date": "2026-01-12", "criteria_met": ["WI.P1", "WI.D1"]},
                        {"method": "interview", "date": "2026-01-13", "criteria_met": ["IN.P1", "IN.D1"]}],
    }, "st9999.yaml")
    result = _grade(monkeypatch, plugin, str(record))
    assert (result["standard"], result["overall"]) == ("ST9999", "distinction")
    assert result["document"]["file"] == "acme-st9999.txt"
    assert BODY in [b["bodies"] for b in ok_json("standards", definition="standards")
                    if b["standard"] == "ST9999"][0]


def test_hook_grade_component(rulesets, cite, tmp_path, monkeypatch):
    class Generous(Acme):
        @epa.hookimpl
        def grade_component(self, ruleset: epa.Ruleset, method: str,
                            criteria_met: frozenset[str]) -> epa.ComponentResult:
            return epa.ComponentResult(method, epa.Grade.DISTINCTION,
                                       (epa.Step(f"{method}: acme awards a distinction", self.cite),))

    record = _record(tmp_path, criteria=True)  # no criterion met in any method
    default = _grade(monkeypatch, Acme(rulesets), record)
    assert set(default["components"].values()) == {"fail"}
    result = _grade(monkeypatch, Generous(rulesets, cite), record)
    assert set(result["components"].values()) == {"distinction"}
    for method in result["components"]:
        assert (f"{method}: acme awards a distinction", cite) in _steps(result)


def test_hook_combine_grades(rulesets, cite, tmp_path, monkeypatch):
    class Own(Acme):
        @epa.hookimpl
        def combine_grades(self, ruleset: epa.Ruleset, components: dict[str, epa.Grade]) -> epa.Outcome:
            return epa.Outcome(epa.Grade.DISTINCTION, (epa.Step("acme: its own overall grade", self.cite),))

    record = _record(tmp_path)  # every method passed
    assert _grade(monkeypatch, Acme(rulesets), record)["overall"] == "pass"
    result = _grade(monkeypatch, Own(rulesets, cite), record)
    assert result["overall"] == "distinction"
    assert ("acme: its own overall grade", cite) in _steps(result)


def test_hook_gateway_requirements(rulesets, cite, tmp_path, monkeypatch):
    class Adds(Acme):
        @epa.hookimpl
        def gateway_requirements(self, ruleset: epa.Ruleset, record: epa.Record) -> list[epa.Requirement]:
            return [epa.Requirement("acme-extra", "Acme's own requirement", True, "unmet",
                                    "the record does not show it", self.cite)]

    record = _record(tmp_path)
    default = _grade(monkeypatch, Acme(rulesets), record, "gateway")["gateway"]
    result = _grade(monkeypatch, Adds(rulesets, cite), record, "gateway")["gateway"]
    ids = [r["id"] for r in result["requirements"]]
    assert ids == ["acme-extra"] + [r["id"] for r in default["requirements"]]  # the plugin's first, then the default's
    assert "acme-extra" in result["unmet"] and result["ready"] is False


def test_hook_deadlines(rulesets, cite, tmp_path, monkeypatch):
    class Adds(Acme):
        @epa.hookimpl
        def deadlines(self, ruleset: epa.Ruleset, record: epa.Record) -> list[epa.Deadline]:
            return [epa.Deadline("acme-extra", "Acme's own deadline", record.gateway.date + dt.timedelta(days=7),
                                 "by", "open", "a week after gateway", self.cite)]

    record = _record(tmp_path)
    default = [d["id"] for d in _grade(monkeypatch, Acme(rulesets), record, "timeline")["deadlines"]]
    found = _grade(monkeypatch, Adds(rulesets, cite), record, "timeline")["deadlines"]
    assert sorted(d["id"] for d in found) == sorted([*default, "acme-extra"])
    extra = next(d for d in found if d["id"] == "acme-extra")
    assert (extra["date"], extra["citation"]) == ("2025-12-08", cite)


def test_hook_resit_policy(rulesets, cite, tmp_path, monkeypatch):
    class Strict(Acme):
        @epa.hookimpl
        def resit_policy(self, ruleset: epa.Ruleset, record: epa.Record, history) -> epa.ResitDecision:
            retake_by = record.gateway.date + dt.timedelta(days=90)
            return epa.ResitDecision(
                capped=False, full_retake_required=True,
                steps=(epa.Step("acme: the whole EPA is taken again", self.cite),),
                deadlines=(epa.Deadline("acme-retake", "Acme's retake", retake_by, "by", "open", "retake", self.cite),))

    record = _record(tmp_path)
    default = _grade(monkeypatch, Acme(rulesets), record)
    assert (default["overall"], default["full_retake_required"]) == ("pass", False)
    result = _grade(monkeypatch, Strict(rulesets, cite), record)
    assert (result["overall"], result["full_retake_required"]) == (None, True)
    assert ("acme: the whole EPA is taken again", cite) in _steps(result)
    assert "acme-retake" in [d["id"] for d in result["deadlines"]]


# --- the meta-test -----------------------------------------------------------------------------------------


def test_every_hook_has_an_override_test():
    tests = {name.removeprefix("test_hook_") for name, value in globals().items()
             if name.startswith("test_hook_") and callable(value)}
    assert not [h for h in HOOKS if h not in tests], "hooks with no test_hook_<name> here"
    assert not sorted(tests - set(HOOKS)), "test_hook_<name> tests for hooks that do not exist"
