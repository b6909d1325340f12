"""The journey engine across bodies: working days, record histories, journey files, the new commands
and their contracts. Per-body expectations live in test_journey_<body>.py."""

from __future__ import annotations

import datetime as dt
import textwrap

import icalendar
import pytest

import epa
from conftest import (
    EXAMPLES,
    OUR_BODIES,
    ROOT,
    any_body,
    body_plugin,
    fails,
    ids,
    needs_its_standards,
    offering,
    ok_json,
    only,
    reused_body,
    run,
    use_plugins,
    write,
)
from epa.errors import InputError
from epa.model.domain import Offset
from epa.rules.workdays import describe, shift
from epa.testing import requires

JOURNEY = str(EXAMPLES / "st0071-journey.yaml")
D = dt.date


# --- working days and offsets -----------------------------------------------------------------------


@pytest.mark.parametrize("start,offset,expected", [
    # England and Wales bank holidays (gov.uk): 25, 26 Dec 2025; 1 Jan 2026; Good Friday 3 Apr and
    # Easter Monday 6 Apr 2026; Early May bank holiday 4 May 2026.
    (D(2025, 12, 19), Offset(working_days=10), D(2026, 1, 7)),   # 22,23,24,29,30,31 Dec, 2,5,6,7 Jan
    (D(2026, 4, 1), Offset(working_days=3), D(2026, 4, 8)),      # 2 Apr, (3 and 6 Apr off), 7, 8 Apr
    (D(2026, 5, 1), Offset(working_days=1), D(2026, 5, 5)),      # Fri 1 May -> skip weekend and 4 May
    (D(2026, 1, 7), Offset(working_days=-10), D(2025, 12, 19)),  # the same span backwards
    (D(2025, 11, 10), Offset(days=-90), D(2025, 8, 12)),
    (D(2025, 11, 14), Offset(months=3), D(2026, 2, 14)),
    (D(2026, 1, 31), Offset(months=1), D(2026, 2, 28)),          # a month after 31 January: month end
    (D(2024, 1, 31), Offset(months=1), D(2024, 2, 29)),          # leap year
    (D(2025, 11, 10), Offset(weeks=-2), D(2025, 10, 27)),
])
def test_shift(start, offset, expected):
    assert shift(start, offset) == expected


def test_describe_offsets():
    assert describe(Offset(working_days=-10)) == "10 working days before"
    assert describe(Offset(months=1)) == "1 month after"


# --- bad histories and journey fields in records --------------------------------------------------

HISTORY = textwrap.dedent("""\
    standard: ST0071
    apprentice: {id: A-1}
    gateway: {date: 2025-09-01}
    assessments:
      - {method: project, date: 2025-10-01, grade: fail}
      - {method: project, date: 2025-11-01, kind: resit, grade: pass}
""")


