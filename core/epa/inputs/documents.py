"""Reading YAML/JSON files and validating them against our JSON Schemas, with errors a person can act on.

Every error names the file, the line and column where we can find it, the
JSON path, what was expected and, where one helps, a suggestion.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from epa.errors import QUOTE_LIMIT, Also, InputError, Place, did_you_mean, quote
from epa.inputs.byte_order import encoding_of as utf16_codec
from epa.inputs.byte_order import text_of as utf16_text
from epa.inputs.hostile import (
    LINE,
    MAX_ALIAS_NODES,
    MAX_ALIASES,
    MAX_BYTES,
    MAX_DEPTH,
    MAX_DIGITS,
    RECORD,
    no_record,
    not_utf8,
    too_deep,
    too_large,
    utf16,
)
from epa.inputs.jsonschemas import schema

if TYPE_CHECKING:  # jsonschema is imported when a document is checked with it: a warm start checks one record
    import jsonschema
    import yaml  # imported when YAML is read (_yaml()): a warm start that reads none (JSON, the cached rules) does not

_TAG = "tag:yaml.org,2002:"
_NUMBER = "tag:epa.invalid,2026:number"  # our own: a plain value YAML 1.1 or 1.2 would read as a number
_YAML12_BOOL = ("true", "True", "TRUE", "false", "False", "FALSE")  # the 1.2 core schema's (1.1 adds yes, on...)
_YAML12_INT = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")  # the 1.2 core schema's
_YAML12_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)"
                           r"|\.(?:nan|NaN|NAN)")
# The forms both versions read as the same number: plain decimal (a float with a point, its exponent signed).
_DECIMAL_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_DECIMAL_FLOAT = re.compile(r"[-+]?[0-9]+\.[0-9]*(?:[eE][-+][0-9]+)?|\.[0-9]+(?:[eE][-+][0-9]+)?"
                            r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")


class _Yaml(NamedTuple):
    """What reading YAML needs from PyYAML, made once, when the first YAML text is read (:func:`_yaml`)."""

    loader: type  # libyaml's parser when PyYAML has it (5-10x faster), else PyYAML's own
    py_loader: type  # PyYAML's own, for a file libyaml refuses (see :func:`_compose`)
    libyaml: bool  # whether ``loader`` is libyaml's
    int11: re.Pattern[str]  # YAML 1.1's plain int and float (PyYAML's own resolvers)
    float11: re.Pattern[str]
    any_number: re.Pattern[str]  # anything YAML 1.1 or 1.2 would read as a number


@cache
def _yaml() -> _Yaml:
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class _Loader(base):  # type: ignore[valid-type,misc]
        """SafeLoader that leaves dates as strings, so an impossible date such as 2025-02-30 becomes a schema error
        with a path instead of a ValueError (and a plain ``=``, YAML 1.1's !!value, text as in YAML 1.2), and that
        tags anything YAML 1.1 or YAML 1.2 would read as a number _NUMBER, for :meth:`_Composer._number_tag` to
        settle."""

        flatten_mapping = _flatten_mapping

    class _PyLoader(yaml.SafeLoader):
        """The same in pure Python, for a file libyaml refuses before its first event reaches us: libyaml's scanner
        reads far ahead on a line of opening brackets and stops at a nesting limit of its own (PyYAML 6.0.4: 1,000
        deep, in its own words), where this scanner looks at most 1,024 characters ahead."""

        flatten_mapping = _flatten_mapping

    int11, float11 = (next(rx for tag, rx in yaml.SafeLoader.yaml_implicit_resolvers["1"] if tag == _TAG + t)
                      for t in ("int", "float"))
    any_number = re.compile("^(?:" + "|".join(f"(?:{rx.pattern})" for rx in (int11, float11, _YAML12_INT,
                                                                             _YAML12_FLOAT)) + ")$", re.X)
    for loader in (_Loader, _PyLoader):
        loader.yaml_implicit_resolvers = {
            first: [(tag, rx) for tag, rx in resolvers
                    if tag not in (_TAG + "timestamp", _TAG + "int", _TAG + "float", _TAG + "value")]
            for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
        }
        loader.add_implicit_resolver(_NUMBER, any_number, list("-+0123456789."))
    return _Yaml(_Loader, _PyLoader, base is not yaml.SafeLoader, int11, float11, any_number)


def _flatten_mapping(self: Any, node: Any) -> None:
    """YAML's merge keys applied to a mapping's node, as the merge key's specification has them: the keys of the
    mappings ``<<`` names (a list: each in turn, a key the first gives kept from the first), then the mapping's own,
    which win. PyYAML 6.0.4 keeps one of two alike keys by the identity of their strings, not their text: of
    ``<<: [*a, *b]`` both giving ``date`` it kept b's, both giving ``x`` (a one-letter string, one object) a's. (The
    composer has refused all but string keys, and bounded what aliases expand to.)"""
    import yaml

    merged: list[tuple[Any, Any]] = []
    given: set[str] = set()
    own = []
    for key_node, value_node in node.value:
        if key_node.tag != _TAG + "merge":
            own.append((key_node, value_node))
            continue
        for mapping in value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]:
            if not isinstance(mapping, yaml.MappingNode):  # (refused by the composer before: a guard)
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping", node.start_mark,
                    f"expected a mapping for merging, but found {mapping.id}", mapping.start_mark)
            self.flatten_mapping(mapping)
            for pair in mapping.value:
                if pair[0].value not in given:
                    given.add(pair[0].value)
                    merged.append(pair)
    if merged:  # (each key once: a mapping merged in turn into another gives its own values, never those they hide)
        mine = {key_node.value for key_node, _ in own}
        node.value = [pair for pair in merged if pair[0].value not in mine] + own


_MADE_BY_YAML = {"_Loader": "loader", "_PyLoader": "py_loader", "_YAML11_INT": "int11", "_YAML11_FLOAT": "float11",
                 "_ANY_NUMBER": "any_number"}


def __getattr__(name: str) -> Any:
    """The names these were once made under at import (``documents._Loader``), made on first use."""
    if name in _MADE_BY_YAML:
        return getattr(_yaml(), _MADE_BY_YAML[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# Hostile input is refused before anything recursive or expanding runs: the bounds (epa.inputs.hostile) on the time and
# memory any file can cost, named here too for those who knew them here.
STDIN = "-"                    # the argument that reads standard input

# What a record or rules file may hold: the JSON data model (YAML's merge key aside).
_PLAIN_TAGS = {_TAG + t: t for t in ("str", "int", "float", "bool", "null", "seq", "map")}
_KIND = {"int": "a number", "float": "a number", "bool": "a boolean", "null": "null"}


@dataclass
class Source:
    """A file we read, able to say where a JSON path sits in it (from the node tree kept from reading YAML;
    JSON is composed again only when an error needs it)."""

    path: Path
    text: str
    _node: yaml.Node | None = field(default=None, repr=False)

    def position(self, parts: Sequence[Any]) -> tuple[int, int] | None:
        """1-based (line, column) of the value at a JSON path, as far down the path as the file goes."""
        if self._node is None:
            import yaml

            # JSON is YAML, its numbers aside, and the line breaks only YAML 1.1 reads as ones, which JSON holds in
            # strings alone: read as spaces, they move no line
            with contextlib.suppress(InputError, yaml.YAMLError, ValueError):
                self._node = _compose(_YAML11_BREAK.sub(" ", self.text), str(self.path), json_text=True)[0]
        return line_of(self._node, parts)

    def where(self, parts: Sequence[Any]) -> str:
        return str(self.place(parts))

    def place(self, parts: Sequence[Any]) -> Place:
        """Where the value at a JSON path sits: this file, its line and column (as far down the path as the file
        goes), and the path."""
        line, column = self.position(parts) or (None, None)
        return Place(str(self.path), line, column, json_path(parts))

    def keys_by_line(self) -> dict[int, list[Any]]:
        """The path of the first key or list entry each line (1-based) of the file opens, the outermost where a line
        opens more than one ("- id: x" opens its entry, then the key)."""
        import yaml

        self.position([])  # composes the node tree where it is not kept
        found: dict[int, list[Any]] = {}
        stack: list[tuple[yaml.Node | None, list[Any]]] = [(self._node, [])]
        while stack:
            node, parts = stack.pop()
            if isinstance(node, yaml.MappingNode):
                pairs = [(k, v, [*parts, k.value]) for k, v in node.value]
            elif isinstance(node, yaml.SequenceNode):
                pairs = [(v, v, [*parts, i]) for i, v in enumerate(node.value)]
            else:
                continue
            for key, _, path in pairs:
                found.setdefault(key.start_mark.line + 1, path)
            stack += [(value, path) for _, value, path in reversed(pairs)]
        return found

    def written(self, parts: Sequence[Any]) -> str | None:
        """The value at a JSON path as the file writes it, where it is one unquoted scalar (YAML's ``no``, which
        it reads as false), else None."""
        import yaml

        self.position(parts)  # composes the node tree where it is not kept
        node = node_at(self._node, parts)
        return node.value if isinstance(node, yaml.ScalarNode) and not node.style else None  # plain: no quotes


def read(path: Path | str, holds: tuple[str, str] = RECORD) -> tuple[Any, Source]:
    """Parse a YAML or JSON file (by its suffix; ``-`` reads standard input, JSON when it starts with ``{`` or
    ``[``), refusing hostile input with an InputError: see :func:`loads`."""
    return parse(*read_bytes(path), holds=holds)


def parse(raw: bytes, name: str, kind: str, holds: tuple[str, str] = RECORD) -> tuple[Any, Source]:
    """Parse what :func:`read_bytes` read: UTF-8 text (see :func:`decode`), then YAML or JSON (:func:`loads`)."""
    return loads(decode(raw, name), name, kind, holds)


def read_bytes(path: Path | str) -> tuple[bytes, str, str]:
    """A file's bytes (``-``: standard input), its name for errors, and its kind: "json" or "yaml"; a file
    larger than MAX_BYTES, missing or unreadable is an InputError."""
    if str(path) == STDIN:
        name, raw = "<stdin>", _read_stdin()
        codec = utf16_codec(raw[:4])  # (UTF-16 is sniffed as the text it holds: its first byte is a mark's or a NUL)
        first = raw[:256].decode(codec, "ignore") if codec else raw[:256].decode("latin-1")
        kind = "json" if first.lstrip("\ufeff\xef\xbb\xbf \t\r\n")[:1] in ("{", "[") else "yaml"
    else:
        path = Path(path)
        name, kind = str(path), "json" if path.suffix.lower() == ".json" else "yaml"
        try:
            with path.open("rb") as f:
                raw = _read_capped(f)
        except FileNotFoundError:
            raise InputError("no such file", where=Place(name)) from None
        except OSError as exc:
            raise InputError(f"cannot read the file: {exc.strerror or exc}", where=Place(name)) from None
    if len(raw) > MAX_BYTES:
        raise too_large(name)
    return raw, name, kind


def _read_stdin() -> bytes:
    import sys

    stream = sys.stdin
    if stream is None:
        raise InputError("no standard input to read", where=Place("<stdin>"))
    if stream.isatty():
        print("reading the record from standard input (end it with Ctrl-D)", file=sys.stderr)
    buffer = getattr(stream, "buffer", None)
    return _read_capped(buffer) if buffer is not None else stream.read(MAX_BYTES + 1).encode("utf-8")


def _read_capped(stream: Any) -> bytes:
    """At most MAX_BYTES + 1 bytes (one more tells the input is too large), in chunks: ``read(MAX_BYTES + 1)``
    would allocate the whole 16 MiB for every small record."""
    chunks: list[bytes] = []
    size = 0
    while size <= MAX_BYTES:
        chunk = stream.read(1 << 16)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def decode(raw: bytes, name: str) -> str:
    """UTF-8 text, a byte-order mark allowed (and dropped), or a file's UTF-16 text with its byte-order mark (as
    Excel and Notepad save 'Unicode' text, and as a cohort's is read); anything else is refused naming the line and
    byte. A cohort's line is never UTF-16 on its own: its file was read as UTF-8 (a UTF-16 cohort as the UTF-8 it
    holds), so a mark inside it is refused."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = None if name == LINE else utf16_text(raw, name)
        if text is None:  # (a cohort's line, or UTF-32, whose mark starts as UTF-16's does)
            raise utf16(name, "UTF-32" if raw[:4] == b"\xff\xfe\x00\x00" else "UTF-16")
        return text
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise not_utf8(raw, exc.start, name) from None


def loads(text: str, name: str, kind: str = "yaml", holds: tuple[str, str] = RECORD) -> tuple[Any, Source]:
    """Parse YAML or JSON text (``kind``), named ``name`` in errors. Refused, each with an InputError naming the
    line and JSON path: nesting deeper than MAX_DEPTH and YAML aliases beyond MAX_ALIASES / MAX_ALIAS_NODES
    (checked before anything recursive or expanding runs), duplicate keys, keys that are not strings, NaN and
    infinities, YAML numbers YAML 1.1 and 1.2 read differently (:meth:`_Composer._number_tag`), lone surrogate
    escapes, tags beyond the JSON data model, syntax errors, and a file that holds nothing (or only null), its
    refusal saying what it is to hold (``holds``: hostile.RECORD or RULES)."""
    text = text.removeprefix("\ufeff")
    if kind == "json":
        data = _loads_json(text, name, holds)
        if data is None:
            raise no_record(name, "holds only null", holds)
        return data, Source(Path(name), text)
    if (odd := _YAML11_BREAK.search(text)) is not None:
        raise _yaml11_break(text, odd.start(), name)
    node, data, merges = _compose(text, name)
    if node is None:
        raise no_record(name, "is empty (nothing but blank lines or comments)", holds)
    if data is None:
        raise no_record(name, "holds only null (~, null, or a lone ---)", holds)
    source = Source(Path(name), text, node)
    if not merges:
        return data, source
    import yaml

    loader = _yaml().loader("")  # YAML merge keys (<<: *base): PyYAML applies them to nodes of their own (it
    try:                         # rewrites the nodes it merges, which must keep saying where each value was written)
        return loader.construct_document(_compose(text, name)[0]), source
    except yaml.MarkedYAMLError as exc:
        raise _yaml_error(exc, name) from None
    finally:
        loader.dispose()


# Line breaks to YAML 1.1 (PyYAML, libyaml) alone: characters to YAML 1.2, to JSON and to editors.
_YAML11_BREAK = re.compile("[\x85\u2028\u2029]")
_BREAK_NAMES = {"\x85": "next line", "\u2028": "line separator", "\u2029": "paragraph separator"}


def _yaml11_break(text: str, pos: int, name: str) -> InputError:
    """Refuse a YAML text holding a line break YAML 1.1 alone reads as one (as text copied from a PDF or a word
    processor may): PyYAML would break the line there (in a plain value, making a key of what follows), YAML 1.2 and
    an editor would not, and every line number after it would be one more than an editor shows. Placed as an editor
    shows it, in the JSON path of the value it is in (found with it read as a space)."""
    char = text[pos]
    line, column = _line_column(text, pos)
    parts = None
    # Its path in the text with it read as a space, else (a space making a key's value no YAML: "b: x<U+2028>  c: 2")
    # in the text up to it, at the end of the value it ends
    for readable, end in ((_YAML11_BREAK.sub(" ", text), False), (text[:pos], True)):
        with contextlib.suppress(InputError):
            parts = _parts_at(_compose(readable, name)[0], (line - 1, column - 1), end)
            break
    return InputError(f"a {_BREAK_NAMES[char]} character (U+{ord(char):04X}): a line break to YAML 1.1, which epa "
                      "reads, but not to YAML 1.2 nor to an editor", hint="replace it with a space, or with a line "
                      "break where one is meant", where=Place(name, line, column,
                                                              json_path(parts) if parts is not None else None))


def _parts_at(node: yaml.Node | None, at: tuple[int, int], end: bool = False) -> list[Any]:
    """The JSON path (as parts) of the innermost value whose text holds the 0-based (line, column) ``at`` (``end``:
    or ends there)."""
    import yaml

    def holds(item: yaml.Node) -> bool:
        start, stop = (item.start_mark.line, item.start_mark.column), (item.end_mark.line, item.end_mark.column)
        return start <= at < stop or end and at == stop

    parts: list[Any] = []
    while isinstance(node, yaml.CollectionNode):
        pairs = node.value if isinstance(node, yaml.MappingNode) else list(enumerate(node.value))
        for key, value in pairs:
            if holds(value) or (isinstance(key, yaml.Node) and holds(key)):
                parts.append(key.value if isinstance(key, yaml.Node) else key)
                node = value
                break
        else:
            break
    return parts


def _line_column(text: str, pos: int) -> tuple[int, int]:
    """The 1-based line and column of a character index in the text."""
    return text.count("\n", 0, pos) + 1, pos - (text.rfind("\n", 0, pos) + 1) + 1


def _lines(text: str) -> list[str]:
    """The text's lines as YAML counts them (its marks' line numbers)."""
    return re.split("\r\n|[\r\n\x85\u2028\u2029]", text)


def _tab_error(exc: yaml.MarkedYAMLError, name: str, text: str) -> InputError | None:
    """A tab in a line's indentation (or where the parser stopped, as after a list's ``-``), which YAML does not
    allow, told as that, at the tab, in the JSON path the parser stopped in, with how the line above is indented;
    None where the parser did not stop at one."""
    mark, lines = exc.problem_mark, _lines(text)
    if mark is None or mark.line >= len(lines):
        return None
    line = lines[mark.line]
    indentation = line[: len(line) - len(line.lstrip(" \t"))]
    if "\t" in indentation:
        column = indentation.index("\t")
    elif line[mark.column: mark.column + 1] == "\t":
        column = mark.column
    else:
        return None
    above = next((earlier for earlier in reversed(lines[: mark.line])
                  if earlier.strip() and not earlier.lstrip().startswith("#")), None)
    spaces = len(above) - len(above.lstrip(" ")) if above is not None else 0
    said = f"indented with {spaces} space{'s' if spaces != 1 else ''}" if spaces else "not indented"
    parts = getattr(exc, "epa_parts", None)
    return InputError("a tab in the indentation: YAML indents with spaces, never tabs",
                      where=Place(name, mark.line + 1, column + 1, json_path(parts) if parts is not None else None),
                      hint=f"indent line {mark.line + 1} with spaces, as the lines of its list or mapping are (the "
                           f"line above it is {said}); an editor's 'convert tabs to spaces' mends a whole file")


def _yaml_error(exc: yaml.YAMLError, name: str, text: str = "") -> InputError:
    import yaml

    if isinstance(exc, yaml.MarkedYAMLError):
        if text and (tab := _tab_error(exc, name, text)) is not None:
            return tab
        mark = exc.problem_mark or exc.context_mark
        where = Place(name, mark.line + 1, mark.column + 1) if mark else Place(name)
        return InputError(f"YAML syntax error: {exc.problem or exc}", where=where)
    if isinstance(exc, yaml.reader.ReaderError):  # a control character: position is a character index
        line, column = _line_column(text, exc.position)
        return InputError(f"character {exc.character!r} is not allowed in YAML (control characters are not)",
                          where=Place(name, line, column))
    return InputError(f"YAML error: {exc}", where=Place(name))


def _compose(text: str, name: str, json_text: bool = False) -> tuple[yaml.Node | None, Any, bool]:
    """YAML text to its node tree and its data, without recursion: a loop over the parser's events (libyaml's
    where present) that refuses, as each event arrives, what :func:`loads` refuses, so a bomb or deep nesting
    fails at once. Returns (node, data, whether merge keys need applying). ``json_text``: the text is JSON,
    composed for its nodes' positions only, its numbers (unambiguous in JSON: 1e3) left as text."""
    import yaml

    made = _yaml()
    try:
        return _compose_with(made.loader, text, name, json_text)
    except yaml.YAMLError as exc:
        if not made.libyaml or text.count("[") + text.count("{") <= MAX_DEPTH:  # (no libyaml: no retry)
            raise _yaml_error(exc, name, text) from None
    try:  # libyaml may have stopped at a nesting limit of its own, before we could see the depth (see _PyLoader)
        return _compose_with(made.py_loader, text, name, json_text)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, name, text) from None


def _compose_with(loader_class: type, text: str, name: str,
                  json_text: bool = False) -> tuple[yaml.Node | None, Any, bool]:
    import yaml

    loader = loader_class(text)
    try:
        composer = _Composer(loader, name, json_text)
        return composer.compose(), composer.data, composer.merges
    except yaml.MarkedYAMLError as exc:
        exc.epa_parts = composer.stopped_in(text)  # type: ignore[attr-defined]  # for _yaml_error
        raise
    finally:
        loader.dispose()


class _Frame:
    __slots__ = ("node", "data", "anchor", "size", "key", "keys", "index", "merge")

    def __init__(self, node: yaml.CollectionNode, data: list[Any] | dict[str, Any], anchor: str | None):
        self.node, self.data, self.anchor, self.size = node, data, anchor, 1
        self.key: yaml.Node | None = None  # a mapping's key awaiting its value
        self.keys: dict[str, yaml.Node] = {}
        self.index = 0
        self.merge: yaml.Node | None = None  # the mapping's merge key (<<), a key like any other: given once


class _Composer:
    """Builds the node tree (for line numbers) and the data together, in one loop over the parser's events."""

    def __init__(self, loader: Any, name: str, json_text: bool = False):
        self.loader, self.name, self.json_text = loader, name, json_text
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[yaml.Node, int, Any]] = {}
        self.aliases = self.alias_nodes = 0
        self.merges = False  # a YAML merge key (<<): the data is then constructed from the nodes by PyYAML
        self.yaml12 = False  # the file says %YAML 1.2: its plain scalars are read as that version reads them
        self.data: Any = None

    def compose(self) -> yaml.Node | None:
        import yaml

        get, peek = self.loader.get_event, self.loader.peek_event
        get()  # stream start
        if type(peek()) is yaml.StreamEndEvent:
            return None
        version = get().version  # document start: (1, 2) under a %YAML 1.2 directive
        self.yaml12 = version is not None and version >= (1, 2)
        stack = self.stack
        scalar_event, alias_event = yaml.ScalarEvent, yaml.AliasEvent
        seq_start, map_start = yaml.SequenceStartEvent, yaml.MappingStartEvent
        str_tag, merge_tag = _TAG + "str", _TAG + "merge"
        node: yaml.Node
        while True:
            event = get()
            kind = type(event)
            if kind is scalar_event:
                value = event.value
                if event.style == '"' and not value.isascii():
                    self._encodable(value, event)  # a \uD800 escape: a lone surrogate (libyaml refuses it)
                tag = self._tag(yaml.ScalarNode, event, value)
                node = yaml.ScalarNode(tag, value, event.start_mark, event.end_mark, style=event.style)
                size, data = 1, value if tag in (str_tag, merge_tag) else self._scalar(node)
                if event.anchor is not None:
                    self.anchors[event.anchor] = (node, 1, data)
            elif kind is seq_start or kind is map_start:
                if len(stack) >= MAX_DEPTH:
                    raise too_deep(self._where(event.start_mark))
                cls = yaml.SequenceNode if kind is seq_start else yaml.MappingNode
                collection = cls(self._tag(cls, event, None), [], event.start_mark, None, flow_style=event.flow_style)
                stack.append(_Frame(collection, [] if kind is seq_start else {}, event.anchor))
                continue
            elif kind is alias_event:
                node, size, data = self._alias(event)
            elif kind is yaml.SequenceEndEvent or kind is yaml.MappingEndEvent:
                frame = stack.pop()
                node, size, data = frame.node, frame.size, frame.data
                node.end_mark = event.end_mark
                if frame.anchor is not None:
                    self.anchors[frame.anchor] = (node, size, data)
            else:  # pragma: no cover - the parser sends nothing else inside a document
                raise InputError(f"unexpected YAML event {kind.__name__}", where=self._where(event.start_mark))
            if not stack:
                self.data = data
                break
            self._add(stack[-1], node, size, data)
        get()  # document end
        if type(peek()) is not yaml.StreamEndEvent:
            raise InputError("more than one YAML document (a line '---' or '...' inside the file)",
                             where=self._where(peek().start_mark), hint="one record per file")
        return node

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        try:
            return self.loader.yaml_constructors[node.tag](self.loader, node)
        except (ValueError, OverflowError) as exc:
            raise InputError(f"{quote(node.value)} cannot be read as a {node.tag.replace(_TAG, '')}: {exc}",
                             where=self._where(node.start_mark)) from None

    def _encodable(self, value: str, event: Any) -> None:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise _lone_surrogate(value, exc, self._where(event.start_mark)) from None

    def _tag(self, kind: type, event: Any, value: str | None) -> str:
        import yaml

        tag = event.tag
        if tag is None or tag == "!":
            tag = self.loader.resolve(kind, value, event.implicit)
            if self.yaml12 and (tag == _TAG + "merge" or tag == _TAG + "bool" and value not in _YAML12_BOOL):
                tag = _TAG + "str"  # yes, no, on, off and << are YAML 1.1's booleans and merge key; 1.2's text
        if tag == _NUMBER:
            tag = _TAG + "str" if self.json_text else self._number_tag(value, event)  # type: ignore[arg-type]
        elif tag in (_TAG + "int", _TAG + "float") and value is not None and _yaml().any_number.match(value):
            self._number_tag(value, event)  # written !!int 010: refused alike; a plain decimal keeps the tag
        if tag not in _PLAIN_TAGS and tag != _TAG + "merge":
            raise InputError(f"the tag {tag.replace(_TAG, '!!')} is not allowed here",
                             where=self._where(event.start_mark),
                             hint="a record holds strings, numbers, booleans, lists and mappings only")
        if tag == _TAG + "int" and value is not None and len(value) > MAX_DIGITS:
            raise InputError(f"a number of {len(value):,} digits", where=self._where(event.start_mark),
                             hint="is this the right file?")
        if tag == _TAG + "float" and value is not None:
            number = self.loader.construct_yaml_float(yaml.ScalarNode(tag, value))
            if number != number or number in (float("inf"), float("-inf")):
                raise InputError(f"{quote(value)} is not a finite number", where=self._where(event.start_mark),
                                 hint="NaN and infinities are not allowed; give a number, or leave the field out")
        return tag

    def _number_tag(self, value: str, event: Any) -> str:
        """int or float for a number both YAML 1.1 and 1.2 read alike (plain decimal); any other form a refusal
        saying how to write it: 010 is 8 to YAML 1.1 and 10 to 1.2, 1:02 is 62 or text, 1e3 text or 1000.0,
        1_000 and 0b1 numbers or text, and 0x3A a number a person may have meant as text."""
        if len(value) > MAX_DIGITS:
            raise InputError(f"a number of {len(value):,} digits", where=self._where(event.start_mark),
                             hint="is this the right file?")
        if _DECIMAL_INT.fullmatch(value):
            return _TAG + "int"
        if _DECIMAL_FLOAT.fullmatch(value):
            return _TAG + "float"
        old, new = self._as_yaml11(value), _as_yaml12(value)
        number = new if not isinstance(new, str) else old
        if isinstance(number, float) and not math.isfinite(number):
            raise InputError(f"{quote(value)} is not a finite number", where=self._where(event.start_mark),
                             hint="NaN and infinities are not allowed; give a number, or leave the field out")
        if old == new:
            problem = f"{quote(value)} is not written as a plain decimal number (YAML reads it as {_plain(new)})"
        else:
            problem = f"{quote(value)} means {_plain(old)} to YAML 1.1 and {_plain(new)} to YAML 1.2"
        raise NumberForm(problem, self._where(event.start_mark), value, _plain(number), self._parts())

    def _as_yaml11(self, value: str) -> Any:
        """What YAML 1.1 (PyYAML's own reading) makes of a plain value: a number, or the text itself."""
        import yaml

        made = _yaml()
        for tag, rx, construct in ((_TAG + "int", made.int11, self.loader.construct_yaml_int),
                                   (_TAG + "float", made.float11, self.loader.construct_yaml_float)):
            if rx.fullmatch(value):
                return construct(yaml.ScalarNode(tag, value))
        return value

    def _alias(self, event: Any) -> tuple[yaml.Node, int, Any]:
        where = self._where(event.start_mark)
        if any(frame.anchor == event.anchor for frame in self.stack):
            raise InputError(f"the alias *{event.anchor[:80]} refers to a list or mapping that contains it",
                             where=where, hint="a record cannot contain itself")
        if event.anchor not in self.anchors:
            raise InputError(f"the alias *{event.anchor[:80]} names no anchor (&{event.anchor[:80]}) before it",
                             where=where)
        node, size, data = self.anchors[event.anchor]
        self.aliases += 1
        self.alias_nodes += size
        if self.aliases > MAX_ALIASES or self.alias_nodes > MAX_ALIAS_NODES:
            raise InputError(f"YAML aliases (*name) would expand to more than {MAX_ALIASES} aliases or "
                             f"{MAX_ALIAS_NODES:,} values: refused, unexpanded", where=where,
                             hint="write the values out; a record needs no aliases")
        return node, size, data

    def _add(self, frame: _Frame, node: yaml.Node, size: int, data: Any) -> None:
        import yaml

        frame.size += size
        collection = frame.node
        if type(collection) is yaml.SequenceNode:
            collection.value.append(node)
            frame.data.append(data)  # type: ignore[union-attr]
            frame.index += 1
            return
        if frame.key is None:  # a key
            if node.tag == _TAG + "merge":
                if frame.merge is not None:
                    raise InputError(f"duplicate key '<<' (first at line {frame.merge.start_mark.line + 1}, again at "
                                     f"line {node.start_mark.line + 1})", where=self._where(node.start_mark, node),
                                     hint="merge several mappings with one key: <<: [*first, *second] (the first's "
                                          "values win)")
                frame.merge, self.merges = node, True
            elif not isinstance(node, yaml.ScalarNode) or node.tag != _TAG + "str":
                kind = _KIND.get(node.tag.replace(_TAG, ""), "a list or mapping")
                shown = quote(node.value) if isinstance(node, yaml.ScalarNode) and node.value else "an empty key"
                raise InputError(f"a key must be a string, but {shown} is read as {kind}",
                                 where=self._where(node.start_mark, node),
                                 hint="quote the key (e.g. 'no': or '1':)" if isinstance(node, yaml.ScalarNode)
                                 else None)
            elif node.value in frame.keys:
                first = frame.keys[node.value].start_mark.line + 1
                raise InputError(f"duplicate key {quote(node.value)} (first at line {first}, again at line "
                                 f"{node.start_mark.line + 1})", where=self._where(node.start_mark, node),
                                 hint="give each key once; YAML would silently keep the last")
            else:
                frame.keys[node.value] = node
            frame.key = node
        else:
            if frame.key.tag == _TAG + "merge" and not (
                    isinstance(node, yaml.MappingNode) or isinstance(node, yaml.SequenceNode)
                    and all(isinstance(item, yaml.MappingNode) for item in node.value)):
                raise InputError("the merge key << takes a mapping (<<: *name) or a list of mappings (<<: [*first, "
                                 "*second]), to merge their keys into this one", hint="quote the key ('<<') where "
                                 "the text << is meant", where=self._where(frame.key.start_mark))
            collection.value.append((frame.key, node))
            frame.data[frame.key.value] = data  # type: ignore[call-overload]
            frame.key = None

    def stopped_in(self, text: str) -> list[Any]:
        """The JSON path (as parts) of the list or mapping a syntax error stopped the parser in: its key awaiting a
        value left out where that key's line gives it one (libyaml reads ahead: ``publisher: p`` is read up to its
        key when the next line's error stops it, where PyYAML's own parser has read the pair)."""
        parts = self._parts()
        key = self.stack[-1].key if self.stack else None
        lines = _lines(text) if key is not None else []
        if key is not None and key.end_mark is not None and key.end_mark.line < len(lines):
            value = lines[key.end_mark.line][key.end_mark.column:].lstrip().removeprefix(":").strip()
            if value and not value.startswith(("#", "|", ">")):  # (a block scalar's text is on the lines below)
                parts = parts[:-1]
        return parts

    def _where(self, mark: Any, key: yaml.Node | None = None) -> Place:
        """The file, line, column and JSON path of an event; ``key``: of that mapping key, itself named in the
        path."""
        return Place(self.name, mark.line + 1, mark.column + 1, json_path(self._parts(key)))

    def _parts(self, key: yaml.Node | None = None) -> list[Any]:
        """The JSON path (as parts) of the value being read; ``key``: of that mapping key."""
        import yaml

        parts: list[Any] = []
        for frame in self.stack:
            if isinstance(frame.node, yaml.SequenceNode):
                parts.append(frame.index)
            elif frame.key is not None:
                parts.append(frame.key.value if isinstance(frame.key, yaml.ScalarNode) else "?")
        if key is not None and key.value != "":
            parts.append(key.value if isinstance(key, yaml.ScalarNode) else "?")
        return parts


