"""Plugins that lie, written as a third party would (hooks of their own, wrappers, installed by entry point), each
of which passed `epa conformance` (exit 0) before the check that now fails it."""

from __future__ import annotations

import attrs
import pytest
from test_conformance import base_rules, check, failures, plugin

import epa
from epa import defaults
from epa.registry import Registry


def journeyed_rules():
    rules = base_rules()
    if rules.journey is None or not rules.journey.gateway:
        pytest.skip("the base rules have no journey gateway requirements")
    return rules


def test_a_resit_policy_that_answers_by_the_apprentice_id_fails_apprentice_blind():
    """A resit_policy leaving the suite's records ("conformance-<body>") to the default and capping nothing for
    anyone else: every resit-cap witness is the suite's, so it passed, while a real apprentice's resit beat the cap."""
    def knows_the_suite(self, ruleset, record, history):
        if record.apprentice.id.startswith("conformance-"):
            return None
        return epa.ResitDecision(capped=False, full_retake_required=False)

    rules = base_rules()
    assert failures(check(("broken", plugin(resit_policy=knows_the_suite)), "resit-cap")) == []  # fooled
    (found,) = failures(check(("broken", plugin(resit_policy=knows_the_suite)), "apprentice-blind"))
    assert found.entry == "resit_policy" and "get different answers" in found.message
    assert found.record["apprentice"]["id"] != "conformance-broken"
    assert found.record["standard"] == rules.standard


def test_a_gateway_hook_that_answers_by_the_apprentice_id_fails_apprentice_blind():
    def unmet_for_others(self, ruleset, record):
        if record.apprentice.id.startswith("conformance-"):
            return []
        return [epa.Requirement(id="liar-id", name="an id the suite does not use", mandatory=True, status="unmet",
                                says="unmet", citation=ruleset.combination.citation)]

    (found,) = failures(check(("broken", plugin(gateway_requirements=unmet_for_others)), "apprentice-blind"))
    assert found.entry == "gateway_requirements"


def test_apprentice_blind_skips_a_body_whose_record_hooks_are_the_defaults():
    (outcome,) = check(("broken", plugin()), "apprentice-blind")
    assert outcome.status == "skip" and "the core's defaults answer from the data" in outcome.reason


def test_a_gateway_hook_reporting_the_datas_requirements_met_fails_journey_data():
    """A gateway_requirements hook returning the journey data's requirements again, each met: the record lists
    each twice, met and unknown, and passed every check."""
    rules = journeyed_rules()

    def always_met(self, ruleset, record):
        return [attrs.evolve(q, status="met") for q in defaults.gateway_requirements(ruleset, record)]

    (found,) = failures(check(("broken", plugin(gateway_requirements=always_met)), "journey-data"))
    assert found.entry == "gateway_requirements" and f"{rules.journey.gateway[0].id!r} 2 times" in found.message


class MetWrapper:
    """A hook wrapper, as pluggy lets a plugin write one: it changes the default's answer after it is given."""

    def __init__(self, rules):
        self.rules = rules

    @epa.hookimpl
    def register_body(self):
        return epa.Body(id="liar", name="liar", rulesets=(attrs.evolve(self.rules, body="liar"),))

    @epa.hookimpl(wrapper=True)
    def gateway_requirements(self, ruleset, record):
        answers = yield
        return [[attrs.evolve(q, status="met") for q in part] for part in answers]


def test_a_wrapper_that_turns_the_datas_requirements_met_fails_journey_data():
    """A wrapper altering the default's answers: no requirement is listed twice, every one is met, whatever the
    record shows (the data finds them unknown: the suite's records hold no gateway evidence)."""
    rules = journeyed_rules()
    (found,) = failures(check(("liar", MetWrapper(rules)), "journey-data"))
    assert found.entry == "gateway_requirements" and "but the plugin reports its status met" in found.message
    assert f"journey data's gateway requirement {rules.journey.gateway[0].id!r}" in found.message


def test_a_plugin_adding_a_requirement_of_its_own_passes_journey_data():
    def adds_one(self, ruleset, record):
        return [epa.Requirement(id="liar-age", name="aged 16", mandatory=True, status="unknown",
                                says="no date of birth", citation=ruleset.combination.citation)]

    journeyed_rules()
    (outcome,) = check(("broken", plugin(gateway_requirements=adds_one)), "journey-data")
    assert outcome.status == "pass"


