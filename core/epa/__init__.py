"""epa: executable, cited End-Point Assessment rules, one plugin per awarding body.

The public API for body plugins is what this module exports; everything else
is internal.
"""

import pluggy

from epa.model import (
    Ambiguity,
    Attempt,
    Body,
    Combination,
    CombinationRow,
    ComponentResult,
    Criterion,
    Deadline,
    Document,
    Grade,
    GradedAttempt,
    Journey,
    Method,
    Outcome,
    Record,
    Requirement,
    ResitDecision,
    Ruleset,
    Standard,
    Step,
    Term,
)
from epa.rules import load_journey, load_ruleset, load_rulesets, load_standard

hookimpl = pluggy.HookimplMarker("epa")
"""Marker for a body plugin's hook implementations: ``@epa.hookimpl``."""

__all__ = [
    "Ambiguity", "Attempt", "Body", "Combination", "CombinationRow", "ComponentResult", "Criterion", "Deadline",
    "Document", "Grade", "GradedAttempt", "Journey", "Method", "Outcome", "Record", "Requirement", "ResitDecision",
    "Ruleset", "Standard", "Step", "Term", "hookimpl", "load_journey", "load_ruleset", "load_rulesets",
    "load_standard",
]
