"""The table views: the same data as the JSON output, laid out for a person with rich."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Concatenate, ParamSpec, TypeVar

from rich import box
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderableType, RenderHook
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from epa.errors import CONTROL, one_line
from epa.model.domain import NONE_STATED, Ambiguity, Check, Consequence, DeadlineRule, Document, Journey, ResitRules
from epa.model.results import BodyResult
from epa.rules.citations import label, short_title, versioned
from epa.rules.deadlines import consequence_clause, from_reading
from epa.rules.gateway import age_band
from epa.rules.history import (
    CHANGES_NOTHING,
    METHOD_CAPPED,
    attempts_rule,
    cap_lift,
    cap_readings,
    cap_summary,
    capped_grade,
    on_reading,
)
from epa.rules.tolerances import allowed
from epa.rules.workdays import describe
from epa.views.report import EVENT_ROW, JOURNEY_ROWS, NO_VERDICT, cohort_line, event_row_name, journey_row_words


class _Table(Table):
    """A table whose cells show citations by the document's short title (see :func:`cite`)."""

    def add_row(self, *renderables: Any, **options: Any) -> None:
        super().add_row(*(_cited(r) for r in renderables), **options)


def _cited(cell: Any) -> Any:
    if isinstance(cell, str):
        return cite(cell)
    if isinstance(cell, Text) and " § " in cell.plain and not cell.spans:
        return Text(cite(cell.plain), style=cell.style)
    return cell


def _table(title: str, *columns: str) -> Table:
    table = _Table(title=title, title_justify="left", show_lines=False)
    for column in columns:
        table.add_column(column, overflow="fold")  # a word wider than its column only; print_table avoids that
    return table


# ---------------------------------------------------------------------------------------- citations
# A citation is '<file> § <section>' (stable, in JSON); a table shows the document by a short title made from
# the ruleset's own `document` (body name, kind of document, version): 'TQUK Spec v1.2 § Overall Grading'.
# The titles are the run's registry's, given to the rendering explicitly (``with citing(document_titles(r)):``),
# never remembered between renderings: a table printed outside that block names the file, as the JSON does.
_TITLES: ContextVar[Mapping[str, tuple[str, str | None]] | None] = ContextVar("epa_document_titles", default=None)
_CITED = re.compile(r"(?<![\w.-])([\w.-]+\.(?:txt|pdf|md|html?|docx?))(?= § )")


def document_titles(registry: Any) -> dict[str, tuple[str, str | None]]:
    """The short title of every loaded ruleset's document by its file (the newest version where one file has
    several): file -> (short title without the version, version)."""
    titles = {}
    for loaded in registry.bodies:
        for ruleset in loaded.body.rulesets:
            doc = ruleset.document
            titles[doc.file] = (short_title(loaded.body.name, doc.title), doc.version)
    return titles


@contextmanager
def citing(titles: Mapping[str, tuple[str, str | None]]) -> Iterator[None]:
    """Within the block, tables show a citation's document by these short titles (see :func:`cite`)."""
    token = _TITLES.set(titles)
    try:
        yield
    finally:
        _TITLES.reset(token)


def cite(text: str, res: BodyResult | None = None) -> str:
    """Every '<file> § ' in text as '<short title> v<version> § ' (the result's own version for its document)."""
    def named(match: re.Match[str]) -> str:
        file = match.group(1)
        if res is not None and file in res.documents:  # the text's version, where not the rules' (Document)
            return str(res.documents[file]["label"])
        if res is not None and file == res.document["file"]:
            return label(res.body_name, res.document["title"] or "", res.document["version"])
        known = (_TITLES.get() or {}).get(file)
        return versioned(*known) if known else file
    return _CITED.sub(named, text) if " § " in text else text


# ---------------------------------------------------------------------------------------- fitting the width
class _Trimmed:
    """A renderable's lines without trailing spaces (rich pads every cell, a title and a grid's last column to
    the full width, which a person copying a table or a program reading it does not want), and without control
    characters (``epa.errors.CONTROL``)."""

    def __init__(self, renderable: RenderableType) -> None:
        self.renderable = renderable

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
        line: list[Segment] = []
        for segment in console.render(self.renderable, options):
            if not segment.control and CONTROL.search(segment.text):  # (rich measures them as no width: the
                segment = Segment(CONTROL.sub("", segment.text), segment.style)  # layout stays as it is)
            if segment.control or "\n" not in segment.text:
                line.append(segment)
                continue
            *ended, rest = segment.text.split("\n")
            for text in ended:
                line.append(Segment(text, segment.style))
                yield from _rstrip(line)
                yield Segment.line()
                line = []
            if rest:
                line.append(Segment(rest, segment.style))
        yield from _rstrip(line)


def _rstrip(line: list[Segment]) -> list[Segment]:
    while line and not line[-1].control and not line[-1].text.rstrip(" "):
        line.pop()
    if line and not line[-1].control:
        line[-1] = Segment(line[-1].text.rstrip(" "), line[-1].style)
    return line