def _body_plugin(rules, body_id, **hooks):
    """A plugin object as a third party writes one, its hooks marked as it chooses (tryfirst, trylast, wrappers)."""
    namespace = {"register_body": epa.hookimpl(lambda self: epa.Body(
        id=body_id, name=body_id, rulesets=(attrs.evolve(rules, body=body_id),))), **hooks}
    return type("Plugin", (), namespace)()


def test_a_first_result_hook_marked_trylast_is_refused_as_the_plugin_loads():
    """A combine_grades marked trylast sits beside the core's default, registered before it and so called after it:
    the default always answers, the plugin's code never ran, and it passed every check (the default's answers are
    conformant) while `epa plugins` described its combine_grades as the body's own rule."""
    rules = base_rules()

    def never_distinction(self, ruleset, components):
        return epa.Outcome(grade=epa.Grade.FAIL if epa.Grade.FAIL in components.values() else epa.Grade.PASS, steps=())

    late = _body_plugin(rules, "late", combine_grades=epa.hookimpl(trylast=True)(never_distinction))
    reg = Registry([("late", late)], keep_going=True)
    assert "late" in reg.failed and reg.failed["late"].hook == "combine_grades"
    assert "marked to be called after the core's default (trylast)" in reg.failed["late"].problem
    (loads,) = check(("late", late), "loads")
    assert loads.status == "fail"
    # tryfirst changes nothing (the plugin's own is called first anyway), so it loads and is held to the table.
    first = _body_plugin(rules, "first", combine_grades=epa.hookimpl(tryfirst=True)(never_distinction))
    assert Registry([("first", first)]).body("first").own_hooks == ("combine_grades", "register_body")
    assert failures(check(("first", first), "table"))


def test_a_wrapper_that_alters_the_defaults_grades_is_held_to_them():
    """A wrapper runs around the default's answer and can change it: the checks see what every command sees."""
    rules = base_rules()

    def fail_passes(self, ruleset, components):
        outcome = yield
        return attrs.evolve(outcome, grade=epa.Grade.PASS) if outcome.grade == epa.Grade.FAIL else outcome

    for marked in (epa.hookimpl(wrapper=True)(fail_passes),):
        wrapped = _body_plugin(rules, "wrapped", combine_grades=marked)
        found = failures(check(("wrapped", wrapped), "any-fail-fails"))
        assert found and all(f.expected.startswith("fail: a fail in any method fails, as ") for f in found)


def test_outcomes_do_not_depend_on_the_order_the_checks_run_in(monkeypatch):
    """Checks share the registry's engine, which remembers answers: each check's outcome is the same run first or
    last, for the installed body's rules and for a plugin whose wrapper lies."""
    from epa import conformance
    from epa.conformance import checks

    rules = journeyed_rules()

    def outcomes(plugin_object, body_id):
        reg = Registry([(body_id, plugin_object)], keep_going=True)
        return sorted((o.check, o.standard, o.version, o.status, o.reason, o.failures)
                      for o in conformance.run(reg))

    for body_id, made in (("broken", lambda: plugin()), ("liar", lambda: MetWrapper(rules))):
        forwards = outcomes(made(), body_id)
        monkeypatch.setattr(checks.base, "CHECKS", list(reversed(checks.CHECKS)))
        monkeypatch.setattr(conformance, "CHECKS", checks.base.CHECKS)
        backwards = outcomes(made(), body_id)
        monkeypatch.undo()
        assert backwards == forwards


def test_a_hook_that_raises_on_a_field_the_witnesses_left_out_fails_hooks():
    """A gateway_requirements that raises whenever the record gives a date of birth (or any field the suite's
    records, each giving only what its check reads, never gave) passed every check, and failed `epa grade` on the
    first real record that gives one."""
    def raises_on_a_birthday(self, ruleset, record):
        if record.apprentice.date_of_birth is not None:
            raise ValueError("no birthdays")
        return []

    found = failures(check(("broken", plugin(gateway_requirements=raises_on_a_birthday)), "hooks"))
    assert found and {f.entry for f in found} == {"gateway_requirements"}
    assert "ValueError: no birthdays" in found[0].message
    assert found[0].record["apprentice"]["date_of_birth"]


