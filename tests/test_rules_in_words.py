"""Rules in words as data (issue 20) and rules described by what they do (issue 18).

A document's rule in words ("any fail fails; a distinction in two or more methods gives a distinction") is data:
``combination.rule_in_words.decides`` and ``component_rules.<method>.pass_threshold``, validated by the schema,
explained as the document's rule in words, decided alike by the explained path and the compiled engine,
described and compared by outcome in ``epa plugins`` and ``epa consistency``, and held to its text and to any
``combine_grades`` hook by the conformance check ``rule-in-words``. A body whose own hook combines the grades is
described as its own rule, naming the hook and citing its rule in words, and compared by what it gives.

Expected values are worked by hand for the standard's three ST0071 methods (observation, project, discussion):
of the 27 combinations, 8 have no fail; "at least 2 distinctions" makes distinction of 4 of them (the three with
exactly two distinctions, and all three), where the core's default pattern makes distinction of one: 3 differ.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_conformance import check, failures
from test_decisions import _decided, _decided_by_grading, _load

import epa
from epa import Grade, cli, defaults
from epa.engine.compiled import Engine
from epa.errors import InputError
from epa.model.domain import ComponentRule, OverallInWords, RuleInWords, Ruleset
from epa.registry import Registry, installed_candidates
from epa.rules.load import load_ruleset
from epa.testing import make_plugin, registry, requires, run
from epa.views import report

ST0071 = "ST0071"
TWO_OR_MORE = ("A fail in any assessment method is a fail overall. A distinction overall needs a distinction in two "
               "or more of the assessment methods; otherwise the overall grade is a pass.")
P, D, F = Grade.PASS, Grade.DISTINCTION, Grade.FAIL


def base() -> Ruleset:
    """An installed body's ST0071 rules stored whole (not as a version file): any body will do."""
    whole = [r for b in registry().bodies if ST0071 in b.body.standards for r in b.body.rulesets_for(ST0071)
             if r.based_on is None and r.source_file]
    if not whole:
        pytest.skip("needs an installed body offering ST0071 from a whole rules file")
    if len(whole[0].method_ids) != 3:
        pytest.skip("the hand-worked counts are for ST0071's three methods")
    return whole[0]


def in_words(rules: Ruleset, text: str = TWO_OR_MORE, decides: OverallInWords | None = None,
             rows: tuple[Any, ...] = ()) -> Ruleset:
    """The rules with no printed table (or these rows) and this rule in words, cited where the table was."""
    said = RuleInWords(text, rules.combination.rule_in_words.citation, decides)
    return attrs.evolve(rules, combination=attrs.evolve(rules.combination, rows=rows, complete=False,
                                                        rule_in_words=said))


def combo(rules: Ruleset, *grades: Grade) -> dict[str, Grade]:
    return dict(zip(rules.method_ids, grades, strict=True))


def at_least_two(self: Any, ruleset: Ruleset, components: dict[str, Grade]) -> epa.Outcome:
    """A body's own combine_grades stating its own rule: any fail fails; two or more distinctions give one."""
    grades = [components[m] for m in ruleset.method_ids]
    overall = F if F in grades else D if grades.count(D) >= 2 else P
    return epa.Outcome(overall, (epa.Step(f"any fail fails; two or more distinctions give a distinction: {overall}",
                                          ruleset.combination.rule_in_words.citation),))


def every_method(self: Any, ruleset: Ruleset, components: dict[str, Grade]) -> epa.Outcome:
    grades = [components[m] for m in ruleset.method_ids]
    overall = F if F in grades else D if all(g == D for g in grades) else P
    return epa.Outcome(overall, (epa.Step(f"a distinction in every method: {overall}",
                                          ruleset.combination.rule_in_words.citation),))


# --- the vocabulary, validated by the schema -----------------------------------------------------------------


