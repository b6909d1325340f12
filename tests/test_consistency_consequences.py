"""epa consistency: what the documents state follows a missed deadline, and the tolerances that are the tool's
readings of an ambiguous sentence, each side citing its own body's words."""

from __future__ import annotations

import functools
import json

import attrs
import pytest

from epa.consistency import analyse
from epa.model.domain import Ruleset
from epa.registry import Registry
from epa.testing import installed, make_plugin, registry, requires, run

ST0071 = "ST0071"
FOUR = ("gateway_quals", "highfield", "nqual", "tqual")


@functools.cache
def findings() -> dict[str, dict]:
    """The report on those of the four bodies installed (each test requires the bodies its finding is between)."""
    return {f["id"]: f for f in analyse(registry(), ST0071, [b for b in FOUR if installed(b)])["findings"]}


def side_of(f: dict, body: str) -> dict:
    return next(s for s in f["sides"] if body in s["bodies"])


def newest(body: str) -> Ruleset:
    return registry().body(body).body.rulesets_for(ST0071)[-1]


# --- deadline consequences ---------------------------------------------------------------------------------------


@requires("gateway_quals", "nqual", "highfield", "tqual")
def test_a_consequence_one_body_states_and_another_does_not_is_a_finding_citing_each():
    # 004 § 2.2 EPA Gateway: the evidence "is required" before the apprentice can enter the EPA Gateway process, and
    # "Apprentices will not be accepted at EPA Gateway if the evidence required is not sufficiently met."
    # 000 § EPA TIMESCALE: "All evidence should be uploaded to NQual a minimum of 10 working days prior to EPA." (no
    # consequence); 000 § GATEWAY: "This section outlines the requirements an apprentice must have met in order to
    # complete their End-Point Assessment. ... The Gateway form must be sent to NQual a minimum of 10 working days
    # before ..." (the consequence NQual's reading nqual-st0071-gateway-form-consequence gives the form's deadline).
    # 002 and 003 set no deadline on the evidence's submission.
    f = findings()["deadlines.consequence.evidence-submitted"]
    assert f["area"] == "deadlines" and (f["witness"], f["shows"]) == (None, None)
    gq, nq = side_of(f, "gateway_quals"), side_of(f, "nqual")
    assert gq["bodies"] == ["gateway_quals"] and nq["bodies"] == ["nqual"]
    assert "apprentices will not be accepted at EPA Gateway" in gq["says"]
    assert "Apprentices will not be accepted at EPA Gateway if the evidence required is not sufficiently met." in [
        q["text"] for q in gq["quotes"]]
    assert "004_97be493b5d6ee5b2.txt § 2.2 EPA Gateway" in gq["citations"]["gateway_quals"]
    assert "All evidence uploaded to NQual (10 working days before first assessment): the document states no " \
           "consequence (advice: never a failure)" in nq["says"]
    assert "in order to complete their End-Point Assessment" in nq["says"]
    # each consequence the tool reads onto a miss says so, NQual's as GQ's (neither sentence speaks of a late one)
    for said in (gq["says"], nq["says"]):
        assert said.endswith("(the tool's reading of the document's sentence)"), said
    nq_quoted = {q["citation"]: q["text"] for q in nq["quotes"]}
    assert nq_quoted["000_75563123dfdaaed6.txt § EPA TIMESCALE"] == \
        "All evidence should be uploaded to NQual a minimum of 10 working days prior to EPA."
    assert any(q["text"].startswith("This section outlines the requirements an apprentice must have met")
               for q in nq["quotes"])
    # each consequence that is the tool's reading of its document carries that reading
    assert any(r.startswith("nqual-st0071-gateway-form-consequence: ") for r in nq["readings"])
    assert any(r.startswith("gateway-quals-evidence-sufficiently-met: ") for r in gq["readings"])
    assert side_of(f, "highfield")["says"] == side_of(f, "tqual")["says"] == "no deadline on this event"
    assert f["region"]["counted"] is False and f["region"]["reason"].startswith("no record shows this")


@requires(*FOUR)
def test_deadlines_stating_no_consequence_alike_make_no_consequence_finding():
    # the portfolio two weeks before the discussion: 004 § 2.7, 002 § Assessing the professional discussion, 003 §
    # Portfolio of Evidence and 000 (14 days before EPA, two weeks before the discussion, both 'should') each state
    # no consequence for missing it: however many deadlines a body sets on it, and whatever their force, the
    # documents do not differ in what follows a miss (their force is the portfolio-before-discussion finding's)
    assert "deadlines.consequence.portfolio-submitted" not in findings()
    assert "deadlines.consequence.project-report-submitted" not in findings()
    assert "deadlines.consequence.every-method" not in findings()


