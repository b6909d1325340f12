"""`epa audit FILE` (issue 19): whether each recorded overall grade follows from the recorded component grades under
the recording body's rules in force. tests/data/audit-planted.csv holds rows for every body of ours, some with a
planted error; the audit must flag exactly those. Each row's expected grade below is worked out by hand from the
body's document (the section is cited beside it), never by running the code."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import OUR_BODIES, fails, run
from epa.testing import installed, registry, source_text

PLANTED = Path(__file__).resolve().parent / "data" / "audit-planted.csv"

# apprentice -> (body, the overall grade the body's document gives, whether the row's recorded grade is planted wrong)
HAND = {
    # Highfield, 002 § Grading: the printed table gives distinction only for distinction in all three methods; "Fail
    # any of the 3 assessment methods | Fail". § Retake and resit information: "The maximum grade awarded to a resit
    # will be pass, unless Highfield identifies exceptional circumstances accounting for the original fail" (a resit
    # only: a retake is not capped).
    "H1": ("highfield", "pass", False),  # D,P,P: pass
    "H2": ("highfield", "pass", True),  # D,P,P recorded distinction
    "H3": ("highfield", "distinction", False),  # D,D,D
    "H4": ("highfield", "pass", True),  # D,D,D after an observation resit: capped at pass
    "H5": ("highfield", "distinction", False),  # the same with exceptional circumstances: the cap is lifted
    "H6": ("highfield", "distinction", False),  # an observation retake: the cap names resits only
    "H7": ("highfield", "fail", True),  # a fail in the observation recorded pass
    # TQUK, 003 § Overall Grading: its table is led by the observation: "Distinction | Pass | Pass | Distinction"
    # (project and discussion either grade), "Pass | Pass | Pass | Pass" likewise. § Resits and Retakes: "If a resit or
    # retake is required, the overall EPA grade will be capped at a pass, unless Training Qualifications UK determines
    # there are exceptional circumstances."
    "T1": ("tqual", "distinction", False),  # observation D, project P, discussion P
    "T2": ("tqual", "distinction", True),  # the same recorded pass
    "T3": ("tqual", "pass", True),  # observation P, project D, discussion D recorded distinction
    "T4": ("tqual", "pass", True),  # D,P,P after a project retake: capped at pass
    "T5": ("tqual", "distinction", False),  # the same with exceptional circumstances
    # NQual ST0071, 000 § Assessment Grading Breakdown: a table with no row for P,D,D; in words "To achieve a
    # Distinction, the apprentice must achieve all Pass and all Distinction criteria" (all three distinction).
    # § Re-sit / Re-take: "Where any assessment method must be re-sat or re-taken, the apprentice will be awarded a
    # maximum EPA grade of Pass" (no exception for exceptional circumstances).
    "N1": ("nqual", "pass", True),  # observation P, project D, discussion D recorded distinction: the rule in words
    "N2": ("nqual", "distinction", False),  # D,D,D
    "N3": ("nqual", "pass", True),  # D,D,D after a discussion resit, exceptional circumstances or not
    # NQual ST0072, 001 § Grading & Criteria: no table; "Distinction: All Pass Criteria Achieved Plus: Apprentice
    # Showcase - 7 out of 10; Observation - 4 out of 5; Professional Discussion - 3 out of 4" (all three together).
    "N4": ("nqual", "pass", True),  # showcase D, observation D, discussion P recorded distinction
    "N5": ("nqual", "distinction", False),  # D,D,D
    "N6": ("nqual", "pass", False),  # D,D,D after a showcase resit recorded pass: § Re-sit / Re-take caps it
    # Gateway Qualifications, 004 § 2.7 Grading requirements: "To achieve a distinction overall, the apprentice must
    # achieve a distinction in all assessment methods"; § 4. Re-sits and re-takes: "a maximum EPA grade of pass,
    # unless Gateway Qualifications determines there are exceptional circumstances". V1.0 is in force from January
    # 2024, V1.1 from May 2024 (the change log): both combine alike.
    "G1": ("gateway_quals", "pass", False),  # D,D,P, gateway 2024-06-03 (V1.1)
    "G2": ("gateway_quals", "distinction", True),  # D,D,D recorded pass, gateway 2024-03-01 (V1.0)
    "G3": ("gateway_quals", "fail", False),  # a fail in the observation
    "G4": ("gateway_quals", "distinction", False),  # D,D,D after an observation resit, exceptional circumstances
    "G5": ("gateway_quals", "pass", True),  # D,D,D after a project resit recorded distinction
}
VERSION = {"G1": "1.1", "G2": "1.0", "G3": "1.1"}


def one_version_body() -> str:
    """A body of ours with one version of its ST0071 rules (a row then needs no date or version), or a skip."""
    body = next((b for b in OUR_BODIES if installed(b) and b != "gateway_quals"), None)
    if body is None:
        pytest.skip("needs a body of ours with one version of its ST0071 rules installed")
    return body


def plan_of(body: str, standard: str = "ST0071") -> str:
    """The assessment plan version the body's (only) rules for the standard are written for; 1.2 where its document
    states none (the row's is then not checked)."""
    (rules,) = registry().named(body).body.rulesets_for(standard)
    return rules.document.plan_version or "1.2"


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def body_file(tmp_path: Path, body: str) -> Path:
    """The planted file's header and the rows of one body."""
    lines = PLANTED.read_text(encoding="utf-8").splitlines()
    kept = [lines[0]] + [line for line in lines[1:] if HAND[line.split(",")[0]][0] == body]
    path = tmp_path / f"{body}.csv"
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("body", OUR_BODIES)
def test_the_audit_flags_exactly_the_planted_rows_of_each_body(tmp_path, body):
    if not installed(body):
        pytest.skip(f"needs the body plugin {body} installed")
    result = run("audit", str(body_file(tmp_path, body)), "--format", "csv")
    rows = rows_of(result.stdout)
    mine = {a: hand for a, hand in HAND.items() if hand[0] == body}
    assert [r["apprentice"] for r in rows] == list(mine)  # one row per input row, in order
    for r in rows:
        _, expected, planted = mine[r["apprentice"]]
        assert (r["body"], r["expected"], r["agrees"]) == (body, expected, "false" if planted else "true"), r
        assert r["rule"] and " § " in r["citation"] and not r["error"]
    assert result.exit_code == (1 if any(p for _, _, p in mine.values()) else 0)


def test_the_whole_planted_file(tmp_path):
    missing = [b for b in OUR_BODIES if not installed(b)]
    if missing:
        pytest.skip(f"needs every body of ours installed (missing: {', '.join(missing)})")
    result = run("audit", str(PLANTED), "--format", "csv")
    rows = rows_of(result.stdout)
    assert {r["apprentice"] for r in rows if r["agrees"] == "false"} == {a for a, h in HAND.items() if h[2]}
    assert {r["apprentice"]: r["version"] for r in rows if r["apprentice"] in VERSION} == VERSION
    assert result.exit_code == 1  # some recorded grade does not follow


@pytest.mark.skipif(not installed("tqual"), reason="needs the body plugin tqual installed")
def test_each_disagreement_names_the_rule_and_its_citation(tmp_path):
    rows = {r["apprentice"]: r for r in rows_of(run("audit", str(body_file(tmp_path, "tqual")), "--format",
                                                    "csv").stdout)}
    assert "printed row 3 of the combination table" in rows["T2"]["rule"]  # the observation-led row
    assert rows["T2"]["citation"] == "003_3692b76548845e1c.txt § Overall Grading"
    assert "capped at pass" in rows["T4"]["rule"]
    assert "003_3692b76548845e1c.txt § Resits and Retakes" in rows["T4"]["citation"]


@pytest.mark.skipif(not installed("nqual"), reason="needs the body plugin nqual installed")
def test_nqual_rule_in_words_decides_where_no_table_row_does(tmp_path):
    rows = {r["apprentice"]: r for r in rows_of(run("audit", str(body_file(tmp_path, "nqual")), "--format",
                                                    "csv").stdout)}
    assert "rule in words decides: pass" in rows["N1"]["rule"]
    assert rows["N1"]["citation"] == "000_75563123dfdaaed6.txt § Assessment Grading Breakdown"
    assert "rule in words decides: pass" in rows["N4"]["rule"]
    assert "001_b8a29f12b00d3850.txt § Grading & Criteria" in rows["N4"]["citation"]


# --- bad rows, and the columns they are in ------------------------------------------------------------------------

def test_bad_rows_are_error_rows_naming_each_column_and_no_row_is_lost(tmp_path):
    body = one_version_body()
    path = tmp_path / "bad.csv"
    path.write_text("Apprentice ID,Standard,Awarding Body,Observation,Project,Discussion,Showcase,Overall Grade\n"
                    f"B1,ST0071,{body},Pass,Pass,Pass,,Pass\n"
                    f"B2,ST0071,{body},Merit,Pass,Pass,,Distinktion\n"
                    "B3,ST7777,No Such Body,Pass,Pass,Pass,,Pass\n"
                    f"B4,ST0071,{body},Pass,,Pass,,Pass\n"
                    f"B5,ST0071,{body},Pass,Pass,Pass,Pass,Pass\n"
                    f"B6,ST9999,{body},Pass,Pass,Pass,,Pass\n"
                    f",ST0071,{body},Pass,Pass,Pass,,\n", encoding="utf-8")
    result = run("audit", str(path), "--format", "json")
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    rows, summary = lines[:-1], lines[-1]["summary"]
    assert [r["line"] for r in rows] == [2, 3, 4, 5, 6, 7, 8]
    assert rows[0]["agrees"] is True
    assert [p["column"] for p in rows[1]["error"]["problems"]] == ["Observation", "Overall Grade"]
    assert [p["column"] for p in rows[2]["error"]["problems"]] == ["Standard", "Awarding Body"]
    assert "unknown body" in rows[2]["error"]["problems"][1]["message"]
    assert rows[3]["error"]["column"] == "Project" and "no project grade" in rows[3]["error"]["message"]
    assert rows[4]["error"]["column"] == "Showcase"
    assert rows[5]["error"]["column"] == "Standard"
    assert rows[6]["error"]["column"] == "Apprentice ID" and "problems" not in rows[6]["error"]  # (not graded yet)
    assert (summary["rows"], summary["agree"], summary["rejected"]) == (7, 1, 6)


def test_a_file_without_the_columns_an_audit_needs_is_refused_before_any_row(tmp_path):
    path = tmp_path / "bare.csv"
    path.write_text("Apprentice ID,Observation\nA,Pass\n", encoding="utf-8")
    err = fails("audit", str(path))
    assert "the standard (standard)" in err and "the overall grade recorded (overall)" in err
    assert "awarding body" in err


@pytest.mark.skipif(not installed("gateway_quals"), reason="needs the body plugin gateway_quals installed")
def test_a_body_with_two_versions_needs_the_date_or_the_version(tmp_path):
    path = tmp_path / "gq.csv"
    path.write_text("ULN,StandardID,EPAO,Observation,Project,Discussion,Overall,Document Version\n"
                    "1,ST0071,gateway_quals,Pass,Pass,Pass,Pass,\n"
                    "2,ST0071,gateway_quals,Pass,Pass,Pass,Pass,1.0\n"
                    "3,ST0071,gateway_quals,Pass,Pass,Pass,Pass,2.0\n", encoding="utf-8")
    rows = rows_of(run("audit", str(path), "--format", "csv").stdout)
    assert "no gateway date to choose one by" in rows[0]["error"]
    assert (rows[1]["version"], rows[1]["agrees"]) == ("1.0", "true")
    assert "no version '2.0'" in rows[2]["error"] and "(column Document Version)" in rows[2]["error"]


# --- Ofqual's outcome-file names, and EPAO ids ----------------------------------------------------------------

OFQUAL = ("ReportingDate,AwardingOrganisation,AwardingOrganisationID,StandardTitle,StandardID,"
          "AssessmentPlanVersionNumber,QualificationNumber,ULN,CandidateIdentifierOther,Component 1,Component 2,"
          "Component 3,EPA Grade\n")


def test_ofqual_names_are_read_and_an_epao_id_is_mapped_never_guessed(tmp_path):
    body = one_version_body()
    plan = plan_of(body)
    path = tmp_path / "ofqual.csv"
    path.write_text(OFQUAL + f"2025-03-31,A Register Name Ltd,EPA0001,Customer service specialist,ST0071,{plan},-2,"
                    "1234567890,,"
                    "Fail,Pass,Pass,Fail\n"
                    "2025-03-31,,EPA0001,Customer service specialist,ST0071,-2,-2,-2,LRN-7,Pass,Pass,Pass,Pass\n",
                    encoding="utf-8")
    grades = ("--column", "Component 1=observation", "--column", "Component 2=project", "--column",
              "Component 3=discussion", "--strict")
    unmapped = run("audit", str(path), "--format", "json", *grades)
    assert unmapped.exit_code == 2
    first = json.loads(unmapped.stdout.splitlines()[0])
    assert first["error"]["column"] == "AwardingOrganisation" and '--body-id "EPA0001=BODY"' in first["error"]["hint"]
    mapped = run("audit", str(path), "--format", "json", "--body-id", f"EPA0001={body}", *grades)
    assert mapped.exit_code == 0, mapped.stderr
    one, two = (json.loads(line) for line in mapped.stdout.splitlines()[:2])
    assert (one["apprentice"], one["body"], one["body_id"], one["plan_version"], one["expected"]) == \
        ("1234567890", body, "EPA0001", plan, "fail")
    assert two["apprentice"] == "LRN-7" and "plan_version" not in two  # ULN -2: none; the other identifier


def test_ofqual_s_not_available_in_the_other_identifier_is_no_apprentice_id(tmp_path):
    """Ofqual's return writes -2 where a value is not available (its ULN: "-2 accepted where the Apprentice does not
    have a ULN"). A row with -2 in both ULN and CandidateIdentifierOther was audited as apprentice '-2', and two such
    rows (two apprentices) were said to be one apprentice on two rows. On 0382bff."""
    body = one_version_body()
    path = tmp_path / "ofqual.csv"
    path.write_text(OFQUAL + f"2025-03-31,{body},EPA0001,Customer service specialist,ST0071,-2,-2,-2,-2,"
                    "Pass,Pass,Pass,Pass\n"
                    f"2025-03-31,{body},EPA0001,Customer service specialist,ST0071,-2,-2,-2,-2,"
                    "Fail,Pass,Pass,Fail\n"
                    f"2025-03-31,{body},EPA0001,Customer service specialist,ST0071,-2,-2,1234567890,-2,"
                    "Pass,Pass,Pass,Pass\n", encoding="utf-8")
    result = run("audit", str(path), "--format", "json", "--column", "Component 1=observation", "--column",
                 "Component 2=project", "--column", "Component 3=discussion")
    *rows, summary = (json.loads(line) for line in result.stdout.splitlines())
    for row in rows[:2]:
        assert row["apprentice"] is None and row["error"]["column"] == "ULN", row
        assert "and CandidateIdentifierOther is -2" in row["error"]["message"]
    assert (rows[2]["apprentice"], rows[2]["agrees"]) == ("1234567890", True)  # (-2 beside a ULN: the ULN)
    assert (summary["summary"]["rows"], summary["summary"]["agree"], summary["summary"]["rejected"]) == (3, 1, 2)
    assert "more than one row" not in result.stderr and result.exit_code == 2


def test_no_document_states_an_epao_id():
    # The five documents name no EPAO id (EPAxxxx) of their body: none may be encoded (issue 19: never invent one).
    for file in ("000_75563123dfdaaed6.txt", "001_b8a29f12b00d3850.txt", "002_a4f677c7c4e5fdb6.txt",
                 "003_3692b76548845e1c.txt", "004_97be493b5d6ee5b2.txt"):
        assert not re.search(r"\bEPA ?\d{4}\b", source_text(file)), file


# --- attempts, formats, output --------------------------------------------------------------------------------

@pytest.mark.skipif(not installed("tqual"), reason="needs the body plugin tqual installed")
def test_without_attempt_columns_every_grade_is_a_first_attempt_and_each_row_says_so(tmp_path):
    path = tmp_path / "first.csv"
    path.write_text("apprentice,standard,body,observation,project,discussion,overall\n"
                    "A,ST0071,tqual,Distinction,Pass,Pass,Pass\n", encoding="utf-8")
    result = run("audit", str(path), "--format", "csv")
    (row,) = rows_of(result.stdout)
    assert (row["expected"], row["agrees"]) == ("distinction", "false")
    assert "no resit or retake cap is applied" in row["rule"] and "records no attempts" in result.stderr


@pytest.mark.skipif(not installed("tqual"), reason="needs the body plugin tqual installed")
def test_the_table_shows_the_disagreements_first_then_the_counts_per_body(tmp_path):
    result = run("audit", str(body_file(tmp_path, "tqual")))
    assert result.exit_code == 1
    text = result.stdout
    assert "5 rows; 2 follow their body's rules, 3 do not, 0 rejected" in " ".join(text.split())
    assert text.index("do not follow") < text.index("Per body")
    assert all(a in text for a in ("T2", "T3", "T4")) and "T1" not in text


@pytest.mark.skipif(not installed("tqual"), reason="needs the body plugin tqual installed")
def test_out_writes_the_rows_to_a_file_and_the_table_to_the_screen(tmp_path):
    out = tmp_path / "audit.csv"
    result = run("audit", str(body_file(tmp_path, "tqual")), "--out", str(out))
    assert result.exit_code == 1 and "Per body" in result.stdout
    assert [r["agrees"] for r in rows_of(out.read_text(encoding="utf-8"))] == ["true", "false", "false", "false",
                                                                             "true"]


@pytest.mark.skipif(not installed("tqual"), reason="needs the body plugin tqual installed")
def test_a_workbook_is_audited_as_its_csv_copy(tmp_path):
    openpyxl = pytest.importorskip("openpyxl", reason="the test extra's openpyxl writes the workbook")
    pytest.importorskip("python_calamine", reason="epa reads workbooks with python-calamine")
    text = body_file(tmp_path, "tqual")
    book = openpyxl.Workbook()
    for line in csv.reader(io.StringIO(text.read_text(encoding="utf-8"))):
        book.active.append(line)
    book.save(tmp_path / "tqual.xlsx")
    from_csv = run("audit", str(text), "--format", "csv")
    from_sheet = run("audit", str(tmp_path / "tqual.xlsx"), "--format", "csv")
    assert (from_sheet.exit_code, from_sheet.stdout) == (from_csv.exit_code, from_csv.stdout)
    assert from_csv.exit_code == 1 and len(rows_of(from_csv.stdout)) == 5


def test_an_unknown_body_option_is_refused_before_any_output(tmp_path):
    err = fails("audit", str(PLANTED), "--body", "nobody at all", "--format", "csv")
    assert "unknown body" in err


@pytest.mark.skipif(not (installed("tqual") and installed("highfield")), reason="needs tqual and highfield installed")
def test_body_option_never_audits_another_body_s_row_under_its_rules(tmp_path):
    path = tmp_path / "two.csv"
    path.write_text("apprentice,standard,body,observation,project,discussion,overall\n"
                    "A,ST0071,tqual,Distinction,Pass,Pass,Distinction\n"
                    "B,ST0071,highfield,Distinction,Pass,Pass,Pass\n", encoding="utf-8")
    rows = rows_of(run("audit", str(path), "--format", "csv", "--body", "TQUK").stdout)
    assert rows[0]["agrees"] == "true"
    assert "the row's body is highfield, but --body names tqual" in rows[1]["error"]


def test_an_epao_id_alone_needs_a_map(tmp_path):
    path = tmp_path / "ids.csv"
    path.write_text("ULN,StandardID,AwardingOrganisationID,Observation,Project,Discussion,Overall\n"
                    "1,ST0071,EPA0002,Pass,Pass,Pass,Pass\n", encoding="utf-8")
    result = run("audit", str(path), "--format", "csv")
    (row,) = rows_of(result.stdout)
    assert result.exit_code == 2
    assert row["error"].startswith("(column AwardingOrganisationID) 'EPA0002': no installed body's document states")
    assert '--body-id "EPA0002=BODY"' in row["error"]


def test_an_epao_id_in_the_body_column_is_read_through_the_map(tmp_path):
    """A file whose body column holds the EPAO id (EPA0002) was "unknown body 'EPA0002'", even with --body-id
    EPA0002=... given, and its hint did not name --body-id."""
    body = one_version_body()
    path = tmp_path / "ids.csv"
    path.write_text("ULN,StandardID,EPAO,Observation,Project,Discussion,Overall\n"
                    "1,ST0071,EPA0002,Pass,Pass,Pass,Pass\n", encoding="utf-8")
    (row,) = rows_of(run("audit", str(path), "--format", "csv").stdout)
    assert "unknown body 'EPA0002'" in row["error"] and '--body-id "EPA0002=BODY"' in row["error"]
    mapped = run("audit", str(path), "--format", "csv", "--body-id", f"EPA0002={body}")
    assert mapped.exit_code == 0, mapped.stderr
    (row,) = rows_of(mapped.stdout)
    # every method passed: a pass overall, under any body's combination (no body gives more for pass, pass, pass)
    assert (row["body"], row["expected"], row["agrees"]) == (body, "pass", "true")


# An ESFA-style extract a provider sends: the EPAO by its register id only. TQUK and Highfield combine observation
# distinction, project pass, discussion pass differently: TQUK, 003 § Overall Grading, "Distinction | Pass | Pass |
# Distinction" (its table is led by the observation); Highfield, 002 § Grading, "Pass | Pass | Distinction | Pass"
# (its columns: project, discussion, observation): a distinction recorded for it follows TQUK's rules, not Highfield's.
EPAO_EXTRACT = ("ULN,StandardID,AwardingOrganisationID,Observation Grade,Project Grade,Discussion Grade,Overall Grade\n"
                "1000000001,ST0071,EPA0002,Distinction,Pass,Pass,Distinction\n"
                "1000000002,ST0071,EPA0001,Distinction,Pass,Pass,Distinction\n")
both = pytest.mark.skipif(not (installed("tqual") and installed("highfield")),
                          reason="needs tqual and highfield installed (they combine D, P, P differently)")


@both
def test_body_option_never_audits_a_row_whose_epao_id_is_mapped_to_another_body(tmp_path):
    """With --body tqual and --body-id EPA0002=highfield, the row of EPA0002 (Highfield's, by the user's own map) was
    audited under TQUK's rules and said to follow (exit 0); under Highfield's it does not. On 0382bff."""
    path = tmp_path / "extract.csv"
    path.write_text(EPAO_EXTRACT, encoding="utf-8")
    result = run("audit", str(path), "--format", "csv", "--body", "tqual", "--body-id", "EPA0002=highfield")
    first, second = rows_of(result.stdout)
    assert first["agrees"] == "" and "(column AwardingOrganisationID) 'EPA0002' is mapped to highfield, but " \
        "--body names tqual" in first["error"]
    assert (second["body"], second["expected"], second["agrees"]) == ("tqual", "distinction", "true")
    assert result.exit_code == 2  # a row rejected
    same = run("audit", str(path), "--format", "csv", "--body", "tqual", "--body-id", "epa0001=TQUK")
    assert [r["agrees"] for r in rows_of(same.stdout)] == ["true", "true"]  # (an id mapped to --body's own: read)


@both
@pytest.mark.parametrize("second", ["EPA0002=tqual", "epa0002=TQUK"])
def test_an_epao_id_mapped_to_two_bodies_is_refused_not_the_last_map_taken(tmp_path, second):
    """--body-id EPA0002=highfield --body-id EPA0002=tqual audited EPA0002's rows under the last map given (TQUK's),
    saying they follow, with no word of the other: the same id given twice, or in another case. On 0382bff."""
    path = tmp_path / "extract.csv"
    path.write_text(EPAO_EXTRACT, encoding="utf-8")
    err = fails("audit", str(path), "--format", "csv", "--body-id", "EPA0002=highfield", "--body-id", second,
                "--body-id", "EPA0001=tqual")
    assert "EPAO id EPA0002 is mapped to two bodies, highfield and tqual" in err
    again = run("audit", str(path), "--format", "csv", "--body-id", "EPA0002=highfield", "--body-id",
                "epa0002=Highfield Assessment", "--body-id", "EPA0001=tqual")  # (one body, named twice: read)
    assert [(r["body"], r["agrees"]) for r in rows_of(again.stdout)] == [("highfield", "false"), ("tqual", "true")]


@both
def test_an_epao_id_in_the_body_column_and_another_in_the_id_column_must_name_one_body(tmp_path):
    """A body column holding EPA0001 (mapped to tqual) beside an id column holding EPA0002 (mapped to highfield): the
    id column's body was taken without a look at the body column's, and the row said not to follow Highfield's
    rules, when under TQUK's (the body its body column names) it follows. On 0382bff."""
    path = tmp_path / "two-ids.csv"
    path.write_text("ULN,StandardID,AwardingOrganisation,AwardingOrganisationID,Observation Grade,Project Grade,"
                    "Discussion Grade,Overall Grade\n"
                    "1000000001,ST0071,EPA0001,EPA0002,Distinction,Pass,Pass,Distinction\n"
                    "1000000002,ST0071,EPA0001,EPA0001,Distinction,Pass,Pass,Distinction\n"
                    "1000000003,ST0071,Highfield Assessment Ltd,EPA0002,Distinction,Pass,Pass,Pass\n",
                    encoding="utf-8")
    result = run("audit", str(path), "--format", "csv", "--body-id", "EPA0001=tqual", "--body-id", "EPA0002=highfield")
    first, second, third = rows_of(result.stdout)
    assert "'EPA0002' is mapped to highfield, but the row's body is tqual" in first["error"]
    assert (second["body"], second["agrees"]) == ("tqual", "true")
    # (a name as the register spells it, one epa does not know: the id decides; D,P,P is pass under Highfield's)
    assert (third["body"], third["expected"], third["agrees"]) == ("highfield", "pass", "true")
    assert result.exit_code == 2


@pytest.mark.skipif(not installed("highfield"), reason="needs the body plugin highfield installed")
def test_the_ilr_s_epao_id_column_is_read_as_the_body_s_id(tmp_path):
    """A provider's extract from its ILR names the EPAO by LearningDelivery.EPAOrgID ("EPAXXXX", the register's id).
    On 0382bff the column was not read, and a file naming its body by it alone was refused whole."""
    path = tmp_path / "ilr.csv"
    path.write_text("ULN,Standard Reference,EPAOrgID,Observation Grade,Project Grade,Discussion Grade,Overall Grade\n"
                    # Highfield, 002 § Grading: "Pass | Pass | Distinction | Pass" (project, discussion, observation)
                    "1000000001,ST0071,EPA0002,Distinction,Pass,Pass,Distinction\n"
                    "1000000002,ST0071,EPA0002,Distinction,Distinction,Distinction,Distinction\n", encoding="utf-8")
    result = run("audit", str(path), "--format", "json", "--body-id", "EPA0002=highfield", "--strict")
    *rows, summary = (json.loads(line) for line in result.stdout.splitlines())
    assert [(r["body"], r["body_id"], r["expected"], r["agrees"]) for r in rows] == [
        ("highfield", "EPA0002", "pass", False), ("highfield", "EPA0002", "distinction", True)]
    assert (summary["summary"]["rows"], result.exit_code) == (2, 1)


def test_an_attempt_left_empty_is_read_as_a_first_attempt_and_the_rule_says_so(tmp_path):
    """In a file with attempt columns an empty attempt cell was read as a first attempt without a word (a file with
    none says so on every row): a grade its body capped after an unrecorded resit was then said not to follow."""
    body = one_version_body()
    path = tmp_path / "attempts.csv"
    path.write_text("ULN,Standard,EPAO,Observation,Project,Discussion,Observation Attempt,Overall\n"
                    f"1,ST0071,{body},Pass,Pass,Pass,,Pass\n"
                    f"2,ST0071,{body},Pass,Pass,Pass,first,Pass\n", encoding="utf-8")
    result = run("audit", str(path), "--format", "csv")
    assert result.exit_code == 0, result.stderr
    empty, given = rows_of(result.stdout)
    assert empty["rule"].endswith("(the row records no attempt for observation, project, discussion: read as first "
                                  "attempts, so no resit or retake cap is applied to them)")
    assert given["rule"].endswith("(the row records no attempt for project, discussion: read as first attempts, so "
                                  "no resit or retake cap is applied to them)")


# --- the README's example and its table of columns ------------------------------------------------------------

def test_the_readme_example_flags_the_rows_it_says(monkeypatch):
    from conftest import EXAMPLES

    bodies = ("tqual", "highfield", "nqual", "gateway_quals")
    if not all(installed(b) for b in bodies):
        pytest.skip("the example names every body of ours")
    result = run("audit", str(EXAMPLES / "st0071-outcomes.csv"), "--format", "csv")
    rows = rows_of(result.stdout)
    assert result.exit_code == 1
    assert [(r["apprentice"], r["expected"], r["agrees"]) for r in rows] == [
        ("E1", "distinction", "true"),  # TQUK: observation-led, 003 § Overall Grading
        ("E2", "pass", "false"),  # Highfield: distinction only with all three, 002 § Grading
        ("E3", "pass", "false"),  # NQual: the rule in words, 000 § Assessment Grading Breakdown
        ("E4", "pass", "false"),  # Gateway Qualifications: capped after a resit, 004 § 4. Re-sits and re-takes
        ("E5", "distinction", "true"),  # Highfield: exceptional circumstances lift the cap, 002
        ("E6", "fail", "true")]


def test_every_name_the_readme_table_lists_is_read_as_its_field():
    from conftest import ROOT
    from epa.inputs import audit_input, columns

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text[text.index("| field | what it holds | also read as |"):]
    table = table[:table.index("\n\n")]
    methods = ("observation", "project", "discussion", "showcase")
    known = audit_input.vocabulary(audit_input._kinds(methods), methods)
    checked = 0
    for line in table.splitlines()[2:]:
        field, _, also = (cell.strip() for cell in line.strip("|").split("|"))
        if field == "*M*":
            wanted = set(methods)
        elif field == "*M*`_attempt`":
            wanted = {f"{m}_attempt" for m in methods}
        else:
            wanted = set(re.findall(r"`([^`]+)`", field)) | ({"candidate_other"} if field == "`apprentice`" else set())
        for name in re.findall(r"`([^`]+)`", also):
            if name not in ("-2", "candidate_other"):
                assert known.get(columns.fold(name)) in wanted, (name, field)
                checked += 1
    assert checked > 20


def test_an_empty_file_is_refused_and_a_header_alone_is_no_rows(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    assert "the file is empty" in fails("audit", str(empty))
    assert run("audit", str(empty), "--format", "csv").stdout == ""  # nothing before the refusal
    header = tmp_path / "header.csv"
    header.write_text("standard,apprentice,body,overall\n", encoding="utf-8")
    result = run("audit", str(header), "--format", "json")
    assert result.exit_code == 0 and json.loads(result.stdout)["summary"]["rows"] == 0


def test_a_month_first_gateway_date_column_is_refused_whole_as_a_cohorts_is(tmp_path):
    """The gateway date chooses the rules in force. In a column that shows itself month first (12/25/2025 has no
    25th month), 03/04/2025 may be 4 March: it is refused, never read day first, and its row is kept as an error
    row; an ISO date in that column does not hang on the order and is read."""
    body = one_version_body()
    path = tmp_path / "us.csv"
    path.write_text("Apprentice ID,Standard,Awarding Body,Gateway Date,Observation,Project,Discussion,Overall Grade\n"
                    f"U1,ST0071,{body},03/04/2025,Pass,Pass,Pass,Pass\n"
                    f"U2,ST0071,{body},12/25/2025,Pass,Pass,Pass,Pass\n"
                    f"U3,ST0071,{body},2025-04-03,Pass,Pass,Pass,Pass\n", encoding="utf-8")
    result = run("audit", str(path), "--format", "json")
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()][:-1]
    assert [r["line"] for r in rows] == [2, 3, 4]
    for row in rows[:2]:
        problems = row["error"].get("problems") or [row["error"]]
        assert [p["column"] for p in problems] == ["Gateway Date"], row
        assert "12/25/2025" in problems[0]["message"]
    assert rows[2]["agrees"] is True


def test_an_id_refused_is_named_once_not_also_said_to_be_empty(tmp_path):
    """A ULN Excel wrote in scientific notation (1.23457E+9: its last digits lost) is refused, naming its column. On
    482b50f the row said two problems, the second that the same cell was "empty: every row needs the apprentice's
    id", which it was not. (compare --batch names the one problem.)"""
    body = one_version_body()
    path = tmp_path / "sci.csv"
    path.write_text("ULN,Standard,Awarding Body,Observation,Project,Discussion,Overall Grade\n"
                    f"1.23457E+9,ST0071,{body},Pass,Pass,Pass,Pass\n", encoding="utf-8")
    result = run("audit", str(path), "--format", "json")
    assert result.exit_code == 2, result.stderr
    error = json.loads(result.stdout.splitlines()[0])["error"]
    assert "problems" not in error and error["column"] == "ULN", error
    assert "scientific notation" in error["message"] and "empty" not in error["message"], error


def test_the_table_of_rejected_rows_says_how_many_more_it_does_not_list(tmp_path):
    """The table lists the first 50 rejected rows (audit.SHOWN), as it lists the first 50 that do not follow, and
    says how many more there are, as that list does. On 482b50f 60 rejected rows were listed 50, and the table ended
    there, as though those were all."""
    body = one_version_body()
    path = tmp_path / "unknown.csv"
    path.write_text("Apprentice ID,Standard,Awarding Body,Observation,Project,Discussion,Overall Grade\n" + "".join(
        f"U{n},ST9999,{body},Pass,Pass,Pass,Pass\n" for n in range(1, 61)), encoding="utf-8")
    result = run("audit", str(path))
    assert result.exit_code == 2, result.stderr
    assert "60 rejected" in result.stdout and "U50" in result.stdout and "U51 " not in result.stdout
    assert "… and 10 more: --format csv lists every row" in result.stdout


def test_a_gateway_date_before_every_version_took_effect_is_said_not_passed_over(tmp_path):
    """Gateway Qualifications' V1.0 took effect in January 2024 (004 § Version and date: "V1.0 January 2024
    Document created"): a row whose gateway was in June 2023 is under no version in force. `epa grade` reads such a record under the earliest
    version and says so (a note); on 482b50f the audit read it so and said nothing, as though 1.0 were in force."""
    if not installed("gateway_quals"):
        pytest.skip("needs Gateway Qualifications, whose ST0071 versions take effect on dates")
    path = tmp_path / "early.csv"
    path.write_text("ULN,Standard,EPAO,Gateway Date,Observation,Project,Discussion,Overall Grade\n"
                    "E1,ST0071,Gateway Qualifications,01/06/2023,Pass,Pass,Pass,Pass\n"
                    "E2,ST0071,Gateway Qualifications,01/06/2024,Pass,Pass,Pass,Pass\n", encoding="utf-8")
    rows = rows_of(run("audit", str(path), "--format", "csv").stdout)
    assert [(r["version"], r["expected"], r["agrees"]) for r in rows] == [("1.0", "pass", "true"), ("1.1", "pass", "true")]
    assert "gateway 2023-06-01 is before the earliest version's effective date (2024-01-01); graded under version " \
           "1.0" in rows[0]["rule"]
    assert "earliest version" not in rows[1]["rule"]


def test_a_row_repeating_the_header_is_one_problem_saying_so(tmp_path):
    """Two outcomes exports joined into one: on 482b50f the repeated header was a row of nine problems, one per
    cell, its apprentice 'Apprentice ID'; it is one problem saying the header repeats, and the rows after it are
    audited."""
    body = one_version_body()
    header = "Apprentice ID,Standard,Awarding Body,Observation,Project,Discussion,Overall Grade"
    row = f"ST0071,{body},Pass,Pass,Pass,Pass"
    path = tmp_path / "joined.csv"
    path.write_text(f"{header}\nA1,{row}\n{header}\nA2,{row}\n", encoding="utf-8")
    result = run("audit", str(path), "--format", "json")
    assert result.exit_code == 2, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()][:-1]
    assert [(r["line"], r["apprentice"], r.get("agrees")) for r in lines] == [(2, "A1", True), (3, None, None),
                                                                              (4, "A2", True)]
    assert lines[1]["error"]["message"].startswith("the row repeats the header's column names")
    assert "problems" not in lines[1]["error"]