def _written(tmp_path: Path, change: Any) -> Path:
    """The base rules file, with ``change(data)`` applied, written under its own name."""
    rules = base()
    data = yaml.safe_load(Path(rules.source_file).read_text(encoding="utf-8"))  # type: ignore[arg-type]
    change(data)
    path = tmp_path / Path(rules.source_file).name  # type: ignore[arg-type]
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("distinction, expected", [
    ("all", OverallInWords()),
    ({"at_least": 2}, OverallInWords(at_least=2)),
    ({"methods": ["observation"]}, OverallInWords(methods=("observation",))),
])
def test_a_rule_in_words_is_data_the_schema_accepts(tmp_path, distinction, expected):
    def change(data):
        data["combination"]["rule_in_words"]["decides"] = {"fail": "any", "distinction": distinction}
        data.setdefault("component_rules", {})["project"] = {"text": "8 of the pass criteria", "citation":
                                                             data["combination"]["citation"], "pass_threshold": 1}
    loaded = load_ruleset(_written(tmp_path, change))
    assert loaded.combination.rule_in_words.decides == expected
    assert loaded.component_rules["project"].pass_threshold == 1


@pytest.mark.parametrize("decides, where, said", [
    ({"fail": "most", "distinction": "all"}, "decides", None),
    ({"fail": "any", "distinction": {"at_least": 0}}, "decides", None),
    ({"fail": "any", "distinction": "two"}, "decides", None),
    ({"fail": "any", "distinction": {"at_least": 4}}, "at_least", "at least 4 methods, but the ruleset has 3"),
    ({"fail": "any", "distinction": {"methods": ["observaton"]}}, "methods", "names method 'observaton'"),
])
def test_a_rule_in_words_the_vocabulary_cannot_say_is_refused_naming_where(tmp_path, decides, where, said):
    def change(data):
        data["combination"]["rule_in_words"]["decides"] = decides
    with pytest.raises(InputError) as refused:
        load_ruleset(_written(tmp_path, change))
    assert where in refused.value.where
    if said:
        assert said in refused.value.message
    if "observaton" in str(decides):
        assert "observation" in (refused.value.hint or "")


# --- decided and explained as the document's rule in words ---------------------------------------------------


def test_the_explained_path_decides_by_the_rule_in_words_and_explains_it_as_the_documents():
    rules = in_words(base(), decides=OverallInWords(at_least=2))
    words = rules.combination.rule_in_words
    outcome = defaults.combine_grades(rules, combo(rules, P, D, D))
    assert outcome.grade == D  # two of three methods distinction: "two or more"
    assert [s.citation for s in outcome.steps] == [rules.combination.citation, words.citation]
    assert outcome.steps[0].says.endswith("the document prints no combination table for this combination")
    assert outcome.steps[1].says == (f"the document's rule in words decides: distinction, as 2 of the 3 methods are "
                                     f"distinction (2 needed) (“{TWO_OR_MORE}”)")
    assert not any("printed" in s.says.replace("prints no", "") for s in outcome.steps)
    assert defaults.combine_grades(rules, combo(rules, P, P, D)).grade == P
    assert defaults.combine_grades(rules, combo(rules, F, D, D)).grade == F
    named = in_words(base(), "Distinction overall follows the observation.", OverallInWords(methods=("observation",)))
    assert defaults.combine_grades(named, combo(named, D, P, P)).grade == D
    assert defaults.combine_grades(named, combo(named, P, D, D)).grade == P
    assert "as observation distinction (distinction in observation needed)" in \
        defaults.combine_grades(named, combo(named, D, P, P)).steps[1].says


