"""A request's URL read as the service reads it: its path and every query parameter's name and value are UTF-8
text without control or format characters, or the request is refused (400) naming the parameter.

Starlette decodes a percent-encoded byte that is no UTF-8 as U+FFFD, and a body's name is matched with its
punctuation aside (epa.registry.Registry.named): on e56ed49 ``?body=tqual%00`` and ``?body=tq%01ual`` were
answered for tqual, and ``/bodies/tqual%00/journey`` too, a name no one gave read as another's."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any
from urllib.parse import unquote_to_bytes

from epa.errors import CONTROL, NAME_CONTROL, character_named, hidden, quote
from epa.serve.problems import Problem

# a control character but the blanks (tab, line feed, carriage return): a query value's outer blanks are left out and
# one of blanks alone refused as the command line refuses --body " " (app._query); the command line's rule for a
# name it is given (epa.errors.control_in_name, which Registry.named applies to both)
QUERY_CONTROL = NAME_CONTROL


def checked(raw_path: bytes, query: bytes) -> None:
    """Refuse (400, ``bad-query`` or ``bad-path``) a path or a query parameter that is not UTF-8, or holds a
    control character (a NUL, a line break, DEL...)."""
    path = _text(unquote_to_bytes(raw_path))
    if path is None or hidden(path, CONTROL) or "\n" in path or "\t" in path:  # (no id holds a blank but a space)
        found = hidden(path, CONTROL) if path is not None else None
        raise Problem(400, "bad-path", f"the request's path {_shown(raw_path)} holds "
                      + ("bytes that are not UTF-8" if path is None else
                         character_named(found[1]) if found is not None else "a control character"),
                      hint="the endpoints' paths name bodies and standards by their ids (GET /bodies, "
                      "GET /standards)")
    for pair in query.split(b"&"):
        if not pair:
            continue
        raw_name, _, raw_value = pair.partition(b"=")
        name = _text(unquote_to_bytes(raw_name.replace(b"+", b" ")))
        value = _text(unquote_to_bytes(raw_value.replace(b"+", b" ")))
        called = name if name is not None and not _controlled(name) else _shown(raw_name)
        if name is None or value is None:
            raise Problem(400, "bad-query", f"the query parameter {called} is not UTF-8 text once percent-decoded "
                          f"({_shown(pair)} as sent)", hint="percent-encode the parameter's UTF-8 bytes (%C3%A9 for é)")
        if (held := _controlled(name) or _controlled(value)) is not None:
            part = "name" if _controlled(name) else "value"
            raise Problem(400, "bad-query", f"the {part} of the query parameter {called} holds {held} "
                          f"({_shown(pair)} as sent)", hint="leave it out: no body, standard, version, column or "
                          "sheet name holds one")


def _text(raw: bytes) -> str | None:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _controlled(text: str) -> str | None:
    """The control or format character ``text`` holds, as a message names it (errors.hidden), else None."""
    found = hidden(text, QUERY_CONTROL)
    return None if found is None else character_named(found[1])


def _shown(raw: bytes) -> str:
    """Bytes as sent, quoted, each control character and byte outside ASCII shown as its escape."""
    return quote(raw.decode("ascii", "backslashreplace"))


class ServerWide:
    """ASGI middleware: ``OPTIONS *`` (RFC 9110 § 9.3.7, asking what the server takes rather than one endpoint) is
    answered 204 with every method some endpoint takes in ``Allow``; it was 404, a path ``/*`` not found."""

    ALLOW = b"GET, HEAD, OPTIONS, POST"

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] == "OPTIONS" and scope.get("raw_path") == b"*":
            await send({"type": "http.response.start", "status": 204, "headers": [(b"allow", self.ALLOW)]})
            await send({"type": "http.response.body", "body": b""})
            return
        await self.app(scope, receive, send)