def _without_consequences(r: Ruleset) -> Ruleset:
    """A ruleset whose plugin says nothing of what follows any missed deadline (consequence None)."""
    journey = r.journey
    assert journey is not None
    return attrs.evolve(r, journey=attrs.evolve(journey, deadlines=tuple(
        attrs.evolve(d, consequence=None) for d in journey.deadlines)))


@requires("gateway_quals", "nqual")
def test_a_plugin_giving_no_consequence_makes_no_claim_and_is_never_called_none_stated():
    # consequence None is the plugin not saying (epa.model.domain.DeadlineRule): 'acme' (NQual's rules, saying
    # nothing of consequences) neither states none nor makes the bodies differ; 'beta' (NQual's, as 000 gives them)
    # and 'gamma' (Gateway Qualifications', 004 § 2.2) do differ
    nqual, gq = newest("nqual"), newest("gateway_quals")
    three = Registry([("acme", make_plugin("acme", [_without_consequences(nqual)])),
                      ("beta", make_plugin("beta", [nqual])), ("gamma", make_plugin("gamma", [gq]))])
    found = {f["id"]: f for f in analyse(three, ST0071)["findings"]}
    f = found["deadlines.consequence.evidence-submitted"]
    acme = side_of(f, "acme")
    assert acme["bodies"] == ["acme"]
    assert "no consequence" not in acme["says"] and "none" not in acme["says"]
    assert "do not say" in acme["says"]
    assert "apprentices will not be accepted at EPA Gateway" in side_of(f, "gamma")["says"]
    # the silent plugin beside one that states none: no claim differs, so no finding
    pair = Registry([("acme", make_plugin("acme", [_without_consequences(gq)])),
                     ("beta", make_plugin("beta", [nqual]))])
    assert not [f for f in analyse(pair, ST0071)["findings"] if f["id"].startswith("deadlines.consequence.")]


# --- tolerance readings ---------------------------------------------------------------------------------------


@requires("gateway_quals", "highfield", "tqual")
def test_a_questioning_share_that_is_the_tools_reading_says_so_and_names_its_ambiguity():
    # 002 § Assessing the practical observation (with Q&As) and 003 § Questioning Session: questioning "should not
    # exceed 15% of the total time allowed for the practical observation": no number of minutes is printed; the 9.9
    # is 15% of the 66 minutes allowed, the tool's reading (highfield-questioning-share-of-time-allowed,
    # tqual-questioning-15-percent-vs-10-minutes). 003's "will last up to 10 minutes" is the document's own figure.
    # 004 § 2.5: "should not exceed 15% of the total time", 'the total time' read as the attempt's duration
    # (gateway-quals-observation-tolerance-minimum).
    f = findings()["tolerances.observation.questioning-minutes"]
    for body, ambiguity in (("highfield", "highfield-questioning-share-of-time-allowed"),
                            ("tqual", "tqual-questioning-15-percent-vs-10-minutes"),
                            ("gateway_quals", "gateway-quals-observation-tolerance-minimum")):
        side = side_of(f, body)
        assert f"(on the tool's reading: {ambiguity})" in side["says"], body
        assert any(r.startswith(f"{ambiguity}: ") for r in side["readings"]), body
    assert "at most 9.9 (advice) (on the tool's reading: highfield-questioning-share-of-time-allowed)" in \
        side_of(f, "highfield")["says"]
    tqual = side_of(f, "tqual")["says"]
    assert tqual.startswith("at most 10; ")  # the document's 10 minutes, not a reading
    assert "at most 9.9 (advice) (on the tool's reading: tqual-questioning-15-percent-vs-10-minutes)" in tqual
    assert "(on the tool's reading: highfield-questioning-share-of-time-allowed)" in f["summary"]