def test_a_pass_threshold_passes_a_method_short_of_every_pass_criterion():
    rules = base()
    method = next((m for m in rules.method_ids if len(rules.criteria_for(m, "pass")) >= 3), None)
    if method is None:
        pytest.skip("needs a method with three pass criteria")
    passes = [c.id for c in rules.criteria_for(method, "pass")]
    cited = rules.combination.rule_in_words.citation
    rules = attrs.evolve(rules, component_rules={**rules.component_rules, method: ComponentRule(
        "all but one of the pass criteria", cited, pass_threshold=len(passes) - 1)})
    one_short = defaults.grade_component(rules, method, frozenset(passes[1:]))
    assert one_short.grade == P and one_short.pass_missing == (passes[0],)
    assert f"{len(passes) - 1} of {len(passes)} pass criteria met ({len(passes) - 1} needed)" in one_short.steps[0].says
    two_short = defaults.grade_component(rules, method, frozenset(passes[2:]))
    assert two_short.grade == F and two_short.pass_missing == tuple(passes[:2])
    # conformance holds the rule to its threshold, not to every pass criterion
    assert not failures(check(("acme", make_plugin("acme", [rules])), "missing-pass-fails"))
    assert not failures(check(("acme", make_plugin("acme", [rules])), "thresholds"))
    too_many = attrs.evolve(rules, component_rules={**rules.component_rules, method: ComponentRule(
        "more than there are", cited, pass_threshold=len(passes) + 1)})
    (found,) = failures(check(("acme", make_plugin("acme", [too_many])), "thresholds"))
    assert found.entry == f"$.component_rules.{method}.pass_threshold"


@requires("nqual")
def test_nquals_rule_in_words_is_data_and_explained_as_before():
    """NQual 000 § Assessment Grading Breakdown: "a minimum of a Pass in all components to achieve a Pass overall.
    To achieve a Distinction, the apprentice must achieve all Pass and all Distinction criteria": a distinction in
    every method. Its printed table has no row for pass, distinction, distinction: the rule in words gives pass, on
    the reading the ruleset records for the three combinations the table leaves out (nqual-combination-table-incomplete),
    which the step names."""
    rules = registry().body("nqual").ruleset(ST0071)
    assert rules.combination.rule_in_words.decides == OverallInWords()
    outcome = defaults.combine_grades(rules, {"observation": P, "project": D, "discussion": D})
    assert outcome.grade == P
    assert [s.says for s in outcome.steps] == [
        "observation=pass, project=distinction, discussion=distinction: the printed table is incomplete: it has no "
        "row for this combination",
        f"the document's rule in words decides: pass (“{rules.combination.rule_in_words.text}”); the document does "
        "not say plainly which grade this combination gives: the rule in words gives it on the tool's reading "
        "(ambiguity nqual-combination-table-incomplete, shown by `epa ambiguities`)"]


# --- the compiled engine decides as the explained path does --------------------------------------------------


@st.composite
def words_and_record(draw: Any) -> tuple[Ruleset, dict[str, Any]]:
    rules = base()
    methods = rules.method_ids
    decides = draw(st.one_of(
        st.none(), st.just(OverallInWords()), st.builds(OverallInWords, at_least=st.integers(1, len(methods))),
        st.builds(OverallInWords, methods=st.lists(st.sampled_from(methods), min_size=1, unique=True).map(tuple))))
    printed = rules.combination.rows
    kept = draw(st.lists(st.integers(0, len(printed) - 1), unique=True, max_size=4)) if printed else []
    rows = tuple(printed[i] for i in sorted(kept))  # some of the printed rows, in their order
    thresholds = {}
    for m in methods:
        counted = len(rules.criteria_for(m, "pass"))
        if counted and draw(st.booleans()):
            thresholds[m] = ComponentRule("some of the pass criteria", rules.combination.rule_in_words.citation,
                                          pass_threshold=draw(st.integers(1, counted)))
    rules = attrs.evolve(in_words(rules, decides=decides, rows=rows),
                         component_rules={**rules.component_rules, **thresholds})
    attempts = []
    for day, m in enumerate(methods):
        if draw(st.booleans()):
            grade = draw(st.sampled_from(["fail", "pass", "distinction"]))
            attempts.append({"method": m, "date": f"2026-01-{10 + day}", "grade": grade})
        else:
            ids = [c.id for c in rules.criteria_for(m)]
            met = draw(st.lists(st.sampled_from(ids), unique=True)) if ids else []
            attempts.append({"method": m, "date": f"2026-01-{10 + day}", "criteria_met": met})
    return rules, {"standard": ST0071, "apprentice": {"id": "A-1"}, "gateway": {"date": "2026-01-05"},
                   "assessments": attempts}


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(words_and_record())
def test_the_engine_decides_a_rule_in_words_as_the_explained_path_does(case):
    rules, data = case
    reg = Registry([("acme", make_plugin("acme", [rules]))])
    record = _load(reg, data)
    assert _decided(Engine(reg), record) == _decided_by_grading(reg, record)


