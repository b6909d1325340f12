"""Whether exceptional circumstances lift a resit cap, in three states: the document lets them lift it, it says they
do not, or it names no exception (then not lifting it is the tool's reading of its silence). Every installed
document is of the first or the last kind; a fifth body's document that rules them out in words was said to "name
no exception" (``history.cap_lift``), the words written for NQual's packs alone."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml

import epa
from epa.errors import InputError
from epa.registry import Registry
from epa.testing import make_plugin, registry, valid
from epa.views.report import plugins

# The fifth body's document, made up for the test: a sentence ruling exceptional circumstances out.
RULED_OUT = "The overall grade after a resit or retake is at most a pass; exceptional circumstances do not change this."


def _rules(tmp_path: Path, **cap: object) -> Path:
    """A copy of an installed body's rules folder whose ST0071 journey's cap is changed by ``cap``."""
    lending = [r for b in registry().bodies for r in b.body.rulesets_for("ST0071")
               if r.source_file and r.journey and r.journey.resit]
    if not lending:
        pytest.skip("needs an installed body with ST0071 resit rules to lend its rules folder")
    folder = Path(shutil.copytree(Path(lending[0].source_file).parent, tmp_path / "rules"))
    journey = folder / "ST0071.journey.yaml"
    data = yaml.safe_load(journey.read_text(encoding="utf-8"))
    data["resit"]["cap"].update(cap)
    journey.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return folder


def _caps(folder: Path) -> list[str]:
    """What `epa plugins` says of the fifth body's caps, its rules read from ``folder``."""
    [plugin] = valid(plugins(Registry([("fifth", make_plugin("fifth", epa.load_rulesets(folder)))])), "plugins")
    return [v["says"] for r in plugin["rulesets"] if r["standard"] == "ST0071" for v in r["variants"]
            if v["kind"] == "cap"]


def test_a_cap_the_document_rules_exceptional_circumstances_out_of_says_so(tmp_path):
    folder = _rules(tmp_path, exceptional_circumstances_lift=False, exceptional_circumstances_ruled_out=True,
                    text=RULED_OUT)
    caps = _caps(folder)
    assert caps and all(c.endswith("; not lifted by exceptional circumstances (the document says they do not lift it)")
                        for c in caps), caps


def test_a_cap_whose_document_names_no_exception_still_says_that(tmp_path):
    # The field left out: as NQual's packs ("a maximum EPA grade of Pass", no exception named) were said before.
    folder = _rules(tmp_path, exceptional_circumstances_lift=False)
    caps = _caps(folder)
    assert caps and all(c.endswith("; not lifted by exceptional circumstances (the document names no exception)")
                        for c in caps), caps


def test_a_cap_both_lifted_and_ruled_out_is_refused_as_its_rules_are_read(tmp_path):
    folder = _rules(tmp_path, exceptional_circumstances_lift=True, exceptional_circumstances_ruled_out=True)
    with pytest.raises(InputError) as info:
        epa.load_rulesets(folder)
    # (a document that rules them out cannot let them lift it: the file, its line and the JSON path named)
    assert "ST0071.journey.yaml:" in str(info.value)
    assert "$.resit.cap.exceptional_circumstances_lift:" in str(info.value)


def _journey_table(folder: Path) -> str:
    """`epa journey`'s table of the fifth body's ST0071 rules, its rules read from ``folder``, on a wide console."""
    from rich.console import Console

    from epa.views import tables
    from epa.views.report import journey_rules

    console = Console(width=400, record=True, file=open(os.devnull, "w"))  # noqa: SIM115 (closed with the console)
    rules = journey_rules(Registry([("fifth", make_plugin("fifth", epa.load_rulesets(folder)))]), "ST0071", None)
    tables.journey(console, rules)
    console.file.close()
    return console.export_text()


@pytest.mark.parametrize(("cap", "said"), [
    # NQual's packs' kind: "a maximum EPA grade of Pass" and no exception named; the table said "exceptional
    # circumstances do not lift it", a rule the document does not state.
    ({"exceptional_circumstances_lift": False}, "not lifted by exceptional circumstances (the document names no "
                                                "exception)"),
    ({"exceptional_circumstances_lift": False, "exceptional_circumstances_ruled_out": True, "text": RULED_OUT},
     "not lifted by exceptional circumstances (the document says they do not lift it)"),
    ({"exceptional_circumstances_lift": True}, "lifted by exceptional circumstances"),
])
def test_the_journey_table_says_of_a_cap_what_its_document_says_of_exceptional_circumstances(tmp_path, cap, said):
    text = _journey_table(_rules(tmp_path, **cap))
    [line] = [line for line in text.splitlines() if "grade capped at" in line]
    assert f"; {said} " in line, line
    assert "do not lift it" not in line or "the document says they do not lift it" in line, line
