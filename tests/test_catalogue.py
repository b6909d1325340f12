"""The rules themselves: every ruleset valid, every rule cited to a section that exists in its document."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import OUR_BODIES, ROOT
from epa import check_rules
from epa.model.convert import unstructure
from epa.rules.sources import sources_dir
from epa.testing import requires

RULESETS = sorted(ROOT.glob("plugins/*/epa_*/rules/*.yaml"))

# Highfield's kit numbers every ST0071 criterion (002 § The Customer Service Specialist apprenticeship standard);
# the other bodies' ids are these codes, plus ids for criteria Highfield does not have.
HIGHFIELD_CODE = re.compile(r"^[KSB]\d\.\d{1,2}$")


def test_every_plugin_ships_rules():
    assert {p.parent.parent.parent.name for p in RULESETS} == {"nqual", "highfield", "tqual", "gateway_quals"}


@pytest.mark.parametrize("path", RULESETS, ids=lambda p: f"{p.parent.parent.parent.name}/{p.name}")
def test_ruleset_is_valid(path: Path):
    assert check_rules.load_problems(path) == []


@pytest.mark.parametrize("path", RULESETS, ids=lambda p: f"{p.parent.parent.parent.name}/{p.name}")
def test_ruleset_is_valid_and_every_citation_names_a_real_section(path: Path):
    # The source documents are outside the repository (EPA_SOURCES, default ../shared/seeds). Without the
    # file's own document nothing can be checked: skip. A citation naming any other absent file is a problem.
    document = check_rules.document_of(path)
    if document in check_rules.missing_documents(path):
        pytest.skip(f"source document {document} not found in {sources_dir()} (set EPA_SOURCES)")
    assert check_rules.check(path) == []


def test_citations_point_at_the_rulesets_own_document(registry):
    for loaded in registry.bodies:
        for rules in loaded.body.rulesets:
            cited = set(check_rules.citations(unstructure(rules)))
            assert cited, rules.standard
            assert {c.partition(" § ")[0] for c in cited} == {rules.document.file}


def test_criterion_ids_unique_and_every_criterion_cited(registry):
    for loaded in registry.bodies:
        for rules in loaded.body.rulesets:
            ids = [c.id for c in rules.criteria]
            assert len(ids) == len(set(ids))
            assert all(c.citation and c.text.strip() for c in rules.criteria)


@requires("highfield")
def test_st0071_ids_are_highfield_codes_or_named_extras(registry):
    highfield = {c.id for c in registry.body("highfield").body.rulesets_for("ST0071")[0].criteria}
    assert all(HIGHFIELD_CODE.match(i) for i in highfield)
    # 002 § Practical observation (with Q&As) criteria ends the numbering at B5.2.
    assert {"K1.1", "B5.2", "S1.5", "K4.7"} <= highfield
    for loaded in registry.offering("ST0071"):
        for rules in loaded.body.rulesets_for("ST0071"):
            extras = {c.id for c in rules.criteria} - highfield
            assert all(not HIGHFIELD_CODE.match(i) for i in extras), (loaded.body.id, extras)


def test_st0071_vocabulary_is_highfield_codes_and_named_extras(registry):
    # The core's ST0071 vocabulary (core/epa/rules/standards/ST0071.yaml), which every body's ids come from, whichever
    # bodies are installed: Highfield's codes, and ids of their own for criteria only other bodies have.
    vocabulary = registry.standard("ST0071").criterion_ids
    assert {"K1.1", "B5.2", "S1.5", "K4.7", "X.PROFESSIONAL-IMAGE"} <= vocabulary
    for loaded in registry.bodies:
        for rules in loaded.body.rulesets_for("ST0071"):
            assert {c.id for c in rules.criteria} <= vocabulary, loaded.body.id


@requires("nqual", "gateway_quals", "highfield")
def test_shared_extra_criterion_has_one_id_across_bodies(registry):
    # 000 § Grading Descriptors for Professional Discussion... and 004 § Appendix 2 Grade descriptors both grade
    # "...analysed the importance ... of their professional image and its relationship with the organisation's
    # brand" as a discussion distinction; Highfield's kit has no such criterion. One id serves both.
    for body in ("nqual", "gateway_quals"):
        rules = registry.body(body).body.rulesets_for("ST0071")[-1]
        criterion = rules.criterion("X.PROFESSIONAL-IMAGE")
        assert criterion is not None and (criterion.method, criterion.level) == ("discussion", "distinction")
        assert "professional image" in criterion.text
    assert registry.body("highfield").body.rulesets_for("ST0071")[0].criterion("X.PROFESSIONAL-IMAGE") is None


@pytest.mark.parametrize("body", [pytest.param(b, marks=requires(b)) for b in OUR_BODIES])
def test_every_ruleset_records_its_ambiguities(registry, body):
    # Each of our five documents has at least one garbled table or contradiction (see each ruleset); a fact
    # about these documents, not a rule every body's document must break.
    for rules in registry.body(body).body.rulesets:
        assert rules.ambiguities, (body, rules.standard, rules.document.version)
        assert all(a.reading and a.why for a in rules.ambiguities)
