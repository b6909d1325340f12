"""uvicorn's httptools protocol with a request's head bounded (HEAD_BYTES): httptools gathers a header's value
whole before handing it over, however long it is, so one client sending a header of 300 MB had the server hold 300
MB. Past the bound the request is answered 431 (RFC 6585 § 5) and the connection closed. (h11, uvicorn's other
parser, bounds it itself.)"""

from __future__ import annotations

from typing import Any

import msgspec
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from epa.serve.problems import MEDIA_TYPE, Problem

HEAD_BYTES = 64 << 10  # a request's line and headers: a browser's, cookies and all, is a few KB


class BoundedHead(HttpToolsProtocol):
    """A request's head (its line and headers) refused once past HEAD_BYTES: counted as its bytes arrive (a head
    still coming, over several reads), and as the parser reads it (a whole head in one read, up to the socket's
    buffer, is parsed before any count of arrivals could see it end)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.heading, self.head_bytes, self.head_read = True, 0, 0  # (a connection starts with a head)
        self.refused = False  # (once refused, the connection is done: no later request of it reaches the app)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.heading, self.head_bytes, self.head_read = True, 0, 0

    def on_url(self, url: bytes) -> None:
        self.head_read += len(url)
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self.head_read += len(name) + len(value) + 4  # (": " and the line's end)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self.heading = False
        if self.head_read > HEAD_BYTES:
            self.refused = True  # (answered once this read is parsed, data_received: the app never sees it)
        if not self.refused:
            super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if not self.refused:
            super().on_body(body)

    def on_message_complete(self) -> None:
        if not self.refused:
            super().on_message_complete()

    def data_received(self, data: bytes) -> None:
        if self.refused:
            return
        if self.heading:
            self.head_bytes += len(data)
        super().data_received(data)
        if self.heading and self.head_bytes > HEAD_BYTES:
            self.refused = True
        if self.refused and not self.transport.is_closing():
            self._refuse()

    def _refuse(self) -> None:
        problem = Problem(431, "head-too-large", f"the request's line and headers are larger than {HEAD_BYTES} "
                          "bytes", hint="send fewer or shorter headers (a cohort goes in the body of POST /batch)")
        said = problem.document("")
        del said["instance"]  # (the head is not all read: no endpoint to name)
        body = msgspec.json.encode(said)
        self.transport.write(b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: " + MEDIA_TYPE.encode()
                             + b"\r\ncontent-length: %d\r\nconnection: close\r\n\r\n" % len(body) + body)
        self.transport.close()