class TrimEveryLine(RenderHook):
    def process_renderables(self, renderables: list[Any]) -> list[Any]:
        # once: a view's own hook (``_trimmed``) and the command line's console's both see what is printed, and
        # trimming trimmed lines again only costs the time (a tenth of drawing a compare's table)
        return [r if isinstance(r, _Trimmed) else _Trimmed(r) for r in renderables]


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _trimmed(view: Callable[Concatenate[Console, _P], _R]) -> Callable[Concatenate[Console, _P], _R]:
    """A view whose every printed line carries no trailing spaces."""
    @functools.wraps(view)
    def trimmed(console: Console, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        console.push_render_hook(TrimEveryLine())
        try:
            return view(console, *args, **kwargs)
        finally:
            console.pop_render_hook()
    return trimmed


_SEPARATORS = "/\\"  # between a path's folders
_WORD_ENDS = "/\\-_. "  # where a name may be cut without breaking a word


def shortened(path: str, room: int) -> str:
    """A file path within ``room`` cells, shortened in the middle at folder boundaries ('/home/…/examples/
    a.yaml'), else where words end ('examples/…-observation-distinction.yaml'), never inside a word; the whole
    path where nothing shorter fits (it then wraps on the words around it). A line break in it is shown as its
    escape (``one_line``): a heading names the file on a line of its own."""
    path = one_line(path)
    if cell_len(path) <= room:
        return path
    for ends in (_SEPARATORS, _WORD_ENDS):
        pieces = [p for p in re.split(f"(?<=[{re.escape(ends)}])", path) if p]
        if short := _middle_left_out(pieces, ends, room):
            return short
    return path


def _middle_left_out(pieces: list[str], ends: str, room: int) -> str | None:
    """The pieces with as few as possible left out of the middle, for '…', keeping more of the end (the file's
    name and its nearest folders) than of the start; None when even the first and last piece do not fit."""
    def joined(head: int, tail: int) -> str:
        cut = pieces[tail - 1][-1]
        return "".join(pieces[:head]) + "…" + (cut if cut in ends else "") + "".join(pieces[tail:])

    head, tail = 1, len(pieces) - 1  # pieces[:head] and pieces[tail:] are kept
    if tail <= head or cell_len(joined(head, tail)) > room:
        return None
    while tail - 1 > head and cell_len(joined(head, tail - 1)) <= room:
        tail -= 1
    while head + 1 < tail and cell_len(joined(head + 1, tail)) <= room:
        head += 1
    return joined(head, tail)


def _words(cell: Any) -> tuple[int, int]:
    """The widest word and the widest line of a cell."""
    plain = cell.plain if isinstance(cell, Text) else str(cell) if isinstance(cell, str) else ""
    words = [cell_len(w) for w in plain.split()] or [0]
    lines = [cell_len(line) for line in plain.splitlines()] or [0]
    return max(words), max(lines)


def print_table(console: Console, table: Table, whole: Collection[int] = (), mark: int | None = None,
                rich_first: bool = False) -> None:
    """Print a table within the console's width without breaking a word: columns are given widths of at least
    their widest word (the columns ``whole`` names, by index, their widest line: a status or a verdict, a few
    words never wrapped beside a long explanation); where even that does not fit, each row is printed as a block
    of 'column  value' lines, the cell of the column ``mark`` names (a mark: ≠) after the cell before it.
    ``rich_first``: rich's own widths where they leave every word whole (it narrows the widest columns first, so a
    short column such as the batch summary's 'first lines' keeps its header on one line).
    (Public for the commands that build their own tables: epa audit.)"""
    columns = table.columns
    if not columns:
        console.print(table)
        return
    cells = [[column.header, *column.cells] for column in columns]
    most = [max(_words(c)[1] for c in col) for col in cells]
    # (a column that does not wrap needs its widest line too: narrower, rich cuts it short with an ellipsis)
    least = [most[i] if i in whole or columns[i].no_wrap else max(_words(c)[0] for c in col)
             for i, col in enumerate(cells)]
    room = console.width - table._extra_width - sum(table._get_padding_width(i) for i in range(len(columns)))
    if sum(most) <= room:
        _titled(console, table)
        return
    if rich_first and all(w - table._get_padding_width(i) >= lo
                          for i, (w, lo) in enumerate(zip(_rich_widths(console, table), least, strict=True))):
        _titled(console, table)
        return
    if sum(least) <= room:
        spare, want = room - sum(least), [m - lo for m, lo in zip(most, least, strict=True)]
        total = sum(want) or 1
        widths = [lo + spare * w // total for lo, w in zip(least, want, strict=True)]
        for column, width in zip(columns, widths, strict=True):
            column.width = width
        _titled(console, table)
        return
    if table.title:
        _title(console, table.title)
    # a longer header wraps on its words, never inside one (a body id is a header here: never cut)
    head = max(min(14, max(cell_len(str(c.header)) for c in columns)), *(_words(c.header)[0] for c in columns))
    for row in zip(*(c.cells for c in columns), strict=True):
        if mark is not None:  # the mark after the cell it marks, as one
            row = (*row[:mark - 1], Text.assemble(row[mark - 1], " ", row[mark]), *row[mark + 1:])
            columns = [c for i, c in enumerate(table.columns) if i != mark]
        shown = [(str(column.header) or "·", cell) for column, cell in zip(columns, row, strict=True)
                 if (cell.plain if isinstance(cell, Text) else str(cell)).strip()]
        if head + 1 + max((_words(cell)[0] for _, cell in shown), default=0) > console.width:
            _stacked(console, shown)  # no room for a value's widest word beside the headers: each under its own
            continue
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="dim", width=head)
        grid.add_column(overflow="fold")
        for name, cell in shown:
            grid.add_row(name, cell)
        console.print(grid)
        console.print()


def _titled(console: Console, table: Table) -> None:
    """The table, its title above it: rich wraps a title to the table's width, so a title word wider than a narrow
    table was broken ('overall-grade' over a 20-column table's 'overall-g' and 'rade'); such a title is wrapped to
    the console's width instead."""
    if table.title and _words(table.title)[0] > sum(_rich_widths(console, table)) + table._extra_width:
        _title(console, table.title)
        table.title = None
    console.print(table)


def _rich_widths(console: Console, table: Table) -> list[int]:
    """The widths rich gives the table's columns within the console's width (as its own rendering does)."""
    return table._calculate_column_widths(console, console.options.update_width(console.width - table._extra_width))


def _title(console: Console, title: Any) -> None:
    """A table's title on its own, wrapped on its words (a word wider than the console printed whole)."""
    text = title.copy() if isinstance(title, Text) else Text(str(title), style="italic")
    for piece in on_words(text, console.width):
        console.print(piece, overflow="ignore", crop=False)


def _stacked(console: Console, shown: list[tuple[str, Any]], style: str = "dim", end: bool = True) -> None:
    """A row as 'header' lines, each value under its header, wrapped on its words: a word wider than the console
    is printed whole, past the edge, rather than broken."""
    for name, cell in shown:
        for piece in on_words(Text(name, style=style), console.width) if name else ():
            console.print(piece, overflow="ignore", crop=False)
        for line in (cell if isinstance(cell, Text) else Text(str(cell))).split("\n"):
            for piece in on_words(line, max(console.width - 2, 1)):
                console.print(Text("  ") + piece, overflow="ignore", crop=False)
    if end:
        console.print()


def on_words(line: Text, width: int) -> list[Text]:
    """The line cut where words end into pieces of at most ``width`` cells (a longer word a piece of its own)."""
    starts = [0]
    for word in re.finditer(r"\S+", line.plain):
        if word.start() > starts[-1] and cell_len(line.plain[starts[-1]:word.end()]) > width:
            starts.append(word.start())
    pieces = list(line.divide(starts[1:]))
    for piece in pieces:
        piece.rstrip()  # the space a cut was made at
    return pieces


@_trimmed
def bodies(console: Console, data: list[dict[str, Any]]) -> None:
    table = _table("Awarding bodies", "id and name", "standards and documents (cited in tables by the short title)")
    for b in data:
        docs = Text()
        for d in b["documents"]:
            docs.append(versioned(d["standard"], d["version"])
                        + (f" (from {d['effective_from']})" if d["effective_from"] else "") + ": ", style="bold")
            docs.append(f"{label(b['name'], d['title'], d['version'])}\n{d['title']}\n")
            docs.append(f"{d['file']}\n", style="dim")
        docs.rstrip()
        table.add_row(Text(b["id"], style="bold").append(f"\n{b['name']}", style=""), docs)
    print_table(console, table)


# A check's status, the word and its style, as the conformance table and its lines show it.
STATUS = {"pass": ("pass", "green"), "fail": ("FAIL", "bold red"), "skip": ("skip", "yellow")}


def _check_status(status: str) -> Text:
    """The status as a cell: the word styled, not the cell's padding (a fresh Text each time: rich may change one)."""
    return Text.assemble(STATUS[status])


FAILURES_SHOWN = 40  # of one check's failures, in the table (placeholders lists a generated plugin's in file order)
RECORDS_SHOWN = 3  # records shown with them: one shows the failure, the rest repeat it


@_trimmed
def conformance(console: Console, data: dict[str, Any]) -> None:
    title = "Conformance (sources: {})"
    sources = shortened(data["sources"], console.width - cell_len(title.format("")))
    table = _table(title.format(sources), "check", *data["bodies"])
    for check in data["checks"]:
        table.add_row(check["id"], *(_check_status(data["summary"][b][check["id"]]) for b in data["bodies"]))
    print_table(console, table)
    for r in data["results"]:
        if r["status"] == "skip":
            about = f" ({versioned(r['standard'], r['version'])})" if r["standard"] else ""
            console.print(Text.assemble(STATUS["skip"], f" {r['body']} {r['check']}{about}: {r['reason']}"))
    for r in data["results"]:
        for n, f in enumerate(r["failures"][:FAILURES_SHOWN]):
            file = f"{f['file']}:{f['line']}" if f["file"] and f.get("line") else f["file"]
            where = " ".join(p for p in (r["standard"], r["version"] and f"v{r['version']}", file, f["entry"]) if p)
            console.print(Text.assemble(STATUS["fail"], f" {r['body']} {r['check']}: {where}\n  {f['message']}\n"
                                                        f"  expected: {f['expected']}"))
            if f["record"] and n < RECORDS_SHOWN:
                import json

                console.print(f"  shown by the record: {json.dumps(f['record'])}", highlight=False, soft_wrap=True)
        more = len(r["failures"]) - FAILURES_SHOWN
        records = sum(1 for f in r["failures"][RECORDS_SHOWN:FAILURES_SHOWN] if f["record"])
        if more > 0 or records:
            about = f" ({versioned(r['standard'], r['version'])})" if r["standard"] else ""
            console.print(f"  {r['check']} for {r['body']}{about}: {len(r['failures'])} failures"
                          + (f", {more} not shown" if more > 0 else "")
                          + (f", the records of all but the first {RECORDS_SHOWN} not shown" if records else "")
                          + " (--format json lists every one, with its record)", highlight=False)
    console.print("some checks fail" if data["failed"] else "all checks pass" if data["passed"] else
                  "no check fails" + _not_checked(data["results"]) + ": not a pass", highlight=False)


def _not_checked(results: list[dict[str, Any]]) -> str:
    """What "no check fails" leaves out: the source documents not checked, and each other check skipped though
    it applies (a rule in words it cannot read), by body and ruleset."""
    documents = sum(1 for r in results if r["check"] == "sources" and r["status"] == "skip")
    said = [f"{documents} source document{'s' * (documents != 1)} {'were' if documents != 1 else 'was'} not "
            "checked"] if documents else []
    said += [f"{r['check']} was not checked for {r['body']}"
             + (f" {versioned(r['standard'], r['version'])}" if r["standard"] else "")
             for r in results if r.get("unchecked") and r["check"] != "sources"]
    return f", but {'; '.join(said)} (see the skips above)" if said else ""


@_trimmed
def consistency(console: Console, data: dict[str, Any]) -> None:
    # findings counted by area, apart from the inputs each sweep evaluated (which are no findings), as the HTML
    areas = ", ".join(f"{n} {area}" for area, n in Counter(f["area"] for f in data["findings"]).items())
    cases = ", ".join(f"{n:,} {area}" for area, n in data["cases"].items())
    counted = ", ".join(f"{n:,} {area}" for area, n in data.get("counted", {}).items() if n)
    console.print(Text.assemble((data["standard"], "bold"),
        f": {len(data['findings'])} findings across {', '.join(b['id'] for b in data['bodies'])} (by area: {areas})\n"
        f"Inputs each sweep evaluated (not findings): {cases}"
        + (f"\nCovered by counting, not evaluated one by one: {counted}" if counted else "")))
    cohort = data.get("cohort")
    if cohort:
        console.print(cohort_line(cohort), highlight=False)
    for area in dict.fromkeys(f["area"] for f in data["findings"]):
        table = _table(area, "finding", "sides and citations")
        for f in (f for f in data["findings"] if f["area"] == area):
            sides = "\n".join(f"{', '.join(s['bodies'])}: {s['says']}" + _quoted(s) for s in f["sides"])
            shown = _witnessed(f, (cohort or {}).get("findings", {}).get(f["id"]))
            table.add_row(f"{f['id']}\n{f['summary']}{shown}", sides)
        print_table(console, table)


def _witnessed(f: dict[str, Any], touched: dict[str, Any] | None = None) -> str:
    """Under a consistency finding: its region's size, with a cohort the records of it the finding touches, and
    the witness with each body's value on its row."""
    from epa.views.report import witness_line

    region = f.get("region")
    if region and region.get("counted", True):
        text = (f"\n{region['inputs']:,} of {region['of']:,} {region.get('unit', 'inputs')} "
                f"({100 * region['share']:.3g}%)" + ("" if region["exact"] else ", of those swept"))
    else:
        text = f"\n{region['reason']}" if region else ""
    if touched is not None:
        text += f"\n{touched['inputs']:,} of {touched['of']:,} records of the cohort ({100 * touched['share']:.3g}%)"
    if f.get("shows") and f.get("witness"):
        none = NO_VERDICT if journey_row_words(f["shows"]["row"]) else "no grade"
        values = "; ".join(f"{body} {none if v is None else {True: 'yes', False: 'no'}.get(v, v)}"
                           for body, v in f["shows"]["values"].items())
        text += f"\nwitness: {witness_line(f['witness'])}\n→ {f['shows']['row']}: {values}"
    return text


QUOTED = 240  # characters of a document's words a table shows; the JSON has them whole


def _quoted(side: dict[str, Any]) -> str:
    """A side's documents' words, each under its document's title, version and section; the citations it quotes
    nothing from; and the tool's readings, labelled as such."""
    out, quoted = [], set()
    for q in side.get("quotes", ()):
        words = q["text"] if len(q["text"]) <= QUOTED else q["text"][:QUOTED - 1].rstrip() + "…"
        where = f"{q['document'].get('label') or q['document']['file']} § {q['section']}"
        out.append(f"\n  “{words}”\n    — {q['body']}, {where}")
        quoted.add(q["citation"])
    out += [f"\n  {c}" for c in dict.fromkeys(c for cs in side["citations"].values() for c in cs) if c not in quoted]
    out += [f"\n  the tool's reading: {r}" for r in side.get("readings", ())]
    return "".join(out)


@_trimmed
def plugins(console: Console, data: list[dict[str, Any]]) -> None:
    table = _table("Body plugins", "body", "distribution", "hooks it implements", "rules shipped and their variants")
    for p in data:
        rules = "\n".join(versioned(r["standard"], r["version"]) + "".join(f"\n  {v['kind']}: {v['says']}"
                                                                       for v in r["variants"])
                           for r in p["rulesets"])
        table.add_row(p["id"], f"{p['distribution'] or '-'} {p['version'] or ''}".strip(), ", ".join(p["hooks"]), rules)
    print_table(console, table)


@_trimmed
def standards(console: Console, data: list[dict[str, Any]]) -> None:
    table = _table("Standards", "standard", "name", "level", "methods", "bodies")
    for s in data:
        table.add_row(s["standard"], s["name"], str(s["level"] or ""), ", ".join(s["methods"]),
                      ", ".join(s["bodies"]) or "none installed")
    print_table(console, table)


@_trimmed
def criteria(console: Console, data: list[dict[str, Any]], per_body: bool) -> None:
    if per_body:
        table = _table("Criteria", "id", "method", "level", "text", "citation")
        for c in data:
            table.add_row(c["id"], c["method"], c["level"], c["text"], c["citation"])
        print_table(console, table)
        return
    # Across bodies: one row per criterion id, where each body assesses it — the catalogue differences.
    body_ids = list(dict.fromkeys(c["body"] for c in data))
    placed: dict[str, dict[str, str]] = {}
    for c in data:
        placed.setdefault(c["id"], {})[c["body"]] = f"{c['method']} {c['level'][0].upper()}"
    table = _table("Criteria by body (method, P = pass, D = distinction; — not assessed)", "id", *body_ids)
    for cid, where in placed.items():
        cells = [where.get(b, "—") for b in body_ids]
        style = "bold yellow" if len(set(cells)) > 1 else None
        table.add_row(cid, *cells, style=style)
    print_table(console, table)


@_trimmed
def ambiguities(console: Console, data: list[dict[str, Any]]) -> None:
    table = _table("Ambiguities in the documents, and the readings encoded", "body", "id", "text says",
                   "reading", "why")
    for a in data:
        decides = "".join(f"\ndecides {', '.join(f'{m} {g}' for m, g in c.items())}" for c in a.get("combinations", ()))
        decides += "".join(f"\n{what}: {', '.join(a[what])}" for what in ("rules", "criteria") if a.get(what))
        table.add_row(f"{a['body']}\n{versioned(a['standard'], a['version'])}", f"{a['id']}\n{a['citation']}",
                      a["text_says"], a["reading"] + decides, a["why"])
    print_table(console, table)


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return "\n".join(f"{k}: {_shown(v)}" for k, v in value.items())
    return "—" if value is None else ", ".join(map(str, value)) if isinstance(value, list) else str(value)


@_trimmed
def diff(console: Console, data: dict[str, Any]) -> None:
    old, new = data["from"], data["to"]
    based = f" (v{new['version']} is stored as v{new['based_on']} plus changes)" if new["based_on"] else ""
    title = f"{data['body']} {data['standard']}: v{old['version']} → v{new['version']}{based}"
    if not data["differences"]:
        console.print(f"{title}: no differences", highlight=False)
        return
    table = _table(title, "what changed", "from", "to", "citation, and the changes the file declares")
    logged = [d for d in data["differences"] if d["kind"] in LOGGED]
    for d in data["differences"]:
        if d["kind"] in LOGGED:
            continue
        cited = [d["citation"] or "—"] + [f"{c['op']} {c['path']}: “{c['says']}”\n  {c['citation']}"
                                          for c in d["declared"]]
        what = Text(d["summary"]).append(f"\n{d['kind']}", style="dim")  # Text: paths' [id] are not markup
        table.add_row(what, Text(_shown(d["from"])), Text(_shown(d["to"])), Text("\n".join(cited)))
    print_table(console, table)
    for d in logged:
        console.print(Text(f"{LOGGED[d['kind']]}: {d['summary']}\n  “{d['says']}”\n  {d['citation']}"))


# What a version's change log states that the rules do not record, or leaves out (the `log` of a version file).
LOGGED = {"not_encoded": "The change log also states (nothing in the rules records it)",
          "not_described": "The change log does not describe"}


def _grade(value: Any) -> str:
    return "—" if value is None else str(value)


SHOW = ("deadlines", "gateway", "criteria", "checks")  # what `--show` adds to `epa grade` and `epa compare`


def header(console: Console, about: dict[str, Any]) -> None:
    """Name the apprentice and the record file first: '<id> · <file> · <standard>', on one line where the
    file's folders shortened in the middle let it fit; the file's own name is cut only if it is wider than
    the console (the line then wraps on its words)."""
    line, path, apprentice = "{} · {} · {}", one_line(about["record"]), one_line(about["apprentice"])
    room = console.width - cell_len(line.format(apprentice, "", about["standard"]))
    file = shortened(path, room)
    if not file.endswith(re.split(r"[/\\]", path)[-1]):
        file = shortened(path, console.width)
    console.print(Text(line.format(apprentice, file, about["standard"]), style="bold"))


@_trimmed
def result(console: Console, res: BodyResult, about: dict[str, Any] | None = None,
           show: tuple[str, ...] = ()) -> None:
    """One body's answer first (grade, gateway, cap), then why, then what `show` asks for."""
    if about:
        header(console, about)
    console.print(Text(f"{res.body_name} ({res.body}) · "
                       + label(res.body_name, res.document["title"] or "", res.document["version"])))
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("", no_wrap=True)
    table.add_column("grade", no_wrap=True)
    table.add_row(Text("overall", style="bold"), Text(_grade(res.overall), style="bold"))
    for method, grade in res.components.items():
        table.add_row(method, _grade(grade))
    print_table(console, table)
    console.print(f"{_journey_line(res)}", highlight=False)
    console.print(Text("Why", style="bold"))
    said = _explain(console, [res], None)
    # a deadline missed or a check outside, said without --show (the unmet gateway requirements are named above)
    _kept_by_none(console, [res], {"gateway_ready"}, {}, "Missed, or outside a tolerance:", said, show)
    _show_more(console, [res], show)


def _journey_line(res: BodyResult) -> str:
    g = res.gateway
    ready = "ready for gateway" if g.ready else f"NOT ready for gateway (unmet: {', '.join(g.unmet)})"
    unknown = f"; no evidence for {len(g.unknown)}: {', '.join(g.unknown)}" if g.unknown else ""
    if g.before_assessment_unmet:
        unknown += f"; unmet, needed before an assessment starts: {', '.join(g.before_assessment_unmet)}"
    after = ("; the whole EPA must be taken again" if res.full_retake_required
             else "; " + cap_summary(any(METHOD_CAPPED in r.says for r in res.explanation if r.about == "resit"),
                                     any(CHANGES_NOTHING in r.says for r in res.explanation if r.about == "resit"))
             if res.capped
             else "")
    return f"{ready}{unknown}{after}"


def _explain(console: Console, results: list[BodyResult], about: set[str] | None,
             journey: dict[str, dict[str, Any]] | None = None) -> set[tuple[str, str]]:
    """Each result's explanation steps (those about `about` only, when given) and notes, each cited by the
    document's short title, in a grid so that the text wraps on words beside the body's id; then what each of
    its deadlines and checks on a differing ``journey`` row says. Returns what it said, (body, words), so that
    nothing after it says it again (a resit window's step is its deadline's words)."""
    rows: list[tuple[str, Text]] = []
    said: set[tuple[str, str]] = set()
    for res in results:
        first = True
        lines: list[tuple[str, str | None]] = [(r.says, r.citation) for r in res.explanation
                                               if about is None or r.about in about]
        lines += [(f"note: {n.says}", n.citation) for n in res.notes]
        if "gateway_ready" in (about or ()):
            lines += [(f"gateway: {r.name}: {r.says}", r.citation) for r in res.gateway.requirements
                      if r.id in res.gateway.unmet]
        told: set[tuple[str, str]] = set()  # a deadline on an event's row and on its own row: said once
        for row, given in (journey or {}).items():
            ids = given[res.body]["rules"] if res.body in given else ()
            kind = "deadline" if row.startswith("deadline:") else "check"
            for d in res.deadlines if kind == "deadline" else res.checks:
                # (a resit window's step, said above, begins with its deadline's words)
                if d.id in ids and (kind, d.id) not in told and not any(says.startswith(d.says) for says, _ in lines):
                    told.add((kind, d.id))
                    lines.append((f"{kind}: {d.says}", d.citation))
        for says, citation in lines:
            text = Text(says)
            if citation:
                text.append(f"\n{cite(citation, res)}", style="dim")
            rows.append((res.body if first and len(results) > 1 else "" if len(results) > 1 else "•", text))
            said.add((res.body, says))
            first = False
    _grid(console, rows)
    return said


def _grid(console: Console, rows: list[tuple[str, Text]]) -> None:
    """Texts beside a body's id, wrapping on words; each under its id where no word fits beside it."""
    widest = max((cell_len(name) for name, _ in rows), default=0)
    if widest + 1 + max((_words(text)[0] for _, text in rows), default=0) > console.width:
        _stacked(console, rows, "bold", end=False)  # no room for a word beside the body's id: the text under it
        return
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, style="bold")
    grid.add_column()
    for name, text in rows:
        grid.add_row(name, text)
    console.print(grid)


