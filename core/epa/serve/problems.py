"""Errors as RFC 9457 problem details (``application/problem+json``), carrying what the command line says: the
message, the JSON path (and line and column) where the input is wrong, and the hint."""

from __future__ import annotations

import re
from typing import Any

import msgspec

from epa.errors import InputError, Place, PluginError

MEDIA_TYPE = "application/problem+json"
TYPES = "https://epa.invalid/problems/"  # each kind of problem's type URI: this base and its slug


TITLES = {
    400: "Bad request", 404: "Not found", 405: "Method not allowed", 406: "Not acceptable", 408: "Request timeout",
    413: "Request body too large", 415: "Unsupported media type", 431: "Request head too large", 422: "Invalid record",
    500: "Internal error", 501: "Not implemented", 503: "Busy",
}


SLUG_TITLES = {"invalid-cohort": "Invalid cohort", "invalid-outcomes": "Invalid outcomes file",
               "shutting-down": "Shutting down",  # where the status's title would say "record" or "busy" wrongly
               "decision-log-unwritable": "Decision log unwritable",
               "timeout": "Time limit reached"}  # (an audit longer than --batch-seconds: not the server busy)


class Problem(Exception):
    """An error the service answers with a problem document."""

    def __init__(self, status: int, slug: str, detail: str, *, hint: str | None = None, path: str | None = None,
                 headers: dict[str, str] | None = None, **extra: Any):
        super().__init__(detail)
        self.status, self.slug, self.detail, self.hint, self.path = status, slug, detail, hint, path
        self.headers = headers or {}
        self.extra = extra

    def document(self, instance: str) -> dict[str, Any]:
        title = SLUG_TITLES.get(self.slug) or TITLES.get(self.status, "Error")
        body: dict[str, Any] = {"type": TYPES + self.slug, "title": title,
                                "status": self.status, "detail": self.detail, "instance": instance}
        if self.path is not None:
            body["path"] = self.path
        body.update(self.extra)
        if self.hint is not None:
            body["hint"] = self.hint
        return body

    def encode(self, instance: str) -> bytes:
        return msgspec.json.encode(self.document(instance))


# What the command line says of the bodies chosen with --bodies is, to a server's client, the bodies the server was
# started with: something it cannot change, so not a query parameter (only /consistency takes ?bodies=, for another
# purpose), nor advice to choose them. A command it names has its endpoint's name instead.
_SERVER_WORDS = (
    (re.compile(r"`epa criteria --standard ([^`\s]+)` lists the criteria"), r"GET /standards/\1/criteria lists them"),
    (re.compile(r"chosen: (.*?); add .*? to --bodies \(or EPA_BODIES\), or leave --bodies out to use every installed "
                r"body"), r"served: \1; a server started without --bodies (or EPA_BODIES) serves every installed body"),
    (re.compile(r"chosen with --bodies \(or EPA_BODIES\)"), "this server serves (its --bodies, or EPA_BODIES)"),
    (re.compile(r"installed but not chosen"), "installed but not served"),
    (re.compile(r"`epa bodies`"), "GET /bodies"),
)


def from_input_error(exc: InputError, status: int, slug: str) -> Problem:
    """The command line's InputError as a problem: its first problem's detail and hint, and the JSON path (line
    and column; a cohort's header, its line alone) of its place. The further problems the command line lists on
    "also:" lines are ``also``, each with its own detail and JSON path (and ``more``: how many past them), not
    lines of the detail naming standard input; and the bodies the command line says were chosen with --bodies are
    those the server serves."""
    place = exc.place
    extra: dict[str, Any] = _located(place, path=False)
    if exc.more:
        extra["more"] = exc.more
    if exc.also:
        extra["also"] = [{"detail": server_words(a.detail), **_located(a.place)} for a in exc.also]
    return Problem(status, slug, str(server_words(exc.detail)), hint=server_words(exc.hint),
                   path=place.path if place is not None else None, **extra)


def _located(place: Place | None, path: bool = True) -> dict[str, Any]:
    """A problem's JSON path, line and column (1-based), each where it is known: a cohort's header or a
    workbook's row has a line and no column, and is not said to be at a column 0."""
    if place is None:
        return {}
    return {**({"path": place.path} if path and place.path is not None else {}),
            **({"line": place.line} if place.line is not None else {}),
            **({"column": place.column} if place.line is not None and place.column is not None else {})}


def server_words(text: str | None) -> str | None:
    """The command line's words for the bodies it chose (and for a command) as a server's client reads them."""
    if text is None:
        return text
    for pattern, replacement in _SERVER_WORDS:
        text = pattern.sub(replacement, text)
    return text


def from_plugin_error(exc: PluginError) -> Problem:
    return Problem(500, "plugin-failed", str(exc), plugin=exc.plugin, hook=exc.hook)