def test_the_engine_compiles_the_rule_in_words_without_asking_the_hook():
    rules = in_words(base(), decides=OverallInWords(at_least=2))
    reg = Registry([("acme", make_plugin("acme", [rules]))])
    compiled = Engine(reg).compiled(reg.body("acme"), reg.body("acme").ruleset(ST0071))
    table = compiled.rules.overall
    assert len(table) == 27  # every combination, worked out when compiled
    assert sum(g == D for g in table.values()) == 4 and sum(g == F for g in table.values()) == 19


# --- described and compared by what it does ------------------------------------------------------------------


def _variants(reg: Registry, body: str = "acme") -> list[dict[str, str]]:
    (found,) = [r for p in report.plugins(reg) if p["id"] == body for r in p["rulesets"]]
    return found["variants"]


def test_plugins_describes_a_rule_in_words_by_what_it_says_and_does():
    rules = in_words(base(), decides=OverallInWords(at_least=2))
    variants = _variants(Registry([("acme", make_plugin("acme", [rules]))]))
    kinds = {v["kind"]: v for v in variants}
    assert "incomplete-table" not in kinds  # the document prints no table
    assert kinds["rule-in-words"]["says"] == ("the document's rule in words, as data: a fail in any method fails; "
                                              "distinction when at least 2 of the 3 methods are distinction; "
                                              "otherwise pass")
    assert kinds["combination"]["says"].startswith("its rule in words grades 3 combinations otherwise than the "
                                                   "core's default pattern")
    assert {kinds[k]["citation"] for k in ("rule-in-words", "combination")} == {
        rules.combination.rule_in_words.citation}


@pytest.fixture
def fifth_body(monkeypatch):
    """The installed bodies and a fifth, acme, whose own combine_grades states its rule ("two or more
    distinctions") and whose document prints no table."""
    rules = in_words(base())
    acme = make_plugin("acme", [rules], combine_grades=at_least_two)
    reg = Registry([*installed_candidates(), ("acme", acme)])
    monkeypatch.setattr(cli, "_load", lambda only, keep_going=False: reg)
    return rules


def test_a_fifth_body_whose_hook_states_its_own_rule_is_described_and_compared_by_what_it_does(fifth_body):
    words = fifth_body.combination.rule_in_words
    plugins = run("plugins", "--format", "json").json()
    (acme,) = [p for p in plugins if p["id"] == "acme"]
    assert "combine_grades" in acme["hooks"]
    variants = {v["kind"]: v for v in acme["rulesets"][0]["variants"]}
    assert "incomplete-table" not in variants
    assert variants["own-rule"]["citation"] == words.citation
    assert "own rule" in variants["own-rule"]["says"] and "combine_grades" in variants["own-rule"]["says"]
    assert "two or more" in variants["own-rule"]["says"]  # its rule in words, quoted
    assert variants["combination"]["says"].startswith("its own rule (its combine_grades hook) grades 3 combinations "
                                                      "otherwise than the core's default pattern")
    assert variants["combination"]["citation"] == words.citation

    found = run("consistency", "--standard", ST0071, "--format", "json").json()["findings"]
    acme_findings = [f for f in found if any("acme" in side["bodies"] for side in f["sides"])
                     and f["area"] in ("reference", "self-consistency")]
    assert [f["id"] for f in acme_findings if f["area"] == "self-consistency" and "table" in f["id"]] == []
    (departure,) = [f for f in acme_findings if f["id"] == "reference.acme.combination"]
    assert "3 combinations" in departure["summary"] and "combine_grades" in departure["summary"]
    assert departure["sides"][0]["citations"]["acme"] == [words.citation]