@pytest.mark.parametrize("old,new,expected", [
    # a resit with no earlier attempt at the method
    ("{method: project, date: 2025-10-01, grade: fail}", "{method: discussion, date: 2025-10-01, grade: fail}",
     ["resit of the project on 2025-11-01 with no earlier fail", "$.assessments[1].kind", "kind: first"]),
    # a resit after a pass
    ("date: 2025-10-01, grade: fail", "date: 2025-10-01, grade: pass",
     ["with no earlier fail: the attempt on 2025-10-01 was graded pass", "never to improve a pass"]),
    # two first attempts at the same method
    ("kind: resit, ", "", ["a second first attempt at the project", "kind: resit or kind: retake"]),
    # attempts out of order
    ("date: 2025-11-01", "date: 2025-09-20", ["comes after one on 2025-10-01", "date order"]),
    # unknown journey date, with a suggestion
    ("gateway: {date: 2025-09-01}", "gateway: {date: 2025-09-01}\ndates: {registerd: 2025-06-01}",
     ["unknown field 'registerd'", "did you mean 'registered'?"]),
    ("gateway: {date: 2025-09-01}", "gateway: {date: 2025-09-01, photo_id: yes please}",
     ["$.gateway.photo_id", "boolean"]),
    ("grade: pass}", "grade: pass, words: -5}", ["$.assessments[1].words"]),
    # journey dates and the schedule
    ("gateway: {date: 2025-09-01}", "gateway: {date: 2025-09-01}\nschedule: {observaton: 2025-12-01}",
     ["no assessment method 'observaton' to schedule", "$.schedule.observaton", "did you mean 'observation'?"]),
    ("gateway: {date: 2025-09-01}", "gateway: {date: 2025-09-01}\nschedule: {observation: 2025-08-01}",
     ["observation scheduled on 2025-08-01, before gateway (2025-09-01)", "$.schedule.observation"]),
    ("gateway: {date: 2025-09-01}", "gateway: {date: 2025-09-01}\ndates: {epa_start: 2025-08-31}",
     ["epa start 2025-08-31 is before gateway", "$.dates.epa_start"]),
    ("gateway: {date: 2025-09-01}", "gateway: {date: 2025-09-01}\ndates: {proposal_resubmitted: 2025-09-08}",
     ["resubmitted proposal with no date it was rejected", "add dates.proposal_rejected"]),
    ("gateway: {date: 2025-09-01}",
     "gateway: {date: 2025-09-01}\ndates: {proposal_rejected: 2025-09-08, proposal_resubmitted: 2025-09-07}",
     ["proposal resubmitted on 2025-09-07, before it was rejected (2025-09-08)"]),
])
def test_bad_history(tmp_path, old, new, expected):
    assert old in HISTORY
    # A record's history is checked by the core, whichever body grades it (TQUK's when it is loaded).
    message = fails("grade", "--body", any_body("ST0071", prefer="tqual"), write(tmp_path, HISTORY.replace(old, new)))
    for part in expected:
        assert part in message


@requires("highfield")
@pytest.mark.parametrize("on", ["resit", "fail"])
def test_exceptional_circumstances_count_on_the_resit_or_on_the_fail_it_follows(tmp_path, on):
    # 002 § Retake and resit information: "The maximum grade awarded to a resit will be pass, unless Highfield
    # identifies exceptional circumstances accounting for the original fail." Observation and discussion
    # distinction, project resit distinction: uncapped, the table's all-distinction row gives distinction.
    record = HISTORY.replace("grade: pass}", "grade: distinction}").replace("assessments:\n", (
        "assessments:\n  - {method: observation, date: 2025-09-20, grade: distinction}\n"
        "  - {method: discussion, date: 2025-09-21, grade: distinction}\n"))
    marked = "kind: resit, " if on == "resit" else "grade: fail"
    record = record.replace(marked, marked + (", exceptional_circumstances: true" if on == "fail" else
                                              "exceptional_circumstances: true, "))
    out = run("grade", "--body", "highfield", write(tmp_path, record), "--format", "json").json()
    assert (out["capped"], out["overall"]) == (False, "distinction")


@requires("highfield")
def test_resit_after_a_criteria_pass_is_set_aside_with_a_note(tmp_path, registry):
    # Whether a criteria-graded attempt failed depends on the body, so it is not an input error: a body
    # under whose criteria the first attempt passes does not count the resit. 002 § Retake and resit
    # information: "An apprentice cannot retake/resit any part of the EPA to increase their grade from a pass
    # to a distinction." Every Highfield project pass criterion met is a pass there.
    met = ", ".join(ids(registry, "highfield", "project", "pass"))
    record = HISTORY.replace("grade: fail}", f"criteria_met: [{met}]}}").replace("grade: pass}", "grade: distinction}")
    out = run("grade", "--body", "highfield", write(tmp_path, record), "--format", "json").json()
    assert out["components"]["project"] == "pass"
    (note,) = [n for n in out["notes"] if "not counted" in n["says"]]
    assert "project resit on 2025-11-01" in note["says"]
    assert note["citation"] == "002_a4f677c7c4e5fdb6.txt § Retake and resit information"
    assert not out["capped"]  # the set-aside resit does not count towards the cap either


# --- the example journey through every command ------------------------------------------------------


def _body_of(args: list[str]) -> list[str]:
    return [args[args.index("--body") + 1]] if "--body" in args else []


