"""The assessment plan version a body's rules are written for: the document's word where it states it as the plan's,
else the tool's reading (``plan_version_reading``), recorded as an ambiguity and said to be a reading wherever it is
shown (``epa audit``'s rules and refusals, ``epa diff``), never cited as though the document stated it."""

from __future__ import annotations

import csv
import io
import re

import pytest

from epa.testing import installed, registry, requires, run, source_text

READING = "the tool's reading: the document does not state which assessment plan version these rules are written for"

# What each document says, quoted: (body, version of its rules, plan version, whether it is the tool's reading)
PLANS = [
    # 004 § 1.1 About this standard specification, Key information: "Assessment plan version ST0071/V1.1"
    ("gateway_quals", "1.1", "1.1", False),
    # 004 § Version and date Change detail: V1.1's "pg5: standard reference number updated to v1.1, and assessment
    # plan version number updated to ST0071/V1.1": the plan V1.0 was written for is named nowhere
    ("gateway_quals", "1.0", "1.0", True),
    # 002 § Versions: "ST0071 / v1.3 CSS v5.0": whose version 1.3 is, the kit does not say
    ("highfield", "5.0", "1.3", True),
    # 003 § Key Information: "Reference: ST0071 Version: 1.2": the standard's version; no plan version is stated
    ("tqual", "1.2", "1.2", True),
]


def rules_of(body: str, version: str):
    if not installed(body):
        pytest.skip(f"needs the body plugin {body} installed")
    return next(r for r in registry().named(body).body.rulesets_for("ST0071") if r.document.version == version)


@pytest.mark.parametrize(("body", "version", "plan", "reading"), PLANS)
def test_a_plan_version_is_the_documents_word_only_where_it_states_it(body, version, plan, reading):
    rules = rules_of(body, version)
    assert (rules.document.plan_version, rules.document.plan_version_reading) == (plan, reading)
    # a reading is recorded as data: an ambiguity naming the plan version among the rules it decides
    recorded = [a.id for a in rules.ambiguities if "document.plan_version" in a.rules]
    assert bool(recorded) is reading, recorded


def test_a_plan_version_not_marked_a_reading_is_printed_as_the_plans_by_its_document():
    """Whatever the bodies installed: a plan version given as the document's word is printed in it as the assessment
    plan's version ("Assessment plan version ST0071/V1.1", 004); one the document gives only as the standard's, or
    names nowhere, is marked a reading. On e56ed49 Highfield's, TQUK's and Gateway Qualifications' V1.0 were not."""
    checked = 0
    for loaded in registry().bodies:
        for rules in loaded.body.rulesets:
            document = rules.document
            if document.plan_version is None or document.plan_version_reading:
                continue
            text = source_text(document.file)
            number = re.escape(document.plan_version)
            assert re.search(rf"(?i)assessment plan version\W+(?:ST\d{{4}}\s*/\s*)?v?{number}\b", text), \
                (loaded.body.id, document.version, document.plan_version)
            checked += 1
    if not checked:
        pytest.skip("no installed body's rules give a plan version as their document's word")


PLAN_HEADER = "ULN,StandardID,EPAO,Gateway Date,Observation,Project,Discussion,Overall Grade,AssessmentPlanVersionNumber\n"


def audited(tmp_path, rows: str) -> list[dict[str, str]]:
    path = tmp_path / "plans.csv"
    path.write_text(PLAN_HEADER + rows, encoding="utf-8")
    return list(csv.DictReader(io.StringIO(run("audit", str(path), "--format", "csv").stdout)))


@requires("gateway_quals")
def test_the_audit_says_v1_0s_plan_version_is_the_tools_reading_and_v1_1s_the_documents(tmp_path):
    """An EPA under plan 1.0 with a June 2024 gateway is audited under V1.0 (in force from January 2024), the rule
    saying why; on e56ed49 it said "written for it (004 § Version and date ...)", citing the change log as though it
    stated V1.0's plan version. One under plan 1.1 with a March 2024 gateway is audited under V1.1, whose plan
    version 004 § 1.1 states ("Assessment plan version ST0071/V1.1"): no reading is said of it, and V1.0's, which
    the date alone would choose, is said to be one."""
    one, other = audited(tmp_path, "1,ST0071,Gateway Qualifications,03/06/2024,Pass,Pass,Pass,Pass,1.0\n"
                                   "2,ST0071,Gateway Qualifications,01/03/2024,Pass,Pass,Pass,Pass,1.1\n")
    assert (one["version"], other["version"]) == ("1.0", "1.1")
    assert (f"the row's assessment plan version 1.0 chooses version 1.0, written for it ({READING}; "
            "004_97be493b5d6ee5b2.txt § Version and date Change detail Section/page reference)") in one["rule"]
    assert "would choose version 1.1, written for plan version 1.1" in one["rule"]
    assert ("the row's assessment plan version 1.1 chooses version 1.1, written for it (004_97be493b5d6ee5b2.txt "
            "§ 1.1 About this standard specification)") in other["rule"]
    assert f"would choose version 1.0, written for plan version 1.0 ({READING})" in other["rule"]


@pytest.mark.parametrize(("body", "plan", "citation"), [
    ("highfield", "1.3", "002_a4f677c7c4e5fdb6.txt § Versions:"),
    ("tqual", "1.2", "003_3692b76548845e1c.txt § Key Information"),
])
def test_a_refusal_names_the_plan_version_a_body_is_read_as_written_for_as_a_reading(tmp_path, body, plan,
                                                                                       citation):
    """002 § Versions: "ST0071 / v1.3"; 003 § Key Information: "Version: 1.2" (the standard's). A row under plan 9.9
    is refused, naming the plan version the body's rules are written for; on e56ed49 it named it beside the
    citation alone, as though the document stated it."""
    if not installed(body):
        pytest.skip(f"needs the body plugin {body} installed")
    (row,) = audited(tmp_path, f"1,ST0071,{body},03/06/2024,Pass,Pass,Pass,Pass,9.9\n")
    assert f"written for assessment plan version {plan} (version " in row["error"]
    assert f", {READING}; {citation})" in row["error"]


@requires("gateway_quals")
def test_the_diff_marks_v1_0s_plan_version_a_reading():
    """004 § 1.1 About this standard specification states V1.1's plan version; V1.0's is the tool's reading (the
    change log's pg5, which the difference cites, says the plan version was "updated to ST0071/V1.1", not from what).
    On e56ed49 `epa diff` gave "document plan version: 1.0 → 1.1", as though the log stated both."""
    data = run("diff", "--body", "gateway_quals", "--from", "1.0", "--to", "1.1", "--format", "json").json()
    (found,) = [d for d in data["differences"] if d["kind"] == "document" and d["id"] == "plan_version"]
    assert found["summary"] == f"document plan version: 1.0 ({READING}) → 1.1"
    assert found["citation"] == "004_97be493b5d6ee5b2.txt § Version and date Change detail Section/page reference"
    assert (found["from"], found["to"]) == ("1.0", "1.1")
