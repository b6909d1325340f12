"""--max-connections, and a request's head timed, under uvicorn's h11 protocol, which serves where httptools is not
installed (epa.serve.heads bounds them under httptools): a connection past the bound is answered 503 at once, before
its request is read, and closed, as there; a head not all sent within refusal.HEAD_SECONDS is answered 408, as there.
Without them h11 held every connection a client opened, until the process ran out of file descriptors, while the
OpenAPI document promised the 503; and a head sent a byte now and then held its connection for as long as its client
liked (uvicorn's keep-alive timer is cancelled by any byte received). A head's size is bounded at refusal.HEAD_BYTES
(431), as there: one still arriving by h11's own bound, one whole in h11's buffer by its count (on 6b31b37 a head of
64 to about 128 KB, sent in one write, was answered).

A request read as httptools reads it: one giving both Content-Length and Transfer-Encoding refused (400, and the
connection closed), one whose Transfer-Encoding is other than chunked alone 501 (refusal.chunked_only), and one whose
target is in absolute form (``GET http://host/bodies``, RFC 9112 § 3.2.2, which a server must accept) answered for
its path. On 6b31b37 h11 took the first as chunked and kept the connection (request smuggling, behind a proxy that
reads Content-Length), and answered the last 404, its path taken to be the whole URL."""

from __future__ import annotations

import asyncio
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from epa.serve import refusal
from epa.serve.problems import Problem


class _AsHttptools(h11.Connection):  # type: ignore[misc]
    """h11's reading, with the two differences from httptools' above taken away (``why``: the refusal's words,
    where a request is refused here)."""

    why: str | None = None
    refused_as: Problem | None = None  # a request refused otherwise than as bytes that are no HTTP (501)

    def next_event(self) -> Any:
        try:
            event = super().next_event()
        except h11.RemoteProtocolError as exc:
            if exc.error_status_hint == 501:  # (h11's for a Transfer-Encoding other than chunked alone, and only that)
                self.refused_as = refusal.unknown_coding()
            elif "Host" in str(exc):  # (its words for a head with no Host header, or several: not said otherwise)
                self.refused_as = refusal.hosts(0 if "Missing" in str(exc) else 2)
            raise
        if isinstance(event, h11.Request):
            if len(event.target) + sum(len(name) + len(value) + 4 for name, value in event.headers) > \
                    refusal.HEAD_BYTES:  # (a head whole in h11's buffer, past the bound: h11 bounds only one arriving)
                self.refused_as = refusal.head_too_large()
                raise h11.RemoteProtocolError("head too large", error_status_hint=431)
            names = {name for name, _ in event.headers}  # (h11 gives them lower-case)
            if b"content-length" in names and b"transfer-encoding" in names:
                self.why = refusal.FRAMED_TWICE
                raise h11.RemoteProtocolError("Content-Length and Transfer-Encoding", error_status_hint=400)
            if event.method in (b"CONNECT", b"PRI"):  # (a proxy's tunnel, which this is not, or HTTP/2's preface:
                raise h11.RemoteProtocolError("CONNECT", error_status_hint=400)  # refused as httptools does)
            target = refusal.origin_form(event.target)
            if target != event.target:
                event = h11.Request(method=event.method, headers=event.headers, http_version=event.http_version,
                                    target=target)
        return event


class CountedH11(refusal.TimedHead, refusal.HalfClosed, refusal.CutAtStop, H11Protocol):  # type: ignore[misc]
    max_connections: int | None = None  # set by epa.serve.app.create_app, in each worker process

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # a head still arriving held up to refusal.HEAD_BYTES, as under httptools: h11's own bound (16 KiB) refused a
        # head of 20 KB sent in two reads, and took one sent in one, and said either as bytes that are no HTTP
        self.conn = self.reading = _AsHttptools(h11.SERVER, max_incomplete_event_size=refusal.HEAD_BYTES)
        self.refused = False
        self.drained = 0  # bytes read and thrown away since the refusal

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        limit = self.max_connections
        if limit is not None and len(self.connections) > limit:
            self.refused = True  # (lingering while the refused are few, closed at once past as many again)
            refusal.answer(transport, self.loop, refusal.too_many(limit), linger=len(self.connections) <= 2 * limit)
            return
        self._time_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._untimed()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if refusal.thrown_away(self, data):  # answered: what the client still sends, within the drain's bounds
            return
        super().data_received(data)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._after_answer()
        if not self.transport.is_closing():
            self._time_head()  # (the next request's head, on a kept-alive connection)

    def _awaiting_head(self) -> bool:
        """No request's head has come since the connection or the answer before (h11 reads one as it arrives, and
        is IDLE until it is whole)."""
        return self.conn.their_state is h11.IDLE and (self.cycle is None or self.cycle.response_complete)

    def send_400_response(self, msg: str) -> None:
        """Bytes that are no HTTP request (a bad request line, header or chunk): refusal.not_http, as under httptools,
        not uvicorn's plain text, which under h11 was logged by no one; a head still arriving past HEAD_BYTES (h11
        refuses what it holds past its bound, unread): 431, as under httptools."""
        if len(self.conn.trailing_data[0]) > refusal.HEAD_BYTES:
            self._refuse(refusal.head_too_large())
            return
        if self.reading.refused_as is not None:
            self._refuse(self.reading.refused_as)
            return
        why = self.reading.why
        self._refuse(refusal.not_http(self.client, why, refusal.FRAMED_HINT if why else None))

    def _refuse(self, problem: Problem) -> None:
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            if cycle.response_started:  # (an answer going out cannot be followed by another: cut, as uvicorn does)
                self.transport.close()
                return
            cycle.disconnected = True  # the app told the client has gone, not left awaiting a body that will not come
            cycle.message_event.set()
        self.refused = True
        refusal.answer(self.transport, self.loop, problem, linger=True)
