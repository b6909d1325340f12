"""Issue 20, done when: the README's and the guide's author path, tried from a fresh virtual environment.

`epa plugin new` → its README's install commands (the core from where pip recorded it, then the plugin) →
conformance fails naming the placeholders, and so do the plugin's own tests → the author fills them in from the
standard as the guide says (the document in a sources folder, every PLACEHOLDER replaced, the mark deleted from
each criterion whose words the document shares, the hash the conformance report gives) → conformance passes → its
own tests pass → it is one of the bodies `epa compare` grades by.

No network: the new environment sees this one's packages (epa's dependencies, pytest, hatchling), pip reads no
index and builds without isolation. One environment serves every step; it is slow for a test (a few seconds
of pip), so it is marked ``slow`` (`-m "not slow"` leaves it out) and runs in the default suite.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shlex
import subprocess
import venv
from pathlib import Path

import pytest
from test_plugin_new import python_in, seeing_these_packages

from epa.registry import core_standards

ROOT = Path(__file__).resolve().parent.parent
RECORD = ROOT / "examples" / "st0071-observation-distinction.yaml"
OFFLINE = ("--no-index", "--no-build-isolation", "--disable-pip-version-check")


class Shell:
    """Commands run in the new environment, as its author would type them there."""

    def __init__(self, env_dir: Path, cwd: Path):
        self.python = str(python_in(env_dir))
        self.cwd = cwd
        bin_dir = str(Path(self.python).parent)
        self.environ = {**os.environ, "PATH": os.pathsep.join([bin_dir, os.environ.get("PATH", "")]),
                        "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1", "VIRTUAL_ENV": str(env_dir)}
        for inherited in ("EPA_BODIES", "EPA_SOURCES", "PYTHONPATH"):
            self.environ.pop(inherited, None)

    def __call__(self, *args: str, cwd: Path | None = None, code: int = 0) -> str:
        done = subprocess.run(args, cwd=cwd or self.cwd, env=self.environ, capture_output=True, text=True, timeout=600)
        assert done.returncode == code, f"{args} exited {done.returncode}\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def epa(self, *args: str, code: int = 0) -> str:
        return self(self.python, "-m", "epa", *args, code=code)


def readme_installs(readme: str) -> list[list[str]]:
    """The README's `pip install` lines, in order, as words."""
    return [shlex.split(line) for line in readme.splitlines() if line.strip().startswith("pip install ")]


