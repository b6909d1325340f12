"""The conformance suite: the installed bodies pass it, and plugins broken on purpose fail it with a message
naming the check and a counterexample (issue 7's "done when")."""

from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
import sys

import attrs
import pytest

import epa
from conftest import needs_a_body
from epa import Grade, cli, conformance, defaults
from epa.registry import Registry
from epa.rules.sources import sources_dir
from epa.testing import make_plugin, ok_json, registry, requires, run, valid

ST0071 = "ST0071"


def base_rules():
    """ST0071 rules of an installed body, as a broken plugin's starting point (any body will do)."""
    offering = [b.ruleset(ST0071) for b in registry().bodies if ST0071 in b.body.standards]
    if not offering:
        pytest.skip("no installed body offers ST0071")
    # one whose source document is at hand, where there is one, so that the source checks can run
    return next((r for r in offering if (sources_dir() / r.document.file).is_file()), offering[0])


def plugin(body_id="broken", rules=None, **hooks):
    """An in-process body plugin with these rules (default: an installed body's ST0071) and hooks."""
    return make_plugin(body_id, [rules or base_rules()], **hooks)


def check(name_and_plugin, check_id, sources=None):
    """The outcomes of one check against one in-process plugin."""
    reg = Registry([name_and_plugin], keep_going=True)
    return [o for o in conformance.run(reg, sources=sources, only=[check_id])]


def failures(outcomes):
    return [f for o in outcomes if o.status == "fail" for f in o.failures]


# --- every installed body -----------------------------------------------------------------------------------


@needs_a_body("`epa conformance` checks the installed bodies")
def test_every_installed_body_passes_every_check_that_applies(tmp_path):
    data = ok_json("conformance", definition="conformance")
    assert data["passed"] is True
    assert set(data["bodies"]) == {b.body.id for b in registry().bodies}
    assert {c["id"] for c in data["checks"]} == {c.id for c in conformance.CHECKS}
    assert all(r["status"] != "fail" for r in data["results"])


@needs_a_body("`epa conformance` checks the installed bodies")
def test_conformance_table_names_every_body_and_check():
    result = run("conformance")
    assert result.exit_code == 0, result.stdout + result.stderr
    for body in registry().bodies:
        assert body.body.id in result.stdout
    for c in conformance.CHECKS:
        assert c.id in result.stdout
    assert "all checks pass" in result.stdout


@needs_a_body("`epa conformance` checks the installed bodies")
@pytest.mark.parametrize("fmt", ["table", "json"])
def test_source_checks_not_made_are_no_pass_exit_4_naming_each(tmp_path, fmt):
    """With the documents absent the sources check skips, and `epa conformance` exited 0 as though every check had
    passed: a body could not tell "passed" from "not checked". It exits 4 (README "Exit codes"), JSON passed false,
    and standard error names each check not made and why."""
    result = run("conformance", "--sources", str(tmp_path), "--check", "sources", "--format", fmt)
    assert result.exit_code == 4, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("not a pass: no check fails, but ")
    rulesets = [r for b in registry().bodies for r in b.body.rulesets]
    assert f" {len(rulesets)} of the checks that apply could not be made (exit 4)" in result.stderr
    if fmt == "json":
        data = valid(result.json(), "conformance")
        assert (data["passed"], data["failed"], data["complete"]) == (False, False, False)
        assert {r["status"] for r in data["results"]} == {"skip"} and all(r["unchecked"] for r in data["results"])
        assert all("source not found" in r["reason"] and str(tmp_path) in r["reason"] for r in data["results"])
        for r in rulesets:
            assert f"  {r.body} sources ({r.standard} v{r.document.version}): source not found" in result.stderr
    else:
        said = " ".join(result.stdout.split())
        assert "all checks pass" not in said and said.endswith(": not a pass")
        assert "source not found" in said


@requires("nqual")
def test_a_check_made_for_one_ruleset_and_not_another_is_no_pass_in_the_matrix(tmp_path):
    """NQual's two packs (000 for ST0071, 001 for ST0072), the folder holding 000 alone: the sources check passes
    for ST0071 and is not made for ST0072, and the run is no pass (exit 4), yet the matrix and the JSON summary said
    "pass" for it (one outcome passed, the other skipped)."""
    from epa.testing import source_text

    (tmp_path / "000_75563123dfdaaed6.txt").write_text(source_text("000_75563123dfdaaed6.txt"), encoding="utf-8")
    result = run("conformance", "nqual", "--sources", str(tmp_path), "--check", "sources", "--format", "json")
    assert result.exit_code == 4, result.stdout + result.stderr
    data = result.json()
    assert sorted(r["status"] for r in data["results"]) == ["pass", "skip"]
    assert data["summary"]["nqual"]["sources"] == "skip" and data["passed"] is False


def test_a_check_that_does_not_apply_is_no_reason_for_exit_4(monkeypatch):
    """date-blind skips for a plugin with no record hook of its own (the defaults answer from the data): the check
    does not apply, which is no "not checked": the suite passes, exit 0."""
    reg = Registry([("broken", plugin())], keep_going=True)
    monkeypatch.setattr(cli, "_load", lambda only, keep_going=False: reg)
    data = ok_json("conformance", "--check", "date-blind", "--check", "criteria", definition="conformance")
    assert data["summary"]["broken"] == {"date-blind": "skip", "criteria": "pass"}
    assert (data["passed"], data["failed"], data["complete"]) == (True, False, True)


