"""The table views a provider reads: the answer first, within 80 columns, words whole, citations by title."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from conftest import OUR_BODIES, ROOT, any_body, needs_a_body, needs_its_standards, ok_json, run
from epa import cli
from epa.testing import requires

# Paths as the README gives them, from the repository's root (see `from_the_root`): what a table shows
# must not depend on where the checkout is.
QUICK_START = "examples/st0071-observation-distinction.yaml"
CRITERIA = "examples/st0071-criteria.yaml"
JOURNEY = "examples/st0071-journey.yaml"
ST0072 = "examples/st0072-distinction.yaml"
OURS = ("--bodies", ",".join(OUR_BODIES))
FILE_CITED = re.compile(r"\b\d{3}_[0-9a-f]{16}\.txt\b")  # our documents' hashed file names


@pytest.fixture(autouse=True)
def from_the_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def _at(columns: int, monkeypatch, *args: str):
    monkeypatch.setenv("COLUMNS", str(columns))
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def _tokens(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z0-9]+", text))


# ---------------------------------------------------------------------------------------- the answer first
@requires(*OUR_BODIES)
def test_quick_start_compare_shows_each_answer_and_why_within_25_lines(monkeypatch):
    head = _at(80, monkeypatch, *OURS, "compare", QUICK_START).splitlines()[:25]
    text = "\n".join(head)
    # The apprentice and the file are named first.
    assert head[0].startswith("A-0001 · ") and "st0071-observation-distinction.yaml" in head[0]
    # Each body's overall grade: the overall row, in the bodies' column order, with the difference marked.
    header = next(line for line in head if all(b in line for b in OUR_BODIES))
    order = sorted(OUR_BODIES, key=header.index)
    overall = next(line for line in head if line.startswith("overall"))
    expected = {"tqual": "distinction", "nqual": "pass", "highfield": "pass", "gateway_quals": "pass"}
    assert overall.split()[2:] == [expected[b] for b in order] and "≠" in overall
    for row in ("gateway ready", "capped at pass", "whole EPA again"):
        assert any(line.startswith(row) for line in head)
    # Why: every body's deciding step, cited by its document's title and version (003 § Overall Grading;
    # 000 § Assessment Grading Breakdown; 002 § Grading; 004 § 2.7 Grading requirements).
    assert "Why they differ" in text
    for cited in ("TQUK Spec v1.2 § Overall Grading", "NQual Support Pack v1.2 § Assessment Grading Breakdown",
                  "Highfield Assessment EPA Kit v5.0 § Grading",
                  "Gateway Qualifications Spec v1.1 § 2.7 Grading requirements"):
        assert cited in text
    assert "printed row 3 of the combination table" in " ".join(text.split())
    # Deadlines and gateway detail are behind --show, and the last line says what it would add.
    full = _at(80, monkeypatch, *OURS, "compare", QUICK_START)
    assert "Deadlines" not in full and "Gateway requirements" not in full
    assert full.splitlines()[-1].startswith("more with --show: deadlines (")


def test_compare_names_the_answer_first_for_any_installed_body(monkeypatch):
    body = any_body("ST0071")
    data = ok_json("--bodies", body, "compare", QUICK_START, definition="compare")
    lines = _at(80, monkeypatch, "--bodies", body, "compare", QUICK_START).splitlines()
    assert lines[0] == f"{data['apprentice']} · {QUICK_START} · ST0071"
    overall = next(line for line in lines if line.startswith("overall"))
    assert overall.split()[-1] == (data["results"][0]["overall"] or "—")


def test_grade_leads_with_the_answer(monkeypatch):
    body = any_body("ST0071")
    data = ok_json("grade", "--body", body, QUICK_START, definition="result")
    lines = _at(80, monkeypatch, "grade", "--body", body, QUICK_START).splitlines()
    assert lines[0].startswith(f"{'A-0001'} · ") and data["body_name"] in lines[1]
    overall = next(line for line in lines if "overall" in line)
    assert data["overall"] in overall and lines.index(overall) < 5
    assert "Deadlines" not in "\n".join(lines) and lines[-1].startswith("more with --show:")


@pytest.mark.parametrize("show, shown, hidden", [
    ("deadlines", ["Deadlines"], ["Gateway requirements", "Criteria by method"]),
    ("gateway,criteria", ["Gateway requirements", "Criteria by method"], ["Deadlines"]),
    ("all", ["Deadlines", "Gateway requirements", "Criteria by method", "Durations and word counts"], []),
])
def test_show_adds_what_it_names(monkeypatch, show, shown, hidden):
    body = any_body("ST0071")
    out = _at(80, monkeypatch, "--bodies", body, "compare", JOURNEY, "--show", show)
    assert all(s in out for s in shown) and not any(h in out for h in hidden)
    last = out.splitlines()[-1]
    assert last.startswith("more with --show:") == bool(hidden)


def test_show_refuses_an_unknown_choice_with_a_suggestion():
    result = run("compare", QUICK_START, "--show", "deadline,gateway")
    assert result.exit_code == 2 and "'deadline' is not one of" in result.stderr
    assert "did you mean 'deadlines'?" in result.stderr and "Traceback" not in result.stderr
    assert run("grade", "--body", "x", QUICK_START, "--show", "al").exit_code == 2


def test_json_output_is_unchanged_by_show():
    body = any_body("ST0071")
    plain = ok_json("--bodies", body, "compare", QUICK_START, definition="compare")
    shown = ok_json("--bodies", body, "compare", QUICK_START, "--show", "all", definition="compare")
    assert plain == shown
    # JSON citations keep the stable '<file> § <section>' form
    assert all(" § " in s["citation"] and s["citation"].split(" § ")[0] == r["document"]["file"]
               for r in plain["results"] for s in r["explanation"] if s["about"] == "overall")


# ---------------------------------------------------------------------------------------- 80 columns, words whole
def _commands() -> list:
    st0071, st0072 = "ST0071", "ST0072"
    cases = [
        (["bodies"], None), (["standards"], ()), (["plugins"], None),  # (None: a table of the bodies, some body)
        (["criteria", "--standard", st0071], ("highfield",)),
        (["criteria", "--standard", st0071, "--body", "gateway_quals"], ("gateway_quals",)),
        (["ambiguities", "--body", "nqual"], ("nqual",)),
        (["journey", "--standard", st0071, "--body", "tqual"], ("tqual",)),
        (["journey", "--standard", st0072, "--body", "nqual"], ("nqual",)),
        (["grade", "--body", "nqual", ST0072, "--show", "all"], ("nqual",)),
        (["grade", "--body", "highfield", JOURNEY, "--show", "all"], ("highfield",)),
        (["compare", QUICK_START], ("highfield",)),
        (["compare", CRITERIA, "--show", "all"], ("highfield",)),
        (["compare", JOURNEY, "--show", "all"], ("highfield",)),
        (["gateway", JOURNEY], ("highfield",)),
        (["timeline", JOURNEY], ("highfield",)),
        (["diff", "--body", "gateway_quals", "--from", "1.0", "--to", "1.1"], ("gateway_quals",)),
        (["consistency", "--standard", st0072], ("nqual",)),
    ]
    return [pytest.param(args, marks=needs_a_body("with none the command prints no table (it says so)")
                         if bodies is None else requires(*bodies),
                         id=" ".join(a.rsplit("/", 1)[-1] for a in args)) for args, bodies in cases]


@pytest.mark.parametrize("args", _commands())
def test_tables_fit_80_columns_without_breaking_a_word(monkeypatch, args):
    narrow = _at(80, monkeypatch, *args)
    wide = _at(1000, monkeypatch, *args)
    assert max(len(line) for line in narrow.splitlines()) <= 80
    # A word broken across lines ('distinctio' + 'n') or cut ('Qualificat…') leaves a fragment that the
    # same table at 1,000 columns does not contain.
    assert _tokens(narrow) - _tokens(wide) == set()


@pytest.mark.parametrize("args", _commands())
def test_no_table_line_ends_in_spaces(monkeypatch, args):
    for columns in (80, 200):
        out = _at(columns, monkeypatch, *args)
        assert [line for line in out.splitlines() if line.endswith(" ")] == [], columns


def test_a_long_record_path_is_shortened_in_the_middle_never_broken(monkeypatch, tmp_path):
    folder = tmp_path.joinpath(*[f"long-folder-{n}" for n in range(4)])
    folder.mkdir(parents=True)
    record = folder / "st0071-observation-distinction.yaml"
    record.write_bytes((ROOT / QUICK_START).read_bytes())
    body = any_body("ST0071")
    first = _at(80, monkeypatch, "--bodies", body, "compare", str(record)).splitlines()[0]
    # One line within 80 columns: the apprentice, the path with folders left out of its middle, the standard.
    assert len(first) <= 80 and first.startswith("A-0001 · ") and first.endswith(" · ST0071")
    shown = first.removeprefix("A-0001 · ").removesuffix(" · ST0071")
    assert "…" in shown and shown.endswith("/long-folder-3/st0071-observation-distinction.yaml")
    before, after = shown.split("…")
    assert str(record).startswith(before) and str(record).endswith(after)
    # Wide enough, the whole path.
    assert _at(1000, monkeypatch, "--bodies", body, "compare", str(record)).splitlines()[0] == \
        f"A-0001 · {record} · ST0071"


@pytest.mark.parametrize("path, room, shown", [
    # 52 cells; '/' and the name kept, then the nearest folders while they fit, then the first ones (40 cells)
    ("/home/user/projects/epa/examples/st0071-journey.yaml", 40, "/home/…/epa/examples/st0071-journey.yaml"),
    ("/home/user/projects/epa/examples/st0071-journey.yaml", 52, "/home/user/projects/epa/examples/st0071-journey.yaml"),
    ("/home/user/projects/epa/examples/st0071-journey.yaml", 22, "/…/st0071-journey.yaml"),
    # no folder to leave out: the name is cut where its words end
    ("examples/st0071-observation-distinction.yaml", 40, "examples/…-observation-distinction.yaml"),
    ("st0071-journey.yaml", 10, "st0071-journey.yaml"),  # nothing shorter fits: whole, to wrap on words around it
])
def test_paths_are_shortened_in_the_middle_at_word_ends(path, room, shown):
    from epa.views.tables import shortened

    assert shortened(path, room) == shown


@requires("tqual")
def test_every_word_of_a_criterion_and_its_citation_appears_whole(monkeypatch):
    out = _at(80, monkeypatch, "criteria", "--standard", "ST0071", "--body", "tqual")
    words = set(out.split())
    for criterion in ok_json("criteria", "--standard", "ST0071", "--body", "tqual", definition="criteria")[:10]:
        section = criterion["citation"].split(" § ", 1)[1]
        for word in criterion["text"].split() + section.split():
            assert word in words, word
    assert "TQUK Spec v1.2" in " ".join(out.split()) and not FILE_CITED.search(out)


def test_width_is_columns_when_set_else_80_when_piped(monkeypatch):
    body = any_body("ST0071")
    narrow = _at(60, monkeypatch, "--bodies", body, "compare", JOURNEY, "--show", "deadlines")
    assert max(map(len, narrow.splitlines())) <= 60
    monkeypatch.delenv("COLUMNS")
    result = run("--bodies", body, "compare", JOURNEY, "--show", "deadlines")
    assert 60 < max(map(len, result.stdout.splitlines())) <= 80  # not the 140 columns piped output once had


# ---------------------------------------------------------------------------------------- citations by title
@pytest.mark.parametrize("args", [pytest.param(args, marks=needs_its_standards(args)) for args in [
    ["compare", JOURNEY, "--show", "all"], ["timeline", JOURNEY], ["gateway", JOURNEY]]])
def test_table_citations_name_the_document_by_title_and_version(monkeypatch, args):
    from epa.views.tables import short_title

    data = ok_json(*args, definition={"compare": "compare", "timeline": "timeline", "gateway": "gateway"}[args[0]])
    wide = _at(1000, monkeypatch, *args)  # one line a cell: each citation whole
    narrow = _at(80, monkeypatch, *args)
    for res in data["results"]:
        doc = res["document"]
        if f"{doc['file']} § " not in json.dumps(res, ensure_ascii=False):
            continue  # this view shows nothing the body cites (a body with no journey rules, say)
        assert f"{short_title(res['body_name'], doc['title'])} v{doc['version']} § " in wide
        assert doc["file"] not in wide and doc["file"] not in narrow


def test_short_titles_come_from_the_ruleset_document():
    from epa.views.tables import short_title

    assert short_title("Training Qualifications UK (TQUK)",
                       "TQUK Level 3 ... V1.2 - Standard Specification") == "TQUK Spec"
    assert short_title("NQual", "End-Point Assessment ... (V1.2) Support Pack") == "NQual Support Pack"
    assert short_title("Acme Assessment", "Acme rules") == "Acme Assessment"


def test_an_open_deadline_whose_date_has_passed_is_explained(monkeypatch, tmp_path):
    record = tmp_path / "old.yaml"
    record.write_text("standard: ST0071\napprentice: {id: A-OLD, start_date: 2019-01-07}\n"
                      "gateway: {date: 2020-03-02}\nschedule: {observation: 2020-04-01, project: 2020-04-01, "
                      "discussion: 2020-04-01}\nassessments: []\n")
    body = any_body("ST0071")
    data = ok_json("--bodies", body, "compare", str(record), definition="compare")
    past = [d for d in data["results"][0]["deadlines"]
            if d["status"] == "open" and d["kind"] == "by" and d["date"] and d["date"] < dt.date.today().isoformat()]
    if not past:
        pytest.skip(f"{body} sets no deadline still open on this record")
    out = _at(1000, monkeypatch, "--bodies", body, "compare", str(record), "--show", "deadlines")
    assert "open: the record does not show it yet — its date has passed" in out


# ---------------------------------------------------------------------------------------- status words, -h
def _status_values() -> set[str]:
    schema = json.loads((ROOT / "schemas" / "output.schema.json").read_text())
    found: set[str] = set()

    def walk(node, key=None):
        if isinstance(node, dict):
            if key == "status" and "enum" in node:
                found.update(v for v in node["enum"] if isinstance(v, str))
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
    walk(schema)
    return found


def test_the_schema_status_words_are_the_ones_expected():
    assert {"met", "unmet", "unknown", "deferred", "not_applicable", "open", "missed", "within", "outside",
            "no_tolerance_stated", "pass", "fail", "skip"} <= _status_values()


@pytest.mark.parametrize("command", ["grade", "compare", "gateway", "timeline", "conformance"])
def test_every_status_word_is_explained_in_help_and_readme(command):
    shown = {"conformance": {"pass", "fail", "skip"}}.get(command, _status_values() - {"pass", "fail", "skip"})
    help_text = " ".join(run(command, "--help").stdout.split())
    readme = (ROOT / "README.md").read_text()
    legend = readme[readme.index("### Status words"):]
    legend = legend[:legend.index("\n## ")]
    for value in shown:
        assert value.replace("_", " ") in help_text, (command, value)
        assert re.search(rf"`{value}`[^\n]*:", legend) or re.search(rf"^\| `{value}` \|", legend, re.M), value


def _every_command(group=cli.cli, prefix=()):
    import click

    for name, command in group.commands.items():
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from _every_command(command, (*prefix, name))


@pytest.mark.parametrize("command", list(_every_command()), ids=" ".join)
def test_dash_h_works_on_every_command(command):
    result = run(*command, "-h")
    assert result.exit_code == 0 and result.stdout.startswith("Usage: epa ")
    assert result.stdout == run(*command, "--help").stdout


def test_a_table_names_a_document_by_the_titles_it_was_given_and_no_others() -> None:
    """Tables show a citation's document by its short title from the registry the rendering was given
    (``tables.citing``); nothing is remembered from an earlier command's output: the same process printing a table
    afterwards, with no titles given, names the file as the JSON does (before issue 18, a module-level dict filled by
    any earlier output was read by every later one)."""
    from epa.registry import Registry
    from epa.views import tables

    registry = Registry.installed()
    if not registry.bodies:
        pytest.skip("no body plugin is installed")
    body = registry.bodies[0].body
    document = body.rulesets[0].document
    cited = f"{document.file} § Overall Grading"
    example = {"ST0071": "st0071-observation-distinction.yaml", "ST0072": "st0072-distinction.yaml"}.get(
        body.rulesets[0].standard)
    if example is None:
        pytest.skip(f"no example record of {body.rulesets[0].standard}, the standard {body.id} offers first")
    printed = run("grade", "--body", body.id, str(ROOT / "examples" / example))  # (its why, cited, in a table)
    assert printed.exit_code == 0 and " § " in printed.stdout, printed.stderr
    assert tables.cite(cited) == cited
    with tables.citing(tables.document_titles(registry)):
        assert tables.cite(cited) != cited and tables.cite(cited).endswith(" § Overall Grading")
    assert tables.cite(cited) == cited


@requires(*OUR_BODIES)
@pytest.mark.parametrize("columns", [20, 24, 30, 40])
@pytest.mark.parametrize("record", [JOURNEY, CRITERIA])
def test_narrow_terminals_print_a_row_at_a_time_with_every_word_whole(monkeypatch, tmp_path, record, columns):
    """Narrower than a body id beside a grade ('gateway_quals distinction'), each value goes under its header: at
    20 columns the tables once printed 'overal' + 'l' and 'distin' + 'ction'. (The record is copied to a short
    name: a path wider than the terminal is the header's, cut where its words end.)"""
    (tmp_path / "r.yaml").write_bytes((ROOT / record).read_bytes())
    monkeypatch.chdir(tmp_path)
    narrow = _at(columns, monkeypatch, *OURS, "compare", "r.yaml")
    wide = _at(1000, monkeypatch, *OURS, "compare", "r.yaml")
    assert _tokens(narrow) - _tokens(wide) == set()
    assert {"overall", "distinction", "gateway_quals"} <= set(narrow.split())


@requires(*OUR_BODIES)
@pytest.mark.parametrize("columns", [80, 90, 100])
def test_a_differing_rows_marker_stays_beside_its_values(monkeypatch, columns):
    """A label that wraps ('check observation duration minutes ≠', the example's observation of 58 minutes that
    Gateway Qualifications' 60 -0%/+10% puts outside and the others' ±10% within) keeps its ≠ on the line
    with the row's values, not on a line of its own."""
    out = _at(columns, monkeypatch, *OURS, "compare", JOURNEY)
    table = out.split("Why they differ", 1)[0].splitlines()
    marked = [line for line in table if "≠" in line]
    assert any(re.search(r"minutes +≠ +outside", line) for line in marked)  # (≠: a column of its own)
    assert [line for line in marked if line.rstrip().endswith("≠")] == []
