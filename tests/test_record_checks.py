"""The checks a record must pass beyond its JSON Schema are stated once (epa.inputs.record_checks) and both readers of a
record give the same refusal for each: the checked path (record.record_from_data, which words it) and the typed
fast decoder of a cohort's lines (epa.inputs.fastrecord, which leaves the line to the checked path). Issue 18: "one set
of validity checks" (they were written twice, fastrecord._filled and record._check_names/_check_dates).

Each check below breaks one rule of a valid record; the message, the JSON path and the hint are the ones the
checked path has always given (tests/test_bad_input*.py hold more of them)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import offering
from epa.batch.cohort import Located, _parse_json
from epa.errors import InputError
from epa.inputs import fastrecord
from epa.inputs.record import record_from_data
from epa.inputs.record_checks import Names, refusal
from epa.registry import Registry

STANDARD = "ST0071"


@pytest.fixture(scope="module")
def registry() -> Registry:
    return offering(STANDARD)


def _valid(registry: Registry) -> dict[str, Any]:
    """A valid record that has every date a check compares: a fail notified two days on, then its resit; a
    second method scheduled; a proposal rejected and resubmitted."""
    first, second = registry.method_ids(STANDARD)[:2]
    return {"standard": STANDARD,
            "apprentice": {"id": "A", "date_of_birth": "2000-01-01", "start_date": "2024-01-01"},
            "gateway": {"date": "2025-01-01"},
            "dates": {"epa_start": "2025-01-06", "planning_meeting": "2025-01-03", "proposal_rejected": "2025-01-10",
                      "proposal_resubmitted": "2025-01-20"},
            "schedule": {second: "2025-04-01"},
            "assessments": [{"method": first, "date": "2025-02-01", "grade": "fail", "notified": "2025-02-03"},
                            {"method": first, "date": "2025-03-01", "kind": "resit", "grade": "pass"}]}


def _first(d: dict) -> str:
    return d["assessments"][0]["method"]


# Each check: how to break it, the JSON path it refuses, and the start of what it says (from record.py at 31083bd).
CHECKS = {
    "unknown body in document_versions": (lambda d: d.update(document_versions={"nobody": "v1"}),
                                          "$.document_versions.nobody", "unknown body 'nobody'"),
    "unknown method scheduled": (lambda d: d["schedule"].update(obsrvation="2025-04-01"),
                                 "$.schedule.obsrvation", "ST0071 has no assessment method 'obsrvation' to schedule"),
    "unknown method attempted": (lambda d: d["assessments"][1].update(method="interveiw"),
                                 "$.assessments[1].method", "ST0071 has no assessment method 'interveiw'"),
    "unknown criterion": (lambda d: d["assessments"][1].update(criteria_met=["ZZ9"], grade=None),
                          "$.assessments[1].criteria_met[0]", "no body knows criterion 'ZZ9' for ST0071"),
    "start on the date of birth": (lambda d: d["apprentice"].update(start_date="2000-01-01"),
                                   "$.apprentice.date_of_birth", "the date of birth 2000-01-01 is not before"),
    "gateway before the start": (lambda d: d["apprentice"].update(start_date="2025-06-01"),
                                 "$.gateway.date", "gateway 2025-01-01 is before the apprenticeship start 2025-06-01"),
    "an assessment before gateway": (lambda d: d["assessments"][0].update(date="2024-12-01"),
                                     "$.assessments[0].date", "assessment on 2024-12-01 is before gateway"),
    "notified before the assessment": (lambda d: d["assessments"][0].update(notified="2025-01-20"),
                                       "$.assessments[0].notified", "result notified on 2025-01-20, before"),
    "attempts out of date order": (lambda d: d["assessments"][1].update(date="2025-01-15"),
                                   "$.assessments[1].date", "assessment on 2025-01-15 comes after one on 2025-02-01"),
    "EPA start before gateway": (lambda d: d["dates"].update(epa_start="2024-12-01"),
                                 "$.dates.epa_start", "epa start 2024-12-01 is before gateway (2025-01-01)"),
    "planning meeting before gateway": (lambda d: d["dates"].update(planning_meeting="2024-12-01"),
                                        "$.dates.planning_meeting", "planning meeting 2024-12-01 is before gateway"),
    "a proposal resubmitted, never rejected": (lambda d: d["dates"].pop("proposal_rejected"),
                                               "$.dates.proposal_resubmitted", "a resubmitted proposal with no date"),
    "a proposal resubmitted before its rejection": (lambda d: d["dates"].update(proposal_resubmitted="2025-01-05"),
                                                    "$.dates.proposal_resubmitted", "proposal resubmitted on 2025-01-05"),
    "scheduled before gateway": (lambda d: d["schedule"].update({next(iter(d["schedule"])): "2024-12-01"}),
                                 "$.schedule", "scheduled on 2024-12-01, before gateway (2025-01-01)"),
    "a resit with no earlier attempt": (lambda d: d["assessments"][0].update(kind="resit"),
                                        "$.assessments[0].kind", "a resit of the"),
    "a resit after a pass": (lambda d: d["assessments"][0].update(grade="pass"),
                             "$.assessments[1].kind", "a resit of the"),
    "a second first attempt": (lambda d: d["assessments"][1].update(kind="first"),
                               "$.assessments[1].kind", "a second first attempt at the"),
}


def _line(data: dict) -> bytes:
    return json.dumps({k: v for k, v in data.items() if v is not None}, separators=(",", ":")).encode()


def _slow(raw: bytes, registry: Registry) -> InputError | None:
    """The checked path's refusal of a cohort line (None: it is a valid record)."""
    try:
        record_from_data(_parse_json(raw, "x:1"), Located("x", 1), registry, where="x:1")
    except InputError as exc:
        return exc
    return None