def test_a_changed_source_document_fails_its_hash(tmp_path):
    rules = base_rules()
    original = sources_dir() / rules.document.file
    if not original.is_file():
        pytest.skip(f"source document {rules.document.file} not found in {sources_dir()}")
    (tmp_path / rules.document.file).write_text(original.read_text(encoding="utf-8") + "\nedited\n", encoding="utf-8")
    (found,) = failures(check(("broken", plugin()), "sources", tmp_path))
    assert "SHA-256" in found.message and found.entry == "$.document.sha256"


def test_a_citation_of_a_section_the_document_lacks_fails(tmp_path):
    rules = base_rules()
    if not (sources_dir() / rules.document.file).is_file():
        pytest.skip(f"source document {rules.document.file} not found in {sources_dir()}")
    moved = attrs.evolve(rules.methods[0], citation=f"{rules.document.file} § No Such Section")
    broken = attrs.evolve(rules, methods=(moved, *rules.methods[1:]))
    (found,) = failures(check(("broken", plugin(rules=broken)), "sources", sources_dir()))
    assert found.entry == "$.methods[0].citation" and "No Such Section" in found.message


def test_a_citation_of_another_of_the_bodys_documents_is_held_to_that_document(tmp_path):
    """A rule citing the body's other document (its rules for another standard or version: a copied citation) at a
    section that document lacks passed, where `epa check-rules` names it: every citation's section is a line of
    the document it cites, where that document is at hand."""
    import datetime as dt
    import shutil

    from epa.rules.sources import sha256

    rules = base_rules()
    original = sources_dir() / rules.document.file
    if not original.is_file():
        pytest.skip(f"source document {rules.document.file} not found in {sources_dir()}")
    shutil.copy(original, tmp_path / rules.document.file)
    other = tmp_path / "acme-st0071-v9.txt"
    other.write_text("Acme EPA document, version 9\nGrading\nEach method is graded fail, pass or distinction.\n",
                     encoding="utf-8")
    later = attrs.evolve(rules, document=attrs.evolve(
        rules.document, file=other.name, version="9", sha256=sha256(other), effective_from=dt.date(2030, 1, 1)))

    def citing(section):
        moved = attrs.evolve(rules.methods[0], citation=f"{other.name} § {section}")
        return make_plugin("broken", [attrs.evolve(rules, methods=(moved, *rules.methods[1:])), later])

    (found,) = failures(check(("broken", citing("No Such Section")), "sources", tmp_path))
    assert found.entry == "$.methods[0].citation"
    assert "No Such Section" in found.message and other.name in found.message
    assert failures(check(("broken", citing("Grading")), "sources", tmp_path)) == []  # a line of it


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_with_no_body_installed_nothing_is_checked_and_that_is_said_not_passed(monkeypatch, fmt):
    """An empty matrix and "all checks pass", exit 0, was a pass to a script though nothing was checked: it is an
    error saying so (exit 2, nothing on standard output), in either format (README, "Exit codes")."""
    monkeypatch.setattr(cli, "_load", lambda only, keep_going=False: Registry([], keep_going=keep_going))
    result = run("conformance", "--format", fmt)
    assert result.exit_code == 2, result.stdout + result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith("error: no body is installed, so nothing was checked\n")
    assert "all checks pass" not in result.stderr and "epa plugin new" in result.stderr


def test_unknown_body_or_check_is_bad_input():
    assert run("conformance", "nosuchbody").exit_code == 2
    result = run("conformance", "--check", "tabel")
    assert result.exit_code == 2 and "did you mean 'table'?" in result.stderr


# --- plugins broken on purpose ------------------------------------------------------------------------------


def test_a_combination_awarding_distinction_despite_a_fail(monkeypatch, tmp_path):
    rules = base_rules()
    methods = rules.method_ids
    when = {m: ("fail" if m == methods[0] else "distinction") for m in methods}
    bad_row = epa.CombinationRow(when=when, overall=Grade.DISTINCTION, citation=rules.combination.citation)
    broken = attrs.evolve(rules, combination=attrs.evolve(rules.combination, rows=(bad_row, *rules.combination.rows)))
    (found,) = failures(check(("broken", plugin(rules=broken)), "any-fail-fails"))
    assert found.entry == "$.combination.rows[0]" and found.expected == "fail"
    assert found.file == rules.source_file
    # The witness is the smallest record showing it: that combination, and epa grade reproduces it.
    assert [a["grade"] for a in found.record["assessments"]] == [when[m] for m in methods]
    reg = Registry([("broken", plugin(rules=broken))])
    monkeypatch.setattr(cli, "_registry", lambda: reg)
    record = tmp_path / "witness.json"
    record.write_text(json.dumps(found.record), encoding="utf-8")
    out = ok_json("grade", "--body", "broken", str(record), definition="result")
    assert out["overall"] == "distinction" and out["components"][methods[0]] == "fail"


