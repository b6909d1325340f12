"""epa plugin new: the generated plugin is complete; as generated it installs and is listed, and fails conformance
(and its own tests) on its placeholders alone, until the author replaces them. Installed into a fresh environment
and taken along the whole author path: test_author_path.py."""

from __future__ import annotations

import importlib
import os
import re
import site
import subprocess
import sys
from pathlib import Path

from epa import cli, conformance
from epa.registry import Registry
from epa.testing import fails, ok_json, run


def generate(tmp_path: Path, body_id: str = "zeta", *args: str) -> Path:
    target = tmp_path / f"epa-{body_id}"
    result = run("plugin", "new", body_id, "--name", "Zeta Assessment", "--dir", str(target), *args)
    assert result.exit_code == 0, result.stderr
    return target


def load_generated(folder: Path, body_id: str):
    sys.path.insert(0, str(folder))
    try:
        return importlib.import_module(f"epa_{body_id}")
    finally:
        sys.path.remove(str(folder))


def test_generates_an_installable_package(tmp_path):
    folder = generate(tmp_path)
    names = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert names == {"pyproject.toml", "README.md", ".gitignore", "epa_zeta/__init__.py", "epa_zeta/rules/ST0071.yaml",
                     "epa_zeta/rules/ST0071.journey.yaml", "tests/test_zeta_conformance.py", "tests/test_zeta_rules.py"}
    pyproject = (folder / "pyproject.toml").read_text()
    assert '[project.entry-points.epa]\nzeta = "epa_zeta"' in pyproject
    assert '"epa>=0.' in pyproject and ",<" in pyproject  # a compatible-release pin of the core
    assert "PLACEHOLDER" in (folder / "epa_zeta/rules/ST0071.yaml").read_text()
    assert ".venv/" in (folder / ".gitignore").read_text().splitlines()
    assert "pypi.org/project/epa" not in (folder / "README.md").read_text()  # another project of that name


def test_as_generated_it_loads_and_fails_the_placeholders_check_alone(tmp_path, monkeypatch):
    module = load_generated(generate(tmp_path), "zeta")
    reg = Registry([("zeta", module)], keep_going=True)
    outcomes = conformance.run(reg)
    (failed,) = [o for o in outcomes if o.status == "fail"]
    assert failed.check == "placeholders"
    assert {f.entry for f in failed.failures} >= {"$.document.title", "$.document.sha256", "$.criteria[0].text",
                                                  "$.criteria[0].citation", "$.gateway[0].citation"}
    # No source document for the placeholder: the citation checks skip, saying why, and never pass.
    assert {o.status for o in outcomes if o.check == "sources"} == {"skip"}
    monkeypatch.setattr(cli, "_registry", lambda: reg)
    assert [b["id"] for b in ok_json("bodies", definition="bodies")] == ["zeta"]


def test_filled_in_it_conforms_and_passes_check_rules_with_every_field_the_schema_has(tmp_path, monkeypatch):
    """Its placeholders replaced as the guide says (the author path's own steps), the generated plugin passes every
    check of the suite that has what it needs, and check-rules. Its resit attempts rule claims nothing of what the
    document's rule does until the author says (kind left out: `epa consistency` shows the body as not saying);
    generated as kind not_stated (fa7ee40), an author who replaced the text kept a claim that the document states
    nothing on the number, whatever it states."""
    from test_author_path import fill_in, set_hash

    folder = generate(tmp_path, "filled")
    (generated,) = Registry([("filled", load_generated(folder, "filled"))], keep_going=True).body("filled").body.rulesets
    assert generated.journey is not None and generated.journey.resit is not None
    assert generated.journey.resit.attempts.kind is None and "then add kind" in generated.journey.resit.attempts.text
    sources = tmp_path / "sources"
    sources.mkdir()
    fill_in(folder, sources, "filled")
    reg = Registry([("filled", load_generated(folder, "filled"))], keep_going=True)
    (hashed,) = [f for o in conformance.run(reg, sources=sources, only=["sources"]) for f in o.failures
                 if f.entry == "$.document.sha256"]
    set_hash(folder, "filled", hashed.expected.removeprefix("sha256: "))
    reg = Registry([("filled", load_generated(folder, "filled"))], keep_going=True)
    outcomes = conformance.run(reg, sources=sources)
    assert [(o.check, [f.message for f in o.failures]) for o in outcomes if o.status == "fail"] == []
    assert {o.check for o in outcomes if o.status == "pass"} >= {"placeholders", "hooks", "sources", "citations"}
    (ruleset,) = reg.body("filled").body.rulesets
    assert ruleset.journey is not None and ruleset.journey.resit is not None
    assert ruleset.journey.resit.attempts.kind is None
    rules = sorted(str(p) for p in (folder / "epa_filled" / "rules").glob("*.yaml"))
    checked = run("check-rules", "--sources", str(sources), *rules)
    assert checked.exit_code == 0, checked.stdout + checked.stderr