@requires("gateway_quals", "nqual")
def test_a_duration_tolerance_resting_on_a_reading_names_it():
    # 004 § 2.5: "Duration 60 minutes (+10% at the discretion of the IEPA if required)": no shorter observation is
    # allowed for, and -0% is the tool's reading (gateway-quals-observation-tolerance-minimum); 000 § Practical
    # Observation with Q&As: "lasting 60 minutes", no tolerance, reported against, never judged
    # (nqual-st0071-observation-duration)
    f = findings()["tolerances.observation.duration-minutes"]
    gq, nq = side_of(f, "gateway_quals"), side_of(f, "nqual")
    assert gq["says"].startswith("60 -0%/+10% (on the tool's reading: gateway-quals-observation-tolerance-minimum)")
    assert any(r.startswith("gateway-quals-observation-tolerance-minimum: ") for r in gq["readings"])
    assert nq["says"].startswith("60 (no tolerance stated) (on the tool's reading: nqual-st0071-observation-duration)")
    assert any(r.startswith("nqual-st0071-observation-duration: ") for r in nq["readings"])


@requires("highfield", "nqual")
def test_a_figure_stated_with_no_tolerance_is_not_shown_as_an_exact_limit():
    # 000 § Work-Based Project Supported by an Interview: "The interview will last for 60 minutes" (no tolerance:
    # reported against, never within or outside); 002 § Component 2: Interview: "60 minutes (+/- 10%)". "nqual: 60"
    # beside "60 -10%/+10%" read as a stricter exact 60 minutes; 000 states no tolerance at all.
    f = findings()["tolerances.project.duration-minutes"]
    assert side_of(f, "nqual")["says"] == "60 (no tolerance stated)"
    assert side_of(f, "highfield")["says"] == "60 -10%/+10%"
    # its words: "The written report must be 2500 words" (nqual-st0071-report-words: no tolerance)
    words = side_of(findings()["tolerances.project.words"], "nqual")
    assert words["says"] == "2500 (no tolerance stated) (on the tool's reading: nqual-st0071-report-words)"


@pytest.mark.parametrize("measure", ["questioning_minutes", "duration_minutes"])
@requires("highfield", "tqual")
def test_a_tolerance_no_ambiguity_names_carries_no_reading(measure):
    # a reading stands only beside the tolerances its ambiguity names (``rules``): with those links removed,
    # Highfield's observation tolerances carry none
    hf = newest("highfield")
    plain = attrs.evolve(hf, ambiguities=tuple(attrs.evolve(a, rules=()) for a in hf.ambiguities))
    pair = Registry([("acme", make_plugin("acme", [plain])), ("beta", make_plugin("beta", [newest("tqual")]))])
    found = {f["id"]: f for f in analyse(pair, ST0071)["findings"]}
    # they differ on both: 002's questioning inside the hour, 003's 10 minutes after it
    f = found[f"tolerances.observation.{measure.replace('_', '-')}"]
    acme = side_of(f, "acme")
    assert acme["readings"] == [] and "the tool's reading" not in acme["says"]


# --- resit windows: what follows a missed one ----------------------------------------------------------------


@requires(*FOUR)
def test_resit_windows_say_what_their_documents_state_follows_a_miss():
    # 004 § 4. Re-sits and re-takes: "within three months of the fail notification, otherwise the entire EPA must be
    # taken again, unless in the opinion of Gateway Qualifications exceptional circumstances apply"; 000 § Re-sit /
    # Re-take: "within a 12-month period, otherwise the entire EPA will need to be resat / retaken" (no exception);
    # 002 and 003: "should complete ... within 12 months", no consequence stated. The windows' lengths alone hid
    # that two bodies send a late resit back to the whole EPA and two state nothing.
    f = findings()["resits.windows"]
    assert side_of(f, "gateway_quals")["says"] == \
        "3 months from fail notified, missed: the whole EPA again unless exceptional circumstances apply"
    assert side_of(f, "nqual")["says"].endswith(", missed: the whole EPA again")
    for body in ("highfield", "tqual"):
        assert side_of(f, body)["says"].endswith("(advice), missed: the document states no consequence"), body


# --- versions: a change-log entry the rules do not record -----------------------------------------------------


@requires("gateway_quals")
def test_a_change_log_entry_the_rules_do_not_record_is_quoted_not_shown_as_none_before_and_after():
    # 004 § Version and date Change detail: "pg5: standard reference number updated to v1.1, and assessment plan
    # version number updated to ST0071/V1.1": a change the log states and no rule holds; "before: none" and "after:
    # none" said the version numbers were none, and the log's words were not quoted
    logged = [f for f in findings().values() if f["area"] == "versions" and "pg5" in f["summary"]]
    assert len(logged) == 1
    [side] = logged[0]["sides"]
    assert side["says"] == "stated by the change log; nothing in the rules records it"
    # (its second half, the assessment plan's version, the rules record as document.plan_version: "nothing in the
    # rules records it" was false of it, so the unrecorded change quotes the first half alone)
    assert [q["text"] for q in side["quotes"]] == ["pg5: standard reference number updated to v1.1"]
    for f in findings().values():
        if f["area"] == "versions":
            assert not any(s["says"] in ("before: none", "after: none") for s in f["sides"]), f["id"]


