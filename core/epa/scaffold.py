"""``epa plugin new``: a complete, installable body plugin to start from.

As generated it installs and appears in ``epa bodies``; every value an author must replace with what
their own document says is marked PLACEHOLDER (and ``document.sha256`` left null), and conformance's
``placeholders`` check, so its own tests too, fail until each is replaced. An id or distribution name an
installed plugin already has is refused: installing the new one would silently replace it.
"""

from __future__ import annotations

import json
import os
import re
import shlex
from importlib.metadata import PackageNotFoundError, distribution, distributions, entry_points
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse
from urllib.request import url2pathname

import attrs
import yaml
from attrs import frozen

from epa.errors import InputError
from epa.model.domain import Criterion, Standard
from epa.rules.citations import label

if TYPE_CHECKING:
    from epa.registry import LoadedBody

ID = re.compile(r"^[a-z][a-z0-9_]*$")
MARK = "PLACEHOLDER"


def _epa_requirement() -> str:
    """Compatible releases of the installed core: before 1.0 a minor release may break plugins."""
    major, minor, *_ = installed_version("epa").split(".")
    upper = f"{major}.{int(minor) + 1}" if major == "0" else f"{int(major) + 1}"
    return f"epa>={major}.{minor},<{upper}"


def _core_install() -> str:
    """How to install the core this plugin was generated with: from where it was installed (a local checkout or a
    repository, as pip recorded it: PEP 610), else from a checkout of its repository."""
    try:
        recorded = json.loads(distribution("epa").read_text("direct_url.json") or "null")
    except (PackageNotFoundError, ValueError):
        recorded = None
    url = recorded.get("url", "") if isinstance(recorded, dict) else ""
    if url.startswith("file://"):
        return shlex.quote(url2pathname(urlparse(url).path))
    vcs = recorded.get("vcs_info") if isinstance(recorded, dict) else None
    if url and isinstance(vcs, dict) and vcs.get("vcs") == "git":
        return shlex.quote(f"epa @ git+{url}" + (f"@{vcs['commit_id']}" if vcs.get("commit_id") else ""))
    return "PATH/TO/epa"


def _dump(header: str, data: dict[str, Any], confirm: dict[tuple[Any, ...], str] | None = None) -> str:
    """The file: the header as comments, then the data; each line holding a key (or list entry) ``confirm`` names
    ends in a comment opening with the mark, saying what to confirm there (:data:`VALUE_MARK`)."""
    comment = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    text = comment + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110)
    if not confirm:
        return text
    lines = text.split("\n")
    node = yaml.compose(text)
    for parts, words in confirm.items():
        lines[_line_of_key(node, parts)] += f"  # {VALUE_MARK}: {words}"
    return "\n".join(lines)


def _line_of_key(node: Any, parts: tuple[Any, ...]) -> int:
    """The 0-based line of the key (or list entry) a path ends at."""
    at = node
    for part in parts:
        if isinstance(at, yaml.MappingNode):
            key, at = next((k, v) for k, v in at.value if k.value == part)
        else:
            key = at = at.value[part]
    return int(key.start_mark.line)


# The mark on a value the scaffold writes that only the author's document can confirm (a grade, a strength, a list
# left empty): a comment at the end of its line, which the ``placeholders`` check fails while it stands. On the
# value's own line, not in its text: replacing the text with the document's words leaves the value as the scaffold
# wrote it, a claim the author never made, until the comment is deleted.
VALUE_MARK = f"{MARK} (the scaffold's value)"


@frozen
class Catalogue:
    """Where the generated criteria come from: the standard's own placements, or an installed body's catalogue
    (``source`` names it in each entry's mark), each entry marked for the author to confirm."""

    source: str  # "the standard", or a body's name
    criteria: tuple[Criterion, ...]
    document: str | None = None  # a body's: the document version its catalogue is from, as a person reads it


