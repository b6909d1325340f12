"""The domain, as small frozen attrs classes.

Rules (what a body's document says) and evidence (what a record says) are kept
apart; results refer to both by id. Every rule carries its citation
``<seed file> § <section heading>``.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import attrs

from epa.model.frozen import FrozenDict, frozen, frozen_dict, frozen_dicts


class Grade(enum.StrEnum):
    FAIL = "fail"
    PASS = "pass"
    DISTINCTION = "distinction"


# --- rules -----------------------------------------------------------------


@frozen
class Document:
    """A source document the rules come from: ``sha256`` is of the text its citations were written against;
    ``version`` None where the document gives itself none (an undated web page): shown without one.
    ``cited_version``: the version of that text, where it is not the version the rules encode (a version
    reconstructed from a later one's change log cites the later one's text). ``plan_version``: the version of the
    standard's assessment plan the rules are written for (None: the document gives none); ``plan_version_reading``:
    the document does not state it as the plan's version (it gives the standard's, or a later version's change log
    implies it), so it is the tool's reading and every output says so (``versions.plan_version_basis``)."""

    file: str
    title: str
    version: str | None = None
    publisher: str = ""
    sha256: str | None = None
    published: dt.date | None = None
    effective_from: dt.date | None = None
    effective_from_citation: str | None = None
    cited_version: str | None = None
    # The assessment plan's version the rules are written for (Ofqual's AssessmentPlanVersionNumber), where stated
    plan_version: str | None = None
    plan_version_citation: str | None = None
    plan_version_reading: bool = False

    @property
    def text_version(self) -> str | None:
        """The version of the text the citations name: what a citation's label says, never a version not read."""
        return self.cited_version or self.version


@frozen
class Method:
    id: str
    name: str
    citation: str


@frozen
class Criterion:
    id: str
    method: str
    level: str  # "pass" | "distinction"
    text: str
    citation: str
    ksbs: tuple[str, ...] = ()
    note: str | None = None
    repeats: str | None = None  # the criterion this printed fragment or duplicate repeats: not compared as its own
    # the pieces the document prints ``text`` in, in order, where it prints it whole nowhere (a row split across a
    # page break): the conformance sources check holds each piece to the document, and the text to the pieces
    reconstructed_from: tuple[str, ...] = ()


@frozen
class ComponentRule:
    """How one method's criteria make its grade, as the document states it for that method: a pass needs every
    pass criterion (or at least ``pass_threshold`` of them); a distinction needs the pass and every distinction
    criterion (or at least ``distinction_threshold`` of them)."""

    text: str
    citation: str
    distinction_threshold: int | None = None
    pass_threshold: int | None = None


@frozen
class CombinationRow:
    when: dict[str, str] = attrs.field(converter=frozen_dict)  # method id -> fail | pass | distinction | any
    overall: Grade
    citation: str
    printed: str | None = None

    def matches(self, components: dict[str, Grade]) -> bool:
        return all(want == "any" or components.get(m) == want for m, want in self.when.items())


@frozen
class OverallInWords:
    """The overall rule a document states in words, as data (a ruleset's ``rule_in_words.decides``): a fail in
    any method fails; otherwise a distinction where every method is a distinction (neither field set), at least
    ``at_least`` of them are, or each method of ``methods`` is; otherwise a pass. Absent, the rule in words is
    read as the core's default pattern: every method."""

    at_least: int | None = None
    methods: tuple[str, ...] | None = None

    def decide(self, grades: dict[str, Grade]) -> Grade:
        """The overall grade of one grade per method."""
        if Grade.FAIL in grades.values():
            return Grade.FAIL
        if self.methods is not None:
            distinction = all(grades[m] == Grade.DISTINCTION for m in self.methods)
        elif self.at_least is not None:
            distinction = sum(g == Grade.DISTINCTION for g in grades.values()) >= self.at_least
        else:
            distinction = all(g == Grade.DISTINCTION for g in grades.values())
        return Grade.DISTINCTION if distinction else Grade.PASS

    def says(self, methods: tuple[str, ...]) -> str:
        """The rule in the tool's words, for a ruleset of these methods."""
        if self.methods is not None:
            named = " and ".join(self.methods) if len(self.methods) < 3 else \
                ", ".join(self.methods[:-1]) + f" and {self.methods[-1]}"
            which = f"{named} {'is' if len(self.methods) == 1 else 'are'} distinction"
        elif self.at_least is not None:
            which = f"at least {self.at_least} of the {len(methods)} methods " \
                    f"{'is' if self.at_least == 1 else 'are'} distinction"
        else:
            which = f"all {len(methods)} methods are distinction"
        return f"a fail in any method fails; distinction when {which}; otherwise pass"

    @property
    def every_method(self) -> bool:
        """Whether this is the core's default pattern: a distinction in every method."""
        return self.methods is None and self.at_least is None