def test_a_fifth_body_whose_hook_states_its_own_rule_is_explained_as_its_own_rule(fifth_body, tmp_path):
    words = fifth_body.combination.rule_in_words
    record = tmp_path / "record.yaml"
    record.write_text(yaml.safe_dump({
        "standard": ST0071, "apprentice": {"id": "A-1"}, "gateway": {"date": "2026-01-05"},
        "assessments": [{"method": m, "date": f"2026-01-{10 + i}", "grade": g}
                        for i, (m, g) in enumerate(zip(fifth_body.method_ids, ("pass", "distinction", "distinction"),
                                                       strict=True))]}), encoding="utf-8")
    result = run("compare", str(record), "--format", "json")
    assert result.exit_code == 0, result.stderr
    (acme,) = [r for r in result.json()["results"] if r["body"] == "acme"]
    assert acme["overall"] == "distinction"  # two of three: its own rule
    overall = [s for s in acme["explanation"] if s["about"] == "overall"]
    assert "acme's own rule decides, by its combine_grades hook: distinction" in overall[0]["says"]
    assert "two or more" in overall[0]["says"] and overall[0]["citation"] == words.citation
    assert not any("printed row" in s["says"] for s in acme["explanation"])
    others = [r for r in result.json()["results"] if r["body"] != "acme"]
    assert not any("combine_grades" in s["says"] for r in others for s in r["explanation"])


# --- conformance: the text, the data and the hook agree ------------------------------------------------------


def _rule_in_words(rules: Ruleset, **hooks: Any) -> list[Any]:
    return failures(check(("acme", make_plugin("acme", [rules], **hooks)), "rule-in-words"))


def test_a_text_saying_two_or_more_beside_a_rule_deciding_every_method_is_flagged():
    (found,) = _rule_in_words(in_words(base()))  # no decides: read as every method
    assert found.entry == "$.combination.rule_in_words"
    assert "“two or more of the assessment methods”" in found.message
    assert "{fail: any, distinction: {at_least: 2}}" in found.expected
    (found,) = _rule_in_words(in_words(base(), decides=OverallInWords()))
    assert found.entry == "$.combination.rule_in_words.decides"
    assert not _rule_in_words(in_words(base(), decides=OverallInWords(at_least=2)))


def test_a_hook_that_decides_otherwise_than_its_rule_in_words_is_flagged_at_its_own_line():
    (found,) = _rule_in_words(in_words(base()), combine_grades=every_method)  # text: two or more
    assert (found.entry, Path(found.file).name, found.line) == (
        "combine_grades", Path(__file__).name, every_method.__code__.co_firstlineno)
    assert "3 combinations differ" in found.message
    (found,) = _rule_in_words(in_words(base(), "The overall grade is set out below.", OverallInWords(at_least=2)),
                              combine_grades=every_method)  # the data, not the text, states the rule
    assert found.entry == "combine_grades"
    assert not _rule_in_words(in_words(base()), combine_grades=at_least_two)
    assert not _rule_in_words(in_words(base(), decides=OverallInWords(at_least=2)), combine_grades=at_least_two)


def test_the_text_reader_knows_its_phrases_and_no_more():
    from epa.conformance.words import stated

    assert stated(TWO_OR_MORE)[0] == OverallInWords(at_least=2)
    assert stated("To achieve a distinction, the apprentice must meet all the pass criteria and distinction "
                  "criteria in all assessment methods.")[0] == OverallInWords()
    assert stated("Distinction: at least three of the four assessment components.")[0] == OverallInWords(at_least=3)
    assert stated("Distinction: All Pass Criteria Achieved Plus: Apprentice Showcase - 7 out of 10") is None
    assert stated("Each assessment method is graded fail, pass or distinction.") is None
    assert stated("A pass needs a pass in all components.") is None  # not about a distinction


def test_the_schemas_example_of_the_vocabulary_is_one_the_loader_reads():
    from epa.inputs.documents import schema
    from epa.model.convert import structure

    example = schema("ruleset")["$defs"]["overall_in_words"]["x-example"]
    assert structure(example, OverallInWords, where="schema") == OverallInWords(at_least=2)
    for k, want in ((1, D), (2, D), (3, P)):  # two distinctions of three: at least 1 or 2, not 3
        assert OverallInWords(at_least=k).decide({"a": D, "b": D, "c": P}) == want