def _show_more(console: Console, results: list[BodyResult], show: tuple[str, ...]) -> None:
    """What --show asks for, then one line naming what it would add."""
    if "gateway" in show:
        _gateway_table(console, results)
        for res in results:
            console.print(Text.assemble((res.body, "bold"), f": {_journey_line(res)}"))
    if "deadlines" in show:
        _deadline_table(console, results)
    if "checks" in show:
        _checks_table(console, results)
    if "criteria" in show:
        _criteria_table(console, results)
    counts = {"deadlines": sum(len(r.deadlines) for r in results), "checks": sum(len(r.checks) for r in results),
              "gateway": sum(len(r.gateway.requirements) for r in results)}
    hidden = [f"{s} ({counts[s]})" if counts.get(s) else s for s in SHOW if s not in show]
    if hidden:
        console.print(Text(f"more with --show: {', '.join(hidden)}, all", style="dim"))


def _criteria_table(console: Console, results: list[BodyResult]) -> None:
    table = _table("Criteria by method (missing: what the record does not show met)", "body", "method", "grade",
                   "from", "pass missing", "distinction missing")
    for res in results:
        for method, d in res.component_details.items():
            table.add_row(res.body, method, _grade(d.grade), d.source, ", ".join(d.pass_missing) or "—",
                          ", ".join(d.distinction_missing) or "—")
    print_table(console, table)


