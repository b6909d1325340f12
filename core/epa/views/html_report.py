"""``epa consistency --format html``: the consistency JSON as one self-contained HTML page.

The page has no network assets: its style and its small script are inline, and a Content-Security-Policy
allows only those two (by hash), so nothing else loads or runs even if a string slipped through unescaped.
Every string from the data is escaped. With scripts off everything is shown; the script adds filters by
body and by area and re-marks the heat-map rows that differ among the bodies still shown.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
from collections.abc import Iterable
from html import escape
from typing import Any

from epa.rules.citations import label, titled
from epa.views.report import NO_VERDICT, cohort_line, journey_row_words, witness_line

AREAS = ("grading", "criteria", "gateway", "resits", "deadlines", "tolerances", "recommendations",
         "self-consistency", "reference", "versions")
GRADE_LETTER = {"fail": "F", "pass": "P", "distinction": "D"}
LEVEL_LETTER = {"pass": "P", "distinction": "D"}

CSS = """
:root { --ink: #1b1f24; --muted: #59636e; --line: #d0d7de; --mark: #ffe066; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0 auto; max-width: 82rem; padding: 1rem 1.5rem 3rem; color: var(--ink); background: #fff;
       font: 15px/1.45 system-ui, -apple-system, "Segoe UI", "Liberation Sans", "DejaVu Sans", sans-serif; }