def _needs(args: list[str]) -> list[pytest.MarkDecorator]:
    return [requires(*_body_of(args)), *needs_its_standards(args)]


@pytest.mark.parametrize("args,definition", [pytest.param(a, d, marks=_needs(a)) for a, d in [
    (["gateway", JOURNEY], "gateway"),
    (["gateway", "--body", "highfield", JOURNEY], "gateway"),
    (["timeline", JOURNEY], "timeline"),
    (["timeline", "--body", "nqual", JOURNEY], "timeline"),
    (["journey", "--standard", "ST0071"], "journey"),
    (["journey", "--standard", "ST0072", "--body", "nqual"], "journey"),
    (["grade", "--body", "gateway_quals", JOURNEY], "result"),
    (["compare", JOURNEY], "compare"),
]])
def test_commands_print_json_matching_the_output_schema(args, definition):
    ok_json(*args, definition=definition)


@pytest.mark.parametrize("args", [pytest.param(a, marks=_needs(a)) for a in [
    ["gateway", JOURNEY], ["timeline", JOURNEY], ["journey", "--standard", "ST0071"],
    ["grade", "--body", "highfield", JOURNEY], ["compare", JOURNEY]]])
def test_commands_print_tables(args):
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    assert not result.stdout.lstrip().startswith(("[", "{"))


def test_every_rule_listed_by_journey_cites_its_bodys_document():
    offering("ST0071", "the standard the command names")
    for body in ok_json("journey", "--standard", "ST0071", definition="journey"):
        cited = [r["citation"] for r in body["gateway"] + body["deadlines"] + body["tolerances"]
                 + body["recommendations"]]
        resit = body["resit"]
        cited += [resit["cap"]["citation"], resit["no_resit_from_pass"]["citation"]]
        cited += [w["citation"] for w in resit["windows"]] + [r["citation"] for r in resit["rework"]]
        assert cited and all(c.startswith(body["document"] + " § ") for c in cited), body["body"]


@requires(*OUR_BODIES)
def test_compare_example_journey_differs_by_body():
    # Started at 17 with Level 1 maths: Highfield needs Level 2 for 16-18 starters (002 § Readiness for
    # end-point assessment) and Gateway Qualifications for everyone (004 § 2.2 EPA Gateway); NQual defers to
    # funding rules (000 § GATEWAY) and TQUK asks for a declaration (003 § Gateway Considerations).
    compared = ok_json("--bodies", ",".join(OUR_BODIES), "compare", JOURNEY, definition="compare")
    results = {r["body"]: r for r in compared["results"]}
    assert {b: r["gateway"]["ready"] for b, r in results.items()} == {
        "highfield": False, "gateway_quals": False, "nqual": True, "tqual": True}
    # The project was failed then resat: every body caps the grade at pass.
    assert all(r["capped"] and r["overall"] == "pass" for r in results.values())


def test_timeline_writes_an_icalendar_file(tmp_path):
    offering("ST0071", "the standard of examples/st0071-journey.yaml")
    target = tmp_path / "epa.views.ics"
    result = run("timeline", JOURNEY, "--ics", str(target), "--format", "json")
    assert result.exit_code == 0, result.stderr
    dated = [d for r in result.json()["results"] for d in r["deadlines"] if d["date"]]
    calendar = icalendar.Calendar.from_ical(target.read_bytes())
    events = calendar.walk("VEVENT")
    assert len(events) == len(dated) and f"wrote {len(dated)} deadlines" in result.stderr
    by_uid = {str(e["UID"]): e for e in events}
    assert len(by_uid) == len(events), "UIDs are unique"
    for r in result.json()["results"]:
        for d in r["deadlines"]:
            if d["date"]:
                event = by_uid[f"A-0002.ST0071.{r['body']}.{d['id']}@epa"]
                assert event.decoded("DTSTART") == D.fromisoformat(d["date"])
                assert d["citation"] in str(event["DESCRIPTION"])