def _checks_table(console: Console, results: list[BodyResult]) -> None:
    checks = [(res.body, c) for res in results for c in res.checks]
    if not checks:
        console.print("Durations and word counts: none recorded", highlight=False)
        return
    table = _table("Durations and word counts", "body", "method", "date", "status", "check", "citation")
    for body, c in checks:
        table.add_row(body, c.method, str(c.attempt_date), _status(c.status, c.strength), c.says, c.citation)
    print_table(console, table, whole=(3,))  # 'outside (advice)' whole


@_trimmed
def compare(console: Console, results: list[BodyResult], differing: list[str], about: dict[str, Any] | None = None,
            show: tuple[str, ...] = ()) -> None:
    """The answer first: each body's grades and journey answers, differing rows marked; then why they differ,
    cited; then what `show` asks for (deadlines, gateway, criteria, checks), and a line naming the rest."""
    if about:
        header(console, about)
    journey = (about or {}).get("journey_differences") or {}
    methods = list(dict.fromkeys(m for r in results for m in r.components))
    yes_no = {True: "yes", False: "no"}
    rows: list[tuple[str, str, list[Text]]] = []  # (row, label, the bodies' values)
    for row in ["overall", *methods, *JOURNEY_ROWS]:
        if row in JOURNEY_ROWS:
            cells = [yes_no[JOURNEY_ROWS[row](r)] for r in results]
        else:
            cells = [_grade(r.overall if row == "overall" else r.components.get(row)) for r in results]
        rows.append((row, _ROW_LABEL.get(row, row), [Text(c, style="bold yellow" if row in differing else "")
                                                     for c in cells]))
        if row == "gateway_ready" and any(r.gateway.unknown for r in results):
            # "ready" means no mandatory requirement shown unmet: beside it, how many the record holds no evidence
            # for, so that a record with none is not read as shown ready (never a difference: not compared)
            rows.append(("", "gateway unknown", [Text(str(len(r.gateway.unknown))) for r in results]))
    for row, given in journey.items():  # a deadline or check row: shown only where the bodies' verdicts differ
        rows.append((row, _label(row), [Text(given[r.body]["verdict"] if r.body in given else NO_VERDICT,
                                             style="bold yellow") for r in results]))
    if any(d.status == "missed" for r in results for d in r.deadlines):
        # Deadlines missed are counted whether or not the bodies differ on them (never marked ≠: not compared): five
        # years from gateway to EPA misses every body's window alike, and a table of differences alone would say
        # nothing of it. What each is follows the table (_kept_by_none).
        rows.append(("", "deadlines missed", [Text(_missed_count(r)) for r in results]))
    # An event row's label says what its verdicts are (EVENT_ROW), longer than the rest together: where it does
    # not fit on one line beside the values, the table names the event and says that once, under it, rather
    # than wrap the label over five lines of a narrow column.
    widths = [max(cell_len(r.body), *(cell_len(v[i].plain) for _, _, v in rows)) for i, r in enumerate(results)]
    beside = sum(widths) + 2 * len(widths) + 3  # (the ≠ column, and two spaces before each column)
    short = any(event_row_name(row) for row, _, _ in rows) and \
        max(cell_len(words) for _, words, _ in rows) + beside > console.width
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True)
    table.add_column("")  # a label wraps on its words where the table is narrow (its values on its last line)
    table.add_column("", no_wrap=True, vertical="bottom")  # ≠, beside the values, on the label's last line
    for r in results:
        table.add_column(r.body, no_wrap=not journey, overflow="ellipsis", vertical="bottom")
    for row, words, values in rows:
        differs = row in differing or row in journey
        named = f"{event_row_name(row)} *" if short and event_row_name(row) else words
        table.add_row(Text(named, style="bold" if row == "overall" or differs else ""), "≠" if differs else "",
                      *values)
    print_table(console, table, whole=range(1, len(table.columns)), mark=1)
    if short:
        console.print(Text(f"* {EVENT_ROW}", style="dim"))
    said: set[tuple[str, str]] = set()
    if not differing:
        console.print("All bodies agree.")
    else:
        console.print(Text(f"Why they differ (≠ {', '.join(_label(d) for d in differing)}):", style="bold"))
        about_rows = set(differing) | ({"resit"} if {"capped", "full_retake_required"} & set(differing) else set())
        said = _explain(console, results, about_rows, journey)
    _kept_by_none(console, results, differing, journey,
                  "Also missed or unmet (the bodies agree, or one body's alone):", said, show)
    _show_more(console, results, show)