# --- reference: a printed table's departure resting on a reading of it ------------------------------------------


@requires("tqual")
def test_a_tables_departure_from_the_plan_carries_the_table_reading_it_rests_on():
    # 003 § Overall Grading prints "Distinction Pass Pass Distinction" and, on a second line, "Distinction
    # Distinction" under the project and discussion only (tqual-overall-grading-table-garbled reads the lines as
    # stacked cells). Against the core's default pattern (distinction only in every method) the table as read
    # grades D/P/P, D/P/D and D/D/P distinction: D/P/P is the first line's own; D/P/D and D/D/P are the reading's
    # (it decides P/P/D, P/D/P, D/P/D, D/D/P). The finding said "its printed table" with no reading beside it.
    f = findings()["reference.tqual.combination"]
    [side] = f["sides"]
    assert "its printed table grades 3 combinations" in side["says"]
    assert [r.split(": Reconstructed")[0] for r in side["readings"]] == [
        "tqual-overall-grading-table-garbled (decides 2 of this finding's 3 combinations: observation distinction, "
        "project pass, discussion distinction; observation distinction, project distinction, discussion pass)"]


@requires("nqual")
def test_each_threshold_departure_quotes_its_own_method_and_says_what_the_pattern_is():
    # 001 § Assessment Breakdown: "Distinction | All Pass Criteria Achieved Plus: | Apprentice Showcase - 7 out of 10
    # | Observation - 4 out of 5 | Professional Discussion - 3 out of 4", each line its method's threshold. The
    # observation's finding quotes the observation's line, not the showcase's and the discussion's too. And the
    # pattern it departs from is the core's default: 001 § INTRODUCTION refers to the IfATE assessment plan ("For
    # reference, you can find this document.") and no document here prints the plan's grading rule, so the finding
    # says whose pattern it is rather than asserting a breach of the plan.
    out = run("consistency", "--standard", "ST0072", "--bodies", "nqual", "--format", "json")
    assert out.exit_code == 0, out.stderr
    found = {f["id"]: f for f in out.json()["findings"]}
    lines = {"showcase": "Apprentice Showcase - 7 out of 10", "observation": "Observation - 4 out of 5",
             "discussion": "Professional Discussion - 3 out of 4"}
    seen = set()
    for f in (f for f in found.values() if f["area"] == "reference"):
        [side] = f["sides"]
        method = side["says"].split(":")[0]
        seen.add(method)
        assert [q["text"].rsplit("Plus: ", 1)[1] for q in side["quotes"]] == [lines[method]], f["id"]
        assert "the core's default" in f["summary"] and "no document here prints the assessment plan's own rule" \
            in f["summary"]
    assert seen == set(lines)


@requires("nqual")
def test_a_departure_with_one_body_compared_claims_no_grading_or_criteria_finding_counts_it():
    """ST0072 with NQual alone (001 § Assessment Breakdown: "Apprentice Showcase - 7 out of 10" and the other
    thresholds): with one body there is no other body's grade, so the report holds no grading or criteria finding.
    On 246753b each departure's region said "the inputs it changes are counted in the grading and criteria
    findings", findings the report does not hold."""
    out = run("consistency", "--standard", "ST0072", "--bodies", "nqual", "--format", "json")
    assert out.exit_code == 0, out.stderr
    findings = out.json()["findings"]
    assert not [f for f in findings if f["area"] in ("grading", "criteria")]
    reference = [f for f in findings if f["area"] == "reference"]
    assert len(reference) == 3  # the showcase's, the observation's and the discussion's thresholds
    for f in reference:
        why = json.dumps(f["region"])
        assert "counted in the grading and criteria findings" not in why, f["id"]
        assert "one body is compared here" in why, f["id"]