class NumberForm(InputError):
    """A plain YAML value two YAML versions read differently, or as a number not written in plain decimal (1e3,
    010, 0x3A): how to write it depends on the field, which the reader of the document knows (:meth:`in_text`)."""

    def __init__(self, problem: str, where: Place, value: str, number: str, parts: Sequence[Any]):
        super().__init__(problem, where=where, hint=f"write {number}, or {quote(value)} quoted if a string is meant")
        self.value, self.number, self.parts = value, number, tuple(parts)

    def in_text(self) -> InputError:
        """The refusal where the field is text (an id, a version): quoting it comes first."""
        return self.moved(self.place or self.where, hint=f"write {quote(self.value)} quoted (the field is text), or "
                          f"{quote(self.number)} if the number {self.number} is meant")


def _as_yaml12(value: str) -> Any:
    """What YAML 1.2's core schema makes of a plain value: a number, or the text itself."""
    if _YAML12_INT.fullmatch(value):
        return int(value[2:], 8 if value[1] == "o" else 16) if value[:2] in ("0o", "0x") else int(value)
    if _YAML12_FLOAT.fullmatch(value):
        return float(value.lower().replace(".inf", "inf").replace(".nan", "nan"))
    return value


def _plain(reading: Any) -> str:
    """A reading in a message: a number as plain decimal (a form both YAML versions read alike), or "text"."""
    if isinstance(reading, str):
        return "text"
    if isinstance(reading, int) or (reading.is_integer() and abs(reading) < 1e15):
        return str(int(reading))
    text = repr(reading)
    mantissa, _, exponent = text.partition("e")
    if exponent and "." not in mantissa:
        mantissa += ".0"
    return f"{mantissa}e{exponent}" if exponent else text