def fill_in(folder: Path, sources: Path, body_id: str, confirm: bool = True) -> None:
    """What the guide tells the author to do, all but the hash: the document in a sources folder (here made of the
    standard's own words, so each criterion's mark is deleted, not its words replaced), each PLACEHOLDER replaced
    with what the document says, every citation naming the document's section it comes from; the document, a web
    page, gives itself no version: the version line is deleted, as the generated file says to. ``confirm``: each
    value the scaffold wrote (a line ending in its mark's comment) confirmed against the document, which here says
    what the scaffold wrote, so the comment alone is deleted."""
    st0071 = next(s for s in core_standards() if s.id == "ST0071")
    lines = ["Skillsfirst End-Point Assessment for ST0071 Customer Service Specialist", "Grading",
             *(f"{t.id} {t.text}" for t in st0071.criteria)]
    (sources / f"{body_id}-st0071.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for path in (folder / f"epa_{body_id}" / "rules").glob("*.yaml"):
        text = path.read_text(encoding="utf-8").replace("PLACEHOLDER section heading", "Grading")
        text = re.sub(r"PLACEHOLDER \(from the standard\): ", "", text)  # the document words them as the standard
        text = re.sub(r"(?m)^  version: .*\n(?:    .*\n)*", "", text)  # the line, and any it wraps onto
        text = text.replace("'PLACEHOLDER: any fail fails; distinction in every method gives a distinction; "
                            "otherwise a pass'", "'A fail in any method is a fail overall. A distinction in every "
                            "method is a distinction overall; otherwise a pass.'")
        text = re.sub(r"(?m)^(  title: )'?PLACEHOLDER: .*$", rf"\g<1>{lines[0]}", text)  # the document's title
        # the gateway and resit texts in the document's words, not the scaffold's
        text = re.sub(r"'PLACEHOLDER: (?:[^']|'')*'", "'The rules, in words.'", text)
        if confirm:
            text = re.sub(r"(?m)  # PLACEHOLDER \(the scaffold's value\): .*$", "", text)
        path.write_text(text.replace("PLACEHOLDER: ", ""), encoding="utf-8")


def set_hash(folder: Path, body_id: str, digest: str) -> None:
    rules = folder / f"epa_{body_id}" / "rules" / "ST0071.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("sha256: null", f"sha256: {digest}"), encoding="utf-8")


@pytest.mark.slow
def test_the_author_path_from_a_fresh_environment(tmp_path):
    for needed, why in (("hatchling", "it is in epa's test extra"), ("pip", "it installs the core and the plugin")):
        if importlib.util.find_spec(needed) is None:
            pytest.skip(f"{needed} is not installed ({why}): nothing can be built and installed offline")
    env_dir = tmp_path / "env"
    venv.EnvBuilder(with_pip=False).create(env_dir)  # pip comes from this environment, not a fresh copy
    seeing_these_packages(env_dir)
    sh = Shell(env_dir, tmp_path)

    # The scaffold (run by the core this environment sees), then its README's install commands, word for word.
    said = sh.epa("plugin", "new", "skills", "--name", "Skillsfirst")
    folder = tmp_path / "epa-skills"
    assert f"wrote 8 files to {folder.name}" in said
    installs = readme_installs((folder / "README.md").read_text(encoding="utf-8"))
    assert [words[:2] for words in installs] == [["pip", "install"]] * 2, installs
    core, plugin = installs
    if core[2:] == ["PATH/TO/epa"]:
        pytest.skip("pip recorded no local path or repository for the installed epa: the README cannot say it")
    sh(sh.python, "-m", *core, *OFFLINE, cwd=folder)
    sh(sh.python, "-m", *plugin, *OFFLINE, cwd=folder)
    where = sh(sh.python, "-c", "import epa, epa_skills; print(epa.__file__); print(epa_skills.__file__)").split()
    assert Path(where[0]).is_relative_to(env_dir), f"the core is not the one installed from the README: {where[0]}"
    assert Path(where[1]).is_relative_to(folder), where[1]  # editable: the author's edits are live
    assert {"id": "skills"}.items() <= next(b for b in json.loads(sh.epa("bodies", "--format", "json"))
                                            if b["id"] == "skills").items()

    # As generated: conformance fails naming the placeholders, and so do its own tests.
    sources = tmp_path / "sources"
    sources.mkdir()
    said = " ".join(sh.epa("conformance", "skills", "--sources", str(sources), code=1).split())
    assert "FAIL skills placeholders" in said and "$.document.title" in said and "$.document.sha256" in said
    assert said.endswith("some checks fail")
    tested = sh(sh.python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--epa-sources", str(sources),
                cwd=folder, code=1)
    assert "placeholders fails for skills" in tested and "still a placeholder" in tested

    # Filled in from the standard; the hash is the one the conformance report gives.
    fill_in(folder, sources, "skills")
    report = json.loads(sh.epa("conformance", "skills", "--sources", str(sources), "--format", "json", code=1))
    (expected,) = {f["expected"] for r in report["results"] for f in r["failures"] if f["entry"] == "$.document.sha256"
                   and r["check"] == "sources"}
    set_hash(folder, "skills", expected.removeprefix("sha256: "))
    report = json.loads(sh.epa("conformance", "skills", "--sources", str(sources), "--format", "json"))
    assert report["passed"] is True
    summary = report["summary"]["skills"]
    assert (summary["placeholders"], summary["citations"], summary["sources"]) == ("pass", "pass", "pass")
    tested = sh(sh.python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--epa-sources", str(sources), cwd=folder)
    assert " passed" in tested and "failed" not in tested and "error" not in tested  # a skip: no thresholds set

    # One of the bodies compare grades by: the record's observation distinction, project and discussion pass
    # give a pass under its rule in words (a distinction needs one in every method).
    compared = json.loads(sh.epa("compare", str(RECORD), "--format", "json"))
    (skills,) = [r for r in compared["results"] if r["body"] == "skills"]
    assert skills["overall"] == "pass"
    assert skills["components"] == {"observation": "distinction", "project": "pass", "discussion": "pass"}
    assert skills["document"]["version"] is None
    assert [d["label"] for d in skills["documents"].values()] == ["Skillsfirst"]  # not "Skillsfirst vweb"
