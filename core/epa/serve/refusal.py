"""Connections ended below the application, by either of uvicorn's HTTP protocols (epa.serve.heads, crowd).

A request's head (its line and headers) not all sent within HEAD_SECONDS of the connection, or of the answer before
on a kept-alive one (a head sent a byte now and then, or never: slowloris), is refused 408 (TimedHead), under either
parser: uvicorn times only an idle kept-alive connection, and under h11 not even that once a byte has come.

A connection refused (a head too large or too slow, bytes that are no request, one connection too many): the problem
written as a whole HTTP answer, then the connection half-closed and what the client still sends read and thrown away
(at most linger.DRAIN_BYTES, for linger.DRAIN_SECONDS) before it is closed. Closed at once, with the client still
sending, the kernel answered what came after with a reset, and the client met ECONNRESET, never the answer.

A connection still open CUT_OFF seconds into a stop (its client reading nothing of a batch's output): cut off, and
said in one line, within uvicorn's grace. Left to the grace, uvicorn cancelled the answer, logging
asyncio.CancelledError's traceback, or (an answer written whole but not read) waited on its close past the grace,
logging its own error."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import sys
from typing import Any

import msgspec

from epa.serve.linger import DRAIN_BYTES, DRAIN_SECONDS
from epa.serve.problems import MEDIA_TYPE, Problem
from epa.serve.settings import CUT_OFF

HEAD_BYTES = 64 << 10  # a request's line and headers: a browser's, cookies and all, is a few KB
HEAD_SECONDS = 30.0  # a request's line and headers may take this long to arrive, from the connection (or the answer
# before) on

REASONS = {400: b"Bad Request", 408: b"Request Timeout", 431: b"Request Header Fields Too Large",
           501: b"Not Implemented", 503: b"Service Unavailable"}


def answer(transport: asyncio.Transport, loop: asyncio.AbstractEventLoop, problem: Problem, linger: bool) -> None:
    """Write ``problem`` and close the connection, once what the client still sends has been read and thrown away
    (``linger``: the protocol throws it away as it comes), else at once."""
    said = problem.document("")
    del said["instance"]  # (the head is not all read: no endpoint to name)
    body = msgspec.json.encode(said)
    more = b"".join(b"%s: %s\r\n" % (name.lower().encode(), value.encode())
                    for name, value in problem.headers.items())  # (Retry-After)
    transport.write(b"HTTP/1.1 %d %s\r\ncontent-type: " % (problem.status, REASONS[problem.status])
                    + MEDIA_TYPE.encode() + b"\r\ncontent-length: %d\r\n%sconnection: close\r\n\r\n"
                    % (len(body), more) + body)
    if not linger or not transport.can_write_eof():
        transport.close()  # (what was written goes out first)
        return
    transport.write_eof()  # the answer is all there is: the client reads it, then the end
    loop.call_later(DRAIN_SECONDS, transport.close)


# a request framed two ways (RFC 9112 § 6.1: a server may refuse it, and else must read it as chunked and close the
# connection after): refused under either parser, httptools refusing it itself. h11 read it as chunked and kept the
# connection open, which is how a request is smuggled past a proxy that read it by its Content-Length
FRAMED_TWICE = ("the request gives both Content-Length and Transfer-Encoding, which frame its body two ways (RFC 9112 "
                "§ 6.1); it is refused, not read by one of them")
FRAMED_HINT = "send one of them: Content-Length for a body whose size is known, else Transfer-Encoding: chunked"


_ABSOLUTE = re.compile(rb"(?i)https?://[^/?#]*")


def origin_form(target: bytes) -> bytes:
    """A request's target as its path and query: one in absolute form (``http://host/bodies?x=1``, RFC 9112 §
    3.2.2, which a server must accept) without its scheme and host, which the service does not check (the host a
    client names is its own affair); ``http://host`` alone is ``/``. Under either parser alike: uvicorn's h11
    protocol took the whole URL for the path (404), its httptools one failed on a URL without a path (400)."""
    absolute = _ABSOLUTE.match(target)
    if absolute is None:
        return target
    path = target[absolute.end():]
    return path if path.startswith(b"/") else b"/" + path


def hosts(count: int) -> Problem:
    """An HTTP/1.1 request without a Host header, or any request with more than one: RFC 9112 § 3.2 says a server
    must refuse it (400). httptools took either; h11 refused them as bytes that are no HTTP request."""
    said = "gives no Host header; an HTTP/1.1 request gives one" if count == 0 else \
        "gives more than one Host header; a request gives one at most"
    return Problem(400, "malformed-request", f"the request {said} (RFC 9112 § 3.2)",
                   hint="send one Host header, naming the server asked (e.g. Host: 127.0.0.1:8000)")


def chunked_only(coding: bytes) -> Problem | None:
    """A request whose Transfer-Encoding (``coding``) is other than ``chunked`` alone
    (``gzip, chunked``, ``identity``, ``chunked, chunked``), refused 501 (RFC 9112 § 6.1: a server should answer a
    transfer coding it does not know so), under either parser: httptools read ``gzip, chunked`` as chunked, its gzip
    coding left on the bytes, which were then refused as no UTF-8 text; h11 refused each as bytes that are no HTTP
    request, as httptools did the others. None where it is ``chunked``."""
    if coding is not None and [part.strip() for part in coding.lower().split(b",")] == [b"chunked"]:
        return None
    return unknown_coding()


def unknown_coding() -> Problem:
    return Problem(501, "transfer-coding-not-implemented", "the request's Transfer-Encoding is not chunked alone; "
                   "the service reads a body sent chunked, or with a Content-Length",
                   hint="send the body uncompressed, with Content-Length or Transfer-Encoding: chunked alone")


def not_http(client: tuple[str, int] | None, why: str | None = None, hint: str | None = None) -> Problem:
    """Bytes that are no HTTP request (a bad request line, header or chunk, on a connection's first request or a
    later one): a problem, as every other refusal is, not uvicorn's plain text; logged as the server says what it
    does, in one line of its words (uvicorn's own warning, just before, is left out by NotHttp). ``why``: what is
    wrong, where the protocol knows it (FRAMED_TWICE), with its ``hint``."""
    said = f"{client[0]}:{client[1]}" if client else "a client"
    with contextlib.suppress(OSError, ValueError):  # (standard error full or closed: answered all the same)
        print(f"epa serve: {said} sent bytes that are no HTTP request: answered 400 malformed-request",
              file=sys.stderr, flush=True)
    if why is not None:
        return Problem(400, "malformed-request", why, hint=hint)
    return Problem(400, "malformed-request", "the request is not HTTP/1.1 as RFC 9112 writes it: its request line, "
                   "a header or its body's framing could not be read", hint="send the request again with a "
                   "well-formed request line and headers (a value percent-encoded in the URL)")


# uvicorn's warnings the service's log leaves out: bytes that are no HTTP request (said by not_http in the server's
# words), and a request asking to upgrade to another protocol (a WebSocket, h2c), which is answered as the HTTP/1.1
# request it also is; uvicorn's second line told the operator to install a WebSocket library the service has no use
# for
UVICORN_SAID = ("Invalid HTTP request received.", "Unsupported upgrade request.", "No supported WebSocket library")


class NotHttp(logging.Filter):
    """uvicorn's warnings (UVICORN_SAID) for what the server answers in its own words: the service's log is its
    own, not a library's."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.levelno == logging.WARNING and isinstance(record.msg, str) and
                    record.msg.startswith(UVICORN_SAID))