def from_standard(standard: Standard) -> Catalogue:
    """The standard's criterion ids in the methods and at the levels its cited lists place them. A standard that
    places none (one a plugin defines without) gives two ids to each method, pass and distinction, to move."""
    placed = [t for t in standard.criteria if t.method and t.level]
    if not placed:
        places = [(m.id, level) for m in standard.methods for level in ("pass", "distinction")]
        pairs = zip(places, standard.criteria, strict=False)  # a short vocabulary leaves the last methods out
        placed = [attrs.evolve(t, method=m, level=level) for (m, level), t in pairs]
    order = {m.id: i for i, m in enumerate(standard.methods)}  # the methods' order, each in the standard's own
    placed.sort(key=lambda t: order[t.method or ""])
    return Catalogue("the standard", tuple(Criterion(t.id, t.method or "", t.level or "pass", t.text, t.citation)
                                             for t in placed))


def from_body(loaded: LoadedBody, standard: Standard) -> Catalogue:
    """An installed body's catalogue for the standard (its newest document version, named: the author compares
    their document with that one)."""
    if standard.id not in loaded.body.standards:
        raise InputError(f"{loaded.body.name} ({loaded.body.id}) does not offer {standard.id}",
                         hint=f"it offers {', '.join(loaded.body.standards)}: give one as --standard")
    rules = loaded.ruleset(standard.id)
    doc = rules.document
    return Catalogue(loaded.body.name, rules.criteria,
                     f"{label(loaded.body.name, doc.title, doc.text_version)} ({doc.file})")


def ruleset(body: str, name: str, standard: Standard, document: str, catalogue: Catalogue) -> dict[str, Any]:
    cite = f"{document} § {MARK} section heading"
    confirm = f"{MARK} (from {catalogue.source}): "  # short: it stays on the entry's first line in the file
    criteria = [{"id": c.id, "method": c.method, "level": c.level, "text": confirm + " ".join(c.text.split()),
                 "citation": cite} for c in catalogue.criteria]
    return {
        "body": body, "standard": standard.id, "level": standard.level,
        "document": {"file": document, "title": f"{MARK}: {name}'s EPA document for {standard.id}",
                     "publisher": name, "version": f"{MARK}: the version your document gives itself (delete the line "
                                                   "where it gives none)", "sha256": None},
        "methods": [{"id": m.id, "name": m.name, "citation": cite} for m in standard.methods],
        "criteria": criteria,
        "combination": {
            "citation": cite, "complete": False, "rows": [],
            "rule_in_words": {"text": f"{MARK}: any fail fails; distinction in every method gives a distinction; "
                                      "otherwise a pass", "citation": cite,
                              "decides": {"fail": "any", "distinction": "all"}},
        },
        "ambiguities": [],
    }


def ruleset_values(data: dict[str, Any]) -> dict[tuple[Any, ...], str]:
    """The values of a generated ruleset only the author's document can confirm, by path, each with what to confirm:
    each criterion's method and level (the standard's placement, or another body's), the table left empty and what
    the rule in words decides."""
    said: dict[tuple[Any, ...], str] = {("criteria", i, "method"): "the method and level your document gives it"
                                        for i in range(len(data["criteria"]))}
    said[("combination", "rows")] = ("your document's grading table, row by row (complete: true where they cover "
                                     "every combination); [] where it prints none")
    said[("combination", "rule_in_words", "decides", "distinction")] = (
        "what the rule in words needs for a distinction: all, {at_least: N} or {methods: [...]}")
    return said


JOURNEY_VALUES: dict[tuple[Any, ...], str] = {
    # what a journey file generated holds that only the document can say (see ruleset_values)
    ("gateway", 0): "keep it only where your document requires it, with its name and check",
    ("gateway", 0, "strength"): "mandatory, recommended or optional, as your document's sentence says",
    ("gateway", 0, "check", "english_maths", "level"): "the level your document requires",
    ("deadlines",): "the dates your document sets; [] where it sets none",
    ("resit", "cap", "grade"): "the grade your document caps a resit or retake at",
    ("resit", "cap", "applies_to"): "what your document caps: resit, retake or both",
    ("resit", "cap", "exceptional_circumstances_lift"): "true where your document lets exceptional circumstances lift "
                                                        "the cap",
    ("resit", "windows"): "the periods your document sets for a resit or retake; [] where it sets none",
    ("resit", "rework"): "the time your document gives to rework a failed method; [] where it gives none",
    ("tolerances",): "the tolerances your document states (a duration, a word count); [] where it states none",
}


