"""``epa check-rules``: one rules file checked on its own, as the platform loads it, and its citations against
its source document.

A ruleset file, or a journey file (``<standard>.journey.yaml``, loaded with the rulesets beside it), named as a
body's folder of rules names them (``epa.rules.load.not_read_as_rules``). Checks:
everything epa loads them with (the JSON Schema, unique ids, methods and deadlines named), then what
``epa conformance`` checks of the file's own text, with the same code: its ``placeholders`` (nothing left as
``epa plugin new`` wrote it, a ``sha256`` set) and its ``sources`` (the document in the sources folder,
``--sources DIR``, else ``EPA_SOURCES``, else ``../shared/seeds``, has the SHA-256 declared, and every cited
section is a line of it). As ``epa conformance`` does, a file whose own document is not there has its sources
skipped, saying so: its hash and citations are not checked, never passed. A citation of any other document
that is not there is a problem: a rules file cites the document it encodes. Each problem names the file, line
and JSON path.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from attrs import frozen

from epa.conformance.checks import (
    Failure,
    Skip,
    another_text,
    placeholder_failures,
    section_failures,
    source_failures,
    unquoted_failures,
    unread,
    written,
)
from epa.errors import InputError
from epa.inputs.documents import read, schema_errors
from epa.inputs.hostile import RULES
from epa.model.domain import Ruleset
from epa.rules.load import JOURNEY_SUFFIX, load_ruleset, load_rulesets, not_read_as_rules
from epa.rules.sources import sources_dir


@frozen
class Checked:
    """One file checked: its problems, or the reason its citations were not checked (``skipped``)."""

    path: Path
    problems: tuple[str, ...] = ()
    skipped: str | None = None


def jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def citations(value: Any) -> Iterator[str]:
    """Every citation in rules data (any field whose name ends in ``citation``)."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k.endswith("citation") and isinstance(v, str):
                yield v
            else:
                yield from citations(v)
    elif isinstance(value, list):
        for v in value:
            yield from citations(v)


def _data(path: Path) -> Any:
    return jsonable(read(path, RULES)[0])


def load_problems(path: Path) -> list[str]:
    """What epa reports loading the file, exactly as the platform loads it: every schema error of the file, each
    at its line and JSON path, or the one problem loading stopped at (a cross-reference, or another file)."""
    try:
        load_rulesets(path.parent) if path.name.endswith(JOURNEY_SUFFIX) else load_ruleset(path)
    except InputError as exc:
        return _schema_problems(path) or [exc.render()]
    return []


def _schema_problems(path: Path) -> list[str]:
    """Each schema error of the file as written (a version stored as changes is checked once resolved: none)."""
    try:
        data, source = read(path, RULES)
    except InputError as exc:
        return [exc.render()]
    if not isinstance(data, dict) or "based_on" in data or "changes" in data:
        return []
    kind = "journey" if path.name.endswith(JOURNEY_SUFFIX) else "ruleset"
    return [f"{source.where(parts)}: {message}" + (f"\n  hint: {hint}" if hint else "")
            for message, hint, parts in schema_errors(data, kind)]


def document_of(path: Path) -> str:
    """The document file a ruleset (``document.file``) or journey file (``document``) encodes."""
    document = _data(path)["document"]
    return str(document["file"] if isinstance(document, dict) else document)


def cited_documents(path: Path) -> set[str]:
    """The document files the file's citations name."""
    return {cit.partition(" § ")[0] for cit in citations(_data(path))}


def missing_documents(path: Path, sources: str | Path | None = None) -> list[str]:
    """The documents the file cites that are not in the sources folder: their citations cannot be checked."""
    folder = sources_dir(sources)
    return sorted(file for file in cited_documents(path) if not (folder / file).is_file())


def _rulesets(path: Path) -> list[Ruleset]:
    """The rulesets the file is part of: the file's own, or (a journey file) its standard's, loaded with it."""
    if not path.name.endswith(JOURNEY_SUFFIX):
        return [load_ruleset(path)]
    standard = path.name.removesuffix(JOURNEY_SUFFIX)
    return [r for r in load_rulesets(path.parent) if r.standard == standard]


