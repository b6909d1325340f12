"""Move epa's flat core into a subpackage per layer (issue 18), and rewrite every reference to the moved modules.

A tool for this one move, not part of the product. Run it from anywhere in a clean checkout, then look at what it
reports, run the tests, and commit:

    PATH=.venv/bin:$PATH python3 tools/relayout.py   # moves (git mv), rewrites; ruff on PATH sorts the imports
    python3 tools/relayout.py --check    # changes nothing: lists what it would move and rewrite; exit 1 if anything

It is idempotent: on a tree already laid out it changes nothing (a second run reports "nothing to do"), and on a tree
where branches written against the flat layout were merged after the move it moves the files they added at old
paths and rewrites the references they added.

What it does, in order:
1. ``git mv`` each module in MOVES (and each file under a folder in FOLDERS) that exists at its old path, making each
   new package's ``__init__.py`` (a docstring only: importing a package costs nothing) when it is missing.
2. In every tracked text file (code, tests, benchmarks, tools, docs, README, pyproject.toml, tox.ini, .ci/...),
   rewrites: dotted names (``epa.grading.grade``, ``"epa.batch._Worker"`` as a monkeypatch target, ``'epa.model' in
   sys.modules``, mypy overrides, entry points); ``from epa import a, b`` split into one statement per new place,
   each module keeping its local name (``from epa.engine import explained as grading``); paths
   (``core/epa/grading.py`` -> ``core/epa/engine/explained.py``); and the few EDITS a deeper module needs. A class
   that moved between modules (NAME_MOVES: the result types, now in model/results.py) is imported from where it is
   now; a class defined twice for different things (RENAMES) is renamed as a Python name wherever it is defined or
   imported from its module, never in prose.
3. Sorts the imports of the Python files it changed (``ruff check --select I --fix``) when ruff is installed.
4. Reports what it could not do: a module at the top of core/epa that no list places (a module someone added to
   the flat layout: add it to MOVES or KEEP and run again), a file whose old and new paths both exist, a bare
   mention of an old file name in prose (``grading.py``), a statement it would not split (a comment inside it).

A rule for code written after the move: name a layer's modules, never the bare packages ``epa.model``,
``epa.engine``, ``epa.rules`` or ``epa.batch`` (they were modules before the move, so this script reads a bare
reference to one as the old module). Their ``__init__.py`` define nothing.
"""

from __future__ import annotations

import argparse
import ast
import io
import re
import shutil
import subprocess
import sys
import tokenize
from pathlib import Path