def journey(body: str, standard: Standard, document: str) -> dict[str, Any]:
    cite = f"{document} § {MARK} section heading"
    return {
        "body": body, "standard": standard.id, "document": document,
        "gateway": [{"id": "english-maths", "name": "Level 2 English and maths", "strength": "mandatory",
                     "text": f"{MARK}: what your document says is needed at gateway", "citation": cite,
                     "check": {"english_maths": {"level": "level2"}}}],
        "deadlines": [],
        "resit": {
            "cap": {"grade": "pass", "applies_to": ["resit", "retake"], "exceptional_circumstances_lift": False,
                    "text": f"{MARK}: your document's words on the grade a resit or retake can reach",
                    "citation": cite},
            "no_resit_from_pass": {"text": f"{MARK}: resits follow a fail only", "citation": cite},
            # kind, what the rule does, is the author's to add from the sentence the text quotes (the text says
            # how). Left out, the rule makes no claim: a kind written here would stay a claim the author never made
            # once the text is replaced (not_stated would say the document states nothing, whatever it states).
            "attempts": {"limit": None,
                         "text": f"{MARK}: how many resits or retakes, in your document's words; then add kind, what "
                                 "its rule does: limit (limit: the number it states), no_limit_within (within: the id "
                                 "of the resit window whose period it is), employer_decides, employer_agrees_each or "
                                 "not_stated; every kind but limit keeps limit null",
                         "citation": cite},
            "windows": [], "rework": [], "retake_through_gateway": None,
        },
        "tolerances": [],
        "ambiguities": [],
    }


def _commands(body: str) -> str:
    """The README's first commands, each comment in one column whatever the id's length."""
    said = [("epa bodies", f"{body} is listed"),
            (f"epa conformance {body}", "the shared contract: fails, listing each PLACEHOLDER, until you replace them"),
            ("pytest", "this body's own tests and the contract")]
    width = max(len(command) for command, _ in said) + 2
    return "\n".join(f"    {command.ljust(width)}# {comment}" for command, comment in said)


def _document_of(catalogue: Catalogue) -> str:
    return f", from {catalogue.document}" if catalogue.document else ""


def files(body: str, name: str, standard: Standard, catalogue: Catalogue | None = None) -> dict[str, str]:
    """Every file of the plugin, by path relative to its folder."""
    package = f"epa_{body}"
    document = f"{body}-{standard.id.lower()}.txt"
    catalogue = catalogue or from_standard(standard)
    header = (f"{name}'s rules for {standard.id} {standard.name}, Level {standard.level}.\n"
              f"Generated by `epa plugin new {body}`: replace every {MARK} with what your document says,\n"
              "cite each rule as '<document file> § <section heading>', and set document.sha256.\n"
              f"The criteria are {catalogue.source}'s{_document_of(catalogue)}:\n"
              "keep those your document has, each in the method and at the level it gives, with its words (delete\n"
              f"the mark '{MARK} (from ...): ' where they are the same), and add or remove criteria as it does.\n"
              "A line ending in a comment that opens with the mark holds a value written here, not taken from your\n"
              "document: make it what your document says, then delete the comment.")
    rules = ruleset(body, name, standard, document, catalogue)
    return {
        "pyproject.toml": PYPROJECT.format(body=body, package=package, name=name, epa=_epa_requirement()),
        "README.md": README.format(body=body, package=package, name=name, standard=standard.id, document=document,
                                   core=_core_install(), commands=_commands(body)),
        f"{package}/__init__.py": INIT.format(body=body, name=name),
        f"{package}/rules/{standard.id}.yaml": _dump(header, rules, ruleset_values(rules)),
        f"{package}/rules/{standard.id}.journey.yaml": _dump(header, journey(body, standard, document), JOURNEY_VALUES),
        ".gitignore": GITIGNORE,
        f"tests/test_{body}_conformance.py": TEST_CONFORMANCE.format(body=body),
        f"tests/test_{body}_rules.py": TEST_RULES.format(body=body, standard=standard.id,
                                                          method=standard.methods[0].id),
    }


