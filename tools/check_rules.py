"""Check ruleset files as the platform loads them, and their citations against the seed documents.

Usage: python tools/check_rules.py RULES.yaml [...]   (needs epa installed)

A ruleset file, or a journey file (<standard>.journey.yaml). Checks:
everything epa loads them with (the JSON Schema, unique ids, methods and
deadlines named; a journey file is loaded with the rulesets beside it); and
that every citation's section is a heading (a line) of the cited seed file in
../shared/seeds.
"""

from __future__ import annotations

import datetime
import re
import sys
from pathlib import Path

import yaml

from epa.errors import InputError
from epa.rules import JOURNEY_SUFFIX, load_ruleset, load_rulesets

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"


def normalise(line: str) -> str:
    line = re.sub(r"<[^>]+>", "", line)
    line = line.replace("**", "").replace("&amp;", "&")
    line = line.strip().lstrip("#").strip()
    line = re.sub(r"\t+\d*\s*$", "", line)  # table-of-contents page numbers
    return re.sub(r"\s+", " ", line).strip().lower()


def headings(seed_file: str) -> set[str]:
    text = (SEEDS / seed_file).read_text(encoding="utf-8")
    return {normalise(line) for line in text.splitlines() if line.strip()}


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


def check(path: Path) -> list[str]:
    try:
        # the schema and the cross-references, exactly as the platform loads them
        load_rulesets(path.parent) if path.name.endswith(JOURNEY_SUFFIX) else load_ruleset(path)
    except InputError as exc:
        return [exc.render()]
    data = jsonable(yaml.safe_load(path.read_text(encoding="utf-8")))
    problems = []
    cache: dict[str, set[str]] = {}
    for cit in citations(data):
        file, _, section = cit.partition(" § ")
        if not (SEEDS / file).exists():
            problems.append(f"{path}: citation names a missing seed: {cit}")
            continue
        known = cache.setdefault(file, headings(file))
        if normalise(section) not in known:
            problems.append(f"{path}: citation section is not a line of {file}: {section!r}")
    return problems


if __name__ == "__main__":
    all_problems = [p for arg in sys.argv[1:] for p in check(Path(arg))]
    print("\n".join(all_problems) or "ok")
    sys.exit(1 if all_problems else 0)
