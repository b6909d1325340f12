"""What a missed deadline says follows it: the consequence its document states, that the document states none, or,
where a plugin does not say, neither (the developers' guide: "where a document states no consequence the tool says
so"; resit windows have said it since their `consequence` was added, deadlines now say it too).

Every expected value is from the documents (the sentence quoted beside it) or worked out by hand in a comment."""

from __future__ import annotations

import textwrap

import attrs
import pytest

import epa
from conftest import OUR_BODIES, ok_json, only, reused_body, run, write
from epa.errors import InputError
from epa.model.domain import NONE_STATED, Consequence, DeadlineRule, Journey, Offset
from epa.testing import flat, journey_rules, requires, source_text

GQ, NQ71, NQ72 = "004_97be493b5d6ee5b2.txt", "000_75563123dfdaaed6.txt", "001_b8a29f12b00d3850.txt"
NQ_GATEWAY = "This section outlines the requirements an apprentice must have met in order to complete their End-Point " \
             "Assessment."
GQ_GATEWAY = "Apprentices will not be accepted at EPA Gateway if the evidence required is not sufficiently met."

# Each body's deadlines, read against the document around the sentence each cites: the sentence that states what
# follows a miss (with its citation), or None where the document states no consequence. A deadline in a list of
# "must"s or "should"s says what is due, not what follows when it is not; only these sentences say more.
STATED: dict[tuple[str, str], dict[str, tuple[str, str] | None]] = {
    ("gateway_quals", "ST0071"): {
        # § 2.2: "Before the apprentice can enter the EPA Gateway process, the following evidence is required: ...
        # Apprentices will not be accepted at EPA Gateway if the evidence required is not sufficiently met."
        "gateway-evidence-before-gateway": (GQ_GATEWAY, f"{GQ} § 2.2 EPA Gateway"),
        "epa-window": None,  # § Key information: "EPA duration Up to 3 months", a table cell, nothing more
        "observation-notice": None,  # § 2.5: "Two weeks' notice of the practical observation must be provided."
        "project-report-before-interview": None,  # § 2.6: "... at least two weeks before the interview date."
        "project-work-two-months": None,  # § 2.6: "... following the EPA Gateway Meeting over a two-month period."
        "portfolio-before-discussion": None,  # § 2.7: "... two weeks prior to the professional discussion."
    },
    ("highfield", "ST0071"): {
        "portfolio-before-discussion": None,  # "must submit the portfolio of evidence ... 2 weeks before the set date"
        "proposal-resubmission": None,  # "must resubmit a revised proposal within 1 week." and nothing of a later one
        "project-within-2-months-of-epa-start": None,  # "(the work-based project must be completed within 2 months
        # from the start of the end-point assessment)": a 'mandated' window, but no consequence
        "project-work-within-2-months-of-gateway": None,  # "... following the gateway process over a 2-month period."
        "report-before-interview": None,  # "... 2 weeks prior to an interview date."
        "epa-window-3-months": None,  # "The interview will take place before the 3-month end-point assessment period."
        "observation-notice": None,  # "... giving the apprentice a minimum of 2 weeks' notice ..."
    },
    ("nqual", "ST0071"): {
        "registration-90-days": None,  # "should register ... a minimum of 90 days before assessment." (advice)
        "evidence-upload-10-working-days": None,  # "All evidence should be uploaded ..." (advice)
        # § GATEWAY opens "This section outlines the requirements an apprentice must have met in order to complete
        # their End-Point Assessment.", and the form is one of them ("The Gateway form must be sent to NQual a
        # minimum of 10 working days before End-Point Assessment is carried out, along with the evidence listed above.")
        "gateway-form-10-working-days": (NQ_GATEWAY, f"{NQ71} § GATEWAY"),
        "epa-window": None,  # "All EPA activity will take place no later than 3 months from Gateway.": after gateway
        "portfolio-14-days": None,  # "should be submitted via ACE360 no later than 14 days prior" (advice)
        "observation-notice": None,  # "The apprentice will be given 2 weeks' notice of the Practical Observation."
        "project-report": None,  # "must submit a written report ... two weeks prior to the interview date."
        "discussion-portfolio": None,  # "This should be submitted to NQual two weeks prior ..." (advice)
        "results": None,  # "Grading results will be communicated ... within 10 working days ..."
    },
    ("nqual", "ST0072"): {
        "gateway-form-10-working-days": (NQ_GATEWAY, f"{NQ72} § GATEWAY"),  # the same section, the same opening
        "epa-window": None,
        "discussion-after-observation": None,  # "a structured discussion ... following the observation"
        "results": None,
    },
    ("tqual", "ST0071"): {
        "epa-window": None,  # "All EPA components must be completed within three months of the start of the ..."
        "observation-notice": None,  # "The apprentice must be given two weeks' notice of the practical observation"
        "proposal-resubmission": None,  # "the apprentice will have one week to submit a reworked project proposal"
        "project-report-submission": None,  # "will have two months from assessment planning meeting to write and ..."
        "interview-after-report": None,  # "at least two weeks after ... to give the End-Point Assessor time to review"
        "portfolio-submission": None,  # "must submit the portfolio of evidence two weeks prior to the date ..."
    },
}

