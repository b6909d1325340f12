"""CSV output cells: quoted as RFC 4180 has it, and a cell a spreadsheet would run as a formula escaped as OWASP
recommends (https://owasp.org/www-community/attacks/CSV_Injection): a single quote before it, and the cell quoted.

An apprentice's id, a body's id and an error message are text from outside the program: ``=HYPERLINK(…)`` or
``=cmd|' /C calc'!A0`` as an id must reach the reader of ``--format csv`` as those characters, never as a formula
that Excel, LibreOffice or Google Sheets evaluates. Numbers the program writes itself (a line number) are not text
and are written as they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

# What a spreadsheet reads as the start of a formula (or, tab and carriage return, as blank before one).
FORMULA_START = "=+-@\t\r"
# A cell that cannot be written as it stands: it starts like a formula, or holds a comma, a quote or a line break.
# (One search: the batch asks it of every apprentice id it writes, so that a plain id takes the fast join.)
NEEDS_QUOTING = re.compile(r'\A[=+\-@\t\r]|[,"\r\n]')


def cell(value: Any) -> str:
    """One cell: text quoted where it must be, a formula's start escaped; a number as it is."""
    if not isinstance(value, str):
        return str(value)
    if not NEEDS_QUOTING.search(value):
        return value
    if value[0] in FORMULA_START:
        value = "'" + value
    return '"' + value.replace('"', '""') + '"'


def rows(cells: Iterable[Sequence[Any]]) -> str:
    """Rows of cells, each ending with "\\n" (a line break inside a cell is kept, quoted)."""
    return "".join(",".join(map(cell, row)) + "\n" for row in cells)