def test_an_uncited_criterion():
    rules = base_rules()
    uncited = attrs.evolve(rules.criteria[0], citation="")
    broken = attrs.evolve(rules, criteria=(uncited, *rules.criteria[1:]))
    (found,) = failures(check(("broken", plugin(rules=broken)), "citations"))
    assert found.entry == "$.criteria[0].citation" and "'<document file> § <section heading>'" in found.expected


def test_a_rule_where_more_criteria_lower_a_grade():
    rules = base_rules()
    method = next(m for m in rules.method_ids if rules.criteria_for(m, "distinction"))
    spoiler = rules.criteria_for(method, "distinction")[0].id

    def grade_component(self, ruleset, method, criteria_met):
        result = defaults.grade_component(ruleset, method, criteria_met)
        return attrs.evolve(result, grade=Grade.FAIL) if spoiler in criteria_met else result

    found = failures(check(("broken", plugin(grade_component=grade_component)), "more-criteria-never-lower"))
    assert len(found) == 1
    assert f"meeting {spoiler} as well lowers the grade" in found[0].message
    assert (found[0].entry, found[0].file) == ("grade_component", __file__)  # the hook, not the criterion (6b31b37)
    met = next(a for a in found[0].record["assessments"] if a["method"] == method)["criteria_met"]
    assert spoiler in met


def test_a_table_with_a_gap():
    rules = base_rules()
    methods = rules.method_ids
    rows = []
    for grades in itertools.product(list(Grade), repeat=len(methods)):
        if set(grades) == {Grade.PASS}:
            continue  # the gap
        overall = Grade.FAIL if Grade.FAIL in grades else (
            Grade.DISTINCTION if set(grades) == {Grade.DISTINCTION} else Grade.PASS)
        rows.append(epa.CombinationRow(when=dict(zip(methods, [str(g) for g in grades], strict=True)),
                                       overall=overall, citation=rules.combination.citation))
    table = attrs.evolve(rules.combination, rows=tuple(rows), complete=True)
    (found,) = failures(check(("broken", plugin(rules=attrs.evolve(rules, combination=table))), "table"))
    assert "no row of the table matches" in found.message and found.entry == "$.combination.rows"
    assert {a["grade"] for a in found.record["assessments"]} == {"pass"}


def test_two_rows_that_disagree():
    rules = base_rules()
    when = {m: "pass" for m in rules.method_ids}
    rows = (epa.CombinationRow(when=when, overall=Grade.PASS, citation=rules.combination.citation),
            epa.CombinationRow(when=when, overall=Grade.DISTINCTION, citation=rules.combination.citation))
    table = attrs.evolve(rules.combination, rows=rows + rules.combination.rows)
    found = failures(check(("broken", plugin(rules=attrs.evolve(rules, combination=table))), "table"))
    assert any("matches rows 1 (pass), 2 (distinction)" in f.message.replace(" and ", ", ")
               and f.entry == "$.combination.rows[1]" for f in found)


def test_a_hook_that_raises():
    def combine_grades(self, ruleset, components):
        raise KeyError("observation")

    (found,) = failures(check(("broken", plugin(combine_grades=combine_grades)), "any-fail-fails"))
    assert "plugin 'broken' failed in hook 'combine_grades': KeyError" in found.message
    assert found.entry == "combine_grades"


def test_a_misspelt_hook_fails_to_load_naming_the_nearest_hook():
    def combine_grade(self, ruleset, components):
        return None

    outcomes = conformance.run(Registry([("broken", plugin(combine_grade=combine_grade))], keep_going=True))
    loads = next(o for o in outcomes if o.check == "loads")
    assert loads.status == "fail"
    assert "'combine_grade', which is not an epa hook; did you mean 'combine_grades'?" in loads.failures[0].message
    assert {o.status for o in outcomes if o.check != "loads"} == {"skip"}


def test_a_body_id_that_disagrees_with_its_entry_point(monkeypatch):
    reg = Registry([("acme_two", plugin(body_id="acme"))], keep_going=True)
    (outcome,) = conformance.run(reg, only=["loads"])
    assert outcome.status == "fail" and outcome.body == "acme_two"
    assert "body id 'acme' disagrees with its entry-point name 'acme_two'" in outcome.failures[0].message
    monkeypatch.setattr(cli, "_load", lambda only, keep_going=False: reg)
    result = run("conformance", "--format", "json")
    assert result.exit_code == 1
    data = valid(result.json(), "conformance")
    assert data["passed"] is False and data["summary"]["acme_two"]["loads"] == "fail"


def test_the_table_shows_the_failure_with_its_witness(monkeypatch):
    rules = base_rules()
    uncited = attrs.evolve(rules.criteria[0], citation="")
    reg = Registry([("broken", plugin(rules=attrs.evolve(rules, criteria=(uncited, *rules.criteria[1:]))))],
                   keep_going=True)
    monkeypatch.setattr(cli, "_load", lambda only, keep_going=False: reg)
    result = run("conformance")
    assert result.exit_code == 1
    assert "FAIL broken citations" in result.stdout and "$.criteria[0]" in result.stdout
    assert "some checks fail" in result.stdout


