"""epa consistency: the bodies' verdicts on every event their deadlines govern, whatever date each counts from, each
split shown by the smallest record (a witness `epa compare` reproduces), and no finding where no record can split
them. Every date below is worked by hand from the documents' sentences."""

from __future__ import annotations

import json

import attrs

from epa.consistency import analyse
from epa.consistency.findings import SweptBody
from epa.engine.compiled import Engine
from epa.model.domain import Ambiguity, Offset, Ruleset
from epa.registry import Registry
from epa.testing import make_plugin, registry, requires, run
from epa.views.report import journey_rows

ST0071 = "ST0071"

# 000 § GATEWAY: "All EPA activity will take place no later than 3 months from Gateway."
NQUAL_WINDOW = "All EPA activity will take place no later than 3 months from Gateway."
# 003 § EPA Window: "All EPA components must be completed within three months of the start of the end-point
# assessment period."
TQUK_WINDOW = "All EPA components must be completed within three months of the start of the end-point assessment period."


def findings(reg: Registry, bodies: list[str] | None = None) -> dict[str, dict]:
    return {f["id"]: f for f in analyse(reg, ST0071, bodies)["findings"]}


def side_of(f: dict, body: str) -> dict:
    return next(s for s in f["sides"] if body in s["bodies"])


def newest(body: str) -> Ruleset:
    return registry().body(body).body.rulesets_for(ST0071)[-1]


def compared(tmp_path, record: dict, bodies: str) -> dict[str, dict[str, str]]:
    """`epa compare` on the record: each body's deadline statuses by id, as its JSON gives them."""
    path = tmp_path / "witness.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    out = run("--bodies", bodies, "compare", str(path), "--format", "json")
    assert out.exit_code == 0, out.stderr
    return {r["body"]: {d["id"]: d["status"] for d in r["deadlines"]} for r in out.json()["results"]}


def with_deadline(r: Ruleset, deadline_id: str, **changes) -> Ruleset:
    """The ruleset with one journey deadline changed."""
    journey = r.journey
    assert journey is not None
    return attrs.evolve(r, journey=attrs.evolve(journey, deadlines=tuple(
        attrs.evolve(d, **changes) if d.id == deadline_id else d for d in journey.deadlines)))


# --- the 3-month window: from gateway, or from the EPA's start ------------------------------------------------------


@requires("nqual", "tqual")
def test_the_window_from_gateway_and_from_the_epa_start_is_a_finding_whose_witness_compare_reproduces(tmp_path):
    # By hand: gateway 2025-01-06 + 3 months = 2025-04-06 (NQual); the EPA's start, four weeks after gateway,
    # 2025-02-03 + 3 months = 2025-05-03 (TQUK). The first day of the last first attempt after one due date and not
    # the other is 2025-04-07 (the methods attempted on 5, 6 and 7 April): NQual missed, TQUK met.
    f = findings(registry(), ["nqual", "tqual"])["deadlines.verdicts.every-method"]
    assert f["area"] == "deadlines"
    assert f["shows"] == {"row": "deadline:every_method", "values": {"nqual": "missed", "tqual": "met"}}
    w = f["witness"]
    assert w["gateway"]["date"] == "2025-01-06" and w["dates"] == {"epa_start": "2025-02-03"}
    assert [a["date"] for a in w["assessments"]] == ["2025-04-05", "2025-04-06", "2025-04-07"]
    nq, tq = side_of(f, "nqual"), side_of(f, "tqual")
    assert nq["says"] == "missed: 3 months from gateway, required, due 2025-04-06"
    assert tq["says"] == "met: 3 months from epa start, required, due 2025-05-03"
    assert nq["citations"] == {"nqual": ["000_75563123dfdaaed6.txt § GATEWAY"]}
    assert tq["citations"] == {"tqual": ["003_3692b76548845e1c.txt § EPA Window"]}
    assert [q["text"] for q in nq["quotes"]] == [NQUAL_WINDOW]
    assert [q["text"] for q in tq["quotes"]] == [TQUK_WINDOW]
    # the classes of the last first attempt's day: 5 April, 6 April, 7 April to 2 May, 3 May, 4 May on, none
    # recorded: 7 April to 2 May splits them so (3 May is TQUK's last day, met; NQual's missed): 2 of 6
    assert (f["region"]["inputs"], f["region"]["of"]) == (2, 6)
    # `epa compare` on the witness gives each body's window as the finding says
    status = compared(tmp_path, w, "nqual,tqual")
    assert (status["nqual"]["epa-window"], status["tqual"]["epa-window"]) == ("missed", "met")


