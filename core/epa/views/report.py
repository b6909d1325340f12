"""What each command says, as plain data (for JSON) — the table views render the same data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from epa.errors import InputError, one_line
from epa.model.domain import JOURNEY_DATES, DeadlineRule, Document, Journey, Ruleset
from epa.model.results import BodyResult
from epa.registry import Registry
from epa.rules.citations import documents

if TYPE_CHECKING:
    from epa.model.results import Decision

# `epa journey`'s rows: a body's id and name, its journey rules (None: it encodes none) and their document.
JourneyRules = tuple[str, str, Journey | None, Document]


def unstructure(value: Any) -> Any:
    """``epa.model.convert.unstructure``: cattrs is imported only when JSON is made (a table is drawn from the
    objects)."""
    from epa.model.convert import unstructure as plain

    return plain(value)


def bodies(registry: Registry) -> list[dict[str, Any]]:
    return [{
        "id": b.body.id,
        "name": b.body.name,
        "standards": list(b.body.standards),
        "documents": [{
            "standard": r.standard,
            "version": r.document.version,
            "title": r.document.title,
            "file": r.document.file,
            "effective_from": r.document.effective_from.isoformat() if r.document.effective_from else None,
        } for r in b.body.rulesets],
    } for b in registry.bodies]


def plugins(registry: Registry) -> list[dict[str, Any]]:
    from epa.views.variants import variants

    return [{
        "id": b.body.id,
        "name": b.body.name,
        "distribution": b.distribution,
        "version": b.version,
        "hooks": list(b.own_hooks),
        "standards_defined": [s.id for s in b.standards],
        "rulesets": [{"standard": r.standard, "version": r.document.version, "document": r.document.title,
                      "variants": variants(r, b)} for r in b.body.rulesets],
    } for b in registry.bodies]


def standards(registry: Registry) -> list[dict[str, Any]]:
    """Every defined standard (the core's and any a plugin adds), and the loaded bodies offering it."""
    return [{"standard": s.id, "name": s.name, "level": s.level, "methods": list(s.method_ids),
             "bodies": [b.body.id for b in registry.bodies if s.id in b.body.standards]}
            for s in registry.defined_standards()]


def criteria(registry: Registry, standard: str, body: str | None, version: str | None) -> list[dict[str, Any]]:
    chosen = [registry.named(body)] if body else list(registry.offering(standard))
    if body and standard not in chosen[0].body.standards:
        raise InputError(f"{chosen[0].body.id} does not offer {standard}",
                         hint="it offers " + ", ".join(chosen[0].body.standards))
    out = []
    for loaded in chosen:
        ruleset = loaded.ruleset(standard, version if body else None)
        cited = _documents(loaded.body.name, ruleset.document)
        for c in ruleset.criteria:
            entry = {"body": loaded.body.id, "version": ruleset.document.version, **unstructure(c),
                     "documents": cited}
            if not c.reconstructed_from:  # given only where the document prints the text in pieces
                del entry["reconstructed_from"]
            out.append(entry)
    return out


def ambiguities(registry: Registry, body: str | None) -> list[dict[str, Any]]:
    chosen = [registry.named(body)] if body else registry.bodies
    out = []
    for loaded in chosen:
        for r in loaded.body.rulesets:
            cited = _documents(loaded.body.name, r.document)
            for a in r.ambiguities:
                entry = {"body": loaded.body.id, "standard": r.standard, "version": r.document.version,
                         **unstructure(a), "criteria": list(a.criteria), "documents": cited}
                if not a.combinations:  # named by combination readings alone
                    del entry["combinations"]
                if a.needed_at is None:  # given only where the other reading needs the criteria more
                    del entry["needed_at"]
                if not a.criteria_sets:  # given only where the alternatives are sets
                    del entry["criteria_sets"]
                else:
                    entry["criteria_sets"] = [list(s) for s in a.criteria_sets]
                out.append(entry)
    return out


def _documents(body_name: str, doc: Document) -> dict[str, dict[str, str | None]]:
    """Beside a citation: the document its file names, by title, version and label (``epa.rules.citations``)."""
    return documents(body_name, doc.file, doc.title, doc.text_version)


def result(res: BodyResult) -> dict[str, Any]:
    return unstructure(res)  # type: ignore[no-any-return]


def _about(res: BodyResult) -> dict[str, Any]:
    return {"body": res.body, "body_name": res.body_name, "document": res.document, "documents": res.documents}


def gateway(results: list[BodyResult]) -> list[dict[str, Any]]:
    return [{**_about(r), "gateway": unstructure(r.gateway)} for r in results]


def timeline(results: list[BodyResult]) -> list[dict[str, Any]]:
    return [{**_about(r), "overall": r.overall, "capped": r.capped, "full_retake_required": r.full_retake_required,
             "deadlines": unstructure(r.deadlines), "checks": unstructure(r.checks)} for r in results]


def journey_rules(registry: Registry, standard: str, body: str | None) -> list[JourneyRules]:
    """Each body's journey rules for a standard (id, name, rules, the document they come from): what `epa
    journey` lists."""
    chosen = [registry.named(body)] if body else list(registry.offering(standard))
    if body and standard not in chosen[0].body.standards:
        raise InputError(f"{chosen[0].body.id} does not offer {standard}",
                         hint="it offers " + ", ".join(chosen[0].body.standards))
    return [(b.body.id, b.body.name, b.ruleset(standard).journey, b.ruleset(standard).document) for b in chosen]


def journey(rules: list[JourneyRules], standard: str) -> list[dict[str, Any]]:
    empty: dict[str, Any] = {"document": None, "gateway": [], "deadlines": [], "resit": None, "tolerances": [],
                             "ambiguities": [], "recommendations": []}
    return [{**(_journey_data(j) if j else empty), "body": body_id, "body_name": name, "standard": standard,
             "documents": _documents(name, doc)}
            for body_id, name, j, doc in rules]


def _journey_data(journey: Journey) -> dict[str, Any]:
    """A journey's rules as its file gives them: a journey's readings place no criteria, so none has needed_at."""
    data: dict[str, Any] = unstructure(journey)
    for ambiguity in data["ambiguities"]:
        if ambiguity.get("needed_at") is None:
            ambiguity.pop("needed_at", None)
    return data


JOURNEY_ROWS = {"gateway_ready": lambda r: r.gateway_ready, "capped": lambda r: r.capped,
                "full_retake_required": lambda r: r.full_retake_required}


def disagreements(results: Sequence[BodyResult | Decision]) -> list[str]:
    """The rows where the bodies do not all agree: 'overall', a method id, or one of JOURNEY_ROWS (of
    explained results, or of the engine's decisions alike)."""
    if not results:
        return []
    if isinstance(results[0], tuple):  # the engine's Decisions, a cohort's: their columns read at once
        return _disagreements(results)  # type: ignore[arg-type]
    return _by_attribute(results)


def _by_attribute(results: Sequence[BodyResult | Decision]) -> list[str]:
    """``disagreements`` of results read by attribute (explained results). A cohort's JSON lines ask this of every
    record: the common case (every body grading the same methods, in the same order) read in one pass, each body's
    row of cells made once; a record whose bodies all agree is told by its rows alone."""
    methods = tuple(results[0].components)
    rows = []
    for r in results:
        components = r.components
        if tuple(components) != methods:
            return _by_methods(results)
        rows.append((r.overall, *components.values(), r.gateway_ready, r.capped, r.full_retake_required))
    if rows.count(rows[0]) == len(rows):
        return []
    return [row for row, column in zip(("overall", *methods, *JOURNEY_ROWS), zip(*rows, strict=True), strict=True)
            if column.count(column[0]) != len(column)]


def _by_methods(results: Sequence[BodyResult | Decision]) -> list[str]:
    """``_by_attribute`` for bodies whose methods differ (or are in another order)."""
    first = list(results[0].components)
    same_methods = all(list(r.components) == first for r in results)  # in the same order, too
    methods = first if same_methods else list(dict.fromkeys(m for r in results for m in r.components))
    rows = ["overall", *methods, *JOURNEY_ROWS]
    # One row of cells per body, read down the columns: a cohort asks this of every record.
    cells = [(r.overall, *(r.components.values() if same_methods else (r.components.get(m) for m in methods)),
              r.gateway_ready, r.capped, r.full_retake_required) for r in results]  # JOURNEY_ROWS, in order
    return [row for row, column in zip(rows, zip(*cells, strict=True), strict=True)
            if column.count(column[0]) != len(column)]


def _disagreements(results: Sequence[Decision]) -> list[str]:
    """As ``disagreements``, for the engine's Decisions (named tuples: body, overall, methods, grades and the
    JOURNEY_ROWS, in that order)."""
    _, overall, methods, grades, *journey = zip(*results, strict=True)
    n = len(results)
    if methods.count(methods[0]) != n:  # the bodies' methods differ, or are in another order
        return _by_methods(results)
    rows = ["overall", *methods[0], *JOURNEY_ROWS]
    columns = [overall, *zip(*grades, strict=True), *journey]
    return [row for row, column in zip(rows, columns, strict=True) if column.count(column[0]) != n]


# The rows a record's deadlines and tolerance checks add to `epa compare`'s ``differences``. Each body's rule ids
# differ, so a deadline is matched across bodies by the event it governs and the date it counts from
# (``deadline:portfolio_submitted:discussion``), a check by its method and measure
# (``check:observation:duration_minutes``). A body's value on a row is its verdict: the worst of its deadlines (or
# checks) there, in VERDICTS' order. The force of a rule counts only where it is not kept: a missed requirement
# beside missed advice differs, a date met beside one met as advice does not. A body whose document states no such
# deadline (or no tolerance for the measure: ``no_tolerance_stated``) gives no verdict and is not compared; a row
# differs where two bodies' verdicts do. Bodies counting one event's deadline from different dates are each alone on
# their rows: the event's own row (``event_row``, each body's worst verdict on the event) is compared too
# (``event_rows``).
VERDICTS = ("missed", "outside", "missed (advice)", "outside (advice)", "unknown", "open", "met", "within")


def verdict(status: str, strength: str) -> str | None:
    """A deadline's or check's verdict for comparison (None: the document states no tolerance to be within)."""
    if status == "no_tolerance_stated":
        return None
    return f"{status} (advice)" if strength == "advice" and status in ("missed", "outside") else status


def deadline_row(rule: DeadlineRule) -> str | None:
    """The comparison row of a journey deadline: None for one that governs no event a record can date."""
    return f"deadline:{rule.event}:{rule.from_}" if rule.event else None


def event_row(event: str) -> str:
    """The row of every deadline a body sets on one event, whatever date each counts from
    (``deadline:every_method``), where bodies count one event's deadline from different dates (NQual's 3 months
    from gateway, TQUK's from the EPA's start): `epa consistency`'s, and a row of `epa compare`'s ``differences``
    where ``event_rows`` keeps it."""
    return f"deadline:{event}"


def check_row(method: str, measure: str) -> str:
    return f"check:{method}:{measure}"


def journey_row_words(row: str) -> str | None:
    """A deadline's or check's row in words ('deadline portfolio submitted (from discussion)', 'check observation
    duration minutes'); None for any other row."""
    kind, _, rest = row.partition(":")
    if kind == "deadline":
        event, _, anchor = rest.partition(":")
        if not anchor:  # an event_row
            return f"{event_row_name(row)} ({EVENT_ROW})"
        return f"deadline {event.replace('_', ' ')} (from {anchor.replace('_', ' ')})"
    if kind == "check":
        return "check " + rest.replace(":", " ").replace("_", " ")
    return None


EVENT_ROW = "each body's deadlines on it, whatever date each counts from"  # what an event row's verdicts are


def event_row_name(row: str) -> str | None:
    """An event row's name without what its verdicts are (EVENT_ROW), where a narrow table says that once, under
    it: 'deadline evidence submitted'; None for any other row."""
    kind, _, rest = row.partition(":")
    event, _, anchor = rest.partition(":")
    return f"deadline {event.replace('_', ' ')}" if kind == "deadline" and not anchor else None


NO_VERDICT = "none stated"  # a body's value on a deadline's or check's row where its document states none


def journey_verdicts(ruleset: Ruleset | None, deadlines: Iterable[Any], checks: Iterable[Any]
                     ) -> dict[str, tuple[str, list[str]]]:
    """One body's verdict on each deadline and check row, with the ids of its rules there (``deadlines`` and
    ``checks``: a result's, as objects with ``id``, ``status``, ``strength`` and, for a check, ``method`` and
    ``measure``). Deadlines a body's own hook adds beyond its journey rules are not matched."""
    found: dict[str, list[tuple[str, str]]] = {}
    rules = {d.id: d for d in (ruleset.journey.deadlines if ruleset and ruleset.journey else ())}
    for d in deadlines:
        if (rule := rules.get(d.id)) is not None and (row := deadline_row(rule)) is not None \
                and (said := verdict(d.status, d.strength)) is not None:
            found.setdefault(row, []).append((said, d.id))
    for c in checks:
        if (said := verdict(c.status, c.strength)) is not None:
            found.setdefault(check_row(c.method, c.measure), []).append((said, c.id))
    return _worst(found)


def event_verdicts(ruleset: Ruleset | None, deadlines: Iterable[Any]) -> dict[str, tuple[str, list[str]]]:
    """One body's verdict on each event its journey deadlines govern, whatever date each counts from
    (``event_row``): the worst of its deadlines on the event, with their ids, as ``journey_verdicts`` gives a row's;
    its resit windows' on the row ``deadline:resit`` and its rework deadlines' on ``deadline:rework``. A method's
    attempt counted from a journey date (``counted_back``: TQUK's interview at least two weeks after the report)
    governs that date's day as well: the same gap the others state as the report two weeks before the interview."""
    found: dict[str, list[tuple[str, str]]] = {}
    journey = ruleset.journey if ruleset else None
    rules = {d.id: d for d in (journey.deadlines if journey else ())}
    methods = ruleset.method_ids if ruleset else ()
    # a resit window's or rework deadline's id is its rule's, then the method and fail it counts from: '.observation'
    resit = journey.resit if journey else None
    later = {**{w.id: RESIT for w in (resit.windows if resit else ())},
             **{r.id: REWORK for r in (resit.rework if resit else ())}}
    for d in deadlines:
        if (said := verdict(d.status, d.strength)) is None:
            continue
        if (rule := rules.get(d.id)) is not None:
            if rule.event:
                found.setdefault(event_row(rule.event), []).append((said, d.id))
            if counted_back(rule, methods):
                found.setdefault(event_row(rule.from_), []).append((said, d.id))
        elif (event := later.get(d.id.split(".", 1)[0])) is not None:
            found.setdefault(event_row(event), []).append((said, d.id))
    return _worst(found)


def counted_back(rule: DeadlineRule, methods: Sequence[str]) -> bool:
    """Whether a deadline on a method's attempt counts from a journey date a record gives, so that, the attempt
    dated, it sets that date's day from the other side (the interview two weeks after the report: the report two
    weeks before the interview)."""
    return rule.event in methods and rule.from_ in JOURNEY_DATES


# The events of a resit window's and a rework deadline's rows (``event_row``): the attempt after a fail
RESIT, REWORK = "resit", "rework"


def _worst(found: Mapping[str, list[tuple[str, str]]]) -> dict[str, tuple[str, list[str]]]:
    """Each row's worst verdict (VERDICTS' order), with the ids of the rules there."""
    return {row: (min((v for v, _ in pairs), key=VERDICTS.index), list(dict.fromkeys(i for _, i in pairs)))
            for row, pairs in found.items()}


def journey_differences(verdicts: Mapping[str, Mapping[str, tuple[str, list[str]]]]) -> dict[str, dict[str, Any]]:
    """The deadline and check rows on which bodies' verdicts differ (``verdicts``: body -> ``journey_verdicts``),
    each as {body: {"verdict", "rules"}} for the bodies giving one, in the order the rows first appear."""
    rows = list(dict.fromkeys(row for by_row in verdicts.values() for row in by_row))
    out = {}
    for row in rows:
        given = {body: by_row[row] for body, by_row in verdicts.items() if row in by_row}
        if len({v for v, _ in given.values()}) > 1:
            out[row] = {body: {"verdict": v, "rules": ids} for body, (v, ids) in given.items()}
    return out


def journey_rows(results: Sequence[BodyResult], rulesets: Sequence[Ruleset | None]
                 ) -> dict[str, dict[str, Any]]:
    """``journey_differences`` of graded results, each with the ruleset that graded it: the deadline and check rows,
    then the events' rows ``event_rows`` keeps."""
    graded = list(zip(results, rulesets, strict=True))
    rows = journey_differences({r.body: journey_verdicts(rs, r.deadlines, r.checks) for r, rs in graded})
    events = journey_differences({r.body: event_verdicts(rs, r.deadlines) for r, rs in graded})
    return rows | event_rows(events, rows)


# The verdicts of a deadline not kept: an event's row (here and in `epa consistency`'s sweeps) splits bodies only where
# one is missed
MISSES = frozenset({"missed", "missed (advice)"})


def event_rows(events: Mapping[str, dict[str, Any]], rows: Mapping[str, Mapping[str, Any]]
               ) -> dict[str, dict[str, Any]]:
    """The events' rows (``journey_differences`` of ``event_verdicts``) that `epa compare` adds to the deadline and
    check rows ``rows``: each event whose bodies' verdicts differ, so that bodies counting its deadlines from
    different dates, each alone on its own deadline row, are compared. Left out: an event on which no body's
    deadline is missed (each ``met``, ``open`` or ``unknown``: deadlines counted from different dates, none broken,
    say how far the record has reached each, not that the bodies differ on it: NQual's 12 months for every method
    ``met`` beside the others' resit windows ``open`` on a fail not yet resat; one body counting from a date the
    record leaves out says the record is incomplete), as `epa consistency` splits an event only where a deadline is
    missed; and one whose split a deadline row of its own already tells (every body given the same verdict there:
    the bodies count from one date, or the split is between bodies counting from it), so that no split is told
    twice."""
    def said(given: Mapping[str, Any]) -> dict[str, str]:
        return {body: v["verdict"] for body, v in given.items()}

    return {row: given for row, given in events.items()
            if {v["verdict"] for v in given.values()} & MISSES
            and not any(other.startswith(f"{row}:") and said(shown) == said(given) for other, shown in rows.items())}


MEASURES = ("duration_minutes", "questioning_minutes", "words")  # an attempt's, as a witness line names them


def witness_line(witness: dict[str, Any]) -> str:
    """A witness record in one line, as a reader checks it against a finding: each attempt (method, kind, grade
    or criteria met, date, exceptional circumstances, what was measured), the journey's dates, then what the
    apprentice and gateway give besides their ids and dates (ages, levels, evidence not provided, counts) and any
    document version named."""
    parts = []
    for a in witness.get("assessments", ()):
        kind = f" {a['kind']}" if a.get("kind", "first") != "first" else ""
        what = a["grade"] if a.get("grade") else f"{len(a.get('criteria_met') or ())} criteria met"
        ec = ", exceptional circumstances" if a.get("exceptional_circumstances") else ""
        counts = a.get("duration_includes_questioning")
        counting = {"duration_minutes": "" if counts is None else " counting the questioning" if counts
                    else " without the questioning"}
        measured = "".join(f", {k.replace('_', ' ')} {a[k]:g}{counting.get(k, '')}" for k in MEASURES
                           if a.get(k) is not None)
        parts.append(f"{a['method']}{kind} {what} on {a.get('date', '?')}{ec}{measured}")
    parts += [f"{k.replace('_', ' ')} on {v}" for k, v in witness.get("dates", {}).items() if v]
    apprentice = {k: v for k, v in witness.get("apprentice", {}).items() if k != "id" and v not in (None, False)}
    if apprentice:
        parts.append("apprentice " + ", ".join(f"{k} {v}" if v is not True else k for k, v in apprentice.items()))
    gateway = witness.get("gateway", {})
    if gateway:
        missing = [k for k, v in gateway.items() if v is False]
        counts = [f"{k} {v}" for k, v in gateway.items() if isinstance(v, int) and not isinstance(v, bool)]
        parts.append(f"gateway on {gateway.get('date', '?')}" + "".join(f", {k} not provided" for k in missing)
                     + "".join(f", {c}" for c in counts))
    if witness.get("document_versions"):
        parts.append("versions " + ", ".join(f"{b} {v}" for b, v in witness["document_versions"].items()))
    return "; ".join(parts) or "an empty record"


ERROR_ROWS_SHOWN = 5  # a cohort's error rows named in the report's head; the batch itself lists every one


def cohort_line(cohort: dict[str, Any]) -> str:
    """The cohort a report's shares are of: its records, and the rows left out of every share, each by its line and
    why (the first few; the batch names them all)."""
    errors = cohort["errors"]
    records = cohort["records"]
    said = (f"Cohort {one_line(cohort['file'])}: {records:,} record{'' if records == 1 else 's'} of the standard "
            f"({errors:,} error row{'' if errors == 1 else 's'}, {cohort['other_standards']:,} of other standards)")
    rows = cohort.get("error_rows", ())
    if not rows:
        return said
    import shlex  # (here: a warm start's table imports nothing it does not use)

    named = [f"  line {row['line']}: {one_line(row['message'])}" if row["line"] is not None
             else f"  {one_line(row['message'])}" for row in rows[:ERROR_ROWS_SHOWN]]
    more = len(rows) - ERROR_ROWS_SHOWN
    return "\n".join([said, f"In no finding's share, the error rows (epa compare --batch "
                             f"{shlex.quote(one_line(cohort['file']))} says each one's problems):",
                       *named, *([f"  and {more:,} more"] if more > 0 else [])])
