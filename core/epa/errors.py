"""The two kinds of failure a user can meet, and the exit code each one gets."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

QUOTE_LIMIT = 80  # characters of a value quoted in an error message
# A long quoted value in a message (Python's repr of a string) that was not cut with quote(): long enough
# that it cannot be prose between two apostrophes.
# A quoted value opens after no letter or digit (the closing quote of "DOB" in 'column "DOB": …' does not open one
# reaching to the next column's name) and closes before none.
_LONG_QUOTED = re.compile(r"(?<!\w)(?:'(?:[^'\\\n]|\\.){300,}'|\"(?:[^\"\\\n]|\\.){300,}\")(?!\w)")


# Control characters but tab and newline (C0, DEL, C1): in a record's value, a column's name or a file's name they
# would reach the terminal as they are, an escape sequence recolouring or clearing it or forging a line.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


# A control character in a name a person gives (a body's, a standard's, a query parameter's): the blanks apart (tab,
# line feed, carriage return), whose outer ones are left out as spaces are. A body's name is matched with its
# punctuation aside (Registry.named), so "tq\x01ual" would be read as tqual: a name no one gave, answered for.
NAME_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


# Bidirectional controls (Unicode's Bidi_Control): in a value a terminal shows, they reorder what it shows (Trojan
# Source, CVE-2021-42574), "A-1\u202e2-B" showing as another id.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Those that reorder what follows them (embeddings, overrides, isolates), with which text shows as other than it is;
# the marks (U+200E, U+200F, U+061C) only place a neutral character, ordinary in Arabic and Hebrew text.
REORDERING = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def hidden(text: str, control: re.Pattern[str]) -> tuple[int, str] | None:
    """The first character of ``text`` a person cannot see as what it is, and its index: a control character
    (``control``: which of them the value refuses) or any format character (Unicode's Cf, as this Python's
    unicodedata has it: a zero-width space, a word joiner, a soft hyphen, a byte-order mark inside, the bidi
    controls...). Every Cf rather than a list: each leaves the text looking as it did, so "A-0001\u200b" is a name or
    id of its own that shows as "A-0001", and a name is matched with what is not a letter aside (``fold``), so
    "tq\u200bual" would be read as tqual. None where it holds neither."""
    if text.isprintable():  # (Cc and Cf are not printable: the common case is one scan, in C)
        return None
    import unicodedata

    found = control.search(text)
    end = found.start() if found is not None else len(text)
    at = next((i for i in range(end) if unicodedata.category(text[i]) == "Cf"), None)
    if at is not None:
        return at, text[at]
    return (found.start(), found.group()) if found is not None else None


def character_named(char: str) -> str:
    """A hidden character (``hidden``) as a message names it: its kind, its code point and, for a format character,
    its Unicode name ("the bidirectional control U+202E RIGHT-TO-LEFT OVERRIDE")."""
    import unicodedata

    category = unicodedata.category(char)
    if category == "Cc":
        return f"the control character U+{ord(char):04X}"
    if category in ("Zl", "Zp"):  # (a separator a refused value holds: hostile.ID_CONTROL)
        return f"the {'line' if category == 'Zl' else 'paragraph'} separator U+{ord(char):04X}"
    kind = "bidirectional control" if char in _BIDI else "invisible format character"
    name = unicodedata.name(char, "")
    return f"the {kind} U+{ord(char):04X}" + (f" {name}" if name else "")


def control_in_name(name: str, what: str) -> InputError | None:
    """The refusal of ``name`` (``what`` it names: "the body name") for a control character (``NAME_CONTROL``) or a
    format character (``hidden``), naming the character; None where it holds neither."""
    found = hidden(name, NAME_CONTROL)
    if found is None:
        return None
    return InputError(f"{what} {quote(name)} holds {character_named(found[1])}",
                      hint="leave it out: no body, standard, version, column or sheet name holds one")


def printable(text: str) -> str:
    """Text for a person's terminal: its control characters left out (``CONTROL``). A value a message quotes
    (``quote``) shows its escapes instead."""
    return CONTROL.sub("", text) if CONTROL.search(text) else text


# What ends a line (str.splitlines' breaks): in a heading, an apprentice id or a file name holding one would print a
# line of its own, which can read like a result ("A1\ntqual: overall distinction").
LINE_BREAK = re.compile("[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def one_line(text: str) -> str:
    """A value for a line of its own (a heading): each line break shown as its escape (``\\n``), as ``quote`` shows
    it, so that the value stays on the line it heads. (A table's cell keeps its newlines: it wraps on them, and
    what it holds stays in its cell.)"""
    return LINE_BREAK.sub(lambda m: repr(m.group())[1:-1], text) if LINE_BREAK.search(text) else text


def quote(value: Any, limit: int = QUOTE_LIMIT) -> str:
    """``repr(value)`` for an error message, cut to about ``limit`` characters with an ellipsis: a hostile file
    must not make an error message as large as itself."""
    if isinstance(value, str) and len(value) > limit:
        return repr(value[:limit]) + "…"
    return _short_repr(value, limit)


def _short_repr(value: Any, limit: int) -> str:
    if isinstance(value, list | dict | tuple) and _size_over(value, limit):
        opening, closing = ("[", "]") if isinstance(value, list) else ("(", ")") if isinstance(value, tuple) \
            else ("{", "}")
        return f"{opening}…{closing} ({len(value)} items)"
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def _size_over(value: Any, limit: int) -> bool:
    """Whether a nested list or mapping holds more than ``limit`` values (counted without recursion)."""
    todo, seen = [value], 0
    while todo:
        item = todo.pop()
        seen += 1
        if seen > limit:
            return True
        if isinstance(item, dict):
            todo.extend(item.keys())
            todo.extend(item.values())
        elif isinstance(item, list | tuple):
            todo.extend(item)
        elif isinstance(item, str):
            seen += len(item) // 8
    return False


def cap_quoted(message: str) -> str:
    """Cut every quoted value in ``message`` of 300 characters or more (one :func:`quote` did not cut already, as
    in a message written with ``{value!r}``) to QUOTE_LIMIT characters and an ellipsis."""
    return _LONG_QUOTED.sub(lambda m: m.group()[: QUOTE_LIMIT + 1] + m.group()[0] + "…", message)


class _Value:
    """A small frozen value: its fields its slots, equal and hashed by them. Not attrs, nor a NamedTuple: `epa
    --version` imports this module, and attrs would double what it costs to start, a NamedTuple's string annotations
    add a tenth (tests/test_startup.py holds it to that)."""

    __slots__: tuple[str, ...] = ()

    def __init__(self, *values: Any) -> None:
        for name, value in zip(self.__slots__, values, strict=True):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen")

    def _fields(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self._fields() == other._fields()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self), self._fields()))

    def __repr__(self) -> str:
        shown = ", ".join(f"{n}={v!r}" for n, v in zip(self.__slots__, self._fields(), strict=True))
        return f"{type(self).__name__}({shown})"


class Place(_Value):
    """Where in an input a problem is: its file (or standard input, or a cohort's file), the 1-based line and column
    (a cohort's row: its line alone), and the JSON path of the value ("$.assessments[0].date"). The command line
    says it as one text (``str``); the service gives each part as a field of its own, so neither reads the other's
    words."""

    __slots__ = ("file", "line", "column", "path")
    file: str | None
    line: int | None
    column: int | None
    path: str | None

    def __init__(self, file: str | None = None, line: int | None = None, column: int | None = None,
                 path: str | None = None) -> None:
        super().__init__(file, line, column, path)

    def __str__(self) -> str:
        place = (self.file or "") + (f":{self.line}" if self.line is not None else "") + \
            (f":{self.column}" if self.column is not None else "")
        return f"{place}: {self.path}" if place and self.path else place or self.path or ""


class Also(_Value):
    """A further problem with the same input, listed after the first (each where it is, what, and a hint)."""

    __slots__ = ("place", "message", "hint")
    place: Place | None
    message: str
    hint: str | None

    def __init__(self, place: Place | None, message: str, hint: str | None = None) -> None:
        super().__init__(place, message, hint)

    @property
    def detail(self) -> str:
        """What the command line says after the place: the message, the hint in brackets."""
        return self.message + (f" ({self.hint})" if self.hint else "")


class InputError(Exception):
    """Bad input or usage: the user can fix it. Exit code 2. ``where`` is a Place where the input's file, line,
    column or JSON path is known, else text naming what was wrong (an option, a column); ``also``: the further
    problems with the same input (listed after the first), and ``more``: how many past them went unlisted.
    ``message`` is what the command line says, the further problems on lines of their own; ``detail`` the first
    problem alone."""

    exit_code = 2

    def __init__(self, message: str, *, where: str | Place | None = None, hint: str | None = None,
                 also: tuple[Also, ...] = (), more: int = 0):
        self.detail = cap_quoted(message)
        self.place = where if isinstance(where, Place) else None
        where = str(where) if isinstance(where, Place) else where
        self.where = cap_quoted(where) if where else where
        self.hint = cap_quoted(hint) if hint else hint
        self.also, self.more = tuple(Also(a.place, cap_quoted(a.message), a.hint and cap_quoted(a.hint))
                                     for a in also), more
        self.message = self.detail + "".join(f"\n  also: {a.place}: {a.detail}" for a in self.also) + \
            (f"\n  … and {more} more" if more else "")
        super().__init__(self.render())

    def render(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        return f"{text}\n  hint: {self.hint}" if self.hint else text

    def moved(self, where: str | Place | None, hint: str | None = None, cls: type[InputError] | None = None
              ) -> InputError:
        """The same problems said of another place (``where``), with another hint where one is given."""
        return (cls or InputError)(self.detail, where=where, hint=hint or self.hint, also=self.also, more=self.more)


class PluginError(Exception):
    """A body plugin failed or broke the hook contract. Exit code 1."""

    exit_code = 1

    def __init__(self, plugin: str, hook: str, problem: str, *, file: str | None = None, line: int | None = None,
                 hint: str | None = None):
        # file and line: where in the plugin's own code the hook raised (``problem`` says it too), if it raised;
        # hint: what the user can do (a plugin that does not load: how to go on without it)
        self.plugin, self.hook, self.problem, self.file, self.line = plugin, hook, problem, file, line
        self.hint = hint
        super().__init__(f"plugin {plugin!r} failed in hook {hook!r}: {problem}")


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A 'did you mean' hint for a misspelt name, or the valid choices when nothing is close."""
    import difflib  # only when a name is misspelt: not at every start

    options = sorted(set(choices))
    # the name in another case first: difflib rates k3.3 as close to S3.3 as to K3.3, and offered S3.3
    close = [o for o in options if o.casefold() == word.casefold()][:1] or difflib.get_close_matches(
        word, options, n=1, cutoff=0.6)
    if close:
        return f"did you mean {close[0]!r}?"
    if options and len(options) <= 12:
        return "expected one of: " + ", ".join(options)
    return None


class OutputError(Exception):
    """An output could not be written (a file epa writes, or standard output): the disk is full, the folder is
    missing or read-only, the descriptor is closed. Not the user's input, so not exit 2. Exit code 3."""

    exit_code = 3

    def __init__(self, output: str, reason: str):
        self.output, self.reason = output, reason
        super().__init__(f"cannot write {output}: {reason}")


class OutputCutShort(OutputError):
    """An output that failed part way through a cohort's rows: the first ``done`` items' output (the last at
    ``line`` of the input; 0: none) was handed to it in full by then, and no more items were graded than
    ``graded`` (those, and the chunk whose write failed; ``done`` where not given). What of that the user has
    depends on the output (a file replaced whole at the end has none of it): the command says."""

    def __init__(self, failed: OutputError, done: int, line: int, graded: int | None = None):
        super().__init__(failed.output, failed.reason)
        self.done, self.line = done, line
        self.graded = done if graded is None else graded


# The exit codes every command uses (README "Exit codes").
EXIT_OK = 0
EXIT_FAILURE = 1  # a plugin failed (named with its hook), or epa itself did
EXIT_INPUT = 2  # the user's input or usage was bad; in a batch, some record was rejected
EXIT_OUTPUT = 3  # an output (a file, or standard output) could not be written
EXIT_UNCHECKED = 4  # epa conformance: no check failed, but some that apply were not made (a source document absent)
EXIT_INTERRUPTED = 130  # Ctrl-C (SIGINT), SIGTERM or SIGHUP: output is incomplete
