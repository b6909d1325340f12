"""uvicorn's httptools protocol with a request's head bounded (HEAD_BYTES): httptools gathers a header's value
whole before handing it over, however long it is, so one client sending a header of 300 MB had the server hold 300
MB. Past the bound the request is answered 431 (RFC 6585 § 5) and the connection closed. (epa.serve.crowd bounds it
under h11, uvicorn's other parser.)

A request refused here (431; 408 for a head not sent within refusal.HEAD_SECONDS; 400 for bytes that are no HTTP
request) is answered as the app's early refusals are (epa.serve.linger): the answer written, the connection
half-closed, and what the client still sends read and thrown away (at most linger.DRAIN_BYTES, for
linger.DRAIN_SECONDS) before it is closed. Closed at once, with the client still sending its head, the kernel
answered what came after with a reset, and the client met ECONNRESET, never the answer."""

from __future__ import annotations

import asyncio
from typing import Any

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from epa.serve import refusal
from epa.serve.problems import Problem
from epa.serve.refusal import HEAD_BYTES


class BoundedHead(refusal.TimedHead, refusal.HalfClosed, refusal.CutAtStop, HttpToolsProtocol):  # type: ignore[misc]
    """A request's head (its line and headers) refused once past HEAD_BYTES: counted as its bytes arrive (a head
    still coming, over several reads), and as the parser reads it (a whole head in one read, up to the socket's
    buffer, is parsed before any count of arrivals could see it end).

    A connection past ``max_connections`` (--max-connections; each holds a file descriptor, and a client opening
    thousands would have the process run out of them) is answered 503 at once, before its request is read, and
    closed: lingering as other refusals do while the refused ones are few, at once past as many again."""

    max_connections: int | None = None  # set by epa.serve.app.create_app, in each worker process

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.heading, self.head_bytes, self.head_read = True, 0, 0  # (a connection starts with a head)
        self.coding: bytes | None = None  # the request's Transfer-Encoding, where it gives one
        self.hosts = 0  # the Host headers it gives
        self.refused = False  # (once refused, the connection is done: no later request of it reaches the app)
        self.drained = 0  # bytes read and thrown away since the refusal
        self.pending: Problem | None = None  # a refusal said once the answers before it have been
        self.heard = _Heard(self.parser)
        self.parser = self.heard  # type: ignore[assignment]  # (its words kept: send_400_response)

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        limit = self.max_connections
        if limit is not None and len(self.connections) > limit:
            self._refuse(refusal.too_many(limit), linger=len(self.connections) <= 2 * limit)
            return
        self._time_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._untimed()
        super().connection_lost(exc)

    def _awaiting_head(self) -> bool:
        return self.cycle is None or self.cycle.response_complete  # (a head sent, its request being answered: no)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.heading, self.head_bytes, self.head_read = True, 0, 0
        self.coding, self.hosts = None, 0

    def on_url(self, url: bytes) -> None:
        self.head_read += len(url)
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self.head_read += len(name) + len(value) + 4  # (": " and the line's end)
        if name.lower() == b"host":
            self.hosts += 1
        if name.lower() == b"transfer-encoding":
            self.coding = value if self.coding is None else self.coding + b", " + value
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self.heading = False
        self.url = refusal.origin_form(self.url)
        self._untimed()
        if self.head_read > HEAD_BYTES and not self.refused:
            self._refuse(refusal.head_too_large())  # (the app never sees it)
        unknown = None if self.coding is None else refusal.chunked_only(self.coding)
        if unknown is not None and not self.refused:
            self._refuse(unknown)
        # (RFC 9112 § 3.2: more than one Host refused whatever the version; none only from HTTP/1.1 on)
        if (self.hosts > 1 or self.hosts == 0 and self.parser.get_http_version() == "1.1") and not self.refused:
            self._refuse(refusal.hosts(self.hosts))
        if not self.refused:
            super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if not self.refused:
            super().on_body(body)

    def on_message_complete(self) -> None:
        if not self.refused:
            super().on_message_complete()

    def data_received(self, data: bytes) -> None:
        if refusal.thrown_away(self, data):  # answered: what the client still sends, within the drain's bounds
            return
        if self.heading:
            self.head_bytes += len(data)
        super().data_received(data)
        if self.heading and self.head_bytes > HEAD_BYTES and not self.refused:
            self._refuse(refusal.head_too_large())

    def on_response_complete(self) -> None:
        if self.pending is None or self.pipeline:
            super().on_response_complete()
            self._after_answer()
            if not self.transport.is_closing() and not self.pipeline:
                self._time_head()  # (the next request's head, on a kept-alive connection)
            return
        problem, self.pending = self.pending, None
        self._refuse(problem)

    def send_400_response(self, msg: str) -> None:
        """Bytes that are no HTTP request: refusal.not_http (saying so of a request framed two ways, which httptools
        refuses as it refuses any other bytes it cannot read)."""
        if self.refused:  # (what the parser read on past a refusal: answered already)
            return
        said = self.heard.error
        twice = "Content-Length" in said and "Transfer-Encoding" in said  # (llhttp's words, either way round)
        if "Transfer-Encoding" in said and not twice:  # (a coding llhttp does not take: 501, as under h11)
            self._refuse(refusal.unknown_coding())
            return
        self._refuse(refusal.not_http(self.client, refusal.FRAMED_TWICE if twice else None,
                                      refusal.FRAMED_HINT if twice else None))

    def _refuse(self, problem: Problem, linger: bool = True) -> None:
        """Answer ``problem`` and close the connection, once what the client still sends has been read and thrown
        away (``linger``), else at once."""
        self.refused = True
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            if cycle.more_body and not cycle.response_started:  # its own body is what cannot be read (a chunk's
                cycle.disconnected = True  # size that is no number): answered now, the app told the client has
                cycle.message_event.set()  # gone, not left awaiting a body that will never come
            else:  # the answer to a request before it is still going out (or a pipelined one waits): said after
                self.pending = problem
                return
        refusal.answer(self.transport, self.loop, problem, linger)


class _Heard:
    """httptools' parser, the words of the error it last refused a request with kept (``error``): uvicorn drops
    them, and says every refusal alike."""

    def __init__(self, parser: Any):
        self.parser, self.error = parser, ""

    def feed_data(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self.error = str(exc)
            raise

    def __getattr__(self, name: str) -> Any:
        return getattr(self.parser, name)
