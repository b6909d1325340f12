"""A small HTTP/1.1 load generator for bench/serve_bench.py: ``clients`` keep-alive connections on asyncio, each
sending its share of ``total`` requests one after another, the latency of each measured from the request's
write to its response's last byte. Hand-written (raw asyncio streams, Content-Length responses only) so that the
load generator costs as little of the 2 CPUs it shares with the server as it can."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence


async def _client(host: str, port: int, requests: Sequence[tuple[int, bytes]], latencies: list[float],
                  bodies: dict[int, bytes] | None) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        for index, request in requests:
            start = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            body = await reader.readexactly(length)
            latencies.append(time.perf_counter() - start)
            if not head.startswith(b"HTTP/1.1 200"):
                raise RuntimeError(f"{head.splitlines()[0]!r}: {body[:300]!r}")
            if bodies is not None:
                bodies[index] = body
    finally:
        writer.close()


def request(method: str, path: str, body: bytes = b"", content_type: str = "application/json") -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n" \
           f"Content-Length: {len(body)}\r\n\r\n"
    return head.encode() + body


def load(host: str, port: int, requests: Sequence[bytes], clients: int,
         keep_bodies: bool = False) -> tuple[float, list[float], dict[int, bytes]]:
    """Send ``requests`` (round robin over ``clients`` connections); return the wall time, every latency and
    (``keep_bodies``) every response body by its request's index."""
    latencies: list[float] = []
    bodies: dict[int, bytes] | None = {} if keep_bodies else None
    numbered = list(enumerate(requests))
    shares = [numbered[i::clients] for i in range(clients)]

    async def run() -> float:
        start = time.perf_counter()
        await asyncio.gather(*(_client(host, port, share, latencies, bodies) for share in shares if share))
        return time.perf_counter() - start

    return asyncio.run(run()), latencies, bodies or {}


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]
