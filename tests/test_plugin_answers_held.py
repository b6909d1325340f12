"""A body plugin's own answers held at grading, as ``epa conformance`` holds them (session 17): a gateway
requirement or deadline that says two things that cannot both be so is the plugin's failure (a PluginError naming
plugin, hook and the field that disagrees, exit 1), never a silent wrong answer; a resit_policy answering None
leaves the record to the default exactly as a body without the hook; and a hook's hostility (what it prints,
raises, returns, or changes of what it is given) never reaches another body's results or the output stream.

Every plugin here is test-local, registered in-process (``epa.testing.make_plugin``), reusing an installed body's
ST0071 rules."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

import epa
import epa.defaults
from conftest import EXAMPLES, body_plugin, fails, run, use_plugins
from epa.errors import PluginError

JOURNEY = str(EXAMPLES / "st0071-journey.yaml")


def _requirement(mandatory: bool, strength: str) -> epa.Requirement:
    return epa.Requirement(id="acme-id", name="photo id", mandatory=mandatory, status="unmet", says="no photo id",
                           citation="acme.txt § Gateway", strength=strength)


def _deadline(date: dt.date | None, status: str, needs: str | None) -> epa.Deadline:
    return epa.Deadline("acme-due", "Acme's date", date, "by", status, "says", "acme.txt § Dates", needs=needs)


@pytest.mark.parametrize("mandatory, strength", [(True, "optional"), (True, "recommended"), (False, "mandatory")])
def test_a_requirement_whose_mandatory_and_strength_disagree_is_the_plugins_failure(monkeypatch, mandatory,
                                                                                   strength):
    """``mandatory=True, strength="optional"``: readiness reads the strength (not blocking), the JSON's
    ``mandatory`` says it is required: one of the two is a wrong answer, shown silently before."""
    def gateway_requirements(self, ruleset, record):
        return [_requirement(mandatory, strength)]

    use_plugins(monkeypatch, body_plugin(gateway_requirements=gateway_requirements))
    for command in (("grade", "--body", "broken"), ("gateway",), ("compare", "--format", "json")):
        message = fails(*command, JOURNEY, code=1)
        assert "plugin 'broken' failed in hook 'gateway_requirements'" in message, command
        assert f"'acme-id' whose mandatory is {mandatory} but whose strength is {strength!r}" in message


@pytest.mark.parametrize("date, status, needs, said", [
    (None, "missed", None, "whose status is 'missed' but whose date is None"),
    (None, "met", None, "whose status is 'met' but whose date is None"),
    (dt.date(2025, 12, 1), "met", "the date the report was submitted",
     "whose status is 'met' but whose needs is 'the date the report was submitted'"),
    (dt.date(2025, 12, 1), "unknown", None, "whose status is 'unknown' but whose needs is None"),
])
def test_a_deadline_whose_date_status_and_needs_disagree_is_the_plugins_failure(monkeypatch, date, status, needs,
                                                                                said):
    def deadlines(self, ruleset, record):
        return [_deadline(date, status, needs)]

    use_plugins(monkeypatch, body_plugin(deadlines=deadlines))
    for command in (("grade", "--body", "broken"), ("timeline",)):
        message = fails(*command, JOURNEY, code=1)
        assert "plugin 'broken' failed in hook 'deadlines'" in message and f"'acme-due' {said}" in message


def test_a_resit_decisions_deadline_is_held_to_the_same_rule(monkeypatch):
    def resit_policy(self, ruleset, record, history):
        return epa.ResitDecision(capped=False, full_retake_required=False,
                                 deadlines=(_deadline(None, "open", None),))

    use_plugins(monkeypatch, body_plugin(resit_policy=resit_policy))
    message = fails("grade", "--body", "broken", JOURNEY, code=1)
    assert "plugin 'broken' failed in hook 'resit_policy'" in message
    assert "deadlines is a tuple of 1 item whose item 0 is an epa.Deadline 'acme-due' whose status is 'open' but " \
        "whose date is None" in message


@pytest.mark.parametrize("deadline", [_deadline(dt.date(2025, 12, 1), "open", None),
                                      _deadline(None, "unknown", "the start date"),
                                      _deadline(dt.date(2025, 12, 1), "unknown", "the reworked submission's date")])
def test_deadlines_that_agree_are_taken(monkeypatch, deadline):
    """A dated one open; an undated one unknown, naming what it needs; a dated one unknown, naming what it needs
    (a rework's: its due date known, the submission's not)."""
    use_plugins(monkeypatch, body_plugin(deadlines=lambda self, ruleset, record: [deadline]))
    done = run("grade", "--body", "broken", "--format", "json", JOURNEY)
    assert done.exit_code == 0, done.stderr
    (shown,) = [d for d in json.loads(done.stdout)["deadlines"] if d["id"] == "acme-due"]
    assert (shown["status"], shown["needs"]) == (deadline.status, deadline.needs)


def test_what_disagrees_is_said_where_it_sits():
    """As ``contracts.problem`` says where a wrong value sits: which answer, which item, its id, the two fields."""
    from epa import contracts

    assert contracts.disagrees("gateway_requirements", [[_requirement(True, "mandatory"), _requirement(
        True, "optional")], []]) == ("returned a list of 2 items whose item 1 is an epa.Requirement 'acme-id' whose "
                                     "mandatory is True but whose strength is 'optional': mandatory is True exactly "
                                     "where strength is 'mandatory'")
    assert contracts.disagrees("gateway_requirements", [[_requirement(False, "optional")]]) is None
    assert contracts.disagrees("deadlines", [[_deadline(None, "unknown", "the start date")]]) is None
    assert contracts.disagrees("resit_policy", None) is None


# --- a resit_policy answering None: the default decides, as for a body without the hook ----------------------

RESAT = """\
standard: ST0071
apprentice: {id: A-1, start_date: 2024-09-02}
gateway: {date: 2025-09-03}
assessments:
  - {method: project, date: 2025-11-10, grade: fail}
  - {method: discussion, date: 2025-11-12, grade: distinction}
  - {method: observation, date: 2025-11-17, grade: distinction}
  - {method: project, kind: resit, date: 2025-12-15, grade: distinction}