EVERY_METHOD = OverallInWords()  # the core's default pattern: what a rule in words without ``decides`` is read as


@frozen
class RuleInWords:
    text: str
    citation: str
    decides: OverallInWords | None = None  # the text's rule as data; None: read as the core's default pattern

    @property
    def rule(self) -> OverallInWords:
        """The rule that decides the combinations the printed table leaves out."""
        return self.decides or EVERY_METHOD


@frozen
class Combination:
    citation: str
    complete: bool
    rows: tuple[CombinationRow, ...]
    rule_in_words: RuleInWords


@frozen
class NeededAt:
    """Where the other reading of a passage needs criteria this reading needs less (``Ambiguity.needed_at``)."""

    method: str
    level: str  # "pass" | "distinction"


@frozen
class Ambiguity:
    id: str
    citation: str
    text_says: str
    reading: str
    why: str
    criteria: tuple[str, ...] = ()
    # what the other reading makes of the criteria: not_needed | alternatives | still_needed | needed_at
    # (``grading._reading``)
    criteria_otherwise: str = "not_needed"
    # with alternatives: the sets of which the other reading needs any one whole (an apprentice's role's); none
    # given, each criterion is a set of its own
    criteria_sets: tuple[tuple[str, ...], ...] = ()
    # with needed_at: the method and level at which the other reading needs each criterion, a level below this
    # reading's there or where it needs none (``grading``: a grade reached without one could fall)
    needed_at: NeededAt | None = None
    contradiction: bool = False  # the document contradicts itself here: a self-consistency finding
    # the ids of the rules its reading decides (journey rules' ids, `combination`, `component_rules.<method>`,
    # `resit.cap` ...: see the schemas): a contradiction between two deadlines is shown by a record on which their
    # verdicts differ; a body's reading stands beside a finding on those rules
    rules: tuple[str, ...] = ()
    # with rules [combination]: the combinations of method grades (method id -> grade) whose overall grade the
    # reading decides; none named, it may bear on any
    combinations: tuple[dict[str, Grade], ...] = attrs.field(default=(), converter=frozen_dicts)


# --- journey rules: gateway, deadlines, resits, tolerances ------------------


@frozen
class Offset:
    """A span the document states; exactly one unit is set. Negative: before the anchor."""

    months: int | None = None
    weeks: int | None = None
    days: int | None = None
    working_days: int | None = None


@frozen
class EnglishMaths:
    level: str
    subjects: tuple[str, ...] = ("english", "maths")
    min_age: int | None = None
    max_age: int | None = None
    ehcp_level: str | None = None
    bsl_for_english: bool = False


@frozen
class Deferred:
    to: str


@frozen
class Minimum:
    min: int


@frozen
class Count:
    field: str
    min: int | None = None
    max: int | None = None


@frozen
class Provided:
    field: str


@frozen
class DeadlineRef:
    id: str


@frozen
class Check:
    """How a record shows a gateway requirement met; exactly one is set (none: it cannot)."""

    english_maths: EnglishMaths | None = None
    deferred: Deferred | None = None
    days_on_programme: Minimum | None = None
    months_on_programme: Minimum | None = None
    count: Count | None = None
    provided: Provided | None = None
    deadline: DeadlineRef | None = None