def test_one_apprentices_calendars_for_two_standards_with_one_body_share_no_event(tmp_path, registry):
    """A calendar app takes an event whose UID it holds as that event again, and replaces it. One apprentice may take
    two standards with one body (ST0072, level 2, then ST0071, level 3), whose deadlines have the same ids
    (epa-window, results): on 482b50f the UIDs named apprentice, body and deadline alone, so importing the second
    calendar replaced the first's deadlines of the same id, lost from the calendar without a word."""
    both = next((b for b in registry.bodies if {"ST0071", "ST0072"} <= set(b.body.standards)), None)
    if both is None:
        pytest.skip("needs a body offering both ST0071 and ST0072 (NQual)")
    uids = []
    for standard, example in (("ST0071", JOURNEY), ("ST0072", str(EXAMPLES / "st0072-distinction.yaml"))):
        target = tmp_path / f"{standard}.ics"
        result = run("timeline", example, "--body", both.body.id, "--ics", str(target))
        assert result.exit_code == 0, result.stderr
        events = icalendar.Calendar.from_ical(target.read_bytes()).walk("VEVENT")
        uids.append({str(e["UID"]).replace("A-0003", "A-0002") for e in events})  # (the examples' one apprentice)
    assert uids[0] and uids[1] and not uids[0] & uids[1], uids[0] & uids[1]


def test_timeline_ics_to_a_missing_folder_is_an_output_failure(tmp_path):
    target = tmp_path / "no" / "such" / "epa.views.ics"
    message = fails("timeline", JOURNEY, "--ics", str(target), code=3)  # not bad input: README, "Exit codes"
    assert f"cannot write {target}: the folder" in message


@requires("tqual")
def test_gateway_unknown_body_suggests():
    assert "did you mean 'tqual'?" in fails("gateway", "--body", "tqal", JOURNEY)


@requires("highfield", "nqual")  # nqual offers ST0072; with no body offering it the error says that instead
def test_journey_needs_a_standard_the_body_offers():
    assert "highfield does not offer ST0072" in fails("journey", "--standard", "ST0072", "--body", "highfield")


# --- plugins and journey files ----------------------------------------------------------------------


def test_resit_policy_breaking_the_contract_is_a_plugin_error(monkeypatch):
    def resit_policy(self, ruleset, record, history):
        return {"capped": True}

    use_plugins(monkeypatch, body_plugin(resit_policy=resit_policy))
    message = fails("grade", "--body", "broken", JOURNEY, code=1)
    assert "'resit_policy'" in message and "expected epa.ResitDecision" in message


def test_resit_policy_must_cite_a_full_retake(monkeypatch):
    def resit_policy(self, ruleset, record, history):
        return epa.ResitDecision(capped=False, full_retake_required=True)

    use_plugins(monkeypatch, body_plugin(resit_policy=resit_policy))
    message = fails("grade", "--body", "broken", JOURNEY, code=1)
    assert "'resit_policy'" in message and "cite the rule" in message


def test_gateway_requirements_must_be_a_list_of_requirements(monkeypatch):
    def gateway_requirements(self, ruleset, record):
        return ["photo id"]

    use_plugins(monkeypatch, body_plugin(gateway_requirements=gateway_requirements))
    message = fails("gateway", "--body", "broken", JOURNEY, code=1)
    assert "'gateway_requirements'" in message and "a list of epa.Requirement" in message


def test_a_body_can_add_a_requirement_its_data_cannot_state(monkeypatch):
    def gateway_requirements(self, ruleset, record):
        return [epa.Requirement("extra", "Extra", True, "unmet", "said so", "002_a4f677c7c4e5fdb6.txt § ID requirements")]

    # The requirement the data states is Highfield's (002 § Readiness for end-point assessment).
    use_plugins(monkeypatch, body_plugin("highfield", gateway_requirements=gateway_requirements))
    (out,) = ok_json("gateway", "--body", "broken", JOURNEY, definition="gateway")["results"]
    assert "extra" in out["gateway"]["unmet"] and not out["gateway"]["ready"]
    assert "english-maths-16-18" in out["gateway"]["unmet"]  # the data's requirements are still there


