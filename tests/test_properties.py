"""Properties every document states in words, checked for every body over generated inputs.

Every document says a fail in any method fails the EPA (000 § Assessment Grading Breakdown, 001 § Grading &
Criteria, 002 § Grading, 003 § Overall Grading, 004 § 2.7 Grading requirements), and every document grades a
method by criteria met, so meeting more criteria can never lower a method's grade.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import combine, grade_component, ruleset
from epa import Grade
from epa.registry import Registry

REGISTRY = Registry.installed()
CASES = [(b.body.id, r.standard, r.document.version) for b in REGISTRY.bodies for r in b.body.rulesets]
ORDER = {Grade.FAIL: 0, Grade.PASS: 1, Grade.DISTINCTION: 2}
grades = st.sampled_from(list(Grade))


@pytest.mark.parametrize("body,standard,version", CASES)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_any_fail_fails_and_only_a_fail_fails(body, standard, version, data):
    methods = ruleset(REGISTRY, body, standard, version).method_ids
    components = {m: data.draw(grades, label=m) for m in methods}
    overall = combine(REGISTRY, body, standard, version, **components)
    assert (overall == Grade.FAIL) == (Grade.FAIL in components.values())


@pytest.mark.parametrize("body,standard,version", CASES)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_meeting_more_criteria_never_lowers_a_method_grade(body, standard, version, data):
    rules = ruleset(REGISTRY, body, standard, version)
    method = data.draw(st.sampled_from(rules.method_ids), label="method")
    ids = [c.id for c in rules.criteria_for(method)]
    fewer = data.draw(st.sets(st.sampled_from(ids)), label="met")
    more = fewer | data.draw(st.sets(st.sampled_from(ids)), label="also met")
    low = grade_component(REGISTRY, body, method, fewer, standard, version)
    high = grade_component(REGISTRY, body, method, more, standard, version)
    assert ORDER[low] <= ORDER[high]