# Old module (under epa) -> new module. Renamed where the old name hid what the module is: grading.py (the explained,
# hook-by-hook path) beside graders.py (generated code) becomes engine/explained.py; engine.py, the compiled engine,
# engine/compiled.py.
MOVES = {
    # model/: what the rules and the records are, and what grading answers
    "model": "model.domain",
    "results": "model.results",
    "convert": "model.convert",  # structures the model from data and back: inputs, rules and views all use it
    # inputs/: reading records and cohorts, hostile input refused
    "documents": "inputs.documents",
    "jsonschemas": "inputs.jsonschemas",
    "validation": "inputs.validation",
    "record": "inputs.record",
    "fastrecord": "inputs.fastrecord",
    "columns": "inputs.columns",
    "cohort_input": "inputs.cohort_input",
    "cohort_xlsx": "inputs.cohort_xlsx",
    "audit_input": "inputs.audit_input",
    "hostile": "inputs.hostile",  # (branch s6-rec: the one hostile-input reader's bounds and words)
    "record_checks": "inputs.record_checks",  # (s6-rec: a record's checks, stated once)
    # rules/: the rules as data, loaded, versioned and cited; the rule families' semantics (epa.families.X -> below)
    "rules": "rules.load",
    "versions": "rules.versions",
    "sources": "rules.sources",
    "citations": "rules.citations",
    "workdays": "rules.workdays",
    # engine/: deciding and explaining
    "engine": "engine.compiled",
    "graders": "engine.graders",
    "plans": "engine.plans",
    "grading": "engine.explained",
    "gateway": "engine.gateway",
    "timeline": "engine.timeline",
    "resits": "engine.resits",
    # batch/: a cohort at a time
    "batch": "batch.cohort",
    "csv_output": "batch.csv_output",
    # views/: what a person or a program reads
    "tables": "views.tables",
    "html_report": "views.html_report",
    "ics": "views.ics",
    "report": "views.report",
    "outputs": "views.outputs",
    "variants": "views.variants",
}
# Packages whose modules move to another package: epa.families.X -> epa.rules.X (the rule families being written
# on the flat layout during the move). The old package's own __init__.py is reported, not moved: merge it by hand.
PACKAGE_MOVES = {"families": "rules"}
# Folders of data that move with the module that reads them.
FOLDERS = {"standards": "rules/standards"}
# Classes that moved between modules (old module before the move -> the names): the result types, spread over five
# modules before, are in one (results, then model/results). `from epa.grading import BodyResult, grade` is split.
RESULTS = ("Step", "ComponentResult", "Outcome", "Requirement", "Deadline", "GradedAttempt", "ResitDecision")
NAME_MOVES = {("model", name): "results" for name in RESULTS}
NAME_MOVES |= {("grading", name): "results" for name in ("Note", "Reason", "ComponentDetail", "BodyResult", "Overall")}
NAME_MOVES |= {("gateway", "GatewayStatus"): "results", ("timeline", "ToleranceCheck"): "results",
               ("engine", "Decision"): "results"}
# The journey's vocabulary, which the rules' loader read from the timeline, is the model's.
NAME_MOVES |= {("timeline", "NOT_METHODS"): "model", ("timeline", "JOURNEY_DATES"): "model"}
# Names defined twice for different things, renamed where they are not the model's (module after the move -> {old
# name: new name}). The model's Check (a gateway check), Outcome (a grade and its steps), Method and Journey keep
# their names: they are the plugin API (`epa.Outcome`). Renamed wherever the name is defined or imported from its
# module (or from a module that imports it from there, as epa.conformance does), as a Python name, never in text.
RENAMES = {
    "engine.graders": {"Method": "CompiledMethod", "Journey": "CompiledJourney"},
    "conformance.checks": {"Check": "ConformanceCheck", "Subject": "CheckedBody"},
    "conformance": {"Outcome": "CheckOutcome"},
    "consistency.findings": {"Subject": "SweptBody"},
    "batch.cohort": {"Outcome": "BodyOutcome"},
    "consistency.histories": {"Outcome": "HistoryOutcome"},
    "contracts": {"Check": "FieldCheck"},
    "inputs.columns": {"Problem": "BadCell"},  # (serve.problems.Problem is an HTTP problem)
    "audit": {"Summary": "AuditSummary", "Found": "AuditAnswer"},  # (batch.cohort.Summary is a batch's;
    # discovery.Found is an entry point found)
    "inputs.cohort_input": {"Refusal": "RowRefusal"},  # (inputs.record_checks.Refusal: a record's, by JSON path)
}
# What stays at the top: the public entry points, the plugin interface (hookspecs, the core's own trylast plugin
# `defaults`, the hook contracts and the fence every hook call goes through, the registry that wires them), what
# every command shares (errors, cache, interrupts), and the commands that are one module each.
KEEP = {"__init__", "__main__", "cli", "errors", "registry", "hookspecs", "defaults", "contracts", "fence", "cache",
        "interrupts", "answers", "audit", "check_rules", "scaffold",
        "discovery"}  # (branch s6-start: finding the installed plugins, the registry's)
