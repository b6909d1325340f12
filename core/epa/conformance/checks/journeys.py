"""A record's journey as the plugin's own record hooks answer it: whoever the apprentice is, and with what the
journey data states reported as the data states it."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from typing import Any

from epa.conformance import witness
from epa.conformance.checks.base import CheckedBody, Failure, Skip, check
from epa.defaults import hookimpl
from epa.model.convert import unstructure
from epa.model.domain import Body, Standard
from epa.registry import Registry

# The hooks given the record itself: a plugin's own can read anything in it.
RECORD_HOOKS = ("gateway_requirements", "deadlines", "resit_policy")
# Apprentice ids as records give them (an employer's reference, a ULN), beside the witnesses' own.
OTHER_IDS = ("A-0042", "1234567890")


def _own(s: CheckedBody, hooks: tuple[str, ...]) -> list[str]:
    own = [h for h in hooks if h in s.loaded.own_hooks]
    if not own:
        raise Skip(f"the plugin implements none of {', '.join(hooks)}: the core's defaults answer from the data")
    return own


def _witnesses(s: CheckedBody) -> list[dict[str, Any]]:
    r = s.rules
    return [*witness.samples(s.body_id, r), *(witness.resit(s.body_id, r, r.method_ids[0], kind)
                                              for kind in ("resit", "retake")), witness.full(s.body_id, r)]


@check("apprentice-blind", "records alike but for the apprentice's id get the same answer: no hook of the "
       "plugin's own grades, caps or deadlines an apprentice by who they are (or by the conformance suite's "
       "records' ids)")
def apprentice_blind(s: CheckedBody) -> Iterator[Failure]:
    # A record hook is given the whole record, id and all. One answering by the id (an id the suite's records use,
    # say) passes every other check on the suite's records and answers otherwise for every real apprentice.
    own = _own(s, RECORD_HOOKS)
    for data in _witnesses(s):
        given = data["apprentice"]["id"]
        first = _answer(s, data, given)
        for other in OTHER_IDS:
            moved = {**data, "apprentice": {**data["apprentice"], "id": other}}
            if _answer(s, moved, other) != first:
                hook = own[0] if len(own) == 1 else None
                yield s.failure(f"a record graded for apprentice {given!r} and the same record for {other!r} get "
                                "different answers (grades, gateway, deadlines or resit decision)",
                                "the same answer whoever the apprentice is: a hook reads the record's evidence, "
                                "not its apprentice's id", hook, moved)
                return


def _answer(s: CheckedBody, data: dict[str, Any], apprentice: str) -> str:
    """The record's result, its apprentice's id put out of it."""
    return json.dumps(unstructure(s.explain(data)), sort_keys=True, default=str).replace(json.dumps(apprentice)[1:-1],
                                                                                      "<apprentice>")


@check("journey-data", "each gateway requirement and deadline (resit windows too) the journey data states is "
       "reported once, as the data evaluates it (status; a requirement's strength and stage, a deadline's date and "
       "strength), beside what the plugin's own gateway_requirements, deadlines and resit_policy hooks add, whose ids "
       "are their own")
def journey_data(s: CheckedBody) -> Iterator[Failure]:
    # A plugin's collected hook adds to the data's list; a wrapper around it can change it; its own resit_policy
    # answers in place of the data's. Each way a record showed a requirement the data finds unknown or unmet as met
    # (or one id twice, met and unmet), or lost a resit window the data states, and passed.
    own = _own(s, RECORD_HOOKS)
    r = s.rules
    if r.journey is None:
        raise Skip("the body has no journey file for this standard")
    data_only = _data_only(s)
    for data in _witnesses(s):
        result, stated = s.explain(data), data_only.explain(data)
        for what, hooks, said, given in (
                ("gateway requirement", ("gateway_requirements",), stated.gateway.requirements,
                 result.gateway.requirements),
                ("deadline", ("deadlines", "resit_policy"), stated.deadlines, result.deadlines)):
            mine = [h for h in hooks if h in own]
            if not mine:
                continue
            hook = mine[0] if len(mine) == 1 else None
            ids = [item.id for item in given]
            twice = next((i for i in dict.fromkeys(ids) if ids.count(i) > 1), None)
            if twice is not None:
                statuses = ", ".join(item.status for item in given if item.id == twice)
                yield s.failure(f"the record's {what}s list {twice!r} {ids.count(twice)} times ({statuses})",
                                f"each {what} once: a hook's own under ids of its own", hook, data)
                return
            for item in said:
                shown = next((g for g in given if g.id == item.id), None)
                differ = [f for f in DECIDING[what] if shown is not None and getattr(shown, f) != getattr(item, f)]
                if shown is None or differ:
                    told = "leaves it out" if shown is None else "reports its " + ", ".join(
                        f"{f} {getattr(shown, f)}" for f in differ)
                    meant = ", ".join(f"{f} {getattr(item, f)}" for f in (differ or ["status"]))
                    yield s.failure(f"the journey data's {what} {item.id!r} is, for this record, {meant} "
                                    f"(“{item.says}”), but the plugin {told}",
                                    f"{item.id} with {meant}, as the journey data evaluates it", hook, data)
                    return


def _data_only(s: CheckedBody) -> CheckedBody:
    """The subject's rules answered by the core's defaults alone: the journey data's own answer to a record."""

    class DataOnly:
        @hookimpl
        def register_body(self) -> Body:
            return s.loaded.body

        @hookimpl
        def register_standards(self) -> list[Standard]:
            return list(s.loaded.standards)

    registry = Registry([(s.body_id, DataOnly())])
    return CheckedBody(registry.body(s.body_id), s.ruleset, registry, s.sources)