@requires("nqual", "tqual")
def test_a_cohort_record_split_by_the_two_windows_is_counted_by_the_finding(tmp_path):
    # The record the list of deadlines once left uncounted: gateway 2025-01-06, EPA start 2025-02-03, first attempts
    # 20-22 April 2025 (after 6 April, before 3 May: NQual missed, TQUK met). Beside it, one attempted 1-3 April
    # (before both due dates: both met). 1 of 2 records touch the finding.
    methods = newest("nqual").method_ids

    def attempted(apprentice: str, days: tuple[str, ...]) -> dict:
        return {"standard": ST0071, "apprentice": {"id": apprentice}, "gateway": {"date": "2025-01-06"},
                "dates": {"epa_start": "2025-02-03"},
                "assessments": [{"method": m, "grade": "pass", "date": d} for m, d in zip(methods, days, strict=True)]}

    late = attempted("late", ("2025-04-20", "2025-04-21", "2025-04-22"))
    status = compared(tmp_path, late, "nqual,tqual")
    assert (status["nqual"]["epa-window"], status["tqual"]["epa-window"]) == ("missed", "met")
    cohort = tmp_path / "cohort.jsonl"
    cohort.write_text(json.dumps(late) + "\n" + json.dumps(attempted("early", ("2025-04-01", "2025-04-02",
                                                                               "2025-04-03"))) + "\n",
                      encoding="utf-8")
    out = run("--bodies", "nqual,tqual", "consistency", "--standard", ST0071, "--format", "json",
              "--cohort", str(cohort))
    assert out.exit_code == 0, out.stderr
    touched = out.json()["cohort"]["findings"]["deadlines.verdicts.every-method"]
    assert (touched["inputs"], touched["of"]) == (1, 2)


@requires("highfield", "tqual")
def test_a_due_date_counted_from_the_tools_reading_of_its_start_says_so_and_names_the_reading():
    # 002 § Component 2: Interview: "The interview will take place before the 3-month end-point assessment period."
    # states no date the 3 months count from (from_reading: the tool counts them from the EPA's start); 003 § EPA
    # Window states it. Both 3 months from the EPA's start: the same verdicts, so no finding between these two.
    assert "deadlines.verdicts.every-method" not in findings(registry(), ["highfield", "tqual"])
    # Beside NQual's (from gateway), Highfield's side says its due date rests on the reading, and names it; TQUK's,
    # with the same verdict and due date, is a side of its own: its start is stated ("the start of the end-point
    # assessment period"), what starts that period is not (the ambiguity recorded on it, naming the deadline).
    f = findings(registry(), ["highfield", "nqual", "tqual"])["deadlines.verdicts.every-method"]
    hf, tq = side_of(f, "highfield"), side_of(f, "tqual")
    assert hf["bodies"] == ["highfield"] and tq["bodies"] == ["tqual"]
    # in the words the timeline uses beside a date the document does not state (deadlines.FROM_READING)
    assert hf["says"] == ("met: 3 months from epa start, required, due 2025-05-03, the tool's reading: the document "
                          "does not say which date this counts from")
    assert hf["readings"][0] == ("epa-window-3-months: 3 months from epa start; the document does not say which date "
                                 "this counts from")
    # and the ambiguities recorded naming the deadline (rules: [epa-window-3-months, ...]): the one on that sentence,
    # and the one on the kit's leave to rearrange a date for extenuating circumstances, which lifts no period
    assert [r.partition(":")[0] for r in hf["readings"][1:]] == ["highfield-epa-window-before-3-months",
                                                                  "highfield-extenuating-circumstances-rearranged-date"]
    assert [r.partition(":")[0] for r in tq["readings"]] == ["tqual-epa-period-start-undefined"]
    assert "tool's reading" not in tq["says"]