def test_an_apprentice_audited_on_two_rows_for_one_standard_is_said(tmp_path):
    """compare --batch says which apprentice ids a cohort gives on more than one row; on 482b50f the audit audited
    and counted a repeated apprentice twice without a word (two exports joined: the counts per body too high)."""
    body = one_version_body()
    row = f"ST0071,{body},Pass,Pass,Pass,Pass"
    path = tmp_path / "twice.csv"
    path.write_text("Apprentice ID,Standard,Awarding Body,Observation,Project,Discussion,Overall Grade\n"
                    f"A1,{row}\nA2,{row}\nA1,{row}\n", encoding="utf-8")
    result = run("audit", str(path), "--format", "json")
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout.splitlines()[-1])["summary"]
    assert summary["rows"] == 3 and summary["agree"] == 3  # each row audited on its own
    said = "1 apprentice is audited on more than one row for one standard, each row audited and counted on its own " \
           "(never merged): 'A1' (ST0071) on lines 2, 4"
    assert said in summary["notes"] and said in result.stderr.replace("\n", " ")
    path.write_text("Apprentice ID,Standard,Awarding Body,Observation,Project,Discussion,Overall Grade\n"
                    f"A1,{row}\nA2,{row}\n", encoding="utf-8")
    assert "more than one row" not in run("audit", str(path), "--format", "json").stdout


