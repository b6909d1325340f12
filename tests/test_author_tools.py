"""Issue 20, the author's tools: one rules checker installed with epa (`epa check-rules`), and the `epa.testing`
helpers' signatures in the guide held to the code."""

from __future__ import annotations

import inspect
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from test_author_kit import fill_in
from test_plugin_new import generate

import epa.testing
import epa.testing.contract
from epa.testing import run

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "plugins.md"


# --- one rules checker ---------------------------------------------------------------------------------------


def test_check_rules_is_a_command_of_the_installed_epa():
    result = run("check-rules", "--help")
    assert result.exit_code == 0, result.stderr
    said = " ".join(result.stdout.split())
    assert said.startswith("Usage: epa check-rules [OPTIONS] RULES.yaml...")
    assert "--sources" in said and "--limit" in said
    # the description is paragraphs of its own, not run into the usage or the options
    assert "Exits 1 when any file has a problem, 0 when none has. Options:" in said


def test_check_rules_skips_a_file_whose_source_document_is_absent_saying_why(tmp_path):
    folder = generate(tmp_path, "rho")
    rules = folder / "epa_rho/rules/ST0071.yaml"
    fill_in(folder, "rho", tmp_path)  # every placeholder replaced, the hash of the document set
    missing = tmp_path / "no-such-folder"
    result = run("check-rules", str(rules), "--sources", str(missing))
    assert result.exit_code == 0, result.stdout + result.stderr
    said = " ".join(result.stdout.split())
    assert f"skip {rules}: source not found: the sources folder {missing} does not exist" in said
    assert "its hash and the citations of rho-st0071.txt were not checked" in said
    sources = tmp_path / "sources"
    sources.mkdir()
    result = run("check-rules", str(rules), "--sources", str(sources))
    assert result.exit_code == 0
    assert f"rho-st0071.txt is not in {sources}" in " ".join(result.stdout.split())


def test_check_rules_summarises_a_long_list_of_problems_with_a_limit_and_a_count(tmp_path):
    folder = generate(tmp_path, "sigma")
    rules = folder / "epa_sigma/rules/ST0071.yaml"
    fill_in(folder, "sigma", tmp_path)
    # the document is there, and has none of the sections cited: every citation is a problem
    text = rules.read_text(encoding="utf-8")
    cited = text.count("§ Grading")
    assert cited > 3
    rules.write_text(text.replace("§ Grading", "§ Nowhere"), encoding="utf-8")
    result = run("check-rules", str(rules), "--sources", str(tmp_path), "--limit", "3")
    assert result.exit_code == 1
    listed = [line for line in result.stdout.splitlines() if "which is not a line of sigma-st0071.txt" in line]
    assert len(listed) == 3
    assert f"{cited} problems in 1 of 1 file; 3 shown (--limit 0 lists every one)" in " ".join(result.stdout.split())
    every = run("check-rules", str(rules), "--sources", str(tmp_path), "--limit", "0")
    assert every.stdout.count("which is not a line of sigma-st0071.txt") == cited


def test_check_rules_reports_a_file_that_does_not_load_and_a_missing_file_is_bad_input(tmp_path):
    folder = generate(tmp_path, "tau")
    rules = folder / "epa_tau/rules/ST0071.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("level: 3", "level: eight", 1), encoding="utf-8")
    result = run("check-rules", str(rules))
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert "ST0071.yaml" in result.stdout and "1 problem in 1 of 1 file" in result.stdout
    assert run("check-rules", str(tmp_path / "absent.yaml")).exit_code == 2


def test_the_tools_script_runs_the_same_command(tmp_path):
    script = ROOT / "tools" / "check_rules.py"
    if not script.is_file():
        pytest.skip("this checkout has no tools/check_rules.py")
    done = subprocess.run([sys.executable, str(script), "--help"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == run("check-rules", "--help").stdout


# --- the epa.testing helpers, documented as they are -------------------------------------------------------


def _helpers_section() -> str:
    text = GUIDE.read_text(encoding="utf-8")
    start = text.find("### Helpers for a body's own tests: `epa.testing`")
    if start < 0:
        return ""  # every helper is then undocumented, and its test says so
    end = re.compile(r"^#{1,3} ", re.M).search(text, start + 1)
    return text[start:end.start() if end else len(text)]


# Each helper's entry opens a list item: "- `name(args) -> returns`: what it does".
DOCUMENTED = {name: shown for shown, name in re.findall(r"^- `((\w+)\(.*?\)(?: -> [^`]+)?)`", _helpers_section(), re.M)}

# The public helpers: everything epa.testing exports, and the contract's two functions a plugin's tests call.
PUBLIC = {name: getattr(epa.testing, name) for name in epa.testing.__all__}
PUBLIC |= {name: getattr(epa.testing.contract, name) for name in ("conformance_tests", "assert_conforms")}


def signature(helper: Any) -> str:
    """A helper's signature as the guide writes it: annotations as the source spells them, defaults as Python
    would (``name: str = 'record.yaml'``); a class by the fields it is made with."""
    sig = inspect.signature(helper)  # annotations stay the source's strings (from __future__ import annotations)
    shown = []
    for p in sig.parameters.values():
        if p.kind == p.KEYWORD_ONLY and not any(s.startswith("*") for s in shown):
            shown.append("*")  # keyword-only arguments after no *args: Python writes a bare *
        star = {p.VAR_POSITIONAL: "*", p.VAR_KEYWORD: "**"}.get(p.kind, "")
        text = star + p.name + (f": {p.annotation}" if p.annotation is not p.empty else "")
        shown.append(text + (f" = {p.default!r}" if p.default is not p.empty else ""))
    returns = "" if isinstance(helper, type) or sig.return_annotation is sig.empty else f" -> {sig.return_annotation}"
    return f"{helper.__name__}({', '.join(shown)}){returns}"


def test_the_guide_documents_every_public_helper_and_nothing_else():
    assert set(DOCUMENTED) == set(PUBLIC), (sorted(set(PUBLIC) - set(DOCUMENTED)), sorted(set(DOCUMENTED) - set(PUBLIC)))


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_each_documented_signature_is_the_helpers(name):
    assert DOCUMENTED.get(name) == signature(PUBLIC[name])
