"""Inputs as users hold them (MIS exports, Excel-saved files, cells typed by hand): each is read right or refused
clearly, naming the file, line, column or JSON path, what was expected and what to do (exit 2)."""

from __future__ import annotations

import json

import pytest

from conftest import any_body, run


@pytest.fixture(autouse=True)
def _st0071():
    any_body("ST0071")


def test_a_json_line_s_numeric_id_is_told_to_quote_it_as_a_record_file_s_is(tmp_path):
    """A JSON line's id written as a number was refused "123 is not a string" without the hint a record file's
    (JSON or YAML) gives: quote it."""
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({"standard": "ST0071", "apprentice": {"id": 123}, "gateway": {"date": "2025-12-01"}})
                    + "\n", encoding="utf-8")
    (line,) = [json.loads(x) for x in run("compare", "--batch", str(path), "--format", "json").stdout.splitlines()]
    assert line["error"]["path"] == "$.apprentice.id" and "123" in line["error"]["message"]
    assert '"123"' in (line["error"]["hint"] or "") and "quote" in line["error"]["hint"]
