"""NQual's rules re-read against its two support packs (session 11's audit): what the audit found unrecorded.

Sources: ``000_75563123dfdaaed6.txt`` (ST0071, S71) and ``001_b8a29f12b00d3850.txt`` (ST0072, S72). Every
expected value below is quoted from them.
"""

from __future__ import annotations

import pytest

from epa.testing import requires, run

pytestmark = requires("nqual")

BODY = "nqual"
S71 = "000_75563123dfdaaed6.txt"
S72 = "001_b8a29f12b00d3850.txt"


def ambiguities(standard: str) -> list[dict]:
    result = run("ambiguities", "--body", BODY, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return [a for a in result.json() if a["standard"] == standard]


# Neither pack says what its "V1.2" / "V1.1" numbers: each is printed after the standard's name on the title page,
# and the ST0072 pack's footer names a different document version of its own. The tool labels each document by
# that number ("NQual Support Pack v1.2"), a reading TQUK's ruleset records for its own title-line version and
# NQual's did not.
#   S71 § End-Point Assessment: "Customer Service Specialist Level 3 (V1.2)" / "Support Pack"
#   S72 § End-Point Assessment: "Customer Service Practitioner Level 2 (V1.1) Support Pack"; footer "Support Pack:
#   Customer Service Practitioner Level 2 (V1.1) Property of NQual Ltd | Document Version: CSP2-APP-01"
@pytest.mark.parametrize("standard, source, printed", [
    ("ST0071", S71, ["Customer Service Specialist Level 3 (V1.2)"]),
    ("ST0072", S72, ["Customer Service Practitioner Level 2 (V1.1) Support Pack", "Document Version: CSP2-APP-01"]),
])
def test_the_document_version_reading_is_recorded(standard, source, printed):
    found = [a for a in ambiguities(standard)
             if a["citation"].startswith(source) and all(p in a["text_says"] for p in printed)]
    assert len(found) == 1, f"no ambiguity records what {source}'s version number names"
    [entry] = found
    assert entry["version"] in entry["reading"]  # the reading says which number the tool labels the document by
