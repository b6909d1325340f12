"""What the regulators' outputs (`epa consistency`, `epa audit`) say about each body, held to the documents: a
statement no document supports, or one stronger than its document, is a defect (the guide: "should" is advice,
"can" a permission; where a document states no consequence the tool says so; a reading is said to be one).

Every expected value is from the documents (file § section, the sentence quoted) or worked out by hand."""

from __future__ import annotations

from conftest import FOUR, finding, side
from epa.testing import requires

needs_four = requires(*FOUR)


@needs_four
def test_questioning_worded_should_is_advice_on_duration_not_none_stated():
    # 004 § 2.5 Assessment method 1: "Questions and answers should not exceed 15% of the total time"; 003
    # § Questioning Session: "The questioning period should not exceed 15% of the total time allowed for the
    # practical observation."; 002 § Assessing the practical observation (with Q&As): "The amount of questioning
    # time carried out during the observation should not exceed 15% of the total time allowed for the practical
    # observation." Each is advice on how long something takes: "Advice on duration: gateway_quals and tqual: none
    # stated" was false of both documents.
    f = finding("recommendations.duration")
    for body_id, words in (("gateway_quals", "Questions and answers should not exceed 15% of the total time"),
                           ("tqual", "The questioning period should not exceed 15% of the total time allowed"),
                           ("highfield", "questioning time carried out during the observation should not exceed 15%")):
        s = side(f, body_id)
        assert s["says"] != "none stated", (body_id, s["says"])
        assert any(words in q["text"] for q in s["quotes"] if q["body"] == body_id), (body_id, s["quotes"])
    assert "none stated" not in f["summary"]
    # NQual's observation "lasting 60 minutes" (000 § Practical Observation with Q&As) states no advice on
    # questioning: its side holds its mock durations alone, as before
    assert not any("15%" in q["text"] for q in side(f, "nqual")["quotes"])


@needs_four
def test_a_cap_the_tool_reads_from_an_ambiguous_sentence_says_it_is_a_reading():
    # 002 § Retake and resit information: "The maximum grade awarded to a resit will be pass, unless Highfield
    # identifies exceptional circumstances accounting for the original fail." It names a resit only, and "the
    # maximum grade awarded to a resit" may be the overall grade or the resat method's: that a retake is not capped
    # and that the method's own grade is are the tool's readings (its two recorded ambiguities, rules [resit.cap]),
    # and the side said them as the document's rule. A tolerance read so says "(on the tool's reading: <id>)".
    f = finding("resits.cap")
    s = side(f, "highfield")
    assert s["bodies"] == ["highfield"]
    assert s["says"].endswith("(on the tool's reading: highfield-resit-cap-resit-only, "
                              "highfield-maximum-grade-of-a-resit)"), s["says"]
    assert {r.split(":")[0] for r in s["readings"]} == {"highfield-resit-cap-resit-only",
                                                        "highfield-maximum-grade-of-a-resit"}
    # 004 § 4, 003 § Resits and Retakes and 000 § Re-sit / Re-take name both routes ("resat or retaken", "a resit
    # or retake", "re-sat or re-taken") and cap "the overall EPA grade" / "a maximum EPA grade": no reading
    for body_id in ("gateway_quals", "tqual", "nqual"):
        other = side(f, body_id)
        assert "the tool's reading" not in other["says"] and not other.get("readings"), (body_id, other)


# --- epa audit, on a provider's export as its MIS holds it --------------------------------------------------------

MIS = (
    "Learner Ref,Standard,EPAO,Gateway Date,Observation Grade,Observation Attempt,Project Grade,Project Attempt,"
    "Discussion Grade,Discussion Attempt,EC,Overall Grade\n"
    # a retake of the discussion, every method at distinction, recorded distinction
    "L007,ST0071,Highfield,03/02/2025,Distinction,First,Distinction,First,DISTINCTION,Retake,No,Distinction\n"
    # a resit of the observation at distinction, the others at distinction, recorded distinction
    "L008,ST0071,Highfield Assessment,03/02/2025,Distinction,Resit,distinction,First,Distinction,First,no,"
    "DISTINCTION\n"
    # the same at TQUK, whose document names both routes: no reading
    "L010,ST0071,TQUK,14/01/2025,Distinction,Resit,Pass,First,Pass,First,No,Distinction\n"
)


def _audited(tmp_path) -> dict[str, dict]:
    import json

    from epa.testing import run

    path = tmp_path / "mis.csv"
    path.write_text(MIS, encoding="utf-8")
    result = run("audit", str(path), "--format", "json")
    assert result.exit_code == 1, result.stderr  # two rows do not follow (worked out below)
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    return {r["apprentice"]: r for r in rows if "apprentice" in r}


@requires("highfield", "tqual")
def test_the_audit_says_a_cap_read_from_an_ambiguous_sentence_is_the_tool_s_reading(tmp_path):
    rows = _audited(tmp_path)
    reading = "(on the tool's reading: highfield-resit-cap-resit-only, highfield-maximum-grade-of-a-resit)"
    # 002 § Retake and resit information: "The maximum grade awarded to a resit will be pass, unless Highfield
    # identifies exceptional circumstances accounting for the original fail." It says nothing of a retake: that a
    # retake is not capped is the tool's reading (highfield-resit-cap-resit-only). § Grading's matrix: D, D, D gives
    # distinction, so by that reading the recorded distinction follows; the rule said "no cap" as the kit's.
    retake = rows["L007"]
    assert (retake["expected"], retake["agrees"]) == ("distinction", True)
    assert retake["rule"].endswith("no cap: the document caps the grade after a resit, and the record has only a "
                                   f"retake {reading}"), retake["rule"]
    # the resit's own grade capped (highfield-maximum-grade-of-a-resit): the observation counts as pass, and
    # § Grading's row "Distinction | Distinction | Pass | Pass" (project, discussion, observation) gives pass
    resit = rows["L008"]
    assert (resit["expected"], resit["agrees"]) == ("pass", False)
    assert resit["rule"].startswith(f"observation resit: its own grade capped at pass {reading}, so the "
                                    "observation's distinction recorded counts as pass"), resit["rule"]
    # 003 § Resits and Retakes: "If a resit or retake is required, the overall EPA grade will be capped at a pass,
    # unless Training Qualifications UK determines there are exceptional circumstances": its words, no reading
    tquk = rows["L010"]
    assert (tquk["expected"], tquk["agrees"]) == ("pass", False)
    assert "the tool's reading" not in tquk["rule"] and "overall grade capped at pass" in tquk["rule"]


@requires("highfield", "tqual")
def test_the_journey_table_says_a_cap_read_from_an_ambiguous_sentence_is_the_tool_s_reading(monkeypatch):
    from epa.testing import run

    monkeypatch.setenv("COLUMNS", "400")  # one line a row: the words are looked for whole
    # 002 § Retake and resit information, as above: the cap's route and its reach are the tool's readings
    result = run("journey", "--standard", "ST0071", "--body", "highfield")
    assert result.exit_code == 0, result.stderr
    assert ("lifted by exceptional circumstances (on the tool's reading: highfield-resit-cap-resit-only, "
            "highfield-maximum-grade-of-a-resit)") in result.stdout
    # 003 § Resits and Retakes states its cap in its own words ("If a resit or retake is required, the overall EPA
    # grade will be capped at a pass, unless ..."): no reading
    result = run("journey", "--standard", "ST0071", "--body", "tqual")
    assert result.exit_code == 0, result.stderr
    [cap] = [line for line in result.stdout.splitlines() if "grade capped at pass" in line]
    assert "the tool's reading" not in cap, cap