def test_filled_in_but_for_the_values_the_scaffold_wrote_it_fails_placeholders_naming_each(tmp_path, monkeypatch):
    """An author who replaces every marked text with the document's words, hash and all, and leaves the values the
    scaffold wrote beside them (the resit cap's grade, what it applies to and whether exceptional circumstances lift
    it, the gateway requirement's strength and level, each criterion's method, the empty table, the rule in words'
    decides, the empty lists of deadlines, windows, rework and tolerances) has the tool claim them as the document's.
    On 6b31b37 the scaffold wrote them unmarked and such a plugin passed every check; each is now marked by a
    comment on its line, which the placeholders check (and check-rules) fails by file, line and JSON path."""
    from test_author_path import fill_in, set_hash

    folder = generate(tmp_path, "lazy")
    sources = tmp_path / "sources"
    sources.mkdir()
    fill_in(folder, sources, "lazy", confirm=False)
    reg = Registry([("lazy", load_generated(folder, "lazy"))], keep_going=True)
    (hashed,) = [f for o in conformance.run(reg, sources=sources, only=["sources"]) for f in o.failures
                 if f.entry == "$.document.sha256"]
    set_hash(folder, "lazy", hashed.expected.removeprefix("sha256: "))
    reg = Registry([("lazy", load_generated(folder, "lazy"))], keep_going=True)
    outcomes = conformance.run(reg, sources=sources)
    assert {o.check for o in outcomes if o.status == "fail"} == {"placeholders"}
    (placeholders,) = [o for o in outcomes if o.check == "placeholders"]
    journey = str(folder / "epa_lazy" / "rules" / "ST0071.journey.yaml")
    rules = str(folder / "epa_lazy" / "rules" / "ST0071.yaml")
    found = {(Path(f.file).name, f.entry) for f in placeholders.failures}
    assert {("ST0071.journey.yaml", e) for e in (
        "$.resit.cap.grade", "$.resit.cap.applies_to", "$.resit.cap.exceptional_circumstances_lift",
        "$.gateway[0]", "$.gateway[0].strength", "$.gateway[0].check.english_maths.level", "$.deadlines",
        "$.resit.windows", "$.resit.rework", "$.tolerances")} <= found
    assert {("ST0071.yaml", e) for e in ("$.criteria[0].method", "$.combination.rows",
                                         "$.combination.rule_in_words.decides.distinction")} <= found
    # each at its own line, the line the value is written on
    lines = {Path(f.file).name: Path(f.file).read_text(encoding="utf-8").splitlines() for f in placeholders.failures}
    for f in placeholders.failures:
        assert "# PLACEHOLDER" in lines[Path(f.file).name][f.line - 1], f
    cap = next(f for f in placeholders.failures if f.entry == "$.resit.cap.grade")
    assert lines["ST0071.journey.yaml"][cap.line - 1].lstrip().startswith("grade: pass")
    checked = run("check-rules", "--limit", "0", "--sources", str(sources), rules, journey)
    assert checked.exit_code == 1 and f"{journey}:{cap.line}: $.resit.cap.grade: still a placeholder" in checked.stdout


