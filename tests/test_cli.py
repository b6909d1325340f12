"""Every command, in both formats; JSON output checked against schemas/output.schema.json."""

from __future__ import annotations

import pytest

from conftest import EXAMPLES, OUR_BODIES, any_body, needs_a_body, needs_its_standards, ok_json, run
from epa import cli
from epa.registry import Registry
from epa.testing import installed, requires

NO_BODY_NO_TABLE = ("bodies", "plugins", "ambiguities")  # lists of the bodies' things: with no body, no table

OBS_DISTINCTION = str(EXAMPLES / "st0071-observation-distinction.yaml")
SAME_CRITERIA = str(EXAMPLES / "st0071-criteria.yaml")
ST0072 = str(EXAMPLES / "st0072-distinction.yaml")
# Compare among our four bodies alone, whatever else is installed: what they award, and where they differ.
OURS = ("--bodies", ",".join(OUR_BODIES))


def _named_bodies(args: list[str]) -> list[str]:
    """The bodies a command names: with --body or --bodies, or as `epa conformance BODY...` arguments."""
    named = [args[i + 1] for i, a in enumerate(args[:-1]) if a == "--body"]
    named += [b for i, a in enumerate(args[:-1]) if a == "--bodies" for b in args[i + 1].split(",")]
    if "conformance" in args:  # its options all take a value
        rest = args[args.index("conformance") + 1:]
        named += [a for i, a in enumerate(rest)
                  if not a.startswith("-") and (i == 0 or not rest[i - 1].startswith("-"))]
    return [_body_id(name) for name in named]


def _body_id(name: str) -> str:
    """A body named by its id, name or acronym, as its id (the name itself when no installed body has it)."""
    from epa.errors import InputError
    from epa.testing import registry

    try:
        return registry().named(name).body.id
    except InputError:
        return name


def _needs(args: list[str]) -> list[pytest.MarkDecorator]:
    """What the command needs installed: the bodies it names, a body offering each standard it names or reads a
    record of, and for `epa conformance` and the lists of the bodies' things, some body (with none, no table)."""
    some_body = "conformance" in args or args[0] in NO_BODY_NO_TABLE
    return [requires(*_named_bodies(args)), *needs_its_standards(args)] + ([needs_a_body()] * some_body)


def _needing_its_bodies(args: list[str]):
    return pytest.param(args, marks=_needs(args))


@pytest.mark.parametrize("args", [_needing_its_bodies(a) for a in [
    ["bodies"], ["standards"], ["criteria", "--standard", "ST0071"], ["criteria", "--standard", "ST0072",
    "--body", "nqual"], ["ambiguities"], ["ambiguities", "--body", "tqual"], ["grade", "--body", "nqual", ST0072],
    ["compare", OBS_DISTINCTION], ["compare", SAME_CRITERIA],
]])
def test_every_command_prints_a_table_by_default(args):
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() and not result.stderr
    assert not result.stdout.lstrip().startswith(("[", "{"))


@pytest.mark.parametrize("fmt", ["table", "json"])
@pytest.mark.parametrize("command", NO_BODY_NO_TABLE)
def test_a_list_with_no_body_installed_says_so_and_how_to_get_one(monkeypatch, command, fmt):
    """With no body installed these printed an empty table and nothing else, exit 0, as if the bodies had nothing to
    list: now a person is told none is installed and how to install or start one (on standard error, as `epa
    conformance` says it); a program still reads an empty list. An empty list is no failure: exit 0 (README, "Exit
    codes": done, a list with nothing to list too)."""
    monkeypatch.setattr(cli, "_load", lambda only, keep_going=False: Registry([], keep_going=keep_going))
    result = run(command, "--format", fmt)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ("[]\n" if fmt == "json" else "")
    assert result.stderr.splitlines()[0] == "note: no body is installed, so there is nothing to list"
    assert "pip" in result.stderr and "epa plugin new" in result.stderr


@needs_a_body("the bodies --bodies names are installed ones")
def test_a_list_whose_bodies_option_chooses_none_says_that_rather_than_none_installed():
    """`--bodies ,` chooses no body: the note must not say that none is installed."""
    result = run("--bodies", ",", "bodies")
    assert result.exit_code == 0 and result.stdout == ""
    assert "--bodies (or EPA_BODIES) chooses no body" in result.stderr and "installed" not in result.stderr.split("\n")[0]


def test_bodies_lists_every_loaded_body(registry):
    assert {b["id"] for b in ok_json("bodies", definition="bodies")} == {b.body.id for b in registry.bodies}