# Subpackages that stay as they are.
KEEP_PACKAGES = {"conformance", "consistency", "serve", "testing"}
PACKAGES = {
    "model": "What the rules and records are (domain), and what grading answers (results): attrs classes, no logic.",
    "inputs": "Reading input: records and cohorts (JSON, YAML, CSV, Excel), hostile input refused, record checks.",
    "rules": "The rules: loading and validating rulesets, versions, source documents, citations, the working-day\n"
             "calendar, the standards the core ships, and one module per rule family (grading, combination, history,\n"
             "windows, gateway, deadlines, tolerances), each stating its rule once for deciding, explaining and the\n"
             "compiled engine.",
    "engine": "Deciding and explaining: the compiled cohort engine, the code it writes, the explained hook-by-hook\n"
              "path and what explaining remembers, all reading the rule families in ``epa.rules``.",
    "batch": "A cohort at a time: `epa compare --batch`, its workers and its CSV cells.",
    "views": "What a person or a program reads: tables, the HTML report, calendars, JSON reports, written files.",
}
# Text that needs changing beyond its references, because a file moved to another depth or a folder moved:
# (path after the move, old text, new text). Applied where the old text is found; reported where neither is.
EDITS = [
    ("core/epa/inputs/jsonschemas.py", 'Path(__file__).parents[2] / "schemas"',
     'Path(__file__).parents[3] / "schemas"'),
    ("core/epa/registry.py", 'files("epa") / "standards"', 'files("epa") / "rules" / "standards"'),
    ("tests/test_scaffold_standard.py", 'Path(scaffold.__file__).parent / "standards"',
     'Path(scaffold.__file__).parent / "rules" / "standards"'),
]
# Never rewritten: this script (it names every old module) and files that are not text.
SKIP = {"tools/relayout.py"}
BINARY = (".xlsx", ".xls", ".pdf", ".png", ".jpg", ".gif", ".ico", ".zip", ".gz", ".whl", ".pyc", ".docx")

ROOT = Path(subprocess.run(["git", "rev-parse", "--show-toplevel"], capture_output=True, text=True,
                           cwd=Path(__file__).resolve().parent, check=True).stdout.strip())
PKG = ROOT / "core" / "epa"


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout


# --- 1. moving files ---------------------------------------------------------------------------------------------

def family_moves() -> dict[str, str]:
    """epa.families.X -> epa.rules.X for each module the old packages hold now (and each already moved, so that
    references written against the old package are rewritten on a later run)."""
    moves = {}
    for old, new in PACKAGE_MOVES.items():
        for folder in (PKG / old, PKG / new):
            for path in folder.glob("*.py") if folder.is_dir() else ():
                if path.stem != "__init__" and (folder.name == old or f"{new}.{path.stem}" not in MOVES.values()):
                    moves[f"{old}.{path.stem}"] = f"{new}.{path.stem}"
    return moves


def file_moves() -> list[tuple[Path, Path]]:
    moves = [(PKG / f"{old}.py", PKG / (new.replace(".", "/") + ".py")) for old, new in MOVES.items()]
    moves += [(PKG / (old.replace(".", "/") + ".py"), PKG / (new.replace(".", "/") + ".py"))
              for old, new in family_moves().items()]
    for old, new in FOLDERS.items():
        if (PKG / old).is_dir():
            moves += [(path, PKG / new / path.relative_to(PKG / old)) for path in sorted((PKG / old).rglob("*"))
                      if path.is_file() and "__pycache__" not in path.parts]
    return moves


