"""The domain, as small frozen attrs classes.

Rules (what a body's document says) and evidence (what a record says) are kept
apart; results refer to both by id. Every rule carries its citation
``<seed file> § <section heading>``.
"""

from __future__ import annotations

import datetime as dt
import enum

import attrs
from attrs import frozen


class Grade(enum.StrEnum):
    FAIL = "fail"
    PASS = "pass"
    DISTINCTION = "distinction"


# --- rules -----------------------------------------------------------------


@frozen
class Document:
    file: str
    title: str
    version: str
    published: dt.date | None = None
    effective_from: dt.date | None = None
    effective_from_citation: str | None = None


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


@frozen
class ComponentRule:
    text: str
    citation: str
    distinction_threshold: int | None = None


@frozen
class CombinationRow:
    when: dict[str, str]  # method id -> fail | pass | distinction | any
    overall: Grade
    citation: str
    printed: str | None = None

    def matches(self, components: dict[str, Grade]) -> bool:
        return all(want == "any" or components.get(m) == want for m, want in self.when.items())


@frozen
class RuleInWords:
    text: str
    citation: str


@frozen
class Combination:
    citation: str
    complete: bool
    rows: tuple[CombinationRow, ...]
    rule_in_words: RuleInWords


@frozen
class Ambiguity:
    id: str
    citation: str
    text_says: str
    reading: str
    why: str
    criteria: tuple[str, ...] = ()


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
    component_rules: dict[str, ComponentRule] = attrs.field(factory=dict)
    level: int | None = None

    @property
    def method_ids(self) -> tuple[str, ...]:
        return tuple(m.id for m in self.methods)

    def criteria_for(self, method: str, level: str | None = None) -> tuple[Criterion, ...]:
        return tuple(
            c for c in self.criteria if c.method == method and (level is None or c.level == level)
        )

    def criterion(self, criterion_id: str) -> Criterion | None:
        return next((c for c in self.criteria if c.id == criterion_id), None)


@frozen
class Body:
    """An awarding body (End-Point Assessment Organisation) and the rulesets its plugin ships."""

    id: str
    name: str
    rulesets: tuple[Ruleset, ...]

    @property
    def standards(self) -> tuple[str, ...]:
        return tuple(sorted({r.standard for r in self.rulesets}))

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
    date: dt.date
    portfolio_pieces: int | None = None
    project_proposal_words: int | None = None
    photo_id: bool | None = None


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


@frozen
class Record:
    standard: str
    apprentice: Apprentice
    gateway: Gateway
    assessments: tuple[Attempt, ...] = ()
    document_versions: dict[str, str] = attrs.field(factory=dict)


# --- results ---------------------------------------------------------------


@frozen
class Step:
    """One step of an explanation: what was decided, and the rule (citation) that decided it."""

    says: str
    citation: str


@frozen
class ComponentResult:
    method: str
    grade: Grade
    steps: tuple[Step, ...]
    pass_missing: tuple[str, ...] = ()
    distinction_met: tuple[str, ...] = ()
    distinction_missing: tuple[str, ...] = ()


@frozen
class Outcome:
    grade: Grade | None
    steps: tuple[Step, ...]