def _canonical(distribution: str) -> str:
    """A distribution name as pip compares them (PEP 503): case, and runs of -, _ and ., aside."""
    return re.sub(r"[-_.]+", "-", distribution).lower()


def refuse_taken(body: str) -> None:
    """Bad input when an installed plugin already has this body id, or an installed distribution the name
    the new plugin's would have (``epa-ID``): pip would replace it, without a word, on installing this one."""
    for ep in entry_points(group="epa"):
        if ep.name == body:
            shipped = f"the installed distribution {ep.dist.name}" if ep.dist else f"the installed plugin {ep.value}"
            raise InputError(f"the body id {body!r} is taken: {shipped} has it",
                             hint="choose another id (a body's id is its entry-point name, unique in an environment)")
    wanted = _canonical(f"epa-{body}")
    for dist in distributions():
        if _canonical(dist.metadata["Name"] or "") == wanted:
            raise InputError(f"the distribution name epa-{body} is taken: {dist.metadata['Name']} "
                             f"{dist.version} is installed, and installing the new plugin would replace it",
                             hint="choose another id")


def create(body: str, name: str | None, standard: Standard, target: Path,
           catalogue: Catalogue | None = None) -> list[Path]:
    if not ID.match(body):
        raise InputError(f"{body!r} is not a body id", hint="lower case letters, digits and _, starting with a letter")
    refuse_taken(body)
    if target.exists() and any(target.iterdir()):
        entries = sorted(e.name for e in target.iterdir())
        left = [e for e in entries if e.startswith(STAGING)]
        # (the staging folder alone is said to be removable: "empty the folder" would have a user delete their own
        # files along with it where the folder holds more)
        raise InputError("the folder exists and is not empty", where=str(target), hint=(
            f"it holds {left[0]}, which an epa plugin new stopped part way (killed) left: remove " +
            ("it" if left == entries else "that folder (the others are not epa's)") + ", or give --dir a new folder")
            if left else "give --dir a new folder")
    made = files(body, name or body.replace("_", " ").title(), standard, catalogue)
    _write_whole(Path(os.path.realpath(target)), made)
    return [target / relative for relative in made]


STAGING = ".epa-plugin-new."  # the start of the name of the folder a plugin is written in, inside an empty --dir


