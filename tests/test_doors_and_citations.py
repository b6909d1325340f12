"""A wrong door points to the right one, and citations name their document everywhere (issue 17).

- A cohort (CSV, JSON Lines, an Excel workbook) given where one record goes is refused, exit 2, with a hint
  naming `epa compare --batch FILE`: known by its suffix, and by its content where the suffix is missing or
  wrong. A record is never refused for looking like one.
- A body may be named by its id, its name or its acronym, case, spaces and punctuation aside, wherever a body
  is named; an unknown or ambiguous name gets the choices.
- Beside every '<file> § <section>' citation, JSON gives the document's title and version (a ``documents``
  map keyed by file, in schemas/output.schema.json), as do the iCalendar file, `epa journey`'s header and the
  HTML report.
"""

from __future__ import annotations

import io
import json
import re
import sys
import zipfile
from html import escape as html_escape
from pathlib import Path

import attrs
import icalendar
import pytest

import epa
import epa.testing
from conftest import EXAMPLES, any_body, fails, ok_json, run, valid, write
from epa.errors import InputError
from epa.model.domain import Body
from epa.registry import Registry
from epa.testing import requires

COHORT_CSV = EXAMPLES / "st0071-cohort.csv"
COHORT_JSONL = EXAMPLES / "st0071-cohort.jsonl"
RECORD = EXAMPLES / "st0071-criteria.yaml"
JOURNEY = EXAMPLES / "st0071-journey.yaml"
BATCH_HINT = "epa compare --batch"


def _workbook(path: Path) -> Path:
    """The smallest file an Excel workbook starts like: a zip archive holding the workbook's parts."""
    with zipfile.ZipFile(path, "w") as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr("xl/workbook.xml", "<workbook/>")
    return path


def _one_record_commands(body: str) -> list[list[str]]:
    return [["compare"], ["grade", "--body", body], ["gateway"], ["timeline"]]


# ------------------------------------------------------------------------------------------ the wrong door
@pytest.mark.parametrize("kind", ["csv", "jsonl", "xlsx"])
@pytest.mark.parametrize("command", ["compare", "grade", "gateway", "timeline"])
def test_a_cohort_by_its_suffix_is_refused_naming_the_batch_option(tmp_path, kind, command):
    path = {"csv": COHORT_CSV, "jsonl": COHORT_JSONL, "xlsx": _workbook(tmp_path / "cohort.xlsx")}[kind]
    body = any_body()
    args = {"grade": ["grade", "--body", body]}.get(command, [command])
    err = fails(*args, str(path))
    # (epa grade grades by one body: its cohort by that body alone, with --bodies)
    hint = f"epa --bodies {body} compare --batch" if command == "grade" else BATCH_HINT
    assert f"{hint} {path}" in err, err
    assert "cohort" in err


@pytest.mark.parametrize("name,content", [
    ("cohort.txt", COHORT_CSV.read_bytes()),          # a CSV under another suffix
    ("cohort", COHORT_CSV.read_bytes()),              # no suffix at all
    ("cohort.yaml", COHORT_CSV.read_bytes()),         # a CSV that YAML reads as one long string
    ("cohort.json", COHORT_JSONL.read_bytes()),       # JSON Lines under .json: several objects, one a line
    ("cohort.yaml", COHORT_JSONL.read_bytes()),
    ("workbook.yaml", None),                          # an Excel workbook renamed
    ("export.csv.txt", b"\xef\xbb\xbfApprentice ID,Date of Birth,Gateway Date,Photo ID,Employer\r\n"
                       b"A-1,08/12/2006,01/12/2025,Yes,Acme Ltd\r\n,,,,\r\n"),  # a provider's MIS export
])
def test_a_cohort_by_its_content_is_refused_naming_the_batch_option(tmp_path, name, content):
    path = tmp_path / name
    if content is None:
        _workbook(path)
    else:
        path.write_bytes(content)
    err = fails("compare", str(path))
    # a workbook is read by --batch under an .xlsx name only (its other names are taken for text)
    assert f"{BATCH_HINT} {path.with_suffix('.xlsx') if content is None else path}" in err, err


@pytest.mark.parametrize("name", ["cohort.csv", "cohort.jsonl", "cohort.ndjson"])
def test_a_workbook_named_as_text_is_called_a_workbook(tmp_path, name):
    """An .xlsx renamed .csv is a workbook by its first bytes (as --batch finds it), not "a CSV file"; --batch
    reads it named .xlsx."""
    path = _workbook(tmp_path / name)
    err = fails("compare", str(path))
    assert "Excel workbook" in err and "by its first bytes" in err and f"its name ends {path.suffix!r}" in err
    assert "CSV file" not in err and "JSON Lines file" not in err
    assert f"{BATCH_HINT} {path.with_suffix('.xlsx')}" in err


