"""epa consistency: every divergence between the bodies offering a standard, each proven by a witness record."""

from __future__ import annotations

import datetime as dt
import functools
import json

import attrs
import jsonschema
import pytest
import yaml

from epa import scaffold
from epa.consistency import analyse
from epa.errors import InputError
from epa.inputs.documents import schema
from epa.model.domain import ComponentRule, Grade
from epa.registry import Registry, core_standards
from epa.rules.load import load_ruleset
from epa.testing import fails, installed, make_plugin, registry, requires, run

ST0071 = "ST0071"
FOUR = ("gateway_quals", "highfield", "nqual", "tqual")


@functools.cache
def report(standard: str = ST0071, bodies: tuple[str, ...] | None = None) -> dict:
    """The analysis of every installed body offering the standard, or of the bodies named."""
    offering = [b for b in registry().bodies if standard in b.body.standards]
    if not offering:
        pytest.skip(f"no installed body offers {standard}")
    return analyse(registry(), standard, list(bodies) if bodies else None)


def finding(finding_id: str) -> dict:
    """A finding of the analysis of our four bodies (the documents' divergences, whatever else is installed)."""
    findings = report(ST0071, FOUR)["findings"]
    found = [f for f in findings if f["id"] == finding_id]
    assert found, f"no finding {finding_id!r} among {[f['id'] for f in findings]}"
    return found[0]


def side_of(f: dict, body: str) -> dict:
    return next(s for s in f["sides"] if body in s["bodies"])


def test_the_report_matches_its_schema():
    jsonschema.Draft202012Validator(schema("consistency")).validate(report())
    ids = [f["id"] for f in report()["findings"]]
    assert len(ids) == len(set(ids))
    # each body's recorded ambiguities stand beside the findings
    for body in report()["bodies"]:
        rules = registry().body(body["id"]).ruleset(ST0071)
        assert [a["id"] for a in body["ambiguities"]] == [a.id for a in rules.ambiguities]


def value_in(result: dict, row: str, compared: dict | None = None):
    """A body's value on a row of `epa compare --format json` (``compared``: the whole answer, for a deadline's or
    a check's row: the body's verdict where the bodies' differ, None where it gives none)."""
    if row.startswith(("deadline:", "check:")):
        return ((compared or {}).get("journey_differences", {}).get(row, {}).get(result["body"]) or {}).get("verdict")
    if row == "overall":
        return result["overall"]
    if row == "gateway_ready":
        return result["gateway"]["ready"]
    if row in ("capped", "full_retake_required"):
        return result[row]
    return result["components"].get(row)


def event_verdict(result: dict, event: str) -> str | None:
    """A body's worst verdict on an event's deadlines in its `epa compare` result (its rules' ids on the event, in
    any of its versions; for 'resit' its resit windows, for 'rework' its rework deadlines, each deadline's id its
    rule's, then the failed method's): a required miss, then advice missed, unknown, open, met; None where it sets
    none."""
    rulesets = [r for r in registry().body(result["body"]).body.rulesets_for(ST0071) if r.journey]
    ids = {d.id for r in rulesets for d in r.journey.deadlines if d.event == event}
    # a method's attempt counted from the event's day (TQUK's interview two weeks after the report) governs it too
    ids |= {d.id for r in rulesets for d in r.journey.deadlines if d.from_ == event and d.event in r.method_ids}
    ids |= {w.id for r in rulesets if r.journey.resit for w in (
        r.journey.resit.windows if event == "resit" else r.journey.resit.rework if event == "rework" else ())}
    given = [d["status"] + (" (advice)" if d["strength"] == "advice" and d["status"] == "missed" else "")
             for d in result["deadlines"] if d["id"].split(".")[0] in ids]
    order = ("missed", "missed (advice)", "unknown", "open", "met")
    return min(given, key=order.index) if given else None


# The divergences issue 19 lists that a record can show (with the four bodies' documents), each with its witness:
# the portfolio's deadline before the discussion, gateway evidence item by item (by outcome), the observation's
# duration and questioning limits, and whether its questioning is inside its duration (a check's verdict).
SHOWN_BY_A_RECORD = ("deadlines.portfolio-before-discussion", "gateway.evidence.photo-id",
                     "gateway.evidence.project-proposal", "tolerances.observation.duration-minutes",
                     "tolerances.observation.questioning-minutes", "conduct.questioning-in-duration.observation")


