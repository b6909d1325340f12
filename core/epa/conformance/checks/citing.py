"""Citations: every rule and every step cites the body's documents, at sections they have, in the text declared."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from epa.conformance import witness
from epa.conformance.checks.base import (
    CheckedBody,
    Failure,
    NotChecked,
    check,
    combinations,
    show,
    written,
)
from epa.errors import quote
from epa.model.convert import unstructure
from epa.model.domain import Ruleset
from epa.model.results import ComponentResult, Outcome
from epa.rules.sources import PATH, ambiguous, has_section, sha256

# --- citations ---------------------------------------------------------------------------------------------


def citations_in(value: Any, path: str = "$") -> Iterator[tuple[str, Any]]:
    """(JSON path, citation) for every citation in the rules (any field whose name ends in ``citation``), the path
    the citation's own: an error in it is shown at its line."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key.endswith("citation") and (item is None or isinstance(item, str)):
                yield f"{path}.{key}", item
            else:
                yield from citations_in(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from citations_in(item, f"{path}[{i}]")


@check("citations", "every method, criterion, rule, requirement, deadline and ambiguity, and every step that explains "
       "a grade, cites its body's document as '<file> § <section>' (a section it has, where it is at hand, and one it "
       "prints once or cites under the heading above it); each such step says something")
def citations(s: CheckedBody) -> Iterator[Failure]:
    r = s.rules
    files = {d.file for d in s.loaded.body.documents}
    for path, citation in citations_in(unstructure(r)):
        if path.endswith((".effective_from_citation", ".plan_version_citation")) and citation is None:
            continue  # optional: a version the document gives no date (or assessment plan version) for
        file, mark, section = (citation or "").partition(" § ")
        if not (mark and section.strip()):
            yield s.failure(f"cites {quote(citation)}, which is not a citation",
                            f"'<document file> § <section heading>', e.g. '{r.document.file} § <a section heading of "
                            "it>'", path)
        elif file not in files:
            yield s.failure(f"cites {file}, which is not one of the body's documents ({', '.join(sorted(files))})",
                            "a citation of a document the body declares", path)
    yield from _explained(s, files)


def _explained(s: CheckedBody, files: set[str]) -> Iterator[Failure]:
    """What the grading hooks answer is cited too: every combination's overall grade, and each method's grade with
    nothing, every pass and every criterion met, explained by at least one step, each citing a section of the
    body's own documents (a hook of the plugin's own can answer rightly and cite nothing, or a document it lacks).
    The first answer of each hook that does not is shown, with how many."""
    r = s.rules
    expected = (f"steps citing the rule applied as '<document file> § <section heading>' of the body's documents "
                f"({', '.join(sorted(files))})")

    def miscited(citation: str | None) -> str | None:
        """Why a step's citation is not one section of the body's documents, or None where it is."""
        file, mark, section = (citation or "").partition(" § ")
        if not (mark and section.strip()) or file not in files:
            return "not a section of the body's documents"
        document = s.sources / file  # a document at hand has the section; one absent is the sources check's skip
        if not document.is_file():
            return None
        if not has_section(document, section):
            return "not a section of the body's documents"
        lines = ambiguous(document, section)
        return f"a heading {file} prints {len(lines)} times (lines {', '.join(map(str, lines))}), so a reader " \
            f"cannot tell which (cite it as '<the heading above it>{PATH}{section.strip()}')" if lines else None

    # the citations a hook's answer was failed for, and the rules' own (failed above at their entries, where wrong):
    # a record's explanation is failed only for what neither has said
    shown: set[str | None] = {citation for _, citation in citations_in(unstructure(r))}

    def uncited(steps: Iterable[Any]) -> str | None:
        if not steps:
            return "with no step citing the rule that decides it"
        for step in steps:
            if not str(getattr(step, "says", "")).strip():  # a step the explanation shows as nothing
                return f"with a step citing {quote(getattr(step, 'citation', None))} that says nothing"
            if (citation := getattr(step, "citation", None)) not in shown and (why := miscited(citation)):
                shown.add(citation)
                return f"citing {quote(citation)}, {why}"
        return None

    found: list[tuple[str, str, dict[str, Any]]] = []
    for combo in combinations(r):
        outcome = s.loaded.call("combine_grades", ruleset=r, components=dict(combo))
        if isinstance(outcome, Outcome) and outcome.grade is not None and (why := uncited(outcome.steps)):
            found.append(("combine_grades", f"{show(combo)} gives {outcome.grade.value} {why}",
                          witness.recorded(s.body_id, r, combo)))
    for method in r.method_ids:
        for met in (frozenset(), frozenset(c.id for c in r.criteria_for(method, "pass")),
                    frozenset(c.id for c in r.criteria_for(method))):
            result = s.loaded.call("grade_component", ruleset=r, method=method, criteria_met=met)
            if isinstance(result, ComponentResult) and (why := uncited(result.steps)):
                found.append(("grade_component", f"{method} with {len(met)} criteria met gives "
                              f"{getattr(result.grade, 'value', result.grade)} {why}",
                              witness.criteria(s.body_id, r, {method: met})))
    # and whatever else explains a record (gateway, deadlines, a resit's steps, checks): each citation the body's
    for data in [*witness.samples(s.body_id, r), witness.resit(s.body_id, r, r.method_ids[0], "resit")]:
        for path, citation in citations_in(unstructure(s.explain(data))):
            if citation is not None and citation not in shown and (why := miscited(citation)):
                found.append(("explanation", f"a record's {path} cites {quote(citation)}, {why}", data))
                break
    for hook in dict.fromkeys(h for h, _, _ in found):
        mine = [(message, record) for h, message, record in found if h == hook]
        more = (f" ({len(mine)} {'records explained' if hook == 'explanation' else 'answers of ' + hook} are so)"
                if len(mine) > 1 else "")
        yield s.failure(f"{hook}: {mine[0][0]}{more}", expected, hook, mine[0][1])


@check("sources", "each source document is the text the citations were written against (SHA-256); every "
       "cited section is a line of the document cited, and every criterion's text is printed in it, compared by "
       "letters and digits alone (or, for one given as reconstructed_from, each piece is, and the text is the "
       "pieces joined); the document cited the ruleset's own, or another of the body's at hand")
def sources(s: CheckedBody) -> Iterator[Failure]:
    yield from source_failures(s.rules, s.sources)
    # A rule citing another of the body's documents (copied from its rules for another standard, say) is held to
    # that document where it is at hand: its hash is its own ruleset's to declare, so only the sections here.
    others = {d.file for d in s.loaded.body.documents} - {s.rules.document.file}
    at_hand = {f for f in others if (s.sources / f).is_file()}
    yield from section_failures(s.rules, s.sources, at_hand)
    yield from unquoted_failures(s.rules, s.sources, at_hand)


def absent(r: Ruleset, folder: Path) -> str | None:
    """Why the ruleset's document cannot be checked (it is not in the sources folder), or None: what the
    ``sources`` check and ``epa check-rules`` skip with."""
    doc = r.document
    if (folder / doc.file).is_file():
        return None
    unchecked = "; the document was not checked" + (" (and the ruleset declares no sha256)"
                                                     if doc.sha256 is None else "")
    if not folder.is_dir():
        return (f"source not found: the sources folder {folder} does not exist{unchecked} (give --sources DIR, or "
                "set EPA_SOURCES, to the folder holding the documents)")
    return f"source not found: {doc.file} is not in {folder}{unchecked} (give --sources DIR or set EPA_SOURCES)"


def unread(r: Ruleset, folder: Path) -> str | None:
    """Why the ruleset's document cannot be checked: it is not in the sources folder (:func:`absent`), or it is but
    cannot be read; or None."""
    reason = absent(r, folder)
    if reason:
        return reason
    try:
        sha256(folder / r.document.file)
    except OSError as exc:
        return f"{folder / r.document.file} cannot be read ({exc.strerror or exc}); the document was not checked"
    return None


def another_text(r: Ruleset, folder: Path) -> str | None:
    """Why citations of the ruleset's document (a journey file's, which declares no hash of its own) are not checked
    against the text in ``folder`` (read, :func:`unread`): it is not the text the ruleset declares by its SHA-256.
    None where it is, or where the ruleset declares none (the ``sources`` check asks for it)."""
    doc = r.document
    if doc.sha256 is None:
        return None
    actual = sha256(folder / doc.file)
    if actual == doc.sha256:
        return None
    declares = Path(r.source_file).name if r.source_file else "the ruleset"
    return f"{folder / doc.file} has SHA-256 {actual}, not the {doc.sha256} {declares} declares; the document was " \
        "not checked"


def source_failures(r: Ruleset, folder: Path) -> Iterator[Failure]:
    """The ``sources`` check of one ruleset (``epa check-rules`` runs it too): its document's SHA-256 is the one
    declared, and each section its citations name is a line of it. Raises :class:`NotChecked` when the document is
    not in ``folder``, or cannot be read (:func:`unread`)."""
    reason = unread(r, folder)
    if reason:
        raise NotChecked(reason)
    doc = r.document
    path = folder / doc.file
    actual = sha256(path)
    if doc.sha256 is None:
        yield written(r, f"{doc.file} declares no sha256", f"sha256: {actual}", "$.document.sha256")
        return
    if actual != doc.sha256:
        yield written(r, f"{path} has SHA-256 {actual}, not the {doc.sha256} the citations were written against",
                      "the document's text the rules cite", "$.document.sha256")
        return
    yield from section_failures(r, folder, {doc.file})
    yield from unquoted_failures(r, folder, {doc.file})


def unquoted_failures(r: Ruleset, folder: Path, files: set[str]) -> Iterator[Failure]:
    """Each criterion citing one of ``files`` (documents in ``folder``) whose text that document does not print: a
    list of criteria copied from another body's rules, or written from memory, cited to a section the document has,
    passed every check. A criterion the document prints whole nowhere (a row split across a page break) gives the
    pieces it prints (``reconstructed_from``): each piece is held to the document, and the text to the pieces
    joined. Nothing else (a ``note``, say) excuses a criterion. Compared as :func:`_letters` says."""
    printed: dict[str, str] = {}
    for i, c in enumerate(r.criteria):
        file = c.citation.partition(" § ")[0]
        if file not in files:
            continue
        if file not in printed:
            printed[file] = _letters(_unmarked((folder / file).read_text(encoding="utf-8", errors="replace")))
        if not c.reconstructed_from:
            if _letters(c.text) not in printed[file]:
                yield written(r, f"criterion {c.id}'s text is not in {file}: {quote(c.text)}",
                              "the document's words for it, as it prints them (where it prints them whole nowhere, "
                              "as in a row split across a page break, the pieces it prints as reconstructed_from)",
                              f"$.criteria[{i}].text")
            continue
        for j, piece in enumerate(c.reconstructed_from):
            if _letters(piece) not in printed[file]:
                yield written(r, f"criterion {c.id}'s piece {j + 1} is not in {file}: {quote(piece)}",
                              "a piece of the criterion's text as the document prints it",
                              f"$.criteria[{i}].reconstructed_from[{j}]")
        if "".join(map(_letters, c.reconstructed_from)) != _letters(c.text):
            yield written(r, f"criterion {c.id}'s text is not the pieces it is reconstructed from, joined: "
                          f"{quote(c.text)}", "the pieces' words, in order", f"$.criteria[{i}].text")


# a markup tag: '<' then a tag name or '/', to its '>' (a bare '<', as in "scores <50% fail", is the document's text)
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")


def _unmarked(text: str) -> str:
    """A document's text with its markup tags taken out (each a space) and its character references (``&amp;``)
    read as the characters they stand for."""
    return html.unescape(_TAG.sub(" ", text))


def _letters(text: str) -> str:
    """Text as the check compares it: letters (casefolded) and digits alone, so that a line broken, a word hyphenated
    across lines, a bullet, curly quotes, a table's cells or an entity's spelling never count as a difference."""
    return re.sub(r"[^0-9a-z]+", "", html.unescape(text).casefold())


def section_failures(r: Ruleset, folder: Path, files: set[str]) -> Iterator[Failure]:
    """Each citation of one of ``files`` (documents in ``folder``) whose section is not a line of the document, or is
    a heading it prints more than once (:func:`epa.rules.sources.ambiguous`): a reader cannot tell which is meant."""
    for entry, citation in citations_in(unstructure(r)):
        file, _, section = (citation or "").partition(" § ")
        if not (file in files and section):
            continue
        if not has_section(folder / file, section):
            yield written(r, f"cites section {quote(section)}, which is not a line of {file}",
                          "a section heading of the document", entry)
        elif lines := ambiguous(folder / file, section):
            yield written(r, f"cites section {quote(section)}, which {file} prints {len(lines)} times (lines "
                          f"{', '.join(map(str, lines))}, its contents page aside), so a reader cannot tell which",
                          f"the heading above it that tells them apart: '{file} § <that heading>{PATH}"
                          f"{section.strip()}' (the first {section.strip()} after it)", entry)