def test_a_cohort_on_standard_input_is_refused_naming_the_batch_option(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(COHORT_JSONL.read_bytes()), encoding="utf-8"))
    err = fails("compare", "-")
    assert f"{BATCH_HINT} -" in err, err


def test_a_record_is_never_taken_for_a_cohort(tmp_path):
    body = any_body()
    one_line = json.dumps({"standard": "ST0071", "apprentice": {"id": "A-1"}, "gateway": {"date": "2025-12-01"}})
    assert run("compare", write(tmp_path, one_line + "\n", "record.json")).exit_code == 0
    # a record with a mistake says what the mistake is, not that it is a cohort
    bad = write(tmp_path, one_line.replace('"A-1"', '"A-1", "nmae": "x"') + "\n", "bad.json")
    err = fails("grade", "--body", body, bad)
    assert "nmae" in err and BATCH_HINT not in err
    broken = write(tmp_path, RECORD.read_text(encoding="utf-8").replace("standard: ST0071", "standard: [ST0071"))
    assert BATCH_HINT not in fails("compare", broken)


# ------------------------------------------------------------------------------------------ naming a body
# The names each of our bodies answers to, as its plugin's data gives them (the body's name and each
# document's publisher; the README's table shows the acronym).
NAMES = [("tqual", "TQUK"), ("tqual", "tquk"), ("tqual", "T.Q.U.K."), ("tqual", "Training Qualifications UK"),
         ("tqual", "Training Qualifications UK (TQUK)"), ("highfield", "Highfield"),
         ("highfield", "highfield assessment"), ("nqual", "NQual"), ("nqual", "N-QUAL"),
         ("gateway_quals", "Gateway Qualifications"), ("gateway_quals", "gateway-quals"),
         ("gateway_quals", "GATEWAY_QUALS")]


@pytest.mark.parametrize("body_id,name", [pytest.param(b, n, marks=requires(b)) for b, n in NAMES])
def test_a_body_is_named_by_its_id_name_or_acronym(body_id, name):
    assert ok_json("grade", "--body", name, str(RECORD), definition="result")["body"] == body_id
    assert {r["body"] for r in ok_json("gateway", "--body", name, str(RECORD), definition="gateway")["results"]} \
        == {body_id}
    assert {j["body"] for j in ok_json("journey", "--standard", "ST0071", "--body", name,
                                       definition="journey")} == {body_id}
    assert {c["body"] for c in ok_json("criteria", "--standard", "ST0071", "--body", name,
                                       definition="criteria")} == {body_id}
    assert {a["body"] for a in run("ambiguities", "--body", name, "--format", "json").json()} <= {body_id}


@requires("tqual", "highfield")
def test_bodies_and_epa_bodies_take_names(monkeypatch):
    chosen = ok_json("--bodies", "TQUK,Highfield", "compare", str(RECORD), definition="compare")
    assert [r["body"] for r in chosen["results"]] == ["highfield", "tqual"]
    monkeypatch.setenv("EPA_BODIES", "training qualifications uk, HIGHFIELD")
    assert [r["body"] for r in ok_json("compare", str(RECORD), definition="compare")["results"]] == \
        ["highfield", "tqual"]


@requires("tqual", "highfield")
def test_a_cohort_graded_by_bodies_named_by_name(tmp_path):
    result = run("--bodies", "TQUK,Highfield", "compare", "--batch", str(COHORT_JSONL), "--format", "json")
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines and all([r["body"] for r in line["results"]] == ["highfield", "tqual"] for line in lines)


@requires("gateway_quals")
def test_diff_takes_a_body_name():
    data = ok_json("diff", "--body", "Gateway Qualifications", "--from", "1.0", "--to", "1.1", definition="diff")
    assert data["body"] == "gateway_quals"


@requires("tqual")
def test_conformance_takes_a_body_name():
    result = run("conformance", "TQUK", "--check", "loads", "--format", "json")
    assert result.json()["bodies"] == ["tqual"], result.stderr


