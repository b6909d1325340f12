"""Where the source documents are, and whether one is the text a body's citations were written against.

The product never needs them to grade; the conformance suite reads them to check that every
citation names a real section. ``--sources DIR`` or ``EPA_SOURCES`` points at them; the default is
``../shared/seeds``, beside a checkout of this repository.
"""

from __future__ import annotations

import hashlib
import os
import re
from functools import cache
from pathlib import Path

DEFAULT = Path("..") / "shared" / "seeds"


def sources_dir(given: str | Path | None = None) -> Path:
    return Path(given or os.environ.get("EPA_SOURCES") or DEFAULT)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def normalise(line: str) -> str:
    """A line as a section heading is cited: markup, table-of-contents page numbers and case dropped."""
    line = re.sub(r"<[^>]+>", "", line)
    line = line.replace("**", "").replace("&amp;", "&")
    line = line.strip().lstrip("#").strip()
    line = re.sub(r"\t+\d*\s*$", "", line)
    return re.sub(r"\s+", " ", line).strip().lower()


@cache
def _headings(path: Path) -> frozenset[str]:
    return frozenset(normalise(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


def has_section(path: Path, section: str) -> bool:
    """Whether a cited section is a line of the document (a heading, or a table's title line)."""
    return normalise(section) in _headings(path)
