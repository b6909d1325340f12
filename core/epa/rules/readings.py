"""The rules a recorded reading names (an ambiguity's ``rules``), so that a reading is never shown beside nothing.

A journey rule is named by its id; the parts of a ruleset that have none by the names the schemas' ``rules``
description lists. Checked as a body's rules are read (``epa.rules.load``): a plugin's reading naming a rule its
rules do not define, renamed away or mistyped, is refused there with the file and place, as a malformed entry is."""

from __future__ import annotations

from epa.model.domain import Ambiguity, Ruleset

# The resit rules' parts a reading may decide, which have no id of their own.
RESIT_PARTS = ("cap", "attempts", "no_resit_from_pass", "retake_through_gateway")


def defined(ruleset: Ruleset) -> set[str]:
    """Every name an ambiguity of ``ruleset`` may give in ``rules``."""
    names = {"combination"} | {f"component_rules.{m}" for m in ruleset.component_rules}
    if ruleset.document.plan_version is not None:
        names.add("document.plan_version")
    journey = ruleset.journey
    if journey is None:
        return names
    names |= {r.id for r in journey.gateway} | {r.id for r in journey.deadlines} | {r.id for r in journey.tolerances}
    names |= {r.id for r in journey.recommendations} | {r.id for r in journey.conduct}
    if journey.resit is not None:
        names |= {r.id for r in journey.resit.windows} | {r.id for r in journey.resit.rework}
        names |= {f"resit.{part}" for part in RESIT_PARTS if getattr(journey.resit, part) is not None}
    return names


def undefined(ruleset: Ruleset) -> list[tuple[Ambiguity, int, str]]:
    """(ambiguity, place in its ``rules``, name) for each name an ambiguity gives that ``ruleset`` does not define."""
    names = defined(ruleset)
    return [(a, k, name) for a in ruleset.ambiguities for k, name in enumerate(a.rules) if name not in names]
