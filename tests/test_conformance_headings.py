"""A citation of a heading its document prints more than once ('Grading' under each assessment method) does not say
which is meant: the sources and citations checks ask for the heading above it that tells them apart ('Project >
Grading'), as TQUK's component grades cite theirs."""

from __future__ import annotations

import attrs
from test_conformance import base_rules, check, failures, plugin

import epa
from epa.conformance.checks import section_failures
from epa.rules.sources import sha256

DOCUMENT = """Acme EPA Specification
Contents
Observation\t3
Grading\t3
Project\t4
Grading\t4
Overall grading\t5
Observation
Grading
The observation is graded fail, pass or distinction.
Project
Grading
The project is graded fail, pass or distinction.
Overall grading
Gateway
Book the assessment.
GATEWAY
The apprentice must have English and maths.
"""


def rules_citing(tmp_path, section):
    """The base rules, as of a document written to tmp_path, their first method citing ``section`` of it."""
    document = tmp_path / "acme.txt"
    document.write_text(DOCUMENT, encoding="utf-8")
    rules = base_rules()
    rules = attrs.evolve(rules, document=attrs.evolve(rules.document, file=document.name, sha256=sha256(document)))
    method = attrs.evolve(rules.methods[0], citation=f"acme.txt § {section}")
    return attrs.evolve(rules, methods=(method, *rules.methods[1:]))


def found_at_method(tmp_path, section):
    return [f for f in section_failures(rules_citing(tmp_path, section), tmp_path, {"acme.txt"})
            if f.entry == "$.methods[0].citation"]




def test_a_heading_printed_under_each_method_is_ambiguous(tmp_path):
    (found,) = found_at_method(tmp_path, "Grading")
    assert "acme.txt prints 2 times (lines 9, 12, its contents page aside)" in found.message
    assert found.expected.startswith("the heading above it that tells them apart: 'acme.txt § <that heading> > "
                                     "Grading'")


def test_the_heading_above_it_tells_them_apart(tmp_path):
    assert found_at_method(tmp_path, "Project > Grading") == []
    assert found_at_method(tmp_path, "Observation > Grading") == []


def test_a_heading_printed_once_beside_its_contents_line_is_one_section(tmp_path):
    assert found_at_method(tmp_path, "Overall grading") == []


def test_a_heading_printed_as_cited_case_and_all_is_the_one_meant(tmp_path):
    # 'GATEWAY' and 'Gateway' are two headings; the citation written as one is printed names it.
    assert found_at_method(tmp_path, "GATEWAY") == []
    assert found_at_method(tmp_path, "Gateway") == []
    (found,) = found_at_method(tmp_path, "gateway")
    assert "prints 2 times (lines 15, 17" in found.message


def test_a_hook_step_citing_a_heading_printed_twice_fails_citations(tmp_path):
    rules = rules_citing(tmp_path, "Observation > Grading")
    steps = (epa.Step(says="as the document says", citation="acme.txt § Grading"),)

    def combine_grades(self, ruleset, components):
        from epa.rules import combination
        return epa.Outcome(grade=combination.decide(ruleset.combination, components), steps=steps)

    found = [f for f in failures(check(("broken", plugin(rules=rules, combine_grades=combine_grades)), "citations",
                                       tmp_path)) if f.entry == "combine_grades"]
    assert len(found) == 1 and "a heading acme.txt prints 2 times (lines 9, 12)" in found[0].message
