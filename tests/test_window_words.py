"""A resit or retake window's deadline says what the date it counts from is (epa.rules.windows.explain), so that
"3 months after 2025-06-26" is never left for the reader to work out: a fail notified that day, a fail the record
dates no notification of, the last assessment (a document notifying results once all are completed), or the first
assessment. The dates are worked by hand from the offsets."""

from __future__ import annotations

import datetime as dt

import pytest

from epa.model.domain import Attempt, Cited, Grade, Offset, Window
from epa.model.results import GradedAttempt
from epa.rules import windows


def _window(start: str, once_all_assessed: bool = False) -> Window:
    rule = Cited("Results notification will take place once all assessments have been completed.", "doc § 3")
    return Window("w", "Within three months", start, Offset(months=3), False, "none_stated", "text", "doc § 4",
                  notified_once_all_assessed=rule if once_all_assessed else None)


METHODS = 2  # the ruleset's methods: the project and the observation, each held first in _history


def _history(notified: dt.date | None) -> list[GradedAttempt]:
    return [GradedAttempt(Attempt("project", dt.date(2025, 6, 10), notified=notified), Grade.FAIL),
            GradedAttempt(Attempt("observation", dt.date(2025, 6, 20)), Grade.PASS),
            GradedAttempt(Attempt("project", dt.date(2025, 8, 1), kind="resit"), Grade.PASS)]


@pytest.mark.parametrize(("start", "once_all", "notified", "says"), [
    # each fail's notice, dated by the record: 2025-06-12 + 3 months = 2025-09-12
    ("fail_notified", False, dt.date(2025, 6, 12), "by 2025-09-12 (3 months after the project fail notified 2025-06-12)"),
    # undated: counted from the fail itself, 2025-06-10 + 3 months, and said to be, as the tool's reading (the record
    # schema's default for an undated notification, not the document's)
    ("fail_notified", False, None,
     "by 2025-09-10 (3 months after the project fail on 2025-06-10, the tool's reading: the record dates no "
     "notification of the fail, so the fail's own date stands for it)"),
    ("first_fail_notified", False, None,
     "by 2025-09-10 (3 months after the project fail on 2025-06-10, the tool's reading: the record dates no "
     "notification of the fail, so the fail's own date stands for it)"),
    # undated, results notified once all are completed: the observation on 2025-06-20 was the last of the record's
    # first assessments (the project's resit on 2025-08-01 is later, and not what is counted from), + 3 months
    ("fail_notified", True, None,
     "by 2025-09-20 (3 months after 2025-06-20, when the last of the record's first assessments was held, the tool's "
     "reading: the record dates no notification of the project fail on 2025-06-10, and “Results notification will "
     "take place once all assessments have been completed.” (doc § 3), so the earliest day it could be made stands "
     "for it)"),
    # from the first assessment, 2025-06-10
    ("first_assessment", False, None, "by 2025-09-10 (3 months after the first assessment on 2025-06-10)"),
])
def test_a_window_says_what_it_counts_from(start, once_all, notified, says):
    [deadline], _, _ = windows.explain(_window(start, once_all), _history(notified), METHODS)
    assert deadline.says == f"Within three months: {says}"


def test_the_date_an_undated_notification_counts_from_is_named_as_the_last_first_assessment():
    # Results notified "once all assessments have been completed" (the window's rule): an undated fail is counted from
    # the last of the record's first assessments, the discussion's on 2025-06-20 (the windows module's reading), though
    # the record holds a later assessment, the observation's resit on 2025-07-01. Naming 2025-06-20 "when the last
    # assessment was held" would name it as something it is not. 2025-06-20 + 3 months = 2025-09-20.
    history = [GradedAttempt(Attempt("project", dt.date(2025, 6, 10)), Grade.FAIL),
               GradedAttempt(Attempt("observation", dt.date(2025, 6, 12)), Grade.FAIL),
               GradedAttempt(Attempt("discussion", dt.date(2025, 6, 20)), Grade.PASS),
               GradedAttempt(Attempt("observation", dt.date(2025, 7, 1), kind="resit"), Grade.PASS)]
    deadlines, _, _ = windows.explain(_window("fail_notified", True), history, 3)  # its three methods, each held
    says = {d.id: d.says for d in deadlines}
    assert says["w.project.1"].startswith(
        "Within three months: by 2025-09-20 (3 months after 2025-06-20, when the last of the record's first "
        "assessments was held, the tool's reading: the record dates no notification of the project fail on "
        "2025-06-10, and "), says
    assert "last assessment" not in " ".join(says.values())
