"""The table views: the same data as the JSON output, laid out for a person with rich."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from epa.grading import BodyResult


def _table(title: str, *columns: str) -> Table:
    table = Table(title=title, title_justify="left", show_lines=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def bodies(console: Console, data: list[dict[str, Any]]) -> None:
    table = _table("Awarding bodies", "id", "name", "standards", "documents")
    for b in data:
        docs = "\n".join(f"{d['standard']} v{d['version']}"
                         + (f" (from {d['effective_from']})" if d["effective_from"] else "")
                         + f" — {d['file']}" for d in b["documents"])
        table.add_row(b["id"], b["name"], ", ".join(b["standards"]), docs)
    console.print(table)


def standards(console: Console, data: list[dict[str, Any]]) -> None:
    table = _table("Standards", "standard", "level", "methods", "bodies")
    for s in data:
        table.add_row(s["standard"], str(s["level"] or ""), ", ".join(s["methods"]), ", ".join(s["bodies"]))
    console.print(table)


def criteria(console: Console, data: list[dict[str, Any]], per_body: bool) -> None:
    if per_body:
        table = _table("Criteria", "id", "method", "level", "text", "citation")
        for c in data:
            table.add_row(c["id"], c["method"], c["level"], c["text"], c["citation"])
        console.print(table)
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
    console.print(table)


def ambiguities(console: Console, data: list[dict[str, Any]]) -> None:
    table = _table("Ambiguities in the documents, and the readings encoded", "body", "id", "text says",
                   "reading", "why")
    for a in data:
        table.add_row(f"{a['body']}\n{a['standard']} v{a['version']}", f"{a['id']}\n{a['citation']}",
                      a["text_says"], a["reading"], a["why"])
    console.print(table)


def _grade(value: Any) -> str:
    return "—" if value is None else str(value)


def result(console: Console, res: BodyResult) -> None:
    console.print(f"[bold]{res.body_name}[/bold] ({res.body}) — {res.standard}, "
                  f"{res.document['title']} v{res.document['version']}")
    table = _table("", "component", "grade")
    for method, grade in res.components.items():
        table.add_row(method, _grade(grade))
    table.add_row(Text("overall", style="bold"), Text(_grade(res.overall), style="bold"))
    console.print(table)
    _explain(console, res, None)


def _explain(console: Console, res: BodyResult, about: set[str] | None) -> None:
    for reason in res.explanation:
        if about is None or reason.about in about:
            console.print(f"  • {reason.says}\n    [dim]{reason.citation}[/dim]", highlight=False)
    for note in res.notes:
        cite = f"\n    [dim]{note.citation}[/dim]" if note.citation else ""
        console.print(f"  note: {note.says}{cite}", highlight=False)


def compare(console: Console, results: list[BodyResult], differing: list[str]) -> None:
    table = _table(f"{results[0].standard}: what each body would award", "", *(r.body for r in results), "")
    rows = [*results[0].components, "overall"]
    for row in rows:
        cells = [_grade(r.overall if row == "overall" else r.components.get(row)) for r in results]
        differs = row in differing
        style = "bold yellow" if differs else None
        table.add_row(Text(row, style="bold" if row == "overall" else ""),
                      *(Text(c, style=style or "") for c in cells), "≠ differs" if differs else "")
    console.print(table)
    if not differing:
        console.print("All bodies agree.")
        return
    console.print(f"\n[bold]Why they differ[/bold] ({', '.join(differing)}):")
    for res in results:
        console.print(f"\n[bold]{res.body}[/bold] — {res.document['file']}")
        _explain(console, res, set(differing))