def move(check: bool, report: list[str], done: list[str]) -> None:
    tracked = set(git("ls-files", "core/epa").splitlines())
    for old, new in file_moves():
        if not old.exists():
            continue
        if new.exists():
            report.append(f"both {rel(old)} and {rel(new)} exist: merge the first into the second by hand, then "
                          "delete it")
            continue
        done.append(f"move {rel(old)} -> {rel(new)}")
        if check:
            continue
        new.parent.mkdir(parents=True, exist_ok=True)
        if rel(old) in tracked:
            git("mv", rel(old), rel(new))
        else:
            old.rename(new)
            report.append(f"{rel(old)} was not tracked: moved, not added to git")
    for old in [*FOLDERS, *PACKAGE_MOVES]:  # a folder emptied by the move (bytecode aside) goes
        folder = PKG / old
        if not check and folder.is_dir() and all(p.name == "__pycache__" for p in folder.iterdir()):
            shutil.rmtree(folder)
    for package, doc in PACKAGES.items():
        init = PKG / package / "__init__.py"
        if (PKG / package).is_dir() and not init.exists():
            done.append(f"make {rel(init)}")
            if not check:
                init.write_text(f'"""{doc}"""\n', encoding="utf-8")
                git("add", rel(init))
    for old in PACKAGE_MOVES:
        if (PKG / old).is_dir() and any(p.suffix == ".py" and p.stem != "__init__" for p in (PKG / old).iterdir()):
            report.append(f"{rel(PKG / old)}/ still holds modules after the move")
        elif (PKG / old / "__init__.py").exists() and _docstring_only(PKG / old / "__init__.py"):
            done.append(f"remove {rel(PKG / old / '__init__.py')} (a docstring only: epa.{PACKAGE_MOVES[old]} has "
                        "its own)")
            if not check:
                git("rm", "-q", "-f", rel(PKG / old / "__init__.py"))
                shutil.rmtree(PKG / old, ignore_errors=True)
        elif (PKG / old / "__init__.py").exists():
            report.append(f"{rel(PKG / old / '__init__.py')}: its modules moved to epa.{PACKAGE_MOVES[old]}; merge "
                          f"what it defines into {rel(PKG / PACKAGE_MOVES[old] / '__init__.py')} by hand and delete it")


def _docstring_only(path: Path) -> bool:
    body = ast.parse(path.read_text(encoding="utf-8")).body
    return len(body) <= 1 and all(isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant) for n in body)


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


# --- 2. rewriting references -------------------------------------------------------------------------------------

class Names:
    """The old -> new module map (under epa), and the modules that exist in the new layout."""

    def __init__(self) -> None:
        self.moves = {**MOVES, **family_moves()}
        self.new = set(self.moves.values())
        # (module, name) -> the module the name is in now, keyed by the module's old name and its new one
        self.name_moves = {(module, name): self.rewrite_dotted(target) for (old, name), target in NAME_MOVES.items()
                           for module in (old, self.moves.get(old, old))}
        for package in {*PACKAGES, *PACKAGE_MOVES.values()}:
            if (PKG / package).is_dir():
                self.new |= {f"{package}.{p.stem}" for p in (PKG / package).glob("*.py") if p.stem != "__init__"}
                self.new |= {f"{package}.{p.name}" for p in (PKG / package).iterdir() if (p / "__init__.py").exists()}

    def rewrite_dotted(self, dotted: str) -> str:
        """``a.b.c`` (after ``epa.``) as it is named after the move."""
        parts = dotted.split(".")
        for cut in range(len(parts) - 1, 0, -1):  # epa.grading.BodyResult -> epa.model.results.BodyResult
            moved = getattr(self, "name_moves", {}).get((".".join(parts[:cut]), parts[cut]))
            if moved is not None:
                return ".".join([moved, *parts[cut:]])
        if len(parts) >= 2 and f"{parts[0]}.{parts[1]}" in self.new:
            return dotted  # already in the new layout (epa.engine.compiled...)
        if len(parts) >= 2 and f"{parts[0]}.{parts[1]}" in self.moves:
            return ".".join([self.moves[f"{parts[0]}.{parts[1]}"], *parts[2:]])  # epa.families.window...
        if parts[0] in self.moves:
            return ".".join([self.moves[parts[0]], *parts[1:]])
        return dotted