def test_a_uln_of_minus_2_is_not_said_to_be_empty(tmp_path):
    """Ofqual's file format writes -2 for a ULN that is not available (audit_input's module doc): a row with it and no
    other identifier has no id, and the row says the cell holds -2; on 482b50f it said the cell was empty."""
    body = one_version_body()
    path = tmp_path / "na.csv"
    path.write_text("ULN,CandidateIdentifierOther,Standard,Awarding Body,Observation,Project,Discussion,Overall Grade\n"
                    f"-2,,ST0071,{body},Pass,Pass,Pass,Pass\n,,ST0071,{body},Pass,Pass,Pass,Pass\n"
                    f"-2,C-7,ST0071,{body},Pass,Pass,Pass,Pass\n", encoding="utf-8")
    rows = rows_of(run("audit", str(path), "--format", "csv").stdout)
    assert rows[0]["error"] == "(column ULN) -2 (Ofqual's value for no ULN), and CandidateIdentifierOther is empty: " \
                               "every row needs the apprentice's id (a ULN, or another identifier)"
    assert rows[1]["error"].startswith("(column ULN) empty: every row needs the apprentice's id")
    assert (rows[2]["apprentice"], rows[2]["agrees"]) == ("C-7", "true")


def test_a_month_first_file_piped_in_is_refused_whole_as_the_same_file_named_is(tmp_path):
    """Standard input from a pipe cannot be read twice, so on 482b50f its dates were read row by row: 03/04/2025
    above the 12/25/2025 that shows the file month first was read as 3 April (and 03/04/2025 below it too), where
    the same file named was refused whole. It is held (as compare --batch holds a piped cohort), so both agree."""
    body = one_version_body()
    text = ("Apprentice ID,Standard,Awarding Body,Gateway Date,Observation,Project,Discussion,Overall Grade\n"
            f"U1,ST0071,{body},03/04/2025,Pass,Pass,Pass,Pass\n"
            f"U2,ST0071,{body},12/25/2025,Pass,Pass,Pass,Pass\n"
            f"U3,ST0071,{body},03/04/2025,Pass,Pass,Pass,Pass\n")
    path = tmp_path / "us.csv"
    path.write_text(text, encoding="utf-8")
    named = run("audit", str(path), "--format", "csv")
    piped = subprocess.run([sys.executable, "-m", "epa", "audit", "-", "--format", "csv"], input=text.encode(),
                           capture_output=True, timeout=120, check=False)
    assert piped.returncode == named.exit_code == 2, piped.stderr
    rows = rows_of(piped.stdout.decode())
    assert [r["line"] for r in rows] == ["2", "3", "4"]
    assert all("12/25/2025" in r["error"] and r["expected"] == "" for r in rows), rows
    assert piped.stdout.decode() == named.stdout