def test_a_body_without_journey_rules_says_so(monkeypatch):
    import attrs

    reused = reused_body()

    class Plugin:
        @epa.hookimpl
        def register_body(self):
            return epa.Body(id="bare", name="Bare", rulesets=tuple(
                attrs.evolve(r, body="bare", journey=None) for r in reused.rulesets if r.standard == "ST0071"))

    use_plugins(monkeypatch, Plugin())
    out = ok_json("grade", "--body", "bare", JOURNEY, definition="result")
    # No journey rules: nothing about gateway, deadlines or resits is guessed, and the notes say so.
    assert not out["capped"] and not out["full_retake_required"] and out["deadlines"] == []
    assert out["gateway"] == {"ready": True, "unmet": [], "unknown": [], "recommendations_unmet": [], "requirements": [],
                              "optional_unmet": [], "before_assessment_unmet": []}
    says = " ".join(n["says"] for n in out["notes"])
    assert "encodes no resit policy" in says and "encodes no gateway, deadline or resit rules" in says


def _journey_dir(tmp_path, edit):
    import shutil

    rules = ROOT / "plugins" / "highfield" / "epa_highfield" / "rules"
    target = tmp_path / "rules"
    shutil.copytree(rules, target)
    path = target / "ST0071.journey.yaml"
    path.write_text(edit(path.read_text()))
    return target


@pytest.mark.parametrize("edit,expected", [
    (lambda t: t.replace("check: {deadline: {id: ", "check: {deadline: {id: x"), "which the file does not declare"),
    (lambda t: t.replace("method: project", "method: showcase", 1), "this standard's methods are"),
    (lambda t: t.replace("from: discussion", "from: showcase", 1), "names method 'showcase'"),
    (lambda t: t.replace("offset: {months: 12}", "offset: {months: twelve}"), "$.resit.windows[0].offset.months"),
    (lambda t: t.replace("body: highfield", "body: tqual"), "journey file is tqual's"),
])
def test_bad_journey_file_is_reported_with_its_path(tmp_path, edit, expected):
    rules = _journey_dir(tmp_path, edit)
    with pytest.raises(InputError) as info:
        epa.load_rulesets(rules)
    assert expected in info.value.render() and "ST0071.journey.yaml" in info.value.render()


@pytest.mark.parametrize("edit,expected", [
    # every resit window says what the document states follows a missed one
    (lambda t: t.replace("    consequence: none_stated\n", "", 1), "'consequence' is a required property"),
    (lambda t: t.replace("    consequence: none_stated", "    consequence: whole_epa", 1), "'whole_epa' is not allowed"),
    # a gateway requirement gives its strength, or the older mandatory flag, not both
    (lambda t: t.replace("  strength: optional\n", "  strength: optional\n  mandatory: false\n", 1),
     "gives its strength"),
    (lambda t: t.replace("  strength: optional\n", "", 1), "gives its strength"),
    (lambda t: t.replace("  stage: before_assessment", "  stage: later", 1), "'later' is not allowed"),
])
def test_journey_window_consequence_and_gateway_strength_are_checked(tmp_path, edit, expected):
    rules = _journey_dir(tmp_path, edit)
    with pytest.raises(InputError) as info:
        epa.load_rulesets(rules)
    assert expected in info.value.render(), info.value.render()


def test_older_journey_files_with_mandatory_still_load(tmp_path):
    # Files written before strength: mandatory true reads as mandatory, false as recommended.
    def edit(text):
        text = text.replace("  strength: mandatory\n", "  mandatory: true\n")
        return text.replace("  strength: recommended\n", "  mandatory: false\n")
    (ruleset,) = epa.load_rulesets(_journey_dir(tmp_path, edit))
    rules = {g.id: g for g in ruleset.journey.gateway}
    assert (rules["english-maths-16-18"].strength, rules["english-maths-16-18"].mandatory) == ("mandatory", True)
    assert (rules["project-proposal-words"].strength, rules["project-proposal-words"].mandatory) == (
        "recommended", False)
    assert rules["english-maths-19-plus"].strength == "optional"   # left as strength in this file