def test_every_witness_reproduces_its_finding_through_epa_compare(tmp_path):
    witnessed = [f for f in report()["findings"] if f["witness"] and f["shows"]]
    assert witnessed or len(report()["bodies"]) < 2
    if set(FOUR) <= {b["id"] for b in report()["bodies"]}:
        assert set(SHOWN_BY_A_RECORD) <= {f["id"] for f in witnessed}
    for i, f in enumerate(witnessed):
        path = tmp_path / f"witness-{i}.json"
        path.write_text(json.dumps(f["witness"]), encoding="utf-8")
        bodies = sorted({label.split("@")[0] for label in f["shows"]["values"]})
        result = run("--bodies", ",".join(bodies), "compare", str(path), "--format", "json")
        assert result.exit_code == 0, (f["id"], result.stderr)
        out = result.json()
        if "rules" in f["shows"]:
            # one body's deadlines disagreeing (a self-consistency finding): compare gives each one's verdict
            [label] = f["shows"]["values"]
            [mine] = [r for r in out["results"] if r["body"] == label.split("@")[0]]
            given = {d["id"]: d["status"] + (" (advice)" if d["strength"] == "advice" and d["status"] == "missed"
                                             else "") for d in mine["deadlines"]}
            assert {i: given.get(i) for i in f["shows"]["rules"]} == f["shows"]["rules"], f["id"]
            assert len(set(f["shows"]["rules"].values())) > 1, f["id"]
            continue
        if f["shows"]["row"].count(":") == 1:
            # an event's row (deadline:EVENT): each body's deadlines on the event, whatever dates they count from,
            # are among its `deadlines` in compare's results; its verdict is the worst of them, and compare marks the
            # row with those verdicts, or, where a row of the event's own (one anchor) tells the same split, that row
            got = {r["body"]: event_verdict(r, f["shows"]["row"].split(":")[1]) for r in out["results"]}
            assert {label.split("@")[0]: v for label, v in f["shows"]["values"].items()} == got, f["id"]
            assert len({v for v in got.values() if v is not None}) > 1, f["id"]
            rows = [row for row in out["differences"]
                    if row == f["shows"]["row"] or row.startswith(f["shows"]["row"] + ":")]
            marked = [{b: v["verdict"] for b, v in out["journey_differences"][row].items()} for row in rows]
            assert {b: v for b, v in got.items() if v is not None} in marked, f["id"]
            continue
        assert f["shows"]["row"] in out["differences"], f["id"]
        got = {r["body"]: value_in(r, f["shows"]["row"], out) for r in out["results"]}
        assert {label.split("@")[0]: v for label, v in f["shows"]["values"].items()} == got, f["id"]


# --- the divergences the documents state (each expected value from the documents) ---------------------------



@requires(*FOUR)
def test_tquk_observation_led_overall_grade():
    # 003 § Overall Grading, as read: with no fail, the overall grade follows the observation; 000, 002 and 004
    # need a distinction in every method (or print no row making observation D, project P, discussion P a D).
    f = finding("grading.overall")
    assert side_of(f, "tqual")["bodies"] == ["tqual"] and side_of(f, "tqual")["says"] == "distinction"
    assert set(side_of(f, "highfield")["bodies"]) == {"gateway_quals", "highfield", "nqual"}
    assert f["shows"]["values"]["tqual"] == "distinction" and f["cases"] == 3  # D/P/P, D/P/D, D/D/P
    assert [a["grade"] for a in f["witness"]["assessments"]] == ["distinction", "pass", "pass"]
    assert side_of(f, "tqual")["citations"]["tqual"] == ["003_3692b76548845e1c.txt § Overall Grading"]


@requires(*FOUR)
def test_the_overall_grade_finding_shows_the_table_readings_it_rests_on():
    # 003 § Overall Grading prints a garbled table ("Pass Pass Pass Pass / Distinction Distinction / Distinction Pass
    # Pass Distinction / Distinction Distinction"); which rows it prints is the tool's reading (ambiguity
    # tqual-overall-grading-table-garbled), and so is NQual's overall grade for D/P/D and D/D/P, two of the finding's
    # three inputs, which 000 § Assessment Grading Breakdown prints no row for (nqual-combination-table-incomplete).
    # A divergence that rests on a reading shows it beside the side it decides, not the document's words alone.
    f = finding("grading.overall")
    # Each reading names the finding's combinations it decides, and no other: NQual's, the two its table leaves out
    # (it prints D/P/P: "Distinction Pass Pass Pass"); TQUK's, the two the other reading of its table (two sub-rows
    # under merged cells: P/P/P, P/D/D, D/P/P, D/D/D) leaves undecided, not D/P/P, which both readings print.
    decided = ("(decides 2 of this finding's 3 combinations: observation distinction, project pass, discussion "
               "distinction; observation distinction, project distinction, discussion pass): ")
    assert any(r.startswith(f"tqual-overall-grading-table-garbled {decided}") for r in side_of(f, "tqual")["readings"])
    assert any(r.startswith(f"nqual-combination-table-incomplete {decided}") for r in side_of(f, "nqual")["readings"])
    # Gateway Qualifications' garbled fail row (A fail in any method: fail, as every body reads it) is no reading
    # a split between distinction and pass rests on.
    assert not any(r.startswith("gateway-quals-combination-fail-row-garbled: ")
                   for side in f["sides"] for r in side["readings"])


@requires(*FOUR)
def test_gateway_qualifications_project_distinction_criteria():
    # 004 § Appendix 2 grades one project distinction descriptor (K1.3); 002's project lists nine.
    f = finding("criteria.project.distinction-set")
    assert side_of(f, "gateway_quals")["bodies"] == ["gateway_quals"]
    assert "(K1.3)" in side_of(f, "gateway_quals")["says"]
    assert side_of(f, "highfield")["says"] == "9 distinction criteria"
    assert f["shows"] == {"row": "project", "values": {"gateway_quals": "distinction", "highfield": "pass",
                                                       "nqual": "pass", "tqual": "pass"}}


@requires(*FOUR)
def test_professional_image_distinction_in_some_discussions_only():
    # 000 and 004 grade "...their professional image and its relationship with the organisation's brand" as a
    # discussion distinction; 002 and 003 have no such criterion.
    f = finding("criteria.x.professional-image")
    assert set(side_of(f, "nqual")["bodies"]) == {"gateway_quals", "nqual"}
    assert side_of(f, "nqual")["says"] == "discussion, distinction"
    assert set(side_of(f, "tqual")["bodies"]) == {"highfield", "tqual"} and side_of(f, "tqual")["says"] == "not assessed"