# --- the pytest plugin --------------------------------------------------------------------------------------


def test_pytest_epa_body_runs_the_suite_against_an_installed_body(tmp_path):
    body = next(iter(registry().bodies), None)
    if body is None:
        pytest.skip("no body plugin installed")
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--epa-body", body.body.id,
                           "--epa-sources", str(sources_dir().resolve())],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{len(conformance.CHECKS)} passed" in done.stdout or "passed" in done.stdout
    assert "failed" not in done.stdout


def test_a_hook_returning_the_wrong_type():
    def gateway_requirements(self, ruleset, record):
        return ["english and maths"]

    found = failures(check(("broken", plugin(gateway_requirements=gateway_requirements)), "hooks"))
    assert found and {f.entry for f in found} == {"gateway_requirements"}
    assert "expected a list of epa.Requirement" in found[0].message and found[0].record["standard"] == ST0071


def test_a_combination_failing_with_no_component_failed():
    rules = base_rules()
    when = {m: "pass" for m in rules.method_ids}
    bad_row = epa.CombinationRow(when=when, overall=Grade.FAIL, citation=rules.combination.citation)
    broken = attrs.evolve(rules, combination=attrs.evolve(rules.combination, rows=(bad_row, *rules.combination.rows)))
    (found,) = failures(check(("broken", plugin(rules=broken)), "any-fail-fails"))
    assert found.expected == "pass or distinction" and found.entry == "$.combination.rows[0]"


def test_a_combine_grades_hook_contradicting_the_printed_table():
    # A hook of the plugin's own that never awards distinction: any fail still fails and nothing is left
    # undecided, but every ST0071 document prints "Distinction Distinction Distinction | Distinction" (e.g.
    # 002_a4f677c7c4e5fdb6.txt § Grading), so the table does not decide what the plugin gives.
    rules = base_rules()
    every = {m: Grade.DISTINCTION for m in rules.method_ids}
    printed = [i for i, row in enumerate(rules.combination.rows) if row.matches(every)]
    assert printed and rules.combination.rows[printed[0]].overall == Grade.DISTINCTION

    def never_distinction(self, ruleset, components):
        return epa.Outcome(grade=Grade.FAIL if Grade.FAIL in components.values() else Grade.PASS, steps=())

    found = failures(check(("broken", plugin(combine_grades=never_distinction)), "table"))
    assert found, "a hook contradicting the printed table passed the table check"
    assert all(f.entry == "combine_grades" and f.expected == "distinction, as the printed row says" for f in found)
    shown = next(f for f in found if all(a["grade"] == "distinction" for a in f.record["assessments"]))
    assert f"row {printed[0] + 1} of the table" in shown.message and "gives pass" in shown.message
    # The rows decide alike for the default, which takes the first row that matches: the installed body passes.
    assert failures(check(("unbroken", plugin()), "table")) == []


def _decided(ruleset, components, steps):
    """The overall grade the ruleset's own table and rule in words give, explained by ``steps``."""
    from epa.rules import combination

    return epa.Outcome(grade=combination.decide(ruleset.combination, components), steps=steps)


def test_a_hook_that_grades_rightly_but_cites_nothing_fails_citations():
    # Every grade a regulator reads must cite the rule applied (hookspecs: "an Outcome whose steps cite the rules
    # applied"): right answers explained by no step, or by a document the body does not declare, are not conformant.
    silent = plugin(combine_grades=lambda self, ruleset, components: _decided(ruleset, components, ()))
    (found,) = failures(check(("broken", silent), "citations"))
    assert found.entry == "combine_grades" and "with no step citing the rule that decides it" in found.message
    assert "(27 answers of combine_grades are so)" in found.message  # 3 methods, 3 grades each
    assert len(found.record["assessments"]) == len(base_rules().method_ids)

    elsewhere = (epa.Step(says="as agreed", citation="nowhere.txt § Nothing"),)
    cites_elsewhere = plugin(combine_grades=lambda self, ruleset, components: _decided(ruleset, components, elsewhere))
    (found,) = failures(check(("broken", cites_elsewhere), "citations"))
    assert found.entry == "combine_grades" and "nowhere.txt § Nothing" in found.message

    def uncited_resit(self, ruleset, record, history):
        return epa.ResitDecision(capped=True, full_retake_required=False, steps=elsewhere)

    found = failures(check(("broken", plugin(resit_policy=uncited_resit)), "citations"))
    assert [f.entry for f in found] == ["explanation"] and "nowhere.txt § Nothing" in found[0].message
    assert failures(check(("unbroken", plugin()), "citations")) == []  # the body's own rules cite themselves


def test_a_hook_citing_a_section_its_document_lacks_fails_citations():
    rules = base_rules()
    if not (sources_dir() / rules.document.file).is_file():
        pytest.skip(f"source document {rules.document.file} not found in {sources_dir()}")
    nowhere = (epa.Step(says="as printed", citation=f"{rules.document.file} § No Such Section"),)
    broken = plugin(combine_grades=lambda self, ruleset, components: _decided(ruleset, components, nowhere))
    (found,) = failures(check(("broken", broken), "citations", sources_dir()))
    assert found.entry == "combine_grades" and "No Such Section" in found.message