# A journey file of no body in particular: every required section, and one recommendation (line 10 onwards).
BARE_JOURNEY = textwrap.dedent("""\
    body: acme
    standard: ST0071
    document: acme.txt
    gateway: []
    deadlines: []
    resit: null
    tolerances: []
    ambiguities: []
    recommendations:
    - id: project-first
      topic: order
      about: project
      text: The project should come first.
      citation: acme.txt § Order
""")
ST0071_METHODS = {"observation", "project", "discussion"}


def test_recommendations_are_optional_and_loaded_as_advice(tmp_path):
    path = tmp_path / "ST0071.journey.yaml"
    path.write_text(BARE_JOURNEY)
    (advice,) = epa.load_journey(path, ST0071_METHODS).recommendations
    assert (advice.id, advice.topic, advice.about, advice.citation) == (
        "project-first", "order", "project", "acme.txt § Order")
    # A file without the section is valid and has none.
    path.write_text(BARE_JOURNEY.split("recommendations:")[0])
    assert epa.load_journey(path, ST0071_METHODS).recommendations == ()


@pytest.mark.parametrize("old,new,expected", [
    # an unknown topic: the schema's enum, at the topic's line (11) and column (10)
    ("topic: order", "topic: sequence", ["ST0071.journey.yaml:11:10: $.recommendations[0].topic",
                                         "'sequence' is not allowed here"]),
    # about names a method the standard does not have (ST0072's showcase), at line 12
    ("about: project", "about: showcase", ["ST0071.journey.yaml:12:10: $.recommendations[0].about",
                                           "names method 'showcase'", "discussion, observation, project"]),
    ("about: project", "about: Project", ["ST0071.journey.yaml:12:10: $.recommendations[0].about"]),
    # the text is the document's sentence: it cannot be left out
    ("  text: The project should come first.\n", "", ["$.recommendations[0]", "'text' is a required property"]),
    ("citation: acme.txt § Order", "citation: Order", ["$.recommendations[0].citation"]),
    ("  citation: acme.txt § Order\n", "  citation: acme.txt § Order\n  mandatory: false\n",
     ["$.recommendations[0]", "mandatory"]),
    # ids are unique within the section
    ("- id: project-first\n", "- id: project-first\n  topic: order\n  text: x\n  citation: acme.txt § Order\n"
     "- id: project-first\n", ["ST0071.journey.yaml:14:7: $.recommendations[1].id",
                               "recommendations id 'project-first' appears twice"]),
])
def test_malformed_recommendation_is_reported_with_file_line_and_path(tmp_path, old, new, expected):
    text = BARE_JOURNEY.replace(old, new)
    assert text != BARE_JOURNEY
    path = tmp_path / "ST0071.journey.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as info:
        epa.load_journey(path, ST0071_METHODS)
    for part in expected:
        assert part in info.value.render(), info.value.render()


@pytest.mark.parametrize("body", [pytest.param(b, marks=requires(b)) for b in OUR_BODIES])
def test_registry_loads_journeys_for_every_one_of_our_bodies(registry, body):
    # Each of our plugins ships journey rules; another body's need not (see the test above).
    for ruleset in registry.body(body).body.rulesets:
        assert ruleset.journey is not None, (body, ruleset.standard)


@requires("nqual")
def test_results_deadline_waits_for_the_final_assessment(tmp_path):
    # 000 § GRADING & CRITERIA: "Grading results will be communicated to the apprentice within 10 working days of
    # completion of the final component." The discussion is only scheduled (Mon 2 Feb 2026): the final
    # component is then, + 10 working days = Mon 16 Feb 2026; a notification of an earlier method is not it.
    record = textwrap.dedent("""\
        standard: ST0071
        apprentice: {id: A-1}
        gateway: {date: 2025-12-01}
        schedule: {discussion: 2026-02-02}
        assessments:
          - {method: observation, date: 2026-01-12, grade: pass}
          - {method: project, date: 2026-01-19, notified: 2026-01-20, grade: pass}
    """)
    out = ok_json("grade", "--body", "nqual", write(tmp_path, record), definition="result")
    results = only(out["deadlines"], "results")
    assert (results["date"], results["status"]) == ("2026-02-16", "open")