"""


def _silent_policy(self, ruleset, record, history):
    """A policy written for some histories only (none of this test's): None, "no answer", for every other."""
    return None


def test_a_resit_policy_answering_none_leaves_the_record_to_the_default_as_without_the_hook(monkeypatch, tmp_path):
    """Highfield's ST0071 cap is on the resit's own grade ("The maximum grade awarded to a resit will be pass",
    its journey's cap, caps: method): the project resat with a distinction is awarded pass, and the matrix gives
    pass for pass, distinction, distinction. Before, the default's decision answering for a policy's None capped
    the overall grade instead, the project shown a distinction; now the answer is the one the body gives
    without the hook, whole, one record (explained) and a cohort (compiled) alike."""
    record = tmp_path / "resat.yaml"
    record.write_text(RESAT, encoding="utf-8")
    cohort = tmp_path / "cohort.jsonl"
    cohort.write_text(json.dumps(__import__("yaml").safe_load(RESAT), default=str) + "\n", encoding="utf-8")
    shown = {}
    for name, plugin in (("silent", body_plugin("highfield", resit_policy=_silent_policy)),
                         ("without", body_plugin("highfield"))):
        use_plugins(monkeypatch, plugin)
        done = run("grade", "--body", "broken", "--format", "json", str(record))
        assert done.exit_code == 0, done.stderr
        rows = run("compare", "--batch", str(cohort), "--format", "json")
        table = run("compare", "--batch", str(cohort), "--format", "csv")  # the cohort engine's decisions
        assert rows.exit_code == 0 and table.exit_code == 0, rows.stderr + table.stderr
        shown[name] = json.loads(done.stdout), [json.loads(line) for line in rows.stdout.splitlines()], \
            list(csv.DictReader(io.StringIO(table.stdout, newline="")))
    graded, _, (row,) = shown["silent"]
    assert graded["components"]["project"] == "pass" and graded["overall"] == "pass"
    assert (row["project"], row["overall"]) == ("pass", "pass")
    assert shown["silent"] == shown["without"]


def test_a_cohort_asks_a_resit_policy_answering_none_once_a_record(monkeypatch, tmp_path):
    """The cohort engine asked the hook, and on its None (Highfield's cap being on the resit's own grade) graded the
    record as grading explains it, which asked the hook again: two calls a record, each a plugin's work and each a
    chance of another answer. One record with a resit, one without: one call each."""
    asked = []

    def counting(self, ruleset, record, history):
        asked.append(record.apprentice.id)
        return None

    first = __import__("yaml").safe_load(RESAT)
    plain = {**first, "apprentice": {"id": "A-2", "start_date": "2024-09-02"}, "assessments": first["assessments"][:3]}
    cohort = tmp_path / "cohort.jsonl"
    cohort.write_text("".join(json.dumps(r, default=str) + "\n" for r in (first, plain)), encoding="utf-8")
    use_plugins(monkeypatch, body_plugin("highfield", resit_policy=counting))
    done = run("compare", "--batch", str(cohort), "--format", "csv")
    assert done.exit_code == 0, done.stderr
    assert sorted(asked) == ["A-1", "A-2"]


# --- the listing rule, stated once -------------------------------------------------------------------------


def test_grading_and_the_conformance_suite_read_one_listing_rule(monkeypatch):
    """What a grade's lists may name is ``contracts.listed_untrue``, which grading (``contracts.untold``) and the
    suite (``missing-pass-fails``) both read: a rule changed there changes both, each keeping its own words. (Two
    copies of it were kept before: one could be changed and not the other.)"""
    from test_conformance import check, failures

    from epa import contracts, defaults

    def every_list_untrue(ruleset, method, met, result):
        yield "pass_missing", "pass", False, ["no-such-criterion"]

    monkeypatch.setattr(contracts, "listed_untrue", every_list_untrue)
    rules = body_plugin().register_body().rulesets[-1]
    method = rules.method_ids[0]
    said = contracts.untold("grade_component", defaults.grade_component(rules, method, frozenset()),
                            {"ruleset": rules, "method": method, "criteria_met": frozenset()})
    assert said is not None and "whose pass_missing names 'no-such-criterion', not a pass criterion" in said
    found = failures(check(("broken", body_plugin()), "missing-pass-fails"))
    assert found and "its pass_missing naming no-such-criterion: not a pass criterion the record misses" in \
        found[0].message


# --- a hook changing what it is given --------------------------------------------------------------------------


def _with_installed(monkeypatch, plugin) -> None:
    """The CLI sees the test's plugin beside every installed body (its id sorts first: it grades first)."""
    from epa import cli
    from epa.registry import Registry, installed_candidates

    monkeypatch.setattr(cli, "_registry", lambda: Registry([("broken", plugin), *installed_candidates()]))


@pytest.mark.parametrize("change, where", [
    (lambda record: record.attempts_by_method.clear(), "the record's $.assessments (by method).project"),
    (lambda record: record.document_versions.update(x="0.0"), "the record's $.document_versions.x"),
    (lambda record: record.schedule.update(project=dt.date(2020, 1, 1)), "the record's $.schedule.project"),
])
def test_a_hook_changing_the_record_is_the_plugins_failure_not_the_other_bodies_answer(monkeypatch, change, where):
    """A deadlines hook emptying the record's attempts by method (the grouping every body reads): each body graded
    after it gave no grade for any method, exit 0; one naming a document version for a body: refused as the user's
    input, exit 2. Now the plugin's failure, exit 1, naming the entry changed."""
    def deadlines(self, ruleset, record):
        change(record)
        return []

    _with_installed(monkeypatch, body_plugin(deadlines=deadlines))
    message = fails("compare", "--format", "json", JOURNEY, code=1)
    assert f"plugin 'broken' failed in hook 'deadlines': changed the record it was given: {where}" in message


def test_a_hooks_change_to_the_rules_or_the_record_is_undone():
    """In-process, as `epa serve` or a cohort goes on after a record's failure: what the hook changed is put back,
    so that no later grading reads it."""
    import attrs

    from epa.model.domain import ComponentRule
    from epa.registry import Registry
    from epa.testing import make_plugin

    rules = attrs.evolve(body_plugin().register_body().rulesets[-1], component_rules={})
    method = rules.method_ids[0]

    def lenient(self, ruleset, method, criteria_met):
        ruleset.component_rules[method] = ComponentRule(text="any one", citation="acme.txt § 1",
                                                        distinction_threshold=1)
        return epa.defaults.grade_component(ruleset, method, criteria_met)

    def combine(self, ruleset, components):
        components.clear()
        return epa.defaults.combine_grades(ruleset, {m: epa.Grade.PASS for m in ruleset.method_ids})

    loaded = Registry([("acme", make_plugin("acme", [rules], grade_component=lenient,
                                            combine_grades=combine))]).body("acme")
    ruleset = loaded.body.rulesets[-1]
    with pytest.raises(PluginError) as info:
        loaded.call("grade_component", ruleset=ruleset, method=method, criteria_met=frozenset())
    assert info.value.hook == "grade_component" and ruleset.component_rules == {}
    assert f"changed the ruleset it was given: {rules.standard} version {rules.document.version}'s " \
        f"$.component_rules.{method}" in info.value.problem
    grades = {m: epa.Grade.PASS for m in ruleset.method_ids}
    with pytest.raises(PluginError, match="changed the components it was given: its components"):
        loaded.call("combine_grades", ruleset=ruleset, components=grades)
    assert grades == {m: epa.Grade.PASS for m in ruleset.method_ids}


def _read_only(mapping) -> list[str]:
    """Each change a dict allows that the mapping let through (none, read-only), its entries compared after."""
    before = dict(mapping)
    key = next(iter(mapping), "a key")
    changes = {"set": lambda m: m.__setitem__("new", 1), "delete": lambda m: m.__delitem__(key),
               "setdefault": lambda m: m.setdefault("new", 1), "pop": lambda m: m.pop(key),
               "popitem": lambda m: m.popitem(), "update": lambda m: m.update(new=1), "clear": lambda m: m.clear(),
               "|=": lambda m: m.__ior__({"new": 1})}
    let_through = []
    for name, change in changes.items():
        try:
            change(mapping)
        except TypeError:
            pass
        except KeyError:  # (an empty mapping's popitem, delete or pop: no change, as a dict's)
            pass
        if dict(mapping) != before:
            let_through.append(name)
    return let_through


def test_the_rules_and_a_record_are_read_only_and_copies_of_them_are_not():
    """Every mapping a hook can be given, within the rules or a record, refuses each change a dict allows (before,
    each was a dict a hook could change, for every later reader, a copy compared after each call to catch it);
    a copy of one (``dict(...)``, ``.copy()``), the docs' advice, is an ordinary dict."""
    import attrs

    from epa.model.domain import Ambiguity, Apprentice, Attempt, Gateway, Record

    rules = body_plugin().register_body().rulesets[-1]
    methods = rules.method_ids
    rules = attrs.evolve(rules, ambiguities=(Ambiguity(
        id="acme-table", citation="acme.txt § Table", text_says="a row is missing", reading="pass", why="unclear",
        rules=("combination",), combinations=({m: epa.Grade.PASS for m in methods},)),))
    record = Record(rules.standard, Apprentice("A-1"), Gateway(dt.date(2025, 9, 1)),
                    (Attempt(methods[0], dt.date(2025, 10, 1), grade=epa.Grade.PASS),),
                    {"broken": rules.document.version or "1.0"}, schedule={methods[-1]: dt.date(2025, 11, 1)})
    held = {"component_rules": rules.component_rules, "a row's when": rules.combination.rows[0].when,
            "an ambiguity's combinations": rules.ambiguities[0].combinations[0],
            "document_versions": record.document_versions, "schedule": record.schedule,
            "attempts_by_method": record.attempts_by_method}
    assert {name: _read_only(mapping) for name, mapping in held.items()} == {name: [] for name in held}
    import copy as copying

    for mapping in held.values():
        # (copy.copy and copy.deepcopy too: a plugin copying so was refused as changing what it was not given)
        for copy in (dict(mapping), mapping.copy(), copying.copy(mapping), copying.deepcopy(mapping)):
            copy["new"] = 1
            assert copy["new"] == 1 and "new" not in mapping
    deep = copying.deepcopy(rules)  # a copy of the whole rules: its mappings are the copier's own
    deep.component_rules["new"] = deep.component_rules[methods[0]]
    assert "new" not in rules.component_rules


def test_a_hook_changing_what_the_fence_did_not_compare_is_refused_at_its_line():
    """An ambiguity's combinations (which combinations of grades its reading decides, read by `epa consistency`)
    were dicts no copy was compared with: a hook that changed one changed the reading for every later reader, and
    passed. Now the change is refused where it is written: the plugin's failure, naming the entry and the line."""
    import attrs

    from epa.model.domain import Ambiguity
    from epa.registry import Registry
    from epa.testing import make_plugin

    rules = body_plugin().register_body().rulesets[-1]
    grades = {m: epa.Grade.PASS for m in rules.method_ids}
    rules = attrs.evolve(rules, ambiguities=(Ambiguity(
        id="acme-table", citation="acme.txt § Table", text_says="a row is missing", reading="pass", why="unclear",
        rules=("combination",), combinations=(dict(grades),)),))
    method = rules.method_ids[0]

    def widening(self, ruleset, components):
        ruleset.ambiguities[0].combinations[0][method] = epa.Grade.DISTINCTION  # the line the failure names
        return epa.defaults.combine_grades(ruleset, components)

    changes_at = widening.__code__.co_firstlineno + 1
    loaded = Registry([("acme", make_plugin("acme", [rules], combine_grades=widening))]).body("acme")
    ruleset = loaded.body.rulesets[-1]
    with pytest.raises(PluginError) as info:
        loaded.call("combine_grades", ruleset=ruleset, components=dict(grades))
    assert info.value.hook == "combine_grades" and ruleset.ambiguities[0].combinations[0] == grades
    assert f"changed the ruleset it was given: {rules.standard} version {rules.document.version}'s " \
        f"$.ambiguities[acme-table].combinations[0].{method} (" in info.value.problem
    assert info.value.line == changes_at