def _lone_surrogate(value: str, exc: UnicodeEncodeError, where: Place) -> InputError:
    code = ord(value[exc.start])
    return InputError(f"the text {quote(value)} holds a lone surrogate escape (\\u{code:04x}), which is no "
                      "character", where=where,
                      hint="write the character itself (as UTF-8), or both halves of its surrogate pair")


def _loads_json(text: str, name: str, holds: tuple[str, str] = RECORD) -> Any:
    """JSON, with nesting checked without recursion before the (recursive) parser runs."""
    import json

    if not text.strip(" \t\r\n"):
        raise no_record(name, "is empty", holds)
    if text.count("[") + text.count("{") > MAX_DEPTH and _json_depth(text) > MAX_DEPTH:
        _scan_json(text, name, depth_only=True)  # says where
    try:
        data = json.loads(text, object_pairs_hook=_pairs, parse_constant=_constant, parse_float=_float)
    except json.JSONDecodeError as exc:
        raise InputError(f"JSON syntax error: {exc.msg}", where=Place(name, exc.lineno, exc.colno)) from None
    except (_Refused, ValueError, RecursionError):  # duplicate key, NaN, 1e999, an integer of 5,000 digits
        _scan_json(text, name)
        raise InputError("the JSON holds a duplicate key or a number that cannot be read", where=Place(name)) from None
    if "\\u" in text and re.search(_SURROGATE_ESCAPE, text):  # perhaps a lone surrogate, which no output can write
        _scan_json(text, name)
    return data