# --- advice: a deadline or tolerance whose sentence says "should" is reported, never a failure --------------------

ADVICE_RECORD = textwrap.dedent("""\
    standard: ST0071
    apprentice: {id: A-ADV}
    gateway: {date: 2025-09-01}
    dates: {registered: 2025-10-20}
    assessments:
      - {method: observation, date: 2025-11-03, grade: pass, duration_minutes: 80}
      - {method: project, date: 2025-11-10, notified: 2025-11-14, grade: fail}
      - {method: discussion, date: 2025-11-12, grade: pass}
      - {method: project, date: 2026-03-02, kind: resit, grade: pass}
""")


def _twin(strength: str | None) -> object:
    """A body reusing a loaded body's ST0071 grading rules, with journey rules of the core's own making: a lead
    time 30 days before the first assessment (checked by a gateway requirement worded 'must'), a window of one
    month after a fail notification whose consequence is the whole EPA again, and a 60 minutes +/-10%
    observation, each with ``strength``; None: a twin with none of them (the control)."""
    import attrs

    from epa.model.domain import (
        AttemptLimit,
        Cap,
        Check,
        Cited,
        DeadlineRef,
        DeadlineRule,
        GatewayRule,
        Journey,
        ResitRules,
        Tolerance,
        Window,
    )

    base = reused_body().rulesets_for("ST0071")[-1]
    cite = f"{base.document.file} § Test"
    if strength is None:
        gateway, deadlines, windows, tolerances = (), (), (), ()
    else:
        gateway = (GatewayRule("lead", "Registered 30 days before", "x", cite, Check(deadline=DeadlineRef("lead")),
                               strength="mandatory"),)
        deadlines = (DeadlineRule("lead", "Registered 30 days before", "first_assessment", Offset(days=-30), "x",
                                  cite, event="registered", strength=strength),)
        windows = (Window("window", "Resit within a month", "fail_notified", Offset(months=1), False, "full_retake",
                          "x", cite, strength=strength),)
        tolerances = (Tolerance("duration", "observation", "duration_minutes", "x", cite, nominal=60,
                                minus_percent=10, plus_percent=10, strength=strength),)
    resit = ResitRules(Cap(epa.Grade.PASS, ("resit",), False, "x", cite), Cited("x", cite),
                       AttemptLimit(None, "x", cite), windows, (), None)
    journey = Journey("twin", "ST0071", base.document.file, gateway, deadlines, resit, tolerances)
    return epa.testing.make_plugin(f"twin_{strength or 'none'}", [attrs.evolve(base, journey=journey)])


def _use(monkeypatch, *plugins) -> None:
    from epa import cli
    from epa.registry import Registry

    monkeypatch.setattr(cli, "_registry", lambda: Registry([(p.register_body().id, p) for p in plugins]))