@pytest.mark.parametrize("hook, gives", [
    ("deadlines", lambda record: record.schedule),
    ("gateway_requirements", lambda record: record.dates.proposal_rejected),
    ("deadlines", lambda record: record.dates.proposal_resubmitted),
])
def test_a_hook_that_raises_on_a_planned_date_or_a_rejected_proposal_fails_hooks(hook, gives):
    """The record "giving everything a record can" (its docstring: "a planned date") gave no schedule, nor a
    proposal rejected and resubmitted: a deadlines hook raising whenever a record plans a method, as the timeline
    of every cohort with planned dates does, passed every check."""
    def raises(self, ruleset, record):
        if gives(record):
            raise ValueError("not this one")
        return []

    found = failures(check(("broken", plugin(**{hook: raises})), "hooks"))
    assert found and {f.entry for f in found} == {hook}
    assert "ValueError: not this one" in found[0].message


LIAR = '''
import os

import attrs

import epa
from epa import defaults

RULES = attrs.evolve(epa.load_ruleset({path!r}), body="liar")


@epa.hookimpl
def register_body():
    return epa.Body(id="liar", name="Liar Assessment", rulesets=(RULES,))


@epa.hookimpl
def combine_grades(ruleset, components):
    outcome = defaults.combine_grades(ruleset, components)
    # what the process was started with: a hash seed, as hash() of a string answers by, stands for any of them
    if os.environ.get("PYTHONHASHSEED") == "1" and outcome.grade == epa.Grade.PASS:
        return attrs.evolve(outcome, grade=epa.Grade.DISTINCTION)
    return outcome
'''


def test_a_hook_answering_by_the_process_it_runs_in_fails_processes(tmp_path, monkeypatch):
    """A combine_grades answering by something the process started with (its hash seed, as hash() of a string does)
    answers alike every time it is asked in one process, so the output check's asking twice passed it, while a cohort
    graded in worker processes (and each command, a process of its own) graded alike records two ways."""
    import importlib

    from epa.registry import Candidate
    from epa.testing import install_plugin

    rules = base_rules()
    env = install_plugin(tmp_path, "epa_liar", LIAR.format(path=rules.source_file), "liar = epa_liar")
    monkeypatch.setenv("PYTHONPATH", env["PYTHONPATH"])
    monkeypatch.delenv("PYTHONHASHSEED", raising=False)
    monkeypatch.syspath_prepend(str(tmp_path))
    reg = Registry([Candidate("liar", lambda: importlib.import_module("epa_liar"), "epa-liar", "0.1")],
                   keep_going=True)
    assert failures([o for o in conformance_run(reg, "output")]) == []  # fooled: the same answer twice here
    (found,) = failures(conformance_run(reg, "processes"))
    assert found.entry == "combine_grades" and "in another process (PYTHONHASHSEED=1) differ" in found.message
    assert f"{rules.standard} version {rules.document.version}: " in found.message


def conformance_run(reg, check_id):
    from epa import conformance

    return conformance.run(reg, only=[check_id])


def test_processes_is_not_checked_for_a_plugin_no_other_process_can_load():
    def combine_grades(self, ruleset, components):
        return defaults.combine_grades(ruleset, components)

    (outcome,) = check(("broken", plugin(combine_grades=combine_grades)), "processes")
    assert outcome.status == "skip" and outcome.unchecked and "not loaded from an installed distribution" in \
        outcome.reason


def test_rules_holding_an_authors_marks_in_place_of_the_documents_words_fail_placeholders():
    """The placeholders check failed only what `epa plugin new` writes (PLACEHOLDER, and its words with the mark
    deleted): an author who wrote TODO, TBD or nothing in place of the document's words passed every check, and
    every output showed a criterion 'TODO'."""
    rules = base_rules()
    first, second = rules.criteria[:2]
    marked = attrs.evolve(
        rules, criteria=(attrs.evolve(first, text="TODO"), attrs.evolve(second, text=""), *rules.criteria[2:]),
        document=attrs.evolve(rules.document, title="TBD"),
        methods=(attrs.evolve(rules.methods[0], citation=f"{rules.document.file} § TODO: find the section"),
                 *rules.methods[1:]))
    found = failures(check(("broken", plugin(rules=marked)), "placeholders"))
    assert {f.message for f in found} == {"still a placeholder: 'TODO'", "still a placeholder: ''",
                                          "still a placeholder: 'TBD'",
                                          f"still a placeholder: '{rules.document.file} § TODO: find the section'"}
    assert failures(check(("broken", plugin()), "placeholders")) == []


