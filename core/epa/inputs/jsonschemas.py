"""The JSON Schemas (Draft 2020-12) that are the contract for records, rulesets, journeys, standards and outputs.

Read by the documents' reader and by the compiled checks alike, so neither imports the other to find them.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any


@cache
def schema(name: str) -> dict[str, Any]:
    """One of the JSON Schemas: shipped in the wheel as ``epa/schemas``, copied from the repository's
    ``schemas/``; an editable install reads that folder directly."""
    packaged = Path(__file__).parents[1] / "schemas" / f"{name}.schema.json"  # files("epa"), as registry reads it
    source = packaged if packaged.is_file() else Path(__file__).parents[3] / "schemas" / f"{name}.schema.json"
    import json  # (not at every start: a warm one reads no schema)

    return json.loads(source.read_text(encoding="utf-8"))