NO_CONSEQUENCE = "missed (the document states no consequence for missing it)"


@pytest.mark.parametrize("body,standard", [pytest.param(b, s, marks=requires(b)) for b, s in STATED])
def test_every_deadline_of_our_bodies_says_what_its_document_states_follows_a_miss(body, standard):
    deadlines = {d["id"]: d for d in journey_rules(body, standard)["deadlines"]}
    expected = STATED[(body, standard)]
    assert set(deadlines) == set(expected), "every deadline read against its document"
    for deadline_id, stated in expected.items():
        consequence = deadlines[deadline_id]["consequence"]
        if stated is None:
            assert consequence == NONE_STATED, deadline_id
        else:
            assert (consequence["text"], consequence["citation"]) == stated, deadline_id


@pytest.mark.parametrize("body,standard", [pytest.param(b, s, marks=requires(b)) for b, s in STATED])
def test_each_stated_consequence_is_in_its_document(body, standard):
    for deadline_id, stated in STATED[(body, standard)].items():
        if stated:
            sentence, citation = stated
            assert flat(sentence) in flat(source_text(citation.partition(" § ")[0])), deadline_id


# One ST0071 record that misses a deadline of each kind, worked by hand:
# - the observation on Mon 2025-11-03, so 2 weeks' notice was due by 2025-10-20; notice given 2025-10-27: missed
#   (every body's observation-notice; none of their documents states what follows);
# - gateway 2025-09-01 (+0 days = 2025-09-01); evidence in 2025-10-24: after it (Gateway Qualifications'
#   gateway-evidence-before-gateway: missed, a consequence stated);
# - the first assessment 2025-11-03 - 10 working days = 2025-10-20 (31, 30, 29, 28, 27, 24, 23, 22, 21, 20 Oct; no
#   bank holiday): evidence 2025-10-24 is late (NQual's gateway-form-10-working-days, a consequence stated, and its
#   evidence-upload-10-working-days, advice);
# - 2025-11-03 - 90 days = 2025-08-05; registered 2025-10-20: NQual's registration-90-days missed (advice).
MISSES = textwrap.dedent("""\
    standard: ST0071
    apprentice: {id: C-1}
    gateway: {date: 2025-09-01}
    dates: {observation_notice: 2025-10-27, evidence_submitted: 2025-10-24, registered: 2025-10-20}
    assessments:
      - {method: observation, date: 2025-11-03, grade: pass}
""")


def _compared(tmp_path) -> dict[str, dict]:
    out = ok_json("compare", write(tmp_path, MISSES), definition="compare")
    return {r["body"]: r for r in out["results"]}


@pytest.mark.parametrize("body", [pytest.param(b, marks=requires(b)) for b in OUR_BODIES])
def test_a_missed_required_deadline_whose_document_states_no_consequence_says_so(tmp_path, body):
    d = only(_compared(tmp_path)[body]["deadlines"], "observation-notice")
    assert (d["date"], d["status"], d["strength"]) == ("2025-10-20", "missed", "required")
    assert d["says"].endswith("observation notice on 2025-10-27: " + NO_CONSEQUENCE), d["says"]