@requires(*FOUR)
def test_nqual_places_complex_issues_and_challenging_situations_elsewhere():
    # S1.5 (complex customer service issues): NQual's observation table (000); the others' discussion.
    # S2.3 (challenging and complicated situations): NQual's discussion descriptors; the others' observation.
    s15, s23 = finding("criteria.s1.5"), finding("criteria.s2.3")
    assert side_of(s15, "nqual") == {**side_of(s15, "nqual"), "bodies": ["nqual"], "says": "observation, pass"}
    assert side_of(s23, "nqual")["bodies"] == ["nqual"] and side_of(s23, "nqual")["says"] == "discussion, pass"
    # Gateway Qualifications V1.0 (January 2024) still assessed S1.5 in the observation, as NQual does; V1.1 moved it
    # (004 § change log): for gateways before 1 May 2024 it sides with NQual.
    v10 = finding("criteria.s1.5.gateway-quals-v1.0")
    assert set(side_of(v10, "nqual")["bodies"]) == {"gateway_quals@1.0", "nqual"}
    assert v10["witness"]["document_versions"] == {"gateway_quals": "1.0"}


@requires(*FOUR)
def test_resit_windows_caps_and_exceptional_circumstances():
    windows = finding("resits.windows")
    assert "3 months from fail notified" in side_of(windows, "gateway_quals")["says"]
    assert "12 months" in side_of(windows, "highfield")["says"] and "12 months" in side_of(windows, "nqual")["says"]
    cap = finding("resits.cap")
    # 000 § Re-sit / Re-take: "the apprentice will be awarded a maximum EPA grade of Pass", no exception named: the
    # report said "not lifted by exceptional circumstances" as though the pack had ruled them out
    assert side_of(cap, "nqual")["says"].endswith(
        "not lifted by exceptional circumstances (the document names no exception)")
    assert ", lifted by exceptional circumstances" in side_of(cap, "gateway_quals")["says"]
    # A resit more than three months after the fail: only Gateway Qualifications requires the whole EPA again.
    late = [f for f in report(ST0071, FOUR)["findings"] if f["area"] == "resits" and f["shows"]
            and f["shows"]["row"] == "full_retake_required" and f["shows"]["values"].get("gateway_quals") is True]
    assert late and side_of(late[0], "gateway_quals")["bodies"] == ["gateway_quals"]
    # With exceptional circumstances, NQual alone keeps the cap.
    kept = [f for f in report(ST0071, FOUR)["findings"] if f["area"] == "resits" and f["shows"] and f["shows"]["row"] == "capped"
            and side_of(f, "nqual")["bodies"] == ["nqual"] and side_of(f, "nqual")["says"] == "capped at pass"]
    assert kept and all(a.get("exceptional_circumstances") for a in kept[0]["witness"]["assessments"][-1:])


@requires(*FOUR)
def test_gateway_english_and_maths_and_the_366_day_minimum():
    ready = [f for f in report(ST0071, FOUR)["findings"] if f["area"] == "gateway" and f["shows"]]
    # 004 § 2.2: Level 2 English and maths for everyone; 002: mandatory for 16-18 only; 000 and 003 defer.
    adult = next(f for f in ready if f["witness"]["apprentice"].get("maths") == "level1"
                 and not f["witness"]["apprentice"].get("ehcp") and f["shows"]["values"]["highfield"] is True
                 and f["shows"]["values"]["gateway_quals"] is False)
    assert side_of(adult, "gateway_quals")["bodies"] == ["gateway_quals"]
    # 004 § 2.1: "no less than 366 days"; the others state no such minimum.
    days = next(f for f in ready if "365 days" in f["summary"])
    assert days["shows"]["values"] == {"gateway_quals": False, "highfield": True, "nqual": True, "tqual": True}


@requires(*FOUR)
def test_nqual_level_3_table_is_incomplete():
    # 000 § Assessment Grading Breakdown prints no row for some combinations; the rule in words decides them.
    f = finding("self-consistency.nqual.table-incomplete")
    assert f["sides"][0]["bodies"] == ["nqual"] and f["cases"] > 0


@requires(*FOUR)
def test_the_portfolio_deadline_before_the_discussion_is_shown_by_a_record(tmp_path, monkeypatch):
    # 000 § Professional Discussion ...: "This should be submitted to NQual two weeks prior to the Professional
    # Discussion date" (advice); 002: "must submit the portfolio of evidence ... 2 weeks before the set date of the
    # professional discussion"; 003: "must submit the portfolio of evidence two weeks prior to the date of the
    # professional discussion"; 004: "must be submitted ... two weeks prior to the professional discussion".
    f = finding("deadlines.portfolio-before-discussion")
    assert f["shows"] == {"row": "deadline:portfolio_submitted:discussion",
                          "values": {"gateway_quals": "missed", "highfield": "missed", "nqual": "missed (advice)",
                                     "tqual": "missed"}}
    # By hand: every body's deadline is 14 days before the discussion, one due date; the portfolio's day falls
    # before it, on it, after it, or is not recorded: 4 classes, and only "after it" splits the bodies. The
    # witness is the first day after: 13 days before the discussion.
    assert (f["region"]["inputs"], f["region"]["of"], f["region"]["exact"]) == (1, 4, True)
    [discussion] = f["witness"]["assessments"]
    assert discussion["method"] == "discussion"
    assert dt.date.fromisoformat(discussion["date"]) - dt.date.fromisoformat(
        f["witness"]["dates"]["portfolio_submitted"]) == dt.timedelta(days=13)
    # `epa compare` shows the row, and each body's deadline beside it (NQual's marked advice)
    path = tmp_path / "witness.json"
    path.write_text(json.dumps(f["witness"]), encoding="utf-8")
    out = run("--bodies", ",".join(FOUR), "compare", str(path), "--format", "json").json()
    assert out["differences"] == ["deadline:portfolio_submitted:discussion"]
    assert out["journey_differences"]["deadline:portfolio_submitted:discussion"]["nqual"] == {
        "verdict": "missed (advice)", "rules": ["discussion-portfolio"]}
    monkeypatch.setenv("COLUMNS", "300")
    table = run("--bodies", ",".join(FOUR), "compare", str(path))
    assert table.exit_code == 0, table.stderr
    row = next(line for line in table.stdout.splitlines() if line.startswith("deadline portfolio submitted"))
    assert row.split()[-5:] == ["missed", "missed", "missed", "(advice)", "missed"] and "≠" in row
    assert "not a failure" in table.stdout  # NQual's deadline says why its miss is advice