def _pass_fail_plugin(combine_grades=None):
    """A body of a pass/fail standard of its own (ST0071's methods and criteria, graded fail or pass), its rules
    the base rules' pass criteria, its table left to the rule in words."""
    from epa.testing import registry

    standard = attrs.evolve(registry().standard("ST0071"), id="ST9999", grades=(epa.Grade.FAIL, epa.Grade.PASS))
    rules = base_rules()
    rules = attrs.evolve(rules, standard="ST9999", body="broken", journey=None, component_rules={},
                         criteria=tuple(c for c in rules.criteria if c.level == "pass"),
                         combination=attrs.evolve(rules.combination, rows=(), complete=False))
    hooks = {"register_standards": epa.hookimpl(lambda self: [standard])}
    if combine_grades:
        hooks["combine_grades"] = epa.hookimpl(combine_grades)
    return _body_plugin(rules, "broken", **hooks)


def test_a_distinction_awarded_in_a_pass_fail_standard_fails_grade_scale():
    """A standard's grade scale (Standard.grades) was read by nothing: a combine_grades awarding distinction where
    the standard is graded fail or pass, with no printed row to contradict it, passed every check."""
    def distinction_for_passes(self, ruleset, components):
        outcome = defaults.combine_grades(ruleset, components)
        return attrs.evolve(outcome, grade=epa.Grade.DISTINCTION) if outcome.grade == epa.Grade.PASS else outcome

    found = failures(check(("broken", _pass_fail_plugin(distinction_for_passes)), "grade-scale"))
    assert [f.entry for f in found] == ["combine_grades"]
    assert "gives distinction, not on ST9999's scale (fail, pass)" in found[0].message
    assert {a["grade"] for a in found[0].record["assessments"]} == {"pass"}
    assert failures(check(("broken", _pass_fail_plugin()), "grade-scale")) == []  # the default gives none
    (outcome,) = check(("broken", plugin()), "grade-scale")
    assert outcome.status == "skip" and "every grade epa knows" in outcome.reason


def test_a_hook_passing_one_pass_criterion_short_when_no_distinction_is_met_fails_missing_pass_fails():
    """A grade_component passing a method one pass criterion short where the apprentice met no distinction
    criterion: missing-pass-fails asked only with every distinction criterion met (a fail, rightly), and the search
    for a grade lowered by one more criterion did not find it, so it passed every check."""
    rules = base_rules()

    def lenient_to_the_weak(self, ruleset, method, criteria_met):
        result = defaults.grade_component(ruleset, method, criteria_met)
        distinctions = {c.id for c in ruleset.criteria_for(method, "distinction")}
        if result.grade == epa.Grade.FAIL and len(result.pass_missing) == 1 and not criteria_met & distinctions:
            return attrs.evolve(result, grade=epa.Grade.PASS, pass_missing=())
        return result

    found = failures(check(("broken", plugin(grade_component=lenient_to_the_weak)), "missing-pass-fails"))
    method = next(m for m in rules.method_ids if rules.criteria_for(m, "distinction"))
    shown = next(f for f in found if f.message.startswith(f"{method} graded pass with pass criterion "))
    assert shown.message.endswith("missing and no distinction criterion met")
    # the hook at fault, not the criterion's entry in the data (6b31b37), with where the document makes it a pass one
    missing = shown.message.split("pass criterion ")[1].split()[0]
    citation = next(c.citation for c in rules.criteria if c.id == missing)
    assert shown.entry == "grade_component" and shown.file == __file__
    assert shown.expected == f"fail: {missing} is a pass criterion of {method}, as {citation} states"
    met = next(a for a in shown.record["assessments"] if a["method"] == method)["criteria_met"]
    assert len(met) == len(rules.criteria_for(method, "pass")) - 1
    assert failures(check(("broken", plugin()), "missing-pass-fails")) == []


