"""What a hook is given is held unchanged: a plugin's hook that changes it is that plugin's failure, the change undone.

The record and the rules a hook is given are frozen attrs classes holding a few dicts (a record's
``document_versions``, ``schedule`` and its attempts grouped by method; a ruleset's ``component_rules`` and each
combination row's ``when``), and combine_grades is given a dict of grades. A hook changing one in place (a
``setdefault``, a ``pop``) changes what every later reader sees: the other bodies grading the same record in
`epa compare` (an attempt gone from the grouping left each with no grade, exit 0), every later record of a cohort
or of `epa serve`, and the core itself (a version named for another body refused as the user's input, exit 2). So
``fence.call`` takes a shallow copy of each before a plugin's hook runs and compares after it: a change is put back,
and the call fails naming plugin, hook and the first entry changed, as the conformance ``hooks`` check names it.
Shallow is enough: what the dicts hold (strings, dates, tuples, frozen attrs instances) cannot be changed in place.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from epa.model.domain import Record, Ruleset

Held = tuple[str, str, dict[Any, Any], dict[Any, Any]]  # what it is, where in it, the dict, its copy


def held(kwargs: Mapping[str, Any]) -> list[Held]:
    """The dicts a hook call is given, each with a copy to compare with after it."""
    found: list[Held] = []
    for name, value in kwargs.items():
        if isinstance(value, Record):
            for where, part in (("$.document_versions", value.document_versions), ("$.schedule", value.schedule),
                                ("$.assessments (by method)", value._by_method)):
                found.append(("the record", f"the record's {where}", part, dict(part)))
        elif isinstance(value, Ruleset):
            said = f"{value.standard} version {value.document.version}'s"
            found.append(("the ruleset", f"{said} $.component_rules", value.component_rules,
                          dict(value.component_rules)))
            found += [("the ruleset", f"{said} $.combination.rows[{i}].when", row.when, dict(row.when))
                      for i, row in enumerate(value.combination.rows)]
        elif type(value) is dict:
            found.append((f"the {name}", f"its {name}", value, dict(value)))
    return found


def changed(found: list[Held]) -> str | None:
    """What the hook changed of what it was given (each change put back), or None."""
    said = None
    for what, where, now, before in found:
        if now == before:
            continue
        key = next((k for k in {**before, **now} if k not in now or k not in before or now[k] is not before[k]
                    and now[k] != before[k]), None)
        now.clear()
        now.update(before)
        if said is None:
            said = (f"changed {what} it was given: {where}" + (f".{key}" if isinstance(key, str) else "")
                    + " (a hook reads its arguments and returns its answer, changing nothing it is given: copy "
                    "what it would change; the change is undone)")
    return said
