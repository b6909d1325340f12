"""Check ruleset files as the platform loads them, and their citations against the source documents.

Usage: python tools/check_rules.py [--sources DIR] RULES.yaml [...]   (needs epa installed)

A ruleset file, or a journey file (<standard>.journey.yaml). Checks:
everything epa loads them with (the JSON Schema, unique ids, methods and
deadlines named; a journey file is loaded with the rulesets beside it); and
that every citation's section is a heading (a line) of the cited document in
the sources folder: --sources DIR, else EPA_SOURCES, else ../shared/seeds
(relative to the working directory). A citation whose document is not there
is reported as not checked, never passed.
"""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path

import yaml

from epa.errors import InputError
from epa.rules import JOURNEY_SUFFIX, load_ruleset, load_rulesets
from epa.sources import has_section, sources_dir


def jsonable(value):
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def citations(value):
    if isinstance(value, dict):
        for k, v in value.items():
            if k.endswith("citation") and isinstance(v, str):
                yield v
            else:
                yield from citations(v)
    elif isinstance(value, list):
        for v in value:
            yield from citations(v)


def _data(path: Path):
    return jsonable(yaml.safe_load(path.read_text(encoding="utf-8")))


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
    return document["file"] if isinstance(document, dict) else document


def cited_documents(path: Path) -> set[str]:
    """The document files the file's citations name."""
    return {cit.partition(" § ")[0] for cit in citations(_data(path))}


def missing_documents(path: Path, sources: str | Path | None = None) -> list[str]:
    """The documents the file cites that are not in the sources folder: its citations cannot be checked."""
    folder = sources_dir(sources)
    return sorted(file for file in cited_documents(path) if not (folder / file).is_file())


def citation_problems(path: Path, sources: str | Path | None = None) -> list[str]:
    """Every citation whose section is not a line of the cited document, or whose document is not there."""
    folder = sources_dir(sources)
    missing = missing_documents(path, sources)
    problems = [f"{path}: citations of {file} not checked: it is not in {folder} (--sources DIR or EPA_SOURCES)"
                for file in missing]
    for cit in citations(_data(path)):
        file, _, section = cit.partition(" § ")
        if file not in missing and not has_section(folder / file, section):
            problems.append(f"{path}: citation section is not a line of {file}: {section!r}")
    return problems


def check(path: Path, sources: str | Path | None = None) -> list[str]:
    """Every problem with the file: how it loads, then (if it loads) its citations."""
    return load_problems(path) or citation_problems(path, sources)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", metavar="DIR",
                        help="the source documents' folder (default: EPA_SOURCES, else ../shared/seeds)")
    parser.add_argument("rules", nargs="+", type=Path, metavar="RULES.yaml")
    args = parser.parse_args(argv)
    folder = sources_dir(args.sources)
    if not folder.is_dir():
        print(f"the sources folder {folder} is not there (--sources DIR or EPA_SOURCES): "
              "citations are not checked", file=sys.stderr)
    problems = [p for path in args.rules for p in check(path, args.sources)]
    print("\n".join(problems) or "ok")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