# Patterns only a file out of the ordinary needs (nested deep, a \u escape, a refusal to point at): compiled on first
# use, by re's own cache, not by every start that reads a record.
_JSON_STRING = r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"'
_SURROGATE_ESCAPE = r"\\u[dD][89a-fA-F]"
_BRACKETS = r"[\[\]{}]"


def _json_depth(text: str) -> int:
    """How deep JSON's lists and objects nest (the strings taken out), counted without recursion; 0 when it
    cannot be deeper than MAX_DEPTH."""
    bare = re.sub(_JSON_STRING, "", text)
    if bare.count("[") + bare.count("{") <= MAX_DEPTH:
        return 0  # cannot nest deeper: the usual case, settled without the loop
    depth = deepest = 0
    for bracket in re.findall(_BRACKETS, bare):
        if bracket in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


class _Refused(Exception):
    """Raised inside json.loads; :func:`_scan_json` then finds where."""


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _Refused
    return out


def _constant(name: str) -> Any:
    raise _Refused


def _float(text: str) -> float:
    number = float(text)
    if number in (float("inf"), float("-inf")):
        raise _Refused
    return number


_JSON_TOKEN = r'"(?:[^"\\\n]|\\.)*"?|[\[\]{},:]|-?(?:NaN|Infinity)|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?'  # (as above)