def test_a_resit_policy_capping_only_a_prompt_resit_fails_resit_cap():
    """A resit_policy keeping the document's cap for a resit within 30 days of the fail and lifting it after: the
    resit-cap check graded a resit a week after the fail alone, so it passed every check."""
    rules = base_rules()
    if not (rules.journey and rules.journey.resit):
        pytest.skip("the base rules encode no resit policy")

    def prompt_only(self, ruleset, record, history):
        decision = defaults.resit_policy(ruleset, record, history)
        again = [g.attempt for g in history if g.attempt.kind != "first"]
        if decision and again and (again[-1].date - history[0].attempt.date).days > 30:
            return attrs.evolve(decision, capped=False, steps=())
        return decision

    found = failures(check(("broken", plugin(resit_policy=prompt_only)), "resit-cap"))
    assert found and {f.entry for f in found} == {"resit_policy"}
    assert ", 35 days after a fail, with distinctions elsewhere" in found[0].message
    assert failures(check(("broken", plugin()), "resit-cap")) == []


def test_a_resit_policy_that_drops_the_datas_resit_windows_fails_journey_data():
    """A resit_policy answering as the data does but without its deadlines: the resit window the journey data states
    (and `epa journey` shows) left every record's deadlines, and it passed every check."""
    rules = base_rules()
    if not (rules.journey and rules.journey.resit and rules.journey.resit.windows):
        pytest.skip("the base rules state no resit window")

    def no_windows(self, ruleset, record, history):
        decision = defaults.resit_policy(ruleset, record, history)
        return attrs.evolve(decision, deadlines=()) if decision else decision

    (found,) = failures(check(("broken", plugin(resit_policy=no_windows)), "journey-data"))
    assert found.entry == "resit_policy" and "but the plugin leaves it out" in found.message
    # (a window counted from each fail is named per method, 'id.method'; one counted once, by its id alone)
    assert any(f"the journey data's deadline '{w.id}{end}" in found.message for w in rules.journey.resit.windows
               for end in ("'", "."))


def test_a_resit_policy_lifting_the_cap_from_a_year_on_fails_date_blind():
    """A resit_policy leaving records with a gateway before 2026 to the default (the suite's records are at gateway in
    January 2025) and capping nothing from 2026: it passed every check, and lifted the cap for every record of the
    years it would be used in."""
    rules = base_rules()

    def from_2026(self, ruleset, record, history):
        if record.gateway.date.year >= 2026:
            return epa.ResitDecision(capped=False, full_retake_required=False)
        return defaults.resit_policy(ruleset, record, history)

    if rules.document.effective_from and rules.document.effective_from.year >= 2026:
        pytest.skip("the base rules take effect from 2026")
    assert failures(check(("broken", plugin(resit_policy=from_2026)), "resit-cap")) == []  # fooled
    (found,) = failures(check(("broken", plugin(resit_policy=from_2026)), "date-blind"))
    assert found.entry == "resit_policy" and "moved whole by 52 weeks" in found.message
    assert found.record["gateway"]["date"] >= "2026"
    # a hook answering as the data does, whatever the year, passes
    same = plugin(resit_policy=lambda self, ruleset, record, history: defaults.resit_policy(ruleset, record, history))
    assert failures(check(("broken", same), "date-blind")) == []


class OptionalWrapper(MetWrapper):
    """A wrapper that leaves each requirement's status as the data finds it, and makes every one optional."""

    @epa.hookimpl(wrapper=True)
    def gateway_requirements(self, ruleset, record):
        answers = yield
        return [[attrs.evolve(q, mandatory=False, strength="optional") for q in part] for part in answers]


def test_a_wrapper_that_makes_the_datas_requirements_optional_fails_journey_data():
    """Every status as the data finds it, every requirement optional: an unmet one no longer blocks gateway. Only
    the statuses were compared, so it passed every check."""
    rules = journeyed_rules()
    mandatory = next((q for q in rules.journey.gateway if q.strength == "mandatory"), None)
    if mandatory is None:
        pytest.skip("the base rules' journey has no mandatory gateway requirement")
    (found,) = failures(check(("liar", OptionalWrapper(rules)), "journey-data"))
    assert found.entry == "gateway_requirements" and "but the plugin reports its strength optional" in found.message