def _missed_count(res: BodyResult) -> str:
    """A body's deadlines missed: '1', or '1 + 2 advice' where advice deadlines are missed too (a fact, not a
    failure)."""
    advice = sum(d.status == "missed" and d.strength == "advice" for d in res.deadlines)
    required = sum(d.status == "missed" for d in res.deadlines) - advice
    return f"{required}" + (f" + {advice} advice" if advice else "")


def _kept_by_none(console: Console, results: list[BodyResult], differing: Collection[str],
                  journey: Mapping[str, Mapping[str, Any]], heading: str, said: Collection[tuple[str, str]] = (),
                  show: Collection[str] = ()) -> None:
    """Under ``heading``, each deadline missed, check outside its tolerance and gateway requirement unmet that "Why
    they differ" does not already say (the bodies agree on it, or it is one body's alone), with what the document
    says follows and its citation: a missed window every body shares is not a difference, but a provider must
    still read it. Not what "Why" said (``said``: a resit window's step begins with its deadline's words) nor what
    ``show`` lists after. (``differing`` holding gateway_ready: the unmet requirements are said already.)"""
    told = {(body, rule) for row, given in journey.items() for body, v in given.items() for rule in v["rules"]}
    rows: list[tuple[str, Text]] = []
    for res in results:
        lines = [(f"deadline: {d.says}", d.citation) for d in res.deadlines
                 if d.status == "missed" and (res.body, d.id) not in told and "deadlines" not in show
                 and not any(body == res.body and words.startswith(d.says) for body, words in said)]
        lines += [(f"check: {c.says}", c.citation) for c in res.checks
                  if c.status == "outside" and (res.body, c.id) not in told and "checks" not in show]
        if "gateway_ready" not in differing and "gateway" not in show:  # (else said: "Why", or the table after)
            lines += [(f"gateway: {r.name}: {r.says}", r.citation) for r in res.gateway.requirements
                      if r.id in res.gateway.unmet]
        for n, (says, citation) in enumerate(lines):
            name = "•" if len(results) == 1 else res.body if n == 0 else ""  # (as "Why" lists them)
            rows.append((name, Text(says).append(f"\n{cite(citation, res)}", style="dim")))
    if rows:
        console.print(Text(heading, style="bold"))
        _grid(console, rows)