_DOTTED = re.compile(r"(?<![\w.])epa((?:\.[A-Za-z_]\w*)+)")
# `from epa import ...` and `from epa.x import ...`, one line or parenthesised over several.
_FROM = re.compile(r"^([ \t]*)from[ \t]+epa((?:\.\w+)*)[ \t]+import[ \t]+(\([^)]*\)|[^\n]*?)([ \t]*#[^\n]*)?$", re.M)
_PATH = re.compile(r"(?<![\w.-])epa/((?:\w+/)*\w+)\.py\b")
_FOLDER = re.compile(r"(?<![\w.-])epa/(" + "|".join(map(re.escape, FOLDERS)) + r")(?=/|\b)")


def _names(clause: str) -> list[tuple[str, str | None]] | None:
    """The names a from-import imports, each with its alias; None if the clause holds a comment or a backslash."""
    inner = clause.strip()
    if inner.startswith("("):
        inner = inner[1:-1]
    if "#" in inner or "\\" in inner:
        return None
    found: list[tuple[str, str | None]] = []
    for item in inner.replace("\n", " ").split(","):
        words = item.split()
        if not words:
            continue
        if len(words) == 1:
            found.append((words[0], None))
        elif len(words) == 3 and words[1] == "as":
            found.append((words[0], words[2]))
        else:
            return None
    return found


def _statement(indent: str, module: str, names: list[str], comment: str, width: int = 120) -> str:
    line = f"{indent}from {module} import {', '.join(names)}{comment}"
    if len(line) <= width:
        return line
    body = "".join(f"{indent}    {name},\n" for name in names)
    return f"{indent}from {module} import ({comment}\n{body}{indent})"


def _wrapped(line: str, width: int = 120) -> str:
    """A one-line from-import past the width, parenthesised one name a line."""
    found = re.match(r"^([ \t]*)from (\S+) import ([^(#\n]*)$", line)
    if len(line) <= width or found is None:
        return line
    return _statement(found.group(1), found.group(2), [n.strip() for n in found.group(3).split(",")], "", width)


def _alias(name: str, alias: str | None) -> str:
    return name if alias is None or alias == name else f"{name} as {alias}"


def rewrite_from(match: re.Match[str], names: Names, problems: list[str]) -> str:
    indent, module, clause, comment = match.group(1), match.group(2).lstrip("."), match.group(3), match.group(4) or ""
    imported = _names(clause)
    if module and any((module, name) in names.name_moves for name, _ in imported or ()):
        # from epa.grading import BodyResult, grade: the moved names from where they are now, the rest as ever
        staying = [(n, a) for n, a in imported or () if (module, n) not in names.name_moves]
        lines = []
        if staying:
            rest = f"{indent}from epa.{module} import {', '.join(_alias(n, a) for n, a in staying)}{comment}"
            lines.append(_FROM.sub(lambda m: rewrite_from(m, names, problems), rest))
        by_target: dict[str, list[str]] = {}
        for name, alias in imported or ():
            if (module, name) in names.name_moves:
                by_target.setdefault(f"epa.{names.name_moves[(module, name)]}", []).append(_alias(name, alias))
        lines += [_statement(indent, target, moved, "" if staying else comment) for target, moved in by_target.items()]
        return "\n".join(_wrapped(line) for line in lines)
    if module and imported is None and any(f"import {name}" in clause or f" {name}," in clause or f" {name}\n" in clause
                                           for (m, name) in names.name_moves if m == module):
        problems.append(f"a `from epa.{module} import` with a comment inside imports a name that moved: split it by "
                        f"hand: {match.group(0).strip()[:100]}")
    if module:
        if module in names.new and module.split(".")[0] not in names.moves:
            return match.group(0)
        if module in names.moves and imported is not None and all(f"{module}.{n}" in names.new for n, _ in imported):
            return match.group(0)  # `from epa.engine import compiled`: the new layout's packages, named
        if module in PACKAGE_MOVES:  # from epa.families import window: the modules, from their new package
            if imported is not None and all(f"{module}.{n}" in names.moves for n, _ in imported):
                return match.group(0).replace(f"epa.{module}", f"epa.{PACKAGE_MOVES[module]}", 1)
            problems.append(f"imports from epa.{module} itself (its modules moved to epa.{PACKAGE_MOVES[module]}): "
                            f"rewrite by hand: {match.group(0).strip()[:100]}")
            return match.group(0)
        new = names.rewrite_dotted(module)
        if new == module:
            return match.group(0)
        return _wrapped(match.group(0).replace(f"epa.{module}", f"epa.{new}", 1))
    # from epa import a, b: each moved module imported from its new package under its old name
    if imported is None:
        if any(re.search(rf"\b{re.escape(old)}\b", clause) for old in names.moves if "." not in old):
            problems.append(f"a `from epa import` with a comment or backslash inside: split it by hand: "
                            f"{match.group(0).strip()[:100]}")
        return match.group(0)
    problems.extend(f"imports the package epa.{n} (its modules moved to epa.{PACKAGE_MOVES[n]}): rewrite by hand: "
                    f"{match.group(0).strip()[:100]}" for n, _ in imported if n in PACKAGE_MOVES)
    staying = [_alias(n, a) for n, a in imported if n not in names.moves]
    moved: dict[str, list[str]] = {}
    for name, alias in imported:
        if name in names.moves:
            package, _, leaf = names.moves[name].rpartition(".")
            moved.setdefault(f"epa.{package}", []).append(_alias(leaf, alias or (name if leaf != name else None)))
    if not moved:
        return match.group(0)
    lines = [_statement(indent, "epa", staying, comment)] if staying else []
    lines += [_statement(indent, package, leaves, "" if staying or i else comment)
              for i, (package, leaves) in enumerate(moved.items())]
    return "\n".join(lines)