@requires("gateway_quals", "tqual")
def test_gateway_qualifications_epa_duration_counted_from_gateway_is_the_tools_reading():
    # 004 § Key information: "EPA duration Up to 3 months", and nothing says from when (its own recorded ambiguity,
    # gateway-quals-epa-window-anchor: "does not say from when it runs"). Counted from gateway 2025-01-06, due
    # 2025-04-06; 003 § EPA Window: from the EPA's start, 2025-02-03 + 3 months = 2025-05-03. The side giving
    # Gateway Qualifications' due date says it rests on the tool's reading of its start, as Highfield's does.
    f = findings(registry(), ["gateway_quals", "tqual"])["deadlines.verdicts.every-method"]
    gq = side_of(f, "gateway_quals")
    assert gq["says"] == ("missed: 3 months from gateway, required, due 2025-04-06, the tool's reading: the document "
                          "does not say which date this counts from")
    assert gq["readings"][0] == "epa-window: 3 months from gateway; the document does not say which date this counts from"
    # and the catalogue of every deadline says so too, in the same words
    every = findings(registry(), ["gateway_quals", "tqual"])["deadlines.all"]
    assert "Every assessment method within the EPA duration of up to 3 months (3 months from gateway, the tool's " \
           "reading: the document does not say which date this counts from)" in side_of(every, "gateway_quals")["says"]


@requires("nqual", "tqual")
def test_an_ambiguity_recorded_on_a_deadline_stands_beside_the_side_it_decides():
    # A body's recorded ambiguity naming the deadline (rules: [epa-window]) is named on its side, labelled a reading.
    tq = newest("tqual")
    noted = Ambiguity("acme-window-start", tq.journey.deadline("epa-window").citation, "three months of the start",
                      "counted from the EPA's start", "why", rules=("epa-window",))
    pair = Registry([("acme", make_plugin("acme", [attrs.evolve(tq, ambiguities=(*tq.ambiguities, noted))])),
                     ("nqual", make_plugin("nqual", [newest("nqual")]))])
    f = findings(pair)["deadlines.verdicts.every-method"]
    assert "acme-window-start: counted from the EPA's start" in side_of(f, "acme")["readings"]


# --- the other events ---------------------------------------------------------------------------------------------


@requires("gateway_quals", "nqual")
def test_evidence_due_by_gateway_against_ten_working_days_before_the_first_assessment(tmp_path):
    # 004 § 2.2 EPA Gateway: the evidence is required before the apprentice enters the EPA Gateway: due 2025-01-06.
    # 000 § EPA TIMESCALE / § GATEWAY: 10 working days before EPA; the first assessment four weeks after gateway,
    # Monday 2025-02-03, less 10 working days (no bank holiday between) = Monday 2025-01-20. Evidence in on
    # 2025-01-07: Gateway Qualifications missed, NQual met.
    f = findings(registry(), ["gateway_quals", "nqual"])["deadlines.verdicts.evidence-submitted"]
    assert f["shows"] == {"row": "deadline:evidence_submitted", "values": {"gateway_quals": "missed", "nqual": "met"}}
    assert f["witness"]["dates"] == {"evidence_submitted": "2025-01-07"}
    assert f["witness"]["assessments"][0]["date"] == "2025-02-03"
    assert side_of(f, "gateway_quals")["says"] == "missed: 0 days from gateway, required, due 2025-01-06"
    nq = side_of(f, "nqual")
    # 000 § EPA TIMESCALE: "before assessment" / "prior to EPA": which date is not stated; each deadline says so
    reading = ", the tool's reading: the document does not say which date this counts from"
    assert nq["says"] == (f"met: 10 working days before first assessment, advice, due 2025-01-20{reading}; 10 working "
                          f"days before first assessment, required, due 2025-01-20{reading}")
    assert ("evidence-upload-10-working-days: 10 working days before first assessment; the document does not say "
            "which date this counts from") in nq["readings"]
    status = compared(tmp_path, f["witness"], "gateway_quals,nqual")
    assert status["gateway_quals"]["gateway-evidence-before-gateway"] == "missed"
    assert {status["nqual"]["evidence-upload-10-working-days"], status["nqual"]["gateway-form-10-working-days"]} \
        == {"met"}