@pytest.mark.parametrize("width", ["60", "80", "200"])
def test_the_table_never_breaks_a_word_at_any_width(monkeypatch, width):
    """As every table of epa's (README: "words are never broken"): a rule's words, each whole, at any width."""
    if not any(installed(b) for b in ("highfield", "nqual", "gateway_quals")):  # (TQUK's rows there follow)
        pytest.skip("needs Highfield, NQual or Gateway Qualifications installed: the example's rows that do not "
                    "follow their body's rules are theirs")
    example = Path(__file__).resolve().parent.parent / "examples" / "st0071-outcomes.csv"
    rows = [json.loads(line) for line in run("audit", str(example), "--format", "json").stdout.splitlines()][:-1]
    words = {w for r in rows if not r.get("agrees", True) for w in re.sub(r" ?\(“[^”]*”\)", "", r["rule"]).split()}
    assert words, "the example has rows that do not follow"
    monkeypatch.setenv("COLUMNS", width)
    table = run("audit", str(example)).stdout
    assert all(w in table for w in words if len(w) < int(width) - 20), [w for w in words if w not in table]


def test_a_standard_no_chosen_body_offers_is_not_said_to_be_offered_by_none_installed(tmp_path):
    """With --bodies leaving out every body offering the row's standard, "none installed" would be false."""
    loaded = registry().bodies
    offering = {b.body.id for b in loaded if "ST0072" in b.body.standards}
    others = [b.body.id for b in loaded if b.body.id not in offering]
    if not offering or not others:
        pytest.skip("needs an installed body offering ST0072 and one that does not")
    path = tmp_path / "outcomes.csv"
    path.write_text("ULN,StandardID,AwardingOrganisation,Observation,Project,Discussion,Overall\n"
                    f"1,ST0072,{others[0]},Pass,Pass,Pass,Pass\n", encoding="utf-8")
    (row,) = rows_of(run("--bodies", others[0], "audit", str(path), "--format", "csv").stdout)
    assert f"{others[0]} does not offer ST0072" in row["error"] and "none installed" not in row["error"]
    assert "none among those chosen with --bodies (or EPA_BODIES)" in row["error"]


