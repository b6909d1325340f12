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


# A heading the document prints more than once is cited under the heading above it that tells them apart:
# 'Assessing the practical observation (with Q&As) > Before the assessment'.
PATH = " > "


@cache
def _lines(path: Path) -> tuple[str, ...]:
    # A byte that is not UTF-8 read as U+FFFD: no section is cited with one, so a citation of a line holding one is
    # failed as not a line of the document, never a crash. (A document whose SHA-256 is the one declared was read as
    # text when its rules were written; one that is not is not checked at all.)
    return tuple(normalise(line) for line in path.read_bytes().decode("utf-8", "replace").splitlines())


@cache
def _headings(path: Path) -> frozenset[str]:
    return frozenset(line for line in _lines(path) if line)


_CONTENTS = re.compile(r"\t+\d*\s*$")  # a contents page's line: the heading, a tab and its page number (or none)


def _printed(line: str) -> str:
    """A line as printed: markup dropped and spacing as one space, its case kept."""
    line = re.sub(r"<[^>]+>", "", line).replace("**", "").replace("&amp;", "&").strip().lstrip("#")
    return re.sub(r"\s+", " ", line).strip()


@cache
def _body_lines(path: Path) -> tuple[tuple[int, str, str], ...]:
    """(line number counting from 1, as cited, as printed) of every line that is not a contents page's."""
    text = path.read_bytes().decode("utf-8", "replace").splitlines()
    return tuple((i, normalise(line), _printed(line)) for i, line in enumerate(text, 1)
                 if line.strip() and not _CONTENTS.search(re.sub(r"<[^>]+>", "", line)))


def ambiguous(path: Path, section: str) -> tuple[int, ...]:
    """The lines (counting from 1) a cited section could mean, where it could mean more than one: a heading the
    document prints more than once outside its contents page ('Grading' under each assessment method), cited
    without the heading above it that tells them apart (:data:`PATH`). One printed exactly as cited, case and all,
    where the others differ in case ('GATEWAY' beside 'Gateway'), is the one meant. Empty where it is one line."""
    if PATH in section:
        return ()
    wanted = normalise(section)
    found = [(i, printed) for i, line, printed in _body_lines(path) if line == wanted]
    if len(found) < 2 or sum(printed == _printed(section) for _, printed in found) == 1:
        return ()
    return tuple(i for i, _ in found)


def has_section(path: Path, section: str) -> bool:
    """Whether a cited section is a line of the document (a heading, or a table's title line), or a path of
    headings that :func:`locate` finds."""
    if PATH not in section:
        return normalise(section) in _headings(path)
    return locate(path, section) is not None


def locate(path: Path, section: str) -> int | None:
    """The line (counting from 0) a cited section names: its first line, or for a path 'A > B' the first B after
    the last A (a contents page lists A before the body prints it); None where there is none."""
    lines = _lines(path)
    parts = [normalise(p) for p in section.split(PATH)]
    found = [i for i, line in enumerate(lines) if line == parts[0]]
    if not found:
        return None
    at = found[-1] if len(parts) > 1 else found[0]
    for part in parts[1:]:
        try:
            at = lines.index(part, at + 1)
        except ValueError:
            return None
    return at