def _scan_json(text: str, name: str, depth_only: bool = False) -> None:
    """Walk JSON's tokens with an explicit stack (no recursion), raising an InputError with line and path at
    the first nesting too deep, duplicate key, non-finite number (NaN, Infinity, 1e999) or lone surrogate."""
    import json

    stack: list[list[Any]] = []  # [is_object, key or index, keys seen {key: line}, expecting a key]

    def where(pos: int) -> Place:
        line, column = _line_column(text, pos)
        return Place(name, line, column, json_path([f[1] for f in stack if f[1] is not None]))

    for match in re.finditer(_JSON_TOKEN, text):
        token, pos = match.group(), match.start()
        first = token[0]
        if first in "[{":
            if len(stack) >= MAX_DEPTH:
                raise too_deep(where(pos))
            stack.append([True, None, {}, True] if first == "{" else [False, 0, None, False])
        elif first in "]}":
            if stack:
                stack.pop()
        elif first == ",":
            if stack and stack[-1][0]:
                stack[-1][3] = True
                stack[-1][1] = None
            elif stack:
                stack[-1][1] += 1
        elif first == ":":
            if stack and stack[-1][0]:
                stack[-1][3] = False
        elif first == '"':
            if stack and stack[-1][0] and stack[-1][3]:
                try:
                    key = json.loads(token)
                except ValueError:
                    key = token.strip('"')
                line = _line_column(text, pos)[0]
                seen = stack[-1][2]
                if key in seen and not depth_only:
                    stack[-1][1] = key
                    lines = f" (first at line {seen[key]}, again at line {line})" if seen[key] != line else ""
                    raise InputError(f"duplicate key {quote(key)}{lines}", where=where(pos),
                                     hint="give each key once; JSON readers differ on which wins")
                seen[key] = line
                stack[-1][1] = key
            if not depth_only and "\\u" in token:  # (a key is named in its own path, as it was set just above)
                _no_lone_surrogate(token, partial(where, pos))
        elif depth_only:
            continue
        elif len(token) > MAX_DIGITS:
            raise InputError(f"a number of {len(token):,} digits", where=where(pos), hint="is this the right file?")
        elif "N" in token or "I" in token or float(token) in (float("inf"), float("-inf")):
            raise InputError(f"{quote(token)} is not a finite number", where=where(pos),
                             hint="NaN and infinities are not JSON numbers; give a number, or leave the field out")