@requires("nqual", "tqual")
def test_the_interview_two_weeks_after_the_report_is_the_report_two_weeks_before_the_interview(tmp_path):
    # 000 § Work-Based Project Supported by an Interview: the report two weeks before the interview; the project's
    # first attempt 2025-02-10 (a week after the first): due 2025-01-27. 003 § Interview: "This will take place at
    # least two weeks after the apprentice submits the report": the same gap, stated from the interview's side
    # (TQUK's § Work-Based Project Report adds two months from the planning meeting, 2025-02-03 + 2 months =
    # 2025-04-03). A report in on 2025-01-28 breaks both bodies' two weeks (NQual's due 2025-01-27, TQUK's interview
    # not before 2025-02-11); one on 2025-01-27 keeps both. No day of the report splits them: no finding, where the
    # TQUK side had been shown 'met' on 2025-01-28 by its planning-meeting deadline alone.
    found = findings(registry(), ["nqual", "tqual"])
    assert "deadlines.verdicts.project-report-submitted" not in found
    record = {"standard": "ST0071", "apprentice": {"id": "w"}, "gateway": {"date": "2025-01-06"},
              "dates": {"epa_start": "2025-02-03", "planning_meeting": "2025-02-03",
                        "project_report_submitted": "2025-01-28"},
              "assessments": [{"method": "project", "grade": "pass", "date": "2025-02-10"}]}
    status = compared(tmp_path, record, "nqual,tqual")
    assert (status["nqual"]["project-report"], status["tqual"]["interview-after-report"]) == ("missed", "missed")
    record["dates"]["project_report_submitted"] = "2025-01-27"
    status = compared(tmp_path, record, "nqual,tqual")
    assert (status["nqual"]["project-report"], status["tqual"]["interview-after-report"]) == ("met", "met")


@requires("tqual")
def test_a_required_deadline_against_the_same_deadline_as_advice_is_a_finding_told_once(tmp_path):
    # 003 § Portfolio of Evidence: "must submit the portfolio of evidence two weeks prior to the date of the
    # professional discussion" (required); 'beta' words the same deadline 'should' (advice). The row's sweep holds the
    # discussion alone, four weeks after gateway, 2025-02-03: due 2025-01-20. In on 2025-01-21: missed beside missed
    # (advice). Both count from the discussion, so `epa compare` shows the split on the row from the discussion and leaves the event's row out: the
    # finding comparing the portfolio's lead time by its force tells it, and no finding of the event's tells it again.
    tq = newest("tqual")
    pair = Registry([("acme", make_plugin("acme", [tq])),
                     ("beta", make_plugin("beta", [with_deadline(tq, "portfolio-submission", strength="advice")]))])
    found = findings(pair)
    f = found["deadlines.portfolio-before-discussion"]
    assert f["shows"] == {"row": "deadline:portfolio_submitted:discussion",
                          "values": {"acme": "missed", "beta": "missed (advice)"}}
    assert f["witness"]["dates"] == {"portfolio_submitted": "2025-01-21"}
    assert not [i for i in found if i.startswith("deadlines.verdicts.")]


@requires("tqual")
def test_an_events_split_on_one_anchor_is_shown_on_the_row_compare_shows(tmp_path):
    # 003 § Planning the Observation: "The apprentice must be given two weeks' notice of the practical observation
    # date." (required); 'beta' words it as advice. The observation, the first method, on 2025-02-03: due 2025-01-20.
    # Notice on 2025-01-21: acme missed, beta missed (advice). Both count from the observation: `epa compare` shows
    # the split on deadline:observation_notice:observation and leaves the event's row out, so the finding names that
    # row, and compare on its witness shows it differing as stated.
    tq = newest("tqual")
    pair = Registry([("acme", make_plugin("acme", [tq])),
                     ("beta", make_plugin("beta", [with_deadline(tq, "observation-notice", strength="advice")]))])
    f = findings(pair)["deadlines.verdicts.observation-notice"]
    assert f["shows"] == {"row": "deadline:observation_notice:observation",
                          "values": {"acme": "missed", "beta": "missed (advice)"}}
    assert f["witness"]["dates"] == {"observation_notice": "2025-01-21"}
    # the pair is not installed, so `epa compare`'s rows on the witness are asked of the views directly
    rows = _compare_rows(pair, f["witness"])
    assert rows["deadline:observation_notice:observation"] == {"acme": "missed", "beta": "missed (advice)"}
    assert "deadline:observation_notice" not in rows