def _other_documents(r: Ruleset, folder: Path) -> Iterator[Failure]:
    """The citations of documents other than the ruleset's own: each section checked where the document is
    there, and each document that is not there a problem, at its first citation."""
    from epa.conformance.checks import citations_in
    from epa.model.convert import unstructure

    cited = [(entry, cit.partition(" § ")[0]) for entry, cit in citations_in(unstructure(r)) if cit]
    others = {file for _, file in cited} - {r.document.file}
    at_hand = {file for file in others if (folder / file).is_file()}
    yield from section_failures(r, folder, at_hand)
    yield from unquoted_failures(r, folder, at_hand)
    for file in sorted(f for f in others if not (folder / f).is_file()):
        entry = next(entry for entry, cites in cited if cites == file)
        yield written(r, f"cites {file}, which is not in {folder}: its citations were not checked",
                      f"{file} in the sources folder (--sources DIR or EPA_SOURCES)", entry)


def _failures(path: Path, folder: Path) -> tuple[list[Failure], str | None]:
    """The conformance checks of the file's own text (``placeholders``, ``sources``), and why the sources were
    not checked (its document absent or unreadable; a journey file's, another text than its ruleset declares), or
    None."""
    rulesets = _rulesets(path)
    journey = path.name.endswith(JOURNEY_SUFFIX)
    found: list[Failure] = []
    skipped = None
    for r in rulesets:
        skipped = unread(r, folder) or (another_text(r, folder) if journey else None)
        if skipped:
            continue
        # the hash is the rules file's to declare: a journey file's citations are checked against the document
        found += section_failures(r, folder, {r.document.file}) if journey else source_failures(r, folder)
        found += _other_documents(r, folder)
    found += placeholder_failures(rulesets)
    here = path.resolve()
    # Each entry once: versions of a standard share a journey file, and a null sha256 fails both checks (the
    # sources check, which comes first, gives the hash to declare); then in the order the author reads the file.
    once = {(f.entry, f.message if f.entry != "$.document.sha256" else ""): f
            for f in reversed(found) if f.file is not None and Path(f.file).resolve() == here}
    return sorted(once.values(), key=lambda f: f.line or 0), skipped


def render(failure: Failure) -> str:
    """A problem as the author finds it: file:line, JSON path, what is wrong and what was expected."""
    place = f"{failure.file}:{failure.line}" if failure.line else str(failure.file)
    return f"{place}: {failure.entry}: {failure.message}\n  expected: {failure.expected}"


def check(path: Path, sources: str | Path | None = None) -> list[str]:
    """Every problem with the file: how it loads, then (if it loads) its placeholders, hash and citations."""
    return list(check_file(path, sources).problems)


def check_file(path: Path, sources: str | Path | None = None) -> Checked:
    """The file checked: a file that does not load has only those problems; one whose document is absent has
    its sources skipped (its placeholders are still checked). A file its body's folder would not read as rules
    (``ST0071.YAML``, ``ST0071.json``, ``ST0071.journey.yml``, ``notes.txt``) has that problem alone: checked on its
    own it would pass, and be left out or refused where the body loads it."""
    refused = not_read_as_rules(path)
    if refused is not None:
        return Checked(path, (refused.render(),))
    loading = load_problems(path)
    if loading:
        return Checked(path, tuple(loading))
    try:
        failures, skipped = _failures(path, sources_dir(sources))
    except Skip as skip:  # (source_failures skips only on a document absent or unread, found first above)
        return Checked(path, (), str(skip))
    reason = None if skipped is None else f"{skipped}; its hash and the citations of {document_of(path)} were " \
        "not checked"
    return Checked(path, tuple(render(f) for f in failures), reason)


def report(results: list[Checked], limit: int) -> tuple[list[str], bool]:
    """The lines ``epa check-rules`` prints, and whether any file has a problem. At most ``limit`` problems are
    listed (0: every one), then how many there are in all."""
    problems = [p for r in results for p in r.problems]
    lines = [f"skip {r.path}: {r.skipped}" for r in results if r.skipped]
    shown = problems if limit == 0 else problems[:limit]
    lines += shown
    files = len(results)
    checked = f"{files} file{'s' if files != 1 else ''}"
    if problems:
        failing = sum(1 for r in results if r.problems)
        more = f"; {len(shown)} shown (--limit 0 lists every one)" if len(shown) < len(problems) else ""
        lines.append(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {failing} of {checked}{more}")
    else:
        skipped = sum(1 for r in results if r.skipped)
        lines.append(f"ok: {checked}" + (f", the hash and citations of {skipped} not checked (their source "
                                          "document is not there)" if skipped else ""))
    return lines, bool(problems)