def _fast_refusal(raw: bytes, registry: Registry) -> tuple[str, str, str | None] | None:
    """What record_checks says of the fast decoder's view of the line, its defaults filled as fastrecord fills
    them: (where, message, hint) as the checked path would raise it."""
    known = fastrecord._known(registry)
    r = fastrecord._DECODER.decode(raw)  # (not the decoder narrowed to known names: it refuses those first)
    fastrecord._filled(r, registry, known)
    found = refusal(r, registry, Names(registry, r.standard))
    return None if found is None else (Located("x", 1).where(found.parts), found.message, found.hint)


def _clean(data: dict) -> dict:
    for attempt in data.get("assessments", []):
        for key in [k for k, v in attempt.items() if v is None]:
            del attempt[key]
    return data


def test_the_valid_record_is_valid_on_both_paths(registry):
    raw = _line(_valid(registry))
    assert _slow(raw, registry) is None
    assert fastrecord.decode(raw, registry) is not None
    assert _fast_refusal(raw, registry) is None


@pytest.mark.parametrize("name", list(CHECKS))
def test_each_check_gives_the_same_refusal_on_both_paths(registry, name):
    change, path, said = CHECKS[name]
    data = _valid(registry)
    change(data)
    raw = _line(_clean(data))
    slow = _slow(raw, registry)
    assert slow is not None and said in slow.message and slow.where.startswith(f"x:1: {path}")
    assert fastrecord.decode(raw, registry) is None  # left to the checked path, which words it
    assert fastrecord.view(raw, registry, criteria=False) is None
    assert _fast_refusal(raw, registry) == (slow.where, slow.message, slow.hint)


def test_the_first_fault_is_the_one_the_checked_path_names(registry):
    """Several rules broken at once: both say the first in the checked path's order (names, the apprentice's
    dates, the attempts' dates, the journey's dates, the attempts' turns), whichever attempt comes first."""
    data = _valid(registry)
    data["assessments"][0].update(kind="resit")  # out of turn (last in the order)
    data["dates"]["epa_start"] = "2024-12-01"  # a journey date
    data["assessments"][1].update(date="2025-01-15")  # an attempt's date
    data["assessments"][1].update(method="interveiw")  # a name: said first
    raw = _line(data)
    slow = _slow(raw, registry)
    assert slow is not None and slow.where == "x:1: $.assessments[1].method"
    assert _fast_refusal(raw, registry) == (slow.where, slow.message, slow.hint)
    for fix, where in ((lambda d: d["assessments"][1].update(method=d["assessments"][0]["method"]),
                        "x:1: $.assessments[1].date"),
                       (lambda d: d["assessments"][1].update(date="2025-03-01"), "x:1: $.dates.epa_start"),
                       (lambda d: d["dates"].update(epa_start="2025-01-06"), "x:1: $.assessments[0].kind")):
        fix(data)
        raw = _line(data)
        slow = _slow(raw, registry)
        assert slow is not None and slow.where == where
        assert _fast_refusal(raw, registry) == (slow.where, slow.message, slow.hint)


def test_criteria_and_grade_both_or_neither_are_refused_on_both_paths(registry):
    """The schema's oneOf, which msgspec cannot state: the fast path leaves such a line to the schema's words."""
    for change in (lambda a: a.update(criteria_met=[]), lambda a: a.pop("grade")):
        data = _valid(registry)
        change(data["assessments"][0])
        raw = _line(data)
        slow = _slow(raw, registry)
        assert slow is not None and "either criteria_met" in slow.message
        assert fastrecord.view(raw, registry) is None


_DATES = st.sampled_from(["2000-01-01", "2024-01-01", "2024-12-01", "2025-01-01", "2025-01-06", "2025-02-01",
                          "2025-03-01", None])


@st.composite
def _records(draw: Any, registry: Registry) -> bytes:
    """A record of the valid one's shape whose dates, kinds, grades and names are drawn, so that any number of
    the checks fail at once (or none)."""
    methods = [*registry.method_ids(STANDARD), "interveiw"]
    criteria = [*sorted(registry.criterion_ids(STANDARD))[:4], "ZZ9"]
    data = _valid(registry)
    data["apprentice"].update(date_of_birth=draw(_DATES), start_date=draw(_DATES))
    data["gateway"]["date"] = draw(_DATES.filter(bool))
    data["dates"] = {k: v for k in data["dates"] if (v := draw(_DATES))}
    data["schedule"] = {draw(st.sampled_from(methods)): draw(_DATES.filter(bool))} if draw(st.booleans()) else {}
    attempts = []
    for _ in range(draw(st.integers(0, 4))):
        attempt = {"method": draw(st.sampled_from(methods)), "date": draw(_DATES.filter(bool)),
                   "kind": draw(st.sampled_from(["first", "resit", "retake"]))}
        if draw(st.booleans()):
            attempt["grade"] = draw(st.sampled_from(["fail", "pass", "distinction"]))
        else:
            attempt["criteria_met"] = draw(st.lists(st.sampled_from(criteria), unique=True, max_size=3))
        if notified := draw(_DATES):
            attempt["notified"] = notified
        attempts.append(attempt)
    data["assessments"] = attempts
    data["apprentice"] = {k: v for k, v in data["apprentice"].items() if v is not None}
    return _line(data)


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_drawn_records_get_the_same_answer_on_both_paths(registry, data):
    raw = data.draw(_records(registry))
    slow = _slow(raw, registry)
    fast = fastrecord.decode(raw, registry)
    assert (fast is None) == (slow is not None), raw
    if slow is not None:
        assert _fast_refusal(raw, registry) == (slow.where, slow.message, slow.hint), raw