def test_a_grading_hook_that_answers_by_call_count_fails_output():
    """The hook contract: grade_component's and combine_grades' answers depend on their arguments alone. The
    `output` check's "grading is deterministic" graded a record twice, and explaining remembers hook answers, so a
    hook counting its calls passed it (grading alike records differently by where they fall in a cohort)."""
    calls = itertools.count()

    def every_other_call(self, ruleset, components):  # distinction in place of pass on every second call
        outcome = defaults.combine_grades(ruleset, components)
        flip = next(calls) % 2 and outcome.grade == Grade.PASS
        return attrs.evolve(outcome, grade=Grade.DISTINCTION) if flip else outcome

    found = failures(check(("broken", plugin(combine_grades=every_other_call)), "output"))
    assert [f.entry for f in found] == ["combine_grades"]
    assert "answered two ways: pass then distinction" in found[0].message
    assert len(found[0].record["assessments"]) == len(base_rules().method_ids)

    def numbered_steps(self, ruleset, method, criteria_met):  # the same grade, a step saying which call it was
        result = defaults.grade_component(ruleset, method, criteria_met)
        step = epa.Step(says=f"call {next(calls)}", citation=result.steps[0].citation)
        return attrs.evolve(result, steps=(step, *result.steps[1:]))

    found = failures(check(("broken", plugin(grade_component=numbered_steps)), "output"))
    assert [f.entry for f in found] == ["grade_component"]
    assert "the same grade explained by other steps" in found[0].message
    assert failures(check(("unbroken", plugin()), "output")) == []


def test_versions_of_a_standard_that_nothing_tells_apart_are_refused_as_the_plugin_loads():
    """A record is graded by the version it names, else the latest in force on its gateway date: two versions with
    one name, or in force from the same day (two with no effective_from are both in force from the start), were
    chosen between by the order the plugin listed them. Conformance's versions check failed them, but every other
    command graded by them, silently: loading refuses them, so every command says so and conformance fails `loads`."""
    import datetime as dt

    rules = base_rules()

    def version(name, day):
        return attrs.evolve(rules, document=attrs.evolve(rules.document, version=name, effective_from=day))

    def refused(*versions):
        reg = Registry([("broken", make_plugin("broken", versions))], keep_going=True)
        failed = reg.failed.get("broken")
        outcomes = conformance.run(reg, only=["loads"])
        assert [o.status for o in outcomes] == (["fail"] if failed else ["pass"])
        return failed and failed.problem

    jan, jun = dt.date(2024, 1, 1), dt.date(2024, 6, 1)
    assert "two of the 2 versions of broken's ST0071 rules" in refused(version("1", jan), version("1", jun))
    assert "are version 1: a record naming it" in refused(version("1", jan), version("1", jun))
    assert "2 of the 2 versions" in refused(version("1", None), version("2", None))
    assert "give no effective_from" in refused(version("1", None), version("2", None))
    assert "take effect on 2024-01-01" in refused(version("1", jan), version("2", jan))
    assert "gives no document.version, so no record can name it" in refused(version(None, None), version("2", jun))
    # The oldest in force from the start, the next from its day, each named: told apart.
    assert refused(version("1", None), version("2", jun)) is None
    assert refused(version("1", jan), version("2", jun)) is None
    with pytest.raises(epa.errors.PluginError, match="take effect on 2024-01-01"):
        Registry([("broken", make_plugin("broken", [version("1", jan), version("2", jan)]))])


def test_a_hook_that_changes_its_arguments_fails_hooks():
    """A hook that changes the rules it is given in place (a setdefault on component_rules: "one distinction criterion
    will do") changed what the other checks read, so that they agreed with it, and passed every check; every later
    grading in the process (a cohort, `epa serve`) reads the changed rules. Likewise a record's document_versions."""
    from epa.model.domain import ComponentRule

    rules = attrs.evolve(base_rules(), component_rules={})  # a dict of its own: the installed body's left alone
    method = next(m for m in rules.method_ids if rules.criteria_for(m, "distinction"))

    def lenient(self, ruleset, method, criteria_met):
        ruleset.component_rules.setdefault(method, ComponentRule(text="any one distinction criterion",
                                                                 citation=ruleset.combination.citation,
                                                                 distinction_threshold=1))
        return defaults.grade_component(ruleset, method, criteria_met)

    found = failures(check(("broken", plugin(rules=rules, grade_component=lenient)), "hooks"))
    assert found and {f.entry for f in found} == {"grade_component"}
    assert any(f"changed the ruleset it was given: {rules.standard} version {rules.document.version}'s "
               f"$.component_rules.{method}" in f.message for f in found)

    def names_a_version(self, ruleset, record):
        record.document_versions["broken"] = "0.0"
        return []

    found = failures(check(("broken", plugin(gateway_requirements=names_a_version)), "hooks"))
    assert found and all(f.entry == "gateway_requirements" for f in found)
    assert "changed the record it was given: the record's $.document_versions.broken" in found[0].message