@requires("gateway_quals", "highfield", "nqual", "tqual")
def test_the_portfolio_ten_days_before_the_discussion_is_told_once_and_compare_shows_each_witness(tmp_path):
    # The discussion, the third method, on 2025-02-17. 004 § 2.7, 002 § Assessing the professional discussion, 003 §
    # Portfolio of Evidence: two weeks before it, required ('must'): due 2025-02-03. 000 § Professional Discussion
    # Supported by Portfolio Evidence: "This should be submitted to NQual two weeks prior to the Professional
    # Discussion date." (advice), and § PORTFOLIO SUBMISSION: 14 days before EPA, advice (the first assessment,
    # 2025-02-03: due 2025-01-20). In on 2025-02-04: the three miss a requirement, NQual its advice: the split the row
    # from the discussion tells (deadlines.portfolio-before-discussion), not a second finding of the portfolio's day.
    found = findings(registry(), ["gateway_quals", "highfield", "nqual", "tqual"])
    assert found["deadlines.portfolio-before-discussion"]["shows"]["values"] == {
        "gateway_quals": "missed", "highfield": "missed", "nqual": "missed (advice)", "tqual": "missed"}
    portfolio = [i for i in found if i.startswith("deadlines.verdicts.portfolio-submitted")]
    assert portfolio == ["deadlines.verdicts.portfolio-submitted"]
    # 2025-01-21 to 2025-02-03: NQual's 14 days missed (advice), every two weeks before the discussion met
    assert found["deadlines.verdicts.portfolio-submitted"]["shows"]["values"] == {
        "gateway_quals": "met", "highfield": "met", "nqual": "missed (advice)", "tqual": "met"}
    # `epa compare` on each deadline finding's witness shows its row differing as the finding says
    for f in found.values():
        if f["area"] != "deadlines" or not f.get("witness"):
            continue
        path = tmp_path / "witness.json"
        path.write_text(json.dumps(f["witness"]), encoding="utf-8")
        out = run("--bodies", "gateway_quals,highfield,nqual,tqual", "compare", str(path), "--format", "json")
        assert out.exit_code == 0, out.stderr
        shown = out.json()["journey_differences"][f["shows"]["row"]]
        assert {b: v["verdict"] for b, v in shown.items()} == \
            {b: v for b, v in f["shows"]["values"].items() if v is not None}, f["id"]


def _compare_rows(pair: Registry, witness: dict) -> dict[str, dict[str, str]]:
    """`epa compare`'s deadline rows on a witness, for bodies not installed: each differing row's verdicts."""
    engine = Engine.of(pair)
    bodies = [SweptBody(b, b.ruleset(ST0071), engine=engine) for b in pair.offering(ST0071)]
    rows = journey_rows([b.grade(witness) for b in bodies], [b.ruleset for b in bodies])
    return {row: {b: v["verdict"] for b, v in given.items()} for row, given in rows.items()}


