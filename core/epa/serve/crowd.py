"""--max-connections under uvicorn's h11 protocol, which serves where httptools is not installed (epa.serve.heads
bounds them under httptools): a connection past the bound is answered 503 at once, before its request is read,
and closed, as there. Without it h11 held every connection a client opened, until the process ran out of file
descriptors, while the OpenAPI document promised the 503. (h11 bounds a request's head itself.)"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from epa.serve import refusal


class CountedH11(refusal.CutAtStop, H11Protocol):
    max_connections: int | None = None  # set by epa.serve.app.create_app, in each worker process

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.refused = False
        self.drained = 0  # bytes read and thrown away since the refusal

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        limit = self.max_connections
        if limit is not None and len(self.connections) > limit:
            self.refused = True  # (lingering while the refused are few, closed at once past as many again)
            refusal.answer(transport, self.loop, refusal.too_many(limit), linger=len(self.connections) <= 2 * limit)

    def data_received(self, data: bytes) -> None:
        if refusal.thrown_away(self, data):  # answered: what the client still sends, within the drain's bounds
            return
        super().data_received(data)

    def send_400_response(self, msg: str) -> None:
        """Bytes that are no HTTP request (a bad request line, header or chunk): refusal.not_http, as under httptools,
        not uvicorn's plain text, which under h11 was logged by no one."""
        problem = refusal.not_http(self.client)
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            if cycle.response_started:  # (an answer going out cannot be followed by another: cut, as uvicorn does)
                self.transport.close()
                return
            cycle.disconnected = True  # the app told the client has gone, not left awaiting a body that will not come
            cycle.message_event.set()
        self.refused = True
        refusal.answer(self.transport, self.loop, problem, linger=True)

    def eof_received(self) -> None:
        if not self.refused:
            super().eof_received()