@requires("gateway_quals")
def test_a_missed_deadline_says_the_consequence_its_document_states(tmp_path):
    # 004 § 2.2 EPA Gateway: "Apprentices will not be accepted at EPA Gateway if the evidence required is not
    # sufficiently met." The sentence says it of evidence not sufficiently met, not of evidence in late: applying it
    # to a miss is the tool's reading (gateway-quals-evidence-sufficiently-met), and "the document states what
    # follows" put it in the document's mouth. The miss now says so, with the sentence.
    d = only(_compared(tmp_path)["gateway_quals"]["deadlines"], "gateway-evidence-before-gateway")
    assert (d["date"], d["status"]) == ("2025-09-01", "missed")
    assert d["says"].endswith("evidence submitted on 2025-10-24: missed (what follows, the tool's reading: apprentices "
                              "will not be accepted at EPA Gateway, as the document states “Apprentices will not be "
                              "accepted at EPA Gateway if the evidence required is not sufficiently met.”)"), d["says"]
    assert "the document states what follows" not in d["says"]


@requires("nqual")
def test_nqual_late_gateway_form_says_what_its_section_states_and_advice_keeps_its_words(tmp_path):
    # 000 § GATEWAY opens "This section outlines the requirements an apprentice must have met in order to complete
    # their End-Point Assessment." It says so of the section's requirements, not of a form sent late: applying it to
    # a miss is the tool's reading (nqual-st0071-gateway-form-consequence: "the opening does not say what follows a
    # late form"), as GQ's is above; "the document states what follows" put it in the document's mouth.
    res = _compared(tmp_path)["nqual"]
    form = only(res["deadlines"], "gateway-form-10-working-days")
    words = "missed (what follows, the tool's reading: an apprentice must have met it in order to complete their " \
            "End-Point Assessment, as the document states “This section outlines the requirements an apprentice " \
            "must have met in order to complete their End-Point Assessment.”)"
    assert form["date"] == "2025-10-20" and form["says"].endswith(words), form["says"]
    assert "the document states what follows" not in form["says"]
    # its gateway requirement, which reads the deadline, says the same, and makes the record not ready
    requirement = only(res["gateway"]["requirements"], "gateway-form")
    assert requirement["says"] == form["says"] and "gateway-form" in res["gateway"]["unmet"]
    # advice ('should'): the advice words, and no consequence claimed either way
    for advice_id in ("registration-90-days", "evidence-upload-10-working-days"):
        d = only(res["deadlines"], advice_id)
        assert d["says"].endswith(": missed (advice: the document advises this rather than requiring it; not a "
                                  "failure)"), d["says"]


@pytest.mark.parametrize("command", [("timeline",), ("compare", "--show", "deadlines"), ("grade",)])
@requires("tqual")
def test_the_tables_say_it_too(tmp_path, monkeypatch, command):
    monkeypatch.setenv("COLUMNS", "400")  # one line a row: the words are looked for whole
    result = run(*command, write(tmp_path, MISSES),
                 *(["--body", "tqual", "--show", "deadlines"] if command == ("grade",) else []))
    assert result.exit_code == 0, result.stderr
    assert "observation notice on 2025-10-27: " + NO_CONSEQUENCE in result.stdout


# --- a plugin's own journey: the field is optional, and without it nothing is claimed --------------------------

def _body(body_id: str, consequence: Consequence | str | None) -> object:
    """A body reusing a loaded body's ST0071 grading rules with one deadline of its own: 2 weeks' notice of the
    observation, required, with ``consequence`` (None: its plugin does not say)."""
    base = reused_body().rulesets_for("ST0071")[-1]
    rule = DeadlineRule("notice", "Notice of the observation", "observation", Offset(weeks=-2), "x",
                        f"{base.document.file} § Test", event="observation_notice", consequence=consequence)
    journey = Journey(body_id, "ST0071", base.document.file, (), (rule,), None, ())
    return epa.testing.make_plugin(body_id, [attrs.evolve(base, journey=journey)])


def _use(monkeypatch, *plugins) -> None:
    from epa import cli
    from epa.registry import Registry

    monkeypatch.setattr(cli, "_registry", lambda: Registry([(p.register_body().id, p) for p in plugins]))


