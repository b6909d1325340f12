"""A recorded ambiguity names the rules its reading decides (``rules``): each name is a rule its body defines for
the standard, or the reading is shown beside nothing. And advice whose sentence says 'must' is advice only on a
recorded reading: the guide's "'should' is advice", so a 'must' shown as advice without one is a defect.

Holds for any set of installed bodies (each ruleset is checked on its own)."""

from __future__ import annotations

import re

import attrs
import pytest

from epa.model.domain import Ambiguity, Ruleset
from epa.testing import registry

# Parts of a ruleset a reading may decide that have no id of their own (the schemas' ``rules`` description).
RESIT_PARTS = ("cap", "attempts", "no_resit_from_pass", "retake_through_gateway")


def defined(ruleset: Ruleset) -> set[str]:
    """Every name an ambiguity of ``ruleset`` may give in ``rules``."""
    names = {"combination"} | {f"component_rules.{m}" for m in ruleset.component_rules}
    journey = ruleset.journey
    if journey is None:
        return names
    names |= {r.id for r in (*journey.gateway, *journey.deadlines, *journey.tolerances, *journey.recommendations,
                             *journey.conduct)}
    if journey.resit is not None:
        names |= {r.id for r in (*journey.resit.windows, *journey.resit.rework)}
        names |= {f"resit.{part}" for part in RESIT_PARTS if getattr(journey.resit, part) is not None}
    return names


def undefined(ruleset: Ruleset) -> list[str]:
    """'<ambiguity>: <name>' for each name an ambiguity gives that its ruleset does not define."""
    names = defined(ruleset)
    return [f"{a.id}: {name}" for a in ruleset.ambiguities for name in a.rules if name not in names]


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
