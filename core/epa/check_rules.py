"""``epa check-rules``: one rules file checked on its own, as the platform loads it, and its citations against
its source document.

A ruleset file, or a journey file (``<standard>.journey.yaml``, loaded with the rulesets beside it). Checks:
everything epa loads them with (the JSON Schema, unique ids, methods and deadlines named), and that every
citation's section is a line of the cited document in the sources folder (``--sources DIR``, else
``EPA_SOURCES``, else ``../shared/seeds``). As ``epa conformance`` does, a file whose own document is not
there is skipped, saying so: its citations are not checked, never passed. A citation of any other document
that is not there is a problem: a rules file cites the document it encodes.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from attrs import frozen

from epa.documents import read
from epa.errors import InputError
from epa.rules import JOURNEY_SUFFIX, load_ruleset, load_rulesets
from epa.sources import has_section, sources_dir


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
    return jsonable(read(path)[0])


def load_problems(path: Path) -> list[str]:
    """What epa reports loading the file: the schema and the cross-references, exactly as the platform loads them."""
    try:
        load_rulesets(path.parent) if path.name.endswith(JOURNEY_SUFFIX) else load_ruleset(path)
    except InputError as exc:
        return [exc.render()]
    return []


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


def not_checked(path: Path, sources: str | Path | None = None) -> str | None:
    """Why the file's citations cannot be checked (its own document is not in the sources folder), or None."""
    folder = sources_dir(sources)
    document = document_of(path)
    if (folder / document).is_file():
        return None
    where = f"the sources folder {folder} does not exist" if not folder.is_dir() else f"{document} is not in {folder}"
    return (f"source not found: {where}; the citations of {document} were not checked (give --sources DIR, or set "
            "EPA_SOURCES, to the folder holding it)")


def citation_problems(path: Path, sources: str | Path | None = None) -> list[str]:
    """Every citation whose section is not a line of the cited document, or whose document (another than the
    file's own) is not there. The file's own document absent: nothing is checked (see :func:`not_checked`)."""
    folder = sources_dir(sources)
    own = document_of(path)
    missing = set(missing_documents(path, sources))
    if own in missing:
        return []
    problems = [f"{path}: citations of {file} not checked: it is not in {folder} (--sources DIR or EPA_SOURCES)"
                for file in sorted(missing)]
    for cit in citations(_data(path)):
        file, _, section = cit.partition(" § ")
        if file not in missing and not has_section(folder / file, section):
            problems.append(f"{path}: citation section is not a line of {file}: {section!r}")
    return problems


def check(path: Path, sources: str | Path | None = None) -> list[str]:
    """Every problem with the file: how it loads, then (if it loads) its citations."""
    return load_problems(path) or citation_problems(path, sources)


def check_file(path: Path, sources: str | Path | None = None) -> Checked:
    """The file checked: a file that does not load has only that problem; one whose document is absent is skipped."""
    loading = load_problems(path)
    if loading:
        return Checked(path, tuple(loading))
    reason = not_checked(path, sources)
    return Checked(path, tuple(citation_problems(path, sources)), reason)


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
        lines.append(f"ok: {checked}" + (f", the citations of {skipped} not checked (their source document is "
                                          "not there)" if skipped else ""))
    return lines, bool(problems)