h1 { font-size: 1.6rem; margin: .5rem 0 .25rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .5rem; border-bottom: 2px solid var(--line); padding-bottom: .2rem; }
h3 { font-size: 1.05rem; margin: 0 0 .4rem; }
h4 { font-size: .95rem; margin: 0 0 .3rem; }
code, pre { font-family: ui-monospace, "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: .85rem; }
.muted { color: var(--muted); }
nav ul, .inline { list-style: none; padding: 0; margin: .3rem 0; display: flex; flex-wrap: wrap; gap: .3rem 1.2rem; }
.bodies { margin: .3rem 0; padding-left: 1.2rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { border: 1px solid var(--line); padding: .2rem .5rem; text-align: left; vertical-align: top; }
thead th { background: #f3f5f7; font-size: .85rem; }
.heat td { text-align: center; min-width: 7.5rem; font-size: .85rem; white-space: nowrap; }
.heat tbody th { font-weight: normal; white-space: nowrap; }
/* the row headers stay in view while a wide heat map scrolls sideways in its box */
.heat tbody th, .heat thead th:first-child { position: sticky; left: 0; z-index: 1; background: #fff; }
.heat thead th:first-child { background: #f3f5f7; }
.heat td.flag { min-width: 0; font-weight: bold; }
.heat tr.differs th { background: var(--mark); box-shadow: inset 4px 0 0 #b8860b; }
.heat tr.differs td.flag, .legend .mark { background: var(--mark); }
.crit-text { display: inline-block; max-width: 24rem; overflow: hidden; text-overflow: ellipsis;
             vertical-align: bottom; margin-left: .5rem; color: var(--muted); }
.g-fail { background: #f4b6a3; color: #4a1300; }
.g-pass { background: #e3efd9; color: #1d3a12; }
.g-distinction { background: #2b5c99; color: #fff; font-weight: bold; }
.g-none, .m-none { background: repeating-linear-gradient(45deg, #f6f6f6, #f6f6f6 4px, #e9e9e9 4px, #e9e9e9 8px);
                   color: var(--muted); }
.m-0 { background: #dbe9f6; } .m-1 { background: #fde2c4; } .m-2 { background: #e0d7f0; }
.m-3 { background: #d3eedf; } .m-4 { background: #f6d6e4; } .m-5 { background: #eee8c8; }
.lvl { display: inline-block; min-width: 1.2em; border-radius: 2px; }
.lvl-distinction .lvl, .legend .lvl { background: #1b1f24; color: #fff; font-weight: bold; }
.legend { display: flex; flex-wrap: wrap; gap: .3rem .8rem; margin: .3rem 0; padding: 0; list-style: none;
          font-size: .85rem; }
.legend span { display: inline-block; padding: 0 .5rem; border: 1px solid var(--line); }
#filters { border: 1px solid var(--line); padding: .5rem 1rem; margin: 1rem 0; background: #f8f9fa; }
#filters fieldset { border: 0; padding: 0; margin: .2rem 0; }
#filters p { margin: .3rem 0 0; }
#filters legend { font-weight: bold; float: left; margin-right: 1rem; }
#filters label { margin-right: 1rem; white-space: nowrap; }
.finding { border: 1px solid var(--line); border-left: 5px solid #2b5c99; padding: .7rem 1rem; margin: .8rem 0; }
.finding .meta { font-size: .85rem; color: var(--muted); margin-bottom: .5rem; }
.area { display: inline-block; padding: 0 .4rem; border-radius: 3px; background: #eef1f4; color: var(--ink); }
.sides { display: grid; grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr)); gap: .6rem; }
.side { border: 1px solid var(--line); padding: .5rem .7rem; background: #fbfcfd; }
.side p { margin: .2rem 0 .4rem; }
.side blockquote { margin: .3rem 0 .5rem; padding: .1rem .6rem; border-left: 3px solid var(--line); }
.side blockquote p { margin: 0 0 .2rem; font-style: italic; }
.side blockquote footer { font-size: .85rem; }
.side .reading { font-size: .9rem; background: #fff8e1; padding: .2rem .4rem; }
.side .who { list-style: none; padding: 0; margin: 0; font-weight: bold; }
.side .who li { display: inline; }
.side .who li:not([hidden]) ~ li::before { content: ", "; }
.side ul { margin: 0; padding-left: 1.1rem; font-size: .85rem; }
.shows { margin: .6rem 0 0; font-size: .9rem; }
.shows table { margin: .3rem 0; }
details { margin-top: .5rem; }
summary { cursor: pointer; color: #0b4f9c; }
pre { background: #f6f8fa; border: 1px solid var(--line); padding: .5rem; overflow: auto; max-height: 24rem; }
.scroll { overflow-x: auto; max-width: 100%; -webkit-overflow-scrolling: touch; }
.scroll table { margin: .5rem 0 1rem; }
.lede { font-size: 1.05rem; margin: .3rem 0 .6rem; }
#top { border: 2px solid #b8860b; background: #fffbea; padding: .4rem 1rem .6rem; margin: .6rem 0 1rem; }
#top h2 { margin: .3rem 0 .4rem; border: 0; }
#top ol { margin: 0; padding-left: 1.4rem; }
#top li { margin: .35rem 0 .6rem; }
.changes { font-weight: bold; }
.split { margin: .15rem 0; }
.region, .witness-line { font-size: .85rem; color: var(--muted); margin: .1rem 0; overflow-wrap: anywhere; }
.counts { margin: .3rem 0; }
@media (max-width: 40rem) {
  body { padding: .5rem .6rem 2rem; font-size: 14px; }
  .heat td { min-width: 4.5rem; white-space: normal; }
  .heat tbody th { white-space: normal; max-width: 9rem; }
  /* one line of the criterion's words (in full on hover and in the findings), so a row is not a page tall */
  .crit-text { display: block; max-width: 9rem; margin-left: 0; white-space: nowrap; }
  .sides { grid-template-columns: 1fr; }
  #filters label { white-space: normal; }
}
"""

SCRIPT = """
(function () {
  "use strict";
  var form = document.getElementById("filters");
  function chosen(name) {
    var picked = {};
    form.querySelectorAll("input[name='" + name + "']").forEach(function (box) {
      picked[box.value] = box.checked;
    });
    return picked;
  }
  function mark(table) {
    table.querySelectorAll("tbody tr").forEach(function (row) {
      var seen = {}, count = 0;
      row.querySelectorAll("td[data-col]").forEach(function (cell) {
        if (!cell.hidden && cell.hasAttribute("data-value") && !seen[cell.dataset.value]) {
          seen[cell.dataset.value] = true;
          count += 1;
        }
      });
      row.classList.toggle("differs", count > 1);
      row.querySelector("td.flag").textContent = count > 1 ? "\\u2260 differs" : "";
    });
  }
  function apply() {
    var bodies = chosen("body"), areas = chosen("area"), shown = 0;
    document.querySelectorAll("[data-col]").forEach(function (cell) {
      cell.hidden = bodies[cell.dataset.col] === false;
    });
    document.querySelectorAll("table.heat").forEach(mark);
    var findings = document.querySelectorAll(".finding");
    findings.forEach(function (finding) {
      var sides = finding.querySelectorAll(".side"), live = 0;
      sides.forEach(function (side) {
        var on = JSON.parse(side.dataset.bodies).some(function (b) { return bodies[b] !== false; });
        side.hidden = !on;
        if (on) { live += 1; }
      });
      finding.hidden = areas[finding.dataset.area] === false || live < Math.min(2, sides.length);
      if (!finding.hidden) { shown += 1; }
    });
    document.getElementById("shown").textContent =
      "Showing " + shown + " of " + findings.length + " findings.";
  }
  form.addEventListener("change", apply);
  form.hidden = false;
  apply();
  document.body.setAttribute("data-ready", "1");
}());
"""


def _e(value: Any) -> str:
    return escape(str(value), quote=True)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def _names(data: dict[str, Any]) -> dict[str, str]:
    return {b["id"]: b["name"] for b in data["bodies"]}


def _base(label: str) -> str:
    """A side's body label is a body id, or ``id@version`` for an older document version: filters use the id."""
    return label.split("@")[0]


def _body(names: dict[str, str], body: str) -> str:
    version = f" (version {_e(body.split('@', 1)[1])})" if "@" in body else ""
    name = names.get(_base(body))
    return f'<span title="{_e(body)}">{_e(name)}{version}</span>' if name else f"<code>{_e(body)}</code>"


def _documents(data: dict[str, Any]) -> dict[tuple[str, str], dict[str, str]]:
    """(a side's body label, a cited file) -> that document's title, version and label: ``id@version`` names
    that version; the plain id its newest, listed last."""
    found = {}
    for b in data["bodies"]:
        name = b["name"]
        for d in b["documents"]:
            doc = {**d, "label": label(name, d["title"], d["version"])}
            found[(f"{_base(b['id'])}@{d['version']}", d["file"])] = found[(b["id"], d["file"])] = doc
    return found


def _cite(citation: str, doc: dict[str, str] | None) -> str:
    """A citation as a person reads it: the document's short title and version, and the section; the full title
    on hover and the file beside it. One naming no document we know stays as it is."""
    file, _, section = citation.partition(" § ")
    if doc is None or not section:
        return f"<cite>{_e(citation)}</cite>"
    return (f'<cite title="{_e(titled(doc["title"], doc["version"]))}">{_e(doc["label"])} § {_e(section)}'
            f'</cite> <span class="muted">({_e(file)})</span>')


ROWS = {"overall": "Overall grade", "gateway_ready": "Ready for gateway", "capped": "Grade capped at pass",
        "full_retake_required": "The whole EPA again"}
TOP = 8  # how many divergences the page opens on


def _row_name(row: str) -> str:
    if (words := journey_row_words(row)) is not None:
        return words[0].upper() + words[1:]
    return ROWS.get(row, f"The {row}'s grade")


def _value(value: Any, row: str = "") -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if value is None:
        return NO_VERDICT if journey_row_words(row) else "no grade"
    return str(value)


def _changes(finding: dict[str, Any], names: dict[str, str]) -> str:
    """What the divergence changes for an apprentice: the row the witness shows, and each body's value."""
    row = finding["shows"]
    split: dict[str, list[str]] = {}
    for body, value in row["values"].items():
        split.setdefault(_value(value, row["row"]), []).append(body)
    sides = "; ".join(", ".join(_body(names, b) for b in bodies) + f": <strong>{_e(value)}</strong>"
                      for value, bodies in split.items())
    return f'<span class="changes">{_e(_row_name(row["row"]))}</span> — {sides}'


def _region(finding: dict[str, Any], cohort: dict[str, Any] | None) -> str:
    """How many inputs the finding touches (and, with a cohort, how many of its records)."""
    parts = []
    region = finding.get("region")
    if region and region.get("counted", True):
        kind = "" if region.get("exact") else " (not every input: the inputs swept)"
        parts.append(f"{int(region['inputs']):,} of {int(region['of']):,} {_e(region.get('unit', 'inputs'))} "
                     f"({_percent(region['share'])}): {_e(region['space'])}{kind}")
    elif region:
        parts.append(_e(region["reason"]))
    touched = (cohort or {}).get("findings", {}).get(finding["id"])
    if touched is not None:
        parts.append(f"{int(touched['inputs']):,} of {int(touched['of']):,} records of the cohort "
                     f"({_percent(touched['share'])})")
    return f'<p class="region">{"; ".join(parts)}</p>' if parts else ""


def _shown_by(cases: int) -> str:
    if not cases:
        return "from the rules data alone"
    return "one input shows it" if cases == 1 else f"{cases:,} inputs show it"


def _percent(share: float) -> str:
    value = 100 * float(share)
    return "0%" if value == 0 else f"{value:.3g}%" if value >= 0.001 else f"{value:.2e}%"


def _witness_line(finding: dict[str, Any]) -> str:
    return (f'<p class="witness-line">Witness: {_e(witness_line(finding["witness"]))}</p>'
            if finding.get("witness") else "")


def _ranked(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The divergences an apprentice record can show, largest first: those with a counted region before those
    from one input, then those changing the overall grade, a component's grade, gateway, the resit rules;
    within each, those touching the most of a cohort (where one is given), then the largest share of their
    inputs. Taken area by area in turn, so that the first screen shows every kind of divergence there is."""
    order = {"overall": 0, "gateway_ready": 2, "full_retake_required": 3, "capped": 4}
    touched = (data.get("cohort") or {}).get("findings", {})

    def key(f: dict[str, Any]) -> tuple[Any, ...]:
        region = f.get("region") or {}
        region = region if region.get("counted", True) else {}
        return (not region, order.get(f["shows"]["row"], 1), -float(touched.get(f["id"], {}).get("share", 0)),
                -float(region.get("share", 0)), f["id"])
    ranked = sorted((f for f in data["findings"] if f.get("shows") and "@" not in f["id"]), key=key)
    by_area: dict[str, list[dict[str, Any]]] = {}
    for f in ranked:
        by_area.setdefault(f["area"], []).append(f)
    turns = itertools.zip_longest(*by_area.values())
    return [f for turn in turns for f in turn if f is not None]


def _top(data: dict[str, Any], names: dict[str, str]) -> str:
    ranked = _ranked(data)
    if not ranked:
        return ('<section id="top" aria-labelledby="h-top"><h2 id="h-top">Top divergences</h2>'
                "<p>No apprentice record is graded differently by these bodies.</p></section>")
    items = "".join(
        f'<li><div class="split">{_changes(f, names)}</div>'
        f'<div><a href="#finding-{_e(f["id"])}">{_e(f["summary"])}</a></div>'
        f'{_region(f, data.get("cohort"))}{_witness_line(f)}</li>' for f in ranked[:TOP])
    more = (f'<p class="muted">{len(ranked) - TOP} more that a record can show, and the rest, under '
            f'<a href="#h-findings">Findings</a>.</p>' if len(ranked) > TOP else "")
    return (f'<section id="top" aria-labelledby="h-top"><h2 id="h-top">Top divergences</h2>'
            f"<ol>{items}</ol>{more}</section>")


def _checkboxes(name: str, items: Iterable[tuple[str, str]]) -> str:
    return "".join(f'<label><input type="checkbox" name="{name}" value="{_e(value)}" checked> {label}</label>'
                   for value, label in items)


def _ambiguities(items: Iterable[dict[str, Any]], body: str, documents: dict[tuple[str, str], dict[str, str]]) -> str:
    """The body's recorded ambiguities, folded: what its document leaves unclear, and the reading encoded."""
    rows = "".join(f"<li><code>{_e(a['id'])}</code>: {_e(a['text_says'])} <em>Read as:</em> {_e(a['reading'])} "
                   f"({_cite(a['citation'], documents.get((body, a['citation'].partition(' § ')[0])))})</li>"
                   for a in items)
    count = rows.count("<li>")
    return f"<details><summary>{count} recorded ambiguities</summary><ul>{rows}</ul></details>" if count else ""


def _area_counts(data: dict[str, Any]) -> list[tuple[str, int]]:
    """Each area with findings, in the report's order, and how many: the same numbers in header and filters."""
    present = [a for a in AREAS if any(f["area"] == a for f in data["findings"])]
    present += sorted({f["area"] for f in data["findings"]} - set(present))
    return [(a, sum(f["area"] == a for f in data["findings"])) for a in present]


# Findings about one body alone (against itself, the core's default pattern, or its own earlier version): no divergence
# between bodies.
ONE_BODY = ("self-consistency", "reference", "versions")


def _lede(data: dict[str, Any]) -> str:
    findings = data["findings"]
    between = [f for f in findings if f["area"] not in ONE_BODY]
    shown = sum(1 for f in between if f.get("shows"))
    alone = len(findings) - len(between)
    bodies = ", ".join(_e(b["name"]) for b in data["bodies"])
    among = f"among {bodies}" if len(data["bodies"]) != 1 else \
        f"(only {bodies} is compared: no other body to diverge from)"
    twice = any(f["id"].startswith("gateway.ready") for f in between)
    return (f"<header><h1>Consistency report: {_e(data['standard'])}</h1>"
            f'<p class="lede"><strong>{len(between)}</strong> findings of divergence {among}'
            + (" (one divergence may be found twice: each gateway.ready finding is a profile its gateway.profiles "
               "finding counts)" if twice else "")
            + f"; <strong>{shown}</strong> of them change what an apprentice record gets"
            + (f" (and {alone} findings about one body alone: its self-consistency, its departures from the "
               "core's default pattern, its versions)" if alone else "")
            + ". First those a record can show, taken area by area in turn, each area's most telling first (what "
            "they change, then their share of a cohort and of their inputs); everything after, "
            '<a href="#h-findings">by area</a>.</p></header>')


def _header(data: dict[str, Any]) -> str:
    documents = _documents(data)
    bodies = "".join(
        f"<li><strong>{_e(b['name'])}</strong> <code>{_e(b['id'])}</code>: "
        + "; ".join(f"{_e(titled(d['title'], d['version']))} <span class=\"muted\">({_e(d['file'])})</span>"
                    for d in b["documents"])
        + _ambiguities(b.get("ambiguities", ()), b["id"], documents) + "</li>" for b in data["bodies"])
    cases = data["cases"]
    findings = "".join(f'<li><a href="#h-findings">{_e(area)}</a>: <strong>{n}</strong></li>'
                       for area, n in _area_counts(data))
    inputs = "".join(f"<li>{_e(area)}: {int(n):,}</li>" for area, n in cases.items())
    return (f'<section aria-labelledby="bodies"><h2 id="bodies">Bodies, documents and counts</h2>'
            f'<ul class="bodies">{bodies}</ul>'
            f'<p class="counts"><strong>{len(data["findings"])}</strong> findings, by area:</p>'
            f'<ul class="inline" id="finding-counts">{findings}</ul>'
            f'<p class="counts muted">Inputs each sweep evaluated (not findings):</p>'
            f'<ul class="inline muted" id="input-counts">{inputs}</ul>{_counted(data)}{_cohort(data)}'
            f'{_pairs(data)}</section>')


def _counted(data: dict[str, Any]) -> str:
    """The inputs the complete analysis covers by counting (each graded pattern standing for those alike to it):
    apart from the inputs evaluated, which they are not."""
    counted = "".join(f"<li>{_e(area)}: {int(n):,}</li>" for area, n in data.get("counted", {}).items() if n)
    return (f'<p class="counts muted">Covered by counting, not evaluated one by one:</p>'
            f'<ul class="inline muted" id="counted">{counted}</ul>') if counted else ""


def _cohort(data: dict[str, Any]) -> str:
    """The cohort the findings' shares are of, and the rows left out of every share (as the table says them)."""
    if not data.get("cohort"):
        return ""
    return "".join(f'<p class="counts">{_e(line)}</p>' for line in cohort_line(data["cohort"]).splitlines())


def _pairs(data: dict[str, Any]) -> str:
    """The complete analysis: how many inputs each pair of bodies grades differently."""
    complete = data.get("complete")
    if not complete or not complete.get("pairs"):
        return ""
    names = _names(data)
    methods = [m["method"] for m in complete["methods"]]
    head = "".join(f'<th scope="col">{_e(m)}: patterns of criteria met</th>' for m in methods)
    rows = []
    for pair in complete["pairs"]:
        a, b = pair["bodies"]
        cells = "".join(f"<td>{int(pair['methods'][m]['inputs']):,} of {int(pair['methods'][m]['of']):,}</td>"
                        for m in methods)
        rows.append(f'<tr><th scope="row">{_body(names, a)} · {_body(names, b)}</th>{cells}'
                    f"<td>{int(pair['overall']['inputs']):,} ({_percent(pair['overall']['share'])})</td>"
                    f"<td>{int(pair['combinations']['inputs'])} of {int(pair['combinations']['of'])}</td>"
                    + (f"<td>{int(pair['gateway']['inputs']):,} of {int(pair['gateway']['of']):,} "
                       f"({_percent(pair['gateway']['share'])})</td>" if "gateway" in pair else "<td>—</td>")
                    + "</tr>")
    sampled = [m["method"] for m in complete["methods"] if m.get("sampled") is not None]
    note = (f" Sampled, not counted: {', '.join(_e(m) for m in sampled)}." if sampled else
            " Every pattern counted: these are all the inputs on which each pair differs.")
    return (f'<h3 id="h-pairs">Inputs each pair of bodies grades differently</h3>'
            f'<p class="muted">Each method over every pattern of its criteria met; the overall grade over every '
            f"input ({int(complete['inputs']):,}: a pattern at each method); every combination of component "
            f"grades; readiness over every gateway profile (every class of every requirement field the bodies "
            f"check, in every combination).{note}</p>"
            f'<div class="scroll"><table id="pairs"><thead><tr><th scope="col">Bodies</th>{head}'
            f'<th scope="col">overall grade</th><th scope="col">combinations of component grades</th>'
            f'<th scope="col">gateway profiles: ready or not</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>')


def _filters(data: dict[str, Any]) -> str:
    areas = [(a, f"{_e(a)} ({n})") for a, n in _area_counts(data)]
    bodies = _checkboxes("body", ((b["id"], _e(b["name"])) for b in data["bodies"]))
    return ('<form id="filters" hidden aria-label="Filters">'
            f"<fieldset><legend>Bodies</legend>{bodies}</fieldset>"
            f'<fieldset><legend>Areas</legend>{_checkboxes("area", areas)}</fieldset>'
            '<p id="shown" class="muted" aria-live="polite"></p></form>')


def _heat_head(data: dict[str, Any], first: str) -> str:
    cols = "".join(f'<th scope="col" data-col="{_e(b["id"])}">{_e(b["name"])}</th>' for b in data["bodies"])
    return f'<thead><tr><th scope="col">{first}</th>{cols}<th scope="col">Bodies agree?</th></tr></thead>'


def _heat_row(head: str, cells: list[str], values: list[str]) -> str:
    differs = len(set(values)) > 1
    mark = ' class="differs"' if differs else ""
    return (f'<tr{mark}>{head}{"".join(cells)}'
            f'<td class="flag">{"&#8800; differs" if differs else ""}</td></tr>')


def _combinations(data: dict[str, Any]) -> str:
    rows = []
    for combo in data["heatmaps"]["combinations"]:
        label = " · ".join(f"{_e(m)} {GRADE_LETTER.get(g, _e(g))}" for m, g in combo["components"].items())
        cells, values = [], []
        for b in data["bodies"]:
            col = _e(b["id"])
            if b["id"] not in combo["overall"]:
                cells.append(f'<td data-col="{col}" class="g-none" title="not given">n/a</td>')
                continue
            grade = combo["overall"][b["id"]]
            value = grade or "none"
            values.append(value)
            text = _e(grade) if grade else "—"
            title = f"{b['name']}: {grade}" if grade else f"{b['name']} gives no overall grade"
            cells.append(f'<td data-col="{col}" data-value="{_e(value)}" class="g-{_e(value)}" '
                         f'title="{_e(title)}">{text}</td>')
        rows.append(_heat_row(f'<th scope="row">{label}</th>', cells, values))
    legend = ('<ul class="legend" aria-label="Legend"><li><span class="g-fail">fail</span></li>'
              '<li><span class="g-pass">pass</span></li><li><span class="g-distinction">distinction</span></li>'
              '<li><span class="g-none">—</span> no overall grade</li>'
              "<li>F, P, D: a component graded fail, pass, distinction</li>"
              '<li><span class="mark">&#8800; differs</span> bodies disagree</li></ul>')
    return (f'<section aria-labelledby="h-combinations"><h2 id="h-combinations">Overall grade for each combination of '
            f"component grades</h2>{legend}"
            f'<div class="scroll"><table class="heat" id="combinations">{_heat_head(data, "Component grades")}'
            f'<tbody>{"".join(rows)}</tbody></table></div></section>')


def _criteria(data: dict[str, Any]) -> str:
    methods = sorted({p["method"] for c in data["heatmaps"]["criteria"] for p in c["placement"].values() if p})
    shade = {m: f"m-{i % 6}" for i, m in enumerate(methods)}
    rows = []
    for crit in data["heatmaps"]["criteria"]:
        cells, values = [], []
        for b in data["bodies"]:
            col = _e(b["id"])
            if b["id"] not in crit["placement"]:
                cells.append(f'<td data-col="{col}" class="m-none" title="not given">n/a</td>')
                continue
            place = crit["placement"][b["id"]]
            if place is None:
                values.append("none")
                cells.append(f'<td data-col="{col}" data-value="none" class="m-none" '
                             f'title="{_e(b["name"])}: not assessed">—</td>')
                continue
            method, level = place["method"], place["level"]
            values.append(f"{method}/{level}")
            cells.append(f'<td data-col="{col}" data-value="{_e(method)}/{_e(level)}" '
                         f'class="{shade.get(method, "")} lvl-{_e(level)}" '
                         f'title="{_e(b["name"])}: {_e(method)}, {_e(level)}">'
                         f'{_e(method)} <span class="lvl">{LEVEL_LETTER.get(level, _e(level))}</span></td>')
        head = (f'<th scope="row" title="{_e(crit["text"])}"><code>{_e(crit["id"])}</code>'
                f'<span class="crit-text">{_e(crit["text"])}</span></th>')
        rows.append(_heat_row(head, cells, values))
    legend = ('<ul class="legend" aria-label="Legend">'
              + "".join(f'<li><span class="{shade[m]}">{_e(m)}</span></li>' for m in methods)
              + '<li><span class="m-none">—</span> not assessed</li><li>P: a pass criterion</li>'
              '<li><span class="lvl">D</span> a distinction criterion</li>'
              '<li><span class="mark">&#8800; differs</span> placements differ</li></ul>')
    return (f'<section aria-labelledby="h-criteria"><h2 id="h-criteria">Where each body assesses each criterion'
            f"</h2>{legend}"
            f'<div class="scroll"><table class="heat" id="criteria">{_heat_head(data, "Criterion")}'
            f'<tbody>{"".join(rows)}</tbody></table></div></section>')


def _quotes(side: dict[str, Any], names: dict[str, str], documents: dict[tuple[str, str], dict[str, str]]) -> str:
    """A side's documents' own words, each with its body, document and section; then the tool's readings, labelled
    as readings (what no document states)."""
    out = [f'<blockquote data-col="{_e(_base(q["body"]))}"><p>{_e(q["text"])}</p><footer>{_body(names, q["body"])}, '
           f'{_cite(q["citation"], documents.get((q["body"], q["citation"].partition(" § ")[0])))}</footer>'
           "</blockquote>" for q in side.get("quotes", ())]
    out += [f'<p class="reading"><strong>The tool\'s reading:</strong> {_e(r)}</p>'
            for r in side.get("readings", ())]
    return "".join(out)


def _finding(finding: dict[str, Any], names: dict[str, str], documents: dict[tuple[str, str], dict[str, str]],
             cohort: dict[str, Any] | None = None) -> str:
    sides = []
    for side in finding["sides"]:
        who = "".join(f'<li data-col="{_e(_base(b))}">{_body(names, b)}</li>' for b in side["bodies"])
        quoted = {q["citation"] for q in side.get("quotes", ())}
        cites = "".join(
            f'<li data-col="{_e(_base(body))}">{_body(names, body)}: '
            + ("; ".join(_cite(c, documents.get((body, c.partition(" § ")[0]))) for c in refs)
               or '<span class="muted">no citation</span>')
            + "</li>" for body, refs in side["citations"].items() if not refs or set(refs) - quoted)
        sides.append(f'<section class="side" data-bodies="{_e(json.dumps([_base(b) for b in side["bodies"]]))}">'
                     f'<ul class="who" aria-label="Bodies">{who}</ul>'
                     f'<p>{_e(side["says"])}</p>{_quotes(side, names, documents)}'
                     + (f'<ul aria-label="Citations">{cites}</ul>' if cites else "") + "</section>")
    shows = ""
    if finding.get("shows"):
        row = finding["shows"]
        values = "".join(f'<tr data-col="{_e(_base(b))}"><th scope="row">{_body(names, b)}</th>'
                         f"<td>{_e(_text(v))}</td></tr>" for b, v in row["values"].items())
        shows = (f'<div class="shows"><code>epa compare</code> on the witness shows row <code>{_e(row["row"])}</code>:'
                 f'<table class="witness"><thead><tr><th scope="col">Body</th>'
                 f'<th scope="col">{_e(row["row"])}</th></tr></thead>'
                 f"<tbody>{values}</tbody></table></div>")
    if finding.get("witness") is not None:
        witness = (f"<details><summary>Witness record</summary>"
                   f'<pre>{_e(json.dumps(finding["witness"], indent=2, ensure_ascii=False))}</pre></details>')
    else:
        witness = '<p class="muted">No witness record: no single apprentice record shows this.</p>'
    cases = int(finding.get("cases") or 0)
    return (f'<article class="finding" id="finding-{_e(finding["id"])}" data-area="{_e(finding["area"])}">'
            f'<h3>{_e(finding["summary"])}</h3>'
            f'<div class="meta"><span class="area">{_e(finding["area"])}</span> · <code>{_e(finding["id"])}</code>'
            f' · {_shown_by(cases)}</div>'
            f'{_region(finding, cohort)}'
            f'<div class="sides">{"".join(sides)}</div>{shows}{_witness_line(finding)}{witness}</article>')


def render(data: dict[str, Any]) -> str:
    """The consistency JSON (``schemas/consistency.schema.json``) as one self-contained HTML document."""
    names = _names(data)
    documents = _documents(data)
    findings = "".join(_finding(f, names, documents, data.get("cohort")) for f in data["findings"]) \
        or "<p>No divergence found.</p>"
    policy = (f"default-src 'none'; style-src {_sha256(CSS)}; script-src {_sha256(SCRIPT)}; img-src data:; "
              "base-uri 'none'; form-action 'none'")
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_e(policy)}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>epa consistency: {_e(data['standard'])}</title><style>{CSS}</style></head>\n<body>"
        f"{_lede(data)}<main>{_top(data, names)}"
        '<nav aria-label="Sections"><ul><li><a href="#bodies">Bodies and counts</a></li>'
        '<li><a href="#h-combinations">Grade combinations</a></li>'
        '<li><a href="#h-criteria">Criteria</a></li><li><a href="#h-findings">Findings</a></li></ul></nav>'
        f"{_filters(data)}{_header(data)}{_combinations(data)}{_criteria(data)}"
        f'<section aria-labelledby="h-findings"><h2 id="h-findings">Findings</h2>{findings}</section></main>'
        f"<script>{SCRIPT}</script></body></html>\n"
    )