@requires("nqual")
def test_the_results_notification_is_swept_where_two_bodies_set_it_apart():
    # 000 § GRADING & CRITERIA: "Grading results will be communicated to the apprentice within 10 working days of
    # completion of the final component." 'beta' says 5 working days. The final component, the third method, on
    # Monday 2025-02-17: beta's due Monday 2025-02-24, acme's Monday 2025-03-03 (no bank holiday between). Results
    # notified on 2025-02-25: acme met, beta missed. Both count from the final assessment, so `epa compare` shows the
    # split on that row; the days before the final assessment are no class (no result is notified before it).
    nq = newest("nqual")
    pair = Registry([("acme", make_plugin("acme", [nq])), ("beta", make_plugin("beta", [
        with_deadline(nq, "results", offset=Offset(working_days=5))]))])
    f = findings(pair)["deadlines.verdicts.results-notified"]
    assert f["shows"] == {"row": "deadline:results_notified:final_assessment",
                          "values": {"acme": "met", "beta": "missed"}}
    attempts = f["witness"]["assessments"]
    assert [a["date"] for a in attempts] == ["2025-02-03", "2025-02-10", "2025-02-17"]
    assert attempts[-1]["notified"] == "2025-02-25"
    # 2025-02-23 (met, met), 24 (met, met), 25 to 3 March less a day (met, missed), 3 March (met, missed), 4 March
    # on (missed, missed), none notified: two of six split them so
    assert (f["region"]["inputs"], f["region"]["of"]) == (2, 6)
    assert _compare_rows(pair, f["witness"])["deadline:results_notified:final_assessment"] == \
        {"acme": "met", "beta": "missed"}


@requires("tqual")
def test_a_methods_own_first_attempt_is_swept_where_bodies_count_it_from_different_dates():
    # A deadline on the interview (the project's first attempt), counted from gateway at 'acme' (2 months: 2025-01-06
    # + 2 months = 2025-03-06) and from the observation at 'beta' (1 month: the observation, the first method, on
    # 2025-02-03, + 1 month = 2025-03-03): an interview on 2025-03-04 meets acme's and misses beta's. They count from
    # different dates: the event's own row tells it, and `epa compare` on the witness shows that row.
    tq = newest("tqual")
    pair = Registry([
        ("acme", make_plugin("acme", [with_deadline(tq, "interview-after-report", from_="gateway", kind="by",
                                                    offset=Offset(months=2))])),
        ("beta", make_plugin("beta", [with_deadline(tq, "interview-after-report", from_="observation", kind="by",
                                                    offset=Offset(months=1))]))])
    f = findings(pair)["deadlines.verdicts.project"]
    assert f["shows"] == {"row": "deadline:project", "values": {"acme": "met", "beta": "missed"}}
    assert [(a["method"], a["date"]) for a in f["witness"]["assessments"]] == [("observation", "2025-02-03"),
                                                                                ("project", "2025-03-04")]
    assert f["summary"].startswith("The verdicts on the project's first attempt")
    # classes: 2 March, 3 March (both met), 4 to 5 March, 6 March (acme met, beta missed), 7 March on (both missed),
    # no interview: two of six
    assert (f["region"]["inputs"], f["region"]["of"]) == (2, 6)
    assert _compare_rows(pair, f["witness"])["deadline:project"] == {"acme": "met", "beta": "missed"}


@requires("tqual")
def test_the_interview_two_weeks_after_the_report_is_swept_once_on_the_reports_day():
    # 003 § Interview: "at least two weeks after the apprentice submits the report"; 'beta' says three. Counted from
    # the report, it is swept on the report's day (the interview fixed, 2025-02-10: acme's report by 2025-01-27,
    # beta's by 2025-01-20), not again on the interview's: one finding.
    tq = newest("tqual")
    pair = Registry([("acme", make_plugin("acme", [tq])), ("beta", make_plugin("beta", [
        with_deadline(tq, "interview-after-report", offset=Offset(weeks=3))]))])
    found = findings(pair)
    assert [i for i in found if i.startswith("deadlines.verdicts.")] == [
        "deadlines.verdicts.project-report-submitted"]
    assert found["deadlines.verdicts.project-report-submitted"]["witness"]["dates"]["project_report_submitted"] == \
        "2025-01-21"


# --- no record can split them: no finding ----------------------------------------------------------------------------


