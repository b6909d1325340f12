"""Whether a record can tell apart the versions of a body's rules for one standard: what loading a plugin holds
its rulesets to (``epa.registry.load_body``). Apart from ``epa.rules.versions`` (version files and ``epa diff``),
whose imports every command that loads a plugin would otherwise pay for at start-up."""

from __future__ import annotations

from collections.abc import Sequence

from epa.model.domain import Ruleset


def untold(rulesets: Sequence[Ruleset]) -> str | None:
    """Why a record could not tell apart the versions of ``rulesets``, or None: ``untold_at``'s reason alone."""
    found = untold_at(rulesets)
    return None if found is None else found[0]


def untold_at(rulesets: Sequence[Ruleset]) -> tuple[str, Ruleset, str] | None:
    """Why a record could not tell apart the versions of a body's rules for one standard (``rulesets``, as
    ``Body.rulesets_for`` gives them), or None. A record is graded by the version it names (``document_versions``),
    else by the latest in force on its gateway date (``epa.engine.explained.ruleset_for``): versions neither tells
    apart would be chosen between by the order the plugin happens to list them, silently, in every command. So each
    is named, no two share a version or an ``effective_from``, and only the oldest is in force from the start. With
    the reason, the ruleset it is found at (the last listed of those it names) and the field of its ``document`` at
    fault (version, effective_from), for a file's place."""
    if len(rulesets) < 2:
        return None
    standard = rulesets[0].standard
    said = ", ".join(_shown(r) for r in rulesets)
    of = f"{len(rulesets)} versions of {rulesets[0].body}'s {standard} rules ({said})"
    unnamed = next((r for r in rulesets if r.document.version is None), None)
    if unnamed is not None:
        return f"{_shown(unnamed)} gives no document.version, so no record can name it among the {of}; give " \
            "each the version its document gives itself", unnamed, "version"
    for name in dict.fromkeys(r.document.version for r in rulesets):
        alike = [r for r in rulesets if r.document.version == name]
        if len(alike) > 1:
            return f"two of the {of} are version {name}: a record naming it would be graded by one of them, " \
                "chosen by their order; give each ruleset its document's own version", alike[-1], "version"
    undated = [r for r in rulesets if r.document.effective_from is None]
    if len(undated) > 1:
        return f"{len(undated)} of the {of} give no effective_from, so each is in force from the start: a record " \
            "naming none would be graded by one of them, chosen by their order; give every version but the oldest " \
            "its effective_from (and effective_from_citation)", undated[-1], "effective_from"
    for day in dict.fromkeys(r.document.effective_from for r in rulesets):
        alike = [r for r in rulesets if r.document.effective_from == day]
        if day is not None and len(alike) > 1:
            return f"two of the {of} take effect on {day}: a record with a gateway from then would be graded by " \
                "one of them, chosen by their order; give each version the day its document takes effect", \
                alike[-1], "effective_from"
    return None


def _shown(r: Ruleset) -> str:
    day = f" from {r.document.effective_from}" if r.document.effective_from else ""
    name = r.source_file.replace("\\", "/").rsplit("/", 1)[-1] if r.source_file else r.document.file
    return f"{name} (version {r.document.version}{day})"
