"""The table views: the same data as the JSON output, laid out for a person with rich."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from epa.gateway import age_band
from epa.grading import BodyResult
from epa.model import Check, Journey, ResitRules
from epa.report import JOURNEY_ROWS
from epa.timeline import allowed
from epa.workdays import describe


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


STATUS = {"pass": "[green]pass[/]", "fail": "[bold red]FAIL[/]", "skip": "[yellow]skip[/]"}


def conformance(console: Console, data: dict[str, Any]) -> None:
    table = _table(f"Conformance (sources: {data['sources']})", "check", *data["bodies"])
    for check in data["checks"]:
        table.add_row(check["id"], *(STATUS[data["summary"][b][check["id"]]] for b in data["bodies"]))
    console.print(table)
    for r in data["results"]:
        if r["status"] == "skip":
            about = f" ({r['standard']} v{r['version']})" if r["standard"] else ""
            console.print(f"[yellow]skip[/] {r['body']} {r['check']}{about}: {r['reason']}", highlight=False)
    for r in data["results"]:
        for f in r["failures"]:
            where = " ".join(p for p in (r["standard"], r["version"] and f"v{r['version']}", f["file"], f["entry"])
                             if p)
            console.print(f"[bold red]FAIL[/] {r['body']} {r['check']}: {where}\n  {f['message']}\n"
                          f"  expected: {f['expected']}", highlight=False)
            if f["record"]:
                console.print(f"  shown by the record: {json.dumps(f['record'])}", highlight=False, soft_wrap=True)
    console.print("all checks pass" if data["passed"] else "some checks fail", highlight=False)


def consistency(console: Console, data: dict[str, Any]) -> None:
    cases = ", ".join(f"{n} {area}" for area, n in data["cases"].items())
    console.print(f"[bold]{data['standard']}[/]: {len(data['findings'])} findings across "
                  f"{', '.join(b['id'] for b in data['bodies'])} ({cases} inputs swept)", highlight=False)
    for area in dict.fromkeys(f["area"] for f in data["findings"]):
        table = _table(area, "finding", "sides and citations")
        for f in (f for f in data["findings"] if f["area"] == area):
            sides = "\n".join(f"{', '.join(s['bodies'])}: {s['says']}"
                              + "".join(f"\n  {c}" for c in dict.fromkeys(c for cs in s["citations"].values()
                                                                         for c in cs)) for s in f["sides"])
            shown = f"\n(witness: {f['shows']['row']} differs)" if f["shows"] else ""
            table.add_row(f"{f['id']}\n{f['summary']}{shown}", sides)
        console.print(table)


def plugins(console: Console, data: list[dict[str, Any]]) -> None:
    table = _table("Body plugins", "body", "distribution", "hooks it implements", "rules shipped and their variants")
    for p in data:
        rules = "\n".join(f"{r['standard']} v{r['version']}" + "".join(f"\n  {v['kind']}: {v['says']}"
                                                                       for v in r["variants"])
                           for r in p["rulesets"])
        table.add_row(p["id"], f"{p['distribution'] or '-'} {p['version'] or ''}".strip(), ", ".join(p["hooks"]), rules)
    console.print(table)


def standards(console: Console, data: list[dict[str, Any]]) -> None:
    table = _table("Standards", "standard", "name", "level", "methods", "bodies")
    for s in data:
        table.add_row(s["standard"], s["name"], str(s["level"] or ""), ", ".join(s["methods"]),
                      ", ".join(s["bodies"]) or "none installed")
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


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return "\n".join(f"{k}: {_shown(v)}" for k, v in value.items())
    return "—" if value is None else ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def diff(console: Console, data: dict[str, Any]) -> None:
    old, new = data["from"], data["to"]
    based = f" (v{new['version']} is stored as v{new['based_on']} plus changes)" if new["based_on"] else ""
    title = f"{data['body']} {data['standard']}: v{old['version']} → v{new['version']}{based}"
    if not data["differences"]:
        console.print(f"{title}: no differences", highlight=False)
        return
    table = _table(title, "what changed", "from", "to", "citation, and the changes the file declares")
    for d in data["differences"]:
        cited = [d["citation"] or "—"] + [f"{c['op']} {c['path']}: “{c['says']}”\n  {c['citation']}"
                                          for c in d["declared"]]
        what = Text(d["summary"]).append(f"\n{d['kind']}", style="dim")  # Text: paths' [id] are not markup
        table.add_row(what, Text(_shown(d["from"])), Text(_shown(d["to"])), Text("\n".join(cited)))
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
    console.print(f"  {_journey_line(res)}", highlight=False)
    _explain(console, res, None)
    _gateway_table(console, [res])
    _deadline_table(console, [res])


def _journey_line(res: BodyResult) -> str:
    g = res.gateway
    ready = "ready for gateway" if g.ready else f"NOT ready for gateway (unmet: {', '.join(g.unmet)})"
    unknown = f"; no evidence for {len(g.unknown)}: {', '.join(g.unknown)}" if g.unknown else ""
    if g.before_assessment_unmet:
        unknown += f"; unmet, needed before an assessment starts: {', '.join(g.before_assessment_unmet)}"
    after = ("; the whole EPA must be taken again" if res.full_retake_required
             else "; overall grade capped at pass (resit or retake)" if res.capped else "")
    return f"{ready}{unknown}{after}"


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
    yes_no = {True: "yes", False: "no"}
    for row, label in (("gateway_ready", "gateway ready"), ("capped", "capped at pass"),
                       ("full_retake_required", "whole EPA again")):
        cells = [yes_no[JOURNEY_ROWS[row](r)] for r in results]
        differs = row in differing
        table.add_row(label, *(Text(c, style="bold yellow" if differs else "") for c in cells),
                      "≠ differs" if differs else "")
    console.print(table)
    for res in results:
        console.print(f"[bold]{res.body}[/bold]: {_journey_line(res)}", highlight=False)
    _deadline_table(console, results)
    if not differing:
        console.print("All bodies agree.")
        return
    console.print(f"\n[bold]Why they differ[/bold] ({', '.join(differing)}):")
    about = set(differing) | ({"resit"} if {"capped", "full_retake_required"} & set(differing) else set())
    for res in results:
        console.print(f"\n[bold]{res.body}[/bold] — {res.document['file']}")
        _explain(console, res, about)
        if "gateway_ready" in differing:
            for r in res.gateway.requirements:
                if r.id in res.gateway.unmet:
                    console.print(f"  • gateway: {r.name}: {r.says}\n    [dim]{r.citation}[/dim]", highlight=False)


_STATUS_STYLE = {"met": "green", "unmet": "bold red", "missed": "bold red", "unknown": "yellow",
                 "deferred": "yellow", "open": "", "not_applicable": "dim", "within": "green", "outside": "bold red",
                 "no_tolerance_stated": ""}
_STRENGTH = {"mandatory": "must", "recommended": "should", "optional": "optional"}


def _strength(strength: str, stage: str) -> str:
    """How strongly the document asks for a gateway requirement, and when, e.g. 'must (before assessment)'."""
    return _STRENGTH.get(strength, strength) + (" (before assessment)" if stage == "before_assessment" else "")


def _status(status: str) -> Text:
    return Text(status.replace("_", " "), style=_STATUS_STYLE.get(status, ""))


def _gateway_table(console: Console, results: list[BodyResult]) -> None:
    table = _table("Gateway requirements", "body", "requirement", "", "status", "found", "citation")
    for res in results:
        for r in res.gateway.requirements:
            table.add_row(res.body, r.name, _strength(r.strength, r.stage), _status(r.status), r.says,
                          r.citation)
    console.print(table)


def gateway(console: Console, results: list[BodyResult]) -> None:
    _gateway_table(console, results)
    for res in results:
        console.print(f"[bold]{res.body}[/bold]: {_journey_line(res)}", highlight=False)


def _deadline_table(console: Console, results: list[BodyResult]) -> None:
    rows = sorted(((d, res.body) for res in results for d in res.deadlines),
                  key=lambda pair: (pair[0].date is None, pair[0].date or "", pair[1]))
    table = _table("Deadlines", "date", "body", "deadline", "status", "how", "citation")
    for d, body in rows:
        when = ("not before " if d.kind == "not_before" else "") + (str(d.date) if d.date else "?")
        how = d.says if d.date else f"needs {d.needs}"
        table.add_row(when, body, d.name, _status(d.status), how, d.citation)
    console.print(table)


def timeline(console: Console, results: list[BodyResult]) -> None:
    _deadline_table(console, results)
    checks = [(res.body, c) for res in results for c in res.checks]
    if checks:
        table = _table("Durations and word counts", "body", "method", "date", "check", "citation")
        for body, c in checks:
            table.add_row(body, c.method, str(c.attempt_date), Text(c.says, style=_STATUS_STYLE.get(c.status, "")),
                          c.citation)
        console.print(table)
    for res in results:
        console.print(f"[bold]{res.body}[/bold]: overall {_grade(res.overall)}; {_journey_line(res)}",
                      highlight=False)


def journey(console: Console, bodies: list[tuple[str, str, Journey | None]]) -> None:
    for body_id, name, rules in bodies:
        console.print(f"\n[bold]{name}[/bold] ({body_id}) — {rules.document if rules else 'no journey rules'}")
        if rules is None:
            continue
        table = _table("Gateway", "id", "", "requirement", "check", "citation")
        for r in rules.gateway:
            table.add_row(r.id, _strength(r.strength, r.stage), r.name, _check_text(r.check), r.citation)
        console.print(table)
        table = _table("Deadlines", "id", "deadline", "when", "citation")
        for d in rules.deadlines:
            kind = "not before" if d.kind == "not_before" else "by"
            table.add_row(d.id, d.name, f"{kind} {describe(d.offset)} {d.from_.replace('_', ' ')}", d.citation)
        console.print(table)
        if rules.resit:
            table = _table("Resits and retakes", "rule", "citation")
            for line, citation in _resit_lines(rules.resit):
                table.add_row(line, citation)
            console.print(table)
        table = _table("Tolerances", "id", "method", "measure", "allowed", "citation")
        for t in rules.tolerances:
            table.add_row(t.id, t.method, t.measure.replace("_", " "), allowed(t), t.citation)
        console.print(table)
        if rules.recommendations:
            table = _table("Recommendations (advice: never checked against a record, never a failure)",
                           "id", "topic", "about", "the document advises", "citation")
            for a in rules.recommendations:
                table.add_row(a.id, a.topic.replace("_", " "), a.about or "—", a.text, a.citation)
            console.print(table)


def _resit_lines(resit: ResitRules) -> list[tuple[str, str]]:
    cap = resit.cap
    lifted = "lift it" if cap.exceptional_circumstances_lift else "do not lift it"
    lines = [(f"grade capped at {cap.grade} after a {' or '.join(cap.applies_to)}; exceptional circumstances "
              f"{lifted}", cap.citation),
             ("no resit or retake to improve a pass", resit.no_resit_from_pass.citation),
             (f"number of attempts: {resit.attempts.limit or 'no limit set'}", resit.attempts.citation)]
    for w in resit.windows:
        lifted = "; exceptional circumstances lift it" if w.exceptional_circumstances_lift else ""
        missed = ("else the whole EPA again" if w.consequence == "full_retake"
                  else "the document states no consequence for missing it")
        lines.append((f"{w.name}: by {describe(w.offset)} {w.from_.replace('_', ' ')}, {missed}{lifted}",
                       w.citation))
    for r in resit.rework:
        lines.append((f"{r.name}: the {r.method} reworked by {describe(r.offset)} the fail notification", r.citation))
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
