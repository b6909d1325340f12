"""A recorded ambiguity names the rules its reading decides (``rules``): each name is a rule its body defines for
the standard, or the reading is shown beside nothing. And advice whose sentence says 'must' is advice only on a
recorded reading: the guide's "'should' is advice", so a 'must' shown as advice without one is a defect.

Holds for any set of installed bodies (each ruleset is checked on its own); a plugin's rules naming another rule
are refused as they are read (the last test), so a third party's plugin is held to it too."""

from __future__ import annotations

import re

import attrs
import pytest

from epa.errors import InputError
from epa.model.domain import Ambiguity, Ruleset
from epa.rules import readings
from epa.rules.load import load_rulesets
from epa.testing import registry


def undefined(ruleset: Ruleset) -> list[str]:
    """'<ambiguity>: <name>' for each name an ambiguity gives that its ruleset does not define."""
    return [f"{a.id}: {name}" for a, _, name in readings.undefined(ruleset)]


def _rulesets() -> list[tuple[str, Ruleset]]:
    return [(f"{b.body.id}-{r.standard}-v{r.document.version}", r) for b in registry().bodies for r in b.body.rulesets]


RULESETS = _rulesets()
needs_a_body = pytest.mark.skipif(not RULESETS, reason="no body plugin is installed")


@needs_a_body
@pytest.mark.parametrize("ruleset", [r for _, r in RULESETS], ids=[i for i, _ in RULESETS])
def test_every_rule_an_ambiguity_names_is_defined_by_its_body(ruleset):
    assert undefined(ruleset) == []


@needs_a_body
def test_a_name_no_rule_has_is_caught():
    # the check itself: a reading naming a rule that was renamed away, or a typo, is reported with its ambiguity
    _, ruleset = RULESETS[0]
    stale = Ambiguity("stale-reading", ruleset.document.file + " § Somewhere", "words", "a reading", "why",
                      rules=("no-such-rule", "combination"))
    assert undefined(attrs.evolve(ruleset, ambiguities=(*ruleset.ambiguities, stale))) == [
        "stale-reading: no-such-rule"]


MUST = re.compile(r"\bmust\b", re.IGNORECASE)


def _must_as_advice(ruleset: Ruleset) -> list[str]:
    """Recommendations (shown as advice, never a failure) whose quoted sentence says 'must', named by no reading."""
    if ruleset.journey is None:
        return []
    read = {name for a in ruleset.ambiguities for name in a.rules}
    return [r.id for r in ruleset.journey.recommendations if MUST.search(r.text) and r.id not in read]


@needs_a_body
@pytest.mark.parametrize("ruleset", [r for _, r in RULESETS], ids=[i for i, _ in RULESETS])
def test_a_recommendation_quoting_must_rests_on_a_recorded_reading(ruleset):
    # "should" is advice; a 'must' the data shows as advice ("never a failure") is the tool's reading or a defect
    assert _must_as_advice(ruleset) == []


def test_a_plugins_reading_naming_a_rule_its_rules_do_not_define_is_refused_as_they_are_read(tmp_path):
    # a third party's plugin, not only the bodies installed here: its journey file's reading names a gateway
    # requirement 'english-math' (a typo of its own 'english-maths'), refused with the file, line and JSON path,
    # and the id meant
    from test_plugin_new import generate

    rules = generate(tmp_path, "upsilon") / "epa_upsilon/rules"
    journey = rules / "ST0071.journey.yaml"
    text = journey.read_text(encoding="utf-8")
    assert "\nambiguities: []\n" in text and "\n- id: english-maths" in text
    journey.write_text(text.replace("\nambiguities: []\n", """
ambiguities:
- id: upsilon-english-maths-level
  citation: "upsilon-st0071.txt § Gateway"
  text_says: English and maths as the funding rules require.
  reading: Level 2 in both.
  why: The level is not stated.
  rules: [english-math]
"""), encoding="utf-8")
    line = journey.read_text(encoding="utf-8").splitlines().index("  rules: [english-math]") + 1
    with pytest.raises(InputError) as info:
        load_rulesets(rules)
    said = info.value.render()
    assert "'upsilon-english-maths-level' names rule 'english-math'" in said
    assert f"ST0071.journey.yaml:{line}:" in said and "$.ambiguities[0].rules[0]" in said
    assert "did you mean 'english-maths'?" in said