@requires("tqual", "nqual")
def test_consistency_bodies_take_names():
    result = run("consistency", "--standard", "ST0071", "--bodies", "TQUK,NQual", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert [b["id"] for b in result.json()["bodies"]] == ["tqual", "nqual"]


def test_an_unknown_body_gets_the_choices_and_a_near_one_a_suggestion(registry):
    if not registry.bodies:
        pytest.skip("no body plugin installed")
    err = fails("grade", "--body", "zzzzzz", str(RECORD))
    assert "unknown body 'zzzzzz'" in err
    assert all(b.body.id in err for b in registry.bodies)
    loaded = registry.bodies[0]
    near = loaded.body.id[:-1] + "x" + loaded.body.id[-1] if len(loaded.body.id) > 3 else loaded.body.id + "xx"
    assert f"did you mean {loaded.body.id!r}?" in fails("grade", "--body", near, str(RECORD))


def _bodies(*named: tuple[str, str]) -> Registry:
    """A registry of made-up bodies (id, name), each with an installed ruleset relabelled as its own and
    published under its name: what a body answers to comes from this data alone."""
    template = epa.testing.body(any_body()).body.rulesets_for("ST0071")[-1]

    def plugin(body_id: str, name: str) -> object:
        ruleset = attrs.evolve(template, body=body_id, document=attrs.evolve(template.document, publisher=name))

        class Plugin:
            @epa.hookimpl
            def register_body(self) -> Body:
                return Body(id=body_id, name=name, rulesets=(ruleset,))
        return Plugin()

    return Registry([(body_id, plugin(body_id, name)) for body_id, name in named])


def test_names_come_from_the_body_and_its_documents_and_an_ambiguous_one_gets_the_choices():
    from epa.registry import fold, names_of

    registry = _bodies(("acme_a", "Acme Assessment"), ("acme_b", "Acme Awards (AA)"))
    assert registry.named("ACME ASSESSMENT").body.id == "acme_a"
    assert registry.named("aa").body.id == "acme_b"
    assert registry.named("acme-awards").body.id == "acme_b"
    with pytest.raises(InputError) as ambiguous:
        registry.named("Acme")  # the leading word of both names
    assert "acme_a" in ambiguous.value.message and "acme_b" in ambiguous.value.message
    assert "acme_a, acme_b" in (ambiguous.value.hint or "")
    with pytest.raises(InputError) as unknown:
        registry.named("Zenith")
    assert "acme_a (Acme Assessment)" in (unknown.value.hint or "")
    assert fold("Training Qualifications UK (TQUK)") == "trainingqualificationsuktquk"
    assert {"acme_b", "Acme Awards (AA)", "AA", "Acme Awards", "Acme"} <= names_of(registry.named("aa").body)


@pytest.mark.parametrize("others", [(), (("tq", "Training Qualifications UK (TQUK)"),)],
                         ids=["two bodies", "three bodies"])
def test_a_name_mixing_two_bodies_words_suggests_the_body_its_own_name_word_names(others):
    """"Highfield Qualifications": "Highfield" is by itself a name of Highfield's (its leading word), "Qualifications"
    only a word inside Gateway Qualifications' name. With two bodies installed each word is held by one body's
    names and they weighed the same, so the spelling alone chose, and suggested Gateway Qualifications."""
    registry = _bodies(("hf", "Highfield Assessment"), ("gq", "Gateway Qualifications"), *others)
    with pytest.raises(InputError) as caught:
        registry.named("Highfield Qualifications")
    assert caught.value.hint == "did you mean 'Highfield Assessment' (hf)?"


@requires("tqual")
def test_a_records_document_versions_name_a_body_by_its_id_only(tmp_path):
    text = RECORD.read_text(encoding="utf-8") + "document_versions:\n  TQUK: '1.2'\n"
    err = fails("compare", write(tmp_path, text))
    assert "'TQUK'" in err and "'tqual'" in err  # never read as tqual's version and then silently ignored


# ------------------------------------------------------------------------------------------ citations
def _documents_of(registry: Registry) -> dict[tuple[str, str], tuple[str, str, str | None]]:
    """(body id, version) -> (file, title, the version of the text its citations read), from the rulesets
    themselves (Gateway Qualifications' V1.0 rules cite V1.1's text, 004: the version its citations name)."""
    return {(b.body.id, r.document.version): (r.document.file, r.document.title, r.document.text_version)
            for b in registry.bodies for r in b.body.rulesets}


def _citations(data: object) -> list[str]:
    if isinstance(data, dict):
        return [c for k, v in data.items() for c in ([v] if k == "citation" and v else _citations(v))]
    if isinstance(data, list):
        return [c for v in data for c in _citations(v)]
    return []


def _check_documents(result: dict, known: dict) -> None:
    file, title, text = known[(result["body"], result["document"]["version"])]
    entry = result["documents"][file]
    assert (entry["title"], entry["version"]) == (title, text)
    cited = {c.split(" § ")[0] for c in _citations(result)}
    assert cited and cited <= set(result["documents"]), cited


def test_json_results_name_each_cited_document_by_title_and_version(registry):
    any_body()
    known = _documents_of(registry)
    for result in ok_json("compare", str(JOURNEY), definition="compare")["results"]:
        _check_documents(result, known)
        # the citation itself is as it was: '<file> § <section>'
        assert all(re.fullmatch(r"[\w.-]+ § \S.*", c) for c in _citations(result))
    for command, definition in (("gateway", "gateway"), ("timeline", "timeline")):
        for result in ok_json(command, str(JOURNEY), definition=definition)["results"]:
            assert result["documents"][result["document"]["file"]]["version"] == result["document"]["version"]


def test_criteria_and_ambiguities_rows_name_each_cited_document(registry):
    any_body()
    known = _documents_of(registry)
    rows = ok_json("criteria", "--standard", "ST0071", definition="criteria") + \
        ok_json("ambiguities", definition="ambiguities")
    assert rows
    for row in rows:
        file, title, text = known[(row["body"], row["version"])]
        assert row["citation"].split(" § ")[0] == file
        assert (row["documents"][file]["title"], row["documents"][file]["version"]) == (title, text)


def test_batch_json_results_carry_the_documents_too(registry):
    any_body()
    known = _documents_of(registry)
    result = run("compare", "--batch", str(COHORT_JSONL), "--format", "json")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines
    for line in lines:
        valid(line, "batch_result")
        for res in line["results"]:
            _check_documents(res, known)


def test_journey_json_and_header_name_the_document(registry, monkeypatch):
    any_body()
    monkeypatch.setenv("COLUMNS", "400")  # the header on one line
    shown = run("journey", "--standard", "ST0071")
    for item in ok_json("journey", "--standard", "ST0071", definition="journey"):
        loaded = registry.named(item["body"])
        doc = loaded.ruleset("ST0071").document
        assert item["documents"][doc.file]["title"] == doc.title
        header = next(line for line in shown.stdout.splitlines() if f"({item['body']}) — " in line)
        assert doc.title in header and f"v{doc.version}" in header, header


@requires("tqual")
def test_the_journey_header_shows_tquks_title_and_version(monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")
    header = next(line for line in run("journey", "--standard", "ST0071", "--body", "tqual").stdout.splitlines()
                  if "(tqual)" in line)
    # the document's own words (plugins/tqual/.../ST0071.yaml, document.title and version)
    assert "TQUK Level 3 End-Point Assessment for ST0071 Customer Service Specialist V1.2 - Standard " \
           "Specification" in header and "v1.2" in header


def test_calendar_events_name_the_documents_title_version_and_section(registry, tmp_path):
    body = any_body()
    out = tmp_path / "deadlines.ics"
    assert run("timeline", "--body", body, str(JOURNEY), "--ics", str(out)).exit_code == 0
    doc = registry.named(body).ruleset("ST0071").document
    events = icalendar.Calendar.from_ical(out.read_bytes()).walk("VEVENT")
    assert events
    for event in events:
        description = str(event.get("description"))
        citation = re.search(r"Citation: (.+)$", description, re.M)
        assert citation, description
        section = citation.group(1).split(" § ", 1)[1]
        assert f"{doc.title}, version {doc.version}, § {section}" in description


@requires("gateway_quals")
def test_the_html_report_labels_each_citation_with_its_documents_title_and_version(tmp_path, registry):
    out = tmp_path / "report.html"
    result = run("consistency", "--standard", "ST0071", "--format", "html", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    html = out.read_text(encoding="utf-8")
    cites = re.findall(r"<cite[^>]*>([^<]*)</cite>", html)
    assert cites
    bare = [c for c in cites if re.match(r"\d{3}_[0-9a-f]{16}\.txt § ", c)]
    assert not bare, bare[:3]
    titles = {html_escape(r.document.title) for b in registry.bodies for r in b.body.rulesets}
    shown = set(re.findall(r'<cite title="([^"]*), version [^"]*">', html))
    assert shown and shown <= titles, shown - titles
    # gateway_quals's two versions share one file: an older version's citation names that version
    assert "Gateway Qualifications Spec v1.1 § " in html
    findings = run("consistency", "--standard", "ST0071", "--format", "json").json()["findings"]
    if not any(side["citations"].get("gateway_quals@1.0") for f in findings for side in f["sides"]):
        pytest.skip("the report cites no rule of gateway_quals v1.0 (only where another installed body differs "
                    "from it does a finding cite one)")
    assert "Gateway Qualifications Spec v1.0 § " in html