_ROW_LABEL = {"gateway_ready": "gateway ready", "capped": "capped at pass", "full_retake_required": "whole EPA again"}


def _label(row: str) -> str:
    """A comparison row in words: a deadline's or check's (``report.journey_row_words``), or a JOURNEY_ROWS
    label."""
    return journey_row_words(row) or _ROW_LABEL.get(row, row)


_STATUS_STYLE = {"met": "green", "unmet": "bold red", "missed": "bold red", "unknown": "yellow",
                 "deferred": "yellow", "open": "", "not_applicable": "dim", "within": "green", "outside": "bold red",
                 "no_tolerance_stated": ""}
_STRENGTH = {"mandatory": "must", "recommended": "should", "optional": "optional"}


def _strength(strength: str, stage: str) -> str:
    """How strongly the document asks for a gateway requirement, and when, e.g. 'must (before assessment)'."""
    return _STRENGTH.get(strength, strength) + (" (before assessment)" if stage == "before_assessment" else "")


def _status(status: str, strength: str = "required") -> Text:
    """A status word; an advice rule's is marked, e.g. 'missed (advice)', and never styled as a failure."""
    if strength == "advice":
        return Text(f"{status.replace('_', ' ')} (advice)", style=_ADVICE_STYLE.get(status, ""))
    return Text(status.replace("_", " "), style=_STATUS_STYLE.get(status, ""))