def test_a_hook_that_ignores_the_pass_threshold_fails_thresholds():
    """Rules saying a pass needs 3 fewer than all of a method's pass criteria, and a grade_component that needs
    every one (the default's rule without the threshold): missing-pass-fails holds one short of the threshold to a
    fail, which this hook gives, and no check held the threshold itself to a pass, so it passed every check."""
    from epa.model.domain import ComponentRule

    rules = base_rules()
    method = rules.method_ids[0]
    needed = len(rules.criteria_for(method, "pass")) - 3
    at_least = ComponentRule(text=f"at least {needed} pass criteria", citation=rules.combination.citation,
                             pass_threshold=needed)
    rules = attrs.evolve(rules, component_rules={**rules.component_rules, method: at_least})

    def every_pass_criterion(self, ruleset, method, criteria_met):
        return defaults.grade_component(attrs.evolve(ruleset, component_rules={}), method, criteria_met)

    (found,) = failures(check(("broken", plugin(rules=rules, grade_component=every_pass_criterion)), "thresholds"))
    assert found.entry == "grade_component" and found.expected == f"pass ({needed} needed)"
    met = next(a for a in found.record["assessments"] if a["method"] == method)["criteria_met"]
    assert len(met) == needed
    assert failures(check(("unbroken", plugin(rules=rules)), "thresholds")) == []  # the default honours it


def test_a_hook_that_needs_particular_distinction_criteria_fails_distinction_count():
    """Rules saying a distinction needs any N of a method's distinction criteria, and a grade_component needing the
    first N in the document's order: the check met the first k for each count k, which this hook agrees with."""
    from epa.model.domain import ComponentRule

    rules = base_rules()
    method = next((m for m in rules.method_ids if len(rules.criteria_for(m, "distinction")) >= 2), None)
    if method is None:
        pytest.skip("no method of the base rules has two distinction criteria")
    distinctions = [c.id for c in rules.criteria_for(method, "distinction")]
    needed = len(distinctions) - 1
    any_n = ComponentRule(text=f"any {needed} distinction criteria", citation=rules.combination.citation,
                          distinction_threshold=needed)
    rules = attrs.evolve(rules, component_rules={**rules.component_rules, method: any_n})

    def first_ones(self, ruleset, method, criteria_met):
        result = defaults.grade_component(ruleset, method, criteria_met)
        rule = ruleset.component_rules.get(method)
        first = {c.id for c in ruleset.criteria_for(method, "distinction")[:needed]}
        if rule is any_n and result.grade == Grade.DISTINCTION and not first <= criteria_met:
            return attrs.evolve(result, grade=Grade.PASS)
        return result

    found = failures(check(("broken", plugin(rules=rules, grade_component=first_ones)), "distinction-count"))
    # the hook at fault is named, at its line, with the rule it broke and where the document states it (on 6b31b37 the
    # data's component rule was named, which the hook need not read)
    rule = f"distinction ({needed} needed): the rule for a distinction in {method}, as "
    assert found and all(f.expected.startswith(rule) and f.expected.endswith(" states") for f in found)
    assert {(f.entry, f.file) for f in found} == {("grade_component", __file__)}
    met = next(a for a in found[0].record["assessments"] if a["method"] == method)["criteria_met"]
    assert len(set(met) & set(distinctions)) == needed and distinctions[0] not in met
    assert failures(check(("unbroken", plugin(rules=rules)), "distinction-count")) == []  # the default: any N


def test_a_body_shipping_another_bodys_document_fails_documents():
    """A plugin shipping another body's rules under its own id, document block and all, passed every check (the
    rules are the other body's, and conformant), while every output called that document this body's and the other
    body's name, as its publisher, named this one too. The body it was copied from, naming itself as publisher,
    passes."""
    rules = base_rules()
    own = attrs.evolve(rules, document=attrs.evolve(rules.document, publisher="acme"))

    def documents(*bodies):
        reg = Registry([(b, make_plugin(b, [r])) for b, r in bodies], keep_going=True)
        return {b: failures([o for o in conformance.run(reg, only=["documents"]) if o.body == b]) for b, _ in bodies}

    found = documents(("acme", own), ("copycat", own))
    assert found["acme"] == []
    assert {f.entry for f in found["copycat"]} == {"$.document", "$.document.publisher"}
    assert any(f"{rules.document.file} is also the document acme's rules come from" in f.message
               for f in found["copycat"])
    # The copy naming itself as publisher: the data no longer tells who copied whom, so each is told of the other.
    renamed = attrs.evolve(own, document=attrs.evolve(own.document, publisher="copycat"))
    found = documents(("acme", own), ("copycat", renamed))
    assert [f.entry for f in found["acme"]] == [f.entry for f in found["copycat"]] == ["$.document"]
    # A body alone has nothing to compare with; two with documents of their own pass.
    elsewhere = attrs.evolve(own, document=attrs.evolve(own.document, file="other.txt", sha256=None,
                                                         publisher="other"))
    assert documents(("acme", own), ("other", elsewhere)) == {"acme": [], "other": []}