@frozen
class GatewayRule:
    """One gateway requirement as the document states it.

    strength: the document's word for it, ``mandatory`` | ``recommended`` | ``optional`` (a journey file may
    still say ``mandatory: true/false``, read as mandatory / recommended). stage: when the document checks it,
    ``gateway`` | ``before_assessment`` (reported, but it does not decide gateway readiness).
    """

    id: str
    name: str
    text: str
    citation: str
    check: Check | None = None
    strength: str = "mandatory"
    stage: str = "gateway"

    @property
    def mandatory(self) -> bool:
        return self.strength == "mandatory"


STRENGTHS = ("required", "advice")

# A deadline's consequence where its document states none: a miss is reported, and nothing is said to follow.
NONE_STATED = "none_stated"


@frozen
class Consequence:
    """What a document states follows a missed deadline: ``says``, the document's words as a clause ('apprentices
    will not be accepted at EPA Gateway'), from its sentence ``text``, cited. Words only: nothing the tool decides
    follows from it. ``reading``: the sentence states it of something else than a miss (Gateway Qualifications' of
    evidence 'not sufficiently met'), and applying it to a miss is the tool's reading, said so with the sentence."""

    says: str
    text: str
    citation: str
    reading: bool = False


@frozen
class DeadlineRule:
    """A date the document sets. strength: the word of its sentence, ``required`` ('must', 'will', 'required',
    'needs to') or ``advice`` ('should', 'recommended', 'advised', 'ideally'): an advice deadline that is not
    kept is still reported ``missed``, marked advice, and never counts as a failure. consequence: what the document
    states follows a miss (a ``Consequence``), ``NONE_STATED`` where it states none, or None where the plugin does
    not say (then nothing is claimed either way)."""

    id: str
    name: str
    from_: str  # "from" in the files; a Python keyword
    offset: Offset
    text: str
    citation: str
    kind: str = "by"  # by | not_before
    event: str | None = None
    strength: str = "required"  # required | advice
    from_reading: bool = False  # the document states no date to count from: `from_` is the tool's reading
    consequence: Consequence | str | None = None  # a Consequence | NONE_STATED | None (the plugin does not say)


@frozen
class Cited:
    text: str
    citation: str


@frozen
class Cap:
    grade: Grade
    applies_to: tuple[str, ...]
    exceptional_circumstances_lift: bool
    text: str
    citation: str
    caps: str = "overall"  # overall (the EPA's grade) | method (the resat or retaken attempt's own grade)
    # with exceptional_circumstances_lift false: the document says they do not lift it (else it names no exception,
    # and no lift is the tool's reading of its silence): a summary says which (``history.cap_lift``)
    exceptional_circumstances_ruled_out: bool = False


@frozen
class AttemptLimit:
    limit: int | None
    text: str
    citation: str
    # what the document's rule on the number does, whatever its wording (the journey schema's attempts.kind): limit
    # (a stated number), no_limit_within (no limit within a period: ``within``, the window it is stated of),
    # employer_decides, employer_agrees_each (each resit or retake needs the employer's agreement) or not_stated.
    # None: the plugin does not say (a number given is read as ``limit``).
    kind: str | None = None
    within: str | None = None  # with no_limit_within: the id of the resit window the period is

    @property
    def rule(self) -> str | None:
        """What the rule does: its ``kind``, a stated number read as ``limit``, else None (the plugin does not say)."""
        return self.kind or ("limit" if self.limit is not None else None)


@frozen
class Window:
    id: str
    name: str
    from_: str  # "from" in the files; a Python keyword
    offset: Offset
    exceptional_circumstances_lift: bool
    consequence: str  # full_retake | none_stated: what the document says follows a missed window
    text: str
    citation: str
    strength: str = "required"  # required | advice ('should complete ... within'): see DeadlineRule
    from_reading: bool = False  # the document states no date to count from: `from_` is the tool's reading
    # the document notifies results only once all assessments are completed: an undated fail notification is
    # not before the last first attempt (``epa.rules.windows.notice``)
    notified_once_all_assessed: Cited | None = None