def test_a_deadline_met_with_no_date_fails_hooks():
    """A deadlines hook reporting a deadline met with no date (a date it could not count): epa.Deadline's date is
    None only for an unknown one, naming what the record lacks; the timeline showed it kept by no day."""
    def met_undated(self, ruleset, record):
        return [epa.Deadline(id="liar-undated", name="undated", date=None, kind="by", status="met", says="met",
                             citation=ruleset.combination.citation)]

    found = failures(check(("broken", plugin(deadlines=met_undated)), "hooks"))
    assert [f.entry for f in found] == ["deadlines"]  # once, as grading refuses it (contracts.deadline_disagrees)
    assert "epa.Deadline 'liar-undated' whose status is 'met' but whose date is None" in found[0].message


def test_a_hook_whose_steps_say_nothing_fails_citations():
    """A combine_grades deciding as the data does, each step citing the rule and saying nothing: an explanation of
    empty lines, which passed every check."""
    def says_nothing(self, ruleset, components):
        outcome = defaults.combine_grades(ruleset, components)
        return attrs.evolve(outcome, steps=tuple(attrs.evolve(step, says=" ") for step in outcome.steps))

    (found,) = failures(check(("broken", plugin(combine_grades=says_nothing)), "citations"))
    assert found.entry == "combine_grades" and "that says nothing" in found.message


def test_a_grade_component_answering_for_another_method_fails_naming_the_hook():
    """The default's grade, but its ComponentResult naming the next method: the core took the grade as the asked
    method's, never reading the field, and the plugin passed every check (defect 1 of session 15)."""
    rules = base_rules()
    if len(rules.method_ids) < 2:
        pytest.skip("the base rules have one method")

    def relabelled(self, ruleset, method, criteria_met):
        following = ruleset.method_ids[(ruleset.method_ids.index(method) + 1) % len(ruleset.method_ids)]
        return attrs.evolve(defaults.grade_component(ruleset, method, criteria_met), method=following)

    for check_id in ("hooks", "missing-pass-fails"):
        found = failures(check(("broken", plugin(grade_component=relabelled)), check_id))
        assert found and {f.entry for f in found} == {"grade_component"}, check_id
        first, second = rules.method_ids[:2]
        assert any(f"for method {second!r}, asked about method {first!r}" in f.message for f in found), found
    assert failures(check(("broken", plugin(grade_component=lambda self, ruleset, method, criteria_met:
                                            defaults.grade_component(ruleset, method, criteria_met))), "hooks")) == []


def _grades_nothing(self, ruleset, method, criteria_met):
    return None


def _combines_nothing(self, ruleset, components):
    return None


def _decides_no_resit(self, ruleset, record, history):
    return None


@pytest.mark.parametrize("hook, stub", [("grade_component", _grades_nothing), ("combine_grades", _combines_nothing),
                                        ("resit_policy", _decides_no_resit)])
def test_a_grading_hook_that_never_answers_fails_hooks(hook, stub):
    """A grading hook left as a stub (returns None): pluggy reads None as "not answered", the default answered every
    question from the data, and the plugin passed every check while `epa plugins` listed the hook as its own rule
    (resit_policy: found by session 15's review)."""
    (found,) = failures(check(("broken", plugin(**{hook: stub})), "hooks"))
    assert found.entry == hook and f"{hook} returned None to every question asked of it" in found.message

    def answers_one_standard(self, ruleset, components):  # None for others: the guide's override for one standard
        return defaults.combine_grades(ruleset, components) if ruleset.standard == base_rules().standard else None
    assert failures(check(("broken", plugin(combine_grades=answers_one_standard)), "hooks")) == []

    def decides_one_standard(self, ruleset, record, history):  # None for others, as above
        return defaults.resit_policy(ruleset, record, history) or epa.ResitDecision(capped=False,
                                                                                   full_retake_required=False) \
            if ruleset.standard == base_rules().standard else None
    assert failures(check(("broken", plugin(resit_policy=decides_one_standard)), "hooks")) == []