_ADVICE_STYLE = {"met": "green", "within": "green", "missed": "yellow", "outside": "yellow", "unknown": "yellow"}


def _gateway_table(console: Console, results: list[BodyResult]) -> None:
    for res in results:  # one table a body: a body column would leave too little room at 80 columns
        table = _table(f"Gateway requirements: {res.body}", "requirement", "status", "found, and the citation")
        for r in res.gateway.requirements:
            table.add_row(r.name, Text(f"{_strength(r.strength, r.stage)}: ").append(_status(r.status)),
                          Text(r.says).append(f"\n{cite(r.citation, res)}", style="dim"))
        print_table(console, table)


@_trimmed
def gateway(console: Console, results: list[BodyResult], about: dict[str, Any] | None = None) -> None:
    if about:
        header(console, about)
    _gateway_table(console, results)
    for res in results:
        console.print(Text.assemble((res.body, "bold"), f": {_journey_line(res)}"))


def _deadline_table(console: Console, results: list[BodyResult]) -> None:
    rows = sorted(((d, res) for res in results for d in res.deadlines),
                  key=lambda pair: (pair[0].date is None, pair[0].date or "", pair[1].body))
    table = _table("Deadlines", "date", "body", "status", "deadline, how it is counted, and the citation")
    today = dt.date.today()
    for d, res in rows:
        when = ("not before " if d.kind == "not_before" else "") + (str(d.date) if d.date else "?")
        how = Text(d.says if d.date else f"{d.name}: needs {d.needs}")
        if d.status == "open" and d.kind != "not_before" and d.date and d.date < today:
            how.append("\nopen: the record does not show it yet — its date has passed", style="yellow")
        how.append(f"\n{cite(d.citation, res)}", style="dim")
        table.add_row(when, res.body, _status(d.status, d.strength), how)
    print_table(console, table, whole=(2,))  # 'missed (advice)' whole


@_trimmed
def timeline(console: Console, results: list[BodyResult], about: dict[str, Any] | None = None) -> None:
    if about:
        header(console, about)
    _deadline_table(console, results)
    checks = [(res.body, c) for res in results for c in res.checks]
    if checks:
        table = _table("Durations and word counts", "body", "method", "date", "status", "check", "citation")
        for body, c in checks:
            table.add_row(body, c.method, str(c.attempt_date), _status(c.status, c.strength), c.says, c.citation)
        print_table(console, table, whole=(3,))
    for res in results:
        console.print(Text.assemble((res.body, "bold"), f": overall {_grade(res.overall)}; {_journey_line(res)}"))