@frozen
class Rework:
    id: str
    name: str
    method: str
    offset: Offset
    text: str
    citation: str
    strength: str = "required"  # required | advice: see DeadlineRule
    # the document states no date the time allowed counts from: the fail notification is the tool's reading
    from_reading: bool = False


@frozen
class ResitRules:
    cap: Cap
    no_resit_from_pass: Cited
    attempts: AttemptLimit
    windows: tuple[Window, ...]
    rework: tuple[Rework, ...]
    retake_through_gateway: Cited | None


@frozen
class Tolerance:
    id: str
    method: str
    measure: str  # duration_minutes | questioning_minutes | words
    text: str
    citation: str
    nominal: float | None = None
    minus_percent: float | None = None
    plus_percent: float | None = None
    max: float | None = None
    max_percent_of_duration: float | None = None
    strength: str = "required"  # required | advice ('should not exceed'): outside is reported, never a failure


RECOMMENDATION_TOPICS = ("order", "lead_time", "duration", "on_programme", "preparation", "evidence", "other")


@frozen
class Recommendation:
    """What a document advises ('should', 'recommend', 'ideally', 'best practice') with no stated consequence.

    Shown as advice by ``epa journey``; never checked against a record, never a failure. topic: one of
    RECOMMENDATION_TOPICS. about: the method it concerns, where it concerns one.
    """

    id: str
    topic: str
    text: str  # the document's sentence
    citation: str
    about: str | None = None


CONDUCT_ASPECTS = ("mode", "project_subject", "mocks", "questioning_in_duration")


@frozen
class Conduct:
    """How the document says an assessment is conducted, or who decides, where no record can show it: compared
    between bodies by aspect (one of CONDUCT_ASPECTS) and method (``about``), never checked."""

    id: str
    aspect: str
    value: str  # what the document says, as one word bodies are grouped by
    says: str  # the value in words
    text: str  # the document's sentence(s)
    citation: str
    about: str | None = None
    strength: str = "required"


@frozen
class Journey:
    """A body's rules for the EPA around the grade: gateway, deadlines, resits, tolerances."""

    body: str
    standard: str
    document: str
    gateway: tuple[GatewayRule, ...]
    deadlines: tuple[DeadlineRule, ...]
    resit: ResitRules | None
    tolerances: tuple[Tolerance, ...]
    ambiguities: tuple[Ambiguity, ...] = ()
    recommendations: tuple[Recommendation, ...] = ()  # advice only: shown, never checked
    conduct: tuple[Conduct, ...] = ()  # compared between bodies, never checked

    def deadline(self, deadline_id: str) -> DeadlineRule | None:
        return next((d for d in self.deadlines if d.id == deadline_id), None)


@frozen
class Change:
    """One cited edit a version file makes to its predecessor's rules (``changes`` in a ruleset file stored
    as ``based_on`` plus changes; the path syntax is in ``schemas/ruleset.schema.json``).

    ``entry``: what the loader found the change touches, for ``epa diff`` to cite it beside: a criterion, method
    or ambiguity id, a ``component_rules`` method, or a combination row's columns
    (``observation=pass project=any discussion=fail``); None for a ruleset-wide field such as ``level``.
    """

    op: str  # set | add | remove
    path: str
    citation: str
    says: str
    value: Any = None
    before: str | None = None  # add: the entry (id, or a position counting from 0) the value goes before
    after: str | None = None
    entry: str | None = None


@frozen
class LogEntry:
    """What a version's change log states that no field of the rules records (``not_encoded``), or what the
    version states that its log does not describe (``not_described``): shown by ``epa diff`` as such."""

    kind: str  # not_encoded | not_described
    summary: str
    says: str  # the document's words
    citation: str


