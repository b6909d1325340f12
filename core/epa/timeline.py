"""Deadlines and tolerances: the dates and measures a body's document sets, worked out for one record.

The rules are stated in their families, ``epa.families.deadlines`` and ``epa.families.tolerances``; their names are
kept here for their importers.
"""

from __future__ import annotations

from epa.families.deadlines import (  # noqa: F401  (kept for their importers)
    ADVICE_MISSED,
    anchor_date,
    deadlines,
    evaluate_deadline,
    event_dates,
    first_attempt,
)
from epa.families.tolerances import (  # noqa: F401  (kept for their importers)
    ToleranceCheck,
    allowed,
    no_tolerance_stated,
    own_duration,
    tolerance_checks,
)