def test_a_copy_of_another_bodys_rules_alone_fails_documents_by_its_publisher():
    """Another body's rules under a plugin's own id, the id alone changed, in an environment holding that plugin
    alone (a third party's: the body copied is not installed): on 6b31b37 documents skipped, having no other body to
    compare with, and every other check passed. The document says whose it is: its publisher, neither this body's
    name nor its id."""
    rules = base_rules()
    reg = Registry([("copycat", make_plugin("copycat", [rules]))], keep_going=True)
    (outcome,) = conformance.run(reg, only=["documents"])
    (found,) = failures([outcome])
    assert found.entry == "$.document.publisher" and f"published by {rules.document.publisher!r}, not by this body" \
        in found.message
    own = attrs.evolve(rules, document=attrs.evolve(rules.document, publisher="copycat"))
    reg = Registry([("copycat", make_plugin("copycat", [own]))], keep_going=True)
    assert [o.status for o in conformance.run(reg, only=["documents"])] == ["skip"]  # its own: nothing to compare


def test_a_document_said_to_be_published_after_today_fails_documents():
    """A ruleset whose document is said to be published in a year to come (a date mistyped, or a draft's copied)
    passed every check, alone or beside other bodies: the rules are written from a document at hand, so published
    already. Today's date, or none, passes."""
    import datetime as dt

    rules = base_rules()
    later = attrs.evolve(rules, document=attrs.evolve(rules.document, published=dt.date(2999, 1, 1), publisher="acme"))

    def documents(*bodies):
        reg = Registry([(b, make_plugin(b, [r])) for b, r in bodies], keep_going=True)
        return {o.body: (o.status, failures([o])) for o in conformance.run(reg, only=["documents"])}

    for found in (documents(("acme", later)), documents(("acme", later), ("other", attrs.evolve(
            rules, document=attrs.evolve(rules.document, file="other.txt", sha256=None, publisher="other"))))):
        status, (failure,) = found["acme"]
        assert status == "fail" and failure.entry == "$.document.published"
        assert "published on 2999-01-01, after today" in failure.message
    today = attrs.evolve(later, document=attrs.evolve(later.document, published=dt.date.today()))
    assert documents(("acme", today))["acme"][0] == "skip"  # alone: nothing else to compare, nothing wrong


def test_a_reading_made_in_code_is_held_to_needed_at_and_criteria_sets_as_a_file_is():
    """A plugin making a later version in code (attrs.evolve of its loaded rules) reaches the body unread by the
    loader, which refuses a needed_at naming a criterion needed as much there already, and criteria_sets not dividing
    the reading's criteria. On 6b31b37 such a ruleset passed every check: grading said a pass turned on a criterion
    it needed anyway. The criteria check now holds each reading as loading a file does, naming it."""
    from epa.model.domain import Ambiguity, NeededAt

    rules = base_rules()
    (held,) = rules.criteria_for(rules.method_ids[0], "pass")[:1]
    (other,) = rules.criteria_for(rules.method_ids[1], "pass")[:1]
    said = {"citation": rules.document.file + " § x", "text_says": "x", "reading": "r", "why": "w"}
    needed = Ambiguity("made-needed", criteria=(held.id,), criteria_otherwise="needed_at",
                       needed_at=NeededAt(held.method, "pass"), **said)
    sets = Ambiguity("made-sets", criteria=(held.id, other.id), criteria_otherwise="alternatives",
                     criteria_sets=((held.id,), (held.id, other.id)), **said)
    made = attrs.evolve(rules, ambiguities=(*rules.ambiguities, needed, sets))
    found = failures(check(("broken", plugin(rules=made)), "criteria"))
    n = len(rules.ambiguities)
    assert [(f.entry, f.message.split(":")[0]) for f in found] == [
        (f"$.ambiguities[{n}]", "the reading 'made-needed'"), (f"$.ambiguities[{n + 1}]", "the reading 'made-sets'")]
    assert f"{held.id} is a pass criterion of {held.method} already" in found[0].message
    assert "not the reading's criteria" in found[1].message
    # the same readings, as loading accepts them, pass
    fine = attrs.evolve(rules, ambiguities=(*rules.ambiguities, attrs.evolve(needed, needed_at=NeededAt(other.method,
                                                                                                     "pass")),
                                            attrs.evolve(sets, criteria_sets=((held.id,), (other.id,)))))
    assert failures(check(("broken", plugin(rules=fine)), "criteria")) == []


def test_a_hook_telling_an_apprentice_of_criteria_missing_that_were_met_fails_missing_pass_fails():
    """A grade_component grading rightly but listing every pass criterion as missing, whatever was met: the check held
    a fail's pass_missing to naming the criterion missing, never to naming only those missing, so it passed every
    check, and a method passed was explained as missing every pass criterion."""
    def all_missing(self, ruleset, method, criteria_met):
        result = defaults.grade_component(ruleset, method, criteria_met)
        return attrs.evolve(result, pass_missing=tuple(c.id for c in ruleset.criteria_for(method, "pass")))

    rules = base_rules()
    found = failures(check(("broken", plugin(grade_component=all_missing)), "missing-pass-fails"))
    assert len(found) == len(rules.method_ids) and {f.entry for f in found} == {"grade_component"}
    first = rules.method_ids[0]
    shown = next(f for f in found if f.message.startswith(f"{first} "))
    assert "is graded pass, its pass_missing naming" in shown.message
    met = next(a for a in shown.record["assessments"] if a["method"] == first)["criteria_met"]
    assert set(met) == {c.id for c in rules.criteria_for(first, "pass")}  # every pass criterion met, none missing
    assert failures(check(("unbroken", plugin()), "missing-pass-fails")) == []


