"""Check ruleset files against schemas/ruleset.schema.json and the seed documents.

Usage: python tools/check_rules.py RULESET.yaml [...]

Checks: the JSON Schema; criterion ids unique; every criterion and combination
column names a declared method; every citation's section is a heading (a line)
of the cited seed file in ../shared/seeds.
"""

from __future__ import annotations

import datetime
import json
import re
import sys
from pathlib import Path

import jsonschema
import yaml

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
SCHEMA = json.loads((ROOT / "schemas" / "ruleset.schema.json").read_text())


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
    data = jsonable(yaml.safe_load(path.read_text(encoding="utf-8")))
    problems = [
        f"{path}: {'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
        for e in jsonschema.Draft202012Validator(SCHEMA).iter_errors(data)
    ]
    if problems:
        return problems
    methods = {m["id"] for m in data["methods"]}
    seen: set[str] = set()
    for i, c in enumerate(data["criteria"]):
        if c["id"] in seen:
            problems.append(f"{path}: criteria/{i}: duplicate id {c['id']}")
        seen.add(c["id"])
        if c["method"] not in methods:
            problems.append(f"{path}: criteria/{i}: unknown method {c['method']}")
    for i, row in enumerate(data["combination"]["rows"]):
        if set(row["when"]) != methods:
            problems.append(f"{path}: combination/rows/{i}: columns {sorted(row['when'])} != methods {sorted(methods)}")
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