@pytest.mark.parametrize("later", ["Observation Grade 2", "Observation Resit Grade", "Second Observation Grade"])
def test_a_later_attempt_s_grade_column_is_refused_not_audited_on_the_first_attempt(tmp_path, later):
    """A row whose observation failed and was resat at a pass, the pass in a column of its own: read on the first
    attempt's grade alone, TQUK's row "A fail in any assessment component will result in a fail overall"
    (003 § Overall Grading) would call the recorded pass wrong. The file is refused, naming the column; mapped as
    its hint says (the later grade read as the observation's), the row follows: Pass, Pass, Pass gives Pass."""
    if not installed("tqual"):
        pytest.skip("needs TQUK's rules installed")
    path = tmp_path / "outcomes.csv"
    path.write_text("Apprentice ID,Standard,EPAO,Gateway Date,Observation Grade,"
                    f"{later},Project Grade,Discussion Grade,Overall Grade\n"
                    "E1,ST0071,TQUK,03/03/2025,Fail,Pass,Pass,Pass,Pass\n", encoding="utf-8")
    refused = run("audit", str(path), "--format", "csv")
    assert refused.exit_code == 2 and refused.stdout == ""
    assert f"'{later}' (column 6) holds a later attempt at observation" in refused.stderr
    mapped = run("audit", str(path), "--format", "csv", "--column", "Observation Grade=",
                 "--column", f"{later}=observation")
    assert mapped.exit_code == 0, mapped.stderr
    row = next(csv.DictReader(io.StringIO(mapped.stdout)))
    assert (row["recorded"], row["expected"], row["agrees"]) == ("pass", "pass", "true")