def rewrite_text(text: str, names: Names, problems: list[str]) -> str:
    pieces, last = [], 0
    for match in _FROM.finditer(text):
        pieces.append(_rewrite_rest(text[last:match.start()], names))
        pieces.append(rewrite_from(match, names, problems))
        last = match.end()
    pieces.append(_rewrite_rest(text[last:], names))
    return "".join(pieces)


def _rewrite_rest(text: str, names: Names) -> str:
    text = _DOTTED.sub(lambda m: "epa." + names.rewrite_dotted(m.group(1)[1:]), text)
    text = _PATH.sub(lambda m: "epa/" + names.rewrite_dotted(m.group(1).replace("/", ".")).replace(".", "/") + ".py",
                     text)
    return _FOLDER.sub(lambda m: "epa/" + FOLDERS[m.group(1)], text)


def module_of(name: str) -> str | None:
    """The dotted module (after ``epa.``) of a tracked file under core/epa, else None."""
    if not name.startswith("core/epa/") or not name.endswith(".py"):
        return None
    parts = name[len("core/epa/"):-len(".py")].split("/")
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _from_imports(text: str) -> list[tuple[str, ast.alias]]:
    """(module after ``epa.``, the alias node) for each ``from epa.x import y`` in the text; none if it does not
    parse."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return []
    return [(node.module[len("epa."):] if node.module != "epa" else "", alias) for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module
            and (node.module == "epa" or node.module.startswith("epa.")) for alias in node.names]


def exporters(texts: dict[str, str]) -> dict[tuple[str, str], set[str]]:
    """(module, old name) -> the modules that define it or import it from there (and so export it too)."""
    found = {(module, old): {module} for module, names in RENAMES.items() for old in names}
    for name, text in texts.items():
        here = module_of(name)
        for module, alias in _from_imports(text):
            if here is not None and (module, alias.name) in found and alias.asname in (None, alias.name):
                found[(module, alias.name)].add(here)
    return found


def rename(name: str, text: str, exported: dict[tuple[str, str], set[str]]) -> str:
    """The text with each RENAMES name renamed where it means the renamed thing."""
    here = module_of(name)
    everywhere: dict[str, str] = {}  # old -> new for every use in this file
    at: dict[tuple[int, int], tuple[str, str]] = {}  # (line, column) of an aliased import's name -> (old, new)
    attributes: dict[tuple[str, str], str] = {}  # (a module's local name, old) -> new: columns.Problem
    imported = _from_imports(text)
    for (module, old), modules in exported.items():
        new = RENAMES[module][old]
        for source, alias in imported:
            if f"{source}.{alias.name}".lstrip(".") in modules:  # from epa.inputs import columns
                attributes[(alias.asname or alias.name, old)] = new
        if here in modules:
            everywhere[old] = new
        for source, alias in imported:
            if alias.name == old and source in modules and source != here:
                if alias.asname in (None, old):
                    everywhere[old] = new
                else:
                    at[(alias.lineno, alias.col_offset)] = (old, new)
    if not everywhere and not at and not attributes:
        return text
    lines = text.splitlines(keepends=True)
    edits = []
    previous = before = None
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.NAME and token.start in at and at[token.start][0] == token.string:
            edits.append((token.start, token.end, at[token.start][1]))
        elif (token.type == tokenize.NAME and previous is not None and previous.string == "." and before is not None
              and (before.string, token.string) in attributes):
            edits.append((token.start, token.end, attributes[(before.string, token.string)]))
        elif (token.type == tokenize.NAME and token.string in everywhere
              and not (previous is not None and previous.string == ".")):  # model.Check is the model's
            edits.append((token.start, token.end, everywhere[token.string]))
        elif token.type == tokenize.STRING and here is not None and token.string[1:-1] in everywhere \
                and token.string[0] in "'\"" and len(token.string) == len(token.string[1:-1]) + 2:
            edits.append((token.start, token.end, token.string[0] + everywhere[token.string[1:-1]] + token.string[0]))
        if token.type not in (tokenize.NL, tokenize.COMMENT):
            previous, before = token, previous
    for (row, col), (_, end_col), new in reversed(edits):  # one line each: names and short strings
        line = lines[row - 1]
        lines[row - 1] = line[:col] + new + line[end_col:]
    return "".join(lines)


def rewrite(check: bool, report: list[str], done: list[str]) -> list[Path]:
    names = Names()
    changed = []
    moved_attribute = re.compile(r"(?<![\w.])(" + "|".join(sorted({re.escape(m) for m, _ in NAME_MOVES})) + r")\.("
                                 + "|".join(sorted({re.escape(n) for _, n in NAME_MOVES})) + r")\b")
    # A file named without its folder: reported where the move renamed it (grading.py is engine/explained.py); a
    # name the file keeps in its new folder (gateway.py) is left as prose names it.
    bare = re.compile(r"(?<![\w/.-])(" + "|".join(re.escape(old) for old, new in names.moves.items()
                                                  if "." not in old and new.rpartition(".")[2] != old) + r")\.py\b")
    texts = {}
    for name in git("ls-files").splitlines():
        path = ROOT / name
        if name in SKIP or name.endswith(BINARY) or not path.is_file():
            continue
        try:
            texts[name] = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
    problems_of: dict[str, list[str]] = {name: [] for name in texts}
    rewritten = {name: rewrite_text(text, names, problems_of[name]) for name, text in texts.items()}
    exported = exporters({name: text for name, text in rewritten.items() if name.endswith(".py")})
    for name, text in texts.items():
        path = ROOT / name
        problems = problems_of[name]
        new = rewritten[name]
        if name.endswith(".py"):
            try:
                new = rename(name, new, exported)
            except (tokenize.TokenError, SyntaxError) as error:
                problems.append(f"not renamed (it does not tokenize: {error})")
        for where, old_text, new_text in EDITS:
            if name == where:
                if old_text in new:
                    new = new.replace(old_text, new_text)
                elif new_text not in new:
                    problems.append(f"expected {old_text!r} (to become {new_text!r}): check by hand")
        if name.endswith(".py") and not name.startswith("tests/") and "/tests/" not in name:  # (tests: E501 off)
            before = {line for line in text.splitlines() if len(line) > 120}
            problems.extend(f"line {n} is longer than 120 characters after the rewrite: wrap it by hand"
                            for n, line in enumerate(new.splitlines(), 1) if len(line) > 120 and line not in before)
        report.extend(f"{name}: {p}" for p in problems)
        for number, line in enumerate(new.splitlines(), 1):
            for found in moved_attribute.finditer(line) if name.endswith(".py") else ():
                target = names.name_moves.get((found.group(1), found.group(2)))
                if target is not None:
                    report.append(f"{name}:{number}: reads {found.group(0)}, which is in epa.{target} now: import "
                                  "it from there by hand")
            for found in bare.finditer(line):
                new_path = names.moves[found.group(1)].replace(".", "/")
                report.append(f"{name}:{number}: mentions {found.group(0)} (now {new_path}.py): reword by hand")
        if new != text:
            done.append(f"rewrite {name}")
            changed.append(path)
            if not check:
                path.write_text(new, encoding="utf-8")
    for where, _, _ in EDITS:
        if not (ROOT / where).exists():
            report.append(f"{where} does not exist: its edit was not made")
    return changed


def sort_imports(paths: list[Path], report: list[str]) -> None:
    python = [str(p) for p in paths if p.suffix == ".py"]
    ruff = shutil.which("ruff") or (str(Path(sys.executable).parent / "ruff")
                                    if (Path(sys.executable).parent / "ruff").exists() else None)
    if not python:
        return
    if ruff is None:
        report.append("ruff not found: run `ruff check --select I --fix` on the changed files to sort their imports")
        return
    subprocess.run([ruff, "check", "--select", "I", "--fix", "--quiet", *python], cwd=ROOT, check=False)


# --- 4. what is not placed ---------------------------------------------------------------------------------------

def unplaced(report: list[str]) -> None:
    placed = KEEP | set(MOVES)
    for path in sorted(PKG.iterdir()):
        if path.suffix == ".py" and path.stem not in placed:
            report.append(f"{rel(path)}: not placed by this script (add it to MOVES or KEEP in tools/relayout.py)")
        elif path.is_dir() and path.name != "__pycache__" and path.name not in (
                KEEP_PACKAGES | set(PACKAGES) | set(PACKAGE_MOVES) | set(FOLDERS)):
            report.append(f"{rel(path)}/: a package or folder this script does not know (add it to KEEP_PACKAGES, "
                          f"PACKAGE_MOVES or FOLDERS)")
    defined: dict[str, list[str]] = {}
    for path in sorted(PKG.rglob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef):
                defined.setdefault(node.name, []).append(rel(path))
    report.extend(f"class {name} is defined in {' and '.join(paths)}: keep one, or give them distinct names (RENAMES)"
                  for name, paths in sorted(defined.items()) if len(paths) > 1)
    for path in sorted(PKG.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if re.search(r"^\s*from \.+\w* import", text, re.M) and path.parent.name in PACKAGES:
            report.append(f"{rel(path)}: a relative import: check it names the right module after the move")
        if "__file__" in text and path.parent.name in PACKAGES and rel(path) not in {e[0] for e in EDITS}:
            report.append(f"{rel(path)}: uses __file__: check any path it builds from it after the move")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; list what would be done")
    check = parser.parse_args().check
    if not check and git("status", "--porcelain", "--untracked-files=no").strip():
        print("relayout: the checkout has uncommitted changes: commit them first, so the move is a commit of its own",
              file=sys.stderr)
        return 2
    report: list[str] = []
    done: list[str] = []
    move(check, report, done)
    changed = rewrite(check, report, done)
    if not check:
        sort_imports(changed, report)
    unplaced(report)
    print("\n".join(done) if done else "relayout: nothing to do")
    if report:
        print(f"\nrelayout: {len(report)} thing(s) to look at by hand:", file=sys.stderr)
        print("\n".join(f"  {line}" for line in report), file=sys.stderr)
    return 1 if check and done else 0


if __name__ == "__main__":
    sys.exit(main())
