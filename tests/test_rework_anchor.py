"""A failed project's rework: Highfield's and TQUK's documents give the time allowed and no date it counts from, so
the fail's notification it is counted from is the tool's reading (``from_reading``), said so in every output in the
one wording the deadlines and resit windows use (``deadlines.FROM_READING``)."""

from __future__ import annotations

import json

import pytest

from epa.rules.deadlines import FROM_READING, NOT_NOTIFIED
from epa.testing import installed, ok_json, run

# 002 § Retake and resit information: "If the apprentice fails the work-based project, they will be asked to rework
# their project ... Apprentices will have 1 month to rework their submission."; 003 § Resits and Retakes: "... The
# apprentice will have one month to rework their submission." Neither says from when (the fail, its notification,
# the feedback): both record it (highfield-project-rework-anchor, tqual-project-rework-vs-resit).
BODIES = ("highfield", "tqual")

RECORD = {"standard": "ST0071", "apprentice": {"id": "a1", "start_date": "2024-01-01"},
          "gateway": {"date": "2025-01-06"},
          "assessments": [{"method": "project", "grade": "fail", "date": "2025-02-10"},
                          {"method": "project", "kind": "resit", "grade": "pass", "date": "2025-03-01"}]}


def needs(body: str) -> None:
    if not installed(body):
        pytest.skip(f"needs the body plugin {body} installed")


@pytest.mark.parametrize("body", BODIES)
def test_the_rework_deadline_says_its_start_is_the_tools_reading(tmp_path, body):
    # The project failed on 2025-02-10, no notification dated: due 2025-02-10 + 1 month = 2025-03-10. On e56ed49 it
    # said "(1 month after the fail on 2025-02-10, the record dating no notification of it)", no reading said.
    needs(body)
    path = tmp_path / "record.json"
    path.write_text(json.dumps(RECORD), encoding="utf-8")
    result = run("compare", str(path), "--format", "json")
    assert result.exit_code == 0, result.stderr
    (mine,) = [r for r in result.json()["results"] if r["body"] == body]
    (rework,) = [d for d in mine["deadlines"] if d["id"].startswith("project-rework")]
    assert rework["date"] == "2025-03-10" and rework["status"] == "met"
    # Nor that counting from the fail itself, the record dating no notification, is the tool's reading too (the record
    # schema's default for an undated notification): said with the document's silence, under one "the tool's reading".
    assert rework["says"].endswith(f"(1 month after the fail on 2025-02-10{FROM_READING}, and {NOT_NOTIFIED})")
    assert NOT_NOTIFIED == "the record dates no notification of the fail, so the fail's own date stands for it"


@pytest.mark.parametrize("body", BODIES)
def test_plugins_lists_the_rework_with_its_start_as_the_tools_reading(body):
    needs(body)
    data = ok_json("plugins", definition="plugins")
    (plugin,) = [p for p in data if p["id"] == body]
    (rework,) = [v for r in plugin["rulesets"] if r["standard"] == "ST0071" for v in r["variants"]
                 if v["kind"] == "rework"]
    assert rework["says"].endswith(f"project reworked within 1 month of the fail{FROM_READING}")