def _no_lone_surrogate(token: str, where: Callable[[], Place]) -> None:
    """Refuse a JSON string token whose escapes make a lone surrogate (``"\\ud800"``)."""
    import json

    try:
        value = json.loads(token)
    except ValueError:
        return  # not a whole string: the parser words it
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise _lone_surrogate(value, exc, where()) from None


def check_text(data: Any, source: Source) -> None:
    """Refuse data (JSON types) whose keys or strings hold a lone surrogate, as JSON's ``"\\ud800"`` escape
    decodes to: no output could write it. (:func:`loads` refuses one in a file; this is for data parsed
    elsewhere, as a cohort's lines are.) Encoding the whole in C is the quick check; a failure is walked for its
    path, without recursion."""
    import json

    try:
        json.dumps(data, ensure_ascii=False, default=str).encode("utf-8")
        return
    except UnicodeEncodeError:
        pass
    todo: list[tuple[Any, tuple[Any, ...]]] = [(data, ())]
    while todo:
        value, parts = todo.pop()
        if isinstance(value, dict):
            todo.extend((key, (*parts, key)) for key in value)  # a key is named in its own path
            todo.extend((item, (*parts, key)) for key, item in value.items())
        elif isinstance(value, list):
            todo.extend((item, (*parts, i)) for i, item in enumerate(value))
        elif isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise _lone_surrogate(value, exc, source.place(parts)) from None


def json_path(parts: Iterable[Any]) -> str:
    parts = list(parts)
    if len(parts) > 16:  # deep nesting: the start and the end
        return f"{json_path(parts[:8])}…({len(parts) - 12} more)…{json_path(parts[-4:])[1:]}"
    out = "$"
    for part in parts:
        text = str(part)
        if not text.isascii():  # a lone surrogate (in a key) would make the message unwritable: escaped
            text = text.encode("utf-8", "backslashreplace").decode("utf-8")
        out += f"[{part}]" if isinstance(part, int) else f".{text if len(text) <= 80 else text[:80] + '…'}"
    return out