@requires(*FOUR)
def test_a_cohort_record_touches_the_portfolio_finding_by_its_deadline_verdicts(tmp_path):
    # Two records: the witness (13 days before the discussion: missed, advice for NQual) touches the finding; the
    # same record with the portfolio 14 days before (on every body's due date: met for all) does not: 1 of 2.
    f = finding("deadlines.portfolio-before-discussion")
    on_time = json.loads(json.dumps(f["witness"]))
    on_time["apprentice"]["id"] = "on-time"
    on_time["dates"]["portfolio_submitted"] = (dt.date.fromisoformat(on_time["assessments"][0]["date"])
                                               - dt.timedelta(days=14)).isoformat()
    cohort = tmp_path / "cohort.jsonl"
    cohort.write_text(json.dumps(f["witness"]) + "\n" + json.dumps(on_time) + "\n", encoding="utf-8")
    out = run("--bodies", ",".join(FOUR), "consistency", "--standard", ST0071, "--format", "json",
              "--cohort", str(cohort))
    assert out.exit_code == 0, out.stderr
    touched = out.json()["cohort"]["findings"]["deadlines.portfolio-before-discussion"]
    assert (touched["inputs"], touched["of"]) == (1, 2)


@requires(*FOUR)
def test_the_observations_duration_and_questioning_limits_are_shown_by_a_record():
    # 004 § 2.5: "Duration 60 minutes (+10% at the discretion of the IEPA if required)": 60 to 66; 002 and 003:
    # 60 minutes +/-10%: 54 to 66; 000: "lasting 60 minutes", no tolerance (no verdict). By hand: the limits 54, 60
    # and 66 cut the minutes into 7 classes (below 54, 54, between, 60, between, 66, above); 54 and the minutes
    # between 54 and 60 split Gateway Qualifications (outside) from Highfield and TQUK (within): 2 of 7.
    f = finding("tolerances.observation.duration-minutes")
    assert f["shows"] == {"row": "check:observation:duration_minutes",
                          "values": {"gateway_quals": "outside", "highfield": "within", "nqual": None,
                                     "tqual": "within"}}
    assert (f["region"]["inputs"], f["region"]["of"]) == (2, 7)
    assert f["witness"]["assessments"][0]["duration_minutes"] == 54
    # 003 § Questioning Session: "will last up to 10 minutes" (required) and "should not exceed 15% of the total time
    # allowed" (advice), of up to 66 minutes allowed: 9.9 (tqual-questioning-15-percent-vs-10-minutes); 002: the same
    # words, "1 hour with a +/- 10% tolerance": 9.9 (highfield-questioning-share-of-time-allowed); 004: 15% of the
    # total time (advice) only, of the 60-minute observation 9 minutes. The limits 9, 9.9 and 10 cut 7 classes (below
    # 9, 9, between, 9.9, between, 10, above). The first to split the bodies lies between 9 and 9.9 (halfway, 9.45):
    # within Highfield's and TQUK's 9.9 (and TQUK's 10), outside Gateway Qualifications' 9 (advice); 9.9 splits them
    # alike: 2 of 7. (Above 10 splits TQUK's required 10 from the others' advice: another finding.)
    q = finding("tolerances.observation.questioning-minutes")
    assert q["shows"]["values"] == {"gateway_quals": "outside (advice)", "highfield": "within",
                                    "nqual": None, "tqual": "within"}
    assert (q["region"]["inputs"], q["region"]["of"]) == (2, 7)
    assert q["witness"]["assessments"][0]["questioning_minutes"] == pytest.approx(9.45)


@requires(*FOUR)
def test_the_questioning_inside_or_after_the_observation_is_shown_by_a_record():
    # 002 § Assessing the practical observation (with Q&As): "The observation must include questioning" in its
    # "1 hour with a +/- 10% tolerance" (54 to 66); 004 § 2.5: "The observation must include questioning", "Duration
    # 60 minutes (+10% ...)" (60 to 66); 003 § Questioning Session: the questioning "will last up to 10 minutes,
    # following the 60-minute (+/-10%) practical observation" (54 to 66 without it).
    # By hand, 10 minutes of questioning counted inside the recorded duration d: Highfield and Gateway
    # Qualifications check d, TQUK d - 10. The limits on d: 54, 66 (Highfield), 60, 66 (GQ), 64, 76 (TQUK): 5 points,
    # 11 classes (53, 54, 55, 60, 61, 64, 65, 66, 67, 76, 77). Those splitting the two inside from TQUK: 60 and 61
    # (inside within, TQUK's 50 and 51 outside), 67 and 76 (inside outside, TQUK's 57 and 66 within): 4 of 11.
    # The witness is the first: an hour with its 10 minutes of questioning.
    f = finding("conduct.questioning-in-duration.observation")
    assert f["shows"] == {"row": "check:observation:duration_minutes",
                          "values": {"gateway_quals": "within", "highfield": "within", "nqual": None,
                                     "tqual": "outside"},
                          "sides": [["gateway_quals", "highfield"], ["tqual"]]}
    assert (f["region"]["inputs"], f["region"]["of"]) == (4, 11)
    [observation] = f["witness"]["assessments"]
    assert (observation["duration_minutes"], observation["questioning_minutes"],
            observation["duration_includes_questioning"]) == (60, 10, True)
    # the witness's line (the table's and the page's) says what the duration counts
    from epa.views.report import witness_line

    assert "duration minutes 60 counting the questioning, questioning minutes 10" in witness_line(f["witness"])