@requires(*OUR_BODIES)
def test_bodies_lists_the_four_bodies_with_standards_and_versions():
    data = {b["id"]: b for b in ok_json("bodies", definition="bodies")}
    assert set(data) >= set(OUR_BODIES)
    assert data["nqual"]["standards"] == ["ST0071", "ST0072"]
    versions = {b: sorted((d["standard"], d["version"]) for d in data[b]["documents"]) for b in OUR_BODIES}
    # Versions as each document states them (INDEX.md): NQual V1.2 and V1.1, Highfield CSS v5.0,
    # TQUK V1.2, Gateway Qualifications V1.1 and (change log) V1.0.
    assert versions == {
        "nqual": [("ST0071", "1.2"), ("ST0072", "1.1")],
        "highfield": [("ST0071", "5.0")],
        "tqual": [("ST0071", "1.2")],
        "gateway_quals": [("ST0071", "1.0"), ("ST0071", "1.1")],
    }
    table = run("bodies").stdout
    assert "Gateway Qualifications" in table and "2024-05-01" in table


@requires("nqual")
def test_standards():
    data = {s["standard"]: s for s in ok_json("standards", definition="standards")}
    assert data["ST0071"]["level"] == 3 and data["ST0072"]["level"] == 2
    assert "nqual" in data["ST0072"]["bodies"]
    assert data["ST0072"]["methods"] == ["showcase", "observation", "discussion"]


@pytest.mark.parametrize("body,seed", [pytest.param(b, s, marks=requires(b)) for b, s in [
    ("nqual", "000_"), ("highfield", "002_"), ("tqual", "003_"), ("gateway_quals", "004_")]])
def test_criteria_of_one_body_each_cited_to_its_document(body, seed):
    data = ok_json("criteria", "--standard", "ST0071", "--body", body, definition="criteria")
    assert len(data) > 40
    assert all(c["body"] == body and c["citation"].startswith(seed) for c in data)
    assert {c["method"] for c in data} == {"observation", "project", "discussion"}


@requires("gateway_quals")
def test_criteria_version_option_and_across_bodies_view():
    v10 = {c["id"]: c for c in ok_json("criteria", "--standard", "ST0071", "--body", "gateway_quals",
                                        "--version", "1.0", definition="criteria")}
    v11 = {c["id"]: c for c in ok_json("criteria", "--standard", "ST0071", "--body", "gateway_quals",
                                        definition="criteria")}
    # 004 § Version and date ...: V1.1 moved the complex-issues criterion out of the practical observation.
    assert v10["S1.5"]["method"] == "observation" and v11["S1.5"]["method"] == "discussion"
    table = run("criteria", "--standard", "ST0071").stdout
    assert "X.PROFESSIONAL-IMAGE" in table and "gateway_quals" in table


def test_ambiguities_lists_every_one_of_our_loaded_bodies():
    # Each of our documents has ambiguities (test_catalogue); another body's may have none.
    data = ok_json("ambiguities", definition="ambiguities")
    assert {b for b in OUR_BODIES if installed(b)} <= {a["body"] for a in data}


@requires("nqual")
def test_ambiguities_lists_readings_with_citations():
    nqual = {a["id"] for a in ok_json("ambiguities", "--body", "nqual", definition="ambiguities")}
    # The two the issue names: S2 placed in the discussion by the methods table but graded in the observation,
    # and the observation's distinction column running past a page break (000).
    assert {"nqual-s2-table-vs-observation-descriptor", "nqual-observation-page-break-column"} <= nqual


@requires("highfield")
def test_the_ambiguities_table_names_the_rules_and_criteria_each_reading_decides(monkeypatch):
    # as the JSON does: 002 § Component 2: Interview, "The interview will take place before the 3-month end-point
    # assessment period." is read as the deadline epa-window-3-months; the kit's two listings of K3.3
    # ("Demonstrates" / "Demonstrate") as that criterion's wording
    monkeypatch.setenv("COLUMNS", "80")  # (a reading's cell is wide enough at 80 for either line whole)
    lines = [line.strip(" │") for line in run("ambiguities", "--body", "highfield").stdout.splitlines()]
    assert "rules: epa-window-3-months" in lines
    assert "criteria: K3.3" in lines


@requires(*OUR_BODIES)
def test_compare_observation_distinction_tqual_alone_awards_distinction():
    data = ok_json(*OURS, "compare", OBS_DISTINCTION, definition="compare")
    overall = {r["body"]: r["overall"] for r in data["results"]}
    # 003 § Overall Grading: the overall grade follows the observation when nothing failed. 000 § Assessment
    # Grading Breakdown, 002 § Grading and 004 § 2.7 Grading requirements print D/P/P -> Pass.
    assert overall == {"tqual": "distinction", "nqual": "pass", "highfield": "pass", "gateway_quals": "pass"}
    assert data["differences"] == ["overall"]
    sections = {"tqual": "003_3692b76548845e1c.txt § Overall Grading",
                "nqual": "000_75563123dfdaaed6.txt § Assessment Grading Breakdown",
                "highfield": "002_a4f677c7c4e5fdb6.txt § Grading",
                "gateway_quals": "004_97be493b5d6ee5b2.txt § 2.7 Grading requirements"}
    for result in data["results"]:
        decided = [s for s in result["explanation"] if s["about"] == "overall"]
        assert decided[-1]["citation"] == sections[result["body"]]
    table = run(*OURS, "compare", OBS_DISTINCTION).stdout
    # Tables cite the document by its short title and version; JSON keeps the stable file name.
    assert "≠" in table and "Why they differ" in table and "TQUK Spec v1.2 § Overall Grading" in table
    assert "003_3692b76548845e1c.txt" not in table