def node_at(node: yaml.Node | None, parts: Sequence[Any]) -> yaml.Node | None:
    """The node of the value at a JSON path, or None where the file holds none there."""
    import yaml

    for part in parts:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == str(part)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            return None
    return node


def line_of(node: yaml.Node | None, parts: Sequence[Any]) -> tuple[int, int] | None:
    """1-based (line, column) of the value at a JSON path, as far down the path as the file goes."""
    if node is None:  # no node tree (and so no YAML read)
        return None
    import yaml

    found = None
    for part in parts:
        if node is None:
            break
        found = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == str(part)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            node = None
    if node is not None:
        found = (node.start_mark.line + 1, node.start_mark.column + 1)
    return found


def _explain(error: jsonschema.ValidationError, document: str | None = None,
             written: Callable[[Sequence[Any]], str | None] | None = None) -> tuple[str, str | None, list[Any]]:
    """Turn one schema error into (message, hint, path), naming the offending key where there is one, each value
    shown as the file writes it in JSON terms (false, ["pass"]), never as Python's. ``document``: the file the
    rules encode, the example a malformed citation is shown with; ``written``: the file's unquoted scalar at a
    path, to say how it was read."""
    parts = list(error.absolute_path)
    rule: dict[str, Any] = error.schema if isinstance(error.schema, dict) else {}
    as_written = written(parts) if written is not None and not isinstance(error.instance, str) else None
    if as_written is None and written is not None and isinstance(error.instance, bool | int | float):
        # (a cohort's JSON line keeps no text: its number or boolean as JSON writes it)
        as_written = json_terms(error.instance)
    if error.validator == "type" and rule.get("format") == "date" and not isinstance(error.instance, list | dict):
        # (a number, not "a string": quoting 20250602 gives a text no more a date than the number was)
        return f"{json_terms(error.instance)} is not a date", _write_date(as_written or error.instance), parts
    if error.validator == "type":
        value: Any = error.validator_value
        wanted = [str(t) for t in (value if isinstance(value, list) else [value])]
        hint = _read_as(as_written, error.instance) if "string" in wanted else None
        return f"{json_terms(error.instance)} is not {' or '.join(_TYPES.get(t, t) for t in wanted)}", hint, parts
    if error.validator == "enum" and not isinstance(error.instance, str):
        choices = [c if isinstance(c, str) else json_terms(c) for c in rule.get("enum", [])]
        alone = error.instance[0] if isinstance(error.instance, list) and len(error.instance) == 1 else None
        hint = (_read_as(as_written, error.instance) if as_written in choices
                else f"give one value, not a list: {json_terms(alone)}" if alone in rule.get("enum", [])
                else "expected one of: " + ", ".join(choices))
        return f"{json_terms(error.instance)} is not allowed here", hint, parts
    if error.validator == "additionalProperties":
        allowed = list(rule.get("properties", {}))
        extra = sorted(set(error.instance if isinstance(error.instance, dict) else ()) - set(allowed))
        key = extra[0] if extra else "?"
        return (f"unknown field {quote(key)}", did_you_mean(key, allowed), [*parts, key])
    if error.validator == "enum" and isinstance(error.instance, str):
        choices = [str(c) for c in rule.get("enum", [])]
        return (f"{quote(error.instance)} is not allowed here",
                did_you_mean(error.instance, choices) or "expected one of: " + ", ".join(choices), parts)
    if error.validator in ("oneOf", "anyOf") and "x-message" in rule and "x-example" in rule:  # a vocabulary's
        key = parts[-1] if parts and isinstance(parts[-1], str) else "it"
        return (f"{key}: {_flow(error.instance)} is none of its forms: {rule['x-message']}",
                f"e.g. {key}: {_flow(rule['x-example'])}", parts)
    if error.validator in ("oneOf", "anyOf") and "x-message" in rule:
        given = {k for form in rule[error.validator] for k in form.get("required", ())} & set(error.instance) \
            if isinstance(error.instance, dict) else {None}
        return rule["x-message"], None if given else rule.get("x-hint-neither"), parts  # (none of its forms' keys)
    if error.validator == "required":
        return error.message, None, parts
    if error.validator == "format":
        why = _no_such_day(error.instance)
        hint = _write_date(error.instance) if why == _NOT_ISO else None
        return f"{quote(error.instance)} is not a valid {error.validator_value}{why}", hint, parts
    if error.validator == "pattern" and "x-example" in rule:  # a citation's: what one looks like, not the pattern
        example = rule["x-example"]
        if document:  # the author's own document, not another body's
            example = f"{document} § {example.partition(' § ')[2]}"
        return (f"{quote(error.instance)} is not a citation: expected '<document file> § <section heading>', the "
                f"file name as the document block gives it, e.g. {quote(example)}", None, parts)
    if error.validator == "pattern" and "x-expected" in rule:  # what the pattern asks for, in words, never the regex
        return f"{quote(error.instance)} is not {rule['x-expected']}", rule.get("x-hint"), parts
    if error.validator == "pattern" and "x-message" in rule:  # a date's: the year out of bounds, or malformed
        from epa.inputs.validation import is_date

        problem = "is out of range" if is_date(str(error.instance)) else "is not a valid date"
        return f"{quote(error.instance)} {problem}: expected {rule['x-message']}", _BOUNDS, parts
    if error.validator in ("maximum", "minimum", "exclusiveMinimum") and "maximum" in rule:
        digits = len(str(abs(int(cast(Any, error.instance)))))  # (finite: NaN and infinities never get this far)
        shown = quote(error.instance) if digits <= 20 else f"a number of {digits:,} digits"
        return f"{shown} is out of range: expected {_range(rule)}", _BOUNDS, parts
    return _short_message(error), None, parts


_BOUNDS = 'see "Value bounds" in the README'


def _no_such_day(value: Any) -> str:
    """Why a value written YYYY-MM-DD is no date (2025-02-29: February 2025 has no day 29), as the CSV's dates are
    told; else the form expected."""
    # (ASCII digits: the schema's dates are; int() would read '٢٠٢٥' as 2025, and a day that exists be said not to)
    found = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", _date_written(value), re.ASCII) if isinstance(value, str) \
        else None
    if found is None:
        return _NOT_ISO
    year, month, day = map(int, found.groups())
    if year == 0:
        return ": there is no year 0"
    if not 1 <= month <= 12:
        return f": there is no month {month}"
    return f": {dt.date(2000, month, 1):%B} {year} has no day {day}"


_NOT_ISO = " (expected YYYY-MM-DD)"


