"""The consistency report as HTML (``epa consistency --format html``): one self-contained, escaped page.

The pure-Python tests read ``tests/data/consistency-sample.json``, not the installed bodies, so they hold for
any set of them. The browser tests load the page in a real headless Chromium (Debian's ``chromium``) and skip,
with the reason, when no Chromium binary is installed.
"""

from __future__ import annotations

import copy
import io
import json
import re
import shutil
import struct
import subprocess
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from epa.views import tables
from epa.views.html_report import render

SAMPLE = Path(__file__).resolve().parent / "data" / "consistency-sample.json"


def sample() -> dict[str, Any]:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text of each <style> element."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)


def tags(page: str) -> Tags:
    parser = Tags()
    parser.feed(page)
    parser.close()
    return parser


# --- pure Python ----------------------------------------------------------------------------------------------

def test_one_html_document():
    page = render(sample())
    assert page.startswith("<!DOCTYPE html>")
    names = [t for t, _ in tags(page).tags]
    for once in ("html", "head", "body", "title", "main"):
        assert names.count(once) == 1, once
    assert page.rstrip().endswith("</html>")


def test_references_no_external_resource():
    page = render(sample())
    parsed = tags(page)
    for tag, attrs in parsed.tags:
        assert tag not in {"link", "img", "iframe", "object", "embed", "audio", "video", "source", "base"}, tag
        for name in ("src", "href", "srcset", "poster", "action", "data"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("http:", "https:", "//", "ftp:", "file:")), (tag, name, value)
        if tag == "script":
            assert "src" not in attrs
        if tag == "a":
            assert (attrs.get("href") or "#").startswith("#"), attrs
    assert "http://" not in page and "https://" not in page
    css = "".join(parsed.styles)
    assert css and "@import" not in css and "@font-face" not in css
    assert all(u.startswith("data:") for u in re.findall(r"url\(\s*['\"]?([^)'\"]*)", page))
    # the page forbids anything else loading, should a string ever slip through
    policy = next(a["content"] for t, a in parsed.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in (policy or "")


def test_shows_header_findings_and_citations():
    data = sample()
    page = render(data)
    assert "ST0071" in page
    for body in data["bodies"]:
        assert escape(body["name"]) in page
        for ambiguity in body["ambiguities"]:  # beside the findings, with the reading encoded
            assert escape(ambiguity["id"]) in page and escape(ambiguity["reading"]) in page
        for doc in body["documents"]:
            assert escape(doc["title"]) in page and escape(doc["version"]) in page
    for area, count in data["cases"].items():  # the inputs evaluated, apart from the findings' counts
        assert f"<li>{area}: {count:,}</li>" in page.split('id="input-counts"', 1)[1]
    for finding in data["findings"]:
        assert f'id="finding-{finding["id"]}"' in page
        assert escape(finding["summary"]) in page
        for side in finding["sides"]:
            assert escape(side["says"]) in page
            for cites in side["citations"].values():  # each by its document's label and section, file beside
                for file, section in (c.split(" § ", 1) for c in cites):
                    assert f'§ {escape(section)}</cite> <span class="muted">({escape(file)})</span>' in page
    witness = data["findings"][0]["witness"]
    assert escape(json.dumps(witness, indent=2, ensure_ascii=False)) in page
    assert "<details>" in page


def test_heat_maps_mark_the_rows_where_bodies_differ():
    page = render(sample())
    rows = re.findall(r"<tr[^>]*>.*?</tr>", page, flags=re.S)
    differs = [r for r in rows if 'class="differs"' in r]
    # the sample: TQUK and Highfield disagree on D·P·P alone; both place K1.1 alike and leave the other out
    assert len(differs) == 1 and "observation D · project P · discussion P" in differs[0]
    assert any("observation P · project P · discussion P" in r and 'class="differs"' not in r for r in rows)
    assert 'title="Evidences that they understand the impact of the organisation&#x27;s mission statement"' in page
    assert re.search(r'data-col="highfield" data-value="project/pass"[^>]*>project <span class="lvl">P</span>', page)
    assert page.count(">—</td>") == 2  # X.PROFESSIONAL-IMAGE: not assessed by either body
    assert 'class="legend"' in page


def test_every_string_is_escaped():
    data = copy.deepcopy(sample())
    attack = "<script>alert(1)</script>"
    data["findings"][0]["summary"] = attack
    data["findings"][0]["sides"][0]["says"] = attack
    data["findings"][0]["witness"]["apprentice"]["id"] = "</pre>" + attack
    data["bodies"][0]["name"] = 'Evil "quoted" <b>body</b>'
    data["heatmaps"]["criteria"][0]["text"] = '" onmouseover="alert(1)'
    page = render(data)
    assert attack not in page
    assert escape(attack) in page
    assert page.count("<script") == 1  # the page's own
    assert "<b>body</b>" not in page and "Evil &quot;quoted&quot; &lt;b&gt;body&lt;/b&gt;" in page
    assert 'onmouseover="alert(1)' not in page
    assert all(not name.startswith("on") for _, attrs in tags(page).tags for name in attrs)


# --- a real headless browser -----------------------------------------------------------------------------------

def live() -> dict[str, Any] | None:
    """The installed bodies' report of a standard two of them offer, or None (then a test says why it skips)."""
    from epa.consistency import analyse
    from epa.registry import Registry

    registry = Registry.installed()
    shared = [s for s in registry.standards() if len(registry.offering(s)) >= 2]
    return analyse(registry, shared[0]) if shared else None


def reports() -> list[dict[str, Any]]:
    found = live()
    return [sample(), *([found] if found else [])]


@pytest.mark.parametrize("data", reports(), ids=lambda d: "live" if "complete" in d else "sample")
def test_the_page_opens_on_the_divergences(data):
    """The first screen: the title, one sentence, then the top divergences, before the bodies, counts, filters
    and heat maps; each with how the bodies split, what it changes, its region where known, and its witness."""
    page = render(data)
    body = page[page.index("<body>"):]
    order = [body.index(marker) for marker in ('id="top"', 'id="filters"', 'id="bodies"', 'id="h-combinations"',
                                               'id="h-criteria"', 'id="h-findings"')]
    assert order == sorted(order)
    assert re.findall(r"<h2[^>]*>(.*?)</h2>", body)[0] == "Top divergences"
    top = body[body.index('id="top"'):body.index('id="filters"')]
    items = re.findall(r"<li><div class=\"split\">(.*?)</li>", top, flags=re.S)
    shown = [f for f in data["findings"] if f["shows"] and "@" not in f["id"]]
    assert len(items) == min(8, len(shown)) and items
    by_id = {f["id"]: f for f in data["findings"]}
    for item in items:
        assert 'class="changes"' in item and "<strong>" in item  # what changes, and each side's value
        assert 'class="witness-line"' in item
        if "complete" in data:
            region = by_id[re.search(r'href="#finding-([^"]+)"', item).group(1)]["region"]
            assert 'class="region"' in item
            if region.get("counted", True):  # the count, in the units it counts (inputs, gateway profiles, ...)
                assert re.search(r"[\d,]+ of [\d,]+ [a-z][^<(]* \(", item)
            else:  # why a finding is not counted on its own (its witness is one input, say)
                assert escape(region["reason"]) in item


@pytest.mark.parametrize("data", reports(), ids=lambda d: "live" if "complete" in d else "sample")
def test_counts_agree_everywhere(data):
    """The number of findings per area is the same in the header, the filters and the findings listed; the
    inputs the sweeps evaluated are counted apart, labelled as inputs."""
    page = render(data)
    articles = re.findall(r'<article class="finding" id="[^"]+" data-area="([^"]+)"', page)
    header = dict(re.findall(r'<li><a href="#h-findings">([^<]+)</a>: <strong>(\d+)</strong></li>',
                             page.split('id="finding-counts"', 1)[1].split("</ul>", 1)[0]))
    filters = dict(re.findall(r'name="area" value="([^"]+)" checked> [^<(]+\((\d+)\)', page))
    expected = {area: str(articles.count(area)) for area in set(articles)}
    assert header == filters == expected
    # self-consistency, reference and versions findings are about one body alone: no divergence between bodies
    between = [a for a in articles if a not in ("self-consistency", "reference", "versions")]
    # counted as findings, not divergences: docs/consistency-report.md has a gateway.ready finding and the
    # gateway.profiles finding counting it as one divergence seen twice
    assert f"<strong>{len(between)}</strong> findings of divergence" in page
    assert "</strong> divergences" not in page
    assert "The largest first" not in page  # the top is taken area by area in turn, not by size alone
    assert f"<strong>{len(articles)}</strong> findings, by area" in page
    inputs = page.split('id="input-counts"', 1)[1].split("</ul>", 1)[0]
    assert "<strong>" not in inputs and "Inputs each sweep evaluated (not findings)" in page


@pytest.mark.parametrize("data", reports(), ids=lambda d: "live" if "complete" in d else "sample")
def test_wide_tables_scroll_on_a_phone(data):
    """Every heat map (and the pairs table) sits in a box that scrolls sideways, and a narrow screen gets
    narrower cells, one column of sides and wrapped criterion text."""
    page = render(data)
    assert len(re.findall(r'<table class="heat"', page)) == 2
    assert len(re.findall(r'<div class="scroll"><table class="heat"', page)) == 2
    css = "".join(tags(page).styles)
    assert re.search(r"\.scroll \{[^}]*overflow-x: auto", css)
    phone = css[css.index("@media (max-width: 40rem)"):]
    assert ".heat td" in phone and ".sides { grid-template-columns: 1fr; }" in phone
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page


@pytest.mark.parametrize("data", reports(), ids=lambda d: "live" if "complete" in d else "sample")
def test_the_witness_is_shown_not_only_named(data):
    """Each finding with a witness shows it in a line (each attempt's method and grade or criteria met),
    outside the folded JSON, beside the row epa compare shows."""
    from epa.views.report import witness_line

    page = render(data)
    for finding in data["findings"]:
        if not finding["witness"]:
            continue
        article = page.split(f'id="finding-{finding["id"]}"', 1)[1].split("</article>", 1)[0]
        line = witness_line(finding["witness"])
        assert f'<p class="witness-line">Witness: {escape(line)}</p>' in article
        assert "<details>" not in article.split('class="witness-line"', 1)[0].rsplit("</details>", 1)[-1]
        for attempt in finding["witness"].get("assessments", ()):
            assert attempt["method"] in line


def test_the_table_output_shows_the_witness_and_the_region():
    from epa.testing import run

    data = live()
    if data is None:
        pytest.skip("no standard is offered by two installed bodies")
    result = run("consistency", "--standard", data["standard"])
    assert result.exit_code == 0, result.stderr
    text = " ".join(result.stdout.replace("│", " ").split())
    assert "(witness: overall differs)" not in text
    shown = next(f for f in data["findings"] if f["shows"] and f["witness"] and f["witness"].get("assessments"))
    first = shown["witness"]["assessments"][0]
    assert f"witness: {first['method']}" in text  # the record itself, attempt by attempt
    # a count of inputs: the overall grade's, else a method's patterns of criteria (two bodies may differ in no
    # overall grade the combinations give, as Highfield and Gateway Qualifications do not)
    counted = [f for f in data["findings"] if f["region"] and f["region"].get("counted", True)
               and f["region"].get("unit") == "inputs"]
    inputs = next((f for f in counted if f["area"] == "grading"), counted[0])
    assert f"{inputs['region']['inputs']:,} of {inputs['region']['of']:,} inputs" in text


def test_the_table_output_counts_findings_apart_from_inputs_and_shows_the_cohort_share(tmp_path):
    from epa.testing import run

    data = live()
    if data is None:
        pytest.skip("no standard is offered by two installed bodies")
    shown = next((f for f in data["findings"] if f["shows"] and f["witness"] and "@" not in json.dumps(f["shows"])),
                 None)
    if shown is None:
        pytest.skip("no finding has a witness")
    cohort = tmp_path / "cohort.jsonl"
    cohort.write_text(json.dumps(shown["witness"]) + "\n", encoding="utf-8")  # by hand: 1 of 1 records touches it
    result = run("consistency", "--standard", data["standard"], "--cohort", str(cohort))
    assert result.exit_code == 0, result.stderr
    text = " ".join(result.stdout.replace("│", " ").split())
    head = text[:text.index("Inputs each sweep evaluated (not findings)")]
    assert "inputs swept" not in head and "criteria patterns" not in head  # the header's findings are findings
    assert f"{len(data['findings'])} findings" in head
    # the finding's column alone, its wrapped lines joined (whatever the terminal's width)
    column = " ".join(" ".join(line.split("│")[1].split()) for line in result.stdout.splitlines()
                      if line.count("│") >= 3)
    assert "1 of 1 records of the cohort (100%)" in column


def chromium() -> str | None:
    return next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)