@requires(*OUR_BODIES)
def test_compare_same_criteria_shows_catalogue_differences():
    data = ok_json(*OURS, "compare", SAME_CRITERIA, definition="compare")
    by_body = {r["body"]: r for r in data["results"]}
    # Evidence: every Highfield project pass criterion and distinction criterion K1.3 only.
    # 004 § Appendix 2 Grade descriptors: Gateway's project has one distinction descriptor (K1.3's words): distinction.
    assert by_body["gateway_quals"]["components"]["project"] == "distinction"
    # 002 § Work-based project (supported by an interview) criteria: nine distinction criteria: pass.
    assert by_body["highfield"]["components"]["project"] == "pass"
    assert len(by_body["highfield"]["component_details"]["project"]["distinction_missing"]) == 8
    # 000 § Grading Descriptors for Practical Observation with Q&As: NQual grades the complex-issues criterion (S1.5)
    # in the observation, so evidence recorded in the discussion does not count there, and it is noted.
    assert "S1.5" in by_body["nqual"]["component_details"]["observation"]["pass_missing"]
    assert any("S1.5" in n["says"] for n in by_body["nqual"]["notes"])
    assert "project" in data["differences"] and "observation" in data["differences"]


@requires("nqual")
def test_grade_st0072_threshold_distinction():
    data = ok_json("grade", "--body", "nqual", ST0072, definition="result")
    # 001 § Grading & Criteria, Assessment Breakdown: all pass criteria plus 7/10, 4/5 and 3/4.
    assert data["overall"] == "distinction"
    assert data["components"] == {"showcase": "distinction", "observation": "distinction",
                                  "discussion": "distinction"}
    assert all(s["citation"].startswith("001_b8a29f12b00d3850.txt § ") for s in data["explanation"])


def test_overall_is_null_while_assessments_are_missing(tmp_path):
    record = tmp_path / "r.yaml"
    record.write_text("standard: ST0071\napprentice: {id: A-9}\ngateway: {date: 2025-12-01}\n"
                      "assessments:\n  - {method: observation, date: 2026-01-20, grade: pass}\n")
    data = ok_json("grade", "--body", any_body("ST0071"), str(record), definition="result")
    assert data["overall"] is None
    assert data["components"] == {"project": None, "discussion": None, "observation": "pass"}
    assert "awaiting project, discussion" in data["explanation"][-1]["says"]


def test_help_and_version():
    assert run("--help").exit_code == 0
    assert "compare" in run("--help").stdout
    assert run("--version").exit_code == 0


def _readme_commands() -> list[str]:
    import re

    from conftest import ROOT

    blocks = re.findall(r"```sh\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.S)
    lines = [line.split("#")[0].strip() for block in blocks for line in block.splitlines()]
    return [part.strip() for line in lines for part in line.split("&&") if part.strip().startswith("epa ")]


@pytest.mark.parametrize("command", [pytest.param(c, marks=_needs(c.split()))
                                     for c in _readme_commands()])
def test_readme_commands_run(command, tmp_path, monkeypatch):
    import shlex

    from conftest import ROOT

    monkeypatch.chdir(ROOT)
    args = shlex.split(command)[1:]
    for option in ("--ics", "--out"):  # write files somewhere harmless
        if option in args:
            args[args.index(option) + 1] = str(tmp_path / args[args.index(option) + 1])
    result = run(*args)
    assert result.exit_code == 0, (command, result.stderr)


def _help_codes(text: str, opening: str) -> set[int]:
    """The exit codes a help's sentence of them names, from ``opening`` to the paragraph's end."""
    import re

    sentence = " ".join(text.split(opening, 1)[1].split("\n\n", 1)[0].split())
    return {int(code) for code in re.findall(r"(?:^|[,;] )(\d+) ", sentence)}


def test_compare_and_audit_help_name_every_exit_code_a_cohort_can_end_with(monkeypatch):
    """README "Exit codes" gives `compare --batch` 0, 1, 2, 3 and 130, and audit's section the same; on 246753b both
    helps left out 3 (an output that could not be written), audit's 130 too."""
    import re

    from conftest import ROOT

    monkeypatch.setenv("COLUMNS", "80")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("**Exit codes.**", 1)[1].split("\n**", 1)[0]
    batch = {int(code) for code, cell in re.findall(r"^\| `(\d+)` \| [^|]*\| ([^|]*) \|", table, flags=re.M)
             if cell.strip()}
    assert batch == {0, 1, 2, 3, 130}
    assert _help_codes(run("compare", "--help").stdout, "the exit code is ") == batch
    audit = readme.split("**Exit codes**: ", 1)[1].split("\n\n", 1)[0]
    assert {int(code) for code in re.findall(r"`(\d+)`", audit)} == batch
    assert _help_codes(run("audit", "--help").stdout, "Exit codes: ") == batch
