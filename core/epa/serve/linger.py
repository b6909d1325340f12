"""A request refused before its body is read (413 by its Content-Length, 503 busy, 406, 415...) is answered, then
its body read to its end (at most DRAIN_BYTES, for DRAIN_SECONDS) before the answer is ended and the connection
perhaps closed: a lingering close (RFC 9112 § 9.6), at the level of the ASGI messages.

Without it uvicorn closes a connection the client asked to close (``Connection: close``, as urllib sends) as soon
as the answer is written, the body's rest unread: the kernel answers what the client still sends with a reset, and
a client that sends its whole body before it reads (urllib, many others) meets ECONNRESET, never the answer. The
answer's bytes go out first (with its Content-Length, so a client reading as it sends has it whole at once); only
the end of the response, on which uvicorn closes, waits for the body.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[MutableMapping[str, Any], Receive, Send], Awaitable[None]]

DRAIN_BYTES = 256 << 20  # a body's bytes read after its answer: past them, the connection is closed as it was
DRAIN_SECONDS = 3.0  # and for at most this long (within run.GRACE, a stop's grace, so a stop is not held by it)


class Lingering:
    """ASGI middleware: an answer given before the request's body was all received ends once it has been (within
    the bounds above); the body read is thrown away."""

    def __init__(self, app: App):
        self.app = app

    async def __call__(self, scope: MutableMapping[str, Any], receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers", ()))  # (names lower-case in ASGI; a repeated one's last value will do)
        if scope["type"] != "http" or headers.get(b"content-length", b"0").strip() in (b"0", b"") and \
                b"transfer-encoding" not in headers:  # no body (a GET): nothing left unread
            await self.app(scope, receive, send)
            return
        state = {"asked": False, "ended": False}  # the app asked for the body; the body (or the client) ended
        # a client waiting to be told to send (Expect: 100-continue) sends nothing until the app asks: nothing to read
        waits = headers.get(b"expect", b"").strip().lower() == b"100-continue"

        async def received() -> Message:
            state["asked"] = True
            message = await receive()
            if message["type"] == "http.disconnect" or not message.get("more_body", False):
                state["ended"] = True
            return message

        async def sent(message: Message) -> None:
            if message["type"] != "http.response.body" or message.get("more_body", False) or state["ended"] or \
                    (waits and not state["asked"]):
                await send(message)
                return
            await send({**message, "more_body": True})
            await _drain(receive)
            await send({"type": "http.response.body", "body": b"", "more_body": False})

        await self.app(scope, received, sent)


async def _drain(receive: Receive) -> None:
    """Read the request's body to its end, or until DRAIN_BYTES or DRAIN_SECONDS have passed."""
    deadline, size = time.monotonic() + DRAIN_SECONDS, 0
    while size <= DRAIN_BYTES:
        left = deadline - time.monotonic()
        if left <= 0:
            return
        try:
            message = await asyncio.wait_for(receive(), timeout=left)
        except TimeoutError:
            return
        if message["type"] == "http.disconnect" or not message.get("more_body", False):
            return
        size += len(message.get("body", b""))
