"""Where an entry of a ruleset was written: its file (a journey rule in the journey file) and line."""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path
from typing import Any

from attrs import frozen

from epa.errors import InputError
from epa.inputs.documents import read
from epa.model.domain import Ruleset
from epa.rules.load import JOURNEY_SUFFIX


@frozen
class File:
    """A rules file as read for the placeholders check: its data, and where each entry is."""

    data: Any
    where: Any  # epa.inputs.documents.Source

    def line(self, parts: list[Any]) -> int | None:
        """The entry's line; None when the file does not hold the whole path (a version stored as changes)."""
        value = self.data
        for part in parts:
            held = part in value if isinstance(value, dict) else \
                isinstance(value, list) and isinstance(part, int) and part < len(value)
            if not held:
                return None
            value = value[part]
        pos = self.where.position(parts)
        return pos[0] if pos else None


def journey_file(r: Ruleset) -> str | None:
    """The standard's journey file, as the loader names it: ``<standard>.journey.yaml`` beside the rules file."""
    if not (r.source_file and r.journey):
        return None
    journey = Path(r.source_file).with_name(f"{r.standard}{JOURNEY_SUFFIX}")
    return str(journey) if journey.is_file() else None


def files_of(r: Ruleset) -> list[str]:
    """The files the author wrote a ruleset in: its rules file and its standard's journey file."""
    journey = journey_file(r)
    return [r.source_file, *([journey] if journey else [])] if r.source_file else []


def written_in(r: Ruleset, entry: str | None) -> tuple[str | None, str | None]:
    """The file and JSON path an entry of the ruleset was written at: a journey rule (``$.journey.…``) in the
    journey file, at its path there; anything else in the rules file."""
    journey = journey_file(r)
    if journey and entry and (entry == "$.journey" or entry.startswith(("$.journey.", "$.journey["))):
        return journey, "$" + entry.removeprefix("$.journey")
    return r.source_file, entry


def parts(entry: str) -> list[Any]:
    """A JSON path as written in a failure ("$.criteria[0].citation") back to its parts."""
    return [int(index) if index else key for key, index in re.findall(r"\.([^.\[]+)|\[(\d+)\]", entry)]


def read_quietly(file: str) -> File | None:
    """The file, or None when it cannot be read now (the ruleset itself is then searched)."""
    try:
        stat = os.stat(file)
    except OSError:
        return None
    return _read_once(file, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=32)
def _read_once(file: str, _mtime: int, _size: int) -> File | None:
    """Read once per version of the file: a check may name many entries of one file."""
    try:
        data, where = read(file)
    except InputError:
        return None
    return File(data, where)