def test_a_plugin_deadline_without_a_consequence_claims_none_either_way(tmp_path, monkeypatch):
    stated = Consequence("the observation is rearranged", "x", f"{reused_body().rulesets_for('ST0071')[-1].document.file}"
                                                               " § Elsewhere")
    # three bodies with one deadline each, alike but for its consequence, explained by one engine: each says its own
    _use(monkeypatch, _body("silent", None), _body("none", NONE_STATED), _body("stated", stated))
    results = {r["body"]: r for r in ok_json("compare", write(tmp_path, MISSES), definition="compare")["results"]}
    says = {body: only(r["deadlines"], "notice")["says"] for body, r in results.items()}
    due = "Notice of the observation: by 2025-10-20 (2 weeks before the observation on 2025-11-03); " \
          "observation notice on 2025-10-27: missed"
    assert says == {"silent": due, "none": f"{due} (the document states no consequence for missing it)",
                    "stated": f"{due} (the document states what follows: the observation is rearranged, "
                              f"{stated.citation})"}
    # epa journey: the consequence beside the date where the plugin gives one, nothing where it does not
    monkeypatch.setenv("COLUMNS", "400")
    listed = run("journey", "--standard", "ST0071")
    assert listed.exit_code == 0, listed.stderr
    silent, none_stated, said = (cell.strip() for line in listed.stdout.splitlines() for cell in line.split("│")
                                 if cell.strip().startswith("by 2 weeks before observation"))  # in the bodies' order
    assert silent == "by 2 weeks before observation"
    assert none_stated == "by 2 weeks before observation, the document states no consequence for missing it"
    # (a table names a cited document by its short title, here the reused body's)
    assert said.startswith("by 2 weeks before observation, the document states what follows a miss: the observation "
                           "is rearranged (") and \
        said.endswith(" § Elsewhere)"), said
    rows = {j["body"]: j["deadlines"][0] for j in ok_json("journey", "--standard", "ST0071", "--format", "json",
                                                          definition="journey")}
    assert "consequence" not in rows["silent"] and rows["none"]["consequence"] == NONE_STATED


def test_only_none_stated_claims_that_none_is_stated():
    # a rule built in code, past the schema, with a value the schema refuses: no claim either way
    from epa.rules.deadlines import consequence_words

    rule = DeadlineRule("notice", "Notice", "observation", Offset(weeks=-2), "x", "acme.txt § A",
                        event="observation_notice", consequence="full_retake")
    assert consequence_words(rule) == ""
    assert consequence_words(attrs.evolve(rule, consequence=NONE_STATED)) == \
        " (the document states no consequence for missing it)"
    assert consequence_words(attrs.evolve(rule, consequence=NONE_STATED, strength="advice")) == \
        " (advice: the document advises this rather than requiring it; not a failure)"


# --- the journey file: the schema and the loader check it ---------------------------------------------------------

def _journey(tmp_path, consequence: str, strength: str = "required"):
    path = tmp_path / "ST0071.journey.yaml"
    path.write_text(textwrap.dedent(f"""\
        body: acme
        standard: ST0071
        document: acme.txt
        gateway: []
        deadlines:
        - id: notice
          name: Notice
          from: observation
          offset: {{weeks: -2}}
          event: observation_notice
          strength: {strength}
          consequence: {consequence}
          text: x
          citation: acme.txt § A
        resit: null
        tolerances: []
        ambiguities: []
        """))
    return path


METHODS = {"observation", "project", "discussion"}


def test_a_journey_deadline_reads_its_consequence(tmp_path):
    stated = "{says: the EPA is rescheduled, text: Otherwise the EPA is rescheduled., citation: acme.txt § B}"
    assert epa.load_journey(_journey(tmp_path, stated), METHODS).deadlines[0].consequence == Consequence(
        "the EPA is rescheduled", "Otherwise the EPA is rescheduled.", "acme.txt § B")
    assert epa.load_journey(_journey(tmp_path, NONE_STATED), METHODS).deadlines[0].consequence == NONE_STATED


@pytest.mark.parametrize("consequence,strength,expected", [
    ("full_retake", "required", "$.deadlines[0].consequence: a deadline's consequence is none_stated"),
    ("{says: the EPA is rescheduled}", "required", "or {says, text, citation}, each given"),
    # advice is never a failure: a 'should' whose document states what follows is not advice
    ("{says: the EPA is rescheduled, text: x, citation: acme.txt § B}", "advice",
     "deadline 'notice' is advice (strength: advice) but states a consequence"),
])
def test_a_bad_consequence_is_refused_with_its_place(tmp_path, consequence, strength, expected):
    with pytest.raises(InputError) as info:
        epa.load_journey(_journey(tmp_path, consequence, strength), METHODS)
    assert expected in info.value.render() and "ST0071.journey.yaml" in info.value.render(), info.value.render()


def test_an_advice_deadline_whose_document_states_none_loads(tmp_path):
    assert epa.load_journey(_journey(tmp_path, NONE_STATED, "advice"), METHODS).deadlines[0].strength == "advice"