def test_a_resit_policy_capping_a_record_with_no_fail_fails_resit_cap():
    """A resit_policy hook that caps every record, citing a rule: an apprentice with a distinction in every method at
    the first attempt is awarded a pass. The resit-cap check read only records with a resit, which it does not
    lift above the cap, so it passed every check."""
    rules = base_rules()

    def always_capped(self, ruleset, record, history):
        return epa.ResitDecision(capped=True, full_retake_required=False,
                                 steps=(epa.Step(says="capped at pass", citation=ruleset.combination.citation),))

    (found,) = failures(check(("broken", plugin(resit_policy=always_capped)), "resit-cap"))
    assert found.entry == "resit_policy" and "is capped: overall pass" in found.message
    assert len(found.record["assessments"]) == len(rules.method_ids)  # one attempt per method, none failed
    assert all(a["criteria_met"] for a in found.record["assessments"])
    assert failures(check(("unbroken", plugin()), "resit-cap")) == []


@needs_a_body("the search runs for an installed body's methods")
def test_conformance_leaves_nothing_in_the_folder_it_is_run_from(tmp_path):
    # Hypothesis, with no database, still kept the constants it collects in .hypothesis/ under the working folder:
    # a provider running the suite in their own folder found it there afterwards
    body = epa.testing.registry().bodies[0].body.id
    env = {k: v for k, v in os.environ.items() if k != "HYPOTHESIS_STORAGE_DIRECTORY"}
    done = subprocess.run([sys.executable, "-m", "epa", "conformance", body, "--check", "more-criteria-never-lower"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert list(tmp_path.iterdir()) == []


_ARTICLE = re.compile(r"^the\s+", re.IGNORECASE)


@pytest.mark.parametrize(("name", "publisher"), [
    ("Highfield Assessment", "Highfield Assessment Ltd"),  # (its legal form)
    ("Training Qualifications UK (TQUK)", "TQUK"),  # (the acronym in brackets after its name)
    ("Training Qualifications UK", "Training Qualifications UK (TQUK)"),
    ("Gateway Qualifications", "Gateway Qualifications Limited"),
    ("NQual", "NQual Ltd."),
    ("The Skills Network", "Skills Network"),  # (a leading article)
    ("Highfield", "Highfield Assessment Ltd"),  # (one whole name the leading words of the other)
])
def test_a_publisher_naming_the_body_as_people_do_passes_documents(name, publisher):
    """The body as its document names it (found by review: on 2114bf1 'Highfield Assessment Ltd' for a body named
    'Highfield Assessment' failed, the names compared whole); a publisher wholly other still fails."""
    from epa import Body, hookimpl

    def named(rules):
        class Plugin:
            @hookimpl
            def register_body(self) -> Body:
                return Body(id="acme", name=name, rulesets=(attrs.evolve(rules, body="acme"),))
        return Plugin()

    rules = base_rules()
    own = attrs.evolve(rules, document=attrs.evolve(rules.document, publisher=publisher))
    (outcome,) = conformance.run(Registry([("acme", named(own))], keep_going=True), only=["documents"])
    assert outcome.status == "skip", failures([outcome])  # (its own: nothing else to compare with)
    # a first word alone shared with a name of two or more is another body's (found by the second review)
    shares_a_word = [_ARTICLE.sub("", name).split()[0] + " Standards Council"] if len(name.split()) > 1 else []
    for wholly_other in ("The Skills Examiners Ltd", *shares_a_word):
        other = attrs.evolve(rules, document=attrs.evolve(rules.document, publisher=wholly_other))
        (outcome,) = conformance.run(Registry([("acme", named(other))], keep_going=True), only=["documents"])
        assert [f.entry for f in failures([outcome])] == ["$.document.publisher"], wholly_other


@pytest.mark.skipif(not hasattr(__import__("time"), "tzset"), reason="needs time.tzset (Unix) to set the clock's zone")
def test_a_document_published_today_where_its_publisher_is_passes_on_a_clock_behind(monkeypatch):
    """On a machine at UTC-12 the date is always a day or more behind UTC+14's: a document published on the world's
    latest date (a UK body's today, on a clock behind the UK's) is published already, not after today (found by
    review: the check read the machine's local date)."""
    import datetime as dt
    import time

    latest = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=14)).date()
    rules = base_rules()
    own = attrs.evolve(rules, document=attrs.evolve(rules.document, published=latest, publisher="acme"))
    monkeypatch.setenv("TZ", "Etc/GMT+12")  # (POSIX's sign: twelve hours behind UTC)
    time.tzset()
    try:
        (outcome,) = conformance.run(Registry([("acme", make_plugin("acme", [own]))], keep_going=True),
                                     only=["documents"])
    finally:
        monkeypatch.undo()
        time.tzset()
    assert outcome.status == "skip", failures([outcome])