@requires(*FOUR)
@pytest.mark.parametrize("finding_id", ["conduct.mode.observation", "conduct.project-subject.project",
                                        "conduct.mocks", "resits.retake-through-gateway"])
def test_divergences_no_record_can_show_are_rule_data_findings(finding_id):
    # How the observation is held, who agrees the project's subject, whose responsibility a mock is, and whether a
    # retake goes through gateway again: a record carries none of them, and no outcome epa gives depends on them
    # (a retake's new gateway is said in the explanation only), so each is compared as the documents' data, and
    # its region says so.
    f = finding(finding_id)
    assert (f["witness"], f["shows"]) == (None, None) and len(f["sides"]) > 1
    assert f["region"]["counted"] is False and f["region"]["reason"].startswith("no record shows this: rule data")


@requires(*FOUR)
def test_differing_tolerances():
    # 004: observation 60 minutes "+10%"; 002 and 003: ±10%.
    f = finding("tolerances.observation.duration-minutes")
    assert "-0%/+10%" in side_of(f, "gateway_quals")["says"] and "-10%/+10%" in side_of(f, "highfield")["says"]


# --- the command ---------------------------------------------------------------------------------------------


def test_json_table_and_html(tmp_path):
    if not [b for b in registry().bodies if ST0071 in b.body.standards]:
        pytest.skip("no installed body offers ST0071")
    out = run("consistency", "--standard", ST0071, "--format", "json")
    assert out.exit_code == 0, out.stderr
    jsonschema.Draft202012Validator(schema("consistency")).validate(out.json())
    table = run("consistency", "--standard", ST0071)
    assert table.exit_code == 0 and "findings across" in table.stdout
    page = tmp_path / "report.html"
    written = run("consistency", "--standard", ST0071, "--format", "html", "--out", str(page))
    assert written.exit_code == 0, written.stderr
    assert page.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")


@requires("tqual", "highfield")
def test_a_body_named_twice_is_analysed_once():
    # tqual and TQUK are one body (its id and its acronym): it was analysed twice, and the resit sweep failed
    out = run("consistency", "--standard", ST0071, "--bodies", "tqual,TQUK,highfield", "--format", "json")
    assert out.exit_code == 0, out.stderr
    assert [b["id"] for b in out.json()["bodies"]] == ["tqual", "highfield"]


def test_bad_requests():
    assert "did you mean 'ST0071'?" in fails("consistency", "--standard", "ST071")
    only_st0071 = [b.body.id for b in registry().bodies if b.body.standards == (ST0071,)]
    if only_st0071 and [b for b in registry().bodies if "ST0072" in b.body.standards]:
        assert "does not offer ST0072" in fails("consistency", "--standard", "ST0072", "--bodies", only_st0071[0])
    if registry().bodies:
        assert "unknown body" in fails("consistency", "--standard", ST0071, "--bodies", "nosuch")


def test_a_threshold_beyond_its_criteria_is_cited_to_the_component_rule():
    """A self-consistency problem with a distinction threshold cites where the document states the method's
    grading (its component rule), not the combination table."""
    try:
        loaded = registry().offering(ST0071)[0]
    except InputError:
        pytest.skip(f"no installed body offers {ST0071}")
    ruleset = loaded.body.rulesets_for(ST0071)[-1]
    method = ruleset.method_ids[0]
    counted = len(ruleset.criteria_for(method, "distinction"))
    rule = ComponentRule("Distinction: all the following, and more.", "acme.txt § Grading the observation",
                         distinction_threshold=counted + 1)
    broken = attrs.evolve(ruleset, component_rules={**ruleset.component_rules, method: rule})
    acme = Registry([("acme", make_plugin("acme", [broken]))])
    found = [f for f in analyse(acme, ST0071)["findings"] if f["id"].startswith("self-consistency.acme.thresholds")]
    assert found and found[0]["sides"][0]["citations"] == {"acme": ["acme.txt § Grading the observation"]}


def _table_read(combinations: tuple[dict[str, Grade], ...]) -> list[str]:
    """The readings beside TQUK's side of the overall-grade finding of TQUK's rules against Highfield's (observation
    distinction with anything but a fail elsewhere but D/D/D), its table reading naming ``combinations``."""
    tqual, highfield = (registry().body(b).body.rulesets_for(ST0071)[-1] for b in ("tqual", "highfield"))
    read = [attrs.evolve(a, combinations=combinations) if "combination" in a.rules else a for a in tqual.ambiguities]
    pair = Registry([("acme", make_plugin("acme", [attrs.evolve(tqual, ambiguities=tuple(read))])),
                     ("beta", make_plugin("beta", [highfield]))])
    (f,) = [f for f in analyse(pair, ST0071)["findings"] if f["area"] == "grading"]
    assert f["cases"] == 3  # D/P/P, D/P/D, D/D/P: acme distinction, beta pass
    return side_of(f, "acme")["readings"]