@requires("tqual")
def test_deadlines_of_one_anchor_length_and_force_make_no_finding_and_a_changed_length_does():
    # Two bodies with TQUK's deadlines: every event's due dates are the same, so no record splits them.
    tq = newest("tqual")
    same = Registry([("acme", make_plugin("acme", [tq])), ("beta", make_plugin("beta", [tq]))])
    assert not [i for i in findings(same) if i.startswith("deadlines.verdicts.")]
    # 'beta' giving three weeks' notice of the observation (the first method, 2025-02-03): due 2025-01-13 beside
    # acme's 2025-01-20 (003 § Planning the Observation: two weeks). Notice on 2025-01-14: acme met, beta missed.
    changed = Registry([("acme", make_plugin("acme", [tq])), ("beta", make_plugin("beta", [
        with_deadline(tq, "observation-notice", offset=Offset(weeks=-3))]))])
    f = findings(changed)["deadlines.verdicts.observation-notice"]
    assert f["shows"]["values"] == {"acme": "met", "beta": "missed"}
    assert f["witness"]["dates"] == {"observation_notice": "2025-01-14"}
    assert [i for i in findings(changed) if i.startswith("deadlines.verdicts.")] == [
        "deadlines.verdicts.observation-notice"]


@requires("gateway_quals", "highfield", "nqual", "tqual")
def test_the_observations_notice_and_the_proposals_resubmission_make_no_finding():
    # Two weeks' notice of the observation, counted from it and required, in all four documents (004 § 2.5, 002 §
    # Assessing the practical observation, 000 § Practical Observation with Q&As, 003 § Planning the Observation);
    # a rejected proposal resubmitted within one week, required, in 002 § Project proposal and 003 § Work-Based
    # Project Proposal (the others set none): no record splits them.
    found = findings(registry(), ["gateway_quals", "highfield", "nqual", "tqual"])
    assert "deadlines.verdicts.observation-notice" not in found
    assert "deadlines.verdicts.proposal-resubmitted" not in found
    assert {"deadlines.verdicts.every-method", "deadlines.verdicts.evidence-submitted",
            "deadlines.verdicts.portfolio-submitted"} <= set(found)



# --- after a fail: the resit and retake windows, the rework ----------------------------------------------------------


@requires("gateway_quals", "nqual")
def test_a_resit_three_months_from_the_fails_notification_against_twelve_from_the_first_assessment(tmp_path):
    # 004 § 4. Re-sits and re-takes: within three months of the fail notification; § 3: "Results notification will
    # take place once all assessments have been completed.": the observation failed on 2025-02-03, the discussion
    # (the last first attempt) on 2025-02-17, so notified 2025-02-17, + 3 months = 2025-05-17. 000 § Re-sit /
    # Re-take: all methods within 12 months (counted from the first assessment, the tool's reading): 2025-02-03 + 12
    # months = 2026-02-03. A resit on 2025-05-18: Gateway Qualifications missed, NQual met.
    f = findings(registry(), ["gateway_quals", "nqual"])["deadlines.verdicts.resit"]
    assert f["shows"] == {"row": "deadline:resit", "values": {"gateway_quals": "missed", "nqual": "met"}}
    attempts = f["witness"]["assessments"]
    assert [(a["method"], a["grade"], a["date"]) for a in attempts[:1]] == [("observation", "fail", "2025-02-03")]
    assert attempts[-1] == {"method": "observation", "kind": "resit", "grade": "pass", "date": "2025-05-18"}
    assert side_of(f, "gateway_quals")["says"] == "missed: 3 months from fail notified, required, due 2025-05-17"
    nq = side_of(f, "nqual")
    assert nq["says"] == ("met: 12 months from first assessment, required, due 2026-02-03, the tool's reading: the "
                          "document does not say which date this counts from")
    assert nq["readings"][0] == ("all-methods-12-months: 12 months from first assessment; the document does not say "
                                 "which date this counts from")
    assert side_of(f, "gateway_quals")["citations"] == {"gateway_quals": ["004_97be493b5d6ee5b2.txt § 4. Re-sits and "
                                                                          "re-takes"]}
    status = compared(tmp_path, f["witness"], "gateway_quals,nqual")
    assert status["gateway_quals"]["resit-within-three-months.observation"] == "missed"
    assert status["nqual"]["all-methods-12-months"] == "met"


