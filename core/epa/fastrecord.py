"""A fast path for one apprentice record given as a JSON line, for cohorts of many records.

The slow path (``batch._parse_json`` then ``record.record_from_data``) parses with the stdlib, validates
against ``schemas/record.schema.json``, checks names against the registry and structures with cattrs: about
190 µs a record. Here msgspec decodes the bytes straight into typed Structs that mirror the schema, and the
attrs Record is built from them directly.

The JSON Schema stays the contract and jsonschema still words every error: this is only a typed decoder that
answers for records it can vouch for. :func:`decode` returns a Record only where the slow path would accept
the same bytes and give an equal Record; wherever it is stricter than the slow path (``1.0`` as an integer, a
lone surrogate escape) or unsure, it returns None and the caller runs the slow path.
"""

from __future__ import annotations

import datetime as dt
import re
import weakref
from collections.abc import Sequence
from typing import Annotated, Any, Literal

import msgspec
from msgspec import UNSET, Meta, Struct, UnsetType

from epa.documents import Source
from epa.errors import InputError
from epa.model import Apprentice, Attempt, Gateway, Grade, JourneyDates, Record
from epa.record import _check_dates
from epa.registry import Registry

# --- the schema as Structs ---------------------------------------------------------------------------------
# Optional fields default to UNSET, not None: the schema allows no null, and a field that is not UNSET is a
# key the line gave, which the duplicate-key count below relies on.

Level = Literal["none", "entry3", "level1", "level2", "level3"]
Count = Annotated[int, Meta(ge=0)]


class _Apprentice(Struct, forbid_unknown_fields=True):
    id: Annotated[str, Meta(min_length=1)]
    date_of_birth: dt.date | UnsetType = UNSET
    start_date: dt.date | UnsetType = UNSET
    english: Level | UnsetType = UNSET
    maths: Level | UnsetType = UNSET
    ehcp: bool | UnsetType = UNSET
    bsl: bool | UnsetType = UNSET


class _Gateway(Struct, forbid_unknown_fields=True):
    date: dt.date
    portfolio_pieces: Count | UnsetType = UNSET
    project_proposal_words: Count | UnsetType = UNSET
    photo_id: bool | UnsetType = UNSET
    gateway_form: bool | UnsetType = UNSET
    portfolio: bool | UnsetType = UNSET
    project_proposal: bool | UnsetType = UNSET
    portfolio_declaration: bool | UnsetType = UNSET
    english_maths_declaration: bool | UnsetType = UNSET


class _Attempt(Struct, forbid_unknown_fields=True):
    method: str
    date: dt.date
    notified: dt.date | UnsetType = UNSET
    kind: Literal["first", "resit", "retake"] | UnsetType = UNSET
    exceptional_circumstances: bool | UnsetType = UNSET
    criteria_met: list[str] | UnsetType = UNSET
    grade: Literal["fail", "pass", "distinction"] | UnsetType = UNSET
    duration_minutes: Annotated[float, Meta(gt=0)] | UnsetType = UNSET
    questioning_minutes: Annotated[float, Meta(ge=0)] | UnsetType = UNSET
    words: Count | UnsetType = UNSET


class _Dates(Struct, forbid_unknown_fields=True):
    registered: dt.date | UnsetType = UNSET
    evidence_submitted: dt.date | UnsetType = UNSET
    epa_start: dt.date | UnsetType = UNSET
    planning_meeting: dt.date | UnsetType = UNSET
    proposal_rejected: dt.date | UnsetType = UNSET
    proposal_resubmitted: dt.date | UnsetType = UNSET
    portfolio_submitted: dt.date | UnsetType = UNSET
    project_report_submitted: dt.date | UnsetType = UNSET
    observation_notice: dt.date | UnsetType = UNSET


class _Record(Struct, forbid_unknown_fields=True):
    standard: str
    apprentice: _Apprentice
    gateway: _Gateway
    document_versions: dict[str, str] | UnsetType = UNSET
    assessments: list[_Attempt] | UnsetType = UNSET
    dates: _Dates | UnsetType = UNSET
    schedule: dict[str, dt.date] | UnsetType = UNSET


# JSON has no literal for NaN or infinity, and msgspec refuses a number beyond a float's range (1e400): a float
# field always holds a finite number.
_DECODER = msgspec.json.Decoder(_Record)
_ENCODER = msgspec.json.Encoder()

# In valid JSON a '"' occurs only in strings (escaped inside them), so scanning string token after string token
# stays aligned; a token followed by ':' is a key.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"(\s*:)?')


def _keys_once(raw: bytes, r: _Record) -> bool:
    """No key repeats in an object of the line: msgspec lets the last one win, where the slow path refuses."""
    if b"\\" not in raw:
        # Every '"' delimits a string, and the decoded strings need no escaping when encoded again: the line
        # and the encoded Structs hold the same strings (keys and values) unless a repeated key dropped some.
        # Counting quotes in C is much cheaper than scanning tokens.
        return raw.count(b'"') == _ENCODER.encode(r).count(b'"')
    # As builtins, a Struct keeps only the keys the line gave (msgspec drops UNSET fields).
    given = msgspec.to_builtins(r, builtin_types=(dt.date,))
    found = _STRING.findall(raw)
    keys = len(given) + sum(len(given[k]) for k in ("apprentice", "gateway", "document_versions", "dates", "schedule")
                            if k in given)
    keys += sum(len(a) for a in given.get("assessments", ()))
    return keys == len(found) - found.count(b"")