def test_the_reference_pattern_is_named_the_cores_default_never_the_assessment_plans():
    """The reference the bodies are compared with is the core's default (any fail fails; a distinction in every
    method makes a distinction). No document here prints the assessment plan (004 § 1.1: "This document should be
    used in conjunction with the published assessment plan on the Institute for Apprenticeships and Technical
    Education (IfATE) website"; 001 § INTRODUCTION only refers to it). On e56ed49 `epa plugins` and `epa
    consistency` called it "the assessment-plan pattern", a plan's rule no document here states."""
    plugins = run("plugins", "--format", "json")
    report = run("consistency", "--standard", "ST0071", "--format", "json")
    if report.exit_code != 0 or not report.json().get("findings"):
        pytest.skip("needs bodies offering ST0071 installed (no finding to word)")
    page = run("consistency", "--standard", "ST0071", "--format", "html")
    assert page.exit_code == 0, page.stderr
    for term in ("assessment-plan pattern", "assessment-plan reference"):  # (a plugin's notes may name the plan)
        assert term not in plugins.stdout + report.stdout + page.stdout
    # the page's opening words (on 246753b: "its departures from the assessment plan")
    assert "departures from the assessment plan" not in page.stdout
    for f in report.json()["findings"]:
        if f["area"] == "reference":
            assert f["summary"].split(" departs from ", 1)[1].startswith("the core's default pattern ("), f["id"]


# --- deadlines: what the region of the list of deadlines claims ---------------------------------------------------


@requires("nqual", "tqual")
def test_the_deadline_lists_region_does_not_claim_every_split_deadline_has_a_finding(tmp_path):
    # 000 § GATEWAY: "All EPA activity will take place no later than 3 months from Gateway."; 003 § EPA Window: "All
    # EPA components must be completed within three months of the start of the end-point assessment period." By
    # hand: gateway 2025-01-06, EPA start 2025-02-03, first attempts 20-22 April 2025: after 6 April (3 months from
    # gateway), before 3 May (3 months from the EPA's start): NQual's window missed, TQUK's met. The list's region
    # may not say that each such deadline has a finding of its own unless one compares those verdicts: it names the
    # findings that do (deadlines.verdicts.<event>), and one of them is this window's.
    record = {"standard": ST0071, "apprentice": {"id": "w"}, "gateway": {"date": "2025-01-06"},
              "dates": {"epa_start": "2025-02-03"},
              "assessments": [{"method": m, "grade": "pass", "date": f"2025-04-{day}"}
                              for m, day in zip(newest("nqual").method_ids, (20, 21, 22), strict=False)]}
    path = tmp_path / "record.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    results = {r["body"]: r for r in run("compare", str(path), "--format", "json").json()["results"]}
    status = {body: next(d["status"] for d in results[body]["deadlines"] if d["id"] == "epa-window")
              for body in ("nqual", "tqual")}
    assert status == {"nqual": "missed", "tqual": "met"}
    reason = findings()["deadlines.all"]["region"]["reason"]
    assert "not swept" not in reason and "deadlines.verdicts.<event>" in reason
    assert findings()["deadlines.verdicts.every-method"]["shows"]["values"]["nqual"] == "missed"


@requires("nqual")
def test_a_numbering_gap_is_not_called_a_contradiction():
    # 000's skills table runs "S7 Explore and interpret the customer experience ..." then "S9 Demonstrate a
    # cost-conscious mind-set ...": no S8. A gap is no two statements that cannot both hold; the finding said the
    # document "contradicts itself". Every recorded inconsistency (a gap, a contradiction) is said to be one.
    f = findings()["self-consistency.nqual.nqual-st0071-skills-numbering-skips-s8"]
    assert "contradicts" not in f["summary"]
    assert f["summary"].startswith("NQual's document is inconsistent with itself: ")


@requires("highfield", "nqual")
def test_a_gateway_rules_force_is_worded_as_its_document_words_it():
    # 000 § PORTFOLIO OF EVIDENCE: "The Portfolio of Evidence should typically contain between 10-15 pieces"
    # (advice); 002: "The requirements for English and maths are optional for apprentices aged 19+ at the start"
    # (a permission). Both were "(not mandatory)": advice and a permission shown as one.
    count = findings()["gateway.rules.count"]
    assert "Portfolio of Evidence typically 10-15 pieces (recommended: advice, never a failure)" in \
        side_of(count, "nqual")["says"]
    english = side_of(findings()["gateway.rules.english-maths"], "highfield")["says"]
    assert "(aged 19+ at the start, optional) (optional: a permission)" in english
    assert "not mandatory" not in english
