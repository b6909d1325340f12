"""A fast path for one apprentice record given as a JSON line, for cohorts of many records.

The slow path (``batch._parse_json`` then ``record.record_from_data``) parses with the stdlib, validates
against ``schemas/record.schema.json``, checks names against the registry and structures with cattrs: about
190 µs a record. Here msgspec decodes the bytes straight into typed Structs that mirror the schema: a view of
the Record, with its attributes, which the compiled engine decides on as it stands (:func:`view`); the attrs
Record is built from it only where one is needed (:func:`as_record`, :func:`decode`).

The JSON Schema stays the contract and jsonschema still words every error: this is only a typed decoder that
answers for records it can vouch for. :func:`view` returns a view only where the slow path would accept the
same bytes and give a Record equal to its ``as_record``; wherever it is stricter than the slow path (``1.0`` as
an integer, a lone surrogate escape) or unsure, it returns None and the caller runs the slow path.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import weakref
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta, Struct

from epa.errors import InputError
from epa.inputs.dates import EARLIEST, LATEST
from epa.inputs.record_checks import Names, refusal, unknown_criterion
from epa.model.domain import Apprentice, Attempt, Gateway, Grade, JourneyDates, Record
from epa.registry import Registry

# --- the schema as Structs ---------------------------------------------------------------------------------
# A decoded line is a view of the Record: Structs whose fields have the attrs classes' names, so that the
# engine and the date checks read either. Optional fields default to None and are left out when encoded
# (omit_defaults), so a field that is not None is a key the line gave, which the repeated-key count below relies
# on; and a key the line gave as null (which the schema allows nowhere) counts as a key the Structs do not hold,
# as a repeated one does, so that such a line is left to the slow path too. Once counted, the defaults
# that are not None (``kind``, ``ehcp``...) are filled in (``_filled``). No instance refers back to another
# (gc=False: the collector need not track them).

Level = Literal["none", "entry3", "level1", "level2", "level3"]

# The bounds the schema puts on values (README "Value bounds"), so that nothing a record holds can overflow date
# or number arithmetic; tests/test_numbers_and_bounds.py holds both paths to the same edges. msgspec checks the
# numbers as it decodes them; the dates, which it cannot bound, are compared in _filled (EARLIEST and LATEST: dates.py).
MAX_PIECES, MAX_WORDS, MAX_MINUTES = 10_000, 1_000_000, 10_000
Pieces = Annotated[int, Meta(ge=0, le=MAX_PIECES)]
Words = Annotated[int, Meta(ge=0, le=MAX_WORDS)]


class _Apprentice(Struct, forbid_unknown_fields=True, omit_defaults=True, gc=False):
    id: Annotated[str, Meta(min_length=1)]
    date_of_birth: dt.date | None = None
    start_date: dt.date | None = None
    english: Level | None = None
    maths: Level | None = None
    ehcp: bool | None = None  # False once filled
    bsl: bool | None = None  # False once filled


class _Gateway(Struct, forbid_unknown_fields=True, omit_defaults=True, gc=False):
    date: dt.date
    portfolio_pieces: Pieces | None = None
    project_proposal_words: Words | None = None
    photo_id: bool | None = None
    gateway_form: bool | None = None
    portfolio: bool | None = None
    project_proposal: bool | None = None
    portfolio_declaration: bool | None = None
    english_maths_declaration: bool | None = None


class _Attempt(Struct, forbid_unknown_fields=True, omit_defaults=True, gc=False):
    method: str
    date: dt.date
    kind: Literal["first", "resit", "retake"] | None = None  # "first" once filled
    notified: dt.date | None = None
    exceptional_circumstances: bool | None = None  # False once filled
    criteria_met: list[str] | None = None
    grade: Grade | None = None
    duration_minutes: Annotated[float, Meta(gt=0, le=MAX_MINUTES)] | None = None
    questioning_minutes: Annotated[float, Meta(ge=0, le=MAX_MINUTES)] | None = None
    words: Words | None = None
    duration_includes_questioning: bool | None = None

    @property
    def notified_on(self) -> dt.date:
        return self.notified or self.date


class _Dates(Struct, forbid_unknown_fields=True, omit_defaults=True, gc=False):
    registered: dt.date | None = None
    evidence_submitted: dt.date | None = None
    epa_start: dt.date | None = None
    planning_meeting: dt.date | None = None
    proposal_rejected: dt.date | None = None
    proposal_resubmitted: dt.date | None = None
    portfolio_submitted: dt.date | None = None
    project_report_submitted: dt.date | None = None
    observation_notice: dt.date | None = None


class _Record(Struct, forbid_unknown_fields=True, omit_defaults=True, gc=False):
    standard: str
    apprentice: _Apprentice
    gateway: _Gateway
    assessments: list[_Attempt] | None = None  # [] once filled
    document_versions: dict[str, str] | None = None  # {} once filled
    dates: _Dates | None = None  # no dates once filled
    schedule: dict[str, dt.date] | None = None  # {} once filled

    def attempts_at(self, method: str) -> tuple[_Attempt, ...]:
        return tuple(a for a in self.assessments if a.method == method)  # type: ignore[union-attr]


# JSON has no literal for NaN or infinity, and msgspec refuses a number beyond a float's range (1e400): a float
# field always holds a finite number.
_DECODER = msgspec.json.Decoder(_Record)
_ENCODER = msgspec.json.Encoder()  # for a CSV row's data (view_of_data)

# In valid JSON a '"' occurs only in strings (escaped inside them), so scanning string token after string token
# stays aligned; a token followed by ':' is a key.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"(\s*:)?')


# How many fields each Struct has.
_RECORD, _APPRENTICE, _GATEWAY, _DATES, _ATTEMPT = (
    len(struct.__struct_fields__) for struct in (_Record, _Apprentice, _Gateway, _Dates, _Attempt))


def _keys_once(raw: bytes, r: _Record) -> bool:
    """No key repeats in an object of the line (msgspec lets the last one win, where the slow path refuses), and
    none is given as null (msgspec reads it as absent, where the slow path refuses): the Structs hold every key
    the line gives. They hold their fields that are not None (omitted, as when encoded) and each key of their
    dicts."""
    astuple = msgspec.structs.astuple
    held = (_RECORD + _APPRENTICE + _GATEWAY - astuple(r).count(None) - astuple(r.apprentice).count(None)
            - astuple(r.gateway).count(None))
    if r.dates is not None:
        held += _DATES - astuple(r.dates).count(None)
    if r.document_versions:
        held += len(r.document_versions)
    if r.schedule:
        held += len(r.schedule)
    for a in r.assessments or ():
        held += _ATTEMPT - astuple(a).count(None)
    # Each key of the line is followed by a ':', and any other ':' is inside a string: as many ':' as the Structs
    # hold keys means none was dropped (counting in C is much cheaper than scanning tokens).
    if raw.count(b":") == held:
        return True
    found = _STRING.findall(raw)  # a ':' inside a string, or a key dropped: count the keys themselves
    return len(found) - found.count(b"") == held


# --- what a registry lets a record name -----------------------------------------------------------------------


def _decoder(registry: Registry) -> msgspec.json.Decoder[_Record]:
    """A decoder whose attempts may name only the methods and criteria of the registry's standards: msgspec checks
    each as it decodes it, and gives the one string object for every mention (no new string to make, hash and
    free for each of an attempt's criteria). Its Structs are the ones above, those two fields narrowed."""
    standards = registry.defined_standards()
    methods = sorted({m for s in standards for m in s.method_ids})
    criteria = sorted({c for s in standards for c in s.criterion_ids})
    if not methods or not criteria:
        return _DECODER
    method: Any = Literal[tuple(methods)]  # type: ignore[misc]  # (made here: Literal takes the tuple as its values)
    criterion: Any = Literal[tuple(criteria)]  # type: ignore[misc]
    attempt: Any = msgspec.defstruct("_Attempt", [("method", method), ("criteria_met", list[criterion] | None, None)],
                                     bases=(_Attempt,))
    record = msgspec.defstruct("_Record", [("assessments", list[attempt] | None, None)], bases=(_Record,))
    return msgspec.json.Decoder(record)


class _Known:
    """What a registry lets a record name: each standard's names (as lines first ask for them) and the decoder,
    made when a line is first decoded (a record already parsed, from a file or a CSV row, needs none)."""

    def __init__(self, registry: Registry):
        self.names: dict[str, Names] = {}  # only what is known: hostile input must not grow it
        self._registry = weakref.ref(registry)

    @functools.cached_property
    def decoder(self) -> msgspec.json.Decoder[_Record]:  # once made, an attribute of the instance (no call a line)
        registry = self._registry()
        return _DECODER if registry is None else _decoder(registry)


_KNOWN: weakref.WeakKeyDictionary[Registry, _Known] = weakref.WeakKeyDictionary()
_LAST: list[Any] = [lambda: None, None]  # the registry asked last (a weak reference) and its _Known: a cohort asks one


def _known(registry: Registry) -> _Known:
    if _LAST[0]() is not registry:
        known = _KNOWN.get(registry)
        if known is None:
            known = _KNOWN[registry] = _Known(registry)
        _LAST[:] = weakref.ref(registry), known
    return _LAST[1]  # type: ignore[no-any-return]


def _names(registry: Registry, known: _Known, standard: str) -> Names | None:
    names = known.names.get(standard)
    if names is None:
        try:
            names = known.names[standard] = Names(registry, standard)
        except InputError:  # a line naming something unknown goes to the slow path, which says what
            return None
    return names


# --- decoding ----------------------------------------------------------------------------------------------


RecordView = _Record  # what view() gives: a Record's attributes, for reading only


def view(raw: bytes, registry: Registry, *, criteria: bool = True) -> RecordView | None:
    """A view of the Record the slow path (``_parse_json`` + ``record_from_data``) would give for this JSON line,
    or None when the fast path cannot vouch for it (the caller then runs the slow path, which words any error).
    The view has the Record's attributes and values (a list where the Record has a tuple): it reads as one.

    Without ``criteria``, whether each attempt's criteria ids are the standard's, none repeated, is left to the
    caller: ``Engine.decide_listed`` checks them as it reads them as bits, and ``criteria_listed`` asks it."""
    known = _LAST[1] if _LAST[0]() is registry else _known(registry)  # (the test made here: a call per line shows)
    try:
        r = known.decoder.decode(raw)
    except (msgspec.DecodeError, UnicodeDecodeError):  # ValidationError is a DecodeError
        return None
    return r if _keys_once(raw, r) and _filled(r, registry, known) and (
        not criteria or criteria_listed(r, registry)) else None


def criteria_listed(r: RecordView, registry: Registry) -> bool:
    """Whether each attempt of a view lists only criteria ids its standard has, none twice (as many ids known as
    listed)."""
    return r.assessments is None or unknown_criterion(r, registry.criterion_ids(r.standard)) is None


def view_of_data(data: Any, registry: Registry) -> RecordView | None:
    """As :func:`view`, for a record already parsed into builtins (a CSV row's). (Its keys cannot repeat: it is
    a dict.)"""
    try:
        if b"null" in _ENCODER.encode(data):
            return None
        r = msgspec.convert(data, _Record)
    except (msgspec.ValidationError, TypeError):
        return None
    return r if _filled(r, registry, _known(registry)) and criteria_listed(r, registry) else None


def decode(raw: bytes, registry: Registry) -> Record | None:
    """The Record the slow path would give for this JSON line, or None (see :func:`view`)."""
    r = view(raw, registry)
    return None if r is None else as_record(r)


def from_data(data: Any, registry: Registry) -> Record | None:
    """The Record ``record_from_data`` would give for a record already parsed into builtins, or None."""
    r = view_of_data(data, registry)
    return None if r is None else as_record(r)


def as_record(r: RecordView) -> Record:
    """The attrs Record a view reads as (for what needs one: the explained path, a plugin's hook)."""
    assert r.assessments is not None and r.document_versions is not None and r.dates is not None
    astuple = msgspec.structs.astuple
    # Positional, in the attrs classes' field order (the Structs keep it: tests/test_fastrecord.py checks it).
    return Record(r.standard, Apprentice(*astuple(r.apprentice)), Gateway(*astuple(r.gateway)), tuple(
        Attempt(a.method, a.date, a.kind, a.notified, a.exceptional_circumstances,  # type: ignore[arg-type]
                None if a.criteria_met is None else tuple(a.criteria_met), a.grade, a.duration_minutes,
                a.questioning_minutes, a.words, a.duration_includes_questioning) for a in r.assessments),
        r.document_versions, JourneyDates(*astuple(r.dates)), r.schedule)  # type: ignore[arg-type]


def _filled(r: _Record, registry: Registry, known: _Known) -> bool:
    """Whether a decoded line passes what the schema says and msgspec cannot check, its defaults filled in on the
    way, and then the checks the schema cannot express (``record_checks.refusal``, all but the criteria ids:
    ``criteria_listed``); False: the slow path must answer, and words the refusal. What the schema says here is
    that an attempt gives criteria_met or grade (its oneOf) and its bounds on dates (EARLIEST to LATEST). A date
    that must come on or after another is bounded below by it: gateway is bounded both ways, and the attempts
    and schedule above only."""
    names = known.names.get(r.standard) or _names(registry, known, r.standard)
    if names is None:
        return False
    if r.document_versions is None:
        r.document_versions = {}
    gateway = r.gateway.date
    if not EARLIEST <= gateway <= LATEST:
        return False
    if r.schedule is None:
        r.schedule = {}
    elif any(day > LATEST for day in r.schedule.values()):
        return False
    p = r.apprentice
    if p.id.strip() != p.id or not p.id.isprintable():  # (the slow path trims it, refuses a control character:
        return False                                       # record._trim_id)
    if p.ehcp is None:
        p.ehcp = False
    if p.bsl is None:
        p.bsl = False
    start, born = p.start_date, p.date_of_birth
    if (start is not None and start < EARLIEST) or (born is not None and not EARLIEST <= born <= LATEST):
        return False
    if r.dates is None:
        r.dates = _Dates()
    elif not _within_bounds(msgspec.structs.astuple(r.dates)):
        return False
    if r.assessments is None:
        r.assessments = []
    for a in r.assessments:
        if a.kind is None:
            a.kind = "first"
        if a.exceptional_circumstances is None:
            a.exceptional_circumstances = False
        notified = a.notified
        if (a.criteria_met is None) == (a.grade is None) or (notified is not None and notified > LATEST):
            return False
    # (the attempts come in date order, or refusal() says so: the last is the latest)
    if r.assessments and r.assessments[-1].date > LATEST:
        return False
    return refusal(r, registry, names, criteria=False) is None


def _within_bounds(days: tuple[dt.date | None, ...]) -> bool:
    for day in days:  # noqa: SIM110 - a loop: all() over a generator costs twice as much, on every journey record
        if day is not None and not EARLIEST <= day <= LATEST:
            return False
    return True
