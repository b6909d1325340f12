"""What the regulators' outputs (`epa consistency`, `epa audit`) say about each body, held to the documents: a
statement no document supports, or one stronger than its document, is a defect (the guide: "should" is advice,
"can" a permission; where a document states no consequence the tool says so; a reading is said to be one).

Every expected value is from the documents (file § section, the sentence quoted) or worked out by hand."""

from __future__ import annotations

import functools

from epa.testing import requires

FOUR = ("gateway_quals", "highfield", "nqual", "tqual")
needs_four = requires(*FOUR)


@functools.cache
def consistency() -> dict:
    from epa.consistency import analyse
    from epa.testing import registry

    return analyse(registry(), "ST0071", list(FOUR))


def finding(finding_id: str) -> dict:
    found = [f for f in consistency()["findings"] if f["id"] == finding_id]
    assert found, f"no finding {finding_id!r} among {[f['id'] for f in consistency()['findings']]}"
    return found[0]


def side(f: dict, body_id: str) -> dict:
    return next(s for s in f["sides"] if body_id in s["bodies"])


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
