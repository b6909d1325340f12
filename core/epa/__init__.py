"""epa: executable, cited End-Point Assessment rules, one plugin per awarding body.

The public API for body plugins is what this module exports; everything else
is internal. The names are imported on first use (PEP 562), so that importing a
submodule such as ``epa.cli`` does not pay for the domain model, the rules
loader and their libraries until a command needs them.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pluggy

    from epa.model.domain import (
        Ambiguity,
        Attempt,
        Body,
        Combination,
        CombinationRow,
        Criterion,
        Document,
        Grade,
        Journey,
        Method,
        Record,
        Ruleset,
        Standard,
        Term,
    )
    from epa.model.results import ComponentResult, Deadline, GradedAttempt, Outcome, Requirement, ResitDecision, Step
    from epa.rules.load import load_journey, load_ruleset, load_rulesets, load_standard

    hookimpl: pluggy.HookimplMarker

__all__ = [
    "Ambiguity", "Attempt", "Body", "Combination", "CombinationRow", "ComponentResult", "Criterion", "Deadline",
    "Document", "Grade", "GradedAttempt", "Journey", "Method", "Outcome", "Record", "Requirement", "ResitDecision",
    "Ruleset", "Standard", "Step", "Term", "hookimpl", "load_journey", "load_ruleset", "load_rulesets",
    "load_standard",
]

__version__ = "0.1.0"  # the one place it is written: pyproject.toml reads it from here

_RULES = ("load_journey", "load_ruleset", "load_rulesets", "load_standard")
_RESULTS = ("ComponentResult", "Deadline", "GradedAttempt", "Outcome", "Requirement", "ResitDecision", "Step")


def __getattr__(name: str) -> Any:
    if name == "hookimpl":
        import pluggy

        value: Any = pluggy.HookimplMarker("epa")  # a body plugin's hook implementations: ``@epa.hookimpl``
    elif name in _RULES:
        value = getattr(import_module("epa.rules.load"), name)
    elif name in _RESULTS:
        value = getattr(import_module("epa.model.results"), name)
    elif name in __all__:
        value = getattr(import_module("epa.model.domain"), name)
    else:
        raise AttributeError(f"module 'epa' has no attribute {name!r}")
    globals()[name] = value  # once: later look-ups do not come here
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