# Whole weeks a record is moved by, so that each date keeps its weekday: a year on, two years on, and a year back.
MOVES = (52, 104, -52)
# What decides what a requirement or deadline means for the record: its status and, for a requirement, whether it
# blocks gateway (strength and stage: a mandatory one made optional no longer does); for a deadline, its day.
DECIDING = {"gateway requirement": ("status", "strength", "stage"), "deadline": ("status", "date", "strength")}
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@check("date-blind", "a record moved whole by a year (every date by 52 weeks, forward or back) gets the same grades, "
       "cap, retake decision and gateway readiness: no hook of the plugin's own grades by the calendar year")
def date_blind(s: CheckedBody) -> Iterator[Failure]:
    # What follows from a record's dates is counted from its own dates (deadlines, windows, tolerances); a record
    # hook answering by the year (or by the suite's records' fixed gateway date) answers otherwise for every
    # record of another year.
    own = _own(s, RECORD_HOOKS)
    for data in _witnesses(s):
        first = _decided(s, data)
        for weeks in MOVES:
            moved = _moved(data, dt.timedelta(weeks=weeks))
            if (then := _decided(s, moved)) != first:
                hook = own[0] if len(own) == 1 else None
                yield s.failure(f"a record moved whole by {weeks} weeks ({data['gateway']['date']} to "
                                f"{moved['gateway']['date']} at gateway) is decided otherwise: {then[1]}, where the "
                                f"record as it was is {first[1]}", "the same grades, cap, retake decision and gateway "
                                "readiness, whichever year the record's dates fall in", hook, moved)
                return


def _decided(s: CheckedBody, data: dict[str, Any]) -> tuple[Any, str]:
    """What a record decides, and it in words."""
    result = s.explain(data)
    decided = (tuple(sorted((m, g and g.value) for m, g in result.components.items())),
               result.overall and result.overall.value, result.capped, result.full_retake_required,
               result.gateway.ready)
    said = (f"overall {decided[1]}" + (", capped" if result.capped else "")
            + (", the whole EPA to be retaken" if result.full_retake_required else "")
            + (", ready for gateway" if result.gateway.ready else ", not ready for gateway"))
    return decided, said


def _moved(value: Any, by: dt.timedelta) -> Any:
    """A witness record with every date moved by ``by``."""
    if isinstance(value, dict):
        return {key: _moved(item, by) for key, item in value.items()}
    if isinstance(value, list):
        return [_moved(item, by) for item in value]
    if isinstance(value, str) and _DAY.fullmatch(value):
        return (dt.date.fromisoformat(value) + by).isoformat()
    return value