def _write_whole(target: Path, made: dict[str, str]) -> None:
    """The plugin's files written into a new folder beside ``target``, renamed into its place once all are written:
    a full disk or Ctrl-C part way leaves no half-made plugin (which would then be refused as a folder not
    empty), and no temporary folder. An empty folder given (``--dir .``) is kept, and filled: what was written
    in a folder inside it is moved into it (see _fill)."""
    import shutil
    import tempfile

    target.parent.mkdir(parents=True, exist_ok=True)
    # (its name cut short as epa.views.outputs cuts a temporary file's: a target named near the limit is writable;
    # an empty folder given is written in, asking nothing of the folder it is in, which may be read-only)
    staging = Path(tempfile.mkdtemp(dir=target, prefix=STAGING) if target.is_dir() else tempfile.mkdtemp(
        dir=target.parent, prefix=f".{os.fsdecode(os.fsencode(target.name)[:64])}.", suffix=".tmp"))
    try:
        for relative, text in made.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        if target.is_dir():  # empty (checked above)
            _fill(target, staging)
            staging.rmdir()
            return
        mask = os.umask(0o022)  # reading the umask means setting it: put it straight back
        os.umask(mask)
        os.chmod(staging, 0o777 & ~mask)  # as a plain mkdir would have made it (mkdtemp's is the user's alone)
        os.rename(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _fill(target: Path, staging: Path) -> None:
    """Move each of the plugin's top-level files and folders, written whole in ``staging``, into the empty folder
    ``target``, Ctrl-C held till all are moved; one that cannot be moved takes back those that were. The folder
    itself is kept, not replaced: a shell in it (``--dir .``) would be left in a folder deleted, where the next
    step, ``pip install -e .``, fails, and the folder's owner, group and mode would be mkdtemp's."""
    import shutil

    from epa import interrupts

    moved: list[Path] = []
    try:
        with interrupts.held():
            for entry in sorted(staging.iterdir()):
                os.rename(entry, target / entry.name)
                moved.append(target / entry.name)
    except BaseException:
        for path in moved:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        raise


GITIGNORE = """__pycache__/
*.egg-info/
build/
dist/
.venv/
.pytest_cache/
"""

PYPROJECT = '''[build-system]
requires = ["hatchling>=1.21"]
build-backend = "hatchling.build"

[project]
name = "epa-{body}"
version = "0.1.0"
description = "{name}'s End-Point Assessment rules for the epa platform"
requires-python = ">=3.11"
dependencies = ["{epa}"]

[project.optional-dependencies]
test = ["pytest>=7.4"]

# The entry-point name is the body id: `epa` finds the plugin by it.
[project.entry-points.epa]
{body} = "{package}"

[tool.hatch.build.targets.wheel]
packages = ["{package}"]

# `pip install -e .` puts this folder on the path: your edits to the rules are live, and no build package
# beyond hatchling is needed
[tool.hatch.build]
dev-mode-dirs = ["."]

[tool.pytest.ini_options]
testpaths = ["tests"]
'''

INIT = '''"""{name}: its End-Point Assessment rules for the epa platform.

The rules are data (`rules/*.yaml`: one ruleset per standard and document version, and one
journey file per standard); this module only registers them. Implement another hook here
(see epa's docs/plugins.md) only where your document states a procedure the data cannot.
"""

from importlib.resources import files

import epa


@epa.hookimpl
def register_body() -> epa.Body:
    return epa.Body(id="{body}", name="{name}", rulesets=epa.load_rulesets(files(__package__) / "rules"))
'''

TEST_CONFORMANCE = '''"""The shared contract every body plugin holds: epa's conformance suite, run against this body."""

from epa.testing.contract import conformance_tests

test_{body}_conforms = conformance_tests("{body}")
'''

TEST_RULES = '''"""This body's own outcomes, each expected value taken from its document (cite the row or sentence)."""

from epa.testing import grade_component, ids, requires

pytestmark = requires("{body}")


def test_{method}_needs_every_pass_criterion():
    # PLACEHOLDER: cite the sentence of your document that says so.
    passes = ids("{body}", "{method}", "pass", "{standard}")
    assert grade_component("{body}", "{method}", passes, "{standard}") == "pass"
    assert grade_component("{body}", "{method}", passes[1:], "{standard}") == "fail"
'''

README = '''# epa-{body}: {name}'s rules for epa

A body plugin for epa (the End-Point Assessment rules platform), generated by `epa plugin new {body}`.

epa is not published on PyPI (a project called `epa` there is another one): install the core first, from where
it was installed when this plugin was generated (a checkout of its repository, or the repository itself), then
this plugin beside it, from this folder:

    pip install {core}
    pip install -e '.[test]'
{commands}

As generated it is not conformant: the `placeholders` check lists, by file and line, every value still
to be taken from your document, and `pytest` fails on it too.

## What to do next
1. Put your document's text beside the rules as `{document}` in a sources folder, and run
   `epa conformance {body} --sources FOLDER`: the citation checks read it.
2. In `{package}/rules/{standard}.yaml`, replace every PLACEHOLDER: the document's title, its version (or
   delete the line where it gives none) and sha256 (the conformance report tells you the hash); each
   criterion, written from the standard's (or the body's you started from): keep those your document has, in
   the method and at the level it gives them, with its words (delete the mark `PLACEHOLDER (from ...): ` where
   they are the same), and add or remove criteria as it does; the combination table (or `complete: false`
   and the rule in words); each ambiguity you resolve.
3. In `{package}/rules/{standard}.journey.yaml`: gateway requirements, deadlines, resit rules, tolerances.
4. Add tests under `tests/` whose expected values come from your document.
'''
