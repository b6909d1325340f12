"""The checks of the conformance suite: universal properties every body's rules must hold.

A check is a generator over one :class:`CheckedBody` (a body, or one of its rulesets) that yields a
:class:`Failure` for each counterexample, or raises :class:`Skip` with the reason it does not apply.
Each failure names the ruleset file and entry where one is to blame, what was expected, and, where
an apprentice can show it, the smallest record that does: ``epa grade --body ID`` on it reproduces it.

The checks live by family, each module registering its own in ``CHECKS`` as it is imported; ``FAMILIES``
below is the order they run (and are listed) in:

- ``plugin``: the plugin as a whole (loads, hooks, versions, documents);
- ``placeholders``: anything left as ``epa plugin new`` wrote it;
- ``catalogue``: methods, criteria and thresholds;
- ``components``: grading one method;
- ``combining``: the overall grade from the methods';
- ``records``: whole records (the resit cap, deterministic and valid output);
- ``processes``: answers alike in every process;
- ``journeys``: a record's journey as the plugin's own record hooks answer it;
- ``citing``: citations, and the source documents they cite.
"""

from __future__ import annotations

from epa.conformance.checks import (
    catalogue,
    citing,
    combining,
    components,
    journeys,
    placeholders,
    plugin,
    processes,
    records,
)
from epa.conformance.checks.base import (
    CHECKS,
    RANK,
    CheckedBody,
    ConformanceCheck,
    Failure,
    NotChecked,
    Skip,
    hook_failure,
    hook_source,
    written,
)
from epa.conformance.checks.citing import (
    absent,
    another_text,
    citations_in,
    section_failures,
    source_failures,
    unquoted_failures,
    unread,
)
from epa.conformance.checks.placeholders import MARK, placeholder_failures

# The order the families run in (each module registers its checks in its own order as it is imported).
FAMILIES = (plugin, placeholders, catalogue, components, combining, records, processes, journeys, citing)
CHECKS.sort(key=lambda c: [f.__name__ for f in FAMILIES].index(c.run.__module__))

__all__ = ["CHECKS", "RANK", "CheckedBody", "ConformanceCheck", "Failure", "NotChecked", "Skip", "hook_failure",
           "hook_source", "written", "absent", "another_text", "citations_in", "section_failures", "source_failures",
           "unquoted_failures", "unread", "MARK", "placeholder_failures"]
