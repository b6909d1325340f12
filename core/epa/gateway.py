"""Gateway requirements evaluated against a record: met, unmet, or unknown when the record is silent.

The gateway family's rule is stated in ``epa.families.gateway``; its names are kept here for their importers.
"""

from __future__ import annotations

from epa.families.gateway import (  # noqa: F401  (kept for their importers)
    LEVELS,
    GatewayStatus,
    age_at_start,
    age_band,
    requirement,
    requirements,
)
from epa.families.gateway import english_maths as _english_maths  # noqa: F401
from epa.families.gateway import status as _status  # noqa: F401