def test_another_standard(tmp_path):
    module = load_generated(generate(tmp_path, "eta", "--standard", "ST0072"), "eta")
    (ruleset,) = Registry([("eta", module)]).body("eta").body.rulesets
    assert ruleset.standard == "ST0072" and ruleset.method_ids == ("showcase", "observation", "discussion")


def test_bad_requests_are_clear_errors(tmp_path):
    assert "not a body id" in fails("plugin", "new", "Zeta-1", "--dir", str(tmp_path / "x"))
    generate(tmp_path)
    assert "not empty" in fails("plugin", "new", "zeta", "--dir", str(tmp_path / "epa-zeta"))
    assert "did you mean 'ST0071'?" in fails("plugin", "new", "zeta", "--standard", "ST071",
                                              "--dir", str(tmp_path / "y"))


def seeing_these_packages(env_dir: Path) -> None:
    """Let a new environment import every package this one can (the installed core, its plugins, pip,
    hatchling, pytest), without network. `system_site_packages` is no use when this is itself a virtual
    environment: it shows the base interpreter's packages, not this environment's. A .pth line starting
    with `import` runs at start-up; addsitedir also reads the .pth files there, as editable installs need."""
    here = [*site.getsitepackages(), *([site.getusersitepackages()] if site.ENABLE_USER_SITE else [])]
    dirs = [d for d in dict.fromkeys(here) if Path(d).is_dir()]
    purelib = subprocess.run([str(python_in(env_dir)), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                             capture_output=True, text=True, check=True).stdout.strip()
    Path(purelib, "_epa_test_sees_the_running_environment.pth").write_text(
        f"import site; list(map(site.addsitedir, {dirs!r}))\n", encoding="utf-8")


def python_in(env_dir: Path) -> Path:
    return env_dir / ("Scripts" if os.name == "nt" else "bin") / "python"


def test_deleting_only_the_mark_still_leaves_a_placeholder(tmp_path):
    # An author who deletes "PLACEHOLDER: " and keeps the words the scaffold wrote for the document's has written
    # nothing of the document: the version, the rule in words, the gateway and resit texts and the section headings
    # are still the scaffold's, and conformance still fails on each. The criteria, which the scaffold takes from the
    # standard for the author to keep where the document words them alike, are not.
    folder = generate(tmp_path, "theta")
    for rules in (folder / "epa_theta/rules").glob("*.yaml"):
        text = rules.read_text(encoding="utf-8")
        text = re.sub(r"PLACEHOLDER(?: \((?:from [^)]*|the scaffold's value)\))?: ", "", text).replace(
            "PLACEHOLDER section heading", "section heading")
        assert "PLACEHOLDER" not in "".join(line for line in text.splitlines() if not line.startswith("#"))
        rules.write_text(text, encoding="utf-8")
    reg = Registry([("theta", load_generated(folder, "theta"))], keep_going=True)
    (outcome,) = conformance.run(reg, only=["placeholders"])
    entries = {f.entry for f in outcome.failures}
    assert outcome.status == "fail"
    assert {"$.document.version", "$.combination.rule_in_words.text", "$.criteria[0].citation",
            "$.gateway[0].text", "$.gateway[0].citation", "$.resit.cap.text", "$.resit.attempts.text"} <= entries
    assert "$.criteria[0].text" not in entries


def _small_disk() -> None:
    import resource
    import signal

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write fails with EFBIG, as a full disk's would
    resource.setrlimit(resource.RLIMIT_FSIZE, (2000, 2000))


def test_a_full_disk_part_way_leaves_no_half_made_plugin(tmp_path):
    # On 095f814 the files written before the failure stayed (a rules file cut short among them), and a second try
    # was refused: "the folder exists and is not empty".
    target = tmp_path / "epa-zeta"
    done = subprocess.run([sys.executable, "-m", "epa", "plugin", "new", "zeta", "--dir", str(target)],
                          capture_output=True, text=True, timeout=120, preexec_fn=_small_disk)
    assert done.returncode == 3, done.stderr
    assert f"error: cannot write {target}: " in done.stderr and "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []  # neither the plugin nor a temporary folder
    assert generate(tmp_path) == target  # and it can be made there afterwards


def test_an_empty_folder_given_is_filled_and_kept(tmp_path):
    # `epa plugin new zeta --dir .` in an empty folder: on 890f157 the folder was replaced by another of the same
    # name, so the shell that ran it was left in a folder deleted, and the next step it printed, `pip install -e .`,
    # failed there.
    target = tmp_path / "epa-zeta"
    target.mkdir()
    before = target.stat()
    generate(tmp_path)
    after = target.stat()
    assert (after.st_ino, after.st_dev) == (before.st_ino, before.st_dev)
    assert (target / "pyproject.toml").is_file() and sorted(p.name for p in tmp_path.iterdir()) == ["epa-zeta"]


def test_an_empty_folder_given_in_a_folder_not_writable_is_filled(tmp_path, monkeypatch):
    # (a volume mounted at /plugin, writable, in a root folder that is not): as on 095f814, which wrote the files
    # into the folder; on 890f157 the folder they were written in first was made beside it, and refused.
    import tempfile

    target = tmp_path / "epa-zeta"
    target.mkdir()
    made = tempfile.mkdtemp

    def mkdtemp(*args, dir=None, **kwargs):
        if Path(dir) == tmp_path:
            raise PermissionError(13, "Permission denied", str(dir))
        return made(*args, dir=dir, **kwargs)

    monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)
    generate(tmp_path)
    assert sorted(p.name for p in target.iterdir()) == sorted(["README.md", "pyproject.toml", "epa_zeta", "tests",
                                                               ".gitignore"])