# --- the checks a schema cannot express --------------------------------------------------------------------


class _Names:
    """What a record may name for one standard, looked up once per registry."""

    __slots__ = ("criteria", "methods", "versions")

    def __init__(self, registry: Registry, standard: str):
        registry.offering(standard)  # InputError: unknown, or no installed body offers it
        self.methods = frozenset(registry.method_ids(standard))
        self.criteria = registry.criterion_ids(standard)
        self.versions: set[tuple[str, str]] = set()  # (body, document version) found known


# Only what is known is kept: a line naming something unknown goes to the slow path anyway, and hostile input
# must not grow the cache.
_NAMES: weakref.WeakKeyDictionary[Registry, dict[str, _Names]] = weakref.WeakKeyDictionary()


def _names(registry: Registry, standard: str) -> _Names | None:
    known = _NAMES.setdefault(registry, {})
    names = known.get(standard)
    if names is None:
        try:
            names = known[standard] = _Names(registry, standard)
        except InputError:
            return None
    return names


def _known_version(registry: Registry, names: _Names, standard: str, body: str, version: str) -> bool:
    if (body, version) not in names.versions:
        try:
            registry.body(body).ruleset(standard, version)
        except InputError:
            return False
        names.versions.add((body, version))
    return True


class _Nowhere(Source):
    """A Source for ``_check_dates``: a failure only sends the line to the slow path, which says where."""

    def __init__(self) -> None:
        pass

    def where(self, parts: Sequence[Any]) -> str:
        return ""


_NOWHERE = _Nowhere()


# --- decoding ----------------------------------------------------------------------------------------------


_GRADES = {g.value: g for g in Grade}


def _given(value: Any, default: Any = None) -> Any:
    return default if value is UNSET else value


def _nones(struct: _Gateway | _Dates) -> list[Any]:
    """A Struct's fields in order, None where the line gave none: the fields of the attrs class of the same
    name, in the same order, whose defaults are all None (tests/test_fastrecord.py checks it)."""
    return [None if value is UNSET else value for value in msgspec.structs.astuple(struct)]


def _attempt(a: _Attempt, names: _Names) -> Attempt | None:
    if a.method not in names.methods:
        return None
    criteria: tuple[str, ...] | None = None
    if (a.criteria_met is UNSET) == (a.grade is UNSET):  # the schema's oneOf: exactly one of them
        return None
    if a.criteria_met is not UNSET:
        criteria = tuple(a.criteria_met)
        unique = set(criteria)
        if len(unique) != len(criteria) or not unique <= names.criteria:
            return None
    # Positional, in the attrs class's field order: much cheaper than keywords for many records.
    return Attempt(a.method, a.date, _given(a.kind, "first"), _given(a.notified), _given(a.exceptional_circumstances,
                   False), criteria, None if a.grade is UNSET else _GRADES[a.grade], _given(a.duration_minutes),
                   _given(a.questioning_minutes), _given(a.words))


def decode(raw: bytes, registry: Registry) -> Record | None:
    """The Record the slow path (`_parse_json` + `record_from_data`) would give for this JSON line, or None
    when the fast path cannot vouch for it (the caller then runs the slow path, which words any error)."""
    try:
        r = _DECODER.decode(raw)
    except (msgspec.DecodeError, UnicodeDecodeError):  # ValidationError is a DecodeError
        return None
    return _record(r, registry) if _keys_once(raw, r) else None


def from_data(data: Any, registry: Registry) -> Record | None:
    """As :func:`decode`, for a record already parsed into builtins (a CSV row's): the Record that
    ``record_from_data`` would give, or None. (Its keys cannot repeat: it is a dict.)"""
    try:
        r = msgspec.convert(data, _Record)
    except msgspec.ValidationError:
        return None
    return _record(r, registry)


def _record(r: _Record, registry: Registry) -> Record | None:
    """The Record of a decoded line, once the checks the schema cannot express hold; else None."""
    names = _names(registry, r.standard)
    if names is None:
        return None
    versions = _given(r.document_versions, {})
    schedule = _given(r.schedule, {})
    if not all(_known_version(registry, names, r.standard, body, v) for body, v in versions.items()):
        return None
    if not names.methods.issuperset(schedule):
        return None
    attempts = []
    for a in _given(r.assessments, ()):
        attempt = _attempt(a, names)
        if attempt is None:
            return None
        attempts.append(attempt)
    p, g, d = r.apprentice, r.gateway, r.dates
    record = Record(
        r.standard,
        Apprentice(p.id, _given(p.date_of_birth), _given(p.start_date), _given(p.english), _given(p.maths),
                   _given(p.ehcp, False), _given(p.bsl, False)),
        Gateway(*_nones(g)),
        tuple(attempts), versions,
        JourneyDates() if d is UNSET else JourneyDates(*_nones(d)),
        schedule,
    )
    try:
        _check_dates(record, _NOWHERE)
    except InputError:
        return None
    return record