needs_chromium = pytest.mark.skipif(
    chromium() is None,
    reason="no Chromium binary found (chromium, chromium-browser or google-chrome on PATH); "
           "the headless-browser tests need one: apt-get install chromium")

# Chromium, run with --enable-logging=stderr --v=0, prints every console message of the page, whatever its
# level, and every uncaught exception as e.g.
#   [..:INFO:CONSOLE:84] "Uncaught TypeError: ...", source: file:///.../report.html (84)
# (older versions: CONSOLE(84)). The report logs nothing, so any such line is a failure.
CONSOLE = re.compile(r":CONSOLE[(:]\d*\)?\]|Uncaught")


def browse(page: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    binary = chromium()
    assert binary
    command = [binary, "--headless", "--disable-gpu", "--no-sandbox", f"--user-data-dir={tmp_path / 'profile'}",
               "--enable-logging=stderr", "--v=0", *args, page.as_uri()]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def console(run: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in run.stderr.splitlines() if CONSOLE.search(line)]


def dump(html: str, tmp_path: Path) -> tuple[str, list[str]]:
    """The DOM after the page's scripts ran, and the console lines the page printed."""
    page = tmp_path / "report.html"
    page.write_text(html, encoding="utf-8")
    run = browse(page, tmp_path, "--dump-dom")
    assert run.returncode == 0, run.stderr[-2000:]
    return run.stdout, console(run)


@needs_chromium
def test_the_console_check_sees_errors(tmp_path):
    """The check below can fail: on a page that logs an error and throws, it finds both."""
    dom, errors = dump('<!DOCTYPE html><html><head><title>t</title></head><body><script>'
                       'console.error("deliberate error"); undefinedFunction();</script></body></html>', tmp_path)
    assert "deliberate error" in dom
    assert any("deliberate error" in line for line in errors), errors
    assert any("Uncaught ReferenceError" in line for line in errors), errors


@needs_chromium
def test_report_loads_in_chromium_without_console_errors(tmp_path):
    data = sample()
    dom, errors = dump(render(data), tmp_path)
    assert errors == [], errors
    assert re.search(r'<body[^>]*data-ready="1"', dom), "the page's script did not run to its end"
    assert f"Showing {len(data['findings'])} of {len(data['findings'])} findings." in dom
    for finding in data["findings"]:
        assert escape(finding["summary"], quote=False) in dom
    assert '<form id="filters"' in dom and not re.search(r'<form id="filters"[^>]*hidden', dom)


@needs_chromium
def test_filters_hide_unchecked_bodies_and_areas(tmp_path):
    html = render(sample())
    # as if a reader had unticked TQUK and the criteria area: the script applies the form's state on load
    html = html.replace('value="tqual" checked', 'value="tqual"').replace('value="criteria" checked', 'value="criteria"')
    dom, errors = dump(html, tmp_path)
    assert errors == [], errors
    assert "Showing 1 of 3 findings." in dom
    hidden = set(re.findall(r'<article class="finding" id="finding-([^"]+)"[^>]*hidden', dom))
    # grading: TQUK alone on one side, so no disagreement left; criteria: its area is unticked
    assert hidden == {"grading.observation-distinction-passes", "criteria.x-professional-image"}
    assert re.search(r'<th scope="col" data-col="tqual" hidden', dom)
    assert not re.search(r'<th scope="col" data-col="highfield" hidden', dom)
    assert 'class="differs"' not in dom  # with one body shown no row differs


@needs_chromium
def test_screenshot(tmp_path):
    page = tmp_path / "report.html"
    page.write_text(render(sample()), encoding="utf-8")
    shot = tmp_path / "report.png"
    run = browse(page, tmp_path, f"--screenshot={shot}", "--window-size=1280,2000", "--hide-scrollbars")
    assert run.returncode == 0 and shot.is_file(), run.stderr[-2000:]
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == (1280, 2000)
    assert len(png) > 40_000, "an empty page's screenshot is about 12 KB; this one shows nothing"


MEASURE = """<script>
addEventListener("load", function () {
  var root = document.documentElement, top = document.getElementById("top").getBoundingClientRect();
  document.body.setAttribute("data-overflow", String(root.scrollWidth - innerWidth));
  document.body.setAttribute("data-top", String(Math.round(top.top)));
});
</script>"""


@needs_chromium
@pytest.mark.parametrize("width", [1366, 390])
def test_first_screen_and_no_sideways_page_at_desktop_and_phone_widths(tmp_path, width):
    """At 1366x900 and at 390 wide, the top divergences start on the first screen and the page itself never
    scrolls sideways (the heat maps scroll inside their boxes). The page's policy is dropped so that the
    measuring script may run."""
    data = live() or sample()
    html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", render(data))
    html = html.replace("</body>", MEASURE + "</body>")
    page = tmp_path / "report.html"
    page.write_text(html, encoding="utf-8")
    run = browse(page, tmp_path, f"--window-size={width},900", "--dump-dom")
    assert run.returncode == 0, run.stderr[-2000:]
    overflow = int(re.search(r'data-overflow="(-?\d+)"', run.stdout).group(1))
    top = int(re.search(r'data-top="(-?\d+)"', run.stdout).group(1))
    assert overflow <= 0, f"the page is {overflow} px wider than a {width}-px screen"
    assert top < 900 / 2, f"the top divergences start {top} px down"
    shot = tmp_path / f"report-{width}.png"
    taken = browse(page, tmp_path, f"--screenshot={shot}", f"--window-size={width},900", "--hide-scrollbars")
    assert taken.returncode == 0 and shot.is_file()


def _widened(data: dict[str, Any], columns: int = 4) -> dict[str, Any]:
    """The report as it is with (at least) ``columns`` bodies, as our four give: a made-up body, placing each
    criterion and giving each overall grade as the first body does, for each column missing. Two bodies' heat map
    fits 390 px and has nothing to scroll; four bodies' does not."""
    data = copy.deepcopy(data)
    first = data["bodies"][0]
    for n in range(columns - len(data["bodies"])):
        extra = {**first, "id": f"extra{n}", "name": f"Extra Body {n}"}
        data["bodies"].append(extra)
        for row, given in [(c, "placement") for c in data["heatmaps"]["criteria"]] + \
                [(c, "overall") for c in data["heatmaps"]["combinations"]]:
            if first["id"] in row[given]:
                row[given][extra["id"]] = row[given][first["id"]]
    return data


HEAT = """<script>
addEventListener("load", function () {
  var box = document.querySelector("#criteria").parentNode, rows = document.querySelectorAll("#criteria tbody tr");
  var line = parseFloat(getComputedStyle(document.body).lineHeight) || 20, tallest = 0;
  rows.forEach(function (r) { tallest = Math.max(tallest, r.getBoundingClientRect().height); });
  var th = rows[0].querySelector("th"), before = th.getBoundingClientRect().left;
  box.scrollLeft = 200;
  document.body.setAttribute("data-lines", String(Math.round(tallest / line)));
  document.body.setAttribute("data-moved", String(Math.round(th.getBoundingClientRect().left - before)));
  document.body.setAttribute("data-scrolled", String(box.scrollLeft));
});
</script>"""


@needs_chromium
def test_heat_maps_on_a_phone_keep_their_row_headers_and_short_rows(tmp_path):
    """At 390 px the criteria heat map scrolls inside its box: its row headers (the criterion) stay in view as it
    scrolls, and no row is more than three lines tall (a criterion's words are cut to one line, in full on hover
    and in the findings)."""
    data = _widened(live() or sample())
    html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", render(data))
    page = tmp_path / "report.html"
    page.write_text(html.replace("</body>", HEAT + "</body>"), encoding="utf-8")
    run = browse(page, tmp_path, "--window-size=390,900", "--dump-dom")
    assert run.returncode == 0, run.stderr[-2000:]
    lines = int(re.search(r'data-lines="(-?\d+)"', run.stdout).group(1))
    moved = int(re.search(r'data-moved="(-?\d+)"', run.stdout).group(1))
    scrolled = int(re.search(r'data-scrolled="(-?\d+)"', run.stdout).group(1))
    assert lines <= 3, f"a heat-map row is {lines} lines tall at 390 px"
    assert scrolled > 0, "the heat map does not scroll inside its box at 390 px"
    assert moved == 0, f"the row headers moved {moved} px as the heat map scrolled"


def test_each_side_shows_its_documents_words_and_the_tools_readings_as_readings():
    """Issue 19: "Every side quotes the document's own words ..., with the document's title, version and section;
    the tool's own readings ... are labelled as readings" -- in the HTML as in the table."""
    data = sample()
    side = data["findings"][0]["sides"][0]
    side["quotes"] = [{"body": "tqual", "text": "The overall grade <follows> the observation.",
                       "citation": "003_3692b76548845e1c.txt § Overall Grading", "section": "Overall Grading",
                       "document": {"file": "003_3692b76548845e1c.txt", "title": "TQUK Spec", "version": "1.2",
                                    "label": "TQUK Spec v1.2"}}]
    side["readings"] = ["counted from the day the fail was notified"]
    page = render(data)
    assert "The overall grade &lt;follows&gt; the observation." in page  # the words, escaped
    quote = page[page.index("<blockquote"):page.index("</blockquote>")]
    assert "Overall Grading" in quote and "003_3692b76548845e1c.txt" in quote  # which document, which section
    assert "The tool's reading:</strong> counted from the day the fail was notified" in page
    # A side that quotes nothing keeps its citations; a quoted citation is not listed twice.
    assert page.count("§ Overall Grading") == render(sample()).count("§ Overall Grading")


def test_patterns_counted_are_not_listed_as_evaluated():
    """The patterns the complete analysis covers by counting are listed apart from the inputs the sweeps evaluated,
    in the page and in the table: a report once said it had evaluated ST0072's 2^40 patterns."""
    data = sample()
    page = render(data)
    inputs = page.split('id="input-counts"', 1)[1].split("</ul>", 1)[0]
    counted = page.split('id="counted"', 1)[1].split("</ul>", 1)[0]
    assert "37,765,120" not in inputs and "criteria patterns: 120<" in inputs
    assert "criteria patterns: 37,765,120" in counted and "Covered by counting, not evaluated one by one" in page
    out = io.StringIO()
    tables.consistency(Console(file=out, width=400, color_system=None), data)
    lines = out.getvalue().splitlines()
    evaluated = next(line for line in lines if line.startswith("Inputs each sweep evaluated"))
    assert "37,765,120" not in evaluated and "120 criteria patterns" in evaluated
    assert "Covered by counting, not evaluated one by one: 37,765,120 criteria patterns" in lines


def test_the_lede_of_one_body_says_there_is_none_to_diverge_from_and_counts_no_finding_twice():
    # 2114bf1: "0 findings of divergence among NQual (one divergence may be found twice: each gateway.ready finding
    # is ...)" for ST0072, where one body alone offers the standard and no gateway.ready finding stands
    data = sample()
    data["bodies"] = data["bodies"][:1]
    data["findings"] = [f for f in data["findings"] if f["area"] == "self-consistency"]
    lede = re.search(r'<p class="lede">(.*?)</p>', render(data), flags=re.S).group(1)
    assert lede.startswith("<strong>0</strong> findings of divergence (only Highfield Assessment is compared: no "
                           "other body to diverge from)")  # (--bodies may have left the others out: not 'alone')
    assert " among " not in lede and "found twice" not in lede
    both = re.search(r'<p class="lede">(.*?)</p>', render(sample()), flags=re.S).group(1)  # (two bodies, no
    assert " among " in both and "found twice" not in both  # gateway.ready finding in the sample)