def test_an_advice_deadline_or_tolerance_never_makes_anything_fail(tmp_path, monkeypatch):
    record = write(tmp_path, ADVICE_RECORD)
    # Worked by hand: first assessment 2025-11-03 - 30 days = 2025-10-04, registered 2025-10-20: missed. Fail
    # notified 2025-11-14 + 1 month = 2025-12-14, resit 2026-03-02: missed. 80 minutes > 66: outside.
    _use(monkeypatch, _twin("required"), _twin("advice"), _twin(None))
    out = ok_json("compare", record, definition="compare")
    results = {r["body"]: r for r in out["results"]}
    required, advice, control = results["twin_required"], results["twin_advice"], results["twin_none"]
    for res, strength in ((required, "required"), (advice, "advice")):
        assert {(d["id"].split(".")[0], d["status"], d["strength"]) for d in res["deadlines"]} >= {
            ("lead", "missed", strength), ("window", "missed", strength)}
        (check,) = res["checks"]
        assert (check["status"], check["ok"], check["strength"]) == ("outside", False, strength)
    # required: each is a failure somewhere (gateway, the whole EPA again) ...
    assert required["gateway"]["ready"] is False and required["gateway"]["unmet"] == ["lead"]
    assert required["full_retake_required"] is True and required["overall"] is None
    # ... advice: none is, anywhere; the result is the control's, and epa compare finds no difference between them
    assert advice["gateway"]["ready"] is True and advice["gateway"]["unmet"] == []
    assert only(advice["gateway"]["requirements"], "lead")["strength"] == "recommended"
    assert advice["full_retake_required"] is False and advice["capped"] is True
    for key in ("overall", "components", "capped", "full_retake_required"):
        assert advice[key] == control[key], key
    assert advice["gateway"]["ready"] == control["gateway"]["ready"]
    assert all("not a failure" in d["says"] for d in advice["deadlines"] if d["status"] == "missed")
    _use(monkeypatch, _twin("advice"), _twin(None))
    assert ok_json("compare", record, definition="compare")["differences"] == []
    # every table marks them as advice
    monkeypatch.setenv("COLUMNS", "300")
    timeline = run("timeline", record)
    assert timeline.exit_code == 0, timeline.stderr
    assert "missed (advice)" in timeline.stdout and "outside (advice)" in timeline.stdout
    compared = run("compare", record, "--show", "all")
    if compared.exit_code == 2:  # a compare without --show prints its deadlines anyway
        compared = run("compare", record)
    assert compared.exit_code == 0, compared.stderr
    assert "missed (advice)" in compared.stdout


@pytest.mark.parametrize("edit,expected", [
    # a gateway requirement worded "must" cannot be checked against advice
    (lambda t: t.replace("  offset: {weeks: -2}\n  event: portfolio_submitted\n",
                         "  offset: {weeks: -2}\n  event: portfolio_submitted\n  strength: advice\n", 1),
     "is checked against deadline 'portfolio-before-discussion', which is advice"),
    # an advice window states no consequence
    (lambda t: t.replace("    consequence: none_stated\n", "    consequence: full_retake\n", 1),
     "is advice (strength: advice) but states a consequence"),
    (lambda t: t.replace("  strength: advice", "  strength: should", 1), "'should' is not allowed"),
])
def test_journey_strength_is_checked(tmp_path, edit, expected):
    rules = _journey_dir(tmp_path, edit)
    with pytest.raises(InputError) as info:
        epa.load_rulesets(rules)
    assert expected in info.value.render(), info.value.render()


def test_strength_defaults_to_required(tmp_path):
    path = tmp_path / "ST0071.journey.yaml"
    path.write_text(BARE_JOURNEY.replace("deadlines: []", textwrap.dedent("""\
        deadlines:
        - {id: lead, name: Lead, from: gateway, offset: {days: 1}, text: x, citation: acme.txt § A}""")).replace(
        "tolerances: []", "tolerances:\n- {id: t, method: observation, measure: words, max: 5, text: x, "
                          "citation: acme.txt § A}"))
    journey = epa.load_journey(path, ST0071_METHODS)
    assert (journey.deadlines[0].strength, journey.tolerances[0].strength) == ("required", "required")


def test_a_deadline_on_every_method_lists_their_first_attempts_in_date_order():
    """The example's first attempts are the project on 2025-11-10, the discussion on 2025-11-12 and the
    observation on 2025-11-17 (the project's resit on 2025-12-11 is no first attempt): each body's window over
    every method lists them in that order and says they are first attempts, whatever order its methods are in."""
    offering("ST0071", "the standard of examples/st0071-journey.yaml")
    every = {(j["body"], d["id"]) for j in ok_json("journey", "--standard", "ST0071", definition="journey")
             for d in j["deadlines"] if d["event"] == "every_method"}
    listed = [d["says"] for r in ok_json("timeline", JOURNEY, definition="timeline")["results"]
              for d in r["deadlines"] if (r["body"], d["id"]) in every]
    if not listed:
        pytest.skip("no installed body sets a deadline on every method's first attempt for ST0071")
    for says in listed:
        assert "each method's first attempt on 2025-11-10, 2025-11-12, 2025-11-17: " in says