@_trimmed
def journey(console: Console, bodies: list[tuple[str, str, Journey | None, Document]]) -> None:
    for body_id, name, rules, doc in bodies:
        header = Text.assemble("\n", (name, "bold"), f" ({body_id}) — ")
        if rules is None:
            console.print(header + "no journey rules")
            continue
        # the document the rules come from, as every citation below names it: short title, version, full title
        console.print(header + f"{label(name, doc.title, doc.text_version)}: {doc.title} ({rules.document})")
        table = _table("Gateway", "id", "", "requirement", "check", "citation")
        for r in rules.gateway:
            table.add_row(r.id, _strength(r.strength, r.stage), r.name, _check_text(r.check), r.citation)
        print_table(console, table)
        table = _table("Deadlines", "id", "deadline", "when", "citation")
        for d in rules.deadlines:
            kind = "not before" if d.kind == "not_before" else "by"
            table.add_row(d.id, d.name, f"{kind} {describe(d.offset)} {d.from_.replace('_', ' ')}{from_reading(d)}"
                                        f"{_if_missed(d)}"
                                        f"{_advice(d.strength)}", d.citation)
        print_table(console, table)
        if rules.resit:
            table = _table("Resits and retakes", "rule", "citation")
            for line, citation in _resit_lines(rules.resit, rules.ambiguities):
                table.add_row(line, citation)
            print_table(console, table)
        table = _table("Tolerances", "id", "method", "measure", "allowed", "citation")
        for t in rules.tolerances:
            table.add_row(t.id, t.method, t.measure.replace("_", " "), allowed(t) + _advice(t.strength), t.citation)
        print_table(console, table)
        if rules.conduct:
            # what no record shows (how a method is held, who decides), so that a body no other body's document
            # is compared with (NQual's ST0072) still has it said
            table = _table("How assessments are held (never checked against a record)",
                           "id", "aspect", "about", "the document says", "citation")
            for c in rules.conduct:
                table.add_row(c.id, c.aspect.replace("_", " "), c.about or "—", c.says + _advice(c.strength),
                              c.citation)
            print_table(console, table)
        if rules.recommendations:
            table = _table("Recommendations (advice: never checked against a record, never a failure)",
                           "id", "topic", "about", "the document advises", "citation")
            for a in rules.recommendations:
                table.add_row(a.id, a.topic.replace("_", " "), a.about or "—", a.text, a.citation)
            print_table(console, table)


def _if_missed(rule: DeadlineRule) -> str:
    """What follows a missed deadline, as its resit windows' rows say it: nothing where the plugin does not say."""
    consequence = rule.consequence
    if not isinstance(consequence, Consequence):
        return ", the document states no consequence for missing it" if consequence == NONE_STATED else ""
    where = "" if consequence.citation == rule.citation else f" ({consequence.citation})"
    return f", {consequence_clause(consequence, ' a miss')}{where}"


def _advice(strength: str) -> str:
    return " (advice: never a failure)" if strength == "advice" else ""


def _resit_lines(resit: ResitRules, ambiguities: Sequence[Ambiguity] = ()) -> list[tuple[str, str]]:
    cap = resit.cap
    lines = [(f"grade capped at {cap.grade} after a {' or '.join(cap.applies_to)}{capped_grade(cap)}; "
              f"{cap_lift(cap)}{on_reading(cap_readings(ambiguities))}", cap.citation),
             ("no resit or retake to improve a pass", resit.no_resit_from_pass.citation),
             (f"{attempts_rule(resit.attempts, resit.windows)[1]} (“{resit.attempts.text}”)",
              resit.attempts.citation)]
    for w in resit.windows:
        lifted = "; exceptional circumstances lift it" if w.exceptional_circumstances_lift else ""
        missed = ("else the whole EPA again" if w.consequence == "full_retake"
                  else "the document states no consequence for missing it")
        undated = ("; a fail notification the record does not date is counted from the day the last of the record's "
                   "first assessments was held, where later "
                   f"(“{w.notified_once_all_assessed.text}”, {w.notified_once_all_assessed.citation})"
                   if w.notified_once_all_assessed else "")
        lines.append((f"{w.name}: by {describe(w.offset)} {w.from_.replace('_', ' ')}{from_reading(w)}, {missed}"
                       f"{lifted}{_advice(w.strength)}{undated}", w.citation))
    for r in resit.rework:
        lines.append((f"{r.name}: the {r.method} reworked by {describe(r.offset)} the fail notification"
                      f"{from_reading(r)}{_advice(r.strength)}", r.citation))
    if resit.retake_through_gateway:
        lines.append(("a retake goes through gateway again", resit.retake_through_gateway.citation))
    return lines


def _check_text(check: Check | None) -> str:
    """A gateway check as a person reads it, e.g. 'level2 english and maths (EHCP: entry3; aged 16-18 at start)'."""
    if check is None:
        return "— (the record cannot show it)"
    if em := check.english_maths:
        extra = [f"EHCP: {em.ehcp_level}"] if em.ehcp_level else []
        extra += ["BSL for English"] if em.bsl_for_english else []
        if em.min_age is not None or em.max_age is not None:
            extra.append(f"aged {age_band(em.min_age, em.max_age)} at start")
        return f"{em.level} {' and '.join(em.subjects)}" + (f" ({'; '.join(extra)})" if extra else "")
    if check.deferred:
        return f"deferred to {check.deferred.to}"
    if check.days_on_programme:
        return f"at least {check.days_on_programme.min} days on programme"
    if check.months_on_programme:
        return f"at least {check.months_on_programme.min} months on programme"
    if c := check.count:
        bounds = [f"at least {c.min}"] if c.min is not None else []
        bounds += [f"at most {c.max}"] if c.max is not None else []
        return f"gateway.{c.field}: {' and '.join(bounds)}"
    if check.provided:
        return f"gateway.{check.provided.field}"
    assert check.deadline, "the schema allows exactly these checks"
    return f"deadline {check.deadline.id}"