logging.getLogger("uvicorn.error").addFilter(NotHttp())


def head_too_large() -> Problem:
    return Problem(431, "head-too-large", f"the request's line and headers are larger than {HEAD_BYTES} bytes",
                   hint="send fewer or shorter headers (a cohort goes in the body of POST /batch)")


def too_many(limit: int) -> Problem:
    return Problem(503, "too-many-connections", f"the server holds as many connections as it takes ({limit}, the "
                   "server's --max-connections)", hint="send it again once a connection is free; a client's "
                   "requests can share one kept-alive connection", headers={"Retry-After": "1"})


def thrown_away(protocol: Any, data: bytes) -> bool:
    """Whether ``data`` reached a connection already answered with a refusal (``protocol.refused``, under either of
    uvicorn's parsers): then it is read and thrown away, the connection closed once ``protocol.drained`` passes
    DRAIN_BYTES."""
    if not protocol.refused:
        return False
    protocol.drained += len(data)
    if protocol.drained > DRAIN_BYTES:
        protocol.transport.close()
    return True


class TimedHead:
    """Mixed into an HTTP protocol of uvicorn's: a request's head not all sent within HEAD_SECONDS is refused 408.
    The protocol says when it is awaiting a head (``_awaiting_head``) and how it refuses (``_refuse``); it times the
    head from the connection (``_time_head`` in connection_made) and from each answer's end, and cancels the timer
    when the connection is lost (``_untimed``)."""

    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport
    refused: bool
    head_timer: asyncio.TimerHandle | None = None

    def _awaiting_head(self) -> bool:
        raise NotImplementedError

    def _refuse(self, problem: Problem) -> None:
        raise NotImplementedError

    def _time_head(self) -> None:
        self._untimed()
        self.head_timer = self.loop.call_later(HEAD_SECONDS, self._head_late)

    def _untimed(self) -> None:
        if self.head_timer is not None:
            self.head_timer.cancel()
            self.head_timer = None

    def _head_late(self) -> None:
        self.head_timer = None
        if self.refused or self.transport.is_closing() or not self._awaiting_head():
            return  # (a request being answered: its head came whole; the answer's end times the next)
        self._refuse(Problem(408, "request-timeout", f"the request's line and headers were not sent within "
                             f"{HEAD_SECONDS:g} s", hint="send the request again, whole"))