def test_a_row_not_graded_yet_is_neither_audited_nor_rejected(tmp_path):
    """An export taken while EPAs are in progress holds rows booked or assessed in part, their overall grade not yet
    recorded (the grade hint says to leave such a cell empty). Such a row records nothing to audit: it is neither a
    rejected row (exit 2, 'every row needs the overall grade recorded', before this session) nor a disagreement. Where
    every component's grade is recorded, what the body's rules give is shown beside it (the grade to record). By
    hand: three passes combine to pass under every body's rules (each document: a pass in every method is a pass)."""
    body = one_version_body()
    path = tmp_path / "in-progress.csv"
    path.write_text("Apprentice ID,Standard,Awarding Body,Observation,Project,Discussion,Overall Grade\n"
                    f"G1,ST0071,{body},Pass,Pass,Pass,Pass\n"    # graded: follows
                    f"G2,ST0071,{body},Pass,Pass,Pass,\n"        # every component graded, the overall not yet
                    f"G3,ST0071,{body},Pass,,,\n"               # assessed in part
                    f"G4,ST0071,{body},,,,\n", encoding="utf-8")  # booked
    result = run("audit", str(path), "--format", "json")
    assert result.exit_code == 0, result.stdout + result.stderr
    *rows, last = (json.loads(line) for line in result.stdout.splitlines())
    summary = last["summary"]
    assert (summary["rows"], summary["agree"], summary["disagree"], summary["not_graded"], summary["rejected"]) == (
        4, 1, 0, 3, 0)
    assert [(r["recorded"], r["agrees"], r["expected"]) for r in rows] == [
        ("pass", True, "pass"), (None, None, "pass"), (None, None, None), (None, None, None)]
    assert all(r["rule"].startswith("not graded yet: the row records no overall grade") for r in rows[1:])
    assert rows[2]["components"] == {"observation": "pass", "project": None, "discussion": None}
    table = run("audit", str(path))
    assert table.exit_code == 0 and "3 not graded yet" in table.stdout


def test_a_row_not_graded_yet_with_a_problem_is_rejected_for_that_problem_alone(tmp_path):
    body = one_version_body()
    path = tmp_path / "in-progress.csv"
    path.write_text("Apprentice ID,Standard,Awarding Body,Observation,Project,Discussion,Overall Grade\n"
                    f"G1,ST0071,{body},Merit,,,\n", encoding="utf-8")
    result = run("audit", str(path), "--format", "csv")
    assert result.exit_code == 2
    row = result.stdout.splitlines()[1]
    assert "(column Observation)" in row and "overall grade" not in row