@frozen
class Ruleset:
    """One body's rules for one standard, from one version of its document."""

    body: str
    standard: str
    document: Document
    methods: tuple[Method, ...]
    criteria: tuple[Criterion, ...]
    combination: Combination
    ambiguities: tuple[Ambiguity, ...] = ()
    component_rules: dict[str, ComponentRule] = attrs.field(factory=FrozenDict, converter=frozen_dict)
    level: int | None = None
    journey: Journey | None = None  # from <standard>.journey.yaml, shared by every version
    source_file: str | None = None  # the rules file it was loaded from, for messages that point at an entry
    based_on: str | None = None  # stored as changes to this document version of the same body's rules
    changes: tuple[Change, ...] = ()  # those changes, as the rules file states and cites them
    log: tuple[LogEntry, ...] = ()  # what the change log states that no field records, and what it leaves out
    # Look-ups grading makes for every record, built once with the ruleset (not a field of the rules: not
    # compared, not unstructured, rebuilt by attrs.evolve).
    _index: _RulesetIndex = attrs.field(init=False, eq=False, repr=False, hash=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_index", _RulesetIndex.of(self))

    @property
    def method_ids(self) -> tuple[str, ...]:
        return self._index.method_ids

    def criteria_for(self, method: str, level: str | None = None) -> tuple[Criterion, ...]:
        return self._index.by_method.get((method, level), ())

    def criterion(self, criterion_id: str) -> Criterion | None:
        return self._index.by_id.get(criterion_id)


class _RulesetIndex:
    """A ruleset's criteria by id and by (method, level), level None for every level, in file order."""

    __slots__ = ("by_id", "by_method", "method_ids")

    def __init__(self, by_id: dict[str, Criterion], by_method: dict[tuple[str, str | None], tuple[Criterion, ...]],
                 method_ids: tuple[str, ...]):
        self.by_id, self.by_method, self.method_ids = by_id, by_method, method_ids

    @classmethod
    def of(cls, ruleset: Ruleset) -> _RulesetIndex:
        by_id: dict[str, Criterion] = {}
        grouped: dict[tuple[str, str | None], list[Criterion]] = {}
        for c in ruleset.criteria:
            by_id.setdefault(c.id, c)  # the first, as a scan would find (load_ruleset refuses a repeated id)
            grouped.setdefault((c.method, None), []).append(c)
            grouped.setdefault((c.method, c.level), []).append(c)
        return cls(by_id, {key: tuple(found) for key, found in grouped.items()},
                   tuple(m.id for m in ruleset.methods))


@frozen
class Term:
    """One criterion of a standard's shared vocabulary: an id a record may name; where its cited list places it
    (``method``, ``level``), when the standard says (each body's ruleset places it as its document does)."""

    id: str
    text: str
    citation: str
    method: str | None = None
    level: str | None = None  # "pass" | "distinction"


@frozen
class Standard:
    """An apprenticeship standard as every body offering it shares it: methods, grade scale, criterion ids."""

    id: str
    name: str
    level: int
    grades: tuple[Grade, ...]
    methods: tuple[Method, ...]
    criteria: tuple[Term, ...]

    _ids: tuple[tuple[str, ...], frozenset[str]] = attrs.field(init=False, eq=False, repr=False, hash=False)

    def __attrs_post_init__(self) -> None:  # asked for every record: built once
        object.__setattr__(self, "_ids", (tuple(m.id for m in self.methods), frozenset(t.id for t in self.criteria)))

    @property
    def method_ids(self) -> tuple[str, ...]:
        return self._ids[0]

    @property
    def criterion_ids(self) -> frozenset[str]:
        return self._ids[1]


@frozen
class Body:
    """An awarding body (End-Point Assessment Organisation) and the rulesets its plugin ships."""

    id: str
    name: str
    rulesets: tuple[Ruleset, ...]

    @property
    def standards(self) -> tuple[str, ...]:
        return tuple(sorted({r.standard for r in self.rulesets}))

    @property
    def documents(self) -> tuple[Document, ...]:
        """The source documents the body's rules come from, each once."""
        return tuple({(d.file, d.version): d for d in (r.document for r in self.rulesets)}.values())

    def rulesets_for(self, standard: str) -> tuple[Ruleset, ...]:
        """Versions of the body's rules for a standard, oldest first."""
        found = [r for r in self.rulesets if r.standard == standard]
        return tuple(sorted(found, key=lambda r: r.document.effective_from or dt.date.min))


# --- evidence --------------------------------------------------------------


@frozen
class Apprentice:
    id: str
    date_of_birth: dt.date | None = None
    start_date: dt.date | None = None
    english: str | None = None
    maths: str | None = None
    ehcp: bool = False
    bsl: bool = False


@frozen
class Gateway:
    """The gateway date and what the record shows was in place; None: the record does not say."""

    date: dt.date
    portfolio_pieces: int | None = None
    project_proposal_words: int | None = None
    photo_id: bool | None = None
    gateway_form: bool | None = None
    portfolio: bool | None = None
    project_proposal: bool | None = None
    portfolio_declaration: bool | None = None
    english_maths_declaration: bool | None = None


@frozen
class JourneyDates:
    """Dates of the EPA journey the record gives, beyond gateway and the attempts."""

    registered: dt.date | None = None
    evidence_submitted: dt.date | None = None
    epa_start: dt.date | None = None
    planning_meeting: dt.date | None = None
    proposal_rejected: dt.date | None = None
    proposal_resubmitted: dt.date | None = None
    portfolio_submitted: dt.date | None = None
    project_report_submitted: dt.date | None = None
    observation_notice: dt.date | None = None


# The journey's vocabulary, shared by the rules' loader (which checks a deadline names a method) and the timeline and
# engine (which date one): the journey dates a record can give, and the anchors and events that are not method ids
# (see the journey schema's anchor and event).
JOURNEY_DATES = tuple(f.name for f in attrs.fields(JourneyDates))
NOT_METHODS = frozenset({"gateway", "first_assessment", "final_assessment", "every_method", "results_notified",
                         *JOURNEY_DATES})


@frozen
class Attempt:
    """One attempt at one assessment method: the criteria met, or a grade already awarded."""

    method: str
    date: dt.date
    kind: str = "first"  # first | resit | retake
    notified: dt.date | None = None
    exceptional_circumstances: bool = False
    criteria_met: tuple[str, ...] | None = None
    grade: Grade | None = None
    duration_minutes: float | None = None
    questioning_minutes: float | None = None
    words: int | None = None
    # whether duration_minutes counts the questioning_minutes (None: not said; each body reads it as its own
    # document counts the duration): so that one record means the same minutes to every body (timeline)
    duration_includes_questioning: bool | None = None

    @property
    def notified_on(self) -> dt.date:
        return self.notified or self.date


@frozen
class Record:
    standard: str
    apprentice: Apprentice
    gateway: Gateway
    assessments: tuple[Attempt, ...] = ()
    document_versions: dict[str, str] = attrs.field(factory=FrozenDict, converter=frozen_dict)
    dates: JourneyDates = JourneyDates()
    # method id -> planned date, before it is attempted
    schedule: dict[str, dt.date] = attrs.field(factory=FrozenDict, converter=frozen_dict)
    _by_method: dict[str, tuple[Attempt, ...]] = attrs.field(init=False, eq=False, repr=False, hash=False)

    def __attrs_post_init__(self) -> None:  # every body asks, for every method: grouped once
        grouped: dict[str, list[Attempt]] = {}
        for a in self.assessments:
            grouped.setdefault(a.method, []).append(a)
        object.__setattr__(self, "_by_method", FrozenDict({m: tuple(found) for m, found in grouped.items()}))

    def attempts_at(self, method: str) -> tuple[Attempt, ...]:
        return self._by_method.get(method, ())

    @property
    def attempts_by_method(self) -> dict[str, tuple[Attempt, ...]]:
        """The attempts at each method the record gives one at, in record order (read-only)."""
        return self._by_method


