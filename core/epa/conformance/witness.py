"""Witness records: the smallest apprentice record that shows a check's counterexample.

Each is plain data, as a user would write it, so ``epa grade --body ID`` reproduces the check's
finding from it; its ``document_versions`` names the version the check looked at.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from epa.model.convert import structure as _structure
from epa.model.domain import Grade, Record, Ruleset

GATEWAY = dt.date(2025, 1, 6)


def _base(body: str, r: Ruleset, attempts: list[dict[str, Any]]) -> dict[str, Any]:
    gateway = max(GATEWAY, r.document.effective_from or GATEWAY)
    day = gateway + dt.timedelta(days=14)
    for i, attempt in enumerate(attempts):
        attempt.setdefault("date", (day + dt.timedelta(days=7 * i)).isoformat())
    return {"standard": r.standard, "apprentice": {"id": f"conformance-{body}"},
            "gateway": {"date": gateway.isoformat()}, "assessments": attempts,
            # a document without a version is its body's only one for the standard: nothing to name
            **({"document_versions": {body: r.document.version}} if r.document.version else {})}


def criteria(body: str, r: Ruleset, met: Mapping[str, frozenset[str]]) -> dict[str, Any]:
    """A record meeting ``met`` in the methods named, and every criterion of the other methods."""
    return _base(body, r, [{"method": m, "criteria_met": sorted(met.get(m, {c.id for c in r.criteria_for(m)}))}
                           for m in r.method_ids])


def recorded(body: str, r: Ruleset, grades: Mapping[str, Grade]) -> dict[str, Any]:
    """A record with one grade already awarded per method."""
    return _base(body, r, [{"method": m, "grade": str(g)} for m, g in grades.items()])


def resit(body: str, r: Ruleset, method: str, kind: str, days: int = 7) -> dict[str, Any]:
    """Distinction everywhere but ``method``, which fails and is then passed with distinction at a ``kind``, ``days``
    after the last first attempt."""
    attempts: list[dict[str, Any]] = [{"method": m, "grade": "fail" if m == method else "distinction"}
                                      for m in r.method_ids]
    record = _base(body, r, attempts)
    last = dt.date.fromisoformat(attempts[-1]["date"])
    record["assessments"].append({"method": method, "kind": kind, "grade": "distinction",
                                  "date": (last + dt.timedelta(days=days)).isoformat()})
    return record


def samples(body: str, r: Ruleset) -> list[dict[str, Any]]:
    """Typical records: every criterion met, pass criteria only, and a method failed."""
    everything = {m: frozenset(c.id for c in r.criteria_for(m)) for m in r.method_ids}
    passes = {m: frozenset(c.id for c in r.criteria_for(m, "pass")) for m in r.method_ids}
    first = r.method_ids[0]
    return [criteria(body, r, everything), criteria(body, r, passes),
            criteria(body, r, {**passes, first: frozenset()})]


def structure(data: dict[str, Any]) -> Record:
    return _structure(data, Record, where="witness record")


def full(body: str, r: Ruleset) -> dict[str, Any]:
    """A record giving everything a record can give: the apprentice's details, every gateway item, every journey
    date, each attempt's measures and notification, a planned date. The other witnesses give only what their
    check reads, so a hook reading the rest (and raising on it) is called with it here."""
    everything = {m: frozenset(c.id for c in r.criteria_for(m)) for m in r.method_ids}
    record = criteria(body, r, everything)
    gateway = dt.date.fromisoformat(record["gateway"]["date"])

    def day(n: int) -> str:
        return (gateway + dt.timedelta(days=n)).isoformat()

    record["apprentice"].update({"date_of_birth": "2000-02-29", "start_date": day(-400), "english": "level2",
                                 "maths": "level2", "ehcp": True, "bsl": False})
    record["gateway"].update({"portfolio_pieces": 12, "project_proposal_words": 500, "photo_id": True,
                              "gateway_form": True, "portfolio": True, "project_proposal": True,
                              "portfolio_declaration": True, "english_maths_declaration": True})
    record["dates"] = {"registered": day(-300), "evidence_submitted": day(-2), "epa_start": day(1),
                       "planning_meeting": day(3), "proposal_rejected": day(5), "proposal_resubmitted": day(7),
                       "portfolio_submitted": day(-1), "project_report_submitted": day(10),
                       "observation_notice": day(4)}
    # each method planned for the day it was then taken
    record["schedule"] = {a["method"]: a["date"] for a in reversed(record["assessments"])}
    for attempt in record["assessments"]:
        attempt.update({"notified": (dt.date.fromisoformat(attempt["date"]) + dt.timedelta(days=5)).isoformat(),
                        "duration_minutes": 60, "questioning_minutes": 15, "words": 2500,
                        "duration_includes_questioning": True})
    return record


def opposite(body: str, r: Ruleset) -> dict[str, Any]:
    """The record ``full`` gives, each of its values the other way: every yes or no the other answer, the
    qualifications at other levels, the counts and words none, each attempt under exceptional circumstances and
    its duration not counting its questioning; so that a hook raising on either value of a field is called with
    each (one raising whenever a photo id is recorded as not provided passed every check)."""
    record = full(body, r)
    record["apprentice"].update({"english": "level3", "maths": "none", "ehcp": False, "bsl": True})
    record["gateway"].update({"portfolio_pieces": 0, "project_proposal_words": 0, "photo_id": False,
                              "gateway_form": False, "portfolio": False, "project_proposal": False,
                              "portfolio_declaration": False, "english_maths_declaration": False})
    for attempt in record["assessments"]:
        attempt.update({"words": 0, "duration_includes_questioning": False, "exceptional_circumstances": True})
    return record
