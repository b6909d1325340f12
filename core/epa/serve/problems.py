"""Errors as RFC 9457 problem details (``application/problem+json``), carrying what the command line says: the
message, the JSON path (and line and column) where the input is wrong, and the hint."""

from __future__ import annotations

import re
from typing import Any

import msgspec

from epa.errors import InputError, PluginError

MEDIA_TYPE = "application/problem+json"
TYPES = "https://epa.invalid/problems/"  # each kind of problem's type URI: this base and its slug

# documents' `where`: "<stdin>", "<stdin>:LINE:COLUMN" (a syntax error), "<stdin>: $.path" or "<stdin>:LINE:COL: $.path"
_WHERE = re.compile(r"^[^:]*(?::(\d+):(\d+))?(?:: (\$.*))?$", re.S)

TITLES = {
    400: "Bad request", 404: "Not found", 405: "Method not allowed", 406: "Not acceptable", 408: "Request timeout",
    413: "Request body too large", 415: "Unsupported media type", 422: "Invalid record",
    500: "Internal error", 503: "Busy",
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


def from_input_error(exc: InputError, status: int, slug: str) -> Problem:
    """The command line's InputError as a problem: its message, hint, and the JSON path (line and column) its
    ``where`` names."""
    found = _WHERE.match(exc.where or "")
    line, column, path = found.groups() if found else (None, None, None)
    extra: dict[str, Any] = {}
    if line:
        extra["line"], extra["column"] = int(line), int(column or 0)
    return Problem(status, slug, exc.message, hint=exc.hint, path=path, **extra)


def from_plugin_error(exc: PluginError) -> Problem:
    return Problem(500, "plugin-failed", str(exc), plugin=exc.plugin, hook=exc.hook)