class HalfClosed:
    """Mixed into an HTTP protocol of uvicorn's: a client that sends its request and then closes its side of the
    connection (``shutdown(SHUT_WR)``: ``nc -N``, ``curl`` reading a file from a pipe into some proxies, scripts) is
    answered, then the connection closed. asyncio closes a transport whose protocol's eof_received returns a false
    value, as uvicorn's do: on 246753b the answer to a request whole in hand was lost, the client reading nothing. A
    request whose head or body the close cut short is not answered (nothing more of it can come): the app is told
    the client has gone, as before."""

    transport: asyncio.Transport
    refused: bool
    cycle: Any
    client_done = False  # the client has closed its side: no request comes after those in hand

    def eof_received(self) -> bool | None:
        cycle = self.cycle
        if self.refused or cycle is None or cycle.response_complete or cycle.more_body:
            return None  # (refused: answered already; else nothing whole to answer): closed
        self.client_done = True
        return True  # open for the answer

    def _after_answer(self) -> None:
        """Close the connection once the client's last request is answered."""
        cycle = self.cycle
        if self.client_done and (cycle is None or cycle.response_complete) and not getattr(self, "pipeline", None):
            self.transport.close()


class CutAtStop:
    """Mixed into an HTTP protocol of uvicorn's: a connection still open CUT_OFF seconds after the server began to
    stop is aborted (closing it would wait on its client to read what is buffered), its request said in one line."""

    transport: asyncio.Transport
    loop: asyncio.AbstractEventLoop
    client: tuple[str, int] | None
    scope: Any

    def shutdown(self) -> None:
        super().shutdown()  # type: ignore[misc]
        self.loop.call_later(CUT_OFF, self._cut)

    def _cut(self) -> None:
        if getattr(self, "lost", False):
            return
        self.lost = True
        client = f"{self.client[0]}:{self.client[1]}" if self.client else "a client"
        asked = f"'s {self.scope['method']} {self.scope['path']}" if self.scope else ""
        with contextlib.suppress(OSError, ValueError):  # (standard error full or closed: cut off all the same)
            print(f"epa serve: the answer to {client}{asked} was cut off {CUT_OFF:g} s into the stop: its client had "
                  "not read it", file=sys.stderr, flush=True)
        self.transport.abort()

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        super().connection_lost(exc)  # type: ignore[misc]
