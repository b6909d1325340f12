"""``epa consistency --cohort FILE``: the share of a real cohort's records each finding touches.

The cohort is read and decided as ``epa compare --batch FILE --format json`` does (the same reading, the same
engine, the same error rows). A record touches a finding when every body the finding names gives, on the row the
finding's witness shows (the overall grade, a method's grade, gateway readiness, the cap or a full retake), the
value the finding says it gives: the record shows the same split; and, where the finding names its cause (a
gateway finding's ``shows.unmet``: each body's unmet requirements on the witness; a criterion's
``shows.criterion``, left unmet), for the same cause. On a deadline's or a tolerance check's row a record
touches the finding where its verdicts split the bodies as the finding's region counts its classes
(``journeys.splits``): a record of any value in a class the region counts, not only the witness's value. Only
records of the analysed standard count; a finding that names an older document version, or that no record can
show, touches none.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from epa.batch import cohort as batch
from epa.consistency import journeys
from epa.consistency.complete import region
from epa.errors import InputError
from epa.model.domain import Ruleset
from epa.views.report import verdict

JOURNEY_ROWS = ("deadline:", "check:")  # a deadline's and a check's rows: journeys.row_verdicts


def _value(result: dict[str, Any], row: str, ruleset: Ruleset | None = None) -> Any:
    """A body's value on a row of ``epa compare``, from its JSON result (a deadline's or check's row: its verdict,
    the deadlines matched to their rules in ``ruleset``, the one that graded it; None where it gives none)."""
    if row.startswith(JOURNEY_ROWS):
        return _row_verdicts(result, ruleset).get(row, (None, []))[0]
    if row == "overall":
        return result.get("overall")
    if row == "gateway_ready":
        return result.get("gateway", {}).get("ready")
    if row in ("capped", "full_retake_required"):
        return result.get(row)
    return result.get("components", {}).get(row)


def _row_verdicts(result: dict[str, Any], ruleset: Ruleset | None) -> dict[str, tuple[str, list[str]]]:
    """A body's verdicts on its deadline, check and event rows, from its JSON result (``journeys.row_verdicts``)."""
    return journeys.row_verdicts(ruleset, [SimpleNamespace(**d) for d in result.get("deadlines", ())],
                                 [SimpleNamespace(**c) for c in result.get("checks", ())])


def _shown(value: Any) -> Any:
    """A finding's value as a record's JSON gives it: grades as words, no grade as null."""
    if isinstance(value, bool) or value is None:
        return value
    return None if str(value) in ("no grade", "None") else str(value)


def _same_cause(results: dict[str, dict[str, Any]], shows: dict[str, Any]) -> bool:
    """Whether the record's bodies split for the finding's cause: on a gateway finding, each body finds the same
    requirements unmet as on the witness (a record not ready for another reason shows another rule); on a
    criterion's finding, the record leaves that criterion unmet."""
    unmet = shows.get("unmet")
    if unmet is not None and any(sorted(results[label].get("gateway", {}).get("unmet", ())) != ids
                                 for label, ids in unmet.items()):
        return False
    criterion = shows.get("criterion")
    # a criterion's finding: the record leaves that criterion unmet (some body assessing it finds it missing)
    return criterion is None or any(
        criterion in (*d.get("pass_missing", ()), *d.get("distinction_missing", ()))
        for r in results.values() for d in (r.get("component_details") or {}).values())


def _shows(results: dict[str, dict[str, Any]], shows: dict[str, Any],
           ruleset_of: Callable[[dict[str, Any]], Ruleset | None]) -> bool:
    """Whether one record's results (body label -> its JSON result) show the finding's split. A deadline's or a
    check's row is read as `epa compare` reads it (``journey_verdicts``) and judged as the finding's region counts
    its classes (``journeys.splits``: the witness's verdicts, or its sides either way round; an event's row only
    where `epa compare` shows it, ``journeys.telling``); one body's deadlines
    disagreeing (``shows.rules``) as its region does (``journeys.disagree``)."""
    row = shows["row"]
    if "rules" in shows:
        [label] = shows["values"]
        if label not in results:
            return False
        given = {d["id"]: verdict(d["status"], d["strength"]) for d in results[label].get("deadlines", ())}
        return journeys.disagree({i: given.get(i) for i in shows["rules"]})
    if row.startswith(JOURNEY_ROWS):
        rows = {label: _row_verdicts(r, ruleset_of(r)) for label, r in results.items()}
        values = {label: rows[label].get(row, (None, []))[0] if label in rows else None for label in shows["values"]}
        # an event's split that a deadline row of its own tells is shown on that row (``journeys.telling``)
        return journeys.splits(shows, values) and journeys.telling(rows, row) == row
    return all(label in results and _value(results[label], row) == _shown(v)
               for label, v in shows["values"].items()) and _same_cause(results, shows)


def _why(error: Any) -> str:
    """What an error row says is wrong with it, as one line."""
    if isinstance(error, dict):
        return str(error.get("message") or "not read")
    return str(error or "not read")


def touched(registry: Any, standard: str, findings: list[dict[str, Any]], source: str) -> dict[str, Any]:
    """Decide every record of the cohort ``source`` and count, per finding (by id), the records that show its
    split; returns ``{"file", "records", "errors", "error_rows", "other_standards", "findings": {id: region}}``:
    ``error_rows`` holds each row no finding's share counts, by its line and why, as ``epa compare --batch`` says
    it (a share's reader must be able to tell what was left out of it)."""
    shown = [(f["id"], f["shows"]) for f in findings if f.get("shows")]

    def _ruleset(result: dict[str, Any]) -> Ruleset | None:
        """The ruleset that graded a result (by its document's version), for matching its deadlines to rules."""
        try:
            return registry.body(result["body"]).ruleset(standard, (result.get("document") or {}).get("version"))
        except InputError:
            return None

    counts = dict.fromkeys((i for i, _ in shown), 0)
    tally = {"records": 0, "errors": 0, "other_standards": 0}
    error_rows: list[dict[str, Any]] = []

    def heard(text: str) -> None:
        for line in text.splitlines():
            if not line.strip():
                continue
            data = json.loads(line)
            if "error" in data or "results" not in data:
                tally["errors"] += 1
                error_rows.append({"line": data.get("line"), "message": _why(data.get("error"))})
                continue
            if data.get("standard") != standard:
                tally["other_standards"] += 1
                continue
            tally["records"] += 1
            results = {r["body"]: r for r in data["results"]}
            for ident, shows in shown:
                if _shows(results, shows, _ruleset):
                    counts[ident] += 1

    batch.run(source, "json", summary=False, summary_only=False, workers=1, only=None, registry=registry,
              write=heard, progress=False)
    total = tally["records"]
    return {"file": source, **tally, "error_rows": error_rows,
            "findings": {ident: region(n, total, f"the records of {source}", unit="records")
                         for ident, n in counts.items()}}
