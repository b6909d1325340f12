"""A workbook cell's number as its number format shows it, where that format makes it other text than the number
itself: a zero-padded id (format 000000: the value 123 shown 000123) or an id with text around its digits
("L"0000: L0123). python-calamine gives the value alone, and 123 read for an id shown 000123 misses every other
file naming it (an audit, a join): a silent wrong id. So the cells whose style has such a format are found as the
worksheet is checked (cohort_xlsx._check), and each is given the text Excel shows, as a CSV copy of the sheet
holds it; a format that pads or adds text in ways not written out here (a condition, decimals with padding) is no
guess: the cell is refused where epa reads its column, asking for the column to be formatted as Text.

Other formats (General, 0, #,##0, 0.00, a percentage...) change no id's digits and are read as before: the number.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    import zipfile

HINT = "format the column as Text in Excel (Format Cells > Text) and type the ids again as they should read"


@attrs.frozen
class NumberFormat:
    """A number format that shows a number as other text than its digits: ``code`` as the workbook writes it."""

    code: str

    def text(self, value: float) -> str | None:
        """``value`` as Excel shows it in this format; None where this module cannot write it out (see refusal)."""
        sections = _split(self.code, ";")
        if value < 0 and len(sections) > 1:
            section, sign = sections[1], ""  # (the second section is the negatives', written without a minus)
        elif value == 0 and len(sections) > 2:
            section, sign = sections[2], ""
        else:
            section, sign = sections[0], "-" if value < 0 else ""
        tokens = _tokens(section)
        if tokens is None:
            return None
        places = sum(1 for kind, _ in tokens if kind == "digit")
        if not places:  # (text alone, "Yes";"Yes";"No": the number is not shown)
            return None if sign else "".join(part for _, part in tokens)
        rounded = int(abs(value) + 0.5)  # (no decimals in such a format: Excel rounds half away from zero)
        digits = str(rounded) if rounded else ""  # (0 has no digit for '#': Excel shows '#' of 0 as nothing)
        spill, digits = digits[:-places], digits[-places:]  # (digits beyond the placeholders: before the first)
        pad = places - len(digits)  # (the first placeholders have no digit: 0 shows 0, ? a space, # nothing)
        out, placed = [], 0
        for kind, part in tokens:
            if kind == "text":
                out.append(part)
                continue
            shown = digits[placed - pad] if placed >= pad else "0" if part == "0" else " " if part == "?" else ""
            out.append(spill + shown if placed == 0 else shown)
            placed += 1
        return sign + "".join(out)

    def refusal(self) -> str:
        return (f"the cell shows its number through the number format {self.code!r}, which pads it or adds text to "
                "it in a way epa does not write out: the value read would not be the one shown")


def formats(archive: zipfile.ZipFile, limit: int, name: str) -> dict[int, NumberFormat]:
    """Each cell style (``s`` of a cell: its place in cellXfs) whose number format shows a number as other text
    than its digits, from the workbook's styles: at most ``limit`` bytes, a larger part refused (its formats unread,
    an id shown 000123 would be read 123); none where the workbook has no styles, or styles the reader cannot
    read either."""
    from xml.etree import ElementTree

    from epa.errors import InputError

    part = _styles_part(archive)
    try:
        info = archive.getinfo(part)
        if info.file_size > limit:
            raise InputError(f"the workbook's {part} is {info.file_size:,} bytes uncompressed, more than the "
                             f"{limit >> 20} MiB epa reads of a workbook's cell styles", where=name,
                             hint="save the cohort as 'CSV UTF-8'")
        root = ElementTree.fromstring(archive.read(info))
    except (KeyError, ElementTree.ParseError):
        return {}
    codes: dict[str, str] = {}
    for numbers in (child for child in root if _local(child.tag) == "numFmts"):  # (not a conditional format's, dxfs:
        for element in numbers:                                                # its ids may stand for other codes)
            if _local(element.tag) == "numFmt" and element.get("numFmtId") is not None:
                codes[element.get("numFmtId", "")] = element.get("formatCode", "")
    shown = {}
    for parent in root.iter():
        if _local(parent.tag) != "cellXfs":
            continue
        for index, xf in enumerate(child for child in parent if _local(child.tag) == "xf"):
            code = codes.get(xf.get("numFmtId", "0"))  # (a built-in format shows no id otherwise: none pads)
            if code is not None and _changes_digits(code):
                shown[index] = NumberFormat(code)
    return shown


def _styles_part(archive: zipfile.ZipFile) -> str:
    import posixpath
    from xml.etree import ElementTree

    try:
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return "xl/styles.xml"
    for rel in rels:
        if rel.get("Type", "").endswith("/styles"):
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    return "xl/styles.xml"


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _split(code: str, on: str) -> list[str]:
    """``code`` split at each ``on`` outside quotes and escapes."""
    parts: list[str] = []
    part: list[str] = []
    quoted = escaped = False
    for char in code:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == on and not quoted:
            parts.append("".join(part))
            part = []
            continue
        part.append(char)
    parts.append("".join(part))
    return parts


# Characters Excel shows as themselves in a number format without quotes; a [colour] or [$-locale] changes no text
_LITERAL = set("$-+/():!^&'~{}<>= ")
_IGNORED = re.compile(r"\[(?:[A-Za-z]+\d*|\$-[0-9A-Fa-f]+)\]")
_CURRENCY = re.compile(r"\[\$([^\]-]*)(?:-[0-9A-Fa-f]+)?\]")


def _tokens(section: str) -> list[tuple[str, str]] | None:
    """The section's digit placeholders (0, #, ?) and literal texts in order, or None where it holds anything
    else (a decimal point, a grouping comma, a percentage, an exponent, a condition, a date's letters...)."""
    section = _IGNORED.sub("", section)
    section = _CURRENCY.sub(lambda m: '"' + m[1].replace('"', "") + '"', section)
    if _FRACTION.search(re.sub(r'"[^"]*"|\\.', "", section)):  # (0/0 shows 3 as 3/1, not 0/3: not written out)
        return None
    tokens: list[tuple[str, str]] = []
    at = 0
    while at < len(section):
        char = section[at]
        if char in "0#?":
            tokens.append(("digit", char))
        elif char == '"':
            end = section.find('"', at + 1)
            if end < 0:
                return None
            tokens.append(("text", section[at + 1:end]))
            at = end
        elif char == "\\" and at + 1 < len(section):
            at += 1
            tokens.append(("text", section[at]))
        elif char in _LITERAL:
            tokens.append(("text", char))
        elif char == "_" and at + 1 < len(section):  # (space as wide as the next character: a space)
            at += 1
            tokens.append(("text", " "))
        elif char == "*" and at + 1 < len(section):  # (the next character repeated to fill the cell: none here)
            at += 1
        else:
            return None
        at += 1
    return tokens


_FRACTION = re.compile(r"[0#?]\s*/\s*[0-9#?]")  # a digit placeholder, then / and a denominator: a fraction
_FILL = re.compile(r"[_*].")  # (a space, or a character filling the cell: an accounting format's, _-* #,##0_-)
_PADDED = re.compile(r"^[^.]*?0[#?]*0")  # two zero placeholders before any decimal point: a padded number


def _changes_digits(code: str) -> bool:
    """Whether ``code`` shows a whole number as other text than its digits: padded with zeros, or with text
    around it (quoted, escaped or bracketed as a currency). A date's format does not reach here as a number."""
    sections = _split(code, ";")
    for section in sections[:1]:
        bare = _FILL.sub("", _IGNORED.sub("", section))
        plain = re.sub(r'"[^"]*"|\\.|[eE][+-]', "", bare)  # (an exponent's sign shows no text: 1.23E+09)
        if '"' in bare or "\\" in bare or "[$" in bare or _PADDED.search(plain):
            return True
        if any(char in _LITERAL - {" "} for char in plain.strip()):  # ("(0)", "$0", "0-000": text with the digits)
            return True
    # The negatives' and zero's sections padded too (0;000000 shows -123 as 000123); their brackets and signs, as in
    # #,##0;(#,##0), change no positive id's digits and are left as they were
    return any(_PADDED.search(re.sub(r'"[^"]*"|\\.', "", _FILL.sub("", _IGNORED.sub("", section))))
               for section in sections[1:3])


# A cell holding a number, with its style: its tag's attributes, the style, its value as written (a formula may
# stand before the value)
STYLED = re.compile(rb'<(?:\w+:)?c\b([^>]*\bs=["\'](\d{1,6})["\'][^>]*)>'
                    rb'(?:\s*<(?:\w+:)?f\b[^>]*(?:/>|>[^<]*</(?:\w+:)?f>))?\s*<(?:\w+:)?v>[^<]{1,40}</')
_TYPE = re.compile(rb'\bt=["\'](\w*)["\']')


class ShownCells:
    """The cells (row, column, from 1) of a worksheet whose number the workbook shows through a format of
    ``formats``: per column, a byte per row, 0 for none, else the format's place in ``shown`` plus 1 (a column of
    a million padded ids costs a MB). At most ``allowed`` bytes are kept: a sheet reaching further is refused
    as too large anyway (cohort_xlsx._check)."""

    def __init__(self, formats: dict[int, NumberFormat], allowed: int):
        self.shown = list(dict.fromkeys(formats.values()))[:255]
        index = {code: at + 1 for at, code in enumerate(self.shown)}
        self.styles = {str(style).encode(): index[code] for style, code in formats.items() if code in index}
        # (an attribute after any blank, in either quotes: a tab before it, or s='7', is XML as good as Excel's)
        self.needles = re.compile(rb'\ss=["\'](?:' + b"|".join(self.styles) + rb')["\']') if self.styles else None
        self.columns: dict[int, bytearray] = {}
        self.allowed, self.kept = allowed, 0

    def find(self, text: bytes, at: Callable[[bytes], tuple[int, int] | None]) -> bool:
        """Note each number in ``text`` shown through one of the formats; False where one has no place (r="B7")."""
        if self.needles is None or not self.needles.search(text):
            return True
        placed = True
        for tag in STYLED.finditer(text):
            if tag[2] in self.styles and self.numeric(tag[1]):
                where = at(tag[1])
                if where is None:
                    placed = False
                else:
                    self.mark(where, tag[2])
        return placed

    def numeric(self, attributes: bytes) -> bool:
        kind = _TYPE.search(attributes)
        return kind is None or kind[1] == b"n"

    def mark(self, where: tuple[int, int], style: bytes) -> None:
        code = self.styles[style]
        row, column = where
        marks = self.columns.get(column)
        if marks is None:
            marks = self.columns[column] = bytearray()
        if row >= len(marks):
            grown = row + 1 - len(marks)
            if self.kept + grown > self.allowed:
                return  # (the sheet is larger than any read: refused by its size)
            self.kept += grown
            marks.extend(bytes(grown))
        marks[row] = code

    def by_column(self, first_column: int) -> list[tuple[int, bytearray]]:
        """The columns holding such cells, each by its place in a row the reader gives (from 0)."""
        return [(column - first_column, marks) for column, marks in sorted(self.columns.items())]

    def text(self, code: int, value: float) -> str | None:
        return self.shown[code - 1].text(value)

    def refusal(self, code: int) -> str:
        return self.shown[code - 1].refusal()