def _write_date(value: Any) -> str:
    """How to write a date a record gives in another form: the days it can name, day first (as UK dates are
    written) then month first, never one chosen for the user; else the form with an example."""
    text = str(value).strip()
    whole = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text, re.ASCII)  # 20250602, as some exports write a day
    parts = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text, re.ASCII)
    # 2025/06/02, 2025-6-2, and 2025-06-02 itself (a space around it: the value is not text stripped)
    year_first = re.fullmatch(r"(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})", text, re.ASCII)
    if found := whole or year_first:
        days = [(int(found[1]), int(found[2]), int(found[3]))]
    elif parts:
        first, second, year = int(parts[1]), int(parts[2]), int(parts[3])
        days = list(dict.fromkeys([(year, second, first), (year, first, second)]))
    else:
        days = []
    readings = []
    for year, month, day in days:
        with contextlib.suppress(ValueError):
            readings.append(dt.date(year, month, day))
    if not readings and days:  # 29/02/2025, 20250229: the form is plain, the day is not
        read = ", day first or month first" if parts and len(days) > 1 else ""
        return f"{text} is no day of the calendar{read}: write the day meant as YYYY-MM-DD, e.g. 2025-06-02"
    if not readings:
        return "write it YYYY-MM-DD, e.g. 2025-06-02 for 2 June 2025"
    meant = " or ".join(f"{d:%Y-%m-%d} if {d.day} {d:%B %Y} is meant" for d in readings)
    return f"write it YYYY-MM-DD: {meant}"


def _date_written(value: str) -> str:
    """The date written before a time of day (epa.inputs.dates), else the value."""
    from epa.inputs.dates import ZonedTime, without_time

    try:
        return without_time(value)
    except ZonedTime as exc:
        return exc.day


def _range(rule: dict[str, Any]) -> str:
    """The range a bounded number's schema allows, in words: "a whole number from 0 to 1,000,000"."""
    kind = "a whole number" if rule.get("type") == "integer" else "a number"
    if "exclusiveMinimum" in rule:
        return f"{kind} above {rule['exclusiveMinimum']:,} and at most {rule['maximum']:,}"
    return f"{kind} from {rule.get('minimum', 0):,} to {rule['maximum']:,}"


def _short_message(error: jsonschema.ValidationError) -> str:
    """jsonschema's message, with the value it quotes shown in JSON terms (``json_terms``) and cut to QUOTE_LIMIT
    characters."""
    if isinstance(error.instance, str) and len(error.message) < 200:
        return error.message
    python = repr(error.instance)
    return error.message.replace(python, json_terms(error.instance)) if python in error.message else error.message


# A JSON Schema type in words, as a message says what was expected.
_TYPES = {"string": "a string", "integer": "a whole number", "number": "a number",
          "boolean": "a boolean (true or false)", "array": "a list", "object": "a mapping", "null": "null"}


def json_terms(value: Any) -> str:
    """A value for an error message in the terms the file is written in: a string quoted (``quote``), anything
    else as JSON writes it (false, 1.5, null, ["pass"]), cut to about QUOTE_LIMIT characters."""
    import json

    if isinstance(value, str):
        return quote(value)
    if isinstance(value, list | dict) and quote(value).endswith(" items)"):  # too large to show: its size
        return quote(value).replace("(…)", "[…]")
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except ValueError:  # (a NaN or an infinity never gets this far: the reader refuses them)
        return quote(value)
    return text if len(text) <= QUOTE_LIMIT else text[:QUOTE_LIMIT] + "…"


def _read_as(written: str | None, value: Any) -> str | None:
    """Where a text was meant: the file wrote it unquoted, so it was read as a boolean or a number."""
    if written is None or isinstance(value, str | list | dict):
        return None
    read = "" if written == json_terms(value) else f"unquoted, {written} is read as {json_terms(value)}: "
    return f'{read}quote it ("{written}") where the text is meant'


@cache
def _validator(schema_name: str) -> jsonschema.Draft202012Validator:
    """Built once per schema: a batch with many rejected records words each failure without rebuilding it."""
    import jsonschema

    return jsonschema.Draft202012Validator(schema(schema_name), format_checker=jsonschema.FormatChecker())


def expects_text(schema_name: str, parts: Sequence[Any]) -> bool:
    """Whether the schema's value at a JSON path is text: a string, or one of an enum of strings."""
    definition = schema(schema_name)
    node: Any = definition
    for part in (*parts, None):
        while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/$defs/"):
            node = definition.get("$defs", {}).get(node["$ref"][len("#/$defs/"):])
        if part is None or not isinstance(node, dict):
            break
        if isinstance(part, int):
            node = node.get("items")
        else:
            node = node.get("properties", {}).get(part, node.get("additionalProperties"))
    if not isinstance(node, dict):
        return False
    return node.get("type") == "string" or bool(node.get("enum")) and all(isinstance(v, str) for v in node["enum"])


def validate(data: Any, schema_name: str, source: Source) -> None:
    """Raise InputError listing every schema violation (up to five), the most relevant first."""
    from epa.inputs.validation import is_valid  # a check compiled once per schema: valid data skips jsonschema

    if is_valid(data, schema_name):
        return
    explained = schema_errors(data, schema_name, source)
    if not explained:
        return
    message, hint, parts = explained[0]
    also = tuple(Also(source.place(p), m, h) for m, h, p in explained[1:5])
    raise InputError(message, where=source.place(parts), hint=hint, also=also, more=max(0, len(explained) - 5))


def schema_errors(data: Any, schema_name: str, source: Source | None = None) -> list[tuple[str, str | None, list[Any]]]:
    """Every schema violation of the data, the most relevant first, each as (message, hint, JSON path parts):
    :func:`validate` raises the first few, ``epa check-rules`` lists and counts every one. ``source``: the file,
    to say how a value it writes unquoted was read."""
    from jsonschema.exceptions import relevance

    document = _document_of(data)
    written = source.written if source is not None else None
    errors = sorted(_validator(schema_name).iter_errors(data), key=relevance)
    # A date that is no date breaks its format and its bounds' pattern alike: the format's words say why, once
    no_dates = {tuple(e.absolute_path) for e in errors if e.validator == "format"}
    return [_explain(e, document, written) for e in errors
            if not (e.validator == "pattern" and tuple(e.absolute_path) in no_dates)]


def _document_of(data: Any) -> str | None:
    """The document file rules data encodes (a ruleset's ``document.file``, a journey file's ``document``), where
    it names one plainly."""
    document = data.get("document") if isinstance(data, dict) else None
    file = document.get("file") if isinstance(document, dict) else document
    return file if isinstance(file, str) and file and not any(c in file for c in "/\\\n") else None


def _flow(value: Any) -> str:
    """A value as YAML writes it in one line ({at_least: 0}), for a message about a rules file."""
    if isinstance(value, str):
        return quote(value)
    import yaml

    text = yaml.safe_dump(value, default_flow_style=True, width=1_000_000).strip().removesuffix("...").strip()
    return text if len(text) <= 80 else text[:80] + "…"


def json_line(raw: bytes, where: str) -> Any:
    """A cohort's line, read as a record file's JSON is read (the same bounds, refusals and words,
    ``epa.inputs.hostile``), its errors pointed at the line ``where`` (``<file>:<line>``) with their JSON path
    kept, or else their column."""
    try:
        return loads(decode(raw, LINE).rstrip("\r\n"), LINE, "json")[0]
    except InputError as exc:
        place = exc.place or Place()
        column = place.column if place.line is not None and not place.path else None
        message = exc.detail + (f" (column {column})" if column else "")
        file, _, line = where.rpartition(":")
        raise InputError(message, where=Place(file, int(line), None, place.path) if line.isdigit() else where,
                         hint=exc.hint or "each line holds one whole record as a JSON object") from None
