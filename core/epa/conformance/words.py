"""What a rule in words says of the overall distinction, where it says it in a phrase this reader knows.

The ``rule-in-words`` check holds a ruleset's ``combination.rule_in_words.text`` to the rule that decides: a text
saying "a distinction in two or more methods" beside data (or a hook) deciding "a distinction in every method" is
a contradiction an author should see. The reader is deliberately small: in a sentence that speaks of a
distinction, a count of methods or components ("at least two methods", "two or more of the assessment
components", "a minimum of 2 components") or all of them ("in all assessment methods", "every component"; not
"each", which documents use of how each is graded). A
text that says neither (criteria counts such as "7 out of 10", a table it refers to) states nothing it reads.
"""

from __future__ import annotations

import re

from epa.model.domain import OverallInWords

_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}
_NUMBER = r"(\d+|" + "|".join(_NUMBERS) + r")"
# What counts: methods or components, with the document's words between ("of the three assessment methods").
_METHODS = r"(?:of (?:the|their) )?(?:\w+ )?(?:assessment |epa |end-point assessment )?(?:methods|components)\b"
_AT_LEAST = re.compile(rf"\b(?:at least|a minimum of|no fewer than) {_NUMBER} {_METHODS}"
                       rf"|\b{_NUMBER} or more {_METHODS}")
_ALL = re.compile(r"\b(?:all|every)(?: of)?(?: the| its)?(?: \w+)? (?:assessment |epa |end-point assessment )?"
                  r"(?:methods?|components?)\b")


def _number(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBERS[word]


def stated(text: str) -> tuple[OverallInWords, str] | None:
    """The overall distinction rule the text states, with the words that state it; None where it states none this
    reader knows (or states two that disagree: the check says nothing it cannot read plainly)."""
    found: list[tuple[OverallInWords, str]] = []
    for sentence in re.split(r"(?<=[.;])\s+", " ".join(text.split())):
        lowered = sentence.lower()
        if "distinction" not in lowered:
            continue
        for match in _AT_LEAST.finditer(lowered):
            number = next(g for g in match.groups() if g)
            found.append((OverallInWords(at_least=_number(number)), sentence[match.start():match.end()]))
        every = _ALL.search(lowered) if not found else None
        if every is not None:
            found.append((OverallInWords(), sentence[every.start():every.end()]))
    rules = {rule for rule, _ in found}
    return found[0] if len(rules) == 1 else None


_COUNTED = re.compile(r"\b(?:methods?|components?)\b")


def unread(text: str) -> str | None:
    """A sentence of the text that speaks of a distinction and of methods or components, where :func:`stated`
    reads no rule in the text: one that states a count of methods this reader does not know ("any two of the
    three methods", "most methods"), so the check that reads it was not made. None where no sentence does."""
    if stated(text) is not None:
        return None
    for sentence in re.split(r"(?<=[.;])\s+", " ".join(text.split())):
        lowered = sentence.lower()
        if "distinction" in lowered and _COUNTED.search(lowered):
            return sentence
    return None