@requires("highfield", "tqual")
def test_the_same_rework_and_resit_windows_make_no_finding():
    # 002 and 003 § Resits and Retakes: a failed project reworked within one month, required; resits and retakes
    # within 12 months, 'should' (advice), from the first fail (the tool's reading at both): no record splits them.
    found = findings(registry(), ["highfield", "tqual"])
    assert "deadlines.verdicts.rework" not in found and "deadlines.verdicts.resit" not in found


@requires("tqual")
def test_a_rework_of_another_length_is_a_rule_finding_and_no_record_shows_it_missed():
    # 'beta' gives the failed project two weeks to rework, acme one month (003 § Resits and Retakes). The project, the
    # second method, failed on 2025-02-10 (no notification dated: counted from the fail): beta's due 2025-02-24,
    # acme's 2025-03-10. A resit on 2025-02-25 shows acme's rework met (its submission came before the resit), and
    # leaves beta's unknown: the record dates the resit, not the reworked submission, which may have come by
    # 2025-02-24 (tqual-project-rework-vs-resit). It was a verdict finding, 'met' against 'missed', on a miss no
    # record shows; the rules' two lengths are the finding.
    tq = newest("tqual")
    resit = tq.journey.resit
    two_weeks = attrs.evolve(resit, rework=tuple(attrs.evolve(r, offset=Offset(weeks=2)) for r in resit.rework))
    pair = Registry([("acme", make_plugin("acme", [tq])), ("beta", make_plugin("beta", [
        attrs.evolve(tq, journey=attrs.evolve(tq.journey, resit=two_weeks))]))])
    found = findings(pair)
    assert "deadlines.verdicts.rework" not in found
    assert side_of(found["resits.rework"], "acme")["says"] == "project reworked within 1 month"
    assert side_of(found["resits.rework"], "beta")["says"] == "project reworked within 2 weeks"


@requires("gateway_quals", "nqual", "highfield", "tqual")
def test_each_way_the_resit_days_split_the_four_bodies_is_a_finding_of_its_own(tmp_path):
    # The first attempts a week apart from 2025-02-03 (observation failed, then project, then discussion on
    # 2025-02-17). 004 § 4. Re-sits and re-takes: three months from the fail's notification, which § 3 dates once all
    # assessments are complete: 2025-02-17 + 3 months = 2025-05-17, required. 000 § Re-sit / Re-take: "All
    # assessment methods must be taken within a 12-month period": from the first assessment (the tool's reading),
    # 2025-02-03 + 12 months = 2026-02-03, required. 002 and 003 § Resits and Retakes: "should complete ... within 12
    # months", advice, from the first fail (the tool's reading): 2026-02-03. A resit on 2025-05-18 is missed at
    # Gateway Qualifications alone; one on 2026-02-04 is missed at all four, NQual's a requirement and Highfield's
    # and TQUK's advice: a second split, which showing only the first would hide.
    found = findings(registry(), ["gateway_quals", "nqual", "highfield", "tqual"])
    first, second = found["deadlines.verdicts.resit"], found["deadlines.verdicts.resit.2"]
    assert first["shows"]["values"] == {"gateway_quals": "missed", "nqual": "met", "highfield": "met",
                                        "tqual": "met"}
    assert first["witness"]["assessments"][-1]["date"] == "2025-05-18"
    assert second["shows"]["values"] == {"gateway_quals": "missed", "nqual": "missed",
                                         "highfield": "missed (advice)", "tqual": "missed (advice)"}
    assert second["witness"]["assessments"][-1] == {"method": "observation", "kind": "resit", "grade": "pass",
                                                    "date": "2026-02-04"}
    assert side_of(second, "nqual")["says"] == ("missed: 12 months from first assessment, required, due 2026-02-03, "
                                                "the tool's reading: the document does not say which date this "
                                                "counts from")
    assert "(split 2 of " in second["summary"] and "(split 1 of " in first["summary"]
    status = compared(tmp_path, second["witness"], "gateway_quals,nqual,highfield,tqual")
    assert status["nqual"]["all-methods-12-months"] == "missed"
    assert status["gateway_quals"]["resit-within-three-months.observation"] == "missed"