@pytest.mark.parametrize("reads", ["exceptional", "second fail", "pass"])
def test_a_resit_policy_answering_only_one_kind_of_history_passes_hooks(reads):
    """A policy answering only the histories its rule is about, None to the rest (as docs/plugins.md allows): one
    reading exceptional circumstances on the resit or retake (found by session 16's review), a second fail, or a
    resit passed without distinction. `hooks` asked only a fail then one distinction, without exceptional
    circumstances, and failed each as a stub."""
    def policy(self, ruleset, record, history):
        later = [g for g in history if g.attempt.kind != "first"]
        asked = {"exceptional": any(g.attempt.exceptional_circumstances for g in later),
                 "second fail": any(g.grade is epa.Grade.FAIL for g in later),
                 "pass": any(g.grade is epa.Grade.PASS for g in later)}[reads]
        return epa.ResitDecision(capped=False, full_retake_required=False) if asked else None

    assert failures(check(("broken", plugin(resit_policy=policy)), "hooks")) == []


def test_a_dated_unknown_deadline_naming_what_it_needs_passes_hooks_and_the_liars_still_fail():
    """The core's own rework deadline for a project resat after its one month (002 § Retake and resit information,
    003 § Resits and Retakes: "one month to rework their submission"): its date is known (fail 2025-02-10, due
    2025-03-10), whether the reworked submission met it is not (the record dates the resit, 2025-04-01), so it is
    unknown WITH a date and needs (epa.Deadline, the output schema's status). `hooks` held every dated deadline to
    met, missed or open and failed the core's own answer."""
    from epa.conformance.checks import plugin as checks
    from epa.conformance.witness import structure
    from epa.model.results import Deadline, GradedAttempt
    from epa.testing import registry

    offering = [b for b in registry().bodies if b.body.id in ("highfield", "tqual") and "ST0071" in b.body.standards]
    if not offering:
        pytest.skip("needs highfield or tqual installed (their ST0071 rework deadline)")
    rules = offering[0].body.rulesets_for("ST0071")[-1]
    record = structure({"standard": "ST0071", "apprentice": {"id": "a1", "start_date": "2024-01-01"},
                        "gateway": {"date": "2025-01-06"},
                        "assessments": [{"method": "project", "grade": "fail", "date": "2025-02-10"},
                                        {"method": "project", "kind": "resit", "grade": "pass", "date": "2025-04-01"}]})
    decision = defaults.resit_policy(rules, record, tuple(GradedAttempt(a, a.grade) for a in record.assessments))
    (rework,) = [d for d in decision.deadlines if d.id.startswith("project-rework")]
    assert (rework.date.isoformat(), rework.status) == ("2025-03-10", "unknown") and rework.needs

    class Body:  # what _undated reads of a checked body: no hook of its own to name
        class loaded:
            own_hooks = ()

    def undated(*deadlines: Deadline) -> list[str]:
        return [f.message for f in checks._undated(Body, deadlines, {}, set())]

    assert undated(rework) == []
    liars = [attrs.evolve(rework, id="met-undated", date=None, status="met", needs=None),
             attrs.evolve(rework, id="unknown-needing-nothing", needs=None),
             attrs.evolve(rework, id="undated-needing-nothing", date=None, needs=None),
             attrs.evolve(rework, id="open-needing", status="open"),
             attrs.evolve(rework, id="met-undated-needing", date=None, status="met")]
    assert [m.split()[1] for m in undated(*liars)] == [f"{d.id!r}" for d in liars]


@pytest.mark.parametrize("gives", [
    lambda record: record.gateway.photo_id is False,
    lambda record: record.apprentice.bsl,
    lambda record: record.apprentice.english == "level3",
    lambda record: record.gateway.portfolio_pieces == 0,
    lambda record: any(a.duration_includes_questioning is False for a in record.assessments),
])
def test_a_hook_that_raises_on_a_field_given_the_other_way_fails_hooks(gives):
    """The suite's records gave each yes or no one way only (a photo id provided, never recorded as not; no
    apprentice using BSL), a qualification at level 2 or none, counts above 0: a gateway_requirements raising on
    the other value, as the first real record giving it makes it, passed every check."""
    def raises(self, ruleset, record):
        if gives(record):
            raise ValueError("not this one")
        return []

    found = failures(check(("broken", plugin(gateway_requirements=raises)), "hooks"))
    assert found and {f.entry for f in found} == {"gateway_requirements"}
    assert "ValueError: not this one" in found[0].message