def test_an_empty_folder_is_filled_with_the_mode_a_new_one_has(tmp_path):
    target = tmp_path / "epa-zeta"
    target.mkdir()
    empty_mode = target.stat().st_mode
    generate(tmp_path)
    assert target.stat().st_mode == empty_mode and (target / "pyproject.toml").is_file()


def test_a_folder_an_interrupted_plugin_new_left_is_named_in_the_refusal(tmp_path):
    # `kill -9` while the plugin's files are moved into an empty --dir leaves the folder they were written in (its
    # name starting .epa-plugin-new.): on b39950b the retry was refused "not empty", the hint "give --dir a new
    # folder", with nothing naming the hidden folder that made it so.
    target = tmp_path / "epa-zeta"
    (target / ".epa-plugin-new.k2x9q1").mkdir(parents=True)
    said = fails("plugin", "new", "zeta", "--dir", str(target))
    assert "not empty" in said
    assert "it holds .epa-plugin-new.k2x9q1, which an epa plugin new stopped part way (killed) left" in said


def test_a_folder_holding_files_beside_an_interrupted_plugin_new_s_is_not_to_be_emptied(tmp_path):
    # On 006c38a the hint for a folder holding a left staging folder said "empty the folder", whatever else it held:
    # given a folder of the user's own work, that is advice to delete it. The staging folder alone is epa's.
    target = tmp_path / "work"
    (target / ".epa-plugin-new.k2x9q1").mkdir(parents=True)
    (target / "notes.txt").write_text("mine", encoding="utf-8")
    said = fails("plugin", "new", "zeta", "--dir", str(target))
    assert "empty the folder" not in said
    assert "it holds .epa-plugin-new.k2x9q1, which an epa plugin new stopped part way (killed) left: remove that " \
        "folder (the others are not epa's), or give --dir a new folder" in " ".join(said.split())
    assert (target / "notes.txt").read_text(encoding="utf-8") == "mine"