@requires("tqual", "highfield")
def test_a_combination_reading_is_shown_only_beside_a_finding_holding_a_combination_it_decides():
    """A combination reading was attached to every grading finding of its body, whatever combinations the finding
    holds: one deciding none of them is not shown, and one naming none says it may not bear on the finding."""
    p_d_d = {"observation": Grade.PASS, "project": Grade.DISTINCTION, "discussion": Grade.DISTINCTION}
    assert _table_read((p_d_d,)) == []  # pass overall for both bodies: no finding of theirs holds it
    d_d_p = {**p_d_d, "observation": Grade.DISTINCTION, "discussion": Grade.PASS}
    (said,) = _table_read((p_d_d, d_d_p))
    assert said.startswith("tqual-overall-grading-table-garbled (decides 1 of this finding's 3 combinations: "
                           "observation distinction, project distinction, discussion pass): ")
    (said,) = _table_read(())
    assert said.startswith("tqual-overall-grading-table-garbled (a reading of the combination table that does not "
                           "say which combinations it decides: it may not bear on this finding): ")


@pytest.mark.parametrize("named", [["observation", "project"], ["observation", "project", "discussion", "portfolio"]])
def test_a_combination_reading_names_every_method_of_its_ruleset(tmp_path, named):
    """A reading's combination is of every method the ruleset declares, each with its grade: any other is refused
    where it is written, as a combination row naming other columns is."""
    st0071 = next(s for s in core_standards() if s.id == ST0071)
    rules = yaml.safe_load(scaffold.files("acme", "Acme", st0071)["epa_acme/rules/ST0071.yaml"])
    rules["ambiguities"] = [{"id": "acme-table", "citation": "acme.txt § Grading", "text_says": "a garbled table",
                             "reading": "read so", "why": "garbled", "rules": ["combination"],
                             "combinations": [dict.fromkeys(named, "pass")]}]
    path = tmp_path / "ST0071.yaml"
    path.write_text(yaml.safe_dump(rules, sort_keys=False), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_ruleset(path)
    assert "the reading's combination names" in caught.value.message
    assert "$.ambiguities[0].combinations[0]" in str(caught.value.where)


# --- issue 19 review: each side says what its own bodies' documents say ------------------------------------


@requires(*FOUR)
def test_a_side_never_shows_one_bodys_rule_as_anothers():
    # 003 lists a "work based project proposal" at gateway and never names Highfield: TQUK's side cannot read
    # "made available to Highfield"
    f = finding("gateway.evidence.project-proposal")
    assert "Highfield" not in side_of(f, "tqual")["says"]
    assert "Highfield" in side_of(f, "highfield")["says"]
    # 002 never mentions an EHCP (hand count: 0 occurrences), so Highfield's reason for not ready cannot be GQ's
    # "Entry Level 3 with an EHCP" rule
    f = finding("gateway.ready")
    assert "EHCP" not in side_of(f, "highfield")["says"] and "EHCP" in side_of(f, "gateway_quals")["says"]
    # the first gateway profile's example is "english none, maths none, 18 at the start, project proposal words
    # 501": TQUK defers English and maths, so its reason is the proposal's 500 words (003 § Gateway), not English
    f = finding("gateway.profiles")
    assert "500 words" in side_of(f, "tqual")["says"] and "English" not in side_of(f, "tqual")["says"]
    # 002 § Practical observation: questioning inside "1 hour (+/- 10%)"; 004 § 2.5: 60 minutes, +10% only
    f = finding("conduct.questioning-in-duration.observation")
    assert side_of(f, "highfield")["bodies"] == ["highfield"]
    assert "+/-" in side_of(f, "highfield")["says"] and "+/-" not in side_of(f, "gateway_quals")["says"]
    # however the finding came about, bodies on one side say the same words
    for f in report(ST0071, FOUR)["findings"]:
        for s in f["sides"]:
            own = {q["body"] for q in s["quotes"]}
            assert own <= set(s["bodies"]), f["id"]


@requires(*FOUR)
def test_an_answer_resting_on_the_tools_reading_says_so():
    # 000 § GATEWAY defers English and maths "if required by funding regulations or the employer"; 003 § Gateway
    # Considerations "in line with the funding rules": the tool checks neither, so NQual's and TQUK's "ready" is
    # not the document's fact, and every such side says so and carries a reading
    for f in report(ST0071, FOUR)["findings"]:
        if not f["id"].startswith(("gateway.ready", "gateway.profiles")):
            continue
        for body in ("nqual", "tqual"):
            s = side_of(f, body)
            if s["says"].startswith("ready"):
                assert "not checked" in s["says"], (f["id"], body)
                assert any("english-maths" in r and "funding" in r for r in s["readings"]), (f["id"], body)
    # 002 § Retake and resit information caps "a resit" only: Highfield's retake not capped is its recorded
    # ambiguity highfield-resit-cap-resit-only, not the kit's words
    f = finding("resits.capped.2")
    assert any(r.startswith("highfield-resit-cap-resit-only") for r in side_of(f, "highfield")["readings"])
    assert "tool's reading" in side_of(f, "highfield")["says"]
    # 002, 003 and 000 state 12 months with no date to count from; 004 § 4 "within three months of the fail
    # notification" states its own. 000 § Re-sit / Re-take: "otherwise the entire EPA will need to be resat /
    # retaken": NQual's whole EPA again rests on the date the tool counts from. 002 and 003 § Resits and Retakes
    # "should complete ... within 12 months" and state no consequence: no full retake whatever date the 12 months
    # count from, so that answer rests on no reading (it had said "(on the tool's reading)", naming the start)
    f = finding("resits.full-retake-required.2")
    assert side_of(f, "nqual")["readings"] and "tool's reading" in side_of(f, "nqual")["says"]
    for body in ("highfield", "tqual"):
        assert side_of(f, body)["says"] == "no full retake" and not side_of(f, body)["readings"], body
    assert not side_of(f, "gateway_quals")["readings"]


@requires(*FOUR)
def test_gateway_rules_are_compared_at_the_stage_they_are_checked():
    # 003 § Portfolio of Evidence: the 10 to 15 pieces are selected "to best support them in their professional
    # discussion", and Highfield's portfolio comes in 2 weeks before the discussion (002 § Portfolio of evidence):
    # both are checked before an assessment, so neither is a gateway rule on counts
    at_gateway = finding("gateway.rules.count")
    assert "pieces" not in side_of(at_gateway, "highfield")["says"]
    assert "pieces" not in side_of(at_gateway, "tqual")["says"]
    assert "500 words" in side_of(at_gateway, "tqual")["says"]  # 003 § Work-Based Project Proposal, at gateway
    before = finding("gateway.rules.count.before-assessment")
    assert "10 to 15" in side_of(before, "highfield")["says"] and "10 to 15" in side_of(before, "tqual")["says"]
    assert side_of(before, "gateway_quals")["says"] == "none"


@requires(*FOUR)
def test_an_observations_duration_says_whether_its_questioning_is_inside_it():
    # 002 § Assessing the practical observation: "The observation must include questioning" within its hour;
    # 003 § Questioning Session: "the question and answer session will last up to 10 minutes, following the
    # 60-minute (+/-10%) practical observation": the same 60 minutes -10%/+10% are different time
    f = finding("tolerances.observation.duration-minutes")
    assert side_of(f, "highfield")["bodies"] == ["highfield"] and side_of(f, "tqual")["bodies"] == ["tqual"]
    assert "questioning inside it" in side_of(f, "highfield")["says"]
    assert "questioning after it" in side_of(f, "tqual")["says"]
    assert any("Questioning Session" in q["citation"] for q in side_of(f, "tqual")["quotes"])


@requires(*FOUR)
def test_a_pattern_finding_quotes_the_rule_and_the_criteria_that_decide_it():
    # the observation with every criterion met but S2.3 and S2.7: Highfield fails it, for S2.3 is one of its pass
    # criteria (002 § Grading the practical observation: "To achieve a pass, apprentices must achieve all of the
    # pass criteria"); NQual assesses S2.3 at the discussion (000), so its side quotes no S2.3
    f = finding("criteria.observation.patterns")
    s23 = " ".join(registry().body("highfield").ruleset(ST0071).criterion("S2.3").text.split())
    highfield = [q["text"] for q in side_of(f, "highfield")["quotes"] if q["body"] == "highfield"]
    assert any("all of the pass criteria" in t for t in highfield) and s23 in highfield
    assert s23 not in [q["text"] for q in side_of(f, "nqual")["quotes"]]
    for f in report(ST0071, FOUR)["findings"]:
        if ".patterns" in f["id"]:
            assert all(s["quotes"] for s in f["sides"]), f["id"]


@requires(*FOUR)
def test_a_swept_gateway_finding_names_the_counted_one_of_its_split():
    # a 501-word proposal: TQUK alone not ready (003: "no more than 500 words"); over every profile the same split
    # is one gateway.profiles finding, counted whatever its cause: the swept one says which, not a second divergence
    findings = report(ST0071, FOUR)["findings"]
    counted = {json.dumps([f["shows"]["row"], f["shows"]["values"]], sort_keys=True): f["id"] for f in findings
               if f["id"].startswith("gateway.profiles")}
    swept = [f for f in findings if f["id"].startswith("gateway.ready") and f["shows"]]
    assert swept
    for f in swept:
        same = counted.get(json.dumps([f["shows"]["row"], f["shows"]["values"]], sort_keys=True))
        if same:
            assert f"{same}.)" in f["summary"], f["id"]


@requires(*FOUR)
def test_a_criterions_placement_read_from_an_unclear_table_carries_that_reading():
    # 000's methods table and its grading descriptors disagree on S1.5 and S2.3 (recorded as NQual's ambiguities
    # nqual-s2-table-vs-observation-descriptor and nqual-s5-table-vs-discussion-descriptor): where NQual assesses
    # them is the tool's reading, shown as such on NQual's side
    for ident, reading in (("criteria.s1.5", "nqual-s2-table-vs-observation-descriptor"),
                           ("criteria.s2.3", "nqual-s5-table-vs-discussion-descriptor")):
        f = finding(ident)
        assert any(r.startswith(reading) for r in side_of(f, "nqual")["readings"]), ident
        assert not any(r.startswith("nqual-") for r in side_of(f, "highfield")["readings"]), ident


@pytest.mark.parametrize("reading, said", [
    # sets without alternatives: the sets mean nothing to not_needed or still_needed
    ({"criteria_sets": [["S1.1"], ["S1.2"]]}, "criteria_sets go with criteria_otherwise: alternatives"),
    # S1.2 in both sets, S1.3 in none
    ({"criteria_otherwise": "alternatives", "criteria_sets": [["S1.1", "S1.2"], ["S1.2"]]},
     "the sets hold ['S1.1', 'S1.2', 'S1.2'], not the reading's criteria ['S1.1', 'S1.2', 'S1.3'], each once"),
])
def test_a_readings_criteria_sets_divide_its_criteria_and_go_with_alternatives(tmp_path, reading, said):
    """Which criteria stand as alternatives together is read from the sets (``grading._reading``): sets that leave a
    criterion out, hold one twice, or stand beside another value of criteria_otherwise are refused where written."""
    st0071 = next(s for s in core_standards() if s.id == ST0071)
    rules = yaml.safe_load(scaffold.files("acme", "Acme", st0071)["epa_acme/rules/ST0071.yaml"])
    rules["ambiguities"] = [{"id": "acme-roles", "citation": "acme.txt § Grading", "text_says": "two sets",
                             "reading": "both needed", "why": "roles", "criteria": ["S1.1", "S1.2", "S1.3"],
                             **reading}]
    path = tmp_path / "ST0071.yaml"
    path.write_text(yaml.safe_dump(rules, sort_keys=False), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_ruleset(path)
    assert caught.value.message.startswith(said)
    assert "$.ambiguities[0].criteria_sets" in str(caught.value.where)


def test_a_cohorts_error_rows_are_named_by_line_in_every_format(tmp_path, monkeypatch):
    """A share of a cohort ("1 of 1 records") leaves out its error rows; the report names each by its line and why,
    so that a regulator can tell what the share is not of. On 246753b they were only counted ("1 error rows")."""
    offering = [b for b in FOUR if installed(b)]
    if not offering:
        pytest.skip("needs a body offering ST0071 installed")
    record = {"standard": "ST0071",
              "apprentice": {"id": "A-1", "date_of_birth": "2003-02-14", "start_date": "2024-06-03",
                             "english": "level2", "maths": "level2"},
              "gateway": {"date": "2025-09-01"},
              "assessments": [{"method": "project", "date": "2025-09-29", "grade": "pass"}]}
    cohort = tmp_path / "cohort.jsonl"
    # line 1 a record; line 2 no apprentice; line 3 not JSON at all
    cohort.write_text(json.dumps(record) + '\n{"standard": "ST0071"}\nnot json\n', encoding="utf-8")
    out = run("--bodies", ",".join(offering), "consistency", "--standard", ST0071, "--format", "json",
              "--cohort", str(cohort))
    assert out.exit_code == 0, out.stderr
    data = out.json()
    jsonschema.validate(data, schema("consistency"))
    said = data["cohort"]
    assert (said["records"], said["errors"]) == (1, 2)
    assert [row["line"] for row in said["error_rows"]] == [2, 3]
    assert all(row["message"].strip() for row in said["error_rows"])
    monkeypatch.setenv("COLUMNS", "400")
    table = run("--bodies", ",".join(offering), "consistency", "--standard", ST0071, "--cohort", str(cohort))
    assert table.exit_code == 0, table.stderr
    assert "1 record of the standard (2 error rows, 0 of other standards)" in table.stdout
    assert "\n  line 2: " in table.stdout and "\n  line 3: " in table.stdout
    page = run("--bodies", ",".join(offering), "consistency", "--standard", ST0071, "--format", "html",
               "--cohort", str(cohort))
    assert page.exit_code == 0, page.stderr
    assert "  line 2: " in page.stdout and "(2 error rows, 0 of other standards)" in page.stdout


def _acme_reading(tmp_path, reading):
    """The scaffold's ST0071 rules (S1.1 an observation pass criterion, S1.2 an observation distinction one, K1.1 a
    project pass one) with one reading, loaded."""
    st0071 = next(s for s in core_standards() if s.id == ST0071)
    rules = yaml.safe_load(scaffold.files("acme", "Acme", st0071)["epa_acme/rules/ST0071.yaml"])
    rules["ambiguities"] = [{"id": "acme-level", "citation": "acme.txt § Grading", "text_says": "two columns",
                             "reading": "distinction", "why": "layout", **reading}]
    path = tmp_path / "ST0071.yaml"
    path.write_text(yaml.safe_dump(rules, sort_keys=False), encoding="utf-8")
    return load_ruleset(path)


@pytest.mark.parametrize("reading, said, where", [
    # needed_at says where the other reading needs them; without it, nothing says
    ({"criteria": ["S1.2"], "criteria_otherwise": "needed_at"}, "criteria_otherwise needed_at names no needed_at",
     "$.ambiguities[0].criteria_otherwise"),
    # a place without the value: another criteria_otherwise is what the reading says
    ({"criteria": ["S1.2"], "needed_at": {"method": "observation", "level": "pass"}},
     "needed_at goes with criteria_otherwise: needed_at", "$.ambiguities[0].needed_at"),
    ({"criteria": ["S1.2"], "criteria_otherwise": "needed_at", "needed_at": {"method": "observaton", "level": "pass"}},
     "needed_at names method 'observaton', which the ruleset does not declare", "$.ambiguities[0].needed_at.method"),
    # S1.1 is an observation pass criterion: the other reading needing it for a pass needs it no more
    ({"criteria": ["S1.1"], "criteria_otherwise": "needed_at", "needed_at": {"method": "observation", "level": "pass"}},
     "S1.1 is a pass criterion of observation already", "$.ambiguities[0].criteria[0]"),
    # S1.2, a distinction one, needed for a distinction: no more either
    ({"criteria": ["S1.2"], "criteria_otherwise": "needed_at",
      "needed_at": {"method": "observation", "level": "distinction"}},
     "S1.2 is a distinction criterion of observation already", "$.ambiguities[0].criteria[0]"),
])
def test_a_reading_whose_other_reading_needs_more_says_where_and_needs_more(tmp_path, reading, said, where):
    """A reading whose other reading needs the criteria more (``needed_at``: a distinction criterion needed for a
    pass, one of another method's or none of the body's needed at a method) is read by ``grading._falls`` and
    ``grading.unheld``: one naming no place, no declared method, or a criterion already needed as much there, is
    refused where written."""
    with pytest.raises(InputError) as caught:
        _acme_reading(tmp_path, reading)
    assert caught.value.message.startswith(said)
    assert where in str(caught.value.where)


def test_a_reading_needing_more_loads(tmp_path):
    # a distinction criterion needed for a pass, a criterion of another method and one of none
    read = _acme_reading(tmp_path, {"criteria": ["S1.2", "K1.1", "X.NONE"], "criteria_otherwise": "needed_at",
                                    "needed_at": {"method": "observation", "level": "pass"}})
    assert read.ambiguities[0].needed_at.method == "observation" and read.ambiguities[0].needed_at.level == "pass"
