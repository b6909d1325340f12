"""Issue 19: readings corrected against their sentences, and the consistency report's statements about them."""

from __future__ import annotations

from pathlib import Path

import pytest

from epa.sources import has_section, locate, sources_dir

SEEDS = sources_dir()
HIGHFIELD = "002_a4f677c7c4e5fdb6.txt"


def seed(file: str) -> Path:
    path = SEEDS / file
    if not path.is_file():
        pytest.skip(f"source document {file} not found in {SEEDS} (set EPA_SOURCES)")
    return path


@pytest.mark.parametrize(("parent", "first_words"), [
    # 002 prints "Before the assessment" three times, once under each method's "Assessing the ..." heading
    ("Assessing the work-based project (supported by an interview)", "Employers/training providers should:"),
    ("Assessing the professional discussion (supported by portfolio of evidence)",
     "Employers/training providers should:"),
    ("Assessing the practical observation (with Q&As)", "Employers/training providers should:"),
])
def test_a_heading_printed_more_than_once_is_found_under_its_parent(parent, first_words):
    path = seed(HIGHFIELD)
    lines = path.read_text(encoding="utf-8").splitlines()
    at = locate(path, f"{parent} > Before the assessment")
    assert at is not None and lines[at] == "Before the assessment"
    # the nearest "Assessing the ..." heading above the line found is the parent named, not the contents page
    above = [i for i, line in enumerate(lines[:at]) if line.startswith("Assessing the ")]
    assert lines[above[-1]] == parent and above[-1] > 100
    assert first_words in "\n".join(lines[at:at + 4])
    assert has_section(path, f"{parent} > Before the assessment")


def test_three_before_the_assessment_citations_name_three_passages():
    path = seed(HIGHFIELD)
    parents = ("Assessing the work-based project (supported by an interview)",
               "Assessing the professional discussion (supported by portfolio of evidence)",
               "Assessing the practical observation (with Q&As)")
    assert len({locate(path, f"{p} > Before the assessment") for p in parents}) == 3
    assert not has_section(path, "Assessing the practical observation (with Q&As) > No such heading")