def test_a_row_whose_epa_ended_without_a_grade_is_not_audited_said_so_and_counted(tmp_path):
    """An export holds rows whose overall grade's cell records what became of the EPA: Withdrawn, Void, Cancelled,
    Deferred, Break in learning. On 0ff2ba6 each was a rejected row ("'Withdrawn' is not a grade", exit 2, with a
    hint to leave the cell empty). A regulator wants them neither rejected (the row is not wrong) nor dropped: each
    row says it is not audited and why, and the summary counts them by status. 'Booked' reads as not graded yet.
    By hand: three passes combine to pass under every body's rules (each document: a pass in every method)."""
    body = one_version_body()
    path = tmp_path / "ended.csv"
    path.write_text("ULN,StandardID,EPAO,Observation Grade,Project Grade,Discussion Grade,Overall Grade\n"
                    f"1,ST0071,{body},Pass,Pass,Pass,Withdrawn\n"
                    f"2,ST0071,{body},,,,VOID\n"
                    f"3,ST0071,{body},Pass,,,Cancelled\n"
                    f"4,ST0071,{body},,,,deferred\n"
                    f"5,ST0071,{body},Pass,,,Break in Learning\n"
                    f"6,ST0071,{body},Pass,Pass,Pass,Booked\n"
                    f"7,ST0071,{body},Pass,Pass,Pass,Pass\n"
                    f"8,ST0071,{body},,,,Withdrawn\n", encoding="utf-8")
    result = run("audit", str(path), "--format", "json")
    assert result.exit_code == 0, result.stdout + result.stderr
    *rows, last = (json.loads(line) for line in result.stdout.splitlines())
    summary = last["summary"]
    assert (summary["rows"], summary["agree"], summary["not_graded"], summary["not_audited"], summary["rejected"]) == (
        8, 1, 1, 6, 0)
    assert summary["not_audited_by_status"] == {"break in learning": 1, "cancelled": 1, "deferred": 1, "void": 1,
                                                "withdrawn": 2}
    assert summary["bodies"][body]["not_audited"] == 6
    assert [r.get("status") for r in rows] == ["withdrawn", "void", "cancelled", "deferred", "break in learning",
                                               "not graded yet", None, "withdrawn"]
    for r in rows[:5] + rows[7:]:
        assert (r["recorded"], r["agrees"], r["expected"]) == (None, None, None), r
        assert r["rule"].startswith("not audited: the row records the EPA as "), r
    assert rows[5]["rule"].startswith("not graded yet: the row records 'Booked'") and rows[5]["expected"] == "pass"
    table = run("audit", str(path))
    assert table.exit_code == 0
    assert "6 not audited (break in learning 1, cancelled 1, deferred 1, void 1, withdrawn 2)" in \
        " ".join(table.stdout.split())
    assert "not audited" in table.stdout.split("Per body", 1)[1]


def test_a_component_booked_and_not_graded_yet_is_read_as_a_cohort_reads_it(tmp_path):
    """A component's grade cell saying it is not graded yet ('Pending', 'TBC') says no grade, as an empty cell does
    and as a cohort's grade column reads it (columns.NOT_GRADED_YET, one list for both readers). Before, the
    outcomes reader refused the row ("'Pending' is not a grade", exit 2) where the cohort reader read the same cell
    as a booking. By hand: a row with a component not graded and no overall grade is not graded yet; an empty cell
    in its place gives the same row."""
    body = one_version_body()
    path = tmp_path / "pending.csv"
    path.write_text("ULN,StandardID,EPAO,Observation Grade,Project Grade,Discussion Grade,Overall Grade\n"
                    f"1,ST0071,{body},Pending,Pass,Pass,\n"
                    f"2,ST0071,{body},Pass,TBC,Pass,Awaiting Result\n"
                    f"3,ST0071,{body},,Pass,Pass,\n", encoding="utf-8")
    result = run("audit", str(path), "--format", "json")
    assert result.exit_code == 0, result.stdout + result.stderr
    *rows, last = (json.loads(line) for line in result.stdout.splitlines())
    assert (last["summary"]["not_graded"], last["summary"]["rejected"]) == (3, 0)
    assert [r["components"]["observation"] for r in rows] == [None, "pass", None]
    assert rows[1]["components"]["project"] is None
    assert rows[0]["rule"] == rows[2]["rule"]


def test_an_overall_grade_beside_a_component_not_graded_yet_is_refused_quoting_the_cell(tmp_path):
    """A row recording an overall grade while a component's cell says it is not graded yet ('Pending') cannot be
    audited: every body combines the overall grade from every component. Before, the error called the cell "empty"
    (the word read as no grade, then reported as a blank cell), which sends the user looking for a blank that is
    not there. The error quotes the cell and says what is wrong; an empty cell keeps its own wording."""
    body = one_version_body()
    path = tmp_path / "pending.csv"
    path.write_text("ULN,StandardID,EPAO,Observation Grade,Project Grade,Discussion Grade,Overall Grade\n"
                    f"1,ST0071,{body},Pending,Pass,Pass,Pass\n"
                    f"2,ST0071,{body},,Pass,Pass,Pass\n", encoding="utf-8")
    result = run("audit", str(path), "--format", "json")
    assert result.exit_code == 2, result.stdout + result.stderr
    pending, empty, last = (json.loads(line) for line in result.stdout.splitlines())
    assert last["summary"]["rejected"] == 2
    said = pending["error"]
    assert said["column"] == "Observation Grade"
    assert said["message"].startswith("'Pending' says the observation is not graded yet, but the row records an "
                                      "overall grade (pass)"), said["message"]
    assert "empty" not in said["message"] and "overall grade empty" in said["hint"]
    assert empty["error"]["column"] == "Observation Grade" and empty["error"]["message"].startswith("empty:")


def test_a_gateway_date_column_named_with_its_format_is_read(tmp_path):
    """As a cohort's: "Gateway Date (dd/mm/yyyy)" is the gateway date (it was a column not read, so a body with two
    versions could not tell which a row's date falls under)."""
    body = one_version_body()
    path = tmp_path / "dated.csv"
    path.write_text("ULN,StandardID,EPAO,Gateway Date (dd/mm/yyyy),Observation Grade,Project Grade,Discussion Grade,"
                    f"Overall Grade\n1,ST0071,{body},03/03/2025,Pass,Pass,Pass,Pass\n", encoding="utf-8")
    result = run("audit", str(path), "--format", "csv")
    assert "Gateway Date" not in result.stderr  # (no note of a column not read)
    assert rows_of(result.stdout)[0]["error"] == ""


def test_a_word_that_is_neither_a_grade_nor_a_status_is_refused_naming_the_statuses(tmp_path):
    body = one_version_body()
    path = tmp_path / "odd.csv"
    path.write_text("ULN,StandardID,EPAO,Observation Grade,Project Grade,Discussion Grade,Overall Grade\n"
                    f"1,ST0071,{body},Pass,Pass,Pass,Unsuccessful\n", encoding="utf-8")
    result = run("audit", str(path), "--format", "csv")
    assert result.exit_code == 2
    (row,) = rows_of(result.stdout)
    assert "'Unsuccessful' is not a grade" in row["error"] and "withdrawn, void, cancelled, deferred" in row["error"]


# --- the assessment plan version a row records ------------------------------------------------------------------

PLAN_HEADER = "ULN,StandardID,EPAO,Gateway Date,Observation,Project,Discussion,Overall Grade,AssessmentPlanVersionNumber\n"


def test_the_plan_version_chooses_the_rules_written_for_it_not_the_gateway_date(tmp_path):
    """Gateway Qualifications' V1.1 is written for "Assessment plan version ST0071/V1.1" (004 § 1.1 About this
    standard specification) and its change log's pg5 says the plan version was "updated to ST0071/V1.1" from V1.0's.
    An EPA recorded under plan V1.0 with a June 2024 gateway (V1.1 in force from May 2024) was audited under V1.1 on
    0ff2ba6, and a row with a plan version and no gateway date was refused as having nothing to choose a version by.
    Both versions combine alike (004 § 2.7: three passes are a pass), so each row follows."""
    if not installed("gateway_quals"):
        pytest.skip("needs Gateway Qualifications' rules (two versions, for plans V1.0 and V1.1) installed")
    path = tmp_path / "plans.csv"
    path.write_text(PLAN_HEADER + "1,ST0071,Gateway Qualifications,03/06/2024,Pass,Pass,Pass,Pass,1.0\n"
                    "2,ST0071,Gateway Qualifications,03/06/2024,Pass,Pass,Pass,Pass,ST0071/V1.1\n"
                    "3,ST0071,Gateway Qualifications,,Pass,Pass,Pass,Pass,1\n", encoding="utf-8")
    result = run("audit", str(path), "--format", "csv")
    assert result.exit_code == 0, result.stdout + result.stderr
    rows = rows_of(result.stdout)
    assert [(r["version"], r["agrees"]) for r in rows] == [("1.0", "true"), ("1.1", "true"), ("1.0", "true")]
    assert "the row's assessment plan version 1.0 chooses version 1.0" in rows[0]["rule"]
    assert "would choose version 1.1" in rows[0]["rule"]


def test_a_plan_version_no_installed_rules_are_written_for_is_refused_not_audited_under_another(tmp_path):
    """Highfield's kit is for "ST0071 / v1.3" (002 § Versions:), TQUK's for ST0071 "Version: 1.2" (003 § Key
    Information), Gateway Qualifications' for V1.0 and V1.1. An EPA under another plan version was audited under
    those rules on 0ff2ba6, and said to follow: a verdict the documents cannot give."""
    written = {"highfield": "1.3", "tqual": "1.2", "gateway_quals": "1.1"}
    body = next((b for b in written if installed(b)), None)
    if body is None:
        pytest.skip("needs Highfield's, TQUK's or Gateway Qualifications' rules installed")
    path = tmp_path / "plans.csv"
    path.write_text(PLAN_HEADER + f"1,ST0071,{body},03/06/2024,Pass,Pass,Pass,Pass,9.9\n"
                    f"2,ST0071,{body},03/06/2024,Pass,Pass,Pass,Pass,ST0072/{written[body]}\n"
                    f"3,ST0071,{body},03/06/2024,Pass,Pass,Pass,Pass,next\n"
                    f"4,ST0071,{body},03/06/2024,Pass,Pass,Pass,Pass,v{written[body]}\n", encoding="utf-8")
    result = run("audit", str(path), "--format", "csv")
    assert result.exit_code == 2
    rows = rows_of(result.stdout)
    assert rows[0]["error"].startswith(f"(column AssessmentPlanVersionNumber) '9.9': {body}'s ST0071 rules are "
                                       "written for assessment plan version")
    assert f"{written[body]} (version" in rows[0]["error"] and '--column "AssessmentPlanVersionNumber="' in \
        rows[0]["error"]
    assert "is a version of ST0072's assessment plan, but the row's standard is ST0071" in rows[1]["error"]
    assert "'next' is not an assessment plan version" in rows[2]["error"]
    assert (rows[3]["agrees"], rows[3]["error"]) == ("true", "")


def test_a_plan_version_a_document_does_not_state_is_said_not_checked(tmp_path):
    """NQual's support packs name the standard with "(V1.2)" beside it but state no assessment plan version as such:
    the row's is not checked, and its rule says so, never silently."""
    if not installed("nqual"):
        pytest.skip("needs NQual's rules installed")
    path = tmp_path / "plans.csv"
    path.write_text(PLAN_HEADER + "1,ST0071,NQual,03/06/2024,Pass,Pass,Pass,Pass,1.2\n", encoding="utf-8")
    (row,) = rows_of(run("audit", str(path), "--format", "csv").stdout)
    assert row["agrees"] == "true"
    assert "nqual's document states no assessment plan version for its ST0071 rules, so the row's plan version 1.2 " \
           "is not checked against them" in row["rule"]


# --- how a cap is said --------------------------------------------------------------------------------------------

CAP_HEADER = ("ULN,StandardID,EPAO,Gateway Date,Observation,Project,Discussion,Observation Attempt,Project Attempt,"
              "Discussion Attempt,Overall Grade\n")


def test_a_cap_that_changes_nothing_is_not_said_to_cap_the_grade(tmp_path):
    """TQUK 003 § Resits and Retakes: "If a resit or retake is required, the overall EPA grade will be capped at a
    pass" (NQual and Gateway Qualifications: "a maximum EPA grade of pass"): a maximum. A resit graded fail gives fail
    overall (a fail in any method is a fail, each document's table), and a pass stays a pass: on 0ff2ba6 both rows
    read "...gives fail; observation resit: overall grade capped at pass", as though the grade had been capped. A
    distinction the cap lowers is said to become pass, once (not "capped at pass; distinction capped at pass")."""
    body = next((b for b in ("tqual", "nqual") if installed(b)), None)
    if body is None:
        pytest.skip("needs TQUK's or NQual's rules (one version, an overall cap) installed")
    path = tmp_path / "caps.csv"
    path.write_text(CAP_HEADER + f"1,ST0071,{body},03/03/2025,Fail,Pass,Pass,resit,first,first,Fail\n"
                    f"2,ST0071,{body},03/03/2025,Pass,Pass,Pass,resit,first,first,Pass\n"
                    f"3,ST0071,{body},03/03/2025,Distinction,Distinction,Distinction,resit,first,first,Pass\n",
                    encoding="utf-8")
    result = run("audit", str(path), "--format", "csv")
    assert result.exit_code == 0, result.stdout + result.stderr
    fail, passed, lowered = rows_of(result.stdout)
    assert fail["rule"].endswith("observation resit: overall grade capped at pass, which changes nothing here: the "
                                 "combination's fail is not above pass"), fail["rule"]
    assert passed["rule"].endswith("the combination's pass is not above pass"), passed["rule"]
    assert lowered["rule"].endswith("so the combination's distinction becomes pass"), lowered["rule"]
    assert "; distinction capped at pass" not in lowered["rule"]


def test_a_cap_on_the_resit_s_own_grade_names_the_grade_recorded_before_the_combination(tmp_path):
    """Highfield 002 § Retake and resit information: "The maximum grade awarded to a resit will be pass": the resat
    method's own grade, before the combination (its table, § Grading, then gives D,D,D distinction and P,D,D pass).
    On 0ff2ba6 the rule began "observation=pass, ..." for a row recording the observation's resit at distinction,
    the cap said after the combination it had changed."""
    if not installed("highfield"):
        pytest.skip("needs Highfield's rules installed")
    path = tmp_path / "caps.csv"
    path.write_text(CAP_HEADER + "1,ST0071,Highfield,03/03/2025,Distinction,Distinction,Distinction,resit,first,first,"
                    "Pass\n1,ST0071,Highfield,03/03/2025,Fail,Pass,Pass,resit,first,first,Fail\n", encoding="utf-8")
    lowered, fail = rows_of(run("audit", str(path), "--format", "csv").stdout)
    assert (lowered["expected"], lowered["agrees"]) == ("pass", "true")
    # (a cap on the resit's own grade is the tool's reading of that sentence, and says so: test_regulators_claims)
    read = "(on the tool's reading: highfield-resit-cap-resit-only, highfield-maximum-grade-of-a-resit)"
    assert lowered["rule"].startswith(f"observation resit: its own grade capped at pass {read}, so the observation's "
                                      "distinction recorded counts as pass in the combination; observation=pass, "
                                      "project=distinction, discussion=distinction: printed row"), lowered["rule"]
    assert fail["rule"].endswith(f"observation resit: its own grade capped at pass {read}, which changes nothing "
                                 "here: no grade recorded for it is above pass"), fail["rule"]
